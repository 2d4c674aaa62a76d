"""Tidying a project: rename or merge codes and coders, remove a transcript.

Functions of a session, each run inside the caller's write transaction and
each recorded in the change log (table ``changes``: action, who, when, a
one-line summary and the details as JSON). Nothing is lost: codings move, two
codings that become identical (same transcript, span, code and coder) collapse
into one with their memos joined and the collapse recorded, and a removed
transcript's codings and decisions go into the log with their offsets and
quoted text, so they can be recovered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from qualcode import _columns as C
from qualcode._validation import check_known
from qualcode.codebook import Codebook
from qualcode.errors import Errors, StoreError
from qualcode.store._checks import NAME_BAD, check_field
from qualcode.store._codebooks import code_index, current_versions, insert_version
from qualcode.store._codings import coder_ids, coders
from qualcode.store._db import Session, now_iso, parse_time
from qualcode.store._llm import forget_calls
from qualcode.store._transcripts import unknown_transcript

__all__ = [
    "CHANGES",
    "changes_frame",
    "log_change",
    "merge_coders",
    "merge_codes",
    "remove_transcript",
    "rename_coder",
    "rename_code",
]

#: the change log as a frame
CHANGES: C.Schema = (
    ("change_id", C.INT),
    ("action", C.STR),
    ("by", C.STR),
    ("at", C.TIME),
    ("summary", C.STR),
    ("detail", C.STR),
)

_TIDY_SUFFIX = re.compile(r"\+tidy\.(\d+)$")


def log_change(
    s: Session, action: str, by: str | None, summary: str, detail: dict[str, Any]
) -> None:
    """Append one entry to the change log."""
    s.execute(
        "INSERT INTO changes (action, done_by, done_at, summary, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (action, by, now_iso(), summary, json.dumps(detail, ensure_ascii=False)),
    )


def changes_frame(s: Session) -> pd.DataFrame:
    """The change log (CHANGES schema), oldest first."""
    rows = s.all(
        "SELECT change_id, action, done_by, done_at, summary, detail FROM changes "
        "ORDER BY change_id"
    )
    df = pd.DataFrame.from_records(rows, columns=C.names(CHANGES))
    df["at"] = parse_time(df["at"].tolist())
    return C.frame(df, CHANGES)


# --------------------------------------------------------------------------
# shared: move codings onto one code or coder, collapsing exact duplicates
# --------------------------------------------------------------------------
_KEY = ["tid", "start", "end", "code", "coder_id"]


def _move_codings(
    s: Session, column: str, sources: Sequence[Any], target: Any, extra: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    """Codings with ``column`` in ``sources`` get ``target``; (moved, collapsed).

    A moved coding identical to one already there (or to an earlier moved one)
    is deleted; its memo is appended to the kept coding's memo.
    """
    marks = ", ".join("?" * (len(sources) + 1))
    rows = s.all(
        'SELECT coding_id, tid, start, "end", code, coder_id, memo FROM codings '
        f"WHERE {column} IN ({marks}) ORDER BY coding_id",
        (*sources, target),
    )
    df = pd.DataFrame.from_records(rows, columns=["coding_id", *_KEY, "memo"])
    if not len(df):
        return 0, []
    df["memo"] = df["memo"].astype(object).where(df["memo"].notna(), None)
    df["moving"] = df[column].isin(list(sources))
    df[column] = target
    # a coding already on the target is the one kept; then the oldest
    df = df.sort_values(["moving", "coding_id"])
    keep = ~df.duplicated(subset=_KEY, keep="first")
    kept = df[keep].set_index(_KEY)
    collapsed: list[dict[str, Any]] = []
    memos: dict[int, str | None] = {}
    for r in df[~keep].itertuples(index=False):
        into = kept.loc[(r.tid, r.start, r.end, r.code, r.coder_id)]
        into_id = int(into["coding_id"])
        collapsed.append(
            {"coding_id": int(r.coding_id), "into": into_id, "memo": r.memo}
        )
        old = memos.get(into_id, into["memo"])
        if r.memo and r.memo != old and (not old or r.memo not in old.split("\n")):
            memos[into_id] = "\n".join(m for m in (old, r.memo) if m)
    s.executemany(
        "DELETE FROM codings WHERE coding_id = ?",
        [(c["coding_id"],) for c in collapsed],
    )
    moved_ids = sorted(int(i) for i in df.loc[keep & df["moving"], "coding_id"])
    sets = ", ".join(f"{k} = ?" for k in [column, *extra])
    s.executemany(
        f"UPDATE codings SET {sets} WHERE coding_id = ?",
        [(target, *extra.values(), i) for i in moved_ids],
    )
    s.executemany(
        "UPDATE codings SET memo = ? WHERE coding_id = ?",
        [(m, i) for i, m in memos.items()],
    )
    return len(moved_ids), collapsed


def _check_name(value: object, *, caller: str, what: str, path: object) -> str:
    if not isinstance(value, str) or not value:
        raise StoreError(
            Errors.QC417.format(
                caller=caller, detail=f"{what} must be a non-empty string.", path=path
            )
        )
    check_field(value, NAME_BAD, caller=caller, what=what)
    return value


def _names(value: object, *, caller: str, what: str, path: object) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    if not items:
        raise StoreError(
            Errors.QC417.format(caller=caller, detail=f"no {what} given.", path=path)
        )
    return [_check_name(v, caller=caller, what=what, path=path) for v in items]


def _merge_names(
    sources: object, into: object, *, caller: str, what: str, path: object
) -> tuple[list[str], str]:
    """A merge's checked source names (each once, in order) and target name."""
    srcs = list(
        dict.fromkeys(_names(sources, caller=caller, what=f"source {what}", path=path))
    )
    return srcs, _check_name(into, caller=caller, what="into", path=path)


def _refuse_into_itself(
    srcs: Sequence[str], into: str, *, caller: str, path: object
) -> None:
    if into in srcs:
        raise StoreError(
            Errors.QC417.format(
                caller=caller,
                detail=f"'{into}' is both a source and the target.",
                path=path,
            )
        )


# --------------------------------------------------------------------------
# codes
# --------------------------------------------------------------------------
def _codes_in_use(s: Session) -> set[str]:
    return {
        r[0]
        for r in s.all(
            "SELECT code FROM codings UNION SELECT code FROM decisions "
            "UNION SELECT code FROM orphans"
        )
    }


def _next_version(version: str) -> str:
    m = _TIDY_SUFFIX.search(version)
    if m is None:
        return f"{version}+tidy.1"
    return f"{version[: m.start()]}+tidy.{int(m.group(1)) + 1}"


def _edit_codebook(
    s: Session, code: str, edit: Callable[[dict[str, Any]], None]
) -> dict[str, str] | None:
    """New current version of the codebook defining ``code``; {name, version}."""
    for (_cid, name, version, _h), book in zip(*current_versions(s), strict=True):
        if code not in {c.id for c in book}:
            continue
        data = book.to_dict()
        data["version"] = _next_version(version)
        edit(data)
        new = Codebook.from_dict(data)
        insert_version(s, new)
        s.cache.clear()
        return {"codebook": name, "from_version": version, "version": new.version}
    return None


def _code_version(s: Session, code: str) -> dict[str, Any]:
    _, index = code_index(s)
    if code not in index:
        return {}
    return {"codebook_version": index[code][0], "codebook_hash": index[code][1]}


def rename_code(s: Session, old: str, new: str, *, by: str | None) -> dict[str, int]:
    """Rename a code in the codings, decisions, orphans and current codebook."""
    caller = "rename_code"
    old = _check_name(old, caller=caller, what="old", path=s.path)
    new = _check_name(new, caller=caller, what="new", path=s.path)
    combined, index = code_index(s)
    check_known(
        old,
        _codes_in_use(s) | set(index),
        what="code",
        caller=caller,
        where=f" in project {s.path}",
    )
    if old == new:
        raise StoreError(
            Errors.QC417.format(
                caller=caller, detail="old and new are the same.", path=s.path
            )
        )
    if old in index and new in index:
        raise StoreError(
            Errors.QC417.format(
                caller=caller,
                detail=f"'{new}' is already a code of the codebook. To bring the "
                f"codings of '{old}' into it, use merge_codes(['{old}'], '{new}').",
                path=s.path,
            )
        )
    book = None
    if old in index:

        def edit(data: dict[str, Any]) -> None:
            for c in data["codes"]:
                if c["id"] == old:
                    c["id"] = new
                if c.get("parent") == old:
                    c["parent"] = new

        book = _edit_codebook(s, old, edit)
    return _recode(s, "rename_code", [old], new, by=by, codebook=book)


def merge_codes(
    s: Session, sources: Sequence[str], into: str, *, by: str | None
) -> dict[str, int]:
    """Bring the codings of ``sources`` into ``into``; drop the sources' codes."""
    caller = "merge_codes"
    srcs, into = _merge_names(sources, into, caller=caller, what="code", path=s.path)
    combined, index = code_index(s)
    known = _codes_in_use(s) | set(index)
    check_known(srcs, known, what="code", caller=caller, where=f" in project {s.path}")
    if combined is not None:
        check_known(
            into,
            set(index),
            what="code",
            caller=caller,
            where=" in the project's codebook",
        )
    _refuse_into_itself(srcs, into, caller=caller, path=s.path)
    books = []
    for src in srcs:
        if src not in index:
            continue
        parent = next(c.parent for c in combined or [] if c.id == src)

        def edit(data: dict[str, Any], src: str = src, parent: Any = parent) -> None:
            # the source's children move up to its parent (never a cycle)
            data["codes"] = [c for c in data["codes"] if c["id"] != src]
            for c in data["codes"]:
                if c.get("parent") == src:
                    if parent is None:
                        c.pop("parent")
                    else:
                        c["parent"] = parent

        book = _edit_codebook(s, src, edit)
        if book is not None:
            books.append(book)
        index = code_index(s)[1]
    return _recode(s, "merge_codes", srcs, into, by=by, codebook=books or None)


def _recode(
    s: Session,
    action: str,
    sources: list[str],
    into: str,
    *,
    by: str | None,
    codebook: Any,
) -> dict[str, int]:
    n_before = s.scalar("SELECT count(*) FROM codings")
    moved, collapsed = _move_codings(s, "code", sources, into, _code_version(s, into))
    marks = ", ".join("?" * len(sources))
    n_dec = s.execute(
        f"UPDATE decisions SET code = ? WHERE code IN ({marks})", (into, *sources)
    ).rowcount
    n_orph = s.execute(
        f"UPDATE orphans SET code = ? WHERE code IN ({marks})", (into, *sources)
    ).rowcount
    counts = {
        "codings": moved,
        "collapsed": len(collapsed),
        "decisions": n_dec,
        "orphans": n_orph,
    }
    assert s.scalar("SELECT count(*) FROM codings") == n_before - len(collapsed)
    what = "renamed" if action == "rename_code" else "merged"
    log_change(
        s,
        action,
        by,
        f"code {', '.join(repr(x) for x in sources)} {what} into {into!r}: "
        f"{moved} codings moved, {len(collapsed)} identical ones collapsed",
        {
            "sources": sources,
            "into": into,
            **counts,
            "collapsed_codings": collapsed,
            "codebook": codebook,
        },
    )
    return counts


# --------------------------------------------------------------------------
# coders
# --------------------------------------------------------------------------
def rename_coder(s: Session, old: str, new: str, *, by: str | None) -> dict[str, int]:
    """Give a coder another name (everywhere the name is stored)."""
    caller = "rename_coder"
    old = _check_name(old, caller=caller, what="old", path=s.path)
    new = _check_name(new, caller=caller, what="new", path=s.path)
    names = coders(s)
    check_known(old, names, what="coder", caller=caller, where=f" in project {s.path}")
    if new in names:
        raise StoreError(
            Errors.QC417.format(
                caller=caller,
                detail=f"'{new}' is already a coder here. To bring the codings of "
                f"'{old}' to '{new}', use merge_coders(['{old}'], '{new}').",
                path=s.path,
            )
        )
    s.execute("UPDATE coders SET name = ? WHERE name = ?", (new, old))
    n_orph = s.execute(
        "UPDATE orphans SET coder = ? WHERE coder = ?", (new, old)
    ).rowcount
    cid = coder_ids(s, [new])[new]
    counts = {
        "codings": s.scalar("SELECT count(*) FROM codings WHERE coder_id = ?", (cid,)),
        "decisions": s.scalar(
            "SELECT count(*) FROM decisions WHERE coder_id = ?", (cid,)
        ),
        "orphans": n_orph,
    }
    log_change(
        s,
        caller,
        by,
        f"coder {old!r} renamed {new!r} ({counts['codings']} codings)",
        {"old": old, "new": new, **counts},
    )
    return counts


def merge_coders(
    s: Session, sources: Sequence[str], into: str, *, by: str | None
) -> dict[str, int]:
    """The codings and decisions of ``sources`` become ``into``'s."""
    caller = "merge_coders"
    srcs, into = _merge_names(sources, into, caller=caller, what="coder", path=s.path)
    check_known(
        srcs, coders(s), what="coder", caller=caller, where=f" in project {s.path}"
    )
    _refuse_into_itself(srcs, into, caller=caller, path=s.path)
    ids = coder_ids(s, [*srcs, into])
    src_ids = [ids[x] for x in srcs]
    n_before = s.scalar("SELECT count(*) FROM codings")
    moved, collapsed = _move_codings(s, "coder_id", src_ids, ids[into], {})
    marks = ", ".join("?" * len(src_ids))
    n_dec = s.execute(
        f"UPDATE decisions SET coder_id = ? WHERE coder_id IN ({marks})",
        (ids[into], *src_ids),
    ).rowcount
    n_orph = s.execute(
        f"UPDATE orphans SET coder = ? WHERE coder IN ({marks})", (into, *srcs)
    ).rowcount
    s.execute(f"DELETE FROM coders WHERE coder_id IN ({marks})", src_ids)
    assert s.scalar("SELECT count(*) FROM codings") == n_before - len(collapsed)
    counts = {
        "codings": moved,
        "collapsed": len(collapsed),
        "decisions": n_dec,
        "orphans": n_orph,
    }
    log_change(
        s,
        caller,
        by,
        f"coder {', '.join(repr(x) for x in srcs)} merged into {into!r}: {moved} "
        f"codings moved, {len(collapsed)} identical ones collapsed",
        {"sources": srcs, "into": into, **counts, "collapsed_codings": collapsed},
    )
    return counts


# --------------------------------------------------------------------------
# transcripts
# --------------------------------------------------------------------------
def _with_text(
    cols: list[str], rows: Iterable[Sequence[Any]], text: str
) -> list[dict[str, Any]]:
    """Rows as dicts (``start``, ``end`` second and third) with their quoted text."""
    return [
        {**dict(zip(cols, r, strict=True)), "text": text[r[1] : r[2]]} for r in rows
    ]


def remove_transcript(
    s: Session, transcript_id: str, *, by: str | None, purge: bool = False
) -> dict[str, int]:
    """Delete a transcript; its codings and decisions go to the change log.

    With ``purge`` the log keeps no text of it: no quotes, memos or evidence.
    """
    caller = "remove_transcript"
    check_field(transcript_id, NAME_BAD, caller=caller, what="transcript id")
    row = s.one(
        "SELECT tid, text, sha256 FROM transcripts WHERE id = ?", (transcript_id,)
    )
    if row is None:
        raise unknown_transcript(s, transcript_id)
    tid, text, sha = row
    cols = [
        "coding_id",
        "start",
        "end",
        "code",
        "coder",
        "origin",
        "memo",
        "created",
        "codebook_version",
    ]
    codings = _with_text(
        cols,
        s.all(
            'SELECT c.coding_id, c.start, c."end", c.code, k.name, c.origin, c.memo, '
            "c.created, c.codebook_version FROM codings c JOIN coders k "
            "USING (coder_id) WHERE c.tid = ? ORDER BY c.coding_id",
            (tid,),
        ),
        text,
    )
    dcols = [
        "decision_id",
        "start",
        "end",
        "code",
        "coder",
        "decision",
        "tagger",
        "score",
        "evidence",
        "decided",
        "stale",
    ]
    decisions = _with_text(
        dcols,
        s.all(
            'SELECT d.decision_id, d.start, d."end", d.code, k.name, d.decision, '
            "d.tagger, d.score, d.evidence, d.decided, d.stale FROM decisions d "
            "JOIN coders k USING (coder_id) WHERE d.tid = ? ORDER BY d.decision_id",
            (tid,),
        ),
        text,
    )
    if purge:
        for item in (*codings, *decisions):
            for key in ("text", "memo", "evidence"):
                item.pop(key, None)
    s.execute("DELETE FROM codings WHERE tid = ?", (tid,))
    s.execute("DELETE FROM decisions WHERE tid = ?", (tid,))
    s.execute("DELETE FROM turns WHERE tid = ?", (tid,))
    s.execute("DELETE FROM transcripts WHERE tid = ?", (tid,))
    counts = {
        "codings": len(codings),
        "decisions": len(decisions),
        "llm_calls": forget_calls(s, [transcript_id]),
    }
    kept = "kept in this entry" + (", without their text" if purge else "")
    log_change(
        s,
        caller,
        by,
        f"transcript {transcript_id!r} removed with {len(codings)} codings and "
        f"{len(decisions)} decisions ({kept})",
        {
            "transcript_id": transcript_id,
            "sha256": sha,
            "purged": purge,
            **counts,
            "codings": codings,
            "decisions": decisions,
        },
    )
    return counts
