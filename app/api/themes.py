"""A project's themes and its frequency table (themes × dyads)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from app.api.auth import MAX_ID, Db, Member
from app.api.errors import api_router
from app.api.schemas import DyadColumn, FrequencyCell, FrequencyOut, FrequencyRow, ThemeOut
from themes.frequency import frequency_table
from themes.tree import flatten, theme_tree

router = api_router()


@router.get("/projects/{project_id}/themes", response_model=list[ThemeOut], summary="Themes and subthemes")
def themes(
    access: Member,
    session: Db,
    discarded: Annotated[bool, Query(description="discarded themes too (and what lies under them)")] = True,
) -> list[ThemeOut]:
    """Every theme in the team's order, each before its subthemes, with its member codes."""
    return [
        ThemeOut(
            id=node.theme.id or 0,
            parent_id=node.theme.parent_id if node.depth else None,
            name=node.theme.name,
            depth=node.depth,
            position=node.theme.position,
            status=node.theme.status,  # type: ignore[arg-type]
            central_concept=node.theme.central_concept,
            definition=node.theme.definition,
            scope=node.theme.scope,
            memo=node.theme.memo,
            version=node.theme.version,
            guid=node.theme.guid,
            code_ids=node.code_ids,
            all_code_ids=node.all_code_ids,
        )
        for node in flatten(theme_tree(session, project_id=access.project_id, include_discarded=discarded))
    ]


@router.get("/projects/{project_id}/frequency", response_model=FrequencyOut, summary="The frequency table")
def frequency(
    access: Member,
    session: Db,
    cells: Annotated[Literal["role", "count"], Query(description="what `values` print: role initials or counts")] = (
        "role"
    ),
    session_number: Annotated[
        list[Annotated[int, Query(ge=0, le=MAX_ID)]] | None,
        Query(alias="session", max_length=100, description="only interviews about these therapy sessions"),
    ] = None,
    by_group: Annotated[bool, Query(description="dyad columns in bands by group")] = False,
) -> FrequencyOut:
    """The frequency table of DESIGN.md §6: one row per theme that is not discarded, followed by its
    subthemes' rows; one column per dyad (natural order); ``n_dyads`` the dyads with a non-empty cell."""
    table = frequency_table(
        session, project_id=access.project_id, cells=cells, sessions=session_number, by_group=by_group
    )
    labels = {dyad.id: dyad.label for dyad in table.dyads}
    return FrequencyOut(
        cells=cells,
        sessions=list(table.sessions) if table.sessions else None,
        header=table.header(),
        dyads=[DyadColumn(id=dyad.id, label=dyad.label, group=dyad.group) for dyad in table.dyads],
        rows=[
            FrequencyRow(
                theme_id=row.theme_id,
                theme=row.theme,
                subtheme=row.subtheme,
                depth=row.depth,
                code_ids=list(row.code_ids),
                cells=[
                    FrequencyCell(
                        dyad_id=cell.dyad_id,
                        dyad=labels[cell.dyad_id],
                        roles=list(cell.roles),
                        initials=cell.initials,
                        count=cell.count,
                    )
                    for cell in row.cells
                ],
                n_dyads=row.n_dyads,
                values=table.values(row),
            )
            for row in table.rows
        ],
    )
