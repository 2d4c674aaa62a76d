"""The pattern grammar (qualcode._grammar): one grammar for Codebook and PatternTagger."""

from __future__ import annotations

import pytest

from qualcode._grammar import pattern_problem, pattern_summary
from qualcode.codebook import Codebook
from qualcode.errors import CodebookError
from qualcode.model import Transcript, TurnDraft
from qualcode.tagging import PatternTagger, suggest


def book_with(patterns: list, **kw) -> Codebook:
    return Codebook.from_dict(
        {
            "name": "g",
            "version": "1",
            "codes": [{"id": "a", "label": "A", "patterns": patterns, **kw}],
        }
    )


def one(text: str) -> Transcript:
    return Transcript.build("t1", [TurnDraft(text, "P1", "participant")])


def test_tagging_grammar_codebook_accepts_case_sensitive_phrase_mapping():
    """Drift (issue 15): PatternTagger.add took {"phrase": ..., "case": true};
    Codebook refused it ("wrap it in [ ]")."""
    cb = book_with([{"phrase": "DIVERT", "case": True}])
    s = suggest([one("We refer to DIVERT. We divert people.")], cb)
    assert s["evidence"].tolist() == ["DIVERT"]


def test_tagging_grammar_codebook_accepts_exclude_entry():
    cb = book_with(["arrest", {"exclude": ["false arrest"]}])
    s = suggest([one("A false arrest. We arrested dealers.")], cb)
    assert s["text"].tolist() == ["We arrested dealers."]


VALID = [
    "county lines",
    [{"LOWER": "county"}, {"LOWER": "lines"}],
    {"phrase": "DIVERT", "case": True},
    {"phrase": "lines", "lemma": False},
    {"exclude": ["false arrest"]},
    {"exclude": [[{"LOWER": "no"}, {"LEMMA": "arrest"}]]},
]
INVALID = [
    "",
    "   ",
    42,
    None,
    [],
    [1, 2],
    {"LEMMA": "arrest"},
    {"tokens": [{"LOWER": "arrest"}]},
    {"phrase": ""},
    {"phrase": "x", "colour": 1},
    {"phrase": "x", "case": "yes"},
    {"exclude": []},
    {"exclude": [{"exclude": ["x"]}]},
    {"exclude": ["x"], "phrase": "y"},
    [{"LOWER": {"NOT_AN_OP": 1}}],
]


@pytest.mark.parametrize("pattern", VALID, ids=[pattern_summary(p) for p in VALID])
def test_tagging_grammar_valid_in_both(pattern):
    assert pattern_problem(pattern) is None
    book_with([pattern])  # no error
    PatternTagger().add("a", [pattern])  # no error


@pytest.mark.parametrize("pattern", INVALID, ids=[repr(p)[:30] for p in INVALID])
def test_tagging_grammar_invalid_in_both(pattern):
    assert pattern_problem(pattern)
    with pytest.raises(CodebookError, match=r"(?s)QC303.*pattern 1 is malformed"):
        book_with([pattern])
    with pytest.raises(CodebookError, match=r"(?s)QC502.*Code .a.*pattern 1 "):
        PatternTagger().add("a", [pattern])


def test_tagging_grammar_exclude_patterns_field_takes_phrase_mappings():
    cb = book_with(["arrest"], exclude_patterns=[{"phrase": "NO", "case": True}])
    s = suggest([one("NO arrest here. We arrested dealers.")], cb)
    assert s["text"].tolist() == ["We arrested dealers."]


def test_tagging_grammar_summary_of_phrase_mappings():
    assert pattern_summary({"phrase": "DIVERT", "case": True}) == '"DIVERT" (case)'
    assert pattern_summary({"exclude": ["x"]}) == 'not: "x"'
