"""Thematic saturation (Guest, Namey & Chen 2020, PLOS ONE 15(5): e0232076)."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc
from qualcode.errors import InvalidInputError

# New themes per interview in a hand-worked example shaped like the paper's own
# (its Fig 2 text: a base of 4 interviews with 37 unique themes, and a first run of
# 2 interviews adding 7 new themes, "19%" new information).
NEW_PER_INTERVIEW = [20, 9, 5, 3, 5, 2, 2, 1, 0, 1, 0, 0]


def _codings(new_counts: list[int], *, repeat_old: int = 2) -> pd.DataFrame:
    """Codings where interview i brings new_counts[i] themes (and repeats old ones)."""
    rows, seen, k = [], [], 0
    for i, n in enumerate(new_counts, start=1):
        tid = f"int{i:02d}"
        for old in seen[:repeat_old]:  # repeated themes are not new
            rows.append({"transcript_id": tid, "code": old, "coder": "AB"})
        for _ in range(n):
            code = f"theme{k:03d}"
            k += 1
            seen.append(code)
            rows.append({"transcript_id": tid, "code": code, "coder": "AB"})
            rows.append({"transcript_id": tid, "code": code, "coder": "AB"})
    return pd.DataFrame(rows)


def test_saturation_worked_example_new_information_ratios():
    s = qc.saturation(_codings(NEW_PER_INTERVIEW), base=4, run=2, threshold=0.05)
    assert s.table["new_codes"].tolist() == NEW_PER_INTERVIEW
    assert s.runs["base_codes"].iloc[0] == 37
    # run 1 = interviews 5-6: 7 new of 37 = 18.9% (the paper's "19%")
    assert s.runs["new_codes"].tolist() == [7, 4, 3, 1, 1, 1, 0]
    assert s.runs["ratio"].iloc[0] == pytest.approx(7 / 37)
    assert round(100 * s.runs["ratio"].iloc[0]) == 19


def test_saturation_worked_example_point_at_five_percent():
    s = qc.saturation(_codings(NEW_PER_INTERVIEW), base=4, run=2, threshold=0.05)
    # runs 5-6 (18.9%), 6-7 (10.8%), 7-8 (8.1%), 8-9 (2.7% <= 5%): 7 interviews + 2
    assert s.saturated_at == 7
    assert s.notation == "7+2"


def test_saturation_worked_example_point_at_zero_threshold():
    s = qc.saturation(_codings(NEW_PER_INTERVIEW), base=4, run=2, threshold=0.0)
    # the first run with no new theme at all is interviews 11-12
    assert s.notation == "10+2"


def test_saturation_not_reached_is_reported():
    s = qc.saturation(_codings([3, 3, 3, 3, 3, 3]), base=2, run=2)
    assert s.saturated_at is None and s.notation is None
    assert "not reached" in s.summary


def test_saturation_counts_uncoded_project_interviews(tmp_path):
    from qualcode.model import Transcript, TurnDraft

    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(
            [
                Transcript.build(
                    f"t{i}", [TurnDraft("Some words here.", "P", "participant")]
                )
                for i in range(5)
            ]
        )
        for tid, code in [("t0", "a"), ("t0", "b"), ("t1", "c"), ("t3", "a")]:
            p.add_coding(tid, 0, 4, code, "AB")
        s = qc.saturation(p, base=2, run=2)
    assert s.table["transcript_id"].tolist() == ["t0", "t1", "t2", "t3", "t4"]
    assert s.table["new_codes"].tolist() == [2, 1, 0, 0, 0]
    assert s.notation == "2+2"


def test_saturation_root_level_maps_codes_to_themes():
    from qualcode.codebook import Code

    book = qc.Codebook(
        [
            Code("pursue", "Pursue"),
            Code("arrest", "Arrest", parent="pursue"),
            Code("disrupt", "Disrupt", parent="pursue"),
            Code("protect", "Protect"),
        ],
        name="t",
    )
    df = pd.DataFrame(
        {
            "transcript_id": ["a", "b", "c", "d"],
            "code": ["arrest", "disrupt", "protect", "arrest"],
        }
    )
    s = qc.saturation(df, base=1, run=1, level="root", codebook=book)
    assert s.table["new_codes"].tolist() == [1, 0, 1, 0]


def test_saturation_bootstrap_is_reproducible_and_summarised():
    df = _codings(NEW_PER_INTERVIEW)
    a = qc.saturation(df, bootstrap=200, seed=7)
    b = qc.saturation(df, bootstrap=200, seed=7)
    pd.testing.assert_frame_equal(a.bootstrap, b.bootstrap)
    med, lo, hi = a.interval
    assert lo <= med <= hi <= len(NEW_PER_INTERVIEW) + 1
    assert "random interview orders" in a.summary


def test_saturation_summary_names_method_and_parameters():
    text = qc.saturation(_codings(NEW_PER_INTERVIEW)).summary
    for part in (
        "Guest, Namey & Chen (2020)",
        "base size 4",
        "run length 2",
        "threshold 5%",
        "7+2",
        "37 distinct codes",
    ):
        assert part in text


def test_saturation_figure_saved_as_png(tmp_path):
    out = qc.saturation(_codings(NEW_PER_INTERVIEW)).save(tmp_path / "sat.png")
    from matplotlib.image import imread

    img = imread(out)
    assert img.shape[0] == 1200 and img.shape[1] == 2100  # 7 x 4 in at 300 dpi


def test_saturation_shows_its_figure_in_a_notebook():
    """A cell ending in the result shows the figure (a bare Figure printed as text)."""
    import io

    from IPython.core.formatters import PNGFormatter
    from matplotlib.image import imread

    s = qc.saturation(_codings(NEW_PER_INTERVIEW), base=4, run=2)
    png = PNGFormatter()(s)
    assert png is not None and png.startswith(b"\x89PNG")
    assert imread(io.BytesIO(png)).shape[:2] == (400, 700)  # 7 x 4 in at 100 dpi
    assert repr(s).startswith("<Saturation saturated at 7+2: 12 interviews")


def test_saturation_refuses_no_codings():
    with pytest.raises(InvalidInputError, match="QC640"):
        qc.saturation(pd.DataFrame({"transcript_id": [], "code": []}))


def test_saturation_refuses_unknown_coder_with_hint():
    with pytest.raises(InvalidInputError, match="did you mean 'AB'"):
        qc.saturation(_codings(NEW_PER_INTERVIEW), coder="ab")


def test_saturation_needs_one_coder_when_several():
    df = pd.concat(
        [_codings(NEW_PER_INTERVIEW), _codings(NEW_PER_INTERVIEW).assign(coder="MK")]
    )
    with pytest.raises(InvalidInputError, match="QC642"):
        qc.saturation(df)


def test_saturation_refuses_base_larger_than_corpus():
    with pytest.raises(InvalidInputError, match="QC641.*corpus has 5"):
        qc.saturation(_codings([2, 1, 1, 0, 0]), base=4, run=2)


def test_saturation_explicit_order_must_list_every_interview():
    with pytest.raises(InvalidInputError, match="missing"):
        qc.saturation(_codings([2, 1, 1, 0, 0]), base=2, order=["int01", "int02"])


def test_saturation_leaves_coded_documents_out_of_a_project(tmp_path):
    from qualcode.errors import UndefinedStatisticWarning
    from qualcode.model import Transcript, TurnDraft

    interviews = [
        Transcript.build(f"t{i}", [TurnDraft("Some words here.", "P", "participant")])
        for i in range(4)
    ]
    document = Transcript.build("strategy", [TurnDraft("A policy paragraph.")])
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts([*interviews, document])
        for tid, code in [("t0", "a"), ("t1", "b"), ("strategy", "c")]:
            p.add_coding(tid, 0, 4, code, "AB")
        with pytest.warns(UndefinedStatisticWarning, match="QC643.*strategy"):
            s = qc.saturation(p, base=2, run=2)
    assert s.table["transcript_id"].tolist() == ["t0", "t1", "t2", "t3"]
    assert s.table["cumulative"].iloc[-1] == 2
