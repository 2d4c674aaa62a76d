"""A transcript's recording: which files play, where a path points, HTML players.

One mechanism links a transcript to its recording: the transcript attribute
``media`` (:attr:`qualcode.model.Transcript.media`), a path to an audio or video
file. It is set by ``read_transcript(..., media=path)``, by a ``media`` column of
the attributes file given to :func:`qualcode.read_corpus`, or by
``project.set_attributes({"INT08": {"media": "audio/INT08.opus"}})``. Being an
attribute, it needs no change to the project store, and REFI-QDA exports and
project copies keep it.

Where a relative path points
----------------------------
:func:`find_media` looks for a relative path, in this order:

1. in the project's folder (the folder holding the ``.qcproj`` file), when the
   transcript comes from a project;
2. in the folder of the transcript's own file (:attr:`Transcript.source`), i.e.
   the corpus folder it was imported from.

``read_transcript(path, media=m)`` stores ``m`` relative to the transcript file's
folder (a relative ``m`` that exists from the working directory is rewritten so),
and :func:`qualcode.read_corpus` rewrites a relative path of the attributes file
(relative to the attributes file's folder) the same way; absolute paths are kept
as they are. Only the suffixes in :data:`MEDIA_TYPES` are played (``.mp3``,
``.m4a``, ``.wav``, ``.ogg``, ``.opus``, ``.flac``, ``.webm``, ``.mp4`` ...), so a
mistyped or hostile ``media`` value can never make qualcode read or copy another
kind of file.

HTML exports
------------
:func:`qualcode.widget.export_html` and ``export_extracts(..., "bank.html")``
copy each recording they use into the folder of the HTML file (a name already
taken by a different file gets ``-2``, ``-3`` ...; an identical file is left as
it is) and point their players at that copy by a relative URL, so the page plays
offline as long as the two files stay together. A player starts at its turn's time
with a media fragment (``INT08.opus#t=83.5``, W3C Media Fragments URI 1.0).

A recording that is missing or not playable never stops anything: the transcript
opens and exports without a player, with a :class:`~qualcode.errors.MediaWarning`
naming the transcript id and the path (never transcript text).
Privacy
-------
A recording cannot be pseudonymised: voices, and the names said aloud, stay in
it. :func:`qualcode.pseudonymise` rewrites the text only, so before sharing an
HTML export of a pseudonymised project, export with ``media=False``
(:func:`qualcode.widget.export_html`) or clear the attribute
(``project.set_attributes({tid: {"media": None}})``). The HTML view never prints
the recording's path (only the copied file's name).
"""

from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from qualcode._files import atomic_path
from qualcode._inputs import is_project, transcript_map
from qualcode.errors import Errors, ExportError, MediaWarning
from qualcode.model import Transcript

__all__ = [
    "MEDIA_TYPES",
    "MediaFile",
    "MediaLink",
    "copy_media",
    "find_media",
    "format_seconds",
    "fragment",
    "link_media",
    "media_type",
    "player_html",
    "project_folder",
    "stored_media_path",
    "turn_times",
]

#: Suffix -> (``"audio"`` or ``"video"``, MIME type) of the files qualcode plays.
MEDIA_TYPES: dict[str, tuple[Literal["audio", "video"], str]] = {
    ".mp3": ("audio", "audio/mpeg"),
    ".m4a": ("audio", "audio/mp4"),
    ".aac": ("audio", "audio/aac"),
    ".wav": ("audio", "audio/wav"),
    ".ogg": ("audio", "audio/ogg"),
    ".oga": ("audio", "audio/ogg"),
    ".opus": ("audio", "audio/ogg"),
    ".flac": ("audio", "audio/flac"),
    ".weba": ("audio", "audio/webm"),
    ".mp4": ("video", "video/mp4"),
    ".m4v": ("video", "video/mp4"),
    ".webm": ("video", "video/webm"),
    ".ogv": ("video", "video/ogg"),
    ".mov": ("video", "video/quicktime"),
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def media_type(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """``(kind, mime)`` of a recording's suffix; None when qualcode does not play it.

    Examples
    --------
    >>> media_type("INT08.opus"), media_type("clip.MP4"), media_type("notes.txt")
    (('audio', 'audio/ogg'), ('video', 'video/mp4'), None)
    """
    return MEDIA_TYPES.get(Path(str(path)).suffix.lower())


def project_folder(project: Any) -> Path | None:
    """The folder a project's relative media paths start from (None: not a file).

    Examples
    --------
    >>> class P:
    ...     path = "/data/study/study.qcproj"
    >>> project_folder(P()).as_posix(), project_folder(object())
    ('/data/study', None)
    """
    path = getattr(project, "path", None)
    if not isinstance(path, str | os.PathLike) or "://" in str(path):
        return None
    return Path(path).parent


@dataclass(frozen=True, slots=True)
class MediaFile:
    """Where a transcript's recording is, or why it cannot be played.

    Attributes
    ----------
    transcript_id : str
    given : str
        The ``media`` attribute as stored.
    path : Path or None
        The file found (None when it is missing).
    looked : tuple of Path
        Every place tried, in order.
    kind : {"audio", "video"} or None
        None when the suffix is not one qualcode plays (:data:`MEDIA_TYPES`).
    mime : str or None
    """

    transcript_id: str
    given: str
    path: Path | None
    looked: tuple[Path, ...]
    kind: Literal["audio", "video"] | None
    mime: str | None

    @property
    def playable(self) -> bool:
        """True when the file exists and has a suffix qualcode plays."""
        return self.path is not None and self.kind is not None

    def problem(self, caller: str) -> str | None:
        """The message saying why the recording cannot be played (None: it can)."""
        shown = _shown(self.given)
        if self.kind is None:
            return Errors.QC933.format(
                caller=caller,
                transcript=self.transcript_id,
                path=shown,
                suffix=Path(self.given).suffix,
                known=", ".join(MEDIA_TYPES),
            )
        if self.path is None:
            looked = ", ".join(_shown(str(p)) for p in self.looked) or "nowhere"
            return Errors.QC932.format(
                caller=caller, transcript=self.transcript_id, path=shown, looked=looked
            )
        return None

    def warn(self, caller: str, *, stacklevel: int = 3) -> None:
        """Issue a :class:`~qualcode.errors.MediaWarning` when it cannot be played."""
        message = self.problem(caller)
        if message is not None:
            warnings.warn(MediaWarning(message), stacklevel=stacklevel)


def _shown(path: str, limit: int = 160) -> str:
    """A path for a message: quoted and escaped, control characters visible."""
    text = repr(path)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # NUL bytes, names too long, no permission
        return False


def find_media(transcript: Transcript, *, folder: Any = None) -> MediaFile | None:
    """Find a transcript's recording (None when it names none).

    Parameters
    ----------
    transcript : Transcript
    folder : path or Project, optional
        Where a relative path is looked for first: a folder, or a project (its
        folder). Then the folder of the transcript's own file is tried.

    Returns
    -------
    MediaFile or None
        ``.path`` is the file found or None; ``.playable`` says whether it can be
        played; ``.problem(caller)`` says why not.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "int01.mp3").write_bytes(b"ID3")
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("Yes.", "P1")], attributes={"media": "int01.mp3"}
    ... )
    >>> m = find_media(t, folder=d)
    >>> m.path.name, m.kind, m.playable
    ('int01.mp3', 'audio', True)
    >>> find_media(t).playable  # not found without the folder
    False
    """
    given = transcript.media
    if given is None:
        return None
    if is_project(folder):
        folder = project_folder(folder)
    found = media_type(given)
    kind, mime = found if found is not None else (None, None)
    try:
        p = Path(given).expanduser()
    except (RuntimeError, ValueError):  # "~unknownuser/..."
        p = Path(given)
    looked: list[Path] = []
    if p.is_absolute():
        looked.append(p)
    else:
        if folder is not None:
            looked.append(Path(folder) / p)
        if transcript.source:
            looked.append(Path(transcript.source).parent / p)
    looked = list(dict.fromkeys(looked))
    hit = next((c for c in looked if _is_file(c)), None) if kind is not None else None
    return MediaFile(
        transcript_id=transcript.id,
        given=given,
        path=hit,
        looked=tuple(looked),
        kind=kind,  # type: ignore[arg-type]
        mime=mime,
    )


def stored_media_path(
    media: str | os.PathLike[str],
    base: str | os.PathLike[str],
    *,
    given_in: str | os.PathLike[str] | None = None,
) -> str:
    """How a ``media`` path is stored for a transcript whose file is in ``base``.

    Absolute paths stay as they are. A relative path named in a file (an
    attributes table) in folder ``given_in`` is rewritten relative to ``base``.
    Otherwise (a path given in Python) one that exists from ``base`` stays as it
    is, one that only exists from the working directory is rewritten relative to
    ``base``, and any other is kept (relative to ``base``). Separators are ``/``.

    Examples
    --------
    >>> stored_media_path("audio/int01.mp3", "/corpus")
    'audio/int01.mp3'
    >>> stored_media_path("audio/int01.mp3", "/corpus/txt", given_in="/corpus")
    '../audio/int01.mp3'
    """
    p = Path(media)
    if p.is_absolute():
        return str(p)
    b = Path(base)
    if given_in is not None:
        return _relative(Path(given_in) / p, b)
    if not _is_file(b / p) and _is_file(p):
        return _relative(p, b)
    return p.as_posix()


def _relative(target: Path, base: Path) -> str:
    """``target`` relative to ``base`` (``/`` separators; absolute across drives)."""
    absolute = os.path.abspath(target)
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(base))).as_posix()
    except ValueError:  # another drive on Windows
        return absolute


def turn_times(transcript: Transcript) -> list[tuple[float | None, float | None]]:
    """``(start, end)`` seconds of each turn; an end missing is the next start.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "t",
    ...     [
    ...         TurnDraft("a", "I", None, 0.0),
    ...         TurnDraft("b", "P", None, 2.5, 4.0),
    ...         TurnDraft("c", "I"),
    ...     ],
    ... )
    >>> turn_times(t)
    [(0.0, 2.5), (2.5, 4.0), (None, None)]
    """
    turns = transcript.turns
    out: list[tuple[float | None, float | None]] = []
    for i, u in enumerate(turns):
        end = u.time_end
        if end is None and u.time_start is not None:
            end = next(
                (v.time_start for v in turns[i + 1 :] if v.time_start is not None),
                None,
            )
        if u.time_start is not None and end is not None and end <= u.time_start:
            end = None
        out.append((u.time_start, end))
    return out


def format_seconds(value: float) -> str:
    """Seconds for a media fragment or attribute: at most 3 decimals, no trailing 0s.

    Examples
    --------
    >>> format_seconds(10800.125), format_seconds(83.50), format_seconds(2)
    ('10800.125', '83.5', '2')
    """
    text = f"{max(0.0, float(value)):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def fragment(src: str, start: float | None, end: float | None = None) -> str:
    """``src`` with a W3C media fragment ``#t=start[,end]`` (``src`` when no start).

    Examples
    --------
    >>> (
    ...     fragment("INT08.opus", 83.5),
    ...     fragment("a.mp3", 2, 7.25),
    ...     fragment("a.mp3", None),
    ... )
    ('INT08.opus#t=83.5', 'a.mp3#t=2,7.25', 'a.mp3')
    """
    if start is None:
        return src
    out = f"{src}#t={format_seconds(start)}"
    if end is not None and end > start:
        out += f",{format_seconds(end)}"
    return out


def player_html(
    kind: str,
    src: str,
    *,
    start: float | None = None,
    end: float | None = None,
    label: str = "Play",
    cls: str = "qc-player",
    preload: str = "none",
) -> str:
    """An escaped ``<audio>`` (or ``<video>``) element starting at ``start`` seconds.

    ``src`` is a URL (already percent-encoded, as :func:`link_media` gives it);
    every attribute value is HTML-escaped, so nothing in it can open a tag or an
    event handler.

    Examples
    --------
    >>> print(player_html("audio", "INT08.opus", start=83.5, label="Turn 3"))
    <audio class="qc-player" controls preload="none" src="INT08.opus#t=83.5"
    aria-label="Turn 3"></audio>
    """
    tag = "video" if kind == "video" else "audio"
    e = html.escape
    return (
        f'<{tag} class="{e(cls)}" controls preload="{e(preload)}" '
        f'src="{e(fragment(src, start, end))}" aria-label="{e(label)}"></{tag}>'
    )


@dataclass(frozen=True, slots=True)
class MediaLink:
    """A recording placed beside an HTML file: its relative URL and its turns' times.

    Attributes
    ----------
    transcript_id : str
    src : str
        The relative, percent-encoded URL (the copied file's name).
    kind : {"audio", "video"}
    times : tuple of (float or None, float or None)
        Per turn, ``(start, end)`` seconds as :func:`turn_times` gives them.
    starts : tuple of int
        Per turn, the start offset in the stored text.
    """

    transcript_id: str
    src: str
    kind: str
    times: tuple[tuple[float | None, float | None], ...]
    starts: tuple[int, ...]

    def span_times(self, start: int, end: int) -> tuple[float | None, float | None]:
        """``(start, end)`` seconds of the turns covering offsets ``[start, end)``.

        Examples
        --------
        >>> link = MediaLink("t", "t.mp3", "audio", ((0.0, 2.0), (2.0, 5.0)), (0, 10))
        >>> link.span_times(12, 15), link.span_times(0, 15)
        ((2.0, 5.0), (0.0, 5.0))
        """
        import bisect

        if not self.starts:
            return None, None
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return self.times[first][0], self.times[last][1]


def _safe_name(name: str) -> str:
    stem, suffix = os.path.splitext(name)
    stem = _UNSAFE_NAME.sub("_", stem).strip("._") or "media"
    return stem[:80] + suffix.lower()


def copy_media(
    media: MediaFile, folder: str | os.PathLike[str], *, taken: dict[str, Path]
) -> str:
    """Copy a playable recording into ``folder``; return the file name used.

    The name is the recording's own (characters other than letters, digits,
    ``._-`` become ``_``). A file already there with the same content is kept; a
    different one is never overwritten: the copy gets ``-2``, ``-3`` ... instead.
    ``taken`` maps names already used in this export to their sources.

    Raises
    ------
    ExportError
        The file cannot be read or written (QC935).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> src, out = pathlib.Path(tempfile.mkdtemp()), pathlib.Path(tempfile.mkdtemp())
    >>> _ = (src / "int 01.mp3").write_bytes(b"ID3")
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("Yes.", "P1")], attributes={"media": "int 01.mp3"}
    ... )
    >>> copy_media(find_media(t, folder=src), out, taken={})
    'int_01.mp3'
    """
    if media.path is None or media.kind is None:
        raise ValueError("copy_media needs a playable MediaFile")
    source = media.path
    folder = Path(folder)
    base = _safe_name(source.name)
    stem, suffix = os.path.splitext(base)
    k = 1
    while True:
        name = base if k == 1 else f"{stem}-{k}{suffix}"
        target = folder / name
        if name in taken:
            if _same_file(taken[name], source):
                return name
        elif not target.exists():
            break
        elif _same_file(target, source) or _same_content(target, source):
            taken[name] = source
            return name
        k += 1
    try:
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
    except OSError as exc:
        raise ExportError(
            Errors.QC935.format(
                caller="export",
                transcript=media.transcript_id,
                what="copy",
                path=_shown(str(source)),
                detail=exc.strerror or type(exc).__name__,
                fix=f"Check that {folder} is writable and has space.",
            )
        ) from exc
    taken[name] = source
    return name


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _same_content(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def _ids_with_media(project: Any) -> set[str] | None:
    """Ids of a project's transcripts with a ``media`` attribute (None: unknown).

    Read from the project's transcripts table, so transcripts without a recording
    are never loaded.
    """
    import pandas as pd

    table = getattr(project, "transcripts", None)
    if not isinstance(table, pd.DataFrame) or "transcript_id" not in table:
        return None
    if "media" not in table:
        return set()
    has = table["media"].notna() & (table["media"].astype(str).str.strip() != "")
    return set(table.loc[has, "transcript_id"].astype(str))


def link_media(
    transcripts: Any,
    html_path: str | os.PathLike[str],
    *,
    ids: Iterable[str] | None = None,
    folder: Any = None,
    caller: str = "export",
) -> dict[str, MediaLink]:
    """Copy the recordings of ``transcripts`` beside ``html_path``; ``{id: MediaLink}``.

    Transcripts without a ``media`` attribute are left out; one whose recording is
    missing or not playable is left out with a :class:`~qualcode.errors.MediaWarning`.

    Parameters
    ----------
    transcripts : Project, Corpus, mapping or iterable of Transcript
    html_path : path
        The HTML file the players will be in (its folder receives the copies).
    ids : iterable of str, optional
        Only these transcripts (e.g. those with quotes in a quote bank).
    folder : path or Project, optional
        Where relative media paths are looked for first (default: the project's
        folder when ``transcripts`` is a project); see :func:`find_media`.
    caller : str
        Named in warnings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> src, out = pathlib.Path(tempfile.mkdtemp()), pathlib.Path(tempfile.mkdtemp())
    >>> _ = (src / "int01.ogg").write_bytes(b"OggS")
    >>> t = Transcript.build(
    ...     "int01",
    ...     [TurnDraft("Yes.", "P1", None, 4.0, 6.0)],
    ...     attributes={"media": "int01.ogg"},
    ... )
    >>> links = link_media([t], out / "bank.html", folder=src)
    >>> (
    ...     links["int01"].src,
    ...     links["int01"].span_times(4, 8),
    ...     (out / "int01.ogg").exists(),
    ... )
    ('int01.ogg', (4.0, 6.0), True)
    """
    if folder is None and is_project(transcripts):
        folder = project_folder(transcripts)
    wanted = None if ids is None else set(map(str, ids))
    if is_project(transcripts):
        with_media = _ids_with_media(transcripts)
        items: Sequence[Transcript] = [
            transcripts.transcript(tid)
            for tid in transcripts.transcript_ids()
            if (wanted is None or tid in wanted)
            and (with_media is None or tid in with_media)
        ]
    else:
        items = [
            t
            for t in transcript_map(transcripts, caller=caller).values()
            if wanted is None or t.id in wanted
        ]
    out: dict[str, MediaLink] = {}
    taken: dict[str, Path] = {}
    target = Path(html_path).parent
    for t in items:
        media = find_media(t, folder=folder)
        if media is None:
            continue
        if not media.playable:
            media.warn(caller, stacklevel=4)
            continue
        name = copy_media(media, target, taken=taken)
        out[t.id] = MediaLink(
            transcript_id=t.id,
            src=quote(name),
            kind=media.kind or "audio",
            times=tuple(turn_times(t)),
            starts=tuple(u.start for u in t.turns),
        )
    return out
