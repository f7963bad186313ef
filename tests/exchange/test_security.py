"""Hostile archives and XML: each is refused with one line, and nothing is imported."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session

from app.exchange.archive import Limits, open_archive
from app.exchange.errors import ExchangeRefused
from app.exchange.qdc import import_codebook
from app.exchange.qdpx_import import Options, import_project
from tests.exchange.snapshot import counts
from tests.factories import researcher

QDE = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "hahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&d;"/>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""
XXE_CODEBOOK = XXE.replace(b"Project", b"CodeBook").replace(b"project", b"codebook")


def archive(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


HOSTILE = {
    "zip slip": ([("project.qde", QDE), ("sources/../../evil.txt", b"x")], "points outside the archive (zip slip)"),
    "absolute path": ([("project.qde", QDE), ("/etc/evil.txt", b"x")], "has an absolute path"),
    "windows drive": ([("project.qde", QDE), ("C:\\evil.txt", b"x")], "has an absolute path"),
    "symlink": ([("project.qde", QDE), (symlink("sources/link.txt"), b"/etc/passwd")], "is a symbolic link"),
    "bomb by size": ([("project.qde", QDE), ("sources/zeros.txt", b"\0" * 3_000_000)], "more than 2.0 MiB"),
    "bomb by count": ([("project.qde", QDE)] + [(f"sources/{i}.txt", b"x") for i in range(60)], "more than the limit"),
    "billion laughs": ([("project.qde", LAUGHS)], "a DOCTYPE (DTD or entities) is not allowed"),
    "external entity": ([("project.qde", XXE)], "a DOCTYPE (DTD or entities) is not allowed"),
    "two projects": ([("project.qde", QDE), ("other.qde", QDE)], "2 .qde project files"),
    "not a zip": ([], "not a readable .qdpx"),
}
LIMITS = Limits(max_bytes=2 * 2**20, max_files=50)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archives_are_refused_with_one_line(session: Session, tmp_path: Path, case: str) -> None:
    entries, message = HOSTILE[case]
    path = tmp_path / "hostile.qdpx"
    if entries:
        archive(path, entries)
    else:
        path.write_bytes(b"PK\x03\x04 this is not a zip")
    user = researcher(session)
    before = counts(session)
    with pytest.raises(ExchangeRefused) as refused:
        import_project(session, path=path, project_name="Hostile", user=user, options=Options(LIMITS))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert counts(session) == before


@pytest.mark.parametrize("data", [LAUGHS, XXE], ids=["billion laughs", "external entity"])
def test_hostile_bare_project_files_are_refused(session: Session, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.qde"
    path.write_bytes(data)
    user = researcher(session)
    before = counts(session)
    with pytest.raises(ExchangeRefused, match="DOCTYPE"):
        import_project(session, path=path, project_name="Hostile", user=user, options=Options(LIMITS))
    assert counts(session) == before


def test_hostile_codebooks_are_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "hostile.qdc"
    path.write_bytes(XXE_CODEBOOK)
    user = researcher(session)
    before = counts(session)
    with pytest.raises(ExchangeRefused, match="DOCTYPE"):
        import_codebook(session, path=path, project_name="Hostile", user=user, max_bytes=10**6)
    assert counts(session) == before


def test_inflated_bytes_are_counted_while_reading(tmp_path: Path) -> None:
    """Declared sizes can lie: the bytes actually inflated are counted against the same limit."""
    path = archive(tmp_path / "a.qdpx", [("project.qde", QDE), ("sources/a.txt", b"a" * 1000)])
    opened = open_archive(path, limits=Limits(max_bytes=10_000, max_files=10))
    opened.limits = Limits(max_bytes=500, max_files=10)  # as if the header had declared less than it holds
    with pytest.raises(ExchangeRefused, match="inflates to more than"):
        opened.read("sources/a.txt")
    opened.close()


def test_an_archive_whose_sources_break_the_budget_imports_nothing(session: Session, tmp_path: Path) -> None:
    """The same archive imports within a budget and is refused as a whole (codes too) beyond it."""
    qde = (
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes>'
        b'<Code guid="11111111-2222-3333-4444-555555555555" name="c" isCodable="true"/></Codes></CodeBook>'
        b'<Sources><TextSource guid="11111111-2222-3333-4444-666666666666" name="s" '
        b'plainTextPath="internal://a.txt"/></Sources></Project>'
    )
    path = archive(tmp_path / "a.qdpx", [("project.qde", qde), ("sources/a.txt", b"I: hello\n" * 100)])
    user = researcher(session)
    before = counts(session)
    opened = Options(Limits(max_bytes=2 * 2**20, max_files=10))
    import_project(session, path=path, project_name="Fine", user=user, options=opened)
    assert counts(session)["Code"] == before["Code"] + 1
    before = counts(session)
    # the same archive into another project, with a budget the source text breaks
    with pytest.raises(ExchangeRefused):
        import_project(
            session,
            path=path,
            project_name="Tight",
            user=user,
            options=Options(Limits(max_bytes=len(qde) + 100, max_files=10)),
        )
    assert counts(session) == before
