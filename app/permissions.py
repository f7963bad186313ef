"""Who may call which page: every project URL answers to one of the domain's named predicates.

Reading (GET) asks ``may_read`` and changing (POST) ``may_code``, unless the table below names a stronger
predicate. Someone who is not a member of the project gets 404, exactly as for a project that does not
exist, so that project ids reveal nothing. The domain functions check again where it matters (a coder
changes only their own codings); this table makes the web's answer uniform and is what
``tests/app/test_authorization_matrix.py`` walks, route by route and role by role.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.deps import Standing, current_user, get_session
from transcripts.errors import NotFound, NotPermitted
from transcripts.members import may_code, may_lead, may_manage, may_read, role_of
from transcripts.models import User

Predicate = Callable[[str | None], bool]

# What each predicate is called in a refusal ("only leads and owners may …").
WHO = {may_read: "members", may_code: "coders, leads and owners", may_lead: "leads and owners", may_manage: "owners"}

_P = "/projects/{project_id}"
_THEME = _P + "/themes/{theme_id:int}"
_CODE = _P + "/codebook/{code_id}"

# (method, path) → the predicate, where it is not the default.
NEEDS: dict[tuple[str, str], Predicate] = {
    # The corpus: importing transcripts, editing dyads and participants.
    ("POST", _P + "/import"): may_lead,
    ("POST", _P + "/imports/discard"): may_lead,
    ("POST", _P + "/registry/dyads/{dyad_id}"): may_lead,
    ("POST", _P + "/registry/participants/{participant_id}"): may_lead,
    ("POST", _P + "/registry/attributes"): may_lead,
    ("POST", _P + "/exchange/preview"): may_lead,
    ("POST", _P + "/exchange/import"): may_lead,
    # A read mark is the reader's own.
    ("POST", _P + "/transcripts/{transcript_id}/read"): may_read,
    # The team.
    ("POST", _P + "/team"): may_manage,
    ("POST", _P + "/team/{user_id}"): may_manage,
    # The codebook's shape (coders add codes while they code; leads edit, move, merge, split, delete them).
    ("GET", _CODE + "/edit"): may_lead,
    ("GET", _CODE + "/merge"): may_lead,
    ("GET", _CODE + "/split"): may_lead,
    ("GET", _CODE + "/delete"): may_lead,
    ("POST", _CODE): may_lead,
    ("POST", _CODE + "/move"): may_lead,
    ("POST", _CODE + "/merge"): may_lead,
    ("POST", _CODE + "/split"): may_lead,
    ("POST", _CODE + "/delete"): may_lead,
    # Agreement rounds.
    ("POST", _P + "/agreement"): may_lead,
    ("POST", _P + "/agreement/{round_id}/close"): may_lead,
    # The phases and themes (coders write phase notes and the journal).
    ("POST", _P + "/phase"): may_lead,
    ("POST", _P + "/checklist/{item}"): may_lead,
    ("POST", _P + "/themes"): may_lead,
    ("POST", _P + "/themes/assign"): may_lead,
    ("POST", _THEME + "/codes/{code_id:int}/remove"): may_lead,
    ("POST", _THEME + "/discard"): may_lead,
    ("POST", _THEME + "/move"): may_lead,
    ("POST", _THEME): may_lead,
    ("POST", _THEME + "/extracts/{coding_id:int}/{action}"): may_lead,
    ("GET", _THEME + "/delete"): may_lead,
    ("POST", _THEME + "/merge"): may_lead,
    ("POST", _THEME + "/split"): may_lead,
    ("POST", _THEME + "/delete"): may_lead,
    ("POST", _THEME + "/review/{coding_id:int}"): may_lead,
    # The pseudonymisation check before an export.
    ("POST", _P + "/pseudonyms"): may_lead,
    ("POST", _P + "/pseudonyms/{entry_id}"): may_lead,
    ("POST", _P + "/pseudonyms/{entry_id}/delete"): may_lead,
    ("POST", _P + "/exports/{kind}/decisions"): may_lead,
    # Who did what when.
    ("GET", _P + "/audit"): may_lead,
    ("GET", _P + "/audit.{format}"): may_lead,
}


def needed(method: str, path: str) -> Predicate:
    """The predicate a request to this route must pass."""
    method = "GET" if method == "HEAD" else method
    return NEEDS.get((method, path), may_read if method == "GET" else may_code)


async def authorize(
    request: Request, session: Session = Depends(get_session), me: User = Depends(current_user)
) -> None:
    """The project routers' guard: 404 for non-members, 403 (``NotPermitted``) below the needed role. Async, and
    the role is the one ``current_user`` read with the person: the check costs no statement and no trip
    through the thread pool."""
    raw = request.path_params.get("project_id")
    if raw is None:
        return
    project_id = int(raw)
    standing: Standing | None = getattr(request.state, "standing", None)
    if standing is not None and standing.project_id == project_id:
        role = standing.role
    else:  # a person given some other way (a test's override): ask the database, off the event loop
        role = await run_in_threadpool(role_of, session, project_id=project_id, user=me)
    if role is None:
        raise NotFound(f"no project with id {project_id}")
    route = request.scope.get("route")
    predicate = needed(request.method, getattr(route, "path", ""))
    if not predicate(role):
        raise NotPermitted(f"{me.name} is a {role} in this project; only its {WHO[predicate]} may do this")
