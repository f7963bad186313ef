"""The API against its own OpenAPI schema: schemathesis generates requests for every operation (valid ones
and invalid ones) and checks each answer with its default checks: never a server error; status code,
content type, headers and body as the schema declares them; invalid input refused; no answer without a token.

Bounded: ``EXAMPLES`` requests per operation and mode, on SQLite and PostgreSQL (which alone refuses a NUL in
text: it found the API passing one on to a query). The project id is the study's, and generated ids of
transcripts, codes and codings are steered to the study's own, so that most requests reach real data instead
of stopping at "no such project".
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from sqlmodel import Session, col, select

from app import api
from app.api.auth import MAX_ID
from tests.api.conftest import Study
from transcripts.models import Transcript

EXAMPLES = 25
# A request the schema allows may still be refused for what it means, which no schema can say: a span
# outside the transcript's text, a filter naming a transcript or code the project does not have (422).
CHECKS = {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "422"]}}


def _operations() -> list[tuple[str, str]]:
    """Every operation of the API (method, path), as the schema names them."""
    bare = FastAPI()
    bare.include_router(api.router)
    return sorted((method.upper(), path) for path, item in bare.openapi()["paths"].items() for method in item)


OPERATIONS = _operations()


def test_the_served_schema_describes_every_operation_with_its_token_and_refusals(app: FastAPI) -> None:
    served = schemathesis.openapi.from_asgi("/openapi.json", app).raw_schema
    operations = {(method.upper(), path) for path, item in served["paths"].items() for method in item}
    assert {op for op in operations if op[1].startswith(api.PREFIX)} == set(OPERATIONS)
    assert served["components"]["securitySchemes"]["HTTPBearer"] | {"description": ""} == {
        "type": "http", "scheme": "bearer", "description": "",
    }  # fmt: skip
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for method, path in OPERATIONS:
        described = served["paths"][path][method.lower()]
        assert described["security"] == [{"HTTPBearer": []}], (method, path)
        for status in ("401", "404", "422"):
            assert described["responses"][status]["content"] == error, (method, path, status)


def _steer(case: schemathesis.Case, ipr: Study, transcripts: list[int], longest: int) -> None:
    """Generated ids of transcripts, codes and codings, in the path or the body, become the study's, and a
    coding's offsets fall in or just past a text (chosen by the generated values, so that Hypothesis still
    varies them): most requests then reach real data, and some codings are made. Values the schema refuses
    (negative, too large, not integers) are left alone, so that invalid requests stay invalid."""
    pools: dict[str, list[int]] = {
        "transcript_id": transcripts,
        "code_id": [code.id or 0 for code in ipr.codes.values()],
        "coding_id": [ipr.coding.id or 0],
    }
    body: object = case.body
    for where in (case.path_parameters, body):
        if not isinstance(where, dict):
            continue
        values: dict[str, Any] = where
        for name, value in list(values.items()):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
                continue  # what the schema refuses stays refused
            if name in pools and value > 0:
                values[name] = pools[name][value % len(pools[name])]
            elif name in ("start", "end") and where is body:
                values[name] = value % (longest + 2)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_keeps_to_its_schema(
    app: FastAPI, ipr: Study, session: Session, method: str, path: str, mode: GenerationMode
) -> None:
    # The token as the schema's Bearer scheme, so that schemathesis knows a call with it from one without.
    config = SchemathesisConfig.from_dict(
        {"checks": CHECKS, "auth": {"openapi": {"HTTPBearer": {"bearer": ipr.tokens["Ana"]}}}}
    )
    operation = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)[path][method]
    texts = session.exec(select(Transcript.id, Transcript.text).order_by(col(Transcript.id))).all()
    transcripts, longest = [id_ for id_, _ in texts if id_ is not None], max(len(text) for _, text in texts)
    fixed = {"project_id": ipr.project.id} if "{project_id}" in path else {}

    @given(case=operation.as_strategy(mode, path_parameters=fixed))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        _steer(case, ipr, transcripts, longest)
        case.call_and_validate()

    run()
