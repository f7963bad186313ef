"""``dyadic token``: a person's tokens for the JSON API, created (shown once), listed and revoked."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.base import Format, cli, emit, open_session
from app.settings import Settings
from transcripts.tokens import TokenInfo, create_token, find_person, list_tokens, revoke_token

token_cli = typer.Typer(help="Tokens for the JSON API (/api/v1).", no_args_is_help=True)
cli.add_typer(token_cli, name="token")


def _when(info: TokenInfo) -> str:
    if info.revoked_at is not None:
        return f"revoked {info.revoked_at:%Y-%m-%d %H:%M}"
    if info.last_used_at is not None:
        return f"last used {info.last_used_at:%Y-%m-%d %H:%M}"
    return "never used"


def _json(info: TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "user": info.holder,
        "name": info.name,
        "prefix": info.prefix,
        "created_at": info.created_at.isoformat(),
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


@token_cli.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help='what the token is for, e.g. "analysis notebook"')],
    user: Annotated[str, typer.Option("--user", help="the person the token acts as")],
) -> None:
    """Create a token and print it (only this once: it is not stored, and cannot be shown again)."""
    with open_session(Settings()) as session:
        token, plaintext = create_token(session, user=find_person(session, user), name=name)
    typer.echo(plaintext)
    typer.echo(
        f"created token {token.name!r} (id {token.id}) for {user.strip()}; copy it now, it is shown only once. "
        "Send it as: Authorization: Bearer <token>",
        err=True,
    )


@token_cli.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="only this person's tokens")] = None,
    format: Format = "text",
) -> None:
    """Tokens, newest first (never the tokens themselves: their first characters)."""
    with open_session(Settings()) as session:
        infos = list_tokens(session, user=find_person(session, user) if user is not None else None)
    if format == "json":
        emit([_json(info) for info in infos])
        return
    for info in infos:
        typer.echo(f"{info.id:>5}  {info.prefix}…  {info.holder:<16} {info.name:<24} {_when(info)}")


@token_cli.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="the token's id (see `dyadic token list`)")]) -> None:
    """Revoke a token: calls with it are refused from now on."""
    with open_session(Settings()) as session:
        info = revoke_token(session, user=None, token_id=token_id)
    typer.echo(f"revoked token {info.name!r} (id {info.id}) of {info.holder}")
