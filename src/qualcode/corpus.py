"""Corpus: a collection of transcripts with DataFrame views.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def read_corpus(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("read_corpus")


class Corpus:
    """A collection of transcripts (stub)."""
