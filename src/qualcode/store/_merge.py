"""Merge another coder's project into this one, never overwriting (Project.merge)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode import _columns as C
from qualcode.store._db import now_iso

if TYPE_CHECKING:
    from qualcode.store.project import Project

__all__ = ["merge"]

_KEY = ["tid", "start", "end", "code", "coder"]


def _codebook_ids(content: str) -> set[str]:
    from qualcode.store.project import _codebook_from_yaml

    return {c.id for c in _codebook_from_yaml(content)}


def merge(project: Project, other: Project) -> pd.DataFrame:
    """Merge ``other`` into ``project`` in one write transaction; return the report."""
    report: list[dict[str, Any]] = []

    def add(
        kind: str, transcript: str | None, coder: str | None, count: int, detail: str
    ) -> None:
        report.append(
            {
                "kind": kind,
                "transcript_id": transcript,
                "coder": coder,
                "count": count,
                "detail": detail,
            }
        )

    with other._tx(write=False) as oc:
        o_tx = oc.execute(
            "SELECT tid, id, sha256, attributes FROM transcripts ORDER BY tid"
        ).fetchall()
        o_cb = oc.execute(
            "SELECT name, version, hash, n_codes, content, added, current "
            "FROM codebooks ORDER BY codebook_id"
        ).fetchall()
        o_cod = oc.execute(
            'SELECT c.tid, c.start, c."end", c.code, k.name, c.origin, c.memo, '
            "c.created, c.codebook_version, c.codebook_hash "
            "FROM codings c JOIN coders k USING (coder_id) ORDER BY c.coding_id"
        ).fetchall()
        o_dec = oc.execute(
            'SELECT d.tid, d.start, d."end", d.code, k.name, d.decision, d.tagger, '
            "d.score, d.evidence, d.decided, d.stale "
            "FROM decisions d JOIN coders k USING (coder_id) ORDER BY d.decision_id"
        ).fetchall()

    with project._tx(write=True) as conn:
        now = now_iso()
        # -- transcripts ------------------------------------------------------
        mine = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute("SELECT id, tid, sha256, attributes FROM transcripts")
        }
        by_sha: dict[str, tuple[int, str]] = {}
        for tid_id, (tid, sha, _) in mine.items():
            by_sha.setdefault(sha, (tid, tid_id))
        next_tid = (
            conn.execute("SELECT coalesce(max(tid), 0) FROM transcripts").fetchone()[0]
            + 1
        )
        tmap: dict[int, int] = {}  # other tid -> my tid
        my_id: dict[int, str] = {}  # my tid -> id
        conflict: dict[int, str] = {}  # other tid -> id (codings not merged)
        for otid, oid, osha, oattrs in o_tx:
            if oid in mine:
                tid, sha, attrs = mine[oid]
                if sha != osha:
                    conflict[otid] = oid
                    add(
                        "transcript_conflict",
                        oid,
                        None,
                        1,
                        f"same id, different text (here sha256 {sha[:12]}, "
                        f"theirs {osha[:12]}); its codings were not merged",
                    )
                    continue
                tmap[otid], my_id[tid] = tid, oid
                mine_a, theirs_a = json.loads(attrs), json.loads(oattrs)
                new_keys = {k: v for k, v in theirs_a.items() if k not in mine_a}
                if new_keys:
                    conn.execute(
                        "UPDATE transcripts SET attributes = ?, updated = ? "
                        "WHERE tid = ?",
                        (
                            json.dumps({**mine_a, **new_keys}, ensure_ascii=False),
                            now,
                            tid,
                        ),
                    )
                add(
                    "transcript_matched",
                    oid,
                    None,
                    1,
                    "same text"
                    + (f"; attributes added: {sorted(new_keys)}" if new_keys else ""),
                )
            elif osha in by_sha:
                tid, here = by_sha[osha]
                tmap[otid], my_id[tid] = tid, here
                add(
                    "transcript_matched",
                    here,
                    None,
                    1,
                    f"same text under the id '{oid}' in the other project",
                )
            else:
                t = other._read_transcripts([oid], strict=True)[0]
                project._insert_transcripts(conn, [(next_tid, t)], now)
                tmap[otid], my_id[next_tid] = next_tid, oid
                by_sha[osha] = (next_tid, oid)
                mine[oid] = (next_tid, osha, oattrs)
                next_tid += 1
                add("transcript_added", oid, None, 1, "new transcript")

        # -- codebooks --------------------------------------------------------
        mine_cb = conn.execute(
            "SELECT name, hash, current, content FROM codebooks"
        ).fetchall()
        pairs = {(r[0], r[1]) for r in mine_cb}
        current_names = {r[0] for r in mine_cb if r[2]}
        current_ids: dict[str, set[str]] = {
            r[0]: _codebook_ids(r[3]) for r in mine_cb if r[2]
        }
        for name, version, h, n_codes, content, added, current in o_cb:
            if (name, h) in pairs:
                continue
            pairs.add((name, h))
            make_current = 0
            kind, detail = (
                "codebook_version_added",
                (f"version {version} stored; the current version here is kept"),
            )
            if current and name not in current_names:
                ids = _codebook_ids(content)
                clash = (
                    sorted(ids & set().union(*current_ids.values()))
                    if current_ids
                    else []
                )
                if clash:
                    kind, detail = (
                        "codebook_conflict",
                        (
                            f"version {version} stored but not current: codes "
                            f"{clash[:5]} already belong to another codebook here"
                        ),
                    )
                else:
                    make_current, kind = 1, "codebook_added"
                    detail = f"version {version} is now current here"
                    current_names.add(name)
                    current_ids[name] = ids
            conn.execute(
                "INSERT INTO codebooks (name, version, hash, n_codes, content, added, "
                "current) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name, version, hash) DO NOTHING",
                (name, version, h, n_codes, content, added, make_current),
            )
            add(kind, None, None, 1, f"codebook '{name}': {detail}")
        project._codebook_cache = None
        combined, index = project._code_index(conn)

        # -- codings ----------------------------------------------------------
        cols = [
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
        theirs = pd.DataFrame.from_records(o_cod, columns=cols)
        if len(theirs):
            skipped = theirs[theirs["otid"].isin(list(conflict))]
            for (otid, coder), g in skipped.groupby(["otid", "coder"], sort=True):
                add(
                    "codings_skipped",
                    conflict[otid],
                    coder,
                    len(g),
                    "transcript text differs here (see transcript_conflict)",
                )
            theirs = theirs[theirs["otid"].isin(list(tmap))].copy()
            theirs["tid"] = theirs["otid"].map(tmap).astype("int64")
            theirs["transcript_id"] = theirs["tid"].map(my_id)
            if combined is not None:
                unknown = ~theirs["code"].isin(list(index))
                for (tr, coder), g in theirs[unknown].groupby(
                    ["transcript_id", "coder"], sort=True
                ):
                    add(
                        "code_unknown",
                        tr,
                        coder,
                        len(g),
                        f"codes not in the codebook here: "
                        f"{sorted(g['code'].unique())[:5]}",
                    )
                theirs = theirs[~unknown]
            theirs = theirs.drop_duplicates(subset=_KEY)
            tids = sorted(set(theirs["tid"].tolist()))
            rows: list[tuple] = []
            for i in range(0, len(tids), 500):
                chunk = tids[i : i + 500]
                rows += conn.execute(
                    'SELECT c.tid, c.start, c."end", c.code, k.name, c.memo '
                    "FROM codings c JOIN coders k USING (coder_id) "
                    f"WHERE c.tid IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            here = pd.DataFrame.from_records(rows, columns=[*_KEY, "memo_here"])
            m = theirs.merge(here, on=_KEY, how="left", indicator=True)
            same = m["_merge"] == "both"
            new = m[~same]
            differ = m[same & (m["memo"].fillna("") != m["memo_here"].fillna(""))]
            for kind, part, detail in (
                ("codings_identical", m[same], "already here; not duplicated"),
                (
                    "memo_differs",
                    differ,
                    "identical coding with another memo; the memo here is kept",
                ),
                ("codings_added", new, "merged"),
            ):
                for (tr, coder), g in part.groupby(
                    ["transcript_id", "coder"], sort=True
                ):
                    add(kind, tr, coder, len(g), detail)
            if len(new):
                coder_ids = project._coder_ids(conn, new["coder"].unique().tolist())
                conn.executemany(
                    'INSERT INTO codings (tid, start, "end", code, coder_id, origin, '
                    "memo, created, codebook_version, codebook_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    list(
                        zip(
                            new["tid"].tolist(),
                            new["start"].tolist(),
                            new["end"].tolist(),
                            new["code"].tolist(),
                            new["coder"].map(coder_ids).tolist(),
                            new["origin"].tolist(),
                            [None if pd.isna(v) else v for v in new["memo"]],
                            new["created"].tolist(),
                            [
                                None if pd.isna(v) else v
                                for v in new["codebook_version"]
                            ],
                            [None if pd.isna(v) else v for v in new["codebook_hash"]],
                            strict=True,
                        )
                    ),
                )

        # -- decisions --------------------------------------------------------
        dcols = [
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
        dec = pd.DataFrame.from_records(o_dec, columns=dcols)
        dec = dec[dec["otid"].isin(list(tmap))].copy()
        if len(dec):
            dec["tid"] = dec["otid"].map(tmap).astype("int64")
            dkey = ["tid", "start", "end", "code", "coder", "decision", "decided"]
            here_d = pd.DataFrame.from_records(
                conn.execute(
                    'SELECT d.tid, d.start, d."end", d.code, k.name, d.decision, '
                    "d.decided "
                    "FROM decisions d JOIN coders k USING (coder_id)"
                ).fetchall(),
                columns=dkey,
            )
            dm = dec.merge(here_d, on=dkey, how="left", indicator=True)
            dnew = dm[dm["_merge"] == "left_only"]
            if len(dnew):
                coder_ids = project._coder_ids(conn, dnew["coder"].unique().tolist())
                conn.executemany(
                    'INSERT INTO decisions (tid, start, "end", code, coder_id, '
                    "decision, tagger, score, evidence, decided, stale) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            r.tid,
                            r.start,
                            r.end,
                            r.code,
                            coder_ids[r.coder],
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
                    add("decisions_added", None, coder, len(g), "suggestion decisions")
    return C.frame(report, C.MERGE_REPORT)
