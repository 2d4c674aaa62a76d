"""PDF documents: pages as paragraphs, de-hyphenation, scans, damage, encryption."""

from __future__ import annotations

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError
from qualcode.io.pdf import dehyphenate


def test_pdf_pages_become_paragraphs(make_pdf):
    p = make_pdf(
        "strategy.pdf",
        [
            ["Drugs Strategy 2030 (fictional)", "Our aim is to reduce harm."],
            ["Section 2: Pursue", "We will disrupt supply."],
        ],
    )
    t = read_transcript(p)
    assert [(u.speaker, u.role, u.time_start, u.text) for u in t.turns] == [
        (
            None,
            None,
            None,
            "Drugs Strategy 2030 (fictional)\nOur aim is to reduce harm.",
        ),
        (None, None, None, "Section 2: Pursue\nWe will disrupt supply."),
    ]
    assert (t.format, t.encoding, t.id) == ("pdf", None, "strategy")


def test_pdf_line_broken_word_joined(make_pdf):
    p = make_pdf("hyph.pdf", [["Neighbourhood polic-", "ing is changing."]])
    assert read_transcript(p).text == "Neighbourhood policing is changing."


def test_pdf_page_number_lines_dropped(make_pdf):
    p = make_pdf("num.pdf", [["Page 1 of 2", "Body one."], ["Body two.", "- 2 -"]])
    assert [u.text for u in read_transcript(p).turns] == ["Body one.", "Body two."]


def test_pdf_blank_pages_skipped(make_pdf):
    p = make_pdf("blank.pdf", [["Only page with text."], []])
    assert len(read_transcript(p).turns) == 1


def test_pdf_without_text_is_clear_error(make_pdf):
    with pytest.raises(ImportFormatError, match=r"\[QC213\].*scan.pdf.*2 page.*OCR"):
        read_transcript(make_pdf("scan.pdf", [[], []]))


def test_pdf_truncated(make_pdf, tmp_path):
    data = make_pdf("ok.pdf", [["Some text."]]).read_bytes()
    bad = tmp_path / "cut.pdf"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(ImportFormatError, match=r"\[QC2\d\d\].*cut\.pdf"):
        read_transcript(bad)


def test_pdf_not_a_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_text("I: hello\n")
    with pytest.raises(
        ImportFormatError, match=r"\[QC206\].*fake\.pdf.*no %PDF header"
    ):
        read_transcript(p)


def test_pdf_encrypted(make_pdf):
    p = make_pdf("locked.pdf", [["Secret plan."]], user_password="s3cret")
    with pytest.raises(ImportFormatError, match=r"\[QC218\].*locked\.pdf.*encrypted"):
        read_transcript(p)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("polic-\ning", "policing"),
        ("drug-related. Also drug-\nrelated", "drug-related. Also drug-related"),
        ("COVID-\n19", "COVID-19"),
        ("Anti-\nSocial", "Anti-Social"),
        ("well-\nbeing and wellbeing", "wellbeing and wellbeing"),
        ("no break - here", "no break - here"),
    ],
)
def test_pdf_dehyphenate(text, expected):
    assert dehyphenate(text) == expected
