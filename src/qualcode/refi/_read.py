"""Reading a ``.qdpx`` into a :class:`~qualcode.refi._common.QdpxContent`.

One method per section of ``project.qde`` (users, notes, codebook, variables and
cases, sources and selections, the offset model, codings, sets and the rest) and
one for the ``qualcode.json`` sidecar. Everything that cannot be mapped is written
to the import report, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from qualcode._safezip import SafeZip
from qualcode.codebook import Codebook
from qualcode.errors import Errors, ImportFormatError
from qualcode.model import Transcript
from qualcode.refi._common import (
    CODING_COLUMNS,
    GUID_RE,
    SIDECAR,
    QdpxContent,
    Report,
    norm_guid,
    parse_dt,
    sha256,
)
from qualcode.refi._offsets import (
    MODELS,
    SourceText,
    default_model,
    model_name,
    score_alignment,
)
from qualcode.refi._sidecar import check_sidecar, transcript_from_sidecar
from qualcode.refi._turns import (
    MAX_TURNS,
    MIN_CHARS_PER_TURN,
    one_turn,
    paragraph_turns,
)
from qualcode.refi._xml import (
    child,
    children,
    local,
    normalise_namespace,
    parse_xml,
    schema_errors,
    text_of,
)
from qualcode.refi.qdc import codes_from_xml

__all__ = ["read_content"]

Model = tuple[str, str]


def _find_qde(zf: Any) -> str:
    qdes = [n for n in zf.names if "/" not in n and n.lower().endswith(".qde")]
    if len(qdes) == 1:
        return str(qdes[0])
    if not qdes:
        deeper = [n for n in zf.names if n.lower().endswith(".qde")]
        if len(deeper) == 1:
            return str(deeper[0])
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


def _resolve(zf: Any, ref: str) -> str | None:
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
            return str(hit)
    return None


_STRAY = re.compile("[\udc80-\udcff]")


def _decode(data: bytes) -> tuple[str, str, int]:
    """Text, encoding and the number of stray bytes repaired.

    The rule of :mod:`qualcode.io._decode`, except that line ends are kept as
    they are: REFI positions count the file's own CR and LF. A BOM decides; else
    UTF-8; a mostly-UTF-8 file (at least one valid multi-byte character per ten
    invalid bytes: a character pasted from Word) stays UTF-8 and only its invalid
    bytes are read as Windows-1252; else Windows-1252.
    """
    utf8 = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, utf8 = data[3:], "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16", 0
    try:
        return data.decode("utf-8"), utf8, 0
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY.findall(text))
    multibyte = sum(1 for ch in text if ch > "\x7f") - stray
    if multibyte * 10 < stray:
        return data.decode("cp1252", errors="replace"), "cp1252", 0
    fixed = _STRAY.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"),
        text,
    )
    return fixed, utf8, stray


def _typed(vv: Any) -> tuple[str | None, Any]:
    """The target variable GUID and typed value of a ``<VariableValue>``."""
    ref = child(vv, "VariableRef")
    target = norm_guid(ref.get("targetGUID")) if ref is not None else None
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


def check_offset_model(path: Path, offset_model: Any) -> Model | None:
    """The forced offset model, None for automatic; QC713 for a bad value."""
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
        return None
    if offset_model is None:
        return None
    try:
        model = tuple(offset_model)
    except TypeError:
        model = ()
    if model not in MODELS:
        raise ImportFormatError(
            Errors.QC713.format(
                path=path,
                detail=f"unknown offset model {offset_model!r}; "
                f"use one of {list(MODELS)}",
            ),
            path=path,
        )
    return (str(model[0]), str(model[1]))


@dataclass
class _Source:
    guid: str | None
    name: str
    st: SourceText
    encoding: str
    # raw start, raw end (None: the whole source), selection element, coding element
    sels: list[tuple[int | None, int | None, Any, Any]]


class QdpxReader:
    """Reads one archive section by section; the state lives on the instance."""

    def __init__(self, zf: Any, path: Path, rep: Report) -> None:
        self.zf = zf
        self.path = path
        self.rep = rep
        self.root: Any = None
        self.origin: str | None = None
        self.name = path.stem
        self.sidecar: dict[str, Any] | None = None
        self.users: dict[str | None, str] = {}
        self.default_user: str | None = None
        self.notes: dict[str | None, str] = {}
        self.used_notes: set[str | None] = set()
        self.codes: list[Any] = []
        self.code_by_guid: dict[str, str] = {}
        self.codebooks: list[Codebook] = []
        self.source_attrs: dict[str | None, dict[str, Any]] = defaultdict(dict)
        self.sources: list[_Source] = []

    # -- the project file ------------------------------------------------------
    def read_root(self, *, validate: bool) -> None:
        """Find and parse ``project.qde``; check its root; optionally validate."""
        qde = _find_qde(self.zf)
        root = parse_xml(self.zf.read(qde), path=self.path, entry=qde)
        if local(root) != "Project":
            hint = (
                " (a codebook: load it with Codebook.load)"
                if local(root) == "CodeBook"
                else ""
            )
            raise ImportFormatError(
                Errors.QC713.format(
                    path=self.path,
                    detail=f"{qde} has root <{local(root)}>, not <Project>{hint}.",
                ),
                path=self.path,
            )
        if validate:
            normal, old_ns = normalise_namespace(root)
            if old_ns:
                self.rep.add(
                    "namespace", old_ns, "repaired", detail=f"read {old_ns} as 1.0"
                )
            errs = schema_errors(normal)
            if errs:
                self.rep.add(
                    "schema",
                    qde,
                    "repaired",
                    len(errs),
                    "not valid against Project-mrt2019.xsd; read leniently: " + errs[0],
                )
        if qde != "project.qde":
            self.rep.add(
                "container", qde, "info", detail="project file not named project.qde"
            )
        self.root = root
        self.origin = root.get("origin")
        self.name = root.get("name") or self.path.stem

    def read_sidecar(self) -> None:
        """Load ``qualcode.json`` when the archive was written by qualcode."""
        if SIDECAR not in self.zf.names:
            return
        if not (self.origin or "").lower().startswith("qualcode"):
            return
        problem: str | None
        try:
            data = json.loads(self.zf.read(SIDECAR).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            problem = f"not valid JSON ({type(exc).__name__})"
        else:
            problem = check_sidecar(data)
        if problem is None:
            self.sidecar = data
            return
        self.rep.add(
            "sidecar",
            SIDECAR,
            "repaired",
            detail=f"ignored ({problem}); turns, codebooks and coding details "
            "were read from the REFI content",
        )

    # -- users and notes -------------------------------------------------------
    def read_users(self) -> None:
        """``<Users>``: GUID -> coder name (repeated names numbered)."""
        taken: Counter[str] = Counter()
        users_el = child(self.root, "Users")
        for u in children(users_el, "User") if users_el is not None else []:
            g = norm_guid(u.get("guid"))
            nm = (u.get("name") or u.get("id") or (g or "user")[:8]).strip()
            taken[nm] += 1
            self.users[g] = nm if taken[nm] == 1 else f"{nm} ({taken[nm]})"
        for g, nm in (self.sidecar or {}).get("users", {}).items():
            if norm_guid(g) in self.users:  # names XML could not hold exactly
                self.users[norm_guid(g)] = nm
        self.default_user = self.users.get(
            norm_guid(self.root.get("creatingUserGUID")) or ""
        )

    def coder_of(self, el: Any, fallback: Any = None) -> str:
        """The coder of an element: its ``creatingUser``, else the fallback's."""
        g = norm_guid(el.get("creatingUser"))
        if g in self.users:
            return self.users[g]
        if fallback is not None:
            return self.coder_of(fallback)
        return self.default_user or "unknown"

    def read_notes(self) -> None:
        """``<Notes>``: GUID -> text (inline, from a text file, or the description)."""
        notes_el = child(self.root, "Notes")
        for n in children(notes_el, "Note") if notes_el is not None else []:
            body = text_of(child(n, "PlainTextContent"))
            ptp = n.get("plainTextPath")
            if not body and ptp:
                entry = _resolve(self.zf, ptp)
                if entry:
                    body = (
                        _decode(self.zf.read(entry))[0]
                        .replace("\r\n", "\n")
                        .replace("\r", "\n")
                    )
            if not body:
                body = text_of(child(n, "Description"))
            self.notes[norm_guid(n.get("guid"))] = body.strip()

    def note_texts(self, el: Any) -> list[str]:
        """The texts of the notes an element refers to (marking them used)."""
        out = []
        for ref in children(el, "NoteRef"):
            g = norm_guid(ref.get("targetGUID"))
            if g in self.notes:
                self.used_notes.add(g)
                if self.notes[g]:
                    out.append(self.notes[g])
        return out

    # -- codebook --------------------------------------------------------------
    def read_codebook(self) -> None:
        """``<CodeBook>``: codes with ids, rules, colours, GUIDs and memos."""
        cb_el = child(self.root, "CodeBook")
        codes_el = child(cb_el, "Codes") if cb_el is not None else None
        codes: list[Any] = []
        if codes_el is not None and len(codes_el):
            repairs: list[str] = []
            codes, by_guid = codes_from_xml(codes_el, repairs=repairs)
            self.code_by_guid = dict(by_guid)
            for r in repairs:
                self.rep.add("code", "", "repaired", detail=r)
            memos: dict[str, list[str]] = {}
            for el in codes_el.iter():
                if local(el) == "Code" and children(el, "NoteRef"):
                    cid = self.code_by_guid.get(norm_guid(el.get("guid")) or "")
                    if cid:
                        memos[cid] = self.note_texts(el)
            codes = [
                replace(c, note="\n\n".join(x for x in [c.note, *memos[c.id]] if x))
                if memos.get(c.id)
                else c
                for c in codes
            ]
        not_codable = [c.id for c in codes if c.flags.get("codable") is False]
        if not_codable:
            self.rep.add(
                "code",
                ", ".join(not_codable[:5]),
                "info",
                len(not_codable),
                "not codable in the source (categories): imported as parent codes",
            )
        self.codes = codes
        if codes:
            self.codebooks = [
                Codebook(
                    codes,
                    name=self.name,
                    version="1",
                    description=f"Imported from {self.path.name} "
                    f"({self.origin or 'unknown tool'})",
                )
            ]

    # -- variables and cases ---------------------------------------------------
    def read_cases(self) -> None:
        """``<Variables>`` and ``<Cases>``: attribute values per source GUID."""
        var_names: dict[str | None, str] = {}
        vars_el = child(self.root, "Variables")
        for v in children(vars_el, "Variable") if vars_el is not None else []:
            var_names[norm_guid(v.get("guid"))] = v.get("name") or "variable"
        cases_el = child(self.root, "Cases")
        for case in children(cases_el, "Case") if cases_el is not None else []:
            vals = {}
            for vv in children(case, "VariableValue"):
                target, value = _typed(vv)
                if target in var_names and value is not None:
                    vals[var_names[target]] = value
            refs = [norm_guid(r.get("targetGUID")) for r in children(case, "SourceRef")]
            if not refs and vals:
                self.rep.add(
                    "case",
                    case.get("name") or case.get("guid"),
                    "dropped",
                    1,
                    "case not linked to a source: its variable values have no "
                    "transcript",
                )
            for r in refs:
                for k, v in vals.items():
                    self.source_attrs[r].setdefault(k, v)
            if children(case, "CodeRef") or children(case, "SelectionRef"):
                self.rep.add(
                    "case",
                    case.get("name") or case.get("guid"),
                    "dropped",
                    1,
                    "case-level code or selection references are not imported",
                )

    # -- sources and selections ------------------------------------------------
    def _text_nodes(self) -> list[tuple[Any, str]]:
        """Text-bearing sources (and PDF text representations); report the rest."""
        text_nodes: list[tuple[Any, str]] = []
        sources_el = child(self.root, "Sources")
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
                    self.rep.add(
                        "PDF selection",
                        nm,
                        "dropped",
                        n_pdf,
                        "area selections on the PDF page cannot be mapped; its text "
                        "representation was imported",
                    )
                continue
            n_sel = sum(1 for e in src.iter() if local(e).endswith("Selection"))
            self.rep.add(
                kind,
                nm,
                "dropped",
                1,
                f"{kind} is not text; {n_sel} selections on it not imported",
            )
        return text_nodes

    def _source_text(self, src: Any, nm: str) -> tuple[str | None, str]:
        """The raw text of a source (inline or from its file) and its encoding."""
        content = child(src, "PlainTextContent")
        if content is not None and text_of(content):
            return text_of(content), "utf-8"
        ptp = src.get("plainTextPath")
        if not ptp:
            return None, "utf-8"
        entry = _resolve(self.zf, ptp)
        if entry is None:
            return None, "utf-8"
        raw, enc, stray = _decode(self.zf.read(entry))
        if stray:
            self.rep.add(
                "source",
                nm,
                "repaired",
                stray,
                f"{stray} byte(s) of {entry} not valid UTF-8 were read as "
                "Windows-1252; the rest of the file is UTF-8",
            )
        if entry.split("/")[0] not in ("sources",):
            self.rep.add("source path", nm, "info", detail=f"{ptp} read from {entry}")
        return raw, enc

    def _selections(
        self, src: Any, nm: str
    ) -> list[tuple[int | None, int | None, Any, Any]]:
        sels: list[tuple[int | None, int | None, Any, Any]] = []
        for sel in children(src, "PlainTextSelection"):
            try:
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                self.rep.add(
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
                self.rep.add(
                    "selection", nm, "dropped", 1, "selection without a coding" + extra
                )
                continue
            for cd in cds:
                sels.append((s, e, sel, cd))
        for cd in children(src, "Coding"):
            sels.append((None, None, src, cd))
        return sels

    def read_sources(self) -> None:
        """``<Sources>``: texts with their selections and codings."""
        for src, nm in self._text_nodes():
            g = norm_guid(src.get("guid"))
            if nm == src.get("guid"):  # unnamed: the text file's stem unless a GUID
                stem = PurePosixPath(
                    (src.get("plainTextPath") or "").replace("\\", "/")
                ).stem
                nm = (
                    stem
                    if stem and not GUID_RE.match(stem)
                    else (src.get("guid") or "source")
                )
            raw, enc = self._source_text(src, nm)
            if raw is None:
                n_sel = len(children(src, "PlainTextSelection"))
                self.rep.add(
                    "source",
                    nm,
                    "dropped",
                    1,
                    f"no plain text found for {src.get('plainTextPath') or 'it'} "
                    f"in the archive; {n_sel} selections not imported",
                )
                continue
            if src.get("richTextPath"):
                self.rep.add(
                    "rich text",
                    nm,
                    "info",
                    1,
                    "the formatted original (richTextPath) is not imported; "
                    "the plain text is",
                )
            if raw.startswith("\ufeff"):
                raw = raw[1:]
            sels = self._selections(src, nm)
            self.sources.append(_Source(g, nm, SourceText(raw), enc, sels))
            if self.note_texts(src):
                self.rep.add(
                    "source note",
                    nm,
                    "dropped",
                    1,
                    "memos on a whole source are not imported",
                )

    # -- offset model ----------------------------------------------------------
    def _score(self, model: Model) -> int:
        total = 0
        for s in self.sources:
            spans = sorted({(a, b) for a, b, _, _ in s.sels if a is not None})
            if not spans:
                continue
            st = s.st.to_stored([a for a, _ in spans], model)
            en = s.st.to_stored([b for _, b in spans], model)  # type: ignore[misc]
            total += score_alignment(s.st.stored, list(zip(st, en, strict=True)))
        return total

    def choose_offset_model(self, forced: Model | None) -> Model:
        """The producer's model, or another that aligns far better on words."""
        default = default_model(self.origin)
        chosen = forced or default
        n_spans = sum(
            len({(a, b) for a, b, _, _ in s.sels if a is not None})
            for s in self.sources
        )
        if not n_spans or forced:
            return chosen
        scores = {m: self._score(m) for m in MODELS}
        best = max(MODELS, key=lambda m: (scores[m], m == default))
        if scores[chosen] < 0.9 * n_spans and scores[best] - scores[chosen] >= max(
            3, 0.2 * n_spans
        ):
            self.rep.add(
                "offset model",
                model_name(best),
                "switched",
                0,
                f"positions read as {model_name(best)} "
                f"({scores[best]}/{n_spans} spans "
                f"on word boundaries) instead of the usual "
                f"{model_name(chosen)} for "
                f"'{self.origin}' ({scores[chosen]}/{n_spans})",
            )
            chosen = best
        self.rep.add(
            "offset model",
            model_name(chosen),
            "info",
            0,
            f"{scores[chosen]}/{n_spans} distinct spans on word boundaries",
        )
        return chosen

    # -- transcripts and codings -----------------------------------------------
    def _transcript(self, s: _Source, ids_taken: set[str]) -> Transcript:
        text = s.st.stored
        sc_tr = (self.sidecar or {}).get("transcripts", {})
        info = sc_tr.get(s.guid)
        if info and info.get("sha256") == sha256(text):
            try:
                return transcript_from_sidecar(info, text)
            except (ValueError, KeyError, TypeError) as exc:
                self.rep.add(
                    "sidecar",
                    SIDECAR,
                    "repaired",
                    detail=f"its entry for source '{s.name}' was ignored ({exc}); "
                    "turns and attributes were read from the REFI content",
                )
        tid = s.name.strip()
        base, k = tid, 2
        while tid in ids_taken:
            tid, k = f"{base} ({k})", k + 1
        turns = paragraph_turns(tid, text)
        if turns is None:
            turns = one_turn(text)
            self.rep.add(
                "turns",
                s.name,
                "repaired",
                detail=f"more than {max(MAX_TURNS, len(text) // MIN_CHARS_PER_TURN)} "
                f"paragraphs averaging under {MIN_CHARS_PER_TURN} characters: "
                "kept as one turn without speakers",
            )
        return Transcript(
            tid,
            text,
            turns=tuple(turns),
            attributes={**self.source_attrs.get(s.guid, {})},
            source=f"{self.path.name}#{s.guid}",
            format="qdpx",
            encoding=s.encoding,
        )

    def _coding_row(
        self, s: _Source, tr: Transcript, span: tuple[int, int], sel: Any, cd: Any
    ) -> dict[str, Any] | None:
        a, b = span
        ref = child(cd, "CodeRef")
        cg = norm_guid(ref.get("targetGUID")) if ref is not None else None
        if cg is None or cg not in self.code_by_guid:
            self.rep.add(
                "coding",
                s.name,
                "dropped",
                1,
                f"refers to code {cg} that is not in the codebook",
            )
            return None
        if not (0 <= a < b <= len(tr.text)):
            self.rep.add(
                "coding",
                s.name,
                "dropped",
                1,
                "positions fall outside the text or the span is empty",
            )
            return None
        memo = self.note_texts(cd)
        if not memo and sel is not None and local(sel) == "PlainTextSelection":
            memo = self.note_texts(sel)
            desc = text_of(child(sel, "Description")).strip()
            if desc and desc not in memo:
                memo.append(desc)
        extra = (self.sidecar or {}).get("codings", {}).get(norm_guid(cd.get("guid")))
        extra = extra or {}
        created = (
            parse_dt(extra.get("created"))
            or parse_dt(cd.get("creationDateTime"))
            or parse_dt(sel.get("creationDateTime") if sel is not None else None)
        )
        return {
            "transcript_id": tr.id,
            "start": a,
            "end": b,
            "code": self.code_by_guid[cg],
            "coder": self.coder_of(cd, sel),
            "origin": extra.get("origin", "manual"),
            "memo": extra.get("memo") or ("\n\n".join(memo) if memo else None),
            "created": created,
            "codebook_version": extra.get("codebook_version"),
        }

    def read_codings(
        self, model: Model
    ) -> tuple[list[Transcript], list[dict[str, Any]]]:
        """One transcript per source; its selections mapped onto the stored text."""
        transcripts: list[Transcript] = []
        rows: list[dict[str, Any]] = []
        ids_taken: set[str] = set()
        for s in self.sources:
            tr = self._transcript(s, ids_taken)
            ids_taken.add(tr.id)
            transcripts.append(tr)
            n = len(tr.text)
            whole = [x for x in s.sels if x[0] is None]
            part = [x for x in s.sels if x[0] is not None]
            starts = s.st.to_stored([x[0] for x in part], model)  # type: ignore[misc]
            ends = s.st.to_stored([x[1] for x in part], model)  # type: ignore[misc]
            spans = list(zip(starts, ends, strict=True)) + [(0, n)] * len(whole)
            for span, (_, _, sel, cd) in zip(spans, part + whole, strict=True):
                row = self._coding_row(s, tr, span, sel, cd)
                if row is not None:
                    rows.append(row)
        return transcripts, rows

    # -- the rest --------------------------------------------------------------
    def apply_sets(self, transcripts: list[Transcript]) -> list[Transcript]:
        """Document sets become attributes ``set: <name>`` = True; others reported."""
        sets_el = child(self.root, "Sets")
        src_by_guid = {s.guid: i for i, s in enumerate(self.sources)}
        for st_el in children(sets_el, "Set") if sets_el is not None else []:
            members = [
                norm_guid(m.get("targetGUID")) for m in children(st_el, "MemberSource")
            ]
            hit = {src_by_guid[m] for m in members if m in src_by_guid}
            set_name = st_el.get("name") or "set"
            if hit:
                key = f"set: {set_name}"
                for k in sorted(hit):
                    transcripts[k] = transcripts[k].with_attributes({key: True})
                self.rep.add(
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
                self.rep.add(
                    "set",
                    set_name,
                    "dropped",
                    1,
                    f"code/note set with {other} members is not imported",
                )
        return transcripts

    def report_unused_notes(self) -> None:
        """Notes no code or coding refers to: reported as lost."""
        unused = [g for g in self.notes if g not in self.used_notes]
        if unused:
            self.rep.add(
                "note",
                "",
                "dropped",
                len(unused),
                "notes not attached to a code or coding "
                "(project, source or link memos)",
            )

    def report_leftovers(self) -> None:
        """Links, graphs and the project memo: reported as lost."""
        for kind in ("Links", "Graphs"):
            el = child(self.root, kind)
            if el is not None and len(el):
                self.rep.add(
                    kind[:-1].lower(),
                    "",
                    "dropped",
                    len(el),
                    f"REFI {kind} are not imported",
                )
        if text_of(child(self.root, "Description")).strip() or children(
            self.root, "NoteRef"
        ):
            self.rep.add(
                "project description", self.name, "dropped", 1, "project-level memo"
            )

    def codings_frame(self, rows: list[dict[str, Any]]) -> Any:
        """The codings as a frame; identical (span, code, coder) merged (P9)."""
        import pandas as pd

        codings = pd.DataFrame(rows, columns=list(CODING_COLUMNS))
        if len(codings):
            key = ["transcript_id", "start", "end", "code", "coder"]
            dup = codings.duplicated(key, keep="first")
            if dup.any():
                self.rep.add(
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
        return codings

    def apply_sidecar_codebooks(self, codings: Any) -> Any:
        """The sidecar's codebooks (qualcode exports) when they cover the XML."""
        if not (self.sidecar and self.sidecar.get("codebooks")):
            return codings
        try:
            books = [Codebook.from_dict(d) for d in self.sidecar["codebooks"]]
            sc_ids = {c.id for b in books for c in b}
            g2id = {
                norm_guid(g): cid
                for g, cid in self.sidecar.get("code_guids", {}).items()
            }
            if set(self.code_by_guid) <= set(g2id) and set(g2id.values()) <= sc_ids:
                remap = {self.code_by_guid[g]: g2id[g] for g in self.code_by_guid}
                codings["code"] = codings["code"].map(remap)
                self.codebooks = books
                self.code_by_guid = {g: g2id[g] for g in self.code_by_guid}
            else:
                self.rep.add(
                    "sidecar",
                    "codebooks",
                    "repaired",
                    detail="codebook changed since export: read from the XML",
                )
        except Exception as exc:  # a foreign or damaged sidecar never blocks the import
            self.rep.add("sidecar", "codebooks", "repaired", detail=f"ignored ({exc})")
        return codings


def read_content(
    path: Path, *, offset_model: Any, validate: bool, limits: Any
) -> QdpxContent:
    """Parse an archive, pick the offset model and map positions (no store)."""
    forced = check_offset_model(path, offset_model)
    rep = Report(path)
    with SafeZip(path, limits=limits) as zf:
        zf.check_archive_ratio()
        r = QdpxReader(zf, path, rep)
        r.read_root(validate=validate)
        r.read_sidecar()
        r.read_users()
        r.read_notes()
        r.read_codebook()
        r.read_cases()
        r.read_sources()
        chosen = r.choose_offset_model(forced)
        transcripts, rows = r.read_codings(chosen)
        r.report_unused_notes()
        transcripts = r.apply_sets(transcripts)
        r.report_leftovers()
        codings = r.apply_sidecar_codebooks(r.codings_frame(rows))
    content = QdpxContent(
        name=r.name,
        origin=r.origin,
        transcripts=transcripts,
        codebooks=r.codebooks,
        codings=codings,
        report=rep.frame(),
        offset_model=model_name(chosen),
        code_guids={cid: g for g, cid in r.code_by_guid.items()},
    )
    content._report = rep  # type: ignore[attr-defined]
    return content
