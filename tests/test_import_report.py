"""qualcode.import_report: what an import understood, per transcript and speaker
(issue 17), and the files a folder import skipped."""

from __future__ import annotations

import pytest

import qualcode as qc
from qualcode._columns import IMPORT_REPORT, names
from qualcode.errors import ImportWarning_


@pytest.fixture()
def exports(tmp_path):
    """A folder of mixed real-style exports."""
    d = tmp_path / "exports"
    d.mkdir()
    (d / "zoom01.vtt").write_text(
        "WEBVTT\n\n"
        "1\n00:00:01.000 --> 00:00:03.000\nsam reid: How long have you served?\n\n"
        "2\n00:00:03.500 --> 00:00:06.000\njane doe: Twelve years, in response.\n\n"
        "3\n00:00:06.500 --> 00:00:08.000\nsam reid: Thanks.\n"
    )
    (d / "pod02.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\n[Sam Reid] Ready?\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\n[Alex Khan] Yes, go ahead.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\n[Sam Reid] Good.\n"
    )
    (d / "fg03.txt").write_text(
        "Interviewer: Who is here?\n"
        "Note: two arrived late.\n"
        "Respondent1: I am.\n"
        "Respondent3: Me too.\n"
        "Respondent3 b: And me.\n"
        "Respondent1: Done.\n"
        "Respondent3: Done.\n"
    )
    (d / "otter04.txt").write_text(
        "Drugs policing interview\nThu, 3/7 10:02AM - 31:04\n\n"
        "Speaker 1  0:03\nHow long have you served?\n\n"
        "Speaker 2  0:09\nTwelve years.\n\n"
        "Speaker 1  0:15\nThanks.\n\n"
        "Transcribed by https://otter.ai\n"
    )
    (d / "memo05.txt").write_text("Notes from the visit.\n\nNothing to add.\n")
    return d


def test_issue17_import_report_one_row_per_transcript_and_speaker(exports):
    report = qc.import_report(qc.read_corpus(exports))
    assert list(report.columns) == names(IMPORT_REPORT)
    rows = {
        (r.transcript_id, r.speaker if isinstance(r.speaker, str) else None): r
        for r in report.itertuples()
    }
    assert rows[("zoom01", "sam reid")].turns == 2
    assert rows[("zoom01", "jane doe")].words == 4
    assert rows[("zoom01", "jane doe")].format == "vtt"
    assert rows[("zoom01", "jane doe")].encoding == "utf-8"
    assert bool(rows[("zoom01", "jane doe")].has_times)
    assert rows[("pod02", "Alex Khan")].role == "participant"
    assert rows[("fg03", "Interviewer")].role == "interviewer"
    assert rows[("fg03", "Respondent3 b")].turns == 1
    assert not bool(rows[("fg03", "Interviewer")].has_times)
    assert rows[("otter04", "Speaker 2")].turns == 1


def test_issue17_import_report_lists_unused_label_lines(exports):
    report = qc.import_report(qc.read_corpus(exports))
    fg = report[report.transcript_id == "fg03"]
    assert set(fg.unused_labels) == {"Note (line 2)"}
    zoom = report[report.transcript_id == "zoom01"]
    assert zoom.unused_labels.isna().all()


def test_issue17_import_report_flags_transcripts_without_speakers(exports):
    report = qc.import_report(qc.read_corpus(exports))
    memo = report[report.transcript_id == "memo05"]
    assert len(memo) == 1 and memo.speaker.isna().all()
    assert "no speaker" in memo.note.iloc[0]
    assert memo.turns.iloc[0] == 2


@pytest.mark.parametrize(
    ("name", "how"),
    [("int06.doc", "save it as .docx"), ("int07.rtf", ".docx"), ("int08.odt", ".docx")],
)
def test_issue17_folder_import_names_skipped_files_and_how_to_convert(
    exports, name, how
):
    (exports / name).write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.warns(ImportWarning_, match=rf"\[QC234\].*{name}.*{how}"):
        corpus = qc.read_corpus(exports)
    assert [p for p, _ in corpus.skipped] == [str(exports / name)]
    report = qc.import_report(corpus)
    row = report[report.source == str(exports / name)]
    assert row.note.iloc[0].startswith("skipped") and row.turns.iloc[0] == 0


def test_import_report_skipped_by_on_error_is_listed(exports):
    (exports / "broken.vtt").write_text("no header\n\nno cues\n")
    with pytest.warns(ImportWarning_, match=r"\[QC221\]"):
        corpus = qc.read_corpus(exports, on_error="skip")
    assert [p for p, _ in corpus.skipped] == [str(exports / "broken.vtt")]
    assert "broken" in set(qc.import_report(corpus).transcript_id)


def test_import_report_notes_repaired_bytes(tmp_path):
    p = tmp_path / "int09.txt"
    p.write_bytes(
        "I: Zoë?\nP1: Yes \x92quite\x92.\n".encode().replace(b"\xc2\x92", b"\x92")
    )
    with pytest.warns(ImportWarning_, match=r"QC228"):
        corpus = qc.read_corpus([p])
    notes = set(qc.import_report(corpus).note)
    assert notes == {"line 2: bytes not valid UTF-8 read as Windows-1252"}


def test_import_report_from_a_project(exports, tmp_path):
    corpus = qc.read_corpus(exports)
    project = qc.Project(tmp_path / "p.qcproj")
    project.add_transcripts(corpus)
    report = qc.import_report(project)
    assert list(report.columns) == names(IMPORT_REPORT)
    rows = report[
        (report.transcript_id == "fg03") & (report.speaker == "Respondent3 b")
    ]
    assert rows.turns.tolist() == [1] and rows.format.tolist() == ["txt"]
    assert set(report.transcript_id) == set(corpus.ids)


def test_import_report_empty_corpus_has_the_schema():
    report = qc.import_report(qc.Corpus())
    assert list(report.columns) == names(IMPORT_REPORT) and len(report) == 0


def test_import_report_bad_input():
    with pytest.raises(qc.InvalidInputError):
        qc.import_report("exports/")
