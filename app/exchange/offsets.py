"""Selection offsets as other programs count them, turned into Dyadic's code points.

The standard counts code points. NVivo counts UTF-16 code units (the BOM skipped, CRLF as two); ATLAS.ti is
reported to count a CRLF line end as one. The model is chosen from the file's ``origin``; a position that
falls outside the text or inside a character is reported, never shifted.
"""

from __future__ import annotations

from bisect import bisect_left

CODE_POINTS = "code points"
UTF16 = "UTF-16 code units (NVivo)"
LF_LINES = "code points, CRLF counted as one (ATLAS.ti)"


def model_for(origin: str | None) -> str:
    origin = (origin or "").casefold()
    if "nvivo" in origin:
        return UTF16
    if "atlas.ti" in origin or "atlasti" in origin:
        return LF_LINES
    return CODE_POINTS


class Positions:
    """Converts positions of one text from a model to code points (None when a position does not exist)."""

    def __init__(self, text: str, model: str) -> None:
        self.length = len(text)
        self.model = model
        self.starts: list[int] | None = None  # the model position at which each code point starts
        if model == UTF16 and any(ord(char) > 0xFFFF for char in text):
            self.starts = []
            unit = 0
            for char in text:
                self.starts.append(unit)
                unit += 2 if ord(char) > 0xFFFF else 1
            self.starts.append(unit)
        elif model == LF_LINES and "\r" in text:
            self.starts = []
            unit = 0
            for index, char in enumerate(text):
                self.starts.append(unit)
                if not (char == "\r" and text[index + 1 : index + 2] == "\n"):
                    unit += 1
            self.starts.append(unit)

    def to_code_points(self, position: int) -> int | None:
        if self.starts is None:
            return position if 0 <= position <= self.length else None
        index = bisect_left(self.starts, position)
        if index < len(self.starts) and self.starts[index] == position:
            # a CRLF counted as one: the position before the pair points at the CR
            return index
        return None
