"""Pages keep to the Content-Security-Policy: no template holds an inline script, style or event handler
(the policy would refuse them), and every response carries the policy."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
INLINE = re.compile(r"""\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=|\shx-on[:-]|javascript:""", re.IGNORECASE)


def test_no_template_has_inline_scripts_styles_or_handlers() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []


def test_every_response_carries_the_policy(client: TestClient) -> None:
    for url in ("/", "/projects/999", "/static/dyadic.css"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
