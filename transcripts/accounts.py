"""Team mode's accounts: passwords (argon2), logging in with a limit on guessing, login sessions.

A login session is a random token held by the browser; the database keeps only its SHA-256, so a copy of
the database opens no one's session. Failed logins are rows, not memory, so that the limit holds across
several server processes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select

from transcripts.account_models import LoginFailure, LoginSession
from transcripts.errors import InvalidInput, LoginRefused
from transcripts.models import User, utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 200
# Guessing is slowed per name (one person's password) and per address (one machine trying many names).
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20

_hasher = PasswordHasher()
# Checked against when the name is unknown, so that a wrong name costs as long as a wrong password.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    is_admin: bool
    active: bool
    can_log_in: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD} characters")
    return password


def _user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name.strip())).first()


def create_account(session: Session, *, name: str, password: str, is_admin: bool = False) -> User:
    """An account that can log in. A person already known by name (from local work or an imported project)
    gets the password; one who has a password already is refused. Commits."""
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput("an account needs a name of 1 to 80 characters")
    password_hash = _hasher.hash(_checked_password(password))
    user = _user(session, name)
    if user is None:
        user = User(name=name)
    elif user.password_hash:
        raise InvalidInput(f"{name!r} has an account already; an admin can reset its password")
    user.password_hash, user.is_admin, user.active = password_hash, is_admin, True
    session.add(user)
    session.commit()
    return user


def reset_password(session: Session, *, name: str, password: str) -> User:
    """An admin's reset: the new password holds at once and every session of the person ends. Commits."""
    user = _user(session, name)
    if user is None:
        raise InvalidInput(f"no account called {name.strip()!r}")
    user.password_hash = _hasher.hash(_checked_password(password))
    user.active = True
    session.add(user)
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.exec(delete(LoginFailure).where(col(LoginFailure.name) == user.name))
    session.commit()
    return user


def change_password(session: Session, *, user: User, current: str, new: str, keep_token: str) -> None:
    """The person's own change: the current password must match. Their sessions end, but for the one that
    made the change (``keep_token``). Commits."""
    if not _matches(user.password_hash, current):
        raise InvalidInput("the current password is not right")
    user.password_hash = _hasher.hash(_checked_password(new))
    session.add(user)
    session.exec(
        delete(LoginSession).where(
            col(LoginSession.user_id) == user.id, col(LoginSession.token_hash) != token_hash(keep_token)
        )
    )
    session.commit()


def set_active(session: Session, *, name: str, active: bool) -> User:
    """Disable (or enable again) an account: a disabled person's sessions and tokens stop working. Commits."""
    user = _user(session, name)
    if user is None:
        raise InvalidInput(f"no account called {name.strip()!r}")
    user.active = active
    session.add(user)
    if not active:
        session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.commit()
    return user


def accounts(session: Session) -> list[Account]:
    users = session.exec(select(User).order_by(col(User.name))).all()
    return [Account(u.name, u.is_admin, u.active, u.password_hash is not None) for u in users]


def _matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _failures(session: Session, *, name: str, address: str, now: datetime) -> tuple[int, int]:
    since = now - WINDOW
    by_name = session.exec(select(func.count()).where(LoginFailure.name == name, col(LoginFailure.at) >= since)).one()
    by_address = session.exec(
        select(func.count()).where(LoginFailure.address == address, col(LoginFailure.at) >= since)
    ).one()
    return by_name, by_address


def log_in(session: Session, *, name: str, password: str, address: str, days: float) -> tuple[User, str]:
    """Check a name and password and open a login session: the person and the session's token. Too many
    recent failures for the name or the address refuse even a right password (``LoginRefused``), and so
    does a wrong one, recorded. Commits."""
    name, now = name.strip()[:80], utcnow()
    address = address[:64]
    by_name, by_address = _failures(session, name=name, address=address, now=now)
    if by_name >= MAX_FAILURES_PER_NAME or by_address >= MAX_FAILURES_PER_ADDRESS:
        minutes = int(WINDOW.total_seconds() // 60)
        raise LoginRefused(f"too many failed logins; wait {minutes} minutes and try again")
    user = _user(session, name)
    if user is None or not user.active or not _matches(user.password_hash, password):
        session.add(LoginFailure(name=name, address=address, at=now))
        session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - WINDOW))
        session.commit()
        raise LoginRefused("wrong name or password")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,  # type: ignore[arg-type]
            token_hash=token_hash(token),
            expires_at=now + timedelta(days=days),
            address=address,
        )
    )
    session.exec(delete(LoginFailure).where(col(LoginFailure.name) == name))
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id, col(LoginSession.expires_at) < now))
    session.commit()
    return user, token


def session_user(session: Session, token: str) -> User | None:
    """The person a login session's token belongs to, while it lasts and the account is active."""
    row = session.exec(
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(LoginSession.token_hash == token_hash(token), col(LoginSession.expires_at) > utcnow())
    ).first()
    return row if row is not None and row.active else None


def log_out(session: Session, *, token: str) -> None:
    """End the login session (nothing happens for an unknown token). Commits."""
    session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token)))
    session.commit()
