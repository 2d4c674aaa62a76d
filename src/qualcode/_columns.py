"""The one column vocabulary and the frame schemas (names, order, dtypes).

Every DataFrame qualcode returns goes through :func:`frame`, so column names and
dtypes never drift. Add a schema here when you add a frame-returning function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

# dtype vocabulary
STR = "string"
INT = "int64"
FLOAT = "float64"
BOOL = "bool"
TIME = "datetime64[ns, UTC]"
OBJ = "object"

Schema = Sequence[tuple[str, str]]

TURNS: Schema = (
    ("transcript_id", STR),
    ("turn", INT),
    ("speaker", STR),
    ("role", STR),
    ("start", INT),
    ("end", INT),
    ("time_start", FLOAT),
    ("time_end", FLOAT),
    ("text", STR),
)

UNITS: Schema = (
    ("transcript_id", STR),
    ("unit", INT),
    ("turn", INT),
    ("speaker", STR),
    ("role", STR),
    ("start", INT),
    ("end", INT),
)

CODINGS: Schema = (
    ("coding_id", INT),
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("coder", STR),
    ("origin", STR),
    ("memo", STR),
    ("created", TIME),
    ("codebook_version", STR),
    ("text", STR),
    ("turn", "Int64"),
    ("speaker", STR),
    ("role", STR),
)

SUGGESTIONS: Schema = (
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("score", FLOAT),
    ("evidence", STR),
    ("tagger", STR),
    ("unit", STR),
    ("turn", INT),
    ("text", STR),
)

EVALUATION: Schema = (
    ("code", STR),
    ("precision", FLOAT),
    ("recall", FLOAT),
    ("f1", FLOAT),
    ("support", INT),
    ("n_suggested", INT),
    ("tp", INT),
    ("fp", INT),
    ("fn", INT),
)

LAYOUT: Schema = (
    ("item", STR),
    ("label", STR),
    ("category", STR),
    ("count", INT),
    ("respondents", INT),
    ("x", FLOAT),
    ("y", FLOAT),
    ("dx", FLOAT),
    ("dy", FLOAT),
    ("highlighted", BOOL),
)


#: Prefix of a participant attribute whose name clashes with a frame's own column
#: (``role`` becomes ``participant_role`` beside the turn's ``role``).
ATTRIBUTE_PREFIX = "participant_"


def attribute_columns(
    attributes: Iterable[str], reserved: Iterable[str] | None = None
) -> dict[str, str]:
    """Column name of each participant attribute when joined onto a frame.

    Attributes named like one of the ``reserved`` columns (default: the
    :data:`TURNS` columns) get :data:`ATTRIBUTE_PREFIX`, so they never overwrite
    the frame's own column.

    Examples
    --------
    >>> attribute_columns(["organisation", "role"])
    {'organisation': 'organisation', 'role': 'participant_role'}
    >>> attribute_columns(["memo"], names(CODINGS))
    {'memo': 'participant_memo'}
    """
    taken = set(names(TURNS) if reserved is None else reserved)
    out: dict[str, str] = {}
    for n in attributes:
        col = n if n not in taken else ATTRIBUTE_PREFIX + n
        while col in taken or col in out.values():
            col = ATTRIBUTE_PREFIX + col
        out[n] = col
    return out


def attribute_name(column: str) -> str:
    """The attribute behind a column name (:data:`ATTRIBUTE_PREFIX` removed).

    Examples
    --------
    >>> attribute_name("participant_role"), attribute_name("rank_band")
    ('role', 'rank_band')
    """
    if column.startswith(ATTRIBUTE_PREFIX):
        return column[len(ATTRIBUTE_PREFIX) :]
    return column


def names(schema: Schema) -> list[str]:
    """Column names of a schema, in order.

    Examples
    --------
    >>> names(UNITS)[:3]
    ['transcript_id', 'unit', 'turn']
    """
    return [n for n, _ in schema]

SATURATION: Schema = (
    ("position", INT),
    ("transcript_id", STR),
    ("codes", INT),
    ("new_codes", INT),
    ("cumulative", INT),
    ("in_base", BOOL),
)

SATURATION_RUNS: Schema = (
    ("run", INT),
    ("first", INT),
    ("last", INT),
    ("new_codes", INT),
    ("base_codes", INT),
    ("ratio", FLOAT),
    ("saturated", BOOL),
)


def frame(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    schema: Schema,
    *,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Build a DataFrame with exactly the schema's columns (then ``extra``), typed.

    Missing columns are added empty; the index is a fresh ``RangeIndex``.

    Examples
    --------
    >>> df = frame(
    ...     [{"transcript_id": "t1", "unit": 0, "turn": 0, "start": 0, "end": 4}], UNITS
    ... )
    >>> list(df.columns) == names(UNITS)
    True
    >>> str(df["start"].dtype)
    'int64'
    """
    df = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    cols = names(schema) + [c for c in extra if c not in dict(schema)]
    for c in cols:
        if c not in df.columns:
            df[c] = pd.NA if c in dict(schema) else None
    df = df[cols].reset_index(drop=True)
    for name, dtype in schema:
        s = df[name]
        if str(s.dtype) == dtype:
            continue
        if dtype == TIME:
            # explicit unit: pandas 3 infers s/us from the values, pandas 2 gives ns
            df[name] = pd.to_datetime(s, utc=True).astype(TIME)
        elif dtype == INT:
            df[name] = pd.to_numeric(s).astype(INT) if len(s) else s.astype(INT)
        elif dtype == FLOAT:
            df[name] = pd.to_numeric(s, errors="coerce").astype(FLOAT)
        elif dtype == BOOL:
            df[name] = s.astype(BOOL)
        else:
            df[name] = s.astype(dtype)
    return df


# --- project store (store.py) ---------------------------------------------
PROJECT_TRANSCRIPTS: Schema = (
    ("transcript_id", STR),
    ("sha256", STR),
    ("n_turns", INT),
    ("n_chars", INT),
    ("source", STR),
    ("format", STR),
    ("encoding", STR),
)

TRANSCRIPT_REPORT: Schema = (
    ("transcript_id", STR),
    ("status", STR),
    ("reanchored", INT),
    ("orphaned", INT),
)

CODEBOOK_VERSIONS: Schema = (
    ("codebook_id", INT),
    ("name", STR),
    ("version", STR),
    ("hash", STR),
    ("n_codes", INT),
    ("added", TIME),
    ("current", BOOL),
)

ORPHANS: Schema = (
    ("orphan_id", INT),
    ("coding_id", INT),
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("coder", STR),
    ("origin", STR),
    ("memo", STR),
    ("created", TIME),
    ("codebook_version", STR),
    ("quote", STR),
    ("reason", STR),
    ("old_sha256", STR),
    ("new_sha256", STR),
    ("orphaned", TIME),
)

DECISIONS: Schema = (
    ("decision_id", INT),
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("coder", STR),
    ("decision", STR),
    ("tagger", STR),
    ("score", FLOAT),
    ("evidence", STR),
    ("decided", TIME),
)

MERGE_REPORT: Schema = (
    ("kind", STR),
    ("transcript_id", STR),
    ("coder", STR),
    ("count", INT),
    ("detail", STR),
)

# selection exercises (treemap.read_selections): one row per respondent and pick
SELECTIONS: Schema = (
    ("respondent", STR),
    ("item", STR),
    ("label", STR),
    ("category", STR),
    ("pick", "Int64"),
    ("placeholder", BOOL),
    ("line", "Int64"),
)

# Treemap.layout: LAYOUT first, then the rendering details (inches, y downward)
TREEMAP_LAYOUT: Schema = (
    *LAYOUT,
    ("responses", INT),
    ("placeholder", BOOL),
    ("color", STR),
    ("label_text", STR),
    ("label_fontsize", FLOAT),
    ("label_rotation", FLOAT),
    ("abbreviation", STR),
    ("label_shown", BOOL),
)

# Treemap.categories: one row per category block
TREEMAP_CATEGORIES: Schema = (
    ("category", STR),
    ("count", INT),
    ("responses", INT),
    ("respondents", INT),
    ("x", FLOAT),
    ("y", FLOAT),
    ("dx", FLOAT),
    ("dy", FLOAT),
    ("header_dy", FLOAT),
    ("color", STR),
)

# Codebook.to_frame: one row per code (flag columns ``flag_<name>`` follow as extras)
CODES: Schema = (
    ("code", STR),
    ("label", STR),
    ("parent", STR),
    ("root", STR),
    ("depth", INT),
    ("definition", STR),
    ("n_include", INT),
    ("n_exclude", INT),
    ("n_examples", INT),
    ("n_patterns", INT),
    ("color", STR),
    ("source", STR),
    ("source_status", STR),
)

# corpus.py: Corpus.attributes (then one column per attribute) and Corpus.summary()
CORPUS_ATTRIBUTES: Schema = (("transcript_id", STR),)

CORPUS_SUMMARY: Schema = (
    ("transcript_id", STR),
    ("format", STR),
    ("encoding", STR),
    ("turns", INT),
    ("speakers", INT),
    ("words", INT),
    ("words_interviewer", INT),
    ("words_participant", INT),
    ("words_other", INT),
    ("duration", FLOAT),
    ("source", STR),
)

# corpus.py: import_report() (one row per transcript and speaker, then skipped files)
IMPORT_REPORT: Schema = (
    ("transcript_id", STR),
    ("source", STR),
    ("format", STR),
    ("encoding", STR),
    ("speaker", STR),
    ("role", STR),
    ("turns", INT),
    ("words", INT),
    ("has_times", BOOL),
    ("unused_labels", STR),
    ("note", STR),
)

# agreement.py: agreement_table() (one row per code, then the "(pooled)" row)
AGREEMENT: Schema = (
    ("code", STR),
    ("label", STR),
    ("unit", STR),
    ("coders", STR),
    ("n_units", INT),
    ("n_coded", INT),
    ("percent_agreement", FLOAT),
    ("cohen_kappa", FLOAT),
    ("cohen_kappa_ci_low", FLOAT),
    ("cohen_kappa_ci_high", FLOAT),
    ("fleiss_kappa", FLOAT),
    ("fleiss_kappa_ci_low", FLOAT),
    ("fleiss_kappa_ci_high", FLOAT),
    ("scott_pi", FLOAT),
    ("gwet_ac1", FLOAT),
    ("gwet_ac1_ci_low", FLOAT),
    ("gwet_ac1_ci_high", FLOAT),
    ("brennan_prediger", FLOAT),
    ("krippendorff_alpha", FLOAT),
    ("krippendorff_alpha_ci_low", FLOAT),
    ("krippendorff_alpha_ci_high", FLOAT),
    ("unitized_alpha_binary", FLOAT),
    ("unitized_alpha_u", FLOAT),
    ("unitized_alpha_cu", FLOAT),
)

# agreement.py: disagreements() (then one column per coder, then "resolution")
DISAGREEMENTS: Schema = (
    ("transcript_id", STR),
    ("unit", INT),
    ("turn", INT),
    ("speaker", STR),
    ("start", INT),
    ("end", INT),
    ("text", STR),
    ("context", STR),
    ("codes_in_dispute", STR),
)

# datasets/demo.py: demo_codings() (input rows for Project.add_codings)
DEMO_CODINGS: Schema = (
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("code", STR),
    ("coder", STR),
    ("memo", STR),
    ("origin", STR),
)

# anonymise.py: PseudonymKey.to_frame, pseudonymise().report, detect_identifiers,
# suggest_entities, check_leaks (reports never hold originals; key/review frames do)
PSEUDONYM_KEY: Schema = (
    ("original", STR),
    ("pseudonym", STR),
    ("kind", STR),
    ("case_sensitive", BOOL),
)

PSEUDONYMISATION_REPORT: Schema = (
    ("transcript_id", STR),
    ("field", STR),
    ("start", "Int64"),
    ("end", "Int64"),
    ("old_start", "Int64"),
    ("old_end", "Int64"),
    ("kind", STR),
    ("source", STR),
    ("detector", STR),
    ("replacement", STR),
    ("original_hash", STR),
)

IDENTIFIERS: Schema = (
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("detector", STR),
    ("kind", STR),
    ("text", STR),
)

ENTITY_SUGGESTIONS: Schema = (
    ("transcript_id", STR),
    ("start", INT),
    ("end", INT),
    ("label", STR),
    ("kind", STR),
    ("text", STR),
    ("in_key", BOOL),
)

LEAKS: Schema = (
    ("path", STR),
    ("location", STR),
    ("layer", STR),
    ("kind", STR),
    ("source", STR),
    ("original", STR),
    ("pseudonym", STR),
    ("context", STR),
)

# llm/: llm_suggest() (the suggestion columns, then the model's quote, rationale and
# the audit-trail call id) and the audit trail of model calls (Project.llm_calls)
LLM_SUGGESTIONS: Schema = (
    *SUGGESTIONS,
    ("quote", STR),
    ("rationale", STR),
    ("llm_call", INT),
)

LLM_CALLS: Schema = (
    ("call_id", INT),
    ("key", STR),
    ("created", TIME),
    ("status", STR),
    ("error", STR),
    ("transcript_id", STR),
    ("unit", STR),
    ("turn", "Int64"),
    ("start", "Int64"),
    ("end", "Int64"),
    ("endpoint", STR),
    ("model", STR),
    ("model_reported", STR),
    ("server_model", STR),
    ("model_digest", STR),
    ("prompt_version", STR),
    ("parameters", STR),
    ("prompt", STR),
    ("answer", STR),
    ("finish_reason", STR),
    ("attempts", "Int64"),
    ("latency", FLOAT),
    ("prompt_tokens", "Int64"),
    ("completion_tokens", "Int64"),
    ("n_proposed", "Int64"),
    ("n_accepted", "Int64"),
    ("n_rejected", "Int64"),
    ("verification", STR),
)
