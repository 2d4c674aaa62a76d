"""Pseudonymise transcripts, a corpus or a project, keeping codings on their words.

:func:`pseudonymise` replaces every original of a key and every identifier the
detectors find; :class:`OffsetMap` moves ``[start, end)`` spans of the original
text onto the new text; :class:`PseudonymisationResult` carries the new data, a
report that never holds originals, and counts.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._inputs import is_project
from qualcode._validation import require_columns
from qualcode.anonymise._matching import _Matcher
from qualcode.anonymise.entities import (
    DEFAULT_DETECTORS,
    _as_detectors,
    suggest_entities,
)
from qualcode.anonymise.key import _as_key
from qualcode.errors import Errors, InvalidInputError, StoreError
from qualcode.model import Transcript, Turn

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OffsetMap", "PseudonymisationResult", "pseudonymise"]


# --------------------------------------------------------------------------
# offsets
# --------------------------------------------------------------------------
class OffsetMap:
    """Map ``[start, end)`` spans of the original text to the pseudonymised text.

    Text outside replaced spans shifts exactly; a span boundary inside a replaced
    span expands to the whole replacement, so a coding keeps covering the same
    words (a coding of ``"Christina"`` in ``"Christina Marsh"`` becomes a coding of
    the whole pseudonym).

    Parameters
    ----------
    spans : sequence of (old_start, old_end, new_start, new_end)
        The replaced spans, in order, not overlapping.

    Examples
    --------
    >>> m = OffsetMap([(4, 9, 4, 12)])  # "Ask Smith now" -> "Ask Person B now"
    >>> m.span(0, 3), m.span(4, 9), m.span(10, 13), m.span(6, 13)
    ((0, 3), (4, 12), (13, 16), (4, 16))
    """

    __slots__ = ("_new_end", "_new_start", "_old_end", "_old_start")

    def __init__(self, spans: Sequence[tuple[int, int, int, int]] = ()) -> None:
        self._old_start = [s[0] for s in spans]
        self._old_end = [s[1] for s in spans]
        self._new_start = [s[2] for s in spans]
        self._new_end = [s[3] for s in spans]

    def __len__(self) -> int:
        return len(self._old_start)

    def start(self, pos: int) -> int:
        """New position of a span start at old ``pos``."""
        i = bisect.bisect_right(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos < self._old_end[i]:
            return self._new_start[i]
        return pos + self._new_end[i] - self._old_end[i]

    def end(self, pos: int) -> int:
        """New position of a span end at old ``pos``."""
        i = bisect.bisect_left(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos <= self._old_end[i]:
            return self._new_end[i]
        return pos + self._new_end[i] - self._old_end[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """New ``(start, end)`` of the old span ``[start, end)``."""
        return self.start(start), self.end(end)


# --------------------------------------------------------------------------
# pseudonymise
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class PseudonymisationResult:
    """What :func:`pseudonymise` returns.

    Attributes
    ----------
    corpus_or_project : Corpus, Project, Transcript, list or str
        The pseudonymised data (a Project is the one given, changed in place,
        or the copy written to ``out=``).
    report : pandas.DataFrame
        One row per replacement: ``transcript_id`` (new id), ``field``
        (``text``, ``speaker``, ``attribute:<name>``, ``source``, ``id``),
        ``start, end`` (in the new text; empty for other fields), ``old_start,
        old_end``, ``kind``, ``source`` (``key`` or ``detector``), ``detector``,
        ``replacement`` and ``original_hash`` (never the original).
    summary : dict
        Counts: transcripts, transcripts_changed, replacements, by_kind, and for a
        project codings, codings_merged, decisions, purged.
    maps : mapping
        ``{old transcript id: (new id, OffsetMap)}``, used by :meth:`remap`.
    suggestions : pandas.DataFrame or None
        With ``nlp=``: entities the key does not cover, positions in the
        ORIGINAL texts (the frame holds names: keep it with the key).

    Examples
    --------
    >>> res = pseudonymise("Smith rang Smith's team.", {"Smith": "Person B"})
    >>> res.corpus_or_project
    "Person B rang Person B's team."
    >>> res.summary["replacements"], res.report["original_hash"].nunique()
    (2, 1)
    """

    corpus_or_project: Any
    report: Any
    summary: dict[str, Any]
    maps: Mapping[str, tuple[str, OffsetMap]] = field(default_factory=dict, repr=False)
    suggestions: Any = field(default=None, repr=False)

    @property
    def corpus(self) -> Any:
        """The pseudonymised corpus (same as ``corpus_or_project``)."""
        return self.corpus_or_project

    @property
    def project(self) -> Any:
        """The pseudonymised project (same as ``corpus_or_project``)."""
        return self.corpus_or_project

    def remap(self, codings: pd.DataFrame) -> pd.DataFrame:
        """Move a codings frame (``transcript_id, start, end``) onto the new texts.

        Ids are renamed when a transcript id held an original; the ``text``
        column, when present, is re-sliced from the pseudonymised transcripts.

        Examples
        --------
        >>> import pandas as pd
        >>> from qualcode.model import Transcript
        >>> res = pseudonymise(
        ...     [Transcript("t", "Ask Smith now.")], {"Smith": "Person B"}
        ... )
        >>> res.remap(
        ...     pd.DataFrame({"transcript_id": ["t"], "start": [10], "end": [14]})
        ... )
          transcript_id  start  end
        0             t     13   17
        """
        require_columns(
            codings,
            ["transcript_id", "start", "end"],
            caller="PseudonymisationResult.remap",
            param="codings",
        )
        out = codings.copy()
        ids, starts, ends = [], [], []
        for tid, s, e in zip(
            out["transcript_id"], out["start"], out["end"], strict=True
        ):
            new_id, m = self.maps.get(tid, (tid, OffsetMap()))
            ns, ne = m.span(int(s), int(e))
            ids.append(new_id)
            starts.append(ns)
            ends.append(ne)
        out["transcript_id"] = ids
        out["start"] = starts
        out["end"] = ends
        if "text" in out.columns:
            texts = _texts_of(self.corpus_or_project)
            if texts is not None:
                out["text"] = [
                    texts[t][s:e] if t in texts else v
                    for t, s, e, v in zip(ids, starts, ends, out["text"], strict=True)
                ]
        return out

    def __repr__(self) -> str:
        s = self.summary
        return (
            "PseudonymisationResult("
            f"transcripts_changed={s.get('transcripts_changed')}, "
            f"replacements={s.get('replacements')})"
        )


def _texts_of(obj: Any) -> dict[str, str] | None:
    if isinstance(obj, Transcript):
        return {obj.id: obj.text}
    if is_project(obj):
        return {t.id: t.text for t in obj.iter_transcripts()}
    try:
        return {t.id: t.text for t in obj}
    except TypeError:
        return None


def _pseudonymise_transcript(
    t: Transcript, m: _Matcher
) -> tuple[Transcript, OffsetMap, list[dict[str, Any]]]:
    bounds = [b for u in t.turns for b in (u.start, u.end)]
    new_text, hits, spans = m.apply(t.text, bounds)
    omap = OffsetMap(spans)
    new_id = m.rewrite_name(t.id)
    rows = [
        {
            "transcript_id": new_id,
            "field": "text",
            "start": ns,
            "end": ne,
            "old_start": h.start,
            "old_end": h.end,
            "kind": h.kind,
            "source": h.source,
            "detector": h.detector,
            "replacement": h.replacement,
            "original_hash": m.digest(t.text[h.start : h.end]),
        }
        for h, (_, _, ns, ne) in zip(hits, spans, strict=True)
    ]

    def other(fieldname: str, old: str, new: str) -> None:
        if old == new:
            return
        for h in m.hits(
            old.replace("_", " ") if fieldname in ("id", "source") else old
        ):
            rows.append(
                {
                    "transcript_id": new_id,
                    "field": fieldname,
                    "kind": h.kind,
                    "source": h.source,
                    "detector": h.detector,
                    "replacement": h.replacement,
                    "original_hash": m.digest(old[h.start : h.end]),
                }
            )

    turns = []
    for u in t.turns:
        ns, ne = omap.start(u.start), omap.end(u.end)
        speaker = m.rewrite(u.speaker) if u.speaker else u.speaker
        turns.append(
            Turn(
                u.index,
                speaker,
                u.role,
                ns,
                ne,
                new_text[ns:ne],
                u.time_start,
                u.time_end,
            )
        )
    attrs = {}
    for k, v in t.attributes.items():
        nv = m.rewrite(v) if isinstance(v, str) else v
        if isinstance(v, str):
            other(f"attribute:{k}", v, nv)
        attrs[k] = nv
    source = m.rewrite_name(t.source) if t.source else t.source
    if t.source and source:
        other("source", t.source, source)
    other("id", t.id, new_id)
    new = Transcript(
        new_id, new_text, tuple(turns), attrs, source, t.format, t.encoding
    )
    return new, omap, rows


def pseudonymise(
    corpus_or_project: Any,
    key: Any,
    *,
    detectors: Any = DEFAULT_DETECTORS,
    replacement: str | Mapping[str, str] = "[{kind}]",
    nlp: Any = None,
    out: str | Path | None = None,
) -> PseudonymisationResult:
    """Replace names, places and identifiers consistently; keep codings on their words.

    Every original in ``key`` is replaced by its pseudonym in the transcripts'
    text, speaker names, string attributes, ids and source paths; identifiers
    found by ``detectors`` are replaced by ``replacement``. Offsets of turns and
    codings are remapped so each still covers the same words (a boundary inside
    a replaced span expands to the whole replacement).

    Parameters
    ----------
    corpus_or_project : Corpus, iterable of Transcript, Transcript, str or Project
        A Corpus (or list) gives a new Corpus; a Project is changed IN PLACE
        (pass ``out=`` to write a pseudonymised copy instead and leave the
        original untouched). A plain string gives a string.
    key : PseudonymKey, path, mapping or DataFrame
        ``original -> pseudonym`` (see :class:`PseudonymKey`). It is never
        stored in the project or the report.
    detectors : iterable, default all six built-ins
        Names from :data:`DETECTORS` (``postcode``, ``phone``, ``email``,
        ``vehicle_registration``, ``date_of_birth``, ``collar_number``),
        :class:`Detector` objects or ``(name, regex)`` pairs; ``()`` for none.
    replacement : str or mapping, default ``"[{kind}]"``
        Template for detector hits (``{kind}``: the detector's label, e.g.
        ``collar number``; ``{name}``: its name), or ``{detector name: template}``.
    nlp : spaCy Language, optional
        A pipeline with an entity recogniser: named entities the key does not
        cover are returned as ``.suggestions`` (see :func:`suggest_entities`)
        and counted in ``summary["entities_not_in_key"]``; they are NEVER
        replaced. Review them, extend the key, and pseudonymise again.
    out : path, optional
        Project only: the new project file to write the pseudonymised copy to
        (it must not exist).

    Returns
    -------
    PseudonymisationResult
        ``.corpus_or_project``, ``.report`` (one row per replacement, hashed
        originals only) and ``.summary`` (counts).

    Raises
    ------
    InvalidInputError
        A bad key, detector, replacement or input [QC802-QC806, QC101].
    StoreError
        ``out`` exists, a renamed transcript id is taken, or the project's
        old bytes could not be purged [QC807-QC808].

    Notes
    -----
    For a project, memos, orphaned quotes and decision-log evidence pass
    through the same replacement; codebooks are left alone (they are not
    transcript data). Afterwards the WAL is checkpointed and the file is
    VACUUMed with ``secure_delete`` so the old text is gone from its bytes.
    Check the outcome with :func:`check_leaks`.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("Who leads it?", "Interviewer", "interviewer"),
    ...         TurnDraft(
    ...             "DS Smith's team, with Christina Marsh. Call 07700 900461.",
    ...             "P1",
    ...             "participant",
    ...         ),
    ...     ],
    ... )
    >>> key = {
    ...     "Smith": "Person B",
    ...     "Christina Marsh": "Person A",
    ...     "Christina": "Person A",
    ... }
    >>> res = pseudonymise([t], key)
    >>> res.corpus["int01"].turns[1].text
    "DS Person B's team, with Person A. Call [phone number]."
    >>> res.report[["field", "kind", "source", "replacement"]]
      field          kind    source     replacement
    0  text          name       key        Person B
    1  text          name       key        Person A
    2  text  phone number  detector  [phone number]
    """
    caller = "pseudonymise"
    k = _as_key(key, caller)
    m = _Matcher(k, _as_detectors(detectors, caller), replacement, caller=caller)
    if nlp is not None:  # review aid only: run on the originals, never applied
        found = suggest_entities(corpus_or_project, nlp=nlp, key=k)
        found = found[~found["in_key"]].reset_index(drop=True)
        res = _pseudonymise(corpus_or_project, m, out, caller)
        summary = {**res.summary, "entities_not_in_key": int(len(found))}
        return replace(res, summary=summary, suggestions=found)
    return _pseudonymise(corpus_or_project, m, out, caller)


def _pseudonymise(
    corpus_or_project: Any, m: _Matcher, out: Any, caller: str
) -> PseudonymisationResult:
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame

    if isinstance(corpus_or_project, str):
        new, hits, spans = m.apply(corpus_or_project)
        rows = [
            {
                "field": "text",
                "start": ns,
                "end": ne,
                "old_start": h.start,
                "old_end": h.end,
                "kind": h.kind,
                "source": h.source,
                "detector": h.detector,
                "replacement": h.replacement,
                "original_hash": m.digest(corpus_or_project[h.start : h.end]),
            }
            for h, (_, _, ns, ne) in zip(hits, spans, strict=True)
        ]
        rep = frame(rows, PSEUDONYMISATION_REPORT)
        return PseudonymisationResult(new, rep, _summary(rep, 1, int(bool(hits))))

    if is_project(corpus_or_project):
        return _pseudonymise_project(corpus_or_project, m, out)
    if out is not None:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="out= is for projects (the copy to write); "
                "a corpus is returned as a new Corpus",
            )
        )
    single = isinstance(corpus_or_project, Transcript)
    items = [corpus_or_project] if single else corpus_or_project
    try:
        items = list(items)
    except TypeError:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="expected a Corpus, Transcripts, a Project or a string; "
                f"got {type(corpus_or_project).__name__}",
            )
        ) from None
    new_items, rows, maps, changed = [], [], {}, 0
    for pos, t in enumerate(items):
        if not isinstance(t, Transcript):
            raise InvalidInputError(
                Errors.QC806.format(
                    caller=caller,
                    detail=f"item {pos} is a {type(t).__name__}, not a Transcript",
                )
            )
        nt, omap, r = _pseudonymise_transcript(t, m)
        new_items.append(nt)
        rows.extend(r)
        maps[t.id] = (nt.id, omap)
        changed += bool(r)
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    if single:
        result: Any = new_items[0]
    else:
        from qualcode.corpus import Corpus

        result = Corpus(new_items)
    return PseudonymisationResult(
        result, rep, _summary(rep, len(new_items), changed), maps
    )


def _summary(rep: pd.DataFrame, n: int, changed: int) -> dict[str, Any]:
    text = rep[rep["field"] == "text"]
    return {
        "transcripts": n,
        "transcripts_changed": changed,
        "replacements": int(len(text)),
        "by_kind": {
            str(k): int(v) for k, v in text["kind"].value_counts(sort=False).items()
        },
        "other_fields": int(len(rep) - len(text)),
    }


def _pseudonymise_project(
    project: Any, m: _Matcher, out: str | Path | None
) -> PseudonymisationResult:
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame
    from qualcode.store import Project

    if out is not None:
        out = Path(out)
        if out.exists():
            raise StoreError(
                Errors.QC807.format(
                    path=out,
                    detail="already exists; choose a new file name "
                    "for the pseudonymised copy",
                )
            )
        # OLD PATH, until the store has Project.copy_to: copies the file itself
        import sqlite3

        src = sqlite3.connect(str(project.path))
        dst = sqlite3.connect(str(out))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        project = Project(out, timeout=project.timeout)
    rows: list[dict[str, Any]] = []
    edits = []
    maps: dict[str, tuple[str, OffsetMap]] = {}
    n = 0
    for t in project.iter_transcripts():
        n += 1
        nt, omap, r = _pseudonymise_transcript(t, m)
        maps[t.id] = (nt.id, omap)
        if r:
            edits.append((t.id, nt, omap.span))
            rows.extend(r)
    counts = project.replace_texts(edits, rewrite=m.rewrite, purge=True)
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    summary = _summary(rep, n, len(edits))
    summary.update(
        codings=counts["codings"],
        codings_merged=counts["merged"],
        decisions=counts["decisions"],
        purged=True,
    )
    return PseudonymisationResult(project, rep, summary, maps)
