"""The leak check as an independent second line: formats, speed, markup, containers."""

from __future__ import annotations

import pytest

from qualcode.anonymise import PseudonymKey, check_leaks

KEY = PseudonymKey(
    [
        ("Smith", "Person B", "person"),
        ("Zoë", "Person C", "person"),
        ("O'Brien", "Person D", "person"),
        ("Nowak", "Person E", "person"),
        ("Christina Marsh", "Person A", "person"),
        ("Christina", "Person A", "person"),
    ]
)


# --------------------------------------------------------------------------
# what counts as a transcript file comes from qualcode.io
# --------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".webvtt", ".text"])
def test_anonymise_leaks_reads_every_transcript_suffix_as_text(tmp_path, suffix):
    # read_transcript reads .webvtt and .text; a UTF-16 one must be decoded as
    # text, not scanned as raw bytes where the name is spread over zero bytes
    p = tmp_path / f"int01{suffix}"
    p.write_bytes(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nSmith said so.\n".encode("utf-16")
    )
    leaks = check_leaks(p, KEY, detectors=())
    assert leaks["original"].tolist() == ["Smith"]
    assert leaks["layer"].tolist() == ["text"]
