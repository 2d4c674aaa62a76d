# ruff: noqa: E501  (cell text: prose and notebook code keep their own line lengths)
"""What every notebook shares (cells for ``_build_notebooks.py``): the cell makers
``md``/``code``, the fictional-data notice, and the set-up cells."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

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

PROJECT_SETUP = """\
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
project.codings().groupby("coder").size()"""


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))
