"""A normalised view of text for matching names, mapped back to exact offsets.

Private to :mod:`qualcode.anonymise`. Names hide in transcripts and exports in
forms a plain regex misses: a zero-width space or a soft hyphen pasted inside a
name (Teams, Word), full-width letters, decomposed or missing accents (``Zoe``
for ``Zoë``), URL-encoded names (``Zo%C3%AB``, ``Christina%20Marsh``), a name
split by a hyphenated line break (``Mar-\\nsh``). :func:`view` builds the text a
matcher sees:

- NFKC compatibility forms (full-width ``Ｓｍｉｔｈ`` is ``Smith``, ligatures split);
- zero-width characters, soft hyphens and bidirectional marks removed;
- ``%XX`` runs that decode as UTF-8 decoded;
- diacritics folded when ``fold`` (``ë`` is ``e``, ``ø`` is ``o``, ``ß`` is ``ss``);
- a soft hyphen before a line break joins the two halves; with ``join`` a hard
  hyphen at a line end between letters does too (``Mar-\\nsh`` is ``Marsh``).

A :class:`View` maps every span it matches back onto the original text, so
replacements land on exact offsets: a match that starts or ends inside a
normalised piece covers the whole piece.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable

#: Removed before matching: zero-width spaces and joiners, word joiner, BOM,
#: soft hyphen, Mongolian vowel separator, bidirectional marks and isolates.
ZERO_WIDTH = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_ZW_SET = frozenset(ZERO_WIDTH)
# letters that carry no combining mark under NFKD but read as a plain letter
_FOLD_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
    }
)
_HARD_HYPHENS = r"\-\u2010\u2011"
_SPECIAL = re.compile(
    # a hyphen at a line end between letters (soft hyphens always; hard with join)
    r"(?P<join>(?<=[^\W\d_])[\u00ad" + _HARD_HYPHENS + r"]\n[^\S\n]*(?=[^\W\d_]))"
    r"|(?P<pct>(?:%[0-9A-Fa-f]{2})+)"
    r"|(?P<uni>[^\x00-\x7f]+)"
)


def fold_text(s: str, *, fold: bool = True) -> str:
    """``s`` as the matcher sees it (no offsets): NFKC, zero-width removed, folded.

    Examples
    --------
    >>> fold_text("Zoe\\u0308 O\\u2019Brien \\uff33mith")
    'Zoe O’Brien Smith'
    >>> fold_text("Zoë", fold=False)
    'Zoë'
    """
    s = "".join(c for c in s if c not in _ZW_SET)
    if fold:
        d = unicodedata.normalize("NFKD", s)
        return "".join(c for c in d if not unicodedata.combining(c)).translate(
            _FOLD_EXTRA
        )
    return unicodedata.normalize("NFKC", s)


_BREAK = re.compile(r"[" + _HARD_HYPHENS + r"]\n[^\S\n]*(?=[^\W\d_])")


def has_hard_break(text: str, pos: int = 0, endpos: int | None = None) -> bool:
    """True if a hard hyphen ends a line between two letters in ``text[pos:endpos]``."""
    end = len(text) if endpos is None else endpos
    for m in _BREAK.finditer(text, pos, end):
        i = m.start() - 1
        if i >= pos and (text[i].isalpha()):
            return True
    return False


class View:
    """Normalised text plus the map back to the original.

    Parameters
    ----------
    text : str
        The normalised text.
    base : int
        Offset of the viewed segment in the original text.
    pieces : list of (view_start, text_start, text_end, copied)
        In view order; a copied piece maps position by position, any other piece
        as a whole. Empty for an identity view.
    end : int, optional
        End of the viewed segment in the original text. Characters dropped right
        after a span (zero-width, marks) are covered by it.
    """

    __slots__ = (
        "_copied",
        "_text_end",
        "_text_start",
        "_view_start",
        "base",
        "end",
        "text",
    )

    def __init__(
        self,
        text: str,
        base: int,
        pieces: list[tuple[int, int, int, bool]],
        end: int | None = None,
    ) -> None:
        self.text = text
        self.base = base
        self.end = base + len(text) if end is None else end
        if pieces:
            self._view_start = [p[0] for p in pieces]
            self._text_start = [p[1] for p in pieces]
            self._text_end = [p[2] for p in pieces]
            self._copied = [p[3] for p in pieces]
        else:  # an identity view
            self._view_start = self._text_start = self._text_end = []
            self._copied = []

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of the non-empty view span ``[start, end)``."""
        if not self._view_start:
            return self.base + start, self.base + end
        i = bisect.bisect_right(self._view_start, start) - 1
        s = (
            self._text_start[i] + start - self._view_start[i]
            if self._copied[i]
            else self._text_start[i]
        )
        j = bisect.bisect_right(self._view_start, end - 1) - 1
        e = (
            self._text_start[j] + end - self._view_start[j]
            if self._copied[j]
            else self._text_end[j]
        )
        if e == self._text_end[j]:  # swallow what was dropped right after it
            e = self._text_start[j + 1] if j + 1 < len(self._text_start) else self.end
        return s, e


def view(
    text: str,
    pos: int = 0,
    endpos: int | None = None,
    *,
    fold: bool = True,
    join: bool = False,
) -> View:
    """The normalised view of ``text[pos:endpos]`` (see the module notes).

    Examples
    --------
    >>> v = view("Ask Zo\\u200be%CC%88 now", fold=True)
    >>> v.text
    'Ask Zoe now'
    >>> v.span(4, 7)  # "Zoe" covers the zero-width space and the escapes
    (4, 14)
    >>> view("Christina Mar-\\n  sh said", join=True).text
    'Christina Marsh said'
    """
    end = len(text) if endpos is None else endpos
    seg = text[pos:end]
    if seg.isascii() and "%" not in seg and not (join and has_hard_break(seg)):
        return View(seg, pos, [], end)
    out: list[str] = []
    pieces: list[tuple[int, int, int, bool]] = []
    vlen = 0
    last = 0  # end of the last special chunk, relative to seg

    def emit(s: str, t0: int, t1: int, copied: bool) -> None:
        nonlocal vlen
        if not s:
            return
        out.append(s)
        pieces.append((vlen, pos + t0, pos + t1, copied))
        vlen += len(s)

    for m in _SPECIAL.finditer(seg):
        a, b = m.span()
        kind = m.lastgroup
        if kind == "join" and seg[a] != "\u00ad" and not join:
            continue  # a hard hyphen: joined only in the second view
        if kind == "uni" and unicodedata.combining(seg[a]) and a > last:
            a -= 1  # a combining mark composes with the ASCII letter before it
        emit(seg[last:a], last, a, True)
        last = b
        chunk = seg[a:b]
        if kind == "join":
            continue  # hyphen and line break dropped
        if kind == "pct":
            try:
                decoded = bytes.fromhex(chunk.replace("%", "")).decode("utf-8")
            except UnicodeDecodeError:
                emit(chunk, a, b, True)
                continue
            emit(fold_text(decoded, fold=fold), a, b, False)
            continue
        _emit_clusters(chunk, a, fold, emit)
    emit(seg[last:], last, len(seg), True)
    return View("".join(out), pos, pieces, end)


def _emit_clusters(
    chunk: str, base: int, fold: bool, emit: Callable[[str, int, int, bool], None]
) -> None:
    """Emit each character with its combining marks as one normalised piece."""
    i, n = 0, len(chunk)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(chunk[j]):
            j += 1
        cluster = chunk[i:j]
        norm = fold_text(cluster, fold=fold)
        emit(norm, base + i, base + j, norm == cluster and j - i == 1)
        i = j
