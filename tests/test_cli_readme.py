"""The README's command-line walkthrough, run command by command on the demo data.

The block under "## Command line" is parsed (continuation lines joined, comments
dropped) and every command runs in a fresh folder holding links to ``corpora/``
and ``codebooks/``, as a reader would run it from the repository's root. Where
the README asks the reader to fill in a sheet, the test does so first. Every
command must exit 0 (issue 16: its first command used to fail).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

import qualcode as qc
from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def readme_commands() -> list[list[str]]:
    """The walkthrough's commands as argv lists (without the leading 'qualcode')."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "no ```bash block under '## Command line'"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        argv = shlex.split(line, comments=True)
        if argv:
            assert argv[0] == "qualcode", line
            commands.append(argv[1:])
    return commands


def _fill_decisions(path: Path) -> None:
    """What the reader does before 'qualcode review': decide a few suggestions."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    (name, df), *_ = sheets.items()
    df["decision"] = (["accepted", "rejected"] * len(df))[: len(df)]
    df.loc[df.index[10:], "decision"] = ""
    qc.export_tables({name: df}, path)


def _fill_resolutions(path: Path) -> None:
    """What the reader does before 'qualcode resolve': agree on a few units."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    (name, df), *_ = sheets.items()
    df["resolution"] = ""
    df.loc[df.index[:5], "resolution"] = df["AB"].iloc[:5].fillna("none")
    df.loc[df.index[5:8], "resolution"] = "none"
    qc.export_tables({name: df}, path)


BEFORE = {"review": _fill_decisions, "resolve": _fill_resolutions}


def test_cli_readme_walkthrough_has_the_workflow():
    names = [argv[0] for argv in readme_commands()]
    assert names[0] == "import"
    for name in ("suggest", "review", "agreement", "resolve", "saturation", "export"):
        assert name in names


def test_cli_readme_walkthrough_runs_on_the_demo_data(capsys, tmp_path, monkeypatch):
    for name in ("corpora", "codebooks"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for argv in readme_commands():
        if argv[0] in BEFORE:
            BEFORE[argv[0]](tmp_path / argv[1])
        code = main(argv)
        cap = capsys.readouterr()
        assert code == 0, f"qualcode {shlex.join(argv)}\n{cap.err}"
    with qc.Project(tmp_path / "study.qcproj") as project:
        assert len(project.transcript_ids()) == 11
        assert {"AB", "CD", "consensus"} <= set(project.coders)
    assert (tmp_path / "saturation.png").is_file()
    assert (tmp_path / "study.qdpx").is_file()
