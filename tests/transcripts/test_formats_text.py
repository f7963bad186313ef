"""Plain-text transcripts: labels, time stamps, paragraphs, encodings, and the files Dyadic refuses."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from tests.transcripts.parsing import CLIENT, refusal, speeches
from transcripts.formats import FORMATS, ParsedTranscript, format_of, parse
from transcripts.formats.speakers import Speakers

THERAPIST = Speakers("T01", "therapist")


def parse_text(text: str, *, speakers: Speakers = CLIENT, filename: str = "c01.txt") -> ParsedTranscript:
    return parse(filename, text.encode("utf-8"), speakers=speakers)


# --- format_of -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "kind"),
    [
        ("a.txt", "text"),
        ("A.TXT", "text"),
        ("notes.text", "text"),
        ("x/y/interview.docx", "docx"),
        ("i.odt", "odt"),
        ("i.RTF", "rtf"),
        ("i.vtt", "vtt"),
        ("i.srt", "srt"),
    ],
)
def test_format_of_reads_the_extension(filename: str, kind: str) -> None:
    assert format_of(filename) == kind


@pytest.mark.parametrize("filename", ["interview.pdf", "interview.doc", "README", "interview.txt.gz"])
def test_an_unsupported_extension_is_refused_with_the_formats_dyadic_reads(filename: str) -> None:
    message = refusal(filename, b"I: hello\n")
    assert "unsupported file type" in message
    for suffix in FORMATS:
        assert suffix in message


# --- labels ----------------------------------------------------------------------------------------------


def test_dresing_and_pehl_labels_and_trailing_stamps() -> None:
    parsed = parse_text(
        "I: How did the session start? #00:01:02-5#\n\n"
        "B: Slowly. (...) I was nervous. #00:01:10-0#\n\n"
        "I: And then? #01:00:00-9#\n"
    )
    assert speeches(parsed) == ["How did the session start?", "Slowly. (...) I was nervous.", "And then?"]
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]
    assert [turn.speaker for turn in parsed.turns] == ["I", "B", "I"]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([62.5, 70.0, 3600.9])
    assert parsed.speakers == {"I": "interviewer", "B": "client"}
    assert parsed.format == "text"
    assert parsed.encoding == "UTF-8"
    assert parsed.notes == []
    # Labels and stamps stay in the canonical text, outside the turns.
    assert parsed.text.startswith("I: How did the session start? #00:01:02-5#\n\nB: ")


def test_a_stamp_without_tenths_counts_whole_seconds() -> None:
    parsed = parse_text("I: Hello #00:01:02#\n\nB: Hi #00:01:05-25#")
    assert speeches(parsed) == ["Hello", "Hi"]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([62.0, 65.25])


def test_i_and_r_labels() -> None:
    parsed = parse_text("I: What helped?\n\nR: Being listened to.\n\nI: Anything else?\n\nR: No.")
    assert speeches(parsed) == ["What helped?", "Being listened to.", "Anything else?", "No."]
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer", "client"]
    assert [turn.timestamp for turn in parsed.turns] == [None] * 4


def test_word_labels_name_the_interviewer_and_the_participant_role() -> None:
    parsed = parse_text("Interviewer: Tell me about it.\n\nClient: It was hard.\n\nInterviewer: Go on.")
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]
    assert speeches(parsed) == ["Tell me about it.", "It was hard.", "Go on."]
    assert parsed.speakers == {"Interviewer": "interviewer", "Client": "client"}


def test_the_therapist_label_is_the_participant_in_the_therapists_interview() -> None:
    parsed = parse_text("Interviewer: Why then?\n\nTherapist: It felt right.", speakers=THERAPIST)
    assert [turn.role for turn in parsed.turns] == ["interviewer", "therapist"]
    assert speeches(parsed)[1] == "It felt right."


def test_the_pseudonym_as_label_is_the_participant() -> None:
    parsed = parse_text("I: Hello.\n\nP01: Hello back.")
    assert [(turn.speaker, turn.role) for turn in parsed.turns] == [("I", "interviewer"), ("P01", "client")]


def test_an_interpreter_whose_pseudonym_looks_like_a_numbered_interviewer_is_the_participant() -> None:
    parsed = parse_text("I: What did you notice?\n\nI2: That both waited.", speakers=Speakers("I2", "interpreter"))
    assert [turn.role for turn in parsed.turns] == ["interviewer", "interpreter"]


def test_a_name_used_repeatedly_is_taken_as_the_participant_with_a_note() -> None:
    parsed = parse_text("I: How are you?\n\nAnna: Fine.\n\nI: Really?\n\nAnna: Mostly.")
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer", "client"]
    assert speeches(parsed) == ["How are you?", "Fine.", "Really?", "Mostly."]
    assert any("Anna" in note and "P01" in note for note in parsed.notes)


def test_a_one_off_label_like_prefix_is_speech_with_a_note() -> None:
    parsed = parse_text("I: What did she say?\n\nB: Nothing much.\nMum said: come home.\n\nI: And you?")
    assert speeches(parsed) == ["What did she say?", "Nothing much.\nMum said: come home.", "And you?"]
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]
    assert any("line 4" in note and "Mum said" in note for note in parsed.notes)


def test_a_label_with_speech_on_the_next_line() -> None:
    parsed = parse_text("I:\nWhat happened next?\n\nB: \nShe left.")
    assert speeches(parsed) == ["What happened next?", "She left."]


# --- leading stamps ---------------------------------------------------------------------------------------


def test_leading_stamps_before_or_after_the_label() -> None:
    parsed = parse_text(
        "[00:01:02] I: First question.\n\nB: [00:01:10] First answer.\n\n"
        "[01:02] I: Short form.\n\n[01:00:03.5] B: With a fraction."
    )
    assert speeches(parsed) == ["First question.", "First answer.", "Short form.", "With a fraction."]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([62.0, 70.0, 62.0, 3603.5])
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer", "client"]


def test_a_leading_stamp_wins_over_a_trailing_one_and_both_stay_outside_the_speech() -> None:
    parsed = parse_text("[00:00:05] I: Hello. #00:00:07-0#\n\nB: Hi.")
    assert speeches(parsed) == ["Hello.", "Hi."]
    assert parsed.turns[0].timestamp == 5.0


# --- paragraphs -------------------------------------------------------------------------------------------


def test_a_hard_wrapped_turn_is_one_turn_without_a_note() -> None:
    parsed = parse_text(
        "I: A question that goes on\nover two lines. #00:00:03-0#\n\nB: An answer that goes on\nover three\nlines.\n"
    )
    assert speeches(parsed) == [
        "A question that goes on\nover two lines.",
        "An answer that goes on\nover three\nlines.",
    ]
    assert parsed.turns[0].timestamp == 3.0
    assert parsed.notes == []


def test_an_unlabelled_paragraph_joins_the_turn_before_with_a_note() -> None:
    parsed = parse_text("I: Question?\n\nB: First part.\n\nsecond part.\n\nI: Next.")
    assert speeches(parsed) == ["Question?", "First part.\n\nsecond part.", "Next."]
    assert any("line 5" in note and "line 3" in note and "joined" in note for note in parsed.notes)


def test_a_preamble_before_the_first_label_stays_in_the_text_but_in_no_turn() -> None:
    text = "Interview 3, session 2\nRecorded 4 May\n\nI: Shall we start?\n\nB: Yes."
    parsed = parse_text(text)
    assert parsed.text == text
    assert speeches(parsed) == ["Shall we start?", "Yes."]
    assert parsed.turns[0].start > text.index("Recorded 4 May")
    assert any(note.startswith("lines 1–2 before the first speaker label") for note in parsed.notes)


def test_without_labels_each_paragraph_is_a_participant_turn_with_a_note() -> None:
    parsed = parse_text("It started in May.\nI was tired.\n\n  Then it got better.  \n\n\nThe end.\n")
    assert speeches(parsed) == ["It started in May.\nI was tired.", "Then it got better.", "The end."]
    assert {turn.role for turn in parsed.turns} == {"client"}
    assert {turn.speaker for turn in parsed.turns} == {""}
    assert any("no speaker labels" in note for note in parsed.notes)


def test_without_labels_time_stamps_stay_outside_the_turns() -> None:
    parsed = parse_text("[00:00:05] It started in May. #00:00:09-0#\n\nThen it got better. #00:00:12-5#")
    assert speeches(parsed) == ["It started in May.", "Then it got better."]
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([5.0, 12.5])


def test_markup_stays_in_the_speech() -> None:
    parsed = parse_text("I: And? (...)\n\nB: (laughs) Well, //I mean// (unv.) it was (...) fine.")
    assert speeches(parsed) == ["And? (...)", "(laughs) Well, //I mean// (unv.) it was (...) fine."]


# --- non-ASCII text and offsets -----------------------------------------------------------------------------


def test_non_ascii_speech_round_trips_through_the_offsets() -> None:
    parsed = parse_text(
        "I: Wie geht\u2019s dir? \U0001f600 #00:00:01-0#\n\n"
        "B: \u201eGut\u201c, sagte sie \u2014 \u201cvraiment\u201d, cre\u0300me bru\u0302le\u0301e \U0001f600!\n\n"
        "I: \u00bfY ma\u00f1ana? \u4f60\u597d"
    )
    assert speeches(parsed) == [
        "Wie geht\u2019s dir? \U0001f600",
        "\u201eGut\u201c, sagte sie \u2014 \u201cvraiment\u201d, cr\u00e8me br\u00fbl\u00e9e \U0001f600!",
        "\u00bfY ma\u00f1ana? \u4f60\u597d",
    ]
    assert parsed.turns[0].timestamp == 1.0


def test_the_canonical_text_is_nfc() -> None:
    parsed = parse_text("I: Cafe\u0301?\n\nB: Cafe\u0301 au lait, s\u0327a va.")
    assert parsed.text == unicodedata.normalize("NFC", parsed.text)
    assert "e\u0301" not in parsed.text
    assert speeches(parsed) == ["Caf\u00e9?", "Caf\u00e9 au lait, \u015fa va."]


# --- encodings and line ends ---------------------------------------------------------------------------------

SAMPLE = "I: Grüß Gott, café? #00:00:02-0#\n\nB: “Ja” – naïve. #00:00:04-5#\n"
SAMPLE_SPEECH = ["Grüß Gott, café?", "“Ja” – naïve."]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "UTF-8 (BOM)"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "UTF-16 (BOM)"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "UTF-16 (BOM)"),
        (SAMPLE.encode("cp1252"), "Windows-1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "cp1252"],
)
def test_encodings(data: bytes, encoding: str) -> None:
    parsed = parse("c01.txt", data, speakers=CLIENT)
    assert parsed.encoding == encoding
    assert parsed.text == SAMPLE
    assert speeches(parsed) == SAMPLE_SPEECH
    assert [turn.timestamp for turn in parsed.turns] == pytest.approx([2.0, 4.5])


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_become_lf_and_offsets_refer_to_the_lf_text(newline: str) -> None:
    data = SAMPLE.replace("\n", newline).encode("utf-8")
    parsed = parse("c01.txt", data, speakers=CLIENT)
    assert parsed.text == SAMPLE
    assert "\r" not in parsed.text
    assert speeches(parsed) == SAMPLE_SPEECH


def test_crlf_in_utf16_with_a_hard_wrapped_turn() -> None:
    text = "I: One\r\ntwo\r\n\r\nB: three\r\nfour\r\n"
    parsed = parse("c01.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"), speakers=CLIENT)
    assert speeches(parsed) == ["One\ntwo", "three\nfour"]


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n\t\r\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b" \n ",
        codecs.BOM_UTF16_LE + " \r\n ".encode("utf-16-le"),
    ],
    ids=["nothing", "whitespace", "bom-only", "bom-whitespace", "utf-16-whitespace"],
)
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert "empty" in refusal("c01.txt", data)


def test_a_file_with_nul_bytes_is_refused_as_binary() -> None:
    message = refusal("c01.txt", b"I: hello\x00\x00\x01world")
    assert "binary" in message


def test_utf16_without_a_bom_is_refused_as_binary() -> None:
    assert "binary" in refusal("c01.txt", "I: hello".encode("utf-16-le"))


def test_a_control_character_is_refused_with_its_line() -> None:
    message = refusal("c01.txt", b"I: hello\n\nB: wor\x1bld\n")
    assert "line 3" in message
    assert "binary" in message


def test_bytes_neither_utf8_nor_windows_1252_are_refused_as_unknown_encoding() -> None:
    # 0x81 and 0x8d are undefined in Windows-1252, and a lone 0xc3 is not UTF-8.
    message = refusal("c01.txt", b"I: caf\xc3 \x81\x8d\n")
    assert "unknown encoding" in message


def test_invalid_utf8_after_a_bom_names_the_byte_in_the_file() -> None:
    message = refusal("c01.txt", codecs.BOM_UTF8 + b"I: \xc3(")
    assert "byte 6" in message


def test_odd_length_utf16_is_refused_as_unknown_encoding() -> None:
    assert "unknown encoding" in refusal("c01.txt", codecs.BOM_UTF16_LE + "I: x".encode("utf-16-le") + b"I")


def test_a_recurring_label_that_fits_nobody_is_refused_with_its_line() -> None:
    text = "I: Hello.\n\nB: Hi.\n\nMum: Dinner!\n\nB: Coming.\n\nMum: Now!"
    message = refusal("c01.txt", text.encode())
    assert "line 5" in message
    assert "'Mum'" in message
    assert "P01" in message


def test_a_label_naming_another_role_is_refused() -> None:
    message = refusal("c01.txt", b"I: Hello.\n\nClient: Hi.\n\nTherapist: Welcome.")
    assert "line 5" in message
    assert "'Therapist'" in message


def test_another_role_is_refused_even_when_no_label_fits_the_interview() -> None:
    message = refusal("c01.txt", b"Therapist: Hello.\n\nTherapist: Welcome.")
    assert "line 1" in message
    assert "'Therapist'" in message


def test_two_recurring_unknown_names_are_refused_rather_than_guessed() -> None:
    message = refusal("c01.txt", b"Anna: Hello.\n\nBen: Hi.\n\nAnna: Well?\n\nBen: Well.")
    assert "line 1" in message
    assert "'Anna'" in message


def test_a_file_of_stamps_only_has_no_speech() -> None:
    assert "no speech" in refusal("c01.txt", b"I: #00:00:01-0#\n\nB: #00:00:02-0#\n")
