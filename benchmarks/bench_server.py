"""Benchmark a team project on PostgreSQL (issue 19).

1. 1M codings over 1,000 transcripts: ``Project.add_codings`` and
   ``Project.codings()`` on a server project, as ratios to psycopg ``COPY`` of the
   same tuples into a bare table and ``pandas.read_sql`` of that table, on the
   same server in the same run.
2. 8 coder processes at once, each its own login role, each adding 10,000
   codings in batches of 100 and reading its codings every 10 batches: codings
   per second overall, and how many were lost or duplicated (must be 0).

The server is a throw-away one (``tests/pgserver.py``: initdb on a free loopback
port, fsync off), so this measures qualcode and the protocol, not the disk.

Run: ``.venv/bin/python benchmarks/bench_server.py [--codings 1000000]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from bench_store import make_codings, make_transcripts  # noqa: E402

from pgserver import PgServer  # noqa: E402
from qualcode.model import Transcript  # noqa: E402
from qualcode.store import Project, server_add_coder, server_init  # noqa: E402

CODER = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from qualcode.store import Project

    url, coder, n, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    reads = 0
    with Project(url, timeout=120) as p:
        t0 = time.perf_counter()
        for k, b in enumerate(range(0, n, batch)):
            rows = range(b, min(b + batch, n))
            p.add_codings(pd.DataFrame({
                "transcript_id": [f"t{i % 50}" for i in rows],
                "start": [i // 50 % 5000 for i in rows],
                "end": [i // 50 % 5000 + 1 + i // 250000 for i in rows],
                "code": "c", "coder": coder,
            }), new_coder=True)
            if k % 10 == 9:
                reads += len(p.codings(coder=coder))
        print(time.perf_counter() - t0, reads)
    """
)


def timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def bulk(server: PgServer, ts: list[Transcript], frame: pd.DataFrame) -> dict:
    import psycopg

    url = server.createdb(f"bulk_{time.time_ns()}")
    out: dict[str, float] = {}
    with Project(url) as p:
        p.add_transcripts(ts)
        ids, out["add_codings"], out["cpu_add_codings"] = timed(
            lambda: p.add_codings(frame)
        )
        df, out["codings"], out["cpu_codings"] = timed(p.codings)
        assert len(ids) == len(frame) == len(df)
        del df
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
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            'CREATE TABLE bare (transcript_id TEXT, start INTEGER, "end" INTEGER,'
            " code TEXT, coder TEXT)"
        )

        def copy():
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy(
                    'COPY bare (transcript_id, start, "end", code, coder) FROM STDIN'
                ) as cp:
                    for row in tuples:
                        cp.write_row(row)

        _, out["copy"], out["cpu_copy"] = timed(copy)
        with warnings.catch_warnings():  # pandas prefers SQLAlchemy; plain DB-API
            warnings.simplefilter("ignore", UserWarning)
            bare, out["read_sql"], out["cpu_read_sql"] = timed(
                lambda: pd.read_sql("SELECT * FROM bare", conn)
            )
        assert len(bare) == len(frame)
    return out


def concurrent(server: PgServer, coders: int, n: int, batch: int) -> dict:
    db = f"team_{time.time_ns()}"
    url = server.createdb(db)
    server_init(url)
    with Project(url) as p:
        # 50 interviews, every coder coding all of them (so they meet on each)
        p.add_transcripts(
            [Transcript(f"t{k}", "We divert people. " * 400) for k in range(50)]
        )
    names = [f"coder{i}_{db}" for i in range(coders)]
    for name in names:
        server_add_coder(url, name)
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CODER,
                server.url(name, db),
                name,
                str(n),
                str(batch),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    errors = 0
    inner = []
    for proc in procs:
        so, se = proc.communicate(timeout=3600)
        if proc.returncode:
            errors += 1
            print(se[-1500:], file=sys.stderr)
        else:
            inner.append(float(so.split()[0]))
    wall = time.perf_counter() - t0
    with Project(url) as p:
        df = p.codings()
    key = ["transcript_id", "start", "end", "code", "coder"]
    return {
        "wall": wall,
        "coding_wall": max(inner) if inner else float("nan"),
        "stored": len(df),
        "expected": coders * n,
        "duplicates": int(df.duplicated(key).sum()),
        "errors": errors,
    }


def _report(b: dict, n_transcripts: int, n: int) -> None:
    print(f"{n_transcripts} transcripts, {n:,} codings on PostgreSQL")
    print(
        f"add_codings: {b['add_codings']:6.2f} s ({n / b['add_codings']:,.0f}/s);"
        f" COPY {b['copy']:5.2f} s -> ratio {b['add_codings'] / b['copy']:.1f}x"
        f" (CPU {b['cpu_add_codings']:.2f} vs {b['cpu_copy']:.2f} s)"
    )
    print(
        f"codings():   {b['codings']:6.2f} s ({n / b['codings']:,.0f}/s);"
        f" read_sql {b['read_sql']:5.2f} s -> ratio "
        f"{b['codings'] / b['read_sql']:.1f}x"
        f" (CPU {b['cpu_codings']:.2f} vs {b['cpu_read_sql']:.2f} s)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--codings", type=int, default=1_000_000)
    ap.add_argument("--transcripts", type=int, default=1_000)
    ap.add_argument("--turns", type=int, default=40)
    ap.add_argument("--coders", type=int, default=8)
    ap.add_argument("--per-coder", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--skip-bulk", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    ts = make_transcripts(args.transcripts, args.turns, rng)
    frame = make_codings(ts, args.codings if not args.skip_bulk else 10, rng)
    server = PgServer().start()
    try:
        n = len(frame)
        b = bulk(server, ts, frame) if not args.skip_bulk else None
        if b is not None:
            _report(b, len(ts), n)
        c = concurrent(server, args.coders, args.per_coder, args.batch)
        lost = c["expected"] - c["stored"] + c["duplicates"]
        print(
            f"{args.coders} coders x {args.per_coder:,} in batches of {args.batch}: "
            f"{c['stored']:,} stored of {c['expected']:,} ({lost} lost, "
            f"{c['duplicates']} duplicates, {c['errors']} failed processes); "
            f"{c['expected'] / c['coding_wall']:,.0f} codings/s while coding "
            f"({c['coding_wall']:.1f} s), {c['wall']:.1f} s with process start"
        )
    finally:
        server.close()


if __name__ == "__main__":
    main()
