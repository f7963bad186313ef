"""Who is calling the API, and what they are to the project in the URL.

A call authenticates with ``Authorization: Bearer <token>`` (a person's token, see ``transcripts/tokens.py``);
no cookie counts, so a call cannot be forged by another site and needs no form token. A project the person is
not a member of answers 404 exactly as a project that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.api.errors import BEARER
from app.deps import get_session
from transcripts.errors import NotFound
from transcripts.members import role_of
from transcripts.models import Project, User
from transcripts.projects import get_project
from transcripts.tokens import user_for_token

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: larger ones can name nothing
# Text in a query (a name, a label, search words) holds no control characters: PostgreSQL refuses NUL in text.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

bearer = HTTPBearer(auto_error=False, description="A person's API token: `dyadic token create NAME --user PERSON`")

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def api_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[Session, Depends(get_session)],
) -> User:
    """The person whose token the call carries; 401 without one, or with one that is unknown or revoked."""
    if credentials is None:
        raise HTTPException(401, "this API needs a token: send Authorization: Bearer <token>", headers=BEARER)
    user = user_for_token(session, credentials.credentials)
    if user is None:
        raise HTTPException(401, "the token is not valid: unknown, revoked, or its account is disabled", BEARER)
    return user


@dataclass(frozen=True, slots=True)
class Access:
    """The project in the URL, the person calling, and their role in it."""

    project: Project
    user: User
    role: str

    @property
    def project_id(self) -> int:
        return self.project.id or 0


def project_access(
    project_id: Id,
    user: Annotated[User, Depends(api_user)],
    session: Annotated[Session, Depends(get_session)],
) -> Access:
    """The project, if the caller is a member (any role reads); else 404, the same answer as for no project."""
    role = role_of(session, project_id=project_id, user=user)
    if role is None:
        raise NotFound(f"no project with id {project_id}")
    return Access(get_project(session, project_id), user, role)


Caller = Annotated[User, Depends(api_user)]
Member = Annotated[Access, Depends(project_access)]
Db = Annotated[Session, Depends(get_session)]
