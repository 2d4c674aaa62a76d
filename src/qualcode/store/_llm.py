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

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from qualcode._columns import LLM_CALLS, frame, names
from qualcode.store._db import Session, now_iso, parse_time

__all__ = [
    "COLUMNS",
    "calls_frame",
    "find_call",
    "forget_calls",
    "move_calls",
    "record_call",
    "rewrite_calls",
]

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


# --------------------------------------------------------------------------
# after a transcript's text was replaced (Project.replace_texts, pseudonymise)
# --------------------------------------------------------------------------
def move_calls(
    session: Session,
    old_id: str,
    new_id: str,
    span_map: Callable[[int, int], tuple[int, int]],
    text: str,
) -> int:
    """Carry a transcript's calls over to its new text; drop the old text.

    The unit offsets and the accepted quotes' offsets go through ``span_map``
    (accepted quotes become the new text at the new offsets). The prompt, the
    raw answer and rejected quotes held the OLD text (which may be exactly what
    was removed, e.g. a name), so they are cleared; the key is retired (the
    next run builds new prompts from the new text and calls again). Returns the
    number of calls moved.
    """
    rows = session.all(
        'SELECT call_id, start, "end", verification FROM llm_calls '
        "WHERE transcript_id = ?",
        (old_id,),
    )
    for call_id, start, end, ver in rows:
        if start is not None and end is not None:
            start, end = span_map(int(start), int(end))
        session.execute(
            'UPDATE llm_calls SET transcript_id = ?, start = ?, "end" = ?, '
            "verification = ?, prompt = NULL, answer = NULL, key = ? "
            "WHERE call_id = ?",
            (
                new_id,
                start,
                end,
                _moved_verification(ver, span_map, text),
                f"replaced:{call_id}",
                call_id,
            ),
        )
    return len(rows)


def _moved_verification(
    ver: object, span_map: Callable[[int, int], tuple[int, int]], text: str
) -> str | None:
    try:
        items = json.loads(ver) if isinstance(ver, str) else None
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out = []
    for v in items:
        v = dict(v)
        if (
            v.get("accepted")
            and v.get("start") is not None
            and v.get("end") is not None
        ):
            s, e = span_map(int(v["start"]), int(v["end"]))
            v.update(start=s, end=e, quote=text[s:e])
        else:
            v["quote"] = None
        out.append(v)
    return json.dumps(out, ensure_ascii=False)


def rewrite_calls(session: Session, rewrite: Callable[[str], str]) -> None:
    """Apply ``rewrite`` to the text of every call (prompts, answers, quotes)."""
    changed = []
    for call_id, prompt, answer, ver in session.all(
        "SELECT call_id, prompt, answer, verification FROM llm_calls"
    ):
        new = (
            _rewrite_json(prompt, rewrite, "content"),
            rewrite(answer) if isinstance(answer, str) else answer,
            _rewrite_json(ver, rewrite, "quote"),
        )
        if new != (prompt, answer, ver):
            key = f"replaced:{call_id}" if new[0] != prompt else None
            changed.append((*new, key, call_id))
    session.executemany(
        "UPDATE llm_calls SET prompt = ?, answer = ?, verification = ?, "
        "key = coalesce(?, key) WHERE call_id = ?",
        changed,
    )


def _rewrite_json(value: object, rewrite: Callable[[str], str], field: str) -> Any:
    """``value`` (a JSON list of objects) with ``rewrite`` applied to ``field``."""
    if not isinstance(value, str):
        return value
    try:
        items = json.loads(value)
    except ValueError:
        return rewrite(value)
    if not isinstance(items, list):
        return rewrite(value)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get(field), str):
            item[field] = rewrite(item[field])
    return json.dumps(items, ensure_ascii=False, sort_keys=field == "content")


def forget_calls(session: Session, transcript_ids: Sequence[str]) -> int:
    """Delete the calls about these transcripts (their prompts hold the text).

    For ``Project.remove_transcript``: a removed transcript's words must not
    live on in the audit trail. Returns the number of calls deleted.
    """
    n = 0
    for tid in transcript_ids:
        n += session.execute(
            "DELETE FROM llm_calls WHERE transcript_id = ?", (tid,)
        ).rowcount
    return n
