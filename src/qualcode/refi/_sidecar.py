"""The ``qualcode.json`` sidecar: what REFI cannot hold, for a lossless round trip.

Written by :func:`qualcode.refi.qdpx.write_qdpx` next to ``project.qde``: turns
with speakers, roles and times, transcript attributes, codebook names, versions,
rules and patterns, code GUIDs and coding origins. Other tools ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qualcode.model import Transcript, Turn
from qualcode.refi._common import is_missing, plain

__all__ = ["transcript_from_sidecar", "transcript_info"]


def transcript_info(t: Transcript) -> dict[str, Any]:
    """The sidecar entry of one transcript (turns as lists, plain attributes)."""
    return {
        "id": t.id,
        "sha256": t.sha256,
        "turns": [
            [u.index, u.speaker, u.role, u.start, u.end, u.time_start, u.time_end]
            for u in t.turns
        ],
        "attributes": {
            k: (None if is_missing(plain(v)) else plain(v))
            for k, v in t.attributes.items()
        },
        "source": t.source,
        "format": t.format,
        "encoding": t.encoding,
    }


def transcript_from_sidecar(info: Mapping[str, Any], text: str) -> Transcript:
    """The transcript a sidecar entry describes, over ``text``."""
    turns = [
        Turn(
            index=t[0],
            speaker=t[1],
            role=t[2],
            start=t[3],
            end=t[4],
            text=text[t[3] : t[4]],
            time_start=t[5],
            time_end=t[6],
        )
        for t in info["turns"]
    ]
    return Transcript(
        info["id"],
        text,
        turns=tuple(turns),
        attributes=info.get("attributes") or {},
        source=info.get("source"),
        format=info.get("format"),
        encoding=info.get("encoding"),
    )
