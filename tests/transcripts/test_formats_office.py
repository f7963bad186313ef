"""Word-processor transcripts: real .docx (python-docx), .odt (odfpy) and hand-written .rtf files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from odf.opendocument import OpenDocumentText
from odf.text import H, LineBreak, List, ListItem, P, S, Section, Tab

from tests.transcripts.parsing import CLIENT, refusal, speeches
from transcripts.formats import parse


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(*elements: object) -> bytes:
    document = OpenDocumentText()
    for element in elements:
        document.text.addElement(P(text=element) if isinstance(element, str) else element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rtf_bytes(*paragraphs: bytes) -> bytes:
    head = rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}{\*\generator Dyadic tests;}" + b"\r\n"
    body = b"".join(rb"\pard\f0\fs24 " + paragraph + b"\\par\r\n" for paragraph in paragraphs)
    return head + body + b"}"


# --- .docx -------------------------------------------------------------------------------------------------


def test_docx_paragraphs_are_lines_with_labels_and_stamps(tmp_path: Path) -> None:
    path = tmp_path / "c01.docx"
    path.write_bytes(
        docx_bytes(
            "I: Wie ging es dir? #00:00:01-5#",
            "B: \u201eGut\u201c \u2013 caf\u00e9, cre\u0300me \U0001f600 (laughs)",
            "",
            "I:\t[00:01:00] Und dann?",
        )
    )
    parsed = parse(path.name, path.read_bytes(), speakers=CLIENT)
    assert parsed.format == "docx"
    assert parsed.encoding is None
    assert parsed.text.split("\n")[0] == "I: Wie ging es dir? #00:00:01-5#"
    assert speeches(parsed) == [
        "Wie ging es dir?",
        "\u201eGut\u201c \u2013 caf\u00e9, cr\u00e8me \U0001f600 (laughs)",
        "Und dann?",
    ]
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]
    assert [turn.timestamp for turn in parsed.turns] == [1.5, None, 60.0]
    assert parsed.notes == []


def test_a_docx_paragraph_without_a_label_joins_the_turn_before_with_a_note() -> None:
    parsed = parse("c01.docx", docx_bytes("I: Question?", "B: First paragraph.", "Second paragraph."), speakers=CLIENT)
    assert speeches(parsed) == ["Question?", "First paragraph.\nSecond paragraph."]
    assert any("line 3" in note and "joined" in note for note in parsed.notes)


def test_a_docx_label_alone_in_its_paragraph() -> None:
    parsed = parse("c01.docx", docx_bytes("I:", "Question?", "B: Answer."), speakers=CLIENT)
    assert speeches(parsed) == ["Question?", "Answer."]


def test_a_docx_without_labels_has_one_participant_turn_per_paragraph() -> None:
    parsed = parse("c01.docx", docx_bytes("It started in May.", "", "Then it got better."), speakers=CLIENT)
    assert speeches(parsed) == ["It started in May.", "Then it got better."]
    assert {turn.role for turn in parsed.turns} == {"client"}
    assert any("no speaker labels" in note for note in parsed.notes)


def test_a_docx_preamble_is_noted() -> None:
    parsed = parse("c01.docx", docx_bytes("Interview 3", "I: Start?", "B: Yes."), speakers=CLIENT)
    assert speeches(parsed) == ["Start?", "Yes."]
    assert any(note.startswith("line 1 before the first speaker label") for note in parsed.notes)


def test_a_docx_with_an_unplaceable_label_is_refused_with_its_paragraph() -> None:
    data = docx_bytes("I: Hello.", "B: Hi.", "Therapist: Welcome.", "B: Thanks.")
    message = refusal("c01.docx", data)
    assert "line 3" in message
    assert "'Therapist'" in message


def test_a_docx_that_is_not_a_zip_is_refused() -> None:
    assert "not a docx file" in refusal("c01.docx", b"I: this is plain text, not a docx\n")


def test_a_zip_that_is_not_a_docx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "I: hello")
    assert "not a readable docx file" in refusal("c01.docx", buffer.getvalue())


def test_a_docx_with_broken_xml_is_refused_in_one_line() -> None:
    good = docx_bytes("I: hello")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = b"<w:document>\n<unclosed>\n"
            target.writestr(item, content)
    assert "not a readable docx file" in refusal("c01.docx", buffer.getvalue())


def test_a_docx_without_text_is_refused_as_empty() -> None:
    assert "empty" in refusal("c01.docx", docx_bytes())
    assert "empty" in refusal("c01.docx", docx_bytes("", "   "))


# --- .odt --------------------------------------------------------------------------------------------------


def test_odt_paragraphs_and_headings_are_lines() -> None:
    spaced = P(text="B: Gr\u00fc\u00df dich,")
    spaced.addElement(S(c=3))
    spaced.addText("caf\u00e9 \U0001f600 #00:00:04-0#")
    data = odt_bytes(
        H(outlinelevel=1, text="Interview P01"),
        "I: Wie geht\u2019s? #00:00:02-5#",
        spaced,
        "I: Und?",
    )
    parsed = parse("c01.odt", data, speakers=CLIENT)
    assert parsed.format == "odt"
    assert parsed.text.split("\n")[0] == "Interview P01"
    assert speeches(parsed) == ["Wie geht\u2019s?", "Gr\u00fc\u00df dich,   caf\u00e9 \U0001f600", "Und?"]
    assert [turn.timestamp for turn in parsed.turns] == [2.5, 4.0, None]
    assert any(note.startswith("line 1 before the first speaker label") for note in parsed.notes)


def test_odt_tabs_and_line_breaks() -> None:
    tabbed = P(text="I:")
    tabbed.addElement(Tab())
    tabbed.addText("Question?")
    broken = P(text="B: first line")
    broken.addElement(LineBreak())
    broken.addText("second line")
    parsed = parse("c01.odt", odt_bytes(tabbed, broken), speakers=CLIENT)
    assert speeches(parsed) == ["Question?", "first line\nsecond line"]


def test_odt_paragraphs_inside_sections_and_lists_are_read_in_order() -> None:
    section = Section(name="Interview")
    section.addElement(P(text="B: In a section."))
    items = List()
    item = ListItem()
    item.addElement(P(text="I: In a list."))
    items.addElement(item)
    parsed = parse("c01.odt", odt_bytes("I: First.", section, items, "B: Last."), speakers=CLIENT)
    assert speeches(parsed) == ["First.", "In a section.", "In a list.", "Last."]


def test_an_odt_that_is_not_a_zip_is_refused() -> None:
    assert "not an odt file" in refusal("c01.odt", b"I: plain text\n")


def test_a_zip_that_is_not_an_odt_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.txt", "I: hello")
    assert "not a readable odt file" in refusal("c01.odt", buffer.getvalue())


# --- .rtf --------------------------------------------------------------------------------------------------


def test_rtf_with_code_page_and_unicode_escapes() -> None:
    data = rtf_bytes(
        rb"I: Wie geht\'92s, caf\'e9? #00:00:03-0#",
        rb"B: \u8220?Gut\u8221? \endash  cre\u768?me \u-10179?\u-8704? (laughs)\line zweite Zeile",
        rb"I:\tab Und?",
    )
    parsed = parse("c01.rtf", data, speakers=CLIENT)
    assert parsed.format == "rtf"
    assert speeches(parsed) == [
        "Wie geht\u2019s, caf\u00e9?",
        "\u201cGut\u201d \u2013 cr\u00e8me \U0001f600 (laughs)\nzweite Zeile",
        "Und?",
    ]
    assert parsed.turns[0].timestamp == 3.0
    assert [turn.role for turn in parsed.turns] == ["interviewer", "client", "interviewer"]


def test_rtf_in_another_code_page() -> None:
    data = rtf_bytes(rb"I: \'cf\'f0\'e8\'e2\'e5\'f2?", rb"B: Hi.").replace(b"ansicpg1252", b"ansicpg1251")
    parsed = parse("c01.rtf", data, speakers=CLIENT)
    assert speeches(parsed) == ["\u041f\u0440\u0438\u0432\u0435\u0442?", "Hi."]


def test_an_rtf_that_does_not_start_with_the_rtf_header_is_refused() -> None:
    assert "not an RTF file" in refusal("c01.rtf", b"I: hello\\par B: hi")


def test_an_rtf_lone_surrogate_escape_becomes_a_replacement_character() -> None:
    parsed = parse("c01.rtf", rtf_bytes(rb"I: odd \u-10179? escape", rb"B: Hi."), speakers=CLIENT)
    assert speeches(parsed) == ["odd \ufffd escape", "Hi."]


def test_an_rtf_without_text_is_refused_as_empty() -> None:
    assert "empty" in refusal("c01.rtf", rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par\par}")
