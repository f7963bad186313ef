"""Typed errors of the themes package (one line each, as everywhere in Dyadic)."""

from __future__ import annotations

from transcripts.errors import DyadicError, InvalidInput, NotFound

__all__ = ["DyadicError", "InvalidInput", "NotFound", "ThemeConflict", "ThemeRefused"]


class ThemeRefused(InvalidInput):
    """A change to the themes that cannot be made: a code or theme of another project, a theme under itself,
    an empty or clashing name. Nothing was changed."""


class ThemeConflict(InvalidInput):
    """A theme changed by someone else since the form was opened (its version moved on)."""
