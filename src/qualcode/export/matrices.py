"""Code matrices: codes by case or attribute, and codes against codes.

- :func:`code_matrix` counts codes by case (transcript) or participant attribute.
- :func:`cooccurrence` counts units (turns, sentences) or overlapping codings
  where two codes apply together.
- :func:`export_matrices` writes them as the sheets of an ``.xlsx`` workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import _columns as C
from qualcode._files import atomic_path
from qualcode._nlp import iter_units
from qualcode._validation import check_choice, invalid, require_columns
from qualcode.errors import Errors, ExportError, InvalidInputError
from qualcode.export._common import (
    CODING_COLUMNS,
    code_order,
    transcripts_of,
    unpack_project,
)
from qualcode.export._writers import cell, sheet_name

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.codebook import Codebook

__all__ = ["code_matrix", "cooccurrence", "export_matrices"]


def _rollup(codebook: Codebook | None, code: str, level: int | None) -> str:
    if level is None or codebook is None or code not in codebook:
        return code
    chain = [code] + [a.id for a in codebook.ancestors(code)]  # code .. root
    depth = len(chain) - 1
    return chain[depth - level] if depth > level else code


def code_matrix(
    codings: Any,
    *,
    by: str = "transcript",
    count: str = "references",
    codebook: Codebook | None = None,
    level: int | None = None,
    transcripts: Any = None,
) -> pd.DataFrame:
    """Count codes by case (transcript) or by a participant attribute.

    Parameters
    ----------
    codings : pandas.DataFrame or Project
        Needs ``transcript_id, code`` (and the attribute column for ``by``,
        unless ``transcripts`` carry the attributes).
    by : str, default "transcript"
        ``"transcript"`` or the name of a participant attribute (e.g. ``"role"``).
    count : {"references", "participants"}
        Number of codings, or number of distinct transcripts (participants).
    codebook : Codebook, optional
        Row order, codes with no codings as zero rows, and ``level`` roll-up.
    level : int, optional
        Roll codes up to their ancestor at this depth (0 = top-level themes).
    transcripts : iterable of Transcript or Project, optional
        Attribute values for ``by``.

    Returns
    -------
    pandas.DataFrame
        Codes (index ``code``) x cases or attribute values (columns), int counts.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1", "t1", "t2"],
    ...         "code": ["a", "a", "b"],
    ...         "rank": ["sergeant", "sergeant", "inspector"],
    ...     }
    ... )
    >>> code_matrix(c)
    transcript  t1  t2
    code
    a            2   0
    b            0   1
    >>> code_matrix(c, by="rank", count="participants")
    rank  inspector  sergeant
    code
    a             0         1
    b             1         0
    """
    import pandas as pd

    check_choice(
        count, ["references", "participants"], param="count", caller="code_matrix"
    )
    codings, codebook, transcripts = unpack_project(codings, codebook, transcripts)
    require_columns(
        codings, ["transcript_id", "code"], caller="code_matrix", param="codings"
    )
    if level is not None and (not isinstance(level, int) or level < 0):
        raise invalid("level", "code_matrix", "an int >= 0 or None", level)
    df = codings[["transcript_id", "code"]].copy()
    df["code"] = [_rollup(codebook, c, level) for c in df["code"].astype(str)]
    if by == "transcript":
        df["col"] = codings["transcript_id"].astype(str).to_numpy()
    else:
        tmap = transcripts_of(transcripts, caller="code_matrix")
        if tmap and any(by in t.attributes for t in tmap.values()):
            df["col"] = [
                tmap[t].attributes.get(by) if t in tmap else None
                for t in codings["transcript_id"]
            ]
        elif C.ATTRIBUTE_PREFIX + by in codings:
            df["col"] = codings[C.ATTRIBUTE_PREFIX + by].to_numpy()
        elif by in codings and by not in CODING_COLUMNS:
            df["col"] = codings[by].to_numpy()
        elif by in codings:
            df["col"] = codings[by].to_numpy()
        else:
            raise InvalidInputError(
                Errors.QC717.format(
                    caller="code_matrix",
                    what="attribute for by=",
                    names=[by],
                    known=[
                        "transcript",
                        *[c for c in codings.columns if c not in CODING_COLUMNS][:5],
                    ],
                )
            )
        df["col"] = (
            df["col"].astype(object).where(df["col"].notna(), "(missing)").astype(str)
        )
    if count == "references":
        mat = pd.crosstab(df["code"], df["col"])
    else:
        mat = df.drop_duplicates(["code", "col", "transcript_id"]).pipe(
            lambda d: pd.crosstab(d["code"], d["col"])
        )
    if codebook is not None:
        rows = [
            c
            for c in code_order(codebook, mat.index)
            if level is None or c not in codebook or len(codebook.ancestors(c)) <= level
        ]
        mat = mat.reindex(rows, fill_value=0)
    mat = mat.astype("int64")
    mat.index.name = "code"
    mat.columns.name = by
    return mat


def cooccurrence(
    codings: Any,
    *,
    unit: str = "turn",
    transcripts: Any = None,
    codebook: Codebook | None = None,
    nlp: Any = None,
) -> pd.DataFrame:
    """Code x code counts of units where both codes apply.

    Parameters
    ----------
    codings : pandas.DataFrame or Project
        Needs ``transcript_id, start, end, code``.
    unit : {"turn", "sentence", "coding"}
        ``"turn"``/``"sentence"``: a code applies to a unit when one of its
        codings overlaps it (needs ``transcripts``; ``"turn"`` falls back to the
        codings' ``turn`` column). ``"coding"``: two codings co-occur when their
        spans overlap in the same transcript.
    transcripts : iterable of Transcript or Project, optional
    codebook : Codebook, optional
        Row/column order.
    nlp : spaCy Language, optional
        For sentence units.

    Returns
    -------
    pandas.DataFrame
        Symmetric, index and columns ``code``; the diagonal counts the units
        (or codings) with that code.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1"] * 3,
    ...         "start": [0, 5, 40],
    ...         "end": [10, 20, 50],
    ...         "code": ["a", "b", "a"],
    ...         "turn": [0, 0, 1],
    ...     }
    ... )
    >>> cooccurrence(c, unit="coding")
    code  a  b
    code
    a     2  1
    b     1  1
    >>> cooccurrence(c, unit="turn")
    code  a  b
    code
    a     2  1
    b     1  1
    """
    import numpy as np
    import pandas as pd

    check_choice(
        unit, ["turn", "sentence", "coding"], param="unit", caller="cooccurrence"
    )
    codings, codebook, transcripts = unpack_project(codings, codebook, transcripts)
    require_columns(
        codings,
        ["transcript_id", "start", "end", "code"],
        caller="cooccurrence",
        param="codings",
    )
    codes = code_order(codebook, codings["code"].astype(str))
    if codebook is not None:
        present = set(codings["code"].astype(str))
        codes = [c for c in codes if c in present]
    pos = {c: i for i, c in enumerate(codes)}
    k = len(codes)
    mat = np.zeros((k, k), dtype=np.int64)
    tmap = transcripts_of(transcripts, caller="cooccurrence")
    if unit == "coding":
        for _, g in codings.groupby("transcript_id", sort=False):
            g = g.sort_values("start")
            st, en = g["start"].to_numpy(), g["end"].to_numpy()
            cs = [pos[str(c)] for c in g["code"]]
            for i in range(len(g)):
                mat[cs[i], cs[i]] += 1
                j = i + 1
                while j < len(g) and st[j] < en[i]:
                    a, b = cs[i], cs[j]
                    mat[a, b] += 1
                    if a != b:
                        mat[b, a] += 1
                    j += 1
    else:
        sets: dict[tuple[str, int], set[int]] = {}
        if tmap is None:
            if unit == "sentence":
                raise invalid(
                    "transcripts",
                    "cooccurrence",
                    "transcripts (or a Project) for sentence units",
                    None,
                )
            require_columns(codings, ["turn"], caller="cooccurrence", param="codings")
            for r in codings.itertuples(index=False):
                if not pd.isna(r.turn):
                    sets.setdefault((r.transcript_id, int(r.turn)), set()).add(
                        pos[str(r.code)]
                    )
        else:
            for tid, g in codings.groupby("transcript_id", sort=False):
                t = tmap.get(tid)
                if t is None:
                    raise ExportError(
                        Errors.QC714.format(
                            caller="cooccurrence",
                            path="(matrix)",
                            detail=f"transcript '{tid}' was not given in transcripts=",
                        )
                    )
                if unit == "turn":
                    spans = [(u.start, u.end) for u in t.turns]
                else:
                    spans = [
                        (u["start"], u["end"])
                        for u in iter_units([t], "sentence", nlp=nlp)
                    ]
                if not spans:
                    continue
                us = np.array([s for s, _ in spans])
                ue = np.array([e for _, e in spans])
                for r in g.itertuples(index=False):
                    lo = int(np.searchsorted(ue, int(r.start), side="right"))
                    hi = int(np.searchsorted(us, int(r.end), side="left"))
                    for u in range(lo, hi):
                        sets.setdefault((tid, u), set()).add(pos[str(r.code)])
        for s in sets.values():
            idx = sorted(s)
            for a in idx:
                for b in idx:
                    mat[a, b] += 1
    out = pd.DataFrame(
        mat, index=pd.Index(codes, name="code"), columns=pd.Index(codes, name="code")
    )
    return out


def matrix_sheets(codings: Any, codebook: Any, transcripts: Any) -> dict[str, Any]:
    sheets = {
        "Code x transcript": code_matrix(
            codings, codebook=codebook, transcripts=transcripts
        )
    }
    tm = transcripts_of(transcripts, caller="export_matrices")
    for attr in ("role", "rank_band", "organisation"):
        try:
            sheets[f"Code x {attr}"] = code_matrix(
                codings,
                by=attr,
                count="participants",
                codebook=codebook,
                transcripts=tm,
            )
        except InvalidInputError:
            continue
    unit = "turn" if tm is not None or "turn" in codings else "coding"
    sheets[f"Co-occurrence ({unit})"] = cooccurrence(
        codings, unit=unit, codebook=codebook, transcripts=tm
    )
    return sheets


def export_matrices(
    codings: Any,
    path: str | Path,
    *,
    by: Sequence[str] = ("transcript",),
    count: str = "references",
    unit: str = "turn",
    codebook: Codebook | None = None,
    level: int | None = None,
    transcripts: Any = None,
) -> Path:
    """Write code matrices and the co-occurrence matrix as sheets of an ``.xlsx``.

    Parameters
    ----------
    codings : pandas.DataFrame or Project
    path : path
        An ``.xlsx`` file.
    by : sequence of str
        One sheet per entry: ``"transcript"`` or attribute names.
    count, codebook, level, transcripts
        As in :func:`code_matrix`.
    unit : {"turn", "sentence", "coding"}
        As in :func:`cooccurrence`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> c = pd.DataFrame(
    ...     {"transcript_id": ["t1"], "start": [0], "end": [4], "code": ["a"]}
    ... )
    >>> export_matrices(
    ...     c, pathlib.Path(tempfile.mkdtemp()) / "m.xlsx", unit="coding"
    ... ).suffix
    '.xlsx'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    check_choice(
        path.suffix.lower(), [".xlsx"], param="path suffix", caller="export_matrices"
    )
    codings, codebook, transcripts = unpack_project(codings, codebook, transcripts)
    sheets = {
        f"Code x {b}": code_matrix(
            codings,
            by=b,
            count=count,
            codebook=codebook,
            level=level,
            transcripts=transcripts,
        )
        for b in by
    }
    sheets[f"Co-occurrence ({unit})"] = cooccurrence(
        codings, unit=unit, codebook=codebook, transcripts=transcripts
    )
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for title, mat in sheets.items():
        ws = wb.create_sheet(sheet_name(title, taken))
        ws.append(
            [
                cell(str(mat.index.name or "code")),
                *[cell(str(c)) for c in mat.columns],
            ]
        )
        for head in ws[1]:
            head.font = Font(bold=True)
        for code, values in mat.iterrows():
            ws.append([cell(code), *[int(v) for v in values]])
        ws.freeze_panes = "B2"
    try:
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise ExportError(
            Errors.QC714.format(caller="export_matrices", path=path, detail=exc)
        ) from exc
    return path
