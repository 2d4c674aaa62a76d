"""Tables a team opens in a spreadsheet: agreement, disagreements, suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode._files import atomic_path
from qualcode._validation import invalid
from qualcode.export._writers import write_tables_xlsx

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["export_tables"]


def export_tables(
    tables: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    widths: Mapping[str, int] | None = None,
) -> Path:
    """Write one or more DataFrames to a styled ``.xlsx`` workbook, one sheet each.

    For tables a team opens in Excel: an agreement table, the disagreements to
    resolve at a consensus meeting, suggestions to review. Same styling and safety
    as the quote banks: a frozen bold header, autofilter, wrapped text, and cells
    starting with ``=``, ``+``, ``-``, ``@``, tab or CR neutralised with a ``'``.

    Parameters
    ----------
    tables : DataFrame or mapping of sheet name to DataFrame
        One frame (sheet "Sheet1") or several.
    path : str or Path
        An ``.xlsx`` file.
    widths : mapping, optional
        Column widths (characters) by column name; text columns default to a width
        from their content (12-70).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidInputError
        If ``path`` does not end in ``.xlsx`` or a table is not a DataFrame.

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
    """
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise invalid("path", "export_tables", "an .xlsx file", str(path))
    if isinstance(tables, pd.DataFrame):
        tables = {"Sheet1": tables}
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise invalid(
                "tables", "export_tables", "DataFrames", f"{name}: {type(df).__name__}"
            )
    with atomic_path(path) as tmp:
        write_tables_xlsx(dict(tables), tmp, widths=dict(widths or {}))
    return path
