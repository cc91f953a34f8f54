"""Scripted drives: a speed and gear profile plus timed ECU events, as TOML data.

A scenario file::

    name = "city-errands"
    description = "pull away, set the climate, play music, stop"
    duration_s = 10.0
    profile = [[0, 0, "P"], [1, 0, "D"], [6, 40, "D"]]   # or a profile name: profile = "city"

    [[events]]
    at_s = 2.0
    send = "HVAC_CMD"                                   # a frame from the bench node
    signals = { DRIVER_TEMP_REQ = 21.0, AC_REQ = "ON" }

    [[events]]
    at_s = 4.0
    label = "speed-loss"                                # optional: to clear it by
    fault = { kind = "drop", message = "WHEELSPEED_CLEAN", duration_s = 1.0 }

    [[events]]
    at_s = 5.0
    clear = "speed-loss"                                # or "all"

    [[events]]
    at_s = 6.0
    stop = "media"                                      # and: start = "media"

The built-in scenarios ship in ``can_sim/scenarios``. Frames a scenario sends carry their DBC
integrity (E2E counter and CRC, BYD checksum), with counters counting from 0 per message.
"""

from __future__ import annotations

import enum
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from can_sim.car import SimulatedCar
from can_sim.decode import DbcSet
from can_sim.driver import CarDriver, LocalCar
from can_sim.faults import NODES, Fault, FaultKind, parse_can_id
from can_sim.profiles import DriveProfile, profile_named
from vehicle_contract.errors import CockpitError, ConfigError

SCENARIO_PACKAGE = "can_sim.scenarios"
"""Where the built-in scenario files ship."""


class Action(enum.StrEnum):
    """What a scenario event does."""

    SEND = "send"
    FAULT = "fault"
    CLEAR = "clear"
    STOP = "stop"
    START = "start"


@dataclass(frozen=True)
class ScenarioEvent:
    """One timed event."""

    at_s: float
    """Seconds from the scenario's start."""
    action: Action
    """What happens."""
    message: str = ""
    """``send``: the DBC message."""
    signals: Mapping[str, float | int | str] = field(default_factory=dict)
    """``send``: signal values (the rest idle)."""
    fault: Fault | None = None
    """``fault``: the fault to inject."""
    label: str = ""
    """``fault``: a name to clear it by; ``clear``: the label to clear, or ``all``."""
    ecu: str = ""
    """``stop``/``start``: the node."""

    def describe(self) -> str:
        """One line for people."""
        if self.action is Action.SEND:
            return f"send {self.message} {', '.join(f'{k}={v}' for k, v in self.signals.items())}".rstrip()
        if self.action is Action.FAULT and self.fault is not None:
            return f"fault {self.fault.describe()}"
        if self.action is Action.CLEAR:
            return f"clear {self.label}"
        return f"{self.action} {self.ecu}"


@dataclass(frozen=True)
class Scenario:
    """A scripted drive."""

    name: str
    """Registry name."""
    profile: DriveProfile
    """What the powertrain does."""
    duration_s: float
    """How long the scenario runs."""
    events: tuple[ScenarioEvent, ...] = ()
    """Timed events, in time order."""
    description: str = ""
    """One line for people."""


def _fault(spec: Mapping[str, Any], dbcs: DbcSet, where: str) -> Fault:
    known = {"kind", "can_id", "message", "ecu", "probability", "delay_ms", "rate_hz", "duration_s"}
    extra = sorted(set(spec) - known)
    if extra:
        raise ConfigError("bad-scenario", f"{where}: unknown fault field {', '.join(extra)}")
    can_id = spec.get("can_id")
    if isinstance(can_id, str):
        can_id = parse_can_id(can_id)
    if "message" in spec:
        can_id = dbcs.named(str(spec["message"])).frame_id
    kind_text = str(spec.get("kind", ""))
    try:
        kind = FaultKind(kind_text)
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise ConfigError("bad-scenario", f"{where}: unknown fault kind {kind_text!r}; known: {kinds}") from None
    return Fault(
        kind,
        can_id=can_id,
        ecu=spec.get("ecu"),
        probability=float(spec.get("probability", 1.0)),
        delay_s=float(spec.get("delay_ms", 0.0)) / 1000.0,
        rate_hz=float(spec.get("rate_hz", 100.0)),
        duration_s=float(spec["duration_s"]) if "duration_s" in spec else None,
    )


def _event(raw: Mapping[str, Any], dbcs: DbcSet, where: str) -> ScenarioEvent:
    at_s = float(raw.get("at_s", -1))
    if at_s < 0:
        raise ConfigError("bad-scenario", f"{where}: at_s must be given and not negative")
    actions = [a for a in Action if a.value in raw]
    if len(actions) != 1:
        raise ConfigError("bad-scenario", f"{where}: give exactly one of {', '.join(a.value for a in Action)}")
    action = actions[0]
    if action is Action.SEND:
        message = str(raw["send"])
        dbcs.encode(message, dict(raw.get("signals", {})))  # fail at load time, not mid-drive
        return ScenarioEvent(at_s, action, message=message, signals=MappingProxyType(dict(raw.get("signals", {}))))
    if action is Action.FAULT:
        return ScenarioEvent(at_s, action, fault=_fault(raw["fault"], dbcs, where), label=str(raw.get("label", "")))
    if action is Action.CLEAR:
        return ScenarioEvent(at_s, action, label=str(raw["clear"]))
    ecu = str(raw[action.value])
    if ecu not in NODES:
        raise ConfigError("bad-scenario", f"{where}: no node {ecu!r}; known: {', '.join(NODES)}")
    return ScenarioEvent(at_s, action, ecu=ecu)


def parse_scenario(text: str, origin: str = "<scenario>", dbcs: DbcSet | None = None) -> Scenario:
    """A scenario from TOML text; a :class:`ConfigError` names what is wrong."""
    dbcs = dbcs or DbcSet.load()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("bad-scenario", f"{origin}: {err}") from err
    name = str(raw.get("name", Path(origin).stem))
    profile_raw = raw.get("profile", "parked")
    try:
        if isinstance(profile_raw, str):
            profile = profile_named(profile_raw)
        else:
            profile = DriveProfile.of(name, *(tuple(p) for p in profile_raw))
        events = tuple(
            sorted(
                (_event(e, dbcs, f"{origin} event {i + 1}") for i, e in enumerate(raw.get("events", []))),
                key=lambda e: e.at_s,
            )
        )
    except CockpitError as err:
        raise ConfigError("bad-scenario", f"{origin}: {err.message}") from err
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError("bad-scenario", f"{origin}: {err}") from err
    duration = float(raw.get("duration_s", max([profile.duration_s, *(e.at_s for e in events)]) + 1.0))
    return Scenario(name, profile, duration, events, str(raw.get("description", "")))


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped in ``can_sim/scenarios``, by name."""
    dbcs = DbcSet.load()
    found: dict[str, Scenario] = {}
    for entry in sorted(resources.files(SCENARIO_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            scenario = parse_scenario(entry.read_text("utf-8"), entry.name, dbcs)
            found[scenario.name] = scenario
    return found


def load_scenario(name_or_path: str, dbcs: DbcSet | None = None) -> Scenario:
    """A built-in scenario by name, or a scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return parse_scenario(path.read_text("utf-8"), str(path), dbcs)
    shipped = builtin_scenarios()
    if name_or_path in shipped:
        return shipped[name_or_path]
    raise ConfigError("unknown-scenario", f"no scenario {name_or_path!r}; known: {', '.join(sorted(shipped))}")


class ScenarioRunner:
    """Plays one scenario on a car: an in-process :class:`SimulatedCar` (sending its frames from a
    bench node of its own) or any :class:`~can_sim.driver.CarDriver`, such as a cockpit's car."""

    def __init__(self, car: SimulatedCar | CarDriver, dbcs: DbcSet | None = None) -> None:
        self._own = isinstance(car, SimulatedCar)
        self._driver: CarDriver = LocalCar(car, dbcs) if isinstance(car, SimulatedCar) else car
        self._labels: dict[str, str] = {}

    def run(
        self,
        scenario: Scenario,
        stop: threading.Event | None = None,
        on_event: Callable[[float, ScenarioEvent], None] | None = None,
        limit_s: float | None = None,
    ) -> float:
        """Drive the profile and fire the events on time, for the scenario's duration (or ``limit_s``
        if shorter); returns the seconds it ran (less if ``stop`` was set)."""
        stop = stop or threading.Event()
        length = scenario.duration_s if limit_s is None else min(limit_s, scenario.duration_s)
        try:
            self._driver.set_profile(scenario.profile)
            start = time.monotonic()
            for event in scenario.events:
                if event.at_s > length:
                    break
                if stop.wait(max(start + event.at_s - time.monotonic(), 0.0)):
                    return time.monotonic() - start
                self._fire(event)
                if on_event is not None:
                    on_event(time.monotonic() - start, event)
            stop.wait(max(start + length - time.monotonic(), 0.0))
            return time.monotonic() - start
        finally:
            if self._own:  # a driver handed in is its owner's to close
                self._driver.close()

    def _fire(self, event: ScenarioEvent) -> None:
        driver = self._driver
        if event.action is Action.SEND:
            driver.send(event.message, event.signals)
        elif event.action is Action.FAULT and event.fault is not None:
            fault_id = driver.inject_fault(event.fault)
            if event.label:
                self._labels[event.label] = fault_id
        elif event.action is Action.CLEAR:
            if event.label == "all":
                driver.clear_fault(None)
            elif event.label in self._labels:
                fid = self._labels.pop(event.label)
                if fid in driver.active_faults():  # it may have expired already
                    driver.clear_fault(fid)
        elif event.action in (Action.STOP, Action.START):
            driver.set_running(event.ecu, event.action is Action.START)
