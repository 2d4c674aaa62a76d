"""Tests for the SQLite project store (qualcode.store.Project)."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from qualcode import _columns as C
from qualcode.codebook import Code, Codebook
from qualcode.errors import (
    CodebookError,
    CodebookWarning,
    InvalidInputError,
    OffsetError,
    StoreError,
)
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project
from qualcode.store._db import SCHEMA_VERSION


@pytest.fixture()
def project(project_target, tiny_transcripts):
    with Project(project_target) as p:
        p.add_transcripts(tiny_transcripts)
        yield p


def roles_codebook(*extra: str) -> Codebook:
    codes = [
        Code("pursue", "Pursue"),
        Code("enforce", "Enforce", parent="pursue"),
        Code("prevent", "Prevent"),
    ] + [Code(c, c) for c in extra]
    return Codebook(codes, name="roles", version="1.0.0")


def codings_frame(rows):
    return pd.DataFrame(
        rows, columns=["transcript_id", "start", "end", "code", "coder"]
    )


# -- create / open / persistence --------------------------------------------------
def test_store_reopen_keeps_everything(tmp_path, tiny_transcripts):
    path = tmp_path / "p.qcproj"
    with Project(path) as p:
        p.add_transcripts(tiny_transcripts)
        p.set_codebook(roles_codebook())
        cid = p.add_coding("t1", 0, 5, "pursue", "ana", memo="first")
    with Project(path) as p:
        assert p.transcript_ids() == ["t1", "t2"]
        assert p.transcript("t1") == tiny_transcripts[0]
        assert p.codebook.hash == roles_codebook().hash
        df = p.codings()
        assert df["coding_id"].tolist() == [cid]
        assert df["memo"].tolist() == ["first"]
        assert p.coders == ["ana"]


def test_store_new_file_has_schema_version(tmp_path):
    path = tmp_path / "p.qcproj"
    Project(path).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_store_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.qcproj"
    Project(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match=r"\[QC405\].*p\.qcproj.*newer"):
        Project(path)


def test_store_older_schema_is_migrated(tmp_path, monkeypatch, tiny_transcripts):
    from qualcode.store import _db as _store_db

    path = tmp_path / "p.qcproj"
    with Project(path) as p:
        p.add_transcripts(tiny_transcripts)

    def add_table(conn):
        conn.execute("CREATE TABLE later (x INTEGER)")

    monkeypatch.setattr(_store_db, "MIGRATIONS", [*_store_db.MIGRATIONS, add_table])
    monkeypatch.setattr(_store_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Project(path) as p:
        assert p.transcript_ids() == ["t1", "t2"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert con.execute("SELECT count(*) FROM later").fetchone()[0] == 0
    con.close()


def test_store_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.qcproj"
    path.write_text("not a database at all, just words", encoding="utf-8")
    with pytest.raises(StoreError, match=r"\[QC404\].*notes\.qcproj.*not SQLite"):
        Project(path)


def test_store_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=r"\[QC404\].*other\.db"):
        Project(path)


def test_store_missing_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match=r"\[QC401\].*does not exist"):
        Project(tmp_path / "nope" / "p.qcproj")


def test_store_closed_project_refuses_work(tmp_path):
    p = Project(tmp_path / "p.qcproj")
    p.close()
    with pytest.raises(StoreError, match="closed"):
        p.codings()


def test_store_repr_has_counts_not_text(project):
    project.add_coding("t1", 0, 5, "x", "ana")
    r = repr(project)
    assert "transcripts=2" in r and "codings=1" in r
    assert "prioritise" not in r


# -- transcripts --------------------------------------------------------------
def test_store_transcripts_frame(project):
    df = project.transcripts
    assert list(df.columns)[:7] == C.names(C.PROJECT_TRANSCRIPTS)
    assert df["transcript_id"].tolist() == ["t1", "t2"]
    assert df["n_turns"].tolist() == [4, 2]
    assert df["organisation"].tolist() == ["Force A", "Partner org"]
    # the attribute "role" clashes with no column of this frame: kept as is
    assert df["role"].tolist() == ["police officer", "partner"]


def test_store_turns_match_transcripts(project, tiny_transcripts):
    df = project.turns
    assert list(df.columns)[: len(C.TURNS)] == C.names(C.TURNS)
    expected = pd.concat([t.to_frame() for t in tiny_transcripts], ignore_index=True)
    pd.testing.assert_frame_equal(df[C.names(C.TURNS)], expected)
    # the participant attribute "role" must not overwrite the turn's role
    assert df["participant_role"].iloc[0] == "police officer"
    assert df["role"].iloc[0] == "interviewer"


def test_store_add_transcripts_streams_a_generator(project_target, tiny_transcripts):
    with Project(project_target) as p:
        rep = p.add_transcripts(t for t in tiny_transcripts)
        assert rep["status"].tolist() == ["added", "added"]
        assert list(rep.columns) == C.names(C.TRANSCRIPT_REPORT)


def test_store_add_transcripts_bad_item_writes_nothing(
    project_target, tiny_transcripts
):
    with Project(project_target) as p:
        with pytest.raises(InvalidInputError, match=r"\[QC409\].*item 1 is a str"):
            p.add_transcripts([tiny_transcripts[0], "t2.txt"])
        assert p.transcript_ids() == []


def test_store_add_transcripts_duplicate_id(project_target, tiny_transcripts):
    with Project(project_target) as p:
        with pytest.raises(InvalidInputError, match=r"\[QC410\].*'t1'"):
            p.add_transcripts([tiny_transcripts[0], tiny_transcripts[0]])


def test_store_readd_same_text_is_unchanged_and_updates_attributes(
    project, tiny_transcripts
):
    t1 = tiny_transcripts[0].with_attributes({"rank_band": "inspector"})
    rep = project.add_transcripts([t1])
    assert rep["status"].tolist() == ["unchanged"]
    assert project.transcript("t1").attributes["rank_band"] == "inspector"
    assert project.transcript("t1").attributes["organisation"] == "Force A"


def test_issue17_reimport_with_new_roles_updates_turns_and_says_so(project_target):
    def build(roles):
        return Transcript.build(
            "zoom01",
            [
                TurnDraft("So what do you do?", "Jane Doe", roles[0]),
                TurnDraft("We divert people.", "Sam Roe", roles[1]),
            ],
        )

    with Project(project_target) as p:
        p.add_transcripts([build(["participant", "participant"])])  # names only
        cid = p.code_turn("zoom01", 1, "divert", "ana")
        rep = p.add_transcripts([build(["interviewer", "participant"])])
        assert rep["status"].tolist() == ["turns_updated"]
        assert [u.role for u in p.transcript("zoom01").turns] == [
            "interviewer",
            "participant",
        ]
        assert p.codings()["coding_id"].tolist() == [cid]
        again = p.add_transcripts([build(["interviewer", "participant"])])
        assert again["status"].tolist() == ["unchanged"]


def test_store_unknown_transcript(project):
    with pytest.raises(StoreError, match=r"\[QC402\].*'nope'"):
        project.transcript("nope")


def test_store_iter_transcripts_round_trip(project, tiny_transcripts):
    assert list(project.iter_transcripts()) == tiny_transcripts


def test_store_set_attributes_frame(project):
    project.set_attributes(
        pd.DataFrame({"transcript_id": ["t2"], "rank_band": ["n/a"]})
    )
    assert project.transcript("t2").attributes["rank_band"] == "n/a"
    assert project.transcript("t2").attributes["organisation"] == "Partner org"


def test_store_set_attributes_unknown_transcript_changes_nothing(project):
    with pytest.raises(StoreError, match=r"\[QC402\].*'zz'"):
        project.set_attributes({"t1": {"site": "north"}, "zz": {"site": "south"}})
    assert "site" not in project.transcript("t1").attributes


# -- codebooks ----------------------------------------------------------------
def test_store_codebook_versions(project):
    project.set_codebook(roles_codebook())
    project.set_codebook(
        Codebook(
            list(roles_codebook()) + [Code("protect", "Protect")],
            name="roles",
            version="1.1.0",
        )
    )
    cb = project.codebooks
    assert cb["version"].tolist() == ["1.0.0", "1.1.0"]
    assert cb["current"].tolist() == [False, True]
    assert "protect" in project.codebook


def test_store_several_codebooks_combine(project):
    project.set_codebook(roles_codebook())
    project.set_codebook(Codebook([Code("harm", "Harm")], name="harms", version="1"))
    cb = project.codebook
    assert {c.id for c in cb} == {"pursue", "enforce", "prevent", "harm"}


def test_store_codebook_code_clash(project):
    project.set_codebook(roles_codebook())
    with pytest.raises(CodebookError, match=r"\[QC411\].*'pursue'.*'roles'"):
        project.set_codebook(Codebook([Code("pursue", "P")], name="other"))


def test_store_codebook_dropping_used_code_warns(project):
    project.set_codebook(roles_codebook())
    project.add_coding("t1", 0, 5, "prevent", "ana")
    with pytest.warns(CodebookWarning, match="prevent"):
        project.set_codebook(Codebook([Code("pursue", "P")], name="roles", version="2"))


# -- single codings -----------------------------------------------------------
def test_store_add_coding_unknown_transcript(project):
    with pytest.raises(StoreError, match=r"\[QC402\].*'t9'"):
        project.add_coding("t9", 0, 5, "x", "ana")


@pytest.mark.parametrize("start,end", [(-1, 5), (5, 5), (6, 5), (0, 10_000), (0.5, 3)])
def test_store_add_coding_bad_offsets(project, start, end):
    with pytest.raises(OffsetError, match=r"\[QC105\].*'t1'"):
        project.add_coding("t1", start, end, "x", "ana")


def test_store_add_coding_unknown_code(project):
    project.set_codebook(roles_codebook())
    with pytest.raises(CodebookError, match=r"\[QC302\].*'arrest'"):
        project.add_coding("t1", 0, 5, "arrest", "ana")


def test_store_add_coding_empty_coder(project):
    with pytest.raises(InvalidInputError, match=r"\[QC412\].*coder"):
        project.add_coding("t1", 0, 5, "x", "")


def test_store_add_coding_is_idempotent(project):
    a = project.add_coding("t1", 0, 5, "x", "ana")
    b = project.add_coding("t1", 0, 5, "x", "ana")
    assert a == b
    assert len(project.codings()) == 1


def test_store_add_coding_numpy_offsets(project):
    import numpy as np

    cid = project.add_coding("t1", np.int64(0), np.int64(5), "x", "ana")
    assert project.codings()["coding_id"].tolist() == [cid]


def test_store_code_turn(project, tiny_transcripts):
    project.code_turn("t1", 1, "pursue", "ana")
    df = project.codings()
    assert df["text"].tolist() == [tiny_transcripts[0].turns[1].text]
    assert df["turn"].tolist() == [1]


def test_store_code_turn_unknown_turn(project):
    with pytest.raises(InvalidInputError, match=r"\[QC408\].*'t2' has no turn 7"):
        project.code_turn("t2", 7, "pursue", "ana")


def test_store_set_memo(project):
    cid = project.add_coding("t1", 0, 5, "x", "ana")
    project.set_memo(cid, "check with team")
    assert project.codings()["memo"].tolist() == ["check with team"]


def test_store_remove_coding(project):
    cid = project.add_coding("t1", 0, 5, "x", "ana")
    project.remove_coding(cid)
    assert len(project.codings()) == 0


def test_store_remove_unknown_coding(project):
    with pytest.raises(StoreError, match=r"\[QC407\].*42"):
        project.remove_coding(42)


def test_store_set_memo_unknown_coding(project):
    with pytest.raises(StoreError, match=r"\[QC407\]"):
        project.set_memo(42, "x")


# -- bulk codings -------------------------------------------------------------
def test_store_add_codings_returns_ids_in_row_order(project):
    ids = project.add_codings(
        codings_frame(
            [
                ("t1", 0, 5, "a", "ana"),
                ("t2", 3, 9, "b", "ben"),
                ("t1", 0, 5, "a", "ana"),
            ]
        )
    )
    assert ids[0] == ids[2] and ids[0] != ids[1]
    assert sorted(project.codings()["coding_id"]) == sorted(set(ids))


def test_store_add_codings_existing_rows_get_their_id(project):
    cid = project.add_coding("t1", 0, 5, "a", "ana")
    ids = project.add_codings(
        codings_frame([("t1", 0, 5, "a", "ana"), ("t1", 1, 5, "a", "ana")])
    )
    assert ids[0] == cid
    assert len(project.codings()) == 2


def test_store_add_codings_all_or_nothing(project):
    project.add_coding("t1", 0, 5, "a", "ana")
    bad = codings_frame(
        [("t1", 0, 7, "a", "ana"), ("t1", 10, 5, "a", "ana"), ("t2", 0, 3, "a", "ana")]
    )
    with pytest.raises(
        OffsetError, match=r"\[QC406\].*1 row\(s\).*row 1 .*'t1', \[10, 5\)"
    ):
        project.add_codings(bad)
    assert len(project.codings()) == 1
    assert project.coders == ["ana"]


def test_store_add_codings_names_how_many_bad_rows(project):
    bad = codings_frame([("t1", 0, 10_000, "a", "ana")] * 8)
    with pytest.raises(OffsetError, match=r"8 row\(s\).*and 3 more"):
        project.add_codings(bad)


def test_store_add_codings_unknown_transcript(project):
    with pytest.raises(StoreError, match=r"\[QC406\].*row 0 \(transcript 'zz'"):
        project.add_codings(codings_frame([("zz", 0, 3, "a", "ana")]))


def test_store_add_codings_unknown_code(project):
    project.set_codebook(roles_codebook())
    with pytest.raises(CodebookError, match=r"\[QC406\].*code 'arrest'"):
        project.add_codings(
            codings_frame(
                [("t1", 0, 3, "pursue", "ana"), ("t1", 0, 3, "arrest", "ana")]
            )
        )
    assert len(project.codings()) == 0


def test_store_add_codings_missing_coder(project):
    with pytest.raises(InvalidInputError, match=r"\[QC406\].*no coder"):
        project.add_codings(codings_frame([("t1", 0, 3, "a", None)]))


def test_store_add_codings_missing_column(project):
    with pytest.raises(InvalidInputError, match=r"\[QC102\].*'coder'"):
        project.add_codings(
            pd.DataFrame(
                {"transcript_id": ["t1"], "start": [0], "end": [3], "code": ["a"]}
            )
        )


def test_store_add_codings_keeps_origin_memo_created(project):
    f = codings_frame([("t1", 0, 3, "a", "ana")])
    f["origin"] = ["pattern-tagger"]
    f["memo"] = ["m"]
    f["created"] = [pd.Timestamp("2024-05-01 12:00", tz="UTC")]
    project.add_codings(f)
    row = project.codings().iloc[0]
    assert (row["origin"], row["memo"]) == ("pattern-tagger", "m")
    assert row["created"] == pd.Timestamp("2024-05-01 12:00", tz="UTC")


def test_store_add_codings_mixed_and_constant_columns_round_trip(project):
    # a constant column is written into the statement, a varying one is bound
    f = codings_frame(
        [("t1", 0, 3, "a", "ana"), ("t1", 1, 4, "b", "ben"), ("t2", 0, 5, "a", "ana")]
    )
    f["origin"] = ["o'brien's tagger"] * 3
    f["memo"] = [None, "it's 'quoted'", None]
    f["created"] = ["2024-05-01T12:00:00Z", None, "2024-05-02T08:30:00Z"]
    project.add_codings(f)
    df = project.codings()
    assert df["origin"].tolist() == ["o'brien's tagger"] * 3
    assert df["memo"].tolist() == [pd.NA, "it's 'quoted'", pd.NA]
    assert df["created"].iloc[0] == pd.Timestamp("2024-05-01 12:00", tz="UTC")
    assert df["created"].iloc[2] == pd.Timestamp("2024-05-02 08:30", tz="UTC")
    assert df["created"].iloc[1] > pd.Timestamp("2024-06-01", tz="UTC")  # now


def test_store_add_codings_records_each_codes_codebook_version(project):
    project.set_codebook(Codebook([Code("a", "A")], name="one", version="1.0"))
    project.set_codebook(Codebook([Code("b", "B")], name="two", version="2.0"))
    project.add_codings(
        codings_frame([("t1", 0, 3, "a", "ana"), ("t1", 1, 4, "b", "ana")] * 2)
    )
    df = project.codings()
    assert df["codebook_version"].tolist() == ["1.0", "2.0"]


def test_store_add_codings_keeps_foreign_key_checks_on_afterwards(project):
    project.add_codings(codings_frame([("t1", 0, 3, "a", "ana")]))
    with pytest.raises(StoreError):
        project.add_codings(codings_frame([("nope", 0, 3, "a", "ana")]))
    s = project._session
    if s.dialect.name == "sqlite":
        assert s.scalar("PRAGMA foreign_keys") == 1
    with pytest.raises(StoreError), s.transaction(write=True):  # no transcript 999
        s.execute(
            'INSERT INTO codings (tid, start, "end", code, coder_id, origin, created)'
            " VALUES (999, 0, 1, 'a', 1, 'manual', 'x')"
        )


# -- the codings frame --------------------------------------------------------
def test_store_codings_columns_are_the_schema(project):
    project.add_coding("t1", 0, 5, "a", "ana")
    df = project.codings()
    attrs = ["organisation", "participant_role", "rank_band"]
    assert list(df.columns) == C.names(C.CODINGS) + attrs
    for name, dtype in C.CODINGS:
        assert str(df[name].dtype) == dtype or (
            dtype == C.TIME and "UTC" in str(df[name].dtype)
        )


def test_store_codings_empty_has_schema(project):
    df = project.codings()
    assert len(df) == 0
    assert list(df.columns)[: len(C.CODINGS)] == C.names(C.CODINGS)


def test_store_codings_text_is_stored_text(project, tiny_transcripts):
    texts = {t.id: t.text for t in tiny_transcripts}
    project.add_codings(
        codings_frame(
            [
                ("t1", 0, 11, "a", "ana"),
                ("t2", 40, 60, "b", "ben"),
                ("t1", 50, 90, "c", "ana"),
            ]
        )
    )
    df = project.codings()
    for r in df.itertuples():
        assert r.text == texts[r.transcript_id][r.start : r.end]


def test_store_codings_turn_speaker_role(project, tiny_transcripts):
    t1 = tiny_transcripts[0]
    u = t1.turns[3]
    project.add_coding("t1", u.start + 3, u.end, "a", "ana")
    project.add_coding("t1", 0, 3, "b", "ana")  # in the speaker label: no turn
    df = project.codings().set_index("code")
    assert (df.loc["a", "turn"], df.loc["a", "speaker"], df.loc["a", "role"]) == (
        3,
        "P1",
        "participant",
    )
    assert pd.isna(df.loc["b", "turn"]) and pd.isna(df.loc["b", "speaker"])


def test_store_codings_attributes_joined(project):
    project.add_coding("t2", 0, 4, "a", "ana")
    row = project.codings().iloc[0]
    assert row["organisation"] == "Partner org"
    assert row["participant_role"] == "partner"


def test_store_codings_filters(project):
    project.add_codings(
        codings_frame(
            [
                ("t1", 0, 5, "a", "ana"),
                ("t1", 0, 5, "b", "ben"),
                ("t2", 0, 5, "a", "ben"),
            ]
        )
    )
    assert project.codings(coder="ben")["code"].tolist() == ["b", "a"]
    assert project.codings(code=["a"])["transcript_id"].tolist() == ["t1", "t2"]
    assert len(project.codings(transcript_id="t2", coder="ana")) == 0


def test_store_astral_characters_keep_offsets(project_target):
    text = "I said 😀 then 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and café 🚓🚓 ok"
    t = Transcript("e1", text)
    with Project(project_target) as p:
        p.add_transcripts([t])
        s = text.index("𝔘")
        e = text.index("🚓🚓") + 2
        p.add_coding("e1", s, e, "a", "ana")
        p.add_coding("e1", 7, 8, "b", "ana")
        df = p.codings().set_index("code")
        assert df.loc["a", "text"] == text[s:e] == "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and café 🚓🚓"
        assert df.loc["b", "text"] == "😀"
        # the database's own view of the offsets agrees (code points, like str)
        sub = p._session.scalar(
            "SELECT substr(text, ? + 1, ? - ?) FROM transcripts", (s, e, s)
        )
        assert sub == text[s:e]
        with pytest.raises(OffsetError):
            p.add_coding("e1", 0, len(text) + 1, "c", "ana")


# -- re-anchoring -------------------------------------------------------------
def _readd(project, id_, text):
    return project.add_transcripts([Transcript(id_, text)])


def test_store_reanchor_moved_text(project_target):
    with Project(project_target) as p:
        _readd(p, "a", "We arrested three dealers. Then we referred them.")
        p.add_coding("a", 27, 49, "refer", "ana")
        rep = _readd(
            p, "a", "Intro added. We arrested three dealers. Then we referred them."
        )
        assert rep[["status", "reanchored", "orphaned"]].values.tolist() == [
            ["updated", 1, 0]
        ]
        row = p.codings().iloc[0]
        assert row["text"] == "Then we referred them."
        assert (row["start"], row["end"]) == (40, 62)


def test_store_reanchor_deleted_text_is_orphaned(project_target):
    with Project(project_target) as p:
        _readd(p, "a", "We arrested three dealers. Then we referred them.")
        cid = p.add_coding("a", 0, 26, "arrest", "ana", memo="m")
        rep = _readd(p, "a", "Then we referred them.")
        assert rep["orphaned"].tolist() == [1]
        assert len(p.codings()) == 0
        orph = p.orphans()
        assert list(orph.columns) == C.names(C.ORPHANS)
        assert orph.loc[0, "coding_id"] == cid
        assert orph.loc[0, "quote"] == "We arrested three dealers."
        assert orph.loc[0, "memo"] == "m"
        assert "no longer occurs" in orph.loc[0, "reason"]


def test_store_reanchor_duplicate_quote_picks_nearest(project_target):
    old = "Yes. Tell me more. Yes. And then? Yes."
    with Project(project_target) as p:
        _readd(p, "a", old)
        p.add_coding("a", 19, 23, "agree", "ana")  # the middle "Yes."
        _readd(p, "a", old.replace("Tell me more.", "Go on."))
        row = p.codings().iloc[0]
        assert row["text"] == "Yes."
        assert row["start"] == len("Yes. Go on. ")


def test_store_reanchor_duplicate_quote_follows_an_insertion(project_target):
    # 40 characters inserted before: the nearest "Yes." to the raw old offset would be
    # the wrong one; the diff-shifted position keeps the same occurrence
    old = "Yes.\nNo.\nYes.\nMaybe.\nYes."
    new = "A long new opening paragraph goes here.\n" + old
    with Project(project_target) as p:
        _readd(p, "a", old)
        p.add_coding("a", 9, 13, "agree", "ana")  # second "Yes."
        _readd(p, "a", new)
        assert p.codings()["start"].tolist() == [40 + 9]


def test_store_reanchor_keeps_turns_in_step(project_target):
    drafts = [
        TurnDraft("Why?", "I", "interviewer"),
        TurnDraft("Because harm.", "P", "participant"),
    ]
    with Project(project_target) as p:
        p.add_transcripts([Transcript.build("a", drafts)])
        p.code_turn("a", 1, "harm", "ana")
        p.add_transcripts(
            [
                Transcript.build(
                    "a", [TurnDraft("So, why?", "I", "interviewer"), *drafts[1:]]
                )
            ]
        )
        row = p.codings().iloc[0]
        assert (row["text"], row["turn"], row["speaker"]) == ("Because harm.", 1, "P")


# -- decisions ----------------------------------------------------------------
def test_store_decision_log_round_trip(project):
    f = codings_frame([("t1", 0, 5, "pursue", "ana"), ("t2", 3, 9, "prevent", "ana")])
    f["decision"] = ["accepted", "rejected"]
    f["tagger"] = ["pattern"] * 2
    f["score"] = [0.9, 0.2]
    f["evidence"] = ["matched 'arrest'", None]
    project.log_decisions(f)
    df = project.decisions(coder="ana")
    assert list(df.columns) == C.names(C.DECISIONS)
    assert df[
        ["transcript_id", "start", "end", "code", "decision", "score"]
    ].values.tolist() == [
        ["t1", 0, 5, "pursue", "accepted", 0.9],
        ["t2", 3, 9, "prevent", "rejected", 0.2],
    ]
    assert df["decided"].notna().all()
    assert pd.isna(df.loc[1, "evidence"])


def test_store_decision_log_bad_decision(project):
    f = codings_frame([("t1", 0, 5, "pursue", "ana")])
    f["decision"] = ["maybe"]
    with pytest.raises(InvalidInputError, match=r"\[QC406\].*'accepted' or 'rejected'"):
        project.log_decisions(f)
    assert len(project.decisions()) == 0


def test_store_codings_keep_attribute_columns_when_empty(tmp_path, tiny_transcripts):
    import qualcode as qc

    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(tiny_transcripts)
        p.add_coding("t1", 0, 4, "x", "AB")
        full = p.codings()
        empty = p.codings(coder="nobody")
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    assert "organisation" in empty.columns
