"""SubRip ``.srt`` subtitles.

Blocks of an index line, a timing line ``00:00:01,000 --> 00:00:02,000`` (a ``.``
before the milliseconds and trailing ``X1:.. Y1:..`` coordinates are tolerated) and
text lines, separated by blank lines. A missing index is tolerated. Speakers come
from a ``Name:``, ``[Name]`` or ``[Name]:`` prefix (the label rule of
:mod:`qualcode.io._speakers`, as for WebVTT cues) or a ``<v Name>`` voice tag;
``<i>``, ``<b>``, ``<font>`` and ``{\\an8}`` styling is stripped. Consecutive cues by
one speaker are merged into one turn (first start,
last end), as for WebVTT; errors and ``strict=False`` behave as there.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import Errors, ImportFormatError
from qualcode.io._decode import decode, read_bytes
from qualcode.io._speakers import SpeakerMap
from qualcode.io.vtt import parse_cue_blocks, parse_cues
from qualcode.model import Transcript

__all__ = ["read_srt"]


def read_srt(
    path: Path,
    *,
    id: str,
    encoding: str | None = None,
    speakers: SpeakerMap | None = None,
    strict: bool = True,
) -> Transcript:
    """Read a SubRip file (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "zoom.srt"
    >>> _ = p.write_text(
    ...     "1\\n00:00:01,000 --> 00:00:02,500\\nInterviewer: How long\\n\\n"
    ...     "2\\n00:00:02,500 --> 00:00:04,000\\nInterviewer: have you served?\\n\\n"
    ...     "3\\n00:00:04,000 --> 00:00:06,000\\nP1: Twelve <i>years</i>.\\n"
    ... )
    >>> [
    ...     (u.speaker, u.time_start, u.time_end, u.text)
    ...     for u in read_srt(p, id="x").turns
    ... ]
    [('Interviewer', 1.0, 4.0, 'How long have you served?'),
     ('P1', 4.0, 6.0, 'Twelve years.')]
    """
    decoded = decode(read_bytes(path), path=path, encoding=encoding)
    numbered = list(enumerate(decoded.text.split("\n"), start=1))
    cues = parse_cue_blocks(
        numbered, path=path, strict=strict, expected="HH:MM:SS,mmm --> HH:MM:SS,mmm"
    )
    parsed = parse_cues(cues, speakers=speakers)
    drafts = parsed.drafts
    if not drafts:
        raise ImportFormatError(
            Errors.QC214.format(path=path, detail="no subtitle has any text"), path=path
        )
    return Transcript.build(
        id,
        drafts,
        source=str(path),
        format="srt",
        encoding=decoded.encoding,
        unused_labels=parsed.unused_labels,
        notes=decoded.notes,
    )
