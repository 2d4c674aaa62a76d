"""Benchmark the coding widget's Python side and the HTML view (prints figures).

Synthetic project: 20 transcripts of 300 turns (~60 words each, ~1.9M characters),
a codebook of 30 codes, 6,000 codings by two coders and ~5,900 suggestions. Each
figure is the median of repeated runs; ratios are against baselines measured in the
same run: ``Project.add_coding`` alone (the store write every coding action makes)
and ``html.escape`` of the transcript text (the least an HTML view must do).

Run: ``.venv/bin/python benchmarks/bench_widget.py``
"""

from __future__ import annotations

import html
import random
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import qualcode as qc
from qualcode.model import Transcript, TurnDraft
from qualcode.widget import CodingSession, coding_widget, export_html, render_html

WORDS = (
    "we arrest dealers seize cash divert people into treatment safeguard children "
    "county lines cuckooing naloxone harm reduction partnership intelligence patrol "
    "community trust culture change enforcement outreach"
).split()
N_TRANSCRIPTS, N_TURNS, N_CODES = 20, 300, 30


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def build(folder: Path) -> qc.Project:
    rng = random.Random(7)
    transcripts = []
    for k in range(N_TRANSCRIPTS):
        drafts = []
        for i in range(N_TURNS):
            role = "interviewer" if i % 2 == 0 else "participant"
            n = 12 if role == "interviewer" else 110
            text = " ".join(rng.choice(WORDS) for _ in range(n)) + "."
            drafts.append(TurnDraft(text, "I" if i % 2 == 0 else "P", role))
        transcripts.append(Transcript.build(f"T{k:02d}", drafts))
    codes = [{"id": f"r{j}", "label": f"Root {j}"} for j in range(5)]
    codes += [
        {"id": f"c{j}", "label": f"Code {j}", "parent": f"r{j % 5}"}
        for j in range(N_CODES - 5)
    ]
    p = qc.Project(folder / "bench.qcproj")
    p.add_transcripts(transcripts)
    p.set_codebook(qc.Codebook.from_dict({"name": "bench", "codes": codes}))
    rows = []
    for t in transcripts:
        for u in t.turns[1::2]:
            for coder in ("AB", "CD"):
                a = u.start + rng.randrange(0, len(u.text) // 2)
                b = min(u.end, a + rng.randrange(10, 200))
                rows.append((t.id, a, b, f"c{rng.randrange(N_CODES - 5)}", coder))
    frame = pd.DataFrame(
        rows, columns=["transcript_id", "start", "end", "code", "coder"]
    )
    p.add_codings(
        frame.drop_duplicates(["transcript_id", "start", "end", "code", "coder"])
    )
    return p


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    p = build(folder)
    print(f"built project in {time.perf_counter() - t0:.1f} s: {p}")
    t = p.transcript("T00")
    n_chars = sum(len(x.text) for x in p.iter_transcripts())
    print(
        f"{N_TRANSCRIPTS} transcripts, {n_chars:,} characters; T00 has {len(t.text):,}"
    )
    rng = random.Random(1)
    sugg = []
    for tid in p.transcript_ids():
        tt = p.transcript(tid)
        for u in rng.sample(tt.turns[1::2], 150):
            for _ in range(2):
                sugg.append(
                    {
                        "transcript_id": tid,
                        "start": u.start,
                        "end": u.end,
                        "code": f"c{rng.randrange(N_CODES - 5)}",
                        "score": rng.random(),
                        "evidence": "arrest; county lines",
                        "tagger": "bench",
                    }
                )
    suggestions = pd.DataFrame(sugg).drop_duplicates(
        ["transcript_id", "start", "end", "code"]
    )
    print(f"{len(suggestions):,} suggestions")

    turns = [u for u in t.turns if u.role == "participant"]
    spans = iter([(u.start + 3, u.start + 40) for u in turns] * 10)
    baseline = _median(lambda: p.add_coding("T00", *next(spans), "c1", "ZZ"), 60)

    session = CodingSession(p, coder="EF", suggestions=suggestions)
    spans2 = iter([(u.start + 5, u.start + 45) for u in turns] * 10)
    apply = _median(lambda: session.apply_code("c2", *next(spans2)), 60)

    opened = _median(
        lambda: coding_widget(
            p, coder="EF", suggestions=suggestions, compare_with="AB"
        ),
        5,
    )
    widget = coding_widget(p, coder="EF", suggestions=suggestions, compare_with="AB")
    spans3 = iter([(u.start + 7, u.start + 47) for u in turns] * 10)

    def round_trip() -> None:
        s, e = next(spans3)
        widget._on_message(
            widget, {"action": "apply_code", "code": "c3", "start": s, "end": e}, []
        )

    message = _median(round_trip, 40)
    accept = _median(lambda: widget.accept_suggestion(), 20)
    nav = (
        _median(lambda: (widget.next_transcript(), widget.previous_transcript()), 10)
        / 2
    )

    escape = _median(lambda: html.escape(t.text), 20)
    page = _median(lambda: render_html(p, "T00"), 5)
    n_t00 = len(p.codings(transcript_id="T00"))
    export = _median(lambda: export_html(p, folder / "all.html"), 3)
    size = (folder / "all.html").stat().st_size

    print(f"baseline Project.add_coding: {baseline * 1e3:.2f} ms")
    print(f"CodingSession.apply_code: {apply * 1e3:.2f} ms (x{apply / baseline:.1f})")
    print(
        f"widget message apply_code + trait refresh: {message * 1e3:.1f} ms "
        f"(x{message / baseline:.1f})"
    )
    print(
        f"widget accept_suggestion (review + log + refresh): {accept * 1e3:.1f} ms "
        f"(x{accept / baseline:.1f})"
    )
    print(f"widget next/previous transcript (300 turns): {nav * 1e3:.1f} ms")
    n_sugg = len(suggestions)
    print(f"open widget (20 transcripts, {n_sugg:,} suggestions): {opened:.2f} s")
    print(f"baseline html.escape(T00 text): {escape * 1e3:.2f} ms")
    print(
        f"render_html(T00, {n_t00} codings): {page * 1e3:.0f} ms (x{page / escape:.0f})"
    )
    print(f"export_html(20 transcripts): {export:.2f} s, {size / 1e6:.1f} MB")
    p.close()


if __name__ == "__main__":
    main()
