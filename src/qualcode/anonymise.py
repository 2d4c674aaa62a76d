"""Pseudonymisation of names, places and identifiers.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def pseudonymise(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("pseudonymise")


def check_leaks(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("check_leaks")


