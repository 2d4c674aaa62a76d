"""Re-anchoring codings when a transcript's text changes (unit + property tests)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.model import Transcript
from qualcode.store import Project
from qualcode.store._anchor import PositionMap, reanchor


def test_store_anchor_position_map_shifts_equal_blocks():
    old = "one\ntwo\nthree\n"
    new = "zero\none\ntwo\nthree\n"
    m = PositionMap(old, new)
    assert [m(old.index(w)) for w in ("one", "two", "three")] == [
        new.index(w) for w in ("one", "two", "three")
    ]


def test_store_anchor_gone_quote_is_none():
    assert reanchor("abc def", "abc", [(4, 7)]) == [None]


def test_store_anchor_same_text_keeps_offsets():
    assert reanchor("abc", "abc", [(0, 2), (1, 3)]) == [0, 1]


# Small alphabet (with an astral character and newlines) so quotes repeat often
# and edits hit them.
ALPHABET = "ab \n😀é"
text_st = st.text(alphabet=ALPHABET, min_size=1, max_size=60)
edit_st = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.text(alphabet=ALPHABET, max_size=8),
)


def _apply(text: str, edits) -> str:
    for kind, a, b, s in edits:
        i = int(a * len(text))
        j = min(len(text), i + int(b * 10))
        if kind == "insert":
            text = text[:i] + s + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        else:
            text = text[:i] + s + text[j:]
    return text or "x"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=text_st,
    spans=st.lists(
        st.tuples(st.floats(0, 1), st.integers(1, 12)), min_size=1, max_size=8
    ),
    edits=st.lists(edit_st, min_size=1, max_size=6),
)
def test_store_anchor_property_surviving_codings_keep_their_quote(text, spans, edits):
    """After any edits and a re-add, every surviving coding's text is its quote."""
    with tempfile.TemporaryDirectory() as d, Project(Path(d) / "p.qcproj") as p:
        p.add_transcripts([Transcript("t", text)])
        quotes = {}
        for k, (a, width) in enumerate(spans):
            s = min(int(a * len(text)), len(text) - 1)
            e = min(len(text), s + width)
            cid = p.add_coding("t", s, e, f"c{k}", "ana")
            quotes[cid] = text[s:e]
        new = _apply(text, edits)
        rep = p.add_transcripts([Transcript("t", new)])
        df = p.codings()
        assert p.transcript("t").text == new
        for r in df.itertuples():
            assert r.text == new[r.start : r.end] == quotes[r.coding_id]
        orphans = p.orphans()
        assert set(df["coding_id"]) | set(orphans["coding_id"]) == set(quotes)
        assert not set(df["coding_id"]) & set(orphans["coding_id"])
        if new != text:
            assert rep.loc[0, "reanchored"] + rep.loc[0, "orphaned"] == len(quotes)
        for r in orphans.itertuples():
            assert r.quote == quotes[r.coding_id]
            assert r.quote not in new  # an orphan really has nowhere to go
