"""Treemap tallies and the nested squarify layout.

- :func:`tally_items` counts each item's responses and distinct respondents;
  :func:`apply_threshold` keeps the items at or above a threshold.
- :func:`order_categories` orders items and category blocks and gives each
  category its colour: a code keeps its colour in every figure
  (:func:`root_colors`, :func:`stable_color`).
- :func:`nested_layout` places the category blocks (with header bands) and the
  items inside them with ``squarify`` (``normalize_sizes`` and ``squarify`` only).

Layout rules (deterministic, documented so the figure can be checked):

* Category blocks are laid out largest first (by the category's total; ties in
  codebook order, then by name). A block's area is its total plus its header band.
  Items inside a block are laid out largest first (ties in codebook order, then
  label).
* Every item's area is exactly ``count * unit`` for one ``unit`` shared by the
  whole figure: each block's header band is added to the block's area, not taken
  from its items.
* Coordinates are inches on the treemap area, origin at its top-left corner, ``y``
  growing downward (the largest block sits top-left).
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode._validation import invalid
from qualcode.errors import Errors, InvalidInputError
from qualcode.treemap.selections import _few, _key

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.codebook import Codebook

__all__ = [
    "HIGHLIGHT_COLOR",
    "PALETTE",
    "apply_threshold",
    "highlight_set",
    "nested_layout",
    "order_categories",
    "root_colors",
    "stable_color",
    "tally_items",
]

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
#: Category header label size (points); the header band is sized from it.
HEADER_FONT = 10.0
_BIG = 10**9  # rank of anything not in the codebook


def tally_items(
    sel: pd.DataFrame, *, by: str, respondent_col: str, caller: str
) -> pd.DataFrame:
    """One row per item: ``item, responses, respondents, label, category,
    placeholder, count`` (``count`` is the ``by`` column)."""
    g = sel.groupby("item", sort=False)
    tally = pd.DataFrame({"item": list(g.groups.keys())})
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
                "Give each item one category.",
            )
        )
    tally["count"] = tally[by]
    return tally


def apply_threshold(
    tally: pd.DataFrame,
    threshold: int | None,
    threshold_by: str,
    *,
    caller: str,
    noun: str,
) -> tuple[pd.DataFrame, list[str]]:
    """``(shown items, excluded item ids)``; raise if nothing is left."""
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
                detail=f"no {noun} left: the threshold {threshold} by "
                f"{threshold_by} excludes them all (the most any has is {best}). "
                "Lower the threshold.",
            )
        )
    # squarify checks nothing; tallies are >= 1, keep the guard
    if (shown["count"] <= 0).any():
        raise InvalidInputError(
            Errors.QC758.format(caller=caller, detail="counts must be positive.")
        )
    return shown, excluded


def order_categories(
    shown: pd.DataFrame,
    sel: pd.DataFrame,
    codebook: Codebook | None,
    *,
    respondent_col: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items sorted for the layout, and one row per category with its colour.

    Categories by total, items by count; ties by codebook order, then name. A
    category takes its root code's colour; a colour already taken by an earlier
    category (codebooks combined from several files may repeat colours) gives way
    to the next unused palette colour.
    """
    cat_rank, item_rank = _orders(codebook)
    shown = shown.copy()
    shown["_irank"] = [item_rank.get(i, _BIG) for i in shown["item"]]
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
    cats["_rank"] = [cat_rank.get(_key(c), _BIG) for c in cats["category"]]
    cats["color"] = _category_colors(list(cats["category"]), codebook, cat_rank)
    return shown, cats


def stable_color(key: str, taken: Collection[str] = ()) -> str:
    """The palette colour of ``key``, the same in every figure and every run.

    A CRC-32 of the key picks the palette entry; if that colour is in ``taken``
    (lower-case hex), the next free entry is used.

    Examples
    --------
    >>> stable_color("prevent") == stable_color("prevent")
    True
    >>> stable_color("prevent") in PALETTE
    True
    """
    start = zlib.crc32(str(key).encode("utf-8")) % len(PALETTE)
    for i in range(len(PALETTE)):
        col = PALETTE[(start + i) % len(PALETTE)]
        if col.lower() not in taken:
            return col
    return PALETTE[start]


def root_colors(codebook: Codebook) -> dict[str, str]:
    """The colour of each top-level code, by id: the same in every figure.

    A root keeps its codebook ``color``; a root without one (or whose colour an
    earlier root already has) gets :func:`stable_color` of its id, avoiding the
    colours already given.

    Examples
    --------
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook([Code("pursue", "Pursue", color="#0072B2"), Code("prevent", "P")])
    >>> colors = root_colors(cb)
    >>> colors["pursue"], colors["prevent"] == stable_color("prevent", {"#0072b2"})
    ('#0072B2', True)
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    roots = list(codebook.roots())
    for r in roots:
        if r.color and r.color.lower() not in used:
            out[r.id] = r.color
            used.add(r.color.lower())
    for r in roots:
        if r.id not in out:
            out[r.id] = stable_color(r.id, used)
            used.add(out[r.id].lower())
    return out


def _category_colors(
    categories: list[str], codebook: Codebook | None, cat_rank: dict[str, int]
) -> list[str]:
    """Each category's colour: its root's :func:`root_colors` entry (or a
    :func:`stable_color` of its name), unique within the figure."""
    preferred: dict[str, str] = {}
    if codebook is not None:
        by_root = root_colors(codebook)
        preferred = {_key(r.label): by_root[r.id] for r in codebook.roots()}
    used: set[str] = set()
    colors: dict[str, str] = {}
    for c in sorted(categories, key=lambda c: (cat_rank.get(_key(c), _BIG), c)):
        col = preferred.get(_key(c)) or stable_color(_key(c), used)
        if col.lower() in used:
            col = stable_color(_key(c), used)
        if col.lower() in used:  # more categories than palette colours
            col = PALETTE[len(used) % len(PALETTE)]
        used.add(col.lower())
        colors[c] = col
    return [colors[c] for c in categories]


def _orders(codebook: Codebook | None) -> tuple[dict[str, int], dict[str, int]]:
    if codebook is None:
        return {}, {}
    cat_rank = {_key(r.label): i for i, r in enumerate(codebook.roots())}
    item_rank = {c.id: i for i, c in enumerate(codebook)}
    return cat_rank, item_rank


def highlight_set(
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
        raise invalid(
            "highlight", caller, "a flag name or a collection of items", highlight
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


def nested_layout(
    items: pd.DataFrame, cats: pd.DataFrame, width: float, height: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Squarified blocks per category (with header bands), then items inside each."""
    import squarify

    headed = [bool(str(c).strip()) for c in cats["category"]]
    band = (
        HEADER_FONT * 1.9 / 72 if any(headed) else 0.0
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
