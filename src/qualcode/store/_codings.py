"""Coders, codings, orphans and the suggestion-decision log: functions of a session.

A coding is ``(transcript, [start, end), code, coder, origin, memo, created)``
plus the codebook version it was made with. ``(transcript, start, end, code,
coder)`` is unique, so adding a coding twice returns the first one's id.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qualcode import _columns as C
from qualcode._validation import check_offsets, did_you_mean
from qualcode.errors import (
    CodebookError,
    Errors,
    InvalidInputError,
    OffsetError,
    StoreError,
)
from qualcode.store._checks import (
    ANY_BAD,
    MEMO_BAD,
    NAME_BAD,
    check_field,
    describe,
    problem,
    rule,
)
from qualcode.store._codebooks import code_index
from qualcode.store._db import Session, now_iso, parse_time
from qualcode.store._frames import (
    as_list,
    attributes,
    describe_rows,
    iso,
    jsonable,
    object_array,
    slice_texts,
    strings,
    take_strings,
    turn_lookup,
    whole_numbers,
)
from qualcode.store._transcripts import unknown_transcript

__all__ = [
    "BATCH",
    "add_coding",
    "coder_ids",
    "coders",
    "codings_frame",
    "decisions_frame",
    "log_decisions",
    "orphans_frame",
    "prepare_codings",
    "turn_span",
    "write_codings",
]

BATCH = 50_000  # rows per executemany call inside a bulk transaction
DECISIONS = ("accepted", "rejected")

# Test hook: called after each executemany batch of a bulk insert (never in use
# otherwise). Lets a test kill a process in the middle of a transaction.
_on_batch: Any = None


# --------------------------------------------------------------------------
# coders
# --------------------------------------------------------------------------
def coders(s: Session) -> list[str]:
    """Coder names, in the order they first coded."""
    return [r[0] for r in s.all("SELECT name FROM coders ORDER BY coder_id")]


def check_new_coders(
    s: Session, names: Iterable[str], *, new_coder: bool | None, caller: str
) -> None:
    """Refuse coders that are not in the project, as ``new_coder`` says (QC416).

    ``None``: a new name is fine unless it differs from a stored coder only by
    case or surrounding spaces (``mk`` beside ``MK`` is a typo, not a second
    coder). ``False``: every coder must be stored already. ``True``: any name.
    """
    if new_coder is True:
        return
    known = coders(s)
    stored = set(known)
    folded = {k.strip().casefold(): k for k in known}
    for name in dict.fromkeys(names):
        if name in stored:
            continue
        twin = folded.get(name.strip().casefold())
        if new_coder is False or twin is not None:
            hint = f" (did you mean {twin!r}?)" if twin else did_you_mean(name, known)
            raise InvalidInputError(
                Errors.QC416.format(caller=caller, coder=name, path=s.path, hint=hint)
            )


def coder_ids(s: Session, names: Iterable[str]) -> dict[str, int]:
    """``name -> coder_id``, adding the coders that are new."""
    names = list(dict.fromkeys(names))
    s.executemany(
        "INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
        [(n,) for n in names],
    )
    sub, param = s.dialect.id_set(names)
    return dict(
        s.all(f"SELECT name, coder_id FROM coders WHERE name IN ({sub})", (param,))
    )


# --------------------------------------------------------------------------
# one coding
# --------------------------------------------------------------------------
def add_coding(
    s: Session,
    transcript_id: str,
    start: Any,
    end: Any,
    code: str,
    coder: str,
    *,
    memo: str | None,
    origin: str,
    new_coder: bool | None = None,
) -> int:
    """Add one coding (or return the id of the identical stored one)."""
    for what, value, pattern in (
        ("transcript id", transcript_id, NAME_BAD),
        ("code", code, NAME_BAD),
        ("coder", coder, NAME_BAD),
        ("origin", origin, NAME_BAD),
        ("memo", memo, MEMO_BAD),
    ):
        check_field(value, pattern, caller="add_coding", what=what)
    row = s.one("SELECT tid, n_chars FROM transcripts WHERE id = ?", (transcript_id,))
    if row is None:
        raise unknown_transcript(s, transcript_id)
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
    combined, index = code_index(s)
    if combined is not None and code not in index:
        combined[code]  # raises CodebookError QC302 naming the codebook
    check_new_coders(s, [coder], new_coder=new_coder, caller="add_coding")
    coder_id = coder_ids(s, [coder])[coder]
    found = s.scalar(
        'SELECT coding_id FROM codings WHERE tid = ? AND start = ? AND "end" = ? '
        "AND code = ? AND coder_id = ?",
        (tid, start, end, code, coder_id),
    )
    if found is not None:
        return int(found)
    version, chash = index.get(code, (None, None))
    return s.insert_id(
        'INSERT INTO codings (tid, start, "end", code, coder_id, origin, memo, '
        "created, codebook_version, codebook_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (tid, start, end, code, coder_id, origin, memo, now_iso(), version, chash),
    )


def turn_span(s: Session, transcript_id: str, turn: int) -> tuple[int, int]:
    """``(start, end)`` of a turn (QC402 / QC408 when missing)."""
    check_field(transcript_id, ANY_BAD, caller="code_turn", what="transcript id")
    tid = s.scalar("SELECT tid FROM transcripts WHERE id = ?", (transcript_id,))
    if tid is None:
        raise unknown_transcript(s, transcript_id)
    span = s.one(
        'SELECT start, "end" FROM turns WHERE tid = ? AND turn = ?', (tid, turn)
    )
    if span is None:
        n = s.scalar("SELECT count(*) FROM turns WHERE tid = ?", (tid,))
        raise InvalidInputError(
            Errors.QC408.format(transcript=transcript_id, turn=turn, n=n)
        )
    return int(span[0]), int(span[1])


def coding_exists(s: Session, coding_id: Any) -> int:
    """The coding id as an int (QC407 when there is no such coding)."""
    try:
        cid: int | None = operator.index(coding_id)
    except TypeError:
        cid = None
    if (
        cid is None
        or s.one("SELECT 1 FROM codings WHERE coding_id = ?", (cid,)) is None
    ):
        raise StoreError(Errors.QC407.format(coding_id=coding_id, path=s.path))
    return cid


# --------------------------------------------------------------------------
# many codings
# --------------------------------------------------------------------------
@dataclass
class Column:
    """A column as factorized codes into ``values`` (code -1 is ``values[-1]``)."""

    codes: np.ndarray
    values: np.ndarray  # object array; its last item stands for "missing"

    @classmethod
    def constant(cls, value: Any, n: int) -> Column:
        """The same value in every row."""
        return cls(np.zeros(n, dtype=np.int64), object_array([value, None]))

    def take(self, rows: np.ndarray) -> list[Any]:
        """The values of these rows as a list."""
        return list(self.values[self.codes[rows]].tolist())

    def single(self) -> tuple[bool, Any]:
        """``(True, value)`` when every row holds the same value."""
        if not len(self.codes):
            return True, None
        first = self.codes[0]
        if (self.codes == first).all():
            return True, self.values[first]
        # different codes may still share one value (e.g. no codebook version)
        vals = [self.values[i] for i in pd.unique(self.codes)]
        if all(type(v) is type(vals[0]) and v == vals[0] for v in vals):
            return True, vals[0]
        return False, None


@dataclass
class Prepared:
    """A validated codings frame as arrays, ready to write."""

    tid: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: Column  # values: the code ids
    coder_id: np.ndarray
    origin: Column
    memo: Column
    created: Column
    version: np.ndarray  # per code (aligned with code.values)
    hash: np.ndarray


def _factorized(frame: pd.DataFrame, col: str) -> Column:
    codes, uniq = pd.factorize(frame[col], use_na_sentinel=True)
    return Column(np.asarray(codes, dtype=np.int64), object_array([*uniq, None]))


def _check_chars(
    frame: pd.DataFrame,
    col: Column,
    name: str,
    pattern: re.Pattern[str],
    caller: str,
    fix: str,
) -> None:
    """QC406 naming the rows whose ``name`` holds a refused character."""
    found = [isinstance(v, str) and problem(v, pattern) for v in col.values]
    bad_u = np.array([bool(f) for f in found], dtype=bool)
    if not bad_u.any():
        return
    pos, cp = next(f for f in found if f)
    raise InvalidInputError(
        describe_rows(
            frame,
            bad_u[col.codes],
            caller=caller,
            problem=f"have a {name} with {describe(cp)} (at position {pos} of the "
            f"first). {rule(pattern)}",
            fix=fix,
        )
    )


def _require_text(
    frame: pd.DataFrame, col: Column, caller: str, problem: str, fix: str
) -> None:
    """QC406 naming the rows whose value is not a non-empty string."""
    ok = np.fromiter(
        (isinstance(v, str) and v != "" for v in col.values),
        dtype=bool,
        count=len(col.values),
    )
    bad = ~ok[col.codes]
    if bad.any():
        raise InvalidInputError(
            describe_rows(frame, bad, caller=caller, problem=problem, fix=fix)
        )


def _check_names(
    frame: pd.DataFrame, cols: Mapping[str, Column], caller: str, fix: str
) -> None:
    for name, col in cols.items():
        problem = f"have no {name} (an empty or non-text value)"
        _require_text(frame, col, caller, problem, fix)


def _transcript_ids(
    s: Session, frame: pd.DataFrame, col: Column, caller: str
) -> tuple[np.ndarray, np.ndarray]:
    transcripts = {
        r[0]: (r[1], r[2]) for r in s.all("SELECT id, tid, n_chars FROM transcripts")
    }
    uniq = col.values[:-1]
    known = np.array([u in transcripts for u in uniq] + [False], dtype=bool)
    bad = ~known[col.codes]
    if bad.any():
        raise StoreError(
            describe_rows(
                frame,
                bad,
                caller=caller,
                problem=f"name transcripts not in {s.path}",
                fix="Add the transcripts first with project.add_transcripts.",
            )
        )
    tid_u = np.array([transcripts[u][0] for u in uniq], dtype=np.int64)
    len_u = np.array([transcripts[u][1] for u in uniq], dtype=np.int64)
    return tid_u[col.codes], len_u[col.codes]


def _offsets(
    frame: pd.DataFrame, length: np.ndarray, caller: str, fix: str
) -> tuple[np.ndarray, np.ndarray]:
    def ints(name: str) -> tuple[np.ndarray, np.ndarray]:
        col = frame[name]
        if pd.api.types.is_integer_dtype(col.dtype) and not col.hasnans:
            return col.to_numpy(np.int64), np.zeros(len(col), dtype=bool)
        return whole_numbers(col)

    start, bad_s = ints("start")
    end, bad_e = ints("end")
    bad = bad_s | bad_e | (start < 0) | (end <= start) | (end > length)
    if bad.any():
        raise OffsetError(
            describe_rows(
                frame,
                bad,
                caller=caller,
                problem="have offsets outside their transcript "
                "(need whole numbers with 0 <= start < end <= length of the text)",
                fix=fix,
            )
        )
    return start, end


def _origin(frame: pd.DataFrame, caller: str, fix: str) -> Column:
    n = len(frame)
    if "origin" not in frame:
        return Column.constant("manual", n)
    col = _factorized(frame, "origin")
    col.values[-1] = "manual"  # missing means manual
    _require_text(frame, col, caller, "have an empty or non-text origin", fix)
    return col


def _memo(frame: pd.DataFrame) -> Column:
    if "memo" not in frame:
        return Column.constant(None, len(frame))
    col = _factorized(frame, "memo")
    col.values[:-1] = [None if jsonable(v) is None else str(v) for v in col.values[:-1]]
    return col


def _created(frame: pd.DataFrame, caller: str, fix: str) -> Column:
    now = now_iso()
    if "created" not in frame:
        return Column.constant(now, len(frame))
    col = _factorized(frame, "created")
    uniq = pd.Series(col.values[:-1], dtype=object)
    ts = pd.to_datetime(uniq, utc=True, errors="coerce")
    bad_u = np.append((ts.isna() & uniq.notna()).to_numpy(), False)
    bad = bad_u[col.codes]
    if bad.any():
        raise InvalidInputError(
            describe_rows(
                frame,
                bad,
                caller=caller,
                problem="have a 'created' value that is not a time",
                fix=fix,
            )
        )
    col.values = object_array([*iso(uniq, len(uniq), now), now])
    return col


def prepare_codings(
    s: Session,
    frame: pd.DataFrame,
    *,
    caller: str,
    check_codes: bool = True,
    new_coder: bool | None = None,
) -> Prepared:
    """Validate a codings frame (vectorised, on unique values); arrays to write."""
    fix = "Fix them and add again."
    names = {c: _factorized(frame, c) for c in ("code", "coder", "transcript_id")}
    _check_names(frame, names, caller, fix)
    for name, col in names.items():
        _check_chars(frame, col, name, NAME_BAD, caller, fix)
    tid, length = _transcript_ids(s, frame, names["transcript_id"], caller)
    start, end = _offsets(frame, length, caller, fix)
    code = names["code"]
    combined, index = code_index(s)
    if combined is not None and check_codes:
        ok = np.array([c in index for c in code.values[:-1]] + [False], dtype=bool)
        bad = ~ok[code.codes]
        if bad.any():
            raise CodebookError(
                describe_rows(
                    frame,
                    bad,
                    caller=caller,
                    problem=f"use codes not in the project's codebook "
                    f"'{combined.name}'",
                    fix="Add the codes to the codebook (project.set_codebook) "
                    "or fix the rows.",
                )
            )
    origin, memo, created = (
        _origin(frame, caller, fix),
        _memo(frame),
        _created(frame, caller, fix),
    )
    _check_chars(frame, origin, "origin", NAME_BAD, caller, fix)
    _check_chars(frame, memo, "memo", MEMO_BAD, caller, fix)
    coder = names["coder"]
    check_new_coders(s, coder.values[:-1], new_coder=new_coder, caller=caller)
    coder_map = coder_ids(s, list(coder.values[:-1]))
    coder_id = np.array([coder_map[c] for c in coder.values[:-1]], dtype=np.int64)[
        coder.codes
    ]
    ver = [index.get(c, (None, None)) for c in code.values]
    return Prepared(
        tid=tid,
        start=start,
        end=end,
        code=code,
        coder_id=coder_id,
        origin=origin,
        memo=memo,
        created=created,
        version=object_array([v[0] for v in ver]),
        hash=object_array([v[1] for v in ver]),
    )


class _Key:
    """The coding key columns as a DataFrame, built only when needed."""

    def __init__(self, p: Prepared) -> None:
        self.p = p
        self._frame: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            p = self.p
            self._frame = pd.DataFrame(
                {
                    "tid": p.tid,
                    "start": p.start,
                    "end": p.end,
                    "code": p.code.codes,
                    "coder_id": p.coder_id,
                }
            )
        return self._frame


def _existing_ids(s: Session, p: Prepared, key: _Key, first: np.ndarray) -> np.ndarray:
    """Stored coding id of each distinct new row (-1 where there is none)."""
    gid = np.full(len(first), -1, dtype=np.int64)
    sub, param = s.dialect.id_set(np.unique(p.tid).tolist())
    # only these coders' codings can match (a batch of one coder on a busy
    # transcript then reads that coder's codings, not everyone's)
    by, coders = s.dialect.id_set(np.unique(p.coder_id).tolist())
    where = f"WHERE tid IN ({sub}) AND coder_id IN ({by})"
    if not s.scalar(f"SELECT count(*) FROM codings {where}", (param, coders)):
        return gid
    rows = s.all(
        f'SELECT tid, start, "end", code, coder_id, coding_id FROM codings {where}',
        (param, coders),
    )
    ex = pd.DataFrame.from_records(
        rows, columns=["tid", "start", "end", "code", "coder_id", "coding_id"]
    )
    code_pos = {c: i for i, c in enumerate(p.code.values[:-1])}
    ex["code"] = ex["code"].map(code_pos)
    ex = ex.dropna(subset=["code"]).astype({"code": np.int64})
    firsts = key.frame.iloc[first].reset_index(drop=True)
    firsts["g"] = np.arange(len(first))
    m = firsts.merge(ex, on=["tid", "start", "end", "code", "coder_id"], how="inner")
    gid[m["g"].to_numpy()] = m["coding_id"].to_numpy(np.int64)
    return gid


_SAFE_LITERAL = re.compile(r"[^\x00-\x1f\x7f-\x9f\ud800-\udfff]*")


def _literal(value: Any) -> str | None:
    """``value`` as an SQL literal when that is safe, else None (bind it)."""
    if value is None:
        return "NULL"
    if isinstance(value, str) and _SAFE_LITERAL.fullmatch(value):
        return "'" + value.replace("'", "''") + "'"
    return None


def _insert_plan(
    p: Prepared, rows: np.ndarray, gids: np.ndarray
) -> tuple[str, list[list[Any]]]:
    """The INSERT (constants as literals) and the per-row parameter columns.

    Binding a value costs per row; columns that hold one value in the whole
    call (origin, memo, created, often the codebook version) are written into
    the statement once instead.
    """
    cc = p.code.codes[rows]
    cols: list[tuple[str, Column | list[Any]]] = [
        ("coding_id", gids.tolist()),
        ("tid", p.tid[rows].tolist()),
        ("start", p.start[rows].tolist()),
        ('"end"', p.end[rows].tolist()),
        ("code", Column(cc, p.code.values)),
        ("coder_id", p.coder_id[rows].tolist()),
        ("origin", Column(p.origin.codes[rows], p.origin.values)),
        ("memo", Column(p.memo.codes[rows], p.memo.values)),
        ("created", Column(p.created.codes[rows], p.created.values)),
        ("codebook_version", Column(cc, p.version)),
        ("codebook_hash", Column(cc, p.hash)),
    ]
    names, marks, params = [], [], []
    for name, col in cols:
        names.append(name)
        if isinstance(col, Column):
            same, value = col.single()
            lit = _literal(value) if same else None
            if lit is not None:
                marks.append(lit)
                continue
            col = col.values[col.codes].tolist()
        marks.append("?")
        params.append(col)
    sql = f"INSERT INTO codings ({', '.join(names)}) VALUES ({', '.join(marks)})"
    return sql, params


def _all_distinct(p: Prepared) -> bool:
    """True when no two rows share (transcript, start, end, code, coder).

    A fast sufficient test: one 64-bit hash of the key per row; distinct
    hashes mean distinct keys (equal hashes send the caller to the exact test).
    """
    with np.errstate(over="ignore"):
        h = p.tid.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for col in (p.start, p.end, p.code.codes, p.coder_id):
            h = (h ^ col.astype(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
    h = np.sort(h.view(np.int64))
    return not bool((h[1:] == h[:-1]).any())


def write_codings(s: Session, p: Prepared) -> list[int]:
    """Insert prepared codings; the coding id of each row, in row order."""
    key = _Key(p)
    if _all_distinct(p):
        group = first = np.arange(len(p.tid))
    else:
        frame = key.frame
        dup = frame.duplicated().to_numpy()
        group = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
        first = np.flatnonzero(~dup)
        # first[g] is the first row of group g (ngroup numbers groups in order)
    gid = _existing_ids(s, p, key, first)
    new = np.flatnonzero(gid < 0)
    base = s.scalar("SELECT coalesce(max(coding_id), 0) FROM codings")
    gid[new] = base + 1 + np.arange(len(new))
    rows_new = first[new]
    for b in range(0, len(rows_new), BATCH):
        sql, params = _insert_plan(p, rows_new[b : b + BATCH], gid[new[b : b + BATCH]])
        s.executemany(sql, zip(*params, strict=True))
        if _on_batch is not None:
            _on_batch(b // BATCH)
    return list(gid[group].tolist())


# --------------------------------------------------------------------------
# reading codings and orphans
# --------------------------------------------------------------------------
_READ_COLS = [
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


def codings_frame(
    s: Session,
    *,
    coder: str | Iterable[str] | None = None,
    code: str | Iterable[str] | None = None,
    transcript_id: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The codings as a CODINGS frame (see ``Project.codings``)."""
    where: list[str] = []
    params: list[Any] = []
    for vals, sql in (
        (
            as_list(coder),
            "coder_id IN (SELECT coder_id FROM coders WHERE name IN ({}))",
        ),
        (as_list(code), "code IN ({})"),
        (
            as_list(transcript_id),
            "tid IN (SELECT tid FROM transcripts WHERE id IN ({}))",
        ),
    ):
        if vals is not None:
            sub, param = s.dialect.id_set(vals)
            where.append(sql.format(sub))
            params.append(param)
    w = ("WHERE " + " AND ".join(where)) if where else ""
    raw = s.dialect.columns(
        s, _READ_COLS, f"SELECT {', '.join(_READ_COLS)} FROM codings {w}", params
    )
    # the transcripts these codings are on, as one parameter
    sub, param = s.dialect.id_set(np.unique(raw["tid"]).tolist())
    tx = s.all(f"SELECT tid, id, text FROM transcripts WHERE tid IN ({sub})", (param,))
    turns = pd.DataFrame.from_records(
        s.all(
            'SELECT tid, turn, start, "end", speaker, role FROM turns '
            f"WHERE tid IN ({sub}) ORDER BY tid, start",
            (param,),
        ),
        columns=["tid", "turn", "start", "end", "speaker", "role"],
    )
    names = dict(s.all("SELECT coder_id, name FROM coders"))
    # all transcripts' attributes: the columns must not depend on which
    # transcripts happen to have codings (an empty result keeps them too)
    attrs = attributes(s, schema=C.CODINGS)
    return _codings_frame(raw, tx, turns, names, attrs)


def _codings_frame(
    raw: dict[str, list],
    tx: list[tuple],
    turns: pd.DataFrame,
    coder_names: Mapping[int, str],
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

    def strs(name: str) -> Any:
        codes, uniq = pd.factorize(objs(name), use_na_sentinel=True)
        return take_strings(list(uniq), codes)

    n = len(coding_id)
    tid, start, end = ints("tid"), ints("start"), ints("end")
    ids = {r[0]: r[1] for r in tx}
    texts = {r[0]: r[2] for r in tx}
    tcodes, tuniq = pd.factorize(tid)
    kcodes, kuniq = pd.factorize(ints("coder_id"))
    pos, ok = turn_lookup(tid, start, turns)
    turn = pd.array(
        turns["turn"].to_numpy(np.int64)[pos] if len(turns) else np.zeros(n, np.int64),
        dtype="Int64",
    )
    turn[~ok] = pd.NA
    data: dict[str, Any] = {
        "coding_id": coding_id,
        "transcript_id": take_strings([ids[t] for t in tuniq], tcodes),
        "start": start,
        "end": end,
        "code": strs("code"),
        "coder": take_strings([coder_names[k] for k in kuniq], kcodes),
        "origin": strs("origin"),
        "memo": strings(objs("memo")),
        "created": parse_time(list(objs("created"))).array,
        "codebook_version": strs("codebook_version"),
        "text": strings(slice_texts(tid, start, end, texts)),
        "turn": turn,
    }
    for col in ("speaker", "role"):
        vals = np.full(n, None, dtype=object)
        if len(turns):
            vals[ok] = turns[col].to_numpy(object)[pos][ok]
        data[col] = strings(vals)
    if len(attrs.columns):
        at = attrs.index.get_indexer(tid)
        for col in attrs.columns:
            data[col] = attrs[col].array.take(at)
    return C.frame(pd.DataFrame(data), C.CODINGS, extra=list(attrs.columns))


def orphans_frame(s: Session) -> pd.DataFrame:
    """The orphaned codings (ORPHANS schema)."""
    rows = s.all(
        'SELECT orphan_id, coding_id, transcript_id, start, "end", code, '
        "coder, origin, memo, created, codebook_version, quote, reason, "
        "old_sha256, new_sha256, orphaned FROM orphans ORDER BY orphan_id"
    )
    df = pd.DataFrame.from_records(rows, columns=C.names(C.ORPHANS))
    for col in ("created", "orphaned"):
        df[col] = parse_time(df[col].tolist())
    return C.frame(df, C.ORPHANS)


# --------------------------------------------------------------------------
# the suggestion-decision log
# --------------------------------------------------------------------------
def log_decisions(
    s: Session, frame: pd.DataFrame, *, caller: str, new_coder: bool | None = None
) -> None:
    """Validate and log accept/reject decisions (inside a write transaction)."""
    # a decision may name any code the tagger knows
    p = prepare_codings(
        s,
        frame.drop(columns=["origin", "created"], errors="ignore"),
        caller=caller,
        check_codes=False,
        new_coder=new_coder,
    )
    n = len(frame)
    now = now_iso()

    def col(name: str) -> list[Any]:
        if name not in frame:
            return [None] * n
        return [None if jsonable(v) is None else v for v in frame[name].astype(object)]

    scores = [None if v is None else float(v) for v in col("score")]
    evidence = [None if v is None else str(v) for v in col("evidence")]
    tagger = [None if v is None else str(v) for v in col("tagger")]
    for what, values, pattern in (
        ("tagger", tagger, NAME_BAD),
        ("evidence", evidence, ANY_BAD),
    ):
        for i, v in enumerate(values):
            check_field(v, pattern, caller=caller, what=what, where=f" of row {i}")
    rows = list(
        zip(
            p.tid.tolist(),
            p.start.tolist(),
            p.end.tolist(),
            p.code.values[p.code.codes].tolist(),
            p.coder_id.tolist(),
            frame["decision"].astype(str).tolist(),
            tagger,
            scores,
            evidence,
            [now] * n,
            strict=True,
        )
    )
    s.executemany(
        'INSERT INTO decisions (tid, start, "end", code, coder_id, decision, '
        "tagger, score, evidence, decided) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def decisions_frame(
    s: Session, *, coder: str | Iterable[str] | None, include_stale: bool
) -> pd.DataFrame:
    """The decision log (DECISIONS schema)."""
    where: list[str] = []
    params: list[Any] = []
    names = as_list(coder)
    if names is not None:
        sub, param = s.dialect.id_set(names)
        where.append(f"k.name IN ({sub})")
        params.append(param)
    if not include_stale:
        where.append("d.stale = 0")
    w = ("WHERE " + " AND ".join(where)) if where else ""
    rows = s.all(
        'SELECT d.decision_id, t.id, d.start, d."end", d.code, k.name, '
        "d.decision, d.tagger, d.score, d.evidence, d.decided FROM decisions d "
        "JOIN transcripts t USING (tid) JOIN coders k USING (coder_id) "
        f"{w} ORDER BY d.decision_id",
        params,
    )
    df = pd.DataFrame.from_records(rows, columns=C.names(C.DECISIONS))
    df["decided"] = parse_time(df["decided"].tolist())
    return C.frame(df, C.DECISIONS)
