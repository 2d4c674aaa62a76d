"""read_transcript: dispatch, ids, parameter checks, missing files, properties."""

from __future__ import annotations

import warnings
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode import read_transcript
from qualcode.errors import (
    ImportFormatError,
    InvalidInputError,
    QualcodeError,
    QualcodeWarning,
)


def test_read_transcript_dispatches_by_suffix(data_io):
    formats = {
        f: read_transcript(data_io / f).format
        for f in ("otter.txt", "teams.vtt", "subtitles.srt")
    }
    assert formats == {"otter.txt": "txt", "teams.vtt": "vtt", "subtitles.srt": "srt"}


def test_read_transcript_suffix_case_insensitive(tmp_path):
    p = tmp_path / "UPPER.TXT"
    p.write_text("I: Hi.\nP: Yes.")
    assert read_transcript(p).format == "txt"


def test_read_transcript_format_overrides_suffix(tmp_path, data_io):
    p = tmp_path / "captions.log"
    p.write_bytes((data_io / "zoom.vtt").read_bytes())
    assert read_transcript(p, format="VTT").format == "vtt"


def test_read_transcript_unknown_suffix(tmp_path):
    p = tmp_path / "notes.md"
    p.write_text("# hi")
    with pytest.raises(
        ImportFormatError,
        match=r"\[QC203\] .*notes\.md: unknown format '\.md'.*format=",
    ):
        read_transcript(p)


def test_read_transcript_bad_format_value(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("x")
    with pytest.raises(
        InvalidInputError, match=r"\[QC101\] The 'format' parameter of read_transcript"
    ):
        read_transcript(p, format="odt")


def test_read_transcript_missing_file(tmp_path):
    with pytest.raises(
        ImportFormatError, match=r"\[QC201\] .*nowhere\.docx: file not found"
    ) as info:
        read_transcript(tmp_path / "nowhere.docx")
    assert info.value.path.endswith("nowhere.docx")


def test_read_transcript_folder_is_error(tmp_path):
    d = tmp_path / "folder.txt"
    d.mkdir()
    with pytest.raises(ImportFormatError, match=r"\[QC215\].*read_corpus"):
        read_transcript(d)


def test_read_transcript_id_defaults_to_stem_and_can_be_set(data_io):
    assert read_transcript(data_io / "otter.txt").id == "otter"
    assert read_transcript(data_io / "otter.txt", id="int04").id == "int04"


def test_read_transcript_bad_id(data_io):
    with pytest.raises(InvalidInputError, match=r"'id'"):
        read_transcript(data_io / "otter.txt", id="  ")


def test_read_transcript_bad_path_type():
    with pytest.raises(InvalidInputError, match=r"'path'"):
        read_transcript(42)


def test_read_transcript_source_recorded(data_io):
    assert read_transcript(data_io / "zoom.vtt").source == str(data_io / "zoom.vtt")


# -- properties ------------------------------------------------------------------
ROLE_LABELS = [
    "I",
    "P1",
    "Interviewer",
    "Participant 2",
    "Q",
    "A",
    "Speaker 3",
    "Researcher",
    "R",
]
NAMED = ["DS Khan", "Sam Reid", "Chief Insp. Lee", "Jo O'Neill-Patel"]
WORDS = [
    "the",
    "drugs",
    "harm",
    "naloxone",
    "we",
    "it's",
    "county",
    "lines",
    "[inaudible]",
    "[crosstalk]",
    "(laughs)",
    "diversion,",
    "arrest.",
    "why?",
    "café",
    "“quoted”",
    "–",
    "e.g.",
    "note:",
    "10:30",
    "£5",
]

line_st = st.lists(st.sampled_from(WORDS[:9]), min_size=1, max_size=1).flatmap(
    lambda first: st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(
        lambda rest: " ".join(first + rest)
    )
)
turn_st = st.tuples(
    st.sampled_from(ROLE_LABELS + NAMED),
    st.lists(line_st, min_size=1, max_size=3),
    st.one_of(st.none(), st.integers(0, 3 * 3600)),
)


def _render(turns, *, blank, style):
    out = []
    for label, lines, secs in turns:
        stamp = (
            ""
            if secs is None
            else f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
        )
        head = (
            {"before": f"[{stamp}] {label}: ", "after": f"{label} ({stamp}): "}[style]
            if stamp
            else f"{label}: "
        )
        out.append(head + lines[0])
        out.extend(lines[1:])
        if blank:
            out.append("")
    return "\n".join(out)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    turns=st.lists(turn_st, min_size=1, max_size=8),
    blank=st.booleans(),
    style=st.sampled_from(["before", "after"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_read_transcript_generated_txt_roundtrip(
    tmp_path, turns, blank, style, encoding, newline
):
    # named labels must recur to count as speakers (the documented rule)
    for label, _lines, _secs in list(turns):
        if label in NAMED and sum(t[0] == label for t in turns) < 2:
            turns.append((label, ["again"], None))
    p = tmp_path / "gen.txt"
    p.write_bytes(
        _render(turns, blank=blank, style=style).replace("\n", newline).encode(encoding)
    )
    t = read_transcript(p)
    assert all(t.text[u.start : u.end] == u.text for u in t.turns)
    assert "\r" not in t.text and "\ufeff" not in t.text
    assert [(u.speaker, u.text, u.time_start) for u in t.turns] == [
        (label, "\n".join(lines), None if secs is None else float(secs))
        for label, lines, secs in turns
    ]


SUFFIXES = [".txt", ".docx", ".vtt", ".srt", ".pdf"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(min_size=0, max_size=600), suffix=st.sampled_from(SUFFIXES))
def test_read_transcript_random_bytes_raise_only_qualcode_errors(
    tmp_path, data, suffix
):
    p = tmp_path / f"random{suffix}"
    p.write_bytes(data)
    try:
        with warnings.catch_warnings():  # warnings (e.g. QC228 repairs) are no errors
            warnings.simplefilter("ignore", QualcodeWarning)
            read_transcript(p)
    except QualcodeError as exc:
        assert "[QC222]" not in str(exc), "an importer leaked an unexpected exception"


def _container_bytes(tmp_path, suffix):
    if suffix == ".docx":
        import docx

        d = docx.Document()
        d.add_paragraph("Interviewer: What works?")
        d.add_paragraph("P1: Diversion works.")
        path = tmp_path / "base.docx"
        d.save(path)
    else:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.cell(0, 7, "We will reduce drug-related harm.")
        path = tmp_path / "base.pdf"
        pdf.output(str(path))
    return path.read_bytes()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    suffix=st.sampled_from([".docx", ".pdf"]),
    cuts=st.lists(
        st.tuples(st.floats(0, 1), st.binary(max_size=8)), min_size=1, max_size=4
    ),
)
def test_read_transcript_damaged_containers_raise_only_qualcode_errors(
    tmp_path, suffix, cuts
):
    data = bytearray(_container_bytes(tmp_path, suffix))
    for where, junk in cuts:
        i = int(where * (len(data) - 1))
        data[i : i + len(junk)] = junk
    p = tmp_path / f"damaged{suffix}"
    p.write_bytes(bytes(data))
    try:
        read_transcript(p)
    except QualcodeError as exc:
        assert "[QC222]" not in str(exc), "an importer leaked an unexpected exception"


def test_read_transcript_zip_bomb_like_docx_member_missing(tmp_path):
    p = tmp_path / "odd.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ImportFormatError, match=r"\[QC206\]"):
        read_transcript(p)
