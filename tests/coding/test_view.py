"""A turn cut into segments at coding edges: every character is in one segment, with exactly the codings
that cover it, in text order."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from coding.overlay import _ranks
from coding.view import coded_turn, cut_turn

TEXT = "I felt heard, for the first time — really heard. 🙂 Then she went quiet."
CODES = {1: SimpleNamespace(name="Feeling heard", position=0), 2: SimpleNamespace(name="Silence", position=1)}


def coding(id_: int, code_id: int, start: int, end: int):  # type: ignore[no-untyped-def]
    return SimpleNamespace(id=id_, code_id=code_id, coder_id=7, start=start, end=end)


def test_nested_overlapping_and_outside_codings() -> None:
    turn = coded_turn(
        TEXT,
        start=2,
        end=60,
        codings=[coding(10, 1, 0, 12), coding(11, 2, 7, 30), coding(12, 1, 40, 80), coding(13, 2, 61, 65)],
        codes=CODES,  # type: ignore[arg-type]
        coders={7: "Ana"},
    )
    assert [(s.start, s.end, s.coding_ids) for s in turn.segments] == [
        (2, 7, (10,)), (7, 12, (10, 11)), (12, 30, (11,)), (30, 40, ()), (40, 60, (12,)),
    ]  # fmt: skip
    assert "".join(s.text for s in turn.segments) == TEXT[2:60]
    assert [(s.coding_id, s.lane, s.start, s.end) for s in turn.stripes] == [
        (10, 0, 2, 12),
        (11, 1, 7, 30),
        (12, 0, 40, 60),
    ]
    assert turn.stripes[0].label == "Feeling heard — Ana" and turn.lanes == 2


spans = st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, len(TEXT))).filter(lambda s: s[0] < s[1])


@given(st.lists(spans, max_size=12), spans)
def test_segments_cover_the_turn_with_exactly_the_codings_over_each_character(codings, turn) -> None:  # type: ignore[no-untyped-def]
    found = [coding(i + 1, 1 + i % 2, s, e) for i, (s, e) in enumerate(sorted(codings))]
    start, end = turn
    result = coded_turn(TEXT, start=start, end=end, codings=found, codes=CODES, coders={})  # type: ignore[arg-type]
    assert "".join(s.text for s in result.segments) == TEXT[start:end]
    assert result.segments[0].start == start and result.segments[-1].end == end
    for segment in result.segments:
        for position in range(segment.start, segment.end):
            over = tuple(c.id for c in found if c.start <= position < c.end)
            assert segment.coding_ids == over


@given(st.lists(st.tuples(spans, st.integers(1, 4)), min_size=1, max_size=8), st.booleans())
def test_cutting_with_each_codes_rank_gives_the_turn_cut_by_sorting_its_codes(codings, tie) -> None:  # type: ignore[no-untyped-def]
    found = [coding(i + 1, code, s, e) for i, ((s, e), code) in enumerate(sorted(codings))]
    order = {1: (0, "b"), 2: (1, "a"), 3: (0, "a"), 4: (0, "b") if tie else (2, "c")}
    labels = {(code, 7): f"code {code}" for code in order}
    start, end = 0, len(TEXT)
    inside = [c for c in found if c.start < end and c.end > start]
    ranked = cut_turn(TEXT, start, end, inside, order=order, labels=labels, lane_of=_ranks(order))
    sorted_ = cut_turn(TEXT, start, end, inside, order=order, labels=labels)
    assert ranked == sorted_ and (_ranks(order) is None) == tie
