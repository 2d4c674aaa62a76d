"""Quote banks a researcher can paste into a report (issue 17).

One row per extract (the same passage coded by several coders appears once, with
the coders listed), and the quote first in every format, then the attribution,
then the turn number and time stamp.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from qualcode.export import export_extracts, select_extracts
from qualcode.model import Transcript, TurnDraft

TEXT = "We divert people who use drugs. Then we follow up. Arrests do not help."


def _transcript() -> Transcript:
    return Transcript.build(
        "int01",
        [
            TurnDraft("What works?", "I", "interviewer", time_start=60.0),
            TurnDraft(TEXT, "P1", "participant", time_start=65.0),
        ],
        attributes={"role": "police staff"},
    )


def _codings(t: Transcript) -> pd.DataFrame:
    u = t.turns[1]
    first = u.start + TEXT.index(" Then")  # end of the first sentence
    second = u.start + TEXT.index(" Arrests")
    return pd.DataFrame(
        {
            "transcript_id": ["int01"] * 4,
            # AB codes one sentence, CD the same sentence and the next, the
            # consensus the second sentence: one passage, one extract
            "start": [u.start, u.start, first + 1, u.start + TEXT.index("Arrests")],
            "end": [first, second, second, u.end],
            "code": ["divert", "divert", "divert", "enforce"],
            "coder": ["AB", "CD", "consensus", "AB"],
            "memo": ["good", None, None, None],
        }
    )


def _csv_rows(path):
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_issue17_overlapping_codings_of_one_code_are_one_extract(tmp_path):
    t = _transcript()
    out = export_extracts(_codings(t), tmp_path / "q.csv", transcripts=[t])
    rows = _csv_rows(out)
    divert = [r for r in rows if r["code"] == "divert"]
    assert len(divert) == 1
    assert divert[0]["extract"] == "We divert people who use drugs. Then we follow up."
    assert divert[0]["coder"] == "AB; CD; consensus"
    assert divert[0]["memo"] == "good"
    assert len(rows) == 2


def test_issue17_xlsx_index_counts_extracts_not_codings(tmp_path):
    from openpyxl import load_workbook

    t = _transcript()
    out = export_extracts(_codings(t), tmp_path / "q.xlsx", transcripts=[t])
    index = load_workbook(out)["Index"]
    counts = {r[0]: r[5] for r in index.iter_rows(min_row=2, values_only=True)}
    assert counts == {"divert": 1, "enforce": 1}


def test_issue17_touching_spans_stay_apart(tmp_path):
    t = _transcript()
    u = t.turns[1]
    mid = u.start + TEXT.index(" Then")
    codings = pd.DataFrame(
        {
            "transcript_id": ["int01", "int01"],
            "start": [u.start, mid],
            "end": [mid, u.end],
            "code": ["divert", "divert"],
            "coder": ["AB", "CD"],
        }
    )
    ex, _, _ = select_extracts(codings, transcripts=[t], context=0)
    assert len(ex) == 2


def test_issue17_union_text_from_a_codings_frame_without_transcripts():
    t = _transcript()
    codings = _codings(t)
    codings["text"] = [
        t.text[s:e] for s, e in zip(codings.start, codings.end, strict=True)
    ]
    ex, _, _ = select_extracts(codings, context=0)
    divert = ex[ex["code"] == "divert"].iloc[0]
    assert divert["extract"] == t.text[divert["start"] : divert["end"]]


def test_issue17_demo_quote_bank_has_no_duplicate_spans():
    from qualcode.datasets.demo import demo_codings, demo_corpus

    corpus = demo_corpus()
    codings = demo_codings(corpus)
    ex, _, _ = select_extracts(codings, transcripts=corpus, context=0)
    assert len(ex) < len(codings)  # 1,140 codings are fewer extracts
    for _, g in ex.groupby(["code", "transcript"]):
        g = g.sort_values("start")
        assert (g["start"].to_numpy()[1:] >= g["end"].to_numpy()[:-1]).all()


def test_issue17_csv_and_xlsx_start_with_quote_attribution_turn_time(tmp_path):
    from openpyxl import load_workbook

    t = _transcript()
    codings = _codings(t)
    rows = _csv_rows(export_extracts(codings, tmp_path / "q.csv", transcripts=[t]))
    assert list(rows[0])[:4] == ["extract", "attribution", "turn", "time"]
    assert (rows[0]["attribution"], rows[0]["turn"], rows[0]["time"]) == (
        "(police staff)",
        "1",
        "00:01:05",
    )
    ws = load_workbook(export_extracts(codings, tmp_path / "q.xlsx", transcripts=[t]))
    header = [c.value for c in ws.worksheets[1][1]]
    assert header[:4] == ["extract", "attribution", "turn", "time"]


@pytest.mark.parametrize("suffix", [".md", ".html", ".docx"])
def test_issue17_text_formats_put_quote_then_attribution_then_turn(suffix, tmp_path):
    t = _transcript()
    out = export_extracts(
        _codings(t), tmp_path / f"q{suffix}", transcripts=[t], context=0
    )
    if suffix == ".docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    else:
        text = re.sub(r"<[^>]+>", "", out.read_text(encoding="utf-8"))
        text = text.replace("\\", "")
    quote = text.index("We divert people who use drugs. Then we follow up.")
    attribution = text.index("(police staff)", quote)
    turn = text.index("turn 1, 00:01:05, int01", attribution)
    assert quote < attribution < turn


def test_issue17_coders_of_one_extract_listed_in_one_order():
    t = _transcript()
    codings = _codings(t)
    codings.loc[0, "start"] += 4  # AB's coding starts after CD's (same extract)
    ex, _, _ = select_extracts(codings, transcripts=[t], context=0)
    assert ex.loc[ex["code"] == "divert", "coder"].tolist() == ["AB; CD; consensus"]
