"""What the store accepts in its text fields (checked at the boundary).

One rule per kind of field, applied by every writing method:

- **ids and names** (code ids, coder names, origins, transcript ids, speakers,
  roles, attribute names): no control characters (C0, DEL, C1), so no line
  breaks or tabs: they end up in Markdown headings, spreadsheet cells and file
  names of exports.
- **memos**: no control characters except tab and ``\\n``.
- **transcript text**: ``\\n`` newlines only (no ``\\r``) and no NUL; other
  characters (tabs, form feeds from PDFs) are kept as imported.
- **every field**: no lone surrogates (``"\\ud800"``), which no encoding can
  store. A ``source`` path with undecodable bytes is stored with U+FFFD instead.

Errors name the field, the place (transcript id, row, coding) and the position
of the character, never the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from qualcode.errors import Errors, InvalidInputError

__all__ = [
    "ANY_BAD",
    "MEMO_BAD",
    "NAME_BAD",
    "TEXT_BAD",
    "check_attributes",
    "check_field",
    "check_transcript",
    "clean_source",
    "problem",
]

SURROGATE = "\ud800-\udfff"
#: ids and names: control characters (C0, DEL, C1) and lone surrogates
NAME_BAD = re.compile(f"[\x00-\x1f\x7f-\x9f{SURROGATE}]")
#: memos: as names, but tab and \n are fine
MEMO_BAD = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{SURROGATE}]")
#: transcript text: \r, NUL and lone surrogates
TEXT_BAD = re.compile(f"[\x00\r{SURROGATE}]")
#: any other stored text (attribute values, sources, evidence): lone surrogates
ANY_BAD = re.compile(f"[{SURROGATE}]")

_RULES = {
    id(NAME_BAD): "Ids and names may not contain control characters or line breaks",
    id(MEMO_BAD): "Memos may hold tabs and \\n line breaks but no other control "
    "characters",
    id(TEXT_BAD): "Stored text uses \\n line breaks only and holds no NUL",
    id(ANY_BAD): "Text must be valid Unicode",
}


def problem(value: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """``(position, code point)`` of the first character ``pattern`` refuses.

    Examples
    --------
    >>> problem("ana\\nbob", NAME_BAD)
    (3, 10)
    >>> problem("fine", NAME_BAD) is None
    True
    """
    m = pattern.search(value)
    return None if m is None else (m.start(), ord(m.group()))


def describe(cp: int) -> str:
    """How a refused character is named in a message (never the text around it).

    Examples
    --------
    >>> describe(0xD800), describe(10)
    ('a lone surrogate (U+D800)', 'the control character U+000A')
    """
    if 0xD800 <= cp <= 0xDFFF:
        return f"a lone surrogate (U+{cp:04X})"
    return f"the control character U+{cp:04X}"


def rule(pattern: re.Pattern[str]) -> str:
    """The sentence that states the rule ``pattern`` enforces."""
    return _RULES[id(pattern)]


def check_field(
    value: object,
    pattern: re.Pattern[str],
    *,
    caller: str,
    what: str,
    where: str = "",
) -> None:
    """Raise QC414 if the string ``value`` holds a character ``pattern`` refuses.

    Examples
    --------
    >>> check_field("MK", NAME_BAD, caller="add_coding", what="coder")
    >>> check_field("M\\nK", NAME_BAD, caller="add_coding", what="coder")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC414] add_coding: coder has the control
    character U+000A at position 1. Ids and names may not contain control
    characters or line breaks; remove it and try again.
    """
    if not isinstance(value, str):
        return
    found = problem(value, pattern)
    if found is not None:
        pos, cp = found
        raise InvalidInputError(
            Errors.QC414.format(
                caller=caller,
                what=what,
                where=where,
                char=describe(cp),
                position=pos,
                rule=rule(pattern),
            )
        )


def check_attributes(attributes: Mapping[str, Any], *, caller: str, where: str) -> None:
    """Refuse control characters in attribute names and lone surrogates anywhere."""

    def walk(v: Any, name: str) -> None:
        if isinstance(v, str):
            check_field(
                v, ANY_BAD, caller=caller, what=f"attribute {name!r}", where=where
            )
        elif isinstance(v, Mapping):
            for k, x in v.items():
                walk(x, name)
                walk(str(k), name)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x, name)

    for key, value in attributes.items():
        key = str(key)
        check_field(key, NAME_BAD, caller=caller, what="an attribute name", where=where)
        walk(value, key)


def check_transcript(t: Any, *, caller: str, position: int) -> None:
    """Every text field of a Transcript, by the rules above (QC414)."""
    check_field(
        t.id,
        NAME_BAD,
        caller=caller,
        what="the transcript id",
        where=f" of item {position}",
    )
    where = f" of transcript {t.id!r}"
    for u in t.turns:  # before the text, which holds the speaker labels too
        for what, value in (("speaker", u.speaker), ("role", u.role)):
            check_field(
                value,
                NAME_BAD,
                caller=caller,
                what=f"the {what} of turn {u.index}",
                where=where,
            )
    check_field(t.text, TEXT_BAD, caller=caller, what="the text", where=where)
    check_attributes(t.attributes, caller=caller, where=where)
    for what in ("format", "encoding"):
        check_field(getattr(t, what), ANY_BAD, caller=caller, what=what, where=where)


def clean_source(source: str | None) -> str | None:
    """A source path with undecodable bytes (lone surrogates) shown as U+FFFD.

    Examples
    --------
    >>> clean_source("notes\\udcff.txt")
    'notes\\ufffd.txt'
    """
    if source is None:
        return None
    return ANY_BAD.sub("\ufffd", source)
