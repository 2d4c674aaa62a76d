"""Pseudonymise transcripts, a corpus or a project, keeping codings on their words.

:func:`pseudonymise` replaces every original of a key and every identifier the
detectors find; :class:`OffsetMap` moves ``[start, end)`` spans of the original
text onto the new text; :class:`PseudonymisationResult` carries the new data, a
report that never holds originals, and counts.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._inputs import as_codebook, is_project
from qualcode._validation import check_type, invalid, require_columns
from qualcode.anonymise._matching import _Matcher
from qualcode.anonymise._offsets import OffsetMap
from qualcode.anonymise._rewrite import (
    _Report,
    participant_names,
    pseudonymise_transcript,
    rename_pseudonyms,
    rewrite_value,
)
from qualcode.anonymise.entities import (
    DEFAULT_DETECTORS,
    Detector,
    _as_detectors,
    suggest_entities,
)
from qualcode.anonymise.key import PseudonymKey, _as_key
from qualcode.errors import Errors, InvalidInputError, MediaWarning, StoreError
from qualcode.model import Transcript

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.codebook import Codebook

__all__ = ["OffsetMap", "PseudonymisationResult", "pseudonymise"]


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
        One row per replacement: ``transcript_id`` (new id; empty for a coder),
        ``field`` (``text``, ``attribute name``, ``attribute:<new name>``,
        ``source``, ``id``, ``coder``), ``start, end`` (in the new text; empty
        for other fields), ``old_start, old_end``, ``kind``, ``source`` (``key``
        or ``detector``), ``detector``, ``replacement`` and ``original_hash``
        (an HMAC of the key entry's original, or of the identifier found;
        never the original).
    summary : dict
        Counts: transcripts, transcripts_changed, replacements, by_kind,
        other_fields, participants_named_by_id, and for a project codings,
        codings_merged, decisions, purged, coders_renamed.
    maps : mapping
        ``{old transcript id: (new id, OffsetMap)}``, used by :meth:`remap`.
    suggestions : pandas.DataFrame or None
        With ``nlp=``: entities the key does not cover, positions in the
        ORIGINAL texts (the frame holds names: keep it with the key).
    codebook : Codebook or None
        With ``codebook=``: the pseudonymised codebook.

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
    codebook: Any = field(default=None, repr=False)

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


def pseudonymise(
    corpus_or_project: Any,
    key: Any,
    *,
    detectors: Any = DEFAULT_DETECTORS,
    replacement: str | Mapping[str, str] = "[{kind}]",
    nlp: Any = None,
    out: str | Path | None = None,
    fold_diacritics: bool = True,
    participant_id: str | None = "participant",
    codebook: Any = None,
) -> PseudonymisationResult:
    """Replace names, places and identifiers consistently; keep codings on their words.

    Every original in ``key`` is replaced by its pseudonym in the transcripts'
    text, speaker names, attribute names and values (lists and mappings too),
    ids and source paths, and for a project in coder names, memos, orphaned
    quotes and the decision log; identifiers found by ``detectors`` are
    replaced by ``replacement``. Offsets of turns and codings are remapped so
    each still covers the same words (a boundary inside a replaced span
    expands to the whole replacement).

    Names are matched on a normalised view of the text (see Notes), so forms
    such as ``The Smiths``, ``Smith2``, ``Smith_J``, ``Zoe`` for ``Zoë``,
    ``OBrien``, a zero-width space or soft hyphen inside a name, full-width
    letters, ``Mar-`` / ``sh`` across a line break and ``Christina%20Marsh``
    are replaced too.

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
        (it must not exist). The copy is built under a temporary name in the
        same folder and renamed to ``out`` only when it is complete, so an
        error or a kill never leaves a file called ``out`` that holds originals.
    fold_diacritics : bool, default True
        Match key originals regardless of accents (``Zoe``, ``ZOË`` and
        ``Zoë`` alike); False matches accents exactly (still in any Unicode
        normal form).
    participant_id : str or None, default "participant"
        The attribute holding each transcript's participant id (e.g. ``P05``).
        When a transcript's participant turns are labelled with one key
        original (``Claire Hennessey``), that participant is called by the id
        everywhere: speaker labels, mentions in every transcript, and the
        pseudonyms that contain theirs (``DS Person B`` becomes ``DS P05``).
        ``None`` keeps the key's pseudonyms.
    codebook : Codebook, path or True, optional
        Also pseudonymise a codebook's free text (labels, definitions,
        include/exclude rules, examples, notes, phrase patterns); True takes
        the project's current codebook. Returned as ``.codebook``, never stored.

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
    Matching view: NFKC (full-width letters), zero-width characters and soft
    hyphens removed, ``%XX`` escapes decoded, diacritics folded
    (``fold_diacritics``), a hyphen at a line end between letters joined (a
    second view, so ``Smith-`` before a line break still matches on its own).
    An original must not touch another letter (``Smithson`` and ``Blacksmith``
    stay), but digits and ``_`` may (``Smith2`` becomes ``Person B2``); apostrophes,
    hyphens and full stops inside a name are optional; plurals (``Smiths``,
    capitalised like the original) and possessives are kept as such.

    For a project, everything is read and rewritten in one transaction (one
    snapshot: a transcript added or re-imported meanwhile by another process
    waits, it is never skipped or overwritten); codebooks stored in the project
    are left alone. Afterwards the WAL is checkpointed and the file is VACUUMed
    so the old text is gone from its bytes. Check the outcome with
    :func:`check_leaks`.

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
    check_type(fold_diacritics, bool, param="fold_diacritics", caller=caller)
    check_type(
        participant_id, str, param="participant_id", caller=caller, allow_none=True
    )
    plan = _Plan(
        k, _as_detectors(detectors, caller), replacement, fold_diacritics, caller
    )
    book = _as_book(codebook, corpus_or_project, caller)
    found = None
    if nlp is not None:  # review aid only: run on the originals, never applied
        found = suggest_entities(corpus_or_project, nlp=nlp, key=k)
        found = found[~found["in_key"]].reset_index(drop=True)
    res = _pseudonymise(corpus_or_project, plan, out, participant_id, book)
    if found is not None:
        summary = {**res.summary, "entities_not_in_key": int(len(found))}
        res = replace(res, summary=summary, suggestions=found)
    return res


class _Plan:
    """The key, detectors and options; makes the matcher (with participant ids)."""

    def __init__(
        self,
        key: PseudonymKey,
        detectors: tuple[Detector, ...],
        replacement: str | Mapping[str, str],
        fold: bool,
        caller: str,
    ) -> None:
        self.key = key
        self.detectors = detectors
        self.replacement = replacement
        self.fold = fold
        self.caller = caller
        self.base = self.matcher()  # checks the replacement templates

    def matcher(self, names: Mapping[str, str] | None = None) -> _Matcher:
        key = rename_pseudonyms(self.key.entries, names or {}, self.key.fingerprint)
        return _Matcher(
            key, self.detectors, self.replacement, caller=self.caller, fold=self.fold
        )

    def for_transcripts(
        self, transcripts: Iterable[Transcript], participant_id: str | None
    ) -> tuple[_Matcher, int]:
        """The matcher, with participants named by their ids; and how many were."""
        if participant_id is None or not len(self.key):
            return self.base, 0
        names = participant_names(transcripts, self.base._keym, participant_id)
        return (self.matcher(names) if names else self.base), len(names)


def _as_book(codebook: Any, data: Any, caller: str) -> Codebook | None:
    if codebook is None or codebook is False:
        return None
    if codebook is True:
        if not is_project(data):
            raise invalid(
                "codebook",
                caller,
                "a Codebook or a path (True is for a project's own codebook)",
                "True",
            )
        book = data.codebook
        if book is None:
            raise invalid(
                "codebook", caller, "a project that has a codebook", "no codebook"
            )
        return book  # type: ignore[no-any-return]
    return as_codebook(codebook, caller=caller)


def _pseudonymise_codebook(book: Codebook, m: _Matcher) -> Codebook:
    """The codebook with its free text (and phrase patterns) rewritten."""
    from qualcode.codebook import Codebook

    codes = [
        replace(
            c,
            label=m.rewrite(c.label),
            definition=m.rewrite(c.definition),
            include=rewrite_value(c.include, m),
            exclude=rewrite_value(c.exclude, m),
            examples=rewrite_value(c.examples, m),
            patterns=rewrite_value(c.patterns, m),
            exclude_patterns=rewrite_value(c.exclude_patterns, m),
            note=m.rewrite(c.note) if c.note else c.note,
        )
        for c in book
    ]
    return Codebook(
        codes,
        name=book.name,
        version=book.version,
        description=m.rewrite(book.description),
        meta=rewrite_value(book.meta, m),
    )


def _pseudonymise(
    data: Any,
    plan: _Plan,
    out: Any,
    participant_id: str | None,
    book: Codebook | None,
) -> PseudonymisationResult:
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame

    caller = plan.caller
    if isinstance(data, str):
        m = plan.base
        new, hits, spans = m.apply(data)
        text_report = _Report(m, "")
        text_report.text(data, hits, spans)
        for row in text_report.rows:
            row.pop("transcript_id")
        rep = frame(text_report.rows, PSEUDONYMISATION_REPORT)
        return PseudonymisationResult(
            new,
            rep,
            _summary(rep, 1, int(bool(hits))),
            codebook=None if book is None else _pseudonymise_codebook(book, m),
        )
    if is_project(data):
        return _pseudonymise_project(data, plan, out, participant_id, book)
    if out is not None:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="out= is for projects (the copy to write); "
                "a corpus is returned as a new Corpus",
            )
        )
    single = isinstance(data, Transcript)
    items = [data] if single else data
    try:
        items = list(items)
    except TypeError:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="expected a Corpus, Transcripts, a Project or a string; "
                f"got {type(data).__name__}",
            )
        ) from None
    for pos, t in enumerate(items):
        if not isinstance(t, Transcript):
            raise InvalidInputError(
                Errors.QC806.format(
                    caller=caller,
                    detail=f"item {pos} is a {type(t).__name__}, not a Transcript",
                )
            )
    m, named = plan.for_transcripts(items, participant_id)
    new_items: list[Transcript] = []
    rows: list[dict[str, Any]] = []
    maps: dict[str, tuple[str, OffsetMap]] = {}
    changed = 0
    for t in items:
        nt, omap, r, diff = pseudonymise_transcript(t, m, caller=caller)
        new_items.append(nt)
        rows.extend(r)
        maps[t.id] = (nt.id, omap)
        changed += diff
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    _warn_recordings(rep, caller)
    if single:
        result: Any = new_items[0]
    else:
        from qualcode.corpus import Corpus

        result = Corpus(new_items)
    summary = _summary(rep, len(new_items), changed)
    summary["participants_named_by_id"] = named
    return PseudonymisationResult(
        result,
        rep,
        summary,
        maps,
        codebook=None if book is None else _pseudonymise_codebook(book, m),
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
    project: Any,
    plan: _Plan,
    out: str | Path | None,
    participant_id: str | None,
    book: Codebook | None,
) -> PseudonymisationResult:
    if out is None:
        return _rewrite_project(project, plan, participant_id, book)
    out = Path(out)
    if out.exists():
        raise StoreError(
            Errors.QC807.format(
                path=out,
                detail="already exists; choose a new file name "
                "for the pseudonymised copy",
            )
        )
    # the copy holds every original until it is rewritten: build it under a
    # temporary name beside out and give it out's name only when it is clean
    tmp = out.with_name(f".{out.name}.pseudonymising-{uuid.uuid4().hex[:12]}")
    copy = project.copy_to(tmp)
    try:
        res = _rewrite_project(copy, plan, participant_id, book)
        copy.close()
        _settle(tmp, project)
        _rename_no_clobber(tmp, out)
    except BaseException:
        copy.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    from qualcode.store import Project

    return replace(res, corpus_or_project=Project(out, timeout=project.timeout))


def _settle(path: Path, like: Any) -> None:
    """Fold a left-over write-ahead log into ``path`` before it is renamed."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        from qualcode.store import Project

        Project(path, timeout=like.timeout).close()


def _rename_no_clobber(src: Path, dest: Path) -> None:
    """Rename ``src`` to ``dest``, refusing a ``dest`` created meanwhile."""
    try:
        os.link(src, dest)
    except FileExistsError:
        raise StoreError(
            Errors.QC807.format(
                path=dest,
                detail="was created by someone else while the copy was "
                "pseudonymised; choose a new file name",
            )
        ) from None
    except OSError:  # no hard links here (some network or FAT drives)
        if dest.exists():
            raise StoreError(
                Errors.QC807.format(
                    path=dest,
                    detail="was created by someone else while the copy was "
                    "pseudonymised; choose a new file name",
                )
            ) from None
        os.replace(src, dest)
        return
    src.unlink()


def _rename_coders(project: Any, m: _Matcher, rows: list[dict[str, Any]]) -> int:
    """Coder names that hold an original get the pseudonym (merged on a clash)."""
    names = list(project.coders)
    taken = set(names)
    n = 0
    for old in names:
        new = m.rewrite(old)
        if new == old:
            continue
        report = _Report(m, "")
        report.other("coder", old)
        for row in report.rows:
            row["transcript_id"] = None
        rows.extend(report.rows)
        if new in taken:
            project.merge_coders([old], new)
        else:
            project.rename_coder(old, new)
            taken.add(new)
        taken.discard(old)
        n += 1
    return n


def _rewrite_project(
    project: Any, plan: _Plan, participant_id: str | None, book: Codebook | None
) -> PseudonymisationResult:
    """Rewrite a project in place: one snapshot for reading and writing."""
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame

    rows: list[dict[str, Any]] = []
    edits = []
    maps: dict[str, tuple[str, OffsetMap]] = {}
    n = 0
    # one snapshot: another process's add or re-import waits until this commits
    with project.transaction():
        m, named = plan.for_transcripts(project.iter_transcripts(), participant_id)
        for t in project.iter_transcripts():
            n += 1
            nt, omap, r, diff = pseudonymise_transcript(t, m, caller=plan.caller)
            maps[t.id] = (nt.id, omap)
            if diff:
                edits.append((t.id, nt, omap.span))
                rows.extend(r)
        coders = _rename_coders(project, m, rows)
        # the purge (VACUUM) runs once the transaction has committed
        counts = project.replace_texts(edits, rewrite=m.rewrite, purge=True)
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    _warn_recordings(rep, plan.caller)
    summary = _summary(rep, n, len(edits))
    summary.update(
        codings=counts["codings"],
        codings_merged=counts["merged"],
        decisions=counts["decisions"],
        purged=True,
        participants_named_by_id=named,
        coders_renamed=coders,
    )
    return PseudonymisationResult(
        project,
        rep,
        summary,
        maps,
        codebook=None if book is None else _pseudonymise_codebook(book, m),
    )


def _warn_recordings(rep: Any, caller: str) -> None:
    """Say how many recordings were unlinked (a recording cannot be pseudonymised)."""
    n = int((rep["field"] == "media").sum()) if len(rep) else 0
    if n:
        warnings.warn(
            Errors.QC816.format(caller=caller, n=n), MediaWarning, stacklevel=3
        )
