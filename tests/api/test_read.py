"""Reading a project through the API: what a viewer's script sees, in the shapes the command line prints."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from coding.agreement_models import AgreementRound
from coding.agreement_rounds import close_round, start_round
from tests.api.conftest import Study
from tests.factories import make_code, study
from themes.frequency import frequency_table
from themes.table_export import table_csv
from themes.themes import create_theme
from transcripts.models import Transcript
from transcripts.study import list_transcripts, show_transcript

CLI_TRANSCRIPT = {"id", "name", "file", "dyad", "role", "participant", "session", "turns", "words"}
CLI_TURN = {"speaker", "role", "start", "end", "text", "timestamp"}
CLI_HIT = {"transcript", "dyad", "role", "speaker", "start", "end", "text", "context"}


def test_a_viewer_reads_the_project_its_dyads_and_participants(client: TestClient, ipr: Study) -> None:
    viewer = ipr.auth("Cleo")
    project = client.get(ipr.url(), headers=viewer).json()
    assert project | {"created_at": None} == {
        "id": ipr.project.id,
        "name": "IPR study",
        "description": "",
        "analysis_approach": "reflexive",
        "created_at": None,
        "role": "viewer",
    }
    dyads = client.get(ipr.url("/dyads"), headers=viewer).json()
    assert [(d["label"], d["group"]) for d in dyads] == [("Dyad 2", "good outcome"), ("Dyad 10", "troubled")]
    assert [(p["pseudonym"], p["role"], p["transcripts"]) for p in dyads[0]["participants"]] == [
        ("C2", "client", 1), ("T2", "therapist", 1), ("I2", "interpreter", 1),
    ]  # fmt: skip
    people = client.get(ipr.url("/participants"), headers=viewer).json()
    assert [(p["pseudonym"], p["dyad"]) for p in people] == [
        ("C2", "Dyad 2"), ("T2", "Dyad 2"), ("I2", "Dyad 2"), ("C10", "Dyad 10"), ("T10", "Dyad 10"),
    ]  # fmt: skip
    assert people[0]["dyad_id"] == dyads[0]["id"] and people[0]["id"] == dyads[0]["participants"][0]["id"]


def test_transcripts_come_as_the_command_line_prints_them(client: TestClient, session: Session, ipr: Study) -> None:
    listed = client.get(ipr.url("/transcripts"), headers=ipr.auth("Cleo")).json()
    expected = [info.as_json() for info in list_transcripts(session, project_id=ipr.project.id)]  # type: ignore[arg-type]
    assert [{key: item[key] for key in CLI_TRANSCRIPT} for item in listed] == expected
    assert [t["participant"] for t in listed] == ["C2", "T2", "I2", "C10", "T10"]

    shown = client.get(ipr.url(f"/transcripts/{ipr.transcript.id}"), headers=ipr.auth("Cleo")).json()
    cli = show_transcript(session, ipr.transcript.id).as_json()  # type: ignore[arg-type]
    assert {key: shown[key] for key in cli if key != "turns"} == {key: cli[key] for key in cli if key != "turns"}
    assert [{key: turn[key] for key in CLI_TURN} for turn in shown["turns"]] == cli["turns"]
    assert shown["turns"][1]["text"] == "Here, when she went quiet. I trusted her then (laughs)."
    assert shown["turns"][1]["timestamp"] == 12.5
    for turn in shown["turns"]:
        assert shown["text"][turn["start"] : turn["end"]] == turn["text"]


def test_another_project_s_transcript_is_not_found_here(
    client: TestClient, session: Session, ipr: Study, tmp_path: Path
) -> None:
    other, _ = study(session, tmp_path / "other", name="Other study")  # Ana owns it too; Cleo does not see it
    elsewhere = session.exec(select(Transcript).where(Transcript.project_id == other.id)).first()
    assert elsewhere is not None
    for name in ("Ana", "Cleo"):
        response = client.get(ipr.url(f"/transcripts/{elsewhere.id}"), headers=ipr.auth(name))
        assert response.status_code == 404
        assert response.json() == {"detail": f"no transcript with id {elsewhere.id}"}
    own = client.get(f"/api/v1/projects/{other.id}/transcripts/{elsewhere.id}", headers=ipr.auth("Ana"))
    assert own.status_code == 200


def test_the_codebook_comes_in_its_order_with_counts(client: TestClient, session: Session, ipr: Study) -> None:
    make_code(session, ipr.project, "Heard by the therapist", parent=ipr.codes["heard"])
    codes = client.get(ipr.url("/codes"), headers=ipr.auth("Cleo")).json()
    assert [(c["path"], c["depth"], c["counts"]["codings"]) for c in codes] == [
        ("Feeling heard", 0, 1), ("Feeling heard > Heard by the therapist", 1, 0), ("Trust", 0, 0),
    ]  # fmt: skip
    assert codes[1]["parent_id"] == ipr.codes["heard"].id
    assert codes[0]["total"] == {"codings": 1, "transcripts": 1, "dyads": 1}


def test_codings_are_listed_filtered_and_paged(client: TestClient, ipr: Study) -> None:
    for name, word in (("Ben", "trusted"), ("Dora", "time")):
        start = ipr.transcript.text.index(word)
        body = {"transcript_id": ipr.transcript.id, "code_id": ipr.codes["trust"].id, "start": start}
        created = client.post(ipr.url("/codings"), json=body | {"end": start + len(word)}, headers=ipr.auth(name))
        assert created.status_code == 201, created.text
    viewer = ipr.auth("Cleo")
    every = client.get(ipr.url("/codings"), headers=viewer).json()
    assert (every["total"], every["offset"], every["limit"]) == (3, 0, 100)
    assert [(c["text"], c["coder"], c["code"]) for c in every["items"]] == [
        ("trusted", "Ben", "Trust"),
        ("I felt heard", "Ana", "Feeling heard"),
        ("time", "Dora", "Trust"),
    ]  # fmt: skip  (study order: place in the text)
    first = every["items"][1]
    assert (first["dyad"], first["participant"], first["role"], first["session"]) == ("Dyad 2", "C2", "client", 3)
    assert ipr.transcript.text[first["start"] : first["end"]] == first["text"]

    def texts(query: str) -> list[str]:
        page = client.get(ipr.url(f"/codings?{query}"), headers=viewer).json()
        return [c["text"] for c in page["items"]]

    assert texts(f"code={ipr.codes['trust'].id}") == ["trusted", "time"]
    assert texts("coder=Dora") == ["time"]
    assert texts(f"transcript={ipr.transcript.id}&coder=Ana") == ["I felt heard"]
    assert texts("limit=1&offset=1") == ["I felt heard"]
    paged = client.get(ipr.url("/codings?limit=2&offset=2"), headers=viewer).json()
    assert (paged["total"], [c["text"] for c in paged["items"]]) == (3, ["time"])


def test_a_filter_naming_nothing_of_the_project_is_refused(client: TestClient, ipr: Study) -> None:
    viewer = ipr.auth("Cleo")
    cases = {
        f"code={ipr.codes['elsewhere'].id}": f"no code with id {ipr.codes['elsewhere'].id} in this project",
        "coder=Nobody": "no person called 'Nobody'",
        "coder=%00": "coder: must not hold control characters (such as NUL or a line break)",
        "transcript=99999": "no transcript with id 99999 in this project",
        "limit=0": "limit: Input should be greater than or equal to 1",
        "limit=1001": "limit: Input should be less than or equal to 1000",
        "code=abc": "code: Input should be a valid integer, unable to parse string as an integer",
    }
    for query, detail in cases.items():
        response = client.get(ipr.url(f"/codings?{query}"), headers=viewer)
        assert (response.status_code, response.json()) == (422, {"detail": detail}), query


def test_themes_and_the_frequency_table_match_the_csv_contract(
    client: TestClient, session: Session, ipr: Study
) -> None:
    ana, project_id = ipr.people["Ana"], ipr.project.id or 0
    relation = create_theme(
        session, project_id=project_id, user=ana, name="Being met", code_ids=[ipr.codes["heard"].id or 0]
    )
    create_theme(
        session,
        project_id=project_id,
        user=ana,
        name="Trusting",
        parent_id=relation.id,
        code_ids=[ipr.codes["trust"].id or 0],
    )
    create_theme(session, project_id=project_id, user=ana, name="Dropped", status="discarded")
    themes = client.get(ipr.url("/themes"), headers=ipr.auth("Cleo")).json()
    assert [(t["name"], t["depth"], t["status"]) for t in themes] == [
        ("Being met", 0, "candidate"), ("Trusting", 1, "candidate"), ("Dropped", 0, "discarded"),
    ]  # fmt: skip
    assert themes[0]["code_ids"] == [ipr.codes["heard"].id]
    assert themes[0]["all_code_ids"] == [ipr.codes["heard"].id, ipr.codes["trust"].id]
    assert themes[1]["parent_id"] == relation.id
    live = client.get(ipr.url("/themes?discarded=false"), headers=ipr.auth("Cleo")).json()
    assert [t["name"] for t in live] == ["Being met", "Trusting"]

    for cells in ("role", "count"):
        table = client.get(ipr.url(f"/frequency?cells={cells}"), headers=ipr.auth("Cleo")).json()
        contract = list(
            csv.reader(io.StringIO(table_csv(frequency_table(session, project_id=project_id, cells=cells))))
        )
        assert [table["header"], *(row["values"] for row in table["rows"])] == contract
    assert table["header"] == ["theme", "subtheme", "Dyad 2", "Dyad 10", "n_dyads"]
    row = table["rows"][0]
    assert (row["theme"], row["subtheme"], row["n_dyads"]) == ("Being met", "", 1)
    assert row["cells"][0] | {"dyad_id": 0} == {
        "dyad_id": 0,
        "dyad": "Dyad 2",
        "roles": ["client"],
        "initials": "C",
        "count": 1,
    }
    assert table["rows"][1]["subtheme"] == "Trusting"
    wrong = client.get(ipr.url("/frequency?session=7"), headers=ipr.auth("Cleo"))
    assert (wrong.status_code, wrong.json()) == (422, {"detail": "no interviews about session 7 in this project"})


def test_search_finds_lemmas_a_page_at_a_time(client: TestClient, ipr: Study) -> None:
    viewer = ipr.auth("Cleo")
    found = client.get(ipr.url("/search?q=trust"), headers=viewer).json()
    assert (found["total"], found["transcripts"], found["lemmas"]) == (4, 4, ["trust"])
    assert [(h["dyad"], h["role"], h["text"]) for h in found["hits"]] == [
        ("Dyad 2", "client", "trusted"), ("Dyad 2", "therapist", "trusting"),
        ("Dyad 10", "client", "trusted"), ("Dyad 10", "therapist", "trusting"),
    ]  # fmt: skip
    hit = found["hits"][0]
    assert set(hit) >= CLI_HIT and hit["transcript"] == ipr.transcript.id
    assert ipr.transcript.text[hit["start"] : hit["end"]] == "trusted"
    assert hit["context"][hit["context_start"] :].startswith("trusted")
    page = client.get(ipr.url("/search?q=trust&limit=1&offset=2"), headers=viewer).json()
    assert (page["total"], [(h["dyad"], h["text"]) for h in page["hits"]]) == (4, [("Dyad 10", "trusted")])
    narrowed = client.get(ipr.url("/search?q=trust&role=therapist&dyad=Dyad 10"), headers=viewer).json()
    assert [(h["participant"], h["text"]) for h in narrowed["hits"]] == [("T10", "trusting")]
    for query, detail in (
        ("q=trust&dyad=Dyad 99", "no dyad 'Dyad 99' in this project"),
        ("q=%20", "type a word to search for: the query is empty"),
        ("q=a%00b", "q: must not hold control characters (such as NUL or a line break)"),
        ("q=trust&role=client%0A", "role.0: must not hold control characters (such as NUL or a line break)"),
        ("q=trust&speakers=nobody", "speakers: Input should be 'participants' or 'all'"),
    ):
        response = client.get(ipr.url(f"/search?{query}"), headers=viewer)
        assert (response.status_code, response.json()) == (422, {"detail": detail}), query


def test_an_open_agreement_round_s_coders_code_blind_through_the_api_too(
    client: TestClient, session: Session, ipr: Study
) -> None:
    start = ipr.transcript.text.index("trusted")
    bens = {"transcript_id": ipr.transcript.id, "code_id": ipr.codes["heard"].id, "start": start, "end": start + 7}
    assert client.post(ipr.url("/codings"), json=bens, headers=ipr.auth("Ben")).status_code == 201
    ana, ben = ipr.people["Ana"], ipr.people["Ben"]
    start_round(
        session, project=ipr.project, name="Round 1", coder_ids=[ana.id or 0, ben.id or 0], by=ipr.people["Dora"]
    )

    def coders(name: str) -> list[str | None]:
        page = client.get(ipr.url("/codings"), headers=ipr.auth(name)).json()
        assert page["total"] == len(page["items"])
        return [c["coder"] for c in page["items"]]

    assert coders("Ben") == ["Ben"]  # not Ana's, while the round is open
    assert coders("Cleo") == []  # a viewer sees neither coder's codings of the round
    assert coders("Ana") == coders("Dora") == ["Ben", "Ana"]  # owners and leads see everyone's
    found = session.exec(select(AgreementRound)).one()
    close_round(session, project=ipr.project, round_id=found.id or 0, by=ipr.people["Dora"])
    assert coders("Ben") == ["Ben", "Ana"]
