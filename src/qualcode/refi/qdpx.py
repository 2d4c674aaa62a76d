"""REFI-QDA project exchange (``.qdpx``): write a project for NVivo, ATLAS.ti,
MAXQDA, QualCoder, ...; read their exports into a new :class:`qualcode.Project`.

Writing (:func:`write_qdpx`)
    A ZIP with ``project.qde`` (valid against the vendored 2019 Project schema) and
    ``sources/<guid>.txt``: the stored text, **UTF-8 without BOM, LF line ends**,
    so REFI positions are plain code points over exactly that file (spec §10.2).
    One ``PlainTextSelection`` per coding (as NVivo does), holding one ``Coding``
    with its coder (``creatingUser``) and UTC time; a memo becomes a ``Note`` with
    a ``NoteRef`` from the coding *and* the selection's ``Description`` (for tools
    that only read that, P11). Participant attributes become typed ``Variables``
    with one ``Case`` per transcript (values also on the source). GUIDs are
    ``uuid5`` of stable keys, so exporting twice gives identical GUIDs.
    A ``qualcode.json`` entry at the archive root carries what REFI cannot hold
    (turns with speakers, roles and times; codebook names, versions, rules and
    patterns; coding origins), so a qualcode round trip is lossless; other tools
    ignore it.

Reading (:func:`read_qdpx`)
    Secure (no entities or DTDs, zip slip and zip bomb checks), lenient (any
    ``urn:QDA-XML`` namespace, one ``*.qde`` of any name, ``Sources/`` or
    ``sources/``, ``internal://``/``relative://``/``absolute://``/bare paths,
    inline ``PlainTextContent``), and explicit about loss: what cannot be mapped
    (pictures, PDFs, audio, video, links, sets, graphs, unattached notes) is
    reported in a ``DataLossWarning`` and in the import report, never dropped
    silently. Positions are read with the offset model of the producing tool
    (``Project@origin``), checked against word boundaries, then mapped onto the
    stored text (BOM removed, CRLF -> LF) by streaming over it in chunks.

    Bounded: the archive passes :class:`~qualcode._safezip.ZipLimits` (entry
    count, sizes, per-entry and whole-archive compression ratio, 256 MiB read
    in all) before anything is parsed, and memory stays proportional to the text
    (a text of more than ``max(10,000, length / 32)`` paragraphs is kept as one
    turn). The ``qualcode.json`` sidecar is checked before use and ignored, with
    a warning, when damaged. Everything goes into the project in one transaction;
    a stored transcript's text is never changed unless ``replace=True``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from qualcode._safezip import ZipLimits
from qualcode.errors import Errors, ImportFormatError
from qualcode.refi._common import (
    CODING_COLUMNS,
    NAMESPACE,
    SIDECAR,
    QdpxContent,
    guid,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.store import Project

__all__ = [
    "CODING_COLUMNS",
    "NAMESPACE",
    "SIDECAR",
    "QdpxContent",
    "guid",
    "read_qdpx",
    "read_qdpx_content",
    "write_qdpx",
    "write_qdpx_content",
]


def read_qdpx_content(
    path: str | Path,
    *,
    offset_model: tuple[str, str] | str | None = None,
    validate: bool = False,
    limits: ZipLimits | None = None,
) -> QdpxContent:
    """Read a ``.qdpx`` into a :class:`QdpxContent` without touching a store.

    See :func:`read_qdpx` for the parameters; this is the part that parses,
    picks the offset model and maps positions.
    """
    from qualcode.refi._read import read_content  # on first use: a light import

    path = Path(path)
    try:
        return read_content(
            path, offset_model=offset_model, validate=validate, limits=limits
        )
    except MemoryError as exc:  # the last line: the limits should come first
        raise ImportFormatError(
            Errors.QC780.format(path=path, detail="it needs more memory than is free"),
            path=path,
        ) from exc


@overload
def read_qdpx(
    path: str | Path,
    project_path: str | Path | None = ...,
    *,
    offset_model: tuple[str, str] | str | None = ...,
    validate: bool = ...,
    return_report: Literal[False] = ...,
    limits: ZipLimits | None = ...,
    replace: bool = ...,
) -> Project: ...


@overload
def read_qdpx(
    path: str | Path,
    project_path: str | Path | None = ...,
    *,
    offset_model: tuple[str, str] | str | None = ...,
    validate: bool = ...,
    return_report: Literal[True],
    limits: ZipLimits | None = ...,
    replace: bool = ...,
) -> tuple[Project, pd.DataFrame]: ...


def read_qdpx(
    path: str | Path,
    project_path: str | Path | None = None,
    *,
    offset_model: tuple[str, str] | str | None = None,
    validate: bool = False,
    return_report: bool = False,
    limits: ZipLimits | None = None,
    replace: bool = False,
) -> Project | tuple[Project, pd.DataFrame]:
    """Import a REFI-QDA ``.qdpx`` project into a new :class:`qualcode.Project`.

    Parameters
    ----------
    path : path
        The ``.qdpx`` file (NVivo, ATLAS.ti, MAXQDA, QualCoder, qc, qualcode, ...).
    project_path : path, optional
        Where to create the project (``.qcproj``). An existing project there is
        added to, never overwritten. When None, the project is temporary: it lives
        in a new temporary folder that is deleted when the project is closed (or
        garbage-collected, or at exit); use ``project.copy_to(path)`` to keep it.
    offset_model : (unit, base) or "auto", optional
        Force how positions are counted: unit ``"cp"``, ``"utf16"`` or ``"utf8"``;
        base ``"raw"`` (CRLF counts 2) or ``"lf"`` (CRLF counts 1). By default
        the producer's model is used (NVivo: UTF-16 units over the raw text;
        ATLAS.ti: code points with CRLF as 1; others: code points), checked on
        word boundaries; when another model aligns far better it is used with
        an ``ImportWarning_``.
    validate : bool
        Also validate ``project.qde`` against the 2019 schema and report
        problems (the import stays lenient).
    return_report : bool
        Return ``(project, report)`` instead of the project alone.
    limits : qualcode._safezip.ZipLimits, optional
        Archive limits (entry count, sizes, compression ratio, bytes read).
    replace : bool, default False
        Importing into an existing project never changes a stored transcript's
        text as a side effect. A transcript of the file whose id is already in the
        project is kept as stored when the texts are the same (its turns and
        attributes too; the file's codings are added to it); when the texts
        differ, the import is refused [QC781] unless ``replace=True``, which
        replaces the stored text and re-anchors its codings by their quoted text
        (codings whose quote is gone become orphans, see ``project.orphans()``).

    Returns
    -------
    Project or (Project, pandas.DataFrame)
        The report has one row per repair, merge or loss:
        ``kind, name, action, count, detail``. It is also stored as
        ``project.import_report`` when the project object allows it.

    Raises
    ------
    ImportFormatError
        Unsafe or unreadable archive or XML (the message names the entry); more
        memory needed than is free [QC780]; transcripts already in the project
        with another text [QC781]; the project could not take the import [QC782].
        Everything goes into the project in one transaction, so in every case
        nothing was written: an existing project is as it was, and a project file
        the call created is removed.

    Warns
    -----
    DataLossWarning
        Something could not be carried over (pictures, PDFs, audio, links, ...).
    ImportWarning_
        A repair was made (offset model switched, colour repaired, ...).

    Notes
    -----
    Selections are deduplicated by span, code and coder (P9): NVivo writes one
    selection per coding, so its 303 selections give 303 codings (188 distinct
    spans); only truly identical codings are merged, and counted in the report.
    Stored text is the source's plain text without BOM and with ``\\n`` line ends;
    each paragraph becomes a turn (speakers filled from ``Label: `` paragraphs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> from qualcode.store import Project
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We divert people.", "P1", "participant")]
    ... )
    >>> with Project(folder / "a.qcproj") as p:
    ...     _ = p.add_transcripts([t])
    ...     _ = p.code_turn("int01", 0, "divert", "AB", memo="diversion")
    ...     out = write_qdpx(p, folder / "a.qdpx")
    >>> back = read_qdpx(out, folder / "b.qcproj")
    >>> back.codings()[["transcript_id", "code", "coder", "memo", "text"]]
      transcript_id    code coder       memo               text
    0         int01  divert    AB  diversion  We divert people.
    >>> back.close()
    """
    content = read_qdpx_content(
        path, offset_model=offset_model, validate=validate, limits=limits
    )
    from qualcode.refi._import import content_to_project  # on first use

    rep = content._report  # type: ignore[attr-defined]
    project = content_to_project(content, project_path, rep=rep, replace=replace)
    content.report = rep.frame()
    rep.emit_warnings()
    # documented: the report travels with the project object (not stored in it)
    setattr(project, "import_report", content.report)  # noqa: B010
    if return_report:
        return project, content.report
    return project


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _project_content(project: Project) -> QdpxContent:
    """Collect what a Project holds into a :class:`QdpxContent`."""
    transcripts = list(project.iter_transcripts())
    books = project.current_codebooks()
    codings = project.codings()
    name = Path(str(getattr(project, "path", "project"))).stem
    return QdpxContent(
        name=name,
        origin=None,
        transcripts=transcripts,
        codebooks=books,
        codings=codings,
    )


def write_qdpx_content(
    content: QdpxContent,
    path: str | Path,
    *,
    validate: bool = False,
    sidecar: bool = True,
) -> Path:
    """Write a :class:`QdpxContent` as a ``.qdpx`` file (see :func:`write_qdpx`)."""
    from qualcode.refi._write import write_content  # on first use: a light import

    return write_content(content, Path(path), validate=validate, sidecar=sidecar)


def write_qdpx(
    project: Project, path: str | Path, *, validate: bool = False, sidecar: bool = True
) -> Path:
    """Export a project as a REFI-QDA ``.qdpx`` file for other QDA tools.

    Parameters
    ----------
    project : Project
        The project (transcripts, codebooks, codings, coders, memos, attributes).
    path : path
        The ``.qdpx`` file to write (replaced atomically).
    validate : bool
        Validate ``project.qde`` against the vendored 2019 Project schema
        before writing; raise :class:`~qualcode.errors.ExportError` if invalid.
    sidecar : bool
        Add ``qualcode.json`` (turns, codebook details, coding origins) for a
        lossless qualcode round trip. Other tools ignore it.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Text files are UTF-8 without BOM with ``\\n`` line ends, exactly the stored
    text, so positions are code points over the file (spec §10.2), half-open.
    GUIDs are ``uuid5`` of stable keys (code id, coder name, transcript id, coding
    key): exporting the same project twice gives byte-identical files.

    One rule for every field written into ``project.qde`` (coder names, code
    labels and descriptions, memos, transcript ids, attribute names and values):
    characters XML 1.0 cannot hold (control characters other than tab, LF and CR,
    e.g. a form feed or ESC pasted from Word or a PDF) are written as U+FFFD.
    The sidecar keeps the original values, so reading the file back with qualcode
    restores them exactly; with ``sidecar=False`` a
    :class:`~qualcode.errors.DataLossWarning` says how many fields changed.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> from qualcode.model import Transcript, TurnDraft
    >>> from qualcode.store import Project
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We divert people.", "P1", "participant")]
    ... )
    >>> with Project(folder / "a.qcproj") as p:
    ...     _ = p.add_transcripts([t])
    ...     _ = p.code_turn("int01", 0, "divert", "AB")
    ...     out = write_qdpx(p, folder / "a.qdpx", validate=True)
    >>> sorted(n.split("/")[0] for n in zipfile.ZipFile(out).namelist())
    ['project.qde', 'qualcode.json', 'sources']
    """
    return write_qdpx_content(
        _project_content(project), path, validate=validate, sidecar=sidecar
    )
