"""Project.transaction, Project.copy_to and Project.current_codebooks."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import InvalidInputError, StoreError
from qualcode.model import Transcript
from qualcode.store import Project

TEXT = "We divert people who use drugs into treatment services."


def _frame(rows):
    return pd.DataFrame(
        rows, columns=["transcript_id", "start", "end", "code", "coder"]
    )


@pytest.fixture()
def path(project_target):
    p = project_target
    with Project(p) as project:
        project.add_transcripts([Transcript("t1", TEXT)])
    return p


# -- transaction ---------------------------------------------------------------
def test_store_transaction_commits_all_calls_at_the_end(path):
    with Project(path) as p, Project(path) as other:
        with p.transaction():
            p.add_transcripts([Transcript("t2", "Second text.")])
            p.add_coding("t1", 0, 2, "we", "ana")
            assert other.transcript_ids() == ["t1"]  # not committed yet
            assert len(other.codings()) == 0
        assert other.transcript_ids() == ["t1", "t2"]
        assert len(other.codings()) == 1


def test_store_transaction_error_undoes_every_call(path):
    with Project(path) as p:
        with pytest.raises(RuntimeError, match="boom"):
            with p.transaction():
                p.add_transcripts([Transcript("t2", "Second text.")])
                p.add_coding("t1", 0, 2, "we", "ana")
                raise RuntimeError("boom")
        assert p.transcript_ids() == ["t1"]
        assert len(p.codings()) == 0
        assert p.coders == []


def test_store_transaction_caught_error_undoes_only_that_call(path):
    with Project(path) as p:
        with p.transaction():
            p.add_coding("t1", 0, 2, "we", "ana")
            with pytest.raises(StoreError):  # one unknown transcript: nothing of it
                p.add_codings(
                    _frame([("t1", 3, 9, "x", "ben"), ("nope", 0, 1, "x", "ben")])
                )
        df = p.codings()
        assert df[["start", "end", "coder"]].values.tolist() == [[0, 2, "ana"]]
        assert p.coders == ["ana"]


def test_store_transaction_nests(path):
    with Project(path) as p:
        with p.transaction():
            p.add_coding("t1", 0, 2, "we", "ana")
            with pytest.raises(RuntimeError):
                with p.transaction():
                    p.add_coding("t1", 3, 9, "divert", "ana")
                    raise RuntimeError("inner")
            p.add_coding("t1", 10, 16, "people", "ana")
        assert p.codings()["code"].tolist() == ["we", "people"]


def test_store_transaction_read_snapshot_ignores_other_writers(path):
    with Project(path) as p, Project(path) as other:
        with p.transaction(write=False):
            before = p.transcript_ids()
            other.add_transcripts([Transcript("t2", "Second text.")])
            assert p.transcript_ids() == before == ["t1"]
        assert p.transcript_ids() == ["t1", "t2"]


def test_store_transaction_read_only_refuses_writes(path):
    with Project(path) as p:
        with p.transaction(write=False):
            with pytest.raises(StoreError, match=r"\[QC401\].*read-only"):
                p.add_coding("t1", 0, 2, "we", "ana")
        assert len(p.codings()) == 0


def test_store_transaction_bad_write_parameter(path):
    with Project(path) as p:
        with pytest.raises(InvalidInputError, match=r"\[QC101\].*write"):
            with p.transaction(write="yes"):
                pass


def test_store_transaction_purge_runs_after_commit(path):
    with Project(path) as p:
        p.add_coding("t1", 3, 9, "divert", "ana")
        with p.transaction():
            p.replace_texts(
                [("t1", Transcript("t1", "Ok. " + TEXT), lambda s, e: (s + 4, e + 4))],
                purge=True,
            )
        assert p.codings()["text"].tolist() == ["divert"]
    if isinstance(path, str):  # a server: no file to look into
        return
    assert b"We divert people" in path.read_bytes()  # the new text holds it too
    assert not path.with_name(path.name + "-wal").exists() or (
        path.with_name(path.name + "-wal").stat().st_size == 0
    )


# -- copy_to -------------------------------------------------------------------
def _tables(path) -> dict[str, list]:
    if isinstance(path, str):  # a PostgreSQL URL
        import psycopg

        with psycopg.connect(path) as con:
            names = [
                r[0]
                for r in con.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            out = {
                n: con.execute(f"SELECT * FROM {n} ORDER BY 1").fetchall()
                for n in names
            }
        out["meta"] = [r for r in out["meta"] if r[0] == "created"]
        return out
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        out = {
            n: con.execute(f"SELECT * FROM {n} ORDER BY 1").fetchall() for n in names
        }
        out["_pragmas"] = [
            con.execute("PRAGMA user_version").fetchone(),
            con.execute("PRAGMA application_id").fetchone(),
        ]
        return out
    finally:
        con.close()


def test_store_copy_to_copies_every_table(path, tmp_path):
    with Project(path) as p:
        p.set_codebook(Codebook([Code("divert", "Divert")], name="roles"))
        cid = p.add_coding("t1", 3, 9, "divert", "ana", memo="m")
        p.log_decisions(
            _frame([("t1", 0, 2, "divert", "ben")]).assign(decision="rejected")
        )
        p.add_coding("t1", 10, 16, "divert", "ana")
        p.set_memo(cid, "m2")
        p.add_transcripts([Transcript("t1", "We divert nobody.")])  # orphans one
        dest = tmp_path / "copy.qcproj"
        with p.copy_to(dest) as copy:
            assert copy.path == dest
        copied = _tables(dest)
        if isinstance(path, str):  # the server keeps its version in meta
            del copied["_pragmas"]
        assert copied == _tables(path)
        assert len(_tables(dest)["orphans"]) == 1


def test_store_copy_to_refuses_an_existing_project(path, tmp_path):
    dest = tmp_path / "other.qcproj"
    Project(dest).close()
    before = dest.read_bytes()
    with Project(path) as p:
        with pytest.raises(StoreError, match=r"\[QC415\].*other\.qcproj.*not empty"):
            p.copy_to(dest)
    assert dest.read_bytes() == before


def test_store_copy_to_refuses_itself(path):
    with Project(path) as p:
        with pytest.raises(StoreError, match=r"\[QC415\].*itself"):
            p.copy_to(path)


def test_store_copy_to_accepts_an_empty_file(path, tmp_path):
    dest = tmp_path / "empty.qcproj"
    dest.touch()
    with Project(path) as p, p.copy_to(dest) as copy:
        assert copy.transcript_ids() == ["t1"]


def test_store_copy_to_failure_leaves_nothing(path, tmp_path, monkeypatch):
    from qualcode.store._dialect import SQLiteDialect

    def broken(self, session, dest):
        dest.write_bytes(b"SQLite format 3\x00 half")
        raise OSError("disk full")

    def broken_table(src, dst, table):
        dst.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
        raise OSError("disk full")

    monkeypatch.setattr(SQLiteDialect, "copy", broken)
    monkeypatch.setattr("qualcode.store._copy._copy_table", broken_table)
    with Project(path) as p:
        with pytest.raises(OSError, match="disk full"):
            p.copy_to(tmp_path / "copy.qcproj")
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(
        f.name for f in tmp_path.iterdir() if not f.name.startswith(".copy")
    )
    assert not (tmp_path / "copy.qcproj").exists()


def test_store_copy_to_inside_a_read_transaction_is_its_snapshot(path, tmp_path):
    with Project(path) as p, Project(path) as other:
        with p.transaction(write=False):
            other.add_coding("t1", 0, 2, "we", "ana")
            copy = p.copy_to(tmp_path / "copy.qcproj")
        with copy:
            assert len(copy.codings()) == 0


def test_store_copy_to_refused_inside_a_write_transaction(path, tmp_path):
    with Project(path) as p:
        with p.transaction():
            with pytest.raises(StoreError, match=r"\[QC415\].*write transaction"):
                p.copy_to(tmp_path / "copy.qcproj")
    assert not (tmp_path / "copy.qcproj").exists()


def test_store_copy_to_url_of_another_database_kind_is_refused(path):
    with Project(path) as p:
        with pytest.raises(StoreError, match=r"\[QC415\].*URL"):
            p.copy_to("mysql://me@localhost/db")


# -- current_codebooks ------------------------------------------------------------
def test_store_current_codebooks_one_by_one(path):
    roles = Codebook([Code("pursue", "Pursue")], name="roles", version="1.0.0")
    harms = Codebook([Code("harm", "Harm")], name="harms", version="2.0.0")
    with Project(path) as p:
        assert p.current_codebooks() == []
        p.set_codebook(roles)
        p.set_codebook(harms)
        p.set_codebook(
            Codebook(
                [Code("pursue", "Pursue"), Code("x", "X")],
                name="roles",
                version="1.1.0",
            )
        )
        books = p.current_codebooks()
    assert [(b.name, b.version) for b in books] == [
        ("harms", "2.0.0"),
        ("roles", "1.1.0"),
    ]
    assert books[0].hash == harms.hash
