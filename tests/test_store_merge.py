"""Tests for Project.merge: another coder's project in, nothing overwritten."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode import _columns as C
from qualcode.codebook import Code, Codebook
from qualcode.errors import StoreError
from qualcode.model import Transcript
from qualcode.store import Project

CB = Codebook(
    [Code("pursue", "Pursue"), Code("prevent", "Prevent")], name="roles", version="1"
)


@pytest.fixture()
def pair(tmp_path, tiny_transcripts, project_target):
    a = Project(project_target)
    b = Project(tmp_path / "ben.qcproj")
    for p in (a, b):
        p.add_transcripts(tiny_transcripts)
        p.set_codebook(CB)
    yield a, b
    a.close()
    b.close()


def _key(df):
    return sorted(
        map(
            tuple,
            df[["transcript_id", "start", "end", "code", "coder"]].values.tolist(),
        )
    )


def _count(report, kind):
    return int(report.loc[report["kind"] == kind, "count"].sum())


def test_store_merge_brings_new_codings(pair):
    a, b = pair
    a.add_coding("t1", 0, 5, "pursue", "ana")
    b.add_coding("t1", 0, 5, "pursue", "ben")
    b.add_coding("t2", 2, 9, "prevent", "ben", memo="ben's memo")
    rep = a.merge(b)
    assert list(rep.columns) == C.names(C.MERGE_REPORT)
    assert _count(rep, "codings_added") == 2
    assert _key(a.codings()) == sorted(
        _key(b.codings()) + [("t1", 0, 5, "pursue", "ana")]
    )
    assert a.codings(coder="ben", transcript_id="t2")["memo"].tolist() == ["ben's memo"]
    assert a.coders == ["ana", "ben"]


def test_store_merge_identical_not_duplicated(pair):
    a, b = pair
    a.add_coding("t1", 0, 5, "pursue", "ana")
    b.add_coding("t1", 0, 5, "pursue", "ana")
    rep = a.merge(b)
    assert _count(rep, "codings_identical") == 1
    assert len(a.codings()) == 1
    a.merge(b)  # merging twice changes nothing
    assert len(a.codings()) == 1


def test_store_merge_never_overwrites_memo(pair):
    a, b = pair
    a.add_coding("t1", 0, 5, "pursue", "ana", memo="mine")
    b.add_coding("t1", 0, 5, "pursue", "ana", memo="theirs")
    rep = a.merge(b)
    assert _count(rep, "memo_differs") == 1
    assert a.codings()["memo"].tolist() == ["mine"]


def test_store_merge_conflicting_transcript_reported(tmp_path, pair):
    a, b = pair
    b.add_transcripts([Transcript("t2", "A different text altogether.")])
    b.add_coding("t2", 0, 11, "prevent", "ben")
    before = a.transcript("t2")
    rep = a.merge(b)
    conflict = rep[rep["kind"] == "transcript_conflict"]
    assert conflict["transcript_id"].tolist() == ["t2"]
    assert _count(rep, "codings_skipped") == 1
    assert a.transcript("t2") == before
    assert len(a.codings()) == 0


def test_store_merge_adds_new_transcripts(pair):
    a, b = pair
    b.add_transcripts([Transcript("t3", "Only ben has this one.")])
    b.add_coding("t3", 0, 4, "pursue", "ben")
    rep = a.merge(b)
    assert rep.loc[rep["kind"] == "transcript_added", "transcript_id"].tolist() == [
        "t3"
    ]
    assert a.codings()["text"].tolist() == ["Only"]


def test_store_merge_matches_same_text_under_another_id(tmp_path, tiny_transcripts):
    with Project(tmp_path / "a.qcproj") as a, Project(tmp_path / "b.qcproj") as b:
        a.add_transcripts(tiny_transcripts)
        t = tiny_transcripts[1]
        b.add_transcripts([Transcript("interview-2", t.text, t.turns)])
        b.add_coding("interview-2", 0, 4, "x", "ben")
        a.merge(b)
        assert a.transcript_ids() == ["t1", "t2"]
        assert a.codings()["transcript_id"].tolist() == ["t2"]


def test_store_merge_new_codebook_becomes_current(pair):
    a, b = pair
    b.set_codebook(Codebook([Code("harm", "Harm")], name="harms", version="1"))
    a.set_codebook(Codebook([Code("other", "Other")], name="culture", version="1"))
    b.add_coding("t1", 0, 5, "harm", "ben")
    # ben's "harms" codebook is new here and becomes current: his coding is merged
    rep = a.merge(b)
    assert _count(rep, "codebook_added") == 1
    assert a.codings()["code"].tolist() == ["harm"]


def test_store_merge_code_unknown_when_codebook_differs(pair):
    a, b = pair
    b.set_codebook(
        Codebook(
            [Code("pursue", "Pursue"), Code("new", "New")], name="roles", version="2"
        )
    )
    b.add_coding("t1", 0, 5, "new", "ben")
    rep = a.merge(b)
    assert _count(rep, "codebook_version_added") == 1
    assert _count(rep, "code_unknown") == 1
    assert len(a.codings()) == 0
    assert a.codebook.version == "1"


def test_store_merge_from_path_and_decisions(tmp_path, pair):
    a, b = pair
    f = pd.DataFrame(
        {
            "transcript_id": ["t1"],
            "start": [0],
            "end": [5],
            "code": ["pursue"],
            "coder": ["ben"],
            "decision": ["accepted"],
            "tagger": ["pattern"],
        }
    )
    b.log_decisions(f)
    b.close()
    rep = a.merge(tmp_path / "ben.qcproj")
    assert _count(rep, "decisions_added") == 1
    assert a.decisions()["coder"].tolist() == ["ben"]
    a.merge(tmp_path / "ben.qcproj")
    assert len(a.decisions()) == 1


def test_store_merge_into_itself_is_refused(pair):
    a, _ = pair
    with pytest.raises(StoreError, match="itself"):
        a.merge(a.path)


def test_store_merge_missing_file(tmp_path, pair):
    a, _ = pair
    with pytest.raises(StoreError, match=r"\[QC413\].*nope\.qcproj"):
        a.merge(tmp_path / "nope.qcproj")


def test_issue16_merge_reads_the_other_project_in_one_snapshot(tmp_path, monkeypatch):
    """A re-import of the other project between merge's reads must not shift codings.

    The hook runs a colleague's re-import right after merge has read the other
    project's codings: with two snapshots the old offsets land on the new text.
    """
    from qualcode.store import _merge

    old = "Intro. We divert people into treatment. End."
    new = "A new first line that shifts everything. " + old
    a = Project(tmp_path / "a.qcproj")
    b_path = tmp_path / "b.qcproj"
    with Project(b_path) as b:
        b.add_transcripts([Transcript("t9", old)])
        b.add_coding("t9", 10, 16, "divert", "ben")
    real = _merge._read_other

    def read_then_reimport(other):
        out = real(other)
        with Project(b_path) as colleague:  # another connection, another process
            colleague.add_transcripts([Transcript("t9", new)])
        return out

    monkeypatch.setattr(_merge, "_read_other", read_then_reimport)
    with a:
        a.merge(b_path)
        df = a.codings()
        assert df["text"].tolist() == ["divert"]
        text = a.transcript("t9").text
        assert all(
            text[s:e] == q
            for s, e, q in zip(df["start"], df["end"], df["text"], strict=True)
        )


def _call(transcript_id, key):
    return {
        "key": key,
        "status": "ok",
        "transcript_id": transcript_id,
        "unit": "turn",
        "model": "fake",
        "prompt": '[{"role": "user", "content": "..."}]',
        "answer": "{}",
    }


def test_issue18_merge_brings_the_llm_audit_trail_once(pair):
    a, b = pair
    b.record_llm_call(_call("t1", "k1"))
    b.record_llm_call(_call("t2", "k2"))
    rep = a.merge(b)
    assert _count(rep, "llm_calls_added") == 2
    calls = a.llm_calls()
    assert calls["key"].tolist() == ["k1", "k2"]
    assert calls["transcript_id"].tolist() == ["t1", "t2"]
    again = a.merge(b)
    assert _count(again, "llm_calls_added") == 0
    assert len(a.llm_calls()) == 2


def test_issue18_merge_llm_calls_follow_a_transcript_matched_under_another_id(
    tmp_path, tiny_transcripts
):
    t = tiny_transcripts[1]
    with Project(tmp_path / "a.qcproj") as a, Project(tmp_path / "b.qcproj") as b:
        a.add_transcripts(tiny_transcripts)
        b.add_transcripts([Transcript("interview-2", t.text, t.turns)])
        b.record_llm_call(_call("interview-2", "k"))
        a.merge(b)
        assert a.llm_calls()["transcript_id"].tolist() == ["t2"]


def test_issue18_merge_llm_calls_of_a_conflicting_transcript_stay_out(pair):
    a, b = pair
    b.remove_transcript("t1")
    b.add_transcripts([Transcript("t1", "Another text altogether.")])
    b.record_llm_call(_call("t1", "k"))
    rep = a.merge(b)
    assert _count(rep, "llm_calls_skipped") == 1
    assert rep.loc[rep["kind"] == "llm_calls_skipped", "transcript_id"].tolist() == [
        "t1"
    ]
    assert len(a.llm_calls()) == 0
