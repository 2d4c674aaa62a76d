"""Selection exercises and publication treemaps.

The flow is selections -> tallies -> squarify layout -> matplotlib ``Figure``:

* :func:`read_selections` (:mod:`~qualcode.treemap.selections`) reads the responses
  of a selection exercise ("choose the ten roles you consider most important")
  from CSV or XLSX, long or wide, checks them against a codebook and returns one
  tidy row per respondent and pick.
* :mod:`~qualcode.treemap.layout` tallies them (by distinct respondents, or by
  responses), applies an explicit exclusion threshold and places a nested treemap
  with squarify: one block per category, one rectangle per item.
* :mod:`~qualcode.treemap.render` draws it on a matplotlib ``Figure``.
* :mod:`~qualcode.treemap.figure`: :func:`selection_treemap` and
  :func:`code_treemap` (the same figure from a project's codings) return a
  :class:`Treemap` with the figure, the layout, the caption numbers and caption.

Treemaps never touch the project store: :func:`code_treemap` takes a codings
frame.
"""

from __future__ import annotations

from qualcode.treemap.figure import (
    FIGURE_SUFFIXES,
    Treemap,
    code_treemap,
    selection_treemap,
)
from qualcode.treemap.layout import (
    HIGHLIGHT_COLOR,
    PALETTE,
    root_colors,
    stable_color,
)
from qualcode.treemap.render import PLACEHOLDER_MARK
from qualcode.treemap.selections import read_selections

__all__ = [
    "FIGURE_SUFFIXES",
    "HIGHLIGHT_COLOR",
    "PALETTE",
    "PLACEHOLDER_MARK",
    "Treemap",
    "code_treemap",
    "read_selections",
    "root_colors",
    "selection_treemap",
    "stable_color",
]
