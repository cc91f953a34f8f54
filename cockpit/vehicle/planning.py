"""From signal writes to command frames: grouping, companions, refusals. Pure.

Writes for the same command message share one frame, in order, unless a later write would give
a field a different value than an earlier one (two temperatures for the driver in one call): then
the later write starts a new frame of that message, sent after the first is answered.
Some writes need companions in their frame (a destination's latitude needs its longitude): a
companion not written in the same call is taken from the confirmed state, and a frame whose
companion is unknown is refused without being sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cockpit.vehicle.mapping import COMMANDS, CommandBinding
from vehicle_contract.errors import VehicleError
from vehicle_contract.signals import CanValue
from vehicle_contract.vss import SignalValue, SignalWrite

FieldCheck = Callable[[str, Mapping[str, CanValue]], None]
"""Raises :class:`VehicleError` unless the fields fit the named message (the DBC's ranges)."""


@dataclass
class FramePlan:
    """One command frame to send, and the writes it answers for."""

    message: str
    """Command message name."""
    values: dict[str, CanValue] = field(default_factory=dict)
    """Fields named by the writes; every other field is sent as "no request"."""
    writes: list[tuple[int, SignalWrite, CommandBinding]] = field(default_factory=list)
    """(index in the caller's list, write, its binding), in order."""

    @property
    def paths(self) -> set[str]:
        """VSS paths written in this frame."""
        return {w.signal for _, w, _ in self.writes}


@dataclass
class Plan:
    """Frames to send, and the writes refused before anything was sent."""

    frames: list[FramePlan] = field(default_factory=list)
    """In the order their first write came."""
    refused: dict[int, str] = field(default_factory=dict)
    """Index in the caller's list -> reason."""


def _conflicts(current: Mapping[str, CanValue], new: Mapping[str, CanValue]) -> bool:
    return any(name in current and current[name] != value for name, value in new.items())


def _fields(binding: CommandBinding, value: SignalValue, check: FieldCheck) -> dict[str, CanValue]:
    fields = dict(binding.conversion.to_can(value))
    fields.update(binding.extra)
    check(binding.message, fields)
    return fields


def plan_frames(
    writes: Sequence[SignalWrite],
    state: Mapping[str, SignalValue],
    check: FieldCheck,
    commands: Mapping[str, CommandBinding] = COMMANDS,
) -> Plan:
    """Group ``writes`` into command frames; refuse what cannot be encoded or lacks a companion."""
    plan = Plan()
    latest: dict[str, FramePlan] = {}
    for index, write in enumerate(writes):
        binding = commands.get(write.signal)
        if binding is None:
            plan.refused[index] = f"this car has no command for {write.signal}"
            continue
        try:
            fields = _fields(binding, write.value, check)
        except (VehicleError, ValueError, TypeError) as err:
            plan.refused[index] = f"{write.value!r} cannot be sent for {write.signal}: {err}"
            continue
        frame = latest.get(binding.message)
        if frame is None or _conflicts(frame.values, fields):
            frame = FramePlan(binding.message)
            plan.frames.append(frame)
            latest[binding.message] = frame
        frame.values.update(fields)
        frame.writes.append((index, write, binding))

    for frame in list(plan.frames):
        missing = _fill_companions(frame, state, check, commands)
        if missing:
            plan.frames.remove(frame)
            for index, _, _ in frame.writes:
                plan.refused[index] = f"needs {missing} in the same request, and no confirmed value is known"
    return plan


def _fill_companions(
    frame: FramePlan, state: Mapping[str, SignalValue], check: FieldCheck, commands: Mapping[str, CommandBinding]
) -> str:
    """Add companion fields from state; returns the first companion that cannot be had, or ''."""
    written = frame.paths
    for _, write, binding in list(frame.writes):
        if binding.companions_when is not None and write.value != binding.companions_when:
            continue
        for path in binding.companions:
            if path in written:
                continue
            value = state.get(path)
            if value is None:
                return path
            try:
                fields = _fields(commands[path], value, check)
            except (VehicleError, ValueError, TypeError, KeyError):
                return path
            for name, field_value in fields.items():
                frame.values.setdefault(name, field_value)
    return ""
