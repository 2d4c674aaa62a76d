"""Coder CD's codings of the FICTIONAL demo corpus: a second coder with realistic partial agreement.

CD coded the same transcripts independently with the same codebooks. Her codings are derived
here from AB's by explicit, seeded, hand-like rules, so the disagreements look like a real second
coder's rather than noise:

- **Same passage, same code** most of the time.
- **Misses**: she skips some passages, more often the second or third code of a multi-coded
  passage (she tends to apply fewer codes per passage) and the culture codebook's finer codes.
- **Sibling codes**: for codes that are easy to confuse she sometimes picks the neighbour
  (``CONFUSIONS``: e.g. enforce-drug-laws vs target-suppliers-cjs, turning-point vs
  experiential-learning, outputs-vs-outcomes vs performance-metrics).
- **Boundaries**: she codes the whole sentence where AB coded a clause, only the first
  sentence of a multi-sentence passage, a clause of a sentence, or runs on into the next sentence.
- **Extras**: she codes explicit mentions AB left alone (``KEYWORDS``: naloxone, warrant,
  diversion, cuckooing, intelligence, ...) and sometimes adds a closely related second code
  (``CO_CODES``).

Run through ``make_all.py``; the random generator is seeded, so the output is stable.
"""

from __future__ import annotations

import random
import re

from make_codings import SpanCoding
from scripts import Script, sentence_breaks

SEED = 20230811

P_MISS = 0.21
P_MISS_SECONDARY = 0.35  # second or later code on the same passage
P_MISS_BOOK = {"roles": 0.0, "harms": 0.05, "culture": 0.05}  # added to the base rate
P_SIBLING = 0.22
P_BOUNDARY = 0.30
P_CO_CODE = 0.30
P_KEYWORD = 0.55

CONFUSIONS: dict[str, list[str]] = {
    "enforce-drug-laws": ["target-suppliers-cjs", "fight-crime"],
    "target-suppliers-cjs": ["enforce-drug-laws"],
    "fight-crime": ["enforce-drug-laws"],
    "disrupt-ocgs": ["pursue-offenders", "target-most-harmful"],
    "pursue-offenders": ["disrupt-ocgs"],
    "target-violent-exploitative": ["target-most-harmful"],
    "prioritise-harmful-drugs": ["target-most-harmful"],
    "protect-safeguard-vulnerable": ["protect-victims"],
    "protect-victims": ["protect-safeguard-vulnerable"],
    "prevent-engagement": ["identify-support-at-risk"],
    "identify-support-at-risk": ["prevent-engagement"],
    "gather-intelligence": ["analyse-drug-markets"],
    "analyse-drug-markets": ["gather-intelligence"],
    "reduce-market-harms": ["target-violent-exploitative"],
    "fear-of-crime-asb": ["degradation-neighbourhoods", "victim-crime-asb"],
    "degradation-neighbourhoods": ["fear-of-crime-asb"],
    "public-dealing-use": ["degradation-neighbourhoods"],
    "drug-litter": ["degradation-neighbourhoods"],
    "victim-of-violence": ["increase-in-violence"],
    "increase-in-violence": ["victim-of-violence"],
    "child-criminal-exploitation": ["risk-of-exploitation"],
    "cuckooing": ["risk-of-exploitation"],
    "acquisitive-crime": ["related-crime"],
    "physical-mental-illness": ["addiction-withdrawal"],
    "poor-child-welfare": ["poor-parenting"],
    "poverty-debt": ["victim-of-violence"],
    "turning-point": ["experiential-learning"],
    "encounters-with-deaths": ["turning-point"],
    "experiential-learning": ["turning-point", "contact-with-pwud"],
    "contact-with-pwud": ["experiential-learning"],
    "outputs-vs-outcomes": ["performance-metrics", "harm-based-measures"],
    "performance-metrics": ["outputs-vs-outcomes"],
    "short-termism": ["outputs-vs-outcomes"],
    "harm-reduction-policing": ["public-health-approach", "prioritising-harm"],
    "public-health-approach": ["harm-reduction-policing"],
    "enforcement-mission": ["organisational-inertia"],
    "soft-on-drugs": ["enforcement-mission"],
    "not-police-work": ["impossible-mandate"],
    "revolving-door": ["deterrence-views"],
    "harms-of-criminalisation": ["contradiction-dissonance"],
    "evaluation-gaps": ["evidence-evaluation"],
    "diversion-schemes": ["diversion-engagement"],
}

# AB code -> a related code CD sometimes adds to the same passage.
CO_CODES: dict[str, str] = {
    "child-criminal-exploitation": "protect-safeguard-vulnerable",
    "cuckooing": "protect-victims",
    "overdose-death": "respond-to-overdoses",
    "encounters-with-deaths": "overdose-death",
    "vulnerability-victimhood": "child-criminal-exploitation",
    "short-termism": "outputs-vs-outcomes",
    "revolving-door": "harms-of-criminalisation",
    "diversion-schemes": "divert-to-support",
    "fear-of-crime-asb": "reassure-community",
    "senior-leadership": "partnership-working",
}

# Mentions CD codes wherever a participant sentence makes them (if AB left the sentence uncoded).
KEYWORDS: list[tuple[str, str]] = [
    (r"naloxone", "respond-to-overdoses"),
    (r"cuckoo", "cuckooing"),
    (r"\bwarrants?\b", "enforce-drug-laws"),
    (r"county lines?", "target-county-lines"),
    (r"Pathways|diversion", "diversion-schemes"),
    (r"intel(ligence)?\b", "gather-intelligence"),
    (r"overdose", "overdose-death"),
    (r"partnership|partners\b", "partnership-working"),
    (r"treatment", "support-treatment-recovery"),
    (r"exploit", "risk-of-exploitation"),
    (r"seizures?|arrests?\b", "performance-metrics"),
    (r"violence|stabbed|stabbing", "increase-in-violence"),
    (r"closure order", "protect-victims"),
]

CD_MEMOS = {
    (
        "INT02",
        "harms-of-criminalisation",
    ): "Charged instead of diverted: conviction cost him his job. Strong example.",
    (
        "INT04",
        "revolving-door",
    ): "He concedes the cycle himself. Possible 'reluctant convert'?",
    (
        "INT07",
        "short-termism",
    ): "Not sure whether this is short-termism or outputs vs outcomes: discuss with AB.",
    (
        "INT09",
        "trauma-informed",
    ): "Trauma-informed practice described from the partner side.",
    ("INT08", "reassure-community"): "Reassurance fades when dealing returns.",
}


def _sentences(text: str) -> list[tuple[int, int]]:
    starts = [0, *sentence_breaks(text)]
    out = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(text)
        seg = text[s:e]
        out.append((s, s + len(seg.rstrip())))
    return out


def _clause(text: str, s: int, e: int) -> tuple[int, int] | None:
    """A clause of ``text[s:e]``: up to the first comma/dash after at least five words."""
    seg = text[s:e]
    for m in re.finditer(r",| - | but | and ", seg):
        head = seg[: m.start()]
        if len(head.split()) >= 5 and len(seg[m.end() :].split()) >= 3:
            return s, s + len(head.rstrip())
    return None


def _vary_boundary(text: str, s: int, e: int, rng: random.Random) -> tuple[int, int]:
    sents = _sentences(text)
    inside = [(a, b) for a, b in sents if a < e and b > s]
    if len(inside) == 1:
        a, b = inside[0]
        if (a, b) != (s, e):  # AB coded a clause: CD takes the whole sentence
            return a, b
        idx = sents.index((a, b))
        if rng.random() < 0.5 and idx + 1 < len(sents):  # run on into the next sentence
            return a, sents[idx + 1][1]
        clause = _clause(text, a, b)
        return clause if clause else (a, b)
    if len(inside) > 1:  # a multi-sentence passage: CD codes one sentence of it
        a, b = inside[0] if rng.random() < 0.7 else inside[-1]
        return max(a, s), min(b, e)
    return s, e


def derive_cd(scripts: list[Script], ab: list[SpanCoding], known: dict[str, dict[str, str | None]]) -> list[SpanCoding]:
    rng = random.Random(SEED)
    by_id = {s.id: s for s in scripts}
    out: list[SpanCoding] = []
    seen_span: dict[tuple[str, int, int, int], int] = {}
    for c in ab:
        key = (c.transcript_id, c.turn, c.start, c.end)
        rank = seen_span.get(key, 0)
        seen_span[key] = rank + 1
        text = by_id[c.transcript_id].turns[c.turn].text
        book = known[c.code]["book"]
        p_miss = (P_MISS_SECONDARY if rank else P_MISS) + P_MISS_BOOK[book]
        if rng.random() < p_miss:
            continue
        code = c.code
        if code in CONFUSIONS and rng.random() < P_SIBLING:
            code = rng.choice(CONFUSIONS[code])
        s, e = c.start, c.end
        if rng.random() < P_BOUNDARY:
            s, e = _vary_boundary(text, s, e, rng)
        out.append(SpanCoding(c.transcript_id, c.turn, s, e, code))
        co = CO_CODES.get(c.code)
        if co and rng.random() < P_CO_CODE:
            out.append(SpanCoding(c.transcript_id, c.turn, s, e, co))
    # explicit mentions in sentences AB left uncoded
    ab_spans = {}
    for c in ab:
        ab_spans.setdefault((c.transcript_id, c.turn), []).append((c.start, c.end))
    for sc in scripts:
        for k, turn in enumerate(sc.turns):
            if turn.role != "participant":
                continue
            covered = ab_spans.get((sc.id, k), [])
            for a, b in _sentences(turn.text):
                if any(x < b and y > a for x, y in covered):
                    continue
                sentence = turn.text[a:b]
                if len(sentence.split()) < 5:
                    continue
                for pattern, code in KEYWORDS:
                    if re.search(pattern, sentence, re.IGNORECASE) and rng.random() < P_KEYWORD:
                        out.append(SpanCoding(sc.id, k, a, b, code))
                        break
    # dedupe (a co-code may repeat a code already there) and attach memos
    final: list[SpanCoding] = []
    have = set()
    memo_used = set()
    for c in out:
        k = (c.transcript_id, c.turn, c.start, c.end, c.code)
        if k in have:
            continue
        have.add(k)
        if c.code not in known:
            raise KeyError(f"CD rule produced unknown code {c.code!r}")
        memo = ""
        mk = (c.transcript_id, c.code)
        if mk in CD_MEMOS and mk not in memo_used:
            memo = CD_MEMOS[mk]
            memo_used.add(mk)
        final.append(SpanCoding(c.transcript_id, c.turn, c.start, c.end, c.code, memo))
    return final
