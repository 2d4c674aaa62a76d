"""Offsets through replacements: :class:`OffsetMap`.

Re-exported by :mod:`qualcode.anonymise` and :mod:`qualcode.anonymise.pseudonymise`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

__all__ = ["OffsetMap"]


class OffsetMap:
    """Map ``[start, end)`` spans of the original text to the pseudonymised text.

    Text outside replaced spans shifts exactly; a span boundary inside a replaced
    span expands to the whole replacement, so a coding keeps covering the same
    words (a coding of ``"Christina"`` in ``"Christina Marsh"`` becomes a coding of
    the whole pseudonym).

    Parameters
    ----------
    spans : sequence of (old_start, old_end, new_start, new_end)
        The replaced spans, in order, not overlapping.

    Examples
    --------
    >>> m = OffsetMap([(4, 9, 4, 12)])  # "Ask Smith now" -> "Ask Person B now"
    >>> m.span(0, 3), m.span(4, 9), m.span(10, 13), m.span(6, 13)
    ((0, 3), (4, 12), (13, 16), (4, 16))
    """

    __slots__ = ("_new_end", "_new_start", "_old_end", "_old_start")

    def __init__(self, spans: Sequence[tuple[int, int, int, int]] = ()) -> None:
        self._old_start = [s[0] for s in spans]
        self._old_end = [s[1] for s in spans]
        self._new_start = [s[2] for s in spans]
        self._new_end = [s[3] for s in spans]

    def __len__(self) -> int:
        return len(self._old_start)

    def start(self, pos: int) -> int:
        """New position of a span start at old ``pos``."""
        i = bisect.bisect_right(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos < self._old_end[i]:
            return self._new_start[i]
        return pos + self._new_end[i] - self._old_end[i]

    def end(self, pos: int) -> int:
        """New position of a span end at old ``pos``."""
        i = bisect.bisect_left(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos <= self._old_end[i]:
            return self._new_end[i]
        return pos + self._new_end[i] - self._old_end[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """New ``(start, end)`` of the old span ``[start, end)``."""
        return self.start(start), self.end(end)
