"""Selection exercises and publication treemaps.

The flow is selections -> tallies -> squarify layout -> matplotlib ``Figure``:

* :func:`read_selections` reads the responses of a selection exercise ("choose the ten
  roles you consider most important") from CSV or XLSX, long or wide, checks them
  against a codebook and returns one tidy row per respondent and pick.
* :func:`selection_treemap` tallies them (by distinct respondents, or by responses),
  applies an explicit exclusion threshold, computes the caption numbers and draws a
  nested treemap: one block per category, one rectangle per item.
* :func:`code_treemap` draws the same figure from a project's codings.

Layout rules (deterministic, documented so the figure can be checked):

* Category blocks are laid out with ``squarify`` largest first (by the category's total;
  ties in codebook order, then by name). A block's area is its total plus its header
  band.
  Items inside a block are laid out largest first (ties in codebook order, then label).
* Every item's area is exactly ``count * unit`` for one ``unit`` shared by the whole
  figure: each block's header band is added to the block's area, not taken from its
  items.
* Coordinates in :attr:`Treemap.layout` are inches on the treemap area, origin at its
  top-left corner, ``y`` growing downward (the largest block sits top-left).

The figure never uses pyplot's global state: it is a ``matplotlib.figure.Figure``
with an Agg canvas, saved by suffix (PNG at 300 dpi, SVG, PDF).
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode import _columns as C
from qualcode._validation import check_choice, require_columns
from qualcode.errors import (
    Errors,
    ExportError,
    ImportFormatError,
    ImportWarning_,
    InvalidInputError,
)
from qualcode.io.selections import BINARY_FALSE, BINARY_TRUE, _few, read_table, to_long

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from qualcode.codebook import Code, Codebook

__all__ = ["Treemap", "code_treemap", "read_selections", "selection_treemap"]

#: Highlight colour (Okabe-Ito orange).
HIGHLIGHT_COLOR = "#E69F00"
#: Category colours used when the codebook has none: Okabe-Ito without its orange,
#: vermillion and yellow (kept clear of the highlight), then Paul Tol's "muted" colours.
PALETTE = (
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#332288",
    "#999933",
    "#882255",
    "#44AA99",
    "#117733",
    "#AA4499",
    "#DDCC77",
    "#777777",
)
#: Appended to counts that are placeholders (values not known).
PLACEHOLDER_MARK = "\u2020"

_LAYOUTS = ("auto", "long", "wide-picks", "wide-binary")
_DPI = 300.0
_MARGIN = 0.15  # inches around everything
_PAD = 0.045  # inches between a rectangle's edge and its label
_ITEM_FONT = (11.0, 6.0)  # largest and smallest label size (points)
_HEADER_FONT = 10.0
_KEY_FONT = 8.0
_CAPTION_FONT = 9.0
_TITLE_FONT = 13.0
_FIT = 0.97  # use 97% of the box: the PDF/SVG metrics differ slightly from Agg's


# --------------------------------------------------------------------------------------
# reading and checking selections
# --------------------------------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def _key(text: object) -> str:
    """Matching key: NFKC, straight quotes, casefolded, single spaces, none by '/'."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_TRANSLATE).casefold()
    s = re.sub(r"\s*/\s*", "/", s)
    return re.sub(r"\s+", " ", s).strip()


def _truthy(value: str, *, source: str, where: str, line: int, column: str) -> bool:
    v = value.strip().casefold()
    if v in BINARY_TRUE:
        return True
    if v in BINARY_FALSE:
        return False
    raise ImportFormatError(
        Errors.QC757.format(
            path=source,
            detail=f"{where} {line}, column {column!r}: {value!r} is not true/false. "
            "Use true (or 1) for a placeholder value and false (or 0, or blank) "
            "otherwise.",
        ),
        path=source,
        line=line,
    )


class _Lookup:
    """Codebook codes by normalised id and label."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.index: dict[str, list[Code]] = {}
        for code in codebook:
            for k in {_key(code.id), _key(code.label)}:
                bucket = self.index.setdefault(k, [])
                if code not in bucket:
                    bucket.append(code)

    def find(self, text: str) -> list[Code]:
        return self.index.get(_key(text), [])

    def category(self, code: Code) -> str:
        return self.codebook.root_of(code.id).label


def read_selections(
    path_or_frame: Any,
    *,
    respondent: str = "respondent",
    item: str = "item",
    codebook: Codebook | None = None,
    max_picks: int | None = None,
    layout: str = "auto",
    sheet: str | int | None = None,
    duplicates: str = "error",
) -> pd.DataFrame:
    """Read and check the responses of a selection exercise.

    Parameters
    ----------
    path_or_frame : path or pandas.DataFrame
        A ``.csv`` (comma, semicolon or tab separated, UTF-8) or ``.xlsx`` file, or a
        frame with the same columns.
    respondent, item : str
        Names of the respondent and item columns (matched ignoring case and spaces).
    codebook : Codebook, optional
        Items are matched to its codes by code id or by label, ignoring case, spacing,
        curly quotes and spaces around ``/``. The category is the code's top-level
        (root) code. Without a codebook, items are taken as written and the category
        comes from a ``category`` column, if any.
    max_picks : int, optional
        The number of picks allowed (e.g. 10); a respondent with more is an error.
    layout : {"auto", "long", "wide-picks", "wide-binary"}
        ``long``: one row per respondent and pick. ``wide-picks``: one row per
        respondent with columns ``pick1``, ``pick2``, ... ``wide-binary``: one row per
        respondent and one 0/1 column per item. ``auto`` (default) picks ``long`` if
        there is an item column, ``wide-picks`` if there are pick columns, else
        ``wide-binary`` if every other column holds 0/1.
    sheet : str or int, optional
        Worksheet of an XLSX file (default: the first).
    duplicates : {"error", "drop", "keep"}
        What to do when a respondent picks the same item twice: raise (default), count
        it once, or keep every response (the tallies then differ by responses and by
        respondents).

    Returns
    -------
    pandas.DataFrame
        One row per pick, columns:

        - ``respondent`` (string)
        - ``item`` (string): the code id when matched to the codebook, else the item
          as written (first spelling seen)
        - ``label`` (string): the code's label, or the item as written
        - ``category`` (string): the root code's label, or the file's ``category``
        - ``pick`` (Int64): the pick number, when the file has one
        - ``placeholder`` (bool): the file marks this value as a placeholder
        - ``line`` (Int64): the file's line or spreadsheet row (header = 1); for a
          frame, the 0-based row position
        - then the file's other columns, passed through.

    Raises
    ------
    ImportFormatError
        Empty file, missing columns, an unreadable layout or cell, unknown items (all
        listed with their lines), duplicate picks, too many picks. The message names
        the file, the lines and what to do.

    Notes
    -----
    **Placeholders.** A long-format file may carry a ``placeholder`` column
    (true/false). Rows marked true are values that are not known (for instance a count
    illegible in a published figure that the data reproduce). Such a row is accepted
    even when its item is not in the codebook, provided it has a ``category``; the
    treemap marks placeholder counts with a dagger (†).

    Examples
    --------
    >>> import pandas as pd
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook(
    ...     [
    ...         Code("pursue", "Pursue"),
    ...         Code("enforce", "Enforce drug laws", parent="pursue"),
    ...         Code("prepare", "Prepare"),
    ...         Code("intel", "Gather intelligence", parent="prepare"),
    ...     ]
    ... )
    >>> raw = pd.DataFrame(
    ...     {
    ...         "respondent": ["r1", "r1", "r2"],
    ...         "item": ["enforce drug laws", "Gather  intelligence", "intel"],
    ...     }
    ... )
    >>> out = read_selections(raw, codebook=cb)
    >>> out["item"].tolist(), out["category"].tolist()
    (['enforce', 'intel', 'intel'], ['Pursue', 'Prepare', 'Prepare'])
    """
    caller = "read_selections"
    check_choice(layout, list(_LAYOUTS), param="layout", caller=caller)
    check_choice(
        duplicates, ["error", "drop", "keep"], param="duplicates", caller=caller
    )
    if max_picks is not None and (
        not isinstance(max_picks, int) or isinstance(max_picks, bool) or max_picks < 1
    ):
        raise InvalidInputError(
            Errors.QC101.format(
                param="max_picks",
                caller=caller,
                expected="a positive int or None",
                got=max_picks,
            )
        )
    table, source, where = read_table(path_or_frame, sheet=sheet)
    raw, _ = to_long(
        table,
        source=source,
        where=where,
        respondent=respondent,
        item=item,
        layout=layout,
    )

    # placeholder flags
    if "placeholder" in raw.columns:
        raw["placeholder"] = [
            _truthy(v, source=source, where=where, line=int(ln), column="placeholder")
            for v, ln in zip(raw["placeholder"], raw["line"], strict=True)
        ]
    else:
        raw["placeholder"] = False
    file_category = (
        raw["category"] if "category" in raw.columns else pd.Series("", index=raw.index)
    )
    file_label = (
        raw["label"] if "label" in raw.columns else pd.Series("", index=raw.index)
    )

    items: list[str] = []
    labels: list[str] = []
    categories: list[Any] = []
    unknown: dict[str, list[int]] = {}
    ambiguous: dict[str, list[str]] = {}
    no_category: dict[str, list[int]] = {}
    conflicts: dict[tuple[str, str, str], list[int]] = {}
    first_spelling: dict[str, tuple[str, str]] = {}
    lookup = _Lookup(codebook) if codebook is not None else None
    for text, cat, lab, ph, line in zip(
        raw["item"],
        file_category,
        file_label,
        raw["placeholder"],
        raw["line"],
        strict=True,
    ):
        line = int(line)
        found = lookup.find(text) if lookup is not None else []
        if len(found) > 1:
            ambiguous.setdefault(text, [c.id for c in found])
        if len(found) == 1:
            code = found[0]
            assert lookup is not None
            root = lookup.category(code)
            if cat and _key(cat) not in {
                _key(root),
                _key(codebook.root_of(code.id).id),
            }:  # type: ignore[union-attr]
                conflicts.setdefault((code.id, cat, root), []).append(line)
            items.append(code.id)
            labels.append(code.label)
            categories.append(root)
            continue
        if lookup is not None and not ph:
            unknown.setdefault(text, []).append(line)
            items.append(text)
            labels.append(text)
            categories.append(pd.NA)
            continue
        # no codebook, or a placeholder the codebook lacks: the item as written
        key = _key(text)
        if key not in first_spelling:
            first_spelling[key] = (text, lab or text)
        spelled, shown = first_spelling[key]
        if lookup is not None and not cat:
            no_category.setdefault(text, []).append(line)
        items.append(spelled)
        labels.append(shown)
        categories.append(cat if cat else pd.NA)

    label_of = f"codebook '{codebook.name}'" if codebook is not None else ""
    if ambiguous:
        details = "; ".join(
            f"{t!r} matches codes {ids}" for t, ids in ambiguous.items()
        )
        raise ImportFormatError(
            Errors.QC757.format(
                path=source,
                detail=f"ambiguous item(s): {details}. Use the code id instead of the "
                "label "
                f"({label_of} has two codes with the same normalised id or label).",
            ),
            path=source,
        )
    if unknown:
        details = "; ".join(f"{t!r} ({where} {_few(ls)})" for t, ls in unknown.items())
        first = min(min(ls) for ls in unknown.values())
        raise ImportFormatError(
            Errors.QC752.format(
                path=source,
                n=len(unknown),
                codebook=codebook.name,  # type: ignore[union-attr]
                details=details,
            ),
            path=source,
            line=first,
        )
    if no_category:
        details = "; ".join(
            f"{t!r} ({where} {_few(ls)})" for t, ls in no_category.items()
        )
        raise ImportFormatError(
            Errors.QC757.format(
                path=source,
                detail=f"placeholder item(s) not in {label_of} need a category: "
                f"{details}. Fill in the "
                "'category' column for these rows.",
            ),
            path=source,
            line=min(min(v) for v in no_category.values()),
        )
    if conflicts:
        details = "; ".join(
            f"{code!r} is under {cat!r} in the file but under {root!r} in the codebook "
            f"({where} {_few(ls)})"
            for (code, cat, root), ls in conflicts.items()
        )
        warnings.warn(
            f"{source}: {details}. The codebook's category is used.",
            ImportWarning_,
            stacklevel=2,
        )

    out = pd.DataFrame(
        {
            "respondent": raw["respondent"],
            "item": items,
            "label": labels,
            "category": categories,
            "pick": raw["pick"],
            "placeholder": raw["placeholder"].astype(bool),
            "line": raw["line"],
        }
    )
    # one category per item (a file could file the same item under two categories)
    if lookup is None or out["placeholder"].any():
        cats = (
            out.dropna(subset=["category"])
            .groupby("item", sort=False)["category"]
            .unique()
        )
        split = {k: list(v) for k, v in cats.items() if len(v) > 1}
        if split:
            details = "; ".join(f"{k!r} under {v}" for k, v in split.items())
            raise ImportFormatError(
                Errors.QC757.format(
                    path=source,
                    detail=f"item(s) filed under more than one category: {details}. "
                    "Give each item "
                    "one category.",
                ),
                path=source,
            )
    passthrough = [
        c
        for c in raw.columns
        if c
        not in {
            "respondent",
            "item",
            "label",
            "category",
            "pick",
            "placeholder",
            "line",
        }
    ]
    for c in passthrough:
        out[c] = raw[c].to_numpy()

    dup = out.duplicated(["respondent", "item"], keep=False)
    if dup.any() and duplicates == "error":
        groups = (
            out[dup].groupby(["respondent", "item"], sort=False)["line"].apply(list)
        )
        details = "; ".join(
            f"respondent {r!r} chose {i!r} on {where}s {_few([int(x) for x in ls])}"
            for (r, i), ls in list(groups.items())[:10]
        )
        if len(groups) > 10:
            details += f"; ... ({len(groups)} in all)"
        raise ImportFormatError(
            Errors.QC753.format(path=source, details=details),
            path=source,
            line=int(out.loc[dup, "line"].iloc[0]),
        )
    if dup.any() and duplicates == "drop":
        out = out[~out.duplicated(["respondent", "item"], keep="first")]
    if max_picks is not None:
        n = out.groupby("respondent", sort=False).size()
        over = n[n > max_picks]
        if len(over):
            details = "; ".join(
                f"{r!r} has {k} (first on {where} "
                f"{int(out.loc[out['respondent'] == r, 'line'].iloc[0])})"
                for r, k in list(over.items())[:10]
            )
            raise ImportFormatError(
                Errors.QC754.format(path=source, max_picks=max_picks, details=details),
                path=source,
            )
    return C.frame(out, C.SELECTIONS, extra=passthrough)


# --------------------------------------------------------------------------------------
# wording of captions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Wording:
    noun: tuple[str, str]
    respondent: tuple[str, str]
    response: tuple[str, str]
    area_respondents: str  # "who selected it"
    area_responses: str  # "number of times it was selected"
    excluded_respondents: str  # "selected by fewer than {n} {respondents}"
    excluded_responses: str  # "selected fewer than {n} times"


def _plural(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def _check_noun(value: Any, param: str, caller: str) -> tuple[str, str]:
    if isinstance(value, str):
        return (value, value + "s")
    if (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(v, str) and v for v in value)
    ):
        return (value[0], value[1])
    raise InvalidInputError(
        Errors.QC101.format(
            param=param,
            caller=caller,
            expected="a (singular, plural) pair of strings",
            got=value,
        )
    )


def _caption(
    summary: Mapping[str, Any],
    w: _Wording,
    *,
    by: str,
    threshold: int | None,
    threshold_by: str,
    highlight_sentence: str | None,
    intro: str | None,
) -> str:
    one, many = w.noun
    parts = []
    if intro:
        parts.append(intro.strip())
    parts.append(
        f"This treemap includes {_plural(summary['responses_shown'], w.response)} from "
        f"{_plural(summary['respondents'], w.respondent)}, representing "
        f"{_plural(summary['items_shown'], w.noun)} "
        f"and {summary['share']:.0%} of all {w.response[1]}."
    )
    if by == "respondents":
        parts.append(
            "Each rectangle's area is proportional to the number of "
            f"{w.respondent[1]} {w.area_respondents}."
        )
    else:
        parts.append(
            f"Each rectangle's area is proportional to the {w.area_responses}."
        )
    if threshold is not None and threshold > 1:
        rule = (
            w.excluded_respondents
            if threshold_by == "respondents"
            else w.excluded_responses
        )
        rule = rule.format(
            n=threshold,
            respondents=w.respondent[1] if threshold != 1 else w.respondent[0],
            responses=w.response[1],
        )
        parts.append(f"{many[:1].upper()}{many[1:]} {rule} have been excluded.")
    if highlight_sentence:
        parts.append(highlight_sentence)
    return " ".join(parts)


# --------------------------------------------------------------------------------------
# the result object
# --------------------------------------------------------------------------------------


class Treemap:
    """A drawn treemap: the figure, every rectangle, the caption numbers, the caption.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure (Agg canvas; no pyplot state).
    layout : pandas.DataFrame
        One row per item rectangle: ``item, label, category, count, respondents, x, y,
        dx, dy, highlighted`` then ``responses, placeholder, color, label_text,
        label_fontsize, label_rotation, abbreviation, label_shown``. ``count`` is the
        value the area shows; ``x, y, dx, dy`` are inches on the treemap area, from its
        top-left corner, ``y`` downward. ``label_text`` is the text drawn (with line
        breaks), or the abbreviation when the full label did not fit; ``label_shown``
        is False when not even the abbreviation fits (the key still lists it).
    categories : pandas.DataFrame
        One row per category block: ``category, count, responses, respondents, x, y,
        dx, dy, header_dy, color``.
    summary : dict
        ``responses_shown``, ``responses_total``, ``respondents``, ``items_shown``,
        ``share``, ``items_total``, ``threshold``, ``threshold_by``, ``by``,
        ``excluded`` (items below the threshold), ``placeholders_shown``.
    caption : str
        The caption, with the numbers computed from the data.

    Examples
    --------
    >>> import pandas as pd
    >>> sel = pd.DataFrame(
    ...     {
    ...         "respondent": ["a", "a", "b", "b", "c"],
    ...         "item": ["Enforce", "Divert", "Enforce", "Gather", "Enforce"],
    ...         "category": ["Pursue", "Prevent", "Pursue", "Prepare", "Pursue"],
    ...     }
    ... )
    >>> tm = selection_treemap(sel, min_respondents=1, size=(4, 3))
    >>> tm.layout[["item", "count"]].values.tolist()
    [['Enforce', 3], ['Gather', 1], ['Divert', 1]]
    >>> tm.summary["responses_shown"], tm.summary["share"]
    (5, 1.0)
    """

    def __init__(
        self,
        *,
        figure: Figure,
        layout: pd.DataFrame,
        categories: pd.DataFrame,
        summary: dict[str, Any],
        caption: str,
    ) -> None:
        self.figure = figure
        self.layout = layout
        self.categories = categories
        self.summary = summary
        self.caption = caption

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Treemap({s['items_shown']} items, {s['responses_shown']} of "
            f"{s['responses_total']} responses "
            f"from {s['respondents']} respondents)"
        )

    def save(self, path: str | Path, *, dpi: float = _DPI) -> Path:
        """Write the figure by suffix: ``.png`` (at ``dpi``), ``.svg`` or ``.pdf``.

        Text is drawn as paths in SVG (it looks the same without the font) and
        embedded as TrueType in PDF. The files carry no creation date, so they are
        reproducible.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".png", ".svg", ".pdf"):
            raise ExportError(
                Errors.QC758.format(
                    caller="Treemap.save",
                    detail=f"cannot write {path.name!r}: unknown suffix "
                    f"{suffix or '(none)'!r}. "
                    "Use .png, .svg or .pdf.",
                )
            )
        import matplotlib as mpl

        metadata: dict[str, Any] = {
            "png": {"Software": "qualcode"},
            "svg": {"Date": None},
            "pdf": {"CreationDate": None, "ModDate": None},
        }[suffix[1:]]
        try:
            with mpl.rc_context(
                {"pdf.fonttype": 42, "svg.fonttype": "path", "svg.hashsalt": "qualcode"}
            ):
                self.figure.savefig(
                    path,
                    dpi=dpi,
                    format=suffix[1:],
                    metadata=metadata,
                    facecolor="white",
                )
        except OSError as exc:
            raise ExportError(
                Errors.QC758.format(
                    caller="Treemap.save",
                    detail=f"cannot write {path}: {exc.strerror or exc}. Check that "
                    "the folder "
                    "exists and is writable.",
                )
            ) from exc
        return path

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=100, facecolor="white")
        return buf.getvalue()


# --------------------------------------------------------------------------------------
# public figure functions
# --------------------------------------------------------------------------------------


def selection_treemap(
    selections: pd.DataFrame | str | Path,
    codebook: Codebook | None = None,
    *,
    min_respondents: int | None = None,
    threshold_by: str = "respondents",
    by: str = "respondents",
    highlight: str | Collection[str] | None = None,
    highlight_label: str | None = None,
    title: str | None = None,
    intro: str | None = None,
    caption: str | None = None,
    noun: tuple[str, str] | str = ("item", "items"),
    respondent_noun: tuple[str, str] | str = ("respondent", "respondents"),
    response_noun: tuple[str, str] | str = ("response", "responses"),
    size: tuple[float, float] = (10.0, 6.0),
    mark_placeholders: bool = True,
) -> Treemap:
    """Nested treemap of a selection exercise, with its caption numbers computed.

    Parameters
    ----------
    selections : pandas.DataFrame or path
        One row per respondent and pick, as from :func:`read_selections` (a path is read
        with it). Needs ``respondent`` and ``item``; ``category`` too unless a codebook
        is given; ``label`` and ``placeholder`` are used when present.
    codebook : Codebook, optional
        Gives labels, categories (root codes), category colours (the root's ``color``),
        tie-breaking order and highlight flags.
    min_respondents : int, optional
        Keep items chosen by at least this many distinct respondents (or responses, see
        ``threshold_by``). The caption states the rule. None keeps every item.
    threshold_by : {"respondents", "responses"}
        What ``min_respondents`` counts: distinct respondents (default) or responses.
    by : {"respondents", "responses"}
        What the area and the label count show: distinct respondents (default) or
        responses. They differ only when a respondent chose an item more than once.
    highlight : str or collection of str, optional
        Items to draw in orange: a codebook flag name (e.g. ``"harm_reduction"``; codes
        whose flag is true), or item ids/labels. The legend and caption say so.
    highlight_label : str, optional
        What the highlighted items are, for the legend and caption (default: the flag
        name in words, e.g. "harm reduction").
    title : str, optional
        Title above the treemap.
    intro : str, optional
        Sentence(s) put before the computed caption (e.g. what respondents were asked).
    caption : str, optional
        Replace the computed caption; ``{responses_shown}``, ``{responses_total}``,
        ``{respondents}``, ``{items_shown}``, ``{share:.0%}`` and ``{threshold}`` are
        filled from :attr:`Treemap.summary`.
    noun, respondent_noun, response_noun : (str, str)
        Singular and plural words for the caption, e.g. ``("role", "roles")`` and
        ``("interviewee", "interviewees")``.
    size : (float, float)
        Width and height of the treemap area in inches; title, legend, key and caption
        are added around it.
    mark_placeholders : bool
        Mark counts of placeholder rows with a dagger (†), explained under the
        figure.

    Returns
    -------
    Treemap

    Raises
    ------
    InvalidInputError
        Missing columns, no category for some items, a threshold that leaves nothing,
        an unknown highlight flag or item.

    Notes
    -----
    Unit of analysis: the respondent. ``responses_total`` counts every pick in
    ``selections`` and ``respondents`` every distinct respondent, so ``share`` is the
    share of all responses that the shown items account for.

    Examples
    --------
    >>> import pandas as pd
    >>> sel = pd.DataFrame(
    ...     {
    ...         "respondent": list("aabbcc"),
    ...         "item": ["A", "B", "A", "C", "A", "B"],
    ...         "category": ["P", "Q", "P", "Q", "P", "Q"],
    ...     }
    ... )
    >>> tm = selection_treemap(
    ...     sel, min_respondents=2, noun=("role", "roles"), size=(4, 3)
    ... )
    >>> print(tm.caption)  # doctest: +NORMALIZE_WHITESPACE
    This treemap includes 5 responses from 3 respondents, representing 2 roles
    and 83% of all responses.
    Each rectangle's area is proportional to the number of respondents who selected it.
    Roles selected by fewer than 2 respondents have been excluded.
    """
    caller = "selection_treemap"
    if isinstance(selections, (str, Path)):
        selections = read_selections(selections, codebook=codebook)
    require_columns(
        selections, ["respondent", "item"], caller=caller, param="selections"
    )
    sel = selections.copy()
    if codebook is not None and (
        "category" not in sel.columns
        or sel["category"].isna().any()
        or "label" not in sel.columns
    ):
        sel = read_selections(sel, codebook=codebook)
    for col in ("label",):
        if col not in sel.columns:
            sel[col] = sel["item"]
    if "category" not in sel.columns:
        sel["category"] = ""
    if "placeholder" not in sel.columns:
        sel["placeholder"] = False
    sel["respondent"] = sel["respondent"].astype("string")
    sel["item"] = sel["item"].astype("string")
    sel["category"] = sel["category"].astype("string").fillna("")
    sel["label"] = sel["label"].astype("string").fillna(sel["item"])
    sel["placeholder"] = sel["placeholder"].fillna(False).astype(bool)
    wording = _Wording(
        noun=_check_noun(noun, "noun", caller),
        respondent=_check_noun(respondent_noun, "respondent_noun", caller),
        response=_check_noun(response_noun, "response_noun", caller),
        area_respondents="who selected it",
        area_responses="number of times it was selected",
        excluded_respondents="selected by fewer than {n} {respondents}",
        excluded_responses="selected fewer than {n} times",
    )
    return _treemap(
        sel,
        codebook,
        caller=caller,
        wording=wording,
        by=by,
        threshold=min_respondents,
        threshold_by=threshold_by,
        highlight=highlight,
        highlight_label=highlight_label,
        title=title,
        intro=intro,
        caption=caption,
        size=size,
        mark_placeholders=mark_placeholders,
        respondent_col="respondent",
    )


def code_treemap(
    codings: pd.DataFrame,
    codebook: Codebook,
    *,
    by: str = "respondents",
    level: int | None = None,
    min_count: int | None = None,
    threshold_by: str | None = None,
    highlight: str | Collection[str] | None = None,
    highlight_label: str | None = None,
    title: str | None = None,
    intro: str | None = None,
    caption: str | None = None,
    noun: tuple[str, str] | str = ("code", "codes"),
    respondent_noun: tuple[str, str] | str = ("interview", "interviews"),
    response_noun: tuple[str, str] | str = ("coding", "codings"),
    participant: str = "transcript_id",
    size: tuple[float, float] = (10.0, 6.0),
) -> Treemap:
    """Nested treemap of how often codes were applied, grouped by their root code.

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per coding, with ``transcript_id`` (or the ``participant`` column) and
        ``code`` (e.g. ``project.codings()``).
    codebook : Codebook
        Every coded id must be in it; root codes are the categories.
    by : {"respondents", "references"}
        Area = number of distinct participants (transcripts) in which the code was
        applied (default), or number of codings (references).
    level : int, optional
        Roll codes deeper than this depth up to their ancestor at that depth (1 = the
        children of the roots). None shows codes as coded.
    min_count : int, optional
        Keep codes applied in at least this many participants (or references, see
        ``threshold_by``); stated in the caption.
    threshold_by : {"respondents", "references"}, optional
        What ``min_count`` counts; defaults to ``by``.
    highlight, highlight_label, title, intro, caption, size
        As in :func:`selection_treemap`.
    noun, respondent_noun, response_noun : (str, str)
        Caption words; default "code", "interview", "coding".
    participant : str
        Column identifying the participant (default ``transcript_id``: one interview
        per participant).

    Returns
    -------
    Treemap

    Examples
    --------
    >>> import pandas as pd
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook(
    ...     [
    ...         Code("pursue", "Pursue"),
    ...         Code("enforce", "Enforce drug laws", parent="pursue"),
    ...         Code("prevent", "Prevent"),
    ...         Code("divert", "Divert people", parent="prevent"),
    ...     ]
    ... )
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t1", "t1", "t2", "t2"],
    ...         "code": ["enforce", "enforce", "enforce", "divert"],
    ...     }
    ... )
    >>> tm = code_treemap(codings, cb, size=(4, 3))
    >>> tm.layout[["item", "count", "responses"]].values.tolist()
    [['enforce', 2, 3], ['divert', 1, 1]]
    >>> print(tm.caption.split(". ")[0])
    This treemap includes 4 codings from 2 interviews, representing 2 codes
    and 100% of all codings
    """
    caller = "code_treemap"
    check_choice(by, ["respondents", "references"], param="by", caller=caller)
    if threshold_by is None:
        threshold_by = by
    check_choice(
        threshold_by, ["respondents", "references"], param="threshold_by", caller=caller
    )
    require_columns(codings, [participant, "code"], caller=caller, param="codings")
    if level is not None and (
        not isinstance(level, int) or isinstance(level, bool) or level < 0
    ):
        raise InvalidInputError(
            Errors.QC101.format(
                param="level",
                caller=caller,
                expected="a non-negative int or None",
                got=level,
            )
        )
    codes = codings["code"].astype("string")
    missing = sorted({c for c in codes.dropna().unique() if c not in codebook})
    if missing:
        raise InvalidInputError(
            Errors.QC758.format(
                caller=caller,
                detail=f"{len(missing)} code(s) in the codings are not in codebook "
                f"'{codebook.name}': "
                f"{_few(missing)}. Pass the codebook the codings were made with (e.g. "
                "project.codebook).",
            )
        )
    items, labels, cats = [], [], []
    for code in codes:
        if pd.isna(code):
            raise InvalidInputError(
                Errors.QC758.format(
                    caller=caller,
                    detail="a coding has no code. Drop rows "
                    "with a missing 'code' first.",
                )
            )
        chain = [code] + [
            a.id for a in codebook.ancestors(code)
        ]  # code, parent, ..., root
        depth = len(chain) - 1
        shown = chain[depth - level] if level is not None and depth > level else code
        items.append(shown)
        labels.append(codebook[shown].label)
        cats.append(codebook.root_of(code).label)
    sel = pd.DataFrame(
        {
            "respondent": codings[participant].astype("string").to_numpy(),
            "item": items,
            "label": labels,
            "category": cats,
            "placeholder": False,
        }
    )
    wording = _Wording(
        noun=_check_noun(noun, "noun", caller),
        respondent=_check_noun(respondent_noun, "respondent_noun", caller),
        response=_check_noun(response_noun, "response_noun", caller),
        area_respondents=f"in which the {_check_noun(noun, 'noun', caller)[0]} was "
        "applied",
        area_responses=f"number of times the {_check_noun(noun, 'noun', caller)[0]} "
        "was applied",
        excluded_respondents="applied in fewer than {n} {respondents}",
        excluded_responses="applied fewer than {n} times",
    )
    by_ = "respondents" if by == "respondents" else "responses"
    tb = "respondents" if threshold_by == "respondents" else "responses"
    return _treemap(
        sel,
        codebook,
        caller=caller,
        wording=wording,
        by=by_,
        threshold=min_count,
        threshold_by=tb,
        highlight=highlight,
        highlight_label=highlight_label,
        title=title,
        intro=intro,
        caption=caption,
        size=size,
        mark_placeholders=False,
        respondent_col="respondent",
    )


# --------------------------------------------------------------------------------------
# tallies, threshold, summary
# --------------------------------------------------------------------------------------


def _orders(codebook: Codebook | None) -> tuple[dict[str, int], dict[str, int]]:
    if codebook is None:
        return {}, {}
    cat_rank = {_key(r.label): i for i, r in enumerate(codebook.roots())}
    item_rank = {c.id: i for i, c in enumerate(codebook)}
    return cat_rank, item_rank


def _highlight_set(
    highlight: Any,
    codebook: Codebook | None,
    tally: pd.DataFrame,
    caller: str,
    highlight_label: str | None,
) -> tuple[set[str], str | None]:
    if highlight is None:
        return set(), highlight_label
    if isinstance(highlight, str):
        flags = sorted({k for c in (codebook or ()) for k in c.flags})
        if codebook is None or highlight not in flags:
            raise InvalidInputError(
                Errors.QC758.format(
                    caller=caller,
                    detail=f"highlight={highlight!r} is not a flag of the codebook "
                    f"(its flags are {flags}). Pass a flag name with a codebook, or a "
                    "list of items.",
                )
            )
        chosen = {c.id for c in codebook if c.flags.get(highlight)}
        return chosen, highlight_label or highlight.replace("_", " ")
    if not isinstance(highlight, Iterable):
        raise InvalidInputError(
            Errors.QC101.format(
                param="highlight",
                caller=caller,
                expected="a flag name or a collection of items",
                got=highlight,
            )
        )
    by_key: dict[str, str] = {}
    for it, lab in zip(tally["item"], tally["label"], strict=True):
        by_key.setdefault(_key(it), it)
        by_key.setdefault(_key(lab), it)
    if codebook is not None:
        for c in codebook:
            by_key.setdefault(_key(c.id), c.id)
            by_key.setdefault(_key(c.label), c.id)
    chosen, unknown = set(), []
    for h in highlight:
        k = _key(h)
        if k in by_key:
            chosen.add(by_key[k])
        else:
            unknown.append(h)
    if unknown:
        raise InvalidInputError(
            Errors.QC758.format(
                caller=caller,
                detail=f"highlight names {len(unknown)} unknown item(s): "
                f"{_few(unknown)}. Use item ids "
                "or labels from the selections or the codebook.",
            )
        )
    return chosen, highlight_label


def _treemap(
    sel: pd.DataFrame,
    codebook: Codebook | None,
    *,
    caller: str,
    wording: _Wording,
    by: str,
    threshold: int | None,
    threshold_by: str,
    highlight: Any,
    highlight_label: str | None,
    title: str | None,
    intro: str | None,
    caption: str | None,
    size: Any,
    mark_placeholders: bool,
    respondent_col: str,
) -> Treemap:
    check_choice(by, ["respondents", "responses"], param="by", caller=caller)
    check_choice(
        threshold_by, ["respondents", "responses"], param="threshold_by", caller=caller
    )
    if threshold is not None and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1
    ):
        raise InvalidInputError(
            Errors.QC101.format(
                param="min_respondents"
                if caller == "selection_treemap"
                else "min_count",
                caller=caller,
                expected="a positive int or None",
                got=threshold,
            )
        )
    try:
        width, height = (float(size[0]), float(size[1]))
        if not (width > 0 and height > 0) or len(size) != 2:
            raise ValueError
    except (TypeError, ValueError, IndexError):
        raise InvalidInputError(
            Errors.QC101.format(
                param="size",
                caller=caller,
                expected="a (width, height) pair of positive inches",
                got=size,
            )
        ) from None
    if not len(sel):
        raise InvalidInputError(
            Errors.QC104.format(
                caller=caller,
                param="selections" if caller == "selection_treemap" else "codings",
            )
        )

    g = sel.groupby("item", sort=False)
    tally = pd.DataFrame(
        {
            "item": list(g.groups.keys()),
        }
    )
    tally["responses"] = g.size().to_numpy()
    tally["respondents"] = g[respondent_col].nunique().to_numpy()
    tally["label"] = g["label"].first().to_numpy()
    tally["category"] = g["category"].first().to_numpy()
    tally["placeholder"] = g["placeholder"].any().to_numpy()
    split = g["category"].nunique()
    if (split > 1).any():
        bad = list(split[split > 1].index)
        raise InvalidInputError(
            Errors.QC758.format(
                caller=caller,
                detail=f"item(s) {_few(bad)} appear under more than one category. "
                "Give each item one "
                "category.",
            )
        )
    tally["count"] = tally[by]
    responses_total = int(len(sel))
    respondents_total = int(sel[respondent_col].nunique())
    keep = (
        tally[threshold_by] >= threshold
        if threshold is not None
        else pd.Series(True, index=tally.index)
    )
    shown = tally[keep].copy()
    excluded = tally.loc[~keep, "item"].tolist()
    if not len(shown):
        best = int(tally[threshold_by].max())
        raise InvalidInputError(
            Errors.QC758.format(
                caller=caller,
                detail=f"no {wording.noun[1]} left: the threshold {threshold} by "
                f"{threshold_by} "
                f"excludes them all (the most any has is {best}). Lower the threshold.",
            )
        )
    if (
        shown["count"] <= 0
    ).any():  # squarify checks nothing; tallies are >= 1, keep the guard
        raise InvalidInputError(
            Errors.QC758.format(caller=caller, detail="counts must be positive.")
        )
    chosen, hl_label = _highlight_set(
        highlight, codebook, tally, caller, highlight_label
    )
    shown["highlighted"] = shown["item"].isin(chosen)

    responses_shown = int(shown["responses"].sum())
    summary: dict[str, Any] = {
        "responses_shown": responses_shown,
        "responses_total": responses_total,
        "respondents": respondents_total,
        "items_shown": int(len(shown)),
        "share": responses_shown / responses_total,
        "items_total": int(len(tally)),
        "threshold": threshold,
        "threshold_by": threshold_by,
        "by": by,
        "excluded": excluded,
        "placeholders_shown": int(shown["placeholder"].sum()),
    }
    hl_sentence = None
    if highlight is not None and shown["highlighted"].any():
        many = wording.noun[1]
        if hl_label:
            hl_sentence = (
                f"{many[:1].upper()}{many[1:]} that might be categorised as "
                f"{hl_label} are highlighted in orange."
            )
        else:
            hl_sentence = f"Highlighted {many} are shown in orange."
    if caption is not None:
        try:
            text = caption.format(**summary)
        except (KeyError, IndexError, ValueError) as exc:
            raise InvalidInputError(
                Errors.QC758.format(
                    caller=caller,
                    detail=f"caption template {caption!r} could not be filled "
                    f"({exc!r}). Use fields "
                    f"from {sorted(summary)}.",
                )
            ) from exc
    else:
        text = _caption(
            summary,
            wording,
            by=by,
            threshold=threshold,
            threshold_by=threshold_by,
            highlight_sentence=hl_sentence,
            intro=intro,
        )

    # order: categories by total, items by count; ties by codebook order, then name
    cat_rank, item_rank = _orders(codebook)
    big = 10**9
    shown["_irank"] = [item_rank.get(i, big) for i in shown["item"]]
    shown = shown.sort_values(
        ["count", "_irank", "label"], ascending=[False, True, True], kind="stable"
    )
    cats = (
        shown.groupby("category", sort=False)
        .agg(count=("count", "sum"), responses=("responses", "sum"))
        .reset_index()
    )
    cat_resp = (
        sel[sel["item"].isin(shown["item"])]
        .groupby("category")[respondent_col]
        .nunique()
    )
    cats["respondents"] = [int(cat_resp.get(c, 0)) for c in cats["category"]]
    cats["_rank"] = [cat_rank.get(_key(c), big) for c in cats["category"]]
    root_color = {}
    if codebook is not None:
        root_color = {_key(r.label): r.color for r in codebook.roots() if r.color}
    # the root's colour; a colour already taken by an earlier category (codebooks
    # combined
    # from several files may repeat colours) gives way to the next unused palette colour
    used: set[str] = set()
    colors = {}
    for c in sorted(cats["category"], key=lambda c: (cat_rank.get(_key(c), big), c)):
        col = root_color.get(_key(c))
        if not col or col.lower() in used:
            col = next(
                (p for p in PALETTE if p.lower() not in used),
                PALETTE[len(used) % len(PALETTE)],
            )
        used.add(col.lower())
        colors[c] = col
    cats["color"] = [colors[c] for c in cats["category"]]

    placed_items, placed_cats = _nested_layout(shown, cats, width, height)
    figure, placed_items = _render(
        placed_items,
        placed_cats,
        width=width,
        height=height,
        title=title,
        caption=text,
        wording=wording,
        highlight_label=hl_label if hl_sentence else None,
        any_highlight=bool(shown["highlighted"].any()),
        mark_placeholders=mark_placeholders,
    )
    layout = C.frame(placed_items, C.TREEMAP_LAYOUT)
    categories = C.frame(placed_cats, C.TREEMAP_CATEGORIES)
    return Treemap(
        figure=figure,
        layout=layout,
        categories=categories,
        summary=summary,
        caption=text,
    )


# --------------------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------------------


def _nested_layout(
    items: pd.DataFrame, cats: pd.DataFrame, width: float, height: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Squarified blocks per category (with header bands), then items inside each."""
    import squarify

    headed = [bool(str(c).strip()) for c in cats["category"]]
    band = (
        _HEADER_FONT * 1.9 / 72 if any(headed) else 0.0
    )  # target header height (inches)
    totals = [float(t) for t in cats["count"]]
    ranks = list(cats["_rank"])
    names = list(cats["category"])
    n = len(totals)
    header_area = [0.0] * n
    area = width * height
    rects: dict[int, dict[str, float]] = {}
    for _ in range(8):  # header areas follow the block widths; a few rounds settle them
        unit = (area - sum(header_area)) / sum(totals)
        if unit <= 0:
            raise InvalidInputError(
                Errors.QC758.format(
                    caller="treemap",
                    detail=f"the treemap area {width} x {height} in is too small for "
                    f"{n} category headers. Pass a larger size=.",
                )
            )
        sizes = [totals[i] * unit + header_area[i] for i in range(n)]
        # largest total first (ties: codebook order, then name); the header areas
        # follow the
        # block widths, so the order is fixed by the totals, never by float noise
        order = sorted(range(n), key=lambda i: (-totals[i], ranks[i], names[i]))
        ordered = [sizes[i] for i in order]
        if any(s <= 0 for s in ordered):
            raise InvalidInputError(
                Errors.QC758.format(
                    caller="treemap", detail="block sizes must be positive."
                )
            )
        placed = squarify.squarify(
            squarify.normalize_sizes(ordered, width, height), 0.0, 0.0, width, height
        )
        rects = {i: r for i, r in zip(order, placed, strict=True)}
        used = list(header_area)  # the header areas this layout was made with
        new = [band * rects[i]["dx"] if headed[i] else 0.0 for i in range(n)]
        # never let a band take more than a third of its block
        new = [min(h, 0.33 * sizes[i]) for i, h in enumerate(new)]
        if max(abs(a - b) for a, b in zip(new, header_area, strict=True)) < 1e-12:
            break
        header_area = new
    # the item regions of the last layout hold exactly totals * unit, given the
    # header areas it used
    header_area = used
    item_rows = []
    cat_rows = []
    for i, cat in enumerate(names):
        r = rects[i]
        hdy = header_area[i] / r["dx"]
        cat_rows.append(
            {
                "category": cat,
                "count": int(totals[i]),
                "responses": int(cats["responses"].iloc[i]),
                "respondents": int(cats["respondents"].iloc[i]),
                "x": r["x"],
                "y": r["y"],
                "dx": r["dx"],
                "dy": r["dy"],
                "header_dy": hdy,
                "color": cats["color"].iloc[i],
                "_order": order.index(i),
            }
        )
        sub = items[items["category"] == cat]
        counts = [float(c) for c in sub["count"]]  # already sorted descending
        region = (r["x"], r["y"] + hdy, r["dx"], r["dy"] - hdy)
        placed = squarify.squarify(
            squarify.normalize_sizes(counts, region[2], region[3]), *region
        )
        for (_, row), p in zip(sub.iterrows(), placed, strict=True):
            item_rows.append(
                {
                    "item": row["item"],
                    "label": row["label"],
                    "category": cat,
                    "count": int(row["count"]),
                    "respondents": int(row["respondents"]),
                    "responses": int(row["responses"]),
                    "x": p["x"],
                    "y": p["y"],
                    "dx": p["dx"],
                    "dy": p["dy"],
                    "highlighted": bool(row["highlighted"]),
                    "placeholder": bool(row["placeholder"]),
                    "_corder": order.index(i),
                }
            )
    cat_df = (
        pd.DataFrame(cat_rows)
        .sort_values("_order", kind="stable")
        .reset_index(drop=True)
    )
    item_df = (
        pd.DataFrame(item_rows)
        .sort_values("_corder", kind="stable")
        .reset_index(drop=True)
    )
    return item_df, cat_df


# --------------------------------------------------------------------------------------
# colours
# --------------------------------------------------------------------------------------


def _mix(color: str, other: str, t: float) -> str:
    from matplotlib.colors import to_hex, to_rgb

    a, b = to_rgb(color), to_rgb(other)
    return to_hex(tuple((1 - t) * x + t * y for x, y in zip(a, b, strict=True)))


def _luminance(color: str) -> float:
    from matplotlib.colors import to_rgb

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_color(background: str) -> str:
    """Black or white, whichever contrasts more (WCAG contrast ratio)."""
    lum = _luminance(background)
    dark = "#1a1a1a"
    contrast_dark = (lum + 0.05) / (_luminance(dark) + 0.05)
    contrast_white = 1.05 / (lum + 0.05)
    return dark if contrast_dark >= contrast_white else "#ffffff"


# --------------------------------------------------------------------------------------
# text fitting and drawing
# --------------------------------------------------------------------------------------


class _Measure:
    """Text extents in pixels from the figure's own renderer."""

    def __init__(self, figure: Figure) -> None:
        from matplotlib.font_manager import FontProperties
        from matplotlib.text import Text

        self.figure = figure
        self.renderer = figure.canvas.get_renderer()
        self._props = FontProperties
        self._text = Text(0, 0, "")
        self._text.set_figure(figure)
        self._cache: dict[tuple[str, float, str], float] = {}

    def line_width(self, s: str, size: float, weight: str = "normal") -> float:
        if "\n" in s:  # a multi-line string is as wide as its widest line
            return max(self.line_width(part, size, weight) for part in s.split("\n"))
        key = (s, size, weight)
        if key not in self._cache:
            prop = self._props(size=size, weight=weight)
            w, _, _ = self.renderer.get_text_width_height_descent(s, prop, ismath=False)
            self._cache[key] = w
        return self._cache[key]

    def extent(
        self, s: str, size: float, weight: str = "normal", linespacing: float = 1.15
    ) -> tuple[float, float]:
        t = self._text
        t.set_text(s)
        t.set_fontsize(size)
        t.set_fontweight(weight)
        t.set_linespacing(linespacing)
        bb = t.get_window_extent(self.renderer)
        return bb.width, bb.height

    def wrap(
        self, text: str, size: float, max_width: float, weight: str = "normal"
    ) -> list[str] | None:
        """Greedy wrap at spaces and after '/'; None if a single chunk is too wide."""
        chunks: list[tuple[str, str]] = []  # (separator before, chunk)
        words = [w for w in text.split(" ") if w]
        merged: list[str] = []
        for word in (
            words
        ):  # a lone "/" stays with the word before it: "police /" never "/ authorities"
            if word == "/" and merged:
                merged[-1] += " /"
            else:
                merged.append(word)
        for word in merged:
            parts = re.split(r"(?<=/)(?=[^\s/])", word)
            for p_i, part in enumerate(parts):
                chunks.append((" " if (p_i == 0 and chunks) else "", part))
        lines: list[str] = []
        line = ""
        for sep, chunk in chunks:
            candidate = line + sep + chunk if line else chunk
            if self.line_width(candidate, size, weight) <= max_width:
                line = candidate
                continue
            if self.line_width(chunk, size, weight) > max_width:
                return None
            lines.append(line)
            line = chunk
        if line:
            lines.append(line)
        return lines

    def fit(
        self,
        text: str,
        box_w: float,
        box_h: float,
        sizes: Sequence[float],
        *,
        weight: str = "normal",
        rotations: Sequence[float] = (0.0,),
        wrap: bool = True,
        linespacing: float = 1.15,
    ) -> tuple[str, float, float] | None:
        """Largest size at which ``text`` fits the box, wrapped if allowed.

        Horizontal text wins unless it must be small (< 8 pt) and a rotation allows a
        size at least 2 pt larger.
        """
        best: tuple[str, float, float] | None = None
        for rot in rotations:
            bw, bh = (box_w, box_h) if rot == 0 else (box_h, box_w)
            bw, bh = bw * _FIT, bh * _FIT
            if bw <= 0 or bh <= 0:
                continue
            for size in sizes:
                if size * self.figure.dpi / 72 > bh:  # not even one line
                    continue
                lines = self.wrap(text, size, bw, weight) if wrap else [text]
                if lines is None or (
                    not wrap and self.line_width(text, size, weight) > bw
                ):
                    continue
                s = "\n".join(lines)
                w, h = self.extent(s, size, weight, linespacing)
                if w <= bw and h <= bh:
                    if best is None or (best[1] < 8 and size >= best[1] + 2):
                        best = (s, size, rot)
                    break
            if best is not None and best[1] >= 8:
                break
        return best


def _sizes(big: float, small: float, step: float = 0.5) -> list[float]:
    out, s = [], big
    while s >= small - 1e-9:
        out.append(round(s, 2))
        s -= step
    return out


def _render(
    items: pd.DataFrame,
    cats: pd.DataFrame,
    *,
    width: float,
    height: float,
    title: str | None,
    caption: str,
    wording: _Wording,
    highlight_label: str | None,
    any_highlight: bool,
    mark_placeholders: bool,
) -> tuple[Figure, pd.DataFrame]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(width + 2 * _MARGIN, height + 2 * _MARGIN), dpi=_DPI)
    FigureCanvasAgg(fig)
    m = _Measure(fig)
    dpi = fig.dpi
    items = items.copy()

    # colours: items shade from the category colour towards white, largest darkest
    cat_color = dict(zip(cats["category"], cats["color"], strict=True))
    fill = []
    for cat, sub in items.groupby("category", sort=False):
        n = len(sub)
        for k, (_, row) in enumerate(sub.iterrows()):
            t = 0.12 + (0.45 * k / (n - 1) if n > 1 else 0.0)
            fill.append(
                (
                    row.name,
                    HIGHLIGHT_COLOR
                    if row["highlighted"]
                    else _mix(cat_color[cat], "#ffffff", t),
                )
            )
    items["color"] = pd.Series(dict(fill))

    # item labels: shrink, then rotate, then abbreviate, never overflow
    mark = PLACEHOLDER_MARK if mark_placeholders else ""
    pad_px = _PAD * dpi
    sizes = _sizes(*_ITEM_FONT)
    prefix = wording.noun[0][:1].upper() or "#"
    texts, fonts, rots, abbrevs, shown = [], [], [], [], []
    n_abbrev = 0
    for _, row in items.iterrows():
        count = f"{row['count']}{mark if row['placeholder'] else ''}"
        box_w = row["dx"] * dpi - 2 * pad_px
        box_h = row["dy"] * dpi - 2 * pad_px
        rotations = (0.0, 90.0) if row["dy"] > 1.6 * row["dx"] else (0.0,)
        got = m.fit(
            f"{row['label']}, {count}", box_w, box_h, sizes, rotations=rotations
        )
        abbrev = ""
        if got is None:
            n_abbrev += 1
            abbrev = f"{prefix}{n_abbrev}"
            for candidate in (f"{abbrev}, {count}", f"{abbrev}\n{count}", abbrev):
                got = m.fit(
                    candidate, box_w, box_h, sizes, rotations=(0.0, 90.0), wrap=False
                )
                if got is not None:
                    break
        abbrevs.append(abbrev)
        if got is None:
            texts.append(abbrev)
            fonts.append(float("nan"))
            rots.append(0.0)
            shown.append(False)
        else:
            texts.append(got[0])
            fonts.append(got[1])
            rots.append(got[2])
            shown.append(True)
    items["label_text"] = texts
    items["label_fontsize"] = fonts
    items["label_rotation"] = rots
    items["abbreviation"] = abbrevs
    items["label_shown"] = shown

    # category headers
    headers = []
    for _, c in cats.iterrows():
        name = str(c["category"]).strip()
        if not name or c["header_dy"] <= 0:
            headers.append(None)
            continue
        has_ph = mark_placeholders and bool(
            items.loc[items["category"] == c["category"], "placeholder"].any()
        )
        total = f"{int(c['count'])}{PLACEHOLDER_MARK if has_ph else ''}"
        bw = c["dx"] * dpi - 2 * pad_px
        bh = c["header_dy"] * dpi - 0.4 * pad_px
        got = None
        candidates = [f"{name}, {total}", name] + [
            name[:k] + "\u2026" for k in range(len(name) - 1, 0, -1)
        ]
        for candidate in candidates:
            got = m.fit(
                candidate, bw, bh, _sizes(_HEADER_FONT, 6.0), weight="bold", wrap=False
            )
            if got is not None:
                break
        headers.append(got)

    # under the treemap: legend row, key of abbreviations, caption
    legend: list[tuple[str, str]] = []
    if any_highlight:
        legend.append(
            (
                "patch",
                (highlight_label[:1].upper() + highlight_label[1:])
                if highlight_label
                else "Highlighted",
            )
        )
    if mark and items["placeholder"].any():
        legend.append(
            (
                "text",
                f"{PLACEHOLDER_MARK} placeholder value: not known, filled in for the "
                "figure",
            )
        )
    key_entries = [
        f"{r['abbreviation']}\u00a0\u00a0{r['label']}, "
        f"{r['count']}{mark if r['placeholder'] else ''}"
        for _, r in items.iterrows()
        if r["abbreviation"]
    ]
    gap = 0.25
    key_lines: list[list[str]] = []
    key_cols = 1
    key_line_h = _KEY_FONT * 1.3 / 72
    if key_entries:
        best = None
        for ncols in (3, 2, 1):
            col_w = (width - (ncols - 1) * gap) / ncols
            wrapped = []
            for e in key_entries:
                lines = m.wrap(e, _KEY_FONT, col_w * dpi * _FIT) or [e]
                wrapped.append(lines)
            per_col = math.ceil(len(wrapped) / ncols)
            columns = [wrapped[i * per_col : (i + 1) * per_col] for i in range(ncols)]
            h = (
                max(sum(len(e) for e in col) for col in columns if col)
                if columns
                else 0
            )
            if best is None or h < best[0]:
                best = (h, ncols, wrapped)
        assert best is not None
        _, key_cols, key_lines = best
    cap_lines = m.wrap(caption, _CAPTION_FONT, width * dpi * _FIT) or [caption]
    cap_text = "\n".join(cap_lines)
    cap_h = m.extent(cap_text, _CAPTION_FONT, linespacing=1.3)[1] / dpi
    title_h = (m.extent(title, _TITLE_FONT, "bold")[1] / dpi + 0.14) if title else 0.0
    legend_h = 0.26 if legend else 0.0
    per_col = math.ceil(len(key_lines) / key_cols) if key_lines else 0
    key_h = (
        (
            max(
                sum(len(e) for e in key_lines[i * per_col : (i + 1) * per_col])
                for i in range(key_cols)
            )
            * key_line_h
            + 0.06
        )
        if key_lines
        else 0.0
    )
    fig_w = width + 2 * _MARGIN
    fig_h = (
        _MARGIN + title_h + height + 0.12 + legend_h + key_h + 0.06 + cap_h + _MARGIN
    )
    fig.set_size_inches(fig_w, fig_h)

    def up(
        y_from_top: float,
    ) -> float:  # inches from the top -> figure fraction from the bottom
        return (fig_h - y_from_top) / fig_h

    if title:
        fig.text(
            _MARGIN / fig_w,
            up(_MARGIN),
            title,
            fontsize=_TITLE_FONT,
            fontweight="bold",
            ha="left",
            va="top",
            gid="title",
        )
    top = _MARGIN + title_h
    ax = fig.add_axes(
        (_MARGIN / fig_w, up(top + height), width / fig_w, height / fig_h)
    )
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    for _, r in items.iterrows():
        ax.add_patch(
            Rectangle(
                (r["x"], r["y"]),
                r["dx"],
                r["dy"],
                facecolor=r["color"],
                edgecolor="white",
                linewidth=0.8,
                gid=f"rect:{r['item']}",
            )
        )
        if r["label_shown"]:
            rotated = r["label_rotation"] != 0
            ax.text(
                r["x"] + _PAD,
                (r["y"] + r["dy"] - _PAD) if rotated else (r["y"] + _PAD),
                r["label_text"],
                ha="left",
                va="bottom" if rotated else "top",
                rotation=r["label_rotation"],
                fontsize=r["label_fontsize"],
                color=_text_color(r["color"]),
                linespacing=1.15,
                gid=f"label:{r['item']}",
            )
    for (_, c), header in zip(cats.iterrows(), headers, strict=True):
        if c["header_dy"] > 0:
            head_color = _mix(c["color"], "#000000", 0.12)
            ax.add_patch(
                Rectangle(
                    (c["x"], c["y"]),
                    c["dx"],
                    c["header_dy"],
                    facecolor=head_color,
                    edgecolor="none",
                    gid=f"header:{c['category']}",
                )
            )
            if header is not None:
                ax.text(
                    c["x"] + _PAD,
                    c["y"] + c["header_dy"] / 2,
                    header[0],
                    ha="left",
                    va="center_baseline",
                    fontsize=header[1],
                    fontweight="bold",
                    color=_text_color(head_color),
                    gid=f"header_label:{c['category']}",
                )
        ax.add_patch(
            Rectangle(
                (c["x"], c["y"]),
                c["dx"],
                c["dy"],
                facecolor="none",
                edgecolor="white",
                linewidth=2.6,
                gid=f"block:{c['category']}",
                zorder=3,
            )
        )

    y = top + height + 0.12
    if legend:
        x = _MARGIN
        for kind, label in legend:
            if kind == "patch":
                fig.add_artist(
                    Rectangle(
                        ((x) / fig_w, up(y + 0.17)),
                        0.26 / fig_w,
                        0.15 / fig_h,
                        transform=fig.transFigure,
                        facecolor=HIGHLIGHT_COLOR,
                        edgecolor="none",
                        gid="legend:highlight",
                    )
                )
                x += 0.34
            fig.text(
                x / fig_w,
                up(y + 0.095),
                label,
                fontsize=_KEY_FONT + 0.5,
                va="center",
                ha="left",
                gid=f"legend:{kind}",
            )
            x += m.extent(label, _KEY_FONT + 0.5)[0] / dpi + 0.4
        y += legend_h
    if key_lines:
        col_w = (width - (key_cols - 1) * gap) / key_cols
        per_col = math.ceil(len(key_lines) / key_cols)
        for ci in range(key_cols):
            yy = y
            for lines in key_lines[ci * per_col : (ci + 1) * per_col]:
                fig.text(
                    (_MARGIN + ci * (col_w + gap)) / fig_w,
                    up(yy),
                    "\n".join(lines),
                    fontsize=_KEY_FONT,
                    va="top",
                    ha="left",
                    linespacing=1.3,
                    gid="key",
                )
                yy += len(lines) * key_line_h
        y += key_h
    y += 0.06
    fig.text(
        _MARGIN / fig_w,
        up(y),
        cap_text,
        fontsize=_CAPTION_FONT,
        va="top",
        ha="left",
        linespacing=1.3,
        color="#222222",
        gid="caption",
    )
    items = items.drop(columns=[c for c in items.columns if c.startswith("_")])
    return fig, items
