"""Search benchmark: lemma-aware search over a generated study of ≥ 2 million words, against plain scans.

A study is generated (the demo generator scaled up) and imported into a fresh SQLite file (or into the
PostgreSQL database given by ``--database-url``). Then, for ~20 single- and two-word queries, warm, each
repeated ``--repeat`` times with the phases alternating, it times (wall clock, ``time.perf_counter``):

- ``search(...)`` ("all hits") — every hit located word by word with its context (what ``dyadic search`` prints);
- ``search(..., limit=PAGE)`` as the web page runs it (``search_results``): the first page of hits (50,
  ``app/routes/coding/search.py``) with the counts of all;
- a plain **speech scan**: a Python loop over every participant turn's speech (held in memory, loading not
  timed) with one compiled case-insensitive regex per query word, ``\\b(?:form|form|…)\\b`` of every
  surface form in the study whose lemma is the query word's (so it finds what search finds; with two
  words both must occur in the turn);
- a plain **lemma scan**: a Python loop over every participant sentence's stored lemma string (in memory)
  with one compiled regex per query lemma, both required in the sentence — search's own semantics.

It prints median and p95 latencies and the ratios, and checks that search and the lemma scan count the
same hits. Because the machines are shared, it also prints CPU time per phase: the process's own, plus on
PostgreSQL the CPU time of the server process serving the session (read from ``/proc``, so only for a
server on the same Linux machine), and the ratios of those medians.

    python bench/search.py [--dyads 60] [--words 8500] [--repeat 7] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

QUERIES = [
    "trust", "silence", "mother", "felt heard", "advice", "stop", "quiet", "repair", "interpreter", "cry",
    "angry", "safe", "listen", "understood", "homework", "ashamed", "laugh", "rupture", "relief",
    "went quiet", "pause", "tears",
]  # fmt: skip


def import_study(folder: Path, url: str) -> tuple[int, int, float]:
    """Import the study into a new project; returns the project id, its words and the seconds it took."""
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from transcripts.ingest import import_manifest
    from transcripts.projects import create_project, ensure_user

    migrate(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        user = ensure_user(session, name="bench")
        project = create_project(session, name=f"search bench {time.time_ns()}", user=user)
        started = time.perf_counter()
        report = import_manifest(session, project=project, manifest=folder / "manifest.csv", user=user, max_bytes=10**9)
        seconds = time.perf_counter() - started
    engine.dispose()
    return project.id, sum(f.words for f in report.imported), seconds  # type: ignore[return-value]


def corpus(url: str, project_id: int) -> tuple[list[str], list[str]]:
    """Every participant turn's speech and every participant sentence's stored lemmas, in memory."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        texts = dict(
            connection.execute(text("SELECT id, text FROM transcript WHERE project_id = :p"), {"p": project_id}).all()
        )
        turns = connection.execute(
            text(
                'SELECT turn.transcript_id, turn.start, turn."end" FROM turn '
                "JOIN transcript t ON t.id = turn.transcript_id "
                "WHERE t.project_id = :p AND turn.role <> 'interviewer' ORDER BY turn.id"
            ),
            {"p": project_id},
        ).all()
        lemmas = list(
            connection.execute(
                text(
                    "SELECT s.lemmas FROM sentence s JOIN turn ON turn.id = s.turn_id "
                    "JOIN transcript t ON t.id = s.transcript_id "
                    "WHERE t.project_id = :p AND turn.role <> 'interviewer' ORDER BY s.id"
                ),
                {"p": project_id},
            ).scalars()
        )
    engine.dispose()
    return [texts[transcript_id][start:end] for transcript_id, start, end in turns], lemmas


def surface_forms(speech: list[str]) -> dict[str, set[str]]:
    """Lemma → the lower-cased written forms in the study that have it (a single word each)."""
    from transcripts.nlp import lemmatise

    forms: dict[str, set[str]] = {}
    for form in {w.lower() for turn in speech for w in re.findall(r"\w+", turn)}:
        lemmas = lemmatise(form)
        if len(lemmas) == 1:
            forms.setdefault(lemmas[0], set()).add(form)
    return forms


def speech_scanner(query: str, forms: dict[str, set[str]], speech: list[str]) -> Callable[[], int]:
    from transcripts.nlp import lemmatise

    patterns = []
    for lemma in dict.fromkeys(lemmatise(query)):
        alternatives = "|".join(sorted((re.escape(f) for f in forms.get(lemma, {lemma}) | {lemma}), key=len)[::-1])
        patterns.append(re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE))

    first, *others = patterns

    def scan() -> int:
        # As lean as a plain loop gets: a turn without every word is left at the first miss.
        hits: list[tuple[int, int, int]] = []
        append = hits.append
        for index, turn in enumerate(speech):
            if first.search(turn) and all(pattern.search(turn) for pattern in others):
                for pattern in patterns:
                    for match in pattern.finditer(turn):
                        append((index, match.start(), match.end()))
        return len(hits)

    return scan


def lemma_scanner(query: str, lemmas: list[str]) -> Callable[[], int]:
    from transcripts.nlp import lemmatise

    patterns = [re.compile(rf"(?<!\S){re.escape(lemma)}(?!\S)") for lemma in dict.fromkeys(lemmatise(query))]

    first, *others = patterns

    def scan() -> int:
        hits = 0
        for sentence in lemmas:
            if first.search(sentence) and all(pattern.search(sentence) for pattern in others):
                hits += sum(len(pattern.findall(sentence)) for pattern in patterns)
        return hits

    return scan


def timed(function: Callable[[], Any], server: Callable[[], float]) -> tuple[float, float]:
    """Wall-clock seconds of a call, and its CPU seconds: this thread's and the database server's."""
    started, cpu, served = time.perf_counter(), time.thread_time(), server()
    function()
    return time.perf_counter() - started, time.thread_time() - cpu + server() - served


def server_cpu(session: Any) -> Callable[[], float]:
    """The CPU seconds so far of the PostgreSQL process serving the session (0 for SQLite, or when the
    server is not on this machine)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return lambda: 0.0
    stat = Path(f"/proc/{session.connection().execute(text('SELECT pg_backend_pid()')).scalar()}/schedstat")
    if not stat.exists():
        return lambda: 0.0
    return lambda: int(stat.read_text().split()[0]) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=60, help="60 dyads of 8,500-word interviews: 2.1 M words")
    parser.add_argument("--words", type=int, default=8500, help="words per interview")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each query and phase, alternating")
    args = parser.parse_args()

    from sqlmodel import Session

    from app.db import make_engine
    from app.demo_study import write_study
    from app.routes.coding.search import PAGE
    from coding.search import search, search_results

    with tempfile.TemporaryDirectory(prefix="dyadic-bench-") as tmp:
        folder = Path(tmp) / "study"
        write_study(folder, dyads=args.dyads, words_per_interview=args.words, formats=False)
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        project_id, words, seconds = import_study(folder, url)
        engine_name = url.split(":", 1)[0].split("+")[0]
        print(f"study: {words:,} words imported into {engine_name} in {seconds:.1f} s")
        if engine_name == "postgresql":  # what autovacuum does within a minute of a bulk import
            from sqlalchemy import create_engine, text

            analyse = create_engine(url, isolation_level="AUTOCOMMIT")
            with analyse.connect() as connection:
                connection.execute(text("ANALYZE"))
            analyse.dispose()
        speech, lemmas = corpus(url, project_id)
        forms = surface_forms(speech)
        print(f"plain scans over {len(speech):,} participant turns / {len(lemmas):,} sentences held in memory")

        engine = make_engine(url)
        phases = ("all hits", f"page of {PAGE}", "speech scan", "lemma scan")
        times: dict[str, list[float]] = {phase: [] for phase in phases}
        cpu: dict[str, list[float]] = {phase: [] for phase in phases}
        rows = []
        with Session(engine, expire_on_commit=False) as session:
            served = server_cpu(session)
            for query in QUERIES:
                run: dict[str, Callable[[], Any]] = {
                    "all hits": lambda q=query: len(search(session, project_id=project_id, query=q)),
                    f"page of {PAGE}": lambda q=query: (
                        search_results(session, project_id=project_id, query=q, limit=PAGE).total
                    ),
                    "speech scan": speech_scanner(query, forms, speech),
                    "lemma scan": lemma_scanner(query, lemmas),
                }
                counts = {phase: function() for phase, function in run.items()}  # warm-up, and the counts
                mine: dict[str, list[float]] = {phase: [] for phase in phases}
                gc.collect()
                for _ in range(args.repeat):
                    for phase, function in run.items():
                        wall, used = timed(function, served)
                        mine[phase].append(wall)
                        cpu[phase].append(used)
                for phase in phases:
                    times[phase] += mine[phase]
                rows.append((query, counts, {phase: statistics.median(mine[phase]) for phase in phases}))
                if counts["all hits"] != counts["lemma scan"] or counts[f"page of {PAGE}"] != counts["all hits"]:
                    print(f"!! {query!r}: search counts {counts['all hits']}, lemma scan {counts['lemma scan']}")
        engine.dispose()

    print(
        f"\n{'query':<13} {'hits':>6} {'scan hits':>9}   " + "  ".join(f"{p:>12}" for p in phases) + "   (ms, median)"
    )
    for query, counts, medians in rows:
        cells = "  ".join(f"{medians[p] * 1000:12.1f}" for p in phases)
        print(f"{query:<13} {counts['all hits']:>6} {counts['speech scan']:>9}   {cells}")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nall queries × {args.repeat} runs, database: {engine_name}, {words:,} words, load average {load}")
    summary = {}
    for phase in phases:
        median, p95 = statistics.median(times[phase]), percentile(times[phase], 0.95)
        summary[phase] = {"median_ms": median * 1000, "p95_ms": p95 * 1000}
        print(f"{phase:<13} median {median * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms")
    for phase in phases[:2]:
        for scan in ("speech scan", "lemma scan"):
            ratio = statistics.median(times[scan]) / statistics.median(times[phase])
            print(f"{scan} / {phase}: {ratio:5.1f}× (medians; target ≥ 20×)")
    print("\nCPU time (this process, and the database server's on PostgreSQL), medians:")
    for phase in phases:
        summary[phase]["cpu_median_ms"] = statistics.median(cpu[phase]) * 1000
        print(f"{phase:<13} {statistics.median(cpu[phase]) * 1000:8.1f} ms")
    for phase in phases[:2]:
        ratio = statistics.median(cpu["speech scan"]) / statistics.median(cpu[phase])
        print(f"speech scan / {phase}, CPU: {ratio:5.1f}×")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    result = {
        "words": words,
        "engine": engine_name,
        "repeat": args.repeat,
        "load_average": os.getloadavg(),
        "summary": summary,
        "queries": [{"query": q, "counts": c, "median_s": m} for q, c, m in rows],
    }
    (out / f"search-{engine_name}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
