"""Transcripts and turns in the store: functions of a store session.

A transcript is stored once (text, SHA-256, attributes as JSON, source, format,
encoding) with its turns as ``[start, end)`` offsets. Adding it again with other
text re-anchors its codings and decisions by their quoted text (``_anchor``);
:func:`replace_texts` moves them through an exact offset map instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from qualcode import _columns as C
from qualcode._validation import check_offsets
from qualcode.errors import Errors, InvalidInputError, StoreError
from qualcode.model import Transcript, Turn
from qualcode.store import _llm
from qualcode.store._anchor import reanchor
from qualcode.store._checks import (
    NAME_BAD,
    check_attributes,
    check_field,
    check_transcript,
    clean_source,
)
from qualcode.store._db import Session, now_iso
from qualcode.store._frames import (
    attributes,
    dumps,
    jsonable,
    slice_texts,
    with_attributes,
)

__all__ = [
    "add_transcripts",
    "insert_transcripts",
    "read_transcripts",
    "replace_texts",
    "set_attributes",
    "transcript_ids",
    "transcripts_frame",
    "turns_frame",
    "unknown_transcript",
]

#: transcripts per INSERT batch and per read batch
TRANSCRIPT_BATCH = 200
_CODING_COLS = (
    'coding_id, tid, start, "end", code, coder_id, origin, memo, created, '
    "codebook_version, codebook_hash"
)


def unknown_transcript(s: Session, transcript_id: object) -> StoreError:
    """QC402 for a transcript id not in the project."""
    return StoreError(Errors.QC402.format(transcript=transcript_id, path=s.path))


def insert_codings(s: Session, rows: list[tuple]) -> None:
    """Insert full coding rows (``coding_id`` first, as in the table)."""
    s.executemany(
        f"INSERT INTO codings ({_CODING_COLS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
def _report(tid: str, status: str, kept: int = 0, lost: int = 0) -> dict[str, Any]:
    return {
        "transcript_id": tid,
        "status": status,
        "reanchored": kept,
        "orphaned": lost,
    }


def add_transcripts(s: Session, transcripts: Iterable[Any]) -> list[dict[str, Any]]:
    """Store transcripts (inside the caller's write transaction); the report rows."""
    report: list[dict[str, Any]] = []
    existing = {
        r[0]: (r[1], r[2]) for r in s.all("SELECT id, tid, sha256 FROM transcripts")
    }
    next_tid = s.scalar("SELECT coalesce(max(tid), 0) FROM transcripts") + 1
    seen: dict[str, int] = {}
    pending: list[tuple[int, Transcript]] = []
    now = now_iso()
    for pos, t in enumerate(transcripts):
        if not isinstance(t, Transcript):
            raise InvalidInputError(
                Errors.QC409.format(
                    caller="add_transcripts", position=pos, got=type(t).__name__
                )
            )
        if t.id in seen:
            raise InvalidInputError(
                Errors.QC410.format(
                    caller="add_transcripts",
                    transcript=t.id,
                    first=seen[t.id],
                    second=pos,
                )
            )
        seen[t.id] = pos
        check_transcript(t, caller="add_transcripts", position=pos)
        if t.id not in existing:
            pending.append((next_tid, t))
            next_tid += 1
            report.append(_report(t.id, "added"))
            if len(pending) >= TRANSCRIPT_BATCH:
                insert_transcripts(s, pending, now)
                pending = []
            continue
        tid, sha = existing[t.id]
        if sha == t.sha256:
            changed = refresh_transcript(s, tid, t, now)
            report.append(_report(t.id, "turns_updated" if changed else "unchanged"))
        else:
            kept, lost = replace_text(s, tid, t, now)
            report.append(_report(t.id, "updated", kept, lost))
    if pending:
        insert_transcripts(s, pending, now)
    return report


def turn_rows(tid: int, t: Transcript) -> list[tuple]:
    """The rows of the turns table for one transcript."""
    return [
        (tid, u.index, u.speaker, u.role, u.start, u.end, u.time_start, u.time_end)
        for u in t.turns
    ]


def insert_turns(s: Session, rows: list[tuple]) -> None:
    """Insert turn rows."""
    s.executemany(
        'INSERT INTO turns (tid, turn, speaker, role, start, "end", time_start, '
        "time_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_transcripts(
    s: Session, items: list[tuple[int, Transcript]], now: str
) -> None:
    """Insert new transcripts (and their turns) under the given tids."""
    s.executemany(
        "INSERT INTO transcripts (tid, id, text, sha256, n_chars, attributes, "
        "source, format, encoding, added, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                tid,
                t.id,
                t.text,
                t.sha256,
                len(t.text),
                dumps(t.attributes),
                clean_source(t.source),
                t.format,
                t.encoding,
                now,
                now,
            )
            for tid, t in items
        ],
    )
    insert_turns(s, [r for tid, t in items for r in turn_rows(tid, t)])


def _merged_attributes(s: Session, tid: int, t: Transcript) -> str:
    old = json.loads(
        s.scalar("SELECT attributes FROM transcripts WHERE tid = ?", (tid,))
    )
    return dumps({**old, **jsonable(dict(t.attributes))})


def refresh_transcript(s: Session, tid: int, t: Transcript, now: str) -> bool:
    """Same text: refresh attributes (new values win), source and turns.

    Returns True when the turns changed (speakers, roles, boundaries or times,
    e.g. after a new ``speakers=`` mapping).
    """
    old = s.all(
        'SELECT tid, turn, speaker, role, start, "end", time_start, time_end '
        "FROM turns WHERE tid = ? ORDER BY turn",
        (tid,),
    )
    new = turn_rows(tid, t)
    s.execute(
        "UPDATE transcripts SET attributes = ?, source = coalesce(?, source), "
        "format = coalesce(?, format), encoding = coalesce(?, encoding), "
        "updated = ? WHERE tid = ?",
        (
            _merged_attributes(s, tid, t),
            clean_source(t.source),
            t.format,
            t.encoding,
            now,
            tid,
        ),
    )
    s.execute("DELETE FROM turns WHERE tid = ?", (tid,))
    insert_turns(s, new)
    return [tuple(r) for r in old] != new


def _orphan_row(
    r: tuple, t: Transcript, quote: str, reason: str, old_sha: str, now: str
) -> tuple:
    cid, s_, e, code, _coder_id, coder, origin, memo, created, cbv, cbh = r
    return (
        cid,
        t.id,
        s_,
        e,
        code,
        coder,
        origin,
        memo,
        created,
        cbv,
        cbh,
        quote,
        reason,
        old_sha,
        t.sha256,
        now,
    )


def replace_text(s: Session, tid: int, t: Transcript, now: str) -> tuple[int, int]:
    """New text: re-anchor codings and decisions by their quotes; (kept, lost)."""
    old_text, old_sha = s.one(
        "SELECT text, sha256 FROM transcripts WHERE tid = ?", (tid,)
    ) or ("", "")
    rows = s.all(
        'SELECT c.coding_id, c.start, c."end", c.code, c.coder_id, k.name, '
        "c.origin, c.memo, c.created, c.codebook_version, c.codebook_hash "
        "FROM codings c JOIN coders k USING (coder_id) WHERE c.tid = ? "
        "ORDER BY c.coding_id",
        (tid,),
    )
    new_starts = reanchor(old_text, t.text, [(r[1], r[2]) for r in rows])
    kept: list[tuple] = []
    lost: list[tuple] = []
    taken: dict[tuple, int] = {}
    for r, ns in zip(rows, new_starts, strict=True):
        cid, st, e, code, coder_id = r[:5]
        quote = old_text[st:e]
        if ns is None:
            lost.append(
                _orphan_row(
                    r,
                    t,
                    quote,
                    "the quoted text no longer occurs in the transcript",
                    old_sha,
                    now,
                )
            )
            continue
        key = (ns, ns + (e - st), code, coder_id)
        if key in taken:
            lost.append(
                _orphan_row(
                    r,
                    t,
                    quote,
                    f"its quote now falls on the same text as coding {taken[key]} "
                    "(same code and coder)",
                    old_sha,
                    now,
                )
            )
            continue
        taken[key] = cid
        kept.append((cid, tid, ns, ns + (e - st), code, coder_id, *r[6:]))
    s.execute("DELETE FROM codings WHERE tid = ?", (tid,))
    insert_codings(s, kept)
    s.executemany(
        'INSERT INTO orphans (coding_id, transcript_id, start, "end", code, coder, '
        "origin, memo, created, codebook_version, codebook_hash, quote, reason, "
        "old_sha256, new_sha256, orphaned) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        lost,
    )
    # the decision log moves with the text too; a decision whose quote is gone
    # is kept but marked stale (decisions() hides it unless asked)
    drows = s.all(
        'SELECT decision_id, start, "end" FROM decisions WHERE tid = ? AND stale = 0',
        (tid,),
    )
    dstarts = reanchor(old_text, t.text, [(r[1], r[2]) for r in drows])
    s.executemany(
        'UPDATE decisions SET start = ?, "end" = ? WHERE decision_id = ?',
        [
            (ns, ns + (e - st), d)
            for (d, st, e), ns in zip(drows, dstarts, strict=True)
            if ns is not None
        ],
    )
    s.executemany(
        "UPDATE decisions SET stale = 1 WHERE decision_id = ?",
        [(d,) for (d, _, _), ns in zip(drows, dstarts, strict=True) if ns is None],
    )
    s.execute(
        "UPDATE transcripts SET text = ?, sha256 = ?, n_chars = ? WHERE tid = ?",
        (t.text, t.sha256, len(t.text), tid),
    )
    refresh_transcript(s, tid, t, now)  # attributes, source, turns
    return len(kept), len(lost)


SpanMap = Callable[[int, int], tuple[int, int]]


def _move_codings(
    s: Session,
    tid: int,
    t: Transcript,
    span_map: SpanMap,
    rewrite: Callable[[str], str] | None,
) -> tuple[int, int]:
    """Move one transcript's codings through ``span_map``; (moved, merged)."""
    n = len(t.text)
    moved: list[tuple] = []
    where: dict[tuple, int] = {}
    merged = 0
    for r in s.all(
        f"SELECT {_CODING_COLS} FROM codings WHERE tid = ? ORDER BY coding_id", (tid,)
    ):
        st, e = span_map(r[2], r[3])
        check_offsets(st, e, n, transcript=t.id)
        memo = rewrite(r[7]) if rewrite is not None and r[7] else r[7]
        k = (st, e, r[4], r[5])
        if k in where:  # same span, code and coder: keep one coding
            i = where[k]
            if memo and memo != moved[i][7]:
                joined = "\n".join(m for m in (moved[i][7], memo) if m)
                moved[i] = (*moved[i][:7], joined, *moved[i][8:])
            merged += 1
            continue
        where[k] = len(moved)
        moved.append((r[0], tid, st, e, r[4], r[5], r[6], memo, *r[8:]))
    s.execute("DELETE FROM codings WHERE tid = ?", (tid,))
    insert_codings(s, moved)
    return len(moved), merged


def _move_decisions(s: Session, tid: int, t: Transcript, span_map: SpanMap) -> int:
    dec = []
    for d, s0, e0 in s.all(
        'SELECT decision_id, start, "end" FROM decisions WHERE tid = ? AND stale = 0',
        (tid,),
    ):
        st, e = span_map(s0, e0)
        check_offsets(st, e, len(t.text), transcript=t.id)
        dec.append((st, e, d))
    s.executemany(
        'UPDATE decisions SET start = ?, "end" = ? WHERE decision_id = ?', dec
    )
    return len(dec)


def _rewrite_everywhere(s: Session, rewrite: Callable[[str], str]) -> None:
    for table, key, cols in (
        ("codings", "coding_id", ("memo",)),
        ("orphans", "orphan_id", ("quote", "memo")),
        ("decisions", "decision_id", ("evidence",)),
    ):
        changed = []
        for r in s.all(f"SELECT {key}, {', '.join(cols)} FROM {table}"):
            new = tuple(rewrite(v) if isinstance(v, str) else v for v in r[1:])
            if new != tuple(r[1:]):
                changed.append((*new, r[0]))
        sets = ", ".join(f"{c} = ?" for c in cols)
        s.executemany(f"UPDATE {table} SET {sets} WHERE {key} = ?", changed)
    _rewrite_changes(s, rewrite)


def _rewrite_changes(s: Session, rewrite: Callable[[str], str]) -> None:
    """``rewrite`` every string of the change log (JSON details value by value)."""

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return rewrite(v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    rows = []
    for cid, by, summary, detail in s.all(
        "SELECT change_id, done_by, summary, detail FROM changes"
    ):
        new = (
            rewrite(by) if by else by,
            rewrite(summary),
            json.dumps(walk(json.loads(detail)), ensure_ascii=False),
        )
        if new != (by, summary, detail):
            rows.append((*new, cid))
    s.executemany(
        "UPDATE changes SET done_by = ?, summary = ?, detail = ? WHERE change_id = ?",
        rows,
    )


def replace_texts(
    s: Session,
    edits: Iterable[tuple[str, Transcript, SpanMap]],
    rewrite: Callable[[str], str] | None,
) -> dict[str, int]:
    """Replace texts through exact offset maps (see ``Project.replace_texts``)."""
    counts = {"transcripts": 0, "codings": 0, "merged": 0, "decisions": 0}
    ids = dict(s.all("SELECT id, tid FROM transcripts"))
    now = now_iso()
    for pos, (old_id, t, span_map) in enumerate(edits):
        check_transcript(t, caller="replace_texts", position=pos)
        if old_id not in ids:
            raise unknown_transcript(s, old_id)
        tid = ids[old_id]
        if t.id != old_id:
            if t.id in ids:
                raise StoreError(
                    Errors.QC808.format(
                        caller="replace_texts", position=pos, new=t.id, path=s.path
                    )
                )
            ids[t.id] = ids.pop(old_id)
            s.execute(
                "UPDATE orphans SET transcript_id = ? WHERE transcript_id = ?",
                (t.id, old_id),
            )
        moved, merged = _move_codings(s, tid, t, span_map, rewrite)
        counts["codings"] += moved
        counts["merged"] += merged
        counts["decisions"] += _move_decisions(s, tid, t, span_map)
        _llm.move_calls(s, old_id, t.id, span_map, t.text)  # the audit trail
        s.execute(
            "UPDATE transcripts SET id = ?, text = ?, sha256 = ?, n_chars = ?, "
            "attributes = ?, source = ?, format = ?, encoding = ?, updated = ? "
            "WHERE tid = ?",
            (
                t.id,
                t.text,
                t.sha256,
                len(t.text),
                dumps(t.attributes),
                clean_source(t.source),
                t.format,
                t.encoding,
                now,
                tid,
            ),
        )
        s.execute("DELETE FROM turns WHERE tid = ?", (tid,))
        insert_turns(s, turn_rows(tid, t))
        counts["transcripts"] += 1
    if rewrite is not None:
        _rewrite_everywhere(s, rewrite)
        _llm.rewrite_calls(s, rewrite)
    return counts


def set_attributes(s: Session, updates: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge attribute values into stored transcripts (QC402 for unknown ids)."""
    rows = []
    for tid_id, vals in updates.items():
        check_field(tid_id, NAME_BAD, caller="set_attributes", what="a transcript id")
        check_attributes(
            vals, caller="set_attributes", where=f" of transcript {tid_id!r}"
        )
        r = s.one("SELECT tid, attributes FROM transcripts WHERE id = ?", (tid_id,))
        if r is None:
            raise unknown_transcript(s, tid_id)
        rows.append((dumps({**json.loads(r[1]), **jsonable(vals)}), now_iso(), r[0]))
    s.executemany(
        "UPDATE transcripts SET attributes = ?, updated = ? WHERE tid = ?", rows
    )


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------
def transcript_ids(s: Session) -> list[str]:
    """Ids of the stored transcripts, in the order they were added."""
    return [r[0] for r in s.all("SELECT id FROM transcripts ORDER BY tid")]


def read_transcripts(
    s: Session, ids: Sequence[str], *, strict: bool
) -> list[Transcript]:
    """The stored transcripts with these ids (QC402 for a missing one if strict)."""
    if not ids:
        return []
    sub, param = s.dialect.id_set(ids)
    rows = s.all(
        "SELECT tid, id, text, attributes, source, format, encoding "
        f"FROM transcripts WHERE id IN ({sub})",
        (param,),
    )
    turns = s.all(
        'SELECT tid, turn, speaker, role, start, "end", time_start, time_end '
        f"FROM turns WHERE tid IN (SELECT tid FROM transcripts WHERE id IN ({sub})) "
        "ORDER BY tid, turn",
        (param,),
    )
    by_id = {r[1]: r for r in rows}
    by_tid: dict[int, list[tuple]] = {}
    for u in turns:
        by_tid.setdefault(u[0], []).append(u)
    out = []
    for i in ids:
        if i not in by_id:
            if strict:
                raise unknown_transcript(s, i)
            continue
        tid, id_, text, attrs, source, fmt, enc = by_id[i]
        tt = tuple(
            Turn(
                index=u[1],
                speaker=u[2],
                role=u[3],
                start=u[4],
                end=u[5],
                text=text[u[4] : u[5]],
                time_start=u[6],
                time_end=u[7],
            )
            for u in by_tid.get(tid, [])
        )
        out.append(
            Transcript(
                id=id_,
                text=text,
                turns=tt,
                attributes=json.loads(attrs),
                source=source,
                format=fmt,
                encoding=enc,
            )
        )
    return out


def iter_transcripts(s: Session, ids: Sequence[str]) -> Iterator[Transcript]:
    """Transcripts in batches (the caller holds or opens the transactions)."""
    for i in range(0, len(ids), TRANSCRIPT_BATCH):
        with s.transaction(write=False):
            batch = read_transcripts(s, ids[i : i + TRANSCRIPT_BATCH], strict=True)
        yield from batch


def transcripts_frame(s: Session) -> pd.DataFrame:
    """One row per stored transcript (PROJECT_TRANSCRIPTS + attributes)."""
    rows = s.all(
        "SELECT t.tid, t.id, t.sha256, "
        "(SELECT count(*) FROM turns u WHERE u.tid = t.tid), t.n_chars, "
        "t.source, t.format, t.encoding FROM transcripts t ORDER BY t.tid"
    )
    attrs = attributes(s, schema=C.PROJECT_TRANSCRIPTS)
    cols = ["tid", *C.names(C.PROJECT_TRANSCRIPTS)]
    df = pd.DataFrame.from_records(rows, columns=cols)
    tid = df["tid"].to_numpy(np.int64)
    df = with_attributes(df.drop(columns="tid"), attrs, tid)
    return C.frame(df, C.PROJECT_TRANSCRIPTS, extra=list(attrs.columns))


def turns_frame(s: Session) -> pd.DataFrame:
    """One row per turn of every stored transcript (TURNS + attributes)."""
    rows = s.all(
        'SELECT u.tid, t.id, u.turn, u.speaker, u.role, u.start, u."end", '
        "u.time_start, u.time_end FROM turns u JOIN transcripts t USING (tid) "
        "ORDER BY u.tid, u.turn"
    )
    texts = dict(s.all("SELECT tid, text FROM transcripts"))
    attrs = attributes(s, schema=C.TURNS)
    cols = [
        "tid",
        "transcript_id",
        "turn",
        "speaker",
        "role",
        "start",
        "end",
        "time_start",
        "time_end",
    ]
    df = pd.DataFrame.from_records(rows, columns=cols)
    tid = df["tid"].to_numpy(np.int64)
    df["text"] = slice_texts(
        tid, df["start"].to_numpy(np.int64), df["end"].to_numpy(np.int64), texts
    )
    df = with_attributes(df.drop(columns="tid"), attrs, tid)
    return C.frame(df, C.TURNS, extra=list(attrs.columns))
