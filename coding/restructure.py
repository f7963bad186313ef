"""Restructuring the codebook: merging codes, splitting one, deleting one — the changes that move codings
from code to code.

Each commits once and appends audit events in the same transaction, so that what a code was — and where its
codings went — stays on record, even after the code is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.codebook import (
    _clean_colour,
    _clean_name,
    _place,
    _record,
    _refuse_clash,
    _renumber,
    _state,
    _where,
)
from coding.errors import InvalidInput
from coding.models import Code, Coding
from coding.tree import _children_of, _path, _project_codes, _subtree, counted, get_code
from transcripts.models import User, utcnow

CodingsChoice = Literal["delete", "move_to_parent"]


@dataclass(frozen=True, slots=True)
class MergeResult:
    target: Code
    merged: list[str]  # names of the codes merged away
    moved: int  # codings that moved to the target
    collapsed: int  # duplicate codings folded into one already there
    children_moved: int


def _coding_state(coding: Coding) -> dict[str, Any]:
    return {
        "id": coding.id,
        "transcript_id": coding.transcript_id,
        "coder_id": coding.coder_id,
        "start": coding.start,
        "end": coding.end,
        "memo": coding.memo,
    }


def _join_memos(*memos: str) -> str:
    return "\n\n".join(dict.fromkeys(memo.strip() for memo in memos if memo.strip()))


def _hand_over(session: Session, codings: Sequence[Coding], receiver: Code) -> tuple[list[int], list[tuple[int, int]]]:
    """Give ``codings`` to ``receiver``. Where the receiver already holds the same passage from the same coder
    (same transcript, start and end) the two become one: the first is kept, the memos are joined."""
    held = {
        (c.transcript_id, c.start, c.end, c.coder_id): c
        for c in session.exec(select(Coding).where(Coding.code_id == receiver.id).order_by(col(Coding.id)))
    }
    moved, collapsed = [], []
    now = utcnow()
    for coding in sorted(codings, key=lambda c: c.id or 0):
        key = (coding.transcript_id, coding.start, coding.end, coding.coder_id)
        keeper = held.get(key)
        if keeper is None:
            coding.code_id, coding.updated_at = receiver.id, now  # type: ignore[assignment]
            session.add(coding)
            held[key] = coding
            moved.append(coding.id or 0)
        else:
            keeper.memo, keeper.updated_at = _join_memos(keeper.memo, coding.memo), now
            session.add(keeper)
            session.delete(coding)
            collapsed.append((coding.id or 0, keeper.id or 0))
    return moved, collapsed


def _refuse_sibling_clashes(codes: dict[int, Code], siblings: Sequence[Code], parent: Code | None) -> None:
    seen: dict[str, Code] = {}
    for code in siblings:
        other = seen.setdefault(code.name.casefold(), code)
        if other is not code:
            where = f"under {parent.name!r}" if parent else "at the top level"
            raise InvalidInput(
                f"{_path(codes, other)!r} and {_path(codes, code)!r} would both be called {code.name!r} {where}; "
                "rename one of them first"
            )


def merge_codes(session: Session, *, source_ids: Sequence[int], target_id: int, user: User) -> MergeResult:
    """Merge codes into ``target_id``: their codings move to the target (where a coder has coded the same
    passage with both, one coding remains, with both memos), their subcodes move under the target, and the
    merged codes are removed. Each merged code's history keeps what it was and where its codings went."""
    target = get_code(session, code_id=target_id)
    codes = _project_codes(session, target.project_id)
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        raise InvalidInput(f"choose the codes to merge into {target.name!r}")
    if target_id in ids:
        raise InvalidInput(f"{target.name!r} cannot be merged into itself")
    sources = []
    for source_id in ids:
        if source_id not in codes:
            raise InvalidInput(f"no code with id {source_id} in this project to merge into {target.name!r}")
        source = codes[source_id]
        if target_id in _subtree(codes, source_id):
            raise InvalidInput(
                f"cannot merge {source.name!r} into {target.name!r}: {target.name!r} lies inside it; "
                f"move {target.name!r} out first"
            )
        sources.append(source)
    children = _children_of(codes)
    orphans = {s.id: [c for c in children.get(s.id, []) if c.id not in ids] for s in sources}
    staying = [c for c in children.get(target_id, []) if c.id not in ids]
    arriving = [child for source in sources for child in orphans[source.id]]
    _refuse_sibling_clashes(codes, [*staying, *arriving], target)

    paths = {source.id: _path(codes, source) for source in sources}
    codings = session.exec(select(Coding).where(col(Coding.code_id).in_(ids))).all()
    befores = {
        source.id: _state(source)
        | {"path": paths[source.id], "codings": sum(c.code_id == source.id for c in codings)}
        | {"children": [child.id for child in children.get(source.id, [])]}
        for source in sources
    }
    now = utcnow()
    places = {child.id: _place(codes[child.parent_id or 0], child.position) for child in arriving}
    for child in arriving:
        child.parent_id, child.updated_at = target_id, now
        session.add(child)
    _renumber([*staying, *arriving])
    for child in arriving:
        after = _place(target, child.position) | {"merged": True}
        _record(session, child, user, "code.move", before=places[child.id], after=after)
    # the merged codes leave gaps among their siblings
    for parent_id in {source.parent_id if source.parent_id in codes else None for source in sources}:
        if parent_id != target_id and parent_id not in ids:
            _renumber([c for c in children.get(parent_id, []) if c.id not in ids])
    moved_total, collapsed_total = 0, 0
    for source in sources:
        moved, collapsed = _hand_over(session, [c for c in codings if c.code_id == source.id], target)
        moved_total, collapsed_total = moved_total + len(moved), collapsed_total + len(collapsed)
        after = {
            "into": target_id,
            "into_name": target.name,
            "moved": moved,
            "collapsed": [list(pair) for pair in collapsed],
            "children_moved": [child.id for child in orphans[source.id]],
        }
        _record(session, source, user, "code.merge", before=befores[source.id], after=after)
    session.flush()  # codings and subcodes have left the merged codes before these go
    for source in sources:
        session.delete(source)
    target.updated_at = now
    session.add(target)
    merged = [paths[source.id] for source in sources]
    _record(
        session,
        target,
        user,
        "code.merge_into",
        after={"merged": merged, "merged_ids": ids, "moved": moved_total, "collapsed": collapsed_total},
    )
    session.commit()
    return MergeResult(target, [source.name for source in sources], moved_total, collapsed_total, len(arriving))


def split_code(session: Session, *, code_id: int, new_name: str, coding_ids: Sequence[int], user: User) -> Code:
    """Split a code: a new code beside it (same parent, right after it) takes the chosen codings, which must
    all be codings of this code."""
    code = get_code(session, code_id=code_id)
    ids = list(dict.fromkeys(coding_ids))
    if not ids:
        raise InvalidInput(f"choose the codings of {code.name!r} that go to the new code")
    found = {c.id: c for c in session.exec(select(Coding).where(col(Coding.id).in_(ids)))}
    for coding_id in ids:
        coding = found.get(coding_id)
        if coding is None or coding.code_id != code.id:
            raise InvalidInput(f"coding {coding_id} is not a coding of {code.name!r}; only its own codings can move")
    codes = _project_codes(session, code.project_id)
    parent = codes.get(code.parent_id) if code.parent_id else None
    name = _clean_name(new_name)
    siblings = _children_of(codes).get(parent.id if parent else None, [])
    _refuse_clash(siblings, name, _where(parent))
    index = siblings.index(code) + 1
    new = Code(
        project_id=code.project_id,
        parent_id=parent.id if parent else None,
        name=name,
        colour=_clean_colour(None, len(codes)),
        position=index,
        created_by_id=user.id,
    )
    before = {"codings": _count_codings(session, code.id)}
    session.add(new)
    siblings.insert(index, new)
    _renumber(siblings)
    session.add_all(siblings)
    session.flush()
    now = utcnow()
    for coding in found.values():
        coding.code_id, coding.updated_at = new.id, now  # type: ignore[assignment]
        session.add(coding)
    moved = sorted(ids)
    _record(
        session,
        code,
        user,
        "code.split",
        before=before,
        after={"new_code_id": new.id, "new_code": name, "moved": moved},
    )
    _record(
        session,
        new,
        user,
        "code.create",
        after=_state(new) | {"split_from": code.id, "split_from_name": code.name, "moved": moved},
    )
    session.commit()
    return new


def _count_codings(session: Session, code_id: int | None) -> int:
    return session.exec(select(func.count()).select_from(Coding).where(Coding.code_id == code_id)).one()


def delete_code(session: Session, *, code_id: int, user: User, codings: CodingsChoice | None = None) -> None:
    """Remove a code. Its subcodes move up to its parent, in its place. A code that has codings needs a
    choice: ``"delete"`` them, or ``"move_to_parent"`` (merging passages the parent already holds)."""
    code = get_code(session, code_id=code_id)
    if codings not in (None, "delete", "move_to_parent"):
        raise InvalidInput(f"unknown choice {codings!r} for the codings: 'delete' or 'move_to_parent'")
    codes = _project_codes(session, code.project_id)
    parent = codes.get(code.parent_id) if code.parent_id else None
    own = session.exec(select(Coding).where(Coding.code_id == code.id).order_by(col(Coding.id))).all()
    number = counted(len(own), "coding")
    if own and codings is None:
        options = "delete them" + (f" or move them to its parent {parent.name!r}" if parent else "")
        raise InvalidInput(f"{code.name!r} has {number}: choose whether to {options}")
    if own and codings == "move_to_parent" and parent is None:
        raise InvalidInput(f"{code.name!r} is a top-level code: no parent can take its {number}; delete them")
    children = _children_of(codes)
    siblings = children.get(parent.id if parent else None, [])
    index = siblings.index(code)
    orphans = children.get(code.id, [])
    new_siblings = [*siblings[:index], *orphans, *siblings[index + 1 :]]
    _refuse_sibling_clashes(codes, new_siblings, parent)

    before = _state(code) | {"path": _path(codes, code), "codings": [_coding_state(c) for c in own]}
    after: dict[str, Any] = {"children_moved": [child.id for child in orphans], "codings": None}
    if own and codings == "move_to_parent" and parent is not None:
        moved, collapsed = _hand_over(session, own, parent)
        after |= {"codings": "moved_to_parent", "into": parent.id, "into_name": parent.name, "moved": moved}
        after["collapsed"] = [list(pair) for pair in collapsed]
    elif own:
        for coding in own:
            session.delete(coding)
        after["codings"] = "deleted"
    now = utcnow()
    places = {child.id: _place(code, child.position) for child in orphans}
    for child in orphans:
        child.parent_id, child.updated_at = parent.id if parent else None, now
        session.add(child)
    _renumber(new_siblings)
    for child in orphans:
        child_after = _place(parent, child.position) | {"deleted": True}
        _record(session, child, user, "code.move", before=places[child.id], after=child_after)
    _record(session, code, user, "code.delete", before=before, after=after)
    session.flush()
    session.delete(code)
    session.commit()
