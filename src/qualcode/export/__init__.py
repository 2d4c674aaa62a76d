"""Exports: quote banks, code matrices, tables for spreadsheets, Parquet.

- :mod:`~qualcode.export.extracts`: :func:`export_extracts` writes the coded
  extracts as a quote bank (``.xlsx``, ``.csv``, ``.docx``, ``.html``, ``.md``,
  see :data:`FORMATS`) with attributions in the report's style, e.g.
  ``(police officer – inspector/chief inspector)``.
- :mod:`~qualcode.export.matrices`: :func:`code_matrix` and :func:`cooccurrence`
  count codes by case or attribute and codes against codes;
  :func:`export_matrices` writes them to Excel.
- :mod:`~qualcode.export.tables`: :func:`export_tables` writes DataFrames for a
  spreadsheet (agreement tables, disagreements, suggestions).
- :mod:`~qualcode.export.parquet`: :func:`export_parquet` writes turns, codings
  and transcripts for DuckDB/Spark.
- :mod:`~qualcode.export._writers`: the file writers, with the one neutraliser
  every spreadsheet and CSV cell goes through.

Every file is written to a temporary file beside the target and renamed into
place, so a crash leaves the previous file, never a truncated one.
"""

from __future__ import annotations

from qualcode.export.extracts import (
    DEFAULT_ATTRIBUTION,
    FORMATS,
    attribute_column,
    export_extracts,
    format_attribution,
    select_extracts,
)
from qualcode.export.matrices import code_matrix, cooccurrence, export_matrices
from qualcode.export.parquet import export_parquet
from qualcode.export.tables import TABLE_FORMATS, export_tables

__all__ = [
    "DEFAULT_ATTRIBUTION",
    "FORMATS",
    "TABLE_FORMATS",
    "attribute_column",
    "code_matrix",
    "cooccurrence",
    "export_extracts",
    "export_matrices",
    "export_parquet",
    "export_tables",
    "format_attribution",
    "select_extracts",
]
