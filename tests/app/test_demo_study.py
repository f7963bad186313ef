"""The synthetic IPR study: deterministic, well-formed, dyadic, and the right size."""

from __future__ import annotations

import csv
import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import docx
import pytest

from app.demo_study import demo_memos, plan_study, recalled_moments, session_moments, write_study

HEADER = "file,dyad,role,participant,session,date,group,clinic,age,gender,years_experience"
LABEL = re.compile(r"^(I|B|R|Interviewer|Client|Therapist|Interpreter): ")
TRAILING = re.compile(r" #(\d\d):(\d\d):(\d\d)-(\d)#$")
LEADING = re.compile(r"^(\[(\d\d):(\d\d):(\d\d)\]) ")
VIDEO_TIME = re.compile(r"\b(\d{1,2}):(\d\d)\b")


def read_manifest(manifest: Path) -> list[dict[str, str]]:
    with manifest.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def speech(paragraph: str) -> str:
    """A paragraph without its label and time stamp."""
    body = LABEL.sub("", paragraph)
    return LEADING.sub("", TRAILING.sub("", body))


def words(text: str) -> int:
    """Words of speech: markup such as (...), (laughs), //mhm// does not count."""
    return sum(1 for token in text.split() if token[0] not in "(/")


def paragraphs(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_study(tmp_path_factory.mktemp("study") / "demo")


def test_same_arguments_give_byte_identical_files(tmp_path: Path, study: Path) -> None:
    again = write_study(tmp_path / "again")
    first = {p.relative_to(study.parent): p.read_bytes() for p in study.parent.rglob("*") if p.is_file()}
    second = {p.relative_to(again.parent): p.read_bytes() for p in again.parent.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert all(first[name] == second[name] for name in first)


def test_another_seed_gives_another_study(tmp_path: Path, study: Path) -> None:
    other = write_study(tmp_path / "other", seed=8)
    assert other.read_bytes() != study.read_bytes()
    assert (other.parent / "dyad01" / "C1_s3.txt").read_bytes() != (study.parent / "dyad01" / "C1_s3.txt").read_bytes()


def test_manifest_lists_every_interview_of_every_dyad(study: Path) -> None:
    assert study.name == "manifest.csv"
    assert study.read_text(encoding="utf-8").splitlines()[0] == HEADER
    rows = read_manifest(study)
    dyads = {row["dyad"] for row in rows}
    assert len(dyads) >= 6
    assert dyads == {f"Dyad {n}" for n in range(1, len(dyads) + 1)}
    for label in dyads:
        n = label.split()[1]
        for session in ("3", "5"):
            found = {(r["role"], r["participant"]) for r in rows if r["dyad"] == label and r["session"] == session}
            assert {("client", f"C{n}"), ("therapist", f"T{n}")} <= found
    interpreters = [row for row in rows if row["role"] == "interpreter"]
    assert {row["session"] for row in interpreters} == {"3", "5"}
    assert len({row["dyad"] for row in interpreters}) == 1
    assert interpreters[0]["participant"] == "I" + interpreters[0]["dyad"].split()[1]
    for row in rows:
        assert (study.parent / row["file"]).is_file()
        assert not Path(row["file"]).is_absolute()
        date.fromisoformat(row["date"])
        assert row["group"] in {"good outcome", "troubled"}
        assert row["clinic"] in {"North", "South"}
        client, therapist = row["role"] == "client", row["role"] == "therapist"
        assert bool(row["age"]) == client and bool(row["gender"]) == client
        assert bool(row["years_experience"]) == therapist
    assert len({row["file"] for row in rows}) == len(rows)


def test_formats_one_docx_one_vtt_and_the_rest_text(study: Path) -> None:
    suffixes = [Path(row["file"]).suffix for row in read_manifest(study)]
    assert suffixes.count(".docx") == 1 and suffixes.count(".vtt") == 1
    assert set(suffixes) == {".txt", ".docx", ".vtt"}
    rows = read_manifest(study)
    assert next(r for r in rows if r["file"].endswith(".docx"))["role"] == "client"
    assert next(r for r in rows if r["file"].endswith(".vtt"))["role"] == "therapist"


def test_docx_has_one_labelled_paragraph_per_turn(study: Path) -> None:
    row = next(r for r in read_manifest(study) if r["file"].endswith(".docx"))
    texts = [p.text for p in docx.Document(str(study.parent / row["file"])).paragraphs]
    assert len(texts) > 20
    assert all(LABEL.match(text) for text in texts)
    assert 0.8 * 900 <= sum(words(speech(text)) for text in texts) <= 1.2 * 900


def test_vtt_has_voice_tags_and_several_cues_per_turn(study: Path) -> None:
    row = next(r for r in read_manifest(study) if r["file"].endswith(".vtt"))
    text = (study.parent / row["file"]).read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    cues = text.split("\n\n")[1:]
    voices = [re.match(r"<v (\w+)>", cue.split("\n")[1]).group(1) for cue in cues if cue.strip()]
    assert set(voices) == {"Interviewer", "Therapist"}
    turns = sum(1 for a, b in pairwise(voices) if a != b) + 1
    assert len(voices) > 1.5 * turns
    starts = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> ", text, re.M)
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in starts]
    assert seconds == sorted(seconds)


def test_every_text_paragraph_has_a_label_and_a_time_stamp(study: Path) -> None:
    files = sorted(study.parent.glob("*/*.txt"))
    label_styles, stamp_styles = set(), set()
    for path in files:
        raw = path.read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n") and not raw.endswith(b"\n\n")
        times = []
        for paragraph in paragraphs(path):
            label = LABEL.match(paragraph)
            assert label, (path.name, paragraph[:60])
            label_styles.add(label.group(1))
            body = paragraph[label.end() :]
            trailing, leading = TRAILING.search(body), LEADING.match(body)
            assert bool(trailing) != bool(leading), (path.name, paragraph[:60])
            stamp_styles.add("trailing" if trailing else "leading")
            h, m, s = trailing.groups()[:3] if trailing else leading.groups()[1:]
            times.append(int(h) * 3600 + int(m) * 60 + int(s))
            assert speech(paragraph).strip()
        assert times == sorted(times) and len(set(times)) > len(times) * 0.9
    assert {"I", "B", "R", "Interviewer", "Client", "Therapist", "Interpreter"} <= label_styles
    assert stamp_styles == {"trailing", "leading"}


def test_transcripts_carry_markup_and_non_ascii_text(study: Path) -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in study.parent.glob("*/*.txt"))
    for markup in ("(...)", "(laughs)", "(unv.)", "//mhm//", "—", "’", "“", "”"):
        assert markup in text
    assert "Zoë" in text and "José" in text


def test_interviews_have_about_the_requested_length(study: Path, tmp_path: Path) -> None:
    counts = [sum(words(speech(p)) for p in paragraphs(path)) for path in study.parent.glob("*/*.txt")]
    assert all(720 <= count <= 1080 for count in counts), counts
    longer = write_study(tmp_path / "longer", dyads=2, sessions=(1, 2, 3), words_per_interview=3000, formats=False)
    rows = read_manifest(longer)
    assert len(rows) == 2 * 3 * 2 + 3  # with two dyads, Dyad 2 is the triad
    for row in rows:
        count = sum(words(speech(p)) for p in paragraphs(longer.parent / row["file"]))
        assert 2400 <= count <= 3600, (row["file"], count)


def test_client_and_therapist_recall_the_same_moments(study: Path) -> None:
    for dyad in plan_study():
        for session in (3, 5):
            moments = session_moments(dyad, session, seed=7, count=12)
            client = recalled_moments(moments, "client", 4)
            therapist = recalled_moments(moments, "therapist", 4)
            assert len(set(client) & set(therapist)) >= 2
            assert all(abs(m.stop("client") - m.stop("therapist")) <= 15 for m in set(client) & set(therapist))
    # …and it shows in the text: paired interviews stop the video at (nearly) the same times.
    rows = read_manifest(study)
    paired = 0
    pairs = {(r["dyad"], r["session"]) for r in rows}
    for dyad, session in pairs:
        times = {}
        for role in ("client", "therapist"):
            path = study.parent / next(
                r["file"] for r in rows if (r["dyad"], r["session"], r["role"]) == (dyad, session, role)
            )
            text = path.read_text(encoding="utf-8") if path.suffix != ".docx" else ""
            prompts = [p for p in text.split("\n\n") if p.startswith(("I:", "Interviewer:"))]
            times[role] = {int(m) * 60 + int(s) for p in prompts for m, s in VIDEO_TIME.findall(speech(p))}
        paired += any(abs(a - b) <= 15 for a in times["client"] for b in times["therapist"])
    assert paired >= len(pairs) * 0.6


def test_formats_false_writes_only_text(tmp_path: Path) -> None:
    manifest = write_study(tmp_path / "plain", dyads=6, formats=False)
    assert {Path(row["file"]).suffix for row in read_manifest(manifest)} == {".txt"}


def test_demo_memos_note_each_dyad_of_the_default_study() -> None:
    memos = demo_memos()
    assert memos == demo_memos()
    assert list(memos) == [f"Dyad {n}" for n in range(1, len(memos) + 1)] and len(memos) >= 6
    for label, memo in memos.items():
        sentences = [s for s in re.split(r"(?<=[.;])\s+(?=[A-Z])", memo) if s]
        assert 2 <= len(sentences) <= 4, memo
        assert label in memo and "{" not in memo


@pytest.mark.slow
def test_scaled_up_study_for_the_benchmark(tmp_path: Path) -> None:
    manifest = write_study(tmp_path / "big", dyads=120, words_per_interview=8500, formats=False)
    rows = read_manifest(manifest)
    assert len({row["dyad"] for row in rows}) == 120
    total = sum(sum(words(speech(p)) for p in paragraphs(manifest.parent / row["file"])) for row in rows)
    assert total >= 2_000_000
