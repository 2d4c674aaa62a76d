"""qualcode: reproducible qualitative coding of interview transcripts in notebooks.

Import transcripts into exact text + offsets, keep hierarchical codebooks as data,
code in an embedded SQLite project, get spaCy-assisted suggestions with evidence,
measure inter-coder agreement exactly, draw publication treemaps, and export quote
banks and REFI-QDA files.

``import qualcode`` stays light: spaCy, pyplot, lxml, pypdf and openpyxl load only
when a function needs them.
"""

from __future__ import annotations

from qualcode import agreement, datasets, llm, widget
from qualcode._version import __version__
from qualcode.agreement import agreement_table, disagreements, resolve_disagreements
from qualcode.anonymise import (
    Detector,
    PseudonymisationResult,
    PseudonymKey,
    check_leaks,
    detect_identifiers,
    pseudonymise,
    suggest_entities,
)
from qualcode.codebook import Code, Codebook
from qualcode.corpus import Corpus, import_report, read_corpus
from qualcode.errors import (
    CodebookError,
    ImportFormatError,
    InvalidInputError,
    LLMError,
    LLMWarning,
    MissingDependencyError,
    OffsetError,
    QualcodeError,
    QualcodeWarning,
    StoreError,
    StoreLockedError,
    UndefinedStatisticWarning,
)
from qualcode.export import (
    code_matrix,
    cooccurrence,
    export_extracts,
    export_matrices,
    export_parquet,
    export_tables,
    format_attribution,
)
from qualcode.io import read_transcript
from qualcode.llm import LLMCoder, llm_code, llm_suggest
from qualcode.model import Coding, Transcript, Turn
from qualcode.refi import read_qdpx, write_qdpx
from qualcode.saturation import Saturation, saturation
from qualcode.store import Project
from qualcode.tagging import LearnedTagger, PatternTagger, evaluate, review, suggest
from qualcode.treemap import Treemap, code_treemap, read_selections, selection_treemap

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "Coding",
    "Corpus",
    "Detector",
    "ImportFormatError",
    "InvalidInputError",
    "LLMCoder",
    "LLMError",
    "LLMWarning",
    "LearnedTagger",
    "MissingDependencyError",
    "OffsetError",
    "PatternTagger",
    "Project",
    "PseudonymKey",
    "PseudonymisationResult",
    "QualcodeError",
    "QualcodeWarning",
    "Saturation",
    "StoreError",
    "StoreLockedError",
    "Transcript",
    "Treemap",
    "Turn",
    "UndefinedStatisticWarning",
    "__version__",
    "agreement",
    "agreement_table",
    "check_leaks",
    "code_matrix",
    "code_treemap",
    "cooccurrence",
    "datasets",
    "detect_identifiers",
    "disagreements",
    "evaluate",
    "export_extracts",
    "export_matrices",
    "export_parquet",
    "export_tables",
    "format_attribution",
    "import_report",
    "llm",
    "llm_code",
    "llm_suggest",
    "pseudonymise",
    "read_corpus",
    "read_qdpx",
    "read_selections",
    "read_transcript",
    "resolve_disagreements",
    "review",
    "saturation",
    "selection_treemap",
    "suggest",
    "suggest_entities",
    "widget",
    "write_qdpx",
]
