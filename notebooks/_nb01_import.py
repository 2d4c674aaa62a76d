# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""Notebook 01: import transcripts and explore them (cells for ``_build_notebooks.py``)."""

from __future__ import annotations

from _nbcells import FICTIONAL, SETUP, code, md

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
## What the importer understood

Before coding anything, check that qualcode read each file the way you meant. `qc.import_report`
has one row per transcript and speaker: the format (and, for text files, the encoding) it
detected, each speaker with the **role** it was given (`interviewer` or `participant`), their
number of turns and words, whether the file had time stamps, and `unused_labels`: line starts
shaped like a speaker label (`Note:`, `Q3:`) that were read as text instead. Turns without a
speaker, such as the title lines at the top of a file, are counted in a last row with an empty
speaker; a transcript with no speaker at all (the PDF strategy) gets a note saying so.
"""),
    code("""
report = qc.import_report(corpus)
report[["transcript_id", "format", "speaker", "role", "turns", "words", "has_times", "unused_labels", "note"]]
"""),
    md("""
Each interview has one interviewer and one participant, the interviewer speaks about a tenth of
the words, and no line was left unused. The speaker labels are as the files wrote them:
`I`/`R` in a researcher's text file, display names (`Claire Hennessey`) in Teams and Zoom files.

## Who interviewed? Names are not roles

qualcode gives a speaker the interviewer role when the label says so (`Interviewer`, `I`, `Q`,
`Researcher` ...); everyone else is a participant. In the demo the researcher renamed herself
"Researcher" or "Interviewer" in Teams and Zoom, so that works. Usually she does not: a Zoom
export labels turns with display names, and a name says nothing about who asked the questions.

Here is a short (fictional) Zoom recording's transcript, in which the participant typed her own
name in lower case, and a researcher's text file with a note in the middle. We write both into
a temporary folder and read it:
"""),
    code('''
import tempfile

new_folder = Path(tempfile.mkdtemp(prefix="qualcode-01-"))   # scratch folder, never the repository
(new_folder / "INT11.vtt").write_text("""WEBVTT

1
00:00:01.000 --> 00:00:06.500
Sam Reid: Thanks for joining. This interview is fictional demo data.

2
00:00:07.000 --> 00:00:15.000
jane doe: Happy to. I manage the outreach team at the drug service.

3
00:00:15.500 --> 00:00:19.000
Sam Reid: How often do you work with the neighbourhood police?

4
00:00:19.500 --> 00:00:31.000
jane doe: Most weeks. We do joint welfare visits when someone is at risk of cuckooing.
""", encoding="utf-8")
(new_folder / "INT12.txt").write_text("""Interviewer: Tell me about diversion. (Fictional demo data.)
Participant: It works when the referral is quick.
Note: recording paused for a phone call.
Interviewer: And when it is slow?
Participant: People drop out before the first appointment.
""", encoding="utf-8")

print("written to", new_folder)

new = qc.read_corpus(new_folder)
qc.import_report(new)[["transcript_id", "speaker", "role", "turns", "words", "unused_labels"]]
'''),
    md("""
Two things to fix or check. In INT11 the interviewer, Sam Reid, came out as a **participant**: his
questions would be coded, counted and quoted as if a participant had said them. In INT12 the
`Note:` line on line 3 was not taken as a speaker (it is read as part of the participant's
turn), which is right here; had it been a real speaker, you would add it to `speakers=`.

`speakers=` says who is who, by label: a role, or a new name and a role (here the participant's
study pseudonym). It applies to every file of the folder; labels that appear in no file are
named in a warning, so a typo cannot silently leave an interviewer a participant.
"""),
    code("""
speakers = {
    "Sam Reid": "interviewer",
    "jane doe": {"name": "P11", "role": "participant"},
}
new = qc.read_corpus(new_folder, speakers=speakers)
qc.import_report(new)[["transcript_id", "speaker", "role", "turns", "words"]]
"""),
    md("""
For a whole study, keep the mapping in a **speakers file** next to the transcripts (CSV, Excel
or YAML; one row per label, with an optional `transcript_id` column for a label that means
different people in different files) and pass its path: `read_corpus(folder,
speakers="speakers.csv")`, or `qualcode import ... --speakers speakers.csv` on the command line
(which also prints the import report).
"""),
    code("""
(new_folder / "speakers.csv").write_text(
    "transcript_id,label,name,role\\n"
    ",Sam Reid,,interviewer\\n"
    "INT11,jane doe,P11,participant\\n",
    encoding="utf-8",
)
new = qc.read_corpus(new_folder, speakers=new_folder / "speakers.csv")
new["INT11"].to_frame()[["turn", "speaker", "role", "time_start", "text"]]
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
