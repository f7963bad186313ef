"""The transcripts workbench through the web, as a researcher meets it: projects, imports, reading, dyads.

Every page is parsed (lxml) and asserted through its tree; what the database keeps is counted through
the ``session`` fixture. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlalchemy import func
from sqlmodel import Session, select

from app.main import create_app
from app.settings import Settings
from tests.conftest import with_form_token
from tests.factories import CLIENT_TEXT, small_study_manifest, study, write_manifest
from transcripts.models import Dyad, ImportJob, Memo, Participant, Project, ReadMark, Transcript

Files = list[tuple[str, tuple[str, bytes, str]]]
UNPLACEABLE = "I: a\n\nX: b\n\nX: c\n\nY: d\n\nY: e\n"
HOSTILE = (
    "I: What did you write that evening? #00:00:02-0#\n\n"
    "B: I wrote <script>alert(1)</script> and <img src=x onerror=alert(2)> in my diary. #00:00:09-0#\n"
)
THERAPIST_HOSTILE = (
    "I: And you? #00:00:03-0#\n\nB: I thought of <script>alert(4)</script> — a joke between us. #00:00:08-0#\n"
)


# --- reading pages ---------------------------------------------------------------------------------


def page(response: Response) -> HtmlElement:
    return lxml.html.document_fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def cls(name: str) -> str:
    """An XPath predicate: the element has the class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def one(tree: HtmlElement, xpath: str) -> HtmlElement:
    found = tree.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} elements"
    return found[0]


def texts(tree: HtmlElement, xpath: str) -> list[str]:
    return [text(element) for element in tree.xpath(xpath)]


def error(tree: HtmlElement) -> str:
    """The one error message a form shows: a single line."""
    message = one(tree, "//*[@role='alert']").text_content().strip()
    assert "\n" not in message
    return message


def location(response: Response) -> str:
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


# --- the database ----------------------------------------------------------------------------------


def count(session: Session, model: type) -> int:
    number = session.exec(select(func.count()).select_from(model)).one()
    session.rollback()  # end the read: the next look sees what the app has committed meanwhile
    return number


def transcript_of(session: Session, project_id: int, pseudonym: str) -> int:
    found = session.exec(
        select(Transcript.id)
        .join(Participant)
        .where(Transcript.project_id == project_id, Participant.pseudonym == pseudonym)
    ).one()
    session.rollback()
    return found


def dyad_of(session: Session, project_id: int, label: str) -> Dyad:
    dyad = session.exec(select(Dyad).where(Dyad.project_id == project_id, Dyad.label == label)).one()
    session.rollback()
    return dyad


# --- doing things through the web ------------------------------------------------------------------


def new_project(client: TestClient, name: str = "IPR study") -> int:
    target = location(client.post("/projects", data={"name": name}, follow_redirects=False))
    assert re.fullmatch(r"/projects/\d+", target)
    return int(target.rsplit("/", 1)[1])


def study_upload(folder: Path) -> tuple[Files, bytes]:
    """The small study's files and its manifest, with Dyad 10's rows first (the overview must sort)."""
    manifest = small_study_manifest(folder)
    header, *rows = manifest.read_text(encoding="utf-8").splitlines()
    rows.sort(key=lambda row: "Dyad 10" not in row)
    files = [("files", (path.name, path.read_bytes(), "text/plain")) for path in sorted(folder.glob("*.txt"))]
    return files, ("\n".join([header, *rows]) + "\n").encode("utf-8")


def upload(
    client: TestClient,
    project_id: int,
    files: Files,
    *,
    manifest: bytes | None = None,
    **fields: str,
) -> Response:
    attached = [*files, ("manifest", ("manifest.csv", manifest, "text/csv"))] if manifest is not None else files
    data = {"mode": "manifest", **fields}
    return client.post(f"/projects/{project_id}/import", data=data, files=attached, follow_redirects=False)


def job_page(client: TestClient, response: Response) -> HtmlElement:
    target = location(response)
    assert re.fullmatch(r"/projects/\d+/imports/\d+", target)
    return page(client.get(target))


def report_rows(tree: HtmlElement) -> list[list[str]]:
    return [texts(row, "./td") for row in tree.xpath(f"//table[{cls('report')}]/tbody/tr")]


def switch_to(client: TestClient, name: str, back: str = "/") -> None:
    assert location(client.post("/me", data={"name": name, "back": back}, follow_redirects=False)) == back


@pytest.fixture
def ipr(session: Session, tmp_path: Path) -> Project:
    """The small study, imported straight through the importer (Ana imported it)."""
    project, _ = study(session, tmp_path / "study")
    session.rollback()
    return project


# --- projects and phases ---------------------------------------------------------------------------


def test_the_project_list_shows_each_project_and_creates_one(client: TestClient) -> None:
    empty = page(client.get("/"))
    assert empty.xpath(f"//ul[{cls('cards')}]") == []
    assert "No projects yet" in text(one(empty, f"//main//p[{cls('muted')}]"))

    response = client.post(
        "/projects",
        data={"name": " IPR study ", "description": "Two clinics", "analysis_approach": "codebook"},
        follow_redirects=False,
    )
    project_id = int(location(response).rsplit("/", 1)[1])
    assert location(response) == f"/projects/{project_id}"
    new_project(client, "Pilot")

    listing = page(client.get("/"))
    cards = listing.xpath(f"//li[{cls('card')}]")
    assert [text(one(card, ".//a/strong")) for card in cards] == ["IPR study", "Pilot"]
    ipr = cards[0]
    assert one(ipr, ".//a").get("href") == f"/projects/{project_id}"
    assert "Two clinics" in texts(ipr, ".//p")
    assert text(one(ipr, f".//p[{cls('muted')}]")).startswith("codebook thematic analysis · created ")
    assert one(page(client.get(f"/projects/{project_id}")), "//h1").text_content() == "IPR study"


@pytest.mark.parametrize(
    ("name", "message"),
    [("IPR study", "a project called 'IPR study' exists already"), ("   ", "a project needs a name")],
    ids=["duplicate", "empty"],
)
def test_a_duplicate_or_empty_project_name_is_refused_with_the_input_kept(
    client: TestClient, session: Session, name: str, message: str
) -> None:
    new_project(client, "IPR study")
    data = {"name": name, "description": "Recall interviews\nafter session 3", "analysis_approach": "other"}

    response = client.post("/projects", data=data, follow_redirects=False)

    assert response.status_code == 422
    tree = page(response)
    assert error(tree) == message
    form = one(tree, "//form[@action='/projects']")
    assert one(form, ".//input[@name='name']").get("value") == name
    assert one(form, ".//textarea[@name='description']").text_content() == "Recall interviews\nafter session 3"
    assert one(form, ".//select[@name='analysis_approach']/option[@selected]").get("value") == "other"
    assert count(session, Project) == 1


def test_the_project_page_shows_the_six_phases_and_where_the_project_stands(client: TestClient, ipr: Project) -> None:
    empty = new_project(client, "Pilot")
    phases = page(client.get(f"/projects/{empty}")).xpath(f"//ol[{cls('phases')}]/li")
    assert len(phases) == 6
    assert [(text(one(p, ".//h3/span")), text(one(p, ".//h3/small"))) for p in phases] == [
        ("1", "Familiarisation"),
        ("2", "Coding"),
        ("3", "Generating initial themes"),
        ("4", "Developing and reviewing themes"),
        ("5", "Refining, defining and naming themes"),
        ("6", "Writing up"),
    ]
    assert text(one(phases[0], ".//h3")) == "1 Familiarising yourself with the data Familiarisation"
    assert text(one(phases[1], ".//h3")) == "2 Generating initial codes Coding"
    assert text(one(phases[0], f".//p[{cls('state')}]")).startswith("Not started")
    assert texts(phases[0], f".//p[{cls('missing')}]") == ["no transcripts imported yet"]

    phases = page(client.get(f"/projects/{ipr.id}")).xpath(f"//ol[{cls('phases')}]/li")
    first, second = phases[0], phases[1]
    assert "phase-under-way" in first.get("class").split()
    assert text(one(first, f".//p[{cls('state')}]")) == "Under way: 5 transcripts · 0 read by you · 0 memos"
    assert texts(first, f".//p[{cls('missing')}]") == ["5 transcripts not yet read by you"]
    assert "phase-not-started" in second.get("class").split()
    assert text(one(second, f".//p[{cls('state')}]")) == "Not started: 0 codes · 0 codings · 0 coders"
    assert [a.get("href") for a in first.xpath(".//a")] == [
        f"/projects/{ipr.id}/overview",
        f"/projects/{ipr.id}/import",
    ]


# --- importing -------------------------------------------------------------------------------------


def test_files_and_a_manifest_are_imported_and_the_overview_shows_the_study(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project_id = new_project(client)
    files, manifest = study_upload(tmp_path / "upload")

    response = upload(client, project_id, files, manifest=manifest)

    job = job_page(client, response)
    assert text(one(job, "//div[@id='job']//p[@role='status']")).startswith("5 imported, 0 skipped.")
    assert "job-done" in one(job, "//div[@id='job']").get("class").split()
    rows = {cells[0]: cells[1:6] for cells in report_rows(job)}
    assert list(rows) == ["c10_s3.txt", "t10_s3.txt", "c2_s3.txt", "t2_s3.txt", "i2_s3.txt"]
    assert rows["c2_s3.txt"] == ["imported", "text, UTF-8", "I = interviewer; B = client", "4", "4"]
    assert rows["t10_s3.txt"] == ["imported", "text, UTF-8", "I = interviewer; B = therapist", "4", "4"]
    assert rows["i2_s3.txt"] == ["imported", "text, UTF-8", "I = interviewer; B = interpreter", "2", "2"]
    links = job.xpath(f"//table[{cls('report')}]/tbody/tr/td[1]/a/@href")
    assert len(links) == 5 and all(re.fullmatch(rf"/projects/{project_id}/transcripts/\d+", h) for h in links)
    assert count(session, Transcript) == 5

    overview = page(client.get(one(job, "//div[@id='job']//a[text()='Open the study overview']").get("href")))
    table = one(overview, f"//table[{cls('overview')}]")
    assert texts(table, f"./thead/tr[1]/th[{cls('session-head')}]") == ["Session 3"]
    assert one(table, f"./thead/tr[1]/th[{cls('session-head')}]").get("colspan") == "4"
    assert texts(table, "./thead/tr[2]/th[@class]") == ["Client", "Therapist", "Interpreter"]
    body = table.xpath("./tbody/tr")
    assert [text(one(row, "./th")) for row in body] == ["Dyad 2", "Dyad 10"]
    assert [text(row.xpath("./td")[0]) for row in body] == ["good outcome", "troubled"]
    words = dict(session.exec(select(Participant.pseudonym, Transcript.word_count).join(Transcript)).all())
    session.rollback()
    for row, people in zip(body, (["C2", "T2", "I2"], ["C10", "T10", None]), strict=True):
        cells = row.xpath(f"./td[{cls('cell')}]")
        assert len(cells) == 3
        for cell, person in zip(cells, people, strict=True):
            if person is None:
                assert "empty" in cell.get("class").split()
                continue
            assert text(one(cell, "./a")) == person
            assert text(one(cell, f"./span[{cls('words')}]")) == f"{words[person]} w"
        label = text(one(row, "./th"))
        side = one(row, ".//a[text()='side by side']")
        assert side.get("href") == f"/projects/{project_id}/dyads/{dyad_of(session, project_id, label).id}?session=3"
    assert [int(text(row.xpath("./td")[-1])) for row in body] == [
        words["C2"] + words["T2"] + words["I2"],
        words["C10"] + words["T10"],
    ]


def test_the_same_files_again_are_reported_as_skipped(client: TestClient, session: Session, tmp_path: Path) -> None:
    project_id = new_project(client)
    files, manifest = study_upload(tmp_path / "upload")
    job_page(client, upload(client, project_id, files, manifest=manifest))

    again = job_page(client, upload(client, project_id, files, manifest=manifest))

    assert text(one(again, "//div[@id='job']//p[@role='status']")).startswith("0 imported, 5 skipped.")
    for file, result, *_ in report_rows(again):
        assert re.fullmatch(r"skipped: already imported as transcript \d+", result), (file, result)
    assert count(session, Transcript) == 5


def test_one_file_is_imported_through_the_single_file_form(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project_id = new_project(client)
    form = page(client.get(f"/projects/{project_id}/import"))
    one(form, "//form[@id='single-form']//input[@type='file'][@name='files']")
    fields = {
        "mode": "single",
        "dyad": "Dyad 7",
        "role": "client",
        "participant": "C7",
        "session": "5",
        "group": "troubled",
        "date": "2024-03-01",
    }
    files = [("files", ("c7_s5.txt", CLIENT_TEXT.encode("utf-8"), "text/plain"))]

    response = client.post(f"/projects/{project_id}/import", data=fields, files=files, follow_redirects=False)

    job = job_page(client, response)
    assert text(one(job, "//div[@id='job']//p[@role='status']")).startswith("1 imported, 0 skipped.")
    assert report_rows(job)[0][:4] == ["c7_s5.txt", "imported", "text, UTF-8", "I = interviewer; B = client"]
    overview = page(client.get(f"/projects/{project_id}/overview"))
    assert texts(overview, f"//th[{cls('session-head')}]") == ["Session 5"]
    row = one(overview, f"//table[{cls('overview')}]/tbody/tr")
    assert [text(one(row, "./th")), text(row.xpath("./td")[0])] == ["Dyad 7", "troubled"]
    assert text(one(row, f"./td[{cls('role-client')}]/a")) == "C7"
    reading = page(client.get(f"/projects/{project_id}/transcripts/{transcript_of(session, project_id, 'C7')}"))
    assert "interviewed 2024-03-01" in text(one(reading, f"//main/p[{cls('muted')}]"))


def manifest_text(*rows: str) -> str:
    return "\n".join(["file,dyad,role,participant,session,group", *rows]) + "\n"


BAD_UPLOADS = {
    "file not uploaded": (
        {"c2_s3.txt": CLIENT_TEXT},
        manifest_text("c2_s3.txt,Dyad 2,client,C2,3,", "t2_s3.txt,Dyad 2,therapist,T2,3,"),
        "file",
        "manifest row 3 (t2_s3.txt): the file was not uploaded",
    ),
    "bad session": (
        {"c2_s3.txt": CLIENT_TEXT},
        manifest_text("c2_s3.txt,Dyad 2,client,C2,three,"),
        "text",
        "the manifest: row 2 (c2_s3.txt): session 'three' is not a whole number",
    ),
    "unsupported type": (
        {"c2_s3.txt": CLIENT_TEXT, "c2_s3.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"},
        manifest_text("c2_s3.pdf,Dyad 2,client,C2,3,"),
        "file",
        "c2_s3.pdf: unsupported file type '.pdf'; Dyadic reads .docx, .odt, .rtf, .srt, .text, .txt, .vtt",
    ),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_at_once_with_the_manifest_kept(
    client: TestClient, session: Session, ipr: Project, case: str
) -> None:
    contents, manifest, how, message = BAD_UPLOADS[case]
    files: Files = [
        ("files", (name, body if isinstance(body, bytes) else body.encode("utf-8"), "text/plain"))
        for name, body in contents.items()
    ]
    before = (count(session, Transcript), count(session, ImportJob))

    if how == "file":
        response = upload(client, ipr.id, files, manifest=manifest.encode("utf-8"))
    else:
        response = upload(client, ipr.id, files, manifest_text=manifest)

    assert response.status_code == 422
    tree = page(response)
    assert error(tree) == message
    kept = one(tree, "//form[@id='manifest-form']//textarea[@name='manifest_text']").text_content()
    assert kept.strip() == manifest.strip()
    assert (count(session, Transcript), count(session, ImportJob)) == before


def test_single_file_mode_without_a_file_is_refused_with_the_fields_kept(
    client: TestClient, session: Session, ipr: Project
) -> None:
    fields = {"mode": "single", "dyad": "Dyad 7", "role": "client", "participant": "C7", "session": "5"}

    response = client.post(f"/projects/{ipr.id}/import", data=fields, follow_redirects=False)

    assert response.status_code == 422
    tree = page(response)
    assert error(tree) == "choose one transcript file for the single-file import"
    form = one(tree, "//form[@id='single-form']")
    kept = {name: one(form, f".//input[@name='{name}']").get("value") for name in ("dyad", "role", "participant")}
    assert kept == {"dyad": "Dyad 7", "role": "client", "participant": "C7"}
    assert count(session, Transcript) == 5


@pytest.fixture
def small_limit_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"max_file_mb": 0.001}))  # 1,048 bytes
    with TestClient(app) as client:
        yield with_form_token(client)
    app.state.engine.dispose()


def test_a_file_over_the_size_limit_is_refused_with_the_manifest_kept(
    small_limit_client: TestClient, session: Session
) -> None:
    client = small_limit_client
    project_id = new_project(client)
    long_text = "I: Tell me more. #00:00:01-0#\n\nB: " + "I kept talking about the silence. " * 60 + "\n"
    files: Files = [
        ("files", ("c2_s3.txt", CLIENT_TEXT.encode("utf-8"), "text/plain")),
        ("files", ("t2_s3.txt", long_text.encode("utf-8"), "text/plain")),
    ]
    manifest = manifest_text("c2_s3.txt,Dyad 2,client,C2,3,", "t2_s3.txt,Dyad 2,therapist,T2,3,")

    response = upload(client, project_id, files, manifest=manifest.encode("utf-8"))

    assert response.status_code == 422
    tree = page(response)
    message = error(tree)
    assert message.startswith("t2_s3.txt: larger than the limit of ") and message.endswith("nothing was imported")
    assert one(tree, "//textarea[@name='manifest_text']").text_content().strip() == manifest.strip()
    assert count(session, Transcript) == 0 and count(session, ImportJob) == 0


def test_an_import_that_fails_in_the_background_keeps_the_files_for_a_second_try(
    client: TestClient, session: Session, settings: Settings
) -> None:
    project_id = new_project(client)
    manifest = manifest_text("c5_s3.txt,Dyad 5,client,C5,3,", "t5_s3.txt,Dyad 5,therapist,T5,3,")
    files: Files = [
        ("files", ("c5_s3.txt", UNPLACEABLE.encode("utf-8"), "text/plain")),
        ("files", ("t5_s3.txt", CLIENT_TEXT.encode("utf-8"), "text/plain")),
    ]

    job = job_page(client, upload(client, project_id, files, manifest=manifest.encode("utf-8")))

    box = one(job, "//div[@id='job']")
    assert "job-failed" in box.get("class").split()
    assert error(job) == (
        "manifest row 2: c5_s3.txt, line 3: cannot place the speaker label 'X': "
        "it is neither the interviewer nor participant C5 (client)"
    )
    assert "Nothing was imported." in text(box)
    assert count(session, Transcript) == 0
    retry = one(box, ".//a[text()='Fix it and import again']").get("href")

    form = page(client.get(retry))
    kept = text(one(form, "//main/div[@class='panel']/p"))
    assert kept.startswith("Kept from your last attempt: c5_s3.txt, t5_s3.txt.")
    assert one(form, "//form[@id='manifest-form']//textarea[@name='manifest_text']").text_content() == manifest
    token = one(form, "//form[@id='manifest-form']/input[@name='upload']").get("value")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert one(form, "//form[@id='single-form']/input[@name='upload']").get("value") == token
    fixed = UNPLACEABLE.replace("X:", "B:").replace("Y:", "B:")

    again = upload(
        client,
        project_id,
        [("files", ("c5_s3.txt", fixed.encode("utf-8"), "text/plain"))],
        upload=token,
        manifest_text=manifest,
    )

    done = job_page(client, again)
    assert text(one(done, "//div[@id='job']//p[@role='status']")).startswith("2 imported, 0 skipped.")
    assert [cells[:2] for cells in report_rows(done)] == [["c5_s3.txt", "imported"], ["t5_s3.txt", "imported"]]
    assert count(session, Transcript) == 2
    assert not (settings.data_dir / "uploads" / token).exists()


# --- reading ---------------------------------------------------------------------------------------


def test_the_reading_view_shows_turns_speakers_and_times(client: TestClient, session: Session, ipr: Project) -> None:
    transcript = transcript_of(session, ipr.id, "C2")

    tree = page(client.get(f"/projects/{ipr.id}/transcripts/{transcript}"))

    assert text(one(tree, "//h1")) == "Client C2 · Dyad 2 · session 3"
    turns = tree.xpath(f"//article[{cls('transcript')}]/section[{cls('turn')}]")
    assert [text(one(t, ".//span[@class='speaker']")) for t in turns] == ["I", "B", "I", "B"]
    assert [t.get("class").split()[1] for t in turns] == [
        "role-interviewer",
        "role-client",
        "role-interviewer",
        "role-client",
    ]
    assert [text(one(t, ".//time")) for t in turns] == ["00:00:04", "00:00:12", "00:00:15", "00:00:21"]
    assert [text(one(t, ".//p[@class='speech']")) for t in turns] == [
        "Where did you stop the recording?",
        "Here, when she went quiet. I trusted her then (laughs).",
        "What was going on for you?",
        "I felt heard, for the first time — really heard.",
    ]
    assert one(tree, "//a[text()='read dyadically']").get("href").endswith("?session=3")
    assert one(tree, "//a[@rel='next']").get("href") == (
        f"/projects/{ipr.id}/transcripts/{transcript_of(session, ipr.id, 'T2')}"
    )


def test_mark_as_read_answers_htmx_with_a_fragment_and_browsers_with_a_redirect(
    client: TestClient, session: Session, ipr: Project
) -> None:
    first, second = transcript_of(session, ipr.id, "C2"), transcript_of(session, ipr.id, "T2")
    before = page(client.get(f"/projects/{ipr.id}/transcripts/{first}"))
    assert text(one(before, "//div[@id='read-status']//button")) == "Mark as read"

    response = client.post(
        f"/projects/{ipr.id}/transcripts/{first}/read", data={"read": "true"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    parts = lxml.html.fragments_fromstring(response.text)
    assert [(part.tag, part.get("id")) for part in parts] == [("div", "read-status")]
    button = one(parts[0], ".//button")
    assert text(button) == "✓ Read by you" and button.get("aria-pressed") == "true"
    assert one(parts[0], ".//input[@name='read']").get("value") == "false"
    assert text(one(parts[0], ".//p[@class='muted readers']")) == "Read by Ana"

    plain = client.post(f"/projects/{ipr.id}/transcripts/{second}/read", data={"read": "true"}, follow_redirects=False)
    assert location(plain) == f"/projects/{ipr.id}/transcripts/{second}"
    full = page(client.get(location(plain)))
    assert text(one(full, "//div[@id='read-status']//button")) == "✓ Read by you"
    assert one(full, "//title") is not None
    assert count(session, ReadMark) == 2
    phase = page(client.get(f"/projects/{ipr.id}")).xpath(f"//ol[{cls('phases')}]/li")[0]
    assert "2 read by you" in text(one(phase, f".//p[{cls('state')}]"))


def test_read_marks_are_per_person(client: TestClient, session: Session, ipr: Project) -> None:
    transcript = transcript_of(session, ipr.id, "C2")
    url = f"/projects/{ipr.id}/transcripts/{transcript}"
    client.post(f"{url}/read", data={"read": "true"})

    switch_to(client, "Ben", back=url)

    tree = page(client.get(url))
    assert one(tree, "//form[@action='/me']//input[@name='name']").get("value") == "Ben"
    assert text(one(tree, "//div[@id='read-status']//button")) == "Mark as read"
    assert text(one(tree, "//div[@id='read-status']//p[@class='muted readers']")) == "Read by Ana"
    client.post(f"{url}/read", data={"read": "true"})
    both = page(client.get(url))
    assert text(one(both, "//div[@id='read-status']//p[@class='muted readers']")) == "Read by Ana, Ben"
    cell = one(page(client.get(f"/projects/{ipr.id}/overview")), f"//td[@data-transcript='{transcript}']")
    assert text(one(cell, f"./span[{cls('readers')}]")) == "✓ 2 read"

    switch_to(client, "Ana", back=url)
    client.post(f"{url}/read", data={"read": "false"})
    again = page(client.get(url))
    assert text(one(again, "//div[@id='read-status']//button")) == "Mark as read"
    assert text(one(again, "//div[@id='read-status']//p[@class='muted readers']")) == "Read by Ben"


def test_a_familiarisation_memo_is_saved_and_kept_per_person(
    client: TestClient, session: Session, ipr: Project
) -> None:
    url = f"/projects/{ipr.id}/transcripts/{transcript_of(session, ipr.id, 'C2')}"
    note = "Trust arrives with the silence; compare T2 at 00:00:11."

    response = client.post(f"{url}/memo", data={"body": f"  {note}\n"}, headers={"HX-Request": "true"})

    assert response.status_code == 200 and "HX-Request" in response.headers["vary"]
    parts = lxml.html.fragments_fromstring(response.text)
    assert [(part.tag, part.get("id")) for part in parts] == [("div", "memo")]
    assert text(one(parts[0], ".//span[@class='saved']")) == "Saved"
    assert one(parts[0], ".//textarea[@name='body']").text_content() == note

    mine = page(client.get(url))
    assert one(mine, "//textarea[@id='memo-body']").text_content() == note
    assert mine.xpath(f"//div[{cls('other-memo')}]") == []
    assert mine.xpath("//span[@class='saved']") == []

    switch_to(client, "Ben", back=url)
    theirs = page(client.get(url))
    assert one(theirs, "//textarea[@id='memo-body']").text_content() == ""
    other = one(theirs, f"//div[@id='memo']/div[{cls('other-memo')}]")
    author, body = texts(other, "./p")
    assert author.startswith("Ana, ") and body == note
    assert count(session, Memo) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_a_memo_over_the_limit_is_refused_with_the_text_kept(
    client: TestClient, session: Session, ipr: Project, htmx: bool
) -> None:
    url = f"/projects/{ipr.id}/transcripts/{transcript_of(session, ipr.id, 'C2')}"
    body = "long " * 20_000 + "end"  # 100,003 characters
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(f"{url}/memo", data={"body": body}, headers=headers)

    assert response.status_code == 422
    tree = lxml.html.fragments_fromstring(response.text)[0] if htmx else page(response)
    assert error(tree) == "a memo has at most 100,000 characters"
    assert one(tree, "//textarea[@name='body']").text_content() == body
    assert count(session, Memo) == 0


# --- dyads -----------------------------------------------------------------------------------------


def test_the_dyadic_view_puts_the_triad_side_by_side_in_aligned_rows(
    client: TestClient, session: Session, ipr: Project
) -> None:
    dyad = dyad_of(session, ipr.id, "Dyad 2")

    tree = page(client.get(f"/projects/{ipr.id}/dyads/{dyad.id}?session=3"))

    assert text(one(tree, "//h1")) == "Dyad 2 good outcome"
    grid = one(tree, "//div[@id='dyadic']")
    heads = grid.xpath(f"./div[{cls('dyadic-head')}]/div[{cls('column-head')}]")
    assert [text(one(head, ".//strong")) for head in heads] == ["Client", "Therapist", "Interpreter"]
    assert [text(one(head, ".//a")) for head in heads] == ["Client C2", "Therapist T2", "Interpreter I2"]
    assert "Turns are aligned by their time stamps" in text(one(tree, f"//div[{cls('dyadic-tools')}]/p"))
    rows = grid.xpath(f"./div[{cls('dyadic-row')}]")
    assert len(rows) >= 4
    placed = []
    for row in rows:
        cells = row.xpath(f"./div[{cls('dyadic-cell')}]")
        assert [cell.get("data-column") for cell in cells] == ["0", "1", "2"]
        for cell in cells:
            turns = cell.xpath(f"./section[{cls('turn')}]")
            assert len(turns) <= 1
            placed += [(cell.get("data-column"), text(one(t, "./p[@class='speech']"))) for t in turns]
    assert len(placed) == 4 + 4 + 2
    assert ("0", "I felt heard, for the first time — really heard.") in placed
    assert ("1", "I was trusting that she would come back to it.") in placed
    assert ("2", "That both of them waited for me.") in placed
    times = [text(t) for t in grid.xpath(f"./div[{cls('dyadic-row')}]/div[{cls('time-col')}]/time")]
    assert times == sorted(times) and times[0] == "00:00:02"


def test_the_dyad_memo_saves(client: TestClient, session: Session, ipr: Project) -> None:
    dyad = dyad_of(session, ipr.id, "Dyad 2")
    url = f"/projects/{ipr.id}/dyads/{dyad.id}"
    note = "Both stop at the silence; only the client names trust."

    fragment = client.post(f"{url}/memo", data={"body": note, "session": "3"}, headers={"HX-Request": "true"})
    plain = client.post(f"{url}/memo", data={"body": note + " Ask T2.", "session": "3"}, follow_redirects=False)

    parts = lxml.html.fragments_fromstring(fragment.text)
    assert [(part.tag, part.get("id")) for part in parts] == [("section", "dyad-memo")]
    assert text(one(parts[0], ".//span[@class='saved']")) == "Saved"
    assert location(plain) == f"{url}?session=3"
    tree = page(client.get(location(plain)))
    assert one(tree, "//textarea[@id='dyad-memo-body']").text_content() == note + " Ask T2."
    assert count(session, Memo) == 1


def test_a_dyad_of_another_project_or_a_missing_session_is_not_found(
    client: TestClient, session: Session, ipr: Project, tmp_path: Path
) -> None:
    other, _ = study(session, tmp_path / "other", name="Replication")
    foreign = dyad_of(session, other.id, "Dyad 2")
    mine = dyad_of(session, ipr.id, "Dyad 2")

    for response in (
        client.get(f"/projects/{ipr.id}/dyads/{foreign.id}"),
        client.post(f"/projects/{ipr.id}/dyads/{foreign.id}/memo", data={"body": "x"}),
        client.get(f"/projects/{ipr.id}/dyads/{mine.id}?session=5"),
    ):
        assert response.status_code == 404
        tree = page(response)
        assert text(one(tree, "//h1")) == "Not found"
    assert error(page(client.get(f"/projects/{ipr.id}/dyads/{mine.id}?session=5"))) == (
        "Dyad 2 has no transcripts of session 5"
    )
    assert count(session, Memo) == 0


# --- the registry ----------------------------------------------------------------------------------


def dyad_form(tree: HtmlElement, dyad_id: int) -> HtmlElement:
    return one(tree, f"//section[@id='dyad-{dyad_id}']/form")


def test_a_dyad_is_renamed_grouped_and_given_an_attribute(client: TestClient, session: Session, ipr: Project) -> None:
    dyad = dyad_of(session, ipr.id, "Dyad 10")
    data = {
        "label": "Dyad 11",
        "group": "good outcome",
        "attribute_name": ["clinic", ""],
        "attribute_value": ["North", ""],
    }

    response = client.post(f"/projects/{ipr.id}/registry/dyads/{dyad.id}", data=data, follow_redirects=False)

    assert location(response) == f"/projects/{ipr.id}/registry#dyad-{dyad.id}"
    form = dyad_form(page(client.get(f"/projects/{ipr.id}/registry")), dyad.id)
    assert one(form, ".//input[@name='label']").get("value") == "Dyad 11"
    assert one(form, ".//input[@name='group']").get("value") == "good outcome"
    attributes = form.xpath(".//div[@class='attr']")
    assert [a.xpath("./input/@value") for a in attributes[:-1]] == [["clinic", "North"]]
    overview = page(client.get(f"/projects/{ipr.id}/overview"))
    rows = overview.xpath(f"//table[{cls('overview')}]/tbody/tr")
    assert [(text(one(r, "./th")), text(r.xpath("./td")[0])) for r in rows] == [
        ("Dyad 2", "good outcome"),
        ("Dyad 11", "good outcome"),
    ]


def test_renaming_a_dyad_to_a_taken_label_is_refused_with_the_input_kept(
    client: TestClient, session: Session, ipr: Project
) -> None:
    dyad = dyad_of(session, ipr.id, "Dyad 2")
    data = {"label": "Dyad 10", "group": "changed", "attribute_name": ["clinic"], "attribute_value": ["South"]}

    response = client.post(f"/projects/{ipr.id}/registry/dyads/{dyad.id}", data=data, follow_redirects=False)

    assert response.status_code == 422
    tree = page(response)
    assert error(tree) == "another dyad is already called 'Dyad 10'"
    form = dyad_form(tree, dyad.id)
    assert one(form, ".//input[@name='label']").get("value") == "Dyad 10"
    assert one(form, ".//input[@name='group']").get("value") == "changed"
    assert form.xpath(".//div[@class='attr'][1]/input/@value") == ["clinic", "South"]
    untouched = dyad_form(tree, dyad_of(session, ipr.id, "Dyad 10").id)
    assert one(untouched, ".//input[@name='label']").get("value") == "Dyad 10"
    same = dyad_of(session, ipr.id, "Dyad 2")
    assert (same.group, same.attributes) == ("good outcome", {})


def test_a_participant_role_is_edited(client: TestClient, session: Session, ipr: Project) -> None:
    person = session.exec(select(Participant).where(Participant.pseudonym == "I2")).one()
    session.rollback()
    data = {"pseudonym": "I2", "role": "Cultural broker", "attribute_name": ["language"], "attribute_value": ["Farsi"]}

    response = client.post(f"/projects/{ipr.id}/registry/participants/{person.id}", data=data, follow_redirects=False)

    assert location(response) == f"/projects/{ipr.id}/registry#participant-{person.id}"
    row = one(page(client.get(f"/projects/{ipr.id}/registry")), f"//tr[@id='participant-{person.id}']")
    assert one(row, ".//input[@name='role']").get("value") == "cultural broker"
    assert row.xpath(".//div[@class='attr'][1]/input/@value") == ["language", "Farsi"]
    overview = page(client.get(f"/projects/{ipr.id}/overview"))
    assert texts(overview, "//thead/tr[2]/th[@class]") == ["Client", "Therapist", "Cultural broker"]

    refused = client.post(
        f"/projects/{ipr.id}/registry/participants/{person.id}", data={"pseudonym": "I2", "role": "interviewer"}
    )
    assert refused.status_code == 422
    tree = page(refused)
    assert "'interviewer' is not a participant role" in error(tree)
    assert one(tree, f"//tr[@id='participant-{person.id}']//input[@name='role']").get("value") == "interviewer"


def test_an_attribute_table_sets_groups_and_attributes(client: TestClient, session: Session, ipr: Project) -> None:
    table = b"dyad,group,clinic\nDyad 2,troubled,South\nDyad 10,good outcome,North\n"

    response = client.post(
        f"/projects/{ipr.id}/registry/attributes",
        files={"file": ("attributes.csv", table, "text/csv")},
        follow_redirects=False,
    )

    assert location(response) == f"/projects/{ipr.id}/registry"
    overview = page(client.get(f"/projects/{ipr.id}/overview"))
    rows = overview.xpath(f"//table[{cls('overview')}]/tbody/tr")
    assert [(text(one(r, "./th")), text(r.xpath("./td")[0])) for r in rows] == [
        ("Dyad 2", "troubled"),
        ("Dyad 10", "good outcome"),
    ]
    registry = page(client.get(f"/projects/{ipr.id}/registry"))
    form = dyad_form(registry, dyad_of(session, ipr.id, "Dyad 10").id)
    assert form.xpath(".//div[@class='attr'][1]/input/@value") == ["clinic", "North"]


def test_an_attribute_table_naming_an_unknown_dyad_changes_nothing(
    client: TestClient, session: Session, ipr: Project
) -> None:
    table = b"dyad,group,clinic\nDyad 2,troubled,South\nDyad 99,troubled,North\n"

    response = client.post(
        f"/projects/{ipr.id}/registry/attributes", files={"file": ("attributes.csv", table, "text/csv")}
    )

    assert response.status_code == 422
    assert error(page(response)) == "attributes.csv: row 3: no dyad 'Dyad 99' in this project"
    dyads = {d.label: (d.group, d.attributes) for d in session.exec(select(Dyad)).all()}
    session.rollback()
    assert dyads == {"Dyad 2": ("good outcome", {}), "Dyad 10": ("troubled", {})}


# --- not found, and hostile text -------------------------------------------------------------------


def test_unknown_things_are_not_found(client: TestClient, session: Session, ipr: Project, tmp_path: Path) -> None:
    other, _ = study(session, tmp_path / "other", name="Replication")
    foreign = transcript_of(session, other.id, "C2")

    for url in (
        "/projects/9999",
        "/projects/9999/overview",
        "/projects/9999/import",
        f"/projects/{ipr.id}/transcripts/{foreign}",
        f"/projects/{ipr.id}/transcripts/9999",
        f"/projects/{ipr.id}/imports/9999",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        tree = page(response)
        assert text(one(tree, "//h1")) == "Not found"
        assert error(tree).startswith("no ")
    marked = client.post(f"/projects/{ipr.id}/transcripts/{foreign}/read", data={"read": "true"})
    assert marked.status_code == 404
    assert count(session, ReadMark) == 0


def test_markup_in_a_transcript_is_shown_as_text(client: TestClient, session: Session, tmp_path: Path) -> None:
    project_id = new_project(client)
    folder = tmp_path / "hostile"
    write_manifest(
        folder,
        [("c7_s1.txt", "Dyad 7", "client", "C7", 1, ""), ("t7_s1.txt", "Dyad 7", "therapist", "T7", 1, "")],
        files={"c7_s1.txt": HOSTILE, "t7_s1.txt": THERAPIST_HOSTILE},
    )
    files: Files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(folder.glob("*.txt"))]
    job_page(client, upload(client, project_id, files, manifest=(folder / "manifest.csv").read_bytes()))
    url = f"/projects/{project_id}/transcripts/{transcript_of(session, project_id, 'C7')}"
    client.post(f"{url}/memo", data={"body": "<b>bold</b> <script>alert(3)</script>"})

    reading = page(client.get(url))
    transcript = one(reading, f"//article[{cls('transcript')}]")
    assert transcript.xpath(".//script | .//img") == []
    assert "I wrote <script>alert(1)</script> and <img src=x onerror=alert(2)> in my diary." in text(transcript)
    assert reading.xpath("//script/@src") == ["/static/vendor/htmx-2.0.11.min.js", "/static/dyadic.js"]
    assert one(reading, "//textarea[@id='memo-body']").text_content() == "<b>bold</b> <script>alert(3)</script>"

    dyadic = page(client.get(f"/projects/{project_id}/dyads/{dyad_of(session, project_id, 'Dyad 7').id}"))
    grid = one(dyadic, "//div[@id='dyadic']")
    assert grid.xpath(".//script | .//img") == []
    assert "<img src=x onerror=alert(2)>" in text(grid)
    assert "<script>alert(4)</script>" in text(grid)

    switch_to(client, "Ben", back=url)
    other = one(page(client.get(url)), f"//div[{cls('other-memo')}]")
    assert other.xpath(".//b | .//script") == []
    assert "<b>bold</b> <script>alert(3)</script>" in text(other)


def test_files_of_an_abandoned_upload_are_removed_after_a_day(client: TestClient) -> None:
    project_id = new_project(client)
    stale = client.app.state.settings.data_dir / "uploads" / ("a" * 32)
    stale.mkdir(parents=True)
    (stale / "c1.txt").write_text("I: a\n\nB: b\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    fresh = stale.with_name("b" * 32)
    fresh.mkdir()

    client.post(f"/projects/{project_id}/import", data={"mode": "manifest", "manifest_text": "file,dyad\n"})

    assert not stale.exists()
    assert fresh.exists()
