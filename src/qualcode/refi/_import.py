"""Putting a read :class:`~qualcode.refi._common.QdpxContent` into a project.

Only public :class:`~qualcode.Project` methods are used. Without a project path
the project is a :class:`TemporaryProject`: its folder is deleted when it is
closed, so importing leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import weakref
from pathlib import Path

from qualcode.errors import Errors, ImportFormatError, QualcodeError
from qualcode.refi._common import QdpxContent, slug
from qualcode.store import Project

__all__ = ["TemporaryProject", "content_to_project"]


class TemporaryProject(Project):
    """A project in its own temporary folder, deleted when it is closed.

    Also deleted when the object is garbage-collected or the interpreter exits,
    whichever comes first. Keep a copy with :meth:`Project.copy_to`.

    Examples
    --------
    >>> p = TemporaryProject("demo")
    >>> folder = p.path.parent
    >>> folder.is_dir(), p.path.name
    (True, 'demo.qcproj')
    >>> p.close()
    >>> folder.exists()
    False
    """

    def __init__(self, name: str, *, timeout: float = 10.0) -> None:
        folder = Path(tempfile.mkdtemp(prefix="qualcode-qdpx-"))
        self._cleanup = weakref.finalize(
            self, shutil.rmtree, str(folder), ignore_errors=True
        )
        super().__init__(folder / f"{slug(name)}.qcproj", timeout=timeout)

    def close(self) -> None:
        """Close the project and delete its temporary folder (idempotent)."""
        super().close()
        self._cleanup()


def _remove_project_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()


def _store(project: Project, content: QdpxContent) -> None:
    for cb in content.codebooks:
        project.set_codebook(cb)
    if content.transcripts:
        project.add_transcripts(content.transcripts)
    if len(content.codings):
        frame = content.codings.copy()
        frame["memo"] = frame["memo"].astype(object).where(frame["memo"].notna(), None)
        frame = frame.drop(columns=["codebook_version"])
        project.add_codings(frame)


def content_to_project(
    content: QdpxContent, project_path: str | Path | None, *, path: Path
) -> Project:
    """Store the content in a new or existing project, in one transaction.

    On any failure nothing is written: an existing project is as it was, a
    project file this call created is removed, and a QualcodeError becomes
    QC782, which says so.
    """
    project: Project
    created = project_path is None or not Path(project_path).exists()
    if project_path is None:
        project = TemporaryProject(content.name)
    else:
        project = Project(project_path)
    try:
        with project.transaction():
            _store(project, content)
    except BaseException as exc:
        project.close()
        if created and project_path is not None:
            _remove_project_file(Path(project_path))
        if not isinstance(exc, QualcodeError) or "[QC781]" in str(exc):
            raise
        written = (
            "Nothing was written and no project was created."
            if created
            else f"Nothing was written: {project.path} is as it was."
        )
        raise ImportFormatError(
            Errors.QC782.format(
                path=path, project=project.path, detail=str(exc), written=written
            ),
            path=path,
        ) from exc
    return project
