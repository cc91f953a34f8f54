"""Registries are values: built once at the composition root and passed in.

A :class:`Registry` maps names to factories or objects. Registering a name twice is an error,
and looking up an unknown name raises an error that lists the valid ones. Heavy backends are
registered as ``"module:Class"`` strings and imported only when first looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Generic, TypeVar

from cockpit.errors import ConfigError

T = TypeVar("T")


def import_object(spec: str) -> object:
    """Import ``"package.module:Attribute"`` and return the attribute."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError("bad-import-spec", f"{spec!r} is not of the form 'module:Attribute'")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as err:
        raise ConfigError("import-failed", f"cannot import {spec!r}: {err}") from err


class Registry(Generic[T]):
    """Names to values of one kind (skills, recognisers, language models, ...)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        """What the registry holds, for error messages (e.g. ``skill``)."""
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> None:
        """Add ``item`` under ``name``; a second registration of the same name is an error."""
        if name in self._items:
            raise ConfigError(f"duplicate-{self.kind}", f"{self.kind} {name!r} is already registered")
        self._items[name] = item

    def get(self, name: str) -> T:
        """The item called ``name``; an unknown name's error lists the valid ones."""
        try:
            return self._items[name]
        except KeyError:
            valid = ", ".join(sorted(self._items)) or "(none)"
            raise ConfigError(f"unknown-{self.kind}", f"no {self.kind} called {name!r}; valid: {valid}") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        """``(name, item)`` pairs in registration order (built-ins before plug-ins, as registered)."""
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
