"""Temperatures in the driver's units: the car takes Celsius, the driver may think in Fahrenheit.

The bus always carries Celsius (the DBC's signals); what changes is how a number is read and how a
reply says it. The intent contract has one number, ``celsius`` (``delta_celsius``):

- When the driver named a unit ("70 degrees Fahrenheit", "화씨 칠십 도", "21 °C"), NLU has already
  converted the number to Celsius; the unit named is read back from the words (:func:`named_unit`).
- A bare number ("set the temperature to 70", "two degrees warmer") is in the driver's units: the
  unit last named in the session (:data:`cockpit.followups.TEMPERATURE_UNIT`), else Fahrenheit
  when the ``units`` setting is ``imperial``, else Celsius. The two ranges (16-30 °C, 61-86 °F) do
  not overlap, so a number read in the wrong unit is refused, never carried out.
- Replies and answers speak the driver's units too.

A Fahrenheit request lands on the car's nearest 0.5 °C step. One step is 0.9 °F, so the nearest step
is never more than 0.45 °F away and a whole Fahrenheit degree reads back as itself: a driver who
said 70 (21.0 °C on the bus) hears 70.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cockpit import vss
from cockpit.followups import TEMPERATURE_UNIT
from cockpit.units import IMPERIAL, to_celsius, to_fahrenheit, whole_fahrenheit

FAHRENHEIT, CELSIUS = "fahrenheit", "celsius"
TOOL_SOURCE = "llm"
"""``IntentMatch.source`` of a language-model tool call."""

_NAMED_FAHRENHEIT = re.compile(r"fahrenheit|화씨|°\s*f\b|(?:\d|\bdegrees?)\s*f\b", re.I)
_NAMED_CELSIUS = re.compile(r"celsius|centigrade|섭씨|°\s*c\b|(?:\d|\bdegrees?)\s*c\b", re.I)


def named_unit(text: str) -> str | None:
    """``fahrenheit`` or ``celsius`` when the words name a temperature unit; None for a bare number
    or plain "degrees" / "도" (the driver's units decide)."""
    if _NAMED_FAHRENHEIT.search(text):
        return FAHRENHEIT
    if _NAMED_CELSIUS.search(text):
        return CELSIUS
    return None


def driver_unit(text: str, units: str, memory: Mapping[str, Any]) -> str:
    """The unit the driver means and hears: the one named now, else the one last named in the
    session, else the ``units`` setting's."""
    named = named_unit(text) or memory.get(TEMPERATURE_UNIT)
    if named in (FAHRENHEIT, CELSIUS):
        return str(named)
    return FAHRENHEIT if units == IMPERIAL else CELSIUS


def slot_unit(text: str, source: str, driver: str) -> str:
    """The unit a request's temperature slot holds: Celsius when the driver named a unit (NLU
    converted it) or the language model called the tool (its schema is Celsius), else ``driver``."""
    return CELSIUS if source == TOOL_SOURCE or named_unit(text) else driver


def read_celsius(value: float, unit: str) -> float:
    """A temperature slot holding ``unit`` (see :func:`slot_unit`), in Celsius."""
    return to_celsius(value) if unit == FAHRENHEIT else value


def read_delta(value: float, unit: str) -> float:
    """A temperature change slot holding ``unit`` degrees, in Celsius degrees."""
    return value * 5.0 / 9.0 if unit == FAHRENHEIT else value


def degrees_number(celsius: float, fahrenheit: bool) -> str:
    """How a temperature the car holds reads aloud: ``21.5`` in Celsius, a whole ``71`` in Fahrenheit."""
    if not fahrenheit:
        return f"{celsius:g}"
    return f"{whole_fahrenheit(celsius)}"


def fahrenheit_range(signal: str) -> tuple[int, int]:
    """The whole Fahrenheit degrees ``signal``'s Celsius range takes: 16-30 °C is 61-86 °F."""
    spec = vss.SIGNALS[signal]
    lo = -math.inf if spec.minimum is None else spec.minimum
    hi = math.inf if spec.maximum is None else spec.maximum
    return math.ceil(to_fahrenheit(lo)), math.floor(to_fahrenheit(hi))
