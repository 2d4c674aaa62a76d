"""The public helpers of qualcode.io that other packages build on."""

from __future__ import annotations

import pytest

import qualcode.io as qio
from qualcode.errors import ImportFormatError


def test_io_suffixes_include_webvtt_and_are_the_corpus_suffixes():
    from qualcode import corpus

    assert qio.SUFFIXES[".webvtt"] == "vtt"
    assert set(qio.SUFFIXES.values()) == set(qio.FORMATS)
    assert corpus.TRANSCRIPT_SUFFIXES == tuple(qio.SUFFIXES)


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("IV", "interviewer"),
        ("Question", "interviewer"),
        ("Interviewer 2", "interviewer"),
        ("Sam Reid (Researcher)", "interviewer"),
        ("P1", "participant"),
        ("Alex Khan", "participant"),
        (None, None),
        ("", None),
    ],
)
def test_io_role_of_matches_the_readers(label, role):
    assert qio.role_of(label) == role


def test_io_role_of_default_none_leaves_non_interviewers_open():
    assert qio.role_of("Alex Khan", default=None) is None
    assert qio.role_of("IV", default=None) == "interviewer"


def test_io_role_of_agrees_with_read_transcript(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("IV: How long?\nR: Ten years.\nIV: Thanks.\nR: Bye.\n")
    t = qio.read_transcript(p)
    assert [(u.speaker, u.role) for u in t.turns] == [
        (u.speaker, qio.role_of(u.speaker)) for u in t.turns
    ]


def test_io_read_text_uses_the_transcript_decoding_rule(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("transcript_id,site\r\nint01,Zoë\r\n".encode("utf-16"))
    d = qio.read_text(p)
    assert (d.text, d.encoding) == ("transcript_id,site\nint01,Zoë\n", "utf-16")


def test_io_read_text_missing_file_is_import_error(tmp_path):
    with pytest.raises(ImportFormatError, match=r"\[QC201\]"):
        qio.read_text(tmp_path / "nope.csv")


def test_io_attribute_reader_lives_in_io_and_corpus_reexports_it():
    from qualcode.corpus import read_attributes as from_corpus
    from qualcode.io.attributes import read_attributes

    assert from_corpus is read_attributes
