"""Opening an untrusted .qdpx archive safely.

Before anything is read, every entry is checked: no absolute paths, no ``..`` (zip slip), no symbolic
links, no more entries than the limit, and declared sizes within the limit. While reading, the bytes actually
inflated are counted too, because a zip's declared sizes can lie (zip bombs). Entries are only ever read
into memory — nothing is written to disk — and are looked up by name, case-insensitively.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.exchange.errors import ExchangeRefused

CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int  # total uncompressed size of all entries
    max_files: int


@dataclass(slots=True)
class SafeArchive:
    """A checked zip archive: entries by lower-cased name, read with a running byte budget."""

    path: Path
    zip: zipfile.ZipFile
    limits: Limits
    entries: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    read_bytes: int = 0

    def close(self) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        return [info.filename for info in self.entries.values()]

    def find(self, name: str) -> str | None:
        """The entry called ``name`` (case-insensitive), or None."""
        info = self.entries.get(name.replace("\\", "/").lstrip("/").casefold())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """An entry's bytes, refusing the archive when the inflated total passes the limit."""
        info = self.entries[name.casefold()]
        budget = self.limits.max_bytes - self.read_bytes
        parts: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > budget:
                        raise ExchangeRefused(
                            f"{self.path.name}: the archive inflates to more than {_mb(self.limits.max_bytes)} "
                            "(a zip bomb?): not imported"
                        )
                    parts.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ExchangeRefused(f"{self.path.name}: the entry {info.filename!r} is damaged ({exc})") from None
        self.read_bytes += size
        return b"".join(parts)


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def open_archive(path: Path, *, limits: Limits) -> SafeArchive:
    """Open and check an archive; every refusal is one line and nothing has been read."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ExchangeRefused(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExchangeRefused(f"{path.name}: not a readable .qdpx (zip) archive ({exc})") from None
    try:
        return _checked(path, archive, limits)
    except ExchangeRefused:
        archive.close()
        raise


def _checked(path: Path, archive: zipfile.ZipFile, limits: Limits) -> SafeArchive:
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise ExchangeRefused(
            f"{path.name}: the archive holds {len(infos)} entries, more than the limit of {limits.max_files}"
        )
    safe = SafeArchive(path, archive, limits)
    declared = 0
    for info in infos:
        name = info.filename
        _check_name(path, name)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ExchangeRefused(f"{path.name}: the entry {name!r} is a symbolic link: not imported")
        if info.flag_bits & 0x1:
            raise ExchangeRefused(f"{path.name}: the entry {name!r} is encrypted: not imported")
        declared += info.file_size
        if declared > limits.max_bytes:
            raise ExchangeRefused(
                f"{path.name}: the archive declares more than {_mb(limits.max_bytes)} uncompressed: not imported"
            )
        if info.is_dir():
            continue
        key = name.casefold()
        if key in safe.entries:
            raise ExchangeRefused(f"{path.name}: the entry {name!r} occurs twice: not imported")
        safe.entries[key] = info
    return safe


def _check_name(path: Path, name: str) -> None:
    if "\x00" in name:
        raise ExchangeRefused(f"{path.name}: an entry name holds a NUL character: not imported")
    unified = name.replace("\\", "/")
    pure = PurePosixPath(unified)
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise ExchangeRefused(f"{path.name}: the entry {name!r} has an absolute path: not imported")
    if ".." in pure.parts:
        raise ExchangeRefused(f"{path.name}: the entry {name!r} points outside the archive (zip slip): not imported")
