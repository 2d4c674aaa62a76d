"""Helpers shared by the coding widget and the read-only HTML view (light imports)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from qualcode.codebook import Codebook

#: Colours for codebook roots that have none (Okabe-Ito, then Tol's muted scheme).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#117733",
    "#882255",
    "#999933",
    "#AA4499",
    "#44AA99",
)
#: Colour of a code the codebook does not know.
UNKNOWN_COLOR = "#888888"
_HEX = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def normalise_color(value: object) -> str | None:
    """``#RRGGBB`` (upper case) for a valid ``#RGB``/``#RRGGBB`` string, else None.

    Only colours that pass this check ever reach HTML or CSS.

    Examples
    --------
    >>> normalise_color("#0af"), normalise_color("#0072b2"), normalise_color("red")
    ('#00AAFF', '#0072B2', None)
    """
    if not isinstance(value, str) or not _HEX.match(value):
        return None
    v = value[1:]
    if len(v) == 3:
        v = "".join(ch * 2 for ch in v)
    return "#" + v.upper()


def _mix(color: str, target: int, share: float) -> str:
    n = int(color[1:], 16)
    rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255]
    return "#" + "".join(f"{round(c + (target - c) * share):02X}" for c in rgb)


def family_shade(parent_color: str, sibling: int) -> str:
    """A shade of the parent's colour for its ``sibling``-th child without a colour.

    Children stay recognisably in their family, yet siblings differ: lighter and
    darker shades alternate, moving further from the parent colour.

    Examples
    --------
    >>> [family_shade("#0072B2", i) for i in range(3)]
    ['#4095C5', '#005686', '#73B1D5']
    """
    step = sibling // 2
    if sibling % 2 == 0:
        return _mix(parent_color, 255, min(0.25 + 0.20 * step, 0.7))
    return _mix(parent_color, 0, min(0.25 + 0.15 * step, 0.6))


def code_colors(codebook: Codebook | None) -> dict[str, str]:
    """One colour per code: its own, a shade of its parent's, or a palette colour.

    Roots without a colour take the palette in order; a child without one gets a
    shade of its parent's colour (:func:`family_shade`), so codes are told apart
    in highlights while each family keeps its hue.

    Examples
    --------
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook(
    ...     [
    ...         Code("a", "A", color="#123456"),
    ...         Code("a1", "A1", parent="a"),
    ...         Code("a2", "A2", parent="a", color="#FF0000"),
    ...         Code("b", "B"),
    ...     ]
    ... )
    >>> code_colors(cb)
    {'a': '#123456', 'a1': '#4D6780', 'a2': '#FF0000', 'b': '#0072B2'}
    """
    if codebook is None:
        return {}
    out: dict[str, str] = {}
    n_free = 0
    n_shaded: dict[str, int] = {}
    for code, _depth in codebook.walk():
        own = normalise_color(code.color)
        if own is None and code.parent is not None and code.parent in out:
            k = n_shaded.get(code.parent, 0)
            n_shaded[code.parent] = k + 1
            own = family_shade(out[code.parent], k)
        if own is None:
            own = PALETTE[n_free % len(PALETTE)]
            n_free += 1
        out[code.id] = own
    for code in codebook:  # defensive: codes the walk did not reach
        out.setdefault(code.id, UNKNOWN_COLOR)
    return out


def code_rows(codebook: Codebook | None) -> list[dict[str, Any]]:
    """The code tree as plain dicts in hierarchy order (what the front-end shows).

    Examples
    --------
    >>> from qualcode.codebook import Code, Codebook
    >>> cb = Codebook([Code("a", "A", definition="Def."), Code("a1", "A1", parent="a")])
    >>> [(r["id"], r["depth"], r["n_children"], r["color"]) for r in code_rows(cb)]
    [('a', 0, 1, '#0072B2'), ('a1', 1, 0, '#4095C5')]
    """
    if codebook is None:
        return []
    colors = code_colors(codebook)
    n_children: dict[str, int] = {}
    for c in codebook:
        if c.parent is not None:
            n_children[c.parent] = n_children.get(c.parent, 0) + 1
    rows = []
    for code, depth in codebook.walk():
        rows.append(
            {
                "id": code.id,
                "label": code.label,
                "parent": code.parent,
                "root": codebook.root_of(code.id).id,
                "depth": depth,
                "color": colors[code.id],
                "definition": code.definition or "",
                "include": list(code.include),
                "exclude": list(code.exclude),
                "examples": list(code.examples),
                "n_children": n_children.get(code.id, 0),
                "title": code_title(code),
            }
        )
    return rows


def code_title(code: Any) -> str:
    """Hover text of a code: label, definition, when to use it and when not.

    Examples
    --------
    >>> from qualcode.codebook import Code
    >>> print(
    ...     code_title(
    ...         Code(
    ...             "a", "Arrest", definition="Arrests.", exclude=("Stop and search.",)
    ...         )
    ...     )
    ... )
    Arrest
    Arrests.
    Not for: Stop and search.
    """
    parts = [code.label]
    if code.definition:
        parts.append(code.definition.strip())
    if code.include:
        parts.append("Use for: " + " | ".join(code.include))
    if code.exclude:
        parts.append("Not for: " + " | ".join(code.exclude))
    return "\n".join(parts)


def evidence_spans(text: str, offset: int, evidence: object) -> list[list[int]]:
    """Absolute ``[start, end)`` spans of a suggestion's evidence words in its unit.

    ``evidence`` is the ``"; "``-separated matched words of :func:`qualcode.suggest`;
    each is found in the unit text (case-insensitive, whole words) for display only.

    Examples
    --------
    >>> evidence_spans("We arrested drug dealers.", 10, "arrested; drug dealers")
    [[13, 21], [22, 34]]
    """
    if not isinstance(evidence, str) or not evidence.strip():
        return []
    spans: set[tuple[int, int]] = set()
    for term in (t.strip() for t in evidence.split(";")):
        if not term:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            spans.add((offset + m.start(), offset + m.end()))
    return [list(s) for s in sorted(spans)]


def known_codes(ids: Iterable[str], n: int = 6) -> str:
    """The first few code ids, for messages.

    Examples
    --------
    >>> known_codes(["a", "b", "c"], n=2)
    "'a', 'b', ..."
    """
    ids = list(ids)
    shown = ", ".join(repr(i) for i in ids[:n])
    return shown + (", ..." if len(ids) > n else "")
