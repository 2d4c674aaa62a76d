"""List-valued attributes in every export format (issue 22)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from qualcode.export import export_extracts
from qualcode.model import Transcript, TurnDraft

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _live_cells(path):
    from openpyxl import load_workbook

    bad = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if c.data_type == "f" or (
                    isinstance(v, str) and v.startswith(DANGEROUS)
                ):
                    bad.append(f"{ws.title}!{c.coordinate}={v!r}")
    return bad


# -- list-valued attributes (issue 22) ---------------------------------------------
def _listy() -> Transcript:
    return Transcript.build(
        "t1",
        [TurnDraft("We divert people.", "P1", "participant")],
        attributes={
            "languages": ["en", "pl"],
            "role": "police staff",
            "teams": ("a", "=b"),
        },
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".md", ".html", ".docx"])
def test_issue22_list_valued_attributes_export(suffix, tmp_path):
    t = _listy()
    codings = pd.DataFrame(
        {"transcript_id": ["t1"], "start": [4], "end": [16], "code": ["divert"]}
    )
    out = export_extracts(
        codings,
        tmp_path / f"q{suffix}",
        transcripts=[t],
        attribution="({role}, {languages})",
    )
    assert out.exists()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out).worksheets[1]
        header = [c.value for c in ws[1]]
        row = dict(zip(header, [c.value for c in ws[2]], strict=True))
        assert row["languages"] == "en; pl"
        assert row["teams"] == "a; =b"
        assert row["attribution"] == "(police staff, en; pl)"
        assert _live_cells(out) == []
    elif suffix == ".csv":
        row = next(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert row["languages"] == "en; pl"


def test_issue22_list_valued_attributes_in_matrices(tmp_path):
    t = _listy()
    codings = pd.DataFrame(
        {"transcript_id": ["t1"], "start": [4], "end": [16], "code": ["divert"]}
    )
    out = export_extracts(codings, tmp_path / "q.xlsx", transcripts=[t], matrices=True)
    assert _live_cells(out) == []
