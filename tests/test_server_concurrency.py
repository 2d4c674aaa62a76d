"""Many coders at once on one server project, and a server that goes away
mid-batch (issue 19). Real processes, a real PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from qualcode.errors import StoreError
from qualcode.model import Transcript
from qualcode.store import Project, server_add_coder, server_init

pytest.importorskip("psycopg")

TEXT = "We divert people who use drugs into treatment services. " * 40

_CODER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from qualcode.store import Project

    url, coder, n, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with Project(url, timeout=60) as p:
        for b in range(0, n, batch):
            rows = range(b, min(b + batch, n))
            p.add_codings(pd.DataFrame({
                "transcript_id": "t1",
                "start": [i % 2000 for i in rows],
                "end": [i % 2000 + 1 + i // 2000 for i in rows],
                "code": "c",
                "coder": coder,
            }), new_coder=True)
            if b % (batch * 5) == 0:  # reading while the others write
                p.codings(coder=coder)
                if b:  # remove this coder's newest coding and add it again
                    p.remove_coding(int(p.codings(coder=coder)["coding_id"].max()))
                    last = rows[-1]
                    p.add_codings(pd.DataFrame({
                        "transcript_id": ["t1"], "start": [last % 2000],
                        "end": [last % 2000 + 1 + last // 2000],
                        "code": ["c"], "coder": [coder],
                    }), new_coder=True)
    print("ok")
    """
)


def test_server_eight_processes_coding_at_once_lose_nothing(pg_server, pg_url):
    """8 coders (each their own login role), 1,000 codings each in batches of
    100, reading and removing/re-adding meanwhile: every coding present once."""
    server_init(pg_url)
    db = pg_url.rsplit("/", 1)[1]
    with Project(pg_url) as p:
        p.add_transcripts([Transcript("t1", TEXT)])
    coders = [f"c{i}_{db}" for i in range(8)]
    for name in coders:
        server_add_coder(pg_url, name)
    n = 1000
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CODER, pg_server.url(c, db), c, str(n), "100"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in coders
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == "ok"
    with Project(pg_url) as p:
        df = p.codings()
    assert len(df) == 8 * n
    assert df.groupby("coder").size().to_dict() == dict.fromkeys(coders, n)
    key = ["transcript_id", "start", "end", "code", "coder"]
    assert not df.duplicated(key).any()
    assert df["coding_id"].is_unique


def test_server_going_away_mid_batch_leaves_the_project_as_before(
    pg_server, pg_url, monkeypatch
):
    from qualcode.store import _codings as K

    with Project(pg_url) as p:
        p.add_transcripts([Transcript("t1", TEXT)])
        p.add_coding("t1", 0, 2, "we", "ana")
        monkeypatch.setattr(K, "BATCH", 10)
        monkeypatch.setattr(K, "_on_batch", lambda i: pg_server.stop("fast"))
        rows = pd.DataFrame(
            {
                "transcript_id": "t1",
                "start": range(100),
                "end": range(1, 101),
                "code": "c",
                "coder": "ana",
            }
        )
        try:
            with pytest.raises(
                StoreError,
                match=r"QC452.*connection.*lost.*nothing of this call was saved.*again",
            ):
                p.add_codings(rows)
        finally:
            monkeypatch.setattr(K, "_on_batch", None)
            pg_server.restart()
        # the same project object reconnects at its next call
        assert len(p.codings()) == 1
        p.add_codings(rows)  # the retry the message asks for
        assert len(p.codings()) == 101
