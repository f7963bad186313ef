"""A coded study for the exchange tests: non-ASCII and emoji text, nested codes, overlapping codings by two
coders, memos of every kind, and themes with a subtheme — built through the real importer and apply_code."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlmodel import Session, select

from coding.apply import apply_code
from coding.models import Code
from tests.factories import make_code, researcher, write_manifest
from themes.models import JournalEntry, Theme, ThemeCode
from transcripts.ingest import import_manifest
from transcripts.models import Dyad, Memo, Project, Transcript, User
from transcripts.projects import create_project

SHARED = Path(__file__).resolve().parents[3] / "shared" / "refi-qda"
SCHEMAS = SHARED / "schema"
SAMPLES = SHARED / "samples"

CLIENT = (
    "I: Wo haben Sie die Aufnahme gestoppt? #00:00:04-0#\n\n"
    "B: Hier, als sie still wurde. Ich habe ihr vertraut 😊 (lacht). #00:00:12-5#\n\n"
    "I: Und dann? #00:00:15-0#\n\n"
    "B: Ich fühlte mich gehört — zum ersten Mal wirklich gehört. 👍🏽 Ça va. #00:00:21-0#\n"
)
THERAPIST = (
    "I: Where did you stop the recording? #00:00:03-0#\n\n"
    "B: When she went quiet. I decided to stay with the silence. #00:00:11-0#\n\n"
    "I: And then? #00:00:13-5#\n\n"
    "B: I was trusting that she would come back to it — naïvely, perhaps. #00:00:20-0#\n"
)


@dataclass
class Study:
    project: Project
    ana: User
    ben: User
    codes: dict[str, Code]


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def coded_study(session: Session, folder: Path, *, name: str = "IPR exchange") -> Study:
    ana = researcher(session, "Ana")
    project = create_project(session, name=name, user=ana)
    files = {"c1.txt": CLIENT, "t1.txt": THERAPIST, "c2.txt": CLIENT.replace("still", "stumm")}
    rows = [
        ("c1.txt", "Dyad 1", "client", "C1", 3, "good outcome"),
        ("t1.txt", "Dyad 1", "therapist", "T1", 3, "good outcome"),
        ("c2.txt", "Dyad 2", "client", "C2", 5, ""),
    ]
    import_manifest(
        session, project=project, manifest=write_manifest(folder, rows, files=files), user=ana, max_bytes=10**6
    )
    ana = researcher(session, "Ana")
    ben = researcher(session, "Ben")
    trust = make_code(session, project, "Vertrauen 🤝", colour="#e69f00")
    felt = make_code(session, project, "feeling heard", parent=trust, colour="#56b4e9")
    silence = make_code(session, project, "silence", colour="#009e73")
    trust.definition, trust.inclusion, trust.example = "Trust in the therapist.", "Explicit trust.", "„vertraut“"
    session.add(trust)
    session.commit()
    transcripts = {
        t.original_filename: t for t in session.exec(select(Transcript).where(Transcript.project_id == project.id))
    }
    c1, t1 = transcripts["c1.txt"], transcripts["t1.txt"]
    start, end = span(c1.text, "Ich habe ihr vertraut 😊")
    apply_code(session, transcript_id=c1.id, code_id=trust.id, start=start, end=end, coder=ana)
    apply_code(session, transcript_id=c1.id, code_id=trust.id, start=start, end=end, coder=ben)
    wide = span(c1.text, "Hier, als sie still wurde. Ich habe ihr vertraut")
    apply_code(session, transcript_id=c1.id, code_id=silence.id, start=wide[0], end=wide[1], coder=ben)
    heard = span(c1.text, "gehört — zum ersten Mal wirklich gehört. 👍🏽")
    coding = apply_code(session, transcript_id=c1.id, code_id=felt.id, start=heard[0], end=heard[1], coder=ana)
    coding.memo = "Emphatic repetition ✨"
    session.add(coding)
    quiet = span(t1.text, "stay with the silence")
    apply_code(session, transcript_id=t1.id, code_id=silence.id, start=quiet[0], end=quiet[1], coder=ana)
    dyad = session.exec(select(Dyad).where(Dyad.project_id == project.id, Dyad.label == "Dyad 1")).one()
    dyad.attributes = {"clinic": "Nord"}
    session.add(dyad)
    session.add(
        Memo(
            project_id=project.id,
            author_id=ana.id,
            kind="familiarisation",
            transcript_id=c1.id,
            body="Long pause before the trust passage — ü.",
        )
    )
    session.add(
        Memo(project_id=project.id, author_id=ben.id, kind="dyad", dyad_id=dyad.id, body="Both mention silence.")
    )
    session.add(JournalEntry(project_id=project.id, author_id=ana.id, phase=2, text="My own trust bias?"))
    theme = Theme(
        project_id=project.id,
        name="Trust in silence",
        definition="Silence read as safety.",
        central_concept="safety",
        scope="not: avoidance",
        status="developing",
        memo="Check dyad 2.",
    )
    session.add(theme)
    session.flush()
    sub = Theme(project_id=project.id, parent_id=theme.id, name="Waiting", definition="Waiting together.")
    session.add(sub)
    session.flush()
    session.add_all(
        [
            ThemeCode(theme_id=theme.id, code_id=trust.id),
            ThemeCode(theme_id=theme.id, code_id=silence.id),
            ThemeCode(theme_id=sub.id, code_id=silence.id),
        ]
    )
    session.commit()
    return Study(project, ana, ben, {"trust": trust, "felt": felt, "silence": silence})


def schema(kind: str) -> etree.XMLSchema:
    name = "Project-mrt2019.xsd" if kind == "project" else "Codebook-mrt2019.xsd"
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def project_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))
