"""Import optional dependencies with a clear message naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from qualcode.errors import Errors, MissingDependencyError


def import_optional(
    name: str, *, extra: str, caller: str, what: str | None = None
) -> ModuleType:
    """Import ``name`` or raise :class:`MissingDependencyError` naming the extra.

    Examples
    --------
    >>> import_optional("json", extra="core", caller="doctest").__name__
    'json'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # not OSError: a broken install should surface as is
        raise MissingDependencyError(
            Errors.QC103.format(
                caller=caller, what=what or caller, package=name, extra=extra
            )
        ) from exc
