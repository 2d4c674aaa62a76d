"""export_tables for agreement workbooks (issue 17): rounded, named, NaN shown."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from qualcode.export import export_tables

TABLE = pd.DataFrame(
    {
        "code": ["protect", "(pooled)"],
        "cohen_kappa": [0.348123456, 0.8013],
        "cohen_kappa_ci_low": [np.nan, 0.61234],
        "note": [None, "x"],
    }
)


def test_issue17_xlsx_shows_three_decimals_and_keeps_exact_values(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(export_tables(TABLE, tmp_path / "agreement.xlsx")).active
    assert ws["B2"].value == 0.348123456
    assert ws["B2"].number_format == "0.000"


def test_issue17_lone_table_sheet_is_named_after_the_file(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(export_tables(TABLE, tmp_path / "agreement.xlsx"))
    assert wb.sheetnames == ["agreement"]


def test_issue17_undefined_statistics_can_read_undefined(tmp_path):
    from openpyxl import load_workbook

    out = export_tables(TABLE, tmp_path / "a.xlsx", na_rep="undefined")
    ws = load_workbook(out).active
    assert ws["C2"].value == "undefined"  # a float NaN: an undefined interval
    assert ws["D2"].value is None  # a missing text stays empty


def test_issue17_csv_rounds_and_marks_undefined(tmp_path):
    out = export_tables(TABLE, tmp_path / "a.csv", na_rep="undefined")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["cohen_kappa"] == "0.348"
    assert rows[0]["cohen_kappa_ci_low"] == "undefined"
    assert rows[0]["note"] == ""
    full = export_tables(TABLE, tmp_path / "b.csv", decimals=None)
    first = next(csv.DictReader(full.read_text(encoding="utf-8-sig").splitlines()))
    assert first["cohen_kappa"] == "0.348123456"
