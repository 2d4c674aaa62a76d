"""Working with other projects: ``Project.merge`` and ``Project.copy_to``."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import pandas as pd

from qualcode._files import atomic_path
from qualcode._inputs import is_url
from qualcode._validation import check_type, invalid
from qualcode.errors import Errors, StoreError
from qualcode.store._base import ProjectBase
from qualcode.store._copy import copy_across
from qualcode.store._merge import merge as merge_projects

__all__ = ["Teamwork"]


class Teamwork(ProjectBase):
    """``merge`` and ``copy_to`` (mixed into :class:`~qualcode.store.Project`)."""

    def copy_to(self, dest: str | Path) -> Self:
        """Copy the whole project (every table, losslessly) to a new file.

        The copy is one consistent snapshot of this project (inside
        ``transaction(write=False)``, that snapshot). It is written under a
        temporary name in the destination's folder and renamed into place only
        when complete, so a crash never leaves a half-written project at
        ``dest``.

        Parameters
        ----------
        dest : str or Path
            The new project file. It must not exist (an empty file is allowed).
            Or a ``postgresql://USER@HOST:PORT/DATABASE`` URL of a database that
            holds no project data yet (empty, or set up by ``server_init``): a
            project moves between SQLite and a server in either direction, every
            table and id kept, in one transaction on the destination.

        Returns
        -------
        Project
            The copy, open.

        Raises
        ------
        StoreError
            ``dest`` exists and is not empty, is this project, or its folder is
            missing; or a write transaction is open (QC415).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> p = Project(folder / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "Yes. No.")])
        >>> with p.copy_to(folder / "copy.qcproj") as copy:
        ...     copy.transcript_ids()
        ['a']
        >>> p.close()
        """
        check_type(dest, (str, Path), param="dest", caller="copy_to")
        s = self._live()
        if isinstance(dest, str) and "://" in dest and not is_url(dest):
            raise StoreError(
                Errors.QC415.format(
                    dest=dest, detail="is a URL that is not postgresql://"
                )
            )
        if is_url(dest) or s.dialect.name != "sqlite":  # to or from a server
            return copy_across(self, s, dest, _refuse_target)  # type: ignore[return-value]
        target = Path(dest)
        with s.lock:
            if s.writing:
                raise StoreError(
                    Errors.QC415.format(
                        dest=target,
                        detail="cannot be written inside a write transaction: copy "
                        "before or after it, or inside transaction(write=False)",
                    )
                )
            _refuse_target(target, Path(self.path))
            with atomic_path(target) as tmp:
                tmp.unlink()
                s.dialect.copy(s, tmp)
                _refuse_target(target, Path(self.path))
        return type(self)(target, timeout=self.timeout)  # type: ignore[call-arg]

    def merge(self, other: ProjectBase | str | Path) -> pd.DataFrame:
        """Bring in another project's transcripts, codebooks, codings and decisions.

        The LLM audit trail (:meth:`llm_calls`) of merged transcripts comes too,
        so a model coder's codings keep the calls that made them.

        Nothing here is overwritten. Transcripts are matched by id (or, for an
        id not stored here, by identical text); a transcript whose id matches but
        whose text differs is a conflict and its codings are not merged.
        Codebook versions are matched by (name, hash): new names become current
        here, new versions of a name are stored but the current one stays.
        Codings identical to one stored here (same transcript, start, end, code,
        coder) are not duplicated; codings whose code no current codebook here
        defines are reported, not merged. Orphans stay in the other project. All
        in one transaction.

        Parameters
        ----------
        other : Project or path
            The other coder's project (it is only read).

        Returns
        -------
        pandas.DataFrame
            The report, one row per finding: ``kind, transcript_id, coder,
            count, detail``. Kinds: ``transcript_added``,
            ``transcript_matched``, ``transcript_conflict``,
            ``codebook_added``, ``codebook_version_added``,
            ``codebook_conflict``, ``codings_added``, ``codings_identical``,
            ``codings_skipped``, ``code_unknown``, ``memo_differs``,
            ``decisions_added``, ``llm_calls_added``, ``llm_calls_skipped``.
        """
        if isinstance(other, ProjectBase):
            self._refuse_self(other.path)
            return merge_projects(self._live(), other._live())
        if not isinstance(other, (str, Path)):
            raise invalid("other", "merge", "a Project or a path", type(other).__name__)
        if is_url(other):  # a project on a server
            on_server = type(self)(other, timeout=self.timeout)  # type: ignore[call-arg]
            try:
                return self.merge(on_server)
            finally:
                on_server.close()
        opath = Path(other)
        if not opath.is_file():
            raise StoreError(Errors.QC413.format(path=opath, detail="file not found."))
        self._refuse_self(opath)
        other_project = type(self)(opath, timeout=self.timeout)  # type: ignore[call-arg]
        try:
            return self.merge(other_project)
        finally:
            other_project.close()

    def _refuse_self(self, other: Path | str) -> None:
        if isinstance(other, str) or isinstance(self.path, str):  # a server URL
            same = str(other) == str(self.path)
        else:
            same = other.resolve() == self.path.resolve()
        if same:
            raise StoreError(
                Errors.QC401.format(
                    path=self.path, detail="cannot merge a project into itself."
                )
            )


def _refuse_target(target: Path, source: Path) -> None:
    """QC415 unless ``target`` is a new (or empty) file in an existing folder."""
    detail = None
    if not target.parent.is_dir():
        detail = f"cannot be written: the folder {target.parent} does not exist"
    elif target.exists() and target.resolve() == source.resolve():
        detail = "is this project itself"
    elif target.is_dir():
        detail = "is a folder"
    elif target.exists() and target.stat().st_size > 0:
        detail = "already exists and is not empty"
    if detail is not None:
        raise StoreError(Errors.QC415.format(dest=target, detail=detail))
