"""The one column vocabulary and the frame schemas (names, order, dtypes).

Every DataFrame qualcode returns goes through :func:`frame`, so column names and
dtypes never drift. Add a schema here when you add a frame-returning function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

# dtype vocabulary
STR = "string"
INT = "int64"
FLOAT = "float64"
BOOL = "bool"
TIME = "datetime64[ns, UTC]"
OBJ = "object"

Schema = Sequence[tuple[str, str]]

TURNS: Schema = (
    ("transcript_id", STR),
    ("turn", INT),
    ("speaker", STR),
    ("role", STR),
    ("start", INT),
    ("end", INT),
    ("time_start", FLOAT),
    ("time_end", FLOAT),
    ("text", STR),
)

UNITS: Schema = (
    ("transcript_id", STR),
    ("unit", INT),
    ("turn", INT),
    ("speaker", STR),
    ("role", STR),
    ("start", INT),
    ("end", INT),
)

CODINGS: Schema = (
    ("coding_id", INT),
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("coder", STR),
    ("origin", STR),
    ("memo", STR),
    ("created", TIME),
    ("codebook_version", STR),
    ("text", STR),
    ("turn", "Int64"),
    ("speaker", STR),
    ("role", STR),
)

SUGGESTIONS: Schema = (
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("score", FLOAT),
    ("evidence", STR),
    ("tagger", STR),
    ("unit", STR),
    ("turn", INT),
    ("text", STR),
)

EVALUATION: Schema = (
    ("code", STR),
    ("precision", FLOAT),
    ("recall", FLOAT),
    ("f1", FLOAT),
    ("support", INT),
    ("n_suggested", INT),
    ("tp", INT),
    ("fp", INT),
    ("fn", INT),
)

LAYOUT: Schema = (
    ("item", STR),
    ("label", STR),
    ("category", STR),
    ("count", INT),
    ("respondents", INT),
    ("x", FLOAT),
    ("y", FLOAT),
    ("dx", FLOAT),
    ("dy", FLOAT),
    ("highlighted", BOOL),
)


def names(schema: Schema) -> list[str]:
    """Column names of a schema, in order.

    Examples
    --------
    >>> names(UNITS)[:3]
    ['transcript_id', 'unit', 'turn']
    """
    return [n for n, _ in schema]


def frame(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    schema: Schema,
    *,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Build a DataFrame with exactly the schema's columns (then ``extra``), typed.

    Missing columns are added empty; the index is a fresh ``RangeIndex``.

    Examples
    --------
    >>> df = frame([{"transcript_id": "t1", "unit": 0, "start": 0, "end": 4}], UNITS)
    >>> list(df.columns) == names(UNITS)
    True
    >>> str(df["start"].dtype)
    'int64'
    """
    df = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    cols = names(schema) + [c for c in extra if c not in dict(schema)]
    for c in cols:
        if c not in df.columns:
            df[c] = pd.NA if c in dict(schema) else None
    df = df[cols].reset_index(drop=True)
    for name, dtype in schema:
        s = df[name]
        if dtype == TIME:
            df[name] = pd.to_datetime(s, utc=True)
        elif dtype == INT:
            df[name] = pd.to_numeric(s).astype(INT) if len(s) else s.astype(INT)
        elif dtype == FLOAT:
            df[name] = pd.to_numeric(s, errors="coerce").astype(FLOAT)
        elif dtype == BOOL:
            df[name] = s.astype(BOOL)
        else:
            df[name] = s.astype(dtype)
    return df
