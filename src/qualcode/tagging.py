"""Assisted tagging with spaCy.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def suggest(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("suggest")


def review(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("review")


def evaluate(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("evaluate")


class PatternTagger:
    """stub"""


class LearnedTagger:
    """stub"""
