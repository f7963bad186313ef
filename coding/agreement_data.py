"""Agreement from the database: the units (sentences, turns, the speech's characters, transcripts) and the
coders' codings of the chosen codes, loaded in a handful of queries and handed to ``coding.agreement``, and
the disagreement list with the passages where the coders differ."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coding.agreement import UNITS, Agreement, Coefficients, Run, Unit, agreement
from coding.errors import InvalidInput
from coding.models import Code, Coding
from transcripts.models import Dyad, Participant, Sentence, Transcript, Turn, User

PASSAGE_CHARACTERS = 600  # a passage in the disagreement list is cut here (the comparison view shows it all)


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of units where the coders differ, with what each did and the words themselves."""

    code: Code
    transcript_id: int
    transcript: str
    turn_id: int
    start: int
    end: int
    speakers: tuple[str, ...]
    units: int
    applied: tuple[str, ...]
    not_applied: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class CodeRow:
    code: Code
    coefficients: Coefficients


@dataclass(frozen=True, slots=True)
class Comparison:
    """Agreement of some coders on some codes over the transcripts in scope."""

    coders: list[Coder]
    unit: str
    theta: float | None
    transcripts: dict[int, str]  # in scope: id → label
    rows: list[CodeRow]
    pooled: Coefficients
    passages: list[Passage]

    def pair_names(self, a: int, b: int) -> str:
        return f"{self.coders[a].name} – {self.coders[b].name}"


def checked_unit(unit: str, theta: float | None) -> tuple[str, float | None]:
    """The unit and minimum coverage, or ``InvalidInput`` saying what is accepted."""
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    if theta is not None:
        if unit not in ("sentence", "turn"):
            raise InvalidInput(f"a minimum coverage (theta) applies to sentences and turns, not to {unit} units")
        if not 0 < theta <= 1:
            raise InvalidInput(f"the minimum coverage (theta) must lie above 0 and at most 1, not {theta}")
    return unit, theta


def ordered_codes(session: Session, *, project_id: int) -> list[Code]:
    """The project's codes in codebook order (depth first, each level by position)."""
    codes = list(session.exec(select(Code).where(Code.project_id == project_id)))
    known = {c.id for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id if code.parent_id in known else None].append(code)
    found: list[Code] = []
    stack = sorted(children[None], key=lambda c: (c.position, c.id or 0), reverse=True)
    while stack:
        code = stack.pop()
        found.append(code)
        stack.extend(sorted(children.get(code.id, []), key=lambda c: (c.position, c.id or 0), reverse=True))
    return found


def coders_by_id(session: Session, coder_ids: Sequence[int]) -> list[Coder]:
    """The coders in the order given; ``InvalidInput`` for an id nobody has."""
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(coder_ids))).all())
    missing = [str(i) for i in coder_ids if i not in names]
    if missing:
        raise InvalidInput(f"no coder with id {', '.join(missing)}")
    return [Coder(i, names[i]) for i in coder_ids]


def coded_transcripts(session: Session, *, project_id: int, coder_ids: Sequence[int]) -> dict[int, set[int]]:
    """For each coder the transcripts in which they have at least one coding (of any code)."""
    rows = session.exec(
        select(Coding.coder_id, Coding.transcript_id)
        .where(Coding.project_id == project_id, col(Coding.coder_id).in_(coder_ids))
        .distinct()
    ).all()
    found: dict[int, set[int]] = {i: set() for i in coder_ids}
    for coder_id, transcript_id in rows:
        found[coder_id].add(transcript_id)  # type: ignore[index]
    return found


def transcript_labels(session: Session, *, project_id: int, transcript_ids: Sequence[int] | None) -> dict[int, str]:
    """Labels ("Dyad 2 · client C2 · session 3") of the project's transcripts (those named, or all), in study
    order; ``InvalidInput`` for a named transcript the project does not hold."""
    query = (
        sa_select(Transcript.id, Dyad.label, Participant.role, Participant.pseudonym, Transcript.session)  # type: ignore[call-overload]
        .join(Participant, col(Participant.id) == Transcript.participant_id)
        .join(Dyad, col(Dyad.id) == Participant.dyad_id)
        .where(Transcript.project_id == project_id)
    )
    if transcript_ids is not None:
        query = query.where(col(Transcript.id).in_(transcript_ids))
    rows = session.exec(query.order_by(col(Transcript.id))).all()
    labels = {t: f"{dyad} · {role} {pseudonym} · session {number}" for t, dyad, role, pseudonym, number in rows}
    if transcript_ids is not None:
        missing = [str(t) for t in transcript_ids if t not in labels]
        if missing:
            raise InvalidInput(f"no transcript with id {', '.join(missing)} in this project")
    return labels


def _speaker(label: str, role: str) -> str:
    return label if not label or label == role else f"{label} ({role})"


def load_units(session: Session, *, transcript_ids: Sequence[int], unit: str) -> list[Unit]:
    """The units of the transcripts in their order: sentences or turns (with their speaker), the turns'
    speech for characters (labels and time stamps are not data), or each transcript whole."""
    if not transcript_ids:
        return []
    order = {t: i for i, t in enumerate(transcript_ids)}
    if unit == "transcript":
        rows = session.exec(
            select(Transcript.id, func.length(Transcript.text)).where(col(Transcript.id).in_(transcript_ids))
        ).all()
        return sorted((Unit(t, 0, int(n)) for t, n in rows), key=lambda u: order[u.transcript_id])  # type: ignore[arg-type]
    if unit == "sentence":
        found = session.exec(
            sa_select(Sentence.transcript_id, Sentence.start, Sentence.end, Turn.speaker, Turn.role, Turn.id)  # type: ignore[call-overload]
            .join(Turn, col(Turn.id) == Sentence.turn_id)
            .where(col(Sentence.transcript_id).in_(transcript_ids))
        ).all()
    else:
        found = session.exec(
            sa_select(Turn.transcript_id, Turn.start, Turn.end, Turn.speaker, Turn.role, Turn.id).where(  # type: ignore[call-overload]
                col(Turn.transcript_id).in_(transcript_ids), Turn.end > Turn.start
            )
        ).all()
    units = [Unit(t, s, e, _speaker(label, role), turn_id or 0) for t, s, e, label, role, turn_id in found]
    return sorted(units, key=lambda u: (order[u.transcript_id], u.start, u.end))


def load_spans(
    session: Session,
    *,
    project_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int],
    transcript_ids: Sequence[int],
) -> dict[int, list[dict[int, list[tuple[int, int]]]]]:
    """code → per coder (in ``coder_ids`` order) → transcript → spans, in one query."""
    spans: dict[int, list[dict[int, list[tuple[int, int]]]]] = {
        code_id: [defaultdict(list) for _ in coder_ids] for code_id in code_ids
    }
    if not transcript_ids or not code_ids:
        return spans
    place = {coder_id: i for i, coder_id in enumerate(coder_ids)}
    rows = session.exec(
        sa_select(Coding.code_id, Coding.coder_id, Coding.transcript_id, Coding.start, Coding.end).where(  # type: ignore[call-overload]
            Coding.project_id == project_id,
            col(Coding.coder_id).in_(coder_ids),
            col(Coding.code_id).in_(code_ids),
            col(Coding.transcript_id).in_(transcript_ids),
        )
    ).all()
    for code_id, coder_id, transcript_id, start, end in rows:
        spans[code_id][place[coder_id]][transcript_id].append((start, end))
    return spans


def compare(
    session: Session,
    *,
    project_id: int,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None = None,
    transcript_ids: Sequence[int] | None = None,
    unit: str = "sentence",
    theta: float | None = None,
) -> Comparison:
    """Agreement of the coders on each code (all codes of the codebook unless named) and pooled, over the
    transcripts named or else those every coder has coded, with the passages where they differ."""
    unit, theta = checked_unit(unit, theta)
    if len(set(coder_ids)) < 2 or len(set(coder_ids)) != len(coder_ids):
        raise InvalidInput("agreement compares two or more different coders")
    coders = coders_by_id(session, coder_ids)
    codebook = ordered_codes(session, project_id=project_id)
    if code_ids is not None:
        known = {c.id for c in codebook}
        missing = [str(i) for i in code_ids if i not in known]
        if missing:
            raise InvalidInput(f"no code with id {', '.join(missing)} in this project")
        codebook = [c for c in codebook if c.id in set(code_ids)]
    if not codebook:
        raise InvalidInput("there are no codes to compare; add codes to the codebook first")
    coded = coded_transcripts(session, project_id=project_id, coder_ids=coder_ids)
    if transcript_ids is None:
        shared = set.intersection(*(coded[i] for i in coder_ids))
        labels = transcript_labels(session, project_id=project_id, transcript_ids=None)
        labels = {t: label for t, label in labels.items() if t in shared}
    else:
        labels = transcript_labels(session, project_id=project_id, transcript_ids=transcript_ids)
    scope = list(labels)
    units = load_units(session, transcript_ids=scope, unit=unit)
    ids = [c.id for c in codebook if c.id is not None]
    spans = load_spans(session, project_id=project_id, coder_ids=coder_ids, code_ids=ids, transcript_ids=scope)
    result = agreement(units, spans, coders=len(coders), unit=unit, theta=theta, coded=[coded[i] for i in coder_ids])
    return Comparison(
        coders=coders,
        unit=unit,
        theta=theta,
        transcripts=labels,
        rows=[CodeRow(code, r.coefficients) for code, r in zip(codebook, result.codes, strict=True)],
        pooled=result.pooled,
        passages=_passages(session, result, codebook, coders, labels, unit),
    )


def _passages(
    session: Session, result: Agreement, codes: list[Code], coders: list[Coder], labels: dict[int, str], unit: str
) -> list[Passage]:
    runs: list[tuple[Code, Run]] = [(code, run) for code, r in zip(codes, result.codes, strict=True) for run in r.runs]
    texts: dict[int, str] = {}
    wanted = {run.transcript_id for _, run in runs}
    if wanted and unit != "transcript":
        texts = dict(session.exec(select(Transcript.id, Transcript.text).where(col(Transcript.id).in_(wanted))).all())  # type: ignore[arg-type]
    passages = []
    for code, run in runs:
        text = texts.get(run.transcript_id, "")[run.start : run.end]
        if len(text) > PASSAGE_CHARACTERS:
            text = text[: PASSAGE_CHARACTERS - 1] + "…"
        passages.append(
            Passage(
                code=code,
                transcript_id=run.transcript_id,
                transcript=labels.get(run.transcript_id, ""),
                turn_id=run.turn_id,
                start=run.start,
                end=run.end,
                speakers=run.speakers,
                units=run.units,
                applied=tuple(coders[i].name for i in run.applied),
                not_applied=tuple(coders[i].name for i in run.not_applied),
                text=text,
            )
        )
    return passages
