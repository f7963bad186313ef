"""`dyadic search`, run as a user runs it: a real process, a real database, JSON out (DESIGN §6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factories import small_study_manifest

DYADIC = str(Path(sys.executable).with_name("dyadic"))


def dyadic(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DYADIC_DATABASE_URL": db_url, "DYADIC_LOCAL_USER": "Ana"}
    return subprocess.run([DYADIC, *args], env=env, capture_output=True, text=True, timeout=300)


def test_search_prints_one_documented_object_per_hit(db_url: str, tmp_path: Path) -> None:
    manifest = small_study_manifest(tmp_path / "study")
    assert dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest)).returncode == 0

    result = dyadic(db_url, "search", "--project", "IPR", "trust", "--format", "json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [set(hit) for hit in hits] == [
        {"transcript", "dyad", "role", "speaker", "start", "end", "text", "context"}
    ] * 4
    assert [(h["dyad"], h["role"], h["speaker"], h["text"]) for h in hits] == [
        ("Dyad 2", "client", "B", "trusted"),
        ("Dyad 2", "therapist", "B", "trusting"),
        ("Dyad 10", "client", "B", "trusted"),
        ("Dyad 10", "therapist", "B", "trusting"),
    ]
    assert hits[0]["context"] == "Here, when she went quiet. I trusted her then (laughs)."
    shown = json.loads(dyadic(db_url, "transcripts", "show", str(hits[0]["transcript"]), "--format", "json").stdout)
    assert shown["text"][hits[0]["start"] : hits[0]["end"]] == "trusted"

    narrowed = dyadic(db_url, "search", "--project", "IPR", "felt heard", "--dyad", "Dyad 10", "--format", "json")
    assert [h["text"] for h in json.loads(narrowed.stdout)] == ["felt", "heard", "heard"]

    text = dyadic(db_url, "search", "--project", "IPR", "trust")
    assert text.returncode == 0
    assert text.stdout.splitlines()[-1].startswith("4 hits in 4 transcripts")


def test_bad_input_exits_non_zero_with_one_line(db_url: str, tmp_path: Path) -> None:
    manifest = small_study_manifest(tmp_path / "study")
    dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest))
    for args, message in (
        (("--project", "IPR", "?!"), "error: the query '?!' has no words to search for\n"),
        (("--project", "Nope", "trust"), "error: no project called 'Nope'\n"),
        (("--project", "IPR", "trust", "--dyad", "Dyad 99"), "error: no dyad 'Dyad 99' in this project\n"),
    ):
        result = dyadic(db_url, "search", *args)
        assert (result.returncode, result.stderr) == (1, message)
