"""Quote banks (xlsx, csv, docx, html, md), matrices and Parquet."""

from __future__ import annotations

import csv
import html.parser
import re
from pathlib import Path

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import InvalidInputError
from qualcode.export import (
    code_matrix,
    cooccurrence,
    export_extracts,
    export_matrices,
    export_parquet,
    format_attribution,
)
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

OFFICER = "(police officer – inspector/chief inspector)"


def _transcripts() -> list[Transcript]:
    t1 = Transcript.build(
        "int01",
        [
            TurnDraft("What does your team prioritise?", "Interviewer", "interviewer"),
            TurnDraft(
                "We arrested three dealers 😀 last month. But arrests alone do "
                "not stop "
                "the harm.",
                "P1",
                "participant",
            ),
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft(
                "=SUM(A1) we divert people <b>who use</b> drugs & more.",
                "P1",
                "participant",
            ),
        ],
        attributes={"role": "police officer", "rank_band": "inspector/chief inspector"},
    )
    t2 = Transcript.build(
        "int02",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "County lines exploit children. We safeguard them first.",
                "P2",
                "participant",
            ),
        ],
        attributes={"role": "partner", "rank_band": None},
    )
    t3 = Transcript.build(
        "int03",
        [
            TurnDraft("And you?", "Interviewer", "interviewer"),
            TurnDraft("-Staff see harm every day.", "P3", "participant"),
        ],
        attributes={"role": "police staff"},
    )
    return [t1, t2, t3]


CODEBOOK = Codebook(
    [
        Code("pursue", "Pursue: enforcement [4P]", definition="Enforcement activity."),
        Code(
            "enforce",
            "Enforce drug laws",
            parent="pursue",
            definition="Arrests, seizures.",
        ),
        Code("prevent", "Prevent"),
        Code("divert", "Divert", parent="prevent"),
        Code("harm", "Harms"),
    ],
    name="roles",
    version="1",
)


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "q.qcproj")
    p.set_codebook(CODEBOOK)
    t1, t2, t3 = _transcripts()
    p.add_transcripts([t1, t2, t3])
    u = t1.turns[1]
    p.add_coding(
        "int01", u.start, u.start + 25, "enforce", "AB", memo="=cmd|' /C calc'!A0"
    )
    p.add_coding("int01", u.start + 3, u.end, "pursue", "CD")
    p.code_turn("int01", 3, "divert", "AB")
    p.code_turn("int02", 1, "harm", "AB")
    p.code_turn("int03", 1, "harm", "CD")
    yield p
    p.close()


def _truth(project: Project) -> dict[tuple[str, int, int], str]:
    texts = {t.id: t.text for t in project.iter_transcripts()}
    return {
        (r.transcript_id, r.start, r.end): texts[r.transcript_id][r.start : r.end]
        for r in project.codings().itertuples()
    }


def _unquote(cell: str) -> str:
    """Undo the formula-injection prefix."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def test_export_csv_extracts_equal_stored_text(project, tmp_path):
    out = export_extracts(project, tmp_path / "q.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    truth = _truth(project)
    assert len(rows) == len(truth)
    for r in rows:
        key = (r["transcript"], int(r["start"]), int(r["end"]))
        assert _unquote(r["extract"]) == truth[key]


def test_export_csv_neutralises_formula_injection(project, tmp_path):
    out = export_extracts(project, tmp_path / "q.csv")
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    cells = [v for r in rows for v in r.values() if v]
    assert not [c for c in cells if c[0] in "=+-@\t\r"]
    assert "'=SUM(A1) we divert people <b>who use</b> drugs & more." in cells
    assert "'-Staff see harm every day." in cells
    assert "'=cmd|' /C calc'!A0" in cells


def test_export_xlsx_sheets_extracts_and_injection(project, tmp_path):
    from openpyxl import load_workbook

    out = export_extracts(project, tmp_path / "q.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Index", "Pursue enforcement 4P", "Prevent", "Harms"]
    truth = _truth(project)
    seen = 0
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2, values_only=True):
            rec = dict(zip(header, row, strict=True))
            for v in rec.values():
                assert not (isinstance(v, str) and v[:1] in ("=", "+", "-", "@"))
            key = (rec["transcript"], rec["start"], rec["end"])
            assert _unquote(rec["extract"]) == truth[key]
            seen += 1
        assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert seen == len(truth)


def test_export_xlsx_index_lists_codes_with_links(project, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(export_extracts(project, tmp_path / "q.xlsx"))["Index"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["pursue", "enforce", "prevent", "divert", "harm"]
    assert [r[5] for r in rows] == [1, 1, 0, 1, 2]
    assert ws.cell(row=2, column=7).hyperlink.target == "#'Pursue enforcement 4P'!A1"


def test_export_xlsx_matrices_adds_sheets(project, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(export_extracts(project, tmp_path / "q.xlsx", matrices=True))
    assert (
        "Code x transcript" in wb.sheetnames and "Co-occurrence (turn)" in wb.sheetnames
    )
    ws = wb["Code x transcript"]
    assert [c.value for c in ws[1]] == ["code", "int01", "int02", "int03"]


class _Quotes(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.quotes: list[tuple[dict, str]] = []
        self.attributions: list[str] = []
        self._in: str | None = None
        self._attrs: dict = {}
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "blockquote" or (tag == "p" and a.get("class") == "attribution"):
            self._in, self._attrs, self._buf = tag, a, []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._buf)
            if tag == "blockquote":
                self.quotes.append((self._attrs, text))
            else:
                self.attributions.append(text)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)


def test_export_html_is_escaped_and_extracts_equal_stored_text(project, tmp_path):
    out = export_extracts(project, tmp_path / "q.html")
    page = out.read_text(encoding="utf-8")
    assert "<b>who use</b>" not in page and "&lt;b&gt;who use&lt;/b&gt;" in page
    assert "<style>" in page and "@media print" in page and "<script" not in page
    parser = _Quotes()
    parser.feed(page)
    truth = _truth(project)
    assert len(parser.quotes) == len(truth)
    for attrs, text in parser.quotes:
        assert (
            text
            == truth[
                (
                    attrs["data-transcript"],
                    int(attrs["data-start"]),
                    int(attrs["data-end"]),
                )
            ]
        )


def test_export_html_attributions_follow_the_report_style(project, tmp_path):
    parser = _Quotes()
    parser.feed(
        export_extracts(project, tmp_path / "q.html").read_text(encoding="utf-8")
    )
    prefixes = [a.split(" [")[0] for a in parser.attributions]
    assert prefixes == [OFFICER, OFFICER, OFFICER, "(partner)", "(police staff)"]


def test_export_docx_quotes_and_attributions(project, tmp_path):
    import docx

    doc = docx.Document(export_extracts(project, tmp_path / "q.docx"))
    paras = doc.paragraphs
    quotes = [(i, p.text) for i, p in enumerate(paras) if p.style.name == "Quote"]
    truth = sorted(_truth(project).values())
    assert sorted(q for _, q in quotes) == truth
    attributions = [paras[i + 1].text.split(" [")[0] for i, _ in quotes]
    assert attributions == [OFFICER, OFFICER, OFFICER, "(partner)", "(police staff)"]
    headings = [p.text for p in paras if p.style.name.startswith("Heading")]
    assert headings[:3] == [
        "Pursue: enforcement [4P]",
        "Pursue: enforcement [4P] (pursue)",
        "Enforce drug laws (enforce)",
    ]


def test_export_md_block_quotes_with_attribution(project, tmp_path):
    text = export_extracts(project, tmp_path / "q.md").read_text(encoding="utf-8")
    blocks = re.findall(r"((?:^>.*\n)+)\n(.*)\n", text, flags=re.M)
    truth = sorted(_truth(project).values())
    got = sorted(
        re.sub(r"\\(.)", r"\1", "\n".join(line[2:] for line in b.splitlines()))
        for b, _ in blocks
    )
    assert got == truth
    assert "*Enforcement activity.*" in text


def test_export_filters_by_code_with_descendants(project, tmp_path):
    out = export_extracts(project, tmp_path / "q.csv", codes="pursue")
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert sorted(r["code"] for r in rows) == ["enforce", "pursue"]


def test_export_filters_by_attribute_and_coder(project, tmp_path):
    out = export_extracts(
        project, tmp_path / "q.csv", where={"role": "police officer"}, coders=["AB"]
    )
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert sorted(r["code"] for r in rows) == ["divert", "enforce"]


def test_export_filters_by_callable(project, tmp_path):
    out = export_extracts(
        project,
        tmp_path / "q.csv",
        where=lambda r: r["role"] in ("partner", "police staff"),
    )
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert sorted(r["transcript"] for r in rows) == ["int02", "int03"]


def test_export_works_on_a_codings_frame(project, tmp_path):
    out = export_extracts(
        project.codings(), tmp_path / "q.csv", codebook=project.codebook, context=0
    )
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert {r["attribution"] for r in rows} == {OFFICER, "(partner)", "(police staff)"}


def test_export_context_marks_extract_in_surrounding_sentences(project, tmp_path):
    out = export_extracts(project, tmp_path / "q.csv", codes="enforce")
    row = next(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert "«We arrested three dealers»" in row["context"]
    assert "But arrests alone do not stop the harm." in row["context"]


def test_export_callable_attribution(project, tmp_path):
    out = export_extracts(
        project, tmp_path / "q.csv", attribution=lambda r: f"[{r['speaker']}]"
    )
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert {r["attribution"] for r in rows} == {"[P1]", "[P2]", "[P3]"}


@pytest.mark.parametrize(
    "attrs,expected",
    [
        (
            {"role": "police officer", "rank_band": "constable/sergeant"},
            "(police officer – constable/sergeant)",
        ),
        ({"role": "police staff", "rank_band": None}, "(police staff)"),
        ({"role": "partner", "rank_band": ""}, "(partner)"),
        ({"role": None, "rank_band": "superintendent+"}, "(superintendent+)"),
        ({}, ""),
    ],
)
def test_export_format_attribution_drops_empty_parts(attrs, expected):
    assert format_attribution("({role} – {rank_band})", attrs) == expected


def test_export_bad_template_is_refused():
    with pytest.raises(InvalidInputError, match=r"\[QC716\]"):
        format_attribution("({role", {})


def test_export_unknown_suffix_is_refused(project, tmp_path):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*suffix"):
        export_extracts(project, tmp_path / "q.pdf")


def test_export_unknown_code_is_refused(project, tmp_path):
    with pytest.raises(InvalidInputError, match=r"\[QC717\].*nosuch"):
        export_extracts(project, tmp_path / "q.csv", codes="nosuch")


# -- matrices ------------------------------------------------------------------------
MATRIX_CODINGS = pd.DataFrame(
    {
        "transcript_id": ["t1", "t1", "t1", "t2", "t2", "t3"],
        "start": [0, 5, 30, 0, 0, 10],
        "end": [10, 12, 40, 8, 8, 20],
        "code": ["enforce", "divert", "enforce", "enforce", "harm", "harm"],
        "turn": [0, 0, 1, 0, 0, 2],
        "rank": ["sergeant", "sergeant", "sergeant", "inspector", "inspector", None],
    }
)


def test_export_code_matrix_by_transcript_counts_references():
    m = code_matrix(MATRIX_CODINGS)
    assert m.loc["enforce"].to_dict() == {"t1": 2, "t2": 1, "t3": 0}
    assert m.loc["harm"].to_dict() == {"t1": 0, "t2": 1, "t3": 1}


def test_export_code_matrix_by_attribute_counts_participants():
    m = code_matrix(MATRIX_CODINGS, by="rank", count="participants")
    assert m.loc["enforce"].to_dict() == {"(missing)": 0, "inspector": 1, "sergeant": 1}
    assert m.loc["harm"].to_dict() == {"(missing)": 1, "inspector": 1, "sergeant": 0}


def test_export_code_matrix_rolls_up_to_themes():
    m = code_matrix(MATRIX_CODINGS, codebook=CODEBOOK, level=0)
    assert list(m.index) == ["pursue", "prevent", "harm"]
    assert m.loc["pursue"].to_dict() == {"t1": 2, "t2": 1, "t3": 0}


def test_export_cooccurrence_by_coding_overlap():
    m = cooccurrence(MATRIX_CODINGS, unit="coding")
    assert m.loc["enforce", "divert"] == 1 and m.loc["divert", "enforce"] == 1
    assert m.loc["enforce", "harm"] == 1
    assert m.loc["enforce", "enforce"] == 3


def test_export_cooccurrence_by_turn_column():
    m = cooccurrence(MATRIX_CODINGS, unit="turn")
    assert m.loc["enforce", "divert"] == 1  # t1 turn 0
    assert m.loc["enforce", "enforce"] == 3  # t1/0, t1/1, t2/0
    assert m.loc["harm", "harm"] == 2


def test_export_cooccurrence_by_sentence_needs_transcripts():
    with pytest.raises(InvalidInputError, match="transcripts"):
        cooccurrence(MATRIX_CODINGS, unit="sentence")


def test_export_cooccurrence_sentences_from_project(project):
    m = cooccurrence(project, unit="sentence")
    # enforce [We arrested three dealers] and pursue [arrested ... harm.]
    # share sentence 1
    assert m.loc["enforce", "pursue"] == 1
    assert m.loc["pursue", "pursue"] == 2


def test_export_matrices_writes_sheets(tmp_path):
    from openpyxl import load_workbook

    out = export_matrices(
        MATRIX_CODINGS, tmp_path / "m.xlsx", by=("transcript", "rank"), unit="coding"
    )
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Code x transcript",
        "Code x rank",
        "Co-occurrence (coding)",
    ]
    assert [c.value for c in wb["Code x transcript"][3]] == ["enforce", 2, 1, 0]


# -- parquet -------------------------------------------------------------------------
def _pyarrow_ok() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(
    not _pyarrow_ok(), reason="pyarrow not importable in this environment"
)
def test_export_parquet_round_trips_offsets(project, tmp_path):
    files = export_parquet(project, tmp_path / "pq")
    assert sorted(files) == ["codings", "transcripts", "turns"]
    texts = pd.read_parquet(files["transcripts"]).set_index("transcript_id")["text"]
    codings = pd.read_parquet(files["codings"])
    assert all(
        texts[r.transcript_id][r.start : r.end] == r.text for r in codings.itertuples()
    )


def test_export_parquet_missing_pyarrow_names_the_extra(monkeypatch, tmp_path):
    import sys

    from qualcode.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingDependencyError, match=r"qualcode\[parquet\]"):
        export_parquet(_transcripts(), tmp_path)


def test_export_merges_coders_of_the_same_quote(project, tmp_path):
    row = project.codings(code="harm", coder="AB").iloc[0]
    project.add_coding(
        row.transcript_id, row.start, row.end, "harm", "CD", memo="agree"
    )
    out = export_extracts(project, tmp_path / "q.csv", codes="harm")
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert sorted(r["coder"] for r in rows) == ["AB; CD", "CD"]
    assert [r["memo"] for r in rows if r["coder"] == "AB; CD"] == ["agree"]


def test_export_can_keep_one_row_per_coding(project, tmp_path):
    row = project.codings(code="harm", coder="AB").iloc[0]
    project.add_coding(row.transcript_id, row.start, row.end, "harm", "CD")
    out = export_extracts(project, tmp_path / "q.csv", codes="harm", merge_coders=False)
    rows = list(
        csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True))
    )
    assert len(rows) == 3


def test_export_tables_styles_and_neutralises(tmp_path):
    import openpyxl
    import pandas as pd

    import qualcode as qc

    a = pd.DataFrame({"code": ["x", "y"], "kappa": [0.5, float("nan")]})
    b = pd.DataFrame({"text": ["=HYPERLINK(1)", "plain"], "resolution": ["", ""]})
    out = qc.export_tables({"agreement": a, "to resolve": b}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["agreement", "to resolve"]
    ws = wb["to resolve"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws.auto_filter.ref == "A1:B3"
    assert ws["A2"].value == "'=HYPERLINK(1)"
    assert wb["agreement"]["B2"].value == 0.5
    assert wb["agreement"]["B3"].value is None


def test_export_tables_refuses_other_suffixes(tmp_path):
    import pandas as pd
    import pytest

    import qualcode as qc

    with pytest.raises(qc.InvalidInputError, match=r"\[QC101\].*export_tables"):
        qc.export_tables(pd.DataFrame({"a": [1]}), tmp_path / "t.txt")
