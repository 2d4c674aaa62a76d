"""The project store: one SQLite file per project (see :class:`Project`)."""

from __future__ import annotations

from qualcode.store.project import Project

__all__ = ["Project"]
