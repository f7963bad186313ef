"""The API's errors: always JSON, ``{"detail": "one line"}``, whatever the web pages do with the same errors.

The HTML app maps domain errors to error pages with application-wide handlers; the API's routes are of their
own class (``ApiRoute``), which turns an error into its JSON answer before those handlers see it:

- ``NotFound`` → 404 (a project the caller is not a member of is one of them), ``NotPermitted`` → 403,
  any other ``InvalidInput`` (a span outside the text, a code of another project …) → 422;
- a request FastAPI cannot parse (a missing field, a number out of range, a body that is no JSON) → 422, its
  first problem in one line;
- ``HTTPException`` keeps its status and headers (401 carries ``WWW-Authenticate: Bearer``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException  # FastAPI's is a subclass; the body parser raises Starlette's

from transcripts.errors import DyadicError, InvalidInput, NotFound, NotPermitted

BEARER = {"WWW-Authenticate": "Bearer"}


class ApiError(BaseModel):
    """What went wrong, in one line a person can act on."""

    detail: str


def _described(description: str) -> dict[str, Any]:
    return {"model": ApiError, "description": description}


# Declared on every operation, so that the schema says what each refusal looks like (and replaces FastAPI's
# list-shaped 422, which this API never sends).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _described("No token, or an unknown or revoked one (with `WWW-Authenticate: Bearer`)"),
    404: _described("No such resource, or a project the token's person is not a member of"),
    422: _described("Input that cannot be accepted: the first problem, in one line"),
}
REFUSED: dict[int | str, dict[str, Any]] = {403: _described("The person's role in the project does not allow it")}


def error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _one_line(errors: Sequence[Any]) -> str:
    """FastAPI's list of validation errors as one line: where the first problem is, and what it is."""
    if not errors:
        return "the request could not be read"
    first = errors[0]
    where = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "header")]
    if first.get("type") == "string_pattern_mismatch":  # the only pattern: PRINTABLE (see auth.py)
        message = "must not hold control characters (such as NUL or a line break)"
    else:
        message = str(first.get("msg", "is not valid")).replace("\n", " ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{'.'.join(where) or 'request'}: {message}{more}"


def _answer(request: Request, exc: Exception) -> Response | None:
    """The JSON answer for an error the API knows, or None for one it does not (a bug: left to the server)."""
    if isinstance(exc, RequestValidationError):
        return error(422, _one_line(exc.errors()))
    if isinstance(exc, HTTPException):
        if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8, say)
            return error(422, "body: the request body could not be read as JSON")
        return error(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    if isinstance(exc, NotFound):
        return error(404, str(exc))
    if isinstance(exc, NotPermitted):
        return error(403, str(exc))
    if isinstance(exc, InvalidInput):
        return error(422, str(exc))
    if isinstance(exc, DyadicError):
        # Refusals made before the API's own checks (e.g. the web's form-token check on a call without a
        # token): without a Bearer token they mean "authenticate".
        if not request.headers.get("authorization", "").lower().startswith("bearer "):
            return error(401, "this API needs a token: send Authorization: Bearer <token>", BEARER)
        return error(400, str(exc))
    return None


class ApiRoute(APIRoute):
    """A route whose errors are JSON (see the module's docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                response = _answer(request, exc)
                if response is None:
                    raise
                return response

        return answer


def api_router(*, refusals: bool = False) -> APIRouter:
    """A router of the API: JSON errors, declared in the schema (403 too where a role may refuse)."""
    return APIRouter(route_class=ApiRoute, responses=ERRORS | (REFUSED if refusals else {}))
