"""suggest() speed work (issue 16.11): the shortcuts must not change any result."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode._nlp import iter_units, load_nlp
from qualcode.model import Transcript, TurnDraft
from qualcode.tagging import PatternTagger, suggest

ENOUGH = [
    {"LOWER": "enough"},
    {"IS_ALPHA": True, "OP": "?"},
    {"LOWER": {"IN": ["time", "money", "staff"]}},
]


def _count_matcher_calls(tagger: PatternTagger) -> list[int]:
    calls = [0]
    for k, (matcher, *rest) in enumerate(tagger._anchored):

        def counted(doclike, _m=matcher):
            calls[0] += 1
            return _m(doclike)

        tagger._anchored[k] = (counted, *rest)
    return calls


def test_anchored_pattern_not_run_where_a_required_word_is_missing():
    tagger = PatternTagger()
    tagger.add("short", [ENOUGH])
    calls = _count_matcher_calls(tagger)
    doc = tagger.nlp.make_doc("We had no time, no money and no staff at the time.")
    assert tagger.matches(doc) == []
    assert calls[0] == 0  # "enough" is nowhere: no Matcher window at all


def test_anchored_pattern_still_runs_where_every_required_word_is():
    tagger = PatternTagger()
    tagger.add("short", [ENOUGH])
    calls = _count_matcher_calls(tagger)
    doc = tagger.nlp.make_doc("Never enough proper time. Time enough.")
    assert [(s, e) for s, e, *_ in tagger.matches(doc)] == [(1, 4)]
    assert calls[0] == 1  # the second "time" is not within reach of "enough"


WORDS = ["enough", "time", "money", "the", "good", "x", ".", "risk", "of", "groom"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30))
def test_required_word_pruning_finds_every_match(words):
    from spacy.matcher import Matcher

    patterns = [
        ENOUGH,
        [
            {"LOWER": "risk"},
            {"LOWER": "of"},
            {"IS_ALPHA": True, "OP": "?"},
            {"LOWER": "groom"},
        ],
        [{"LOWER": "time"}, {"OP": "*"}, {"LOWER": "money"}],
    ]
    tagger = PatternTagger()
    tagger.add("x", patterns)
    nlp = load_nlp()
    reference = Matcher(nlp.vocab)
    reference.add("x", patterns)
    doc = nlp.make_doc(" ".join(words))
    assert sorted((s, e) for s, e, *_ in tagger.matches(doc)) == sorted(
        (s, e) for _m, s, e in reference(doc)
    )


def _reference_rows(tagger, transcripts, min_score=0.0):
    """suggest()'s rows rebuilt the slow way: iter_units + matches + score_hits."""
    rows = []
    for u in iter_units(transcripts, "sentence", nlp=load_nlp(), docs=True):
        span, doc = u["span"], u["doc"]
        hits = [h for h in tagger.matches(doc) if span.start <= h[0] < span.end]
        scored = tagger.score_hits(hits)
        for code, (score, spans) in sorted(
            scored.items(), key=lambda kv: (-kv[1][0], kv[0])
        ):
            if score < min_score:
                continue
            ev: list[str] = []
            for s, e in spans:
                w = doc[s:e].text
                if w.lower() not in {x.lower() for x in ev}:
                    ev.append(w)
            rows.append(
                (
                    u["transcript_id"],
                    u["start"],
                    u["end"],
                    code,
                    round(score, 6),
                    "; ".join(ev),
                )
            )
    return rows


SENT = st.lists(
    st.sampled_from(
        [
            "we",
            "arrest",
            "Arrested",
            "drug",
            "dealers",
            "dealer",
            "no",
            "raid",
            "raids",
            "team",
            "enough",
            "time",
            "staff",
            ".",
            "!",
            ",",
            "\n",
        ]
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SENT, min_size=1, max_size=4), st.sampled_from([0.0, 0.5]))
def test_suggest_rows_equal_the_slow_scoring(turns, min_score):
    from qualcode.codebook import Codebook

    cb = Codebook.from_dict(
        {
            "codes": [
                {
                    "id": "pursue",
                    "label": "P",
                    "patterns": ["arrest", "drug dealer", "raid"],
                },
                {"id": "raid", "label": "R", "patterns": ["raid", "raid team"]},
                {
                    "id": "short",
                    "label": "S",
                    "patterns": [ENOUGH],
                    "exclude_patterns": ["no time"],
                },
            ]
        }
    )
    t = Transcript.build("t1", [TurnDraft(" ".join(w), "P") for w in turns])
    tagger = PatternTagger(cb)
    got = suggest([t], tagger=tagger, min_score=min_score)
    rows = list(
        zip(
            got["transcript_id"],
            got["start"],
            got["end"],
            got["code"],
            got["score"],
            got["evidence"],
            strict=True,
        )
    )
    assert rows == _reference_rows(tagger, [t], min_score)
