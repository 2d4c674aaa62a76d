"""The ``qualcode.json`` sidecar: what REFI cannot hold, for a lossless round trip.

Written by :func:`qualcode.refi.qdpx.write_qdpx` next to ``project.qde``: turns
with speakers, roles and times, transcript attributes, codebook names, versions,
rules and patterns, code GUIDs and coding origins. Other tools ignore it.

On reading, :func:`check_sidecar` checks the whole sidecar's shape and types
before anything of it is used; the reader ignores a sidecar with any problem (with
a warning) and falls back to the REFI content. Problems name the place
(``transcripts[<guid>].turns[3]``), never a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qualcode.model import ROLES, Transcript, Turn
from qualcode.refi._common import is_missing, parse_dt, plain

__all__ = ["check_sidecar", "transcript_from_sidecar", "transcript_info"]

_SCALAR = (str, int, float, bool, type(None))
_CODING_KEYS = {"origin": str, "created": str, "codebook_version": str, "memo": str}


class _Bad(Exception):
    """A problem in the sidecar (its place in the message)."""


def _need(ok: bool, where: str, what: str) -> None:
    if not ok:
        raise _Bad(f"{where}: {what}")


def _opt_str(v: object) -> bool:
    return v is None or isinstance(v, str)


def _int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _time(v: object) -> bool:
    if v is None:
        return True
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and math.isfinite(v)
        and 0 <= v < 1e9
    )


def _check_turns(turns: Any, where: str) -> None:
    _need(isinstance(turns, list), where, "turns is not a list")
    prev_end = 0
    for i, t in enumerate(turns):
        w = f"{where}.turns[{i}]"
        _need(isinstance(t, list) and len(t) == 7, w, "not a list of 7 items")
        index, speaker, role, start, end, t0, t1 = t
        _need(_int(index) and index == i, w, "index is not its position")
        _need(_opt_str(speaker), w, "speaker is not text")
        _need(role is None or role in ROLES, w, f"role is not one of {ROLES}")
        _need(_int(start) and _int(end), w, "start/end are not integers")
        _need(prev_end <= start <= end, w, "offsets overlap or run backwards")
        _need(_time(t0) and _time(t1), w, "a time is not a number of seconds")
        prev_end = end


def _check_transcripts(data: Any) -> None:
    _need(isinstance(data, dict), "transcripts", "not a mapping")
    ids: set[str] = set()
    for g, info in data.items():
        w = f"transcripts[{g}]"
        _need(isinstance(info, dict), w, "not a mapping")
        tid = info.get("id")
        _need(isinstance(tid, str) and bool(tid.strip()), w, "id is not text")
        _need(tid not in ids, w, "id repeats another transcript's")
        ids.add(tid)
        _need(isinstance(info.get("sha256"), str), w, "sha256 is not text")
        _check_turns(info.get("turns"), w)
        attrs = info.get("attributes") or {}
        _need(isinstance(attrs, dict), w, "attributes is not a mapping")
        for k, v in attrs.items():
            ok = isinstance(v, _SCALAR) or (
                isinstance(v, list) and all(isinstance(x, _SCALAR) for x in v)
            )
            _need(ok, f"{w}.attributes", "a value is not text, a number or a list")
            _need(isinstance(k, str), f"{w}.attributes", "a name is not text")
        for key in ("source", "format", "encoding"):
            _need(_opt_str(info.get(key)), w, f"{key} is not text")


def _check_codings(data: Any) -> None:
    _need(isinstance(data, dict), "codings", "not a mapping")
    for g, extra in data.items():
        w = f"codings[{g}]"
        _need(isinstance(extra, dict), w, "not a mapping")
        for k, v in extra.items():
            _need(k in _CODING_KEYS, w, "unknown key")
            _need(isinstance(v, _CODING_KEYS[k]), w, f"{k} is not text")
        if "created" in extra:
            _need(parse_dt(extra["created"]) is not None, w, "created is not a time")


def check_sidecar(data: object) -> str | None:
    """The first problem of a parsed sidecar (None when it can be used).

    Examples
    --------
    >>> check_sidecar({"transcripts": {}, "codings": {}, "codebooks": []}) is None
    True
    >>> check_sidecar(
    ...     {"transcripts": {"g": {"id": "a", "sha256": "x", "turns": [[0]]}}}
    ... )
    'transcripts[g].turns[0]: not a list of 7 items'
    """
    if not isinstance(data, dict):
        return "qualcode.json: not a mapping"
    try:
        _check_transcripts(data.get("transcripts", {}))
        _check_codings(data.get("codings", {}))
        books = data.get("codebooks", [])
        _need(isinstance(books, list), "codebooks", "not a list")
        _need(all(isinstance(b, dict) for b in books), "codebooks", "not mappings")
        guids = data.get("code_guids", {})
        _need(isinstance(guids, dict), "code_guids", "not a mapping")
        _need(
            all(isinstance(v, str) for v in guids.values()),
            "code_guids",
            "a code id is not text",
        )
        users = data.get("users", {})
        _need(isinstance(users, dict), "users", "not a mapping")
        _need(
            all(isinstance(v, str) and v for v in users.values()),
            "users",
            "a name is not text",
        )
    except _Bad as exc:
        return str(exc)
    return None


def transcript_info(t: Transcript) -> dict[str, Any]:
    """The sidecar entry of one transcript (turns as lists, plain attributes)."""
    return {
        "id": t.id,
        "sha256": t.sha256,
        "turns": [
            [u.index, u.speaker, u.role, u.start, u.end, u.time_start, u.time_end]
            for u in t.turns
        ],
        "attributes": {
            k: (None if is_missing(plain(v)) else plain(v))
            for k, v in t.attributes.items()
        },
        "source": t.source,
        "format": t.format,
        "encoding": t.encoding,
    }


def transcript_from_sidecar(info: Mapping[str, Any], text: str) -> Transcript:
    """The transcript a sidecar entry describes, over ``text``."""
    turns = [
        Turn(
            index=t[0],
            speaker=t[1],
            role=t[2],
            start=t[3],
            end=t[4],
            text=text[t[3] : t[4]],
            time_start=t[5],
            time_end=t[6],
        )
        for t in info["turns"]
    ]
    return Transcript(
        info["id"],
        text,
        turns=tuple(turns),
        attributes=info.get("attributes") or {},
        source=info.get("source"),
        format=info.get("format"),
        encoding=info.get("encoding"),
    )
