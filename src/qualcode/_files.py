"""Write output files atomically: a temporary file beside it, renamed into place.

Every file qualcode writes (exports, figures, sheets, ``.qdpx``, codebooks) goes
through :func:`atomic_path`, so a crash, a full disk or Ctrl-C leaves either the
previous file or the complete new one, never a truncated file that still parses.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str], *, suffix: str | None = None
) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The temporary file keeps ``path``'s suffix (writers that pick a format by
    suffix still work). On any exception the temporary file is removed and
    ``path`` is left as it was. The rename is atomic on POSIX and Windows
    (:func:`os.replace`); the data is flushed to disk before it.

    Parameters
    ----------
    path : str or path-like
        The final file.
    suffix : str, optional
        Suffix of the temporary file (default: ``path``'s own).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "bank.csv"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("quote\\n")
    >>> out.read_text()
    'quote\\n'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{final.stem}.tmp-",
        suffix=final.suffix if suffix is None else suffix,
        dir=final.parent,
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if final.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, final.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
