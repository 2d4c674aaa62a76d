"""The pattern grammar (qualcode._grammar): one for Codebook and PatternTagger."""

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


# -- issue 16.9: patterns must carry meaning ------------------------------------------
REFUSED = [
    "with the",
    "of",
    "the",
    "out of it",
    "what's in",
    "it's",
    "and so",
    "not",
    "?",
    {"phrase": "WITH THE", "case": True},
    [{"LOWER": "with"}, {"LOWER": "the"}],
    [{"LOWER": "with"}, {"LOWER": "council", "OP": "?"}],
    [{"LOWER": "with"}, {"LOWER": {"IN": ["health", "the"]}}],
    [{"LEMMA": "be"}, {"LOWER": {"IN": ["illegal", "against"]}}],
    [{"LOWER": "at"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "the"}],
    [{"IS_ALPHA": True}],
    [{}],
    [{"POS": "DET"}, {"POS": "NOUN", "OP": "*"}],
    [{"LOWER": {"NOT_IN": ["the"]}}],
]
KEPT = [
    "move them on",
    "not enough",
    "no longer",
    "never again",
    "county lines",
    "drug dealer",
    "24/7",
    [{"LOWER": "with"}, {"LOWER": {"IN": ["health", "council"]}}],
    [{"LEMMA": "be"}, {"LOWER": {"IN": ["illegal", "unlawful"]}}],
    [{"LOWER": "not"}, {"LOWER": "enough"}],
    [{"LEMMA": "arrest"}],
    [{"LOWER": "at"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "risk"}],
    [{"POS": "NOUN"}],
    [{"LIKE_NUM": True}, {"LOWER": "kilos"}],
]


@pytest.mark.parametrize("pattern", REFUSED, ids=[repr(p)[:40] for p in REFUSED])
def test_tagging_grammar_refuses_function_words_only(pattern):
    """Issue 16.9: "with the" matched almost every sentence (precision 0)."""
    with pytest.raises(CodebookError, match=r"(?s)QC303.*pattern 1 is refused"):
        book_with([pattern])
    with pytest.raises(CodebookError, match=r"(?s)QC502.*function words alone"):
        PatternTagger().add("a", [pattern])


@pytest.mark.parametrize("pattern", KEPT, ids=[repr(p)[:40] for p in KEPT])
def test_tagging_grammar_keeps_meaningful_patterns(pattern):
    assert pattern_problem(pattern) is None
    book_with([pattern])
    PatternTagger().add("a", [pattern])


def test_tagging_grammar_vetoes_may_be_function_words():
    """A veto only withholds suggestions: "not" may veto a unit."""
    cb = book_with(["arrest"], exclude_patterns=["not"])
    s = suggest([one("We did not arrest him. We arrested her.")], cb)
    assert s["text"].tolist() == ["We arrested her."]


def test_tagging_grammar_study_codebooks_have_no_function_word_patterns(root):
    """The shipped work-in-partnership pattern matched the bare "with the"."""
    from qualcode._grammar import function_words_only

    for name in ("roles", "harms", "culture"):
        cb = Codebook.load(root / "codebooks" / f"{name}.yaml")
        bad = [(c.id, p) for c in cb for p in c.patterns if function_words_only(p)]
        assert not bad, name
    tagger = PatternTagger(Codebook.load(root / "codebooks" / "roles.yaml"))
    assert not tagger(tagger.nlp("We met with the team."))


# -- the function-word rule: lookups give the same verdict as the general test --------
_WORDS = [
    "the",
    "with",
    "of",
    "not",
    "never",
    "n't",
    "council",
    "drug",
    "The",
    "NOT",
    "With",
    "NHS",
    ".",
    "?",
    "5",
]
_ATTRS = ["LOWER", "ORTH", "TEXT", "NORM", "LEMMA"]


def _token_strategy():
    from hypothesis import strategies as st

    value = st.one_of(
        st.sampled_from(_WORDS),
        st.builds(lambda ws: {"IN": ws}, st.lists(st.sampled_from(_WORDS), max_size=4)),
    )
    words = st.dictionaries(st.sampled_from(_ATTRS), value, max_size=2)
    op = st.sampled_from([None, "?", "*", "+", "!", "{1,2}"])
    return st.builds(lambda d, o: {**d, **({} if o is None else {"OP": o})}, words, op)


def test_function_words_only_lookups_agree_with_the_general_test(monkeypatch):
    """The word-list shortcut (set arithmetic) must not change any verdict."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from qualcode import _grammar

    general = {}

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_token_strategy(), min_size=1, max_size=3))
    def check(pattern):
        fast = _grammar.function_words_only(pattern)
        with monkeypatch.context() as m:
            m.setattr(_grammar, "_word_list", lambda token: None)
            slow = _grammar.function_words_only(pattern)
        general[fast] = general.get(fast, 0) + 1
        assert fast == slow

    check()
    assert general.get(True) and general.get(False)  # both verdicts were exercised
