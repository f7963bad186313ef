"""Small presentation rules shared by the templates."""

from __future__ import annotations

from transcripts.models import CORE_ROLES, INTERVIEWER
from transcripts.order import role_initial


def clock(seconds: float | None) -> str:
    """62.5 → ``00:01:02``; nothing for a turn without a time stamp."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def role_class(role: str) -> str:
    return f"role-{role}" if role in (*CORE_ROLES, INTERVIEWER) else "role-other"


def role_label(role: str) -> str:
    return "Interviewer" if role == INTERVIEWER else role.capitalize()


def initial(role: str) -> str:
    return role_initial(role)
