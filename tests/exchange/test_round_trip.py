"""Round trip: export → import → export keeps sources (text identical), codes, codings (spans, codes,
coders, memos), dyads, roles, memos, journal and themes — on a fixed study and on generated ones."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.exchange.archive import Limits
from app.exchange.qdpx_export import export_project
from app.exchange.qdpx_import import Options, import_project
from coding.apply import apply_code
from coding.models import Code
from tests.exchange.builders import SCHEMAS, coded_study, project_xml, schema
from tests.exchange.snapshot import snapshot
from tests.factories import researcher, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Project, Transcript, User
from transcripts.projects import create_project, project_by_name

OPTIONS = Options(Limits(50 * 2**20, 1000), schema_dir=SCHEMAS)


def round_trip(session: Session, project: Project, folder: Path, user: User) -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    export_project(session, project=project, path=folder / "a.qdpx", schema_dir=SCHEMAS)
    name = f"{project.name} copy"
    report = import_project(session, path=folder / "a.qdpx", project_name=name, user=user, options=OPTIONS)
    assert not report.not_imported, report.not_imported
    copy = project_by_name(session, name)
    assert copy is not None
    export_project(session, project=copy, path=folder / "b.qdpx", schema_dir=SCHEMAS)
    assert schema("project").validate(project_xml(folder / "b.qdpx"))
    return copy


def test_the_study_survives_a_round_trip(session: Session, tmp_path: Path) -> None:
    study = coded_study(session, tmp_path / "files")
    before = snapshot(session, study.project)
    copy = round_trip(session, study.project, tmp_path / "out", study.ana)
    after = snapshot(session, copy)
    assert after == before
    assert len(before["codings"]) == 5 and len(before["memos"]) == 2 and len(before["themes"]) == 2
    # the copy's transcripts have their turns again, found on the unchanged text
    for transcript in session.exec(select(Transcript).where(Transcript.project_id == copy.id)):
        assert transcript.turn_count == 4 and transcript.word_count > 10
    # and a second import of the same archive into the copy changes nothing
    import_project(session, path=tmp_path / "out" / "b.qdpx", project_name=copy.name, user=study.ana, options=OPTIONS)
    assert snapshot(session, copy) == before


LETTERS = "abcdefghij äöüßéçñ ÆØ€😀👍🏽🤝—.,!?()"
names = itertools.count()
speech = st.text(alphabet=LETTERS, min_size=1, max_size=40).map(lambda s: "x" + s.replace("  ", " "))


@st.composite
def small_projects(draw: st.DrawFn) -> dict:
    transcripts = draw(st.lists(st.tuples(speech, speech), min_size=1, max_size=3))
    codes = draw(
        st.lists(
            st.tuples(st.text(alphabet="abcé🤝 ", min_size=1, max_size=8), st.integers(-1, 2)), min_size=1, max_size=4
        )
    )
    codings = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 200), st.integers(1, 30), st.integers(0, 3), st.booleans()),
            max_size=8,
        )
    )
    return {"transcripts": transcripts, "codes": codes, "codings": codings}


def build(session: Session, folder: Path, spec: dict) -> tuple[Project, User]:
    ana = researcher(session, "Ana")
    project = create_project(session, name=f"Generated {next(names)}", user=ana)
    files, rows = {}, []
    for index, (question, answer) in enumerate(spec["transcripts"]):
        role = ("client", "therapist")[index % 2]
        files[f"t{index}.txt"] = f"I: {question}\n\nB: {index} {answer}\n"
        rows.append((f"t{index}.txt", f"Dyad {index // 2 + 1}", role, f"{role[0].upper()}{index}", 3, ""))
    import_manifest(
        session, project=project, manifest=write_manifest(folder, rows, files=files), user=ana, max_bytes=10**6
    )
    coders = [researcher(session, "Ana"), researcher(session, "Ben")]
    codes: list[Code] = []
    for position, (name, parent) in enumerate(spec["codes"]):
        parent_code = codes[parent] if 0 <= parent < len(codes) else None
        code = Code(
            project_id=project.id,
            name=f"{name.strip() or 'c'} {position}",
            position=position,
            parent_id=parent_code.id if parent_code else None,
        )
        session.add(code)
        session.commit()
        codes.append(code)
    transcripts = sorted(
        session.exec(select(Transcript).where(Transcript.project_id == project.id)), key=lambda t: t.name
    )
    for which, start, length, code, second in spec["codings"]:
        transcript = transcripts[which % len(transcripts)]
        start = start % len(transcript.text)
        end = min(len(transcript.text), start + length)
        if start < end:
            apply_code(
                session,
                transcript_id=transcript.id,
                code_id=codes[code % len(codes)].id,
                start=start,
                end=end,
                coder=coders[second],
            )
    return project, ana


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=small_projects())
def test_generated_projects_survive_a_round_trip(session: Session, tmp_path: Path, spec: dict) -> None:
    folder = tmp_path / uuid.uuid4().hex
    project, ana = build(session, folder / "files", spec)
    before = snapshot(session, project)
    copy = round_trip(session, project, folder / "out", ana)
    assert snapshot(session, copy) == before
