"""End to end in a real browser: JupyterLab + the coding widget, and the HTML view.

Headless Chromium from Debian's ``chromium`` package is driven by Playwright (no
browser download). The JupyterLab test starts a server on 127.0.0.1 with its own
token and a temporary root holding a notebook that opens a small project and
displays ``coding_widget(...)``; the test runs the notebook through the Run menu,
then in the widget drags the mouse over a passage (after an emoji, so UTF-16 vs
code point offsets matter), clicks a code, clicks Accept on a suggestion, and uses
the keyboard (``r`` to reject, a turn's number and a digit to code a whole turn).
It then reads the SQLite project from this process and checks every coding and
decision, and saves screenshots under the test's tmp dir.

Skipped (never failed) only when no Chromium is installed or Playwright cannot
start it; ``make browser`` installs Chromium with apt.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import qualcode as qc
from qualcode.model import Transcript, TurnDraft

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "qualcode-test-token"
PASSAGE = "three dealers"
TURN1 = (
    "Honestly 🚔 we arrested three dealers last month, and we seized cash. "
    "But arrests alone do not stop the harm to people who use drugs."
)

# Viewport rectangle of a substring of a turn's text (for a real mouse drag).
RECT_JS = """([turn, needle]) => {
  const box = document.querySelector(`.qc-widget .qc-text[data-turn="${turn}"]`);
  box.scrollIntoView({block: "center"});
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const i = node.data.indexOf(needle);
    if (i >= 0) {
      const r = document.createRange();
      r.setStart(node, i);
      r.setEnd(node, i + needle.length);
      const q = r.getClientRects()[0];
      return {x0: q.left, x1: q.right, y: q.top + q.height / 2};
    }
  }
  return null;
}"""


def _chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium at /usr/bin/chromium: run `make browser` "
            "(apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "the playwright Python package is not installed (pip install playwright)"
        )
    manager = sync_playwright()
    try:
        pw = manager.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means: skip
        pytest.skip(f"Playwright could not start: {exc}")
    try:
        chromium = pw.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # noqa: BLE001
        manager.__exit__(None, None, None)
        pytest.skip(f"Playwright could not launch {path}: {exc}")
    yield chromium
    chromium.close()
    manager.__exit__(None, None, None)


def _build_project(path: Path) -> None:
    t1 = Transcript.build(
        "INT01",
        [
            TurnDraft(
                "What does your team prioritise?",
                "Interviewer",
                "interviewer",
                0.0,
                4.0,
            ),
            TurnDraft(TURN1, "P1", "participant", 4.5, 20.0),
            TurnDraft(
                "And what about diversion?", "Interviewer", "interviewer", 21.0, 23.0
            ),
            TurnDraft(
                "We divert people who use drugs into treatment services. "
                "Naloxone is carried by every response officer now.",
                "P1",
                "participant",
                23.5,
                40.0,
            ),
            TurnDraft(
                "How has the culture changed?", "Interviewer", "interviewer", 41.0, 43.0
            ),
            TurnDraft(
                "Slowly. Some older colleagues still think proper policing means "
                "arrests, but the younger ones get it.",
                "P1",
                "participant",
                43.5,
                60.0,
            ),
        ],
        attributes={"organisation": "Northvale Police", "role": "police officer"},
    )
    t2 = Transcript.build(
        "INT02",
        [
            TurnDraft("Tell me about county lines.", "Interviewer", "interviewer"),
            TurnDraft(
                "County lines exploit children. We safeguard them first.",
                "P2",
                "participant",
            ),
        ],
    )
    codebook = qc.Codebook.from_dict(
        {
            "name": "roles",
            "version": "1.0.0",
            "codes": [
                {
                    "id": "pursue",
                    "label": "Pursue",
                    "color": "#0072B2",
                    "definition": "Activity aimed at offenders and networks.",
                },
                {
                    "id": "arrest",
                    "label": "Arrest and charge",
                    "parent": "pursue",
                    "definition": "Arresting and charging suppliers.",
                    "patterns": ["arrested", "arrests"],
                },
                {
                    "id": "seize",
                    "label": "Seize drugs and cash",
                    "parent": "pursue",
                    "patterns": ["seized"],
                },
                {"id": "prevent", "label": "Prevent", "color": "#009E73"},
                {
                    "id": "divert",
                    "label": "Divert to support",
                    "parent": "prevent",
                    "patterns": ["divert", "treatment"],
                },
                {"id": "protect", "label": "Protect", "color": "#CC79A7"},
                {
                    "id": "safeguard",
                    "label": "Safeguard the vulnerable",
                    "parent": "protect",
                    "patterns": ["safeguard"],
                },
            ],
        }
    )
    with qc.Project(path) as p:
        p.add_transcripts([t1, t2])
        p.set_codebook(codebook)
        p.code_turn("INT01", 3, "divert", "CD", memo="second coder")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(
    url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"JupyterLab exited early:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


def _api(base: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def _start_kernel(base: str, notebook: str) -> None:
    """Start the notebook's kernel session before the page opens.

    ``POST /api/sessions`` returns once the kernel is started. Opening a notebook
    whose kernel is still starting races the kernel websocket (the server answers
    500 and the widget manager can miss the widget's comm: "model not found");
    a started session avoids that, and the "Select Kernel" dialog.
    """
    _api(
        base,
        "/api/sessions",
        {
            "path": notebook,
            "type": "notebook",
            "name": notebook,
            "kernel": {"name": "python3"},
        },
    )


@pytest.fixture()
def lab(tmp_path):
    pytest.importorskip(
        "jupyterlab", reason="JupyterLab is not installed (qualcode[notebook])"
    )
    root = tmp_path / "lab"
    root.mkdir()
    project_path = root / "study.qcproj"
    _build_project(project_path)
    source = [
        "import qualcode as qc\n",
        "from qualcode.widget import coding_widget\n",
        f"project = qc.Project({str(project_path)!r})\n",
        "suggestions = qc.suggest(project, project.codebook)\n",
        "widget = coding_widget(project, coder='AB', compare_with='CD', "
        "suggestions=suggestions)\n",
        "widget",
    ]
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "coding.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    home = tmp_path / "jupyter"
    (home / "config" / "labconfig").mkdir(parents=True)
    (home / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps(
            {
                "disabledExtensions": {
                    "@jupyterlab/apputils-extension:announcements": True
                }
            }
        )
    )
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
    )
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={TOKEN}", proc, log)
        _start_kernel(base, "coding.ipynb")
        yield {
            "url": f"{base}/lab/tree/coding.ipynb?token={TOKEN}",
            "project": project_path,
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernel it started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _run_notebook(page, tmp_path):
    """Run all cells through JupyterLab's Run menu; return the widget's locator."""
    # JupyterLab may still ask "Select Kernel" for the running session: accept it
    # whenever it shows up before an action.
    page.add_locator_handler(
        page.locator(".jp-Dialog .jp-mod-accept"), lambda button: button.click()
    )
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    widget = page.locator(".qc-widget")
    for attempt in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            widget.locator(".qc-turn").first.wait_for(timeout=20_000)
            return widget
        except Exception:  # noqa: BLE001 - retried, then reported with a screenshot
            page.screenshot(path=str(tmp_path / f"run_attempt_{attempt}.png"))
            page.keyboard.press("Escape")
    pytest.fail(f"the widget did not appear; screenshots in {tmp_path}")


def test_widget_browser_jupyterlab_codes_and_reviews_through_the_ui(
    lab, browser, tmp_path
):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(45_000)
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{exc}\n{exc.stack}"))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    try:
        page.goto(lab["url"])
        widget = _run_notebook(page, tmp_path)

        def revision() -> int:
            return int(widget.get_attribute("data-revision"))

        def after(action) -> None:
            before = revision()
            action()
            page.wait_for_function(
                "r => Number(document.querySelector('.qc-widget')"
                ".dataset.revision) > r",
                arg=before,
            )

        # 1. drag the mouse over a passage, then click a code in the tree
        rect = page.evaluate(RECT_JS, [1, PASSAGE])

        def drag() -> None:
            page.mouse.move(rect["x0"] + 1, rect["y"])
            page.mouse.down()
            page.mouse.move((rect["x0"] + rect["x1"]) / 2, rect["y"], steps=4)
            page.mouse.move(rect["x1"] - 1, rect["y"], steps=4)
            page.mouse.up()

        after(drag)
        assert PASSAGE in widget.locator(".qc-selection").inner_text()
        after(lambda: widget.locator(".qc-code[data-code='arrest']").click())

        # 2. click Accept on the current suggestion
        current = widget.locator(".qc-sugg-current")
        accepted = {
            k: current.get_attribute(f"data-{k}") for k in ("code", "start", "end")
        }
        after(lambda: current.locator(".qc-accept").click())

        # 3. keyboard: r rejects the next suggestion
        rejected = widget.locator(".qc-sugg-current").get_attribute("data-code")
        after(lambda: page.keyboard.press("r"))

        # 4. click a turn's number, then press 6 (the 6th code listed: Protect)
        after(lambda: widget.locator(".qc-turn[data-turn='5'] .qc-num").click())
        after(lambda: page.keyboard.press("6"))
        assert widget.locator(".qc-status").inner_text().startswith("Coded Protect")

        # 5. write a memo on the coding just made (its memo box is open) and save it
        widget.locator(".qc-memo-text").fill("Generational change in culture.")
        after(lambda: widget.locator(".qc-save-memo").click())

        # 6. the compared coder's coding is shown, dotted
        assert widget.locator(".qc-chip-other").count() == 1
        assert page.locator(".jp-Notebook .jp-Cell").count() == 1  # no shortcut leaked
        widget.screenshot(path=str(tmp_path / "coding_widget.png"))
        page.screenshot(path=str(tmp_path / "jupyterlab.png"))
    finally:
        log = "\n".join(console + errors)
        (tmp_path / "console.log").write_text(log, encoding="utf-8")
        page.close()

    with qc.Project(lab["project"]) as p:
        t = p.transcript("INT01")
        start = t.turns[1].start + TURN1.index(PASSAGE)
        got = p.codings(coder="AB").sort_values("coding_id")
        decisions = p.decisions(coder="AB")
    rows = [
        (r.start, r.end, r.code, r.origin == "manual", r.text) for r in got.itertuples()
    ]
    assert got["memo"].iloc[2] == "Generational change in culture."
    a_start, a_end = int(accepted["start"]), int(accepted["end"])
    assert rows == [
        (start, start + len(PASSAGE), "arrest", True, PASSAGE),
        (a_start, a_end, accepted["code"], False, t.text[a_start:a_end]),
        (t.turns[5].start, t.turns[5].end, "protect", True, t.turns[5].text),
    ]
    assert got["origin"].iloc[1].startswith("patterns:")
    assert decisions[["code", "decision"]].values.tolist() == [
        [accepted["code"], "accepted"],
        [rejected, "rejected"],
    ]
    assert (tmp_path / "coding_widget.png").stat().st_size > 10_000
    assert not errors, errors


def test_widget_browser_html_view_filters_coders_on_a_plain_page(browser, tmp_path):
    from qualcode.widget import export_html

    project_path = tmp_path / "view.qcproj"
    _build_project(project_path)
    with qc.Project(project_path) as p:
        u = p.transcript("INT01").turns[1]
        s = u.start + TURN1.index(PASSAGE)
        p.add_coding(
            "INT01", s, s + len(PASSAGE), "arrest", "AB", memo="<b>not bold</b>"
        )
        p.code_turn("INT01", 1, "pursue", "CD")
        path = export_html(p, tmp_path / "coded.html")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security" in m.text else None,
    )
    try:
        page.goto(path.as_uri())
        on_before = page.locator(".qc-seg.qc-on").count()
        assert page.locator(".qc-memo").first.inner_text() == "<b>not bold</b>"
        page.screenshot(path=str(tmp_path / "html_view.png"), full_page=True)
        page.locator(".qc-filter input[data-coder='1']").uncheck()  # hide CD
        hidden = page.locator(".qc-bar[data-coder='1']").evaluate_all(
            "bars => bars.map(b => b.hidden)"
        )
        on_after = page.locator(".qc-seg.qc-on").count()
    finally:
        page.close()
    assert hidden and all(hidden)
    assert on_after < on_before
    assert not blocked, blocked
