"""The SQLite project store.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

class Project:
    """A qualcode project (stub)."""

    def __init__(self, path: Any) -> None:
        raise NotImplementedError("Project")
