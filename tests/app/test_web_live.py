"""Others' codings arriving in an open reading view: the page's poller, and what the server answers it.

Each test opens the reading view as one person, changes codings as another through the domain functions
(as another browser would), and asks what the page's poller asks — the URL it carries, then the URL the
answer's fresh poller carries.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from coding.agreement_rounds import close_round, start_round
from coding.apply import apply_code, delete_coding, undo_last, update_coding
from coding.codebook import update_code
from coding.models import Code
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent, Project, Transcript, User

HTMX = {"HX-Request": "true"}


def setup(session: Session, tmp_path: Path) -> tuple[Project, Transcript, Code, User]:
    project, _ = study(session, tmp_path)
    transcript = session.exec(select(Transcript).where(Transcript.name == "c2_s3")).one()
    code = make_code(session, project, "Feeling heard", colour="#e15759")
    ben = researcher(session, "Ben")  # a coder
    return project, transcript, code, ben


def poller_url(client: TestClient, project: Project, transcript: Transcript, coder: str = "all") -> str:
    """The poller's URL on the reading view, as the page carries it."""
    page = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}?coder={coder}").text)
    (poller,) = page.xpath("//div[@id='live-codings']")
    assert poller.get("hx-trigger").startswith("every ")
    return str(poller.get("hx-get"))


def poll(client: TestClient, url: str) -> tuple[int, dict[str, lxml.html.HtmlElement], str | None]:
    """Ask as htmx does: the status, the out-of-band fragments by id, and the next poller's URL."""
    response = client.get(url, headers=HTMX)
    if response.status_code != 200:
        return response.status_code, {}, None
    assert "<html" not in response.text
    fragments = {f.get("id"): f for f in lxml.html.fragments_fromstring(response.text) if not isinstance(f, str)}
    assert all(f.get("hx-swap-oob") == "true" for f in fragments.values())
    poller = fragments.pop("live-codings")
    return 200, fragments, str(poller.get("hx-get"))


def coded_text(turn: lxml.html.HtmlElement) -> list[str]:
    return [span.text_content() for span in turn.xpath(".//p[@class='speech']/span[contains(@class, 'coded')]")]


def span_of(transcript: Transcript, words: str) -> tuple[int, int]:
    start = transcript.text.index(words)
    return start, start + len(words)


def test_nothing_changed_answers_204(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, _, _ = setup(session, tmp_path)
    url = poller_url(client, project, transcript)
    assert url.startswith(f"/projects/{project.id}/transcripts/{transcript.id}/codings/changes?since=")
    status, _, _ = poll(client, url)
    assert status == 204


def test_another_coders_coding_arrives_as_its_turn_and_then_goes_with_it(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    url = poller_url(client, project, transcript)
    start, end = span_of(transcript, "I felt heard")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]

    status, turns, next_url = poll(client, url)
    assert status == 200 and next_url and next_url != url
    (turn,) = turns.values()
    assert int(turn.get("data-start")) <= start < end <= int(turn.get("data-end"))
    assert coded_text(turn) == ["I felt heard"]
    (stripe,) = turn.xpath(".//a[contains(@class, 'stripe')]")
    assert stripe.get("title") == "Feeling heard — Ben"
    assert turn.get("data-sentences"), "a double-click still finds the turn's sentences"
    assert poll(client, next_url)[0] == 204, "the new cursor has taken the coding in"

    delete_coding(session, coding_id=coding.id, user=ben)  # type: ignore[arg-type]
    status, turns, after_delete = poll(client, next_url)
    assert status == 200
    assert list(turns) == [turn.get("id")]
    assert coded_text(turns[turn.get("id")]) == []
    assert not turns[turn.get("id")].xpath(".//a[contains(@class, 'stripe')]")

    undo_last(session, project_id=project.id, user=ben)  # type: ignore[arg-type]
    status, turns, _ = poll(client, after_delete)  # type: ignore[arg-type]
    assert status == 200 and coded_text(turns[turn.get("id")]) == ["I felt heard"]


def test_a_widened_coding_renders_both_its_old_and_new_turns(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    start, end = span_of(transcript, "I trusted her then")
    coding = apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    url = poller_url(client, project, transcript)
    new_start, new_end = span_of(transcript, "I felt heard")
    update_coding(session, coding_id=coding.id, user=ben, start=new_start, end=new_end)  # type: ignore[arg-type]
    status, turns, _ = poll(client, url)
    assert status == 200
    assert sorted(coded_text(t) != [] for t in turns.values()) == [False, True], "left one turn, reached another"


def test_my_own_codings_and_other_transcripts_do_not_come_back(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    url = poller_url(client, project, transcript)
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ana)  # type: ignore[arg-type]
    other = session.exec(select(Transcript).where(Transcript.name == "t2_s3")).one()
    apply_code(session, transcript_id=other.id, code_id=code.id, start=0, end=5, coder=ben)  # type: ignore[arg-type]
    status, turns, next_url = poll(client, url)
    assert status == 200 and turns == {}, "only a poller with the new cursor"
    assert poll(client, next_url)[0] == 204  # type: ignore[arg-type]


def test_the_coder_filter_holds(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    mine = poller_url(client, project, transcript, coder="me")
    bens = poller_url(client, project, transcript, coder=str(ben.id))
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    assert poll(client, mine)[1] == {}
    status, turns, _ = poll(client, bens)
    assert status == 200 and [coded_text(t) for t in turns.values()] == [["I felt heard"]]


def test_a_coder_in_an_open_round_does_not_see_the_other_coders_codings_arrive(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    cleo = researcher(session, "Cleo")
    found = start_round(session, project=project, name="Pilot", coder_ids=[cleo.id, ben.id], by=ana)  # type: ignore[list-item]
    client.cookies.set("dyadic_person", "Cleo")
    url = poller_url(client, project, transcript)
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]

    status, turns, next_url = poll(client, url)
    assert turns == {}, "Ben's coding stays hidden from Cleo while the round is open"
    page = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}").text)
    assert not page.xpath("//span[contains(@class, 'coded')]"), "and so does the reading view itself"
    assert not page.xpath("//select[@name='coder']/option[text()='Ben']")

    client.cookies.set("dyadic_person", "Ana")  # an owner sees both coders while the round is open
    owner = lxml.html.fromstring(client.get(f"/projects/{project.id}/transcripts/{transcript.id}").text)
    assert [s.text_content() for s in owner.xpath("//span[contains(@class, 'coded')]")] == ["I felt heard"]

    close_round(session, project=project, round_id=found.id, by=ana)  # type: ignore[arg-type]
    client.cookies.set("dyadic_person", "Cleo")
    status, turns, _ = poll(client, next_url or url)
    assert status == 200 and [coded_text(t) for t in turns.values()] == [["I felt heard"]], "closed: it shows"


def test_a_late_commit_below_the_newest_event_is_not_lost(client: TestClient, session: Session, tmp_path: Path) -> None:
    """On PostgreSQL a transaction may commit after one that took a higher event id: the cursor's count of
    the events it saw catches the one that arrived below its high-water mark."""
    project, transcript, code, ben = setup(session, tmp_path)
    url = poller_url(client, project, transcript)
    settled, high, seen = url.split("since=")[1].split("&")[0].split("-")
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    newest = session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    # A page that had seen an event newer than Ben's, but not Ben's, which committed later.
    stale = url.replace(f"since={settled}-{high}-{seen}", f"since={settled}-{newest + 1}-{seen}")  # type: ignore[operator]
    status, turns, _ = poll(client, stale)
    assert status == 200 and [coded_text(t) for t in turns.values()] == [["I felt heard"]]


def test_a_renamed_code_renews_its_stripes_and_the_colours(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    url = poller_url(client, project, transcript)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    update_code(session, code_id=code.id, user=ana, name="Being heard", colour="#59a14f")  # type: ignore[arg-type]
    response = client.get(url, headers=HTMX)
    fragments = {f.get("id"): f for f in lxml.html.fragments_fromstring(response.text) if not isinstance(f, str)}
    (stripe,) = [a for f in fragments.values() for a in f.xpath(".//a[contains(@class, 'stripe')]")]
    assert stripe.get("title") == "Being heard — Ben"
    colours = fragments["code-colours"]
    assert colours.tag == "link" and colours.get("hx-swap-oob") == "true"
    assert colours.get("href").startswith(f"/projects/{project.id}/codes.css?v=")


def test_a_bad_cursor_or_another_projects_transcript_is_refused(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    project, transcript, _, _ = setup(session, tmp_path)
    base = f"/projects/{project.id}/transcripts/{transcript.id}/codings/changes"
    assert client.get(f"{base}?since=nonsense", headers=HTMX).status_code == 400
    assert client.get(f"{base}?since=9-3-0", headers=HTMX).status_code == 400
    other = f"/projects/{project.id}/transcripts/99999/codings/changes?since=0-0-0"
    assert client.get(other, headers=HTMX).status_code == 404


def test_a_coding_made_in_another_browser_arrives(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, _ = setup(session, tmp_path)
    url = poller_url(client, project, transcript)
    start, end = span_of(transcript, "I felt heard")
    client.cookies.set("dyadic_person", "Ben")
    stored = client.post(
        f"/projects/{project.id}/transcripts/{transcript.id}/codings",
        data={"start": start, "end": end, "code_id": code.id},
        headers=HTMX,
    )
    assert stored.status_code == 200
    client.cookies.set("dyadic_person", "Ana")
    status, turns, _ = poll(client, url)
    assert status == 200 and [coded_text(t) for t in turns.values()] == [["I felt heard"]]


def test_a_new_colour_renews_only_the_colours(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    url = poller_url(client, project, transcript)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    update_code(session, code_id=code.id, user=ana, colour="#59a14f")  # type: ignore[arg-type]
    status, fragments, _ = poll(client, url)
    assert status == 200 and list(fragments) == ["code-colours"]
    assert f".code-{code.id} {{ --code: #59a14f; }}" in client.get(fragments["code-colours"].get("href")).text


def test_coding_beside_a_hidden_coding_does_not_reveal_it(client: TestClient, session: Session, tmp_path: Path) -> None:
    project, transcript, code, ben = setup(session, tmp_path)
    ana = session.exec(select(User).where(User.name == "Ana")).one()
    cleo = researcher(session, "Cleo")
    start_round(session, project=project, name="Pilot", coder_ids=[cleo.id, ben.id], by=ana)  # type: ignore[list-item]
    start, end = span_of(transcript, "I felt heard")
    apply_code(session, transcript_id=transcript.id, code_id=code.id, start=start, end=end, coder=ben)  # type: ignore[arg-type]
    client.cookies.set("dyadic_person", "Cleo")
    url = f"/projects/{project.id}/transcripts/{transcript.id}/codings"
    answer = client.post(url, data={"start": start, "end": start + 6, "code_id": code.id}, headers=HTMX)
    assert answer.status_code == 200
    turns = [
        f
        for f in lxml.html.fragments_fromstring(answer.text)
        if not isinstance(f, str) and "turn" in f.get("class", "")
    ]
    assert [coded_text(turn) for turn in turns] == [["I felt"]], "Cleo's own coding only, not Ben's beside it"
