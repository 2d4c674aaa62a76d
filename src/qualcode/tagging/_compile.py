"""Compiling parsed patterns for speed (private to :mod:`qualcode.tagging`).

The grammar itself (what a pattern may be, and the parsed :class:`Phrase` and
:class:`Tokens`) is :mod:`qualcode._grammar`; this module turns parsed patterns into
what the matchers run: lemma variants, token patterns rewritten on ``LOWER``, anchors.

Lemmas. With a *lookup* lemmatizer (the offline default) a phrase's lemmas are
computed through the pipeline (on the lower-cased phrase) and expanded into every
surface form the pipeline's own lookup table maps to those lemmas; the variants go
into the ``LOWER`` phrase matcher. This matches exactly what the lookup lemmatizer
would match, but case-insensitively ("Arrests" too, which spaCy's case-sensitive
lookup leaves as "Arrests") and without running the lemmatizer over the corpus.
With any other lemmatizer (rule-based or trained) phrase patterns are lemmatised by
the pipeline and matched by a ``PhraseMatcher(attr="LEMMA")`` on lemmatised docs.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qualcode._grammar import Phrase, Tokens

# Token attributes that the tokenizer alone sets (no pipeline component needed).
LEXICAL_ATTRS = frozenset(
    {
        "ORTH",
        "TEXT",
        "LOWER",
        "NORM",
        "SHAPE",
        "PREFIX",
        "SUFFIX",
        "LENGTH",
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_STOP",
        "IS_BRACKET",
        "IS_QUOTE",
        "IS_LEFT_PUNCT",
        "IS_RIGHT_PUNCT",
        "IS_CURRENCY",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
        "OP",
    }
)
MAX_VARIANTS = 4096
# weight of one hit: 1 - DECAY ** n_tokens, divided by the number of codes sharing
# the pattern
DECAY = 0.6


def token_attrs(pattern: Tokens) -> set[str]:
    """Upper-cased attribute names a token pattern uses (``_``: custom extensions)."""
    return {str(k).upper() for t in pattern.pattern for k in t}


def hit_weight(n_tokens: int, shared_by: int = 1) -> float:
    """Weight of one hit: ``(1 - 0.6 ** n_tokens) / shared_by``.

    A one-word hit weighs 0.4, two words 0.64, three 0.784; a pattern listed under
    ``shared_by`` codes is that many times less specific.

    Examples
    --------
    >>> hit_weight(1), round(hit_weight(2), 2), hit_weight(1, 2)
    (0.4, 0.64, 0.2)
    """
    return (1.0 - DECAY ** max(int(n_tokens), 1)) / max(int(shared_by), 1)


def combine_scores(weights: Sequence[float]) -> float:
    """Noisy-or of hit weights: ``1 - prod(1 - w)``, in [0, 1], growing with every hit.

    Examples
    --------
    >>> combine_scores([0.4]), combine_scores([0.4, 0.4])
    (0.4, 0.64)
    """
    p = 1.0
    for w in weights:
        p *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - p


# -- lemmas -----------------------------------------------------------------
LOOKUP_FACTORIES = ("qualcode_lookup_lemmatizer",)


@lru_cache(maxsize=8)
def _lookups_table(lang: str) -> Any | None:
    from spacy.lookups import load_lookups

    try:
        return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
    except Exception:  # noqa: BLE001 - no data for this language
        return None


def lookup_table(nlp: Any) -> Any | None:
    """The ``lemma_lookup`` table behind the pipeline's lookup lemmatizer, or None.

    Recognises spaCy's ``lemmatizer`` in ``mode="lookup"`` and qualcode's
    case-insensitive ``qualcode_lookup_lemmatizer`` (the offline default).
    """
    for name, pipe in nlp.pipeline:
        if getattr(pipe, "mode", None) == "lookup" and hasattr(pipe, "lookups"):
            try:
                return pipe.lookups.get_table("lemma_lookup")
            except KeyError:
                return None
        try:
            factory = nlp.get_pipe_meta(name).factory
        except (KeyError, ValueError):  # pragma: no cover - unnamed custom pipes
            factory = None
        if factory in LOOKUP_FACTORIES:
            return _lookups_table(nlp.lang)
    return None


def lemma_mode(nlp: Any) -> str:
    """``"lookup"`` (lookup lemmatizer), ``"pipeline"`` (another one) or ``"none"``."""
    if lookup_table(nlp) is not None:
        return "lookup"
    for name, pipe in nlp.pipeline:
        if "lemmatizer" in name or type(pipe).__name__.endswith("Lemmatizer"):
            return "pipeline"
    return "none"


@lru_cache(maxsize=8)
def _raw_lookup(lang: str) -> dict[str, list[str]]:
    """lemma -> surface forms, from spacy-lookups-data's table for ``lang`` (or {})."""
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    path = (
        Path(spacy_lookups_data.__file__).parent
        / "data"
        / f"{lang}_lemma_lookup.json.gz"
    )
    if not path.is_file():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    inv: dict[str, list[str]] = {}
    for form, lemma in data.items():
        if isinstance(lemma, str):
            inv.setdefault(lemma.lower(), []).append(form)
    return inv


_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ies", "ied")


def _candidate_forms(lemma: str) -> set[str]:
    """English-ish inflections of ``lemma`` (the caller checks them in the table)."""
    c = {lemma + s for s in _SUFFIXES}
    if lemma.endswith("e"):
        c |= {lemma[:-1] + "ing", lemma[:-1] + "er"}
    if lemma.endswith("y"):
        c |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) > 2 and lemma[-1] not in "aeiouwxy":
        c |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return c


def _lookup(table: Any, form: str) -> str:
    """The table's lemma of a (lower-cased) form; the form itself when absent."""
    got = table.get(form) if form in table else None
    if isinstance(got, list):  # some tables hold lists
        got = got[0] if got else None
    return got.lower() if isinstance(got, str) else form


def surface_forms(
    lemma: str, table: Any, lang: str, *, strict: bool = False
) -> list[str]:
    """Lower-cased forms whose lemma (``table`` lookup of the lower-cased form) is
    ``lemma``.

    Candidates come from spacy-lookups-data's raw table for ``lang`` plus regular
    English inflections; only those the pipeline's own table confirms are kept.
    ``lemma`` itself comes first; with ``strict=True`` it is left out when the
    table maps it to another lemma ("left" -> "leave"), as the lemmatizer would.

    Examples
    --------
    >>> from qualcode._nlp import load_nlp
    >>> nlp = load_nlp()
    >>> surface_forms("seize", lookup_table(nlp), "en")
    ['seize', 'seized', 'seizes', 'seizing']
    """
    lemma = lemma.lower()
    cands = set(_raw_lookup(lang).get(lemma, ())) | _candidate_forms(lemma)
    forms = [] if strict and _lookup(table, lemma) != lemma else [lemma]
    seen = {lemma}
    for f in sorted(cands):
        lf = f.lower()
        if lf not in seen and _lookup(table, lf) == lemma:
            forms.append(lf)
            seen.add(lf)
    return forms


def rewrite_lemma_tokens(pattern: Tokens, table: Any, lang: str) -> Tokens | None:
    """Rewrite a token pattern's ``LEMMA`` constraints as ``LOWER`` ones (lookup).

    ``{"LEMMA": "arrest"}`` becomes ``{"LOWER": {"IN": ["arrest", "arrested", ...]}}``
    (``IN``/``NOT_IN`` lists likewise), so the pattern runs on tokenizer output and
    matches case-insensitively. Returns None when a constraint cannot be rewritten
    exactly (``REGEX``, ``FUZZY``, a token with both ``LEMMA`` and ``LOWER``): the
    pattern then needs lemmatised docs.

    Examples
    --------
    >>> from qualcode._nlp import load_nlp
    >>> nlp = load_nlp()
    >>> rewrite_lemma_tokens(
    ...     Tokens(({"LEMMA": {"IN": ["raid"]}}, {"OP": "?"})), lookup_table(nlp), "en"
    ... ).pattern
    ({'LOWER': {'IN': ['raid', 'raided', 'raiding', 'raids']}}, {'OP': '?'})
    """
    out = []
    for tok in pattern.pattern:
        keys = {str(k).upper(): k for k in tok}
        if "LEMMA" not in keys:
            out.append(dict(tok))
            continue
        if "LOWER" in keys:
            return None
        value = tok[keys["LEMMA"]]
        new = {k: v for k, v in tok.items() if k != keys["LEMMA"]}
        if isinstance(value, str):
            new["LOWER"] = {"IN": surface_forms(value, table, lang, strict=True)}
        elif (
            isinstance(value, Mapping)
            and value
            and {str(k).upper() for k in value} <= {"IN", "NOT_IN"}
        ):
            ops = {str(k).upper(): v for k, v in value.items()}
            if not all(
                isinstance(v, list | tuple) and all(isinstance(x, str) for x in v)
                for v in ops.values()
            ):
                return None

            def forms(words: Sequence[str]) -> list[str]:
                return list(
                    dict.fromkeys(
                        f
                        for w in words
                        for f in surface_forms(w, table, lang, strict=True)
                    )
                )

            if "IN" in ops:
                excluded = set(forms(ops.get("NOT_IN", ())))
                new["LOWER"] = {
                    "IN": [f for f in forms(ops["IN"]) if f not in excluded]
                }
            else:
                new["LOWER"] = {"NOT_IN": forms(ops["NOT_IN"])}
        else:
            return None
        out.append(new)
    return Tokens(tuple(out))


def phrase_variants(phrase: Phrase, nlp: Any, table: Any | None) -> list[str]:
    """All lower-cased token sequences (as texts) matching ``phrase`` on LOWER or lemma.

    Examples
    --------
    >>> from qualcode._nlp import load_nlp
    >>> nlp = load_nlp()
    >>> phrase_variants(Phrase("Arrest"), nlp, lookup_table(nlp))
    ['arrest', 'arrested', 'arresting', 'arrests']
    >>> len(
    ...     phrase_variants(Phrase("drug dealer"), nlp, lookup_table(nlp))
    ... )  # drug(s|ged|ging) dealer(s)
    8
    """
    lowered = phrase.text.lower()
    if not phrase.lemma or table is None:
        return [lowered]
    toks = [t for t in nlp.make_doc(lowered) if not t.is_space]
    per_token: list[list[str]] = []
    for t in toks:
        forms = surface_forms(_lookup(table, t.lower_), table, nlp.lang)
        if t.lower_ not in forms:
            forms.insert(0, t.lower_)
        per_token.append(forms)
    n = 1
    for f in per_token:
        n *= len(f)
    if n > MAX_VARIANTS:  # absurdly many combinations: keep the exact phrase only
        return [lowered]
    out = [lowered]
    for combo in itertools.product(*per_token):
        text = " ".join(combo)
        if text not in out:
            out.append(text)
    return out


def pattern_key(pattern: Phrase | Tokens, nlp: Any, table: Any | None) -> str:
    """Normalised key: phrases by lemma (or lower/orth form), token patterns by JSON."""
    if isinstance(pattern, Tokens):
        return "T:" + json.dumps(pattern.pattern, sort_keys=True, default=str)
    if pattern.case:
        return "O:" + pattern.text
    if pattern.lemma and table is not None:
        return "L:" + " ".join(
            _lookup(table, t.lower_)
            for t in nlp.make_doc(pattern.text.lower())
            if not t.is_space
        )
    return "P:" + pattern.text.lower()


_OP_MAX = {None: 1, "1": 1, "!": 1, "?": 1, "+": None, "*": None}
_OP_REQUIRED = {None, "1", "+"}


def _op_bounds(op: Any) -> tuple[int, int | None]:
    """(min, max) repetitions of a token spec's ``OP`` (``max`` None: unbounded)."""
    if op in _OP_MAX:
        return (0 if op in ("?", "*", "!") else 1), _OP_MAX[op]
    text = str(op).strip()
    if text.startswith("{") and text.endswith("}"):
        lo, _, hi = text[1:-1].partition(",")
        lo_n = int(lo) if lo.strip() else 0
        if "," not in text:
            return lo_n, lo_n
        return lo_n, (int(hi) if hi.strip() else None)
    return 0, None  # unknown operator: assume the worst


def _rarity_cost(words: frozenset[str], stop_words: frozenset[str]) -> int:
    """How often an anchor set is expected to fire: stop words count 100, others 1."""
    return sum(100 if w in stop_words else 1 for w in words)


def token_anchor(
    pattern: Tokens, stop_words: frozenset[str] = frozenset()
) -> tuple[frozenset[str] | None, int | None]:
    """An anchor for a token pattern, and the pattern's longest possible match.

    The anchor is the set of lower-cased texts one *required* token of the pattern
    must have (among ``LOWER``/``ORTH``/``TEXT`` constraints, the set expected to
    fire least: fewest words, stop words counting 100), so every match contains a
    token from the set; None when no token qualifies.
    The length is the most tokens a match can span (None: unbounded).

    Examples
    --------
    >>> token_anchor(
    ...     Tokens(({"LOWER": {"IN": ["take", "took"]}}, {"OP": "?"}, {"LOWER": "out"}))
    ... )
    (frozenset({'out'}), 3)
    >>> token_anchor(Tokens(({"IS_DIGIT": True, "OP": "+"},)))
    (None, None)
    """
    anchor, _before, _after = anchor_window(pattern, stop_words)
    total: int | None = 0
    for tok in pattern.pattern:
        keys = {str(k).upper(): k for k in tok}
        _lo, hi = _op_bounds(tok.get(keys["OP"]) if "OP" in keys else None)
        total = None if total is None or hi is None else total + hi
    return anchor, total


def _slot_words(tok: Mapping[str, Any]) -> frozenset[str] | None:
    """Lower-cased texts one token spec allows (a superset), or None if unbounded."""
    keys = {str(k).upper(): k for k in tok}
    for attr in ("LOWER", "ORTH", "TEXT"):
        if attr not in keys:
            continue
        v = tok[keys[attr]]
        if isinstance(v, str):
            return frozenset({v.lower()})
        if isinstance(v, Mapping) and {str(k).upper() for k in v} == {"IN"}:
            vals = next(iter(v.values()))
            if isinstance(vals, list | tuple) and all(isinstance(x, str) for x in vals):
                return frozenset(x.lower() for x in vals)
    return None


def _anchor_slot(
    pattern: Tokens, stop_words: frozenset[str]
) -> tuple[frozenset[str] | None, int, list[tuple[int, int | None]], list[Any]]:
    """``(anchor words, anchor slot, (min, max) per slot, OP per slot)``."""
    best: frozenset[str] | None = None
    slot = -1
    bounds: list[tuple[int, int | None]] = []
    ops: list[Any] = []
    for j, tok in enumerate(pattern.pattern):
        keys = {str(k).upper(): k for k in tok}
        op = tok.get(keys["OP"]) if "OP" in keys else None
        lo, hi = _op_bounds(op)
        bounds.append((lo, hi))
        ops.append(op)
        if lo < 1:
            continue
        for attr in ("LOWER", "ORTH", "TEXT"):
            if attr not in keys:
                continue
            allowed = _slot_words({attr: tok[keys[attr]]})
            if allowed and (
                best is None
                or _rarity_cost(allowed, stop_words) < _rarity_cost(best, stop_words)
            ):
                best, slot = allowed, j
    return best, slot, bounds, ops


def anchor_window(
    pattern: Tokens, stop_words: frozenset[str] = frozenset()
) -> tuple[frozenset[str] | None, int | None, int | None]:
    """The anchor of :func:`token_anchor`, and how far a match reaches around it.

    Returns ``(anchor, before, after)``: a match containing the anchor token at
    ``i`` (the first token its pattern slot matched) lies within tokens
    ``[i - before, i + after]``; None means unbounded on that side.

    Examples
    --------
    >>> anchor_window(
    ...     Tokens(({"LOWER": {"IN": ["take", "took"]}}, {"OP": "?"}, {"LOWER": "out"}))
    ... )
    (frozenset({'out'}), 2, 0)
    >>> anchor_window(Tokens(({"LOWER": "at"}, {"OP": "*"}, {"LOWER": "risk"})))
    (frozenset({'at'}), 0, None)
    """
    best, slot, bounds, _ops = _anchor_slot(pattern, stop_words)
    if best is None:
        return None, None, None

    def reach(parts: list[tuple[int, int | None]]) -> int | None:
        total = 0
        for _lo, hi in parts:
            if hi is None:
                return None
            total += hi
        return total

    before = reach(bounds[:slot])
    hi = bounds[slot][1]
    after = reach([(0, None if hi is None else hi - 1), *bounds[slot + 1 :]])
    return best, before, after


_PLAIN_OPS = (None, "1", "?", "*", "+")


def anchor_neighbours(
    pattern: Tokens, stop_words: frozenset[str] = frozenset()
) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """Words the tokens just before and after an anchor token must be, if known.

    For an anchor token at ``i`` (the first token its slot matched, as in
    :func:`anchor_window`), a match needs token ``i - 1`` to be one of the first
    set and token ``i + 1`` one of the second (lower-cased); None where the
    pattern does not say (a neighbouring slot without a finite word set, the match
    may start or end there, or an operator other than ``?``, ``*``, ``+``). A
    cheap test that spares running the ``Matcher`` where it cannot match.

    Examples
    --------
    >>> before, after = anchor_neighbours(
    ...     Tokens(
    ...         (
    ...             {"LOWER": "with"},
    ...             {"LOWER": "the", "OP": "?"},
    ...             {"LOWER": {"IN": ["council", "nhs"]}},
    ...         )
    ...     )
    ... )
    >>> before, sorted(after)
    (None, ['council', 'nhs', 'the'])
    >>> anchor_neighbours(Tokens(({"LOWER": "at"}, {"OP": "?"}, {"LOWER": "risk"})))
    (None, None)
    """
    best, slot, bounds, ops = _anchor_slot(pattern, stop_words)
    if best is None or any(op not in _PLAIN_OPS for op in ops):
        return None, None
    words = [_slot_words(t) for t in pattern.pattern]

    def side(order: list[int], start: frozenset[str]) -> frozenset[str] | None:
        allowed = set(start)
        for t in order:
            slot = words[t]
            if slot is None:
                return None
            allowed |= slot
            if bounds[t][0] >= 1:
                return frozenset(allowed)
        return None  # the match can end (or start) at the anchor token

    hi = bounds[slot][1]
    before = side(list(range(slot - 1, -1, -1)), frozenset())
    after = side(list(range(slot + 1, len(words))), best if hi != 1 else frozenset())
    return before, after


def required_words(pattern: Tokens) -> list[frozenset[str]]:
    """Word sets every match must contain a token of, one per required slot.

    A slot that must match at least once (``OP`` absent, ``1``, ``+`` or
    ``{n,...}`` with n >= 1) and allows only a finite set of words (``LOWER``,
    ``ORTH`` or ``TEXT``, lower-cased: a superset of what it matches) puts its set
    in the list. A window of tokens without a token from each set cannot hold a
    match, so the ``Matcher`` need not run on it.

    Examples
    --------
    >>> required_words(
    ...     Tokens(
    ...         ({"LOWER": "drug"}, {"OP": "?"}, {"LOWER": {"IN": ["raid", "raids"]}})
    ...     )
    ... ) == [frozenset({"drug"}), frozenset({"raid", "raids"})]
    True
    >>> required_words(Tokens(({"LOWER": "drug", "OP": "*"}, {"IS_DIGIT": True})))
    []
    """
    out: list[frozenset[str]] = []
    for tok in pattern.pattern:
        keys = {str(k).upper(): k for k in tok}
        lo, _hi = _op_bounds(tok.get(keys["OP"]) if "OP" in keys else None)
        if lo < 1:
            continue
        words = _slot_words(tok)
        if words:
            out.append(words)
    return out


def token_phrases(pattern: Tokens) -> list[tuple[str, ...]] | None:
    """The token sequences a plain ``LOWER`` token pattern matches, or None.

    A pattern whose every token is ``{"LOWER": word}`` or ``{"LOWER": {"IN": words}}``
    (no other attributes; an ``OP`` of ``"?"`` makes the token optional) matches
    exactly the word sequences of the product of its sets (optional tokens present
    or absent), which a ``PhraseMatcher`` finds far faster than the ``Matcher``
    (up to ``MAX_VARIANTS`` sequences). Like the ``Matcher``, it then finds the
    match with and without an optional token where both fit.

    Examples
    --------
    >>> token_phrases(Tokens(({"LOWER": {"IN": ["raid", "raids"]}}, {"LOWER": "team"})))
    [('raid', 'team'), ('raids', 'team')]
    >>> token_phrases(
    ...     Tokens(({"LOWER": "drug"}, {"LOWER": "raid", "OP": "?"}, {"LOWER": "team"}))
    ... )
    [('drug', 'raid', 'team'), ('drug', 'team')]
    >>> token_phrases(Tokens(({"LOWER": "raid", "OP": "?"},))) is None
    True
    >>> token_phrases(Tokens(({"LOWER": "raid", "OP": "+"},))) is None
    True
    """
    choices: list[list[str | None]] = []
    n = 1
    for tok in pattern.pattern:
        keys = {str(k).upper(): k for k in tok}
        op = tok[keys["OP"]] if "OP" in keys else None
        if op not in (None, "1", "?") or set(keys) - {"OP"} != {"LOWER"}:
            return None
        v = tok[keys["LOWER"]]
        if isinstance(v, str):
            words = [v.lower()]
        elif isinstance(v, Mapping) and [str(k).upper() for k in v] == ["IN"]:
            vals = next(iter(v.values()))
            if not isinstance(vals, list | tuple) or not all(
                isinstance(x, str) for x in vals
            ):
                return None
            words = list(dict.fromkeys(x.lower() for x in vals))
        else:
            return None
        if not words or any(not w or any(c.isspace() for c in w) for w in words):
            return None
        options: list[str | None] = [*words, None] if op == "?" else list(words)
        n *= len(options)
        if n > MAX_VARIANTS:
            return None
        choices.append(options)
    if all(None in c for c in choices):
        return None  # every token optional: leave it to the Matcher
    return list(
        dict.fromkeys(
            tuple(w for w in combo if w is not None)
            for combo in itertools.product(*choices)
        )
    )
