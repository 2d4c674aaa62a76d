"""WebVTT: Teams voice tags, Zoom cues, NOTE/STYLE blocks, merging, bad timings."""

from __future__ import annotations

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError, ImportWarning_


def _vtt(tmp_path, body, header="WEBVTT\n\n", **kw):
    p = tmp_path / "c.vtt"
    p.write_text(header + body, encoding="utf-8")
    return read_transcript(p, **kw)


def _rows(t):
    return [(u.speaker, u.role, u.time_start, u.time_end, u.text) for u in t.turns]


def test_vtt_teams_fixture(data_io):
    t = read_transcript(data_io / "teams.vtt")
    assert _rows(t) == [
        (
            "Sam Reid (Researcher)",
            "interviewer",
            1.2,
            4.8,
            "Thanks for joining. Could you describe your current role?",
        ),
        (
            "DS Alex Khan",
            "participant",
            5.0,
            13.0,
            "I lead a small team on the county lines desk, mostly Pursue work but "
            "more & more safeguarding.",
        ),
        ("Sam Reid (Researcher)", "interviewer", 13.4, 16.0, "And diversion?"),
        (
            "DS Alex Khan",
            "participant",
            13.4,
            21.0,
            "[crosstalk] Yes. We refer people to treatment rather than charge.",
        ),
    ]
    assert t.format == "vtt" and all(t.text[u.start : u.end] == u.text for u in t.turns)


def test_vtt_voice_without_closing_tag(tmp_path):
    t = _vtt(
        tmp_path, "00:00:01.000 --> 00:00:02.000\n<v Jo Patel>No closing tag here\n"
    )
    assert _rows(t) == [("Jo Patel", "participant", 1.0, 2.0, "No closing tag here")]


def test_vtt_voice_with_closing_tag(tmp_path):
    t = _vtt(tmp_path, "00:00:01.000 --> 00:00:02.000\n<v Jo Patel>Closed.</v>\n")
    assert _rows(t) == [("Jo Patel", "participant", 1.0, 2.0, "Closed.")]


def test_vtt_two_voices_in_one_cue(tmp_path):
    t = _vtt(
        tmp_path,
        "00:00:01.000 --> 00:00:03.000\n<v Interviewer>Right?</v>\n<v Jo>Right.</v>\n",
    )
    assert [(u.speaker, u.text) for u in t.turns] == [
        ("Interviewer", "Right?"),
        ("Jo", "Right."),
    ]


def test_vtt_consecutive_cues_merged_first_start_last_end(tmp_path):
    body = "".join(
        f"00:00:0{i}.000 --> 00:00:0{i}.900\n<v Jo>part {i}</v>\n\n"
        for i in range(1, 5)
    )
    t = _vtt(tmp_path, body)
    assert _rows(t) == [("Jo", "participant", 1.0, 4.9, "part 1 part 2 part 3 part 4")]


def test_vtt_zoom_fixture(data_io):
    t = read_transcript(data_io / "zoom.vtt")
    assert [(u.speaker, u.role, u.time_start, u.time_end) for u in t.turns] == [
        ("Interviewer", "interviewer", 0.5, 3.0),
        ("Insp Jo Patel", "participant", 3.2, 11.0),
        (None, None, 11.5, 12.5),
        ("Interviewer", "interviewer", 13.0, 15.0),
    ]
    assert (
        t.turns[1].text
        == "Education in schools, mostly. And work with partners on naloxone."
    )


def test_vtt_zoom_speaker_heard_once_counts_in_labelled_file(tmp_path):
    body = "".join(
        f"00:00:0{i}.000 --> 00:00:0{i}.500\n{who}: words {i}.\n\n"
        for i, who in enumerate(["Interviewer", "Jo Patel", "Interviewer", "Supt Grey"])
    )
    t = _vtt(tmp_path, body)
    assert [u.speaker for u in t.turns] == [
        "Interviewer",
        "Jo Patel",
        "Interviewer",
        "Supt Grey",
    ]


def test_vtt_note_style_region_blocks_skipped(tmp_path):
    body = (
        "NOTE\nmulti-line note\n\nSTYLE\n::cue { color: red }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "00:00:01.000 --> 00:00:02.000 region:fred align:left size:50%\n"
        "<v Jo>Only this.</v>\n"
    )
    assert [u.text for u in _vtt(tmp_path, body).turns] == ["Only this."]


def test_vtt_cue_ids_and_settings_not_in_text(tmp_path):
    t = _vtt(
        tmp_path, "intro-1\n00:00:01.000 --> 00:00:02.000 line:0 position:20%\nHello.\n"
    )
    assert t.text == "Hello." and t.turns[0].speaker is None and t.turns[0].role is None


def test_vtt_inline_tags_and_entities(tmp_path):
    t = _vtt(
        tmp_path,
        "00:01.000 --> 00:02.000\n<c.yellow>Fish</c> &lt;&amp;&gt; <b>chips</b>"
        "<00:00:01.500> <i>now</i> <lang en-GB>please</lang>\n",
    )
    assert t.turns[0].text == "Fish <&> chips now please"


def test_vtt_timestamps_without_hours(tmp_path):
    t = _vtt(tmp_path, "01:02.500 --> 01:04.000\nShort form.\n")
    assert (t.turns[0].time_start, t.turns[0].time_end) == (62.5, 64.0)


def test_vtt_cues_without_speakers_stay_separate(tmp_path):
    t = _vtt(
        tmp_path, "00:01.000 --> 00:02.000\nOne.\n\n00:02.000 --> 00:03.000\nTwo.\n"
    )
    assert [u.text for u in t.turns] == ["One.", "Two."]


def test_vtt_missing_blank_line_between_cues(tmp_path):
    t = _vtt(
        tmp_path,
        "1\n00:01.000 --> 00:02.000\n<v Jo>One.</v>\n"
        "2\n00:02.000 --> 00:03.000\n<v Sam>Two.</v>\n",
    )
    assert [(u.speaker, u.text) for u in t.turns] == [("Jo", "One."), ("Sam", "Two.")]


def test_vtt_speakers_mapping(data_io):
    t = read_transcript(
        data_io / "teams.vtt", speakers={"DS Alex Khan": {"name": "P2"}}
    )
    assert [u.speaker for u in t.turns] == [
        "Sam Reid (Researcher)",
        "P2",
        "Sam Reid (Researcher)",
        "P2",
    ]


@pytest.mark.parametrize(
    "timing",
    [
        "00:00:0x.000 --> 00:00:02.000",
        "00:00:01.000 --> 00:61:02.000",
        "00:00:01.000 --> soon",
        "1 2 3 --> 4 5",
        "00:00:01.000 -> 00:00:02.000",
    ],
    ids=["letter", "minutes", "word", "spaces", "arrow"],
)
def test_vtt_malformed_timestamp_names_line(tmp_path, timing):
    body = f"00:00:00.000 --> 00:00:01.000\nFine.\n\n{timing}\nBroken.\n"
    with pytest.raises(
        ImportFormatError, match=r"\[QC21[06]\] .*c\.vtt, line 6"
    ) as info:
        _vtt(tmp_path, body)
    assert info.value.line == 6 and info.value.path.endswith("c.vtt")


def test_vtt_malformed_timestamp_skipped_when_not_strict(tmp_path):
    body = "00:00:00.000 --> 00:00:01.000\nFine.\n\n"
    body += "00:00:0x.000 --> 00:00:02.000\nBroken.\n"
    with pytest.warns(ImportWarning_, match=r"\[QC219\].*line 6"):
        t = _vtt(tmp_path, body, strict=False)
    assert [u.text for u in t.turns] == ["Fine."]


def test_vtt_cue_ending_before_start(tmp_path):
    with pytest.raises(
        ImportFormatError, match=r"\[QC211\].*line 3.*00:00:01.*00:00:05"
    ):
        _vtt(tmp_path, "00:00:05.000 --> 00:00:01.000\nBackwards.\n")


def test_vtt_block_without_timing(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC216\].*line 3"):
        _vtt(tmp_path, "just some text\nwith no timing\n")


def test_vtt_missing_header(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC212\].*line 1"):
        _vtt(tmp_path, "00:00:01.000 --> 00:00:02.000\nHi.\n", header="")


def test_vtt_missing_header_tolerated_when_not_strict(tmp_path):
    with pytest.warns(ImportWarning_, match=r"\[QC219\]"):
        t = _vtt(
            tmp_path, "00:00:01.000 --> 00:00:02.000\nHi.\n", header="", strict=False
        )
    assert t.text == "Hi."


def test_vtt_only_notes_is_error(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC214\]"):
        _vtt(tmp_path, "NOTE nothing else\n")


def test_vtt_utf8_bom_and_crlf(tmp_path):
    p = tmp_path / "bom.vtt"
    p.write_bytes(
        b"\xef\xbb\xbfWEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\n<v Jo>Hi.\r\n"
    )
    t = read_transcript(p)
    assert (t.text, t.encoding) == ("Jo: Hi.", "utf-8-sig")
