"""Quote banks, code matrices and Parquet exports.

- :func:`export_extracts` writes the coded extracts as a quote bank (``.xlsx``,
  ``.csv``, ``.docx``, ``.html``, ``.md``) with attributions in the report's
  style, e.g. ``(police officer – inspector/chief inspector)``.
- :func:`code_matrix` and :func:`cooccurrence` count codes by case or attribute
  and codes against codes; :func:`export_matrices` writes them to Excel.
- :func:`export_parquet` writes turns, codings and transcripts for DuckDB/Spark.

Every extract is the stored text at its ``[start, end)`` offsets: it is taken
by slicing the transcript (or the store's ``text`` column), never searched for.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._validation import check_choice, require_columns
from qualcode.errors import Errors, ExportError, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.codebook import Codebook

__all__ = [
    "export_extracts",
    "export_matrices",
    "code_matrix",
    "cooccurrence",
    "export_parquet",
    "export_tables",
    "format_attribution",
]

DEFAULT_ATTRIBUTION = "({role} – {rank_band})"
FORMATS = (".xlsx", ".csv", ".docx", ".html", ".md")
_CODING_COLS = (
    "coding_id",
    "transcript_id",
    "start",
    "end",
    "code",
    "coder",
    "origin",
    "memo",
    "created",
    "codebook_version",
    "text",
    "turn",
    "speaker",
    "role",
)
_PREFIX = "participant_"
# quote-bank columns: these, then the participant attributes, then _TAIL
_LEAD = ("code", "code_label", "transcript", "speaker")
_TAIL = (
    "extract",
    "attribution",
    "context",
    "memo",
    "coder",
    "origin",
    "start",
    "end",
)
_OUTPUT = (*_LEAD, *_TAIL, "root", "transcript_id")


def attribute_column(name: str) -> str:
    """The quote-bank column of a participant attribute (prefixed when it clashes).

    Examples
    --------
    >>> attribute_column("rank_band"), attribute_column("attribution")
    ('rank_band', 'participant_attribution')
    """
    return _PREFIX + name if name in _OUTPUT else name


# ---------------------------------------------------------------------------
# attribution
# ---------------------------------------------------------------------------
def _blank(v: Any) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd

        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


def format_attribution(template: str, attributes: Mapping[str, Any]) -> str:
    """Fill an attribution template, dropping empty fields with their separator.

    Literal text before the first field and after the last is kept (brackets);
    the text between fields is the separator in front of the next field and is
    dropped together with an empty field. With every field empty the result is
    ``""``.

    Examples
    --------
    >>> t = "({role} – {rank_band})"
    >>> format_attribution(
    ...     t, {"role": "police officer", "rank_band": "inspector/chief inspector"}
    ... )
    '(police officer – inspector/chief inspector)'
    >>> format_attribution(t, {"role": "police staff", "rank_band": None})
    '(police staff)'
    >>> format_attribution(t, {"role": "partner"})
    '(partner)'
    >>> format_attribution(t, {})
    ''
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInputError(
            Errors.QC716.format(caller="export_extracts", template=template, detail=exc)
        ) from exc
    fields = [(lit, name, spec) for lit, name, spec, _ in parsed if name is not None]
    tail = "".join(lit for lit, name, _, _ in parsed if name is None)
    if not fields:
        return template
    for _, name, _ in fields:
        if not name or not name.isidentifier():
            raise InvalidInputError(
                Errors.QC716.format(
                    caller="export_extracts",
                    template=template,
                    detail=f"field {{{name}}} is not an attribute name",
                )
            )
    head = fields[0][0]
    parts: list[str] = []
    for i, (lit, name, spec) in enumerate(fields):
        v = attributes.get(name)
        if _blank(v):
            continue
        try:
            text = format(v, spec) if spec else str(v)
        except (ValueError, TypeError):
            text = str(v)
        parts.append((lit if i and parts else "") + text)
    return f"{head}{''.join(parts)}{tail}" if parts else ""


# ---------------------------------------------------------------------------
# gathering the extracts
# ---------------------------------------------------------------------------
def _is_project(obj: Any) -> bool:
    return (
        hasattr(obj, "codings")
        and callable(obj.codings)
        and hasattr(obj, "iter_transcripts")
    )


def _attribute_names(
    codings: pd.DataFrame, transcripts: Mapping[str, Any] | None
) -> list[str]:
    names: list[str] = []
    if transcripts:
        for t in transcripts.values():
            for k in t.attributes:
                if k not in names:
                    names.append(k)
    for c in codings.columns:
        if c in _CODING_COLS:
            continue
        k = c[len(_PREFIX) :] if c.startswith(_PREFIX) else c
        if k not in names:
            names.append(k)
    return names


def _attributes_of(
    row: Mapping[str, Any], names: Sequence[str], transcripts: Mapping[str, Any] | None
) -> dict[str, Any]:
    t = transcripts.get(row["transcript_id"]) if transcripts else None
    out = {}
    for k in names:
        if t is not None and k in t.attributes:
            out[k] = t.attributes[k]
        elif _PREFIX + k in row:
            out[k] = row[_PREFIX + k]
        elif k in row and k not in _CODING_COLS:
            out[k] = row[k]
        else:
            out[k] = None
    return out


def _as_transcripts(transcripts: Any) -> dict[str, Any] | None:
    if transcripts is None:
        return None
    if isinstance(transcripts, Mapping):
        return dict(transcripts)
    if _is_project(transcripts):
        return {t.id: t for t in transcripts.iter_transcripts()}
    return {t.id: t for t in transcripts}


def _code_order(codebook: Codebook | None, used: Iterable[str]) -> list[str]:
    used = list(dict.fromkeys(used))
    if codebook is None:
        return sorted(used)
    order: list[str] = []
    for root in codebook.roots():
        order.append(root.id)
        order.extend(c.id for c in codebook.descendants(root.id))
    order += [c.id for c in codebook if c.id not in order]
    return order + sorted(c for c in used if c not in set(order))


def _root(codebook: Codebook | None, code: str) -> str:
    if codebook is not None and code in codebook:
        return codebook.root_of(code).id
    return code


def select_extracts(
    codings: Any,
    *,
    codebook: Codebook | None = None,
    codes: Iterable[str] | str | None = None,
    where: Mapping[str, Any] | Callable[[Mapping[str, Any]], bool] | None = None,
    coders: Iterable[str] | str | None = None,
    transcripts: Any = None,
    attribution: str | Callable[[Mapping[str, Any]], str] | None = None,
    context: int = 1,
    nlp: Any = None,
    caller: str = "export_extracts",
    merge_coders: bool = True,
) -> tuple[pd.DataFrame, Codebook | None, list[str]]:
    """The filtered, ordered extracts frame behind every export.

    Returns the frame (columns ``code, code_label, transcript, speaker, <attributes>,
    extract, attribution, context, memo, coder, origin, start, end`` plus helpers
    ``root``, ``transcript_id``), the codebook and the attribute names.
    """
    import pandas as pd

    if _is_project(codings):
        project = codings
        codings = project.codings()
        codebook = codebook if codebook is not None else project.codebook
        transcripts = transcripts if transcripts is not None else project
    require_columns(
        codings,
        ["transcript_id", "start", "end", "code"],
        caller=caller,
        param="codings",
    )
    tmap = _as_transcripts(transcripts)
    if tmap is None and "text" not in codings:
        raise InvalidInputError(
            Errors.QC102.format(
                caller=caller,
                missing=["text"],
                param="codings",
                present=list(map(str, codings.columns)),
            )
            + " Pass transcripts= (or a Project) so extracts can be sliced"
            " from the stored text."
        )
    if not isinstance(context, int) or context < 0:
        raise InvalidInputError(
            Errors.QC101.format(
                param="context", caller=caller, expected="an int >= 0", got=context
            )
        )
    df = codings.copy().reset_index(drop=True)
    # -- filters -----------------------------------------------------------
    if codes is not None:
        wanted = [codes] if isinstance(codes, str) else list(codes)
        keep = set(wanted)
        if codebook is not None:
            unknown = [c for c in wanted if c not in codebook]
            if unknown:
                raise InvalidInputError(
                    Errors.QC717.format(
                        caller=caller,
                        what="codes",
                        names=unknown,
                        known=[c.id for c in codebook][:5],
                    )
                )
            for c in wanted:
                keep.update(d.id for d in codebook.descendants(c))
        df = df[df["code"].isin(keep)]
    if coders is not None:
        wanted_c = [coders] if isinstance(coders, str) else list(coders)
        if "coder" not in df:
            raise InvalidInputError(
                Errors.QC102.format(
                    caller=caller,
                    missing=["coder"],
                    param="codings",
                    present=list(map(str, df.columns)),
                )
            )
        df = df[df["coder"].isin(wanted_c)]
    names = _attribute_names(df, tmap)
    attrs = [_attributes_of(r, names, tmap) for r in df.to_dict("records")]
    if where is not None:
        if callable(where):
            mask = [
                bool(where({**r, **a}))
                for r, a in zip(df.to_dict("records"), attrs, strict=True)
            ]
        elif isinstance(where, Mapping):
            unknown = [k for k in where if k not in names and k not in df.columns]
            if unknown:
                raise InvalidInputError(
                    Errors.QC717.format(
                        caller=caller,
                        what="attributes in where=",
                        names=unknown,
                        known=names[:5],
                    )
                )

            def ok(rec: Mapping[str, Any], a: Mapping[str, Any]) -> bool:
                for k, want in where.items():
                    v = a.get(k) if k in a else rec.get(k)
                    if callable(want):
                        if not want(v):
                            return False
                    elif isinstance(want, (list, tuple, set, frozenset)):
                        if v not in want:
                            return False
                    elif v != want:
                        return False
                return True

            mask = [ok(r, a) for r, a in zip(df.to_dict("records"), attrs, strict=True)]
        else:
            raise InvalidInputError(
                Errors.QC101.format(
                    param="where",
                    caller=caller,
                    expected="a mapping or a callable",
                    got=type(where).__name__,
                )
            )
        df = df[mask]
        attrs = [a for a, m in zip(attrs, mask, strict=True) if m]
    df = df.reset_index(drop=True)
    # -- extract, context and attribution --------------------------------------
    extracts, contexts = [], []
    sents: dict[str, list[tuple[int, int]]] = {}
    for r in df.itertuples(index=False):
        s, e = int(r.start), int(r.end)
        t = tmap.get(r.transcript_id) if tmap else None
        if t is not None:
            if not (0 <= s < e <= len(t.text)):
                raise ExportError(
                    Errors.QC714.format(
                        caller=caller,
                        path="(extracts)",
                        detail=f"coding [{s}, {e}) of code '{r.code}' does not fit "
                        "transcript "
                        f"'{t.id}' (length {len(t.text)})",
                    )
                )
            ex = t.text[s:e]
            if (
                "text" in df
                and isinstance(getattr(r, "text", None), str)
                and r.text != ex
            ):
                raise ExportError(
                    Errors.QC714.format(
                        caller=caller,
                        path="(extracts)",
                        detail=f"the codings' text for [{s}, {e}) in '{t.id}' differs "
                        "from the "
                        "transcript's stored text; pass matching transcripts",
                    )
                )
            extracts.append(ex)
            if context:
                if t.id not in sents:
                    sents[t.id] = _sentences(t, nlp)
                contexts.append(_context(t.text, sents[t.id], s, e, context))
            else:
                contexts.append(None)
        else:
            if tmap is not None and "text" not in df:
                raise ExportError(
                    Errors.QC714.format(
                        caller=caller,
                        path="(extracts)",
                        detail=f"transcript '{r.transcript_id}' was not given in "
                        "transcripts=",
                    )
                )
            extracts.append(r.text)
            contexts.append(None)
    if attribution is None:
        attribution = DEFAULT_ATTRIBUTION
    if attribution is False:
        attributions = [""] * len(df)
    elif callable(attribution):
        attributions = [
            str(attribution({**r, **a}) or "")
            for r, a in zip(df.to_dict("records"), attrs, strict=True)
        ]
    elif isinstance(attribution, str):
        attributions = [format_attribution(attribution, a) for a in attrs]
    else:
        raise InvalidInputError(
            Errors.QC101.format(
                param="attribution",
                caller=caller,
                expected="a template string, a callable or False",
                got=type(attribution).__name__,
            )
        )
    out = pd.DataFrame(
        {
            "code": df["code"].astype(str),
            "code_label": [
                codebook[c].label if codebook is not None and c in codebook else c
                for c in df["code"]
            ],
            "transcript": df["transcript_id"].astype(str),
            "speaker": df["speaker"] if "speaker" in df else None,
        }
    )
    for k in names:
        out[attribute_column(k)] = [a[k] for a in attrs]
    out["extract"] = extracts
    out["attribution"] = attributions
    out["context"] = contexts
    for c in ("memo", "coder", "origin"):
        out[c] = df[c] if c in df else None
    out["start"] = df["start"].astype("int64")
    out["end"] = df["end"].astype("int64")
    out["root"] = [_root(codebook, c) for c in out["code"]]
    out["transcript_id"] = out["transcript"]
    order = {c: i for i, c in enumerate(_code_order(codebook, out["code"]))}
    out["_o"] = out["code"].map(order)
    out = out.sort_values(["_o", "transcript", "start", "end"], kind="stable").drop(
        columns="_o"
    )
    if merge_coders and len(out):
        out = _merge_coders(out)
    return out.reset_index(drop=True), codebook, names


def _merge_coders(out: pd.DataFrame) -> pd.DataFrame:
    """One row per (code, transcript, span): coders, origins and memos joined."""
    key = ["code", "transcript", "start", "end"]

    def join(values: Any) -> Any:
        vals = [str(v) for v in values if not _blank(v)]
        return "; ".join(dict.fromkeys(vals)) if vals else None

    agg = {c: "first" for c in out.columns if c not in key}
    agg.update({"coder": join, "origin": join, "memo": join})
    merged = out.groupby(key, sort=False, dropna=False).agg(agg).reset_index()
    return merged[list(out.columns)]


def _sentences(t: Any, nlp: Any) -> list[tuple[int, int]]:
    from qualcode._nlp import iter_units

    spans = [(u["start"], u["end"]) for u in iter_units([t], "sentence", nlp=nlp)]
    covered = {(u.start, u.end) for u in t.turns}
    return spans or sorted(covered)


def _context(
    text: str, sents: Sequence[tuple[int, int]], s: int, e: int, n: int
) -> str:
    """The extract with ``n`` sentences either side, the extract marked « »."""
    import bisect

    if not sents:
        return text[s:e]
    ends = [b for _, b in sents]
    starts = [a for a, _ in sents]
    first = bisect.bisect_right(ends, s)  # first sentence ending after s
    last = bisect.bisect_left(starts, e) - 1  # last sentence starting before e
    lo = max(0, min(first, len(sents) - 1) - n)
    hi = min(len(sents) - 1, max(last, 0) + n)
    a = min(sents[lo][0], s)
    b = max(sents[hi][1], e)
    return f"{text[a:s]}«{text[s:e]}»{text[e:b]}"


def _sections(ex: pd.DataFrame, codebook: Codebook | None) -> list[dict[str, Any]]:
    order = _code_order(codebook, ex["code"])
    present = set(ex["code"])
    roots: dict[str, dict[str, Any]] = {}
    for c in order:
        if c not in present:
            continue
        r = _root(codebook, c)
        if r not in roots:
            lab = codebook[r].label if codebook is not None and r in codebook else r
            roots[r] = {"root": r, "label": lab or r, "codes": []}
        code = codebook[c] if codebook is not None and c in codebook else None
        roots[r]["codes"].append(
            {
                "id": c,
                "label": (code.label if code else c) or c,
                "definition": code.definition if code else "",
            }
        )
    return list(roots.values())


def _index(ex: pd.DataFrame, codebook: Codebook | None) -> pd.DataFrame:
    import pandas as pd

    counts = ex["code"].value_counts()
    rows = []
    for c in _code_order(codebook, ex["code"]):
        code = codebook[c] if codebook is not None and c in codebook else None
        root = _root(codebook, c)
        rows.append(
            {
                "code": c,
                "label": code.label if code else c,
                "parent": code.parent if code else None,
                "root": root,
                "theme": codebook[root].label
                if codebook is not None and root in codebook
                else root,
                "definition": code.definition if code else "",
                "extracts": int(counts.get(c, 0)),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["code", "label", "parent", "root", "theme", "definition", "extracts"],
    )


def export_extracts(
    codings: Any,
    path: str | Path,
    *,
    attribution: str | Callable[[Mapping[str, Any]], str] | bool | None = None,
    codebook: Codebook | None = None,
    codes: Iterable[str] | str | None = None,
    where: Mapping[str, Any] | Callable[[Mapping[str, Any]], bool] | None = None,
    coders: Iterable[str] | str | None = None,
    context: int = 1,
    transcripts: Any = None,
    matrices: bool = False,
    title: str | None = None,
    nlp: Any = None,
    merge_coders: bool = True,
) -> Path:
    """Write coded extracts as a quote bank; the format follows the suffix.

    Parameters
    ----------
    codings : pandas.DataFrame or Project
        ``project.codings()`` (needs ``transcript_id, start, end, code`` and
        ``text`` unless ``transcripts`` is given), or a Project, whose codings,
        codebook and transcripts are then used.
    path : path
        ``.xlsx`` (one sheet per top-level theme + an Index sheet), ``.csv``
        (UTF-8 with BOM), ``.docx``, ``.html`` (self-contained) or ``.md``.
    attribution : str, callable or False, optional
        Template over participant attributes, default
        ``"({role} – {rank_band})"``; empty fields drop out with their separator
        (``"(police staff)"``). A callable gets the row (coding columns and
        attributes) and returns the text. False: no attribution.
    codebook : Codebook, optional
        Labels, definitions, hierarchy and order (a Project supplies its own).
    codes : str or list of str, optional
        Keep these codes and their descendants.
    where : mapping or callable, optional
        Attribute filter: ``{"role": "police officer"}`` (a value, a list of
        values or a predicate per attribute) or a predicate over the row.
    coders : str or list of str, optional
        Keep these coders' codings.
    context : int, default 1
        Sentences of context either side of each extract (0: none). Needs the
        transcripts; the extract is marked with « ».
    transcripts : iterable of Transcript, mapping or Project, optional
        Where extracts and context are sliced from.
    matrices : bool
        ``.xlsx`` only: add code x transcript and co-occurrence sheets.
    title : str, optional
        Document title (default "Quote bank").
    nlp : spaCy Language, optional
        Pipeline for context sentences (the offline default otherwise).
    merge_coders : bool, default True
        One quote per (code, transcript, span) even when several coders applied
        it; their names, origins and memos are joined with ``"; "``. False: one
        row per coding.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidInputError
        Unknown suffix, codes or attributes, or a bad template.
    ExportError
        A coding does not fit its transcript, or the file cannot be written.

    Notes
    -----
    In ``.csv`` and ``.xlsx`` any string cell starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR gets a leading ``'`` so spreadsheets never run it as a
    formula (OWASP CSV injection); read such cells without that first quote.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1"],
    ...         "start": [0],
    ...         "end": [9],
    ...         "code": ["divert"],
    ...         "coder": ["AB"],
    ...         "text": ["We divert"],
    ...         "role": ["participant"],
    ...         "participant_role": ["police staff"],
    ...     }
    ... )
    >>> out = export_extracts(codings, pathlib.Path(tempfile.mkdtemp()) / "q.md")
    >>> print(out.read_text(encoding="utf-8").splitlines()[6:9])
    ['> We divert', '', '(police staff) <sub>[t1, coded by AB]</sub>']
    """
    from qualcode.io import extracts_writers as w

    path = Path(path)
    suffix = path.suffix.lower()
    check_choice(suffix, list(FORMATS), param="path suffix", caller="export_extracts")
    ex, cb, names = select_extracts(
        codings,
        codebook=codebook,
        codes=codes,
        where=where,
        coders=coders,
        transcripts=transcripts,
        attribution=attribution,
        context=context,
        nlp=nlp,
        merge_coders=merge_coders,
    )
    if _is_project(codings) and transcripts is None:
        transcripts = codings
    columns = [*_LEAD, *[attribute_column(k) for k in names], *_TAIL]
    title = title or "Quote bank"
    sections = _sections(ex, cb)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            w.write_csv(ex, path, columns)
        elif suffix == ".xlsx":
            mats = None
            if matrices:
                src = codings.codings() if _is_project(codings) else codings
                sel = src.iloc[0:0] if not len(ex) else src
                mats = _matrix_sheets(sel, cb, transcripts)
            w.write_xlsx(ex, path, columns, sections, _index(ex, cb), mats)
        elif suffix == ".docx":
            w.write_docx(ex, path, sections, title)
        elif suffix == ".html":
            w.write_html(ex, path, sections, title)
        else:
            w.write_md(ex, path, sections, title)
    except OSError as exc:
        raise ExportError(
            Errors.QC714.format(caller="export_extracts", path=path, detail=exc)
        ) from exc
    return path


# ---------------------------------------------------------------------------
# matrices
# ---------------------------------------------------------------------------
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
    if _is_project(codings):
        project = codings
        codings = project.codings()
        codebook = codebook if codebook is not None else project.codebook
        transcripts = transcripts if transcripts is not None else project
    require_columns(
        codings, ["transcript_id", "code"], caller="code_matrix", param="codings"
    )
    if level is not None and (not isinstance(level, int) or level < 0):
        raise InvalidInputError(
            Errors.QC101.format(
                param="level",
                caller="code_matrix",
                expected="an int >= 0 or None",
                got=level,
            )
        )
    df = codings[["transcript_id", "code"]].copy()
    df["code"] = [_rollup(codebook, c, level) for c in df["code"].astype(str)]
    if by == "transcript":
        df["col"] = codings["transcript_id"].astype(str).to_numpy()
    else:
        tmap = _as_transcripts(transcripts)
        if tmap and any(by in t.attributes for t in tmap.values()):
            df["col"] = [
                tmap[t].attributes.get(by) if t in tmap else None
                for t in codings["transcript_id"]
            ]
        elif _PREFIX + by in codings:
            df["col"] = codings[_PREFIX + by].to_numpy()
        elif by in codings and by not in _CODING_COLS:
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
                        *[c for c in codings.columns if c not in _CODING_COLS][:5],
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
            for c in _code_order(codebook, mat.index)
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
    if _is_project(codings):
        project = codings
        codings = project.codings()
        codebook = codebook if codebook is not None else project.codebook
        transcripts = transcripts if transcripts is not None else project
    require_columns(
        codings,
        ["transcript_id", "start", "end", "code"],
        caller="cooccurrence",
        param="codings",
    )
    codes = _code_order(codebook, codings["code"].astype(str))
    if codebook is not None:
        present = set(codings["code"].astype(str))
        codes = [c for c in codes if c in present]
    pos = {c: i for i, c in enumerate(codes)}
    k = len(codes)
    mat = np.zeros((k, k), dtype=np.int64)
    tmap = _as_transcripts(transcripts)
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
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="transcripts",
                        caller="cooccurrence",
                        expected="transcripts (or a Project) for sentence units",
                        got=None,
                    )
                )
            require_columns(codings, ["turn"], caller="cooccurrence", param="codings")
            for r in codings.itertuples(index=False):
                if not pd.isna(r.turn):
                    sets.setdefault((r.transcript_id, int(r.turn)), set()).add(
                        pos[str(r.code)]
                    )
        else:
            from qualcode._nlp import iter_units

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


def _matrix_sheets(codings: Any, codebook: Any, transcripts: Any) -> dict[str, Any]:
    sheets = {
        "Code x transcript": code_matrix(
            codings, codebook=codebook, transcripts=transcripts
        )
    }
    tm = _as_transcripts(transcripts)
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


def export_tables(
    tables: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    widths: Mapping[str, int] | None = None,
) -> Path:
    """Write one or more DataFrames to a styled ``.xlsx`` workbook, one sheet each.

    For tables a team opens in Excel: an agreement table, the disagreements to
    resolve at a consensus meeting, suggestions to review. Same styling and safety
    as the quote banks: a frozen bold header, autofilter, wrapped text, and cells
    starting with ``=``, ``+``, ``-``, ``@``, tab or CR neutralised with a ``'``.

    Parameters
    ----------
    tables : DataFrame or mapping of sheet name to DataFrame
        One frame (sheet "Sheet1") or several.
    path : str or Path
        An ``.xlsx`` file.
    widths : mapping, optional
        Column widths (characters) by column name; text columns default to a width
        from their content (12-70).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidInputError
        If ``path`` does not end in ``.xlsx`` or a table is not a DataFrame.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> import qualcode as qc
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "todo.xlsx"
    >>> df = pd.DataFrame({"unit": [1], "text": ["=1+1"], "resolution": [""]})
    >>> qc.export_tables({"to resolve": df}, out).name
    'todo.xlsx'
    >>> pd.read_excel(out, sheet_name="to resolve")["text"].tolist()
    ["'=1+1"]
    """
    import pandas as pd

    from qualcode.io.extracts_writers import write_tables_xlsx

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InvalidInputError(
            Errors.QC101.format(
                param="path",
                caller="export_tables",
                expected="an .xlsx file",
                got=str(path),
            )
        )
    if isinstance(tables, pd.DataFrame):
        tables = {"Sheet1": tables}
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise InvalidInputError(
                Errors.QC101.format(
                    param="tables",
                    caller="export_tables",
                    expected="DataFrames",
                    got=f"{name}: {type(df).__name__}",
                )
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_tables_xlsx(dict(tables), path, widths=dict(widths or {}))


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

    from qualcode.io.extracts_writers import _cell, sheet_name

    path = Path(path)
    check_choice(
        path.suffix.lower(), [".xlsx"], param="path suffix", caller="export_matrices"
    )
    if _is_project(codings):
        project = codings
        codings = project.codings()
        codebook = codebook if codebook is not None else project.codebook
        transcripts = transcripts if transcripts is not None else project
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
                _cell(str(mat.index.name or "code")),
                *[_cell(str(c)) for c in mat.columns],
            ]
        )
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for code, values in mat.iterrows():
            ws.append([_cell(code), *[int(v) for v in values]])
        ws.freeze_panes = "B2"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except OSError as exc:
        raise ExportError(
            Errors.QC714.format(caller="export_matrices", path=path, detail=exc)
        ) from exc
    return path


# ---------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------
def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns with mixed types become strings (Arrow needs one type)."""
    import pandas as pd

    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            kinds = {
                type(v)
                for v in df[c]
                if v is not None and not (isinstance(v, float) and pd.isna(v))
            }
            if len(kinds) > 1 or (kinds and not kinds <= {str, bool, int, float}):
                df[c] = (
                    df[c]
                    .map(
                        lambda v: (
                            None
                            if v is None or (isinstance(v, float) and pd.isna(v))
                            else str(v)
                        )
                    )
                    .astype("string")
                )
    return df


def export_parquet(project_or_corpus: Any, folder: str | Path) -> dict[str, Path]:
    """Write ``turns.parquet``, ``transcripts.parquet`` and ``codings.parquet``.

    Parameters
    ----------
    project_or_corpus : Project, Corpus or iterable of Transcript
        A Corpus or transcripts give turns and transcripts (no codings file).
    folder : path
        Created if missing; files in it are replaced.

    Returns
    -------
    dict
        ``{"turns": path, "transcripts": path, "codings": path}`` (what was written).

    Notes
    -----
    Needs pyarrow (``pip install 'qualcode[parquet]'``). ``transcripts.parquet``
    holds the stored text, so offsets in the other two files can be checked with
    ``substr(text, start + 1, end - start)`` in DuckDB.

    Examples
    --------
    >>> import tempfile
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build("t1", [TurnDraft("Yes.", "P1", "participant")])
    >>> sorted(export_parquet([t], tempfile.mkdtemp()))  # doctest: +SKIP
    ['transcripts', 'turns']
    """
    import pandas as pd

    from qualcode._optional import import_optional

    import_optional("pyarrow", extra="parquet", caller="export_parquet")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames: dict[str, pd.DataFrame] = {}
    if _is_project(project_or_corpus):
        p = project_or_corpus
        frames["turns"] = p.turns
        ts = list(p.iter_transcripts())
        frames["codings"] = p.codings()
    else:
        ts = list(project_or_corpus)
        turns = getattr(project_or_corpus, "turns", None)
        if not isinstance(turns, pd.DataFrame):
            parts = []
            for t in ts:
                f = t.to_frame()
                for k, v in t.attributes.items():
                    f[k] = v
                parts.append(f)
            turns = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        frames["turns"] = turns
    frames["transcripts"] = pd.DataFrame(
        [
            {
                "transcript_id": t.id,
                "sha256": t.sha256,
                "n_turns": len(t.turns),
                "n_chars": len(t.text),
                "source": t.source,
                "format": t.format,
                "encoding": t.encoding,
                "text": t.text,
                **dict(t.attributes),
            }
            for t in ts
        ]
    )
    out = {}
    for name, df in frames.items():
        target = folder / f"{name}.parquet"
        try:
            _arrow_safe(df).to_parquet(target, engine="pyarrow", index=False)
        except OSError as exc:
            raise ExportError(
                Errors.QC714.format(caller="export_parquet", path=target, detail=exc)
            ) from exc
        out[name] = target
    return out
