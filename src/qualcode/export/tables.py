"""Tables a team opens in a spreadsheet: agreement, disagreements, suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode._files import atomic_path
from qualcode._validation import check_number, check_type, invalid
from qualcode.export._writers import write_csv, write_tables_xlsx

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TABLE_FORMATS", "export_tables"]

#: Table formats :func:`export_tables` writes, by file suffix (the CLI offers these).
TABLE_FORMATS = (".xlsx", ".csv")


def export_tables(
    tables: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    widths: Mapping[str, int] | None = None,
    decimals: int | None = 3,
    na_rep: str = "",
) -> Path:
    """Write DataFrames for a spreadsheet: a styled ``.xlsx`` workbook or a ``.csv``.

    For tables a team opens in Excel: an agreement table, the disagreements to
    resolve at a consensus meeting, suggestions to review, leak hits. The one
    table writer qualcode uses: every cell goes through the same neutraliser as
    the quote banks, so cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR
    get a leading ``'`` and never run as formulas (in every sheet, headers
    included). ``.xlsx`` has a frozen bold header, autofilter and wrapped text.

    Parameters
    ----------
    tables : DataFrame or mapping of sheet name to DataFrame
        One frame (its sheet is named after the file, e.g. ``agreement``) or
        several (``.xlsx`` only), one sheet each.
    path : str or Path
        An ``.xlsx`` or ``.csv`` file (CSV: UTF-8 with a BOM, so Excel reads it).
    widths : mapping, optional
        ``.xlsx``: column widths (characters) by column name; text columns default
        to a width from their content (12-70).
    decimals : int or None, default 3
        Floats are shown with this many decimals: ``.xlsx`` keeps the exact value
        and formats it, ``.csv`` writes the rounded value. None: full precision.
    na_rep : str, default ""
        What a missing float (NaN, e.g. an undefined statistic) shows, e.g.
        ``"undefined"``; blank by default.

    Returns
    -------
    Path
        The file written (atomically: a crash leaves the previous file).

    Raises
    ------
    InvalidInputError
        If ``path`` is not ``.xlsx``/``.csv``, a table is not a DataFrame, or
        several tables go to one ``.csv``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> import qualcode as qc
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "todo.xlsx"
    >>> df = pd.DataFrame({"unit": [1], "text": ["=1+1"], "resolution": [""]})
    >>> qc.export_tables({"to resolve": df}, out).name
    'todo.xlsx'
    >>> pd.read_excel(out, sheet_name="to resolve")["text"].tolist()
    ["'=1+1"]
    >>> csv = qc.export_tables(df, out.with_suffix(".csv"))
    >>> csv.read_text(encoding="utf-8-sig").splitlines()[1]
    "1,'=1+1,"
    """
    import pandas as pd

    caller = "export_tables"
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise invalid("path", caller, "an .xlsx or .csv file", str(path))
    if decimals is not None:
        check_number(decimals, param="decimals", caller=caller, integer=True, low=0)
    check_type(na_rep, str, param="na_rep", caller=caller)
    if isinstance(tables, pd.DataFrame):
        tables = {path.stem: tables}
    if not isinstance(tables, Mapping):
        raise invalid(
            "tables",
            caller,
            "a DataFrame or a mapping of sheet names to DataFrames",
            type(tables).__name__,
        )
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise invalid(
                "tables", caller, "DataFrames", f"{name}: {type(df).__name__}"
            )
    if suffix == ".csv" and len(tables) != 1:
        raise invalid(
            "tables",
            caller,
            "one table for a .csv file (write several to an .xlsx workbook)",
            f"{len(tables)} tables",
        )
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            (df,) = tables.values()
            write_csv(df, tmp, decimals=decimals, na_rep=na_rep)
        else:
            write_tables_xlsx(
                dict(tables),
                tmp,
                widths=dict(widths or {}),
                decimals=decimals,
                na_rep=na_rep,
            )
    return path
