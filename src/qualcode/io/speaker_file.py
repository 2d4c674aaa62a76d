"""Speakers files: who interviewed, for a whole corpus (``speakers="speakers.csv"``).

Teams, Zoom and Otter exports carry people's names, not roles, so every speaker
would default to ``participant``. A speakers file says it once for a corpus:

CSV / TSV / XLSX, one row per label::

    transcript_id,label,name,role
    ,Sam Reid,,interviewer          # every transcript
    int07,Speaker 2,P7,participant   # only int07 (wins over a row for all)

- ``label`` (or ``speaker``): the label as the file writes it (looked up as in
  ``speakers=``: exactly, then in any case, then without a trailing number);
- ``name``: optional new name for the speaker;
- ``role``: ``interviewer``, ``participant`` or ``none``; empty keeps the default role;
- ``transcript_id``: optional; empty means every transcript.

YAML: the same rows as a list (top level or under ``speakers:``), or a mapping
``label: role`` / ``label: {name: ..., role: ...}`` for every transcript. YAML
anchors and aliases are refused (a small file could expand without bound).

Every row must be used by some transcript; rows that match no speaker are named
by line in an :class:`~qualcode.errors.ImportWarning_` after a corpus import
(a typo in a name would otherwise silently leave that interviewer a participant).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import Errors, ImportFormatError
from qualcode.io._decode import decode, exception_detail, read_bytes
from qualcode.io._speakers import SpeakerMap
from qualcode.model import ROLES

__all__ = ["SpeakerTable", "read_speakers"]

_LABEL_HEADS = ("label", "speaker")
_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    transcript_id: str | None
    label: str
    value: dict[str, Any]


@dataclass
class SpeakerTable:
    """A speakers file, read: label -> name/role, for all transcripts or one.

    Build one with :func:`read_speakers`; pass it (or the path) as ``speakers=`` to
    :func:`qualcode.read_transcript` or :func:`qualcode.read_corpus`.

    Examples
    --------
    >>> t = SpeakerTable.from_mapping({"Sam Reid": "interviewer"})
    >>> t.for_transcript("int01")
    {'Sam Reid': {'role': 'interviewer'}}
    """

    source: str
    rows: list[_Row] = field(default_factory=list)
    from_file: bool = False
    _used: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Any], *, source: str = ""
    ) -> SpeakerTable:
        """A table of rows for every transcript from a ``speakers=`` mapping."""
        table = cls(source or "(mapping)")
        for i, (label, value) in enumerate(mapping.items(), start=1):
            table.rows.append(_Row(i, None, str(label), _value(value)))
        return table

    def _rows_for(self, transcript_id: str) -> dict[str, _Row]:
        out: dict[str, _Row] = {}
        for row in self.rows:  # rows for all first, then the transcript's own
            if row.transcript_id is None:
                out[row.label] = row
        for row in self.rows:
            if row.transcript_id == transcript_id:
                out[row.label] = row
        return out

    def for_transcript(self, transcript_id: str) -> dict[str, Any]:
        """The ``speakers=`` mapping for one transcript (its own rows win)."""
        return {
            label: dict(r.value) for label, r in self._rows_for(transcript_id).items()
        }

    def speaker_map(self, transcript_id: str, *, caller: str) -> SpeakerMap:
        """The speaker mapping for one transcript; it records the entries it used."""
        return SpeakerMap(self.for_transcript(transcript_id), caller=caller)

    def mark_used(self, transcript_id: str, labels: Iterable[str]) -> None:
        """Record that these entry labels resolved a speaker in ``transcript_id``."""
        rows = self._rows_for(transcript_id)
        for label in labels:
            if label in rows:
                self._used.add(rows[label].line)

    def unused_lines(self) -> list[int]:
        """File lines of rows that resolved no speaker in any transcript read."""
        return [r.line for r in self.rows if r.line not in self._used]


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    return {"role": value}


def _bad(path: Path, line: int, detail: str) -> ImportFormatError:
    return ImportFormatError(
        Errors.QC232.format(path=path, line=line, detail=detail), path=path, line=line
    )


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = " ".join(str(value).split())
    return text or None


def _row(path: Path, line: int, record: Mapping[str, Any]) -> _Row:
    """Validate one record (keys label/speaker, name, role, transcript_id)."""
    keys = {str(k).strip().lower(): v for k, v in record.items()}
    unknown = set(keys) - {"label", "speaker", "name", "role", "transcript_id", "id"}
    if unknown:
        raise _bad(
            path,
            line,
            f"unknown field(s) {sorted(unknown)}; use label, name, role, transcript_id",
        )
    label = _cell(keys.get("label", keys.get("speaker")))
    if label is None:
        raise _bad(
            path,
            line,
            "the label is empty; give the speaker label as the file writes it",
        )
    name = _cell(keys.get("name"))
    role_cell = _cell(keys.get("role"))
    tid = _cell(keys.get("transcript_id", keys.get("id")))
    value: dict[str, Any] = {}
    if name is not None:
        value["name"] = name
    if role_cell is not None:
        role = role_cell.lower()
        if role in ("none", "-", "null"):
            value["role"] = None
        elif role in ROLES:
            value["role"] = role
        else:
            raise _bad(path, line, f"the role must be one of {list(ROLES)} or 'none'")
    if not value:
        raise _bad(path, line, "the row gives neither a name nor a role")
    return _Row(line, tid, label, value)


def _records_table(path: Path) -> list[tuple[int, dict[str, Any]]]:
    import io

    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from qualcode.io._zipcheck import check_office_zip

        check_office_zip(path, format=suffix[1:])
        df = pd.read_excel(path, dtype=str, engine="openpyxl")
    else:
        text = decode(read_bytes(path), path=path).text
        sep = "\t" if suffix == ".tsv" else ","
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            sep=sep,
            skipinitialspace=True,
            keep_default_na=False,
        )
    heads = [str(c).strip().lower() for c in df.columns]
    if not any(h in _LABEL_HEADS for h in heads):
        raise _bad(path, 1, f"no label column among {heads}; add a 'label' column")
    df.columns = heads
    return [(i + 2, rec) for i, rec in enumerate(df.to_dict("records"))]


def _records_yaml(path: Path) -> list[tuple[int, dict[str, Any]]]:
    import yaml

    text = decode(read_bytes(path), path=path).text
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise _bad(path, line, "YAML anchors and aliases are not allowed here")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise _bad(path, line, f"not valid YAML ({exception_detail(exc)})") from exc
    if data is None:
        return []
    lines = _yaml_lines(node)
    if isinstance(data, Mapping) and set(data) == {"speakers"}:
        data, lines = data["speakers"], _yaml_lines(node.value[0][1]) if node else []
    if isinstance(data, list):
        out = []
        for i, rec in enumerate(data):
            line = lines[i] if i < len(lines) else 1
            if not isinstance(rec, Mapping):
                raise _bad(path, line, "each entry must be a mapping with a label")
            out.append((line, dict(rec)))
        return out
    if isinstance(data, Mapping):
        out = []
        for i, (label, value) in enumerate(data.items()):
            line = lines[i] if i < len(lines) else 1
            entry: dict[str, Any] = {"label": label}
            if isinstance(value, Mapping):
                entry.update(value)
            else:
                entry["role"] = value
            out.append((line, entry))
        return out
    raise _bad(path, 1, "expected a list of rows or a mapping of labels")


def _yaml_lines(node: Any) -> list[int]:
    """The 1-based line of each item of a YAML sequence or mapping node."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return [key.start_mark.line + 1 for key, _ in node.value]
    return []


def read_speakers(path: str | os.PathLike[str]) -> SpeakerTable:
    """Read a speakers file (CSV, TSV, XLSX or YAML; see the module docstring).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    SpeakerTable

    Raises
    ------
    ImportFormatError
        A missing [QC201] or unreadable file, or a bad row [QC232], naming the
        file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "speakers.csv"
    >>> _ = p.write_text("label,name,role\\nSam Reid,,interviewer\\nSpeaker 2,P7,\\n")
    >>> read_speakers(p).for_transcript("int07")
    {'Sam Reid': {'role': 'interviewer'}, 'Speaker 2': {'name': 'P7'}}
    """
    p = Path(path)
    if not p.is_file():
        raise ImportFormatError(Errors.QC201.format(path=p), path=p)
    suffix = p.suffix.lower()
    if suffix not in _SUFFIXES:
        raise _bad(p, 1, "use a .csv, .tsv, .xlsx or .yaml file")
    try:
        if suffix in (".yaml", ".yml"):
            records = _records_yaml(p)
        else:
            records = _records_table(p)
    except ImportFormatError:
        raise
    except Exception as exc:  # pandas/openpyxl parser errors
        raise _bad(p, 1, f"could not read the table ({exception_detail(exc)})") from exc
    table = SpeakerTable(str(p), from_file=True)
    seen: dict[tuple[str | None, str], int] = {}
    for line, rec in records:
        row = _row(p, line, rec)
        key = (row.transcript_id, " ".join(row.label.split()).casefold())
        if key in seen:
            raise _bad(p, line, f"the label appears twice (first on line {seen[key]})")
        seen[key] = line
        SpeakerMap({row.label: row.value}, caller=f"speakers file {p}")  # validate
        table.rows.append(row)
    return table
