"""Command-line overhead: start-up, and each subcommand against the library it wraps.

Run: ``.venv/bin/python benchmarks/bench_cli.py``. Prints figures; asserts nothing.

1. Start-up (subprocess, best of 5): ``python -c pass`` (baseline), ``import qualcode``,
   ``qualcode --version`` and ``qualcode --help`` (the parser is built before parsing).
2. In-process, best of 3, on the demo project: ``qualcode.cli.main([...])`` against the
   same work done directly with the public API in the same run (ratio = CLI / library).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"
BOOKS = [ROOT / "codebooks" / f"{n}.yaml" for n in ("roles", "harms", "culture")]
PY = sys.executable
CONSOLE = str(Path(PY).parent / "qualcode")


def best(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def quiet_main(argv: list[str]) -> None:
    from qualcode.cli import main

    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        code = main(argv)
    assert code == 0, argv


def startup() -> None:
    print("start-up (subprocess wall s, best of 5)")
    cases = {
        "python -c pass (baseline)": [PY, "-c", "pass"],
        "python -c 'import qualcode'": [PY, "-c", "import qualcode"],
        "qualcode --version": [CONSOLE, "--version"],
        "qualcode --help": [CONSOLE, "--help"],
    }
    base = None
    for name, cmd in cases.items():
        t = best(
            lambda cmd=cmd: subprocess.run(cmd, capture_output=True, check=True), 5
        )
        base = base or t
        print(f"  {name:<32} {t:6.3f}  x{t / base:5.1f}")


def commands() -> None:
    import pandas as pd

    import qualcode as qc
    from qualcode.datasets.demo import demo_codings

    tmp = Path(tempfile.mkdtemp())
    proj = tmp / "demo.qcproj"
    corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
    with qc.Project(proj) as p:
        for b in BOOKS:
            p.set_codebook(qc.Codebook.load(b))
        p.add_transcripts(corpus)
        p.add_codings(demo_codings(corpus))
    qc.suggest(
        corpus, qc.Codebook.load(BOOKS[2])
    )  # load spaCy once, outside the timings

    def lib_validate() -> None:
        books = [qc.Codebook.load(b) for b in BOOKS]
        qc.Codebook.combine(*books)

    def lib_suggest() -> None:
        with qc.Project(proj) as p:
            s = qc.suggest(p, qc.Codebook.load(BOOKS[2]))
        s.assign(decision="").to_csv(
            tmp / "s_lib.csv", index=False, encoding="utf-8-sig"
        )

    def lib_agreement() -> None:
        with qc.Project(proj) as p:
            t = qc.agreement_table(p, coders=["AB", "CD"], unit="turn", n_boot=200)
        t.to_csv(tmp / "a_lib.csv", index=False)

    def lib_export() -> None:
        with qc.Project(proj) as p:
            qc.export_extracts(p, tmp / "e_lib.md", codes=["protect"])

    cases = [
        (
            "codebook validate (3 books)",
            lib_validate,
            ["codebook", "validate", *map(str, BOOKS), "-q"],
        ),
        (
            "suggest (culture, sentences)",
            lib_suggest,
            [
                "suggest",
                "-p",
                str(proj),
                "--codebook",
                str(BOOKS[2]),
                "--out",
                str(tmp / "s_cli.csv"),
                "-q",
            ],
        ),
        (
            "agreement (turn, 200 boot)",
            lib_agreement,
            [
                "agreement",
                "-p",
                str(proj),
                "--coders",
                "AB",
                "CD",
                "--n-boot",
                "200",
                "--out",
                str(tmp / "a_cli.csv"),
                "-q",
            ],
        ),
        (
            "export .md (protect)",
            lib_export,
            [
                "export",
                "-p",
                str(proj),
                "--code",
                "protect",
                "--out",
                str(tmp / "e_cli.md"),
                "-q",
            ],
        ),
    ]
    print("subcommands in-process (wall s, best of 3): library | CLI | ratio")
    for name, lib, argv in cases:
        t_lib = best(lib, 3)
        t_cli = best(lambda argv=argv: quiet_main(argv), 3)
        print(f"  {name:<32} {t_lib:6.3f} | {t_cli:6.3f} | x{t_cli / t_lib:4.2f}")
    s_lib = pd.read_csv(tmp / "s_lib.csv")
    s_cli = pd.read_csv(tmp / "s_cli.csv")
    print(f"  (same suggestions from both: {s_lib.equals(s_cli)})")


if __name__ == "__main__":
    startup()
    commands()
