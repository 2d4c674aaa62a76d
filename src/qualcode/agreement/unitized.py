"""Krippendorff's unitizing alphas for coders who mark spans on a continuum.

Pure statistics on ``(coder, start, end, code)`` segments: nothing here reads a
project, a file or a transcript. :func:`qualcode.agreement.agreement_table` lays a
project's codings on character continua and calls the same kernels.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from qualcode._columns import FLOAT, STR, Schema, frame
from qualcode._validation import check_choice, invalid, require_columns
from qualcode.agreement._kernels import _TINY
from qualcode.errors import Errors, InvalidInputError, UndefinedStatisticWarning

__all__ = ["unitized_alpha", "unitized_alpha_by_value"]

VARIANTS = ("u", "|u", "|cu", "cu", "Cu", "U")
BY_VALUE_VARIANTS = ("(k)u", "U")
#: the binary variants: coded vs uncoded matter (the book's |u-alpha)
BINARY = ("|u", "|cu")

#: columns of :func:`unitized_alpha_by_value`
UNITIZED_BY_VALUE: Schema = (
    ("code", STR),
    ("alpha", FLOAT),
    ("observed", FLOAT),
    ("expected", FLOAT),
    ("coverage", FLOAT),
)


def _merge(
    group: np.ndarray, start: np.ndarray, end: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of *overlapping* intervals within each group (vectorised).

    Intervals that only touch (one ends where the next starts) stay apart: they are
    separate units (Krippendorff 2019, Fig. 12.11). Exact duplicates and spans that
    share at least one position merge into one.
    """
    if len(start) == 0:
        return group, start, end
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    big = np.int64(span + 1)
    s2, e2 = s + g * big, e + g * big
    runmax = np.maximum.accumulate(e2)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s2[1:] >= runmax[:-1]
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


def _elementary(
    coder: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
    m: int,
    length: int,
    names: Sequence[str],
    values: Sequence[str],
    variant: str,
) -> _Continuum:
    """Cut the line at every segment boundary; paint each coder's value per piece."""
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


def _u_terms(
    cont: _Continuum,
    m: int,
    n_values: int,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
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
    ltot = float(lc.sum())
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


def _alpha_u(o: np.ndarray, e: np.ndarray, ltot: float) -> float:
    den = ltot - np.trace(e)
    if not den > 1e-9 * ltot:  # no expected disagreement (relative to l..)
        return float("nan")
    return float(1 - (ltot - np.trace(o)) / den)


def _cu_terms(
    cont: _Continuum, o: np.ndarray, m: int, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Observed and expected coincidences among valued matter (cu-alpha), or None."""
    ostar = o[1:, 1:]
    lstar = ostar.sum(1)
    tot = lstar.sum()
    if tot <= _TINY:
        return None
    valued = (cont.vals > 0).sum(0)
    f = np.concatenate(([0.0], np.cumsum(cont.lam * (valued - 1))))
    pairable = (f[cont.i1] - f[cont.i0]) / (m - 1)
    s = np.bincount(value, weights=pairable**2, minlength=len(lstar))
    den = tot - s.sum() / tot
    if den <= _TINY:
        return None
    return ostar, (np.outer(lstar, lstar) - np.diag(s)) / den


def _alpha_cu(cont: _Continuum, o: np.ndarray, m: int, value: np.ndarray) -> float:
    terms = _cu_terms(cont, o, m, value)
    if terms is None:
        return float("nan")
    ostar, estar = terms
    tot = ostar.sum()
    den = tot - np.trace(estar)
    if not den > 1e-9 * tot:
        return float("nan")
    return float(1 - (tot - np.trace(ostar)) / den)


def _unitized_core(
    coder: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    value: np.ndarray,
    m: int,
    length: int,
    variant: str,
    names: Sequence[str],
    values: Sequence[str],
) -> float:
    """Alpha for prepared units ``(coder, start, end, value)`` on ``[0, length)``.

    Units must already be merged per coder and value (:func:`_merge`); for the
    binary variants the values are collapsed here and overlapping units of one
    coder merged.
    """
    if m < 2 or length <= 0:
        return float("nan")
    if variant in BINARY:
        coder, start, end = _merge(coder, start, end, length)
        value = np.zeros(len(start), dtype=np.int64)
        n_values, values = 1, ["(coded)"]
    else:
        n_values = len(values)
    cont = _elementary(coder, start, end, value, m, length, names, values, variant)
    with np.errstate(all="ignore"):
        o, e, ltot = _u_terms(cont, m, n_values, start, end, value)
        if variant == "u" or variant in BINARY:
            return _alpha_u(o, e, ltot)
        return _alpha_cu(cont, o, m, value)


def unitized_alpha(
    segments: pd.DataFrame,
    *,
    continuum_length: int | Mapping[str, int],
    variant: Literal["u", "|u", "|cu", "cu", "Cu", "U"] = "cu",
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
    variant : {"u", "|u", "|cu", "cu", "Cu", "U"}, default "cu"
        - ``"u"``: u-alpha, agreement on where units are *and* their codes; gaps
          (uncoded stretches) take part as an empty category.
        - ``"|u"`` (same as ``"|cu"``): binary alpha, relevant (coded with any of
          the given codes) vs irrelevant matter. Pass one code's segments to get
          the per-code binary alpha (ATLAS.ti's ``|cu``-alpha for one code).
        - ``"cu"``: cu-alpha, agreement on the codes where coders' units intersect,
          ignoring unitizing differences.
        - ``"Cu"``: cu-alpha with the semantic domains of ``domains`` as values.
        - ``"U"``: alpha_U of Krippendorff (1995, 2004), the older distance-based
          coefficient (DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement``).
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

    See Also
    --------
    unitized_alpha_by_value : the per-value (k)u-alpha and per-category alpha_U.

    Notes
    -----
    **Units.** Each segment is a unit. A coder's own segments with the *same* value
    that overlap (share at least one position, including exact duplicates) are
    merged into one unit first, so coding a span twice is never agreement with
    oneself. Segments that merely *touch* (one ends where the next starts) stay
    separate units, as in Krippendorff (2019, Fig. 12.11), where an observer's two
    adjacent units of value 6 count as two. Each coder's continuum is then a
    partition into valued units and gaps.

    **u-alpha** (Krippendorff 2019, sect. 12.6.3; Krippendorff et al. 2016, sect.
    5.1). Observed coincidences ``l_ck = 1/(m-1) sum_i sum_{j != i} |units of i
    valued c  intersect  units of j valued k|`` (gaps valued ``empty``),
    ``l.. = m L``. Expected coincidences
    ``e_ck = l.. (l_c. l_.k - [c = k] S_c) / (l..^2 - sum_c S_c)`` with ``S_c`` the sum
    of squared lengths of the units valued ``c`` and, for gaps, the sum of their
    lengths (gaps are not units).
    ``alpha = 1 - (l.. - sum_c l_cc) / (l.. - sum_c e_cc)``.

    **|u-alpha** (sect. 12.6.4, binary): the u-alpha matrices collapsed to valued
    vs empty, i.e. u-alpha with every value recoded as one "coded" value and the
    units kept. Where a coder's units of different codes overlap (codes that are
    not mutually exclusive), the overlapping units merge into one coded unit.

    **cu-alpha** (sect. 12.6.5): restricted to coincidences between valued matter,
    ``l*_ck`` for ``c, k != empty``; each unit ``g`` contributes its pairable length
    ``lambda_g = 1/(m-1) sum_{j != i} |g intersect valued matter of j|`` and
    ``e*_ck = (l*_c. l*_.k - [c = k] sum_{g valued c} lambda_g^2) / (l*.. - sum_g
    lambda_g^2 / l*..)``. With three observers this reproduces the book's .724.

    **Cu-alpha** follows ATLAS.ti's naming (González-Prieto et al. 2023): cu-alpha
    with semantic domains instead of codes as values, a global measure across
    domains.

    **alpha_U** (Krippendorff 1995; 2004, sect. 12.2): per value ``c`` each coder's
    continuum is cut into units of ``c`` and gaps; the observed disagreement sums,
    over coder pairs and overlapping sections, the squared differences of start and
    end points of two overlapping units, or the squared length of a unit lying
    inside the other coder's gap; the expected disagreement places every unit at
    every possible position. ``alpha_U = 1 - mean_c D_o(c) / mean_c D_e(c)``. With
    several continua, gaps also end at each continuum's end.

    Units of analysis: the positions of the continuum (characters for text).

    References
    ----------
    .. [1] Krippendorff, K. (1995). On the reliability of unitizing continuous data.
       Sociological Methodology 25, 47-76.
    .. [2] Krippendorff, K. (2004). Content Analysis, 2nd ed., sect. 12.2 (p. 254:
       alpha_U .8591). Sage.
    .. [3] Krippendorff, K. (2019). Content Analysis, 4th ed., sect. 12.6, Fig.
       12.11 (u-alpha .510, |u-alpha .413, cu-alpha .724). Sage.
    .. [4] Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016). On the
       reliability of unitizing textual continua: further developments. Quality &
       Quantity 50(6), 2347-2364.
    .. [5] González-Prieto, Á., Pérez, J., Díaz, J. & López-Fernández, D. (2023).
       Reliability in software engineering qualitative research through inter-coder
       agreement. Journal of Systems and Software 202 (arXiv:2008.00977).
    .. [6] Tests reproduce [2] and [3] (the book example as encoded in the tests of
       the R package ``quallmer``; alpha_U as in DKPro Statistics' tests) and check
       u-alpha against the PyPI package ``krippendorff-unitized-alpha`` 0.1.0.

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
    >>> round(qc.agreement.unitized_alpha(seg, continuum_length=20, variant="|u"), 4)
    0.9068
    >>> qc.agreement.unitized_alpha(seg, continuum_length=20, variant="cu")
    1.0
    >>> round(qc.agreement.unitized_alpha(seg, continuum_length=20, variant="U"), 4)
    0.9793
    """
    caller = "unitized_alpha"
    check_choice(variant, VARIANTS, param="variant", caller=caller)
    line = _segments_on_line(
        segments,
        continuum_length=continuum_length,
        coders=coders,
        continuum=continuum,
        domains=domains if variant == "Cu" else None,
        need_domains=variant == "Cu",
        caller=caller,
    )
    m = len(line.names)
    if variant == "U":
        by_value = _alpha_U_by_value(line)
        obs = sum(r["observed"] for r in by_value)
        exp = sum(r["expected"] for r in by_value)
        result = float(1 - obs / exp) if m >= 2 and exp > _TINY else float("nan")
    else:
        coder, s, e, value = _units(line)
        result = _unitized_core(
            coder, s, e, value, m, line.total, variant, line.names, line.values
        )
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


def unitized_alpha_by_value(
    segments: pd.DataFrame,
    *,
    continuum_length: int | Mapping[str, int],
    variant: Literal["(k)u", "U"] = "(k)u",
    coders: Sequence[str] | None = None,
    continuum: str = "transcript_id",
) -> pd.DataFrame:
    """Unitizing alpha of each value (code) on its own: (k)u-alpha or alpha_U.

    Parameters
    ----------
    segments : pandas.DataFrame
        ``coder``, ``start``, ``end``, ``code`` (and ``continuum``), as for
        :func:`unitized_alpha`.
    continuum_length : int or mapping
        Length of the continuum, or ``{continuum id: length}``.
    variant : {"(k)u", "U"}, default "(k)u"
        ``"(k)u"``: Krippendorff's (2019, sect. 12.6.6) per-value ``(k)u``-alpha,
        how reliably coders use value ``k`` where their units intersect (from the
        cu-alpha matrices). ``"U"``: the per-category alpha_U of Krippendorff
        (1995, 2004).
    coders : sequence of str, optional
        All coders (default: those in ``segments``).
    continuum : str, default "transcript_id"
        Column naming each segment's continuum when ``continuum_length`` is a mapping.

    Returns
    -------
    pandas.DataFrame
        One row per value, sorted:

        - ``code``: the value
        - ``alpha``: ``1 - observed / expected``; NaN (with
          UndefinedStatisticWarning naming the values) when undefined, e.g. a value
          whose units meet only gaps of the other coders
        - ``observed``, ``expected``: the disagreements. ``(k)u``:
          ``1 - l*_kk / l*_.k`` and ``1 - e*_kk / e*_.k``; ``U``: ``D_o(k)`` and
          ``D_e(k)``
        - ``coverage``: ``(k)u`` only, ``l*_.k / l_.k``, the share of value ``k``'s
          coincidences that are with valued matter (NaN for ``U``)

    Raises
    ------
    InvalidInputError
        As :func:`unitized_alpha`; ``(k)u`` needs mutually exclusive values per
        coder [QC605].

    Notes
    -----
    Units are prepared as in :func:`unitized_alpha` (a coder's overlapping
    same-value segments merge; touching ones stay separate units).

    References
    ----------
    .. [1] Krippendorff, K. (2019). Content Analysis, 4th ed., sect. 12.6.6, Fig.
       12.11: (k)u-alpha 1.0 for values 1, 5, 6, 0.0 for 2, 3, 4, undefined for 7.
    .. [2] Krippendorff, K. (2004). Content Analysis, 2nd ed., p. 254: category c
       alpha_U .7286 (D_o .0144, D_e .0532), category k 1.0.

    Examples
    --------
    >>> import pandas as pd
    >>> import qualcode as qc
    >>> seg = pd.DataFrame(
    ...     {
    ...         "coder": ["A", "B", "A", "B"],
    ...         "start": [0, 0, 10, 10],
    ...         "end": [5, 5, 15, 15],
    ...         "code": ["x", "x", "y", "z"],
    ...     }
    ... )
    >>> table = qc.agreement.unitized_alpha_by_value(seg, continuum_length=20)
    >>> table[["code", "alpha", "coverage"]]
      code  alpha  coverage
    0    x    1.0       1.0
    1    y    0.0       1.0
    2    z    0.0       1.0
    """
    caller = "unitized_alpha_by_value"
    check_choice(variant, BY_VALUE_VARIANTS, param="variant", caller=caller)
    line = _segments_on_line(
        segments,
        continuum_length=continuum_length,
        coders=coders,
        continuum=continuum,
        domains=None,
        need_domains=False,
        caller=caller,
    )
    rows = _alpha_U_by_value(line) if variant == "U" else _ku_by_value(line)
    table = frame(rows, UNITIZED_BY_VALUE)
    bad = table.loc[table["alpha"].isna(), "code"].astype(str).tolist()
    if bad:
        warnings.warn(
            Errors.QC609.format(
                caller=caller,
                statistic=f"{variant}-alpha of values {bad[:8]}",
                reason="the value meets no valued matter of another coder, or "
                "fewer than two coders",
            ),
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    return table


def _units(line: _Line) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(coder, start, end, value)`` of the units: overlapping same-value merged."""
    nv = max(len(line.values), 1)
    g, s, e = _merge(line.coder * nv + line.value, line.start, line.end, line.total)
    return g // nv, s, e, g % nv


def _ku_by_value(line: _Line) -> list[dict[str, Any]]:
    """(k)u-alpha rows (Krippendorff 2019, sect. 12.6.6) from the cu matrices."""
    m, values = len(line.names), line.values
    nan = float("nan")
    rows: list[dict[str, Any]] = [
        {"code": v, "alpha": nan, "observed": nan, "expected": nan, "coverage": nan}
        for v in values
    ]
    if m < 2 or line.total <= 0 or not values:
        return rows
    coder, s, e, value = _units(line)
    cont = _elementary(coder, s, e, value, m, line.total, line.names, values, "(k)u")
    with np.errstate(all="ignore"):
        o, _, _ = _u_terms(cont, m, len(values), s, e, value)
        terms = _cu_terms(cont, o, m, value)
    full = o.sum(0)[1:]  # l_.k including coincidences with gaps
    for k, row in enumerate(rows):  # loop over values
        row["coverage"] = terms[0][:, k].sum() / full[k] if terms and full[k] else 0.0
        if terms is None:
            continue
        ostar, estar = terms
        lk, ek = ostar[:, k].sum(), estar[:, k].sum()
        if lk <= _TINY or ek <= _TINY:
            continue
        observed, expected = 1 - ostar[k, k] / lk, 1 - estar[k, k] / ek
        row.update(observed=observed, expected=expected)
        if expected > _TINY:
            row["alpha"] = 1 - observed / expected
    return rows


def _sections(
    start: np.ndarray, end: np.ndarray, total: int, breaks: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One coder's continuum cut into its units and the gaps between them.

    ``start``/``end`` are the coder's units of one value (not overlapping); gaps
    also end at ``breaks`` (continuum boundaries). Returns section starts, ends
    and whether each section is a unit.
    """
    b = np.unique(np.concatenate(([0, total], breaks, start, end)).astype(np.int64))
    lo, hi = b[:-1], b[1:]
    return lo, hi, np.isin(lo, start)


def _pair_distance(
    a: tuple[np.ndarray, np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> float:
    """Sum of alpha_U distances over the overlapping sections of two coders."""
    sa, ea, ua = a
    sb, eb, ub = b
    cuts = np.unique(np.concatenate((sa, sb)))  # every elementary piece's start
    ia = np.searchsorted(sa, cuts, side="right") - 1
    ib = np.searchsorted(sb, cuts, side="right") - 1
    new = np.ones(len(cuts), dtype=bool)  # pieces of one section pair are adjacent
    new[1:] = (ia[1:] != ia[:-1]) | (ib[1:] != ib[:-1])
    ia, ib = ia[new], ib[new]
    b1, e1, u1 = sa[ia].astype(float), ea[ia].astype(float), ua[ia]
    b2, e2, u2 = sb[ib].astype(float), eb[ib].astype(float), ub[ib]
    both = u1 & u2
    d = np.where(both, (b1 - b2) ** 2 + (e1 - e2) ** 2, 0.0)
    d += np.where(u1 & ~u2 & (b2 <= b1) & (e1 <= e2), (e1 - b1) ** 2, 0.0)
    d += np.where(~u1 & u2 & (b1 <= b2) & (e2 <= e1), (e2 - b2) ** 2, 0.0)
    return float(d.sum())


def _alpha_U_by_value(line: _Line) -> list[dict[str, Any]]:  # noqa: N802
    """alpha_U rows per value (Krippendorff 1995; DKPro Statistics' algorithm)."""
    m, total = len(line.names), float(line.total)
    coder, s, e, value = _units(line)
    rows: list[dict[str, Any]] = []
    for k, code in enumerate(line.values):  # loop over values and coder pairs
        sel = value == k
        parts = [
            _sections(
                s[sel & (coder == i)], e[sel & (coder == i)], line.total, line.breaks
            )
            for i in range(m)
        ]
        nan = float("nan")
        row: dict[str, Any] = {"code": code, "alpha": nan, "observed": nan}
        row.update(expected=nan, coverage=nan)
        rows.append(row)
        if m < 2 or total <= 0:
            continue
        dist = sum(
            _pair_distance(parts[i], parts[j])
            for i in range(m)
            for j in range(i + 1, m)
        )
        observed = 2 * dist / (m * (m - 1) * total**2)
        length = (e[sel] - s[sel]).astype(float)
        gaps = np.sort(
            np.concatenate([(hi - lo)[~u] for lo, hi, u in parts]).astype(float)
        )
        tail = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))  # sum of G >= l
        at = np.searchsorted(gaps, length, side="left")
        fits = tail[at] - (length - 1) * (len(gaps) - at)  # sum (G - l + 1), G >= l
        n_c = len(length)
        num = (n_c - 1) * (2 * length**3 - 3 * length**2 + length) / 3
        num = 2 / total * (num + length**2 * fits).sum()
        den = m * total * (m * total - 1) - (length * (length - 1)).sum()
        expected = num / den
        row.update(observed=observed, expected=expected)
        if expected > _TINY:
            row["alpha"] = 1 - observed / expected
    return rows


@dataclass(frozen=True)
class _Line:
    """Segments laid on one pooled line: integer arrays, one entry per segment."""

    coder: np.ndarray  # index into names
    start: np.ndarray
    end: np.ndarray
    value: np.ndarray  # index into values
    total: int  # length of the pooled line
    names: list[str]  # coders
    values: list[str]  # sorted distinct values (codes or domains)
    breaks: np.ndarray  # where one continuum ends and the next starts


def _continuum_offsets(
    segments: pd.DataFrame,
    continuum_length: int | Mapping[str, int],
    continuum: str,
    caller: str,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``(total, offset, limit, breaks)``: each segment's shift onto the pooled line
    and where each continuum starts on it."""
    if not isinstance(continuum_length, Mapping):
        total = int(continuum_length)
        off = np.zeros(len(segments), dtype=np.int64)
        lim = np.full(len(segments), total, dtype=np.int64)
        return total, off, lim, np.zeros(0, dtype=np.int64)
    require_columns(segments, [continuum], caller=caller, param="segments")
    lengths = {str(k): int(v) for k, v in continuum_length.items()}
    offsets, pos = {}, 0
    for k, v in lengths.items():
        offsets[k] = pos
        pos += v
    cont_ids = segments[continuum].astype(str).to_numpy()
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
    return pos, off, lim, np.array(list(offsets.values()), dtype=np.int64)


def _segments_on_line(
    segments: pd.DataFrame,
    *,
    continuum_length: int | Mapping[str, int],
    coders: Sequence[str] | None,
    continuum: str,
    domains: Mapping[str, str] | None,
    need_domains: bool,
    caller: str,
) -> _Line:
    """Check the segments and lay them, as integer codes, on one pooled line."""
    require_columns(
        segments, ["coder", "start", "end", "code"], caller=caller, param="segments"
    )
    seg = segments
    total, off, lim, breaks = _continuum_offsets(
        seg, continuum_length, continuum, caller
    )
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
        raise invalid(
            "coders",
            caller,
            f"a list including {sorted(set(seg['coder'].astype(str)))}",
            names,
        )
    code = seg["code"].astype(str)
    if need_domains:
        if domains is None:
            raise invalid(
                "domains",
                caller,
                "a mapping {code: semantic domain} for variant='Cu' "
                "(e.g. {c.id: codebook.root_of(c.id).id for c in codebook})",
                None,
            )
        dom = domains
        code = code.map(lambda c: str(dom.get(c, c)))
    uniq, vcode = np.unique(code.to_numpy(dtype=str), return_inverse=True)
    return _Line(
        coder=coder_idx.astype(np.int64),
        start=start + off,
        end=end + off,
        value=vcode.astype(np.int64),
        total=total,
        names=names,
        values=[str(v) for v in uniq.tolist()],
        breaks=breaks,
    )
