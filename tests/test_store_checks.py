"""Issues 21 and 22: what the store accepts in its text fields.

Lone surrogates used to escape as sqlite3's UnicodeEncodeError; control
characters and line breaks in code ids and coder names went into Markdown
exports unchanged. Each case is built here and must give a QualcodeError that
names the place, never the text.
"""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.errors import InvalidInputError, QualcodeError
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

TEXT = "We divert people who use drugs into treatment services."


@pytest.fixture()
def project(project_target):
    with Project(project_target) as p:
        p.add_transcripts([Transcript("t1", TEXT)])
        yield p


def _frame(**cols):
    base = {
        "transcript_id": ["t1"],
        "start": [0],
        "end": [2],
        "code": ["a"],
        "coder": ["ana"],
    }
    base.update({k: [v] for k, v in cols.items()})
    # object columns: pandas' pyarrow strings cannot even hold a lone surrogate
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in base.items()})


# -- lone surrogates -------------------------------------------------------------
def test_issue22_surrogate_in_transcript_text(project):
    with pytest.raises(InvalidInputError) as info:
        project.add_transcripts([Transcript("t2", "Secret Zo\ud800e here")])
    msg = str(info.value)
    assert "[QC414]" in msg and "text of transcript 't2'" in msg
    assert "U+D800" in msg and "position 9" in msg
    assert "Secret" not in msg
    assert project.transcript_ids() == ["t1"]


def test_issue22_surrogate_in_speaker_label(project):
    t = Transcript.build("t2", [TurnDraft("Hello.", "Jo\udcffe", "participant")])
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*speaker of turn 0.*'t2'"):
        project.add_transcripts([t])


def test_issue22_surrogate_in_attribute_value(project):
    t = Transcript("t2", "Hi.", attributes={"force": "Ab\ud800c"})
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*attribute 'force'.*'t2'"):
        project.add_transcripts([t])
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*attribute 'force'"):
        project.set_attributes({"t1": {"force": "\udcff"}})


def test_issue22_surrogate_in_source_path_is_replaced(project):
    t = Transcript("t2", "Hi.", source="/data/inter\udcffview.txt")
    project.add_transcripts([t])
    assert project.transcript("t2").source == "/data/inter\ufffdview.txt"


def test_issue22_surrogate_in_coding_memo(project):
    with pytest.raises(InvalidInputError, match=r"\[QC414\] add_coding: memo.*U\+DC80"):
        project.add_coding("t1", 0, 2, "a", "ana", memo="note \udc80")
    assert len(project.codings()) == 0


def test_issue22_surrogate_in_bulk_coder_names_the_row(project):
    frame = pd.concat([_frame(), _frame(coder="b\ud800n")], ignore_index=True)
    with pytest.raises(InvalidInputError) as info:
        project.add_codings(frame)
    msg = str(info.value)
    assert "[QC406]" in msg and "1 row(s) have a coder with a lone surrogate" in msg
    assert "row 1 " in msg
    assert len(project.codings()) == 0 and project.coders == []


def test_issue22_surrogate_in_lookup_id(project):
    with pytest.raises(QualcodeError):
        project.add_coding("t\ud800", 0, 2, "a", "ana")
    with pytest.raises(QualcodeError):
        project.code_turn("t\ud800", 0, "a", "ana")


# -- control characters in ids and names ---------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "ok\n# injected heading"),
        ("code", "a`\x0b"),
        ("coder", "M\nK"),
        ("coder", "ana\t"),
        ("coder", "esc\x1b[31m"),
        ("coder", "c1\x85"),
        ("origin", "tagger\r"),
    ],
)
def test_issue21_control_characters_in_names_refused(project, field, value):
    kwargs = {"code": "a", "coder": "ana", "origin": "manual", field: value}
    with pytest.raises(InvalidInputError, match=rf"\[QC414\] add_coding: {field} has"):
        project.add_coding(
            "t1", 0, 2, kwargs["code"], kwargs["coder"], origin=kwargs["origin"]
        )
    with pytest.raises(InvalidInputError, match=rf"\[QC406\].*have a {field} with"):
        project.add_codings(_frame(**{field: value}))
    assert len(project.codings()) == 0


def test_issue21_memo_keeps_tabs_and_newlines(project):
    cid = project.add_coding("t1", 0, 2, "a", "ana", memo="line 1\n\tline 2")
    assert project.codings()["memo"].tolist() == ["line 1\n\tline 2"]
    with pytest.raises(InvalidInputError, match=r"\[QC414\] set_memo: memo.*U\+0007"):
        project.set_memo(cid, "bell\x07")
    with pytest.raises(InvalidInputError, match=r"\[QC406\].*have a memo with"):
        project.add_codings(_frame(start=3, end=9, memo="form\x0cfeed"))


def test_issue21_text_keeps_tabs_and_form_feeds_but_not_cr(project):
    project.add_transcripts([Transcript("t2", "a\tb\x0cc\nd")])
    assert project.transcript("t2").text == "a\tb\x0cc\nd"
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*text of .*'t3'.*U\+000D"):
        project.add_transcripts([Transcript("t3", "one\r\ntwo")])


def test_issue21_control_character_in_transcript_id(project):
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*transcript id of item 0"):
        project.add_transcripts([Transcript("t\n2", "Hi.")])


def test_issue21_decision_tagger_with_newline_refused(project):
    frame = _frame(decision="accepted", tagger="pattern\n# x")
    with pytest.raises(InvalidInputError, match=r"\[QC414\] log_decisions: tagger"):
        project.log_decisions(frame)
    assert len(project.decisions()) == 0
