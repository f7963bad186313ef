"""Others' codings appear in an open reading view without a reload, and never under the reader's selection.

The page stays open in Chromium while another coder codes through the domain function, against the same
database, as their own browser would have.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.apply import apply_code
from tests.factories import make_code, researcher, write_manifest
from transcripts.ingest import import_manifest
from transcripts.models import Transcript
from transcripts.projects import create_project

pytestmark = pytest.mark.browser

TEXT = (
    "I: What was it like? #00:00:01-0#\n\n"
    "B: It was strange, and then I felt heard for the first time. Really heard. #00:00:09-0#\n\n"
    "I: Mhm. #00:00:11-0#\n\n"
    "B: And I trusted her after that. #00:00:15-0#\n"
)

SELECT = """(words) => {
  // Select some words of the speech, as a mouse drag would, and let go of the button.
  const walker = document.createTreeWalker(document.querySelector('.coding-surface'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, detail: 1}));
    return;
  }
}"""


def test_another_coders_coding_appears_without_a_reload_but_not_under_a_selection(  # type: ignore[no-untyped-def]
    browser_page, session: Session, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    ana = researcher(session, "Ana")
    project = create_project(session, name="Live study", user=ana)
    manifest = write_manifest(tmp_path, [("c1.txt", "Dyad 1", "client", "C1", 1, "")], files={"c1.txt": TEXT})
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    transcript = session.exec(select(Transcript).where(Transcript.project_id == project.id)).one()
    code = make_code(session, project, "Feeling heard", colour="#e15759")
    ben = researcher(session, "Ben")
    page = browser_page
    page.goto(f"/projects/{project.id}/transcripts/{transcript.id}")
    page.evaluate("window.notReloaded = true")
    coded = page.locator(".coding-surface .speech span.coded")
    expect(coded).to_have_count(0)

    start = transcript.text.index("I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 12, coder=ben)  # type: ignore[arg-type]
    expect(coded).to_have_text(["I felt heard"], timeout=20_000)
    stripe = page.locator(".stripe")
    expect(stripe).to_have_attribute("title", "Feeling heard — Ben")
    assert page.evaluate("window.notReloaded") is True, "the page was not reloaded"

    # Ana selects words of the last turn: the code picker opens for them. Ben codes in that turn meanwhile.
    page.evaluate(SELECT, "trusted her")
    picker = page.locator("#code-picker")
    expect(picker).to_be_visible()
    last_turn = page.locator(".coding-surface .turn").last
    start = transcript.text.index("I trusted")
    with page.expect_response(lambda r: "/codings/changes" in r.url and r.status == 200, timeout=20_000):
        apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 9, coder=ben)  # type: ignore[arg-type]
    page.wait_for_timeout(300)
    expect(last_turn.locator("span.coded")).to_have_count(0)  # not swapped under the open picker
    expect(picker).to_be_visible()

    page.keyboard.press("Escape")  # the picker closes; the next answer brings the held-back turn
    page.evaluate("window.getSelection().removeAllRanges()")
    expect(last_turn.locator("span.coded")).to_have_text(["I trusted"], timeout=20_000)
    assert page.evaluate("window.notReloaded") is True
