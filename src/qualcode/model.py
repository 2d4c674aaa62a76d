"""The core value objects: :class:`Transcript`, :class:`Turn`, :class:`Coding`.

The stored text is the anchor. A transcript is one ``str`` with ``\\n`` newlines
and no BOM; turns and codings are ``[start, end)`` Python ``str`` indices into it.
Speaker labels are kept in the text in a readable form (``Speaker: utterance``
paragraphs) but outside the turn span, so ``text[turn.start:turn.end] == turn.text``.

Importers never compose the text themselves: they produce :class:`TurnDraft` items
and call :meth:`Transcript.build`, the single place where offsets are made.

This module imports nothing from qualcode.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Coding",
    "Transcript",
    "Turn",
    "TurnDraft",
    "ROLES",
    "clean_label",
    "format_timestamp",
]

Role = Literal["interviewer", "participant"]
ROLES: tuple[str, ...] = ("interviewer", "participant")

# How a turn is laid out in the stored text. One turn per paragraph.
TURN_SEPARATOR = "\n\n"
LABEL_SEPARATOR = ": "


_SPACE_RUN = re.compile(r"\s+")


def clean_label(label: str | None) -> str | None:
    """A speaker label as stored: one line, single spaces, no control characters.

    Line breaks (CR, LF, U+2028 ...), tabs and other control characters become
    spaces; format characters (zero-width space, BOM) are removed; runs of spaces
    collapse. A label left empty is None (no speaker).

    Examples
    --------
    >>> clean_label("Sam\\r\\nReid "), clean_label("\\ufeffP1"), clean_label(" \\x00 ")
    ('Sam Reid', 'P1', None)
    """
    if label is None:
        return None
    chars = []
    for ch in label:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        chars.append(" " if cat in ("Cc", "Zl", "Zp") else ch)
    out = _SPACE_RUN.sub(" ", "".join(chars)).strip()
    return out or None


def format_timestamp(seconds: float) -> str:
    """Format seconds as ``HH:MM:SS`` (with ``.mmm`` only when needed).

    Examples
    --------
    >>> format_timestamp(83)
    '00:01:23'
    >>> format_timestamp(3.5)
    '00:00:03.500'
    """
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    out = f"{h:02d}:{m:02d}:{s:02d}"
    return out + (f".{ms:03d}" if ms else "")


@dataclass(frozen=True, slots=True)
class TurnDraft:
    """One utterance as an importer reads it, before offsets exist.

    Parameters
    ----------
    text : str
        The utterance without its speaker label (``\\n`` allowed inside).
    speaker : str or None
        The speaker's label or name as given in the file.
    role : {"interviewer", "participant"} or None
        Filled by the importer from ``speakers=`` or the common labels.
    time_start, time_end : float or None
        Seconds from the start of the recording.
    """

    text: str
    speaker: str | None = None
    role: str | None = None
    time_start: float | None = None
    time_end: float | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: offsets into the transcript's stored text.

    Examples
    --------
    >>> t = Transcript.build("t1", [TurnDraft("Hello.", "Interviewer", "interviewer")])
    >>> turn = t.turns[0]
    >>> (turn.index, turn.speaker, turn.role, turn.start, turn.end, turn.text)
    (0, 'Interviewer', 'interviewer', 13, 19, 'Hello.')
    """

    index: int
    speaker: str | None
    role: str | None
    start: int
    end: int
    text: str
    time_start: float | None = None
    time_end: float | None = None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Transcript:
    """An imported transcript: stored text, turns with exact offsets, attributes.

    Build one with :meth:`Transcript.build` (importers do) or read one with
    :func:`qualcode.read_transcript`.

    Attributes
    ----------
    id : str
        Stable identifier (file stem by default).
    text : str
        The stored text: ``\\n`` newlines, no BOM, speaker labels outside turn spans.
    turns : tuple of Turn
    attributes : mapping
        Participant attributes (organisation, role, rank band, ...).
    source : str or None
        The path the transcript was read from.
    format : str or None
        ``txt``, ``docx``, ``vtt``, ``srt``, ``pdf``, ...
    encoding : str or None
        The encoding the file was decoded with (``utf-8``, ``utf-8-sig``,
        ``utf-16``, ``cp1252``).
    unused_labels : tuple of (str, int)
        What the importer saw but did not use: line starts shaped like a speaker
        label that were read as text (``("Note", 3)``: label and line), for
        :func:`qualcode.import_report`. Not stored in a project.
    notes : tuple of str
        What the importer repaired or noticed, naming lines, never quoting text
        (e.g. stray non-UTF-8 bytes). Not stored in a project.

    Examples
    --------
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("How long have you served?", "Interviewer", "interviewer"),
    ...         TurnDraft("Twelve years.", "P1", "participant", 3.0, 4.5),
    ...     ],
    ... )
    >>> print(t.text)
    Interviewer: How long have you served?
    <BLANKLINE>
    P1: Twelve years.
    >>> all(t.text[u.start : u.end] == u.text for u in t.turns)
    True
    >>> t.speakers
    ('Interviewer', 'P1')
    """

    id: str
    text: str
    turns: tuple[Turn, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    format: str | None = None
    encoding: str | None = None
    # import diagnostics: not part of a transcript's identity (==), not stored
    unused_labels: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("Transcript.id must be a non-empty string")
        object.__setattr__(self, "turns", tuple(self.turns))
        object.__setattr__(
            self,
            "unused_labels",
            tuple((str(a), int(b)) for a, b in self.unused_labels),
        )
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
        n = len(self.text)
        prev_end = 0
        for i, t in enumerate(self.turns):
            if t.index != i or not (prev_end <= t.start <= t.end <= n):
                raise ValueError(
                    f"Transcript '{self.id}': turn {i} has bad offsets "
                    f"[{t.start}, {t.end})"
                )
            if self.text[t.start : t.end] != t.text:
                raise ValueError(
                    f"Transcript '{self.id}': turn {i} text does not match "
                    "the stored text"
                )
            prev_end = t.end

    # -- construction ------------------------------------------------------
    @classmethod
    def build(
        cls,
        id: str,
        drafts: Iterable[TurnDraft],
        *,
        attributes: Mapping[str, Any] | None = None,
        source: str | None = None,
        format: str | None = None,
        encoding: str | None = None,
        unused_labels: Iterable[tuple[str, int]] = (),
        notes: Iterable[str] = (),
    ) -> Transcript:
        """Compose the stored text from turn drafts and compute exact offsets.

        Each turn becomes one paragraph ``Speaker: utterance`` (just the utterance
        when there is no speaker); paragraphs are separated by a blank line.
        Speaker labels are cleaned with :func:`clean_label` (one line, no control
        characters), so the stored text keeps ``\\n`` as its only line break.
        Newlines inside an utterance are normalised to ``\\n``; surrounding
        whitespace is stripped. Empty utterances are dropped.
        """
        parts: list[str] = []
        turns: list[Turn] = []
        pos = 0
        for d in drafts:
            body = (
                d.text.replace("\r\n", "\n")
                .replace("\r", "\n")
                .replace("\ufeff", "")
                .strip()
            )
            if not body:
                continue
            if parts:
                parts.append(TURN_SEPARATOR)
                pos += len(TURN_SEPARATOR)
            speaker = clean_label(d.speaker)
            if speaker:
                label = speaker + LABEL_SEPARATOR
                parts.append(label)
                pos += len(label)
            start = pos
            parts.append(body)
            pos += len(body)
            turns.append(
                Turn(
                    index=len(turns),
                    speaker=speaker,
                    role=d.role if speaker else None,
                    start=start,
                    end=pos,
                    text=body,
                    time_start=d.time_start,
                    time_end=d.time_end,
                )
            )
        return cls(
            id=id,
            text="".join(parts),
            turns=tuple(turns),
            attributes=attributes or {},
            source=source,
            format=format,
            encoding=encoding,
            unused_labels=tuple(unused_labels),
            notes=tuple(notes),
        )

    def with_attributes(self, attributes: Mapping[str, Any]) -> Transcript:
        """Return a copy with ``attributes`` merged over the current ones."""
        return replace(self, attributes={**self.attributes, **attributes})

    # -- views -------------------------------------------------------------
    @property
    def sha256(self) -> str:
        """SHA-256 of the stored text encoded as UTF-8 (hex)."""
        return _sha256(self.text)

    @property
    def media(self) -> str | None:
        """The path of the transcript's recording (audio or video), or None.

        It is the transcript attribute ``media``, set by
        ``read_transcript(..., media=path)``, a ``media`` column of the attributes
        file or ``project.set_attributes``; kept as given (a relative path is
        resolved by :func:`qualcode.media.find_media`: against the project's
        folder, then the folder of the transcript's own file).

        Examples
        --------
        >>> t = Transcript.build("t1", [TurnDraft("Yes.", "P1")])
        >>> t.media is None
        True
        >>> t.with_attributes({"media": "audio/t1.mp3"}).media
        'audio/t1.mp3'
        """
        value = self.attributes.get("media")
        if isinstance(value, str) and value.strip():
            return value.strip()
        return None

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speaker labels in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns if t.speaker))

    def turn_at(self, offset: int) -> Turn | None:
        """The turn whose span contains ``offset`` (or None between turns)."""
        import bisect

        starts = [t.start for t in self.turns]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and self.turns[i].start <= offset < max(
            self.turns[i].end, self.turns[i].start + 1
        ):
            return self.turns[i]
        return None

    def to_frame(self) -> pd.DataFrame:
        """One row per turn: ``transcript_id, turn, speaker, role, start, end,
        time_start, time_end, text``.

        Examples
        --------
        >>> t = Transcript.build("t1", [TurnDraft("Yes.", "P1", "participant")])
        >>> t.to_frame()[["transcript_id", "turn", "speaker", "start", "end", "text"]]
          transcript_id  turn speaker  start  end  text
        0            t1     0      P1      4    8  Yes.
        """
        from qualcode._columns import TURNS, frame

        rows = [
            {
                "transcript_id": self.id,
                "turn": t.index,
                "speaker": t.speaker,
                "role": t.role,
                "start": t.start,
                "end": t.end,
                "time_start": t.time_start,
                "time_end": t.time_end,
                "text": t.text,
            }
            for t in self.turns
        ]
        return frame(rows, TURNS)

    def __repr__(self) -> str:  # never print transcript text
        return (
            f"Transcript(id={self.id!r}, turns={len(self.turns)}, "
            f"chars={len(self.text)}, format={self.format!r})"
        )


@dataclass(frozen=True, slots=True)
class Coding:
    """One coding: a code applied by a coder to ``[start, end)`` of a transcript.

    ``origin`` says who made it: ``"manual"``, ``"consensus"``, or the tagger whose
    suggestion a coder accepted. Projects return codings as DataFrames
    (:meth:`qualcode.Project.codings`); this is the row as a value object.

    Examples
    --------
    >>> c = Coding("INT01", 120, 164, "disrupt-ocgs", "AB")
    >>> c.end - c.start, c.origin
    (44, 'manual')
    """

    transcript_id: str
    start: int
    end: int
    code: str
    coder: str
    origin: str = "manual"
    memo: str | None = None
    created: datetime | None = None
    coding_id: int | None = None
