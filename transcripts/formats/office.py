"""Paragraph text of word-processor files: .docx (python-docx), .odt (odfpy) and .rtf (striprtf).

Each paragraph becomes one line of the canonical text, so the labelled-text rules apply unchanged.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from transcripts.errors import ImportRefused


def extract(kind: str, data: bytes, *, filename: str) -> str:
    if kind == "docx":
        return _docx(data, filename)
    if kind == "odt":
        return _odt(data, filename)
    return _rtf(data, filename)


def _require_zip(data: bytes, filename: str, kind: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        a = "an" if kind[0] in "aeiou" else "a"
        raise ImportRefused(f"{filename}: not {a} {kind} file (it is not the zip package {a} {kind} file is)")


def _docx(data: bytes, filename: str) -> str:
    import docx

    _require_zip(data, filename, "docx")
    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def _odt(data: bytes, filename: str) -> str:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    _require_zip(data, filename, "odt")
    document = load(io.BytesIO(data))
    paragraph_names = {(TEXTNS, "p"), (TEXTNS, "h")}
    paragraphs: list[str] = []

    def walk(element: Any) -> None:
        # Headings and paragraphs in document order, also inside sections, lists and tables;
        # teletype renders spaces, tabs and line breaks.
        for child in element.childNodes:
            if getattr(child, "qname", None) in paragraph_names:
                paragraphs.append(teletype.extractText(child))
            elif child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(document.text)
    return "\n".join(paragraphs)


def _rtf(data: bytes, filename: str) -> str:
    from striprtf.striprtf import rtf_to_text

    head = data.lstrip()[:5]
    if head != b"{\\rtf":
        raise ImportRefused(f"{filename}: not an RTF file (it does not start with {{\\rtf)")
    # RTF is 7-bit: non-ASCII comes as \'xx escapes (code page) or \uN (Unicode), which striprtf decodes.
    text: str = rtf_to_text(data.decode("latin-1"), errors="strict")
    # Characters beyond the BMP (emoji) come as two \uN escapes, a UTF-16 surrogate pair: join them.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.rstrip("\n")
