"""Coder AB's codings of the FICTIONAL demo corpus, from the inline markup of the scripts.

Each ``⟦tags|passage⟧`` in a participant turn becomes one coding per mapped code. Offsets here
are into the script's clean turn text; ``make_all.py`` turns them into ``quote`` + ``occurrence``.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from scripts import DEMO, Script
from tagmap import codes_for

CODEBOOKS = DEMO.parent.parent / "codebooks"
BOOKS = ("roles", "harms", "culture")


@dataclass(frozen=True)
class SpanCoding:
    transcript_id: str
    turn: int  # index into Script.turns
    start: int  # offsets into the turn's clean text
    end: int
    code: str
    memo: str = ""


def load_codes() -> dict[str, dict[str, str | None]]:
    """code id -> {"book": ..., "parent": ...} for the three study codebooks."""
    out: dict[str, dict[str, str | None]] = {}
    for book in BOOKS:
        data = yaml.safe_load((CODEBOOKS / f"{book}.yaml").read_text(encoding="utf-8"))
        for c in data["codes"]:
            if c["id"] in out:
                raise ValueError(f"code id {c['id']!r} is in two codebooks")
            out[c["id"]] = {"book": book, "parent": c.get("parent")}
    return out


# A few analytic memos coder AB wrote: (transcript, code, start of the passage) -> memo.
AB_MEMOS = {
    (
        "INT01",
        "vulnerability-victimhood",
        "And I remember thinking",
    ): "Victim/offender boundary: cuckooed tenant in possession. Key extract for the victimhood theme.",
    (
        "INT01",
        "short-termism",
        "That's the bit nobody",
    ): "'Whack-a-mole' in the participant's own words; also outputs vs outcomes.",
    (
        "INT03",
        "personal-family-experience",
        "So I've never been able",
    ): "Family experience as a lens: brother's heroin use. Compare INT02 (officer's brother died).",
    (
        "INT04",
        "soft-on-drugs",
        "They laugh at you",
    ): "Sceptical sergeant: diversion framed as no consequence. Contrast with his revolving-door account below.",
    (
        "INT05",
        "gather-intelligence",
        "And Prepare, for us",
    ): "Prepare in the study's sense (understanding the market), not the official 'mitigate impact' sense.",
    (
        "INT06",
        "identify-support-at-risk",
        "That's been a big cultural shift",
    ): "Intelligence used for Prevent/Protect rather than Pursue: staff perspective.",
    (
        "INT09",
        "vulnerability-victimhood",
        "The message to the young person",
    ): "Partner's view of the victim/criminal tension for exploited children.",
    (
        "INT10",
        "outputs-vs-outcomes",
        "A record seizure can mean",
    ): "Seizure figures are ambiguous: national view. Cf. INT05 on flooded markets.",
}


def ab_codings(scripts: list[Script], known: dict[str, dict[str, str | None]]) -> list[SpanCoding]:
    out: list[SpanCoding] = []
    used_memos = set()
    for s in scripts:
        for k, turn in enumerate(s.turns):
            for span in turn.spans:
                ab_tags = [t for t in span.tags if not t.startswith("cd:")]
                passage = turn.text[span.start : span.end]
                books_used: set[str] = set()
                for code in codes_for(ab_tags, passage):
                    if code not in known:
                        raise KeyError(f"{s.id}: code {code!r} is not in the codebooks")
                    # team convention: at most one code per codebook on a passage (the best-fitting
                    # one, listed first), so counts per code are counts of passages
                    if known[code]["book"] in books_used:
                        continue
                    books_used.add(str(known[code]["book"]))
                    memo = ""
                    for (tid, mcode, prefix), text in AB_MEMOS.items():
                        if tid == s.id and mcode == code and passage.startswith(prefix):
                            memo = text
                            used_memos.add((tid, mcode, prefix))
                    out.append(SpanCoding(s.id, k, span.start, span.end, code, memo))
    missing = set(AB_MEMOS) - used_memos
    if missing:
        raise ValueError(f"AB memos not attached: {sorted(missing)}")
    return out
