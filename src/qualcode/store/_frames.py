"""Small helpers shared by the store's readers and writers (values, frames, rows)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from qualcode import _columns as C
from qualcode.errors import Errors
from qualcode.store._db import ISO, Session

__all__ = [
    "as_list",
    "attributes",
    "describe_rows",
    "dumps",
    "jsonable",
    "nonempty_str",
    "slice_texts",
    "whole_numbers",
    "with_attributes",
]

#: rows shown in an error message about many rows
SHOW_ROWS = 5


def jsonable(v: Any) -> Any:
    """``v`` as plain JSON values (NaN, NA and NaT become None).

    Examples
    --------
    >>> jsonable({"a": float("nan"), "b": [np.int64(2)]})
    {'a': None, 'b': [2]}
    """
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, np.generic):
        return jsonable(v.item())
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (datetime, date, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return str(v)


def dumps(attrs: Mapping[str, Any]) -> str:
    """Attributes as the stored JSON text."""
    return json.dumps(jsonable(dict(attrs)), ensure_ascii=False, allow_nan=False)


def as_list(value: str | Iterable[str] | None) -> list[str] | None:
    """None, or the value(s) as a list of strings."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def describe_rows(
    frame: pd.DataFrame, mask: np.ndarray, *, caller: str, problem: str, fix: str
) -> str:
    """The QC406 message naming the first offending rows (never their text)."""
    idx = np.flatnonzero(mask)
    shown = []
    for i in idx[:SHOW_ROWS]:
        row = frame.iloc[i]
        shown.append(
            f"row {frame.index[i]!r} (transcript {row.get('transcript_id')!r}, "
            f"[{row.get('start')}, {row.get('end')}), "
            f"code {row.get('code')!r})"
        )
    more = f" and {len(idx) - SHOW_ROWS} more" if len(idx) > SHOW_ROWS else ""
    return Errors.QC406.format(
        caller=caller,
        n=len(idx),
        problem=problem,
        rows="; ".join(shown),
        more=more,
        fix=fix,
    )


def whole_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """int64 values and a mask of entries that are not whole numbers."""
    num = pd.to_numeric(s, errors="coerce")
    vals = num.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(vals) | (vals != np.floor(vals))
    out = np.where(bad, 0, vals).astype(np.int64)
    return out, bad


def nonempty_str(s: pd.Series) -> np.ndarray:
    """Mask of entries that are not non-empty strings (checks unique values only)."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    ok = np.fromiter(
        (isinstance(v, str) and v != "" for v in uniques),
        dtype=bool,
        count=len(uniques),
    )
    return (codes < 0) | ~np.append(ok, False)[codes]


def object_array(values: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` (never a 2-d one)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def iso(series: pd.Series | None, n: int, now: str) -> list[str]:
    """Times as stored ISO strings (``now`` where missing)."""
    if series is None:
        return [now] * n
    ts = pd.to_datetime(series, utc=True, errors="coerce")
    out = ts.dt.strftime(ISO).astype(object)
    return [now if isinstance(v, float) or v is None or v is pd.NA else v for v in out]


def strings(values: np.ndarray | list) -> pd.arrays.StringArray:
    """A pandas string array of ``values``."""
    return pd.array(np.asarray(values, dtype=object), dtype="string")


def take_strings(uniques: Sequence[Any], codes: np.ndarray) -> Any:
    """A string array built by taking from a few unique values (fast)."""
    arr = pd.array(np.asarray(list(uniques), dtype=object), dtype="string")
    return arr.take(codes, allow_fill=True)


def turn_lookup(
    tid: np.ndarray,
    start: np.ndarray,
    turns: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``turns`` of the turn containing each start, and a found mask.

    ``turns`` holds columns tid, turn, start, end, sorted by (tid, start).
    """
    n = len(tid)
    if n == 0 or len(turns) == 0:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    shift = np.int64(1) << np.int64(32)
    tkey = turns["tid"].to_numpy(np.int64) * shift + turns["start"].to_numpy(np.int64)
    ckey = tid.astype(np.int64) * shift + start.astype(np.int64)
    pos = np.searchsorted(tkey, ckey, side="right") - 1
    ok = pos >= 0
    pos = np.where(ok, pos, 0)
    t_tid = turns["tid"].to_numpy(np.int64)[pos]
    t_start = turns["start"].to_numpy(np.int64)[pos]
    t_end = turns["end"].to_numpy(np.int64)[pos]
    ok &= (t_tid == tid) & (start >= t_start) & (start < np.maximum(t_end, t_start + 1))
    return pos, ok


def slice_texts(
    tid: np.ndarray, start: np.ndarray, end: np.ndarray, texts: Mapping[int, str]
) -> np.ndarray:
    """``texts[tid][start:end]`` for every row, grouped by transcript."""
    out = np.empty(len(tid), dtype=object)
    if not len(tid):
        return out
    order = np.argsort(tid, kind="stable")
    st = tid[order]
    cuts = np.flatnonzero(np.diff(st)) + 1
    for grp in np.split(order, cuts):
        text = texts[int(tid[grp[0]])]
        out[grp] = [
            text[a:b]
            for a, b in zip(start[grp].tolist(), end[grp].tolist(), strict=True)
        ]
    return out


def attributes(
    s: Session, where: str = "", params: Sequence = (), *, schema: C.Schema
) -> pd.DataFrame:
    """Participant attributes indexed by tid, columns renamed for frames."""
    rows = s.all(
        f"SELECT tid, attributes FROM transcripts {where} ORDER BY tid", params
    )
    dicts = [json.loads(a) for _, a in rows]
    keys = list(dict.fromkeys(k for d in dicts for k in d))
    index = pd.Index([r[0] for r in rows], dtype="int64")
    if not keys:
        return pd.DataFrame(index=index)
    df = pd.DataFrame.from_records(
        [[d.get(k) for k in keys] for d in dicts], index=index, columns=keys
    )
    renamed = C.attribute_columns(keys, C.names(schema))
    return df.convert_dtypes().rename(columns=renamed)


def with_attributes(
    df: pd.DataFrame, attrs: pd.DataFrame, tid: np.ndarray
) -> pd.DataFrame:
    """``df`` with each row's transcript attributes joined on (by tid)."""
    if not len(attrs.columns):
        return df
    joined = attrs.reindex(tid).reset_index(drop=True)
    return pd.concat([df, joined], axis=1)
