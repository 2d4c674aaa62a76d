"""Units to code, each with its neighbours as context.

The units are those of :func:`qualcode._nlp.iter_units` (turns, or sentences
inside turns), the same ones :func:`qualcode.suggest` and :func:`qualcode.evaluate`
use. Context is taken from all of a transcript's units, whatever their role, so a
participant's turn is shown with the interviewer's question before it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from qualcode._nlp import iter_units
from qualcode.llm._prompt import ContextUnit, speaker_label
from qualcode.model import Transcript

__all__ = ["Unit", "default_roles", "units_with_context"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit to code: where it is, its exact text, and its context."""

    transcript_id: str
    index: int  # position among the transcript's units of all roles
    turn: int
    speaker: str | None
    role: str | None
    start: int
    end: int
    text: str
    before: tuple[ContextUnit, ...]
    after: tuple[ContextUnit, ...]

    @property
    def shown(self) -> ContextUnit:
        """The unit as the prompt shows it."""
        return ContextUnit(speaker_label(self.speaker, self.role), self.text)


def default_roles(
    roles: Iterable[str | None] | None, include_interviewer: bool
) -> set[str | None] | None:
    """Roles to code: as :func:`qualcode.suggest` (participants and unknown).

    Examples
    --------
    >>> sorted(default_roles(None, False), key=str)
    [None, 'participant']
    >>> default_roles(None, True) is None
    True
    """
    if roles is not None:
        return set(roles)
    if include_interviewer:
        return None
    return {"participant", None}


def units_with_context(
    transcripts: Iterable[Transcript],
    unit: str,
    *,
    roles: Collection[str | None] | None,
    context: int,
    ids: Collection[str] | None = None,
    nlp: Any = None,
) -> Iterator[Unit]:
    """Yield the units to code (of ``roles``) with ``context`` units either side.

    Examples
    --------
    >>> from qualcode.model import TurnDraft
    >>> t = Transcript.build(
    ...     "t1",
    ...     [
    ...         TurnDraft("Why?", "I", "interviewer"),
    ...         TurnDraft("We arrest.", "P1", "participant"),
    ...     ],
    ... )
    >>> [
    ...     (u.text, [c.text for c in u.before])
    ...     for u in units_with_context([t], "turn", roles={"participant"}, context=1)
    ... ]
    [('We arrest.', ['Why?'])]
    """
    for tr in transcripts:
        if ids is not None and tr.id not in ids:
            continue
        rows = list(iter_units([tr], unit, nlp=nlp))
        shown = [
            ContextUnit(
                speaker_label(r["speaker"], r["role"]), tr.text[r["start"] : r["end"]]
            )
            for r in rows
        ]
        for i, r in enumerate(rows):
            if roles is not None and r["role"] not in roles:
                continue
            yield Unit(
                transcript_id=tr.id,
                index=i,
                turn=int(r["turn"]),
                speaker=r["speaker"],
                role=r["role"],
                start=int(r["start"]),
                end=int(r["end"]),
                text=shown[i].text,
                before=tuple(shown[max(0, i - context) : i]),
                after=tuple(shown[i + 1 : i + 1 + context]),
            )
