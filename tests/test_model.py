"""Value objects: Transcript.build is the one place offsets are made."""

from __future__ import annotations

import pytest

from qualcode.model import Transcript, TurnDraft


@pytest.mark.parametrize(
    "label",
    [
        "Sam\r\nReid",
        "Sam\rReid",
        "Sam\nReid",
        "Sam\u2028Reid",
        "Sam\x0bReid",
        "Sam\tReid",
    ],
    ids=["crlf", "cr", "lf", "line-separator", "vertical-tab", "tab"],
)
def test_issue22_speaker_label_with_line_breaks_is_normalised(label):
    t = Transcript.build("t", [TurnDraft("Hello.", label, "interviewer")])
    assert "\r" not in t.text
    assert t.text == "Sam Reid: Hello."
    assert t.turns[0].speaker == "Sam Reid"
    assert t.text[t.turns[0].start : t.turns[0].end] == "Hello."


def test_model_label_of_only_control_characters_means_no_speaker():
    t = Transcript.build("t", [TurnDraft("Hello.", "\r\n\x00", "participant")])
    assert t.text == "Hello."
    assert t.turns[0].speaker is None
    assert t.turns[0].role is None


def test_model_import_diagnostics_do_not_change_equality():
    a = Transcript.build("t", [TurnDraft("Hello.", "I")], unused_labels=[("Note", 2)])
    b = Transcript.build("t", [TurnDraft("Hello.", "I")])
    assert a == b and a.unused_labels == (("Note", 2),) and b.unused_labels == ()
