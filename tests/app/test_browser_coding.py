"""Coding in a real browser: select, pick a code, see the stripe, open it, widen it, remove it.

The selection is made in the page and converted by Dyadic's script from the browser's UTF-16 offsets to
code points; the test checks what the database stored, with emoji in the passage.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.models import Coding
from tests.factories import make_code, researcher, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Transcript
from transcripts.projects import create_project

pytestmark = pytest.mark.browser

WORD_CENTRE = """(word) => {
  // Where a word of the speech is on the screen, as a researcher would point at it.
  const walker = document.createTreeWalker(document.querySelector('.coding-surface'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(word);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    const box = range.getBoundingClientRect();
    return [box.left + box.width / 2, box.top + box.height / 2];
  }
}"""

TEXT = (
    "I: What was it like? #00:00:01-0#\n\n"
    "B: It was 😀 strange, and then I felt heard for the first time. Really heard. #00:00:09-0#\n\n"
    "I: Mhm. #00:00:11-0#\n"
)

SELECT = """([fromText, toText]) => {
  // Select from the start of one piece of speech to the end of another, as a mouse drag would.
  const walker = document.createTreeWalker(document.querySelector('.coding-surface'), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const a = node.data.indexOf(fromText);
    if (a >= 0 && !range.__started) { range.setStart(node, a); range.__started = true; }
    const b = node.data.indexOf(toText);
    if (b >= 0) { range.setEnd(node, b + toText.length); break; }
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, detail: 1}));
}"""


def test_select_code_see_the_stripe_widen_and_remove(browser_page, session: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ana = researcher(session, "researcher")
    project = create_project(session, name="Coding study", user=ana)
    manifest = write_manifest(tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": TEXT})
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    transcript = session.exec(select(Transcript).where(Transcript.project_id == project.id)).one()
    make_code(session, project, "Feeling heard", colour="#e15759")
    page = browser_page

    page.goto(f"/projects/{project.id}/transcripts/{transcript.id}")
    page.evaluate(SELECT, ["😀 stra", "I felt hea"])  # the drag cuts words: the script snaps to whole words
    picker = page.locator("#code-picker")
    expect(picker).to_be_visible()
    picker.locator(".picker-filter").fill("feel")
    picker.get_by_role("button", name="Feeling heard").click()

    stripe = page.locator(".stripe")
    expect(stripe).to_have_count(1)
    expect(page.locator(".speech .coded")).to_have_text(["😀 strange, and then I felt heard"])
    (coding,) = session.exec(select(Coding)).all()
    assert coding.text == "😀 strange, and then I felt heard"
    assert transcript.text[coding.start : coding.end] == coding.text  # code points, not UTF-16 units
    assert stripe.evaluate("e => e.getBoundingClientRect().height") > 0

    stripe.click()
    panel = page.locator("#coding-panel")
    expect(panel.locator("blockquote")).to_have_text("😀 strange, and then I felt heard")
    panel.get_by_role("button", name="end ▶").click()
    expect(panel.locator("blockquote")).to_have_text("😀 strange, and then I felt heard for")
    expect(page.locator(".speech .coded")).to_have_text(["😀 strange, and then I felt heard for"])

    panel.get_by_role("button", name="Remove this coding").click()
    expect(panel).to_contain_text("The coding was removed.")
    expect(page.locator(".stripe")).to_have_count(0)
    session.expire_all()
    assert session.exec(select(Coding)).all() == []

    panel.get_by_role("button", name="Undo").click()
    expect(page.locator(".stripe")).to_have_count(1)


def test_double_click_codes_a_sentence_and_a_new_code_is_made_inline(
    browser_page, session: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ana = researcher(session, "researcher")
    project = create_project(session, name="Coding study", user=ana)
    manifest = write_manifest(tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files={"c1.txt": TEXT})
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    transcript = session.exec(select(Transcript).where(Transcript.project_id == project.id)).one()
    page = browser_page

    page.goto(f"/projects/{project.id}/transcripts/{transcript.id}")
    x, y = page.evaluate(WORD_CENTRE, "first")
    page.mouse.dblclick(x, y)  # on a word of the first sentence: the whole sentence is coded
    picker = page.locator("#code-picker")
    expect(picker).to_be_visible()
    picker.locator(".picker-filter").fill("Strangeness")
    picker.locator(".picker-filter").press("Enter")
    expect(page.locator(".stripe")).to_have_count(1)
    (coding,) = session.exec(select(Coding)).all()
    assert coding.text == "It was 😀 strange, and then I felt heard for the first time."
