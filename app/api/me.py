"""Who the token belongs to."""

from __future__ import annotations

from app.api.auth import Caller
from app.api.errors import api_router
from app.api.schemas import Me

router = api_router()


@router.get("/me", response_model=Me, summary="The person the token belongs to")
def me(user: Caller) -> Me:
    return Me(id=user.id or 0, name=user.name, is_admin=user.is_admin)
