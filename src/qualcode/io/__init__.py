"""Readers for outside formats; :func:`read_transcript` dispatches by suffix.

One module per format keeps each format's quirks in one place: :mod:`~qualcode.io.txt`,
:mod:`~qualcode.io.docx`, :mod:`~qualcode.io.vtt`, :mod:`~qualcode.io.srt`,
:mod:`~qualcode.io.pdf`; :mod:`~qualcode.io._decode` (bytes to text) and
:mod:`~qualcode.io._speakers` (labels, timestamps, roles) are shared. Heavy readers
(python-docx, pypdf) are imported only when a file of that kind is read.

Public here, for the rest of qualcode (one owner per term):

- :data:`SUFFIXES` / :data:`FORMATS` / :func:`format_of`: which files are transcripts;
- :func:`role_of`: the role a speaker label gets by default (the REFI importer uses it,
  so ``IV`` or ``Question`` is an interviewer everywhere);
- :func:`read_text` / :func:`decode_text` and :class:`Decoded`: the one decoding rule
  for text files (transcripts, attribute tables, any other text qualcode reads);
- :func:`check_office_zip`: size and ratio limits for any .docx/.xlsx, checked
  before python-docx or openpyxl reads a part (zip bombs).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qualcode._validation import check_choice, check_type, invalid
from qualcode.errors import Errors, ImportFormatError, QualcodeError
from qualcode.io._decode import Decoded, decode, read_bytes
from qualcode.io._speakers import SpeakerMap, default_role
from qualcode.io._zipcheck import check_office_zip
from qualcode.io.speaker_file import SpeakerTable, read_speakers
from qualcode.media import stored_media_path
from qualcode.model import Transcript

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "Decoded",
    "SpeakerTable",
    "check_office_zip",
    "decode_text",
    "format_of",
    "read_speakers",
    "read_text",
    "read_transcript",
    "role_of",
    "speaker_table",
]

#: Transcript formats read_transcript understands.
FORMATS: tuple[str, ...] = ("txt", "docx", "vtt", "srt", "pdf")
#: File suffix -> format.
SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
    ".vtt": "vtt",
    ".webvtt": "vtt",
    ".srt": "srt",
    ".pdf": "pdf",
}


def format_of(path: str | os.PathLike[str]) -> str | None:
    """The transcript format for a path's suffix, or None.

    Examples
    --------
    >>> format_of("int01.DOCX"), format_of("notes.md")
    ('docx', None)
    """
    return SUFFIXES.get(Path(path).suffix.lower())


def role_of(label: str | None, *, default: str | None = "participant") -> str | None:
    """The role a speaker label gets when no ``speakers=`` mapping names it.

    ``"interviewer"`` for interviewer labels (``Interviewer``, ``I``, ``Q``, ``Int``,
    ``IV``, ``Question``, ``Researcher``, ``Moderator``, ``Facilitator``, numbered or
    not, or a label containing one of the words Interviewer, Researcher, Moderator,
    Facilitator); ``default`` for any other label; None without a label. This is the
    rule every importer uses (see :mod:`qualcode.io._speakers`).

    Parameters
    ----------
    label : str or None
        The raw speaker label.
    default : {"participant", None}, default "participant"
        The role of a label that is not an interviewer label (None lets the caller
        decide, e.g. only when the document has an interviewer at all).

    Returns
    -------
    str or None

    Examples
    --------
    >>> from qualcode.io import role_of
    >>> role_of("IV"), role_of("Question 2"), role_of("P1"), role_of(None)
    ('interviewer', 'interviewer', 'participant', None)
    >>> role_of("Alex Khan", default=None) is None
    True
    """
    role = default_role(label)
    if role == "participant":
        return default
    return role


def decode_text(
    data: bytes, *, path: object = "(bytes)", encoding: str | None = None
) -> Decoded:
    """Decode a text file's bytes with qualcode's one rule (newlines become ``\\n``).

    A BOM decides, else UTF-8, else BOM-less UTF-16, else Windows-1252 (the full
    rule is in :mod:`qualcode.io._decode`). ``encoding=`` forces a codec.

    Parameters
    ----------
    data : bytes
        The content.
    path : path-like or str
        Named in error messages only.
    encoding : str, optional
        Force this codec.

    Returns
    -------
    Decoded
        ``.text`` (``\\n`` newlines, no BOM) and ``.encoding`` (the codec used).

    Raises
    ------
    ImportFormatError
        Undecodable [QC204] or binary [QC217] content.

    Examples
    --------
    >>> from qualcode.io import decode_text
    >>> decode_text("id,role\\r\\nint01,café\\r\\n".encode("utf-8-sig")).text
    'id,role\\nint01,café\\n'
    """
    return decode(data, path=path, encoding=encoding)


def read_text(path: str | os.PathLike[str], *, encoding: str | None = None) -> Decoded:
    """Read and decode a text file (see :func:`decode_text`).

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str, optional
        Force this codec.

    Returns
    -------
    Decoded

    Raises
    ------
    ImportFormatError
        Missing [QC201], empty [QC202], unreadable [QC215], undecodable [QC204] or
        binary [QC217].

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.io import read_text
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("transcript_id\\nint01\\n".encode("utf-16"))
    >>> read_text(p).encoding
    'utf-16'
    """
    p = Path(path)
    return decode(read_bytes(p), path=p, encoding=encoding)


def read_transcript(
    path: str | os.PathLike[str],
    *,
    id: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
    speakers: Mapping[str, Any] | str | os.PathLike[str] | SpeakerTable | None = None,
    strict: bool = True,
    media: str | os.PathLike[str] | None = None,
) -> Transcript:
    """Read one transcript file into exact stored text and speaker turns.

    Parameters
    ----------
    path : str or path-like
        The file. Its suffix picks the reader: ``.txt``, ``.docx``, ``.vtt``, ``.srt``,
        ``.pdf``.
    id : str, optional
        The transcript id (default: the file name without its suffix).
    format : {"txt", "docx", "vtt", "srt", "pdf"}, optional
        Read the file as this format whatever its suffix.
    encoding : str, optional
        Text formats only: force a codec. By default a BOM decides (UTF-8, UTF-16,
        UTF-32), else UTF-8, else BOM-less UTF-16, else Windows-1252.
    speakers : mapping, path or SpeakerTable, optional
        Raw speaker labels to roles, e.g. ``{"I": "interviewer", "P": "participant"}``,
        or to ``{"name": ..., "role": ...}`` to rename as well; or a speakers file
        (CSV/XLSX/YAML with columns label, name, role, transcript_id; see
        :mod:`qualcode.io.speaker_file`), whose rows for this transcript's id win
        over rows for all. Lookup is exact, then
        case-insensitive, then without a trailing number (``"P"`` covers ``P1``).
        Without an entry, interviewer labels (Interviewer, I, Q, Int, Researcher,
        Moderator, Facilitator, numbered or not) get ``"interviewer"`` and every
        other speaker ``"participant"``; turns without a speaker get role None.
    strict : bool, default True
        Captions (vtt, srt): raise on a malformed cue. With False, skip it with an
        :class:`~qualcode.errors.ImportWarning_`.
    media : str or path-like, optional
        The interview's recording (audio or video: ``.mp3``, ``.m4a``, ``.wav``,
        ``.ogg``, ``.opus``, ``.webm``, ``.mp4`` ...), kept as the transcript
        attribute ``media`` (:attr:`Transcript.media`) so the coding widget and
        HTML exports can play each turn from its time. A relative path is stored
        relative to the transcript file's folder (one that exists from the
        working directory is rewritten so); see :mod:`qualcode.media` for how it
        is found again. The file need not exist yet.

    Returns
    -------
    Transcript
        ``.text`` has ``\\n`` newlines and no BOM; each turn's ``[start, end)`` covers
        its utterance; ``.format`` and ``.encoding`` say how the file was read
        (``encoding`` is None for .docx and .pdf).

    Raises
    ------
    ImportFormatError
        The file is missing [QC201], empty [QC202], of unknown format [QC203], not
        decodable [QC204], damaged or truncated [QC206], malformed at a line
        [QC210, QC211, QC212, QC216], without text [QC213, QC214], encrypted
        [QC218], or a .docx over the zip limits [QC231, QC710]; a bad speakers
        file [QC232]. The message names the file (and line) and what to do, never
        the file's words.
    InvalidInputError
        A bad ``format=`` or ``speakers=`` value.

    See Also
    --------
    qualcode.read_corpus : read a folder of transcripts with participant attributes.

    Notes
    -----
    Speaker labels (``Name:``, ``[Name]``, ``[Name]:``) are recognised at line start
    only and must be short (at most 4 words and 40 characters); a label that is
    neither a common role label nor given in ``speakers=`` must recur, or have the
    shape of recurring labels (``Respondent3 b`` amid ``Respondent1``), to count, so
    ``Note: ...`` in prose stays text. The full rules per format are in the
    docstrings of :mod:`qualcode.io._speakers`,
    :mod:`qualcode.io.txt`, :mod:`qualcode.io.docx`, :mod:`qualcode.io.vtt`,
    :mod:`qualcode.io.srt` and :mod:`qualcode.io.pdf`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import qualcode as qc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "int01.txt"
    >>> _ = p.write_text(
    ...     "[00:00:05] I: What does harm reduction mean to you?\\n"
    ...     "[00:00:09] P1: Naloxone, mainly. [inaudible] And diversion.\\n"
    ... )
    >>> t = qc.read_transcript(p)
    >>> print(t.text)
    I: What does harm reduction mean to you?
    <BLANKLINE>
    P1: Naloxone, mainly. [inaudible] And diversion.
    >>> [(u.speaker, u.role, u.time_start) for u in t.turns]
    [('I', 'interviewer', 5.0), ('P1', 'participant', 9.0)]
    >>> t.text[t.turns[1].start : t.turns[1].end] == t.turns[1].text
    True
    """
    check_type(
        path,
        (str, os.PathLike),
        param="path",
        caller="read_transcript",
        expected="a str or path",
    )
    p = Path(path)
    if format is not None:
        if not isinstance(format, str):
            check_choice(
                format, list(FORMATS), param="format", caller="read_transcript"
            )
        fmt = format.lower().lstrip(".")
        check_choice(fmt, list(FORMATS), param="format", caller="read_transcript")
    else:
        fmt = format_of(p) or ""
    if id is not None and (not isinstance(id, str) or not id.strip()):
        raise invalid("id", "read_transcript", "a non-empty str", id)
    if not isinstance(strict, bool):
        check_choice(strict, [True, False], param="strict", caller="read_transcript")
    table = speaker_table(speakers, caller="read_transcript")
    if media is not None:
        check_type(
            media,
            (str, os.PathLike),
            param="media",
            caller="read_transcript",
            expected="a str or path to the recording",
        )
        if not str(media).strip() or "\x00" in str(media):
            raise invalid(
                "media", "read_transcript", "a path to the recording", media
            )
    if not p.exists():
        raise ImportFormatError(Errors.QC201.format(path=p), path=p)
    if not fmt:
        raise ImportFormatError(
            Errors.QC203.format(
                path=p, format=p.suffix or "(no suffix)", known=list(SUFFIXES)
            ),
            path=p,
        )
    tid = id.strip() if id is not None else p.stem
    smap = table.speaker_map(tid, caller="read_transcript") if table else SpeakerMap()
    try:
        t = _read(fmt, p, tid, encoding=encoding, speakers=smap, strict=strict)
    except (QualcodeError, Warning):  # a warning the caller turned into an error
        raise
    except (
        Exception
    ) as exc:  # the contract: nothing but QualcodeError leaves an importer
        raise ImportFormatError(
            Errors.QC222.format(path=p, format=fmt, detail=type(exc).__name__),
            path=p,
        ) from exc
    if table is not None:
        table.mark_used(tid, smap.used)
    if media is not None:
        t = t.with_attributes({"media": stored_media_path(media, p.parent)})
    return t


def speaker_table(
    speakers: Mapping[str, Any] | str | os.PathLike[str] | SpeakerTable | None,
    *,
    caller: str,
) -> SpeakerTable | None:
    """The ``speakers=`` argument as a :class:`SpeakerTable` (validated), or None.

    A mapping applies to every transcript; a path is read with
    :func:`read_speakers`; a :class:`SpeakerTable` is used as it is.

    Examples
    --------
    >>> speaker_table({"I": "interviewer"}, caller="f").for_transcript("t1")
    {'I': {'role': 'interviewer'}}
    >>> speaker_table(None, caller="f") is None
    True
    """
    if speakers is None:
        return None
    if isinstance(speakers, SpeakerTable):
        return speakers
    if isinstance(speakers, str | os.PathLike):
        return read_speakers(speakers)
    SpeakerMap(speakers, caller=caller)  # validates (QC101, QC220)
    return SpeakerTable.from_mapping(speakers)


def _read(
    fmt: str,
    p: Path,
    tid: str,
    *,
    encoding: str | None,
    speakers: SpeakerMap,
    strict: bool,
) -> Transcript:
    """Dispatch to the format's reader (imported only when needed)."""
    if fmt == "txt":
        from qualcode.io.txt import read_txt

        return read_txt(p, id=tid, encoding=encoding, speakers=speakers)
    if fmt == "docx":
        from qualcode.io.docx import read_docx

        return read_docx(p, id=tid, speakers=speakers)
    if fmt == "vtt":
        from qualcode.io.vtt import read_vtt

        return read_vtt(p, id=tid, encoding=encoding, speakers=speakers, strict=strict)
    if fmt == "srt":
        from qualcode.io.srt import read_srt

        return read_srt(p, id=tid, encoding=encoding, speakers=speakers, strict=strict)
    from qualcode.io.pdf import read_pdf

    return read_pdf(p, id=tid)
