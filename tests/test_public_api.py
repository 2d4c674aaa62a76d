"""The public API contract: names from shared/API.md, sorted __all__, docstrings,
light import."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import qualcode

API_NAMES = [
    "read_transcript",
    "Transcript",
    "Turn",
    "read_corpus",
    "Corpus",
    "Codebook",
    "Code",
    "Project",
    "suggest",
    "LearnedTagger",
    "review",
    "evaluate",
    "agreement",
    "agreement_table",
    "disagreements",
    "read_selections",
    "selection_treemap",
    "code_treemap",
    "Treemap",
    "export_extracts",
    "write_qdpx",
    "read_qdpx",
    "QualcodeError",
    "pseudonymise",
    "check_leaks",
]
AGREEMENT_NAMES = [
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "brennan_prediger",
    "gwet_ac1",
    "krippendorff_alpha",
    "unitized_alpha",
]


def test_public_api_names_from_contract_exist():
    missing = [n for n in API_NAMES if not hasattr(qualcode, n)]
    assert missing == []
    missing = [n for n in AGREEMENT_NAMES if not hasattr(qualcode.agreement, n)]
    assert missing == []


def test_public_api_all_is_sorted_and_complete():
    assert qualcode.__all__ == sorted(qualcode.__all__)
    assert all(hasattr(qualcode, n) for n in qualcode.__all__)


def _documented():
    for name in qualcode.__all__:
        obj = getattr(qualcode, name)
        if inspect.isfunction(obj) or (
            inspect.isclass(obj) and not issubclass(obj, BaseException | Warning)
        ):
            yield name, obj


@pytest.mark.parametrize(
    "name,obj", list(_documented()), ids=[n for n, _ in _documented()]
)
def test_public_api_has_numpydoc_examples(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, (
        f"{name} needs a numpydoc docstring with an Examples section"
    )


def test_public_api_import_is_light():
    code = (
        "import sys, qualcode\n"
        "heavy = ['spacy', 'matplotlib.pyplot', 'lxml', 'pypdf', 'openpyxl', 'docx']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
