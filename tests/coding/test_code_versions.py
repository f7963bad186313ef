"""Two people editing one code: the second's stale edit is refused with nothing changed, also when both
save at the same moment (PostgreSQL: the row is claimed by version)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from coding.codebook import update_code
from coding.errors import CodeConflict
from tests.factories import make_code, researcher, study
from transcripts.models import AuditEvent


def events(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_a_stale_edit_is_refused_and_changes_nothing(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    ana, ben = researcher(session, "Ana"), researcher(session, "Ben", role="lead")
    code = make_code(session, project, "Trust")
    assert code.version == 1
    update_code(session, code_id=code.id, user=ana, definition="Relying on the other", expected_version=1)  # type: ignore[arg-type]
    assert code.version == 2
    before = events(session)
    with pytest.raises(CodeConflict, match=r"^'Trust' was changed meanwhile by someone else"):
        update_code(session, code_id=code.id, user=ben, name="Reliance", expected_version=1)  # type: ignore[arg-type]
    session.rollback()
    session.expire_all()
    assert (code.name, code.definition, code.version) == ("Trust", "Relying on the other", 2)
    assert events(session) == before
    # Without a version (the command line, scripts) an edit just applies; a no-op keeps the version.
    update_code(session, code_id=code.id, user=ben, name="Reliance")  # type: ignore[arg-type]
    update_code(session, code_id=code.id, user=ben, name="Reliance", expected_version=3)  # type: ignore[arg-type]
    assert code.version == 3


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_leads_saving_at_once_one_wins_and_one_is_told(engine: Engine, session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    researcher(session, "Ana")
    researcher(session, "Ben", role="lead")
    code = make_code(session, project, "Trust")
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(name: str, new_name: str) -> None:
        with Session(engine, expire_on_commit=False) as own:
            from transcripts.models import User

            who = own.exec(select(User).where(User.name == name)).one()
            start.wait()
            try:
                update_code(own, code_id=code.id, user=who, name=new_name, expected_version=1)  # type: ignore[arg-type]
                outcome[name] = "saved"
            except CodeConflict:
                outcome[name] = "conflict"

    threads = [threading.Thread(target=edit, args=args) for args in (("Ana", "Reliance"), ("Ben", "Confidence"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcome.values()) == ["conflict", "saved"]
    winner = next(name for name, result in outcome.items() if result == "saved")
    session.expire_all()
    assert code.name == {"Ana": "Reliance", "Ben": "Confidence"}[winner] and code.version == 2
    updates = session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "code.update"))
    assert updates.one() == 1
