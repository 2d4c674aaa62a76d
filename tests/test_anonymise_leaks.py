"""The leak check as an independent second line: formats, speed, markup, containers."""

from __future__ import annotations

import zipfile

import pytest

from qualcode.anonymise import PseudonymKey, check_leaks
from qualcode.errors import QualcodeError

KEY = PseudonymKey(
    [
        ("Smith", "Person B", "person"),
        ("Zoë", "Person C", "person"),
        ("O'Brien", "Person D", "person"),
        ("Nowak", "Person E", "person"),
        ("Christina Marsh", "Person A", "person"),
        ("Christina", "Person A", "person"),
    ]
)


# --------------------------------------------------------------------------
# what counts as a transcript file comes from qualcode.io
# --------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".webvtt", ".text"])
def test_anonymise_leaks_reads_every_transcript_suffix_as_text(tmp_path, suffix):
    # read_transcript reads .webvtt and .text; a UTF-16 one must be decoded as
    # text, not scanned as raw bytes where the name is spread over zero bytes
    p = tmp_path / f"int01{suffix}"
    p.write_bytes(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nSmith said so.\n".encode("utf-16")
    )
    leaks = check_leaks(p, KEY, detectors=())
    assert leaks["original"].tolist() == ["Smith"]
    assert leaks["layer"].tolist() == ["text"]


# --------------------------------------------------------------------------
# containers go through the safe-zip limits before any reader sees them
# --------------------------------------------------------------------------
def _docx_with_bomb(path, size):
    import docx

    d = docx.Document()
    d.add_paragraph("clean text")
    d.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/zeros.bin", b"\0" * size)


def test_anonymise_leaks_docx_bomb_refused_before_python_docx(tmp_path, monkeypatch):
    p = tmp_path / "bomb.docx"
    _docx_with_bomb(p, 64 * 1024**2)  # ratio ~1000:1
    import docx

    def boom(*a, **k):  # pragma: no cover - must never be reached
        raise AssertionError("python-docx opened a zip bomb")

    monkeypatch.setattr(docx, "Document", boom)
    with pytest.raises(QualcodeError, match=r"QC810.*bomb\.docx.*zip bomb"):
        check_leaks(p, KEY)


def test_anonymise_leaks_xlsx_bomb_refused_before_openpyxl(tmp_path, monkeypatch):
    import openpyxl

    p = tmp_path / "bomb.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "clean"
    wb.save(p)
    with zipfile.ZipFile(p, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (64 * 1024**2))

    def boom(*a, **k):  # pragma: no cover - must never be reached
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    with pytest.raises(QualcodeError, match=r"QC810.*bomb\.xlsx.*zip bomb"):
        check_leaks(p, KEY)


# --------------------------------------------------------------------------
# issue 21: an independent second line
# --------------------------------------------------------------------------
HOSTILE = [
    "The Smiths came.",
    "user Smith2 logged in",
    "file Smith_J.docx",
    "Zoe said",
    "OBrien said",
    "Smi\u200bth said",
    "No\u00adwak said",
    "\uff33\uff4d\uff49\uff54\uff48 said",
    "met Christina Mar-\nsh there",
    "see /people/Christina%20Marsh/",
    "see ?q=Zo%C3%AB",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_anonymise_leaks_hostile_forms_are_reported(tmp_path, text):
    p = tmp_path / "bank.md"
    p.write_text(text + "\n", encoding="utf-8")
    assert len(check_leaks(p, KEY, detectors=())) == 1


@pytest.mark.parametrize(
    "text",
    ["JSmith said", "csmith2 said", "S.m.i.t.h said", "O-Brien said", "Zo-e said"],
)
def test_anonymise_leaks_loose_reports_what_pseudonymise_misses(tmp_path, text):
    from qualcode.anonymise import pseudonymise

    assert pseudonymise(text, KEY, detectors=()).corpus_or_project == text
    p = tmp_path / "bank.md"
    p.write_text(text + "\n", encoding="utf-8")
    leaks = check_leaks(p, KEY, detectors=())
    assert leaks["source"].tolist() == ["loose"]
    assert check_leaks(p, KEY, detectors=(), loose=False).empty


def test_anonymise_leaks_loose_ignores_words_that_contain_a_name(tmp_path):
    key = PseudonymKey([("Mark", "Person H"), ("Lee", "Person L"), ("Smith", "B")])
    p = tmp_path / "bank.md"
    p.write_text("The market was asleep; a blacksmith's remark.\n", encoding="utf-8")
    assert check_leaks(p, key, detectors=()).empty
    every = check_leaks(p, key, detectors=(), loose="any")
    assert sorted(every["original"]) == ["Lee", "Mark", "Mark", "Smith"]


def test_anonymise_leaks_loose_rows_never_repeat_an_exact_hit(tmp_path):
    p = tmp_path / "bank.md"
    p.write_text("Christina Marsh and Smith's team.\n", encoding="utf-8")
    leaks = check_leaks(p, KEY, detectors=())
    assert leaks[["original", "source"]].values.tolist() == [
        ["Christina Marsh", "key"],
        ["Smith", "key"],
    ]


def test_anonymise_leaks_bad_loose_is_refused(tmp_path):
    from qualcode.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match=r"\[QC101\].*loose"):
        check_leaks(tmp_path, KEY, loose="some")


# --------------------------------------------------------------------------
# issue 21: context masking is linear
# --------------------------------------------------------------------------
def test_anonymise_leaks_many_mentions_are_fast(tmp_path):
    import time

    p = tmp_path / "unpseudonymised.txt"
    p.write_text("Smith met Nowak. " * 30_000, encoding="utf-8")
    t0 = time.process_time()  # CPU time: the machine may be shared
    leaks = check_leaks(p, KEY, detectors=())
    took = time.process_time() - t0
    assert len(leaks) == 60_000
    ctx = leaks["context"].iloc[501]
    assert ctx.startswith("…⟦person⟧") and ctx.endswith("…")
    assert ctx.count("⟦") == ctx.count("⟦person⟧") >= 5  # masks never cut
    assert "Smith" not in ctx and "Nowak" not in ctx
    assert took < 30, took  # ~3 s CPU; quadratic masking took hours here


# --------------------------------------------------------------------------
# issue 22: qualcode's own HTML view is clean when the project is
# --------------------------------------------------------------------------
def test_anonymise_leaks_html_view_of_clean_project_is_clean(tmp_path):
    from qualcode.model import Transcript, TurnDraft
    from qualcode.store import Project
    from qualcode.widget import export_html

    with Project(tmp_path / "p.qcproj") as p:
        t = Transcript.build(
            "INT01",
            [
                TurnDraft("What happened?", "Interviewer", "interviewer"),
                TurnDraft("Person B ran it with Person A.", "P1", "participant"),
            ],
        )
        p.add_transcripts([t])
        p.add_coding("INT01", t.turns[1].start, t.turns[1].end, "pursue", "AB")
        out = export_html(p, tmp_path / "view.html")
    assert "#f6f8fa" in out.read_text(encoding="utf-8")  # the stylesheet is there
    assert check_leaks(out, KEY).empty


def test_anonymise_leaks_html_style_and_script_are_not_text(tmp_path):
    p = tmp_path / "x.html"
    p.write_text(
        "<html><head><style>pre{background:#f6f8fa} .NV4{}</style>"
        "<script>var c = 'NV4 7QT';</script></head>"
        "<body><p>seen at NV4 7QT</p></body></html>",
        encoding="utf-8",
    )
    leaks = check_leaks(p, KEY)
    assert leaks[["layer", "kind"]].values.tolist() == [["text", "postcode"]]


# --------------------------------------------------------------------------
# issue 22: errors never quote what a file holds
# --------------------------------------------------------------------------
def test_anonymise_leaks_unreadable_file_error_quotes_nothing(tmp_path, monkeypatch):
    import docx

    from qualcode.errors import InvalidInputError

    d = docx.Document()
    d.add_paragraph("clean")
    d.save(tmp_path / "x.docx")

    def broken(*a, **k):
        raise ValueError("bad value 'Christina Marsh' in paragraph 3")

    monkeypatch.setattr(docx, "Document", broken)
    with pytest.raises(InvalidInputError, match=r"QC810.*x\.docx.*ValueError") as err:
        check_leaks(tmp_path / "x.docx", KEY)
    assert "Christina" not in str(err.value)


# --------------------------------------------------------------------------
# a project on a server (issue 19): scanned like a project file
# --------------------------------------------------------------------------
def _project_naming_smith(target):
    from qualcode.model import Transcript, TurnDraft
    from qualcode.store import Project

    p = Project(target)
    t = Transcript.build(
        "t1", [TurnDraft("We spoke to Nowak at the hub.", "P1", "participant")]
    )
    p.add_transcripts([t])
    p.add_coding("t1", 0, 8, "divert", "ana", memo="Smith said the same.")
    return p


def test_anonymise_leaks_scans_a_project_on_a_server(project_target):
    """Every table's text, as for a project file (was: 'file not found' for a URL)."""
    with _project_naming_smith(project_target) as p:
        leaks = check_leaks(p, KEY, detectors=())
    found = sorted(zip(leaks["original"], leaks["location"], strict=True))
    assert ("Nowak", "transcripts.text row 1") in found
    assert ("Smith", "codings.memo row 1") in found
    # rows name the project (on a server its URL), never a temporary copy
    assert all(path.startswith(str(p.path)) for path in leaks["path"])


def test_anonymise_leaks_scans_a_server_project_by_url(pg_url):
    _project_naming_smith(pg_url).close()
    leaks = check_leaks(pg_url, KEY, detectors=())
    assert {"Nowak", "Smith"} <= set(leaks["original"])
    assert all(path.startswith("postgresql://") for path in leaks["path"])


def test_anonymise_leaks_unreachable_server_is_a_clear_error():
    """A server that is not there: a QualcodeError naming the URL, not its password."""
    url = "postgresql://ana:s3cret@127.0.0.1:1/study"
    with pytest.raises(QualcodeError) as info:
        check_leaks(url, KEY, detectors=())
    message = str(info.value)
    assert "postgresql://ana@127.0.0.1:1/study" in message
    assert "s3cret" not in message
