"""What every parser test asks of a parse: the turns' speech, and a refusal that is one line naming the file."""

from __future__ import annotations

import pytest

from transcripts.errors import ImportRefused
from transcripts.formats import ParsedTranscript, parse
from transcripts.formats.speakers import Speakers

CLIENT = Speakers("P01", "client")


def speeches(parsed: ParsedTranscript) -> list[str]:
    return [parsed.text[turn.start : turn.end] for turn in parsed.turns]


def refusal(filename: str, data: bytes, *, speakers: Speakers = CLIENT) -> str:
    with pytest.raises(ImportRefused) as caught:
        parse(filename, data, speakers=speakers)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message, "a refusal is one line"
    assert message.startswith(filename), "a refusal names the file"
    return message
