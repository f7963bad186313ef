"""REFI-QDA (QDA-XML 1.0) exchange: projects (.qdpx) and codebooks (.qdc), out and in.

This package spans every domain package (transcripts, coding, themes), so it lives in ``app``, the one layer
that may import them all; it never imports FastAPI or Jinja2 and works over a plain SQLModel session, so that
scripts can use it. Untrusted archives are opened by ``archive`` and parsed by ``xml`` (hardened: no DTDs, no
entities, size and count limits); everything else builds or reads the XML tree.
"""

from __future__ import annotations

from app.exchange.errors import ExchangeRefused
from app.exchange.report import ExportReport, ImportReport

__all__ = ["ExchangeRefused", "ExportReport", "ImportReport"]
