"""The coding widget's recording: what the browser is told and the bytes it gets.

The recording reaches the browser without a file server: its bytes are a synced
``traitlets.Bytes`` trait (sent once per opened transcript as a binary websocket
frame, no base64), which the front end turns into a ``Blob`` URL for an
``<audio>``/``<video>`` element. Jupyter's own file routes serve only files under
the server's root, which a project's recordings need not be in, and a data URL
would grow the bytes by a third and pass them through JSON. Blob URLs seek
anywhere (the whole file is in memory), so a turn plays from its time at once.

A recording over :data:`MEDIA_LIMIT` bytes is not sent (the widget says so and
points to the HTML view, which streams the file from disk); one that is missing
or not playable leaves the transcript open without a player, with a notice and a
:class:`~qualcode.errors.MediaWarning` naming the transcript id and path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualcode.errors import Errors
from qualcode.media import find_media
from qualcode.model import Transcript

#: Largest recording (bytes) the widget sends to the browser: 100 MiB, about 3
#: hours of 64 kbit/s audio. Larger files play from ``export_html``'s page.
MEDIA_LIMIT = 100 * 2**20
CALLER = "coding_widget"
_MIB = 2**20


def media_state(
    transcript: Transcript, folder: Path | None, *, limit: int = MEDIA_LIMIT
) -> dict[str, Any]:
    """What the front end shows about a transcript's recording (JSON-ready).

    ``status`` is ``"none"`` (no ``media`` attribute), ``"ok"``, ``"missing"``,
    ``"unplayable"`` (a suffix qualcode does not play) or ``"too_large"``;
    ``notice`` says why there is no player (empty when there is one).

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build("t1", [TurnDraft("Yes.", "P1")])
    >>> media_state(t, None)["status"]
    'none'
    >>> t = t.with_attributes({"media": "nowhere/t1.mp3"})
    >>> media_state(t, None)["status"]
    'missing'
    """
    out: dict[str, Any] = {
        "status": "none",
        "kind": None,
        "mime": None,
        "name": None,
        "size": None,
        "notice": "",
        "path": None,
    }
    media = find_media(transcript, folder=folder)
    if media is None:
        return out
    out.update(kind=media.kind, mime=media.mime, name=Path(media.given).name)
    problem = media.problem(CALLER)
    if problem is not None:
        status = "unplayable" if media.kind is None else "missing"
        out.update(status=status, notice=problem)
        return out
    if media.path is None:  # pragma: no cover - problem() covers it
        return out
    try:
        size = media.path.stat().st_size
    except OSError as exc:
        out.update(status="missing", notice=unreadable(transcript.id, media.path, exc))
        return out
    out.update(size=size, path=str(media.path))
    if size > limit:
        out.update(
            status="too_large",
            notice=Errors.QC934.format(
                caller=CALLER,
                transcript=transcript.id,
                path=repr(media.given),
                size=f"{size / _MIB:.0f}",
                limit=f"{limit / _MIB:.0f}",
            ),
        )
        return out
    out["status"] = "ok"
    return out


def unreadable(transcript_id: str, path: Path, exc: OSError) -> str:
    """The notice for a recording that exists but cannot be read."""
    return Errors.QC935.format(
        caller=CALLER,
        transcript=transcript_id,
        what="read",
        path=repr(str(path)),
        detail=exc.strerror or type(exc).__name__,
        fix="Check the file's permissions; the transcript opens without a player.",
    )
