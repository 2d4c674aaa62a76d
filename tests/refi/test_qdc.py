"""REFI-QDA codebook exchange (.qdc): strict, schema-valid writing; lenient reading of
real files from other tools; lossless round trips; stable GUIDs; secure parsing."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import CodebookError, CodebookWarning
from qualcode.refi import qdc
from qualcode.refi.qdc import (
    GUID_NAMESPACE,
    code_guid,
    codes_from_xml,
    codes_to_xml,
    parse_description,
    read_qdc,
    sets_to_xml,
    validate_qdc,
    write_qdc,
)

XSD_DIR = Path(qdc.__file__).with_name("xsd")
STUDY = ("roles", "harms", "culture")


def qdc_text(body: str, ns: str | None = "urn:QDA-XML:codebook:1.0") -> str:
    xmlns = f' xmlns="{ns}"' if ns else ""
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    return f'{head}<CodeBook{xmlns} origin="Test">{body}</CodeBook>'


def write_file(tmp_path, text: str, name: str = "x.qdc") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


G1 = "2CE89C66-C28D-473B-B5C4-6CF87D20EF04"
G2 = "FFD939DA-B5DC-4611-A9F8-366495EB0AE2"


@pytest.fixture()
def small():
    return Codebook(
        [
            Code(
                "pursue",
                "Pursue",
                color="#0072B2",
                definition="Enforcement.\n\nSecond paragraph.",
                include=("arrests", "warrants"),
                exclude=("diversion (use divert)",),
                examples=("We arrested him.",),
                patterns=("pursue", [{"LEMMA": "arrest"}]),
                source="[S4]",
                source_status="study",
                note="A note\nover two lines.",
            ),
            Code(
                "enforce",
                "Enforce drug laws",
                parent="pursue",
                flags={"harm_reduction": False},
            ),
            Code(
                "divert",
                'Divert <people> & "others"',
                parent="pursue",
                flags={"harm_reduction": True, "level": "individual", "weight": 2},
            ),
        ],
        name="Small",
        version="1.0.0",
        description="A small codebook.",
        meta={"sources": [{"id": "S4", "title": "HMICFRS"}]},
    )


# --- writing ------
def test_qdc_written_file_validates_against_official_xsd(tmp_path, small):
    import xmlschema

    p = write_qdc(small, tmp_path / "small.qdc")
    schema = xmlschema.XMLSchema(str(XSD_DIR / "Codebook-mrt2019.xsd"))
    assert schema.is_valid(str(p))
    assert validate_qdc(p) == []


@pytest.mark.parametrize("name", STUDY)
def test_qdc_study_codebooks_validate_and_round_trip(tmp_path, root, name):
    cb = Codebook.load(root / "codebooks" / f"{name}.yaml")
    p = cb.save(tmp_path / f"{name}.qdc")
    assert validate_qdc(p) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # our own files read back without any warning
        back = Codebook.load(p)
    assert back.to_dict() == cb.to_dict()
    assert back.hash == cb.hash


def test_qdc_round_trip_keeps_everything(tmp_path, small):
    back = read_qdc(write_qdc(small, tmp_path / "s.qdc"))
    assert back.to_dict() == small.to_dict()
    assert back["divert"].flags == {
        "harm_reduction": True,
        "level": "individual",
        "weight": 2,
    }
    assert back["pursue"].note == "A note\nover two lines."


def test_qdc_guid_is_uuid5_of_id_and_stable(tmp_path, small):
    a = tmp_path / "a.qdc"
    write_qdc(small, a)
    write_qdc(small, tmp_path / "b.qdc")
    assert a.read_bytes() == (tmp_path / "b.qdc").read_bytes()
    assert code_guid(small["pursue"]) == str(uuid.uuid5(GUID_NAMESPACE, "pursue"))
    assert f'guid="{uuid.uuid5(GUID_NAMESPACE, "pursue")}"' in a.read_text(
        encoding="utf-8"
    )


def test_qdc_flags_written_as_sets(tmp_path, small):
    text = write_qdc(small, tmp_path / "s.qdc").read_text(encoding="utf-8")
    assert 'name="flag:harm_reduction"' in text
    assert 'name="flag:harm_reduction=false"' in text
    assert 'name="flag:level=&quot;individual&quot;"' in text


def test_qdc_description_readable_by_other_tools(tmp_path, small):
    text = write_qdc(small, tmp_path / "s.qdc").read_text(encoding="utf-8")
    assert "Include:\n- arrests\n- warrants" in text
    assert "Code id: pursue" in text


def test_qdc_non_codable_flag_sets_iscodable_false(tmp_path):
    cb = Codebook(
        [
            Code("cat", "Category", flags={"codable": False}),
            Code("a", "A", parent="cat"),
        ]
    )
    text = write_qdc(cb, tmp_path / "c.qdc").read_text(encoding="utf-8")
    assert 'name="Category" isCodable="false"' in text
    assert 'name="A" isCodable="true"' in text
    assert "flag:codable" not in text


def test_qdc_write_refuses_empty_codebook(tmp_path):
    with pytest.raises(CodebookError, match="at least one code"):
        write_qdc(Codebook([], name="empty"), tmp_path / "e.qdc")


def test_qdc_codes_to_xml_builds_valid_project_codebook():
    import xmlschema
    from lxml import etree

    ns = "urn:QDA-XML:project:1.0"
    cb = Codebook([Code("a", "A", color="#abc"), Code("b", "B", parent="a")])
    project = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name="p")
    codes = etree.SubElement(
        etree.SubElement(project, f"{{{ns}}}CodeBook"), f"{{{ns}}}Codes"
    )
    guids = codes_to_xml(cb, codes, ns)
    assert set(guids) == {"a", "b"}
    schema = xmlschema.XMLSchema(str(XSD_DIR / "Project-mrt2019.xsd"))
    assert schema.is_valid(project)
    back, by_guid = codes_from_xml(codes)
    assert [(c.id, c.parent) for c in back] == [("a", None), ("b", "a")]
    assert by_guid == {g: cid for cid, g in guids.items()}


def test_qdc_sets_to_xml_reports_zero_when_no_flags():
    from lxml import etree

    sets = etree.Element("{urn:QDA-XML:codebook:1.0}Sets")
    assert sets_to_xml(Codebook([Code("a", "A")]), sets) == 0


# --- reading real samples ------
def _samples(reference_dir: Path) -> list[Path]:
    return sorted((reference_dir / "refi" / "samples").glob("*.qdc"))


def test_qdc_every_reference_sample_loads_with_a_warning(reference_dir):
    samples = _samples(reference_dir)
    assert samples
    for p in samples:
        with pytest.warns(CodebookWarning, match=r"\[QC308\].*read leniently"):
            cb = Codebook.load(p)
        assert len(cb) > 0


def test_qdc_atlas_sample_namespace_hierarchy_and_groups(reference_dir):
    p = reference_dir / "refi" / "samples" / "atlasti-win-9.0.19__codebook.qdc"
    with pytest.warns(
        CodebookWarning, match="namespace urn:QDA-XML:codebook:0:4"
    ) as rec:
        cb = read_qdc(p)
    assert "code group 'codeGroup1::codeGroup1.2'" in str(rec[0].message)
    assert cb.ids == ["code2", "code1", "code1-1", "code3", "code-3-1"]
    assert cb.parent("code1-1").id == "code1" and cb["code-3-1"].label == "code:3.1"
    assert cb["code3"].flags == {"codable": False}
    assert cb["code1-1"].flags == {
        "set:codeGroup1::codeGroup1.2": True,
        "set:codeGroup1::codeGroup1.1": True,
    }
    assert cb["code2"].guid == G1.lower()
    assert cb.meta["refi"]["origin"] == "ATLAS.ti Win 9.0.19"


def test_qdc_taguette_sample_empty_sets_repaired(reference_dir):
    p = reference_dir / "refi" / "samples" / "taguette-1.4.1__codebook.qdc"
    with pytest.warns(CodebookWarning, match=r"empty <Sets/> was ignored"):
        cb = read_qdc(p)
    assert [c.label for c in cb] == ["xsd:element name", "CodeBook", "Variables"]
    assert cb["codebook"].guid == "a2209cff-8e89-5b0a-a7b0-cddc4be92936"


def test_qdc_samples_survive_write_and_read(tmp_path, reference_dir):
    for p in _samples(reference_dir):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CodebookWarning)
            cb = read_qdc(p)
        out = write_qdc(cb, tmp_path / p.name)
        assert validate_qdc(out) == []
        text = out.read_text(encoding="utf-8")
        for c in cb:
            assert f'guid="{c.guid}"' in text  # imported GUIDs kept
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert read_qdc(out).to_dict() == cb.to_dict()


# --- lenient reading ------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#FF000080", "#FF0000"),
        ("rgb(0, 128, 255)", "#0080FF"),
        ("00ff00", "#00ff00"),
        ("fff", "#fff"),
    ],
)
def test_qdc_odd_colours_repaired_with_warning(tmp_path, raw, expected):
    body = f'<Codes><Code guid="{G1}" name="A" isCodable="true" color="{raw}"/></Codes>'
    with pytest.warns(CodebookWarning, match="colour"):
        cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb["a"].color == expected


def test_qdc_unreadable_colour_dropped_with_warning(tmp_path):
    body = f'<Codes><Code guid="{G1}" name="A" isCodable="true" color="teal"/></Codes>'
    with pytest.warns(CodebookWarning, match="unreadable colour 'teal' dropped"):
        cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb["a"].color is None


@pytest.mark.parametrize("ns", [None, "urn:QDA-XML:codebook:1:0"])
def test_qdc_namespace_variants_read_with_warning(tmp_path, ns):
    body = f'<Codes><Code guid="{G1}" name="A" isCodable="true"/></Codes>'
    with pytest.warns(CodebookWarning, match="namespace"):
        cb = read_qdc(write_file(tmp_path, qdc_text(body, ns)))
    assert cb.ids == ["a"]


def test_qdc_braced_lowercase_guids_accepted_silently(tmp_path):
    body = f'<Codes><Code guid="{{{G1.lower()}}}" name="A" isCodable="true"/></Codes>'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb["a"].guid == G1.lower()


def test_qdc_duplicate_guid_replaced_with_warning(tmp_path):
    body = (
        f'<Codes><Code guid="{G1}" name="A" isCodable="true"/>'
        f'<Code guid="{G1}" name="B" isCodable="true"/></Codes>'
    )
    with pytest.warns(CodebookWarning, match="duplicate GUID"):
        cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb["a"].guid == G1.lower() and cb["b"].guid is None


def test_qdc_slug_ids_made_unique(tmp_path):
    body = (
        f'<Codes><Code guid="{G1}" name="Harm!" isCodable="true"/>'
        f'<Code guid="{G2}" name="harm" isCodable="true"/></Codes>'
    )
    cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb.ids == ["harm", "harm-2"]


def test_qdc_foreign_description_becomes_definition(tmp_path):
    body = (
        f'<Codes><Code guid="{G1}" name="A" isCodable="true">'
        "<Description>A memo written in NVivo.</Description></Code></Codes>"
    )
    cb = read_qdc(write_file(tmp_path, qdc_text(body)))
    assert cb["a"].definition == "A memo written in NVivo."


def test_qdc_parse_description_reads_sections():
    text = (
        'Def.\n\nInclude:\n- one\n  continued\n\nPatterns:\n- "county lines"\n'
        '- [{"LEMMA": "arrest"}]\n\nSource: [S1]\nCode id: x'
    )
    assert parse_description(text) == {
        "definition": "Def.",
        "include": ["one\ncontinued"],
        "patterns": ["county lines", [{"LEMMA": "arrest"}]],
        "source": "[S1]",
        "id": "x",
    }


# --- refusals ------
def test_qdc_doctype_refused(tmp_path):
    text = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
        + G1
        + '" name="&e;" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(CodebookError, match=r"\[QC310\].*DOCTYPE"):
        read_qdc(write_file(tmp_path, text))


def test_qdc_not_xml_names_line(tmp_path):
    with pytest.raises(CodebookError, match=r"\[QC307\].*line 3: not well-formed XML"):
        read_qdc(write_file(tmp_path, "<CodeBook>\n<Codes>\n</Wrong>\n</CodeBook>\n"))


def test_qdc_project_file_points_to_read_qdpx(tmp_path):
    text = '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
    with pytest.raises(CodebookError, match="read_qdpx"):
        read_qdc(write_file(tmp_path, text))


def test_qdc_without_codes_refused(tmp_path):
    with pytest.raises(CodebookError, match="no <Codes> element"):
        read_qdc(write_file(tmp_path, qdc_text("")))


def test_qdc_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="file not found"):
        read_qdc(tmp_path / "none.qdc")


def test_qdc_control_characters_replaced_with_warning(tmp_path):
    from qualcode.errors import DataLossWarning

    cb = Codebook([Code("a", "Vertical\x0btab", definition="Form\x0cfeed")])
    with pytest.warns(DataLossWarning, match="control character"):
        p = write_qdc(cb, tmp_path / "c.qdc")
    assert validate_qdc(p) == []
    assert read_qdc(p)["a"].label == "Vertical\ufffdtab"  # one rule: U+FFFD
