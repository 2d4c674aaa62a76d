"""The read-only HTML view: escaping, exact spans, self-containment, export."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

import qualcode as qc
from qualcode.errors import ExportError, InvalidInputError, StoreError
from qualcode.model import Transcript, TurnDraft
from qualcode.widget import export_html, render_html

EVIL = '<script>alert("x")</script>'


@pytest.fixture()
def project(tmp_path):
    t1 = Transcript.build(
        "INT01",
        [
            TurnDraft(f"Question {EVIL}?", "Interviewer", "interviewer", 0.0, 3.0),
            TurnDraft(
                "We 🚔 arrested <b>three</b> dealers & seized cash. "
                "Then we diverted users.",
                "P1 <i>",
                "participant",
                83.0,
                99.0,
            ),
        ],
        attributes={"organisation": "Force <A>"},
    )
    t2 = Transcript.build(
        "INT02", [TurnDraft("Safeguarding first.", "P2", "participant")]
    )
    p = qc.Project(tmp_path / "h.qcproj")
    p.add_transcripts([t1, t2])
    p.set_codebook(
        qc.Codebook.from_dict(
            {
                "name": "roles",
                "version": "1.0.0",
                "codes": [
                    {"id": "pursue", "label": "Pursue <enforce>", "color": "#0072B2"},
                    {"id": "arrest", "label": "Arrest", "parent": "pursue"},
                    {"id": "divert", "label": "Divert", "color": "#009E73"},
                ],
            }
        )
    )
    u = t1.turns[1]

    def span(needle):
        i = u.text.index(needle)
        return u.start + i, u.start + i + len(needle)

    # overlapping codings by two coders, one with a hostile memo
    p.add_coding(
        "INT01", *span("arrested <b>three</b> dealers"), "arrest", "AB", memo=EVIL
    )
    p.add_coding("INT01", *span("dealers & seized cash"), "pursue", "AB")
    p.add_coding("INT01", *span("diverted users"), "divert", "CD")
    p.code_turn("INT01", 1, "pursue", "CD")
    p.code_turn("INT02", 0, "divert", "AB")
    yield p
    p.close()


class _Segments(HTMLParser):
    """Collects each highlighted segment's coding indexes and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments: list[tuple[list[int], str]] = []
        self._open: list[int] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and "qc-seg" in (a.get("class") or ""):
            self._open = [int(k) for k in (a.get("data-k") or "").split()]
            self.segments.append((self._open, ""))

    def handle_endtag(self, tag):
        if tag == "span":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            ks, text = self.segments[-1]
            self.segments[-1] = (ks, text + data)


def _coding_order(project, transcript_ids, coders):
    """Codings in the order the page registers them (transcript, then coding id)."""
    df = project.codings(transcript_id=transcript_ids)
    df = df[df["coder"].isin(coders)]
    out = []
    for tid in transcript_ids:
        out.extend(df[df["transcript_id"] == tid]["text"].tolist())
    return out


def test_widget_render_html_escapes_every_text(project):
    page = render_html(project, "INT01")
    assert EVIL not in page and "<b>three</b>" not in page and "P1 <i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Pursue &lt;enforce&gt;" in page and "Force &lt;A&gt;" in page


def test_widget_render_html_highlights_every_coding_span_exactly(project):
    page = render_html(project, "INT01")
    parser = _Segments()
    parser.feed(page)
    expected = _coding_order(project, ["INT01"], ["AB", "CD"])
    got = [
        "".join(text for ks, text in parser.segments if k in ks)
        for k in range(len(expected))
    ]
    assert got == expected


def test_widget_render_html_keeps_whole_text_of_each_turn(project):
    parser = _Segments()
    parser.feed(render_html(project, "INT01"))
    assert "".join(text for _ks, text in parser.segments) == "".join(
        u.text for u in project.transcript("INT01").turns
    )


def test_widget_render_html_is_self_contained(project):
    page = render_html(project, "INT01")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "<link" not in page and "@import" not in page
    assert "default-src 'none'" in page


def test_widget_render_html_script_is_allowed_by_its_hash_only(project):
    page = render_html(project, "INT01")
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert len(scripts) == 1 and f"script-src 'sha256-{digest}'" in page


def test_widget_render_html_legend_lists_codes_used_with_counts(project):
    page = render_html(project, "INT01")
    legend = re.search(
        r'<div class="qc-legend"[^>]*>(.*?)</div>', page, flags=re.S
    ).group(1)
    labels = re.findall(r"</span>([^<]+) \((\d+)\)</span>", legend)
    assert labels == [("Pursue &lt;enforce&gt;", "2"), ("Arrest", "1"), ("Divert", "1")]


def test_widget_render_html_shows_speaker_role_and_time(project):
    page = render_html(project, "INT01")
    assert (
        '<span class="qc-speaker">P1 &lt;i&gt;</span>'
        '<span class="qc-role">participant</span>'
        '<span class="qc-time">00:01:23</span>'
    ) in page


def test_widget_render_html_shows_memos_escaped(project):
    page = render_html(project, "INT01")
    assert '<span class="qc-memo">&lt;script&gt;' in page


def test_widget_render_html_coders_limits_what_is_shown(project):
    page = render_html(project, "INT01", coders=["AB"])
    parser = _Segments()
    parser.feed(page)
    n_highlighted = len({k for ks, _t in parser.segments for k in ks})
    assert (n_highlighted, page.count('class="qc-bar"')) == (2, 2)


def test_widget_render_html_unknown_coder_raises(project):
    with pytest.raises(
        InvalidInputError, match=r"\[QC927\].*coders='ZZ'.*\['AB', 'CD'\]"
    ):
        render_html(project, "INT01", coders="ZZ")


def test_widget_render_html_unknown_transcript_raises(project):
    with pytest.raises(StoreError, match=r"\[QC402\].*'INT99'"):
        render_html(project, "INT99")


def test_widget_export_html_writes_every_transcript(project, tmp_path):
    path = export_html(project, tmp_path / "coded.html")
    page = path.read_text(encoding="utf-8")
    parser = _Segments()
    parser.feed(page)
    expected = _coding_order(project, ["INT01", "INT02"], ["AB", "CD"])
    got = [
        "".join(text for ks, text in parser.segments if k in ks)
        for k in range(len(expected))
    ]
    assert (page.count('<section class="qc-transcript"'), got) == (2, expected)


def test_widget_export_html_selected_transcripts_only(project, tmp_path):
    page = export_html(
        project, tmp_path / "one.html", transcript_ids="INT02"
    ).read_text(encoding="utf-8")
    assert 'id="t-INT02"' in page and 'id="t-INT01"' not in page


def test_widget_export_html_wrong_suffix_raises(project, tmp_path):
    with pytest.raises(ExportError, match=r"\[QC929\].*coded.pdf.*'.pdf'"):
        export_html(project, tmp_path / "coded.pdf")


def test_widget_export_html_unwritable_path_raises(project, tmp_path):
    with pytest.raises(ExportError, match=r"\[QC929\].*missing"):
        export_html(project, tmp_path / "missing" / "coded.html")


def test_widget_render_html_header_names_each_codebook_once(project):
    """A project with two codebooks: 'roles 1.0.0, harms 2' (was both names, then
    the combined version key 'roles@1.0.0+harms@2')."""
    project.set_codebook(
        qc.Codebook.from_dict(
            {"name": "harms", "version": "2", "codes": [{"id": "harm", "label": "H"}]}
        )
    )
    html = render_html(project, "INT01")
    meta = re.search(r'<p class="qc-meta">(.*?)</p>', html).group(1)
    assert "codebook roles 1.0.0, harms 2 ·" in meta
    assert "@" not in meta
