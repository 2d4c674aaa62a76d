"""Agreement coefficients on a units x coders table, and their bootstrap intervals.

Reliability data are a units x coders table (rows = units, columns = coders,
``NaN`` = the coder did not code that unit), given as a DataFrame or a 2-D array.
Every coefficient is computed from the *pattern counts* of the data (how many units
show each distinct row of codings), so the work is vectorised NumPy: rows are
encoded as integers, counted with ``np.bincount``/``np.unique``, and the category
count matrix, coincidence matrix and chance terms are matrix products over the
distinct patterns. The same internals compute percentile bootstrap confidence
intervals by drawing multinomial pattern counts (equivalent to resampling units
with replacement).

Conventions shared by all coefficients
--------------------------------------
- Chance agreement is a **sum over categories** (for instance
  ``pe = sum_k p_k. * p_.k`` for Cohen's kappa), never a product.
- An undefined coefficient (no unit coded by two coders, chance agreement equal
  to 1, expected disagreement 0) is returned as ``nan`` with an
  :class:`~qualcode.errors.UndefinedStatisticWarning`; it is never 0.
- Categories are the distinct values observed (or ``categories=``), sorted; weights
  for ordered categories use the rank of each category in that order.

These functions know nothing of files, projects or transcripts: they take a
DataFrame or an array and return a float (see :mod:`qualcode.agreement.tables` for
the tables built from a project).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from qualcode._validation import check_choice, check_number
from qualcode.agreement._kernels import (
    LEVELS,
    _agreement_weights,
    _category_counts,
    _k_alpha,
    _k_bp,
    _k_fleiss,
    _k_gwet,
    _k_pair,
    _k_percent,
    _multinomial,
    _percentile,
    _prepare,
    _undefined,
)
from qualcode.errors import Errors, InvalidInputError

__all__ = [
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
]


def percent_agreement(data: Any) -> float:
    """Observed proportion of agreement, for any number of coders.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data: one row per unit, one column per coder, NaN = not coded.

    Returns
    -------
    float
        Mean over units coded by at least two coders of the share of agreeing coder
        pairs in the unit; nan with UndefinedStatisticWarning if no unit has two
        codings.

    Notes
    -----
    ``pa = (1/n') sum_i sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))`` over the ``n'``
    units with ``r_i >= 2`` codings, ``r_ik`` coders putting unit ``i`` in category
    ``k`` (Gwet 2014, ch. 2). With two coders this is the share of units, among those
    both coded, on which they agree. Unit of analysis: the rows of ``data``.

    References
    ----------
    .. [1] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed.
       Advanced Analytics. (irrCAC ``pa.coeff.raw``: 0.8181818 on Krippendorff's data.)

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.percent_agreement(qc.datasets.load("krippendorff_2011")), 4)
    0.8182
    """
    enc, q, pat, w = _prepare(data, "percent_agreement")
    R = _category_counts(pat, q)
    return _undefined(
        _k_percent(R, w, np.eye(q))[0], "percent_agreement", "percent agreement", R
    )


def cohen_kappa(
    data: Any,
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    categories: Sequence[Any] | None = None,
) -> float:
    """Cohen's kappa for two coders (unweighted, linear or quadratic weights).

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, 2)
        Reliability data with exactly two coder columns, NaN = not coded.
    weights : {"linear", "quadratic"}, optional
        Disagreement weights ``|i - j|`` or ``(i - j)^2`` on category ranks, as in
        scikit-learn; None (default) for nominal codes.
    categories : sequence, optional
        All categories in order (default: the sorted observed values). Only the
        order matters, for the weights.

    Returns
    -------
    float
        Kappa in [-1, 1]; nan with UndefinedStatisticWarning if chance agreement is 1
        or no unit was coded by both coders.

    Raises
    ------
    InvalidInputError
        If ``data`` does not have exactly two coder columns [QC602].

    Notes
    -----
    ``kappa = (po - pe) / (1 - pe)`` with ``po = sum_kl w_kl p_kl`` and
    ``pe = sum_kl w_kl p_k. p_.l``: each coder's own marginal proportions, chance
    terms **added** over categories (``w`` = identity when unweighted). Missing values:
    only units coded by both coders (pairwise complete) are used.

    References
    ----------
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales.
       Educational and Psychological Measurement 20(1), 37-46.
    .. [2] Artstein, R. & Poesio, M. (2008). Inter-coder agreement for computational
       linguistics. Computational Linguistics 34(4), 555-596, Tables 1 and 4.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.cohen_kappa(qc.datasets.load("artstein_poesio_table1")), 3)
    0.348
    >>> round(qc.agreement.cohen_kappa(qc.datasets.load("artstein_poesio_table4")), 4)
    0.8013
    """
    enc, q, pat, w = _prepare(data, "cohen_kappa", categories, n_coders=2)
    wa = _agreement_weights(weights, q, "cohen_kappa")
    value = _k_pair(pat, w, q, wa, "cohen")[0] if q else np.nan
    return _undefined(value, "cohen_kappa", "Cohen's kappa", _category_counts(pat, q))


def scott_pi(data: Any, *, categories: Sequence[Any] | None = None) -> float:
    """Scott's pi for two coders.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, 2)
        Reliability data with exactly two coder columns, NaN = not coded.
    categories : sequence, optional
        All categories (default: the observed values).

    Returns
    -------
    float
        Pi; nan with UndefinedStatisticWarning if chance agreement is 1.

    Raises
    ------
    InvalidInputError
        If ``data`` does not have exactly two coder columns [QC602]. For more
        coders use :func:`fleiss_kappa`, its multi-coder generalisation.

    Notes
    -----
    ``pi = (po - pe) / (1 - pe)``, ``pe = sum_k pi_k^2`` with
    ``pi_k = (p_k. + p_.k) / 2`` the pooled share of category ``k`` (one shared
    distribution for both coders; terms added over categories). Missing values:
    pairwise complete units only.

    References
    ----------
    .. [1] Scott, W. A. (1955). Reliability of content analysis: the case of nominal
       scale coding. Public Opinion Quarterly 19(3), 321-325.
    .. [2] Gwet (2014), irrCAC ``scott2.table(cont3x3abstractors)`` = 0.7962397.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.scott_pi(qc.datasets.load("gwet_2014_abstractors")), 4)
    0.7962
    """
    enc, q, pat, w = _prepare(data, "scott_pi", categories, n_coders=2)
    value = _k_pair(pat, w, q, np.eye(q), "scott")[0] if q else np.nan
    return _undefined(value, "scott_pi", "Scott's pi", _category_counts(pat, q))


def fleiss_kappa(data: Any, *, categories: Sequence[Any] | None = None) -> float:
    """Fleiss' kappa for two or more coders, with missing values.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded. Coders need not be the same people for
        every unit (Fleiss 1971).
    categories : sequence, optional
        All categories (default: the observed values).

    Returns
    -------
    float
        Kappa; nan with UndefinedStatisticWarning if chance agreement is 1.

    Notes
    -----
    ``kappa = (pa - pe) / (1 - pe)``, ``pe = sum_k pi_k^2`` where ``pi_k`` is the mean
    over units (coded by at least one coder) of the share of the unit's codings in
    category ``k``, and ``pa`` is :func:`percent_agreement`. Missing values follow
    Gwet (2014): a varying number of coders per unit, units with one coding count in
    ``pi_k`` but not in ``pa``. Equals statsmodels' ``fleiss_kappa`` on complete data.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin 76(5), 378-382 (30 patients x 6 raters: 0.430).
    .. [2] Gwet (2014), ch. 2; irrCAC ``fleiss.kappa.raw``.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.fleiss_kappa(qc.datasets.load("fleiss_1971")), 3)
    0.43
    """
    enc, q, pat, w = _prepare(data, "fleiss_kappa", categories)
    R = _category_counts(pat, q)
    return _undefined(_k_fleiss(R, w, np.eye(q))[0], "fleiss_kappa", "Fleiss' kappa", R)


def brennan_prediger(data: Any, *, categories: Sequence[Any] | None = None) -> float:
    """Brennan-Prediger coefficient (uniform chance agreement), any number of coders.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded.
    categories : sequence, optional
        All categories available to the coders; their number ``q`` sets chance
        agreement (default: the observed values).

    Returns
    -------
    float
        Coefficient; nan with UndefinedStatisticWarning if no unit has two codings.

    Notes
    -----
    ``(pa - 1/q) / (1 - 1/q)`` with ``pa`` from :func:`percent_agreement` (units with
    at least two codings) and ``q`` the number of categories.

    References
    ----------
    .. [1] Brennan, R. L. & Prediger, D. J. (1981). Coefficient kappa: some uses,
       misuses, and alternatives. Educational and Psychological Measurement 41, 687-699.
    .. [2] Gwet (2014); irrCAC ``bp.coeff.raw(cac.raw4raters)`` = 0.77273.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.brennan_prediger(qc.datasets.load("krippendorff_2011")), 5)
    0.77273
    """
    enc, q, pat, w = _prepare(data, "brennan_prediger", categories)
    R = _category_counts(pat, q)
    return _undefined(
        _k_bp(R, w, np.eye(q))[0], "brennan_prediger", "Brennan-Prediger", R
    )


def gwet_ac1(data: Any, *, categories: Sequence[Any] | None = None) -> float:
    """Gwet's AC1 for two or more coders, with missing values.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded.
    categories : sequence, optional
        All categories available (default: the observed values); their number ``q``
        enters chance agreement.

    Returns
    -------
    float
        AC1; nan with UndefinedStatisticWarning if undefined (fewer than two
        categories, or no unit coded twice).

    Notes
    -----
    ``AC1 = (pa - pe) / (1 - pe)``, ``pe = 1/(q - 1) sum_k pi_k (1 - pi_k)``
    (terms added over categories), ``pi_k`` and ``pa`` as in :func:`fleiss_kappa`
    (Gwet 2014 multi-rater form, varying number of coders per unit).

    References
    ----------
    .. [1] Gwet, K. L. (2008). Computing inter-rater reliability and its variance in
       the presence of high agreement. British Journal of Mathematical and
       Statistical Psychology 61, 29-48.
    .. [2] Gwet (2014); irrCAC ``gwet.ac1.raw(cac.raw4raters)`` = 0.77544 and
       ``gwet.ac1.table(cont3x3abstractors)`` = 0.8493305.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.gwet_ac1(qc.datasets.load("krippendorff_2011")), 5)
    0.77544
    """
    enc, q, pat, w = _prepare(data, "gwet_ac1", categories)
    R = _category_counts(pat, q)
    return _undefined(_k_gwet(R, w, np.eye(q))[0], "gwet_ac1", "Gwet's AC1", R)


def gwet_ac2(
    data: Any,
    *,
    weights: Literal["linear", "quadratic"] | np.ndarray = "quadratic",
    categories: Sequence[Any] | None = None,
) -> float:
    """Gwet's AC2: AC1 with agreement weights for ordered categories.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded.
    weights : {"linear", "quadratic"} or array of shape (q, q), default "quadratic"
        Agreement weights ``1 - |i-j|/(q-1)`` or ``1 - (i-j)^2/(q-1)^2`` on category
        ranks, or a custom matrix.
    categories : sequence, optional
        All categories in order (default: the sorted observed values).

    Returns
    -------
    float
        AC2; nan with UndefinedStatisticWarning if undefined.

    Notes
    -----
    ``pa = (1/n') sum_i sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` with
    ``r*_ik = sum_l w_kl r_il``; ``pe = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)``
    with ``T_w`` the sum of the weights (Gwet 2014, ch. 3). Missing values as in
    :func:`gwet_ac1`.

    References
    ----------
    .. [1] Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 3.

    Examples
    --------
    >>> import qualcode as qc
    >>> round(qc.agreement.gwet_ac2(qc.datasets.load("krippendorff_2011")), 3)
    0.914
    """
    enc, q, pat, w = _prepare(data, "gwet_ac2", categories)
    wa = _agreement_weights(weights, q, "gwet_ac2")
    R = _category_counts(pat, q)
    return _undefined(_k_gwet(R, w, wa)[0], "gwet_ac2", "Gwet's AC2", R)


def krippendorff_alpha(
    data: Any,
    *,
    level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
    categories: Sequence[Any] | None = None,
) -> float:
    """Krippendorff's alpha for any number of coders, missing values and four metrics.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Metric of the difference function. ``interval`` and ``ratio`` need numeric
        values; ``ordinal`` uses the order of the sorted values (or ``categories``).
    categories : sequence, optional
        All categories in order (default: the sorted observed values).

    Returns
    -------
    float
        Alpha; nan with UndefinedStatisticWarning if expected disagreement is 0 or no
        unit has two codings.

    Raises
    ------
    InvalidInputError
        For an unknown ``level`` [QC101] or non-numeric values with
        ``interval``/``ratio`` [QC603].

    Notes
    -----
    Coincidences ``o_ck = sum_u (number of c-k pairs of codings in u) / (m_u - 1)``
    over units with ``m_u >= 2`` codings (units coded once are not pairable and drop
    out); ``n_c = sum_k o_ck``, ``n = sum_c n_c``;
    ``alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck`` with ``d_ck`` 1 for
    ``c != k`` (nominal), ``(sum_{g=c..k} n_g - (n_c + n_k)/2)^2`` (ordinal),
    ``(c - k)^2`` (interval) or ``((c - k)/(c + k))^2`` (ratio).

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
       Annenberg School for Communication, University of Pennsylvania. Worked
       example: nominal .743, ordinal .815, interval .849, ratio .797.
    .. [2] Krippendorff, K. (2004). Content Analysis, 2nd ed., ch. 11. Sage.

    Examples
    --------
    >>> import qualcode as qc
    >>> data = qc.datasets.load("krippendorff_2011")
    >>> [
    ...     round(qc.agreement.krippendorff_alpha(data, level=lv), 3)
    ...     for lv in ("nominal", "ordinal", "interval", "ratio")
    ... ]
    [0.743, 0.815, 0.849, 0.797]
    """
    check_choice(level, LEVELS, param="level", caller="krippendorff_alpha")
    enc, q, pat, w = _prepare(data, "krippendorff_alpha", categories)
    if level in ("interval", "ratio") and not enc.numeric:
        raise InvalidInputError(
            Errors.QC603.format(
                caller="krippendorff_alpha",
                level=level,
                examples=enc.categories[:5].tolist(),
            )
        )
    R = _category_counts(pat, q)
    value = _k_alpha(R, w, level, enc.categories)[0] if q else np.nan
    return _undefined(value, "krippendorff_alpha", f"Krippendorff's alpha ({level})", R)


_BOOT_STATS = (
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "krippendorff_alpha",
)


def _stat_vector(
    name: str,
    pat: np.ndarray,
    R: np.ndarray,
    W: np.ndarray,
    q: int,
    cats: np.ndarray,
) -> np.ndarray:
    eye = np.eye(q)
    if name == "percent_agreement":
        return _k_percent(R, W, eye)
    if name == "fleiss_kappa":
        return _k_fleiss(R, W, eye)
    if name == "gwet_ac1":
        return _k_gwet(R, W, eye)
    if name == "brennan_prediger":
        return _k_bp(R, W, eye)
    if name == "krippendorff_alpha":
        return _k_alpha(R, W, "nominal", cats)
    return _k_pair(pat, W, q, eye, "cohen" if name == "cohen_kappa" else "scott")


def bootstrap_ci(
    data: Any,
    statistic: str = "krippendorff_alpha",
    *,
    n_boot: int = 1000,
    seed: int | None = 0,
    ci: float = 0.95,
    categories: Sequence[Any] | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval over units for a nominal coefficient.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_units, n_coders)
        Reliability data, NaN = not coded.
    statistic : str, default "krippendorff_alpha"
        One of ``percent_agreement``, ``cohen_kappa``, ``scott_pi``,
        ``fleiss_kappa``, ``brennan_prediger``, ``gwet_ac1``,
        ``krippendorff_alpha`` (nominal).
    n_boot : int, default 1000
        Number of bootstrap replicates.
    seed : int or None, default 0
        Seed of ``numpy.random.default_rng``; results are reproducible.
    ci : float, default 0.95
        Coverage of the interval.
    categories : sequence, optional
        All categories (default: observed values).

    Returns
    -------
    tuple of float
        ``(low, high)``; ``(nan, nan)`` if no replicate is defined.

    Notes
    -----
    Units are resampled with replacement ``n_boot`` times; because every coefficient
    depends on the data only through how many units show each distinct row of
    codings, each replicate is drawn as multinomial counts over those rows (exactly
    equivalent, and vectorised). Replicates where the coefficient is undefined are
    dropped before taking the ``(1 - ci)/2`` and ``1 - (1 - ci)/2`` quantiles.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap, ch. 13.

    Examples
    --------
    >>> import qualcode as qc
    >>> lo, hi = qc.agreement.bootstrap_ci(
    ...     qc.datasets.load("artstein_poesio_table1"),
    ...     "cohen_kappa",
    ...     n_boot=200,
    ...     seed=1,
    ... )
    >>> lo < 0.348 < hi
    True
    """
    check_choice(statistic, _BOOT_STATS, param="statistic", caller="bootstrap_ci")
    n_coders = 2 if statistic in ("cohen_kappa", "scott_pi") else None
    enc, q, pat, w = _prepare(data, "bootstrap_ci", categories, n_coders=n_coders)
    check_number(n_boot, param="n_boot", caller="bootstrap_ci", integer=True, low=1)
    check_number(
        ci,
        param="ci",
        caller="bootstrap_ci",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    R = _category_counts(pat, q)
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        boots = _stat_vector(
            statistic, pat, R, _multinomial(w[0], n_boot, rng), q, enc.categories
        )
    return _percentile(boots, ci)
