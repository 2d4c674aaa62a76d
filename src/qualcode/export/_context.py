"""Context for quotes: the sentences around an extract, on turns of any length.

:func:`context_sentences` splits a transcript into sentences with spaCy, turn by
turn; a turn longer than :data:`LONG_TURN` is split only in windows around the
extracts' edges (spaCy refuses texts over ``nlp.max_length``, and the window keeps
memory bounded). :func:`mark_context` cuts the context and marks the extract.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qualcode._nlp import load_nlp

__all__ = ["LONG_TURN", "context_sentences", "mark_context"]

#: Turns longer than this (characters) are split into sentences only around the
#: extracts in them: spaCy refuses a text over ``nlp.max_length`` (1,000,000).
LONG_TURN = 100_000
_WINDOW = 5_000  # characters either side of an extract's edge, per context sentence


def context_sentences(
    t: Any, nlp: Any, edges: Iterable[int] = (), n: int = 1
) -> tuple[list[tuple[int, int]], int | None]:
    """Sentence spans of ``t`` for context, and a cap on the context's reach.

    Every sentence of an ordinary turn; in a turn longer than :data:`LONG_TURN`,
    only the sentences within a window around each extract edge in ``edges`` and
    at the turn's two ends, so any turn length works in bounded memory. The cap
    (characters either side of an extract) is None unless there is a long turn.
    """
    width = _WINDOW * max(1, n)
    pieces: list[tuple[int, int, bool, bool]] = []  # start, end, cut before/after
    long_turn = False
    points = sorted(set(edges))
    for turn in t.turns:
        if turn.end - turn.start <= LONG_TURN:
            pieces.append((turn.start, turn.end, False, False))
            continue
        long_turn = True
        for a, b in _windows(turn.start, turn.end, points, width):
            pieces.append((a, b, a > turn.start, b < turn.end))
    nlp = load_nlp(nlp) if nlp is None or isinstance(nlp, str) else nlp
    spans: list[tuple[int, int]] = []
    texts = ((t.text[a:b], (a, cut_a, cut_b)) for a, b, cut_a, cut_b in pieces)
    for doc, (offset, cut_a, cut_b) in nlp.pipe(texts, as_tuples=True, batch_size=256):
        found = []
        for span in doc.sents:
            s, e = span.start_char, span.end_char
            # trim white space at the edges (spaCy keeps trailing spaces as tokens)
            while s < e and doc.text[s].isspace():
                s += 1
            while e > s and doc.text[e - 1].isspace():
                e -= 1
            if s < e:
                found.append((offset + s, offset + e))
        if cut_a:  # the window starts inside a sentence
            found = found[1:]
        if cut_b:
            found = found[:-1]
        spans.extend(found)
    if not spans:
        spans = sorted({(u.start, u.end) for u in t.turns})
    return spans, (width if long_turn else None)


def _windows(
    start: int, end: int, points: Sequence[int], width: int
) -> list[tuple[int, int]]:
    """Merged windows of ``width`` around the points in ``[start, end]`` and its
    ends, each at most :data:`LONG_TURN` long."""
    raw = [(start, min(end, start + width)), (max(start, end - width), end)]
    raw += [
        (max(start, p - width), min(end, p + width))
        for p in points
        if start <= p <= end
    ]
    merged: list[list[int]] = []
    for a, b in sorted(raw):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        while b - a > LONG_TURN:
            out.append((a, a + LONG_TURN))
            a += LONG_TURN
        out.append((a, b))
    return out


def mark_context(
    text: str,
    sents: Sequence[tuple[int, int]],
    s: int,
    e: int,
    n: int,
    cap: int | None = None,
) -> str:
    """The extract with ``n`` sentences either side, the extract marked « ».

    ``cap`` bounds the context to that many characters either side.
    """
    import bisect

    if not sents:
        return text[s:e]
    ends = [b for _, b in sents]
    starts = [a for a, _ in sents]
    first = bisect.bisect_right(ends, s)  # first sentence ending after s
    last = bisect.bisect_left(starts, e) - 1  # last sentence starting before e
    lo = max(0, min(first, len(sents) - 1) - n)
    hi = min(len(sents) - 1, max(last, 0) + n)
    a = min(sents[lo][0], s)
    b = max(sents[hi][1], e)
    if cap is not None:
        a, b = max(a, s - cap), min(b, e + cap)
    return f"{text[a:s]}«{text[s:e]}»{text[e:b]}"
