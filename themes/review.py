"""Reviewing themes, level 1 (phase 4): every coded extract of a theme read against it, and a verdict on each —
it fits, it does not fit, or it belongs in another theme ("move to …").

A theme's extracts are the codings of its member codes and of its live subthemes' codes (a code's subcodes
only when they are members themselves, as in the frequency table). A verdict is the team's judgement, kept
with the theme; "move" records where the extract belongs and changes nothing else: moving the material is
a separate, explicit step (giving the extract's code to the other theme, ``themes.themes.add_codes``), since
a code brings all its extracts with it.

``review_extract`` and ``clear_review`` are user actions: each commits once, with an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from coding.extracts import Extract, ExtractFilters, extracts
from coding.models import Coding
from themes.errors import ThemeRefused
from themes.models import VERDICTS, ExtractReview, Theme
from themes.tree import DISCARDED, ThemeNode, flatten, get_theme, theme_extract_ids, theme_tree
from transcripts.audit import record
from transcripts.models import User, utcnow

NOTE_LIMIT = 2_000
VERDICT_LABELS = {"fits": "fits", "does_not_fit": "does not fit", "move": "move to another theme"}


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """How a theme's extracts stand: how many fit, do not, are to move, and are not reviewed yet."""

    fits: int
    does_not_fit: int
    move: int
    open: int

    def __str__(self) -> str:
        parts = [f"{self.fits} fit", f"{self.does_not_fit} do not", f"{self.move} to move"]
        if self.open:
            parts.append(f"{self.open} not reviewed yet")
        return ", ".join(parts)


def _node(session: Session, theme: Theme) -> ThemeNode | None:
    """The theme in the tree: among the live themes, or (for a discarded one) among all."""
    for include_discarded in (False, True):
        for node in flatten(theme_tree(session, project_id=theme.project_id, include_discarded=include_discarded)):
            if node.theme.id == theme.id:
                return node
    return None


def theme_code_ids_with_subthemes(session: Session, *, theme_id: int) -> list[int]:
    """The codes whose codings are the theme's extracts: its own member codes, then its live subthemes'
    (a discarded theme's subthemes are discarded with it, so they count for it)."""
    theme = get_theme(session, theme_id=theme_id)
    node = _node(session, theme)
    return node.all_code_ids if node else []


def theme_extracts(session: Session, *, theme_id: int) -> list[Extract]:
    """All coded extracts of a theme, in study order (dyad, role, session, place in the text)."""
    theme = get_theme(session, theme_id=theme_id)
    code_ids = theme_code_ids_with_subthemes(session, theme_id=theme_id)
    if not code_ids:
        return []
    filters = ExtractFilters(code_ids=tuple(code_ids), include_subcodes=False)
    return extracts(session, project_id=theme.project_id, filters=filters)


def chosen_extracts(session: Session, *, theme_id: int) -> list[Extract]:
    """The extracts chosen to illustrate a theme, in the team's order (whatever codes they carry now)."""
    theme = get_theme(session, theme_id=theme_id)
    chosen = theme_extract_ids(session, theme_id=theme_id)
    if not chosen:
        return []
    code_ids = sorted(set(session.exec(select(Coding.code_id).where(col(Coding.id).in_(chosen)))))
    filters = ExtractFilters(code_ids=tuple(code_ids), include_subcodes=False)
    found = {e.coding_id: e for e in extracts(session, project_id=theme.project_id, filters=filters)}
    return [found[coding_id] for coding_id in chosen if coding_id in found]


def reviews(session: Session, *, theme_id: int) -> dict[int, ExtractReview]:
    """The theme's level-1 verdicts, by coding id."""
    rows = session.exec(select(ExtractReview).where(ExtractReview.theme_id == theme_id))
    return {row.coding_id: row for row in rows}


def summarise(found: list[Extract], verdicts: dict[int, ExtractReview]) -> ReviewSummary:
    """Where the review of these extracts stands (verdicts on codings no longer in the theme are left out)."""
    counts = dict.fromkeys(VERDICTS, 0)
    open_ = 0
    for coding_id in dict.fromkeys(e.coding_id for e in found):
        review = verdicts.get(coding_id)
        if review is None:
            open_ += 1
        else:
            counts[review.verdict] += 1
    return ReviewSummary(counts["fits"], counts["does_not_fit"], counts["move"], open_)


def _state(review: ExtractReview) -> dict[str, object]:
    return {
        "theme_id": review.theme_id,
        "coding_id": review.coding_id,
        "verdict": review.verdict,
        "target_theme_id": review.target_theme_id,
        "note": review.note,
    }


def _checked_extract(session: Session, theme: Theme, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None or coding.project_id != theme.project_id:
        raise ThemeRefused(f"no coded extract with id {coding_id} in this project")
    if coding.code_id not in theme_code_ids_with_subthemes(session, theme_id=theme.id or 0):
        raise ThemeRefused(f"extract {coding_id} is not among the extracts of {theme.name!r}")
    return coding


def _checked_target(session: Session, theme: Theme, verdict: str, target_theme_id: int | None) -> int | None:
    if verdict != "move":
        return None
    if target_theme_id is None:
        raise ThemeRefused("choose the theme the extract should move to")
    target = session.get(Theme, target_theme_id)
    if target is None or target.project_id != theme.project_id:
        raise ThemeRefused(f"no theme with id {target_theme_id} in this project to move the extract to")
    if target.id == theme.id:
        raise ThemeRefused(f"the extract is in {theme.name!r} already: choose another theme to move it to")
    if target.status == DISCARDED:
        raise ThemeRefused(f"{target.name!r} is discarded: choose a theme that is not")
    return target_theme_id


def review_extract(
    session: Session,
    *,
    theme_id: int,
    coding_id: int,
    verdict: str,
    user: User,
    target_theme_id: int | None = None,
    note: str = "",
) -> ExtractReview:
    """Say whether an extract fits its theme (``fits``), does not (``does_not_fit``), or belongs in another
    theme (``move``, with ``target_theme_id``). A new verdict replaces the earlier one."""
    theme = get_theme(session, theme_id=theme_id)
    if verdict not in VERDICTS:
        raise ThemeRefused(f"unknown verdict {verdict[:20]!r}: an extract fits, does not fit, or moves")
    _checked_extract(session, theme, coding_id)
    target = _checked_target(session, theme, verdict, target_theme_id)
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_LIMIT:
        raise ThemeRefused(f"a review note has at most {NOTE_LIMIT:,} characters")
    review = session.exec(
        select(ExtractReview).where(ExtractReview.theme_id == theme_id, ExtractReview.coding_id == coding_id)
    ).first()
    before = _state(review) if review else None
    if review is None:
        review = ExtractReview(theme_id=theme_id, coding_id=coding_id, verdict=verdict)
    review.verdict, review.target_theme_id, review.note = verdict, target, note
    review.reviewer_id, review.reviewed_at = user.id, utcnow()
    session.add(review)
    session.flush()
    record(
        session,
        project_id=theme.project_id,
        user_id=user.id,
        action="theme.extract_review",
        entity="extractreview",
        entity_id=review.id,
        before=before,
        after=_state(review),
    )
    session.commit()
    return review


def clear_review(session: Session, *, theme_id: int, coding_id: int, user: User) -> None:
    """Take back the verdict on an extract (it is then not reviewed yet)."""
    theme = get_theme(session, theme_id=theme_id)
    review = session.exec(
        select(ExtractReview).where(ExtractReview.theme_id == theme_id, ExtractReview.coding_id == coding_id)
    ).first()
    if review is None:
        raise ThemeRefused(f"extract {coding_id} has no verdict in {theme.name!r}")
    record(
        session,
        project_id=theme.project_id,
        user_id=user.id,
        action="theme.extract_review_clear",
        entity="extractreview",
        entity_id=review.id,
        before=_state(review),
    )
    session.delete(review)
    session.commit()
