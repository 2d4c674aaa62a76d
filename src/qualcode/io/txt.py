"""Plain-text transcripts (researchers' own typing, transcription services, Otter).

Conventions read (see :mod:`qualcode.io._speakers` for the label rule):

- ``Name:`` / ``I:`` / ``P1:`` / ``Interviewer:`` / ``Q:``/``A:`` labels at line start,
  and bracketed ``[Name]`` / ``[p2]`` / ``[Name]:`` labels (QDA and podcast exports;
  ``[inaudible]``-style annotations and ``[Name]`` redaction placeholders stay text);
- ``[00:01:23]``, ``(00:01:23)``, ``00:01:23`` or ``1:23`` timestamps before or after
  the label (``[00:01:23] I: ...``, ``I [00:01:23]: ...``, ``I: [00:01:23] ...``),
  or alone on the line before a turn;
- Otter-style header lines ``Speaker Name  0:03`` followed by the text lines;
  consecutive header entries by one speaker are merged;
- caption-style blocks ``00:00:01.000 --> 00:00:04.000`` / ``Speaker Name`` / text
  (older Teams exports pasted into documents);
- multi-line turns: lines without an accepted label continue the current turn, also
  after a blank line;
- a file with no accepted labels at all: each blank-line separated paragraph becomes
  a turn with speaker None (role None). Paragraphs before the first label likewise
  become speaker-less turns (titles, metadata lines).

Annotations such as ``[inaudible]`` and ``[crosstalk]`` are kept in the text. Line
breaks inside a turn are kept as ``\\n``. Teams' ``... started transcription`` /
``... stopped transcription`` lines become speaker-less turns of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import Errors, ImportFormatError
from qualcode.io._decode import decode, read_bytes
from qualcode.io._speakers import (
    Candidate,
    LabelRule,
    Parsed,
    SpeakerMap,
    match_header,
    match_label,
    match_time_only,
    parse_clock,
    plausible_label,
    split_leading_time,
)
from qualcode.model import Transcript, TurnDraft

__all__ = ["Parsed", "parse_lines", "parse_text", "read_txt"]

_ARROW = re.compile(
    r"^(?P<a>(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)\s*-->\s*"
    r"(?P<b>(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)\s*$"
)
_TEAMS_EVENT = re.compile(r"^.{1,80}\b(?:started|stopped) transcription\.?$")
_OTTER_FOOTER = re.compile(r"^Transcribed by\s+https?://otter\.ai\S*$", re.IGNORECASE)
_TERMINAL = ".?!;,"


@dataclass
class _Line:
    kind: str  # blank, time, arrow, header, label, text, event
    raw: str
    label: str | None = None
    time: float | None = None
    time_end: float | None = None
    rest: str = ""
    strong: bool = False
    bracketed: bool = False


@dataclass
class _Open:
    speaker: str | None
    style: str  # label, header, arrow, para
    time_start: float | None = None
    time_end: float | None = None
    lines: list[str] = field(default_factory=list)
    broken: bool = False  # a blank line was seen since the last text line


def _classify(raw: str) -> _Line:
    s = raw.strip()
    if not s:
        return _Line("blank", raw)
    if _OTTER_FOOTER.match(s):
        return _Line("footer", raw)
    m = _ARROW.match(s)
    if m:
        a, b = parse_clock(m.group("a")), parse_clock(m.group("b"))
        if a is not None and b is not None:
            return _Line("arrow", raw, time=a, time_end=b)
    t = match_time_only(s)
    if t is not None:
        return _Line("time", raw, time=t)
    if _TEAMS_EVENT.match(s):
        return _Line("event", raw, rest=s)
    h = match_header(s)
    if h is not None:
        return _Line("header", raw, label=h[0], time=h[1], strong=h[2])
    lm = match_label(s)
    if lm is not None:
        return _Line(
            "label",
            raw,
            label=lm.label,
            time=lm.time,
            rest=lm.rest,
            strong=lm.strong,
            bracketed=lm.bracketed,
        )
    t, rest = split_leading_time(s)
    return _Line("text", raw, time=t, rest=rest)


def _as_text(ln: _Line) -> _Line:
    t, rest = split_leading_time(ln.raw)
    return _Line("text", ln.raw, time=t, rest=rest)


def _arrow_speakers(lines: list[_Line], smap: SpeakerMap) -> None:
    """In caption-style blocks, a short first line followed by text is the speaker."""
    i = 0
    n = len(lines)
    while i < n:
        if lines[i].kind != "arrow":
            i += 1
            continue
        j = i + 1
        body: list[int] = []
        while (
            j < n
            and lines[j].kind not in ("arrow",)
            and not (lines[j].kind == "blank" and len(body) >= 2)
        ):
            if lines[j].kind != "blank":
                body.append(j)
            j += 1
        if len(body) >= 2:
            first = lines[body[0]]
            name = first.raw.strip()
            if first.kind in ("text", "header") and (
                smap.knows(name)
                or (
                    plausible_label(name)
                    and name[-1] not in _TERMINAL
                    and first.time is None
                )
            ):
                lines[body[0]] = _Line("cue-speaker", first.raw, label=name)
        i = j


def parse_lines(
    lines: Sequence[str],
    *,
    speakers: SpeakerMap | None = None,
    labels: Iterable[str] = (),
) -> list[TurnDraft]:
    """Turn drafts from text lines; ``""`` marks a paragraph break.

    Parameters
    ----------
    lines : sequence of str
        The document's lines (.docx: paragraph lines, ``""`` between paragraphs).
    speakers : SpeakerMap, optional
        Label -> name/role mapping (default roles otherwise).
    labels : iterable of str
        Labels to accept whatever the recurrence rule says (e.g. from a table's
        speaker column).

    Returns
    -------
    list of TurnDraft

    Examples
    --------
    >>> drafts = parse_lines(
    ...     ["I: How long?", "P1: Ten years.", "More on that.", "", "I: Thanks."]
    ... )
    >>> [(d.speaker, d.role, d.text) for d in drafts]  # doctest: +NORMALIZE_WHITESPACE
    [('I', 'interviewer', 'How long?'),
     ('P1', 'participant', 'Ten years.\\nMore on that.'),
     ('I', 'interviewer', 'Thanks.')]
    """
    return parse_text(lines, speakers=speakers, labels=labels).drafts


def _shape(ln: _Line) -> str:
    if ln.kind == "header":
        return "header"
    return "bracket" if ln.bracketed else "colon"


def _vote(
    classified: list[_Line], smap: SpeakerMap, labels: Iterable[str]
) -> tuple[tuple[str, int], ...]:
    """Turn rejected label candidates into text; the unused ones, with lines."""
    cands = {
        i: Candidate(ln.label, i + 1, _shape(ln), ln.strong)
        for i, ln in enumerate(classified)
        if ln.kind in ("label", "header") and ln.label
    }
    rule = LabelRule(list(cands.values()), speakers=smap, forced=labels)
    unused: list[tuple[str, int]] = []
    for i, c in cands.items():
        if rule.accepts(c):
            continue
        classified[i] = _as_text(classified[i])
        if rule.reported(c):
            unused.append((c.label, c.line))
    return tuple(unused)


def parse_text(
    lines: Sequence[str],
    *,
    speakers: SpeakerMap | None = None,
    labels: Iterable[str] = (),
) -> Parsed:
    """Like :func:`parse_lines`, and also the label-shaped lines left unused.

    Examples
    --------
    >>> out = parse_text(["I: Ready?", "Note: the tape starts.", "P1: Yes."])
    >>> [d.speaker for d in out.drafts], out.unused_labels
    (['I', 'P1'], (('Note', 2),))
    """
    smap = speakers if speakers is not None else SpeakerMap()
    classified = [_classify(raw) for raw in lines]
    unused = _vote(classified, smap, labels)
    if any(ln.kind == "arrow" for ln in classified):
        _arrow_speakers(classified, smap)

    opened: list[_Open] = []
    cur: _Open | None = None
    pending_time: float | None = None
    pending_end: float | None = None
    arrow_open = False

    def close() -> None:
        nonlocal cur
        if cur is not None:
            opened.append(cur)
        cur = None

    for ln in classified:
        kind = ln.kind
        if kind == "footer":
            continue
        if kind == "blank":
            if cur is not None:
                cur.broken = True
                if cur.speaker is None and cur.lines and cur.style == "para":
                    close()
            continue
        if kind == "time":
            if cur is not None and not cur.lines and cur.time_start is None:
                cur.time_start = ln.time
            else:
                pending_time = ln.time
            continue
        if kind == "arrow":
            pending_time, pending_end = ln.time, ln.time_end
            arrow_open = True
            continue
        if kind == "event":
            close()
            opened.append(_Open(None, "event", pending_time, None, [ln.rest]))
            pending_time = None
            continue
        if kind in ("label", "header", "cue-speaker"):
            close()
            style = {"label": "label", "header": "header", "cue-speaker": "arrow"}[kind]
            t = ln.time if ln.time is not None else pending_time
            cur = _Open(
                ln.label, style, t, pending_end if kind == "cue-speaker" else None
            )
            if ln.rest:
                cur.lines.append(ln.rest)
            pending_time = pending_end = None
            arrow_open = False
            continue
        # text
        text = ln.rest
        if (
            cur is None
            or (cur.speaker is None and cur.broken)
            or (arrow_open and cur.speaker is None)
        ):
            close()
            t = ln.time if ln.time is not None else pending_time
            cur = _Open(None, "para", t, pending_end if arrow_open else None)
            pending_time = pending_end = None
            arrow_open = False
        elif arrow_open:
            # a new caption block without a speaker line continues the current speaker
            if pending_end is not None:
                cur.time_end = pending_end
            pending_time = pending_end = None
            arrow_open = False
        else:
            pending_time = None  # a timestamp inside a turn does not start the next one
        if not cur.lines and cur.time_start is None and ln.time is not None:
            cur.time_start = ln.time
        cur.lines.append(text)
        cur.broken = False
    close()

    # merge consecutive machine-split entries (Otter/Teams headers, caption blocks)
    # by one speaker
    merged: list[_Open] = []
    for o in opened:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and o.style in ("header", "arrow")
            and prev.style == o.style
            and o.speaker is not None
            and prev.speaker is not None
            and prev.speaker.casefold() == o.speaker.casefold()
        ):
            prev.lines.extend(o.lines)
            if o.time_end is not None:
                prev.time_end = o.time_end
            continue
        merged.append(o)

    drafts: list[TurnDraft] = []
    for o in merged:
        body = "\n".join(line.strip() for line in o.lines).strip()
        if not body:
            continue
        name, role = smap.resolve(o.speaker)
        drafts.append(TurnDraft(body, name, role, o.time_start, o.time_end))
    return Parsed(drafts, unused)


def read_txt(
    path: Path,
    *,
    id: str,
    encoding: str | None = None,
    speakers: SpeakerMap | None = None,
) -> Transcript:
    """Read a plain-text transcript (see the module docstring for the conventions).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "int01.txt"
    >>> _ = p.write_text(
    ...     "Interviewer: How long?\\r\\nP1: Ten years. [inaudible]\\r\\n",
    ...     encoding="utf-8",
    ... )
    >>> t = read_txt(p, id="int01")
    >>> [(u.speaker, u.role, u.text) for u in t.turns]
    [('Interviewer', 'interviewer', 'How long?'),
     ('P1', 'participant', 'Ten years. [inaudible]')]
    """
    decoded = decode(read_bytes(path), path=path, encoding=encoding)
    if not decoded.text.strip():
        raise ImportFormatError(Errors.QC202.format(path=path), path=path)
    parsed = parse_text(decoded.text.split("\n"), speakers=speakers)
    drafts = parsed.drafts
    if not drafts:
        raise ImportFormatError(
            Errors.QC214.format(path=path, detail="only timestamps or blank lines"),
            path=path,
        )
    return Transcript.build(
        id,
        drafts,
        source=str(path),
        format="txt",
        encoding=decoded.encoding,
        unused_labels=parsed.unused_labels,
        notes=decoded.notes,
    )
