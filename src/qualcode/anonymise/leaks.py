"""The leak check: scan exports, project files and projects for originals.

:func:`check_leaks` reads ``.xlsx``, ``.docx``, ``.html``, ``.csv``, ``.md``,
``.txt``, ``.qdpx``, PDF and SQLite project files (every text value of every
table, and the raw bytes with the WAL) and reports every hit of a key original or
a detector. It is a scanner: it may open a project file read-only with sqlite3.
"""

from __future__ import annotations

import bisect
import html
import io
import re
import sqlite3
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from qualcode._inputs import is_project, is_url
from qualcode._safezip import SafeZip, ZipLimits
from qualcode._validation import invalid
from qualcode.anonymise._loose import LooseHit, LooseMatcher
from qualcode.anonymise._matching import _Hit, _Matcher
from qualcode.anonymise.entities import DEFAULT_DETECTORS, _as_detectors
from qualcode.anonymise.key import _as_key
from qualcode.errors import Errors, ImportFormatError, InvalidInputError, StoreError
from qualcode.io import SUFFIXES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["check_leaks"]

# --------------------------------------------------------------------------
# leak check
# --------------------------------------------------------------------------
_INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "wbr",
}
#: Text files read as text: tables, markup, and every suffix a text-based
#: transcript can have (from :data:`qualcode.io.SUFFIXES`: ``.webvtt``, ``.text``).
#: Elements whose content is markup (styles, scripts), not text a reader sees:
#: scanned as source for key originals only.
_NOT_TEXT = {"style", "script", "template"}
_TEXT_SUFFIXES = {
    *(s for s, fmt in SUFFIXES.items() if fmt in ("txt", "vtt", "srt")),
    ".csv",
    ".md",
    ".txt",
    ".tsv",
    ".json",
    ".yaml",
    ".yml",
    ".xml",
    ".qde",
    ".srt",
    ".vtt",
    ".qdc",
    ".markdown",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WORD_HEAD = re.compile(r"\w*\W?")  # a partial word at a window's start
_WORD_TAIL = re.compile(r"\W?\w*\Z")  # ... and at its end
_RAW_CHUNK = 8 * 1024 * 1024


class _Scanner:
    """Runs the matchers over one string at a time and collects report rows.

    Text layers get the exact matcher (key and detectors) and, unless it is
    off, the loose one (a key entry's letters inside tokens); raw layers (file
    bytes, markup, attribute values) get the key's exact matcher only.
    """

    def __init__(
        self,
        matcher: _Matcher,
        raw_matcher: _Matcher,
        context: int,
        loose: LooseMatcher | None = None,
    ) -> None:
        self.m = matcher
        self.raw = raw_matcher
        self.loose = loose
        self.context = context
        self.rows: list[dict[str, Any]] = []

    def scan(
        self,
        text: str,
        path: Any,
        location: str | Callable[[int], str],
        layer: str = "text",
        *,
        raw: bool = False,
        keep: Callable[[_Hit], bool] | None = None,
    ) -> None:
        if not text:
            return
        rawish = raw or layer == "raw"
        hits = (self.raw if rawish else self.m).hits(text)
        if self.loose is not None and not rawish:
            hits = _with_loose(hits, self.loose.hits(text))
        starts = [h.start for h in hits]
        ends = [h.end for h in hits]
        for h in hits:
            if keep is not None and not keep(h):
                continue
            where = location(h.start) if callable(location) else location
            if h.entry is not None:
                original, pseudonym = h.entry.original, h.entry.pseudonym
            else:
                found = text[h.start : h.end]
                original = found[:2] + "*" * max(len(found) - 2, 1)
                pseudonym = h.replacement
            self.rows.append(
                {
                    "path": str(path),
                    "location": where,
                    "layer": layer,
                    "kind": h.kind,
                    "source": h.source,
                    "original": original,
                    "pseudonym": pseudonym,
                    "context": (
                        self._context(text, h, hits, starts, ends)
                        if self.context
                        else None
                    ),
                }
            )

    def _context(
        self,
        text: str,
        hit: _Hit,
        hits: list[_Hit],
        starts: list[int],
        ends: list[int],
    ) -> str:
        """The window around ``hit`` with every hit in it masked.

        ``hits`` do not overlap and are in order, so the hits inside the window
        are found by bisection: linear in the number of hits overall.
        """
        n = len(text)
        a = max(0, hit.start - self.context)
        b = min(n, hit.end + self.context)
        # never a partial word at a window edge (the hit itself always shows)
        if a > 0:
            a = min(_WORD_HEAD.match(text, a).end(), hit.start)  # type: ignore[union-attr]
        if b < n:
            b = max(_WORD_TAIL.search(text, a, b).start(), hit.end)  # type: ignore[union-attr]
        # an edge inside another hit shows that hit's whole mask
        lo = bisect.bisect_right(ends, a)  # first hit ending after a
        if lo < len(hits) and starts[lo] < a:
            a = starts[lo]
        hi = bisect.bisect_left(starts, b)  # first hit starting at or after b
        if hi > 0 and ends[hi - 1] > b:
            b = ends[hi - 1]
        parts, pos = [], a
        for i in range(lo, hi):
            h = hits[i]
            parts.append(text[pos : max(pos, h.start)])
            parts.append(f"⟦{h.kind}⟧")
            pos = max(pos, h.end)
        parts.append(text[pos:b])
        s = "".join(parts)
        return ("…" if a > 0 else "") + " ".join(s.split()) + ("…" if b < n else "")


def _with_loose(hits: list[_Hit], loose: list[LooseHit]) -> list[_Hit]:
    """``hits`` plus the loose hits that overlap none of them, in order."""
    if not loose:
        return hits
    starts = [h.start for h in hits]
    ends = [h.end for h in hits]
    extra = []
    for lh in loose:
        i = bisect.bisect_right(ends, lh.start)
        if i < len(hits) and starts[i] < lh.end:
            continue  # that place is reported already
        e = lh.entry
        extra.append(_Hit(lh.start, lh.end, e.pseudonym, e.kind, "loose", None, e))
    if not extra:
        return hits
    return sorted([*hits, *extra], key=lambda h: (h.start, h.end))


def _line_of(text: str) -> Callable[[int], str]:
    starts: list[int] | None = None

    def where(pos: int) -> str:
        nonlocal starts
        if starts is None:
            starts = [0, *(m.end() for m in re.finditer("\n", text))]
        return f"line {bisect.bisect_right(starts, pos)}"

    return where


def _prefixed(prefix: str, where: Callable[[int], str]) -> Callable[[int], str]:
    return lambda pos: f"{prefix} {where(pos)}"


def _bytes_near(base: int) -> Callable[[int], str]:
    return lambda pos: f"bytes near {base + pos}"


def _after(seen: int) -> Callable[[_Hit], bool]:
    return lambda h: h.end > seen


def _decode(data: bytes) -> str:
    for enc in (
        ("utf-8-sig", "utf-16")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff")
        else ("utf-8-sig",)
    ):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _xml_text(data: bytes) -> str:
    """XML as text: entities and character references resolved, tags kept."""
    return html.unescape(_decode(data))


def _scan_xml_structure(sc: _Scanner, data: bytes, path: Any, entry: str) -> None:
    """Element text and attribute values, joined per element (catches escaped text)."""
    import xml.etree.ElementTree as ET

    try:
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
        parser.feed(data)
        parser.close()
        events = list(parser.read_events())
    except ET.ParseError:
        return
    for event in events:
        ev, el = cast("tuple[str, Any]", event)
        if not isinstance(el, ET.Element):  # pragma: no cover - start/end only
            continue
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else "?"
        if ev == "start":
            for name, value in el.attrib.items():
                attr = name.rsplit("}", 1)[-1]
                sc.scan(value, path, f"{entry}: <{tag} {attr}>", raw=True)
        else:
            txt = "".join(el.itertext()) if len(el) == 0 else (el.text or "")
            sc.scan(txt, path, f"{entry}: <{tag}>")


def _scan_docx(sc: _Scanner, path: Path) -> None:
    import docx

    document = docx.Document(str(path))

    def paragraphs(container: Any, label: str) -> None:
        for i, p in enumerate(container.paragraphs, start=1):
            sc.scan(p.text, path, f"{label}paragraph {i}")
        for ti, table in enumerate(getattr(container, "tables", []), start=1):
            for ri, row in enumerate(table.rows, start=1):
                for ci, cell in enumerate(row.cells, start=1):
                    paragraphs(cell, f"{label}table {ti} row {ri} cell {ci} ")

    paragraphs(document, "")
    for si, section in enumerate(document.sections, start=1):
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            try:
                paragraphs(part, f"section {si} {name} ")
            except (ValueError, AttributeError):  # pragma: no cover - unusual part
                continue
    props = document.core_properties
    for name in (
        "title",
        "subject",
        "author",
        "keywords",
        "comments",
        "last_modified_by",
        "category",
    ):
        sc.scan(getattr(props, name, "") or "", path, f"document property {name}")


def _scan_xlsx(sc: _Scanner, path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(str(path), read_only=False, data_only=False)
    try:
        for ws in wb.worksheets:
            sc.scan(ws.title, path, f"sheet name {ws.title!r}")
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if isinstance(v, str):
                        sc.scan(v, path, f"{ws.title}!{cell.coordinate}")
                    if cell.comment is not None:
                        sc.scan(
                            cell.comment.text or "",
                            path,
                            f"{ws.title}!{cell.coordinate} comment",
                        )
    finally:
        wb.close()


#: Office documents are parsed whole by python-docx / openpyxl (several times
#: their size in memory), so they get a tighter budget than a ``.qdpx``.
_OFFICE_LIMITS = ZipLimits(max_total_size=256 * 1024**2)


def _scan_office(
    sc: _Scanner, path: Path, reader: Callable[[_Scanner, Path], None]
) -> None:
    """A docx/xlsx: every entry through the safe-zip limits, then the reader.

    The entries are scanned first (:class:`SafeZip` enforces the declared sizes
    while decompressing), so python-docx or openpyxl only ever opens an archive
    whose sizes are known to be true; their rows still come first in the report.
    """
    rows, sc.rows = sc.rows, []
    try:
        _scan_zip(sc, path, _OFFICE_LIMITS)
    finally:
        entry_rows, sc.rows = sc.rows, rows
    reader(sc, path)
    sc.rows.extend(entry_rows)


def _scan_zip(sc: _Scanner, path: Path, limits: ZipLimits | None = None) -> None:
    """Every entry of a zip (docx, xlsx, qdpx): decompressed, decoded, unescaped."""
    with SafeZip(path, limits=limits) as zf:
        for name in zf.names:
            data = zf.read(name)
            low = name.lower()
            where = f"zip:{name}"
            if data[:5] == b"%PDF-":
                _scan_pdf(sc, data, path, where)
            elif low.endswith((".xml", ".qde", ".rels", ".vml")):
                sc.scan(_xml_text(data), path, where, "raw")
                if low.endswith(".qde"):
                    _scan_xml_structure(sc, data, path, where)
            elif low.endswith(".json"):
                text = _decode(data)
                sc.scan(text, path, where, "raw")
                _scan_json(sc, text, path, where)
            elif low.endswith((".txt", ".csv", ".md", ".html", ".htm")):
                text = _decode(data)
                sc.scan(text, path, _prefixed(where, _line_of(text)))
            elif b"\x00" not in data[:4096]:
                sc.scan(_decode(data), path, where, "raw")


def _scan_pdf(sc: _Scanner, data: bytes, path: Any, where: str) -> None:
    """Text of each page of a PDF (needs pypdf), else its raw bytes."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [
            (i, page.extract_text() or "") for i, page in enumerate(reader.pages, 1)
        ]
    except Exception:  # noqa: BLE001 - any unreadable PDF: fall back to raw bytes
        sc.scan(data.decode("latin-1"), path, f"{where} (raw PDF)", "raw")
        return
    for i, text in pages:
        sc.scan(text, path, f"{where} page {i}".strip())


def _scan_json(sc: _Scanner, text: str, path: Any, where: str) -> None:
    """Every string (and key) of a JSON document, unescaped."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return

    def walk(node: Any, at: str) -> None:
        if isinstance(node, str):
            sc.scan(node, path, f"{where} {at}")
        elif isinstance(node, Mapping):
            for k, v in node.items():
                sc.scan(str(k), path, f"{where} {at} (key)")
                walk(v, f"{at}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{at}[{i}]")

    walk(data, "$")


def _scan_html(sc: _Scanner, path: Path, data: bytes) -> None:
    """Rendered text (not styles or scripts) with every check; source: key only."""
    from html.parser import HTMLParser

    raw = _decode(data)
    chunks: list[str] = []
    hidden = [0]  # depth inside <style>/<script>: markup, not text a reader sees

    class P(HTMLParser):
        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            if tag in _NOT_TEXT:
                hidden[0] += 1
            if tag not in _INLINE:
                chunks.append("\n")
            for _, v in attrs:
                if v:
                    sc.scan(v, path, f"<{tag}> attribute", raw=True)

        def handle_endtag(self, tag: str) -> None:
            if tag in _NOT_TEXT and hidden[0]:
                hidden[0] -= 1
            if tag not in _INLINE:
                chunks.append("\n")

        def handle_data(self, d: str) -> None:
            if not hidden[0]:
                chunks.append(d)

    p = P(convert_charrefs=True)
    p.feed(raw)
    p.close()
    text = "".join(chunks)
    line = _line_of(text)
    sc.scan(text, path, lambda pos: f"text {line(pos)}", "text")
    sc.scan(html.unescape(raw), path, _line_of(raw), "raw")


def _scan_server(sc: _Scanner, project: Any) -> None:
    """A project on a server: one snapshot of it scanned like a project file.

    The snapshot is copied (``Project.copy_to``) into a private temporary folder
    that is removed at once; rows name the project's URL (without password).
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="qualcode-leaks-") as folder:
        snapshot = Path(folder) / "snapshot.qcproj"
        project.copy_to(snapshot).close()
        _scan_sqlite(sc, snapshot, shown=str(project.path))


def _scan_sqlite(sc: _Scanner, path: Path, *, shown: str | None = None) -> None:
    """A project file: every text value of every table, then the raw bytes.

    ``shown``: what rows name instead of ``path`` (a server project's URL).
    """
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cur = con.execute(f'SELECT * FROM "{table}"')
            cols = [d[0] for d in cur.description]
            for i, row in enumerate(cur, start=1):
                for col, v in zip(cols, row, strict=True):
                    if isinstance(v, bytes):
                        v = v.decode("utf-8", errors="replace")
                    if isinstance(v, str):
                        sc.scan(v, shown or path, f"{table}.{col} row {i}")
    except sqlite3.Error as exc:
        raise StoreError(
            Errors.QC401.format(
                path=path,
                detail=f"cannot read it for the leak check (SQLite says: {exc})",
            )
        ) from None
    finally:
        con.close()
    if shown is None:  # a server's own files are not ours to read
        for suffix in ("", "-wal", "-journal"):
            _scan_raw(sc, Path(str(path) + suffix))


def _scan_raw(sc: _Scanner, path: Path) -> None:
    """Raw bytes as UTF-8, in overlapping chunks (key originals only)."""
    if not path.is_file():
        return
    overlap = 4096
    with path.open("rb") as fh:
        offset = 0
        prev = b""
        while True:
            block = fh.read(_RAW_CHUNK)
            if not block:
                break
            base = offset - len(prev)
            text = (prev + block).decode("utf-8", errors="replace")
            seen = len(prev.decode("utf-8", errors="replace"))
            sc.scan(
                text,
                path,
                _bytes_near(base),
                "raw",
                raw=True,
                keep=_after(seen),  # hits inside the overlap are reported
            )
            prev = block[-overlap:]
            offset += len(block)


def _scan_path(sc: _Scanner, path: Path) -> None:
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and not p.name.endswith(("-shm", "-wal", "-journal")):
                _scan_path(sc, p)
        return
    if not path.is_file():
        raise InvalidInputError(
            Errors.QC810.format(path=path, detail="file not found; check the path")
        )
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(16)
    try:
        if head == _SQLITE_MAGIC:
            _scan_sqlite(sc, path)
        elif suffix == ".docx":
            _scan_office(sc, path, _scan_docx)
        elif suffix in (".xlsx", ".xlsm"):
            _scan_office(sc, path, _scan_xlsx)
        elif suffix == ".qdpx" or head[:4] == b"PK\x03\x04":
            _scan_zip(sc, path)
        elif head[:5] == b"%PDF-":
            _scan_pdf(sc, path.read_bytes(), path, "")
        elif suffix in (".html", ".htm", ".xhtml"):
            _scan_html(sc, path, path.read_bytes())
        elif suffix in _TEXT_SUFFIXES or b"\x00" not in head:
            text = _decode(path.read_bytes())
            if suffix in (".xml", ".qde", ".qdc"):
                sc.scan(html.unescape(text), path, _line_of(text), "raw")
                _scan_xml_structure(sc, path.read_bytes(), path, "xml")
            else:
                sc.scan(text, path, _line_of(text))
        else:
            _scan_raw(sc, path)
    except ImportFormatError as exc:  # the safe-zip limits: a catalogued message
        raise InvalidInputError(
            Errors.QC810.format(path=path, detail=f"refused ({exc})")
        ) from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        if isinstance(exc, InvalidInputError):
            raise
        raise InvalidInputError(
            Errors.QC810.format(
                path=path,
                # the exception's type only: a reader's message may quote content
                detail=f"cannot read it ({type(exc).__name__}); is it damaged?",
            )
        ) from None


def check_leaks(
    export_path_or_project: Any,
    key: Any,
    *,
    detectors: Any = DEFAULT_DETECTORS,
    context: int = 30,
    loose: bool | Literal["any"] = True,
) -> pd.DataFrame:
    """Scan exports or a project for originals from the key; report every hit.

    An independent second line after :func:`pseudonymise`: besides the
    matches ``pseudonymise`` itself would make, text is searched for each key
    original's letters inside tokens (see ``loose``), so a form the first pass
    missed is still reported.

    Parameters
    ----------
    export_path_or_project : path, list of paths, folder or Project
        ``.xlsx`` and ``.docx`` are read with openpyxl / python-docx (so names
        split across formatting runs are found) AND entry by entry as XML text
        (entities resolved: document properties, comments, shared strings);
        ``.qdpx`` entry by entry (``project.qde`` as text and as XML element text
        and attributes, ``sources/*.txt``, ``qualcode.json``); ``.html`` as
        rendered text and as source; ``.csv``, ``.md``, ``.txt`` and other text as
        text; a project (``.qcproj`` or any SQLite file, or a Project) as every
        text value of every table, and as raw bytes of the file and its WAL (text
        left in free pages). A project on a server (a Project or its
        ``postgresql://`` URL): every text value of every table, read in one
        snapshot. A folder is scanned file by file.
    key : PseudonymKey, path, mapping or DataFrame
        Originals are matched as :func:`pseudonymise` matches them (on the
        same normalised view: any case, accents folded, zero-width characters
        removed, ``%XX`` decoded, hyphenated line breaks joined), plus ``loose``.
    detectors : iterable, default all six built-ins
        Identifiers that should have been replaced; ``()`` for none. Raw bytes
        are checked for key originals only.
    context : int, default 30
        Characters of context either side of a hit; every hit inside the window
        is masked as ``⟦kind⟧``. 0 for none.
    loose : bool or "any", default True
        Also look for each original's letters and digits inside every token of
        the text layers (case- and diacritic-insensitive, anything else in the
        token ignored): ``True`` reports a token that IS the original (``OBrien``,
        ``Zoe``, ``Smiths``), or holds it glued by a digit, ``_`` or symbol
        (``Smith2``, ``j.smith@``, ``Smith_J``) or at a change of case
        (``JSmith``); ``"any"`` reports every occurrence, words that merely
        contain a name too (``Mark`` in ``market``); ``False`` only the
        ``pseudonymise`` matches. Such rows have ``source`` ``"loose"``.

    Returns
    -------
    pandas.DataFrame
        One row per hit: ``path, location`` (``sheet!cell``, ``paragraph n``,
        ``zip:entry``, ``line n``, ``table.column row n``, ``bytes near n``),
        ``layer`` (``text`` as a reader sees it, ``raw`` for file content),
        ``kind``, ``source`` (``key``, ``loose`` or ``detector``),
        ``original`` (the key's original, which the holder of the key already
        knows; detector hits are masked after two characters), ``pseudonym``
        (what it should have been) and ``context`` (masked). Empty when nothing
        leaks.

    Notes
    -----
    False positives, measured on the demo project pseudonymised with its own
    key (11 transcripts, 16,666 tokens; the shared copy, its five quote banks,
    ``.qdpx`` and HTML view): ``loose=True`` reports none. ``loose="any"``
    reports 47 in the transcripts (0.28% of tokens; 813 rows over all the
    files, as quotes repeat), every one an ordinary word holding a short name
    (``market`` for ``Mark``, ``sleep`` for ``Lee``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "extracts.md"
    >>> _ = p.write_text("Person A said Smith's team met at NV4 7QT.\\n")
    >>> leaks = check_leaks(p, {"Smith": "Person B"})
    >>> leaks[["location", "kind", "original", "pseudonym"]]
      location      kind original   pseudonym
    0   line 1      name    Smith    Person B
    1   line 1  postcode  NV*****  [postcode]
    >>> print(leaks.loc[0, "context"])
    Person A said ⟦name⟧'s team met at ⟦postcode⟧.
    """
    from qualcode._columns import LEAKS, frame

    caller = "check_leaks"
    if not isinstance(context, int) or isinstance(context, bool) or context < 0:
        raise invalid("context", caller, "a whole number >= 0", context)
    if loose not in (True, False, "any"):
        raise invalid("loose", caller, "True, False or 'any'", loose)
    k = _as_key(key, caller)
    sc = _Scanner(
        _Matcher(k, _as_detectors(detectors, caller), caller=caller),
        _Matcher(k, (), caller=caller),
        context,
        None
        if loose is False
        else LooseMatcher(k.entries, mode="any" if loose == "any" else "glued"),
    )
    targets = export_path_or_project
    if is_url(targets):  # a project on a server, by its URL
        from qualcode.store import Project

        with Project(targets) as on_server:
            _scan_server(sc, on_server)
        return frame(sc.rows, LEAKS)
    if is_project(targets) and is_url(str(targets.path)):
        _scan_server(sc, targets)
        return frame(sc.rows, LEAKS)
    if is_project(targets):
        targets = [targets.path]
    elif isinstance(targets, (str, Path)):
        targets = [targets]
    try:
        targets = [Path(t.path if is_project(t) else t) for t in targets]
    except TypeError:
        raise invalid(
            "export_path_or_project",
            caller,
            "a path, a list of paths or a Project",
            type(export_path_or_project).__name__,
        ) from None
    for t in targets:
        _scan_path(sc, t)
    return frame(sc.rows, LEAKS)
