"""How codings look in the reading view: each turn's speech cut into segments where codings begin or end,
and one lane per code for the margin stripes beside the turn.

Pure functions over plain values, so that the view of a single turn can be rebuilt after a change without
reading the whole transcript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from coding.models import Code


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech ``[start, end)`` and the codings that cover all of it."""

    start: int
    end: int
    text: str
    coding_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Stripe:
    """A coding's mark in the margin: its lane (one per code in the turn) and what to say on hover."""

    coding_id: int
    code_id: int
    lane: int
    start: int
    end: int
    label: str


@dataclass(slots=True)
class CodedTurn:
    segments: list[Segment]
    stripes: list[Stripe] = field(default_factory=list)
    lanes: int = 0


def coded_turn(
    text: str,
    *,
    start: int,
    end: int,
    codings: Iterable[Any],
    codes: dict[int, Code],
    coders: dict[int, str],
) -> CodedTurn:
    """The speech ``text[start:end]`` of one turn with the codings that overlap it (anything with a
    coding's ``id, code_id, coder_id, start, end``: ORM objects or plain rows)."""
    inside = [c for c in codings if c.start < end and c.end > start]
    if not inside:  # most turns: one plain segment
        return CodedTurn([Segment(start, end, text[start:end], ())])
    cuts = sorted({start, end, *(max(c.start, start) for c in inside), *(min(c.end, end) for c in inside)})
    index = {cut: i for i, cut in enumerate(cuts)}
    covering: list[list[int]] = [[] for _ in range(len(cuts) - 1)]
    for c in inside:  # a coding covers the run of segments between its (clipped) edges
        for i in range(index[max(c.start, start)], index[min(c.end, end)]):
            covering[i].append(c.id or 0)
    segments = [
        Segment(left, right, text[left:right], tuple(ids))
        for (left, right), ids in zip(pairwise(cuts), covering, strict=True)
    ]
    lanes = _lanes(inside, codes)
    stripes = [
        Stripe(
            coding_id=c.id,
            code_id=c.code_id,
            lane=lanes[c.code_id],
            start=max(c.start, start),
            end=min(c.end, end),
            label=f"{codes[c.code_id].name} — {coders.get(c.coder_id or 0, 'unknown coder')}",
        )
        for c in inside
    ]
    return CodedTurn(segments, stripes, len(set(lanes.values())))


def _lanes(codings: Sequence[Any], codes: dict[int, Code]) -> dict[int, int]:
    """One lane per code, in codebook order, so that a code keeps its place along the turn."""
    present = sorted({c.code_id for c in codings}, key=lambda code_id: (codes[code_id].position, codes[code_id].name))
    return {code_id: lane for lane, code_id in enumerate(present)}
