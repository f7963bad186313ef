"""Tables of team mode's accounts: login sessions, failed logins (for rate limiting) and API tokens.

Secrets are never stored: a session's or token's table holds the SHA-256 of the random value the browser or
script presents (the value itself carries 256 bits, so a plain hash suffices where a password needs argon2).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from transcripts.models import _when


class LoginSession(SQLModel, table=True):
    """A browser logged in as a person, until it logs out or the session expires."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _when()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    address: str = Field(default="", max_length=64)


class LoginFailure(SQLModel, table=True):
    """A failed login: counted per name and per address over a window to slow down password guessing."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    address: str = Field(default="", max_length=64, index=True)
    at: datetime = _when(index=True)


class ApiToken(SQLModel, table=True):
    """A person's token for the JSON API (``Authorization: Bearer …``), named by its holder, revocable."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    token_hash: str = Field(unique=True, max_length=64)
    prefix: str = Field(max_length=12)  # the token's first characters, to tell tokens apart in a list
    created_at: datetime = _when()
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
