"""Agreement rounds in the browser: starting one (leads and owners), the round's table and disagreement list, the
coder-lanes comparison (hidden from coders while the round is open), and reflexive projects without
coefficients."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from coding.agreement_models import AgreementRound
from coding.apply import apply_code
from tests.factories import make_code, researcher, study
from transcripts.models import Project, Sentence, Transcript, User


def page(response) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.text)


def coded_study(session: Session, tmp_path: Path) -> tuple[Project, Transcript, User, User, int]:
    project, _ = study(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    ben = researcher(session, "Ben", role="coder")
    code = make_code(session, project, "Being heard")
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    first, second = session.exec(
        select(Sentence).where(Sentence.transcript_id == transcript.id).order_by(col(Sentence.start)).limit(2)
    ).all()
    for who, sentence in ((ana, first), (ana, second), (ben, second)):
        apply_code(
            session,
            transcript_id=transcript.id,
            code_id=code.id,
            start=sentence.start,
            end=sentence.end,
            coder=who,  # type: ignore[arg-type]
        )
    return project, transcript, ana, ben, code.id  # type: ignore[return-value]


def start(client: TestClient, project: Project, ana: User, ben: User, **extra: str) -> str:
    client.cookies.set("dyadic_person", "Ana")
    response = client.post(
        f"/projects/{project.id}/agreement",
        data={"name": "Pilot", "coder": [str(ana.id), str(ben.id)], "unit": "sentence", **extra},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_a_round_from_start_to_close(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, ana, ben, code_id = coded_study(session, tmp_path)
    project.analysis_approach = "codebook"
    session.commit()
    codebook = page(client.get(f"/projects/{project.id}/codebook"))
    assert codebook.xpath(f"//a[@href='/projects/{project.id}/agreement']")

    rounds = page(client.get(f"/projects/{project.id}/agreement"))
    assert rounds.xpath("//form[@aria-label='Start a round']")
    assert not rounds.xpath("//*[@id='no-statistics']")
    url = start(client, project, ana, ben)

    owner_view = page(client.get(url))
    row = owner_view.xpath(f"//tr[@id='agreement-{code_id}']")[0]
    cells = [c.text_content().strip() for c in row.xpath("td")]
    assert cells[0] == str(len(session.exec(select(Sentence).where(Sentence.transcript_id == transcript.id)).all()))
    assert owner_view.xpath("//tr[@id='agreement-pooled']/th")[0].text_content() == "All codes pooled"
    passages = owner_view.xpath("//table[contains(@class, 'disagreements')]/tbody/tr")
    assert len(passages) == 1
    assert passages[0].xpath("string(td[@class='passage'])") == "Where did you stop the recording?"
    link = passages[0].xpath("string(td[2]/a/@href)")
    assert link.startswith(f"{url}/compare/{transcript.id}#turn-")

    # Ben, a coder, while the round is open: no table, and only his own lane
    client.cookies.set("dyadic_person", "Ben")
    coder_view = page(client.get(url))
    assert coder_view.xpath("//*[@id='round-open']")
    assert not coder_view.xpath("//table[contains(@class, 'agreement-table')]")
    assert not coder_view.xpath("//table[contains(@class, 'disagreements')]")
    lanes = page(client.get(f"{url}/compare/{transcript.id}"))
    assert [n.text_content() for n in lanes.xpath("//div[contains(@class, 'coder-name')]")] == ["Ben"]
    assert lanes.xpath("//*[@id='lanes-hidden']")
    refused = client.post(f"{url}/close", follow_redirects=False)
    assert refused.status_code == 403
    assert "Ben is a coder in this project; only its leads and owners may do this" in page(refused).text_content()
    session.expire_all()
    assert session.exec(select(AgreementRound.status)).one() == "open"

    client.cookies.set("dyadic_person", "Ana")
    assert client.post(f"{url}/close", follow_redirects=False).status_code == 303
    client.cookies.set("dyadic_person", "Ben")
    closed = page(client.get(url))
    assert closed.xpath("//table[contains(@class, 'agreement-table')]")
    lanes = page(client.get(f"{url}/compare/{transcript.id}"))
    assert [n.text_content() for n in lanes.xpath("//div[contains(@class, 'coder-name')]")] == ["Ana", "Ben"]
    marks = lanes.xpath("//div[@data-coder]//mark")
    assert {m.get("class") for m in marks} == {f"code-{code_id}"}
    assert not lanes.xpath("//*[@style]") and not lanes.xpath("//script[not(@src)]")


def test_a_coder_cannot_start_a_round_and_a_bad_form_keeps_its_input(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, _, ana, ben, _ = coded_study(session, tmp_path)
    client.cookies.set("dyadic_person", "Ana")
    bad = client.post(
        f"/projects/{project.id}/agreement", data={"name": "Pilot", "coder": [str(ana.id)], "theta": "0.5"}
    )
    assert bad.status_code == 422
    form = page(bad)
    assert form.xpath("string(//p[@role='alert'])") == "choose at least two coders to compare"
    assert form.xpath("string(//form[@aria-label='Start a round']//input[@name='name']/@value)") == "Pilot"
    assert form.xpath("string(//input[@name='theta']/@value)") == "0.5"
    assert form.xpath(f"//input[@name='coder'][@value='{ana.id}']/@checked")

    client.cookies.set("dyadic_person", "Ben")
    assert not page(client.get(f"/projects/{project.id}/agreement")).xpath("//form[@aria-label='Start a round']")
    refused = client.post(
        f"/projects/{project.id}/agreement", data={"name": "Mine", "coder": [str(ana.id), str(ben.id)]}
    )
    assert refused.status_code == 403
    assert session.exec(select(func.count()).select_from(AgreementRound)).one() == 0


def test_a_reflexive_project_compares_without_coefficients(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, ana, ben, _ = coded_study(session, tmp_path)
    assert project.analysis_approach == "reflexive"
    rounds = page(client.get(f"/projects/{project.id}/agreement"))
    assert "Braun & Clarke" in rounds.xpath("string(//*[@id='no-statistics'])")
    url = start(client, project, ana, ben)
    view = page(client.get(url))
    assert not view.xpath("//table[contains(@class, 'agreement-table')]")
    assert view.xpath("//*[@id='no-statistics']")
    assert view.xpath("//table[contains(@class, 'disagreements')]/tbody/tr")
    lanes = page(client.get(f"{url}/compare/{transcript.id}"))
    assert len(lanes.xpath("//div[contains(@class, 'coder-name')]")) == 2


def test_unknown_rounds_and_transcripts_are_not_found(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, _, ana, ben, _ = coded_study(session, tmp_path)
    url = start(client, project, ana, ben)
    assert client.get(f"/projects/{project.id}/agreement/999").status_code == 404
    assert client.get(f"{url}/compare/999").status_code == 404
