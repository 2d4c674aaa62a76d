"""SQLite plumbing for the project store: schema, migrations, transactions, errors.

The schema is versioned with ``PRAGMA user_version``: migration *n* (1-based)
brings a file from version n - 1 to n, inside one ``BEGIN IMMEDIATE``
transaction. ``PRAGMA application_id`` marks the file as a qualcode project.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from qualcode.errors import Errors, QualcodeError, StoreError, StoreLockedError

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "connect",
    "now_iso",
    "translate",
]

APPLICATION_ID = 0x51434F44  # "QCOD"
SQLITE_MAGIC = b"SQLite format 3\x00"

_V1 = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE transcripts (
        tid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        n_chars INTEGER NOT NULL,
        attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
        source TEXT,
        format TEXT,
        encoding TEXT,
        added TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    """CREATE INDEX transcripts_sha256 ON transcripts (sha256)""",
    """CREATE TABLE turns (
        tid INTEGER NOT NULL REFERENCES transcripts (tid) ON DELETE CASCADE,
        turn INTEGER NOT NULL,
        speaker TEXT,
        role TEXT,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        time_start REAL,
        time_end REAL,
        PRIMARY KEY (tid, turn)
    ) WITHOUT ROWID""",
    """CREATE TABLE codebooks (
        codebook_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        hash TEXT NOT NULL,
        n_codes INTEGER NOT NULL,
        content TEXT NOT NULL,
        added TEXT NOT NULL,
        current INTEGER NOT NULL DEFAULT 1,
        UNIQUE (name, version, hash)
    )""",
    """CREATE TABLE coders (
        coder_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0)
    )""",
    """CREATE TABLE codings (
        coding_id INTEGER PRIMARY KEY,
        tid INTEGER NOT NULL REFERENCES transcripts (tid),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code TEXT NOT NULL,
        coder_id INTEGER NOT NULL REFERENCES coders (coder_id),
        origin TEXT NOT NULL,
        memo TEXT,
        created TEXT NOT NULL,
        codebook_version TEXT,
        codebook_hash TEXT,
        CHECK (start >= 0 AND "end" > start)
    )""",
    """CREATE UNIQUE INDEX codings_key
        ON codings (tid, start, "end", code, coder_id)""",
    """CREATE TABLE orphans (
        orphan_id INTEGER PRIMARY KEY,
        coding_id INTEGER NOT NULL,
        transcript_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code TEXT NOT NULL,
        coder TEXT NOT NULL,
        origin TEXT NOT NULL,
        memo TEXT,
        created TEXT NOT NULL,
        codebook_version TEXT,
        codebook_hash TEXT,
        quote TEXT NOT NULL,
        reason TEXT NOT NULL,
        old_sha256 TEXT NOT NULL,
        new_sha256 TEXT NOT NULL,
        orphaned TEXT NOT NULL
    )""",
    """CREATE TABLE decisions (
        decision_id INTEGER PRIMARY KEY,
        tid INTEGER NOT NULL REFERENCES transcripts (tid),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code TEXT NOT NULL,
        coder_id INTEGER NOT NULL REFERENCES coders (coder_id),
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        tagger TEXT,
        score REAL,
        evidence TEXT,
        decided TEXT NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0
    )""",
)


def _migration_1(conn: sqlite3.Connection) -> None:
    """Create the schema."""
    for stmt in _V1:
        conn.execute(stmt)
    conn.execute("INSERT INTO meta (key, value) VALUES ('created', ?)", (now_iso(),))


# Append only: never edit a released migration. Index i brings version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (``...Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def translate(exc: sqlite3.Error, path: Path | str, timeout: float) -> QualcodeError:
    """Turn a sqlite3 error into a StoreError (StoreLockedError when locked)."""
    msg = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg):
        return StoreLockedError(Errors.QC403.format(path=path, timeout=timeout))
    if "not a database" in msg or "malformed" in msg:
        return StoreError(Errors.QC404.format(path=path, detail=f"SQLite says: {msg}"))
    return StoreError(Errors.QC401.format(path=path, detail=f"SQLite error: {msg}."))


def _check_header(path: Path) -> None:
    if path.is_dir():
        raise StoreError(
            Errors.QC401.format(
                path=path, detail="is a folder. Give a project file name."
            )
        )
    if not path.parent.is_dir():
        raise StoreError(
            Errors.QC401.format(
                path=path,
                detail=f"the folder {path.parent} does not exist. Create it first.",
            )
        )
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            head = fh.read(16)
        if head != SQLITE_MAGIC:
            raise StoreError(
                Errors.QC404.format(path=path, detail="the file is not SQLite")
            )


def connect(path: Path, timeout: float) -> sqlite3.Connection:
    """Open (and create or migrate) the project file; raise StoreError clearly."""
    _check_header(path)
    try:
        conn = sqlite3.connect(
            str(path), timeout=timeout, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise translate(exc, path, timeout) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(
                Errors.QC404.format(
                    path=path, detail=f"SQLite application id {app_id:#x}"
                )
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                Errors.QC405.format(path=path, found=version, supported=SCHEMA_VERSION)
            )
        if version == 0:
            n = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if n:
                raise StoreError(
                    Errors.QC404.format(
                        path=path,
                        detail="an SQLite database with other tables",
                    )
                )
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(
                Errors.QC401.format(
                    path=path,
                    detail=f"cannot use WAL journaling (got {mode}). Use a local disk.",
                )
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        if version < SCHEMA_VERSION:
            _migrate(conn)
    except QualcodeError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path, timeout) from exc
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # another process may have migrated while we waited for the lock
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for i in range(version, SCHEMA_VERSION):
            MIGRATIONS[i](conn)
            conn.execute(f"PRAGMA user_version = {i + 1}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@contextmanager
def transaction(
    conn: sqlite3.Connection, path: Path, timeout: float, *, write: bool
) -> Iterator[sqlite3.Connection]:
    """One transaction: ``BEGIN IMMEDIATE`` for writes, a snapshot for reads."""
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    except sqlite3.Error as exc:
        raise translate(exc, path, timeout) from exc
    try:
        yield conn
    except sqlite3.Error as exc:
        _rollback(conn)
        raise translate(exc, path, timeout) from exc
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        raise translate(exc, path, timeout) from exc


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # the connection is unusable; SQLite rolls back on close
            pass
