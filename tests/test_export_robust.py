"""Context on very long turns (issue 21: spaCy E088)."""

from __future__ import annotations

import csv

import pandas as pd

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
