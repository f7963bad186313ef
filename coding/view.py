"""How codings look in the reading view: each turn's speech cut into segments where codings begin or end,
and one lane per code for the margin stripes beside the turn.

Pure functions over plain values, so that the view of a single turn can be rebuilt after a change without
reading the whole transcript.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import partial
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


class CodedTurn:
    """A turn's speech cut into segments, its margin stripes and how many lanes they take.

    ``CodedTurn.later`` cuts the turn only when its segments, stripes or lanes are first read: the reading
    view draws most turns from the HTML kept under their ``key`` (``app/turn_html.py``) and never reads them.
    ``key`` determines the cut turn entirely (the speech, its offsets and the codings over it, with all that
    their hover texts and lanes come from); None for a turn cut at once.
    """

    __slots__ = ("_cut", "_lanes", "_segments", "_stripes", "key")

    def __init__(self, segments: list[Segment], stripes: list[Stripe] | None = None, lanes: int = 0) -> None:
        self._segments = segments
        self._stripes = [] if stripes is None else stripes
        self._lanes = lanes
        self._cut: tuple[Any, ...] | None = None
        self.key: Hashable | None = None

    @classmethod
    def later(cls, key: Hashable, cut: tuple[Any, ...]) -> CodedTurn:
        """A turn to be cut by ``cut_turn(*cut)`` when first looked at; ``key`` as above."""
        turn = cls.__new__(cls)
        turn._cut, turn.key = cut, key
        return turn

    def _load(self) -> None:
        text, start, end, inside, order, labels, lane_of = self._cut  # type: ignore[misc]
        done = cut_turn(text, start, end, inside, order=order, labels=labels, lane_of=lane_of)
        self._segments, self._stripes, self._lanes, self._cut = done._segments, done._stripes, done._lanes, None

    @property
    def segments(self) -> list[Segment]:
        if self._cut is not None:
            self._load()
        return self._segments

    @property
    def stripes(self) -> list[Stripe]:
        if self._cut is not None:
            self._load()
        return self._stripes

    @property
    def lanes(self) -> int:
        if self._cut is not None:
            self._load()
        return self._lanes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CodedTurn):
            return NotImplemented
        return (self.segments, self.stripes, self.lanes) == (other.segments, other.stripes, other.lanes)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return f"CodedTurn(segments={self.segments!r}, stripes={self.stripes!r}, lanes={self.lanes!r})"


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
    lane_of: Mapping[int, int] | None = None,
) -> CodedTurn:
    """``coded_turn`` for codings known to overlap the turn, with each code's place in the codebook
    (``order``, a sort key per code id) and each stripe's hover text (``labels`` by code and coder) worked
    out by the caller: the reading view works them out once for all its turns. ``lane_of`` (a rank per code
    id, in ``order``'s order without ties) spares sorting the codes again in every turn."""
    if len(inside) == 1 and inside[0].start < inside[0].end and start < end:
        # the most common coded turn: one coding, at most three segments
        c = inside[0]
        left = c.start if c.start > start else start
        right = c.end if c.end < end else end
        segments = [_segment((left, right, text[left:right], (c.id or 0,)))]
        if left > start:
            segments.insert(0, _segment((start, left, text[start:left], ())))
        if right < end:
            segments.append(_segment((right, end, text[right:end], ())))
        stripe = _stripe((c.id, c.code_id, 0, left, right, labels[c.code_id, c.coder_id]))
        return CodedTurn(segments, [stripe], 1)
    lefts = [c.start if c.start > start else start for c in inside]
    rights = [c.end if c.end < end else end for c in inside]
    cuts = sorted({start, end, *lefts, *rights})
    index = {cut: i for i, cut in enumerate(cuts)}
    covering: list[list[int]] = [[] for _ in range(len(cuts) - 1)]
    for c, left, right in zip(inside, lefts, rights, strict=True):  # a coding covers the run of segments
        ident = c.id or 0  # between its (clipped) edges
        for i in range(index[left], index[right]):
            covering[i].append(ident)
    starts, ends = cuts[:-1], cuts[1:]
    texts = map(text.__getitem__, map(slice, starts, ends))
    segments = list(map(_segment, zip(starts, ends, texts, map(tuple, covering), strict=True)))
    # One lane per code, in codebook order, so that a code keeps its place along the turn.
    codes = {c.code_id for c in inside}
    if len(codes) == 1:
        lanes = dict.fromkeys(codes, 0)
    elif lane_of is not None:
        lanes = {code_id: lane for lane, code_id in enumerate(sorted(codes, key=lane_of.__getitem__))}
    else:
        lanes = {code_id: lane for lane, code_id in enumerate(sorted(codes, key=order.__getitem__))}
    stripes = [
        _stripe((c.id, c.code_id, lanes[c.code_id], left, right, labels[c.code_id, c.coder_id]))
        for c, left, right in zip(inside, lefts, rights, strict=True)
    ]
    return CodedTurn(segments, stripes, len(lanes))


# Built straight from a tuple of their fields (``tuple.__new__``, in C), not through the named tuples' own
# ``__new__`` (a Python call per segment): thousands per reading view.
_segment = partial(tuple.__new__, Segment)
_stripe = partial(tuple.__new__, Stripe)
