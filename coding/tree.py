"""The codebook read: the code tree in the team's order, each code with its counts; and the readers the
codebook's changes build on (a project's codes, their children, subtrees and paths). A code's coded extracts
are retrieved by ``coding.extracts``.

Codes nest to any depth. Siblings are kept in the order the team gives them (``position``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from coding.errors import NotFound
from coding.models import Code, Coding
from transcripts.models import Participant, Transcript


@dataclass(frozen=True, slots=True)
class Counts:
    """How much of the data a code marks: coded extracts, and the distinct transcripts and dyads they lie in."""

    codings: int = 0
    transcripts: int = 0
    dyads: int = 0


@dataclass(slots=True)
class CodeNode:
    """A code in the tree, with its counts on its own (``own``) and with its subcodes (``total``)."""

    code: Code
    path: str
    depth: int
    own: Counts
    total: Counts
    children: list[CodeNode] = field(default_factory=list)
    index: int = 0  # its place among its siblings (0 first)
    siblings: int = 1  # how many codes share its parent, itself included

    @property
    def subtree_ids(self) -> set[int]:
        """This code's id and those of all codes beneath it."""
        return {node.code.id for node in flatten([self]) if node.code.id is not None}


def get_code(session: Session, *, code_id: int, project_id: int | None = None) -> Code:
    """The code with this id (in this project, when one is given)."""
    code = session.get(Code, code_id)
    if code is None or (project_id is not None and code.project_id != project_id):
        raise NotFound(f"no code with id {code_id}" + (" in this project" if project_id is not None else ""))
    return code


def _ordered(codes: Iterable[Code]) -> list[Code]:
    return sorted(codes, key=lambda code: (code.position, code.id or 0))


def _project_codes(session: Session, project_id: int) -> dict[int, Code]:
    return {code.id: code for code in session.exec(select(Code).where(Code.project_id == project_id)) if code.id}


def _children_of(codes: dict[int, Code]) -> dict[int | None, list[Code]]:
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes.values():
        children[code.parent_id if code.parent_id in codes else None].append(code)
    return {parent: _ordered(group) for parent, group in children.items()}


def _subtree(codes: dict[int, Code], root_id: int) -> set[int]:
    children = _children_of(codes)
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(child.id for child in children.get(current, []) if child.id is not None)
    return found


def _path(codes: dict[int, Code], code: Code) -> str:
    names, seen, current = [code.name], {code.id}, code
    while current.parent_id in codes and current.parent_id not in seen:
        current = codes[current.parent_id]
        seen.add(current.id)
        names.append(current.name)
    return " > ".join(reversed(names))


def _counts(rows: Iterable[Any]) -> dict[int, Counts]:
    return {key: Counts(int(n), int(t), int(d)) for key, n, t, d in rows}


def code_tree(session: Session, *, project_id: int) -> list[CodeNode]:
    """The project's codebook as a tree in the team's order. Each code carries its counts — coded
    extracts, transcripts and dyads — on its own and together with all its subcodes (a transcript or dyad
    reached through several subcodes counts once)."""
    codes = _project_codes(session, project_id)
    own = _counts(
        session.exec(
            select(
                col(Coding.code_id),
                func.count(col(Coding.id)),
                func.count(distinct(col(Coding.transcript_id))),
                func.count(distinct(col(Participant.dyad_id))),
            )
            .join(Transcript, col(Transcript.id) == col(Coding.transcript_id))
            .join(Participant, col(Participant.id) == col(Transcript.participant_id))
            .where(Coding.project_id == project_id)
            .group_by(col(Coding.code_id))
        )
    )
    # Every (ancestor, code) pair of the tree, the code itself included, so that one GROUP BY counts each
    # transcript and dyad once however many subcodes reach it.
    closure = (
        select(col(Code.id).label("ancestor_id"), col(Code.id).label("code_id"))
        .where(Code.project_id == project_id)
        .cte("closure", recursive=True)
    )
    closure = closure.union_all(
        select(closure.c.ancestor_id, col(Code.id)).where(col(Code.parent_id) == closure.c.code_id)
    )
    total = _counts(
        session.exec(
            select(
                closure.c.ancestor_id,
                func.count(col(Coding.id)),
                func.count(distinct(col(Coding.transcript_id))),
                func.count(distinct(col(Participant.dyad_id))),
            )
            .select_from(closure)
            .join(Coding, col(Coding.code_id) == closure.c.code_id)
            .join(Transcript, col(Transcript.id) == col(Coding.transcript_id))
            .join(Participant, col(Participant.id) == col(Transcript.participant_id))
            .group_by(closure.c.ancestor_id)
        )
    )
    children = _children_of(codes)

    def build(parent_id: int | None, path: str, depth: int) -> list[CodeNode]:
        nodes = []
        group = children.get(parent_id, [])
        for index, code in enumerate(group):
            code_path = f"{path} > {code.name}" if path else code.name
            own_counts, total_counts = own.get(code.id or 0, Counts()), total.get(code.id or 0, Counts())
            node = CodeNode(code, code_path, depth, own_counts, total_counts, index=index, siblings=len(group))
            node.children = build(code.id, code_path, depth + 1)
            nodes.append(node)
        return nodes

    return build(None, "", 0)


def flatten(nodes: Iterable[CodeNode]) -> Iterator[CodeNode]:
    """The tree's codes one after another, each before its subcodes (the order of a printed codebook)."""
    for node in nodes:
        yield node
        yield from flatten(node.children)


def find_node(nodes: Iterable[CodeNode], code_id: int) -> CodeNode:
    for node in flatten(nodes):
        if node.code.id == code_id:
            return node
    raise NotFound(f"no code with id {code_id} in this project")


def counted(n: int, word: str) -> str:
    """``1 coding``, ``2 codings``."""
    return f"{n} {word}{'' if n == 1 else 's'}"
