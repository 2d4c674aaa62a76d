"""Issue 17 "a project you can tidy": rename/merge codes and coders, remove a
transcript. Each is logged (who, when, what) and loses no coding: the tests count
codings before and after."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import (
    CodebookError,
    CodebookWarning,
    InvalidInputError,
    StoreError,
)
from qualcode.model import Transcript
from qualcode.store import Project

TEXT = "We divert people who use drugs into treatment services."
OTHER = "County lines exploit children. We safeguard them first."
BOOK = Codebook(
    [
        Code("pursue", "Pursue"),
        Code("enforce", "Enforce", parent="pursue"),
        Code("arrest", "Arrest", parent="enforce"),
        Code("divert", "Divert"),
        Code("refer", "Refer"),
    ],
    name="roles",
    version="1.0.0",
)


def _frame(rows, **extra):
    df = pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code", "coder"])
    return df.assign(**extra)


@pytest.fixture()
def project(project_target):
    with Project(project_target) as p:
        p.add_transcripts([Transcript("t1", TEXT), Transcript("t2", OTHER)])
        p.set_codebook(BOOK)
        p.add_codings(
            _frame(
                [
                    ("t1", 3, 9, "divert", "ana"),
                    ("t1", 3, 9, "refer", "ana"),  # same span as the divert above
                    ("t1", 10, 16, "refer", "ana"),
                    ("t1", 3, 9, "refer", "ben"),
                    ("t2", 0, 12, "enforce", "ana"),
                    ("t2", 31, 43, "arrest", "ben"),
                ],
                memo=["d", "r", None, None, None, None],
            )
        )
        p.log_decisions(_frame([("t1", 0, 2, "refer", "ana")], decision="rejected"))
        yield p


def _keys(p):
    return sorted(
        map(
            tuple,
            p.codings()[["transcript_id", "start", "end", "code", "coder"]].values,
        )
    )


# -- rename_code ---------------------------------------------------------------
def test_issue17_rename_code_moves_codings_and_renames_in_codebook(project):
    before = len(project.codings())
    out = project.rename_code("enforce", "enforce-law", by="lead")
    assert out == {"codings": 1, "collapsed": 0, "decisions": 0, "orphans": 0}
    df = project.codings()
    assert len(df) == before
    assert "enforce" not in set(df["code"]) and "enforce-law" in set(df["code"])
    book = project.current_codebooks()[0]
    assert book.version == "1.0.0+tidy.1"
    assert book["arrest"].parent == "enforce-law"  # the child follows
    assert df.loc[df["code"] == "enforce-law", "codebook_version"].tolist() == [
        "1.0.0+tidy.1"
    ]
    log = project.changes()
    assert log[["action", "by"]].values.tolist() == [["rename_code", "lead"]]
    assert json.loads(log["detail"][0])["codebook"]["from_version"] == "1.0.0"


def test_issue17_rename_code_already_renamed_in_the_codebook(project):
    renamed = Codebook(
        [Code("diversion", "Divert") if c.id == "divert" else c for c in BOOK],
        name="roles",
        version="1.1.0",
    )
    with pytest.warns(CodebookWarning, match="divert"):
        project.set_codebook(renamed)
    n = len(project.codings())
    project.rename_code("divert", "diversion")
    assert len(project.codings()) == n
    assert project.current_codebooks()[0].version == "1.1.0"  # no new version
    assert project.add_coding("t1", 0, 2, "diversion", "ana")  # a code again


def test_issue17_rename_code_unknown_old_says_did_you_mean(project):
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*'divrt'.*'divert'"):
        project.rename_code("divrt", "x")


def test_issue17_rename_code_onto_an_existing_code_points_to_merge(project):
    before = _keys(project)
    with pytest.raises(StoreError, match=r"\[QC417\].*merge_codes\(\['refer'\]"):
        project.rename_code("refer", "divert")
    assert _keys(project) == before and len(project.changes()) == 0


def test_issue17_rename_code_to_an_invalid_id_changes_nothing(project):
    before = _keys(project)
    with pytest.raises(CodebookError):
        project.rename_code("refer", "Not A Valid Id!")
    assert _keys(project) == before
    assert project.current_codebooks()[0].version == "1.0.0"
    assert len(project.changes()) == 0


# -- merge_codes -------------------------------------------------------------------
def test_issue17_merge_codes_collapses_identical_codings(project):
    before = len(project.codings())
    out = project.merge_codes(["refer"], "divert", by="lead")
    df = project.codings()
    # ana's refer on [3, 9) duplicates her divert there: one coding, memos joined
    assert out == {"codings": 2, "collapsed": 1, "decisions": 1, "orphans": 0}
    assert len(df) == before - 1
    assert set(df["code"]) == {"divert", "enforce", "arrest"}
    kept = df[(df["start"] == 3) & (df["coder"] == "ana")]
    assert kept["memo"].tolist() == ["d\nr"]
    assert project.decisions()["code"].tolist() == ["divert"]
    detail = json.loads(project.changes()["detail"][0])
    assert [c["memo"] for c in detail["collapsed_codings"]] == ["r"]
    assert "refer" not in {c.id for c in project.current_codebooks()[0]}


def test_issue17_merge_codes_children_move_up(project):
    n = len(project.codings())
    project.merge_codes("enforce", "pursue")
    book = project.current_codebooks()[0]
    assert book["arrest"].parent == "pursue"
    assert "enforce" not in {c.id for c in book}
    assert len(project.codings()) == n


def test_issue17_merge_codes_target_must_be_a_code(project):
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*'divrt'"):
        project.merge_codes(["refer"], "divrt")
    with pytest.raises(StoreError, match=r"\[QC417\].*both a source and the target"):
        project.merge_codes(["refer", "divert"], "divert")


# -- coders ------------------------------------------------------------------------
def test_issue17_rename_coder_everywhere(project):
    n = len(project.codings())
    out = project.rename_coder("ana", "Ana K", by="lead")
    assert out == {"codings": 4, "decisions": 1, "orphans": 0}
    assert project.coders == ["Ana K", "ben"]
    assert len(project.codings()) == n
    assert project.decisions()["coder"].tolist() == ["Ana K"]
    with pytest.raises(StoreError, match=r"\[QC417\].*merge_coders"):
        project.rename_coder("ben", "Ana K")
    with pytest.raises(InvalidInputError, match=r"\[QC414\].*control character"):
        project.rename_coder("ben", "b\nen")


def test_issue17_merge_coders_collapses_and_removes_sources(project):
    before = len(project.codings())
    out = project.merge_coders(["ben"], "ana", by="lead")
    # ben's refer on [3, 9) duplicates ana's refer there
    assert out == {"codings": 1, "collapsed": 1, "decisions": 0, "orphans": 0}
    assert project.coders == ["ana"]
    assert len(project.codings()) == before - 1
    assert set(project.codings()["coder"]) == {"ana"}
    assert project.changes()["action"].tolist() == ["merge_coders"]


def test_issue17_merge_coders_into_a_new_name(project):
    n = len(project.codings())
    project.merge_coders(["ana", "ben"], "consensus")
    assert project.coders == ["consensus"]
    assert len(project.codings()) == n - 1  # ana and ben both coded [3, 9) refer


# -- remove_transcript ---------------------------------------------------------------
def test_issue17_remove_transcript_keeps_its_codings_in_the_log(project):
    n = len(project.codings())
    out = project.remove_transcript("t1", by="lead")
    assert out == {"codings": 4, "decisions": 1, "llm_calls": 0}
    assert project.transcript_ids() == ["t2"]
    assert len(project.codings()) == n - 4
    entry = project.changes().iloc[0]
    assert (entry["action"], entry["by"]) == ("remove_transcript", "lead")
    detail = json.loads(entry["detail"])
    assert [
        (c["start"], c["end"], c["code"], c["coder"]) for c in detail["codings"]
    ] == [
        (3, 9, "divert", "ana"),
        (3, 9, "refer", "ana"),
        (10, 16, "refer", "ana"),
        (3, 9, "refer", "ben"),
    ]
    assert all(c["text"] == TEXT[c["start"] : c["end"]] for c in detail["codings"])
    assert detail["decisions"][0]["decision"] == "rejected"
    with pytest.raises(StoreError, match=r"\[QC402\]"):
        project.remove_transcript("t1")


def test_issue17_remove_transcript_purge_keeps_no_text(project):
    project.remove_transcript("t1", purge=True)
    detail = json.loads(project.changes()["detail"][0])
    assert "text" not in detail["codings"][0] and "memo" not in detail["codings"][0]
    if isinstance(project.path, str):  # a server: no table holds the text
        s = project._session
        with s.transaction(write=False):
            names = [
                r[0]
                for r in s.all(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            dump = repr([s.all(f"SELECT * FROM {n}") for n in names])
        assert "treatment services" not in dump
        return
    project.close()
    raw = project.path.read_bytes()
    wal = project.path.with_name(project.path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"treatment services" not in raw


# -- the change log ------------------------------------------------------------------
def test_issue17_change_log_is_rewritten_by_replace_texts(project):
    project.remove_transcript("t2")
    project.replace_texts([], rewrite=lambda s: s.replace("safeguard", "[x]"))
    detail = project.changes()["detail"][0]
    assert "safeguard" not in detail
    assert "[x]" in detail


def test_issue17_change_log_added_to_an_older_project(tmp_path):
    path = tmp_path / "old.qcproj"
    Project(path).close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE changes")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()
    with Project(path) as p:
        assert len(p.changes()) == 0
