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
from qualcode.model import Transcript
from qualcode.refi._common import QdpxContent, Report, slug
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


def _new_transcripts(
    project: Project, content: QdpxContent, *, replace: bool, rep: Report
) -> list[Transcript]:
    """The transcripts to add: an existing one's text never changes silently.

    Same id and same text: the stored transcript is kept as it is (turns and
    attributes too). Same id, other text: QC781, unless ``replace``.
    """
    stored = project.transcripts
    known = dict(zip(stored["transcript_id"], stored["sha256"], strict=True))
    if replace:
        return list(content.transcripts)
    clash = [t.id for t in content.transcripts if known.get(t.id, t.sha256) != t.sha256]
    if clash:
        ids = ", ".join(repr(i) for i in clash[:5]) + (
            ", ..." if len(clash) > 5 else ""
        )
        raise ImportFormatError(
            Errors.QC781.format(
                path=rep.path, n=len(clash), project=project.path, ids=ids
            ),
            path=rep.path,
        )
    for t in content.transcripts:
        if t.id in known:
            rep.add(
                "transcript",
                t.id,
                "kept",
                1,
                "already in the project with the same text: the stored turns and "
                "attributes were kept",
            )
    return [t for t in content.transcripts if t.id not in known]


def _store(
    project: Project, content: QdpxContent, *, replace: bool, rep: Report
) -> None:
    for cb in content.codebooks:
        project.set_codebook(cb)
    transcripts = _new_transcripts(project, content, replace=replace, rep=rep)
    if transcripts:
        status = project.add_transcripts(transcripts)
        for r in status[status["status"] == "updated"].itertuples():
            rep.add(
                "transcript",
                str(r.transcript_id),
                "replaced",
                1,
                f"text replaced (replace=True): {r.reanchored} coding(s) re-anchored, "
                f"{r.orphaned} orphaned (see project.orphans())",
            )
    if len(content.codings):
        frame = content.codings.copy()
        frame["memo"] = frame["memo"].astype(object).where(frame["memo"].notna(), None)
        frame = frame.drop(columns=["codebook_version"])
        project.add_codings(frame)


def content_to_project(
    content: QdpxContent,
    project_path: str | Path | None,
    *,
    rep: Report,
    replace: bool = False,
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
            _store(project, content, replace=replace, rep=rep)
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
                path=rep.path, project=project.path, detail=str(exc), written=written
            ),
            path=rep.path,
        ) from exc
    return project
