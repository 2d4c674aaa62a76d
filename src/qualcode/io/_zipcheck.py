"""Size and ratio checks for zip-based office files (.docx, .xlsx), before reading.

python-docx and openpyxl read the parts of an archive into memory (and parse its
XML), so a small hostile file can expand to gigabytes. :func:`check_office_zip`
looks only at the archive's directory -- nothing is decompressed -- and refuses,
with an :class:`~qualcode.errors.ImportFormatError` naming the file and the part:

- a file larger than :data:`OFFICE_LIMITS.max_total_size <OFFICE_LIMITS>` on disk;
- the checks of :class:`qualcode._safezip.SafeZip` under :data:`OFFICE_LIMITS`
  (entry names, entry count, each part's size and, above 1 MiB, its compression
  ratio; the total expanded size);
- an XML part larger than :data:`MAX_XML_PART` (it would be parsed as a tree);
- an archive that expands to more than :data:`MAX_ARCHIVE_RATIO` times its size
  once it is over 64 MiB (many small parts, each below the per-part ratio check).

Declared sizes cannot be exceeded while reading afterwards: :mod:`zipfile` stops
at the declared size and checks the CRC. A real transcript .docx or attributes
.xlsx is far below every limit (an hour's interview is ~1 MB of XML).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode._safezip import SafeZip, ZipLimits
from qualcode.errors import Errors, ImportFormatError

__all__ = ["MAX_ARCHIVE_RATIO", "MAX_XML_PART", "OFFICE_LIMITS", "check_office_zip"]

#: Limits for .docx/.xlsx archives (see :class:`qualcode._safezip.ZipLimits`).
OFFICE_LIMITS = ZipLimits(
    max_entries=5_000,
    max_total_size=1024**3,
    max_entry_size=512 * 1024**2,
    max_ratio=200.0,
    ratio_floor=1024**2,
)
#: Largest XML part (bytes, expanded) read into a tree.
MAX_XML_PART = 128 * 1024**2
#: Largest expanded/compressed ratio of a whole archive over 64 MiB expanded.
MAX_ARCHIVE_RATIO = 100.0
_RATIO_FROM = 64 * 1024**2


def _refuse(path: Path, entry: str, detail: str, fmt: str) -> ImportFormatError:
    return ImportFormatError(
        Errors.QC231.format(path=path, entry=entry, detail=detail, format=fmt),
        path=path,
    )


def check_office_zip(path: Path, *, format: str) -> None:
    """Refuse a .docx/.xlsx whose parts would expand beyond the limits.

    Parameters
    ----------
    path : Path
        The archive.
    format : str
        ``"docx"`` or ``"xlsx"``, for the message.

    Raises
    ------
    ImportFormatError
        [QC231] (a limit of this module) or [QC710] (a :class:`SafeZip` check),
        naming the file and the part; [QC206] when it is not a zip archive.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.docx"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("word/document.xml", "<w:document/>")
    >>> check_office_zip(p, format="docx")
    """
    size = path.stat().st_size
    if size > OFFICE_LIMITS.max_total_size:
        raise _refuse(path, "(whole file)", f"the file has {size} bytes", format)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except Exception as exc:  # BadZipFile, OSError, NotImplementedError (version)
        raise ImportFormatError(
            Errors.QC206.format(
                path=path, format=format, detail=f"not a zip archive: {exc}"[:120]
            ),
            path=path,
        ) from exc
    with SafeZip(path, limits=OFFICE_LIMITS):
        pass  # names, count, per-part size and ratio, total size
    total = 0
    for info in infos:
        total += info.file_size
        name = info.filename.lower()
        if name.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART:
            raise _refuse(
                path,
                info.filename,
                f"this XML part expands to {info.file_size} bytes "
                f"(limit {MAX_XML_PART})",
                format,
            )
    if total > _RATIO_FROM and total > MAX_ARCHIVE_RATIO * max(size, 1):
        raise _refuse(
            path,
            "(all parts)",
            f"{size} bytes expand to {total} bytes, a ratio over "
            f"{MAX_ARCHIVE_RATIO:.0f}:1",
            format,
        )
