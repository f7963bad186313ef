"""Fields the standard has no place for, carried inside a ``Description`` as labelled paragraphs.

A code's definition is its description; its inclusion and exclusion criteria and its example follow as
paragraphs such as ``Inclusion criteria: …``, which other programs show as plain text and Dyadic reads back.
A theme's definition is followed by its central organising concept and its scope in the same way.
"""

from __future__ import annotations

import re

CODE_SECTIONS = {"inclusion": "Inclusion criteria", "exclusion": "Exclusion criteria", "example": "Example"}
THEME_SECTIONS = {"central_concept": "Central organising concept", "scope": "Scope"}


def pack(main: str, extras: dict[str, str], labels: dict[str, str]) -> str:
    parts = [main.strip()] if main.strip() else []
    parts += [f"{labels[key]}: {value.strip()}" for key, value in extras.items() if value.strip()]
    return "\n\n".join(parts)


def unpack(text: str, labels: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The main text and the labelled paragraphs of a description written by :func:`pack`."""
    keys = {label: key for key, label in labels.items()}
    marker = re.compile(r"(?:^|\n\n)(" + "|".join(re.escape(label) for label in keys) + r"): ")
    found = list(marker.finditer(text))
    main = text[: found[0].start()] if found else text
    extras = {key: "" for key in labels}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        extras[keys[match.group(1)]] = text[match.end() : end].strip()
    return main.strip(), extras
