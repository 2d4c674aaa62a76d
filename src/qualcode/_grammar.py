"""The pattern grammar: the one owner of what a codebook pattern may be (ground).

Both :class:`qualcode.Codebook` validation and
:meth:`qualcode.PatternTagger.add` use this module, so a pattern one accepts the other
accepts too. One entry of a code's ``patterns`` list is one of:

``"arrest"``
    A phrase. Matched case-insensitively on ``LOWER`` *and* on lemmas, so
    ``"arrest"`` also finds "arrested", "Arrests", "arresting".
``{"phrase": "DIVERT", "case": true}``
    A case-sensitive phrase (``ORTH``), no lemma variants (acronyms, programme
    names). ``{"phrase": "lines", "lemma": false}`` is a case-insensitive phrase
    without lemma variants. No other keys.
``[{"LOWER": "county"}, {"LOWER": "lines"}]``
    A spaCy ``Matcher`` token pattern: a non-empty list of token dicts (checked with
    spaCy's own validation).
``{"exclude": [<phrases, phrase mappings or token patterns>]}``
    Veto patterns: a unit (sentence or turn) containing one gets no suggestion of
    this code. Not nested. The code-level field ``exclude_patterns`` holds the same
    entries (without ``exclude``).

Patterns must carry meaning. A pattern (not a veto) that can match function words
alone is refused: articles, determiners, prepositions, pronouns, conjunctions and
auxiliaries (:data:`FUNCTION_WORDS`), or punctuation. A token pattern is judged by
its required tokens only (tokens with ``OP`` ``?`` or ``*`` count as absent), and a
token whose constraints allow any such word counts as one. The rule: a pattern needs
at least one content word, i.e. a required token that cannot be a function word
("move them on", "drug dealer"), or a negation (:data:`NEGATIONS`) together with at
least one more required token ("not enough", "no longer"), since a negation changes
what the words around it mean. "with the", "of", ``[{"LOWER": "with"}, {"OP": "?"}]``
and a bare "not" are refused. Veto patterns are exempt: a veto only withholds
suggestions.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import CodebookError, Errors

__all__ = [
    "FUNCTION_WORDS",
    "NEGATIONS",
    "PHRASE_KEYS",
    "CompiledCode",
    "Phrase",
    "Tokens",
    "function_words_only",
    "parse_patterns",
    "pattern_problem",
    "pattern_summary",
    "pattern_verdict",
    "token_pattern_errors",
]

#: Keys of the phrase mapping ``{"phrase": ..., "case": ..., "lemma": ...}``.
PHRASE_KEYS: tuple[str, ...] = ("phrase", "case", "lemma")

_ARTICLES_DETERMINERS = """a an the this that these those some any each every all both
either another other such what which whatever whichever much many more most few
fewer less least several enough"""
_PREPOSITIONS = """about above across after against along amid amidst among amongst
around as at before behind below beneath beside besides between beyond by despite
down during except for from in inside into like near of off on onto out outside over
past per round since than through throughout till to toward towards under underneath
unlike until up upon via versus vs with within without"""
_PRONOUNS = """i me my mine myself you your yours yourself yourselves he him his
himself she her hers herself it its itself we us our ours ourselves they them their
theirs themselves one ones oneself who whom whose someone somebody something anyone
anybody anything everyone everybody everything there 'em ya"""
_CONJUNCTIONS = """and or but so yet if because cos coz cause although though while
whilst whereas unless whether"""
_AUXILIARIES = """be am is are was were been being 's 're 'm have has had having 've 'd
do does did will would shall should can could may might must ought 'll ca wo sha ai"""

#: Closed-class words that carry no topic on their own (lower case).
FUNCTION_WORDS: frozenset[str] = frozenset(
    " ".join(
        (
            _ARTICLES_DETERMINERS,
            _PREPOSITIONS,
            _PRONOUNS,
            _CONJUNCTIONS,
            _AUXILIARIES,
        )
    ).split()
)
#: Negations: with at least one more required token they make a pattern meaningful.
NEGATIONS: frozenset[str] = frozenset(
    "not n't no never nothing nobody none neither nor nowhere cannot".split()
)
_PUNCT_SAMPLES = (".", ",", "?", "!", "-", ";", ":", "'", '"', "(", ")")
_FUNCTION_POS = frozenset(
    {"DET", "ADP", "PRON", "CCONJ", "SCONJ", "AUX", "PART", "PUNCT", "INTJ", "SPACE"}
)
_CONTRACTION = re.compile(r"(?<=[^\W_])n't\b")
_WORD = re.compile(r"n't|'(?:s|re|ve|ll|d|m|em)\b|[^\W_]+")


@dataclass(frozen=True)
class Phrase:
    """A phrase pattern (``lemma``: match lemma variants; ``case``: on ``ORTH``)."""

    text: str
    lemma: bool = True
    case: bool = False


@dataclass(frozen=True)
class Tokens:
    """A spaCy ``Matcher`` token pattern."""

    pattern: tuple[Mapping[str, Any], ...]


@dataclass
class CompiledCode:
    """One code's patterns after parsing (before they go into the matchers)."""

    code: str
    phrases: list[Phrase] = field(default_factory=list)
    tokens: list[Tokens] = field(default_factory=list)
    veto_phrases: list[Phrase] = field(default_factory=list)
    veto_tokens: list[Tokens] = field(default_factory=list)


# -- spaCy's own check of token patterns ---------------------------------------------
@functools.lru_cache(maxsize=1)
def _pattern_matcher() -> Any:
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    return Matcher(Vocab(), validate=False)


@functools.lru_cache(maxsize=8192)
def _token_pattern_errors(pattern_json: str) -> tuple[str, ...]:
    from spacy.schemas import validate_token_pattern

    pattern = json.loads(pattern_json)
    errors = validate_token_pattern(pattern)
    if errors:
        return tuple(str(e) for e in errors)
    matcher = _pattern_matcher()
    try:
        matcher.add("__qualcode_check__", [pattern])
    except Exception as exc:  # spaCy raises ValueError/KeyError/MatchPatternError
        return (f"{type(exc).__name__}: {exc}".splitlines()[0],)
    finally:
        if "__qualcode_check__" in matcher:
            matcher.remove("__qualcode_check__")
    return ()


def token_pattern_errors(pattern: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """spaCy's own complaints about one token pattern (empty when it is valid).

    Examples
    --------
    >>> token_pattern_errors([{"LOWER": "county"}, {"LOWER": "lines"}])
    ()
    >>> len(token_pattern_errors([{"LOWER": {"NOT_AN_OP": 1}}])) > 0
    True
    """
    try:
        key = json.dumps(list(pattern), sort_keys=True)
    except (TypeError, ValueError) as exc:
        return (f"the token pattern holds values spaCy cannot use ({exc})",)
    return _token_pattern_errors(key)


# -- meaning: the function-word rule ---------------------------------------------------
def _phrase_words(text: str) -> list[str]:
    """Lower-cased words of a phrase, split like spaCy splits English ("do n't")."""
    low = _CONTRACTION.sub(" n't", text.lower().replace("\u2019", "'"))
    return _WORD.findall(low)


def _value_allows(value: Any, candidates: Sequence[Any]) -> bool:
    """True if a token-dict value (scalar or operator dict) can equal a candidate."""
    if isinstance(value, Mapping):
        ok = True
        for op, arg in value.items():
            o = str(op).upper()
            if o == "IN":
                ok = (
                    ok
                    and isinstance(arg, list | tuple)
                    and any(c in arg for c in candidates)
                )
            elif o == "NOT_IN":
                ok = (
                    ok
                    and isinstance(arg, list | tuple)
                    and any(c not in arg for c in candidates)
                )
            elif o == "REGEX":
                try:
                    rx = re.compile(str(arg))
                except re.error:
                    return True
                ok = ok and any(isinstance(c, str) and rx.search(c) for c in candidates)
            elif o in ("==", "!=", ">=", "<=", ">", "<"):
                nums = [c for c in candidates if isinstance(c, int | float)]
                if not nums or not isinstance(arg, int | float):
                    continue
                test = {
                    "==": lambda a, b: a == b,
                    "!=": lambda a, b: a != b,
                    ">=": lambda a, b: a >= b,
                    "<=": lambda a, b: a <= b,
                    ">": lambda a, b: a > b,
                    "<": lambda a, b: a < b,
                }[o]
                ok = ok and any(test(c, arg) for c in nums)
            # FUZZY, IS_SUBSET, ...: cannot rule anything out
        return bool(ok)
    return any(c == value for c in candidates)


_FLAG_TESTS = {
    "IS_ALPHA": str.isalpha,
    "IS_ASCII": str.isascii,
    "IS_DIGIT": str.isdigit,
    "IS_LOWER": str.islower,
    "IS_UPPER": str.isupper,
    "IS_TITLE": str.istitle,
    "IS_PUNCT": lambda w: w in _PUNCT_SAMPLES,
    "IS_SPACE": lambda w: False,
    "IS_STOP": lambda w: w.lower() in FUNCTION_WORDS or w.lower() in NEGATIONS,
    "LIKE_NUM": lambda w: w.isdigit(),
    "LIKE_URL": lambda w: False,
    "LIKE_EMAIL": lambda w: False,
    "IS_BRACKET": lambda w: w in "()",
    "IS_QUOTE": lambda w: w in "'\"",
    "IS_LEFT_PUNCT": lambda w: w == "(",
    "IS_RIGHT_PUNCT": lambda w: w == ")",
    "IS_CURRENCY": lambda w: False,
}


_CASELESS = ("LOWER", "NORM", "LEMMA")
_CASED = ("ORTH", "TEXT")


def _word_list(token: Mapping[str, Any]) -> tuple[bool, frozenset[Any]] | None:
    """``(caseless, words)`` when the token's one constraint lists words.

    Most pattern tokens are one word or one ``IN`` list of ``LOWER``, ``NORM``,
    ``LEMMA`` (caseless), ``ORTH`` or ``TEXT``; the function-word rule answers
    them by set arithmetic. None for anything else (the general test decides).
    """
    items = [(str(k).upper(), v) for k, v in token.items() if str(k).upper() != "OP"]
    if len(items) != 1 or items[0][0] not in _CASELESS + _CASED:
        return None
    attr, value = items[0]
    if isinstance(value, Mapping):
        ops = list(value.items())
        if len(ops) != 1 or str(ops[0][0]).upper() != "IN":
            return None
        words = ops[0][1]
        if not isinstance(words, list | tuple):
            return None
    else:
        words = [value]
    try:
        return attr in _CASELESS, frozenset(words)
    except TypeError:  # unhashable values
        return None


def _forms(word: str) -> list[str]:
    return [word] if not word[:1].isalpha() else [word, word.title(), word.upper()]


def _token_allows(token: Mapping[str, Any], word: str) -> bool:
    """Can this token dict match ``word`` (in some capitalisation)?"""
    return any(_form_allowed(token, form) for form in _forms(word))


def _all_forms(words: Sequence[str], caseless: bool) -> frozenset[str]:
    if caseless:
        return frozenset(w.lower() for w in words)
    return frozenset(f for w in words for f in _forms(w))


_EMPTY = (*sorted(FUNCTION_WORDS), *_PUNCT_SAMPLES)
#: (caseless?) -> the forms of the function words and of the negations that a
#: one-list token is tested against, as _token_allows would try them
_FORMS = {
    c: (_all_forms(_EMPTY, c), _all_forms(sorted(NEGATIONS), c)) for c in (True, False)
}


def _form_allowed(token: Mapping[str, Any], form: str) -> bool:
    for key, value in token.items():
        attr = str(key).upper()
        if attr == "OP":
            continue
        if attr in ("LOWER", "NORM", "LEMMA"):
            ok = _value_allows(value, [form.lower()])
        elif attr in ("ORTH", "TEXT"):
            ok = _value_allows(value, [form])
        elif attr == "LENGTH":
            ok = _value_allows(value, [len(form)])
        elif attr == "POS":
            ok = _value_allows(value, sorted(_FUNCTION_POS))
        elif attr in _FLAG_TESTS:
            ok = _value_allows(value, [bool(_FLAG_TESTS[attr](form))])
        else:  # TAG, DEP, MORPH, ENT_TYPE, SHAPE, custom "_": cannot rule out
            ok = True
        if not ok:
            return False
    return True


def _required(token: Mapping[str, Any]) -> bool:
    op = next((v for k, v in token.items() if str(k).upper() == "OP"), None)
    if op is None or op in ("1", "+", "!"):
        return op != "!"
    text = str(op).strip()
    if text.startswith("{") and text.endswith("}"):
        lo = text[1:-1].partition(",")[0].strip()
        return bool(lo) and lo.isdigit() and int(lo) >= 1
    return False  # "?", "*" and anything else: may be absent


def function_words_only(pattern: Any) -> bool:
    """True if ``pattern`` (a phrase or token pattern) can match without meaning.

    See the module notes for the rule: at least one required content word, or a
    negation with at least one more required token.

    Examples
    --------
    >>> function_words_only("with the"), function_words_only("move them on")
    (True, False)
    >>> function_words_only("not enough"), function_words_only("not")
    (False, True)
    >>> function_words_only([{"LOWER": "with"}, {"LOWER": "council", "OP": "?"}])
    True
    >>> function_words_only([{"LOWER": "with"}, {"LOWER": {"IN": ["nhs", "council"]}}])
    False
    """
    if isinstance(pattern, Mapping) and "phrase" in pattern:
        pattern = pattern["phrase"]
    if isinstance(pattern, str):
        words = _phrase_words(pattern)
        content = [w for w in words if w not in FUNCTION_WORDS and w not in NEGATIONS]
        negated = any(w in NEGATIONS for w in words)
        return not content and not (negated and len(words) >= 2)
    if not isinstance(pattern, Sequence) or not all(
        isinstance(t, Mapping) for t in pattern
    ):
        return False
    required = [t for t in pattern if _required(t)]
    n_content = n_negation = 0
    for tok in required:
        listed = _word_list(tok)
        if listed is not None:  # one word list: set arithmetic, same answer
            empty_forms, negation_forms = _FORMS[listed[0]]
            empty = not listed[1].isdisjoint(empty_forms)
            negation = not listed[1].isdisjoint(negation_forms)
        else:
            empty = any(_token_allows(tok, w) for w in _EMPTY)
            negation = any(_token_allows(tok, w) for w in NEGATIONS)
        if empty:
            continue
        if negation:
            n_negation += 1
        else:
            n_content += 1
    return not n_content and not (n_negation and len(required) >= 2)


# -- a readable form ----------------------------------------------------------------
def _token_summary(token: Mapping[str, Any]) -> str:
    parts = []
    op = next((v for k, v in token.items() if str(k).upper() == "OP"), "")
    for attr, value in token.items():
        a = str(attr).upper()
        if a == "OP":
            continue
        if isinstance(value, Mapping):
            if "IN" in value or "in" in value:
                vals = value.get("IN", value.get("in"))
                text = "(" + "|".join(map(str, vals)) + ")"
            else:
                text = json.dumps(value, ensure_ascii=False)
        else:
            text = str(value)
        if a == "LEMMA":
            parts.append("~" + text)
        elif a in ("LOWER", "ORTH", "TEXT", "NORM"):
            parts.append(text)
        else:
            parts.append(f"{a}={text}")
    if not parts:
        parts.append("*")
    return "".join(parts) + str(op or "")


def pattern_summary(pattern: Any) -> str:
    """A short human-readable form of one pattern, for codebook documents.

    ``~word`` means any form of *word* (its lemma); ``(a|b)`` means either;
    ``?``, ``*`` and ``+`` are spaCy's optional/repeat operators; a case-sensitive
    phrase is marked ``(case)``, a veto ``not:``.

    Examples
    --------
    >>> pattern_summary("county lines")
    '"county lines"'
    >>> pattern_summary(
    ...     [{"LEMMA": {"IN": ["divert", "diversion"]}}, {"LOWER": "scheme", "OP": "?"}]
    ... )
    '~(divert|diversion) scheme?'
    >>> pattern_summary({"phrase": "DIVERT", "case": True})
    '"DIVERT" (case)'
    >>> pattern_summary({"exclude": ["false arrest"]})
    'not: "false arrest"'
    """
    if isinstance(pattern, str):
        return f'"{pattern}"'
    if isinstance(pattern, Mapping):
        if "exclude" in pattern:
            inner = pattern["exclude"]
            inner = [inner] if isinstance(inner, str | Mapping) else inner
            if isinstance(inner, list | tuple):
                return "not: " + ", ".join(pattern_summary(p) for p in inner)
            return "not: ?"
        if "phrase" in pattern:
            text = f'"{pattern["phrase"]}"'
            if pattern.get("case"):
                return text + " (case)"
            if pattern.get("lemma") is False:
                return text + " (exact)"
            return text
        return _token_summary(pattern)
    if isinstance(pattern, list | tuple):
        return " ".join(_token_summary(t) for t in pattern if isinstance(t, Mapping))
    return repr(pattern)


# -- one entry ---------------------------------------------------------------------
def _token_problem(pattern: Any, *, validate: bool) -> str | None:
    if not pattern:
        return "an empty token pattern: give at least one token dict"
    if not all(isinstance(t, Mapping) for t in pattern):
        return (
            "every element of a token pattern must be a token dict "
            "such as {LOWER: arrest}"
        )
    if validate:
        errors = token_pattern_errors(pattern)
        if errors:
            try:
                shown = json.dumps(list(pattern))
            except (TypeError, ValueError):
                shown = repr(pattern)
            return f"spaCy rejects the token pattern {shown}: " + "; ".join(errors)
    return None


def _meaning_problem(pattern: Any) -> str | None:
    if not function_words_only(pattern):
        return None
    return (
        f"{pattern_summary(pattern)} can match function words alone (articles, "
        "prepositions, pronouns, conjunctions, auxiliaries; optional tokens count as "
        "absent), so it would suggest the code almost anywhere. Add a content word "
        "('work with the council') or drop it"
    )


def pattern_verdict(
    pattern: Any, *, veto: bool = False, validate: bool = True
) -> tuple[str, str] | None:
    """``("malformed" | "refused", why)`` for a refused entry, None for a valid one.

    "malformed": the entry is not in the grammar; "refused": it is, but it can match
    function words alone (the module notes' rule; vetoes are exempt).

    Examples
    --------
    >>> pattern_verdict("with the")[0], pattern_verdict(42)[0]
    ('refused', 'malformed')
    """
    why = _shape_problem(pattern, veto=veto, validate=validate)
    if why:
        return "malformed", why
    if veto:
        return None
    if isinstance(pattern, Mapping) and "exclude" in pattern:
        return None
    meaning = _meaning_problem(pattern)
    return ("refused", meaning) if meaning else None


def pattern_problem(
    pattern: Any, *, veto: bool = False, validate: bool = True
) -> str | None:
    """Why one entry of a ``patterns`` (or, ``veto=True``, vetoes) list is refused.

    ``validate=False`` skips spaCy's schema check of token patterns (the shape is
    still checked). Returns None for a valid entry.

    Examples
    --------
    >>> pattern_problem("county lines") is None
    True
    >>> pattern_problem({"phrase": "DIVERT", "case": True}) is None
    True
    >>> pattern_problem({"exclude": ["false arrest"]}) is None
    True
    >>> pattern_problem({"LEMMA": "arrest"})[:46]
    'a token pattern must be a list of token dicts,'
    >>> pattern_problem("with the")[:41]
    '"with the" can match function words alone'
    """
    verdict = pattern_verdict(pattern, veto=veto, validate=validate)
    return None if verdict is None else verdict[1]


def _shape_problem(pattern: Any, *, veto: bool, validate: bool) -> str | None:
    """Why ``pattern`` is not in the grammar, or None."""
    if isinstance(pattern, str):
        return None if pattern.strip() else "an empty phrase pattern"
    if isinstance(pattern, Mapping):
        if "exclude" in pattern:
            if veto:
                return "an 'exclude' entry cannot be nested inside another"
            if set(pattern) != {"exclude"}:
                return "an 'exclude' entry has the one key 'exclude' (a list of vetoes)"
            inner = pattern["exclude"]
            if isinstance(inner, str | Mapping):
                inner = [inner]
            if not isinstance(inner, list | tuple) or not inner:
                return "'exclude' must be a non-empty list of veto patterns"
            for k, p in enumerate(inner):
                why = _shape_problem(p, veto=True, validate=validate)
                if why:
                    return f"veto {k + 1} of 'exclude': {why}"
            return None
        if "phrase" in pattern:
            unknown = set(map(str, pattern)) - set(PHRASE_KEYS)
            if unknown:
                return (
                    f"unknown keys {sorted(unknown)} in a phrase mapping "
                    "(use 'phrase', 'case', 'lemma')"
                )
            text = pattern["phrase"]
            if not isinstance(text, str) or not text.strip():
                return "'phrase' must be a non-empty text"
            for key in ("case", "lemma"):
                if key in pattern and not isinstance(pattern[key], bool):
                    return f"'{key}' must be true or false"
            return None
        return (
            "a token pattern must be a list of token dicts, e.g. [{LEMMA: arrest}]; "
            "this one is a single mapping: wrap it in [ ] (or use {phrase: ...} or "
            "{exclude: [...]})"
        )
    if not isinstance(pattern, list | tuple):
        return (
            f"a pattern must be a phrase (text), a phrase mapping, a list of token "
            f"dicts or an exclude mapping; got {type(pattern).__name__}"
        )
    return _token_problem(pattern, validate=validate)


def _bad(code: str, index: int | str, detail: str, where: str = "") -> CodebookError:
    return CodebookError(
        Errors.QC502.format(code=code, where=where, index=index, detail=detail)
    )


def parse_patterns(
    code: str,
    patterns: Any,
    *,
    where: str = "",
    veto: bool = False,
    out: CompiledCode | None = None,
    validate: bool = True,
) -> CompiledCode:
    """Check and parse a code's ``patterns`` entries into phrases, tokens and vetoes.

    Raises :class:`~qualcode.errors.CodebookError` (QC502) for the first entry that
    :func:`pattern_problem` refuses, naming the code and the entry (1-based).

    Examples
    --------
    >>> c = parse_patterns(
    ...     "pursue",
    ...     [
    ...         "arrest",
    ...         [{"LOWER": "county"}, {"LOWER": "lines"}],
    ...         {"exclude": ["false arrest"]},
    ...     ],
    ... )
    >>> [p.text for p in c.phrases], len(c.tokens), [p.text for p in c.veto_phrases]
    (['arrest'], 1, ['false arrest'])
    """
    out = out if out is not None else CompiledCode(code)
    if isinstance(patterns, str | Mapping):
        patterns = [patterns]
    if not isinstance(patterns, Sequence):
        raise _bad(
            code,
            1,
            f"expected a list of patterns, got {type(patterns).__name__}",
            where,
        )
    phrases = out.veto_phrases if veto else out.phrases
    tokens = out.veto_tokens if veto else out.tokens
    for i, p in enumerate(patterns, start=1):
        why = pattern_problem(p, veto=veto, validate=validate)
        if why:
            raise _bad(code, i, why, where)
        if isinstance(p, str):
            phrases.append(Phrase(p.strip()))
        elif isinstance(p, Mapping) and "exclude" in p:
            inner = p["exclude"]
            parse_patterns(
                code,
                [inner] if isinstance(inner, str | Mapping) else list(inner),
                where=where,
                veto=True,
                out=out,
                validate=validate,
            )
        elif isinstance(p, Mapping):
            case = bool(p.get("case", False))
            lemma = bool(p.get("lemma", not case)) and not case
            phrases.append(Phrase(str(p["phrase"]).strip(), lemma=lemma, case=case))
        else:
            tokens.append(Tokens(tuple(dict(t) for t in p)))
    return out
