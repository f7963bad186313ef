"""Commands of team mode: accounts (``dyadic user …``, the admin's tools) and ``dyadic team-demo``."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.cli.base import cli, emit, fail, open_session
from app.settings import Settings
from transcripts.accounts import accounts, create_account, reset_password, set_active
from transcripts.members import join
from transcripts.projects import ensure_user

user_cli = typer.Typer(help="Accounts of team mode (an admin's commands: they need the database's URL).")
cli.add_typer(user_cli, name="user")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from the first line of standard input")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_cli.command("add")
def add(
    name: str,
    admin: Annotated[bool, typer.Option("--admin", help="may manage accounts")] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (a person known by name already gets the password)."""
    with open_session(Settings()) as session:
        user = create_account(session, name=name, password=_password(password_stdin), is_admin=admin)
    typer.echo(f"account {user.name!r} created{' (admin)' if admin else ''}")


@user_cli.command("reset-password")
def reset(name: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for someone who forgot theirs; their login sessions end."""
    with open_session(Settings()) as session:
        user = reset_password(session, name=name, password=_password(password_stdin))
    typer.echo(f"password of {user.name!r} reset; their sessions have ended")


@user_cli.command("disable")
def disable(name: str) -> None:
    """Stop an account from logging in (its sessions end; its codings and history stay)."""
    with open_session(Settings()) as session:
        set_active(session, name=name, active=False)
    typer.echo(f"account {name!r} disabled")


@user_cli.command("enable")
def enable(name: str) -> None:
    """Let a disabled account log in again."""
    with open_session(Settings()) as session:
        set_active(session, name=name, active=True)
    typer.echo(f"account {name!r} enabled")


@user_cli.command("list")
def list_accounts() -> None:
    """Every person the database knows, whether they can log in, and the admins."""
    with open_session(Settings()) as session:
        emit(
            [
                {"name": a.name, "admin": a.is_admin, "active": a.active, "can_log_in": a.can_log_in}
                for a in accounts(session)
            ]
        )


DEMO_PEOPLE = (("Sam (demo coder)", "coder"), ("Vera (demo viewer)", "viewer"))


@cli.command("team-demo")
def team_demo(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8000,
    workers: Annotated[int, typer.Option(help="server processes")] = 2,
) -> None:
    """Team mode on this machine: the PostgreSQL database of DYADIC_DATABASE_URL (created if missing), the
    demo study, three accounts with new passwords (printed), served by several workers."""
    from app.demo import load_demo

    settings = Settings()
    if settings.mode != "team":
        fail("set DYADIC_MODE=team (make team-demo does)")
    if problem := settings.team_problem():
        fail(problem)
    _create_database(settings.database_url)
    printed = []
    with open_session(settings) as session:
        project, _ = load_demo(session, settings=settings)
        assert project is not None and project.id is not None
        people = [(settings.local_user, "owner"), *DEMO_PEOPLE]
        for name, role in people:
            join(session, project_id=project.id, user=ensure_user(session, name=name), role=role)
            session.commit()
            password = secrets.token_urlsafe(9)
            known = any(a.name == name and a.can_log_in for a in accounts(session))
            if known:
                reset_password(session, name=name, password=password)
            else:
                create_account(session, name=name, password=password, is_admin=role == "owner")
            printed.append(f"  {name:<22} {role:<7} {password}")
    typer.echo(f"Team demo on http://127.0.0.1:{port} — log in as:\n" + "\n".join(printed))
    _serve_team(settings, host="127.0.0.1", port=port, workers=workers)


def _create_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if the server does not have it yet."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if exists.first() is None:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def _serve_team(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Several uvicorn workers (each builds the app from the environment), trusting the reverse proxy's
    forwarded address and scheme, so that cookies are Secure behind HTTPS."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # A worker first imports the dyadic command (every module, spaCy's tables): measured 4–5 s on a busy
        # 2-core machine, over uvicorn's default 5 s health check, which then kills and restarts it in a loop.
        timeout_worker_healthcheck=60,
    )
