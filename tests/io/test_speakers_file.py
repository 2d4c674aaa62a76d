"""Saying who interviewed: a speakers file for a whole corpus (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode import read_corpus, read_transcript
from qualcode.errors import ImportFormatError, ImportWarning_
from qualcode.io import SpeakerTable, read_speakers

TEAMS = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\n<v Sam Reid>How long have you served?</v>\n\n"
    "00:00:03.500 --> 00:00:05.000\n<v {who}>Twelve years.</v>\n"
)


@pytest.fixture()
def teams_folder(tmp_path):
    d = tmp_path / "teams"
    d.mkdir()
    (d / "int01.vtt").write_text(TEAMS.format(who="Alex Khan"))
    (d / "int02.vtt").write_text(TEAMS.format(who="Jo Bell"))
    return d


def test_issue17_teams_interviewer_is_a_participant_without_a_mapping(teams_folder):
    corpus = read_corpus(teams_folder)
    assert corpus["int01"].turns[0].role == "participant"  # names carry no role


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_issue17_speakers_file_sets_roles_for_the_corpus(
    teams_folder, tmp_path, suffix
):
    path = tmp_path / f"speakers{suffix}"
    rows = pd.DataFrame(
        {
            "label": ["Sam Reid", "Jo Bell"],
            "name": [None, "P2"],
            "role": ["interviewer", None],
        }
    )
    if suffix == ".csv":
        rows.to_csv(path, index=False)
    elif suffix == ".xlsx":
        rows.to_excel(path, index=False)
    else:
        path.write_text(
            "speakers:\n"
            "  - {label: Sam Reid, role: interviewer}\n"
            "  - {label: Jo Bell, name: P2}\n"
        )
    corpus = read_corpus(teams_folder, speakers=path)
    assert [(u.speaker, u.role) for u in corpus["int01"].turns] == [
        ("Sam Reid", "interviewer"),
        ("Alex Khan", "participant"),
    ]
    assert [(u.speaker, u.role) for u in corpus["int02"].turns] == [
        ("Sam Reid", "interviewer"),
        ("P2", "participant"),
    ]


def test_issue17_speakers_file_rows_for_one_transcript(teams_folder, tmp_path):
    path = tmp_path / "speakers.csv"
    path.write_text(
        "transcript_id,label,name,role\n"
        ",Sam Reid,,interviewer\n"
        "int02,Sam Reid,,participant\n"
    )
    corpus = read_corpus(teams_folder, speakers=path)
    assert corpus["int01"].turns[0].role == "interviewer"
    assert corpus["int02"].turns[0].role == "participant"  # the specific row wins


def test_speakers_file_yaml_mapping_form(teams_folder, tmp_path):
    path = tmp_path / "speakers.yml"
    path.write_text("Sam Reid: interviewer\nAlex Khan: {name: P1}\n")
    t = read_transcript(teams_folder / "int01.vtt", speakers=path)
    assert [(u.speaker, u.role) for u in t.turns] == [
        ("Sam Reid", "interviewer"),
        ("P1", "participant"),
    ]


def test_speakers_file_read_speakers_is_public(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("label,role\nSam Reid,interviewer\n")
    table = read_speakers(path)
    assert isinstance(table, SpeakerTable)
    assert table.for_transcript("any") == {"Sam Reid": {"role": "interviewer"}}


def test_speakers_file_unused_rows_warn_by_line(teams_folder, tmp_path):
    path = tmp_path / "speakers.csv"
    path.write_text("label,role\nSam Reid,interviewer\nSam Reed,interviewer\n")
    with pytest.warns(ImportWarning_, match=r"speakers\.csv.*line 3") as rec:
        read_corpus(teams_folder, speakers=path)
    assert "Sam Reed" not in str(rec[0].message)


@pytest.mark.parametrize(
    ("content", "line", "what"),
    [
        ("label,role\nSam Reid,boss\n", 2, "role"),
        ("name,role\nSam Reid,interviewer\n", 1, "label"),
        ("label,name,role\n,P1,participant\n", 2, "label"),
        ("label,name,role\nSam Reid,,\n", 2, "name nor a role"),
        ("label,role\nSam Reid,interviewer\nSam Reid,participant\n", 3, "twice"),
    ],
    ids=["bad-role", "no-label-column", "empty-label", "nothing-given", "duplicate"],
)
def test_speakers_file_errors_name_file_and_line(tmp_path, content, line, what):
    path = tmp_path / "speakers.csv"
    path.write_text(content)
    with pytest.raises(
        ImportFormatError, match=rf"\[QC23[2-9]\].*speakers\.csv, line {line}.*{what}"
    ):
        read_speakers(path)


def test_speakers_file_yaml_aliases_refused(tmp_path):
    path = tmp_path / "speakers.yaml"
    path.write_text("a: &x interviewer\nb: *x\n")
    with pytest.raises(ImportFormatError, match=r"alias"):
        read_speakers(path)


def test_speakers_file_unknown_suffix(tmp_path):
    path = tmp_path / "speakers.json"
    path.write_text("{}")
    with pytest.raises(ImportFormatError, match=r"\.csv.*\.yaml"):
        read_speakers(path)
