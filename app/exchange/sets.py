"""Themes as REFI-QDA ``Sets`` of member codes, both ways.

A theme is a set named after it; a subtheme's set is named ``Theme::Subtheme``. The definition is the set's
description, followed by the central organising concept and the scope as labelled paragraphs. In a project
the theme's memo is a note, a ``MemberNote`` of the set. What the standard cannot carry (status, chosen
extracts, reviews, history) is listed in the export report; discarded themes are left out.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence

from sqlmodel import Session, col, select

from app.exchange.builder import Builder
from app.exchange.guids import normalised
from app.exchange.report import ImportReport
from app.exchange.sections import THEME_SECTIONS, pack, unpack
from app.exchange.xml import Element, kids, text_of
from coding.models import Code
from themes.models import Theme, ThemeCode
from transcripts.models import User

SEPARATOR = "::"


def project_themes(session: Session, project_id: int) -> tuple[list[Theme], dict[int, list[int]]]:
    """The project's themes (not discarded) in tree order, and the code ids of each."""
    themes = list(session.exec(select(Theme).where(Theme.project_id == project_id)))
    by_id = {theme.id: theme for theme in themes}
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in themes:
        children[theme.parent_id if theme.parent_id in by_id else None].append(theme)
    ordered: list[Theme] = []

    def walk(parent: int | None) -> None:
        for theme in sorted(children.get(parent, []), key=lambda t: (t.position, t.name.casefold(), t.id or 0)):
            if theme.status != "discarded":
                ordered.append(theme)
                walk(theme.id)

    walk(None)
    members: dict[int, list[int]] = defaultdict(list)
    if by_id:
        rows = session.exec(
            select(ThemeCode.theme_id, ThemeCode.code_id)
            .where(col(ThemeCode.theme_id).in_(by_id))
            .order_by(col(ThemeCode.id))  # a fixed order: the same themes give the same bytes
        )
        for theme_id, code_id in rows:
            members[theme_id].append(code_id)
    return ordered, members


def path_name(theme: Theme, by_id: dict[int | None, Theme]) -> str:
    names = [theme.name]
    parent = by_id.get(theme.parent_id)
    while parent is not None:
        names.append(parent.name)
        parent = by_id.get(parent.parent_id)
    return SEPARATOR.join(reversed(names))


def write_sets(
    builder: Builder,
    parent: Element,
    themes: Sequence[Theme],
    members: dict[int, list[int]],
    code_guids: dict[int, str],
    *,
    member_attribute: str,
    memo_note: Callable[[Theme], str | None] | None = None,
) -> int:
    """Add ``Sets`` (one per theme) under ``parent``; ``member_attribute``: ``guid`` in a codebook,
    ``targetGUID`` in a project. Returns how many sets it wrote."""
    if not themes:
        return 0
    by_id: dict[int | None, Theme] = {theme.id: theme for theme in themes}
    holder = builder.add(parent, "Sets")
    for theme in themes:
        element = builder.add(holder, "Set", guid=theme.guid, name=path_name(theme, by_id))
        extras = {"central_concept": theme.central_concept, "scope": theme.scope}
        text = pack(theme.definition, extras, THEME_SECTIONS)
        if text:
            builder.add(element, "Description", text)
        # in the order the codes joined the theme (not by GUID: a restored project has new GUIDs)
        guids = [code_guids[code_id] for code_id in members.get(theme.id or 0, []) if code_id in code_guids]
        for guid in dict.fromkeys(guids):
            builder.add(element, "MemberCode", **{member_attribute: guid})
        note = memo_note(theme) if memo_note else None
        if note:
            builder.add(element, "MemberNote", targetGUID=note)
    return len(themes)


class SetImporter:
    """Themes from ``Sets`` that hold member codes; other sets (of sources, of notes) are listed as not
    imported. ``notes`` gives the text of a note by GUID (a theme's memo)."""

    def __init__(self, session: Session, *, project_id: int, user: User, report: ImportReport) -> None:
        self.session = session
        self.project_id = project_id
        self.user = user
        self.report = report
        self.themes = list(session.exec(select(Theme).where(Theme.project_id == project_id)))
        self.used_notes: set[str] = set()
        self.new_guids = 0

    def run(self, sets: Sequence[Element], codes: dict[str, Code], notes: dict[str, str] | None = None) -> None:
        for element in sets:
            name = element.get("name") or ""
            member_codes = list(kids(element, "MemberCode"))
            if not member_codes:
                what = "sources" if next(kids(element, "MemberSource"), None) is not None else "nothing"
                self.report.skip(f"set {name!r}: a set of {what}, not of codes (a theme holds codes)")
                continue
            theme = self._theme(element, name)
            known = {row for row in self.session.exec(select(ThemeCode.code_id).where(ThemeCode.theme_id == theme.id))}
            for member in member_codes:
                raw = member.get("targetGUID") or member.get("guid")
                code = codes.get(normalised(raw) or "")
                if code is None:
                    self.report.warn(f"set {name!r}: member code {raw} is not in the codebook: left out")
                    continue
                if code.id not in known:
                    known.add(code.id)  # type: ignore[arg-type]
                    self.session.add(ThemeCode(theme_id=theme.id, code_id=code.id, added_by_id=self.user.id))  # type: ignore[arg-type]
            for ref in kids(element, "MemberNote"):
                target = normalised(ref.get("targetGUID")) or ""
                if notes is not None and target in notes:
                    self.used_notes.add(target)
                    if notes[target] not in theme.memo:  # a second import adds nothing
                        theme.memo = "\n\n".join(part for part in (theme.memo, notes[target]) if part)
        self.session.flush()
        if self.new_guids:
            self.report.warn(f"{self.new_guids} themes have GUIDs that another project uses: they were given new ones")

    def _theme(self, element: Element, path: str) -> Theme:
        names = [" ".join(part.split())[:200] or "(unnamed theme)" for part in path.split(SEPARATOR)]
        guid = normalised(element.get("guid"))
        found = next((t for t in self.themes if guid and t.guid.lower() == guid), None)
        if found is not None:
            self.report.counts["themes already there"] += 1
            return found
        parent: Theme | None = None
        for depth, name in enumerate(names):
            last = depth == len(names) - 1
            parent_id = parent.id if parent else None
            siblings = [t for t in self.themes if t.parent_id == parent_id]
            same = next((t for t in siblings if t.name.casefold() == name.casefold()), None)
            if same is not None:
                if last:
                    self.report.warn(f"theme {path!r} exists already: the set's codes were added to it")
                parent = same
                continue
            theme = Theme(
                project_id=self.project_id,
                parent_id=parent_id,
                name=name,
                position=len(siblings),
                guid=self._free_guid(guid if last else None),
                created_by_id=self.user.id,
            )
            if last:
                definition, extras = unpack(text_of(element, "Description"), THEME_SECTIONS)
                theme.definition = definition
                theme.central_concept = extras["central_concept"]
                theme.scope = extras["scope"]
            else:
                self.report.warn(f"set {path!r}: its parent theme {name!r} had no set of its own and was created")
            self.session.add(theme)
            self.session.flush()
            self.themes.append(theme)
            self.report.counts["themes"] += 1
            parent = theme
        assert parent is not None
        return parent

    def _free_guid(self, guid: str | None) -> str:
        if guid and not self.session.exec(select(Theme.id).where(col(Theme.guid) == guid)).first():
            return guid
        if guid:
            self.new_guids += 1
        return str(uuid.uuid4())
