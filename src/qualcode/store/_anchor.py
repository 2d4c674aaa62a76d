"""Re-anchor codings by their quoted text when a transcript's text changes.

A coding is a span ``[start, end)`` of the *old* text; its quote is
``old_text[start:end]``. On the new text the coding goes to the exact occurrence
of that quote nearest to where the old position lands after the edits made before
it (a line-level diff, refined character by character inside small changed
blocks). When the quote no longer occurs, the coding cannot be placed: the caller
turns it into an orphan. A coding is never kept on text other than its quote.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from difflib import SequenceMatcher

__all__ = ["PositionMap", "reanchor"]

# Refine a changed block character by character only when both sides are short:
# SequenceMatcher is quadratic in the worst case.
_REFINE_LIMIT = 2_000


def _line_starts(lines: Sequence[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


class PositionMap:
    """Map character positions of ``old`` to their expected place in ``new``.

    Equal blocks shift exactly; a position inside a changed block keeps its
    distance from the block start (clamped to the new block).

    Examples
    --------
    >>> m = PositionMap("a\\nb\\nc\\n", "x\\na\\nb\\nc\\n")
    >>> m("a\\nb\\nc\\n".index("b"))
    4
    """

    def __init__(self, old: str, new: str) -> None:
        # blocks: (old_start, old_end, new_start, new_end, equal)
        self._blocks: list[tuple[int, int, int, int, bool]] = []
        old_lines = old.splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        ol, nl = _line_starts(old_lines), _line_starts(new_lines)
        sm = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            o1, o2, n1, n2 = ol[i1], ol[i2], nl[j1], nl[j2]
            if tag == "equal":
                self._blocks.append((o1, o2, n1, n2, True))
            elif (o2 - o1) <= _REFINE_LIMIT and (n2 - n1) <= _REFINE_LIMIT:
                self._refine(old[o1:o2], new[n1:n2], o1, n1)
            else:
                self._blocks.append((o1, o2, n1, n2, False))
        self._starts = [b[0] for b in self._blocks]
        self._old_len = len(old)
        self._new_len = len(new)

    def _refine(self, old: str, new: str, o0: int, n0: int) -> None:
        sm = SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            self._blocks.append((o0 + i1, o0 + i2, n0 + j1, n0 + j2, tag == "equal"))

    def __call__(self, pos: int) -> int:
        """Expected position in the new text of old position ``pos``."""
        if not self._blocks:
            return min(pos, self._new_len)
        # blocks tile the old text in order; a pure insertion (empty old block) at
        # pos is followed by the block starting at pos, which bisect_right picks
        i = max(bisect.bisect_right(self._starts, pos) - 1, 0)
        o1, o2, n1, n2, equal = self._blocks[i]
        if equal:
            return n1 + (pos - o1)
        return n1 + min(pos - o1, n2 - n1)


def _occurrences(text: str, quote: str) -> list[int]:
    out: list[int] = []
    i = text.find(quote)
    while i != -1:
        out.append(i)
        i = text.find(quote, i + 1)
    return out


def reanchor(old: str, new: str, spans: Sequence[tuple[int, int]]) -> list[int | None]:
    """New start of each ``(start, end)`` span of ``old`` in ``new``, or None.

    The span keeps its quote ``old[start:end]`` exactly: it moves to the
    occurrence of the quote in ``new`` nearest to the mapped old position (ties go
    to the earlier occurrence). None means the quote no longer occurs.

    Examples
    --------
    >>> old = "Yes. We arrested them. Yes."
    >>> new = "Well. Yes. We arrested them. Yes."
    >>> reanchor(old, new, [(0, 4), (23, 27), (5, 13)])
    [6, 29, 11]
    >>> reanchor(old, "Yes. Yes.", [(5, 13)])
    [None]
    """
    if old == new:
        return [s for s, _ in spans]
    pmap = PositionMap(old, new)
    found: dict[str, list[int]] = {}
    out: list[int | None] = []
    for start, end in spans:
        quote = old[start:end]
        want = pmap(start)
        if new[want : want + len(quote)] == quote:
            out.append(want)
            continue
        occ = found.get(quote)
        if occ is None:
            occ = found[quote] = _occurrences(new, quote)
        if not occ:
            out.append(None)
            continue
        j = bisect.bisect_left(occ, want)
        best = None
        for k in (j - 1, j):
            if 0 <= k < len(occ) and (
                best is None or abs(occ[k] - want) < abs(best - want)
            ):
                best = occ[k]
        out.append(best)
    return out
