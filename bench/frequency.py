"""Frequency-table benchmark: 200 dyads, 60 themes (20 of them subthemes), 1 million codings.

The study is written straight into the tables with bulk inserts (``executemany`` on SQLite, ``COPY`` on
PostgreSQL): dyads (every fifth a triad), participants, interviews about sessions 3 and 5 with short texts,
300 codes, 60 themes of five codes each (every fourth theme shares a code with the next, so codes sit in
several themes), and codings spread over all interviews — about one in ten passages coded a second time by
another coder, so that counting distinct passages matters. Then ``ANALYZE``, as autovacuum or a busy
SQLite file would have it.

Timed, warm, alternating, ``--repeat`` times each (wall clock, ``time.perf_counter``):

- ``frequency_table(...)`` as ``dyadic themes table --cells count`` runs it (distinct passages, subthemes
  rolled up, roles and dyads, every cell built);
- **pre-aggregated GROUP BY**, the hand-written baseline of the issue: codings grouped by code and
  transcript first, then joined to theme members, transcripts and participants and summed per
  (theme, dyad, role) — no distinct passages, no subtheme roll-up, no Python;
- **naive join**, for context: codings joined to theme members, transcripts and participants, grouped by
  (theme, dyad, role) in one step;
- on PostgreSQL also the pre-aggregated query with JIT off, as ``frequency_table`` runs its own.

Before timing, the table is checked against a count made in Python from every coding.

    python bench/frequency.py [--dyads 200] [--themes 60] [--codings 1000000] [--repeat 7]
                              [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRE_AGGREGATED = """
SELECT tc.theme_id, p.dyad_id, p.role, SUM(agg.n)
FROM (
    SELECT code_id, transcript_id, COUNT(*) AS n FROM coding WHERE project_id = :p GROUP BY code_id, transcript_id
) AS agg
JOIN themecode tc ON tc.code_id = agg.code_id
JOIN transcript t ON t.id = agg.transcript_id
JOIN participant p ON p.id = t.participant_id
GROUP BY tc.theme_id, p.dyad_id, p.role
"""
NAIVE = """
SELECT tc.theme_id, p.dyad_id, p.role, COUNT(*)
FROM coding c
JOIN themecode tc ON tc.code_id = c.code_id
JOIN transcript t ON t.id = c.transcript_id
JOIN participant p ON p.id = t.participant_id
WHERE c.project_id = :p
GROUP BY tc.theme_id, p.dyad_id, p.role
"""


def bulk(connection: Any, postgres: bool, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    if postgres:
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def generate(url: str, *, dyads: int, themes: int, codings: int, seed: int = 7) -> int:
    """Write the study; returns the project id."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from transcripts.projects import create_project, ensure_user

    rng = random.Random(seed)
    migrate(url)
    engine = make_engine(url)
    postgres = not url.startswith("sqlite")
    now = datetime.now(UTC)
    with Session(engine) as session:
        users = [ensure_user(session, name=f"coder {i}") for i in range(3)]
        project = create_project(session, name=f"frequency bench {time.time_ns()}", user=users[0])
        pid, coder_ids = project.id or 0, [u.id for u in users]
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection

        def next_id(table: str) -> int:
            cursor = connection.cursor()
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            value = int(cursor.fetchone()[0])
            cursor.close()
            return value

        d0, p0, t0, c0, th0 = (next_id(t) for t in ("dyad", "participant", "transcript", "code", "theme"))
        groups = ["good outcome", "troubled"]
        bulk(
            connection,
            postgres,
            "dyad",
            ["id", "project_id", "label", "group", "attributes", "created_at"],
            [(d0 + i, pid, f"Dyad {i + 1}", groups[i % 2], "{}", now) for i in range(dyads)],
        )
        participants = []
        for i in range(dyads):
            roles = ["client", "therapist"] + (["interpreter"] if i % 5 == 0 else [])
            participants += [(d0 + i, role, f"{role[0].upper()}{i + 1}") for role in roles]
        bulk(
            connection,
            postgres,
            "participant",
            ["id", "project_id", "dyad_id", "pseudonym", "role", "attributes"],
            [(p0 + j, pid, dyad, pseudonym, role, "{}") for j, (dyad, role, pseudonym) in enumerate(participants)],
        )
        transcript_rows = []
        for j in range(len(participants)):
            for session_number in (3, 5):
                k = len(transcript_rows)
                transcript_rows.append(
                    (
                        t0 + k,
                        pid,
                        p0 + j,
                        session_number,
                        f"t{k}",
                        f"t{k}.txt",
                        "txt",
                        "utf-8",
                        "generated " * 400,
                        f"{pid:08d}{k:056d}",
                        0,
                        0,
                        "[]",
                        now,
                    )
                )
        bulk(
            connection,
            postgres,
            "transcript",
            [
                "id",
                "project_id",
                "participant_id",
                "session",
                "name",
                "original_filename",
                "format",
                "encoding",
                "text",
                "checksum",
                "word_count",
                "turn_count",
                "report",
                "imported_at",
            ],
            transcript_rows,
        )
        n_codes = themes * 5
        bulk(
            connection,
            postgres,
            "code",
            [
                "id",
                "project_id",
                "name",
                "definition",
                "inclusion",
                "exclusion",
                "example",
                "colour",
                "position",
                "guid",
                "created_at",
                "updated_at",
            ],
            [
                (c0 + i, pid, f"code {i}", "", "", "", "", "#4c78a8", i, str(uuid.uuid4()), now, now)
                for i in range(n_codes)
            ],
        )
        subthemes = themes // 3
        theme_rows, members = [], []
        for i in range(themes):
            parent = th0 + (i - (themes - subthemes)) if i >= themes - subthemes else None
            theme_rows.append(
                (th0 + i, pid, parent, f"theme {i}", "", "", "", "candidate", i, "", str(uuid.uuid4()), 1, now, now)
            )
            codes = [c0 + 5 * i + k for k in range(5)] + ([c0 + (5 * i + 5) % n_codes] if i % 4 == 0 else [])
            members += [(th0 + i, code, now) for code in codes]
        bulk(
            connection,
            postgres,
            "theme",
            [
                "id",
                "project_id",
                "parent_id",
                "name",
                "central_concept",
                "definition",
                "scope",
                "status",
                "position",
                "memo",
                "guid",
                "version",
                "created_at",
                "updated_at",
            ],
            theme_rows,
        )
        bulk(connection, postgres, "themecode", ["theme_id", "code_id", "added_at"], members)
        connection.commit()
        batch: list[tuple[Any, ...]] = []
        columns = [
            "project_id",
            "transcript_id",
            "code_id",
            "coder_id",
            "start",
            "end",
            "text",
            "memo",
            "guid",
            "created_at",
            "updated_at",
        ]
        made = 0
        while made < codings:
            transcript = t0 + rng.randrange(len(transcript_rows))
            code = c0 + rng.randrange(n_codes)
            start = rng.randrange(0, 3900)
            end = start + rng.randrange(5, 100)
            batch.append((pid, transcript, code, coder_ids[0], start, end, "x", "", str(uuid.uuid4()), now, now))
            made += 1
            if rng.random() < 0.1 and made < codings:  # the same passage by a second coder
                batch.append((pid, transcript, code, coder_ids[1], start, end, "x", "", str(uuid.uuid4()), now, now))
                made += 1
            if len(batch) >= 100_000:
                bulk(connection, postgres, "coding", columns, batch)
                batch = []
        bulk(connection, postgres, "coding", columns, batch)
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
        if postgres:
            # Postgres sequences do not know about ids written by hand
            for table in ("dyad", "participant", "transcript", "code", "theme"):
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
            connection.commit()
    finally:
        raw.close()
    with engine.connect() as check:
        total = check.execute(text("SELECT COUNT(*) FROM coding WHERE project_id = :p"), {"p": pid}).scalar_one()
    engine.dispose()
    assert total == codings, total
    return pid


def python_count(url: str, pid: int) -> dict[tuple[int, int], int]:
    """Distinct passages per (row theme, dyad), counted in Python from every coding (not timed)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        parents = dict(
            connection.execute(text("SELECT id, parent_id FROM theme WHERE project_id = :p"), {"p": pid}).all()
        )
        rows: dict[int, set[int]] = defaultdict(set)
        for theme_id, code_id in connection.execute(
            text(
                "SELECT tc.theme_id, tc.code_id FROM themecode tc JOIN theme ON theme.id = tc.theme_id "
                "WHERE theme.project_id = :p"
            ),
            {"p": pid},
        ):
            rows[theme_id].add(code_id)
            if parents.get(theme_id):
                rows[parents[theme_id]].add(code_id)
        by_code: dict[int, list[int]] = defaultdict(list)
        for row, codes in rows.items():
            for code in codes:
                by_code[code].append(row)
        dyad_of = dict(
            connection.execute(
                text(
                    "SELECT t.id, p.dyad_id FROM transcript t JOIN participant p ON p.id = t.participant_id "
                    "WHERE t.project_id = :p"
                ),
                {"p": pid},
            ).all()
        )
        passages: dict[tuple[int, int], set[tuple[int, int, int]]] = defaultdict(set)
        result = connection.execute(
            text('SELECT code_id, transcript_id, start, "end" FROM coding WHERE project_id = :p'), {"p": pid}
        )
        for code, transcript, start, end in result:
            for row in by_code.get(code, ()):
                passages[row, dyad_of[transcript]].add((transcript, start, end))
    engine.dispose()
    return {key: len(value) for key, value in passages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=200)
    parser.add_argument("--themes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each phase, alternating")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    from sqlalchemy import text
    from sqlmodel import Session

    from app.db import make_engine
    from themes.frequency import frequency_table

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        pid = generate(url, dyads=args.dyads, themes=args.themes, codings=args.codings)
        print(
            f"generated {args.codings:,} codings, {args.dyads} dyads, {args.themes} themes "
            f"in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
        )

        engine = make_engine(url)
        with Session(engine) as session:
            table = frequency_table(session, project_id=pid, cells="count")
            expected = python_count(url, pid)
            got = {(row.theme_id, cell.dyad_id): cell.count for row in table.rows for cell in row.cells if cell.count}
            assert got == expected, "frequency_table disagrees with the count made in Python"
            print(f"checked: {len(table.rows)} rows × {len(table.dyads)} dyads agree with a count in Python")

            def run_table() -> None:
                frequency_table(session, project_id=pid, cells="count")

            def run_sql(query: str, *settings: str) -> Any:
                def run() -> None:
                    with engine.connect() as connection:
                        for setting in settings:
                            connection.execute(text(f"SET LOCAL {setting}"))
                        connection.execute(text(query), {"p": pid}).all()

                return run

            phases = {
                "frequency_table": run_table,
                "pre-aggregated GROUP BY": run_sql(PRE_AGGREGATED),
                "naive join": run_sql(NAIVE),
            }
            if engine.dialect.name == "postgresql":  # frequency_table runs its query without JIT: so may the baseline
                phases["pre-aggregated GROUP BY, JIT off"] = run_sql(PRE_AGGREGATED, "jit = off")
            times: dict[str, list[float]] = {name: [] for name in phases}
            for phase in phases.values():
                phase()  # warm
            gc.collect()
            for _ in range(args.repeat):
                for name, phase in phases.items():
                    session.expire_all()
                    t = time.perf_counter()
                    phase()
                    times[name].append(time.perf_counter() - t)
        engine.dispose()
    print("\n| phase | median | runs |\n|---|---:|---|")
    for name, values in times.items():
        runs = ", ".join(f"{v:.3f}" for v in values)
        print(f"| {name} | {statistics.median(values):.3f} s | {runs} |")
    ratio = statistics.median(times["frequency_table"]) / statistics.median(times["pre-aggregated GROUP BY"])
    print(f"\nratio frequency_table / pre-aggregated GROUP BY: {ratio:.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
