"""Writers for quote banks and tables: xlsx, csv, docx, html, md.

Each quote-bank writer takes the prepared extracts frame (one row per quote,
already filtered and ordered, with ``extract``, ``context`` and ``attribution``)
plus the code sections to print. Only :mod:`qualcode.export` calls these.

Every writer writes to the path it is given; the public export functions hand it
the temporary path of :func:`qualcode._files.atomic_path`, so a crash never
leaves a truncated file in place of the previous good one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qualcode.media import MediaLink, player_html

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def neutralise(value: Any) -> Any:
    """Defuse spreadsheet formula injection: prefix ``'`` to risky strings.

    Examples
    --------
    >>> (
    ...     neutralise("=HYPERLINK(...)"),
    ...     neutralise("-2 arrests"),
    ...     neutralise("ok"),
    ...     neutralise(3),
    ... )
    ("'=HYPERLINK(...)", "'-2 arrests", 'ok', 3)
    """
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def sheet_name(label: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (<= 31 chars, no ``[]:*?/\\``).

    Examples
    --------
    >>> taken = {"index"}
    >>> sheet_name("Pursue: enforce/disrupt", taken)
    'Pursue enforce disrupt'
    >>> sheet_name("Index", taken)
    'Index (2)'
    """
    base = _SHEET_BAD.sub(" ", _ILLEGAL_XML.sub("", str(label)))
    base = re.sub(r"\s+", " ", base).strip().strip("'") or "Sheet"
    if base.lower() == "history":
        base = "History (code)"
    name = base[:31].rstrip()
    k = 2
    while name.lower() in taken:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        k += 1
    taken.add(name.lower())
    return name


def cell(value: Any) -> Any:
    r"""The one value qualcode writes to a spreadsheet or CSV cell.

    Every cell of every sheet and every CSV field goes through here: blanks
    (None, NaN, NA) become None, numpy scalars Python numbers, aware times naive
    UTC, lists and sets ``"a; b"``, mappings ``"k: v; ..."``, and strings lose
    characters XML cannot hold and are :func:`neutralise`\ d.

    Examples
    --------
    >>> cell(["en", "=pl"]), cell(float("nan")), cell("=1+1"), cell(2)
    ('en; =pl', None, "'=1+1", 2)
    >>> cell({"a": 1, "b": None})
    'a: 1; b: '
    """
    import datetime as dt
    import numbers

    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset, dict)) or (
        type(value).__module__ == "numpy" and getattr(value, "ndim", 0) > 0
    ):
        return neutralise(_ILLEGAL_XML.sub("", readable(value)))
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        value = (
            value.tz_convert("UTC").tz_localize(None)
            if hasattr(value, "tz_convert")
            else value.replace(tzinfo=None)
        )
    if isinstance(value, str):
        return neutralise(_ILLEGAL_XML.sub("", value))
    if isinstance(value, (bool, numbers.Number, dt.date, dt.time, dt.timedelta)):
        return value
    return neutralise(_ILLEGAL_XML.sub("", str(value)))


def readable(value: Any) -> str:
    """A value as text for a reader: lists ``"a; b"``, mappings ``"k: v; ..."``.

    Examples
    --------
    >>> readable(["en", "pl"]), readable({"unit": "CID"}), readable(None)
    ('en; pl', 'unit: CID', '')
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)) or (
        type(value).__module__ == "numpy" and getattr(value, "ndim", 0) > 0
    ):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "; ".join(readable(v) for v in items)
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


# ---------------------------------------------------------------------------
def write_csv(
    df: Any,
    path: Path,
    columns: Sequence[str] | None = None,
    *,
    decimals: int | None = None,
    na_rep: str = "",
) -> None:
    """The one CSV writer: UTF-8 with BOM (Excel-friendly), every cell :func:`cell`.

    ``decimals`` rounds floats; blank cells of float columns are written as
    ``na_rep``, other blanks as empty fields.
    """
    import csv

    columns = [str(c) for c in df.columns] if columns is None else list(columns)
    frame = df[list(columns)]
    floats = [str(t).lower().startswith("float") for t in frame.dtypes]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([cell(c) for c in columns])
        for row in frame.itertuples(index=False):
            out = []
            for x, is_float in zip(row, floats, strict=True):
                v = cell(x)
                if v is None:
                    v = na_rep if is_float else ""
                elif decimals is not None and isinstance(v, float):
                    v = round(v, decimals)
                out.append(v)
            w.writerow(out)


WIDTHS = {
    "turn": 7,
    "time": 10,
    "code": 18,
    "code_label": 28,
    "transcript": 14,
    "speaker": 12,
    "extract": 70,
    "context": 70,
    "memo": 40,
    "coder": 10,
    "origin": 12,
    "start": 8,
    "end": 8,
    "attribution": 34,
}


def _header(ws: Any, cols: Sequence[str], widths: dict[str, int]) -> None:
    """A styled, frozen header row (bold white on blue, wrapped) and column widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([cell(str(c)) for c in cols])
    for j, c in enumerate(cols, start=1):
        head = ws.cell(row=1, column=j)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="305496")
        head.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = widths.get(str(c), 16)
    ws.freeze_panes = "A2"


def _finish(ws: Any, ncols: int) -> None:
    """An autofilter over the used range."""
    from openpyxl.utils import get_column_letter

    if ws.max_row >= 1 and ncols:
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(ws.max_row, 1)}"


def write_tables_xlsx(
    tables: dict[str, Any],
    path: Path,
    *,
    widths: dict[str, int] | None = None,
    decimals: int | None = None,
    na_rep: str = "",
) -> Path:
    """Write DataFrames as sheets with the quote banks' styling.

    Styled frozen header, autofilter, wrapped text, every cell through
    :func:`cell`; columns named in ``widths`` (or holding long text) get wider.
    Float columns keep their exact values and show ``decimals`` places; blank
    cells of float columns show ``na_rep``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    number_format = "0." + "0" * decimals if decimals else "0"
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, df in tables.items():
        ws = wb.create_sheet(sheet_name(title, taken))
        cols = [str(c) for c in df.columns]
        w = {c: 16 for c in cols}
        for c in cols:
            if df[c].dtype == object or str(df[c].dtype).startswith("string"):
                longest = df[c].astype(str).str.len().max() if len(df) else 0
                w[c] = int(min(70, max(12, (longest or 0) // 2)))
        w.update(widths or {})
        _header(ws, cols, w)
        floats = [str(df[c].dtype).lower().startswith("float") for c in df.columns]
        for row in df.itertuples(index=False):
            values = [cell(v) for v in row]
            ws.append(
                [
                    na_rep if v is None and f and na_rep else v
                    for v, f in zip(values, floats, strict=True)
                ]
            )
        for r in ws.iter_rows(min_row=2):
            for c, is_float in zip(r, floats, strict=True):
                c.alignment = wrap
                if is_float and decimals is not None and isinstance(c.value, float):
                    c.number_format = number_format
        _finish(ws, len(cols))
    wb.save(path)
    return Path(path)


def write_xlsx(
    df: Any,
    path: Path,
    columns: Sequence[str],
    sections: Sequence[dict[str, Any]],
    index: Any,
    matrices: dict[str, Any] | None = None,
) -> None:
    """One sheet per top-level theme plus an Index sheet (and optional matrices)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws_index = wb.active
    ws_index.title = "Index"
    taken = {"index"}
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(ws: Any, cols: Sequence[str], widths: dict[str, int]) -> None:
        _header(ws, cols, widths)

    def finish(ws: Any, ncols: int) -> None:
        _finish(ws, ncols)

    # theme sheets
    sheet_of_root: dict[str, str] = {}
    for sec in sections:
        name = sheet_name(sec["label"], taken)
        sheet_of_root[sec["root"]] = name
        ws = wb.create_sheet(name)
        header(ws, columns, WIDTHS)
        rows = df[df["root"] == sec["root"]]
        for row in rows[list(columns)].itertuples(index=False):
            ws.append([cell(v) for v in row])
        for r in ws.iter_rows(min_row=2):
            for c in r:
                c.alignment = wrap
        finish(ws, len(columns))

    # index sheet
    icols = ["code", "label", "parent", "theme", "definition", "extracts", "sheet"]
    header(
        ws_index,
        icols,
        {
            "code": 22,
            "label": 34,
            "parent": 18,
            "theme": 22,
            "definition": 70,
            "extracts": 10,
            "sheet": 26,
        },
    )
    for rec in index.to_dict("records"):
        sheet = sheet_of_root.get(rec["root"])
        ws_index.append(
            [
                cell(rec["code"]),
                cell(rec["label"]),
                cell(rec["parent"]),
                cell(rec["theme"]),
                cell(rec["definition"]),
                int(rec["extracts"]),
                cell(sheet),
            ]
        )
        if sheet:
            link = ws_index.cell(row=ws_index.max_row, column=len(icols))
            quoted = sheet.replace("'", "''")
            link.hyperlink = f"#'{quoted}'!A1"
            link.font = Font(color="0563C1", underline="single")
    for r in ws_index.iter_rows(min_row=2):
        for c in r:
            c.alignment = wrap
    finish(ws_index, len(icols))

    for title, mat in (matrices or {}).items():
        ws = wb.create_sheet(sheet_name(title, taken))
        cols = [mat.index.name or "code", *map(str, mat.columns)]
        header(ws, cols, {cols[0]: 26})
        for code, values in mat.iterrows():
            ws.append([cell(code), *[cell(v) for v in values]])
        finish(ws, len(cols))
    wb.save(path)


# ---------------------------------------------------------------------------
_NEWLINES = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# a line that Markdown would read as a list item, setext underline or rule
_LINE_START = re.compile(r"^(\s*)([=+-]|\d+(?=[.)]))")
_PLAIN_ID = re.compile(r"[\w.:/+-]+")


def md_escape(s: object, *, lines: bool = False) -> str:
    r"""Escape user text for Markdown: it can never open a tag, heading or span.

    Every character CommonMark gives a meaning (backtick, ``*``, ``_``, ``<``,
    ``#``, ...) is backslash-escaped, and so is a list or heading marker at the
    start of a line. Line breaks become spaces unless ``lines`` (then each line
    is escaped on its own; the caller prefixes them).

    Examples
    --------
    >>> md_escape("q` <img src=x>")
    'q\\` \\<img src=x\\>'
    >>> md_escape("x\n# H")
    'x \\# H'
    >>> md_escape("-2 arrests")
    '\\-2 arrests'
    """
    text = _CONTROL.sub("", str(s))
    if not lines:
        text = _NEWLINES.sub(" ", text)
    out = []
    for line in _NEWLINES.split(text) if lines else [text]:
        line = _MD_SPECIAL.sub(r"\\\1", line)
        out.append(_LINE_START.sub(_escape_marker, line))
    return "\n".join(out)


def _escape_marker(m: re.Match[str]) -> str:
    lead, marker = m.group(1), m.group(2)
    if marker[0].isdigit():  # "1." / "1)": escape the punctuation after it
        return lead + marker + "\\"
    return lead + "\\" + marker


def _md_code(code_id: str) -> str:
    """A code id as an inline code span when it is plain, else as escaped text."""
    if _PLAIN_ID.fullmatch(code_id):
        return f"`{code_id}`"
    return md_escape(code_id)


_md_escape = md_escape


def write_md(
    df: Any, path: Path, sections: Sequence[dict[str, Any]], title: str
) -> None:
    """Markdown: a heading per theme and code, block quotes with attribution.

    Every user-supplied string (title, labels, ids, definitions, quotes,
    attributions, names) goes through :func:`md_escape`.
    """
    out = [f"# {md_escape(title)}", ""]
    for sec in sections:
        out += [f"## {md_escape(sec['label'])}", ""]
        for code in sec["codes"]:
            rows = df[df["code"] == code["id"]]
            if not len(rows):
                continue
            out += [f"### {md_escape(code['label'])} ({_md_code(code['id'])})", ""]
            if code["definition"]:
                out += [f"*{md_escape(code['definition'].strip())}*", ""]
            for r in rows.itertuples(index=False):
                for line in md_escape(r.extract, lines=True).split("\n"):
                    out.append("> " + line if line else ">")
                out.append("")
                attr = f"{md_escape(r.attribution)} " if r.attribution else ""
                out += [f"{attr}<sub>[{md_escape(_source(r))}]</sub>", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _source(r: Any) -> str:
    """Where a quote comes from: turn and time stamp (where known), transcript,
    speaker and coders."""
    bits = []
    turn = cell(getattr(r, "turn", None))
    if turn is not None:
        bits.append(f"turn {int(turn)}")
    time = getattr(r, "time", None)
    if isinstance(time, str) and time:
        bits.append(time)
    bits.append(str(r.transcript))
    if isinstance(r.speaker, str) and r.speaker:
        bits.append(r.speaker)
    if isinstance(r.coder, str) and r.coder:
        bits.append(f"coded by {r.coder}")
    return ", ".join(bits)


CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em;
       margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #222; }
h1 { font-size: 1.8em; } h2 { border-bottom: 2px solid #305496; margin-top: 2em; }
h3 { margin-top: 1.6em; } code { font-size: 0.85em; color: #555; }
.definition { font-style: italic; color: #444; }
blockquote { margin: 1em 0 0.2em 0; padding: 0.2em 1em; border-left: 4px solid #9fb4d9;
             white-space: pre-wrap; }
.attribution { margin: 0 0 1em 1.25em; }
.source { color: #777; font-size: 0.85em; }
.quote { page-break-inside: avoid; break-inside: avoid; }
audio.qc-player { display: block; width: 100%; max-width: 30em; height: 32px;
                  margin: -0.6em 0 1em 1.25em; }
video.qc-player { display: block; max-width: 100%; max-height: 240px;
                  margin: -0.6em 0 1em 1.25em; }
@media print { body { max-width: none; margin: 0; } h2, h3 { page-break-after: avoid; }
               a { color: inherit; text-decoration: none; }
               .qc-player { display: none; } }
"""


def write_html(
    df: Any,
    path: Path,
    sections: Sequence[dict[str, Any]],
    title: str,
    *,
    media: Mapping[str, MediaLink] | None = None,
) -> None:
    """A self-contained, escaped, print-friendly HTML page.

    ``media`` (:func:`qualcode.media.link_media`: recordings copied beside the
    page) gives each quote of a transcript with a recording a player that plays
    the quote's turns: ``<audio ... src="INT08.opus#t=START,END">``.
    """
    import html

    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    for sec in sections:
        out.append(f"<h2>{e(sec['label'])}</h2>")
        for code in sec["codes"]:
            rows = df[df["code"] == code["id"]]
            if not len(rows):
                continue
            out.append(
                f'<h3 id="code-{e(code["id"])}">{e(code["label"])} '
                f"<code>{e(code['id'])}</code></h3>"
            )
            if code["definition"]:
                out.append(f'<p class="definition">{e(code["definition"].strip())}</p>')
            for r in rows.itertuples(index=False):
                out.append('<div class="quote">')
                out.append(
                    f'<blockquote data-start="{int(r.start)}" data-end="{int(r.end)}" '
                    f'data-transcript="{e(str(r.transcript))}">{e(str(r.extract))}</blockquote>'
                )
                attr = f"{e(r.attribution)} " if r.attribution else ""
                out.append(
                    f'<p class="attribution">{attr}<span class="source">'
                    f"[{e(_source(r))}]</span></p>"
                )
                out.append(_player(r, media))
                out.append("</div>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def _player(r: Any, media: Mapping[str, MediaLink] | None) -> str:
    """The quote's player (its turns' times in its recording), or ``""``."""
    link = (media or {}).get(str(r.transcript_id))
    if link is None:
        return ""
    start, end = link.span_times(int(r.start), int(r.end))
    if start is None:
        return ""
    whole = int(start)
    clock = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    label = f"Play the quote from {clock}"
    return player_html(link.kind, link.src, start=start, end=end, label=label)


def write_docx(
    df: Any, path: Path, sections: Sequence[dict[str, Any]], title: str
) -> None:
    """A Word document: headings per theme and code, quotes with attribution."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    def clean(s: str) -> str:
        return _ILLEGAL_XML.sub("", s)

    doc = Document()
    quote_style = doc.styles["Quote"]
    doc.add_heading(clean(title), level=0)
    for sec in sections:
        doc.add_heading(clean(sec["label"]), level=1)
        for code in sec["codes"]:
            rows = df[df["code"] == code["id"]]
            if not len(rows):
                continue
            doc.add_heading(clean(f"{code['label']} ({code['id']})"), level=2)
            if code["definition"]:
                p = doc.add_paragraph()
                p.add_run(clean(code["definition"].strip())).italic = True
            for r in rows.itertuples(index=False):
                q = doc.add_paragraph(style=quote_style)
                q.add_run(clean(str(r.extract)))
                a = doc.add_paragraph()
                if r.attribution:
                    a.add_run(clean(r.attribution) + " ")
                src = a.add_run(clean(f"[{_source(r)}]"))
                src.font.size = Pt(8)
                src.font.color.rgb = RGBColor(0x77, 0x77, 0x77)
    doc.save(str(path))
