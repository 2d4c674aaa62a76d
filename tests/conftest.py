"""Shared fixtures: a session-wide offline spaCy pipeline, a tiny corpus, a tmp
project."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(
    os.environ.get("QUALCODE_REFERENCE", ROOT.parent / "shared" / "reference")
)
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def nlp():
    """The offline default pipeline (blank English + sentencizer + lookup
    lemmatizer)."""
    from qualcode._nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def tiny_transcripts():
    """Two small fictional transcripts built in memory."""
    from qualcode.model import Transcript, TurnDraft

    t1 = Transcript.build(
        "t1",
        [
            TurnDraft("What does your team prioritise?", "Interviewer", "interviewer"),
            TurnDraft(
                "We arrested three dealers last month. "
                "But arrests alone do not stop the harm.",
                "P1",
                "participant",
            ),
            TurnDraft("And diversion?", "Interviewer", "interviewer"),
            TurnDraft(
                "We divert people who use drugs into treatment services.",
                "P1",
                "participant",
            ),
        ],
        attributes={
            "organisation": "Force A",
            "role": "police officer",
            "rank_band": "constable/sergeant",
        },
    )
    t2 = Transcript.build(
        "t2",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "County lines exploit children. We safeguard them first.",
                "P2",
                "participant",
            ),
        ],
        attributes={
            "organisation": "Partner org",
            "role": "partner",
            "rank_band": None,
        },
    )
    return [t1, t2]


@pytest.fixture()
def reference_dir() -> Path:
    """shared/reference (REFI samples, XSDs); tests skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference material not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture(scope="session")
def llm_server():
    """A real llama.cpp server (SmolLM2-135M) on a free loopback port.

    Tests using it are marked ``llm`` and always run in ``make test`` (which
    installs ``.[llm-test]``): if the server cannot start, they fail loudly.
    """
    from qualcode.llm.server import LocalServer

    server = LocalServer(n_ctx=4096)
    server.start()
    yield server
    server.stop()


# --------------------------------------------------------------------------
# PostgreSQL (issue 19): one real server per test session, a fresh database
# per test. Store tests take ``project_target`` to run on both back ends.
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server():
    """A real throw-away PostgreSQL server (tests/pgserver.py) for the session."""
    import sys

    if str(Path(__file__).parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).parent))
    from pgserver import PgServer

    server = PgServer().start()
    yield server
    server.close()


_PG_DBS = iter(range(1, 10**9))


@pytest.fixture()
def pg_url(pg_server) -> str:
    """The superuser URL of a new, empty database on the session's server."""
    return pg_server.createdb(f"qc_{os.getpid()}_{next(_PG_DBS)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def project_target(request, tmp_path):
    """Where a new project goes: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "project.qcproj"
    return request.getfixturevalue("pg_url")
