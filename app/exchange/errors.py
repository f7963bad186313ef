"""The one error of the exchange package: an archive or XML file that cannot be imported (nothing was)."""

from __future__ import annotations

from transcripts.errors import ImportRefused


class ExchangeRefused(ImportRefused):
    """A REFI-QDA file that is unsafe, unreadable or contradicts itself; the message is one line."""
