"""REFI-QDA project exchange (``.qdpx``): write a project for NVivo, ATLAS.ti,
MAXQDA, QualCoder, ...; read their exports into a new :class:`qualcode.Project`.

Writing (:func:`write_qdpx`)
    A ZIP with ``project.qde`` (valid against the vendored 2019 Project schema) and
    ``sources/<guid>.txt``: the stored text, **UTF-8 without BOM, LF line ends**,
    so REFI positions are plain code points over exactly that file (spec §10.2).
    One ``PlainTextSelection`` per coding (as NVivo does), holding one ``Coding``
    with its coder (``creatingUser``) and UTC time; a memo becomes a ``Note`` with
    a ``NoteRef`` from the coding *and* the selection's ``Description`` (for tools
    that only read that, P11). Participant attributes become typed ``Variables``
    with one ``Case`` per transcript (values also on the source). GUIDs are
    ``uuid5`` of stable keys, so exporting twice gives identical GUIDs.
    A ``qualcode.json`` entry at the archive root carries what REFI cannot hold
    (turns with speakers, roles and times; codebook names, versions, rules and
    patterns; coding origins), so a qualcode round trip is lossless; other tools
    ignore it.

Reading (:func:`read_qdpx`)
    Secure (no entities or DTDs, zip slip and zip bomb checks), lenient (any
    ``urn:QDA-XML`` namespace, one ``*.qde`` of any name, ``Sources/`` or
    ``sources/``, ``internal://``/``relative://``/``absolute://``/bare paths,
    inline ``PlainTextContent``), and explicit about loss: what cannot be mapped
    (pictures, PDFs, audio, video, links, sets, graphs, unattached notes) is
    reported in a ``DataLossWarning`` and in the import report, never dropped
    silently. Positions are read with the offset model of the producing tool
    (``Project@origin``), checked against word boundaries, then mapped onto the
    stored text (BOM removed, CRLF -> LF) through index maps.
"""

from __future__ import annotations

import json
import re
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from qualcode.errors import (
    DataLossWarning,
    Errors,
    ExportError,
    ImportFormatError,
    ImportWarning_,
)

__all__ = [
    "read_qdpx",
    "write_qdpx",
    "QdpxContent",
    "read_qdpx_content",
    "write_qdpx_content",
]

NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://github.com/qualcode/qualcode/refi-qda"
)
SIDECAR = "qualcode.json"
SCHEMA_LOCATION = "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
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
_INTERVIEWER = {
    "i",
    "int",
    "interviewer",
    "q",
    "researcher",
    "moderator",
    "facilitator",
}
_LABEL_RE = re.compile(r"(?P<label>[^\W\d_][\w .'’()-]{0,39}?)[ \t]*:[ \t]+(?=\S)")
_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?$")


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


def _norm_guid(value: str | None) -> str | None:
    if not value:
        return None
    m = _GUID_RE.match(value.strip())
    return (m.group(1) if m else value.strip()).lower()


def _utc(value: Any) -> str | None:
    """Format a timestamp as ``YYYY-MM-DDThh:mm:ssZ`` (naive values are UTC)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_dt(value: str | None) -> datetime | None:
    """Parse any xsd:dateTime; naive values are taken as UTC (P8)."""
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _slug(name: str) -> str:
    s = re.sub(r"[^\w]+", "-", name.strip().lower(), flags=re.UNICODE).strip("-_")
    return s or "code"


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
    """

    name: str
    origin: str | None
    transcripts: list[Any]
    codebooks: list[Any]
    codings: Any
    report: Any = None
    offset_model: str | None = None
    code_guids: dict[str, str] = field(default_factory=dict)


class _Report:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []

    def add(
        self, kind: str, name: str, action: str, count: int = 1, detail: str = ""
    ) -> None:
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
        dropped = [r for r in self.rows if r["action"] == "dropped"]
        if dropped:
            summary = Counter()
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


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def _find_qde(zf: Any) -> str:
    qdes = [n for n in zf.names if "/" not in n and n.lower().endswith(".qde")]
    if len(qdes) == 1:
        return qdes[0]
    if not qdes:
        deeper = [n for n in zf.names if n.lower().endswith(".qde")]
        if len(deeper) == 1:
            return deeper[0]
        detail = (
            "no .qde project file at the top of the archive; is this a REFI-QDA .qdpx?"
        )
    else:
        detail = (
            f"several .qde project files ({', '.join(sorted(qdes))}); keep only one"
        )
    raise ImportFormatError(
        Errors.QC713.format(path=zf.path, detail=detail), path=zf.path
    )


def _resolve(zf: Any, ref: str, base_path: str) -> str | None:
    """The archive entry a REFI path refers to (None when outside the archive)."""
    ref = ref.strip()
    low = ref.lower()
    for scheme in ("internal://", "relative://", "absolute://"):
        if low.startswith(scheme):
            ref = ref[len(scheme) :]
            break
    ref = ref.replace("\\", "/")
    base = PurePosixPath(ref).name
    candidates = [
        f"sources/{ref.lstrip('/')}",
        f"sources/{base}",
        ref.lstrip("/"),
        base,
    ]
    for cand in candidates:
        hit = zf.find(cand, ignore_case=True)
        if hit is not None:
            return hit
    return None


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _paragraph_turns(tid: str, text: str) -> list[Any]:
    """Turns for an imported plain text: paragraphs, with speakers when obvious.

    Paragraphs are blocks separated by blank lines when the text uses blank
    lines (at least a fifth of its lines), otherwise single lines. When at least
    half of the paragraphs start with a ``Label: `` the labels become speakers
    (lines without a label continue the previous turn in line mode).
    """
    from qualcode.model import Turn

    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    blank = [not text[s:e].strip() for s, e in lines]
    block_mode = len(lines) > 1 and sum(blank) >= len(lines) / 5
    paras: list[tuple[int, int]] = []
    if block_mode:
        cur: list[tuple[int, int]] = []
        for (s, e), b in zip(lines, blank, strict=True):
            if b:
                if cur:
                    paras.append((cur[0][0], cur[-1][1]))
                cur = []
            else:
                cur.append((s, e))
        if cur:
            paras.append((cur[0][0], cur[-1][1]))
    else:
        paras = [se for se, b in zip(lines, blank, strict=True) if not b]

    def strip(s: int, e: int) -> tuple[int, int]:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return s, e

    labelled = [_LABEL_RE.match(text, strip(s, e)[0], e) for s, e in paras]
    n_lab = sum(m is not None for m in labelled)
    labels = {m.group("label").strip() for m in labelled if m}
    speaker_mode = n_lab >= 2 and n_lab >= len(paras) / 2 and len(labels) <= 12
    raw_turns: list[tuple[int, int, str | None]] = []
    for (s, e), m in zip(paras, labelled, strict=True):
        if speaker_mode and m:
            raw_turns.append((m.end(), e, m.group("label").strip()))
        elif speaker_mode and not block_mode and raw_turns:
            ps, _, spk = raw_turns[-1]
            raw_turns[-1] = (ps, e, spk)
        else:
            raw_turns.append((s, e, None))
    has_int = any(_role_of(lab) == "interviewer" for lab in labels)
    turns = []
    for s, e, spk in raw_turns:
        s, e = strip(s, e)
        if s >= e:
            continue
        role = None
        if spk is not None:
            role = _role_of(spk) or ("participant" if has_int else None)
        turns.append(
            Turn(
                index=len(turns), speaker=spk, role=role, start=s, end=e, text=text[s:e]
            )
        )
    return turns


def _role_of(label: str) -> str | None:
    key = re.sub(r"[\d\s._-]+$", "", label.strip().lower())
    if key in _INTERVIEWER or key.startswith("interviewer"):
        return "interviewer"
    return None


def _typed(vv: Any) -> tuple[str | None, Any]:
    from qualcode.io._refi_xml import child, local, text_of

    ref = child(vv, "VariableRef")
    target = _norm_guid(ref.get("targetGUID")) if ref is not None else None
    for el in vv:
        name = local(el)
        if name == "VariableRef" or not name.endswith("Value"):
            continue
        raw = text_of(el).strip()
        try:
            if name == "BooleanValue":
                return target, raw.lower() in ("true", "1")
            if name == "IntegerValue":
                return target, int(raw)
            if name == "FloatValue":
                return target, float(raw)
        except ValueError:
            return target, raw
        return target, raw
    return target, None


def read_qdpx_content(
    path: str | Path,
    *,
    offset_model: tuple[str, str] | str | None = None,
    validate: bool = False,
    limits: Any = None,
) -> QdpxContent:
    """Read a ``.qdpx`` into a :class:`QdpxContent` without touching a store.

    See :func:`read_qdpx` for the parameters; this is the part that parses,
    picks the offset model and maps positions.
    """
    import pandas as pd

    from qualcode._safezip import SafeZip
    from qualcode.codebook import Codebook
    from qualcode.io._refi_offsets import (
        MODELS,
        SourceText,
        default_model,
        model_name,
        score_alignment,
    )
    from qualcode.io._refi_xml import (
        child,
        children,
        local,
        normalise_namespace,
        parse_xml,
        schema_errors,
        text_of,
    )
    from qualcode.model import Transcript

    path = Path(path)
    rep = _Report(path)
    with SafeZip(path, limits=limits) as zf:
        qde = _find_qde(zf)
        root = parse_xml(zf.read(qde), path=path, entry=qde)
        if local(root) != "Project":
            hint = (
                " (a codebook: load it with Codebook.load)"
                if local(root) == "CodeBook"
                else ""
            )
            raise ImportFormatError(
                Errors.QC713.format(
                    path=path,
                    detail=f"{qde} has root <{local(root)}>, not <Project>{hint}.",
                ),
                path=path,
            )
        if validate:
            normal, old_ns = normalise_namespace(root)
            if old_ns:
                rep.add("namespace", old_ns, "repaired", detail=f"read {old_ns} as 1.0")
            errs = schema_errors(normal)
            if errs:
                rep.add(
                    "schema",
                    qde,
                    "repaired",
                    len(errs),
                    "not valid against Project-mrt2019.xsd; read leniently: " + errs[0],
                )
        if qde != "project.qde":
            rep.add(
                "container", qde, "info", detail="project file not named project.qde"
            )
        origin = root.get("origin")
        proj_name = root.get("name") or path.stem
        base_path = root.get("basePath") or ""
        sidecar = None
        if SIDECAR in zf.names and (origin or "").lower().startswith("qualcode"):
            try:
                sidecar = json.loads(zf.read(SIDECAR).decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                rep.add(
                    "sidecar",
                    SIDECAR,
                    "repaired",
                    detail=f"ignored: not valid JSON ({exc})",
                )

        # -- users -----------------------------------------------------------
        users: dict[str, str] = {}
        taken: Counter[str] = Counter()
        users_el = child(root, "Users")
        for u in children(users_el, "User") if users_el is not None else []:
            g = _norm_guid(u.get("guid"))
            nm = (u.get("name") or u.get("id") or (g or "user")[:8]).strip()
            taken[nm] += 1
            users[g] = nm if taken[nm] == 1 else f"{nm} ({taken[nm]})"
        default_user = users.get(_norm_guid(root.get("creatingUserGUID")) or "")

        def coder_of(el: Any, fallback: Any = None) -> str:
            g = _norm_guid(el.get("creatingUser"))
            if g in users:
                return users[g]
            if fallback is not None:
                return coder_of(fallback)
            return default_user or "unknown"

        # -- notes -----------------------------------------------------------
        notes: dict[str, str] = {}
        used_notes: set[str] = set()
        notes_el = child(root, "Notes")
        for n in children(notes_el, "Note") if notes_el is not None else []:
            body = text_of(child(n, "PlainTextContent"))
            ptp = n.get("plainTextPath")
            if not body and ptp:
                entry = _resolve(zf, ptp, base_path)
                if entry:
                    body = (
                        _decode(zf.read(entry))[0]
                        .replace("\r\n", "\n")
                        .replace("\r", "\n")
                    )
            if not body:
                body = text_of(child(n, "Description"))
            notes[_norm_guid(n.get("guid"))] = body.strip()

        def note_texts(el: Any) -> list[str]:
            out = []
            for ref in children(el, "NoteRef"):
                g = _norm_guid(ref.get("targetGUID"))
                if g in notes:
                    used_notes.add(g)
                    if notes[g]:
                        out.append(notes[g])
            return out

        # -- codebook (the codebook helper's reader: ids, rules, colours, GUIDs) ----
        from dataclasses import replace

        from qualcode.io.qdc import codes_from_xml

        codes: list[Any] = []
        code_by_guid: dict[str, str] = {}
        cb_el = child(root, "CodeBook")
        codes_el = child(cb_el, "Codes") if cb_el is not None else None
        if codes_el is not None and len(codes_el):
            repairs: list[str] = []
            codes, code_by_guid = codes_from_xml(codes_el, repairs=repairs)
            for r in repairs:
                rep.add("code", "", "repaired", detail=r)
            memos: dict[str, list[str]] = {}
            for el in codes_el.iter():
                if local(el) == "Code" and children(el, "NoteRef"):
                    cid = code_by_guid.get(_norm_guid(el.get("guid")) or "")
                    if cid:
                        memos[cid] = note_texts(el)
            codes = [
                replace(c, note="\n\n".join(x for x in [c.note, *memos[c.id]] if x))
                if memos.get(c.id)
                else c
                for c in codes
            ]
        not_codable = [c.id for c in codes if c.flags.get("codable") is False]
        if not_codable:
            rep.add(
                "code",
                ", ".join(not_codable[:5]),
                "info",
                len(not_codable),
                "not codable in the source (categories): imported as parent codes",
            )
        codebooks = []
        if codes:
            codebooks = [
                Codebook(
                    codes,
                    name=proj_name,
                    version="1",
                    description=f"Imported from {path.name} "
                    f"({origin or 'unknown tool'})",
                )
            ]

        # -- variables and cases ---------------------------------------------
        var_names: dict[str, str] = {}
        vars_el = child(root, "Variables")
        for v in children(vars_el, "Variable") if vars_el is not None else []:
            var_names[_norm_guid(v.get("guid"))] = v.get("name") or "variable"
        source_attrs: dict[str, dict[str, Any]] = defaultdict(dict)
        cases_el = child(root, "Cases")
        for case in children(cases_el, "Case") if cases_el is not None else []:
            vals = {}
            for vv in children(case, "VariableValue"):
                target, value = _typed(vv)
                if target in var_names and value is not None:
                    vals[var_names[target]] = value
            refs = [
                _norm_guid(r.get("targetGUID")) for r in children(case, "SourceRef")
            ]
            if not refs and vals:
                rep.add(
                    "case",
                    case.get("name") or case.get("guid"),
                    "dropped",
                    1,
                    "case not linked to a source: its variable values have no "
                    "transcript",
                )
            for r in refs:
                for k, v in vals.items():
                    source_attrs[r].setdefault(k, v)
            if children(case, "CodeRef") or children(case, "SelectionRef"):
                rep.add(
                    "case",
                    case.get("name") or case.get("guid"),
                    "dropped",
                    1,
                    "case-level code or selection references are not imported",
                )

        # -- sources -----------------------------------------------------------
        @dataclass
        class _Src:
            guid: str
            name: str
            st: Any
            encoding: str
            sels: list[
                tuple[int, int, Any, Any]
            ]  # raw start, end, selection el, coding el

        sources: list[_Src] = []
        sources_el = child(root, "Sources")
        text_nodes: list[tuple[Any, str]] = []
        for src in list(sources_el) if sources_el is not None else []:
            kind = local(src)
            nm = src.get("name") or src.get("guid") or kind
            if kind == "TextSource":
                text_nodes.append((src, nm))
                continue
            rep_el = child(src, "Representation")
            if kind == "PDFSource" and rep_el is not None:
                text_nodes.append((rep_el, nm))
                n_pdf = len(children(src, "PDFSelection"))
                if n_pdf:
                    rep.add(
                        "PDF selection",
                        nm,
                        "dropped",
                        n_pdf,
                        "area selections on the PDF page cannot be mapped; its text "
                        "representation was imported",
                    )
                continue
            n_sel = sum(1 for e in src.iter() if local(e).endswith("Selection"))
            rep.add(
                kind,
                nm,
                "dropped",
                1,
                f"{kind} is not text; {n_sel} selections on it not imported",
            )
        for src, nm in text_nodes:
            g = _norm_guid(src.get("guid"))
            if nm == src.get("guid"):  # unnamed: use the text file's stem unless a GUID
                stem = PurePosixPath(
                    (src.get("plainTextPath") or "").replace("\\", "/")
                ).stem
                nm = (
                    stem
                    if stem and not _GUID_RE.match(stem)
                    else (src.get("guid") or "source")
                )
            content = child(src, "PlainTextContent")
            raw, enc = None, "utf-8"
            if content is not None and text_of(content):
                raw = text_of(content)
            elif src.get("plainTextPath"):
                entry = _resolve(zf, src.get("plainTextPath"), base_path)
                if entry is not None:
                    raw, enc = _decode(zf.read(entry))
                    if entry.split("/")[0] not in ("sources",):
                        rep.add(
                            "source path",
                            nm,
                            "info",
                            detail=f"{src.get('plainTextPath')} read from {entry}",
                        )
            if raw is None:
                n_sel = len(children(src, "PlainTextSelection"))
                rep.add(
                    "source",
                    nm,
                    "dropped",
                    1,
                    f"no plain text found for {src.get('plainTextPath') or 'it'} "
                    f"in the archive; {n_sel} selections not imported",
                )
                continue
            if src.get("richTextPath"):
                rep.add(
                    "rich text",
                    nm,
                    "info",
                    1,
                    "the formatted original (richTextPath) is not imported; "
                    "the plain text is",
                )
            if raw.startswith("\ufeff"):
                raw = raw[1:]
            sels = []
            for sel in children(src, "PlainTextSelection"):
                try:
                    s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    rep.add(
                        "selection",
                        sel.get("guid"),
                        "dropped",
                        1,
                        "positions are not integers",
                    )
                    continue
                cds = children(sel, "Coding")
                if not cds:
                    extra = (
                        " (its description is lost)"
                        if text_of(child(sel, "Description"))
                        else ""
                    )
                    rep.add(
                        "selection",
                        nm,
                        "dropped",
                        1,
                        "selection without a coding" + extra,
                    )
                    continue
                for cd in cds:
                    sels.append((s, e, sel, cd))
            for cd in children(src, "Coding"):
                sels.append((None, None, src, cd))
            sources.append(_Src(g, nm, SourceText(raw), enc, sels))
            if note_texts(src):
                rep.add(
                    "source note",
                    nm,
                    "dropped",
                    1,
                    "memos on a whole source are not imported",
                )

        # -- offset model --------------------------------------------------------
        default = default_model(origin)
        if isinstance(offset_model, str):
            if offset_model != "auto":
                raise ImportFormatError(
                    Errors.QC713.format(
                        path=path,
                        detail=f"offset_model must be 'auto' or a "
                        f"(unit, base) pair from {list(MODELS)}",
                    ),
                    path=path,
                )
            offset_model = None
        if offset_model is not None and tuple(offset_model) not in MODELS:
            raise ImportFormatError(
                Errors.QC713.format(
                    path=path,
                    detail=f"unknown offset model {offset_model!r}; "
                    f"use one of {list(MODELS)}",
                ),
                path=path,
            )
        chosen = tuple(offset_model) if offset_model else default
        n_sel = sum(1 for s in sources for x in s.sels if x[0] is not None)

        def score(model: tuple[str, str]) -> int:
            total = 0
            for s in sources:
                spans = {(a, b) for a, b, _, _ in s.sels if a is not None}
                if not spans:
                    continue
                spans_l = sorted(spans)
                st = s.st.to_stored([a for a, _ in spans_l], model)
                en = s.st.to_stored([b for _, b in spans_l], model)
                total += score_alignment(s.st.stored, list(zip(st, en, strict=True)))
            return total

        n_spans = sum(
            len({(a, b) for a, b, _, _ in s.sels if a is not None}) for s in sources
        )
        if n_spans and not offset_model:
            scores = {m: score(m) for m in MODELS}
            best = max(MODELS, key=lambda m: (scores[m], m == default))
            if scores[chosen] < 0.9 * n_spans and scores[best] - scores[chosen] >= max(
                3, 0.2 * n_spans
            ):
                rep.add(
                    "offset model",
                    model_name(best),
                    "switched",
                    0,
                    f"positions read as {model_name(best)} "
                    f"({scores[best]}/{n_spans} spans "
                    f"on word boundaries) instead of the usual "
                    f"{model_name(chosen)} for "
                    f"'{origin}' ({scores[chosen]}/{n_spans})",
                )
                chosen = best
            rep.add(
                "offset model",
                model_name(chosen),
                "info",
                0,
                f"{scores[chosen]}/{n_spans} distinct spans on word boundaries",
            )

        # -- transcripts and codings -------------------------------------------------
        sc_tr = (sidecar or {}).get("transcripts", {})
        sc_codings = (sidecar or {}).get("codings", {})
        transcripts = []
        rows = []
        ids_taken: set[str] = set()
        for s in sources:
            text = s.st.stored
            info = sc_tr.get(s.guid)
            tr = None
            if info and info.get("sha256") == _sha(text):
                try:
                    tr = _transcript_from_sidecar(info, text)
                except (ValueError, KeyError, TypeError) as exc:
                    rep.add(
                        "sidecar", s.name, "repaired", detail=f"turns rebuilt ({exc})"
                    )
            if tr is None:
                tid = s.name.strip()
                base, k = tid, 2
                while tid in ids_taken:
                    tid, k = f"{base} ({k})", k + 1
                attrs = {**source_attrs.get(s.guid, {})}
                tr = Transcript(
                    tid,
                    text,
                    turns=_paragraph_turns(tid, text),
                    attributes=attrs,
                    source=f"{path.name}#{s.guid}",
                    format="qdpx",
                    encoding=s.encoding,
                )
            ids_taken.add(tr.id)
            transcripts.append(tr)
            n = len(text)
            whole = [x for x in s.sels if x[0] is None]
            part = [x for x in s.sels if x[0] is not None]
            starts = s.st.to_stored([x[0] for x in part], chosen)
            ends = s.st.to_stored([x[1] for x in part], chosen)
            spans = list(zip(starts, ends, strict=True)) + [(0, n)] * len(whole)
            for (a, b), (_, _, sel, cd) in zip(spans, part + whole, strict=True):
                ref = child(cd, "CodeRef")
                cg = _norm_guid(ref.get("targetGUID")) if ref is not None else None
                if cg not in code_by_guid:
                    rep.add(
                        "coding",
                        s.name,
                        "dropped",
                        1,
                        f"refers to code {cg} that is not in the codebook",
                    )
                    continue
                if not (0 <= a < b <= n):
                    rep.add(
                        "coding",
                        s.name,
                        "dropped",
                        1,
                        "positions fall outside the text or the span is empty",
                    )
                    continue
                memo = note_texts(cd)
                if not memo and sel is not None and local(sel) == "PlainTextSelection":
                    memo = note_texts(sel)
                    desc = text_of(child(sel, "Description")).strip()
                    if desc and desc not in memo:
                        memo.append(desc)
                extra = sc_codings.get(_norm_guid(cd.get("guid")), {})
                created = (
                    _parse_dt(extra.get("created"))
                    or _parse_dt(cd.get("creationDateTime"))
                    or _parse_dt(
                        sel.get("creationDateTime") if sel is not None else None
                    )
                )
                rows.append(
                    {
                        "transcript_id": tr.id,
                        "start": a,
                        "end": b,
                        "code": code_by_guid[cg],
                        "coder": coder_of(cd, sel),
                        "origin": extra.get("origin", "manual"),
                        "memo": "\n\n".join(memo) if memo else None,
                        "created": created,
                        "codebook_version": extra.get("codebook_version"),
                    }
                )
        unused = [g for g in notes if g not in used_notes]
        if unused:
            rep.add(
                "note",
                "",
                "dropped",
                len(unused),
                "notes not attached to a code or coding "
                "(project, source or link memos)",
            )
        sets_el = child(root, "Sets")
        src_by_guid = {s.guid: i for i, s in enumerate(sources)}
        for st_el in children(sets_el, "Set") if sets_el is not None else []:
            members = [
                _norm_guid(m.get("targetGUID")) for m in children(st_el, "MemberSource")
            ]
            hit = [transcripts[src_by_guid[m]] for m in members if m in src_by_guid]
            set_name = st_el.get("name") or "set"
            if hit:
                key = f"set: {set_name}"
                for k, t in enumerate(transcripts):
                    if t in hit:
                        transcripts[k] = t.with_attributes({key: True})
                rep.add(
                    "set",
                    set_name,
                    "info",
                    len(hit),
                    f"document set kept as the attribute '{key}' = True",
                )
            other = len(children(st_el, "MemberCode")) + len(
                children(st_el, "MemberNote")
            )
            if other:
                rep.add(
                    "set",
                    set_name,
                    "dropped",
                    1,
                    f"code/note set with {other} members is not imported",
                )
        for kind in ("Links", "Graphs"):
            el = child(root, kind)
            if el is not None and len(el):
                rep.add(
                    kind[:-1].lower(),
                    "",
                    "dropped",
                    len(el),
                    f"REFI {kind} are not imported",
                )
        if text_of(child(root, "Description")).strip() or children(root, "NoteRef"):
            rep.add(
                "project description", proj_name, "dropped", 1, "project-level memo"
            )

        codings = pd.DataFrame(rows, columns=list(CODING_COLUMNS))
        if len(codings):
            key = ["transcript_id", "start", "end", "code", "coder"]
            dup = codings.duplicated(key, keep="first")
            if dup.any():
                rep.add(
                    "coding",
                    "",
                    "merged",
                    int(dup.sum()),
                    "identical span, code and coder given more than once (P9): "
                    "kept one",
                )
                codings = codings[~dup].reset_index(drop=True)
        # explicit unit: pandas 3 would infer us from the datetimes, pandas 2 gives ns
        codings["created"] = pd.to_datetime(codings["created"], utc=True).astype(
            "datetime64[ns, UTC]"
        )

        # codebooks from the sidecar (qualcode's own exports) when they cover the XML
        if sidecar and sidecar.get("codebooks"):
            try:
                books = [Codebook.from_dict(d) for d in sidecar["codebooks"]]
                sc_ids = {c.id for b in books for c in b}
                g2id = {
                    _norm_guid(g): cid
                    for g, cid in sidecar.get("code_guids", {}).items()
                }
                if set(code_by_guid) <= set(g2id) and set(g2id.values()) <= sc_ids:
                    remap = {code_by_guid[g]: g2id[g] for g in code_by_guid}
                    codings["code"] = codings["code"].map(remap)
                    codebooks = books
                    code_by_guid = {g: g2id[g] for g in code_by_guid}
                else:
                    rep.add(
                        "sidecar",
                        "codebooks",
                        "repaired",
                        detail="codebook changed since export: read from the XML",
                    )
            except (
                Exception
            ) as exc:  # a foreign or damaged sidecar never blocks the import
                rep.add("sidecar", "codebooks", "repaired", detail=f"ignored ({exc})")
    content = QdpxContent(
        name=proj_name,
        origin=origin,
        transcripts=transcripts,
        codebooks=codebooks,
        codings=codings,
        report=rep.frame(),
        offset_model=model_name(chosen),
        code_guids={cid: g for g, cid in code_by_guid.items()},
    )
    content._report = rep  # type: ignore[attr-defined]
    return content


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _transcript_from_sidecar(info: Mapping[str, Any], text: str) -> Any:
    from qualcode.model import Transcript, Turn

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
        turns=turns,
        attributes=info.get("attributes") or {},
        source=info.get("source"),
        format=info.get("format"),
        encoding=info.get("encoding"),
    )


def read_qdpx(
    path: str | Path,
    project_path: str | Path | None = None,
    *,
    offset_model: tuple[str, str] | str | None = None,
    validate: bool = False,
    return_report: bool = False,
    limits: Any = None,
) -> Any:
    """Import a REFI-QDA ``.qdpx`` project into a new :class:`qualcode.Project`.

    Parameters
    ----------
    path : path
        The ``.qdpx`` file (NVivo, ATLAS.ti, MAXQDA, QualCoder, qc, qualcode, ...).
    project_path : path, optional
        Where to create the project (``.qcproj``); a temporary file when None.
        An existing project there is added to, never overwritten.
    offset_model : (unit, base) or "auto", optional
        Force how positions are counted: unit ``"cp"``, ``"utf16"`` or ``"utf8"``;
        base ``"raw"`` (CRLF counts 2) or ``"lf"`` (CRLF counts 1). By default
        the producer's model is used (NVivo: UTF-16 units over the raw text;
        ATLAS.ti: code points with CRLF as 1; others: code points), checked on
        word boundaries; when another model aligns far better it is used with
        an ``ImportWarning_``.
    validate : bool
        Also validate ``project.qde`` against the 2019 schema and report
        problems (the import stays lenient).
    return_report : bool
        Return ``(project, report)`` instead of the project alone.
    limits : qualcode._safezip.ZipLimits, optional
        Archive limits (entry count, sizes, compression ratio).

    Returns
    -------
    Project or (Project, pandas.DataFrame)
        The report has one row per repair, merge or loss:
        ``kind, name, action, count, detail``. It is also stored as
        ``project.import_report`` when the project object allows it.

    Raises
    ------
    ImportFormatError
        Unsafe or unreadable archive or XML (the message names the entry).

    Warns
    -----
    DataLossWarning
        Something could not be carried over (pictures, PDFs, audio, links, ...).
    ImportWarning_
        A repair was made (offset model switched, colour repaired, ...).

    Notes
    -----
    Selections are deduplicated by span, code and coder (P9): NVivo writes one
    selection per coding, so its 303 selections give 303 codings (188 distinct
    spans); only truly identical codings are merged, and counted in the report.
    Stored text is the source's plain text without BOM and with ``\\n`` line ends;
    each paragraph becomes a turn (speakers filled from ``Label: `` paragraphs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> from qualcode.store import Project
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We divert people.", "P1", "participant")]
    ... )
    >>> with Project(folder / "a.qcproj") as p:
    ...     _ = p.add_transcripts([t])
    ...     _ = p.code_turn("int01", 0, "divert", "AB", memo="diversion")
    ...     out = write_qdpx(p, folder / "a.qdpx")
    >>> back = read_qdpx(out, folder / "b.qcproj")
    >>> back.codings()[["transcript_id", "code", "coder", "memo", "text"]]
      transcript_id    code coder       memo               text
    0         int01  divert    AB  diversion  We divert people.
    >>> back.close()
    """
    content = read_qdpx_content(
        path, offset_model=offset_model, validate=validate, limits=limits
    )
    project = _content_to_project(content, project_path)
    content._report.emit_warnings()  # type: ignore[attr-defined]
    try:
        project.import_report = content.report
    except AttributeError:
        pass
    if return_report:
        return project, content.report
    return project


def _content_to_project(content: QdpxContent, project_path: str | Path | None) -> Any:
    import tempfile

    from qualcode.store import Project

    if project_path is None:
        folder = Path(tempfile.mkdtemp(prefix="qualcode-qdpx-"))
        project_path = folder / f"{_slug(content.name)}.qcproj"
    project = Project(project_path)
    for cb in content.codebooks:
        project.set_codebook(cb)
    if content.transcripts:
        project.add_transcripts(content.transcripts)
    if len(content.codings):
        frame = content.codings.copy()
        frame["memo"] = frame["memo"].astype(object).where(frame["memo"].notna(), None)
        frame = frame.drop(columns=["codebook_version"])
        project.add_codings(frame)
    return project


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _current_codebooks(project: Any) -> list[Any]:
    """The project's current codebooks one by one (names, versions kept).

    Uses ``project.current_codebooks()`` when the store offers it, else reads the
    store's codebook table; falls back to the combined ``project.codebook``.
    """
    from qualcode.codebook import Codebook

    getter = getattr(project, "current_codebooks", None)
    if callable(getter):
        return list(getter())
    try:
        import yaml

        with project._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT content FROM codebooks WHERE current = 1 ORDER BY codebook_id"
            ).fetchall()
        return [Codebook.from_dict(yaml.safe_load(r[0])) for r in rows]
    except Exception:  # a store without that table: use the combined codebook
        combined = project.codebook
        return [combined] if combined is not None else []


def _project_content(project: Any) -> QdpxContent:
    """Collect what a Project holds into a :class:`QdpxContent`."""

    transcripts = list(project.iter_transcripts())
    books = _current_codebooks(project)
    codings = project.codings()
    name = Path(str(getattr(project, "path", "project"))).stem
    return QdpxContent(
        name=name,
        origin=None,
        transcripts=transcripts,
        codebooks=books,
        codings=codings,
    )


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


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def _plain(v: Any) -> Any:
    """numpy scalars to Python."""
    item = getattr(v, "item", None)
    if callable(item) and type(v).__module__ == "numpy":
        return item()
    return v


def _value_el(parent: Any, ns: str, vtype: str, value: Any) -> None:
    from lxml import etree

    tag = {
        "Text": "TextValue",
        "Boolean": "BooleanValue",
        "Integer": "IntegerValue",
        "Float": "FloatValue",
        "Date": "DateValue",
        "DateTime": "DateTimeValue",
    }[vtype]
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if vtype == "Boolean":
        el.text = "true" if value else "false"
    elif vtype == "Float":
        el.text = repr(float(value))
        if "e" in el.text or "E" in el.text or el.text in ("nan", "inf", "-inf"):
            from decimal import Decimal

            el.text = format(Decimal(repr(float(value))), "f")
    elif vtype == "DateTime":
        el.text = _utc(value)
    elif vtype == "Date":
        el.text = value.isoformat()
    else:
        el.text = str(value)


def _clean_xml_text(s: str) -> str:
    """Drop characters XML 1.0 cannot hold (control chars other than tab/LF/CR)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", s)


def write_qdpx_content(
    content: QdpxContent,
    path: str | Path,
    *,
    validate: bool = False,
    sidecar: bool = True,
) -> Path:
    """Write a :class:`QdpxContent` as a ``.qdpx`` file (see :func:`write_qdpx`)."""
    import zipfile

    import pandas as pd
    from lxml import etree

    from qualcode import __version__
    from qualcode.io._refi_xml import PROJECT_NS as NS
    from qualcode.io._refi_xml import schema_errors

    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise ExportError(
            Errors.QC714.format(
                caller="write_qdpx", path=path, detail="the file name must end in .qdpx"
            )
        )

    def E(
        parent: Any,
        tag: str,
        attrib: Mapping[str, Any] | None = None,
        text: str | None = None,
    ) -> Any:  # noqa: N802
        el = etree.SubElement(parent, f"{{{NS}}}{tag}")
        for k, v in (attrib or {}).items():
            if v is not None and v != "":
                el.set(k, _clean_xml_text(str(v)))
        if text is not None:
            el.text = _clean_xml_text(text)
        return el

    codings = (
        content.codings.copy()
        if content.codings is not None
        else pd.DataFrame(columns=list(CODING_COLUMNS))
    )
    for col in CODING_COLUMNS:
        if col not in codings:
            codings[col] = None
    codings = codings.sort_values(
        ["transcript_id", "start", "end", "code", "coder"], kind="stable"
    ).reset_index(drop=True)
    all_codes = [c for b in content.codebooks for c in b]
    code_ids = {c.id for c in all_codes}
    unknown = sorted(set(codings["code"].astype(str)) - code_ids)
    coders = sorted(set(codings["coder"].astype(str)))
    user_guid = {c: guid("user", c) for c in coders}
    created = (
        pd.to_datetime(codings["created"], utc=True)
        if len(codings)
        else pd.Series([], dtype="datetime64[ns, UTC]")
    )

    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    root.set("name", _clean_xml_text(content.name or "qualcode project"))
    root.set("origin", f"qualcode {__version__}")
    if len(created.dropna()):
        root.set("creationDateTime", _utc(created.min()))
        root.set("modifiedDateTime", _utc(created.max()))
    if coders:
        users = E(root, "Users")
        for c in coders:
            E(users, "User", {"guid": user_guid[c], "name": c})
    code_guid: dict[str, str] = {}
    if all_codes or unknown:
        from qualcode.io.qdc import codes_to_xml

        codes_el = E(E(root, "CodeBook"), "Codes")
        for book in content.codebooks:
            codes_to_xml(book, codes_el, ns=NS, guids=code_guid)
        for u in unknown:  # codings whose code no codebook defines still travel
            code_guid[u] = guid("code", u)
            E(codes_el, "Code", {"guid": code_guid[u], "name": u, "isCodable": "true"})

    # variables from participant attributes
    attr_names: list[str] = []
    for t in content.transcripts:
        for k in t.attributes:
            if k not in attr_names:
                attr_names.append(k)
    var_type = {}
    for k in attr_names:
        vals = [_plain(t.attributes.get(k)) for t in content.transcripts]
        var_type[k] = _typeof([v for v in vals if not _is_missing(v)])
    var_guid = {k: guid("variable", k) for k in attr_names}
    src_guid = {t.id: guid("source", t.id) for t in content.transcripts}

    def values(parent: Any, t: Any) -> None:
        for k in attr_names:
            v = _plain(t.attributes.get(k))
            if _is_missing(v):
                continue
            vv = E(parent, "VariableValue")
            E(vv, "VariableRef", {"targetGUID": var_guid[k]})
            _value_el(vv, NS, var_type[k], v)

    if attr_names:
        vars_el = E(root, "Variables")
        for k in attr_names:
            E(
                vars_el,
                "Variable",
                {"guid": var_guid[k], "name": k, "typeOfVariable": var_type[k]},
            )
        cases = E(root, "Cases")
        for t in content.transcripts:
            case = E(cases, "Case", {"guid": guid("case", t.id), "name": t.id})
            values(case, t)
            E(case, "SourceRef", {"targetGUID": src_guid[t.id]})

    notes: list[tuple[str, str, str, str | None]] = []  # guid, text, coder, created
    sidecar_codings: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if content.transcripts:
        sources = E(root, "Sources")
        by_tid = {tid: g for tid, g in codings.groupby("transcript_id", sort=False)}
        for t in content.transcripts:
            g = src_guid[t.id]
            files[f"sources/{g}.txt"] = t.text.encode("utf-8")
            ts = E(
                sources,
                "TextSource",
                {"guid": g, "name": t.id, "plainTextPath": f"internal://{g}.txt"},
            )
            rows = by_tid.get(t.id)
            for r in rows.itertuples(index=False) if rows is not None else []:
                start, end = int(r.start), int(r.end)
                if not (0 <= start < end <= len(t.text)):
                    raise ExportError(
                        Errors.QC714.format(
                            caller="write_qdpx",
                            path=path,
                            detail=f"coding [{start}, {end}) with code '{r.code}' "
                            "does not fit "
                            f"transcript '{t.id}' (length {len(t.text)})",
                        )
                    )
                cg = guid("coding", t.id, start, end, r.code, r.coder)
                when = _utc(r.created)
                memo = None if _is_missing(r.memo) else str(r.memo)
                sel = E(
                    ts,
                    "PlainTextSelection",
                    {
                        "guid": guid("selection", t.id, start, end, r.code, r.coder),
                        "startPosition": start,
                        "endPosition": end,
                        "creatingUser": user_guid[str(r.coder)],
                        "creationDateTime": when,
                    },
                )
                if memo:
                    E(sel, "Description", text=memo)
                cd = E(
                    sel,
                    "Coding",
                    {
                        "guid": cg,
                        "creatingUser": user_guid[str(r.coder)],
                        "creationDateTime": when,
                    },
                )
                E(cd, "CodeRef", {"targetGUID": code_guid[str(r.code)]})
                if memo:
                    ng = guid("note", cg)
                    E(cd, "NoteRef", {"targetGUID": ng})
                    notes.append((ng, memo, str(r.coder), when))
                extra = {}
                if not _is_missing(r.origin) and str(r.origin) != "manual":
                    extra["origin"] = str(r.origin)
                if not _is_missing(r.created) and _utc(r.created) != _iso_full(
                    r.created
                ):
                    extra["created"] = _iso_full(r.created)  # sub-second precision
                if not _is_missing(r.codebook_version):
                    extra["codebook_version"] = str(r.codebook_version)
                if extra:
                    sidecar_codings[cg] = extra
            values(ts, t)
    if notes:
        notes_el = E(root, "Notes")
        for ng, text, coder, when in notes:
            n = E(
                notes_el,
                "Note",
                {
                    "guid": ng,
                    "name": "Coding memo",
                    "creatingUser": user_guid[coder],
                    "creationDateTime": when,
                },
            )
            E(n, "PlainTextContent", text=text)

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
    side = {
        "format": "qualcode-qdpx-extension",
        "version": 1,
        "note": "Extra data for a lossless qualcode round trip; "
        "REFI tools may ignore it.",
        "transcripts": {
            src_guid[t.id]: _transcript_info(t) for t in content.transcripts
        },
        "codebooks": [b.to_dict() for b in content.codebooks],
        "code_guids": {g: cid for cid, g in code_guid.items()},
        "codings": sidecar_codings,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    fixed = (1980, 1, 1, 0, 0, 0)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:

            def put_entry(name: str, data: bytes) -> None:
                info = zipfile.ZipInfo(name, date_time=fixed)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, data)

            put_entry("project.qde", qde)
            for name in sorted(files):
                put_entry(name, files[name])
            if sidecar:
                put_entry(
                    SIDECAR,
                    json.dumps(
                        side, ensure_ascii=False, indent=1, default=_json_default
                    ).encode("utf-8"),
                )
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(
            Errors.QC714.format(caller="write_qdpx", path=path, detail=exc)
        ) from exc
    return path


def _iso_full(value: Any) -> str | None:
    import pandas as pd

    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return (
        ts.isoformat().replace("+00:00", "Z")
        if ts.microsecond or ts.nanosecond
        else _utc(ts)
    )


def _json_default(v: Any) -> Any:
    v = _plain(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if _is_missing(v):
        return None
    return str(v)


def _transcript_info(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "sha256": t.sha256,
        "turns": [
            [u.index, u.speaker, u.role, u.start, u.end, u.time_start, u.time_end]
            for u in t.turns
        ],
        "attributes": {
            k: (None if _is_missing(_plain(v)) else _plain(v))
            for k, v in t.attributes.items()
        },
        "source": t.source,
        "format": t.format,
        "encoding": t.encoding,
    }


def write_qdpx(
    project: Any, path: str | Path, *, validate: bool = False, sidecar: bool = True
) -> Path:
    """Export a project as a REFI-QDA ``.qdpx`` file for other QDA tools.

    Parameters
    ----------
    project : Project
        The project (transcripts, codebooks, codings, coders, memos, attributes).
    path : path
        The ``.qdpx`` file to write (replaced atomically).
    validate : bool
        Validate ``project.qde`` against the vendored 2019 Project schema
        before writing; raise :class:`~qualcode.errors.ExportError` if invalid.
    sidecar : bool
        Add ``qualcode.json`` (turns, codebook details, coding origins) for a
        lossless qualcode round trip. Other tools ignore it.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Text files are UTF-8 without BOM with ``\\n`` line ends, exactly the stored
    text, so positions are code points over the file (spec §10.2), half-open.
    GUIDs are ``uuid5`` of stable keys (code id, coder name, transcript id, coding
    key): exporting the same project twice gives byte-identical files.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> from qualcode.model import Transcript, TurnDraft
    >>> from qualcode.store import Project
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We divert people.", "P1", "participant")]
    ... )
    >>> with Project(folder / "a.qcproj") as p:
    ...     _ = p.add_transcripts([t])
    ...     _ = p.code_turn("int01", 0, "divert", "AB")
    ...     out = write_qdpx(p, folder / "a.qdpx", validate=True)
    >>> sorted(n.split("/")[0] for n in zipfile.ZipFile(out).namelist())
    ['project.qde', 'qualcode.json', 'sources']
    """
    return write_qdpx_content(
        _project_content(project), path, validate=validate, sidecar=sidecar
    )
