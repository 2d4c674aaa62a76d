"""Codebooks: hierarchical codes with definitions, rules, examples and patterns.

The YAML format is documented field by field in ``codebooks/README.md`` (and in
``shared/API.md``). A codebook is data, versioned in ``codebooks/``; the project
records which version (and content hash) codings were made with.

Loading validates the whole file and reports **every** problem at once in one
:class:`~qualcode.errors.CodebookError`, each naming the file, the line and the
code id: missing or malformed ids, duplicate ids, unknown parents, parent
cycles, empty labels, bad colours (``#RRGGBB`` or ``#RGB``), malformed patterns
(token patterns are checked with spaCy's own validation) and wrongly typed
fields. Unknown keys are ignored with a :class:`~qualcode.errors.CodebookWarning`.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._grammar import pattern_summary, pattern_verdict
from qualcode.errors import (
    CodebookError,
    CodebookWarning,
    Errors,
    InvalidInputError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CODE_KEYS", "SOURCE_STATUSES", "Code", "Codebook", "pattern_summary"]

#: Keys a code may have in the YAML layout, in the order they are written.
CODE_KEYS: tuple[str, ...] = (
    "id",
    "label",
    "parent",
    "definition",
    "include",
    "exclude",
    "examples",
    "patterns",
    "exclude_patterns",
    "color",
    "flags",
    "source",
    "source_status",
    "note",
    "guid",
)

#: Recommended values of ``Code.source_status`` (not enforced).
SOURCE_STATUSES: tuple[str, ...] = (
    "study",
    "study-reconstructed",
    "published",
    "proposed",
)

_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_GUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_FLAG_RE = re.compile(r"^\S(?:[^\n=]*\S)?$")
_LIST_KEYS = ("include", "exclude", "examples")
_TEXT_KEYS = ("definition", "source", "source_status", "note", "guid")
_RENDER_SUFFIXES = (".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a codebook.

    Parameters
    ----------
    id : str
        Unique, stable, lower-case id (letters, digits, ``-`` or ``_`` between them).
    label : str
        The name shown to coders and in figures (keep a published label's spelling).
    parent : str, optional
        Id of the parent code; None for a root.
    definition : str
        What the code means, for coders.
    include, exclude : tuple of str
        When to apply it, and when not to (with the code to use instead).
    examples : tuple of str
        Short (fictional) quotes the code applies to.
    patterns : tuple
        Patterns for assisted tagging: a phrase (str) or a spaCy Matcher token
        pattern (a list of token dicts such as ``[{"LEMMA": "arrest"}]``).
    exclude_patterns : tuple
        Patterns in the same form that veto a suggestion of this code in a unit
        where they match (e.g. ``"false arrest"``); ``exclude`` stays prose for coders.
    color : str, optional
        ``#RRGGBB`` or ``#RGB``.
    flags : dict
        Named properties, e.g. ``{"harm_reduction": True}``.
    source : str, optional
        Provenance of the label (citation).
    source_status : str, optional
        How sure the provenance is; see :data:`SOURCE_STATUSES`.
    note : str, optional
        Free notes (e.g. how an illegible label was reconstructed).
    guid : str, optional
        A GUID imported from a REFI-QDA file, kept so re-exports reuse it.
    line : int, optional
        Line in the file the code was loaded from (for messages; not content).

    Examples
    --------
    >>> c = Code("pursue", "Pursue", definition="Prosecute and disrupt.")
    >>> c.id, c.parent, c.flags
    ('pursue', None, {})
    """

    id: str
    label: str
    parent: str | None = None
    definition: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    patterns: tuple[Any, ...] = ()
    color: str | None = None
    flags: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    line: int | None = None  # line in the file it was loaded from (for messages)
    source_status: str | None = None
    note: str | None = None
    guid: str | None = None
    exclude_patterns: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The code as a plain dict in the YAML layout (empty fields dropped).

        Examples
        --------
        >>> Code("pursue", "Pursue", color="#0072B2").to_dict()
        {'id': 'pursue', 'label': 'Pursue', 'color': '#0072B2'}
        """
        d = asdict(self)
        out: dict[str, Any] = {}
        for k in CODE_KEYS:
            v = d.get(k)
            if v is None or (not isinstance(v, bool) and v in ("", (), [], {})):
                continue
            if isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, Mapping):
                v = dict(v)
            out[k] = v
        return out


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
@dataclass
class _Where:
    """Where a code came from: its entry number and the lines of its keys."""

    index: int | None = None
    line: int | None = None
    keys: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)

    def of(self, key: str | None = None, item: int | None = None) -> int | None:
        if key is not None and item is not None:
            lines = self.items.get(key, [])
            if item < len(lines):
                return lines[item]
        if key is not None and key in self.keys:
            return self.keys[key]
        return self.line


@dataclass(frozen=True)
class _Problem:
    line: int | None
    code: str | None
    index: int | None
    detail: str

    def render(self, path: str) -> str:
        return Errors.QC304.format(
            where=_where_text(path, self.line, self.code, self.index),
            detail=self.detail,
        )


def _where_text(
    path: str, line: int | None, code: str | None, index: int | None
) -> str:
    """``file, line N, code 'x'`` (or the entry number when lines are unknown)."""
    where = str(path)
    if line is not None:
        where += f", line {line}"
    if code:
        where += f", code '{code}'"
        if line is None and index is not None:
            where += f" (entry {index + 1})"
    elif index is not None:
        where += f", code #{index + 1} (no id)"
    return where


def _raise_problems(problems: list[_Problem], path: str) -> None:
    if not problems:
        return
    problems = sorted(
        problems, key=lambda p: (p.line is None, p.line or 0, p.index or 0)
    )
    lines = "\n".join("  - " + p.render(path) for p in problems)
    raise CodebookError(
        Errors.QC303.format(path=path, count=len(problems), problems=lines)
    )


def _check_codes(
    codes: list[Code], wheres: list[_Where] | None = None
) -> list[_Problem]:
    """Every problem of these codes (fields and structure), with lines."""
    if wheres is None:
        wheres = [_Where(index=i, line=c.line) for i, c in enumerate(codes)]
    problems: list[_Problem] = []

    def add(i: int, key: str | None, detail: str, item: int | None = None) -> None:
        c, w = codes[i], wheres[i]
        problems.append(_Problem(w.of(key, item), c.id or None, w.index, detail))

    first: dict[str, int] = {}
    for i, c in enumerate(codes):
        if not c.id:
            add(i, "id", "the id is missing or empty. Give every code a unique id.")
        elif not _ID_RE.match(c.id):
            add(
                i,
                "id",
                f"the id {c.id!r} is not valid: use lower-case letters and digits "
                "joined by '-' or '_' (e.g. 'disrupt-ocgs').",
            )
        if c.id:
            if c.id in first:
                j = first[c.id]
                prev = wheres[j].of("id")
                at = f" (line {prev})" if prev is not None else f" (entry {j + 1})"
                add(
                    i,
                    "id",
                    f"duplicate id: already used by an earlier code{at}. Rename one.",
                )
            else:
                first[c.id] = i
        if not str(c.label).strip():
            add(i, "label", "the label is missing or empty. Give the code a label.")
        if c.color is not None and not (
            isinstance(c.color, str) and _COLOR_RE.match(c.color)
        ):
            add(
                i,
                "color",
                f"bad colour {c.color!r}: use '#RRGGBB' or '#RGB' (quote it in YAML).",
            )
        if c.guid is not None and not (
            isinstance(c.guid, str) and _GUID_RE.match(c.guid)
        ):
            add(i, "guid", f"bad GUID {c.guid!r}: use the 8-4-4-4-12 hex form.")
        for name in c.flags:
            if not (isinstance(name, str) and _FLAG_RE.match(name)):
                add(
                    i,
                    "flags",
                    f"bad flag name {name!r}: use a name without '=', line breaks "
                    "or outer spaces (e.g. 'harm_reduction').",
                )
        for field_name in ("patterns", "exclude_patterns"):
            veto = field_name == "exclude_patterns"
            what = "exclude pattern" if veto else "pattern"
            for k, p in enumerate(getattr(c, field_name)):
                verdict = pattern_verdict(p, veto=veto)
                if verdict:
                    add(
                        i,
                        field_name,
                        f"{what} {k + 1} is {verdict[0]}: {verdict[1]}.",
                        item=k,
                    )

    # parents and cycles
    by_id = {c.id: i for i, c in enumerate(codes) if c.id}
    for i, c in enumerate(codes):
        if c.parent is not None and c.parent not in by_id:
            hint = difflib.get_close_matches(str(c.parent), list(by_id), n=1)
            add(
                i,
                "parent",
                f"unknown parent '{c.parent}'"
                + (f" (did you mean '{hint[0]}'?)" if hint else "")
                + ". Use the id of a code in this codebook, or drop 'parent' "
                "for a root.",
            )
    reported: set[frozenset[str]] = set()
    for c in codes:
        chain: list[str] = []
        cur: str | None = c.id
        while cur is not None and cur in by_id and cur not in chain:
            chain.append(cur)
            cur = codes[by_id[cur]].parent
        if cur is not None and cur in chain:
            cycle = chain[chain.index(cur) :]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                shown = " -> ".join([*cycle, cur])
                add(
                    by_id[cycle[0]],
                    "parent",
                    f"the parents form a cycle ({shown}). Give one of these codes "
                    "another parent or none.",
                )
    return problems


def _as_text_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _code_from_raw(
    raw: Any, where: _Where, *, warn_path: str | None
) -> tuple[Code | None, list[_Problem]]:
    """Build one Code from its YAML mapping, collecting type problems."""
    problems: list[_Problem] = []
    if not isinstance(raw, Mapping):
        problems.append(
            _Problem(
                where.line,
                None,
                where.index,
                f"each code must be a mapping with at least 'id' and 'label'; got "
                f"{type(raw).__name__}.",
            )
        )
        return None, problems
    cid = raw.get("id")
    cid = "" if cid is None else str(cid)

    def bad(key: str, detail: str, item: int | None = None) -> None:
        problems.append(_Problem(where.of(key, item), cid or None, where.index, detail))

    if not cid:
        bad("id", "the id is missing or empty. Give every code a unique id.")
    for key in raw:
        if key not in CODE_KEYS:
            hint = difflib.get_close_matches(str(key), CODE_KEYS, n=1)
            if str(key).lower() == "colour":
                hint = ["color"]
            msg = Errors.QC305.format(
                where=_where_text(
                    warn_path or "<codebook>",
                    where.of(str(key)),
                    cid or None,
                    where.index,
                ),
                key=key,
                hint=f" (did you mean '{hint[0]}'?)" if hint else "",
                known=", ".join(CODE_KEYS),
            )
            warnings.warn(msg, CodebookWarning, stacklevel=4)
    label = raw.get("label")
    label = "" if label is None else str(label)
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        parent = str(parent)
    texts: dict[str, str | None] = {}
    for key in _TEXT_KEYS:
        v = raw.get(key)
        if v is not None and not isinstance(v, str):
            bad(key, f"'{key}' must be text; got {type(v).__name__}.")
            v = None
        texts[key] = v
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        v = _as_text_tuple(raw.get(key))
        if v is None:
            bad(key, f"'{key}' must be a text or a list of texts.")
            v = ()
        lists[key] = v
    pattern_lists: dict[str, list[Any]] = {}
    for key in ("patterns", "exclude_patterns"):
        value = raw.get(key)
        if value is None:
            value = []
        elif not isinstance(value, list | tuple):
            bad(key, f"'{key}' must be a list (of phrases and/or token patterns).")
            value = []
        pattern_lists[key] = list(value)
    patterns = pattern_lists["patterns"]
    flags = raw.get("flags")
    if flags is None:
        flags = {}
    elif not isinstance(flags, Mapping):
        bad("flags", "'flags' must be a mapping such as {harm_reduction: true}.")
        flags = {}
    else:
        for k, v in flags.items():
            if not isinstance(v, str | bool | int | float) and v is not None:
                bad(
                    "flags",
                    f"flag '{k}' must have a single value "
                    "(true/false, a number or text).",
                )
    color = raw.get("color")
    if color is not None and not isinstance(color, str):
        color = str(color)
    if not cid:
        return None, problems
    code = Code(
        id=cid,
        label=label,
        parent=parent,
        definition=texts["definition"] or "",
        include=lists["include"],
        exclude=lists["exclude"],
        examples=lists["examples"],
        patterns=tuple(patterns),
        color=color,
        flags=dict(flags),
        source=texts["source"],
        line=where.line,
        source_status=texts["source_status"],
        note=texts["note"],
        guid=texts["guid"],
        exclude_patterns=tuple(pattern_lists["exclude_patterns"]),
    )
    return code, problems


def _yaml_lines(node: Any) -> list[_Where]:
    """Lines of each code entry and of its keys, from a composed YAML node tree."""
    import yaml

    out: list[_Where] = []
    if not isinstance(node, yaml.MappingNode):
        return out
    codes_node = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "codes":
            codes_node = v
    if not isinstance(codes_node, yaml.SequenceNode):
        return out
    for i, item in enumerate(codes_node.value):
        w = _Where(index=i, line=item.start_mark.line + 1)
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if isinstance(k, yaml.ScalarNode):
                    w.keys.setdefault(k.value, k.start_mark.line + 1)
                    if isinstance(v, yaml.SequenceNode):
                        w.items[k.value] = [e.start_mark.line + 1 for e in v.value]
        out.append(w)
    return out


def _duplicate_keys(node: Any) -> list[_Problem]:
    """Keys repeated within one YAML mapping (YAML would silently keep the last)."""
    import yaml

    problems: list[_Problem] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        problems.append(
                            _Problem(
                                k.start_mark.line + 1,
                                None,
                                None,
                                f"the key '{k.value}' appears twice in one mapping "
                                f"(first at line {seen[k.value]}); YAML would keep "
                                "only the last. "
                                "Remove one.",
                            )
                        )
                    else:
                        seen[k.value] = k.start_mark.line + 1
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return problems


# ---------------------------------------------------------------------------
# rendering helpers
# ---------------------------------------------------------------------------
_HTML_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{margin-bottom:.2rem} .meta{color:#555;font-size:.9rem}
section.code{border-left:.45rem solid var(--c,#999);padding:.2rem .8rem;margin:1rem 0;
break-inside:avoid;page-break-inside:avoid}
section.depth-0{background:#f6f6f6}
code{background:#f0f0f0;padding:0 .2rem;border-radius:3px;font-size:.9em}
.id{color:#555;font-weight:normal;font-size:.8em}
blockquote{margin:.2rem 0 .2rem 1rem;color:#333;font-style:italic}
dt{font-weight:bold;margin-top:.4rem} dd{margin-left:1rem}
ul{margin:.2rem 0} .flags{font-size:.85rem;color:#444}
nav ul{columns:2} @media print{nav{display:none} body{max-width:none}}
"""


# ---------------------------------------------------------------------------
# the codebook
# ---------------------------------------------------------------------------
class Codebook:
    """An ordered, hierarchical set of :class:`Code`.

    Parameters
    ----------
    codes : iterable of Code
    name : str
    version : str
    description : str
    path : str, optional
        Where it was loaded from (used in messages).
    meta : mapping, optional
        Further top-level fields of the file (e.g. ``sources``), kept on save.
    validate : bool, default True
        Check the codes (ids, labels, colours, patterns, parents, cycles) and
        raise one :class:`~qualcode.errors.CodebookError` listing every problem.

    Examples
    --------
    >>> cb = Codebook(
    ...     [
    ...         Code("pursue", "Pursue"),
    ...         Code("enforce", "Enforce drug laws", parent="pursue"),
    ...     ],
    ...     name="Roles",
    ...     version="1.0.0",
    ... )
    >>> [c.id for c in cb.roots()], [c.id for c in cb.children("pursue")]
    (['pursue'], ['enforce'])
    >>> cb.parent("enforce").id, [a.id for a in cb.ancestors("enforce")]
    ('pursue', ['pursue'])
    """

    def __init__(
        self,
        codes: Iterable[Code] = (),
        *,
        name: str = "",
        version: str = "0",
        description: str = "",
        path: str | None = None,
        meta: Mapping[str, Any] | None = None,
        validate: bool = True,
    ) -> None:
        self.name = name
        self.version = str(version)
        self.description = description
        self.path = path
        self.meta = dict(meta or {})
        codes = list(codes)
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="codes",
                        caller="Codebook",
                        expected="an iterable of Code",
                        got=type(c).__name__,
                    )
                )
        if validate:
            _raise_problems(_check_codes(codes), str(path or name or "<codebook>"))
        self._codes: dict[str, Code] = {}
        self._part: dict[str, str] = {}
        for c in codes:
            if c.id in self._codes:  # only reachable with validate=False
                raise CodebookError(
                    Errors.QC301.format(
                        path=path or name, detail=f"duplicate code id '{c.id}'."
                    )
                )
            self._codes[c.id] = c

    # -- collection protocol ----------------------------------------------
    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._codes

    def __getitem__(self, code_id: str) -> Code:
        try:
            return self._codes[code_id]
        except KeyError:
            known = ", ".join(list(self._codes)[:5])
            raise CodebookError(
                Errors.QC302.format(code=code_id, codebook=self.name, known=known)
            ) from None

    def __repr__(self) -> str:
        return (
            f"Codebook(name={self.name!r}, version={self.version!r}, codes={len(self)})"
        )

    @property
    def ids(self) -> list[str]:
        """Code ids in file order.

        Examples
        --------
        >>> Codebook([Code("a", "A"), Code("b", "B", parent="a")]).ids
        ['a', 'b']
        """
        return list(self._codes)

    # -- hierarchy ---------------------------------------------------------
    def roots(self) -> list[Code]:
        """Codes without a parent, in file order."""
        return [c for c in self if c.parent is None]

    def children(self, code_id: str) -> list[Code]:
        """Direct children of ``code_id``, in file order."""
        self[code_id]
        return [c for c in self if c.parent == code_id]

    def parent(self, code_id: str) -> Code | None:
        """The parent code, or None for a root."""
        p = self[code_id].parent
        return None if p is None else self[p]

    def ancestors(self, code_id: str) -> list[Code]:
        """Parent, grandparent, ... up to the root."""
        out: list[Code] = []
        seen = {code_id}
        p = self.parent(code_id)
        while p is not None and p.id not in seen:
            out.append(p)
            seen.add(p.id)
            p = self.parent(p.id)
        return out

    def root_of(self, code_id: str) -> Code:
        """The top-level code above ``code_id`` (itself if it is a root)."""
        anc = self.ancestors(code_id)
        return anc[-1] if anc else self[code_id]

    def descendants(self, code_id: str) -> list[Code]:
        """All codes below ``code_id``, depth first."""
        out: list[Code] = []
        for c in self.children(code_id):
            out.append(c)
            out.extend(self.descendants(c.id))
        return out

    def walk(self) -> Iterator[tuple[Code, int]]:
        """``(code, depth)`` in hierarchy order: each root, then its subtree.

        Examples
        --------
        >>> cb = Codebook(
        ...     [Code("a", "A"), Code("b", "B"), Code("a1", "A1", parent="a")]
        ... )
        >>> [(c.id, d) for c, d in cb.walk()]
        [('a', 0), ('a1', 1), ('b', 0)]
        """
        kids: dict[str | None, list[Code]] = {}
        for c in self:
            kids.setdefault(c.parent, []).append(c)

        def rec(code: Code, depth: int) -> Iterator[tuple[Code, int]]:
            yield code, depth
            for k in kids.get(code.id, []):
                yield from rec(k, depth + 1)

        for r in kids.get(None, []):
            yield from rec(r, 0)

    # -- identity ----------------------------------------------------------
    @property
    def hash(self) -> str:
        """SHA-256 over the codes' content (first 12 hex digits): codings record it."""
        payload = json.dumps(
            [c.to_dict() for c in self], sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    def flagged(self, flag: str, value: Any = True) -> list[Code]:
        """Codes whose ``flags[flag] == value``, in file order.

        Examples
        --------
        >>> cb = Codebook(
        ...     [Code("a", "A", flags={"harm_reduction": True}), Code("b", "B")]
        ... )
        >>> [c.id for c in cb.flagged("harm_reduction")]
        ['a']
        """
        return [c for c in self if c.flags.get(flag) == value]

    def to_frame(self) -> pd.DataFrame:
        """One row per code, in file order.

        Returns
        -------
        pandas.DataFrame
            ``code, label, parent, root, depth, definition, n_include, n_exclude,
            n_examples, n_patterns, color, source, source_status``, then one
            ``flag_<name>`` column per flag used in the codebook.

        Examples
        --------
        >>> cb = Codebook(
        ...     [
        ...         Code("p", "Pursue"),
        ...         Code("e", "Enforce", parent="p", flags={"harm_reduction": False}),
        ...     ]
        ... )
        >>> cb.to_frame()[
        ...     ["code", "root", "depth", "flag_harm_reduction"]
        ... ].values.tolist()
        [['p', 'p', 0, <NA>], ['e', 'p', 1, False]]
        """
        from qualcode._columns import CODES, frame

        flag_names: list[str] = []
        for c in self:
            for k in c.flags:
                if k not in flag_names:
                    flag_names.append(k)
        rows = []
        for c in self:
            row: dict[str, Any] = {
                "code": c.id,
                "label": c.label,
                "parent": c.parent,
                "root": self.root_of(c.id).id,
                "depth": len(self.ancestors(c.id)),
                "definition": c.definition,
                "n_include": len(c.include),
                "n_exclude": len(c.exclude),
                "n_examples": len(c.examples),
                "n_patterns": len(c.patterns),
                "color": c.color,
                "source": c.source,
                "source_status": c.source_status,
            }
            for k in flag_names:
                row[f"flag_{k}"] = c.flags.get(k)
            rows.append(row)
        df = frame(rows, CODES, extra=[f"flag_{k}" for k in flag_names])
        for k in flag_names:
            col = df[f"flag_{k}"]
            values = [v for v in col if v is not None]
            if values and all(isinstance(v, bool) for v in values):
                df[f"flag_{k}"] = col.astype("boolean")
        return df

    def to_dict(self) -> dict[str, Any]:
        """The whole codebook in the YAML layout."""
        d: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            d["description"] = self.description
        d.update(self.meta)
        d["codes"] = [c.to_dict() for c in self]
        return d

    # -- combining ---------------------------------------------------------
    @classmethod
    def combine(
        cls,
        *codebooks: Codebook,
        name: str | None = None,
        version: str | None = None,
        description: str | None = None,
    ) -> Codebook:
        """One codebook holding the codes of several, in order (ids must stay unique).

        Parameters
        ----------
        *codebooks : Codebook
        name : str, optional
            Defaults to the names joined with " + ".
        version : str, optional
            Defaults to ``name@version`` of each, joined with "+".
        description : str, optional

        Returns
        -------
        Codebook
            ``meta["combined_from"]`` lists each part's name, version, hash, path and
            root ids; :meth:`part_of` tells which part a code came from.

        Raises
        ------
        CodebookError
            When a code id occurs in two of the codebooks.

        Examples
        --------
        >>> a = Codebook([Code("pursue", "Pursue")], name="roles", version="1.0.0")
        >>> b = Codebook([Code("harm-crime", "Crime")], name="harms", version="1.0.0")
        >>> both = Codebook.combine(a, b)
        >>> both.name, both.version, both.ids
        ('roles + harms', 'roles@1.0.0+harms@1.0.0', ['pursue', 'harm-crime'])
        >>> both.part_of("harm-crime")
        'harms'
        """
        if not codebooks:
            raise InvalidInputError(
                Errors.QC104.format(caller="Codebook.combine", param="codebooks")
            )
        for cb in codebooks:
            if not isinstance(cb, Codebook):
                raise InvalidInputError(
                    Errors.QC101.format(
                        param="codebooks",
                        caller="Codebook.combine",
                        expected="Codebook objects",
                        got=type(cb).__name__,
                    )
                )
        owner: dict[str, Codebook] = {}
        codes: list[Code] = []
        for cb in codebooks:
            for c in cb:
                if c.id in owner:

                    def label(b: Codebook, code: Code) -> str:
                        where = (
                            f" ({b.path}"
                            + (f", line {code.line}" if code.line else "")
                            + ")"
                        )
                        return f"'{b.name or '<unnamed>'}'" + (where if b.path else "")

                    raise CodebookError(
                        Errors.QC306.format(
                            code=c.id,
                            first=label(owner[c.id], owner[c.id][c.id]),
                            second=label(cb, c),
                        )
                    )
                owner[c.id] = cb
                codes.append(c)
        parts = [
            {
                "name": cb.name,
                "version": cb.version,
                "hash": cb.hash,
                "path": cb.path,
                "roots": [r.id for r in cb.roots()],
            }
            for cb in codebooks
        ]
        out = cls(
            codes,
            name=name if name is not None else " + ".join(cb.name for cb in codebooks),
            version=version
            if version is not None
            else "+".join(f"{cb.name}@{cb.version}" for cb in codebooks),
            description=description if description is not None else "",
            meta={"combined_from": parts},
            validate=False,  # each part is valid and ids are unique
        )
        out._part = {cid: cb.name for cid, cb in owner.items()}
        return out

    def part_of(self, code_id: str) -> str:
        """Name of the codebook a code came from (this one's name unless combined)."""
        self[code_id]
        return self._part.get(code_id, self.name)

    # -- files -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Codebook:
        """Load a ``.yaml``/``.yml`` codebook (or a REFI ``.qdc``), validating it.

        Raises
        ------
        CodebookError
            Listing every problem, each with file, line and code id.

        Warns
        -----
        CodebookWarning
            For unknown keys (ignored) and for REFI files read leniently.

        Examples
        --------
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "cb.yaml")
        >>> _ = open(p, "w").write(
        ...     "name: x\\nversion: 1\\ncodes:\\n  - {id: a, label: A}\\n"
        ... )
        >>> Codebook.load(p).ids
        ['a']
        """
        path = Path(path)
        if path.suffix.lower() == ".qdc":
            from qualcode.io.qdc import read_qdc

            return read_qdc(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CodebookError(
                Errors.QC301.format(path=path, detail="file not found. Check the path.")
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CodebookError(
                Errors.QC301.format(
                    path=path, detail=f"cannot read the file ({exc}); save it as UTF-8."
                )
            ) from exc
        return cls.from_yaml(text, path=str(path))

    @classmethod
    def from_yaml(cls, text: str, *, path: str | None = None) -> Codebook:
        """Parse and validate YAML text (``path`` is only used in messages).

        Examples
        --------
        >>> Codebook.from_yaml(
        ...     "codes:\\n  - {id: a, label: A}\\n  - {id: a, label: B}\\n",
        ...     path="x.yaml",
        ... )
        Traceback (most recent call last):
        ...
        qualcode.errors.CodebookError: [QC303] x.yaml: 1 problem(s) found; ...
          - [QC304] x.yaml, line 3, code 'a': duplicate id: ... (line 2). Rename one.
        """
        import yaml

        where = path or "<codebook>"
        # the C loader (libyaml) is ~8x faster and still records line marks
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f", line {mark.line + 1}" if mark is not None else ""
            problem = exc.problem or str(exc)
            raise CodebookError(
                Errors.QC301.format(
                    path=f"{where}{line}",
                    detail=f"not valid YAML ({problem}). Fix the syntax.",
                )
            ) from exc
        except yaml.YAMLError as exc:
            raise CodebookError(
                Errors.QC301.format(path=where, detail=f"not valid YAML ({exc}).")
            ) from exc
        finally:
            loader.dispose()
        dup = _duplicate_keys(node) if node is not None else []
        return cls._from_data(data, path=path, wheres=_yaml_lines(node), extra=dup)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str | None = None) -> Codebook:
        """Build from the YAML layout (``name``, ``version``, ``codes``), validating it.

        Examples
        --------
        >>> cb = Codebook.from_dict(
        ...     {"name": "r", "version": "1", "codes": [{"id": "a", "label": "A"}]}
        ... )
        >>> cb["a"].label
        'A'
        """
        return cls._from_data(data, path=path, wheres=None)

    @classmethod
    def _from_data(
        cls,
        data: Any,
        *,
        path: str | None,
        wheres: list[_Where] | None,
        extra: list[_Problem] = (),  # type: ignore[assignment]
    ) -> Codebook:
        where = path or "<codebook>"
        if not isinstance(data, Mapping) or not isinstance(data.get("codes"), list):
            raise CodebookError(
                Errors.QC301.format(
                    path=where,
                    detail="expected a mapping with 'name', 'version' and a "
                    "'codes' list "
                    "(see codebooks/README.md).",
                )
            )
        problems: list[_Problem] = list(extra)
        codes: list[Code] = []
        code_wheres: list[_Where] = []
        for i, raw in enumerate(data["codes"]):
            w = wheres[i] if wheres is not None and i < len(wheres) else _Where(index=i)
            code, probs = _code_from_raw(raw, w, warn_path=path)
            problems.extend(probs)
            if code is not None:
                codes.append(code)
                code_wheres.append(w)
        problems.extend(_check_codes(codes, code_wheres))
        _raise_problems(problems, where)
        meta = {
            k: v
            for k, v in data.items()
            if k not in ("name", "version", "description", "codes")
        }
        desc = data.get("description")
        return cls(
            codes,
            name=str(data.get("name") or ""),
            version=str(
                data.get("version") if data.get("version") is not None else "0"
            ),
            description=desc if isinstance(desc, str) else "",
            path=path,
            meta=meta,
            validate=False,
        )

    def save(self, path: str | Path) -> Path:
        """Write as YAML (``.yaml``/``.yml``) or REFI ``.qdc`` by suffix.

        Examples
        --------
        >>> import tempfile, os
        >>> cb = Codebook(
        ...     [Code("a", "A", patterns=("county lines", [{"LEMMA": "arrest"}]))],
        ...     name="x",
        ... )
        >>> p = cb.save(os.path.join(tempfile.mkdtemp(), "x.yaml"))
        >>> Codebook.load(p).to_dict() == cb.to_dict()
        True
        """
        path = Path(path)
        if path.suffix.lower() == ".qdc":
            from qualcode.io.qdc import write_qdc

            return write_qdc(self, path)
        import yaml

        text = yaml.safe_dump(
            self.to_dict(), sort_keys=False, allow_unicode=True, width=100
        )
        path.write_text(text, encoding="utf-8")
        return path

    # -- documents for coder training --------------------------------------
    def to_markdown(self) -> str:
        """A readable codebook document (Markdown) for coder training.

        Each code gets a heading by depth, its id, parent, flags and source,
        the definition, include/exclude rules, examples and a summary of its
        tagging patterns (``~word`` = any form of *word*).

        Examples
        --------
        >>> cb = Codebook(
        ...     [Code("pursue", "Pursue", definition="Disrupt and prosecute.")],
        ...     name="Roles",
        ... )
        >>> print(cb.to_markdown().splitlines()[0])
        # Roles
        >>> "Disrupt and prosecute." in cb.to_markdown()
        True
        """
        out: list[str] = [f"# {self.name or 'Codebook'}", ""]
        out.append(
            f"Version {self.version} · {len(self)} codes · content hash `{self.hash}`"
        )
        out.append("")
        if self.description:
            out += [self.description.strip(), ""]
        roots = self.roots()
        if roots:
            out += ["## Contents", ""]
            for r in roots:
                out.append(
                    f"- [{r.label}](#{r.id}) "
                    f"({len(self.descendants(r.id))} codes below)"
                )
            out += [
                "",
                "Patterns: `~word` = any form of *word*; `(a|b)` = either; "
                "`?` optional. Phrases match case-insensitively.",
                "",
            ]
        for code, depth in self.walk():
            level = "#" * min(2 + depth, 6)
            out.append(f'{level} {code.label} <a id="{code.id}"></a>')
            out.append("")
            facts = [f"id `{code.id}`"]
            if code.parent:
                facts.append(f"under {self[code.parent].label}")
            if code.color:
                facts.append(f"colour `{code.color}`")
            for k, v in code.flags.items():
                facts.append(
                    f"{k}: {'yes' if v is True else 'no' if v is False else v}"
                )
            out += [" · ".join(facts), ""]
            if code.definition:
                out += [f"**Definition.** {code.definition.strip()}", ""]
            for title, items in (("Include", code.include), ("Exclude", code.exclude)):
                if items:
                    out.append(f"**{title}:**")
                    out += [f"- {x}" for x in items]
                    out.append("")
            if code.examples:
                out.append("**Examples:**")
                out += [f"> {x}" + "  " for x in code.examples]
                out.append("")
            if code.patterns:
                shown = ", ".join(f"`{pattern_summary(p)}`" for p in code.patterns)
                out += [f"**Patterns:** {shown}", ""]
            if code.source or code.source_status:
                src = code.source or ""
                if code.source_status:
                    src += f" ({code.source_status})"
                out += [f"*Source:* {src.strip()}", ""]
            if code.note:
                out += [f"*Note:* {code.note.strip()}", ""]
        sources = self.meta.get("sources")
        if isinstance(sources, list) and sources:
            out += ["## Sources", ""]
            for s in sources:
                if isinstance(s, Mapping):
                    bits = [
                        str(s.get("id", "")),
                        str(s.get("title", "")),
                        str(s.get("url", "")),
                    ]
                    out.append(
                        "- " + " ".join(f"{b}" for b in bits if b and b != "None")
                    )
                else:
                    out.append(f"- {s}")
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        """A self-contained HTML codebook document (inline CSS, no external files).

        Examples
        --------
        >>> cb = Codebook(
        ...     [Code("pursue", "Pursue", definition="Disrupt <and> prosecute.")],
        ...     name="Roles",
        ... )
        >>> page = cb.to_html()
        >>> page.startswith("<!DOCTYPE html>"), "Disrupt &lt;and&gt; prosecute." in page
        (True, True)
        """
        e = html.escape
        parts: list[str] = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{e(self.name or 'Codebook')}</title>",
            f"<style>{_HTML_CSS}</style></head><body>",
            f"<h1>{e(self.name or 'Codebook')}</h1>",
            f'<p class="meta">Version {e(self.version)} · {len(self)} codes · '
            f"content hash <code>{e(self.hash)}</code></p>",
        ]
        if self.description:
            parts.append(f"<p>{e(self.description.strip())}</p>")
        roots = self.roots()
        if roots:
            parts.append("<nav><h2>Contents</h2><ul>")
            parts += [f'<li><a href="#{e(r.id)}">{e(r.label)}</a></li>' for r in roots]
            parts.append("</ul></nav>")
            parts.append(
                '<p class="meta">Patterns: <code>~word</code> = any form of '
                "<em>word</em>; "
                "<code>(a|b)</code> = either; <code>?</code> optional. Phrases match "
                "case-insensitively.</p>"
            )
        for code, depth in self.walk():
            colour = code.color or self.root_of(code.id).color or "#999999"
            h = min(2 + depth, 6)
            parts.append(
                f'<section class="code depth-{depth}" id="{e(code.id)}" '
                f'style="--c:{e(colour)}">'
            )
            parts.append(
                f'<h{h}>{e(code.label)} <span class="id">{e(code.id)}</span></h{h}>'
            )
            facts = []
            if code.parent:
                facts.append(
                    f'under <a href="#{e(code.parent)}">'
                    f"{e(self[code.parent].label)}</a>"
                )
            for k, v in code.flags.items():
                val = "yes" if v is True else "no" if v is False else str(v)
                facts.append(f"{e(k)}: {e(val)}")
            if facts:
                parts.append(f'<p class="flags">{" · ".join(facts)}</p>')
            parts.append("<dl>")
            if code.definition:
                parts.append(
                    f"<dt>Definition</dt><dd>{e(code.definition.strip())}</dd>"
                )
            for title, items in (("Include", code.include), ("Exclude", code.exclude)):
                if items:
                    lis = "".join(f"<li>{e(x)}</li>" for x in items)
                    parts.append(f"<dt>{title}</dt><dd><ul>{lis}</ul></dd>")
            if code.examples:
                qs = "".join(f"<blockquote>{e(x)}</blockquote>" for x in code.examples)
                parts.append(f"<dt>Examples</dt><dd>{qs}</dd>")
            if code.patterns:
                ps = ", ".join(
                    f"<code>{e(pattern_summary(p))}</code>" for p in code.patterns
                )
                parts.append(f"<dt>Patterns</dt><dd>{ps}</dd>")
            if code.source or code.source_status:
                src = (code.source or "") + (
                    f" ({code.source_status})" if code.source_status else ""
                )
                parts.append(f"<dt>Source</dt><dd>{e(src.strip())}</dd>")
            if code.note:
                parts.append(f"<dt>Note</dt><dd>{e(code.note.strip())}</dd>")
            parts.append("</dl></section>")
        sources = self.meta.get("sources")
        if isinstance(sources, list) and sources:
            parts.append("<h2>Sources</h2><ul>")
            for s in sources:
                if isinstance(s, Mapping):
                    url = s.get("url")
                    title = e(f"{s.get('id', '')} {s.get('title', '')}".strip())
                    link = f' <a href="{e(str(url))}">{e(str(url))}</a>' if url else ""
                    parts.append(f"<li>{title}{link}</li>")
                else:
                    parts.append(f"<li>{e(str(s))}</li>")
            parts.append("</ul>")
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"

    def render(self, path: str | Path) -> Path:
        """Write the codebook document, Markdown (``.md``) or HTML (``.html``).

        Examples
        --------
        >>> import tempfile, os
        >>> cb = Codebook([Code("a", "A", definition="Defined.")], name="x")
        >>> p = cb.render(os.path.join(tempfile.mkdtemp(), "x.html"))
        >>> "Defined." in p.read_text(encoding="utf-8")
        True
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in _RENDER_SUFFIXES:
            raise InvalidInputError(
                Errors.QC101.format(
                    param="path",
                    caller="Codebook.render",
                    expected="a file name ending in " + ", ".join(_RENDER_SUFFIXES),
                    got=str(path),
                )
            )
        text = self.to_html() if suffix in (".html", ".htm") else self.to_markdown()
        path.write_text(text, encoding="utf-8")
        return path
