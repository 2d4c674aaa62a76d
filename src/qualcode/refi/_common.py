"""What the ``.qdpx`` reader and writer share: names, GUIDs, times, the report.

Private to :mod:`qualcode.refi`; the public face is :mod:`qualcode.refi.qdpx`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import DataLossWarning, ImportWarning_

__all__ = [
    "CODING_COLUMNS",
    "GUID_RE",
    "NAMESPACE",
    "SCHEMA_LOCATION",
    "SIDECAR",
    "XSI",
    "QdpxContent",
    "Report",
    "guid",
    "iso_full",
    "is_missing",
    "json_default",
    "norm_guid",
    "parse_dt",
    "plain",
    "sha256",
    "slug",
    "utc",
]

#: The namespace of qualcode's REFI GUIDs: ``uuid5(NAMESPACE, kind + key)``.
NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://github.com/qualcode/qualcode/refi-qda"
)
#: The archive entry that carries what REFI cannot hold (turns, codebook details).
SIDECAR = "qualcode.json"
SCHEMA_LOCATION = (
    "urn:QDA-XML:project:1.0 "
    "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: Columns of :attr:`QdpxContent.codings`.
CODING_COLUMNS = (
    "transcript_id",
    "start",
    "end",
    "code",
    "coder",
    "origin",
    "memo",
    "created",
    "codebook_version",
)
GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?$")


def guid(kind: str, *key: object) -> str:
    """A stable lower-case GUID for an object: ``uuid5`` of its kind and key.

    Examples
    --------
    >>> guid("code", "pursue") == guid("code", "pursue")
    True
    >>> len(guid("user", "AB"))
    36
    """
    return str(uuid.uuid5(NAMESPACE, "\x1f".join([kind, *map(str, key)])))


def norm_guid(value: str | None) -> str | None:
    """A GUID in lower case without braces (other values stripped, lower-cased)."""
    if not value:
        return None
    m = GUID_RE.match(value.strip())
    return (m.group(1) if m else value.strip()).lower()


def utc(value: Any) -> str | None:
    """Format a timestamp as ``YYYY-MM-DDThh:mm:ssZ`` (naive values are UTC)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return str(ts.strftime("%Y-%m-%dT%H:%M:%SZ"))


def iso_full(value: Any) -> str | None:
    """ISO time with sub-second digits when there are any (else as :func:`utc`)."""
    import pandas as pd

    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if ts.microsecond or ts.nanosecond:
        return str(ts.isoformat()).replace("+00:00", "Z")
    return utc(ts)


def parse_dt(value: object) -> datetime | None:
    """Parse any xsd:dateTime; naive values are taken as UTC (P8)."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def slug(name: str) -> str:
    """A file-name-safe slug of a name (``"code"`` when nothing is left)."""
    s = re.sub(r"[^\w]+", "-", name.strip().lower(), flags=re.UNICODE).strip("-_")
    return s or "code"


def sha256(text: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes (as :attr:`Transcript.sha256`)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_missing(v: Any) -> bool:
    """None, NaN or NaT (lists, dicts and tuples are never missing)."""
    if v is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def plain(v: Any) -> Any:
    """numpy scalars to Python."""
    item = getattr(v, "item", None)
    if callable(item) and type(v).__module__ == "numpy":
        return item()
    return v


def json_default(v: Any) -> Any:
    """``json.dumps`` fallback: times as ISO text, missing as null, else ``str``."""
    v = plain(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if is_missing(v):
        return None
    return str(v)


# ---------------------------------------------------------------------------
# The exchanged content (independent of the store)
# ---------------------------------------------------------------------------
@dataclass
class QdpxContent:
    """What a ``.qdpx`` holds, in qualcode's terms.

    Attributes
    ----------
    name : str
        Project name.
    origin : str or None
        The producing tool (``Project@origin``).
    transcripts : list of Transcript
    codebooks : list of Codebook
    codings : pandas.DataFrame
        ``transcript_id, start, end, code, coder, origin, memo, created,
        codebook_version``.
    report : pandas.DataFrame
        What was repaired, merged or dropped on import:
        ``kind, name, action, count, detail``.
    offset_model : str or None
        The offset model used to read positions.
    code_guids : dict
        Code id -> the GUID it had in the file.

    Examples
    --------
    >>> import pandas as pd
    >>> c = QdpxContent("demo", None, [], [], pd.DataFrame())
    >>> c.name, c.code_guids
    ('demo', {})
    """

    name: str
    origin: str | None
    transcripts: list[Any]
    codebooks: list[Any]
    codings: Any
    report: Any = None
    offset_model: str | None = None
    code_guids: dict[str, str] = field(default_factory=dict)


class Report:
    """Rows of the import report (``kind, name, action, count, detail``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []

    def add(
        self, kind: str, name: str | None, action: str, count: int = 1, detail: str = ""
    ) -> None:
        """Record one repair, merge, loss or fact."""
        self.rows.append(
            {
                "kind": kind,
                "name": name,
                "action": action,
                "count": int(count),
                "detail": detail,
            }
        )

    def frame(self) -> Any:
        """The report as a DataFrame with string columns and an int64 count."""
        import pandas as pd

        cols = ["kind", "name", "action", "count", "detail"]
        df = pd.DataFrame(self.rows, columns=cols)
        return df.astype(
            {
                "kind": "string",
                "name": "string",
                "action": "string",
                "count": "int64",
                "detail": "string",
            }
        )

    def emit_warnings(self) -> None:
        """One DataLossWarning for what was dropped, one ImportWarning_ per repair."""
        dropped = [r for r in self.rows if r["action"] == "dropped"]
        if dropped:
            summary: Counter[str] = Counter()
            for r in dropped:
                summary[r["kind"]] += r["count"]
            parts = ", ".join(f"{n} {k}" for k, n in summary.items())
            warnings.warn(
                f"{self.path}: could not carry over {parts}; see the import report "
                "(read_qdpx(..., return_report=True) or project.import_report).",
                DataLossWarning,
                stacklevel=3,
            )
        repaired = [r for r in self.rows if r["action"] in ("repaired", "switched")]
        for r in repaired:
            warnings.warn(
                f"{self.path}: {r['kind']} {r['name']}: {r['detail']}",
                ImportWarning_,
                stacklevel=3,
            )
