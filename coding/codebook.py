"""The codebook's everyday edits: creating codes, editing them, moving them and putting them in order; and
the checks on what the team types (names, texts, colours — with the palette new codes take their colour
from).

No two siblings share a name (compared without regard to case). Every change commits once and appends audit
events in the same transaction, so that what a code was stays on record. Merging, splitting and deleting
codes live in ``coding.restructure``; the tree and its counts in ``coding.tree``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, select

from coding.errors import CodeConflict, InvalidInput
from coding.models import Code
from coding.tree import _children_of, _project_codes, _subtree, get_code
from transcripts.audit import record
from transcripts.models import User, utcnow
from transcripts.versions import claim_version

# Okabe & Ito's palette, told apart with every common colour-vision deficiency; grey stands in for black,
# which would hide the text it marks. A new code takes the colour of its place in the codebook (the how-many-th
# code it is), so that neighbours — a code and its first subcode, say — differ.
PALETTE: tuple[tuple[str, str], ...] = (
    ("orange", "#e69f00"),
    ("sky blue", "#56b4e9"),
    ("bluish green", "#009e73"),
    ("yellow", "#f0e442"),
    ("blue", "#0072b2"),
    ("vermilion", "#d55e00"),
    ("reddish purple", "#cc79a7"),
    ("grey", "#999999"),
)
NAME_LIMIT = 200
TEXT_LIMIT = 20_000
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab and line feed
FIELD_LABELS = {
    "name": "name",
    "definition": "definition",
    "inclusion": "inclusion criteria",
    "exclusion": "exclusion criteria",
    "example": "example",
    "colour": "colour",
}


# --- checking what the team types ---------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", name)).split())
    if not name or len(name) > NAME_LIMIT:
        raise InvalidInput(f"a code name has 1 to {NAME_LIMIT} characters")
    return name


def _clean_text(value: str, label: str) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _CONTROL.sub("", value).strip()
    if len(value) > TEXT_LIMIT:
        raise InvalidInput(f"the {label} has at most {TEXT_LIMIT:,} characters")
    return value


def _clean_colour(colour: str | None, ordinal: int) -> str:
    if colour is None or not colour.strip():
        return PALETTE[ordinal % len(PALETTE)][1]
    colour = colour.strip()
    if not COLOUR.fullmatch(colour):
        raise InvalidInput(f"{colour[:20]!r} is not a colour: write it as #RRGGBB, e.g. #0072b2")
    return colour.lower()


def _refuse_clash(siblings: Iterable[Code], name: str, where: str) -> None:
    for sibling in siblings:
        if sibling.name.casefold() == name.casefold():
            raise InvalidInput(f"{where} already has a code called {sibling.name!r}")


def _where(parent: Code | None) -> str:
    return f"the code {parent.name!r}" if parent else "the top level"


def _renumber(codes: Sequence[Code]) -> None:
    for position, code in enumerate(codes):
        if code.position != position:
            code.position = position


def _state(code: Code) -> dict[str, Any]:
    return {
        "name": code.name,
        "parent_id": code.parent_id,
        "definition": code.definition,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "example": code.example,
        "colour": code.colour,
        "position": code.position,
        "guid": code.guid,
    }


def _record(session: Session, code: Code, user: User, action: str, **states: dict[str, Any] | None) -> None:
    record(
        session,
        project_id=code.project_id,
        user_id=user.id,
        action=action,
        entity="code",
        entity_id=code.id,
        before=states.get("before"),
        after=states.get("after"),
    )


def _place(code: Code | None, position: int) -> dict[str, Any]:
    return {"parent_id": code.id if code else None, "parent": code.name if code else None, "position": position}


# --- changing the codebook ------------------------------------------------------------------------------


def create_code(
    session: Session,
    *,
    project_id: int,
    user: User,
    name: str,
    parent_id: int | None = None,
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    colour: str | None = None,
) -> Code:
    """Add a code to the codebook, at the end of its siblings (top level, or under ``parent_id``). Without a
    colour it takes the palette's next colour (the palette in turn, by how many codes the codebook holds)."""
    codes = _project_codes(session, project_id)
    parent = None
    if parent_id is not None:
        parent = codes.get(parent_id)
        if parent is None:
            raise InvalidInput(f"no code with id {parent_id} in this project to put the new code under")
    name = _clean_name(name)
    siblings = _children_of(codes).get(parent_id, [])
    _refuse_clash(siblings, name, _where(parent))
    position = max((sibling.position for sibling in siblings), default=-1) + 1
    code = Code(
        project_id=project_id,
        parent_id=parent_id,
        name=name,
        definition=_clean_text(definition, "definition"),
        inclusion=_clean_text(inclusion, "inclusion criteria"),
        exclusion=_clean_text(exclusion, "exclusion criteria"),
        example=_clean_text(example, "example"),
        colour=_clean_colour(colour, len(codes)),
        position=position,
        created_by_id=user.id,
    )
    session.add(code)
    session.flush()
    _record(session, code, user, "code.create", after=_state(code) | {"parent": parent.name if parent else None})
    session.commit()
    return code


def update_code(
    session: Session,
    *,
    code_id: int,
    user: User,
    name: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    example: str | None = None,
    colour: str | None = None,
    expected_version: int | None = None,
) -> Code:
    """Rename a code or rewrite its definition, criteria, example or colour; what is not given (None, or an
    empty colour) stays as it is. With ``expected_version`` (the version the form showed), a code someone
    else changed meanwhile is refused (``CodeConflict``) and nothing is changed. Commits."""
    code = get_code(session, code_id=code_id)
    if expected_version is not None and code.version != expected_version:
        raise _conflict(code)
    before = _state(code)
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
        if changes["name"].casefold() != code.name.casefold():
            siblings = session.exec(
                select(Code).where(
                    Code.project_id == code.project_id, Code.parent_id == code.parent_id, Code.id != code.id
                )
            )
            parent = session.get(Code, code.parent_id) if code.parent_id else None
            _refuse_clash(siblings, changes["name"], _where(parent))
    for key, value in (
        ("definition", definition),
        ("inclusion", inclusion),
        ("exclusion", exclusion),
        ("example", example),
    ):
        if value is not None:
            changes[key] = _clean_text(value, FIELD_LABELS[key])
    if colour is not None and colour.strip():
        changes["colour"] = _clean_colour(colour, 0)
    for key, value in changes.items():
        setattr(code, key, value)
    after = _state(code)
    if after == before:
        return code
    version = code.version if expected_version is None else expected_version
    if not claim_version(session, Code, code.id, version):  # type: ignore[arg-type]
        session.rollback()
        raise _conflict(get_code(session, code_id=code_id))
    code.version = version + 1
    code.updated_at = utcnow()
    session.add(code)
    _record(session, code, user, "code.update", before=before, after=after)
    session.commit()
    return code


def _conflict(code: Code) -> CodeConflict:
    return CodeConflict(f"{code.name!r} was changed meanwhile by someone else: your version is kept in the form")


def _move(
    session: Session, codes: dict[int, Code], code: Code, parent_id: int | None, position: int | None, user: User
) -> None:
    parent = None
    if parent_id is not None:
        parent = codes.get(parent_id)
        if parent is None:
            raise InvalidInput(f"no code with id {parent_id} in this project to move {code.name!r} under")
        if parent.id == code.id:
            raise InvalidInput(f"cannot move {code.name!r} under itself")
        if parent_id in _subtree(codes, code.id or 0):
            raise InvalidInput(f"cannot move {code.name!r} under {parent.name!r}: {parent.name!r} lies inside it")
    children = _children_of(codes)
    old_parent = codes.get(code.parent_id) if code.parent_id else None
    old_siblings = children.get(code.parent_id if old_parent else None, [])
    old_index = old_siblings.index(code)
    new_siblings = [c for c in children.get(parent_id, []) if c.id != code.id]
    if parent_id != code.parent_id:
        _refuse_clash(new_siblings, code.name, _where(parent))
    index = len(new_siblings) if position is None else min(max(position, 0), len(new_siblings))
    if parent_id == code.parent_id and index == old_index:
        return
    before = _place(old_parent, old_index)
    code.parent_id = parent_id
    new_siblings.insert(index, code)
    _renumber(new_siblings)
    if parent_id != before["parent_id"]:
        _renumber([c for c in old_siblings if c.id != code.id])
    code.updated_at = utcnow()
    session.add_all([*new_siblings, *old_siblings])
    _record(session, code, user, "code.move", before=before, after=_place(parent, index))


def move_code(
    session: Session, *, code_id: int, user: User, parent_id: int | None, position: int | None = None
) -> Code:
    """Put a code under another (``parent_id``; None for the top level) and/or at ``position`` among its
    siblings (0 first; None: last). A code cannot go under itself or under one of its own subcodes."""
    code = get_code(session, code_id=code_id)
    _move(session, _project_codes(session, code.project_id), code, parent_id, position, user)
    session.commit()
    return code


def shift_code(session: Session, *, code_id: int, user: User, by: int) -> Code:
    """Move a code up (``by=-1``) or down (``by=1``) among its siblings."""
    code = get_code(session, code_id=code_id)
    codes = _project_codes(session, code.project_id)
    parent_id = code.parent_id if code.parent_id in codes else None
    index = _children_of(codes).get(parent_id, []).index(code)
    _move(session, codes, code, parent_id, max(index + by, 0), user)
    session.commit()
    return code
