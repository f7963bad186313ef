"""What the audit log's events mention, read in a few batched queries per batch of events: the names of codes,
themes, transcripts, dyads and participants, whether codings, rounds and memos still exist, and the events
an undo undid. A code or theme that is gone keeps the last name its own events gave it.

Plain Python over a session, in ``app`` because an event may name things of every package.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from coding.agreement_models import AgreementRound
from coding.models import Code, Coding
from themes.models import Theme
from transcripts.audit_view import AuditRow, contains, events, last_names
from transcripts.models import Dyad, Memo, Participant, Transcript

QUOTE = 40  # characters of a coded passage shown in a sentence


def _ids(rows: Iterable[AuditRow], key: str, entity: str) -> set[int]:
    found = {row.entity_id for row in rows if row.entity == entity and row.entity_id is not None}
    for row in rows:
        for state in (row.before, row.after):
            value = state.get(key)
            if isinstance(value, int):
                found.add(value)
    return found


class Names:
    """The names and whereabouts of everything a batch of events mentions, read once per batch. Transcript
    texts are kept between batches (a download describes the whole log)."""

    def __init__(self, session: Session, project_id: int) -> None:
        self.session = session
        self.project_id = project_id
        self.texts: dict[int, str] = {}
        self.transcripts: dict[int, str] = {}

    def _found(self, id_column: Any, value_column: Any, ids: Collection[int]) -> dict[int, Any]:
        if not ids:
            return {}
        query = select(id_column, value_column).where(col(id_column).in_(sorted(ids)))
        return {key: value for key, value in self.session.exec(query).all() if key is not None}

    def read(self, rows: Sequence[AuditRow]) -> None:
        """Read what ``rows`` mention (and the events their undos undid)."""
        session, project_id = self.session, self.project_id
        undone = {r.before.get("undone") for r in rows if r.action == "coding.undo"}
        self.undone = events(session, project_id=project_id, ids={i for i in undone if isinstance(i, int)})
        every = [*rows, *self.undone.values()]

        def own(entity: str) -> set[int]:
            return {r.entity_id for r in every if r.entity == entity and r.entity_id is not None}

        code_ids = _ids(every, "code_id", "code")
        self.codes: dict[int, str] = self._found(Code.id, Code.name, code_ids)
        gone = last_names(session, project_id=project_id, entity="code", ids=code_ids - set(self.codes))
        self.code_names = gone | self.codes
        theme_ids = _ids(every, "theme_id", "theme") | _ids(every, "target_theme_id", "theme")
        self.themes: dict[int, str] = self._found(Theme.id, Theme.name, theme_ids)
        gone = last_names(session, project_id=project_id, entity="theme", ids=theme_ids - set(self.themes))
        self.theme_names = gone | self.themes
        self.codings = set(self._found(Coding.id, Coding.id, own("coding")))
        self.rounds = set(self._found(AgreementRound.id, AgreementRound.id, own("agreementround")))
        memos = session.exec(
            select(Memo.id, Memo.transcript_id, Memo.dyad_id).where(col(Memo.id).in_(sorted(own("memo"))))
        ).all()
        self.memos = {memo_id: (t, d) for memo_id, t, d in memos if memo_id is not None}
        dyad_ids = own("dyad") | {d for _, d in self.memos.values() if d is not None}
        self.dyads: dict[int, str] = self._found(Dyad.id, Dyad.label, dyad_ids)
        self.participants: dict[int, str] = self._found(Participant.id, Participant.pseudonym, own("participant"))
        wanted = _ids(every, "transcript_id", "transcript") | {t for t, _ in self.memos.values() if t is not None}
        self._transcripts(wanted - set(self.transcripts))

    def _transcripts(self, ids: set[int]) -> None:
        if not ids:
            return
        rows = self.session.exec(
            select(Transcript.id, Participant.pseudonym, Transcript.session, Transcript.text)
            .join(Participant, col(Participant.id) == Transcript.participant_id)
            .where(col(Transcript.id).in_(ids), Transcript.project_id == self.project_id)
        ).all()
        for transcript_id, pseudonym, number, text in rows:
            if transcript_id is not None:
                self.transcripts[transcript_id] = f"{pseudonym}, session {number}"
                self.texts[transcript_id] = text

    # --- what the sentences say -------------------------------------------------------------------------

    def code(self, code_id: Any) -> str:
        return repr(self.code_names.get(code_id, f"code {code_id}"))

    def theme(self, theme_id: Any) -> str:
        return repr(self.theme_names.get(theme_id, f"theme {theme_id}"))

    def transcript(self, transcript_id: Any) -> str:
        return self.transcripts.get(transcript_id, "a transcript no longer in the project")

    def quote(self, state: dict[str, Any]) -> str:
        text = self.texts.get(state.get("transcript_id"))  # type: ignore[arg-type]
        start, end = state.get("start"), state.get("end")
        if text is None or not isinstance(start, int) or not isinstance(end, int):
            return "a passage"
        passage = " ".join(text[start:end].split())
        return (
            f"“{passage[: QUOTE + 1].rsplit(' ', 1)[0].rstrip(' ,;:—')}…”" if len(passage) > QUOTE else f"“{passage}”"
        )

    def coding(self, state: dict[str, Any]) -> str:
        """“I felt heard…” with 'Trust' in C2, session 3."""
        where = self.transcript(state.get("transcript_id"))
        return f"{self.quote(state)} with {self.code(state.get('code_id'))} in {where}"


def named_ids(session: Session, *, project_id: int, text: str) -> dict[str, Collection[int]]:
    """The codes, themes and transcripts whose names hold ``text`` (for the free-text filter), by state key."""
    if not text.strip():
        return {}

    def ids(query: Any) -> list[int]:
        return [found for found in session.exec(query).all() if found is not None]

    held = contains(col(Participant.pseudonym), text) | contains(col(Transcript.name), text)
    return {
        "code_id": ids(select(Code.id).where(Code.project_id == project_id, contains(col(Code.name), text))),
        "theme_id": ids(select(Theme.id).where(Theme.project_id == project_id, contains(col(Theme.name), text))),
        "transcript_id": ids(
            select(Transcript.id)
            .join(Participant, col(Participant.id) == Transcript.participant_id)
            .where(Transcript.project_id == project_id, held)
        ),
    }
