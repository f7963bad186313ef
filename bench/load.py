"""Load test: 50 coders logged in to team mode (2 workers, PostgreSQL) saving and deleting codings for 60 s;
afterwards every acknowledged coding is in the database and nothing else is.

A throwaway PostgreSQL database gets a generated study (2 dyads, one of them a triad: 5 interviews of about
10,000 words), a few codes, and one account per coder, each a member of the project as a coder. The server
is started as a team starts it, ``dyadic serve --workers 2`` with ``DYADIC_MODE=team``, in a child process.

Each coder is an ``httpx.AsyncClient`` of its own (its own cookies and connection), all in one asyncio loop:
it opens the login page, logs in with the page's form token, lands on its transcript's reading view and
takes the new form token from it (a login rotates it). When every coder is in, all start at once and, for
``--seconds``, each sends one request after another without pause (a closed loop: the figures are the
server's saturation, not a team's usual pace): mostly it codes a random span inside a turn of its transcript
with a random code, exactly as the reading view's code picker posts it (htmx, answered with the touched
turns, the coding's id in its stripe's link), and sometimes (``--delete-share``) deletes one of its own
codings acknowledged before, as the coding panel's Delete button does. Each request's latency is taken on
the client; "server" is the app's ``Server-Timing``.

Afterwards, with the server stopped, the database is read: every acknowledged coding that was not deleted
must be stored, as acknowledged; every acknowledged delete must be gone; nothing else may be stored, and
each stored coding must have its audit event (each delete, its own). A request that got no answer (a time-
out, a dropped connection) may or may not have committed: those are counted apart, with what became of them.

    python bench/load.py [--coders 50] [--seconds 60] [--workers 2] [--database-url URL]

``--database-url`` names a PostgreSQL server (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``);
the script creates a throwaway database there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.db import make_engine, migrate  # noqa: E402
from bench.common import percentile, study, throwaway_postgres  # noqa: E402
from bench.concurrency import csrf_token, free_port  # noqa: E402
from coding.models import Code, Coding  # noqa: E402
from transcripts.accounts import create_account  # noqa: E402
from transcripts.members import join  # noqa: E402
from transcripts.models import AuditEvent, Turn  # noqa: E402

HTMX = {"HX-Request": "true"}
DYADIC = ROOT / ".venv" / "bin" / "dyadic"
SERVE = "import sys; from app.cli import main; sys.argv[0] = 'dyadic'; main()"
# A coding's stripe in the answered turns: its code, span, "code — coder" label and its id (app/turn_html.py).
STRIPE = re.compile(
    r'<a class="stripe code-(\d+) [^"]*" data-start="(\d+)" data-end="(\d+)" title="([^"]*)" '
    r'href="/projects/\d+/codings/(\d+)"'
)
DURATION = re.compile(r"dur=([0-9.]+)")
CODES = ("Feeling heard", "Rupture", "Repair", "Silence")  # the study's own code, and three more
MAX_SPAN = 300  # characters of a selection, at most

Key = tuple[int, int, int, int]  # (transcript, start, end, code) of one coder's coding
Turns = dict[int, list[tuple[int, int]]]  # each transcript's turns as (start, end), the short ones left out


@dataclass
class Request:
    kind: str  # "create" or "delete"
    outcome: str  # "ok", "HTTP 500", "HTTP 204 → login", "ReadTimeout" …
    client_ms: float
    server_ms: float | None
    done: float = field(default_factory=time.perf_counter)  # when the answer (or the failure) came


@dataclass
class Coder:
    """One person coding, and a ledger of what the server told them."""

    name: str
    password: str
    user_id: int
    transcript_id: int
    rng: random.Random
    requests: list[Request] = field(default_factory=list)
    live: dict[int, Key] = field(default_factory=dict)  # acknowledged, not deleted: id → key
    deleted: dict[int, Key] = field(default_factory=dict)  # acknowledged deletes
    no_id: list[Key] = field(default_factory=list)  # acknowledged creates whose id the answer did not show
    refused_creates: list[Key] = field(default_factory=list)  # answered with an error: must not be stored
    refused_deletes: dict[int, Key] = field(default_factory=dict)  # answered with an error: must still be stored
    unknown_creates: list[Key] = field(default_factory=list)  # no answer: may or may not be stored
    unknown_deletes: dict[int, Key] = field(default_factory=dict)  # no answer: may or may not be gone
    login_error: str | None = None

    def used(self) -> set[Key]:
        """Keys this coder must not send again: one live, or one whose fate is unknown (the same coder, code
        and span get the first coding back, so a repeat would blur the ledger)."""
        return set(self.live.values()) | set(self.no_id) | set(self.unknown_creates)


@contextmanager
def served(url: str, folder: Path, log: Path, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``dyadic serve --workers N`` in team mode on a free port, in a child process (its own process group,
    so that its workers end with it); yields its base URL once the login page answers."""
    port = free_port()
    env = os.environ | {
        "DYADIC_MODE": "team",
        "DYADIC_SECRET_KEY": secrets.token_hex(32),
        "DYADIC_DATABASE_URL": url,
        "DYADIC_DATA_DIR": str(folder / "var"),
    }
    command = [str(DYADIC)] if DYADIC.exists() else [sys.executable, "-c", SERVE]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server stopped at start-up:\n{log.read_text()}")
                try:
                    if httpx.get(base + "/login", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer within 180 s:\n{log.read_text()}")
                time.sleep(0.3)
            yield base, process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server (uvicorn finishes the requests it holds and stops its workers); its process
    group is killed if it has not ended within 30 s."""
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with suppress(ProcessLookupError):  # the group of the child started above: any worker left behind
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def prepare(session: Session, folder: Path, args: argparse.Namespace) -> tuple[int, dict[str, int], list[Coder], Turns]:
    """The study, its codes, and the coders (accounts, members of the project as coders); returns the
    project, the codes by name, the coders and each transcript's turns."""
    project_id, transcripts = study(session, folder / "study", name="load bench", words=args.words, dyads=args.dyads)
    for name in CODES[1:]:
        session.add(Code(project_id=project_id, name=name))
    session.commit()
    codes = {c.name: c.id for c in session.exec(select(Code).where(Code.project_id == project_id))}
    turns: Turns = defaultdict(list)
    for transcript_id, start, end in session.exec(
        select(Turn.transcript_id, Turn.start, Turn.end).where(col(Turn.transcript_id).in_(transcripts))
    ):
        if end - start >= 2:
            turns[transcript_id].append((start, end))
    coders = []
    for n in range(args.coders):
        name, password = f"load coder {n + 1:02d}", secrets.token_urlsafe(12)
        user = create_account(session, name=name, password=password)
        join(session, project_id=project_id, user=user, role="coder")
        session.commit()
        transcript_id = transcripts[n % len(transcripts)]
        assert user.id is not None
        coders.append(Coder(name, password, user.id, transcript_id, random.Random(args.seed * 1000 + n)))
    return project_id, codes, coders, turns


def server_ms(response: httpx.Response) -> float | None:
    found = DURATION.search(response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else None


def outcome(response: httpx.Response) -> str:
    """ "ok" for what htmx takes as done; otherwise what the person would see."""
    if response.headers.get("hx-redirect", "").startswith("/login"):
        return f"HTTP {response.status_code} → login"
    if 200 <= response.status_code < 300:
        return "ok"
    return f"HTTP {response.status_code}"


async def log_in(http: httpx.AsyncClient, coder: Coder, project_id: int, *, timeout: float) -> str:
    """The login page, the login with its form token, then the reading view's new token (a login rotates
    it, so the one seen before is void)."""
    page = await http.get("/login", timeout=timeout)
    reading = f"/projects/{project_id}/transcripts/{coder.transcript_id}"
    response = await http.post(
        "/login",
        data={"name": coder.name, "password": coder.password, "next": reading, "csrf_token": csrf_token(page)},
        timeout=timeout,
    )
    if response.status_code != 303 or response.headers.get("location") != reading:
        raise RuntimeError(f"login answered {response.status_code} {response.headers.get('location')!r}")
    page = await http.get(reading, timeout=timeout)
    page.raise_for_status()
    return csrf_token(page)


def span(coder: Coder, turns: list[tuple[int, int]], codes: list[int]) -> Key:
    """A selection inside one turn of the coder's transcript, with a code; not one it holds already."""
    used = coder.used()
    while True:
        turn_start, turn_end = coder.rng.choice(turns)
        start = coder.rng.randrange(turn_start, turn_end - 1)
        end = coder.rng.randint(start + 1, min(turn_end, start + MAX_SPAN))
        key = (coder.transcript_id, start, end, coder.rng.choice(codes))
        if key not in used:
            return key


async def create(http: httpx.AsyncClient, coder: Coder, project_id: int, key: Key, headers: dict[str, str]) -> None:
    transcript_id, start, end, code_id = key
    began = time.perf_counter()
    try:
        response = await http.post(
            f"/projects/{project_id}/transcripts/{transcript_id}/codings",
            data={"start": start, "end": end, "code_id": code_id, "coder": "all", "filter": ""},
            headers=headers,
        )
    except httpx.HTTPError as exc:
        coder.requests.append(Request("create", type(exc).__name__, (time.perf_counter() - began) * 1000, None))
        coder.unknown_creates.append(key)
        return
    said = outcome(response)
    coder.requests.append(Request("create", said, (time.perf_counter() - began) * 1000, server_ms(response)))
    if said != "ok":
        coder.refused_creates.append(key)
        return
    label_end = f" — {coder.name}"
    for code, left, right, title, coding_id in STRIPE.findall(response.text):
        if (int(code), int(left), int(right)) == (code_id, start, end) and title.endswith(label_end):
            coder.live[int(coding_id)] = key
            return
    coder.no_id.append(key)


async def delete(http: httpx.AsyncClient, coder: Coder, project_id: int, headers: dict[str, str]) -> None:
    coding_id = coder.rng.choice(list(coder.live))
    key = coder.live.pop(coding_id)
    began = time.perf_counter()
    try:
        response = await http.post(
            f"/projects/{project_id}/codings/{coding_id}/delete", data={"coder": "all"}, headers=headers
        )
    except httpx.HTTPError as exc:
        coder.requests.append(Request("delete", type(exc).__name__, (time.perf_counter() - began) * 1000, None))
        coder.unknown_deletes[coding_id] = key
        return
    said = outcome(response)
    coder.requests.append(Request("delete", said, (time.perf_counter() - began) * 1000, server_ms(response)))
    if said == "ok":
        coder.deleted[coding_id] = key
    else:
        coder.refused_deletes[coding_id] = key
        coder.live[coding_id] = key  # still there, as far as the coder was told


async def work(
    base: str,
    coder: Coder,
    project_id: int,
    codes: list[int],
    turns: list[tuple[int, int]],
    args: argparse.Namespace,
    ready: asyncio.Queue[str | None],
    door: asyncio.Semaphore,
    go: asyncio.Event,
    clock: dict[str, float],
) -> None:
    limits = httpx.Limits(max_connections=1)  # one person, one request at a time, one kept-alive connection
    async with httpx.AsyncClient(base_url=base, timeout=args.timeout, limits=limits) as http:
        try:
            async with door:  # a few at a time: fifty reading views at once would only time out
                token = await log_in(http, coder, project_id, timeout=max(args.timeout, 120))
        except Exception as exc:  # a coder who cannot log in is reported (the run then fails); the others go on
            coder.login_error = f"{type(exc).__name__}: {exc}"
            await ready.put(None)
            return
        await ready.put(coder.name)
        await go.wait()
        headers = HTMX | {"X-CSRF-Token": token}
        while time.perf_counter() < clock["deadline"]:
            if coder.live and coder.rng.random() < args.delete_share:
                await delete(http, coder, project_id, headers)
            else:
                await create(http, coder, project_id, span(coder, turns, codes), headers)


async def run(
    base: str, project_id: int, codes: list[int], coders: list[Coder], turns: Turns, args: argparse.Namespace
) -> dict[str, float]:
    """Every coder logs in; then all start together and work until the deadline. Returns the timings."""
    ready: asyncio.Queue[str | None] = asyncio.Queue()
    go = asyncio.Event()
    door = asyncio.Semaphore(args.login_concurrency)
    clock: dict[str, float] = {}
    began_login = time.perf_counter()
    tasks = [
        asyncio.create_task(work(base, c, project_id, codes, turns[c.transcript_id], args, ready, door, go, clock))
        for c in coders
    ]
    for _ in coders:
        await ready.get()
    clock["login"] = time.perf_counter() - began_login
    clock["start"] = time.perf_counter()
    clock["deadline"] = clock["start"] + args.seconds
    go.set()
    await asyncio.gather(*tasks)
    clock["end"] = time.perf_counter()
    return clock


@dataclass
class Check:
    expected: int = 0  # acknowledged, not deleted (nor deleted without an answer): must be stored
    stored: int = 0  # of those, stored as acknowledged
    lost: list[str] = field(default_factory=list)
    resurrected: list[str] = field(default_factory=list)  # acknowledged deletes still stored
    refused_but_stored: list[str] = field(default_factory=list)  # a create answered with an error, stored
    refused_but_gone: list[str] = field(default_factory=list)  # a delete answered with an error, yet gone
    unexpected: list[str] = field(default_factory=list)  # stored, no request accounts for it
    unaudited: list[str] = field(default_factory=list)
    unknown_creates: Counter[str] = field(default_factory=Counter)  # "stored" / "not stored"
    unknown_deletes: Counter[str] = field(default_factory=Counter)  # "gone" / "still stored"

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.resurrected
            or self.refused_but_stored
            or self.refused_but_gone
            or self.unexpected
            or self.unaudited
        )


def check(session: Session, project_id: int, coders: list[Coder]) -> Check:
    """The database against what each coder was told (see the module's docstring)."""
    by_user = {c.user_id: c for c in coders}
    rows: dict[int, tuple[int, Key]] = {
        coding_id: (coder_id, (transcript_id, start, end, code_id))
        for coding_id, coder_id, transcript_id, start, end, code_id in session.exec(
            select(Coding.id, Coding.coder_id, Coding.transcript_id, Coding.start, Coding.end, Coding.code_id).where(
                Coding.project_id == project_id, col(Coding.coder_id).in_(by_user)
            )
        )
    }
    events: dict[str, set[int]] = defaultdict(set)
    for action, entity_id in session.exec(
        select(AuditEvent.action, AuditEvent.entity_id).where(
            AuditEvent.project_id == project_id,
            AuditEvent.entity == "coding",
            col(AuditEvent.action).in_(["coding.create", "coding.delete"]),
        )
    ):
        if entity_id is not None:
            events[action].add(entity_id)
    result = Check()
    accounted: set[int] = set()
    for coder in coders:
        mine = {coding_id: key for coding_id, (user_id, key) in rows.items() if user_id == coder.user_id}
        by_key: dict[Key, list[int]] = defaultdict(list)
        for coding_id, key in mine.items():
            by_key[key].append(coding_id)
        expected = dict(coder.live)  # refused deletes are back in ``live``
        result.expected += len(expected) + len(coder.no_id)
        for coding_id, key in expected.items():
            if mine.get(coding_id) == key:
                result.stored += 1
                accounted.add(coding_id)
            else:
                result.lost.append(f"{coder.name}: coding {coding_id} {key} (stored as {mine.get(coding_id)})")
        for key in coder.no_id:  # acknowledged without its id in the answer: found by what it is
            free = [i for i in by_key[key] if i not in accounted]
            if free:
                result.stored += 1
                accounted.add(free[0])
            else:
                result.lost.append(f"{coder.name}: coding {key} (acknowledged; its id was not in the answer)")
        for coding_id, key in coder.deleted.items():
            if coding_id in mine:
                result.resurrected.append(f"{coder.name}: coding {coding_id} {key}")
                accounted.add(coding_id)
            if coding_id not in events["coding.delete"]:
                result.unaudited.append(f"{coder.name}: delete of coding {coding_id} has no audit event")
        for coding_id, key in coder.refused_deletes.items():
            if coding_id not in mine:
                result.refused_but_gone.append(f"{coder.name}: coding {coding_id} {key}")
        for coding_id in coder.unknown_deletes:
            result.unknown_deletes["still stored" if coding_id in mine else "gone"] += 1
            accounted.add(coding_id)
        for key in coder.unknown_creates:
            free = [i for i in by_key[key] if i not in accounted]
            result.unknown_creates["stored" if free else "not stored"] += 1
            accounted.update(free[:1])
        for key in coder.refused_creates:
            free = [i for i in by_key[key] if i not in accounted]
            if free:
                result.refused_but_stored.append(f"{coder.name}: coding {free[0]} {key}")
                accounted.add(free[0])
    for coding_id, (user_id, key) in rows.items():
        if coding_id not in accounted:
            result.unexpected.append(f"{by_user[user_id].name}: coding {coding_id} {key}")
        if coding_id not in events["coding.create"]:
            result.unaudited.append(f"coding {coding_id} has no coding.create audit event")
    return result


def spread(values: list[float]) -> str:
    if not values:
        return "(none)"
    return (
        f"p50 {statistics.median(values):.1f} ms  p95 {percentile(values, 0.95):.1f} ms  "
        f"p99 {percentile(values, 0.99):.1f} ms  max {max(values):.1f} ms"
    )


def report(
    coders: list[Coder],
    clock: dict[str, float],
    result: Check,
    args: argparse.Namespace,
    url: str,
    log: str,
    load: tuple[float, float, float],
) -> None:
    requests = [r for c in coders for r in c.requests]
    seconds = clock["end"] - clock["start"]
    outcomes = Counter(r.outcome for r in requests)
    kinds = Counter(r.kind for r in requests)
    ok = [r for r in requests if r.outcome == "ok"]
    server = [r.server_ms for r in requests if r.server_ms is not None]
    print(
        f"team mode, {args.workers} workers, PostgreSQL ({url.rsplit('/', 1)[-1]}); {args.coders} coders on "
        f"{len({c.transcript_id for c in coders})} transcripts of ~{args.words:,} words, {len(CODES)} codes; "
        f"{args.seconds} s, no pause between requests, delete share {args.delete_share:.0%}"
    )
    print(
        f"load average: before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}; "
        f"logins: {sum(c.login_error is None for c in coders)} of {len(coders)} in {clock['login']:.1f} s"
    )
    for c in coders:
        if c.login_error:
            print(f"  login failed: {c.name}: {c.login_error}")
    print(
        f"requests: {len(requests):,} ({kinds['create']:,} creates, {kinds['delete']:,} deletes) in {seconds:.1f} s "
        f"= {len(requests) / seconds:.1f} requests/s; acknowledged {len(ok):,} = {len(ok) / seconds:.1f}/s"
    )
    errors = {k: v for k, v in outcomes.items() if k != "ok"}
    print(f"errors: {sum(errors.values())}" + (f" {dict(sorted(errors.items()))}" if errors else ""))
    unanswered = [r for r in requests if r.server_ms is None]
    if unanswered:
        print(
            "  without an answer: "
            + ", ".join(
                f"{r.kind} {r.outcome} at +{r.done - clock['start']:.1f} s after {r.client_ms:.0f} ms"
                for r in unanswered[:10]
            )
        )
    print(f"latency (client), all:     {spread([r.client_ms for r in requests])}")
    for kind in ("create", "delete"):
        print(f"latency (client), {kind}s: {spread([r.client_ms for r in requests if r.kind == kind])}")
    print(f"server time (Server-Timing): {spread(server)}")
    windows: dict[int, list[float]] = defaultdict(list)
    for r in requests:
        last = max(0, math.ceil(args.seconds / 10) - 1)  # answers after the deadline count in the last window
        windows[min(int((r.done - clock["start"]) // 10), last)].append(r.client_ms)
    print(
        "per 10 s (requests/s, client p50): "
        + ", ".join(
            f"{len(v) / min(10, args.seconds - 10 * i):.0f} {statistics.median(v):.0f} ms"
            for i, v in sorted(windows.items())
        )
    )
    raised = tracebacks(log)
    print(f"server log: {sum(raised.values())} tracebacks" + "".join(f"\n  {n} × {e}" for e, n in raised.items()))
    restarted = log.count("] died")
    if restarted:
        print(
            f"server log: uvicorn's supervisor killed and replaced a worker {restarted} times (no answer to its "
            f"health check within 5 s); {log.count('Started server process')} workers started serving"
        )
    no_id = sum(len(c.no_id) for c in coders)
    print(
        f"check: {result.expected:,} codings acknowledged and not deleted, {result.stored:,} stored as acknowledged"
        + (f" ({no_id} found by span: their id was not in the answer)" if no_id else "")
        + f"; {sum(len(c.deleted) for c in coders):,} acknowledged deletes"
    )
    for label, found in (
        ("lost (acknowledged, not stored)", result.lost),
        ("deleted but still stored", result.resurrected),
        ("refused create, stored anyway", result.refused_but_stored),
        ("refused delete, gone anyway", result.refused_but_gone),
        ("stored, never acknowledged", result.unexpected),
        ("without audit event", result.unaudited),
    ):
        print(f"  {label}: {len(found)}" + "".join(f"\n    {line}" for line in found[:10]))
    if result.unknown_creates or result.unknown_deletes:
        print(
            f"  without an answer (either outcome is correct): creates {dict(result.unknown_creates)}, "
            f"deletes {dict(result.unknown_deletes)}"
        )
    print(f"check: {'FAILED' if result.failed else 'passed'}")


def tracebacks(log: str) -> Counter[str]:
    """The exceptions the server's log shows, by their last line (the exception and its message)."""
    found: Counter[str] = Counter()
    for block in log.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.splitlines() if line and not line.startswith((" ", "\t"))]
        found[lines[0][:200] if lines else "(unreadable)"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--coders", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--delete-share", type=float, default=0.3, help="share of requests that delete a coding")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a coder waits for an answer")
    parser.add_argument("--dyads", type=int, default=2, help="dyads in the study (the second a triad)")
    parser.add_argument("--words", type=int, default=10_000, help="words per interview")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--login-concurrency", type=int, default=5, help="coders logging in at once (not timed)")
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's output in this file")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("team mode needs PostgreSQL: give a server's URL")

    with (
        tempfile.TemporaryDirectory(prefix="dyadic-load-") as tmp,
        throwaway_postgres(args.database_url, prefix="dyadic_load") as url,
    ):
        folder = Path(tmp)
        migrate(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                project_id, codes, coders, turns = prepare(session, folder, args)
            log = folder / "server.log"
            load = os.getloadavg()
            with served(url, folder, log, args.workers) as (base, _):
                clock = asyncio.run(run(base, project_id, sorted(codes.values()), coders, turns, args))
            # The server has stopped: every request it took is finished, answered or not.
            with Session(engine) as session:
                result = check(session, project_id, coders)
        finally:
            engine.dispose()
        output = log.read_text()
        report(coders, clock, result, args, url, output, load)
        if args.server_log:
            args.server_log.write_text(output)
    logged_out = any(c.login_error for c in coders)
    if result.failed or logged_out or not any(r.outcome == "ok" for c in coders for r in c.requests):
        sys.exit(1)


if __name__ == "__main__":
    main()
