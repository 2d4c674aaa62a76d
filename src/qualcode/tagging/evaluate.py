"""Evaluation: suggestions measured against a coder's codings, per code."""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from qualcode._columns import EVALUATION, frame
from qualcode._inputs import as_transcripts
from qualcode._nlp import UNITS, iter_units, load_nlp, role_set
from qualcode._validation import check_choice, invalid, listed, require_columns
from qualcode.errors import (
    Errors,
    TaggingError,
    UndefinedStatisticWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["evaluate"]


def _rows(df: Any, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    if df is None or not len(df):
        return iter(())
    return zip(*(df[c].tolist() for c in cols), strict=True)


_ZERO = ("warn", "nan")


_KEY = ["transcript_id", "start", "end", "code"]
_Units = dict[str, set[Any]]


def _span_units(sug: Any, cod: Any, code_list: list[str]) -> tuple[_Units, _Units]:
    """Predicted and coded units when the suggestion spans are the units."""
    pred: _Units = {c: set() for c in code_list}
    gold: _Units = {c: set() for c in code_list}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t, s, e, c in _rows(sug, _KEY):
        pred[c].add((t, int(s), int(e)))
        spans.setdefault((t, c), []).append((int(s), int(e)))
    for lst in spans.values():
        lst.sort()
    for t, s, e, c in _rows(cod, _KEY):
        lst = spans.get((t, c), [])
        hit = [u for u in lst if u[0] < int(e) and int(s) < u[1]]
        if hit:
            gold[c].update((t, *u) for u in hit)
        else:
            gold[c].add((t, int(s), int(e), "missed"))
    return pred, gold


def _rebuilt_units(
    sug: Any,
    cod: Any,
    code_list: list[str],
    transcripts: Iterable[Any],
    unit: str,
    roles: tuple[str | None, ...],
    nlp: Any,
) -> tuple[_Units, _Units]:
    """Predicted and coded units (``(transcript, unit number)``), units rebuilt."""
    pred: _Units = {c: set() for c in code_list}
    gold: _Units = {c: set() for c in code_list}
    ustart: dict[str, list[int]] = {}
    uend: dict[str, list[int]] = {}
    for u in iter_units(transcripts, unit, roles=roles, nlp=nlp):
        ustart.setdefault(u["transcript_id"], []).append(u["start"])
        uend.setdefault(u["transcript_id"], []).append(u["end"])

    def overlapping(t: str, s: int, e: int) -> list[int]:
        st, en = ustart.get(t, []), uend.get(t, [])
        i = bisect.bisect_right(en, s)  # first unit ending after s
        out = []
        while i < len(st) and st[i] < e:
            out.append(i)
            i += 1
        return out

    for t, s, e, c in _rows(sug, _KEY):
        if t not in ustart:
            raise TaggingError(
                Errors.QC511.format(caller="evaluate", transcript=t, what="suggestions")
            )
        pred[c].update((t, i) for i in overlapping(t, int(s), int(e)))
    for t, s, e, c in _rows(cod, _KEY):
        gold[c].update((t, i) for i in overlapping(t, int(s), int(e)))
    return pred, gold


def evaluate(
    suggestions: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    unit: str = "sentence",
    transcripts: Any = None,
    codes: Iterable[str] | None = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    nlp: Any = None,
    zero_division: str | float = "warn",
) -> pd.DataFrame:
    """Per-code precision, recall, F1 and support of suggestions against codings.

    Matching is at unit level: a suggested unit is a true positive for code ``c`` if
    the coder has a coding with ``c`` overlapping that unit; a unit the coder coded
    with ``c`` (an overlapping coding) that got no suggestion of ``c`` is a false
    negative.

    Parameters
    ----------
    suggestions : DataFrame
        From :func:`suggest` (``transcript_id, start, end, code``).
    codings : DataFrame
        One coder's codings (``transcript_id, start, end, code``), e.g.
        ``project.codings(coder="AB")``.
    unit : {"sentence", "turn"}
    transcripts : Corpus, iterable of Transcript or Project, optional
        Rebuilds the units exactly (recommended). Without it the suggestion spans are
        the units, and a coding no suggestion of its code overlaps counts as *one*
        missed unit (a lower bound on false negatives when codings span several
        units); codings on interviewer turns are dropped when ``codings`` has a ``role``
        column and ``include_interviewer`` is False.
    codes : iterable of str, optional
        Codes to report (default: every code in either frame).
    roles, include_interviewer, nlp
        Which turns hold units (as in :func:`suggest`) and the pipeline for sentences.
    zero_division : {"warn", "nan"} or float
        Value of an undefined statistic (precision with no suggestions, recall with no
        coded units, F1 with neither). ``"warn"`` (default) returns NaN and issues one
        :class:`UndefinedStatisticWarning` naming the codes; ``"nan"`` returns NaN
        silently; a number (e.g. ``0.0``, sklearn's convention) is used as is.

    Returns
    -------
    pandas.DataFrame
        Schema ``_columns.EVALUATION`` (``code, precision, recall, f1, support,
        n_suggested, tp, fp, fn``), one row per code, then ``(micro)`` (from summed
        counts) and ``(macro)`` (unweighted mean of the per-code values, ignoring NaN).
        ``support`` = units the coder coded with the code; ``n_suggested`` = units
        suggested.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t", "t"],
    ...         "start": [0, 10],
    ...         "end": [9, 20],
    ...         "code": ["a", "a"],
    ...     }
    ... )
    >>> c = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t", "t"],
    ...         "start": [2, 30],
    ...         "end": [5, 40],
    ...         "code": ["a", "a"],
    ...     }
    ... )
    >>> ev = evaluate(s, c)
    >>> ev[["code", "precision", "recall", "tp", "fp", "fn"]].iloc[:1].to_dict(
    ...     "records"
    ... )
    [{'code': 'a', 'precision': 0.5, 'recall': 0.5, 'tp': 1, 'fp': 1, 'fn': 1}]
    """
    import numpy as np
    import pandas as pd

    check_choice(unit, UNITS, param="unit", caller="evaluate")
    if not (
        zero_division in _ZERO
        or (
            isinstance(zero_division, (int, float))
            and not isinstance(zero_division, bool)
        )
    ):
        raise invalid(
            "zero_division", "evaluate", "'warn', 'nan' or a number", zero_division
        )
    key = ["transcript_id", "start", "end", "code"]
    require_columns(suggestions, key, caller="evaluate", param="suggestions")
    require_columns(codings, key, caller="evaluate", param="codings")
    sug = suggestions[key].astype({"transcript_id": str, "code": str})
    cod = codings
    if transcripts is None and "role" in cod.columns and not include_interviewer:
        cod = cod[cod["role"].astype("string").fillna("") != "interviewer"]
    cod = cod[key].astype({"transcript_id": str, "code": str})
    code_list = (
        list(dict.fromkeys(codes))
        if codes is not None
        else sorted(set(sug["code"]) | set(cod["code"]))
    )
    keep = set(code_list)
    sug, cod = sug[sug["code"].isin(keep)], cod[cod["code"].isin(keep)]

    if transcripts is None:
        if "unit" in suggestions.columns:
            got = {str(u) for u in suggestions["unit"].dropna().unique()}
            if got and got != {unit}:
                raise TaggingError(
                    Errors.QC510.format(got=", ".join(sorted(got)), unit=unit)
                )
        pred, gold = _span_units(sug, cod, code_list)
    else:
        trs, _ = as_transcripts(transcripts, caller="evaluate", what="transcripts")
        run_nlp = load_nlp(lemmatize=False) if nlp is None else load_nlp(nlp)
        pred, gold = _rebuilt_units(
            sug,
            cod,
            code_list,
            trs,
            unit,
            role_set(roles, include_interviewer),
            run_nlp,
        )

    def div(a: float, b: float) -> float:
        if b:
            return a / b
        return float("nan") if zero_division in _ZERO else float(zero_division)

    rows: list[dict[str, Any]] = []
    undefined: list[str] = []
    for c in code_list:
        tp = (
            len(pred[c] & gold[c])
            if transcripts is not None
            else sum(1 for p in pred[c] if p in gold[c])
        )
        fp = len(pred[c]) - tp
        fn = len(gold[c]) - tp
        p, r, f = div(tp, tp + fp), div(tp, tp + fn), div(2 * tp, 2 * tp + fp + fn)
        if tp + fp == 0 or tp + fn == 0:
            undefined.append(c)
        rows.append(
            {
                "code": c,
                "precision": p,
                "recall": r,
                "f1": f,
                "support": tp + fn,
                "n_suggested": tp + fp,
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        )
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    totals = {"support": tp + fn, "n_suggested": tp + fp, "tp": tp, "fp": fp, "fn": fn}
    rows.append(
        {
            "code": "(micro)",
            "precision": div(tp, tp + fp),
            "recall": div(tp, tp + fn),
            "f1": div(2 * tp, 2 * tp + fp + fn),
            **totals,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        macro = {
            k: (
                float(np.nanmean(v))
                if len(v) and not np.all(np.isnan(v))
                else float("nan")
            )
            for k in ("precision", "recall", "f1")
            for v in [np.array([r[k] for r in rows[:-1]], dtype=float)]
        }
    rows.append({"code": "(macro)", **macro, **totals})
    if undefined and zero_division == "warn":
        shown = listed(undefined)
        warnings.warn(
            Errors.QC509.format(
                caller="evaluate",
                detail="precision or recall is undefined (no suggestions, or no "
                f"coded units) for code(s) {shown}; returned as NaN. Pass "
                "zero_division=0.0 to count them as 0, or 'nan' to silence this.",
            ),
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    return frame(pd.DataFrame(rows), EVALUATION)
