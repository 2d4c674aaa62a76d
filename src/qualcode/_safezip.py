"""Read untrusted ZIP containers (``.qdpx``) safely.

Every entry name is checked before anything is read: no absolute paths, drive
letters, backslashes or ``..`` parts (zip slip), no symlinks, no encrypted
entries. The archive as a whole is limited in entry count and total uncompressed
size (and, on request, in compression ratio), each entry above a small floor in
compression ratio (zip bomb), and the bytes actually read in total (what a reader
holds in memory).
Sizes are enforced while decompressing too, so a lying header cannot get past
them. Nothing is ever extracted to disk: entries are read into memory by name.

Every refusal raises :class:`~qualcode.errors.ImportFormatError` naming the
archive and the entry.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualcode.errors import Errors, ImportFormatError

__all__ = ["ZipLimits", "SafeZip"]


@dataclass(frozen=True)
class ZipLimits:
    """Limits applied to an untrusted archive.

    The defaults admit real projects (thousands of sources; media files, which
    are listed but never read, up to ``max_total_size``) and every archive
    qualcode writes, and refuse small files that expand enormously.

    Parameters
    ----------
    max_entries : int
        Most entries the archive may hold (100,000: a project of tens of thousands
        of transcripts, one entry each).
    max_total_size : int
        Most bytes all entries may expand to together, as declared (2 GiB).
    max_entry_size : int
        Most bytes one entry may expand to (REFI's internal file limit is 2**31 - 1).
    max_ratio : float
        Highest uncompressed/compressed ratio allowed for an entry larger than
        ``ratio_floor`` bytes (200; text compresses about 3:1, XML and JSON about
        5-10:1), and for the whole archive in :meth:`SafeZip.check_archive_ratio`.
    ratio_floor : int
        Entries (and archives) expanding to less than this are not ratio-checked:
        tiny files compress oddly (64 KiB).
    max_read_size : int
        Most bytes that may be read (decompressed into memory) from the archive in
        total (256 MiB: the text, XML and sidecar of a project of some 500
        densely coded interviews).

    Examples
    --------
    >>> ZipLimits().ratio_floor, ZipLimits(max_read_size=2**30).max_read_size
    (65536, 1073741824)
    """

    max_entries: int = 100_000
    max_total_size: int = 2 * 1024**3
    max_entry_size: int = 2**31 - 1
    max_ratio: float = 200.0
    ratio_floor: int = 64 * 1024
    max_read_size: int = 256 * 1024**2


def _bad(path: Path, entry: str, detail: str) -> ImportFormatError:
    return ImportFormatError(
        Errors.QC710.format(path=path, entry=entry, detail=detail), path=path
    )


def check_entry_name(name: str) -> str | None:
    """Why ``name`` is not a safe relative entry name, or None when it is.

    Examples
    --------
    >>> check_entry_name("sources/a.txt") is None
    True
    >>> check_entry_name("../evil.txt")
    "it climbs out of the archive with '..'"
    >>> check_entry_name("/etc/passwd")
    'it is an absolute path'
    """
    if not name:
        return "it has an empty name"
    if "\x00" in name:
        return "its name contains a NUL byte"
    if "\\" in name:
        return "its name uses a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "it is an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "it climbs out of the archive with '..'"
    return None


class SafeZip:
    """A read-only view of an untrusted ZIP archive, checked when opened.

    Parameters
    ----------
    path : path
        The archive.
    limits : ZipLimits, optional

    Examples
    --------
    >>> import io, zipfile, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.zip")
    >>> with zipfile.ZipFile(p, "w") as z:
    ...     z.writestr("project.qde", "<Project/>")
    >>> with SafeZip(p) as sz:
    ...     sz.names, sz.read("project.qde")
    (['project.qde'], b'<Project/>')
    """

    def __init__(self, path: str | Path, *, limits: ZipLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or ZipLimits()
        if not self.path.is_file():
            raise ImportFormatError(Errors.QC201.format(path=self.path), path=self.path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except Exception as exc:  # any malformed central directory, by any route
            raise ImportFormatError(
                Errors.QC206.format(path=self.path, format="qdpx (ZIP)", detail=exc),
                path=self.path,
            ) from exc
        try:
            self._infos = self._check()
        except BaseException:
            self._zip.close()
            raise

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        lim = self.limits
        infos = self._zip.infolist()
        if len(infos) > lim.max_entries:
            raise _bad(
                self.path,
                f"({len(infos)} entries)",
                f"the archive holds more than {lim.max_entries} entries",
            )
        total = 0
        out: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            why = check_entry_name(name)
            if why:
                raise _bad(self.path, name, why)
            mode = info.external_attr >> 16
            if info.create_system == 3 and stat.S_ISLNK(mode):
                raise _bad(self.path, name, "it is a symbolic link")
            if info.flag_bits & 0x1:
                raise _bad(self.path, name, "it is encrypted")
            if info.file_size > lim.max_entry_size:
                raise _bad(
                    self.path,
                    name,
                    f"it expands to {info.file_size} bytes, over the limit",
                )
            if info.file_size > lim.ratio_floor:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > lim.max_ratio:
                    raise _bad(
                        self.path,
                        name,
                        f"its compression ratio {ratio:.0f}:1 exceeds "
                        f"{lim.max_ratio:.0f}:1 (a zip bomb?)",
                    )
            total += info.file_size
            if total > lim.max_total_size:
                raise _bad(
                    self.path,
                    name,
                    f"the archive expands to more than {lim.max_total_size} bytes",
                )
            if name.endswith("/"):
                continue  # a folder entry
            if name in out:
                raise _bad(self.path, name, "the name occurs twice in the archive")
            out[name] = info
        self._total = total
        self._budget = min(lim.max_total_size, lim.max_read_size)
        return out

    @property
    def total_size(self) -> int:
        """Bytes all entries expand to together, as declared in the archive."""
        return self._total

    def check_archive_ratio(self) -> None:
        """Refuse an archive that expands more than ``max_ratio``-fold as a whole.

        Entries below ``ratio_floor`` escape the per-entry check; many of them
        still make a bomb. Readers that hold what they read call this (the
        ``.qdpx`` reader does; office readers apply their own archive limits).
        """
        lim = self.limits
        size = max(self.path.stat().st_size, 1)
        if self._total > lim.ratio_floor and self._total / size > lim.max_ratio:
            raise _bad(
                self.path,
                f"({len(self._infos)} entries)",
                f"the archive expands {self._total / size:.0f}-fold as a whole, over "
                f"{lim.max_ratio:.0f}:1 (a zip bomb?)",
            )

    @property
    def names(self) -> list[str]:
        """File entry names (folders omitted), in archive order."""
        return list(self._infos)

    def find(self, name: str, *, ignore_case: bool = False) -> str | None:
        """The stored entry name matching ``name`` (optionally ignoring case)."""
        if name in self._infos:
            return name
        if ignore_case:
            low = name.lower()
            hits = [n for n in self._infos if n.lower() == low]
            if len(hits) == 1:
                return hits[0]
        return None

    def read(self, name: str) -> bytes:
        """Read one entry, enforcing the declared size and the archive's budget."""
        info = self._infos.get(name)
        if info is None:
            raise _bad(self.path, name, "no such entry in the archive")
        if info.file_size > self._budget:
            raise _bad(
                self.path,
                name,
                "reading it would pass the limit of "
                f"{min(self.limits.max_total_size, self.limits.max_read_size)} bytes "
                "read from one archive (if you trust the file, pass limits="
                "ZipLimits(max_read_size=...))",
            )
        limit = min(info.file_size, self.limits.max_entry_size, self._budget)
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(min(1 << 20, limit - got + 1))
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > limit:
                        raise _bad(
                            self.path,
                            name,
                            "it expands beyond its declared size (a zip bomb?)",
                        )
                    chunks.append(chunk)
        except ImportFormatError:
            raise
        except Exception as exc:  # zlib.error, NotImplementedError (method), ...
            raise _bad(
                self.path, name, f"it cannot be decompressed ({type(exc).__name__})"
            ) from exc
        self._budget -= got
        return b"".join(chunks)

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
