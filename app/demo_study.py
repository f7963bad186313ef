"""A synthetic Interpersonal Process Recall (IPR) study, written deterministically into a folder.

In an IPR study each therapy session is video-recorded; afterwards client and therapist (and, in
interpreter-mediated therapy, the interpreter) are interviewed *separately* while watching the recording,
and stop it at moments that mattered. :func:`write_study` writes one recall interview per participant and
session, plus a ``manifest.csv`` that Dyadic imports in one go. Client and therapist of a dyad recall many of
the same moments at similar video times — sometimes agreeing, sometimes not — so that the study can be read
separately and then dyadically. All text is composed from the phrase banks in :mod:`app.demo_phrases`.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from app import demo_phrases as ph

MANIFEST_HEADER = [
    "file",
    "dyad",
    "role",
    "participant",
    "session",
    "date",
    "group",
    "clinic",
    "age",
    "gender",
    "years_experience",
]
PREFIX = {"client": "C", "therapist": "T", "interpreter": "I"}
DESC = {"client": "c_desc", "therapist": "t_desc", "interpreter": "i_desc"}
TOPIC_BANK = {
    ("client", "+"): "c_pos",
    ("client", "-"): "c_neg",
    ("therapist", "+"): "t_good",
    ("therapist", "-"): "t_bad",
}
# Participant labels per transcript style; "I" is always the interviewer.
LABELS = {"dp": ("I", "B"), "ir": ("I", "R"), "words": ("Interviewer", None)}
LABEL_CYCLE = ("dp", "words", "dp", "ir", "dp", "dp", "words", "dp")
Turn = tuple[bool, str, float, int]  # (is interviewer, text, seconds spent watching before, words)
Timed = list[tuple[bool, str, float, float]]  # (is interviewer, text, start, end) per turn
MARKUP = re.compile(r"\s*(?:\((?:\.\.\.|laughs|unv\.|sighs)\)|//[^/]*//)")


@dataclass(frozen=True)
class Participant:
    pid: str
    role: str
    name: str
    gender: str  # "f" / "m": chooses pronouns; the manifest says "female" / "male" for clients
    age: int | None = None
    years_experience: int | None = None


@dataclass(frozen=True)
class Dyad:
    number: int
    group: str
    clinic: str
    participants: tuple[Participant, ...]
    session3: date  # date of therapy session 3; other sessions are weekly

    @property
    def label(self) -> str:
        return f"Dyad {self.number}"

    @property
    def is_triad(self) -> bool:
        return len(self.participants) > 2


@dataclass(frozen=True, eq=False)  # moments are compared by identity: two alike moments are still two
class Moment:
    """A moment of the recorded session that one or more participants stop the video at."""

    topic: str
    obj: tuple[str, str]  # the detail as the client says it, and as the others say it
    video_time: int  # seconds into the session recording
    who: frozenset[str]  # roles that stop here
    offsets: tuple[int, int, int]  # each role's stop, relative to video_time (client, therapist, interpreter)
    valence: tuple[str, str, str]  # "+" / "-" per role: helpful / hard (client), went well / doubts (therapist)

    def stop(self, role: str) -> int:
        return max(0, self.video_time + self.offsets[list(PREFIX).index(role)])

    def feels(self, role: str) -> str:
        return self.valence[list(PREFIX).index(role)]


def plan_study(*, dyads: int = 7, seed: int = 7) -> list[Dyad]:
    """The study's dyads: groups and clinics balanced, one triad (Dyad 4, or the last when fewer)."""
    if dyads < 1:
        raise ValueError("a study needs at least one dyad")
    rng = random.Random(f"{seed}:plan")
    groups = rng.sample(["good outcome", "troubled"] * dyads, dyads)
    clinics = rng.sample(["North", "South"] * dyads, dyads)
    therapists = ph.THERAPISTS[:]
    rng.shuffle(therapists)
    if dyads <= len(therapists) and all(name != "Zoë" for name, _ in therapists[:dyads]):
        zoe = next(i for i, (name, _) in enumerate(therapists) if name == "Zoë")
        swap = rng.randrange(dyads)
        therapists[swap], therapists[zoe] = therapists[zoe], therapists[swap]
    triad = min(4, dyads)
    result = []
    for n in range(1, dyads + 1):
        gender = rng.choice("fm")
        pool = ph.TRIAD_CLIENTS[gender] if n == triad else ph.CLIENTS[gender]
        people = [
            Participant(f"C{n}", "client", rng.choice(pool), gender, age=rng.randint(19, 64)),
            Participant(
                f"T{n}", "therapist", *therapists[(n - 1) % len(therapists)], years_experience=rng.randint(2, 28)
            ),
        ]
        if n == triad:
            people.append(Participant(f"I{n}", "interpreter", *ph.INTERPRETER))
        start = date(2023, 2, 6) + timedelta(days=(n - 1) * 9 + rng.randrange(4))
        result.append(Dyad(n, groups[n - 1], clinics[n - 1], tuple(people), start))
    return result


def session_moments(dyad: Dyad, session: int, *, seed: int, count: int) -> list[Moment]:
    """The moments of one recorded session that participants stop at, in video order."""
    rng = random.Random(f"{seed}:{dyad.number}:{session}:moments")
    topics = [t for t in ph.TOPICS if t != "clock" and (t != "interpreter" or dyad.is_triad)]
    length = rng.randint(46 * 60, 55 * 60)
    step = max(1, min(25, (length - 70) // count))  # keep stops at least `step` seconds apart
    times = [t + rng.randrange(step) for t in sorted(rng.sample(range(40, length - 30, step), count))]
    p_pos, p_agree = (0.42, 0.5) if dyad.group == "troubled" else (0.72, 0.7)
    deck: list[str] = []
    moments = []
    for i, vt in enumerate(times):
        if not deck:
            deck = rng.sample(topics, len(topics))
        topic = "clock" if i == count - 1 and rng.random() < 0.5 else deck.pop()
        r = rng.random()
        who = {"client", "therapist"} if r < 0.6 else {"client"} if r < 0.8 else {"therapist"}
        if dyad.is_triad and (topic == "interpreter" or rng.random() < 0.55):
            who |= {"interpreter"} if topic != "interpreter" else {"client", "therapist", "interpreter"}
        obj = rng.choice(ph.TOPICS[topic]["obj"])
        client = "+" if rng.random() < p_pos else "-"
        therapist = client if rng.random() < p_agree else {"+": "-", "-": "+"}[client]
        interpreter = "+" if rng.random() < 0.6 else "-"
        offsets = (rng.randint(-7, 7), rng.randint(-7, 7), rng.randint(-9, 9))
        moments.append(
            Moment(
                topic,
                obj if isinstance(obj, tuple) else (obj, obj),
                vt,
                frozenset(who),
                offsets,
                (client, therapist, interpreter),
            )
        )
    return moments


def _spread(items: list[Moment], n: int) -> list[Moment]:
    if n <= 0:
        return []
    if n >= len(items):
        return list(items)
    if n == 1:
        return [items[len(items) // 2]]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def recalled_moments(moments: list[Moment], role: str, k: int) -> list[Moment]:
    """The ``k`` moments a participant talks about: mostly ones the partner stops at too, across the session."""
    mine = [m for m in moments if role in m.who]
    pair = {"client", "therapist"} if role != "interpreter" else None
    shared = [m for m in mine if (pair <= m.who if pair else len(m.who) > 1)]
    own = [m for m in mine if m not in shared]
    chosen = _spread(shared, min(len(shared), max(1, round(k * 0.7))))
    chosen += _spread(own, k - len(chosen))
    chosen += [m for m in shared if m not in chosen][: max(0, k - len(chosen))]
    return sorted(chosen, key=lambda m: m.video_time)


def _slots(dyad: Dyad, session: int) -> dict[str, str]:
    slots = {"s": str(session), "next": str(session + 1), "lang": ph.TRIAD_LANGUAGE, "X": "the interpreter"}
    for person in dyad.participants:
        key = {"client": "c", "therapist": "t", "interpreter": "x"}[person.role]
        subj, obj, poss = ("she", "her", "her") if person.gender == "f" else ("he", "him", "his")
        slots |= {
            key + "s": subj,
            key + "o": obj,
            key + "p": poss,
            key.upper() + "s": subj.capitalize(),
            key.upper() + "p": poss.capitalize(),
            key.upper(): person.name,
        }
    slots.setdefault("xs", "they")
    slots.setdefault("Xs", "They")
    return slots


def _words(text: str) -> int:
    return sum(1 for token in text.split() if token[0] not in "(/")


class _Interview:
    """Composes one recall interview as a list of turns (speaker, text, seconds spent watching before, words)."""

    def __init__(self, dyad: Dyad, role: str, session: int, rng: random.Random):
        self.rng, self.role, self.dyad = rng, role, dyad
        self.slots = _slots(dyad, session)
        self.turns: list[Turn] = []
        self.words = 0
        self.said: set[str] = set()

    def fill(self, template: str) -> str:
        return template.format_map(self.slots)

    def ask(self, template: str, watch: float = 0.0) -> None:
        text = self.fill(template)
        self.turns.append((True, text, watch, _words(text)))
        self.words += self.turns[-1][3]

    def answer(self, sentences: list[str]) -> None:
        rng = self.rng
        parts = []
        for i, sentence in enumerate(sentences):
            sentence = self.fill(sentence)
            if sentence.startswith("I ") and rng.random() < 0.05:
                sentence = "I- " + sentence
            if i:
                r = rng.random()
                parts.append(" (...) " if r < 0.15 else " //mhm// " if r < 0.21 else " ")
            parts.append(sentence)
        text = "".join(parts)
        r = rng.random()
        if r < 0.2:
            text = rng.choice(ph.OPENERS) + text
        elif r < 0.3 and text.startswith("I"):
            text = rng.choice(ph.COMMA_OPENERS) + text
        if rng.random() < 0.1 and not text.endswith(")"):
            text += rng.choice(ph.TAILS)
        if rng.random() < 0.05:
            tokens = text.split(" ")
            if len(tokens) > 6:
                tokens[rng.randrange(2, len(tokens) - 2)] = "(unv.)"
                text = " ".join(tokens)
        self.turns.append((False, text, 0.0, _words(text)))
        self.words += self.turns[-1][3]

    def fresh(self, *banks: list[str]) -> str | None:
        """A sentence not yet said in this interview, from the first bank that still has one."""
        for bank in banks:
            unsaid = [sentence for sentence in bank if sentence not in self.said]
            if unsaid:
                choice = self.rng.choice(unsaid)
                self.said.add(choice)
                return choice
        return None

    def fresh_in(self, bank: list[str]) -> bool:
        return any(sentence not in self.said for sentence in bank)

    def pick(self, *banks: list[str]) -> str:
        """Like :meth:`fresh`, but repeats itself when everything has been said (very long interviews)."""
        return self.fresh(*banks) or self.rng.choice(banks[0])

    def lines(self, topic: dict[str, list], tone: str) -> list[str]:
        """What this participant can say about a moment of ``topic`` that felt ``tone``."""
        if self.role == "interpreter":
            return topic["i"] + ph.INTERPRETER_LINES[tone]
        return topic[TOPIC_BANK[self.role, tone]]

    def moment(self, m: Moment, previous_vt: int, goal: float) -> None:
        rng, role = self.rng, self.role
        topic = ph.TOPICS[m.topic]
        self.slots["obj"] = m.obj[0] if role == "client" else self.fill(m.obj[1])
        vt = m.stop(role)
        self.slots["vt"] = f"{vt // 60}:{vt % 60:02d}"
        self.slots["r"] = rng.choice(ph.REACTIONS)
        watch = max(3.0, (vt - previous_vt) * rng.uniform(0.4, 0.85))
        aside = rng.random() < 0.12
        self.ask(rng.choice(ph.ASIDE_PROMPTS if aside else ph.STOP_PROMPTS), watch)
        feel = m.feels(role)
        desc = self.fill(rng.choice(topic[DESC[role]]))
        frame = rng.choice(ph.ASIDE_FRAMES if aside else ph.STOP_FRAMES)
        said = [frame.replace("{d}", desc.replace("{", "{{").replace("}", "}}"))]
        said.append(self.pick(self.lines(topic, feel), ph.GENERIC[role, feel]))
        extras = [self.fresh(self.lines(topic, feel)) if rng.random() < 0.5 else None]
        extras.append(self.fresh(ph.GENERIC[role, feel]) if rng.random() < 0.4 else None)
        said += [extra for extra in extras if extra]
        start = self.words
        self.answer(said)
        kinds: list[str] = []
        last = ""
        reflected = False
        while self.words - start < goal:
            if not reflected and rng.random() < 0.15:
                reflected = True
                self.ask(rng.choice(ph.REFLECTIONS[feel]))
                self.answer([rng.choice(ph.SHORT_REPLIES)])
                continue
            tone = feel if rng.random() < 0.9 else {"+": "-", "-": "+"}[feel]
            if not kinds:  # a new round of probes, not starting with the one just asked
                kinds = [k for k in rng.sample(list(ph.PROBES[role]), len(ph.PROBES[role])) if k != last]
            # ask next what the participant still has something new to say about
            kind = next((k for k in reversed(kinds) if self.fresh_in(ph.ANSWERS[role, k, tone])), kinds[-1])
            kinds.remove(kind)
            last = kind
            self.ask(rng.choice(ph.PROBES[role][kind]))
            said = [self.pick(ph.ANSWERS[role, kind, tone])]
            r = rng.random()
            extra = None
            if r < 0.4:
                extra = self.fresh(self.lines(topic, tone), ph.GENERIC[role, tone])
            elif r < 0.75:
                extra = self.fresh(ph.GENERIC[role, tone])
            elif r < 0.85 and (extra := self.fresh(ph.QUOTE_FRAMES[role])):
                self.slots["q"] = self.pick(ph.QUOTES[role])
            self.answer([*said, extra] if extra else said)

    def compose(self, moments: list[Moment], target: int) -> None:
        rng, role = self.rng, self.role
        self.ask(rng.choice(ph.OPENINGS))
        self.answer([rng.choice(ph.ACKS)])
        overall = "+" if sum(m.feels(role) == "+" for m in moments) * 2 >= len(moments) else "-"
        if rng.random() < 0.7:
            self.ask(rng.choice(ph.OVERALL_Q))
            self.answer([rng.choice(ph.OVERALL[role + overall])])
        closing = 40
        previous = 0
        for i, m in enumerate(moments):
            left = len(moments) - i
            goal = (target - closing - self.words) / left
            goal *= rng.uniform(0.75, 1.25) if left > 1 else 1.0
            self.moment(m, previous, goal - 35)
            previous = m.stop(role)
        self.ask(rng.choice(ph.CLOSING_Q), watch=rng.uniform(20, 90))
        self.answer([rng.choice(ph.CLOSING[role])])
        self.ask(rng.choice(ph.THANKS))


def _stamp(seconds: float, style: str) -> str:
    tenths = round(seconds * 10)
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    s, d = divmod(rest, 10)
    return f"#{h:02d}:{m:02d}:{s:02d}-{d}#" if style == "dp" else f"[{h:02d}:{m:02d}:{s:02d}]"


def _timed(turns: list[Turn], rng: random.Random) -> Timed:
    """Turn start and end times in the interview recording: ~2.5 words a second, plus pauses and watching."""
    t = rng.uniform(2, 12)
    timed = []
    for is_interviewer, text, watch, words in turns:
        t += watch
        pauses = text.count("(...)") * 1.5 + text.count("(laughs)") * 1.0
        end = t + max(0.8, words / 2.5 * rng.uniform(0.9, 1.15) + pauses)
        timed.append((is_interviewer, text, t, end))
        t = end + rng.uniform(0.3, 2.0)
    return timed


def _paragraphs(timed: Timed, role: str, labels: str, leading: bool) -> list[str]:
    interviewer, participant = LABELS[labels]
    participant = participant or role.capitalize()
    out = []
    for is_interviewer, text, start, end in timed:
        label = interviewer if is_interviewer else participant
        if leading:
            out.append(f"{label}: {_stamp(start, 'lead')} {text}")
        else:
            out.append(f"{label}: {text} {_stamp(end, 'dp')}")
    return out


def _typographic(text: str) -> str:
    return re.sub(r'"([^"\n]*)"', "“\\1”", text.replace("'", "’"))


def _vtt(timed: Timed, role: str, rng: random.Random) -> str:
    def clock(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    cues = ["WEBVTT", ""]
    for is_interviewer, text, start, end in timed:
        words = MARKUP.sub("", text).replace("I- ", "I ").split()
        voice = "Interviewer" if is_interviewer else role.capitalize()
        i, per_word = 0, (end - start) / max(1, len(words))
        while i < len(words):
            n = rng.randint(4, 9)
            n += 3 if len(words) - i - n < 3 else 0  # no one-word tail cue
            chunk = words[i : i + n]
            cue_start = start + i * per_word
            cues += [
                f"{clock(cue_start)} --> {clock(cue_start + len(chunk) * per_word)}",
                f"<v {voice}>{' '.join(chunk)}",
                "",
            ]
            i += n
    return "\n".join(cues)


def _docx(paragraphs: list[str], title: str, when: date) -> bytes:
    import docx  # python-docx, only needed for this one file

    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by, props.revision = title, "Dyadic demo", "Dyadic demo", 1
    props.created = props.modified = datetime(when.year, when.month, when.day, 12, 0)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps zip entries with the current time: rewrite them with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _interview_date(dyad: Dyad, session: int, role: str, rng: random.Random) -> date:
    day = dyad.session3 + timedelta(weeks=session - 3)
    day += timedelta(days={"client": rng.randint(0, 1), "therapist": rng.randint(0, 2)}.get(role, 2))
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _moment_count(words_per_interview: int) -> tuple[int, int]:
    """How many moments a session offers, and how many each participant talks about."""
    return words_per_interview // 110 + 4, max(2, round((words_per_interview - 130) / 210))


def write_study(
    folder: Path,
    *,
    dyads: int = 7,
    sessions: tuple[int, ...] = (3, 5),
    seed: int = 7,
    words_per_interview: int = 900,
    formats: bool = True,
) -> Path:
    """Write the interview files and `manifest.csv` into `folder`; return the manifest's path.

    Every dyad has a client and a therapist recall interview per session (the triad also an interpreter
    interview), about ``words_per_interview`` words each, in ``folder/dyadNN/<participant>_s<session>``.
    With ``formats`` one client interview is a .docx and one therapist interview a WebVTT file from
    "automatic transcription"; all others are plain-text transcripts. Same arguments, same bytes.
    """
    if not sessions:
        raise ValueError("a study needs at least one session")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    plan = plan_study(dyads=dyads, seed=seed)
    available, recalled = _moment_count(words_per_interview)
    docx_at = (min(2, dyads), sessions[0], "client")
    vtt_at = (min(3, dyads), sessions[-1], "therapist")
    rows = []
    k = 0
    for dyad in plan:
        sub = folder / f"dyad{dyad.number:02d}"
        sub.mkdir(exist_ok=True)
        for session in sessions:
            moments = session_moments(dyad, session, seed=seed, count=available)
            for person in dyad.participants:
                rng = random.Random(f"{seed}:{dyad.number}:{session}:{person.role}")
                when = _interview_date(dyad, session, person.role, rng)
                interview = _Interview(dyad, person.role, session, rng)
                interview.compose(recalled_moments(moments, person.role, recalled), words_per_interview)
                timed = _timed(interview.turns, rng)
                labels, leading = LABEL_CYCLE[k % len(LABEL_CYCLE)], k % 6 == 4
                k += 1
                where = (dyad.number, session, person.role)
                stem = f"{person.pid}_s{session}"
                if formats and where == vtt_at:
                    name, data = stem + ".vtt", _vtt(timed, person.role, rng).encode()
                else:
                    paragraphs = _paragraphs(timed, person.role, labels, leading)
                    if formats and where == docx_at:
                        title = f"IPR interview {person.pid}, session {session}"
                        name, data = stem + ".docx", _docx(paragraphs, title, when)
                    else:
                        text = "\n\n".join(paragraphs) + "\n"
                        name, data = stem + ".txt", (_typographic(text) if rng.random() < 0.5 else text).encode()
                (sub / name).write_bytes(data)
                rows.append(
                    [
                        f"{sub.name}/{name}",
                        dyad.label,
                        person.role,
                        person.pid,
                        session,
                        when.isoformat(),
                        dyad.group,
                        dyad.clinic,
                        person.age or "",
                        {"f": "female", "m": "male"}[person.gender] if person.role == "client" else "",
                        person.years_experience or "",
                    ]
                )
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(MANIFEST_HEADER)
        writer.writerows(rows)
    return manifest


def demo_memos(*, dyads: int = 7, seed: int = 7, session: int = 3) -> dict[str, str]:
    """A familiarisation memo per dyad label of the default study: who was read, one shared moment and how
    the two accounts of it relate, and what to look at next."""
    memos = {}
    _, recalled = _moment_count(900)
    for dyad in plan_study(dyads=dyads, seed=seed):
        rng = random.Random(f"{seed}:memo:{dyad.number}")
        moments = session_moments(dyad, session, seed=seed, count=_moment_count(900)[0])
        therapist_recalls = recalled_moments(moments, "therapist", recalled)
        both = [m for m in recalled_moments(moments, "client", recalled) if m in therapist_recalls]
        ids = [p.pid for p in dyad.participants]
        slots = _slots(dyad, session) | {
            "label": dyad.label,
            "clinic": dyad.clinic,
            "group": dyad.group,
            "iid": ids[-1],
            "ids": " and ".join(ids) if len(ids) == 2 else f"{ids[0]}, {ids[1]} and {ids[2]}",
        }
        sentences = [rng.choice(ph.MEMO_OPEN)]
        if both:
            m = both[0]
            client, therapist = m.feels("client"), m.feels("therapist")
            slots["moment"] = ph.TOPICS[m.topic]["memo"].format_map(slots | {"obj": m.obj[1].format_map(slots)})
            slots["vt"] = f"{m.video_time // 60}:{m.video_time % 60:02d}"
            sentences.append(ph.MEMO_STANCE["agree" + client if client == therapist else "client" + client])
        sentences.append(rng.choice(ph.MEMO_CLOSE[dyad.group]))
        if dyad.is_triad:
            sentences.append(ph.MEMO_TRIAD)
        memos[dyad.label] = " ".join(s.format_map(slots) for s in sentences)
    return memos
