"""Drawing a laid-out treemap on a matplotlib ``Figure`` (no pyplot state).

:func:`render` takes the placed items and category blocks from
:func:`qualcode.treemap.layout.nested_layout` and draws them: rectangles shaded
from the category colour, labels that shrink, then rotate, then abbreviate (never
overflow), bold category headers, then under the treemap a legend row, the key
of abbreviations and the caption.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.treemap.layout import HEADER_FONT, HIGHLIGHT_COLOR

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["DPI", "PLACEHOLDER_MARK", "render"]

#: Appended to counts that are placeholders (values not known).
PLACEHOLDER_MARK = "\u2020"
#: Resolution of the figure (and of saved PNGs).
DPI = 300.0
_MARGIN = 0.15  # inches around everything
_PAD = 0.045  # inches between a rectangle's edge and its label
_ITEM_FONT = (11.0, 6.0)  # largest and smallest label size (points)
_KEY_FONT = 8.0
_CAPTION_FONT = 9.0
_TITLE_FONT = 13.0
_FIT = 0.97  # use 97% of the box: the PDF/SVG metrics differ slightly from Agg's
_GAP = 0.25  # inches between key columns


# --------------------------------------------------------------------------------------
# colours
# --------------------------------------------------------------------------------------


def _mix(color: str, other: str, t: float) -> str:
    from matplotlib.colors import to_hex, to_rgb

    a, b = to_rgb(color), to_rgb(other)
    r, g, bl = ((1 - t) * x + t * y for x, y in zip(a, b, strict=True))
    return to_hex((r, g, bl))


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
# text fitting
# --------------------------------------------------------------------------------------


class _Measure:
    """Text extents in pixels from the figure's own renderer."""

    def __init__(self, figure: Figure) -> None:
        from matplotlib.font_manager import FontProperties
        from matplotlib.text import Text

        self.figure = figure
        self.renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
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


# --------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------


@dataclass
class _Below:
    """What goes under the treemap: legend entries, key lines, caption, heights."""

    legend: list[tuple[str, str]]
    key_lines: list[list[str]]
    key_cols: int
    cap_text: str
    title_h: float
    legend_h: float
    key_h: float
    cap_h: float


def render(
    items: pd.DataFrame,
    cats: pd.DataFrame,
    *,
    width: float,
    height: float,
    title: str | None,
    caption: str,
    abbreviation_prefix: str,
    highlight_label: str | None,
    any_highlight: bool,
    mark_placeholders: bool,
    header_count: str = "count",
) -> tuple[Figure, pd.DataFrame]:
    """Draw the treemap; return the figure and the items with their label columns.

    ``items`` and ``cats`` are the frames of
    :func:`~qualcode.treemap.layout.nested_layout`; the returned items frame adds
    ``color, label_text, label_fontsize, label_rotation, abbreviation,
    label_shown``. ``header_count`` is the ``cats`` column a category header shows
    (``"count"``, the sum of its items, or ``"respondents"``, distinct ones).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width + 2 * _MARGIN, height + 2 * _MARGIN), dpi=DPI)
    FigureCanvasAgg(fig)
    m = _Measure(fig)
    items = items.copy()
    items["color"] = _item_colors(items, cats)
    mark = PLACEHOLDER_MARK if mark_placeholders else ""
    _fit_item_labels(items, m, mark, abbreviation_prefix)
    headers = _fit_headers(cats, items, m, mark_placeholders, header_count)
    below = _measure_below(
        items,
        m,
        width=width,
        title=title,
        caption=caption,
        mark=mark,
        highlight_label=highlight_label,
        any_highlight=any_highlight,
    )
    fig_w = width + 2 * _MARGIN
    fig_h = (
        _MARGIN
        + below.title_h
        + height
        + 0.12
        + below.legend_h
        + below.key_h
        + 0.06
        + below.cap_h
        + _MARGIN
    )
    fig.set_size_inches(fig_w, fig_h)

    def up(y_from_top: float) -> float:
        """Inches from the top -> figure fraction from the bottom."""
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
    top = _MARGIN + below.title_h
    ax = fig.add_axes(
        (_MARGIN / fig_w, up(top + height), width / fig_w, height / fig_h)
    )
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    _draw_items(ax, items)
    _draw_headers(ax, cats, headers)
    _draw_below(fig, m, below, y=top + height + 0.12, width=width, size=(fig_w, fig_h))
    items = items.drop(columns=[c for c in items.columns if c.startswith("_")])
    return fig, items


def _item_colors(items: pd.DataFrame, cats: pd.DataFrame) -> pd.Series:
    """Items shade from the category colour towards white, largest darkest."""
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
    return pd.Series(dict(fill))


def _fit_item_labels(items: pd.DataFrame, m: _Measure, mark: str, prefix: str) -> None:
    """Item labels: shrink, then rotate, then abbreviate, never overflow.

    Adds ``label_text, label_fontsize, label_rotation, abbreviation,
    label_shown`` to ``items``.
    """
    dpi = m.figure.dpi
    pad_px = _PAD * dpi
    sizes = _sizes(*_ITEM_FONT)
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


def _fit_headers(
    cats: pd.DataFrame,
    items: pd.DataFrame,
    m: _Measure,
    mark_placeholders: bool,
    header_count: str = "count",
) -> list[tuple[str, float, float] | None]:
    """Each category header's text and size ("Name, total", else shortened)."""
    dpi = m.figure.dpi
    pad_px = _PAD * dpi
    headers: list[tuple[str, float, float] | None] = []
    for _, c in cats.iterrows():
        name = str(c["category"]).strip()
        if not name or c["header_dy"] <= 0:
            headers.append(None)
            continue
        has_ph = mark_placeholders and bool(
            items.loc[items["category"] == c["category"], "placeholder"].any()
        )
        total = f"{int(c[header_count])}{PLACEHOLDER_MARK if has_ph else ''}"
        bw = c["dx"] * dpi - 2 * pad_px
        bh = c["header_dy"] * dpi - 0.4 * pad_px
        got = None
        candidates = [f"{name}, {total}", name] + [
            name[:k] + "\u2026" for k in range(len(name) - 1, 0, -1)
        ]
        for candidate in candidates:
            got = m.fit(
                candidate, bw, bh, _sizes(HEADER_FONT, 6.0), weight="bold", wrap=False
            )
            if got is not None:
                break
        headers.append(got)
    return headers


def _measure_below(
    items: pd.DataFrame,
    m: _Measure,
    *,
    width: float,
    title: str | None,
    caption: str,
    mark: str,
    highlight_label: str | None,
    any_highlight: bool,
) -> _Below:
    """Legend row, key of abbreviations and caption, with their heights."""
    dpi = m.figure.dpi
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
    key_lines: list[list[str]] = []
    key_cols = 1
    key_line_h = _KEY_FONT * 1.3 / 72
    if key_entries:
        best = None
        for ncols in (3, 2, 1):
            col_w = (width - (ncols - 1) * _GAP) / ncols
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
    return _Below(
        legend=legend,
        key_lines=key_lines,
        key_cols=key_cols,
        cap_text=cap_text,
        title_h=title_h,
        legend_h=legend_h,
        key_h=key_h,
        cap_h=cap_h,
    )


def _draw_items(ax: Any, items: pd.DataFrame) -> None:
    """One rectangle per item, and its label where one fits."""
    from matplotlib.patches import Rectangle

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


def _draw_headers(
    ax: Any, cats: pd.DataFrame, headers: Sequence[tuple[str, float, float] | None]
) -> None:
    """Each category's header band and label, and a white border round the block."""
    from matplotlib.patches import Rectangle

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


def _draw_below(
    fig: Figure,
    m: _Measure,
    below: _Below,
    *,
    y: float,
    width: float,
    size: tuple[float, float],
) -> None:
    """The legend row, the key of abbreviations and the caption."""
    from matplotlib.patches import Rectangle

    dpi = m.figure.dpi
    fig_w, fig_h = size

    def up(y_from_top: float) -> float:
        """Inches from the top -> figure fraction from the bottom."""
        return (fig_h - y_from_top) / fig_h

    if below.legend:
        x = _MARGIN
        for kind, label in below.legend:
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
        y += below.legend_h
    key_lines, key_cols = below.key_lines, below.key_cols
    if key_lines:
        key_line_h = _KEY_FONT * 1.3 / 72
        col_w = (width - (key_cols - 1) * _GAP) / key_cols
        per_col = math.ceil(len(key_lines) / key_cols)
        for ci in range(key_cols):
            yy = y
            for lines in key_lines[ci * per_col : (ci + 1) * per_col]:
                fig.text(
                    (_MARGIN + ci * (col_w + _GAP)) / fig_w,
                    up(yy),
                    "\n".join(lines),
                    fontsize=_KEY_FONT,
                    va="top",
                    ha="left",
                    linespacing=1.3,
                    gid="key",
                )
                yy += len(lines) * key_line_h
        y += below.key_h
    y += 0.06
    fig.text(
        _MARGIN / fig_w,
        up(y),
        below.cap_text,
        fontsize=_CAPTION_FONT,
        va="top",
        ha="left",
        linespacing=1.3,
        color="#222222",
        gid="caption",
    )
