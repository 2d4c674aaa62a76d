"""Speaker labels, line-start timestamps and roles, shared by the importers.

Label rule
----------
A line starts with a *speaker label* when, after an optional timestamp, it reads
``Label:`` followed by a space or the end of the line, where the label

- starts with a letter and holds only letters, digits, spaces and ``. ' - & / ( )``
  (so ``10:30``, ``http://`` and ``e.g.:`` never qualify),
- has at most 4 words and 40 characters,

and the label is *accepted* (counted as a speaker rather than as prose such as
``Note: we ...``) when any of these holds:

1. it is a key of ``speakers=``;
2. it is a common role label (``Interviewer``, ``I``, ``Q``, ``Int``, ``Researcher``,
   ``Moderator``, ``Facilitator``, ``Question``, ``P``, ``A``, ``R``, ``Participant``,
   ``Interviewee``, ``Respondent``, ``Answer``, ``Speaker`` -- each optionally numbered,
   e.g. ``P1``, ``Interviewer 2``, ``Speaker 3``), in any case;
3. it starts with a capital letter or digit, recurs (at least twice at a line start in
   the same file), and is not a metadata word (``Note``, ``Date``, ``Location``,
   ``Duration``, ``Example``, ...).

Rejected candidates stay ordinary text. Pass ``speakers=`` to force a label that
occurs once.

Timestamps
----------
``[00:01:23]``, ``(00:01:23)``, ``00:01:23``, ``1:23``, ``0:0:5.120`` and
``00:01:23,500`` are read as seconds, before or after a label.

Roles
-----
``speakers=`` maps raw labels to a role (``"interviewer"``, ``"participant"`` or None)
or to a dict ``{"name": ..., "role": ...}`` that also renames the speaker. A label is
looked up exactly, then case-insensitively, then without a trailing number (so
``{"P": "participant"}`` covers ``P1``, ``P2``). Labels not in the mapping, or all
labels without one, get the default: ``interviewer`` when the label is an interviewer
label (``Interviewer``, ``I``, ``Q``, ``Int``, ``Researcher``, ``Moderator``,
``Facilitator``, numbered or not, or any label containing the word ``Interviewer``,
``Researcher``, ``Moderator`` or ``Facilitator``, e.g. ``Sam Reid (Researcher)``) and
``participant`` otherwise. Turns without a speaker have role None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qualcode._validation import invalid
from qualcode.errors import Errors, InvalidInputError
from qualcode.model import ROLES

__all__ = [
    "LabelMatch",
    "SpeakerMap",
    "default_role",
    "is_role_label",
    "match_header",
    "match_label",
    "match_time_only",
    "parse_clock",
    "plausible_label",
    "split_leading_time",
]

MAX_LABEL_WORDS = 4
MAX_LABEL_CHARS = 40

# h:mm:ss(.fff), mm:ss(.fff), m:ss; hours may have more digits;
# ',' or '.' before fractions.
_CLOCK = r"(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_TS = rf"(?:\[{_CLOCK}\]|\({_CLOCK}\)|{_CLOCK})"
_BRACKETED_TS = rf"(?:\[{_CLOCK}\]|\({_CLOCK}\))"
_LABEL = r"[^\W\d_][\w.'\u2019&/()\- ]{0,47}?"

_LABEL_LINE = re.compile(
    rf"^(?:(?P<ts1>{_TS})\s*(?:[-\u2013\u2014]\s*)?)?"
    rf"(?P<label>{_LABEL})\s*(?P<ts2>{_TS})?\s*:(?=\s|$)\s*"
    rf"(?:(?P<ts3>{_BRACKETED_TS})\s*)?"
)
_HEADER_LINE = re.compile(rf"^(?P<name>{_LABEL})(?P<gap>\s+)(?P<ts>{_TS})$")
_TIME_ONLY = re.compile(rf"^{_TS}$")
_LEADING_TIME = re.compile(rf"^(?P<ts>{_TS})\s*(?:[-\u2013\u2014]\s*)?(?=\S)")

_SUFFIX = r"(?:\s*[-_#]?\s*\d+|\s+[a-z])?"
_INTERVIEWER = re.compile(
    rf"(?:i|q|int|iv|ivr|interviewer|researcher|moderator|facilitator|question){_SUFFIX}",
    re.IGNORECASE,
)
_INTERVIEWER_WORD = re.compile(
    r"\b(?:interviewer|researcher|moderator|facilitator)\b", re.IGNORECASE
)
_PARTICIPANT = re.compile(
    rf"(?:p|a|r|ppt|participant|interviewee|respondent|answer|speaker|resp){_SUFFIX}",
    re.IGNORECASE,
)
_TRAILING_NUMBER = re.compile(r"\s*[-_#]?\s*\d+$")

# Words that introduce metadata or prose, never a speaker (unless given in speakers=).
_STOP = frozenset(
    """note notes nb n.b. ps p.s. date time location place venue duration length
    subject re title example examples e.g. eg i.e. ie update warning caution summary
    source sources transcript interview recording audio file page tel phone email
    e-mail url http https www attendees present agenda topic topics keywords comment
    comments context background aim aims purpose objective objectives questions
    answers result results conclusion conclusions definition so well yes no and but
    also however because then first second third finally basically honestly plus
    tip tips reminder important caveat disclaimer""".split()
)


def parse_clock(value: str) -> float | None:
    """Seconds from a clock string, or None when it is not one.

    Examples
    --------
    >>> (
    ...     parse_clock("[00:01:23]"),
    ...     parse_clock("1:23"),
    ...     parse_clock("0:0:5.12"),
    ...     parse_clock("00:00:01,500"),
    ... )
    (83.0, 83.0, 5.12, 1.5)
    >>> parse_clock("12:75") is None
    True
    """
    s = value.strip().strip("[]()")
    m = re.fullmatch(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?", s)
    if not m:
        return None
    h, mnt, sec, frac = m.groups()
    if int(mnt) > 59 and h is not None or int(sec) > 59:
        return None
    seconds = int(h or 0) * 3600 + int(mnt) * 60 + int(sec)
    if frac:
        seconds += int(frac) / 10 ** len(frac)
    return round(float(seconds), 3)


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A line-start label candidate: label, time (if any), rest of the line."""

    label: str
    time: float | None
    rest: str


def plausible_label(label: str) -> bool:
    """Short enough to be a speaker label (<= 4 words, <= 40 characters).

    Examples
    --------
    >>> plausible_label("Chief Inspector Jones"), plausible_label("What I mean is this")
    (True, False)
    """
    return 0 < len(label) <= MAX_LABEL_CHARS and len(label.split()) <= MAX_LABEL_WORDS


def match_label(line: str) -> LabelMatch | None:
    """The label candidate at the start of ``line``, if its shape allows one.

    Examples
    --------
    >>> match_label("[00:01:23] Interviewer: How long?")
    LabelMatch(label='Interviewer', time=83.0, rest='How long?')
    >>> match_label("P1 (00:02:00): Ten years.")
    LabelMatch(label='P1', time=120.0, rest='Ten years.')
    >>> match_label("We met at 10:30 and talked.") is None
    True
    """
    s = line.strip()
    if ":" not in s[:80]:  # cheap pre-check: a label ends within the first 80 chars
        return None
    m = _LABEL_LINE.match(s)
    if not m:
        return None
    label = " ".join(m.group("label").split())
    if not plausible_label(label) or label.count("(") != label.count(")"):
        return None
    time = None
    for key in ("ts1", "ts2", "ts3"):
        if m.group(key):
            time = parse_clock(m.group(key))
            if time is None:
                return None
            break
    return LabelMatch(label, time, s[m.end() :].strip())


def match_header(line: str) -> tuple[str, float, bool] | None:
    """An Otter/Teams header line ``Speaker Name  0:03``: (name, seconds, strong).

    ``strong`` is True when the gap is two or more spaces or a tab, or the time is
    bracketed -- shapes prose does not take.

    Examples
    --------
    >>> match_header("Speaker 1  0:03")
    ('Speaker 1', 3.0, True)
    >>> match_header("We met at 10:30")
    ('We met at', 630.0, False)
    """
    s = line.strip()
    if len(s) > 80 or ":" not in s:
        return None
    m = _HEADER_LINE.match(s)
    if not m:
        return None
    name = " ".join(m.group("name").split())
    if not plausible_label(name):
        return None
    time = parse_clock(m.group("ts"))
    if time is None:
        return None
    gap = m.group("gap")
    strong = len(gap) >= 2 or "\t" in gap or m.group("ts")[0] in "[("
    return name, time, strong


def match_time_only(line: str) -> float | None:
    """Seconds when the line is only a timestamp.

    Examples
    --------
    >>> match_time_only("[00:10:00]")
    600.0
    """
    s = line.strip()
    return parse_clock(s) if _TIME_ONLY.match(s) else None


def split_leading_time(line: str) -> tuple[float | None, str]:
    """Split a leading timestamp off a text line.

    Examples
    --------
    >>> split_leading_time("[00:00:05] And then?")
    (5.0, 'And then?')
    """
    s = line.strip()
    m = _LEADING_TIME.match(s)
    if m:
        t = parse_clock(m.group("ts"))
        if t is not None:
            return t, s[m.end() :]
    return None, s


def is_role_label(label: str) -> bool:
    """A common interviewer or participant label (``I``, ``P1``, ``Speaker 2``, ...).

    Examples
    --------
    >>> is_role_label("Interviewer 2"), is_role_label("p3"), is_role_label("Note")
    (True, True, False)
    """
    s = label.strip()
    return bool(_INTERVIEWER.fullmatch(s) or _PARTICIPANT.fullmatch(s))


def default_role(label: str | None) -> str | None:
    """The role given to a label without a ``speakers=`` entry.

    Examples
    --------
    >>> (
    ...     default_role("Int"),
    ...     default_role("Sam Reid (Researcher)"),
    ...     default_role("DS Khan"),
    ...     default_role(None),
    ... )
    ('interviewer', 'interviewer', 'participant', None)
    """
    if not label:
        return None
    s = label.strip()
    if _INTERVIEWER.fullmatch(s) or _INTERVIEWER_WORD.search(s):
        return "interviewer"
    return "participant"


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _base(label: str) -> str:
    return _key(_TRAILING_NUMBER.sub("", label.strip()))


class SpeakerMap:
    """The ``speakers=`` mapping, validated, with the default role rule as fallback.

    Parameters
    ----------
    speakers : mapping, optional
        Raw label -> role (``"interviewer"``, ``"participant"``, None) or
        ``{"name": ..., "role": ...}``.
    caller : str
        Used in error messages.

    Examples
    --------
    >>> m = SpeakerMap(
    ...     {"I": "interviewer", "P": {"name": "Participant", "role": "participant"}}
    ... )
    >>> m.resolve("i"), m.resolve("P2"), m.resolve("Moderator")
    (('i', 'interviewer'), ('Participant', 'participant'), ('Moderator', 'interviewer'))
    """

    def __init__(
        self,
        speakers: Mapping[str, Any] | None = None,
        *,
        caller: str = "read_transcript",
    ) -> None:
        self._exact: dict[str, tuple[str | None, str | None]] = {}
        self._folded: dict[str, tuple[str | None, str | None]] = {}
        if speakers is None:
            return
        if not isinstance(speakers, Mapping):
            raise invalid(
                "speakers",
                caller,
                "a mapping of labels to roles",
                type(speakers).__name__,
            )
        for label, value in speakers.items():
            if not isinstance(label, str) or not label.strip():
                raise InvalidInputError(
                    Errors.QC220.format(
                        caller=caller, label=label, roles=list(ROLES), got=value
                    )
                )
            entry = self._entry(label, value, caller)
            self._exact[label.strip()] = entry
            self._folded.setdefault(_key(label), entry)

    @staticmethod
    def _entry(label: str, value: Any, caller: str) -> tuple[str | None, str | None]:
        def bad() -> InvalidInputError:
            return InvalidInputError(
                Errors.QC220.format(
                    caller=caller, label=label, roles=list(ROLES), got=value
                )
            )

        if value is None:
            return None, None
        if isinstance(value, str):
            role = value.strip().lower()
            if role not in ROLES:
                raise bad()
            return None, role
        if isinstance(value, Mapping):
            if not value or set(value) - {"name", "role"}:
                raise bad()
            name = value.get("name")
            role = value.get("role", default_role(name or label))
            if name is not None and (not isinstance(name, str) or not name.strip()):
                raise bad()
            if role is not None:
                if not isinstance(role, str) or role.strip().lower() not in ROLES:
                    raise bad()
                role = role.strip().lower()
            return (name.strip() if name else None), role
        raise bad()

    def __bool__(self) -> bool:
        return bool(self._exact)

    def _lookup(self, label: str) -> tuple[str | None, str | None] | None:
        s = label.strip()
        if s in self._exact:
            return self._exact[s]
        if _key(s) in self._folded:
            return self._folded[_key(s)]
        base = _base(s)
        if base and base != _key(s) and base in self._folded:
            return self._folded[base]
        return None

    def knows(self, label: str) -> bool:
        """True when ``label`` has an entry (exact, any case, or without its number)."""
        return self._lookup(label) is not None

    def resolve(self, label: str | None) -> tuple[str | None, str | None]:
        """(speaker name, role) for a raw label; (None, None) without a speaker."""
        if label is None or not label.strip():
            return None, None
        hit = self._lookup(label)
        if hit is None:
            return label.strip(), default_role(label)
        name, role = hit
        return (name or label.strip()), role

    def accept(self, label: str, count: int, *, strong: bool = False) -> bool:
        """The module's acceptance rule (``strong`` waives recurrence)."""
        if self.knows(label) or is_role_label(label):
            return True
        if _key(label) in _STOP or not (label[0].isupper() or label[0].isdigit()):
            return False
        return strong or count >= 2


def count_labels(labels: Iterable[str]) -> dict[str, int]:
    """Occurrences per label, keyed case- and space-insensitively."""
    out: dict[str, int] = {}
    for label in labels:
        k = _key(label)
        out[k] = out.get(k, 0) + 1
    return out


def label_count(counts: Mapping[str, int], label: str) -> int:
    """Look up a label's count in :func:`count_labels` output."""
    return counts.get(_key(label), 0)
