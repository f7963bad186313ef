"""Typed errors of the transcripts package. Each message is one line a researcher can act on."""

from __future__ import annotations


class DyadicError(Exception):
    """Base of Dyadic's domain errors: the message says what is wrong and where."""


class NotFound(DyadicError):
    """A project, dyad, participant or transcript that does not exist (or is not yours to see)."""


class ImportRefused(DyadicError):
    """A file or manifest that cannot be imported; nothing was stored."""


class InvalidInput(DyadicError):
    """A form value that cannot be accepted (e.g. a duplicate dyad label)."""


class NotPermitted(InvalidInput):
    """The person's role in the project does not allow what they tried (e.g. a viewer coding)."""


class LoginRefused(DyadicError):
    """A login that did not succeed: a wrong name or password, or too many recent failures."""
