"""``qualcode merge``: another coder's project in from the command line."""

from __future__ import annotations

import json

from qualcode.cli import main
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

TEXT = [TurnDraft("We divert young people into treatment.", "P1", "participant")]


def _coded(path, coder, start, end, text=TEXT):
    with Project(path) as p:
        p.add_transcripts([Transcript.build("t1", text)])
        p.add_coding("t1", start, end, "divert", coder)


def test_cli_merge_brings_codings_and_prints_the_report(tmp_path, capsys):
    mine, bens = tmp_path / "mine.qcproj", tmp_path / "ben.qcproj"
    _coded(mine, "ana", 0, 9)
    _coded(bens, "ben", 3, 9)
    assert main(["merge", str(bens), "-p", str(mine)]) == 0
    out = capsys.readouterr().out
    assert f"merged {bens}:" in out and "codings_added" in out
    with Project(mine) as p:
        assert sorted(p.codings()["coder"]) == ["ana", "ben"]
    with Project(bens) as p:  # the other project is only read
        assert p.codings()["coder"].tolist() == ["ben"]


def test_cli_merge_reports_a_conflicting_transcript_as_json(tmp_path, capsys):
    mine, bens = tmp_path / "mine.qcproj", tmp_path / "ben.qcproj"
    _coded(mine, "ana", 0, 9)
    _coded(bens, "ben", 0, 5, [TurnDraft("Another text.", "P1", "participant")])
    assert main(["--json", "merge", str(bens), "-p", str(mine)]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    kinds = {r["kind"]: r for r in report}
    assert kinds["transcript_conflict"]["transcript_id"] == "t1"
    assert kinds["codings_skipped"]["count"] == 1
    assert all(r["source"] == str(bens) for r in report)
    with Project(mine) as p:
        assert p.codings()["coder"].tolist() == ["ana"]


def test_cli_merge_missing_other_project_is_a_clear_error(tmp_path, capsys):
    mine = tmp_path / "mine.qcproj"
    _coded(mine, "ana", 0, 9)
    assert main(["merge", str(tmp_path / "nope.qcproj"), "-p", str(mine)]) != 0
    err = capsys.readouterr().err
    assert "QC413" in err and "nope.qcproj" in err
