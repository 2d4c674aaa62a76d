"""Selection-exercise response files (CSV or XLSX) into one long frame of raw picks.

This module knows the file formats only; matching items to a codebook, checking
picks and tallying happen in :mod:`qualcode.treemap`.

Three layouts are read:

``long``
    One row per respondent and pick: columns ``respondent`` and ``item`` (names
    configurable), optionally ``category``, ``label``, ``placeholder``, ``pick`` and
    any other columns, which are passed through.
``wide-picks``
    One row per respondent, one column per pick (``pick1``, ``pick2``, ... ``pick10``;
    also ``pick_1`` or ``Pick 1``). Blank cells are picks not made. Other columns are
    respondent attributes and are passed through.
``wide-binary``
    One row per respondent, one column per item holding 1 (selected) or 0/blank.
    Every column except the respondent column is an item.

Line numbers count the header as line 1, so they are the numbers a spreadsheet shows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

from qualcode.errors import Errors, ImportFormatError, InvalidInputError

__all__ = ["read_table", "to_long", "PICK_COLUMN", "BINARY_TRUE", "BINARY_FALSE"]

PICK_COLUMN = re.compile(
    r"^\s*(?:pick|choice|selection)[\s_-]*(\d+)\s*$", re.IGNORECASE
)
BINARY_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "x", "selected"})
BINARY_FALSE = frozenset({"", "0", "0.0", "false", "no", "n", "nan"})
_LAYOUTS = ("auto", "long", "wide-picks", "wide-binary")


def read_table(
    path_or_frame: Any, *, sheet: str | int | None = None
) -> tuple[pd.DataFrame, str, str]:
    """Read a CSV/XLSX file (or copy a frame) as strings.

    Returns
    -------
    (frame, source, where)
        ``frame`` has string cells ("" for blank) and a ``__line__`` column (files:
        header = line 1, as a spreadsheet numbers rows; frames: the 0-based row
        position); ``source`` names the file for messages; ``where`` is "line" for
        CSV, "row" for a spreadsheet or a frame.

    Examples
    --------
    >>> df, source, where = read_table(
    ...     pd.DataFrame({"respondent": ["r1"], "item": ["A"]})
    ... )
    >>> source, where, df["__line__"].tolist()
    ('<DataFrame>', 'row', [0])
    """
    if isinstance(path_or_frame, pd.DataFrame):
        df = path_or_frame.copy()
        df.columns = [str(c) for c in df.columns]
        df = df.reset_index(drop=True)
        df = df.astype(object).where(df.notna(), "")
        df = df.map(_cell)
        df["__line__"] = range(len(df))  # frames: 0-based row position
        return df, "<DataFrame>", "row"
    if not isinstance(path_or_frame, (str, Path)):
        raise InvalidInputError(
            Errors.QC101.format(
                param="path_or_frame",
                caller="read_selections",
                expected="a CSV/XLSX path or a pandas DataFrame",
                got=type(path_or_frame).__name__,
            )
        )
    path = Path(path_or_frame)
    if not path.is_file():
        raise ImportFormatError(Errors.QC201.format(path=path), path=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        df, where = _read_xlsx(path, sheet), "row"
    elif suffix in (".csv", ".tsv", ".txt"):
        df, where = _read_csv(path), "line"
    else:
        raise ImportFormatError(
            Errors.QC203.format(
                path=path, format=suffix, known=[".csv", ".tsv", ".xlsx"]
            ),
            path=path,
        )
    df.columns = [str(c).strip() for c in df.columns]
    df = df.astype(object).where(df.notna(), "").map(_cell)
    df["__line__"] = range(2, len(df) + 2)
    # rows that are blank in every cell are spreadsheet padding, not responses
    data_cols = [c for c in df.columns if c != "__line__"]
    if data_cols:
        df = df[(df[data_cols] != "").any(axis=1)].reset_index(drop=True)
    return df, str(path), where


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFormatError(
            Errors.QC750.format(path=path, detail=" (the file is empty)"), path=path
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            Errors.QC204.format(path=path, detail=f"byte {exc.start}: {exc.reason}"),
            path=path,
            position=exc.start,
        ) from exc
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    import io

    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="CSV", detail=exc), path=path
        ) from exc


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    from qualcode._optional import import_optional

    import_optional(
        "openpyxl", extra="xlsx", caller="read_selections", what="reading .xlsx"
    )
    import zipfile

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="XLSX", detail=exc), path=path
        ) from exc
    with book:
        names = book.sheet_names
        if sheet is None:
            sheet = names[0]
        elif isinstance(sheet, str) and sheet not in names:
            raise ImportFormatError(
                Errors.QC757.format(
                    path=path,
                    detail=f"no sheet named {sheet!r}; the workbook has {names}. "
                    "Pass sheet= with one of them.",
                ),
                path=path,
            )
        elif isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise ImportFormatError(
                Errors.QC757.format(
                    path=path,
                    detail=f"sheet index {sheet} is out of range; the workbook has "
                    f"{len(names)} sheet(s) {names}.",
                ),
                path=path,
            )
        try:
            return pd.read_excel(book, sheet_name=sheet, dtype=object, header=0)
        except ValueError as exc:  # an empty sheet has no header row
            raise ImportFormatError(
                Errors.QC750.format(path=path, detail=f" (sheet {sheet!r} is empty)"),
                path=path,
            ) from exc


def _find(columns: list[str], name: str) -> str | None:
    """Column matching ``name`` exactly, else case/space-insensitively."""
    if name in columns:
        return name
    key = name.strip().casefold()
    for c in columns:
        if c.strip().casefold() == key:
            return c
    return None


def to_long(
    df: pd.DataFrame,
    *,
    source: str,
    where: str,
    respondent: str = "respondent",
    item: str = "item",
    layout: str = "auto",
) -> tuple[pd.DataFrame, str]:
    """Turn a table from :func:`read_table` into raw long picks.

    Returns
    -------
    (frame, layout)
        ``frame`` has ``respondent``, ``item`` (raw text), ``pick`` (pick number or
        NA), ``line``, then optional ``category``, ``label``, ``placeholder`` (raw text)
        and pass-through columns; ``layout`` is the layout that was used.

    Examples
    --------
    >>> wide = pd.DataFrame(
    ...     {"respondent": ["r1", "r2"], "pick1": ["A", "B"], "pick2": ["B", ""]}
    ... )
    >>> t, src, where = read_table(wide)
    >>> long, layout = to_long(t, source=src, where=where)
    >>> layout, long[["respondent", "item", "pick"]].values.tolist()
    ('wide-picks', [['r1', 'A', 1], ['r1', 'B', 2], ['r2', 'B', 1]])
    """
    columns = [c for c in df.columns if c != "__line__"]
    if not columns or not len(df):
        raise ImportFormatError(
            Errors.QC750.format(
                path=source,
                detail=" (no data rows under the header)"
                if columns
                else " (the file is empty)",
            ),
            path=source,
        )
    resp_col = _find(columns, respondent)
    if resp_col is None:
        raise ImportFormatError(
            Errors.QC751.format(
                path=source,
                missing=[respondent],
                present=columns,
                hint="Rename the respondent column or pass respondent='<column name>'.",
            ),
            path=source,
            line=1,
        )
    item_col = _find(columns, item)
    pick_cols = sorted(
        ((int(m.group(1)), c) for c in columns if (m := PICK_COLUMN.match(c))),
        key=lambda t: t[0],
    )
    if layout == "auto":
        if item_col is not None:
            layout = "long"
        elif pick_cols:
            layout = "wide-picks"
        else:
            others = [c for c in columns if c != resp_col]
            if others and all(
                df[c].str.casefold().isin(BINARY_TRUE | BINARY_FALSE).all()
                for c in others
            ):
                layout = "wide-binary"
            else:
                raise ImportFormatError(
                    Errors.QC755.format(
                        path=source,
                        detail=f"no '{item}' column, no pick1, pick2, ... columns, "
                        "and not every other "
                        f"column holds 0/1; columns are {columns}",
                    ),
                    path=source,
                    line=1,
                )
    if layout == "long":
        if item_col is None:
            raise ImportFormatError(
                Errors.QC751.format(
                    path=source,
                    missing=[item],
                    present=columns,
                    hint="Rename the item column, pass item='<column name>', or pass "
                    "the layout the file has "
                    "(layout='wide-picks' or 'wide-binary').",
                ),
                path=source,
                line=1,
            )
        out = pd.DataFrame(
            {"respondent": df[resp_col], "item": df[item_col], "line": df["__line__"]}
        )
        pick_col = _find(columns, "pick")
        out["pick"] = (
            pd.to_numeric(df[pick_col], errors="coerce").astype("Int64")
            if pick_col
            else pd.NA
        )
        for name in ("category", "label", "placeholder"):
            col = _find(columns, name)
            if col is not None and col not in (resp_col, item_col):
                out[name] = df[col]
        used = {
            resp_col,
            item_col,
            pick_col,
            *(_find(columns, n) for n in ("category", "label", "placeholder")),
        }
        for c in columns:
            if c not in used:
                out[c] = df[c]
        out = out[out["item"] != ""]  # a blank item cell is no pick
    elif layout == "wide-picks":
        if not pick_cols:
            raise ImportFormatError(
                Errors.QC751.format(
                    path=source,
                    missing=["pick1", "pick2", "..."],
                    present=columns,
                    hint="Name the pick columns pick1, pick2, ... or pass "
                    "layout='long' or 'wide-binary'.",
                ),
                path=source,
                line=1,
            )
        attrs = [
            c for c in columns if c != resp_col and c not in {c for _, c in pick_cols}
        ]
        parts = []
        for number, col in pick_cols:
            part = pd.DataFrame(
                {
                    "respondent": df[resp_col],
                    "item": df[col],
                    "line": df["__line__"],
                    "pick": number,
                    "__order__": range(len(df)),
                }
            )
            for a in attrs:
                part[a] = df[a]
            parts.append(part[part["item"] != ""])
        out = pd.concat(parts, ignore_index=True).sort_values(
            ["__order__", "pick"], kind="stable"
        )
        out = out.drop(columns="__order__")
        out["pick"] = out["pick"].astype("Int64")
    elif layout == "wide-binary":
        item_cols = [c for c in columns if c != resp_col]
        if not item_cols:
            raise ImportFormatError(
                Errors.QC751.format(
                    path=source,
                    missing=["<one column per item>"],
                    present=columns,
                    hint="Add one 0/1 column per item, or pass the layout the file "
                    "has.",
                ),
                path=source,
                line=1,
            )
        rows = []
        for c in item_cols:
            values = df[c].str.casefold()
            bad = ~values.isin(BINARY_TRUE | BINARY_FALSE)
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise ImportFormatError(
                    Errors.QC756.format(
                        path=source,
                        where=f"{where} {int(df['__line__'].iloc[i])}, column {c!r}",
                        value=df[c].iloc[i],
                    ),
                    path=source,
                    line=int(df["__line__"].iloc[i]),
                )
            chosen = values.isin(BINARY_TRUE)
            rows.append(
                pd.DataFrame(
                    {
                        "respondent": df.loc[chosen, resp_col],
                        "item": c,
                        "line": df.loc[chosen, "__line__"],
                        "__order__": df.index[chosen],
                    }
                )
            )
        out = (
            pd.concat(rows, ignore_index=True)
            .sort_values(["__order__"], kind="stable")
            .drop(columns="__order__")
        )
        out["pick"] = pd.NA
    else:  # pragma: no cover - checked by the caller
        raise ValueError(layout)
    out = out.reset_index(drop=True)
    blank = out["respondent"] == ""
    if blank.any():
        lines = out.loc[blank, "line"].astype(int).tolist()
        raise ImportFormatError(
            Errors.QC757.format(
                path=source,
                detail=f"{where}(s) {_few(lines)} have a pick but no respondent id. "
                "Fill in the "
                f"'{resp_col}' column.",
            ),
            path=source,
            line=lines[0],
        )
    if not len(out):
        raise ImportFormatError(
            Errors.QC750.format(path=source, detail=" (every item cell is blank)"),
            path=source,
        )
    return out, layout


def _few(values: list[Any], n: int = 8) -> str:
    """'1, 2, 3' or '1, 2, ... (12 in all)'."""
    shown = ", ".join(str(v) for v in values[:n])
    return shown if len(values) <= n else f"{shown}, ... ({len(values)} in all)"
