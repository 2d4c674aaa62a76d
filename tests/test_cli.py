"""The ``qualcode`` command line on the demo data: outputs, exit codes, bad input.

Most tests call ``qualcode.cli.main([...])`` in-process (fast); a few run the
installed console script in a subprocess. One demo project (the demo corpus, the
three study codebooks and both fictional coders' codings) is built once per module
with the library and copied into each test's tmp_path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import qualcode as qc
from qualcode.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"
EXERCISES = ROOT / "corpora" / "exercises"
CODEBOOKS = ROOT / "codebooks"
KEY = DEMO / "pseudonym_key.csv"
BOOKS = [str(CODEBOOKS / f"{n}.yaml") for n in ("roles", "harms", "culture")]
CONSOLE = Path(sys.executable).parent / "qualcode"

SUBCOMMANDS = [
    "import",
    "info",
    "copy",
    "server",
    "code",
    "coder",
    "transcript",
    "codebook",
    "suggest",
    "review",
    "agreement",
    "resolve",
    "treemap",
    "export",
    "pseudonymise",
    "leaks",
    "saturation",
    "llm-code",
    "demo",
]


# -- fixtures ------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The demo project, built with the library (not the CLI under test)."""
    from qualcode.datasets.demo import demo_codings

    folder = tmp_path_factory.mktemp("cli_base")
    path = folder / "demo.qcproj"
    corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
    with qc.Project(path) as project:
        for b in BOOKS:
            project.set_codebook(qc.Codebook.load(b))
        project.add_transcripts(corpus)
        project.add_codings(demo_codings(corpus))
    return path


@pytest.fixture()
def project(built, tmp_path) -> Path:
    """A private copy of the demo project."""
    dst = tmp_path / "demo.qcproj"
    shutil.copy(built, dst)
    return dst


@pytest.fixture(scope="module")
def learned(built, tmp_path_factory):
    """A learned tagger trained by the CLI (two codes, two epochs), and its JSON."""
    folder = tmp_path_factory.mktemp("cli_learned")
    proj = folder / "demo.qcproj"
    shutil.copy(built, proj)
    out = folder / "tagger"
    argv = [
        "suggest",
        "-p",
        str(proj),
        "--learn-from",
        "AB",
        "--code",
        "disrupt-ocgs",
        "--code",
        "protect-victims",
        "--epochs",
        "2",
        "--save-tagger",
        str(out),
        "--out",
        str(folder / "learned.csv"),
        "--json",
        "-q",
    ]
    code, stdout, stderr = _run_capture(argv)
    return {
        "code": code,
        "data": json.loads(stdout) if code == 0 else None,
        "stderr": stderr,
        "dir": out,
        "csv": folder / "learned.csv",
    }


@pytest.fixture(scope="module")
def suggestions_csv(built, tmp_path_factory) -> Path:
    """Pattern suggestions of the harms codebook, written by the CLI."""
    folder = tmp_path_factory.mktemp("cli_sugg")
    proj = folder / "demo.qcproj"
    shutil.copy(built, proj)
    out = folder / "suggestions.csv"
    code, _, stderr = _run_capture(
        ["suggest", "-p", str(proj), "--codebook", BOOKS[1], "--out", str(out), "-q"]
    )
    assert code == 0, stderr
    return out


def _run_capture(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) with stdout/stderr captured (for module-scoped fixtures)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def run_json(capsys, *argv: object) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)  # stdout holds exactly one JSON document


def assert_user_error(code: int, err: str, *needles: str, lines: int = 1) -> None:
    """Exit 1, one message (``lines`` lines) naming what is wrong, no traceback."""
    assert code == 1, err
    assert "Traceback" not in err
    got = [x for x in err.splitlines() if x.strip()]
    assert len(got) == lines, err
    assert got[0].startswith("qualcode ")
    for n in needles:
        assert n in err


# -- parser, help, usage errors ------------------------------------------------
def test_cli_help_lists_every_subcommand(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in SUBCOMMANDS:
        assert f"    {name}" in out
    assert "exit codes" in out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_cli_subcommand_help_has_examples(capsys, name):
    code, out, _ = run(capsys, name, "--help")
    assert code == 0
    assert "examples:" in out
    assert f"qualcode {name}" in out.split("examples:")[1]


def test_cli_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"qualcode {qc.__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        [],
        ["info"],  # -p missing
        ["agreement", "-p", "x.qcproj", "--unit", "word"],
        ["codebook", "convert", "codebooks/roles.yaml"],  # --out missing
        ["export", "-p", "x.qcproj", "--out", "x.md", "--where", "role"],
        ["import", "x.txt", "-p", "x.qcproj", "--speakers", "{not json"],
        ["suggest", "-p", "x.qcproj", "--learned", "d", "--learn-from", "AB"],
        ["leaks", "x.md", "--key", "k.csv", "--detector", "shoe_size"],
    ],
    ids=[
        "unknown-command",
        "no-command",
        "missing-option",
        "bad-choice",
        "convert-without-out",
        "bad-where",
        "bad-speakers-json",
        "exclusive-options",
        "unknown-detector",
    ],
)
def test_cli_usage_error_exits_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: qualcode" in err
    assert "Traceback" not in err


def test_cli_global_options_work_after_the_subcommand(capsys, project):
    before = run(capsys, "-q", "info", "-p", project)
    after = run(capsys, "info", "-p", project, "-q")
    assert before == after == (0, "", "")


# -- import --------------------------------------------------------------------
def test_cli_import_transcripts_codebooks_and_codings(capsys, tmp_path):
    path = tmp_path / "new.qcproj"
    codings = [DEMO / "codings" / "coder_AB.csv", DEMO / "codings" / "coder_CD.csv"]
    argv = ["import", DEMO, "-p", path, "--attributes", DEMO / "attributes.csv"]
    for b in BOOKS:
        argv += ["--codebook", b]
    for c in codings:
        argv += ["--codings", c]
    data = run_json(capsys, *argv)
    rows = {c.stem.removeprefix("coder_"): len(pd.read_csv(c)) for c in codings}
    assert data["codings"]["by_coder"] == rows
    with qc.Project(path) as p:
        assert len(p.transcripts) == len(data["transcripts"]) == 11
        assert p.codings().groupby("coder").size().to_dict() == rows
        assert p.transcript("INT01").attributes["organisation"] == "Northvale Police"
        assert len(p.codebook) == sum(len(qc.Codebook.load(b)) for b in BOOKS)


def test_cli_import_offset_codings_need_a_coder(capsys, tmp_path):
    table = tmp_path / "codings.csv"
    pd.DataFrame(
        {"transcript_id": ["INT03"], "start": [0], "end": [5], "code": ["pursue"]}
    ).to_csv(table, index=False)
    code, _, err = run(
        capsys,
        "import",
        DEMO / "INT03.txt",
        "-p",
        tmp_path / "p.qcproj",
        "--codings",
        table,
    )
    assert_user_error(code, err, str(table), "--coder")
    assert not (tmp_path / "p.qcproj").exists()  # nothing written


def test_cli_import_codings_into_an_existing_project(capsys, project, tmp_path):
    table = tmp_path / "coder_GH.csv"
    pd.DataFrame(
        {
            "transcript_id": ["INT03"],
            "code": ["pursue"],
            "quote": ["we"],
            "occurrence": [1],
            "memo": [""],
        }
    ).to_csv(table, index=False)
    code, _, err = run(capsys, "import", "-p", project, "--codings", table)
    assert code == 0, err
    with qc.Project(project) as p:
        got = p.codings(coder="GH")
    assert got["text"].str.lower().tolist() == ["we"]


def test_cli_import_offset_codings_with_coder(capsys, tmp_path):
    table = tmp_path / "codings.csv"
    pd.DataFrame(
        {"transcript_id": ["INT03"], "start": [0], "end": [5], "code": ["pursue"]}
    ).to_csv(table, index=False)
    path = tmp_path / "p.qcproj"
    code, _, err = run(
        capsys,
        "import",
        DEMO / "INT03.txt",
        "-p",
        path,
        "--codings",
        table,
        "--coder",
        "ZX",
    )
    assert code == 0, err
    with qc.Project(path) as p:
        got = p.codings()
    assert got[["transcript_id", "start", "end", "code", "coder"]].values.tolist() == [
        ["INT03", 0, 5, "pursue", "ZX"]
    ]


def test_cli_import_qdpx(capsys, built, tmp_path):
    with qc.Project(built) as b:
        qdpx = qc.write_qdpx(b, tmp_path / "demo.qdpx")
    path = tmp_path / "from_qdpx.qcproj"
    data = run_json(capsys, "import", qdpx, "-p", path)
    assert data["qdpx"][0]["file"] == str(qdpx)
    with qc.Project(path) as p, qc.Project(built) as b:
        assert sorted(p.transcript_ids()) == sorted(b.transcript_ids())
        assert len(p.codings()) == len(b.codings())


def test_cli_import_missing_path_exits_1(capsys, tmp_path):
    missing = tmp_path / "no_such_folder"
    code, _, err = run(capsys, "import", missing, "-p", tmp_path / "p.qcproj")
    assert_user_error(code, err, str(missing), "not found")
    assert not (tmp_path / "p.qcproj").exists()


def test_cli_import_into_a_file_that_is_not_a_project_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "import", DEMO / "INT03.txt", "-p", BOOKS[0])
    assert_user_error(code, err, BOOKS[0], "not a qualcode project")


# -- info ----------------------------------------------------------------------
def test_cli_info_reports_the_project(capsys, project):
    data = run_json(capsys, "info", "-p", project)
    with qc.Project(project) as p:
        assert data["transcripts"] == len(p.transcripts)
        assert data["codings"] == len(p.codings())
        assert data["coders"] == p.codings().groupby("coder").size().to_dict()
    assert len(data["codebooks"]) == 3


def test_cli_info_missing_project_exits_1(capsys, tmp_path):
    missing = tmp_path / "nope.qcproj"
    code, _, err = run(capsys, "info", "-p", missing)
    assert_user_error(code, err, str(missing), "qualcode import")
    assert not missing.exists()  # not created by looking


# -- codebook ------------------------------------------------------------------
def test_cli_codebook_validate_reports_each_file(capsys):
    data = run_json(capsys, "codebook", "validate", *BOOKS)
    assert [r["codes"] for r in data["codebooks"]] == [
        len(qc.Codebook.load(b)) for b in BOOKS
    ]
    assert data["valid"] is True


def test_cli_codebook_validate_malformed_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nversion: 1\ncodes:\n  - {id: a, label: A, parent: zz}\n")
    code, _, err = run(capsys, "codebook", "validate", bad)
    # one message: the file and the count, then one line per problem
    assert_user_error(code, err, "line 4", "unknown parent", lines=2)
    assert f"{bad}: 1 problem" in err.splitlines()[0]


def test_cli_codebook_validate_shows_warnings_on_one_line(capsys, tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: x\nversion: 1\ncodes:\n  - {id: a, label: A, colour: red}\n")
    code, out, err = run(capsys, "codebook", "validate", cb)
    assert code == 0
    assert "1 warning" in out
    assert err.startswith("qualcode: warning: [QC305]")
    assert len(err.strip().splitlines()) == 1


def test_cli_codebook_validate_strict_fails_on_warnings(capsys, tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: x\nversion: 1\ncodes:\n  - {id: a, label: A, colour: red}\n")
    code, _, err = run(capsys, "codebook", "validate", "--strict", cb)
    assert code == 1
    assert "--strict" in err.splitlines()[-1]
    assert "Traceback" not in err


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_cli_codebook_render(capsys, tmp_path, suffix):
    out = tmp_path / f"roles{suffix}"
    code, stdout, err = run(capsys, "codebook", "render", BOOKS[0], "--out", out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    cb = qc.Codebook.load(BOOKS[0])
    assert all(c.label.split("/")[0].strip() in text for c in cb.roots())
    if suffix == ".html":
        assert text.lstrip().lower().startswith("<!doctype html")
    assert str(out) in stdout


def test_cli_codebook_render_bad_suffix_exits_1(capsys, tmp_path):
    code, _, err = run(
        capsys, "codebook", "render", BOOKS[0], "--out", tmp_path / "r.pdf"
    )
    assert_user_error(code, err, "r.pdf", ".md")


def test_cli_codebook_convert_to_qdc_round_trips(capsys, tmp_path):
    out = tmp_path / "roles.qdc"
    code, _, err = run(capsys, "codebook", "convert", BOOKS[0], "--out", out)
    assert code == 0, err
    assert qc.Codebook.load(out).ids == qc.Codebook.load(BOOKS[0]).ids


# -- suggest -------------------------------------------------------------------
def test_cli_suggest_writes_a_decision_file(suggestions_csv):
    s = pd.read_csv(suggestions_csv, encoding="utf-8-sig", keep_default_na=False)
    assert len(s) > 0
    assert {
        "transcript_id",
        "start",
        "end",
        "code",
        "score",
        "evidence",
        "decision",
    } <= set(s.columns)
    assert (s["decision"] == "").all()
    assert set(s["code"]) <= set(qc.Codebook.load(BOOKS[1]).ids)


def test_cli_suggest_json_counts_match_rows(capsys, project):
    data = run_json(
        capsys, "suggest", "-p", project, "--codebook", BOOKS[2], "--unit", "turn"
    )
    rows = pd.DataFrame(data["rows"])
    assert data["suggestions"] == len(rows) > 0
    assert data["by_code"] == rows["code"].value_counts().to_dict()
    assert set(rows["unit"]) == {"turn"}


def test_cli_suggest_unknown_coder_exits_1(capsys, project):
    code, _, err = run(capsys, "suggest", "-p", project, "--coder", "ZZ")
    assert_user_error(code, err, "'ZZ'", "AB, CD")


def test_cli_suggest_progress_bar_on_a_terminal(capsys, monkeypatch, project):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    code, _, err = run(capsys, "suggest", "-p", project, "--codebook", BOOKS[2])
    assert code == 0
    assert "suggest" in err and "transcript" in err
    code, _, err = run(capsys, "suggest", "-p", project, "--codebook", BOOKS[2], "-q")
    assert code == 0
    assert err == ""


def test_cli_suggest_learn_from_trains_and_saves(learned):
    assert learned["code"] == 0, learned["stderr"]
    info = learned["data"]["learned"]
    assert info["coder"] == "AB"
    assert set(info["codes"]) <= {"disrupt-ocgs", "protect-victims"}
    meta = json.loads((learned["dir"] / "meta.json").read_text(encoding="utf-8"))
    assert meta["codes"] == info["codes"]
    s = pd.read_csv(learned["csv"], encoding="utf-8-sig")
    assert set(s["code"]) <= set(info["codes"])


def test_cli_suggest_with_a_saved_learned_tagger(capsys, learned, project):
    assert learned["code"] == 0, learned["stderr"]
    data = run_json(capsys, "suggest", "-p", project, "--learned", learned["dir"])
    assert data["tagger"] is None or data["tagger"].startswith("learned")
    assert set(data["by_code"]) <= set(learned["data"]["learned"]["codes"])


def test_cli_suggest_missing_learned_tagger_exits_1(capsys, project, tmp_path):
    code, _, err = run(capsys, "suggest", "-p", project, "--learned", tmp_path / "none")
    assert_user_error(code, err, "none", "--learn-from")


# -- review --------------------------------------------------------------------
def test_cli_review_applies_decisions_from_xlsx(
    capsys, project, suggestions_csv, tmp_path
):
    s = pd.read_csv(suggestions_csv, encoding="utf-8-sig", keep_default_na=False).head(
        6
    )
    s["decision"] = ["accepted", "rejected", "", "yes", "no", "accepted"]
    decisions = tmp_path / "decisions.xlsx"
    s.to_excel(decisions, index=False)
    data = run_json(
        capsys, "review", decisions, "-p", project, "--coder", "EF", "--new-coder"
    )
    assert (data["accepted"], data["rejected"], data["skipped"]) == (3, 2, 1)
    with qc.Project(project) as p:
        got = p.codings(coder="EF")
    assert len(got) == 3
    assert set(got["origin"]) == set(s["tagger"])


def test_cli_review_bad_decision_exits_1(capsys, project, suggestions_csv, tmp_path):
    s = pd.read_csv(suggestions_csv, encoding="utf-8-sig", keep_default_na=False).head(
        2
    )
    s["decision"] = ["accepted", "maybe"]
    decisions = tmp_path / "decisions.csv"
    s.to_csv(decisions, index=False)
    code, _, err = run(
        capsys, "review", decisions, "-p", project, "--coder", "EF", "--new-coder"
    )
    assert_user_error(code, err, "'maybe'")
    with qc.Project(project) as p:
        assert len(p.codings(coder="EF")) == 0


def test_cli_review_unreadable_table_exits_1(capsys, project, tmp_path):
    broken = tmp_path / "decisions.xlsx"
    broken.write_bytes(b"this is not a zip file")
    code, _, err = run(capsys, "review", broken, "-p", project, "--coder", "EF")
    assert_user_error(code, err, str(broken), "cannot read")


# -- agreement -----------------------------------------------------------------
def test_cli_agreement_writes_table_and_disagreements(capsys, project, tmp_path):
    import openpyxl

    out, dis = tmp_path / "agreement.xlsx", tmp_path / "disagreements.csv"
    data = run_json(
        capsys,
        "agreement",
        "-p",
        project,
        "--coders",
        "AB",
        "CD",
        "--n-boot",
        "50",
        "--out",
        out,
        "--disagreements",
        dis,
    )
    table = pd.DataFrame(data["table"])
    assert table["code"].iloc[-1] == "(pooled)"
    assert set(table["unit"]) == {"turn"}
    ws = openpyxl.load_workbook(out, read_only=True).active
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == list(table.columns)
    assert (
        len(pd.read_csv(dis, encoding="utf-8-sig")) == data["disagreements"]["rows"] > 0
    )


def test_cli_agreement_human_table_names_unit_and_coders(capsys, project):
    code, out, _ = run(
        capsys,
        "agreement",
        "-p",
        project,
        "--n-boot",
        "0",
        "--unit",
        "sentence",
        "--codes",
        "disrupt-ocgs",
        "protect-victims",
    )
    assert code == 0
    assert out.splitlines()[0].startswith("agreement of AB,CD by sentence")
    assert "(pooled)" in out and "disrupt-ocgs" in out


def test_cli_agreement_unknown_coder_exits_1(capsys, project):
    code, _, err = run(capsys, "agreement", "-p", project, "--coders", "AB", "XY")
    assert_user_error(code, err, "'XY'", "AB, CD")


def test_cli_agreement_one_coder_exits_1(capsys, project):
    code, _, err = run(capsys, "agreement", "-p", project, "--coders", "AB")
    assert_user_error(code, err, "at least two coders")


def _disagreements(capsys, project, tmp_path) -> pd.DataFrame:
    out = tmp_path / "todo.csv"
    code, _, err = run(
        capsys,
        "agreement",
        "-p",
        project,
        "--n-boot",
        "0",
        "--codes",
        "disrupt-ocgs",
        "protect-victims",
        "--disagreements",
        out,
        "-q",
    )
    assert code == 0, err
    return pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)


def test_cli_resolve_creates_consensus_codings(capsys, project, tmp_path):
    todo = _disagreements(capsys, project, tmp_path).head(4)
    todo["resolution"] = ["disrupt-ocgs", "", "protect-victims", "disrupt-ocgs"]
    done = tmp_path / "done.xlsx"
    todo.to_excel(done, index=False)
    data = run_json(capsys, "resolve", done, "-p", project, "--coder", "agreed")
    assert data["codings"] == 3
    with qc.Project(project) as p:
        got = p.codings(coder="agreed")
    assert sorted(zip(got["start"], got["code"], strict=True)) == sorted(
        (s, c) for s, c in zip(todo["start"], todo["resolution"], strict=True) if c
    )


def test_cli_resolve_unknown_code_exits_1(capsys, project, tmp_path):
    todo = _disagreements(capsys, project, tmp_path).head(2)
    todo["resolution"] = ["disrupt-ocgs", "no-such-code"]
    done = tmp_path / "done.csv"
    todo.to_csv(done, index=False)
    code, _, err = run(capsys, "resolve", done, "-p", project)
    assert_user_error(code, err, "no-such-code")
    with qc.Project(project) as p:
        assert "consensus" not in p.coders


# -- treemap -------------------------------------------------------------------
def test_cli_treemap_from_selections(capsys, tmp_path):
    png, svg = tmp_path / "roles.png", tmp_path / "roles.svg"
    data = run_json(
        capsys,
        "treemap",
        EXERCISES / "roles_selections.csv",
        "--codebook",
        BOOKS[0],
        "--min-respondents",
        "7",
        "--highlight",
        "harm_reduction",
        "--out",
        png,
        "--out",
        svg,
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")[:1000]
    s = data["summary"]
    assert (
        f"{s['responses_shown']} responses from {s['respondents']}" in data["caption"]
    )
    assert len(data["layout"]) == s["items_shown"]


def test_cli_treemap_from_project_codings(capsys, project, tmp_path):
    pdf = tmp_path / "codes.pdf"
    data = run_json(
        capsys,
        "treemap",
        "-p",
        project,
        "--coder",
        "AB",
        "--code",
        "protect",
        "--by",
        "references",
        "--out",
        pdf,
    )
    assert pdf.read_bytes()[:5] == b"%PDF-"
    cb = qc.Codebook.load(BOOKS[0])
    under = {"protect", *(c.id for c in cb.descendants("protect"))}
    with qc.Project(project) as p:
        expected = p.codings(coder="AB")["code"].isin(under).sum()
    assert data["summary"]["responses_total"] == expected > 0
    assert {r["category"] for r in data["layout"]} == {"Protect"}


@pytest.mark.parametrize("both", [False, True], ids=["neither", "both"])
def test_cli_treemap_needs_exactly_one_source_exits_2(capsys, project, tmp_path, both):
    argv = ["treemap", "--out", tmp_path / "x.png"]
    if both:
        argv += [EXERCISES / "roles_selections.csv", "-p", project]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "selections file" in err and "Traceback" not in err


def test_cli_treemap_unknown_items_exits_1(capsys, tmp_path):
    sel = EXERCISES / "harms_selections.csv"
    code, _, err = run(
        capsys, "treemap", sel, "--codebook", BOOKS[0], "--out", tmp_path / "x.png"
    )
    assert_user_error(code, err, str(sel), "unknown item")
    assert not (tmp_path / "x.png").exists()


def test_cli_treemap_bad_figure_suffix_exits_1(capsys, project, tmp_path):
    code, _, err = run(capsys, "treemap", "-p", project, "--out", tmp_path / "x.gif")
    assert_user_error(code, err, "x.gif", ".png")


# -- export --------------------------------------------------------------------
def test_cli_export_every_format(capsys, project, tmp_path):
    import docx
    import openpyxl

    outs = {
        s: tmp_path / f"extracts{s}"
        for s in (".xlsx", ".csv", ".docx", ".html", ".md", ".qdpx")
    }
    argv = ["export", "-p", project, "--code", "protect"]
    for o in outs.values():
        argv += ["--out", o]
    data = run_json(capsys, *argv)
    assert data["out"] == [str(o) for o in outs.values()]
    assert len(openpyxl.load_workbook(outs[".xlsx"], read_only=True).sheetnames) > 1
    rows = pd.read_csv(outs[".csv"], encoding="utf-8-sig")
    assert {"code", "extract", "coder"} <= set(rows.columns) and len(rows) > 0
    assert len(docx.Document(str(outs[".docx"])).paragraphs) > 10
    assert "<html" in outs[".html"].read_text(encoding="utf-8")[:200]
    assert rows["extract"].iloc[0][:40] in outs[".md"].read_text(encoding="utf-8")
    with zipfile.ZipFile(outs[".qdpx"]) as z:
        assert "project.qde" in z.namelist()


def test_cli_export_filters_codes_and_coders(capsys, project, tmp_path):
    out = tmp_path / "protect.csv"
    code, _, err = run(
        capsys,
        "export",
        "-p",
        project,
        "--code",
        "protect",
        "--coder",
        "CD",
        "--out",
        out,
    )
    assert code == 0, err
    rows = pd.read_csv(out, encoding="utf-8-sig")
    cb = qc.Codebook.load(BOOKS[0])
    allowed = {"protect", *(c.id for c in cb.descendants("protect"))}
    assert len(rows) > 0
    assert set(rows["code"]) <= allowed
    assert set(rows["coder"]) == {"CD"}


def test_cli_export_unknown_coder_exits_1(capsys, project, tmp_path):
    code, _, err = run(
        capsys, "export", "-p", project, "--coder", "QQ", "--out", tmp_path / "x.md"
    )
    assert_user_error(code, err, "'QQ'")
    assert not (tmp_path / "x.md").exists()


def test_cli_export_bad_suffix_exits_1(capsys, project, tmp_path):
    code, _, err = run(
        capsys,
        "export",
        "-p",
        project,
        "--out",
        tmp_path / "x.md",
        "--out",
        tmp_path / "x.txt",
    )
    assert_user_error(code, err, "x.txt", ".qdpx")
    assert not (tmp_path / "x.md").exists()  # checked before anything is written


# -- pseudonymise and leaks ----------------------------------------------------
def test_cli_pseudonymise_project_copy_leaves_no_leak(capsys, project, tmp_path):
    shared = tmp_path / "shared.qcproj"
    before = project.read_bytes()
    data = run_json(capsys, "pseudonymise", project, "--key", KEY, "--out", shared)
    assert data["summary"]["replacements"] > 0
    assert project.read_bytes() == before  # the original is untouched
    with qc.Project(shared) as s, qc.Project(project) as p:
        assert len(s.codings()) == len(p.codings())
    code, _, err = run(capsys, "leaks", shared, "--key", KEY, "-q")
    assert code == 0, err


def test_cli_pseudonymise_transcript_folder(capsys, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("INT01.docx", "INT03.txt", "INT05.vtt"):
        shutil.copy(DEMO / name, src / name)
    out = tmp_path / "shared"
    data = run_json(
        capsys,
        "pseudonymise",
        src,
        "--key",
        KEY,
        "--out",
        out,
        "--attributes",
        DEMO / "attributes.csv",
        "--report",
        tmp_path / "r.csv",
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "INT01.txt",
        "INT03.txt",
        "INT05.txt",
        "attributes.csv",
    ]
    assert data["summary"]["transcripts"] == 3
    assert len(pd.read_csv(tmp_path / "r.csv")) >= data["summary"]["replacements"] > 0
    assert run(capsys, "leaks", out, "--key", KEY)[0] == 0
    assert (
        run(
            capsys,
            "import",
            out,
            "-p",
            tmp_path / "s.qcproj",
            "--attributes",
            out / "attributes.csv",
        )[0]
        == 0
    )


def test_cli_pseudonymise_existing_out_exits_1(capsys, project, tmp_path):
    taken = tmp_path / "taken.qcproj"
    taken.write_bytes(b"")
    code, _, err = run(capsys, "pseudonymise", project, "--key", KEY, "--out", taken)
    assert_user_error(code, err, str(taken), "already exists")


def test_cli_leaks_finds_a_planted_leak(capsys, tmp_path):
    export = tmp_path / "extracts.md"
    export.write_text(
        "Person A met Christina Marsh at the station.\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "leaks", export, "--key", KEY, "--json")
    assert code == 1
    hits = json.loads(out)["hits"]
    assert [h["original"] for h in hits] == ["Christina Marsh"]
    assert "Christina" not in hits[0]["context"]
    assert err.strip().splitlines()[-1].startswith("qualcode leaks: 1 leak(s) found")


def test_cli_leaks_on_the_unpseudonymised_project_exits_1(capsys, project):
    code, _, err = run(capsys, "leaks", project, "--key", KEY, "-q")
    assert code == 1
    assert "do not share" in err


def test_cli_leaks_missing_key_exits_1(capsys, tmp_path):
    export = tmp_path / "x.md"
    export.write_text("nothing\n")
    code, _, err = run(capsys, "leaks", export, "--key", tmp_path / "key.csv")
    assert_user_error(code, err, "key.csv", "not found")


# -- demo ----------------------------------------------------------------------
def test_cli_demo_passes_out_and_prints_json(capsys, monkeypatch, tmp_path):
    import qualcode.demo

    calls = []

    def fake_run_demo(out, *, quiet=False):
        print("progress chatter that must not reach stdout in --json mode")
        calls.append((str(out), quiet))
        return {
            "summary": {"transcripts": 11, "pooled_kappa": float("nan")},
            "written": {"qdpx": Path(out) / "demo.qdpx"},
        }

    monkeypatch.setattr(qualcode.demo, "run_demo", fake_run_demo)
    data = run_json(capsys, "demo", "--out", tmp_path / "out")
    assert calls == [(str(tmp_path / "out"), True)]
    assert data["summary"] == {"transcripts": 11, "pooled_kappa": None}
    assert data["written"]["qdpx"] == str(tmp_path / "out" / "demo.qdpx")


def test_cli_demo_unwritable_out_exits_1(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "demo", "--out", blocker / "out", "-q")
    assert_user_error(code, err, str(blocker))


# -- errors, output channels ---------------------------------------------------
def test_cli_unexpected_error_is_one_line_unless_debug(capsys, monkeypatch, project):
    import qualcode

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(qualcode, "agreement_table", boom)
    code, _, err = run(capsys, "agreement", "-p", project)
    assert_user_error(code, err, "RuntimeError: kaput", "--debug")
    with pytest.raises(RuntimeError, match="kaput"):
        main(["agreement", "-p", str(project), "--debug"])


def test_cli_quiet_prints_nothing_on_success(capsys, tmp_path):
    code, out, err = run(
        capsys, "codebook", "render", BOOKS[1], "--out", tmp_path / "h.md", "-q"
    )
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "h.md").exists()


# -- the installed console script ----------------------------------------------
def _console(*argv: object, cwd: Path) -> subprocess.CompletedProcess:
    if not CONSOLE.exists():
        pytest.skip(f"console script not installed at {CONSOLE}")
    return subprocess.run(
        [str(CONSOLE), *map(str, argv)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_console_script_success_prints_json(tmp_path):
    res = _console("codebook", "validate", *BOOKS, "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["valid"] is True


def test_cli_console_script_user_error_exits_1_without_traceback(tmp_path):
    res = _console("export", "-p", "missing.qcproj", "--out", "x.xlsx", cwd=tmp_path)
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.strip().splitlines() == [
        "qualcode export: error: [QC902] missing.qcproj: project not found. "
        "Create it with 'qualcode import FILES -p PROJECT'."
    ]


def test_cli_console_script_usage_error_exits_2(tmp_path):
    res = _console("treemap", "--by", "area", cwd=tmp_path)
    assert res.returncode == 2
    assert "invalid choice: 'area'" in res.stderr
    assert "Traceback" not in res.stderr
