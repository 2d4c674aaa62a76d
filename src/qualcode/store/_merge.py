"""Merge another coder's project into this one, never overwriting (Project.merge).

Functions of two sessions: ``other`` is only read, in one snapshot, and ``mine``
is written in one transaction. One function per section: transcripts,
codebooks, codings, decisions; each appends rows to the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from qualcode import _columns as C
from qualcode.store._codebooks import code_index, codebook_from_yaml
from qualcode.store._codings import coder_ids
from qualcode.store._db import Session, now_iso
from qualcode.store._llm import COLUMNS as _LLM_COLS
from qualcode.store._transcripts import insert_transcripts, read_transcripts

__all__ = ["merge"]

_KEY = ["tid", "start", "end", "code", "coder"]
_CODING_COLS = [
    "otid",
    "start",
    "end",
    "code",
    "coder",
    "origin",
    "memo",
    "created",
    "codebook_version",
    "codebook_hash",
]
_LLM_QUOTED = ", ".join(f'"{c}"' for c in _LLM_COLS)
_DECISION_COLS = [
    "otid",
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


def _codebook_ids(content: str) -> set[str]:
    return {c.id for c in codebook_from_yaml(content)}


@dataclass
class _Report:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        kind: str,
        transcript: str | None,
        coder: str | None,
        count: int,
        detail: str,
    ) -> None:
        self.rows.append(
            {
                "kind": kind,
                "transcript_id": transcript,
                "coder": coder,
                "count": count,
                "detail": detail,
            }
        )


@dataclass
class _Theirs:
    """Everything a merge reads from the other project."""

    transcripts: list[tuple]
    codebooks: list[tuple]
    codings: list[tuple]
    decisions: list[tuple]
    llm_calls: list[tuple]


@dataclass
class _TranscriptMap:
    tmap: dict[int, int] = field(default_factory=dict)  # other tid -> my tid
    my_id: dict[int, str] = field(default_factory=dict)  # my tid -> id
    conflict: dict[int, str] = field(default_factory=dict)  # other tid -> id


def _read_other(other: Session) -> _Theirs:
    with other.transaction(write=False):
        return _Theirs(
            transcripts=other.all(
                "SELECT tid, id, sha256, attributes FROM transcripts ORDER BY tid"
            ),
            codebooks=other.all(
                "SELECT name, version, hash, n_codes, content, added, current "
                "FROM codebooks ORDER BY codebook_id"
            ),
            codings=other.all(
                'SELECT c.tid, c.start, c."end", c.code, k.name, c.origin, c.memo, '
                "c.created, c.codebook_version, c.codebook_hash "
                "FROM codings c JOIN coders k USING (coder_id) ORDER BY c.coding_id"
            ),
            decisions=other.all(
                'SELECT d.tid, d.start, d."end", d.code, k.name, d.decision, '
                "d.tagger, d.score, d.evidence, d.decided, d.stale "
                "FROM decisions d JOIN coders k USING (coder_id) "
                "ORDER BY d.decision_id"
            ),
            llm_calls=other.all(
                f"SELECT {_LLM_QUOTED} FROM llm_calls ORDER BY call_id"
            ),
        )


def merge(mine: Session, other: Session) -> pd.DataFrame:
    """Merge ``other`` into ``mine`` in one write transaction; return the report."""
    report = _Report()
    # ONE snapshot of the other project for everything the merge reads from it
    # (its codings and, later, the texts of new transcripts), so a re-import
    # there meanwhile cannot put old offsets on new text.
    with other.transaction(write=False):
        theirs = _read_other(other)
        with mine.transaction(write=True):
            m = _merge_transcripts(mine, other, theirs, report)
            _merge_codebooks(mine, theirs, report)
            _merge_codings(mine, theirs, m, report)
            _merge_decisions(mine, theirs, m, report)
            _merge_llm_calls(mine, theirs, m, report)
    return C.frame(report.rows, C.MERGE_REPORT)


def _merge_transcripts(
    mine: Session, other: Session, theirs: _Theirs, report: _Report
) -> _TranscriptMap:
    now = now_iso()
    here = {
        r[0]: (r[1], r[2], r[3])
        for r in mine.all("SELECT id, tid, sha256, attributes FROM transcripts")
    }
    by_sha: dict[str, tuple[int, str]] = {}
    for tid_id, (tid, sha, _) in here.items():
        by_sha.setdefault(sha, (tid, tid_id))
    next_tid = mine.scalar("SELECT coalesce(max(tid), 0) FROM transcripts") + 1
    m = _TranscriptMap()
    for otid, oid, osha, oattrs in theirs.transcripts:
        if oid in here:
            tid, sha, attrs = here[oid]
            if sha != osha:
                m.conflict[otid] = oid
                report.add(
                    "transcript_conflict",
                    oid,
                    None,
                    1,
                    f"same id, different text (here sha256 {sha[:12]}, "
                    f"theirs {osha[:12]}); its codings were not merged",
                )
                continue
            m.tmap[otid], m.my_id[tid] = tid, oid
            mine_a, theirs_a = json.loads(attrs), json.loads(oattrs)
            new_keys = {k: v for k, v in theirs_a.items() if k not in mine_a}
            if new_keys:
                mine.execute(
                    "UPDATE transcripts SET attributes = ?, updated = ? WHERE tid = ?",
                    (json.dumps({**mine_a, **new_keys}, ensure_ascii=False), now, tid),
                )
            report.add(
                "transcript_matched",
                oid,
                None,
                1,
                "same text"
                + (f"; attributes added: {sorted(new_keys)}" if new_keys else ""),
            )
        elif osha in by_sha:
            tid, mine_id = by_sha[osha]
            m.tmap[otid], m.my_id[tid] = tid, mine_id
            report.add(
                "transcript_matched",
                mine_id,
                None,
                1,
                f"same text under the id '{oid}' in the other project",
            )
        else:
            with other.transaction(write=False):
                t = read_transcripts(other, [oid], strict=True)[0]
            insert_transcripts(mine, [(next_tid, t)], now)
            m.tmap[otid], m.my_id[next_tid] = next_tid, oid
            by_sha[osha] = (next_tid, oid)
            here[oid] = (next_tid, osha, oattrs)
            next_tid += 1
            report.add("transcript_added", oid, None, 1, "new transcript")
    return m


def _merge_codebooks(mine: Session, theirs: _Theirs, report: _Report) -> None:
    mine_cb = mine.all("SELECT name, hash, current, content FROM codebooks")
    pairs = {(r[0], r[1]) for r in mine_cb}
    current_names = {r[0] for r in mine_cb if r[2]}
    current_ids: dict[str, set[str]] = {
        r[0]: _codebook_ids(r[3]) for r in mine_cb if r[2]
    }
    for name, version, h, n_codes, content, added, current in theirs.codebooks:
        if (name, h) in pairs:
            continue
        pairs.add((name, h))
        make_current = 0
        kind = "codebook_version_added"
        detail = f"version {version} stored; the current version here is kept"
        if current and name not in current_names:
            ids = _codebook_ids(content)
            clash = (
                sorted(ids & set().union(*current_ids.values())) if current_ids else []
            )
            if clash:
                kind = "codebook_conflict"
                detail = (
                    f"version {version} stored but not current: codes "
                    f"{clash[:5]} already belong to another codebook here"
                )
            else:
                make_current, kind = 1, "codebook_added"
                detail = f"version {version} is now current here"
                current_names.add(name)
                current_ids[name] = ids
        mine.execute(
            "INSERT INTO codebooks (name, version, hash, n_codes, content, added, "
            "current) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name, version, hash) DO NOTHING",
            (name, version, h, n_codes, content, added, make_current),
        )
        report.add(kind, None, None, 1, f"codebook '{name}': {detail}")
    mine.cache.clear()


def _none(values: Any) -> list[Any]:
    return [None if pd.isna(v) else v for v in values]


def _merge_codings(
    mine: Session, theirs_: _Theirs, m: _TranscriptMap, report: _Report
) -> None:
    theirs = pd.DataFrame.from_records(theirs_.codings, columns=_CODING_COLS)
    if not len(theirs):
        return
    combined, index = code_index(mine)
    skipped = theirs[theirs["otid"].isin(list(m.conflict))]
    for (otid, coder), g in skipped.groupby(["otid", "coder"], sort=True):
        report.add(
            "codings_skipped",
            m.conflict[otid],
            coder,
            len(g),
            "transcript text differs here (see transcript_conflict)",
        )
    theirs = theirs[theirs["otid"].isin(list(m.tmap))].copy()
    theirs["tid"] = theirs["otid"].map(m.tmap).astype("int64")
    theirs["transcript_id"] = theirs["tid"].map(m.my_id)
    if combined is not None:
        unknown = ~theirs["code"].isin(list(index))
        for (tr, coder), g in theirs[unknown].groupby(
            ["transcript_id", "coder"], sort=True
        ):
            report.add(
                "code_unknown",
                tr,
                coder,
                len(g),
                f"codes not in the codebook here: {sorted(g['code'].unique())[:5]}",
            )
        theirs = theirs[~unknown]
    theirs = theirs.drop_duplicates(subset=_KEY)
    sub, param = mine.dialect.id_set(sorted(set(theirs["tid"].tolist())))
    rows = mine.all(
        'SELECT c.tid, c.start, c."end", c.code, k.name, c.memo '
        f"FROM codings c JOIN coders k USING (coder_id) WHERE c.tid IN ({sub})",
        (param,),
    )
    here = pd.DataFrame.from_records(rows, columns=[*_KEY, "memo_here"])
    mm = theirs.merge(here, on=_KEY, how="left", indicator=True)
    same = mm["_merge"] == "both"
    new = mm[~same]
    differ = mm[same & (mm["memo"].fillna("") != mm["memo_here"].fillna(""))]
    for kind, part, detail in (
        ("codings_identical", mm[same], "already here; not duplicated"),
        (
            "memo_differs",
            differ,
            "identical coding with another memo; the memo here is kept",
        ),
        ("codings_added", new, "merged"),
    ):
        for (tr, coder), g in part.groupby(["transcript_id", "coder"], sort=True):
            report.add(kind, tr, coder, len(g), detail)
    if not len(new):
        return
    ids = coder_ids(mine, new["coder"].unique().tolist())
    mine.executemany(
        'INSERT INTO codings (tid, start, "end", code, coder_id, origin, '
        "memo, created, codebook_version, codebook_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(
            zip(
                new["tid"].tolist(),
                new["start"].tolist(),
                new["end"].tolist(),
                new["code"].tolist(),
                new["coder"].map(ids).tolist(),
                new["origin"].tolist(),
                _none(new["memo"]),
                new["created"].tolist(),
                _none(new["codebook_version"]),
                _none(new["codebook_hash"]),
                strict=True,
            )
        ),
    )


def _merge_decisions(
    mine: Session, theirs: _Theirs, m: _TranscriptMap, report: _Report
) -> None:
    dec = pd.DataFrame.from_records(theirs.decisions, columns=_DECISION_COLS)
    dec = dec[dec["otid"].isin(list(m.tmap))].copy()
    if not len(dec):
        return
    dec["tid"] = dec["otid"].map(m.tmap).astype("int64")
    dkey = ["tid", "start", "end", "code", "coder", "decision", "decided"]
    here_d = pd.DataFrame.from_records(
        mine.all(
            'SELECT d.tid, d.start, d."end", d.code, k.name, d.decision, d.decided '
            "FROM decisions d JOIN coders k USING (coder_id)"
        ),
        columns=dkey,
    )
    dm = dec.merge(here_d, on=dkey, how="left", indicator=True)
    dnew = dm[dm["_merge"] == "left_only"]
    if not len(dnew):
        return
    ids = coder_ids(mine, dnew["coder"].unique().tolist())
    mine.executemany(
        'INSERT INTO decisions (tid, start, "end", code, coder_id, '
        "decision, tagger, score, evidence, decided, stale) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.tid,
                r.start,
                r.end,
                r.code,
                ids[r.coder],
                r.decision,
                None if pd.isna(r.tagger) else r.tagger,
                None if pd.isna(r.score) else float(r.score),
                None if pd.isna(r.evidence) else r.evidence,
                r.decided,
                r.stale,
            )
            for r in dnew.itertuples(index=False)
        ],
    )
    for coder, g in dnew.groupby("coder", sort=True):
        report.add("decisions_added", None, coder, len(g), "suggestion decisions")


def _merge_llm_calls(
    mine: Session, theirs: _Theirs, m: _TranscriptMap, report: _Report
) -> None:
    """Bring in the other project's LLM audit trail (and cache) with its codings.

    A call about a merged transcript is copied under that transcript's id here;
    a call about a conflicting transcript is not (its prompt holds the other
    text) and is reported. A call already here (same key, time and status, e.g.
    from an earlier merge) is not copied twice.
    """
    if not theirs.llm_calls:
        return
    otid_of = {oid: otid for otid, oid, _sha, _attrs in theirs.transcripts}
    col = {c: i for i, c in enumerate(_LLM_COLS)}
    here = {tuple(r) for r in mine.all("SELECT key, created, status FROM llm_calls")}
    new: dict[str | None, list[list[Any]]] = {}
    skipped: dict[str, int] = {}
    for row in theirs.llm_calls:
        values = list(row)
        oid = values[col["transcript_id"]]
        if oid is not None:
            otid = otid_of.get(oid)
            if otid is None or otid not in m.tmap:
                skipped[oid] = skipped.get(oid, 0) + 1
                continue
            values[col["transcript_id"]] = m.my_id[m.tmap[otid]]
        ident = tuple(values[col[c]] for c in ("key", "created", "status"))
        if ident in here:
            continue
        here.add(ident)
        new.setdefault(values[col["transcript_id"]], []).append(values)
    for name, n in sorted(skipped.items()):
        report.add(
            "llm_calls_skipped",
            name,
            None,
            n,
            "LLM calls about a transcript not merged (see transcript_conflict)",
        )
    placeholders = ", ".join("?" for _ in _LLM_COLS)
    for tid_id in sorted(new, key=lambda t: (t is None, t or "")):
        rows = new[tid_id]
        mine.executemany(
            f"INSERT INTO llm_calls ({_LLM_QUOTED}) VALUES ({placeholders})", rows
        )
        report.add(
            "llm_calls_added", tid_id, None, len(rows), "LLM audit trail and cache"
        )
