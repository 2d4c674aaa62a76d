"""Benchmark the agreement module; figures go to benchmarks/RESULTS.md ("## Agreement").

1. Nominal Krippendorff's alpha on 3 coders x 1,000,000 units x 20 categories (5% of
   cells missing), against the ``krippendorff`` package in the same run (same data,
   same result to 1e-9); the ratio is printed.
2. ``agreement_table`` on 44 synthetic transcripts x 2 coders x 100 codes at sentence
   and character level (1000 bootstrap replicates), in a temporary Project.

Run: ``.venv/bin/python benchmarks/bench_agreement.py [--units 1000000]``
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import qualcode as qc
from qualcode import agreement as ag
from qualcode.model import Transcript, TurnDraft

WORDS = (
    "we arrest dealers county lines exploit children officers divert users into "
    "treatment naloxone saves lives the partnership works with health services and "
    "schools to prevent harm enforcement alone does not stop supply"
).split()


def best_of(fn, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_alpha(n_units: int) -> None:
    import krippendorff

    rng = np.random.default_rng(0)
    truth = rng.integers(1, 21, size=n_units)
    data = np.repeat(truth[:, None], 3, axis=1).astype(float)
    noise = rng.random(data.shape) < 0.3
    data[noise] = rng.integers(1, 21, size=int(noise.sum()))
    data[rng.random(data.shape) < 0.05] = np.nan
    ours_t, ours = best_of(lambda: ag.krippendorff_alpha(data, level="nominal"))
    theirs_t, theirs = best_of(
        lambda: krippendorff.alpha(
            reliability_data=data.T, level_of_measurement="nominal"
        ),
        repeat=1,
    )
    assert abs(ours - theirs) < 1e-9, (ours, theirs)
    print(
        f"nominal alpha, 3 coders x {n_units:,} units x 20 categories: "
        f"qualcode {ours_t:.3f} s, krippendorff {theirs_t:.3f} s, "
        f"ratio krippendorff/qualcode = {theirs_t / ours_t:.1f}x (alpha {ours:.6f})"
    )


def synthetic_project(path: Path, n_transcripts=44, n_codes=100, seed=0):
    rng = np.random.default_rng(seed)
    transcripts = []
    for t in range(n_transcripts):
        drafts = []
        for _ in range(30):
            drafts.append(
                TurnDraft(
                    "So what happens next in your area?", "Interviewer", "interviewer"
                )
            )
            sents = []
            for _ in range(int(rng.integers(2, 6))):
                words = rng.choice(WORDS, size=int(rng.integers(6, 18)))
                sents.append(" ".join(words).capitalize() + ".")
            drafts.append(TurnDraft(" ".join(sents), f"P{t}", "participant"))
        transcripts.append(Transcript.build(f"T{t:02d}", drafts))
    codes = [f"code{c:03d}" for c in range(n_codes)]
    rows = []
    for tr in transcripts:
        turns = [u for u in tr.turns if u.role == "participant"]
        for _ in range(150):
            turn = turns[int(rng.integers(len(turns)))]
            a = int(rng.integers(turn.start, turn.end - 5))
            b = int(min(turn.end, a + rng.integers(20, 200)))
            code = codes[int(rng.zipf(1.6) % n_codes)]
            rows.append((tr.id, a, b, code, "AB"))
            r = rng.random()
            if r < 0.7:  # CD agrees, boundaries jittered
                a2 = int(np.clip(a + rng.integers(-15, 15), turn.start, b - 1))
                b2 = int(np.clip(b + rng.integers(-15, 15), a2 + 1, turn.end))
                rows.append((tr.id, a2, b2, code, "CD"))
            elif r < 0.85:  # CD uses another code
                rows.append((tr.id, a, b, codes[int(rng.integers(n_codes))], "CD"))
    frame = pd.DataFrame(
        rows, columns=["transcript_id", "start", "end", "code", "coder"]
    )
    frame = frame.drop_duplicates(["transcript_id", "start", "end", "code", "coder"])
    project = qc.Project(path)
    project.add_transcripts(transcripts)
    project.add_codings(frame)
    return project, len(frame), sum(len(t.text) for t in transcripts)


def bench_table() -> None:
    from qualcode._nlp import load_nlp

    load_nlp()  # warm the pipeline cache, as in a notebook session
    with tempfile.TemporaryDirectory() as tmp:
        project, n_codings, n_chars = synthetic_project(Path(tmp) / "bench.qcproj")
        with project:
            for unit in ("sentence", "character", "turn"):
                t, table = best_of(
                    lambda unit=unit: ag.agreement_table(
                        project, coders=["AB", "CD"], unit=unit, n_boot=1000, seed=0
                    ),
                    repeat=2,
                )
                pooled = table[table["code"] == "(pooled)"].iloc[0]
                k, lo, hi = (
                    pooled[c]
                    for c in (
                        "cohen_kappa",
                        "cohen_kappa_ci_low",
                        "cohen_kappa_ci_high",
                    )
                )
                print(
                    f"agreement_table unit={unit}: {t:.2f} s for 44 transcripts "
                    f"({n_chars:,} chars), 2 coders, {len(table) - 1} codes, "
                    f"{n_codings:,} codings, {int(pooled['n_units']):,} units, "
                    f"n_boot=1000 (pooled kappa {k:.3f} [{lo:.3f}, {hi:.3f}])"
                )
            from qualcode._nlp import units

            t, _ = best_of(
                lambda: units(
                    list(project.iter_transcripts()), "sentence", roles=("participant",)
                ),
                repeat=2,
            )
            print(
                f"  of which sentence units with spaCy (shared with tagging): {t:.2f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--skip-alpha", action="store_true")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}"
    )
    if not args.skip_alpha:
        bench_alpha(args.units)
    bench_table()


if __name__ == "__main__":
    main()
