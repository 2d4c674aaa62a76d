"""Assisted tagging with spaCy: patterns, a learned tagger, review and evaluation.

* :class:`PatternTagger` compiles every code's ``patterns`` into spaCy matchers
  (``PhraseMatcher`` on ``LOWER`` with lemma variants, ``PhraseMatcher`` on ``ORTH``
  for case-sensitive phrases, ``PhraseMatcher`` on ``LEMMA`` for non-lookup
  lemmatizers, and a ``Matcher`` for token patterns). The pattern grammar is
  documented in :mod:`qualcode._tagging_patterns`.
* :func:`suggest` streams a corpus or project through the tagger and returns one row
  per (unit, code): the unit's offsets, a score, the matched words as evidence and
  the tagger's name and version.
* :class:`LearnedTagger` trains a spaCy ``textcat_multilabel`` on a coder's codings
  and reports its cross-validated quality per code.
* :func:`review` turns a coder's accept/reject decisions into codings and a log.
* :func:`evaluate` measures suggestions against a coder's codings per code.

Units are sentences inside turns or whole turns, exactly as :func:`qualcode._nlp.units`
builds them (the same units agreement uses). Offsets come from spaCy token offsets
plus the turn's start; text is never searched again.

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
import itertools
import json
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode._columns import EVALUATION, SUGGESTIONS, frame, names
from qualcode._nlp import UNITS, load_nlp
from qualcode._tagging_learned import LearnedTagger
from qualcode._tagging_patterns import (
    LEXICAL_ATTRS,
    CompiledCode,
    Phrase,
    Tokens,
    anchor_neighbours,
    anchor_window,
    combine_scores,
    hit_weight,
    lemma_mode,
    lookup_table,
    parse_patterns,
    pattern_key,
    phrase_variants,
    rewrite_lemma_tokens,
    token_attrs,
    token_phrases,
)
from qualcode._tagging_units import (
    as_transcripts,
    batch_arrays,
    is_project,
    punct_hashes,
    role_set,
    sentencizer_of,
    token_arrays,
    trimmed_span,
)
from qualcode._validation import check_choice, require_columns
from qualcode.errors import (
    CodebookError,
    Errors,
    InvalidInputError,
    TaggingError,
    UndefinedStatisticWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from qualcode.codebook import Codebook

__all__ = [
    "LearnedTagger",
    "PatternTagger",
    "evaluate",
    "iter_suggestions",
    "review",
    "suggest",
]

_SEP = "\x1f"


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


class PatternTagger:
    """Suggest codes from the codebook's patterns, the way spaCy's ``Matcher`` works.

    Parameters
    ----------
    codebook : Codebook, optional
        Every code's ``patterns`` (and veto patterns, see
        :mod:`qualcode._tagging_patterns`) are compiled. Codes without patterns
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
        from spacy.matcher import Matcher, PhraseMatcher

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
        # LOWER hashes the tokens just before / after the anchor must have or None)
        self._anchored: list[
            tuple[Any, int | None, int | None, frozenset[int] | None, Any]
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
        compiled = parse_patterns(code_id, list(patterns), where=_where)
        if exclude:
            parse_patterns(
                code_id, list(exclude), where=_where, veto=True, out=compiled
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
        self._spec.append([code_id, list(patterns), list(exclude)])

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
        if self.validate:  # check the pattern as written, before any rewriting
            self._check_tokens(code_id, tok, where, index)
        if "LEMMA" in attrs and self._table is not None:
            rewritten = rewrite_lemma_tokens(tok, self._table, self.nlp.lang)
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
                self._tokens.add(label, [list(run.pattern)])
            else:
                from spacy.matcher import Matcher

                matcher = Matcher(self.nlp.vocab, validate=self.validate)
                matcher.add(label, [list(run.pattern)])
                k = len(self._anchored)
                strings = self.nlp.vocab.strings
                left, right = (
                    None if ws is None else frozenset(strings.add(w) for w in ws)
                    for ws in anchor_neighbours(run, self._stop_words)
                )
                self._anchored.append((matcher, before, after, left, right))
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

    def _check_tokens(self, code_id: str, tok: Tokens, where: str, index: int) -> None:
        from spacy.matcher import Matcher

        try:
            Matcher(self.nlp.vocab, validate=True).add("check", [list(tok.pattern)])
        except (ValueError, TypeError, KeyError) as exc:
            detail = " ".join(str(exc).split())[:300]
            raise CodebookError(
                Errors.QC502.format(
                    code=code_id, where=where, index=index, detail=detail
                )
            ) from None

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
        for i, h in anchors:
            for k in index[h]:
                _m, before, after, left, right = anchored[k]
                if (left is not None and (i == 0 or doc[i - 1].lower not in left)) or (
                    right is not None and (i + 1 >= n or doc[i + 1].lower not in right)
                ):
                    continue  # the neighbours rule out a match around this anchor
                s = 0 if before is None or before >= i else i - before
                e = n if after is None else min(n, i + after + 1)
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


# -- suggestions ----------------------------------------------------------------
class _Excluder:
    """Per (transcript, code): intervals coded or rejected by one coder."""

    def __init__(self, project: Any, coder: str) -> None:
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


def _as_codebook(codebook: Any) -> Any:
    from qualcode.codebook import Codebook

    if codebook is None or isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, (str, bytes)) or hasattr(codebook, "__fspath__"):
        return Codebook.load(codebook)
    if isinstance(codebook, Iterable):
        books = [_as_codebook(c) for c in codebook]
        combine = getattr(Codebook, "combine", None)
        if combine is not None:
            return combine(*books)
        return Codebook(
            [c for b in books for c in b], name="+".join(b.name for b in books)
        )
    raise InvalidInputError(
        Errors.QC101.format(
            param="codebook",
            caller="suggest",
            expected="a Codebook, a path or a list of them",
            got=type(codebook).__name__,
        )
    )


def _columns_dict() -> dict[str, list[Any]]:
    return {n: [] for n in names(SUGGESTIONS)}


def _iter_chunks(
    tagger: PatternTagger,
    transcripts: Iterable[Any],
    *,
    unit: str,
    roles: tuple[str | None, ...],
    min_score: float,
    batch_size: int,
    n_process: int,
    excluder: _Excluder | None,
    progress: bool,
    chunk_rows: int = 50_000,
) -> Iterator[dict[str, list[Any]]]:
    """Stream column chunks of suggestions (compact lists, ``chunk_rows`` rows each)."""
    version = tagger.version
    cols = _columns_dict()
    role_ok = set(roles)
    if progress:
        from tqdm.auto import tqdm

        transcripts = tqdm(transcripts, desc="suggest", unit="transcript")

    def emit(
        tid: str,
        turn: int,
        offset: int,
        turn_text: str,
        idx: list[int],
        length: list[int],
        s_rel: int,
        e_rel: int,
        hits: list[tuple[int, int, str, str, bool]],
        base: int = 0,
    ) -> None:
        scored = tagger.score_hits(hits)
        if not scored:
            return
        start, end = offset + s_rel, offset + e_rel
        text = None
        items = scored.items()
        if len(scored) > 1:
            items = sorted(items, key=lambda kv: (-kv[1][0], kv[0]))
        for code, (score, spans) in items:
            if score < min_score or (
                excluder is not None and excluder(tid, code, start, end)
            ):
                continue
            if text is None:
                text = turn_text[s_rel:e_rel]
            if len(spans) == 1:
                s, e = spans[0]
                s, e = s + base, e + base
                evidence = turn_text[idx[s] : idx[e - 1] + length[e - 1]]
            else:
                ev: list[str] = []
                seen: set[str] = set()
                for s, e in spans:
                    s, e = s + base, e + base
                    w = turn_text[idx[s] : idx[e - 1] + length[e - 1]]
                    if w.lower() not in seen:
                        seen.add(w.lower())
                        ev.append(w)
                evidence = "; ".join(ev)
            cols["transcript_id"].append(tid)
            cols["start"].append(start)
            cols["end"].append(end)
            cols["code"].append(code)
            cols["score"].append(round(score, 6))
            cols["evidence"].append(evidence)
            cols["tagger"].append(version)
            cols["unit"].append(unit)
            cols["turn"].append(turn)
            cols["text"].append(text)

    def flush_if(full: bool) -> Iterator[dict[str, list[Any]]]:
        nonlocal cols
        if cols["start"] and (full or len(cols["start"]) >= chunk_rows):
            out, cols = cols, _columns_dict()
            yield out

    if tagger._fast(unit):
        punct = None
        if unit == "sentence":
            punct = punct_hashes(sentencizer_of(tagger.nlp), tagger.nlp.vocab)
        matches = tagger.matches
        bisect_right = bisect.bisect_right
        for batch in _tokenized_batches(
            tagger.nlp, transcripts, role_ok, batch_size, n_process
        ):
            found = []
            for doc, meta in batch:
                hits = matches(doc)
                if hits:
                    found.append((doc, meta, hits))
            if not found:
                continue
            # token offsets and sentence starts of every doc with a hit, in one go
            starts, idx, length, offsets = batch_arrays([f[0] for f in found], punct)
            n_starts, n_tokens = len(starts), len(idx)
            for (_doc, (tid, turn, offset, turn_text), hits), base in zip(
                found, offsets, strict=True
            ):
                groups: dict[int, list[tuple[int, int, str, str, bool]]] = {}
                for h in hits:
                    k = bisect_right(starts, base + h[0]) - 1
                    if k in groups:
                        groups[k].append(h)
                    else:
                        groups[k] = [h]
                for k, hs in groups.items():
                    t_end = starts[k + 1] if k + 1 < n_starts else n_tokens
                    s_rel, e_rel = trimmed_span(
                        turn_text, idx, length, starts[k], t_end
                    )
                    if s_rel < e_rel:
                        emit(
                            tid,
                            turn,
                            offset,
                            turn_text,
                            idx,
                            length,
                            s_rel,
                            e_rel,
                            hs,
                            base,
                        )
                yield from flush_if(False)
    else:
        from qualcode._nlp import iter_units

        for doc, turn, offset, tid, units in _grouped_units(
            iter_units(
                transcripts,
                unit,
                roles=roles,
                nlp=tagger.nlp,
                batch_size=batch_size,
                docs=True,
            )
        ):
            hits = tagger.matches(doc)
            if not hits:
                continue
            ustarts = [u[0] for u in units]
            groups = {}
            for h in hits:
                k = bisect.bisect_right(ustarts, h[0]) - 1
                if k >= 0 and h[0] < units[k][1]:
                    groups.setdefault(k, []).append(h)
            turn_text = doc.text
            _starts, idx, length = token_arrays(doc, None)
            for k, hs in groups.items():
                _ts, _te, s_abs, e_abs = units[k]
                rel = (s_abs - offset, e_abs - offset)
                emit(tid, turn, offset, turn_text, idx, length, *rel, hs)
            yield from flush_if(False)
    yield from flush_if(True)


_GROUP = 64  # docs matched together (see _tokenized_batches)


def _tokenized_batches(
    nlp: Language,
    transcripts: Iterable[Any],
    roles: set[str | None],
    batch_size: int,
    n_process: int,
) -> Iterator[list[tuple[Doc, tuple[str, int, int, str]]]]:
    """Groups of tokenizer-only docs of chosen turns, with ``(id, turn, start, text)``.

    spaCy streams with ``batch_size``; the docs are handed on in groups of at most
    ``_GROUP``: a group is tokenized before any of it is matched (the tokenizer's
    and the matchers' tables each stay warm in the CPU cache), and small groups
    keep few docs alive at once (a thousand live docs get promoted by the garbage
    collector and trigger full collections of the whole heap).
    """

    def turns() -> Iterator[tuple[str, tuple[str, int, int, str]]]:
        for tr in transcripts:
            for turn in tr.turns:
                if turn.role in roles:
                    yield turn.text, (tr.id, turn.index, turn.start, turn.text)

    batch_size = max(int(batch_size), 1)
    size = min(batch_size, _GROUP)
    if n_process > 1:
        docs = nlp.pipe(
            turns(),
            as_tuples=True,
            batch_size=batch_size,
            n_process=n_process,
            disable=list(nlp.pipe_names),
        )
        while batch := list(itertools.islice(docs, size)):
            yield batch
        return
    tok = nlp.tokenizer
    items = turns()
    while batch := list(itertools.islice(items, size)):
        yield list(
            zip(
                tok.pipe([t for t, _ in batch], batch_size=batch_size),
                [c for _, c in batch],
                strict=True,
            )
        )


def _grouped_units(
    rows: Iterable[dict[str, Any]],
) -> Iterator[tuple[Any, int, int, str, list[tuple[int, int, int, int]]]]:
    """Group ``iter_units(docs=True)`` rows by their turn's doc."""
    cur = None
    units: list[tuple[int, int, int, int]] = []
    meta: tuple[int, int, str] = (0, 0, "")
    for row in rows:
        doc = row["doc"]
        if doc is not cur:
            if cur is not None:
                yield cur, *meta, units
            cur, units = doc, []
            meta = (row["turn"], row["offset"], row["transcript_id"])
        span = row["span"]
        units.append((span.start, span.end, row["start"], row["end"]))
    if cur is not None:
        yield cur, *meta, units


def _prepare(
    corpus_or_project: Any,
    codebook: Any,
    *,
    unit: str,
    nlp: Any,
    tagger: Any,
    roles: Any,
    include_interviewer: bool,
    exclude_coded_by: str | None,
    project: Any,
    caller: str,
):
    check_choice(unit, UNITS, param="unit", caller=caller)
    codebook = _as_codebook(codebook)
    if tagger is None:
        if codebook is None:
            raise TaggingError(
                Errors.QC509.format(
                    caller=caller, detail="pass a codebook (with patterns) or tagger=."
                )
            )
        tagger = PatternTagger(codebook, nlp=nlp)
    elif not isinstance(tagger, (PatternTagger, LearnedTagger)):
        raise TaggingError(
            Errors.QC512.format(caller=caller, tagger=type(tagger).__name__)
        )
    transcripts, proj = as_transcripts(corpus_or_project, caller=caller)
    proj = project if project is not None else proj
    excluder = None
    if exclude_coded_by is not None:
        if proj is None or not is_project(proj):
            raise TaggingError(
                Errors.QC504.format(caller=caller, coder=exclude_coded_by)
            )
        excluder = _Excluder(proj, str(exclude_coded_by))
    return tagger, transcripts, excluder, role_set(roles, include_interviewer)


def iter_suggestions(
    corpus_or_project: Any,
    codebook: Any = None,
    *,
    unit: str = "sentence",
    nlp: Any = None,
    tagger: Any = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    min_score: float = 0.0,
    batch_size: int = 512,
    n_process: int = 1,
    exclude_coded_by: str | None = None,
    project: Any = None,
    progress: bool = False,
    chunk_rows: int = 50_000,
) -> Iterator[pd.DataFrame]:
    """Like :func:`suggest`, yielding DataFrames of at most ``chunk_rows`` rows.

    Memory stays flat however large the corpus: only one chunk is held at a time.

    Examples
    --------
    >>> from qualcode.codebook import Codebook
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "patterns": ["arrest"]}]}
    ... )
    >>> t = Transcript.build(
    ...     "t1", [TurnDraft("We arrest people.", "P1", "participant")]
    ... )
    >>> [len(chunk) for chunk in iter_suggestions([t], cb)]
    [1]
    """
    tagger, transcripts, excluder, roles_ = _prepare(
        corpus_or_project,
        codebook,
        unit=unit,
        nlp=nlp,
        tagger=tagger,
        roles=roles,
        include_interviewer=include_interviewer,
        exclude_coded_by=exclude_coded_by,
        project=project,
        caller="iter_suggestions",
    )
    if isinstance(tagger, LearnedTagger):
        yield tagger.suggest(
            transcripts,
            unit=unit,
            roles=roles_,
            min_score=min_score,
            batch_size=batch_size,
            excluder=excluder,
        )
        return
    import pandas as pd

    for chunk in _iter_chunks(
        tagger,
        transcripts,
        unit=unit,
        roles=roles_,
        min_score=min_score,
        batch_size=batch_size,
        n_process=n_process,
        excluder=excluder,
        progress=progress,
        chunk_rows=chunk_rows,
    ):
        yield frame(pd.DataFrame(chunk), SUGGESTIONS)


def suggest(
    corpus_or_project: Any,
    codebook: Any = None,
    *,
    unit: str = "sentence",
    nlp: Any = None,
    tagger: Any = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    min_score: float = 0.0,
    batch_size: int = 512,
    n_process: int = 1,
    exclude_coded_by: str | None = None,
    project: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Suggest codes for units (sentences or turns) of a corpus or project.

    Parameters
    ----------
    corpus_or_project : Corpus, iterable of Transcript, or Project
    codebook : Codebook, path, or list of them
        Compiled into a :class:`PatternTagger` unless ``tagger`` is given.
    unit : {"sentence", "turn"}
        Sentences inside turns, or whole turns (the units of
        :func:`qualcode._nlp.units`).
    nlp : Language or str, optional
        spaCy pipeline for the default PatternTagger (offline default when None).
    tagger : PatternTagger or LearnedTagger, optional
    roles : iterable of str or None, optional
        Turn roles to tag. Default: participant turns and turns of unknown role.
    include_interviewer : bool
        Also tag interviewer turns.
    min_score : float
        Drop suggestions scoring below this.
    batch_size, n_process : int
        Passed to spaCy's streaming (``n_process`` > 1 tokenizes in worker processes).
    exclude_coded_by : str, optional
        A coder: units that coder already coded with the code (an overlapping coding),
        or rejected for that code (decision log), are not offered again. Needs a
        project.
    project : Project, optional
        The project for ``exclude_coded_by`` when ``corpus_or_project`` is not one.
    progress : bool
        Show a tqdm progress bar over transcripts.

    Returns
    -------
    pandas.DataFrame
        Schema ``_columns.SUGGESTIONS``: ``transcript_id, start, end, code, score,
        evidence, tagger, unit, turn, text``; ``[start, end)`` is the unit, ``evidence``
        the matched words (``"arrested; drug dealers"``), ``score`` in [0, 1] (see the
        module notes), ``tagger`` the tagger's ``name:version``.

    Examples
    --------
    >>> from qualcode.codebook import Codebook
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = Codebook.from_dict(
    ...     {
    ...         "codes": [
    ...             {
    ...                 "id": "pursue",
    ...                 "label": "Pursue",
    ...                 "patterns": ["arrest", "drug dealer"],
    ...             }
    ...         ]
    ...     }
    ... )
    >>> t = Transcript.build(
    ...     "t1",
    ...     [
    ...         TurnDraft("Why?", "I", "interviewer"),
    ...         TurnDraft(
    ...             "We arrested drug dealers. Then we left.", "P1", "participant"
    ...         ),
    ...     ],
    ... )
    >>> s = suggest([t], cb)
    >>> s[["start", "end", "code", "score", "evidence"]].values.tolist()
    [[13, 38, 'pursue', 0.784, 'arrested; drug dealers']]
    >>> t.text[13:38]
    'We arrested drug dealers.'
    """
    import pandas as pd

    tagger, transcripts, excluder, roles_ = _prepare(
        corpus_or_project,
        codebook,
        unit=unit,
        nlp=nlp,
        tagger=tagger,
        roles=roles,
        include_interviewer=include_interviewer,
        exclude_coded_by=exclude_coded_by,
        project=project,
        caller="suggest",
    )
    if isinstance(tagger, LearnedTagger):
        return tagger.suggest(
            transcripts,
            unit=unit,
            roles=roles_,
            min_score=min_score,
            batch_size=batch_size,
            excluder=excluder,
            progress=progress,
        )
    cols = _columns_dict()
    for chunk in _iter_chunks(
        tagger,
        transcripts,
        unit=unit,
        roles=roles_,
        min_score=min_score,
        batch_size=batch_size,
        n_process=n_process,
        excluder=excluder,
        progress=progress,
    ):
        for k, v in chunk.items():
            cols[k].extend(v)
    return frame(pd.DataFrame(cols), SUGGESTIONS)


# -- review ---------------------------------------------------------------------
_ACCEPT = {"accepted", "accept", "yes", "y", "true", "1", "x", "ok", "✓", "+"}
_REJECT = {"rejected", "reject", "no", "n", "false", "0", "-", "✗"}


def _normalise_decision(value: Any) -> str | None:
    import numpy as np

    if value is None or (not isinstance(value, str) and _isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "accepted" if bool(value) else "rejected"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "accepted" if value == 1 else "rejected" if value == 0 else "?"
    v = str(value).strip().lower()
    if not v:
        return None
    if v in _ACCEPT:
        return "accepted"
    if v in _REJECT:
        return "rejected"
    return "?"


def _int_col(df: pd.DataFrame, col: str, caller: str) -> list[int]:
    import pandas as pd

    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() | (vals != vals.round())
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InvalidInputError(
            Errors.QC509.format(
                caller=caller,
                detail=f"row {i}: column '{col}' holds {df[col].iloc[i]!r}, "
                "not a whole-number offset. "
                "Do not edit the offsets of suggestions.",
            )
        )
    return [int(v) for v in vals]


def review(
    project: Any,
    suggestions: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    coder: str | None = None,
) -> dict[str, int]:
    """Apply a coder's decisions: accepted rows become codings; all are logged.

    Parameters
    ----------
    project : Project
    suggestions : DataFrame
        The suggestions as :func:`suggest` returned them.
    decisions : DataFrame, optional
        The same rows with a ``decision`` column (``"accepted"``/``"rejected"``/blank;
        also yes/no, y/n, true/false, 1/0) or a boolean ``accepted`` column — what a
        notebook user edits, or an edited CSV/XLSX read back. Defaults to
        ``suggestions``.
    coder : str
        Who decided.

    Returns
    -------
    dict
        ``accepted`` (codings added), ``rejected`` (rejections logged), ``skipped``
        (no decision), ``already_coded`` (accepted but the coder already had that
        coding), ``already_logged`` (the same decision was logged before). Running the
        same review twice adds nothing the second time.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qualcode import Project
    >>> from qualcode.codebook import Codebook
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "patterns": ["arrest"]}]}
    ... )
    >>> t = Transcript.build("t1", [TurnDraft("We arrest dealers. We arrest users.")])
    >>> project = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
    >>> project.set_codebook(cb)
    >>> _ = project.add_transcripts([t])
    >>> s = suggest(project, cb)
    >>> s["decision"] = ["accepted", "rejected"]
    >>> review(project, s, s, "AB")  # doctest: +NORMALIZE_WHITESPACE
    {'accepted': 1, 'rejected': 1, 'skipped': 0,
     'already_coded': 0, 'already_logged': 0}
    >>> review(project, s, s, "AB")["accepted"]  # idempotent
    0
    >>> project.codings(coder="AB")["text"].tolist()
    ['We arrest dealers.']
    >>> project.close()

    Notes
    -----
    Accepted codings get ``origin`` = the suggestion's ``tagger`` (e.g.
    ``patterns:3f2a...``). Codings are added in one transaction (all or nothing)
    before the decisions are logged.
    """
    import pandas as pd

    if coder is None or not str(coder).strip():
        raise InvalidInputError(Errors.QC104.format(caller="review", param="coder"))
    coder = str(coder)
    decisions = suggestions if decisions is None else decisions
    key_cols = ["transcript_id", "start", "end", "code"]
    require_columns(decisions, key_cols, caller="review", param="decisions")
    if "decision" not in decisions.columns and "accepted" not in decisions.columns:
        raise InvalidInputError(
            Errors.QC102.format(
                caller="review",
                missing=["decision"],
                param="decisions",
                present=list(map(str, decisions.columns)),
            )
        )
    col = "decision" if "decision" in decisions.columns else "accepted"
    starts, ends = (
        _int_col(decisions, "start", "review"),
        _int_col(decisions, "end", "review"),
    )
    info: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    if (
        isinstance(suggestions, pd.DataFrame)
        and suggestions is not decisions
        and len(suggestions)
    ):
        require_columns(suggestions, key_cols, caller="review", param="suggestions")
        for r, s, e in zip(
            suggestions.to_dict("records"),
            _int_col(suggestions, "start", "review"),
            _int_col(suggestions, "end", "review"),
            strict=True,
        ):
            info[(str(r["transcript_id"]), s, e, str(r["code"]))] = r
    decided: dict[tuple[str, int, int, str], tuple[str, dict[str, Any]]] = {}
    skipped_keys: set[tuple[str, int, int, str]] = set()
    for i, (r, s, e) in enumerate(
        zip(decisions.to_dict("records"), starts, ends, strict=True)
    ):
        key = (str(r["transcript_id"]), s, e, str(r["code"]))
        d = _normalise_decision(r[col])
        if d == "?":
            raise InvalidInputError(
                Errors.QC505.format(
                    row=i, transcript=key[0], start=s, end=e, code=key[3], got=r[col]
                )
            )
        if d is None:
            skipped_keys.add(key)
            continue
        merged = {**info.get(key, {}), **{k: v for k, v in r.items() if not _isna(v)}}
        decided[key] = (d, merged)  # the last decision on a row wins
    skipped_keys -= set(decided)
    skipped_keys |= set(info) - set(decided)

    coded = {
        (str(t), int(s), int(e), str(c))
        for t, s, e, c in _rows(project.codings(coder=coder), key_cols)
    }
    logged = {
        (str(t), int(s), int(e), str(c), str(d))
        for t, s, e, c, d in _rows(
            project.decisions(coder=coder), [*key_cols, "decision"]
        )
    }
    new_codings, log_rows = [], []
    already_coded = already_logged = n_rej = 0
    for key, (d, r) in decided.items():
        tagger = r.get("tagger")
        tagger = (
            str(tagger) if not _isna(tagger) and str(tagger).strip() else "suggestion"
        )
        if d == "accepted":
            if key in coded:
                already_coded += 1
            else:
                new_codings.append(
                    {
                        "transcript_id": key[0],
                        "start": key[1],
                        "end": key[2],
                        "code": key[3],
                        "coder": coder,
                        "origin": tagger,
                    }
                )
                coded.add(key)
        if (*key, d) in logged:
            already_logged += 1
            continue
        n_rej += d == "rejected"
        score = r.get("score")
        evidence = r.get("evidence")
        log_rows.append(
            {
                "transcript_id": key[0],
                "start": key[1],
                "end": key[2],
                "code": key[3],
                "coder": coder,
                "decision": d,
                "tagger": tagger,
                "score": None if _isna(score) else float(score),
                "evidence": None if _isna(evidence) else str(evidence),
            }
        )
    if new_codings:
        project.add_codings(pd.DataFrame(new_codings))
    if log_rows:
        project.log_decisions(pd.DataFrame(log_rows))
    return {
        "accepted": len(new_codings),
        "rejected": n_rej,
        "skipped": len(skipped_keys),
        "already_coded": already_coded,
        "already_logged": already_logged,
    }


def _isna(v: Any) -> bool:
    import pandas as pd

    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _rows(df: Any, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    if df is None or not len(df):
        return iter(())
    return zip(*(df[c].tolist() for c in cols), strict=True)


# -- evaluation -----------------------------------------------------------------
_ZERO = ("warn", "nan")


def evaluate(
    suggestions: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    unit: str = "sentence",
    transcripts: Any = None,
    codes: Iterable[str] | None = None,
    roles: Iterable[str | None] | None = None,
    include_interviewer: bool = False,
    nlp: Any = None,
    zero_division: str | float = "warn",
) -> pd.DataFrame:
    """Per-code precision, recall, F1 and support of suggestions against codings.

    Matching is at unit level: a suggested unit is a true positive for code ``c`` if
    the coder has a coding with ``c`` overlapping that unit; a unit the coder coded
    with ``c`` (an overlapping coding) that got no suggestion of ``c`` is a false
    negative.

    Parameters
    ----------
    suggestions : DataFrame
        From :func:`suggest` (``transcript_id, start, end, code``).
    codings : DataFrame
        One coder's codings (``transcript_id, start, end, code``), e.g.
        ``project.codings(coder="AB")``.
    unit : {"sentence", "turn"}
    transcripts : Corpus, iterable of Transcript or Project, optional
        Rebuilds the units exactly (recommended). Without it the suggestion spans are
        the units, and a coding no suggestion of its code overlaps counts as *one*
        missed unit (a lower bound on false negatives when codings span several
        units); codings on interviewer turns are dropped when ``codings`` has a ``role``
        column and ``include_interviewer`` is False.
    codes : iterable of str, optional
        Codes to report (default: every code in either frame).
    roles, include_interviewer, nlp
        Which turns hold units (as in :func:`suggest`) and the pipeline for sentences.
    zero_division : {"warn", "nan"} or float
        Value of an undefined statistic (precision with no suggestions, recall with no
        coded units, F1 with neither). ``"warn"`` (default) returns NaN and issues one
        :class:`UndefinedStatisticWarning` naming the codes; ``"nan"`` returns NaN
        silently; a number (e.g. ``0.0``, sklearn's convention) is used as is.

    Returns
    -------
    pandas.DataFrame
        Schema ``_columns.EVALUATION`` (``code, precision, recall, f1, support,
        n_suggested, tp, fp, fn``), one row per code, then ``(micro)`` (from summed
        counts) and ``(macro)`` (unweighted mean of the per-code values, ignoring NaN).
        ``support`` = units the coder coded with the code; ``n_suggested`` = units
        suggested.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t", "t"],
    ...         "start": [0, 10],
    ...         "end": [9, 20],
    ...         "code": ["a", "a"],
    ...     }
    ... )
    >>> c = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["t", "t"],
    ...         "start": [2, 30],
    ...         "end": [5, 40],
    ...         "code": ["a", "a"],
    ...     }
    ... )
    >>> ev = evaluate(s, c)
    >>> ev[["code", "precision", "recall", "tp", "fp", "fn"]].iloc[:1].to_dict(
    ...     "records"
    ... )
    [{'code': 'a', 'precision': 0.5, 'recall': 0.5, 'tp': 1, 'fp': 1, 'fn': 1}]
    """
    import numpy as np
    import pandas as pd

    check_choice(unit, UNITS, param="unit", caller="evaluate")
    if not (
        zero_division in _ZERO
        or (
            isinstance(zero_division, (int, float))
            and not isinstance(zero_division, bool)
        )
    ):
        raise InvalidInputError(
            Errors.QC101.format(
                param="zero_division",
                caller="evaluate",
                expected="'warn', 'nan' or a number",
                got=zero_division,
            )
        )
    key = ["transcript_id", "start", "end", "code"]
    require_columns(suggestions, key, caller="evaluate", param="suggestions")
    require_columns(codings, key, caller="evaluate", param="codings")
    sug = suggestions[key].astype({"transcript_id": str, "code": str})
    cod = codings
    if transcripts is None and "role" in cod.columns and not include_interviewer:
        cod = cod[cod["role"].astype("string").fillna("") != "interviewer"]
    cod = cod[key].astype({"transcript_id": str, "code": str})
    code_list = (
        list(dict.fromkeys(codes))
        if codes is not None
        else sorted(set(sug["code"]) | set(cod["code"]))
    )
    keep = set(code_list)
    sug, cod = sug[sug["code"].isin(keep)], cod[cod["code"].isin(keep)]

    pred: dict[str, set[Any]] = {c: set() for c in code_list}
    gold: dict[str, set[Any]] = {c: set() for c in code_list}
    if transcripts is None:
        if "unit" in suggestions.columns:
            got = {str(u) for u in suggestions["unit"].dropna().unique()}
            if got and got != {unit}:
                raise TaggingError(
                    Errors.QC510.format(got=", ".join(sorted(got)), unit=unit)
                )
        spans: dict[str, list[tuple[int, int]]] = {}
        for t, s, e, c in _rows(sug, key):
            pred[c].add((t, int(s), int(e)))
            spans.setdefault((t, c), []).append((int(s), int(e)))
        for lst in spans.values():
            lst.sort()
        for t, s, e, c in _rows(cod, key):
            lst = spans.get((t, c), [])
            hit = [u for u in lst if u[0] < int(e) and int(s) < u[1]]
            if hit:
                gold[c].update((t, *u) for u in hit)
            else:
                gold[c].add((t, int(s), int(e), "missed"))
    else:
        from qualcode._nlp import iter_units

        trs, _ = as_transcripts(transcripts, caller="evaluate", what="transcripts")
        run_nlp = load_nlp(lemmatize=False) if nlp is None else load_nlp(nlp)
        ustart: dict[str, list[int]] = {}
        uend: dict[str, list[int]] = {}
        for u in iter_units(
            trs, unit, roles=role_set(roles, include_interviewer), nlp=run_nlp
        ):
            ustart.setdefault(u["transcript_id"], []).append(u["start"])
            uend.setdefault(u["transcript_id"], []).append(u["end"])

        def overlapping(t: str, s: int, e: int) -> list[int]:
            st, en = ustart.get(t, []), uend.get(t, [])
            i = bisect.bisect_right(en, s)  # first unit ending after s
            out = []
            while i < len(st) and st[i] < e:
                out.append(i)
                i += 1
            return out

        for t, s, e, c in _rows(sug, key):
            if t not in ustart:
                raise TaggingError(
                    Errors.QC511.format(
                        caller="evaluate", transcript=t, what="suggestions"
                    )
                )
            pred[c].update((t, i) for i in overlapping(t, int(s), int(e)))
        for t, s, e, c in _rows(cod, key):
            gold[c].update((t, i) for i in overlapping(t, int(s), int(e)))

    def div(a: float, b: float) -> float:
        if b:
            return a / b
        return float("nan") if zero_division in _ZERO else float(zero_division)

    rows, undefined = [], []
    for c in code_list:
        tp = (
            len(pred[c] & gold[c])
            if transcripts is not None
            else sum(1 for p in pred[c] if p in gold[c])
        )
        fp = len(pred[c]) - tp
        fn = len(gold[c]) - tp
        p, r, f = div(tp, tp + fp), div(tp, tp + fn), div(2 * tp, 2 * tp + fp + fn)
        if tp + fp == 0 or tp + fn == 0:
            undefined.append(c)
        rows.append(
            {
                "code": c,
                "precision": p,
                "recall": r,
                "f1": f,
                "support": tp + fn,
                "n_suggested": tp + fp,
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        )
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    totals = {"support": tp + fn, "n_suggested": tp + fp, "tp": tp, "fp": fp, "fn": fn}
    rows.append(
        {
            "code": "(micro)",
            "precision": div(tp, tp + fp),
            "recall": div(tp, tp + fn),
            "f1": div(2 * tp, 2 * tp + fp + fn),
            **totals,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        macro = {
            k: (
                float(np.nanmean(v))
                if len(v) and not np.all(np.isnan(v))
                else float("nan")
            )
            for k in ("precision", "recall", "f1")
            for v in [np.array([r[k] for r in rows[:-1]], dtype=float)]
        }
    rows.append({"code": "(macro)", **macro, **totals})
    if undefined and zero_division == "warn":
        shown = ", ".join(undefined[:10]) + (
            f" (+{len(undefined) - 10} more)" if len(undefined) > 10 else ""
        )
        warnings.warn(
            Errors.QC509.format(
                caller="evaluate",
                detail="precision or recall is undefined (no suggestions, or no "
                f"coded units) for code(s) {shown}; returned as NaN. Pass "
                "zero_division=0.0 to count them as 0, or 'nan' to silence this.",
            ),
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    return frame(pd.DataFrame(rows), EVALUATION)
