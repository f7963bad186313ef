"""Placing speaker labels: which label is the interviewer, which the participant whose interview it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

INTERVIEWER_LABELS = {
    "i",
    "int",
    "interviewer",
    "interviewerin",
    "iv",
    "q",
    "researcher",
    "moderator",
    "forscher",
    "forscherin",
    "interviewende",
    "interviewender",
}
PARTICIPANT_LABELS = {
    "b",
    "r",
    "p",
    "a",
    "ip",
    "befragte",
    "befragter",
    "respondent",
    "participant",
    "interviewee",
    "teilnehmer",
    "teilnehmerin",
}
ROLE_WORDS = {
    "client": "client",
    "klient": "client",
    "klientin": "client",
    "patient": "client",
    "patientin": "client",
    "therapist": "therapist",
    "therapeut": "therapist",
    "therapeutin": "therapist",
    "interpreter": "interpreter",
    "dolmetscher": "interpreter",
    "dolmetscherin": "interpreter",
}
NUMBERED_INTERVIEWER = re.compile(r"i\d{1,2}|int\d{1,2}")
NUMBERED_PARTICIPANT = re.compile(r"[brp]\d{1,3}")


def norm(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().rstrip(".").casefold()


@dataclass(frozen=True)
class Speakers:
    """Whose interview a transcript is: the participant's pseudonym ID and role."""

    pseudonym: str
    role: str

    def place(self, label: str) -> str | None:
        """``"interviewer"``, ``"participant"``, ``"other"`` (another known role) or None (unknown)."""
        key = norm(label)
        if key == norm(self.pseudonym):  # first: an interpreter "I2" is not the numbered interviewer I2
            return "participant"
        if key in INTERVIEWER_LABELS or NUMBERED_INTERVIEWER.fullmatch(key):
            return "interviewer"
        if key == norm(self.role) or key in PARTICIPANT_LABELS:
            return "participant"
        if NUMBERED_PARTICIPANT.fullmatch(key):
            return "participant"
        if key in ROLE_WORDS:
            return "participant" if ROLE_WORDS[key] == self.role else "other"
        return None

    def describe(self) -> str:
        return f"participant {self.pseudonym} ({self.role})"
