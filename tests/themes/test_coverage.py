"""Coverage (phase 4, level 2) on a hand-built study, on SQLite and PostgreSQL.

Dyad 2 is a triad (C2, T2, I2; C2 also about session 5), Dyad 10 a client and a therapist, Dyad 1 and Dyad 9
clients only. Themes: "Being heard" (heard) with the subtheme "Trust" (trust); "Waiting" (waiting);
"Abandoned" (stay), discarded. Each client's and therapist's interview has two participant turns
(positions 1 and 3, after the interviewer's questions), the interpreter's one (position 1).
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from tests.themes.study import build
from themes.coverage import coverage
from themes.themes import create_theme, discard_theme


def test_coverage_per_dyad_and_role_and_what_no_theme_touches(session: Session, tmp_path: Path) -> None:
    s = build(session, tmp_path / "study")
    heard, trust, waiting, stay = (s.code(name) for name in ("heard", "trust", "waiting", "stay"))
    s.mark(heard, "C2", "heard")
    s.mark(trust, "C2", "trusted")
    s.mark(trust, "T10", "trusting")
    s.mark(waiting, "I2", "waited")
    s.mark(stay, "T10", "stay")  # only in a discarded theme: touches nothing
    pid, ana = s.project.id or 0, s.ana
    being_heard = create_theme(session, project_id=pid, user=ana, name="Being heard", code_ids=[heard.id or 0])
    create_theme(session, project_id=pid, user=ana, name="Trust", code_ids=[trust.id or 0], parent_id=being_heard.id)
    create_theme(session, project_id=pid, user=ana, name="Waiting", code_ids=[waiting.id or 0])
    abandoned = create_theme(session, project_id=pid, user=ana, name="Abandoned", code_ids=[stay.id or 0])
    discard_theme(session, theme_id=abandoned.id or 0, user=ana)

    found = coverage(session, project_id=pid)

    assert [t.name for t in found.themes] == ["Being heard", "Waiting"]
    grid = {d.label: [d.roles[t.id] for t in found.themes] for d in found.dyads}
    assert grid == {
        "Dyad 1": [(), ()],
        "Dyad 2": [("client",), ("interpreter",)],
        "Dyad 9": [(), ()],
        "Dyad 10": [("therapist",), ()],  # through the subtheme's code
    }
    assert [d.themes_touched() for d in found.dyads] == [0, 2, 0, 1]
    untouched = [(t.participant, t.session) for t in found.untouched_transcripts]
    assert untouched == [("C1", 3), ("C2", 5), ("T2", 3), ("C9", 3), ("C10", 3)]
    by_interview = {(t.participant, t.session): (t.turns, t.untouched, t.first_untouched) for t in found.transcripts}
    assert by_interview[("C2", 3)] == (2, 0, None)
    assert by_interview[("T10", 3)] == (2, 1, 1)  # "stay" is in turn 1, coded only for the discarded theme
    assert by_interview[("I2", 3)] == (1, 0, None)
    assert by_interview[("C1", 3)] == (2, 2, 1)
    assert (found.turns, found.untouched_turns) == (15, 11)


def test_a_project_without_themes_leaves_everything_untouched(session: Session, tmp_path: Path) -> None:
    s = build(session, tmp_path / "study")
    s.mark(s.code("heard"), "C2", "heard")  # coded, but in no theme
    found = coverage(session, project_id=s.project.id or 0)
    assert found.themes == []
    assert len(found.untouched_transcripts) == len(found.transcripts) == 8
    assert found.untouched_turns == found.turns
