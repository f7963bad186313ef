"""The `dyadic` command, run as a user runs it: a real process, a real database, JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import small_study_manifest, write_manifest

DYADIC = str(Path(sys.executable).with_name("dyadic"))


def dyadic(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DYADIC_DATABASE_URL": db_url, "DYADIC_LOCAL_USER": "Ana"}
    return subprocess.run([DYADIC, *args], env=env, capture_output=True, text=True, timeout=300)


def test_import_list_and_show_speak_the_documented_json(db_url: str, tmp_path: Path) -> None:
    manifest = small_study_manifest(tmp_path / "study")

    imported = dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest))
    assert imported.returncode == 0, imported.stderr
    assert "5 imported, 0 skipped" in imported.stdout

    listed = dyadic(db_url, "transcripts", "list", "--project", "IPR", "--format", "json")
    transcripts = json.loads(listed.stdout)
    assert [set(t) for t in transcripts] == [
        {"id", "name", "file", "dyad", "role", "participant", "session", "turns", "words"}
    ] * 5
    assert [(t["dyad"], t["role"], t["participant"]) for t in transcripts][:3] == [
        ("Dyad 2", "client", "C2"),
        ("Dyad 2", "therapist", "T2"),
        ("Dyad 2", "interpreter", "I2"),
    ]
    assert transcripts[0] | {"id": 0} == {
        "id": 0, "name": "c2_s3", "file": "c2_s3.txt", "dyad": "Dyad 2", "role": "client",
        "participant": "C2", "session": 3, "turns": 4, "words": 31,
    }  # fmt: skip

    shown = json.loads(dyadic(db_url, "transcripts", "show", str(transcripts[0]["id"]), "--format", "json").stdout)
    assert shown["turns"][1] == {
        "speaker": "B",
        "role": "client",
        "start": shown["text"].index("Here, when"),
        "end": shown["text"].index(" #00:00:12-5#"),
        "text": "Here, when she went quiet. I trusted her then (laughs).",
        "timestamp": 12.5,
    }
    for turn in shown["turns"]:
        assert shown["text"][turn["start"] : turn["end"]] == turn["text"]


def test_reimport_is_reported_and_skipped(db_url: str, tmp_path: Path) -> None:
    manifest = small_study_manifest(tmp_path / "study")
    dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest))
    again = dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest), "--format", "json")
    assert again.returncode == 0
    assert [f["status"] for f in json.loads(again.stdout)] == ["skipped"] * 5


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"c1.txt": ""}, "error: manifest row 2: c1.txt: the file is empty"),
        ({"c1.txt": b"\x00\x01\x02binary"}, "error: manifest row 2: c1.txt: this is a binary file"),
        ({}, "error: manifest row 2 (c1.txt): no such file"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_imports_nothing(
    db_url: str, tmp_path: Path, files: dict[str, str | bytes], message: str
) -> None:
    manifest = write_manifest(tmp_path / "bad", [("c1.txt", "Dyad 1", "client", "C1", 3, "")], files=files)
    result = dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest))
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    listed = dyadic(db_url, "transcripts", "list", "--project", "IPR", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_unknown_things_are_errors(db_url: str) -> None:
    assert dyadic(db_url, "transcripts", "show", "999").stderr == "error: no transcript with id 999\n"
    assert dyadic(db_url, "transcripts", "list", "--project", "Nope").stderr == "error: no project called 'Nope'\n"
    created = dyadic(db_url, "project", "create", "Study A")
    assert created.returncode == 0
    duplicate = dyadic(db_url, "project", "create", "Study A")
    assert (duplicate.returncode, duplicate.stderr) == (1, "error: a project called 'Study A' exists already\n")


@pytest.mark.slow
def test_demo_is_idempotent(db_url: str) -> None:
    first = dyadic(db_url, "demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created: project 'Demo IPR study'")
    transcripts = json.loads(
        dyadic(db_url, "transcripts", "list", "--project", "Demo IPR study", "--format", "json").stdout
    )
    assert len({t["dyad"] for t in transcripts}) >= 6
    assert {t["session"] for t in transcripts} == {3, 5}
    assert {t["role"] for t in transcripts} == {"client", "therapist", "interpreter"}
    assert dyadic(db_url, "demo").stdout.startswith("already there")
    assert len(
        json.loads(dyadic(db_url, "transcripts", "list", "--project", "Demo IPR study", "--format", "json").stdout)
    ) == len(transcripts)
