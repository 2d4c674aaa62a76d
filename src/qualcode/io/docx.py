"""Word ``.docx`` transcripts (python-docx), including Microsoft Teams' export.

The body is read in document order. Each paragraph's text (runs, hyperlinks,
tracked insertions; not tracked deletions or field codes; ``<w:br/>`` as a line
break) becomes a paragraph of lines, and the same conventions as plain text apply
(:mod:`qualcode.io.txt`): ``Name:`` labels with optional timestamps, header lines
``Speaker Name   0:03`` followed by text paragraphs (the Teams .docx layout, where the
meeting title, date and duration lines before the first speaker become speaker-less
turns), caption-style ``0:0:0.0 --> 0:0:5.120`` / name / text blocks (older Teams and
Stream exports), multi-paragraph turns, and no labels at all (each paragraph a turn
with speaker None).

Tables: a table whose header row names a speaker column (``Speaker``, ``Name``) and a
text column (``Text``, ``Transcript``, ``Utterance``, ...), optionally a time column,
or a two-column table whose first column holds a few short recurring labels, is read
as one turn per row. Other tables are read cell by cell, row by row, as paragraphs.
Headers, footers, comments and text boxes are not read.

Before python-docx reads anything, the archive's directory is checked against the
limits of :mod:`qualcode.io._zipcheck` (part sizes, compression ratios, XML part
size): a zip bomb is refused with :class:`~qualcode.errors.ImportFormatError`
instead of exhausting memory.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qualcode.errors import Errors, ImportFormatError, QualcodeError
from qualcode.io._decode import exception_detail, read_bytes
from qualcode.io._speakers import SpeakerMap, parse_clock, plausible_label
from qualcode.io._zipcheck import check_office_zip
from qualcode.io.txt import parse_text
from qualcode.model import Transcript, format_timestamp

__all__ = ["read_docx"]

_SPEAKER_HEADS = {"speaker", "speaker name", "name", "who", "participant"}
_TEXT_HEADS = {
    "text",
    "transcript",
    "utterance",
    "content",
    "speech",
    "what was said",
    "dialogue",
    "transcription",
}
_TIME_HEADS = {
    "time",
    "timestamp",
    "time stamp",
    "start",
    "start time",
    "timecode",
    "time code",
}


def _para_text(p: Any, W: str) -> str:
    """Visible text of a ``w:p`` element (tracked insertions in, deletions out)."""
    out: list[str] = []
    skip = {W + "del", W + "moveFrom", W + "instrText", W + "delText"}

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "sym":
                continue
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _cell_text(tc: Any, W: str) -> str:
    return "\n".join(_para_text(p, W) for p in tc.iter(W + "p"))


def _table_rows(tbl: Any, W: str) -> list[list[str]]:
    rows = []
    for tr in tbl.iterchildren(W + "tr"):
        rows.append([_cell_text(tc, W).strip() for tc in tr.iterchildren(W + "tc")])
    return rows


def _table_lines(rows: list[list[str]], labels: set[str]) -> list[str]:
    """Lines for a table: ``[time] Speaker: text`` rows, or cell texts."""
    if not rows:
        return []
    head = [" ".join(c.lower().split()).rstrip(":") for c in rows[0]]
    spk = next((i for i, h in enumerate(head) if h in _SPEAKER_HEADS), None)
    txt = next((i for i, h in enumerate(head) if h in _TEXT_HEADS), None)
    tim = next((i for i, h in enumerate(head) if h in _TIME_HEADS), None)
    body = rows[1:]
    if spk is None or txt is None:
        # headerless two-column speaker | text table?
        two = [r for r in rows if len(r) == 2]
        firsts = [r[0] for r in two if r[0]]
        if (
            len(two) == len(rows) >= 2
            and firsts
            and all(plausible_label(f) and ":" not in f.rstrip(":") for f in firsts)
            and len({f.rstrip(":").casefold() for f in firsts})
            <= max(3, len(firsts) // 2)
        ):
            spk, txt, tim, body = 0, 1, None, rows
    lines: list[str] = []
    if spk is not None and txt is not None:
        for r in body:
            if max(spk, txt) >= len(r):
                continue
            name = r[spk].strip().rstrip(":").strip()
            text = r[txt].strip()
            t = parse_clock(r[tim]) if tim is not None and tim < len(r) else None
            prefix = f"[{format_timestamp(t)}] " if t is not None else ""
            if name and plausible_label(name) and ":" not in name:
                labels.add(name)
                first, *more = text.split("\n") if text else [""]
                lines.append(f"{prefix}{name}: {first}")
                lines.extend(more)
            else:
                lines.extend(text.split("\n"))
            lines.append("")
        return lines
    seen: set[str] = set()
    for r in rows:
        for cell in r:
            if cell and cell not in seen:  # merged cells repeat their text
                seen.add(cell)
                lines.extend(cell.split("\n"))
                lines.append("")
        seen.clear()
    return lines


def _signature_hint(data: bytes) -> str | None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "it is an old binary Word .doc file; open it in Word and save it as .docx"
        )
    if data.startswith(b"{\\rtf"):
        return "it is an RTF file; open it in Word and save it as .docx"
    if data.startswith(b"%PDF"):
        return "it is a PDF; pass format='pdf'"
    if not data.startswith(b"PK"):
        return "it is not a zip container"
    return None


def read_docx(path: Path, *, id: str, speakers: SpeakerMap | None = None) -> Transcript:
    """Read a .docx transcript (see the module docstring for the layouts understood).

    Examples
    --------
    >>> import tempfile, pathlib, docx
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "teams.docx"
    >>> d = docx.Document()
    >>> for line in [
    ...     "Sam Reid   0:03",
    ...     "How long have you served?",
    ...     "Alex Khan   0:09",
    ...     "Twelve years.",
    ... ]:
    ...     _ = d.add_paragraph(line)
    >>> d.save(p)
    >>> t = read_docx(p, id="teams", speakers=SpeakerMap({"Sam Reid": "interviewer"}))
    >>> [(u.speaker, u.role, u.time_start, u.text) for u in t.turns]
    [('Sam Reid', 'interviewer', 3.0, 'How long have you served?'),
     ('Alex Khan', 'participant', 9.0, 'Twelve years.')]
    """
    data = read_bytes(path)
    hint = _signature_hint(data)
    if hint is not None:
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="docx", detail=hint),
            path=path,
            position=0,
        )
    check_office_zip(path, format="docx")  # sizes and ratios, before any part is read
    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
        W = qn("w:p")[: -len("p")]
        body = document.element.body
        lines: list[str] = []
        labels: set[str] = set()
        for el in body.iterchildren():
            if el.tag == W + "p":
                lines.extend(_para_text(el, W).split("\n"))
                lines.append("")
            elif el.tag == W + "tbl":
                lines.extend(_table_lines(_table_rows(el, W), labels))
            elif el.tag == W + "sdt":  # content controls wrap paragraphs
                for p in el.iter(W + "p"):
                    lines.extend(_para_text(p, W).split("\n"))
                    lines.append("")
    except QualcodeError:
        raise
    except Exception as exc:  # python-docx, zipfile, lxml and KeyError on damaged parts
        detail = exception_detail(exc)
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="docx", detail=detail),
            path=path,
        ) from exc
    parsed = parse_text(lines, speakers=speakers, labels=labels)
    drafts = parsed.drafts
    if not drafts:
        raise ImportFormatError(
            Errors.QC214.format(
                path=path, detail="the document has no text paragraphs"
            ),
            path=path,
        )
    return Transcript.build(
        id,
        drafts,
        source=str(path),
        format="docx",
        encoding=None,
        unused_labels=parsed.unused_labels,
    )
