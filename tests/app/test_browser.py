"""A researcher's first hour in a real browser: create a project, import a study, read dyadically.

The real app runs under uvicorn on this test's database (SQLite and PostgreSQL); Debian's Chromium is
driven through Playwright, so htmx and Dyadic's own script run as they do for users.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import small_study_manifest

pytestmark = pytest.mark.browser


def mark_page(page) -> None:  # type: ignore[no-untyped-def]
    """Leave a mark in the page's window: it survives htmx swaps, not a reload."""
    page.evaluate("window.__dyadicMark = 'still here'")


def same_page(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("window.__dyadicMark") == "still here"


def test_import_a_study_and_read_a_triad_side_by_side(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    manifest = small_study_manifest(tmp_path / "study")
    transcripts = sorted(str(path) for path in manifest.parent.glob("*.txt"))

    # A new project, through the form on the project list.
    page.goto("/")
    page.get_by_label("Name", exact=True).fill("IPR study")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    expect(page.locator("h1")).to_have_text("IPR study")
    expect(page.locator("ol.phases > li")).to_have_count(6)

    # The study: five transcripts and the manifest, chosen on the file inputs.
    page.locator("nav.project-nav").get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/projects/\d+/import$"))
    form = page.locator("#manifest-form")
    form.locator("input[name=files]").set_input_files(transcripts)
    form.locator("input[name=manifest]").set_input_files(str(manifest))
    form.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/projects/\d+/imports/\d+$"))
    expect(page.locator("#job p[role=status]")).to_contain_text("5 imported, 0 skipped")
    expect(page.locator("#job table.report tbody tr")).to_have_count(5)
    expect(page.locator("#job table.report tbody tr").first).to_contain_text("I = interviewer; B = client")

    # The overview, then Dyad 2 side by side.
    page.get_by_role("link", name="Open the study overview").click()
    page.wait_for_url(re.compile(r"/projects/\d+/overview$"))
    rows = page.locator("table.overview tbody tr")
    expect(rows.locator("th")).to_have_text(["Dyad 2", "Dyad 10"])
    rows.filter(has=page.locator("th", has_text=re.compile(r"^\s*Dyad 2\s*$"))).get_by_role(
        "link", name="side by side"
    ).click()
    page.wait_for_url(re.compile(r"/projects/\d+/dyads/\d+\?session=3$"))
    grid = page.locator("#dyadic")
    expect(grid.locator(".column-head strong")).to_have_text(["Client", "Therapist", "Interpreter"])
    expect(grid.locator(".dyadic-cell[data-column='0']").filter(has_text="I felt heard")).to_have_count(1)
    expect(grid.locator(".dyadic-cell[data-column='1']").filter(has_text="stay with the silence")).to_have_count(1)
    expect(grid.locator(".dyadic-cell[data-column='2']").filter(has_text="both of them waited")).to_have_count(1)
    screenshot = tmp_path / "dyadic.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    # Hiding the interviewer leaves the participants' speech.
    interviewer = grid.locator(".turn.role-interviewer")
    assert interviewer.count() == 5  # 2 in the client's, 2 in the therapist's, 1 in the interpreter's interview
    for index in range(interviewer.count()):
        expect(interviewer.nth(index)).to_be_visible()
    mark_page(page)
    page.get_by_label("Hide the interviewer").check()
    for index in range(interviewer.count()):
        expect(interviewer.nth(index)).to_be_hidden()
    expect(grid.locator(".turn.role-client").first).to_be_visible()
    assert same_page(page)

    # The dyad memo is saved by htmx: "Saved" appears, and the page is not reloaded.
    memo = page.locator("#dyad-memo")
    memo.locator("textarea[name=body]").fill("Both stop at the silence; only the client names trust.")
    memo.get_by_role("button", name="Save memo").click()
    expect(page.locator("#dyad-memo .saved")).to_have_text("Saved")
    expect(page.locator("#dyad-memo textarea[name=body]")).to_have_value(
        "Both stop at the silence; only the client names trust."
    )
    assert same_page(page)
    expect(page.get_by_label("Hide the interviewer")).to_be_checked()
    expect(interviewer.first).to_be_hidden()

    # Marking the client's interview as read changes the button in place.
    grid.locator(".column-head").first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/projects/\d+/transcripts/\d+$"))
    expect(page.locator("h1")).to_contain_text("C2 · Dyad 2 · session 3")
    expect(page.locator("article.transcript .turn")).to_have_count(4)
    mark_page(page)
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator("#read-status button")).to_have_text("✓ Read by you")
    expect(page.locator("#read-status button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#read-status .readers")).to_have_text("Read by Ana")
    assert same_page(page)
