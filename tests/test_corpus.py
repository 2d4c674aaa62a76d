"""read_corpus and Corpus: paths, ids, attributes, DataFrame views, summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from qualcode import Corpus, read_corpus
from qualcode._columns import TURNS, names
from qualcode.errors import ImportFormatError, ImportWarning_, InvalidInputError
from qualcode.model import Transcript, TurnDraft

DATA_IO = Path(__file__).parent / "data" / "io"

ATTRS = (
    "transcript_id,organisation,role,rank_band,years_service\n"
    "int01,Force A,police officer,constable/sergeant,11\n"
    "int02,Force A,police staff,,4\n"
    "int10,Drug and alcohol service,partner,,\n"
)


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "int01.txt").write_text("I: Role?\nP1: Sergeant, neighbourhoods.\n")
    (d / "int02.txt").write_text("Q: And you?\nA: Analyst. [inaudible]\n")
    shutil.copy(DATA_IO / "zoom.vtt", d / "int10.vtt")
    (d / "attributes.csv").write_text(ATTRS)
    (d / "README.md").write_text("# fictional corpus")
    (d / "README.txt").write_text("About this folder: not a transcript.")
    (d / "~$int01.docx").write_bytes(b"lock")
    (d / ".hidden.txt").write_text("I: no\n")
    return d


def test_corpus_folder_reads_transcripts_only(folder):
    assert read_corpus(folder).ids == ["int01", "int02", "int10"]


def test_corpus_natural_order(tmp_path):
    for name in ("int10", "int2", "int1"):
        (tmp_path / f"{name}.txt").write_text("I: x\nP: y\n")
    assert read_corpus(tmp_path).ids == ["int1", "int2", "int10"]


def test_corpus_glob(folder):
    assert read_corpus(str(folder / "int0*.txt")).ids == ["int01", "int02"]


def test_corpus_list_keeps_order(folder):
    assert read_corpus([folder / "int10.vtt", folder / "int01.txt"]).ids == [
        "int10",
        "int01",
    ]


def test_corpus_list_with_unknown_suffix_is_error(folder):
    with pytest.raises(ImportFormatError, match=r"\[QC203\].*attributes\.csv"):
        read_corpus([folder / "int01.txt", folder / "attributes.csv"])


def test_corpus_mapping_sets_ids(folder):
    c = read_corpus({"A": folder / "int01.txt", "B": folder / "int02.txt"})
    assert c.ids == ["A", "B"] and c["A"].source.endswith("int01.txt")


def test_corpus_duplicate_ids_name_both_files(folder):
    (folder / "int01.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHi.\n")
    with pytest.raises(
        ImportFormatError,
        match=r"\[QC205\].*'int01'.*int01\.srt.*int01\.txt|"
        r"\[QC205\].*'int01'.*int01\.txt.*int01\.srt",
    ):
        read_corpus(folder)


def test_corpus_recursive(folder):
    sub = folder / "site-b"
    sub.mkdir()
    (sub / "int20.txt").write_text("I: x\nP: y\n")
    assert (
        "int20" not in read_corpus(folder).ids
        and "int20" in read_corpus(folder, recursive=True).ids
    )


def test_corpus_no_files(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(ImportFormatError, match=r"\[QC208\]"):
        read_corpus(tmp_path)


def test_corpus_missing_path(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC201\]"):
        read_corpus(tmp_path / "nope")


def test_corpus_bad_file_raises_by_default(folder):
    (folder / "int03.vtt").write_text(
        "WEBVTT\n\n00:00:0x.000 --> 00:00:01.000\nBroken.\n"
    )
    with pytest.raises(ImportFormatError, match=r"int03\.vtt, line 3"):
        read_corpus(folder)


def test_corpus_on_error_skip_warns(folder):
    (folder / "int03.vtt").write_text(
        "WEBVTT\n\n00:00:0x.000 --> 00:00:01.000\nBroken.\n"
    )
    with pytest.warns(ImportWarning_, match=r"\[QC221\].*int03\.vtt"):
        c = read_corpus(folder, on_error="skip")
    assert "int03" not in c


def test_corpus_attributes_joined(folder):
    c = read_corpus(folder, attributes=folder / "attributes.csv")
    assert dict(c["int01"].attributes) == {
        "organisation": "Force A",
        "role": "police officer",
        "rank_band": "constable/sergeant",
        "years_service": 11,
    }
    assert c["int10"].attributes["rank_band"] is None


def test_corpus_turns_columns(folder):
    turns = read_corpus(folder, attributes=folder / "attributes.csv").turns
    assert list(turns.columns) == names(TURNS) + [
        "organisation",
        "participant_role",
        "rank_band",
        "years_service",
    ]
    assert turns.loc[
        turns.transcript_id == "int02", "participant_role"
    ].unique().tolist() == ["police staff"]


def test_corpus_turns_text_matches_offsets(folder):
    c = read_corpus(folder)
    turns = c.turns
    assert all(
        c[r.transcript_id].text[r.start : r.end] == r.text for r in turns.itertuples()
    )


def test_corpus_attributes_frame(folder):
    a = read_corpus(folder, attributes=folder / "attributes.csv").attributes
    assert list(a.columns) == [
        "transcript_id",
        "organisation",
        "role",
        "rank_band",
        "years_service",
    ]
    assert a["role"].tolist() == ["police officer", "police staff", "partner"]


def test_corpus_attributes_id_column_and_string_ids(tmp_path):
    (tmp_path / "007.txt").write_text("I: x\nP: y\n")
    c = read_corpus(
        tmp_path, attributes=pd.DataFrame({"id": ["007"], "organisation": ["Force C"]})
    )
    assert c["007"].attributes == {"organisation": "Force C"}


def test_corpus_attributes_csv_keeps_leading_zero_ids(tmp_path):
    (tmp_path / "007.txt").write_text("I: x\nP: y\n")
    (tmp_path / "a.csv").write_text("id,organisation\n007,Force C\n")
    assert (
        read_corpus(tmp_path, attributes=tmp_path / "a.csv")["007"].attributes[
            "organisation"
        ]
        == "Force C"
    )


def test_corpus_attributes_xlsx(folder, tmp_path):
    xlsx = tmp_path / "attrs.xlsx"
    pd.read_csv(folder / "attributes.csv", dtype=str).to_excel(xlsx, index=False)
    c = read_corpus(folder, attributes=xlsx)
    assert c["int02"].attributes["role"] == "police staff"


def test_corpus_attributes_cp1252_csv(folder, tmp_path):
    p = tmp_path / "win.csv"
    p.write_bytes("transcript_id,organisation\nint01,Café Outreach\n".encode("cp1252"))
    assert (
        read_corpus(folder, attributes=p)["int01"].attributes["organisation"]
        == "Café Outreach"
    )


def test_corpus_transcripts_without_attributes_keep_empty(folder, tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("transcript_id,organisation\nint01,Force A\n")
    c = read_corpus(folder, attributes=p)
    assert (
        dict(c["int02"].attributes) == {} and c.turns["organisation"].isna().sum() > 0
    )


def test_corpus_attribute_rows_for_unknown_transcripts_warn(folder, tmp_path):
    p = tmp_path / "extra.csv"
    p.write_text("transcript_id,organisation\nint01,Force A\nint99,Force Z\n")
    with pytest.warns(ImportWarning_, match=r"\[QC223\].*1 row.*int99"):
        read_corpus(folder, attributes=p)


@pytest.mark.parametrize(
    "csv,code",
    [
        ("name,organisation\nint01,Force A\n", "QC224"),
        ("id,organisation\nint01,A\nint01,B\n", "QC225"),
        ("id,organisation\n,Force A\n", "QC227"),
        ('id,organisation\n"int01,Force A\n', "QC226"),
    ],
    ids=["no-key", "duplicate", "empty-id", "unparsable"],
)
def test_corpus_attribute_table_errors(folder, tmp_path, csv, code):
    p = tmp_path / "bad.csv"
    p.write_text(csv)
    with pytest.raises(ImportFormatError, match=rf"\[{code}\]"):
        read_corpus(folder, attributes=p)


def test_corpus_attributes_bad_type(folder):
    with pytest.raises(InvalidInputError, match=r"'attributes'"):
        read_corpus(folder, attributes=42)


def test_corpus_speakers_passed_to_every_file(folder):
    c = read_corpus(folder, speakers={"Insp Jo Patel": {"name": "P10"}})
    assert "P10" in c["int10"].speakers


def test_corpus_container_protocol(folder):
    c = read_corpus(folder)
    assert (
        len(c) == 3 and [t.id for t in c] == c.ids and "int02" in c and "nope" not in c
    )
    assert isinstance(c["int02"], Transcript)


def test_corpus_unknown_id_message(folder):
    with pytest.raises(KeyError, match=r"Unknown transcript id 'nope'.*'int01'"):
        read_corpus(folder)["nope"]


def test_corpus_summary(folder):
    s = read_corpus(folder).summary().set_index("transcript_id")
    assert s.loc[
        "int01",
        ["turns", "speakers", "words_interviewer", "words_participant", "words_other"],
    ].tolist() == [2, 2, 1, 2, 0]
    assert pd.isna(s.loc["int01", "duration"]) and s.loc[
        "int10", "duration"
    ] == pytest.approx(14.5)


def test_corpus_from_transcripts_rejects_duplicates():
    t = Transcript.build("x", [TurnDraft("Hi.")])
    with pytest.raises(InvalidInputError, match=r"\[QC205\].*'x'"):
        Corpus.from_transcripts([t, t])


def test_corpus_empty_views_have_schema():
    c = Corpus.from_transcripts([])
    assert list(c.turns.columns) == names(TURNS) and len(c.summary()) == 0


def test_corpus_with_attributes(folder):
    c = read_corpus(folder).with_attributes({"int01": {"organisation": "Force A"}})
    assert (
        c["int01"].attributes["organisation"] == "Force A"
        and dict(c["int02"].attributes) == {}
    )


def test_corpus_bad_on_error(folder):
    with pytest.raises(InvalidInputError, match=r"'on_error'"):
        read_corpus(folder, on_error="ignore")


def test_corpus_demo_corpus_reads_cleanly(root):
    demo = root / "corpora" / "demo"
    if not (demo / "attributes.csv").is_file():
        pytest.skip("corpora/demo not present")
    c = read_corpus(demo, attributes=demo / "attributes.csv")
    assert {t.format for t in c} >= {"docx", "txt", "vtt", "srt", "pdf"}
    for t in c:
        roles = {u.role for u in t.turns if u.speaker is not None}
        if t.format == "pdf":
            assert t.speakers == () and roles == set()
        else:  # one interviewer and one participant per interview
            assert roles == {"interviewer", "participant"}, t.id
            assert len(t.speakers) == 2, (t.id, t.speakers)
        assert dict(t.attributes), f"{t.id} has no attributes row"
