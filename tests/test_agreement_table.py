"""agreement_table, reliability_data, disagreements, resolve_disagreements (Project)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode import agreement as ag
from qualcode._columns import AGREEMENT, DISAGREEMENTS, names
from qualcode._nlp import units as make_units
from qualcode.errors import CodebookError, InvalidInputError, UndefinedStatisticWarning
from qualcode.model import Transcript, TurnDraft


def _transcripts():
    t1 = Transcript.build(
        "t1",
        [
            TurnDraft("What does your team prioritise?", "Interviewer", "interviewer"),
            TurnDraft(
                "We arrest dealers. We also disrupt the lines. It never stops.",
                "P1",
                "participant",
            ),
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft(
                "We divert users into treatment. That saves lives.", "P1", "participant"
            ),
        ],
    )
    t2 = Transcript.build(
        "t2",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "County lines exploit children. We safeguard them first.",
                "P2",
                "participant",
            ),
            TurnDraft("Anything else?", "Interviewer", "interviewer"),
            TurnDraft(
                "Naloxone kits in every car. Officers carry them now.",
                "P2",
                "participant",
            ),
        ],
    )
    return [t1, t2]


def _span(t, turn, text):
    turn_obj = t.turns[turn]
    s = turn_obj.start + turn_obj.text.index(text)
    return s, s + len(text)


def _codings(ts, spec):
    by_id = {t.id: t for t in ts}
    rows = []
    for coder, tid, turn, text, code in spec:
        s, e = _span(by_id[tid], turn, text)
        rows.append(
            {"transcript_id": tid, "start": s, "end": e, "code": code, "coder": coder}
        )
    return pd.DataFrame(rows)


SPEC = [
    ("AB", "t1", 1, "We arrest dealers.", "pursue"),
    ("CD", "t1", 1, "We arrest dealers.", "pursue"),
    ("AB", "t1", 1, "We also disrupt the lines.", "pursue"),
    ("CD", "t1", 1, "disrupt the lines", "prevent"),
    ("AB", "t1", 3, "We divert users into treatment.", "prevent"),
    ("CD", "t1", 3, "We divert users into treatment. That saves lives.", "prevent"),
    ("AB", "t2", 1, "County lines exploit children.", "protect"),
    ("CD", "t2", 1, "We safeguard them first.", "protect"),
    ("AB", "t2", 3, "Naloxone kits in every car.", "prevent"),
    ("CD", "t2", 3, "Naloxone kits", "prevent"),
    ("AB", "t2", 3, "Officers carry them now.", "protect"),
]


@pytest.fixture()
def project(tmp_path):
    ts = _transcripts()
    with qc.Project(tmp_path / "agree.qcproj") as p:
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, SPEC))
        yield p


def _rel(p, unit, code, coders=("AB", "CD")):
    units = make_units(list(p.iter_transcripts()), unit, roles=("participant",))
    return ag.reliability_data(p.codings(), units, coders=list(coders), code=code)


def test_agreement_table_schema_and_pooled_row(project):
    table = ag.agreement_table(project, coders=["AB", "CD"], unit="sentence", n_boot=50)
    assert list(table.columns) == names(AGREEMENT)
    assert table["code"].tolist() == ["prevent", "protect", "pursue", "(pooled)"]
    assert (table["unit"] == "sentence").all() and (table["coders"] == "AB,CD").all()


@pytest.mark.parametrize("unit", ["turn", "sentence"])
def test_agreement_table_rows_equal_public_functions(project, unit):
    table = ag.agreement_table(project, coders=["AB", "CD"], unit=unit, n_boot=0)
    for code in ("prevent", "protect", "pursue"):
        row = table[table["code"] == code].iloc[0]
        data = _rel(project, unit, code)
        for name in (
            "cohen_kappa",
            "scott_pi",
            "fleiss_kappa",
            "gwet_ac1",
            "brennan_prediger",
            "krippendorff_alpha",
            "percent_agreement",
        ):
            expected = (
                getattr(ag, name)(data, categories=[0, 1])
                if name not in ("percent_agreement",)
                else ag.percent_agreement(data)
            )
            assert row[name] == pytest.approx(expected, abs=1e-12), (code, name)
        assert row["n_units"] == len(data)
        assert row["n_coded"] == int((data == 1).any(axis=1).sum())


def test_agreement_table_pooled_row_stacks_unit_code_decisions(project):
    table = ag.agreement_table(project, coders=["AB", "CD"], unit="sentence", n_boot=0)
    stacked = pd.concat(
        [_rel(project, "sentence", c) for c in ("prevent", "protect", "pursue")]
    )
    pooled = table[table["code"] == "(pooled)"].iloc[0]
    assert pooled["cohen_kappa"] == pytest.approx(ag.cohen_kappa(stacked))
    assert pooled["krippendorff_alpha"] == pytest.approx(ag.krippendorff_alpha(stacked))
    assert pooled["n_units"] == len(stacked) // 3


def test_agreement_table_presence_rule_is_any_overlap(project):
    # CD coded only "disrupt the lines" inside the sentence "We also disrupt the lines."
    data = _rel(project, "sentence", "prevent")
    assert data.loc[("t1", 1), "CD"] == 1 and data.loc[("t1", 1), "AB"] == 0


def test_agreement_table_character_level_matches_per_character_kappa(project):
    table = ag.agreement_table(project, coders=["AB", "CD"], unit="character", n_boot=0)
    ts = list(project.iter_transcripts())
    codings = project.codings()
    for code in ("prevent", "protect", "pursue"):
        cols = []
        for coder in ("AB", "CD"):
            flags = []
            for t in ts:
                cover = np.zeros(len(t.text), bool)
                for r in codings[
                    (codings.coder == coder)
                    & (codings.code == code)
                    & (codings.transcript_id == t.id)
                ].itertuples():
                    cover[r.start : r.end] = True
                for turn in t.turns:
                    if turn.role == "participant":
                        flags.append(cover[turn.start : turn.end])
            cols.append(np.concatenate(flags).astype(float))
        expected = ag.cohen_kappa(np.column_stack(cols), categories=[0, 1])
        row = table[table["code"] == code].iloc[0]
        assert row["cohen_kappa"] == pytest.approx(expected, abs=1e-12)
        assert row["n_units"] == len(cols[0])


def test_agreement_table_uncoded_transcript_is_missing_not_absent(tmp_path):
    ts = _transcripts()
    spec = [r for r in SPEC if not (r[0] == "CD" and r[1] == "t2")]  # CD never coded t2
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, spec))
        table = ag.agreement_table(p, coders=["AB", "CD"], unit="turn", n_boot=0)
        data = _rel(p, "turn", "protect")
    assert data.loc["t2", "CD"].isna().all()
    assert table["n_units"].iloc[0] == 2  # only t1's two participant turns are compared
    # 'protect' was applied only in t2, which is not compared: no row (issue 17)
    assert "protect" not in set(table["code"])


def test_agreement_table_three_coders_use_fleiss(tmp_path):
    ts = _transcripts()
    spec = SPEC + [("EF", t, turn, text, code) for _, t, turn, text, code in SPEC[:6]]
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, spec))
        table = ag.agreement_table(
            p, coders=["AB", "CD", "EF"], unit="sentence", n_boot=0
        )
        data = _rel(p, "sentence", "prevent", ("AB", "CD", "EF"))
    row = table[table["code"] == "prevent"].iloc[0]
    assert np.isnan(row["cohen_kappa"]) and np.isnan(row["scott_pi"])
    assert row["fleiss_kappa"] == pytest.approx(ag.fleiss_kappa(data))


def test_agreement_table_bootstrap_is_seeded_and_brackets(project):
    a = ag.agreement_table(
        project, coders=["AB", "CD"], unit="sentence", n_boot=200, seed=3
    )
    b = ag.agreement_table(
        project, coders=["AB", "CD"], unit="sentence", n_boot=200, seed=3
    )
    pd.testing.assert_frame_equal(a, b)
    ok = a["krippendorff_alpha"].notna()
    assert (
        a.loc[ok, "krippendorff_alpha_ci_low"]
        <= a.loc[ok, "krippendorff_alpha"] + 1e-12
    ).all()
    assert (
        a.loc[ok, "krippendorff_alpha_ci_high"]
        >= a.loc[ok, "krippendorff_alpha"] - 1e-12
    ).all()


def test_agreement_table_own_overlapping_codings_are_not_agreement(tmp_path):
    # AB codes the same sentence twice (overlapping spans); CD never uses that code
    ts = _transcripts()
    spec = [
        ("AB", "t1", 1, "We arrest dealers.", "pursue"),
        ("AB", "t1", 1, "arrest dealers", "pursue"),
        ("CD", "t1", 3, "That saves lives.", "prevent"),
        ("AB", "t1", 3, "That saves lives.", "prevent"),
    ]
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, spec))
        table = ag.agreement_table(p, coders=["AB", "CD"], unit="sentence", n_boot=0)
    row = table[table["code"] == "pursue"].iloc[0]
    assert row["percent_agreement"] < 1 and row["unitized_alpha_binary"] < 0


def test_agreement_table_unitized_columns(project):
    table = ag.agreement_table(project, coders=["AB", "CD"], unit="turn", n_boot=0)
    codes = table[table["code"] != "(pooled)"]
    assert codes["unitized_alpha_binary"].notna().all()
    assert codes["unitized_alpha_u"].isna().all()
    pooled = table[table["code"] == "(pooled)"].iloc[0]
    assert np.isfinite(pooled["unitized_alpha_u"]) and np.isfinite(
        pooled["unitized_alpha_cu"]
    )


def test_agreement_table_level_root_maps_codes(tmp_path):
    cb = qc.Codebook.from_dict(
        {
            "name": "roles",
            "codes": [
                {"id": "enforcement", "label": "Enforcement"},
                {"id": "pursue", "label": "Pursue", "parent": "enforcement"},
                {"id": "protect", "label": "Protect", "parent": "enforcement"},
                {"id": "prevent", "label": "Prevent"},
            ],
        }
    )
    ts = _transcripts()
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.set_codebook(cb)
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, SPEC))
        table = ag.agreement_table(
            p, coders=["AB", "CD"], unit="turn", n_boot=0, level="root"
        )
    assert table["code"].tolist() == ["enforcement", "prevent", "(pooled)"]
    assert table["label"].tolist()[:2] == ["Enforcement", "Prevent"]


def test_agreement_table_unused_code_warns_once(project):
    # 'refer' exists (a third coder used it) but neither compared coder applied it
    project.code_turn("t1", 1, "refer", "EF")
    with pytest.warns(UndefinedStatisticWarning, match=r"\[QC609\].*'refer'"):
        table = ag.agreement_table(
            project, coders=["AB", "CD"], codes=["pursue", "refer"], n_boot=0
        )
    assert np.isnan(table.loc[table["code"] == "refer", "cohen_kappa"]).all()


def test_agreement_table_empty_project_gives_empty_schema(tmp_path):
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(_transcripts())
        table = ag.agreement_table(p, coders=["AB", "CD"], n_boot=0)
    assert table.empty and list(table.columns) == names(AGREEMENT)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"unit": "paragraph"}, r"\[QC101\].*'unit'"),
        ({"level": "leaf"}, r"\[QC101\].*'level'"),
        ({"coders": ["AB"]}, r"\[QC608\]"),
        ({"n_boot": -1}, r"\[QC101\].*'n_boot'"),
        ({"n_boot": 2.5}, r"\[QC101\].*'n_boot'"),
        ({"ci": 1.5}, r"\[QC101\].*'ci'"),
        ({"seed": "7"}, r"\[QC101\].*'seed'"),
    ],
)
def test_agreement_table_bad_options_raise(project, kwargs, match):
    kwargs = {"coders": ["AB", "CD"], **kwargs}
    with pytest.raises(InvalidInputError, match=match):
        ag.agreement_table(project, **kwargs)


# --- disagreements and consensus ------------------------------------------------------


def test_agreement_disagreements_lists_differing_units(project):
    dis = ag.disagreements(project, coders=["AB", "CD"], unit="sentence")
    assert list(dis.columns) == [*names(DISAGREEMENTS), "AB", "CD", "resolution"]
    row = dis[(dis.transcript_id == "t1") & (dis.unit == 1)].iloc[0]
    assert row["text"] == "We also disrupt the lines."
    assert row["codes_in_dispute"] == "prevent, pursue"
    assert (row["AB"], row["CD"]) == ("pursue", "prevent")
    assert (
        "We arrest dealers." in row["context"] and "It never stops." in row["context"]
    )
    assert (dis["resolution"] == "").all()
    agreed = dis[(dis.transcript_id == "t1") & (dis.unit == 0)]
    assert agreed.empty  # both coded "We arrest dealers." pursue


def test_agreement_disagreements_xlsx_round_trip_resolves(project, tmp_path):
    dis = ag.disagreements(project, coders=["AB", "CD"], unit="sentence")
    path = tmp_path / "meeting.xlsx"
    dis.to_excel(path, index=False)
    sheet = pd.read_excel(path)
    sheet["resolution"] = sheet["resolution"].astype(object)
    sheet.loc[0, "resolution"] = "pursue, prevent"
    with pytest.warns(qc.QualcodeWarning, match=r"\[QC611\]"):  # blank rows: later
        done = ag.resolve_disagreements(project, sheet)
    assert sorted(done["code"]) == ["prevent", "pursue"]
    assert set(done["origin"]) == {"consensus"} and set(done["coder"]) == {"consensus"}
    assert (done["text"] == sheet.loc[0, "text"]).all()


def test_agreement_resolve_unknown_code_writes_nothing(project):
    dis = ag.disagreements(project, coders=["AB", "CD"], unit="sentence")
    dis["resolution"] = "pursue"
    dis.loc[1, "resolution"] = "persue"
    # issue 16.4: rows are named as in the spreadsheet (header row 1, data from row 2)
    with pytest.raises(CodebookError, match=r"\[QC607\].*row 3.*'persue'"):
        ag.resolve_disagreements(project, dis)
    assert project.codings(coder="consensus").empty


# --- the demo coders -----------------------------------------------------------------


@pytest.mark.slow
def test_agreement_table_demo_coders_partial_agreement():
    demo = pytest.importorskip("qualcode.datasets.demo")
    try:
        corpus = demo.demo_corpus()
        codings = demo.demo_codings(corpus)
    except (FileNotFoundError, NotImplementedError) as exc:  # pragma: no cover
        pytest.skip(f"demo corpus not available: {exc}")
    import tempfile
    from pathlib import Path

    with (
        tempfile.TemporaryDirectory() as tmp,
        qc.Project(Path(tmp) / "demo.qcproj") as p,
    ):
        p.add_transcripts(corpus)
        p.add_codings(codings)
        with warnings.catch_warnings():  # codes used only outside participant turns
            warnings.simplefilter("ignore", UndefinedStatisticWarning)
            table = ag.agreement_table(
                p, coders=["AB", "CD"], unit="sentence", n_boot=100
            )
    pooled = table[table["code"] == "(pooled)"].iloc[0]
    assert 0.3 < pooled["cohen_kappa"] < 0.95  # realistic partial agreement
    assert (
        pooled["cohen_kappa_ci_low"]
        < pooled["cohen_kappa"]
        < pooled["cohen_kappa_ci_high"]
    )


def test_agreement_table_character_bootstrap_resamples_turns(tmp_path):
    """Characters within a turn are not independent: the CI must come from resampling
    turns. With a few long turns, a character-level bootstrap would be near zero
    wide."""
    import qualcode as qc
    from qualcode.model import Transcript, TurnDraft

    words = "we divert people into treatment and we arrest dealers on the estate "
    drafts = []
    for _ in range(12):
        drafts.append(TurnDraft("Question?", "I", "interviewer"))
        drafts.append(TurnDraft(words * 3, "P", "participant"))
    t = Transcript.build("c1", drafts)
    cb = qc.Codebook.from_dict(
        {"name": "x", "version": "1", "codes": [{"id": "a", "label": "A"}]}
    )
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.set_codebook(cb)
        p.add_transcripts([t])
        parts = [u for u in t.turns if u.role == "participant"]
        for j, u in enumerate(parts):
            # AB codes the first half of every turn; CD agrees on half the turns only
            mid = u.start + len(u.text) // 2
            p.add_coding("c1", u.start, mid, "a", "AB")
            p.add_coding("c1", u.start, mid if j % 2 else u.end, "a", "CD")
        table = qc.agreement_table(
            p, coders=["AB", "CD"], unit="character", n_boot=300, seed=1
        )
    row = table[table["code"] == "a"].iloc[0]
    width = row["cohen_kappa_ci_high"] - row["cohen_kappa_ci_low"]
    # 12 turns, half disagreeing on half their characters: turn-level resampling gives a
    # wide interval; resampling ~1,500 single characters would give one below 0.1.
    assert width > 0.15
    assert row["cohen_kappa_ci_low"] <= row["cohen_kappa"] <= row["cohen_kappa_ci_high"]


def test_agreement_table_unknown_coder_is_an_error(tmp_path, tiny_transcripts):
    import pytest

    import qualcode as qc

    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts(tiny_transcripts)
        p.code_turn("t1", 1, "a", "AB")
        p.code_turn("t1", 1, "a", "CD")
        with pytest.raises(qc.InvalidInputError, match=r"\[QC109\].*coder 'XX'"):
            qc.agreement_table(p, coders=["AB", "XX"], n_boot=0)


# --- typos (issue 16.5) ---------------------------------------------------------------


def _book(*ids):
    return qc.Codebook.from_dict(
        {"name": "t", "version": "1", "codes": [{"id": c, "label": c} for c in ids]}
    )


def test_agreement_table_unknown_code_says_did_you_mean(project):
    # issue 16.5: a typo in codes= gave a 100% row for a code that does not exist
    with pytest.raises(
        InvalidInputError, match=r"\[QC109\].*'purse'.*did you mean 'pursue'"
    ):
        ag.agreement_table(project, coders=["AB", "CD"], codes=["purse"], n_boot=0)


def test_agreement_table_unknown_code_checked_against_codebook(tmp_path):
    ts = _transcripts()
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.set_codebook(_book("pursue", "prevent", "protect", "turning-point"))
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, SPEC))
        with pytest.raises(InvalidInputError, match=r"did you mean 'turning-point'"):
            ag.agreement_table(p, coders=["AB", "CD"], codes=["turning-pont"])


def test_agreement_table_unknown_coder_says_did_you_mean(project):
    with pytest.raises(
        InvalidInputError, match=r"\[QC109\].*coder 'cd'.*did you mean 'CD'"
    ):
        ag.agreement_table(project, coders=["AB", "cd"], n_boot=0)


def test_agreement_disagreements_unknown_coder_says_did_you_mean(project):
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*'ab'.*did you mean 'AB'"):
        ag.disagreements(project, coders=["ab", "CD"])


def test_agreement_disagreements_unknown_code_says_did_you_mean(project):
    with pytest.raises(InvalidInputError, match=r"\[QC109\].*did you mean 'protect'"):
        ag.disagreements(project, coders=["AB", "CD"], codes=["protec"])


# --- rows for reports (issue 17) ------------------------------------------------------


def test_agreement_table_rows_only_for_used_codes(tmp_path):
    # issue 17: a code in the codebook that nobody applied, and one applied only to an
    # interviewer turn (not analysed), get no row
    ts = _transcripts()
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.set_codebook(_book("pursue", "prevent", "protect", "refer", "question"))
        p.add_transcripts(ts)
        p.add_codings(_codings(ts, SPEC))
        p.code_turn("t1", 0, "question", "AB")
        table = ag.agreement_table(p, coders=["AB", "CD"], n_boot=0)
    assert table["code"].tolist() == ["pursue", "prevent", "protect", "(pooled)"]


def test_agreement_table_code_applied_once_has_no_interval(project):
    # issue 17: one unit carries the code; every replicate repeats or drops it, so the
    # interval is undefined, not [0.00, 0.00]
    project.code_turn("t1", 3, "refer", "AB")
    table = ag.agreement_table(project, coders=["AB", "CD"], unit="turn", n_boot=200)
    row = table[table["code"] == "refer"].iloc[0]
    assert row["n_coded"] == 1
    for stat in ("cohen_kappa", "fleiss_kappa", "gwet_ac1", "krippendorff_alpha"):
        assert np.isnan(row[f"{stat}_ci_low"]) and np.isnan(row[f"{stat}_ci_high"])
    assert np.isfinite(row["percent_agreement"])


# --- transcripts without speakers (issue 16.6) ----------------------------------------


def _unlabelled_project(tmp_path):
    """t1 with speaker roles; t3 a plain-text file with no speaker labels at all."""
    ts = _transcripts()[:1]
    t3 = Transcript.build(
        "t3",
        [
            TurnDraft("We arrest dealers on the estate."),
            TurnDraft("We divert users into treatment."),
            TurnDraft("Naloxone kits are in every car."),
        ],
    )
    p = qc.Project(tmp_path / "p.qcproj")
    p.add_transcripts([*ts, t3])
    p.add_codings(_codings(ts, [r for r in SPEC if r[1] == "t1"]))
    for coder, turn, code in [
        ("AB", 0, "pursue"),
        ("CD", 0, "pursue"),
        ("AB", 1, "prevent"),
        ("CD", 1, "protect"),
    ]:
        p.code_turn("t3", turn, code, coder)
    return p


@pytest.mark.parametrize("unit", ["turn", "sentence", "character"])
def test_agreement_table_unlabelled_transcript_is_analysed_and_named(tmp_path, unit):
    # issue 16.6: t3 has no speaker role, so roles=("participant",) dropped it
    # silently; now all its paragraphs are units and a warning names it
    with _unlabelled_project(tmp_path) as p:
        with pytest.warns(qc.QualcodeWarning, match=r"\[QC610\].*\['t3'\]"):
            table = ag.agreement_table(p, coders=["AB", "CD"], unit=unit, n_boot=0)
        with_t3 = table.set_index("code")
        alone = ag.agreement_table(
            p, coders=["AB", "CD"], unit=unit, n_boot=0, roles=None
        ).set_index("code")
    assert "protect" in with_t3.index  # only t3 carries 'protect'
    # t1's interviewer turns are still left out: fewer units than with roles=None
    assert with_t3.loc["pursue", "n_units"] < alone.loc["pursue", "n_units"]


def test_agreement_table_unlabelled_warning_names_no_text(tmp_path):
    with _unlabelled_project(tmp_path) as p:
        with pytest.warns(qc.QualcodeWarning) as caught:
            ag.agreement_table(p, coders=["AB", "CD"], n_boot=0)
    message = str(caught[0].message)
    assert "t3" in message and "arrest" not in message and "Naloxone" not in message


def test_agreement_disagreements_unlabelled_transcript_included(tmp_path):
    with _unlabelled_project(tmp_path) as p:
        with pytest.warns(qc.QualcodeWarning, match=r"\[QC610\].*'t3'"):
            dis = ag.disagreements(p, coders=["AB", "CD"])
    row = dis[dis["transcript_id"] == "t3"]
    assert row["text"].tolist() == ["We divert users into treatment."]


# --- consensus sheet: blank is undecided, 'none' is no code (issue 16.4) --------------


def _sheet(project, resolutions):
    dis = ag.disagreements(project, coders=["AB", "CD"], unit="sentence")
    dis = dis.head(len(resolutions)).copy()
    dis["resolution"] = pd.Series(resolutions, dtype=object)
    return dis


def test_agreement_resolve_blank_is_undecided_and_reported(project):
    # blank (empty, whitespace or NaN as read back from Excel) means "decide later",
    # as in review(): nothing written, the spreadsheet rows named (3, 4 and 5 here)
    dis = _sheet(project, ["pursue", "", float("nan"), "  "])
    with pytest.warns(qc.QualcodeWarning, match=r"\[QC611\].*3 row.*\[3, 4, 5\]"):
        done = ag.resolve_disagreements(project, dis)
    assert done["code"].tolist() == ["pursue"]
    assert done.attrs["undecided_rows"] == [3, 4, 5]
    assert done.attrs["resolved_rows"] == [2]


@pytest.mark.parametrize("marker", ["none", "None", "-", "(none)"])
def test_agreement_resolve_none_marker_means_no_code(project, marker):
    dis = _sheet(project, [marker, "protect"])
    done = ag.resolve_disagreements(project, dis)  # decided: no warning
    assert done["code"].tolist() == ["protect"]
    assert done.attrs["no_code_rows"] == [2]
    assert done.attrs["undecided_rows"] == []


def test_agreement_resolve_none_with_codes_is_an_error(project):
    dis = _sheet(project, ["pursue", "none, protect"])
    with pytest.raises(InvalidInputError, match=r"\[QC612\].*row 3"):
        ag.resolve_disagreements(project, dis)
    assert project.codings(coder="consensus").empty


def test_agreement_resolve_unknown_code_says_did_you_mean(project):
    dis = _sheet(project, ["pursue", "protet"])
    with pytest.raises(CodebookError, match=r"row 3.*did you mean 'protect'"):
        ag.resolve_disagreements(project, dis)


@pytest.mark.parametrize(
    "call",
    [
        lambda p: ag.agreement_table(p, coders=["AB", "CD"]),
        lambda p: ag.disagreements(p, coders=["AB", "CD"]),
        lambda p: ag.resolve_disagreements(p, pd.DataFrame()),
    ],
    ids=["agreement_table", "disagreements", "resolve_disagreements"],
)
def test_agreement_project_functions_refuse_a_non_project(call):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'project'.*'str'"):
        call("study.qcproj")


def test_agreement_disagreements_bad_context_raises(project):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'context'"):
        ag.disagreements(project, coders=["AB", "CD"], context=-1)
