"""The themes in the browser without JavaScript (phases 3–5 and the frequency table): the candidate board, a
theme's page, review and coverage, the frequency table and its downloads. On SQLite and PostgreSQL.

The study (tests/themes/study.py): Dyad 2 is a triad (C2, T2, I2; C2 also about session 5), Dyad 10 a client
and a therapist, Dyad 1 and Dyad 9 one client each. The web app's person is Ana.
"""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from coding.models import Code
from tests.themes.study import Study, build
from themes.models import ExtractReview, Theme, ThemeCode
from themes.themes import create_theme
from transcripts.models import Dyad


@pytest.fixture
def s(session: Session, tmp_path: Path) -> Study:
    study = build(session, tmp_path / "study")
    heard, trust, waiting, _ = (study.code(name) for name in ("heard", "trust", "waiting", "spare"))
    study.mark(heard, "C2", "heard")
    study.mark(heard, "C10", "heard")
    study.mark(trust, "T2", "trusting")
    study.mark(waiting, "I2", "waited")
    study.mark(heard, "C2", "heard", number=5)
    pid = study.project.id or 0
    theme = create_theme(session, project_id=pid, user=study.ana, name="Being heard", code_ids=[heard.id or 0])
    create_theme(session, project_id=pid, user=study.ana, name="Trust", code_ids=[trust.id or 0], parent_id=theme.id)
    return study


def ids(s: Study) -> dict[str, int]:
    found = {theme.name: theme.id or 0 for theme in s.session.exec(select(Theme))}
    return found | {f"code:{code.name}": code.id or 0 for code in s.session.exec(select(Code))}


def html(response) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.text)


def get(client: TestClient, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return html(response)


def text(node: lxml.html.HtmlElement, xpath: str) -> str:
    return " ".join(node.xpath(f"string({xpath})").split())


def members(s: Study, theme: str) -> set[str]:
    s.session.expire_all()
    rows = s.session.exec(
        select(Code.name)
        .join(ThemeCode, ThemeCode.code_id == Code.id)
        .join(Theme, Theme.id == ThemeCode.theme_id)
        .where(Theme.name == theme)
    )
    return set(rows)


def test_the_board_lists_unassigned_codes_and_theme_cards(client: TestClient, s: Study) -> None:
    board = get(client, f"/projects/{s.project.id}/themes")
    free = board.xpath("//li[contains(@class, 'board-code')]")
    assert [text(li, ".//a[@class='code-name']") for li in free] == ["waiting", "spare"]
    assert [text(li, ".//span[@class='counts']") for li in free] == ["1 coding", "0 codings"]
    assert all(li.get("draggable") == "true" for li in free)
    theme_id = ids(s)["Being heard"]
    card = board.xpath("//article[@id=$id]", id=f"theme-{theme_id}")[0]
    assert text(card, ".//h3") == "Being heard"
    assert text(card, ".//span[contains(@class, 'status')]") == "candidate"
    # the card covers its subtheme: C2 twice (sessions 3 and 5), C10 once, T2 once
    assert text(card, "./p[contains(@class, 'glance')]") == ("4 coded passages · 2/4 dyads: Dyad 2 (C+T), Dyad 10 (C)")
    assert [text(a, ".") for a in card.xpath("./ul[@class='member-codes']//a")] == ["heard"]
    (sub,) = card.xpath("./article[contains(@class, 'subtheme')]")
    assert text(sub, ".//h3") == "Trust" and "1/4 dyads: Dyad 2 (T)" in text(sub, "./p[contains(@class, 'glance')]")
    assert "not of its importance" in text(board, "//section[contains(@class, 'board-themes')]/p[@class='hint']")
    assert board.xpath("//nav//a[@href=$u]", u=f"/projects/{s.project.id}/themes")


def test_creating_a_theme_from_selected_codes_and_a_refusal_keeps_the_choice(client: TestClient, s: Study) -> None:
    found = ids(s)
    url = f"/projects/{s.project.id}/themes"
    codes = [found["code:waiting"], found["code:spare"]]
    refused = client.post(url, data={"name": "  ", "code_id": codes})
    assert refused.status_code == 422
    page = html(refused)
    assert text(page, "//p[@role='alert']") == "a theme needs a name"
    assert sorted(page.xpath("//input[@form='selected-codes'][@checked]/@value")) == sorted(map(str, codes))
    clash = html(client.post(url, data={"name": "being HEARD", "code_id": codes}))
    assert text(clash, "//p[@role='alert']") == "the top level already has a theme called 'Being heard'"
    assert clash.xpath("string(//form[@id='selected-codes']//input[@name='name']/@value)") == "being HEARD"

    created = client.post(url, data={"name": "Waiting together", "code_id": codes}, follow_redirects=False)
    assert created.status_code == 303
    new_id = ids(s)["Waiting together"]
    assert created.headers["location"] == f"{url}#theme-{new_id}"
    assert members(s, "Waiting together") == {"waiting", "spare"}
    board = get(client, url)
    assert board.xpath("//li[contains(@class, 'board-code')]") == []
    assert text(board, f"//article[@id='theme-{new_id}']//h3") == "Waiting together"


def test_adding_and_removing_codes_by_form_and_by_a_drop(client: TestClient, s: Study) -> None:
    found = ids(s)
    pid, theme_id = s.project.id, found["Being heard"]
    added = client.post(
        f"/projects/{pid}/themes/assign",
        data={"theme_id": theme_id, "code_id": found["code:waiting"]},
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (303, f"/projects/{pid}/themes#theme-{theme_id}")
    assert members(s, "Being heard") == {"heard", "waiting"}

    removed = client.post(f"/projects/{pid}/themes/{theme_id}/codes/{found['code:heard']}/remove")
    assert removed.status_code == 200 and members(s, "Being heard") == {"waiting"}
    again = client.post(f"/projects/{pid}/themes/{theme_id}/codes/{found['code:heard']}/remove")
    assert again.status_code == 422
    assert text(html(again), "//p[@role='alert']") == "the code 'heard' is not a member of 'Being heard'"

    nowhere = client.post(f"/projects/{pid}/themes/assign", data={"theme_id": "", "code_id": found["code:spare"]})
    assert nowhere.status_code == 422
    assert text(html(nowhere), "//p[@role='alert']") == "choose the theme to add the codes to"

    # what the script sends on a drop: the board comes back as a fragment, with the code on the card
    dropped = client.post(
        f"/projects/{pid}/themes/assign",
        data={"theme_id": theme_id, "code_id": found["code:spare"]},
        headers={"HX-Request": "true"},
    )
    assert dropped.status_code == 200 and "<html" not in dropped.text
    fragment = html(dropped)
    assert fragment.get("id") == "board"
    assert "spare" in [text(a, ".") for a in fragment.xpath(f"//article[@id='theme-{theme_id}']/ul//a")]


def test_reordering_and_discarding_from_the_board(client: TestClient, s: Study) -> None:
    pid = s.project.id
    create_theme(s.session, project_id=pid or 0, user=s.ana, name="Waiting")
    found = ids(s)
    client.post(f"/projects/{pid}/themes/{found['Waiting']}/move", data={"direction": "up"})
    board = get(client, f"/projects/{pid}/themes")
    assert [text(h, ".") for h in board.xpath("//div[@class='theme-cards']/article/header/h3")] == [
        "Waiting",
        "Being heard",
    ]
    client.post(f"/projects/{pid}/themes/{found['Being heard']}/discard")
    board = get(client, f"/projects/{pid}/themes")
    assert [text(h, ".") for h in board.xpath("//div[@class='theme-cards']/article/header/h3")] == ["Waiting"]
    assert [text(a, ".") for a in board.xpath("//details[@class='discarded-themes']//a")] == ["Being heard", "Trust"]
    # its codes are free again
    assert {"heard", "trust"} <= {text(a, ".") for a in board.xpath("//li[contains(@class, 'board-code')]//a")}
    bad = client.post(f"/projects/{pid}/themes/{found['Waiting']}/move", data={"direction": "sideways"})
    assert (
        bad.status_code == 422 and text(html(bad), "//p[@role='alert']") == "a theme moves up or down, not 'sideways'"
    )


def test_the_theme_form_saves_and_a_stale_version_gets_the_conflict(client: TestClient, s: Study) -> None:
    found = ids(s)
    url = f"/projects/{s.project.id}/themes/{found['Being heard']}"
    page = get(client, url)
    form = {
        field.get("name"): field.value
        for field in page.xpath(
            "//form[@aria-label='Define the theme']//*[self::input or self::textarea or self::select]"
        )
    }
    assert form["version"] == "1" and form["status"] == "candidate"
    form |= {
        "name": "Feeling heard",
        "central_concept": "Being met <em>as a person</em>",
        "definition": "Moments the client felt understood.",
        "scope": "Not: agreement with the therapist.",
        "status": "developing",
    }
    saved = client.post(url, data=form, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, f"{url}?saved=1")
    page = get(client, f"{url}?saved=1")
    assert text(page, "//h1") == "Feeling heard developing"
    assert text(page, "//p[@role='status']") == "Saved."
    assert page.xpath("string(//textarea[@name='central_concept'])") == "Being met <em>as a person</em>"
    assert not page.xpath("//em"), "user text is escaped"
    assert "renamed 'Being heard' to 'Feeling heard'" in text(page, "//section[@id='history']")

    stale = client.post(url, data=form | {"name": "Heard, again"})  # still version 1
    assert stale.status_code == 422
    page = html(stale)
    assert text(page, "//section[@id='define']//p[@role='alert']") == (
        "'Feeling heard' was changed meanwhile by someone else: your version is kept in the form"
    )
    assert page.xpath("string(//form[@aria-label='Define the theme']//input[@name='name']/@value)") == "Heard, again"
    both = page.xpath("//section[@aria-label='Both versions']//table/tbody/tr")
    assert [[cell.text_content() for cell in row.xpath("th|td")] for row in both] == [
        ["name", "Feeling heard", "Heard, again"]
    ]
    assert "Saved meanwhile by Ana" in text(page, "//section[@aria-label='Both versions']/p")
    s.session.expire_all()
    assert s.session.get(Theme, found["Being heard"]).name == "Feeling heard"  # type: ignore[union-attr]
    # The form now carries the saved version: saving again replaces theirs, knowingly.
    saved_version = s.session.get(Theme, found["Being heard"]).version  # type: ignore[union-attr]
    assert page.xpath("string(//form[@aria-label='Define the theme']//input[@name='version']/@value)") == str(
        saved_version
    )

    bad_parent = client.post(url, data=form | {"version": "2", "parent_id": str(found["Trust"])})
    assert bad_parent.status_code == 422
    assert (
        text(html(bad_parent), "//p[@role='alert']")
        == "'Feeling heard' cannot go under 'Trust': 'Trust' lies inside it"
    )


def test_merge_split_discard_and_delete_from_the_theme_page(client: TestClient, s: Study) -> None:
    pid = s.project.id or 0
    found = ids(s)
    create_theme(s.session, project_id=pid, user=s.ana, name="Waiting", code_ids=[found["code:waiting"]])
    found = ids(s)
    url = f"/projects/{pid}/themes/{found['Being heard']}"

    empty = client.post(f"{url}/merge", data={})
    assert empty.status_code == 422
    assert text(html(empty), "//form[@id='merge']//p[@role='alert']") == "choose the themes to merge into 'Being heard'"
    merged = client.post(f"{url}/merge", data={"source_id": found["Waiting"]}, follow_redirects=False)
    assert merged.status_code == 303
    assert members(s, "Being heard") == {"heard", "waiting"}
    page = get(client, url)
    assert "'Waiting' merged into this theme" in text(page, "//section[@id='history']")
    assert s.session.get(Theme, found["Waiting"]).status == "discarded"  # type: ignore[union-attr]

    no_name = client.post(f"{url}/split", data={"new_name": "", "code_id": found["code:waiting"]})
    assert no_name.status_code == 422
    page = html(no_name)
    assert text(page, "//form[@id='split']//p[@role='alert']") == "a theme needs a name"
    assert page.xpath("//form[@id='split']//input[@name='code_id'][@checked]/@value") == [str(found["code:waiting"])]
    split = client.post(
        f"{url}/split", data={"new_name": "Waiting apart", "code_id": found["code:waiting"]}, follow_redirects=False
    )
    new_id = ids(s)["Waiting apart"]
    assert split.headers["location"] == f"/projects/{pid}/themes/{new_id}"
    assert members(s, "Waiting apart") == {"waiting"} and members(s, "Being heard") == {"heard"}

    client.post(f"/projects/{pid}/themes/{new_id}/discard", data={"back": "theme"})
    page = get(client, f"/projects/{pid}/themes/{new_id}")
    assert text(page, "//h1/span") == "discarded"

    confirm = get(client, f"/projects/{pid}/themes/{new_id}/delete")
    assert text(confirm, "//h1") == "Delete Waiting apart?"
    deleted = client.post(f"/projects/{pid}/themes/{new_id}/delete", follow_redirects=False)
    assert deleted.headers["location"] == f"/projects/{pid}/themes"
    assert client.get(f"/projects/{pid}/themes/{new_id}").status_code == 404


def test_choosing_and_dropping_illustrative_extracts(client: TestClient, s: Study) -> None:
    found = ids(s)
    url = f"/projects/{s.project.id}/themes/{found['Being heard']}"
    page = get(client, url)
    choices = page.xpath("//details[@class='choose-extracts']//li")
    assert len(choices) == 4  # its own code's three and its subtheme's one
    coding_id = choices[1].get("id").removeprefix("extract-")
    client.post(f"{url}/extracts/{coding_id}/choose")
    page = get(client, url)
    (chosen,) = page.xpath("//ol[contains(@class, 'chosen-extracts')]/li")
    assert text(chosen, ".//strong[@class='label']") == "(client, dyad 2)"
    client.post(f"{url}/extracts/{coding_id}/drop")
    assert get(client, url).xpath("//ol[contains(@class, 'chosen-extracts')]/li") == []
    again = client.post(f"{url}/extracts/{coding_id}/drop")
    assert again.status_code == 422
    assert "is not among the chosen extracts" in text(html(again), "//section[@id='chosen']//p[@role='alert']")


def test_review_verdicts_are_stored_and_summarised(client: TestClient, s: Study) -> None:
    pid = s.project.id or 0
    found = ids(s)
    create_theme(s.session, project_id=pid, user=s.ana, name="Waiting", code_ids=[found["code:waiting"]])
    found = ids(s)
    url = f"/projects/{pid}/themes/{found['Being heard']}/review"
    page = get(client, url)
    items = page.xpath("//li[contains(@class, 'review-item')]")
    assert [text(li, ".//strong[@class='label']") for li in items] == [
        "(client, dyad 2)",  # session 3
        "(client, dyad 2)",  # session 5
        "(therapist, dyad 2)",  # through the subtheme Trust
        "(client, dyad 10)",
    ]
    assert text(page, "//p[@class='review-summary']") == "0 fit, 0 do not, 0 to move, 4 not reviewed yet"
    first, second, third = (li.get("id").removeprefix("extract-") for li in items[:3])
    assert items[0].xpath(".//a[@class='in-place']/@href")[0].startswith(f"/projects/{pid}/transcripts/")

    assert client.post(f"{url}/{first}", data={"verdict": "fits"}, follow_redirects=False).status_code == 303
    client.post(f"{url}/{second}", data={"verdict": "does_not_fit", "note": "about silence, not being heard"})
    refused = client.post(f"{url}/{third}", data={"verdict": "move", "target_theme_id": "", "note": "kept"})
    assert refused.status_code == 422
    page = html(refused)
    assert text(page, f"//li[@id='extract-{third}']//p[@role='alert']") == "choose the theme the extract should move to"
    assert page.xpath(f"string(//li[@id='extract-{third}']//input[@name='note']/@value)") == "kept"
    client.post(f"{url}/{third}", data={"verdict": "move", "target_theme_id": found["Waiting"]})

    page = get(client, url)
    assert text(page, "//p[@class='review-summary']") == "1 fit, 1 do not, 1 to move, 1 not reviewed yet"
    assert text(page, f"//li[@id='extract-{third}']//p[@class='verdict']") == "Verdict: move to another theme → Waiting"
    s.session.expire_all()
    stored = {r.coding_id: r.verdict for r in s.session.exec(select(ExtractReview))}
    assert stored == {int(first): "fits", int(second): "does_not_fit", int(third): "move"}

    # the separate step: give the extract's code to the theme it belongs in
    (button,) = page.xpath(f"//li[@id='extract-{third}']//form[contains(@class, 'move-code')]//button")
    assert text(button, ".") == "Add its code “trust” to Waiting"
    moved = client.post(
        f"/projects/{pid}/themes/assign",
        data={
            "theme_id": found["Waiting"],
            "code_id": found["code:trust"],
            "back": "review",
            "page_theme": found["Being heard"],
        },
        follow_redirects=False,
    )
    assert moved.headers["location"].startswith(url)
    assert members(s, "Waiting") == {"waiting", "trust"}


def test_coverage_shows_what_no_theme_touches(client: TestClient, s: Study) -> None:
    pid = s.project.id
    page = get(client, f"/projects/{pid}/themes/coverage")
    grid = {
        text(tr, "./th"): [text(td, ".") for td in tr.xpath("./td")]
        for tr in page.xpath("//table[contains(@class, 'coverage-grid')]/tbody/tr")
    }
    assert grid["Dyad 2 good outcome"] == ["C+T", "1/1"]
    assert grid["Dyad 10 troubled"] == ["C", "1/1"]
    assert grid["Dyad 1 troubled"] == ["", "0/1"]
    untouched = [text(a, ".") for a in page.xpath("//ul[@class='untouched-transcripts']//a")]
    assert untouched == ["c1_s3", "i2_s3", "c9_s3", "t10_s3"]
    row = page.xpath("//table[contains(@class, 'untouched-turns')]//tr[td[1]='c1_s3']")[0]
    assert text(row, "./td[5]") == "2 of 2"
    assert row.xpath(".//a/@href")[0].endswith("#turn-1")


def test_the_frequency_table_page_links_cells_to_their_extracts(client: TestClient, s: Study) -> None:
    pid = s.project.id
    found = ids(s)
    page = get(client, f"/projects/{pid}/themes/table")
    header = [text(th, ".") for th in page.xpath("//table[contains(@class, 'frequency-table')]/thead/tr/th")]
    assert header == ["Theme", "Dyad 1", "Dyad 2", "Dyad 9", "Dyad 10", "n/N"]
    rows = page.xpath("//table[contains(@class, 'frequency-table')]/tbody/tr")
    cells = [[text(cell, ".") for cell in tr.xpath("./*")] for tr in rows]
    assert cells == [["Being heard", "", "C+T", "", "C", "2/4"], ["Trust", "", "T", "", "", "1/4"]]
    assert "depth-1" in rows[1].xpath("./th/@class")[0]
    link = rows[0].xpath("./td[2]/a/@href")[0]
    dyad2 = s.session.exec(select(Dyad.id).where(Dyad.label == "Dyad 2")).one()
    codes = f"code={found['code:heard']}&code={found['code:trust']}"
    assert link == f"/projects/{pid}/extracts?{codes}&dyad={dyad2}&subcodes=0"
    assert "heat-" in rows[0].xpath("./td[2]/@class")[0]
    assert "not a measure of its importance" in text(page, "//p[@id='table-caption']")
    extracts = get(client, link)
    labels = [text(e, ".") for e in extracts.xpath("//li[contains(@class, 'extract-item')]//strong[@class='label']")]
    assert labels == ["(client, dyad 2)", "(client, dyad 2)", "(therapist, dyad 2)"]

    counts = get(client, f"/projects/{pid}/themes/table?cells=count&session=3&by_group=1")
    rows = counts.xpath("//table[contains(@class, 'frequency-table')]/tbody/tr")
    assert [text(th, ".") for th in counts.xpath("//thead/tr[@class='bands']/th")] == [
        "good outcome",
        "troubled",
        "no group",
    ]
    # bands: Dyad 2 | Dyad 1, Dyad 10 | Dyad 9; session 3 only: C2 and T2 in Dyad 2, C10 in Dyad 10
    cells = [text(cell, ".") for cell in rows[0].xpath("./*")]
    assert cells == ["Being heard", "2", "", "1", "", "1/1", "1/2", "0/1", "2/4"]
    assert "session=3" in rows[0].xpath("./td[1]/a/@href")[0]
    bad = client.get(f"/projects/{pid}/themes/table?session=8")
    assert bad.status_code == 422
    assert text(html(bad), "//p[@role='alert']") == "no interviews about session 8 in this project"


def test_the_frequency_table_downloads(client: TestClient, s: Study) -> None:
    base = f"/projects/{s.project.id}/themes/table"
    page = get(client, base)
    hrefs = page.xpath("//p[@class='downloads']/a/@href")
    assert [h.split("?")[0] for h in hrefs] == [f"{base}.{f}" for f in ("csv", "md", "tex", "xlsx", "docx")]
    csv = client.get(f"{base}.csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.decode("utf-8-sig").splitlines()[0] == "theme,subtheme,Dyad 1,Dyad 2,Dyad 9,Dyad 10,n_dyads"
    assert "attachment" in csv.headers["content-disposition"]
    assert client.get(f"{base}.md").headers["content-type"].startswith("text/markdown")
    assert "\\toprule" in client.get(f"{base}.tex").text
    xlsx = client.get(f"{base}.xlsx?cells=count")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]] == ["Being heard", None, 0, 3, 0, 1, 2]  # counts as numbers
    docx = client.get(f"{base}.docx")
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    assert Document(io.BytesIO(docx.content)).tables
    unknown = client.get(f"{base}.pdf")
    assert unknown.status_code == 422 and unknown.text.startswith("unknown format 'pdf'")


def test_the_project_page_links_the_theme_phases(client: TestClient, s: Study) -> None:
    pid = s.project.id
    home = get(client, f"/projects/{pid}")
    for phase, href in ((3, "themes"), (4, "themes/coverage"), (5, "themes"), (4, "themes/table")):
        assert home.xpath(f"//li[@id='phase-{phase}']//a[@href=$u]", u=f"/projects/{pid}/{href}"), (phase, href)
