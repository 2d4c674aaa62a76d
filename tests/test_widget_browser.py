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

import contextlib
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
    "--autoplay-policy=no-user-gesture-required",
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
    with _jupyterlab(tmp_path, root, source) as url:
        yield {"url": url, "project": project_path}


@contextlib.contextmanager
def _jupyterlab(tmp_path: Path, root: Path, source: list[str]):
    """A JupyterLab server on ``root`` with ``coding.ipynb`` (one cell: ``source``);
    yields the notebook's URL."""
    pytest.importorskip(
        "jupyterlab", reason="JupyterLab is not installed (qualcode[notebook])"
    )
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
        yield f"{base}/lab/tree/coding.ipynb?token={TOKEN}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernel it started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _page_errors_of_ours(errors: list[str]) -> list[str]:
    """Page errors, less JupyterLab's own kernel start-up noise: a request it
    cancels when "Run All" is retried while the kernel starts ("Canceled future
    for ... message before replies were done") is not the widget's."""
    return [e for e in errors if "Canceled future" not in e]


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
    assert not _page_errors_of_ours(errors), errors


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


# -- media-synced transcripts (issue 20) -------------------------------------------
DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"
MEDIA_TURNS = [
    ("Interviewer", "interviewer", "What does your team prioritise?"),
    ("P1", "participant", "We divert people who use drugs into treatment."),
    ("Interviewer", "interviewer", "And what about enforcement?"),
    ("P1", "participant", "We still arrest the dealers who exploit children."),
    ("Interviewer", "interviewer", "Thank you."),
]
PLAYED = 3  # the turn whose play control the tests click
# the time the media element reports when a seek or playback starts
SEEKED_JS = """(m) => new Promise((done) => {
  window.__qcSeeked = null;
  m.addEventListener("seeked", () => { window.__qcSeeked = m.currentTime; },
                     { once: true });
  done(true);
})"""


def _recording(folder: Path) -> tuple[Path, list[TurnDraft]]:
    """A short spoken clip of MEDIA_TURNS and its timed turns.

    Synthesised here with espeak-ng and opusenc (Ogg/Opus, which Chromium plays);
    without those tools, the demo's INT08 recording and its timed turns.
    """
    espeak, opusenc = shutil.which("espeak-ng"), shutil.which("opusenc")
    if not (espeak and opusenc):
        shutil.copy(DEMO / "INT08.opus", folder / "INT08.opus")
        t = qc.read_transcript(DEMO / "INT08.srt")
        drafts = [
            TurnDraft(u.text, u.speaker, u.role, u.time_start, u.time_end)
            for u in t.turns
        ]
        return folder / "INT08.opus", drafts
    import wave

    frames: list[bytes] = []
    drafts = []
    params = None
    now = 0.0
    for i, (speaker, role, text) in enumerate(MEDIA_TURNS):
        wav = folder / f"turn{i}.wav"
        subprocess.run(
            [espeak, "-v", "en-gb", "-s", "185", "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        with wave.open(str(wav), "rb") as w:
            params = params or w.getparams()
            n, rate, width = w.getnframes(), w.getframerate(), w.getsampwidth()
            frames.append(w.readframes(n))
            frames.append(b"\0" * (int(0.6 * rate) * width * w.getnchannels()))
        wav.unlink()
        drafts.append(
            TurnDraft(text, speaker, role, round(now, 3), round(now + n / rate, 3))
        )
        now += n / rate + 0.6
    joined = folder / "clip.wav"
    with wave.open(str(joined), "wb") as w:
        w.setparams(params)
        w.writeframes(b"".join(frames))
    clip = folder / "clip.opus"
    subprocess.run(
        [opusenc, "--quiet", "--bitrate", "24", str(joined), str(clip)],
        check=True,
        capture_output=True,
    )
    joined.unlink()
    return clip, drafts


def _media_project(path: Path, clip: Path, drafts: list[TurnDraft]) -> None:
    with qc.Project(path) as p:
        p.add_transcripts(
            [
                Transcript.build("MEDIA", drafts, attributes={"media": clip.name}),
                Transcript.build(
                    "GONE",
                    [TurnDraft("Hello.", "P2", "participant", 1.0, 2.0)],
                    attributes={"media": "gone.mp3"},
                ),
            ]
        )
        p.set_codebook(
            qc.Codebook.from_dict(
                {"name": "roles", "codes": [{"id": "divert", "label": "Divert"}]}
            )
        )
        p.code_turn("MEDIA", PLAYED, "divert", "AB")


def test_widget_browser_play_control_seeks_the_recording_to_the_turn(browser, tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    clip, drafts = _recording(root)
    project_path = root / "media.qcproj"
    _media_project(project_path, clip, drafts)
    start = drafts[PLAYED].time_start
    source = [
        "from qualcode import Project\n",
        "from qualcode.widget import coding_widget\n",
        f"project = Project({str(project_path)!r})\n",
        "widget = coding_widget(project, coder='AB', transcript='MEDIA')\n",
        "widget",
    ]
    errors: list[str] = []
    with _jupyterlab(tmp_path, root, source) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(45_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(url)
            widget = _run_notebook(page, tmp_path)
            media = widget.locator(".qc-media")
            page.wait_for_function(
                "() => document.querySelector('.qc-widget .qc-media').readyState >= 1"
            )
            media.evaluate(SEEKED_JS)
            widget.locator(f".qc-turn[data-turn='{PLAYED}'] .qc-play").click()
            page.wait_for_function("() => window.__qcSeeked !== null")
            seeked = page.evaluate("() => window.__qcSeeked")
            page.wait_for_selector(f".qc-widget .qc-turn-playing[data-turn='{PLAYED}']")
            playing = media.evaluate("m => !m.paused")
            widget.screenshot(path=str(tmp_path / "widget_player.png"))
            # playback moves the highlight on to the next turn
            page.wait_for_selector(
                f".qc-widget .qc-turn-playing[data-turn='{PLAYED + 1}']",
                timeout=30_000,
            )
            # a transcript whose recording is missing opens with a notice
            widget.locator(".qc-next").click()
            notice = widget.locator(".qc-media-notice")
            notice.wait_for()
            notice_text = notice.inner_text()
            n_play = widget.locator(".qc-play").count()
            n_turns = widget.locator(".qc-turn").count()
        finally:
            page.close()
    assert abs(seeked - start) < 0.5, (seeked, start)
    assert playing
    assert "[QC932]" in notice_text and "gone.mp3" in notice_text
    assert n_play == 0 and n_turns == 1
    assert not _page_errors_of_ours(errors), errors


def test_widget_browser_html_view_play_link_seeks_its_turn(browser, tmp_path):
    from qualcode.widget import export_html

    clip, drafts = _recording(tmp_path)
    _media_project(tmp_path / "media.qcproj", clip, drafts)
    (tmp_path / "shared").mkdir()
    with qc.Project(tmp_path / "media.qcproj") as p:
        path = export_html(
            p, tmp_path / "shared" / "coded.html", transcript_ids="MEDIA"
        )
    start = drafts[PLAYED].time_start
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(path.as_uri())
        media = page.locator("section.qc-transcript .qc-media")
        media.evaluate(SEEKED_JS)
        page.locator(f"#t-MEDIA-{PLAYED} a.qc-play").click()
        page.wait_for_function("() => window.__qcSeeked !== null")
        seeked = page.evaluate("() => window.__qcSeeked")
        page.wait_for_selector(f"#t-MEDIA-{PLAYED}.qc-turn-playing")
        page.screenshot(path=str(tmp_path / "html_view_player.png"))
        error = media.evaluate("m => m.error && m.error.code")
    finally:
        page.close()
    assert abs(seeked - start) < 0.5, (seeked, start)
    assert error is None
    assert not [m for m in console if "Content Security" in m], console


def test_widget_browser_quote_bank_player_starts_at_the_quote(browser, tmp_path):
    clip, drafts = _recording(tmp_path)
    _media_project(tmp_path / "media.qcproj", clip, drafts)
    with qc.Project(tmp_path / "media.qcproj") as p:
        bank = qc.export_extracts(p, tmp_path / "bank" / "bank.html")
    start = drafts[PLAYED].time_start
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(bank.as_uri())
        audio = page.locator("audio.qc-player").first
        audio.evaluate(
            "m => { window.__qcStart = null; m.addEventListener('playing', "
            "() => { window.__qcStart = m.currentTime; }, { once: true }); }"
        )
        box = audio.bounding_box()
        page.mouse.click(box["x"] + 20, box["y"] + box["height"] / 2)  # its ▶
        page.wait_for_function("() => window.__qcStart !== null")
        started = page.evaluate("() => window.__qcStart")
    finally:
        page.close()
    assert abs(started - start) < 0.5, (started, start)
