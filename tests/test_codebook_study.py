"""The three study codebooks in codebooks/: they load cleanly, have the right shape,
carry the report's figure labels under the right parents, and their patterns really
match their own examples."""

from __future__ import annotations

import html
import warnings

import pytest

from qualcode.codebook import Codebook

NAMES = ("roles", "harms", "culture")

# Figure 1 of the N8 report (shared/reference/report-figures.md): legible labels by P.
# "[...]" marks an illegible part; bracketed words are a partial reading.
FIGURE_1 = {
    "pursue": [
        "Disrupt OCGs/USGs",
        "Target the most violent and exploitative elements of the drugs trade",
        "Enforce drug laws",
        "Target 'county lines'",
        "Fight crime and bring offenders to justice",
        "Target people who supply drugs and process them through the CJS",
        "Prioritise reducing the supply of drugs that cause the most harm",
        "Undermine the [business model of] OCGs",
        "Target the most [...]",
        "Target drug hotspots",
        "Pursue offenders through prosecution and disruption",
    ],
    "protect": [
        "Protect/safeguard vulnerable people and children",
        "Reduce harms caused by the production, trafficking and distribution of drugs",
        "Reassure the community by responding to their concerns",
        "Protect victims from the harms associated with drug markets",
        "Deliver a trauma-informed approach",
    ],
    "prevent": [
        "Prevent people from engaging in SOC/drug market activity",
        "Divert people who use drugs into support services",
        "Identify and support those at risk of engaging in drug market activity",
        "Deter people from engaging in drug market activity",
    ],
    "prepare": ["Gather intelligence", "Analyse drug markets"],
}

# Figure 2: legible harm labels by category label (one Exploitation label is illegible).
FIGURE_2 = {
    "Crime": [
        "Related crime",
        "Fear of crime / ASB",
        "Increase in organised crime",
        "Victim of crime / intimidation (drug user / supplier)",
        "Victim of crime/ASB",
    ],
    "Health": [
        "Overdose / death",
        "Physical / mental illness",
        "Unknown purity / cutting agents",
        "Addiction / withdrawal symptoms",
    ],
    "Perceptions": [
        "Normalisation of drug use / supply",
        "Attraction / recruitment to criminal life",
        "Loss of respect for law",
        "[Loss of trust] in police / authorities",
    ],
    "Violence": [
        "Victim of violence (drug debts / disputes or police enforcement)",
        "Increase in violence",
    ],
    "Exploitation": ["Risk of exploitation"],
    "Neighbourhoods": ["Degradation of neighbourhoods"],
    "Life chances": [
        "Poverty / debt",
        "Educational disengagement",
        "Poor prospects / harm to employability",
    ],
    "Services": [
        "Strain on local services",
        "Cost of health/support services",
        "Cost of policing/CJS",
    ],
    "Children / family": [
        "Poor child welfare",
        "Family / peers victim of violence",
        "Poor parenting / [...]",
    ],
}


@pytest.fixture(scope="module")
def books(root):
    out = {}
    for n in NAMES:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "error"
            )  # the study codebooks load with no warning at all
            out[n] = Codebook.load(root / "codebooks" / f"{n}.yaml")
    return out


def _matches(printed: str, label: str) -> bool:
    """A printed (possibly partly illegible) label matches a codebook label."""
    if "[...]" in printed:
        return label.startswith(printed.split("[...]")[0].strip())
    return label == printed.replace("[", "").replace("]", "")


def test_codebook_study_files_load_without_warnings(books):
    assert set(books) == set(NAMES)


def test_codebook_study_roles_roots_in_report_order(books):
    assert [(c.id, c.label) for c in books["roles"].roots()] == [
        ("pursue", "Pursue"),
        ("protect", "Protect"),
        ("prevent", "Prevent"),
        ("prepare", "Prepare"),
    ]


def test_codebook_study_harms_nine_roots_in_figure_order(books):
    assert [c.label for c in books["harms"].roots()] == list(FIGURE_2)


def test_codebook_study_culture_has_themes(books):
    roots = books["culture"].roots()
    assert len(roots) >= 8
    assert all(books["culture"].children(r.id) for r in roots)


@pytest.mark.parametrize("name", NAMES)
def test_codebook_study_every_code_has_definition_pattern_example_source(books, name):
    for c in books[name]:
        assert c.definition.strip(), c.id
        assert c.patterns, c.id
        assert c.examples, c.id
        assert c.source, c.id
        assert c.source_status in {
            "study",
            "study-reconstructed",
            "published",
            "proposed",
        }, c.id


@pytest.mark.parametrize("name", NAMES)
def test_codebook_study_roots_have_colour_blind_safe_colours(books, name):
    colours = [r.color for r in books[name].roots()]
    assert all(colours) and len(set(colours)) == len(colours)


def test_codebook_study_ids_unique_across_files(books):
    ids = [c.id for n in NAMES for c in books[n]]
    assert len(ids) == len(set(ids))
    Codebook.combine(*(books[n] for n in NAMES))  # does not raise


@pytest.mark.parametrize("p", list(FIGURE_1))
def test_codebook_study_figure1_labels_under_study_p(books, p):
    roles = books["roles"]
    for printed in FIGURE_1[p]:
        status = ("study-reconstructed",) if "[" in printed else ("study",)
        hits = [
            c for c in roles if _matches(printed, c.label) and c.source_status in status
        ]
        assert len(hits) == 1, printed
        assert roles.root_of(hits[0].id).id == p, printed
        if "[" in printed:
            assert hits[0].source_status == "study-reconstructed" and hits[0].note, (
                printed
            )


@pytest.mark.parametrize("category", list(FIGURE_2))
def test_codebook_study_figure2_labels_under_category(books, category):
    harms = books["harms"]
    for printed in FIGURE_2[category]:
        status = ("study-reconstructed",) if "[" in printed else ("study",)
        hits = [
            c for c in harms if _matches(printed, c.label) and c.source_status in status
        ]
        assert len(hits) == 1, printed
        assert harms.root_of(hits[0].id).label == category, printed


def test_codebook_study_figure_counts_match(books):
    assert (
        sum(
            1
            for c in books["roles"]
            if c.source_status.startswith("study") and c.parent
        )
        == 22
    )
    assert (
        sum(
            1
            for c in books["harms"]
            if c.source_status.startswith("study") and c.parent
        )
        == 26
    )


def test_codebook_study_non_study_roles_are_marked(books):
    proposed = [c for c in books["roles"] if c.source_status == "proposed"]
    assert proposed
    assert all("not from the study's list" in c.source for c in proposed)


def test_codebook_study_every_role_has_harm_reduction_flag_and_reason(books):
    for c in books["roles"]:
        if c.parent is None:
            continue
        assert isinstance(c.flags.get("harm_reduction"), bool), c.id
        if c.source_status.startswith("study"):
            assert "harm_reduction" in (c.note or ""), c.id


def test_codebook_study_harm_reduction_candidates(books):
    flagged = {c.id for c in books["roles"].flagged("harm_reduction")}
    # domain.md 2.4's candidate set among the study's roles
    assert {
        "target-violent-exploitative",
        "prioritise-harmful-drugs",
        "protect-safeguard-vulnerable",
        "reduce-market-harms",
        "protect-victims",
        "trauma-informed",
        "divert-to-support",
        "identify-support-at-risk",
    } <= flagged
    assert not flagged & {"enforce-drug-laws", "disrupt-ocgs", "gather-intelligence"}


# --- patterns really work ------
def _code_matches(nlp, code, text: str) -> bool:
    """Match like the tagger: phrases on LOWER and LEMMA; token patterns by Matcher."""
    from spacy.matcher import Matcher, PhraseMatcher

    doc = nlp(text)
    tokens = Matcher(nlp.vocab, validate=True)
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for i, p in enumerate(code.patterns):
        if isinstance(p, str):
            lower.add(str(i), [nlp.make_doc(p.lower())])
            lemma.add(str(i), [nlp(p)])
        else:
            tokens.add(str(i), [p])
    return any(m(doc) for m in (tokens, lower, lemma))


@pytest.mark.parametrize("name", NAMES)
def test_codebook_study_examples_matched_by_own_patterns(books, nlp, name):
    missed = [
        (c.id, ex)
        for c in books[name]
        for ex in c.examples
        if not _code_matches(nlp, c, ex)
    ]
    assert not missed


def test_codebook_study_lemma_pattern_matches_inflection(books, nlp):
    code = books["roles"]["enforce-drug-laws"]
    assert _code_matches(nlp, code, "They seized two kilos.")  # seized -> seize
    assert not _code_matches(nlp, code, "We had a cup of tea.")


def test_codebook_study_render_contains_each_definition(books):
    cb = Codebook.combine(*(books[n] for n in NAMES))
    md, page = cb.to_markdown(), cb.to_html()
    for c in cb:
        assert c.definition.strip() in md
        assert html.escape(c.label) in page
