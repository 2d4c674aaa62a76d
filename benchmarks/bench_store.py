"""Benchmark the project store: 1M codings over 1,000 transcripts.

Times ``Project.add_codings`` (validate + insert, one transaction) and
``Project.codings()`` (load back to the full CODINGS DataFrame with text slices,
turn/speaker/role and attributes), against a same-run baseline: a raw
``executemany`` of the same tuples into a bare SQLite table (no constraints, no
index, one transaction) and ``pandas.read_sql`` of that bare table.

Run: ``.venv/bin/python benchmarks/bench_store.py [--codings 1000000]``
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

WORDS = (
    "we divert people who use drugs into treatment services county lines "
    "exploit children arrests alone do not stop the harm safeguarding first "
    "partnership naloxone custody referral"
).split()


def make_transcripts(n: int, turns: int, rng: np.random.Generator) -> list[Transcript]:
    out = []
    for k in range(n):
        drafts = []
        for j in range(turns):
            words = rng.choice(WORDS, size=int(rng.integers(15, 45)))
            speaker, role = (
                ("Interviewer", "interviewer")
                if j % 2 == 0
                else (f"P{k}", "participant")
            )
            drafts.append(TurnDraft(" ".join(words).capitalize() + ".", speaker, role))
        out.append(
            Transcript.build(
                f"int{k:04d}",
                drafts,
                attributes={
                    "organisation": f"Force {k % 7}",
                    "role": "officer",
                    "rank_band": ["constable", "inspector", "superintendent"][k % 3],
                },
            )
        )
    return out


def make_codings(
    ts: list[Transcript], n: int, rng: np.random.Generator
) -> pd.DataFrame:
    per = n // len(ts)
    frames = []
    codes = np.array([f"code{i:02d}" for i in range(30)], dtype=object)
    coders = np.array(["ana", "ben", "cat"], dtype=object)
    for t in ts:
        turn = rng.integers(0, len(t.turns), size=per)
        st = np.array([u.start for u in t.turns])[turn]
        en = np.array([u.end for u in t.turns])[turn]
        s = st + rng.integers(0, 20, size=per)
        e = np.minimum(en, s + rng.integers(5, 120, size=per))
        frames.append(
            pd.DataFrame(
                {
                    "transcript_id": t.id,
                    "start": s,
                    "end": e,
                    "code": codes[rng.integers(0, len(codes), size=per)],
                    "coder": coders[rng.integers(0, len(coders), size=per)],
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    return df.drop_duplicates(
        ["transcript_id", "start", "end", "code", "coder"], ignore_index=True
    )


CPU: dict[str, float] = {}


def timed(fn, label: str | None = None):
    """Run ``fn``; return (result, wall seconds) and keep its CPU seconds."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    if label:
        CPU[label] = time.process_time() - c0
    return out, time.perf_counter() - t0


def run_once(ts: list[Transcript], frame: pd.DataFrame) -> dict[str, float]:
    """One full measurement in a fresh folder; returns seconds per step."""
    n = len(frame)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        p = Project(d / "bench.qcproj")
        _, out["add_transcripts"] = timed(lambda: p.add_transcripts(ts))
        ids, out["add_codings"] = timed(lambda: p.add_codings(frame), "add_codings")
        df, out["codings"] = timed(p.codings, "codings")
        assert len(ids) == n and len(df) == n
        sample = df.sample(1000, random_state=1)
        texts = {t.id: t.text for t in ts}
        assert all(
            r.text == texts[r.transcript_id][r.start : r.end]
            for r in sample.itertuples()
        )
        del df
        _, out["codings_filtered"] = timed(lambda: p.codings(coder="ana"))
        p.close()
        out["size_mb"] = (d / "bench.qcproj").stat().st_size / 1e6

        # baseline: the same tuples into a bare table, one transaction, then read_sql
        con = sqlite3.connect(d / "bare.db", isolation_level=None)
        con.execute(
            'CREATE TABLE bare (transcript_id TEXT, start INTEGER, "end" INTEGER,'
            " code TEXT, coder TEXT)"
        )
        tuples = list(
            zip(
                frame["transcript_id"].tolist(),
                frame["start"].tolist(),
                frame["end"].tolist(),
                frame["code"].tolist(),
                frame["coder"].tolist(),
                strict=True,
            )
        )

        def raw_insert():
            con.execute("BEGIN")
            con.executemany("INSERT INTO bare VALUES (?, ?, ?, ?, ?)", tuples)
            con.execute("COMMIT")

        _, out["bare_insert"] = timed(raw_insert, "bare_insert")
        bare, out["bare_read_sql"] = timed(
            lambda: pd.read_sql("SELECT * FROM bare", con), "bare_read_sql"
        )
        assert len(bare) == n
        con.close()
    out.update({f"cpu_{k}": v for k, v in CPU.items()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--codings", type=int, default=1_000_000)
    ap.add_argument("--transcripts", type=int, default=1_000)
    ap.add_argument("--turns", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    ts = make_transcripts(args.transcripts, args.turns, rng)
    frame = make_codings(ts, args.codings, rng)
    n = len(frame)
    chars = sum(len(t.text) for t in ts)
    print(
        f"{len(ts)} transcripts, {chars / 1e6:.1f}M characters, {n:,} codings; "
        f"median of {args.repeat} runs"
    )
    runs = [run_once(ts, frame) for _ in range(args.repeat)]
    med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
    for k in med:
        print(f"  {k:18s} " + "  ".join(f"{r[k]:7.2f}" for r in runs))
    print(f"add_transcripts ({len(ts)}):     {med['add_transcripts']:6.2f} s")
    print(
        f"add_codings ({n:,}):        {med['add_codings']:6.2f} s  "
        f"({n / med['add_codings']:,.0f} rows/s)"
    )
    print(
        f"  baseline raw executemany:   {med['bare_insert']:6.2f} s  "
        f"-> ratio {med['add_codings'] / med['bare_insert']:.1f}x"
    )
    print(
        f"codings() load ({n:,}):     {med['codings']:6.2f} s  "
        f"({n / med['codings']:,.0f} rows/s)"
    )
    print(
        f"  baseline pd.read_sql bare:  {med['bare_read_sql']:6.2f} s  "
        f"-> ratio {med['codings'] / med['bare_read_sql']:.1f}x"
    )
    print(
        "CPU seconds (less sensitive to other load): "
        f"add_codings {med['cpu_add_codings']:.2f} vs bare insert "
        f"{med['cpu_bare_insert']:.2f} "
        f"({med['cpu_add_codings'] / med['cpu_bare_insert']:.1f}x); "
        f"codings() {med['cpu_codings']:.2f} vs read_sql "
        f"{med['cpu_bare_read_sql']:.2f} "
        f"({med['cpu_codings'] / med['cpu_bare_read_sql']:.1f}x)"
    )
    print(f"codings(coder='ana'):         {med['codings_filtered']:6.2f} s")
    print(f"project file size:            {med['size_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
