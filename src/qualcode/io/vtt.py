"""WebVTT captions (Microsoft Teams, Zoom, Stream, YouTube ...).

Read: the ``WEBVTT`` header line and its header block; cue identifiers; cue timings
``00:01:02.500 --> 00:01:04.000`` with or without hours (a ``,`` before the
milliseconds and a missing fraction are tolerated) and cue settings after them;
``NOTE``, ``STYLE`` and ``REGION`` blocks (skipped); Teams voice tags
``<v Speaker Name>text</v>``, with or without the closing ``</v>``, several per cue;
Zoom's ``Name: text`` cues and podcast tools' ``[Name] text`` / ``[Name]: text``
cues (the label rule of :mod:`qualcode.io._speakers`: lower-case display names such
as ``jane doe:`` count; when at least half the speaker-less cues start with an
accepted label, a label that occurs once counts too, since cue starts are where
Zoom puts names; bracketed annotations such as ``[Music]`` stay text); all
other inline tags (``<c.x>``, ``<i>``, ``<b>``, ``<u>``, ``<lang>``, ``<ruby>``,
``<00:00:01.000>``) are stripped and HTML entities unescaped.

Consecutive cues by one speaker become one turn with the first cue's start and
the last cue's end; line breaks inside a cue become spaces. Cues without a
speaker stay separate turns (speaker None, role None).

Errors: a malformed timing line, a cue that ends before it starts, a block with
no timing line, or a missing ``WEBVTT`` header raise :class:`ImportFormatError`
naming the file and line; with ``strict=False`` such cues are skipped with an
:class:`ImportWarning_` instead.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.errors import Errors, ImportFormatError, ImportWarning_
from qualcode.io._decode import decode, read_bytes
from qualcode.io._speakers import (
    Candidate,
    LabelRule,
    Parsed,
    SpeakerMap,
    match_label,
)
from qualcode.model import Transcript, TurnDraft, format_timestamp

__all__ = ["Cue", "cues_to_drafts", "parse_cue_blocks", "parse_cues", "read_vtt"]

_TIMING = re.compile(r"^\s*(?P<a>\S+)\s*-->\s*(?P<b>[^\s]+)(?P<settings>.*)$")
_STAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_VOICE = re.compile(
    r"<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>|</v\s*>", re.IGNORECASE
)
_TAG = re.compile(r"<[^>\n]*>")
_ASS = re.compile(r"\{\\[^}]*\}")
_STAMP_SHAPED = re.compile(r"^(?=[^:]*:)[\d:.,]{1,4}[\d:.,a-zA-Z]{0,12}$")
_CUE_ID_ONLY = re.compile(r"^[\w.:/-]{1,80}$")


@dataclass(frozen=True, slots=True)
class Cue:
    """One caption cue: where it starts in the file, its times and payload lines."""

    line: int
    start: float
    end: float
    payload: tuple[str, ...]


def parse_stamp(value: str) -> float | None:
    """Seconds from a caption timestamp (``00:01:02.500``, ``01:02.5``, ``00:00:01,0``).

    Examples
    --------
    >>> parse_stamp("00:01:02.500"), parse_stamp("01:02.5"), parse_stamp("00:00:01,000")
    (62.5, 62.5, 1.0)
    >>> parse_stamp("00:61:00.000") is None
    True
    """
    m = _STAMP.match(value.strip())
    if not m:
        return None
    h, mnt, sec, frac = m.groups()
    if int(mnt) > 59 or int(sec) > 59:
        return None
    t = (
        int(h or 0) * 3600
        + int(mnt) * 60
        + int(sec)
        + (int(frac) / 10 ** len(frac) if frac else 0.0)
    )
    return round(float(t), 3)


def _shown_stamp(token: str | None) -> str:
    """A bad time stamp for a message: quoted when it is stamp-shaped, else not.

    Messages never quote transcript text; a token of digits and separators is not.
    """
    if token is not None and _STAMP_SHAPED.match(token):
        return repr(token)
    return "(not a time)"


def _problem(exc: ImportFormatError, *, strict: bool, path: object, line: int) -> None:
    if strict:
        raise exc
    detail = str(exc).split("] ", 1)[-1]
    warnings.warn(
        ImportWarning_(Errors.QC219.format(path=path, line=line, detail=detail)),
        stacklevel=4,
    )


def parse_cue_blocks(
    numbered: Sequence[tuple[int, str]],
    *,
    path: object,
    strict: bool,
    expected: str,
    skip_block: object = None,
) -> list[Cue]:
    """Cues from ``(line number, line)`` pairs split into blank-line separated blocks.

    ``skip_block(first_line)`` returns True for blocks to ignore (NOTE, STYLE ...).
    """
    blocks: list[list[tuple[int, str]]] = []
    cur: list[tuple[int, str]] = []
    for no, line in numbered:
        if line.strip():
            cur.append((no, line))
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)

    cues: list[Cue] = []
    for block in blocks:
        if callable(skip_block) and skip_block(block[0][1]):
            continue
        # a block holds several cues when blank lines are missing: split at timings
        starts = [i for i, (_, s) in enumerate(block) if "-->" in s]
        if not starts or starts[0] > 1:
            no, s = block[0]
            _problem(
                ImportFormatError(
                    Errors.QC216.format(path=path, line=no),
                    path=path,
                    line=no,
                ),
                strict=strict,
                path=path,
                line=no,
            )
            if not starts:
                continue
        for k, i in enumerate(starts):
            stop = starts[k + 1] if k + 1 < len(starts) else len(block)
            payload = [s for _, s in block[i + 1 : stop]]
            if (
                k + 1 < len(starts)
                and payload
                and _CUE_ID_ONLY.match(payload[-1].strip())
                and stop - 1 > i + 1
            ):
                payload = payload[:-1]  # the next cue's identifier
            no, timing = block[i]
            cue = _timing(no, timing, path=path, strict=strict, expected=expected)
            if cue is None:
                continue
            start, end = cue
            payload = [s for s in payload if s.strip()]
            if payload:
                cues.append(Cue(no, start, end, tuple(payload)))
    return cues


def _timing(
    no: int, s: str, *, path: object, strict: bool, expected: str
) -> tuple[float, float] | None:
    m = _TIMING.match(s)
    if not m:
        _problem(
            ImportFormatError(
                Errors.QC210.format(
                    path=path, line=no, got=_shown_stamp(None), expected=expected
                ),
                path=path,
                line=no,
            ),
            strict=strict,
            path=path,
            line=no,
        )
        return None
    a, b = parse_stamp(m.group("a")), parse_stamp(m.group("b"))
    if a is None or b is None:
        bad = m.group("a") if a is None else m.group("b")
        _problem(
            ImportFormatError(
                Errors.QC210.format(
                    path=path, line=no, got=_shown_stamp(bad), expected=expected
                ),
                path=path,
                line=no,
            ),
            strict=strict,
            path=path,
            line=no,
        )
        return None
    if b < a:
        _problem(
            ImportFormatError(
                Errors.QC211.format(
                    path=path,
                    line=no,
                    start=format_timestamp(a),
                    end=format_timestamp(b),
                ),
                path=path,
                line=no,
            ),
            strict=strict,
            path=path,
            line=no,
        )
        return None
    return a, b


def _clean(text: str) -> str:
    text = _ASS.sub("", _TAG.sub("", text))
    text = (
        html.unescape(text)
        .replace("\u200e", "")
        .replace("\u200f", "")
        .replace("\xa0", " ")
    )
    return " ".join(text.split())


def _voice_segments(payload: Sequence[str]) -> list[tuple[str | None, str]]:
    """Split a cue payload at voice tags: [(voice or None, cleaned text)]."""
    raw = "\n".join(payload)
    out: list[tuple[str | None, str]] = []
    voice: str | None = None
    pos = 0
    for m in _VOICE.finditer(raw):
        chunk = _clean(raw[pos : m.start()])
        if chunk:
            out.append((voice, chunk))
        if m.group(0).startswith("</"):
            voice = None
        else:
            name = " ".join(html.unescape(m.group("name") or "").split())
            voice = name or None
        pos = m.end()
    chunk = _clean(raw[pos:])
    if chunk:
        out.append((voice, chunk))
    return out


def cues_to_drafts(
    cues: Sequence[Cue], *, speakers: SpeakerMap | None = None
) -> list[TurnDraft]:
    """Turn drafts from cues: voices or ``Name:`` prefixes, same-speaker cues merged.

    Examples
    --------
    >>> cues = [
    ...     Cue(3, 0.0, 2.0, ("<v Sam Reid>How long",)),
    ...     Cue(6, 2.0, 3.5, ("<v Sam Reid>have you served?</v>",)),
    ...     Cue(9, 4.0, 6.0, ("<v Alex Khan>Twelve years.</v>",)),
    ... ]
    >>> [(d.speaker, d.text, d.time_start, d.time_end) for d in cues_to_drafts(cues)]
    [('Sam Reid', 'How long have you served?', 0.0, 3.5),
     ('Alex Khan', 'Twelve years.', 4.0, 6.0)]
    """
    return parse_cues(cues, speakers=speakers).drafts


@dataclass(frozen=True, slots=True)
class _Seg:
    voice: str | None
    text: str
    start: float
    end: float
    line: int


def _cue_labels(segs: list[_Seg], smap: SpeakerMap) -> tuple[tuple[str, int], ...]:
    """Give label-prefixed segments their speaker; the unused labels, with lines."""
    found = {
        i: (
            m,
            Candidate(
                m.label, seg.line, "bracket" if m.bracketed else "colon", m.strong
            ),
        )
        for i, seg in enumerate(segs)
        if seg.voice is None and (m := match_label(seg.text)) is not None and m.rest
    }
    cands = [c for _, c in found.values()]
    plain = sum(seg.voice is None for seg in segs)
    first = LabelRule(cands, speakers=smap, lowercase=True)
    accepted = sum(first.accepts(c) for c in cands)
    # Zoom-style files (most cues start with an accepted label): a label said only
    # once also counts, because cue starts are where speaker names go.
    labelled = plain > 0 and accepted >= 0.5 * plain
    rule = LabelRule(cands, speakers=smap, lowercase=True, one_off=labelled)
    unused: list[tuple[str, int]] = []
    for i, (m, c) in found.items():
        if rule.accepts(c):
            seg = segs[i]
            segs[i] = _Seg(m.label, m.rest, seg.start, seg.end, seg.line)
        elif rule.reported(c):
            unused.append((c.label, c.line))
    return tuple(unused)


def parse_cues(cues: Sequence[Cue], *, speakers: SpeakerMap | None = None) -> Parsed:
    """Like :func:`cues_to_drafts`, and also the label-shaped cue starts left unused.

    Examples
    --------
    >>> out = parse_cues(
    ...     [Cue(3, 0.0, 1.0, ("Note: tape on.",)), Cue(6, 1.0, 2.0, ("I: Ready?",))]
    ... )
    >>> [d.speaker for d in out.drafts], out.unused_labels
    ([None, 'I'], (('Note', 3),))
    """
    smap = speakers if speakers is not None else SpeakerMap()
    segs = [
        _Seg(voice, text, cue.start, cue.end, cue.line)
        for cue in cues
        for voice, text in _voice_segments(cue.payload)
    ]
    unused = _cue_labels(segs, smap)
    drafts: list[TurnDraft] = []
    cur: list[Any] = []  # [speaker, [texts], start, end]
    for seg in segs:
        speaker = seg.voice
        if (
            cur
            and speaker is not None
            and cur[0] is not None
            and cur[0].casefold() == speaker.casefold()
        ):
            cur[1].append(seg.text)
            cur[3] = max(cur[3], seg.end)
            continue
        if cur:
            drafts.append(_draft(cur, smap))
        cur = [speaker, [seg.text], seg.start, seg.end]
    if cur:
        drafts.append(_draft(cur, smap))
    return Parsed(drafts, unused)


def _draft(cur: list[Any], smap: SpeakerMap) -> TurnDraft:
    name, role = smap.resolve(cur[0])
    return TurnDraft(" ".join(cur[1]), name, role, cur[2], cur[3])


def _skip_vtt_block(first: str) -> bool:
    s = first.strip()
    word = s.split(None, 1)[0] if s else ""
    return word in ("NOTE", "STYLE", "REGION") and "-->" not in s


def read_vtt(
    path: Path,
    *,
    id: str,
    encoding: str | None = None,
    speakers: SpeakerMap | None = None,
    strict: bool = True,
) -> Transcript:
    """Read a WebVTT file (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "teams.vtt"
    >>> _ = p.write_text(
    ...     "WEBVTT\\n\\nNOTE exported by Teams\\n\\n"
    ...     "1\\n00:00:01.000 --> 00:00:03.000\\n"
    ...     "<v Interviewer>How long?</v>\\n\\n"
    ...     "2\\n00:00:03.500 --> 00:00:05.000 align:start\\n"
    ...     "<v Alex Khan>Twelve years."
    ... )
    >>> [
    ...     (u.speaker, u.role, u.time_start, u.time_end, u.text)
    ...     for u in read_vtt(p, id="x").turns
    ... ]
    [('Interviewer', 'interviewer', 1.0, 3.0, 'How long?'),
     ('Alex Khan', 'participant', 3.5, 5.0, 'Twelve years.')]
    """
    decoded = decode(read_bytes(path), path=path, encoding=encoding)
    lines = decoded.text.split("\n")
    first = lines[0].strip() if lines else ""
    body_from = 0
    if first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t")):
        body_from = 1
        while body_from < len(lines) and lines[body_from].strip():
            if "-->" in lines[body_from]:  # no blank line after the header
                break
            body_from += 1
    else:
        exc = ImportFormatError(Errors.QC212.format(path=path), path=path, line=1)
        _problem(exc, strict=strict, path=path, line=1)
    numbered = [(i + 1, lines[i]) for i in range(body_from, len(lines))]
    cues = parse_cue_blocks(
        numbered,
        path=path,
        strict=strict,
        expected="HH:MM:SS.mmm --> HH:MM:SS.mmm",
        skip_block=_skip_vtt_block,
    )
    parsed = parse_cues(cues, speakers=speakers)
    drafts = parsed.drafts
    if not drafts:
        raise ImportFormatError(
            Errors.QC214.format(path=path, detail="no cue has any text"), path=path
        )
    return Transcript.build(
        id,
        drafts,
        source=str(path),
        format="vtt",
        encoding=decoded.encoding,
        unused_labels=parsed.unused_labels,
        notes=decoded.notes,
    )
