"""REFI-QDA project exchange (.qdpx).

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def write_qdpx(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("write_qdpx")


def read_qdpx(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("read_qdpx")


