"""``qualcode`` command-line fixes (issues 16, 17, 21), each with its own test.

Inputs are built inside each test (small projects, hostile files), so these run
fast; the demo-data tests live in tests/test_cli.py.
"""

from __future__ import annotations

from pathlib import Path

import qualcode as qc
from qualcode.cli import main


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _key(tmp_path: Path) -> Path:
    key = tmp_path / "key.csv"
    key.write_text(
        "original,pseudonym,kind\nJane Moss,Person A,person\n", encoding="utf-8"
    )
    return key


# -- drift: transcripts are what qualcode.io reads -------------------------------
def test_cli_pseudonymise_reads_a_webvtt_file_as_a_transcript(capsys, tmp_path):
    src = tmp_path / "int01.webvtt"
    src.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
        "<v Interviewer>Who is Jane Moss?</v>\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v P1>Jane Moss runs the team.</v>\n",
        encoding="utf-8",
    )
    assert qc.read_transcript(src).id == "int01"  # the library reads it
    out = tmp_path / "shared"
    code, _, err = run(
        capsys, "pseudonymise", src, "--key", _key(tmp_path), "--out", out
    )
    assert code == 0, err
    text = (out / "int01.txt").read_text(encoding="utf-8")
    assert "Person A runs the team." in text and "Jane Moss" not in text
