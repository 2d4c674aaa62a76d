"""Bounded fuzzing of the importers and the attributes reader (issue 22): whatever
the input, the only exception is a QualcodeError, and what is read keeps the offset
invariant (``text[start:end] == turn.text``, ``\\n`` the only line break)."""

from __future__ import annotations

import io
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode import read_transcript
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.io.attributes import read_attributes

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_words = st.sampled_from(
    ["Zoë", "yes", "no", "harm", "reduction", "DS Khan", "p2", "Note", "the", "—", "é"]
)
_label = st.sampled_from(
    [
        "I",
        "P1",
        "Interviewer",
        "Respondent3 b",
        "jane doe",
        "[Jane Doe]",
        "[p2]",
        "[inaudible]",
        "Note",
        "Speaker 1",
        "Sam\rReid",
        "",
    ]
)
_stamp = st.sampled_from(
    ["", "[00:01:23] ", "00:00:05 ", "(1:23) ", "99:99:99 ", "[00:0x:00] "]
)
_sep = st.sampled_from([": ", " ", "]: ", ":", "  0:03\n"])
_text = st.lists(_words, max_size=6).map(" ".join)
_line = st.one_of(
    st.builds(lambda s, lab, sep, t: f"{s}{lab}{sep}{t}", _stamp, _label, _sep, _text),
    st.sampled_from(
        [
            "",
            "WEBVTT",
            "00:00:01.000 --> 00:00:02.000",
            "00:00:02,000 --> 00:00:01,000",
            "1",
            "NOTE x",
            "<v Sam Reid>Hi</v>",
            "<v>",
            "Transcribed by https://otter.ai",
            "x started transcription",
        ]
    ),
    st.text(max_size=30),
)
_document = st.lists(_line, max_size=25).map("\n".join)
_newline = st.sampled_from(["\n", "\r\n", "\r"])
_encoding = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualcodeWarning)
        return read_transcript(path)


def _check(t) -> None:
    assert "\r" not in t.text
    for u in t.turns:
        assert t.text[u.start : u.end] == u.text
        assert u.speaker is None or ("\n" not in u.speaker and u.speaker.strip())


@SETTINGS
@given(
    doc=_document,
    newline=_newline,
    encoding=_encoding,
    suffix=st.sampled_from([".txt", ".vtt", ".srt"]),
    strict=st.booleans(),
)
def test_fuzz_text_importers_raise_only_qualcode_errors(
    tmp_path, doc, newline, encoding, suffix, strict
):
    p = tmp_path / f"f{suffix}"
    try:
        data = doc.replace("\n", newline).encode(encoding)
    except UnicodeEncodeError:
        data = doc.replace("\n", newline).encode("utf-8", "surrogatepass")
    p.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)
            t = read_transcript(p, strict=strict)
    except QualcodeError as exc:
        assert "[QC222]" not in str(exc), str(exc)
        return
    _check(t)


_xml_safe = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
    ),
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    paragraphs=st.lists(
        st.one_of(st.builds(lambda a, b: f"{a}: {b}", _label, _text), _xml_safe),
        max_size=12,
    ),
    table=st.lists(st.tuples(_label, _text), max_size=4),
)
def test_fuzz_docx_raises_only_qualcode_errors(tmp_path, paragraphs, table):
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text.replace("\r", " "))
    if table:
        tbl = d.add_table(rows=len(table) + 1, cols=2)
        tbl.cell(0, 0).text, tbl.cell(0, 1).text = "Speaker", "Text"
        for i, (who, what) in enumerate(table, start=1):
            tbl.cell(i, 0).text = who.replace("\r", " ")
            tbl.cell(i, 1).text = what
    p = tmp_path / "f.docx"
    d.save(p)
    try:
        t = _read(p)
    except QualcodeError as exc:
        assert "[QC222]" not in str(exc), str(exc)
        return
    _check(t)


_cell = st.one_of(
    st.sampled_from(["", "int01", "int02", "Force A", '"a, b"', '"', "id", " "]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)
_row = st.lists(_cell, min_size=0, max_size=5)


@SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["transcript_id", "id", "", "role", "site", "Unnamed: 1"]),
        max_size=5,
    ),
    rows=st.lists(_row, max_size=6),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    trailing=st.booleans(),
)
def test_fuzz_attributes_csv_raises_only_qualcode_errors(
    tmp_path, header, rows, sep, trailing
):
    lines = [sep.join(header)] + [sep.join(r) + (sep if trailing else "") for r in rows]
    p = tmp_path / "attributes.csv"
    p.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)
            out = read_attributes(p)
    except QualcodeError:
        return
    assert all(isinstance(k, str) and k for k in out)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]))
def test_fuzz_attributes_random_bytes_raise_only_qualcode_errors(
    tmp_path, data, suffix
):
    p = tmp_path / f"attributes{suffix}"
    p.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)
            read_attributes(p)
    except QualcodeError:
        pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=8)), max_size=4))
def test_fuzz_damaged_xlsx_attributes_raise_only_qualcode_errors(tmp_path, cuts):
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"transcript_id": ["int01"], "site": ["North"]}).to_excel(
        buf, index=False
    )
    data = bytearray(buf.getvalue())
    for where, junk in cuts:
        i = int(where * (len(data) - 1))
        data[i : i + len(junk)] = junk
    p = tmp_path / "attributes.xlsx"
    p.write_bytes(bytes(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)
            read_attributes(p)
    except QualcodeError:
        pass
