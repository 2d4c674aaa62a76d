"""Speed of REFI-QDA import/export and quote-bank writers (prints figures).

Baselines are measured in the same run:
- qdpx import: unzip + lxml parse of project.qde + decoding the text files (the
  least any reader must do) vs ``read_qdpx_content`` (offset models, scoring,
  mapping, turns).
- quote banks: ``DataFrame.to_csv`` of the codings vs each writer.

Run: ``.venv/bin/python benchmarks/bench_export.py``
"""

from __future__ import annotations

import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from lxml import etree

from qualcode.io.qdpx import read_qdpx_content, write_qdpx

ROOT = Path(__file__).resolve().parents[1]
NVIVO = ROOT.parent / "shared/reference/refi/samples/nvivo-win-12.6__oltas0517.qdpx"


def best(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def baseline_read(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        etree.fromstring(z.read("project.qde"))
        for n in z.namelist():
            if n.endswith(".txt"):
                z.read(n).decode("utf-8-sig")


def main() -> None:
    if NVIVO.exists():
        b = best(lambda: baseline_read(NVIVO))
        r = best(lambda: read_qdpx_content(NVIVO))
        print(
            f"NVivo sample (1.2M chars, 303 codings): baseline unzip+parse {b:.3f} s, "
            f"read_qdpx_content {r:.3f} s (x{r / b:.1f})"
        )
    import qualcode as qc
    from qualcode.datasets import demo as demo_data
    from qualcode.datasets import demo_dir

    corpora = demo_dir()
    corpus = qc.read_corpus(
        corpora / "demo", attributes=corpora / "demo" / "attributes.csv"
    )
    tmp = Path(tempfile.mkdtemp())
    p = qc.Project(tmp / "demo.qcproj")
    for name in ("roles", "harms", "culture"):
        p.set_codebook(qc.Codebook.load(corpora.parent / "codebooks" / f"{name}.yaml"))
    p.add_transcripts(corpus)
    p.add_codings(demo_data.demo_codings(corpus))
    codings = p.codings()
    cb = p.codebook
    print(f"demo project: {len(corpus)} transcripts, {len(codings)} codings")
    base = best(lambda: codings.to_csv(tmp / "base.csv"))
    print(f"baseline DataFrame.to_csv {base:.3f} s")
    for suffix in (".csv", ".md", ".html", ".xlsx", ".docx"):
        t = best(
            lambda s=suffix: qc.export_extracts(
                codings, tmp / f"x{s}", codebook=cb, context=0
            ),
            n=1,
        )
        print(f"export_extracts {suffix:<5} (no context) {t:.3f} s (x{t / base:.0f})")
    t = best(lambda: qc.export_extracts(codings, tmp / "c.csv", codebook=cb), n=1)
    print(f"export_extracts .csv with 1-sentence context {t:.3f} s (x{t / base:.0f})")
    w = best(lambda: write_qdpx(p, tmp / "d.qdpx"), n=1)
    wv = best(lambda: write_qdpx(p, tmp / "d.qdpx", validate=True), n=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rd = best(lambda: read_qdpx_content(tmp / "d.qdpx"), n=1)
    print(
        f"write_qdpx {w:.3f} s (with XSD validation {wv:.3f} s); "
        f"read_qdpx_content {rd:.3f} s"
    )
    p.close()


if __name__ == "__main__":
    main()
