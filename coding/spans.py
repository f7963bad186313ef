"""Moving a span's edges by whole words, as researchers widen or narrow a coded passage."""

from __future__ import annotations

import re

WORD = re.compile(r"[\w’'-]+")


def step(text: str, offset: int, *, edge: str, forward: bool) -> int:
    """Move a span's ``edge`` ("start" or "end") by one word: a start to the previous or next word's
    start, an end to the previous or next word's end."""
    index = 0 if edge == "start" else 1
    edges = [match.span()[index] for match in WORD.finditer(text)]
    if forward:
        return next((e for e in edges if e > offset), len(text))
    return next((e for e in reversed(edges) if e < offset), 0)
