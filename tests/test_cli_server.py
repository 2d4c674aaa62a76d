"""``qualcode server init|add-coder``, ``copy`` and ``-p URL`` on a real PostgreSQL.

Uses the session's throw-away server (tests/pgserver.py via the ``pg_server`` and
``pg_url`` fixtures of conftest.py); skipped without psycopg.
"""

from __future__ import annotations

import json

import pytest

import qualcode as qc
from qualcode.cli import main

psycopg = pytest.importorskip("psycopg")


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_server_init_then_add_coder_lets_them_open_the_project(
    capsys, pg_server, pg_url
):
    code, out, err = run(capsys, "server", "init", pg_url)
    assert code == 0, err
    db = pg_url.rsplit("/", 1)[1]
    assert f"coder: qualcode_{db}_coder" in out
    name = f"ana_{db}"
    code, out, err = run(capsys, "server", "add-coder", pg_url, name, "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "name": name,
        "role": "coder",
        "group": f"qualcode_{db}_coder",
    }
    with qc.Project(pg_server.url(name, db)) as project:
        assert project.transcript_ids() == []


def test_cli_server_add_coder_as_lead_or_viewer(capsys, pg_url):
    assert run(capsys, "server", "init", pg_url)[0] == 0
    db = pg_url.rsplit("/", 1)[1]
    for flag, kind in (("--lead", "lead"), ("--viewer", "viewer")):
        code, out, err = run(
            capsys, "server", "add-coder", pg_url, f"{kind}_{db}", flag
        )
        assert code == 0, err
        assert f"is a {kind} of the project (group qualcode_{db}_{kind})" in out


def test_cli_server_add_coder_before_init_exits_1(capsys, pg_url):
    code, out, err = run(capsys, "server", "add-coder", pg_url, "ana")
    assert code == 1 and out == ""
    assert "[QC454]" in err and "server init" in err


def test_cli_server_password_env_must_be_set(capsys, pg_url, monkeypatch):
    monkeypatch.delenv("QC_TEST_PASSWORD", raising=False)
    argv = ["server", "add-coder", pg_url, "ana", "--password-env", "QC_TEST_PASSWORD"]
    code, _, err = run(capsys, *argv)
    assert code == 1 and "[QC914]" in err and "QC_TEST_PASSWORD" in err


def test_cli_project_url_and_copy_to_a_file(capsys, pg_url, tmp_path):
    assert run(capsys, "server", "init", pg_url)[0] == 0
    with qc.Project(pg_url) as project:
        project.add_transcripts([qc.Transcript("int01", "We divert people.")])
    code, out, err = run(capsys, "info", "-p", pg_url, "--json")
    assert code == 0, err
    assert json.loads(out)["transcript_ids"] == ["int01"]
    dest = tmp_path / "copy.qcproj"
    code, _, err = run(capsys, "copy", pg_url, dest)
    assert code == 0, err
    with qc.Project(dest) as copy:
        assert copy.transcript_ids() == ["int01"]


def test_cli_never_prints_a_url_password(capsys, pg_server, pg_url, tmp_path):
    assert run(capsys, "server", "init", pg_url)[0] == 0
    db = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {pg_server.superuser} PASSWORD 's3cret-pw'")
    url = pg_url.replace("@", ":s3cret-pw@", 1)  # trust auth: any password works
    try:
        dest = tmp_path / "copy.qcproj"
        code, out, err = run(capsys, "copy", url, dest)
        assert code == 0, err
        assert "s3cret-pw" not in out + err
        assert f"@127.0.0.1:{pg_server.port}/{db}" in out
        code, out, err = run(capsys, "info", "-p", url.replace(db, db + "_missing"))
        assert code == 1 and "s3cret-pw" not in out + err
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"ALTER ROLE {pg_server.superuser} PASSWORD NULL")
