"""Check that a parsed model holds what its annotations declare, all the way down.

`untyped_fields(model)` walks a generated model against the type hints of its class and lists every place where
the value does not fit the declared type: the bug this guards against is a raw `dict` left in a field typed as a
model (or a `str` in a field typed as a datetime) because a parser fell back to the data it could not type.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
import uuid
from functools import cache
from typing import Any

import attrs

from gladia_live_client.types import Unset

# Types the generator writes into a field without checking the JSON value: with `scalars=False` they accept
# anything, so a fuzzed body that puts an object into a `str` field (the generator's own behaviour, not a fallback)
# does not hide what this check is for.
SCALARS = (str, int, float, bool)


@cache
def hints_of(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def untyped_fields(model: object, *, scalars: bool = True, path: str = "$") -> list[str]:
    """Every path below `model` whose value does not fit its declared type (empty: fully typed)."""
    problems: list[str] = []
    hints = hints_of(type(model))
    for field in attrs.fields(type(model)):
        value = getattr(model, field.name)
        if field.name == "additional_properties":
            continue
        _check(value, hints[field.name], f"{path}.{field.name}", scalars, problems)
    return problems


def _check(value: Any, hint: Any, path: str, scalars: bool, problems: list[str]) -> None:
    if not _fits(value, hint, path, scalars, problems):
        problems.append(f"{path}: {type(value).__name__} where {hint} is declared")


def _fits(value: Any, hint: Any, path: str, scalars: bool, problems: list[str]) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        # The first member the value fits decides; a model member checks its own fields (may add problems).
        for member in members:
            scratch: list[str] = []
            if _fits(value, member, path, scalars, scratch):
                problems.extend(scratch)
                return True
        return False
    if hint is type(None):
        return value is None
    if hint is Unset:
        return isinstance(value, Unset)
    if origin is list:
        if not isinstance(value, list):
            return False
        (item,) = typing.get_args(hint)
        for index, element in enumerate(value):
            _check(element, item, f"{path}[{index}]", scalars, problems)
        return True
    if origin is dict:
        if not isinstance(value, dict):
            return False
        _, item = typing.get_args(hint)
        for key, element in value.items():
            _check(element, item, f"{path}.{key}", scalars, problems)
        return True
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, hint):
            return False
        problems.extend(untyped_fields(value, scalars=scalars, path=path))
        return True
    if isinstance(hint, type) and issubclass(hint, enum.Enum | datetime.date | uuid.UUID):
        return isinstance(value, hint)
    if hint in SCALARS:
        if not scalars:
            return True
        if hint is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, hint)
    raise AssertionError(f"{path}: no rule for the declared type {hint!r}")
