"""Fast sentence units for the pattern tagger (private to :mod:`qualcode.tagging`).

The units (sentences inside turns, or turns) are the ones
:func:`qualcode._nlp.iter_units` produces. For the offline default pipeline
(tokenizer + ``sentencizer``, and a lookup lemmatizer the pattern tagger does not
need at run time) the tagger runs the tokenizer only and computes the
sentencizer's boundaries itself, vectorised and only for turns that have a hit:
:func:`sentence_starts` reproduces ``Sentencizer.predict`` exactly and
:func:`trimmed_span` reproduces ``iter_units``' whitespace trimming (a test checks
unit-for-unit equality with ``iter_units`` on random text). Any other pipeline goes
through ``iter_units(..., docs=True)`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "array_attrs",
    "batch_arrays",
    "punct_hashes",
    "sentence_starts",
    "sentencizer_of",
    "token_arrays",
    "trimmed_span",
    "unit_arrays",
]


def sentencizer_of(nlp: Any) -> Any | None:
    """The pipeline's ``Sentencizer`` if sentences come from it (and nothing else)."""
    from spacy.pipeline import Sentencizer

    found = None
    for name, pipe in nlp.pipeline:
        if isinstance(pipe, Sentencizer):
            found = pipe
        elif name in ("parser", "senter"):
            return None
    return found


def punct_hashes(sentencizer: Any, vocab: Any) -> Any:
    import numpy as np

    return np.array(
        sorted(vocab.strings.add(c) for c in sentencizer.punct_chars), dtype="uint64"
    )


def batch_arrays(
    docs: Sequence[Any], punct: Any | None
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Sentence starts and token offsets of several docs at once, vectorised.

    The docs' tokens are numbered one after the other (doc ``j``'s token ``i`` is
    ``offsets[j] + i``). Returns ``(starts, idx, length, offsets)``: the sorted
    numbers of the tokens that start a sentence (every non-empty doc's first token
    among them, so a unit ends where the next start is, or at the last token), each
    token's char offset and length in its own doc, and each doc's first number.
    ``punct`` is the sorted array of the sentencizer's punctuation hashes
    (:func:`punct_hashes`); with None only the docs' first tokens start units.

    Examples
    --------
    >>> from qualcode._nlp import load_nlp
    >>> nlp = load_nlp()
    >>> punct = punct_hashes(nlp.get_pipe("sentencizer"), nlp.vocab)
    >>> texts = ["We stop.", "", "- no", ". Yes! Go", "?"]
    >>> docs = [nlp.make_doc(t) for t in texts]
    >>> starts, idx, length, offsets = batch_arrays(docs, punct)
    >>> starts, offsets
    ([0, 3, 5, 6, 8, 9], [0, 3, 3, 5, 9])
    >>> [  # the same as the sentencizer, doc by doc
    ...     [i for i, t in enumerate(nlp(text)) if t.is_sent_start] for text in texts
    ... ] == [
    ...     [s - o for s in starts if o <= s < o + len(d)]
    ...     for d, o in zip(docs, offsets)
    ... ]
    True
    """
    attrs = array_attrs(punct)
    return unit_arrays([doc.to_array(attrs) for doc in docs], punct)


def array_attrs(punct: Any | None) -> list[int]:
    """The token attributes :func:`unit_arrays` needs (``doc.to_array`` of these).

    ``ORTH, IS_PUNCT, IDX, LENGTH`` for sentences (``punct`` given), else
    ``IDX, LENGTH``.
    """
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    return [ORTH, IS_PUNCT, IDX, LENGTH] if punct is not None else [IDX, LENGTH]


def unit_arrays(
    arrays: Sequence[Any], punct: Any | None
) -> tuple[list[int], list[int], list[int], list[int]]:
    """:func:`batch_arrays` from the docs' ``doc.to_array(array_attrs(punct))``.

    The docs themselves need not be kept: the arrays carry all that is used.
    """
    import numpy as np

    offsets: list[int] = []
    kept = []
    n = 0
    for arr in arrays:
        offsets.append(n)
        if len(arr):
            kept.append(arr)
            n += len(arr)
    if not n:
        return [], [], [], offsets
    arr = np.concatenate(kept) if len(kept) > 1 else kept[0]
    idx, length = arr[:, -2].tolist(), arr[:, -1].tolist()
    first = np.zeros(n, dtype=bool)
    first[[o for o in offsets if o < n]] = True
    if punct is None:
        return np.flatnonzero(first).tolist(), idx, length, offsets
    pos = np.minimum(np.searchsorted(punct, arr[:, 0]), len(punct) - 1)
    in_p = punct[pos] == arr[:, 0]  # membership without np.isin's per-call sort
    elig = ~in_p & (arr[:, 1] == 0)
    # Sentencizer.predict, per doc: a token starts a sentence if it is eligible (not
    # punctuation) and a sentence-final character came after the last eligible
    # token before it. Positions are doubled so that each doc's first token can
    # count as "eligible just before it" (2i - 1): nothing from the previous doc
    # leaks in, and a doc starting with "." still starts a sentence after it.
    order = np.arange(0, 2 * n, 2, dtype=np.int64)
    last_p = np.maximum.accumulate(np.where(in_p, order, -1))
    last_e = np.maximum.accumulate(
        np.where(elig, order, np.where(first, order - 1, -1))
    )
    start = first.copy()
    start[1:] |= elig[1:] & (last_p[:-1] > last_e[:-1])
    return np.flatnonzero(start).tolist(), idx, length, offsets


def token_arrays(doc: Any, punct: Any | None) -> tuple[list[int], list[int], list[int]]:
    """``(sentence starts, token char offsets, token lengths)`` of one doc.

    :func:`batch_arrays` for a single doc. ``punct`` is the sorted array of the
    sentencizer's punctuation hashes (:func:`punct_hashes`); with None the sentence
    starts are ``[0]``.
    """
    starts, idx, length, _ = batch_arrays([doc], punct)
    return starts, idx, length


def sentence_starts(doc: Any, punct: Any) -> Any:
    """Token indices where the sentencizer starts sentences (``Sentencizer.predict``).

    A token starts a sentence if it is the first token, or if it is neither
    punctuation nor a sentence-final character and a sentence-final character came
    after the last such token before it.

    Examples
    --------
    >>> from qualcode._nlp import load_nlp
    >>> nlp = load_nlp()
    >>> doc = nlp.make_doc("We arrest. We divert!  Then?")
    >>> sentence_starts(doc, punct_hashes(nlp.get_pipe("sentencizer"), nlp.vocab))
    [0, 3, 6]
    """
    return token_arrays(doc, punct)[0]


def trimmed_span(
    text: str, idx: list[int], length: list[int], tok_start: int, tok_end: int
) -> tuple[int, int]:
    """Char span of tokens ``[tok_start, tok_end)``, edges trimmed as in iter_units.

    ``text`` is the doc's text; ``idx``/``length`` its tokens' offsets and lengths
    (:func:`token_arrays`).
    """
    s = idx[tok_start]
    e = idx[tok_end - 1] + length[tok_end - 1]
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
