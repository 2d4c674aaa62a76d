"""Vetoes and exclusions (private to :mod:`qualcode.tagging`).

* :func:`exclude_patterns_of`: a code's veto patterns (``exclude_patterns`` field or
  flag), which stop a suggestion of that code in a unit where one matches.
* :class:`Excluder`: the ``exclude_coded_by`` rule of :func:`qualcode.suggest`: units a
  coder already coded with a code, or rejected for it, are not offered again.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

__all__ = ["Excluder", "exclude_patterns_of"]


def exclude_patterns_of(code: Any) -> list[Any]:
    """A code's machine-usable veto patterns.

    Read from a ``Code.exclude_patterns`` field when the codebook has one, and from
    the flag ``exclude_patterns``: a list, or one text of phrases separated by ``;``
    (``flags: {exclude_patterns: "false arrest; no arrest"}``), which YAML codebooks
    can hold today. The ``exclude`` field itself is prose for coders and is not used.

    Examples
    --------
    >>> from qualcode.codebook import Code
    >>> exclude_patterns_of(
    ...     Code("a", "A", flags={"exclude_patterns": "false arrest; no arrest"})
    ... )
    ['false arrest', 'no arrest']
    """
    out: list[Any] = []
    for value in (
        getattr(code, "exclude_patterns", None),
        (getattr(code, "flags", None) or {}).get("exclude_patterns"),
    ):
        if not value:
            continue
        if isinstance(value, str):
            out.extend(p.strip() for p in value.split(";") if p.strip())
        elif isinstance(value, Mapping):
            out.append(value)
        else:
            out.extend(value)
    return out


class Excluder:
    """Per (transcript, code): intervals coded or rejected by one coder.

    Calling it with ``(transcript_id, code, start, end)`` says whether that unit
    overlaps one of them.
    """

    def __init__(self, project: Any, coder: str) -> None:
        """Read ``coder``'s codings and rejections from ``project`` (a Project)."""
        iv: dict[tuple[str, str], list[tuple[int, int]]] = {}
        codings = project.codings(coder=coder)
        for tid, s, e, c in zip(
            codings["transcript_id"],
            codings["start"],
            codings["end"],
            codings["code"],
            strict=True,
        ):
            iv.setdefault((str(tid), str(c)), []).append((int(s), int(e)))
        dec = project.decisions(coder=coder)
        if len(dec):
            dec = dec[dec["decision"] == "rejected"]
            for tid, s, e, c in zip(
                dec["transcript_id"], dec["start"], dec["end"], dec["code"], strict=True
            ):
                iv.setdefault((str(tid), str(c)), []).append((int(s), int(e)))
        self._starts: dict[tuple[str, str], list[int]] = {}
        self._maxend: dict[tuple[str, str], list[int]] = {}
        for k, lst in iv.items():
            lst.sort()
            self._starts[k] = [s for s, _ in lst]
            m, acc = -1, []
            for _, e in lst:
                m = max(m, e)
                acc.append(m)
            self._maxend[k] = acc

    def __call__(self, tid: str, code: str, start: int, end: int) -> bool:
        starts = self._starts.get((tid, code))
        if not starts:
            return False
        i = bisect.bisect_left(starts, end)  # intervals starting before `end`
        return i > 0 and self._maxend[(tid, code)][i - 1] > start
