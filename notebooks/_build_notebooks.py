# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Write the tutorial notebooks in this folder (``python notebooks/_build_notebooks.py``).

The notebooks are generated so that they stay reviewable as plain Python: edit the cells
here, re-run this script, and the ``.ipynb`` files are rewritten WITHOUT outputs (no
execution counts, no stored results). ``make test`` executes each notebook top to bottom
with nbmake, in the notebook's own folder, on the bundled FICTIONAL demo data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

FICTIONAL = (
    "> **The demo data are fictional.** Every interview, person, place, operation and "
    "selection-exercise answer in `corpora/` was invented for qualcode's tutorials "
    "(see `corpora/demo/README.md`)."
)

SETUP = '''\
from pathlib import Path

import pandas as pd

import qualcode as qc

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 70)

ROOT = Path("..")                      # the repository, seen from notebooks/
DEMO = ROOT / "corpora" / "demo"       # the fictional demo corpus
CODEBOOKS = ROOT / "codebooks"'''

PROJECT_SETUP = '''\
import tempfile

from qualcode.datasets import demo

workdir = Path(tempfile.mkdtemp(prefix="qualcode-{stem}-"))   # scratch folder, never the repository
corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
books = {{name: qc.Codebook.load(CODEBOOKS / f"{{name}}.yaml") for name in ("roles", "harms", "culture")}}

project = qc.Project(workdir / "study.qcproj")
for book in books.values():
    project.set_codebook(book)
project.add_transcripts(corpus)
project.add_codings(demo.demo_codings(corpus))   # the two fictional coders, AB and CD
print(workdir)
project.codings().groupby("coder").size()'''


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# ---------------------------------------------------------------------------------------
# 01 import and explore
# ---------------------------------------------------------------------------------------

NB01 = [
    md(f"""
# 1. Import transcripts and explore them

This notebook reads a folder of interview transcripts into qualcode and looks at them with
pandas: the transcripts, their turns (who said what), the participants' attributes, and who
speaks how much. It ends with the one idea everything else in qualcode rests on: a transcript
is **one stored text plus offsets** into it.

{FICTIONAL}
"""),
    code(SETUP),
    md("""
## Read the whole folder

`qc.read_corpus` reads every transcript in a folder. The format comes from the file suffix:
Word documents (`.docx`), plain text (`.txt`), subtitles from Teams or Zoom (`.vtt`, `.srt`) and
PDF documents. Speaker labels (`Interviewer:`, `P01:`, `<v Name>` ...) become turns. The
`attributes` table (one row per transcript, keyed by `transcript_id`, the file name without its
suffix) adds what we know about each participant.
"""),
    code("""
corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
corpus
"""),
    md("""
`corpus.summary()` gives one row per transcript: the format it came from, the number of turns and
words, and how many of those words the interviewer and the participant spoke.
"""),
    code("""
corpus.summary()
"""),
    md("""
The participant attributes, one row per transcript. The strategy document has no participant,
so its participant fields are empty.
"""),
    code("""
corpus.attributes[["transcript_id", "participant", "organisation", "role", "rank_band", "level", "source_type"]]
"""),
    md("""
## One transcript

`corpus["INT03"]` is one `Transcript`: its id, its text, its turns and its attributes.
`to_frame()` shows the turns as a table. Turn 0 is the note at the top of the file saying the
interview is fictional: it has no speaker label, so its speaker and role are empty.
"""),
    code("""
t = corpus["INT03"]
print(t)
print("speakers:", t.speakers)
print("attributes:", t.attributes["participant"], "|", t.attributes["job_title"], "|", t.attributes["role"])
t.to_frame().head(6)
"""),
    md("""
## The data model: one text, and offsets into it

qualcode stores each transcript as **one text**: one paragraph per turn, `Speaker: what they said`,
with a blank line between turns. A turn records where its words are in that text, as
`[start, end)` character positions (Python's slicing convention: `start` included, `end` not).
So `text[turn.start:turn.end]` is exactly what the speaker said, without the label. Codings,
suggestions, agreement and exports all point into the text in the same way, so every quote can
always be found again.
"""),
    code("""
print(t.text[:520])
"""),
    code("""
turn = t.turns[2]
print(turn.index, turn.speaker, turn.role, turn.start, turn.end)
print(repr(t.text[turn.start:turn.end][:120]))
t.text[turn.start:turn.end] == turn.text
"""),
    md("""
The same holds for every turn of every transcript:
"""),
    code("""
all(tr.text[tu.start:tu.end] == tu.text for tr in corpus for tu in tr.turns)
"""),
    md("""
Going the other way: given a position in the text (for example where a word occurs),
`turn_at` tells you which turn it belongs to.
"""),
    code("""
pos = t.text.find("cuckooing")
found = t.turn_at(pos)
print(f"'cuckooing' first appears at position {pos}, in turn {found.index} spoken by {found.speaker} ({found.role})")
"""),
    md("""
## All turns as one table

`corpus.turns` has one row per turn of every transcript, with the participant attributes
attached. Note the two kinds of "role": `role` is the **turn's** role in the interview
(`interviewer` or `participant`), while the participant's job category from `attributes.csv`
(police officer, police staff, partner) is in `participant_role`.
"""),
    code("""
turns = corpus.turns
print(list(turns.columns))
turns[["transcript_id", "turn", "speaker", "role", "participant_role", "rank_band", "text"]].head(8)
"""),
    md("""
## Who speaks how much

Count the words in each turn, then add them up. In a good semi-structured interview the
participant does most of the talking. We keep to the interviews (the strategy document has no
speakers).
"""),
    code("""
turns["words"] = turns["text"].str.split().str.len()
interviews = turns[turns["source_type"] == "interview"]

by_role = interviews.pivot_table(index="transcript_id", columns="role", values="words", aggfunc="sum", fill_value=0)
by_role["participant share"] = (by_role["participant"] / by_role.sum(axis=1)).round(2)
by_role
"""),
    md("""
Participants' words by participant attribute: how much material we have from police officers,
police staff and partners, and from each rank band. This matters later: a theme that only
partners talk about may simply reflect how much partners said.
"""),
    code("""
participant_turns = interviews[interviews["role"] == "participant"]
summary = (
    participant_turns.groupby(["participant_role", "rank_band"], dropna=False)
    .agg(interviews=("transcript_id", "nunique"), turns=("turn", "size"), words=("words", "sum"))
    .reset_index()
)
summary["words per interview"] = (summary["words"] / summary["interviews"]).round()
summary
"""),
    md("""
The same numbers as a bar chart: words spoken in each interview, split into interviewer and
participant, with the participant's job category in the label.
"""),
    code("""
import matplotlib.pyplot as plt

labels = interviews.groupby("transcript_id")["participant_role"].first()
plot = by_role[["participant", "interviewer"]].copy()
plot.index = [f"{tid} ({labels[tid]})" for tid in plot.index]

fig, ax = plt.subplots(figsize=(8, 4))
plot.plot.barh(stacked=True, ax=ax, color=["#0072B2", "#E69F00"])
ax.invert_yaxis()
ax.set_xlabel("words")
ax.set_ylabel("")
ax.set_title("Who speaks how much (fictional demo interviews)")
fig.tight_layout()
plt.show()
"""),
    md("""
## Timestamps and documents

Subtitle files (`.vtt`, `.srt`) and some text exports carry times: each turn keeps its start
(and, where known, end) time in seconds. A document such as the PDF strategy has no speakers:
each page becomes a turn with an empty role.
"""),
    code("""
corpus["INT05"].to_frame()[["turn", "speaker", "role", "time_start", "time_end", "text"]].head(5)
"""),
    code("""
corpus["northvale_drugs_strategy"].to_frame()[["turn", "speaker", "role", "start", "end", "text"]]
"""),
    md("""
## Reading one file, and what a bad file looks like

`qc.read_transcript` reads a single file. When something is wrong, qualcode raises an error whose
message says what, where (file, line) and what to do. All of them are `qc.QualcodeError`s, so one
`except` catches them.
"""),
    code("""
single = qc.read_transcript(DEMO / "INT08.srt")
print(single, single.speakers)

try:
    qc.read_transcript(DEMO / "no_such_interview.docx")
except qc.QualcodeError as err:
    print(type(err).__name__, ":", err)
"""),
    md("""
**Next:** `02_codebooks_and_coding.ipynb` loads the codebooks and codes these transcripts in a
project file.
"""),
]


# ---------------------------------------------------------------------------------------
# 02 codebooks and coding
# ---------------------------------------------------------------------------------------

NB02 = [
    md(f"""
# 2. Codebooks and coding

A **codebook** lists the codes a team applies, with definitions, when to use and not to use each
code, examples and search patterns. qualcode keeps codebooks as plain YAML files next to the
data, so they can be reviewed, versioned and cited. A **project** is one file (SQLite) holding
the transcripts, the codebooks and every coding: who applied which code to which passage, when,
and with what memo.

{FICTIONAL}
"""),
    code(SETUP),
    md("""
## The three study codebooks

`codebooks/` holds three codebooks for a study of drugs policing: police **roles** under the 4P
frame (Pursue, Protect, Prevent, Prepare), drug-related **harms**, and police **cultural change**.
"""),
    code("""
books = {name: qc.Codebook.load(CODEBOOKS / f"{name}.yaml") for name in ("roles", "harms", "culture")}
for name, book in books.items():
    print(f"{name:8} {book.name!r}, version {book.version}: {len(book)} codes, {len(book.roots())} top-level")
"""),
    md("""
`to_frame()` gives one row per code: its id, label, parent, depth, definition, and how many
include/exclude rules, examples and patterns it has. Handy for checking a codebook with pandas.
"""),
    code("""
roles = books["roles"]
roles.to_frame()[["code", "label", "parent", "depth", "n_include", "n_exclude", "n_examples", "n_patterns"]].head(10)
"""),
    md("""
## The hierarchy

Codes nest: `roots()` are the top-level codes, `children(id)` the codes under one, and
`ancestors(id)` the path up. `walk()` goes through the tree in order with each code's depth.
"""),
    code("""
print([c.id for c in roles.roots()])
print([c.id for c in roles.children("prevent")])
print([c.id for c in roles.ancestors("divert-to-support")])

for c, depth in books["harms"].walk():
    if depth == 0:
        print(c.label)
    elif c.parent == "harm-exploitation":
        print("    " + c.label)
"""),
    md("""
One code in full: what it means, when to apply it and when not, examples, and the patterns the
assisted tagger (notebook 3) looks for.
"""),
    code("""
c = roles["divert-to-support"]
print(c.label, "\\n")
print(c.definition, "\\n")
print("Include:", *c.include, sep="\\n  - ")
print("Exclude:", *c.exclude, sep="\\n  - ")
print("Examples:", *c.examples, sep="\\n  - ")
print("Patterns:", c.patterns[:4], "...")
"""),
    md("""
Codes can carry flags. The roles codebook flags the roles that might be counted as
**harm reduction policing**; notebook 5 highlights them in a figure.
"""),
    code("""
[c.label for c in roles.flagged("harm_reduction")][:8]
"""),
    md("""
## A codebook as a document

`to_markdown()` (or `render("codebook.md")` / `render("codebook.html")`) writes the codebook as a
readable document for the team or an appendix. We write files only into a temporary folder, never
into the repository.
"""),
    code("""
import tempfile

from IPython.display import Markdown

workdir = Path(tempfile.mkdtemp(prefix="qualcode-02-"))
written = books["harms"].render(workdir / "harms_codebook.html")
print("written:", written)

text = books["harms"].to_markdown()
Markdown(text[: text.find("###", text.find("###") + 1)])   # the start of the document
"""),
    md("""
## A project, in a temporary folder

`qc.Project(path)` opens the project file, creating it if needed. We give it the three codebooks
and the demo transcripts. `add_transcripts` reports what happened to each transcript (adding the
same transcripts again changes nothing).
"""),
    code("""
corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
project = qc.Project(workdir / "study.qcproj")
for book in books.values():
    project.set_codebook(book)
project.add_transcripts(corpus)
"""),
    code("""
project.transcripts[["transcript_id", "n_turns", "n_chars", "format", "participant", "role", "rank_band"]]
"""),
    md("""
## Code a whole turn

Find the turn you want (here: the first participant turn in INT03 that mentions cuckooing), then
apply a code to it by its index. Each coding records who applied it (`coder`).
"""),
    code("""
t = project.transcript("INT03")
turn = next(tu for tu in t.turns if tu.role == "participant" and "cuckooing" in tu.text)
print(f"turn {turn.index}, {turn.speaker}: {turn.text[:160]}...")

turn_coding = project.code_turn("INT03", turn.index, "cuckooing", coder="me")
turn_coding
"""),
    md("""
## Code a passage by its offsets

Most codings cover a sentence or a phrase, not a whole turn. Find the passage inside the turn's
text, then add the turn's `start` to get positions in the transcript's text. A memo records why.
"""),
    code("""
passage = "vulnerable to cuckooing"
start = turn.start + turn.text.find(passage)
end = start + len(passage)
print(repr(t.text[start:end]))

passage_coding = project.add_coding(
    "INT03", start, end, "protect-safeguard-vulnerable", coder="me",
    memo="Safeguarding visits as routine neighbourhood work.",
)
"""),
    md("""
## View the codings

`project.codings()` returns one row per coding, with the coded text and, from the turn and the
attributes table, who said it: speaker, turn role and participant attributes. Filter with
`coder=`, `code=` or `transcript_id=`, or with pandas.
"""),
    code("""
mine = project.codings(coder="me")
mine[["coding_id", "transcript_id", "start", "end", "code", "coder", "speaker", "participant_role", "rank_band", "memo", "text"]]
"""),
    md("""
## Memos

Add or change a memo on any coding with `set_memo`.
"""),
    code("""
project.set_memo(turn_coding, "Cuckooing named as the reason for welfare visits.")
project.codings(coder="me")[["coding_id", "code", "memo"]]
"""),
    md("""
## Remove a coding
"""),
    code("""
project.remove_coding(passage_coding)
project.codings(coder="me")[["coding_id", "code", "text"]]
"""),
    md("""
## When something is wrong

qualcode checks every coding before storing it. A code that is not in the codebooks, positions
outside the text, or an unknown transcript raise an error that says what is wrong and what to do;
nothing is stored.
"""),
    code("""
attempts = {
    "a typo in the code": lambda: project.add_coding("INT03", turn.start, turn.end, "cuckoing", coder="me"),
    "offsets past the end": lambda: project.add_coding("INT03", 100, 10**6, "cuckooing", coder="me"),
    "an unknown transcript": lambda: project.code_turn("INT99", 1, "cuckooing", coder="me"),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except qc.QualcodeError as err:
        print(f"{what}:\\n  {type(err).__name__}: {err}\\n")
"""),
    md("""
## Many codings at once

Codings made elsewhere (for example exported from another tool, or the demo's two fictional
coders AB and CD) come in as a table with `transcript_id, start, end, code, coder` and are added
in one go: all or nothing.
"""),
    code("""
from qualcode.datasets import demo

team = demo.demo_codings(corpus)
project.add_codings(team)

codings = project.codings()
codings["codebook"] = codings["code"].map(project.codebook.part_of)
codings.pivot_table(index="codebook", columns="coder", values="coding_id", aggfunc="count", fill_value=0)
"""),
    md("""
Memos the coders wrote, with who said the passage:
"""),
    code("""
codings[codings["memo"].notna()][["coder", "transcript_id", "code", "participant_role", "memo"]].head(6)
"""),
    md("""
The project is a file: close it, open it again later (or from another notebook) and everything
is still there.
"""),
    code("""
path = project.path
project.close()

with qc.Project(path) as reopened:
    print(reopened.coders, len(reopened.codings()), "codings")
"""),
    md("""
**Next:** `03_assisted_tagging.ipynb` lets qualcode suggest codes for you to review.
"""),
]


# ---------------------------------------------------------------------------------------
# 03 assisted tagging
# ---------------------------------------------------------------------------------------

NB03 = [
    md(f"""
# 3. Assisted tagging: suggestions you review

qualcode can **suggest** codes; it never applies them by itself. You look at each suggestion
with its evidence and accept or reject it; accepted suggestions become your codings and every
decision is logged. Two kinds of tagger:

* the **pattern tagger** looks for the words and phrases listed under `patterns` in the codebook;
* the **learned tagger** learns from a coder's own codings which codes go with which sentences.

We then check both against a human coder's work (precision, recall, F1).

{FICTIONAL}
"""),
    code(SETUP),
    md("""
Set up a project in a temporary folder with the demo corpus, the three codebooks and the
codings of the two fictional coders, AB and CD.
"""),
    code(PROJECT_SETUP.format(stem="03")),
    md("""
## Suggestions from the codebook's patterns

`qc.suggest` goes through the participants' sentences and suggests a code wherever its patterns
match. Each row is one suggestion: the sentence (`start`, `end`, `text`), the `code`, a `score`
between 0 and 1, the `evidence` (the words that matched) and which `tagger` made it. One matching
word scores 0.40, two different words or a two-word phrase 0.64, and each further match raises
the score towards 1.
"""),
    code("""
harms = books["harms"]
suggestions = qc.suggest(project, harms, unit="sentence")
print(len(suggestions), "suggestions for", suggestions["code"].nunique(), "codes")
suggestions[["transcript_id", "turn", "code", "score", "evidence", "text"]].head(8)
"""),
    md("""
## Look at the evidence

For one code, the sentences it was suggested for and the words that triggered it. The patterns
come from the codebook, so a bad suggestion usually means a pattern to tighten there.
"""),
    code("""
print("patterns:", harms["cuckooing"].patterns)
suggestions[suggestions["code"] == "cuckooing"][["transcript_id", "score", "evidence", "text"]].head(6)
"""),
    code("""
suggestions.groupby("code").agg(n=("score", "size"), mean_score=("score", "mean")).sort_values("n", ascending=False).head(10)
"""),
    md("""
## Review in a DataFrame

Take the suggestions for one interview, add a `decision` column, and fill it in: `accepted`,
`rejected`, or leave it blank to decide later. In practice you would read each `text` and
decide. Here, to keep the notebook reproducible, we accept the suggestions whose evidence is the
code's own name or a specific phrase, and reject the rest.

The same works outside Python: write the table to Excel, fill in the column there, read it back.
"""),
    code("""
to_review = suggestions[suggestions["transcript_id"] == "INT03"].copy()
to_review["decision"] = ""
specific = to_review["evidence"].str.contains("cuckoo|exploit|overdose|naloxone", case=False)
to_review.loc[specific, "decision"] = "accepted"
to_review.loc[~specific & (to_review["score"] < 0.5), "decision"] = "rejected"

review_file = workdir / "review_INT03.xlsx"
to_review.to_excel(review_file, index=False)          # ... edit the decision column in Excel ...
decided = pd.read_excel(review_file)                   # ... and read it back
print(decided["decision"].value_counts(dropna=False).to_dict())
decided[["code", "score", "evidence", "decision", "text"]].head(10)
"""),
    md("""
`qc.review` applies the decisions for a coder: accepted rows become codings, rejected ones are
logged so they are not suggested again, blank ones are skipped.
"""),
    code("""
qc.review(project, decided, coder="me")
"""),
    md("""
What got coded: the new codings have `origin` set to the tagger that suggested them, so it is
always clear which codings came from assisted tagging.
"""),
    code("""
project.codings(coder="me")[["transcript_id", "code", "coder", "origin", "text"]]
"""),
    md("""
And the decision log: every decision, with the tagger, its score and evidence, and when it was
made.
"""),
    code("""
project.decisions(coder="me")[["transcript_id", "code", "decision", "tagger", "score", "evidence", "decided"]]
"""),
    md("""
Reviewing the same file twice adds nothing, and suggesting again with `exclude_coded_by="me"`
leaves out what "me" has already coded or rejected.
"""),
    code("""
print(qc.review(project, decided, coder="me"))
again = qc.suggest(project, harms, unit="sentence", exclude_coded_by="me")
print(len(suggestions), "suggestions before,", len(again), "now")
"""),
    md("""
## How good are the patterns? Compare with a human coder

`qc.evaluate` compares suggestions with a coder's codings, sentence by sentence:

* **precision**: of the sentences the tagger suggested a code for, the share the coder also coded
  with it (how much of your reviewing time goes to good suggestions);
* **recall**: of the sentences the coder coded with a code, the share the tagger suggested
  (how much it would have found);
* **F1** combines the two; **support** is the number of sentences the coder coded.

The `(micro)` row pools all codes; `(macro)` averages the codes. Codes where a figure is undefined
(no suggestions, or never coded) show NaN.
"""),
    code("""
all_suggestions = qc.suggest(project, project.codebook, unit="sentence")
ev = qc.evaluate(all_suggestions, project.codings(coder="AB"), unit="sentence", transcripts=project, zero_division="nan")
ev[ev["code"].isin(["(micro)", "(macro)"])].round(3)
"""),
    code("""
ev[~ev["code"].str.startswith("(")].sort_values("support", ascending=False).head(12).round(3)
"""),
    md("""
Read this per code: codes with good precision are worth reviewing suggestions for; codes with low
precision need tighter patterns (or are better coded by hand). Patterns are a starting point,
not a coder.

## A learned tagger, trained on coder AB

The learned tagger is a small text classifier (spaCy, bag of words) trained on one coder's
codings. A realistic use: the team has coded some interviews and wants suggestions for the next
ones. So we train on coder AB's **cultural change** codings of interviews INT01-INT07, one
participant answer (turn) at a time, and then suggest codes for INT08-INT10.

`fit` cross-validates on the training interviews: it trains on some and tests on the others, so
the report says how well the model does on interviews it has not seen. Codes with fewer than
five examples are skipped and listed. (Few training rounds and three folds keep this fast.)
"""),
    code("""
train_ids = ["INT01", "INT02", "INT03", "INT04", "INT05", "INT06", "INT07"]
new_ids = ["INT08", "INT09", "INT10"]
culture = books["culture"]

learned = qc.LearnedTagger(codes=culture, unit="turn", seed=0, epochs=5)
learned.fit(project.codings(coder="AB", transcript_id=train_ids), coder="AB", transcripts=project, folds=3)

report = learned.report
per_code = report[~report["code"].str.startswith("(")]
print((per_code["status"] == "trained").sum(), "codes trained,",
      per_code["status"].str.startswith("skipped").sum(), "skipped for too few examples")
pd.concat([
    per_code[per_code["status"] == "trained"].sort_values("support", ascending=False),
    report[report["code"].str.startswith("(")],
]).round(3)
"""),
    md("""
Read the report like the pattern evaluation above. With seven interviews most codes have a
handful of examples and the model is weak on them; the codes AB used most (here partnership
working) do best. That is what the report is for: it tells you which codes the model can help
with before you spend time on its suggestions. More coded interviews give a better model.

Now suggestions for the three interviews the model has not seen. The evidence gives the model's
probability and the words whose removal lowers it most (a hint, not an explanation: a small
model also leans on common words).
"""),
    code("""
new_interviews = [project.transcript(tid) for tid in new_ids]
learned_suggestions = learned.suggest(new_interviews)
print(len(learned_suggestions), "suggestions for", len(new_ids), "interviews")
learned_suggestions.sort_values("score", ascending=False)[["transcript_id", "turn", "code", "score", "evidence"]].head(6)
"""),
    md("""
Since both demo coders coded those interviews too, we can see how the suggestions would have
fared against AB's own coding of them, per code:
"""),
    code("""
ab_new = project.codings(coder="AB", transcript_id=new_ids, code=[c.id for c in culture])
check = qc.evaluate(learned_suggestions, ab_new, unit="turn", transcripts=new_interviews, zero_division="nan")
per_code_check = check[~check["code"].str.startswith("(") & (check["support"] > 0)]
pd.concat([per_code_check.sort_values("support", ascending=False).head(8),
           check[check["code"].str.startswith("(")]]).round(3)
"""),
    md("""
A trained tagger can be saved next to the project and loaded later (it records the codes and the
training settings).
"""),
    code("""
saved = learned.save(workdir / "culture_tagger")
reloaded = qc.LearnedTagger.load(saved)
print(saved.name, "->", reloaded.version)
project.close()
"""),
    md("""
**Next:** `04_agreement.ipynb` measures how far the two coders agree.
"""),
]


# ---------------------------------------------------------------------------------------
# 04 agreement
# ---------------------------------------------------------------------------------------

NB04 = [
    md(f"""
# 4. Inter-coder agreement

Two fictional coders, AB and CD, coded the same ten interviews independently with the three
codebooks. How far do they agree? This notebook computes the usual agreement coefficients with
bootstrap confidence intervals, reproduces published worked examples, lists the passages where
the coders differ, and turns the team's decisions on those into a consensus coding.

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
the codes to apply, comma-separated (blank: no code).
"""),
    code("""
dis = qc.disagreements(project, coders=["AB", "CD"], unit="sentence")
print(len(dis), "sentences to discuss")
dis[["transcript_id", "turn", "text", "codes_in_dispute", "AB", "CD", "resolution"]].head(8)
"""),
    md("""
Write them to Excel for the consensus meeting (here into the temporary folder):
"""),
    code("""
xlsx = workdir / "disagreements.xlsx"
dis.to_excel(xlsx, index=False)
print(xlsx, xlsx.stat().st_size, "bytes")
"""),
    md("""
In the meeting the team fills in `resolution`. To keep this notebook reproducible we fill in the
first twenty rows by a simple rule: keep the codes both coders applied, plus AB's where CD did
not code the sentence at all. Then we read the file back and create a **consensus** coder from
the resolved rows.
"""),
    code("""
meeting = pd.read_excel(xlsx, keep_default_na=False)

def decide(row):
    ab = {c.strip() for c in row["AB"].split(",") if c.strip()}
    cd = {c.strip() for c in row["CD"].split(",") if c.strip()}
    chosen = ab & cd if cd else ab
    return ", ".join(sorted(chosen))

resolved = meeting.head(20).copy()
resolved["resolution"] = resolved.apply(decide, axis=1)
resolved[["transcript_id", "AB", "CD", "resolution"]].head(8)
"""),
    code("""
consensus = qc.resolve_disagreements(project, resolved, coder="consensus")
print(len(consensus), "consensus codings")
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
    code("""
project.close()
"""),
    md("""
**Next:** `05_figures_and_exports.ipynb` draws the report's figures and exports the quote banks.
"""),
]


# ---------------------------------------------------------------------------------------
# 05 figures and exports
# ---------------------------------------------------------------------------------------

NB05 = [
    md(f"""
# 5. Figures and exports

This notebook redraws the two treemaps of the study report from the pre-interview **selection
exercises** (each interviewee picked ten police roles and ten drug-related harms from a list),
draws a treemap of how often codes were applied, writes quote banks for the write-up, exchanges
the project with other qualitative analysis software (REFI-QDA `.qdpx`), and pseudonymises a
copy of the project for sharing.

{FICTIONAL} The selection-exercise answers in `corpora/exercises/` are made up so that their
tallies equal the published report's figures (see `corpora/exercises/README.md`).
"""),
    code(SETUP.replace("from pathlib import Path\n", "import tempfile\nfrom pathlib import Path\n") + """

workdir = Path(tempfile.mkdtemp(prefix="qualcode-05-"))   # everything is written here
EXERCISES = ROOT / "corpora" / "exercises"
books = {name: qc.Codebook.load(CODEBOOKS / f"{name}.yaml") for name in ("roles", "harms", "culture")}"""),
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
Markdown or CSV. Here: coder AB's codings, with a sentence of context either side.
"""),
    code("""
ab = project.codings(coder="AB")
banks = {suffix: qc.export_extracts(ab, workdir / f"quotes{suffix}", codebook=project.codebook, transcripts=project)
         for suffix in (".xlsx", ".docx", ".html")}
for path in banks.values():
    print(f"{path.name:12} {path.stat().st_size:>9,} bytes")
"""),
    code("""
xl = pd.ExcelFile(banks[".xlsx"])
print(xl.sheet_names)
pd.read_excel(xl, sheet_name="Prevent")[["code_label", "transcript", "attribution", "extract"]].head(4)
"""),
    md("""
Quote banks can be narrowed: only some codes (and the codes under them), only some participants
(`where=` on attributes). For example the Prevent roles, as police officers put them:
"""),
    code("""
md_bank = qc.export_extracts(ab, workdir / "prevent_officers.md", codebook=project.codebook,
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
"""),
    code("""
key = demo.demo_key_path()
print(pd.read_csv(key)["kind"].value_counts().to_dict())

result = qc.pseudonymise(project, key, out=workdir / "shared.qcproj")
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
    code("""
shared.close()
project.close()
print("everything was written to", workdir)
"""),
]


NOTEBOOKS = {
    "01_import_and_explore.ipynb": NB01,
    "02_codebooks_and_coding.ipynb": NB02,
    "03_assisted_tagging.ipynb": NB03,
    "04_agreement.ipynb": NB04,
    "05_figures_and_exports.ipynb": NB05,
    "06_llm_coder.ipynb": __import__("runpy").run_path(str(HERE / "_nb06_llm.py"))["NB06"],
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook into ``folder`` without outputs; return the paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells, metadata=dict(KERNEL))
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name[:2]}-{i:02d}"   # stable ids: rebuilding gives identical files
        nbformat.validate(nb)
        path = folder / name
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
