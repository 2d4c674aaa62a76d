"""Writing a :class:`~qualcode.refi._common.QdpxContent` as a ``.qdpx`` archive.

One method per section of ``project.qde`` (users, codebook, variables and cases,
sources with selections, notes), then the sidecar and the archive itself.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from qualcode._files import atomic_path
from qualcode._version import __version__
from qualcode.errors import DataLossWarning, Errors, ExportError
from qualcode.refi._common import (
    CODING_COLUMNS,
    SCHEMA_LOCATION,
    SIDECAR,
    XSI,
    QdpxContent,
    guid,
    is_missing,
    iso_full,
    json_default,
    plain,
    utc,
)
from qualcode.refi._sidecar import transcript_info
from qualcode.refi._xml import PROJECT_NS as NS
from qualcode.refi._xml import schema_errors, xml_text
from qualcode.refi.qdc import codes_to_xml, description_text

__all__ = ["write_content"]

_VALUE_TAG = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}


def _typeof(values: list[Any]) -> str:
    vals = [v for v in values if v is not None]
    if vals and all(isinstance(v, bool) for v in vals):
        return "Boolean"
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "Integer"
    if vals and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals
    ):
        return "Float"
    if vals and all(isinstance(v, datetime) for v in vals):
        return "DateTime"
    if vals and all(isinstance(v, date) and not isinstance(v, datetime) for v in vals):
        return "Date"
    return "Text"


def _value_text(vtype: str, value: Any) -> str | None:
    if vtype == "Boolean":
        return "true" if value else "false"
    if vtype == "Float":
        text = repr(float(value))
        if "e" in text or "E" in text or text in ("nan", "inf", "-inf"):
            text = format(Decimal(repr(float(value))), "f")
        return text
    if vtype == "DateTime":
        return utc(value)
    if vtype == "Date":
        return str(value.isoformat())
    return str(value)


class QdpxWriter:
    """Builds ``project.qde`` and the sidecar for one content, then the archive."""

    def __init__(self, content: QdpxContent, path: Path) -> None:
        import pandas as pd

        self.content = content
        self.path = path
        codings = (
            content.codings.copy()
            if content.codings is not None
            else pd.DataFrame(columns=list(CODING_COLUMNS))
        )
        for col in CODING_COLUMNS:
            if col not in codings:
                codings[col] = None
        self.codings = codings.sort_values(
            ["transcript_id", "start", "end", "code", "coder"], kind="stable"
        ).reset_index(drop=True)
        self.coders = sorted(set(self.codings["coder"].astype(str)))
        self.user_guid = {c: guid("user", c) for c in self.coders}
        self.code_guid: dict[str, str] = {}
        self.attr_names: list[str] = []
        self.var_type: dict[str, str] = {}
        self.var_guid: dict[str, str] = {}
        self.src_guid = {t.id: guid("source", t.id) for t in content.transcripts}
        self.notes: list[tuple[str, str, str, str | None]] = []
        self.sidecar_codings: dict[str, Any] = {}
        self.files: dict[str, bytes] = {}
        self.replaced = 0  # fields with characters XML cannot hold
        self.sidecar_users: dict[str, str] = {}

    def el(
        self,
        parent: Any,
        tag: str,
        attrib: Mapping[str, Any] | None = None,
        text: str | None = None,
    ) -> Any:
        """A child element in the project namespace (empty attributes left out)."""
        from lxml import etree

        node = etree.SubElement(parent, f"{{{NS}}}{tag}")
        for k, v in (attrib or {}).items():
            if v is not None and v != "":
                node.set(k, self.xml(str(v)))
        if text is not None:
            node.text = self.xml(text)
        return node

    def xml(self, text: str) -> str:
        """:func:`~qualcode.refi._xml.xml_text`, counting the fields it changed."""
        clean = xml_text(text)
        if clean != text:
            self.replaced += 1
        return clean

    # -- sections --------------------------------------------------------------
    def project(self) -> Any:
        """The ``<Project>`` root with its name, origin and time span."""
        import pandas as pd
        from lxml import etree

        root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        root.set("name", self.xml(self.content.name or "qualcode project"))
        root.set("origin", f"qualcode {__version__}")
        created = (
            pd.to_datetime(self.codings["created"], utc=True)
            if len(self.codings)
            else pd.Series([], dtype="datetime64[ns, UTC]")
        )
        if len(created.dropna()):
            root.set("creationDateTime", utc(created.min()) or "")
            root.set("modifiedDateTime", utc(created.max()) or "")
        return root

    def users(self, root: Any) -> None:
        """``<Users>``: one per coder, GUID ``uuid5`` of the name."""
        if self.coders:
            users = self.el(root, "Users")
            for c in self.coders:
                self.el(users, "User", {"guid": self.user_guid[c], "name": c})
                if xml_text(c) != c:  # the sidecar restores it
                    self.sidecar_users[self.user_guid[c]] = c

    def codebook(self, root: Any) -> None:
        """``<CodeBook>``: every codebook's codes, plus codes no codebook defines."""
        all_codes = [c for b in self.content.codebooks for c in b]
        code_ids = {c.id for c in all_codes}
        unknown = sorted(set(self.codings["code"].astype(str)) - code_ids)
        if not (all_codes or unknown):
            return
        codes_el = self.el(self.el(root, "CodeBook"), "Codes")
        for book in self.content.codebooks:
            for c in book:  # the count for the warning; the sidecar keeps them
                for v in (c.label, description_text(c)):
                    self.replaced += xml_text(v) != v
            codes_to_xml(book, codes_el, ns=NS, guids=self.code_guid, warn=False)
        for u in unknown:  # codings whose code no codebook defines still travel
            self.code_guid[u] = guid("code", u)
            self.el(
                codes_el,
                "Code",
                {"guid": self.code_guid[u], "name": u, "isCodable": "true"},
            )

    def values(self, parent: Any, t: Any) -> None:
        """``<VariableValue>``\\ s of one transcript's attributes."""
        for k in self.attr_names:
            v = plain(t.attributes.get(k))
            if is_missing(v):
                continue
            vv = self.el(parent, "VariableValue")
            self.el(vv, "VariableRef", {"targetGUID": self.var_guid[k]})
            vtype = self.var_type[k]
            self.el(vv, _VALUE_TAG[vtype], text=_value_text(vtype, v))

    def variables(self, root: Any) -> None:
        """``<Variables>`` (typed) and ``<Cases>`` (one per transcript)."""
        transcripts = self.content.transcripts
        for t in transcripts:
            for k in t.attributes:
                if k not in self.attr_names:
                    self.attr_names.append(k)
        for k in self.attr_names:
            vals = [plain(t.attributes.get(k)) for t in transcripts]
            self.var_type[k] = _typeof([v for v in vals if not is_missing(v)])
            self.var_guid[k] = guid("variable", k)
        if not self.attr_names:
            return
        vars_el = self.el(root, "Variables")
        for k in self.attr_names:
            self.el(
                vars_el,
                "Variable",
                {
                    "guid": self.var_guid[k],
                    "name": k,
                    "typeOfVariable": self.var_type[k],
                },
            )
        cases = self.el(root, "Cases")
        for t in transcripts:
            case = self.el(cases, "Case", {"guid": guid("case", t.id), "name": t.id})
            self.values(case, t)
            self.el(case, "SourceRef", {"targetGUID": self.src_guid[t.id]})

    def _selection(self, ts: Any, t: Any, r: Any) -> None:
        start, end = int(r.start), int(r.end)
        if not (0 <= start < end <= len(t.text)):
            raise ExportError(
                Errors.QC714.format(
                    caller="write_qdpx",
                    path=self.path,
                    detail=f"coding [{start}, {end}) with code '{r.code}' "
                    "does not fit "
                    f"transcript '{t.id}' (length {len(t.text)})",
                )
            )
        cg = guid("coding", t.id, start, end, r.code, r.coder)
        when = utc(r.created)
        memo = None if is_missing(r.memo) else str(r.memo)
        user = self.user_guid[str(r.coder)]
        sel = self.el(
            ts,
            "PlainTextSelection",
            {
                "guid": guid("selection", t.id, start, end, r.code, r.coder),
                "startPosition": start,
                "endPosition": end,
                "creatingUser": user,
                "creationDateTime": when,
            },
        )
        if memo:
            self.el(sel, "Description", text=memo)
        cd = self.el(
            sel, "Coding", {"guid": cg, "creatingUser": user, "creationDateTime": when}
        )
        self.el(cd, "CodeRef", {"targetGUID": self.code_guid[str(r.code)]})
        if memo:
            ng = guid("note", cg)
            self.el(cd, "NoteRef", {"targetGUID": ng})
            self.notes.append((ng, memo, str(r.coder), when))
        extra: dict[str, str | None] = {}
        if not is_missing(r.origin) and str(r.origin) != "manual":
            extra["origin"] = str(r.origin)
        if not is_missing(r.created) and utc(r.created) != iso_full(r.created):
            extra["created"] = iso_full(r.created)  # sub-second precision
        if not is_missing(r.codebook_version):
            extra["codebook_version"] = str(r.codebook_version)
        if memo and xml_text(memo) != memo:  # the sidecar restores it
            extra["memo"] = memo
        if extra:
            self.sidecar_codings[cg] = extra

    def sources(self, root: Any) -> None:
        """``<Sources>``: a ``TextSource`` per transcript, a selection per coding."""
        if not self.content.transcripts:
            return
        sources = self.el(root, "Sources")
        by_tid = dict(iter(self.codings.groupby("transcript_id", sort=False)))
        for t in self.content.transcripts:
            g = self.src_guid[t.id]
            try:
                self.files[f"sources/{g}.txt"] = t.text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ExportError(
                    Errors.QC714.format(
                        caller="write_qdpx",
                        path=self.path,
                        detail=f"transcript '{self.xml(t.id)}' holds a lone "
                        f"surrogate at offset {exc.start}, which UTF-8 cannot encode",
                    )
                ) from exc
            ts = self.el(
                sources,
                "TextSource",
                {"guid": g, "name": t.id, "plainTextPath": f"internal://{g}.txt"},
            )
            rows = by_tid.get(t.id)
            for r in rows.itertuples(index=False) if rows is not None else []:
                self._selection(ts, t, r)
            self.values(ts, t)

    def notes_section(self, root: Any) -> None:
        """``<Notes>``: one per coding memo."""
        if not self.notes:
            return
        notes_el = self.el(root, "Notes")
        for ng, text, coder, when in self.notes:
            n = self.el(
                notes_el,
                "Note",
                {
                    "guid": ng,
                    "name": "Coding memo",
                    "creatingUser": self.user_guid[coder],
                    "creationDateTime": when,
                },
            )
            self.el(n, "PlainTextContent", text=text)

    # -- the whole -------------------------------------------------------------
    def build(self) -> Any:
        """The complete ``<Project>`` element."""
        root = self.project()
        self.users(root)
        self.codebook(root)
        self.variables(root)
        self.sources(root)
        self.notes_section(root)
        return root

    def sidecar(self) -> bytes:
        """``qualcode.json``: what REFI cannot hold."""
        side = {
            "format": "qualcode-qdpx-extension",
            "version": 1,
            "note": "Extra data for a lossless qualcode round trip; "
            "REFI tools may ignore it.",
            "transcripts": {
                self.src_guid[t.id]: transcript_info(t)
                for t in self.content.transcripts
            },
            "codebooks": [b.to_dict() for b in self.content.codebooks],
            "code_guids": {g: cid for cid, g in self.code_guid.items()},
            "codings": self.sidecar_codings,
        }
        if self.sidecar_users:
            side["users"] = self.sidecar_users
        try:
            return json.dumps(
                side, ensure_ascii=False, indent=1, default=json_default
            ).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: JSON escapes keep it
            return json.dumps(
                side, ensure_ascii=True, indent=1, default=json_default
            ).encode("ascii")

    def write_zip(self, qde: bytes, sidecar: bytes | None) -> None:
        """The archive, with fixed entry times (byte-identical re-exports).

        Written through :func:`qualcode._files.atomic_path`: a crash or a full
        disk leaves the previous file as it was and no temporary file behind.
        """
        import zipfile

        fixed = (1980, 1, 1, 0, 0, 0)
        try:
            with (
                atomic_path(self.path) as tmp,
                zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z,
            ):

                def put_entry(name: str, data: bytes) -> None:
                    info = zipfile.ZipInfo(name, date_time=fixed)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    z.writestr(info, data)

                put_entry("project.qde", qde)
                for name in sorted(self.files):
                    put_entry(name, self.files[name])
                if sidecar is not None:
                    put_entry(SIDECAR, sidecar)
        except OSError as exc:
            raise ExportError(
                Errors.QC714.format(caller="write_qdpx", path=self.path, detail=exc)
            ) from exc


def write_content(
    content: QdpxContent, path: Path, *, validate: bool, sidecar: bool
) -> Path:
    """Write ``content`` to ``path`` (a ``.qdpx``); see :func:`write_qdpx`."""
    from lxml import etree

    if path.suffix.lower() != ".qdpx":
        raise ExportError(
            Errors.QC714.format(
                caller="write_qdpx", path=path, detail="the file name must end in .qdpx"
            )
        )
    w = QdpxWriter(content, path)
    root = w.build()
    if validate:
        errs = schema_errors(root)
        if errs:
            raise ExportError(
                Errors.QC715.format(
                    path=path,
                    entry="project.qde",
                    schema="Project-mrt2019.xsd",
                    detail="; ".join(errs[:3]),
                )
            )
    qde = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    w.write_zip(qde, w.sidecar() if sidecar else None)
    if w.replaced and not sidecar:
        warnings.warn(
            f"{path}: {w.replaced} field(s) held characters XML cannot hold; they "
            "were written as U+FFFD (with sidecar=True qualcode would restore them).",
            DataLossWarning,
            stacklevel=3,
        )
    return path
