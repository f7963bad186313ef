"""Measuring and wrapping the labels of the thematic map without a browser or a font file.

A label's width is estimated from per-character classes whose widths follow DejaVu Sans — the widest of
the sans-serif fonts a browser is likely to pick for ``font-family="sans-serif"`` — so that a box sized by
the estimate holds its text in Arial, Helvetica, Liberation Sans and Pillow's default font alike. The
estimate is deliberately generous; it is plain arithmetic, so the same name always gives the same layout.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
BOLD_FACTOR = 1.14  # DejaVu Sans Bold runs about 12 % wider than the regular face

_NARROW = set("ijl|.,:;!'`\u00a0 ")
_SLIM = set('frtI()[]-"/\\')
_WIDE = set("mwMW@%")
_WIDTHS = {"narrow": 0.32, "slim": 0.45, "wide": 1.02, "upper": 0.8, "lower": 0.65, "digit": 0.65}


def char_width(ch: str) -> float:
    """The estimated advance of one character, in ems."""
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf"):  # combining marks, joiners, variation selectors: no advance
        return 0.0
    if ord(ch) > 0xFFFF or category == "So":  # emoji and other pictographs, drawn from an emoji font
        return 1.3
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.05
    base = unicodedata.normalize("NFD", ch)[0]  # an accented letter is as wide as its letter
    if base in _NARROW:
        return _WIDTHS["narrow"]
    if base in _SLIM:
        return _WIDTHS["slim"]
    if base in _WIDE:
        return _WIDTHS["wide"]
    if base.isdigit():
        return _WIDTHS["digit"]
    if base.isupper():
        return _WIDTHS["upper"]
    if base.islower():
        return _WIDTHS["lower"]
    return 0.75


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The estimated width of ``text`` set at ``size`` pixels."""
    width = sum(char_width(ch) for ch in text) * size
    return width * BOLD_FACTOR if bold else width


def _cut(text: str, size: float, bold: bool, max_width: float, *, suffix: str = "") -> tuple[str, str]:
    """The longest head of ``text`` that fits in ``max_width`` with ``suffix`` after it, and the rest."""
    head = ""
    for index, ch in enumerate(text):
        if text_width(head + ch + suffix, size, bold=bold) > max_width and head:
            return head, text[index:]
        head += ch
    return head, ""


def wrap(text: str, size: float, *, bold: bool = False, max_width: float, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``max_width``: broken between words (a word too long for one line is
    broken between characters), at most ``max_lines`` lines, the last one ending in an ellipsis when the
    text goes on."""
    lines: list[str] = []
    current = ""
    words = text.split()
    index = 0
    while index < len(words):
        word = words[index]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold=bold) <= max_width:
            current, index = candidate, index + 1
        elif current:
            lines.append(current)
            current = ""
        else:  # one word wider than the line
            head, rest = _cut(word, size, bold, max_width)
            lines.append(head)
            words[index] = rest
            if not rest:
                index += 1
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        head, _ = _cut(rest, size, bold, max_width, suffix=ELLIPSIS)
        lines = [*lines[: max_lines - 1], head.rstrip() + ELLIPSIS]
    return lines or [""]
