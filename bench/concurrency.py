"""Concurrency benchmark: 20 coders saving codings at once against the real server, and nothing lost.

A fresh database gets a generated study (2 dyads, 4 interviews of about 10,000 words). The app is started
as people start it, ``dyadic serve``, in a child process. Then every coder (a thread with its own HTTP
connection and its own ``dyadic_person`` cookie, so a different person to the app) posts its codings one
after another, as the reading view's code picker posts them (htmx, answered with the touched turns).
Several coders share each transcript, and half of each coder's spans are the same sentences as the other
coders of that transcript, so identical spans are saved at the same moment. Each request's latency is
taken on the client. Afterwards the database is read: every acknowledged (2xx) coding must be stored, for
its coder, with one audit event, and nothing else.

    python bench/concurrency.py [--coders 20] [--codings 100] [--database-url URL]

Without ``--database-url`` the database is a fresh SQLite file. For PostgreSQL give a server,
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``: the script creates a throwaway database there
(the URL's own database is only used to create and drop it).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.db import make_engine, migrate  # noqa: E402
from bench.common import database, percentile, sentence_spans, study  # noqa: E402
from coding.models import Code, Coding  # noqa: E402
from transcripts.models import AuditEvent, User  # noqa: E402

HTMX = {"HX-Request": "true"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
SERVE = "import sys; from app.cli import main; sys.argv[0] = 'dyadic'; main()"


@dataclass
class Coder:
    """One person coding: where, which spans, and what the server said to each request."""

    name: str
    transcript_id: int
    spans: list[tuple[int, int]]
    latencies: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    acknowledged: list[tuple[int, int]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def csrf_token(page: httpx.Response) -> str:
    """The form token a page carries (``<meta name="csrf-token">``), which htmx sends as ``X-CSRF-Token``
    with every unsafe request; it belongs to the nonce cookie the client holds (app/csrf.py)."""
    found = CSRF_META.search(page.text)
    if found is None:
        raise SystemExit(f"{page.request.url} ({page.status_code}) carries no form token")
    return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(url: str, folder: Path, log: Path) -> Iterator[str]:
    """``dyadic serve`` on a free port, in a child process; yields its base URL once it answers."""
    port = free_port()
    env = os.environ | {"DYADIC_DATABASE_URL": url, "DYADIC_DATA_DIR": str(folder / "var")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server stopped at start-up:\n{log.read_text()}")
                try:
                    if httpx.get(base + "/", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 120 s")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def plan(session: Session, transcripts: list[int], coders: int, codings: int) -> list[Coder]:
    """Coder ``n`` codes transcript ``n mod len(transcripts)``: half of its spans are sentences that every
    coder of that transcript codes too (in a shuffled order), half its own; no coder repeats a span."""
    spans = {t: sentence_spans(session, t) for t in transcripts}
    shared_count = codings // 2
    shared = {t: random.Random(t).sample(spans[t], shared_count) for t in transcripts}
    people = []
    for n in range(coders):
        transcript_id = transcripts[n % len(transcripts)]
        rng = random.Random(1000 + n)
        own = rng.sample(
            [s for s in spans[transcript_id] if s not in set(shared[transcript_id])], codings - shared_count
        )
        mine = shared[transcript_id] + own
        rng.shuffle(mine)
        people.append(Coder(f"coder {n + 1:02d}", transcript_id, mine))
    return people


def work(base: str, project_id: int, code_id: int, coder: Coder, start_line: threading.Barrier) -> None:
    with httpx.Client(base_url=base, cookies={"dyadic_person": coder.name}, timeout=120) as http:
        try:
            page = http.get(f"/projects/{project_id}/transcripts/{coder.transcript_id}")  # opens it, as a person would
            headers = HTMX | {"X-CSRF-Token": csrf_token(page)}  # the page's form token, as htmx sends it
        except BaseException:
            start_line.abort()  # no one starts: the main thread reports it
            raise
        start_line.wait()
        for start, end in coder.spans:
            began = time.perf_counter()
            try:
                response = http.post(
                    f"/projects/{project_id}/transcripts/{coder.transcript_id}/codings",
                    data={"start": start, "end": end, "code_id": code_id},
                    headers=headers,
                )
            except httpx.HTTPError as exc:
                coder.errors[type(exc).__name__] += 1
                continue
            coder.latencies.append((time.perf_counter() - began) * 1000)
            if response.is_success:
                coder.acknowledged.append((start, end))
                coder.server.append(float(response.headers["server-timing"].split("dur=")[1]))
            else:
                coder.errors[f"HTTP {response.status_code}"] += 1


def check(session: Session, project_id: int, code_id: int, people: list[Coder]) -> tuple[int, int, int, int]:
    """(acknowledged, lost, unexpected, unaudited): codings acknowledged to a coder but not stored for them,
    codings stored that were never acknowledged (or stored twice), and stored codings without the audit event
    that should have been written in the same transaction."""
    users = {u.name: u.id for u in session.exec(select(User).where(col(User.name).in_([p.name for p in people])))}
    acknowledged = lost = unexpected = unaudited = 0
    for person in people:
        rows = session.exec(
            select(Coding.id, Coding.transcript_id, Coding.start, Coding.end).where(
                Coding.project_id == project_id, Coding.code_id == code_id, Coding.coder_id == users.get(person.name)
            )
        ).all()
        stored = Counter((t, s, e) for _, t, s, e in rows)
        wanted = Counter((person.transcript_id, s, e) for s, e in person.acknowledged)
        acknowledged += sum(wanted.values())
        lost += sum((wanted - stored).values())
        unexpected += sum((stored - wanted).values())
        events = session.exec(
            select(AuditEvent.entity_id).where(
                AuditEvent.action == "coding.create", col(AuditEvent.entity_id).in_([r[0] for r in rows])
            )
        ).all()
        unaudited += len(rows) - len(set(events))
    return acknowledged, lost, unexpected, unaudited


def spread(values: list[float]) -> str:
    if not values:
        return "(no answers)"
    return f"p50 {statistics.median(values):.1f} ms  p95 {percentile(values, 0.95):.1f} ms  max {max(values):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file; PostgreSQL: a server")
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--codings", type=int, default=100, help="codings per coder")
    parser.add_argument("--dyads", type=int, default=2, help="dyads in the study (two interviews each)")
    parser.add_argument("--words", type=int, default=10_000, help="words per interview")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="dyadic-concurrency-") as tmp,
        database(args.database_url, Path(tmp), name="concurrency") as url,
    ):
        folder = Path(tmp)
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            project_id, transcripts = study(
                session, folder / "study", name="concurrency bench", words=args.words, dyads=args.dyads
            )
            code_id = session.exec(select(Code.id).where(Code.project_id == project_id)).one()
            people = plan(session, transcripts, args.coders, args.codings)
        log = folder / "server.log"
        load_before = os.getloadavg()[0]
        with served(url, folder, log) as base:
            start_line = threading.Barrier(len(people) + 1)
            threads = [threading.Thread(target=work, args=(base, project_id, code_id, p, start_line)) for p in people]
            for thread in threads:
                thread.start()
            try:
                start_line.wait()
            except threading.BrokenBarrierError:
                raise SystemExit("a coder could not open its transcript (see above)") from None
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - began
        with Session(engine) as session:
            acknowledged, lost, unexpected, unaudited = check(session, project_id, code_id, people)  # type: ignore[arg-type]
        engine.dispose()
        server_log = log.read_text()

    latencies = [ms for p in people for ms in p.latencies]
    server = [ms for p in people for ms in p.server]
    errors = sum((p.errors for p in people), Counter[str]())
    sent = sum(len(p.spans) for p in people)
    per_transcript = Counter(p.transcript_id for p in people).values()
    print(
        f"database: {url.split(':', 1)[0]}; {args.coders} coders × {args.codings} codings on {len(transcripts)} "
        f"transcripts of ~{args.words:,} words ({min(per_transcript)}–{max(per_transcript)} coders per transcript, "
        "half of each coder's spans shared with them)"
    )
    print(
        f"requests: {sent:,} in {seconds:.1f} s = {sent / seconds:.1f} codings/s "
        f"(load average before: {load_before:.2f})"
    )
    print(f"latency (client): {spread(latencies)}")
    print(f"server time:      {spread(server)}")
    print(f"errors: {sum(errors.values())}" + (f" ({dict(errors)})" if errors else ""))
    locked = server_log.count("database is locked")
    if locked:
        print(f"server log: 'database is locked' {locked} times")
    print(
        f"acknowledged: {acknowledged:,}; stored for their coders: {acknowledged - lost:,}; "
        f"unexpected: {unexpected}; without audit event: {unaudited}"
    )
    print(f"lost: {lost}")
    if lost or unexpected or unaudited or not acknowledged:
        sys.exit(1)


if __name__ == "__main__":
    main()
