"""Inter-coder agreement: coefficients, unitizing alphas, tables, disagreements.

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

This module never touches files; :func:`agreement_table`, :func:`disagreements` and
:func:`resolve_disagreements` read and write through a :class:`qualcode.Project`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from qualcode._validation import check_choice, require_columns
from qualcode.errors import (
    CodebookError,
    Errors,
    InvalidInputError,
    UndefinedStatisticWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store import Project

__all__ = [
    "agreement_table",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "disagreements",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "percent_agreement",
    "reliability_data",
    "resolve_disagreements",
    "scott_pi",
    "unitized_alpha",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("linear", "quadratic")
VARIANTS = ("u", "|cu", "cu", "Cu")
TABLE_UNITS = ("turn", "sentence", "character")
POOLED = "(pooled)"
_TINY = 1e-12


# =============================================================================
# Encoding reliability data
# =============================================================================


@dataclass(frozen=True)
class _Encoded:
    codes: np.ndarray  # (N, m) int64, -1 = missing
    categories: np.ndarray  # (q,) sorted or as given
    coders: list[str]
    numeric: bool


def _as_matrix(data: Any, caller: str) -> tuple[np.ndarray, list[str], bool]:
    if isinstance(data, pd.DataFrame):
        coders = [str(c) for c in data.columns]
        numeric = len(data.columns) > 0 and all(
            pd.api.types.is_numeric_dtype(t) for t in data.dtypes
        )
        if numeric:
            arr = data.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = data.to_numpy(dtype=object)
        return arr, coders, numeric
    try:
        arr = np.asarray(data)
    except Exception as exc:  # ragged lists and the like
        raise InvalidInputError(
            Errors.QC101.format(
                param="data",
                caller=caller,
                expected="a units x coders DataFrame or 2-D array",
                got=type(data).__name__,
            )
        ) from exc
    if arr.ndim != 2:
        raise InvalidInputError(
            Errors.QC101.format(
                param="data",
                caller=caller,
                expected="a units x coders DataFrame or 2-D array",
                got=f"an array with {arr.ndim} dimension(s)",
            )
        )
    numeric = arr.dtype.kind in "biuf"
    arr = arr.astype(float) if numeric else arr.astype(object)
    return arr, [str(i) for i in range(arr.shape[1])], numeric


def _sort_uniques(uniq: np.ndarray) -> np.ndarray:
    try:
        return np.argsort(uniq, kind="stable")
    except TypeError:  # mixed types: order by type name, then text
        keys = [(type(u).__name__, str(u)) for u in uniq]
        return np.array(sorted(range(len(uniq)), key=keys.__getitem__), dtype=np.int64)


def _encode(
    data: Any,
    *,
    caller: str,
    categories: Sequence[Any] | None = None,
    n_coders: int | None = None,
) -> _Encoded:
    arr, coders, numeric = _as_matrix(data, caller)
    m = arr.shape[1]
    if n_coders is not None and m != n_coders:
        raise InvalidInputError(
            Errors.QC602.format(
                caller=caller,
                expected=f"exactly {n_coders}",
                got=m,
                coders=coders,
                hint="Select two coder columns, or use fleiss_kappa, gwet_ac1 or "
                "krippendorff_alpha for more coders.",
            )
        )
    if m < 2:
        raise InvalidInputError(
            Errors.QC602.format(
                caller=caller,
                expected="at least 2",
                got=m,
                coders=coders,
                hint="Reliability data have one column per coder.",
            )
        )
    codes = np.full(arr.shape, -1, dtype=np.int64)
    if numeric:
        miss = np.isnan(arr)
        vals = arr[~miss]
        if categories is not None:
            try:
                cats = np.asarray(list(categories), dtype=float)
            except (TypeError, ValueError) as exc:
                raise InvalidInputError(
                    Errors.QC604.format(
                        caller=caller,
                        values="numeric data",
                        categories=list(categories)[:10],
                    )
                ) from exc
            sorter = np.argsort(cats, kind="stable")
            pos = np.searchsorted(cats[sorter], vals).clip(0, max(len(cats) - 1, 0))
            ok = cats[sorter][pos] == vals if len(cats) else np.zeros(len(vals), bool)
            if not ok.all():
                bad = np.unique(vals[~ok])[:10].tolist()
                raise InvalidInputError(
                    Errors.QC604.format(
                        caller=caller, values=bad, categories=list(categories)[:10]
                    )
                )
            codes[~miss] = sorter[pos]
        elif (
            vals.size
            and np.all(vals == np.floor(vals))
            and vals.max() - vals.min() < 1e7
        ):
            # integer codes: O(N) table look-up instead of a sort
            lo = vals.min()
            off = (vals - lo).astype(np.int64)
            present = np.zeros(int(off.max()) + 1, dtype=bool)
            present[off] = True
            cats = np.flatnonzero(present).astype(float) + lo
            codes[~miss] = (np.cumsum(present) - 1)[off]
        else:
            cats, inv = np.unique(vals, return_inverse=True)
            codes[~miss] = inv
        return _Encoded(codes, cats, coders, True)
    flat = arr.ravel()
    miss = pd.isna(flat)
    if not isinstance(miss, np.ndarray):
        miss = np.asarray(miss, dtype=bool)
    vals = flat[~miss]
    fcodes, uniq = pd.factorize(pd.Series(vals, dtype=object), use_na_sentinel=True)
    uniq = np.asarray(uniq, dtype=object)
    if categories is not None:
        cats = np.asarray(list(categories), dtype=object)
        index = {c: i for i, c in enumerate(cats.tolist())}
        bad = [u for u in uniq.tolist() if u not in index]
        if bad:
            raise InvalidInputError(
                Errors.QC604.format(
                    caller=caller, values=bad[:10], categories=cats.tolist()[:10]
                )
            )
        remap = np.array([index[u] for u in uniq.tolist()], dtype=np.int64)
    else:
        order = _sort_uniques(uniq)
        cats = uniq[order]
        remap = np.empty(len(order), dtype=np.int64)
        remap[order] = np.arange(len(order))
    out = np.full(flat.shape, -1, dtype=np.int64)
    out[~miss] = remap[fcodes] if len(remap) else fcodes
    codes = out.reshape(arr.shape)
    num = cats.size > 0 and all(
        isinstance(c, int | float | np.integer | np.floating)
        and not isinstance(c, bool)
        for c in cats.tolist()
    )
    if num:
        cats = cats.astype(float)
    return _Encoded(codes, cats, coders, num)


def _patterns(codes: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``codes`` and how many units show each (vectorised)."""
    n, m = codes.shape
    base = q + 1
    if n == 0:
        return np.zeros((0, m), dtype=np.int64), np.zeros(0)
    if m * math.log2(base) < 62:
        key = np.zeros(n, dtype=np.int64)
        mult = 1
        for k in range(m):  # loop over coders, not units
            key += (codes[:, k] + 1) * mult
            mult *= base
        if mult <= 1 << 22:
            counts = np.bincount(key, minlength=mult)
            ukeys = np.flatnonzero(counts)
            w = counts[ukeys]
        else:
            ukeys, w = np.unique(key, return_counts=True)
        pat = np.empty((len(ukeys), m), dtype=np.int64)
        rem = ukeys.copy()
        for k in range(m):
            pat[:, k] = rem % base - 1
            rem //= base
        return pat, w.astype(float)
    pat, w = np.unique(codes, axis=0, return_counts=True)
    return pat, w.astype(float)


def _category_counts(pat: np.ndarray, q: int) -> np.ndarray:
    """(P, q) matrix: how many coders put each pattern's unit in each category."""
    p, m = pat.shape
    rows = np.repeat(np.arange(p), m)
    cols = pat.ravel()
    ok = cols >= 0
    return (
        np.bincount(rows[ok] * q + cols[ok], minlength=p * q)
        .reshape(p, q)
        .astype(float)
    )


def _agreement_weights(kind: Any, q: int, caller: str) -> np.ndarray:
    """Agreement weights on category ranks (1 on the diagonal)."""
    if kind is None:
        return np.eye(q)
    if isinstance(kind, str):
        check_choice(kind, WEIGHTS, param="weights", caller=caller)
        if q < 2:
            return np.eye(q)
        i = np.arange(q)
        d = np.abs(i[:, None] - i[None, :]) / (q - 1)
        return 1 - d if kind == "linear" else 1 - d**2
    w = np.asarray(kind, dtype=float)
    if w.shape != (q, q):
        raise InvalidInputError(
            Errors.QC101.format(
                param="weights",
                caller=caller,
                expected=f"'linear', 'quadratic', None or a {q} x {q} matrix",
                got=w.shape,
            )
        )
    return w


# =============================================================================
# Vectorised coefficient kernels: W is (B, P) unit counts per pattern
# =============================================================================


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.abs(den) > _TINY
    np.divide(num, den, out=out, where=ok)
    return out


def _gwet_terms(R: np.ndarray, W: np.ndarray, wa: np.ndarray):
    """Gwet (2014) multi-rater terms: pa over units with >= 2 ratings, pi over >= 1."""
    r = R.sum(1)
    two = r >= 2
    agree = np.zeros(len(r))
    if two.any():
        rstar = R[two] @ wa.T
        agree[two] = (R[two] * (rstar - 1)).sum(1) / (r[two] * (r[two] - 1))
    n2 = W[:, two].sum(1)
    pa = _div(W @ agree, n2)
    one = r >= 1
    share = np.zeros_like(R)
    share[one] = R[one] / r[one, None]
    n1 = W[:, one].sum(1)
    pi = _div(W @ share, n1[:, None])
    return pa, pi, n2


def _kappa_like(pa: np.ndarray, pe: np.ndarray) -> np.ndarray:
    return _div(pa - pe, 1 - pe)


def _k_percent(R, W, wa):
    return _gwet_terms(R, W, wa)[0]


def _k_fleiss(R, W, wa):
    pa, pi, _ = _gwet_terms(R, W, wa)
    pe = np.einsum("bi,ij,bj->b", pi, wa, pi)
    return _kappa_like(pa, pe)


def _k_gwet(R, W, wa):
    q = R.shape[1]
    pa, pi, _ = _gwet_terms(R, W, wa)
    if q < 2:
        return np.full(len(pa), np.nan)
    pe = wa.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(1)
    return _kappa_like(pa, pe)


def _k_bp(R, W, wa):
    q = R.shape[1]
    pa = _gwet_terms(R, W, wa)[0]
    pe = np.full(len(pa), wa.sum() / q**2 if q else np.nan)
    return _kappa_like(pa, pe)


def _contingency(pat: np.ndarray, W: np.ndarray, q: int) -> np.ndarray:
    ok = (pat[:, 0] >= 0) & (pat[:, 1] >= 0)
    onehot = np.zeros((int(ok.sum()), q * q))
    onehot[np.arange(onehot.shape[0]), pat[ok, 0] * q + pat[ok, 1]] = 1
    return (W[:, ok] @ onehot).reshape(len(W), q, q)


def _k_pair(pat, W, q, wa, kind):
    t = _contingency(pat, W, q)
    n = t.sum((1, 2))
    p = _div(t, n[:, None, None])
    po = (p * wa).sum((1, 2))
    rows, cols = p.sum(2), p.sum(1)
    if kind == "cohen":
        pe = np.einsum(
            "bi,ij,bj->b", rows, wa, cols
        )  # chance terms added over categories
    else:
        pi = (rows + cols) / 2
        pe = np.einsum("bi,ij,bj->b", pi, wa, pi)
    return _kappa_like(po, pe)


def _delta(level: str, cats: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    q = n_c.shape[-1]
    if level == "nominal":
        return np.broadcast_to(1 - np.eye(q), n_c.shape[:-1] + (q, q))
    if level == "ordinal":
        cs = np.cumsum(n_c, -1)
        val = (cs[..., None, :] - cs[..., :, None]) + (
            n_c[..., :, None] - n_c[..., None, :]
        ) / 2
        d = val**2
        idx = np.arange(q)
        d[..., idx, idx] = 0
        return d
    v = cats.astype(float)
    if level == "interval":
        d = (v[:, None] - v[None, :]) ** 2
    else:
        s = v[:, None] + v[None, :]
        d = _div((v[:, None] - v[None, :]) ** 2, s**2)
        d = np.where(np.abs(s) > _TINY, d, 0.0)
    return np.broadcast_to(d, n_c.shape[:-1] + (q, q))


def _coincidences(R: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrices o_ck, one per row of W: (B, q, q)."""
    r = R.sum(1)
    ok = r >= 2
    rk = R[ok]
    s = 1 / (r[ok] - 1)
    q = R.shape[1]
    if len(W) == 1:
        ws = W[0, ok] * s
        o = (rk * ws[:, None]).T @ rk - np.diag(ws @ rk)
        return o[None]
    k = (rk[:, :, None] * rk[:, None, :] - np.eye(q) * rk[:, :, None]) * s[
        :, None, None
    ]
    return (W[:, ok] @ k.reshape(len(rk), q * q)).reshape(len(W), q, q)


def _k_alpha(R, W, level, cats):
    o = _coincidences(R, W)
    n_c = o.sum(2)
    n = n_c.sum(1)
    d = _delta(level, cats, n_c)
    do = (d * o).sum((1, 2))
    de = (d * n_c[:, :, None] * n_c[:, None, :]).sum((1, 2))
    return 1 - _div((n - 1) * do, de)


# =============================================================================
# Public coefficient functions
# =============================================================================


def _prepare(data, caller, categories=None, n_coders=None):
    enc = _encode(data, caller=caller, categories=categories, n_coders=n_coders)
    q = len(enc.categories)
    pat, w = _patterns(enc.codes, q)
    return enc, q, pat, w[None, :]


def _undefined(
    value: float, caller: str, statistic: str, R: np.ndarray | None
) -> float:
    if np.isfinite(value):
        return float(value)
    if R is not None and not (R.sum(1) >= 2).any():
        reason = "no unit was coded by two or more coders"
    else:
        reason = (
            "chance agreement is 1 or expected disagreement is 0: "
            "every coding falls in one category"
        )
    warnings.warn(
        Errors.QC609.format(caller=caller, statistic=statistic, reason=reason),
        UndefinedStatisticWarning,
        stacklevel=3,
    )
    return float("nan")


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


def _stat_vector(name: str, pat, R, W, q, cats) -> np.ndarray:
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


def _percentile(values: np.ndarray, ci: float) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(v, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def _multinomial(
    counts: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    n = int(round(counts.sum()))
    if n == 0:
        return np.zeros((n_boot, len(counts)))
    return rng.multinomial(n, counts / counts.sum(), size=n_boot).astype(float)


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
    if not 0 < ci < 1:
        raise InvalidInputError(
            Errors.QC101.format(
                param="ci", caller="bootstrap_ci", expected="in (0, 1)", got=ci
            )
        )
    R = _category_counts(pat, q)
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        boots = _stat_vector(
            statistic, pat, R, _multinomial(w[0], n_boot, rng), q, enc.categories
        )
    return _percentile(boots, ci)


# =============================================================================
# Krippendorff's unitizing alphas on a continuum
# =============================================================================


def _merge(group: np.ndarray, start: np.ndarray, end: np.ndarray, span: int):
    """Union of overlapping or touching intervals within each group (vectorised)."""
    if len(start) == 0:
        return group, start, end
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    big = np.int64(span + 1)
    s2, e2 = s + g * big, e + g * big
    runmax = np.maximum.accumulate(e2)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s2[1:] > runmax[:-1]
    idx = np.flatnonzero(new)
    ends = np.maximum.reduceat(e2, idx)
    gg = g[idx]
    return gg, s2[idx] - gg * big, ends - gg * big


@dataclass(frozen=True)
class _Continuum:
    lam: np.ndarray  # (E,) lengths of elementary intervals
    vals: np.ndarray  # (m, E) value + 1 per coder, 0 = gap
    i0: np.ndarray  # segment -> first elementary interval
    i1: np.ndarray  # segment -> one past the last


def _elementary(coder, start, end, value, m, length, names, values, variant):
    b = np.unique(np.concatenate(([0, length], start, end)).astype(np.int64))
    i0 = np.searchsorted(b, start)
    i1 = np.searchsorted(b, end)
    paint = np.zeros((m, len(b)), dtype=np.int64)
    count = np.zeros((m, len(b)), dtype=np.int64)
    np.add.at(paint, (coder, i0), value + 1)
    np.add.at(paint, (coder, i1), -(value + 1))
    np.add.at(count, (coder, i0), 1)
    np.add.at(count, (coder, i1), -1)
    vals = np.cumsum(paint, 1)[:, :-1]
    cnt = np.cumsum(count, 1)[:, :-1]
    if (cnt > 1).any():
        k, e = np.argwhere(cnt > 1)[0]
        here = (coder == k) & (i0 <= e) & (i1 > e)
        a, c = np.flatnonzero(here)[:2]
        raise InvalidInputError(
            Errors.QC605.format(
                coder=names[k],
                first=values[value[a]],
                s1=int(start[a]),
                e1=int(end[a]),
                second=values[value[c]],
                s2=int(start[c]),
                e2=int(end[c]),
                variant=variant,
            )
        )
    return _Continuum(np.diff(b).astype(float), vals, i0, i1)


def _u_terms(cont: _Continuum, m: int, n_values: int, start, end, value):
    """Observed and expected coincidences of u-alpha; index 0 = gap (empty)."""
    v1 = n_values + 1
    o = np.zeros(v1 * v1)
    for i in range(m):  # loops over coder pairs only
        for j in range(m):
            if i != j:
                o += np.bincount(
                    cont.vals[i] * v1 + cont.vals[j],
                    weights=cont.lam,
                    minlength=v1 * v1,
                )
    o = o.reshape(v1, v1) / (m - 1)
    lc = o.sum(1)
    ltot = lc.sum()
    s = np.zeros(v1)
    s[1:] = np.bincount(
        value, weights=(end - start).astype(float) ** 2, minlength=n_values
    )
    s[0] = lc[0]  # gaps are not units: only self-pairs of their positions are excluded
    denom = ltot**2 - s.sum()
    e = (
        ltot * (np.outer(lc, lc) - np.diag(s)) / denom
        if denom > 0
        else np.full((v1, v1), np.nan)
    )
    return o, e, ltot


def _alpha_u(o, e, ltot) -> float:
    den = ltot - np.trace(e)
    if not den > 1e-9 * ltot:  # no expected disagreement (relative to l..)
        return float("nan")
    return float(1 - (ltot - np.trace(o)) / den)


def _alpha_cu(cont: _Continuum, o: np.ndarray, m: int, value) -> float:
    ostar = o[1:, 1:]
    lstar = ostar.sum(1)
    tot = lstar.sum()
    if tot <= _TINY:
        return float("nan")
    valued = (cont.vals > 0).sum(0)
    f = np.concatenate(([0.0], np.cumsum(cont.lam * (valued - 1))))
    pairable = (f[cont.i1] - f[cont.i0]) / (m - 1)
    s = np.bincount(value, weights=pairable**2, minlength=len(lstar))
    den = tot - s.sum() / tot
    if den <= _TINY:
        return float("nan")
    estar = (np.outer(lstar, lstar) - np.diag(s)) / den
    den = tot - np.trace(estar)
    if not den > 1e-9 * tot:
        return float("nan")
    return float(1 - (tot - np.trace(ostar)) / den)


def _unitized_core(
    coder, start, end, value, m, length, variant, names, values
) -> float:
    """Alpha for merged segments ``(coder, start, end, value)`` on ``[0, length)``."""
    if m < 2 or length <= 0:
        return float("nan")
    if variant == "|cu":
        coder, start, end = _merge(coder, start, end, length)
        value = np.zeros(len(start), dtype=np.int64)
        n_values, values = 1, ["(coded)"]
    else:
        n_values = len(values)
    cont = _elementary(coder, start, end, value, m, length, names, values, variant)
    with np.errstate(all="ignore"):
        o, e, ltot = _u_terms(cont, m, n_values, start, end, value)
        if variant in ("u", "|cu"):
            return _alpha_u(o, e, ltot)
        return _alpha_cu(cont, o, m, value)


def unitized_alpha(
    segments: pd.DataFrame,
    *,
    continuum_length: int | Mapping[str, int],
    variant: Literal["u", "|cu", "cu", "Cu"] = "cu",
    coders: Sequence[str] | None = None,
    domains: Mapping[str, str] | None = None,
    continuum: str = "transcript_id",
) -> float:
    """Krippendorff's unitizing alphas for coders who mark spans on a continuum.

    Parameters
    ----------
    segments : pandas.DataFrame
        One row per coded span: ``coder``, ``start``, ``end`` (``[start, end)``
        integer offsets, e.g. characters) and ``code``. With several continua
        (transcripts) also a ``continuum`` column.
    continuum_length : int or mapping
        Length ``L`` of the continuum, or ``{continuum id: length}`` to pool several
        continua (they are laid end to end, which sums their observed coincidences
        and computes expected ones from the pooled margins).
    variant : {"u", "|cu", "cu", "Cu"}, default "cu"
        - ``"u"``: u-alpha, agreement on where units are *and* their codes; gaps
          (uncoded stretches) take part as an empty category.
        - ``"|cu"``: binary alpha, relevant (coded with any of the given codes) vs
          irrelevant matter. Pass one code's segments to get the per-code binary
          alpha (ATLAS.ti's ``|cu``-alpha for one code or domain).
        - ``"cu"``: cu-alpha, agreement on the codes where coders' units intersect,
          ignoring unitizing differences.
        - ``"Cu"``: cu-alpha with the semantic domains of ``domains`` as values.
    coders : sequence of str, optional
        All coders (default: those in ``segments``). A listed coder without
        segments counts as having found nothing relevant.
    domains : mapping, optional
        ``{code: domain}`` for ``variant="Cu"`` (e.g. each code's root in the
        codebook). Codes missing from the mapping are their own domain.
    continuum : str, default "transcript_id"
        Column naming each segment's continuum when ``continuum_length`` is a mapping.

    Returns
    -------
    float
        Alpha; nan with UndefinedStatisticWarning when undefined (no coded matter,
        no intersecting units for ``cu``, a single value).

    Raises
    ------
    InvalidInputError
        Missing columns [QC102], offsets outside the continuum [QC606], a bad
        variant [QC101], or (``u``, ``cu``, ``Cu``) one coder applying two different
        values to overlapping spans [QC605]: those variants need mutually exclusive
        values per coder.

    Notes
    -----
    **Preparation.** A coder's own segments with the *same* value are merged first
    (union of overlapping or touching spans), so one coder coding a span twice is
    never counted as agreement with themselves. Each coder's continuum is then a
    partition into valued units and gaps.

    **u-alpha** (Krippendorff et al. 2016, sect. 5.1). Observed coincidences
    ``l_ck = 1/(m-1) sum_i sum_{j != i} |segments of i valued c  intersect  segments
    of j valued k|`` (gaps valued ``empty``), ``l.. = m L``. Expected coincidences
    ``e_ck = l.. (l_c. l_.k - [c = k] S_c) / (l..^2 - sum_c S_c)`` with ``S_c`` the sum
    of squared lengths of the units valued ``c`` and, for gaps, the sum of their
    lengths (gaps are not units).
    ``alpha = 1 - (l.. - sum_c l_cc) / (l.. - sum_c e_cc)``.

    **|cu (binary)** (sect. 5.2, ``|u``-alpha): the same after collapsing all codes
    into one "coded" value (touching units of different codes merge).

    **cu-alpha** (sect. 5.3): restricted to coincidences between valued matter,
    ``l*_ck`` for ``c, k != empty``; each unit ``g`` contributes its pairable length
    ``lambda_g = 1/(m-1) sum_{j != i} |g intersect valued matter of j|`` and
    ``e*_ck = (l*_c. l*_.k - [c = k] sum_{g valued c} lambda_g^2) / (l*.. - sum_g
    lambda_g^2 / l*..)``. For two coders this is the published formula; for more
    coders ``lambda_g`` weights each position by the share of other coders who
    found it relevant (our reading; published implementations differ there).

    **Cu-alpha** follows ATLAS.ti's naming (González-Prieto et al. 2023): cu-alpha
    with semantic domains instead of codes as values, a global measure across
    domains.

    Units of analysis: the positions of the continuum (characters for text).

    References
    ----------
    .. [1] Krippendorff, K. (1995). On the reliability of unitizing continuous data.
       Sociological Methodology 25, 47-76.
    .. [2] Krippendorff, K. (2004). Content Analysis, 2nd ed., sect. 12.2. Sage.
    .. [3] Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016). On the
       reliability of unitizing textual continua: further developments. Quality &
       Quantity 50(6), 2347-2364.
    .. [4] González-Prieto, Á., Pérez, J., Díaz, J. & López-Fernández, D. (2023).
       Reliability in software engineering qualitative research through inter-coder
       agreement. Journal of Systems and Software 202 (arXiv:2008.00977).
    .. [5] Checked against the PyPI package ``krippendorff-unitized-alpha`` 0.1.0
       (u-alpha, 2-4 coders; see tests/reference) and a position-by-position
       re-implementation of the definitions; the 2-coder formulas agree with the R
       package ``quallmer`` (``reliability_alpha_u``). The 1995/2004 alpha_U of
       DKPro Statistics is a different (distance-based) coefficient.

    Examples
    --------
    >>> import pandas as pd
    >>> import qualcode as qc
    >>> seg = pd.DataFrame(
    ...     {
    ...         "coder": ["A", "B", "A", "B"],
    ...         "start": [0, 1, 10, 10],
    ...         "end": [5, 5, 15, 15],
    ...         "code": ["x", "x", "y", "y"],
    ...     }
    ... )
    >>> round(qc.agreement.unitized_alpha(seg, continuum_length=20, variant="|cu"), 4)
    0.9068
    >>> qc.agreement.unitized_alpha(seg, continuum_length=20, variant="cu")
    1.0
    """
    caller = "unitized_alpha"
    check_choice(variant, VARIANTS, param="variant", caller=caller)
    require_columns(
        segments, ["coder", "start", "end", "code"], caller=caller, param="segments"
    )
    seg = segments
    if isinstance(continuum_length, Mapping):
        require_columns(segments, [continuum], caller=caller, param="segments")
        lengths = {str(k): int(v) for k, v in continuum_length.items()}
        offsets, pos = {}, 0
        for k, v in lengths.items():
            offsets[k] = pos
            pos += v
        total = pos
        cont_ids = seg[continuum].astype(str).to_numpy()
        unknown = sorted(set(cont_ids) - set(lengths))
        if unknown:
            raise InvalidInputError(
                Errors.QC606.format(
                    detail=f"segments on continua {unknown[:5]} that "
                    "continuum_length does not list"
                )
            )
        off = np.array([offsets[c] for c in cont_ids], dtype=np.int64)
        lim = np.array([lengths[c] for c in cont_ids], dtype=np.int64)
    else:
        total = int(continuum_length)
        off = np.zeros(len(seg), dtype=np.int64)
        lim = np.full(len(seg), total, dtype=np.int64)
    start = pd.to_numeric(seg["start"]).to_numpy().astype(np.int64)
    end = pd.to_numeric(seg["end"]).to_numpy().astype(np.int64)
    bad = (start < 0) | (end <= start) | (end > lim)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            Errors.QC606.format(
                detail=f"segment in row {i} [{start[i]}, {end[i]}) of coder "
                f"'{seg['coder'].iloc[i]}' is empty or outside its continuum "
                f"[0, {lim[i]})"
            )
        )
    names = (
        list(dict.fromkeys(str(c) for c in seg["coder"]))
        if coders is None
        else [str(c) for c in coders]
    )
    coder_idx = pd.Index(names).get_indexer(seg["coder"].astype(str))
    if (coder_idx < 0).any():
        raise InvalidInputError(
            Errors.QC101.format(
                param="coders",
                caller=caller,
                expected=f"a list including {sorted(set(seg['coder'].astype(str)))}",
                got=names,
            )
        )
    code = seg["code"].astype(str)
    if variant == "Cu":
        if domains is None:
            raise InvalidInputError(
                Errors.QC101.format(
                    param="domains",
                    caller=caller,
                    expected="a mapping {code: semantic domain} for variant='Cu' "
                    "(e.g. {c.id: codebook.root_of(c.id).id for c in codebook})",
                    got=None,
                )
            )
        code = code.map(lambda c: str(domains.get(c, c)))
    values, vcode = np.unique(code.to_numpy(dtype=str), return_inverse=True)
    values = values.tolist()
    m = len(names)
    # merge a coder's own same-value segments (on the pooled line)
    group = coder_idx.astype(np.int64) * max(len(values), 1) + vcode
    g, s, e = _merge(group, start + off, end + off, total)
    nv = max(len(values), 1)
    value = g % nv
    coder = g // nv
    result = _unitized_core(coder, s, e, value, m, total, variant, names, values)
    if not np.isfinite(result):
        reason = (
            "fewer than two coders"
            if m < 2
            else "no coded matter, no intersecting units, or a single value"
        )
        warnings.warn(
            Errors.QC609.format(
                caller=caller, statistic=f"{variant}-alpha", reason=reason
            ),
            UndefinedStatisticWarning,
            stacklevel=2,
        )
        return float("nan")
    return result


# =============================================================================
# From codings to reliability data and tables
# =============================================================================


def _coded_transcripts(
    codings: pd.DataFrame, coders: Sequence[str]
) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {c: set() for c in coders}
    if len(codings):
        for coder, tids in codings.groupby(codings["coder"].astype(str))[
            "transcript_id"
        ]:
            if coder in out:
                out[coder] = set(tids.astype(str))
    return out


def _unit_presence(units: pd.DataFrame, codings: pd.DataFrame) -> np.ndarray:
    """For each coding, the half-open range of unit rows it overlaps: (i0, i1).

    ``units`` must be sorted by (transcript, start) and non-overlapping within a
    transcript; a coding ``[s, e)`` overlaps unit ``[us, ue)`` iff ``s < ue`` and
    ``e > us``.
    """
    tkey = {
        t: i
        for i, t in enumerate(
            pd.unique(
                pd.concat(
                    [
                        units["transcript_id"].astype(str),
                        codings["transcript_id"].astype(str),
                    ]
                )
            )
        )
    }
    span = (
        int(
            max(
                units["end"].max() if len(units) else 0,
                codings["end"].max() if len(codings) else 0,
            )
        )
        + 1
    )
    ut = units["transcript_id"].astype(str).map(tkey).to_numpy(np.int64)
    us = ut * span + units["start"].to_numpy(np.int64)
    ue = ut * span + units["end"].to_numpy(np.int64)
    ct = codings["transcript_id"].astype(str).map(tkey).to_numpy(np.int64)
    cs = ct * span + codings["start"].to_numpy(np.int64)
    ce = ct * span + codings["end"].to_numpy(np.int64)
    i0 = np.searchsorted(ue, cs, side="right")
    i1 = np.searchsorted(us, ce, side="left")
    return i0, np.maximum(i1, i0)


def _presence_matrix(
    n_units: int, i0: np.ndarray, i1: np.ndarray, col: np.ndarray, n_cols: int
):
    """(n_units, n_cols) bool: unit covered by any range of that column."""
    diff = np.zeros((n_cols, n_units + 1), dtype=np.int32)
    np.add.at(diff, (col, i0), 1)
    np.add.at(diff, (col, i1), -1)
    return (np.cumsum(diff, 1)[:, :-1] > 0).T


def reliability_data(
    codings: pd.DataFrame,
    units: pd.DataFrame,
    *,
    coders: Sequence[str],
    code: str | None = None,
) -> pd.DataFrame:
    """Reliability data (units x coders) from codings and units of analysis.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per coding: ``transcript_id``, ``start``, ``end``, ``code``, ``coder``
        (e.g. ``project.codings()``).
    units : pandas.DataFrame
        Units of analysis: ``transcript_id``, ``unit``, ``start``, ``end`` (e.g.
        ``qualcode._nlp.units(...)``); units must not overlap within a transcript.
    coders : sequence of str
        The coders, one column each, in this order.
    code : str, optional
        With a code: presence data, 1 if the coder applied ``code`` to the unit, else
        0. Without: each cell holds the codes the coder applied to the unit, sorted
        and joined with ``"+"`` (``"(none)"`` if none), a nominal category.

    Returns
    -------
    pandas.DataFrame
        Index ``(transcript_id, unit)``, one column per coder. A cell is NaN when the
        coder has no coding at all in that transcript (the transcript was not
        coded by them), so missing work is not mistaken for absence.

    Notes
    -----
    Overlap rule: a unit counts as coded with ``c`` by coder ``k`` if any coding of
    ``k`` with code ``c`` overlaps the unit by at least one character
    (``start < unit end`` and ``end > unit start``). Computed with ``searchsorted``
    and difference arrays, no loop over units.

    Examples
    --------
    >>> import pandas as pd
    >>> from qualcode.agreement import reliability_data
    >>> units = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1"] * 3,
    ...         "unit": [0, 1, 2],
    ...         "start": [0, 10, 20],
    ...         "end": [9, 19, 29],
    ...     }
    ... )
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1", "t1", "t1"],
    ...         "start": [2, 12, 5],
    ...         "end": [4, 25, 8],
    ...         "code": ["arrest", "arrest", "arrest"],
    ...         "coder": ["AB", "AB", "CD"],
    ...     }
    ... )
    >>> reliability_data(codings, units, coders=["AB", "CD"], code="arrest")
                       AB   CD
    transcript_id unit
    t1            0     1.0  1.0
                  1     1.0  0.0
                  2     1.0  0.0
    """
    caller = "reliability_data"
    require_columns(
        codings,
        ["transcript_id", "start", "end", "code", "coder"],
        caller=caller,
        param="codings",
    )
    require_columns(
        units, ["transcript_id", "unit", "start", "end"], caller=caller, param="units"
    )
    coders = [str(c) for c in coders]
    u = units.sort_values(["transcript_id", "start"], kind="stable").reset_index(
        drop=True
    )
    c = codings[codings["coder"].astype(str).isin(coders)].reset_index(drop=True)
    coded = _coded_transcripts(c, coders)
    tids = u["transcript_id"].astype(str)
    index = pd.MultiIndex.from_arrays(
        [tids, u["unit"].to_numpy()], names=["transcript_id", "unit"]
    )
    missing = (
        np.column_stack([~tids.isin(coded[k]).to_numpy() for k in coders])
        if len(u)
        else (np.zeros((0, len(coders)), bool))
    )
    if code is not None:
        c = c[c["code"].astype(str) == str(code)]
        i0, i1 = _unit_presence(u, c)
        col = pd.Index(coders).get_indexer(c["coder"].astype(str))
        pres = _presence_matrix(len(u), i0, i1, col, len(coders)).astype(float)
        pres[missing] = np.nan
        return pd.DataFrame(pres, index=index, columns=coders)
    codes = sorted(c["code"].astype(str).unique())
    i0, i1 = _unit_presence(u, c)
    col = pd.Index(coders).get_indexer(c["coder"].astype(str)) * max(
        len(codes), 1
    ) + pd.Index(codes).get_indexer(c["code"].astype(str))
    pres = _presence_matrix(len(u), i0, i1, col, len(coders) * max(len(codes), 1))
    out = {}
    for k, name in enumerate(coders):  # loop over coders and codes, not units
        block = pres[:, k * len(codes) : (k + 1) * len(codes)]
        labels = np.full(len(u), "", dtype=object)
        for j, cd in enumerate(codes):
            labels = np.where(
                block[:, j], np.where(labels == "", cd, labels + "+" + cd), labels
            )
        labels = np.where(labels == "", "(none)", labels).astype(object)
        labels[missing[:, k]] = np.nan
        out[name] = labels
    return pd.DataFrame(out, index=index, columns=coders)


# ---- agreement_table ---------------------------------------------------------


def _states_patterns(m: int) -> tuple[np.ndarray, np.ndarray]:
    """All 3^m presence patterns as codes (-1 missing, 0 absent, 1 present)."""
    p = 3**m
    keys = np.arange(p)
    pat = np.empty((p, m), dtype=np.int64)
    rem = keys.copy()
    for k in range(m):
        pat[:, k] = rem % 3 - 1
        rem //= 3
    return pat, _category_counts(pat, 2)


def _binary_stats(pat, R, W, m) -> dict[str, np.ndarray]:
    eye = np.eye(2)
    out = {
        "percent_agreement": _k_percent(R, W, eye),
        "fleiss_kappa": _k_fleiss(R, W, eye),
        "gwet_ac1": _k_gwet(R, W, eye),
        "brennan_prediger": _k_bp(R, W, eye),
        "krippendorff_alpha": _k_alpha(R, W, "nominal", np.arange(2.0)),
    }
    if m == 2:
        out["cohen_kappa"] = _k_pair(pat, W, 2, eye, "cohen")
        out["scott_pi"] = _k_pair(pat, W, 2, eye, "scott")
    else:
        nan = np.full(len(W), np.nan)
        out["cohen_kappa"] = nan
        out["scott_pi"] = nan
    return out


_CI_STATS = ("cohen_kappa", "fleiss_kappa", "gwet_ac1", "krippendorff_alpha")


def _code_level(codings: pd.DataFrame, codebook: Any, level: str) -> pd.Series:
    codes = codings["code"].astype(str)
    if level == "code" or codebook is None:
        return codes

    def root(c: str) -> str:
        try:
            return str(codebook.root_of(c).id)
        except Exception:  # not in the codebook: its own root
            return c

    return codes.map(root)


def agreement_table(
    project: Project,
    *,
    coders: Sequence[str] | None = None,
    unit: Literal["turn", "sentence", "character"] = "turn",
    codes: Sequence[str] | None = None,
    roles: Iterable[str | None] | None = ("participant",),
    n_boot: int = 1000,
    seed: int | None = 0,
    ci: float = 0.95,
    level: Literal["code", "root"] = "code",
    unitized: bool = True,
    nlp: Any = None,
) -> pd.DataFrame:
    """Per-code inter-coder agreement with bootstrap CIs, plus a pooled row.

    Parameters
    ----------
    project : qualcode.Project
        Supplies the transcripts (``iter_transcripts``), codings (``codings``) and
        codebook (labels, roots).
    coders : sequence of str, optional
        Coders to compare (default: all coders in the project). Two or more.
    unit : {"turn", "sentence", "character"}, default "turn"
        Unit of analysis. ``turn``/``sentence`` come from
        ``qualcode._nlp.units`` (the same units as tagging); ``character`` makes every
        character of those turns a unit (NVivo-style per-character presence).
    codes : sequence of str, optional
        Codes to report (default: every code the compared coders applied, in
        codebook order).
    roles : iterable of str, default ("participant",)
        Speaker roles whose turns are analysed; None for all turns.
    n_boot : int, default 1000
        Bootstrap replicates for the CIs (0 to skip).
    seed : int or None, default 0
        Seed of the bootstrap (``numpy.random.default_rng``).
    ci : float, default 0.95
        Coverage of the percentile intervals.
    level : {"code", "root"}, default "code"
        ``root`` maps every code to its root in the codebook first (presence of a
        root = presence of any code under it).
    unitized : bool, default True
        Also compute Krippendorff's unitizing alphas on character offsets.
    nlp : spacy.language.Language, optional
        Pipeline for sentence units (default: the offline pipeline).

    Returns
    -------
    pandas.DataFrame
        Schema ``qualcode._columns.AGREEMENT``, one row per code then the pooled row:

        - ``code``, ``label`` (codebook label), ``unit``, ``coders`` (comma-joined)
        - ``n_units``: units compared; ``n_coded``: units where any coder applied it
        - ``percent_agreement``, ``cohen_kappa`` (two coders; NaN for more),
          ``fleiss_kappa``, ``scott_pi`` (two coders), ``gwet_ac1``,
          ``brennan_prediger``, ``krippendorff_alpha`` (nominal)
        - ``*_ci_low``/``*_ci_high`` for ``cohen_kappa``, ``fleiss_kappa``,
          ``gwet_ac1`` and ``krippendorff_alpha``
        - ``unitized_alpha_binary``: ``|cu``-alpha of the code on character offsets
          (pooled row: all codes' continua stacked); ``unitized_alpha_u`` and
          ``unitized_alpha_cu``: u- and cu-alpha with codes as values (pooled row
          only; NaN, not applicable, when a coder applied two codes to overlapping
          text: u and cu need mutually exclusive codes)

    Raises
    ------
    InvalidInputError
        Bad ``unit``/``level`` [QC101] or fewer than two coders [QC608].

    Notes
    -----
    **Presence rule.** A unit counts as coded with ``c`` by coder ``k`` if any coding
    of ``k`` with code ``c`` overlaps the unit by at least one character. Each code
    gives binary reliability data (present/absent per unit and coder).

    **Missing data.** A coder who has no coding at all in a transcript did not code
    it: that transcript's units are missing (NaN) for them, not "absent". Units of
    transcripts coded by fewer than two of the compared coders are left out.

    **Pooled row** (``code="(pooled)"``): every unit x code decision stacked into one
    binary reliability data set (``n_units`` x number of codes rows), the standard
    "pooled presence/absence" measure; ``n_units`` there is the number of units,
    ``n_coded`` the units where any coder applied any reported code. Its bootstrap
    resamples *units* (each with all its code decisions), not decisions.

    **Bootstrap.** Percentile intervals over units, seeded. Coefficients depend on
    the data only through pattern counts, so each replicate is a multinomial draw of
    counts over distinct unit patterns (exactly equivalent to resampling units).
    At ``unit="character"`` the characters of one turn are not independent, so the
    bootstrap resamples whole turns (a cluster bootstrap) instead of characters;
    resampling single characters would give intervals far too narrow.

    **Unitized alphas** use the characters of the analysed turns as one continuum per
    transcript (pooled by laying transcripts end to end), counting only transcripts
    coded by every compared coder; see :func:`unitized_alpha`.

    References
    ----------
    .. [1] Krippendorff, K. (2004). Content Analysis, 2nd ed., ch. 11-12. Sage.
    .. [2] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed.
    .. [3] Krippendorff, Mathet, Bouvry & Widlöcher (2016). Quality & Quantity 50.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("What matters?", "I", "interviewer"),
    ...         TurnDraft("We arrest dealers.", "P1", "participant"),
    ...         TurnDraft("We also divert users.", "P1", "participant"),
    ...     ],
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with qc.Project(pathlib.Path(tmp) / "demo.qcproj") as p:
    ...         _ = p.add_transcripts([t])
    ...         for coder in ("AB", "CD"):
    ...             _ = p.code_turn("int01", 1, "pursue", coder)
    ...         _ = p.code_turn("int01", 2, "prevent", "AB")
    ...         table = qc.agreement_table(p, coders=["AB", "CD"], n_boot=0)
    >>> table[["code", "n_units", "n_coded", "percent_agreement"]]
           code  n_units  n_coded  percent_agreement
    0   prevent        2        1               0.50
    1    pursue        2        1               1.00
    2  (pooled)        2        2               0.75
    """
    caller = "agreement_table"
    from qualcode._columns import AGREEMENT, frame

    check_choice(unit, TABLE_UNITS, param="unit", caller=caller)
    check_choice(level, ("code", "root"), param="level", caller=caller)
    if not 0 < ci < 1:
        raise InvalidInputError(
            Errors.QC101.format(param="ci", caller=caller, expected="in (0, 1)", got=ci)
        )
    known = [str(c) for c in project.coders]
    coders = [str(c) for c in (coders if coders is not None else known)]
    unknown = [c for c in coders if c not in known]
    if unknown and known:  # an empty project gives the empty table below
        raise InvalidInputError(
            Errors.QC101.format(
                param="coders",
                caller=caller,
                expected=f"coders of this project {known}",
                got=unknown,
            )
        )
    if len(coders) < 2:
        raise InvalidInputError(Errors.QC608.format(caller=caller, coders=coders))
    m = len(coders)
    codebook = getattr(project, "codebook", None)
    codings = project.codings()
    codings = codings[codings["coder"].astype(str).isin(coders)].copy()
    codings["code"] = _code_level(codings, codebook, level)
    coded = _coded_transcripts(codings, coders)
    keep = {
        t
        for t in set().union(*coded.values())
        if sum(t in coded[k] for k in coders) >= 2
    }
    transcripts = [t for t in project.iter_transcripts() if t.id in keep]
    if codes is None:
        used = set(codings["code"].astype(str))
        order = [
            c
            for c in ([c.id for c in codebook] if codebook is not None else [])
            if c in used
        ]
        if level == "root" and codebook is not None:
            order = [c.id for c in codebook.roots() if c.id in used]
        codes = order + sorted(used - set(order))
    codes = [str(c) for c in codes]
    label = {}
    if codebook is not None:
        for c in codes:
            label[c] = codebook[c].label if c in codebook else ""
    units_df, char_map = _table_units(transcripts, unit, roles, nlp)
    if len(units_df) == 0 or not codes:
        return frame([], AGREEMENT)
    n = len(units_df)
    tid_units = units_df["transcript_id"].astype(str)
    missing = np.column_stack([~tid_units.isin(coded[k]).to_numpy() for k in coders])
    state_base = np.where(missing, 0, 1)  # 0 missing, 1 absent, 2 present
    mult = 3 ** np.arange(m)
    pats, R = _states_patterns(m)
    rng = np.random.default_rng(seed)
    clusters = units_df["cluster"].to_numpy() if "cluster" in units_df else None
    n_clusters = (
        int(clusters.max()) + 1 if clusters is not None and len(clusters) else 0
    )
    # pooled_rows[u, p]: how many codes show pattern p at unit u (updated sparsely:
    # every code starts at the unit's "nobody applied it" pattern)
    base_key = state_base @ mult
    pooled_rows = np.zeros((n, len(pats)), dtype=np.int32)
    pooled_rows[np.arange(n), base_key] = len(codes)
    base_counts = np.bincount(base_key, minlength=len(pats)).astype(float)
    cod = codings[codings["code"].astype(str).isin(codes)]
    code_idx = pd.Index(codes).get_indexer(cod["code"].astype(str))
    coder_idx = pd.Index(coders).get_indexer(cod["coder"].astype(str))
    if unit == "character":
        cs, ce = char_map(cod)
        ok = ce > cs
    else:
        cs, ce = _unit_presence(units_df, cod)
        ok = ce > cs
    cs, ce, code_idx_k, coder_idx_k = cs[ok], ce[ok], code_idx[ok], coder_idx[ok]
    order = np.argsort(code_idx_k, kind="stable")
    bounds = np.searchsorted(code_idx_k[order], np.arange(len(codes) + 1))
    rows = []
    for j, code in enumerate(codes):  # loop over codes; units are vectorised
        sel = order[bounds[j] : bounds[j + 1]]
        pres = _presence_matrix(n, cs[sel], ce[sel], coder_idx_k[sel], m) & ~missing
        anyone = pres[:, 0].copy()
        for k in range(1, m):  # loop over coders (an axis-1 any is slow here)
            anyone |= pres[:, k]
        hit = np.flatnonzero(anyone)  # units where some coder applied the code
        key = base_key[hit] + pres[hit] @ mult
        counts = base_counts.copy()
        np.add.at(counts, key, 1)
        np.add.at(counts, base_key[hit], -1)
        pooled_rows[hit, key] += 1
        pooled_rows[hit, base_key[hit]] -= 1
        boot_counts = None
        if clusters is not None and n_boot:
            keys = base_key.copy()
            keys[hit] = key
            per_cluster = np.bincount(
                clusters * len(pats) + keys, minlength=n_clusters * len(pats)
            ).reshape(n_clusters, len(pats))
            boot_counts = _cluster_weights(n_clusters, n_boot, rng) @ per_cluster
        row = _row_stats(pats, R, counts, m, n_boot, rng, ci, boot_counts=boot_counts)
        row.update(code=code, label=label.get(code, ""), n_units=n, n_coded=len(hit))
        rows.append(row)
    # pooled row: all unit x code decisions stacked; bootstrap resamples units
    total = pooled_rows.sum(0).astype(float)
    row = _row_stats(pats, R, total, m, 0, rng, ci)
    if n_boot and clusters is not None:
        per_cluster = np.zeros((n_clusters, len(pats)))
        np.add.at(per_cluster, clusters, pooled_rows)
        wb = _cluster_weights(n_clusters, n_boot, rng) @ per_cluster
    elif n_boot:
        groups, gcount = _unique_rows(pooled_rows)
        wb = _multinomial(gcount.astype(float), n_boot, rng) @ groups
    if n_boot:
        with np.errstate(all="ignore"):
            boot = _binary_stats(pats, R, wb, m)
        for s in _CI_STATS:
            row[f"{s}_ci_low"], row[f"{s}_ci_high"] = _percentile(boot[s], ci)
    coded_any = pooled_rows[:, (pats == 1).any(1)].sum(1) > 0
    row.update(
        code=POOLED,
        label=f"all {len(codes)} codes stacked (unit x code decisions)",
        n_units=n,
        n_coded=int(coded_any.sum()),
    )
    rows.append(row)
    table = frame(rows, AGREEMENT)
    table["unit"] = unit
    table["coders"] = ",".join(coders)
    table = table.astype({"unit": "string", "coders": "string"})
    _warn_undefined(table, caller)
    if unitized:
        _table_unitized(table, transcripts, codings, codes, coders, roles, coded)
    return table


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a non-negative integer matrix and their counts (fast)."""
    n, p = rows.shape
    top = int(rows.max()) + 1 if rows.size else 1
    if p * math.log2(max(top, 2)) < 62:  # exact integer key
        key = np.zeros(n, dtype=np.int64)
        for k in range(p):  # loop over columns, not units
            key = key * top + rows[:, k]
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        return rows[first], counts
    view = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * p)))
    _, first, counts = np.unique(view.ravel(), return_index=True, return_counts=True)
    return rows[first], counts


def _cluster_weights(
    n_clusters: int, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap weights: how often each cluster (turn) is drawn,
    ``n_boot x n_clusters``."""
    if n_clusters == 0:
        return np.zeros((n_boot, 0))
    p = np.full(n_clusters, 1.0 / n_clusters)
    return rng.multinomial(n_clusters, p, size=n_boot).astype(float)


def _row_stats(
    pats, R, counts, m, n_boot, rng, ci, *, boot_counts=None
) -> dict[str, Any]:
    with np.errstate(all="ignore"):
        point = _binary_stats(pats, R, counts[None, :], m)
        row: dict[str, Any] = {k: float(v[0]) for k, v in point.items()}
        if n_boot:
            if boot_counts is None:
                boot_counts = _multinomial(counts, n_boot, rng)
            boot = _binary_stats(pats, R, boot_counts, m)
            for s in _CI_STATS:
                row[f"{s}_ci_low"], row[f"{s}_ci_high"] = _percentile(boot[s], ci)
    return row


def _warn_undefined(table: pd.DataFrame, caller: str) -> None:
    stat = "cohen_kappa" if table["coders"].iloc[0].count(",") == 1 else "fleiss_kappa"
    bad = table.loc[table[stat].isna(), "code"].astype(str).tolist()
    if bad:
        warnings.warn(
            Errors.QC609.format(
                caller=caller,
                statistic=f"{stat} and krippendorff_alpha for codes {bad[:8]}"
                + (f" (+{len(bad) - 8} more)" if len(bad) > 8 else ""),
                reason="every coder gave every unit the same value (for instance "
                "nobody applied "
                "the code), so chance agreement is 1",
            ),
            UndefinedStatisticWarning,
            stacklevel=3,
        )


def _selected_spans(transcripts, roles):
    role_set = None if roles is None else set(roles)
    out = []
    for t in transcripts:
        for turn in t.turns:
            if (role_set is None or turn.role in role_set) and turn.end > turn.start:
                out.append(
                    (t.id, turn.index, turn.speaker, turn.role, turn.start, turn.end)
                )
    return pd.DataFrame(
        out, columns=["transcript_id", "turn", "speaker", "role", "start", "end"]
    )


def _char_space(spans: pd.DataFrame):
    """Map (transcript, offset) to an index into the concatenated selected text."""
    tids = list(dict.fromkeys(spans["transcript_id"].astype(str)))
    tpos = {t: i for i, t in enumerate(tids)}
    span = int(spans["end"].max()) + 1 if len(spans) else 1
    gs = spans["transcript_id"].astype(str).map(tpos).to_numpy(np.int64) * span + spans[
        "start"
    ].to_numpy(np.int64)
    ge = gs + (spans["end"] - spans["start"]).to_numpy(np.int64)
    cum_len = np.concatenate(([0], np.cumsum(ge - gs)))

    def to_index(tid: pd.Series, pos: np.ndarray) -> np.ndarray:
        t = tid.astype(str).map(tpos)
        known = t.notna().to_numpy()
        g = np.where(known, t.fillna(0).to_numpy(np.int64) * span + pos, -1)
        k = np.searchsorted(gs, g, side="right") - 1
        kk = k.clip(0, max(len(gs) - 1, 0))
        inside = np.clip(g - gs[kk], 0, (ge - gs)[kk]) if len(gs) else g * 0
        out = np.where(k >= 0, cum_len[kk] + inside, 0)
        return np.where(known, out, -1)

    def map_codings(c: pd.DataFrame):
        s = to_index(c["transcript_id"], c["start"].to_numpy(np.int64))
        e = to_index(c["transcript_id"], c["end"].to_numpy(np.int64))
        bad = (s < 0) | (e < 0)
        return np.where(bad, 0, s), np.where(bad, 0, e)

    return int(cum_len[-1]), map_codings, cum_len, tids


def _table_units(transcripts, unit, roles, nlp):
    if unit == "character":
        spans = _selected_spans(transcripts, roles)
        n_chars, map_codings, cum_len, _ = _char_space(spans)
        tid = (
            np.repeat(
                spans["transcript_id"].astype(str).to_numpy(),
                (spans["end"] - spans["start"]).to_numpy(),
            )
            if len(spans)
            else np.array([])
        )
        lengths = (
            (spans["end"] - spans["start"]).to_numpy()
            if len(spans)
            else np.array([], int)
        )
        # characters are not independent: the bootstrap resamples their turns
        cluster = np.repeat(np.arange(len(lengths)), lengths)
        units_df = pd.DataFrame({"transcript_id": tid, "cluster": cluster})
        return units_df, map_codings
    from qualcode._nlp import units as make_units

    u = make_units(transcripts, unit, roles=roles, nlp=nlp)
    u = u.sort_values(["transcript_id", "start"], kind="stable").reset_index(drop=True)
    return u, None


def _table_unitized(table, transcripts, codings, codes, coders, roles, coded):
    """Fill the unitized-alpha columns (character continua of the analysed turns)."""
    full = [t for t in transcripts if all(t.id in coded[k] for k in coders)]
    spans = _selected_spans(full, roles)
    if not len(spans):
        return
    n_chars, map_codings, _, _ = _char_space(spans)
    c = codings[
        codings["transcript_id"].astype(str).isin({t.id for t in full})
        & codings["code"].astype(str).isin(codes)
    ]
    s, e = map_codings(c)
    ok = e > s
    coder = pd.Index(coders).get_indexer(c["coder"].astype(str))[ok]
    code = pd.Index(codes).get_indexer(c["code"].astype(str))[ok]
    s, e = s[ok], e[ok]
    m, nv = len(coders), len(codes)
    g, ms, me = _merge(coder.astype(np.int64) * nv + code, s, e, n_chars)
    mcode, mcoder = g % nv, g // nv
    binary = []
    for j in range(nv):  # per code |cu-alpha
        sel = mcode == j
        binary.append(
            _unitized_core(
                mcoder[sel],
                ms[sel],
                me[sel],
                np.zeros(int(sel.sum()), np.int64),
                m,
                n_chars,
                "|cu",
                coders,
                [codes[j]],
            )
        )
    # pooled binary: every code's continuum laid end to end
    stacked = _unitized_core(
        mcoder,
        ms + mcode * n_chars,
        me + mcode * n_chars,
        np.zeros(len(ms), np.int64),
        m,
        n_chars * nv,
        "|cu",
        coders,
        codes,
    )
    table.loc[table["code"] != POOLED, "unitized_alpha_binary"] = binary
    table.loc[table["code"] == POOLED, "unitized_alpha_binary"] = stacked
    try:
        u = _unitized_core(mcoder, ms, me, mcode, m, n_chars, "u", coders, codes)
        cu = _unitized_core(mcoder, ms, me, mcode, m, n_chars, "cu", coders, codes)
    except InvalidInputError:
        # not applicable (like Cohen's kappa for three coders): a coder applied two
        # codes to overlapping text, so codes are not a partition; documented NaN
        u = cu = float("nan")
    table.loc[table["code"] == POOLED, "unitized_alpha_u"] = u
    table.loc[table["code"] == POOLED, "unitized_alpha_cu"] = cu


# ---- disagreements -----------------------------------------------------------


def disagreements(
    project: Project,
    *,
    coders: Sequence[str],
    unit: Literal["turn", "sentence"] = "turn",
    codes: Sequence[str] | None = None,
    context: int = 1,
    roles: Iterable[str | None] | None = ("participant",),
    nlp: Any = None,
) -> pd.DataFrame:
    """Every unit where the coders' codes differ, with its text, context and codes.

    Parameters
    ----------
    project : qualcode.Project
        Supplies transcripts and codings.
    coders : sequence of str
        Two or more coders to compare.
    unit : {"turn", "sentence"}, default "turn"
        Unit of analysis (same units as :func:`agreement_table`).
    codes : sequence of str, optional
        Codes to compare (default: all codes the coders applied).
    context : int, default 1
        Number of units (of any speaker) before and after to show as context.
    roles : iterable of str, default ("participant",)
        Roles whose units are compared; None for all.
    nlp : spacy.language.Language, optional
        Pipeline for sentence units.

    Returns
    -------
    pandas.DataFrame
        Schema ``qualcode._columns.DISAGREEMENTS`` (``transcript_id``, ``unit``,
        ``turn``, ``speaker``, ``start``, ``end``, ``text``, ``context``,
        ``codes_in_dispute``) then one column per coder (that coder's codes on the
        unit, comma-separated; ``"(not coded)"`` if the coder did not code the
        transcript) and an empty ``resolution`` column. One row per unit where at
        least two coders who coded the transcript differ on at least one code.

    Raises
    ------
    InvalidInputError
        Fewer than two coders [QC608], a bad ``unit`` [QC101], or a coder name equal
        to a column name.

    Notes
    -----
    Same presence rule as :func:`agreement_table`. For the consensus meeting, write
    the frame to Excel with ``df.to_excel("disagreements.xlsx", index=False)``, fill
    the ``resolution`` column (codes to apply, comma-separated; blank = none), read it
    back with ``pandas.read_excel`` and pass it to :func:`resolve_disagreements`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("What matters?", "I", "interviewer"),
    ...         TurnDraft("We arrest dealers.", "P1", "participant"),
    ...     ],
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with qc.Project(pathlib.Path(tmp) / "demo.qcproj") as p:
    ...         _ = p.add_transcripts([t])
    ...         _ = p.code_turn("int01", 1, "pursue", "AB")
    ...         _ = p.code_turn("int01", 1, "prevent", "CD")
    ...         dis = qc.disagreements(p, coders=["AB", "CD"])
    >>> dis[["unit", "text", "codes_in_dispute", "AB", "CD", "resolution"]]
       unit                text codes_in_dispute      AB       CD resolution
    0     0  We arrest dealers.  prevent, pursue  pursue  prevent
    """
    caller = "disagreements"
    from qualcode._columns import DISAGREEMENTS, frame, names

    check_choice(unit, ("turn", "sentence"), param="unit", caller=caller)
    coders = [str(c) for c in coders]
    if len(coders) < 2:
        raise InvalidInputError(Errors.QC608.format(caller=caller, coders=coders))
    clash = [c for c in coders if c in names(DISAGREEMENTS) or c == "resolution"]
    if clash:
        raise InvalidInputError(
            Errors.QC601.format(
                detail=f"{caller}: coder names {clash} clash with column names; "
                "rename the coders."
            )
        )
    codings = project.codings()
    codings = codings[codings["coder"].astype(str).isin(coders)]
    coded = _coded_transcripts(codings, coders)
    keep = {
        t
        for t in set().union(*coded.values())
        if sum(t in coded[k] for k in coders) >= 2
    }
    transcripts = {t.id: t for t in project.iter_transcripts() if t.id in keep}
    if codes is None:
        codes = sorted(codings["code"].astype(str).unique())
    codes = [str(c) for c in codes]
    extra = [*coders, "resolution"]
    if not transcripts or not codes:
        return frame([], DISAGREEMENTS, extra=extra)
    from qualcode._nlp import units as make_units

    allu = make_units(list(transcripts.values()), unit, roles=None, nlp=nlp)
    allu = allu.sort_values(["transcript_id", "start"], kind="stable").reset_index(
        drop=True
    )
    role_set = None if roles is None else set(roles)
    chosen = (
        allu["role"].isin(role_set).to_numpy()
        if role_set is not None
        else np.ones(len(allu), bool)
    )
    c = codings[codings["code"].astype(str).isin(codes)]
    i0, i1 = _unit_presence(allu, c)
    col = pd.Index(coders).get_indexer(c["coder"].astype(str)) * len(codes) + pd.Index(
        codes
    ).get_indexer(c["code"].astype(str))
    pres = _presence_matrix(len(allu), i0, i1, col, len(coders) * len(codes))
    pres = pres.reshape(len(allu), len(coders), len(codes))
    tid = allu["transcript_id"].astype(str)
    has = np.column_stack([tid.isin(coded[k]).to_numpy() for k in coders])  # (N, m)
    n_has = has.sum(1)
    n_yes = (pres & has[:, :, None]).sum(1)  # (N, C)
    dispute = (n_yes > 0) & (n_yes < n_has[:, None]) & (n_has[:, None] >= 2)
    rows_idx = np.flatnonzero(dispute.any(1) & chosen)
    # unit numbers as in agreement_table/reliability_data: among the chosen roles
    unit_no = np.full(len(allu), -1, dtype=np.int64)
    unit_no[chosen] = (
        allu[chosen].groupby("transcript_id", sort=False).cumcount().to_numpy()
    )
    first = allu.groupby("transcript_id", sort=False).cumcount().to_numpy()
    size = (
        allu.groupby("transcript_id", sort=False)["start"].transform("size").to_numpy()
    )
    out = []
    code_arr = np.array(codes, dtype=object)
    for i in rows_idx:  # one row per disagreement (the output itself)
        t = transcripts[tid.iloc[i]]
        lo, hi = (
            max(i - min(context, first[i]), 0),
            i + min(context, size[i] - first[i] - 1),
        )
        before = [_line(t, allu, k) for k in range(lo, i)]
        after = [_line(t, allu, k) for k in range(i + 1, hi + 1)]
        row = {
            "transcript_id": t.id,
            "unit": int(unit_no[i]),
            "turn": int(allu["turn"].iloc[i]),
            "speaker": allu["speaker"].iloc[i],
            "start": int(allu["start"].iloc[i]),
            "end": int(allu["end"].iloc[i]),
            "text": t.text[allu["start"].iloc[i] : allu["end"].iloc[i]],
            "context": "\n".join([*before, "[...]", *after]),
            "codes_in_dispute": ", ".join(code_arr[dispute[i]]),
            "resolution": "",
        }
        for k, name in enumerate(coders):
            row[name] = ", ".join(code_arr[pres[i, k]]) if has[i, k] else "(not coded)"
        out.append(row)
    return frame(out, DISAGREEMENTS, extra=extra)


def _line(t, units: pd.DataFrame, k: int) -> str:
    sp = units["speaker"].iloc[k]
    text = t.text[units["start"].iloc[k] : units["end"].iloc[k]]
    return f"{sp}: {text}" if isinstance(sp, str) and sp else text


def resolve_disagreements(
    project: Project,
    frame: pd.DataFrame,
    *,
    coder: str = "consensus",
) -> pd.DataFrame:
    """Create consensus codings from the ``resolution`` column of a disagreements frame.

    Parameters
    ----------
    project : qualcode.Project
        Where the codings are written (one transaction, all or nothing).
    frame : pandas.DataFrame
        Output of :func:`disagreements` (e.g. read back from Excel) with a filled
        ``resolution`` column: the codes to apply to the unit, comma-separated;
        blank = no code.
    coder : str, default "consensus"
        Name of the consensus coder.

    Returns
    -------
    pandas.DataFrame
        The consensus coder's codings in the project (``project.codings`` schema).
        Each resolved code becomes a coding over the unit's ``[start, end)`` with
        ``origin="consensus"``; re-running is idempotent.

    Raises
    ------
    InvalidInputError
        Missing columns [QC102].
    CodebookError
        A resolution names a code that is not in the project's codebook (or, with
        no codebook, that no coder has used) [QC607]: nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We arrest dealers.", "P1", "participant")]
    ... )
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with qc.Project(pathlib.Path(tmp) / "demo.qcproj") as p:
    ...         _ = p.add_transcripts([t])
    ...         _ = p.code_turn("int01", 0, "pursue", "AB")
    ...         _ = p.code_turn("int01", 0, "prevent", "CD")
    ...         dis = qc.disagreements(p, coders=["AB", "CD"])
    ...         dis["resolution"] = "pursue"
    ...         done = qc.resolve_disagreements(p, dis)
    >>> done[["code", "coder", "origin", "text"]]
         code      coder     origin                text
    0  pursue  consensus  consensus  We arrest dealers.
    """
    caller = "resolve_disagreements"
    require_columns(
        frame,
        ["transcript_id", "start", "end", "resolution"],
        caller=caller,
        param="frame",
    )
    codebook = getattr(project, "codebook", None)
    if codebook is not None:
        known = {c.id for c in codebook}
    else:
        known = set(project.codings()["code"].astype(str))
    new = []
    for i, row in enumerate(frame.itertuples(index=False)):  # rows of a meeting sheet
        cell = row.resolution
        if (
            cell is None
            or (isinstance(cell, float) and math.isnan(cell))
            or pd.isna(cell)
        ):
            continue
        for code in (p.strip() for p in str(cell).split(",")):
            if not code:
                continue
            if code not in known:
                raise CodebookError(
                    Errors.QC607.format(
                        row=i,
                        transcript=row.transcript_id,
                        start=int(row.start),
                        end=int(row.end),
                        code=code,
                        known=sorted(known)[:8],
                    )
                )
            new.append(
                {
                    "transcript_id": str(row.transcript_id),
                    "start": int(row.start),
                    "end": int(row.end),
                    "code": code,
                    "coder": coder,
                    "origin": "consensus",
                }
            )
    if new:
        project.add_codings(pd.DataFrame(new))
    return project.codings(coder=coder)
