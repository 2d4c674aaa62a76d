"""Agreement tables from a project: units, presence per unit, one row per code.

:func:`agreement_table` takes the transcripts, codings and codebook from a
:class:`qualcode.Project` (read through its public API only), builds units of
analysis (turns, sentences or characters), turns each code into binary reliability
data and computes the coefficients of :mod:`qualcode.agreement.coefficients` on
them, with bootstrap intervals. :func:`reliability_data` exposes the units x coders
table for any other analysis.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from qualcode._columns import AGREEMENT, frame
from qualcode._validation import (
    check_choice,
    check_known,
    check_number,
    check_type,
    require_columns,
)
from qualcode.agreement._kernels import (
    _category_counts,
    _k_alpha,
    _k_bp,
    _k_fleiss,
    _k_gwet,
    _k_pair,
    _k_percent,
    _multinomial,
    _percentile,
)
from qualcode.agreement._presence import (
    CodingMap,
    _char_space,
    _check_codes,
    _check_project,
    _code_level,
    _coded_transcripts,
    _presence_matrix,
    _selected_spans,
    _table_units,
    _unit_presence,
    _unlabelled,
)
from qualcode.agreement.unitized import _merge, _unitized_core
from qualcode.errors import Errors, InvalidInputError, UndefinedStatisticWarning

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.model import Transcript
    from qualcode.store import Project

__all__ = ["POOLED", "TABLE_UNITS", "agreement_table", "reliability_data"]

TABLE_UNITS = ("turn", "sentence", "character")
POOLED = "(pooled)"


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


def _binary_stats(
    pat: np.ndarray, R: np.ndarray, W: np.ndarray, m: int
) -> dict[str, np.ndarray]:
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
        Codes to report, each given a row even if nobody applied it (default: the
        codes a compared coder applied to at least one analysed unit, in codebook
        order; codes used only elsewhere, e.g. on interviewer turns, get no row).
    roles : iterable of str, default ("participant",)
        Speaker roles whose turns are analysed; None for all turns. A transcript
        in which no turn has a role (no speaker label was recognised, e.g. plain
        paragraphs) is analysed in full: all its turns (paragraphs or cues) are
        units, and a QualcodeWarning [QC610] names it.
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
          ``gwet_ac1`` and ``krippendorff_alpha``; NaN (undefined) when fewer than
          two resampled units carry the code
        - ``unitized_alpha_binary``: ``|cu``-alpha of the code on character offsets
          (pooled row: all codes' continua stacked); ``unitized_alpha_u`` and
          ``unitized_alpha_cu``: u- and cu-alpha with codes as values (pooled row
          only; NaN, not applicable, when a coder applied two codes to overlapping
          text: u and cu need mutually exclusive codes)

    Raises
    ------
    InvalidInputError
        Bad ``unit``/``level``/``ci`` [QC101], fewer than two coders [QC608], or
        a coder or code the project does not know [QC109, with a "did you mean"].

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
    resampling single characters would give intervals far too narrow. When fewer
    than two resampled units (turns at ``unit="character"``) carry a code, every
    replicate repeats or drops the same one, and the interval is NaN (undefined)
    rather than a point such as [0, 0].

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
    _check_project(project, caller)
    check_choice(unit, TABLE_UNITS, param="unit", caller=caller)
    check_number(n_boot, param="n_boot", caller=caller, integer=True, low=0)
    check_type(seed, int, param="seed", caller=caller, allow_none=True)
    check_choice(level, ("code", "root"), param="level", caller=caller)
    check_number(
        ci, param="ci", caller=caller, low=0, high=1, low_open=True, high_open=True
    )
    sel = _select(project, coders, codes, level, caller)
    if sel is None:
        return frame([], AGREEMENT)
    every = _unlabelled(sel.transcripts, roles, unit=unit, caller=caller)
    units_df, char_map = _table_units(sel.transcripts, unit, roles, nlp, every)
    if codes is None:  # only codes a compared coder applied to an analysed unit
        sel = _only_used(sel, units_df, char_map)
    if len(units_df) == 0 or not sel.codes:
        return frame([], AGREEMENT)
    rows = _code_rows(sel, units_df, char_map, n_boot, seed, ci)
    table = frame(rows, AGREEMENT)
    table["unit"] = unit
    table["coders"] = ",".join(sel.coders)
    table = table.astype({"unit": "string", "coders": "string"})
    _warn_undefined(table, caller)
    if unitized:
        spans = _selected_spans(
            [
                t
                for t in sel.transcripts
                if all(t.id in sel.coded[k] for k in sel.coders)
            ],
            roles,
            every,
        )
        _table_unitized(table, spans, sel.codings, sel.codes, sel.coders)
    return table


@dataclass(frozen=True)
class _Selection:
    """What an agreement table compares: coders, codes, their codings, transcripts."""

    coders: list[str]
    codes: list[str]
    label: dict[str, str]
    codings: pd.DataFrame  # the compared coders' codings (code mapped to ``level``)
    coded: dict[str, set[str]]  # coder -> transcripts they coded
    transcripts: list[Transcript]  # coded by at least two of the coders


def _select(
    project: Project,
    coders: Sequence[str] | None,
    codes: Sequence[str] | None,
    level: str,
    caller: str,
) -> _Selection | None:
    """Coders, codes and transcripts to compare; None for an empty project.

    Unknown coders and codes raise QC109 with a "did you mean": a typo must never
    give a row of perfect agreement on a code nobody could have applied.
    """
    known = [str(c) for c in project.coders]
    chosen = [str(c) for c in (coders if coders is not None else known)]
    if not known:  # an empty project gives the empty table
        return None
    check_known(chosen, known, what="coder", caller=caller, where=" in this project")
    if len(chosen) < 2:
        raise InvalidInputError(Errors.QC608.format(caller=caller, coders=chosen))
    codebook = getattr(project, "codebook", None)
    everyone = project.codings()
    if codes is not None:
        _check_codes(codes, everyone, codebook, level, caller)
    codings = everyone[everyone["coder"].astype(str).isin(chosen)].copy()
    codings["code"] = _code_level(codings, codebook, level)
    coded = _coded_transcripts(codings, chosen)
    keep = {
        t
        for t in set().union(*coded.values())
        if sum(t in coded[k] for k in chosen) >= 2
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
    code_list = [str(c) for c in codes]
    label = {}
    if codebook is not None:
        for c in code_list:
            label[c] = codebook[c].label if c in codebook else ""
    return _Selection(chosen, code_list, label, codings, coded, transcripts)


def _only_used(
    sel: _Selection, units_df: pd.DataFrame, char_map: CodingMap | None
) -> _Selection:
    """The selection restricted to codes some compared coder applied to a unit."""
    cod = sel.codings[sel.codings["code"].astype(str).isin(sel.codes)]
    if char_map is not None:
        cs, ce = char_map(cod)
    else:
        cs, ce = _unit_presence(units_df, cod)
    used = set(cod["code"].astype(str).to_numpy()[ce > cs])
    return replace(sel, codes=[c for c in sel.codes if c in used])


def _code_rows(
    sel: _Selection,
    units_df: pd.DataFrame,
    char_map: CodingMap | None,
    n_boot: int,
    seed: int | None,
    ci: float,
) -> list[dict[str, Any]]:
    """One row of statistics per code, then the pooled row."""
    coders, codes, codings = sel.coders, sel.codes, sel.codings
    m = len(coders)
    n = len(units_df)
    tid_units = units_df["transcript_id"].astype(str)
    missing = np.column_stack(
        [~tid_units.isin(sel.coded[k]).to_numpy() for k in coders]
    )
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
    if char_map is not None:
        cs, ce = char_map(cod)
    else:
        cs, ce = _unit_presence(units_df, cod)
    ok = ce > cs
    cs, ce, code_idx_k, coder_idx_k = cs[ok], ce[ok], code_idx[ok], coder_idx[ok]
    order = np.argsort(code_idx_k, kind="stable")
    bounds = np.searchsorted(code_idx_k[order], np.arange(len(codes) + 1))
    rows = []
    for j, code in enumerate(codes):  # loop over codes; units are vectorised
        sel_k = order[bounds[j] : bounds[j + 1]]
        pres = (
            _presence_matrix(n, cs[sel_k], ce[sel_k], coder_idx_k[sel_k], m) & ~missing
        )
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
        _drop_degenerate_interval(row, hit, clusters)
        row.update(
            code=code, label=sel.label.get(code, ""), n_units=n, n_coded=len(hit)
        )
        rows.append(row)
    rows.append(
        _pooled_row(pats, R, pooled_rows, clusters, n_clusters, m, n_boot, rng, ci)
    )
    rows[-1]["label"] = f"all {len(codes)} codes stacked (unit x code decisions)"
    return rows


def _pooled_row(
    pats: np.ndarray,
    R: np.ndarray,
    pooled_rows: np.ndarray,
    clusters: np.ndarray | None,
    n_clusters: int,
    m: int,
    n_boot: int,
    rng: np.random.Generator,
    ci: float,
) -> dict[str, Any]:
    """All unit x code decisions stacked; the bootstrap resamples units."""
    total = pooled_rows.sum(0).astype(float)
    row = _row_stats(pats, R, total, m, 0, rng, ci)
    if n_boot:
        if clusters is not None:
            per_cluster = np.zeros((n_clusters, len(pats)))
            np.add.at(per_cluster, clusters, pooled_rows)
            wb = _cluster_weights(n_clusters, n_boot, rng) @ per_cluster
        else:
            groups, gcount = _unique_rows(pooled_rows)
            wb = _multinomial(gcount.astype(float), n_boot, rng) @ groups
        with np.errstate(all="ignore"):
            boot = _binary_stats(pats, R, wb, m)
        for s in _CI_STATS:
            row[f"{s}_ci_low"], row[f"{s}_ci_high"] = _percentile(boot[s], ci)
    coded_any = pooled_rows[:, (pats == 1).any(1)].sum(1) > 0
    _drop_degenerate_interval(row, np.flatnonzero(coded_any), clusters)
    row.update(code=POOLED, n_units=len(pooled_rows), n_coded=int(coded_any.sum()))
    return row


def _drop_degenerate_interval(
    row: dict[str, Any], hit: np.ndarray, clusters: np.ndarray | None
) -> None:
    """NaN interval when fewer than two resampled units carry the code.

    With one such unit (one turn at ``unit="character"``) every replicate either
    repeats it or drops it, so the percentile interval collapses to a point (often
    [0, 0]) that says nothing about uncertainty: it is undefined.
    """
    carriers = len(hit) if clusters is None else len(np.unique(clusters[hit]))
    if carriers < 2:
        for s in _CI_STATS:
            if f"{s}_ci_low" in row:
                row[f"{s}_ci_low"] = row[f"{s}_ci_high"] = float("nan")


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
    pats: np.ndarray,
    R: np.ndarray,
    counts: np.ndarray,
    m: int,
    n_boot: int,
    rng: np.random.Generator,
    ci: float,
    *,
    boot_counts: np.ndarray | None = None,
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


def _table_unitized(
    table: pd.DataFrame,
    spans: pd.DataFrame,
    codings: pd.DataFrame,
    codes: list[str],
    coders: list[str],
) -> None:
    """Fill the unitized-alpha columns from the character continua of ``spans``
    (the analysed turns of the transcripts every compared coder coded)."""
    if not len(spans):
        return
    n_chars, map_codings, _, _ = _char_space(spans)
    c = codings[
        codings["transcript_id"].astype(str).isin(set(spans["transcript_id"]))
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
