"""Coding benchmark: storing a coding and rendering its fragment, and the reading view with many codings
(many coders at once: bench/concurrency.py). Server time is read from the app's ``Server-Timing`` header, so
the client's own overhead is not counted.

    python bench/coding.py [--database-url postgresql+psycopg://…] [--codings 1000] [--only store|view]

Issue targets (server time, median): storing a coding and rendering its fragment ≤ 5 ms on a 10,000- and a
100,000-word transcript alike; the reading view of a 20,000-word transcript with 2,000 codings ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.db import make_engine, migrate  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.turn_html import forget_kept_turns  # noqa: E402
from bench.common import database, sentence_spans, study  # noqa: E402
from bench.concurrency import csrf_token  # noqa: E402
from coding.models import Code, Coding  # noqa: E402

HTMX = {"HX-Request": "true"}


def server_ms(response: httpx.Response) -> float:
    return float(response.headers["server-timing"].split("dur=")[1])


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"median {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms  (n={len(values)})"


def code_of(session: Session, project_id: int) -> int:
    return session.exec(select(Code.id).where(Code.project_id == project_id)).one()  # type: ignore[return-value]


def sequential(client: TestClient, session: Session, project_id: int, transcript_id: int, n: int) -> list[float]:
    spans = random.Random(1).choices(sentence_spans(session, transcript_id), k=n)
    code_id = code_of(session, project_id)
    page = client.get(f"/projects/{project_id}/transcripts/{transcript_id}")  # opened first, as a person would
    headers = HTMX | {"X-CSRF-Token": csrf_token(page)}  # the page's form token, as htmx sends it
    timings = []
    for index, (start, end) in enumerate(spans):
        response = client.post(
            f"/projects/{project_id}/transcripts/{transcript_id}/codings",
            data={"start": start, "end": max(start + 1, end - index % 3), "code_id": code_id},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        timings.append(server_ms(response))
    return timings


def reading_view(client: TestClient, session: Session, folder: Path) -> None:
    """The reading view of a 20,000-word transcript right after 2,000 codings were stored in it: 30 first
    views (no turn's HTML kept from before, ``app.turn_html``) and 30 views of the unchanged page."""
    project_id, transcripts = study(session, folder / "s20k", name=f"bench view {time.time_ns()}", words=20_000)
    sequential(client, session, project_id, transcripts[0], 2000)
    coded = len(session.exec(select(Coding.id).where(Coding.transcript_id == transcripts[0])).all())
    page = f"/projects/{project_id}/transcripts/{transcripts[0]}"
    afresh, again = [], []
    for _ in range(30):  # alternating: every turn drawn afresh, then the same page with the turns' HTML kept
        forget_kept_turns()
        afresh.append(server_ms(client.get(page)))
        again.append(server_ms(client.get(page)))
    print(f"reading view, 20,000 words with {coded:,} codings, drawn afresh: {summary(afresh)}")
    print(f"reading view, the same again (turns' HTML kept):        {summary(again)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file; PostgreSQL: throwaway")
    parser.add_argument("--codings", type=int, default=1000)
    parser.add_argument("--only", choices=("store", "view"), help="only storing codings, or only the reading view")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="dyadic-bench-") as tmp,
        database(args.database_url, Path(tmp), name="coding") as url,
    ):
        migrate(url)
        settings = Settings(database_url=url, data_dir=Path(tmp) / "var", local_user="bench")
        engine = make_engine(url)
        print(f"database: {url.split(':', 1)[0]}")
        with Session(engine, expire_on_commit=False) as session, TestClient(create_app(settings)) as client:
            for words in (10_000, 100_000) if args.only != "view" else ():
                project_id, transcripts = study(
                    session, Path(tmp) / f"s{words}", name=f"bench {words} {time.time_ns()}", words=words
                )
                timings = sequential(client, session, project_id, transcripts[0], args.codings)
                print(f"store a coding + render its fragment, {words:>7,}-word transcript: {summary(timings)}")

            if args.only != "store":
                reading_view(client, session, Path(tmp))

        engine.dispose()


if __name__ == "__main__":
    main()
