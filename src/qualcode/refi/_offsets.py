"""Offset models for REFI-QDA text selections (pitfall P1/P2 in the REFI notes).

Tools disagree on what ``startPosition``/``endPosition`` count. An *offset model*
is a pair (unit, base):

- unit: ``"cp"`` (Unicode code points, the spec), ``"utf16"`` (UTF-16 code units,
  NVivo for Windows) or ``"utf8"`` (bytes);
- base: ``"raw"`` (the file's text as stored, CRLF counted as two) or ``"lf"``
  (CRLF counted as one, as ATLAS.ti does).

The BOM is never counted. Positions are mapped to code points of the *stored*
text, which is the raw text with the BOM removed and CRLF/CR normalised to LF,
by streaming over the text in chunks (no text is ever searched, and no index
as long as the text is kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


#: Characters mapped per step: bounds the transient memory of a mapping (~30 bytes
#: per character of one chunk), whatever the length of the text.
CHUNK = 1 << 18


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _widths(cps: np.ndarray, unit: str) -> np.ndarray:
    """Units each code point takes in ``unit`` (int64)."""
    if unit == "utf16":
        return np.where(cps > 0xFFFF, 2, 1).astype(np.int64)
    if unit == "utf8":
        return np.select([cps < 0x80, cps < 0x800, cps < 0x10000], [1, 2, 3], 4).astype(
            np.int64
        )
    return np.ones(len(cps), dtype=np.int64)


@dataclass
class SourceText:
    """A source's text and how to place positions counted in any model in it.

    Mapping streams over the text in chunks of :data:`CHUNK` characters, so its
    memory does not grow with the text (no per-character index is kept); a pure
    ASCII text without CR maps by identity.

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
        self._identity = raw.isascii() and "\r" not in raw

    def _chunks(
        self, model: tuple[str, str]
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Per chunk: its raw start, the units before each of its characters and
        after the last (``cum``), and the CRLF carriage returns before each
        (``crs``), both relative to the chunk, as ``m + 1`` arrays."""
        raw = self.raw
        unit, base = model
        for off in range(0, len(raw), CHUNK):
            cps = _codepoints(raw[off : off + CHUNK + 1])  # one more: CR at the end
            m = min(CHUNK, len(raw) - off)
            crlf = np.zeros(m, dtype=bool)
            if len(cps) > 1:
                crlf[: len(cps) - 1] = (cps[:-1] == 13) & (cps[1:] == 10)
            w = _widths(cps[:m], unit)
            if base == "lf":
                w[crlf] = 0  # the CR of a CRLF counts nothing
            cum = np.concatenate(([0], np.cumsum(w)))
            crs = np.concatenate(([0], np.cumsum(crlf, dtype=np.int64)))
            yield off, cum, crs

    def length(self, model: tuple[str, str]) -> int:
        """The text's length counted in ``model``'s units."""
        if self._identity:
            return len(self.raw)
        return sum(int(cum[-1]) for _, cum, _ in self._chunks(model))

    def to_stored(self, positions: Sequence[int], model: tuple[str, str]) -> list[int]:
        """Map positions counted in ``model`` to stored-text code point indices.

        A position inside a character (a surrogate pair or multi-byte sequence)
        snaps to the start of that character; with CRLF counted as one, a position
        at a CRLF is its LF. Positions before 0 or beyond the end (and any beyond
        the 64-bit range) map to ``-1``.
        """
        big = [p for p in positions if not (-(2**62) < p < 2**62)]
        pos = np.asarray(
            [p if -(2**62) < p < 2**62 else -1 for p in positions]
            if big
            else positions,
            dtype=np.int64,
        )
        if self._identity:
            n = len(self.raw)
            return [int(x) for x in np.where((pos < 0) | (pos > n), -1, pos)]
        out = np.full(len(pos), -1, dtype=np.int64)
        order = np.argsort(pos, kind="stable")
        sp = pos[order]
        done = int(np.searchsorted(sp, 0, side="left"))  # negatives stay -1
        units = 0  # units before the chunk
        crs_before = 0  # CRLF carriage returns before the chunk
        for off, cum, crs in self._chunks(model):
            end = units + int(cum[-1])
            stop = int(np.searchsorted(sp, end, side="left"))
            if stop > done:
                q = sp[done:stop] - units
                idx = np.searchsorted(cum, q, side="right") - 1
                out[order[done:stop]] = off + idx - (crs_before + crs[idx])
                done = stop
            units = end
            crs_before += int(crs[-1])
        at_end = done + int(np.searchsorted(sp[done:], units, side="right"))
        out[order[done:at_end]] = len(self.raw) - crs_before  # exactly the end
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
