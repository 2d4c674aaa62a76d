"""Rewrite one transcript (and every field that can hold a name) through a matcher.

Private to :mod:`qualcode.anonymise`. Text, speaker labels, attribute names and
values (strings, lists and mappings at any depth), the id and the source path
pass through the same matcher; the report rows never hold originals.
:func:`participant_names` makes one participant one name everywhere.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from qualcode.anonymise._matching import _EntryLike, _KeyMatcher, _Matcher
from qualcode.anonymise._offsets import OffsetMap
from qualcode.errors import Errors, InvalidInputError, QualcodeWarning
from qualcode.model import Transcript, Turn

Row = dict[str, Any]


def rewrite_value(value: Any, m: _Matcher) -> Any:
    """A string, or the strings in a list/tuple/mapping at any depth, rewritten."""
    if isinstance(value, str):
        return m.rewrite(value)
    if isinstance(value, list):
        return [rewrite_value(v, m) for v in value]
    if isinstance(value, tuple):
        return tuple(rewrite_value(v, m) for v in value)
    if isinstance(value, Mapping):
        return {rewrite_value(k, m): rewrite_value(v, m) for k, v in value.items()}
    return value


def _strings(value: Any) -> Iterable[str]:
    """Every string in ``value`` (keys of mappings included), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)


class _Report:
    """Report rows for one transcript: never the original, only its keyed hash."""

    def __init__(self, m: _Matcher, transcript_id: str) -> None:
        self.m = m
        self.transcript_id = transcript_id
        self.rows: list[Row] = []

    def text(self, text: str, hits: list[Any], spans: list[Any]) -> None:
        m = self.m
        for h, (_, _, ns, ne) in zip(hits, spans, strict=True):
            self.rows.append(
                {
                    "transcript_id": self.transcript_id,
                    "field": "text",
                    "start": ns,
                    "end": ne,
                    "old_start": h.start,
                    "old_end": h.end,
                    "kind": h.kind,
                    "source": h.source,
                    "detector": h.detector,
                    "replacement": h.replacement,
                    "original_hash": m.hash_of(h, text),
                }
            )

    def other(self, fieldname: str, old: Any, *, name: bool = False) -> None:
        """Rows for every hit in the strings of a non-text field."""
        for s in _strings(old):
            view = s.replace("_", " ") if name else s
            for h in self.m.hits(view):
                self.rows.append(
                    {
                        "transcript_id": self.transcript_id,
                        "field": fieldname,
                        "kind": h.kind,
                        "source": h.source,
                        "detector": h.detector,
                        "replacement": h.replacement,
                        "original_hash": self.m.hash_of(h, view),
                    }
                )


#: The transcript attribute that links a recording (see ``Transcript.media``).
MEDIA_ATTRIBUTE = "media"


def _attributes(
    attributes: Mapping[str, Any], m: _Matcher, rep: _Report, caller: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attributes.items():
        if k == MEDIA_ATTRIBUTE and v not in (None, ""):
            # a recording cannot be pseudonymised: the shareable copy must not
            # point at (or copy beside its HTML) the voices and names it holds
            rep.rows.append(
                {
                    "transcript_id": rep.transcript_id,
                    "field": "media",
                    "kind": "recording",
                    "source": "media",
                    "detector": "recording removed",
                    "replacement": "",
                    "original_hash": "",
                }
            )
            continue
        nk = m.rewrite(k) if isinstance(k, str) else k
        if nk != k:
            rep.other("attribute name", k)
        if nk in out:
            raise InvalidInputError(
                Errors.QC813.format(caller=caller, transcript=rep.transcript_id, new=nk)
            )
        nv = rewrite_value(v, m)
        if nv != v:
            rep.other(f"attribute:{nk}", v)
        out[nk] = nv
    return out


def pseudonymise_transcript(
    t: Transcript, m: _Matcher, *, caller: str = "pseudonymise"
) -> tuple[Transcript, OffsetMap, list[Row], bool]:
    """``(new transcript, offset map, report rows, changed)`` for one transcript."""
    bounds = [b for u in t.turns for b in (u.start, u.end)]
    new_text, hits, spans = m.apply(t.text, bounds)
    omap = OffsetMap(spans)
    new_id = m.rewrite_name(t.id)
    rep = _Report(m, new_id)
    rep.text(t.text, hits, spans)
    turns = []
    for u in t.turns:
        ns, ne = omap.start(u.start), omap.end(u.end)
        speaker = m.rewrite(u.speaker) if u.speaker else u.speaker
        turns.append(
            Turn(
                u.index,
                speaker,
                u.role,
                ns,
                ne,
                new_text[ns:ne],
                u.time_start,
                u.time_end,
            )
        )
    attrs = _attributes(t.attributes, m, rep, caller)
    source = m.rewrite_name(t.source) if t.source else t.source
    if source != t.source:
        rep.other("source", t.source, name=True)
    if new_id != t.id:
        rep.other("id", t.id, name=True)
    new = Transcript(
        new_id, new_text, tuple(turns), attrs, source, t.format, t.encoding
    )
    changed = (
        bool(hits)
        or new_id != t.id
        or source != t.source
        or attrs != dict(t.attributes)
        or any(a.speaker != b.speaker for a, b in zip(t.turns, turns, strict=True))
    )
    return new, omap, rep.rows, changed


# --------------------------------------------------------------------------
# one participant, one name
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class _KeyWithNames:
    """A key whose pseudonyms were renamed; hashes still come from the real key."""

    entries: tuple[_EntryLike, ...]
    fingerprint: bytes


def participant_names(
    transcripts: Iterable[Transcript], keym: _KeyMatcher, attribute: str
) -> dict[str, str]:
    """``{key pseudonym: participant id}`` for participants named in the key.

    A transcript whose participant turns all carry one speaker label that is a
    key original (``Claire Hennessey``), and whose ``attribute`` holds an id
    (``P05``), calls that participant by the id. Ambiguous cases (one pseudonym
    for two ids, one id for two pseudonyms, an id that itself holds an original)
    keep the key's pseudonym, with a warning that gives counts only.
    """
    ids_of: dict[str, set[str]] = {}
    for t in transcripts:
        pid = t.attributes.get(attribute)
        if not isinstance(pid, str) or not pid.strip():
            continue
        names: set[str] = set()
        for label in {u.speaker for u in t.turns if u.role == "participant"}:
            if not label or not label.strip():
                continue
            label = label.strip()
            whole = [
                h.entry
                for h in keym.candidates(label)
                if h.entry is not None and (h.start, h.end) == (0, len(label))
            ]
            if whole:
                names.add(whole[0].pseudonym)
            else:
                names.add("\0unnamed")  # a participant label that is not in the key
        if len(names) == 1 and "\0unnamed" not in names:
            ids_of.setdefault(names.pop(), set()).add(pid.strip())
    out = {p: next(iter(ids)) for p, ids in ids_of.items() if len(ids) == 1}
    uses = Counter(out.values())
    out = {p: i for p, i in out.items() if uses[i] == 1 and not keym.candidates(i)}
    skipped = len(ids_of) - len(out)
    if skipped:
        warnings.warn(
            Errors.QC815.format(n=skipped, attribute=attribute),
            QualcodeWarning,
            stacklevel=4,
        )
    return out


def rename_pseudonyms(
    entries: Iterable[_EntryLike], names: Mapping[str, str], fingerprint: bytes
) -> _KeyWithNames:
    """The key's entries with pseudonyms renamed by ``names`` (whole words)."""
    if not names:
        return _KeyWithNames(tuple(entries), fingerprint)
    rx = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(p) for p in sorted(names, key=len, reverse=True))
        + r")(?!\w)"
    )
    out: list[_EntryLike] = []
    for e in entries:
        new = rx.sub(lambda mt: names[mt.group()], e.pseudonym)
        out.append(replace(e, pseudonym=new) if new != e.pseudonym else e)  # type: ignore[type-var]
    return _KeyWithNames(tuple(out), fingerprint)
