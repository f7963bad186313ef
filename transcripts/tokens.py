"""A person's tokens for the JSON API (``Authorization: Bearer dyd_…``): created, listed, revoked, checked.

A token is shown once, when it is created; the database keeps only its SHA-256 (the token carries 256 random
bits, so a plain hash suffices) and its first characters, to tell tokens apart in a list. A revoked token, or
one of a disabled account, opens nothing. When a token was last used is written at most once a minute, so
that a script's every request does not become a write.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from transcripts.account_models import ApiToken
from transcripts.accounts import token_hash
from transcripts.errors import InvalidInput, NotFound
from transcripts.models import User, utcnow

PREFIX = "dyd_"
SHOWN = 8  # characters kept in the clear (``dyd_`` and four more), to tell tokens apart
MAX_NAME = 80
MAX_TOKEN = 200  # longer values are no token of ours: refused before hashing
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as a list shows it: never the token itself."""

    id: int
    holder: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive date-times; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _info(token: ApiToken, holder: str) -> TokenInfo:
    return TokenInfo(
        id=token.id or 0,
        holder=holder,
        name=token.name,
        prefix=token.prefix,
        created_at=_aware(token.created_at) or token.created_at,
        last_used_at=_aware(token.last_used_at),
        revoked_at=_aware(token.revoked_at),
    )


def find_person(session: Session, name: str) -> User:
    """The person called ``name`` (refused with ``NotFound`` when there is none: a token is never made for a
    mistyped name)."""
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        raise NotFound(f"no person called {name.strip()!r}")
    return user


def create_token(session: Session, *, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``, named by them (e.g. "analysis notebook"): the stored row and the token itself,
    which is not kept anywhere and cannot be shown again. Commits."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"a token needs a name of 1 to {MAX_NAME} characters")
    if not user.active:
        raise InvalidInput(f"{user.name}'s account is disabled; enable it before creating a token")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(plaintext), prefix=plaintext[:SHOWN])  # type: ignore[arg-type]
    session.add(token)
    session.commit()
    return token, plaintext


def list_tokens(session: Session, *, user: User | None) -> list[TokenInfo]:
    """The person's tokens (``None``: everyone's, for the command line), newest first, revoked ones too."""
    query = select(ApiToken, User.name).join(User, col(User.id) == ApiToken.user_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    rows = session.exec(query.order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())).all()
    return [_info(token, holder) for token, holder in rows]


def revoke_token(session: Session, *, user: User | None, token_id: int) -> TokenInfo:
    """Revoke a token: it stops working at once. A person revokes their own tokens, an admin anyone's;
    ``None`` is the command line, whose operator holds the database anyway. Another person's token is
    "not found", as if it did not exist. Revoking a revoked token changes nothing. Commits."""
    row = session.exec(
        select(ApiToken, User.name).join(User, col(User.id) == ApiToken.user_id).where(ApiToken.id == token_id)
    ).first()
    if row is None or (user is not None and row[0].user_id != user.id and not user.is_admin):
        raise NotFound(f"no token with id {token_id}")
    token, holder = row
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.commit()
    return _info(token, holder)


def user_for_token(session: Session, plaintext: str) -> User | None:
    """The person a token belongs to, or None: unknown, revoked, or the account disabled. Notes when the
    token was last used (at most once a minute; then it commits)."""
    if not plaintext.startswith(PREFIX) or len(plaintext) > MAX_TOKEN:
        return None
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(plaintext))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    last = _aware(token.last_used_at)
    if last is None or now - last >= LAST_USED_EVERY:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return user
