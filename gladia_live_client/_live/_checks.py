"""Checks of live settings: a bad value raises `ConfigurationError` naming the setting and what it takes.

`ConfigurationError` is a `GladiaError` and a `ValueError`, so ``except GladiaError`` catches a bad setting
as it catches every other failure of the client.
"""

from __future__ import annotations

from collections.abc import Callable

from .._exceptions import ConfigurationError

__all__ = ["check_number"]


def check_number(
    owner: str,
    name: str,
    value: object,
    wanted: str,
    ok: Callable[[float], bool],
    *,
    integer: bool = False,
    optional: bool = False,
) -> None:
    """Raise `ConfigurationError` unless `value` is a number (an int with `integer`) for which `ok` holds,
    or None when `optional`. `wanted` says what the setting takes, as in "a positive number"."""
    if value is None and optional:
        return
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    # bool is an int to Python, never a sensible setting here; NaN fails every comparison `ok` makes.
    if isinstance(value, bool) or not isinstance(value, kinds) or not ok(value):  # type: ignore[arg-type]
        more = " or None" if optional else ""
        raise ConfigurationError(f"{owner}.{name} must be {wanted}{more}, got {value!r}")
