"""Tests for the learned tagger (spaCy textcat_multilabel on a coder's codings)."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from qualcode._columns import EVALUATION, SUGGESTIONS, names
from qualcode.errors import InvalidInputError, TaggingError
from qualcode.model import Transcript, TurnDraft
from qualcode.tagging import LearnedTagger, iter_suggestions, suggest

ENFORCE = ["arrest", "warrant", "custody", "charged", "raid", "detained"]
HEALTH = ["overdose", "naloxone", "clinic", "treatment", "recovery", "hospital"]
FILLER = [
    "the",
    "team",
    "said",
    "that",
    "we",
    "last",
    "week",
    "in",
    "area",
    "people",
    "often",
    "then",
]


def _sentence(rng: random.Random, words: list[str]) -> str:
    w = [rng.choice(FILLER) for _ in range(7)]
    for _ in range(2):
        w[rng.randrange(7)] = rng.choice(words)
    return " ".join(w).capitalize() + "."


def toy(n_transcripts: int = 6, per: int = 10, seed: int = 0, rare: int = 2):
    """Separable toy data: enforcement vs health sentences, each coded by 'AB'.

    A third code is applied to only ``rare`` units.
    """
    rng = random.Random(seed)
    transcripts, rows = [], []
    for k in range(n_transcripts):
        kinds = [rng.choice("eh") for _ in range(per)]
        texts = [_sentence(rng, ENFORCE if x == "e" else HEALTH) for x in kinds]
        t = Transcript.build(f"t{k}", [TurnDraft(x, "P", "participant") for x in texts])
        transcripts.append(t)
        for turn, x in zip(t.turns, kinds, strict=True):
            rows.append(
                {
                    "transcript_id": t.id,
                    "start": turn.start,
                    "end": turn.end,
                    "code": "pursue" if x == "e" else "harm",
                    "coder": "AB",
                }
            )
    for turn in transcripts[0].turns[:rare]:
        rows.append(
            {
                "transcript_id": "t0",
                "start": turn.start,
                "end": turn.end,
                "code": "rare",
                "coder": "AB",
            }
        )
    rows.append(
        {
            "transcript_id": "t1",
            "start": transcripts[1].turns[0].start,
            "end": transcripts[1].turns[0].end,
            "code": "pursue",
            "coder": "CD",
        }
    )  # another coder: ignored
    return transcripts, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def data():
    return toy()


@pytest.fixture(scope="module")
def fitted(data):
    transcripts, codings = data
    return LearnedTagger(epochs=8, seed=0).fit(
        codings, coder="AB", transcripts=transcripts, folds=3
    )


def test_tagging_learned_separable_problem_cv_f1(fitted):
    rep = fitted.report.set_index("code")
    assert rep.loc["pursue", "f1"] >= 0.9 and rep.loc["harm", "f1"] >= 0.9
    assert rep.loc["(micro)", "f1"] >= 0.9


def test_tagging_learned_report_schema_and_support(fitted, data):
    _t, codings = data
    rep = fitted.report
    assert list(rep.columns)[: len(EVALUATION)] == names(EVALUATION)
    assert {"threshold", "status"} <= set(rep.columns)
    ab = codings[codings["coder"] == "AB"]
    support = rep.set_index("code")["support"]
    assert support["pursue"] == (ab["code"] == "pursue").sum()
    assert support["harm"] == (ab["code"] == "harm").sum()


def test_tagging_learned_skips_rare_codes_and_lists_them(fitted):
    rep = fitted.report.set_index("code")
    assert "rare" not in fitted.thresholds
    assert rep.loc["rare", "status"].startswith("skipped: 2 positive")
    assert math.isnan(rep.loc["rare", "f1"])


def test_tagging_learned_thresholds_in_unit_interval(fitted):
    assert set(fitted.thresholds) == {"harm", "pursue"}
    assert all(0 < v < 1 for v in fitted.thresholds.values())


def test_tagging_learned_suggest_frame(fitted, data):
    transcripts, codings = data
    s = fitted.suggest(transcripts)
    assert list(s.columns) == names(SUGGESTIONS)
    assert (
        s["text"]
        == [
            transcripts[int(t[1:])].text[a:b]
            for t, a, b in zip(s["transcript_id"], s["start"], s["end"], strict=True)
        ]
    ).all()
    assert s["evidence"].str.startswith("model p=").all()
    assert s["tagger"].unique().tolist() == [fitted.version]


def test_tagging_learned_evidence_names_words_that_matter(fitted, data):
    transcripts, _ = data
    s = fitted.suggest(transcripts[:1])
    pursue = s[s["code"] == "pursue"]
    assert len(pursue)
    for ev in pursue["evidence"]:
        words = ev.split("; words: ")[1].split(", ")
        assert any(w in ENFORCE for w in words)


def test_tagging_learned_via_suggest_function(fitted, data):
    transcripts, _ = data
    pd.testing.assert_frame_equal(
        suggest(transcripts, tagger=fitted), fitted.suggest(transcripts)
    )


def test_tagging_learned_iter_suggestions_honours_chunk_rows(fitted, data):
    """Drift (issue 15): iter_suggestions gave a LearnedTagger one frame, whatever
    chunk_rows said."""
    transcripts, _ = data
    whole = fitted.suggest(transcripts, explain=False)
    chunks = list(iter_suggestions(transcripts, tagger=fitted, chunk_rows=5))
    assert len(whole) > 10
    assert len(chunks) >= len(whole) // 5
    assert all(len(c) <= 5 for c in chunks)
    both = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(
        both.drop(columns="evidence"), whole.drop(columns="evidence")
    )


def test_tagging_learned_iter_suggestions_shows_progress(fitted, data, capsys):
    """Drift (issue 15): iter_suggestions dropped progress= for a LearnedTagger."""
    transcripts, _ = data
    list(iter_suggestions(transcripts, tagger=fitted, progress=True))
    assert "suggest" in capsys.readouterr().err


def test_tagging_learned_save_load_round_trip(fitted, data, tmp_path):
    transcripts, _ = data
    path = fitted.save(tmp_path / "learned")
    back = LearnedTagger.load(path)
    texts = [t.text for t in transcripts[:2]]
    np.testing.assert_allclose(
        back.predict_proba(texts).to_numpy(), fitted.predict_proba(texts).to_numpy()
    )
    assert back.thresholds == fitted.thresholds and back.version == fitted.version
    pd.testing.assert_frame_equal(
        back.suggest(transcripts), fitted.suggest(transcripts)
    )
    pd.testing.assert_frame_equal(back.report, fitted.report)


def test_tagging_learned_failed_save_keeps_previous_tagger(
    fitted, data, tmp_path, monkeypatch
):
    """Issue 16.3: a save that fails half-way leaves the saved tagger loadable."""
    transcripts, _ = data
    path = fitted.save(tmp_path / "learned")
    before = sorted(p.name for p in path.rglob("*"))

    def half_then_fail(folder):
        (folder / "config.cfg").write_text("[nlp]\n")
        raise OSError("No space left on device")

    monkeypatch.setattr(fitted.model, "to_disk", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        fitted.save(path)
    monkeypatch.undo()
    assert sorted(p.name for p in path.rglob("*")) == before
    texts = [t.text for t in transcripts[:2]]
    np.testing.assert_allclose(
        LearnedTagger.load(path).predict_proba(texts).to_numpy(),
        fitted.predict_proba(texts).to_numpy(),
    )


def test_tagging_learned_is_deterministic(data):
    transcripts, codings = data
    a = LearnedTagger(epochs=3, seed=1).fit(
        codings, coder="AB", transcripts=transcripts, folds=2
    )
    b = LearnedTagger(epochs=3, seed=1).fit(
        codings, coder="AB", transcripts=transcripts, folds=2
    )
    texts = [t.text for t in transcripts]
    np.testing.assert_array_equal(
        a.predict_proba(texts).to_numpy(), b.predict_proba(texts).to_numpy()
    )
    assert a.version == b.version


def test_tagging_learned_cnn_trains(data):
    transcripts, codings = data
    t = LearnedTagger(architecture="cnn", epochs=4, seed=0, codes=["pursue", "harm"])
    t.fit(codings, coder="AB", transcripts=transcripts, folds=2)
    assert set(t.thresholds) == {"pursue", "harm"}


def test_tagging_learned_not_fitted_raises():
    with pytest.raises(TaggingError, match="QC507"):
        LearnedTagger().suggest([])


def test_tagging_learned_too_few_positives_raises(data):
    transcripts, codings = data
    with pytest.raises(TaggingError, match="QC506"):
        LearnedTagger(codes=["rare"]).fit(codings, coder="AB", transcripts=transcripts)


def test_tagging_learned_codings_need_transcripts(data):
    _t, codings = data
    with pytest.raises(TaggingError, match="QC509"):
        LearnedTagger().fit(codings, coder="AB")


def test_tagging_learned_folds_checked(data):
    transcripts, codings = data
    with pytest.raises(InvalidInputError, match="QC101"):
        LearnedTagger().fit(codings, coder="AB", transcripts=transcripts, folds=1)


def test_tagging_learned_load_rejects_other_folders(tmp_path):
    with pytest.raises(TaggingError, match="QC508"):
        LearnedTagger.load(tmp_path)


def test_tagging_learned_fits_from_project(tmp_path, data):
    from qualcode import Project

    transcripts, codings = data
    with Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(transcripts)
        p.add_codings(codings)
        t = LearnedTagger(epochs=3, seed=0).fit(p, coder="AB", folds=2)
        everything = t.suggest(p, explain=False)
        fresh = t.suggest(p, explain=False, exclude_coded_by="AB")
        ab = p.codings(coder="AB")
    assert set(t.thresholds) == {"pursue", "harm"}
    coded = set(zip(ab["transcript_id"], ab["start"], ab["code"], strict=True))
    keys = list(
        zip(
            everything["transcript_id"],
            everything["start"],
            everything["code"],
            strict=True,
        )
    )
    assert any(k in coded for k in keys)
    assert list(
        zip(fresh["transcript_id"], fresh["start"], fresh["code"], strict=True)
    ) == [k for k in keys if k not in coded]


def test_tagging_learned_codes_below_min_f1_are_not_suggested(data):
    transcripts, codings = data
    t = LearnedTagger(epochs=3, seed=0, min_f1=1.01).fit(
        codings, coder="AB", transcripts=transcripts, folds=2
    )
    rep = t.report.set_index("code")
    assert rep.loc["pursue", "status"].startswith("trained; not suggested: CV F1")
    assert t.active == [] and t.suggest(transcripts).empty
    assert set(t.thresholds) == {"pursue", "harm"}  # still trained and reported


# -- issue 17: progress bar and level --------------------------------------------------
def _theme_book():
    from qualcode.codebook import Code, Codebook

    return Codebook(
        [
            Code("police", "Police"),
            Code("pursue", "Pursue", parent="police"),
            Code("rare", "Rare", parent="police"),
            Code("health", "Health"),
            Code("harm", "Harm", parent="health"),
        ]
    )


def test_tagging_learned_fit_shows_progress(data, capsys):
    """Issue 17: fit ran for half a minute with no output."""
    transcripts, codings = data
    LearnedTagger(epochs=2, seed=0).fit(
        codings, coder="AB", transcripts=transcripts, folds=2
    )
    err = capsys.readouterr().err
    assert "LearnedTagger.fit" in err and "6/6" in err  # (2 folds + final) x 2


def test_tagging_learned_fit_progress_off(data, capsys):
    transcripts, codings = data
    LearnedTagger(epochs=2, seed=0).fit(
        codings, coder="AB", transcripts=transcripts, folds=2, progress=False
    )
    assert capsys.readouterr().err == ""


def test_tagging_learned_level_root_trains_on_themes(data, tmp_path):
    """Issue 17: level="root" learns the root themes of the coded codes."""
    transcripts, codings = data
    tagger = LearnedTagger(_theme_book(), level="root", epochs=5, seed=0).fit(
        codings, coder="AB", transcripts=transcripts, folds=3, progress=False
    )
    assert sorted(tagger.trained) == ["health", "police"]
    assert tagger.skipped == []  # "rare" counts for its theme
    rep = tagger.report.set_index("code")
    ab = codings[codings["coder"] == "AB"]
    police = ab[ab["code"].isin(["pursue", "rare"])]  # one sentence per turn
    assert (
        rep.loc["police", "support"]
        == police[["transcript_id", "start"]].apply(tuple, axis=1).nunique()
    )
    assert set(tagger.suggest(transcripts)["code"]) <= {"health", "police"}
    back = LearnedTagger.load(tagger.save(tmp_path / "t"))
    assert back.level == "root"


def test_tagging_learned_level_root_codebook_from_fit(data):
    transcripts, codings = data
    tagger = LearnedTagger(level="root", epochs=2, seed=0).fit(
        codings,
        coder="AB",
        transcripts=transcripts,
        folds=2,
        codebook=_theme_book(),
        progress=False,
    )
    assert sorted(tagger.trained) == ["health", "police"]


def test_tagging_learned_level_root_needs_a_codebook(data):
    transcripts, codings = data
    with pytest.raises(TaggingError, match=r"QC514.*codebook"):
        LearnedTagger(level="root").fit(
            codings, coder="AB", transcripts=transcripts, progress=False
        )


def test_tagging_learned_level_root_no_code_of_the_codebook(data):
    from qualcode.codebook import Code, Codebook

    transcripts, codings = data
    book = Codebook([Code("health", "Health"), Code("overdose", "Overdose")])
    with pytest.raises(InvalidInputError, match=r"QC109.*unknown code 'harm'"):
        LearnedTagger(book, level="root").fit(
            codings, coder="AB", transcripts=transcripts, progress=False
        )


def test_tagging_learned_level_root_leaves_out_other_codebooks_codes(data):
    """A project's codings span several codebooks; root themes of the one given."""
    from qualcode.codebook import Code, Codebook
    from qualcode.errors import QualcodeWarning

    transcripts, codings = data
    book = Codebook(
        [Code("police", "Police"), Code("pursue", "Pursue", parent="police")],
        name="roles",
    )
    n_other = int(codings.query("coder == 'AB'")["code"].isin(["harm", "rare"]).sum())
    with pytest.warns(
        QualcodeWarning, match=rf"{n_other} coding\(s\) of 2 code.*'harm', 'rare'"
    ):
        tagger = LearnedTagger(book, level="root", epochs=2, seed=0).fit(
            codings, coder="AB", transcripts=transcripts, folds=2, progress=False
        )
    assert tagger.trained == ["police"]


def test_tagging_learned_level_checked():
    with pytest.raises(InvalidInputError, match=r"QC101.*'level'"):
        LearnedTagger(level="theme")


def test_tagging_learned_trained_counts_codes_below_min_f1(data):
    """Notebook 03 printed "1 codes trained" (status == "trained" only counts the
    codes that will be suggested); ``trained`` lists every code a model learned."""
    transcripts, codings = data
    tagger = LearnedTagger(epochs=3, seed=0, min_f1=1.01).fit(
        codings, coder="AB", transcripts=transcripts, folds=2, progress=False
    )
    assert sorted(tagger.trained) == ["harm", "pursue"]
    assert tagger.active == []
    assert tagger.skipped == ["rare"]
