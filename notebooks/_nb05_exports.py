# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 05: figures, quote banks, exchange and sharing (cells for ``_build_notebooks.py``)."""

from __future__ import annotations

from _nbcells import FICTIONAL, SETUP, code, md

NB05 = [
    md(f"""
# 5. Figures and exports

This notebook redraws the two treemaps of the study report from the pre-interview **selection
exercises** (each interviewee picked ten police roles and ten drug-related harms from a list),
draws a treemap of how often codes were applied, writes quote banks for the write-up, exchanges
the project with other qualitative analysis software (REFI-QDA `.qdpx`), pseudonymises a copy
of the project for sharing, and ends with tidying a project (merging two codes).

{FICTIONAL} The selection-exercise answers in `corpora/exercises/` are made up so that their
tallies equal the published report's figures (see `corpora/exercises/README.md`).
"""),
    code(
        SETUP.replace(
            "from pathlib import Path\n", "import tempfile\nfrom pathlib import Path\n"
        )
        + """

workdir = Path(tempfile.mkdtemp(prefix="qualcode-05-"))   # everything is written here
EXERCISES = ROOT / "corpora" / "exercises"
books = {name: qc.Codebook.load(CODEBOOKS / f"{name}.yaml") for name in ("roles", "harms", "culture")}"""
    ),
    md("""
## The selection exercises

One row per pick: which respondent chose which item. `read_selections` checks every item
against the codebook (by id or label) and adds its label and top-level category.
"""),
    code("""
roles_sel = qc.read_selections(EXERCISES / "roles_selections.csv", codebook=books["roles"])
harms_sel = qc.read_selections(EXERCISES / "harms_selections.csv", codebook=books["harms"])
print(roles_sel["respondent"].nunique(), "respondents,", len(roles_sel), "role picks,", len(harms_sel), "harm picks")
roles_sel.head()
"""),
    md("""
## Police roles treemap

Each rectangle is a role, its area the number of interviewees who chose it, grouped into the four
Ps. Roles chosen by fewer than 7 interviewees are left out. The report's caption says "fewer than
eight", but its figure shows a role chosen by 7 and its totals (375 responses, 23 roles, 89%)
include it, so 7 is the threshold the figure actually used; qualcode's caption always states the
threshold applied. Roles flagged `harm_reduction` in the codebook are highlighted.
"""),
    code("""
roles_tm = qc.selection_treemap(
    roles_sel, books["roles"],
    min_respondents=7,
    highlight="harm_reduction", highlight_label="harm reduction policing",
    noun=("role", "roles"), respondent_noun=("interviewee", "interviewees"),
    title="Police roles in policing drug markets (fictional demo data)",
)
roles_tm
"""),
    code("""
print(roles_tm.caption)
"""),
    md("""
`summary` holds the caption's numbers, and `layout` the rectangles as a table (for checking, or
for redrawing with another tool). † marks counts that are placeholders in the demo data.
"""),
    code("""
print({k: roles_tm.summary[k] for k in ("responses_shown", "responses_total", "respondents", "items_shown", "share", "threshold")})
roles_tm.layout[["label", "category", "count", "highlighted", "placeholder"]].head(8)
"""),
    md("""
## Drug-related harms treemap

Harms chosen by fewer than 5 interviewees are left out.
"""),
    code("""
harms_tm = qc.selection_treemap(
    harms_sel, books["harms"],
    min_respondents=5,
    noun=("harm", "harms"), respondent_noun=("interviewee", "interviewees"),
    title="Drug-related harms to prioritise (fictional demo data)",
)
print(harms_tm.caption)
harms_tm
"""),
    md("""
Save figures for a paper: the format follows the suffix (`.png` at 300 dpi by default, `.svg`,
`.pdf`). Keep the caption with the figure.
"""),
    code("""
for name, tm in {"fig_roles": roles_tm, "fig_harms": harms_tm}.items():
    for suffix in (".png", ".svg"):
        print(tm.save((workdir / name).with_suffix(suffix)))
    (workdir / f"{name}_caption.txt").write_text(tm.caption, encoding="utf-8")
"""),
    md("""
## A treemap of the codings

The same kind of figure from the interview codings: here coder AB's police-roles codes, each
rectangle's area the number of interviews in which the code was applied. We build the project
as in the earlier notebooks.
"""),
    code("""
from qualcode.datasets import demo

corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
project = qc.Project(workdir / "study.qcproj")
for book in books.values():
    project.set_codebook(book)
project.add_transcripts(corpus)
project.add_codings(demo.demo_codings(corpus))

role_codes = [c.id for c in books["roles"]]
ab_roles = project.codings(coder="AB", code=role_codes)
codes_tm = qc.code_treemap(
    ab_roles, books["roles"], by="respondents",
    highlight="harm_reduction", highlight_label="harm reduction policing",
    title="Police roles coded in the interviews (coder AB, fictional demo data)",
)
print(codes_tm.caption)
codes_tm
"""),
    md("""
The numbers behind such a figure, as a table: codes by transcript (`code_matrix`), here rolled up
to the four Ps.
"""),
    code("""
qc.code_matrix(ab_roles, by="transcript", codebook=books["roles"], level=0)
"""),
    md("""
## Quote banks

`qc.export_extracts` writes every coded passage, grouped by code, with an attribution built from
the participant attributes, e.g. "(police officer – inspector/chief inspector)". The format follows
the suffix: Excel (one sheet per top-level theme and an index), Word, a self-contained HTML page,
Markdown or CSV.

A quote bank has **one row per extract**. When both coders (or the consensus) coded the same
passage with the same code, the quote appears once and the `coder` column lists them
(`AB; CD`); codings of one code whose spans overlap become one quote covering them all
(`merge_coders=False` gives one row per coding instead). The **quote comes first** in every
format, then its attribution, the turn number and the time stamp where the transcript has one,
then the rest. Here: both coders' codings, with a sentence of context either side.
"""),
    code("""
everyone = project.codings()
banks = {suffix: qc.export_extracts(everyone, workdir / f"quotes{suffix}", codebook=project.codebook, transcripts=project)
         for suffix in (".xlsx", ".docx", ".html")}
for path in banks.values():
    print(f"{path.name:12} {path.stat().st_size:>9,} bytes")
"""),
    code("""
xl = pd.ExcelFile(banks[".xlsx"])
print(xl.sheet_names)
quotes = pd.concat([pd.read_excel(xl, sheet_name=name) for name in xl.sheet_names if name != "Index"])
print(f"{len(everyone)} codings -> {len(quotes)} extracts, {quotes['coder'].str.contains(';').sum()} of them coded by both AB and CD")
pd.read_excel(xl, sheet_name="Prevent")[["extract", "attribution", "turn", "time", "code_label", "transcript", "coder"]].head(4)
"""),
    md("""
Quote banks can be narrowed: only some codes (and the codes under them), only some coders
(`coders=`), only some participants (`where=` on attributes). For example the Prevent roles, as
police officers put them:
"""),
    code("""
md_bank = qc.export_extracts(everyone, workdir / "prevent_officers.md", codebook=project.codebook,
                             codes="prevent", where={"role": "police officer"}, context=0)
print("\\n".join(md_bank.read_text(encoding="utf-8").splitlines()[:16]))
"""),
    md("""
## Exchange with other QDA software (REFI-QDA)

`qc.write_qdpx` writes the project (transcripts, codebooks, codings, coders, memos) as a `.qdpx`
file that NVivo, ATLAS.ti, MAXQDA and QualCoder can import; `validate=True` checks it against the
REFI-QDA schema first. `qc.read_qdpx` reads one back into a new project.
"""),
    code("""
import zipfile

qdpx = qc.write_qdpx(project, workdir / "study.qdpx", validate=True)
names = zipfile.ZipFile(qdpx).namelist()
print(qdpx.name, f"{qdpx.stat().st_size:,} bytes,", len(names), "entries, e.g.", names[:3])
"""),
    code("""
back = qc.read_qdpx(qdpx, workdir / "from_qdpx.qcproj")
compare = pd.DataFrame({
    "original": project.codings().groupby("coder").size(),
    "read back": back.codings().groupby("coder").size(),
})
back.close()
compare
"""),
    md("""
## Pseudonymise a copy before sharing

Interview transcripts name people, places and operations. `qc.pseudonymise` replaces every name
in a **key** (a separate file: `original, pseudonym, kind`) with its pseudonym, consistently in
every transcript, and replaces identifiers it detects (postcodes, phone numbers, collar numbers,
vehicle registrations ...). Codings move with the text, so each still covers the same words.
With `out=` the original project is left untouched and a pseudonymised copy is written.

In a real study the key lives **outside** the project, in an access-controlled place, and is
never shared. The demo ships one so that this can be shown.

A recording cannot be pseudonymised: voices and spoken names stay in it. So the copy leaves out
the link to INT08's recording, and qualcode warns about it (the warning is printed here).
"""),
    code("""
import warnings

key = demo.demo_key_path()
print(pd.read_csv(key)["kind"].value_counts().to_dict())

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = qc.pseudonymise(project, key, out=workdir / "shared.qcproj")
for w in caught:
    print(f"{w.category.__name__}: {w.message}\\n")
result.summary
"""),
    md("""
The report has one row per replacement, with where it was and what it became, but never the
original text (only a keyed hash of it).
"""),
    code("""
result.report[["transcript_id", "field", "start", "end", "kind", "source", "replacement"]].head(8)
"""),
    md("""
The same passage before and after:
"""),
    code("""
shared = result.corpus_or_project
before = project.transcript("INT03").turns[2].text
after = shared.transcript("INT03").turns[2].text
print("before:", before[:170], "\\n")
print("after: ", after[:170])
"""),
    md("""
Export from the pseudonymised copy, then check the exports for leaks: `qc.check_leaks` looks for
every original in the key in any export (Excel, Word, HTML, CSV, Markdown, qdpx) or project file.
The shared exports should give no hits. As a check that the check works, the quote bank written
above from the original project is full of hits.
"""),
    code("""
shared_files = [
    qc.export_extracts(shared, workdir / "shared_quotes.xlsx"),
    qc.export_extracts(shared, workdir / "shared_quotes.docx"),
    qc.write_qdpx(shared, workdir / "shared.qdpx"),
]
leaks = pd.concat([qc.check_leaks(path, key) for path in shared_files], ignore_index=True)
print(len(leaks), "originals found in the shared exports")

unshared = qc.check_leaks(banks[".xlsx"], key)
print(len(unshared), "originals found in the quote bank made before pseudonymising, e.g.:")
unshared[["location", "kind", "pseudonym", "context"]].head(4)
"""),
    md("""
## Tidy up a project: rename and merge codes and coders

Codebooks change during a study. A project can be tidied without losing a coding:
`rename_code`, `merge_codes`, `rename_coder`, `merge_coders` and `remove_transcript` each run in
one transaction and are recorded in the project's change log (`changes()`: what, who, when),
and a removed transcript's codings are kept in the log with their text and offsets.

Say the team decides, after the disagreements in notebook 4, that the coders could not tell
"Outputs vs outcomes" from "Arrests and seizures as performance metrics" and that the study
needs only one code. A merge cannot be undone by one call, so we try it on a **copy** of the
project first (`copy_to`):
"""),
    code("""
tidy = project.copy_to(workdir / "tidy.qcproj")
pair = ["outputs-vs-outcomes", "performance-metrics"]

def per_coder(p, codes):
    return p.codings(code=codes).pivot_table(index="code", columns="coder", values="coding_id", aggfunc="count", fill_value=0)

per_coder(tidy, pair)
"""),
    code("""
moved = tidy.merge_codes("outputs-vs-outcomes", into="performance-metrics", by="consensus meeting")
print(moved)
print(len(project.codings()), "codings before,", len(tidy.codings()), "after: nothing lost")
per_coder(tidy, pair)
"""),
    md("""
Codings that became identical (same passage, coder and code) would have collapsed into one, and
`collapsed` counts them. The merged code is gone from a new version of the codebook (save
`tidy.current_codebooks()` to keep the YAML file in step), and the change log says what
happened:
"""),
    code("""
print([(book.name, book.version) for book in tidy.current_codebooks()])
tidy.changes()[["action", "by", "summary"]]
"""),
    md("""
Agreement on the merged code, against the two codes before. Merging codes the coders confuse
raises agreement, but that is a decision about the **codebook**, not a way to improve a
reliability figure: make it for conceptual reasons, and report it with both figures.
"""),
    code("""
before = qc.agreement_table(project, coders=["AB", "CD"], unit="sentence", codes=pair, n_boot=0)
after = qc.agreement_table(tidy, coders=["AB", "CD"], unit="sentence", codes=["performance-metrics"], n_boot=0)
after = after[after["code"] != "(pooled)"]   # one code: the pooled row repeats it
pd.concat([before.assign(project="before"), after.assign(project="after merge")])[
    ["project", "code", "n_coded", "cohen_kappa", "krippendorff_alpha"]].round(3)
"""),
    code("""
tidy.close()
shared.close()
project.close()
print("everything was written to", workdir)
"""),
]
