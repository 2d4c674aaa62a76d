"""Review: a coder's accept/reject decisions on suggestions become codings and a log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._validation import invalid, require_columns
from qualcode.errors import Errors, InvalidInputError, QualcodeError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_decisions", "review"]


_ACCEPT = {"accepted", "accept", "yes", "y", "true", "1", "x", "ok", "✓", "+"}
_REJECT = {"rejected", "reject", "no", "n", "false", "0", "-", "✗"}


def _normalise_decision(value: Any) -> str | None:
    import numpy as np

    if value is None or (not isinstance(value, str) and _isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "accepted" if bool(value) else "rejected"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "accepted" if value == 1 else "rejected" if value == 0 else "?"
    v = str(value).strip().lower()
    if not v:
        return None
    if v in _ACCEPT:
        return "accepted"
    if v in _REJECT:
        return "rejected"
    return "?"


def _row_name(source: str | None, i: int) -> str:
    """How messages name row ``i`` (0-based) of the decisions.

    From a file: its spreadsheet row (the header is row 1, so the first data row is
    row 2). From a DataFrame: the row's position (0-based, as ``iloc``).
    """
    return f"{source}, row {i + 2}" if source else f"row {i}"


def _int_col(
    df: pd.DataFrame, col: str, caller: str, source: str | None = None
) -> list[int]:
    import pandas as pd

    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() | (vals != vals.round())
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InvalidInputError(
            Errors.QC509.format(
                caller=caller,
                detail=f"{_row_name(source, i)}: column '{col}' holds "
                f"{df[col].iloc[i]!r}, not a whole-number offset. "
                "Do not edit the offsets of suggestions.",
            )
        )
    return [int(v) for v in vals]


_SHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def read_decisions(path: str | os.PathLike[str], *, param: str = "decisions") -> Any:
    """Read a suggestions/decisions sheet (CSV or XLSX) as text cells, blanks NaN.

    Cells are read as text (ids such as ``007`` stay as written); an ``.xlsx`` is
    checked with the safe-ZIP limits before it is opened.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = p.write_text("transcript_id,decision\\n007,\\n", encoding="utf-8")
    >>> read_decisions(p).values.tolist()
    [['007', nan]]
    """
    import pandas as pd

    from qualcode._safezip import SafeZip

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _SHEET_SUFFIXES:
        raise invalid(
            param, "review", "a DataFrame or a .csv/.xlsx file", p.name or str(p)
        )
    if not p.is_file():
        raise InvalidInputError(Errors.QC513.format(path=p, detail="no such file"))
    try:
        if suffix == ".csv":
            return pd.read_csv(
                p,
                dtype=str,
                encoding="utf-8-sig",
                keep_default_na=False,
                na_values=[""],
            )
        with SafeZip(p) as archive:  # zip-bomb limits before openpyxl reads a part
            archive.check_archive_ratio()
        return pd.read_excel(p, dtype=str, engine="openpyxl")
    except QualcodeError:
        raise
    except Exception as exc:  # ParserError, UnicodeDecodeError, BadZipFile, ...
        detail = f"{type(exc).__name__}: " + " ".join(str(exc).split())[:150]
        raise InvalidInputError(Errors.QC513.format(path=p, detail=detail)) from None


def _as_sheet(obj: Any, param: str) -> tuple[pd.DataFrame, str | None]:
    """``(DataFrame, file name or None)`` for a DataFrame or a sheet's path."""
    if isinstance(obj, str | os.PathLike):
        return read_decisions(obj, param=param), str(obj)
    return obj, None


def review(
    project: Any,
    suggestions: pd.DataFrame | str | os.PathLike[str],
    decisions: pd.DataFrame | str | os.PathLike[str] | None = None,
    coder: str | None = None,
) -> dict[str, int]:
    """Apply a coder's decisions: accepted rows become codings; all are logged.

    Parameters
    ----------
    project : Project
    suggestions : DataFrame or path
        The suggestions as :func:`suggest` returned them (or a CSV/XLSX of them).
    decisions : DataFrame or path, optional
        The same rows with a ``decision`` column (``"accepted"``/``"rejected"``/blank;
        also yes/no, y/n, true/false, 1/0) or a boolean ``accepted`` column — what a
        notebook user edits, or the edited CSV/XLSX itself (give its path, so
        messages name spreadsheet rows: the header is row 1, the first data row is
        row 2). A blank decision means "decide later": the row is skipped, nothing
        is logged, and a later review can decide it. Defaults to ``suggestions``.
    coder : str
        Who decided.

    Returns
    -------
    dict
        ``accepted`` (codings added), ``rejected`` (rejections logged), ``skipped``
        (no decision), ``already_coded`` (accepted but the coder already had that
        coding), ``already_logged`` (the same decision was logged before). Running the
        same review twice adds nothing the second time.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qualcode import Project, suggest
    >>> from qualcode.codebook import Codebook
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "patterns": ["arrest"]}]}
    ... )
    >>> t = Transcript.build("t1", [TurnDraft("We arrest dealers. We arrest users.")])
    >>> project = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
    >>> project.set_codebook(cb)
    >>> _ = project.add_transcripts([t])
    >>> s = suggest(project, cb)
    >>> s["decision"] = ["accepted", "rejected"]
    >>> review(project, s, s, "AB")  # doctest: +NORMALIZE_WHITESPACE
    {'accepted': 1, 'rejected': 1, 'skipped': 0,
     'already_coded': 0, 'already_logged': 0}
    >>> review(project, s, s, "AB")["accepted"]  # idempotent
    0
    >>> project.codings(coder="AB")["text"].tolist()
    ['We arrest dealers.']
    >>> project.close()

    Notes
    -----
    Accepted codings get ``origin`` = the suggestion's ``tagger`` (e.g.
    ``patterns:3f2a...``). Codings are added in one transaction (all or nothing)
    before the decisions are logged.
    """
    import pandas as pd

    if coder is None or not str(coder).strip():
        raise InvalidInputError(Errors.QC104.format(caller="review", param="coder"))
    coder = str(coder)
    sugg, _ = _as_sheet(suggestions, "suggestions")
    source: str | None = None
    if decisions is None:
        dec = sugg
    else:
        dec, source = _as_sheet(decisions, "decisions")
    key_cols = ["transcript_id", "start", "end", "code"]
    require_columns(dec, key_cols, caller="review", param="decisions")
    if "decision" not in dec.columns and "accepted" not in dec.columns:
        raise InvalidInputError(
            Errors.QC102.format(
                caller="review",
                missing=["decision"],
                param="decisions",
                present=list(map(str, dec.columns)),
            )
        )
    col = "decision" if "decision" in dec.columns else "accepted"
    starts, ends = (
        _int_col(dec, "start", "review", source),
        _int_col(dec, "end", "review", source),
    )
    info: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    if isinstance(sugg, pd.DataFrame) and sugg is not dec and len(sugg):
        require_columns(sugg, key_cols, caller="review", param="suggestions")
        for r, s, e in zip(
            sugg.to_dict("records"),
            _int_col(sugg, "start", "review"),
            _int_col(sugg, "end", "review"),
            strict=True,
        ):
            info[(str(r["transcript_id"]), s, e, str(r["code"]))] = r
    decided: dict[tuple[str, int, int, str], tuple[str, dict[str, Any]]] = {}
    skipped_keys: set[tuple[str, int, int, str]] = set()
    for i, (r, s, e) in enumerate(
        zip(dec.to_dict("records"), starts, ends, strict=True)
    ):
        key = (str(r["transcript_id"]), s, e, str(r["code"]))
        d = _normalise_decision(r[col])
        if d == "?":
            raise InvalidInputError(
                Errors.QC505.format(
                    row=_row_name(source, i),
                    transcript=key[0],
                    start=s,
                    end=e,
                    code=key[3],
                    got=r[col],
                )
            )
        if d is None:
            skipped_keys.add(key)
            continue
        merged = {**info.get(key, {}), **{k: v for k, v in r.items() if not _isna(v)}}
        decided[key] = (d, merged)  # the last decision on a row wins
    skipped_keys -= set(decided)
    skipped_keys |= set(info) - set(decided)

    coded = {
        (str(t), int(s), int(e), str(c))
        for t, s, e, c in _rows(project.codings(coder=coder), key_cols)
    }
    logged = {
        (str(t), int(s), int(e), str(c), str(d))
        for t, s, e, c, d in _rows(
            project.decisions(coder=coder), [*key_cols, "decision"]
        )
    }
    new_codings, log_rows = [], []
    already_coded = already_logged = n_rej = 0
    for key, (d, r) in decided.items():
        tagger = r.get("tagger")
        tagger = (
            str(tagger) if not _isna(tagger) and str(tagger).strip() else "suggestion"
        )
        if d == "accepted":
            if key in coded:
                already_coded += 1
            else:
                new_codings.append(
                    {
                        "transcript_id": key[0],
                        "start": key[1],
                        "end": key[2],
                        "code": key[3],
                        "coder": coder,
                        "origin": tagger,
                    }
                )
                coded.add(key)
        if (*key, d) in logged:
            already_logged += 1
            continue
        n_rej += d == "rejected"
        score: Any = r.get("score")
        evidence = r.get("evidence")
        log_rows.append(
            {
                "transcript_id": key[0],
                "start": key[1],
                "end": key[2],
                "code": key[3],
                "coder": coder,
                "decision": d,
                "tagger": tagger,
                "score": None if _isna(score) else float(score),
                "evidence": None if _isna(evidence) else str(evidence),
            }
        )
    if new_codings:
        project.add_codings(pd.DataFrame(new_codings))
    if log_rows:
        project.log_decisions(pd.DataFrame(log_rows))
    return {
        "accepted": len(new_codings),
        "rejected": n_rej,
        "skipped": len(skipped_keys),
        "already_coded": already_coded,
        "already_logged": already_logged,
    }


def _isna(v: Any) -> bool:
    import pandas as pd

    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _rows(df: Any, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    if df is None or not len(df):
        return iter(())
    return zip(*(df[c].tolist() for c in cols), strict=True)
