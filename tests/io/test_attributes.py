"""Participant attribute tables: qualcode.io.attributes (read_corpus(attributes=))."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from qualcode.errors import ImportFormatError
from qualcode.io.attributes import read_attributes

HEADER = "transcript_id,organisation,role\n"


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("int01,Force A,police officer,\nint02,Council,partner,\n", 2),
        ("int01,Force A,police officer\nint02,Council, North,partner\n", 3),
    ],
    ids=["trailing-comma", "unquoted-comma"],
)
def test_issue22_attribute_row_with_extra_field_names_file_and_line(
    tmp_path, body, line
):
    p = tmp_path / "attributes.csv"
    p.write_text(HEADER + body)
    with pytest.raises(
        ImportFormatError, match=rf"\[QC229\] Attributes .*attributes\.csv, line {line}"
    ) as info:
        read_attributes(p)
    assert info.value.line == line
    for value in ("Force A", "Council", "North", "partner", "police officer"):
        assert value not in str(info.value)


def test_issue22_attribute_empty_header_cell_over_values_is_clear_error(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text("transcript_id,,role\nint01,Force A,police officer\n")
    with pytest.raises(ImportFormatError, match=r"\[QC230\].*column 2") as info:
        read_attributes(p)
    assert "Force A" not in str(info.value)


def test_attributes_trailing_separator_on_every_line_is_harmless(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text("transcript_id,organisation,\nint01,Force A,\n")
    assert read_attributes(p) == {"int01": {"organisation": "Force A"}}


def test_attributes_short_rows_fill_with_none(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text(HEADER + "int01,Force A\n")
    assert read_attributes(p) == {"int01": {"organisation": "Force A", "role": None}}


def test_attributes_quoted_comma_is_one_value(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text(HEADER + 'int01,"Force A, North",police officer\n')
    assert read_attributes(p)["int01"]["organisation"] == "Force A, North"


def test_attributes_semicolon_separated_csv(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text("transcript_id;organisation\nint01;Force A, North\n")
    assert read_attributes(p) == {"int01": {"organisation": "Force A, North"}}


def test_attributes_multiline_quoted_value_counts_lines(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text(HEADER + 'int01,"Force\nA",x\nint02,B,c,extra\n')
    with pytest.raises(ImportFormatError, match=r"line 4"):
        read_attributes(p)


def test_issue22_xlsx_value_under_empty_header_is_clear_error(tmp_path):
    p = tmp_path / "attributes.xlsx"
    pd.DataFrame(
        [["transcript_id", "organisation", None], ["int01", "Force A", "extra"]]
    ).to_excel(p, header=False, index=False)
    with pytest.raises(ImportFormatError, match=r"\[QC230\].*line 2: column 3"):
        read_attributes(p)


def test_attributes_no_warning_for_a_clean_table(tmp_path):
    p = tmp_path / "attributes.csv"
    p.write_text(HEADER + "int01,Force A,police officer\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_attributes(p)
