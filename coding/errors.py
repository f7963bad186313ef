"""Typed errors of the coding package (one line each, as everywhere in Dyadic)."""

from __future__ import annotations

from transcripts.errors import DyadicError, InvalidInput, NotFound

__all__ = ["CodeConflict", "CodingRefused", "DyadicError", "InvalidInput", "NotFound"]


class CodingRefused(InvalidInput):
    """A coding that cannot be stored: outside the text, empty, or on a code of another project."""


class CodeConflict(InvalidInput):
    """A code changed by someone else since the form was opened (its version moved on)."""
