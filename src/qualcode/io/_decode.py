"""Bytes to text for the text-based importers (txt, vtt, srt).

The rule, in order:

1. ``encoding=`` given: decode with it (a leading BOM of that family is dropped).
2. A byte-order mark decides: UTF-8 BOM -> ``utf-8-sig``; UTF-32 / UTF-16 BOMs ->
   ``utf-32`` / ``utf-16``.
3. Strict UTF-8 -> ``utf-8``.
4. BOM-less UTF-16 (every other byte is NUL in mostly-ASCII text) -> ``utf-16-le`` /
   ``utf-16-be``.
5. Mostly UTF-8 (valid multi-byte UTF-8 characters, at least one per ten invalid
   bytes: a UTF-8 file with a character pasted from Word; Windows-1252 text almost
   never forms a valid UTF-8 sequence by chance) -> ``utf-8``; only the
   invalid bytes are read as Windows-1252 (U+FFFD where cp1252 has no character),
   with an :class:`~qualcode.errors.ImportWarning_` naming the file and lines
   [QC228]. Such a file is never re-decoded as a whole as cp1252, which would turn
   every ``ë`` into ``Ã«``.
6. Windows-1252 (what Word and Notepad on Windows write) -> ``cp1252``.

Newlines are normalised (CRLF and CR become LF) and no BOM is left in the text.
The reported encoding is the one that decoded the file, so a reader can tell
a ``cp1252`` file apart from a UTF-8 one.
"""

from __future__ import annotations

import codecs
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import Errors, ImportFormatError, ImportWarning_

__all__ = ["Decoded", "decode", "exception_detail", "read_bytes"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text (LF newlines, no BOM) and the encoding that decoded it.

    ``repaired_lines`` lists the lines whose stray non-UTF-8 bytes were read as
    Windows-1252 (rule 5 of the module docstring); empty otherwise.
    """

    text: str
    encoding: str
    repaired_lines: tuple[int, ...] = field(default=(), repr=False)

    @property
    def notes(self) -> tuple[str, ...]:
        """What decoding repaired, for :attr:`qualcode.Transcript.notes`."""
        if not self.repaired_lines:
            return ()
        lines = self.repaired_lines
        shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
        where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
        return (f"{where}: bytes not valid UTF-8 read as Windows-1252",)


def read_bytes(path: Path) -> bytes:
    """Read the bytes; a missing, unreadable or empty file raises ImportFormatError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFormatError(Errors.QC201.format(path=path), path=path) from exc
    except IsADirectoryError as exc:
        raise ImportFormatError(
            Errors.QC215.format(
                path=path, detail="it is a folder; use read_corpus for folders"
            ),
            path=path,
        ) from exc
    except OSError as exc:
        raise ImportFormatError(
            Errors.QC215.format(path=path, detail=exc.strerror or type(exc).__name__),
            path=path,
        ) from exc
    if not data.strip():
        raise ImportFormatError(Errors.QC202.format(path=path), path=path)
    return data


def exception_detail(exc: BaseException) -> str:
    """A third-party exception for a message: its type, and its text unless quoted.

    Parser messages (lxml, pypdf, zipfile) name lines and parts, but some quote
    what they could not parse; a message holding quotes is left out, so an error
    never carries the file's words.

    Examples
    --------
    >>> exception_detail(ValueError("bad xref at line 3"))
    'ValueError: bad xref at line 3'
    >>> exception_detail(KeyError("Zoë Marsh"))
    'KeyError'
    """
    text = " ".join(str(exc).split())
    if not text or any(q in text for q in "'\"\u2018\u2019\u201c\u201d`"):
        return type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:200]


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) // 2)
    odd_nul = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes, *, path: object, encoding: str | None = None) -> Decoded:
    """Decode ``data`` following the module's rule.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : path-like
        Used in error messages only.
    encoding : str, optional
        Force this codec.

    Returns
    -------
    Decoded

    Raises
    ------
    ImportFormatError
        [QC204] when the bytes cannot be decoded (with the line of the first bad byte),
        [QC217] when the file is binary (NUL bytes, or a zip/PDF container).

    Examples
    --------
    >>> decode("Interviewer: café\\r\\n".encode("utf-8-sig"), path="a.txt")
    Decoded(text='Interviewer: café\\n', encoding='utf-8-sig')
    >>> decode("naïve".encode("cp1252"), path="a.txt").encoding
    'cp1252'
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            detail = f"unknown encoding {encoding!r}"
            raise ImportFormatError(
                Errors.QC204.format(path=path, detail=detail), path=path
            ) from exc
        return _checked(_strict(data, encoding, path), encoding, path)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, codec, path), codec, path)
    _refuse_binary(data, path)
    guess = _looks_utf16(data)
    if guess is not None:
        try:
            return _checked(data.decode(guess), guess, path)
        except UnicodeDecodeError:
            pass
    try:
        return _checked(data.decode("utf-8"), "utf-8", path)
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data, path)
    if mostly is not None:
        return mostly
    return _checked(
        _strict(data, "cp1252", path, "neither UTF-8 nor Windows-1252"), "cp1252", path
    )


def _mostly_utf8(data: bytes, path: object) -> Decoded | None:
    """UTF-8 with its few stray bytes read as cp1252 (rule 5), or None."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"]
    valid = sum(1 for ch in text if ch > "\x7f") - len(bad)
    if valid == 0 or len(bad) > 10 * valid:
        return None
    parts: list[str] = []
    lines: list[int] = []
    line, prev = 1, 0
    for i in bad:
        line += text.count("\n", prev, i)
        prev = i
        if not lines or lines[-1] != line:
            lines.append(line)
        byte = bytes([ord(text[i]) - 0xDC00])
        parts.append(byte.decode("cp1252", errors="replace"))
    out: list[str] = []
    pos = 0
    for i, rep in zip(bad, parts, strict=True):
        out.append(text[pos:i])
        out.append(rep)
        pos = i + 1
    out.append(text[pos:])
    shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
    where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
    warnings.warn(
        ImportWarning_(Errors.QC228.format(path=path, where=where, n=len(bad))),
        stacklevel=4,
    )
    decoded = _checked("".join(out), "utf-8", path)
    return Decoded(decoded.text, decoded.encoding, tuple(lines))


def _strict(data: bytes, codec: str, path: object, what: str | None = None) -> str:
    """Decode or raise QC204 naming the first bad byte and its line."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        detail = f"byte {exc.start} (line {line}) is {what or f'not valid {codec}'}"
        raise ImportFormatError(
            Errors.QC204.format(path=path, detail=detail),
            path=path,
            line=line,
            position=exc.start,
        ) from exc


def _checked(text: str, codec: str, path: object) -> Decoded:
    """Refuse binary content (NUL characters); normalise newlines."""
    if "\x00" in text:
        pos = text.index("\x00")
        raise ImportFormatError(
            Errors.QC217.format(path=path, detail=f"NUL character at position {pos}"),
            path=path,
            position=pos,
        )
    return Decoded(_normalise(text), codec)


def _refuse_binary(data: bytes, path: object) -> None:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFormatError(
            Errors.QC217.format(
                path=path,
                detail="it is a zip container, e.g. a .docx; pass format='docx'",
            ),
            path=path,
            position=0,
        )
    if data.startswith(b"%PDF"):
        raise ImportFormatError(
            Errors.QC217.format(path=path, detail="it is a PDF; pass format='pdf'"),
            path=path,
            position=0,
        )
