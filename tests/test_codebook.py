"""Codebook core: validation (all problems at once, with file/line/code), hierarchy,
combining, identity, frames, YAML round trips and rendering."""

from __future__ import annotations

import textwrap
import warnings

import pytest

from qualcode._columns import CODES, names
from qualcode.codebook import Code, Codebook, pattern_summary
from qualcode.errors import CodebookError, CodebookWarning, InvalidInputError

HEADER = "name: Test\nversion: 1.0.0\ncodes:\n"


def write(tmp_path, body: str, name: str = "cb.yaml"):
    p = tmp_path / name
    p.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return p


def problem_lines(exc: CodebookError) -> list[str]:
    return [ln.strip() for ln in str(exc).splitlines()[1:]]


# --- validation: one test per problem, each naming file, line and code ------
# (yaml body, code id named, line named, fragment of the message)
CASES = {
    "duplicate_id": (
        """\
        - {id: a, label: A}
        - {id: b, label: B}
        - {id: a, label: Again}
        """,
        "a",
        6,
        "duplicate id",
    ),
    "unknown_parent": (
        """\
        - id: pursue
          label: Pursue
        - id: enforce
          label: Enforce
          parent: persue
        """,
        "enforce",
        8,
        "unknown parent 'persue' (did you mean 'pursue'?)",
    ),
    "cycle": (
        """\
        - {id: c, label: C, parent: d}
        - {id: d, label: D, parent: c}
        """,
        "c",
        4,
        "cycle (c -> d -> c)",
    ),
    "bad_colour": (
        """\
        - id: a
          label: A
          color: red
        """,
        "a",
        6,
        "bad colour 'red'",
    ),
    "bad_colour_rgba": (
        """\
        - {id: a, label: A, color: "#11223344"}
        """,
        "a",
        4,
        "bad colour '#11223344'",
    ),
    "malformed_token_pattern": (
        """\
        - id: a
          label: A
          patterns:
            - arrest
            - [{LEMMA: {INN: [arrest]}}]
        """,
        "a",
        8,
        "pattern 2 is malformed: spaCy rejects",
    ),
    "pattern_not_a_list": (
        """\
        - id: a
          label: A
          patterns:
            - {LEMMA: arrest}
        """,
        "a",
        7,
        "wrap it in [ ]",
    ),
    "empty_phrase_pattern": (
        """\
        - id: a
          label: A
          patterns: ["ok", ""]
        """,
        "a",
        6,
        "pattern 2 is malformed: an empty phrase pattern",
    ),
    "yaml_boolean_in_pattern": (
        """\
        - id: a
          label: A
          patterns:
            - [{LOWER: on}]
        """,
        "a",
        7,
        "Input should be a valid string",
    ),
    "empty_label": (
        """\
        - id: a
          label: ""
        """,
        "a",
        5,
        "the label is missing or empty",
    ),
    "bad_id_format": (
        """\
        - {id: Disrupt OCGs, label: A}
        """,
        "Disrupt OCGs",
        4,
        "is not valid: use lower-case letters",
    ),
    "include_not_text": (
        """\
        - id: a
          label: A
          include: {when: always}
        """,
        "a",
        6,
        "'include' must be a text or a list of texts",
    ),
    "flags_not_mapping": (
        """\
        - id: a
          label: A
          flags: [harm_reduction]
        """,
        "a",
        6,
        "'flags' must be a mapping",
    ),
    "flag_value_not_scalar": (
        """\
        - id: a
          label: A
          flags: {harm_reduction: [yes]}
        """,
        "a",
        6,
        "flag 'harm_reduction' must have a single value",
    ),
    "definition_not_text": (
        """\
        - id: a
          label: A
          definition: [one, two]
        """,
        "a",
        6,
        "'definition' must be text",
    ),
    "bad_guid": (
        """\
        - {id: a, label: A, guid: not-a-guid}
        """,
        "a",
        4,
        "bad GUID",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_codebook_validation_names_file_line_and_code(tmp_path, case):
    body, code, line, fragment = CASES[case]
    p = write(tmp_path, body)
    with pytest.raises(CodebookError) as info:
        Codebook.load(p)
    msg = str(info.value)
    assert msg.startswith("[QC303]")
    hit = [ln for ln in problem_lines(info.value) if fragment in ln]
    assert hit, msg
    assert f"{p}, line {line}, code '{code}'" in hit[0]


def test_codebook_validation_missing_id_names_entry_and_line(tmp_path):
    p = write(tmp_path, "- {id: a, label: A}\n- {label: No id}\n")
    with pytest.raises(
        CodebookError, match=r"line 5, code #2 \(no id\): the id is missing"
    ):
        Codebook.load(p)


def test_codebook_validation_repeated_key_is_reported(tmp_path):
    p = write(tmp_path, "- id: a\n  label: A\n  label: B\n")
    with pytest.raises(CodebookError, match=r"line 6: the key 'label' appears twice"):
        Codebook.load(p)


def test_codebook_validation_reports_all_problems_at_once(tmp_path):
    body = """\
    - {id: a, label: A, color: blue}
    - {id: a, label: ""}
    - {id: b, label: B, parent: zz}
    - {id: c, label: C, patterns: [[{NOPE: x}]]}
    """
    p = write(tmp_path, body)
    with pytest.raises(CodebookError) as info:
        Codebook.load(p)
    lines = problem_lines(info.value)
    assert "5 problem(s)" in str(info.value).splitlines()[0]
    assert [int(ln.split("line ")[1].split(",")[0]) for ln in lines] == [4, 5, 5, 6, 7]


def test_codebook_validation_yaml_syntax_error_names_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "name: x\ncodes:\n  - {id: a, label: A\n  - {id: b}\n", encoding="utf-8"
    )
    with pytest.raises(CodebookError, match=r"bad\.yaml, line \d+: not valid YAML"):
        Codebook.load(p)


def test_codebook_validation_missing_file_is_codebook_error(tmp_path):
    with pytest.raises(CodebookError, match="file not found"):
        Codebook.load(tmp_path / "nope.yaml")


def test_codebook_validation_not_a_mapping(tmp_path):
    p = tmp_path / "list.yaml"
    p.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="expected a mapping"):
        Codebook.load(p)


def test_codebook_unknown_key_warns_with_line_and_hint(tmp_path):
    p = write(tmp_path, '- id: a\n  label: A\n  colour: "#fff"\n')
    with pytest.warns(
        CodebookWarning,
        match=r"line 6, code 'a': unknown key 'colour' ignored "
        r"\(did you mean 'color'\?\)",
    ):
        cb = Codebook.load(p)
    assert cb["a"].color is None


def test_codebook_from_dict_names_entry_without_lines():
    data = {
        "name": "x",
        "codes": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}],
    }
    with pytest.raises(
        CodebookError, match=r"<codebook>, code 'a' \(entry 2\): duplicate id"
    ):
        Codebook.from_dict(data)


def test_codebook_constructor_validates_codes():
    with pytest.raises(CodebookError, match="unknown parent 'nope'"):
        Codebook([Code("a", "A", parent="nope")], name="x")


def test_codebook_constructor_rejects_non_codes():
    with pytest.raises(InvalidInputError, match="iterable of Code"):
        Codebook([{"id": "a"}])


def test_codebook_lowercase_pattern_attributes_are_valid(tmp_path):
    p = write(tmp_path, "- {id: a, label: A, patterns: [[{lemma: arrest}]]}\n")
    assert Codebook.load(p)["a"].patterns == ([{"lemma": "arrest"}],)


# --- hierarchy, identity ------
@pytest.fixture()
def small():
    return Codebook(
        [
            Code("p", "Pursue", color="#0072B2", definition="Enforcement."),
            Code(
                "e",
                "Enforce",
                parent="p",
                flags={"harm_reduction": False},
                patterns=("drug laws", [{"LEMMA": "arrest"}]),
            ),
            Code("e2", "Enforce harder", parent="e", flags={"harm_reduction": True}),
            Code("q", "Protect", definition="Safeguard <people> & places."),
        ],
        name="Small",
        version="1.2.0",
    )


def test_codebook_hierarchy_walk_and_depths(small):
    assert [(c.id, d) for c, d in small.walk()] == [
        ("p", 0),
        ("e", 1),
        ("e2", 2),
        ("q", 0),
    ]
    assert small.root_of("e2").id == "p"
    assert [c.id for c in small.descendants("p")] == ["e", "e2"]


def test_codebook_hash_changes_with_content_not_order_of_keys(small):
    same = Codebook(list(small), name="Other name", version="9")
    changed = Codebook([*list(small)[:3], Code("q", "Protect!")], name="Small")
    assert small.hash == same.hash
    assert small.hash != changed.hash


def test_codebook_flagged(small):
    assert [c.id for c in small.flagged("harm_reduction")] == ["e2"]
    assert [c.id for c in small.flagged("harm_reduction", False)] == ["e"]


def test_codebook_to_frame_schema_and_flags(small):
    df = small.to_frame()
    assert list(df.columns) == [*names(CODES), "flag_harm_reduction"]
    assert df["depth"].tolist() == [0, 1, 2, 0]
    assert df["root"].tolist() == ["p", "p", "p", "q"]
    assert str(df["flag_harm_reduction"].dtype) == "boolean"
    assert df.loc[1, "n_patterns"] == 2


# --- combine ------
def test_codebook_combine_keeps_order_and_parts():
    a = Codebook(
        [Code("pursue", "Pursue"), Code("x", "X", parent="pursue")], name="roles"
    )
    b = Codebook([Code("harm-crime", "Crime")], name="harms", version="2")
    both = Codebook.combine(a, b, name="study")
    assert both.ids == ["pursue", "x", "harm-crime"]
    assert both.part_of("x") == "roles" and both.part_of("harm-crime") == "harms"
    assert [p["name"] for p in both.meta["combined_from"]] == ["roles", "harms"]
    assert both.meta["combined_from"][1]["hash"] == b.hash


def test_codebook_combine_rejects_duplicate_ids_naming_both(tmp_path):
    a = Codebook.load(write(tmp_path, "- {id: a, label: A}\n", "one.yaml"))
    b = Codebook.load(
        write(tmp_path, "- {id: z, label: Z}\n- {id: a, label: A2}\n", "two.yaml")
    )
    with pytest.raises(
        CodebookError, match=r"\[QC306\].*'a'.*one\.yaml, line 4.*two\.yaml, line 5"
    ):
        Codebook.combine(a, b)


def test_codebook_combine_needs_codebooks():
    with pytest.raises(InvalidInputError):
        Codebook.combine()


# --- YAML round trip ------
def test_codebook_yaml_round_trip_is_identical(tmp_path, root):
    cb = Codebook.load(root / "codebooks" / "roles.yaml")
    first = cb.save(tmp_path / "a.yaml")
    again = Codebook.load(first)
    second = again.save(tmp_path / "b.yaml")
    assert again.to_dict() == cb.to_dict()
    assert again.hash == cb.hash
    assert first.read_bytes() == second.read_bytes()


def test_codebook_single_text_include_becomes_list(tmp_path):
    p = write(tmp_path, "- {id: a, label: A, include: only this}\n")
    assert Codebook.load(p)["a"].include == ("only this",)


# --- rendering ------
def test_codebook_markdown_contains_every_definition(small):
    md = small.to_markdown()
    for c in small:
        assert c.definition in md
    assert "### Enforce" in md and "#### Enforce harder" in md
    assert '`"drug laws"`' in md and "`~arrest`" in md


def test_codebook_html_is_self_contained_and_escaped(small):
    page = small.to_html()
    assert "Safeguard &lt;people&gt; &amp; places." in page
    assert "<link" not in page and "<script" not in page and "http" not in page
    assert 'id="e2"' in page


def test_codebook_render_by_suffix(tmp_path, small):
    assert (
        small.render(tmp_path / "c.md")
        .read_text(encoding="utf-8")
        .startswith("# Small")
    )
    assert "<!DOCTYPE html>" in small.render(tmp_path / "c.html").read_text(
        encoding="utf-8"
    )


def test_codebook_render_rejects_unknown_suffix(tmp_path, small):
    with pytest.raises(InvalidInputError, match="Codebook.render"):
        small.render(tmp_path / "c.pdf")


def test_codebook_pattern_summary_reads_token_patterns():
    p = [
        {"LOWER": "county"},
        {"LEMMA": {"IN": ["line", "route"]}},
        {"IS_ALPHA": True, "OP": "?"},
    ]
    assert pattern_summary(p) == "county ~(line|route) IS_ALPHA=True?"


def test_codebook_load_emits_no_warning_for_valid_file(tmp_path):
    p = write(tmp_path, "- {id: a, label: A}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Codebook.load(p)


def _half_then_fail(monkeypatch):
    """Path.write_text writes half its text, then fails (a full disk, a kill)."""
    from pathlib import Path

    real = Path.write_text

    def broken(self, data, *args, **kwargs):
        real(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError("No space left on device")

    monkeypatch.setattr(Path, "write_text", broken)


@pytest.mark.parametrize("name", ["c.yaml", "c.md", "c.html"])
def test_codebook_written_files_are_atomic(tmp_path, small, monkeypatch, name):
    """Issue 16.3: a failed save/render keeps the previous file whole, no leftovers."""
    out = tmp_path / name
    write_it = small.save if name.endswith(".yaml") else small.render
    write_it(out)
    before = out.read_text(encoding="utf-8")
    bigger = Codebook(
        [*small, Code("zzz", "Another code", definition="x" * 2000)], name="Small"
    )
    _half_then_fail(monkeypatch)
    with pytest.raises(OSError, match="No space"):
        (bigger.save if name.endswith(".yaml") else bigger.render)(out)
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


BILLION_LAUGHS = """\
name: lol
version: "1"
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
j: &j [*i, *i, *i, *i, *i, *i, *i, *i, *i]
codes:
  - {id: a, label: A, patterns: *j}
"""


def test_codebook_billion_laughs_refused_quickly(tmp_path):
    """Issue 21: nested YAML aliases (~600 bytes) hung validation for minutes."""
    import subprocess
    import sys

    p = tmp_path / "lol.yaml"
    p.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert len(BILLION_LAUGHS) < 700
    code = (
        "import sys\n"
        "from qualcode.codebook import Codebook\n"
        "from qualcode.errors import CodebookError\n"
        "try:\n"
        "    Codebook.load(sys.argv[1])\n"
        "except CodebookError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(p)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "QC312" in out.stdout and "lol.yaml, line 3" in out.stdout


@pytest.mark.parametrize(
    ("text", "line", "kind"),
    [
        ("x: &shared [arrest]\ncodes:\n  - {id: a, label: A}\n", 1, "anchor"),
        ("codes:\n  - id: a\n    label: A\n    examples: &e [x]\n", 4, "anchor"),
    ],
)
def test_codebook_yaml_anchor_refused_with_line(text, line, kind):
    with pytest.raises(
        CodebookError, match=rf"QC312\] c\.yaml, line {line}: the YAML {kind}"
    ):
        Codebook.from_yaml(text, path="c.yaml")


def test_codebook_project_set_codebook_refuses_aliases(tmp_path):
    """Issue 21: Project.set_codebook(path) goes through the same refusal."""
    from qualcode import Project

    p = tmp_path / "lol.yaml"
    p.write_text(BILLION_LAUGHS, encoding="utf-8")
    project = Project(tmp_path / "p.qcproj")
    try:
        with pytest.raises(CodebookError, match="QC312"):
            project.set_codebook(p)
    finally:
        project.close()


def test_codebook_save_writes_no_aliases(tmp_path):
    """Values shared between codes are written out in full, so the file loads."""
    shared = ("county lines", [{"LEMMA": "arrest"}])
    cb = Codebook([Code("a", "A", patterns=shared), Code("b", "B", patterns=shared)])
    back = Codebook.load(cb.save(tmp_path / "c.yaml"))
    assert back["b"].patterns == back["a"].patterns
