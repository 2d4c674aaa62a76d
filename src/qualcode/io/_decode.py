"""Bytes to text for the text-based importers (txt, vtt, srt).

The rule, in order:

1. ``encoding=`` given: decode with it (a leading BOM of that family is dropped).
2. A byte-order mark decides: UTF-8 BOM -> ``utf-8-sig``; UTF-32 / UTF-16 BOMs ->
   ``utf-32`` / ``utf-16``.
3. Strict UTF-8 -> ``utf-8``.
4. BOM-less UTF-16 (every other byte is NUL in mostly-ASCII text) -> ``utf-16-le`` /
   ``utf-16-be``.
5. Windows-1252 (what Word and Notepad on Windows write) -> ``cp1252``.

Newlines are normalised (CRLF and CR become LF) and no BOM is left in the text.
The reported encoding is the one that decoded the file, so a reader can tell
a ``cp1252`` file apart from a UTF-8 one.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import Errors, ImportFormatError

__all__ = ["Decoded", "decode", "read_bytes"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text (LF newlines, no BOM) and the encoding that decoded it."""

    text: str
    encoding: str


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
    return _checked(
        _strict(data, "cp1252", path, "neither UTF-8 nor Windows-1252"), "cp1252", path
    )


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
