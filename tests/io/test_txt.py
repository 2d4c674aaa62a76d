"""Plain-text transcripts: labels, timestamps, Otter headers, multi-line turns."""

from __future__ import annotations

import pytest

from qualcode import read_transcript
from qualcode.errors import ImportFormatError


def _read(tmp_path, text, **kw):
    p = tmp_path / "t.txt"
    p.write_text(text, encoding="utf-8")
    return read_transcript(p, **kw)


def _rows(t):
    return [(u.speaker, u.role, u.text) for u in t.turns]


def _offsets_ok(t):
    return all(t.text[u.start : u.end] == u.text for u in t.turns)


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "I: Hi.\nP: Hello.",
            [("I", "interviewer", "Hi."), ("P", "participant", "Hello.")],
        ),
        (
            "Q: Role?\nA: Sergeant.",
            [("Q", "interviewer", "Role?"), ("A", "participant", "Sergeant.")],
        ),
        (
            "Interviewer: Hi.\nP1: Hello.",
            [("Interviewer", "interviewer", "Hi."), ("P1", "participant", "Hello.")],
        ),
        (
            "Researcher: Hi.\nDS Khan: Hello.\nResearcher: Go on.\nDS Khan: Well.",
            [
                ("Researcher", "interviewer", "Hi."),
                ("DS Khan", "participant", "Hello."),
                ("Researcher", "interviewer", "Go on."),
                ("DS Khan", "participant", "Well."),
            ],
        ),
    ],
    ids=["I-P", "Q-A", "Interviewer-P1", "named"],
)
def test_txt_labels(tmp_path, text, expected):
    t = _read(tmp_path, text)
    assert _rows(t) == expected and _offsets_ok(t)


@pytest.mark.parametrize(
    "line",
    [
        "[00:01:23] I: Go on.",
        "(00:01:23) I: Go on.",
        "00:01:23 I: Go on.",
        "1:23 I: Go on.",
        "I [00:01:23]: Go on.",
        "I (00:01:23): Go on.",
        "I: [00:01:23] Go on.",
        "I 00:01:23: Go on.",
    ],
)
def test_txt_timestamp_before_or_after_label(tmp_path, line):
    t = _read(tmp_path, line + "\nP1: Yes.")
    assert (t.turns[0].speaker, t.turns[0].time_start, t.turns[0].text) == (
        "I",
        83.0,
        "Go on.",
    )


def test_txt_timestamp_line_before_turn(tmp_path):
    t = _read(tmp_path, "[00:00:10]\nI: Go on.\n[00:00:15]\nP1: Yes.")
    assert [u.time_start for u in t.turns] == [10.0, 15.0]


def test_txt_timestamp_line_inside_turn_does_not_leak(tmp_path):
    t = _read(tmp_path, "P1: Part one.\n[00:02:00]\nPart two.\nI: Next?")
    assert [(u.time_start, u.text) for u in t.turns] == [
        (None, "Part one.\nPart two."),
        (None, "Next?"),
    ]


def test_txt_otter_headers(tmp_path, data_io):
    t = read_transcript(data_io / "otter.txt")
    assert [(u.speaker, u.time_start) for u in t.turns] == [
        (None, None),
        ("Speaker 1", 3.0),
        ("PC Morgan", 9.0),
        ("Speaker 1", 62.0),
        ("PC Morgan", 65.0),
    ]


def test_txt_otter_consecutive_entries_of_one_speaker_merged(data_io):
    t = read_transcript(data_io / "otter.txt")
    assert t.turns[2].text == (
        "Eleven years. Response first, then neighbourhoods.\n"
        "We moved to problem-solving around 2019. [inaudible]\n"
        "The harm side only came in later."
    )


def test_txt_otter_footer_dropped(data_io):
    assert "otter.ai" not in read_transcript(data_io / "otter.txt").text


def test_txt_multiline_turns(tmp_path):
    t = _read(
        tmp_path, "I: First line\nsecond line.\nP1: Answer\ncontinues here\nand here."
    )
    assert _rows(t) == [
        ("I", "interviewer", "First line\nsecond line."),
        ("P1", "participant", "Answer\ncontinues here\nand here."),
    ]


def test_txt_blank_line_separated_turns(tmp_path):
    t = _read(tmp_path, "I: One.\n\n\nP1: Two.\n\nI: Three.\n")
    assert [u.text for u in t.turns] == ["One.", "Two.", "Three."]


def test_txt_paragraph_after_blank_line_continues_speaker(tmp_path):
    t = _read(
        tmp_path, "I: Go on.\nP1: First paragraph.\n\nSecond paragraph.\nI: Thanks."
    )
    assert t.turns[1].text == "First paragraph.\nSecond paragraph."


def test_txt_label_alone_on_its_line(tmp_path):
    t = _read(tmp_path, "Interviewer:\nWhat is your role?\n\nP1:\nSergeant.")
    assert _rows(t) == [
        ("Interviewer", "interviewer", "What is your role?"),
        ("P1", "participant", "Sergeant."),
    ]


def test_txt_no_labels_paragraphs_become_turns(tmp_path):
    t = _read(
        tmp_path,
        "The strategy has three aims.\nIt was agreed in 2024.\n\nFirst, reduce harm.\n",
    )
    assert _rows(t) == [
        (None, None, "The strategy has three aims.\nIt was agreed in 2024."),
        (None, None, "First, reduce harm."),
    ]


def test_txt_colon_in_prose_is_not_a_label(tmp_path):
    t = _read(
        tmp_path,
        "I: Go on.\nP1: It was busy.\nNote: we had no van.\n"
        "I: And then?\nP1: Then: nothing.",
    )
    assert [u.speaker for u in t.turns] == ["I", "P1", "I", "P1"]
    assert t.turns[1].text == "It was busy.\nNote: we had no van."


def test_txt_single_unknown_label_is_text(tmp_path):
    t = _read(tmp_path, "I: Go on.\nP1: We were told.\nMy sergeant: do it.\nI: Right.")
    assert t.turns[1].text == "We were told.\nMy sergeant: do it."


def test_txt_speakers_mapping_forces_a_label(tmp_path):
    t = _read(
        tmp_path,
        "I: Go on.\nSupt Grey: Once.\nI: Right.",
        speakers={"Supt Grey": "participant"},
    )
    assert [u.speaker for u in t.turns] == ["I", "Supt Grey", "I"]


def test_txt_annotations_kept(tmp_path):
    t = _read(tmp_path, "I: Go on.\nP1: We [inaudible] went [crosstalk] out (laughs).")
    assert t.turns[1].text == "We [inaudible] went [crosstalk] out (laughs)."


def test_txt_preamble_is_speakerless(data_io):
    t = read_transcript(data_io / "labelled.txt")
    assert t.turns[0].speaker is None and t.turns[0].text.startswith("Interview 07")
    assert t.turns[0].role is None


def test_txt_fixture_turns(data_io):
    t = read_transcript(data_io / "labelled.txt")
    assert [(u.speaker, u.role, u.time_start) for u in t.turns[1:]] == [
        ("I", "interviewer", 5.0),
        ("P7", "participant", 12.0),
        ("I", "interviewer", 62.0),
        ("P7", "participant", 70.0),
        ("I", "interviewer", None),
    ]
    assert t.turns[2].text.endswith("Honestly: it is relentless.") and _offsets_ok(t)


def test_txt_speakers_rename_and_role(tmp_path):
    t = _read(
        tmp_path,
        "S1: Hi.\nS2: Hello.\nS1: Go on.\nS2: Right.",
        speakers={
            "S1": {"name": "Interviewer", "role": "interviewer"},
            "S2": {"name": "P3"},
        },
    )
    assert [(u.speaker, u.role) for u in t.turns[:2]] == [
        ("Interviewer", "interviewer"),
        ("P3", "participant"),
    ]
    assert t.text.startswith("Interviewer: Hi.")


def test_txt_teams_transcription_events_are_own_turns(tmp_path):
    t = _read(
        tmp_path,
        "Sam Reid started transcription\n\nSam  0:01\nHello.\n\nJo  0:05\nHi.\n\n"
        "Sam Reid stopped transcription\n",
    )
    assert _rows(t)[0] == (None, None, "Sam Reid started transcription")
    assert _rows(t)[-1] == (None, None, "Sam Reid stopped transcription")


def test_txt_caption_blocks(tmp_path):
    t = _read(
        tmp_path,
        "0:0:0.0 --> 0:0:5.120\nSam Reid\nHello everyone.\n\n"
        "0:0:5.120 --> 0:0:8.0\nSam Reid\n"
        "Let us start.\n\n0:0:8.0 --> 0:0:10.0\nAlex Khan\nSure.\n",
    )
    assert [(u.speaker, u.time_start, u.time_end, u.text) for u in t.turns] == [
        ("Sam Reid", 0.0, 8.0, "Hello everyone.\nLet us start."),
        ("Alex Khan", 8.0, 10.0, "Sure."),
    ]


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"], ids=["empty", "whitespace"])
def test_txt_empty_file(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    with pytest.raises(ImportFormatError, match=r"\[QC202\].*empty\.txt.*empty"):
        read_transcript(p)


def test_txt_only_timestamps_is_error(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC214\]"):
        _read(tmp_path, "[00:00:01]\n\n[00:00:02]\n")


def test_txt_stored_layout(tmp_path):
    t = _read(tmp_path, "I: Hi.\nP1: Hello.")
    assert t.text == "I: Hi.\n\nP1: Hello." and t.format == "txt"
