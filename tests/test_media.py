"""Media-synced transcripts (issue 20): the ``media`` attribute, where it points,
the coding widget's recording, players in the HTML view and HTML quote banks.

Browser checks (clicking a play control seeks the recording) are in
``tests/test_widget_browser.py``.
"""

from __future__ import annotations

import re
import shutil
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import qualcode as qc
from qualcode.errors import InvalidInputError, MediaWarning
from qualcode.media import find_media, link_media, turn_times
from qualcode.model import Transcript, TurnDraft
from qualcode.widget import CodingSession, coding_widget, export_html

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "demo"
SECRET = "Zanzibarquill"  # a transcript word that must never reach a message
CODEBOOK = {"name": "roles", "codes": [{"id": "pursue", "label": "Pursue"}]}


def _transcript(tid: str = "INT01", media: str | None = None, **kw) -> Transcript:
    attrs = {"media": media} if media is not None else {}
    return Transcript.build(
        tid,
        [
            TurnDraft("What do you do?", "Interviewer", "interviewer", 0.0, 4.0),
            TurnDraft(f"We arrest {SECRET} dealers.", "P1", "participant", 4.5),
            TurnDraft("And then?", "Interviewer", "interviewer", 12.25, 14.0),
            TurnDraft("We divert people.", "P1", "participant"),
        ],
        attributes=attrs,
        **kw,
    )


def _project(folder: Path, *transcripts: Transcript) -> qc.Project:
    p = qc.Project(folder / "study.qcproj")
    p.add_transcripts(list(transcripts) or [_transcript()])
    p.set_codebook(qc.Codebook.from_dict(CODEBOOK))
    return p


# -- the attribute ------------------------------------------------------------------
def test_media_transcript_property_is_the_media_attribute():
    t = _transcript(media=" audio/int01.mp3 ")
    assert t.media == "audio/int01.mp3"
    assert _transcript().media is None
    assert _transcript(media="  ").media is None


def test_media_read_transcript_keeps_a_path_relative_to_the_transcript(tmp_path):
    (tmp_path / "int01.txt").write_text("I: Hi?\nP1: Yes.\n", encoding="utf-8")
    t = qc.read_transcript(tmp_path / "int01.txt", media="audio/int01.mp3")
    assert t.media == "audio/int01.mp3"
    assert t.attributes["media"] == "audio/int01.mp3"


def test_media_read_transcript_rewrites_a_path_from_the_working_directory(
    tmp_path, monkeypatch
):
    (tmp_path / "texts").mkdir()
    (tmp_path / "audio").mkdir()
    (tmp_path / "texts" / "int01.txt").write_text("I: Hi?\nP1: Yes.\n")
    (tmp_path / "audio" / "int01.mp3").write_bytes(b"ID3")
    monkeypatch.chdir(tmp_path)
    t = qc.read_transcript("texts/int01.txt", media="audio/int01.mp3")
    assert t.media == "../audio/int01.mp3"
    assert find_media(t).path.resolve() == (tmp_path / "audio" / "int01.mp3")


def test_media_read_transcript_keeps_an_absolute_path(tmp_path):
    (tmp_path / "int01.txt").write_text("I: Hi?\nP1: Yes.\n")
    audio = tmp_path / "elsewhere" / "int01.wav"
    t = qc.read_transcript(tmp_path / "int01.txt", media=audio)
    assert t.media == str(audio)


@pytest.mark.parametrize("bad", [3, "", "  ", "a\x00.mp3"])
def test_media_read_transcript_refuses_a_bad_media_value(tmp_path, bad):
    (tmp_path / "int01.txt").write_text("I: Hi?\nP1: Yes.\n")
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*'media'"):
        qc.read_transcript(tmp_path / "int01.txt", media=bad)


def test_media_attributes_column_is_relative_to_the_attributes_file(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "meta").mkdir()
    (tmp_path / "audio").mkdir()
    (tmp_path / "texts" / "int01.txt").write_text("I: Hi?\nP1: Yes.\n")
    (tmp_path / "texts" / "int02.txt").write_text("I: Hi?\nP2: No.\n")
    (tmp_path / "audio" / "int01.m4a").write_bytes(b"....ftyp")
    (tmp_path / "meta" / "attributes.csv").write_text(
        "transcript_id,role,media\nint01,partner,../audio/int01.m4a\nint02,partner,\n"
    )
    corpus = qc.read_corpus(
        tmp_path / "texts", attributes=tmp_path / "meta" / "attributes.csv"
    )
    assert corpus["int01"].media == "../audio/int01.m4a"
    assert corpus["int02"].media is None
    found = find_media(corpus["int01"])
    assert found.playable and found.kind == "audio"
    assert found.path.resolve() == (tmp_path / "audio" / "int01.m4a")


def test_media_demo_int08_names_its_recording():
    corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
    found = find_media(corpus["INT08"])
    assert corpus["INT08"].media == "INT08.opus"
    assert found.playable and found.path == DEMO / "INT08.opus"
    assert [t.id for t in corpus if t.media] == ["INT08"]


def test_media_relative_path_looks_in_the_project_folder_first(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "int01.mp3").write_bytes(b"corpus copy")
    (tmp_path / "int01.mp3").write_bytes(b"project copy")
    t = _transcript(media="int01.mp3", source=str(tmp_path / "corpus" / "int01.txt"))
    with _project(tmp_path, t) as p:
        stored = p.transcript("INT01")
        assert find_media(stored, folder=p).path == tmp_path / "int01.mp3"
    (tmp_path / "int01.mp3").unlink()
    assert find_media(stored, folder=tmp_path).path == (
        tmp_path / "corpus" / "int01.mp3"
    )


def test_media_set_attributes_links_a_recording_later(tmp_path):
    (tmp_path / "int01.ogg").write_bytes(b"OggS")
    with _project(tmp_path) as p:
        p.set_attributes({"INT01": {"media": "int01.ogg"}})
        w = coding_widget(p, coder="AB")
        assert w.transcript["media"]["status"] == "ok"
        assert w.media == b"OggS"


@pytest.mark.parametrize("given", ["/etc/passwd", "notes.txt", "key.pem"])
def test_media_only_audio_and_video_suffixes_are_played(tmp_path, given):
    (tmp_path / "notes.txt").write_text("private")
    (tmp_path / "key.pem").write_text("private")
    found = find_media(_transcript(media=given), folder=tmp_path)
    assert found.kind is None and found.path is None and not found.playable
    assert "[QC933]" in found.problem("export_html")


def test_media_turn_times_end_at_the_next_timed_turn():
    assert turn_times(_transcript()) == [
        (0.0, 4.0),
        (4.5, 12.25),
        (12.25, 14.0),
        (None, None),
    ]


def test_media_refi_round_trip_keeps_the_media_attribute(tmp_path):
    pytest.importorskip("lxml")
    (tmp_path / "int01.opus").write_bytes(b"OggS")
    with _project(tmp_path, _transcript(media="int01.opus")) as p:
        qc.write_qdpx(p, tmp_path / "study.qdpx")
    with qc.read_qdpx(tmp_path / "study.qdpx") as back:
        assert back.transcript("INT01").media == "int01.opus"


# -- the coding widget ----------------------------------------------------------------
def test_media_widget_sends_the_recording_and_turn_times(tmp_path):
    (tmp_path / "int01.ogg").write_bytes(b"OggS fake opus bytes")
    with _project(tmp_path, _transcript(media="int01.ogg")) as p:
        w = coding_widget(p, coder="AB")
        info = w.transcript["media"]
        assert info == {
            "status": "ok",
            "kind": "audio",
            "mime": "audio/ogg",
            "name": "int01.ogg",
            "size": 20,
            "notice": "",
        }
        assert w.media == b"OggS fake opus bytes"
        assert [(u["time_start"], u["play_end"]) for u in w.turns] == [
            (0.0, 4.0),
            (4.5, 12.25),
            (12.25, 14.0),
            (None, None),
        ]


def test_media_widget_without_media_sends_nothing(tmp_path):
    with _project(tmp_path) as p:
        w = coding_widget(p, coder="AB")
        assert w.transcript["media"]["status"] == "none"
        assert w.media == b""


def test_media_widget_missing_file_opens_with_a_notice_and_a_warning(tmp_path):
    t = _transcript(media="gone/int01.mp3")
    with _project(tmp_path, t) as p:
        with pytest.warns(MediaWarning, match=r"\[QC932\].*'INT01'.*gone/int01.mp3"):
            w = coding_widget(p, coder="AB")
        info = w.transcript["media"]
        assert info["status"] == "missing" and "[QC932]" in info["notice"]
        assert w.media == b""
        cid = w.apply_code_to_turn("pursue", 1)  # nothing else breaks
        assert p.codings()["coding_id"].tolist() == [cid]


def test_media_warnings_never_quote_the_transcript(tmp_path):
    with _project(tmp_path, _transcript(media="gone.mp3")) as p:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            coding_widget(p, coder="AB")
            export_html(p, tmp_path / "view.html")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert all(SECRET not in m and "INT01" in m for m in messages)


def test_media_widget_warns_once_per_transcript(tmp_path):
    ts = [_transcript("INT01", media="gone.mp3"), _transcript("INT02")]
    with _project(tmp_path, *ts) as p:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = coding_widget(p, coder="AB")
            w.next_transcript()
            w.previous_transcript()
    assert [type(c.message) for c in caught] == [MediaWarning]


def test_media_widget_over_the_limit_is_not_sent(tmp_path, monkeypatch):
    (tmp_path / "int01.mp3").write_bytes(b"x" * 2048)
    monkeypatch.setattr(CodingSession, "media_limit", 1024)
    with _project(tmp_path, _transcript(media="int01.mp3")) as p:
        with pytest.warns(MediaWarning, match=r"\[QC934\].*'INT01'.*export_html"):
            w = coding_widget(p, coder="AB")
        assert w.transcript["media"]["status"] == "too_large"
        assert w.media == b""


def test_media_widget_unreadable_file_opens_with_a_notice(tmp_path, monkeypatch):
    audio = tmp_path / "int01.mp3"
    audio.write_bytes(b"ID3")
    real = Path.read_bytes

    def refuse(self):
        if self.name == "int01.mp3":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with _project(tmp_path, _transcript(media="int01.mp3")) as p:
        with pytest.warns(MediaWarning, match=r"\[QC935\].*'INT01'.*Permission"):
            w = coding_widget(p, coder="AB")
        assert w.transcript["media"]["status"] == "missing"
        assert "[QC935]" in w.transcript["media"]["notice"]
        assert w.media == b""


def test_media_widget_navigation_changes_the_recording(tmp_path):
    (tmp_path / "a.ogg").write_bytes(b"OggS first")
    ts = [_transcript("INT01", media="a.ogg"), _transcript("INT02")]
    with _project(tmp_path, *ts) as p:
        w = coding_widget(p, coder="AB")
        assert w.media == b"OggS first"
        w.next_transcript()
        assert w.media == b"" and w.transcript["media"]["status"] == "none"
        w.previous_transcript()
        assert w.media == b"OggS first"


def test_media_widget_video_is_a_video(tmp_path):
    (tmp_path / "int01.webm").write_bytes(b"\x1aE\xdf\xa3")
    with _project(tmp_path, _transcript(media="int01.webm")) as p:
        w = coding_widget(p, coder="AB")
        assert w.transcript["media"]["kind"] == "video"
        assert w.transcript["media"]["mime"] == "video/webm"


# -- the HTML view ------------------------------------------------------------------
def test_media_export_html_copies_the_recording_and_links_each_timed_turn(tmp_path):
    (tmp_path / "int01.opus").write_bytes(b"OggS opus")
    out = tmp_path / "shared"
    out.mkdir()
    with _project(tmp_path, _transcript(media="int01.opus")) as p:
        page = export_html(p, out / "coded.html").read_text(encoding="utf-8")
    assert (out / "int01.opus").read_bytes() == b"OggS opus"
    assert (
        '<audio class="qc-media" controls preload="metadata" src="int01.opus"' in page
    )
    links = re.findall(r'<a class="qc-play" href="([^"]+)" data-t="([^"]+)"', page)
    assert links == [
        ("int01.opus#t=0", "0"),
        ("int01.opus#t=4.5", "4.5"),
        ("int01.opus#t=12.25", "12.25"),
    ]
    assert 'data-t="4.5" data-end="12.25"' in page
    assert "media-src 'self'" in page


def test_media_export_html_without_media(tmp_path):
    (tmp_path / "int01.opus").write_bytes(b"OggS")
    out = tmp_path / "shared"
    out.mkdir()
    with _project(tmp_path, _transcript(media="int01.opus")) as p:
        page = export_html(p, out / "coded.html", media=False).read_text()
    assert "qc-play" not in page.split("</style>")[1].split("<script>")[0]
    assert "<audio" not in page and not (out / "int01.opus").exists()
    assert "media-src" not in page


def test_media_export_html_missing_recording_still_writes(tmp_path):
    with _project(tmp_path, _transcript(media="gone.mp3")) as p:
        with pytest.warns(MediaWarning, match=r"\[QC932\].*export_html.*'INT01'"):
            page = export_html(p, tmp_path / "v.html").read_text(encoding="utf-8")
    assert "<audio" not in page and "We divert people." in page


def test_media_export_html_never_overwrites_a_different_file(tmp_path):
    (tmp_path / "int01.mp3").write_bytes(b"the recording")
    out = tmp_path / "shared"
    out.mkdir()
    (out / "int01.mp3").write_bytes(b"someone else's file")
    with _project(tmp_path, _transcript(media="int01.mp3")) as p:
        page = export_html(p, out / "coded.html").read_text(encoding="utf-8")
        export_html(p, out / "again.html")  # the same copy is reused
    assert (out / "int01.mp3").read_bytes() == b"someone else's file"
    assert (out / "int01-2.mp3").read_bytes() == b"the recording"
    assert 'src="int01-2.mp3"' in page
    assert sorted(f.name for f in out.iterdir()) == [
        "again.html",
        "coded.html",
        "int01-2.mp3",
        "int01.mp3",
    ]


def test_media_two_recordings_with_one_name_both_play(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "audio.mp3").write_bytes(sub.encode())
    ts = [
        _transcript("INT01", media="a/audio.mp3"),
        _transcript("INT02", "b/audio.mp3"),
    ]
    out = tmp_path / "shared"
    out.mkdir()
    with _project(tmp_path, *ts) as p:
        links = link_media(p, out / "v.html")
    assert {k: v.src for k, v in links.items()} == {
        "INT01": "audio.mp3",
        "INT02": "audio-2.mp3",
    }
    assert (out / "audio-2.mp3").read_bytes() == b"b"


def test_media_export_html_video_uses_a_video_element(tmp_path):
    (tmp_path / "int01.mp4").write_bytes(b"....ftypisom")
    out = tmp_path / "shared"
    out.mkdir()
    with _project(tmp_path, _transcript(media="int01.mp4")) as p:
        page = export_html(p, out / "v.html").read_text(encoding="utf-8")
    assert '<video class="qc-media" controls' in page and "<audio" not in page


def test_media_export_html_crash_keeps_previous_file(tmp_path, monkeypatch):
    from qualcode.widget import _html

    def half_write(page, path):
        path.write_bytes(b"<!DOCTYPE html><html><bo")
        raise KeyboardInterrupt

    out = tmp_path / "coded.html"
    out.write_bytes(b"previous export")
    monkeypatch.setattr(_html, "_write", half_write)
    with _project(tmp_path) as p, pytest.raises(KeyboardInterrupt):
        export_html(p, out)
    assert out.read_bytes() == b"previous export"
    assert sorted(f.name for f in tmp_path.iterdir() if "coded" in f.name) == [
        "coded.html"
    ]


# -- HTML quote banks ---------------------------------------------------------------
def test_media_quote_bank_html_plays_each_quote_from_its_turn(tmp_path):
    (tmp_path / "int01.ogg").write_bytes(b"OggS")
    out = tmp_path / "bank"
    out.mkdir()
    t = _transcript(media="int01.ogg")
    with _project(tmp_path, t) as p:
        u = t.turns[1]
        p.add_coding("INT01", u.start + 3, u.start + 9, "pursue", "AB")
        p.code_turn("INT01", 2, "pursue", "AB")
        page = qc.export_extracts(p, out / "bank.html").read_text(encoding="utf-8")
    srcs = re.findall(
        r'<audio class="qc-player" controls preload="none" src="([^"]+)"', page
    )
    assert srcs == ["int01.ogg#t=4.5,12.25", "int01.ogg#t=12.25,14"]
    assert (out / "int01.ogg").read_bytes() == b"OggS"


def test_media_quote_bank_without_times_or_media_has_no_player(tmp_path):
    with _project(tmp_path) as p:
        p.code_turn("INT01", 1, "pursue", "AB")
        page = qc.export_extracts(p, tmp_path / "bank.html").read_text()
    assert "<audio" not in page and "<video" not in page


def test_media_quote_bank_from_a_frame_without_transcripts(tmp_path):
    codings = pd.DataFrame(
        {
            "transcript_id": ["INT01"],
            "start": [0],
            "end": [5],
            "code": ["pursue"],
            "text": ["We do"],
            "media": ["int01.mp3"],
        }
    )
    page = qc.export_extracts(codings, tmp_path / "bank.html").read_text()
    assert "<audio" not in page


# -- hostile paths -----------------------------------------------------------------
HOSTILE = '"><img src=x onerror=alert(1)><audio src="x'


@pytest.mark.skipif(sys.platform == "win32", reason="needs <, > and quotes in names")
def test_media_hostile_file_name_is_escaped_and_renamed(tmp_path):
    name = HOSTILE + ".mp3"
    (tmp_path / name).write_bytes(b"ID3")
    out = tmp_path / "shared"
    out.mkdir()
    t = _transcript(media=name)
    with _project(tmp_path, t) as p:
        p.code_turn("INT01", 1, "pursue", "AB")
        view = export_html(p, out / "v.html").read_text(encoding="utf-8")
        bank = qc.export_extracts(p, out / "b.html").read_text(encoding="utf-8")
    for page in (view, bank):
        assert "<img" not in page and "<audio src" not in page
        urls = re.findall(r'(?:src|href)="([^"#]*)', page)
        assert all(re.fullmatch(r"[A-Za-z0-9._-]*", u) for u in urls), urls
    copied = [f.name for f in out.iterdir() if f.suffix == ".mp3"]
    assert copied == ["img_src_x_onerror_alert_1_audio_src_x.mp3"]


@pytest.mark.parametrize(
    "given",
    [
        "javascript:alert(1)//.mp3",
        'x.mp3" onerror="alert(1)',
        "https://evil.example/a.mp3",
        "data:audio/mpeg;base64,SUQz",
    ],
)
def test_media_hostile_media_value_never_reaches_a_src(tmp_path, given):
    with _project(tmp_path, _transcript(media=given)) as p:
        p.code_turn("INT01", 1, "pursue", "AB")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MediaWarning)
            view = export_html(p, tmp_path / "v.html").read_text(encoding="utf-8")
            bank = qc.export_extracts(p, tmp_path / "b.html").read_text()
            w = coding_widget(p, coder="AB")
    assert w.media == b"" and w.transcript["media"]["status"] != "ok"
    for page in (view, bank):
        assert "<audio" not in page and 'onerror="' not in page
        assert "javascript:" not in " ".join(re.findall(r'(?:src|href)="[^"]*', page))


def test_media_demo_quote_bank_gets_the_recording(tmp_path):
    corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
    t = corpus["INT08"]
    with qc.Project(tmp_path / "demo.qcproj") as p:
        p.add_transcripts([t])
        p.code_turn("INT08", 3, "pursue", "AB")
        page = qc.export_extracts(p, tmp_path / "out" / "bank.html").read_text()
    start, end = turn_times(t)[3]
    assert f'src="INT08.opus#t={start:g},{end:g}"' in page
    assert (tmp_path / "out" / "INT08.opus").stat().st_size == (
        DEMO / "INT08.opus"
    ).stat().st_size
    shutil.rmtree(tmp_path / "out")


def test_media_export_html_never_prints_the_local_path(tmp_path):
    private = tmp_path / "home" / "alice" / "interviews"
    private.mkdir(parents=True)
    (private / "int01.mp3").write_bytes(b"ID3")
    out = tmp_path / "shared"
    out.mkdir()
    with _project(tmp_path, _transcript(media=str(private / "int01.mp3"))) as p:
        page = export_html(p, out / "v.html").read_text(encoding="utf-8")
    assert "alice" not in page and 'src="int01.mp3"' in page
