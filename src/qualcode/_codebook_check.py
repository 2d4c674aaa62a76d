"""Codebook validation: every problem at once, with file, line and code (private).

:class:`qualcode.Codebook` loading collects :class:`Problem` s here and raises one
:class:`~qualcode.errors.CodebookError` listing them all. Patterns are judged by the
one pattern grammar, :mod:`qualcode._grammar`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode._grammar import pattern_verdict
from qualcode.errors import CodebookError, Errors

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.codebook import Code

__all__ = [
    "Problem",
    "first_alias",
    "Where",
    "check_codes",
    "duplicate_keys",
    "raise_problems",
    "where_text",
    "yaml_lines",
]

_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_GUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_FLAG_RE = re.compile(r"^\S(?:[^\n=]*\S)?$")


@dataclass
class Where:
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
class Problem:
    line: int | None
    code: str | None
    index: int | None
    detail: str

    def render(self, path: str) -> str:
        return Errors.QC304.format(
            where=where_text(path, self.line, self.code, self.index),
            detail=self.detail,
        )


def where_text(path: str, line: int | None, code: str | None, index: int | None) -> str:
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


def raise_problems(problems: list[Problem], path: str) -> None:
    if not problems:
        return
    problems = sorted(
        problems, key=lambda p: (p.line is None, p.line or 0, p.index or 0)
    )
    lines = "\n".join("  - " + p.render(path) for p in problems)
    raise CodebookError(
        Errors.QC303.format(path=path, count=len(problems), problems=lines)
    )


def check_codes(
    codes: Sequence[Code], wheres: list[Where] | None = None
) -> list[Problem]:
    """Every problem of these codes (fields and structure), with lines."""
    if wheres is None:
        wheres = [Where(index=i, line=c.line) for i, c in enumerate(codes)]
    problems: list[Problem] = []

    def add(i: int, key: str | None, detail: str, item: int | None = None) -> None:
        c, w = codes[i], wheres[i]
        problems.append(Problem(w.of(key, item), c.id or None, w.index, detail))

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


def yaml_lines(node: Any) -> list[Where]:
    """Lines of each code entry and of its keys, from a composed YAML node tree."""
    import yaml

    out: list[Where] = []
    if not isinstance(node, yaml.MappingNode):
        return out
    codes_node = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "codes":
            codes_node = v
    if not isinstance(codes_node, yaml.SequenceNode):
        return out
    for i, item in enumerate(codes_node.value):
        w = Where(index=i, line=item.start_mark.line + 1)
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if isinstance(k, yaml.ScalarNode):
                    w.keys.setdefault(k.value, k.start_mark.line + 1)
                    if isinstance(v, yaml.SequenceNode):
                        w.items[k.value] = [e.start_mark.line + 1 for e in v.value]
        out.append(w)
    return out


def duplicate_keys(node: Any) -> list[Problem]:
    """Keys repeated within one YAML mapping (YAML would silently keep the last)."""
    import yaml

    problems: list[Problem] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        problems.append(
                            Problem(
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


def first_alias(events: Iterable[Any]) -> tuple[int, str, str] | None:
    """``(line, "anchor" | "alias", name)`` of the first YAML anchor or alias, if any.

    Codebooks are written by hand and never need them; refusing them before the
    document is built bounds the work validation does ("billion laughs").

    Examples
    --------
    >>> import yaml
    >>> first_alias(yaml.parse("a: &x [1]\\nb: *x\\n"))
    (1, 'anchor', 'x')
    >>> first_alias(yaml.parse("a: [1]\\n")) is None
    True
    """
    import yaml

    for event in events:
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1, "alias", str(event.anchor)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            return event.start_mark.line + 1, "anchor", str(anchor)
    return None
