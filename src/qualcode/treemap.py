"""Selection exercises and treemaps.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def read_selections(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("read_selections")


def selection_treemap(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("selection_treemap")


def code_treemap(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("code_treemap")


class Treemap:
    """stub"""
