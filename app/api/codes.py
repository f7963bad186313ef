"""A project's codebook."""

from __future__ import annotations

from app.api.auth import Db, Member
from app.api.errors import api_router
from app.api.schemas import CodeOut, Counts
from coding.tree import Counts as TreeCounts
from coding.tree import code_tree, flatten

router = api_router()


def _counts(counts: TreeCounts) -> Counts:
    return Counts(codings=counts.codings, transcripts=counts.transcripts, dyads=counts.dyads)


@router.get("/projects/{project_id}/codes", response_model=list[CodeOut], summary="The codebook")
def codes(access: Member, session: Db) -> list[CodeOut]:
    """Every code in the codebook's order, each before its subcodes, with its counts."""
    return [
        CodeOut(
            id=node.code.id or 0,
            parent_id=node.code.parent_id,
            name=node.code.name,
            path=node.path,
            depth=node.depth,
            position=node.code.position,
            definition=node.code.definition,
            inclusion=node.code.inclusion,
            exclusion=node.code.exclusion,
            example=node.code.example,
            colour=node.code.colour,
            guid=node.code.guid,
            counts=_counts(node.own),
            total=_counts(node.total),
        )
        for node in flatten(code_tree(session, project_id=access.project_id))
    ]
