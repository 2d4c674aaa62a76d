"""Treemaps: exact areas, nesting, captions, thresholds, labels, highlight, files."""

from __future__ import annotations

import itertools
import struct
import zlib

import pandas as pd
import pytest

from qualcode.codebook import Code, Codebook
from qualcode.errors import ExportError, InvalidInputError
from qualcode.treemap import (
    HIGHLIGHT_COLOR,
    code_treemap,
    read_selections,
    selection_treemap,
)

EX = "corpora/exercises"
INTERVIEWEES = ("interviewee", "interviewees")


@pytest.fixture(scope="module")
def books(root):
    return {
        n: Codebook.load(root / "codebooks" / f"{n}.yaml")
        for n in ("roles", "harms", "culture")
    }


@pytest.fixture(scope="module")
def roles(root, books):
    sel = read_selections(root / EX / "roles_selections.csv", codebook=books["roles"])
    highlight = [
        "Protect/safeguard vulnerable people and children",
        "Deliver a trauma-informed approach",
        "divert-to-support",
    ]
    return selection_treemap(
        sel,
        books["roles"],
        min_respondents=7,
        noun=("role", "roles"),
        respondent_noun=INTERVIEWEES,
        highlight=highlight,
        highlight_label="harm reduction policing",
        title="Police roles",
    )


@pytest.fixture(scope="module")
def harms(root, books):
    sel = read_selections(root / EX / "harms_selections.csv", codebook=books["harms"])
    return selection_treemap(
        sel,
        books["harms"],
        min_respondents=5,
        noun=("harm", "harms"),
        respondent_noun=INTERVIEWEES,
    )


def _codings(books) -> pd.DataFrame:
    import random

    cb = Codebook.combine(*books.values())
    rng = random.Random(7)
    codes = [c.id for c in cb if c.parent][::4]
    rows = [
        {
            "transcript_id": f"T{rng.randint(1, 10):02d}",
            "code": rng.choice(codes[: rng.randint(2, len(codes))]),
        }
        for _ in range(120)
    ]
    return pd.DataFrame(rows), cb


@pytest.fixture(scope="module")
def codes(books):
    codings, cb = _codings(books)
    return code_treemap(codings, cb, size=(8, 5))


@pytest.fixture(params=["roles", "harms", "codes"])
def tm(request):
    return request.getfixturevalue(request.param)


def _small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent": ["a", "a", "b", "b", "c", "c", "c"],
            "item": ["A", "B", "A", "C", "A", "B", "B"],
            "category": ["P", "Q", "P", "Q", "P", "Q", "Q"],
        }
    )


# -- geometry -------------------------------------------------------------------


def test_treemap_areas_exactly_proportional_to_counts(tm):
    lay = tm.layout
    per_unit = lay["dx"] * lay["dy"] / lay["count"]
    assert ((per_unit / per_unit.iloc[0] - 1).abs() < 1e-9).all()


def test_treemap_rectangles_inside_their_category_block(tm):
    blocks = tm.categories.set_index("category")
    eps = 1e-9
    for r in tm.layout.itertuples():
        b = blocks.loc[r.category]
        assert b.x - eps <= r.x and r.x + r.dx <= b.x + b.dx + eps
        assert b.y + b.header_dy - eps <= r.y and r.y + r.dy <= b.y + b.dy + eps


def _overlap(a, b) -> float:
    w = min(a.x + a.dx, b.x + b.dx) - max(a.x, b.x)
    h = min(a.y + a.dy, b.y + b.dy) - max(a.y, b.y)
    return max(w, 0) * max(h, 0)


def test_treemap_rectangles_do_not_overlap(tm):
    rects = list(tm.layout.itertuples())
    assert (
        max((_overlap(a, b) for a, b in itertools.combinations(rects, 2)), default=0)
        < 1e-9
    )


def test_treemap_category_blocks_tile_the_area_without_overlap(tm):
    cats = list(tm.categories.itertuples())
    assert (
        max((_overlap(a, b) for a, b in itertools.combinations(cats, 2)), default=0)
        < 1e-9
    )
    width = tm.categories.eval("x + dx").max()
    height = tm.categories.eval("y + dy").max()
    assert (tm.categories["dx"] * tm.categories["dy"]).sum() == pytest.approx(
        width * height, rel=1e-12
    )


def test_treemap_categories_contiguous_in_layout_order(tm):
    order = tm.layout["category"].tolist()
    runs = [k for k, _ in itertools.groupby(order)]
    assert len(runs) == len(set(runs)) == len(tm.categories)


def test_treemap_layout_schema(roles):
    from qualcode import _columns as C

    assert list(roles.layout.columns) == C.names(C.TREEMAP_LAYOUT)
    assert list(roles.layout.columns[:10]) == C.names(C.LAYOUT)


def test_treemap_order_largest_first_with_report_category_order(roles):
    assert roles.categories["category"].tolist() == [
        "Pursue",
        "Protect",
        "Prevent",
        "Prepare",
    ]
    first = roles.layout[roles.layout["category"] == "Pursue"]["count"].tolist()
    assert first == sorted(first, reverse=True)


# -- caption numbers ------------------------------------------------------------


def test_treemap_roles_caption_numbers(roles):
    s = roles.summary
    assert (
        s["responses_shown"],
        s["respondents"],
        s["items_shown"],
        round(s["share"] * 100),
    ) == (375, 42, 23, 89)
    assert s["responses_total"] == 420
    assert roles.caption.startswith(
        "This treemap includes 375 responses from 42 interviewees, representing 23 "
        "roles and 89% of all responses."
    )
    assert (
        "Roles selected by fewer than 7 interviewees have been excluded."
        in roles.caption
    )


def test_treemap_harms_caption_numbers(harms):
    s = harms.summary
    assert (
        s["responses_shown"],
        s["respondents"],
        s["items_shown"],
        round(s["share"] * 100),
    ) == (317, 42, 27, 75)
    assert (
        "Harms selected by fewer than 5 interviewees have been excluded."
        in harms.caption
    )


def test_treemap_report_threshold_eight_drops_the_role_with_seven(root, books):
    sel = read_selections(root / EX / "roles_selections.csv", codebook=books["roles"])
    tm = selection_treemap(sel, books["roles"], min_respondents=8, size=(5, 3))
    assert tm.summary["items_shown"] == 22 and tm.summary["responses_shown"] == 368
    assert "trauma-informed" in tm.summary["excluded"]


def test_treemap_caption_template_filled_from_summary():
    tm = selection_treemap(
        _small(),
        caption="{responses_shown} of {responses_total} ({share:.0%})",
        size=(4, 3),
    )
    assert tm.caption == "7 of 7 (100%)"


# -- thresholds -----------------------------------------------------------------


def test_treemap_threshold_by_respondents_counts_distinct_people():
    sel = read_selections(_small(), duplicates="keep")  # c chose B twice
    tm = selection_treemap(sel, min_respondents=3, size=(4, 3))
    assert tm.layout["item"].tolist() == ["A"]


def test_treemap_threshold_by_responses_counts_every_pick():
    sel = read_selections(_small(), duplicates="keep")
    tm = selection_treemap(
        sel, min_respondents=3, threshold_by="responses", size=(4, 3)
    )
    assert sorted(tm.layout["item"]) == ["A", "B"]
    assert "selected fewer than 3 times have been excluded" in tm.caption


def test_treemap_by_responses_sizes_by_picks():
    sel = read_selections(_small(), duplicates="keep")
    tm = selection_treemap(sel, by="responses", size=(4, 3))
    assert dict(zip(tm.layout["item"], tm.layout["count"], strict=True)) == {
        "A": 3,
        "B": 3,
        "C": 1,
    }
    assert dict(zip(tm.layout["item"], tm.layout["respondents"], strict=True))["B"] == 2


def test_treemap_threshold_leaving_nothing_is_an_error():
    with pytest.raises(
        InvalidInputError, match=r"no items left.*the most any has is 3"
    ):
        selection_treemap(_small(), min_respondents=4)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_treemap_bad_threshold_is_an_error(bad):
    with pytest.raises(InvalidInputError, match="min_respondents"):
        selection_treemap(_small(), min_respondents=bad)


# -- labels ---------------------------------------------------------------------


def _drawn(tm):
    fig = tm.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    rects = {p.get_gid(): p for p in ax.patches}
    return renderer, ax, rects


def test_treemap_labels_inside_their_rectangles(tm):
    renderer, ax, rects = _drawn(tm)
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    assert len(labels) == int(tm.layout["label_shown"].sum()) > 0
    for t in labels:
        box = t.get_window_extent(renderer)
        rect = rects["rect:" + t.get_gid()[len("label:") :]].get_window_extent(renderer)
        assert rect.x0 - 0.5 <= box.x0 and box.x1 <= rect.x1 + 0.5, t.get_text()
        assert rect.y0 - 0.5 <= box.y0 and box.y1 <= rect.y1 + 0.5, t.get_text()


def test_treemap_headers_inside_their_bands(tm):
    renderer, ax, rects = _drawn(tm)
    headers = [t for t in ax.texts if (t.get_gid() or "").startswith("header_label:")]
    assert headers
    for t in headers:
        box = t.get_window_extent(renderer)
        band = rects["header:" + t.get_gid()[len("header_label:") :]].get_window_extent(
            renderer
        )
        assert (
            band.x0 - 0.5 <= box.x0
            and box.x1 <= band.x1 + 0.5
            and band.y0 - 0.5 <= box.y0
        )
        assert box.y1 <= band.y1 + 0.5


def test_treemap_label_reads_item_comma_count(roles):
    row = roles.layout.set_index("item").loc["disrupt-ocgs"]
    assert row["label_text"].replace("\n", " ") == "Disrupt OCGs/USGs, 33"


def test_treemap_small_rectangles_are_abbreviated_with_a_key():
    sel = pd.DataFrame(
        {
            "respondent": [f"r{i}" for i in range(60)] + ["x"],
            "item": ["Big"] * 60
            + ["A very small item with a long label that cannot fit"],
            "category": ["P"] * 61,
        }
    )
    tm = selection_treemap(sel, size=(4, 3), noun=("role", "roles"))
    small = tm.layout.set_index("item").loc[
        "A very small item with a long label that cannot fit"
    ]
    assert small["abbreviation"] == "R1"
    keys = [t.get_text() for t in tm.figure.texts if t.get_gid() == "key"]
    assert any(
        k.replace("\n", " ").replace("\u00a0", " ").startswith("R1  A very small item")
        for k in keys
    )


def test_treemap_placeholder_counts_are_marked(roles):
    row = roles.layout.set_index("item").loc["target-drug-hotspots"]
    assert row["placeholder"] and row["label_text"].endswith("13\u2020")
    assert any("placeholder value" in t.get_text() for t in roles.figure.texts)


# -- highlight and colours ------------------------------------------------------


def test_treemap_highlight_items_drawn_orange_with_legend_and_caption(roles):
    lay = roles.layout.set_index("item")
    assert set(lay.index[lay["highlighted"]]) == {
        "protect-safeguard-vulnerable",
        "trauma-informed",
        "divert-to-support",
    }
    assert (lay.loc[lay["highlighted"], "color"] == HIGHLIGHT_COLOR).all()
    assert (lay.loc[~lay["highlighted"], "color"] != HIGHLIGHT_COLOR).all()
    assert any(t.get_text() == "Harm reduction policing" for t in roles.figure.texts)
    assert roles.caption.endswith(
        "Roles that might be categorised as harm reduction policing are highlighted "
        "in orange."
    )


def test_treemap_highlight_by_codebook_flag():
    cb = Codebook(
        [
            Code("p", "P"),
            Code("a", "A", parent="p", flags={"harm_reduction": True}),
            Code("b", "B", parent="p", flags={"harm_reduction": False}),
        ]
    )
    sel = pd.DataFrame({"respondent": ["x", "y", "y"], "item": ["a", "a", "b"]})
    tm = selection_treemap(sel, cb, highlight="harm_reduction", size=(4, 3))
    assert tm.layout.set_index("item")["highlighted"].to_dict() == {
        "a": True,
        "b": False,
    }
    assert "that might be categorised as harm reduction are highlighted" in tm.caption


def test_treemap_highlight_unknown_flag_is_an_error(books):
    sel = pd.DataFrame({"respondent": ["x"], "item": ["enforce-drug-laws"]})
    with pytest.raises(
        InvalidInputError, match=r"highlight='harm_reductoin' is not a flag"
    ):
        selection_treemap(sel, books["roles"], highlight="harm_reductoin")


def test_treemap_highlight_unknown_item_is_an_error():
    with pytest.raises(InvalidInputError, match=r"unknown item\(s\): Z"):
        selection_treemap(_small(), highlight=["A", "Z"])


def test_treemap_category_colours_from_codebook_roots(roles, books):
    expected = {r.label: r.color for r in books["roles"].roots()}
    assert (
        dict(zip(roles.categories["category"], roles.categories["color"], strict=True))
        == expected
    )


def test_treemap_repeated_root_colours_replaced(codes):
    colours = codes.categories["color"].str.lower()
    assert colours.is_unique


# -- code treemap ---------------------------------------------------------------


@pytest.fixture()
def mini():
    cb = Codebook(
        [
            Code("pursue", "Pursue"),
            Code("enforce", "Enforce", parent="pursue"),
            Code("warrants", "Warrants", parent="enforce"),
            Code("prevent", "Prevent"),
            Code("divert", "Divert", parent="prevent"),
        ]
    )
    codings = pd.DataFrame(
        {
            "transcript_id": ["t1", "t1", "t1", "t2", "t3"],
            "code": ["warrants", "warrants", "enforce", "divert", "divert"],
        }
    )
    return codings, cb


def test_treemap_code_counts_by_participants(mini):
    tm = code_treemap(*mini, size=(4, 3))
    assert dict(zip(tm.layout["item"], tm.layout["count"], strict=True)) == {
        "warrants": 1,
        "enforce": 1,
        "divert": 2,
    }
    assert tm.caption.startswith(
        "This treemap includes 5 codings from 3 interviews, representing 3 codes"
    )


def test_treemap_code_counts_by_references(mini):
    tm = code_treemap(*mini, by="references", size=(4, 3))
    assert dict(zip(tm.layout["item"], tm.layout["count"], strict=True)) == {
        "warrants": 2,
        "enforce": 1,
        "divert": 2,
    }


def test_treemap_code_level_rolls_up_to_ancestor(mini):
    tm = code_treemap(*mini, level=1, by="references", size=(4, 3))
    assert dict(zip(tm.layout["item"], tm.layout["count"], strict=True)) == {
        "enforce": 3,
        "divert": 2,
    }


def test_treemap_code_unknown_code_is_an_error(mini):
    codings, cb = mini
    codings = pd.concat(
        [codings, pd.DataFrame({"transcript_id": ["t9"], "code": ["nope"]})]
    )
    with pytest.raises(InvalidInputError, match=r"not in codebook.*nope"):
        code_treemap(codings, cb)


# -- files and determinism ------------------------------------------------------


def _png_dpi(data: bytes) -> float:
    i = data.find(b"pHYs")
    x, _, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1
    return x * 0.0254


def test_treemap_save_png_at_300_dpi(roles, tmp_path):
    path = roles.save(tmp_path / "roles.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    width, height = struct.unpack(">II", data[16:24])
    w_in, h_in = roles.figure.get_size_inches()
    assert (
        abs(width - w_in * 300) <= 1 and abs(height - h_in * 300) <= 1 and width >= 3000
    )
    assert _png_dpi(data) == pytest.approx(300, abs=0.1)


@pytest.mark.parametrize("suffix,magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_treemap_save_vector_formats(roles, tmp_path, suffix, magic):
    path = roles.save(tmp_path / f"roles{suffix}")
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 20_000


def test_treemap_save_unknown_suffix_is_an_error(roles, tmp_path):
    with pytest.raises(ExportError, match=r"unknown suffix '.gif'"):
        roles.save(tmp_path / "roles.gif")


def test_treemap_layout_is_deterministic(root, books):
    sel = read_selections(root / EX / "harms_selections.csv", codebook=books["harms"])
    a = selection_treemap(sel, books["harms"], min_respondents=5)
    b = selection_treemap(
        sel.sample(frac=1, random_state=1), books["harms"], min_respondents=5
    )
    pd.testing.assert_frame_equal(a.layout, b.layout)


def test_treemap_svg_bytes_reproducible(tmp_path):
    one = selection_treemap(_small(), size=(4, 3)).save(tmp_path / "a.svg").read_bytes()
    two = selection_treemap(_small(), size=(4, 3)).save(tmp_path / "b.svg").read_bytes()
    assert one == two


def test_treemap_repr_png_for_notebooks():
    png = selection_treemap(_small(), size=(4, 3))._repr_png_()
    assert png[:4] == b"\x89PNG" and zlib is not None


def test_issue16_treemap_save_crash_keeps_previous_file(tmp_path, monkeypatch):
    sel = pd.DataFrame(
        {"respondent": ["a", "b"], "item": ["X", "Y"], "category": ["P", "Q"]}
    )
    tm = selection_treemap(sel, size=(3, 2))
    out = tmp_path / "fig.png"
    out.write_bytes(b"previous figure")

    def half(path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(tm.figure, "savefig", half)
    with pytest.raises(KeyboardInterrupt):
        tm.save(out)
    assert out.read_bytes() == b"previous figure"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]
