"""Turns for a plain text imported from another QDA tool (no sidecar).

Paragraphs are blocks separated by blank lines when the text uses blank lines (at
least a fifth of its lines), otherwise single lines. When at least half of the
paragraphs start with a ``Label: `` the labels become speakers (lines without a
label continue the previous turn in line mode).

Roles come from :func:`qualcode.io.role_of`, the rule of the transcript readers
(``Interviewer``, ``I``, ``IV``, ``Q``, ``Question``, ``Int``, ... are interviewers);
the other speakers are participants when the text has an interviewer, else None.
"""

from __future__ import annotations

import re

from qualcode.io import role_of
from qualcode.model import Turn

__all__ = ["MAX_TURNS", "MIN_CHARS_PER_TURN", "one_turn", "paragraph_turns"]

#: A text always gets its paragraphs as turns up to this many ...
MAX_TURNS = 10_000
#: ... and beyond, only while its paragraphs average at least this many characters.
MIN_CHARS_PER_TURN = 32
_BLANK_LINE = re.compile(r"^[^\S\n]*$", re.MULTILINE)
_LINE = re.compile(r"^[^\n]*\S[^\n]*", re.MULTILINE)
_BLOCK = re.compile(r"^[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", re.MULTILINE)
_LABEL_RE = re.compile(r"(?P<label>[^\W\d_][\w .'’()-]{0,39}?)[ \t]*:[ \t]+(?=\S)")


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def paragraph_turns(tid: str, text: str) -> list[Turn] | None:
    """Turns for an imported plain text: paragraphs, with speakers when obvious.

    Returns None when the text has more than ``max(MAX_TURNS, len(text) //
    MIN_CHARS_PER_TURN)`` paragraphs (a hostile or machine-made text): the caller
    then keeps it as one turn, so memory stays proportional to the text.

    Examples
    --------
    >>> turns = paragraph_turns("t", "I: Why?\\n\\nP1: Because.\\n")
    >>> [(u.speaker, u.role, u.text) for u in turns]
    [('I', 'interviewer', 'Why?'), ('P1', 'participant', 'Because.')]
    """
    n_lines = text.count("\n") + 1
    n_blank = sum(1 for _ in _BLANK_LINE.finditer(text))
    block_mode = n_lines > 1 and n_blank >= n_lines / 5
    cap = max(MAX_TURNS, len(text) // MIN_CHARS_PER_TURN)
    paras: list[tuple[int, int]] = []
    for para in (_BLOCK if block_mode else _LINE).finditer(text):
        paras.append(para.span())
        if len(paras) > cap:
            return None
    labelled = [_LABEL_RE.match(text, _strip(text, s, e)[0], e) for s, e in paras]
    n_lab = sum(m is not None for m in labelled)
    labels = {m.group("label").strip() for m in labelled if m}
    speaker_mode = n_lab >= 2 and n_lab >= len(paras) / 2 and len(labels) <= 12
    raw_turns: list[tuple[int, int, str | None]] = []
    for (s, e), m in zip(paras, labelled, strict=True):
        if speaker_mode and m:
            raw_turns.append((m.end(), e, m.group("label").strip()))
        elif speaker_mode and not block_mode and raw_turns:
            ps, _, spk = raw_turns[-1]
            raw_turns[-1] = (ps, e, spk)
        else:
            raw_turns.append((s, e, None))
    has_int = any(role_of(lab, default=None) == "interviewer" for lab in labels)
    turns: list[Turn] = []
    for s, e, spk in raw_turns:
        s, e = _strip(text, s, e)
        if s >= e:
            continue
        role = None
        if spk is not None:
            role = role_of(spk, default=None) or ("participant" if has_int else None)
        turns.append(
            Turn(
                index=len(turns), speaker=spk, role=role, start=s, end=e, text=text[s:e]
            )
        )
    return turns


def one_turn(text: str) -> list[Turn]:
    """The whole text (without surrounding white space) as one turn, if any.

    Examples
    --------
    >>> [(u.start, u.end) for u in one_turn("  a b  ")]
    [(2, 5)]
    """
    s, e = _strip(text, 0, len(text))
    if s >= e:
        return []
    return [Turn(index=0, speaker=None, role=None, start=s, end=e, text=text[s:e])]
