"""Readers for outside formats; read_transcript dispatches by suffix.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def read_transcript(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("read_transcript")


