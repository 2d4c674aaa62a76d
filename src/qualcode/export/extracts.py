"""Quote banks: selecting coded extracts, their context and attribution.

- :func:`format_attribution` fills an attribution template in the report's
  style, e.g. ``(police officer – inspector/chief inspector)``.
- :func:`select_extracts` filters, slices and orders the extracts behind every
  export.
- :func:`export_extracts` writes them as a quote bank (``.xlsx``, ``.csv``,
  ``.docx``, ``.html``, ``.md``).

Every extract is the stored text at its ``[start, end)`` offsets: it is taken
by slicing the transcript (or the store's ``text`` column), never searched for.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import _columns as C
from qualcode._files import atomic_path
from qualcode._inputs import is_project
from qualcode._validation import (
    check_choice,
    check_known,
    did_you_mean,
    invalid,
    require_columns,
)
from qualcode.errors import Errors, ExportError, InvalidInputError
from qualcode.export import _writers as w
from qualcode.export._common import (
    CODING_COLUMNS,
    code_order,
    is_blank,
    root_of,
    transcripts_of,
    unpack_project,
)
from qualcode.export._context import context_sentences, mark_context
from qualcode.export._writers import readable
from qualcode.export.matrices import matrix_sheets
from qualcode.media import link_media

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.codebook import Codebook

__all__ = [
    "DEFAULT_ATTRIBUTION",
    "FORMATS",
    "attribute_column",
    "export_extracts",
    "format_attribution",
    "select_extracts",
]

#: The default attribution template.
DEFAULT_ATTRIBUTION = "({role} – {rank_band})"
#: Quote-bank formats, by file suffix (the CLI offers these).
FORMATS = (".xlsx", ".csv", ".docx", ".html", ".md")
# quote-bank columns: the quote first, then who said it and where (_LEAD), then
# the code and case (_CODE), the participant attributes, then _TAIL
_LEAD = ("extract", "attribution", "turn", "time")
_CODE = ("code", "code_label", "transcript", "speaker")
_TAIL = ("context", "memo", "coder", "origin", "start", "end")
_OUTPUT = (*_LEAD, *_CODE, *_TAIL, "root", "transcript_id")


def attribute_column(name: str) -> str:
    """The quote-bank column of a participant attribute (prefixed when it clashes).

    Examples
    --------
    >>> attribute_column("rank_band"), attribute_column("attribution")
    ('rank_band', 'participant_attribution')
    """
    return C.attribute_columns([name], _OUTPUT)[name]


# ---------------------------------------------------------------------------
# attribution
# ---------------------------------------------------------------------------


def format_attribution(
    template: str,
    attributes: Mapping[str, Any],
    *,
    known: Collection[str] | None = None,
) -> str:
    """Fill an attribution template, dropping empty fields with their separator.

    Literal text before the first field and after the last is kept (brackets);
    the text between fields is the separator in front of the next field and is
    dropped together with an empty field. With every field empty the result is
    ``""``. List values read ``"a; b"``.

    Parameters
    ----------
    template : str
        Text with ``{attribute}`` fields, e.g. ``"({role} – {rank_band})"``.
    attributes : mapping
        Attribute values; a field missing from it counts as empty.
    known : collection of str, optional
        The attribute names that exist (e.g. in a project): a field naming
        anything else raises QC716 with a "did you mean", instead of coming out
        blank.

    Returns
    -------
    str

    Raises
    ------
    InvalidInputError
        A malformed template, or a field not in ``known`` [QC716].

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
    >>> format_attribution("({languages})", {"languages": ["en", "pl"]})
    '(en; pl)'
    >>> format_attribution("({rank})", {}, known=["role", "rank_band"])
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC716] export_extracts: the attribution
    template '({rank})' is not valid (unknown field {rank} (did you mean
    'rank_band'?); the attributes are ['role', 'rank_band']). Use {attribute}
    fields, e.g. '({role} – {rank_band})', or pass a callable.
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
        if known is not None and name not in known:
            raise InvalidInputError(
                Errors.QC716.format(
                    caller="export_extracts",
                    template=template,
                    detail=f"unknown field {{{name}}}{did_you_mean(name, known)}; "
                    f"the attributes are {list(known)}",
                )
            )
    head = fields[0][0]
    parts: list[str] = []
    for i, (lit, name, spec) in enumerate(fields):
        v = attributes.get(name)
        if is_blank(v):
            continue
        try:
            text = format(v, spec) if spec else readable(v)
        except (ValueError, TypeError):
            text = readable(v)
        parts.append((lit if i and parts else "") + text)
    return f"{head}{''.join(parts)}{tail}" if parts else ""


# ---------------------------------------------------------------------------
# gathering the extracts
# ---------------------------------------------------------------------------
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
        if c in CODING_COLUMNS:
            continue
        k = C.attribute_name(c)
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
        elif C.ATTRIBUTE_PREFIX + k in row:
            out[k] = row[C.ATTRIBUTE_PREFIX + k]
        elif k in row and k not in CODING_COLUMNS:
            out[k] = row[k]
        else:
            out[k] = None
    return out


def select_extracts(
    codings: Any,
    *,
    codebook: Codebook | None = None,
    codes: Iterable[str] | str | None = None,
    where: Mapping[str, Any] | Callable[[Mapping[str, Any]], bool] | None = None,
    coders: Iterable[str] | str | None = None,
    transcripts: Any = None,
    attribution: str | Callable[[Mapping[str, Any]], str] | bool | None = None,
    context: int = 1,
    nlp: Any = None,
    caller: str = "export_extracts",
    merge_coders: bool = True,
) -> tuple[pd.DataFrame, Codebook | None, list[str]]:
    """The quote bank as a frame: the filtered, merged, ordered extracts.

    What :func:`export_extracts` writes, for a notebook or to count: one row per
    extract (see ``merge_coders`` there), in codebook order, then by transcript
    and position. The parameters are those of :func:`export_extracts`.

    Returns
    -------
    (pandas.DataFrame, Codebook or None, list of str)
        The frame (columns ``code, code_label, transcript, speaker, <attributes>,
        extract, attribution, turn, time, context, memo, coder, origin, start,
        end`` plus the helpers ``root`` and ``transcript_id``), the codebook used
        and the attribute names.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1", "t1"],
    ...         "start": [0, 0],
    ...         "end": [9, 16],
    ...         "code": ["divert", "divert"],
    ...         "coder": ["AB", "CD"],
    ...         "text": ["We divert", "We divert people"],
    ...     }
    ... )
    >>> bank, _, _ = select_extracts(codings, context=0)
    >>> bank[["extract", "coder"]].values.tolist()
    [['We divert people', 'AB; CD']]
    """
    import pandas as pd

    codings, codebook, transcripts = unpack_project(codings, codebook, transcripts)
    require_columns(
        codings,
        ["transcript_id", "start", "end", "code"],
        caller=caller,
        param="codings",
    )
    tmap = transcripts_of(transcripts, caller=caller)
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
        raise invalid("context", caller, "an int >= 0", context)
    df = codings.copy().reset_index(drop=True)
    everything = df
    df = _filter_codes(df, codes, codebook, caller)
    df = _filter_coders(df, coders, caller)
    names = _attribute_names(df, tmap)
    attrs = [_attributes_of(r, names, tmap) for r in df.to_dict("records")]
    if where is not None:
        _check_where(where, everything, names, tmap, caller)
        mask = _where_mask(df, attrs, where, names, caller)
        df = df[mask]
        attrs = [a for a, m in zip(attrs, mask, strict=True) if m]
    df = df.reset_index(drop=True)
    if not len(df) and len(everything) and (codes, coders, where) != (None,) * 3:
        raise InvalidInputError(
            Errors.QC718.format(
                caller=caller, filters=_describe_filters(codes, coders, where)
            )
        )
    if isinstance(attribution, str) and attribution != DEFAULT_ATTRIBUTION:
        format_attribution(attribution, {}, known=names)  # unknown fields raise
    if merge_coders and len(df):
        df, attrs = _merge_spans(df, attrs)
    extracts, contexts = _slice_extracts(df, tmap, context, nlp, caller)
    attributions = _attributions(df, attrs, attribution, caller)
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
    turns, times = _turns_and_times(df, tmap)
    out["turn"] = pd.array(turns, dtype="Int64")
    out["time"] = pd.array(times, dtype="string")
    out["context"] = contexts
    for c in ("memo", "coder", "origin"):
        out[c] = df[c] if c in df else None
    out["start"] = df["start"].astype("int64")
    out["end"] = df["end"].astype("int64")
    out["root"] = [root_of(codebook, c) for c in out["code"]]
    out["transcript_id"] = out["transcript"]
    order = {c: i for i, c in enumerate(code_order(codebook, out["code"]))}
    out["_o"] = out["code"].map(order)
    out = out.sort_values(["_o", "transcript", "start", "end"], kind="stable").drop(
        columns="_o"
    )
    return out.reset_index(drop=True), codebook, names


def _filter_codes(
    df: pd.DataFrame,
    codes: Iterable[str] | str | None,
    codebook: Codebook | None,
    caller: str,
) -> pd.DataFrame:
    """Keep ``codes`` and their descendants."""
    if codes is None:
        return df
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
    return df[df["code"].isin(keep)]


def _filter_coders(
    df: pd.DataFrame, coders: Iterable[str] | str | None, caller: str
) -> pd.DataFrame:
    """Keep the codings of ``coders``; an unknown coder raises QC109."""
    if coders is None:
        return df
    everything_coders = df["coder"].dropna().unique() if "coder" in df else ()
    wanted = [coders] if isinstance(coders, str) else list(coders)
    if "coder" not in df:
        raise InvalidInputError(
            Errors.QC102.format(
                caller=caller,
                missing=["coder"],
                param="codings",
                present=list(map(str, df.columns)),
            )
        )
    check_known(
        wanted,
        set(everything_coders),
        what="coder",
        caller=caller,
        where=" in the codings",
    )
    return df[df["coder"].isin(wanted)]


def _where_mask(
    df: pd.DataFrame,
    attrs: Sequence[Mapping[str, Any]],
    where: Mapping[str, Any] | Callable[[Mapping[str, Any]], bool],
    names: Sequence[str],
    caller: str,
) -> list[bool]:
    """Which rows ``where`` keeps (a predicate, or a mapping of attribute tests)."""
    records = df.to_dict("records")
    if callable(where):
        return [bool(where({**r, **a})) for r, a in zip(records, attrs, strict=True)]
    if not isinstance(where, Mapping):
        raise invalid("where", caller, "a mapping or a callable", type(where).__name__)

    def ok(rec: Mapping[str, Any], a: Mapping[str, Any]) -> bool:
        for k, want in where.items():
            v = a.get(k) if k in a else rec.get(k)
            if callable(want):
                if not want(v):
                    return False
            elif isinstance(want, (list, tuple, set, frozenset)):
                if not any(_matches(v, w) for w in want):
                    return False
            elif not _matches(v, want):
                return False
        return True

    return [ok(r, a) for r, a in zip(records, attrs, strict=True)]


def _values(v: Any) -> list[Any]:
    """An attribute value as a list of values (a list-valued attribute: its items)."""
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    return [] if is_blank(v) else [v]


def _matches(v: Any, want: Any) -> bool:
    """``v`` is ``want``, holds it (list values), or reads as it (``12`` vs "12")."""
    for x in _values(v):
        if x == want or (isinstance(want, str) and str(x) == want):
            return True
    return False


def _check_where(
    where: Any,
    codings: pd.DataFrame,
    names: Sequence[str],
    tmap: Mapping[str, Any] | None,
    caller: str,
) -> None:
    """Unknown attribute names, or values no transcript has, raise QC109."""
    if not isinstance(where, Mapping):
        return
    fields = [*names, *[c for c in codings.columns if c not in names]]
    check_known(
        list(where), fields, what="attribute", caller=caller, where=" in where="
    )
    records = codings.to_dict("records")
    for key, want in where.items():
        if callable(want):
            continue
        seen: set[str] = set()
        for t in (tmap or {}).values():
            seen.update(str(x) for x in _values(t.attributes.get(key)))
        for r in records:
            seen.update(str(x) for x in _values(_attributes_of(r, [key], tmap)[key]))
            if key in r and key not in names:
                seen.update(str(x) for x in _values(r[key]))
        wanted = want if isinstance(want, (list, tuple, set, frozenset)) else [want]
        check_known(
            [str(w) for w in wanted],
            seen,
            what=f"value of '{key}'",
            caller=caller,
            where=" in where=",
        )


def _describe_filters(codes: Any, coders: Any, where: Any) -> str:
    """The filters given, by name (values only where the caller typed them)."""
    parts = []
    if codes is not None:
        parts.append(f"codes={codes!r}")
    if coders is not None:
        parts.append(f"coders={coders!r}")
    if isinstance(where, Mapping):
        parts.append(f"where= on {sorted(map(str, where))}")
    elif where is not None:
        parts.append("the where= predicate")
    return " and ".join(parts)


def _slice_extracts(
    df: pd.DataFrame,
    tmap: Mapping[str, Any] | None,
    context: int,
    nlp: Any,
    caller: str,
) -> tuple[list[Any], list[str | None]]:
    """Each coding's extract (sliced from its transcript) and its context."""
    extracts: list[Any] = []
    contexts: list[str | None] = []
    sents: dict[str, tuple[list[tuple[int, int]], int | None]] = {}
    edges: dict[str, list[int]] = {}
    if context and tmap:
        for tid, g in df.groupby("transcript_id", sort=False):
            edges[str(tid)] = [*map(int, g["start"]), *map(int, g["end"])]
    for r in df.itertuples(index=False):
        s, e = int(r.start), int(r.end)
        t = tmap.get(r.transcript_id) if tmap else None
        if t is None:
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
            continue
        if not (0 <= s < e <= len(t.text)):
            raise ExportError(
                Errors.QC714.format(
                    caller=caller,
                    path="(extracts)",
                    detail=f"coding [{s}, {e}) of code '{r.code}' does not fit "
                    f"transcript '{t.id}' (length {len(t.text)})",
                )
            )
        ex = t.text[s:e]
        if "text" in df and isinstance(getattr(r, "text", None), str) and r.text != ex:
            raise ExportError(
                Errors.QC714.format(
                    caller=caller,
                    path="(extracts)",
                    detail=f"the codings' text for [{s}, {e}) in '{t.id}' differs "
                    "from the transcript's stored text; pass matching transcripts",
                )
            )
        extracts.append(ex)
        if context:
            if t.id not in sents:
                sents[t.id] = context_sentences(t, nlp, edges.get(t.id, ()), context)
            spans, cap = sents[t.id]
            contexts.append(mark_context(t.text, spans, s, e, context, cap))
        else:
            contexts.append(None)
    return extracts, contexts


def _attributions(
    df: pd.DataFrame,
    attrs: Sequence[Mapping[str, Any]],
    attribution: str | Callable[[Mapping[str, Any]], str] | bool | None,
    caller: str,
) -> list[str]:
    """The attribution text of each row."""
    if attribution is None:
        attribution = DEFAULT_ATTRIBUTION
    if attribution is False:
        return [""] * len(df)
    if callable(attribution):
        return [
            str(attribution({**r, **a}) or "")
            for r, a in zip(df.to_dict("records"), attrs, strict=True)
        ]
    if isinstance(attribution, str):
        return [format_attribution(attribution, a) for a in attrs]
    raise invalid(
        "attribution",
        caller,
        "a template string, a callable or False",
        type(attribution).__name__,
    )


def _merge_spans(
    df: pd.DataFrame, attrs: Sequence[dict[str, Any]]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One row per extract: overlapping spans of one code in one transcript merge.

    The same passage coded by several coders (or by the consensus), with the same
    or with overlapping offsets, becomes one extract covering them all; its
    coders, origins and memos are joined with ``"; "`` in order of appearance.
    Spans that only touch stay apart.
    """
    import pandas as pd

    work = df.assign(_row=range(len(df))).sort_values(
        ["code", "transcript_id", "start", "end", "_row"], kind="stable"
    )
    groups: list[list[int]] = []
    key: tuple[Any, Any] | None = None
    reach = 0
    for code, tid, start, end, row in zip(
        work["code"],
        work["transcript_id"],
        work["start"],
        work["end"],
        work["_row"],
        strict=True,
    ):
        if (code, tid) == key and int(start) < reach:
            groups[-1].append(int(row))
            reach = max(reach, int(end))
        else:
            groups.append([int(row)])
            key, reach = (code, tid), int(end)
    if all(len(g) == 1 for g in groups):
        return df, list(attrs)
    records = df.to_dict("records")
    rows = []
    for g in groups:
        first = dict(records[g[0]])
        if len(g) > 1:
            members = [records[i] for i in g]
            first["start"] = min(int(m["start"]) for m in members)
            first["end"] = max(int(m["end"]) for m in members)
            for c in ("coder", "origin", "memo"):
                if c in first:
                    # coders sorted, so one pair reads the same in every row (filters)
                    first[c] = _join((m.get(c) for m in members), c == "coder")
            if "text" in first:
                first["text"] = _union_text(members)
        rows.append(first)
    merged = pd.DataFrame(rows, columns=df.columns)
    for c in ("start", "end"):
        merged[c] = merged[c].astype("int64")
    return merged, [attrs[g[0]] for g in groups]


def _join(values: Iterable[Any], sort: bool = False) -> Any:
    vals = list(dict.fromkeys(str(v) for v in values if not is_blank(v)))
    return "; ".join(sorted(vals) if sort else vals) if vals else None


def _union_text(members: Sequence[Mapping[str, Any]]) -> Any:
    """The text of the union of overlapping spans, from their own texts."""
    out, reach = "", None
    for m in sorted(members, key=lambda m: (int(m["start"]), int(m["end"]))):
        s, e, text = int(m["start"]), int(m["end"]), m.get("text")
        if not isinstance(text, str) or len(text) != e - s:
            return None  # not exact slices: the transcripts must supply the text
        if reach is None:
            out, reach = text, e
        elif e > reach:
            out += text[reach - s :]
            reach = e
    return out


def _turns_and_times(
    df: pd.DataFrame, tmap: Mapping[str, Any] | None
) -> tuple[list[Any], list[Any]]:
    """The turn each extract starts in, and that turn's time stamp (hh:mm:ss)."""
    import bisect

    turns: list[Any] = []
    times: list[Any] = []
    starts: dict[str, list[int]] = {}
    given = df["turn"].tolist() if "turn" in df else [None] * len(df)
    for tid, s, fallback in zip(df["transcript_id"], df["start"], given, strict=True):
        t = tmap.get(tid) if tmap else None
        if t is None or not t.turns:
            turns.append(None if is_blank(fallback) else int(fallback))
            times.append(None)
            continue
        if t.id not in starts:
            starts[t.id] = [u.start for u in t.turns]
        i = max(0, bisect.bisect_right(starts[t.id], int(s)) - 1)
        turn = t.turns[i]
        turns.append(turn.index)
        times.append(_clock(turn.time_start))
    return turns, times


def _clock(seconds: Any) -> str | None:
    """``hh:mm:ss`` for a time in seconds (None when unknown).

    Examples
    --------
    >>> _clock(3725.4), _clock(None)
    ('01:02:05', None)
    """
    if seconds is None or is_blank(seconds):
        return None
    total = int(float(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _sections(ex: pd.DataFrame, codebook: Codebook | None) -> list[dict[str, Any]]:
    order = code_order(codebook, ex["code"])
    present = set(ex["code"])
    roots: dict[str, dict[str, Any]] = {}
    for c in order:
        if c not in present:
            continue
        r = root_of(codebook, c)
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
    for c in code_order(codebook, ex["code"]):
        code = codebook[c] if codebook is not None and c in codebook else None
        root = root_of(codebook, c)
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
        (UTF-8 with BOM), ``.docx``, ``.html`` (self-contained; a quote from
        a transcript with a recording gets a player of its turns, the recording
        copied beside the page: see :mod:`qualcode.media`) or ``.md``.
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
        One row per extract: codings of one code in one transcript whose spans
        overlap (the same passage coded by several coders, or the consensus) are
        one quote covering them all; their coders, origins and memos are joined
        with ``"; "``. False: one row per coding.

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
    The quote comes first in every format, then its attribution, then the turn
    number and the turn's time stamp (where the transcript has one), then the
    rest. ``.csv`` and ``.xlsx`` columns: ``extract, attribution, turn, time,
    code, code_label, transcript, speaker``, one column per participant
    attribute (lists read ``"a; b"``), then ``context, memo, coder, origin,
    start, end``.

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
    if is_project(codings) and transcripts is None:
        transcripts = codings
    columns = [*_LEAD, *_CODE, *[attribute_column(k) for k in names], *_TAIL]
    title = title or "Quote bank"
    sections = _sections(ex, cb)
    mats = None
    media = None
    if suffix == ".html" and transcripts is not None and len(ex):
        media = link_media(  # recordings copied beside the page (qualcode.media)
            transcripts, path, ids=ex["transcript_id"], caller="export_extracts"
        )
    if suffix == ".xlsx" and matrices:
        src = codings.codings() if is_project(codings) else codings
        sel = src.iloc[0:0] if not len(ex) else src
        mats = matrix_sheets(sel, cb, transcripts)
    try:
        with atomic_path(path) as tmp:
            if suffix == ".csv":
                w.write_csv(ex, tmp, columns)
            elif suffix == ".xlsx":
                w.write_xlsx(ex, tmp, columns, sections, _index(ex, cb), mats)
            elif suffix == ".docx":
                w.write_docx(ex, tmp, sections, title)
            elif suffix == ".html":
                w.write_html(ex, tmp, sections, title, media=media)
            else:
                w.write_md(ex, tmp, sections, title)
    except OSError as exc:
        raise ExportError(
            Errors.QC714.format(caller="export_extracts", path=path, detail=exc)
        ) from exc
    return path
