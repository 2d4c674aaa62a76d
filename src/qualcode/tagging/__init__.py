"""Assisted tagging with spaCy: patterns, a learned tagger, suggest, review, evaluate.

* :class:`PatternTagger` (:mod:`qualcode.tagging.patterns`) compiles every code's
  ``patterns`` (the grammar of :mod:`qualcode._grammar`) into spaCy matchers.
* :class:`LearnedTagger` (:mod:`qualcode.tagging.learned`) trains a spaCy
  ``textcat_multilabel`` on a coder's codings and reports its cross-validated
  quality per code.
* :func:`suggest` and :func:`iter_suggestions` (:mod:`qualcode.tagging.suggest`)
  stream a corpus or project through a tagger and return one row per (unit, code):
  the unit's offsets, a score, the matched words as evidence and the tagger's name
  and version.
* :func:`review` (:mod:`qualcode.tagging.review`) turns a coder's accept/reject
  decisions into codings and a log.
* :func:`evaluate` (:mod:`qualcode.tagging.evaluate`) measures suggestions against a
  coder's codings per code.

Units are sentences inside turns or whole turns, exactly as
:func:`qualcode._nlp.iter_units` builds them (the same units agreement uses).
"""

from qualcode.tagging.evaluate import evaluate
from qualcode.tagging.learned import LearnedTagger
from qualcode.tagging.patterns import PatternTagger, exclude_patterns_of
from qualcode.tagging.review import review
from qualcode.tagging.suggest import iter_suggestions, suggest

__all__ = [
    "LearnedTagger",
    "PatternTagger",
    "evaluate",
    "exclude_patterns_of",
    "iter_suggestions",
    "review",
    "suggest",
]
