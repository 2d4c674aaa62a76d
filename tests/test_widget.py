"""The coding widget's model without a browser: every action -> what the store holds.

Checks read the SQLite project through a SECOND connection (``reopen``), so a
passing test shows the write reached the file, not just the widget's memory.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import qualcode as qc
from qualcode.errors import (
    CodebookError,
    InvalidInputError,
    OffsetError,
    StoreError,
)
from qualcode.model import Transcript, TurnDraft
from qualcode.widget import CodingSession, coding_widget

ASTRAL = "Honestly 🚔 we arrested three dealers last month, and we seized cash."

CODEBOOK = {
    "name": "roles",
    "version": "1.0.0",
    "codes": [
        {
            "id": "pursue",
            "label": "Pursue",
            "color": "#0072B2",
            "definition": "Offenders.",
        },
        {
            "id": "arrest",
            "label": "Arrest",
            "parent": "pursue",
            "patterns": ["arrested"],
        },
        {"id": "seize", "label": "Seize", "parent": "pursue", "patterns": ["seized"]},
        {"id": "divert", "label": "Divert to support", "patterns": ["divert"]},
    ],
}


def _transcripts() -> list[Transcript]:
    t1 = Transcript.build(
        "INT01",
        [
            TurnDraft("What does your team prioritise?", "Interviewer", "interviewer"),
            TurnDraft(ASTRAL, "P1", "participant", 4.5, 20.0),
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft("We divert people into treatment.", "P1", "participant"),
        ],
        attributes={"organisation": "Force A"},
    )
    t2 = Transcript.build(
        "INT02",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "We divert children away from county lines.", "P2", "participant"
            ),
        ],
    )
    return [t1, t2]


@pytest.fixture()
def project(tmp_path):
    p = qc.Project(tmp_path / "w.qcproj")
    p.add_transcripts(_transcripts())
    p.set_codebook(qc.Codebook.from_dict(CODEBOOK))
    yield p
    p.close()


@pytest.fixture()
def reopen(project):
    """A second connection to the same project file (what a crash would leave)."""
    opened = []

    def _open():
        q = qc.Project(project.path)
        opened.append(q)
        return q

    yield _open
    for q in opened:
        q.close()


@pytest.fixture()
def session(project):
    return CodingSession(project, coder="AB")


@pytest.fixture()
def suggestions(project):
    return qc.suggest(project, project.codebook)


def _span(project, transcript_id, turn, needle):
    t = project.transcript(transcript_id)
    u = t.turns[turn]
    i = u.text.index(needle)
    return u.start + i, u.start + i + len(needle)


# -- coding actions -------------------------------------------------------------
def test_widget_apply_code_writes_coding_at_once(project, session, reopen):
    s, e = _span(project, "INT01", 1, "three dealers")
    cid = session.apply_code("arrest", s, e)
    df = reopen().codings()
    assert df[["coding_id", "code", "coder", "origin", "text"]].values.tolist() == [
        [cid, "arrest", "AB", "manual", "three dealers"]
    ]


def test_widget_apply_code_offsets_are_python_str_indices(project, session, reopen):
    s, e = _span(project, "INT01", 1, "three dealers")
    session.apply_code("arrest", s, e)
    row = reopen().codings().iloc[0]
    assert (int(row["start"]), int(row["end"])) == (s, e)
    # the emoji before the span counts one index in Python (two UTF-16 units in JS)
    text = project.transcript("INT01").text
    assert text[:s].count("🚔") == 1 and text[s:e] == "three dealers"


def test_widget_apply_code_to_turn_codes_whole_turn(project, session, reopen):
    session.apply_code_to_turn("divert", 3)
    row = reopen().codings().iloc[0]
    assert (row["turn"], row["text"]) == (3, "We divert people into treatment.")


@pytest.mark.parametrize("kind", ["range", "turn"])
def test_widget_apply_to_selection_codes_the_selection(project, session, reopen, kind):
    if kind == "range":
        s, e = _span(project, "INT01", 1, "seized cash")
        session.select(s, e)
        expected = "seized cash"
    else:
        session.select_turn(1)
        expected = ASTRAL
    session.apply_to_selection("seize")
    assert reopen().codings()["text"].tolist() == [expected]
    assert session.selection is None


def test_widget_apply_code_twice_returns_same_id(project, session, reopen):
    s, e = _span(project, "INT01", 1, "arrested")
    assert session.apply_code("arrest", s, e) == session.apply_code("arrest", s, e)
    assert len(reopen().codings()) == 1


def test_widget_apply_code_unknown_code_raises_and_writes_nothing(
    project, session, reopen
):
    s, e = _span(project, "INT01", 1, "arrested")
    with pytest.raises(
        CodebookError, match=r"\[QC923\] Unknown code 'arrets'.*'arrest'"
    ):
        session.apply_code("arrets", s, e)
    assert len(reopen().codings()) == 0


@pytest.mark.parametrize(
    ("start", "end", "detail"),
    [
        (None, None, "from turn 0 into turn 1"),  # filled in below
        (0, 5, "speaker label"),
        (10_000, 10_010, "text's length"),
        (40, 40, "text's length"),
        (4.5, 9, "whole numbers"),
    ],
    ids=["across-turns", "speaker-label", "beyond-text", "empty", "not-integer"],
)
def test_widget_apply_code_outside_one_turn_raises_and_writes_nothing(
    project, session, reopen, start, end, detail
):
    t = project.transcript("INT01")
    if start is None:
        start, end = t.turns[0].end - 5, t.turns[1].start + 5
    with pytest.raises(OffsetError, match=r"\[QC922\].*'INT01'.*" + detail):
        session.apply_code("arrest", start, end)
    assert len(reopen().codings()) == 0


def test_widget_apply_code_to_turn_unknown_turn_raises(project, session, reopen):
    with pytest.raises(
        InvalidInputError, match=r"\[QC931\].*no turn 9 \(it has 4 turns"
    ):
        session.apply_code_to_turn("arrest", 9)
    assert len(reopen().codings()) == 0


def test_widget_apply_to_selection_without_selection_raises(project, session, reopen):
    with pytest.raises(InvalidInputError, match=r"\[QC926\] Nothing is selected"):
        session.apply_to_selection("arrest")
    assert len(reopen().codings()) == 0


def test_widget_select_across_turns_raises(project, session):
    t = project.transcript("INT01")
    with pytest.raises(OffsetError, match=r"\[QC922\]"):
        session.select(t.turns[1].start, t.turns[3].end)
    assert session.selection is None


def test_widget_remove_coding_deletes_it(project, session, reopen):
    cid = session.apply_code_to_turn("arrest", 1)
    session.remove_coding(cid)
    assert len(reopen().codings()) == 0


def test_widget_remove_coding_of_another_coder_is_refused(project, session, reopen):
    other = project.code_turn("INT01", 1, "arrest", "CD")
    with pytest.raises(
        InvalidInputError, match=r"\[QC924\] Coding \d+ belongs to coder 'CD'"
    ):
        session.remove_coding(other)
    assert reopen().codings()["coding_id"].tolist() == [other]


def test_widget_remove_coding_unknown_id_raises(session):
    with pytest.raises(StoreError, match=r"\[QC407\] Unknown coding id 999"):
        session.remove_coding(999)


def test_widget_set_memo_writes_memo(project, session, reopen):
    cid = session.apply_code_to_turn("arrest", 1)
    session.set_memo(cid, "Enforcement framed as insufficient.")
    assert reopen().codings()["memo"].tolist() == [
        "Enforcement framed as insufficient."
    ]


def test_widget_set_memo_blank_clears_memo(project, session, reopen):
    cid = session.apply_code_to_turn("arrest", 1, memo="first thought")
    session.set_memo(cid, "   ")
    assert reopen().codings()["memo"].isna().tolist() == [True]


def test_widget_set_memo_of_another_coder_is_refused(project, session, reopen):
    other = project.code_turn("INT01", 1, "arrest", "CD")
    with pytest.raises(InvalidInputError, match=r"\[QC924\]"):
        session.set_memo(other, "mine now")
    assert reopen().codings()["memo"].isna().tolist() == [True]


# -- navigation and filter ------------------------------------------------------------
def test_widget_next_and_previous_transcript_move_and_stop_at_ends(session):
    visited = [
        session.previous_transcript(),
        session.next_transcript(),
        session.next_transcript(),
        session.previous_transcript(),
    ]
    assert visited == ["INT01", "INT02", "INT02", "INT01"]


def test_widget_navigation_clears_selection(session):
    session.select_turn(1)
    session.next_transcript()
    assert session.selection is None


def test_widget_go_to_unknown_transcript_raises(session):
    with pytest.raises(StoreError, match=r"\[QC402\] Unknown transcript 'INT99'"):
        session.go_to("INT99")


def test_widget_filter_uncoded_hides_coded_turns(session):
    session.apply_code_to_turn("arrest", 1)
    session.filter_uncoded(True)
    assert session.visible_turns() == [0, 2, 3]


def test_widget_filter_uncoded_rejects_non_bool(session):
    with pytest.raises(InvalidInputError, match=r"\[QC101\] The 'value' parameter"):
        session.filter_uncoded("yes")


# -- suggestions ---------------------------------------------------------------------
def _suggestion_index(session, code):
    rows = session.suggestions
    return int(
        rows.index[(rows["code"] == code) & (rows["transcript_id"] == "INT01")][0]
    )


def test_widget_accept_suggestion_codes_with_tagger_origin(
    project, suggestions, reopen
):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    i = _suggestion_index(session, "arrest")
    cid = session.accept_suggestion(i)
    row = reopen().codings().set_index("coding_id").loc[cid]
    assert (row["code"], row["coder"], row["origin"]) == (
        "arrest",
        "AB",
        suggestions["tagger"].iloc[i],
    )


def test_widget_accept_suggestion_logs_decision(project, suggestions, reopen):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    i = _suggestion_index(session, "arrest")
    session.accept_suggestion(i)
    log = reopen().decisions()
    assert log[["code", "coder", "decision"]].values.tolist() == [
        ["arrest", "AB", "accepted"]
    ]
    assert log["decided"].notna().all()


def test_widget_reject_suggestion_logs_without_coding(project, suggestions, reopen):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    session.reject_suggestion(_suggestion_index(session, "seize"))
    again = reopen()
    assert (len(again.codings()), again.decisions()["decision"].tolist()) == (
        0,
        ["rejected"],
    )


def test_widget_reject_after_accept_removes_the_accepted_coding(
    project, suggestions, reopen
):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    i = _suggestion_index(session, "arrest")
    session.accept_suggestion(i)
    session.reject_suggestion(i)
    again = reopen()
    assert len(again.codings()) == 0
    assert again.decisions()["decision"].tolist() == ["accepted", "rejected"]


def test_widget_accept_moves_to_next_pending_suggestion(project, suggestions):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    first = session.current_suggestion
    session.accept_suggestion()
    assert session.current_suggestion not in (None, first)


def test_widget_accept_unknown_suggestion_raises(project, suggestions, reopen):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    with pytest.raises(
        InvalidInputError, match=r"\[QC925\] Suggestion 99 does not exist"
    ):
        session.accept_suggestion(99)
    assert len(reopen().decisions()) == 0


def test_widget_accept_without_suggestions_raises(session):
    with pytest.raises(InvalidInputError, match=r"\[QC928\] No suggestions are loaded"):
        session.accept_suggestion(0)


def test_widget_reopened_session_shows_logged_decisions(project, suggestions):
    first = CodingSession(project, coder="AB", suggestions=suggestions)
    i = _suggestion_index(first, "seize")
    first.reject_suggestion(i)
    second = CodingSession(project, coder="AB", suggestions=suggestions)
    assert second.suggestions["status"].iloc[i] == "rejected"


def test_widget_suggestions_state_has_evidence_spans(project, suggestions):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    state = [s for s in session.suggestions_state() if s["code"] == "seize"][0]
    text = project.transcript("INT01").text
    assert [text[a:b] for a, b in state["evidence_spans"]] == ["seized"]


def test_widget_suggestions_auto_runs_suggest_without_coded_units(project, session):
    session.apply_code_to_turn("divert", 3)
    auto = CodingSession(project, coder="AB", suggestions="auto").suggestions
    here = auto[auto["transcript_id"] == "INT01"]
    assert sorted(here["code"]) == ["arrest", "seize"]


def test_widget_suggestions_need_only_key_columns(project, reopen):
    s, e = _span(project, "INT01", 3, "We divert people into treatment.")
    minimal = pd.DataFrame(
        {"transcript_id": ["INT01"], "start": [s], "end": [e], "code": ["divert"]}
    )
    CodingSession(project, coder="AB", suggestions=minimal).accept_suggestion(0)
    assert reopen().codings()[["code", "origin"]].values.tolist() == [
        ["divert", "suggestion"]
    ]


def test_widget_suggestions_missing_columns_raise(project):
    with pytest.raises(InvalidInputError, match=r"\[QC102\].*\['code'\]"):
        CodingSession(
            project,
            coder="AB",
            suggestions=pd.DataFrame(
                {"transcript_id": ["INT01"], "start": [0], "end": [4]}
            ),
        )


def test_widget_suggestions_on_unknown_transcript_raise(project):
    bad = pd.DataFrame(
        {"transcript_id": ["X"], "start": [0], "end": [4], "code": ["arrest"]}
    )
    with pytest.raises(InvalidInputError, match=r"\[QC511\].*'X'"):
        CodingSession(project, coder="AB", suggestions=bad)


# -- set-up checks ---------------------------------------------------------------
def test_widget_compare_with_shows_other_coders_codings(project):
    project.code_turn("INT01", 3, "divert", "CD")
    session = CodingSession(project, coder="AB", compare_with="CD")
    session.apply_code_to_turn("divert", 3)
    assert sorted((c["coder"], c["mine"]) for c in session.codings_state()) == [
        ("AB", True),
        ("CD", False),
    ]


def test_widget_compare_with_unknown_coder_raises(project):
    with pytest.raises(InvalidInputError, match=r"\[QC927\].*compare_with='ZZ'"):
        CodingSession(project, coder="AB", compare_with="ZZ")


def test_widget_requires_a_codebook(tmp_path):
    with qc.Project(tmp_path / "nocb.qcproj") as p:
        p.add_transcripts(_transcripts())
        with pytest.raises(CodebookError, match=r"\[QC921\].*no codebook"):
            CodingSession(p, coder="AB")


def test_widget_requires_transcripts(tmp_path):
    with qc.Project(tmp_path / "empty.qcproj") as p:
        with pytest.raises(InvalidInputError, match=r"\[QC920\].*no transcripts"):
            CodingSession(p, coder="AB")


@pytest.mark.parametrize("coder", ["", "  ", None, 3])
def test_widget_requires_a_coder_name(project, coder):
    with pytest.raises(InvalidInputError, match=r"\[QC412\]"):
        CodingSession(project, coder=coder)


def test_widget_rejects_non_project(tmp_path):
    with pytest.raises(
        InvalidInputError, match=r"\[QC101\].*'project'.*qualcode.Project"
    ):
        CodingSession(str(tmp_path), coder="AB")


def test_widget_opens_requested_transcript(project):
    assert (
        CodingSession(project, coder="AB", transcript="INT02").transcript_id == "INT02"
    )


def test_widget_state_is_json_serialisable(project, suggestions):
    session = CodingSession(project, coder="AB", suggestions=suggestions)
    session.apply_code_to_turn("arrest", 1)
    state = json.loads(json.dumps(session.state()))
    assert [t["speaker"] for t in state["turns"]] == [
        "Interviewer",
        "P1",
        "Interviewer",
        "P1",
    ]


def test_widget_codes_state_gives_children_distinct_shades_of_the_root(session):
    colours = {c["id"]: c["color"] for c in session.codes_state()}
    family = [colours["pursue"], colours["arrest"], colours["seize"]]
    assert colours["pursue"] == "#0072B2" and len(set(family)) == 3


# -- the anywidget front: messages from the browser ------------------------------------
@pytest.fixture()
def widget(project, suggestions):
    return coding_widget(project, coder="AB", suggestions=suggestions)


def test_widget_message_apply_code_writes_coding(project, widget, reopen):
    s, e = _span(project, "INT01", 1, "three dealers")
    widget._on_message(widget, {"action": "select", "start": s, "end": e}, [])
    widget._on_message(widget, {"action": "apply", "code": "arrest"}, [])
    assert reopen().codings()["text"].tolist() == ["three dealers"]


def test_widget_message_refreshes_codings_trait(project, widget):
    widget._on_message(
        widget, {"action": "apply_code_to_turn", "code": "arrest", "turn": 1}, []
    )
    assert [(c["code"], c["turn"]) for c in widget.codings] == [("arrest", 1)]


def test_widget_message_accept_clicked_suggestion(project, widget, reopen):
    i = widget.current_suggestion
    widget._on_message(widget, {"action": "accept", "index": i}, [])
    assert reopen().decisions()["decision"].tolist() == ["accepted"]


def test_widget_message_error_shows_in_widget_and_writes_nothing(
    project, widget, reopen
):
    t = project.transcript("INT01")
    msg = {"action": "apply_code", "code": "arrest", "start": 0, "end": t.turns[1].end}
    widget._on_message(widget, msg, [])
    assert widget.error.startswith("[QC922]") and isinstance(
        widget.last_error, OffsetError
    )
    assert len(reopen().codings()) == 0


def test_widget_message_unknown_action_reports_qc930(widget):
    widget._on_message(widget, {"action": "format_disk"}, [])
    assert widget.error.startswith("[QC930]")


def test_widget_error_clears_after_next_good_action(widget):
    widget._on_message(widget, {"action": "apply", "code": "arrest"}, [])
    widget._on_message(widget, {"action": "select_turn", "turn": 1}, [])
    assert widget.error == ""


def test_widget_method_error_raises_in_python(widget):
    with pytest.raises(CodebookError, match=r"\[QC923\]"):
        widget.apply_code_to_turn("nope", 1)


def test_widget_navigation_refreshes_turns_trait(widget):
    widget.next_transcript()
    assert (widget.transcript["id"], len(widget.turns)) == ("INT02", 2)


def test_widget_filter_uncoded_marks_hidden_turns(widget):
    widget.apply_code_to_turn("arrest", 1)
    widget.filter_uncoded(True)
    assert [t["visible"] for t in widget.turns] == [True, False, True, True]


def test_widget_front_end_files_are_packaged():
    from importlib.resources import files

    folder = files("qualcode.widget")
    js = (folder / "coding_widget.js").read_text(encoding="utf-8")
    css = (folder / "coding_widget.css").read_text(encoding="utf-8")
    assert "export default" in js and "model.send" in js and ".qc-widget" in css


def test_widget_import_is_light():
    code = (
        "import sys, qualcode.widget; "
        "heavy = ('anywidget', 'ipywidgets', 'spacy'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
