"""The reading view's turns as HTML: the one hot loop of the interface, written in Python.

A long transcript has thousands of turns and many more segments. Through a Jinja macro they took most of
the reading view's time (BENCHMARKS.md, "Coding"); this module writes the same markup directly. Every piece
of text from a transcript or a person passes through ``markupsafe.escape``, exactly as autoescaping would.

Each turn: its margin stripes (one lane per code), a header, and the speech cut into segments at coding
edges. The segments carry code-point offsets (``data-s``, ``data-e``) so that the browser can say what was
selected (see ``app/static/dyadic.js``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from app.filters import clock, role_class, role_label
from coding.view import CodedTurn
from transcripts.study import TurnView

MAX_LANE_CLASS = 8  # the style sheet draws up to eight lanes (lane-0 … lane-7)
MAX_DEPTH_CLASS = 3  # and shades overlapping codings up to three deep


def turn_html(
    turn: TurnView, coded: CodedTurn | None, project_id: int, sentence_spans: str = "", *, oob: bool = False
) -> str:
    """One turn as a ``<section>`` (its ``id`` is ``turn-<position>``, the reading view's anchors)."""
    out = [f'<section class="turn {role_class(turn.role)}']
    if coded and coded.lanes:
        out.append(f" has-codings lanes-{min(coded.lanes, MAX_LANE_CLASS)}")
    out.append(f'" id="turn-{turn.position}" data-start="{turn.start}" data-end="{turn.end}"')
    if sentence_spans:
        out.append(f' data-sentences="{escape(sentence_spans)}"')
    if oob:
        out.append(' hx-swap-oob="true"')
    out.append(">")
    if coded and coded.stripes:
        out.append('<div class="stripes" aria-label="Codings in this turn">')
        for s in coded.stripes:
            label = escape(s.label)
            out.append(
                f'<a class="stripe code-{s.code_id} lane-{min(s.lane, MAX_LANE_CLASS - 1)}" data-start="{s.start}" '
                f'data-end="{s.end}" title="{label}" href="/projects/{project_id}/codings/{s.coding_id}">'
                f'<span class="visually-hidden">{label}</span></a>'
            )
        out.append("</div>")
    role = escape(role_label(turn.role))
    out.append(f'\n<header><span class="speaker">{escape(turn.speaker) if turn.speaker else role}</span> ')
    out.append(f'<span class="role">{role}</span>')
    if turn.timestamp is not None:
        out.append(f' <time class="stamp">{clock(turn.timestamp)}</time>')
    out.append('</header>\n<p class="speech">')
    if coded:
        for seg in coded.segments:
            depth = f' class="coded depth-{min(len(seg.coding_ids), MAX_DEPTH_CLASS)}"' if seg.coding_ids else ""
            out.append(f'<span data-s="{seg.start}" data-e="{seg.end}"{depth}>{escape(seg.text)}</span>')
    else:
        out.append(f'<span data-s="{turn.start}" data-e="{turn.end}">{escape(turn.text)}</span>')
    out.append("</p>\n</section>")
    return "".join(out)


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
