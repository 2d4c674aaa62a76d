"""Codebook versions in the store: functions of a :class:`~qualcode.store._db.Session`.

Each codebook version is stored as YAML text with its name, version and hash.
Several codebooks (one per name) may be current at once; their code ids are
unique across them.
"""

from __future__ import annotations

import pandas as pd

from qualcode import _columns as C
from qualcode.codebook import Codebook
from qualcode.errors import CodebookError, Errors
from qualcode.store._db import Session, now_iso, parse_time

__all__ = [
    "code_index",
    "codebook_from_yaml",
    "codebook_yaml",
    "codebooks_frame",
    "current_codebooks",
    "current_versions",
    "set_codebook",
]

_SHOW = 5


def codebook_yaml(codebook: Codebook) -> str:
    """The YAML text a codebook version is stored as."""
    import yaml

    return yaml.safe_dump(
        codebook.to_dict(), sort_keys=False, allow_unicode=True, width=100
    )


def codebook_from_yaml(content: str) -> Codebook:
    """A stored codebook version back as a :class:`Codebook`."""
    import yaml

    return Codebook.from_dict(yaml.safe_load(content))


def combine(codebooks: list[Codebook]) -> Codebook:
    """Several current codebooks as one (code ids are unique across them)."""
    if len(codebooks) == 1:
        return codebooks[0]
    return Codebook.combine(*codebooks)


def current_versions(s: Session) -> tuple[list[tuple], list[Codebook]]:
    """Rows ``(codebook_id, name, version, hash)`` and parsed current books; cached."""
    rows = s.all(
        "SELECT codebook_id, name, version, hash, content FROM codebooks "
        "WHERE current = 1 ORDER BY codebook_id"
    )
    key = tuple((r[0], r[3]) for r in rows)
    hit = s.cache.get("codebooks")
    if hit is not None and hit[0] == key:
        return hit[1], hit[2]
    meta = [r[:4] for r in rows]
    books = [codebook_from_yaml(r[4]) for r in rows]
    s.cache["codebooks"] = (key, meta, books)
    s.cache.pop("code_index", None)
    return meta, books


def current_codebooks(s: Session) -> list[Codebook]:
    """The current version of each codebook, in the order they were added."""
    return list(current_versions(s)[1])


def code_index(s: Session) -> tuple[Codebook | None, dict[str, tuple[str, str]]]:
    """The combined current codebook and ``code -> (version, hash)``; cached."""
    meta, books = current_versions(s)
    hit = s.cache.get("code_index")
    if hit is not None:
        return hit
    index = {c.id: (r[2], r[3]) for r, cb in zip(meta, books, strict=True) for c in cb}
    out = (combine(books) if books else None, index)
    s.cache["code_index"] = out
    return out


def insert_version(
    s: Session,
    codebook: Codebook,
    *,
    content: str | None = None,
    current: bool = True,
    added: str | None = None,
) -> None:
    """Store a codebook version (made current for its name when ``current``)."""
    if current:
        s.execute("UPDATE codebooks SET current = 0 WHERE name = ?", (codebook.name,))
    s.execute(
        "INSERT INTO codebooks (name, version, hash, n_codes, content, added, "
        "current) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name, version, hash) DO UPDATE SET current = excluded.current",
        (
            codebook.name,
            codebook.version,
            codebook.hash,
            len(codebook),
            codebook_yaml(codebook) if content is None else content,
            now_iso() if added is None else added,
            int(current),
        ),
    )


def set_codebook(s: Session, codebook: Codebook) -> list[str]:
    """Store ``codebook`` as the current version of its name.

    Returns the codes used by codings that no current codebook defines.
    """
    ids = {c.id for c in codebook}
    for name, other in s.all(
        "SELECT name, content FROM codebooks WHERE current = 1 AND name != ?",
        (codebook.name,),
    ):
        clash = sorted(ids & {c.id for c in codebook_from_yaml(other)})
        if clash:
            raise CodebookError(
                Errors.QC411.format(
                    name=codebook.name, codes=clash[:_SHOW], other=name, path=s.path
                )
            )
    insert_version(s, codebook)
    _, index = code_index(s)
    used = [r[0] for r in s.all("SELECT DISTINCT code FROM codings")]
    return sorted(c for c in used if c not in index)


def codebooks_frame(s: Session) -> pd.DataFrame:
    """The stored codebook versions (CODEBOOK_VERSIONS schema)."""
    rows = s.all(
        "SELECT codebook_id, name, version, hash, n_codes, added, current "
        "FROM codebooks ORDER BY codebook_id"
    )
    df = pd.DataFrame.from_records(rows, columns=C.names(C.CODEBOOK_VERSIONS))
    df["added"] = parse_time(df["added"].tolist())
    df["current"] = df["current"].astype(bool)
    return C.frame(df, C.CODEBOOK_VERSIONS)
