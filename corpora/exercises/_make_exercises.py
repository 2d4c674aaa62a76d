"""Generate the fictional selection-exercise responses (seeded; run from the repo root).

    .venv/bin/python corpora/exercises/_make_exercises.py

Writes ``roles_selections.csv``, ``roles_selections.xlsx`` (the same rows) and
``harms_selections.csv``: 42 fictional respondents x 10 picks each, long layout
(``respondent, pick, item, category, placeholder``). The tallies by distinct respondent
equal the legible values of the N8 report's two treemaps (``shared/reference/
report-figures.md``); values that are not legible there are placeholders, marked
``placeholder=true`` on every row of that item. See README.md.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEED = 20240301
RESPONDENTS = [f"R{i:02d}" for i in range(1, 43)]
PICKS = 10

# (category, item label as in codebooks/*.yaml, distinct respondents, placeholder)
ROLES_SHOWN = [
    ("Pursue", "Disrupt OCGs/USGs", 33, False),
    (
        "Pursue",
        "Target the most violent and exploitative elements of the drugs trade",
        19,
        False,
    ),
    ("Pursue", "Enforce drug laws", 18, False),
    ("Pursue", "Target 'county lines'", 17, False),
    ("Pursue", "Fight crime and bring offenders to justice", 17, False),
    (
        "Pursue",
        "Target people who supply drugs and process them through the CJS",
        16,
        False,
    ),
    (
        "Pursue",
        "Prioritise reducing the supply of drugs that cause the most harm",
        16,
        False,
    ),
    (
        "Pursue",
        "Undermine the business model of OCGs",
        15,
        False,
    ),  # label partly illegible, count legible
    (
        "Pursue",
        "Target the most harmful offenders and networks",
        14,
        False,
    ),  # label partly illegible
    ("Pursue", "Target drug hotspots", 13, True),
    ("Pursue", "Pursue offenders through prosecution and disruption", 12, True),
    (
        "Pursue",
        "Role illegible in the report",
        14,
        True,
    ),  # the 23rd role: label and count lost
    ("Protect", "Protect/safeguard vulnerable people and children", 26, True),
    (
        "Protect",
        "Reduce harms caused by the production, trafficking and distribution of drugs",
        13,
        False,
    ),
    ("Protect", "Reassure the community by responding to their concerns", 11, False),
    (
        "Protect",
        "Protect victims from the harms associated with drug markets",
        8,
        False,
    ),
    ("Protect", "Deliver a trauma-informed approach", 7, False),
    ("Prevent", "Prevent people from engaging in SOC/drug market activity", 32, False),
    ("Prevent", "Divert people who use drugs into support services", 15, False),
    (
        "Prevent",
        "Identify and support those at risk of engaging in drug market activity",
        9,
        False,
    ),
    ("Prevent", "Deter people from engaging in drug market activity", 8, False),
    ("Prepare", "Gather intelligence", 24, False),
    ("Prepare", "Analyse drug markets", 18, False),
]

HARMS_SHOWN = [
    ("Crime", "Related crime", 26, False),
    ("Crime", "Fear of crime / ASB", 18, False),
    ("Crime", "Increase in organised crime", 16, False),
    ("Crime", "Victim of crime / intimidation (drug user / supplier)", 7, False),
    ("Crime", "Victim of crime/ASB", 5, False),
    ("Health", "Overdose / death", 20, False),
    ("Health", "Physical / mental illness", 19, False),
    ("Health", "Unknown purity / cutting agents", 6, False),
    ("Health", "Addiction / withdrawal symptoms", 6, False),
    ("Perceptions", "Normalisation of drug use / supply", 11, False),
    ("Perceptions", "Attraction / recruitment to criminal life", 7, False),
    ("Perceptions", "Loss of respect for law", 6, False),
    ("Perceptions", "Loss of trust in police / authorities", 5, True),
    (
        "Violence",
        "Victim of violence (drug debts / disputes or police enforcement)",
        14,
        False,
    ),
    ("Violence", "Increase in violence", 14, False),
    ("Exploitation", "Exploitation harm illegible in the report", 24, True),
    ("Exploitation", "Risk of exploitation", 20, True),
    ("Neighbourhoods", "Degradation of neighbourhoods", 17, True),
    ("Life chances", "Poverty / debt", 11, False),
    ("Life chances", "Educational disengagement", 6, False),
    ("Life chances", "Poor prospects / harm to employability", 5, False),
    ("Services", "Strain on local services", 19, False),
    ("Services", "Cost of health/support services", 9, False),
    ("Services", "Cost of policing/CJS", 8, True),
    ("Children / family", "Poor child welfare", 7, False),
    ("Children / family", "Family / peers victim of violence", 6, False),
    ("Children / family", "Poor parenting / child abuse", 5, True),
]


def _codebook_items(name: str) -> list[tuple[str, str]]:
    """(category, label) of every non-root code of codebooks/<name>.yaml, in order."""
    from qualcode.codebook import Codebook

    cb = Codebook.load(ROOT / "codebooks" / f"{name}.yaml")
    return [(cb.root_of(c.id).label, c.label) for c in cb if c.parent is not None]


def _below_threshold(
    shown: list,
    pool: list[tuple[str, str]],
    total: int,
    most: int,
    rng: random.Random,
    filler: str,
    categories: list[str],
) -> list[tuple[str, str, int, bool]]:
    """Spread ``total`` picks over the codebook items not shown (each 1..most), then
    placeholder items named ``filler`` when the codebook has too few."""
    shown_labels = {label for _, label, _, _ in shown}
    rest = [(cat, label) for cat, label in pool if label not in shown_labels]
    counts = [1] * len(rest)
    left = total - len(rest)
    if left < 0:
        raise SystemExit(
            f"more unshown codebook items ({len(rest)}) than picks to spread ({total})"
        )
    while left > 0 and any(c < most for c in counts):
        i = rng.randrange(len(rest))
        if counts[i] < most:
            counts[i] += 1
            left -= 1
    out = [(cat, label, n, False) for (cat, label), n in zip(rest, counts, strict=True)]
    k = 0
    while left > 0:  # the codebook lacks the rest of the study's list: placeholders
        k += 1
        n = min(left, rng.randint(1, min(3, most)))
        out.append(
            (categories[(k - 1) % len(categories)], f"{filler} {k:02d}", n, True)
        )
        left -= n
    return out


def _assign(
    items: list[tuple[str, str, int, bool]], rng: random.Random
) -> pd.DataFrame:
    """Give each item its count of distinct respondents; each respondent makes PICKS.

    Greedy bipartite realisation (Gale-Ryser): items by count descending, each to the
    respondents with the most picks left (random ties).
    """
    left = dict.fromkeys(RESPONDENTS, PICKS)
    chosen: dict[str, list[int]] = {r: [] for r in RESPONDENTS}
    order = sorted(range(len(items)), key=lambda i: -items[i][2])
    for i in order:
        n = items[i][2]
        ranked = sorted(RESPONDENTS, key=lambda r: (-left[r], rng.random()))
        if left[ranked[n - 1]] <= 0:
            raise SystemExit(f"cannot place {items[i][1]!r}: not enough picks left")
        for r in ranked[:n]:
            chosen[r].append(i)
            left[r] -= 1
    assert all(v == 0 for v in left.values()), left
    rows = []
    for r in RESPONDENTS:
        picks = chosen[r][:]
        rng.shuffle(picks)
        for p, i in enumerate(picks, start=1):
            cat, label, _, ph = items[i]
            rows.append(
                {
                    "respondent": r,
                    "pick": p,
                    "item": label,
                    "category": cat,
                    "placeholder": "true" if ph else "false",
                }
            )
    return pd.DataFrame(rows)


def make(
    name: str, shown: list, *, total_shown: int, threshold: int, filler: str
) -> pd.DataFrame:
    rng = random.Random(f"{SEED}-{name}")
    assert sum(n for *_, n, _ in shown) == total_shown, (
        name,
        sum(n for *_, n, _ in shown),
    )
    categories = list(dict.fromkeys(cat for cat, *_ in shown))
    rest = _below_threshold(
        shown,
        _codebook_items(name),
        len(RESPONDENTS) * PICKS - total_shown,
        threshold - 1,
        rng,
        filler,
        categories,
    )
    return _assign(list(shown) + rest, rng)


def main() -> None:
    roles = make(
        "roles",
        ROLES_SHOWN,
        total_shown=375,
        threshold=7,
        filler="Unlisted role (placeholder)",
    )
    harms = make(
        "harms",
        HARMS_SHOWN,
        total_shown=317,
        threshold=5,
        filler="Unpublished taxonomy harm",
    )
    roles.to_csv(HERE / "roles_selections.csv", index=False, lineterminator="\n")
    harms.to_csv(HERE / "harms_selections.csv", index=False, lineterminator="\n")
    # cells are reproducible; openpyxl stamps the save time in the metadata
    with pd.ExcelWriter(HERE / "roles_selections.xlsx", engine="openpyxl") as xl:
        roles.assign(placeholder=roles["placeholder"] == "true").to_excel(
            xl, sheet_name="selections", index=False
        )
    for name, df in (("roles", roles), ("harms", harms)):
        print(
            f"{name}: {len(df)} picks, {df['respondent'].nunique()} respondents, "
            f"{df['item'].nunique()} items"
        )


if __name__ == "__main__":
    main()
