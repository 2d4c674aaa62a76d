"""Krippendorff's unitizing alphas: hand-worked examples, an independent implementation,
a naive position-by-position re-implementation, regressions and errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qualcode.agreement import unitized_alpha, unitized_alpha_by_value
from qualcode.errors import InvalidInputError, UndefinedStatisticWarning

REFERENCE = Path(__file__).parent / "reference"


def seg(*rows):
    return pd.DataFrame(rows, columns=["coder", "start", "end", "code"])


# --- worked by hand from the definitions (Krippendorff et al. 2016, sect. 5) ----------


def test_agreement_unitized_binary_hand_worked():
    # Continuum [0, 20), two coders. A marks [0,5), [10,15); B marks [1,5), [10,15).
    # Positions covered by c coders: [0,1) c=1, [1,5) c=2, [5,10) c=0, [10,15) c=2,
    # [15,20) c=0.
    # Observed coincidences (m-1 = 1, ordered coder pairs):
    #   l_11 = 2*(4 + 5) = 18, l_10 = l_01 = 1 (position 0), l_00 = 2*(5 + 5) = 20;
    #   l.. = 40.
    # Margins: l_1. = 19, l_0. = 21.
    # Units' squared lengths: A 25 + 25, B 16 + 25 -> S_1 = 91; gaps count their length:
    #   S_0 = 21. Denominator l..^2 - S = 1600 - 112 = 1488.
    # e_10 = 40 * 19 * 21 / 1488 = 10.7258...;
    # |u-alpha = 1 - l_10 / e_10 = 1 - 1488/15960.
    s = seg(("A", 0, 5, "x"), ("A", 10, 15, "x"), ("B", 1, 5, "x"), ("B", 10, 15, "x"))
    assert unitized_alpha(s, continuum_length=20, variant="|cu") == pytest.approx(
        1 - 1488 / 15960
    )


HAND = seg(
    ("A", 0, 4, "x"),
    ("A", 6, 10, "y"),
    ("B", 0, 4, "x"),
    ("B", 6, 8, "x"),
    ("B", 8, 10, "y"),
)
# Continuum [0, 10). Elementary stretches: [0,4) A=x B=x; [4,6) gap/gap; [6,8) A=y B=x;
# [8,10) A=y B=y. Observed (ordered pairs): l_xx = 8, l_00 = 4, l_xy = l_yx = 2,
# l_yy = 4,
# l.. = 20; margins l_x. = 10, l_y. = 6, l_0. = 4.
# Squared unit lengths: S_x = 16 (A) + 16 + 4 (B) = 36, S_y = 16 + 4 = 20, gaps S_0 = 4.
# u: e_cc = 20 (l_c.^2 - S_c) / (400 - 60): e_xx = 1280/340, e_yy = 320/340,
#    e_00 = 240/340.
#    u-alpha = 1 - (20 - 16) / (20 - 1840/340) = 1 - 1360/4960 = 45/62.
# cu: valued only, l*.. = 16, l*_x. = 10, l*_y. = 6; pairable lengths (overlap with the
# other
#    coder's valued matter): A 4, 4; B 4, 2, 2 -> S*_x = 36, S*_y = 20, S* = 56;
#    e*_cc = (l*_c.^2 - S*_c) / (16 - 56/16): e*_xx = 64/12.5, e*_yy = 16/12.5;
#    cu-alpha = 1 - (16 - 12) / (16 - 80/12.5) = 1 - 4/9.6 = 7/12.
# |cu: no position differs in coded vs uncoded (D_o = 0): perfect agreement, 1.


@pytest.mark.parametrize(
    "variant,expected", [("u", 45 / 62), ("cu", 7 / 12), ("|cu", 1.0)]
)
def test_agreement_unitized_two_codes_hand_worked(variant, expected):
    assert unitized_alpha(HAND, continuum_length=10, variant=variant) == pytest.approx(
        expected
    )


# --- regression: a coder's own overlapping codings are not agreement -----------------


def test_agreement_unitized_own_overlap_is_not_agreement():
    # A codes [0,10) twice (overlapping [2,8) on top); B codes elsewhere. Counting A's
    # double
    # coding as a coincidence would inflate agreement; merged, it equals A coding once.
    twice = seg(("A", 0, 10, "x"), ("A", 2, 8, "x"), ("B", 12, 14, "x"))
    once = seg(("A", 0, 10, "x"), ("B", 12, 14, "x"))
    for variant in ("|cu", "u"):
        a = unitized_alpha(twice, continuum_length=20, variant=variant)
        b = unitized_alpha(once, continuum_length=20, variant=variant)
        assert a == pytest.approx(b)
    assert unitized_alpha(twice, continuum_length=20, variant="|cu") < 0


# --- independent implementation: krippendorff-unitized-alpha 0.1.0 -------------------

CASES = json.loads((REFERENCE / "unitized_alpha_cases.json").read_text())


@pytest.mark.parametrize(
    "case", CASES, ids=[f"m{len(c['coders'])}-L{c['length']}" for c in CASES]
)
def test_agreement_unitized_u_matches_reference_package(case):
    # values written by tests/reference/unitized_alpha_crosscheck.py
    s = pd.DataFrame(case["segments"], columns=["coder", "start", "end", "code"])
    got = unitized_alpha(
        s, continuum_length=case["length"], variant="u", coders=case["coders"]
    )
    assert got == pytest.approx(case["u"], abs=1e-12)


# --- naive position-by-position re-implementation of the definitions -----------------


def naive_alpha(rows, length, coders, variant):
    m = len(coders)
    label = {c: [None] * length for c in coders}
    for c, s, e, v in rows:
        for p in range(s, e):
            label[c][p] = "coded" if variant == "|cu" else v
    values = sorted({v for c in coders for v in label[c] if v is not None})
    idx = {None: 0, **{v: i + 1 for i, v in enumerate(values)}}
    k = len(values) + 1
    o = np.zeros((k, k))
    for p in range(length):
        for i in coders:
            for j in coders:
                if i != j:
                    o[idx[label[i][p]], idx[label[j][p]]] += 1 / (m - 1)
    # (coder, value index, start, end): each segment is a unit, touching ones too
    # (Krippendorff 2019, Fig. 12.11); partitions() draws no overlapping segments
    units = [(c, idx["coded" if variant == "|cu" else v], s, e) for c, s, e, v in rows]
    lc = o.sum(1)
    if variant in ("u", "|cu"):
        tot = lc.sum()
        s = np.zeros(k)
        for _, v, a, b in units:
            s[v] += (b - a) ** 2
        s[0] = lc[0]
        e = tot * (np.outer(lc, lc) - np.diag(s)) / (tot**2 - s.sum())
        den = tot - np.trace(e)
        return 1 - (tot - np.trace(o)) / den if abs(den) > 1e-9 else np.nan
    ostar = o[1:, 1:]
    ls = ostar.sum(1)
    tot = ls.sum()
    s = np.zeros(k - 1)
    for c, v, a, b in units:
        pairable = sum(
            sum(label[j][p] is not None for j in coders if j != c) for p in range(a, b)
        ) / (m - 1)
        s[v - 1] += pairable**2
    e = (np.outer(ls, ls) - np.diag(s)) / (tot - s.sum() / tot)
    den = tot - np.trace(e)
    return 1 - (tot - np.trace(ostar)) / den if abs(den) > 1e-9 else np.nan


@st.composite
def partitions(draw):
    length = draw(st.integers(8, 30))
    m = draw(st.integers(2, 4))
    rows = []
    for k in range(m):
        cuts = sorted(draw(st.sets(st.integers(1, length - 1), min_size=1, max_size=6)))
        bounds = [0, *cuts, length]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            v = draw(st.sampled_from(["x", "y", None]))
            if v is not None:
                rows.append((f"c{k}", a, b, v))
    return rows, length, [f"c{k}" for k in range(m)]


@given(partitions(), st.sampled_from(["u", "|cu", "cu"]))
@settings(max_examples=80, deadline=None)
def test_agreement_unitized_matches_naive_definition(data, variant):
    rows, length, coders = data
    with np.errstate(all="ignore"):
        expected = naive_alpha(rows, length, coders, variant)
    assume(np.isfinite(expected) and abs(expected) < 1e6)
    got = unitized_alpha(
        seg(*rows), continuum_length=length, variant=variant, coders=coders
    )
    assert got == pytest.approx(expected, abs=1e-9)


# --- pooling, variants, errors --------------------------------------------------------


def test_agreement_unitized_pools_continua_end_to_end():
    s = seg(("A", 0, 5, "x"), ("B", 1, 5, "x"), ("A", 2, 6, "x"), ("B", 2, 8, "x"))
    s["transcript_id"] = ["t1", "t1", "t2", "t2"]
    pooled = unitized_alpha(s, continuum_length={"t1": 10, "t2": 12}, variant="|cu")
    laid = s.assign(
        start=s["start"] + np.where(s["transcript_id"] == "t2", 10, 0),
        end=s["end"] + np.where(s["transcript_id"] == "t2", 10, 0),
    )
    assert pooled == pytest.approx(
        unitized_alpha(laid, continuum_length=22, variant="|cu")
    )


def test_agreement_unitized_perfect_agreement_is_one():
    s = seg(("A", 3, 9, "x"), ("B", 3, 9, "x"), ("A", 12, 15, "y"), ("B", 12, 15, "y"))
    for variant in ("u", "|cu", "cu"):
        assert unitized_alpha(s, continuum_length=20, variant=variant) == pytest.approx(
            1.0
        )


def test_agreement_unitized_coder_without_segments_counts():
    s = seg(("A", 3, 9, "x"), ("B", 3, 9, "x"))
    two = unitized_alpha(s, continuum_length=20, variant="|cu")
    three = unitized_alpha(
        s, continuum_length=20, variant="|cu", coders=["A", "B", "C"]
    )
    assert two == pytest.approx(1.0) and three < 0.5


def test_agreement_unitized_Cu_uses_domains():  # noqa: N802 - the coefficient's name
    # codes differ but fall in the same domains: cu < 1, Cu = 1
    s = seg(
        ("A", 0, 5, "arrest"),
        ("B", 0, 5, "disrupt"),
        ("A", 8, 12, "divert"),
        ("B", 8, 12, "refer"),
    )
    domains = {
        "arrest": "pursue",
        "disrupt": "pursue",
        "divert": "prevent",
        "refer": "prevent",
    }
    assert unitized_alpha(s, continuum_length=15, variant="cu") < 0.5
    assert unitized_alpha(
        s, continuum_length=15, variant="Cu", domains=domains
    ) == pytest.approx(1.0)


def test_agreement_unitized_Cu_needs_domains():  # noqa: N802
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'domains'"):
        unitized_alpha(seg(("A", 0, 5, "x")), continuum_length=10, variant="Cu")


def test_agreement_unitized_overlapping_values_raise_for_u():
    s = seg(("A", 0, 5, "x"), ("A", 3, 8, "y"), ("B", 0, 5, "x"))
    with pytest.raises(InvalidInputError, match=r"\[QC605\].*coder 'A'.*'\|cu'"):
        unitized_alpha(s, continuum_length=10, variant="u")


def test_agreement_unitized_overlapping_values_fine_for_binary():
    s = seg(("A", 0, 5, "x"), ("A", 3, 8, "y"), ("B", 0, 8, "x"))
    assert unitized_alpha(s, continuum_length=10, variant="|cu") == pytest.approx(1.0)


@pytest.mark.parametrize(
    "row", [("A", -1, 4, "x"), ("A", 4, 4, "x"), ("A", 5, 11, "x")]
)
def test_agreement_unitized_bad_offsets_raise(row):
    with pytest.raises(InvalidInputError, match=r"\[QC606\]"):
        unitized_alpha(seg(row, ("B", 0, 3, "x")), continuum_length=10, variant="|cu")


def test_agreement_unitized_unknown_continuum_raises():
    s = seg(("A", 0, 4, "x"), ("B", 0, 3, "x")).assign(transcript_id=["t1", "t9"])
    with pytest.raises(InvalidInputError, match=r"\[QC606\].*t9"):
        unitized_alpha(s, continuum_length={"t1": 10}, variant="|cu")


def test_agreement_unitized_nothing_coded_is_nan_with_warning():
    with pytest.warns(UndefinedStatisticWarning, match=r"\[QC609\]"):
        value = unitized_alpha(
            seg(), continuum_length=10, variant="|cu", coders=["A", "B"]
        )
    assert np.isnan(value)


def test_agreement_unitized_bad_variant_raises():
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'variant'"):
        unitized_alpha(seg(("A", 0, 4, "x")), continuum_length=10, variant="k")


# --- Krippendorff (2019), Content Analysis, 4th ed., sect. 12.6, Figure 12.11 ---------
# Three observers unitize a continuum of 60 positions with values 1-7. Segments as
# encoded in the tests of the R package quallmer (tests/testthat/test-alpha_u.R,
# "Book example: Figure 12.11 from Krippendorff (2019, p. 340)"), 1-based inclusive
# [first, last] there, so [first - 1, last) here. Note Alex's two touching 6-units
# (33-37, 38-44) and Suzan's three (33-37, 38-41, 42-44): separate units in the book.
FIG_12_11 = {
    "Alex": [(1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"), (38, 44, "6"),
             (45, 60, "7")],
    "Paul": [(1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")],
    "Suzan": [(1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"), (38, 41, "6"),
              (42, 44, "6")],
}  # fmt: skip
BOOK = seg(*[(c, a - 1, b, v) for c, rows in FIG_12_11.items() for a, b, v in rows])


@pytest.mark.parametrize(
    "variant,expected",
    [("u", 0.510), ("|u", 0.413), ("|cu", 0.413), ("cu", 0.724)],
    ids=["u-alpha", "|u-alpha", "|cu (same)", "cu-alpha"],
)
def test_agreement_unitized_krippendorff_2019_figure_12_11(variant, expected):
    # Krippendorff (2019), Content Analysis, 4th ed., sect. 12.6, Fig. 12.11:
    # u-alpha .510, |u-alpha .413, cu-alpha .724
    got = unitized_alpha(BOOK, continuum_length=60, variant=variant)
    assert got == pytest.approx(expected, abs=1e-3)


def test_agreement_unitized_by_value_krippendorff_2019_figure_12_11():
    # (k)u-alpha per value, same figure: 1.0 for values 1, 5 and 6, 0.0 for 2, 3 and
    # 4; value 7 (Alex alone, facing only gaps) is undefined
    with pytest.warns(UndefinedStatisticWarning, match=r"\[QC609\].*'7'"):
        table = unitized_alpha_by_value(BOOK, continuum_length=60)
    got = dict(zip(table["code"], table["alpha"], strict=True))
    assert {k: got[k] for k in "123456"} == pytest.approx(
        {"1": 1.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 1.0, "6": 1.0}
    )
    assert np.isnan(got["7"])
    coverage = dict(zip(table["code"], table["coverage"], strict=True))
    # quallmer: 8 of the 18 coincidences of value 5 are with valued matter; 7 none
    assert coverage["5"] == pytest.approx(8 / 18) and coverage["7"] == 0


def test_agreement_unitized_by_value_schema():
    table = unitized_alpha_by_value(HAND, continuum_length=10)
    assert list(table.columns) == ["code", "alpha", "observed", "expected", "coverage"]
    assert table["code"].tolist() == ["x", "y"]


def test_agreement_unitized_touching_same_value_units_stay_separate():
    # One coder's touching same-value spans are two units (Krippendorff 2019, Fig.
    # 12.11), not one: splitting a unit changes expected coincidences (the sum of
    # squared unit lengths), so alpha differs from the merged reading.
    split = seg(
        ("A", 0, 4, "x"), ("A", 4, 10, "x"), ("B", 0, 10, "x"), ("B", 12, 14, "x")
    )
    whole = seg(("A", 0, 10, "x"), ("B", 0, 10, "x"), ("B", 12, 14, "x"))
    a = unitized_alpha(split, continuum_length=20, variant="u")
    b = unitized_alpha(whole, continuum_length=20, variant="u")
    assert a != pytest.approx(b)


def test_agreement_unitized_duplicate_segments_merge():
    # the same span coded twice by one coder is one unit (a true duplicate)
    twice = seg(
        ("A", 0, 10, "x"), ("A", 0, 10, "x"), ("B", 0, 10, "x"), ("B", 12, 14, "x")
    )
    once = seg(("A", 0, 10, "x"), ("B", 0, 10, "x"), ("B", 12, 14, "x"))
    for variant in ("u", "|u", "U"):
        assert unitized_alpha(
            twice, continuum_length=20, variant=variant
        ) == pytest.approx(unitized_alpha(once, continuum_length=20, variant=variant))


# --- alpha_U of Krippendorff (1995, 2004), as DKPro Statistics implements and tests ---
# dkpro-statistics-agreement, org/dkpro/statistics/agreement/unitizing/
# Krippendorff2004Test.java, Krippendorff1995Test.java, UnitizingAgreementTest.java
# (KrippendorffAlphaUnitizingAgreement). DKPro's units are (offset, length, rater,
# category); here [offset - begin, offset - begin + length).


def dkpro(begin, units):
    return seg(*[(f"r{r}", o - begin, o - begin + n, c) for o, n, r, c in units])


# Krippendorff (2004), Content Analysis, 2nd ed., p. 254: continuum [150, 450), 2 raters
KRIPP_2004 = dkpro(
    150,
    [(225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"),
     (400, 20, 1, "c"), (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"),
     (300, 50, 1, "k")],
)  # fmt: skip


def test_agreement_unitized_alpha_U_krippendorff_2004_p254():  # noqa: N802
    # Krippendorff (2004, p. 254), DKPro Krippendorff2004Test: alpha_U .8591
    got = unitized_alpha(KRIPP_2004, continuum_length=300, variant="U")
    assert got == pytest.approx(0.8591, abs=5e-4)


def test_agreement_unitized_alpha_U_by_category_krippendorff_2004():  # noqa: N802
    # DKPro Krippendorff2004Test.testCategoryAgreement: c D_o .0144, D_e .0532,
    # alpha .7286; k D_o 0, D_e .0490, alpha 1
    t = unitized_alpha_by_value(KRIPP_2004, continuum_length=300, variant="U")
    t = t.set_index("code")
    assert t.loc["c", ["observed", "expected", "alpha"]].tolist() == pytest.approx(
        [0.0144, 0.0532, 0.7286], abs=1e-4
    )
    assert t.loc["k", ["observed", "expected", "alpha"]].tolist() == pytest.approx(
        [0.0, 0.0490, 1.0], abs=1e-4
    )


def kripp_1995(stretch):
    # Krippendorff (1995), Sociological Methodology 25, p. 57: four pairs of coders,
    # one category each (A-D), continuum of 24 stretched by ``stretch``
    units = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"),
        (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"),
        (0, 2, 1, "C"), (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"),
        (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"),
        (20, 4, 0, "D"), (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"),
        (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip
    return dkpro(0, [(o * stretch, n * stretch, r, c) for o, n, r, c in units])


def test_agreement_unitized_alpha_U_observed_krippendorff_1995():  # noqa: N802
    # DKPro Krippendorff1995Test.testAgreement: D_o per category at stretch 1
    t = unitized_alpha_by_value(kripp_1995(1), continuum_length=24, variant="U")
    assert t["observed"].tolist() == pytest.approx(
        [0.03125, 2.26736, 0.02777, 0.38715], abs=1e-5
    )


def test_agreement_unitized_alpha_U_expected_krippendorff_1995():  # noqa: N802
    # DKPro Krippendorff1995Test.testAgreement at stretch 1200000/24 (the published
    # D_e are the limit of a fine continuum): D_e .06990, 1.17731, .08642, .41445
    # (abs .005), alpha .553, -.926, .679, .066 (abs .02)
    t = unitized_alpha_by_value(
        kripp_1995(50_000), continuum_length=1_200_000, variant="U"
    )
    assert t["expected"].tolist() == pytest.approx(
        [0.06990, 1.17731, 0.08642, 0.41445], abs=5e-3
    )
    assert t["alpha"].tolist() == pytest.approx([0.553, -0.926, 0.679, 0.066], abs=0.02)


def test_agreement_unitized_alpha_U_dkpro_example():  # noqa: N802
    # DKPro UnitizingAgreementTest: r0 -11111111-, r1 --1-1-1--- on 10 positions:
    # D_o .9100, D_e .5351, alpha -.7003
    s = dkpro(0, [(1, 8, 0, "A"), (2, 1, 1, "A"), (4, 1, 1, "A"), (6, 1, 1, "A")])
    t = unitized_alpha_by_value(s, continuum_length=10, variant="U")
    assert t.loc[0, ["observed", "expected", "alpha"]].tolist() == pytest.approx(
        [0.9100, 0.5351, -0.7003], abs=1e-4
    )
    assert unitized_alpha(s, continuum_length=10, variant="U") == pytest.approx(
        -0.7003, abs=1e-4
    )


def test_agreement_unitized_alpha_U_single_unit_is_zero():  # noqa: N802
    # DKPro UnitizingAgreementTest.testSingleAnnotationUnit: 3 raters, one unit: 0
    s = seg(("r0", 0, 1, "X"))
    got = unitized_alpha(s, continuum_length=20, variant="U", coders=["r0", "r1", "r2"])
    assert got == pytest.approx(0.0, abs=1e-12)


def test_agreement_unitized_alpha_U_nothing_coded_is_nan():  # noqa: N802
    # DKPro UnitizingAgreementTest.testEmptyAnnotationSet: NaN
    with pytest.warns(UndefinedStatisticWarning, match=r"\[QC609\]"):
        got = unitized_alpha(seg(), continuum_length=20, variant="U", coders=["a", "b"])
    assert np.isnan(got)


def test_agreement_unitized_by_value_bad_variant_raises():
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'variant'"):
        unitized_alpha_by_value(HAND, continuum_length=10, variant="cu")


def test_agreement_unitized_alpha_U_pools_continua():  # noqa: N802
    # the same study in two transcripts: segments of t2 are found on t2, and a unit
    # at the start of t2 does not sit inside a gap that began in t1
    s = KRIPP_2004.assign(transcript_id="t1")
    both = pd.concat([s, s.assign(transcript_id="t2")], ignore_index=True)
    pooled = unitized_alpha(both, continuum_length={"t1": 300, "t2": 300}, variant="U")
    assert np.isfinite(pooled) and abs(pooled - 0.8591) < 0.05
