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

__all__ = ["paragraph_turns"]

_LABEL_RE = re.compile(r"(?P<label>[^\W\d_][\w .'’()-]{0,39}?)[ \t]*:[ \t]+(?=\S)")


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _paragraphs(
    text: str, lines: list[tuple[int, int]], blank: list[bool], block_mode: bool
) -> list[tuple[int, int]]:
    if not block_mode:
        return [se for se, b in zip(lines, blank, strict=True) if not b]
    paras: list[tuple[int, int]] = []
    cur: list[tuple[int, int]] = []
    for (s, e), b in zip(lines, blank, strict=True):
        if b:
            if cur:
                paras.append((cur[0][0], cur[-1][1]))
            cur = []
        else:
            cur.append((s, e))
    if cur:
        paras.append((cur[0][0], cur[-1][1]))
    return paras


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def paragraph_turns(tid: str, text: str) -> list[Turn]:
    """Turns for an imported plain text: paragraphs, with speakers when obvious.

    Examples
    --------
    >>> turns = paragraph_turns("t", "I: Why?\\n\\nP1: Because.\\n")
    >>> [(u.speaker, u.role, u.text) for u in turns]
    [('I', 'interviewer', 'Why?'), ('P1', 'participant', 'Because.')]
    """
    lines = _lines(text)
    blank = [not text[s:e].strip() for s, e in lines]
    block_mode = len(lines) > 1 and sum(blank) >= len(lines) / 5
    paras = _paragraphs(text, lines, blank, block_mode)
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
