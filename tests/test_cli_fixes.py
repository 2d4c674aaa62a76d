"""``qualcode`` command-line fixes (issues 16, 17, 21), each with its own test.

Inputs are built inside each test (small projects, hostile files), so these run
fast; the demo-data tests live in tests/test_cli.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import qualcode as qc
from qualcode.cli import main

TINY_CODEBOOK = """\
name: Tiny
version: 1.0.0
codes:
  - id: arrest
    label: Arrest
    definition: Arresting people who deal drugs.
    patterns:
      - arrested
  - id: divert
    label: Divert
    definition: Diverting people who use drugs to treatment.
    patterns:
      - divert
"""

TRANSCRIPTS = {
    "int01": "Interviewer: What works?\n"
    'P1: =HYPERLINK("http://x","we arrested dealers")\n'
    "Interviewer: And diversion?\n"
    "P1: We divert people into treatment. We arrested two.\n",
    "int02": "Interviewer: Tell me more.\n"
    "P2: We divert young people.\n"
    "Interviewer: Arrests?\n"
    "P2: We arrested three dealers.\n",
}


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """The tiny transcripts (a folder) and codebook (a file)."""
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for tid, text in TRANSCRIPTS.items():
        (folder / f"{tid}.txt").write_text(text, encoding="utf-8")
    book = tmp_path / "tiny.yaml"
    book.write_text(TINY_CODEBOOK, encoding="utf-8")
    return folder, book


def _span(project: qc.Project, tid: str, turn: int, words: str) -> tuple[int, int]:
    t = project.transcript(tid)
    start = t.text.index(words, t.turns[turn].start)
    return start, start + len(words)


@pytest.fixture()
def small(tmp_path) -> Path:
    """A project: two transcripts, the tiny codebook, coders AB and CD."""
    folder, book = _files(tmp_path)
    path = tmp_path / "small.qcproj"
    with qc.Project(path) as project:
        project.set_codebook(qc.Codebook.load(book))
        project.add_transcripts(qc.read_corpus(folder))
        rows = []
        for coder, picks in {
            "AB": [
                ("int01", 1, "arrested dealers", "arrest"),
                ("int02", 1, "divert", "divert"),
            ],
            "CD": [
                ("int01", 1, "arrested dealers", "divert"),
                ("int02", 3, "arrested", "arrest"),
            ],
        }.items():
            for tid, turn, words, code in picks:
                start, end = _span(project, tid, turn, words)
                rows.append(
                    {
                        "transcript_id": tid,
                        "start": start,
                        "end": end,
                        "code": code,
                        "coder": coder,
                    }
                )
        project.add_codings(pd.DataFrame(rows))
    return path


def _key(tmp_path: Path) -> Path:
    key = tmp_path / "key.csv"
    key.write_text(
        "original,pseudonym,kind\nJane Moss,Person A,person\n", encoding="utf-8"
    )
    return key


# -- drift: transcripts are what qualcode.io reads -------------------------------
def test_cli_pseudonymise_reads_a_webvtt_file_as_a_transcript(capsys, tmp_path):
    src = tmp_path / "int01.webvtt"
    src.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
        "<v Interviewer>Who is Jane Moss?</v>\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v P1>Jane Moss runs the team.</v>\n",
        encoding="utf-8",
    )
    assert qc.read_transcript(src).id == "int01"  # the library reads it
    out = tmp_path / "shared"
    code, _, err = run(
        capsys, "pseudonymise", src, "--key", _key(tmp_path), "--out", out
    )
    assert code == 0, err
    text = (out / "int01.txt").read_text(encoding="utf-8")
    assert "Person A runs the team." in text and "Jane Moss" not in text


# -- issue 21: one table writer ------------------------------------------------------
def _no_pandas_writers(*args, **kwargs):
    raise AssertionError("a table was written with DataFrame.to_csv/to_excel")


TABLE_COMMANDS = {
    "suggest": ["suggest", "-p", "{p}", "--out", "{o}/s.csv"],
    "agreement": ["agreement", "-p", "{p}", "--n-boot", "0", "--out", "{o}/a.csv"],
    "disagreements": [
        "agreement",
        "-p",
        "{p}",
        "--n-boot",
        "0",
        "--disagreements",
        "{o}/d.csv",
    ],
    "leaks": ["leaks", "{p}", "--key", "{k}", "--out", "{o}/l.csv"],
    "pseudonymise": [
        "pseudonymise",
        "{t}",
        "--key",
        "{k}",
        "--out",
        "{o}/shared",
        "--report",
        "{o}/r.csv",
    ],
}


@pytest.mark.parametrize("command", list(TABLE_COMMANDS))
def test_cli_csv_tables_go_through_export_tables(capsys, monkeypatch, small, command):
    monkeypatch.setattr(pd.DataFrame, "to_csv", _no_pandas_writers)
    monkeypatch.setattr(pd.DataFrame, "to_excel", _no_pandas_writers)
    out = small.parent / "out"
    fields = {
        "p": small,
        "o": out,
        "k": _key(small.parent),
        "t": small.parent / "transcripts",
    }
    argv = [a.format(**fields) for a in TABLE_COMMANDS[command]]
    code, _, err = run(capsys, *argv)
    assert code in (0, 1) and "to_csv" not in err and "QC908" not in err, err
    written = [p for p in out.rglob("*.csv")]
    assert written, err
    for p in written:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # export_tables' UTF-8 BOM


def test_cli_disagreements_csv_never_holds_a_live_formula(capsys, small):
    out = small.parent / "d.csv"
    code, _, err = run(
        capsys, "agreement", "-p", small, "--n-boot", "0", "--disagreements", out
    )
    assert code == 0, err
    dis = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    texts = [str(v) for v in dis.to_numpy().ravel()]
    assert any(v.startswith("'=HYPERLINK") for v in texts)
    assert not any(v.startswith("=") for v in texts)


# -- issue 16.2: a filled sheet is never overwritten silently --------------------------
def _fill(path: Path, column: str, values: list[str]) -> None:
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    (name, df), *_ = sheets.items()
    df[column] = (values + [""] * len(df))[: len(df)]
    qc.export_tables({name: df}, path)


def test_cli_suggest_refuses_to_overwrite_filled_decisions(capsys, small):
    out = small.parent / "suggestions.xlsx"
    code, _, err = run(capsys, "suggest", "-p", small, "--out", out)
    assert code == 0, err
    _fill(out, "decision", ["accepted", "rejected"])
    before = out.read_bytes()
    code, _, err = run(capsys, "suggest", "-p", small, "--out", out)
    assert code == 1
    assert "[QC909]" in err and str(out) in err and "2 row(s)" in err
    assert "--force" in err and "qualcode review" in err
    assert out.read_bytes() == before


def test_cli_suggest_force_overwrites_filled_decisions(capsys, small):
    out = small.parent / "suggestions.xlsx"
    assert run(capsys, "suggest", "-p", small, "--out", out)[0] == 0
    _fill(out, "decision", ["accepted"])
    code, _, err = run(capsys, "suggest", "-p", small, "--out", out, "--force")
    assert code == 0, err
    assert pd.read_excel(out, dtype=str)["decision"].isna().all()


def test_cli_suggest_overwrites_a_sheet_with_no_decisions(capsys, small):
    out = small.parent / "suggestions.csv"
    assert run(capsys, "suggest", "-p", small, "--out", out)[0] == 0
    code, _, err = run(capsys, "suggest", "-p", small, "--out", out)
    assert code == 0, err


def test_cli_agreement_refuses_to_overwrite_filled_resolutions(capsys, small):
    out = small.parent / "todo.csv"
    argv = ["agreement", "-p", small, "--n-boot", "0", "--disagreements", out]
    assert run(capsys, *argv)[0] == 0
    dis = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    dis.loc[0, "resolution"] = "arrest"
    qc.export_tables(dis, out)
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert "[QC909]" in err and "1 row(s)" in err and "'resolution'" in err
    assert "qualcode resolve" in err
    assert run(capsys, *argv, "--force")[0] == 0


# -- issue 16.5: typos get a "did you mean", not a second coder or an empty file -------
def _decisions(capsys, small: Path) -> Path:
    out = small.parent / "suggestions.csv"
    assert run(capsys, "suggest", "-p", small, "--out", out)[0] == 0
    df = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    df["decision"] = "accepted"
    qc.export_tables(df, out)
    return out


def test_cli_review_a_mistyped_coder_exits_1_with_did_you_mean(capsys, small):
    decisions = _decisions(capsys, small)
    code, _, err = run(capsys, "review", decisions, "-p", small, "--coder", "ab")
    assert code == 1
    assert "[QC911]" in err and "did you mean 'AB'?" in err and "--new-coder" in err
    with qc.Project(small) as project:
        assert sorted(project.coders) == ["AB", "CD"]


def test_cli_review_new_coder_is_added_with_new_coder(capsys, small):
    decisions = _decisions(capsys, small)
    argv = ["review", decisions, "-p", small, "--coder", "EF", "--new-coder"]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    with qc.Project(small) as project:
        assert "EF" in project.coders


def test_cli_agreement_mistyped_coder_says_did_you_mean(capsys, small):
    code, _, err = run(capsys, "agreement", "-p", small, "--coders", "AB", "cd")
    assert code == 1
    assert "[QC905]" in err and "did you mean 'CD'?" in err


def test_cli_agreement_unknown_code_exits_1_with_did_you_mean(capsys, small):
    argv = ["agreement", "-p", small, "--n-boot", "0", "--codes", "arest"]
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert "'arest'" in err and "did you mean 'arrest'?" in err


@pytest.mark.parametrize(
    "option",
    [["--where", "role=nobody"], ["--where", "rol=participant"], ["--code", "arest"]],
    ids=["where-value", "where-attribute", "code"],
)
def test_cli_export_filters_matching_nothing_exit_1(capsys, small, option):
    out = small.parent / "bank.md"
    code, _, err = run(capsys, "export", "-p", small, "--out", out, *option)
    assert code == 1 and "error: [QC" in err and "Traceback" not in err
    assert not out.exists()


# -- issue 16.6: agreement says what its units are, and why there are none -----------
def _project_with(tmp_path: Path, texts: dict[str, str], picks: list[tuple]) -> Path:
    """A project of ``texts`` (id -> .txt text), codings (id, words, code, coder)."""
    folder = tmp_path / "texts"
    folder.mkdir()
    for tid, text in texts.items():
        (folder / f"{tid}.txt").write_text(text, encoding="utf-8")
    path = tmp_path / "p.qcproj"
    with qc.Project(path) as project:
        project.set_codebook(qc.Codebook.from_yaml(TINY_CODEBOOK))
        project.add_transcripts(qc.read_corpus(folder))
        rows = []
        for tid, words, code, coder in picks:
            start = project.transcript(tid).text.index(words)
            rows.append(
                {
                    "transcript_id": tid,
                    "start": start,
                    "end": start + len(words),
                    "code": code,
                    "coder": coder,
                }
            )
        project.add_codings(pd.DataFrame(rows))
    return path


def test_cli_agreement_without_speakers_warns_and_states_the_units(capsys, tmp_path):
    # a document with no speaker labels: its paragraphs are the turns
    path = _project_with(
        tmp_path,
        {"doc1": "We arrested dealers last year.\n\nWe divert people to treatment.\n"},
        [("doc1", "arrested", "arrest", "AB"), ("doc1", "divert", "divert", "CD")],
    )
    code, out, err = run(capsys, "agreement", "-p", path, "--n-boot", "0")
    assert code == 0, err
    assert "warning: [QC610]" in err and "doc1" in err
    assert "(none)" not in out
    units = next(x for x in out.splitlines() if x.startswith("units:"))
    assert units.startswith("units: 2 turns (participant turns; every turn where no")
    assert "in 1 transcript(s)" in units


def test_cli_agreement_with_nothing_to_compare_exits_1_saying_why(capsys, tmp_path):
    path = _project_with(
        tmp_path,
        {"int01": TRANSCRIPTS["int01"], "int02": TRANSCRIPTS["int02"]},
        [("int01", "arrested", "arrest", "AB"), ("int02", "arrested", "arrest", "CD")],
    )
    code, out, err = run(capsys, "agreement", "-p", path, "--n-boot", "0")
    assert code == 1 and out == ""
    assert "[QC912]" in err and "nothing to compare by turn" in err
    assert "no transcript is coded by two or more of them" in err
    assert "(AB, CD)" in err


# -- README walkthrough bug: an import that fails writes nothing -------------------
def test_cli_import_failing_codings_leave_no_new_project(capsys, tmp_path):
    folder, book = _files(tmp_path)
    codings = tmp_path / "coder_AB.csv"
    codings.write_text(
        "transcript_id,code,quote\nint02,not-in-the-codebook,We divert\n",
        encoding="utf-8",
    )
    project = tmp_path / "study.qcproj"
    argv = ["import", folder, "-p", project, "--codebook", book, "--codings", codings]
    code, _, err = run(capsys, *argv)
    assert code == 1 and "Nothing was written" in err
    assert not project.exists()  # the transcripts were not written either


def test_cli_import_failing_codings_leave_an_existing_project_as_it_was(
    capsys, tmp_path
):
    folder, book = _files(tmp_path)
    project = tmp_path / "study.qcproj"
    assert run(capsys, "import", folder, "-p", project, "--codebook", book)[0] == 0
    (folder / "int03.txt").write_text(
        "Interviewer: Hi?\nP3: Hello.\n", encoding="utf-8"
    )
    codings = tmp_path / "coder_AB.csv"
    codings.write_text(
        "transcript_id,code,quote\nint03,not-in-the-codebook,Hello\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "import", folder, "-p", project, "--codings", codings)
    assert code == 1 and "Nothing was written" in err
    with qc.Project(project) as p:
        assert p.transcript_ids() == ["int01", "int02"]


# -- issue 17: import tells what it understood ----------------------------------------
def test_cli_import_prints_what_it_understood_and_names_skipped_files(capsys, tmp_path):
    folder, _ = _files(tmp_path)
    (folder / "notes.txt").write_text("A memo.\n\nNo labels here.\n", encoding="utf-8")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    code, out, err = run(capsys, "import", folder, "-p", tmp_path / "p.qcproj")
    assert code == 0, err
    lines = out.splitlines()
    header = lines[lines.index(next(x for x in lines if "understood" in x)) + 1]
    assert header.split()[:6] == [
        "transcript_id",
        "format",
        "encoding",
        "speaker",
        "role",
        "turns",
    ]
    assert any(
        x.split()[:5] == ["int01", "txt", "utf-8", "P1", "participant"] for x in lines
    )
    assert any(
        x.startswith("skipped ") and "old.doc" in x and ".docx" in x for x in lines
    )
    assert any("without any speaker label: notes" in x for x in lines)


def test_cli_import_json_has_the_import_report(capsys, tmp_path):
    folder, _ = _files(tmp_path)
    code, out, err = run(
        capsys, "import", folder, "-p", tmp_path / "p.qcproj", "--json"
    )
    assert code == 0, err
    rows = json.loads(out)["import_report"]
    assert {(r["transcript_id"], r["speaker"], r["role"]) for r in rows} >= {
        ("int01", "P1", "participant"),
        ("int01", "Interviewer", "interviewer"),
    }


def test_cli_import_speakers_file_sets_roles_by_name(capsys, tmp_path):
    folder = tmp_path / "zoom"
    folder.mkdir()
    (folder / "int01.txt").write_text(
        "Sam Reid: What works?\nJo Bell: Diversion works.\n"
        "Sam Reid: And arrests?\nJo Bell: Less so.\n",
        encoding="utf-8",
    )
    speakers = tmp_path / "speakers.csv"
    speakers.write_text("label,name,role\nSam Reid,,interviewer\n", encoding="utf-8")
    project = tmp_path / "p.qcproj"
    code, _, err = run(capsys, "import", folder, "-p", project, "--speakers", speakers)
    assert code == 0, err
    with qc.Project(project) as p:
        roles = dict(zip(p.turns["speaker"], p.turns["role"], strict=True))
    assert roles == {"Sam Reid": "interviewer", "Jo Bell": "participant"}


def test_cli_import_again_with_new_speakers_says_roles_were_updated(capsys, tmp_path):
    folder, _ = _files(tmp_path)
    project = tmp_path / "p.qcproj"
    assert run(capsys, "import", folder, "-p", project)[0] == 0
    code, out, err = run(
        capsys, "import", folder, "-p", project, "--speakers", '{"P2": "interviewer"}'
    )
    assert code == 0, err
    assert "roles updated for 1 speaker(s): int02 P2: participant -> interviewer" in out
    with qc.Project(project) as p:
        turns = p.turns
    assert set(turns.loc[turns["speaker"] == "P2", "role"]) == {"interviewer"}


# -- issue 17: quote-based codings: occurrence optional, .xlsx too ---------------------
def _quotes(tmp_path: Path, suffix: str) -> Path:
    quotes = pd.DataFrame(
        {
            "transcript_id": ["int01", "int02"],
            "code": ["divert", "arrest"],
            "quote": ["We divert people", "We arrested three dealers"],
        }
    )
    path = tmp_path / f"coder_AB{suffix}"
    qc.export_tables(quotes, path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_import_quote_codings_without_occurrence(capsys, tmp_path, suffix):
    folder, book = _files(tmp_path)
    quotes = _quotes(tmp_path, suffix)
    project = tmp_path / "p.qcproj"
    argv = ["import", folder, "-p", project, "--codebook", book, "--codings", quotes]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "2 codings: AB 2" in out
    with qc.Project(project) as p:
        assert sorted(p.codings()["text"]) == [
            "We arrested three dealers",
            "We divert people",
        ]


def test_cli_import_quote_not_found_names_the_row_not_the_text(capsys, tmp_path):
    folder, book = _files(tmp_path)
    quotes = tmp_path / "coder_AB.csv"
    quotes.write_text(
        "transcript_id,code,quote,occurrence\n"
        "int01,divert,We divert people,1\n"
        "int02,arrest,We arrested three dealers,2\n",
        encoding="utf-8",
    )
    argv = ["import", folder, "-p", tmp_path / "p.qcproj", "--codebook", book]
    code, _, err = run(capsys, *argv, "--codings", quotes)
    assert code == 1
    assert "[QC913]" in err and "row 3" in err and "'int02'" in err
    assert "arrested three" not in err


# -- issue 17: the learned tagger: --level and a progress bar ---------------------
TREE_CODEBOOK = """\
name: Tree
version: 1.0.0
codes:
  - id: enforce
    label: Enforce
    definition: Enforcement.
  - id: arrest
    label: Arrest
    parent: enforce
    definition: Arresting people who deal drugs.
  - id: care
    label: Care
    definition: Care and support.
  - id: divert
    label: Divert
    parent: care
    definition: Diverting people who use drugs to treatment.
"""


@pytest.fixture()
def tree(tmp_path) -> Path:
    """Six interviews, coder AB: 'arrest'/'divert' on every matching turn."""
    folder = tmp_path / "tree"
    folder.mkdir()
    for i in range(6):
        (folder / f"int{i}.txt").write_text(
            "Interviewer: What do you do?\n"
            f"P{i}: We arrested dealers on the estate again.\n"
            "Interviewer: And then?\n"
            f"P{i}: We divert people who use drugs into treatment.\n"
            "Interviewer: Anything else?\n"
            f"P{i}: The weather was fine that week.\n",
            encoding="utf-8",
        )
    path = tmp_path / "tree.qcproj"
    with qc.Project(path) as project:
        project.set_codebook(qc.Codebook.from_yaml(TREE_CODEBOOK))
        project.add_transcripts(qc.read_corpus(folder))
        rows = []
        for t in project.iter_transcripts():
            for turn, code in ((1, "arrest"), (3, "divert")):
                tt = t.turns[turn]
                rows.append(
                    {
                        "transcript_id": t.id,
                        "start": tt.start,
                        "end": tt.end,
                        "code": code,
                        "coder": "AB",
                    }
                )
        project.add_codings(pd.DataFrame(rows))
    return path


def test_cli_suggest_learn_from_level_root_learns_the_themes(capsys, tree):
    argv = ["suggest", "-p", tree, "--learn-from", "AB", "--unit", "turn"]
    code, out, err = run(capsys, *argv, "--level", "root", "--epochs", "2", "--json")
    assert code == 0, err
    learned = json.loads(out)["learned"]
    assert learned["level"] == "root"
    assert set(learned["codes"]) == {"enforce", "care"}


def test_cli_suggest_learn_from_shows_training_progress_on_a_terminal(
    capsys, monkeypatch, tree
):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    argv = ["suggest", "-p", tree, "--learn-from", "AB", "--unit", "turn"]
    code, _, err = run(capsys, *argv, "--epochs", "2")
    assert code == 0, err
    assert "LearnedTagger.fit" in err and "epoch" in err
    code, _, err = run(capsys, *argv, "--epochs", "2", "-q")
    assert (code, err) == (0, "")


# -- issue 20: qualcode saturation ----------------------------------------------------
def test_cli_saturation_prints_the_summary_and_writes_figure_and_table(
    capsys, tree, tmp_path
):
    fig, tab = tmp_path / "sat.png", tmp_path / "sat.xlsx"
    argv = ["saturation", "-p", tree, "--coder", "AB", "--figure", fig, "--table", tab]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.startswith("Thematic saturation was assessed with the method of Guest")
    assert "Saturation was reached at 4+2 interviews" in out
    assert fig.read_bytes()[:4] == b"\x89PNG"
    sheets = pd.read_excel(tab, sheet_name=None)
    assert list(sheets) == ["interviews", "runs"]
    assert sheets["interviews"]["transcript_id"].tolist() == [
        f"int{i}" for i in range(6)
    ]


def test_cli_saturation_json_has_the_saturation_point(capsys, tree):
    code, out, err = run(capsys, "saturation", "-p", tree, "--level", "root", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["saturated_at"], data["notation"], data["coder"]) == (4, "4+2", "AB")


def test_cli_saturation_base_longer_than_the_corpus_exits_1(capsys, tree):
    code, out, err = run(capsys, "saturation", "-p", tree, "--base", "6")
    assert code == 1 and out == ""
    assert "[QC641]" in err and "Traceback" not in err


def test_cli_saturation_mistyped_coder_says_did_you_mean(capsys, tree):
    code, _, err = run(capsys, "saturation", "-p", tree, "--coder", "ab")
    assert code == 1 and "did you mean 'AB'?" in err


# -- issue 18/19: qualcode copy -------------------------------------------------------
def test_cli_copy_copies_the_whole_project(capsys, small, tmp_path):
    dest = tmp_path / "backup" / "copy.qcproj"
    dest.parent.mkdir()
    code, out, err = run(capsys, "copy", small, dest)
    assert code == 0, err
    with qc.Project(small) as a, qc.Project(dest) as b:
        assert a.transcript_ids() == b.transcript_ids()
        pd.testing.assert_frame_equal(a.codings(), b.codings())


def test_cli_copy_never_overwrites_a_project(capsys, small, tmp_path):
    dest = tmp_path / "other.qcproj"
    with qc.Project(dest) as other:
        other.add_transcripts([qc.Transcript("x", "Kept.")])
    code, _, err = run(capsys, "copy", small, dest)
    assert code == 1 and "[QC415]" in err
    with qc.Project(dest) as other:
        assert other.transcript_ids() == ["x"]


# -- issue 16.4: resolve: blank rows are undecided, and the summary says so ---------
def test_cli_resolve_counts_blank_rows_as_undecided(capsys, small):
    todo = small.parent / "todo.csv"
    argv = ["agreement", "-p", small, "--n-boot", "0", "--disagreements", todo]
    assert run(capsys, *argv)[0] == 0
    dis = pd.read_csv(todo, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(dis) == 3
    dis["resolution"] = ["arrest", "none", ""]
    qc.export_tables(dis, todo)
    code, out, err = run(capsys, "resolve", todo, "-p", small)
    assert code == 0, err
    assert "warning: [QC611]" in err
    assert "of 3 units: 1 resolved with codes, 1 with no code ('none')" in out
    assert "1 still undecided (blank)" in out


# -- one owner per term: the codebook's own render suffixes -----------------------
def test_cli_codebook_render_accepts_every_suffix_render_accepts(capsys, tmp_path):
    _, book = _files(tmp_path)
    out = tmp_path / "tiny.markdown"
    code, _, err = run(capsys, "codebook", "render", book, "--out", out)
    assert code == 0, err
    assert "Arrest" in out.read_text(encoding="utf-8")


# -- issue 17: tidy commands over the Project methods ----------------------------
def _needs(method: str) -> None:
    if not hasattr(qc.Project, method):
        pytest.skip(f"Project.{method} is not in this qualcode yet (store helper)")


def _codings(path: Path) -> pd.DataFrame:
    with qc.Project(path) as p:
        return p.codings()


def test_cli_code_rename_keeps_every_coding(capsys, small):
    _needs("rename_code")
    before = _codings(small)
    code, out, err = run(capsys, "code", "rename", "-p", small, "arrest", "arrests")
    assert code == 0, err
    assert "renamed code 'arrest' to 'arrests'" in out
    after = _codings(small)
    assert len(after) == len(before)
    assert sorted(after["code"]) == sorted(
        before["code"].replace({"arrest": "arrests"})
    )


def test_cli_code_merge_moves_the_codings_into_the_target(capsys, small):
    _needs("merge_codes")
    before = _codings(small)
    argv = ["code", "merge", "-p", small, "divert", "--into", "arrest"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    after = _codings(small)
    assert set(after["code"]) == {"arrest"}
    keys = ["transcript_id", "start", "end", "coder"]
    assert len(after) == len(before.drop_duplicates(keys))  # identical codings collapse


def test_cli_code_rename_unknown_code_says_did_you_mean(capsys, small):
    _needs("rename_code")
    code, _, err = run(capsys, "code", "rename", "-p", small, "arest", "x")
    assert code == 1 and "did you mean 'arrest'?" in err
    assert sorted(set(_codings(small)["code"])) == ["arrest", "divert"]


def test_cli_coder_rename_and_merge_keep_every_coding(capsys, small):
    _needs("merge_coders")
    n = len(_codings(small))
    assert run(capsys, "coder", "rename", "-p", small, "CD", "cd2")[0] == 0
    assert set(_codings(small)["coder"]) == {"AB", "cd2"}
    code, out, err = run(capsys, "coder", "merge", "-p", small, "cd2", "--into", "AB")
    assert code == 0, err
    after = _codings(small)
    assert set(after["coder"]) == {"AB"} and len(after) == n


def test_cli_transcript_remove_takes_its_codings_along(capsys, small):
    _needs("remove_transcript")
    code, out, err = run(capsys, "transcript", "remove", "-p", small, "int01")
    assert code == 0, err
    assert "removed transcript 'int01'" in out
    with qc.Project(small) as p:
        assert p.transcript_ids() == ["int02"]
        assert set(p.codings()["transcript_id"]) == {"int02"}


def test_cli_transcript_remove_purge_keeps_no_text(capsys, small):
    _needs("remove_transcript")
    argv = ["transcript", "remove", "-p", small, "int01", "--purge", "--by", "lead"]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert b"HYPERLINK" not in small.read_bytes()


def test_cli_import_creates_the_project_folder(capsys, tmp_path):
    folder, _ = _files(tmp_path)
    project = tmp_path / "new" / "sub" / "p.qcproj"
    code, _, err = run(capsys, "import", folder, "-p", project, "-q")
    assert code == 0, err
    with qc.Project(project) as p:
        assert p.transcript_ids() == ["int01", "int02"]


def test_cli_llm_code_audit_must_be_a_workbook_before_any_call(capsys, small):
    argv = ["llm-code", "-p", small, "--endpoint", "http://127.0.0.1:9/v1"]
    code, _, err = run(capsys, *argv, "--model", "m", "--audit", small.parent / "a.csv")
    assert code == 1 and "[QC904]" in err and ".xlsx" in err
    with qc.Project(small) as p:
        assert p.llm_calls().empty
