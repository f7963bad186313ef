"""Inter-coder agreement arithmetic: the worked cases of AGREEMENT.md with their exact values, and random small
data compared with scikit-learn, statsmodels and krippendorff (the oracles)."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from coding.agreement import Unit, agreement, coefficients, covered, disagreements, rate, union


def close(value: Fraction | None, expected: float) -> None:
    assert value is not None
    assert float(value) == pytest.approx(expected, abs=1e-6)


# --- the worked cases ------------------------------------------------------------------------------------


def test_tc1_characters_two_coders() -> None:
    result = agreement([Unit(1, 0, 20)], {1: [{1: [(0, 8)]}, {1: [(2, 13)]}]}, coders=2, unit="character")
    k = result.codes[0].coefficients
    assert k.units == 20
    close(k.percent_agreement, 13 / 20)
    close(k.cohen_kappa, 16 / 51)
    close(k.fleiss_kappa, 17 / 57)  # Scott's π for two coders
    close(k.krippendorff_alpha, 6 / 19)
    close(k.brennan_prediger, 0.3)
    close(k.ac1, 121 / 401)
    close(k.pa_plus, 12 / 19)
    assert k.reason is None
    # the exact fractions, not only their decimals
    assert (k.cohen_kappa, k.krippendorff_alpha, k.ac1) == (Fraction(16, 51), Fraction(6, 19), Fraction(121, 401))


TC2_SENTENCES = [Unit(1, 10 * k, 10 * k + 10) for k in range(8)]
TC2_SPANS = {
    1: [
        {1: [(2, 18), (30, 40), (60, 70)]},
        {1: [(0, 20), (30, 50)]},
        {1: [(5, 8), (30, 40), (62, 65)]},
    ]
}


def test_tc2_sentences_three_coders_any_overlap() -> None:
    rated = rate(TC2_SENTENCES, TC2_SPANS[1])
    assert ["".join(str(r.values[i]) for r in rated) for i in range(3)] == ["11010010", "11011000", "10010010"]
    k = agreement(TC2_SENTENCES, TC2_SPANS, coders=3).codes[0].coefficients
    close(k.percent_agreement, 0.75)
    close(k.unanimous_agreement, 0.625)
    close(k.fleiss_kappa, 71 / 143)
    close(k.krippendorff_alpha, 74 / 143)
    close(k.ac1, 73 / 145)
    close(k.brennan_prediger, 0.5)
    assert k.cohen_kappa is None  # Cohen's κ is for two coders; pairwise below
    pairs = {(a, b): kappa for a, b, kappa in k.pairwise_cohen}
    close(pairs[0, 1], 0.5)
    close(pairs[0, 2], 0.75)
    close(pairs[1, 2], 0.25)


def test_tc2_minimum_coverage() -> None:
    rated = rate(TC2_SENTENCES, TC2_SPANS[1], theta=0.5)
    assert "".join(str(r.values[2]) for r in rated) == "00010000"
    k = agreement(TC2_SENTENCES, TC2_SPANS, coders=3, theta=0.5).codes[0].coefficients
    close(k.fleiss_kappa, 0.288889)
    close(k.krippendorff_alpha, 0.318519)


def test_tc3_presence_per_transcript_pooled_and_per_code() -> None:
    a = {1: "XY", 2: "X", 3: "YZ", 4: "XZ"}
    b = {1: "X", 2: "XZ", 3: "YZ", 4: "XZ"}
    units = [Unit(t, 0, 100) for t in (1, 2, 3, 4)]
    spans = {
        code: [{t: [(10, 20)] for t, codes in coder.items() if code in codes} for coder in (a, b)] for code in "XYZ"
    }
    result = agreement(units, spans, coders=2, unit="transcript")  # type: ignore[arg-type]
    pooled = result.pooled
    assert pooled.units == 12
    close(pooled.percent_agreement, 5 / 6)
    close(pooled.cohen_kappa, 23 / 35)
    close(pooled.krippendorff_alpha, 47 / 70)
    close(pooled.ac1, 25 / 37)
    by_code = {r.code_id: r.coefficients for r in result.codes}
    close(by_code["X"].cohen_kappa, 1)  # type: ignore[index]
    close(by_code["Y"].cohen_kappa, 0.5)  # type: ignore[index]
    close(by_code["Y"].krippendorff_alpha, 8 / 15)  # type: ignore[index]
    close(by_code["Z"].cohen_kappa, 0.5)  # type: ignore[index]


def test_tc4_overlapping_spans_and_degenerate_codes() -> None:
    spans = {
        1: [{1: [(0, 6), (4, 10)]}, {1: [(0, 10)]}],  # X
        2: [{1: [(5, 15)]}, {1: [(5, 12)]}],  # Y
        3: [{}, {}],  # Z: nobody
        4: [{1: [(0, 4)]}, {}],  # W: only A
    }
    result = agreement([Unit(1, 0, 20)], spans, coders=2, unit="character")
    x, y, z, w = (r.coefficients for r in result.codes)
    assert union([(0, 6), (4, 10)]) == [(0, 10)]
    for value in (x.percent_agreement, x.cohen_kappa, x.krippendorff_alpha, x.fleiss_kappa, x.ac1, x.pa_plus):
        assert value == 1
    close(y.percent_agreement, 17 / 20)
    close(y.cohen_kappa, 0.7)
    close(y.krippendorff_alpha, 274 / 391)
    close(y.pa_plus, 14 / 17)
    close(z.percent_agreement, 1)
    assert (z.cohen_kappa, z.krippendorff_alpha, z.fleiss_kappa) == (None, None, None)
    assert z.reason == "no variation: no coder applied the code to any unit"
    close(z.ac1, 1)
    close(w.percent_agreement, 0.8)
    assert w.cohen_kappa == 0
    close(w.krippendorff_alpha, -1 / 12)
    close(w.ac1, 0.756098)
    assert w.pa_plus == 0


# --- other behaviour -------------------------------------------------------------------------------------


def test_everyone_everything_is_null_with_its_reason() -> None:
    k = coefficients(Counter({(1, 1): 5}), coders=2)
    assert (k.cohen_kappa, k.krippendorff_alpha, k.fleiss_kappa) == (None, None, None)
    assert k.reason == "no variation: every coder applied the code to every unit"
    assert k.percent_agreement == 1


def test_no_pairable_unit_is_null_with_its_reason() -> None:
    k = coefficients(Counter({(1, None): 3, (None, 0): 2}), coders=2)
    assert k.units == 5
    assert k.percent_agreement is None and k.krippendorff_alpha is None
    assert k.reason == "no unit was rated by two coders"


def test_a_transcript_a_coder_has_not_coded_is_missing_not_zero() -> None:
    units = [Unit(1, 0, 10), Unit(2, 0, 10)]
    rated = rate(units, [{1: [(0, 5)]}, {2: [(0, 5)]}], coded=[{1, 2}, {2}])
    assert [r.values for r in rated] == [(1, None), (0, 1)]
    k = coefficients(Counter(r.values for r in rated), coders=2)
    assert k.fleiss_kappa is None  # needs complete data
    assert k.notes == ("Fleiss' κ needs every coder on every unit",)


def test_turn_units_and_coverage() -> None:
    turns = [Unit(1, 0, 40, "B (client)", 7), Unit(1, 45, 50, "I (interviewer)", 8)]
    rated = rate(turns, [{1: [(30, 46)]}, {1: [(0, 40)]}], unit="turn")
    assert [r.values for r in rated] == [(1, 1), (1, 0)]
    rated = rate(turns, [{1: [(30, 46)]}, {1: [(0, 40)]}], unit="turn", theta=0.25)
    assert [r.values for r in rated] == [(1, 1), (0, 0)]  # 10/40 ≥ 0.25; 1/5 < 0.25


def test_covered_counts_code_points_under_disjoint_spans() -> None:
    merged = union([(0, 3), (5, 9), (2, 4), (20, 25)])
    assert merged == [(0, 4), (5, 9), (20, 25)]
    assert covered(merged, 3, 22) == 1 + 4 + 2
    assert covered(merged, 10, 20) == 0


def test_disagreements_are_maximal_runs_with_who_did_what() -> None:
    units = [Unit(1, 10 * k, 10 * k + 10, "B", 100 + k // 4) for k in range(8)]
    rated = rate(units, TC2_SPANS[1])
    runs = disagreements(rated)
    # A 11010010, B 11011000, C 10010010: sentence 1 (C differs), sentence 4 (B), sentence 6 (B)
    assert [(r.start, r.end, r.applied, r.not_applied, r.turn_id) for r in runs] == [
        (10, 20, (0, 1), (2,), 100),
        (40, 50, (1,), (0, 2), 101),
        (60, 70, (0, 2), (1,), 101),
    ]
    joined = disagreements(rate([Unit(1, 0, 5), Unit(1, 5, 10), Unit(2, 0, 5)], [{1: [(0, 10)], 2: [(0, 5)]}, {}]))
    assert [(r.transcript_id, r.start, r.end, r.units) for r in joined] == [(1, 0, 10, 2), (2, 0, 5, 1)]


def test_character_runs_carry_their_length() -> None:
    result = agreement([Unit(1, 0, 20)], {1: [{1: [(0, 8)]}, {1: [(2, 13)]}]}, coders=2, unit="character")
    assert [(r.start, r.end, r.units) for r in result.codes[0].runs] == [(0, 2, 2), (8, 13, 5)]


def test_pooling_concatenates_units() -> None:
    spans = {1: [{1: [(0, 8)]}, {1: [(2, 13)]}], 2: [{1: [(0, 8)]}, {1: [(0, 8)]}]}
    pooled = agreement([Unit(1, 0, 20)], spans, coders=2, unit="character").pooled
    assert pooled.units == 40
    assert pooled.percent_agreement == Fraction(33, 40)


def test_bad_calls_are_refused() -> None:
    with pytest.raises(ValueError, match="at least two coders"):
        agreement([Unit(1, 0, 1)], {1: [{}]}, coders=1)
    with pytest.raises(ValueError, match="unknown unit"):
        rate([Unit(1, 0, 1)], [{}, {}], unit="paragraph")


# --- the oracles -----------------------------------------------------------------------------------------

complete_data = st.integers(min_value=2, max_value=4).flatmap(
    lambda coders: st.lists(st.tuples(*[st.integers(0, 1)] * coders), min_size=1, max_size=15)
)
missing_data = st.integers(min_value=2, max_value=4).flatmap(
    lambda coders: st.lists(st.tuples(*[st.sampled_from([0, 1, None])] * coders), min_size=1, max_size=15)
)


def _quiet(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@settings(max_examples=100, deadline=None)
@given(complete_data)
def test_cohen_and_fleiss_agree_with_scikit_learn_and_statsmodels(rows: list[tuple[int, ...]]) -> None:
    coders = len(rows[0])
    k = coefficients(Counter(rows), coders=coders)
    for a, b, kappa in k.pairwise_cohen:
        expected = _quiet(cohen_kappa_score, [r[a] for r in rows], [r[b] for r in rows])
        if kappa is None:
            assert math.isnan(expected) or len({r[a] for r in rows} | {r[b] for r in rows}) == 1
        else:
            assert float(kappa) == pytest.approx(expected, abs=1e-9)
    table = np.array([[r.count(0), r.count(1)] for r in rows])
    expected = _quiet(fleiss_kappa, table, method="fleiss")
    if k.fleiss_kappa is None:
        assert math.isnan(expected) or len({v for r in rows for v in r}) == 1
        assert k.reason is not None
    else:
        assert float(k.fleiss_kappa) == pytest.approx(expected, abs=1e-9)
    assert float(k.brennan_prediger) == pytest.approx(2 * float(k.percent_agreement) - 1)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(missing_data)
def test_alpha_agrees_with_krippendorff_missing_values_allowed(rows: list[tuple[int | None, ...]]) -> None:
    coders = len(rows[0])
    k = coefficients(Counter(rows), coders=coders)
    data = np.array([[np.nan if r[i] is None else r[i] for r in rows] for i in range(coders)], dtype=float)
    pairable = [r for r in rows if sum(v is not None for v in r) >= 2]
    values = {v for r in pairable for v in r if v is not None}
    if k.krippendorff_alpha is None:
        assert len(values) < 2
        assert k.reason is not None
        return
    expected = _quiet(krippendorff.alpha, reliability_data=data, level_of_measurement="nominal")
    assert float(k.krippendorff_alpha) == pytest.approx(expected, abs=1e-9)
