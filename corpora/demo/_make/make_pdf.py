"""Write the FICTIONAL strategy document ``northvale_drugs_strategy.pdf`` with fpdf2.

Northvale Police does not exist; nor do the people, places, operations and figures below.
The text is a plausible force drugs strategy written in 4P terms for document-analysis demos.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TITLE = "Northvale Police Drugs Strategy 2023-2026"

FICTION = (
    "FICTIONAL DOCUMENT. This strategy was invented as demo data for the qualcode toolkit. "
    "Northvale Police, its officers, partners, places, operations and figures do not exist."
)

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Foreword",
        [
            "Drug markets cause harm in every neighbourhood in Northvale. They bring violence to our streets, "
            "exploit children and vulnerable adults, fuel acquisitive crime and take lives. This strategy sets out "
            "how Northvale Police will work with its partners over the next three years to reduce that harm.",
            "We will continue to pursue the organised crime groups that profit from drug supply, relentlessly and "
            "without apology. But enforcement alone has not reduced the harm that drugs cause, and we will not "
            "measure our success by arrests and seizures alone. We will judge ourselves by whether our communities "
            "are safer, whether fewer people die, and whether fewer children are exploited.",
            "Chief Constable Andrew Pellow",
        ],
    ),
    (
        "1. Our aim",
        [
            "Our aim is to reduce the harm caused by drug markets to individuals, families and communities in "
            "Northvale. We will do this through the four strands of the national approach to serious and organised "
            "crime: Pursue, Protect, Prevent and Prepare. Each strand has an owner at chief officer level and a "
            "delivery plan reviewed quarterly by the force drugs board.",
            "The strategy supports the priorities of the Police and Crime Commissioner and the Northvale Combating "
            "Drugs Partnership, which brings together the council, health services, the treatment provider, "
            "probation, youth justice and the police around shared outcomes.",
        ],
    ),
    (
        "2. The picture in Northvale",
        [
            "Our market profile for 2022 identified fourteen active county lines operating into the force area, "
            "most of them controlled from Merriton, and four local organised crime groups supplying heroin, crack "
            "cocaine, powder cocaine and cannabis in Northvale, Castlebridge and Ridgeford. The crack cocaine market "
            "has grown markedly since 2019 and is associated with most drug-related violence.",
            "Drug-related deaths in the force area rose for the fifth consecutive year. Exploitation referrals for "
            "children rose by a third, and the number of adults identified as victims of cuckooing doubled. "
            "Residents' surveys show that open drug dealing is among the top three concerns on the Kestrel Park "
            "and Millbrook estates.",
        ],
    ),
    (
        "3. Pursue",
        [
            "We will disrupt and dismantle the organised crime groups and county lines networks that cause the most "
            "harm, prioritising those that use violence, carry weapons or exploit children and vulnerable adults. "
            "Every operation will have a financial investigation from the outset, so that we undermine the business "
            "model of organised crime as well as prosecuting its members.",
            "We will use our threat, harm and risk assessment to decide which groups to target, weighting "
            "exploitation and violence above the scale of supply. We will work with the Three Rivers Regional "
            "Organised Crime Unit against the groups that supply our local markets, and with neighbouring forces "
            "against lines that cross force boundaries. Operations such as Operation Larkspur have shown what "
            "coordinated action can achieve; we will make sure that every such operation is followed by support for "
            "the people and places it leaves behind.",
        ],
    ),
    (
        "4. Protect",
        [
            "We will protect people who are harmed by drug markets, above all children who are criminally exploited "
            "and adults whose homes are taken over by dealers. Officers will treat exploited children as victims "
            "first and will refer them through the national referral mechanism and local safeguarding arrangements.",
            "We will continue to work with housing providers and the council to protect tenants at risk of cuckooing, "
            "using closure orders where needed. We will deliver a trauma-informed approach in custody and in our "
            "contact with victims. We will reassure communities by responding to their concerns, telling them what "
            "we have done with the information they give us, and working with partners to restore places affected "
            "by open drug markets.",
            "Officers on neighbourhood and response duties will be offered training to carry and administer "
            "naloxone, following the successful pilot in 2022.",
        ],
    ),
    (
        "5. Prevent",
        [
            "We will prevent people from becoming involved in drug markets, through early intervention with children "
            "at risk, work in schools, and support for families. We will identify and support those at risk of "
            "engaging in drug market activity, sharing information with the youth justice service and children's "
            "social care.",
            "We will divert people who use drugs into support services. Northvale Pathways, our diversion scheme for "
            "possession offences, gives eligible adults an assessment and an intervention with the treatment "
            "provider instead of prosecution. We will extend the scheme to young people in partnership with the "
            "youth justice service, and we will publish its outcomes, including reoffending, every year.",
        ],
    ),
    (
        "6. Prepare",
        [
            "We will understand our drug markets better than ever before. We will gather intelligence from every "
            "part of the organisation and from our partners, and analyse drug markets to identify where harm is "
            "greatest and how it is changing. We will build a harm dashboard with partners that combines "
            "drug-related deaths, non-fatal overdoses, hospital admissions, violence, exploitation referrals and "
            "community perceptions.",
            "We will be ready to respond to major drug-related incidents, including clusters of overdoses from "
            "contaminated supply, through joint drug alert arrangements with public health.",
        ],
    ),
    (
        "7. Measuring success",
        [
            "We will continue to record arrests, charges and seizures, which are required for national returns. "
            "These are outputs. Our outcomes are fewer drug-related deaths, less drug-related violence, fewer "
            "children exploited, fewer people repeatedly arrested for drug-related offending, and communities "
            "that feel safer. The force drugs board will report on both every quarter, and we will commission an "
            "independent evaluation of the strategy in its third year.",
        ],
    ),
    (
        "8. Our people and culture",
        [
            "The success of this strategy depends on our officers and staff. We will support them to use their "
            "discretion, to see vulnerability behind offending, and to work alongside partners as one system. "
            "We will recognise good work in safeguarding, diversion and problem solving as we recognise good "
            "arrests. Leaders at every level will be expected to model this approach.",
            "New officers will learn about drug-related harm, exploitation and trauma from partners and from "
            "people with lived experience of drug use and recovery. Supervisors will be trained to support "
            "officers in using diversion and safeguarding, and to recognise the effects on officers themselves of "
            "repeated exposure to overdoses, deaths and exploited children.",
        ],
    ),
    (
        "9. Working with partners",
        [
            "No single agency can reduce the harm caused by drug markets. Through the Northvale Combating Drugs "
            "Partnership we commit to share information lawfully and promptly, to plan major operations with "
            "partners so that safeguarding, treatment and housing support are ready when enforcement takes place, "
            "and to give communities feedback on the action taken in response to their concerns.",
            "We will agree a single data sharing agreement with health, the council and the treatment provider in "
            "the first year of the strategy, and we will second an analyst to the partnership to build the shared "
            "harm dashboard.",
        ],
    ),
    (
        "10. Governance and delivery",
        [
            "The Deputy Chief Constable will chair the force drugs board, which will oversee delivery of this "
            "strategy and report to the Police and Crime Commissioner twice a year. Each of the four strands will "
            "have a delivery plan with named leads, milestones and measures. The board will review the strategy "
            "annually in the light of the market profile, the harm dashboard and feedback from partners and "
            "communities.",
            "Annex A lists the measures the board will monitor. Output measures: arrests, charges and convictions "
            "for supply offences; seizures of drugs, cash and assets; county lines closed; diversion referrals. "
            "Outcome measures: drug-related deaths and non-fatal overdoses; drug-related violence; children and "
            "adults referred as victims of exploitation; repeat arrests for drug-related offending; residents' "
            "perceptions of drug dealing and of police action; completions of treatment following diversion.",
        ],
    ),
]


def text_paragraphs() -> list[str]:
    """All prose of the document, for checks against the pseudonym key."""
    return [FICTION, TITLE] + [p for _, paras in SECTIONS for p in paras]


def make_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(TITLE + " (FICTIONAL)")
    pdf.set_author("Northvale Police (fictional)")
    pdf.set_creator("qualcode demo data (fpdf2)")
    pdf.set_creation_date(dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC))
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_text_color(160, 0, 0)
    pdf.multi_cell(0, 5.5, FICTION)
    pdf.ln(6)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, TITLE)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        "Reducing the harm caused by drug markets: Pursue, Protect, Prevent, Prepare",
    )
    pdf.ln(4)
    for heading, paras in SECTIONS:
        if heading.startswith("3."):
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, heading)
        pdf.ln(1)
        pdf.set_font("Helvetica", "", 11)
        for para in paras:
            pdf.multi_cell(0, 5.8, para)
            pdf.ln(3)
        pdf.ln(2)
    pdf.output(str(path))
    return path
