"""A team project on a real PostgreSQL server (issue 19): opening, bad input,
rights enforced by the database, copies both ways, functions taking a project."""

from __future__ import annotations

import sqlite3
import sys
import warnings

import pandas as pd
import pytest

import qualcode as qc
from qualcode.errors import StoreError
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project, server_add_coder, server_init

psycopg = pytest.importorskip("psycopg")


def _transcripts():
    return [
        Transcript.build(
            "t1",
            [
                TurnDraft(
                    "What does your team prioritise?", "Interviewer", "interviewer"
                ),
                TurnDraft("We arrested three dealers last month.", "P1", "participant"),
                TurnDraft("And diversion?", "Interviewer", "interviewer"),
                TurnDraft("We divert people into treatment.", "P1", "participant"),
            ],
            attributes={"organisation": "Force A"},
        )
    ]


@pytest.fixture()
def team(pg_server, pg_url):
    """An initialised server project with a transcript, two coders, a viewer, a lead."""
    server_init(pg_url)
    db = pg_url.rsplit("/", 1)[1]
    names = {k: f"{k}_{db}" for k in ("ana", "ben", "vic", "lea")}
    for key, role in (
        ("ana", "coder"),
        ("ben", "coder"),
        ("vic", "viewer"),
        ("lea", "lead"),
    ):
        server_add_coder(pg_url, names[key], role=role)
    with Project(pg_url) as owner:
        owner.add_transcripts(_transcripts())
    urls = {k: pg_server.url(n, db) for k, n in names.items()}
    return names, urls


# -- opening -------------------------------------------------------------------
def test_server_project_same_api_as_sqlite(pg_url):
    with Project(pg_url) as p:
        p.add_transcripts(_transcripts())
        cid = p.code_turn("t1", 1, "enforcement", "ana", memo="arrests")
        p.add_codings(
            pd.DataFrame(
                {
                    "transcript_id": ["t1", "t1"],
                    "start": [0, 5],
                    "end": [4, 9],
                    "code": ["a", "b"],
                    "coder": ["ben", "ben"],
                }
            )
        )
        df = p.codings()
        assert sorted(df["coder"]) == ["ana", "ben", "ben"]
        assert df.set_index("coding_id").loc[cid, "memo"] == "arrests"
        p.remove_coding(cid)
        assert len(p.codings()) == 2
    with Project(pg_url) as again:  # everything was committed on the server
        assert again.coders == ["ana", "ben"]
        assert again.transcript("t1").text == _transcripts()[0].text


def test_server_repr_and_errors_never_show_the_password(pg_server, pg_url):
    url = pg_url.replace("qc@", "qc:s3cret@")
    with Project(url) as p:
        assert "s3cret" not in repr(p) and "s3cret" not in str(p.path)
    with pytest.raises(StoreError) as info:
        Project(url.replace(f":{pg_server.port}/", ":1/"))
    assert "s3cret" not in str(info.value)


def test_server_unreachable_url_is_a_clear_error(pg_server):
    with pytest.raises(StoreError, match=r"QC451.*could not reach the server"):
        Project("postgresql://qc@127.0.0.1:1/nothing", timeout=2)


def test_server_missing_database_is_a_clear_error(pg_server):
    with pytest.raises(
        StoreError, match=r"QC451.*database 'no_such_db' does not exist"
    ):
        Project(pg_server.url(db="no_such_db"))


def test_server_url_without_database_is_a_clear_error(pg_server):
    with pytest.raises(StoreError, match=r"QC451.*names no database"):
        Project(f"postgresql://qc@127.0.0.1:{pg_server.port}")


def test_server_wrong_password_is_a_clear_error(pg_server, pg_url):
    """A role that must give a password (scram) and gives the wrong one."""
    role = "pw_" + pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'right'")
        hba = conn.execute("SHOW hba_file").fetchone()[0]
        with open(hba) as fh:
            lines = fh.read()
        with open(hba, "w") as fh:
            fh.write(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + lines)
        conn.execute("SELECT pg_reload_conf()")
    db = pg_url.rsplit("/", 1)[1]
    bad = f"postgresql://{role}:wrong@127.0.0.1:{pg_server.port}/{db}"
    with pytest.raises(StoreError, match=r"QC451.*refused the password") as info:
        Project(bad)
    assert "wrong" not in str(info.value).replace("password", "")


def test_server_schema_from_newer_qualcode_is_refused(pg_url):
    Project(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"QC405.*schema version 999.*pip install -U"):
        Project(pg_url)


def test_server_database_with_other_tables_is_not_taken_over(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id int)")
    with pytest.raises(StoreError, match=r"QC404.*other tables"):
        Project(pg_url)


# -- rights enforced by the database ------------------------------------------
def test_server_coder_cannot_change_or_remove_another_coders_coding(team):
    names, urls = team
    with Project(urls["ben"]) as ben:
        theirs = ben.code_turn("t1", 1, "enforcement", names["ben"])
    with Project(urls["ana"]) as ana:
        mine = ana.code_turn("t1", 3, "diversion", names["ana"])
        with pytest.raises(StoreError, match=r"QC453.*another coder"):
            ana.remove_coding(theirs)
        with pytest.raises(StoreError, match=r"QC453.*another coder"):
            ana.set_memo(theirs, "not mine")
        ana.set_memo(mine, "mine")  # their own: fine
        ana.remove_coding(mine)
        assert ana.codings()["coder"].tolist() == [names["ben"]]  # reads everyone's


def test_server_coder_cannot_code_under_another_name(team):
    names, urls = team
    with Project(urls["ana"]) as ana:
        with pytest.raises(StoreError, match=r"QC453"):
            ana.code_turn("t1", 1, "enforcement", names["ben"], new_coder=True)
        assert ana.codings().empty


def test_server_raw_sql_as_coder_is_refused_by_the_database(team):
    names, urls = team
    with Project(urls["ben"]) as ben:
        theirs = ben.code_turn("t1", 1, "enforcement", names["ben"])
    with psycopg.connect(urls["ana"], autocommit=True) as conn:
        for sql in (
            "UPDATE codings SET memo = 'x' WHERE coding_id = %s",
            "DELETE FROM codings WHERE coding_id = %s",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql, (theirs,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE transcripts SET text = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM codebooks")
    with Project(urls["ben"]) as ben:
        assert ben.codings()["coding_id"].tolist() == [theirs]


def test_server_coder_cannot_alter_transcripts_or_codebooks(team):
    _, urls = team
    with Project(urls["ana"]) as ana:
        with pytest.raises(StoreError, match=r"QC453.*transcripts.*lead"):
            ana.add_transcripts([Transcript("t9", "New text.")])
        assert ana.transcript_ids() == ["t1"]


def test_server_viewer_reads_and_cannot_write(team):
    names, urls = team
    with Project(urls["ben"]) as ben:
        ben.code_turn("t1", 1, "enforcement", names["ben"])
    with Project(urls["vic"]) as vic:
        assert len(vic.codings()) == 1
        with pytest.raises(StoreError, match=r"QC453"):
            vic.code_turn("t1", 1, "x", names["vic"], new_coder=True)


def test_server_lead_manages_everyones_codings(team):
    names, urls = team
    with Project(urls["ben"]) as ben:
        theirs = ben.code_turn("t1", 1, "enforcement", names["ben"])
    with Project(urls["lea"]) as lead:
        lead.add_transcripts([Transcript("t2", "Consensus text.")])
        lead.add_coding("t2", 0, 9, "enforcement", "consensus", new_coder=True)
        lead.set_memo(theirs, "checked")
        lead.remove_coding(theirs)
        assert lead.codings()["coder"].tolist() == ["consensus"]


def test_server_add_coder_needs_init(pg_url):
    with pytest.raises(StoreError, match=r"QC454.*server init"):
        server_add_coder(pg_url, "ana")


# -- copies ----------------------------------------------------------------------
def _demo_sqlite(path):
    from qualcode.datasets import demo

    corpus = demo.demo_corpus()
    with Project(path) as p:
        p.add_transcripts(corpus)
        p.add_codings(demo.demo_codings(corpus))
        ids = p.codings()["coding_id"].tolist()[:3]
        for cid in ids:
            p.set_memo(cid, "memo\twith tab")
    return path


def _dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            )
        ]
        return {
            n: sorted(map(tuple, conn.execute(f"SELECT * FROM {n}")), key=repr)
            for n in names
        }
    finally:
        conn.close()


def test_server_copy_sqlite_to_postgresql_to_sqlite_is_identical(tmp_path, pg_url):
    src = _demo_sqlite(tmp_path / "demo.qcproj")
    with Project(src) as p, p.copy_to(pg_url) as server:
        assert len(server.codings()) == len(p.codings())
        with server.copy_to(tmp_path / "back.qcproj") as back:
            assert back.coders == p.coders
    before, after = _dump(src), _dump(tmp_path / "back.qcproj")
    assert set(before) == set(after)
    for table in before:
        assert before[table] == after[table], table


def test_server_copy_refuses_a_server_project_with_data(tmp_path, pg_url):
    with Project(pg_url) as server:
        server.add_transcripts(_transcripts())
    with Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(_transcripts())
        with pytest.raises(StoreError, match=r"QC415.*already holds a project"):
            p.copy_to(pg_url)


# -- functions that take a project ----------------------------------------------
def test_server_project_works_with_agreement_exports_and_qdpx(tmp_path, pg_url):
    from qualcode.datasets import demo

    corpus = demo.demo_corpus()
    with Project(pg_url) as p:
        p.add_transcripts(corpus)
        p.add_codings(demo.demo_codings(corpus))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = qc.agreement_table(
                p, coders=["AB", "CD"], unit="sentence", n_boot=0
            )
        assert "(pooled)" in set(table["code"])
        out = tmp_path / "extracts.csv"
        qc.export_extracts(p, out)
        assert out.stat().st_size > 0
        qdpx = tmp_path / "p.qdpx"
        qc.write_qdpx(p, qdpx)
        assert qdpx.stat().st_size > 0


def test_server_two_widget_sessions_see_each_others_codings(pg_url):
    from qualcode.widget import CodingSession

    book = {
        "name": "roles",
        "version": "1.0.0",
        "codes": [
            {"id": "enforcement", "label": "E"},
            {"id": "diversion", "label": "D"},
        ],
    }
    with Project(pg_url) as p:
        p.add_transcripts(_transcripts())
        p.set_codebook(qc.Codebook.from_dict(book))
    with Project(pg_url) as pa, Project(pg_url) as pb:
        pa.code_turn("t1", 0, "enforcement", "ana")
        pb.code_turn("t1", 0, "diversion", "ben")
        a = CodingSession(pa, coder="ana", transcript="t1", compare_with="ben")
        b = CodingSession(pb, coder="ben", transcript="t1", compare_with="ana")
        a.apply_code_to_turn("enforcement", 1)
        b.apply_code_to_turn("diversion", 3)
        b.go_to("t1")  # a refresh
        a.go_to("t1")
        for s in (a, b):
            seen = {(c["coder"], c["turn"]) for c in s.codings_state()}
            assert seen == {("ana", 0), ("ben", 0), ("ana", 1), ("ben", 3)}


def test_server_without_psycopg_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails
    with pytest.raises(StoreError, match=r"QC450.*pip install 'qualcode\[server\]'"):
        Project("postgresql://ana@localhost/study")
