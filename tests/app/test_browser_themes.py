"""Themes in a real browser: build a theme from two codes on the candidate board, open the frequency table,
click a cell and read its extracts; and drag a code onto a theme's card."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.themes.study import build
from themes.models import Theme, ThemeCode
from themes.themes import create_theme

pytestmark = pytest.mark.browser


def test_build_a_theme_from_two_codes_then_open_a_cell_of_the_frequency_table(
    browser_page, session: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    s = build(session, tmp_path / "study")
    heard, trust = s.code("heard"), s.code("trust")
    s.code("spare")  # in no theme: stays on the board
    s.mark(heard, "C2", "heard")
    s.mark(trust, "T2", "trusting")
    s.mark(heard, "C10", "heard")
    page = browser_page

    page.goto(f"/projects/{s.project.id}/themes")
    page.locator(f"#free-code-{heard.id} input[type=checkbox]").check()
    page.locator(f"#free-code-{trust.id} input[type=checkbox]").check()
    page.locator("#selected-codes input[name=name]").fill("Being heard")
    page.get_by_role("button", name="Create a theme from the selected codes").click()

    card = page.locator("article.theme-card").filter(has=page.get_by_role("heading", name="Being heard"))
    expect(card).to_have_count(1)
    expect(card.locator(".member-codes a")).to_have_text(["heard", "trust"])
    expect(card.locator(".n-dyads")).to_have_text("2/4 dyads")
    expect(page.locator(".board-code .code-name")).to_have_text(["spare"])
    theme = session.exec(select(Theme).where(Theme.name == "Being heard")).one()
    assert {row.code_id for row in session.exec(select(ThemeCode).where(ThemeCode.theme_id == theme.id))} == {
        heard.id,
        trust.id,
    }

    page.get_by_role("link", name="Frequency table").first.click()
    expect(page.locator("#table-caption")).to_contain_text("not a measure of its importance")
    row = page.locator(f"#row-{theme.id}")
    expect(row.locator("td.cell a")).to_have_text(["C+T", "C"])
    row.locator("td.cell a").first.click()  # Dyad 2
    expect(page.locator("h1")).to_have_text("Coded extracts")
    expect(page.locator(".extract-item .label")).to_have_text(["(client, dyad 2)", "(therapist, dyad 2)"])
    expect(page.locator(".extract-item blockquote")).to_have_text(["heard", "trusting"])


def test_drag_a_code_onto_a_theme_card(browser_page, session: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    s = build(session, tmp_path / "study")
    heard, waiting = s.code("heard"), s.code("waiting")
    s.mark(waiting, "I2", "waited")
    theme = create_theme(
        session, project_id=s.project.id or 0, user=s.ana, name="Being heard", code_ids=[heard.id or 0]
    )
    page = browser_page

    page.goto(f"/projects/{s.project.id}/themes")
    page.drag_and_drop(f"#free-code-{waiting.id} .drag-handle", f"#theme-{theme.id} .theme-card-head")

    card = page.locator(f"#theme-{theme.id}")
    expect(card.locator(".member-codes a")).to_have_text(["heard", "waiting"])
    expect(card.locator(".dyads")).to_have_text("Dyad 2 (I)")
    expect(page.locator(".board-code")).to_have_count(0)
    session.expire_all()
    assert {row.code_id for row in session.exec(select(ThemeCode).where(ThemeCode.theme_id == theme.id))} == {
        heard.id,
        waiting.id,
    }
