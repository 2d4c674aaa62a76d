"""The LLM audit trail: one row per model call (functions of a session).

The table ``llm_calls`` (created by migration 2 in :mod:`qualcode.store._db`) is
both the audit trail of :func:`qualcode.llm_suggest` / :func:`qualcode.llm_code`
and their cache: a call is found again by its ``key`` (a hash of model, parameters and
prompt). Each call is written in its own short transaction as soon as it
finishes, so a run that is killed keeps every finished call.

It holds the filled prompts and raw answers, i.e. transcript text: it is part of
the project's data, like the transcripts themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from qualcode._columns import LLM_CALLS, frame, names
from qualcode.store._db import Session, now_iso, parse_time

__all__ = ["COLUMNS", "calls_frame", "find_call", "record_call"]

#: the stored columns, in order (call_id is the table's id)
COLUMNS: tuple[str, ...] = tuple(n for n in names(LLM_CALLS) if n != "call_id")

_QUOTED = ", ".join(f'"{c}"' for c in COLUMNS)


def _value(record: Mapping[str, Any], name: str) -> Any:
    v = record.get(name)
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def record_call(session: Session, record: Mapping[str, Any]) -> int:
    """Insert one call (stamped with the current time); return its ``call_id``."""
    row = [now_iso() if c == "created" else _value(record, c) for c in COLUMNS]
    if row[COLUMNS.index("status")] not in ("ok", "failed"):
        row[COLUMNS.index("status")] = "failed"
    placeholders = ", ".join("?" for _ in COLUMNS)
    return session.insert_id(
        f"INSERT INTO llm_calls ({_QUOTED}) VALUES ({placeholders})", row
    )


def find_call(session: Session, key: str) -> dict[str, Any] | None:
    """The last answered call (``status = 'ok'``) with this key, or None."""
    row = session.one(
        f"SELECT call_id, {_QUOTED} FROM llm_calls "
        "WHERE key = ? AND status = 'ok' ORDER BY call_id DESC LIMIT 1",
        (key,),
    )
    if row is None:
        return None
    return dict(zip(("call_id", *COLUMNS), row, strict=True))


def calls_frame(session: Session) -> pd.DataFrame:
    """Every call, oldest first (schema ``_columns.LLM_CALLS``)."""
    rows = session.all(f"SELECT call_id, {_QUOTED} FROM llm_calls ORDER BY call_id")
    df = pd.DataFrame(rows, columns=["call_id", *COLUMNS])
    if len(df):
        df["created"] = parse_time(df["created"].tolist())
    return frame(df, LLM_CALLS)
