"""The codebook in QDA-XML, both ways: nested ``Code`` elements out, and codes created from them on import.

Shared by the codebook (.qdc) and the project (.qdpx) exchange. On import a code is matched, in order, by
its GUID within the project, then by its name under the same parent (importing a codebook twice changes
nothing); a GUID that another project already uses is replaced by a new one, and the report says so.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.exchange.builder import Builder
from app.exchange.guids import normalised
from app.exchange.report import ImportReport
from app.exchange.sections import CODE_SECTIONS, pack, unpack
from app.exchange.xml import Element, kid, kids, text_of
from coding.codebook import PALETTE
from coding.models import Code
from transcripts.models import User

SHORT_COLOUR = re.compile(r"#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])")
LONG_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
NAME_LIMIT = 200


def ordered_children(codes: Iterable[Code]) -> dict[int | None, list[Code]]:
    """Codes by parent id (None: top level), each group in the codebook's order."""
    codes = list(codes)
    ids = {code.id for code in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)
    for group in children.values():
        group.sort(key=lambda code: (code.position, code.name.casefold(), code.id or 0))
    return children


def description(code: Code) -> str:
    extras = {"inclusion": code.inclusion, "exclusion": code.exclusion, "example": code.example}
    return pack(code.definition, extras, CODE_SECTIONS)


def write_codes(builder: Builder, parent: Element, codes: Iterable[Code]) -> int:
    """Add ``Codes`` (nested ``Code`` elements) under ``parent``; returns how many codes it wrote."""
    children = ordered_children(codes)
    if not children.get(None):
        return 0
    holder = builder.add(parent, "Codes")
    written = 0

    def write(into: Element, code: Code) -> None:
        nonlocal written
        element = builder.add(into, "Code", guid=code.guid, name=code.name, isCodable="true", color=code.colour)
        text = description(code)
        if text:
            builder.add(element, "Description", text)
        written += 1
        for child in children.get(code.id, []):
            write(element, child)

    for code in children[None]:
        write(holder, code)
    return written


def colour_of(value: str | None, ordinal: int) -> str:
    value = (value or "").strip()
    short = SHORT_COLOUR.fullmatch(value)
    if short:
        return "#" + "".join(2 * part for part in short.groups()).lower()
    if LONG_COLOUR.fullmatch(value):
        return value.lower()
    return PALETTE[ordinal % len(PALETTE)][1]


class CodeImporter:
    """Creates (or finds) the codes of a ``CodeBook``/``Codes`` element; ``by_guid`` maps each GUID the
    file uses to the code it became."""

    def __init__(self, session: Session, *, project_id: int, user: User, report: ImportReport) -> None:
        self.session = session
        self.project_id = project_id
        self.user = user
        self.report = report
        self.existing = list(session.exec(select(Code).where(Code.project_id == project_id)))
        self.by_guid: dict[str, Code] = {code.guid.lower(): code for code in self.existing}
        self.children = ordered_children(self.existing)
        self.from_file: set[int] = set()
        self.ordinal = len(self.existing)
        self.new_guids: list[str] = []

    def run(self, codes: Element | None) -> None:
        for element in kids(codes, "Code"):
            self._code(element, None)
        if self.new_guids:
            some = ", ".join(repr(name) for name in self.new_guids[:3]) + (" …" if len(self.new_guids) > 3 else "")
            self.report.warn(
                f"{len(self.new_guids)} codes ({some}) have GUIDs that another project or an earlier code uses: "
                "they were given new ones"
            )

    def _code(self, element: Element, parent: Code | None) -> None:
        guid = normalised(element.get("guid"))
        name = (element.get("name") or "").strip()  # as written: a round trip keeps it
        if not name:
            name = "(unnamed code)"
            self.report.warn(f"a code without a name (GUID {element.get('guid')}) was named {name!r}")
        if len(name) > NAME_LIMIT:
            self.report.warn(f"code name {name[:40]!r}… cut to {NAME_LIMIT} characters")
            name = name[:NAME_LIMIT]
        code = self.by_guid.get(guid) if guid else None
        if code is not None and code.project_id == self.project_id and code.id not in self.from_file:
            self.report.counts["codes already there"] += 1
        else:
            code = self._match_or_create(element, guid, name, parent)
        for child in kids(element, "Code"):
            self._code(child, code)

    def _match_or_create(self, element: Element, guid: str | None, name: str, parent: Code | None) -> Code:
        parent_id = parent.id if parent else None
        siblings = self.children.setdefault(parent_id, [])
        same = next((code for code in siblings if code.name.casefold() == name.casefold()), None)
        if same is not None and same.id not in self.from_file:
            self.report.warn(f"code {name!r} is in the codebook already: the file's code was merged into it")
            if guid:
                self.by_guid[guid] = same
            return same
        if same is not None:
            taken = {code.name.casefold() for code in siblings}
            number = 2
            while f"{name} ({number})".casefold() in taken:
                number += 1
            self.report.warn(f"two codes called {name!r} under one parent: the second is called '{name} ({number})'")
            name = f"{name} ({number})"
        definition, extras = unpack(text_of(element, "Description"), CODE_SECTIONS)
        code = Code(
            project_id=self.project_id,
            parent_id=parent_id,
            name=name,
            definition=definition,
            inclusion=extras["inclusion"],
            exclusion=extras["exclusion"],
            example=extras["example"],
            colour=colour_of(element.get("color"), self.ordinal),
            position=len(siblings),
            guid=self._free_guid(guid, name),
            created_by_id=self.user.id,
        )
        if (element.get("isCodable") or "true").strip().lower() in ("false", "0"):
            self.report.warn(f"code {name!r} is not codable in the file: Dyadic imports it as an ordinary code")
        self.session.add(code)
        self.session.flush()
        assert code.id is not None
        self.from_file.add(code.id)
        siblings.append(code)
        self.ordinal += 1
        self.report.counts["codes"] += 1
        if guid:
            self.by_guid[guid] = code
        return code

    def _free_guid(self, guid: str | None, name: str) -> str:
        if guid is None:
            self.report.warn(f"code {name!r} has no valid GUID: it was given a new one")
            return str(uuid.uuid4())
        if guid in self.by_guid or self.session.exec(select(Code.id).where(col(Code.guid) == guid)).first():
            self.new_guids.append(name)
            return str(uuid.uuid4())
        return guid


def codes_element(root: Element) -> Element | None:
    """The ``Codes`` of a project (``CodeBook/Codes``) or of a codebook (``Codes``)."""
    book = kid(root, "CodeBook")
    return kid(book if book is not None else root, "Codes")
