"""Parse the FICTIONAL demo interview scripts in ``source/*.script``.

A script is the single source of a demo transcript: its words, who says them, and coder AB's
codings written inline. Every generator in this folder reads scripts through :func:`load_scripts`.

Format (one turn per line; a line that starts with neither ``I:`` nor ``P:`` continues the
previous turn on a new line)::

    % id: INT01                  header lines start with '%'
    % format: docx_researcher    which renderer writes the transcript file
    % interviewer: Interviewer   speaker label of the interviewer in the exported file
    % participant: P01           speaker label of the participant in the exported file
    I: question ...
    P: answer with ⟦tag tag|a coded passage⟧ and more text.

``⟦tags|text⟧`` marks a passage coded by coder AB with provisional theme tags (mapped to
codebook ids by ``tagmap.py``); spans may nest. Tags prefixed ``cd:`` are applied by coder CD only.
Nothing here is real: all names, places, operations and identifiers are invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
DEMO = HERE.parent

OPEN, SEP, CLOSE = "⟦", "|", "⟧"


@dataclass
class Span:
    start: int  # offsets into the clean turn text
    end: int
    tags: list[str]


@dataclass
class ScriptTurn:
    role: str  # "interviewer" | "participant"
    speaker: str
    text: str  # clean text, markup removed
    spans: list[Span] = field(default_factory=list)


@dataclass
class Script:
    id: str
    meta: dict[str, str]
    turns: list[ScriptTurn]

    @property
    def format(self) -> str:
        return self.meta["format"]

    def words(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)


def parse_markup(raw: str, where: str) -> tuple[str, list[Span]]:
    """Strip ``⟦tags|text⟧`` markup; return clean text and spans (nesting allowed)."""
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, list[str]]] = []
    spans: list[Span] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == OPEN:
            j = raw.index(SEP, i)
            tags = raw[i + 1 : j].split()
            if not tags:
                raise ValueError(f"{where}: empty tag list")
            stack.append((pos, tags))
            i = j + 1
            continue
        if ch == CLOSE:
            if not stack:
                raise ValueError(f"{where}: unbalanced {CLOSE}")
            start, tags = stack.pop()
            spans.append(Span(start, pos, tags))
            i += 1
            continue
        out.append(ch)
        pos += 1
        i += 1
    if stack:
        raise ValueError(f"{where}: unclosed {OPEN}")
    text = "".join(out)
    for s in spans:
        q = text[s.start : s.end]
        if q != q.strip() or not q:
            raise ValueError(f"{where}: span {q!r} has surrounding spaces")
    return text, sorted(spans, key=lambda s: (s.start, -s.end))


def load_script(path: Path) -> Script:
    meta: dict[str, str] = {}
    raw_turns: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("%"):
            if ":" in line:
                k, v = line[1:].split(":", 1)
                meta[k.strip()] = v.strip()
            continue
        if not line.strip():
            continue
        m = re.match(r"^([IP]): (.*)$", line)
        if m:
            raw_turns.append([m.group(1), m.group(2)])
        else:
            raw_turns[-1][1] += "\n" + line
    turns = []
    for k, (who, raw) in enumerate(raw_turns):
        text, spans = parse_markup(raw, f"{path.name} turn {k}")
        role = "interviewer" if who == "I" else "participant"
        speaker = meta["interviewer"] if who == "I" else meta["participant"]
        if spans and role != "participant":
            raise ValueError(f"{path.name} turn {k}: codings on an interviewer turn")
        turns.append(ScriptTurn(role, speaker, text, spans))
    return Script(meta["id"], meta, turns)


def load_scripts() -> list[Script]:
    return [load_script(p) for p in sorted(SOURCE.glob("*.script"))]


_SENT_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\[])")


def sentence_breaks(text: str) -> list[int]:
    """Offsets where a new sentence starts (after the whitespace)."""
    return [m.end() for m in _SENT_END.finditer(text)]


def chunks(text: str, protected: list[tuple[int, int]], max_words: int = 28) -> list[str]:
    """Split a turn into cue/line-sized chunks at sentence starts never inside a protected span.

    Joined back with single spaces the chunks give the text again (``"\\n"`` only where the
    script itself has a line break).
    """
    if "\n" in text:
        out: list[str] = []
        for part in text.split("\n"):
            out.extend(chunks(part, [], max_words))
        return out
    ok = [b for b in sentence_breaks(text) if not any(s < b < e for s, e in protected)]
    pieces: list[str] = []
    start = 0
    for b in ok:
        candidate = text[start:b].strip()
        if len(candidate.split()) >= max_words * 0.45:
            pieces.append(candidate)
            start = b
    pieces.append(text[start:].strip())
    # split very long pieces no further: a protected span stays in one chunk
    return [p for p in pieces if p]


def wrap(text: str, width: int = 90) -> list[str]:
    """Greedy word wrap (for researcher .txt layouts)."""
    lines: list[str] = []
    cur = ""
    for w in text.split(" "):
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


if __name__ == "__main__":
    total = 0
    for s in load_scripts():
        n = s.words()
        pn = sum(len(t.text.split()) for t in s.turns if t.role == "participant")
        total += n
        spans = sum(len(t.spans) for t in s.turns)
        print(f"{s.id} {s.format:<16} words {n:>5} (participant {pn:>5}) coded spans {spans}")
    print("total words", total)
