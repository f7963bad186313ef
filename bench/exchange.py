"""Exchange benchmark: export and re-import of a project with 500 transcripts and 200,000 codings.

The study: the demo generator's interviews (125 dyads, sessions 3 and 5, about 2,000 words each, Dresing &
Pehl plain text) imported by the transcript importer, which stores turns and sentences in bulk; then, written
straight into the tables with bulk inserts (``bench.frequency.bulk``: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL), 100 codes nested two deep (20 codes with 4 subcodes each), 200,000 codings by 3 coders over
sentence spans (a third of the passages coded by two or three coders), memos on transcripts and dyads and
on one coding in fifty, and 8 themes of 5 member codes.

Timed, alternating, ``--repeat`` times each, every phase in a child process of its own (``python
bench/exchange.py --child …``) so that its peak memory is its own:

- **export**: ``export_project`` to a .qdpx file, as ``dyadic export qdpx`` runs it;
- **import**: ``import_project`` of that file into a new project of the same database, as ``dyadic import
  qdpx`` runs it (its codings' GUIDs are taken already, so every coding gets a new one).

Seconds are the phase's own (``time.perf_counter`` in the child, start-up and imports not counted); "child"
is the child's whole wall clock. Peak memory is the child's maximum resident set size, from ``os.wait4``
(``ru_maxrss``, KiB on Linux). After each import the new project's transcripts, codings, codes and themes are
counted and must equal the original's.

    python bench/exchange.py [--dyads 125] [--codings 200000] [--repeat 3] [--schema-dir DIR]
                             [--database-url postgresql+psycopg://…/postgres] [--profile export|import]

With a PostgreSQL URL the script creates a throwaway database on that server and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database  # noqa: E402
from bench.frequency import bulk  # noqa: E402

CODE_COLUMNS = ["id", "project_id", "parent_id", "name", "definition", "inclusion", "exclusion", "example",
                "colour", "position", "guid", "created_at", "updated_at"]  # fmt: skip
THEME_COLUMNS = ["id", "project_id", "parent_id", "name", "central_concept", "definition", "scope", "status",
                 "position", "memo", "guid", "version", "created_at", "updated_at"]  # fmt: skip
CODING_COLUMNS = ["project_id", "transcript_id", "code_id", "coder_id", "start", "end", "text", "memo", "guid",
                  "created_at", "updated_at"]  # fmt: skip
MEMO_COLUMNS = ["project_id", "author_id", "kind", "transcript_id", "dyad_id", "body", "created_at", "updated_at"]
SOURCE = "exchange bench"


def generate(url: str, folder: Path, *, dyads: int, codings: int, seed: int = 11) -> dict[str, int]:
    """Write the study into project ``SOURCE``; returns its counts."""
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.demo_study import write_study
    from transcripts.ingest import import_manifest
    from transcripts.projects import create_project, ensure_user

    rng = random.Random(seed)
    migrate(url)
    engine = make_engine(url)
    postgres = not url.startswith("sqlite")
    now = datetime.now(UTC)
    manifest = write_study(folder / "study", dyads=dyads, sessions=(3, 5), words_per_interview=2000, formats=False)
    with Session(engine, expire_on_commit=False) as session:
        users = [ensure_user(session, name=f"coder {i}") for i in range(3)]
        project = create_project(session, name=SOURCE, user=users[0])
        import_manifest(session, project=project, manifest=manifest, user=users[0], max_bytes=10**9)
        session.commit()
        pid, coder_ids = project.id or 0, [u.id for u in users]
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection

        def query(sql: str, *params: Any) -> list[Any]:
            cursor = connection.cursor()
            cursor.execute(sql.replace("?", "%s") if postgres else sql, params)
            rows = cursor.fetchall()
            cursor.close()
            return list(rows)

        transcripts = dict(query("SELECT id, text FROM transcript WHERE project_id = ?", pid))
        spans: dict[int, list[tuple[int, int]]] = {t: [] for t in transcripts}
        for transcript, start, end in query(
            'SELECT s.transcript_id, s.start, s."end" FROM sentence s JOIN turn ON turn.id = s.turn_id '
            "JOIN transcript t ON t.id = s.transcript_id WHERE t.project_id = ? AND turn.role != 'interviewer' "
            "ORDER BY s.transcript_id, s.start",
            pid,
        ):
            spans[transcript].append((start, end))
        dyad_ids = [row[0] for row in query("SELECT id FROM dyad WHERE project_id = ?", pid)]
        c0 = query("SELECT COALESCE(MAX(id), 0) + 1 FROM code")[0][0]
        th0 = query("SELECT COALESCE(MAX(id), 0) + 1 FROM theme")[0][0]
        codes = []
        for i in range(20):
            parent = c0 + 5 * i
            codes.append((parent, pid, None, f"code {i + 1}", f"definition of code {i + 1}", "", "", "", "#4c78a8",
                          i, str(uuid.uuid4()), now, now))  # fmt: skip
            codes += [(parent + k, pid, parent, f"code {i + 1}.{k}", "", "", "", "", "#f58518", k - 1,
                       str(uuid.uuid4()), now, now) for k in range(1, 5)]  # fmt: skip
        bulk(connection, postgres, "code", CODE_COLUMNS, codes)
        code_ids = [row[0] for row in codes]
        themes = [(th0 + i, pid, None, f"theme {i + 1}", "a central concept", "", "", "candidate", i,
                   f"memo of theme {i + 1}", str(uuid.uuid4()), 1, now, now) for i in range(8)]  # fmt: skip
        bulk(connection, postgres, "theme", THEME_COLUMNS, themes)
        members = [(th0 + i, code_ids[(7 * i + 3 * k) % len(code_ids)], now) for i in range(8) for k in range(5)]
        bulk(connection, postgres, "themecode", ["theme_id", "code_id", "added_at"], members)
        memos = [(pid, coder_ids[i % 3], "familiarisation", t, None, f"familiarisation memo {i}: " + "noticed " * 40,
                  now, now) for i, t in enumerate(list(transcripts)[::5])]  # fmt: skip
        memos += [(pid, coder_ids[i % 3], "dyad", None, d, f"dyad memo {i}: " + "pattern " * 30, now, now)
                  for i, d in enumerate(dyad_ids[::4])]  # fmt: skip
        bulk(connection, postgres, "memo", MEMO_COLUMNS, memos)
        connection.commit()
        seen: set[tuple[Any, ...]] = set()
        batch: list[tuple[Any, ...]] = []
        ids = list(transcripts)
        while len(seen) < codings:
            transcript = rng.choice(ids)
            sentences = spans[transcript]
            first = rng.randrange(len(sentences))
            last = min(len(sentences) - 1, first + rng.choice((0, 0, 0, 1, 2)))
            start, end = sentences[first][0], sentences[last][1]
            code = rng.choice(code_ids)
            coders = rng.sample(coder_ids, rng.choice((1, 1, 1, 1, 2, 3)))
            for coder in coders:
                key = (transcript, code, coder, start, end)
                if key in seen or len(seen) >= codings:
                    continue
                seen.add(key)
                memo = f"why: {rng.random():.6f}" if rng.random() < 0.02 else ""
                text = transcripts[transcript][start:end]
                batch.append((pid, transcript, code, coder, start, end, text, memo, str(uuid.uuid4()), now, now))
            if len(batch) >= 50_000:
                bulk(connection, postgres, "coding", CODING_COLUMNS, batch)
                batch = []
        bulk(connection, postgres, "coding", CODING_COLUMNS, batch)
        connection.commit()
        if postgres:  # sequences do not know about ids written by hand
            for table in ("code", "theme"):
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        raw.close()
    engine.dispose()
    return counts(url, SOURCE)


def counts(url: str, name: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT id FROM project WHERE name = :n"), {"n": name}).scalar_one()
        for table in ("transcript", "coding", "code", "theme", "dyad", "participant"):
            out[table] = connection.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE project_id = :p"), {"p": pid}
            ).scalar_one()
        out["words"] = connection.execute(
            text("SELECT SUM(word_count) FROM transcript WHERE project_id = :p"), {"p": pid}
        ).scalar_one()
        out["turn"] = connection.execute(
            text("SELECT COUNT(*) FROM turn JOIN transcript t ON t.id = turn.transcript_id WHERE t.project_id = :p"),
            {"p": pid},
        ).scalar_one()
    engine.dispose()
    return out


def child(phase: str, url: str, name: str, path: str, schema_dir: str, profile: str) -> None:
    """One phase, in this (child) process; prints its seconds as JSON."""
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.exchange.archive import Limits
    from app.exchange.qdpx_export import export_project
    from app.exchange.qdpx_import import Options, import_project
    from app.settings import Settings
    from transcripts.projects import ensure_user, project_by_name

    settings = Settings()
    schema = Path(schema_dir) if schema_dir else None
    migrate(url)
    with Session(make_engine(url), expire_on_commit=False) as session:

        def run() -> dict[str, Any]:
            if phase == "export":
                project = project_by_name(session, name)
                assert project is not None
                report: Any = export_project(session, project=project, path=Path(path), schema_dir=schema)
            else:
                options = Options(
                    Limits(settings.max_archive_bytes, settings.max_archive_files),
                    schema_dir=schema,
                    model=settings.spacy_model,
                )
                user = ensure_user(session, name=settings.local_user)
                report = import_project(session, path=Path(path), project_name=name, user=user, options=options)
            return dict(report.counts)

        started = time.perf_counter()
        if profile == phase:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            made = profiler.runcall(run)
            seconds = time.perf_counter() - started
            for order in ("cumulative", "tottime"):  # where the time goes, then what spends it
                pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(40)
        else:
            made = run()
            seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "counts": made}))


def in_child(*args: str) -> dict[str, Any]:
    """Run a phase in a child process; its result, wall clock and peak memory (``ru_maxrss`` from ``wait4``)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {args[0]} child failed ({process.returncode})")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dyads", type=int, default=125)
    parser.add_argument("--codings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each phase, alternating")
    parser.add_argument("--schema-dir", default=None, help="REFI-QDA schemas: export and import check against them")
    parser.add_argument("--profile", choices=("export", "import"), default="", help="cProfile the first run")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file; PostgreSQL: throwaway")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    schema = args.schema_dir or ""
    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp), name="exchange") as url:
        started = time.perf_counter()
        source = generate(url, Path(tmp), dyads=args.dyads, codings=args.codings)
        print(f"generated in {time.perf_counter() - started:.1f} s ({url.split(':')[0]}): {source}")
        times: dict[str, list[dict[str, Any]]] = {"export": [], "import": []}
        archive = Path(tmp) / "project.qdpx"
        for run in range(args.repeat):
            profile = args.profile if run == 0 else ""
            times["export"].append(in_child("export", url, SOURCE, str(archive), schema, profile))
            size = archive.stat().st_size
            name = f"{SOURCE} re-imported {run + 1}"
            times["import"].append(in_child("import", url, name, str(archive), schema, profile))
            got = counts(url, name)
            same = {k: got[k] == source[k] for k in ("transcript", "coding", "code", "theme", "dyad", "participant")}
            print(
                f"run {run + 1}: export {times['export'][-1]['seconds']:.2f} s, import "
                f"{times['import'][-1]['seconds']:.2f} s; round trip {got} "
                f"{'equal' if all(same.values()) else 'DIFFERS: ' + str(same)}"
            )
            assert all(same.values()), (source, got)
    print(f"\narchive: {size / 2**20:.1f} MiB ({size:,} bytes); schema check: {schema or 'off'}")
    print(f"study: {source['transcript']} transcripts, {source['words']:,} words, {source['turn']:,} turns, "
          f"{source['coding']:,} codings, {source['code']} codes, {source['theme']} themes")  # fmt: skip
    print("\n| phase | seconds | runs | child wall clock | peak memory (child ru_maxrss) |\n|---|---:|---|---:|---:|")
    for phase, results in times.items():
        seconds = [r["seconds"] for r in results]
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        wall = statistics.median(r["wall"] for r in results)
        peak = statistics.median(r["peak_mb"] for r in results)
        print(f"| {phase} | {statistics.median(seconds):.2f} s | {runs} | {wall:.2f} s | {peak:.0f} MB |")
    print("(targets: each under 30 s and 1 GB)")


if __name__ == "__main__":
    main()
