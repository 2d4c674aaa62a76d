"""Filters that match nothing say so (issue 16.5): no silent empty quote banks."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from qualcode.errors import InvalidInputError
from qualcode.export import export_extracts
from qualcode.model import Transcript, TurnDraft


def _transcripts() -> list[Transcript]:
    return [
        Transcript.build(
            "t1",
            [TurnDraft("We divert people.", "P1", "participant")],
            attributes={"role": "police officer", "years": 12, "langs": ["en", "pl"]},
        ),
        Transcript.build(
            "t2",
            [TurnDraft("We arrest dealers.", "P2", "participant")],
            attributes={"role": "partner", "years": 3, "langs": ["en"]},
        ),
    ]


CODINGS = pd.DataFrame(
    {
        "transcript_id": ["t1", "t2"],
        "start": [4, 4],
        "end": [16, 17],
        "code": ["divert", "enforce"],
        "coder": ["AB", "CD"],
    }
)


def _export(tmp_path, **kw):
    return export_extracts(
        CODINGS, tmp_path / "q.csv", transcripts=_transcripts(), context=0, **kw
    )


def _rows(path):
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_issue16_unknown_coder_raises_with_did_you_mean(tmp_path):
    with pytest.raises(
        InvalidInputError, match=r"\[QC109\].*coder 'ab'.*did you mean 'AB'"
    ):
        _export(tmp_path, coders="ab")
    assert not (tmp_path / "q.csv").exists()


def test_issue16_unknown_where_attribute_raises_with_did_you_mean(tmp_path):
    with pytest.raises(
        InvalidInputError, match=r"\[QC109\].*attribute 'rol'.*did you mean 'role'"
    ):
        _export(tmp_path, where={"rol": "partner"})


def test_issue16_unknown_where_value_raises_with_did_you_mean(tmp_path):
    with pytest.raises(
        InvalidInputError,
        match=r"\[QC109\].*value of 'role' 'police oficer'.*did you mean "
        r"'police officer'",
    ):
        _export(tmp_path, where={"role": "police oficer"})


def test_issue16_filters_matching_nothing_raise_and_write_nothing(tmp_path):
    with pytest.raises(InvalidInputError, match=r"\[QC718\].*nothing was written"):
        _export(tmp_path, coders="CD", where={"role": "police officer"})
    assert not (tmp_path / "q.csv").exists()


def test_issue16_unknown_template_field_raises_qc716(tmp_path):
    with pytest.raises(
        InvalidInputError, match=r"\[QC716\].*\{rol\}.*did you mean 'role'"
    ):
        _export(tmp_path, attribution="({rol})")


def test_issue16_default_template_tolerates_missing_attributes(tmp_path):
    rows = _rows(_export(tmp_path))  # no rank_band attribute in these transcripts
    assert {r["attribution"] for r in rows} == {"(police officer)", "(partner)"}


def test_export_where_matches_list_items_and_numbers_given_as_text(tmp_path):
    assert [
        r["transcript"] for r in _rows(_export(tmp_path, where={"langs": "pl"}))
    ] == ["t1"]
    out = _export(tmp_path, where={"years": "12"})
    assert [r["transcript"] for r in _rows(out)] == ["t1"]
