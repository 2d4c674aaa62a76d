"""Tests for assisted tagging: patterns, suggestions, units, review, evaluation."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode._columns import EVALUATION, SUGGESTIONS, names
from qualcode._nlp import load_nlp, units
from qualcode.codebook import Codebook
from qualcode.errors import (
    CodebookError,
    InvalidInputError,
    QualcodeError,
    TaggingError,
    UndefinedStatisticWarning,
)
from qualcode.model import Transcript, TurnDraft
from qualcode.tagging import PatternTagger, evaluate, iter_suggestions, review, suggest
from qualcode.tagging._units import (
    punct_hashes,
    sentence_starts,
    token_arrays,
    trimmed_span,
)

ROOT = Path(__file__).resolve().parents[1]


def book(*codes: dict) -> Codebook:
    return Codebook.from_dict({"name": "test", "version": "1", "codes": list(codes)})


def code(cid: str, patterns: list, **kw) -> dict:
    return {"id": cid, "label": cid.title(), "patterns": patterns, **kw}


def one(text: str, tid: str = "t1") -> Transcript:
    return Transcript.build(tid, [TurnDraft(text, "P1", "participant")])


@pytest.fixture(scope="module")
def pursue_book() -> Codebook:
    return book(code("pursue", ["arrest", "drug dealer"]))


# -- patterns --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "They arrested him.",
        "Arrests rose.",
        "We are arresting people.",
        "ARREST them.",
        "One arrest.",
    ],
)
def test_tagging_lemma_and_lower_match_inflections(pursue_book, text):
    s = suggest([one(text)], pursue_book)
    assert s["code"].tolist() == ["pursue"]


def test_tagging_phrase_does_not_match_other_words(pursue_book):
    assert suggest([one("The arrestor was rested.")], pursue_book).empty


def test_tagging_multiword_phrase_matches_inflected_forms(pursue_book):
    s = suggest([one("Drug Dealers moved in.")], pursue_book)
    assert s["evidence"].tolist() == ["Drug Dealers"]


def test_tagging_phrase_without_lemma_is_exact():
    tagger = PatternTagger()
    tagger.add("x", [{"phrase": "arrest", "lemma": False}])
    nlp = tagger.nlp
    assert [s.text for s in tagger(nlp("Arrest. arrested."))] == ["Arrest"]


def test_tagging_case_sensitive_phrase():
    tagger = PatternTagger()
    tagger.add("divert", [{"phrase": "DIVERT", "case": True}])
    assert [s.text for s in tagger(tagger.nlp("DIVERT is not divert."))] == ["DIVERT"]


def test_tagging_token_pattern_matches():
    cb = book(
        code(
            "lines",
            [[{"LOWER": "county"}, {"LOWER": "line", "OP": "?"}, {"LOWER": "lines"}]],
        )
    )
    s = suggest([one("County lines again. County line lines too.")], cb)
    assert s["evidence"].tolist() == ["County lines", "County line lines"]


@pytest.mark.parametrize("lemma", ["seize", {"IN": ["seize", "raid"]}])
def test_tagging_token_lemma_pattern_matches_any_form(lemma):
    cb = book(code("pursue", [[{"LEMMA": lemma}, {"LOWER": "cash"}]]))
    s = suggest(
        [one("Officers seized cash. Seizing cash daily. We seize no cash.")], cb
    )
    assert s["evidence"].tolist() == ["seized cash", "Seizing cash"]


def test_tagging_token_lemma_not_in_pattern():
    cb = book(code("x", [[{"LEMMA": {"NOT_IN": ["seize"]}}, {"LOWER": "cash"}]]))
    s = suggest([one("Officers seized cash. Officers found cash.")], cb)
    assert s["evidence"].tolist() == ["found cash"]


def test_tagging_token_lemma_regex_runs_the_pipeline():
    cb = book(code("pursue", [[{"LEMMA": {"REGEX": "^seiz"}}]]))
    tagger = PatternTagger(cb)
    assert not tagger._fast("sentence")
    s = suggest([one("Officers seized cash. Nothing else.")], tagger=tagger)
    assert s["evidence"].tolist() == ["seized"]


def test_tagging_invalid_token_pattern_raises_with_code_id():
    tagger = PatternTagger()
    with pytest.raises(CodebookError, match=r"QC502.*'bad'"):
        tagger.add("bad", [[{"LOWER": {"NOT_AN_OP": 1}}]])


@pytest.mark.parametrize(
    "pattern", [42, "", [], [1, 2], {"phrase": ""}, {"phrase": "x", "colour": 1}]
)
def test_tagging_malformed_pattern_raises(pattern):
    with pytest.raises(CodebookError, match="QC502"):
        PatternTagger().add("x", [pattern])


def test_tagging_veto_flag_excludes_only_its_unit():
    cb = book(
        code(
            "pursue",
            ["arrest"],
            flags={"exclude_patterns": "false arrest; wrongful arrest"},
        )
    )
    t = one("It was a false arrest. We arrest dealers.")
    s = suggest([t], cb)
    assert [t.text[a:b] for a, b in zip(s["start"], s["end"], strict=True)] == [
        "We arrest dealers."
    ]


def test_tagging_veto_in_patterns_via_add():
    tagger = PatternTagger()
    tagger.add("harm", ["overdose"], exclude=["no overdose"])
    s = suggest([one("There was no overdose. An overdose happened.")], tagger=tagger)
    assert s["text"].tolist() == ["An overdose happened."]


def test_tagging_veto_does_not_touch_other_codes():
    cb = book(
        code("pursue", ["arrest"], flags={"exclude_patterns": "false arrest"}),
        code("harm", ["false arrest"]),
    )
    s = suggest([one("It was a false arrest.")], cb)
    assert s["code"].tolist() == ["harm"]


def test_tagging_len_contains_and_version_changes():
    tagger = PatternTagger(book(code("a", ["x"]), code("b", []), code("c", ["y"])))
    v0 = tagger.version
    assert (len(tagger), "a" in tagger, "b" in tagger) == (2, True, False)
    tagger.add("b", ["z"])
    assert (
        len(tagger) == 3
        and tagger.version != v0
        and tagger.version.startswith("patterns:")
    )


def test_tagging_call_returns_labelled_spans(pursue_book):
    tagger = PatternTagger(pursue_book)
    doc = tagger.nlp("We arrested drug dealers.")
    assert [(s.start_char, s.end_char, s.label_) for s in tagger(doc)] == [
        (3, 11, "pursue"),
        (12, 24, "pursue"),
    ]


def test_tagging_real_codebooks_compile():
    paths = sorted((ROOT / "codebooks").glob("*.yaml"))
    if not paths:
        pytest.skip("codebooks/ not written yet")
    for p in paths:
        cb = Codebook.load(p)
        tagger = PatternTagger(cb)
        assert len(tagger) == sum(
            1 for c in cb if c.patterns or c.flags.get("exclude_patterns")
        )


# -- units and offsets -----------------------------------------------------------
TEXT = (
    'Arrests rose.  We arrest dealers! "Really?" Yes. We arrest;'
    "\nwe wait... arrest again"
)


@pytest.mark.parametrize("unit", ["sentence", "turn"])
def test_tagging_offsets_are_the_units(unit):
    t = Transcript.build(
        "t1",
        [TurnDraft("Hello.", "I", "interviewer"), TurnDraft(TEXT, "P", "participant")],
    )
    s = suggest([t], book(code("pursue", ["arrest"])), unit=unit)
    u = units([t], unit, roles=["participant"])
    spans = set(zip(u["start"], u["end"], strict=True))
    assert len(s) > 0
    for r in s.itertuples():
        assert (r.start, r.end) in spans
        assert t.text[r.start : r.end] == r.text
        assert r.unit == unit


def test_tagging_sentence_offsets_equal_spacy_sentences():
    t = one(TEXT)
    s = suggest([t], book(code("pursue", ["arrest"])))
    doc = load_nlp()(t.turns[0].text)
    sents = [
        (t.turns[0].start + x.start_char, t.turns[0].start + x.end_char)
        for x in doc.sents
    ]
    got = list(zip(s["start"], s["end"], strict=True))
    assert all(any(a <= g0 and g1 <= b for a, b in sents) for g0, g1 in got)
    # spaCy's sentencizer keeps a closing quote with its sentence; no split at "..."
    assert [t.text[a:b] for a, b in got] == [
        "Arrests rose.",
        'We arrest dealers! "',
        "We arrest;\nwe wait... arrest again",
    ]


WORDS = st.sampled_from(
    [
        "we",
        "Arrest",
        "arrest",
        ".",
        "!",
        "?",
        "...",
        ",",
        ";",
        '"',
        "(",
        ")",
        "\n",
        " ",
        "  ",
        "dealers",
        "Mr.",
        "e.g.",
        "'",
        "-",
        "U.K.",
        "\n\n",
        "\t",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(WORDS, min_size=1, max_size=25), min_size=1, max_size=3))
def test_tagging_fast_units_equal_iter_units(turns):
    drafts = [
        TurnDraft(" ".join(w) if i % 2 else "".join(w), f"S{i}", "participant")
        for i, w in enumerate(turns)
    ]
    t = Transcript.build("t", drafts)
    nlp = load_nlp()
    punct = punct_hashes(nlp.get_pipe("sentencizer"), nlp.vocab)
    fast = []
    for turn in t.turns:
        doc = nlp.make_doc(turn.text)
        starts, idx, length = token_arrays(doc, punct)
        assert starts == sentence_starts(doc, punct)
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(doc)
            a, b = trimmed_span(turn.text, idx, length, s, e)
            if a < b:
                fast.append((turn.index, turn.start + a, turn.start + b))
    u = units([t], "sentence")
    assert fast == list(zip(u["turn"], u["start"], u["end"], strict=True))


def test_tagging_fast_and_pipeline_paths_agree(monkeypatch, tiny_transcripts):
    cb = book(
        code("pursue", ["arrest", [{"LEMMA": "dealer"}]]),
        code("prevent", ["divert", "treatment service"]),
        code("protect", ["safeguard", "county lines"]),
    )
    fast = suggest(tiny_transcripts, cb)
    monkeypatch.setattr(PatternTagger, "_fast", lambda self, unit: False)
    slow = suggest(tiny_transcripts, cb)
    assert len(fast) == 5  # 2 pursue + 1 prevent in t1, 2 protect in t2
    pd.testing.assert_frame_equal(fast, slow)


def test_tagging_interviewer_turns_skipped_by_default():
    t = Transcript.build(
        "t1",
        [
            TurnDraft("Did you arrest him?", "I", "interviewer"),
            TurnDraft("We did arrest him.", "P", "participant"),
        ],
    )
    s = suggest([t], book(code("pursue", ["arrest"])))
    assert s["turn"].tolist() == [1]


def test_tagging_interviewer_turns_included_on_request():
    t = Transcript.build(
        "t1",
        [
            TurnDraft("Did you arrest him?", "I", "interviewer"),
            TurnDraft("We did arrest him.", "P", "participant"),
        ],
    )
    s = suggest([t], book(code("pursue", ["arrest"])), include_interviewer=True)
    assert s["turn"].tolist() == [0, 1]


def test_tagging_unknown_role_turns_are_tagged():
    t = Transcript.build("t1", [TurnDraft("We arrest people.")])
    assert len(suggest([t], book(code("pursue", ["arrest"])))) == 1


# -- frame, evidence, score ------------------------------------------------------
def test_tagging_suggestion_frame_schema(pursue_book):
    s = suggest([one("We arrest.")], pursue_book)
    assert list(s.columns) == names(SUGGESTIONS)
    assert s["tagger"].iloc[0] == PatternTagger(pursue_book).version


def test_tagging_evidence_lists_matched_words(pursue_book):
    s = suggest([one("We arrested drug dealers and arrested more.")], pursue_book)
    assert s["evidence"].tolist() == ["arrested; drug dealers"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We arrest.", 0.4),  # one 1-token hit
        ("We arrest and arrest.", 0.64),  # two hits: 1 - 0.6 * 0.6
        ("We arrest a drug dealer.", 0.784),  # 1-token + 2-token: 1 - 0.6 * 0.36
    ],
)
def test_tagging_score_is_noisy_or_of_hit_weights(pursue_book, text, expected):
    s = suggest([one(text)], pursue_book)
    assert s["score"].iloc[0] == pytest.approx(expected)


def test_tagging_score_grows_with_hits(pursue_book):
    texts = [
        "We arrest.",
        "We arrest, arrest.",
        "We arrest, arrest, arrest.",
        "We arrest, arrest, arrest, arrest.",
    ]
    scores = [suggest([one(x)], pursue_book)["score"].iloc[0] for x in texts]
    assert all(0 < a < b <= 1 for a, b in zip(scores, scores[1:], strict=False))


def test_tagging_shared_pattern_weighs_less():
    cb = book(code("a", ["warrant"]), code("b", ["warrant", "raid"]))
    s = suggest([one("A warrant. A raid.")], cb)
    got = {(r.code, r.text): r.score for r in s.itertuples()}
    assert got[("a", "A warrant.")] == pytest.approx(0.2)
    assert got[("b", "A raid.")] == pytest.approx(0.4)


def test_tagging_min_score_filters(pursue_book):
    s = suggest(
        [one("We arrest. We arrest a drug dealer.")], pursue_book, min_score=0.5
    )
    assert s["text"].tolist() == ["We arrest a drug dealer."]


def test_tagging_iter_suggestions_chunks_equal_suggest(pursue_book):
    ts = [one("We arrest. " * 3 + "Drug dealers.", tid=f"t{i}") for i in range(5)]
    whole = suggest(ts, pursue_book)
    chunks = list(iter_suggestions(ts, pursue_book, chunk_rows=4, batch_size=2))
    assert len(chunks) > 1
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_tagging_n_process_two_gives_same_result(pursue_book):
    ts = [one("We arrest. Drug dealers. Nothing.", tid=f"t{i}") for i in range(6)]
    pd.testing.assert_frame_equal(
        suggest(ts, pursue_book, n_process=2, batch_size=2), suggest(ts, pursue_book)
    )


# -- inputs and errors -----------------------------------------------------------
def test_tagging_rejects_non_transcripts(pursue_book):
    with pytest.raises(InvalidInputError, match="QC503"):
        suggest([1, 2], pursue_book)


def test_tagging_unit_is_checked(pursue_book):
    with pytest.raises(InvalidInputError, match="QC101"):
        suggest([one("x")], pursue_book, unit="word")


def test_tagging_needs_codebook_or_tagger():
    with pytest.raises(TaggingError, match="QC509"):
        suggest([one("x")])


def test_tagging_exclude_coded_by_needs_project(pursue_book):
    with pytest.raises(TaggingError, match="QC504"):
        suggest([one("We arrest.")], pursue_book, exclude_coded_by="AB")


def test_tagging_accepts_codebook_list(pursue_book):
    s = suggest(
        [one("We arrest. We divert.")], [pursue_book, book(code("prevent", ["divert"]))]
    )
    assert s["code"].tolist() == ["pursue", "prevent"]


# -- project: review and exclusions ---------------------------------------------
@pytest.fixture()
def project(tmp_path, tiny_transcripts):
    from qualcode import Project

    cb = book(
        code("pursue", ["arrest", "dealer"]), code("prevent", ["divert", "treatment"])
    )
    p = Project(tmp_path / "p.qcproj")
    p.set_codebook(cb)
    p.add_transcripts(tiny_transcripts)
    yield p, cb
    p.close()


def decide(s: pd.DataFrame, decisions: list) -> pd.DataFrame:
    d = s.copy()
    d["decision"] = decisions
    return d


def test_tagging_suggest_accepts_project(project, tiny_transcripts):
    p, cb = project
    pd.testing.assert_frame_equal(suggest(p, cb), suggest(tiny_transcripts, cb))


def test_tagging_review_adds_codings_and_logs_every_decision(project):
    p, cb = project
    s = suggest(p, cb)
    assert len(s) == 3
    out = review(p, s, decide(s, ["accepted", "rejected", ""]), "AB")
    assert out == {
        "accepted": 1,
        "rejected": 1,
        "skipped": 1,
        "already_coded": 0,
        "already_logged": 0,
    }
    codings = p.codings(coder="AB")
    assert codings[["start", "end", "code", "origin"]].values.tolist() == [
        [s["start"][0], s["end"][0], s["code"][0], s["tagger"][0]]
    ]
    assert p.decisions(coder="AB")["decision"].tolist() == ["accepted", "rejected"]


def test_tagging_review_is_idempotent(project):
    p, cb = project
    s = suggest(p, cb)
    d = decide(s, ["accepted", "rejected", "accepted"])
    review(p, s, d, "AB")
    again = review(p, s, d, "AB")
    assert again == {
        "accepted": 0,
        "rejected": 0,
        "skipped": 0,
        "already_coded": 2,
        "already_logged": 3,
    }
    assert len(p.codings(coder="AB")) == 2 and len(p.decisions(coder="AB")) == 3


def test_tagging_review_boolean_accepted_column(project):
    p, cb = project
    s = suggest(p, cb)
    d = s.copy()
    d["accepted"] = pd.array([True, False, None], dtype="boolean")
    assert review(p, s, d, "AB")["accepted"] == 1


def test_tagging_review_reads_an_edited_csv(project, tmp_path):
    p, cb = project
    s = suggest(p, cb)
    decide(s, ["yes", "no", None]).to_csv(tmp_path / "d.csv", index=False)
    back = pd.read_csv(tmp_path / "d.csv")
    out = review(p, back, back, "AB")
    assert (out["accepted"], out["rejected"], out["skipped"]) == (1, 1, 1)


def test_tagging_review_rejects_unknown_decision(project):
    p, cb = project
    s = suggest(p, cb)
    with pytest.raises(InvalidInputError, match=r"QC505.*row 1"):
        review(p, s, decide(s, ["accepted", "maybe", ""]), "AB")
    assert p.codings(coder="AB").empty


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_tagging_review_file_errors_name_the_spreadsheet_row(project, tmp_path, suffix):
    """Issue 16.4: decisions read from a file are reported by spreadsheet row
    (header on row 1, the first data row is row 2); the third data row is row 4."""
    from qualcode import export_tables

    p, cb = project
    s = suggest(p, cb)
    path = tmp_path / f"decisions{suffix}"
    export_tables(decide(s, ["accepted", "", "maybe"]), path)
    with pytest.raises(InvalidInputError, match=rf"QC505\] review: {path}, row 4 "):
        review(p, path, path, "AB")
    assert p.codings(coder="AB").empty and p.decisions(coder="AB").empty


def test_tagging_review_file_bad_offset_names_the_spreadsheet_row(project, tmp_path):
    p, cb = project
    s = suggest(p, cb)
    d = decide(s, ["accepted", "", ""]).astype({"start": object})
    d.loc[1, "start"] = "twelve"
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match=rf"{path}, row 3: column 'start'"):
        review(p, path, path, "AB")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_tagging_review_blank_decision_in_file_means_decide_later(
    project, tmp_path, suffix
):
    """Issue 16.4: a blank decision in a sheet is kept for later (skipped, not
    logged), and a later review of the same rows can still decide it."""
    from qualcode import export_tables

    p, cb = project
    s = suggest(p, cb)
    path = tmp_path / f"decisions{suffix}"
    export_tables(decide(s, ["", "  ", None]), path)
    out = review(p, path, path, "AB")
    assert (out["accepted"], out["rejected"], out["skipped"]) == (0, 0, 3)
    assert p.decisions(coder="AB").empty
    export_tables(decide(s, ["accepted", "", "rejected"]), path)
    out = review(p, path, path, "AB")
    assert (out["accepted"], out["rejected"], out["skipped"]) == (1, 1, 1)


def test_tagging_review_frame_rows_are_positions(project):
    p, cb = project
    s = suggest(p, cb)
    with pytest.raises(InvalidInputError, match=r"QC505\] review: row 2 "):
        review(p, s, decide(s, ["accepted", "", "maybe"]), "AB")


def test_tagging_review_unreadable_file_is_a_qualcode_error(project, tmp_path):
    p, _cb = project
    path = tmp_path / "d.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(QualcodeError, match="d.xlsx"):
        review(p, path, path, "AB")


def test_tagging_exclude_coded_by_skips_coded_and_rejected(project):
    p, cb = project
    s = suggest(p, cb)
    review(p, s, decide(s, ["accepted", "rejected", ""]), "AB")
    again = suggest(p, cb, exclude_coded_by="AB")
    assert again[["start", "code"]].values.tolist() == [[s["start"][2], s["code"][2]]]
    assert len(suggest(p, cb, exclude_coded_by="CD")) == 3


def test_tagging_exclude_coded_by_uses_overlap(project):
    p, cb = project
    s = suggest(p, cb)
    tid, start = s["transcript_id"][0], int(s["start"][0])
    p.add_coding(
        tid, start + 3, start + 11, s["code"][0], "AB"
    )  # a few words inside the sentence
    assert len(suggest(p, cb, exclude_coded_by="AB")) == 2


# -- evaluation -----------------------------------------------------------------
@pytest.fixture()
def eval_case():
    # Four participant sentences; the coder coded sentences 0, 1 with "a", 3 with "b".
    t = one("Alpha one. Beta two. Gamma three. Delta four.")
    u = units([t], "sentence")
    spans = list(zip(u["start"], u["end"], strict=True))
    sug = pd.DataFrame(
        {
            "transcript_id": "t1",
            "start": [spans[0][0], spans[2][0], spans[3][0]],
            "end": [spans[0][1], spans[2][1], spans[3][1]],
            "code": ["a", "a", "b"],
            "unit": "sentence",
        }
    )
    cod = pd.DataFrame(
        {
            "transcript_id": "t1",
            "start": [spans[0][0] + 2, spans[1][0], spans[3][0]],
            "end": [spans[1][1], spans[1][1], spans[3][0] + 5],
            "code": ["a", "a", "b"],
        }
    )
    return t, sug, cod


def test_tagging_evaluate_hand_example(eval_case):
    t, sug, cod = eval_case
    ev = evaluate(sug, cod, transcripts=[t]).set_index("code")
    # code a: suggested {0, 2}; coded {0, 1} (the first coding spans sentences 0-1)
    # -> tp 1, fp 1, fn 1
    assert ev.loc["a", ["tp", "fp", "fn", "support", "n_suggested"]].tolist() == [
        1,
        1,
        1,
        2,
        2,
    ]
    assert ev.loc["a", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    # code b: suggested {3}; coded {3} -> P = R = F1 = 1
    assert ev.loc["b", ["precision", "recall", "f1"]].tolist() == [1.0, 1.0, 1.0]
    # micro: tp 2, fp 1, fn 1 -> P = R = 2/3, F1 = 4/6; macro: mean(0.5, 1) = 0.75
    assert ev.loc["(micro)", ["precision", "recall", "f1"]].tolist() == pytest.approx(
        [2 / 3, 2 / 3, 2 / 3]
    )
    assert ev.loc["(macro)", ["precision", "recall", "f1"]].tolist() == pytest.approx(
        [0.75, 0.75, 0.75]
    )


def test_tagging_evaluate_schema(eval_case):
    t, sug, cod = eval_case
    ev = evaluate(sug, cod, transcripts=[t])
    assert list(ev.columns) == names(EVALUATION)
    assert ev["code"].tolist() == ["a", "b", "(micro)", "(macro)"]


def test_tagging_evaluate_without_transcripts_counts_missed_codings(eval_case):
    _t, sug, cod = eval_case
    ev = evaluate(sug, cod).set_index("code")
    # a: suggested units 0 (overlaps the coding over sentences 0-1) and 2 (no
    # coding) -> tp 1, fp 1;
    # the coding of sentence 1 overlaps no suggested "a" unit -> one missed unit, fn 1
    assert ev.loc["a", ["tp", "fp", "fn"]].tolist() == [1, 1, 1]


def test_tagging_evaluate_undefined_warns_and_gives_nan(eval_case):
    t, sug, cod = eval_case
    with pytest.warns(UndefinedStatisticWarning, match="'?c'?"):
        ev = evaluate(sug, cod, transcripts=[t], codes=["a", "c"]).set_index("code")
    assert math.isnan(ev.loc["c", "precision"]) and math.isnan(ev.loc["c", "recall"])
    assert ev.loc["(macro)", "precision"] == 0.5  # NaN ignored


def test_tagging_evaluate_zero_division_value(eval_case):
    t, sug, cod = eval_case
    ev = evaluate(
        sug, cod, transcripts=[t], codes=["a", "c"], zero_division=0.0
    ).set_index("code")
    assert ev.loc["c", ["precision", "recall", "f1"]].tolist() == [0.0, 0.0, 0.0]


def test_tagging_evaluate_unit_mismatch_raises(eval_case):
    _t, sug, cod = eval_case
    with pytest.raises(TaggingError, match="QC510"):
        evaluate(sug, cod, unit="turn")


def test_tagging_evaluate_turn_level_with_transcripts(eval_case):
    t, sug, cod = eval_case
    ev = evaluate(sug, cod, unit="turn", transcripts=[t]).set_index("code")
    assert ev.loc["a", ["tp", "fp", "fn"]].tolist() == [
        1,
        0,
        0,
    ]  # one turn, suggested and coded


def test_tagging_evaluate_unknown_transcript_raises(eval_case):
    t, sug, cod = eval_case
    with pytest.raises(TaggingError, match="QC511"):
        evaluate(sug.assign(transcript_id="zz"), cod, transcripts=[t])


# -- matcher equivalence ---------------------------------------------------------
LEMMA_WORDS = [
    "arrested",
    "Arrests",
    "arrest",
    "seizing",
    "Seized",
    "left",
    "leaves",
    "raid",
    "Raids",
    "the",
    "drug",
    "Drugs",
    "dealer",
    "took",
    "out",
    "take",
    "them",
    "network",
    ".",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(LEMMA_WORDS), min_size=1, max_size=30))
def test_tagging_lemma_rewrite_matches_like_the_lemmatizer(words):
    from spacy.matcher import Matcher

    patterns = [
        [{"LEMMA": {"IN": ["arrest", "raid", "leave"]}}],
        [
            {"LEMMA": {"IN": ["take", "bring"]}},
            {"LOWER": "out", "OP": "?"},
            {"LEMMA": "network"},
        ],
        [{"LEMMA": "drug"}, {"LEMMA": "dealer", "OP": "+"}],
        [{"LEMMA": {"NOT_IN": ["the", "drug"]}}, {"LEMMA": "seize"}],
    ]
    tagger = PatternTagger()
    tagger.add("x", patterns)
    nlp = load_nlp()
    reference = Matcher(nlp.vocab)
    reference.add("x", patterns)
    doc = nlp(" ".join(words))
    got = sorted((s, e) for s, e, *_ in tagger.matches(nlp.make_doc(doc.text)))
    assert got == sorted((s, e) for _m, s, e in reference(doc))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["take", "took", "out", "the", "a", "gang", "group", "down", "x", "."]
        ),
        min_size=1,
        max_size=40,
    )
)
def test_tagging_anchored_windows_find_every_match(words):
    from spacy.matcher import Matcher

    patterns = [
        [
            {"LOWER": {"IN": ["take", "took"]}},
            {"LOWER": {"IN": ["out", "down"]}},
            {"LOWER": {"IN": ["the", "a"]}, "OP": "?"},
            {"LOWER": {"IN": ["gang", "group"]}},
        ],
        [{"LOWER": "the"}, {"OP": "?"}, {"OP": "?"}, {"LOWER": "gang"}],
        [{"LOWER": "x", "OP": "+"}, {"LOWER": "group"}],
        [
            {"LOWER": {"IN": ["take", "took"]}},
            {"LOWER": "the"},
        ],  # plain: phrase matcher
        [
            {"LOWER": {"IN": ["take", "took"]}},
            {"IS_ALPHA": True, "OP": "?"},
            {"LOWER": "down"},
        ],  # ends where no other pattern does (the Matcher reports a span once)
    ]
    tagger = PatternTagger()
    tagger.add("x", patterns)
    # the first (LOWER words, one optional) and fourth go to the phrase matcher
    assert len(tagger._anchored) == 3
    nlp = load_nlp()
    reference = Matcher(nlp.vocab)
    reference.add("x", patterns)
    doc = nlp.make_doc(" ".join(words))
    assert sorted((s, e) for s, e, *_ in tagger.matches(doc)) == sorted(
        (s, e) for _m, s, e in reference(doc)
    )


def test_tagging_veto_from_codebook_exclude_patterns_field():
    from qualcode import Codebook

    cb = Codebook.from_dict(
        {
            "name": "x",
            "version": "1",
            "codes": [
                {
                    "id": "enforce",
                    "label": "Enforce",
                    "patterns": [[{"LEMMA": "arrest"}]],
                    "exclude_patterns": [
                        "false arrest",
                        [{"LOWER": "citizen"}, {"LOWER": "'s"}, {"LEMMA": "arrest"}],
                    ],
                }
            ],
        }
    )
    t = one(
        "It was a false arrest. A citizen's arrest is different. We arrested dealers."
    )
    s = suggest([t], cb)
    assert s["text"].tolist() == ["We arrested dealers."]


def test_codebook_malformed_exclude_pattern_is_reported():
    from qualcode import Codebook, CodebookError

    with pytest.raises(
        CodebookError, match=r"code 'a'.*exclude pattern 1 is malformed"
    ):
        Codebook.from_dict(
            {
                "name": "x",
                "version": "1",
                "codes": [
                    {"id": "a", "label": "A", "exclude_patterns": [[{"NOPE": 1}]]}
                ],
            }
        )
