"""What differs between SQL back ends: one small class per dialect.

The store's SQL is written once, in the functions of :mod:`qualcode.store._db`,
``_transcripts``, ``_codings``, ``_codebooks``, ``_tidy`` and ``_merge``, with
``?`` placeholders and the SQL both SQLite and PostgreSQL understand
(``ON CONFLICT ... DO NOTHING``, ``SAVEPOINT``, ``coalesce``). Everything else
goes through the :class:`Dialect` of the :class:`~qualcode.store._db.Session`:

- :meth:`Dialect.sql`: ``?`` placeholders to the driver's style (``%s``).
- :meth:`Dialect.begin`: ``BEGIN IMMEDIATE`` (SQLite takes the write lock at
  once) against PostgreSQL's ``BEGIN ISOLATION LEVEL ...``.
- :attr:`Dialect.ddl`: schema words that differ (``INTEGER PRIMARY KEY`` against an
  identity column, ``WITHOUT ROWID``, the JSON check, ``REAL``).
- :meth:`Dialect.insert_id`: the id of a new row (``lastrowid`` or ``RETURNING``).
- :meth:`Dialect.columns`: a fast column-wise read (``json_group_array``).
- :meth:`Dialect.id_set`: "one of these ids" as one parameter (``json_each``).
- :meth:`Dialect.is_locked` / :meth:`Dialect.is_not_database`: error kinds, so
  the session turns them into :class:`~qualcode.errors.StoreLockedError` etc.
- :meth:`Dialect.schema_version` / :meth:`Dialect.set_schema_version`
  (``PRAGMA user_version``; a ``meta`` row on a server).
- :meth:`Dialect.copy` (the online backup API) and :meth:`Dialect.purge`
  (checkpoint + ``VACUUM`` so deleted text leaves the file).

Only :class:`SQLiteDialect` exists; a PostgreSQL dialect (psycopg 3, row-level
security per coder role) is a second subclass of :class:`Dialect`, not a second
store.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from qualcode.errors import Errors, StoreError

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store._db import Session

__all__ = ["APPLICATION_ID", "Dialect", "SQLiteDialect"]

APPLICATION_ID = 0x51434F44  # "QCOD"


class Dialect:
    """The back-end-specific parts of the store's SQL (see the module notes).

    Examples
    --------
    >>> d = SQLiteDialect()
    >>> d.sql("SELECT 1 WHERE ? = ?")
    'SELECT 1 WHERE ? = ?'
    >>> d.begin(write=True)
    'BEGIN IMMEDIATE'
    """

    #: name of the back end ("sqlite", "postgresql")
    name: ClassVar[str] = ""
    #: the DB-API exception base class of the driver
    error: ClassVar[type[Exception]] = Exception
    #: words of the schema that differ between back ends (``str.format`` keys)
    ddl: ClassVar[Mapping[str, str]] = {}

    def sql(self, text: str) -> str:
        """The statement with ``?`` placeholders in the driver's style."""
        return text

    #: a read that pins the snapshot right after BEGIN (deferred transactions
    #: would otherwise take it at their first read)
    snapshot: ClassVar[str] = "SELECT 1"

    def begin(self, *, write: bool) -> str:
        """The statement that starts a write (or read-snapshot) transaction."""
        raise NotImplementedError

    def schema(self, statements: Sequence[str]) -> list[str]:
        """DDL statements with this dialect's words filled in."""
        return [s.format(**self.ddl) for s in statements]

    def insert_id(self, session: Session, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT of one row and return its integer primary key."""
        raise NotImplementedError

    def columns(
        self, session: Session, cols: Sequence[str], query: str, params: Sequence[Any]
    ) -> dict[str, list[Any]]:
        """``{column: values}`` of a query, read column by column (fast)."""
        rows = session.all(f"SELECT {', '.join(cols)} FROM ({query}) q", params)
        names = [c.strip('"') for c in cols]
        if not rows:
            return {c: [] for c in names}
        return {c: list(v) for c, v in zip(names, zip(*rows, strict=True), strict=True)}

    def id_set(self, ids: Sequence[Any]) -> tuple[str, Any]:
        """``(sql, param)``: a sub-select of the given ids from ONE parameter."""
        raise NotImplementedError

    def is_locked(self, exc: BaseException) -> bool:
        """True if ``exc`` means another connection holds a lock."""
        return False

    def is_not_database(self, exc: BaseException) -> bool:
        """True if ``exc`` means the target is not a database of this kind."""
        return False

    def schema_version(self, session: Session) -> int:
        """The schema version stored in the database (0: empty)."""
        raise NotImplementedError

    def copy(self, session: Session, dest: Path) -> None:
        """Write a complete copy of the database to the new file ``dest``."""
        raise NotImplementedError

    def foreign_keys(self, session: Session, *, on: bool) -> None:
        """Switch the back end's foreign-key checks (outside transactions).

        Only for writes whose references the store has just verified itself;
        a back end may keep its checks on (the default does nothing).
        """

    def purge(self, session: Session) -> None:
        """Make deleted data unrecoverable from the storage (after a commit)."""
        raise NotImplementedError

    def secure_delete(self, session: Session) -> None:
        """Overwrite what this connection deletes from now on (if supported)."""

    def has_table(self, session: Session, name: str) -> bool:
        """True if the table exists (SQL standard ``information_schema``)."""
        return bool(
            session.scalar(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_name = ? AND table_schema = current_schema()",
                (name,),
            )
        )

    def set_schema_version(self, session: Session, version: int) -> None:
        """Record the schema version (inside the migration's transaction)."""
        raise NotImplementedError


class SQLiteDialect(Dialect):
    """SQLite (the embedded default): one file, WAL, ``BEGIN IMMEDIATE`` writes.

    Examples
    --------
    >>> SQLiteDialect().schema(["CREATE TABLE t (id {id}, a {real})"])
    ['CREATE TABLE t (id INTEGER PRIMARY KEY, a REAL)']
    """

    name = "sqlite"
    error = sqlite3.Error
    snapshot = "SELECT count(*) FROM sqlite_master"
    ddl: ClassVar[Mapping[str, str]] = {
        "id": "INTEGER PRIMARY KEY",
        "without_rowid": " WITHOUT ROWID",
        "json": "TEXT",
        "attributes_check": " CHECK (json_valid(attributes))",
        "real": "REAL",
    }

    def begin(self, *, write: bool) -> str:
        """``BEGIN IMMEDIATE`` (take the write lock now) or ``BEGIN``."""
        return "BEGIN IMMEDIATE" if write else "BEGIN"

    def insert_id(self, session: Session, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT and return ``cursor.lastrowid``."""
        cur = session.execute(sql, params)
        return int(cur.lastrowid or 0)

    def columns(
        self, session: Session, cols: Sequence[str], query: str, params: Sequence[Any]
    ) -> dict[str, list[Any]]:
        """One ``json_group_array`` per column, built in the same scan.

        Parsing one JSON array per column is about twice as fast as fetching a
        million row tuples.
        """
        packed = session.one(
            "SELECT "
            + ", ".join(f"json_group_array({c})" for c in cols)
            + f" FROM ({query})",
            params,
        )
        assert packed is not None  # an aggregate always returns one row
        return dict(
            zip([c.strip('"') for c in cols], map(json.loads, packed), strict=True)
        )

    def id_set(self, ids: Sequence[Any]) -> tuple[str, Any]:
        """``SELECT value FROM json_each(?)`` with the ids as one JSON array."""
        return "SELECT value FROM json_each(?)", json.dumps(list(ids))

    def is_locked(self, exc: BaseException) -> bool:
        """SQLite's "database is locked" / "busy"."""
        msg = str(exc)
        return isinstance(exc, sqlite3.OperationalError) and (
            "locked" in msg or "busy" in msg
        )

    def is_not_database(self, exc: BaseException) -> bool:
        """SQLite's "file is not a database" / "malformed"."""
        msg = str(exc)
        return "not a database" in msg or "malformed" in msg

    def schema_version(self, session: Session) -> int:
        """``PRAGMA user_version``."""
        return int(session.scalar("PRAGMA user_version"))

    def set_schema_version(self, session: Session, version: int) -> None:
        """``PRAGMA user_version`` and the qualcode ``application_id``."""
        session.execute(f"PRAGMA user_version = {int(version)}")
        session.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def foreign_keys(self, session: Session, *, on: bool) -> None:
        """``PRAGMA foreign_keys`` (a no-op inside a transaction)."""
        session.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")

    def copy(self, session: Session, dest: Path) -> None:
        """SQLite's online backup of every page into ``dest``, then fsync.

        The copy is what this connection sees (one consistent snapshot); it is
        left in rollback-journal mode with nothing pending, so it is one file.
        """
        dst = sqlite3.connect(str(dest), isolation_level=None)
        try:
            session.conn.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
        with open(dest, "rb") as fh:
            os.fsync(fh.fileno())

    def has_table(self, session: Session, name: str) -> bool:
        """True if the table exists (``sqlite_master``)."""
        return bool(
            session.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                (name,),
            )
        )

    def secure_delete(self, session: Session) -> None:
        """``PRAGMA secure_delete = ON``: deleted content is zeroed on disk."""
        session.execute("PRAGMA secure_delete = ON")

    def purge(self, session: Session) -> None:
        """Checkpoint the WAL and VACUUM (with ``secure_delete`` already on)."""
        try:
            for sql in (
                "PRAGMA wal_checkpoint(TRUNCATE)",
                "VACUUM",
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ):
                busy = session.one(sql)
                if busy and busy[0]:
                    raise StoreError(
                        Errors.QC812.format(
                            path=session.path,
                            detail="another connection kept the write-ahead log busy",
                        )
                    )
        except sqlite3.Error as exc:
            raise StoreError(
                Errors.QC812.format(
                    path=session.path, detail=f"SQLite could not purge ({exc})"
                )
            ) from exc
