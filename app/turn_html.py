"""The reading view's turns as HTML: the one hot loop of the interface, written in Python.

A long transcript has thousands of turns and many more segments. Through a Jinja macro they took most of
the reading view's time (BENCHMARKS.md, "Coding"); this module writes the same markup directly. Every piece
of text from a transcript or a person is escaped exactly as autoescaping would (``markupsafe.escape``).

Each turn: its margin stripes (one lane per code), a header, and the speech cut into segments at coding
edges. The segments carry code-point offsets (``data-s``, ``data-e``) so that the browser can say what was
selected (see ``app/static/dyadic.js``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from app.filters import clock, role_class, role_label
from coding.view import CodedTurn
from transcripts.study import TurnView

MAX_LANE_CLASS = 8  # the style sheet draws up to eight lanes (lane-0 … lane-7)
MAX_DEPTH_CLASS = 3  # and shades overlapping codings up to three deep


def _escaped(text: str) -> str:
    """``markupsafe.escape``, the same characters escaped the same way; but most stretches of speech have
    nothing to escape, and looking for the five characters costs a tenth of a call to ``escape`` (thousands
    per page)."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text)
    return text


@cache
def _role(role: str) -> tuple[str, str]:
    """A role's class and its label, escaped: worked out once per role, not once per turn."""
    return role_class(role), str(escape(role_label(role)))


# The turns' HTML kept between requests, under everything it is made from: the turn (its offsets, speaker,
# role, time stamp and speech), how it is coded (``CodedTurn.key``: the codings over it with their codes'
# places and names and their coders' names), the project, the sentence spans and whether it is sent out of
# band. A change to any of these makes another key, so kept HTML is never stale; a turn cut without a key
# (``coding.visibility`` recuts turns that hold hidden codings) is drawn afresh. Oldest out first, beyond
# ``KEPT_TURNS``: a 20,000-word transcript has ~1,900 turns, each kept turn ~1.5 kB (~15 MB in all at most).
KEPT_TURNS = 10_000
_kept: dict[tuple[Any, ...], str] = {}
_keeping = threading.Lock()


def turn_html(
    turn: TurnView, coded: CodedTurn | None, project_id: int, sentence_spans: str = "", *, oob: bool = False
) -> str:
    """One turn as a ``<section>`` (its ``id`` is ``turn-<position>``, the reading view's anchors)."""
    if (coded is not None and coded.key is None) or not isinstance(turn, tuple):
        return _turn_html(turn, coded, project_id, sentence_spans, oob)
    key = (*turn, None if coded is None else coded.key, project_id, sentence_spans, oob)  # plain values only
    html = _kept.get(key)
    if html is None:
        html = _turn_html(turn, coded, project_id, sentence_spans, oob)
        with _keeping:
            if len(_kept) >= KEPT_TURNS:
                del _kept[next(iter(_kept))]
            _kept[key] = html
    return html


def forget_kept_turns() -> None:
    """Drop the kept HTML (tests, to draw every turn afresh)."""
    with _keeping:
        _kept.clear()


def _turn_html(turn: TurnView, coded: CodedTurn | None, project_id: int, sentence_spans: str, oob: bool) -> str:
    role_css, role = _role(turn.role)
    lanes = f" has-codings lanes-{min(coded.lanes, MAX_LANE_CLASS)}" if coded and coded.lanes else ""
    sentences = f' data-sentences="{_escaped(sentence_spans)}"' if sentence_spans else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    stripes = ""
    if coded and coded.stripes:
        stripes = "".join(
            [
                '<div class="stripes" aria-label="Codings in this turn">',
                *(
                    f'<a class="stripe code-{s.code_id} lane-{min(s.lane, MAX_LANE_CLASS - 1)}" data-start="{s.start}" '
                    f'data-end="{s.end}" title="{label}" href="/projects/{project_id}/codings/{s.coding_id}">'
                    f'<span class="visually-hidden">{label}</span></a>'
                    for s, label in ((s, _escaped(s.label)) for s in coded.stripes)
                ),
                "</div>",
            ]
        )
    speaker = _escaped(turn.speaker) if turn.speaker else role
    stamp = f' <time class="stamp">{clock(turn.timestamp)}</time>' if turn.timestamp is not None else ""
    if coded:
        speech = "".join(
            [
                f'<span data-s="{seg.start}" data-e="{seg.end}"'
                f"{_depth(len(seg.coding_ids)) if seg.coding_ids else ''}>{_escaped(seg.text)}</span>"
                for seg in coded.segments
            ]
        )
    else:
        speech = f'<span data-s="{turn.start}" data-e="{turn.end}">{_escaped(turn.text)}</span>'
    return (
        f'<section class="turn {role_css}{lanes}" id="turn-{turn.position}" data-start="{turn.start}" '
        f'data-end="{turn.end}"{sentences}{swap}>{stripes}\n<header><span class="speaker">{speaker}</span> '
        f'<span class="role">{role}</span>{stamp}</header>\n<p class="speech">{speech}</p>\n</section>'
    )


def _depth(covering: int) -> str:
    return f' class="coded depth-{min(covering, MAX_DEPTH_CLASS)}"'


def turns_html(
    turns: Iterable[TurnView],
    coded: Mapping[int, CodedTurn],
    project_id: int,
    sentences: Mapping[int, str] | None = None,
    *,
    oob: bool = False,
) -> Markup:
    """Many turns, with their codings (by turn position) and sentence spans (by turn id) where known."""
    sentences = sentences or {}
    return Markup(
        "".join(
            turn_html(turn, coded.get(turn.position), project_id, sentences.get(turn.id, ""), oob=oob) for turn in turns
        )
    )
