"""Restructuring themes (phase 4): merging themes, splitting one, deleting one — the changes that move member
codes, chosen extracts and subthemes from theme to theme.

Merging keeps the merged themes, discarded, with their history pointing at the survivor (see
``themes.themes`` for why); deleting is the explicit way to remove a theme. Each function commits once and
appends audit events in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from coding.models import Code, Coding
from themes.errors import ThemeRefused
from themes.models import Theme, ThemeCode, ThemeExtract
from themes.themes import _clean_name, _record, _refuse_clash, _renumber, _state, _touch, _where
from themes.tree import (
    DISCARDED,
    _children_of,
    _member_codes,
    _project_themes,
    _subtree,
    get_theme,
    theme_code_ids,
    theme_extract_ids,
)
from transcripts.models import User


@dataclass(frozen=True, slots=True)
class MergeResult:
    target: Theme
    merged: list[str]  # names of the themes merged away (kept as discarded)
    codes_moved: int  # member codes the target did not hold yet
    extracts_moved: int
    subthemes_moved: int


def merge_themes(session: Session, *, source_ids: Sequence[int], target_id: int, user: User) -> MergeResult:
    """Merge themes into ``target_id``: their member codes, chosen extracts and subthemes move to the target;
    the merged themes stay, discarded, and their history says where everything went."""
    target = get_theme(session, theme_id=target_id)
    themes = _project_themes(session, target.project_id)
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        raise ThemeRefused(f"choose the themes to merge into {target.name!r}")
    if target_id in ids:
        raise ThemeRefused(f"{target.name!r} cannot be merged into itself")
    if target.status == DISCARDED:
        raise ThemeRefused(f"{target.name!r} is discarded: restore it before merging into it")
    sources = []
    for source_id in ids:
        source = themes.get(source_id)
        if source is None:
            raise ThemeRefused(f"no theme with id {source_id} in this project to merge into {target.name!r}")
        if target_id in _subtree(themes, source_id):
            raise ThemeRefused(
                f"cannot merge {source.name!r} into {target.name!r}: {target.name!r} is its subtheme; move it out first"
            )
        sources.append(source)
    children = _children_of(themes)
    arriving = [child for source in sources for child in children.get(source.id, []) if child.id not in ids]
    if arriving and target.parent_id is not None:
        raise ThemeRefused(
            f"{target.name!r} is a subtheme and cannot take the subthemes of {arriving[0].name!r}'s parent; "
            "move them out first"
        )
    staying = children.get(target_id, [])
    names: dict[str, Theme] = {t.name.casefold(): t for t in staying if t.status != DISCARDED}
    for child in arriving:
        if child.status != DISCARDED and names.setdefault(child.name.casefold(), child) is not child:
            raise ThemeRefused(f"{target.name!r} already has a subtheme called {child.name!r}; rename one first")

    members = _member_codes(session, [target_id, *ids])
    held = set(members.get(target_id, []))
    chosen = theme_extract_ids(session, theme_id=target_id)
    codes_moved = extracts_moved = 0
    befores = {source.id: _state(session, source) for source in sources}
    target_before = _state(session, target)
    for child in arriving:
        before = {"parent_id": child.parent_id, "position": child.position}
        child.parent_id = target_id
        child.position = len(staying)
        staying = [*staying, child]
        _touch(session, child)
        _record(
            session,
            child,
            user,
            "theme.move",
            before=before,
            after={"parent_id": target_id, "parent": target.name, "position": child.position, "merged": True},
        )
    for source in sources:
        rows = session.exec(select(ThemeCode).where(ThemeCode.theme_id == source.id).order_by(col(ThemeCode.id)))
        moved_codes = []
        for row in rows:
            if row.code_id not in held:
                held.add(row.code_id)
                session.add(ThemeCode(theme_id=target_id, code_id=row.code_id, added_by_id=user.id))
                moved_codes.append(row.code_id)
            session.delete(row)
        extracts = session.exec(
            select(ThemeExtract).where(ThemeExtract.theme_id == source.id).order_by(col(ThemeExtract.position))
        )
        moved_extracts = []
        for extract in extracts:
            if extract.coding_id not in chosen:
                chosen.append(extract.coding_id)
                session.add(
                    ThemeExtract(
                        theme_id=target_id,
                        coding_id=extract.coding_id,
                        position=len(chosen) - 1,
                        chosen_by_id=extract.chosen_by_id,
                        chosen_at=extract.chosen_at,
                    )
                )
                moved_extracts.append(extract.coding_id)
            session.delete(extract)
        codes_moved += len(moved_codes)
        extracts_moved += len(moved_extracts)
        source.status = DISCARDED
        _touch(session, source)
        session.flush()
        after = _state(session, source) | {
            "into": target_id,
            "into_name": target.name,
            "codes_moved": moved_codes,
            "extracts_moved": moved_extracts,
            "subthemes_moved": [c.id for c in children.get(source.id, []) if c.id not in ids],
        }
        _record(session, source, user, "theme.merge", before=befores[source.id], after=after)
    _touch(session, target)
    session.flush()
    merged = [source.name for source in sources]
    after = _state(session, target) | {"merged": merged, "merged_ids": ids}
    _record(session, target, user, "theme.merge_into", before=target_before, after=after)
    session.commit()
    return MergeResult(target, merged, codes_moved, extracts_moved, len(arriving))


def split_theme(session: Session, *, theme_id: int, new_name: str, code_ids: Sequence[int], user: User) -> Theme:
    """Split a theme: a new theme beside it (same parent, right after it, same status) takes the chosen
    member codes, and the chosen extracts coded with them."""
    theme = get_theme(session, theme_id=theme_id)
    ids = list(dict.fromkeys(code_ids))
    if not ids:
        raise ThemeRefused(f"choose the codes of {theme.name!r} that go to the new theme")
    held = theme_code_ids(session, theme_id=theme_id)
    for code_id in ids:
        if code_id not in held:
            code = session.get(Code, code_id)
            what = f"the code {code.name!r}" if code and code.project_id == theme.project_id else f"code {code_id}"
            raise ThemeRefused(f"{what} is not a member of {theme.name!r}; only its own codes can move")
    themes = _project_themes(session, theme.project_id)
    parent = themes.get(theme.parent_id) if theme.parent_id else None
    name = _clean_name(new_name)
    siblings = _children_of(themes).get(parent.id if parent else None, [])
    _refuse_clash(siblings, name, parent)
    before = _state(session, theme)
    index = siblings.index(theme) + 1
    new = Theme(
        project_id=theme.project_id,
        parent_id=theme.parent_id,
        name=name,
        status=theme.status,
        position=index,
        created_by_id=user.id,
    )
    session.add(new)
    siblings.insert(index, new)
    _renumber(siblings)
    session.add_all(siblings)
    session.flush()
    for row in session.exec(select(ThemeCode).where(ThemeCode.theme_id == theme_id, col(ThemeCode.code_id).in_(ids))):
        row.theme_id = new.id  # type: ignore[assignment]
        session.add(row)
    extracts = session.exec(
        select(ThemeExtract)
        .join(Coding, col(Coding.id) == col(ThemeExtract.coding_id))
        .where(ThemeExtract.theme_id == theme_id, col(Coding.code_id).in_(ids))
        .order_by(col(ThemeExtract.position))
    ).all()
    for position, extract in enumerate(extracts):
        extract.theme_id, extract.position = new.id, position  # type: ignore[assignment]
        session.add(extract)
    session.flush()
    for position, extract in enumerate(
        session.exec(select(ThemeExtract).where(ThemeExtract.theme_id == theme_id).order_by(col(ThemeExtract.position)))
    ):
        extract.position = position
        session.add(extract)
    _touch(session, theme)
    session.flush()
    moved = {
        "new_theme_id": new.id,
        "new_theme": name,
        "codes_moved": ids,
        "extracts_moved": [e.coding_id for e in extracts],
    }
    _record(session, theme, user, "theme.split", before=before, after=_state(session, theme) | moved)
    after = _state(session, new) | {
        "split_from": theme.id,
        "split_from_name": theme.name,
        "parent": parent and parent.name,
    }
    _record(session, new, user, "theme.create", after=after)
    session.commit()
    return new


def delete_theme(session: Session, *, theme_id: int, user: User) -> None:
    """Remove a theme for good (discarding keeps it; this does not). Its subthemes move up to the top level
    in its place; its member codes and chosen extracts are let go (the codes and codings stay). Its history
    stays readable through its id."""
    theme = get_theme(session, theme_id=theme_id)
    themes = _project_themes(session, theme.project_id)
    children = _children_of(themes)
    parent = themes.get(theme.parent_id) if theme.parent_id else None
    siblings = children.get(parent.id if parent else None, [])
    orphans = children.get(theme.id, [])
    index = siblings.index(theme)
    new_siblings = [*siblings[:index], *orphans, *siblings[index + 1 :]]
    seen: dict[str, Theme] = {}
    for sibling in new_siblings:
        if sibling.status != DISCARDED and seen.setdefault(sibling.name.casefold(), sibling) is not sibling:
            raise ThemeRefused(
                f"{_where(parent)} already has a theme called {sibling.name!r}: "
                f"rename one before deleting {theme.name!r}"
            )
    before = _state(session, theme) | {"subthemes": [child.id for child in orphans]}
    places = {
        child.id: {"parent_id": child.parent_id, "parent": theme.name, "position": child.position} for child in orphans
    }
    for child in orphans:
        child.parent_id = theme.parent_id
        _touch(session, child)
    _renumber(new_siblings)
    for child in orphans:
        after = {"parent_id": child.parent_id, "parent": parent and parent.name, "position": child.position}
        _record(session, child, user, "theme.move", before=places[child.id], after=after | {"deleted": True})
    session.add_all(new_siblings)
    _record(session, theme, user, "theme.delete", before=before)
    session.flush()
    session.delete(theme)
    session.commit()
