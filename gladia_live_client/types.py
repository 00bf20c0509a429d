"""The types that models and calls share: the `UNSET` sentinel of a field left out, and its type `Unset`."""

from ._generated.types import UNSET, Unset

__all__ = ["UNSET", "Unset"]
