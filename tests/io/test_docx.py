"""Word .docx transcripts: labels, Teams layouts, tables, damaged files."""

from __future__ import annotations

import zipfile

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError


def _rows(t):
    return [(u.speaker, u.role, u.time_start, u.text) for u in t.turns]


def test_docx_labels_in_paragraphs(make_docx):
    p = make_docx(
        "int.docx",
        [
            "Interviewer: What is your role?",
            "P1: Sergeant.",
            "I was a PC before.",
            "Interviewer: Thanks.",
        ],
    )
    t = read_transcript(p)
    assert _rows(t) == [
        ("Interviewer", "interviewer", None, "What is your role?"),
        ("P1", "participant", None, "Sergeant.\nI was a PC before."),
        ("Interviewer", "interviewer", None, "Thanks."),
    ]
    assert t.format == "docx" and all(
        t.text[u.start : u.end] == u.text for u in t.turns
    )


def test_docx_teams_layout(make_docx):
    p = make_docx(
        "teams.docx",
        [
            "Interview 12 (fictional)",
            "March 3, 2025, 10:02AM",
            "41m 7s",
            "Sam Reid started transcription",
            "Sam Reid   0:03",
            "Thanks for joining.",
            "Jo Patel   0:09",
            "Happy to help.",
            "Jo Patel   0:15",
            "We run the diversion scheme.",
            "Sam Reid   0:40",
            "How did it start?",
            "Sam Reid stopped transcription",
        ],
    )
    t = read_transcript(p, speakers={"Sam Reid": "interviewer"})
    assert _rows(t)[:4] == [
        (None, None, None, "Interview 12 (fictional)"),
        (None, None, None, "March 3, 2025, 10:02AM"),
        (None, None, None, "41m 7s"),
        (None, None, None, "Sam Reid started transcription"),
    ]
    assert _rows(t)[4:] == [
        ("Sam Reid", "interviewer", 3.0, "Thanks for joining."),
        (
            "Jo Patel",
            "participant",
            9.0,
            "Happy to help.\nWe run the diversion scheme.",
        ),
        ("Sam Reid", "interviewer", 40.0, "How did it start?"),
        (None, None, None, "Sam Reid stopped transcription"),
    ]


def test_docx_teams_layout_with_line_breaks_in_one_paragraph(make_docx):
    p = make_docx(
        "teams2.docx",
        [
            "Sam Reid   0:00:03\nThanks for joining.",
            "Jo Patel   0:00:09\nHappy to help.",
        ],
    )
    assert [(u.speaker, u.time_start) for u in read_transcript(p).turns] == [
        ("Sam Reid", 3.0),
        ("Jo Patel", 9.0),
    ]


def test_docx_caption_layout(make_docx):
    p = make_docx(
        "stream.docx",
        [
            "0:0:0.0 --> 0:0:4.500",
            "Sam Reid",
            "Shall we start?",
            "0:0:4.500 --> 0:0:9.0",
            "Jo Patel",
            "Yes, fine.",
        ],
    )
    t = read_transcript(p)
    assert [(u.speaker, u.time_start, u.time_end, u.text) for u in t.turns] == [
        ("Sam Reid", 0.0, 4.5, "Shall we start?"),
        ("Jo Patel", 4.5, 9.0, "Yes, fine."),
    ]


def test_docx_table_with_header(make_docx):
    p = make_docx(
        "table.docx",
        ["Interview 3"],
        tables=[
            [
                ["Time", "Speaker", "Text"],
                ["00:00:05", "Interviewer", "Your role?"],
                ["00:00:09", "Alex", "Custody sergeant."],
            ]
        ],
    )
    t = read_transcript(p)
    assert _rows(t) == [
        (None, None, None, "Interview 3"),
        ("Interviewer", "interviewer", 5.0, "Your role?"),
        ("Alex", "participant", 9.0, "Custody sergeant."),
    ]


def test_docx_headerless_two_column_speaker_table(make_docx):
    p = make_docx(
        "table2.docx",
        tables=[
            [
                ["I", "Your role?"],
                ["Alex", "Custody sergeant."],
                ["I", "Since when?"],
                ["Alex", "2019."],
            ]
        ],
    )
    assert [u.speaker for u in read_transcript(p).turns] == ["I", "Alex", "I", "Alex"]


def test_docx_other_tables_read_as_paragraphs(make_docx):
    p = make_docx(
        "other.docx",
        ["I: Which priorities?", "P1: These ones."],
        tables=[
            [["Priority", "Owner", "Budget"], ["Naloxone", "Public health", "£20k"]]
        ],
    )
    t = read_transcript(p)
    assert (
        t.turns[1].text
        == "These ones.\nPriority\nOwner\nBudget\nNaloxone\nPublic health\n£20k"
    )


def test_docx_no_labels_each_paragraph_a_turn(make_docx):
    p = make_docx("memo.docx", ["First point.", "Second point: more detail."])
    assert _rows(read_transcript(p)) == [
        (None, None, None, "First point."),
        (None, None, None, "Second point: more detail."),
    ]


def test_docx_tracked_changes(make_docx):
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    path = make_docx("tracked.docx", ["I: Go on.", "P1: We "])
    d = Document(path)
    para = d.paragraphs[1]

    def run(text, deleted=False):
        r = OxmlElement("w:r")
        t = OxmlElement("w:delText" if deleted else "w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        return r

    ins, dele = OxmlElement("w:ins"), OxmlElement("w:del")
    for el in (ins, dele):
        el.set(qn("w:id"), "1")
        el.set(qn("w:author"), "x")
    ins.append(run("divert people"))
    dele.append(run(" arrest everyone"))
    para._p.append(ins)
    para._p.append(dele)
    d.save(path)
    assert read_transcript(path).turns[1].text == "We divert people"


def test_docx_truncated(make_docx, tmp_path):
    good = make_docx("good.docx", ["I: Hello.", "P1: Hi."]).read_bytes()
    bad = tmp_path / "truncated.docx"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(
        ImportFormatError, match=r"\[QC206\].*truncated\.docx.*not a readable docx"
    ) as info:
        read_transcript(bad)
    assert isinstance(info.value.__cause__, Exception)


def test_docx_zip_without_document_part(tmp_path):
    p = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ImportFormatError, match=r"\[QC206\].*nodoc\.docx"):
        read_transcript(p)


def test_docx_damaged_xml(make_docx, tmp_path):
    src = make_docx("ok.docx", ["I: Hello."])
    dst = tmp_path / "badxml.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    with pytest.raises(ImportFormatError, match=r"\[QC206\].*badxml\.docx"):
        read_transcript(dst)


@pytest.mark.parametrize(
    "content,hint",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old binary Word .doc"),
        (b"{\\rtf1 hello}", "RTF"),
        (b"I: just text\n", "not a zip"),
    ],
    ids=["ole", "rtf", "text"],
)
def test_docx_not_a_docx_gives_hint(tmp_path, content, hint):
    p = tmp_path / "fake.docx"
    p.write_bytes(content)
    with pytest.raises(ImportFormatError, match=rf"\[QC206\].*{hint}"):
        read_transcript(p)


def test_docx_without_text(make_docx):
    with pytest.raises(ImportFormatError, match=r"\[QC214\].*blank\.docx"):
        read_transcript(make_docx("blank.docx", ["", "  "]))


def test_docx_empty_file(tmp_path):
    p = tmp_path / "zero.docx"
    p.write_bytes(b"")
    with pytest.raises(ImportFormatError, match=r"\[QC202\]"):
        read_transcript(p)
