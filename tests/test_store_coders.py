"""Issues 16.5 and 17: a new coder must be explicit; "mk" beside "MK" is a typo."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.errors import InvalidInputError
from qualcode.model import Transcript
from qualcode.store import Project

TEXT = "We divert people who use drugs into treatment services."


@pytest.fixture()
def project(project_target):
    with Project(project_target) as p:
        p.add_transcripts([Transcript("t1", TEXT)])
        p.add_coding("t1", 0, 2, "a", "MK")
        yield p


def _frame(coder, start=3):
    return pd.DataFrame(
        {
            "transcript_id": ["t1"],
            "start": [start],
            "end": [9],
            "code": ["b"],
            "coder": [coder],
        }
    )


@pytest.mark.parametrize("name", ["mk", "Mk", " MK", "mk "])
def test_issue16_coder_differing_only_by_case_is_refused(project, name):
    with pytest.raises(InvalidInputError, match=r"\[QC416\].*did you mean 'MK'"):
        project.add_coding("t1", 3, 9, "b", name)
    with pytest.raises(InvalidInputError, match=r"\[QC416\] add_codings:.*'MK'"):
        project.add_codings(_frame(name))
    assert project.coders == ["MK"]
    assert len(project.codings()) == 1


def test_issue16_case_twin_accepted_with_new_coder_true(project):
    project.add_coding("t1", 3, 9, "b", "mk", new_coder=True)
    assert project.coders == ["MK", "mk"]


def test_issue16_other_new_coder_is_added_by_default(project):
    project.add_codings(_frame("ben"))
    assert project.coders == ["MK", "ben"]


def test_issue16_new_coder_false_refuses_any_unknown_coder(project):
    with pytest.raises(InvalidInputError, match=r"\[QC416\].*'ben'.*new_coder=True"):
        project.add_codings(_frame("ben"), new_coder=False)
    project.add_codings(_frame("MK"), new_coder=False)  # a stored coder is fine
    assert project.coders == ["MK"]


def test_issue16_decision_log_checks_coders_too(project):
    frame = _frame("mk").assign(decision="rejected")
    with pytest.raises(InvalidInputError, match=r"\[QC416\] log_decisions"):
        project.log_decisions(frame)
    assert len(project.decisions()) == 0
    project.log_decisions(frame, new_coder=True)
    assert project.decisions()["coder"].tolist() == ["mk"]


def test_issue16_new_coder_must_be_a_boolean_or_none(project):
    with pytest.raises(InvalidInputError, match=r"\[QC101\].*new_coder"):
        project.add_codings(_frame("ben"), new_coder="yes")
