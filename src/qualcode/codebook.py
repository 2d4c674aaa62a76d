"""Codebooks: hierarchical codes with definitions, rules, examples and patterns.

The YAML format is documented in the README and ``shared/API.md``. A codebook is
data, versioned in ``codebooks/``; the project records which version (and content
hash) codings were made with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import CodebookError, Errors

__all__ = ["Code", "Codebook"]


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a codebook.

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

    def to_dict(self) -> dict[str, Any]:
        """The code as a plain dict in the YAML layout (empty fields dropped)."""
        d = asdict(self)
        d.pop("line", None)
        out: dict[str, Any] = {}
        for k in ("id", "label", "parent", "definition", "include", "exclude", "examples",
                  "patterns", "color", "flags", "source"):
            v = d.get(k)
            if v in (None, "", (), [], {}):
                continue
            out[k] = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, Mapping) else v)
        return out


class Codebook:
    """An ordered, hierarchical set of :class:`Code`.

    Parameters
    ----------
    codes : iterable of Code
    name : str
    version : str
    description : str
    path : str, optional
        Where it was loaded from.

    Examples
    --------
    >>> cb = Codebook([Code("pursue", "Pursue"), Code("enforce", "Enforce drug laws", parent="pursue")],
    ...               name="Roles", version="1.0.0")
    >>> [c.id for c in cb.roots()], [c.id for c in cb.children("pursue")]
    (['pursue'], ['enforce'])
    >>> cb.parent("enforce").id, [a.id for a in cb.ancestors("enforce")]
    ('pursue', ['pursue'])
    """

    def __init__(
        self,
        codes: Any = (),
        *,
        name: str = "",
        version: str = "0",
        description: str = "",
        path: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.version = str(version)
        self.description = description
        self.path = path
        self.meta = dict(meta or {})
        self._codes: dict[str, Code] = {}
        for c in codes:
            if c.id in self._codes:
                raise CodebookError(Errors.QC301.format(path=path or name, detail=f"duplicate code id '{c.id}'."))
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
            raise CodebookError(Errors.QC302.format(code=code_id, codebook=self.name, known=known)) from None

    def __repr__(self) -> str:
        return f"Codebook(name={self.name!r}, version={self.version!r}, codes={len(self)})"

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

    # -- identity ----------------------------------------------------------
    @property
    def hash(self) -> str:
        """SHA-256 over the codes' content (first 12 hex digits): codings record it."""
        payload = json.dumps([c.to_dict() for c in self], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    def to_frame(self):  # -> pandas.DataFrame
        """One row per code: ``code, label, parent, root, depth, definition, color, n_patterns`` + flags."""
        import pandas as pd

        rows = []
        for c in self:
            rows.append({
                "code": c.id, "label": c.label, "parent": c.parent, "root": self.root_of(c.id).id,
                "depth": len(self.ancestors(c.id)), "definition": c.definition, "color": c.color,
                "n_patterns": len(c.patterns), "source": c.source, **{f"flag_{k}": v for k, v in c.flags.items()},
            })
        df = pd.DataFrame(rows)
        return df.convert_dtypes() if len(df) else df

    def to_dict(self) -> dict[str, Any]:
        """The whole codebook in the YAML layout."""
        d: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            d["description"] = self.description
        d.update(self.meta)
        d["codes"] = [c.to_dict() for c in self]
        return d

    # -- files -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Codebook:
        """Load a ``.yaml``/``.yml`` codebook (or a REFI ``.qdc``)."""
        path = Path(path)
        if path.suffix.lower() == ".qdc":
            from qualcode.io.qdc import read_qdc

            return read_qdc(path)
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CodebookError(Errors.QC301.format(path=path, detail="file not found.")) from None
        except yaml.YAMLError as exc:
            raise CodebookError(Errors.QC301.format(path=path, detail=f"not valid YAML ({exc}).")) from exc
        return cls.from_dict(data, path=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str | None = None) -> Codebook:
        """Build from the YAML layout (a dict with ``name``, ``version``, ``codes``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("codes"), list):
            raise CodebookError(Errors.QC301.format(path=path or "<codebook>", detail="expected a mapping with a 'codes' list."))
        codes = []
        for raw in data["codes"]:
            codes.append(Code(
                id=str(raw.get("id", "")), label=str(raw.get("label", "")), parent=raw.get("parent"),
                definition=raw.get("definition") or "", include=tuple(raw.get("include") or ()),
                exclude=tuple(raw.get("exclude") or ()), examples=tuple(raw.get("examples") or ()),
                patterns=tuple(raw.get("patterns") or ()), color=raw.get("color"),
                flags=dict(raw.get("flags") or {}), source=raw.get("source"),
            ))
        meta = {k: v for k, v in data.items() if k not in ("name", "version", "description", "codes")}
        return cls(codes, name=str(data.get("name", "")), version=str(data.get("version", "0")),
                   description=data.get("description") or "", path=path, meta=meta)

    def save(self, path: str | Path) -> Path:
        """Write as YAML (``.yaml``/``.yml``) or REFI ``.qdc`` by suffix."""
        path = Path(path)
        if path.suffix.lower() == ".qdc":
            from qualcode.io.qdc import write_qdc

            return write_qdc(self, path)
        import yaml

        path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        return path
