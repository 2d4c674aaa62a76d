"""Rebuild the FICTIONAL demo corpus: transcripts, both coders' codings, the strategy PDF.

Run from the repository root::

    .venv/bin/python corpora/demo/_make/make_all.py

Writes ``corpora/demo/INT01..INT10.*``, ``corpora/demo/codings/coder_AB.csv`` and
``coder_CD.csv`` and ``corpora/demo/northvale_drugs_strategy.pdf``, then checks that every
pseudonym-key original occurs in the corpus and every coding quote anchors in the transcripts
as qualcode imports them. ``attributes.csv`` and ``pseudonym_key.csv`` are written by hand.

Then run ``make_media.py`` (needs espeak-ng and opus-tools): it synthesises the demo
recording ``INT08.opus`` and rewrites ``INT08.srt``'s cue times to match it.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_coder_cd import derive_cd  # noqa: E402
from make_codings import SpanCoding, ab_codings, load_codes  # noqa: E402
from make_pdf import make_pdf, text_paragraphs  # noqa: E402
from make_transcripts import render  # noqa: E402
from scripts import DEMO, Script, load_scripts  # noqa: E402

HEADER = ["transcript_id", "code", "quote", "occurrence", "memo"]


def occurrence(script: Script, c: SpanCoding) -> int:
    """1-based rank of this passage among the quote's occurrences in participant turns."""
    quote = script.turns[c.turn].text[c.start : c.end]
    n = 0
    for k, turn in enumerate(script.turns):
        if turn.role != "participant":
            continue
        pos = turn.text.find(quote)
        while pos != -1:
            n += 1
            if k == c.turn and pos == c.start:
                return n
            pos = turn.text.find(quote, pos + 1)
    raise AssertionError("quote not found in its own turn")


def write_codings(path: Path, scripts: list[Script], codings: list[SpanCoding]) -> None:
    by_id = {s.id: s for s in scripts}
    rows = sorted(codings, key=lambda c: (c.transcript_id, c.turn, c.start, -c.end, c.code))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for c in rows:
            s = by_id[c.transcript_id]
            quote = s.turns[c.turn].text[c.start : c.end]
            w.writerow([c.transcript_id, c.code, quote, occurrence(s, c), c.memo])


def main() -> None:
    scripts = load_scripts()
    known = load_codes()
    ab = ab_codings(scripts, known)
    cd = derive_cd(scripts, ab, known)
    protected: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for c in [*ab, *cd]:
        protected.setdefault((c.transcript_id, c.turn), []).append((c.start, c.end))
    for s in scripts:
        path = render(s, protected)
        print(f"wrote {path.relative_to(DEMO.parent.parent)} ({s.words()} words)")
    write_codings(DEMO / "codings" / "coder_AB.csv", scripts, ab)
    write_codings(DEMO / "codings" / "coder_CD.csv", scripts, cd)
    for name, rows in (("AB", ab), ("CD", cd)):
        books = Counter(known[c.code]["book"] for c in rows)
        print(f"coder {name}: {len(rows)} codings {dict(sorted(books.items()))}")
    pdf = make_pdf(DEMO / "northvale_drugs_strategy.pdf")
    print(f"wrote {pdf.relative_to(DEMO.parent.parent)}")
    # every key original must occur somewhere in the corpus scripts
    corpus_text = (
        "\n".join(t.text for s in scripts for t in s.turns)
        + "\n"
        + "\n".join(f"{s.meta['interviewer']}\n{s.meta['participant']}" for s in scripts)
        + "\n".join(text_paragraphs())
    )
    with (DEMO / "pseudonym_key.csv").open(encoding="utf-8") as fh:
        missing = [r["original"] for r in csv.DictReader(fh) if r["original"] not in corpus_text]
    if missing:
        print(f"WARNING: key originals not in any script: {missing}")


if __name__ == "__main__":
    main()
