"""Pseudonymisation of names, places and identifiers, and a leak check.

Police interview transcripts name officers, suspects, victims, streets,
operations and forces. :func:`pseudonymise` replaces every original listed in a
:class:`PseudonymKey` (``original, pseudonym, kind``) with its pseudonym,
consistently across transcripts, and replaces common identifiers found by
detectors (UK postcodes, phone numbers, e-mail addresses, vehicle registrations,
dates of birth, police collar numbers). Codings survive: their offsets move
through the replacement so each still covers the same words.

:func:`check_leaks` scans exports (``.xlsx``, ``.docx``, ``.html``, ``.csv``,
``.md``, ``.txt``, ``.qdpx``), project files and :class:`~qualcode.Project`
objects for originals from the key, and reports every hit.

Matching rules
--------------
- Whole words, case-insensitive (Unicode-aware): ``Smith`` matches ``smith`` and
  ``SMITH`` but not ``Smithson``; a key entry may ask for an exact case
  (``case_sensitive``) for names that are also common words.
- Words of a multi-word original may be separated by any run of spaces or one
  line break (``Kestrel\\nPark``); typographic apostrophes and hyphens match their
  plain forms; NFC and NFD spellings both match.
- Where matches overlap, the longest wins: with ``Christina`` and ``Christina
  Marsh`` in the key, ``Christina Marsh`` becomes that entry's pseudonym.
  Overlapping matches are merged into one replaced span, so no part of an
  identifier is left behind.
- Titles stay: ``DS Smith`` becomes ``DS Person B`` when only ``Smith`` is in the
  key; an entry for ``DS Smith`` itself wins when present.
- Possessives: ``Smith's`` becomes ``Person B's``; ``Smiths'`` becomes
  ``Person B's``.
- Nothing crosses a turn boundary: each turn, and the speaker label between
  turns, is matched on its own, so turns keep exact offsets.

The key is the secret
---------------------
The key never goes into a project or an export: keep it apart (it is a CSV or
YAML file you load). Reports never hold originals: a replacement is identified
by ``original_hash``, an HMAC of the matched text keyed by the key's own
content, so only someone holding the key can tell which original it was.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import hmac
import html
import io
import re
import sqlite3
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._validation import check_choice, require_columns
from qualcode.errors import (
    Errors,
    InvalidInputError,
    MissingDependencyError,
    StoreError,
)
from qualcode.model import Transcript, Turn

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_DETECTORS",
    "DETECTORS",
    "Detector",
    "KeyEntry",
    "OffsetMap",
    "PseudonymKey",
    "PseudonymisationResult",
    "check_leaks",
    "detect_identifiers",
    "pseudonymise",
    "suggest_entities",
]

# --------------------------------------------------------------------------
# detectors
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detector:
    """A regular expression that finds one kind of identifier.

    Parameters
    ----------
    name : str
        Identifier of the detector (``"postcode"``, ``"badge"``...).
    pattern : str
        A Python regular expression. When it has a group named ``value``, only
        that group is replaced (so context such as ``PC`` in ``PC 1234`` stays).
    label : str, optional
        Human wording used in replacements (``"[{kind}]"`` gives
        ``"[collar number]"``); default the name with ``_`` as spaces.
    ignore_case : bool, default False
        Match regardless of case.

    Examples
    --------
    >>> d = Detector("badge", r"\\bBadge (?P<value>\\d{3})\\b")
    >>> [m.group("value") for m in d.regex.finditer("Badge 123 and Badge 45")]
    ['123']
    >>> d.kind
    'badge'
    """

    name: str
    pattern: str
    label: str | None = None
    ignore_case: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInputError(
                Errors.QC805.format(
                    name=self.name,
                    detail="the name must be a non-empty string",
                    known=sorted(DETECTORS),
                )
            )
        try:
            _compile(self.pattern, self.ignore_case)
        except (re.error, TypeError) as exc:
            raise InvalidInputError(
                Errors.QC805.format(
                    name=self.name,
                    detail=f"the pattern is not a valid regular expression ({exc})",
                    known=sorted(DETECTORS),
                )
            ) from None

    @property
    def kind(self) -> str:
        """The label used in replacements and reports."""
        return self.label or self.name.replace("_", " ")

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern."""
        return _compile(self.pattern, self.ignore_case)


@lru_cache(maxsize=256)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?![\d/.\-]?\d)"
    r"|\d{4}-\d{2}-\d{2}(?!\d)"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}(?!\d)"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}(?!\d)"
    rf"|{_MONTH},?\s+\d{{4}}(?!\d))"
)

#: The built-in detectors, by name.
DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        Detector(
            "postcode",
            # outward code, optional space, inward code (never C I K M O V);
            # lower-case ordinals ("A1 1st") are not postcodes
            r"(?<!\w)(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?"
            r"(?!(?-i:\d(?:st|nd|rd|th)))\d[ABD-HJLNP-UW-Z]{2})(?!\w)",
            label="postcode",
            ignore_case=True,
        ),
        Detector(
            "phone",
            # 0 or +44 / 0044 then 9-10 more digits, with spaces, hyphens, brackets;
            # never part of a longer code (GUIDs, hashes, references)
            r"(?<![\w+\-/.])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
            r"\d(?:[ \-)]{0,2}\d){8,9}(?!\w)(?![\-/.]\w)",
            label="phone number",
        ),
        Detector(
            "email",
            r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+(?![\w\-])",
            label="email address",
        ),
        Detector(
            "vehicle_registration",
            # the current format (AB12 CDE, since 2001), upper case only
            r"(?<!\w)[A-Z]{2}\d{2}\s?[A-Z]{3}(?!\w)",
            label="vehicle registration",
        ),
        Detector(
            "vehicle_registration_old",
            # prefix (A123 BCD) and suffix (ABC 123D) formats; not a default: they
            # also match acronyms such as "N8 PRP"
            r"(?<!\w)(?:[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])(?!\w)",
            label="vehicle registration",
        ),
        Detector(
            "date_of_birth",
            # a date after DOB / date of birth / born (on|in) / birthday
            r"(?<!\w)(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+(?:on|in))?"
            r"|birthday(?:\s+(?:is|was))?)\s*(?:[:\-–]\s*|(?:is|was)\s+)?"
            rf"(?:the\s+)?(?P<value>{_DATE})",
            label="date of birth",
            ignore_case=True,
        ),
        Detector(
            "collar_number",
            # PC 1234, PCSO 5678, DS 4321, collar number 4321, shoulder no. 55 ...
            r"(?<!\w)(?:(?-i:PCSO|PC|PS|DC|DS|DI|Sgt|Insp)\.?|(?:police\s+)?constable"
            r"|collar(?:\s+(?:number|no\.?|num))?|(?:shoulder|warrant)\s+(?:number|no\.?|num))"
            r"\s*[:#]?\s*(?P<value>\d{2,6})(?!\w)",
            label="collar number",
            ignore_case=True,
        ),
    )
}

#: The detectors :func:`pseudonymise` uses unless told otherwise.
DEFAULT_DETECTORS: tuple[str, ...] = (
    "postcode",
    "phone",
    "email",
    "vehicle_registration",
    "date_of_birth",
    "collar_number",
)


def _as_detectors(detectors: Any, caller: str) -> tuple[Detector, ...]:
    if detectors is None:
        return ()
    if isinstance(detectors, (str, Detector)):
        detectors = [detectors]
    if isinstance(detectors, Mapping):
        detectors = [
            v if isinstance(v, Detector) else (k, v) if v is not None else k
            for k, v in detectors.items()
        ]
    out: list[Detector] = []
    for d in detectors:
        if isinstance(d, Detector):
            out.append(d)
        elif isinstance(d, str):
            if d not in DETECTORS:
                check_choice(d, sorted(DETECTORS), param="detectors", caller=caller)
            out.append(DETECTORS[d])
        elif isinstance(d, tuple) and len(d) == 2:
            name, pat = d
            if isinstance(pat, re.Pattern):
                out.append(
                    Detector(
                        name, pat.pattern, ignore_case=bool(pat.flags & re.IGNORECASE)
                    )
                )
            else:
                out.append(Detector(name, pat))
        else:
            raise InvalidInputError(
                Errors.QC805.format(
                    name=repr(d)[:40], detail="not a detector", known=sorted(DETECTORS)
                )
            )
    names = [d.name for d in out]
    dup = [n for n, c in Counter(names).items() if c > 1]
    if dup:
        raise InvalidInputError(
            Errors.QC805.format(
                name=dup[0], detail="given twice", known=sorted(DETECTORS)
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------
_APOS = "'\u2019\u2018\u02bc"
_HYPH = "-\u2010\u2011\u2012\u2013"
_WS = (
    r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"  # spaces, or one line break (never a blank line)
)
_WORD = re.compile(r"\w+")
_TRUE = {"true", "yes", "y", "1", "exact", "sensitive"}
_FALSE = {"", "false", "no", "n", "0", "none", "nan"}


def _norm(s: str) -> str:
    return unicodedata.normalize("NFC", " ".join(s.split()))


def _fold(s: str) -> str:
    return _norm(s).casefold()


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One line of a pseudonymisation key.

    Parameters
    ----------
    original : str
        The name, place or identifier as it may appear in transcripts.
    pseudonym : str
        What replaces it (never empty).
    kind : str, default "name"
        ``person``, ``place``, ``organisation``, ``operation``, ``identifier``...
    case_sensitive : bool, default False
        Match this original with its exact case only (for names that are also
        common words, e.g. ``Dawn``, ``Mark``).
    line : int, optional
        Line (or row) of the key file, for messages.
    """

    original: str
    pseudonym: str
    kind: str = "name"
    case_sensitive: bool = False
    line: int | None = field(default=None, compare=False)


class PseudonymKey:
    """The key that maps originals to pseudonyms: ``original, pseudonym, kind``.

    Keep it in its own file, apart from the project and the exports: it is the
    only thing that links pseudonyms back to people. Load it from CSV or YAML
    (:meth:`load`), or build it from a mapping or a DataFrame.

    Parameters
    ----------
    entries : iterable of KeyEntry, (original, pseudonym[, kind]) tuples or mappings
    source : str, optional
        Where it came from, for messages (the file path).

    Raises
    ------
    InvalidInputError
        An empty original or pseudonym, an original listed twice with different
        pseudonyms, or a pseudonym that itself contains an original [QC802-QC804].
        Messages name lines, never originals.

    Examples
    --------
    >>> key = PseudonymKey.from_mapping(
    ...     {"Christina Marsh": "Person A", "Christina": "Person A"}
    ... )
    >>> len(key), key.kinds
    (2, {'name': 2})
    >>> key.pseudonym_for("christina marsh")
    'Person A'
    >>> key  # never shows the originals
    PseudonymKey(2 entries: name 2)
    """

    __slots__ = ("_by_fold", "_entries", "source")

    def __init__(
        self, entries: Iterable[Any] = (), *, source: str | None = None
    ) -> None:
        self.source = source
        where = source or "the pseudonymisation key"
        items: list[KeyEntry] = []
        for pos, e in enumerate(entries, start=1):
            if isinstance(e, KeyEntry):
                item = e
            elif isinstance(e, Mapping):
                item = KeyEntry(
                    str(e.get("original") or ""),
                    str(e.get("pseudonym") or ""),
                    str(e.get("kind") or "name"),
                    _flag(e.get("case_sensitive"), where, e.get("line", pos)),
                    e.get("line", pos),
                )
            elif isinstance(e, (tuple, list)) and 2 <= len(e) <= 4:
                item = KeyEntry(
                    str(e[0]), str(e[1]), *(str(x) for x in e[2:3]), line=pos
                )
                if len(e) == 4:
                    item = replace(item, case_sensitive=_flag(e[3], where, pos))
            else:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where,
                        line=pos,
                        detail=f"a {type(e).__name__} is not a key entry; "
                        "give (original, pseudonym, kind) rows",
                    )
                )
            line = item.line if item.line is not None else pos
            original, pseudonym = _norm(item.original), " ".join(item.pseudonym.split())
            if not original:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where, line=line, detail="the original is empty"
                    )
                )
            if not pseudonym:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where,
                        line=line,
                        detail="the pseudonym is empty "
                        "(replacing with nothing would lose codings' words)",
                    )
                )
            items.append(
                replace(
                    item,
                    original=original,
                    pseudonym=pseudonym,
                    kind=(item.kind or "name").strip() or "name",
                    line=line,
                )
            )
        by_fold: dict[str, KeyEntry] = {}
        kept: list[KeyEntry] = []
        for item in items:
            f = item.original if item.case_sensitive else item.original.casefold()
            prev = by_fold.get(f)
            if prev is not None:
                if prev.pseudonym != item.pseudonym:
                    raise InvalidInputError(
                        Errors.QC803.format(
                            where=where,
                            first=prev.line,
                            second=item.line,
                            p1=prev.pseudonym,
                            p2=item.pseudonym,
                        )
                    )
                continue
            by_fold[f] = item
            kept.append(item)
        self._entries: tuple[KeyEntry, ...] = tuple(kept)
        self._by_fold = by_fold
        if kept:
            m = _KeyMatcher(self._entries)
            for item in kept:
                hit = m.first(item.pseudonym)
                if hit is not None:
                    raise InvalidInputError(
                        Errors.QC804.format(
                            where=where,
                            line=item.line,
                            pseudonym=item.pseudonym,
                            other=hit.line,
                        )
                    )

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, str], *, kind: str = "name"
    ) -> PseudonymKey:
        """A key from ``{original: pseudonym}``.

        Examples
        --------
        >>> len(PseudonymKey.from_mapping({"Smith": "Person B"}))
        1
        """
        return cls([(o, p, kind) for o, p in mapping.items()])

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, source: str | None = None
    ) -> PseudonymKey:
        """A key from a frame: ``original, pseudonym`` (``kind``, ``case_sensitive``).

        Examples
        --------
        >>> import pandas as pd
        >>> PseudonymKey.from_frame(
        ...     pd.DataFrame({"original": ["Smith"], "pseudonym": ["Person B"]})
        ... )
        PseudonymKey(1 entries: name 1)
        """
        require_columns(
            frame,
            ["original", "pseudonym"],
            caller="PseudonymKey.from_frame",
            param="frame",
        )
        rows = []
        for i, rec in enumerate(frame.to_dict("records")):
            rec = {k: (None if _missing(v) else v) for k, v in rec.items()}
            rec.setdefault("line", i + 2)  # line 1 is the header
            rows.append(rec)
        return cls(rows, source=source)

    @classmethod
    def load(cls, path: str | Path) -> PseudonymKey:
        """Load a key from ``.csv`` (header ``original,pseudonym,kind``) or ``.yaml``.

        YAML may be a list of ``{original, pseudonym, kind}`` mappings, a mapping
        ``{original: pseudonym}``, or ``{entries: [...]}``.

        Raises
        ------
        InvalidInputError
            The file is missing, unreadable or not a key [QC802].

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "key.csv"
        >>> _ = p.write_text("original,pseudonym,kind\\nSmith,Person B,person\\n")
        >>> PseudonymKey.load(p)
        PseudonymKey(1 entries: person 1)
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInputError(
                Errors.QC811.format(where=path, detail="file not found; check the path")
            )
        suffix = path.suffix.lower()
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(
                Errors.QC811.format(
                    where=path,
                    detail=f"cannot read it ({type(exc).__name__}); save it as UTF-8",
                )
            ) from None
        if suffix in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=path,
                        line=(mark.line + 1) if mark else 0,
                        detail="not valid YAML",
                    )
                ) from None
            if isinstance(data, Mapping) and "entries" in data:
                data = data["entries"]
            if isinstance(data, Mapping):
                data = [{"original": k, "pseudonym": v} for k, v in data.items()]
            if not isinstance(data, list):
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=path,
                        line=1,
                        detail="expected a list of {original, pseudonym, kind} entries",
                    )
                )
            return cls(data, source=str(path))
        if suffix not in (".csv", ".txt", ".tsv"):
            raise InvalidInputError(
                Errors.QC811.format(
                    where=path,
                    detail=f"unknown key format {suffix!r}; use .csv or .yaml",
                )
            )
        reader = csv.DictReader(
            io.StringIO(raw), delimiter="\t" if suffix == ".tsv" else ","
        )
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "original" not in fields or "pseudonym" not in fields:
            raise InvalidInputError(
                Errors.QC802.format(
                    where=path,
                    line=1,
                    detail="the header must name the columns "
                    f"original,pseudonym[,kind]; it has {fields}",
                )
            )
        rows = []
        for line, rec in enumerate(reader, start=2):
            rec = {str(k).strip().lower(): v for k, v in rec.items() if k is not None}
            if not any((v or "").strip() for v in rec.values()):
                continue  # blank line
            rec["line"] = line
            rows.append(rec)
        return cls(rows, source=str(path))

    def save(self, path: str | Path) -> Path:
        """Write the key as ``.csv`` or ``.yaml`` (never into a project).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> key = PseudonymKey([("Smith", "Person B", "person")])
        >>> out = key.save(pathlib.Path(tempfile.mkdtemp()) / "key.csv")
        >>> PseudonymKey.load(out).pseudonym_for("Smith")
        'Person B'
        """
        path = Path(path)
        suffix = path.suffix.lower()
        check_choice(
            suffix,
            [".csv", ".yaml", ".yml"],
            param="path suffix",
            caller="PseudonymKey.save",
        )
        rows = [
            {
                "original": e.original,
                "pseudonym": e.pseudonym,
                "kind": e.kind,
                **({"case_sensitive": True} if e.case_sensitive else {}),
            }
            for e in self._entries
        ]
        if suffix == ".csv":
            cols = ["original", "pseudonym", "kind"] + (
                ["case_sensitive"]
                if any(e.case_sensitive for e in self._entries)
                else []
            )
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow(
                    {c: ("true" if r.get(c) is True else r.get(c, "")) for c in cols}
                )
            path.write_text(buf.getvalue(), encoding="utf-8")
        else:
            import yaml

            path.write_text(
                yaml.safe_dump(rows, sort_keys=False, allow_unicode=True),
                encoding="utf-8",
            )
        return path

    def add(
        self,
        original: str,
        pseudonym: str,
        kind: str = "name",
        *,
        case_sensitive: bool = False,
    ) -> PseudonymKey:
        """A new key with one more entry (keys are immutable).

        Examples
        --------
        >>> PseudonymKey().add("Smith", "Person B", "person")
        PseudonymKey(1 entries: person 1)
        """
        return PseudonymKey(
            [
                *self._entries,
                KeyEntry(
                    original, pseudonym, kind, case_sensitive, len(self._entries) + 1
                ),
            ],
            source=self.source,
        )

    # -- views ----------------------------------------------------------------
    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        """The entries, in file order (duplicates dropped)."""
        return self._entries

    @property
    def kinds(self) -> dict[str, int]:
        """Number of entries per kind."""
        return dict(Counter(e.kind for e in self._entries))

    def pseudonym_for(self, original: str) -> str | None:
        """The pseudonym of ``original`` (case-insensitive), or None."""
        e = self._by_fold.get(_norm(original).casefold()) or self._by_fold.get(
            _norm(original)
        )
        return None if e is None else e.pseudonym

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: ``original, pseudonym, kind, case_sensitive``.

        Examples
        --------
        >>> PseudonymKey([("Smith", "Person B", "person")]).to_frame()
          original pseudonym    kind  case_sensitive
        0    Smith  Person B  person           False
        """
        from qualcode._columns import PSEUDONYM_KEY, frame

        return frame(
            [
                {
                    "original": e.original,
                    "pseudonym": e.pseudonym,
                    "kind": e.kind,
                    "case_sensitive": e.case_sensitive,
                }
                for e in self._entries
            ],
            PSEUDONYM_KEY,
        )

    @property
    def fingerprint(self) -> bytes:
        """SHA-256 of the key's content: the secret behind ``original_hash``."""
        h = hashlib.sha256(b"qualcode-pseudonym-key\x00")
        for e in self._entries:
            h.update(
                "\x1f".join(
                    (e.original, e.pseudonym, e.kind, str(e.case_sensitive))
                ).encode("utf-8")
                + b"\x1e"
            )
        return h.digest()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self._entries)

    def __contains__(self, original: object) -> bool:
        return isinstance(original, str) and self.pseudonym_for(original) is not None

    def __repr__(self) -> str:  # never print originals
        kinds = ", ".join(f"{k} {n}" for k, n in self.kinds.items())
        return f"PseudonymKey({len(self)} entries{': ' + kinds if kinds else ''})"


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN / NA
    except (TypeError, ValueError):
        return False


def _flag(value: Any, where: Any, line: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = "" if _missing(value) else str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InvalidInputError(
        Errors.QC802.format(
            where=where,
            line=line,
            detail=f"case_sensitive must be true or false, not {s!r}",
        )
    )


def _as_key(key: Any, caller: str) -> PseudonymKey:
    if isinstance(key, PseudonymKey):
        return key
    if key is None:
        return PseudonymKey()
    if isinstance(key, (str, Path)):
        return PseudonymKey.load(key)
    if isinstance(key, Mapping):
        return PseudonymKey.from_mapping(key)
    try:
        import pandas as pd

        if isinstance(key, pd.DataFrame):
            return PseudonymKey.from_frame(key)
    except ImportError:  # pragma: no cover
        pass
    raise InvalidInputError(
        Errors.QC101.format(
            param="key",
            caller=caller,
            expected="a PseudonymKey, a key file path, a mapping or a DataFrame",
            got=type(key).__name__,
        )
    )


# --------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    replacement: str
    kind: str
    source: str  # "key" or "detector"
    detector: str | None = None
    entry: KeyEntry | None = None


def _entry_pattern(original: str) -> str:
    parts = []
    for tok in original.split():
        parts.append(
            "".join(
                f"[{_APOS}]"
                if ch in _APOS
                else f"[{_HYPH}]"
                if ch in _HYPH
                else re.escape(ch)
                for ch in tok
            )
        )
    body = _WS.join(parts)
    left = r"(?<!\w)" if _WORD.match(original[0]) else ""
    if _WORD.match(original[-1]):
        right = rf"(?:s(?P<plural>[{_APOS}])(?!\w)|(?!\w))"
    else:
        right = ""
    return left + body + right


class _KeyMatcher:
    """Leftmost-longest key matches: candidates by first word, verified by regex."""

    def __init__(self, entries: Sequence[KeyEntry]) -> None:
        buckets: dict[str, list[tuple[int, re.Pattern[str], KeyEntry]]] = {}
        special: list[tuple[int, re.Pattern[str], KeyEntry]] = []
        for e in entries:
            flags = 0 if e.case_sensitive else re.IGNORECASE
            for form in dict.fromkeys(
                (
                    unicodedata.normalize("NFC", e.original),
                    unicodedata.normalize("NFD", e.original),
                )
            ):
                item = (len(form), re.compile(_entry_pattern(form), flags), e)
                m = _WORD.match(form)
                if m is None:
                    special.append(item)
                else:
                    buckets.setdefault(m.group().casefold(), []).append(item)
        for b in buckets.values():
            b.sort(key=lambda x: -x[0])
        special.sort(key=lambda x: -x[0])
        self._buckets = buckets
        self._special = special

    def candidates(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> list[_Hit]:
        endpos = len(text) if endpos is None else endpos
        out: list[_Hit] = []
        buckets = self._buckets
        if buckets:
            for w in _WORD.finditer(text, pos, endpos):
                word = w.group().casefold()
                bucket = buckets.get(word)
                if bucket is None:
                    # plural possessive of a one-word original: "Smiths'"
                    if not (
                        word.endswith("s")
                        and w.end() < endpos
                        and text[w.end()] in _APOS
                    ):
                        continue
                    bucket = buckets.get(word[:-1])
                    if bucket is None:
                        continue
                for _, rx, e in bucket:
                    m = rx.match(text, w.start(), endpos)
                    if m is not None:
                        out.append(self._hit(m, e))
                        break
        for _, rx, e in self._special:
            for m in rx.finditer(text, pos, endpos):
                out.append(self._hit(m, e))
        return out

    @staticmethod
    def _hit(m: re.Match[str], e: KeyEntry) -> _Hit:
        apos = m.group("plural") if "plural" in m.re.groupindex else None
        rep = e.pseudonym + (apos + "s" if apos else "")
        return _Hit(m.start(), m.end(), rep, e.kind, "key", None, e)

    def first(self, text: str) -> KeyEntry | None:
        c = self.candidates(text)
        return c[0].entry if c else None


class _Matcher:
    """Key entries plus detectors; finds non-overlapping replacements."""

    def __init__(
        self,
        key: PseudonymKey,
        detectors: Sequence[Detector],
        replacement: str | Mapping[str, str] = "[{kind}]",
        *,
        caller: str = "pseudonymise",
    ) -> None:
        self.key = key
        self.detectors = tuple(detectors)
        self._keym = _KeyMatcher(key.entries)
        self._secret = key.fingerprint
        self._rep: dict[str, str] = {}
        for d in self.detectors:
            tmpl = (
                replacement.get(d.name, "[{kind}]")
                if isinstance(replacement, Mapping)
                else replacement
            )
            if not isinstance(tmpl, str):
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="replacement",
                        caller=caller,
                        expected="a string template or a mapping of detector names "
                        "to templates",
                        got=type(tmpl).__name__,
                    )
                )
            try:
                rep = tmpl.format(kind=d.kind, name=d.name)
            except (KeyError, IndexError, ValueError) as exc:
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="replacement",
                        caller=caller,
                        expected="a template using only {kind} and {name}",
                        got=f"{tmpl} ({exc})",
                    )
                ) from None
            if not rep.strip():
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="replacement",
                        caller=caller,
                        expected="a non-empty replacement",
                        got=tmpl,
                    )
                )
            self._rep[d.name] = rep
        if isinstance(replacement, Mapping):
            unknown = sorted(set(replacement) - set(self._rep))
            if unknown:
                check_choice(
                    unknown[0], sorted(self._rep), param="replacement", caller=caller
                )

    def hits(self, text: str, bounds: Sequence[int] | None = None) -> list[_Hit]:
        """Replacements for ``text``; no hit crosses one of ``bounds``."""
        n = len(text)
        cuts = sorted({0, n, *(b for b in (bounds or ()) if 0 < b < n)})
        out: list[_Hit] = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            out.extend(self._segment(text, a, b))
        return out

    def _segment(self, text: str, pos: int, endpos: int) -> list[_Hit]:
        cands = self._keym.candidates(text, pos, endpos)
        for d in self.detectors:
            g = "value" if "value" in d.regex.groupindex else 0
            for m in d.regex.finditer(text, pos, endpos):
                s, e = m.span(g)
                if s < e:
                    cands.append(
                        _Hit(s, e, self._rep[d.name], d.kind, "detector", d.name)
                    )
        if not cands:
            return []
        cands.sort(key=lambda h: (h.start, -h.end))
        out: list[_Hit] = []
        cluster = [cands[0]]
        end = cands[0].end
        for h in cands[1:]:
            if h.start < end:
                cluster.append(h)
                end = max(end, h.end)
            else:
                out.append(self._resolve(cluster, end))
                cluster, end = [h], h.end
        out.append(self._resolve(cluster, end))
        return out

    @staticmethod
    def _resolve(cluster: list[_Hit], end: int) -> _Hit:
        best = max(
            cluster, key=lambda h: (h.end - h.start, h.source == "key", -h.start)
        )
        start = cluster[0].start
        if best.start == start and best.end == end:
            return best
        return replace(best, start=start, end=end)

    def apply(
        self, text: str, bounds: Sequence[int] | None = None
    ) -> tuple[str, list[_Hit], list[tuple[int, int, int, int]]]:
        """New text, the hits, and ``(old_start, old_end, new_start, new_end)`` each."""
        hits = self.hits(text, bounds)
        if not hits:
            return text, [], []
        parts: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        prev = 0
        pos = 0
        for h in hits:
            parts.append(text[prev : h.start])
            pos += h.start - prev
            parts.append(h.replacement)
            spans.append((h.start, h.end, pos, pos + len(h.replacement)))
            pos += len(h.replacement)
            prev = h.end
        parts.append(text[prev:])
        return "".join(parts), hits, spans

    def rewrite(self, text: str) -> str:
        """``text`` with every original and identifier replaced."""
        if not isinstance(text, str) or not text:
            return text
        return self.apply(text)[0]

    def rewrite_name(self, name: str) -> str:
        """Like :meth:`rewrite` for ids and paths: ``_`` counts as a space."""
        if not isinstance(name, str) or not name:
            return name
        view = name.replace("_", " ")
        hits = self.hits(view)
        if not hits:
            return name
        parts, prev = [], 0
        for h in hits:
            parts.append(name[prev : h.start])
            rep = h.replacement
            if "_" in name and " " not in name:  # snake_case ids stay snake_case
                rep = rep.replace(" ", "_")
            parts.append(rep)
            prev = h.end
        parts.append(name[prev:])
        return "".join(parts)

    def digest(self, original: str) -> str:
        """HMAC of the matched text keyed by the key's content (16 hex digits)."""
        return hmac.new(
            self._secret, _fold(original).encode("utf-8"), hashlib.sha256
        ).hexdigest()[:16]


# --------------------------------------------------------------------------
# offsets
# --------------------------------------------------------------------------
class OffsetMap:
    """Map ``[start, end)`` spans of the original text to the pseudonymised text.

    Text outside replaced spans shifts exactly; a span boundary inside a replaced
    span expands to the whole replacement, so a coding keeps covering the same
    words (a coding of ``"Christina"`` in ``"Christina Marsh"`` becomes a coding of
    the whole pseudonym).

    Parameters
    ----------
    spans : sequence of (old_start, old_end, new_start, new_end)
        The replaced spans, in order, not overlapping.

    Examples
    --------
    >>> m = OffsetMap([(4, 9, 4, 12)])  # "Ask Smith now" -> "Ask Person B now"
    >>> m.span(0, 3), m.span(4, 9), m.span(10, 13), m.span(6, 13)
    ((0, 3), (4, 12), (13, 16), (4, 16))
    """

    __slots__ = ("_new_end", "_new_start", "_old_end", "_old_start")

    def __init__(self, spans: Sequence[tuple[int, int, int, int]] = ()) -> None:
        self._old_start = [s[0] for s in spans]
        self._old_end = [s[1] for s in spans]
        self._new_start = [s[2] for s in spans]
        self._new_end = [s[3] for s in spans]

    def __len__(self) -> int:
        return len(self._old_start)

    def start(self, pos: int) -> int:
        """New position of a span start at old ``pos``."""
        i = bisect.bisect_right(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos < self._old_end[i]:
            return self._new_start[i]
        return pos + self._new_end[i] - self._old_end[i]

    def end(self, pos: int) -> int:
        """New position of a span end at old ``pos``."""
        i = bisect.bisect_left(self._old_start, pos) - 1
        if i < 0:
            return pos
        if pos <= self._old_end[i]:
            return self._new_end[i]
        return pos + self._new_end[i] - self._old_end[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """New ``(start, end)`` of the old span ``[start, end)``."""
        return self.start(start), self.end(end)


# --------------------------------------------------------------------------
# pseudonymise
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class PseudonymisationResult:
    """What :func:`pseudonymise` returns.

    Attributes
    ----------
    corpus_or_project : Corpus, Project, Transcript, list or str
        The pseudonymised data (a Project is the one given, changed in place,
        or the copy written to ``out=``).
    report : pandas.DataFrame
        One row per replacement: ``transcript_id`` (new id), ``field``
        (``text``, ``speaker``, ``attribute:<name>``, ``source``, ``id``),
        ``start, end`` (in the new text; empty for other fields), ``old_start,
        old_end``, ``kind``, ``source`` (``key`` or ``detector``), ``detector``,
        ``replacement`` and ``original_hash`` (never the original).
    summary : dict
        Counts: transcripts, transcripts_changed, replacements, by_kind, and for a
        project codings, codings_merged, decisions, purged.
    maps : mapping
        ``{old transcript id: (new id, OffsetMap)}``, used by :meth:`remap`.
    suggestions : pandas.DataFrame or None
        With ``nlp=``: entities the key does not cover, positions in the
        ORIGINAL texts (the frame holds names: keep it with the key).

    Examples
    --------
    >>> res = pseudonymise("Smith rang Smith's team.", {"Smith": "Person B"})
    >>> res.corpus_or_project
    "Person B rang Person B's team."
    >>> res.summary["replacements"], res.report["original_hash"].nunique()
    (2, 1)
    """

    corpus_or_project: Any
    report: Any
    summary: dict[str, Any]
    maps: Mapping[str, tuple[str, OffsetMap]] = field(default_factory=dict, repr=False)
    suggestions: Any = field(default=None, repr=False)

    @property
    def corpus(self) -> Any:
        """The pseudonymised corpus (same as ``corpus_or_project``)."""
        return self.corpus_or_project

    @property
    def project(self) -> Any:
        """The pseudonymised project (same as ``corpus_or_project``)."""
        return self.corpus_or_project

    def remap(self, codings: pd.DataFrame) -> pd.DataFrame:
        """Move a codings frame (``transcript_id, start, end``) onto the new texts.

        Ids are renamed when a transcript id held an original; the ``text``
        column, when present, is re-sliced from the pseudonymised transcripts.

        Examples
        --------
        >>> import pandas as pd
        >>> from qualcode.model import Transcript
        >>> res = pseudonymise(
        ...     [Transcript("t", "Ask Smith now.")], {"Smith": "Person B"}
        ... )
        >>> res.remap(
        ...     pd.DataFrame({"transcript_id": ["t"], "start": [10], "end": [14]})
        ... )
          transcript_id  start  end
        0             t     13   17
        """
        require_columns(
            codings,
            ["transcript_id", "start", "end"],
            caller="PseudonymisationResult.remap",
            param="codings",
        )
        out = codings.copy()
        ids, starts, ends = [], [], []
        for tid, s, e in zip(
            out["transcript_id"], out["start"], out["end"], strict=True
        ):
            new_id, m = self.maps.get(tid, (tid, OffsetMap()))
            ns, ne = m.span(int(s), int(e))
            ids.append(new_id)
            starts.append(ns)
            ends.append(ne)
        out["transcript_id"] = ids
        out["start"] = starts
        out["end"] = ends
        if "text" in out.columns:
            texts = _texts_of(self.corpus_or_project)
            if texts is not None:
                out["text"] = [
                    texts[t][s:e] if t in texts else v
                    for t, s, e, v in zip(ids, starts, ends, out["text"], strict=True)
                ]
        return out

    def __repr__(self) -> str:
        s = self.summary
        return (
            "PseudonymisationResult("
            f"transcripts_changed={s.get('transcripts_changed')}, "
            f"replacements={s.get('replacements')})"
        )


def _texts_of(obj: Any) -> dict[str, str] | None:
    if isinstance(obj, Transcript):
        return {obj.id: obj.text}
    if _is_project(obj):
        return {t.id: t.text for t in obj.iter_transcripts()}
    try:
        return {t.id: t.text for t in obj}
    except TypeError:
        return None


def _is_project(obj: Any) -> bool:
    from qualcode.store import Project

    return isinstance(obj, Project)


def _pseudonymise_transcript(
    t: Transcript, m: _Matcher
) -> tuple[Transcript, OffsetMap, list[dict[str, Any]]]:
    bounds = [b for u in t.turns for b in (u.start, u.end)]
    new_text, hits, spans = m.apply(t.text, bounds)
    omap = OffsetMap(spans)
    new_id = m.rewrite_name(t.id)
    rows = [
        {
            "transcript_id": new_id,
            "field": "text",
            "start": ns,
            "end": ne,
            "old_start": h.start,
            "old_end": h.end,
            "kind": h.kind,
            "source": h.source,
            "detector": h.detector,
            "replacement": h.replacement,
            "original_hash": m.digest(t.text[h.start : h.end]),
        }
        for h, (_, _, ns, ne) in zip(hits, spans, strict=True)
    ]

    def other(fieldname: str, old: str, new: str) -> None:
        if old == new:
            return
        for h in m.hits(
            old.replace("_", " ") if fieldname in ("id", "source") else old
        ):
            rows.append(
                {
                    "transcript_id": new_id,
                    "field": fieldname,
                    "kind": h.kind,
                    "source": h.source,
                    "detector": h.detector,
                    "replacement": h.replacement,
                    "original_hash": m.digest(old[h.start : h.end]),
                }
            )

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
    attrs = {}
    for k, v in t.attributes.items():
        nv = m.rewrite(v) if isinstance(v, str) else v
        if isinstance(v, str):
            other(f"attribute:{k}", v, nv)
        attrs[k] = nv
    source = m.rewrite_name(t.source) if t.source else t.source
    if t.source:
        other("source", t.source, source)
    other("id", t.id, new_id)
    new = Transcript(
        new_id, new_text, tuple(turns), attrs, source, t.format, t.encoding
    )
    return new, omap, rows


def pseudonymise(
    corpus_or_project: Any,
    key: Any,
    *,
    detectors: Any = DEFAULT_DETECTORS,
    replacement: str | Mapping[str, str] = "[{kind}]",
    nlp: Any = None,
    out: str | Path | None = None,
) -> PseudonymisationResult:
    """Replace names, places and identifiers consistently; keep codings on their words.

    Every original in ``key`` is replaced by its pseudonym in the transcripts'
    text, speaker names, string attributes, ids and source paths; identifiers
    found by ``detectors`` are replaced by ``replacement``. Offsets of turns and
    codings are remapped so each still covers the same words (a boundary inside
    a replaced span expands to the whole replacement).

    Parameters
    ----------
    corpus_or_project : Corpus, iterable of Transcript, Transcript, str or Project
        A Corpus (or list) gives a new Corpus; a Project is changed IN PLACE
        (pass ``out=`` to write a pseudonymised copy instead and leave the
        original untouched). A plain string gives a string.
    key : PseudonymKey, path, mapping or DataFrame
        ``original -> pseudonym`` (see :class:`PseudonymKey`). It is never
        stored in the project or the report.
    detectors : iterable, default all six built-ins
        Names from :data:`DETECTORS` (``postcode``, ``phone``, ``email``,
        ``vehicle_registration``, ``date_of_birth``, ``collar_number``),
        :class:`Detector` objects or ``(name, regex)`` pairs; ``()`` for none.
    replacement : str or mapping, default ``"[{kind}]"``
        Template for detector hits (``{kind}``: the detector's label, e.g.
        ``collar number``; ``{name}``: its name), or ``{detector name: template}``.
    nlp : spaCy Language, optional
        A pipeline with an entity recogniser: named entities the key does not
        cover are returned as ``.suggestions`` (see :func:`suggest_entities`)
        and counted in ``summary["entities_not_in_key"]``; they are NEVER
        replaced. Review them, extend the key, and pseudonymise again.
    out : path, optional
        Project only: the new project file to write the pseudonymised copy to
        (it must not exist).

    Returns
    -------
    PseudonymisationResult
        ``.corpus_or_project``, ``.report`` (one row per replacement, hashed
        originals only) and ``.summary`` (counts).

    Raises
    ------
    InvalidInputError
        A bad key, detector, replacement or input [QC802-QC806, QC101].
    StoreError
        ``out`` exists, a renamed transcript id is taken, or the project's
        old bytes could not be purged [QC807-QC808].

    Notes
    -----
    For a project, memos, orphaned quotes and decision-log evidence pass
    through the same replacement; codebooks are left alone (they are not
    transcript data). Afterwards the WAL is checkpointed and the file is
    VACUUMed with ``secure_delete`` so the old text is gone from its bytes.
    Check the outcome with :func:`check_leaks`.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("Who leads it?", "Interviewer", "interviewer"),
    ...         TurnDraft(
    ...             "DS Smith's team, with Christina Marsh. Call 07700 900461.",
    ...             "P1",
    ...             "participant",
    ...         ),
    ...     ],
    ... )
    >>> key = {
    ...     "Smith": "Person B",
    ...     "Christina Marsh": "Person A",
    ...     "Christina": "Person A",
    ... }
    >>> res = pseudonymise([t], key)
    >>> res.corpus["int01"].turns[1].text
    "DS Person B's team, with Person A. Call [phone number]."
    >>> res.report[["field", "kind", "source", "replacement"]]
      field          kind    source     replacement
    0  text          name       key        Person B
    1  text          name       key        Person A
    2  text  phone number  detector  [phone number]
    """
    caller = "pseudonymise"
    k = _as_key(key, caller)
    m = _Matcher(k, _as_detectors(detectors, caller), replacement, caller=caller)
    if nlp is not None:  # review aid only: run on the originals, never applied
        found = suggest_entities(corpus_or_project, nlp=nlp, key=k)
        found = found[~found["in_key"]].reset_index(drop=True)
        res = _pseudonymise(corpus_or_project, m, out, caller)
        summary = {**res.summary, "entities_not_in_key": int(len(found))}
        return replace(res, summary=summary, suggestions=found)
    return _pseudonymise(corpus_or_project, m, out, caller)


def _pseudonymise(
    corpus_or_project: Any, m: _Matcher, out: Any, caller: str
) -> PseudonymisationResult:
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame

    if isinstance(corpus_or_project, str):
        new, hits, spans = m.apply(corpus_or_project)
        rows = [
            {
                "field": "text",
                "start": ns,
                "end": ne,
                "old_start": h.start,
                "old_end": h.end,
                "kind": h.kind,
                "source": h.source,
                "detector": h.detector,
                "replacement": h.replacement,
                "original_hash": m.digest(corpus_or_project[h.start : h.end]),
            }
            for h, (_, _, ns, ne) in zip(hits, spans, strict=True)
        ]
        rep = frame(rows, PSEUDONYMISATION_REPORT)
        return PseudonymisationResult(new, rep, _summary(rep, 1, int(bool(hits))))

    if _is_project(corpus_or_project):
        return _pseudonymise_project(corpus_or_project, m, out)
    if out is not None:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="out= is for projects (the copy to write); "
                "a corpus is returned as a new Corpus",
            )
        )
    single = isinstance(corpus_or_project, Transcript)
    items = [corpus_or_project] if single else corpus_or_project
    try:
        items = list(items)
    except TypeError:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="expected a Corpus, Transcripts, a Project or a string; "
                f"got {type(corpus_or_project).__name__}",
            )
        ) from None
    new_items, rows, maps, changed = [], [], {}, 0
    for pos, t in enumerate(items):
        if not isinstance(t, Transcript):
            raise InvalidInputError(
                Errors.QC806.format(
                    caller=caller,
                    detail=f"item {pos} is a {type(t).__name__}, not a Transcript",
                )
            )
        nt, omap, r = _pseudonymise_transcript(t, m)
        new_items.append(nt)
        rows.extend(r)
        maps[t.id] = (nt.id, omap)
        changed += bool(r)
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    if single:
        result: Any = new_items[0]
    else:
        from qualcode.corpus import Corpus

        result = Corpus(new_items)
    return PseudonymisationResult(
        result, rep, _summary(rep, len(new_items), changed), maps
    )


def _summary(rep: pd.DataFrame, n: int, changed: int) -> dict[str, Any]:
    text = rep[rep["field"] == "text"]
    return {
        "transcripts": n,
        "transcripts_changed": changed,
        "replacements": int(len(text)),
        "by_kind": {
            str(k): int(v) for k, v in text["kind"].value_counts(sort=False).items()
        },
        "other_fields": int(len(rep) - len(text)),
    }


def _pseudonymise_project(
    project: Any, m: _Matcher, out: str | Path | None
) -> PseudonymisationResult:
    from qualcode._columns import PSEUDONYMISATION_REPORT, frame
    from qualcode.store import Project

    if out is not None:
        out = Path(out)
        if out.exists():
            raise StoreError(
                Errors.QC807.format(
                    path=out,
                    detail="already exists; choose a new file name "
                    "for the pseudonymised copy",
                )
            )
        src = sqlite3.connect(str(project.path))
        dst = sqlite3.connect(str(out))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        project = Project(out, timeout=project.timeout)
    rows: list[dict[str, Any]] = []
    edits = []
    maps: dict[str, tuple[str, OffsetMap]] = {}
    n = 0
    for t in project.iter_transcripts():
        n += 1
        nt, omap, r = _pseudonymise_transcript(t, m)
        maps[t.id] = (nt.id, omap)
        if r:
            edits.append((t.id, nt, omap.span))
            rows.extend(r)
    counts = project.replace_texts(edits, rewrite=m.rewrite, purge=True)
    rep = frame(rows, PSEUDONYMISATION_REPORT)
    summary = _summary(rep, n, len(edits))
    summary.update(
        codings=counts["codings"],
        codings_merged=counts["merged"],
        decisions=counts["decisions"],
        purged=True,
    )
    return PseudonymisationResult(project, rep, summary, maps)


# --------------------------------------------------------------------------
# review helpers: detectors and named entities
# --------------------------------------------------------------------------
def _iter_texts(data: Any, caller: str) -> Iterator[Transcript]:
    if isinstance(data, str):
        yield Transcript("text", data)
        return
    if isinstance(data, Transcript):
        yield data
        return
    if _is_project(data):
        yield from data.iter_transcripts()
        return
    try:
        items = iter(data)
    except TypeError:
        raise InvalidInputError(
            Errors.QC806.format(
                caller=caller,
                detail="expected a Corpus, Transcripts, a Project or a string; "
                f"got {type(data).__name__}",
            )
        ) from None
    for pos, t in enumerate(items):
        if not isinstance(t, Transcript):
            raise InvalidInputError(
                Errors.QC806.format(
                    caller=caller,
                    detail=f"item {pos} is a {type(t).__name__}, not a Transcript",
                )
            )
        yield t


def detect_identifiers(
    corpus_or_project: Any, *, detectors: Any = DEFAULT_DETECTORS
) -> pd.DataFrame:
    """Find identifiers with the detectors, without replacing anything (for review).

    Parameters
    ----------
    corpus_or_project : Corpus, iterable of Transcript, Transcript, Project or str
    detectors : iterable, default all six built-ins
        As for :func:`pseudonymise`.

    Returns
    -------
    pandas.DataFrame
        One row per hit: ``transcript_id, start, end, detector, kind, text``.
        ``text`` is the identifier itself: the frame holds identifying data,
        so keep it with the key, never share it.

    Examples
    --------
    >>> detect_identifiers("Seen at NV4 7QT by PC 1234, DOB 12/03/1987.")[
    ...     ["detector", "text"]
    ... ]
            detector        text
    0       postcode     NV4 7QT
    1  collar_number        1234
    2  date_of_birth  12/03/1987
    """
    from qualcode._columns import IDENTIFIERS, frame

    m = _Matcher(
        PseudonymKey(),
        _as_detectors(detectors, "detect_identifiers"),
        caller="detect_identifiers",
    )
    rows = []
    for t in _iter_texts(corpus_or_project, "detect_identifiers"):
        bounds = [b for u in t.turns for b in (u.start, u.end)]
        for h in m.hits(t.text, bounds):
            rows.append(
                {
                    "transcript_id": t.id,
                    "start": h.start,
                    "end": h.end,
                    "detector": h.detector,
                    "kind": h.kind,
                    "text": t.text[h.start : h.end],
                }
            )
    return frame(rows, IDENTIFIERS)


_ENTITY_KINDS = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "organisation",
    "NORP": "group",
}
_ENT_FACTORIES = ("ner", "beam_ner", "entity_ruler", "span_ruler")


def _entity_pipeline(nlp: Any) -> Any:
    if nlp is None:
        from qualcode._optional import import_optional

        spacy = import_optional("spacy", extra="nlp", caller="suggest_entities")
        for name in spacy.util.get_installed_models():
            try:
                cand = spacy.load(name)
            except (OSError, ValueError):  # pragma: no cover - broken install
                continue
            if "ner" in cand.pipe_names:
                return cand
        raise MissingDependencyError(
            Errors.QC809.format(
                detail="no trained spaCy pipeline with 'ner' is installed "
                "(nothing is downloaded at run time)"
            )
        )
    names = getattr(nlp, "pipe_names", None)
    if names is None:
        raise InvalidInputError(
            Errors.QC101.format(
                param="nlp",
                caller="suggest_entities",
                expected="a spaCy Language",
                got=type(nlp).__name__,
            )
        )
    factories = {nlp.get_pipe_meta(n).factory for n in names}
    if not factories & set(_ENT_FACTORIES):
        raise InvalidInputError(
            Errors.QC809.format(
                detail="the pipeline given has no entity recogniser "
                f"(its components are {list(names)})"
            )
        )
    return nlp


def suggest_entities(
    corpus_or_project: Any,
    *,
    nlp: Any = None,
    key: Any = None,
    labels: Iterable[str] = ("PERSON", "GPE", "LOC", "FAC", "ORG"),
) -> pd.DataFrame:
    """Named entities a trained spaCy pipeline finds: suggestions, never applied.

    Parameters
    ----------
    corpus_or_project : Corpus, iterable of Transcript, Transcript, Project or str
    nlp : spaCy Language, optional
        A pipeline with an entity recogniser (``ner`` or an ``entity_ruler``).
        Default: the first installed trained pipeline with ``ner``
        (e.g. ``en_core_web_sm``); nothing is downloaded.
    key : PseudonymKey, path or mapping, optional
        Marks entities the key already covers (``in_key``).
    labels : iterable of str
        Entity labels to keep.

    Returns
    -------
    pandas.DataFrame
        One row per entity: ``transcript_id, start, end, label, kind, text,
        in_key``. ``text`` is the name found: keep the frame with the key.

    Raises
    ------
    MissingDependencyError
        No trained pipeline with ``ner`` is installed and none was passed [QC809].
    InvalidInputError
        The pipeline passed recognises no entities [QC809].

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe("entity_ruler")
    >>> ruler.add_patterns(
    ...     [
    ...         {"label": "PERSON", "pattern": "Jo Bloggs"},
    ...         {"label": "GPE", "pattern": "Ridgeford"},
    ...     ]
    ... )
    >>> suggest_entities(
    ...     "Jo Bloggs moved to Ridgeford.", nlp=nlp, key={"Ridgeford": "Town 1"}
    ... )
      transcript_id  start  end   label    kind       text  in_key
    0          text      0    9  PERSON  person  Jo Bloggs   False
    1          text     19   28     GPE   place  Ridgeford    True
    """
    from qualcode._columns import ENTITY_SUGGESTIONS, frame

    caller = "suggest_entities"
    nlp = _entity_pipeline(nlp)
    keep = set(labels)
    m = _Matcher(_as_key(key, caller), (), caller=caller)
    rows = []
    para = re.compile(r"[^\n]+(?:\n[^\n]+)*")
    for t in _iter_texts(corpus_or_project, caller):
        spans = [(p.start(), p.end()) for p in para.finditer(t.text)]
        covered = [(h.start, h.end) for h in m.hits(t.text)]
        starts = [c[0] for c in covered]
        docs = nlp.pipe(t.text[a:b] for a, b in spans)
        for (a, _), doc in zip(spans, docs, strict=True):
            for ent in doc.ents:
                if ent.label_ not in keep:
                    continue
                s, e = a + ent.start_char, a + ent.end_char
                i = bisect.bisect_right(starts, s) - 1
                in_key = i >= 0 and covered[i][0] <= s and e <= covered[i][1]
                rows.append(
                    {
                        "transcript_id": t.id,
                        "start": s,
                        "end": e,
                        "label": ent.label_,
                        "kind": _ENTITY_KINDS.get(ent.label_, ent.label_.lower()),
                        "text": t.text[s:e],
                        "in_key": in_key,
                    }
                )
    return frame(rows, ENTITY_SUGGESTIONS)


# --------------------------------------------------------------------------
# leak check
# --------------------------------------------------------------------------
_INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "wbr",
}
_TEXT_SUFFIXES = {
    ".csv",
    ".md",
    ".txt",
    ".tsv",
    ".json",
    ".yaml",
    ".yml",
    ".xml",
    ".qde",
    ".srt",
    ".vtt",
    ".qdc",
    ".markdown",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_RAW_CHUNK = 8 * 1024 * 1024


class _Scanner:
    def __init__(self, matcher: _Matcher, raw_matcher: _Matcher, context: int) -> None:
        self.m = matcher
        self.raw = raw_matcher
        self.context = context
        self.rows: list[dict[str, Any]] = []

    def scan(
        self,
        text: str,
        path: Any,
        location: str | Callable[[int], str],
        layer: str = "text",
        *,
        raw: bool = False,
        keep: Callable[[_Hit], bool] | None = None,
    ) -> None:
        m = self.raw if raw or layer == "raw" else self.m  # markup: key only
        if not text:
            return
        hits = m.hits(text)
        for h in hits:
            if keep is not None and not keep(h):
                continue
            where = location(h.start) if callable(location) else location
            if h.source == "key":
                original, pseudonym = h.entry.original, h.entry.pseudonym  # type: ignore[union-attr]
            else:
                found = text[h.start : h.end]
                original = found[:2] + "*" * max(len(found) - 2, 1)
                pseudonym = h.replacement
            self.rows.append(
                {
                    "path": str(path),
                    "location": where,
                    "layer": layer,
                    "kind": h.kind,
                    "source": h.source,
                    "original": original,
                    "pseudonym": pseudonym,
                    "context": self._context(text, h, hits) if self.context else None,
                }
            )

    def _context(self, text: str, hit: _Hit, hits: list[_Hit]) -> str:
        a = max(0, hit.start - self.context)
        b = min(len(text), hit.end + self.context)
        parts, pos = [], a
        for h in hits:
            if h.end <= a or h.start >= b:
                continue
            parts.append(text[pos : max(pos, h.start)])
            parts.append(f"⟦{h.kind}⟧")
            pos = max(pos, h.end)
        parts.append(text[pos:b])
        s = "".join(parts)
        # never show a partial word at the window edges
        s = re.sub(r"^\w*\W?", "", s) if a > 0 else s
        s = re.sub(r"\W?\w*$", "", s) if b < len(text) else s
        return (
            ("…" if a > 0 else "")
            + " ".join(s.split())
            + ("…" if b < len(text) else "")
        )


def _line_of(text: str) -> Callable[[int], str]:
    starts: list[int] | None = None

    def where(pos: int) -> str:
        nonlocal starts
        if starts is None:
            starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        return f"line {bisect.bisect_right(starts, pos)}"

    return where


def _decode(data: bytes) -> str:
    for enc in (
        ("utf-8-sig", "utf-16")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff")
        else ("utf-8-sig",)
    ):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _xml_text(data: bytes) -> str:
    """XML as text: entities and character references resolved, tags kept."""
    return html.unescape(_decode(data))


def _scan_xml_structure(sc: _Scanner, data: bytes, path: Any, entry: str) -> None:
    """Element text and attribute values, joined per element (catches escaped text)."""
    import xml.etree.ElementTree as ET

    try:
        parser = ET.XMLPullParser(events=("start", "end"))
        parser.feed(data)
        parser.close()
        events = list(parser.read_events())
    except ET.ParseError:
        return
    for ev, el in events:
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else "?"
        if ev == "start":
            for name, value in el.attrib.items():
                attr = name.rsplit("}", 1)[-1]
                sc.scan(value, path, f"{entry}: <{tag} {attr}>", raw=True)
        else:
            txt = "".join(el.itertext()) if len(el) == 0 else (el.text or "")
            sc.scan(txt, path, f"{entry}: <{tag}>")


def _scan_docx(sc: _Scanner, path: Path) -> None:
    import docx

    document = docx.Document(str(path))

    def paragraphs(container: Any, label: str) -> None:
        for i, p in enumerate(container.paragraphs, start=1):
            sc.scan(p.text, path, f"{label}paragraph {i}")
        for ti, table in enumerate(getattr(container, "tables", []), start=1):
            for ri, row in enumerate(table.rows, start=1):
                for ci, cell in enumerate(row.cells, start=1):
                    paragraphs(cell, f"{label}table {ti} row {ri} cell {ci} ")

    paragraphs(document, "")
    for si, section in enumerate(document.sections, start=1):
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            try:
                paragraphs(part, f"section {si} {name} ")
            except (ValueError, AttributeError):  # pragma: no cover - unusual part
                continue
    props = document.core_properties
    for name in (
        "title",
        "subject",
        "author",
        "keywords",
        "comments",
        "last_modified_by",
        "category",
    ):
        sc.scan(getattr(props, name, "") or "", path, f"document property {name}")


def _scan_xlsx(sc: _Scanner, path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(str(path), read_only=False, data_only=False)
    try:
        for ws in wb.worksheets:
            sc.scan(ws.title, path, f"sheet name {ws.title!r}")
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if isinstance(v, str):
                        sc.scan(v, path, f"{ws.title}!{cell.coordinate}")
                    if cell.comment is not None:
                        sc.scan(
                            cell.comment.text or "",
                            path,
                            f"{ws.title}!{cell.coordinate} comment",
                        )
    finally:
        wb.close()


def _scan_zip(sc: _Scanner, path: Path, kind: str) -> None:
    """Every entry of a zip (docx, xlsx, qdpx): decompressed, decoded, unescaped."""
    from qualcode._safezip import SafeZip

    with SafeZip(path) as zf:
        for name in zf.names:
            data = zf.read(name)
            low = name.lower()
            where = f"zip:{name}"
            if data[:5] == b"%PDF-":
                _scan_pdf(sc, data, path, where)
            elif low.endswith((".xml", ".qde", ".rels", ".vml")):
                sc.scan(_xml_text(data), path, where, "raw")
                if low.endswith(".qde"):
                    _scan_xml_structure(sc, data, path, where)
            elif low.endswith(".json"):
                text = _decode(data)
                sc.scan(text, path, where, "raw")
                _scan_json(sc, text, path, where)
            elif low.endswith((".txt", ".csv", ".md", ".html", ".htm")):
                text = _decode(data)
                line = _line_of(text)
                sc.scan(text, path, lambda p, w=where, f=line: f"{w} {f(p)}")
            elif b"\x00" not in data[:4096]:
                sc.scan(_decode(data), path, where, "raw")


def _scan_pdf(sc: _Scanner, data: bytes, path: Any, where: str) -> None:
    """Text of each page of a PDF (needs pypdf), else its raw bytes."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [
            (i, page.extract_text() or "") for i, page in enumerate(reader.pages, 1)
        ]
    except Exception:  # noqa: BLE001 - any unreadable PDF: fall back to raw bytes
        sc.scan(data.decode("latin-1"), path, f"{where} (raw PDF)", "raw")
        return
    for i, text in pages:
        sc.scan(text, path, f"{where} page {i}".strip())


def _scan_json(sc: _Scanner, text: str, path: Any, where: str) -> None:
    """Every string (and key) of a JSON document, unescaped."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return

    def walk(node: Any, at: str) -> None:
        if isinstance(node, str):
            sc.scan(node, path, f"{where} {at}")
        elif isinstance(node, Mapping):
            for k, v in node.items():
                sc.scan(str(k), path, f"{where} {at} (key)")
                walk(v, f"{at}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{at}[{i}]")

    walk(data, "$")


def _scan_html(sc: _Scanner, path: Path, data: bytes) -> None:
    from html.parser import HTMLParser

    raw = _decode(data)
    chunks: list[str] = []

    class P(HTMLParser):
        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            if tag not in _INLINE:
                chunks.append("\n")
            for _, v in attrs:
                if v:
                    sc.scan(v, path, f"<{tag}> attribute", raw=True)

        def handle_endtag(self, tag: str) -> None:
            if tag not in _INLINE:
                chunks.append("\n")

        def handle_data(self, d: str) -> None:
            chunks.append(d)

    p = P(convert_charrefs=True)
    p.feed(raw)
    p.close()
    text = "".join(chunks)
    line = _line_of(text)
    sc.scan(text, path, lambda pos: f"text {line(pos)}", "text")
    sc.scan(html.unescape(raw), path, _line_of(raw), "raw")


def _scan_sqlite(sc: _Scanner, path: Path) -> None:
    """A project file: every text value of every table, then the raw bytes."""
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cur = con.execute(f'SELECT * FROM "{table}"')
            cols = [d[0] for d in cur.description]
            for i, row in enumerate(cur, start=1):
                for col, v in zip(cols, row, strict=True):
                    if isinstance(v, bytes):
                        v = v.decode("utf-8", errors="replace")
                    if isinstance(v, str):
                        sc.scan(v, path, f"{table}.{col} row {i}")
    except sqlite3.Error as exc:
        raise StoreError(
            Errors.QC401.format(
                path=path,
                detail=f"cannot read it for the leak check (SQLite says: {exc})",
            )
        ) from None
    finally:
        con.close()
    for suffix in ("", "-wal", "-journal"):
        _scan_raw(sc, Path(str(path) + suffix))


def _scan_raw(sc: _Scanner, path: Path) -> None:
    """Raw bytes as UTF-8, in overlapping chunks (key originals only)."""
    if not path.is_file():
        return
    overlap = 4096
    with path.open("rb") as fh:
        offset = 0
        prev = b""
        while True:
            block = fh.read(_RAW_CHUNK)
            if not block:
                break
            base = offset - len(prev)
            text = (prev + block).decode("utf-8", errors="replace")
            seen = len(prev.decode("utf-8", errors="replace"))
            sc.scan(
                text,
                path,
                lambda p, b=base: f"bytes near {b + p}",
                "raw",
                raw=True,
                keep=lambda h, n=seen: (
                    h.end > n
                ),  # hits inside the overlap are reported
            )
            prev = block[-overlap:]
            offset += len(block)


def _scan_path(sc: _Scanner, path: Path) -> None:
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and not p.name.endswith(("-shm", "-wal", "-journal")):
                _scan_path(sc, p)
        return
    if not path.is_file():
        raise InvalidInputError(
            Errors.QC810.format(path=path, detail="file not found; check the path")
        )
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(16)
    try:
        if head == _SQLITE_MAGIC:
            _scan_sqlite(sc, path)
        elif suffix == ".docx":
            _scan_docx(sc, path)
            _scan_zip(sc, path, "docx")
        elif suffix in (".xlsx", ".xlsm"):
            _scan_xlsx(sc, path)
            _scan_zip(sc, path, "xlsx")
        elif suffix == ".qdpx" or head[:4] == b"PK\x03\x04":
            _scan_zip(sc, path, "qdpx" if suffix == ".qdpx" else "zip")
        elif head[:5] == b"%PDF-":
            _scan_pdf(sc, path.read_bytes(), path, "")
        elif suffix in (".html", ".htm", ".xhtml"):
            _scan_html(sc, path, path.read_bytes())
        elif suffix in _TEXT_SUFFIXES or b"\x00" not in head:
            text = _decode(path.read_bytes())
            if suffix in (".xml", ".qde", ".qdc"):
                sc.scan(html.unescape(text), path, _line_of(text), "raw")
                _scan_xml_structure(sc, path.read_bytes(), path, "xml")
            else:
                sc.scan(text, path, _line_of(text))
        else:
            _scan_raw(sc, path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        if isinstance(exc, InvalidInputError):
            raise
        raise InvalidInputError(
            Errors.QC810.format(
                path=path,
                detail=f"cannot read it ({type(exc).__name__}: {str(exc)[:80]})",
            )
        ) from None


def check_leaks(
    export_path_or_project: Any,
    key: Any,
    *,
    detectors: Any = DEFAULT_DETECTORS,
    context: int = 30,
) -> pd.DataFrame:
    """Scan exports or a project for originals from the key; report every hit.

    Parameters
    ----------
    export_path_or_project : path, list of paths, folder or Project
        ``.xlsx`` and ``.docx`` are read with openpyxl / python-docx (so names
        split across formatting runs are found) AND entry by entry as XML text
        (entities resolved: document properties, comments, shared strings);
        ``.qdpx`` entry by entry (``project.qde`` as text and as XML element text
        and attributes, ``sources/*.txt``, ``qualcode.json``); ``.html`` as
        rendered text and as source; ``.csv``, ``.md``, ``.txt`` and other text as
        text; a project (``.qcproj`` or any SQLite file, or a Project) as every
        text value of every table, and as raw bytes of the file and its WAL (text
        left in free pages). A folder is scanned file by file.
    key : PseudonymKey, path, mapping or DataFrame
        Originals are matched as :func:`pseudonymise` matches them
        (case-insensitive whole words unless an entry is case-sensitive).
    detectors : iterable, default all six built-ins
        Identifiers that should have been replaced; ``()`` for none. Raw bytes
        are checked for key originals only.
    context : int, default 30
        Characters of context either side of a hit; every hit inside the window
        is masked as ``⟦kind⟧``. 0 for none.

    Returns
    -------
    pandas.DataFrame
        One row per hit: ``path, location`` (``sheet!cell``, ``paragraph n``,
        ``zip:entry``, ``line n``, ``table.column row n``, ``bytes near n``),
        ``layer`` (``text`` as a reader sees it, ``raw`` for file content),
        ``kind``, ``source`` (``key`` or ``detector``), ``original`` (the key's
        original, which the holder of the key already knows; detector hits are
        masked after two characters), ``pseudonym`` (what it should have
        been) and ``context`` (masked). Empty when nothing leaks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "extracts.md"
    >>> _ = p.write_text("Person A said Smith's team met at NV4 7QT.\\n")
    >>> leaks = check_leaks(p, {"Smith": "Person B"})
    >>> leaks[["location", "kind", "original", "pseudonym"]]
      location      kind original   pseudonym
    0   line 1      name    Smith    Person B
    1   line 1  postcode  NV*****  [postcode]
    >>> print(leaks.loc[0, "context"])
    Person A said ⟦name⟧'s team met at ⟦postcode⟧.
    """
    from qualcode._columns import LEAKS, frame

    caller = "check_leaks"
    if not isinstance(context, int) or isinstance(context, bool) or context < 0:
        raise InvalidInputError(
            Errors.QC101.format(
                param="context",
                caller=caller,
                expected="a whole number >= 0",
                got=context,
            )
        )
    k = _as_key(key, caller)
    sc = _Scanner(
        _Matcher(k, _as_detectors(detectors, caller), caller=caller),
        _Matcher(k, (), caller=caller),
        context,
    )
    targets = export_path_or_project
    if _is_project(targets):
        targets = [targets.path]
    elif isinstance(targets, (str, Path)):
        targets = [targets]
    try:
        targets = [Path(t.path if _is_project(t) else t) for t in targets]
    except TypeError:
        raise InvalidInputError(
            Errors.QC101.format(
                param="export_path_or_project",
                caller=caller,
                expected="a path, a list of paths or a Project",
                got=type(export_path_or_project).__name__,
            )
        ) from None
    for t in targets:
        _scan_path(sc, t)
    return frame(sc.rows, LEAKS)
