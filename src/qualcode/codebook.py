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
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._codebook_check import (
    Problem,
    Where,
    check_codes,
    duplicate_keys,
    first_alias,
    raise_problems,
    where_text,
    yaml_lines,
)
from qualcode._codebook_docs import html_document, markdown_document
from qualcode._files import atomic_path
from qualcode._grammar import pattern_summary
from qualcode._validation import check_type, invalid
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
# building codes from YAML mappings (the checks are in qualcode._codebook_check)
# ---------------------------------------------------------------------------
def _as_text_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _code_from_raw(
    raw: Any, where: Where, *, warn_path: str | None
) -> tuple[Code | None, list[Problem]]:
    """Build one Code from its YAML mapping, collecting type problems."""
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
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
        problems.append(Problem(where.of(key, item), cid or None, where.index, detail))

    if not cid:
        bad("id", "the id is missing or empty. Give every code a unique id.")
    for key in raw:
        if key not in CODE_KEYS:
            hint = difflib.get_close_matches(str(key), CODE_KEYS, n=1)
            if str(key).lower() == "colour":
                hint = ["color"]
            msg = Errors.QC305.format(
                where=where_text(
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


# ---------------------------------------------------------------------------
# the codebook
# ---------------------------------------------------------------------------
def _plain_dumper() -> Any:
    import yaml

    class PlainDumper(yaml.SafeDumper):
        """Writes repeated values out in full: loading refuses anchors/aliases."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    return PlainDumper


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
            check_type(
                c,
                Code,
                param="codes",
                caller="Codebook",
                expected="an iterable of Code",
            )
        if validate:
            raise_problems(check_codes(codes), str(path or name or "<codebook>"))
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
            check_type(
                cb,
                Codebook,
                param="codebooks",
                caller="Codebook.combine",
                expected="Codebook objects",
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
            # the one lazy hand-off: refi.qdc imports codebook at module level
            from qualcode.refi.qdc import read_qdc

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
        loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader = loader_class(text)
        try:
            # anchors and aliases first, from the event stream (linear in the text):
            # nested aliases ("billion laughs") would make validation walk an
            # exponentially large tree
            alias = first_alias(yaml.parse(text, Loader=loader_class))
            if alias is not None:
                at, kind, name = alias
                raise CodebookError(
                    Errors.QC312.format(path=where, line=at, kind=kind, name=name)
                )
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
        dup = duplicate_keys(node) if node is not None else []
        return cls._from_data(data, path=path, wheres=yaml_lines(node), extra=dup)

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
        wheres: list[Where] | None,
        extra: list[Problem] = (),  # type: ignore[assignment]
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
        problems: list[Problem] = list(extra)
        codes: list[Code] = []
        code_wheres: list[Where] = []
        for i, raw in enumerate(data["codes"]):
            w = wheres[i] if wheres is not None and i < len(wheres) else Where(index=i)
            code, probs = _code_from_raw(raw, w, warn_path=path)
            problems.extend(probs)
            if code is not None:
                codes.append(code)
                code_wheres.append(w)
        problems.extend(check_codes(codes, code_wheres))
        raise_problems(problems, where)
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
            from qualcode.refi.qdc import write_qdc  # lazy hand-off (see load)

            return write_qdc(self, path)
        import yaml

        text = yaml.dump(
            self.to_dict(),
            Dumper=_plain_dumper(),
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
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
        return markdown_document(self)

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
        return html_document(self)

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
            raise invalid(
                "path",
                "Codebook.render",
                "a file name ending in " + ", ".join(_RENDER_SUFFIXES),
                str(path),
            )
        text = self.to_html() if suffix in (".html", ".htm") else self.to_markdown()
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return path
