"""SubRip: index, timing, Name: prefixes, styling, malformed timings."""

from __future__ import annotations

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError, ImportWarning_

BAD_SECOND_CUE = (
    "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\n2\n00:00:02,000 --> 00:00:3,0a0\nTwo.\n"
)


def _srt(tmp_path, body, **kw):
    p = tmp_path / "s.srt"
    p.write_text(body, encoding="utf-8")
    return read_transcript(p, **kw)


def test_srt_fixture(data_io):
    t = read_transcript(data_io / "subtitles.srt")
    assert [(u.speaker, u.role, u.time_start, u.time_end, u.text) for u in t.turns] == [
        ("Interviewer", "interviewer", 1.0, 3.5, "Who decides on diversion?"),
        (
            "Chief Insp. Lee",
            "participant",
            3.6,
            9.25,
            "Custody sergeants, within policy. "
            "And the drug service assesses them the next day.",
        ),
        ("Interviewer", "interviewer", 9.5, 11.0, "Thanks."),
    ]
    assert t.format == "srt"


def test_srt_missing_index_tolerated(tmp_path):
    t = _srt(
        tmp_path,
        "00:00:01,000 --> 00:00:02,000\nOne.\n\n00:00:02,000 --> 00:00:03,000\nTwo.\n",
    )
    assert [u.text for u in t.turns] == ["One.", "Two."]


def test_srt_dot_milliseconds_tolerated(tmp_path):
    assert (
        _srt(tmp_path, "1\n00:00:01.250 --> 00:00:02.000\nOne.\n").turns[0].time_start
        == 1.25
    )


def test_srt_voice_tag(tmp_path):
    t = _srt(tmp_path, "1\n00:00:01,000 --> 00:00:02,000\n<v Jo>Hi.</v>\n")
    assert (t.turns[0].speaker, t.turns[0].text) == ("Jo", "Hi.")


def test_srt_malformed_timestamp_names_line(tmp_path):
    body = BAD_SECOND_CUE
    with pytest.raises(
        ImportFormatError, match=r"\[QC210\] .*s\.srt, line 6.*'00:00:3,0a0'"
    ):
        _srt(tmp_path, body)


def test_srt_malformed_skipped_when_not_strict(tmp_path):
    body = BAD_SECOND_CUE
    with pytest.warns(ImportWarning_, match=r"line 6"):
        t = _srt(tmp_path, body, strict=False)
    assert [u.text for u in t.turns] == ["One."]


def test_srt_block_without_timing(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC216\].*line 5"):
        _srt(tmp_path, "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\n2\nNo timing here.\n")


def test_srt_utf16(tmp_path):
    p = tmp_path / "u16.srt"
    p.write_text(
        "1\r\n00:00:01,000 --> 00:00:02,000\r\nInterviewer: Hi.\r\n", encoding="utf-16"
    )
    t = read_transcript(p)
    assert (t.encoding, t.turns[0].speaker, t.turns[0].text) == (
        "utf-16",
        "Interviewer",
        "Hi.",
    )


def test_srt_empty(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC202\]"):
        _srt(tmp_path, "\n\n")
