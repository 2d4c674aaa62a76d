"""Review aids: identifier detectors and named-entity suggestions (never applied).

:class:`Detector` is a regular expression for one kind of identifier;
:data:`DETECTORS` holds the built-ins. :func:`detect_identifiers` lists what the
detectors find and :func:`suggest_entities` what a spaCy entity recogniser finds,
so a researcher can extend the key before pseudonymising.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode._inputs import as_transcripts
from qualcode._validation import check_choice, invalid
from qualcode.anonymise._matching import _Matcher
from qualcode.anonymise.key import PseudonymKey, _as_key
from qualcode.errors import Errors, InvalidInputError, MissingDependencyError
from qualcode.model import Transcript

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_DETECTORS",
    "DETECTORS",
    "Detector",
    "detect_identifiers",
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
# review helpers: detectors and named entities
# --------------------------------------------------------------------------
def _iter_texts(data: Any, caller: str) -> Iterable[Transcript]:
    """Transcripts of a corpus, project or transcript; a plain string as one."""
    if isinstance(data, str):
        return [Transcript("text", data)]
    transcripts, _ = as_transcripts(data, caller=caller)
    return transcripts


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
        raise invalid("nlp", "suggest_entities", "a spaCy Language", type(nlp).__name__)
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
