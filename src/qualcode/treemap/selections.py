"""Selection exercises: response files (CSV or XLSX) into one tidy row per pick.

:func:`read_table` and :func:`to_long` know the file formats; :func:`read_selections`
matches the items to a codebook and checks the picks. Tallying and drawing happen
in :mod:`qualcode.treemap.layout` and :mod:`qualcode.treemap.figure`.

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
import unicodedata
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode import _columns as C
from qualcode._optional import import_optional
from qualcode._validation import check_choice, invalid
from qualcode.errors import Errors, ImportFormatError, ImportWarning_
from qualcode.io import check_office_zip

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.codebook import Code, Codebook

__all__ = [
    "BINARY_FALSE",
    "BINARY_TRUE",
    "PICK_COLUMN",
    "read_selections",
    "read_table",
    "to_long",
]

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
        raise invalid(
            "path_or_frame",
            "read_selections",
            "a CSV/XLSX path or a pandas DataFrame",
            type(path_or_frame).__name__,
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
    import_optional(
        "openpyxl", extra="xlsx", caller="read_selections", what="reading .xlsx"
    )
    import zipfile

    check_office_zip(path, format="xlsx")  # sizes and ratios before openpyxl reads
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
    check_choice(layout, list(_LAYOUTS[1:]), param="layout", caller="to_long")
    readers = {
        "long": _long_picks,
        "wide-picks": _wide_picks,
        "wide-binary": _wide_binary,
    }
    out = readers[layout](
        df,
        columns,
        resp_col,
        source=source,
        where=where,
        item=item,
        item_col=item_col,
        pick_cols=pick_cols,
    )
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


def _long_picks(
    df: pd.DataFrame,
    columns: list[str],
    resp_col: str,
    *,
    source: str,
    where: str,
    item: str,
    item_col: str | None,
    pick_cols: list[tuple[int, str]],
) -> pd.DataFrame:
    """Layout ``long``: one row per respondent and pick."""
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
    return out


def _wide_picks(
    df: pd.DataFrame,
    columns: list[str],
    resp_col: str,
    *,
    source: str,
    where: str,
    item: str,
    item_col: str | None,
    pick_cols: list[tuple[int, str]],
) -> pd.DataFrame:
    """Layout ``wide-picks``: one column per pick."""
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
    attrs = [c for c in columns if c != resp_col and c not in {c for _, c in pick_cols}]
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
    return out


def _wide_binary(
    df: pd.DataFrame,
    columns: list[str],
    resp_col: str,
    *,
    source: str,
    where: str,
    item: str,
    item_col: str | None,
    pick_cols: list[tuple[int, str]],
) -> pd.DataFrame:
    """Layout ``wide-binary``: one 0/1 column per item."""
    item_cols = [c for c in columns if c != resp_col]
    if not item_cols:
        raise ImportFormatError(
            Errors.QC751.format(
                path=source,
                missing=["<one column per item>"],
                present=columns,
                hint="Add one 0/1 column per item, or pass the layout the file has.",
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
    return out


def _few(values: list[Any], n: int = 8) -> str:
    """'1, 2, 3' or '1, 2, ... (12 in all)'."""
    shown = ", ".join(str(v) for v in values[:n])
    return shown if len(values) <= n else f"{shown}, ... ({len(values)} in all)"


# --------------------------------------------------------------------------------------
# matching items to a codebook and checking the picks
# --------------------------------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def _key(text: object) -> str:
    """Matching key: NFKC, straight quotes, casefolded, single spaces, none by '/'."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_TRANSLATE).casefold()
    s = re.sub(r"\s*/\s*", "/", s)
    return re.sub(r"\s+", " ", s).strip()


def _truthy(value: str, *, source: str, where: str, line: int, column: str) -> bool:
    v = value.strip().casefold()
    if v in BINARY_TRUE:
        return True
    if v in BINARY_FALSE:
        return False
    raise ImportFormatError(
        Errors.QC757.format(
            path=source,
            detail=f"{where} {line}, column {column!r}: {value!r} is not true/false. "
            "Use true (or 1) for a placeholder value and false (or 0, or blank) "
            "otherwise.",
        ),
        path=source,
        line=line,
    )


class _Lookup:
    """Codebook codes by normalised id and label."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.index: dict[str, list[Code]] = {}
        for code in codebook:
            for k in {_key(code.id), _key(code.label)}:
                bucket = self.index.setdefault(k, [])
                if code not in bucket:
                    bucket.append(code)

    def find(self, text: str) -> list[Code]:
        return self.index.get(_key(text), [])

    def category(self, code: Code) -> str:
        return self.codebook.root_of(code.id).label


def read_selections(
    path_or_frame: Any,
    *,
    respondent: str = "respondent",
    item: str = "item",
    codebook: Codebook | None = None,
    max_picks: int | None = None,
    layout: str = "auto",
    sheet: str | int | None = None,
    duplicates: str = "error",
) -> pd.DataFrame:
    """Read and check the responses of a selection exercise.

    Parameters
    ----------
    path_or_frame : path or pandas.DataFrame
        A ``.csv`` (comma, semicolon or tab separated, UTF-8) or ``.xlsx`` file, or a
        frame with the same columns.
    respondent, item : str
        Names of the respondent and item columns (matched ignoring case and spaces).
    codebook : Codebook, optional
        Items are matched to its codes by code id or by label, ignoring case, spacing,
        curly quotes and spaces around ``/``. The category is the code's top-level
        (root) code. Without a codebook, items are taken as written and the category
        comes from a ``category`` column, if any.
    max_picks : int, optional
        The number of picks allowed (e.g. 10); a respondent with more is an error.
    layout : {"auto", "long", "wide-picks", "wide-binary"}
        ``long``: one row per respondent and pick. ``wide-picks``: one row per
        respondent with columns ``pick1``, ``pick2``, ... ``wide-binary``: one row per
        respondent and one 0/1 column per item. ``auto`` (default) picks ``long`` if
        there is an item column, ``wide-picks`` if there are pick columns, else
        ``wide-binary`` if every other column holds 0/1.
    sheet : str or int, optional
        Worksheet of an XLSX file (default: the first).
    duplicates : {"error", "drop", "keep"}
        What to do when a respondent picks the same item twice: raise (default), count
        it once, or keep every response (the tallies then differ by responses and by
        respondents).

    Returns
    -------
    pandas.DataFrame
        One row per pick, columns:

        - ``respondent`` (string)
        - ``item`` (string): the code id when matched to the codebook, else the item
          as written (first spelling seen)
        - ``label`` (string): the code's label, or the item as written
        - ``category`` (string): the root code's label, or the file's ``category``
        - ``pick`` (Int64): the pick number, when the file has one
        - ``placeholder`` (bool): the file marks this value as a placeholder
        - ``line`` (Int64): the file's line or spreadsheet row (header = 1); for a
          frame, the 0-based row position
        - then the file's other columns, passed through.

    Raises
    ------
    ImportFormatError
        Empty file, missing columns, an unreadable layout or cell, unknown items (all
        listed with their lines), duplicate picks, too many picks. The message names
        the file, the lines and what to do.

    Notes
    -----
    **Placeholders.** A long-format file may carry a ``placeholder`` column
    (true/false). Rows marked true are values that are not known (for instance a count
    illegible in a published figure that the data reproduce). Such a row is accepted
    even when its item is not in the codebook, provided it has a ``category``; the
    treemap marks placeholder counts with a dagger (†).

    Examples
    --------
    >>> import pandas as pd
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook(
    ...     [
    ...         Code("pursue", "Pursue"),
    ...         Code("enforce", "Enforce drug laws", parent="pursue"),
    ...         Code("prepare", "Prepare"),
    ...         Code("intel", "Gather intelligence", parent="prepare"),
    ...     ]
    ... )
    >>> raw = pd.DataFrame(
    ...     {
    ...         "respondent": ["r1", "r1", "r2"],
    ...         "item": ["enforce drug laws", "Gather  intelligence", "intel"],
    ...     }
    ... )
    >>> out = read_selections(raw, codebook=cb)
    >>> out["item"].tolist(), out["category"].tolist()
    (['enforce', 'intel', 'intel'], ['Pursue', 'Prepare', 'Prepare'])
    """
    caller = "read_selections"
    check_choice(layout, list(_LAYOUTS), param="layout", caller=caller)
    check_choice(
        duplicates, ["error", "drop", "keep"], param="duplicates", caller=caller
    )
    if max_picks is not None and (
        not isinstance(max_picks, int) or isinstance(max_picks, bool) or max_picks < 1
    ):
        raise invalid("max_picks", caller, "a positive int or None", max_picks)
    table, source, where = read_table(path_or_frame, sheet=sheet)
    raw, _ = to_long(
        table,
        source=source,
        where=where,
        respondent=respondent,
        item=item,
        layout=layout,
    )
    if "placeholder" in raw.columns:
        raw["placeholder"] = [
            _truthy(v, source=source, where=where, line=int(ln), column="placeholder")
            for v, ln in zip(raw["placeholder"], raw["line"], strict=True)
        ]
    else:
        raw["placeholder"] = False
    match = _Match(codebook)
    file_category = (
        raw["category"] if "category" in raw.columns else pd.Series("", index=raw.index)
    )
    file_label = (
        raw["label"] if "label" in raw.columns else pd.Series("", index=raw.index)
    )
    for text, cat, lab, ph, line in zip(
        raw["item"],
        file_category,
        file_label,
        raw["placeholder"],
        raw["line"],
        strict=True,
    ):
        match.add(text, cat, lab, bool(ph), int(line))
    match.check(source, where)
    out = pd.DataFrame(
        {
            "respondent": raw["respondent"],
            "item": match.items,
            "label": match.labels,
            "category": match.categories,
            "pick": raw["pick"],
            "placeholder": raw["placeholder"].astype(bool),
            "line": raw["line"],
        }
    )
    # one category per item (a file could file the same item under two categories)
    if codebook is None or out["placeholder"].any():
        _check_one_category(out, source)
    passthrough = [c for c in raw.columns if c not in _OWN_COLUMNS]
    for c in passthrough:
        out[c] = raw[c].to_numpy()
    out = _check_picks(out, duplicates, max_picks, source, where)
    return C.frame(out, C.SELECTIONS, extra=passthrough)


_OWN_COLUMNS = frozenset(
    {"respondent", "item", "label", "category", "pick", "placeholder", "line"}
)


class _Match:
    """Items matched to a codebook, one by one, with the problems found."""

    def __init__(self, codebook: Codebook | None) -> None:
        self.codebook = codebook
        self.lookup = _Lookup(codebook) if codebook is not None else None
        self.items: list[str] = []
        self.labels: list[str] = []
        self.categories: list[Any] = []
        self.unknown: dict[str, list[int]] = {}
        self.ambiguous: dict[str, list[str]] = {}
        self.no_category: dict[str, list[int]] = {}
        self.conflicts: dict[tuple[str, str, str], list[int]] = {}
        self.first_spelling: dict[str, tuple[str, str]] = {}

    def add(self, text: str, cat: str, lab: str, ph: bool, line: int) -> None:
        """Match one pick's item text."""
        lookup = self.lookup
        found = lookup.find(text) if lookup is not None else []
        if len(found) > 1:
            self.ambiguous.setdefault(text, [c.id for c in found])
        if len(found) == 1 and lookup is not None:
            code = found[0]
            root = lookup.category(code)
            if cat and _key(cat) not in {
                _key(root),
                _key(lookup.codebook.root_of(code.id).id),
            }:
                self.conflicts.setdefault((code.id, cat, root), []).append(line)
            self.items.append(code.id)
            self.labels.append(code.label)
            self.categories.append(root)
            return
        if lookup is not None and not ph:
            self.unknown.setdefault(text, []).append(line)
            self.items.append(text)
            self.labels.append(text)
            self.categories.append(pd.NA)
            return
        # no codebook, or a placeholder the codebook lacks: the item as written
        key = _key(text)
        if key not in self.first_spelling:
            self.first_spelling[key] = (text, lab or text)
        spelled, shown = self.first_spelling[key]
        if lookup is not None and not cat:
            self.no_category.setdefault(text, []).append(line)
        self.items.append(spelled)
        self.labels.append(shown)
        self.categories.append(cat if cat else pd.NA)

    def check(self, source: str, where: str) -> None:
        """Raise for ambiguous, unknown or uncategorised items; warn on conflicts."""
        codebook = self.codebook
        label_of = f"codebook '{codebook.name}'" if codebook is not None else ""
        if self.ambiguous:
            details = "; ".join(
                f"{t!r} matches codes {ids}" for t, ids in self.ambiguous.items()
            )
            raise ImportFormatError(
                Errors.QC757.format(
                    path=source,
                    detail=f"ambiguous item(s): {details}. Use the code id instead "
                    f"of the label ({label_of} has two codes with the same "
                    "normalised id or label).",
                ),
                path=source,
            )
        if self.unknown and codebook is not None:
            details = "; ".join(
                f"{t!r} ({where} {_few(ls)})" for t, ls in self.unknown.items()
            )
            first = min(min(ls) for ls in self.unknown.values())
            raise ImportFormatError(
                Errors.QC752.format(
                    path=source,
                    n=len(self.unknown),
                    codebook=codebook.name,
                    details=details,
                ),
                path=source,
                line=first,
            )
        if self.no_category:
            details = "; ".join(
                f"{t!r} ({where} {_few(ls)})" for t, ls in self.no_category.items()
            )
            raise ImportFormatError(
                Errors.QC757.format(
                    path=source,
                    detail=f"placeholder item(s) not in {label_of} need a category: "
                    f"{details}. Fill in the 'category' column for these rows.",
                ),
                path=source,
                line=min(min(v) for v in self.no_category.values()),
            )
        if self.conflicts:
            details = "; ".join(
                f"{code!r} is under {cat!r} in the file but under {root!r} in the "
                f"codebook ({where} {_few(ls)})"
                for (code, cat, root), ls in self.conflicts.items()
            )
            warnings.warn(
                f"{source}: {details}. The codebook's category is used.",
                ImportWarning_,
                stacklevel=3,
            )


def _check_one_category(out: pd.DataFrame, source: str) -> None:
    """Raise if an item is filed under more than one category."""
    cats = (
        out.dropna(subset=["category"]).groupby("item", sort=False)["category"].unique()
    )
    split = {k: list(v) for k, v in cats.items() if len(v) > 1}
    if split:
        details = "; ".join(f"{k!r} under {v}" for k, v in split.items())
        raise ImportFormatError(
            Errors.QC757.format(
                path=source,
                detail=f"item(s) filed under more than one category: {details}. "
                "Give each item one category.",
            ),
            path=source,
        )


def _check_picks(
    out: pd.DataFrame,
    duplicates: str,
    max_picks: int | None,
    source: str,
    where: str,
) -> pd.DataFrame:
    """Duplicate picks (raise, drop or keep) and at most ``max_picks`` each."""
    dup = out.duplicated(["respondent", "item"], keep=False)
    if dup.any() and duplicates == "error":
        groups = (
            out[dup].groupby(["respondent", "item"], sort=False)["line"].apply(list)
        )
        details = "; ".join(
            f"respondent {r!r} chose {i!r} on {where}s {_few([int(x) for x in ls])}"
            for (r, i), ls in list(groups.items())[:10]
        )
        if len(groups) > 10:
            details += f"; ... ({len(groups)} in all)"
        raise ImportFormatError(
            Errors.QC753.format(path=source, details=details),
            path=source,
            line=int(out.loc[dup, "line"].iloc[0]),
        )
    if dup.any() and duplicates == "drop":
        out = out[~out.duplicated(["respondent", "item"], keep="first")]
    if max_picks is not None:
        n = out.groupby("respondent", sort=False).size()
        over = n[n > max_picks]
        if len(over):
            details = "; ".join(
                f"{r!r} has {k} (first on {where} "
                f"{int(out.loc[out['respondent'] == r, 'line'].iloc[0])})"
                for r, k in list(over.items())[:10]
            )
            raise ImportFormatError(
                Errors.QC754.format(path=source, max_picks=max_picks, details=details),
                path=source,
            )
    return out
