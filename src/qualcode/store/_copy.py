"""Copying a whole project between back ends (SQLite <-> PostgreSQL).

Every table, row by row with its ids, in the order the migrations created the
tables (so references are always written after what they point to): the
transcripts and turns, codebook versions, coders, codings with origins and
memos, orphans, the decision log, the LLM audit trail and any table a later
migration adds. The source is read in one snapshot; the destination is written
in one transaction, so a failure leaves it as it was. A copy between two
SQLite files uses SQLite's backup API instead (``Dialect.copy``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import Errors, StoreError
from qualcode.store._pg import SERVER_META

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store._db import Session

__all__ = ["copy_across", "copy_project", "tables"]

_CHUNK = 20_000


def tables(s: Session) -> list[str]:
    """The project's tables in creation order."""
    if s.dialect.name == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    else:
        sql = (
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.oid"
        )
    return [r[0] for r in s.all(sql)]


def copy_project(src: Session, dst: Session, dest_name: object) -> dict[str, int]:
    """Copy every row of ``src`` into the empty project ``dst``; rows per table.

    Raises QC415 when ``dst`` already holds data.
    """
    counts: dict[str, int] = {}
    with src.transaction(write=False), dst.transaction(write=True):
        names = tables(src)
        missing = [t for t in names if t not in set(tables(dst))]
        if missing:
            raise StoreError(
                Errors.QC415.format(
                    dest=dest_name,
                    detail=f"has an older project schema (no {', '.join(missing)})",
                )
            )
        for t in names:
            if t != "meta" and dst.scalar(f"SELECT count(*) FROM {t}"):
                raise StoreError(
                    Errors.QC415.format(
                        dest=dest_name, detail="already holds a project with data"
                    )
                )
        for t in names:
            counts[t] = _copy_table(src, dst, t)
    return counts


def _copy_table(src: Session, dst: Session, table: str) -> int:
    cur = src.execute(f"SELECT * FROM {table}")
    cols = [d[0] for d in cur.description]
    quoted = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
    if table == "meta":
        sql += " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    n = 0
    while True:
        rows = cur.fetchmany(_CHUNK)
        if not rows:
            break
        if table == "meta":
            rows = [r for r in rows if r[0] not in SERVER_META]
        dst.executemany(sql, [tuple(r) for r in rows])
        n += len(rows)
    return n


def copy_across(
    project: Any, s: Session, dest: str | Path, refuse: Callable[[Path, Path], None]
) -> Any:
    """``Project.copy_to`` to or from a server: the copy, open.

    ``refuse(target, source)`` raises QC415 for a file target that is taken.
    """
    from qualcode._files import atomic_path
    from qualcode._inputs import is_url, redact
    from qualcode.store._db import connect
    from qualcode.store._pg import connect_url

    with s.lock:
        if s.writing:
            raise StoreError(
                Errors.QC415.format(
                    dest=redact(str(dest)) if is_url(dest) else dest,
                    detail="cannot be written inside a write transaction: copy "
                    "before or after it, or inside transaction(write=False)",
                )
            )
        if is_url(dest):
            assert isinstance(dest, str)
            name = redact(dest)
            if name == str(project.path):
                raise StoreError(
                    Errors.QC415.format(dest=name, detail="is this project itself")
                )
            dst = connect_url(dest, project.timeout)
            try:
                copy_project(s, dst, name)
            finally:
                dst.close()
            return type(project)(dest, timeout=project.timeout)
        target = Path(dest)
        source = Path(str(project.path))
        refuse(target, source)
        with atomic_path(target) as tmp:
            tmp.unlink()
            dst = connect(tmp, project.timeout)
            try:
                copy_project(s, dst, target)
            finally:
                dst.close()
            refuse(target, source)
        return type(project)(target, timeout=project.timeout)
