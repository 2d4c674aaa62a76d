"""Benchmark pseudonymisation and the leak check on a synthetic corpus.

Corpus: fictional interview transcripts (about ``--words`` words in all) with
names, places and identifiers sprinkled in; key: ``--key`` entries (one- and
two-word names, a few with titles). Times, each against a baseline measured in
the same run:

- ``pseudonymise(corpus, key, detectors=())`` and with the six default detectors,
  against the naive approach: one case-insensitive alternation regex of all
  originals (longest first, ``\\b`` boundaries) run with ``re.sub`` over every text
  (no possessives, no offsets, no turns, no report);
- ``pseudonymise(project, key)`` on a project holding the corpus and
  ``--codings`` codings (remap, one transaction, WAL checkpoint and VACUUM),
  against ``add_transcripts`` of the same corpus into a fresh project;
- ``check_leaks`` on a Markdown and an .xlsx quote bank of the pseudonymised
  codings, against the naive regex's ``finditer`` over the same Markdown text.

Run: ``.venv/bin/python benchmarks/bench_anonymise.py [--words 1000000]``
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from qualcode.anonymise import PseudonymKey, check_leaks, pseudonymise
from qualcode.corpus import Corpus
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

WORDS = (
    "we divert people who use drugs into treatment services county lines exploit "
    "children arrests alone do not stop the harm safeguarding first partnership "
    "naloxone custody referral the estate team officer said it was"
).split()
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Mark",
    "Joanne",
    "Claire",
    "Raj",
    "Gemma",
    "Lee",
]
LAST = [
    "Marsh",
    "Okafor",
    "Lowther",
    "Reddy",
    "Tierney",
    "Fenn",
    "Pike",
    "Ashworth",
    "Pellow",
    "Chandran",
]
EXTRA = [
    "PC 1234",
    "07700 900461",
    "NV4 7QT",
    "born on 3 March 1990",
    "jo.bloggs@example.org",
    "NV19 QZX",
]


def make_key(n: int) -> tuple[PseudonymKey, list[str]]:
    originals: list[str] = []
    for i in range(n):
        f, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        suffix = "" if i < 100 else f"{i}"
        originals.append(f"{f} {last}{suffix}" if i % 3 else f"{last}{suffix}")
    originals = list(dict.fromkeys(originals))
    key = PseudonymKey([(o, f"Person {i}", "person") for i, o in enumerate(originals)])
    return key, originals


def make_corpus(words: int, originals: list[str], rng: np.random.Generator) -> Corpus:
    out, total, k = [], 0, 0
    while total < words:
        drafts = []
        for j in range(60):
            w = list(rng.choice(WORDS, size=int(rng.integers(15, 40))))
            for _ in range(int(rng.integers(0, 3))):
                w.insert(
                    int(rng.integers(0, len(w))),
                    str(rng.choice(originals)) + ("'s" if rng.random() < 0.2 else ""),
                )
            if rng.random() < 0.05:
                w.insert(int(rng.integers(0, len(w))), str(rng.choice(EXTRA)))
            total += len(w)
            drafts.append(
                TurnDraft(
                    " ".join(w) + ".",
                    "Interviewer" if j % 2 == 0 else "P1",
                    "interviewer" if j % 2 == 0 else "participant",
                )
            )
        out.append(Transcript.build(f"int{k:04d}", drafts))
        k += 1
    return Corpus(out)


def naive_regex(originals: list[str]) -> re.Pattern[str]:
    alts = sorted(originals, key=len, reverse=True)
    return re.compile(
        r"\b(?:" + "|".join(re.escape(o) for o in alts) + r")\b", re.IGNORECASE
    )


def timed(fn, *a, **kw):
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--key", type=int, default=200)
    ap.add_argument("--codings", type=int, default=50_000)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    key, originals = make_key(args.key)
    corpus = make_corpus(args.words, originals, rng)
    n_words = sum(len(t.text.split()) for t in corpus)
    n_chars = sum(len(t.text) for t in corpus)
    print(
        f"corpus: {len(corpus)} transcripts, {n_words:,} words, {n_chars:,} chars; "
        f"key {len(key)} entries"
    )

    rx = naive_regex(originals)
    _, t_base = timed(lambda: [rx.sub("X", t.text) for t in corpus])
    print(
        f"baseline naive re.sub (key only): {t_base:.2f} s "
        f"({n_words / t_base:,.0f} words/s)"
    )
    res, t_key = timed(pseudonymise, corpus, key, detectors=())
    print(
        f"pseudonymise key only:            {t_key:.2f} s "
        f"({n_words / t_key:,.0f} words/s), x{t_key / t_base:.1f} baseline; "
        f"{res.summary['replacements']:,} replacements"
    )
    res, t_all = timed(pseudonymise, corpus, key)
    print(
        f"pseudonymise key + 6 detectors:   {t_all:.2f} s "
        f"({n_words / t_all:,.0f} words/s), x{t_all / t_base:.1f} baseline; "
        f"{res.summary['replacements']:,} replacements"
    )

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        rows = []
        per = max(1, args.codings // len(corpus))
        for t in corpus:
            for u in t.turns[1::2][:per]:
                rows.append(
                    {
                        "transcript_id": t.id,
                        "start": u.start,
                        "end": u.end,
                        "code": "c",
                        "coder": "AB",
                        "memo": None,
                    }
                )
        codings = pd.DataFrame(rows[: args.codings])
        with Project(folder / "base.qcproj") as p:
            _, t_add = timed(p.add_transcripts, corpus)
        with Project(folder / "p.qcproj") as p:
            p.add_transcripts(corpus)
            p.add_codings(codings)
            r, t_proj = timed(pseudonymise, p, key)
            print(f"baseline add_transcripts:         {t_add:.2f} s")
            print(
                f"pseudonymise project ({len(codings):,} codings, VACUUM): "
                f"{t_proj:.2f} s, x{t_proj / t_add:.1f} baseline; "
                f"merged {r.summary['codings_merged']}"
            )
            from qualcode.export import export_extracts

            sample = p.codings().head(5_000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                md = export_extracts(sample, folder / "x.md", context=0)
                xlsx = export_extracts(sample, folder / "x.xlsx", context=0)
            text = md.read_text(encoding="utf-8")
            _, t_scan_base = timed(lambda: list(rx.finditer(text)))
            leaks, t_md = timed(check_leaks, md, key)
            print(
                f"baseline naive finditer on md ({len(text):,} chars): "
                f"{t_scan_base:.3f} s"
            )
            print(
                f"check_leaks md:   {t_md:.3f} s, x{t_md / t_scan_base:.1f} baseline; "
                f"{len(leaks)} leaks"
            )
            leaks, t_x = timed(check_leaks, xlsx, key)
            print(
                f"check_leaks xlsx: {t_x:.3f} s, x{t_x / t_scan_base:.1f} baseline; "
                f"{len(leaks)} leaks"
            )
            leaks, t_p = timed(check_leaks, p, key)
            size = (folder / "p.qcproj").stat().st_size
            print(
                f"check_leaks project ({size / 1e6:.1f} MB, tables + raw bytes): "
                f"{t_p:.2f} s; {len(leaks)} leaks"
            )


if __name__ == "__main__":
    main()
