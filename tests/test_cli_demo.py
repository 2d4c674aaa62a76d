"""``qualcode demo`` (qualcode.demo.run_demo) on the bundled demo data, run once.

The run is slow (the learned tagger, two bootstraps, three treemaps, exports), so
every test here reads the outputs of one run made with ``DataFrame.to_csv`` and
``to_excel`` disabled: every table must go through ``qualcode.export_tables``.
"""

from __future__ import annotations

import contextlib
import io
import re

import pandas as pd
import pytest

from qualcode.demo import run_demo
from qualcode.export import select_extracts

pytestmark = pytest.mark.slow


def _no_pandas_writers(*args, **kwargs):
    raise AssertionError("a table was written with DataFrame.to_csv/to_excel")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_out")
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(buf):
        mp.setattr(pd.DataFrame, "to_csv", _no_pandas_writers)
        mp.setattr(pd.DataFrame, "to_excel", _no_pandas_writers)
        result = run_demo(out)
    return {"out": out, "stdout": buf.getvalue(), **result}


def test_demo_writes_every_table_through_export_tables(demo):
    # the fixture's run fails if any table goes through DataFrame.to_csv/to_excel
    for name in ("suggestions.csv", "agreement.csv", "learned_tagger_report.csv"):
        assert (demo["out"] / name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_demo_agreement_csv_shows_undefined_statistics(demo):
    text = (demo["out"] / "agreement.csv").read_text(encoding="utf-8-sig")
    assert "undefined" in text
    table = pd.read_csv(demo["out"] / "agreement.csv", encoding="utf-8-sig")
    assert table["code"].iloc[-1] == "(pooled)"


def test_demo_quote_bank_count_is_the_number_of_extracts_written(demo):
    # the old message said "1140 coded extracts" (codings); the banks hold fewer rows
    from qualcode import Project

    with Project(demo["written"]["shared_project"]) as shared:
        expected = len(select_extracts(shared, context=0)[0])
    bank = pd.read_csv(demo["out"] / "extracts.csv", encoding="utf-8-sig")
    assert len(bank) == expected == demo["summary"]["extracts"]
    assert re.search(rf"\({expected} extracts\)", demo["stdout"])


def test_demo_draws_saturation_and_prints_its_summary_for_coder_ab(demo):
    png = demo["out"] / "saturation.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    line = next(x for x in demo["stdout"].splitlines() if "saturation" in x.lower())
    assert "coder AB" in line and "Guest, Namey & Chen (2020)" in line
    assert demo["summary"]["saturation"]["coder"] == "AB"


def test_demo_leak_check_finds_nothing_in_the_shared_exports(demo):
    assert demo["summary"]["leaks"] == 0
    assert (
        "[10/10] leak check on the shared exports: 0 originals found" in demo["stdout"]
    )
