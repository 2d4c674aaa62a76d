"""Synthesise the FICTIONAL demo recording INT08.opus and time INT08.srt to it.

Speech synthesis only (espeak-ng: no real voices, no real people). Each cue of
``corpora/demo/INT08.srt`` is spoken with a voice per speaker, the cues are joined
with short pauses, and the cue times in the .srt are rewritten to where each cue
really is in the recording, so a turn's ``time_start`` plays that turn.

Needs Debian's ``espeak-ng`` and ``opus-tools``. Run from the repository root,
after ``make_all.py`` (which writes the .srt with estimated times)::

    .venv/bin/python corpora/demo/_make/make_media.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SRT = ROOT / "corpora" / "demo" / "INT08.srt"
OUT = ROOT / "corpora" / "demo" / "INT08.opus"
VOICES = {"Interviewer": "en-gb+f3", None: "en-gb+m3"}  # None: any participant
SPEED = 185  # words per minute
GAP_SAME, GAP_TURN = 0.25, 0.6  # seconds of silence between cues
BITRATE = 8  # kbit/s: plenty for synthetic speech, keeps the file small
LABEL = re.compile(r"^([A-Za-z][\w .'-]{0,40}):\s+")


def parse_srt(text: str) -> list[tuple[str, str]]:
    """``[(index, text)]`` for each cue; times are recomputed."""
    cues = []
    for block in re.split(r"\r?\n\r?\n", text.strip()):
        lines = block.splitlines()
        if len(lines) >= 3 and "-->" in lines[1]:
            cues.append((lines[0].strip(), " ".join(x.strip() for x in lines[2:])))
    return cues


def hms(t: float) -> str:
    ms = round(t * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def speak(text: str, voice: str, path: Path) -> None:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(SPEED), "-w", str(path), text],
        check=True,
    )


def main() -> int:
    cues = parse_srt(SRT.read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="qualcode-media-"))
    frames: list[bytes] = []
    params = None
    t = 0.0
    timed = []
    previous = None
    for i, (index, text) in enumerate(cues):
        m = LABEL.match(text)
        speaker = m.group(1) if m else previous
        spoken = text[m.end() :] if m else text.strip("[]")
        voice = VOICES.get(speaker, VOICES[None])
        wav = tmp / f"{i:04d}.wav"
        speak(spoken, voice, wav)
        with wave.open(str(wav), "rb") as w:
            if params is None:
                params = w.getparams()
            data = w.readframes(w.getnframes())
            rate, width = w.getframerate(), w.getsampwidth()
        if i:
            gap = GAP_SAME if speaker == previous else GAP_TURN
            frames.append(b"\x00" * (int(gap * rate) * width))
            t += int(gap * rate) / rate
        start = t
        frames.append(data)
        t += len(data) / (rate * width)
        timed.append((index, start, t, text))
        previous = speaker
    assert params is not None
    full = tmp / "all.wav"
    with wave.open(str(full), "wb") as w:
        w.setparams(params)
        w.writeframes(b"".join(frames))
    subprocess.run(
        ["opusenc", "--quiet", "--bitrate", str(BITRATE), "--downmix-mono", str(full), str(OUT)],
        check=True,
    )
    out = []
    for index, start, end, text in timed:
        out += [index, f"{hms(start)} --> {hms(end)}", text, ""]
    SRT.write_text("\n".join(out), encoding="utf-8", newline="\r\n")
    size = OUT.stat().st_size
    print(f"{OUT.name}: {t:.1f} s, {size / 1024:.0f} KiB; {len(timed)} cues timed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
