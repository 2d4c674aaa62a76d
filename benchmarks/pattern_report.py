"""Each study codebook pattern's hits and precision on the demo corpus.

Run: ``.venv/bin/python benchmarks/pattern_report.py [--write]``

For every pattern of ``codebooks/{roles,harms,culture}.yaml`` (with its code's veto
patterns), the sentences of the demo corpus it suggests its code for (the units of
``qualcode.suggest(unit="sentence")``: participant and unknown-role turns), and how
many of those sentences each demo coder (AB, CD) coded with that code (a coding
overlapping the sentence). ``precision`` = sentences the coder coded / sentences
suggested.

Also the pooled (micro) precision, recall and F1 of all pattern suggestions against
coder AB, measured as the demo does (``qualcode.evaluate(..., unit="sentence",
zero_division=0.0)`` on the suggestions of each codebook) and with the units rebuilt
(``transcripts=``).

``--write`` replaces the table between the ``pattern-report`` markers in
``codebooks/README.md``. The demo corpus and its codings are fictional and were
written by the same project that wrote the codebooks: read precision as a check for
patterns that only add noise, not as an estimate for real interviews.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

NAMES = ("roles", "harms", "culture")
START = "<!-- pattern-report:start -->"
END = "<!-- pattern-report:end -->"
SEP = "\x1f"


def load():
    import qualcode as qc
    from qualcode.datasets.demo import demo_codings, demo_corpus

    books = {n: qc.Codebook.load(ROOT / "codebooks" / f"{n}.yaml") for n in NAMES}
    corpus = demo_corpus()
    codings = demo_codings(corpus)
    return books, corpus, codings


def coded_intervals(codings) -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    """(coder, transcript, code) -> coded [start, end) intervals."""
    out: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in codings.itertuples(index=False):
        out[(str(r.coder), str(r.transcript_id), str(r.code))].append(
            (int(r.start), int(r.end))
        )
    return out


def pattern_rows(books, corpus, codings) -> list[dict]:
    """One row per pattern: hits and per-coder true positives and precision."""
    from qualcode._grammar import pattern_summary
    from qualcode.tagging import PatternTagger, exclude_patterns_of, suggest

    tagger = PatternTagger()
    order = []
    for name, cb in books.items():
        for code in cb:
            vetoes = exclude_patterns_of(code)
            for k, p in enumerate(code.patterns):
                if isinstance(p, dict) and "exclude" in p:
                    continue
                key = f"{code.id}{SEP}{k}"
                tagger.add(key, [p], exclude=vetoes)
                order.append((name, code.id, k, pattern_summary(p), key))
    s = suggest(corpus, tagger=tagger, unit="sentence")
    hits: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for t, a, b, key in zip(
        s["transcript_id"], s["start"], s["end"], s["code"], strict=True
    ):
        hits[key].add((str(t), int(a), int(b)))
    coded = coded_intervals(codings)
    rows = []
    for name, cid, k, shown, key in order:
        units = hits.get(key, set())
        row = {
            "codebook": name,
            "code": cid,
            "n": k + 1,
            "pattern": shown,
            "hits": len(units),
        }
        for coder in ("AB", "CD"):
            tp = sum(
                any(cs < b and a < ce for cs, ce in coded.get((coder, t, cid), ()))
                for t, a, b in units
            )
            row[f"tp_{coder}"] = tp
            row[f"precision_{coder}"] = tp / len(units) if units else float("nan")
        rows.append(row)
    return rows


def micro(books, corpus, codings) -> dict[str, float]:
    """Pooled P/R/F1 of all codebooks' suggestions against coder AB (as the demo)."""
    import pandas as pd

    import qualcode as qc

    with tempfile.TemporaryDirectory() as tmp:
        project = qc.Project(Path(tmp) / "p.qcproj")
        try:
            for cb in books.values():
                project.set_codebook(cb)
            project.add_transcripts(corpus)
            project.add_codings(codings)
            sugg = pd.concat(
                [qc.suggest(project, cb, unit="sentence") for cb in books.values()],
                ignore_index=True,
            )
            ab = project.codings(coder="AB")
            ev = qc.evaluate(sugg, ab, unit="sentence", zero_division=0.0)
            ev2 = qc.evaluate(
                sugg, ab, unit="sentence", transcripts=project, zero_division=0.0
            )
        finally:
            project.close()
    out = {"suggestions": float(len(sugg))}
    for label, e in (("demo", ev), ("units", ev2)):
        m = e[e["code"] == "(micro)"].iloc[0]
        for k in ("precision", "recall", "f1"):
            out[f"{label}_{k}"] = float(m[k])
    return out


def fmt(v: float) -> str:
    return "-" if v != v else f"{v:.2f}"


def table(rows: list[dict], m: dict[str, float]) -> str:
    lines = [
        f"Generated by `benchmarks/pattern_report.py` on the demo corpus: "
        f"{sum(r['hits'] > 0 for r in rows)} of {len(rows)} patterns suggest at least "
        "one sentence. All patterns together against coder AB (as `qualcode demo` "
        f"measures it): precision {m['demo_precision']:.2f}, recall "
        f"{m['demo_recall']:.2f}, F1 {m['demo_f1']:.2f} "
        f"({int(m['suggestions'])} suggestions); with the sentence units rebuilt "
        "(`evaluate(..., transcripts=project)`): "
        f"precision {m['units_precision']:.2f}, "
        f"recall {m['units_recall']:.2f}, F1 {m['units_f1']:.2f}.",
        "",
        "| codebook | code | # | pattern | hits | AB | precision AB "
        "| CD | precision CD |",
        "|---|---|--:|---|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        pattern = r["pattern"].replace("|", "\\|")
        lines.append(
            f"| {r['codebook']} | `{r['code']}` | {r['n']} | `{pattern}` | "
            f"{r['hits']} | {r['tp_AB']} | {fmt(r['precision_AB'])} | "
            f"{r['tp_CD']} | {fmt(r['precision_CD'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="update codebooks/README.md")
    args = ap.parse_args()
    books, corpus, codings = load()
    rows = pattern_rows(books, corpus, codings)
    m = micro(books, corpus, codings)
    text = table(rows, m)
    if args.write:
        readme = ROOT / "codebooks" / "README.md"
        doc = readme.read_text(encoding="utf-8")
        a, b = doc.index(START) + len(START), doc.index(END)
        readme.write_text(doc[:a] + "\n" + text + "\n" + doc[b:], encoding="utf-8")
    noisy = [r for r in rows if r["hits"] >= 2 and r["tp_AB"] == 0 and r["tp_CD"] == 0]
    print(text.splitlines()[0])
    print(f"{len(noisy)} patterns with >= 2 hits, no sentence coded by either coder:")
    for r in noisy:
        where = f"{r['codebook']:8s} {r['code']:32s} {r['n']:>2}"
        print(f"  {where} {r['hits']:>3}  {r['pattern']}")


if __name__ == "__main__":
    main()
