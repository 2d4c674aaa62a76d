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

from qualcode.anonymise.entities import (
    DEFAULT_DETECTORS,
    DETECTORS,
    Detector,
    detect_identifiers,
    suggest_entities,
)
from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.leaks import check_leaks
from qualcode.anonymise.pseudonymise import (
    OffsetMap,
    PseudonymisationResult,
    pseudonymise,
)

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
