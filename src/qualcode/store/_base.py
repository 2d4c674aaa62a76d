"""What every part of :class:`~qualcode.store.Project` shares: its session.

``Project`` is assembled from this base and two groups of public methods kept in
their own modules so that ``project.py`` stays short: :mod:`._teamwork`
(``merge``, ``copy_to``) and :mod:`._housekeeping` (renames, merges, removal,
the change log).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.errors import Errors, StoreError
from qualcode.store._db import Session

__all__ = ["ProjectBase"]


class ProjectBase:
    """The project's file, timeout and open session (no public methods)."""

    #: the project file, or the server URL without its password
    path: Path | str
    timeout: float
    _session: Session | None

    def _live(self) -> Session:
        """The open session (QC401 when the project is closed)."""
        if self._session is None:
            raise StoreError(
                Errors.QC401.format(
                    path=self.path, detail="the project is closed. Open it again."
                )
            )
        return self._session

    @contextmanager
    def _tx(self, *, write: bool, checked: bool = False) -> Iterator[Session]:
        """One transaction on this project's session (joins an enclosing one)."""
        with self._live().transaction(write=write, checked=checked) as s:
            yield s

    def close(self) -> None:
        """Close the file (idempotent). Everything is already written."""
        session, self._session = self._session, None
        if session is not None:
            session.close()
