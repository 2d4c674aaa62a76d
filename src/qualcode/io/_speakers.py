"""Speaker labels, line-start timestamps and roles, shared by the importers.

Label rule
----------
A line (or caption cue) starts with a *speaker label* when, after an optional
timestamp, it reads ``Label:`` followed by a space or the end of the line, or
``[Label]`` / ``[Label]:`` (podcast and QDA exports), where the label

- starts with a letter and holds only letters, digits, spaces and ``. ' - & / ( )``
  (so ``10:30``, ``http://`` and ``e.g.:`` never qualify),
- has at most 4 words and 40 characters,

and the label is *accepted* (counted as a speaker rather than as prose such as
``Note: we ...`` or an annotation such as ``[inaudible]``) when any of these holds:

1. it is a key of ``speakers=`` (or a speaker column of a .docx table);
2. it is a common role label (``Interviewer``, ``I``, ``Q``, ``Int``, ``IV``,
   ``Researcher``, ``Moderator``, ``Facilitator``, ``Question``, ``P``, ``A``, ``R``,
   ``Participant``, ``Interviewee``, ``Respondent``, ``Answer``, ``Speaker`` -- each
   optionally numbered, e.g. ``P1``, ``Interviewer 2``, ``Speaker 3``,
   ``Respondent3 b``), in any case (in brackets it must recur or end in ``:``);
3. it starts with a capital letter or digit, recurs (at least twice at a line start in
   the same file), and is not a metadata word (``Note``, ``Date``, ``Location``,
   ``Duration``, ``Example``, ...) or, in brackets, an annotation (``Laughs``,
   ``Inaudible``, ``Crosstalk``, ``Music``, ...);
4. it has the *shape* of an accepted recurring label, even when said once: the same
   word followed by other numbering (``Student2a`` amid ``Student1`` and
   ``Student3``; ``[p1]`` amid ``[p2]``), or a capitalised ``[Name]`` in a file whose
   speakers are recurring bracketed names;
5. in captions (.vtt, .srt) and Otter-style header lines, a lower-case name (at most 3
   words, none of them a function word such as ``the``, ``and``, ``so``) counts like a
   capitalised one (``jane doe:`` from a Zoom display name).

Rejected candidates stay ordinary text (and are listed as unused labels). Pass
``speakers=`` to force a label that occurs once.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualcode._validation import invalid
from qualcode.errors import Errors, InvalidInputError
from qualcode.model import ROLES, TurnDraft

__all__ = [
    "Candidate",
    "LabelMatch",
    "LabelRule",
    "Parsed",
    "SpeakerMap",
    "default_role",
    "is_role_label",
    "numbered_stem",
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
_BRACKET_LINE = re.compile(
    rf"^(?:(?P<ts1>{_TS})\s*(?:[-\u2013\u2014]\s*)?)?"
    rf"\[(?P<label>{_LABEL})\](?P<colon>\s*:)?(?=\s|$)\s*"
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
# a word, then numbering only: "Respondent3 b", "P2a", "Speaker 1", "Student 4-b"
_NUMBERED = re.compile(
    r"(?P<stem>[^\W\d_]+)(?P<rest>(?:[\s\-_#.]*(?:\d{1,3}(?!\d)|[^\W\d_](?![^\W\d_]))){0,3})"
)
_INTERVIEWER_WORDS = frozenset(
    "i q int iv ivr interviewer researcher moderator facilitator question".split()
)
_PARTICIPANT_WORDS = frozenset(
    "p a r ppt participant interviewee respondent answer speaker resp".split()
)
_NAME_WORD = re.compile(r"[^\W\d_][\w.'\u2019\-]*")

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
# Bracketed annotations of transcription services, never a speaker in brackets.
_ANNOTATIONS = frozenset(
    """inaudible unintelligible indistinct unclear crosstalk overlapping overlap
    overtalk laughs laughter laughing laugh chuckles giggles sighs sigh coughs cough
    pause pauses silence music applause noise background interruption interrupted
    redacted sic break end start video audio comment nods gestures emphasis
    whispers whispering shouting crying cries foreign""".split()
) | frozenset(
    {
        "inaudible speech",
        "cross talk",
        "both laugh",
        "all laugh",
        "clears throat",
        "long pause",
        "short pause",
        "brief pause",
        "background noise",
        "background voices",
        "phone rings",
        "phone ringing",
        "door knocks",
        "name removed",
        "recording starts",
        "recording ends",
        "recording stopped",
        "transcript ends",
        "end of recording",
        "start of recording",
        "audio cuts out",
        "audio unclear",
        "foreign language",
        "shakes head",
        # redaction placeholders of anonymised transcripts
        "name",
        "names",
        "surname",
        "first name",
        "full name",
        "place",
        "location",
        "organisation",
        "organization",
        "company",
        "town",
        "city",
        "village",
        "street",
        "address",
        "school",
        "date",
        "number",
        "phone number",
        "job title",
        "force",
        "area",
        "team",
        "unit",
        "station",
        "person",
        "colleague",
        "partner agency",
    }
)
# Function words: a lower-case "label" holding one is prose ("so basically:").
_FUNCTION_WORDS = frozenset(
    """the a an and or but so then if when while because that this these those it
    its he she they we you i me my our your his her their them us him is was are
    were be been being do does did have has had will would can could should may
    might must said says say mean means think know like just really very well yes
    no not ok okay um uh er erm ah oh hmm yeah yep nope what who why how where which
    there here now also too all any some one of to in on at for with from by about
    as into over after before basically actually honestly anyway thing things
    stuff""".split()
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
    """A line-start label candidate: label, time (if any), rest of the line.

    ``bracketed`` for ``[Label]`` shapes; ``strong`` when the shape alone says it is
    a label (``[Label]:``).
    """

    label: str
    time: float | None
    rest: str
    bracketed: bool = field(default=False, repr=False)
    strong: bool = field(default=False, repr=False)


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
    >>> m = match_label("[Jane Doe] So when we started")
    >>> m.label, m.rest, m.bracketed
    ('Jane Doe', 'So when we started', True)
    """
    s = line.strip()
    if "]" in s[:80] and "[" in s[:40]:
        b = _match_bracketed(s)
        if b is not None:
            return b
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


def _match_bracketed(s: str) -> LabelMatch | None:
    m = _BRACKET_LINE.match(s)
    if not m:
        return None
    label = " ".join(m.group("label").split())
    if not plausible_label(label) or label.count("(") != label.count(")"):
        return None
    time = None
    if m.group("ts1"):
        time = parse_clock(m.group("ts1"))
        if time is None:
            return None
    return LabelMatch(
        label, time, s[m.end() :].strip(), bracketed=True, strong=bool(m.group("colon"))
    )


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
    >>> is_role_label("Respondent3 b"), is_role_label("IV2 b")
    (True, True)
    """
    s = label.strip()
    if _INTERVIEWER.fullmatch(s) or _PARTICIPANT.fullmatch(s):
        return True
    stem = numbered_stem(label)
    return stem is not None and stem in (_INTERVIEWER_WORDS | _PARTICIPANT_WORDS)


def numbered_stem(label: str) -> str | None:
    """The word of a label that is a word plus numbering, case-folded; else None.

    Numbering is up to three digit groups (of at most 3 digits) or single letters:
    ``Respondent3 b``, ``P2a``, ``Speaker 1``, ``Student 4-b``.

    Examples
    --------
    >>> numbered_stem("Respondent3 b"), numbered_stem("P2a"), numbered_stem("DS Khan")
    ('respondent', 'p', None)
    >>> numbered_stem("Interviewer"), numbered_stem("Q3 2023")
    ('interviewer', None)
    """
    m = _NUMBERED.fullmatch(" ".join(label.split()))
    return m.group("stem").casefold() if m else None


def _numbering(label: str) -> str:
    m = _NUMBERED.fullmatch(" ".join(label.split()))
    return m.group("rest") if m else ""


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
    if numbered_stem(s) in _INTERVIEWER_WORDS:
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
        self._label_of: dict[str, str] = {}  # exact or folded key -> entry label
        #: Entry labels that resolved a speaker (see :meth:`resolve`).
        self.used: set[str] = set()
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
            self._label_of[label.strip()] = label
            if _key(label) not in self._folded:
                self._folded[_key(label)] = entry
                self._label_of["\x00" + _key(label)] = label

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

    def _find(self, label: str) -> str | None:
        """The key of the entry for ``label`` (exact, folded, or without number)."""
        s = label.strip()
        if s in self._exact:
            return s
        if _key(s) in self._folded:
            return "\x00" + _key(s)
        base = _base(s)
        if base and base != _key(s) and base in self._folded:
            return "\x00" + base
        return None

    def _entry_at(self, key: str) -> tuple[str | None, str | None]:
        return self._folded[key[1:]] if key.startswith("\x00") else self._exact[key]

    def _lookup(self, label: str) -> tuple[str | None, str | None] | None:
        key = self._find(label)
        return None if key is None else self._entry_at(key)

    def knows(self, label: str) -> bool:
        """True when ``label`` has an entry (exact, any case, or without its number)."""
        return self._lookup(label) is not None

    def resolve(self, label: str | None) -> tuple[str | None, str | None]:
        """(speaker name, role) for a raw label; (None, None) without a speaker."""
        if label is None or not label.strip():
            return None, None
        key = self._find(label)
        if key is None:
            return label.strip(), default_role(label)
        self.used.add(self._label_of[key])
        name, role = self._entry_at(key)
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


def is_annotation(label: str) -> bool:
    """A bracketed transcription note or redaction placeholder, not a speaker.

    Examples
    --------
    >>> is_annotation("Laughs"), is_annotation("inaudible 00:01"), is_annotation("Name")
    (True, True, True)
    >>> is_annotation("Jane Doe")
    False
    """
    key = _key(label)
    first = key.split(" ", 1)[0] if key else ""
    return key in _ANNOTATIONS or first in _ANNOTATIONS


def name_shaped(label: str) -> bool:
    """A lower-case (or any) label that reads as a name: <= 3 words, no function word.

    Examples
    --------
    >>> name_shaped("jane doe"), name_shaped("so basically"), name_shaped("the answer")
    (True, False, False)
    """
    words = _key(label).split()
    return (
        0 < len(words) <= 3
        and all(_NAME_WORD.fullmatch(w) for w in words)
        and not any(w.strip(".") in _FUNCTION_WORDS or w in _STOP for w in words)
    )


@dataclass(frozen=True, slots=True)
class Parsed:
    """What an importer understood: turn drafts, and the label-shaped line starts
    it did not use as speakers (``(label, line)``, lines 1-based)."""

    drafts: list[TurnDraft]
    unused_labels: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line-start label candidate in one file, for :class:`LabelRule`.

    ``shape`` is ``"colon"`` (``Label:``), ``"bracket"`` (``[Label]``) or
    ``"header"`` (``Speaker Name  0:03``); ``strong`` when the shape alone says it is
    a label; ``line`` is where it is (1-based; the cue's line for captions).
    """

    label: str
    line: int
    shape: str = "colon"
    strong: bool = False


class LabelRule:
    """Which label candidates of one file are speakers (the module's label rule).

    Parameters
    ----------
    candidates : sequence of Candidate
        Every candidate in the file (recurrence and shapes are counted over them).
    speakers : SpeakerMap, optional
    forced : iterable of str
        Labels always accepted (a .docx table's speaker column).
    lowercase : bool
        Captions: lower-case name-shaped labels count like capitalised ones (rule 5).
    one_off : bool
        A label said once counts as if it recurred (a caption file where most cues
        start with a label: Zoom puts names at cue starts).

    Examples
    --------
    >>> cands = [
    ...     Candidate("Respondent1", 1),
    ...     Candidate("Respondent1", 3),
    ...     Candidate("Student2a", 4),
    ...     Candidate("Note", 5),
    ...     Candidate("Student1", 6),
    ...     Candidate("Student1", 7),
    ... ]
    >>> rule = LabelRule(cands)
    >>> [rule.accepts(c) for c in cands[2:4]]
    [True, False]
    """

    def __init__(
        self,
        candidates: Sequence[Candidate],
        *,
        speakers: SpeakerMap | None = None,
        forced: Iterable[str] = (),
        lowercase: bool = False,
        one_off: bool = False,
    ) -> None:
        self.smap = speakers if speakers is not None else SpeakerMap()
        self.forced = {_key(f) for f in forced}
        self.lowercase = lowercase
        self.one_off = one_off
        self._counts: dict[tuple[str, str], int] = {}
        for c in candidates:
            k = (self._family(c.shape), _key(c.label))
            self._counts[k] = self._counts.get(k, 0) + 1
        # a file whose speakers are bracketed names: a one-off [Name] is one too
        self._bracket_names = any(
            c.shape == "bracket"
            and self.count(c) >= 2
            and not is_role_label(c.label)
            and self._base(c, self.count(c)) is True
            for c in candidates
        )
        self._stems = {
            stem
            for c in candidates
            if (stem := numbered_stem(c.label)) is not None
            and self._base(c, self.count(c)) is True
            and (self.count(c) >= 2 or is_role_label(c.label))
        }

    @staticmethod
    def _family(shape: str) -> str:
        return "header" if shape == "header" else "inline"

    def count(self, c: Candidate) -> int:
        """How often the candidate's label starts a line in its shape family."""
        return self._counts.get((self._family(c.shape), _key(c.label)), 0)

    def _base(self, c: Candidate, n: int) -> bool | None:
        """Rules 1-3 and 5: True/False when decided, None when only shape may help."""
        label = c.label
        key = _key(label)
        if key in self.forced or self.smap.knows(label):
            return True
        if key in _STOP or numbered_stem(label) in _STOP:
            return False
        if c.shape == "bracket" and is_annotation(label):
            return False
        recurs = n >= 2 or c.strong or self.one_off
        if is_role_label(label):
            return True if recurs or c.shape != "bracket" else None
        capital = label[0].isupper() or label[0].isdigit()
        lower_ok = (self.lowercase or c.shape == "header" and c.strong) and name_shaped(
            label
        )
        if capital or lower_ok:
            if recurs or c.shape == "header" and c.strong:
                return True
            return None
        return False

    def accepts(self, c: Candidate) -> bool:
        """True when ``c`` is a speaker label."""
        base = self._base(c, self.count(c))
        if base is not None:
            return base
        if c.shape == "bracket" and self._bracket_names and not is_role_label(c.label):
            return True
        stem = numbered_stem(c.label)
        return stem is not None and bool(_numbering(c.label)) and stem in self._stems

    def reported(self, c: Candidate) -> bool:
        """Whether a rejected candidate is worth listing as an unused label.

        Bracketed annotations (``[inaudible]``) and weak header shapes (prose such
        as ``We met at 10:30``) are not.
        """
        if c.shape == "bracket":
            return not is_annotation(c.label)
        if c.shape == "header":
            return c.strong
        return True
