"""REFI-QDA codebook exchange (``.qdc``, QDA-XML Codebook 1.0).

Writing is strict: the output is validated against the official
``Codebook-mrt2019.xsd`` (vendored in ``qualcode/refi/xsd``) and refused if it does
not validate. Reading is lenient: foreign dialects seen in real files load with
one :class:`~qualcode.errors.CodebookWarning` listing what was repaired
(namespace ``urn:QDA-XML:codebook:0:4``/``1:0``/none, an empty ``<Sets/>``,
GUIDs in braces or either case, colours such as ``#RRGGBBAA``, ``rgb(...)`` or a
missing ``#``, code groups as sets).

How qualcode's codebook maps onto QDA-XML:

* hierarchy: nested ``<Code>`` elements;
* ``label`` -> ``name``; ``color`` -> ``color``;
* ``guid``: the code's imported GUID if it has one, else ``uuid5(GUID_NAMESPACE,
  code id)``, so the same code keeps its GUID across exports;
* ``isCodable``: always ``true`` (every code of qualcode's codebooks can be
  applied, roots included), unless the code has the flag ``codable: false``
  (which is what an imported ``isCodable="false"`` becomes);
* ``<Description>``: the definition, then ``Include:``, ``Exclude:``,
  ``Examples:`` and ``Patterns:`` lists, ``Source:``, ``Source status:``,
  ``Note:`` and ``Code id:`` lines, readable by NVivo/ATLAS.ti/MAXQDA users and
  parsed back on import;
* flags -> codebook ``<Set>``\\ s: ``flag:<name>`` for true values,
  ``flag:<name>=<json value>`` for others (``flag:harm_reduction=false``); a
  foreign set (e.g. an ATLAS.ti code group ``group::subgroup``) becomes the flag
  ``set:<name>`` and is written back under its own name;
* codebook name, version, description and further metadata: a leading XML
  comment ``<!--qualcode:{json}-->`` (other tools ignore comments);
* characters XML 1.0 cannot hold (control characters other than tab, LF and CR,
  such as a form feed pasted from a PDF) are written as U+FFFD, with a
  :class:`~qualcode.errors.DataLossWarning` (the rule of every REFI field).

Imports: this module imports :mod:`qualcode.codebook` at module level, and
``Codebook.load``/``Codebook.save`` import this module inside the method for a
``.qdc`` path. That lazy hand-off is the one import cycle qualcode allows (a
codebook is a value; its REFI file form lives here, beside the rest of REFI).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._files import atomic_path
from qualcode._optional import import_optional
from qualcode._version import __version__
from qualcode.codebook import Code, Codebook
from qualcode.errors import CodebookError, CodebookWarning, DataLossWarning, Errors
from qualcode.refi._xml import XML_ILLEGAL as _XML_ILLEGAL
from qualcode.refi._xml import xml_text

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

__all__ = [
    "GUID_NAMESPACE",
    "QDC_NAMESPACE",
    "code_guid",
    "codes_from_xml",
    "codes_to_xml",
    "description_text",
    "parse_description",
    "read_qdc",
    "sets_from_xml",
    "sets_to_xml",
    "validate_qdc",
    "write_qdc",
]

#: The namespace of QDA-XML codebooks (version 1.0).
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Fixed namespace of qualcode's code GUIDs: ``uuid5(GUID_NAMESPACE, code_id)``.
GUID_NAMESPACE = uuid.UUID("bbb8b7db-73a3-5fd8-8bb1-362b2bc8d00e")
_SCHEMA_FILE = "Codebook-mrt2019.xsd"
_NS_RE = re.compile(r"^urn:QDA-XML:(codebook|project):(.+)$", re.IGNORECASE)
_GUID_RE = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_META_PREFIX = "qualcode:"
_LIST_HEADERS = {
    "Include:": "include",
    "Exclude:": "exclude",
    "Examples:": "examples",
    "Patterns:": "patterns",
    "Exclude patterns:": "exclude_patterns",
}
_PATTERN_KEYS = ("patterns", "exclude_patterns")
_LINE_FIELDS = {
    "Source:": "source",
    "Source status:": "source_status",
    "Note:": "note",
    "Code id:": "id",
}


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _norm_guid(value: str | None) -> str | None:
    """Lower-case GUID without braces, or None if it is not a GUID."""
    if not value:
        return None
    m = _GUID_RE.match(value.strip())
    return m.group(1).lower() if m else None


def _xml_safe(text: str, code_id: str, *, warn: bool = True) -> str:
    """``text`` for XML: characters XML cannot hold become U+FFFD (with a warning)."""
    clean = xml_text(text)
    if warn and clean != text:
        n = len(_XML_ILLEGAL.findall(text))
        warnings.warn(
            f"code '{code_id}': {n} control character(s) that XML cannot hold were "
            "written as U+FFFD in the REFI-QDA output.",
            DataLossWarning,
            stacklevel=4,
        )
    return clean


def code_guid(code: Code) -> str:
    """The GUID written for ``code``: its imported GUID, else uuid5 of its id.

    Examples
    --------
    >>> code_guid(Code("pursue", "Pursue")) == code_guid(Code("pursue", "Renamed"))
    True
    >>> code_guid(Code("x", "X", guid="{ABCDEF01-2345-6789-ABCD-EF0123456789}"))
    'abcdef01-2345-6789-abcd-ef0123456789'
    """
    g = _norm_guid(code.guid)
    return g if g else str(uuid.uuid5(GUID_NAMESPACE, code.id))


def _set_guid(name: str, known: Mapping[str, str] | None = None) -> str:
    if known and _norm_guid(known.get(name)):
        return _norm_guid(known[name])  # type: ignore[return-value]
    return str(uuid.uuid5(GUID_NAMESPACE, "set:" + name))


def _slug(text: str) -> str:
    t = (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    return t or "code"


def _repair_color(value: str | None) -> tuple[str | None, str | None]:
    """A ``#RRGGBB``/``#RGB`` colour and a repair note (None when nothing changed)."""
    if value is None:
        return None, None
    v = value.strip()
    if _COLOR_RE.match(v):
        return v, None
    m = re.match(r"^#?([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?$|^#?([0-9A-Fa-f]{3})$", v)
    if m:
        hexpart = m.group(1) or m.group(3)
        return "#" + hexpart, f"colour {value!r} read as '#{hexpart}'"
    m = re.match(
        r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)$",
        v,
        re.I,
    )
    if m and all(0 <= int(x) <= 255 for x in m.groups()):
        hexv = "#" + "".join(f"{int(x):02X}" for x in m.groups())
        return hexv, f"colour {value!r} read as '{hexv}'"
    return None, f"unreadable colour {value!r} dropped"


# ---------------------------------------------------------------------------
# descriptions
# ---------------------------------------------------------------------------
def _indent_more(text: str) -> str:
    return text.replace("\n", "\n  ")


def description_text(code: Code) -> str:
    """The ``<Description>`` written for a code (definition, rules, examples, id).

    Examples
    --------
    >>> c = Code(
    ...     "enforce",
    ...     "Enforce drug laws",
    ...     definition="Enforcing the law.",
    ...     include=("arrests",),
    ...     patterns=("drug laws", [{"LEMMA": "arrest"}]),
    ... )
    >>> print(description_text(c))
    Enforcing the law.
    <BLANKLINE>
    Include:
    - arrests
    <BLANKLINE>
    Patterns:
    - "drug laws"
    - [{"LEMMA": "arrest"}]
    <BLANKLINE>
    Code id: enforce
    """
    blocks: list[str] = []
    if code.definition:
        blocks.append(code.definition.strip())
    for header, key in _LIST_HEADERS.items():
        items = getattr(code, key)
        if not items:
            continue
        if key in _PATTERN_KEYS:
            lines = [f"- {json.dumps(p, ensure_ascii=False)}" for p in items]
        else:
            lines = [f"- {_indent_more(str(x))}" for x in items]
        blocks.append("\n".join([header, *lines]))
    tail = []
    for header, key in _LINE_FIELDS.items():
        value = getattr(code, key)
        if value:
            tail.append(f"{header} {_indent_more(str(value))}")
    blocks.append("\n".join(tail))
    return "\n\n".join(blocks)


def parse_description(text: str | None) -> dict[str, Any]:
    """Read back what :func:`description_text` wrote (other text: the definition).

    Returns a dict with any of ``definition``, ``include``, ``exclude``,
    ``examples``, ``patterns`` (lists), ``source``, ``source_status``, ``note``
    and ``id``.

    Examples
    --------
    >>> parse_description("Defined here.\\n\\nInclude:\\n- a\\n- b\\n\\nCode id: x")
    {'definition': 'Defined here.', 'include': ['a', 'b'], 'id': 'x'}
    >>> parse_description("Just a memo from NVivo.")
    {'definition': 'Just a memo from NVivo.'}
    """
    if not text or not text.strip():
        return {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: dict[str, Any] = {}
    definition: list[str] = []
    section: str | None = None
    last: tuple[str, int | None] | None = None  # (key, index in list) for continuations
    for line in lines:
        stripped = line.rstrip()
        if stripped in _LIST_HEADERS:
            section = _LIST_HEADERS[stripped]
            out.setdefault(section, [])
            last = None
            continue
        field = next((k for k in _LINE_FIELDS if stripped.startswith(k + " ")), None)
        if field is not None:
            key = _LINE_FIELDS[field]
            out[key] = stripped[len(field) + 1 :].strip()
            section, last = None, (key, None)
            continue
        if line.startswith("  ") and last is not None:
            key, idx = last
            if idx is None:
                out[key] += "\n" + line[2:]
            else:
                out[key][idx] += "\n" + line[2:]
            continue
        if section is not None and stripped.startswith("- "):
            item = stripped[2:]
            if section in _PATTERN_KEYS:
                try:
                    value: Any = json.loads(item)
                except ValueError:
                    value = item
                out[section].append(value)
            else:
                out[section].append(item)
            last = (section, len(out[section]) - 1)
            continue
        if section is not None and not stripped:
            continue
        if section is None and last is None:
            definition.append(line)
        elif (
            stripped
        ):  # stray text after the structured part: keep it in the definition
            definition.append(line)
            section, last = None, None
    d = "\n".join(definition).strip()
    result: dict[str, Any] = {}
    if d:
        result["definition"] = d
    result.update(out)
    return result


# ---------------------------------------------------------------------------
# XML <-> codes (reused by io/qdpx for the Project's <CodeBook>)
# ---------------------------------------------------------------------------
def codes_to_xml(
    codebook: Codebook,
    parent_element: etree._Element,
    ns: str = QDC_NAMESPACE,
    guids: dict[str, str] | None = None,
    *,
    warn: bool = True,
) -> dict[str, str]:
    """Append the codebook's codes as nested ``<Code>`` elements to ``parent_element``.

    Characters XML cannot hold (control characters other than tab, LF, CR) are
    written as U+FFFD, with a :class:`~qualcode.errors.DataLossWarning` unless
    ``warn=False`` (the ``.qdpx`` writer's sidecar keeps the originals).

    Parameters
    ----------
    codebook : Codebook
    parent_element : lxml element
        The ``<Codes>`` element (Codebook or Project namespace).
    ns : str
        Namespace of the elements to create (``urn:QDA-XML:codebook:1.0`` or
        ``urn:QDA-XML:project:1.0``).
    guids : dict, optional
        Code id -> GUID to use (filled in for every code written).

    Returns
    -------
    dict
        Code id -> GUID of every code written (the ``guids`` dict if given).

    Examples
    --------
    >>> from lxml import etree
    >>> cb = Codebook([Code("a", "A", color="#123456"), Code("b", "B", parent="a")])
    >>> codes = etree.Element("{urn:QDA-XML:codebook:1.0}Codes")
    >>> ids = codes_to_xml(cb, codes)
    >>> [
    ...     (etree.QName(e).localname, e.get("name"))
    ...     for e in codes.iter()
    ...     if e.get("name")
    ... ]
    [('Code', 'A'), ('Code', 'B')]
    """
    from lxml import etree

    guids = {} if guids is None else guids
    for c in codebook:
        guids.setdefault(c.id, code_guid(c))

    def add(code: Code, parent: etree._Element) -> None:
        el = etree.SubElement(parent, f"{{{ns}}}Code")
        el.set("guid", guids[code.id])
        el.set("name", _xml_safe(code.label, code.id, warn=warn))
        el.set("isCodable", "false" if code.flags.get("codable") is False else "true")
        if code.color:
            el.set("color", code.color)
        desc = description_text(code)
        if desc:
            d = etree.SubElement(el, f"{{{ns}}}Description")
            d.text = _xml_safe(desc, code.id, warn=warn)
        for child in codebook.children(code.id):
            add(child, el)

    for root in codebook.roots():
        add(root, parent_element)
    return guids


def _flag_sets(codebook: Codebook) -> list[tuple[str, list[str]]]:
    """(set name, member code ids) for every flag value, in order of appearance."""
    sets: dict[str, list[str]] = {}
    for c in codebook:
        for k, v in c.flags.items():
            if k == "codable":
                continue
            if k.startswith("set:") and v is True:
                name = k[4:]
            elif v is True:
                name = f"flag:{k}"
            else:
                name = f"flag:{k}={json.dumps(v, ensure_ascii=False)}"
            sets.setdefault(name, []).append(c.id)
    return list(sets.items())


def sets_to_xml(
    codebook: Codebook,
    parent_element: etree._Element,
    ns: str = QDC_NAMESPACE,
    guids: Mapping[str, str] | None = None,
) -> int:
    """Append one ``<Set>`` per flag value to ``parent_element`` (a ``<Sets>``).

    Returns the number of sets written (0: leave out the empty ``<Sets>``,
    which the schema forbids).

    Examples
    --------
    >>> from lxml import etree
    >>> cb = Codebook(
    ...     [
    ...         Code("a", "A", flags={"harm_reduction": True}),
    ...         Code("b", "B", flags={"harm_reduction": False}),
    ...     ]
    ... )
    >>> sets = etree.Element("{urn:QDA-XML:codebook:1.0}Sets")
    >>> sets_to_xml(cb, sets), [s.get("name") for s in sets]
    (2, ['flag:harm_reduction', 'flag:harm_reduction=false'])
    """
    from lxml import etree

    known = (
        codebook.meta.get("refi", {}).get("set_guids", {})
        if isinstance(codebook.meta.get("refi"), Mapping)
        else {}
    )
    n = 0
    for name, members in _flag_sets(codebook):
        s = etree.SubElement(parent_element, f"{{{ns}}}Set")
        s.set("guid", _set_guid(name, known))
        s.set("name", xml_text(name))
        if name.startswith("flag:"):
            d = etree.SubElement(s, f"{{{ns}}}Description")
            d.text = xml_text(
                f"qualcode flag {name[5:]} (codes carrying this flag value)"
            )
        for cid in members:
            m = etree.SubElement(s, f"{{{ns}}}MemberCode")
            m.set(
                "guid",
                guids[cid] if guids and cid in guids else code_guid(codebook[cid]),
            )
        n += 1
    return n


def codes_from_xml(
    element: etree._Element,
    *,
    repairs: list[str] | None = None,
) -> tuple[list[Code], dict[str, str]]:
    """Read nested ``<Code>`` elements (any QDA-XML namespace) into codes.

    Parameters
    ----------
    element : lxml element
        A ``<Codes>`` element, or a ``<CodeBook>`` holding one.
    repairs : list, optional
        Notes on what was repaired are appended here (the caller warns once).

    Returns
    -------
    codes : list of Code
        In document order (parents before children). Ids come from a
        ``Code id:`` line of the description, else from the slugified name,
        made unique.
    guids : dict
        Normalised GUID (lower case, no braces) -> code id, to resolve
        references (``MemberCode``, ``CodeRef``).

    Examples
    --------
    >>> from lxml import etree
    >>> xml = (
    ...     '<Codes xmlns="urn:QDA-XML:codebook:0:4">'
    ...     '<Code guid="{2CE89C66-C28D-473B-B5C4-6CF87D20EF04}" '
    ...     'name="Code 1" isCodable="true" color="#ff000080"/></Codes>'
    ... )
    >>> notes = []
    >>> codes, guids = codes_from_xml(etree.fromstring(xml), repairs=notes)
    >>> codes[0].id, codes[0].color, list(guids)
    ('code-1', '#ff0000', ['2ce89c66-c28d-473b-b5c4-6cf87d20ef04'])
    """
    repairs = [] if repairs is None else repairs
    if _local(element.tag) == "CodeBook":
        element = next((e for e in element if _local(e.tag) == "Codes"), element)
    raw: list[tuple[Any, str | None]] = []  # (element, parent guid)

    def walk(parent: Any, parent_guid: str | None) -> None:
        for e in parent:
            if _local(e.tag) != "Code":
                continue
            raw.append((e, parent_guid))
            walk(e, id(e))  # type: ignore[arg-type]

    walk(element, None)
    used_ids: set[str] = set()
    used_guids: set[str] = set()
    el_to_id: dict[int, str] = {}
    codes: list[Code] = []
    guid_map: dict[str, str] = {}
    pending: list[tuple[dict[str, Any], Any]] = []
    # first pass: ids declared in descriptions win, so slugs never steal them
    parsed = []
    for e, _ in raw:
        d = next((c for c in e if _local(c.tag) == "Description"), None)
        parsed.append(parse_description(d.text if d is not None else None))
    declared = {p.get("id") for p in parsed if p.get("id") and _ID_RE.match(p["id"])}
    for (e, parent_key), info in zip(raw, parsed, strict=True):
        name = (e.get("name") or "").strip()
        if not name:
            name = f"Unnamed code {len(codes) + 1}"
            repairs.append(f"a code without a name was called '{name}'")
        cid = info.get("id")
        if not (cid and _ID_RE.match(cid) and cid not in used_ids):
            base = _slug(name)
            cid, k = base, 2
            while cid in used_ids or cid in declared:
                cid, k = f"{base}-{k}", k + 1
        used_ids.add(cid)
        el_to_id[id(e)] = cid
        raw_guid = e.get("guid")
        guid = _norm_guid(raw_guid)
        if guid is None:
            repairs.append(
                f"code '{name}': missing or malformed GUID {raw_guid!r} replaced"
            )
        elif guid in used_guids:
            repairs.append(f"code '{name}': duplicate GUID {raw_guid} replaced")
            guid = None
        elif raw_guid != guid:
            pass  # braces / upper case: normalised silently (the schema allows both)
        if guid is not None:
            used_guids.add(guid)
            guid_map[guid] = cid
        color, note = _repair_color(e.get("color"))
        if note:
            repairs.append(f"code '{name}': {note}")
        flags: dict[str, Any] = {}
        codable = (e.get("isCodable") or "true").strip().lower()
        if codable in ("false", "0"):
            flags["codable"] = False
        patterns = tuple(info.get("patterns", ()))
        pending.append(
            (
                {
                    "id": cid,
                    "label": name,
                    "parent_key": parent_key,
                    "definition": info.get("definition", ""),
                    "include": tuple(info.get("include", ())),
                    "exclude": tuple(info.get("exclude", ())),
                    "examples": tuple(info.get("examples", ())),
                    "patterns": patterns,
                    "exclude_patterns": tuple(info.get("exclude_patterns", ())),
                    "color": color,
                    "flags": flags,
                    "source": info.get("source"),
                    "source_status": info.get("source_status"),
                    "note": info.get("note"),
                    "guid": None
                    if guid is None or guid == str(uuid.uuid5(GUID_NAMESPACE, cid))
                    else guid,
                },
                e,
            )
        )
    for fields, e in pending:
        parent_key = fields.pop("parent_key")
        parent = el_to_id.get(parent_key) if parent_key is not None else None
        codes.append(Code(parent=parent, line=getattr(e, "sourceline", None), **fields))
    return codes, guid_map


def sets_from_xml(
    element: etree._Element,
    codes: list[Code],
    guids: Mapping[str, str],
    *,
    repairs: list[str] | None = None,
    quiet_sets: bool = False,
) -> tuple[list[Code], dict[str, str]]:
    """Turn ``<Set>`` memberships of codes into flags (see the module notes).

    Parameters
    ----------
    element : lxml element
        A ``<Sets>`` element (or its parent).
    codes : list of Code
    guids : mapping
        Normalised GUID -> code id, as returned by :func:`codes_from_xml`.
    repairs : list, optional
    quiet_sets : bool, default False
        Do not note foreign sets kept as ``set:`` flags (for files qualcode wrote).

    Returns
    -------
    codes : list of Code
        With their flags updated.
    set_guids : dict
        Set name -> GUID, kept so re-exports reuse them.
    """
    repairs = [] if repairs is None else repairs
    if _local(element.tag) != "Sets":
        element = next((e for e in element if _local(e.tag) == "Sets"), None)  # type: ignore[assignment]
        if element is None:
            return codes, {}
    sets = [e for e in element if _local(e.tag) == "Set"]
    if not sets:
        repairs.append(
            "an empty <Sets/> was ignored (the schema requires at least one Set)"
        )
        return codes, {}
    flags: dict[str, dict[str, Any]] = {c.id: dict(c.flags) for c in codes}
    set_guids: dict[str, str] = {}
    for s in sets:
        name = (s.get("name") or "").strip()
        if not name:
            repairs.append("a set without a name was skipped")
            continue
        g = _norm_guid(s.get("guid"))
        if g and g != str(uuid.uuid5(GUID_NAMESPACE, "set:" + name)):
            set_guids[name] = g
        if name.startswith("flag:"):
            spec = name[5:]
            key, sep, value = spec.partition("=")
            if sep:
                try:
                    val: Any = json.loads(value)
                except ValueError:
                    val = value
            else:
                val = True
        else:
            key, val = "set:" + name, True
            if quiet_sets:
                pass
            elif "::" in name:
                repairs.append(f"code group '{name}' kept as the flag '{key}'")
            else:
                repairs.append(f"set '{name}' kept as the flag '{key}'")
        members = [m for m in s if _local(m.tag) == "MemberCode"]
        for m in members:
            g = _norm_guid(m.get("guid"))
            cid = guids.get(g) if g else None
            if cid is None:
                repairs.append(
                    f"set '{name}': unknown member GUID {m.get('guid')!r} skipped"
                )
                continue
            flags[cid][key] = val
        others = [m for m in s if _local(m.tag) in ("MemberSource", "MemberNote")]
        if others:
            repairs.append(
                f"set '{name}': {len(others)} source/note member(s) ignored "
                "in a codebook"
            )
    return [replace(c, flags=flags[c.id]) for c in codes], set_guids


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def _xsd_path() -> Path:
    return Path(__file__).with_name("xsd") / _SCHEMA_FILE


@functools.lru_cache(maxsize=1)
def _schema(caller: str) -> Any:
    xmlschema = import_optional(
        "xmlschema", extra="refi", caller=caller, what="validating REFI-QDA codebooks"
    )
    return xmlschema.XMLSchema(str(_xsd_path()))


def _schema_errors(root: Any, *, caller: str) -> list[str]:
    schema = _schema(caller)
    out = []
    for err in schema.iter_errors(root):
        reason = getattr(err, "reason", None) or str(err).splitlines()[0]
        path = getattr(err, "path", None)
        out.append(f"{path}: {reason}" if path else str(reason))
    return out


def validate_qdc(source: str | Path | bytes) -> list[str]:
    """Problems of a ``.qdc`` file (or bytes) against the official Codebook schema.

    Returns an empty list when it validates. Needs ``xmlschema`` (extra ``refi``).

    Examples
    --------
    >>> problems = validate_qdc(
    ...     b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>'
    ... )
    >>> print(problems[0])
    /CodeBook/Codes: The content of element ... is not complete. ...
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    root = _parse(
        data, path=str(source) if not isinstance(source, bytes) else "<bytes>"
    )
    return _schema_errors(root, caller="validate_qdc")


def _parse(data: bytes, *, path: str) -> Any:
    """Parse untrusted XML: no DTD, no entities, no network."""
    from lxml import etree

    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise CodebookError(
            Errors.QC310.format(path=path, detail="found <!DOCTYPE or <!ENTITY")
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}: " if getattr(exc, "lineno", None) else ""
        raise CodebookError(
            Errors.QC307.format(
                path=path, detail=f"{line}not well-formed XML, {exc.msg}"
            )
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise CodebookError(Errors.QC310.format(path=path, detail="found a DOCTYPE"))
    return root


def _normalised_copy(root: Any) -> Any:
    """A copy with every element in the 1.0 codebook namespace (for validation)."""
    from lxml import etree

    new = etree.Element(
        f"{{{QDC_NAMESPACE}}}{_local(root.tag)}", nsmap={None: QDC_NAMESPACE}
    )
    for k, v in root.attrib.items():
        if not k.startswith("{"):
            new.set(k, v)
    new.text = root.text

    def copy(src: Any, dst: Any) -> None:
        for child in src:
            if not isinstance(child.tag, str):
                continue
            c = etree.SubElement(dst, f"{{{QDC_NAMESPACE}}}{_local(child.tag)}")
            for k, v in child.attrib.items():
                if not k.startswith("{"):
                    c.set(k, v)
            c.text = child.text
            copy(child, c)

    copy(root, new)
    return new


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) leniently.

    Parameters
    ----------
    path : path

    Returns
    -------
    Codebook
        Named after the file unless the file was written by qualcode (which
        stores name, version and description in a leading comment).

    Raises
    ------
    CodebookError
        When the file is missing, not XML, declares a DOCTYPE/ENTITY, is not a
        ``CodeBook`` or holds no codes.

    Warns
    -----
    CodebookWarning
        Once, listing everything that was repaired or kept in another form
        (foreign namespace, empty ``<Sets/>``, odd colours, code groups...).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.qdc")
    >>> cb = Codebook(
    ...     [Code("pursue", "Pursue", definition="Disrupt.", color="#0072B2")],
    ...     name="Roles",
    ... )
    >>> _ = write_qdc(cb, p)
    >>> back = read_qdc(p)
    >>> back.to_dict() == cb.to_dict()
    True
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(
            Errors.QC301.format(path=path, detail="file not found. Check the path.")
        ) from None
    except OSError as exc:
        raise CodebookError(
            Errors.QC301.format(path=path, detail=f"cannot read the file ({exc}).")
        ) from exc
    if not data.strip():
        raise CodebookError(Errors.QC307.format(path=path, detail="the file is empty"))
    root = _parse(data, path=str(path))
    if _local(root.tag) != "CodeBook":
        raise CodebookError(
            Errors.QC307.format(
                path=path,
                detail=f"the root element is <{_local(root.tag)}>, not <CodeBook>"
                + (
                    "; a project (.qde/.qdpx) is read with qualcode.read_qdpx"
                    if _local(root.tag) == "Project"
                    else ""
                ),
            )
        )
    repairs: list[str] = []
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
    if ns != QDC_NAMESPACE:
        if ns is None:
            repairs.append(f"no namespace: read as {QDC_NAMESPACE}")
        elif _NS_RE.match(ns):
            repairs.append(f"namespace {ns} read as {QDC_NAMESPACE}")
        else:
            repairs.append(f"unknown namespace {ns} read as {QDC_NAMESPACE}")
    try:
        problems = _schema_errors(_normalised_copy(root), caller="read_qdc")
    except Exception as exc:  # xmlschema missing: reading still works
        problems = []
        if not isinstance(exc, ImportError):
            raise
    if problems:
        repairs.append(
            f"{len(problems)} schema problem(s) after normalising, first: {problems[0]}"
        )
    codes_el = next((e for e in root if _local(e.tag) == "Codes"), None)
    if codes_el is None:
        raise CodebookError(Errors.QC307.format(path=path, detail="no <Codes> element"))
    codes, guids = codes_from_xml(codes_el, repairs=repairs)
    if not codes:
        raise CodebookError(Errors.QC307.format(path=path, detail="no <Code> elements"))
    origin = root.get("origin")
    ours = bool(origin and origin.startswith("qualcode"))
    sets_el = next((e for e in root if _local(e.tag) == "Sets"), None)
    set_guids: dict[str, str] = {}
    if sets_el is not None:
        codes, set_guids = sets_from_xml(
            sets_el, codes, guids, repairs=repairs, quiet_sets=ours
        )
    info: dict[str, Any] = {}
    for node in root:
        if not isinstance(node.tag, str) and (node.text or "").startswith(_META_PREFIX):
            try:
                info = json.loads(node.text[len(_META_PREFIX) :])
            except ValueError:
                repairs.append("an unreadable qualcode metadata comment was ignored")
            break
    meta = dict(info.get("meta") or {})
    if set_guids or (origin and not ours):
        refi = dict(meta.get("refi") or {})
        if origin and not ours:
            refi["origin"] = origin
        if set_guids:
            refi["set_guids"] = set_guids
        meta["refi"] = refi
    if repairs:
        warnings.warn(
            Errors.QC308.format(path=path, detail="; ".join(repairs) + "."),
            CodebookWarning,
            stacklevel=3,
        )
    return Codebook(
        codes,
        name=str(info.get("name") or path.stem),
        version=str(info.get("version") or "0"),
        description=str(info.get("description") or ""),
        path=str(path),
        meta=meta,
    )


def _meta_comment(codebook: Codebook) -> str:
    meta = {k: v for k, v in codebook.meta.items() if k != "refi"}
    if isinstance(codebook.meta.get("refi"), Mapping):
        kept = {k: v for k, v in codebook.meta["refi"].items() if k != "set_guids"}
        if kept:
            meta["refi"] = kept
    info = {
        "name": codebook.name,
        "version": codebook.version,
        "description": codebook.description,
        "meta": meta,
    }
    text = json.dumps(info, ensure_ascii=True, sort_keys=False, default=str)
    return _META_PREFIX + text.replace("--", "-\\u002d")


def write_qdc(
    codebook: Codebook, path: str | Path, *, origin: str | None = None
) -> Path:
    """Write a REFI-QDA codebook (``.qdc``) that validates against the official schema.

    Parameters
    ----------
    codebook : Codebook
    path : path
    origin : str, optional
        The ``origin`` attribute; defaults to ``qualcode <version>``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    CodebookError
        If the codebook has no codes or the output does not validate (a bug).

    Examples
    --------
    >>> import tempfile, os
    >>> cb = Codebook(
    ...     [Code("pursue", "Pursue"), Code("enforce", "Enforce", parent="pursue")]
    ... )
    >>> p = write_qdc(cb, os.path.join(tempfile.mkdtemp(), "roles.qdc"))
    >>> validate_qdc(p)
    []
    """
    from lxml import etree

    path = Path(path)
    if len(codebook) == 0:
        raise CodebookError(
            Errors.QC301.format(
                path=path, detail="a REFI-QDA codebook needs at least one code."
            )
        )
    root = etree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", nsmap={None: QDC_NAMESPACE})
    root.set("origin", origin or f"qualcode {__version__}")
    root.append(etree.Comment(_meta_comment(codebook)))
    codes_el = etree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    guids = codes_to_xml(codebook, codes_el, QDC_NAMESPACE)
    sets_el = etree.Element(f"{{{QDC_NAMESPACE}}}Sets")
    if sets_to_xml(codebook, sets_el, QDC_NAMESPACE, guids):
        root.append(sets_el)
    errors = _schema_errors(root, caller="write_qdc")
    if errors:
        raise CodebookError(
            Errors.QC309.format(
                path=path, schema=_SCHEMA_FILE, detail="; ".join(errors[:3])
            )
        )
    data = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path
