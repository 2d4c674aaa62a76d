"""REFI-QDA .qdpx exchange: round trip, schema validity, real samples, security."""

# ruff: noqa: E501  (the XML fixtures below keep one element per line)

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from qualcode._safezip import ZipLimits
from qualcode.codebook import Code, Codebook
from qualcode.errors import DataLossWarning, ImportFormatError, ImportWarning_
from qualcode.model import Transcript, TurnDraft
from qualcode.refi._offsets import SourceText, score_alignment
from qualcode.refi._xml import parse_xml, schema_errors
from qualcode.refi.qdpx import read_qdpx, read_qdpx_content, write_qdpx
from qualcode.store import Project

KEY = ["transcript_id", "start", "end", "code", "coder"]


def _transcripts() -> list[Transcript]:
    t1 = Transcript.build(
        "int01",
        [
            TurnDraft(
                "What does your team prioritise?",
                "Interviewer",
                "interviewer",
                0.0,
                2.5,
            ),
            TurnDraft(
                "We arrested three dealers 😀 last month.\nBut arrests alone do "
                "not stop "
                "the harm.",
                "P1",
                "participant",
                3.0,
                9.0,
            ),
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft(
                "We divert people who use drugs into treatment. Café staff help.",
                "P1",
                "participant",
            ),
        ],
        attributes={
            "organisation": "Force A",
            "role": "police officer",
            "rank_band": "inspector/chief inspector",
            "years": 12,
            "frontline": True,
        },
    )
    t2 = Transcript.build(
        "int02",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "County lines exploit children. We safeguard them first.",
                "P2",
                "participant",
            ),
        ],
        attributes={
            "organisation": "Partner org",
            "role": "partner",
            "rank_band": None,
            "years": 3,
            "frontline": False,
        },
    )
    return [t1, t2]


def _codebooks() -> list[Codebook]:
    roles = Codebook(
        [
            Code(
                "pursue", "Pursue", definition="Enforcement activity.", color="#d95f02"
            ),
            Code("enforce", "Enforce drug laws", parent="pursue", include=("arrests",)),
            Code("prevent", "Prevent"),
            Code("divert", "Divert", parent="prevent"),
            Code("divert-treatment", "Divert into treatment", parent="divert"),
        ],
        name="roles",
        version="1.0.0",
    )
    harms = Codebook(
        [Code("exploitation", "Exploitation", flags={"harm_reduction": True})],
        name="harms",
        version="2",
    )
    return [roles, harms]


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "source.qcproj")
    for cb in _codebooks():
        p.set_codebook(cb)
    t1, t2 = _transcripts()
    p.add_transcripts([t1, t2])
    u = t1.turns[1]
    p.add_coding("int01", u.start, u.start + 25, "enforce", "AB", memo="arrest talk")
    p.add_coding("int01", u.start, u.start + 25, "enforce", "CD")
    p.add_coding("int01", u.start + 3, u.end, "pursue", "CD", origin="pattern:v1")
    p.code_turn("int01", 3, "divert-treatment", "AB")
    p.code_turn("int02", 1, "exploitation", "AB", memo="children\nexploited")
    yield p
    p.close()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(KEY).reset_index(drop=True)


def _qde(path: Path):
    with zipfile.ZipFile(path) as z:
        return parse_xml(z.read("project.qde"), path=path, entry="project.qde")


def test_qdpx_written_file_validates_against_xsd(project, tmp_path):
    out = write_qdpx(project, tmp_path / "x.qdpx", validate=True)
    assert schema_errors(_qde(out)) == []


def test_qdpx_roundtrip_loses_no_coding_memo_coder_or_offset(project, tmp_path):
    out = write_qdpx(project, tmp_path / "x.qdpx")
    back = read_qdpx(out, tmp_path / "back.qcproj")
    before, after = project.codings(), back.codings()
    cols = [c for c in before.columns if c != "coding_id"]
    pd.testing.assert_frame_equal(_sorted(after[cols]), _sorted(before[cols]))
    assert back.coders == project.coders
    back.close()


def test_qdpx_roundtrip_keeps_codebooks_transcripts_and_turns(project, tmp_path):
    back = read_qdpx(write_qdpx(project, tmp_path / "x.qdpx"), tmp_path / "back.qcproj")
    assert [(c.id, c.parent, c.label, c.color) for c in back.codebook] == [
        (c.id, c.parent, c.label, c.color) for c in project.codebook
    ]
    assert sorted(back.codebooks["name"]) == ["harms", "roles"]
    for tid in ("int01", "int02"):
        assert back.transcript(tid) == project.transcript(tid)
    pd.testing.assert_frame_equal(back.transcripts, project.transcripts)
    back.close()


def test_qdpx_roundtrip_without_sidecar_keeps_codings(project, tmp_path):
    out = write_qdpx(project, tmp_path / "x.qdpx", sidecar=False)
    content = read_qdpx_content(out)
    before = project.codings()
    got = _sorted(content.codings[KEY + ["memo"]])
    want = _sorted(before[KEY + ["memo"]])
    pd.testing.assert_frame_equal(
        got.fillna("").astype(str), want.fillna("").astype(str)
    )
    tmap = {t.id: t for t in content.transcripts}
    assert tmap["int01"].text == project.transcript("int01").text
    assert dict(tmap["int02"].attributes)["years"] == 3


def test_qdpx_export_is_deterministic(project, tmp_path):
    a = write_qdpx(project, tmp_path / "a.qdpx").read_bytes()
    b = write_qdpx(project, tmp_path / "b.qdpx").read_bytes()
    assert a == b


def test_qdpx_sources_are_utf8_lf_without_bom_and_code_point_offsets(project, tmp_path):
    out = write_qdpx(project, tmp_path / "x.qdpx")
    root = _qde(out)
    ns = "{urn:QDA-XML:project:1.0}"
    with zipfile.ZipFile(out) as z:
        for ts in root.iter(f"{ns}TextSource"):
            assert ts.get("plainTextPath").startswith("internal://")
            data = z.read("sources/" + ts.get("plainTextPath")[len("internal://") :])
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            text = data.decode("utf-8")
            assert text == project.transcript(ts.get("name")).text
            for sel in ts.iter(f"{ns}PlainTextSelection"):
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert 0 <= s < e <= len(text)


def test_qdpx_memos_are_notes_and_descriptions(project, tmp_path):
    root = _qde(write_qdpx(project, tmp_path / "x.qdpx"))
    ns = "{urn:QDA-XML:project:1.0}"
    notes = {
        n.get("guid"): n.findtext(f"{ns}PlainTextContent")
        for n in root.iter(f"{ns}Note")
    }
    assert sorted(notes.values()) == ["arrest talk", "children\nexploited"]
    refs = [
        r.get("targetGUID")
        for c in root.iter(f"{ns}Coding")
        for r in c.iter(f"{ns}NoteRef")
    ]
    assert sorted(refs) == sorted(notes)
    descs = [
        d.text
        for d in root.iter(f"{ns}Description")
        if d.getparent().tag.endswith("Selection")
    ]
    assert sorted(descs) == ["arrest talk", "children\nexploited"]


def test_qdpx_variables_are_typed(project, tmp_path):
    root = _qde(write_qdpx(project, tmp_path / "x.qdpx"))
    ns = "{urn:QDA-XML:project:1.0}"
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{ns}Variable")}
    assert types == {
        "organisation": "Text",
        "role": "Text",
        "rank_band": "Text",
        "years": "Integer",
        "frontline": "Boolean",
    }
    assert len(list(root.iter(f"{ns}Case"))) == 2


def test_qdpx_write_refuses_other_suffix(project, tmp_path):
    from qualcode.errors import ExportError

    with pytest.raises(ExportError, match=r"\[QC714\].*\.qdpx"):
        write_qdpx(project, tmp_path / "x.zip")


# -- reading real tool exports -------------------------------------------------------
SAMPLES = [
    "nvivo-win-12.6__oltas0517.qdpx",
    "maxqda-24.7__icls-just10.qdpx",
    "qc-1.3.2__demo.qdpx",
    "nvivo-mac-15.0__qc-demo-roundtrip.qdpx",
    "atlasti-win-23.2.3__target-project.qdpx",
    "atlasti-win-23.2.3__blank-project.qdpx",
]


@pytest.fixture()
def samples(reference_dir):
    folder = reference_dir / "refi" / "samples"
    if not folder.is_dir():
        pytest.skip("REFI samples not available")
    return folder


@pytest.mark.parametrize("name", SAMPLES)
def test_qdpx_sample_counts_match_manifest(samples, name):
    facts = json.loads((samples / "manifest.json").read_text())[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataLossWarning)
        content = read_qdpx_content(samples / name)
    counts = facts["element_counts"]
    assert sum(len(b) for b in content.codebooks) == facts["codes"]
    assert len(content.transcripts) == counts.get("TextSource", 0)
    # dedupe rule: identical (span, code, coder) merge; none are identical here
    assert len(content.codings) == counts.get("Coding", 0)
    n_dropped = content.report.query("action == 'dropped' and kind == 'coding'")[
        "count"
    ].sum()
    assert n_dropped == 0


def test_qdpx_nvivo_sample_uses_utf16_and_aligns_to_word_boundaries(samples):
    content = read_qdpx_content(samples / "nvivo-win-12.6__oltas0517.qdpx")
    assert content.offset_model == "UTF-16 units, CRLF counted as 2"
    tm = {t.id: t for t in content.transcripts}
    assert len(content.codings) == 303
    assert content.codings["code"].nunique() == 76
    aligned = sum(
        score_alignment(tm[r.transcript_id].text, [(r.start, r.end)])
        for r in content.codings.itertuples()
    )
    assert aligned >= 295
    assert all(
        "\r" not in t.text and not t.text.startswith("\ufeff") for t in tm.values()
    )


def test_qdpx_nvivo_sample_imports_into_a_project(samples, tmp_path):
    project, report = read_qdpx(
        samples / "nvivo-win-12.6__oltas0517.qdpx",
        tmp_path / "nv.qcproj",
        return_report=True,
    )
    codings = project.codings()
    assert len(codings) == 303 and project.coders == ["Gergo"]
    texts = {t.id: t.text for t in project.iter_transcripts()}
    assert all(
        texts[r.transcript_id][r.start : r.end] == r.text for r in codings.itertuples()
    )
    assert "offset model" in set(report["kind"])
    project.close()


def test_qdpx_maxqda_sample_keeps_document_sets_as_attributes(samples, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        project = read_qdpx(
            samples / "maxqda-24.7__icls-just10.qdpx", tmp_path / "m.qcproj"
        )
    assert len(project.codebook) == 307
    assert project.transcript("ICLS 2024 3-10").attributes["set: ICLS 2024"] is True
    project.close()


def test_qdpx_wrong_model_is_switched_with_warning(samples, tmp_path):
    data = (samples / "nvivo-win-12.6__oltas0517.qdpx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        qde = zin.read("project.qde").replace(
            b"NVivo for Windows 12.6", b"SomeTool 1.0"
        )
        target = tmp_path / "relabelled.qdpx"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                zout.writestr(
                    item.filename,
                    qde if item.filename == "project.qde" else zin.read(item.filename),
                )
    content = read_qdpx_content(target)
    with pytest.warns(ImportWarning_, match="UTF-16"):
        content._report.emit_warnings()
    assert content.offset_model == "UTF-16 units, CRLF counted as 2"


# -- offsets -------------------------------------------------------------------------
def test_qdpx_offset_models_map_to_stored_text():
    raw = "a\r\nb😀c\r\nd"
    st = SourceText(raw)
    assert st.stored == "a\nb😀c\nd"
    # 'd' in each model
    assert st.to_stored([9], ("utf16", "raw")) == [6]
    assert st.to_stored([8], ("cp", "raw")) == [6]
    assert st.to_stored([6], ("cp", "lf")) == [6]
    assert st.to_stored([11], ("utf8", "raw")) == [6]


def test_qdpx_offset_beyond_text_maps_to_minus_one():
    assert SourceText("abc").to_stored([4], ("cp", "raw")) == [-1]


def _qdpx(
    tmp_path: Path,
    qde: str | bytes,
    files: dict[str, bytes] | None = None,
    name: str = "project.qde",
) -> Path:
    p = tmp_path / "t.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr(name, qde)
        for k, v in (files or {}).items():
            z.writestr(k, v)
    return p


TEXT_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:{ver}" name="t" origin="{origin}">
 <Users><User guid="11111111-1111-1111-1111-111111111111" name="ana"/></Users>
 <CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Harm" isCodable="true"/>
 </Codes></CodeBook>
 <Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="int09" {src}>{inline}
  <PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{s}" endPosition="{e}">
   <Coding guid="55555555-5555-5555-5555-555555555555" creatingUser="11111111-1111-1111-1111-111111111111">
    <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
  </PlainTextSelection></TextSource>
  <PictureSource guid="66666666-6666-6666-6666-666666666666" name="photo"/>
 </Sources>
</Project>"""


def test_qdpx_reads_inline_text_odd_namespace_and_qde_name(tmp_path):
    qde = TEXT_QDE.format(
        ver="1:0",
        origin="X",
        src="",
        inline="<PlainTextContent>Interviewer: Hi.\nP1: Drugs harm us."
        "</PlainTextContent>",
        s=21,
        e=35,
    )
    with pytest.warns(DataLossWarning, match="PictureSource"):
        content = read_qdpx_content(_qdpx(tmp_path, qde, name="Trial.qde"))
        content._report.emit_warnings()
    t = content.transcripts[0]
    row = content.codings.iloc[0]
    assert t.text[row.start : row.end] == "Drugs harm us."
    assert [(u.speaker, u.role) for u in t.turns] == [
        ("Interviewer", "interviewer"),
        ("P1", "participant"),
    ]


@pytest.mark.parametrize(
    "ref,entry",
    [
        ('plainTextPath="internal://abc.txt"', "Sources/abc.txt"),
        ('plainTextPath="relative://abc.txt"', "sources/abc.txt"),
        ('plainTextPath="absolute:///C:/data/abc.txt"', "sources/abc.txt"),
        ('plainTextPath="abc.txt"', "sources/abc.txt"),
    ],
)
def test_qdpx_resolves_path_schemes(tmp_path, ref, entry):
    qde = TEXT_QDE.format(ver="1.0", origin="X", src=ref, inline="", s=4, e=9)
    content = read_qdpx_content(
        _qdpx(tmp_path, qde, {entry: "\ufeffOne harm\r\n".encode()})
    )
    t = content.transcripts[0]
    assert t.text == "One harm\n"
    r = content.codings.iloc[0]
    assert t.text[r.start : r.end] == "harm"  # [4, 9) is "harm\r" in the raw file


def test_qdpx_missing_text_is_reported_not_silent(tmp_path):
    qde = TEXT_QDE.format(
        ver="1.0",
        origin="X",
        src='plainTextPath="internal://nope.txt"',
        inline="",
        s=0,
        e=3,
    )
    content = read_qdpx_content(_qdpx(tmp_path, qde))
    lost = content.report.query("kind == 'source' and action == 'dropped'")
    assert len(lost) == 1 and "1 selections" in lost["detail"].iloc[0]
    with pytest.warns(DataLossWarning, match="1 source"):
        content._report.emit_warnings()


def test_qdpx_duplicate_codings_are_merged_and_reported(tmp_path):
    qde = TEXT_QDE.format(
        ver="1.0",
        origin="X",
        src="",
        inline="<PlainTextContent>abc def</PlainTextContent>",
        s=0,
        e=3,
    )
    sel = qde[
        qde.index("<PlainTextSelection") : qde.index("</PlainTextSelection>") + 21
    ]
    qde = qde.replace(sel, sel + sel.replace("4444444444", "4444444445"))
    content = read_qdpx_content(_qdpx(tmp_path, qde))
    assert len(content.codings) == 1
    assert content.report.query("action == 'merged'")["count"].sum() == 1


# -- security ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "entry", ["../evil.txt", "/etc/passwd", "sources/../../x.txt", "C:/windows/x.txt"]
)
def test_qdpx_refuses_zip_slip_and_absolute_paths(tmp_path, entry):
    p = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", "<Project name='x'/>")
        z.writestr(entry, "x")
    with pytest.raises(
        ImportFormatError, match=r"\[QC710\].*entry '" + entry.replace(".", r"\.")
    ):
        read_qdpx_content(p)


def test_qdpx_refuses_symlink_entry(tmp_path):
    p = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", "<Project name='x'/>")
        info = zipfile.ZipInfo("sources/link.txt")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        z.writestr(info, "/etc/passwd")
    with pytest.raises(ImportFormatError, match="symbolic link"):
        read_qdpx_content(p)


def test_qdpx_refuses_too_many_entries(tmp_path):
    p = tmp_path / "many.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", "<Project name='x'/>")
        for i in range(60):
            z.writestr(f"sources/{i}.txt", "")
    with pytest.raises(ImportFormatError, match="more than 50 entries"):
        read_qdpx_content(p, limits=ZipLimits(max_entries=50))


def test_qdpx_refuses_zip_bomb_ratio(tmp_path):
    p = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", "<Project name='x'/>")
        z.writestr("sources/bomb.txt", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(
        ImportFormatError, match=r"sources/bomb\.txt.*compression ratio"
    ):
        read_qdpx_content(p)


def test_qdpx_refuses_total_size_over_limit(tmp_path):
    p = tmp_path / "big.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", "<Project name='x'/>")
        z.writestr("sources/a.txt", b"x" * 5000)
    with pytest.raises(ImportFormatError, match="expands to more than 1000 bytes"):
        read_qdpx_content(p, limits=ZipLimits(max_total_size=1000))


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""
DOCTYPE = b"""<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://evil/x.dtd">
<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>"""


@pytest.mark.parametrize(
    "xml",
    [XXE, LAUGHS, DOCTYPE, XXE.decode().encode("utf-16")],
    ids=["xxe", "billion-laughs", "doctype", "xxe-utf16"],
)
def test_qdpx_refuses_doctype_and_entities(tmp_path, xml):
    with pytest.raises(ImportFormatError, match=r"\[QC712\].*project\.qde"):
        read_qdpx_content(_qdpx(tmp_path, xml))


def test_qdpx_refuses_malformed_xml_naming_the_entry(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC711\].*entry 'project\.qde'"):
        read_qdpx_content(_qdpx(tmp_path, b"<Project name='x'>"))


def test_qdpx_refuses_archive_without_qde(tmp_path):
    p = tmp_path / "x.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(ImportFormatError, match=r"\[QC713\].*no \.qde"):
        read_qdpx_content(p)


def test_qdpx_refuses_non_zip(tmp_path):
    p = tmp_path / "x.qdpx"
    p.write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError, match="not a readable"):
        read_qdpx_content(p)
