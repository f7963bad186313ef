"""The themes read: a project's themes as a tree in the team's order, each with its member codes; and the
readers the theme operations build on (a project's themes, their children, subtrees, member codes).

Themes nest through ``parent_id`` (a theme and its subthemes). The operations keep to one level of
subthemes, but the readers here follow any depth, so that data from elsewhere (an import) still reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from themes.errors import NotFound
from themes.models import Theme, ThemeCode, ThemeExtract

DISCARDED = "discarded"


@dataclass(slots=True)
class ThemeNode:
    """A theme in the tree: its own member codes, and its subthemes."""

    theme: Theme
    depth: int
    code_ids: list[int]
    children: list[ThemeNode] = field(default_factory=list)

    @property
    def all_code_ids(self) -> list[int]:
        """Its own codes and those of every subtheme beneath it, each once, in tree order."""
        return list(dict.fromkeys(code_id for node in flatten([self]) for code_id in node.code_ids))


def get_theme(session: Session, *, theme_id: int, project_id: int | None = None) -> Theme:
    """The theme with this id (in this project, when one is given)."""
    theme = session.get(Theme, theme_id)
    if theme is None or (project_id is not None and theme.project_id != project_id):
        raise NotFound(f"no theme with id {theme_id}" + (" in this project" if project_id is not None else ""))
    return theme


def _ordered(themes: Iterable[Theme]) -> list[Theme]:
    return sorted(themes, key=lambda theme: (theme.position, theme.id or 0))


def _project_themes(session: Session, project_id: int) -> dict[int, Theme]:
    return {t.id: t for t in session.exec(select(Theme).where(Theme.project_id == project_id)) if t.id is not None}


def _children_of(themes: dict[int, Theme]) -> dict[int | None, list[Theme]]:
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in themes.values():
        children[theme.parent_id if theme.parent_id in themes else None].append(theme)
    return {parent: _ordered(group) for parent, group in children.items()}


def _subtree(themes: dict[int, Theme], root_id: int) -> set[int]:
    children = _children_of(themes)
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(child.id for child in children.get(current, []) if child.id is not None)
    return found


def _member_codes(session: Session, theme_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each theme's member codes, in the order they were added."""
    members: dict[int, list[int]] = defaultdict(list)
    ids = list(theme_ids)
    if ids:
        rows = session.exec(
            select(ThemeCode.theme_id, ThemeCode.code_id)
            .where(col(ThemeCode.theme_id).in_(ids))
            .order_by(col(ThemeCode.id))
        )
        for theme_id, code_id in rows:
            members[theme_id].append(code_id)
    return members


def theme_code_ids(session: Session, *, theme_id: int) -> list[int]:
    """The codes that are members of this theme (not of its subthemes), in the order they were added."""
    return _member_codes(session, [theme_id]).get(theme_id, [])


def theme_extract_ids(session: Session, *, theme_id: int) -> list[int]:
    """The codings chosen to illustrate this theme, in the team's order."""
    return list(
        session.exec(
            select(ThemeExtract.coding_id)
            .where(ThemeExtract.theme_id == theme_id)
            .order_by(col(ThemeExtract.position), col(ThemeExtract.id))
        )
    )


def theme_tree(session: Session, *, project_id: int, include_discarded: bool = True) -> list[ThemeNode]:
    """The project's themes as a tree in the team's order, each with its member codes. Without
    ``include_discarded`` a discarded theme is left out, and so is everything beneath it."""
    themes = _project_themes(session, project_id)
    members = _member_codes(session, themes)
    children = _children_of(themes)

    def build(parent_id: int | None, depth: int, seen: frozenset[int]) -> list[ThemeNode]:
        nodes = []
        for theme in children.get(parent_id, []):
            if theme.id is None or theme.id in seen or (theme.status == DISCARDED and not include_discarded):
                continue
            node = ThemeNode(theme, depth, members.get(theme.id, []))
            node.children = build(theme.id, depth + 1, seen | {theme.id})
            nodes.append(node)
        return nodes

    return build(None, 0, frozenset())


def flatten(nodes: Iterable[ThemeNode]) -> Iterator[ThemeNode]:
    """The tree's themes one after another, each before its subthemes."""
    for node in nodes:
        yield node
        yield from flatten(node.children)
