"""Map the scripts' provisional theme tags to code ids of the three study codebooks.

FICTIONAL demo data. Coder AB wrote provisional tags while coding the scripts; this is the
tag -> code mapping she settled on once the codebooks (``codebooks/*.yaml``) were fixed.
Some tags are refined by what the passage says (the leaf a careful coder would choose).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = str | None | Callable[[str], str | None]


def _has(pattern: str) -> Callable[[str], bool]:
    rx = re.compile(pattern, re.IGNORECASE)
    return lambda text: bool(rx.search(text))


_CHILD = _has(
    r"\b(child|children|kids?|boy|runners?|young|teen|fourteen|fifteen|sixteen|thirteen|twelve|eleven|school|lads?)\b"
)
_CUCKOO = _has(r"cuckoo|flat|tenant|address|house|use the flat")
_DEATH = _has(r"overdose|died|death|dead|killed|murder|blue")
_NEEDLE = _has(r"needle")
_PUBLIC = _has(r"street corner|on the corner|stairwell|dealing outside|dealing on")
_ACQ = _has(r"shoplift|burglar|acquisitive|shop theft|theft")
_USERS = _has(r"users|people who use|by name|met these kids|these kids|regular")
_EVAL = _has(r"evaluat")
_HARM_MEASURE = _has(r"harm dashboard|harm index|measure of harm|harm-based|whether the harm|harm in an area")
_PRIORITISE = _has(r"most harmful|the right people|killing people|harmful groups")
_ELIGIBLE = _has(r"eligib")
_ENGAGE = _has(r"\bengage")

TAGS: dict[str, Rule] = {
    # roles (4P)
    "r.disrupt_ocg": "disrupt-ocgs",
    "r.enforce": "enforce-drug-laws",
    "r.violent": "target-violent-exploitative",
    "r.county_lines": "target-county-lines",
    "r.justice": "fight-crime",
    "r.supply_cjs": "target-suppliers-cjs",
    "r.harmful_supply": "prioritise-harmful-drugs",
    "r.business": "undermine-ocg-business",
    "r.hotspots": "target-drug-hotspots",
    "r.prosecute": "pursue-offenders",
    "r.safeguard": "protect-safeguard-vulnerable",
    "r.reduce_harms": "reduce-market-harms",
    "r.reassure": "reassure-community",
    "r.victims": "protect-victims",
    "r.trauma": "trauma-informed",
    "r.overdose_response": "respond-to-overdoses",
    "r.prevent_engage": "prevent-engagement",
    "r.divert": "divert-to-support",
    "r.identify_risk": "identify-support-at-risk",
    "r.deter": "deter-engagement",
    "r.intel": "gather-intelligence",
    "r.analyse": "analyse-drug-markets",
    "r.framework_4p": None,
    # harms
    "h.related_crime": lambda t: "acquisitive-crime" if _ACQ(t) else "related-crime",
    "h.asb_fear": "fear-of-crime-asb",
    "h.organised_crime": "increase-organised-crime",
    "h.victim_intimidation": "victim-crime-intimidation",
    "h.overdose_death": "overdose-death",
    "h.illness": "physical-mental-illness",
    "h.purity": "unknown-purity",
    "h.addiction": "addiction-withdrawal",
    "h.normalisation": "normalisation",
    "h.recruitment": "attraction-criminal-life",
    "h.trust_police": "loss-trust-police",
    "h.violence_victim": "victim-of-violence",
    "h.violence_increase": "increase-in-violence",
    "h.exploitation": lambda t: (
        "child-criminal-exploitation" if _CHILD(t) else "cuckooing" if _CUCKOO(t) else "risk-of-exploitation"
    ),
    "h.neighbourhood": lambda t: (
        "drug-litter" if _NEEDLE(t) else "public-dealing-use" if _PUBLIC(t) else "degradation-neighbourhoods"
    ),
    "h.poverty_debt": "poverty-debt",
    "h.education": "educational-disengagement",
    "h.employability": "poor-prospects",
    "h.services_strain": "strain-local-services",
    "h.cost_cjs": "cost-policing-cjs",
    "h.child_welfare": "poor-child-welfare",
    "h.family_violence": "family-victim-violence",
    "h.parenting": "poor-parenting",
    "h.harms_criminalisation": "criminal-record",
    # cultural change
    "c.turning_point": lambda t: "encounters-with-deaths" if _DEATH(t) else "turning-point",
    "c.experience": lambda t: "contact-with-pwud" if _USERS(t) else "experiential-learning",
    "c.personal": "personal-family-experience",
    "c.training_evidence": lambda t: "evaluation-gaps" if _EVAL(t) else "training-evidence",
    "c.generational": "training-evidence",
    "c.revolving_door": "revolving-door",
    "c.deterrence_fails": "deterrence-views",
    "c.dissonance": "contradiction-dissonance",
    "c.harms_criminalisation": "harms-of-criminalisation",
    "c.health_not_crime": "health-not-crime",
    "c.victimhood": "vulnerability-victimhood",
    "c.stigma": "stigma-language",
    "c.hrp": lambda t: "prioritising-harm" if _PRIORITISE(t) else "harm-reduction-policing",
    "c.public_health": "public-health-approach",
    "c.partnership": "partnership-working",
    "c.information_sharing": "partnership-working",
    "c.resist_frustration": "partnership-working",
    "c.diversion": lambda t: (
        "diversion-eligibility" if _ELIGIBLE(t) else "diversion-engagement" if _ENGAGE(t) else "diversion-schemes"
    ),
    "c.discretion": "officer-discretion",
    "c.leadership": "senior-leadership",
    "c.pcc": "pcc-support",
    "c.enforcement_mission": "enforcement-mission",
    "c.job_satisfaction": "enforcement-mission",
    "c.soft_on_drugs": "soft-on-drugs",
    "c.politics_law": "law-and-politics",
    "c.resources": "resource-constraints",
    "c.analysis_valued": "organisational-inertia",
    "c.organisational_change": None,
    "c.staff_status": None,
    "c.trust_children": None,
    "c.not_police_work": "not-police-work",
    "c.metrics": "performance-metrics",
    "c.outputs_outcomes": lambda t: "harm-based-measures" if _HARM_MEASURE(t) else "outputs-vs-outcomes",
    "c.outcome_feedback": "evaluation-gaps",
    "c.whack_a_mole": "short-termism",
    "c.short_termism": "short-termism",
}


def codes_for(tags: list[str], text: str) -> list[str]:
    """Code ids for a passage's tags (order kept, duplicates and unmapped tags dropped)."""
    out: list[str] = []
    for tag in tags:
        if tag not in TAGS:
            raise KeyError(f"unknown tag {tag!r} on passage starting {text[:40]!r}")
        rule = TAGS[tag]
        code = rule(text) if callable(rule) else rule
        if code and code not in out:
            out.append(code)
    return out
