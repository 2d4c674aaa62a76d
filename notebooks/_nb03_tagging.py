# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 03: assisted tagging, suggestions you review (cells for ``_build_notebooks.py``)."""

from __future__ import annotations

from _nbcells import FICTIONAL, PROJECT_SETUP, SETUP, code, md

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
## Or review in the coding widget

The same suggestions can be reviewed beside the transcript: the coding widget (notebook 2)
lists them in its right pane with the evidence words highlighted in the text; `a` accepts, `r`
rejects, `j`/`k` move between them. Decisions are written and logged exactly as `qc.review`
does. (`suggestions="auto"` runs the pattern tagger for you and leaves out what this coder has
already coded or rejected.)
"""),
    code("""
review_widget = project.coding_widget(coder="me", transcript="INT03", suggestions=again)
print(review_widget.suggestion_counts)
review_widget
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
five examples are skipped; codes whose cross-validated F1 stays below 0.30 (`min_f1`) are
trained and reported but not suggested, so the tagger only offers what it has shown it can do.
A progress bar counts the training rounds: one model per fold, then the final one. (Few rounds
and three folds keep this fast.)
"""),
    code("""
train_ids = ["INT01", "INT02", "INT03", "INT04", "INT05", "INT06", "INT07"]
new_ids = ["INT08", "INT09", "INT10"]
culture = books["culture"]
culture_codes = [c.id for c in culture]

learned = qc.LearnedTagger(codes=culture, unit="turn", seed=0, epochs=5)
learned.fit(project.codings(coder="AB", transcript_id=train_ids, code=culture_codes),
            coder="AB", transcripts=project, folds=3)

print(f"{len(culture)} codes in the codebook: {len(learned.trained)} trained, "
      f"{len(learned.active)} of them good enough to suggest; "
      f"{len(learned.skipped)} skipped for fewer than five examples")
report = learned.report
pd.concat([
    report[report["code"].isin(learned.trained)].sort_values("f1", ascending=False),
    report[report["code"].str.startswith("(")],
]).round(3)
"""),
    md("""
Read the report like the pattern evaluation above. With seven interviews most codes have a
handful of examples and the model is weak on them; only the code AB used most (partnership
working) does well enough to be suggested. That is what the report is for: it tells you which
codes the model can help with before you spend time on its suggestions. More coded interviews
give a better model.

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
ab_new = project.codings(coder="AB", transcript_id=new_ids, code=culture_codes)
check = qc.evaluate(learned_suggestions, ab_new, unit="turn", transcripts=new_interviews, zero_division="nan")
per_code_check = check[~check["code"].str.startswith("(") & (check["support"] > 0)]
pd.concat([per_code_check.sort_values("support", ascending=False).head(8),
           check[check["code"].str.startswith("(")]]).round(3)
"""),
    md("""
## Themes instead of codes: `level="root"`

Ten interviews are too few to learn 47 fine-grained codes, but they can be enough for the broad
**themes**. With `level="root"` every coding counts for the top-level code it sits under (any
code under "Barriers and resistance" counts as that theme), and the tagger learns the themes:
fewer classes, many more examples each. Useful for a first pass ("which answers talk about
barriers?") before coding the detail by hand.
"""),
    code("""
themes = qc.LearnedTagger(codes=culture, unit="turn", level="root", seed=0, epochs=5)
themes.fit(project.codings(coder="AB", transcript_id=train_ids, code=culture_codes),
           coder="AB", transcripts=project, folds=3)

print(f"{len(culture.roots())} themes: {len(themes.trained)} trained, {len(themes.active)} good enough to suggest, "
      f"{len(themes.skipped)} skipped")
themes.report.round(3)
"""),
    md("""
Cross-validated, codes against themes (the `(micro)` rows pool every trained code or theme):
"""),
    code("""
pd.DataFrame({
    "codes (level='leaf')": learned.report.set_index("code").loc["(micro)", ["precision", "recall", "f1"]],
    "themes (level='root')": themes.report.set_index("code").loc["(micro)", ["precision", "recall", "f1"]],
}).astype(float).round(3)
"""),
    md("""
And on the three new interviews, against AB's codings counted as themes (`root_of` gives the
theme of each code):
"""),
    code("""
ab_new_themes = ab_new.assign(code=[culture.root_of(c).id for c in ab_new["code"]])
theme_suggestions = themes.suggest(new_interviews)
check_themes = qc.evaluate(theme_suggestions, ab_new_themes, unit="turn", transcripts=new_interviews, zero_division="nan")
check_themes[check_themes["support"] > 0].round(3)
"""),
    md("""
The themes the model suggests are mostly right (precision), but it suggests only the themes it
learned well, so it finds a minority of AB's themes (recall). Treat it as a pointer to answers
worth reading first, never as a coder.

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
