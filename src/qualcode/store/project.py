"""The SQLite project store: transcripts, codebook versions, coders, codings, merge.

One project is one SQLite file (suffix ``.qcproj`` by convention). Every write is
one ``BEGIN IMMEDIATE`` transaction, so a crash, a kill or a bad row in a bulk
operation leaves the file exactly as it was. The file uses WAL journaling and a
busy timeout: a second process can read while one writes, and a writer that
cannot get the lock within ``timeout`` seconds gets :class:`StoreLockedError`.
Nothing is held only in memory.

Offsets are ``[start, end)`` Python ``str`` indices (Unicode code points) into the
stored text of each transcript.
"""

from __future__ import annotations

import json
import math
import operator
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qualcode import _columns as C
from qualcode.store._anchor import reanchor
from qualcode.store._db import connect, now_iso, transaction
from qualcode._validation import check_choice, check_offsets, require_columns
from qualcode.codebook import Codebook
from qualcode.errors import (
    CodebookError,
    CodebookWarning,
    Errors,
    InvalidInputError,
    OffsetError,
    StoreError,
)
from qualcode.model import Transcript, Turn

__all__ = ["Project"]

BATCH = 50_000  # rows per executemany call inside a bulk transaction
TRANSCRIPT_BATCH = 200
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
# Attribute columns whose names clash with a frame's own columns get this prefix.
ATTRIBUTE_PREFIX = "participant_"
_CODING_KEY = ("transcript_id", "start", "end", "code", "coder")
_DECISIONS = ("accepted", "rejected")
_SHOW_ROWS = 5

# Test hook: called after each executemany batch of a bulk insert (never in use
# otherwise). Lets a test kill a process in the middle of a transaction.
_on_batch: Any = None


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (datetime, date, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def _dumps(attrs: Mapping[str, Any]) -> str:
    return json.dumps(_jsonable(dict(attrs)), ensure_ascii=False, allow_nan=False)


def attribute_columns(names: Iterable[str], schema: C.Schema) -> dict[str, str]:
    """Column name of each participant attribute in a frame with ``schema``.

    Attributes named like one of the frame's own columns (``role``, ``text``,
    ...) get the prefix ``participant_``, as in :attr:`Corpus.turns`, so they
    never overwrite the turn's own column.

    Examples
    --------
    >>> attribute_columns(["organisation", "role"], C.CODINGS)
    {'organisation': 'organisation', 'role': 'participant_role'}
    """
    taken = set(C.names(schema))
    out: dict[str, str] = {}
    for n in names:
        col = n if n not in taken else ATTRIBUTE_PREFIX + n
        while col in taken or col in out.values():
            col = ATTRIBUTE_PREFIX + col
        out[n] = col
    return out


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _describe_rows(
    frame: pd.DataFrame, mask: np.ndarray, *, caller: str, problem: str, fix: str
) -> str:
    idx = np.flatnonzero(mask)
    shown = []
    for i in idx[:_SHOW_ROWS]:
        row = frame.iloc[i]
        shown.append(
            f"row {frame.index[i]!r} (transcript {row.get('transcript_id')!r}, "
            f"[{row.get('start')}, {row.get('end')}), "
            f"code {row.get('code')!r})"
        )
    more = f" and {len(idx) - _SHOW_ROWS} more" if len(idx) > _SHOW_ROWS else ""
    return Errors.QC406.format(
        caller=caller,
        n=len(idx),
        problem=problem,
        rows="; ".join(shown),
        more=more,
        fix=fix,
    )


def _whole_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """int64 values and a mask of entries that are not whole numbers."""
    num = pd.to_numeric(s, errors="coerce")
    vals = num.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(vals) | (vals != np.floor(vals))
    out = np.where(bad, 0, vals).astype(np.int64)
    return out, bad


def _nonempty_str(s: pd.Series) -> np.ndarray:
    """Mask of entries that are not non-empty strings (checks unique values only)."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    ok = np.fromiter(
        (isinstance(v, str) and v != "" for v in uniques),
        dtype=bool,
        count=len(uniques),
    )
    return (codes < 0) | ~np.append(ok, False)[codes]


def _object_array(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _iso(series: pd.Series | None, n: int, now: str) -> list[str]:
    if series is None:
        return [now] * n
    ts = pd.to_datetime(series, utc=True, errors="coerce")
    out = ts.dt.strftime(_ISO).astype(object)
    return [now if isinstance(v, float) or v is None or v is pd.NA else v for v in out]


def _parse_time(values: Sequence[Any]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object), format=_ISO, utc=True)


def _strings(values: np.ndarray | list) -> pd.arrays.StringArray:
    return pd.array(np.asarray(values, dtype=object), dtype="string")


def _take_strings(uniques: Sequence[Any], codes: np.ndarray) -> Any:
    """A string array built by taking from a few unique values (fast)."""
    arr = pd.array(np.asarray(list(uniques), dtype=object), dtype="string")
    return arr.take(codes, allow_fill=True)


def _turn_lookup(
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


def _slice_texts(
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


def _combine(codebooks: list[Codebook]) -> Codebook:
    if len(codebooks) == 1:
        return codebooks[0]
    if hasattr(Codebook, "combine"):
        return Codebook.combine(*codebooks)
    codes = [c for cb in codebooks for c in cb]
    return Codebook(
        codes,
        name=" + ".join(cb.name for cb in codebooks),
        version=" + ".join(cb.version for cb in codebooks),
    )


def _codebook_yaml(codebook: Codebook) -> str:
    import yaml

    return yaml.safe_dump(
        codebook.to_dict(), sort_keys=False, allow_unicode=True, width=100
    )


def _codebook_from_yaml(content: str) -> Codebook:
    import yaml

    return Codebook.from_dict(yaml.safe_load(content))


# --------------------------------------------------------------------------
# the Project
# --------------------------------------------------------------------------
class Project:
    """A qualcode project: one SQLite file with transcripts, codebooks and codings.

    Parameters
    ----------
    path : str or Path
        The project file (``.qcproj`` by convention). Created when missing.
    timeout : float, default 10.0
        Seconds to wait for another process's write lock before raising
        :class:`~qualcode.errors.StoreLockedError`.

    Raises
    ------
    StoreError
        The file is not a qualcode project, or was written by a newer qualcode.

    Notes
    -----
    Codings are ``[start, end)`` offsets into the stored text. When a transcript
    is added again with changed text, each coding moves to the exact occurrence
    of its quoted text nearest to its old position (shifted by the edits before
    it); codings whose quote is gone become orphans (:meth:`orphans`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.qcproj"
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("What do you prioritise?", "Interviewer", "interviewer"),
    ...         TurnDraft("Safeguarding children first.", "P1", "participant"),
    ...     ],
    ...     attributes={"organisation": "Force A"},
    ... )
    >>> with Project(path) as project:
    ...     report = project.add_transcripts([t])
    ...     cid = project.code_turn("int01", 1, "safeguard", "ana")
    ...     df = project.codings()
    >>> df.loc[0, ["code", "coder", "text", "speaker", "organisation"]].tolist()
    ['safeguard', 'ana', 'Safeguarding children first.', 'P1', 'Force A']
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise InvalidInputError(
                Errors.QC101.format(
                    param="timeout",
                    caller="Project",
                    expected="a number >= 0",
                    got=timeout,
                )
            )
        self.path = Path(path)
        self.timeout = float(timeout)
        self._lock = threading.RLock()
        self._codebook_cache: tuple[tuple[int, ...], Codebook | None, dict] | None = (
            None
        )
        self._conn = connect(self.path, self.timeout)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Close the file (idempotent). Everything is already written."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._conn is None:
            return f"Project({str(self.path)!r}, closed)"
        with self._tx(write=False) as conn:
            nt = conn.execute("SELECT count(*) FROM transcripts").fetchone()[0]
            nc = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
            nk = conn.execute("SELECT count(*) FROM coders").fetchone()[0]
        return (
            f"Project({str(self.path)!r}, transcripts={nt}, codings={nc}, coders={nk})"
        )

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Any]:
        if self._conn is None:
            raise StoreError(
                Errors.QC401.format(
                    path=self.path, detail="the project is closed. Open it again."
                )
            )
        with (
            self._lock,
            transaction(self._conn, self.path, self.timeout, write=write) as conn,
        ):
            yield conn

    def _unknown_transcript(self, transcript_id: object) -> StoreError:
        return StoreError(Errors.QC402.format(transcript=transcript_id, path=self.path))

    # -- transcripts ---------------------------------------------------------
    def add_transcripts(
        self, transcripts: Iterable[Transcript] | Transcript
    ) -> pd.DataFrame:
        """Store transcripts (a Corpus, a list or any iterable, streamed in batches).

        All in one transaction: if any item is bad, nothing is stored. A
        transcript whose id is already stored is compared by SHA-256: the same
        text is ``"unchanged"`` (attributes, source and turns are refreshed; new
        attribute values win); changed text is ``"updated"`` and its codings are
        re-anchored by their quoted text, or become orphans when the quote is gone.

        Parameters
        ----------
        transcripts : Corpus, Transcript or iterable of Transcript

        Returns
        -------
        pandas.DataFrame
            One row per transcript:

            - ``transcript_id``
            - ``status``: ``"added"``, ``"unchanged"`` or ``"updated"``
            - ``reanchored``: codings placed on the new text (updated only)
            - ``orphaned``: codings that could not be placed (see :meth:`orphans`)

        Raises
        ------
        InvalidInputError
            An item is not a Transcript, or an id repeats.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> p.add_transcripts([Transcript("a", "Yes. No.")])
          transcript_id status  reanchored  orphaned
        0             a  added           0         0
        >>> _ = p.add_coding("a", 5, 8, "no", "ana")
        >>> p.add_transcripts([Transcript("a", "Well. Yes. No.")])
          transcript_id status  reanchored  orphaned
        0             a updated           1         0
        >>> p.codings()[["start", "end", "text"]]
           start  end text
        0     11   14  No.
        >>> p.close()
        """
        if isinstance(transcripts, Transcript):
            transcripts = [transcripts]
        report: list[dict[str, Any]] = []
        with self._tx(write=True) as conn:
            existing = {
                r[0]: (r[1], r[2])
                for r in conn.execute("SELECT id, tid, sha256 FROM transcripts")
            }
            next_tid = (
                conn.execute(
                    "SELECT coalesce(max(tid), 0) FROM transcripts"
                ).fetchone()[0]
                + 1
            )
            seen: dict[str, int] = {}
            pending: list[tuple[int, Transcript]] = []
            now = now_iso()
            for pos, t in enumerate(transcripts):
                if not isinstance(t, Transcript):
                    raise InvalidInputError(
                        Errors.QC409.format(
                            caller="add_transcripts",
                            position=pos,
                            got=type(t).__name__,
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
                if t.id not in existing:
                    pending.append((next_tid, t))
                    next_tid += 1
                    report.append(
                        {
                            "transcript_id": t.id,
                            "status": "added",
                            "reanchored": 0,
                            "orphaned": 0,
                        }
                    )
                    if len(pending) >= TRANSCRIPT_BATCH:
                        self._insert_transcripts(conn, pending, now)
                        pending = []
                    continue
                tid, sha = existing[t.id]
                if sha == t.sha256:
                    self._refresh_transcript(conn, tid, t, now)
                    report.append(
                        {
                            "transcript_id": t.id,
                            "status": "unchanged",
                            "reanchored": 0,
                            "orphaned": 0,
                        }
                    )
                else:
                    kept, lost = self._replace_text(conn, tid, t, now)
                    report.append(
                        {
                            "transcript_id": t.id,
                            "status": "updated",
                            "reanchored": kept,
                            "orphaned": lost,
                        }
                    )
            if pending:
                self._insert_transcripts(conn, pending, now)
        return C.frame(report, C.TRANSCRIPT_REPORT)

    @staticmethod
    def _turn_rows(tid: int, t: Transcript) -> list[tuple]:
        return [
            (tid, u.index, u.speaker, u.role, u.start, u.end, u.time_start, u.time_end)
            for u in t.turns
        ]

    def _insert_turns(self, conn: Any, rows: list[tuple]) -> None:
        conn.executemany(
            'INSERT INTO turns (tid, turn, speaker, role, start, "end", time_start, '
            "time_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _insert_transcripts(
        self, conn: Any, items: list[tuple[int, Transcript]], now: str
    ) -> None:
        conn.executemany(
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
                    _dumps(t.attributes),
                    t.source,
                    t.format,
                    t.encoding,
                    now,
                    now,
                )
                for tid, t in items
            ],
        )
        self._insert_turns(
            conn, [r for tid, t in items for r in self._turn_rows(tid, t)]
        )

    def _merged_attributes(self, conn: Any, tid: int, t: Transcript) -> str:
        old = json.loads(
            conn.execute(
                "SELECT attributes FROM transcripts WHERE tid = ?", (tid,)
            ).fetchone()[0]
        )
        return _dumps({**old, **_jsonable(dict(t.attributes))})

    def _refresh_transcript(self, conn: Any, tid: int, t: Transcript, now: str) -> None:
        conn.execute(
            "UPDATE transcripts SET attributes = ?, source = coalesce(?, source), "
            "format = coalesce(?, format), encoding = coalesce(?, encoding), "
            "updated = ? WHERE tid = ?",
            (
                self._merged_attributes(conn, tid, t),
                t.source,
                t.format,
                t.encoding,
                now,
                tid,
            ),
        )
        conn.execute("DELETE FROM turns WHERE tid = ?", (tid,))
        self._insert_turns(conn, self._turn_rows(tid, t))

    def _replace_text(
        self, conn: Any, tid: int, t: Transcript, now: str
    ) -> tuple[int, int]:
        old_text, old_sha = conn.execute(
            "SELECT text, sha256 FROM transcripts WHERE tid = ?", (tid,)
        ).fetchone()
        rows = conn.execute(
            'SELECT c.coding_id, c.start, c."end", c.code, c.coder_id, k.name, '
            "c.origin, c.memo, c.created, c.codebook_version, c.codebook_hash "
            "FROM codings c JOIN coders k USING (coder_id) WHERE c.tid = ? "
            "ORDER BY c.coding_id",
            (tid,),
        ).fetchall()
        new_starts = reanchor(old_text, t.text, [(r[1], r[2]) for r in rows])
        kept: list[tuple] = []
        lost: list[tuple] = []
        taken: dict[tuple, int] = {}
        new_sha = t.sha256
        for r, ns in zip(rows, new_starts, strict=True):
            cid, s, e, code, coder_id, coder, origin, memo, created, cbv, cbh = r
            quote = old_text[s:e]
            reason = None
            if ns is None:
                reason = "the quoted text no longer occurs in the transcript"
            else:
                key = (ns, ns + (e - s), code, coder_id)
                if key in taken:
                    reason = (
                        f"its quote now falls on the same text as coding {taken[key]} "
                        "(same code and coder)"
                    )
                else:
                    taken[key] = cid
                    kept.append(
                        (
                            cid,
                            tid,
                            ns,
                            ns + (e - s),
                            code,
                            coder_id,
                            origin,
                            memo,
                            created,
                            cbv,
                            cbh,
                        )
                    )
            if reason is not None:
                lost.append(
                    (
                        cid,
                        t.id,
                        s,
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
                        new_sha,
                        now,
                    )
                )
        conn.execute("DELETE FROM codings WHERE tid = ?", (tid,))
        self._executemany_codings(conn, kept)
        conn.executemany(
            'INSERT INTO orphans (coding_id, transcript_id, start, "end", code, coder, '
            "origin, memo, created, codebook_version, codebook_hash, quote, reason, "
            "old_sha256, new_sha256, orphaned) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            lost,
        )
        # the decision log moves with the text too; a decision whose quote is gone
        # is kept but marked stale (decisions() hides it unless asked)
        drows = conn.execute(
            'SELECT decision_id, start, "end" FROM decisions '
            "WHERE tid = ? AND stale = 0",
            (tid,),
        ).fetchall()
        dstarts = reanchor(old_text, t.text, [(r[1], r[2]) for r in drows])
        conn.executemany(
            'UPDATE decisions SET start = ?, "end" = ? WHERE decision_id = ?',
            [
                (ns, ns + (e - s), d)
                for (d, s, e), ns in zip(drows, dstarts, strict=True)
                if ns is not None
            ],
        )
        conn.executemany(
            "UPDATE decisions SET stale = 1 WHERE decision_id = ?",
            [(d,) for (d, _, _), ns in zip(drows, dstarts, strict=True) if ns is None],
        )
        conn.execute(
            "UPDATE transcripts SET text = ?, sha256 = ?, n_chars = ? WHERE tid = ?",
            (t.text, new_sha, len(t.text), tid),
        )
        self._refresh_transcript(conn, tid, t, now)  # attributes, source, turns
        return len(kept), len(lost)

    def replace_texts(
        self,
        edits: Iterable[tuple[str, Transcript, Any]],
        *,
        rewrite: Any = None,
        purge: bool = False,
    ) -> dict[str, int]:
        """Replace transcripts' text when the edit's effect on offsets is known.

        Unlike :meth:`add_transcripts`, which re-anchors codings by their quoted
        text, this moves codings through an exact offset map (as
        :func:`qualcode.pseudonymise` makes). Two codings that land on the same
        span with the same code and coder become one (memos joined). All in one
        transaction.

        Parameters
        ----------
        edits : iterable of (transcript_id, Transcript, span_map)
            The stored id, the new transcript (text, turns, attributes, source;
            its id may differ to rename the transcript), and
            ``span_map(start, end) -> (new_start, new_end)`` for codings and the
            decision log.
        rewrite : callable str -> str, optional
            Applied to every coding memo, orphan quote and memo, and decision
            evidence in the project (codebooks are left alone).
        purge : bool, default False
            Then checkpoint the WAL and VACUUM with ``secure_delete``, so the
            old text is gone from the file's bytes too.

        Returns
        -------
        dict
            ``transcripts``, ``codings`` (moved), ``merged``, ``decisions``.

        Raises
        ------
        StoreError
            Unknown transcript (QC402), a new id already taken (QC808), or the
            purge could not finish because another connection reads (QC812).
        OffsetError
            ``span_map`` gives offsets outside the new text (nothing changed).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "Ask Smith now.")])
        >>> _ = p.add_coding("a", 10, 14, "x", "ana")
        >>> p.replace_texts([("a", Transcript("a", "Ask Person B now."),
        ...                   lambda s, e: (s + 3, e + 3))], purge=True)
        {'transcripts': 1, 'codings': 1, 'merged': 0, 'decisions': 0}
        >>> p.codings()["text"].tolist()
        ['now.']
        >>> p.close()
        """
        counts = {"transcripts": 0, "codings": 0, "merged": 0, "decisions": 0}
        if purge and self._conn is not None:
            self._conn.execute("PRAGMA secure_delete = ON")
        with self._tx(write=True) as conn:
            ids = dict(conn.execute("SELECT id, tid FROM transcripts").fetchall())
            now = now_iso()
            for pos, (old_id, t, span_map) in enumerate(edits):
                if old_id not in ids:
                    raise self._unknown_transcript(old_id)
                tid = ids[old_id]
                if t.id != old_id:
                    if t.id in ids:
                        raise StoreError(
                            Errors.QC808.format(
                                caller="replace_texts",
                                position=pos,
                                new=t.id,
                                path=self.path,
                            )
                        )
                    ids[t.id] = ids.pop(old_id)
                    conn.execute(
                        "UPDATE orphans SET transcript_id = ? WHERE transcript_id = ?",
                        (t.id, old_id),
                    )
                n = len(t.text)
                moved: list[tuple] = []
                where: dict[tuple, int] = {}
                for r in conn.execute(
                    'SELECT coding_id, start, "end", code, coder_id, origin, memo, '
                    "created, codebook_version, codebook_hash FROM codings "
                    "WHERE tid = ? ORDER BY coding_id",
                    (tid,),
                ).fetchall():
                    s, e = span_map(r[1], r[2])
                    check_offsets(s, e, n, transcript=t.id)
                    memo = rewrite(r[6]) if rewrite is not None and r[6] else r[6]
                    k = (s, e, r[3], r[4])
                    if k in where:  # same span, code and coder: keep one coding
                        i = where[k]
                        if memo and memo != moved[i][7]:
                            joined = "\n".join(m for m in (moved[i][7], memo) if m)
                            moved[i] = (*moved[i][:7], joined, *moved[i][8:])
                        counts["merged"] += 1
                        continue
                    where[k] = len(moved)
                    moved.append((r[0], tid, s, e, r[3], r[4], r[5], memo, *r[7:]))
                conn.execute("DELETE FROM codings WHERE tid = ?", (tid,))
                self._executemany_codings(conn, moved)
                counts["codings"] += len(moved)
                dec = []
                for d, s0, e0 in conn.execute(
                    'SELECT decision_id, start, "end" FROM decisions '
                    "WHERE tid = ? AND stale = 0",
                    (tid,),
                ).fetchall():
                    s, e = span_map(s0, e0)
                    check_offsets(s, e, n, transcript=t.id)
                    dec.append((s, e, d))
                conn.executemany(
                    'UPDATE decisions SET start = ?, "end" = ? WHERE decision_id = ?',
                    dec,
                )
                counts["decisions"] += len(dec)
                conn.execute(
                    "UPDATE transcripts SET id = ?, text = ?, sha256 = ?, n_chars = ?, "
                    "attributes = ?, source = ?, format = ?, encoding = ?, updated = ? "
                    "WHERE tid = ?",
                    (t.id, t.text, t.sha256, n, _dumps(t.attributes), t.source,
                     t.format, t.encoding, now, tid),
                )
                conn.execute("DELETE FROM turns WHERE tid = ?", (tid,))
                self._insert_turns(conn, self._turn_rows(tid, t))
                counts["transcripts"] += 1
            if rewrite is not None:
                for table, key, cols in (
                    ("codings", "coding_id", ("memo",)),
                    ("orphans", "orphan_id", ("quote", "memo")),
                    ("decisions", "decision_id", ("evidence",)),
                ):
                    changed = []
                    for r in conn.execute(
                        f"SELECT {key}, {', '.join(cols)} FROM {table}"
                    ).fetchall():
                        new = tuple(
                            rewrite(v) if isinstance(v, str) else v for v in r[1:]
                        )
                        if new != tuple(r[1:]):
                            changed.append((*new, r[0]))
                    sets = ", ".join(f"{c} = ?" for c in cols)
                    conn.executemany(
                        f"UPDATE {table} SET {sets} WHERE {key} = ?", changed
                    )
        if purge:
            import sqlite3

            with self._lock:
                try:
                    for sql in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM",
                                "PRAGMA wal_checkpoint(TRUNCATE)"):
                        busy = self._conn.execute(sql).fetchone()
                        if busy and busy[0]:
                            raise StoreError(Errors.QC812.format(
                                path=self.path, detail="another connection kept the "
                                "write-ahead log busy"))
                except sqlite3.Error as exc:
                    raise StoreError(Errors.QC812.format(
                        path=self.path, detail=f"SQLite could not purge ({exc})"
                    )) from exc
        return counts

    def transcript_ids(self) -> list[str]:
        """Ids of the stored transcripts, in the order they were added."""
        with self._tx(write=False) as conn:
            return [
                r[0] for r in conn.execute("SELECT id FROM transcripts ORDER BY tid")
            ]

    def _attributes(
        self, conn: Any, where: str = "", params: Sequence = (), *, schema: C.Schema
    ) -> pd.DataFrame:
        """Participant attributes indexed by tid, columns renamed for frames."""
        rows = conn.execute(
            f"SELECT tid, attributes FROM transcripts {where} ORDER BY tid", params
        ).fetchall()
        dicts = [json.loads(a) for _, a in rows]
        keys = list(dict.fromkeys(k for d in dicts for k in d))
        index = pd.Index([r[0] for r in rows], dtype="int64")
        if not keys:
            return pd.DataFrame(index=index)
        df = pd.DataFrame.from_records(
            [[d.get(k) for k in keys] for d in dicts], index=index, columns=keys
        )
        return df.convert_dtypes().rename(columns=attribute_columns(keys, schema))

    @staticmethod
    def _with_attributes(
        df: pd.DataFrame, attrs: pd.DataFrame, tid: np.ndarray
    ) -> pd.DataFrame:
        if not len(attrs.columns):
            return df
        joined = attrs.reindex(tid).reset_index(drop=True)
        return pd.concat([df, joined], axis=1)

    @property
    def transcripts(self) -> pd.DataFrame:
        """One row per stored transcript.

        Columns ``transcript_id, sha256, n_turns, n_chars, source, format,
        encoding``, then one column per participant attribute.
        """
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT t.tid, t.id, t.sha256, "
                "(SELECT count(*) FROM turns u WHERE u.tid = t.tid), t.n_chars, "
                "t.source, t.format, t.encoding FROM transcripts t ORDER BY t.tid"
            ).fetchall()
            attrs = self._attributes(conn, schema=C.PROJECT_TRANSCRIPTS)
        cols = ["tid", *C.names(C.PROJECT_TRANSCRIPTS)]
        df = pd.DataFrame.from_records(rows, columns=cols)
        tid = df["tid"].to_numpy(np.int64)
        df = self._with_attributes(df.drop(columns="tid"), attrs, tid)
        return C.frame(df, C.PROJECT_TRANSCRIPTS, extra=list(attrs.columns))

    def transcript(self, transcript_id: str) -> Transcript:
        """The stored transcript, with its turns and attributes, exactly as added.

        Raises
        ------
        StoreError
            Unknown id (QC402).
        """
        out = list(self._read_transcripts([transcript_id], strict=True))
        return out[0]

    def iter_transcripts(
        self, ids: Iterable[str] | None = None
    ) -> Iterator[Transcript]:
        """Yield stored transcripts (all, in order added, or those in ``ids``).

        Read in batches, so a large project never sits in memory at once.
        """
        if ids is None:
            ids = self.transcript_ids()
        ids = list(ids)
        for i in range(0, len(ids), TRANSCRIPT_BATCH):
            yield from self._read_transcripts(
                ids[i : i + TRANSCRIPT_BATCH], strict=True
            )

    def _read_transcripts(self, ids: list[str], *, strict: bool) -> list[Transcript]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT tid, id, text, attributes, source, format, encoding "
                f"FROM transcripts WHERE id IN ({marks})",
                ids,
            ).fetchall()
            turns = conn.execute(
                'SELECT tid, turn, speaker, role, start, "end", time_start, time_end '
                "FROM turns WHERE tid IN "
                f"(SELECT tid FROM transcripts WHERE id IN ({marks})) "
                "ORDER BY tid, turn",
                ids,
            ).fetchall()
        by_id = {r[1]: r for r in rows}
        by_tid: dict[int, list[tuple]] = {}
        for u in turns:
            by_tid.setdefault(u[0], []).append(u)
        out = []
        for i in ids:
            if i not in by_id:
                if strict:
                    raise self._unknown_transcript(i)
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

    @property
    def turns(self) -> pd.DataFrame:
        """One row per turn of every stored transcript (TURNS schema + attributes)."""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                'SELECT u.tid, t.id, u.turn, u.speaker, u.role, u.start, u."end", '
                "u.time_start, u.time_end FROM turns u JOIN transcripts t USING (tid) "
                "ORDER BY u.tid, u.turn"
            ).fetchall()
            texts = dict(conn.execute("SELECT tid, text FROM transcripts"))
            attrs = self._attributes(conn, schema=C.TURNS)
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
        df["text"] = _slice_texts(
            tid, df["start"].to_numpy(np.int64), df["end"].to_numpy(np.int64), texts
        )
        df = self._with_attributes(df.drop(columns="tid"), attrs, tid)
        return C.frame(df, C.TURNS, extra=list(attrs.columns))

    def set_attributes(
        self, attributes: pd.DataFrame | Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Update participant attributes, keyed by transcript id.

        Parameters
        ----------
        attributes : DataFrame or mapping
            A frame with a ``transcript_id`` column and one column per attribute
            (missing values leave an attribute as it is), or a mapping
            ``{transcript_id: {attribute: value}}`` (None clears a value).
            Given values replace stored ones; other attributes are kept.

        Raises
        ------
        StoreError
            A transcript id is not in the project (nothing is changed).
        """
        if isinstance(attributes, pd.DataFrame):
            require_columns(
                attributes,
                ["transcript_id"],
                caller="set_attributes",
                param="attributes",
            )
            updates: dict[str, dict[str, Any]] = {}
            cols = [c for c in attributes.columns if c != "transcript_id"]
            for rec in attributes[["transcript_id", *cols]].itertuples(index=False):
                vals = {
                    c: v
                    for c, v in zip(cols, rec[1:], strict=True)
                    if _jsonable(v) is not None
                }
                updates.setdefault(str(rec[0]), {}).update(vals)
        elif isinstance(attributes, Mapping):
            updates = {str(k): dict(v) for k, v in attributes.items()}
        else:
            raise InvalidInputError(
                Errors.QC101.format(
                    param="attributes",
                    caller="set_attributes",
                    expected="a DataFrame or a mapping",
                    got=type(attributes).__name__,
                )
            )
        with self._tx(write=True) as conn:
            rows = []
            for tid_id, vals in updates.items():
                r = conn.execute(
                    "SELECT tid, attributes FROM transcripts WHERE id = ?", (tid_id,)
                ).fetchone()
                if r is None:
                    raise self._unknown_transcript(tid_id)
                rows.append(
                    (_dumps({**json.loads(r[1]), **_jsonable(vals)}), now_iso(), r[0])
                )
            conn.executemany(
                "UPDATE transcripts SET attributes = ?, updated = ? WHERE tid = ?", rows
            )

    # -- codebooks -----------------------------------------------------------
    def set_codebook(self, codebook: Codebook | str | Path) -> None:
        """Store a codebook version and make it current for its name.

        Several codebooks (e.g. roles, harms, culture) may be current at once,
        one per name; setting a name again with new content adds a version. Code
        ids must be unique across the current codebooks.

        Parameters
        ----------
        codebook : Codebook or path
            A Codebook, or a ``.yaml``/``.qdc`` file to load.

        Raises
        ------
        CodebookError
            A code id already belongs to another current codebook (QC411).
        """
        if isinstance(codebook, (str, Path)):
            codebook = Codebook.load(codebook)
        if not isinstance(codebook, Codebook):
            raise InvalidInputError(
                Errors.QC101.format(
                    param="codebook",
                    caller="set_codebook",
                    expected="a Codebook or a path",
                    got=type(codebook).__name__,
                )
            )
        content = _codebook_yaml(codebook)
        ids = {c.id for c in codebook}
        with self._tx(write=True) as conn:
            for name, other in conn.execute(
                "SELECT name, content FROM codebooks WHERE current = 1 AND name != ?",
                (codebook.name,),
            ).fetchall():
                clash = sorted(ids & {c.id for c in _codebook_from_yaml(other)})
                if clash:
                    raise CodebookError(
                        Errors.QC411.format(
                            name=codebook.name,
                            codes=clash[:_SHOW_ROWS],
                            other=name,
                            path=self.path,
                        )
                    )
            conn.execute(
                "UPDATE codebooks SET current = 0 WHERE name = ?", (codebook.name,)
            )
            conn.execute(
                "INSERT INTO codebooks (name, version, hash, n_codes, content, added, "
                "current) VALUES (?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT (name, version, hash) DO UPDATE SET current = 1",
                (
                    codebook.name,
                    codebook.version,
                    codebook.hash,
                    len(codebook),
                    content,
                    now_iso(),
                ),
            )
            self._codebook_cache = None
            _, index = self._code_index(conn)
            used = [r[0] for r in conn.execute("SELECT DISTINCT code FROM codings")]
        missing = sorted(c for c in used if c not in index)
        if missing:
            warnings.warn(
                f"set_codebook: codings in {self.path} use codes that no current "
                f"codebook defines: {missing[:_SHOW_ROWS]}"
                f"{' ...' if len(missing) > _SHOW_ROWS else ''}. They are kept; "
                "add the codes back or recode them.",
                CodebookWarning,
                stacklevel=2,
            )

    def _code_index(
        self, conn: Any
    ) -> tuple[Codebook | None, dict[str, tuple[str, str]]]:
        """The combined current codebook and code -> (version, hash); cached."""
        rows = conn.execute(
            "SELECT codebook_id, version, hash, content FROM codebooks "
            "WHERE current = 1 ORDER BY codebook_id"
        ).fetchall()
        key = tuple(r[0] for r in rows)
        if self._codebook_cache is not None and self._codebook_cache[0] == key:
            return self._codebook_cache[1], self._codebook_cache[2]
        books = [_codebook_from_yaml(r[3]) for r in rows]
        index = {
            c.id: (r[1], r[2]) for r, cb in zip(rows, books, strict=True) for c in cb
        }
        combined = _combine(books) if books else None
        self._codebook_cache = (key, combined, index)
        return combined, index

    @property
    def codebook(self) -> Codebook | None:
        """All current codebooks combined (None when no codebook is set)."""
        with self._tx(write=False) as conn:
            return self._code_index(conn)[0]

    @property
    def codebooks(self) -> pd.DataFrame:
        """The stored codebook versions.

        Columns ``codebook_id, name, version, hash, n_codes, added, current``.
        """
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT codebook_id, name, version, hash, n_codes, added, current "
                "FROM codebooks ORDER BY codebook_id"
            ).fetchall()
        df = pd.DataFrame.from_records(rows, columns=C.names(C.CODEBOOK_VERSIONS))
        df["added"] = _parse_time(df["added"].tolist())
        df["current"] = df["current"].astype(bool)
        return C.frame(df, C.CODEBOOK_VERSIONS)

    # -- coders --------------------------------------------------------------
    def coding_widget(
        self,
        *,
        coder: str,
        transcript: str | int | None = None,
        suggestions: Any = None,
        compare_with: str | None = None,
    ) -> Any:
        """Open the interactive coding widget on this project (JupyterLab).

        Every action in the widget (apply, remove, memo, accept, reject) is written
        to this project at once. See :func:`qualcode.widget.coding_widget`.

        Examples
        --------
        >>> import qualcode as qc
        >>> callable(qc.Project.coding_widget)
        True
        """
        from qualcode.widget import coding_widget

        return coding_widget(
            self,
            coder=coder,
            transcript=transcript,
            suggestions=suggestions,
            compare_with=compare_with,
        )

    @property
    def coders(self) -> list[str]:
        """Coder names, in the order they first coded."""
        with self._tx(write=False) as conn:
            return [
                r[0] for r in conn.execute("SELECT name FROM coders ORDER BY coder_id")
            ]

    @staticmethod
    def _coder_ids(conn: Any, names: Iterable[str]) -> dict[str, int]:
        names = list(dict.fromkeys(names))
        conn.executemany(
            "INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
            [(n,) for n in names],
        )
        out: dict[str, int] = {}
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]
            out.update(
                conn.execute(
                    "SELECT name, coder_id FROM coders WHERE name IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return out

    # -- codings -------------------------------------------------------------
    def add_coding(
        self,
        transcript_id: str,
        start: int,
        end: int,
        code: str,
        coder: str,
        *,
        memo: str | None = None,
        origin: str = "manual",
    ) -> int:
        """Code ``[start, end)`` of a transcript; return the coding id.

        Adding the same (transcript, start, end, code, coder) again returns the
        existing id and changes nothing.

        Raises
        ------
        StoreError
            Unknown transcript (QC402).
        OffsetError
            Offsets outside ``0 <= start < end <= len(text)`` (QC105).
        CodebookError
            Unknown code while a codebook is set (QC302).
        InvalidInputError
            Empty coder, code or origin (QC412).
        """
        for what, val in (("coder", coder), ("code", code), ("origin", origin)):
            if not isinstance(val, str) or not val:
                raise InvalidInputError(
                    Errors.QC412.format(caller="add_coding", what=what, got=val)
                )
        if memo is not None and not isinstance(memo, str):
            raise InvalidInputError(
                Errors.QC101.format(
                    param="memo",
                    caller="add_coding",
                    expected="a string or None",
                    got=memo,
                )
            )
        with self._tx(write=True) as conn:
            row = conn.execute(
                "SELECT tid, n_chars FROM transcripts WHERE id = ?", (transcript_id,)
            ).fetchone()
            if row is None:
                raise self._unknown_transcript(transcript_id)
            tid, n = row
            try:
                start, end = operator.index(start), operator.index(end)
            except TypeError:
                raise OffsetError(
                    Errors.QC105.format(
                        start=start, end=end, transcript=transcript_id, length=n
                    )
                ) from None
            check_offsets(start, end, n, transcript=transcript_id)
            combined, index = self._code_index(conn)
            if combined is not None and code not in index:
                combined[code]  # raises CodebookError QC302 naming the codebook
            coder_id = self._coder_ids(conn, [coder])[coder]
            found = conn.execute(
                "SELECT coding_id FROM codings WHERE tid = ? AND start = ? "
                'AND "end" = ? AND code = ? AND coder_id = ?',
                (tid, start, end, code, coder_id),
            ).fetchone()
            if found is not None:
                return int(found[0])
            version, chash = index.get(code, (None, None))
            cur = conn.execute(
                'INSERT INTO codings (tid, start, "end", code, coder_id, origin, memo, '
                "created, codebook_version, codebook_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    tid,
                    start,
                    end,
                    code,
                    coder_id,
                    origin,
                    memo,
                    now_iso(),
                    version,
                    chash,
                ),
            )
            return int(cur.lastrowid)

    def code_turn(
        self, transcript_id: str, turn: int, code: str, coder: str, **kwargs: Any
    ) -> int:
        """Code a whole turn (by index); keywords go to :meth:`add_coding`.

        Raises
        ------
        StoreError
            Unknown transcript.
        InvalidInputError
            No such turn (QC408).
        """
        with self._tx(write=False) as conn:
            row = conn.execute(
                "SELECT tid FROM transcripts WHERE id = ?", (transcript_id,)
            ).fetchone()
            if row is None:
                raise self._unknown_transcript(transcript_id)
            span = conn.execute(
                'SELECT start, "end" FROM turns WHERE tid = ? AND turn = ?',
                (row[0], turn),
            ).fetchone()
            n = conn.execute(
                "SELECT count(*) FROM turns WHERE tid = ?", (row[0],)
            ).fetchone()[0]
        if span is None:
            raise InvalidInputError(
                Errors.QC408.format(transcript=transcript_id, turn=turn, n=n)
            )
        return self.add_coding(transcript_id, span[0], span[1], code, coder, **kwargs)

    def add_codings(self, frame: pd.DataFrame) -> list[int]:
        """Add many codings in ONE transaction: all or nothing.

        The whole frame is validated first (vectorised); the error names the
        first offending rows and how many there are. Rows identical to a stored
        coding (or to an earlier row) get that coding's id.

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns ``transcript_id, start, end, code, coder``; optional
            ``origin`` (default ``"manual"``), ``memo``, ``created`` (UTC;
            default now).

        Returns
        -------
        list of int
            The coding id of each row, in row order.

        Raises
        ------
        StoreError, OffsetError, CodebookError, InvalidInputError
            Unknown transcripts, bad offsets, unknown codes, empty names.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import pandas as pd
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> p.add_codings(
        ...     pd.DataFrame(
        ...         {
        ...             "transcript_id": ["a", "a"],
        ...             "start": [0, 3],
        ...             "end": [17, 9],
        ...             "code": ["divert", "divert"],
        ...             "coder": ["ana", "ana"],
        ...         }
        ...     )
        ... )
        [1, 2]
        >>> p.close()
        """
        caller = "add_codings"
        require_columns(frame, _CODING_KEY, caller=caller, param="frame")
        n = len(frame)
        if n == 0:
            return []
        with self._tx(write=True) as conn:
            prepared = self._prepare_codings(conn, frame, caller=caller)
            return self._write_codings(conn, prepared)

    def _prepare_codings(
        self, conn: Any, frame: pd.DataFrame, *, caller: str, check_codes: bool = True
    ) -> dict[str, Any]:
        """Validate a codings frame; return column arrays ready to write."""
        n = len(frame)
        fix = "Fix them and add again."
        # names
        for col in ("code", "coder", "transcript_id"):
            bad = _nonempty_str(frame[col])
            if bad.any():
                raise InvalidInputError(
                    _describe_rows(
                        frame,
                        bad,
                        caller=caller,
                        problem=f"have no {col} (an empty or non-text value)",
                        fix=fix,
                    )
                )
        # transcripts
        transcripts = {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT id, tid, n_chars FROM transcripts")
        }
        tids_ser = frame["transcript_id"].astype(object)
        ucodes, uniq = pd.factorize(tids_ser)
        known = np.array([u in transcripts for u in uniq], dtype=bool)
        bad = ~known[ucodes]
        if bad.any():
            raise StoreError(
                _describe_rows(
                    frame,
                    bad,
                    caller=caller,
                    problem=f"name transcripts not in {self.path}",
                    fix="Add the transcripts first with project.add_transcripts.",
                )
            )
        tid_u = np.array([transcripts[u][0] for u in uniq], dtype=np.int64)
        len_u = np.array([transcripts[u][1] for u in uniq], dtype=np.int64)
        tid, length = tid_u[ucodes], len_u[ucodes]
        # offsets
        start, bad_s = _whole_numbers(frame["start"])
        end, bad_e = _whole_numbers(frame["end"])
        bad = bad_s | bad_e | (start < 0) | (end <= start) | (end > length)
        if bad.any():
            raise OffsetError(
                _describe_rows(
                    frame,
                    bad,
                    caller=caller,
                    problem="have offsets outside their transcript "
                    "(need whole numbers with 0 <= start < end <= length of the text)",
                    fix=fix,
                )
            )
        # codes
        code_codes, code_uniq = pd.factorize(frame["code"].astype(object))
        combined, index = self._code_index(conn)
        if combined is not None and check_codes:
            ok = np.array([c in index for c in code_uniq], dtype=bool)
            bad = ~ok[code_codes]
            if bad.any():
                raise CodebookError(
                    _describe_rows(
                        frame,
                        bad,
                        caller=caller,
                        problem=f"use codes not in the project's codebook "
                        f"'{combined.name}'",
                        fix="Add the codes to the codebook (project.set_codebook) "
                        "or fix the rows.",
                    )
                )
        # optional columns
        origin = (
            frame["origin"].astype(object).where(frame["origin"].notna(), "manual")
            if "origin" in frame
            else None
        )
        if origin is not None:
            bad = _nonempty_str(origin)
            if bad.any():
                raise InvalidInputError(
                    _describe_rows(
                        frame,
                        bad,
                        caller=caller,
                        problem="have an empty or non-text origin",
                        fix=fix,
                    )
                )
            origin_l = origin.tolist()
        else:
            origin_l = ["manual"] * n
        if "memo" in frame:
            memo = frame["memo"].astype(object)
            memo_l = [
                None
                if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)))
                else str(v)
                for v in memo
            ]
        else:
            memo_l = [None] * n
        now = now_iso()
        if "created" in frame:
            ts = pd.to_datetime(frame["created"], utc=True, errors="coerce")
            bad = (ts.isna() & frame["created"].notna()).to_numpy()
            if bad.any():
                raise InvalidInputError(
                    _describe_rows(
                        frame,
                        bad,
                        caller=caller,
                        problem="have a 'created' value that is not a time",
                        fix=fix,
                    )
                )
        created_l = _iso(frame["created"] if "created" in frame else None, n, now)
        coder_codes, coder_uniq = pd.factorize(frame["coder"].astype(object))
        coder_map = self._coder_ids(conn, list(coder_uniq))
        coder_id = np.array([coder_map[c] for c in coder_uniq], dtype=np.int64)[
            coder_codes
        ]
        ver = [index.get(c, (None, None)) for c in code_uniq]
        return {
            "tid": tid,
            "start": start,
            "end": end,
            "code_codes": code_codes,
            "code_uniq": list(code_uniq),
            "coder_id": coder_id,
            "origin": _object_array(origin_l),
            "memo": _object_array(memo_l),
            "created": _object_array(created_l),
            "version": _object_array([v[0] for v in ver]),
            "hash": _object_array([v[1] for v in ver]),
        }

    def _write_codings(self, conn: Any, p: dict[str, Any]) -> list[int]:
        key = pd.DataFrame(
            {
                "tid": p["tid"],
                "start": p["start"],
                "end": p["end"],
                "code": p["code_codes"],
                "coder_id": p["coder_id"],
            }
        )
        group = key.groupby(list(key.columns), sort=False).ngroup().to_numpy()
        first = np.flatnonzero(~key.duplicated().to_numpy())
        # first[g] is the first row of group g (ngroup numbers groups in order)
        gid = np.full(len(first), -1, dtype=np.int64)
        tids = np.unique(p["tid"])
        n_existing = 0
        for i in range(0, len(tids), 500):
            chunk = tids[i : i + 500].tolist()
            n_existing += conn.execute(
                "SELECT count(*) FROM codings WHERE tid IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ).fetchone()[0]
        if n_existing:
            rows = []
            for i in range(0, len(tids), 500):
                chunk = tids[i : i + 500].tolist()
                rows += conn.execute(
                    'SELECT tid, start, "end", code, coder_id, coding_id FROM codings '
                    f"WHERE tid IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            ex = pd.DataFrame.from_records(
                rows, columns=["tid", "start", "end", "code", "coder_id", "coding_id"]
            )
            code_pos = {c: i for i, c in enumerate(p["code_uniq"])}
            ex["code"] = ex["code"].map(code_pos)
            ex = ex.dropna(subset=["code"]).astype({"code": np.int64})
            firsts = key.iloc[first].reset_index(drop=True)
            firsts["g"] = np.arange(len(first))
            m = firsts.merge(
                ex, on=["tid", "start", "end", "code", "coder_id"], how="inner"
            )
            gid[m["g"].to_numpy()] = m["coding_id"].to_numpy(np.int64)
        new = np.flatnonzero(gid < 0)
        base = conn.execute(
            "SELECT coalesce(max(coding_id), 0) FROM codings"
        ).fetchone()[0]
        gid[new] = base + 1 + np.arange(len(new))
        rows_new = first[new]
        code_uniq = _object_array(p["code_uniq"])
        for b in range(0, len(rows_new), BATCH):
            r = rows_new[b : b + BATCH]
            cc = p["code_codes"][r]
            batch = list(
                zip(
                    gid[new[b : b + BATCH]].tolist(),
                    p["tid"][r].tolist(),
                    p["start"][r].tolist(),
                    p["end"][r].tolist(),
                    code_uniq[cc].tolist(),
                    p["coder_id"][r].tolist(),
                    p["origin"][r].tolist(),
                    p["memo"][r].tolist(),
                    p["created"][r].tolist(),
                    p["version"][cc].tolist(),
                    p["hash"][cc].tolist(),
                    strict=True,
                )
            )
            self._executemany_codings(conn, batch)
            if _on_batch is not None:
                _on_batch(b // BATCH)
        return gid[group].tolist()

    @staticmethod
    def _executemany_codings(conn: Any, rows: list[tuple]) -> None:
        conn.executemany(
            'INSERT INTO codings (coding_id, tid, start, "end", code, coder_id, '
            "origin, memo, created, codebook_version, codebook_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _coding_exists(self, conn: Any, coding_id: Any) -> int:
        try:
            cid = operator.index(coding_id)
        except TypeError:
            cid = None
        if (
            cid is None
            or conn.execute(
                "SELECT 1 FROM codings WHERE coding_id = ?", (cid,)
            ).fetchone()
            is None
        ):
            raise StoreError(Errors.QC407.format(coding_id=coding_id, path=self.path))
        return cid

    def remove_coding(self, coding_id: int) -> None:
        """Delete one coding.

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        """
        with self._tx(write=True) as conn:
            cid = self._coding_exists(conn, coding_id)
            conn.execute("DELETE FROM codings WHERE coding_id = ?", (cid,))

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        """Set (or clear, with None) the memo of one coding.

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        """
        if memo is not None and not isinstance(memo, str):
            raise InvalidInputError(
                Errors.QC101.format(
                    param="memo",
                    caller="set_memo",
                    expected="a string or None",
                    got=memo,
                )
            )
        with self._tx(write=True) as conn:
            cid = self._coding_exists(conn, coding_id)
            conn.execute("UPDATE codings SET memo = ? WHERE coding_id = ?", (memo, cid))

    def codings(
        self,
        *,
        coder: str | Iterable[str] | None = None,
        code: str | Iterable[str] | None = None,
        transcript_id: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """The codings as a tidy DataFrame, with their text, turn and attributes.

        Parameters
        ----------
        coder, code, transcript_id : str or list of str, optional
            Keep only these coders / codes / transcripts.

        Returns
        -------
        pandas.DataFrame
            One row per coding (by coding id): ``coding_id, transcript_id, start,
            end, code, coder, origin, memo, created, codebook_version, text, turn,
            speaker, role``, then one column per participant attribute (named
            ``participant_<name>`` when it clashes with a column). ``text`` is the
            stored text at the offsets; ``turn/speaker/role`` come from the turn
            containing ``start`` (missing when ``start`` is outside every turn).
        """
        where, params = [], []
        for _col, vals, sql in (
            (
                "coder",
                _as_list(coder),
                "coder_id IN (SELECT coder_id FROM coders WHERE name IN ({}))",
            ),
            ("code", _as_list(code), "code IN ({})"),
            (
                "transcript_id",
                _as_list(transcript_id),
                "tid IN (SELECT tid FROM transcripts WHERE id IN ({}))",
            ),
        ):
            if vals is not None:
                where.append(sql.format(",".join("?" * len(vals))))
                params += vals
        w = ("WHERE " + " AND ".join(where)) if where else ""
        cols = [
            "coding_id",
            "tid",
            "start",
            '"end"',
            "code",
            "coder_id",
            "origin",
            "memo",
            "created",
            "codebook_version",
        ]
        with self._tx(write=False) as conn:
            # Column-wise fetch: one JSON array per column (all built in the same
            # scan, so they line up) parses far faster than a million row tuples.
            packed = conn.execute(
                "SELECT "
                + ", ".join(f"json_group_array({c})" for c in cols)
                + f" FROM (SELECT {', '.join(cols)} FROM codings {w})",
                params,
            ).fetchone()
            raw = dict(
                zip([c.strip('"') for c in cols], map(json.loads, packed), strict=True)
            )
            # the transcripts these codings are on, as one JSON parameter
            sub = "SELECT value FROM json_each(?)"
            tids = [json.dumps(np.unique(raw["tid"]).tolist())]
            tx = conn.execute(
                f"SELECT tid, id, text FROM transcripts WHERE tid IN ({sub})", tids
            ).fetchall()
            turns = pd.DataFrame.from_records(
                conn.execute(
                    'SELECT tid, turn, start, "end", speaker, role FROM turns '
                    f"WHERE tid IN ({sub}) ORDER BY tid, start",
                    tids,
                ).fetchall(),
                columns=["tid", "turn", "start", "end", "speaker", "role"],
            )
            coders = dict(conn.execute("SELECT coder_id, name FROM coders"))
            # all transcripts' attributes: the columns must not depend on which
            # transcripts happen to have codings (an empty result keeps them too)
            attrs = self._attributes(conn, schema=C.CODINGS)
        return self._codings_frame(raw, tx, turns, coders, attrs)

    @staticmethod
    def _codings_frame(
        raw: dict[str, list],
        tx: list[tuple],
        turns: pd.DataFrame,
        coders: Mapping[int, str],
        attrs: pd.DataFrame,
    ) -> pd.DataFrame:
        coding_id = np.asarray(raw["coding_id"], dtype=np.int64)
        order = None
        if len(coding_id) > 1 and not (np.diff(coding_id) > 0).all():
            order = np.argsort(coding_id, kind="stable")
            coding_id = coding_id[order]

        def ints(name: str) -> np.ndarray:
            a = np.asarray(raw[name], dtype=np.int64)
            return a if order is None else a[order]

        def objs(name: str) -> np.ndarray:
            a = np.empty(len(coding_id), dtype=object)
            a[:] = raw[name]
            return a if order is None else a[order]

        def strings(name: str) -> Any:
            codes, uniq = pd.factorize(objs(name), use_na_sentinel=True)
            return _take_strings(list(uniq), codes)

        n = len(coding_id)
        tid, start, end = ints("tid"), ints("start"), ints("end")
        ids = {r[0]: r[1] for r in tx}
        texts = {r[0]: r[2] for r in tx}
        tcodes, tuniq = pd.factorize(tid)
        kcodes, kuniq = pd.factorize(ints("coder_id"))
        pos, ok = _turn_lookup(tid, start, turns)
        turn = pd.array(
            turns["turn"].to_numpy(np.int64)[pos]
            if len(turns)
            else np.zeros(n, np.int64),
            dtype="Int64",
        )
        turn[~ok] = pd.NA
        data: dict[str, Any] = {
            "coding_id": coding_id,
            "transcript_id": _take_strings([ids[t] for t in tuniq], tcodes),
            "start": start,
            "end": end,
            "code": strings("code"),
            "coder": _take_strings([coders[k] for k in kuniq], kcodes),
            "origin": strings("origin"),
            "memo": _strings(objs("memo")),
            "created": _parse_time(objs("created")).array,
            "codebook_version": strings("codebook_version"),
            "text": _strings(_slice_texts(tid, start, end, texts)),
            "turn": turn,
        }
        for col in ("speaker", "role"):
            vals = (
                turns[col].to_numpy(object)[pos]
                if len(turns)
                else np.full(n, None, dtype=object)
            )
            data[col] = _strings(np.where(ok, vals, None))
        if len(attrs.columns):
            where = attrs.index.get_indexer(tid)
            for col in attrs.columns:
                data[col] = attrs[col].array.take(where)
        return C.frame(pd.DataFrame(data), C.CODINGS, extra=list(attrs.columns))

    def orphans(self) -> pd.DataFrame:
        """Codings that could not be re-anchored after a transcript changed.

        Columns ``orphan_id, coding_id, transcript_id, start, end, code, coder,
        origin, memo, created, codebook_version, quote, reason, old_sha256,
        new_sha256, orphaned``; ``start/end`` and ``quote`` refer to the old text.
        """
        with self._tx(write=False) as conn:
            rows = conn.execute(
                'SELECT orphan_id, coding_id, transcript_id, start, "end", code, '
                "coder, origin, memo, created, codebook_version, quote, reason, "
                "old_sha256, new_sha256, orphaned FROM orphans ORDER BY orphan_id"
            ).fetchall()
        df = pd.DataFrame.from_records(rows, columns=C.names(C.ORPHANS))
        for col in ("created", "orphaned"):
            df[col] = _parse_time(df[col].tolist())
        return C.frame(df, C.ORPHANS)

    # -- suggestion decisions -----------------------------------------------
    def log_decisions(self, frame: pd.DataFrame) -> None:
        """Log accept/reject decisions on suggestions (time added by the store).

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns ``transcript_id, start, end, code, coder, decision``
            (``"accepted"`` or ``"rejected"``) and optionally ``tagger, score,
            evidence``.

        Raises
        ------
        StoreError, OffsetError, InvalidInputError
            Unknown transcripts, bad offsets, bad decisions (nothing is logged).
        """
        caller = "log_decisions"
        require_columns(frame, [*_CODING_KEY, "decision"], caller=caller, param="frame")
        if not len(frame):
            return
        bad = ~frame["decision"].isin(_DECISIONS).to_numpy()
        if bad.any():
            raise InvalidInputError(
                _describe_rows(
                    frame,
                    bad,
                    caller=caller,
                    problem="have a decision other than 'accepted' or 'rejected'",
                    fix="Fix them and log again.",
                )
            )
        with self._tx(write=True) as conn:
            # a decision may name any code the tagger knows
            p = self._prepare_codings(
                conn,
                frame.drop(columns=["origin", "created"], errors="ignore"),
                caller=caller,
                check_codes=False,
            )
            n = len(frame)
            now = now_iso()

            def col(name: str) -> list[Any]:
                if name not in frame:
                    return [None] * n
                return [
                    None if _jsonable(v) is None else v
                    for v in frame[name].astype(object)
                ]

            scores = [None if v is None else float(v) for v in col("score")]
            evidence = [None if v is None else str(v) for v in col("evidence")]
            tagger = [None if v is None else str(v) for v in col("tagger")]
            rows = list(
                zip(
                    p["tid"].tolist(),
                    p["start"].tolist(),
                    p["end"].tolist(),
                    [p["code_uniq"][c] for c in p["code_codes"].tolist()],
                    p["coder_id"].tolist(),
                    frame["decision"].astype(str).tolist(),
                    tagger,
                    scores,
                    evidence,
                    [now] * n,
                    strict=True,
                )
            )
            conn.executemany(
                'INSERT INTO decisions (tid, start, "end", code, coder_id, decision, '
                "tagger, score, evidence, decided) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def decisions(
        self, *, coder: str | Iterable[str] | None = None, include_stale: bool = False
    ) -> pd.DataFrame:
        """The suggestion-decision log.

        Parameters
        ----------
        coder : str or list of str, optional
        include_stale : bool, default False
            Also return decisions whose quoted text vanished when their
            transcript changed (their offsets refer to the old text).

        Returns
        -------
        pandas.DataFrame
            ``decision_id, transcript_id, start, end, code, coder, decision,
            tagger, score, evidence, decided`` (UTC time).
        """
        check_choice(
            include_stale, (True, False), param="include_stale", caller="decisions"
        )
        where, params = [], []
        coders = _as_list(coder)
        if coders is not None:
            where.append(f"k.name IN ({','.join('?' * len(coders))})")
            params += coders
        if not include_stale:
            where.append("d.stale = 0")
        w = ("WHERE " + " AND ".join(where)) if where else ""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                'SELECT d.decision_id, t.id, d.start, d."end", d.code, k.name, '
                "d.decision, d.tagger, d.score, d.evidence, d.decided FROM decisions d "
                "JOIN transcripts t USING (tid) JOIN coders k USING (coder_id) "
                f"{w} ORDER BY d.decision_id",
                params,
            ).fetchall()
        df = pd.DataFrame.from_records(rows, columns=C.names(C.DECISIONS))
        df["decided"] = _parse_time(df["decided"].tolist())
        return C.frame(df, C.DECISIONS)

    # -- teamwork ------------------------------------------------------------
    def merge(self, other: Project | str | Path) -> pd.DataFrame:
        """Bring in another project's transcripts, codebooks, codings and decisions.

        Nothing here is overwritten. Transcripts are matched by id (or, for an
        id not stored here, by identical text); a transcript whose id matches but
        whose text differs is a conflict and its codings are not merged.
        Codebook versions are matched by (name, hash): new names become current
        here, new versions of a name are stored but the current one stays.
        Codings identical to one stored here (same transcript, start, end, code,
        coder) are not duplicated; codings whose code no current codebook here
        defines are reported, not merged. Orphans stay in the other project. All
        in one transaction.

        Parameters
        ----------
        other : Project or path
            The other coder's project (it is only read).

        Returns
        -------
        pandas.DataFrame
            The report, one row per finding: ``kind, transcript_id, coder,
            count, detail``. Kinds: ``transcript_added``,
            ``transcript_matched``, ``transcript_conflict``,
            ``codebook_added``, ``codebook_version_added``,
            ``codebook_conflict``, ``codings_added``, ``codings_identical``,
            ``codings_skipped``, ``code_unknown``, ``memo_differs``,
            ``decisions_added``.
        """
        from qualcode.store._merge import merge

        if isinstance(other, Project):
            if other.path.resolve() == self.path.resolve():
                raise StoreError(
                    Errors.QC401.format(
                        path=self.path, detail="cannot merge a project into itself."
                    )
                )
            return merge(self, other)
        if not isinstance(other, (str, Path)):
            raise InvalidInputError(
                Errors.QC101.format(
                    param="other",
                    caller="merge",
                    expected="a Project or a path",
                    got=type(other).__name__,
                )
            )
        opath = Path(other)
        if not opath.is_file():
            raise StoreError(Errors.QC413.format(path=opath, detail="file not found."))
        if opath.resolve() == self.path.resolve():
            raise StoreError(
                Errors.QC401.format(
                    path=self.path, detail="cannot merge a project into itself."
                )
            )
        with Project(opath, timeout=self.timeout) as o:
            return merge(self, o)
