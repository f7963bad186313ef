"""The codebook through the web, as a researcher without JavaScript meets it (htmx fragments asked for with
the ``HX-Request`` header): the tree with counts, adding and editing codes, moving, merging, splitting and
deleting them, their history, and the downloads. Pages are parsed with lxml; each test runs on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlmodel import Session, col, select

from coding.apply import apply_code
from coding.models import Code, Coding
from tests.factories import make_code, researcher, study
from transcripts.models import Participant, Project, Transcript
from transcripts.projects import create_project

HX = {"HX-Request": "true"}


def page(response: Response) -> HtmlElement:
    return lxml.html.document_fromstring(response.text)


def fragment(response: Response) -> HtmlElement:
    assert "<html" not in response.text
    return lxml.html.fragment_fromstring(response.text.strip())


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def one(tree: HtmlElement, xpath: str) -> HtmlElement:
    found = tree.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} elements"
    return found[0]


def error(tree: HtmlElement) -> str:
    return text(one(tree, "//*[@role='alert']"))


def location(response: Response) -> str:
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"]


def codes(session: Session, project: Project) -> list[tuple[str, str | None, int]]:
    """(name, parent's name, position) of every code, as the database now has them."""
    session.rollback()
    session.expire_all()
    found = session.exec(select(Code).where(Code.project_id == project.id).order_by(col(Code.id))).all()
    by_id = {c.id: c.name for c in found}
    return [(c.name, by_id.get(c.parent_id), c.position) for c in found]


def under(session: Session, project: Project, parent: Code | None) -> list[str]:
    """The names of a code's subcodes (or the top-level codes) in the team's order."""
    session.rollback()
    session.expire_all()
    query = select(Code.name).where(Code.project_id == project.id, Code.parent_id == (parent.id if parent else None))
    return list(session.exec(query.order_by(col(Code.position), col(Code.id))))


def code_of(session: Session, project: Project, name: str) -> Code:
    session.rollback()
    return session.exec(select(Code).where(Code.project_id == project.id, Code.name == name)).one()


def coded(session: Session, project: Project, code: Code, pseudonym: str, start: int, end: int) -> Coding:
    transcript = session.exec(
        select(Transcript)
        .join(Participant)
        .where(Participant.pseudonym == pseudonym, Transcript.project_id == project.id)
    ).one()
    coding = apply_code(
        session, transcript_id=transcript.id or 0, code_id=code.id or 0, start=start, end=end, coder=researcher(session)
    )
    return coding


@pytest.fixture
def ipr(session: Session, tmp_path: Path) -> Project:
    project, _ = study(session, tmp_path / "study")
    session.rollback()
    return project


@pytest.fixture
def tree(session: Session, ipr: Project) -> dict[str, Code]:
    """Relationship > Trust, Relationship > Silence, and Rupture; Trust coded in Dyad 2 (twice) and Dyad 10."""
    relationship = make_code(session, ipr, "Relationship")
    made = {
        "Relationship": relationship,
        "Trust": make_code(session, ipr, "Trust", parent=relationship),
        "Silence": make_code(session, ipr, "Silence", parent=relationship),
        "Rupture": make_code(session, ipr, "Rupture"),
    }
    coded(session, ipr, made["Trust"], "C2", 10, 30)
    coded(session, ipr, made["Trust"], "T2", 5, 25)
    coded(session, ipr, made["Trust"], "C10", 10, 30)
    session.rollback()
    return made


def base(project: Project, code: Code) -> str:
    return f"/projects/{project.id}/codebook/{code.id}"


# --- the page and a new code ---------------------------------------------------------------------------


def test_the_codebook_shows_the_tree_with_counts_and_adds_a_code(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    listing = page(client.get(f"/projects/{ipr.id}/codebook"))

    top = listing.xpath("//nav[@aria-label='Codes']/ul/li")
    assert [text(one(li, "./div//a[@class='code-name']")) for li in top] == ["Relationship", "Rupture"]
    nested = top[0].xpath("./ul/li")
    assert [li.get("id") for li in nested] == [f"code-{tree['Trust'].id}", f"code-{tree['Silence'].id}"]
    assert text(one(nested[0], ".//span[@class='counts']")) == "3 codings · 3 transcripts · 2 dyads"
    assert (
        text(one(top[0], "./div//span[@class='counts total']")) == "with subcodes: 3 codings · 3 transcripts · 2 dyads"
    )
    up = one(nested[0], ".//button[@aria-label='Move Trust up']")
    assert (
        up.get("disabled") is not None
        and one(nested[1], ".//button[@aria-label='Move Silence up']").get("disabled") is None
    )
    assert one(listing, "//a[text()='CSV']").get("href") == f"/projects/{ipr.id}/codebook.csv"

    response = client.post(
        f"/projects/{ipr.id}/codebook",
        data={"name": "Safety", "parent_id": str(tree["Trust"].id), "definition": "Feeling safe", "colour": ""},
        follow_redirects=False,
    )
    safety = code_of(session, ipr, "Safety")
    assert location(response) == f"/projects/{ipr.id}/codebook#code-{safety.id}"
    assert (safety.parent_id, safety.definition, safety.colour) == (
        tree["Trust"].id,
        "Feeling safe",
        "#0072b2",
    )  # the fifth colour


def test_a_clashing_new_code_is_refused_with_422_and_the_input_kept(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    data = {
        "name": "trust",
        "parent_id": str(tree["Relationship"].id),
        "definition": "Leaning on\nthe therapist",
        "inclusion": "explicit",
        "colour": "#cc79a7",
    }
    response = client.post(f"/projects/{ipr.id}/codebook", data=data, follow_redirects=False)

    assert response.status_code == 422
    form = one(page(response), "//form[@aria-label='Add a code']")
    assert error(page(response)) == "the code 'Relationship' already has a code called 'Trust'"
    assert one(form, ".//input[@name='name']").get("value") == "trust"
    assert one(form, ".//textarea[@name='definition']").text_content() == "Leaning on\nthe therapist"
    assert one(form, ".//textarea[@name='inclusion']").text_content() == "explicit"
    assert one(form, ".//select[@name='parent_id']/option[@selected]").text_content() == "Relationship"
    assert one(form, ".//select[@name='colour']/option[@selected]").get("value") == "#cc79a7"
    assert len(codes(session, ipr)) == 4


# --- editing in place -------------------------------------------------------------------------------


def test_a_code_is_edited_inline_and_a_bad_edit_comes_back_with_422(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    trust = tree["Trust"]
    editor = fragment(client.get(f"{base(ipr, trust)}/edit", headers=HX))
    assert editor.get("id") == f"code-row-{trust.id}"
    assert one(editor, ".//form[@aria-label='Edit Trust']").get("hx-post") == base(ipr, trust)
    full = page(client.get(f"{base(ipr, trust)}/edit"))  # the same form as a page, for browsers without htmx
    assert text(one(full, "//h1")) == "Edit “Trust”"

    fields = {"definition": "Relying on her", "inclusion": "", "exclusion": "", "example": "", "colour": "#0072b2"}
    saved = client.post(base(ipr, trust), data={"name": "Trusting", **fields}, headers=HX)
    row = fragment(saved)
    assert saved.status_code == 200 and row.get("class") == "code-row"
    assert text(one(row, ".//a[@class='code-name']")) == "Trusting"
    assert text(one(row, ".//p[@class='definition']")) == "Relying on her"

    clash = {"name": "SILENCE", **fields, "example": "I was quiet"}
    refused = client.post(base(ipr, trust), data=clash, follow_redirects=False)
    assert refused.status_code == 422
    form = one(page(refused), "//form[@aria-label='Edit Trusting']")
    assert error(page(refused)) == "the code 'Relationship' already has a code called 'Silence'"
    assert one(form, ".//input[@name='name']").get("value") == "SILENCE"
    assert one(form, ".//textarea[@name='example']").text_content() == "I was quiet"
    partial = client.post(base(ipr, trust), data=clash, headers=HX)
    assert partial.status_code == 422 and fragment(partial).get("id") == f"code-row-{trust.id}"
    assert code_of(session, ipr, "Trusting").example == ""

    without_js = client.post(base(ipr, trust), data={"name": "Trust", **fields}, follow_redirects=False)
    assert location(without_js) == f"/projects/{ipr.id}/codebook#code-{trust.id}"


def test_codes_move_with_the_buttons_and_the_parent_select_but_not_under_themselves(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    trust, relationship = tree["Trust"], tree["Relationship"]
    assert location(client.post(f"{base(ipr, trust)}/move", data={"direction": "down"}, follow_redirects=False))
    assert under(session, ipr, relationship) == ["Silence", "Trust"]
    client.post(f"{base(ipr, trust)}/move", data={"direction": "up"}, follow_redirects=False)
    assert under(session, ipr, relationship) == ["Trust", "Silence"]

    assert location(client.post(f"{base(ipr, trust)}/move", data={"parent_id": ""}, follow_redirects=False))
    assert under(session, ipr, None) == ["Relationship", "Rupture", "Trust"]

    cycle = client.post(f"{base(ipr, relationship)}/move", data={"parent_id": str(tree["Silence"].id)})
    assert cycle.status_code == 422
    assert error(page(cycle)) == "cannot move 'Relationship' under 'Silence': 'Silence' lies inside it"

    make_code(session, ipr, "trust", parent=tree["Rupture"])
    clash = client.post(f"{base(ipr, trust)}/move", data={"parent_id": str(tree["Rupture"].id)})
    assert clash.status_code == 422
    assert error(page(clash)) == "the code 'Rupture' already has a code called 'trust'"
    move_form = one(page(clash), "//form[@aria-label='Move Trust']")
    assert one(move_form, ".//option[@selected]").text_content() == "Rupture"
    assert under(session, ipr, None) == ["Relationship", "Rupture", "Trust"]


# --- merging, splitting, deleting -------------------------------------------------------------------


def test_merging_chooses_a_target_confirms_and_keeps_the_history(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    trust, rupture = tree["Trust"], tree["Rupture"]
    trust_url = base(ipr, trust)
    chooser = page(client.get(f"{base(ipr, tree['Relationship'])}/merge"))
    options = [o.text_content() for o in chooser.xpath("//select[@name='target_id']/option[@value!='']")]
    assert options == ["Rupture"]  # not itself, nor its own subcodes

    confirm = page(client.get(f"{base(ipr, trust)}/merge", params={"target_id": rupture.id}))
    assert text(one(confirm, "//h2[@id='confirm-head']")) == "Merge “Trust” into “Rupture”?"
    button = one(confirm, "//section[@class='panel confirm']//form[@method='post']//button")
    assert text(button) == "Merge “Trust” into “Rupture”"

    response = client.post(f"{base(ipr, trust)}/merge", data={"target_id": rupture.id}, follow_redirects=False)

    assert location(response) == f"/projects/{ipr.id}/codebook#code-{rupture.id}"
    assert [name for name, _, _ in codes(session, ipr)] == ["Relationship", "Silence", "Rupture"]
    assert {c.code_id for c in session.exec(select(Coding))} == {rupture.id}
    history = page(client.get(base(ipr, rupture)))
    assert "'Relationship > Trust' merged into this code: 3 codings moved here" in [
        text(s) for s in history.xpath("//li[@class='history-entry']//span[@class='summary']")
    ]
    assert client.get(trust_url).status_code == 404


def test_splitting_lists_the_codings_and_moves_the_ticked_ones(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    trust = tree["Trust"]
    form = one(page(client.get(f"{base(ipr, trust)}/split")), "//form[@aria-label='Split Trust']")
    rows = form.xpath(".//table/tbody/tr")
    assert [[text(td) for td in row.xpath("./td")[2:]] for row in rows] == [
        ["Dyad 2", "Client C2", "c2_s3", "Ana"],
        ["Dyad 2", "Therapist T2", "t2_s3", "Ana"],
        ["Dyad 10", "Client C10", "c10_s3", "Ana"],
    ]
    assert all(text(row.xpath("./td")[1]) for row in rows)  # the passage itself
    ids = [box.get("value") for box in form.xpath(".//input[@type='checkbox']")]

    refused = client.post(f"{base(ipr, trust)}/split", data={"new_name": "", "coding_id": ids[1:]})
    assert refused.status_code == 422
    assert error(page(refused)) == "a code name has 1 to 200 characters"
    kept = page(refused).xpath("//input[@type='checkbox'][@checked]/@value")
    assert kept == ids[1:]

    response = client.post(
        f"{base(ipr, trust)}/split",
        data={"new_name": "Trust in the frame", "coding_id": ids[1:]},
        follow_redirects=False,
    )
    new = code_of(session, ipr, "Trust in the frame")
    assert location(response) == f"/projects/{ipr.id}/codebook#code-{new.id}"
    assert new.parent_id == tree["Relationship"].id
    moved = session.exec(select(Coding.id).where(Coding.code_id == new.id).order_by(col(Coding.id))).all()
    assert [str(i) for i in moved] == sorted(ids[1:], key=int)


def test_deleting_asks_what_happens_to_the_codings(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    trust = tree["Trust"]
    ask = page(client.get(f"{base(ipr, trust)}/delete"))
    assert text(one(ask, "//legend")) == "What happens to its 3 codings?"
    assert ask.xpath("//input[@name='codings']/@value") == ["delete", "move_to_parent"]

    refused = client.post(f"{base(ipr, trust)}/delete", data={})
    assert refused.status_code == 422
    assert error(page(refused)) == (
        "'Trust' has 3 codings: choose whether to delete them or move them to its parent 'Relationship'"
    )
    assert len(codes(session, ipr)) == 4

    response = client.post(f"{base(ipr, trust)}/delete", data={"codings": "move_to_parent"}, follow_redirects=False)
    assert location(response) == f"/projects/{ipr.id}/codebook"
    assert [name for name, _, _ in codes(session, ipr)] == ["Relationship", "Silence", "Rupture"]
    assert {c.code_id for c in session.exec(select(Coding))} == {tree["Relationship"].id}

    rupture = page(client.get(f"{base(ipr, tree['Rupture'])}/delete"))
    assert text(one(rupture, "//form//p[not(@class)]")) == "It has no codings."
    assert location(client.post(f"{base(ipr, tree['Rupture'])}/delete", follow_redirects=False))


def test_the_history_shows_renames_with_before_and_after(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    silence = tree["Silence"]
    fields = {"definition": "", "inclusion": "", "exclusion": "", "example": "", "colour": "#4c78a8"}
    client.post(base(ipr, silence), data={"name": "Silences", **fields})

    entries = page(client.get(base(ipr, silence))).xpath("//ol[@class='history']/li")
    assert len(entries) == 1
    assert "Ana: renamed 'Silence' to 'Silences'" in text(entries[0])
    assert [text(td) for td in entries[0].xpath(".//tbody/tr/*")] == ["name", "Silence", "Silences"]


# --- downloads, and other projects' codes ------------------------------------------------------------


def test_the_codebook_downloads_as_csv_and_docx(client: TestClient, ipr: Project, tree: dict[str, Code]) -> None:
    response = client.get(f"/projects/{ipr.id}/codebook.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"codebook-ipr-study.csv\"; filename*=UTF-8''Codebook%20IPR%20study.csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["path"] for r in rows] == ["Relationship", "Relationship > Trust", "Relationship > Silence", "Rupture"]
    assert rows[1]["codings"] == "3"

    document = client.get(f"/projects/{ipr.id}/codebook.docx")
    assert document.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert document.headers["content-disposition"].startswith('attachment; filename="codebook-ipr-study.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document.content)).paragraphs]
    assert "■ Trust" in paragraphs


def test_a_code_of_another_project_is_not_found(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    other = create_project(session, name="Pilot", user=researcher(session))
    elsewhere = make_code(session, other, "Elsewhere")
    session.rollback()
    trust = tree["Trust"]

    assert client.get(f"/projects/{other.id}/codebook/{trust.id}/edit").status_code == 404
    assert client.post(f"/projects/{other.id}/codebook/{trust.id}", data={"name": "X"}).status_code == 404
    assert client.post(f"{base(ipr, trust)}/merge", data={"target_id": elsewhere.id}).status_code == 404
    assert client.get(f"/projects/{ipr.id}/codebook/999999/split").status_code == 404
    assert [name for name, _, _ in codes(session, ipr)] == ["Relationship", "Trust", "Silence", "Rupture"]


def test_a_second_editor_sees_both_versions_and_may_save_again(
    client: TestClient, session: Session, ipr: Project, tree: dict[str, Code]
) -> None:
    code = tree["Trust"]
    url = f"/projects/{ipr.id}/codebook/{code.id}"
    form = page(client.get(f"{url}/edit"))
    fields = {i.get("name"): i.get("value") or "" for i in form.xpath("//form[contains(@class,'code-form')]//input")}
    assert fields["version"] == "1"
    mine = {"name": code.name, "definition": "Mine: leaning on the other", "colour": code.colour, "version": "1"}
    theirs = {"name": code.name, "definition": "Theirs: counting on someone", "colour": code.colour, "version": "1"}
    assert client.post(url, data=theirs, follow_redirects=False).status_code == 303

    stale = client.post(url, data=mine)
    assert stale.status_code == 422
    tree_ = page(stale)
    assert error(tree_) == f"{code.name!r} was changed meanwhile by someone else: your version is kept in the form"
    rows = tree_.xpath("//section[@aria-label='Both versions']//tbody/tr")
    assert [[text(cell) for cell in row.xpath("th|td")] for row in rows] == [
        ["definition", "Theirs: counting on someone", "Mine: leaning on the other"]
    ]
    assert one(tree_, "//textarea[@name='definition']").text == "Mine: leaning on the other"
    session.expire_all()
    assert session.get(Code, code.id).definition == "Theirs: counting on someone"  # type: ignore[union-attr]

    version = one(tree_, "//input[@name='version']").get("value")
    again = client.post(url, data=mine | {"version": version}, follow_redirects=False)
    assert again.status_code == 303
    session.expire_all()
    assert session.get(Code, code.id).definition == "Mine: leaning on the other"  # type: ignore[union-attr]
