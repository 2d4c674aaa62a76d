"""The spaCy pipeline and the units of analysis (turns, sentences) shared by
tagging and agreement.

Default pipeline: ``spacy.blank("en")`` + ``sentencizer`` + the lookup
``lemmatizer`` from ``spacy-lookups-data``. Nothing is downloaded. Any installed
pipeline can be passed by name or as a ``Language``.

Sentence units are computed inside each turn (a sentence never crosses a turn),
with offsets from spaCy's ``Span.start_char``/``end_char`` plus the turn's start.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode._validation import check_choice
from qualcode.errors import Errors, TaggingError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from spacy.language import Language

    from qualcode.model import Transcript

UNITS = ("turn", "sentence")
#: Roles whose turns hold units by default: participants and turns of unknown role.
DEFAULT_ROLES: tuple[str | None, ...] = ("participant", None)


def role_set(
    roles: Iterable[str | None] | None, include_interviewer: bool = False
) -> tuple[str | None, ...]:
    """Roles whose turns hold units: participant and unknown-role turns by default.

    Examples
    --------
    >>> role_set(None, include_interviewer=True)
    ('participant', None, 'interviewer')
    >>> role_set(["participant"])
    ('participant',)
    """
    out = list(DEFAULT_ROLES if roles is None else roles)
    if include_interviewer and "interviewer" not in out:
        out.append("interviewer")
    return tuple(out)


def _register_lemmatizer() -> None:
    """Register ``qualcode_lookup_lemmatizer``: spaCy's lookup table, case-insensitive.

    spaCy's own lookup lemmatizer looks tokens up by their exact text, so a
    sentence-initial "Officers" or "Arrests" keeps its surface form. This component
    looks up the text, then its lower-case form, and falls back to the lower-case
    form, so LEMMA patterns match whatever the capitalisation.
    """
    from spacy.language import Language

    if Language.has_factory("qualcode_lookup_lemmatizer"):
        return

    @Language.factory("qualcode_lookup_lemmatizer")
    def _make(nlp: Language, name: str) -> Any:  # noqa: ARG001
        from spacy.lookups import load_lookups

        try:
            table = load_lookups(str(nlp.lang), ["lemma_lookup"]).get_table(
                "lemma_lookup"
            )
        except Exception as exc:  # spacy-lookups-data missing or without this language
            raise TaggingError(
                Errors.QC501.format(
                    detail="The lookup lemmatizer needs spacy-lookups-data: "
                    "pip install spacy-lookups-data "
                    f"({type(exc).__name__})."
                )
            ) from exc
        get = table.get

        def lemmatize(doc: Any) -> Any:
            for token in doc:
                text = token.text
                lemma = get(text)
                if lemma is None:
                    low = text.lower()
                    lemma = get(low, low)
                token.lemma_ = lemma
            return doc

        return lemmatize


@lru_cache(maxsize=4)
def _default_nlp(lemmatize: bool) -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    if lemmatize:
        _register_lemmatizer()
        nlp.add_pipe("qualcode_lookup_lemmatizer", name="lemmatizer")
    return nlp


def load_nlp(nlp: Language | str | None = None, *, lemmatize: bool = True) -> Language:
    """Return a spaCy pipeline: the offline default, a name to ``spacy.load``, or
    ``nlp`` itself.

    A pipeline with no parser, senter or sentencizer gets a ``sentencizer`` added.

    Examples
    --------
    >>> nlp = load_nlp()
    >>> nlp.pipe_names
    ['sentencizer', 'lemmatizer']
    >>> [t.lemma_ for t in nlp("Officers arrested dealers")]
    ['officer', 'arrest', 'dealer']
    """
    if nlp is None:
        return _default_nlp(lemmatize)
    if isinstance(nlp, str):
        import spacy

        try:
            nlp = spacy.load(nlp)
        except OSError as exc:
            raise TaggingError(
                Errors.QC501.format(
                    detail=f"spaCy pipeline {nlp!r} is not installed; install it "
                    "or pass nlp=None for the offline default."
                )
            ) from exc
    if not any(p in nlp.pipe_names for p in ("parser", "senter", "sentencizer")):
        nlp.add_pipe("sentencizer")
    return nlp


def iter_units(
    transcripts: Iterable[Transcript],
    unit: str = "sentence",
    *,
    roles: Iterable[str | None] | None = None,
    nlp: Language | None = None,
    batch_size: int = 256,
    docs: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield units as dicts: ``transcript_id, unit, turn, speaker, role, start, end``.

    With ``docs=True`` each dict also holds ``doc`` (the spaCy ``Doc`` of the unit's
    turn) and ``offset`` (the turn's start), so a caller can map token offsets.
    Streams with ``nlp.pipe``; memory stays flat.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "t1", [TurnDraft("We arrest. We divert.", "P1", "participant")]
    ... )
    >>> [(u["start"], u["end"]) for u in iter_units([t], "sentence")]
    [(4, 14), (15, 25)]
    """
    check_choice(unit, UNITS, param="unit", caller="iter_units")
    role_set = None if roles is None else set(roles)

    def turns() -> Iterator[tuple[Any, Any]]:
        for tr in transcripts:
            for turn in tr.turns:
                if role_set is None or turn.role in role_set:
                    yield turn.text, (tr.id, turn)

    counters: dict[str, int] = {}
    if unit == "turn" and not docs:
        for _text, (tid, turn) in turns():
            i = counters.get(tid, 0)
            counters[tid] = i + 1
            yield {
                "transcript_id": tid,
                "unit": i,
                "turn": turn.index,
                "speaker": turn.speaker,
                "role": turn.role,
                "start": turn.start,
                "end": turn.end,
            }
        return
    nlp = load_nlp(nlp) if nlp is None or isinstance(nlp, str) else nlp
    for doc, (tid, turn) in nlp.pipe(turns(), as_tuples=True, batch_size=batch_size):
        spans = [doc[:]] if unit == "turn" else list(doc.sents)
        for span in spans:
            s, e = span.start_char, span.end_char
            # trim whitespace tokens at the edges
            # (spaCy keeps trailing spaces as tokens)
            while s < e and doc.text[s].isspace():
                s += 1
            while e > s and doc.text[e - 1].isspace():
                e -= 1
            if s == e:
                continue
            i = counters.get(tid, 0)
            counters[tid] = i + 1
            row = {
                "transcript_id": tid,
                "unit": i,
                "turn": turn.index,
                "speaker": turn.speaker,
                "role": turn.role,
                "start": turn.start + s,
                "end": turn.start + e,
            }
            if docs:
                row["doc"] = doc
                row["span"] = span
                row["offset"] = turn.start
            yield row


def units(
    transcripts: Iterable[Transcript],
    unit: str = "sentence",
    *,
    roles: Iterable[str | None] | None = None,
    nlp: Language | None = None,
) -> pd.DataFrame:
    """Units of analysis as a DataFrame (schema ``qualcode._columns.UNITS``).

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "t1",
    ...     [
    ...         TurnDraft("Hi.", "I", "interviewer"),
    ...         TurnDraft("Yes. No.", "P", "participant"),
    ...     ],
    ... )
    >>> units([t], "sentence")[["turn", "start", "end"]].values.tolist()
    [[0, 3, 6], [1, 11, 15], [1, 16, 19]]
    """
    from qualcode._columns import UNITS as SCHEMA
    from qualcode._columns import frame

    return frame(iter_units(transcripts, unit, roles=roles, nlp=nlp), SCHEMA)
