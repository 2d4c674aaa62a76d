"""Vectorised kernels behind every coefficient (private to ``qualcode.agreement``).

Reliability data are encoded as integer codes (``-1`` = missing), reduced to the
distinct rows ("patterns") and how many units show each, and every coefficient is a
matrix product over those patterns. ``W`` is always a ``(B, P)`` matrix of unit
counts per pattern: ``B = 1`` for a point estimate, ``B = n_boot`` for bootstrap
replicates, so point estimates and intervals share one code path.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qualcode._validation import check_choice, invalid
from qualcode.errors import Errors, InvalidInputError, UndefinedStatisticWarning

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("linear", "quadratic")
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
        raise invalid(
            "data",
            caller,
            "a units x coders DataFrame or 2-D array",
            type(data).__name__,
        ) from exc
    if arr.ndim != 2:
        raise invalid(
            "data",
            caller,
            "a units x coders DataFrame or 2-D array",
            f"an array with {arr.ndim} dimension(s)",
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
        raise invalid(
            "weights",
            caller,
            f"'linear', 'quadratic', None or a {q} x {q} matrix",
            w.shape,
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


def _gwet_terms(
    R: np.ndarray, W: np.ndarray, wa: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _k_percent(R: np.ndarray, W: np.ndarray, wa: np.ndarray) -> np.ndarray:
    return _gwet_terms(R, W, wa)[0]


def _k_fleiss(R: np.ndarray, W: np.ndarray, wa: np.ndarray) -> np.ndarray:
    pa, pi, _ = _gwet_terms(R, W, wa)
    pe = np.einsum("bi,ij,bj->b", pi, wa, pi)
    return _kappa_like(pa, pe)


def _k_gwet(R: np.ndarray, W: np.ndarray, wa: np.ndarray) -> np.ndarray:
    q = R.shape[1]
    pa, pi, _ = _gwet_terms(R, W, wa)
    if q < 2:
        return np.full(len(pa), np.nan)
    pe = wa.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(1)
    return _kappa_like(pa, pe)


def _k_bp(R: np.ndarray, W: np.ndarray, wa: np.ndarray) -> np.ndarray:
    q = R.shape[1]
    pa = _gwet_terms(R, W, wa)[0]
    pe = np.full(len(pa), wa.sum() / q**2 if q else np.nan)
    return _kappa_like(pa, pe)


def _contingency(pat: np.ndarray, W: np.ndarray, q: int) -> np.ndarray:
    ok = (pat[:, 0] >= 0) & (pat[:, 1] >= 0)
    onehot = np.zeros((int(ok.sum()), q * q))
    onehot[np.arange(onehot.shape[0]), pat[ok, 0] * q + pat[ok, 1]] = 1
    return (W[:, ok] @ onehot).reshape(len(W), q, q)


def _k_pair(
    pat: np.ndarray, W: np.ndarray, q: int, wa: np.ndarray, kind: str
) -> np.ndarray:
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


def _k_alpha(R: np.ndarray, W: np.ndarray, level: str, cats: np.ndarray) -> np.ndarray:
    o = _coincidences(R, W)
    n_c = o.sum(2)
    n = n_c.sum(1)
    d = _delta(level, cats, n_c)
    do = (d * o).sum((1, 2))
    de = (d * n_c[:, :, None] * n_c[:, None, :]).sum((1, 2))
    return 1 - _div((n - 1) * do, de)


# =============================================================================
# Shared by the public functions
# =============================================================================


def _prepare(
    data: Any,
    caller: str,
    categories: Sequence[Any] | None = None,
    n_coders: int | None = None,
) -> tuple[_Encoded, int, np.ndarray, np.ndarray]:
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
