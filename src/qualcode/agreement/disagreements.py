"""Disagreements between coders, and the consensus workflow that resolves them.

:func:`disagreements` lists every unit where the compared coders differ, with its
text and context, for a consensus meeting; :func:`resolve_disagreements` writes the
meeting's decisions back as a consensus coder, through the public
:class:`qualcode.Project` API only (``add_codings``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from qualcode._columns import DISAGREEMENTS, frame, names
from qualcode._nlp import units as make_units
from qualcode._validation import (
    check_choice,
    check_known,
    check_number,
    did_you_mean,
    require_columns,
)
from qualcode.agreement._presence import (
    _check_codes,
    _check_project,
    _coded_transcripts,
    _presence_matrix,
    _unit_presence,
    _unlabelled,
)
from qualcode.errors import CodebookError, Errors, InvalidInputError, QualcodeWarning

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.model import Transcript
    from qualcode.store import Project

__all__ = ["disagreements", "resolve_disagreements"]


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
        Roles whose units are compared; None for all. A transcript without any
        speaker role is compared in full, with a QualcodeWarning [QC610].
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
    the ``resolution`` column (codes to apply, comma-separated; ``none`` if no code
    applies; blank = decide later), read it back with ``pandas.read_excel`` and pass
    it to :func:`resolve_disagreements`.

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
    _check_project(project, caller)
    check_choice(unit, ("turn", "sentence"), param="unit", caller=caller)
    check_number(context, param="context", caller=caller, integer=True, low=0)
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
    known = [str(c) for c in project.coders]
    if known:
        check_known(
            coders, known, what="coder", caller=caller, where=" in this project"
        )
    codings = project.codings()
    if codes is not None:
        _check_codes(codes, codings, getattr(project, "codebook", None), "code", caller)
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
    allu = make_units(list(transcripts.values()), unit, roles=None, nlp=nlp)
    allu = allu.sort_values(["transcript_id", "start"], kind="stable").reset_index(
        drop=True
    )
    every = _unlabelled(transcripts.values(), roles, unit=unit, caller=caller)
    role_set = None if roles is None else set(roles)
    chosen = (
        (allu["role"].isin(role_set) | allu["transcript_id"].isin(every)).to_numpy()
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


def _line(t: Transcript, units: pd.DataFrame, k: int) -> str:
    sp = units["speaker"].iloc[k]
    text = t.text[units["start"].iloc[k] : units["end"].iloc[k]]
    return f"{sp}: {text}" if isinstance(sp, str) and sp else text


#: what a resolution cell may say for "the meeting decided no code applies"
NO_CODE = ("none", "-", "(none)")


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
        Output of :func:`disagreements` (e.g. read back from Excel) with its
        ``resolution`` column filled in, one cell per unit:

        - codes to apply, comma-separated (``"pursue, prevent"``);
        - ``none`` (or ``-``, ``(none)``; any case): decided, no code applies;
        - blank (empty, spaces, or NaN as Excel gives it back): not decided yet.
          The row is skipped and reported, as a blank decision is in
          :func:`qualcode.review`.
    coder : str, default "consensus"
        Name of the consensus coder.

    Returns
    -------
    pandas.DataFrame
        The consensus coder's codings in the project (``project.codings`` schema).
        Each resolved code becomes a coding over the unit's ``[start, end)`` with
        ``origin="consensus"``; re-running is idempotent. ``attrs`` reports the
        sheet: ``resolved_rows`` (codes written), ``no_code_rows`` (``none``) and
        ``undecided_rows`` (blank), as spreadsheet row numbers (the header is row
        1, so the frame's first row is row 2).

    Warns
    -----
    QualcodeWarning
        [QC611] naming the undecided (blank) rows, if any.

    Raises
    ------
    InvalidInputError
        Missing columns [QC102]; ``none`` together with codes in one cell [QC612].
    CodebookError
        A resolution names a code that is not in the project's codebook (or, with
        no codebook, that no coder has used) [QC607, with a "did you mean"]:
        nothing is written.

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
    >>> done.attrs["resolved_rows"], done.attrs["undecided_rows"]
    ([2], [])
    """
    caller = "resolve_disagreements"
    _check_project(project, caller)
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
    new: list[dict[str, Any]] = []
    report: dict[str, list[int]] = {
        "resolved_rows": [],
        "no_code_rows": [],
        "undecided_rows": [],
    }
    # rows of a meeting sheet: position i is spreadsheet row i + 2 (header = row 1)
    for i, row in enumerate(frame.itertuples(index=False)):
        sheet_row = i + 2
        codes = _resolution(row, sheet_row, known)
        if codes is None:
            report["undecided_rows"].append(sheet_row)
        elif not codes:
            report["no_code_rows"].append(sheet_row)
        else:
            report["resolved_rows"].append(sheet_row)
            new += [
                {
                    "transcript_id": str(row.transcript_id),
                    "start": int(row.start),
                    "end": int(row.end),
                    "code": code,
                    "coder": coder,
                    "origin": "consensus",
                }
                for code in codes
            ]
    if new:
        project.add_codings(pd.DataFrame(new))
    undecided = report["undecided_rows"]
    if undecided:
        shown: list[Any] = undecided[:20]
        if len(undecided) > 20:
            shown = [*shown, f"+{len(undecided) - 20} more"]
        warnings.warn(
            Errors.QC611.format(n=len(undecided), rows=shown),
            QualcodeWarning,
            stacklevel=2,
        )
    done = project.codings(coder=coder)
    done.attrs.update(report)
    return done


def _resolution(row: Any, sheet_row: int, known: set[str]) -> list[str] | None:
    """The codes a resolution cell applies: None if blank (undecided), [] if none."""
    cell = row.resolution
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return None
    parts = [p.strip() for p in str(cell).split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    marked = [p for p in parts if p.lower() in NO_CODE]
    codes = [p for p in parts if p.lower() not in NO_CODE]
    where = {
        "row": sheet_row,
        "transcript": row.transcript_id,
        "start": int(row.start),
        "end": int(row.end),
    }
    if marked and codes:
        raise InvalidInputError(Errors.QC612.format(codes=codes, **where))
    for code in codes:
        if code not in known:
            raise CodebookError(
                Errors.QC607.format(
                    code=code,
                    hint=did_you_mean(code, known),
                    known=sorted(known)[:8],
                    **where,
                )
            )
    return list(dict.fromkeys(codes))
