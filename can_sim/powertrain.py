"""The simulated powertrain: BYD's real speed and gear frames at 50 Hz, following a drive profile.

Every 20 ms it sends, encoded with cantools from opendbc's ``byd_general.dbc``:

- ``WHEEL_SPEED`` 0x122: four wheel speeds, 0.1 km/h. As on the real car the rear-right wheel's
  high byte is a status byte (:data:`WHEEL_STATUS_OK`), so only its low byte is speed.
- ``DRIVE_STATE`` 0x242: ``GEAR`` (1 P, 2 R, 4 D), ``BRAKE_PRESSED``, ``RAW_THROTTLE``.
- ``WHEELSPEED_CLEAN`` 0x1F0: the vehicle speed, with ``COUNTER`` and BYD's ``CHECKSUM``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import can
from can.typechecking import CanFilter

from can_sim.bus import BusConfig
from can_sim.faults import FaultLayer
from can_sim.profiles import GEARS, DriveProfile, profile_named
from vehicle_contract import byd
from vehicle_contract.dbc import BYD_DBC, DbcCodec

FRAME_PERIOD_S = 0.02
"""50 Hz, as the real car sends these frames."""
POLL_S = 0.05
"""Longest sleep of the sender thread."""
WHEEL_STATUS_OK = 0x00
"""The rear-right wheel's status byte while the sensor is healthy."""
SPEED_RESOLUTION_KMH = 0.1
"""Scale of every BYD speed signal."""
THROTTLE_WHEN_ACCELERATING = 30
"""``RAW_THROTTLE`` sent while the profile speeds up (0..127)."""
# This box reads nothing: a filter only an extended id 0 passes (the car never sends one).
_NOTHING: list[CanFilter] = [{"can_id": 0, "can_mask": 0x1FFFFFFF, "extended": True}]


class PowertrainSimulator:
    """Sends the BYD powertrain frames at 50 Hz on its own bus."""

    def __init__(
        self,
        bus: BusConfig,
        profile: DriveProfile | str = "parked",
        codec: DbcCodec | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        faults: FaultLayer | None = None,
        node: str = "powertrain",
    ) -> None:
        self.bus_config = bus
        """Where it connects when started."""
        self.node = node
        """Its name in the car: what node faults target."""
        self._faults = faults
        self._codec = codec or DbcCodec.load(BYD_DBC)
        self._clock = clock
        self._lock = threading.Lock()
        self._profile = profile_named(profile) if isinstance(profile, str) else profile
        self._t0 = clock()
        self._counter = 0
        self._previous_speed = 0.0
        self._frames_sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def profile(self) -> DriveProfile:
        """The profile being driven."""
        with self._lock:
            return self._profile

    @property
    def frames_sent(self) -> int:
        """Frames sent since construction."""
        with self._lock:
            return self._frames_sent

    def set_profile(self, profile: DriveProfile | str) -> None:
        """Drive ``profile`` from its start, now."""
        chosen = profile_named(profile) if isinstance(profile, str) else profile
        with self._lock:
            self._profile, self._t0 = chosen, self._clock()

    @property
    def running(self) -> bool:
        """Whether it is on the bus."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Connect and start sending; the profile's clock starts now."""
        if self.running:
            return
        bus = self.bus_config.open()
        bus.set_filters(_NOTHING)
        with self._lock:
            self._t0 = self._clock()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(bus,), name="sim-powertrain", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Fall silent and leave the bus."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def frames(self, t_s: float) -> list[tuple[int, bytes]]:
        """The three frames for profile time ``t_s`` (advances the WHEELSPEED_CLEAN counter)."""
        with self._lock:
            speed, gear = self._profile.at(t_s)
            accelerating = speed > self._previous_speed + 1e-9
            braking = speed < self._previous_speed - 1e-9 or (speed == 0.0 and gear != "P")
            self._previous_speed = speed
            counter = self._counter
            self._counter = (counter + 1) % byd.BYD_COUNTER_MODULO
        raw = round(speed / SPEED_RESOLUTION_KMH)
        kmh = raw * SPEED_RESOLUTION_KMH
        rear_right = ((WHEEL_STATUS_OK << 8) | (raw & 0xFF)) * SPEED_RESOLUTION_KMH
        enc = self._codec.encode
        wheels = enc(
            "WHEEL_SPEED",
            {"WHEELSPEED_FL": kmh, "WHEELSPEED_FR": kmh, "WHEELSPEED_BL": kmh, "WHEELSPEED_BR": rear_right},
        )
        drive = enc(
            "DRIVE_STATE",
            {
                "GEAR": GEARS[gear],
                "BRAKE_PRESSED": int(braking),
                "RAW_THROTTLE": THROTTLE_WHEN_ACCELERATING if accelerating else 0,
            },
        )
        clean = byd.fill_counter_checksum(enc("WHEELSPEED_CLEAN", {"WHEELSPEED_CLEAN": kmh}), counter)
        return [
            (self._codec.frame_id("WHEEL_SPEED"), wheels),
            (self._codec.frame_id("DRIVE_STATE"), drive),
            (self._codec.frame_id("WHEELSPEED_CLEAN"), clean),
        ]

    def _run(self, bus: can.BusABC) -> None:
        try:
            due = self._clock()
            while not self._stop.is_set():
                now = self._clock()
                if now >= due:
                    with self._lock:
                        t_s = now - self._t0
                    for frame_id, data in self.frames(t_s):
                        msg = can.Message(arbitration_id=frame_id, data=data, is_extended_id=False)
                        try:
                            if self._faults is None:
                                bus.send(msg)
                            else:
                                self._faults.send(bus, msg, self.node)
                        except can.CanError:
                            continue  # as on a real bus: this cycle's frame is lost, the next comes
                        with self._lock:
                            self._frames_sent += 1
                    due += FRAME_PERIOD_S
                    if due <= now:  # fell behind: resume the rhythm rather than burst
                        due = now + FRAME_PERIOD_S
                # Sleeping in recv also drains this bus's queue (virtual buses queue every frame).
                bus.recv(timeout=min(max(due - self._clock(), 0.0), POLL_S))
        finally:
            bus.shutdown()
