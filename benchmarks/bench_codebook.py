"""Codebook loading, validation, combining, rendering and REFI .qdc exchange.

Prints wall times (best of N) and ratios against baselines measured in the same run:
``yaml.safe_load`` of the same file (no validation, no dataclasses) and a plain
``lxml`` parse of the written ``.qdc``.

Run: .venv/bin/python benchmarks/bench_codebook.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOKS = [ROOT / "codebooks" / f"{n}.yaml" for n in ("roles", "harms", "culture")]


def best(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    import yaml
    from lxml import etree

    from qualcode.codebook import Codebook, _token_pattern_errors

    # cold start: a fresh interpreter loading one codebook
    # (spaCy is imported for the pattern checks)
    code = (
        "import time; t=time.perf_counter(); from qualcode import Codebook; "
        f"Codebook.load({str(BOOKS[0])!r}); print(time.perf_counter()-t)"
    )
    cold = float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    base_code = (
        "import time; t=time.perf_counter(); import yaml; "
        f"yaml.safe_load(open({str(BOOKS[0])!r}).read()); print(time.perf_counter()-t)"
    )
    cold_base = float(
        subprocess.run(
            [sys.executable, "-c", base_code],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    print(
        f"cold start, roles.yaml: Codebook.load {cold:.2f} s "
        f"vs yaml.safe_load {cold_base:.3f} s"
    )

    texts = [p.read_text(encoding="utf-8") for p in BOOKS]
    n_codes = 0
    n_patterns = 0
    for p in BOOKS:
        cb = Codebook.load(p)
        n_codes += len(cb)
        n_patterns += sum(len(c.patterns) for c in cb)
    print(f"three study codebooks: {n_codes} codes, {n_patterns} patterns")

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base = best(lambda: [yaml.load(t, Loader=loader) for t in texts])  # noqa: S506

    def load_uncached():
        _token_pattern_errors.cache_clear()
        for p in BOOKS:
            Codebook.load(p)

    unc = best(load_uncached)
    warm = best(lambda: [Codebook.load(p) for p in BOOKS])
    print(f"yaml.load x3, same loader (baseline)      {base:.3f} s")
    print(f"Codebook.load x3, pattern cache cleared   {unc:.3f} s  (x{unc / base:.1f})")
    print(
        f"Codebook.load x3, pattern checks cached   {warm:.3f} s  (x{warm / base:.1f})"
    )

    books = [Codebook.load(p) for p in BOOKS]
    comb = best(lambda: Codebook.combine(*books))
    study = Codebook.combine(*books)
    print(f"Codebook.combine (3 -> {len(study)} codes)     {comb:.4f} s")
    md = best(lambda: study.to_markdown())
    html = best(lambda: study.to_html())
    print(f"to_markdown {md:.3f} s, to_html {html:.3f} s")

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "study.qdc"
        wr = best(lambda: study.save(out), n=3)
        data = out.read_bytes()
        parse = best(lambda: etree.fromstring(data))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rd = best(lambda: Codebook.load(out), n=3)
        print(
            f".qdc write incl. XSD validation {wr:.3f} s ({len(data) / 1024:.0f} KiB)"
        )
        print(
            f".qdc read incl. XSD check + rebuild {rd:.3f} s vs bare lxml parse "
            f"{parse:.4f} s (x{rd / parse:.0f})"
        )


if __name__ == "__main__":
    main()
