"""Bytes to canonical text: BOMs, UTF-8, UTF-16, Windows-1252 as a last resort; LF line ends; NFC."""

from __future__ import annotations

import codecs
import re
import unicodedata

from transcripts.errors import ImportRefused

# Control characters that no transcript contains (tab, line feed, carriage return and form feed aside).
BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, *, filename: str) -> tuple[str, str]:
    """The file's text and the name of the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(data[3:], "utf-8", filename, skipped=3), "UTF-8 (BOM)"
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text, encoding = _strict(data, "utf-32", filename), "UTF-32 (BOM)"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _strict(data, "utf-16", filename), "UTF-16 (BOM)"
    elif b"\x00" in data:
        raise ImportRefused(f"{filename}: this is a binary file or text in an unknown encoding, not a transcript")
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            text, encoding = _strict(data, "cp1252", filename), "Windows-1252"
    text = normalise(text)
    binary = BINARY.search(text)
    if binary:
        line = text.count("\n", 0, binary.start()) + 1
        raise ImportRefused(f"{filename}: line {line} holds a control character; this looks like a binary file")
    if not text.strip():
        raise ImportRefused(f"{filename}: the file is empty")
    return text, encoding


def normalise(text: str) -> str:
    """LF line ends and Unicode NFC: the form every offset in Dyadic refers to."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _strict(data: bytes, encoding: str, filename: str, *, skipped: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{filename}: unknown encoding (byte {exc.start + skipped} fits neither UTF-8, UTF-16 nor Windows-1252)"
        ) from exc
