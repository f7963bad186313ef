"""XML in and out: a hardened parser for untrusted files, schema validation, and small tree helpers.

Parsing never loads a DTD, never resolves an entity and never touches the network; a document with any
DOCTYPE is refused outright (no XXE, no "billion laughs"). Elements are matched by local name, so that files
written against other versions of the namespace (``codebook:0:4``, ``project:0:10`` …) are read too.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeAlias

from lxml import etree

from app.exchange.errors import ExchangeRefused

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
# Characters XML 1.0 cannot hold (tab, line feed and carriage return aside), and lone surrogates.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Element: TypeAlias = Any  # an lxml element (lxml ships no type hints in this environment)


def parse(data: bytes, *, what: str) -> Element:
    """The root element of an untrusted XML document, or a one-line refusal naming ``what`` it was."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=_indentation_only(data),
    )
    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in head.upper() or b"<\x00!\x00D\x00O\x00C\x00T\x00Y\x00P\x00E" in head.upper():
        raise ExchangeRefused(f"{what}: a DOCTYPE (DTD or entities) is not allowed in an exchange file")
    try:
        tree = etree.fromstring(data, parser=parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ExchangeRefused(f"{what}: not well-formed XML ({' '.join(str(exc).split())})") from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ExchangeRefused(f"{what}: a DOCTYPE (DTD or entities) is not allowed in an exchange file")
    root = tree.getroot()
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise ExchangeRefused(f"{what}: XML entities are not allowed in an exchange file")
    return root


def _indentation_only(data: bytes) -> bool:
    """Whether the white space between elements can be dropped while parsing: it is a text node per
    element in libxml2 (100 MB of a 200,000-coding project's 550 MB tree). libxml2 keeps white space that is
    an element's only content, and any next to text; but beside a comment, a processing instruction or
    CDATA it could take white space that belongs to a text, so such files (and encodings other than UTF-8
    and its subsets, where these cannot be found by their bytes) are parsed with every character."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif b"\x00" in data[:64]:  # UTF-16 or UTF-32
        return False
    start = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    return b"<!" not in data and data.find(b"<?", start) < 0


@cache
def _schema(folder: str, kind: str) -> etree.XMLSchema:
    path = Path(folder) / SCHEMAS[kind]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def schema_errors(root: Element, *, kind: str, folder: Path | None) -> list[str] | None:
    """Where ``root`` breaks the REFI-QDA schema (``kind``: project or codebook), one line each; None when
    no schema folder is configured (or it lacks the schema)."""
    if folder is None or not (folder / SCHEMAS[kind]).is_file():
        return None
    schema = _schema(str(folder), kind)
    if schema.validate(root):
        return []
    return [f"line {error.line}: {' '.join(error.message.split())}" for error in schema.error_log]


# --- reading --------------------------------------------------------------------------------------------


def local(element: Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # as etree.QName(element).localname, faster


def kids(element: Element | None, name: str) -> Iterator[Element]:
    """The children of ``element`` called ``name`` (any namespace)."""
    if element is None:
        return
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            yield child


def kid(element: Element | None, name: str) -> Element | None:
    return next(kids(element, name), None)


def grandkids(element: Element | None, container: str, name: str) -> Iterator[Element]:
    for holder in kids(element, container):
        yield from kids(holder, name)


def text_of(element: Element | None, name: str) -> str:
    """The text of the child called ``name`` (empty when there is none)."""
    found = kid(element, name)
    return "".join(found.itertext()) if found is not None else ""


# --- writing --------------------------------------------------------------------------------------------


def clean(value: str) -> tuple[str, int]:
    """``value`` without characters XML cannot carry, and how many were taken out."""
    cleaned, removed = ILLEGAL.subn("", value)
    return cleaned, removed


def iso(moment: datetime | None) -> str | None:
    """A time as the schema's dateTime in UTC with a Z (``2024-03-01T09:30:00Z``)."""
    if moment is None:
        return None
    return _iso(moment)


@lru_cache(maxsize=4096)  # an export writes hundreds of thousands of times, many of them the same
def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def serialise(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True)
