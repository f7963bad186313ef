"""Shaping themes (phases 3–5): creating a theme (perhaps from selected codes), editing its name, central
organising concept, definition, scope, memo and status, giving it codes and taking them away, choosing its
illustrative extracts, moving it under another theme or among its siblings, discarding it. Merging, splitting
and deleting themes live in ``themes.restructure``.

Each public function is one user action: it commits once and appends audit events (before/after) in the
same transaction, so that a theme's history — renames, merges, splits, discards — stays readable
(``themes.history``). A refusal raises ``ThemeRefused`` with one line and changes nothing.

Rules the operations keep:
- one level of subthemes: a subtheme holds no subthemes of its own, and a theme with subthemes does not
  become a subtheme (the schema would allow more; the frequency table, REFI-QDA's ``Theme::Subtheme`` and
  the paper's theme table expect two levels);
- no two live siblings share a name (compared without regard to case); discarded themes keep their
  names out of the way, and a theme brought back from discarded must not clash;
- **merging keeps the merged themes**, as discarded, with their history pointing at the survivor: their
  member codes, chosen extracts and subthemes move to the survivor, their level-1 reviews stay with them.
  A theme abandoned in review is part of the analysis' story (Braun & Clarke's reflexive trail), so it
  stays readable and can be restored; deleting is a separate, explicit action;
- discarding a theme discards its live subthemes with it (each one's history says so).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from coding.models import Code, Coding
from themes.errors import ThemeConflict, ThemeRefused
from themes.models import THEME_STATUSES, Theme, ThemeCode, ThemeExtract
from themes.tree import (
    DISCARDED,
    _children_of,
    _project_themes,
    _subtree,
    get_theme,
    theme_code_ids,
    theme_extract_ids,
)
from transcripts.audit import record
from transcripts.models import User, utcnow
from transcripts.versions import claim_version

NAME_LIMIT = 200
TEXT_LIMIT = 20_000
TEXT_FIELDS = {
    "central_concept": "central organising concept",
    "definition": "definition",
    "scope": "scope",
    "memo": "memo",
}


class Keep(Enum):
    """Leave the theme's parent as it is (``update_theme(parent_id=KEEP)``)."""

    KEEP = 0


KEEP = Keep.KEEP


# --- checks ----------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join("".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable()).split())
    if not name:
        raise ThemeRefused("a theme needs a name")
    if len(name) > NAME_LIMIT:
        raise ThemeRefused(f"a theme name has at most {NAME_LIMIT} characters")
    return name


def _clean_text(value: str, label: str) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()
    if len(value) > TEXT_LIMIT:
        raise ThemeRefused(f"the {label} has at most {TEXT_LIMIT:,} characters")
    return value


def _clean_status(status: str) -> str:
    if status not in THEME_STATUSES:
        raise ThemeRefused(f"unknown status {status!r}: choose one of {', '.join(THEME_STATUSES)}")
    return status


def _where(parent: Theme | None) -> str:
    return f"the theme {parent.name!r}" if parent else "the top level"


def _refuse_clash(siblings: Iterable[Theme], name: str, parent: Theme | None, *, but: Theme | None = None) -> None:
    for sibling in siblings:
        if sibling is not but and sibling.status != DISCARDED and sibling.name.casefold() == name.casefold():
            what = "subtheme" if parent else "theme"
            raise ThemeRefused(f"{_where(parent)} already has a {what} called {sibling.name!r}")


def _parent(themes: dict[int, Theme], theme: Theme | None, parent_id: int | None, name: str) -> Theme | None:
    """The theme ``parent_id`` that ``theme`` (or a new theme called ``name``) may go under, or a refusal."""
    if parent_id is None:
        return None
    parent = themes.get(parent_id)
    if parent is None:
        raise ThemeRefused(f"no theme with id {parent_id} in this project to put {name!r} under")
    if theme is not None and theme.id is not None:
        if parent.id == theme.id:
            raise ThemeRefused(f"{name!r} cannot be a subtheme of itself")
        if parent_id in _subtree(themes, theme.id):
            raise ThemeRefused(f"{name!r} cannot go under {parent.name!r}: {parent.name!r} lies inside it")
    if parent.parent_id is not None:
        raise ThemeRefused(f"{parent.name!r} is a subtheme: a subtheme has no subthemes of its own")
    if theme is not None and theme.id is not None and _children_of(themes).get(theme.id):
        raise ThemeRefused(f"{name!r} has subthemes of its own, so it cannot become a subtheme")
    if parent.status == DISCARDED and (theme is None or theme.status != DISCARDED):
        raise ThemeRefused(f"{parent.name!r} is discarded: restore it before putting {name!r} under it")
    return parent


def _project_codes(session: Session, project_id: int, code_ids: Iterable[int]) -> list[Code]:
    ids = list(dict.fromkeys(code_ids))
    found = {code.id: code for code in session.exec(select(Code).where(col(Code.id).in_(ids)))} if ids else {}
    for code_id in ids:
        code = found.get(code_id)
        if code is None or code.project_id != project_id:
            raise ThemeRefused(f"no code with id {code_id} in this project")
    return [found[code_id] for code_id in ids]


def _renumber(themes: Sequence[Theme]) -> None:
    for position, theme in enumerate(themes):
        if theme.position != position:
            theme.position = position


# --- recording -------------------------------------------------------------------------------------------


def _state(session: Session, theme: Theme) -> dict[str, Any]:
    return {
        "name": theme.name,
        "parent_id": theme.parent_id,
        "central_concept": theme.central_concept,
        "definition": theme.definition,
        "scope": theme.scope,
        "memo": theme.memo,
        "status": theme.status,
        "position": theme.position,
        "guid": theme.guid,
        "version": theme.version,
        "codes": theme_code_ids(session, theme_id=theme.id) if theme.id else [],
        "extracts": theme_extract_ids(session, theme_id=theme.id) if theme.id else [],
    }


def _record(session: Session, theme: Theme, user: User, action: str, **states: dict[str, Any] | None) -> None:
    record(
        session,
        project_id=theme.project_id,
        user_id=user.id,
        action=action,
        entity="theme",
        entity_id=theme.id,
        before=states.get("before"),
        after=states.get("after"),
    )


def _conflict(theme: Theme) -> ThemeConflict:
    return ThemeConflict(f"{theme.name!r} was changed meanwhile by someone else: your version is kept in the form")


def _touch(session: Session, theme: Theme) -> None:
    theme.version += 1
    theme.updated_at = utcnow()
    session.add(theme)


# --- creating and editing --------------------------------------------------------------------------------


def create_theme(
    session: Session,
    *,
    project_id: int,
    user: User,
    name: str,
    code_ids: Sequence[int] = (),
    parent_id: int | None = None,
    central_concept: str = "",
    definition: str = "",
    scope: str = "",
    memo: str = "",
    status: str = "candidate",
) -> Theme:
    """Create a theme (a subtheme, with ``parent_id``) at the end of its siblings, perhaps from selected codes
    (``code_ids``), which become its members."""
    themes = _project_themes(session, project_id)
    name = _clean_name(name)
    parent = _parent(themes, None, parent_id, name)
    siblings = _children_of(themes).get(parent_id, [])
    _refuse_clash(siblings, name, parent)
    codes = _project_codes(session, project_id, code_ids)
    theme = Theme(
        project_id=project_id,
        parent_id=parent_id,
        name=name,
        central_concept=_clean_text(central_concept, TEXT_FIELDS["central_concept"]),
        definition=_clean_text(definition, TEXT_FIELDS["definition"]),
        scope=_clean_text(scope, TEXT_FIELDS["scope"]),
        memo=_clean_text(memo, TEXT_FIELDS["memo"]),
        status=_clean_status(status),
        position=max((sibling.position for sibling in siblings), default=-1) + 1,
        created_by_id=user.id,
    )
    session.add(theme)
    session.flush()
    session.add_all(ThemeCode(theme_id=theme.id, code_id=code.id, added_by_id=user.id) for code in codes)  # type: ignore[arg-type]
    session.flush()
    _record(session, theme, user, "theme.create", after=_state(session, theme) | {"parent": parent and parent.name})
    session.commit()
    return theme


def _set_status(session: Session, themes: dict[int, Theme], theme: Theme, status: str, user: User) -> None:
    """Change a theme's status; discarding it discards its live subthemes too (each recorded)."""
    if status != DISCARDED and theme.status == DISCARDED:
        parent = themes.get(theme.parent_id) if theme.parent_id else None
        if parent is not None and parent.status == DISCARDED:
            raise ThemeRefused(f"{parent.name!r} is discarded: restore it before {theme.name!r}, or move it out")
        siblings = _children_of(themes).get(parent.id if parent else None, [])
        _refuse_clash(siblings, theme.name, parent, but=theme)
    if status == DISCARDED:
        for child in _children_of(themes).get(theme.id, []):
            if child.status != DISCARDED:
                before = _state(session, child)
                child.status = DISCARDED
                _touch(session, child)
                after = _state(session, child) | {"with_parent": theme.name}
                _record(session, child, user, "theme.update", before=before, after=after)
    theme.status = status


def update_theme(
    session: Session,
    *,
    theme_id: int,
    user: User,
    name: str | None = None,
    central_concept: str | None = None,
    definition: str | None = None,
    scope: str | None = None,
    memo: str | None = None,
    status: str | None = None,
    parent_id: int | Keep | None = KEEP,
    expected_version: int | None = None,
) -> Theme:
    """Rename a theme or rewrite its central organising concept, definition, scope or memo, change its status
    or its parent theme; what is not given (None; ``KEEP`` for the parent) stays as it is. With
    ``expected_version`` (the version the form showed), a theme changed meanwhile by someone else is refused
    (``ThemeConflict``) and nothing is changed."""
    theme = get_theme(session, theme_id=theme_id)
    if expected_version is not None and theme.version != expected_version:
        raise _conflict(theme)
    themes = _project_themes(session, theme.project_id)
    before = _state(session, theme)
    new_name = _clean_name(name) if name is not None else theme.name
    texts = {
        key: _clean_text(value, TEXT_FIELDS[key])
        for key, value in (
            ("central_concept", central_concept),
            ("definition", definition),
            ("scope", scope),
            ("memo", memo),
        )
        if value is not None
    }
    new_status = _clean_status(status) if status is not None else theme.status
    moving = not isinstance(parent_id, Keep) and parent_id != theme.parent_id
    target_parent_id = theme.parent_id if isinstance(parent_id, Keep) else parent_id
    parent = _parent(themes, theme, target_parent_id, new_name) if moving else themes.get(theme.parent_id or -1)
    if new_name.casefold() != theme.name.casefold() or moving:
        _refuse_clash(_children_of(themes).get(target_parent_id, []), new_name, parent, but=theme)
    if new_status != theme.status:
        _set_status(session, themes, theme, new_status, user)
    if moving:
        old_siblings = [t for t in _children_of(themes).get(theme.parent_id, []) if t is not theme]
        new_siblings = [t for t in _children_of(themes).get(target_parent_id, []) if t is not theme]
        theme.parent_id, theme.position = target_parent_id, len(new_siblings)
        _renumber(old_siblings)
        session.add_all(old_siblings)
    theme.name = new_name
    for key, value in texts.items():
        setattr(theme, key, value)
    after = _state(session, theme)
    if after == before:
        return theme
    if expected_version is not None and not claim_version(session, Theme, theme.id, expected_version):  # type: ignore[arg-type]
        session.rollback()
        raise _conflict(get_theme(session, theme_id=theme_id))
    _touch(session, theme)
    after["version"] = theme.version
    _record(session, theme, user, "theme.update", before=before, after=after | {"parent": parent and parent.name})
    session.commit()
    return theme


def discard_theme(session: Session, *, theme_id: int, user: User) -> Theme:
    """Mark a theme as discarded (its live subthemes too). It stays, with its codes and history, and leaves
    the frequency table; ``update_theme(status=...)`` brings it back."""
    return update_theme(session, theme_id=theme_id, user=user, status=DISCARDED)


# --- codes and extracts ----------------------------------------------------------------------------------


def add_codes(session: Session, *, theme_id: int, code_ids: Sequence[int], user: User) -> list[int]:
    """Make codes members of a theme (a code may sit in several themes); codes it holds already are left as
    they are. Returns the ids of the codes added."""
    theme = get_theme(session, theme_id=theme_id)
    if not code_ids:
        raise ThemeRefused(f"choose the codes to add to {theme.name!r}")
    codes = _project_codes(session, theme.project_id, code_ids)
    held = set(theme_code_ids(session, theme_id=theme_id))
    new = [code for code in codes if code.id not in held]
    if not new:
        return []
    before = _state(session, theme)
    session.add_all(ThemeCode(theme_id=theme_id, code_id=code.id, added_by_id=user.id) for code in new)  # type: ignore[arg-type]
    _touch(session, theme)
    session.flush()
    after = _state(session, theme) | {"added": [code.id for code in new], "added_names": [c.name for c in new]}
    _record(session, theme, user, "theme.codes_add", before=before, after=after)
    session.commit()
    return [code.id for code in new if code.id is not None]


def remove_code(session: Session, *, theme_id: int, code_id: int, user: User) -> None:
    """Take a code out of a theme (the code and its codings stay in the codebook)."""
    theme = get_theme(session, theme_id=theme_id)
    member = session.exec(select(ThemeCode).where(ThemeCode.theme_id == theme_id, ThemeCode.code_id == code_id)).first()
    if member is None:
        code = session.get(Code, code_id)
        what = f"the code {code.name!r}" if code and code.project_id == theme.project_id else f"code {code_id}"
        raise ThemeRefused(f"{what} is not a member of {theme.name!r}")
    before = _state(session, theme)
    code = session.get(Code, code_id)
    session.delete(member)
    _touch(session, theme)
    session.flush()
    after = _state(session, theme) | {"removed": [code_id], "removed_names": [code.name if code else str(code_id)]}
    _record(session, theme, user, "theme.code_remove", before=before, after=after)
    session.commit()


def choose_extract(session: Session, *, theme_id: int, coding_id: int, user: User) -> None:
    """Choose a coded extract of the project to illustrate a theme (last in its order; again: no change)."""
    theme = get_theme(session, theme_id=theme_id)
    coding = session.get(Coding, coding_id)
    if coding is None or coding.project_id != theme.project_id:
        raise ThemeRefused(f"no coded extract with id {coding_id} in this project")
    chosen = theme_extract_ids(session, theme_id=theme_id)
    if coding_id in chosen:
        return
    before = _state(session, theme)
    session.add(ThemeExtract(theme_id=theme_id, coding_id=coding_id, position=len(chosen), chosen_by_id=user.id))
    _touch(session, theme)
    session.flush()
    _record(session, theme, user, "theme.extract_choose", before=before, after=_state(session, theme))
    session.commit()


def drop_extract(session: Session, *, theme_id: int, coding_id: int, user: User) -> None:
    """Take an extract out of a theme's chosen extracts (the coding itself stays)."""
    theme = get_theme(session, theme_id=theme_id)
    rows = list(
        session.exec(
            select(ThemeExtract)
            .where(ThemeExtract.theme_id == theme_id)
            .order_by(col(ThemeExtract.position), col(ThemeExtract.id))
        )
    )
    gone = [row for row in rows if row.coding_id == coding_id]
    if not gone:
        raise ThemeRefused(f"extract {coding_id} is not among the chosen extracts of {theme.name!r}")
    before = _state(session, theme)
    session.delete(gone[0])
    for position, row in enumerate(row for row in rows if row is not gone[0]):
        row.position = position
        session.add(row)
    _touch(session, theme)
    session.flush()
    _record(session, theme, user, "theme.extract_drop", before=before, after=_state(session, theme))
    session.commit()


# --- order -----------------------------------------------------------------------------------------------


def move_theme(
    session: Session, *, theme_id: int, user: User, parent_id: int | None, position: int | None = None
) -> Theme:
    """Put a theme under another (``parent_id``; None for the top level) and/or at ``position`` among its
    siblings (0 first; None: last)."""
    theme = get_theme(session, theme_id=theme_id)
    themes = _project_themes(session, theme.project_id)
    parent = _parent(themes, theme, parent_id, theme.name) if parent_id != theme.parent_id else None
    children = _children_of(themes)
    old_siblings = children.get(theme.parent_id if theme.parent_id in themes else None, [])
    old_index = old_siblings.index(theme)
    new_siblings = [t for t in children.get(parent_id, []) if t is not theme]
    if parent_id != theme.parent_id:
        _refuse_clash(new_siblings, theme.name, parent)
    else:
        parent = themes.get(parent_id) if parent_id is not None else None
    index = len(new_siblings) if position is None else min(max(position, 0), len(new_siblings))
    if parent_id == theme.parent_id and index == old_index:
        return theme
    before = {"parent_id": theme.parent_id, "position": old_index}
    moved_parent = parent_id != theme.parent_id
    theme.parent_id = parent_id
    new_siblings.insert(index, theme)
    _renumber(new_siblings)
    if moved_parent:
        _renumber([t for t in old_siblings if t is not theme])
    session.add_all([*new_siblings, *old_siblings])
    _touch(session, theme)
    after = {"parent_id": parent_id, "parent": parent and parent.name, "position": index}
    _record(session, theme, user, "theme.move", before=before, after=after)
    session.commit()
    return theme


def shift_theme(session: Session, *, theme_id: int, user: User, by: int) -> Theme:
    """Move a theme up (``by=-1``) or down (``by=1``) among its siblings."""
    theme = get_theme(session, theme_id=theme_id)
    siblings = _children_of(_project_themes(session, theme.project_id)).get(theme.parent_id, [])
    index = siblings.index(theme)
    return move_theme(session, theme_id=theme_id, user=user, parent_id=theme.parent_id, position=max(index + by, 0))
