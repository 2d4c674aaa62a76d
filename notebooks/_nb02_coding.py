# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 02: codebooks, a project, coding by hand and in the widget (cells for ``_build_notebooks.py``)."""

from __future__ import annotations

from _nbcells import FICTIONAL, SETUP, code, md

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
## Code in the coding widget

Offsets are exact but not how anyone wants to code forty interviews. `project.coding_widget`
opens an interactive coding window in JupyterLab for one coder:

* the **left pane** shows the transcript turn by turn (speaker, role, time), with your codings
  highlighted and listed in each turn's margin; with `compare_with="AB"` another coder's
  codings are shown dotted, read-only, so you can see where you differ;
* the **right pane** holds the code tree of the project's codebooks (colours, definitions when
  you hover), the current selection, the memo of the coding you clicked, and suggestions to
  accept or reject (notebook 3);
* **select words with the mouse and click a code** (or press `1`-`9` for the codes listed), or
  click a turn's number to select the whole answer; `n`/`p` move to the next or previous
  transcript and `u` shows only the turns you have not coded yet.

Every action is written to the project at once: there is no save button, and closing the
notebook loses nothing. A mistake (a code that does not exist, a selection across two turns) is
shown in the widget's status line and nothing is written.

The widget needs a running notebook to interact with; when this notebook is run as a test or
viewed as a static page, it shows only its placeholder.
"""),
    code("""
widget = project.coding_widget(coder="me", transcript="INT03", compare_with="AB")
widget
"""),
    md("""
What the mouse does in the widget is also a method, so the same steps can be scripted (or
tested). Here: select turn 4 (the constable's answer to "what does drugs work look like?"),
apply a code, write a memo. The coding is in the project straight away.
"""),
    code("""
widget.select_turn(4)                                       # a click on the turn's number
new_id = widget.apply_to_selection("gather-intelligence")   # a click on the code
widget.set_memo(new_id, "Intelligence from residents during welfare visits.")
print(widget.status)
project.codings(coder="me")[["coding_id", "transcript_id", "code", "memo", "text"]]
"""),
    md("""
## Share coded transcripts as a web page

Colleagues who do not run Python (a supervisor, a partner organisation, a steering group) can
read coded transcripts in a browser. `qc.widget.export_html` writes one **self-contained HTML
file**: each code is a coloured highlight, each turn's margin lists the codes with their coder
and memo, a legend counts the codes, and checkboxes hide or show each coder. The page needs no
network and no Python.

A transcript with a recording (the `media` column of `attributes.csv`; in the demo, INT08) gets
an audio player and a ▶ on each timed turn. The recording file is copied next to the HTML
file; pass `media=False` to leave recordings out.

The page holds the transcript text as stored: **pseudonymise before sharing outside the team**
(notebook 5).
"""),
    code("""
page = qc.widget.export_html(
    project, workdir / "coded_transcripts.html",
    transcript_ids=["INT03", "INT08"], coders=["AB", "CD"],
)
print(f"{page.name}: {page.stat().st_size:,} bytes")
print("in the folder:", sorted(p.name for p in workdir.iterdir() if not p.name.startswith("study")))
"""),
    md("""
`qc.widget.render_html` gives the same page for one transcript as a string; shown here in a
frame (scroll inside it):
"""),
    code("""
import html

from IPython.display import HTML

one = qc.widget.render_html(project, "INT03", coders=["AB", "CD"])
HTML(f'<div><iframe srcdoc="{html.escape(one)}" style="width: 100%; height: 520px; border: 1px solid #ccc"></iframe></div>')
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
