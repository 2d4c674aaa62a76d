"""Write the FICTIONAL demo transcripts in the layouts real tools export.

One renderer per layout; the script's ``% format:`` line picks it:

- ``docx_researcher``: Word document typed by a researcher (``Interviewer:`` / ``P01:`` paragraphs,
  bold labels, long answers in several paragraphs);
- ``docx_teams``: Microsoft Teams' .docx transcript download (title, date and duration lines,
  ``Name   m:ss`` header paragraphs followed by text paragraphs, start/stop transcription lines);
- ``txt_timestamped``: researcher's .txt with ``[hh:mm:ss] I:`` / ``R:`` labels, multi-line turns;
- ``txt_plain``: researcher's .txt with ``Interviewer:`` / ``Participant:`` labels, multi-line turns;
- ``vtt_teams``: Microsoft Teams WebVTT (cue ids ``<guid>/<n>-0``, ``<v Name>text</v>``, short cues);
- ``vtt_zoom``: Zoom WebVTT (numbered cues, ``Name: text``);
- ``srt``: SubRip with ``Name: text`` cues;
- ``otter``: Otter.ai .txt export (``Name  m:ss`` header line, text line, blank line; footer).

Long turns are split into lines/cues/segments only at sentence starts that fall outside every
coded passage (of either coder), so the tools' line joins never cut a coded quote.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from pathlib import Path

from scripts import DEMO, Script, chunks

NOTICE = (
    "FICTIONAL DEMO DATA - invented for the qualcode toolkit. "
    "No real people, police forces' staff, places, operations or events."
)

Protected = dict[tuple[str, int], list[tuple[int, int]]]

SUFFIX = {
    "docx_researcher": ".docx",
    "docx_teams": ".docx",
    "txt_timestamped": ".txt",
    "txt_plain": ".txt",
    "vtt_teams": ".vtt",
    "vtt_zoom": ".vtt",
    "srt": ".srt",
    "otter": ".txt",
}


class Clock:
    """Plausible speech timings: ~2.5 words a second, short gaps between turns."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.t = 1.5 + self.rng.random() * 2

    def turn_gap(self) -> None:
        self.t += self.rng.uniform(0.4, 1.8)

    def speak(self, text: str) -> tuple[float, float]:
        start = self.t
        dur = max(1.0, len(text.split()) / 2.5 * self.rng.uniform(0.88, 1.15))
        self.t = start + dur + self.rng.uniform(0.05, 0.5)
        return start, start + dur


def hms(t: float, sep: str = ".") -> str:
    ms = round(t * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def clock_short(t: float) -> str:
    s = int(t)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _turn_chunks(script: Script, k: int, protected: Protected, max_words: int) -> list[str]:
    return chunks(script.turns[k].text, protected.get((script.id, k), []), max_words)


def _normalise_zip(path: Path) -> None:
    """Rewrite a .docx with fixed member timestamps so rebuilding gives identical bytes."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2023, 6, 2, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def render_docx_researcher(script: Script, protected: Protected, path: Path) -> None:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.author = "Research team (fictional)"
    d.core_properties.title = f"Interview {script.id} (FICTIONAL demo)"
    d.core_properties.created = __import__("datetime").datetime(2023, 5, 12, 9, 0)
    d.core_properties.modified = d.core_properties.created
    d.core_properties.last_modified_by = "Research team (fictional)"
    d.core_properties.revision = 1
    style = d.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    head = d.add_paragraph()
    head.add_run(NOTICE).italic = True
    d.add_paragraph(
        f"Interview {script.id} with participant {script.meta['participant']}, recorded "
        f"{script.meta['date']}. Transcribed verbatim by the research team."
    )
    for k, turn in enumerate(script.turns):
        parts = _turn_chunks(script, k, protected, max_words=70)
        p = d.add_paragraph()
        p.add_run(f"{turn.speaker}:").bold = True
        p.add_run(f" {parts[0]}")
        for more in parts[1:]:
            d.add_paragraph(more)
    d.save(path)
    _normalise_zip(path)


def render_docx_teams(script: Script, protected: Protected, path: Path) -> None:
    import docx

    clock = Clock(script.id)
    d = docx.Document()
    d.core_properties.author = "Microsoft Teams"
    d.core_properties.created = __import__("datetime").datetime(2023, 6, 2, 10, 50)
    d.core_properties.modified = d.core_properties.created
    d.core_properties.last_modified_by = "Microsoft Teams"
    d.core_properties.revision = 1
    d.add_paragraph(f"Research interview {script.id} (FICTIONAL demo data)")
    d.add_paragraph("June 2, 2023, 10:02AM")
    body: list[tuple[str, str]] = []
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        for part in _turn_chunks(script, k, protected, max_words=45):
            start, _ = clock.speak(part)
            body.append((f"{turn.speaker}   {clock_short(start)}", part))
    minutes, seconds = divmod(int(clock.t), 60)
    d.add_paragraph(f"{minutes}m {seconds}s")
    d.add_paragraph(f"{script.meta['interviewer']} started transcription")
    for header, text in body:
        d.add_paragraph(header)
        d.add_paragraph(text)
    d.add_paragraph(f"{script.meta['interviewer']} stopped transcription")
    d.add_paragraph(NOTICE)
    d.save(path)
    _normalise_zip(path)


def render_txt_timestamped(script: Script, protected: Protected, path: Path) -> None:
    clock = Clock(script.id)
    lines = [
        NOTICE,
        f"Interview {script.id}, {script.meta['date']}. I = interviewer, R = respondent.",
        "",
    ]
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        parts = _turn_chunks(script, k, protected, max_words=40)
        start, _ = clock.speak(turn.text)
        lines.append(f"[{hms(start)[:8]}] {turn.speaker}: {parts[0]}")
        lines.extend(parts[1:])
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8", newline="\r\n")


def render_txt_plain(script: Script, protected: Protected, path: Path) -> None:
    lines = [NOTICE, "", f"Transcript {script.id} - recorded {script.meta['date']}", ""]
    for k, turn in enumerate(script.turns):
        parts = _turn_chunks(script, k, protected, max_words=45)
        lines.append(f"{turn.speaker}: {parts[0]}")
        lines.extend(parts[1:])
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def render_vtt_teams(script: Script, protected: Protected, path: Path) -> None:
    clock = Clock(script.id)
    rng = random.Random(f"{script.id}-guid")
    out = ["WEBVTT", "", f"NOTE {NOTICE}", ""]
    n = 0
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        guid = uuid.UUID(int=rng.getrandbits(128), version=4)
        for part in _turn_chunks(script, k, protected, max_words=18):
            start, end = clock.speak(part)
            out += [
                f"{guid}/{n}-0",
                f"{hms(start)} --> {hms(end)}",
                f"<v {turn.speaker}>{part}</v>",
                "",
            ]
            n += 1
    path.write_text("\n".join(out), encoding="utf-8")


def render_vtt_zoom(script: Script, protected: Protected, path: Path) -> None:
    clock = Clock(script.id)
    out = ["WEBVTT", "", f"NOTE {NOTICE}", ""]
    n = 1
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        for part in _turn_chunks(script, k, protected, max_words=22):
            start, end = clock.speak(part)
            out += [
                str(n),
                f"{hms(start)} --> {hms(end)}",
                f"{turn.speaker}: {part}",
                "",
            ]
            n += 1
    path.write_text("\n".join(out), encoding="utf-8")


def render_srt(script: Script, protected: Protected, path: Path) -> None:
    clock = Clock(script.id)
    out = ["1", f"{hms(0, ',')} --> {hms(1.2, ',')}", f"[{NOTICE}]", ""]
    n = 2
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        for part in _turn_chunks(script, k, protected, max_words=20):
            start, end = clock.speak(part)
            out += [
                str(n),
                f"{hms(start, ',')} --> {hms(end, ',')}",
                f"{turn.speaker}: {part}",
                "",
            ]
            n += 1
    path.write_text("\n".join(out), encoding="utf-8", newline="\r\n")


def render_otter(script: Script, protected: Protected, path: Path) -> None:
    clock = Clock(script.id)
    out = [NOTICE, ""]
    for k, turn in enumerate(script.turns):
        clock.turn_gap()
        for part in _turn_chunks(script, k, protected, max_words=85):
            start, _ = clock.speak(part)
            out += [f"{turn.speaker}  {clock_short(start)}", part, ""]
    out += ["", "Transcribed by https://otter.ai", ""]
    path.write_text("\n".join(out), encoding="utf-8")


RENDERERS: dict[str, Callable[[Script, Protected, Path], None]] = {
    "docx_researcher": render_docx_researcher,
    "docx_teams": render_docx_teams,
    "txt_timestamped": render_txt_timestamped,
    "txt_plain": render_txt_plain,
    "vtt_teams": render_vtt_teams,
    "vtt_zoom": render_vtt_zoom,
    "srt": render_srt,
    "otter": render_otter,
}


def render(script: Script, protected: Protected) -> Path:
    path = DEMO / f"{script.id}{SUFFIX[script.format]}"
    RENDERERS[script.format](script, protected, path)
    return path
