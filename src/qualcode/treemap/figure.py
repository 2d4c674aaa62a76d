"""Publication treemaps: :class:`Treemap`, selection and code treemaps.

The flow is selections -> tallies -> squarify layout -> matplotlib ``Figure``:
:mod:`~qualcode.treemap.selections` reads and checks the picks,
:mod:`~qualcode.treemap.layout` tallies them and places the rectangles,
:mod:`~qualcode.treemap.render` draws them, and this module computes the caption
numbers and returns a :class:`Treemap`.

The figure never uses pyplot's global state: it is a ``matplotlib.figure.Figure``
with an Agg canvas, saved by suffix (PNG at 300 dpi, SVG, PDF; see
:data:`FIGURE_SUFFIXES`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode import _columns as C
from qualcode._files import atomic_path
from qualcode._validation import check_choice, invalid, require_columns
from qualcode.errors import Errors, ExportError, InvalidInputError
from qualcode.treemap.layout import (
    apply_threshold,
    highlight_set,
    nested_layout,
    order_categories,
    tally_items,
)
from qualcode.treemap.render import DPI, render
from qualcode.treemap.selections import _few, read_selections

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from qualcode.codebook import Codebook

__all__ = ["FIGURE_SUFFIXES", "Treemap", "code_treemap", "selection_treemap"]

#: Figure formats :meth:`Treemap.save` writes, by file suffix (the CLI offers these).
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


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
    # by respondents: what a block's heading counts (None: the sum of its items)
    header_respondents: str | None = None


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
    raise invalid(param, caller, "a (singular, plural) pair of strings", value)


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
        if w.header_respondents:
            parts.append(w.header_respondents)
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

    def save(self, path: str | Path, *, dpi: float = DPI) -> Path:
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
        if suffix not in FIGURE_SUFFIXES:
            raise ExportError(
                Errors.QC758.format(
                    caller="Treemap.save",
                    detail=f"cannot write {path.name!r}: unknown suffix "
                    f"{suffix or '(none)'!r}. "
                    "Use .png, .svg or .pdf.",
                )
            )
        import matplotlib as mpl

        by_format: dict[str, dict[str, Any]] = {
            "png": {"Software": "qualcode"},
            "svg": {"Date": None},
            "pdf": {"CreationDate": None, "ModDate": None},
        }
        metadata = by_format[suffix[1:]]
        try:
            with (
                mpl.rc_context(
                    {
                        "pdf.fonttype": 42,
                        "svg.fonttype": "path",
                        "svg.hashsalt": "qualcode",
                    }
                ),
                atomic_path(path) as tmp,
            ):
                self.figure.savefig(
                    tmp,
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
        raise invalid("level", caller, "a non-negative int or None", level)
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
        header_respondents="A block's heading gives the number of "
        f"{_check_noun(respondent_noun, 'respondent_noun', caller)[1]} in which any "
        f"of its {_check_noun(noun, 'noun', caller)[1]} was applied.",
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
        # a block counts the distinct participants with any of its codes, never
        # the sum of its codes' counts (issue 16.7)
        header_count="respondents" if by_ == "respondents" else "count",
    )


# --------------------------------------------------------------------------------------
# the shared figure builder
# --------------------------------------------------------------------------------------


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
    header_count: str = "count",
) -> Treemap:
    width, height = _check_options(
        sel,
        caller=caller,
        by=by,
        threshold=threshold,
        threshold_by=threshold_by,
        size=size,
    )
    tally = tally_items(sel, by=by, respondent_col=respondent_col, caller=caller)
    shown, excluded = apply_threshold(
        tally, threshold, threshold_by, caller=caller, noun=wording.noun[1]
    )
    chosen, hl_label = highlight_set(
        highlight, codebook, tally, caller, highlight_label
    )
    shown["highlighted"] = shown["item"].isin(chosen)
    responses_shown = int(shown["responses"].sum())
    summary: dict[str, Any] = {
        "responses_shown": responses_shown,
        "responses_total": int(len(sel)),
        "respondents": int(sel[respondent_col].nunique()),
        "items_shown": int(len(shown)),
        "share": responses_shown / int(len(sel)),
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
        text = _fill_caption(caption, summary, caller)
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
    shown, cats = order_categories(shown, sel, codebook, respondent_col=respondent_col)
    placed_items, placed_cats = nested_layout(shown, cats, width, height)
    figure, placed_items = render(
        placed_items,
        placed_cats,
        width=width,
        height=height,
        title=title,
        caption=text,
        abbreviation_prefix=wording.noun[0][:1].upper() or "#",
        highlight_label=hl_label if hl_sentence else None,
        any_highlight=bool(shown["highlighted"].any()),
        mark_placeholders=mark_placeholders,
        header_count=header_count,
    )
    return Treemap(
        figure=figure,
        layout=C.frame(placed_items, C.TREEMAP_LAYOUT),
        categories=C.frame(placed_cats, C.TREEMAP_CATEGORIES),
        summary=summary,
        caption=text,
    )


def _check_options(
    sel: pd.DataFrame,
    *,
    caller: str,
    by: str,
    threshold: int | None,
    threshold_by: str,
    size: Any,
) -> tuple[float, float]:
    """Check the shared options; return the treemap's ``(width, height)``."""
    check_choice(by, ["respondents", "responses"], param="by", caller=caller)
    check_choice(
        threshold_by, ["respondents", "responses"], param="threshold_by", caller=caller
    )
    if threshold is not None and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1
    ):
        raise invalid(
            "min_respondents" if caller == "selection_treemap" else "min_count",
            caller,
            "a positive int or None",
            threshold,
        )
    try:
        width, height = (float(size[0]), float(size[1]))
        if not (width > 0 and height > 0) or len(size) != 2:
            raise ValueError
    except (TypeError, ValueError, IndexError):
        raise invalid(
            "size", caller, "a (width, height) pair of positive inches", size
        ) from None
    if not len(sel):
        raise InvalidInputError(
            Errors.QC104.format(
                caller=caller,
                param="selections" if caller == "selection_treemap" else "codings",
            )
        )
    return width, height


def _fill_caption(caption: str, summary: Mapping[str, Any], caller: str) -> str:
    """A caller's caption template filled from the summary."""
    try:
        return caption.format(**summary)
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInputError(
            Errors.QC758.format(
                caller=caller,
                detail=f"caption template {caption!r} could not be filled "
                f"({exc!r}). Use fields from {sorted(summary)}.",
            )
        ) from exc
