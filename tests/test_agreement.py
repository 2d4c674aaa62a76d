"""Agreement coefficients: published examples, independent implementations, edges.

Cross-check values and where they come from are listed in tests/reference/README.md.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import qualcode as qc
from qualcode import agreement as ag
from qualcode.errors import InvalidInputError, UndefinedStatisticWarning

# --- published worked examples ---------------------------------------------------

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, reliability data
# of 4 observers x 12 units with missing values (also Hayes & Krippendorff 2007 and the
# `krippendorff` package doctests): nominal .743, ordinal .815, interval .849,
# ratio .797.
KRIPPENDORFF_2011 = [
    ("nominal", 0.743),
    ("ordinal", 0.815),
    ("interval", 0.849),
    ("ratio", 0.797),
]


@pytest.mark.parametrize(
    "level,expected", KRIPPENDORFF_2011, ids=[x[0] for x in KRIPPENDORFF_2011]
)
def test_agreement_krippendorff_2011_published_alphas(level, expected):
    data = qc.datasets.load("krippendorff_2011")
    assert ag.krippendorff_alpha(data, level=level) == pytest.approx(expected, abs=1e-3)


def test_agreement_fleiss_1971_published_kappa():
    # Fleiss, J. L. (1971), Psychological Bulletin 76(5): 30 patients, 6 psychiatrists,
    # 5 diagnoses; kappa = .430.
    assert ag.fleiss_kappa(qc.datasets.load("fleiss_1971")) == pytest.approx(
        0.430, abs=1e-3
    )


ARTSTEIN_POESIO = [
    ("artstein_poesio_table1", 0.348, 5e-4),
    ("artstein_poesio_table4", 0.8013, 5e-5),
]


@pytest.mark.parametrize("name,expected,tol", ARTSTEIN_POESIO, ids=["table1", "table4"])
def test_agreement_cohen_artstein_poesio_published_kappa(name, expected, tol):
    # Artstein & Poesio (2008), Computational Linguistics 34(4), Tables 1 and 4.
    assert ag.cohen_kappa(qc.datasets.load(name)) == pytest.approx(expected, abs=tol)


# Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed.: the 4 raters x 12
# subjects example (Krippendorff's data), as printed by irrCAC's README (R package by
# Gwet): pa .8181818, AC1 .77544, Fleiss .76117, Brennan-Prediger .77273, alpha .74342.
GWET_RAW4 = [
    ("percent_agreement", 0.8181818),
    ("gwet_ac1", 0.77544),
    ("fleiss_kappa", 0.76117),
    ("brennan_prediger", 0.77273),
    ("krippendorff_alpha", 0.74342),
]


@pytest.mark.parametrize("name,expected", GWET_RAW4, ids=[x[0] for x in GWET_RAW4])
def test_agreement_gwet_2014_four_raters_published_values(name, expected):
    data = qc.datasets.load("krippendorff_2011")
    assert getattr(ag, name)(data) == pytest.approx(expected, abs=1e-5)


# Gwet (2014) 3x3 table of 100 women classified by 2 abstractors (irrCAC
# cont3x3abstractors, README output): Cohen .7964094, Scott .7962397, AC1 .8493305,
# Brennan-Prediger .835, Krippendorff .7972585, percent agreement .89.
GWET_TABLE = [
    ("cohen_kappa", 0.7964094),
    ("scott_pi", 0.7962397),
    ("gwet_ac1", 0.8493305),
    ("brennan_prediger", 0.835),
    ("krippendorff_alpha", 0.7972585),
    ("percent_agreement", 0.89),
]


@pytest.mark.parametrize("name,expected", GWET_TABLE, ids=[x[0] for x in GWET_TABLE])
def test_agreement_gwet_2014_abstractors_published_values(name, expected):
    data = qc.datasets.load("gwet_2014_abstractors")
    assert getattr(ag, name)(data) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize(
    "weights,expected", [("quadratic", 0.9140007236), ("linear", 0.8587391364)]
)
def test_agreement_gwet_ac2_matches_irrcac_weighted(weights, expected):
    # irrCAC (Python) CAC(data, weights=..., digits=10).gwet(), see tests/reference.
    data = qc.datasets.load("krippendorff_2011")
    assert ag.gwet_ac2(data, weights=weights) == pytest.approx(expected, abs=1e-9)


# --- regression: chance agreement terms are added over categories -------------------


def test_agreement_chance_terms_added_not_multiplied():
    # Artstein & Poesio Table 1: po = .70; coder A says Stat 40%, B 30%.
    # Right: pe = .4*.3 + .6*.7 = .54 -> kappa = (.70 - .54)/(1 - .54) = .3478.
    # The bug seen in a QDA tool multiplies the terms: pe = (.4*.3)*(.6*.7) = .0504
    # -> kappa = .6840. We must give the first.
    data = qc.datasets.load("artstein_poesio_table1")
    kappa = ag.cohen_kappa(data)
    assert kappa == pytest.approx((0.70 - 0.54) / (1 - 0.54), abs=1e-12)
    assert abs(kappa - (0.70 - 0.0504) / (1 - 0.0504)) > 0.3


@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=5, max_size=40)
)
@settings(max_examples=60, deadline=None)
def test_agreement_kappa_chance_is_sum_over_categories(pairs):
    a = np.array(pairs)
    cats = np.unique(a)
    pe = sum((a[:, 0] == c).mean() * (a[:, 1] == c).mean() for c in cats)
    assume(1 - pe > 1e-9)
    po = (a[:, 0] == a[:, 1]).mean()
    assert ag.cohen_kappa(a) == pytest.approx((po - pe) / (1 - pe), abs=1e-12)


# --- independent implementations (installed for tests only) -------------------------


@st.composite
def reliability_arrays(draw, min_coders=2, max_coders=5, missing=True, values=5):
    n = draw(st.integers(3, 25))
    m = draw(st.integers(min_coders, max_coders))
    cells = draw(st.lists(st.integers(1, values), min_size=n * m, max_size=n * m))
    arr = np.array(cells, dtype=float).reshape(n, m)
    if missing:
        mask = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
        arr[
            np.array(mask).reshape(n, m) & (np.arange(n * m).reshape(n, m) % 3 == 0)
        ] = np.nan
    return arr


@given(
    reliability_arrays(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"])
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_agreement_krippendorff_matches_krippendorff_package(arr, level):
    krippendorff = pytest.importorskip("krippendorff")
    pairable = arr[(~np.isnan(arr)).sum(1) >= 2]
    assume(len(np.unique(pairable[~np.isnan(pairable)])) >= 2)
    expected = krippendorff.alpha(reliability_data=arr.T, level_of_measurement=level)
    assume(np.isfinite(expected))
    assert ag.krippendorff_alpha(arr, level=level) == pytest.approx(expected, abs=1e-9)


@given(
    reliability_arrays(2, 2, missing=False),
    st.sampled_from([None, "linear", "quadratic"]),
)
@settings(max_examples=80, deadline=None)
def test_agreement_cohen_matches_sklearn(arr, weights):
    metrics = pytest.importorskip("sklearn.metrics")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = metrics.cohen_kappa_score(arr[:, 0], arr[:, 1], weights=weights)
    assume(np.isfinite(expected))
    assert ag.cohen_kappa(arr, weights=weights) == pytest.approx(expected, abs=1e-9)


@given(reliability_arrays(2, 6, missing=False))
@settings(max_examples=60, deadline=None)
def test_agreement_fleiss_matches_statsmodels(arr):
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    table, _ = inter_rater.aggregate_raters(arr.astype(int))
    with np.errstate(all="ignore"):
        expected = inter_rater.fleiss_kappa(table)
    assume(np.isfinite(expected) and abs(expected) < 1e6)
    assert ag.fleiss_kappa(arr) == pytest.approx(expected, abs=1e-9)


# --- properties -----------------------------------------------------------------------

SYMMETRIC = [
    "percent_agreement",
    "fleiss_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "krippendorff_alpha",
]


@given(reliability_arrays(2, 5), st.randoms(use_true_random=False))
@settings(max_examples=50, deadline=None)
def test_agreement_coefficients_symmetric_in_coder_order(arr, rnd):
    perm = list(range(arr.shape[1]))
    rnd.shuffle(perm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        for name in SYMMETRIC:
            a, b = getattr(ag, name)(arr), getattr(ag, name)(arr[:, perm])
            assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-12), (
                name
            )
        if arr.shape[1] == 2:
            for name in ("cohen_kappa", "scott_pi"):
                a, b = getattr(ag, name)(arr), getattr(ag, name)(arr[:, ::-1])
                assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(
                    b, abs=1e-12
                ), name


@given(
    st.lists(st.sampled_from(["arrest", "divert", "refer"]), min_size=4, max_size=30)
)
@settings(max_examples=40, deadline=None)
def test_agreement_identical_codings_give_one(codes):
    assume(len(set(codes)) >= 2)
    data = pd.DataFrame({"AB": codes, "CD": codes})
    for name in (
        "cohen_kappa",
        "scott_pi",
        "fleiss_kappa",
        "gwet_ac1",
        "krippendorff_alpha",
        "brennan_prediger",
        "percent_agreement",
    ):
        assert getattr(ag, name)(data) == pytest.approx(1.0), name


def test_agreement_string_and_array_inputs_agree():
    codes = ["a", "b", "a", "c", "b", "a"]
    other = ["a", "b", "b", "c", "b", "c"]
    as_frame = ag.cohen_kappa(pd.DataFrame({"x": codes, "y": other}))
    as_array = ag.cohen_kappa(np.array([codes, other], dtype=object).T)
    as_numbers = ag.cohen_kappa(
        np.array([[ord(a), ord(b)] for a, b in zip(codes, other, strict=True)])
    )
    assert as_frame == pytest.approx(as_array) == pytest.approx(as_numbers)


def test_agreement_cohen_uses_pairwise_complete_units():
    data = pd.DataFrame({"AB": [1, 2, 1, np.nan, 2], "CD": [1, 2, 2, 1, np.nan]})
    assert ag.cohen_kappa(data) == pytest.approx(ag.cohen_kappa(data.dropna()))


# --- undefined statistics -----------------------------------------------------------

ALL = [
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "krippendorff_alpha",
]


@pytest.mark.parametrize(
    "name", ["cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha"]
)
def test_agreement_single_category_is_nan_with_warning(name):
    data = pd.DataFrame({"AB": ["x"] * 5, "CD": ["x"] * 5})
    with pytest.warns(UndefinedStatisticWarning, match=r"\[QC609\]"):
        assert np.isnan(getattr(ag, name)(data))


@pytest.mark.parametrize("name", ALL)
def test_agreement_no_doubly_coded_unit_is_nan_with_warning(name):
    data = pd.DataFrame({"AB": [1, np.nan, 2], "CD": [np.nan, 2, np.nan]})
    with pytest.warns(UndefinedStatisticWarning, match="two or more coders"):
        assert np.isnan(getattr(ag, name)(data))


# --- errors ---------------------------------------------------------------------------

BAD_CALLS = [
    ("krippendorff_alpha", {"level": "bogus"}, r"\[QC101\].*'level'"),
    ("cohen_kappa", {"weights": "cubic"}, r"\[QC101\].*'weights'"),
    ("gwet_ac2", {"weights": "cubic"}, r"\[QC101\].*'weights'"),
    ("bootstrap_ci", {"statistic": "spearman"}, r"\[QC101\].*'statistic'"),
    ("fleiss_kappa", {"categories": [1, 2]}, r"\[QC604\].*\[3"),
    ("bootstrap_ci", {"n_boot": 0}, r"\[QC101\].*'n_boot'"),
    ("bootstrap_ci", {"ci": 95}, r"\[QC101\].*'ci'"),
]


@pytest.mark.parametrize(
    "name,kwargs,match",
    BAD_CALLS,
    ids=[f"{n}-{next(iter(k))}" for n, k, _ in BAD_CALLS],
)
def test_agreement_bad_options_raise(name, kwargs, match):
    data = pd.DataFrame({"AB": [1, 2, 3], "CD": [1, 2, 2]})
    with pytest.raises(InvalidInputError, match=match):
        getattr(ag, name)(data, **kwargs)


@pytest.mark.parametrize("name", ["cohen_kappa", "scott_pi"])
def test_agreement_two_coder_coefficients_reject_three_coders(name):
    data = pd.DataFrame({"AB": [1, 2], "CD": [1, 2], "EF": [2, 2]})
    with pytest.raises(InvalidInputError, match=r"\[QC602\].*exactly 2.*fleiss_kappa"):
        getattr(ag, name)(data)


def test_agreement_interval_alpha_needs_numbers():
    data = pd.DataFrame({"AB": ["low", "high"], "CD": ["low", "low"]})
    with pytest.raises(InvalidInputError, match=r"\[QC603\]"):
        ag.krippendorff_alpha(data, level="interval")


def test_agreement_one_coder_column_raises():
    with pytest.raises(InvalidInputError, match=r"\[QC602\].*at least 2"):
        ag.fleiss_kappa(pd.DataFrame({"AB": [1, 2]}))


def test_agreement_ordinal_uses_given_category_order():
    data = pd.DataFrame(
        {"AB": ["low", "mid", "high", "mid"], "CD": ["low", "high", "high", "low"]}
    )
    ordered = ag.krippendorff_alpha(
        data, level="ordinal", categories=["low", "mid", "high"]
    )
    alphabetical = ag.krippendorff_alpha(data, level="ordinal")  # high < low < mid
    assert ordered != pytest.approx(alphabetical)


# --- bootstrap ------------------------------------------------------------------------


def test_agreement_bootstrap_ci_is_seeded():
    data = qc.datasets.load("gwet_2014_abstractors")
    a = ag.bootstrap_ci(data, "cohen_kappa", n_boot=300, seed=7)
    b = ag.bootstrap_ci(data, "cohen_kappa", n_boot=300, seed=7)
    assert a == b
    assert a[0] < ag.cohen_kappa(data) < a[1]


def test_agreement_bootstrap_matches_explicit_unit_resampling():
    # multinomial pattern counts = resampling units: compare the two intervals
    data = qc.datasets.load("gwet_2014_abstractors")
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(data), size=(400, len(data)))
    explicit = [ag.krippendorff_alpha(data.iloc[i]) for i in idx]
    lo, hi = ag.bootstrap_ci(data, "krippendorff_alpha", n_boot=4000, seed=3)
    elo, ehi = np.quantile(explicit, [0.025, 0.975])
    assert lo == pytest.approx(elo, abs=0.03) and hi == pytest.approx(ehi, abs=0.03)
