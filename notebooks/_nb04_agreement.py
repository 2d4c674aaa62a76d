# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 04: inter-coder agreement, consensus and saturation (cells for ``_build_notebooks.py``)."""

from __future__ import annotations

from _nbcells import FICTIONAL, PROJECT_SETUP, SETUP, code, md

NB04 = [
    md(f"""
# 4. Inter-coder agreement, consensus and saturation

Two fictional coders, AB and CD, coded the same ten interviews independently with the three
codebooks. How far do they agree? This notebook computes the usual agreement coefficients with
bootstrap confidence intervals, reproduces published worked examples, lists the passages where
the coders differ, and turns the team's decisions on those into a consensus coding. It ends
with the question reviewers ask next: did new codes stop turning up (thematic saturation)?

{FICTIONAL}
"""),
    code(SETUP),
    code(PROJECT_SETUP.format(stem="04")),
    md("""
## The unit of analysis comes first

Agreement is always agreement *on something*. qualcode compares coders on **units**: for each
unit and each code it asks "did this coder apply this code here?" (yes if any of the coder's
codings with that code overlaps the unit). The unit can be

* a **turn** (a participant's whole answer),
* a **sentence** inside a turn, or
* a **character** (every character of the participants' turns, as NVivo's coding comparison does).

The same codings give different figures at different units: coders who agree on the answer but
mark slightly different boundaries agree fully by turn and less by sentence or character. Always
report the unit. Only participant turns are compared (the interviewer's questions are not coded).

## The agreement table

`qc.agreement_table` gives one row per code, then a `(pooled)` row over all codes, with the
number of units, how many were coded by anyone, and the coefficients with bootstrap confidence
intervals (`_ci_low`, `_ci_high`; we use 200 bootstrap replicates here to stay fast, the
default is 1000).
"""),
    code("""
tables = {
    unit: qc.agreement_table(project, coders=["AB", "CD"], unit=unit, n_boot=200, seed=0)
    for unit in ("turn", "sentence", "character")
}
tables["sentence"].head()
"""),
    md("""
The pooled row at each unit, side by side:
"""),
    code("""
def pooled_summary(table):
    row = table[table["code"] == "(pooled)"].iloc[0]
    return pd.Series({
        "units": int(row["n_units"]),
        "coded by anyone": int(row["n_coded"]),
        "% agreement": round(row["percent_agreement"], 3),
        "Cohen's kappa": f"{row['cohen_kappa']:.2f} [{row['cohen_kappa_ci_low']:.2f}, {row['cohen_kappa_ci_high']:.2f}]",
        "Krippendorff's alpha": f"{row['krippendorff_alpha']:.2f} [{row['krippendorff_alpha_ci_low']:.2f}, {row['krippendorff_alpha_ci_high']:.2f}]",
        "Gwet's AC1": f"{row['gwet_ac1']:.3f} [{row['gwet_ac1_ci_low']:.3f}, {row['gwet_ac1_ci_high']:.3f}]",
    })

pd.DataFrame({unit: pooled_summary(table) for unit, table in tables.items()})
"""),
    md("""
## What the coefficients say

* **Percent agreement** is the share of unit x code decisions on which the coders agree. Most
  sentences carry none of a given code, so two coders agree on "absent" almost everywhere and
  percent agreement looks excellent whatever they do with the codes. Do not report it alone.
* **Cohen's kappa**, **Scott's pi**, **Fleiss' kappa** and **Krippendorff's alpha** correct for
  the agreement expected by chance from how often each coder uses each code. Alpha also handles
  missing data and more than two coders; for two coders and no missing data the four are nearly
  equal. A common rule of thumb (Krippendorff) treats alpha >= 0.800 as reliable and
  0.667-0.800 as acceptable for tentative conclusions.
* **Gwet's AC1** and **Brennan-Prediger** use a different chance model and stay high when a code
  is rare; the gap between kappa and AC1 for rare codes is the well-known "kappa paradox".
* `unitized_alpha_*` are Krippendorff's alphas for **unitizing**: they compare the coded stretches
  of text directly, character by character, without fixing units first.

The intervals are percentile bootstrap intervals over units: they show how much the figure
could move with a different sample of the same kind of text. At character level they come out
very narrow because every character counts as a separate unit, although neighbouring characters
are coded together; do not read them as more precise than the sentence-level intervals.

Per code at sentence level, the codes used most:
"""),
    code("""
sentence = tables["sentence"]
per_code = sentence[sentence["code"] != "(pooled)"].sort_values("n_coded", ascending=False)
per_code[["code", "label", "n_coded", "percent_agreement", "cohen_kappa", "cohen_kappa_ci_low",
          "cohen_kappa_ci_high", "krippendorff_alpha", "gwet_ac1"]].head(12).round(3)
"""),
    md("""
The table has a row for each code **used** by AB or CD in a participant's sentence, not for every
code of the codebooks (pass `codes=` to list codes nobody applied). For a code applied to only
one sentence the bootstrap has nothing to resample, so its interval is undefined (NaN), not a
misleading `[0.00, 0.00]`:
"""),
    code("""
print(len(project.codebook), "codes in the three codebooks;", len(per_code), "used in participants' sentences")
per_code[per_code["n_coded"] == 1][["code", "n_coded", "cohen_kappa", "cohen_kappa_ci_low", "cohen_kappa_ci_high"]].round(3)
"""),
    md("""
For an appendix, `qc.export_tables` writes the three tables into one workbook, a named sheet per
unit, numbers shown with three decimals and undefined values written as "undefined":
"""),
    code("""
appendix = qc.export_tables(tables, workdir / "agreement.xlsx", na_rep="undefined")
print(appendix.name, pd.ExcelFile(appendix).sheet_names)
"""),
    md("""
Agreement on the broad categories: `level="root"` counts any code under a top-level code (for
example any Pursue role) as that top-level code. Coders often agree on the theme while picking
neighbouring codes under it.
"""),
    code("""
roots = qc.agreement_table(project, coders=["AB", "CD"], unit="sentence", level="root", n_boot=200, seed=0)
roots[["code", "label", "n_coded", "cohen_kappa", "cohen_kappa_ci_low", "cohen_kappa_ci_high", "krippendorff_alpha"]].round(3)
"""),
    md("""
## A published worked example, reproduced

The coefficients are also available one by one in `qc.agreement`, on **reliability data**: a
table with one row per unit, one column per coder, and empty cells where a coder did not code
the unit. Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*, gives four
observers' values on twelve units, with gaps, and the alphas at four levels of measurement:
nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
"""),
    code("""
k2011 = qc.datasets.load("krippendorff_2011")
display(k2011.T)

published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
pd.DataFrame(
    {"published": published,
     "qualcode": {level: round(qc.agreement.krippendorff_alpha(k2011, level=level), 3) for level in published}}
)
"""),
    md("""
A second one, with two coders: Gwet (2014), *Handbook of Inter-Rater Reliability*, classifies 100
cases into three categories. Its published values: Cohen's kappa 0.7964, Scott's pi 0.7962,
AC1 0.8493, Brennan-Prediger 0.835, Krippendorff's alpha 0.7973, percent agreement 0.89.
"""),
    code("""
gwet = qc.datasets.load("gwet_2014_abstractors")
published = {"percent_agreement": 0.89, "cohen_kappa": 0.7964, "scott_pi": 0.7962,
             "gwet_ac1": 0.8493, "brennan_prediger": 0.835, "krippendorff_alpha": 0.7973}
pd.DataFrame(
    {"published": published,
     "qualcode": {name: round(getattr(qc.agreement, name)(gwet), 4) for name in published}}
)
"""),
    md("""
## Disagreements to resolve

`qc.disagreements` lists every unit where the coders differ, with its text, a little context,
the codes in dispute and each coder's codes. The `resolution` column is for the team's decision:

* the codes to apply, comma-separated (`pursue, prevent`);
* `none` when the team decided that no code applies;
* blank: **not decided yet**, to come back to at the next meeting (nothing is written for it).
"""),
    code("""
dis = qc.disagreements(project, coders=["AB", "CD"], unit="sentence")
print(len(dis), "sentences to discuss")
dis[["transcript_id", "turn", "text", "codes_in_dispute", "AB", "CD", "resolution"]].head(8)
"""),
    md("""
Write them to Excel for the consensus meeting (here into the temporary folder).
`qc.export_tables` writes a workbook a team can work in (bold frozen header, filters, wrapped
text) and makes sure no cell of transcript text can run as a spreadsheet formula.
"""),
    code("""
xlsx = qc.export_tables(dis, workdir / "disagreements.xlsx")
print(xlsx, f"{xlsx.stat().st_size:,} bytes")
"""),
    md("""
In the meeting the team fills in `resolution`. To keep this notebook reproducible, the
"meeting" gets through the first twenty rows with a simple rule: keep the codes both coders
applied, AB's where CD did not code the sentence at all, and `none` where the two share no code.
The other rows stay blank for the next meeting. Then we read the file back and create a
**consensus** coder from the decided rows.
"""),
    code("""
meeting = pd.read_excel(xlsx, keep_default_na=False)

def decide(row):
    ab = {c.strip() for c in row["AB"].split(",") if c.strip()}
    cd = {c.strip() for c in row["CD"].split(",") if c.strip()}
    chosen = ab & cd if cd else ab
    return ", ".join(sorted(chosen)) or "none"

meeting.loc[:19, "resolution"] = meeting.head(20).apply(decide, axis=1)
meeting[["transcript_id", "AB", "CD", "resolution"]].head(8)
"""),
    md("""
`resolve_disagreements` writes the decided rows and skips the blank ones; it warns (printed here)
which spreadsheet rows are still open, and its result says which rows got codes, which were
decided as `none`, and which wait. Running it again after the next meeting adds only what is
new.
"""),
    code("""
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    consensus = qc.resolve_disagreements(project, meeting, coder="consensus")
for w in caught:
    print(f"{w.category.__name__}: {w.message}\\n")

print(len(consensus), "consensus codings")
print({name: len(consensus.attrs[name]) for name in ("resolved_rows", "no_code_rows", "undecided_rows")})
consensus[["transcript_id", "code", "coder", "origin", "text"]].head()
"""),
    md("""
The consensus coder holds the resolved passages (where AB and CD agreed, their codings already
stand). It is a coder like any other: its codings can be compared, exported or used to train a
tagger.
"""),
    code("""
project.codings().groupby(["coder", "origin"]).size()
"""),
    md("""
## Thematic saturation: were new codes still turning up?

Reviewers ask whether the sample was large enough. `qc.saturation` applies the method of
**Guest, Namey & Chen (2020)**, "A simple method to assess and report thematic saturation in
qualitative research", *PLOS ONE* 15(5): e0232076:

1. take the interviews in the order they were done;
2. the **base** is the set of distinct codes found in the first 4 interviews;
3. a **run** is the next 2 interviews; its *new information* is the number of codes first seen
   in it, as a share of the base's codes; the run then moves on one interview at a time;
4. saturation is reached at the first run that adds **5% or less** new information, and is
   reported as *base + run*: "5+2" means 5 interviews were needed, and the 2 after them added
   (almost) nothing new.

What it is: **code saturation**, a count of whether new codes kept appearing. What it is not:
**meaning saturation**, whether you understand each code's dimensions and nuances, which takes
more interviews and is judged by reading, not counting (Hennink, Kaiser & Marconi 2017,
*Qualitative Health Research* 27(4): 591-608). The count also depends on the coder and on the
codebook: a codebook written before the interviews, as here, cannot grow, so it tends to
saturate early. Report the parameters with the result.

The strategy document is not an interview, so we list the interviews to assess
(`transcripts=`); their order in the project is the order they were done.
"""),
    code("""
interview_ids = project.transcripts.query("source_type == 'interview'")["transcript_id"].tolist()
sat = qc.saturation(project, coder="AB", transcripts=interview_ids)
print("saturation:", sat.notation)
sat.table
"""),
    md("""
`table` has one row per interview: the codes AB applied in it, how many were new, and the running
total. `runs` has one row per run, with its new codes as a share of the base:
"""),
    code("""
sat.runs.round(3)
"""),
    md("""
The figure shows the base, the new codes per interview and the first saturated run: a cell
ending in `sat` shows it (`sat.figure` is the matplotlib figure itself), and `sat.save` writes it
for a paper (`.png` at 300 dpi, `.svg`, `.pdf`):
"""),
    code("""
sat.save(workdir / "saturation_AB.png")
sat
"""),
    md("""
The result depends on the order of the interviews: a different order puts different interviews
in the base. Guest et al. therefore repeat the assessment over random orders. `bootstrap=200`
does that 200 times and reports the median saturation point with a 95% interval; `summary` is a
paragraph for the methods section, with the parameters.
"""),
    code("""
sat = qc.saturation(project, coder="AB", transcripts=interview_ids, bootstrap=200, seed=0)
print(sat.summary)
"""),
    md("""
The same for coder CD, and for the broad themes (`level="root"`), which saturate sooner:
"""),
    code("""
pd.DataFrame({
    "AB, codes": qc.saturation(project, coder="AB", transcripts=interview_ids).notation,
    "CD, codes": qc.saturation(project, coder="CD", transcripts=interview_ids).notation,
    "AB, themes": qc.saturation(project, coder="AB", transcripts=interview_ids, level="root").notation,
}, index=["saturation (base + run)"])
"""),
    code("""
project.close()
"""),
    md("""
**Next:** `05_figures_and_exports.ipynb` draws the report's figures and exports the quote banks.
"""),
]
