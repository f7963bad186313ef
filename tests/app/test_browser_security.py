"""Hostile text in a real browser: a transcript, a code, a theme and a memo holding ``<script>`` and
``onerror=`` payloads are imported and shown on every page that shows them — nothing executes — and no page
breaks the Content-Security-Policy (no inline script, style or handler is refused in the console)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from coding.apply import apply_code
from tests.factories import make_code, researcher, write_manifest
from themes.themes import create_theme
from transcripts.ingest import import_manifest
from transcripts.models import Dyad, Transcript
from transcripts.projects import create_project
from transcripts.reading import save_memo

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
TEXT = (
    f"I: What happened then? {PAYLOAD} #00:00:01-0#\n\n"
    f"B: I trusted her. {PAYLOAD} She waited for me. #00:00:09-0#\n\n"
    "I: And then? #00:00:11-0#\n"
)


def test_hostile_text_is_shown_as_text_and_no_page_breaks_the_policy(
    browser_page, session: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ana = researcher(session, "researcher")
    project = create_project(session, name="Hostile study", user=ana)
    rows = [("c1.txt", "Dyad 1", "client", "C1", 3, ""), ("t1.txt", "Dyad 1", "therapist", "T1", 3, "")]
    manifest = write_manifest(tmp_path, rows, files={"c1.txt": TEXT, "t1.txt": TEXT})
    import_manifest(session, project=project, manifest=manifest, user=ana, max_bytes=10**6)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c1")).one()
    dyad = session.exec(select(Dyad).where(Dyad.project_id == project.id)).one()
    code = make_code(session, project, '<img src=x onerror="window.pwned=3">Trust')
    start = transcript.text.index("I trusted her.")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=start + 40, coder=ana)
    theme = create_theme(session, project_id=project.id, user=ana, name=f"Theme {PAYLOAD}", code_ids=[code.id])
    save_memo(session, author=ana, body=f"Memo {PAYLOAD}", dyad_id=dyad.id)

    page = browser_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    pid = project.id
    pages = [
        f"/projects/{pid}",
        f"/projects/{pid}/overview",
        f"/projects/{pid}/transcripts/{transcript.id}",
        f"/projects/{pid}/dyads/{dyad.id}",
        f"/projects/{pid}/codebook",
        f"/projects/{pid}/codebook/{code.id}",
        f"/projects/{pid}/search?q=trust",
        f"/projects/{pid}/extracts",
        f"/projects/{pid}/code-matrix",
        f"/projects/{pid}/themes",
        f"/projects/{pid}/themes/{theme.id}",
        f"/projects/{pid}/themes/{theme.id}/review",
        f"/projects/{pid}/themes/table",
        f"/projects/{pid}/themes/map",
        f"/projects/{pid}/journal",
        f"/projects/{pid}/team",
    ]
    for url in pages:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.pwned") is None, f"a payload ran on {url}"
        assert page.locator("body img[src='x']").count() == 0, f"a payload became an element on {url}"
    reading = page.goto(f"/projects/{pid}/transcripts/{transcript.id}")
    assert reading is not None
    assert PAYLOAD in page.locator(".coding-surface").inner_text()  # shown as the words it is
    assert problems == [], problems
