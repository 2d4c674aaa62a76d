"""Participant attribute tables: CSV, TSV, XLSX, a DataFrame or a mapping.

:func:`read_attributes` turns any of them into ``{transcript_id: {name: value}}``
(the attribute vocabulary is described in :mod:`qualcode.corpus`). Text tables are
decoded with the transcripts' rule (:mod:`qualcode.io._decode`), so a UTF-16 or
Windows-1252 CSV from Excel reads as well as a UTF-8 one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._validation import invalid
from qualcode.errors import Errors, ImportFormatError
from qualcode.io._decode import decode, read_bytes
from qualcode.io._zipcheck import check_office_zip

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_attributes", "source_name"]

_KEYS = ("transcript_id", "id")


def source_name(attributes: Any) -> str:
    """How messages name an attributes source: its path, or ``(DataFrame)`` etc.

    Examples
    --------
    >>> source_name("attributes.csv"), source_name({})
    ('attributes.csv', '(dict)')
    """
    if isinstance(attributes, str | os.PathLike):
        return str(attributes)
    return f"({type(attributes).__name__})"


def _plain(value: Any) -> Any:
    """pandas/numpy cell -> plain Python (None for missing)."""
    import pandas as pd

    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _sniff_separator(text: str, suffix: str) -> str:
    """The field separator: tab for .tsv, else sniffed from the header line."""
    import csv

    if suffix == ".tsv":
        return "\t"
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _check_csv_shape(text: str, sep: str, path: Path) -> None:
    """Refuse rows with more fields than the header, and unnamed columns with values.

    pandas would silently take the first column as the index (every attribute
    shifted onto the wrong name) or drop the column; the message names the file
    and line, never a value.
    """
    import csv
    import io

    reader = csv.reader(io.StringIO(text), delimiter=sep, skipinitialspace=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        width = len(header)
        empty = {j for j, cell in enumerate(header) if not cell.strip()}
        line = reader.line_num + 1
        for row in reader:
            if len(row) > width:
                raise ImportFormatError(
                    Errors.QC229.format(
                        source=path, line=line, n=len(row), m=width, sep=sep
                    ),
                    path=path,
                    line=line,
                )
            for j in empty:
                if j < len(row) and row[j].strip():
                    raise ImportFormatError(
                        Errors.QC230.format(source=path, column=j + 1, line=line),
                        path=path,
                        line=line,
                    )
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFormatError(
            Errors.QC226.format(source=path, detail=f"line {reader.line_num}: {exc}"),
            path=path,
            line=reader.line_num,
        ) from exc


def _check_unnamed(df: pd.DataFrame, path: Path) -> None:
    """A spreadsheet column with values but no header cell (pandas: ``Unnamed: n``)."""
    for j, col in enumerate(df.columns):
        if not str(col).startswith("Unnamed:"):
            continue
        filled = df[col].notna().to_numpy().nonzero()[0]
        if len(filled):
            line = int(filled[0]) + 2  # the header is line 1
            raise ImportFormatError(
                Errors.QC230.format(source=path, column=j + 1, line=line),
                path=path,
                line=line,
            )


def _key_dtypes(columns: Any) -> dict[Any, type]:
    return {c: str for c in columns if str(c).strip().lower() in _KEYS}


def _read_table(path: Path) -> pd.DataFrame:
    import io

    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".tsv", ".txt"):
        raise ImportFormatError(
            Errors.QC226.format(
                source=path,
                detail=f"unknown table suffix {suffix!r}; use .csv, .tsv or .xlsx",
            ),
            path=path,
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            check_office_zip(path, format=suffix[1:])
            head = pd.read_excel(path, nrows=0, engine="openpyxl")
            df = pd.read_excel(path, dtype=_key_dtypes(head.columns), engine="openpyxl")
            _check_unnamed(df, path)
            return df
        text = decode(read_bytes(path), path=path).text
        sep = _sniff_separator(text, suffix)
        _check_csv_shape(text, sep, path)
        head = pd.read_csv(io.StringIO(text), nrows=0, sep=sep, engine="python")
        return pd.read_csv(
            io.StringIO(text),
            dtype=_key_dtypes(head.columns),
            sep=sep,
            engine="python",
            skipinitialspace=True,
            index_col=False,
        )
    except ImportFormatError:
        raise
    except Exception as exc:  # pandas ParserError/EmptyDataError, openpyxl/zip errors
        detail = type(exc).__name__
        if type(exc).__name__ in ("ParserError", "EmptyDataError", "BadZipFile"):
            detail += f": {exc}"[:200]  # these messages name lines, not values
        raise ImportFormatError(
            Errors.QC226.format(source=path, detail=detail), path=path
        ) from exc


def read_attributes(attributes: Any) -> dict[str, dict[str, Any]]:
    """Participant attributes by transcript id, from a CSV/XLSX, DataFrame or mapping.

    Parameters
    ----------
    attributes : path, pandas.DataFrame or mapping
        A table with a ``transcript_id`` (or ``id``) column and one column per
        attribute, or a mapping ``{transcript_id: {attribute: value}}``.

    Returns
    -------
    dict
        ``{transcript_id: {attribute: value}}``; empty cells are None.

    Raises
    ------
    ImportFormatError
        The table cannot be read [QC226], has no key column [QC224], an empty
        [QC227] or repeated [QC225] id.

    Examples
    --------
    >>> import pandas as pd
    >>> read_attributes(
    ...     pd.DataFrame(
    ...         {
    ...             "transcript_id": ["int01"],
    ...             "role": ["police staff"],
    ...             "rank_band": [None],
    ...         }
    ...     )
    ... )
    {'int01': {'role': 'police staff', 'rank_band': None}}
    """
    import pandas as pd

    source = source_name(attributes)
    if isinstance(attributes, Mapping):
        out: dict[str, dict[str, Any]] = {}
        for k, v in attributes.items():
            if not isinstance(v, Mapping):
                raise invalid(
                    "attributes",
                    "read_corpus",
                    "a path, a DataFrame or a mapping of transcript id to a dict "
                    "of attributes",
                    type(v).__name__,
                )
            out[str(k).strip()] = {str(a): _plain(x) for a, x in v.items()}
        return out
    if isinstance(attributes, str | os.PathLike):
        p = Path(attributes)
        if not p.exists():
            raise ImportFormatError(Errors.QC201.format(path=p), path=p)
        df = _read_table(p)
    elif isinstance(attributes, pd.DataFrame):
        df = attributes
    else:
        raise invalid(
            "attributes",
            "read_corpus",
            "a CSV/XLSX path, a DataFrame or a mapping",
            type(attributes).__name__,
        )
    # nullable dtypes keep whole numbers whole when a column has gaps (11, not 11.0)
    df = df.convert_dtypes()
    columns = {str(c).strip(): c for c in df.columns}
    key = next((columns[c] for c in columns if c.lower() == "transcript_id"), None)
    if key is None:
        key = next((columns[c] for c in columns if c.lower() == "id"), None)
    if key is None:
        raise ImportFormatError(
            Errors.QC224.format(source=source, columns=list(columns))
        )
    others = [c for c in df.columns if c != key and not str(c).startswith("Unnamed:")]
    result: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for i, (kv, row) in enumerate(
        zip(
            df[key].tolist(), df[others].itertuples(index=False, name=None), strict=True
        )
    ):
        tid = _plain(kv)
        row_no = (
            i + 2 if isinstance(attributes, str | os.PathLike) else i
        )  # file rows count the header
        if tid is None:
            if all(_plain(x) is None for x in row):
                continue  # a blank line
            raise ImportFormatError(Errors.QC227.format(source=source, row=row_no))
        tid = str(tid)
        if tid in result:
            raise ImportFormatError(
                Errors.QC225.format(
                    source=source, id=tid, rows=[first_row[tid], row_no]
                )
            )
        first_row[tid] = row_no
        result[tid] = {
            str(c).strip(): _plain(x) for c, x in zip(others, row, strict=True)
        }
    return result
