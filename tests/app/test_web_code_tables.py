"""The code tables through the web, as a researcher without JavaScript meets them: the codes × dyads matrix
(roles or counts, links to the extracts of a code in a dyad, group bands), code co-occurrence with its
drill-down into the passages, the CSV downloads, and refusals of bad input. Pages are parsed with lxml; each
test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from lxml.html import HtmlElement
from sqlmodel import Session

from tests.coding.code_tables_study import TablesStudy, import_study, tables_study
from tests.coding.test_cooccurrence import Overlapping, overlapping_study


def page(response: Response) -> HtmlElement:
    assert "<html" in response.text
    return lxml.html.document_fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def one(tree: HtmlElement, xpath: str) -> HtmlElement:
    found = tree.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} elements"
    return found[0]


def error(tree: HtmlElement) -> str:
    return text(one(tree, "//*[@role='alert']"))


def csv_rows(response: Response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def matrix_cells(tree: HtmlElement) -> dict[str, list[str]]:
    """Each row's code → what its cells say (dyad columns, then n dyads)."""
    table = one(tree, "//table[contains(@class, 'matrix')]")
    return {text(row.xpath("./th")[0]): [text(cell) for cell in row.xpath("./td")] for row in table.xpath("./tbody/tr")}


@pytest.fixture
def coded(session: Session, tmp_path: Path) -> TablesStudy:
    return tables_study(session, tmp_path / "study")


def test_the_matrix_shows_roles_per_dyad_in_group_bands(client: TestClient, coded: TablesStudy) -> None:
    pid = coded.project.id
    tree = page(client.get(f"/projects/{pid}/code-matrix"))

    bands = [(text(th), th.get("colspan")) for th in tree.xpath("//thead/tr[@class='bands']/th")]
    assert bands == [("good outcome", "1"), ("troubled", "1"), ("no group", "1")]
    heads = [text(th) for th in tree.xpath("//thead/tr[@class='dyads']/th")]
    assert heads == ["Code", "Dyad 2", "Dyad 10", "Dyad 3", "n dyads"]
    assert matrix_cells(tree) == {
        "Trust": ["C+T+I", "C", "", "2"],
        "Doubt": ["T", "C", "", "2"],
        "Silence": ["T", "T", "", "2"],
    }
    assert "not how much it matters" in text(one(tree, "//p[@id='matrix-caption']"))


def test_each_non_empty_cell_links_to_the_codes_extracts_in_that_dyad(client: TestClient, coded: TablesStudy) -> None:
    pid = coded.project.id
    tree = page(client.get(f"/projects/{pid}/code-matrix"))

    trust = one(tree, f"//tr[@id='row-{coded.trust.id}']")
    cells = trust.xpath("./td[contains(@class, 'cell')]")
    assert [cell.xpath("./a/@href") for cell in cells] == [
        [f"/projects/{pid}/extracts?code={coded.trust.id}&dyad={coded.dyads['Dyad 2']}"],
        [f"/projects/{pid}/extracts?code={coded.trust.id}&dyad={coded.dyads['Dyad 10']}"],
        [],
    ]
    assert [cell.get("class") for cell in cells] == ["cell heat-4", "cell heat-2", "cell heat-0"]
    assert not tree.xpath("//*[@style]") and not tree.xpath("//script[not(@src)]")


def test_counts_and_the_session_filter(client: TestClient, coded: TablesStudy) -> None:
    pid = coded.project.id
    counts = page(client.get(f"/projects/{pid}/code-matrix", params={"cells": "count"}))
    fifth = page(client.get(f"/projects/{pid}/code-matrix", params={"session": "5", "subcodes": "0"}))

    assert matrix_cells(counts)["Trust"] == ["3", "1", "", "2"]
    assert matrix_cells(fifth) == {
        "Trust": ["", "", "", "0"],
        "Doubt": ["", "C", "", "1"],
        "Silence": ["", "", "", "0"],
    }
    assert one(fifth, "//input[@name='session'][@value='5']").get("checked") is not None
    assert one(fifth, "//select[@name='subcodes']/option[@selected]").get("value") == "0"


def test_the_matrix_csv_downloads_in_natural_dyad_order(client: TestClient, coded: TablesStudy) -> None:
    pid = coded.project.id
    tree = page(client.get(f"/projects/{pid}/code-matrix", params={"cells": "count"}))
    href = one(tree, "//a[starts-with(@href, '/projects/') and contains(@href, 'code-matrix.csv')]").get("href")

    rows = csv_rows(client.get(href))
    assert rows[0] == ["code", "code_path", "Dyad 2", "Dyad 3", "Dyad 10", "n_dyads"]
    assert rows[1:] == [
        ["Trust", "Trust", "3", "0", "1", "2"],
        ["Doubt", "Trust > Doubt", "1", "0", "1", "2"],
        ["Silence", "Silence", "1", "0", "1", "2"],
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cells": "colour"}, "cells must be 'role' or 'count', not 'colour'"),
        ({"session": "three"}, "'three' is not a session number"),
        ({"subcodes": "yes"}, "subcodes must be 1 (with subcodes) or 0 (own codings only), not 'yes'"),
    ],
)
def test_bad_options_get_one_line(client: TestClient, coded: TablesStudy, query: dict[str, str], message: str) -> None:
    for path in ("code-matrix", "code-matrix.csv"):
        response = client.get(f"/projects/{coded.project.id}/{path}", params=query)
        assert response.status_code == 422
        assert error(page(response)) == message


def test_unknown_project_is_not_found(client: TestClient, coded: TablesStudy) -> None:
    for path in ("code-matrix", "code-matrix.csv", "cooccurrence", "cooccurrence.csv"):
        response = client.get(f"/projects/999/{path}")
        assert response.status_code == 404
        assert error(page(response)) == "no project with id 999"


def test_codebook_and_navigation_link_to_the_tables(client: TestClient, coded: TablesStudy) -> None:
    tree = page(client.get(f"/projects/{coded.project.id}/codebook"))

    assert tree.xpath(f"//a[@href='/projects/{coded.project.id}/code-matrix']")
    assert tree.xpath(f"//a[@href='/projects/{coded.project.id}/cooccurrence']")


# --- co-occurrence --------------------------------------------------------------------------------------


@pytest.fixture
def overlapping(session: Session, tmp_path: Path) -> Overlapping:
    return overlapping_study(session, tmp_path / "overlaps")


def test_the_cooccurrence_triangle_links_each_pair_to_its_passages(
    client: TestClient, overlapping: Overlapping
) -> None:
    pid = overlapping.project.id
    a, b = overlapping.a.id, overlapping.b.id
    tree = page(client.get(f"/projects/{pid}/cooccurrence"))

    rows = [[text(cell) for cell in row.xpath("./th|./td")] for row in tree.xpath("//table/tbody/tr")]
    assert rows == [
        ["1. A", "2", "", "", ""],
        ["2. B", "3", "3", "", ""],
        ["3. C", "1", "", "1", ""],
        ["4. D", "", "", "1", "1"],
    ]
    link = one(tree, f"//tr[@id='row-{b}']/td/a")
    assert link.get("href") == f"/projects/{pid}/cooccurrence/{a}/{b}"
    assert not tree.xpath("//*[@style]") and not tree.xpath("//script[not(@src)]")


def test_the_pair_page_lists_overlapping_passages_with_quote_labels(
    client: TestClient, session: Session, overlapping: Overlapping
) -> None:
    pid = overlapping.project.id
    tree = page(client.get(f"/projects/{pid}/cooccurrence/{overlapping.a.id}/{overlapping.b.id}"))

    items = tree.xpath("//ol[@class='overlaps']/li")
    assert [text(one(item, ".//*[@class='quote-label']")) for item in items] == [
        "(client, dyad 2)",
        "(client, dyad 10)",
        "(client, dyad 10)",
    ]
    c2 = overlapping.c2
    at = c2.text.index("I felt heard")
    first = items[0]
    assert text(one(first, ".//blockquote")) == " ".join(c2.text[at : at + 20].split())
    assert text(one(first, ".//mark")) == c2.text[at + 2 : at + 10]
    href = one(first, ".//a").get("href")
    assert href.startswith(f"/projects/{pid}/transcripts/{c2.id}#turn-")
    reading = page(client.get(href.split("#")[0]))
    assert reading.xpath(f"//*[@id='{href.split('#')[1]}']")


def test_the_pair_page_keeps_the_session_filter(client: TestClient, overlapping: Overlapping) -> None:
    pid = overlapping.project.id
    table = page(client.get(f"/projects/{pid}/cooccurrence", params={"session": "5"}))
    href = one(table, f"//tr[@id='row-{overlapping.b.id}']/td/a").get("href")
    assert href.endswith("?session=5")

    items = page(client.get(href)).xpath("//ol[@class='overlaps']/li")
    assert len(items) == 2


@pytest.mark.parametrize("which", ["unknown", "other project"])
def test_pairs_with_a_code_not_of_this_project_are_not_found(
    client: TestClient, session: Session, overlapping: Overlapping, tmp_path: Path, which: str
) -> None:
    pid = overlapping.project.id
    other = 9999 if which == "unknown" else overlapping_study(session, tmp_path / "other", name="Other").b.id
    response = client.get(f"/projects/{pid}/cooccurrence/{overlapping.a.id}/{other}")

    assert response.status_code == 404
    assert error(page(response)) == f"no code with id {other} in this project"
    listed = client.get(f"/projects/{pid}/cooccurrence", params={"code": [str(overlapping.a.id), str(other)]})
    assert listed.status_code == 404


def test_a_code_with_itself_is_refused(client: TestClient, overlapping: Overlapping) -> None:
    a = overlapping.a.id
    response = client.get(f"/projects/{overlapping.project.id}/cooccurrence/{a}/{a}")

    assert response.status_code == 422
    assert error(page(response)) == "choose two different codes to see where they overlap"


def test_the_cooccurrence_csv_downloads(client: TestClient, overlapping: Overlapping) -> None:
    pid = overlapping.project.id
    rows = csv_rows(client.get(f"/projects/{pid}/cooccurrence.csv"))
    chosen = csv_rows(
        client.get(f"/projects/{pid}/cooccurrence.csv", params={"code": [overlapping.a.id, overlapping.c.id]})
    )

    assert rows[0] == ["code_a", "code_a_path", "code_b", "code_b_path", "passages", "dyads"]
    assert ["A", "A", "B", "B", "3", "2"] in rows
    assert chosen[1:] == [
        ["A", "A", "A", "A", "2", "2"],
        ["A", "A", "C", "C", "1", "1"],
        ["C", "C", "C", "C", "1", "1"],
    ]


def test_a_project_without_codes_says_so(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = import_study(session, tmp_path / "empty")
    matrix = page(client.get(f"/projects/{project.id}/code-matrix"))
    table = page(client.get(f"/projects/{project.id}/cooccurrence"))

    assert "No codes yet" in text(one(matrix, "//main"))
    assert "No codes yet" in text(one(table, "//main"))
    assert not matrix.xpath("//table") and not table.xpath("//table")
