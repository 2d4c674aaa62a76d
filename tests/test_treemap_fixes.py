"""Treemap fixes: honest block headings (issue 16.7), stable colours (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.treemap import PALETTE, code_treemap, selection_treemap


@pytest.fixture()
def mini():
    cb = Codebook(
        [
            Code("pursue", "Pursue"),
            Code("enforce", "Enforce", parent="pursue"),
            Code("warrants", "Warrants", parent="enforce"),
            Code("prevent", "Prevent"),
            Code("divert", "Divert", parent="prevent"),
        ]
    )
    codings = pd.DataFrame(
        {
            "transcript_id": ["t1", "t1", "t1", "t2", "t3"],
            "code": ["warrants", "warrants", "enforce", "divert", "divert"],
        }
    )
    return codings, cb


def _headers(tm) -> dict[str, str]:
    ax = tm.figure.axes[0]
    return {
        t.get_gid()[len("header_label:") :]: t.get_text()
        for t in ax.texts
        if (t.get_gid() or "").startswith("header_label:")
    }


def test_issue16_code_treemap_heading_counts_distinct_interviews(mini):
    # Pursue: 'warrants' and 'enforce' are each in t1 only: 1 interview, not 1 + 1
    tm = code_treemap(*mini, size=(6, 4))
    assert _headers(tm) == {"Pursue": "Pursue, 1", "Prevent": "Prevent, 2"}
    assert "A block's heading gives the number of interviews in which any" in (
        tm.caption
    )


def test_issue16_code_treemap_heading_never_exceeds_the_interviews():
    cb = Codebook(
        [Code("protect", "Protect")]
        + [Code(f"c{i}", f"Code {i}", parent="protect") for i in range(5)]
    )
    codings = pd.DataFrame(
        {
            "transcript_id": [f"t{j}" for j in range(3) for _ in range(5)],
            "code": [f"c{i}" for _ in range(3) for i in range(5)],
        }
    )
    tm = code_treemap(codings, cb, size=(6, 4))
    assert _headers(tm) == {"Protect": "Protect, 3"}  # 3 interviews, not 15


def test_code_treemap_heading_by_references_adds_up(mini):
    tm = code_treemap(*mini, by="references", size=(6, 4))
    assert _headers(tm) == {"Pursue": "Pursue, 3", "Prevent": "Prevent, 2"}


def test_selection_treemap_heading_still_sums_its_items():
    sel = pd.DataFrame(
        {
            "respondent": ["a", "a", "b"],
            "item": ["X", "Y", "X"],
            "category": ["P", "P", "P"],
        }
    )
    assert _headers(selection_treemap(sel, size=(6, 4))) == {"P": "P, 3"}


def _roles_book() -> Codebook:
    return Codebook(
        [
            Code("pursue", "Pursue", color="#0072B2"),
            Code("enforce", "Enforce", parent="pursue"),
            Code("protect", "Protect"),
            Code("safeguard", "Safeguard", parent="protect"),
            Code("prevent", "Prevent"),
            Code("divert", "Divert", parent="prevent"),
            Code("prepare", "Prepare"),
            Code("intel", "Intel", parent="prepare"),
        ]
    )


def _colors(tm) -> dict[str, str]:
    return dict(zip(tm.categories["category"], tm.categories["color"], strict=True))


def test_issue17_a_code_keeps_its_colour_in_every_figure():
    cb = _roles_book()
    all_four = pd.DataFrame(
        {
            "transcript_id": ["t1", "t1", "t2", "t3"],
            "code": ["enforce", "safeguard", "divert", "intel"],
        }
    )
    # a second figure without Protect and with a different order of sizes
    three = pd.DataFrame(
        {
            "transcript_id": ["t1", "t2", "t3", "t4", "t4"],
            "code": ["intel", "intel", "intel", "divert", "enforce"],
        }
    )
    a = _colors(code_treemap(all_four, cb, size=(6, 4)))
    b = _colors(code_treemap(three, cb, size=(6, 4)))
    sel = pd.DataFrame({"respondent": ["r1", "r2"], "item": ["divert", "intel"]})
    c = _colors(selection_treemap(sel, cb, size=(6, 4)))
    assert a["Pursue"] == "#0072B2"  # the codebook's colour
    for name in ("Prevent", "Prepare"):
        assert a[name] == b[name] == c[name]
    assert len(set(a.values())) == 4


def test_issue17_stable_colour_does_not_depend_on_what_else_is_drawn():
    sel1 = pd.DataFrame(
        {"respondent": ["a", "b"], "item": ["X", "Y"], "category": ["P", "Q"]}
    )
    # another category that sorts (and used to be coloured) before P
    sel2 = pd.DataFrame(
        {"respondent": ["a", "b"], "item": ["X", "Z"], "category": ["P", "A"]}
    )
    c1 = _colors(selection_treemap(sel1, size=(4, 3)))
    c2 = _colors(selection_treemap(sel2, size=(4, 3)))
    assert c1["P"] == c2["P"] and c1["P"] in PALETTE
