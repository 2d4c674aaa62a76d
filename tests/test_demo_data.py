"""The bundled FICTIONAL demo corpus: imports, attributes, anchored codings, codes."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

import qualcode as qc
from qualcode.datasets import demo
from qualcode.errors import InvalidInputError, OffsetError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"
MAKE = DEMO / "_make"

EXPECTED_FORMATS = {
    "INT01": "docx",
    "INT02": "docx",
    "INT03": "txt",
    "INT04": "txt",
    "INT05": "vtt",
    "INT06": "vtt",
    "INT07": "vtt",
    "INT08": "srt",
    "INT09": "txt",
    "INT10": "txt",
    "northvale_drugs_strategy": "pdf",
}
INTERVIEWS = [i for i, f in EXPECTED_FORMATS.items() if f != "pdf"]
RANK_BANDS = {"constable/sergeant", "inspector/chief inspector", "superintendent+"}
ROLES = {"police officer", "police staff", "partner"}


@pytest.fixture(scope="module")
def corpus():
    return qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")


@pytest.fixture(scope="module")
def codings(corpus):
    return demo.demo_codings(corpus)


@pytest.fixture(scope="module")
def codebook():
    books = [
        qc.Codebook.load(ROOT / "codebooks" / f"{n}.yaml")
        for n in ("roles", "harms", "culture")
    ]
    return qc.Codebook.combine(*books)


def _csv_rows(coder: str) -> list[dict[str, str]]:
    with demo.demo_codings_path(coder).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- files ------------------------------------------------------------------------
def test_demo_data_every_file_imports_with_its_format(corpus):
    assert {t.id: t.format for t in corpus} == EXPECTED_FORMATS


def test_demo_data_paths_point_at_the_corpus():
    assert demo.demo_corpus_dir() == DEMO
    assert demo.demo_key_path() == DEMO / "pseudonym_key.csv"
    assert demo.demo_attributes_path() == DEMO / "attributes.csv"


@pytest.mark.parametrize("tid", INTERVIEWS)
def test_demo_data_interviews_have_interviewer_and_participant_turns(corpus, tid):
    roles = [t.role for t in corpus[tid].turns]
    assert roles.count("interviewer") >= 10 and roles.count("participant") >= 10


@pytest.mark.parametrize("tid", INTERVIEWS)
def test_demo_data_interviews_have_realistic_length(corpus, tid):
    words = sum(len(t.text.split()) for t in corpus[tid].turns if t.role is not None)
    assert 1200 <= words <= 2000


def test_demo_data_corpus_has_15k_words_or_more(corpus):
    assert sum(len(t.text.split()) for t in corpus) >= 15_000


@pytest.mark.parametrize("tid", list(EXPECTED_FORMATS))
def test_demo_data_every_file_says_it_is_fictional(corpus, tid):
    path = next(DEMO.glob(f"{tid}.*"))
    if path.suffix in (".docx", ".pdf"):
        text = corpus[tid].text
    else:
        text = path.read_text(encoding="utf-8")  # the .vtt notice is a NOTE block
    assert "FICTIONAL" in text


def test_demo_data_timed_formats_carry_times(corpus):
    for tid in ("INT02", "INT03", "INT05", "INT06", "INT07", "INT08", "INT09", "INT10"):
        turns = [t for t in corpus[tid].turns if t.role == "participant"]
        assert all(t.time_start is not None for t in turns), tid


# -- attributes -------------------------------------------------------------------
def test_demo_data_attributes_join_every_transcript(corpus):
    assert all(t.attributes.get("fictional") == "yes" for t in corpus)


def test_demo_data_attribute_roles_and_rank_bands_are_valid(corpus):
    for tid in INTERVIEWS:
        a = corpus[tid].attributes
        assert a["role"] in ROLES
        if a["role"] == "police officer":
            assert a["rank_band"] in RANK_BANDS
        else:
            assert a["rank_band"] is None


def test_demo_data_attributes_cover_all_roles_and_rank_bands(corpus):
    attrs = [corpus[tid].attributes for tid in INTERVIEWS]
    assert {a["role"] for a in attrs} == ROLES
    assert {a["rank_band"] for a in attrs if a["rank_band"]} == RANK_BANDS


def test_demo_data_attributes_appear_on_turns(corpus):
    turns = corpus.turns
    assert set(turns.loc[turns["transcript_id"] == "INT06", "participant_role"]) == {
        "police staff"
    }


# -- codings ----------------------------------------------------------------------
@pytest.mark.parametrize("coder", demo.DEMO_CODERS)
def test_demo_data_every_quote_anchors_exactly(corpus, codings, coder):
    rows = _csv_rows(coder)
    got = codings[codings["coder"] == coder]
    assert len(got) == len(rows)
    for row, (_, c) in zip(rows, got.iterrows(), strict=True):
        assert corpus[c["transcript_id"]].text[c["start"] : c["end"]] == row["quote"]


def test_demo_data_codings_lie_in_participant_turns(corpus, codings):
    for _, c in codings.iterrows():
        turn = corpus[c["transcript_id"]].turn_at(int(c["start"]))
        assert turn is not None and turn.role == "participant" and c["end"] <= turn.end


def test_demo_data_every_code_exists_in_the_codebooks(codings, codebook):
    unknown = sorted(c for c in set(codings["code"]) if c not in codebook)
    assert unknown == []


def test_demo_data_codings_use_all_three_codebooks(codings, codebook):
    books = {codebook.root_of(code).id for code in set(codings["code"])}
    assert {"pursue", "protect", "prevent", "prepare"} <= books
    assert {"harm-exploitation", "change-triggers", "defining-success"} <= books


def test_demo_data_codings_have_the_input_columns(codings):
    assert list(codings.columns) == [
        "transcript_id",
        "start",
        "end",
        "code",
        "coder",
        "memo",
        "origin",
    ]
    assert set(codings["origin"]) == {"manual"}
    assert codings["memo"].notna().sum() >= 5


def test_demo_data_second_coder_agrees_only_partly(codings):
    keys = {
        coder: set(
            map(tuple, g[["transcript_id", "start", "end", "code"]].to_numpy().tolist())
        )
        for coder, g in codings.groupby("coder")
    }
    exact = len(keys["AB"] & keys["CD"]) / len(keys["AB"])
    assert 0.35 <= exact <= 0.85


def test_demo_data_every_transcript_is_coded_by_both_coders(codings):
    for _coder, g in codings.groupby("coder"):
        assert set(g["transcript_id"]) == set(INTERVIEWS)


# -- the pseudonymisation key -------------------------------------------------------
def _key_rows() -> list[dict[str, str]]:
    with demo.demo_key_path().open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_data_key_originals_all_occur_in_the_corpus(corpus):
    text = "\n".join(t.text for t in corpus)
    assert [r["original"] for r in _key_rows() if r["original"] not in text] == []


def test_demo_data_key_kinds_are_known():
    assert {r["kind"] for r in _key_rows()} <= {
        "person",
        "place",
        "operation",
        "organisation",
        "identifier",
    }


def test_demo_data_key_nested_names_share_a_pseudonym():
    key = {r["original"]: r["pseudonym"] for r in _key_rows()}
    assert key["Christina Marsh"] == key["Christina"]
    assert key["Okafor"] in key["DS Okafor"]
    assert key["Operation Larkspur"] == key["Larkspur"]


def test_demo_data_key_covers_the_identifier_shapes():
    originals = [r["original"] for r in _key_rows() if r["kind"] == "identifier"]
    assert any(
        re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", o) for o in originals
    )  # postcode
    assert any(re.fullmatch(r"07\d{3} \d{6}", o) for o in originals)  # mobile number
    assert any(
        re.fullmatch(r"[A-Z]{2}\d{2} [A-Z]{3}", o) for o in originals
    )  # vehicle registration


# -- the generators reproduce the committed codings -----------------------------------
def test_demo_data_generators_reproduce_the_codings_csvs():
    sys.path.insert(0, str(MAKE))
    try:
        import make_all
        from make_coder_cd import derive_cd
        from make_codings import ab_codings, load_codes
        from scripts import load_scripts
    finally:
        sys.path.remove(str(MAKE))
    scripts = load_scripts()
    known = load_codes()
    ab = ab_codings(scripts, known)
    by_id = {s.id: s for s in scripts}
    for coder, rows in (("AB", ab), ("CD", derive_cd(scripts, ab, known))):
        want = sorted(
            (
                c.transcript_id,
                c.code,
                by_id[c.transcript_id].turns[c.turn].text[c.start : c.end],
                str(make_all.occurrence(by_id[c.transcript_id], c)),
            )
            for c in rows
        )
        have = sorted(
            (r["transcript_id"], r["code"], r["quote"], r["occurrence"])
            for r in _csv_rows(coder)
        )
        assert want == have, coder


# -- error paths of demo_codings -----------------------------------------------------
def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "coder_ZZ.csv"
    p.write_text("transcript_id,code,quote,occurrence,memo\n" + body, encoding="utf-8")
    return p


def test_demo_codings_missing_quote_names_file_and_line(corpus, tmp_path):
    p = _write(
        tmp_path,
        "INT01,enforce-drug-laws,Honestly? Enforcement.,1,\n"
        "INT01,fight-crime,Not said,1,\n",
    )
    with pytest.raises(OffsetError, match=r"\[QC291\].*coder_ZZ\.csv, line 3.*INT01"):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_too_high_occurrence_raises(corpus, tmp_path):
    p = _write(tmp_path, "INT01,enforce-drug-laws,Honestly? Enforcement.,2,\n")
    with pytest.raises(OffsetError, match=r"\[QC291\].*line 2"):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_unknown_transcript_raises(corpus, tmp_path):
    p = _write(tmp_path, "INT99,enforce-drug-laws,Honestly,1,\n")
    with pytest.raises(InvalidInputError, match=r"\[QC292\].*line 2.*'INT99'"):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_bad_occurrence_raises(corpus, tmp_path):
    p = _write(tmp_path, "INT01,enforce-drug-laws,Honestly,0,\n")
    with pytest.raises(InvalidInputError, match=r"\[QC292\].*occurrence '0'"):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_missing_column_raises(corpus, tmp_path):
    p = tmp_path / "coder_ZZ.csv"
    p.write_text("transcript_id,code,text\nINT01,x,y\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=r"\[QC290\].*\['quote', 'occurrence'\]"
    ):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_quote_in_interviewer_turn_is_not_anchored(corpus, tmp_path):
    p = _write(
        tmp_path,
        "INT01,fight-crime,"
        "Could you start by telling me a bit about your current role,1,\n",
    )
    with pytest.raises(OffsetError, match=r"\[QC291\]"):
        demo.demo_codings(corpus, paths=[p])


def test_demo_codings_unknown_coder_raises():
    with pytest.raises(InvalidInputError, match="coder"):
        demo.demo_codings_path("ZZ")
