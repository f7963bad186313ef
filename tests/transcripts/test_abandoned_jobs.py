"""A browser import whose server process died (a crash, SIGKILL) is marked failed, not left "running" for ever."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session

from tests.factories import study
from transcripts.jobs import STOPPED, get_job, settle_abandoned, this_process
from transcripts.models import ImportJob


def ended_process() -> str:
    """The runner of a process of this machine that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:feedbeef"


def test_jobs_of_ended_processes_fail_and_the_others_are_left_alone(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    runners = {
        "dead": ended_process(),
        "mine": this_process(),
        "elsewhere": "another-host:12345:abcd",
        "old token, my pid": this_process().rsplit(":", 1)[0] + ":00000000",
    }
    jobs = {}
    for name, runner in runners.items():
        job = ImportJob(project_id=project.id, status="running", stage="storing 4 transcripts", runner=runner)  # type: ignore[arg-type]
        session.add(job)
        jobs[name] = job
    session.commit()

    assert settle_abandoned(session) == 2
    assert {name: job.status for name, job in jobs.items()} == {
        "dead": "failed",
        "mine": "running",
        "elsewhere": "running",
        "old token, my pid": "failed",
    }
    assert jobs["dead"].error == STOPPED and jobs["dead"].finished_at is not None
    assert settle_abandoned(session) == 0


def test_looking_at_an_abandoned_job_settles_it(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    job = ImportJob(project_id=project.id, status="queued", runner=ended_process())  # type: ignore[arg-type]
    session.add(job)
    session.commit()
    seen = get_job(session, job_id=job.id, project_id=project.id)  # type: ignore[arg-type]
    assert (seen.status, seen.error) == ("failed", STOPPED)
