"""Benchmark: import a generated corpus of interviews (half .docx, half .txt).

Generates N fictional interview-like transcripts (about 1-2k words each) in a temporary
folder, then times, in the same run:

- baseline: reading every file's bytes and decoding the .txt files as UTF-8, and opening
  every .docx with python-docx and joining its paragraph texts (the least any importer
  has to do);
- ``qualcode.read_corpus`` over the folder, with an attributes CSV.

It prints files/s, MB/s, words/s and the ratio to the baseline. Run:

    .venv/bin/python benchmarks/bench_import.py            # 1,000 transcripts
    .venv/bin/python benchmarks/bench_import.py --n 100    # quicker
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

WORDS = (
    "the a we they it is was were be have had do did not and but so because when then "
    "that this police officer team force county lines drugs harm reduction diversion "
    "naloxone treatment enforcement arrest warrant intelligence partners council "
    "outreach referral custody sergeant inspector neighbourhood community people "
    "users dealers children exploitation safeguarding pursue protect prevent prepare "
    "culture change leadership training budget pressure honestly really think know "
    "see said told asked worked changed used mean feel"
).split()
QUESTIONS = [
    "Could you tell me about your role?",
    "How has drugs policing changed where you work?",
    "What does harm reduction mean in practice for your team?",
    "How do you work with partners such as treatment services?",
    "What gets in the way of diversion?",
    "How do colleagues talk about people who use drugs?",
]


def _answer(rng: random.Random, n_words: int) -> list[str]:
    """An answer as a few sentences, sometimes split over lines, with annotations."""
    lines, words = [], []
    for _ in range(n_words):
        words.append(rng.choice(WORDS))
        if rng.random() < 0.08:
            words[-1] += "."
            if rng.random() < 0.2:
                words.append(rng.choice(["[inaudible]", "[crosstalk]", "(laughs)"]))
        if len(words) > 25 and rng.random() < 0.1:
            lines.append(" ".join(words).capitalize())
            words = []
    if words:
        lines.append(" ".join(words).capitalize() + ".")
    return lines


def _interview(
    rng: random.Random, i: int
) -> tuple[list[tuple[str, list[str], int]], int]:
    target = rng.randint(1000, 2000)
    turns, words, t = [], 0, 0
    while words < target:
        q = rng.choice(QUESTIONS)
        turns.append(("Interviewer", [q], t))
        t += rng.randint(3, 10)
        ans = _answer(rng, rng.randint(60, 220))
        turns.append((f"P{i}", ans, t))
        t += rng.randint(20, 90)
        words += len(q.split()) + sum(len(line.split()) for line in ans)
    return turns, words


def _stamp(s: int) -> str:
    return f"[{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}]"


def generate(folder: Path, n: int, seed: int = 7) -> tuple[int, int]:
    """Write n transcripts and attributes.csv; return (total words, total bytes)."""
    import docx

    rng = random.Random(seed)
    total_words = 0
    rows = ["transcript_id,organisation,role,rank_band"]
    ranks = ["constable/sergeant", "inspector/chief inspector", "superintendent+"]
    for i in range(n):
        tid = f"int{i:04d}"
        turns, words = _interview(rng, i)
        total_words += words
        if i % 2 == 0:
            d = docx.Document()
            d.add_paragraph(f"Interview {tid} (fictional benchmark data)")
            for label, lines, _secs in turns:
                d.add_paragraph(f"{label}: {lines[0]}")
                for line in lines[1:]:
                    d.add_paragraph(line)
            d.save(folder / f"{tid}.docx")
        else:
            out = [f"Interview {tid} (fictional benchmark data)", ""]
            for label, lines, secs in turns:
                out.append(f"{_stamp(secs)} {label}: {lines[0]}")
                out.extend(lines[1:])
                out.append("")
            (folder / f"{tid}.txt").write_text("\n".join(out), encoding="utf-8")
        role = rng.choice(["police officer", "police staff", "partner"])
        rank = rng.choice(ranks) if role == "police officer" else ""
        rows.append(f"{tid},Force {rng.choice('ABC')},{role},{rank}")
    (folder / "attributes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    size = sum(
        p.stat().st_size for p in folder.iterdir() if p.suffix in (".docx", ".txt")
    )
    return total_words, size


def baseline(folder: Path) -> int:
    """Read bytes + decode .txt; python-docx open + paragraph texts for .docx."""
    import docx

    chars = 0
    for p in sorted(folder.iterdir()):
        if p.suffix == ".txt":
            chars += len(p.read_bytes().decode("utf-8"))
        elif p.suffix == ".docx":
            chars += len(
                "\n".join(par.text for par in docx.Document(str(p)).paragraphs)
            )
    return chars


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--n", type=int, default=1000, help="number of transcripts (default 1000)"
    )
    ap.add_argument(
        "--repeat", type=int, default=2, help="best of this many timed runs"
    )
    args = ap.parse_args()

    import qualcode as qc

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        words, size = generate(folder, args.n)
        gen_s = time.perf_counter() - t0
        mb = size / 1e6
        print(
            f"generated {args.n} transcripts "
            f"({args.n // 2 + args.n % 2} docx, {args.n // 2} txt), "
            f"{words:,} words, {mb:.1f} MB in {gen_s:.1f} s"
        )

        # Interleave baseline and qualcode runs; keep the best of each, for wall-clock
        # and for this process's CPU time (less sensitive to other load on the machine).
        def timed(fn):
            w0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            return out, time.perf_counter() - w0, time.process_time() - c0

        def read():
            return qc.read_corpus(folder, attributes=folder / "attributes.csv")

        best = {"base": [float("inf")] * 2, "qc": [float("inf")] * 2}
        corpus = None
        for _ in range(args.repeat):
            _, w, c = timed(lambda: baseline(folder))
            best["base"] = [min(best["base"][0], w), min(best["base"][1], c)]
            corpus, w, c = timed(read)
            best["qc"] = [min(best["qc"][0], w), min(best["qc"][1], c)]
        assert corpus is not None and len(corpus) == args.n
        n_turns = sum(len(t.turns) for t in corpus)
        turns, frame_s, _ = timed(lambda: corpus.turns)

        labels = {
            "base": "baseline (bytes+decode, python-docx paragraphs)",
            "qc": "read_corpus (+ attributes.csv)",
        }
        for key, (wall, cpu) in best.items():
            print(
                f"{labels[key]:<48} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                f"{args.n / wall:6.1f} files/s  {mb / wall:5.2f} MB/s  "
                f"{words / wall:9,.0f} words/s"
            )
        print(
            "ratio read_corpus / baseline: "
            f"wall x{best['qc'][0] / best['base'][0]:.2f}, "
            f"cpu x{best['qc'][1] / best['base'][1]:.2f}"
        )
        print(
            f"{n_turns:,} turns; Corpus.turns DataFrame "
            f"({len(turns):,} rows x {turns.shape[1]} cols) in {frame_s:.2f} s"
        )

        # per-format split, same run, CPU time, interleaved best of --repeat
        import docx

        for suffix in (".txt", ".docx"):
            files = sorted(folder.glob(f"*{suffix}"))

            def ours(files=files):
                for p in files:
                    qc.read_transcript(p)

            def raw(files=files, suffix=suffix):
                for p in files:
                    if suffix == ".txt":
                        p.read_bytes().decode("utf-8")
                    else:
                        "\n".join(par.text for par in docx.Document(str(p)).paragraphs)

            s_qc = s_base = float("inf")
            for _ in range(args.repeat):
                s_qc = min(s_qc, timed(ours)[2])
                s_base = min(s_base, timed(raw)[2])
            print(
                f"  {suffix:<5} {len(files)} files, cpu: read_transcript {s_qc:.2f} s "
                f"({len(files) / s_qc:.0f} files/s), baseline {s_base:.2f} s, "
                f"x{s_qc / s_base:.1f}"
            )


if __name__ == "__main__":
    main()
