"""Label, timestamp and role rules: qualcode.io._speakers."""

from __future__ import annotations

import pytest

from qualcode.errors import InvalidInputError
from qualcode.io._speakers import (
    SpeakerMap,
    default_role,
    match_header,
    match_label,
    parse_clock,
)


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("00:01:23", 83.0),
        ("[00:01:23]", 83.0),
        ("(00:01:23)", 83.0),
        ("1:23", 83.0),
        ("1:02:03", 3723.0),
        ("0:0:5.120", 5.12),
        ("00:00:01,500", 1.5),
        ("101:00:00", 363600.0),
    ],
)
def test_speakers_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["1:75", "ab:cd", "12", "1:2:3:4"])
def test_speakers_parse_clock_rejects(text):
    assert parse_clock(text) is None


@pytest.mark.parametrize(
    "line,label,time,rest",
    [
        ("I: Hello", "I", None, "Hello"),
        ("P1: Yes.", "P1", None, "Yes."),
        ("Interviewer:", "Interviewer", None, ""),
        ("[00:01:23] Interviewer: Go on", "Interviewer", 83.0, "Go on"),
        ("(00:01:23) Q: Go on", "Q", 83.0, "Go on"),
        ("00:01:23 A: Fine", "A", 83.0, "Fine"),
        ("1:23 - DS Khan: Fine", "DS Khan", 83.0, "Fine"),
        ("Interviewer [00:01:23]: Go on", "Interviewer", 83.0, "Go on"),
        ("Interviewer (1:23): Go on", "Interviewer", 83.0, "Go on"),
        ("Interviewer: [00:01:23] Go on", "Interviewer", 83.0, "Go on"),
        (
            "Chief Insp. O'Neill-Smith: Right",
            "Chief Insp. O'Neill-Smith",
            None,
            "Right",
        ),
        ("Sam Reid (Researcher): Hi", "Sam Reid (Researcher)", None, "Hi"),
    ],
)
def test_speakers_match_label(line, label, time, rest):
    m = match_label(line)
    assert (m.label, m.time, m.rest) == (label, time, rest)


@pytest.mark.parametrize(
    "line",
    [
        "We met at 10:30 and talked.",
        "See http://example.org for more.",
        "What I mean to say is this: it works.",  # more than 4 words
        "A very long label that goes beyond forty chars: no",
        "12: twelve",
        "- dash: no",
        "Note:nospace",
    ],
)
def test_speakers_match_label_rejects_shapes(line):
    assert match_label(line) is None


@pytest.mark.parametrize(
    "line,expected",
    [
        ("Speaker 1  0:03", ("Speaker 1", 3.0, True)),
        ("Sam Reid\t1:02:03", ("Sam Reid", 3723.0, True)),
        ("Sam Reid [00:00:09]", ("Sam Reid", 9.0, True)),
        ("Sam Reid 0:09", ("Sam Reid", 9.0, False)),
    ],
)
def test_speakers_match_header(line, expected):
    assert match_header(line) == expected


@pytest.mark.parametrize(
    "label,role",
    [
        ("Interviewer", "interviewer"),
        ("interviewer 2", "interviewer"),
        ("I", "interviewer"),
        ("Q", "interviewer"),
        ("Int", "interviewer"),
        ("INT1", "interviewer"),
        ("Researcher", "interviewer"),
        ("Moderator", "interviewer"),
        ("Sam Reid (Researcher)", "interviewer"),
        ("P1", "participant"),
        ("A", "participant"),
        ("DS Alex Khan", "participant"),
        ("Isla", "participant"),
        ("Quentin", "participant"),
        (None, None),
    ],
)
def test_speakers_default_role(label, role):
    assert default_role(label) == role


def test_speakers_map_role_strings():
    m = SpeakerMap({"Sam Reid": "interviewer", "Alex": "participant", "Chair": None})
    assert [m.resolve(x) for x in ("Sam Reid", "Alex", "Chair")] == [
        ("Sam Reid", "interviewer"),
        ("Alex", "participant"),
        ("Chair", None),
    ]


def test_speakers_map_rename_with_dict():
    m = SpeakerMap(
        {
            "SPEAKER_00": {"name": "Interviewer", "role": "interviewer"},
            "SPEAKER_01": {"name": "P4"},
        }
    )
    assert m.resolve("SPEAKER_00") == ("Interviewer", "interviewer")
    assert m.resolve("SPEAKER_01") == ("P4", "participant")


def test_speakers_map_lookup_case_insensitive_and_numbered():
    m = SpeakerMap({"I": "interviewer", "P": "participant"})
    assert m.resolve("i") == ("i", "interviewer") and m.resolve("P12") == (
        "P12",
        "participant",
    )


def test_speakers_map_unmapped_label_falls_back_to_default():
    m = SpeakerMap({"Sam": "interviewer"})
    assert (
        m.resolve("Interviewer 2") == ("Interviewer 2", "interviewer")
        and m.resolve("Jo")[1] == "participant"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"I": "boss"},
        {"I": {"rank": "x"}},
        {"I": {"role": "chief"}},
        {"I": 3},
        {"": "interviewer"},
        {"I": {"name": ""}},
    ],
)
def test_speakers_map_rejects_bad_entries(bad):
    with pytest.raises(InvalidInputError, match=r"\[QC220\]"):
        SpeakerMap(bad)


def test_speakers_map_rejects_non_mapping():
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'speakers'"):
        SpeakerMap(["I", "P"])


@pytest.mark.parametrize(
    "label,count,accepted",
    [
        ("Note", 5, False),
        ("Date", 2, False),
        ("DS Khan", 1, False),
        ("DS Khan", 2, True),
        ("the answer", 3, False),
        ("p2", 1, True),
        ("Interviewer", 1, True),
    ],
)
def test_speakers_accept_rule(label, count, accepted):
    assert SpeakerMap().accept(label, count) is accepted


def test_speakers_accept_mapped_label_once():
    assert SpeakerMap({"Note": "participant"}).accept("Note", 1)
