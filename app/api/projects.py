"""Projects the caller is a member of, and a project's dyads and participants."""

from __future__ import annotations

from app.api.auth import Caller, Db, Member
from app.api.errors import api_router
from app.api.schemas import DyadMember, DyadOut, ParticipantOut, ProjectOut
from transcripts.members import role_of
from transcripts.models import Project
from transcripts.projects import list_projects
from transcripts.registry import dyad_registry

router = api_router()


def _project(project: Project, role: str) -> ProjectOut:
    return ProjectOut(
        id=project.id or 0,
        name=project.name,
        description=project.description,
        analysis_approach=project.analysis_approach,
        created_at=project.created_at,
        role=role,  # type: ignore[arg-type]
    )


@router.get("/projects", response_model=list[ProjectOut], summary="The caller's projects, by name")
def projects(user: Caller, session: Db) -> list[ProjectOut]:
    found = []
    for project in list_projects(session, member=user):
        role = role_of(session, project_id=project.id or 0, user=user)
        if role is not None:
            found.append(_project(project, role))
    return found


@router.get("/projects/{project_id}", response_model=ProjectOut, summary="A project")
def project(access: Member) -> ProjectOut:
    return _project(access.project, access.role)


@router.get("/projects/{project_id}/dyads", response_model=list[DyadOut], summary="Dyads with their participants")
def dyads(access: Member, session: Db) -> list[DyadOut]:
    """Every dyad in natural order ("Dyad 2" before "Dyad 10"), its participants by role."""
    return [
        DyadOut(
            id=entry.dyad.id or 0,
            label=entry.dyad.label,
            group=entry.dyad.group,
            attributes=dict(entry.dyad.attributes),
            participants=[
                DyadMember(id=person.id or 0, pseudonym=person.pseudonym, role=person.role, transcripts=count)
                for person, count in entry.participants
            ],
        )
        for entry in dyad_registry(session, project_id=access.project_id)
    ]


@router.get("/projects/{project_id}/participants", response_model=list[ParticipantOut], summary="Participants")
def participants(access: Member, session: Db) -> list[ParticipantOut]:
    """Every participant, dyad by dyad (natural order), by role within a dyad."""
    return [
        ParticipantOut(
            id=person.id or 0,
            pseudonym=person.pseudonym,
            role=person.role,
            dyad_id=entry.dyad.id or 0,
            dyad=entry.dyad.label,
            attributes=dict(person.attributes),
            transcripts=count,
        )
        for entry in dyad_registry(session, project_id=access.project_id)
        for person, count in entry.participants
    ]
