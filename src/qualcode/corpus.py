"""A corpus: transcripts with participant attributes, and their DataFrame views.

Participant attributes
----------------------
Attributes describe the interviewee of each transcript. They come from a table
(CSV, XLSX or DataFrame) with one row per transcript keyed by ``transcript_id``
(or ``id``). The study vocabulary is:

``organisation``
    The force or partner organisation (free text, e.g. ``Force A``, ``County Council``).
``role``
    ``police officer``, ``police staff`` or ``partner``.
``rank_band``
    For police officers: ``constable/sergeant``, ``inspector/chief inspector`` or
    ``superintendent+``; empty for staff and partners.

Any other columns (``site``, ``years_service``, ``interview_date``, ...) are kept as
extra attributes. Empty cells become None. In :attr:`Corpus.turns`, an attribute
whose name is also a turn column (``role``, ``speaker``, ``text``, ...) is prefixed
``participant_`` (so the attribute ``role`` appears as ``participant_role`` next to
the turn's ``role``, interviewer/participant); :attr:`Corpus.attributes` keeps the
names as given.
"""

from __future__ import annotations

import glob as _glob
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._columns import ATTRIBUTE_PREFIX, attribute_columns
from qualcode._validation import check_choice, check_type, invalid
from qualcode.errors import Errors, ImportFormatError, ImportWarning_, InvalidInputError
from qualcode.io import (
    FORMATS,
    SUFFIXES,
    SpeakerTable,
    format_of,
    read_transcript,
    speaker_table,
)
from qualcode.io.attributes import read_attributes, source_name
from qualcode.media import stored_media_path
from qualcode.model import Transcript

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ATTRIBUTE_PREFIX",
    "CONVERT",
    "Corpus",
    "attribute_columns",
    "import_report",
    "read_attributes",
    "read_corpus",
]

_SKIP_STEMS = re.compile(r"^(readme|license|licence|changelog)$", re.IGNORECASE)


def _natural_key(path: Path) -> list[Any]:
    return [
        int(tok) if tok.isdigit() else tok.casefold()
        for tok in re.split(r"(\d+)", str(path))
    ]


class Corpus:
    """A collection of transcripts with unique ids and tidy DataFrame views.

    Build one with :func:`read_corpus` or :meth:`Corpus.from_transcripts`.

    Parameters
    ----------
    transcripts : iterable of Transcript
        Ids must be unique.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("Why divert?", "I", "interviewer"),
    ...         TurnDraft("It reduces harm.", "P1", "participant", 3.0, 5.0),
    ...     ],
    ...     attributes={"organisation": "Force A", "role": "police officer"},
    ... )
    >>> corpus = Corpus.from_transcripts([t])
    >>> len(corpus), corpus.ids, corpus["int01"].speakers
    (1, ['int01'], ('I', 'P1'))
    >>> list(corpus.turns.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['transcript_id', 'turn', 'speaker', 'role', 'start', 'end', 'time_start',
     'time_end', 'text', 'organisation', 'participant_role']
    >>> corpus.summary()[
    ...     ["transcript_id", "turns", "words_interviewer", "words_participant"]
    ... ]
      transcript_id  turns  words_interviewer  words_participant
    0         int01      2                  2                  3
    """

    __slots__ = ("_by_id", "_skipped", "_transcripts")

    def __init__(
        self,
        transcripts: Iterable[Transcript] = (),
        *,
        skipped: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._skipped = tuple((str(p), str(why)) for p, why in skipped)
        items = list(transcripts)
        by_id: dict[str, Transcript] = {}
        for t in items:
            if not isinstance(t, Transcript):
                raise invalid(
                    "transcripts", "Corpus", "Transcript objects", type(t).__name__
                )
            if t.id in by_id:
                raise InvalidInputError(
                    Errors.QC205.format(
                        id=t.id,
                        first=by_id[t.id].source or "(in memory)",
                        second=t.source or "(in memory)",
                    )
                )
            by_id[t.id] = t
        self._transcripts: tuple[Transcript, ...] = tuple(items)
        self._by_id = by_id

    @classmethod
    def from_transcripts(cls, transcripts: Iterable[Transcript]) -> Corpus:
        """A corpus of already built transcripts (ids must be unique).

        Examples
        --------
        >>> from qualcode.model import Transcript, TurnDraft
        >>> len(Corpus.from_transcripts([Transcript.build("a", [TurnDraft("Hello.")])]))
        1
        """
        return cls(transcripts)

    # -- container protocol --------------------------------------------------
    def __iter__(self) -> Iterator[Transcript]:
        return iter(self._transcripts)

    def __len__(self) -> int:
        return len(self._transcripts)

    def __contains__(self, transcript_id: object) -> bool:
        return transcript_id in self._by_id

    def __getitem__(self, transcript_id: str) -> Transcript:
        try:
            return self._by_id[transcript_id]
        except (KeyError, TypeError):
            known = ", ".join(repr(i) for i in list(self._by_id)[:5])
            raise KeyError(
                f"Unknown transcript id {transcript_id!r}; the corpus has {len(self)} "
                f"transcripts (ids start {known}). Ids are file names without suffix "
                "by default."
            ) from None

    def __repr__(self) -> str:
        n_turns = sum(len(t.turns) for t in self._transcripts)
        return f"Corpus(transcripts={len(self)}, turns={n_turns})"

    @property
    def ids(self) -> list[str]:
        """Transcript ids in corpus order."""
        return [t.id for t in self._transcripts]

    @property
    def transcripts(self) -> tuple[Transcript, ...]:
        """The transcripts, in corpus order."""
        return self._transcripts

    @property
    def skipped(self) -> tuple[tuple[str, str], ...]:
        """Files an import left out, as ``(path, reason)`` (see :func:`read_corpus`)."""
        return self._skipped

    def attribute_names(self) -> list[str]:
        """Attribute names over all transcripts, in order of first appearance."""
        return list(dict.fromkeys(k for t in self._transcripts for k in t.attributes))

    # -- DataFrame views -----------------------------------------------------
    @property
    def turns(self) -> pd.DataFrame:
        """One row per turn: the ``TURNS`` columns, then one column per attribute.

        Columns: ``transcript_id, turn, speaker, role, start, end, time_start,
        time_end, text``, then the attributes (see the module docstring for the
        ``participant_`` prefix of clashing names).
        """
        from qualcode._columns import TURNS, frame

        cols = attribute_columns(self.attribute_names())
        rows = []
        for t in self._transcripts:
            attrs = {col: t.attributes.get(name) for name, col in cols.items()}
            for u in t.turns:
                rows.append(
                    {
                        "transcript_id": t.id,
                        "turn": u.index,
                        "speaker": u.speaker,
                        "role": u.role,
                        "start": u.start,
                        "end": u.end,
                        "time_start": u.time_start,
                        "time_end": u.time_end,
                        "text": u.text,
                        **attrs,
                    }
                )
        extra = list(cols.values())
        return _typed_extra(frame(rows, TURNS, extra=extra), extra)

    def to_frame(self) -> pd.DataFrame:
        """Same as :attr:`turns`."""
        return self.turns

    @property
    def attributes(self) -> pd.DataFrame:
        """One row per transcript: ``transcript_id`` then the attributes as named."""
        from qualcode._columns import CORPUS_ATTRIBUTES, frame

        names = self.attribute_names()
        rows = [
            {"transcript_id": t.id, **{n: t.attributes.get(n) for n in names}}
            for t in self._transcripts
        ]
        extra = [n for n in names if n != "transcript_id"]
        return _typed_extra(frame(rows, CORPUS_ATTRIBUTES, extra=extra), extra)

    def summary(self) -> pd.DataFrame:
        """One row per transcript: size, speakers, words by role and duration.

        Returns
        -------
        pandas.DataFrame
            - ``transcript_id``, ``format``, ``encoding``
            - ``turns``: number of turns; ``speakers``: distinct speakers
            - ``words``: whitespace-separated words in all turns, split into
              ``words_interviewer``, ``words_participant`` and ``words_other``
              (turns with no role, e.g. document pages)
            - ``duration``: seconds from the first timed turn's start to the last
              time given (NaN when the transcript has no timestamps)
            - ``source``: the file read
        """
        from qualcode._columns import CORPUS_SUMMARY, frame

        rows = []
        for t in self._transcripts:
            words = {"interviewer": 0, "participant": 0, None: 0}
            for u in t.turns:
                words[u.role if u.role in ("interviewer", "participant") else None] += (
                    len(u.text.split())
                )
            starts = [u.time_start for u in t.turns if u.time_start is not None]
            ends = [
                x for u in t.turns for x in (u.time_start, u.time_end) if x is not None
            ]
            rows.append(
                {
                    "transcript_id": t.id,
                    "format": t.format,
                    "encoding": t.encoding,
                    "turns": len(t.turns),
                    "speakers": len(t.speakers),
                    "words": sum(words.values()),
                    "words_interviewer": words["interviewer"],
                    "words_participant": words["participant"],
                    "words_other": words[None],
                    "duration": (max(ends) - min(starts)) if starts else None,
                    "source": t.source,
                }
            )
        return frame(rows, CORPUS_SUMMARY)

    def with_attributes(self, attributes: Any) -> Corpus:
        """A copy with attributes from a table (path, DataFrame or mapping) joined on.

        Rows for ids not in the corpus raise an :class:`ImportWarning_`.
        """
        table = read_attributes(attributes)
        _warn_unknown(table, self._by_id, source_name(attributes))
        return Corpus(
            (
                _joined(t, table[t.id], attributes) if t.id in table else t
                for t in self._transcripts
            ),
            skipped=self._skipped,
        )


# -- attributes -----------------------------------------------------------------
def _joined(t: Transcript, row: Mapping[str, Any], attributes: Any) -> Transcript:
    """``t`` with its attributes row joined on.

    A relative ``media`` path in an attributes *file* is relative to that file's
    folder; it is stored relative to the transcript's own folder, where
    :func:`qualcode.media.find_media` looks (see :mod:`qualcode.media`).
    """
    media = row.get("media")
    if isinstance(media, str) and media.strip() and t.source:
        given_in = (
            Path(attributes).parent
            if isinstance(attributes, str | os.PathLike)
            else None
        )
        folder = Path(t.source).parent
        row = {
            **row,
            "media": stored_media_path(media.strip(), folder, given_in=given_in),
        }
    return t.with_attributes(row)


def _typed_extra(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Nullable dtypes for attribute columns (``string``, ``Int64``; missing: <NA>)."""
    if columns and len(df):
        df[list(columns)] = df[list(columns)].convert_dtypes()
    return df


def _warn_unknown(
    table: Mapping[str, Any], known: Mapping[str, Any], source: str
) -> None:
    unknown = [k for k in table if k not in known]
    if unknown:
        shown = unknown[:10] + (["..."] if len(unknown) > 10 else [])
        warnings.warn(
            ImportWarning_(
                Errors.QC223.format(source=source, n=len(unknown), ids=shown)
            ),
            stacklevel=3,
        )


# -- paths ------------------------------------------------------------------------
def _hidden(p: Path) -> bool:
    return p.name.startswith((".", "~$", "~"))


#: Document formats a folder import cannot read: (what it is, how to convert it).
CONVERT: dict[str, tuple[str, str]] = {
    ".doc": (
        "an old binary Word file (.doc)",
        "open it in Word or LibreOffice and save it as .docx",
    ),
    ".docm": (
        "a macro-enabled Word file (.docm)",
        "open it in Word and save it as .docx (Word Document)",
    ),
    ".dot": ("a Word template (.dot)", "open it in Word and save it as .docx"),
    ".dotx": ("a Word template (.dotx)", "open it in Word and save it as .docx"),
    ".rtf": (
        "a Rich Text file (.rtf)",
        "open it in Word or LibreOffice and save it as .docx (or as plain .txt)",
    ),
    ".odt": (
        "an OpenDocument text file (.odt)",
        "open it in LibreOffice Writer and use File > Save As > Word (.docx)",
    ),
    ".fodt": (
        "a flat OpenDocument text file (.fodt)",
        "open it in LibreOffice Writer and save it as .docx",
    ),
    ".pages": (
        "an Apple Pages file (.pages)",
        "in Pages use File > Export To > Word (.docx)",
    ),
    ".wpd": (
        "a WordPerfect file (.wpd)",
        "open it in WordPerfect or LibreOffice and save it as .docx",
    ),
    ".wps": (
        "a Microsoft Works file (.wps)",
        "open it in LibreOffice Writer and save it as .docx",
    ),
}


def _scan_folder(folder: Path, recursive: bool) -> tuple[list[Path], list[Path]]:
    """(transcript files, convertible document files) in a folder."""
    it = folder.rglob("*") if recursive else folder.iterdir()
    files: list[Path] = []
    skipped: list[Path] = []
    for p in it:
        if (
            not p.is_file()
            or _hidden(p)
            or _SKIP_STEMS.match(p.stem)
            or any(part.startswith(".") for part in p.relative_to(folder).parts[:-1])
        ):
            continue
        if format_of(p) is not None:
            files.append(p)
        elif p.suffix.lower() in CONVERT:
            skipped.append(p)
    return sorted(files, key=_natural_key), sorted(skipped, key=_natural_key)


_Entries = tuple[list[tuple[str | None, Path]], list[Path]]


def _expand(paths: Any, recursive: bool) -> _Entries:
    """(explicit id or None, path) pairs in corpus order, and files left out."""
    if isinstance(paths, Mapping):
        out: list[tuple[str | None, Path]] = []
        for k, v in paths.items():
            if (
                not isinstance(k, str)
                or not k.strip()
                or not isinstance(v, str | os.PathLike)
            ):
                raise invalid(
                    "paths",
                    "read_corpus",
                    "a mapping of transcript id to file path",
                    f"{k!r}: {v!r}",
                )
            out.append((k.strip(), Path(v)))
        return out, []
    if isinstance(paths, str | os.PathLike):
        p = Path(paths)
        if p.is_dir():
            files, skipped = _scan_folder(p, recursive)
            return [(None, f) for f in files], skipped
        if p.is_file():
            return [(None, p)], []
        s = str(paths)
        if any(ch in s for ch in "*?["):
            hits = [Path(h) for h in _glob.glob(s, recursive=True)]
            files = [h for h in hits if h.is_file() and not _hidden(h)]
            found = [f for f in files if format_of(f) is not None]
            left = [f for f in files if f.suffix.lower() in CONVERT]
            return (
                [(None, f) for f in sorted(found, key=_natural_key)],
                sorted(left, key=_natural_key),
            )
        raise ImportFormatError(Errors.QC201.format(path=p), path=p)
    if isinstance(paths, Iterable) and not isinstance(paths, bytes):
        items: list[tuple[str | None, Path]] = []
        left_out: list[Path] = []
        for item in paths:
            check_type(
                item,
                (str, os.PathLike),
                param="paths",
                caller="read_corpus",
                expected="paths (str or Path)",
            )
            p = Path(item)
            if p.is_dir():
                files, skipped = _scan_folder(p, recursive)
                items.extend((None, f) for f in files)
                left_out.extend(skipped)
            else:
                items.append((None, p))  # missing or unknown-suffix files raise on read
        return items, left_out
    raise invalid(
        "paths",
        "read_corpus",
        "a folder, a glob, a list of files or a mapping",
        type(paths).__name__,
    )


def read_corpus(
    paths: str
    | os.PathLike[str]
    | Sequence[str | os.PathLike[str]]
    | Mapping[str, str | os.PathLike[str]],
    *,
    attributes: Any = None,
    speakers: Mapping[str, Any] | str | os.PathLike[str] | SpeakerTable | None = None,
    recursive: bool = False,
    on_error: str = "raise",
    strict: bool = True,
) -> Corpus:
    """Read many transcripts, with participant attributes, into a :class:`Corpus`.

    Parameters
    ----------
    paths : folder, glob, list of files, or mapping
        A folder (its ``.txt``, ``.docx``, ``.vtt``, ``.srt`` and ``.pdf`` files; other
        files such as ``attributes.csv`` or ``README.md`` are skipped, as are hidden
        files, Word lock files ``~$...`` and ``README``/``LICENSE`` files; documents
        qualcode cannot read -- ``.doc``, ``.rtf``, ``.odt``, ``.pages`` ... -- are
        named in a warning that says how to convert them, and listed in
        :attr:`Corpus.skipped`); a glob
        (``"interviews/**/*.docx"``); a list of files and folders (kept in the given
        order; a listed file of unknown format is an error); or a mapping
        ``{transcript_id: path}`` to choose ids. Folder and glob files are read in
        natural order (``int2`` before ``int10``).
    attributes : path, pandas.DataFrame or mapping, optional
        Participant attributes, one row per transcript, keyed by a ``transcript_id``
        (or ``id``) column: a ``.csv``/``.tsv`` (any encoding :func:`read_transcript`
        reads) or ``.xlsx`` file, a DataFrame, or ``{transcript_id: {name: value}}``.
        See the module docstring for the vocabulary (``organisation``, ``role``,
        ``rank_band``, extra columns allowed). A ``media`` column names each
        interview's recording (relative to the attributes file's folder, or
        absolute); see :mod:`qualcode.media`.
    speakers : mapping, path or SpeakerTable, optional
        Passed to :func:`read_transcript` for every file: a mapping of labels to
        roles/names for all transcripts, or a speakers file (CSV/XLSX/YAML with
        columns ``label, name, role`` and optionally ``transcript_id``; see
        :mod:`qualcode.io.speaker_file`), e.g. to say who interviewed in Teams or
        Zoom exports, which carry names, not roles. Rows of a file that match no
        speaker are named (by line) in a warning.
    recursive : bool, default False
        Also read sub-folders of a folder.
    on_error : {"raise", "skip"}, default "raise"
        ``"skip"``: a file that cannot be imported is left out with an
        :class:`~qualcode.errors.ImportWarning_` naming it and the reason.
    strict : bool, default True
        Passed to :func:`read_transcript` (caption files).

    Returns
    -------
    Corpus
        Transcript ids are the file names without suffix unless given;
        :attr:`Corpus.skipped` lists the files left out and why, and
        :func:`import_report` shows what was understood.

    Raises
    ------
    ImportFormatError
        No transcript files [QC208]; two files give the same id [QC205, naming both];
        any file's own import error; attribute table problems [QC224-QC227].

    Warns
    -----
    ImportWarning_
        Attribute rows for transcripts not in the corpus [QC223]; files skipped
        because they could not be imported [QC221] or are documents to convert
        first [QC234]; speakers file rows that matched no speaker [QC233].

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "int01.txt").write_text(
    ...     "I: Why divert?\\nP1: It reduces harm.\\n"
    ... )
    >>> _ = (folder / "int02.txt").write_text(
    ...     "Q: And enforcement?\\nA: Still needed.\\n"
    ... )
    >>> _ = (folder / "attributes.csv").write_text(
    ...     "transcript_id,organisation,role,rank_band\\n"
    ...     "int01,Force A,police officer,constable/sergeant\\n"
    ...     "int02,Drug service,partner,\\n"
    ... )
    >>> corpus = qc.read_corpus(folder, attributes=folder / "attributes.csv")
    >>> corpus.ids
    ['int01', 'int02']
    >>> corpus.turns[
    ...     ["transcript_id", "speaker", "role", "participant_role", "rank_band"]
    ... ]
      transcript_id speaker         role participant_role           rank_band
    0         int01       I  interviewer   police officer  constable/sergeant
    1         int01      P1  participant   police officer  constable/sergeant
    2         int02       Q  interviewer          partner                <NA>
    3         int02       A  participant          partner                <NA>
    """
    check_choice(on_error, ["raise", "skip"], param="on_error", caller="read_corpus")
    if not isinstance(recursive, bool):
        check_choice(recursive, [True, False], param="recursive", caller="read_corpus")
    smaps = speaker_table(speakers, caller="read_corpus")  # fail fast, as attributes
    if attributes is not None:
        table = read_attributes(attributes)  # fail fast, before reading every file
    else:
        table = {}
    entries, left_out = _expand(paths, recursive)
    skipped = [(str(p), _warn_convert(p)) for p in left_out]
    if not entries:
        where = paths if isinstance(paths, str | os.PathLike) else "the given paths"
        raise ImportFormatError(
            Errors.QC208.format(path=where),
            path=where if isinstance(where, str | os.PathLike) else None,
        )
    transcripts: list[Transcript] = []
    sources: dict[str, Path] = {}
    for explicit_id, path in entries:
        tid = explicit_id or path.stem
        if tid in sources:
            raise ImportFormatError(
                Errors.QC205.format(id=tid, first=sources[tid], second=path), path=path
            )
        try:
            t = read_transcript(path, id=tid, speakers=smaps, strict=strict)
        except ImportFormatError as exc:
            if on_error == "raise":
                raise
            warnings.warn(
                ImportWarning_(Errors.QC221.format(path=path, detail=str(exc))),
                stacklevel=2,
            )
            skipped.append((str(path), f"could not be imported: {exc}"))
            continue
        sources[tid] = path
        if tid in table:
            t = _joined(t, table[tid], attributes)
        transcripts.append(t)
    if not transcripts:
        raise ImportFormatError(
            Errors.QC208.format(
                path=paths
                if isinstance(paths, str | os.PathLike)
                else "the given paths"
            )
        )
    if table:
        _warn_unknown(table, sources, source_name(attributes))
    if smaps is not None and smaps.from_file:
        _warn_unused_speakers(smaps)
    return Corpus(transcripts, skipped=skipped)


def _warn_convert(path: Path) -> str:
    """Warn that a document was left out and how to convert it; the reason."""
    what, how = CONVERT[path.suffix.lower()]
    warnings.warn(
        ImportWarning_(Errors.QC234.format(path=path, what=what, how=how)),
        stacklevel=3,
    )
    return f"{what}; {how}"


def _warn_unused_speakers(table: SpeakerTable) -> None:
    lines = table.unused_lines()
    if lines:
        shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
        where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
        warnings.warn(
            ImportWarning_(
                Errors.QC233.format(source=table.source, n=len(lines), where=where)
            ),
            stacklevel=3,
        )


# -- import report ------------------------------------------------------------------
_NO_SPEAKER = (
    "no speaker labels found: each paragraph or cue is a turn without a speaker; "
    "check the label format or pass speakers="
)


def _report_rows(t: Transcript, stored: bool) -> list[dict[str, Any]]:
    """The report rows of one transcript: one per speaker (None last if mixed)."""
    if stored:
        unused: str | None = None
    else:
        unused = "; ".join(f"{lab} (line {line})" for lab, line in t.unused_labels)
    notes = list(t.notes)
    if not t.speakers:
        notes.append(_NO_SPEAKER)
    common = {
        "transcript_id": t.id,
        "source": t.source,
        "format": t.format,
        "encoding": t.encoding,
        "has_times": any(
            u.time_start is not None or u.time_end is not None for u in t.turns
        ),
        "unused_labels": unused or None,
        "note": "; ".join(notes) or None,
    }
    by_speaker: dict[str | None, list[Any]] = {}
    for u in t.turns:
        by_speaker.setdefault(u.speaker, []).append(u)
    order = [k for k in by_speaker if k is not None] + (
        [None] if None in by_speaker else []
    )
    rows = []
    for speaker in order:
        turns = by_speaker[speaker]
        roles = list(dict.fromkeys(u.role for u in turns if u.role))
        rows.append(
            {
                **common,
                "speaker": speaker,
                "role": "/".join(roles) or None,
                "turns": len(turns),
                "words": sum(len(u.text.split()) for u in turns),
            }
        )
    return rows


def import_report(corpus_or_project: Any) -> pd.DataFrame:
    """What an import understood: one row per transcript and speaker.

    Parameters
    ----------
    corpus_or_project : Corpus, qualcode.Project or iterable of Transcript
        A corpus just read (the full report), or a project (what it stores:
        ``unused_labels`` is then missing, as projects do not keep it).

    Returns
    -------
    pandas.DataFrame
        One row per transcript and speaker, in corpus order (turns without a
        speaker, such as a title, as a last row with speaker <NA>), then one row per
        file a folder import skipped:

        - ``transcript_id``, ``source``: the id and the file read
        - ``format`` (txt, docx, vtt, srt, pdf) and ``encoding`` (as detected;
          <NA> for .docx and .pdf)
        - ``speaker``, ``role``: as imported (after ``speakers=``)
        - ``turns``, ``words``: that speaker's turns and whitespace-separated words
        - ``has_times``: whether the transcript has any time stamp
        - ``unused_labels``: line starts shaped like a label that were read as text
          (``"Note (line 2)"``), for the whole transcript
        - ``note``: repairs (stray bytes), "no speaker labels found" for a
          transcript without any speaker, or "skipped: ..." for a file left out

    Raises
    ------
    InvalidInputError
        Not a corpus, project or iterable of transcripts [QC503].

    See Also
    --------
    read_corpus : reads a folder; its warnings name skipped files.
    Corpus.summary : one row per transcript with word counts by role.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "int01.txt").write_text(
    ...     "I: Why divert?\\nNote: tape paused.\\nP1: It reduces harm.\\n"
    ... )
    >>> report = qc.import_report(qc.read_corpus(folder))
    >>> report[["transcript_id", "speaker", "role", "turns", "unused_labels"]]
      transcript_id speaker         role  turns   unused_labels
    0         int01       I  interviewer      1  Note (line 2)
    1         int01      P1  participant      1  Note (line 2)
    """
    from qualcode._columns import IMPORT_REPORT, frame
    from qualcode._inputs import as_transcripts

    transcripts, project = as_transcripts(
        corpus_or_project, caller="import_report", what="corpus_or_project"
    )
    rows: list[dict[str, Any]] = []
    for t in transcripts:
        rows.extend(_report_rows(t, stored=project is not None))
    for path, why in getattr(corpus_or_project, "skipped", ()):
        p = Path(path)
        rows.append(
            {
                "transcript_id": p.stem,
                "source": path,
                "format": p.suffix.lower().lstrip(".") or None,
                "turns": 0,
                "words": 0,
                "has_times": False,
                "note": f"skipped: {why}",
            }
        )
    return frame(rows, IMPORT_REPORT)


# formats a folder scan picks up, for documentation and the CLI
TRANSCRIPT_SUFFIXES: tuple[str, ...] = tuple(SUFFIXES)
TRANSCRIPT_FORMATS: tuple[str, ...] = FORMATS
