"""REFI-QDA exchange, both ways: projects (``.qdpx``) and codebooks (``.qdc``).

- :mod:`qualcode.refi.qdpx`: :func:`read_qdpx` (into a :class:`~qualcode.Project`),
  :func:`write_qdpx` (for NVivo, ATLAS.ti, MAXQDA, QualCoder, ...), and the
  store-free :func:`read_qdpx_content` / :func:`write_qdpx_content`.
- :mod:`qualcode.refi.qdc`: :func:`read_qdc`, :func:`write_qdc`, :func:`validate_qdc`
  (also reached through ``Codebook.load``/``Codebook.save`` of a ``.qdc`` path).

Private: ``_read``/``_write`` (one method per section of ``project.qde``),
``_sidecar`` (``qualcode.json``), ``_turns`` (turns of foreign texts), ``_offsets``
(the offset models of other tools), ``_xml`` (safe parsing, schema checks) and
``_common``. Archives are opened through :mod:`qualcode._safezip`. lxml is
imported only when a file is read or written.

Layering: ``refi`` sits above the store (it builds projects); ``refi.qdc`` sits
beside :mod:`qualcode.codebook`, and the two form the one allowed lazy hand-off
(``Codebook.load``/``save`` import ``refi.qdc`` inside the method).
"""

from __future__ import annotations

from qualcode._safezip import ZipLimits
from qualcode.refi.qdc import read_qdc, validate_qdc, write_qdc
from qualcode.refi.qdpx import (
    QdpxContent,
    read_qdpx,
    read_qdpx_content,
    write_qdpx,
    write_qdpx_content,
)

__all__ = [
    "QdpxContent",
    "ZipLimits",
    "read_qdc",
    "read_qdpx",
    "read_qdpx_content",
    "validate_qdc",
    "write_qdc",
    "write_qdpx",
    "write_qdpx_content",
]
