"""PDF text documents (strategy papers, policies, reports) via pypdf.

Each page with text becomes one paragraph, i.e. one turn with speaker None and
role None (``time_start``/``time_end`` None). Within a page the extracted line
breaks are kept, runs of spaces collapsed, and a first or last line that is only
a page number (``3``, ``- 3 -``, ``Page 3``, ``Page 3 of 12``) is dropped.

De-hyphenation: a word broken across lines as ``polic-`` / ``ing`` is joined
(``policing``) when the next line continues in lower case, unless the document
itself spells the hyphenated form (``drug-related``) elsewhere and never the
joined one, in which case the hyphen is kept and only the line break removed.
A hyphen before an upper-case letter or digit (``COVID-`` / ``19``) is kept.

A PDF without extractable text (a scan) raises :class:`ImportFormatError` telling
the user to run OCR first; an encrypted PDF that does not open with an empty
password likewise.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

from qualcode._optional import import_optional
from qualcode.errors import Errors, ImportFormatError, QualcodeError
from qualcode.io._decode import exception_detail, read_bytes
from qualcode.model import Transcript, TurnDraft

__all__ = ["dehyphenate", "read_pdf"]

_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")
_PAGE_NO = re.compile(
    r"^(?:[-\u2013\u2014]\s*)?(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?(?:\s*[-\u2013\u2014])?$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+(?:-\w+)*")


def dehyphenate(text: str, *, vocabulary: str | None = None) -> str:
    """Join words broken across lines with a hyphen (see the module docstring).

    Parameters
    ----------
    text : str
    vocabulary : str, optional
        Text whose spellings decide between ``drug-related`` and ``drugrelated``
        (default: ``text`` itself).

    Examples
    --------
    >>> dehyphenate("Neighbourhood polic-\\ning works.")
    'Neighbourhood policing works.'
    >>> dehyphenate("A drug-related death. Another drug-\\nrelated harm.")
    'A drug-related death. Another drug-related harm.'
    >>> dehyphenate("COVID-\\n19 changed things.")
    'COVID-19 changed things.'
    """
    vocab_text = vocabulary if vocabulary is not None else text
    unbroken = _BREAK.sub(" ", vocab_text)
    words = {w.casefold() for w in _WORD.findall(unbroken)}
    parts = {w for w in words if "-" in w}

    def fix(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if not b[0].islower():
            return f"{a}-{b}"
        joined, hyph = f"{a}{b}".casefold(), f"{a}-{b}".casefold()
        if hyph in parts and joined not in words:
            return f"{a}-{b}"
        return f"{a}{b}"

    return _BREAK.sub(fix, text)


def _clean_page(text: str) -> str:
    lines = [
        " ".join(line.split())
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if lines and _PAGE_NO.match(lines[0]):
        lines.pop(0)
    if lines and _PAGE_NO.match(lines[-1]):
        lines.pop()
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def read_pdf(path: Path, *, id: str) -> Transcript:
    """Read a PDF text document: one speaker-less turn per page with text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fpdf import FPDF
    >>> pdf = FPDF()
    >>> pdf.add_page()
    >>> pdf.set_font("helvetica", size=12)
    >>> _ = pdf.multi_cell(
    ...     0, 8, "Drugs strategy 2030. We will reduce drug-related harm."
    ... )
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "strategy.pdf"
    >>> pdf.output(str(p))
    >>> t = read_pdf(p, id="strategy")
    >>> [(u.speaker, u.role, u.text) for u in t.turns]
    [(None, None, 'Drugs strategy 2030. We will reduce drug-related harm.')]
    """
    data = read_bytes(path)
    pypdf = import_optional(
        "pypdf",
        extra="pdf",
        caller="read_transcript",
        what="read_transcript(format='pdf')",
    )
    if b"%PDF" not in data[:1024]:
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="PDF", detail="no %PDF header"),
            path=path,
            position=0,
        )
    pypdf_log = logging.getLogger("pypdf")
    old_level = pypdf_log.level
    pypdf_log.setLevel(
        logging.ERROR
    )  # pypdf logs repairs as warnings; errors below say what matters
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except (
                    Exception
                ) as exc:  # missing crypto backend or broken encryption dictionary
                    raise ImportFormatError(
                        Errors.QC218.format(path=path), path=path
                    ) from exc
                if not ok:
                    raise ImportFormatError(Errors.QC218.format(path=path), path=path)
            pages = [page.extract_text() or "" for page in reader.pages]
    except QualcodeError:
        raise
    except (
        Exception
    ) as exc:  # pypdf raises many types on damaged files (PdfReadError, KeyError, ...)
        detail = exception_detail(exc)
        raise ImportFormatError(
            Errors.QC206.format(path=path, format="PDF", detail=detail), path=path
        ) from exc
    finally:
        pypdf_log.setLevel(old_level)
    cleaned = [_clean_page(p) for p in pages]
    whole = "\n".join(cleaned)
    drafts = [TurnDraft(dehyphenate(c, vocabulary=whole)) for c in cleaned if c]
    if not drafts:
        raise ImportFormatError(
            Errors.QC213.format(path=path, pages=len(pages)), path=path
        )
    return Transcript.build(id, drafts, source=str(path), format="pdf", encoding=None)
