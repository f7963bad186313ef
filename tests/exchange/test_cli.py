"""The exchange commands, run as a user runs them: real processes, a real database, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.exchange.builders import SAMPLES, SCHEMAS, project_xml, schema
from tests.factories import small_study_manifest

DYADIC = str(Path(sys.executable).with_name("dyadic"))


def dyadic(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DYADIC_DATABASE_URL": db_url,
        "DYADIC_LOCAL_USER": "Ana",
        "DYADIC_REFI_SCHEMA_DIR": str(SCHEMAS),
        "DYADIC_MAX_ARCHIVE_FILES": "20",
    }
    return subprocess.run([DYADIC, *args], env=env, capture_output=True, text=True, timeout=300)


def test_export_and_import_a_project_and_a_codebook(db_url: str, tmp_path: Path) -> None:
    manifest = small_study_manifest(tmp_path / "study")
    assert dyadic(db_url, "import", "transcripts", "--project", "IPR", "--manifest", str(manifest)).returncode == 0
    assert (
        dyadic(
            db_url, "import", "codebook", str(SAMPLES / "atlasti-23.4-win_codebook.qdc"), "--project", "IPR"
        ).returncode
        == 0
    )

    exported = dyadic(db_url, "export", "qdpx", "--project", "IPR", "-o", str(tmp_path / "ipr.qdpx"))
    assert exported.returncode == 0, exported.stderr
    assert "5 sources" in exported.stdout and "not carried by REFI-QDA" in exported.stdout
    assert schema("project").validate(project_xml(tmp_path / "ipr.qdpx"))
    codebook = dyadic(db_url, "export", "codebook", "--project", "IPR", "-o", str(tmp_path / "ipr.qdc"))
    assert codebook.returncode == 0 and "1 codes, 1 themes (sets)" in codebook.stdout

    imported = dyadic(db_url, "import", "qdpx", str(tmp_path / "ipr.qdpx"), "--project", "Copy", "--format", "json")
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["created_project"] and report["counts"]["transcripts"] == 5 and report["counts"]["dyads"] == 2
    listed = json.loads(dyadic(db_url, "transcripts", "list", "--project", "Copy", "--format", "json").stdout)
    assert sorted((t["dyad"], t["role"], t["participant"]) for t in listed)[:2] == [
        ("Dyad 10", "client", "C10"),
        ("Dyad 10", "therapist", "T10"),
    ]
    assert all(t["turns"] == 4 or t["turns"] == 2 for t in listed)


def test_import_with_a_variable_mapping(db_url: str, tmp_path: Path) -> None:
    sample = SAMPLES / "qc-1.3.2_demo_coded.qdpx"
    result = dyadic(db_url, "import", "qdpx", str(sample), "--project", "qc", "--map", "Rolle=role")
    assert result.returncode == 0, result.stderr
    assert "205 codings" in result.stdout and "placeholder participant" in result.stdout
    bad = dyadic(db_url, "import", "qdpx", str(sample), "--project", "qc2", "--map", "Rolle")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --map 'Rolle': write NAME=role")


def test_hostile_and_missing_files_fail_with_one_line(db_url: str, tmp_path: Path) -> None:
    bomb = tmp_path / "many.qdpx"
    with zipfile.ZipFile(bomb, "w") as archive:
        for index in range(25):
            archive.writestr(f"sources/{index}.txt", "x")
    result = dyadic(db_url, "import", "qdpx", str(bomb), "--project", "Bomb")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: many.qdpx: the archive holds 25 entries, more than the limit of 20"
    ]
    missing = dyadic(db_url, "import", "codebook", str(tmp_path / "nothing.qdc"), "--project", "X")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ") and "no such file" in missing.stderr
    listed = dyadic(db_url, "transcripts", "list", "--project", "Bomb")
    assert listed.returncode == 1 and "no project called 'Bomb'" in listed.stderr
    no_project = dyadic(db_url, "export", "qdpx", "--project", "Nope", "-o", str(tmp_path / "x.qdpx"))
    assert no_project.returncode == 1 and no_project.stderr.strip() == "error: no project called 'Nope'"
