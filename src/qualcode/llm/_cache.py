"""Where calls are kept: the audit trail that is also the cache.

A call store has three methods (:class:`CallStore`); :class:`qualcode.Project`
implements them over its ``llm_calls`` table, :class:`MemoryCallStore` in memory.
Every call is recorded as soon as it finishes (one committed row each), so a run
that is killed loses no finished call; the next run finds each finished call by
its key and sends only the rest.

The key is the SHA-256 of the canonical JSON of ``(model, parameters, prompt)``:
the same model, sampling parameters, answer schema and filled prompt give the
same key. Only calls whose answer could be read (``status == "ok"``) are served
from the cache; failed calls stay in the trail and are retried.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from qualcode._columns import LLM_CALLS, frame, names

__all__ = ["CallStore", "MemoryCallStore", "cache_key", "is_call_store"]


@runtime_checkable
class CallStore(Protocol):
    """What :func:`llm_suggest` needs to keep calls (a Project satisfies it)."""

    def find_llm_call(self, key: str) -> dict[str, Any] | None:
        """The last call with this key whose answer was read, or None."""
        ...

    def record_llm_call(self, record: Mapping[str, Any]) -> int:
        """Store one call (committed at once); return its ``call_id``."""
        ...

    def llm_calls(self) -> pd.DataFrame:
        """The audit trail (schema ``_columns.LLM_CALLS``)."""
        ...


def is_call_store(obj: object) -> bool:
    """True for an object with the three call-store methods.

    Examples
    --------
    >>> is_call_store(MemoryCallStore()), is_call_store(object())
    (True, False)
    """
    return isinstance(obj, CallStore)


def cache_key(model: str, parameters: Mapping[str, Any], prompt: str) -> str:
    """SHA-256 (hex) of the canonical JSON of model, parameters and prompt.

    Examples
    --------
    >>> k = cache_key("m", {"temperature": 0.0}, "[]")
    >>> len(k), k == cache_key("m", {"temperature": 0.0}, "[]")
    (64, True)
    >>> k == cache_key("m", {"temperature": 0.5}, "[]")
    False
    """
    blob = json.dumps(
        {"model": model, "parameters": parameters, "prompt": prompt},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def now_utc() -> str:
    """The current UTC time as ISO 8601 (how calls are stamped)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class MemoryCallStore:
    """A call store in memory (for a corpus without a project); thread-safe.

    Examples
    --------
    >>> store = MemoryCallStore()
    >>> store.record_llm_call({"key": "k", "status": "ok", "answer": "{}"})
    1
    >>> store.find_llm_call("k")["call_id"], store.find_llm_call("other")
    (1, None)
    >>> len(store.llm_calls())
    1
    """

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._ok: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"MemoryCallStore(calls={len(self._rows)})"

    def find_llm_call(self, key: str) -> dict[str, Any] | None:
        """The last call with this key whose answer was read, or None."""
        with self._lock:
            row = self._ok.get(key)
            return None if row is None else dict(row)

    def record_llm_call(self, record: Mapping[str, Any]) -> int:
        """Keep one call; return its ``call_id`` (1, 2, ...)."""
        known = set(names(LLM_CALLS))
        row = {k: v for k, v in record.items() if k in known}
        with self._lock:
            row["call_id"] = len(self._rows) + 1
            row.setdefault("created", now_utc())
            self._rows.append(row)
            if row.get("status") == "ok":
                self._ok[str(row["key"])] = row
            return int(row["call_id"])

    def llm_calls(self) -> pd.DataFrame:
        """The audit trail as a DataFrame (schema ``_columns.LLM_CALLS``)."""
        with self._lock:
            rows = [dict(r) for r in self._rows]
        return frame(rows, LLM_CALLS)
