"""Quote banks, matrices and Parquet exports.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def export_extracts(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("export_extracts")


def code_matrix(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("code_matrix")


def cooccurrence(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("cooccurrence")


def export_parquet(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("export_parquet")


