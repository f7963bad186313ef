"""Automatic transcription output: WebVTT voice tags and SRT ``Speaker: text`` cues become turns."""

from __future__ import annotations

import codecs

import pytest

from tests.transcripts.parsing import CLIENT, refusal, speeches
from transcripts.formats import parse

VTT = """WEBVTT - interview P01

NOTE produced by automatic transcription

intro
00:00:01.250 --> 00:00:03.000 align:start
<v Interviewer>How did it start? 😀</v>

00:00:03.500 --> 00:00:05.125
<v.loud Client>Slowly, <i>very</i> slowly.
(laughs) Cafe\u0301 first.

00:00:05.200 --> 00:00:07.999
<v Client>Then “talking”.

00:00:08.000 --> 00:00:09.000
and more

01:00:10.001 --> 01:00:12.500
<v Interviewer>And then?
"""

SRT = """1
00:00:01,250 --> 00:00:03,000
Interviewer: How did it start?

2
00:00:03,500 --> 00:00:05,125
Client: Slowly,
very slowly.

3
00:00:05,200 --> 00:00:07,999
Then talking.

4
01:00:10,001 --> 01:00:12,500
Interviewer: And then?
"""


def test_vtt_voices_make_turns_and_consecutive_cues_of_one_speaker_merge() -> None:
    parsed = parse("c01.vtt", VTT.encode("utf-8"), speakers=CLIENT)
    assert parsed.format == "vtt"
    assert parsed.encoding == "UTF-8"
    assert speeches(parsed) == [
        "How did it start? 😀",
        "Slowly, very slowly. (laughs) Café first. Then “talking”. and more",
        "And then?",
    ]
    assert [(turn.speaker, turn.role) for turn in parsed.turns] == [
        ("Interviewer", "interviewer"),
        ("Client", "client"),
        ("Interviewer", "interviewer"),
    ]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([1.25, 3.5, 3610.001])
    assert [turn.end_time for turn in parsed.turns] == pytest.approx([3.0, 9.0, 3612.5])


def test_vtt_canonical_text_is_one_labelled_line_per_turn() -> None:
    parsed = parse("c01.vtt", VTT.encode("utf-8"), speakers=CLIENT)
    assert parsed.text.split("\n") == [
        "[00:00:01.25] Interviewer: How did it start? 😀",
        "[00:00:03.5] Client: Slowly, very slowly. (laughs) Café first. Then “talking”. and more",
        "[01:00:10.001] Interviewer: And then?",
    ]


def test_a_cue_without_a_speaker_joins_the_turn_before_with_a_note() -> None:
    parsed = parse("c01.vtt", VTT.encode("utf-8"), speakers=CLIENT)
    assert any(note.startswith("cue 4 names no speaker") and "Client" in note for note in parsed.notes)


def test_srt_speaker_labels_inside_cues() -> None:
    parsed = parse("c01.srt", SRT.encode("utf-8"), speakers=CLIENT)
    assert parsed.format == "srt"
    assert speeches(parsed) == ["How did it start?", "Slowly, very slowly. Then talking.", "And then?"]
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([1.25, 3.5, 3610.001])
    assert [turn.end_time for turn in parsed.turns] == pytest.approx([3.0, 7.999, 3612.5])
    assert any(note.startswith("cue 3 names no speaker") for note in parsed.notes)


@pytest.mark.parametrize(("kind", "source"), [("vtt", VTT), ("srt", SRT)])
def test_reparsing_the_canonical_text_as_plain_text_gives_the_same_turns(kind: str, source: str) -> None:
    parsed = parse(f"c01.{kind}", source.encode("utf-8"), speakers=CLIENT)
    again = parse("c01.txt", parsed.text.encode("utf-8"), speakers=CLIENT)
    assert again.text == parsed.text
    assert speeches(again) == speeches(parsed)
    assert [(turn.start, turn.end) for turn in again.turns] == [(turn.start, turn.end) for turn in parsed.turns]
    assert [turn.timestamp for turn in again.turns] == [turn.timestamp for turn in parsed.turns]
    assert [turn.role for turn in again.turns] == [turn.role for turn in parsed.turns]


def test_vtt_in_utf16_with_crlf() -> None:
    data = codecs.BOM_UTF16_LE + VTT.replace("\n", "\r\n").encode("utf-16-le")
    parsed = parse("c01.vtt", data, speakers=CLIENT)
    assert parsed.encoding == "UTF-16 (BOM)"
    assert speeches(parsed)[0] == "How did it start? 😀"
    assert len(parsed.turns) == 3


def test_vtt_with_a_bom_and_short_cue_times() -> None:
    data = codecs.BOM_UTF8 + b"WEBVTT\n\n01:02.500 --> 01:04.000\n<v I>Hello.\n\n01:05.000 --> 01:06.000\n<v B>Hi.\n"
    parsed = parse("c01.vtt", data, speakers=CLIENT)
    assert parsed.encoding == "UTF-8 (BOM)"
    assert speeches(parsed) == ["Hello.", "Hi."]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([62.5, 65.0])


def test_vtt_character_references_are_read_as_characters() -> None:
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v I>Tom &amp; Jerry &lt;3 caf&eacute;\n"
    parsed = parse("c01.vtt", data, speakers=CLIENT)
    assert speeches(parsed) == ["Tom & Jerry <3 café"]


def test_vtt_without_any_voice_is_one_participant_turn_with_its_time() -> None:
    data = b"WEBVTT\n\n00:00:01.500 --> 00:00:02.000\nIt started\n\n00:00:03.000 --> 00:00:04.000\nin May.\n"
    parsed = parse("c01.vtt", data, speakers=CLIENT)
    assert speeches(parsed) == ["It started in May."]
    assert parsed.turns[0].role == "client"
    assert parsed.turns[0].timestamp == 1.5
    assert parsed.turns[0].end_time == 4.0


def test_a_vtt_without_the_webvtt_header_is_refused() -> None:
    message = refusal("c01.vtt", b"00:00:01.000 --> 00:00:02.000\n<v I>Hello.\n")
    assert "WEBVTT" in message


def test_a_vtt_without_cues_is_refused() -> None:
    assert "no cues" in refusal("c01.vtt", b"WEBVTT\n\nNOTE nothing here\n")


def test_a_malformed_srt_is_refused() -> None:
    assert "not a readable SRT file" in refusal("c01.srt", b"this is\nnot a subtitle file\n")


def test_voices_that_fit_nobody_are_refused() -> None:
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Speaker 1>Hello.\n\n"
        b"00:00:03.000 --> 00:00:04.000\n<v Speaker 2>Hi.\n\n"
        b"00:00:05.000 --> 00:00:06.000\n<v Speaker 1>Well?\n\n"
        b"00:00:07.000 --> 00:00:08.000\n<v Speaker 2>Well.\n"
    )
    message = refusal("c01.vtt", data)
    assert "'Speaker 1'" in message


def test_a_therapist_voice_in_the_clients_interview_is_refused() -> None:
    data = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Interviewer>Hello.\n\n"
        b"00:00:03.000 --> 00:00:04.000\n<v Therapist>Hi.\n"
    )
    assert "'Therapist'" in refusal("c01.vtt", data)
