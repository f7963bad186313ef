"""Orders researchers expect: "Dyad 2" before "Dyad 10"; client, therapist, interpreter, then others."""

from __future__ import annotations

import re

from transcripts.models import CORE_ROLES, INTERVIEWER


def natural_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that compares runs of digits as numbers ("Dyad 2" < "Dyad 10")."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold()) for part in re.split(r"(\d+)", label) if part
    )


def role_key(role: str) -> tuple[int, str]:
    if role == INTERVIEWER:
        return (-1, role)
    return (CORE_ROLES.index(role), role) if role in CORE_ROLES else (len(CORE_ROLES), role)


def role_initial(role: str) -> str:
    """``C``, ``T``, ``I`` for the core roles; a project-defined role's first letter, upper-cased."""
    return role[:1].upper()
