"""Coding through the API: coders code and remove their own codings, leads anyone's, viewers nothing; a bad
span is refused with one line and leaves the database as it was."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from coding.models import Coding
from tests.api.conftest import Study
from transcripts.models import AuditEvent


def state(session: Session) -> list[tuple[object, ...]]:
    """Every coding and the number of audit events: what must not move when a request is refused."""
    session.expire_all()
    codings = [(c.id, c.code_id, c.coder_id, c.start, c.end) for c in session.exec(select(Coding))]
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return [*sorted(codings), ("events", events)]


def body(ipr: Study, word: str, code: str = "trust") -> dict[str, int]:
    start = ipr.transcript.text.index(word)
    return {
        "transcript_id": ipr.transcript.id or 0,
        "code_id": ipr.codes[code].id or 0,
        "start": start,
        "end": start + len(word),
    }


def test_a_coder_codes_a_span_and_the_same_span_again_gives_it_back(
    client: TestClient, session: Session, ipr: Study
) -> None:
    created = client.post(ipr.url("/codings"), json=body(ipr, "trusted her"), headers=ipr.auth("Ben"))
    assert created.status_code == 201, created.text
    coding = created.json()
    assert (coding["text"], coding["coder"], coding["code_id"]) == ("trusted her", "Ben", ipr.codes["trust"].id)
    stored = session.get(Coding, coding["id"])
    assert stored is not None and stored.coder_id == ipr.people["Ben"].id and stored.text == "trusted her"
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_id == coding["id"])).one()
    assert (event.action, event.user_id) == ("coding.create", ipr.people["Ben"].id)
    again = client.post(ipr.url("/codings"), json=body(ipr, "trusted her"), headers=ipr.auth("Ben"))
    assert again.status_code == 201 and again.json()["id"] == coding["id"]
    assert session.exec(select(func.count()).select_from(Coding)).one() == 2  # Ana's and Ben's


def test_a_viewer_is_refused_with_one_line_and_nothing_changes(
    client: TestClient, session: Session, ipr: Study
) -> None:
    before = state(session)
    refused = client.post(ipr.url("/codings"), json=body(ipr, "trusted her"), headers=ipr.auth("Cleo"))
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Cleo is a viewer in this project; only its coders, leads and owners code (the owner can change "
        "roles on the Team page)"
    }
    removed = client.delete(ipr.url(f"/codings/{ipr.coding.id}"), headers=ipr.auth("Cleo"))
    assert removed.status_code == 403 and removed.json()["detail"].startswith("Cleo is a viewer")
    assert state(session) == before


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"start": 10, "end": 10}, "a coding needs a span: start 10 is not before end 10"),
        ({"start": 12, "end": 3}, "a coding needs a span: start 12 is not before end 3"),
        (
            {"start": 0, "end": 100_000},
            "the span [0, 100000) lies outside the transcript (its text has {n} characters)",
        ),
        ({"start": -1}, "body.start: Input should be greater than or equal to 0"),
        ({"code": "elsewhere"}, "the code 'Elsewhere' belongs to another project"),
        ({"code_id": 99_999}, "no code with id 99999 in this project"),
        ({"transcript_id": 99_999}, "no transcript with id 99999 in this project"),
        ({"memo": "extra"}, "body.memo: Extra inputs are not permitted"),
        ({"end": None}, "body.end: Field required"),
    ],
)
def test_a_bad_coding_is_refused_with_422_and_the_database_is_unchanged(
    client: TestClient, session: Session, ipr: Study, change: dict[str, object], detail: str
) -> None:
    change = dict(change)
    request: dict[str, object] = body(ipr, "trusted her", code=str(change.pop("code", "trust"))) | change
    request = {key: value for key, value in request.items() if value is not None}
    before = state(session)
    response = client.post(ipr.url("/codings"), json=request, headers=ipr.auth("Ben"))
    assert response.status_code == 422
    assert response.json() == {"detail": detail.format(n=len(ipr.transcript.text))}
    assert state(session) == before


def test_a_body_that_is_not_json_is_refused_in_one_line(client: TestClient, ipr: Study) -> None:
    response = client.post(
        ipr.url("/codings"), content=b"{not json", headers=ipr.auth("Ben") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "\n" not in response.json()["detail"] and response.json()["detail"].startswith("body")


def test_coders_remove_their_own_codings_and_leads_anyone_s(client: TestClient, session: Session, ipr: Study) -> None:
    bens = client.post(ipr.url("/codings"), json=body(ipr, "trusted her"), headers=ipr.auth("Ben")).json()["id"]
    before = state(session)
    refused = client.delete(ipr.url(f"/codings/{ipr.coding.id}"), headers=ipr.auth("Ben"))  # Ana's
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "this coding is another coder's; Ben may change only their own (leads may change any)"
    }
    assert state(session) == before

    removed = client.delete(ipr.url(f"/codings/{bens}"), headers=ipr.auth("Ben"))
    assert (removed.status_code, removed.content) == (204, b"")
    assert session.get(Coding, bens) is None
    by_lead = client.delete(ipr.url(f"/codings/{ipr.coding.id}"), headers=ipr.auth("Dora"))
    assert by_lead.status_code == 204
    session.expire_all()
    assert session.exec(select(Coding)).all() == []
    actions = session.exec(
        select(AuditEvent.action, AuditEvent.user_id).where(AuditEvent.action == "coding.delete")
    ).all()
    assert sorted(actions) == sorted(
        [("coding.delete", ipr.people["Ben"].id), ("coding.delete", ipr.people["Dora"].id)]
    )

    gone = client.delete(ipr.url(f"/codings/{bens}"), headers=ipr.auth("Ben"))
    assert (gone.status_code, gone.json()) == (404, {"detail": f"no coding with id {bens}"})


def test_a_coding_of_another_project_is_not_found_through_this_one(
    client: TestClient, session: Session, ipr: Study
) -> None:
    other = f"/api/v1/projects/{ipr.codes['elsewhere'].project_id}/codings/{ipr.coding.id}"
    response = client.delete(other, headers=ipr.auth("Eve"))  # Eve owns the other project, not this coding's
    assert (response.status_code, response.json()) == (404, {"detail": f"no coding with id {ipr.coding.id}"})
    assert session.get(Coding, ipr.coding.id) is not None
