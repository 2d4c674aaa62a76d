"""Offset models for REFI-QDA text selections (pitfall P1/P2 in the REFI notes).

Tools disagree on what ``startPosition``/``endPosition`` count. An *offset model*
is a pair (unit, base):

- unit: ``"cp"`` (Unicode code points, the spec), ``"utf16"`` (UTF-16 code units,
  NVivo for Windows) or ``"utf8"`` (bytes);
- base: ``"raw"`` (the file's text as stored, CRLF counted as two) or ``"lf"``
  (CRLF counted as one, as ATLAS.ti does).

The BOM is never counted. Positions are mapped to code points of the *stored*
text, which is the raw text with the BOM removed and CRLF/CR normalised to LF,
through integer index maps (no text is ever searched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MODELS", "SourceText", "default_model", "score_alignment", "model_name"]

MODELS: tuple[tuple[str, str], ...] = tuple(
    (u, b) for u in ("utf16", "cp", "utf8") for b in ("raw", "lf")
)


def model_name(model: tuple[str, str]) -> str:
    """A readable name: ``'UTF-16 units, CRLF counted as 2'``.

    Examples
    --------
    >>> model_name(("cp", "lf"))
    'code points, CRLF counted as 1'
    """
    unit = {"cp": "code points", "utf16": "UTF-16 units", "utf8": "UTF-8 bytes"}[
        model[0]
    ]
    return f"{unit}, CRLF counted as {2 if model[1] == 'raw' else 1}"


def default_model(origin: str | None) -> tuple[str, str]:
    """The offset model a producer is known to use, from ``Project@origin``.

    Examples
    --------
    >>> (
    ...     default_model("NVivo for Windows 12.6"),
    ...     default_model("ATLAS.ti 23"),
    ...     default_model("qc 1.3.2"),
    ... )
    (('utf16', 'raw'), ('cp', 'lf'), ('cp', 'raw'))
    """
    o = (origin or "").lower()
    if "nvivo" in o:
        return ("utf16", "raw")
    if "atlas" in o:
        return ("cp", "lf")
    return ("cp", "raw")


@dataclass
class SourceText:
    """A source's text with the maps needed to place positions in the stored text.

    Parameters
    ----------
    raw : str
        The decoded file text, BOM removed, line endings as in the file.

    Examples
    --------
    >>> s = SourceText("a\\r\\nb😀c")
    >>> s.stored
    'a\\nb😀c'
    >>> s.to_stored([3, 4, 6], ("utf16", "raw"))  # 'b', the emoji, 'c' in UTF-16 units
    [2, 3, 4]
    >>> s.to_stored([2, 3, 4], ("cp", "lf"))
    [2, 3, 4]
    """

    raw: str

    def __post_init__(self) -> None:
        raw = self.raw
        self.stored = raw.replace("\r\n", "\n").replace("\r", "\n")
        n = len(raw)
        arr = (
            np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
            if n
            else np.zeros(0, np.uint32)
        )
        is_cr = arr == 13
        crlf_cr = np.zeros(n, dtype=bool)
        if n > 1:
            crlf_cr[:-1] = is_cr[:-1] & (arr[1:] == 10)
        self._crlf_cr = crlf_cr
        # raw code point index -> stored index (CR of a CRLF collapses onto its LF)
        removed_before = np.concatenate(([0], np.cumsum(crlf_cr)))
        self._raw_to_stored = np.arange(n + 1) - removed_before
        # widths of each raw code point per unit
        w16 = np.where(arr > 0xFFFF, 2, 1)
        w8 = np.select([arr < 0x80, arr < 0x800, arr < 0x10000], [1, 2, 3], 4)
        self._cum = {}
        for unit, w in (
            ("cp", np.ones(n, dtype=np.int64)),
            ("utf16", w16),
            ("utf8", w8),
        ):
            self._cum[(unit, "raw")] = np.concatenate(([0], np.cumsum(w)))
            w_lf = np.where(crlf_cr, 0, w)  # the CR of a CRLF counts nothing
            self._cum[(unit, "lf")] = np.concatenate(([0], np.cumsum(w_lf)))

    def length(self, model: tuple[str, str]) -> int:
        """The text's length counted in ``model``'s units."""
        return int(self._cum[model][-1])

    def to_stored(self, positions: Sequence[int], model: tuple[str, str]) -> list[int]:
        """Map positions counted in ``model`` to stored-text code point indices.

        A position inside a character (a surrogate pair or multi-byte sequence)
        snaps to the start of that character; positions beyond the end map to
        ``-1``.
        """
        cum = self._cum[model]
        pos = np.asarray(positions, dtype=np.int64)
        idx = np.searchsorted(cum, pos, side="left")
        # with CR weight 0 in "lf" bases several indices share a value: prefer the last
        if model[1] == "lf":
            idx = np.searchsorted(cum, pos, side="right") - 1
        else:
            exact = (idx < len(cum)) & (cum[np.minimum(idx, len(cum) - 1)] == pos)
            idx = np.where(exact, idx, idx - 1)
        out = self._raw_to_stored[np.clip(idx, 0, len(cum) - 1)]
        out = np.where((pos < 0) | (pos > cum[-1]), -1, out)
        return [int(x) for x in out]


def _aligned(text: str, s: int, e: int) -> bool:
    if not (0 <= s < e <= len(text)):
        return False
    if s > 0 and text[s - 1].isalnum():
        return False
    if text[s].isspace():
        return False
    return e == len(text) or not text[e].isalnum() or text[e - 1] == "\n"


def score_alignment(text: str, spans: Sequence[tuple[int, int]]) -> int:
    """How many spans start and end on word boundaries of ``text``.

    A span is aligned when the character before it is not alphanumeric, it does
    not start with whitespace and the character after it is not alphanumeric
    (or the span ends with a line break: whole-line selections).

    Examples
    --------
    >>> score_alignment("We arrest dealers.", [(3, 9), (4, 9), (0, 2)])
    2
    """
    return sum(_aligned(text, s, e) for s, e in spans)
