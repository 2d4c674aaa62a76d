"""Secure XML parsing and schema validation for REFI-QDA files.

Parsing never resolves entities, never loads a DTD and never touches the
network. Any DOCTYPE or ENTITY declaration is refused before the parser runs,
so XXE and "billion laughs" documents fail with a clear
:class:`~qualcode.errors.ImportFormatError` instead of expanding.

Namespaces are handled leniently on read (P3 in the REFI notes): callers work
with local names, and :func:`normalise_namespace` rewrites any
``urn:QDA-XML:project:*`` / ``codebook:*`` variant (or no namespace) to the 1.0
namespace before validation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._optional import import_optional
from qualcode.errors import Errors, ImportFormatError

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

__all__ = [
    "XML_ILLEGAL",
    "PROJECT_NS",
    "CODEBOOK_NS",
    "parse_xml",
    "local",
    "children",
    "child",
    "normalise_namespace",
    "schema_errors",
    "xml_text",
]

#: Characters XML 1.0 cannot hold: C0 controls other than tab, LF and CR, the
#: non-characters U+FFFE/U+FFFF, and lone surrogates.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSD_DIR = Path(__file__).with_name("xsd")
_NS_RE = re.compile(r"^urn:QDA-XML:(project|codebook):.*$", re.IGNORECASE)
_DECL_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _decode_for_scan(data: bytes) -> bytes:
    """Bytes in an ASCII-compatible form so declarations can be found by a scan."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return data
    if len(data) > 1 and (data[0] == 0 or data[1] == 0):  # UTF-16 without BOM
        for enc in ("utf-16-be", "utf-16-le"):
            try:
                return data.decode(enc).encode("utf-8")
            except UnicodeDecodeError:
                continue
    return data


def parse_xml(data: bytes, *, path: object, entry: str) -> etree._Element:
    """Parse untrusted XML bytes into an lxml element, safely.

    A UTF-8 BOM before ``<?xml`` is tolerated (older QualCoder wrote one).

    Raises
    ------
    ImportFormatError
        QC712 for any DOCTYPE/ENTITY declaration, QC711 for malformed XML.

    Examples
    --------
    >>> parse_xml(b"<Project name='x'/>", path="p.qdpx", entry="project.qde").get(
    ...     "name"
    ... )
    'x'
    >>> parse_xml(
    ...     b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    ...     path="p.qdpx",
    ...     entry="project.qde",
    ... )
    Traceback (most recent call last):
    ...
    qualcode.errors.ImportFormatError: [QC712] p.qdpx, entry 'project.qde': refused ...
    """
    from lxml import etree

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = _DECL_RE.search(_decode_for_scan(data))
    if m:
        raise ImportFormatError(
            Errors.QC712.format(
                path=path, entry=entry, detail=f"<!{m.group(1).decode().upper()} ...>"
            ),
            path=path,
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(
            Errors.QC711.format(path=path, entry=entry, detail=exc),
            path=path,
            line=getattr(exc, "lineno", None),
            position=getattr(exc, "offset", None),
        ) from exc
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None:
        raise ImportFormatError(
            Errors.QC712.format(path=path, entry=entry, detail="DOCTYPE"), path=path
        )
    return root


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD.

    The one rule for every field qualcode writes into REFI-QDA XML (names, labels,
    descriptions, memos, attribute names and values); tab, LF and CR are kept.

    Examples
    --------
    >>> xml_text("A\\x01B\\x0cC\\tD")
    'A\\ufffdB\\ufffdC\\tD'
    """
    return XML_ILLEGAL.sub("\ufffd", text)


def local(el: Any) -> str:
    """The element's local name (namespace dropped); '' for comments and PIs."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: Any) -> str | None:
    """The element's namespace URI or None."""
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return None


def children(el: Any, name: str) -> list[Any]:
    """Direct children with local name ``name`` (any namespace)."""
    return [c for c in el if local(c) == name]


def child(el: Any, name: str) -> Any | None:
    """The first direct child with local name ``name``, or None."""
    for c in el:
        if local(c) == name:
            return c
    return None


def text_of(el: Any | None) -> str:
    """The element's text ('' when missing or empty)."""
    if el is None:
        return ""
    return "".join(el.itertext())


def normalise_namespace(root: Any, *, kind: str = "project") -> tuple[Any, str | None]:
    """Rewrite a REFI namespace variant (or none) to the 1.0 namespace, in a copy.

    Returns the new root and the original namespace when it was changed
    (None when it already was the standard one).
    """
    import copy

    target = PROJECT_NS if kind == "project" else CODEBOOK_NS
    ns = namespace(root)
    if ns == target:
        return root, None
    root = copy.deepcopy(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el_ns = namespace(el)
        if el_ns is None or _NS_RE.match(el_ns):
            el.tag = f"{{{target}}}{local(el)}"
    from lxml import etree

    etree.cleanup_namespaces(root)
    return root, ns or "(none)"


@lru_cache(maxsize=2)
def _schema(name: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_DIR / name))


def schema_errors(root: Any, *, kind: str = "project", limit: int = 20) -> list[str]:
    """Validation errors of ``root`` against the vendored 2019 REFI schema.

    Examples
    --------
    >>> from lxml import etree
    >>> el = etree.fromstring('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    >>> schema_errors(el)
    []
    """
    import_optional("xmlschema", extra="refi", caller="REFI-QDA validation")
    name = "Project-mrt2019.xsd" if kind == "project" else "Codebook-mrt2019.xsd"
    out = []
    for err in _schema(name).iter_errors(root):
        out.append(f"{err.path}: {err.reason}")
        if len(out) >= limit:
            break
    return out
