"""Speaker labels as real exports write them (issue 17): lower-case Zoom names,
bracketed labels, one-off labels shaped like their neighbours."""

from __future__ import annotations

import pytest

from qualcode import read_transcript


def _vtt(tmp_path, cues, name="zoom.vtt"):
    body = "WEBVTT\n\n" + "\n".join(
        f"{i + 1}\n00:00:{i:02d}.000 --> 00:00:{i:02d}.900\n{text}\n"
        for i, text in enumerate(cues)
    )
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return read_transcript(p)


def _srt(tmp_path, cues, name="pod.srt"):
    body = "\n".join(
        f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{text}\n"
        for i, text in enumerate(cues)
    )
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return read_transcript(p)


def _txt(tmp_path, lines, name="fg.txt"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_transcript(p)


def _who(t):
    return [(u.speaker, u.text) for u in t.turns]


# -- lower-case names in cue labels (Zoom display names) ----------------------------
def test_issue17_lowercase_zoom_names_in_vtt_cues(tmp_path):
    t = _vtt(
        tmp_path,
        [
            "sam reid: How long have you served?",
            "jane doe: Twelve years, mostly in neighbourhoods.",
            "sam reid: And before that?",
            "jane doe: Response.",
        ],
    )
    assert [u.speaker for u in t.turns] == ["sam reid", "jane doe"] * 2
    assert t.turns[1].text == "Twelve years, mostly in neighbourhoods."


def test_issue17_lowercase_name_said_once_in_a_labelled_zoom_file(tmp_path):
    t = _vtt(
        tmp_path,
        [
            "sam reid: How long have you served?",
            "jane doe: Twelve years.",
            "sam reid: And you?",
            "alex khan: Three.",
            "sam reid: Thanks.",
        ],
    )
    assert t.turns[3].speaker == "alex khan" and t.turns[3].text == "Three."


def test_issue17_lowercase_names_in_srt_cues(tmp_path):
    t = _srt(tmp_path, ["sam reid: Ready?", "jane doe: Yes.", "sam reid: Good."])
    assert [u.speaker for u in t.turns] == ["sam reid", "jane doe", "sam reid"]


@pytest.mark.parametrize(
    "cue",
    [
        "so basically: we stopped doing that",
        "and you know what: it worked",
        "the thing is: nobody asked",
    ],
)
def test_speakers_lowercase_prose_in_cues_stays_text(tmp_path, cue):
    t = _vtt(tmp_path, [cue, "Then we moved on.", cue])
    assert all(u.speaker is None for u in t.turns)
    assert t.turns[0].text == cue


# -- bracketed labels ------------------------------------------------------------
def test_issue17_bracketed_names_in_srt(tmp_path):
    t = _srt(
        tmp_path,
        [
            "[Jane Doe] So when we started the scheme",
            "[Jane Doe] we had no idea.",
            "[Sam Reid] Right. Who funded it?",
            "[Jane Doe] The council.",
        ],
    )
    assert _who(t) == [
        ("Jane Doe", "So when we started the scheme we had no idea."),
        ("Sam Reid", "Right. Who funded it?"),
        ("Jane Doe", "The council."),
    ]
    assert [u.role for u in t.turns] == ["participant"] * 3


def test_issue17_bracketed_labels_in_focus_group_text(tmp_path):
    t = _txt(
        tmp_path,
        [
            "[Moderator] What does diversion mean here?",
            "[p2] yes, I think it means fewer arrests.",
            "[p1] and more referrals.",
            "[p2] Exactly.",
            "[Moderator] Thanks.",
        ],
    )
    assert [(u.speaker, u.role) for u in t.turns] == [
        ("Moderator", "interviewer"),
        ("p2", "participant"),
        ("p1", "participant"),
        ("p2", "participant"),
        ("Moderator", "interviewer"),
    ]
    assert t.turns[1].text == "yes, I think it means fewer arrests."


def test_issue17_bracketed_label_with_colon_in_vtt(tmp_path):
    t = _vtt(tmp_path, ["[Sam Reid]: Ready?", "[Jane Doe]: Yes.", "[Sam Reid]: Go."])
    assert _who(t) == [
        ("Sam Reid", "Ready?"),
        ("Jane Doe", "Yes."),
        ("Sam Reid", "Go."),
    ]


def test_issue17_bracketed_label_alone_on_a_line_in_text(tmp_path):
    t = _txt(
        tmp_path,
        [
            "[Sam Reid]",
            "How long?",
            "",
            "[Jane Doe]",
            "Ten years.",
            "",
            "[Sam Reid]",
            "Ok.",
        ],
    )
    assert _who(t) == [
        ("Sam Reid", "How long?"),
        ("Jane Doe", "Ten years."),
        ("Sam Reid", "Ok."),
    ]


@pytest.mark.parametrize(
    "note", ["[inaudible]", "[Laughs]", "[crosstalk]", "[Pause]", "[Background noise]"]
)
def test_speakers_bracketed_annotations_stay_text(tmp_path, note):
    t = _txt(
        tmp_path,
        [
            f"I: Any thoughts? {note} Go on.",
            f"P1: {note} yes, I suppose.",
            f"{note} and another thing.",
            f"P1: {note} that is all.",
        ],
    )
    assert {u.speaker for u in t.turns} == {"I", "P1"}
    assert t.turns[1].text.startswith(f"{note} yes, I suppose.")
    assert note in t.turns[1].text.split("\n")[1]


def test_speakers_bracketed_annotations_in_cues_stay_text(tmp_path):
    t = _srt(
        tmp_path, ["[Music] Welcome back.", "[Music] Today we talk.", "[Laughs] ok."]
    )
    assert all(u.speaker is None for u in t.turns)
    assert t.turns[0].text == "[Music] Welcome back."


# -- one-off labels with the shape of the recurring ones --------------------------
def test_issue17_one_off_label_shaped_like_recurring_role_labels(tmp_path):
    t = _txt(
        tmp_path,
        [
            "Interviewer: Who is here today?",
            "Respondent1: I am.",
            "Respondent3: Me too.",
            "Interviewer: Anyone else?",
            "Respondent3 b: Yes, I came with her.",
            "Respondent1: That's all of us.",
            "Respondent3: Yes.",
        ],
    )
    assert [u.speaker for u in t.turns] == [
        "Interviewer",
        "Respondent1",
        "Respondent3",
        "Interviewer",
        "Respondent3 b",
        "Respondent1",
        "Respondent3",
    ]
    assert (
        t.turns[4].text == "Yes, I came with her." and t.turns[4].role == "participant"
    )


def test_issue17_one_off_label_shaped_like_recurring_numbered_labels(tmp_path):
    t = _txt(
        tmp_path,
        [
            "Tutor: Who starts?",
            "Student1: Me.",
            "Student3: Then me.",
            "Student2a: And me.",
            "Student1: Done.",
            "Student3: Done.",
            "Tutor: Good.",
        ],
    )
    assert t.turns[3].speaker == "Student2a"


@pytest.mark.parametrize("note", ["Note: she left at noon.", "Note 1: she left."])
def test_speakers_one_off_note_amid_numbered_labels_stays_text(tmp_path, note):
    t = _txt(
        tmp_path,
        [
            "Respondent1: I am.",
            "Respondent3: Me too.",
            note,
            "Respondent1: Bye.",
            "Respondent3: Bye.",
        ],
    )
    assert [u.speaker for u in t.turns] == ["Respondent1", "Respondent3"] * 2
    assert note in t.turns[1].text


def test_speakers_one_off_interviewer_with_letter_suffix_is_interviewer(tmp_path):
    t = _txt(
        tmp_path,
        [
            "IV1: Hello?",
            "R1: Hi.",
            "IV1: Next?",
            "R1: Fine.",
            "IV2 b: One more?",
            "R1: No.",
        ],
    )
    assert (t.turns[4].speaker, t.turns[4].role) == ("IV2 b", "interviewer")
