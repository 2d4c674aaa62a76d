"""Context on very long turns (issue 21: spaCy E088)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from qualcode.export import export_extracts
from qualcode.model import Transcript, TurnDraft


# -- long turns (issue 21: spaCy E088) ----------------------------------------------
def _long_transcript(n_chars: int = 1_200_000) -> Transcript:
    sentence = "We divert people who use drugs to treatment. "
    body = sentence * (n_chars // len(sentence) + 1)
    return Transcript.build(
        "long",
        [
            TurnDraft("Tell me about diversion.", "I", "interviewer"),
            TurnDraft(body.strip(), "P1", "participant"),
            TurnDraft("Thank you.", "I", "interviewer"),
        ],
    )


def test_issue21_context_works_on_a_turn_over_a_million_characters(tmp_path):
    t = _long_transcript()
    turn = t.turns[1]
    assert len(turn.text) > 1_000_000
    mid = turn.start + 600_000
    start = t.text.index("We divert", mid)
    end = start + len("We divert people")
    codings = pd.DataFrame(
        {
            "transcript_id": ["long", "long", "long"],
            "start": [start, turn.start, t.turns[0].start],
            "end": [end, turn.end, t.turns[0].end],
            "code": ["divert", "everything", "question"],
        }
    )
    out = export_extracts(codings, tmp_path / "q.csv", transcripts=[t])
    old = csv.field_size_limit(10_000_000)  # the whole-turn extract is 1.2 MB
    try:
        rows = list(
            csv.DictReader(
                out.read_text(encoding="utf-8-sig").splitlines(keepends=True)
            )
        )
    finally:
        csv.field_size_limit(old)
    by_code = {r["code"]: r for r in rows}
    ctx = by_code["divert"]["context"]
    assert "«We divert people»" in ctx
    assert len(ctx) < 500  # one sentence either side, not the whole turn
    assert by_code["everything"]["context"].startswith("Tell me about diversion.")
    assert by_code["question"]["context"].endswith(
        "We divert people who use drugs to treatment."
    )


@pytest.mark.slow
def test_issue21_long_turn_export_stays_under_1gb_in_a_child_process(tmp_path):
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import resource, time
        import pandas as pd
        from qualcode.export import export_extracts
        from qualcode.model import Transcript, TurnDraft

        body = "We divert people who use drugs to treatment. " * 60_000  # 2.7 MB
        t = Transcript.build("long", [TurnDraft(body.strip(), "P1", "participant")])
        s = t.turns[0].start + 1_500_000
        codings = pd.DataFrame(
            {{"transcript_id": ["long"] * 2, "start": [s, 0],
              "end": [s + 20, len(t.text)], "code": ["a", "b"]}}
        )
        began = time.perf_counter()
        export_extracts(codings, {str(tmp_path / "q.xlsx")!r}, transcripts=[t])
        took = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(peak, took)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak_kib, took = done.stdout.split()
    assert int(peak_kib) < 1024 * 1024  # under 1 GB
    assert float(took) < 60
