"""Projects and the people who work on them."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from transcripts.audit import record
from transcripts.errors import InvalidInput, NotFound
from transcripts.models import Member, Project, User
from transcripts.order import natural_key

APPROACHES = ("reflexive", "codebook", "coding-reliability", "content analysis", "other")


def ensure_user(session: Session, *, name: str) -> User:
    """The user called ``name``, created on first sight (flushed, not committed)."""
    name = name.strip()
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        user = User(name=name)
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # created meanwhile by another request
            session.rollback()
            user = session.exec(select(User).where(User.name == name)).one()
    return user


def new_project(
    session: Session, *, name: str, user: User, description: str = "", analysis_approach: str = "reflexive"
) -> Project:
    """A new study project, its creator its owner, with its audit event (flushed, not committed: an import
    may create its project in its own transaction); its name must be new."""
    name = name.strip()
    if not name:
        raise InvalidInput("a project needs a name")
    if len(name) > 200:
        raise InvalidInput("a project name has at most 200 characters")
    if analysis_approach not in APPROACHES:
        raise InvalidInput(f"unknown analysis approach {analysis_approach!r}; choose one of {', '.join(APPROACHES)}")
    if session.exec(select(Project).where(Project.name == name)).first():
        raise InvalidInput(f"a project called {name!r} exists already")
    project = Project(name=name, description=description.strip(), analysis_approach=analysis_approach)
    session.add(project)
    session.flush()
    session.add(Member(project_id=project.id, user_id=user.id, role="owner"))  # type: ignore[arg-type]
    record(
        session,
        project_id=project.id,
        user_id=user.id,
        action="project.create",
        entity="project",
        entity_id=project.id,
        after={"name": name},
    )
    return project


def create_project(
    session: Session, *, name: str, user: User, description: str = "", analysis_approach: str = "reflexive"
) -> Project:
    """Create a study project (its creator is its owner); its name must be new. Commits."""
    project = new_project(session, name=name, user=user, description=description, analysis_approach=analysis_approach)
    session.commit()
    return project


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project with id {project_id}")
    return project


def project_by_name(session: Session, name: str) -> Project | None:
    return session.exec(select(Project).where(Project.name == name.strip())).first()


def list_projects(session: Session, *, member: User | None = None) -> list[Project]:
    """The projects, by name; with ``member``, only those the person belongs to."""
    query = select(Project)
    if member is not None:
        query = query.join(Member, col(Member.project_id) == Project.id).where(Member.user_id == member.id)
    return sorted(session.exec(query), key=lambda project: natural_key(project.name))
