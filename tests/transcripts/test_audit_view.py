"""The audit log as a list: filters, paging, and each event in words (``app/audit_sentences.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.audit_names import named_ids
from app.audit_sentences import describe
from coding.apply import apply_code, delete_coding, undo_last, update_coding
from coding.codebook import create_code, update_code
from coding.restructure import delete_code
from tests.factories import make_code, researcher, study
from themes.themes import create_theme, update_theme
from transcripts.audit import record
from transcripts.audit_view import AuditFilters, audit_options, audit_page, audit_rows, last_names
from transcripts.members import set_role
from transcripts.models import AuditEvent, Project, Transcript, User
from transcripts.reading import set_read


def setup(session: Session, tmp_path: Path) -> tuple[Project, Transcript, User, User]:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    ben = researcher(session, "Ben")
    return project, transcript, ana, ben


def sentences(session: Session, project: Project, filters: AuditFilters | None = None) -> list[tuple[str, str]]:
    found = audit_page(session, project_id=project.id, filters=filters or AuditFilters())  # type: ignore[arg-type]
    return [(line.who, line.sentence) for line in describe(session, project_id=project.id, rows=found.rows)]  # type: ignore[arg-type]


def test_events_read_as_sentences_newest_first(session: Session, tmp_path: Path) -> None:
    project, transcript, ana, ben = setup(session, tmp_path)
    code = create_code(session, project_id=project.id, user=ana, name="Trust")  # type: ignore[arg-type]
    start = transcript.text.index("I felt heard")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 12, coder=ben)  # type: ignore[arg-type]
    update_code(session, code_id=code.id, user=ana, name="Trusting")  # type: ignore[arg-type]
    update_coding(session, coding_id=coding.id, user=ben, memo="felt understood")  # type: ignore[arg-type]
    set_read(session, transcript_id=transcript.id, user=ben, read=True)  # type: ignore[arg-type]
    set_role(session, project=project, user_id=ben.id, role="lead", by=ana)  # type: ignore[arg-type]

    assert sentences(session, project)[:6] == [
        ("Ana", "made Ben a lead (was coder)"),
        ("Ben", "marked C2, session 3 as read"),
        ("Ben", "wrote the memo of the coding “I felt heard” with 'Trusting' in C2, session 3"),
        ("Ana", "renamed code 'Trust' to 'Trusting'"),
        ("Ben", "coded “I felt heard” with 'Trusting' in C2, session 3"),
        ("Ana", "created code 'Trust'"),
    ]
    assert sentences(session, project)[-2:] == [
        ("Ana", "imported 5 transcripts (c2_s3.txt, t2_s3.txt, i2_s3.txt …)"),
        ("Ana", "created the project 'IPR study'"),
    ]


def test_a_removed_coding_an_undo_and_a_deleted_code_keep_their_names(session: Session, tmp_path: Path) -> None:
    project, transcript, ana, ben = setup(session, tmp_path)
    code = make_code(session, project, "Silence")
    start = transcript.text.index("Here, when she went quiet. I trusted her then")
    end = start + len("Here, when she went quiet. I trusted her then")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    delete_coding(session, coding_id=coding.id, user=ana)  # type: ignore[arg-type]
    undo_last(session, project_id=project.id, user=ana)  # type: ignore[arg-type]
    delete_code(session, code_id=code.id, user=ana, codings="delete")  # type: ignore[arg-type]

    found = audit_page(session, project_id=project.id, filters=AuditFilters())  # type: ignore[arg-type]
    lines = describe(session, project_id=project.id, rows=found.rows[:4])  # type: ignore[arg-type]
    quote = "“Here, when she went quiet. I trusted her…”"
    assert [line.sentence for line in lines] == [
        "deleted code 'Silence' with its 1 coding",
        f"undid this change: removed the coding {quote} with 'Silence' in C2, session 3 (another coder's)",
        f"removed the coding {quote} with 'Silence' in C2, session 3 (another coder's)",
        f"coded {quote} with 'Silence' in C2, session 3",
    ]
    in_place = f"/projects/{project.id}/transcripts/{transcript.id}"  # the coding is gone; its transcript is not
    assert [line.link for line in lines] == [None, in_place, in_place, in_place]
    assert last_names(session, project_id=project.id, entity="code", ids=[code.id]) == {code.id: "Silence"}  # type: ignore[list-item, dict-item]


def test_themes_in_words_with_links_while_they_exist(session: Session, tmp_path: Path) -> None:
    project, _, ana, _ = setup(session, tmp_path)
    code = make_code(session, project, "Trust")
    theme = create_theme(session, project_id=project.id, user=ana, name="Being heard", code_ids=[code.id])  # type: ignore[arg-type, list-item]
    update_theme(session, theme_id=theme.id, user=ana, name="Feeling heard")  # type: ignore[arg-type]
    found = audit_page(session, project_id=project.id, filters=AuditFilters(kind="theme"))  # type: ignore[arg-type]
    lines = describe(session, project_id=project.id, rows=found.rows)  # type: ignore[arg-type]
    assert [line.sentence for line in lines] == [
        "renamed theme 'Being heard' to 'Feeling heard'",
        "created theme 'Being heard'",
    ]
    assert {line.link for line in lines} == {f"/projects/{project.id}/themes/{theme.id}"}


def test_filters_by_person_kind_action_period_and_text(session: Session, tmp_path: Path) -> None:
    project, transcript, ana, ben = setup(session, tmp_path)
    code = create_code(session, project_id=project.id, user=ana, name="Überraschung")  # type: ignore[arg-type]
    start = transcript.text.index("I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 12, coder=ben)  # type: ignore[arg-type]
    set_read(session, transcript_id=transcript.id, user=ben, read=True)  # type: ignore[arg-type]

    def actions(**chosen: object) -> list[str]:
        filters = AuditFilters(**chosen)  # type: ignore[arg-type]
        return [row.action for row in audit_page(session, project_id=project.id, filters=filters).rows]  # type: ignore[arg-type]

    assert actions(person_id=ben.id) == ["transcript.read", "coding.create"]
    assert actions(kind="code") == ["code.create"]
    assert actions(action="coding.create") == ["coding.create"]
    assert actions(person_id=ben.id, kind="transcript") == ["transcript.read"]
    now = datetime.now(UTC)
    assert len(actions(start=now - timedelta(hours=1), end=now + timedelta(hours=1))) == 5
    assert actions(start=now + timedelta(hours=1)) == []
    assert actions(end=now - timedelta(hours=1)) == []
    assert actions(text="überr") == ["code.create"]  # a letter beyond ASCII, stored escaped in the JSON
    assert actions(text="ÜBERR") == ["code.create"]
    assert actions(text="ben") == ["transcript.read", "coding.create"]  # the person's name
    assert actions(text="50%") == []  # a wildcard is a character like any other
    named = named_ids(session, project_id=project.id, text="überraschung")  # type: ignore[arg-type]
    assert actions(text="überraschung", named=named) == ["coding.create", "code.create"], "the coding names it by id"
    named = named_ids(session, project_id=project.id, text="C2")  # type: ignore[arg-type]
    assert actions(text="C2", named=named, kind="coding") == ["coding.create"]

    options = audit_options(session, project_id=project.id)  # type: ignore[arg-type]
    assert options.people == [(ana.id, "Ana"), (ben.id, "Ben")]
    assert options.kinds == ["code", "coding", "project", "transcript"]
    assert "coding.create" in options.actions


def test_pages_of_a_hundred_newest_first_and_every_row_for_a_download(session: Session, tmp_path: Path) -> None:
    project, _, ana, _ = setup(session, tmp_path)
    before = session.exec(select(AuditEvent).where(AuditEvent.project_id == project.id)).all()
    for n in range(1_250):
        record(session, project_id=project.id, user_id=ana.id, action="journal.write", entity="journal", after={"n": n})
    session.commit()
    total = 1_250 + len(before)

    first = audit_page(session, project_id=project.id, filters=AuditFilters())  # type: ignore[arg-type]
    assert (first.total, first.pages, first.page, first.first) == (total, 13, 1, 1)
    assert [row.after["n"] for row in first.rows] == list(range(1_249, 1_149, -1))
    last = audit_page(session, project_id=project.id, filters=AuditFilters(), page=13)  # type: ignore[arg-type]
    assert len(last.rows) == total - 1_200 and last.first == 1_201
    beyond = audit_page(session, project_id=project.id, filters=AuditFilters(), page=99)  # type: ignore[arg-type]
    assert beyond.page == 13 and beyond.rows == last.rows

    every = list(audit_rows(session, project_id=project.id, filters=AuditFilters()))  # type: ignore[arg-type]
    assert len(every) == total and len({row.id for row in every}) == total
    assert [row.id for row in every] == sorted((row.id for row in every), reverse=True)
    journal = list(audit_rows(session, project_id=project.id, filters=AuditFilters(action="journal.write")))  # type: ignore[arg-type]
    assert len(journal) == 1_250
