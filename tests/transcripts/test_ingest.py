"""Importing a manifest: everything or nothing, with errors that name the row, the file and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from tests.factories import CLIENT_TEXT, THERAPIST_TEXT, researcher, study, write_manifest
from transcripts.errors import ImportRefused
from transcripts.ingest import import_manifest
from transcripts.models import AuditEvent, Dyad, Participant, Sentence, Transcript, Turn
from transcripts.projects import create_project
from transcripts.study import list_transcripts, show_transcript


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (Dyad, Participant, Transcript, Turn, Sentence)
    }


def test_a_manifest_imports_dyads_participants_and_turns(session: Session, tmp_path: Path) -> None:
    project, report = study(session, tmp_path)

    assert [f.status for f in report.files] == ["imported"] * 5
    infos = list_transcripts(session, project_id=project.id)
    assert [(i.dyad, i.role) for i in infos] == [
        ("Dyad 2", "client"),
        ("Dyad 2", "therapist"),
        ("Dyad 2", "interpreter"),
        ("Dyad 10", "client"),
        ("Dyad 10", "therapist"),
    ]
    client = show_transcript(session, infos[0].id)
    assert [(t.speaker, t.role) for t in client.turns] == [
        ("I", "interviewer"),
        ("B", "client"),
        ("I", "interviewer"),
        ("B", "client"),
    ]
    assert client.turns[1].text == "Here, when she went quiet. I trusted her then (laughs)."
    assert client.turns[1].timestamp == 12.5
    for turn in client.turns:
        assert client.text[turn.start : turn.end] == turn.text
    assert client.text == CLIENT_TEXT
    assert client.info.words == 6 + 10 + 6 + 9  # label, stamps and "(", "—" are not words
    dyad = session.exec(select(Dyad).where(Dyad.label == "Dyad 10")).one()
    assert dyad.group == "troubled"


def test_sentences_carry_lemmas_for_search(session: Session, tmp_path: Path) -> None:
    study(session, tmp_path)
    lemmas = session.exec(select(Sentence.lemmas)).all()
    assert "i trust her then laugh" in lemmas
    assert any("i be trust that she" in text for text in lemmas)


def test_reimporting_the_same_files_skips_them(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    before = counts(session)
    user = researcher(session)
    again = import_manifest(session, project=project, manifest=tmp_path / "manifest.csv", user=user, max_bytes=10**7)
    assert [f.status for f in again.files] == ["skipped"] * 5
    assert again.files[0].reason.startswith("already imported as transcript")
    assert counts(session) == before


def test_the_import_is_audited(session: Session, tmp_path: Path) -> None:
    study(session, tmp_path)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "transcripts.import")).one()
    assert event.user_id is not None
    assert len(event.after["imported"]) == 5


BAD_MANIFESTS = {
    "missing file": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("gone.txt", "Dyad 1", "therapist", "T1", 3, "")],
        {"c1.txt": CLIENT_TEXT},
        "manifest row 3 (gone.txt): no such file",
    ),
    "duplicate slot": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("t1.txt", "Dyad 1", "client", "C9", 3, "")],
        {"c1.txt": CLIENT_TEXT, "t1.txt": THERAPIST_TEXT},
        "manifest row 3 (t1.txt): Dyad 1, client, session 3 is already row 2",
    ),
    "empty file": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("t1.txt", "Dyad 1", "therapist", "T1", 3, "")],
        {"c1.txt": CLIENT_TEXT, "t1.txt": "  \n\n"},
        "manifest row 3: t1.txt: the file is empty",
    ),
    "binary file": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, "")],
        {"c1.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        "manifest row 2: c1.txt: this is a binary file",
    ),
    "unsupported extension": (
        [("c1.pdf", "Dyad 1", "client", "C1", 3, "")],
        {"c1.pdf": b"%PDF-1.4"},
        "manifest row 2: c1.pdf: unsupported file type '.pdf'",
    ),
    "unplaceable label": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("t1.txt", "Dyad 1", "therapist", "T1", 3, "")],
        {"c1.txt": CLIENT_TEXT, "t1.txt": "I: Hello.\n\nB: Hi.\n\nX: Who?\n\nX: Me.\n"},
        "manifest row 3: t1.txt, line 5: cannot place the speaker label 'X'",
    ),
    "participant in two roles": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("t1.txt", "Dyad 1", "therapist", "C1", 5, "")],
        {"c1.txt": CLIENT_TEXT, "t1.txt": THERAPIST_TEXT},
        "manifest row 3 (t1.txt): participant C1 is client in Dyad 1 in row 2",
    ),
    "interviewer as a role": (
        [("c1.txt", "Dyad 1", "interviewer", "X1", 3, "")],
        {"c1.txt": CLIENT_TEXT},
        "manifest row 2 (c1.txt): role 'interviewer' is not a participant role",
    ),
    "dyad in two groups": (
        [("c1.txt", "Dyad 1", "client", "C1", 3, "good"), ("t1.txt", "Dyad 1", "therapist", "T1", 3, "bad")],
        {"c1.txt": CLIENT_TEXT, "t1.txt": THERAPIST_TEXT},
        "manifest row 3 (t1.txt): Dyad 1 is in group 'good' in row 2, here 'bad'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_a_bad_row_imports_nothing_and_says_where(session: Session, tmp_path: Path, case: str) -> None:
    rows, files, message = BAD_MANIFESTS[case]
    user = researcher(session)
    project = create_project(session, name="P", user=user)
    manifest = write_manifest(tmp_path / "study", rows, files=files)
    before = counts(session)

    with pytest.raises(ImportRefused) as refused:
        import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=10**7)

    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    session.rollback()
    assert counts(session) == before


def test_an_oversized_file_is_refused(session: Session, tmp_path: Path) -> None:
    user = researcher(session)
    project = create_project(session, name="P", user=user)
    manifest = write_manifest(
        tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": CLIENT_TEXT * 100}
    )
    with pytest.raises(ImportRefused, match=r"manifest row 2 \(c1.txt\): the file has 0\.0 MiB, more than the limit"):
        import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=1000)


def test_a_second_transcript_for_the_same_session_is_refused(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path / "first")
    user = researcher(session)
    manifest = write_manifest(
        tmp_path / "second",
        [("other.txt", "Dyad 2", "client", "C2", 3, "")],
        files={"other.txt": CLIENT_TEXT.replace("quiet", "still")},
    )
    with pytest.raises(ImportRefused, match="C2 already has a transcript of session 3"):
        import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=10**7)


def test_manifest_errors_name_the_row(session: Session, tmp_path: Path) -> None:
    user = researcher(session)
    project = create_project(session, name="P", user=user)
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,dyad,role,participant,session\na.txt,Dyad 1,client,C1,three\n")
    with pytest.raises(ImportRefused, match=r"m.csv: row 2 \(a.txt\): session 'three' is not a whole number"):
        import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=10**7)
    manifest.write_text("file,dyad,participant\n")
    with pytest.raises(ImportRefused, match="the header lacks role, session"):
        import_manifest(session, project=project, manifest=manifest, user=user, max_bytes=10**7)


def test_imported_sentences_are_in_the_full_text_index(session: Session, tmp_path: Path) -> None:
    study(session, tmp_path)
    if session.get_bind().dialect.name == "sqlite":
        query = (
            "SELECT s.lemmas FROM sentence_fts JOIN sentence s ON s.id = sentence_fts.rowid "
            "WHERE sentence_fts MATCH 'trust'"
        )
    else:
        query = "SELECT lemmas FROM sentence WHERE search_vector @@ to_tsquery('simple', 'trust')"
    hits = session.connection().exec_driver_sql(query).scalars().all()
    # "trusted" (C2, C10) and "trusting" (T2, T10), lemmatised to "trust"
    assert len(hits) == 4
    assert all("trust" in hit.split() for hit in hits)
