"""read_selections: layouts, codebook matching, placeholders, every validation error."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import ImportFormatError, ImportWarning_, InvalidInputError
from qualcode.treemap import read_selections

EX = "corpora/exercises"


@pytest.fixture()
def cb() -> Codebook:
    return Codebook(
        [
            Code("pursue", "Pursue"),
            Code("enforce", "Enforce drug laws", parent="pursue"),
            Code("county", "Target 'county lines'", parent="pursue"),
            Code("prevent", "Prevent"),
            Code(
                "divert",
                "Divert people who use drugs into support services",
                parent="prevent",
            ),
        ],
        name="mini",
    )


@pytest.fixture(scope="module")
def roles_cb(root) -> Codebook:
    return Codebook.load(root / "codebooks" / "roles.yaml")


@pytest.fixture(scope="module")
def harms_cb(root) -> Codebook:
    return Codebook.load(root / "codebooks" / "harms.yaml")


def _csv(tmp_path, text: str, name: str = "sel.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_treemap_read_matches_codebook_by_id_or_label_ignoring_case_and_spacing(cb):
    raw = pd.DataFrame(
        {
            "respondent": ["a", "a", "b", "b"],
            "item": [
                "  ENFORCE drug   laws",
                "divert",
                "Target \u2018county lines\u2019",
                "enforce",
            ],
        }
    )
    out = read_selections(raw, codebook=cb)
    assert out["item"].tolist() == ["enforce", "divert", "county", "enforce"]
    assert out["category"].tolist() == ["Pursue", "Prevent", "Pursue", "Pursue"]
    assert out["label"].iloc[0] == "Enforce drug laws"


def test_treemap_read_returns_the_selections_schema_then_passthrough(cb, tmp_path):
    p = _csv(tmp_path, "respondent,item,organisation\nr1,enforce,SYP\n")
    out = read_selections(p, codebook=cb)
    assert list(out.columns) == [
        "respondent",
        "item",
        "label",
        "category",
        "pick",
        "placeholder",
        "line",
        "organisation",
    ]
    assert out["line"].tolist() == [2] and out["organisation"].tolist() == ["SYP"]


def test_treemap_read_wide_picks(cb, tmp_path):
    p = _csv(
        tmp_path,
        "respondent,pick1,pick2,pick3\nr1,enforce,divert,\nr2,Enforce drug laws,,\n",
    )
    out = read_selections(p, codebook=cb)
    assert out[["respondent", "item", "pick"]].values.tolist() == [
        ["r1", "enforce", 1],
        ["r1", "divert", 2],
        ["r2", "enforce", 1],
    ]
    assert out["line"].tolist() == [2, 2, 3]


def test_treemap_read_wide_binary(cb, tmp_path):
    p = _csv(
        tmp_path, "respondent,Enforce drug laws,divert,county\nr1,1,0,1\nr2,,1,0\n"
    )
    out = read_selections(p, codebook=cb)
    assert sorted(map(tuple, out[["respondent", "item"]].values.tolist())) == [
        ("r1", "county"),
        ("r1", "enforce"),
        ("r2", "divert"),
    ]


def test_treemap_read_semicolon_csv_with_bom(cb, tmp_path):
    p = tmp_path / "excel.csv"
    p.write_bytes("\ufeffrespondent;item\nr1;enforce\n".encode())
    assert read_selections(p, codebook=cb)["item"].tolist() == ["enforce"]


def test_treemap_read_xlsx_equals_csv(root, roles_cb):
    csv = read_selections(root / EX / "roles_selections.csv", codebook=roles_cb)
    xlsx = read_selections(
        root / EX / "roles_selections.xlsx", codebook=roles_cb, sheet="selections"
    )
    cols = ["respondent", "item", "category", "pick", "placeholder"]
    pd.testing.assert_frame_equal(csv[cols], xlsx[cols])


def test_treemap_read_unknown_items_listed_with_lines(cb, tmp_path):
    p = _csv(
        tmp_path,
        "respondent,item\nr1,enforce\nr1,Arrest everyone\nr2,Arest "
        "everyone\nr3,Arrest everyone\n",
    )
    with pytest.raises(ImportFormatError) as err:
        read_selections(p, codebook=cb)
    msg = str(err.value)
    assert "[QC752]" in msg and str(p) in msg and "2 unknown item(s)" in msg
    assert "'Arrest everyone' (line 3, 5)" in msg and "'Arest everyone' (line 4)" in msg
    assert err.value.line == 3


def test_treemap_read_placeholder_accepted_without_codebook_match(cb, tmp_path):
    p = _csv(
        tmp_path,
        "respondent,item,category,placeholder\nr1,Illegible "
        "role,Pursue,true\nr2,enforce,,false\n",
    )
    out = read_selections(p, codebook=cb)
    assert out[["item", "category", "placeholder"]].values.tolist() == [
        ["Illegible role", "Pursue", True],
        ["enforce", "Pursue", False],
    ]


def test_treemap_read_placeholder_without_category_is_an_error(cb, tmp_path):
    p = _csv(
        tmp_path, "respondent,item,category,placeholder\nr1,Illegible role,,true\n"
    )
    with pytest.raises(
        ImportFormatError, match=r"need a category: 'Illegible role' \(line 2\)"
    ):
        read_selections(p, codebook=cb)


def test_treemap_read_bad_placeholder_value(cb, tmp_path):
    p = _csv(tmp_path, "respondent,item,placeholder\nr1,enforce,maybe\n")
    with pytest.raises(
        ImportFormatError,
        match=r"line 2, column 'placeholder': 'maybe' is not true/false",
    ):
        read_selections(p, codebook=cb)


@pytest.mark.parametrize("duplicates,expected", [("drop", 2), ("keep", 3)])
def test_treemap_read_duplicates_drop_or_keep(cb, duplicates, expected):
    raw = pd.DataFrame(
        {
            "respondent": ["a", "a", "a"],
            "item": ["enforce", "Enforce drug laws", "divert"],
        }
    )
    assert len(read_selections(raw, codebook=cb, duplicates=duplicates)) == expected


def test_treemap_read_duplicate_picks_error(cb, tmp_path):
    p = _csv(tmp_path, "respondent,item\nr1,enforce\nr1,divert\nr1,ENFORCE DRUG LAWS\n")
    with pytest.raises(
        ImportFormatError,
        match=r"\[QC753\].*respondent 'r1' chose 'enforce' on lines 2, 4",
    ):
        read_selections(p, codebook=cb)


def test_treemap_read_more_picks_than_allowed(cb, tmp_path):
    p = _csv(tmp_path, "respondent,item\nr1,enforce\nr1,divert\nr1,county\nr2,county\n")
    with pytest.raises(
        ImportFormatError,
        match=r"\[QC754\].*max_picks=2.*'r1' has 3 \(first on line 2\)",
    ):
        read_selections(p, codebook=cb, max_picks=2)


@pytest.mark.parametrize(
    "content",
    ["", "respondent,item\n", "respondent,item\n,\n"],
    ids=["empty", "header", "blank"],
)
def test_treemap_read_empty_file(tmp_path, content):
    p = _csv(tmp_path, content)
    with pytest.raises(ImportFormatError, match=r"\[QC750\].*no responses"):
        read_selections(p)


def test_treemap_read_missing_respondent_column(tmp_path):
    p = _csv(tmp_path, "person,item\nr1,enforce\n")
    with pytest.raises(
        ImportFormatError,
        match=r"\[QC751\].*missing column\(s\) \['respondent'\].*respondent=",
    ):
        read_selections(p)


def test_treemap_read_missing_item_column_in_long_layout(tmp_path):
    p = _csv(tmp_path, "respondent,choice\nr1,enforce\n")
    with pytest.raises(ImportFormatError, match=r"\[QC751\].*\['item'\]"):
        read_selections(p, layout="long")


def test_treemap_read_unreadable_layout(tmp_path):
    p = _csv(tmp_path, "respondent,answer\nr1,enforce\n")
    with pytest.raises(ImportFormatError, match=r"\[QC755\]"):
        read_selections(p)


def test_treemap_read_bad_binary_cell(tmp_path):
    p = _csv(tmp_path, "respondent,A,B\nr1,1,0\nr2,1,2\n")
    with pytest.raises(ImportFormatError, match=r"\[QC756\].*line 3, column 'B': '2'"):
        read_selections(p, layout="wide-binary")


def test_treemap_read_pick_without_respondent(tmp_path):
    p = _csv(tmp_path, "respondent,item\nr1,A\n,B\n")
    with pytest.raises(
        ImportFormatError, match=r"line\(s\) 3 have a pick but no respondent"
    ):
        read_selections(p)


def test_treemap_read_missing_file(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC201\]"):
        read_selections(tmp_path / "nope.csv")


def test_treemap_read_bad_layout_parameter(cb):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'layout'"):
        read_selections(
            pd.DataFrame({"respondent": ["a"], "item": ["enforce"]}), layout="tall"
        )


def test_treemap_read_category_conflict_warns(cb):
    raw = pd.DataFrame(
        {"respondent": ["a"], "item": ["enforce"], "category": ["Prevent"]}
    )
    with pytest.warns(
        ImportWarning_,
        match="'enforce' is under 'Prevent' in the file but under 'Pursue'",
    ):
        out = read_selections(raw, codebook=cb)
    assert out["category"].tolist() == ["Pursue"]


def test_treemap_read_without_codebook_groups_spellings(tmp_path):
    p = _csv(
        tmp_path,
        "respondent,item,category\nr1,Enforce drug laws,Pursue\nr2,enforce  DRUG "
        "laws,Pursue\n",
    )
    out = read_selections(p)
    assert out["item"].tolist() == ["Enforce drug laws", "Enforce drug laws"]


# -- the demo files reproduce the report's legible values ------------------------------
ROLES_LEGIBLE = [
    ("Disrupt OCGs/USGs", 33),
    ("Target the most violent and exploitative elements of the drugs trade", 19),
    ("Enforce drug laws", 18),
    ("Target 'county lines'", 17),
    ("Fight crime and bring offenders to justice", 17),
    ("Target people who supply drugs and process them through the CJS", 16),
    ("Prioritise reducing the supply of drugs that cause the most harm", 16),
    ("Undermine the business model of OCGs", 15),
    ("Target the most harmful offenders and networks", 14),
    (
        "Reduce harms caused by the production, trafficking and distribution of drugs",
        13,
    ),
    ("Reassure the community by responding to their concerns", 11),
    ("Protect victims from the harms associated with drug markets", 8),
    ("Deliver a trauma-informed approach", 7),
    ("Prevent people from engaging in SOC/drug market activity", 32),
    ("Divert people who use drugs into support services", 15),
    ("Identify and support those at risk of engaging in drug market activity", 9),
    ("Deter people from engaging in drug market activity", 8),
    ("Gather intelligence", 24),
    ("Analyse drug markets", 18),
]
HARMS_LEGIBLE = [
    ("Related crime", 26),
    ("Fear of crime / ASB", 18),
    ("Increase in organised crime", 16),
    ("Victim of crime / intimidation (drug user / supplier)", 7),
    ("Victim of crime/ASB", 5),
    ("Overdose / death", 20),
    ("Physical / mental illness", 19),
    ("Unknown purity / cutting agents", 6),
    ("Addiction / withdrawal symptoms", 6),
    ("Normalisation of drug use / supply", 11),
    ("Attraction / recruitment to criminal life", 7),
    ("Loss of respect for law", 6),
    ("Victim of violence (drug debts / disputes or police enforcement)", 14),
    ("Increase in violence", 14),
    ("Poverty / debt", 11),
    ("Educational disengagement", 6),
    ("Poor prospects / harm to employability", 5),
    ("Strain on local services", 19),
    ("Cost of health/support services", 9),
    ("Poor child welfare", 7),
    ("Family / peers victim of violence", 6),
]


@pytest.fixture(scope="module")
def demo_tallies(root, roles_cb, harms_cb):
    out = {}
    for name, cb in (("roles", roles_cb), ("harms", harms_cb)):
        sel = read_selections(
            root / EX / f"{name}_selections.csv", codebook=cb, max_picks=10
        )
        out[name] = (sel, sel.groupby("label")["respondent"].nunique().to_dict())
    return out


@pytest.mark.parametrize(
    "name,label,count",
    [("roles", *v) for v in ROLES_LEGIBLE] + [("harms", *v) for v in HARMS_LEGIBLE],
    ids=lambda v: str(v)[:30],
)
def test_treemap_demo_tallies_equal_the_report(demo_tallies, name, label, count):
    assert demo_tallies[name][1][label] == count


@pytest.mark.parametrize("name", ["roles", "harms"])
def test_treemap_demo_files_have_42_respondents_with_10_distinct_picks(
    demo_tallies, name
):
    sel = demo_tallies[name][0]
    per = sel.groupby("respondent")["item"].nunique()
    assert len(per) == 42 and (per == 10).all() and len(sel) == 420


@pytest.mark.parametrize("name,n", [("roles", 4), ("harms", 6)])
def test_treemap_demo_unknown_report_values_are_marked_placeholders(
    demo_tallies, name, n
):
    sel, counts = demo_tallies[name]
    threshold = {"roles": 7, "harms": 5}[name]
    shown_placeholders = {
        lab for lab in sel.loc[sel["placeholder"], "label"] if counts[lab] >= threshold
    }
    assert len(shown_placeholders) == n
