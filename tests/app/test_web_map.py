"""The thematic map in the browser: the page with the map inline, its refresh by htmx, and its downloads."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from tests.factories import make_code, researcher, study
from themes.themes import create_theme, discard_theme, update_theme
from transcripts.models import Project

SVG = "{http://www.w3.org/2000/svg}"


def themed(session: Session, tmp_path: Path) -> tuple[Project, int]:
    """Safety (heard, trust) with the subtheme Being heard (silence); Repair (trust); Doubt, discarded (doubt)."""
    project, _ = study(session, tmp_path)
    ana = researcher(session)
    pid = project.id or 0
    heard, trust, silence, doubt = (
        make_code(session, project, name) for name in ("heard", "trust", "silence", "doubt")
    )
    safety = create_theme(session, project_id=pid, user=ana, name="Safety <&> 🌱", code_ids=[heard.id, trust.id])  # type: ignore[list-item]
    create_theme(session, project_id=pid, user=ana, name="Being heard", parent_id=safety.id, code_ids=[silence.id])  # type: ignore[list-item]
    create_theme(session, project_id=pid, user=ana, name="Repair", code_ids=[trust.id], status="final")  # type: ignore[list-item]
    doubt_theme = create_theme(session, project_id=pid, user=ana, name="Doubt", code_ids=[doubt.id])  # type: ignore[list-item]
    discard_theme(session, theme_id=doubt_theme.id or 0, user=ana)
    return project, safety.id or 0


def inline_map(html: str) -> lxml.etree._Element:
    """The page's inline SVG, read as XML (as the browser's SVG parser reads it)."""
    (frame,) = lxml.html.fromstring(html).xpath("//div[@id='thematic-map']")
    (svg,) = frame.xpath(".//*[local-name()='svg']")
    return lxml.etree.fromstring(lxml.html.tostring(svg, encoding="unicode"), lxml.etree.XMLParser())


def labels(svg: lxml.etree._Element) -> list[str]:
    return [" ".join(text.itertext()) for text in svg.iter(f"{SVG}text", "text")]


def test_the_page_shows_the_map_inline_with_its_key_and_downloads(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _ = themed(session, tmp_path)
    response = client.get(f"/projects/{project.id}/themes/map")
    assert response.status_code == 200 and response.headers["vary"] == "HX-Request"
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//h1)") == "Thematic map"
    svg = inline_map(response.text)
    names = labels(svg)
    for name in ("Safety <&> 🌱", "Being heard", "Repair", "heard", "trust", "silence"):
        assert name in names, name
    assert "Doubt" not in names and "doubt" not in names, "a discarded theme is left out"
    assert "&lt;&amp;&gt;" in response.text and "Safety <&>" not in response.text
    assert not [element.tag for element in svg.iter() if element.get("style") is not None]
    assert not page.xpath("//*[local-name()='svg']//*[local-name()='style' or local-name()='script']")
    assert page.xpath("//a[text()='SVG']/@href") == [f"/projects/{project.id}/themes/map.svg"]
    assert page.xpath("//a[text()='PNG']/@href") == [f"/projects/{project.id}/themes/map.png"]
    key = [" ".join(item.text_content().split()) for item in page.xpath("//ul[@class='map-key']/li")]
    assert "theme: final" in key and "subtheme" in key and "code in several themes" in key
    (frame,) = page.xpath("//div[@id='thematic-map']")
    assert frame.get("hx-get") == f"/projects/{project.id}/themes/map"
    assert "every 30s" in frame.get("hx-trigger") and "visibilitychange" in frame.get("hx-trigger")


def test_htmx_gets_the_map_alone_and_it_follows_the_themes(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, safety_id = themed(session, tmp_path)
    update_theme(session, theme_id=safety_id, user=researcher(session), name="Feeling safe")
    response = client.get(f"/projects/{project.id}/themes/map", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = lxml.html.fragment_fromstring(response.text, create_parent="div")
    assert not fragment.xpath("//h1") and not fragment.xpath("//ul[@class='map-key']")
    (svg,) = fragment.xpath(".//*[local-name()='svg']")
    names = [" ".join(text.itertext()) for text in svg.xpath(".//*[local-name()='text']")]
    assert "Feeling safe" in names and "Safety <&> 🌱" not in names


def test_discarded_themes_are_drawn_only_when_asked_for(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = themed(session, tmp_path)
    response = client.get(f"/projects/{project.id}/themes/map?discarded=1")
    names = labels(inline_map(response.text))
    assert "Doubt" in names and "doubt" in names
    page = lxml.html.fromstring(response.text)
    assert page.xpath("//a[text()='SVG']/@href") == [f"/projects/{project.id}/themes/map.svg?discarded=1"]
    assert page.xpath("//div[@id='thematic-map']/@hx-get") == [f"/projects/{project.id}/themes/map?discarded=1"]
    assert page.xpath("//a[text()='Leave out discarded themes']/@href") == [f"/projects/{project.id}/themes/map"]
    refused = client.get(f"/projects/{project.id}/themes/map?discarded=maybe")
    assert refused.status_code == 422 and "discarded must be 1" in refused.text


def test_the_downloads_are_an_svg_file_and_a_png_picture(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _ = themed(session, tmp_path)
    svg = client.get(f"/projects/{project.id}/themes/map.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-disposition"] == 'attachment; filename="thematic-map-ipr-study.svg"'
    root = lxml.etree.fromstring(svg.content)
    assert root.tag == f"{SVG}svg" and "Safety <&> 🌱" in labels(root) and "Doubt" not in labels(root)
    with_discarded = lxml.etree.fromstring(client.get(f"/projects/{project.id}/themes/map.svg?discarded=1").content)
    assert "Doubt" in labels(with_discarded)

    png = client.get(f"/projects/{project.id}/themes/map.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.headers["content-disposition"] == 'attachment; filename="thematic-map-ipr-study.png"'
    image = Image.open(io.BytesIO(png.content))
    width, height = (int(value) for value in root.get("viewBox", "").split()[2:])
    assert image.format == "PNG" and image.size == (width * 2, height * 2)


def test_an_unknown_project_has_no_map(client: TestClient, session: Session, tmp_path: Path) -> None:
    study(session, tmp_path)
    for url in ("/projects/999/themes/map", "/projects/999/themes/map.svg", "/projects/999/themes/map.png"):
        assert client.get(url).status_code == 404, url


@pytest.mark.browser
def test_the_open_map_redraws_itself_when_the_page_comes_back_into_view(  # type: ignore[no-untyped-def]
    browser_page, session: Session, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    project, safety_id = themed(session, tmp_path)
    page.goto(f"/projects/{project.id}/themes/map")
    page.evaluate("window.__dyadicMark = 'still here'")  # survives an htmx swap, not a reload
    expect(page.locator("#thematic-map svg text", has_text="Repair")).to_have_count(1)
    update_theme(session, theme_id=safety_id, user=researcher(session), name="Feeling safe")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the tab shown again
    expect(page.locator("#thematic-map svg text", has_text="Feeling safe")).to_have_count(1)
    assert page.evaluate("window.__dyadicMark") == "still here"
    assert page.locator("#thematic-map svg").count() == 1
