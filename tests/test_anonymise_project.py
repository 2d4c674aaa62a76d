"""Pseudonymising a project (offsets, memos, raw SQLite bytes) and the leak check."""

from __future__ import annotations

import sqlite3
import zipfile

import pandas as pd
import pytest

import qualcode as qc
from qualcode.anonymise import PseudonymKey, check_leaks, pseudonymise
from qualcode.errors import InvalidInputError, OffsetError, StoreError
from qualcode.model import Transcript, TurnDraft
from qualcode.store import Project

KEY = PseudonymKey(
    [
        ("Christina Marsh", "Person A", "person"),
        ("Christina", "Person A", "person"),
        ("Smith", "Person B", "person"),
        ("Kestrel Park", "Estate 1", "place"),
        ("Larkspur", "Operation A", "operation"),
    ]
)
ORIGINALS = ["Christina", "Marsh", "Smith", "Kestrel", "Larkspur"]


def _transcripts():
    t1 = Transcript.build(
        "Smith_int01",
        [
            TurnDraft(
                "Tell me about Operation Larkspur.", "Interviewer", "interviewer"
            ),
            TurnDraft(
                "Larkspur hit Kestrel Park hard. Christina Marsh ran it with DS Smith. "
                "Smith's team made arrests.",
                "Christina Marsh",
                "participant",
            ),
        ],
        attributes={"organisation": "Force A", "role": "police officer"},
        source="/study/Christina Marsh/int01.docx",
        format="docx",
    )
    t2 = Transcript.build(
        "int02",
        [
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft(
                "We divert people into treatment. Smith agrees.", "P2", "participant"
            ),
        ],
        attributes={"organisation": "Council", "role": "partner"},
    )
    return [t1, t2]


def _span(t, quote):
    s = t.text.index(quote)
    return s, s + len(quote)


@pytest.fixture()
def project(tmp_path):
    t1, t2 = _transcripts()
    p = Project(tmp_path / "study.qcproj")
    p.add_transcripts([t1, t2])
    rows = []
    for tid, t, quote, code, memo in [
        (
            "Smith_int01",
            t1,
            "Larkspur hit Kestrel Park hard.",
            "pursue",
            "Smith's view",
        ),
        ("Smith_int01", t1, "Christina Marsh ran it", "lead", None),
        ("Smith_int01", t1, "Christina", "lead", "first name only"),
        ("Smith_int01", t1, "Smith's team made arrests.", "pursue", None),
        (
            "int02",
            t2,
            "We divert people into treatment.",
            "divert",
            "about Kestrel Park",
        ),
    ]:
        s, e = _span(t, quote)
        rows.append(
            {
                "transcript_id": tid,
                "start": s,
                "end": e,
                "code": code,
                "coder": "AB",
                "memo": memo,
            }
        )
    p.add_codings(pd.DataFrame(rows))
    s, e = _span(t2, "Smith agrees.")
    p.add_coding("int02", s, e, "agree", "AB")
    p.log_decisions(
        pd.DataFrame(
            {
                "transcript_id": ["Smith_int01"],
                "start": [_span(t1, "Smith's team")[0]],
                "end": [_span(t1, "Smith's team")[1]],
                "code": ["pursue"],
                "coder": ["AB"],
                "decision": ["accepted"],
                "tagger": ["patterns"],
                "evidence": ["phrase 'Smith's team'"],
            }
        )
    )
    # the participant withdrew a sentence: its coding becomes an orphan quoting a name
    t2b = Transcript.build(
        "int02",
        [
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft("We divert people into treatment.", "P2", "participant"),
        ],
        attributes={"organisation": "Council", "role": "partner"},
    )
    p.add_transcripts([t2b])
    yield p
    p.close()


def _raw_bytes(path):
    out = b""
    for suffix in ("", "-wal", "-journal"):
        f = path.parent / (path.name + suffix)
        if f.is_file():
            out += f.read_bytes()
    return out.lower()


def test_anonymise_project_fixture_has_originals_in_raw_bytes(project):
    raw = _raw_bytes(project.path)
    assert all(o.lower().encode() in raw for o in ORIGINALS)


def test_anonymise_project_raw_sqlite_bytes_clean(project):
    pseudonymise(project, KEY)
    raw = _raw_bytes(project.path)
    for o in ORIGINALS:
        assert o.lower().encode() not in raw, o


def test_anonymise_project_codings_cover_same_words(project):
    before = project.codings().set_index("coding_id")
    pseudonymise(project, KEY)
    after = project.codings().set_index("coding_id")
    for cid, row in after.iterrows():
        assert (
            row["text"] == pseudonymise(before.loc[cid, "text"], KEY).corpus_or_project
        )


def test_anonymise_project_keeps_distinct_codings(project):
    n = len(project.codings())
    res = pseudonymise(project, KEY)
    # "Christina" and "Christina Marsh ran it" map to different spans: both kept
    assert res.summary["codings_merged"] == 0
    assert len(project.codings()) == n


def test_anonymise_project_merge_joins_memos(tmp_path):
    t = Transcript("t", "Ask Christina Marsh now.")
    with Project(tmp_path / "m.qcproj") as p:
        p.add_transcripts([t])
        p.add_coding("t", 4, 13, "x", "AB", memo="one")  # Christina
        p.add_coding("t", 4, 19, "x", "AB", memo="two")  # Christina Marsh
        res = pseudonymise(p, KEY)
        df = p.codings()
    assert res.summary["codings_merged"] == 1
    assert df[["text", "memo"]].values.tolist() == [["Person A", "one\ntwo"]]


def test_anonymise_project_memos_orphans_decisions_rewritten(project):
    pseudonymise(project, KEY)
    memos = " ".join(project.codings()["memo"].dropna())
    assert "Person B's view" in memos and "Estate 1" in memos
    assert project.orphans()["quote"].tolist() == ["Person B agrees."]
    assert project.decisions()["evidence"].tolist() == ["phrase 'Person B's team'"]


def test_anonymise_project_decision_offsets_move(project):
    pseudonymise(project, KEY)
    d = project.decisions().iloc[0]
    t = project.transcript(d["transcript_id"])
    assert t.text[d["start"] : d["end"]] == "Person B's team"


def test_anonymise_project_renames_ids_and_sources(project):
    pseudonymise(project, KEY)
    tr = project.transcripts
    assert tr["transcript_id"].tolist() == ["Person_B_int01", "int02"]
    assert tr["source"].tolist()[0] == "/study/Person A/int01.docx"
    assert set(project.orphans()["transcript_id"]) == {"int02"}


def test_anonymise_project_speakers_replaced(project):
    pseudonymise(project, KEY)
    t = project.transcript("Person_B_int01")
    assert t.turns[1].speaker == "Person A"


def test_anonymise_project_codebooks_left_alone(project):
    cb = qc.Codebook.from_dict(
        {
            "name": "roles",
            "version": "1",
            "codes": [
                {"id": c, "label": c, "examples": ["like Smith said"]}
                for c in ("pursue", "lead", "divert", "agree")
            ],
        }
    )
    project.set_codebook(cb)
    pseudonymise(project, KEY)
    assert list(project.codebook["pursue"].examples) == ["like Smith said"]


def test_anonymise_project_out_leaves_original_untouched(project, tmp_path):
    sha = project.transcripts["sha256"].tolist()
    res = pseudonymise(project, KEY, out=tmp_path / "shared.qcproj")
    try:
        assert project.transcripts["sha256"].tolist() == sha
        assert res.project.path == tmp_path / "shared.qcproj"
        raw = _raw_bytes(res.project.path)
        assert all(o.lower().encode() not in raw for o in ORIGINALS)
    finally:
        res.project.close()


def test_anonymise_project_out_must_be_new(project, tmp_path):
    (tmp_path / "taken.qcproj").write_bytes(b"")
    with pytest.raises(StoreError, match=r"\[QC807\].*taken\.qcproj"):
        pseudonymise(project, KEY, out=tmp_path / "taken.qcproj")


def test_anonymise_project_key_never_stored(project):
    pseudonymise(project, KEY)
    raw = _raw_bytes(project.path)
    assert b"pseudonym" not in raw.replace(b"pseudonymis", b"")  # no key table/column


def test_anonymise_replace_texts_bad_offsets_change_nothing(project):
    t = project.transcript("int02")
    sha = project.transcripts["sha256"].tolist()
    with pytest.raises(OffsetError):
        project.replace_texts([("int02", t, lambda s, e: (s, e + 10_000))])
    assert project.transcripts["sha256"].tolist() == sha


def test_anonymise_replace_texts_unknown_transcript(project):
    t = project.transcript("int02")
    with pytest.raises(StoreError, match=r"\[QC402\]"):
        project.replace_texts([("nope", t, lambda s, e: (s, e))])


def test_anonymise_replace_texts_rename_clash(project):
    t = project.transcript("Smith_int01")
    clash = Transcript("int02", t.text, t.turns)
    with pytest.raises(StoreError, match=r"\[QC808\].*'int02'"):
        project.replace_texts([("Smith_int01", clash, lambda s, e: (s, e))])


# --------------------------------------------------------------------------
# leak check
# --------------------------------------------------------------------------
FORMATS = [".xlsx", ".docx", ".html", ".csv", ".md", ".qdpx"]


def _export(project, path):
    if path.suffix == ".qdpx":
        return qc.write_qdpx(project, path)
    return qc.export_extracts(project, path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_anonymise_leak_check_finds_originals_in_export(project, tmp_path, suffix):
    out = _export(project, tmp_path / f"raw{suffix}")
    leaks = check_leaks(out, KEY)
    assert {"Christina Marsh", "Smith"} <= set(leaks["original"])


@pytest.mark.parametrize("suffix", FORMATS)
def test_anonymise_leak_check_clean_export_after_pseudonymise(
    project, tmp_path, suffix
):
    pseudonymise(project, KEY)
    out = _export(project, tmp_path / f"clean{suffix}")
    assert check_leaks(out, KEY).empty


def test_anonymise_leak_check_docx_name_split_across_runs(tmp_path):
    import docx

    d = docx.Document()
    para = d.add_paragraph("Quote from ")
    para.add_run("Chris").bold = True
    para.add_run("tina Marsh")
    d.save(tmp_path / "split.docx")
    leaks = check_leaks(tmp_path / "split.docx", KEY)
    hit = leaks[leaks["layer"] == "text"]
    assert hit[["location", "original"]].values.tolist() == [
        ["paragraph 1", "Christina Marsh"]
    ]


def test_anonymise_leak_check_docx_document_property(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("clean text")
    d.core_properties.author = "Smith"
    d.save(tmp_path / "prop.docx")
    leaks = check_leaks(tmp_path / "prop.docx", KEY)
    assert "document property author" in set(leaks["location"])
    assert "zip:docProps/core.xml" in set(leaks["location"])


def test_anonymise_leak_check_xlsx_cell_and_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Larkspur"
    ws["B3"] = "met at Kestrel Park"
    wb.save(tmp_path / "planted.xlsx")
    leaks = check_leaks(tmp_path / "planted.xlsx", KEY)
    text = leaks[leaks["layer"] == "text"]
    assert set(text["location"]) == {"sheet name 'Larkspur'", "Larkspur!B3"}


def test_anonymise_leak_check_html_character_references(tmp_path):
    p = tmp_path / "x.html"
    p.write_text(
        "<p>Person A met <b>Smi</b>&#116;h at Kestrel&nbsp;Park</p>", encoding="utf-8"
    )
    leaks = check_leaks(p, KEY)
    text = leaks[leaks["layer"] == "text"]
    assert sorted(text["original"]) == ["Kestrel Park", "Smith"]


def test_anonymise_leak_check_qdpx_escaped_xml(tmp_path, project):
    pseudonymise(project, KEY)
    clean = qc.write_qdpx(project, tmp_path / "a.qdpx")
    planted = tmp_path / "planted.qdpx"
    with zipfile.ZipFile(clean) as src, zipfile.ZipFile(planted, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "project.qde":
                data = data.replace(
                    b"</Project>",
                    b'<Notes><Note name="Larkspur">Chris&#x74;ina</Note></Notes>'
                    b"</Project>",
                )
            dst.writestr(info, data)
    leaks = check_leaks(planted, KEY)
    assert {"Christina", "Larkspur"} <= set(leaks["original"])
    assert leaks["location"].str.startswith("zip:project.qde").all()


@pytest.mark.parametrize("suffix", [".csv", ".md", ".txt"])
def test_anonymise_leak_check_text_reports_line(tmp_path, suffix):
    p = tmp_path / f"x{suffix}"
    p.write_text("clean\nclean\nthen smith spoke\n", encoding="utf-8")
    leaks = check_leaks(p, KEY)
    assert leaks[["location", "original", "pseudonym"]].values.tolist() == [
        ["line 3", "Smith", "Person B"]
    ]


def test_anonymise_leak_check_context_is_masked(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text(
        "We spoke to Christina Marsh and Smith at Kestrel Park about it.",
        encoding="utf-8",
    )
    leaks = check_leaks(p, KEY, context=20)
    for ctx in leaks["context"]:
        assert not any(o.lower() in ctx.lower() for o in ORIGINALS)
    assert "⟦person⟧" in leaks["context"].iloc[0]


def test_anonymise_leak_check_project_object_and_file(project):
    by_obj = check_leaks(project, KEY)
    by_path = check_leaks(project.path, KEY)
    assert len(by_obj) == len(by_path) > 0
    assert {"text", "raw"} == set(by_obj["layer"])


def test_anonymise_leak_check_project_clean_after_pseudonymise(project):
    pseudonymise(project, KEY)
    assert check_leaks(project, KEY).empty


def test_anonymise_leak_check_finds_text_left_in_free_pages(tmp_path):
    path = tmp_path / "p.qcproj"
    with Project(path) as p:
        p.add_transcripts([Transcript("t", "Smith was here. " * 2000)])
    con = sqlite3.connect(path)
    con.execute("PRAGMA secure_delete = OFF")  # as on builds without it
    con.execute("UPDATE transcripts SET text = 'clean'")
    con.commit()
    con.close()
    leaks = check_leaks(path, KEY)
    assert (leaks["layer"] == "raw").any() and not (leaks["layer"] == "text").any()


def test_anonymise_leak_check_folder(tmp_path):
    (tmp_path / "a.md").write_text("Smith")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("x,Larkspur\n")
    leaks = check_leaks(tmp_path, KEY)
    assert sorted(leaks["original"]) == ["Larkspur", "Smith"]


def test_anonymise_leak_check_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match=r"\[QC810\].*nope\.xlsx"):
        check_leaks(tmp_path / "nope.xlsx", KEY)


def test_anonymise_leak_check_detector_hits_are_masked(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("call 07700 900461")
    leaks = check_leaks(p, KEY)
    assert leaks[["kind", "original"]].values.tolist() == [
        ["phone number", "07**********"]
    ]


def test_anonymise_leak_check_bad_context(tmp_path):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*context"):
        check_leaks(tmp_path, KEY, context=-1)


# --------------------------------------------------------------------------
# the demo corpus
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_anonymise_demo_pseudonymises_cleanly(tmp_path):
    import warnings

    from qualcode.datasets import demo

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", qc.QualcodeWarning
        )  # importer notes on the demo files
        corpus = demo.demo_corpus()
    key = PseudonymKey.load(demo.demo_key_path())
    with Project(tmp_path / "demo.qcproj") as p:
        p.add_transcripts(corpus)
        p.add_codings(demo.demo_codings(corpus))
        before = p.codings()
        # INT08 links the demo recording, which cannot be pseudonymised (QC816)
        with pytest.warns(qc.errors.MediaWarning, match="QC816"):
            res = pseudonymise(p, key)
        after = p.codings()
        assert len(after) == len(before)
        assert res.summary["replacements"] >= len(key)
        written = [
            qc.export_extracts(after, tmp_path / f"extracts{s}")
            for s in (".xlsx", ".docx", ".html", ".md", ".csv")
        ]
        written.append(qc.write_qdpx(p, tmp_path / "demo.qdpx"))
        leaks = check_leaks([*written, p.path], key)
    assert leaks.empty, leaks[["path", "location", "original"]].head().to_string()


def test_anonymise_project_purges_free_pages(tmp_path):
    path = tmp_path / "p.qcproj"
    with Project(path) as p:
        p.add_transcripts(
            [
                Transcript("old", "Smith was here. " * 2000),
                Transcript("t", "Ask Smith."),
            ]
        )
    con = sqlite3.connect(path)
    con.execute("PRAGMA secure_delete = OFF")  # old text stays in free pages
    con.execute("DELETE FROM transcripts WHERE id = 'old'")
    con.commit()
    con.close()
    assert b"Smith was here" in path.read_bytes()
    with Project(path) as p:
        pseudonymise(p, KEY)
    assert b"smith" not in _raw_bytes(path)


def test_anonymise_project_purge_blocked_by_reader_is_reported(tmp_path):
    path = tmp_path / "p.qcproj"
    with Project(path, timeout=0.2) as p:
        p.add_transcripts([Transcript("t", "Ask Smith.")])
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        # holds a snapshot
        reader.execute("SELECT count(*) FROM transcripts").fetchone()
        try:
            with pytest.raises(StoreError, match=r"\[QC812\].*purge=True"):
                pseudonymise(p, KEY)
        finally:
            reader.close()
        assert p.transcript("t").text == "Ask Person B."  # the text itself was replaced
        p.replace_texts([], purge=True)  # and the purge can be finished later
    assert b"smith" not in _raw_bytes(path)


def test_anonymise_leak_check_pdf_page_text(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Clean page")
    pdf.add_page()
    pdf.cell(0, 10, "Then Kestrel Park was raided")
    pdf.output(str(tmp_path / "report.pdf"))
    leaks = check_leaks(tmp_path / "report.pdf", KEY)
    assert leaks[["location", "original"]].values.tolist() == [
        ["page 2", "Kestrel Park"]
    ]


# --------------------------------------------------------------------------
# issue 16.3: the shareable copy exists only once it is clean
# --------------------------------------------------------------------------
def _clash(project):
    # "Smith_int01" becomes "Person_B_int01": make that id taken, so the rewrite
    # fails half-way with QC808 after the copy was made
    t = Transcript.build("Person_B_int01", [TurnDraft("Other.", "P3", "participant")])
    project.add_transcripts([t])


def test_anonymise_project_out_error_leaves_no_copy(project, tmp_path):
    _clash(project)
    out = tmp_path / "shared" / "shared.qcproj"
    out.parent.mkdir()
    with pytest.raises(StoreError, match=r"\[QC808\]"):
        pseudonymise(project, KEY, out=out)
    assert list(out.parent.iterdir()) == []  # no out, no temporary copy


def test_anonymise_project_out_kill_leaves_no_file_named_out(
    project, tmp_path, monkeypatch
):
    out = tmp_path / "shared" / "shared.qcproj"
    out.parent.mkdir()
    seen = {}

    def killed(self, *a, **k):
        seen["files"] = sorted(p.name for p in out.parent.iterdir())
        raise KeyboardInterrupt  # as a kill between copy and rewrite

    monkeypatch.setattr(Project, "replace_texts", killed)
    with pytest.raises(KeyboardInterrupt):
        pseudonymise(project, KEY, out=out)
    # while the copy still held the originals, nothing was called shared.qcproj
    assert seen["files"] and "shared.qcproj" not in seen["files"]
    assert all(n.startswith(".shared.qcproj.") for n in seen["files"])
    assert not out.exists()


def test_anonymise_project_out_is_clean_and_complete(project, tmp_path):
    out = tmp_path / "shared.qcproj"
    res = pseudonymise(project, KEY, out=out)
    assert res.project.path == out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".shared")]
    assert len(res.project.codings()) == len(project.codings())
    assert check_leaks(out, KEY).empty
    res.project.close()


# --------------------------------------------------------------------------
# issue 22: in place, one snapshot for the whole operation
# --------------------------------------------------------------------------
def _meanwhile(monkeypatch, path, write):
    """Run ``write(other_project)`` in another connection while pseudonymise runs."""
    import importlib
    import threading
    import time

    ps_module = importlib.import_module("qualcode.anonymise.pseudonymise")

    real = ps_module.pseudonymise_transcript
    state = {}

    def other_writer():
        with Project(path, timeout=20) as other:
            write(other)
        state["done"] = time.monotonic()

    def slow(*a, **k):
        if "thread" not in state:
            state["thread"] = threading.Thread(target=other_writer)
            state["thread"].start()
            time.sleep(0.5)  # time enough for the other writer, unless it waits
        return real(*a, **k)

    monkeypatch.setattr(ps_module, "pseudonymise_transcript", slow)
    return state


def test_anonymise_project_add_meanwhile_waits_for_pseudonymise(project, monkeypatch):
    import time

    late = Transcript.build("late", [TurnDraft("Smith again.", "P9", "participant")])
    state = _meanwhile(monkeypatch, project.path, lambda o: o.add_transcripts([late]))
    res = pseudonymise(project, KEY)
    returned = time.monotonic()
    state["thread"].join()
    # the add happened after pseudonymise finished, never inside its run
    assert state["done"] > returned
    assert res.summary["transcripts"] == 2
    assert project.transcript("late").text.endswith("Smith again.")


def test_anonymise_project_reimport_meanwhile_is_not_overwritten(project, monkeypatch):
    fresh = Transcript.build(
        "Smith_int01",
        [TurnDraft("A new version, naming Larkspur.", "P1", "participant")],
    )
    state = _meanwhile(monkeypatch, project.path, lambda o: o.add_transcripts([fresh]))
    pseudonymise(project, KEY)
    state["thread"].join()
    # the re-import (after pseudonymise) stands beside the pseudonymised old
    # version; it was not overwritten with the pseudonymised old text
    assert project.transcript("Smith_int01").text == fresh.text
    assert "Larkspur" not in project.transcript("Person_B_int01").text


# --------------------------------------------------------------------------
# issue 17: in the demo's quote bank, one participant has one name
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_anonymise_demo_quote_bank_one_name_per_participant(tmp_path):
    import warnings

    from qualcode.datasets import demo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qc.QualcodeWarning)
        corpus = demo.demo_corpus()
    key = PseudonymKey.load(demo.demo_key_path())
    pseudonyms = {e.pseudonym for e in key}
    with Project(tmp_path / "demo.qcproj") as p:
        p.add_transcripts(corpus)
        p.add_codings(demo.demo_codings(corpus))
        with pytest.warns(qc.errors.MediaWarning, match="QC816"):  # INT08's audio
            res = pseudonymise(p, key)
        bank = pd.read_csv(qc.export_extracts(p, tmp_path / "bank.csv"))
    assert res.summary["participants_named_by_id"] > 0
    # "Person E" beside "P05" before: a participant's speaker is never a key
    # pseudonym when the row has a participant id
    named = bank[bank["participant"].notna() & bank["speaker"].isin(pseudonyms)]
    assert named.empty, named[["transcript", "speaker", "participant"]].head()
    int05 = bank[bank["transcript"] == "INT05"]
    assert set(int05["speaker"]) == {"P05"} == set(int05["participant"])


# --------------------------------------------------------------------------
# issue 21: coder names are names too
# --------------------------------------------------------------------------
def test_anonymise_project_coder_names_are_rewritten(project):
    project.add_coding("int02", 0, 3, "divert", "Christina")
    project.add_coding("int02", 0, 3, "divert", "Smith")
    res = pseudonymise(project, KEY)
    assert sorted(project.coders) == ["AB", "Person A", "Person B"]
    assert res.summary["coders_renamed"] == 2
    assert check_leaks(project, KEY).empty


def test_anonymise_project_coders_with_one_pseudonym_are_merged(project):
    project.add_coding("int02", 0, 3, "divert", "Christina")
    project.add_coding("int02", 0, 3, "divert", "Christina Marsh")
    pseudonymise(project, KEY)
    assert sorted(project.coders) == ["AB", "Person A"]
    assert len(project.codings(coder="Person A")) == 1  # the duplicate collapsed
    assert check_leaks(project, KEY).empty  # the change log holds no original


def test_pseudonymise_unlinks_recordings(tmp_path):
    """A recording holds the original voices and names: never carried over."""
    import warnings

    from qualcode.errors import MediaWarning
    from qualcode.model import Transcript, TurnDraft

    t = Transcript.build(
        "t1",
        [TurnDraft("Smith rang me.", "P1", "participant", 0.0, 2.0)],
        attributes={"media": "t1.opus", "force": "North"},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = qc.pseudonymise([t], {"Smith": "Person B"})
    (new,) = list(res.corpus_or_project)
    assert new.media is None and new.attributes == {"force": "North"}
    assert res.report["field"].tolist().count("media") == 1
    assert any(
        issubclass(w.category, MediaWarning) and "QC816" in str(w.message)
        for w in caught
    )
    with qc.Project(tmp_path / "p.qcproj") as p:
        p.add_transcripts([t])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MediaWarning)
            qc.pseudonymise(p, {"Smith": "Person B"})
        assert p.transcript("t1").media is None
