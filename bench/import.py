"""Import benchmark: a generated study of ≥ 2 million words, imported whole, against the bare pipeline.

Prints words per second of the bare spaCy pipeline (blank English, sentencizer, lookup lemmatizer) on
the same text — turn by turn, as the importer feeds it, and as whole files — and of Dyadic's whole
import (read, parse, segment, lemmatise, store, index, commit), their ratios, and each phase's peak
memory. Each phase runs in a fresh child process, so that its peak memory is its own.

    python bench/import.py [--dyads 60] [--words 8500] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def bare_pipeline(folder: str, unit: str, out: multiprocessing.Queue) -> None:
    """spaCy alone over the study's text: whole files, or the turns' speech as the importer feeds it."""
    from transcripts import nlp
    from transcripts.formats import parse
    from transcripts.formats.speakers import Speakers
    from transcripts.manifest import read_manifest

    root = Path(folder)
    rows = read_manifest((root / "manifest.csv").read_bytes())
    if unit == "files":
        texts = [(root / row.file).read_text(encoding="utf-8") for row in rows]
    else:
        texts = []
        for row in rows:
            parsed = parse(row.file, (root / row.file).read_bytes(), speakers=Speakers(row.participant, row.role))
            texts += [parsed.text[t.start : t.end] for t in parsed.turns]
    pipeline = nlp.pipeline()
    started = time.perf_counter()
    for _doc in pipeline.pipe(texts, batch_size=256):
        pass
    out.put({"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "docs": len(texts)})


def whole_import(folder: str, url: str, out: multiprocessing.Queue) -> None:
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from transcripts.ingest import import_manifest
    from transcripts.projects import create_project, ensure_user

    migrate(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        user = ensure_user(session, name="bench")
        project = create_project(session, name=f"bench {time.time_ns()}", user=user)
        started = time.perf_counter()
        report = import_manifest(
            session, project=project, manifest=Path(folder) / "manifest.csv", user=user, max_bytes=10**9
        )
        seconds = time.perf_counter() - started
    words = sum(f.words for f in report.imported)
    out.put({"seconds": seconds, "peak_mb": peak_mb(), "words": words, "transcripts": len(report.imported)})


def in_child(target: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (its own peak memory with it)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=60, help="60 dyads of 8,500-word interviews: 2.1 M words")
    parser.add_argument("--words", type=int, default=8500, help="words per interview")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase, alternating; medians reported")
    args = parser.parse_args()

    from app.demo_study import write_study

    with tempfile.TemporaryDirectory(prefix="dyadic-bench-") as tmp:
        folder = Path(tmp) / "study"
        started = time.perf_counter()
        write_study(folder, dyads=args.dyads, words_per_interview=args.words, formats=False)
        print(f"generated the study in {time.perf_counter() - started:.1f} s")
        runs: dict[str, list[dict[str, Any]]] = {"import": [], "turns": [], "files": []}
        for run in range(args.repeat):  # alternate the phases, so that a noisy minute hits them alike
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{run}.db'}"
            runs["import"].append(in_child(whole_import, str(folder), url))
            runs["turns"].append(in_child(bare_pipeline, str(folder), "turns"))
            runs["files"].append(in_child(bare_pipeline, str(folder), "files"))
    imported, turns, files = (median_run(runs[name]) for name in ("import", "turns", "files"))

    words = imported["words"]
    engine = url.split(":", 1)[0].split("+")[0]
    seconds = ", ".join(f"{run['seconds']:.2f}" for run in runs["import"])
    print(
        f"study: {imported['transcripts']} transcripts, {words:,} words; database: {engine}; "
        f"median of {args.repeat} runs (import: {seconds} s)"
    )
    rates = {}
    for label, result in (
        ("bare pipeline, turn by turn", turns),
        ("bare pipeline, whole files", files),
        ("whole import", imported),
    ):
        rates[label] = words / result["seconds"]
        print(
            f"{label:<28} {result['seconds']:7.2f} s {rates[label]:>10,.0f} words/s  peak {result['peak_mb']:,.0f} MB"
        )
    ratio_turns = rates["whole import"] / rates["bare pipeline, turn by turn"]
    ratio_files = rates["whole import"] / rates["bare pipeline, whole files"]
    print(f"import / bare pipeline turn by turn (as the importer feeds spaCy): {ratio_turns:.0%}  (target ≥ 50 %)")
    print(f"import / bare pipeline on whole files (labels and stamps too):     {ratio_files:.0%}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    result = {
        "words": words,
        "engine": engine,
        "median": {"import": imported, "bare_turns": turns, "bare_files": files},
        "runs": runs,
    }
    (out / f"import-{engine}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
