"""Krippendorff's unitizing alphas for coders who mark spans on a continuum.

Pure statistics on ``(coder, start, end, code)`` segments: nothing here reads a
project, a file or a transcript. :func:`qualcode.agreement.agreement_table` lays a
project's codings on character continua and calls the same kernels.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from qualcode._validation import check_choice, invalid, require_columns
from qualcode.agreement._kernels import _TINY
from qualcode.errors import Errors, InvalidInputError, UndefinedStatisticWarning

__all__ = ["unitized_alpha"]

VARIANTS = ("u", "|cu", "cu", "Cu")


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
    line = _segments_on_line(
        segments,
        continuum_length=continuum_length,
        coders=coders,
        continuum=continuum,
        domains=domains if variant == "Cu" else None,
        need_domains=variant == "Cu",
        caller=caller,
    )
    # merge a coder's own same-value segments (on the pooled line)
    nv = max(len(line.values), 1)
    group = line.coder * nv + line.value
    g, s, e = _merge(group, line.start, line.end, line.total)
    value = g % nv
    coder = g // nv
    m = len(line.names)
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


def _continuum_offsets(
    segments: pd.DataFrame,
    continuum_length: int | Mapping[str, int],
    continuum: str,
    caller: str,
) -> tuple[int, np.ndarray, np.ndarray]:
    """``(total, offset, limit)``: each segment's shift onto the pooled line."""
    if not isinstance(continuum_length, Mapping):
        total = int(continuum_length)
        off = np.zeros(len(segments), dtype=np.int64)
        return total, off, np.full(len(segments), total, dtype=np.int64)
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
    return pos, off, lim


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
    total, off, lim = _continuum_offsets(seg, continuum_length, continuum, caller)
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
    )
