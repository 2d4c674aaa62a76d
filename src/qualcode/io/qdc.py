"""REFI-QDA codebook exchange (.qdc).

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def read_qdc(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("read_qdc")


def write_qdc(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("write_qdc")


