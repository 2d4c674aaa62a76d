"""Check a model's answer before any of it becomes a suggestion.

:func:`parse_answer` turns the raw answer text into a list of proposed codings
(or says why it cannot: empty, not JSON, not the schema's shape).
:func:`verify` checks each proposal against the unit:

- the code must be one of the allowed codes;
- the quote must occur in the unit's text, exactly or after normalising white
  space and quote marks/dashes (curly to straight, runs of white space to one
  space); it is then re-anchored to the EXACT offsets of the stored text, so
  ``transcript.text[start:end]`` is what the suggestion quotes.

A quote found only in the context, or in the codebook text of the prompt, is
rejected with that reason (a small model "quoting" the codebook definition is a
real failure this catches). Rejections keep their reason for the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AnswerError",
    "Proposal",
    "Verdict",
    "anchor_quote",
    "normalise",
    "parse_answer",
    "verify",
]

_QUOTE_MARKS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_STRIP = " \t\r\n\"'\u2018\u2019\u201c\u201d\u00ab\u00bb"


class AnswerError(ValueError):
    """The answer cannot be read (``reason`` is short and holds no text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Proposal:
    """One coding the model proposed, as given."""

    code: str
    quote: str
    rationale: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one proposal: accepted with exact offsets, or rejected."""

    code: str
    quote: str
    rationale: str
    accepted: bool
    reason: str
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict for the audit trail."""
        return {
            "code": self.code,
            "quote": self.quote,
            "accepted": self.accepted,
            "reason": self.reason,
            "start": self.start,
            "end": self.end,
        }


def parse_answer(content: object) -> list[Proposal]:
    """The proposals in an answer's text, or :class:`AnswerError` with the reason.

    Examples
    --------
    >>> parse_answer('{"codings": [{"code": "a", "quote": "x", "rationale": "r"}]}')
    [Proposal(code='a', quote='x', rationale='r')]
    >>> parse_answer("Sure! Here you go")
    Traceback (most recent call last):
    ...
    qualcode.llm._verify.AnswerError: malformed JSON answer
    """
    if not isinstance(content, str) or not content.strip():
        raise AnswerError("empty answer")
    text = content.strip()
    if text.startswith("```"):  # a fenced block despite the schema
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise AnswerError("malformed JSON answer") from None
    if isinstance(data, list):
        items: object = data
    elif isinstance(data, dict) and "codings" in data:
        items = data["codings"]
    else:
        raise AnswerError("the answer does not follow the schema (no 'codings')")
    if not isinstance(items, list):
        raise AnswerError(
            "the answer does not follow the schema ('codings' not a list)"
        )
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise AnswerError(
                "the answer does not follow the schema (a coding is not an object)"
            )
        code, quote, why = (
            item.get("code"),
            item.get("quote"),
            item.get("rationale", ""),
        )
        if not isinstance(code, str) or not isinstance(quote, str):
            raise AnswerError(
                "the answer does not follow the schema (code/quote not text)"
            )
        out.append(Proposal(code, quote, why if isinstance(why, str) else str(why)))
    return out


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` with quote marks/dashes straightened and white space collapsed.

    Returns the normalised string and, for each of its characters, the index of
    the original character it came from (plus one final entry: ``len(text)``).

    Examples
    --------
    >>> normalise("We\\u2019re  here")
    ("We're here", [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11])
    """
    out: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            index.append(i)
            prev_space = True
            continue
        prev_space = False
        rep = _QUOTE_MARKS.get(ch, ch)
        for r in rep:
            out.append(r)
            index.append(i)
    index.append(len(text))
    return "".join(out), index


def anchor_quote(quote: str, text: str) -> tuple[int, int, str] | None:
    """Exact ``(start, end, how)`` of ``quote`` in ``text``, or None.

    ``how`` is ``"exact"`` or ``"normalised"``. The first occurrence is used;
    the re-anchored span starts and ends on characters of ``text`` (never inside
    a run of white space).

    Examples
    --------
    >>> text = "He said \\u201cno\\u201d.  Then   he left."
    >>> s, e, how = anchor_quote('said "no". Then he left', text)
    >>> text[s:e], how
    ('said \\u201cno\\u201d.  Then   he left', 'normalised')
    """
    q = quote.strip(_STRIP)
    if not q:
        return None
    i = text.find(q)
    if i >= 0:
        return i, i + len(q), "exact"
    norm_text, index = normalise(text)
    norm_q, _ = normalise(q)
    norm_q = norm_q.strip()
    if not norm_q:
        return None
    j = norm_text.find(norm_q)
    if j < 0:
        return None
    start = index[j]
    last = j + len(norm_q) - 1
    end = index[last] + 1
    return start, end, "normalised"


def _without_label(quote: str, speaker: str) -> str:
    """``quote`` without a leading speaker label (``[P1]``, ``P1:``, ``P1``)."""
    q = quote.strip(_STRIP)
    for head in (f"[{speaker}]", f"{speaker}:", speaker):
        if q.startswith(head):
            return q[len(head) :].lstrip(" :-\t")
    return q


def verify(
    proposals: Sequence[Proposal],
    *,
    unit_text: str,
    unit_start: int,
    allowed: Collection[str],
    context_text: str = "",
    prompt_text: str = "",
    speaker: str = "",
) -> list[Verdict]:
    """A :class:`Verdict` per proposal; accepted ones carry transcript offsets.

    Parameters
    ----------
    proposals : sequence of Proposal
    unit_text : str
        The unit's exact text (``transcript.text[unit_start:unit_end]``).
    unit_start : int
        The unit's start offset in the transcript.
    allowed : collection of str
        The code ids the model was allowed to use.
    context_text, prompt_text : str
        The context units and the system prompt: only used to name the reason
        when a quote comes from them.
    speaker : str
        The unit's speaker label as the prompt shows it; a quote that starts
        with it (``"[P1 (participant)] We arrest"``) is anchored without it.

    Examples
    --------
    >>> v = verify(
    ...     [Proposal("a", "arrest", "r"), Proposal("a", "Arrests.", "r")],
    ...     unit_text="We arrest people.",
    ...     unit_start=10,
    ...     allowed={"a"},
    ...     prompt_text="a: Arrests.",
    ... )
    >>> [(x.accepted, x.start, x.end) for x in v]
    [(True, 13, 19), (False, None, None)]
    >>> v[1].reason
    'quote is from the prompt, not the unit'
    """
    out: list[Verdict] = []
    seen: set[tuple[str, int, int]] = set()
    for p in proposals:

        def reject(reason: str, p: Proposal = p) -> Verdict:
            return Verdict(p.code, p.quote, p.rationale, False, reason)

        if p.code not in allowed:
            out.append(reject("unknown code"))
            continue
        if not p.quote.strip(_STRIP):
            out.append(reject("empty quote"))
            continue
        hit = anchor_quote(p.quote, unit_text)
        if hit is None and speaker:
            hit = anchor_quote(_without_label(p.quote, speaker), unit_text)
        if hit is None:
            if context_text and anchor_quote(p.quote, context_text) is not None:
                out.append(reject("quote is from the context, not the unit"))
            elif prompt_text and anchor_quote(p.quote, prompt_text) is not None:
                out.append(reject("quote is from the prompt, not the unit"))
            else:
                out.append(reject("quote not found in the unit"))
            continue
        s, e, how = hit
        key = (p.code, s, e)
        if key in seen:
            out.append(reject("duplicate of an earlier coding"))
            continue
        seen.add(key)
        out.append(
            Verdict(
                p.code, p.quote, p.rationale, True, how, unit_start + s, unit_start + e
            )
        )
    return out
