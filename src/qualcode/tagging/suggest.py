"""Suggestions: stream a corpus or project through a tagger, one row per unit and code.

:func:`iter_suggestions` streams DataFrame chunks (memory stays flat);
:func:`suggest` collects them into one frame. Units are sentences inside turns or
whole turns, exactly as :func:`qualcode._nlp.iter_units` builds them (the same units
agreement uses). Offsets come from spaCy token offsets plus the turn's start; text is
never searched again.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from qualcode._columns import SUGGESTIONS, frame, names
from qualcode._inputs import as_codebook, as_transcripts, is_project
from qualcode._nlp import UNITS, role_set
from qualcode._validation import check_choice
from qualcode.errors import Errors, TaggingError
from qualcode.tagging._compile import combine_scores, hit_weight
from qualcode.tagging._exclude import Excluder
from qualcode.tagging._units import (
    array_attrs,
    punct_hashes,
    sentencizer_of,
    token_arrays,
    trimmed_span,
    unit_arrays,
)
from qualcode.tagging.learned import LearnedTagger
from qualcode.tagging.patterns import PatternTagger

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["iter_suggestions", "suggest"]


def _columns_dict() -> dict[str, list[Any]]:
    return {n: [] for n in names(SUGGESTIONS)}


class _Rows:
    """Suggestion rows as column lists; the constant columns are filled when taken."""

    __slots__ = ("tid", "start", "end", "code", "score", "evidence", "turn", "text")

    def __init__(self) -> None:
        self.tid: list[str] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.code: list[str] = []
        self.score: list[float] = []
        self.evidence: list[str] = []
        self.turn: list[int] = []
        self.text: list[str] = []

    def __len__(self) -> int:
        return len(self.start)

    def take(self, version: str, unit: str) -> dict[str, Any]:
        """The rows as typed columns (``SUGGESTIONS`` order and dtypes)."""
        import numpy as np
        import pandas as pd

        from qualcode._columns import FLOAT, INT, STR

        n = len(self.start)

        def strings(values: list[str]) -> Any:
            return pd.array(values, dtype=STR)

        return {
            "transcript_id": strings(self.tid),
            "start": np.array(self.start, dtype=INT),
            "end": np.array(self.end, dtype=INT),
            "code": strings(self.code),
            "score": np.array(self.score, dtype=FLOAT),
            "evidence": strings(self.evidence),
            "tagger": strings([version] * n),
            "unit": strings([unit] * n),
            "turn": np.array(self.turn, dtype=INT),
            "text": strings(self.text),
        }


Hit = tuple[int, int, str, str, bool]


def _by_start_longest(h: tuple[int, int, str]) -> tuple[int, int]:
    return h[0], h[0] - h[1]


def _by_score_code(c: tuple[float, str, Any]) -> tuple[float, str]:
    return -c[0], c[1]


class _Emitter:
    """Turns one unit's hits into rows (scores, evidence, ``min_score``, exclusions)."""

    def __init__(
        self, tagger: PatternTagger, min_score: float, excluder: Excluder | None
    ) -> None:
        self.tagger = tagger
        self.min_score = min_score
        self.excluder = excluder
        self.rows = _Rows()
        # (n tokens, pattern key) -> (score, rounded score) of a unit with one hit
        self._single: dict[tuple[int, str], tuple[float, float]] = {}
        self._weight: dict[tuple[int, str], float] = {}

    def weight(self, n: int, pkey: str) -> float:
        """Weight of one hit ``n`` tokens long of the pattern ``pkey`` (cached)."""
        key = (n, pkey)
        got = self._weight.get(key)
        if got is None:
            got = self._weight[key] = hit_weight(n, self.tagger._shared.get(pkey, 1))
        return got

    def single(self, n: int, pkey: str) -> tuple[float, float]:
        """Score (and rounded score) of a unit whose only hit is ``n`` tokens long."""
        key = (n, pkey)
        got = self._single.get(key)
        if got is None:
            score = combine_scores((self.weight(n, pkey),))
            got = self._single[key] = (score, round(score, 6))
        return got

    def emit(
        self,
        tid: str,
        turn: int,
        offset: int,
        turn_text: str,
        idx: list[int],
        length: list[int],
        s_rel: int,
        e_rel: int,
        hits: list[Hit],
        base: int = 0,
    ) -> None:
        """Rows of one unit ``[s_rel, e_rel)`` of a turn from its hits."""
        rows, excluder = self.rows, self.excluder
        start, end = offset + s_rel, offset + e_rel
        if len(hits) == 1:  # the usual case: one hit, one code
            s, e, code, pkey, veto = hits[0]
            if veto:
                return
            score, rounded = self.single(e - s, pkey)
            if score < self.min_score or (
                excluder is not None and excluder(tid, code, start, end)
            ):
                return
            s, e = s + base, e + base
            rows.tid.append(tid)
            rows.start.append(start)
            rows.end.append(end)
            rows.code.append(code)
            rows.score.append(rounded)
            rows.evidence.append(turn_text[idx[s] : idx[e - 1] + length[e - 1]])
            rows.turn.append(turn)
            rows.text.append(turn_text[s_rel:e_rel])
            return
        # several hits: per code (codes with a veto hit dropped), hits inside a
        # longer hit of the same code dropped, the rest combined by noisy-or;
        # the same arithmetic as PatternTagger.score_hits, in fewer steps
        by_code: dict[str, list[tuple[int, int, str]]] = {}
        vetoed: set[str] | None = None
        for s, e, code, pkey, veto in hits:
            if veto:
                if vetoed is None:
                    vetoed = set()
                vetoed.add(code)
            elif code in by_code:
                by_code[code].append((s, e, pkey))
            else:
                by_code[code] = [(s, e, pkey)]
        if vetoed:
            for code in vetoed:
                by_code.pop(code, None)
        if not by_code:
            return
        weight = self.weight
        scored: list[tuple[float, str, list[tuple[int, int]]]] = []
        for code, lst in by_code.items():
            if len(lst) == 1:
                s, e, pkey = lst[0]
                scored.append((self.single(e - s, pkey)[0], code, [(s, e)]))
                continue
            # hits come sorted by (start, end, pattern key): order them by start,
            # longest first; a hit is then inside a kept one iff it ends no later
            # than the furthest-reaching kept hit (every kept hit starts no later)
            lst.sort(key=_by_start_longest)
            p, reach = 1.0, -1
            spans: list[tuple[int, int]] = []
            for s, e, pkey in lst:
                if e <= reach:
                    continue
                reach = e
                p *= 1.0 - weight(e - s, pkey)
                spans.append((s, e))
            scored.append((1.0 - p, code, spans))
        if len(scored) > 1:
            scored.sort(key=_by_score_code)
        text = None
        for score, code, spans in scored:
            if score < self.min_score or (
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
            rows.tid.append(tid)
            rows.start.append(start)
            rows.end.append(end)
            rows.code.append(code)
            rows.score.append(round(score, 6))
            rows.evidence.append(evidence)
            rows.turn.append(turn)
            rows.text.append(text)

    def group(
        self,
        found: list[tuple[Any, tuple[str, int, int, str], list[Hit]]],
        punct: Any | None,
    ) -> Iterator[None]:
        """Rows of a group of matched turns (fast path: tokenizer-only docs).

        Yields after each turn, so that the caller can hand on a full chunk.
        """
        # token offsets and sentence starts of every turn with a hit, in one go
        starts, idx, length, offsets = unit_arrays([f[0] for f in found], punct)
        n_starts, n_tokens = len(starts), len(idx)
        bisect_right = bisect.bisect_right
        emit = self.emit
        for (_arr, (tid, turn, offset, turn_text), hits), base in zip(
            found, offsets, strict=True
        ):
            # hits are sorted by start, so a unit's hits are consecutive
            i, n_hits = 0, len(hits)
            while i < n_hits:
                k = bisect_right(starts, base + hits[i][0]) - 1
                t_end = starts[k + 1] if k + 1 < n_starts else n_tokens
                j, limit = i + 1, t_end - base
                while j < n_hits and hits[j][0] < limit:
                    j += 1
                hs = hits[i:j]
                i = j
                s_rel, e_rel = trimmed_span(turn_text, idx, length, starts[k], t_end)
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
            yield None


def _iter_chunks(
    tagger: PatternTagger,
    transcripts: Iterable[Any],
    *,
    unit: str,
    roles: tuple[str | None, ...],
    min_score: float,
    batch_size: int,
    n_process: int,
    excluder: Excluder | None,
    progress: bool,
    chunk_rows: int = 50_000,
) -> Iterator[dict[str, Any]]:
    """Stream column chunks of suggestions (typed columns, ``chunk_rows`` rows each)."""
    version = tagger.version
    role_ok = set(roles)
    if progress:
        from tqdm.auto import tqdm

        transcripts = tqdm(transcripts, desc="suggest", unit="transcript")
    out = _Emitter(tagger, min_score, excluder)

    def flush_if(full: bool) -> Iterator[dict[str, Any]]:
        if len(out.rows) and (full or len(out.rows) >= chunk_rows):
            rows, out.rows = out.rows, _Rows()
            yield rows.take(version, unit)

    if tagger._fast(unit):
        punct = None
        if unit == "sentence":
            punct = punct_hashes(sentencizer_of(tagger.nlp), tagger.nlp.vocab)
        for found in _matched_groups(
            tagger, transcripts, role_ok, batch_size, n_process, array_attrs(punct)
        ):
            for _turn in out.group(found, punct):
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
            groups: dict[int, list[Hit]] = {}
            for h in hits:
                k = bisect.bisect_right(ustarts, h[0]) - 1
                if k >= 0 and h[0] < units[k][1]:
                    groups.setdefault(k, []).append(h)
            turn_text = doc.text
            _starts, idx, length = token_arrays(doc, None)
            for k, hs in groups.items():
                _ts, _te, s_abs, e_abs = units[k]
                rel = (s_abs - offset, e_abs - offset)
                out.emit(tid, turn, offset, turn_text, idx, length, *rel, hs)
            yield from flush_if(False)
    yield from flush_if(True)


_GROUP = 64  # turns whose sentence boundaries are computed together
_SUGGEST_CHUNK = 200_000  # rows per chunk when suggest() collects them


def _turn_docs(
    nlp: Language,
    transcripts: Iterable[Any],
    roles: set[str | None],
    batch_size: int,
    n_process: int,
) -> Iterator[list[tuple[Doc, tuple[str, int, int, str]]]]:
    """Tokenizer-only docs of the chosen turns, with ``(id, turn, start, text)``.

    Handed on in groups of at most ``_GROUP``: a group is tokenized before any of
    it is matched, so the tokenizer's and the matchers' tables each stay warm in
    the CPU cache (tokenizing turn by turn between matches costs about half as much
    again), and only a few docs are alive at once. ``n_process`` > 1 tokenizes in
    worker processes (``nlp.pipe`` with every component disabled).
    """
    metas: deque[tuple[str, int, int, str]] = deque()

    def texts() -> Iterator[str]:
        for tr in transcripts:
            tid = tr.id
            for turn in tr.turns:
                if turn.role in roles:
                    text = turn.text
                    metas.append((tid, turn.index, turn.start, text))
                    yield text

    batch_size = max(int(batch_size), 1)
    size = min(batch_size, _GROUP)
    pop = metas.popleft
    if n_process > 1:
        docs: Iterator[Any] = nlp.pipe(
            texts(),
            batch_size=batch_size,
            n_process=n_process,
            disable=list(nlp.pipe_names),
        )
        while group := list(itertools.islice(docs, size)):
            yield [(doc, pop()) for doc in group]
        return
    tok: Any = nlp.tokenizer
    source = texts()
    while chunk := list(itertools.islice(source, size)):
        yield [(doc, pop()) for doc in tok.pipe(chunk, batch_size=batch_size)]


def _matched_groups(
    tagger: PatternTagger,
    transcripts: Iterable[Any],
    roles: set[str | None],
    batch_size: int,
    n_process: int,
    attrs: Any,
) -> Iterator[list[tuple[Any, tuple[str, int, int, str], list[Any]]]]:
    """Groups of turns with a hit: ``(token array, meta, hits)``.

    Only the hits and one ``doc.to_array(attrs)`` per turn are kept; a group's
    sentence boundaries are then computed at once (:func:`unit_arrays`).
    """
    matches = tagger.matches
    for group in _turn_docs(tagger.nlp, transcripts, roles, batch_size, n_process):
        found = []
        for doc, meta in group:
            hits = matches(doc)
            if hits:
                found.append((doc.to_array(attrs), meta, hits))
        if found:
            yield found


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
    codebook = as_codebook(codebook, caller=caller, allow_none=True)
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
        excluder = Excluder(proj, str(exclude_coded_by))
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
    """Like :func:`suggest`, yielding DataFrames of about ``chunk_rows`` rows.

    Memory stays flat however large the corpus: only one chunk is held at a time.
    Every parameter means what it means in :func:`suggest`, for a
    :class:`PatternTagger` and a :class:`LearnedTagger` alike; ``chunk_rows`` is
    the size at which a chunk is handed on (the suggestions of one turn, or of
    one batch of units for a learned tagger, are never split, so a chunk can be a
    little longer). Chunks are never empty.

    Examples
    --------
    >>> from qualcode.codebook import Codebook
    >>> from qualcode.model import Transcript, TurnDraft
    >>> cb = Codebook.from_dict(
    ...     {"codes": [{"id": "pursue", "label": "Pursue", "patterns": ["arrest"]}]}
    ... )
    >>> t = Transcript.build(
    ...     "t1",
    ...     [TurnDraft("We arrest people.", "P1"), TurnDraft("They arrest us.", "P2")],
    ... )
    >>> [len(chunk) for chunk in iter_suggestions([t], cb)]
    [2]
    >>> [len(chunk) for chunk in iter_suggestions([t], cb, chunk_rows=1)]
    [1, 1]
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
        caller="iter_suggestions",
    )
    chunk_rows = max(int(chunk_rows), 1)
    chunks: Iterator[dict[str, Any]]
    if isinstance(tagger, LearnedTagger):
        chunks = tagger.iter_columns(
            transcripts,
            unit=unit,
            roles=roles_,
            min_score=min_score,
            batch_size=batch_size,
            excluder=excluder,
            progress=progress,
            chunk_rows=chunk_rows,
        )
    else:
        chunks = _iter_chunks(
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
        )
    for chunk in chunks:
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

    parts = list(
        iter_suggestions(
            corpus_or_project,
            codebook,
            unit=unit,
            nlp=nlp,
            tagger=tagger,
            roles=roles,
            include_interviewer=include_interviewer,
            min_score=min_score,
            batch_size=batch_size,
            n_process=n_process,
            exclude_coded_by=exclude_coded_by,
            project=project,
            progress=progress,
            chunk_rows=_SUGGEST_CHUNK,
        )
    )
    if not parts:
        return frame(pd.DataFrame(_columns_dict()), SUGGESTIONS)
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)
