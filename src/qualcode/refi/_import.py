"""Putting a read :class:`~qualcode.refi._common.QdpxContent` into a project.

Only public :class:`~qualcode.Project` methods are used. Without a project path
the project is a :class:`TemporaryProject`: its folder is deleted when it is
closed, so importing leaves nothing behind.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

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


def content_to_project(content: QdpxContent, project_path: str | Path | None) -> Any:
    """Store the content in a new or existing project; return it (open)."""
    project: Project
    if project_path is None:
        project = TemporaryProject(content.name)
    else:
        project = Project(project_path)
    try:
        for cb in content.codebooks:
            project.set_codebook(cb)
        if content.transcripts:
            project.add_transcripts(content.transcripts)
        if len(content.codings):
            frame = content.codings.copy()
            frame["memo"] = (
                frame["memo"].astype(object).where(frame["memo"].notna(), None)
            )
            frame = frame.drop(columns=["codebook_version"])
            project.add_codings(frame)
    except BaseException:
        if isinstance(project, TemporaryProject):
            project.close()
        raise
    return project
