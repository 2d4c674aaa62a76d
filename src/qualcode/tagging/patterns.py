"""The pattern tagger: a codebook's patterns compiled into spaCy matchers.

:class:`PatternTagger` compiles every code's ``patterns`` into spaCy matchers
(``PhraseMatcher`` on ``LOWER`` with lemma variants, ``PhraseMatcher`` on ``ORTH``
for case-sensitive phrases, ``PhraseMatcher`` on ``LEMMA`` for non-lookup
lemmatizers, and ``Matcher`` s for token patterns). The pattern grammar is the one
of :mod:`qualcode._grammar` (shared with codebook validation); compiling the
patterns for speed (lemma variants, anchors) is :mod:`qualcode.tagging._compile`.

Scores. Each hit of a pattern weighs ``w = (1 - 0.6 ** n) / k`` where ``n`` is the
number of tokens matched and ``k`` the number of codes that list the same pattern
(a pattern shared by two codes says half as much about either). A unit's score for a
code is the noisy-or ``1 - prod(1 - w_i)`` over its hits (hits inside a longer hit of
the same code are not counted twice). So one word scores 0.40, two different words
0.64, a two-word phrase 0.64, and every further hit raises the score towards 1.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode._grammar import CompiledCode, Phrase, Tokens, parse_patterns
from qualcode._nlp import load_nlp
from qualcode.errors import CodebookError, Errors
from qualcode.tagging._compile import (
    LEXICAL_ATTRS,
    anchor_neighbours,
    anchor_window,
    combine_scores,
    hit_weight,
    lemma_mode,
    lookup_table,
    pattern_key,
    phrase_variants,
    required_words,
    rewrite_lemma_tokens,
    token_attrs,
    token_phrases,
)
from qualcode.tagging._exclude import exclude_patterns_of
from qualcode.tagging._units import sentencizer_of

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from qualcode.codebook import Codebook

__all__ = ["PatternTagger", "exclude_patterns_of"]

_SEP = "\x1f"


def _as_list(patterns: Any) -> list[Any]:
    """One pattern (a phrase or a mapping) or a list of them, as a list."""
    if isinstance(patterns, str | Mapping):
        return [patterns]
    return list(patterns)


class PatternTagger:
    """Suggest codes from the codebook's patterns, the way spaCy's ``Matcher`` works.

    Parameters
    ----------
    codebook : Codebook, optional
        Every code's ``patterns`` (and veto patterns, see
        :mod:`qualcode._grammar`) are compiled. Codes without patterns
        are skipped.
    nlp : Language or str, optional
        The spaCy pipeline (default: offline blank English + sentencizer + lookup
        lemmatizer).
    validate : bool
        Validate token patterns against spaCy's schema (raises :class:`CodebookError`).
    name : str
        The tagger's name; suggestions record ``version`` (``name:digest``).

    Examples
    --------
    >>> from qualcode.codebook import Codebook
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "patterns": ["arrest"]}]}
    ... )
    >>> tagger = PatternTagger(cb)
    >>> len(tagger), "pursue" in tagger
    (1, True)
    >>> doc = tagger.nlp("Officers arrested two men. Arrests rose.")
    >>> [(span.text, span.label_) for span in tagger(doc)]
    [('arrested', 'pursue'), ('Arrests', 'pursue')]
    """

    def __init__(
        self,
        codebook: Codebook | None = None,
        *,
        nlp: Language | str | None = None,
        validate: bool = True,
        name: str = "patterns",
    ) -> None:
        from spacy.attrs import LOWER
        from spacy.matcher import Matcher, PhraseMatcher

        self._lower_attr = LOWER
        self.nlp = load_nlp(nlp)
        self.name = str(name)
        self.validate = bool(validate)
        self.codebook = codebook
        self.lemma_mode = lemma_mode(self.nlp)
        self._table = lookup_table(self.nlp) if self.lemma_mode == "lookup" else None
        vocab = self.nlp.vocab
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._lemma = PhraseMatcher(vocab, attr="LEMMA")
        self._tokens = Matcher(vocab, validate=self.validate)  # patterns without anchor
        # Token patterns with an anchor (a required token from a finite set of words)
        # run one Matcher each, only on windows around their anchor words: spaCy's
        # Matcher evaluates IN-sets in Python, so running ~250 such patterns over
        # every token would be ~50x slower than the tokenizer. The anchor words are
        # found by the LOWER PhraseMatcher itself (labels not in ``_keys``), in the
        # same pass as the phrases.
        # (matcher, tokens a match reaches before / after its anchor (None: any),
        # LOWER hashes the tokens just before / after the anchor must have or None,
        # LOWER hash sets a window must hold one token of each for a match)
        self._anchored: list[
            tuple[
                Any,
                int | None,
                int | None,
                frozenset[int] | None,
                frozenset[int] | None,
                tuple[frozenset[int], ...],
            ]
        ] = []
        self._anchor_index: dict[int, list[int]] = {}  # anchor label -> patterns
        self._stop_words = frozenset(getattr(self.nlp.Defaults, "stop_words", ()))
        self._compiled: dict[str, CompiledCode] = {}
        self._keys: dict[int, tuple[str, str, bool]] = {}
        self._shared: Counter[str] = Counter()
        self._spec: list[Any] = []
        self.needs_lemmas = False
        self.needs_pipeline = False
        if codebook is not None:
            where_base = (
                f" in codebook '{codebook.name}'"
                if getattr(codebook, "name", "")
                else ""
            )
            for code in codebook:
                pats, vetoes = list(code.patterns), exclude_patterns_of(code)
                if pats or vetoes:
                    line = (
                        f" ({code.source}, line {code.line})"
                        if getattr(code, "line", None)
                        else ""
                    )
                    self.add(code.id, pats, exclude=vetoes, _where=where_base + line)

    # -- Matcher-like protocol ------------------------------------------------
    def __len__(self) -> int:
        return len(self._compiled)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._compiled

    def __repr__(self) -> str:
        return f"PatternTagger(codes={len(self)}, version={self.version!r})"

    @property
    def codes(self) -> list[str]:
        """Code ids with patterns, in the order they were added."""
        return list(self._compiled)

    @property
    def version(self) -> str:
        """``name:digest``; the digest covers the patterns and the lemma strategy."""
        payload = json.dumps(
            [self.lemma_mode, self.nlp.lang, self._spec], sort_keys=True, default=str
        )
        return f"{self.name}:{hashlib.sha256(payload.encode('utf-8')).hexdigest()[:12]}"

    def add(
        self,
        code_id: str,
        patterns: Sequence[Any],
        *,
        exclude: Sequence[Any] = (),
        _where: str = "",
    ) -> None:
        """Add patterns (and veto patterns) for ``code_id``; see the pattern grammar.

        Examples
        --------
        >>> tagger = PatternTagger()
        >>> tagger.add(
        ...     "harm",
        ...     [[{"LOWER": "county"}, {"LOWER": "lines"}]],
        ...     exclude=["no county lines"],
        ... )
        >>> [s.text for s in tagger(tagger.nlp("County lines exploit children."))]
        ['County lines']
        """
        code_id = str(code_id)
        patterns = _as_list(patterns)
        exclude = _as_list(exclude)
        check = self.validate
        compiled = parse_patterns(code_id, patterns, where=_where, validate=check)
        if exclude:
            parse_patterns(
                code_id, exclude, where=_where, veto=True, out=compiled, validate=check
            )
        target = self._compiled.setdefault(code_id, CompiledCode(code_id))
        n0 = len(self._keys)
        for veto, phrases, tokens in (
            (False, compiled.phrases, compiled.tokens),
            (True, compiled.veto_phrases, compiled.veto_tokens),
        ):
            for i, phrase in enumerate(phrases):
                self._add_phrase(code_id, phrase, veto, f"{n0}.{int(veto)}.p{i}")
            for i, tok in enumerate(tokens):
                self._add_tokens(
                    code_id, tok, veto, f"{n0}.{int(veto)}.t{i}", _where, i
                )
        target.phrases += compiled.phrases
        target.tokens += compiled.tokens
        target.veto_phrases += compiled.veto_phrases
        target.veto_tokens += compiled.veto_tokens
        self._spec.append([code_id, patterns, exclude])

    def _label(self, code_id: str, pkey: str, veto: bool, tag: str) -> str:
        label = f"{code_id}{_SEP}{tag}"
        self._keys[self.nlp.vocab.strings.add(label)] = (code_id, pkey, veto)
        if not veto:
            self._shared[pkey] += 1
        return label

    def _add_phrase(self, code_id: str, phrase: Phrase, veto: bool, tag: str) -> None:
        pkey = pattern_key(phrase, self.nlp, self._table)
        label = self._label(code_id, pkey, veto, tag)
        make = self.nlp.make_doc
        if phrase.case:
            self._orth.add(label, [make(phrase.text)])
            return
        variants = phrase_variants(phrase, self.nlp, self._table)
        self._lower.add(label, [make(v) for v in variants])
        if phrase.lemma and self.lemma_mode == "pipeline":
            self._lemma.add(label, [self.nlp(phrase.text.lower())])
            self.needs_lemmas = True

    def _add_tokens(
        self, code_id: str, tok: Tokens, veto: bool, tag: str, where: str, index: int
    ) -> None:
        pkey = pattern_key(tok, self.nlp, self._table)
        attrs = token_attrs(tok)
        run = tok
        if "LEMMA" in attrs and self._table is not None:
            rewritten = rewrite_lemma_tokens(tok, self._table, str(self.nlp.lang))
            if rewritten is not None:
                run, attrs = rewritten, token_attrs(rewritten)
        label = self._label(code_id, pkey, veto, tag)
        anchor, before, after = anchor_window(run, self._stop_words)
        sequences = token_phrases(run)
        try:
            if sequences is not None:  # plain LOWER words: a PhraseMatcher does it
                from spacy.tokens import Doc

                vocab = self.nlp.vocab
                self._lower.add(
                    label, [Doc(vocab, words=list(seq)) for seq in sequences]
                )
            elif anchor is None:
                self._tokens.add(label, [[dict(t) for t in run.pattern]])
            else:
                from spacy.matcher import Matcher

                matcher = Matcher(self.nlp.vocab, validate=self.validate)
                matcher.add(label, [[dict(t) for t in run.pattern]])
                k = len(self._anchored)
                strings = self.nlp.vocab.strings
                left, right = (
                    None if ws is None else frozenset(strings.add(w) for w in ws)
                    for ws in anchor_neighbours(run, self._stop_words)
                )
                needed = tuple(
                    frozenset(strings.add(w) for w in ws)
                    for ws in required_words(run)
                    if ws != anchor
                )
                self._anchored.append((matcher, before, after, left, right, needed))
                self._add_anchor_words(anchor, k)
        except (ValueError, TypeError, KeyError) as exc:
            del self._keys[self.nlp.vocab.strings[label]]
            if not veto:
                self._shared[pkey] -= 1
            detail = " ".join(str(exc).split())[:300]
            raise CodebookError(
                Errors.QC502.format(
                    code=code_id, where=where, index=index, detail=detail
                )
            ) from None
        if "LEMMA" in attrs:
            self.needs_lemmas = True
        if attrs - LEXICAL_ATTRS - {"LEMMA"}:
            self.needs_pipeline = True

    def _add_anchor_words(self, words: Iterable[str], k: int) -> None:
        """Find ``words`` (lower-cased) with the LOWER PhraseMatcher for pattern k."""
        from spacy.tokens import Doc

        vocab = self.nlp.vocab
        for form in sorted(words):
            if not form:
                continue
            label = f"{_SEP}{_SEP}anchor{_SEP}{form}"
            mid = vocab.strings.add(label)
            if mid not in self._anchor_index:
                self._anchor_index[mid] = []
                self._lower.add(label, [Doc(vocab, words=[form])])
            self._anchor_index[mid].append(k)

    # -- matching -------------------------------------------------------------
    def matches(self, doc: Doc) -> list[tuple[int, int, str, str, bool]]:
        """Raw hits ``(token_start, token_end, code, pattern_key, is_veto)``, sorted."""
        out: list[tuple[int, int, str, str, bool]] = []
        keys = self._keys
        anchors: list[tuple[int, int]] = []
        if len(self._lower):
            get = keys.get
            for mid, s, e in self._lower(doc):
                k = get(mid)
                if k is None:  # an anchor word of token patterns
                    anchors.append((s, mid))
                else:
                    out.append((s, e, *k))
        for matcher in (self._orth, self._lemma, self._tokens):
            if len(matcher):
                for mid, s, e in matcher(doc):
                    out.append((s, e, *keys[mid]))
        if anchors:
            self._anchored_matches(doc, anchors, out)
        out.sort()
        return out

    def _anchored_matches(
        self,
        doc: Doc,
        anchors: list[tuple[int, int]],
        out: list[tuple[int, int, str, str, bool]],
    ) -> None:
        """Run anchored token patterns on windows around their anchor words.

        ``anchors``: ``(token, anchor label)`` of every anchor word in ``doc``.
        """
        n = len(doc)
        windows: dict[int, list[list[int]]] = {}
        index = self._anchor_index
        anchored = self._anchored
        anchors.sort()
        lower: list[int] = doc.to_array(self._lower_attr).tolist()
        present: set[int] | None = None  # the doc's LOWER hashes, if needed
        # pattern -> whether the doc holds a word of each of its required slots
        possible: dict[int, bool] = {}
        for i, h in anchors:
            for k in index[h]:
                _m, before, after, left, right, needed = anchored[k]
                if needed:
                    ok = possible.get(k)
                    if ok is None:
                        if present is None:
                            present = set(lower)
                        ok = possible[k] = not any(
                            present.isdisjoint(ws) for ws in needed
                        )
                    if not ok:
                        continue  # a word every match needs is not in the doc
                if left is not None or right is not None:
                    if (left is not None and (i == 0 or lower[i - 1] not in left)) or (
                        right is not None and (i + 1 >= n or lower[i + 1] not in right)
                    ):
                        continue  # the neighbours rule out a match around this anchor
                s = 0 if before is None or before >= i else i - before
                e = n if after is None else min(n, i + after + 1)
                if needed:
                    here = set(lower[s:e])
                    if any(here.isdisjoint(ws) for ws in needed):
                        continue  # a word every match needs is not in the window
                wins = windows.setdefault(k, [])
                if wins and s <= wins[-1][1]:
                    wins[-1][1] = max(wins[-1][1], e)  # overlapping windows merge
                else:
                    wins.append([s, e])
        keys = self._keys
        for k, wins in windows.items():
            matcher = anchored[k][0]
            for s, e in wins:
                for mid, a, b in matcher(doc[s:e]):
                    code, pkey, veto = keys[mid]
                    out.append((s + a, s + b, code, pkey, veto))

    def __call__(self, doc: Doc) -> list[Span]:
        """Spans labelled with code ids, after vetoes (per sentence if any)."""
        from spacy.tokens import Span

        hits = self.matches(doc)
        if doc.has_annotation("SENT_START"):
            bounds = [(s.start, s.end) for s in doc.sents]
        else:
            bounds = [(0, len(doc))]
        starts = [b[0] for b in bounds]
        vetoed = {
            (bisect.bisect_right(starts, s) - 1, code)
            for s, _e, code, _k, veto in hits
            if veto
        }
        seen: set[tuple[int, int, str]] = set()
        spans = []
        for s, e, code, _k, veto in hits:
            if (
                veto
                or (bisect.bisect_right(starts, s) - 1, code) in vetoed
                or (s, e, code) in seen
            ):
                continue
            seen.add((s, e, code))
            spans.append(Span(doc, s, e, label=code))
        return spans

    def score_hits(
        self, hits: Sequence[tuple[int, int, str, str, bool]]
    ) -> dict[str, tuple[float, list[tuple[int, int]]]]:
        """Per code: ``(score, kept hit token spans)`` from one unit's hits.

        Codes with a veto hit in the unit are dropped.
        """
        vetoed = {h[2] for h in hits if h[4]}
        by_code: dict[str, list[tuple[int, int, str]]] = {}
        for s, e, code, pkey, veto in hits:
            if not veto and code not in vetoed:
                by_code.setdefault(code, []).append((s, e, pkey))
        out = {}
        shared = self._shared
        for code, lst in by_code.items():
            if len(lst) == 1:  # the usual case: one hit
                s, e, pkey = lst[0]
                w = hit_weight(e - s, shared.get(pkey, 1))
                out[code] = (combine_scores((w,)), [(s, e)])
                continue
            lst.sort(key=lambda h: (h[0], -(h[1] - h[0])))
            kept: list[tuple[int, int, str]] = []
            for s, e, pkey in lst:
                if any(ks <= s and e <= ke for ks, ke, _ in kept):
                    continue  # inside a longer hit of the same code
                kept.append((s, e, pkey))
            score = combine_scores(
                [hit_weight(e - s, shared.get(pkey, 1)) for s, e, pkey in kept]
            )
            out[code] = (score, [(s, e) for s, e, _ in kept])
        return out

    def _fast(self, unit: str) -> bool:
        if self.needs_pipeline or self.needs_lemmas:
            return False
        return unit == "turn" or sentencizer_of(self.nlp) is not None
