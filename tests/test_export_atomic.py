"""Issue 16.3: a crash mid-export leaves the previous good file and no temp file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qualcode.export import (
    _writers,
    export_extracts,
    export_matrices,
    export_tables,
)

CODINGS = pd.DataFrame(
    {
        "transcript_id": ["t1", "t2"],
        "start": [0, 0],
        "end": [9, 7],
        "code": ["divert", "enforce"],
        "coder": ["AB", "AB"],
        "text": ["We divert", "We seize"],
    }
)
OLD = b"the previous, complete export\n"


class Killed(Exception):
    """Stands in for a kill, a full disk or Ctrl-C half-way through a write."""


def _half_write(*args, **kwargs):
    path = next(a for a in args if isinstance(a, Path))
    path.write_bytes(b"half a fi")
    raise Killed


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


WRITERS = {
    ".csv": "write_csv",
    ".xlsx": "write_xlsx",
    ".docx": "write_docx",
    ".html": "write_html",
    ".md": "write_md",
}


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_issue16_export_extracts_crash_keeps_previous_file(
    suffix, tmp_path, monkeypatch
):
    out = tmp_path / f"bank{suffix}"
    out.write_bytes(OLD)
    monkeypatch.setattr(_writers, WRITERS[suffix], _half_write)
    with pytest.raises(Killed):
        export_extracts(CODINGS, out, context=0)
    assert out.read_bytes() == OLD
    assert _only(tmp_path) == [out.name]


def test_issue16_export_tables_crash_keeps_previous_file(tmp_path, monkeypatch):
    from qualcode.export import tables

    out = tmp_path / "agreement.xlsx"
    out.write_bytes(OLD)
    monkeypatch.setattr(tables, "write_tables_xlsx", _half_write)
    with pytest.raises(Killed):
        export_tables(pd.DataFrame({"code": ["a"]}), out)
    assert out.read_bytes() == OLD
    assert _only(tmp_path) == [out.name]


def test_issue16_export_matrices_crash_keeps_previous_file(tmp_path, monkeypatch):
    from openpyxl import Workbook

    out = tmp_path / "matrices.xlsx"
    out.write_bytes(OLD)
    monkeypatch.setattr(Workbook, "save", lambda self, p: _half_write(Path(p)))
    with pytest.raises(Killed):
        export_matrices(CODINGS, out, unit="coding")
    assert out.read_bytes() == OLD
    assert _only(tmp_path) == [out.name]


def test_issue16_export_extracts_complete_file_replaces_old(tmp_path):
    out = tmp_path / "bank.md"
    out.write_bytes(OLD)
    export_extracts(CODINGS, out, context=0)
    assert "We divert" in out.read_text(encoding="utf-8")
    assert _only(tmp_path) == [out.name]
