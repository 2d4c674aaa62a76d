"""Importer errors and warnings name the place, never the words (issue 22)."""

from __future__ import annotations

import warnings

import pytest

from qualcode import read_corpus, read_transcript
from qualcode.errors import ImportFormatError, ImportWarning_

SECRET = "Zoë Marsh told me about Nowak"
WORDS = ("Zoë", "Marsh", "Nowak", "told")


def _clean(message: str) -> bool:
    return not any(w in message for w in WORDS)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.vtt", f"WEBVTT\n\n{SECRET}\nmore words\n", "QC216"),
        ("b.vtt", f"{SECRET}\n\n00:00:01.000 --> 00:00:02.000\nHi.\n", "QC212"),
        ("c.vtt", f"WEBVTT\n\n{SECRET} --> 00:00:02.000\nHi.\n", "QC210"),
        ("d.srt", f"1\n{SECRET}\nHi.\n", "QC216"),
        ("e.vtt", "WEBVTT\n\nZoë --> Marsh\nHi.\n", "QC210"),
    ],
    ids=["no-timing", "no-header", "text-in-timing", "srt-no-timing", "word-stamps"],
)
def test_issue22_caption_errors_do_not_quote_the_file(tmp_path, name, content, code):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=rf"\[{code}\].*{name}, line") as info:
        read_transcript(p)
    assert _clean(str(info.value)), str(info.value)


def test_issue22_skipped_cue_warning_does_not_quote_the_file(tmp_path):
    p = tmp_path / "a.vtt"
    p.write_text(
        f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nFine.\n\n{SECRET}\nmore\n",
        encoding="utf-8",
    )
    with pytest.warns(ImportWarning_, match=r"\[QC219\].*line 6") as rec:
        read_transcript(p, strict=False)
    assert all(_clean(str(w.message)) for w in rec)


def test_issue22_corpus_skip_warning_does_not_quote_the_file(tmp_path):
    (tmp_path / "good.txt").write_text("I: Hello?\nP1: Hi.\n")
    (tmp_path / "bad.vtt").write_text(f"{SECRET}\n\nno cues\n", encoding="utf-8")
    with pytest.warns(ImportWarning_, match=r"\[QC221\].*bad\.vtt") as rec:
        read_corpus(tmp_path, on_error="skip")
    assert all(_clean(str(w.message)) for w in rec)


def test_messages_timestamp_shaped_token_is_still_shown(tmp_path):
    # a malformed time stamp is not transcript text: showing it helps the fix
    p = tmp_path / "s.vtt"
    p.write_text("WEBVTT\n\n00:00:0x.000 --> 00:00:02.000\nHi.\n")
    with pytest.raises(ImportFormatError, match=r"'00:00:0x\.000'"):
        read_transcript(p)


def test_messages_unexpected_failure_names_only_the_exception_type(
    tmp_path, monkeypatch
):
    import qualcode.io.txt as txt

    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(txt, "parse_text", boom)
    p = tmp_path / "t.txt"
    p.write_text("I: Hello?\n")
    with pytest.raises(ImportFormatError, match=r"\[QC222\].*RuntimeError") as info:
        with warnings.catch_warnings():
            read_transcript(p)
    assert _clean(str(info.value))
