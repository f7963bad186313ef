"""Agreement rounds: a lead or owner names the coders to compare, the codes (all by default), perhaps the
transcripts, and the unit; the coders code on their own while the round is open, and see each other's
codings for it only once a lead or owner closes it (AGREEMENT.md rule 7).

Coefficients are opt-in per project: they are offered unless the project's analysis approach is reflexive
TA, whose authors reject agreement statistics. A reflexive team still compares its coding side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from coding.agreement_data import Comparison, checked_unit, compare, ordered_codes, transcript_labels
from coding.agreement_models import AgreementRound
from coding.errors import InvalidInput, NotFound
from transcripts.audit import record
from transcripts.members import may_code, may_lead, require, role_of
from transcripts.models import Member, Project, User, utcnow

NO_STATISTICS = (
    "No agreement coefficients: this project follows reflexive thematic analysis, where coding is the "
    "researcher's interpretation, not a measurement to be checked for reliability (Braun & Clarke)."
)


def statistics_enabled(project: Project) -> bool:
    """Whether the project shows agreement coefficients: every analysis approach but reflexive TA."""
    return project.analysis_approach != "reflexive"


def rounds(session: Session, *, project_id: int) -> list[AgreementRound]:
    """The project's rounds, newest first."""
    return list(
        session.exec(
            select(AgreementRound)
            .where(AgreementRound.project_id == project_id)
            .order_by(col(AgreementRound.created_at).desc(), col(AgreementRound.id).desc())
        )
    )


def get_round(session: Session, *, project_id: int, round_id: int) -> AgreementRound:
    found = session.get(AgreementRound, round_id)
    if found is None or found.project_id != project_id:
        raise NotFound(f"no agreement round with id {round_id} in this project")
    return found


def _state(found: AgreementRound) -> dict[str, object]:
    return {
        "name": found.name,
        "coder_ids": found.coder_ids,
        "code_ids": found.code_ids,
        "transcript_ids": found.transcript_ids,
        "unit": found.unit,
        "theta": found.theta,
        "status": found.status,
    }


def _checked_coders(session: Session, project_id: int, coder_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(coder_ids))
    if len(ids) < 2:
        raise InvalidInput("choose at least two coders to compare")
    roles = dict(
        session.exec(
            select(Member.user_id, Member.role).where(Member.project_id == project_id, col(Member.user_id).in_(ids))
        ).all()
    )
    strangers = [str(i) for i in ids if not may_code(roles.get(i))]
    if strangers:
        raise InvalidInput(f"user {', '.join(strangers)} is not a coder of this project")
    return ids


def start_round(
    session: Session,
    *,
    project: Project,
    name: str,
    coder_ids: Sequence[int],
    code_ids: Sequence[int] | None = None,
    transcript_ids: Sequence[int] | None = None,
    unit: str = "sentence",
    theta: float | None = None,
    by: User,
) -> AgreementRound:
    """Start a round (only a lead or owner may). No codes means every code; no transcripts means those every coder
    has coded when the round is looked at. Commits, with an audit event."""
    project_id: int = project.id  # type: ignore[assignment]
    require(session, project_id=project_id, user=by, role="lead", doing="start agreement rounds")
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a round needs a name of 1 to 200 characters")
    unit, theta = checked_unit(unit, theta)
    coders = _checked_coders(session, project_id, coder_ids)
    codes = list(dict.fromkeys(code_ids)) if code_ids else None
    if codes is not None:
        known = {c.id for c in ordered_codes(session, project_id=project_id)}
        missing = [str(i) for i in codes if i not in known]
        if missing:
            raise InvalidInput(f"no code with id {', '.join(missing)} in this project")
    transcripts = list(dict.fromkeys(transcript_ids)) if transcript_ids else None
    if transcripts is not None:
        transcript_labels(session, project_id=project_id, transcript_ids=transcripts)
    found = AgreementRound(
        project_id=project_id,
        name=name,
        coder_ids=coders,
        code_ids=codes,
        transcript_ids=transcripts,
        unit=unit,
        theta=theta,
        created_by_id=by.id,
    )
    session.add(found)
    session.flush()
    record(
        session,
        project_id=project_id,
        user_id=by.id,
        action="agreement.start",
        entity="agreementround",
        entity_id=found.id,
        after=_state(found),
    )
    session.commit()
    return found


def close_round(session: Session, *, project: Project, round_id: int, by: User) -> AgreementRound:
    """Close a round (only a lead or owner may): from now on its coders see each other's codings. Commits."""
    project_id: int = project.id  # type: ignore[assignment]
    require(session, project_id=project_id, user=by, role="lead", doing="close agreement rounds")
    found = get_round(session, project_id=project_id, round_id=round_id)
    if found.status == "closed":
        raise InvalidInput(f"the round {found.name!r} is closed already")
    before = _state(found)
    found.status = "closed"
    found.closed_at = utcnow()
    record(
        session,
        project_id=project_id,
        user_id=by.id,
        action="agreement.close",
        entity="agreementround",
        entity_id=found.id,
        before=before,
        after=_state(found),
    )
    session.commit()
    return found


def sees_everyone(session: Session, *, found: AgreementRound, user: User) -> bool:
    """Whether the person sees every coder's codings for the round: once it is closed, or as a lead or owner."""
    return found.status == "closed" or may_lead(role_of(session, project_id=found.project_id, user=user))


def visible_coders(session: Session, *, found: AgreementRound, user: User) -> list[int]:
    """The coders whose codings for the round the person may see: all of them once it is closed (or for a
    lead or owner); while it is open a coder sees only their own, anyone else none."""
    if sees_everyone(session, found=found, user=user):
        return list(found.coder_ids)
    return [user.id] if user.id in found.coder_ids else []


def round_comparison(session: Session, *, found: AgreementRound) -> Comparison:
    """The round's agreement table and disagreement list (who may see them is the caller's question:
    ``sees_everyone``)."""
    return compare(
        session,
        project_id=found.project_id,
        coder_ids=found.coder_ids,
        code_ids=found.code_ids,
        transcript_ids=found.transcript_ids,
        unit=found.unit,
        theta=found.theta,
    )
