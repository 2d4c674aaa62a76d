"""Encodings and newlines: qualcode.io._decode, and through read_transcript."""

from __future__ import annotations

import codecs

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError, ImportWarning_
from qualcode.io._decode import decode

TEXT = "Interviewer: Café culture? “Naïve” – maybe.\nP1: Oui, déjà vu.\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf32-bom",
        "utf16le-nobom",
        "cp1252",
    ],
)
def test_decode_detects_encoding(data, encoding):
    out = decode(data, path="x.txt")
    assert (out.text, out.encoding) == (TEXT, encoding)


@pytest.mark.parametrize(
    "bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")]
)
def test_decode_bom_never_in_text(tmp_path, bom, codec):
    p = tmp_path / "bom.txt"
    p.write_bytes(bom + TEXT.encode(codec))
    t = read_transcript(p)
    assert "\ufeff" not in t.text and t.text.startswith("Interviewer: ")


def test_decode_transcript_reports_encoding(tmp_path):
    p = tmp_path / "win.txt"
    p.write_bytes(TEXT.encode("cp1252"))
    t = read_transcript(p)
    assert t.encoding == "cp1252" and "“Naïve”" in t.turns[0].text


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_decode_newlines_normalised(tmp_path, newline):
    p = tmp_path / "nl.txt"
    p.write_bytes(TEXT.replace("\n", newline).encode("utf-8"))
    t = read_transcript(p)
    assert "\r" not in t.text
    assert [u.text for u in t.turns] == [
        "Café culture? “Naïve” – maybe.",
        "Oui, déjà vu.",
    ]


def test_decode_forced_encoding_used(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("I: Ça va?\nP: Oui.\n".encode("latin-1"))
    assert read_transcript(p, encoding="latin-1").encoding == "latin-1"


def test_decode_forced_encoding_error_names_line():
    data = "line one\nline two ä\n".encode("latin-1")
    with pytest.raises(ImportFormatError, match=r"\[QC204\] x\.txt.*line 2") as info:
        decode(data, path="x.txt", encoding="utf-8")
    assert info.value.line == 2 and isinstance(info.value.__cause__, UnicodeDecodeError)


def test_decode_unknown_codec_is_import_error():
    with pytest.raises(
        ImportFormatError, match=r"\[QC204\].*unknown encoding 'klingon'"
    ):
        decode(b"abc", path="x.txt", encoding="klingon")


def test_decode_undecodable_bytes_name_position():
    # 0x81 is undefined in cp1252 and invalid as UTF-8
    with pytest.raises(
        ImportFormatError, match=r"\[QC204\].*byte 9 \(line 2\)"
    ) as info:
        decode(b"abc\ndefgh\x81", path="x.txt")
    assert info.value.position == 9


def test_decode_nul_bytes_rejected_as_binary():
    with pytest.raises(ImportFormatError, match=r"\[QC217\].*NUL"):
        decode(b"abc\x00\x00\x01defgh\x00", path="x.txt")


def test_decode_zip_container_rejected_with_hint(tmp_path, make_docx):
    docx_path = make_docx("real.docx", ["I: Hello."])
    renamed = tmp_path / "real.txt"
    renamed.write_bytes(docx_path.read_bytes())
    with pytest.raises(ImportFormatError, match=r"\[QC217\].*format='docx'"):
        read_transcript(renamed)


# -- issue 22: one stray Windows-1252 byte in a UTF-8 file ------------------------
STRAY = (
    "Interviewer: Tell me about Zoë and José.\n"
    "P1: They said \x92no\x92 to the plan.\n"  # \x92: a Word curly quote, cp1252
    "Interviewer: Why?\n"
)


def _stray_bytes() -> bytes:
    # the text as UTF-8, except the two cp1252 bytes pasted in on line 2
    return STRAY.encode("utf-8").replace("\xc2\x92".encode("latin-1"), b"\x92")


def test_issue22_stray_cp1252_byte_keeps_utf8_text():
    data = _stray_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the case: not valid UTF-8 as a whole
    with pytest.warns(ImportWarning_, match=r"\[QC228\] x\.txt, line 2"):
        out = decode(data, path="x.txt")
    assert out.encoding == "utf-8"
    assert "Zoë and José" in out.text and "Ã" not in out.text
    assert "said ’no’ to" in out.text  # the stray bytes repaired as cp1252


def test_issue22_stray_byte_warning_quotes_no_text(tmp_path):
    p = tmp_path / "int07.txt"
    p.write_bytes(_stray_bytes())
    with pytest.warns(ImportWarning_) as rec:
        t = read_transcript(p)
    msg = str(rec[0].message)
    assert "int07.txt" in msg and "line 2" in msg
    for word in ("Zoë", "José", "said", "plan", "’"):
        assert word not in msg
    assert t.encoding == "utf-8" and t.turns[0].text.endswith("Zoë and José.")


def test_decode_stray_undefined_byte_becomes_replacement_character():
    data = "P1: Zoë says hi\x81.\n".encode().replace(b"\xc2\x81", b"\x81")
    with pytest.warns(ImportWarning_, match=r"line 1"):
        out = decode(data, path="x.txt")
    assert out.text == "P1: Zoë says hi\ufffd.\n"


def test_decode_mostly_cp1252_file_is_still_cp1252():
    # many cp1252 accents and no valid UTF-8 sequence: the legacy file rule holds
    out = decode("Café, naïve, déjà vu, “quoted”.\n".encode("cp1252"), path="x.txt")
    assert out.encoding == "cp1252"


def test_issue22_one_accent_and_two_stray_quotes_stay_utf8():
    data = "I: Zoë?\nP1: Yes \x92quite\x92.\n".encode().replace(b"\xc2\x92", b"\x92")
    with pytest.warns(ImportWarning_, match=r"line 2"):
        out = decode(data, path="x.txt")
    assert out.encoding == "utf-8" and out.text.startswith("I: Zoë?")
