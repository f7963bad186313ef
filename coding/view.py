"""How codings look in the reading view: each turn's speech cut into segments where codings begin or end,
and one lane per code for the margin stripes beside the turn.

Pure functions over plain values, so that the view of a single turn can be rebuilt after a change without
reading the whole transcript.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple

from coding.models import Code

# Segments and stripes are named tuples, not frozen dataclasses: a reading view builds thousands of them,
# and a tuple is built several times faster.


class Segment(NamedTuple):
    """A stretch of speech ``[start, end)`` and the codings that cover all of it."""

    start: int
    end: int
    text: str
    coding_ids: tuple[int, ...]


class Stripe(NamedTuple):
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
    codes: Mapping[int, Code],
    coders: Mapping[int, str],
) -> CodedTurn:
    """The speech ``text[start:end]`` of one turn with the codings that overlap it (anything with a
    coding's ``id, code_id, coder_id, start, end``: ORM objects or plain rows)."""
    inside = [c for c in codings if c.start < end and c.end > start]
    if not inside:  # most turns: one plain segment
        return CodedTurn([Segment(start, end, text[start:end], ())])
    order = {c.code_id: (codes[c.code_id].position, codes[c.code_id].name) for c in inside}
    labels = {
        (c.code_id, c.coder_id): f"{codes[c.code_id].name} — {coders.get(c.coder_id or 0, 'unknown coder')}"
        for c in inside
    }
    return cut_turn(text, start, end, inside, order=order, labels=labels)


def cut_turn(
    text: str,
    start: int,
    end: int,
    inside: Sequence[Any],
    *,
    order: Mapping[int, Any],
    labels: Mapping[tuple[int, int | None], str],
) -> CodedTurn:
    """``coded_turn`` for codings known to overlap the turn, with each code's place in the codebook
    (``order``, a sort key per code id) and each stripe's hover text (``labels`` by code and coder) worked
    out by the caller: the reading view works them out once for all its turns."""
    clipped = [(c, c.start if c.start > start else start, c.end if c.end < end else end) for c in inside]
    edges = {start, end}
    for _, left, right in clipped:
        edges.add(left)
        edges.add(right)
    cuts = sorted(edges)
    covering: list[list[int]] = [[] for _ in range(len(cuts) - 1)]
    index = {cut: i for i, cut in enumerate(cuts)}
    for c, left, right in clipped:  # a coding covers the run of segments between its (clipped) edges
        for i in range(index[left], index[right]):
            covering[i].append(c.id or 0)
    segments = [
        Segment(left, right, text[left:right], tuple(ids))
        for (left, right), ids in zip(pairwise(cuts), covering, strict=True)
    ]
    # One lane per code, in codebook order, so that a code keeps its place along the turn.
    codes = {c.code_id for c in inside}
    lanes = {code_id: lane for lane, code_id in enumerate(sorted(codes, key=order.__getitem__))}
    stripes = [
        Stripe(c.id, c.code_id, lanes[c.code_id], left, right, labels[c.code_id, c.coder_id])
        for c, left, right in clipped
    ]
    return CodedTurn(segments, stripes, len(lanes))
