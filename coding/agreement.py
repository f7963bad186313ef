"""Inter-coder agreement over plain values (AGREEMENT.md): each code is its own binary variable, rated by
each coder on each unit (a sentence, a turn, a character, a transcript).

Nothing here touches the database, so that the arithmetic can be checked against the worked cases and the
reference implementations. Coefficients are exact fractions until they are shown; one with no meaning for
the data (no variation, too few coders) is ``None`` with a reason, never 0 or 1.

Definitions used (binary data, values 0 and 1; ``n_u`` the number of coders who rated unit ``u``):

* percent agreement — the mean over units rated by two or more coders of the share of agreeing coder pairs;
  unanimous agreement — the share of those units on which all agree;
* PA+ — positive specific agreement: agreeing pairs on 1 over all pairs that involve a 1;
* Cohen's κ (two coders) — (p_o − p_e)/(1 − p_e) with p_e from each coder's own marginals;
* Fleiss' κ (complete data) — the same ratio with p_e from the pooled marginals (Scott's π for two coders);
* Krippendorff's α (nominal) — 1 − D_o/D_e from the coincidence matrix, so missing values are allowed;
* Gwet's AC1 and Brennan–Prediger (two categories) — chance agreement 2π(1 − π) and 1/2.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations, pairwise
from typing import Any

UNITS = ("sentence", "turn", "character", "transcript")

Value = int | None  # 1 coded, 0 not coded, None: the coder did not code this transcript
Pattern = tuple[Value, ...]
Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of a transcript that each coder rates: a sentence, a turn, the speech for characters (cut
    further where codings begin and end) or the whole transcript."""

    transcript_id: int
    start: int
    end: int
    speaker: str = ""
    turn_id: int = 0


@dataclass(frozen=True, slots=True)
class Rated:
    """Units in a row with the same ratings: one sentence, turn or transcript (weight 1), or a stretch of
    ``weight`` characters."""

    transcript_id: int
    start: int
    end: int
    speaker: str
    weight: int
    values: Pattern
    index: int  # the unit's place among all units (consecutive units have consecutive places)
    turn_id: int = 0


@dataclass(frozen=True, slots=True)
class Coefficients:
    """Agreement on one code (or all codes pooled). ``None`` means not defined for these data."""

    units: int
    percent_agreement: Fraction | None
    unanimous_agreement: Fraction | None
    pa_plus: Fraction | None
    cohen_kappa: Fraction | None
    fleiss_kappa: Fraction | None
    krippendorff_alpha: Fraction | None
    ac1: Fraction | None
    brennan_prediger: Fraction | None
    pairwise_cohen: tuple[tuple[int, int, Fraction | None], ...] = ()
    reason: str | None = None
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The coefficients as JSON numbers (``None`` stays null)."""
        return {
            "units": self.units,
            "percent_agreement": _float(self.percent_agreement),
            "unanimous_agreement": _float(self.unanimous_agreement),
            "pa_plus": _float(self.pa_plus),
            "cohen_kappa": _float(self.cohen_kappa),
            "fleiss_kappa": _float(self.fleiss_kappa),
            "krippendorff_alpha": _float(self.krippendorff_alpha),
            "ac1": _float(self.ac1),
            "brennan_prediger": _float(self.brennan_prediger),
            "reason": self.reason,
        }


def _float(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 6)


# --- spans → ratings -------------------------------------------------------------------------------------


def union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of ``[start, end)`` spans as sorted, disjoint spans (overlapping or touching spans merge,
    duplicates count once)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered(merged: Spans, start: int, end: int) -> int:
    """How many code points of ``[start, end)`` the disjoint, sorted spans ``merged`` cover."""
    total = 0
    i = max(bisect.bisect_right(merged, (start, start)) - 1, 0)
    while i < len(merged) and merged[i][0] < end:
        left, right = max(merged[i][0], start), min(merged[i][1], end)
        total += max(right - left, 0)
        i += 1
    return total


def _applies(merged: Spans, unit: Unit, theta: float | None) -> int:
    """1 when the coder's spans overlap the unit (or cover at least ``theta`` of it), else 0."""
    length = unit.end - unit.start
    cover = covered(merged, unit.start, unit.end)
    if theta is None or length <= 0:
        return 1 if cover > 0 else 0
    return 1 if Fraction(cover, length) >= Fraction(theta).limit_denominator(10_000) else 0


def rate(
    units: Sequence[Unit],
    spans: Sequence[Mapping[int, Spans]],
    *,
    unit: str = "sentence",
    theta: float | None = None,
    coded: Sequence[Iterable[int]] | None = None,
) -> list[Rated]:
    """Each coder's rating of each unit for one code.

    ``spans[i]`` holds coder ``i``'s spans of the code per transcript; ``coded[i]`` the transcripts coder ``i``
    has coded at all (missing there otherwise; by default every transcript of the units). For ``character``
    the units are the stretches of text to compare (e.g. the turns' speech), cut where any coder's spans
    begin or end; ``theta`` (minimum coverage) applies to sentences and turns only.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    merged = [{t: union(s) for t, s in by_transcript.items()} for by_transcript in spans]
    seen = [None if coded is None else set(c) for c in (coded or [None] * len(spans))]  # type: ignore[list-item]
    rated: list[Rated] = []
    for u in units:
        present = [s is None or u.transcript_id in s for s in seen]
        if unit != "character":
            threshold = theta if unit in ("sentence", "turn") else None
            values = tuple(
                _applies(m.get(u.transcript_id, ()), u, threshold) if here else None
                for m, here in zip(merged, present, strict=True)
            )
            rated.append(Rated(u.transcript_id, u.start, u.end, u.speaker, 1, values, len(rated), u.turn_id))
            continue
        cuts = {u.start, u.end}
        for m in merged:
            for left, right in m.get(u.transcript_id, ()):
                cuts.update(x for x in (left, right) if u.start < x < u.end)
        edges = sorted(cuts)
        for left, right in pairwise(edges):
            values = tuple(
                (1 if covered(m.get(u.transcript_id, ()), left, right) else 0) if here else None
                for m, here in zip(merged, present, strict=True)
            )
            previous = rated[-1] if rated else None
            if (
                previous
                and previous.values == values
                and previous.transcript_id == u.transcript_id
                and previous.end == left
                and previous.speaker == u.speaker
            ):
                weight = previous.weight + right - left
                rated[-1] = Rated(
                    u.transcript_id, previous.start, right, u.speaker, weight, values, previous.index, previous.turn_id
                )
                continue
            rated.append(Rated(u.transcript_id, left, right, u.speaker, right - left, values, len(rated), u.turn_id))
    return rated


# --- coefficients ----------------------------------------------------------------------------------------


def patterns(rated: Iterable[Rated]) -> Counter[Pattern]:
    """How many units carry each pattern of ratings (the weight of a stretch of characters counts)."""
    counts: Counter[Pattern] = Counter()
    for r in rated:
        counts[r.values] += r.weight
    return counts


def _pairs(n: int) -> int:
    return n * (n - 1)


def coefficients(counts: Mapping[Pattern, int], *, coders: int) -> Coefficients:
    """All coefficients for one binary variable from its weighted patterns of ratings by ``coders`` coders."""
    units = sum(counts.values())
    pairable = {p: w for p, w in counts.items() if sum(v is not None for v in p) >= 2}
    rated_units = sum(pairable.values())
    ones = sum(w * p.count(1) for p, w in pairable.items())
    zeros = sum(w * p.count(0) for p, w in pairable.items())
    if not rated_units:
        none = "no unit was rated by two coders"
        return Coefficients(units, None, None, None, None, None, None, None, None, reason=none)

    # observed agreement: the mean share of agreeing pairs per unit
    agree = sum(
        (
            Fraction(w * (_pairs(p.count(1)) + _pairs(p.count(0))), _pairs(p.count(1) + p.count(0)))
            for p, w in pairable.items()
        ),
        Fraction(0),
    )
    p_o = agree / rated_units
    unanimous = Fraction(sum(w for p, w in pairable.items() if not (1 in p and 0 in p)), rated_units)
    positive = sum(w * p.count(1) * (p.count(1) + p.count(0) - 1) for p, w in pairable.items())
    pa_plus = Fraction(sum(w * _pairs(p.count(1)) for p, w in pairable.items()), positive) if positive else None

    reason = None
    if ones == 0:
        reason = "no variation: no coder applied the code to any unit"
    elif zeros == 0:
        reason = "no variation: every coder applied the code to every unit"

    alpha: Fraction | None = None
    if reason is None:
        # the coincidences of 0 with 1: each unit's ordered pairs of differing values over (its values − 1)
        disagreeing = sum(
            (Fraction(w * p.count(1) * p.count(0), p.count(1) + p.count(0) - 1) for p, w in pairable.items()),
            Fraction(0),
        )
        alpha = 1 - (ones + zeros - 1) * disagreeing / (ones * zeros)

    complete = all(None not in p for p in counts)
    fleiss: Fraction | None = None
    if complete and reason is None:
        p_one = Fraction(ones, ones + zeros)
        p_e = p_one * p_one + (1 - p_one) * (1 - p_one)
        fleiss = (p_o - p_e) / (1 - p_e)

    pairwise = tuple((a, b, _cohen(counts, a, b)) for a, b in combinations(range(coders), 2))
    cohen = pairwise[0][2] if coders == 2 else None

    # Gwet: the chance of a 1 is the mean share of 1s per unit rated by anyone
    rated_any = {p: w for p, w in counts.items() if any(v is not None for v in p)}
    weight_any = sum(rated_any.values())
    pi = sum((Fraction(w * p.count(1), p.count(1) + p.count(0)) for p, w in rated_any.items()), Fraction(0))
    pi /= weight_any
    chance = 2 * pi * (1 - pi)
    ac1 = (p_o - chance) / (1 - chance)
    brennan_prediger = 2 * p_o - 1

    notes = () if complete else ("Fleiss' κ needs every coder on every unit",)
    return Coefficients(
        units=units,
        percent_agreement=p_o,
        unanimous_agreement=unanimous,
        pa_plus=pa_plus,
        cohen_kappa=cohen,
        fleiss_kappa=fleiss,
        krippendorff_alpha=alpha,
        ac1=ac1,
        brennan_prediger=brennan_prediger,
        pairwise_cohen=pairwise,
        reason=reason,
        notes=notes,
    )


def _cohen(counts: Mapping[Pattern, int], a: int, b: int) -> Fraction | None:
    """Cohen's κ of coders ``a`` and ``b`` over the units both rated; None without variation."""
    table: Counter[tuple[Value, Value]] = Counter()
    for p, w in counts.items():
        if p[a] is not None and p[b] is not None:
            table[p[a], p[b]] += w
    n = sum(table.values())
    if not n:
        return None
    p_o = Fraction(table[1, 1] + table[0, 0], n)
    a_one = Fraction(table[1, 1] + table[1, 0], n)
    b_one = Fraction(table[1, 1] + table[0, 1], n)
    p_e = a_one * b_one + (1 - a_one) * (1 - b_one)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


# --- disagreements ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """A maximal run of consecutive units of one transcript on which the coders differ."""

    transcript_id: int
    start: int
    end: int
    speakers: tuple[str, ...]
    units: int
    applied: tuple[int, ...]  # the coders (by index) who applied the code somewhere in the run
    not_applied: tuple[int, ...]  # the coders who rated the run and applied it nowhere
    turn_id: int = 0  # the turn where the run begins


def _differs(values: Pattern) -> bool:
    return 1 in values and 0 in values


def disagreements(rated: Sequence[Rated]) -> list[Run]:
    """The maximal runs of consecutive units (in one transcript) where the coders' ratings differ."""
    runs: list[list[Rated]] = []
    previous: Rated | None = None
    for r in rated:
        if not _differs(r.values):
            previous = None
            continue
        if previous is not None and previous.transcript_id == r.transcript_id and previous.index + 1 == r.index:
            runs[-1].append(r)
        else:
            runs.append([r])
        previous = r
    found = []
    for run in runs:
        coders = range(len(run[0].values))
        applied = tuple(i for i in coders if any(r.values[i] == 1 for r in run))
        rated_by = tuple(i for i in coders if any(r.values[i] is not None for r in run))
        speakers = tuple(dict.fromkeys(r.speaker for r in run if r.speaker))
        found.append(
            Run(
                transcript_id=run[0].transcript_id,
                start=run[0].start,
                end=run[-1].end,
                speakers=speakers,
                units=sum(r.weight for r in run),
                applied=applied,
                not_applied=tuple(i for i in rated_by if i not in applied),
                turn_id=run[0].turn_id,
            )
        )
    return found


# --- per code and pooled ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeResult:
    code_id: int
    coefficients: Coefficients
    runs: list[Run]


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement per code, and over all codes pooled (their units concatenated)."""

    coders: int
    unit: str
    codes: list[CodeResult]
    pooled: Coefficients


def agreement(
    units: Sequence[Unit],
    spans: Mapping[int, Sequence[Mapping[int, Spans]]],
    *,
    coders: int,
    unit: str = "sentence",
    theta: float | None = None,
    coded: Sequence[Iterable[int]] | None = None,
) -> Agreement:
    """Agreement on each code of ``spans`` (code → per coder → per transcript → spans) over ``units``, and on
    all codes pooled by concatenating their units (never by averaging coefficients)."""
    if coders < 2:
        raise ValueError("agreement needs at least two coders")
    pooled: Counter[Pattern] = Counter()
    results = []
    frozen = [set(c) for c in coded] if coded is not None else None
    for code_id, by_coder in spans.items():
        if len(by_coder) != coders:
            raise ValueError(f"code {code_id}: spans for {len(by_coder)} coders, expected {coders}")
        rated = rate(units, by_coder, unit=unit, theta=theta, coded=frozen)
        counts = patterns(rated)
        pooled.update(counts)
        results.append(CodeResult(code_id, coefficients(counts, coders=coders), disagreements(rated)))
    return Agreement(coders, unit, results, coefficients(pooled, coders=coders))
