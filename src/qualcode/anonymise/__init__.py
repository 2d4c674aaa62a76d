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

Layout: :mod:`~qualcode.anonymise.key` (the key), ``_normalise`` (the view text
is matched on), ``_matching`` (the first-pass matcher), ``_rewrite`` (every field
of a transcript), :mod:`~qualcode.anonymise.pseudonymise`,
:mod:`~qualcode.anonymise.entities` (detectors, entity suggestions), ``_loose``
and :mod:`~qualcode.anonymise.leaks` (the leak check, an independent second line).

Matching rules
--------------
- Names are matched on a normalised view of the text, mapped back to exact
  offsets: NFKC (full-width letters), zero-width characters and soft hyphens
  removed, ``%XX`` escapes decoded, diacritics folded (``Zoe`` matches ``Zoë``;
  ``fold_diacritics=False`` to keep them apart), and a hyphen at a line end
  between letters joined (``Mar-\\nsh``).
- Any case (Unicode-aware); a key entry may ask for an exact case
  (``case_sensitive``) for names that are also common words.
- An original must not touch another letter: ``Smithson``, ``Blacksmith`` and
  ``xSmith`` stay; digits and ``_`` may touch it (``Smith2`` becomes
  ``Person B2``, ``Smith_J`` ``Person B_J``). Apostrophes, hyphens and full stops
  inside an original are optional (``OBrien``).
- Words of a multi-word original may be separated by any run of spaces, one
  line break, or one of ``_ + . -`` (``christina.marsh@``); typographic
  apostrophes and hyphens match their plain forms.
- Where matches overlap, the longest wins: with ``Christina`` and ``Christina
  Marsh`` in the key, ``Christina Marsh`` becomes that entry's pseudonym.
  Overlapping matches are merged into one replaced span, so no part of an
  identifier is left behind.
- Titles stay: ``DS Smith`` becomes ``DS Person B`` when only ``Smith`` is in the
  key; an entry for ``DS Smith`` itself wins when present.
- Plurals and possessives: ``Smiths`` (capitalised like the original) becomes
  ``Person Bs``, ``Smith's`` ``Person B's``, ``Smiths'`` ``Person B's``.
- Nothing crosses a turn boundary: each turn, and the speaker label between
  turns, is matched on its own, so turns keep exact offsets.
- Every field that can hold a name passes through the same matcher: speaker
  labels, attribute names and values (lists and mappings too), ids, source
  paths; in a project also memos, orphaned quotes and decision evidence; a
  codebook's free text when asked (``codebook=``).
- One participant, one name: a participant whose turns are labelled with a key
  original is called by their participant id (``P05``) everywhere.

The key is the secret
---------------------
The key never goes into a project or an export: keep it apart (it is a CSV or
YAML file you load). Reports never hold originals: a replacement is identified
by ``original_hash``, an HMAC of the key entry's original (of the text found,
for a detector) keyed by the key's own content, so only someone holding the key
can tell which original it was. Warnings and errors never quote originals.
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
