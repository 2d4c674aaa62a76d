"""The store's connection: a :class:`Session`, schema, migrations, transactions, errors.

The schema is versioned (``PRAGMA user_version`` on SQLite): migration *n*
(1-based) brings a database from version n - 1 to n, inside one write
transaction. ``PRAGMA application_id`` marks the file as a qualcode project.

To add a migration, append a function ``_migration_<n>(session)`` to
:data:`MIGRATIONS` (never edit a released one). Write its DDL with the
:attr:`Dialect.ddl <qualcode.store._dialect.Dialect.ddl>` words and run it through
``session.dialect.schema(...)`` so it works on every back end.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from qualcode.errors import Errors, QualcodeError, StoreError, StoreLockedError
from qualcode.store._dialect import APPLICATION_ID, Dialect, SQLiteDialect

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Session",
    "connect",
    "now_iso",
    "parse_time",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
#: how times are stored (UTC, microseconds)
ISO = "%Y-%m-%dT%H:%M:%S.%fZ"

_V1 = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE transcripts (
        tid {id},
        id TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        n_chars INTEGER NOT NULL,
        attributes {json} NOT NULL DEFAULT '{{}}'{attributes_check},
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
        time_start {real},
        time_end {real},
        PRIMARY KEY (tid, turn)
    ){without_rowid}""",
    """CREATE TABLE codebooks (
        codebook_id {id},
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
        coder_id {id},
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0)
    )""",
    """CREATE TABLE codings (
        coding_id {id},
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
        orphan_id {id},
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
        decision_id {id},
        tid INTEGER NOT NULL REFERENCES transcripts (tid),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code TEXT NOT NULL,
        coder_id INTEGER NOT NULL REFERENCES coders (coder_id),
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        tagger TEXT,
        score {real},
        evidence TEXT,
        decided TEXT NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0
    )""",
)


def _migration_1(session: Session) -> None:
    """Create the schema."""
    for stmt in session.dialect.schema(_V1):
        session.execute(stmt)
    session.execute("INSERT INTO meta (key, value) VALUES ('created', ?)", (now_iso(),))


_V2_LLM = (
    """CREATE TABLE llm_calls (
        call_id {id},
        key TEXT NOT NULL,
        created TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        error TEXT,
        transcript_id TEXT,
        unit TEXT,
        turn INTEGER,
        start INTEGER,
        "end" INTEGER,
        endpoint TEXT,
        model TEXT NOT NULL,
        model_reported TEXT,
        server_model TEXT,
        model_digest TEXT,
        prompt_version TEXT,
        parameters TEXT,
        prompt TEXT,
        answer TEXT,
        finish_reason TEXT,
        attempts INTEGER,
        latency {real},
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        n_proposed INTEGER,
        n_accepted INTEGER,
        n_rejected INTEGER,
        verification TEXT
    )""",
    """CREATE INDEX llm_calls_key ON llm_calls (key, status)""",
)


def _migration_2(session: Session) -> None:
    """The LLM audit trail and cache (read and written by ``store/_llm.py``)."""
    for stmt in session.dialect.schema(_V2_LLM):
        session.execute(stmt)


_V3_CHANGES = (
    # the change log of tidying (rename/merge codes and coders, removed
    # transcripts): who, when, a summary, and what moved or was removed as JSON
    """CREATE TABLE changes (
        change_id {id},
        action TEXT NOT NULL,
        done_by TEXT,
        done_at TEXT NOT NULL,
        summary TEXT NOT NULL,
        detail {json} NOT NULL DEFAULT '{{}}'
    )""",
)


def _migration_3(session: Session) -> None:
    """The change log (read and written by ``store/_tidy.py``)."""
    if _has_table(session, "changes"):  # a file rewound by hand (tests do)
        return
    for stmt in session.dialect.schema(_V3_CHANGES):
        session.execute(stmt)


def _has_table(session: Session, name: str) -> bool:
    return session.dialect.has_table(session, name)


# Append only: never edit a released migration. Index i brings version i to i + 1.
MIGRATIONS: list[Callable[[Session], None]] = [_migration_1, _migration_2, _migration_3]
SCHEMA_VERSION = len(MIGRATIONS)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (``...Z``).

    Examples
    --------
    >>> now_iso().endswith("Z")
    True
    """
    return datetime.now(UTC).strftime(ISO)


def parse_time(values: Sequence[Any]) -> pd.Series:
    """Stored ISO times (``...Z``) as a UTC datetime Series.

    Examples
    --------
    >>> parse_time(["2024-05-01T10:00:00.000000Z"]).dt.year.tolist()
    [2024]
    """
    return pd.to_datetime(pd.Series(values, dtype=object), format=ISO, utc=True)


class Session:
    """A connection, its dialect and the transaction state of one Project.

    Store functions take a session: ``session.execute(sql, params)`` (``?``
    placeholders), ``all``/``one``/``scalar``, and ``transaction(write=...)``.
    Transactions nest: an inner one joins the outer (as a SAVEPOINT when it
    writes, so a failed inner call undoes only its own work).

    Parameters
    ----------
    conn : DB-API connection
        In autocommit mode (the session issues BEGIN/COMMIT itself).
    dialect : Dialect
    path : Path or str
        The project's file (or URL), for messages.
    timeout : float
        Seconds a writer waits for another's lock.
    """

    def __init__(
        self, conn: Any, dialect: Dialect, path: Path | str, timeout: float
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.path = path
        self.timeout = timeout
        self.lock = threading.RLock()
        self.depth = 0
        self.writing = False
        #: per-session memo (e.g. the parsed current codebooks); cleared on rollback
        self.cache: dict[str, Any] = {}
        #: run after the outermost transaction commits (dropped on rollback)
        self.after_commit: list[Callable[[], None]] = []

    # -- statements ----------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; return the cursor."""
        return self.conn.execute(self.dialect.sql(sql), params)

    def executemany(self, sql: str, rows: Any) -> None:
        """Run one statement for many parameter rows."""
        self.conn.executemany(self.dialect.sql(sql), rows)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a query."""
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """The first row of a query, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        """Insert one row; return its id."""
        return self.dialect.insert_id(self, sql, params)

    # -- errors and transactions --------------------------------------------
    def translate(self, exc: BaseException, waited: float) -> QualcodeError:
        """A driver error as a StoreError (StoreLockedError when locked)."""
        return translate(exc, self.dialect, self.path, self.timeout, waited)

    @contextmanager
    def transaction(self, *, write: bool, checked: bool = False) -> Iterator[Session]:
        """One transaction (or a part of the enclosing one).

        ``checked=True`` says the caller has verified every reference it writes
        (transcript and coder ids, inside this transaction), so the back end may
        skip its own foreign-key checks for a new outermost transaction (a bulk
        insert of a million codings spends ~10% of its time on them).
        """
        if self.conn is None:
            raise StoreError(
                Errors.QC401.format(
                    path=self.path, detail="the project is closed. Open it again."
                )
            )
        with self.lock:
            if self.depth:
                with self._nested(write=write):
                    yield self
                return
            relax = checked and write
            if relax:
                self.dialect.foreign_keys(self, on=False)
            try:
                with self._outermost(write=write):
                    yield self
            finally:
                if relax:
                    self.dialect.foreign_keys(self, on=True)

    @contextmanager
    def _outermost(self, *, write: bool) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            self.execute(self.dialect.begin(write=write))
        except self.dialect.error as exc:
            raise self.translate(exc, time.monotonic() - t0) from exc
        if not write:
            try:
                self.execute(self.dialect.snapshot)
            except self.dialect.error as exc:
                self._rollback()
                raise self.translate(exc, time.monotonic() - t0) from exc
        self.depth, self.writing = 1, write
        try:
            yield
        except self.dialect.error as exc:
            self._rollback()
            raise self.translate(exc, time.monotonic() - t0) from exc
        except BaseException:
            self._rollback()
            raise
        finally:
            self.depth, self.writing = 0, False
        try:
            self.execute("COMMIT")
        except self.dialect.error as exc:
            self._rollback()
            raise self.translate(exc, time.monotonic() - t0) from exc
        pending, self.after_commit = self.after_commit, []
        for fn in pending:
            fn()

    @contextmanager
    def _nested(self, *, write: bool) -> Iterator[None]:
        if write and not self.writing:
            raise StoreError(
                Errors.QC401.format(
                    path=self.path,
                    detail="a write was asked for inside a read-only transaction. "
                    "Use project.transaction() (write=True) around it.",
                )
            )
        if not self.writing:
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
            return
        name = f"qc_{self.depth}"
        self.execute(f"SAVEPOINT {name}")
        self.depth += 1
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO {name}")
            self.execute(f"RELEASE {name}")
            self.cache.clear()
            raise
        finally:
            self.depth -= 1
        self.execute(f"RELEASE {name}")

    def _rollback(self) -> None:
        self.cache.clear()
        self.after_commit = []
        try:
            self.execute("ROLLBACK")
        except self.dialect.error:  # unusable connection: it rolls back on close
            pass

    def close(self) -> None:
        """Close the connection (idempotent)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()


def translate(
    exc: BaseException,
    dialect: Dialect,
    path: Path | str,
    timeout: float,
    waited: float,
) -> QualcodeError:
    """Turn a driver error into a StoreError (StoreLockedError when locked).

    Examples
    --------
    >>> err = translate(
    ...     sqlite3.OperationalError("database is locked"),
    ...     SQLiteDialect(),
    ...     "p.qcproj",
    ...     10.0,
    ...     0.25,
    ... )
    >>> type(err).__name__, "waited 0.2 s" in str(err)
    ('StoreLockedError', True)
    """
    msg = str(exc)
    if dialect.is_locked(exc):
        return StoreLockedError(
            Errors.QC403.format(
                path=path, waited=f"{waited:.1f}", timeout=f"{timeout:g}"
            )
        )
    if dialect.is_not_database(exc):
        return StoreError(Errors.QC404.format(path=path, detail=f"SQLite says: {msg}"))
    return StoreError(Errors.QC401.format(path=path, detail=f"SQLite error: {msg}."))


# --------------------------------------------------------------------------
# opening an SQLite project file
# --------------------------------------------------------------------------
class _Retry(Exception):
    """Another process is creating or migrating the file: try again shortly."""

    def __init__(self, cause: BaseException | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause


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
            if not head.strip(b"\x00"):  # a header being written right now
                raise _Retry()
            raise StoreError(
                Errors.QC404.format(path=path, detail="the file is not SQLite")
            )


def connect(path: Path, timeout: float) -> Session:
    """Open (and create or migrate) the project file; raise StoreError clearly.

    Safe when several processes open (or create) the same file at once: the
    checks read one snapshot, the migration re-checks under the write lock, and
    a process that finds another one creating or migrating the file waits and
    tries again, for up to ``timeout`` seconds in all.
    """
    t0 = time.monotonic()
    delay = 0.005
    while True:
        try:
            return _connect_once(path, timeout)
        except _Retry as retry:
            waited = time.monotonic() - t0
            if waited >= timeout:
                if retry.cause is not None:
                    raise translate(
                        retry.cause, SQLiteDialect(), path, timeout, waited
                    ) from retry.cause
                raise StoreError(
                    Errors.QC404.format(
                        path=path,
                        detail=f"the file header stayed empty for {waited:.1f} s",
                    )
                ) from None
            time.sleep(min(delay, max(timeout - waited, 0.0)))
            delay = min(delay * 2, 0.1)


def _connect_once(path: Path, timeout: float) -> Session:
    _check_header(path)
    dialect = SQLiteDialect()
    try:
        conn = sqlite3.connect(
            str(path), timeout=timeout, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        if dialect.is_locked(exc):
            raise _Retry(exc) from exc
        raise translate(exc, dialect, path, timeout, 0.0) from exc
    session = Session(conn, dialect, path, timeout)
    try:
        session.execute("PRAGMA foreign_keys = ON")
        version = _check_project(session)
        mode = session.scalar("PRAGMA journal_mode = WAL")
        if str(mode).lower() != "wal":
            raise StoreError(
                Errors.QC401.format(
                    path=path,
                    detail=f"cannot use WAL journaling (got {mode}). Use a local disk.",
                )
            )
        session.execute("PRAGMA synchronous = FULL")
        session.execute("PRAGMA cache_size = -65536")
        session.execute("PRAGMA temp_store = MEMORY")
        if version < SCHEMA_VERSION:
            _migrate(session)
    except QualcodeError as exc:
        session.close()
        if isinstance(exc, StoreLockedError):
            raise _Retry(exc.__cause__) from exc
        raise
    except sqlite3.Error as exc:
        session.close()
        if dialect.is_locked(exc):
            raise _Retry(exc) from exc
        raise translate(exc, dialect, path, timeout, 0.0) from exc
    return session


def _check_project(session: Session) -> int:
    """Application id, schema version and tables, read in ONE snapshot."""
    path = session.path
    session.execute("BEGIN")
    try:
        app_id = session.scalar("PRAGMA application_id")
        version = session.dialect.schema_version(session)
        n_tables = session.scalar("SELECT count(*) FROM sqlite_master")
    finally:
        session.execute("COMMIT")
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(
            Errors.QC404.format(path=path, detail=f"SQLite application id {app_id:#x}")
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            Errors.QC405.format(path=path, found=version, supported=SCHEMA_VERSION)
        )
    if version == 0 and n_tables:
        raise StoreError(
            Errors.QC404.format(
                path=path, detail="an SQLite database with other tables"
            )
        )
    return int(version)


def _migrate(session: Session) -> None:
    with session.transaction(write=True):
        # another process may have migrated while we waited for the lock
        version = session.dialect.schema_version(session)
        if version == 0 and session.scalar("SELECT count(*) FROM sqlite_master"):
            raise StoreError(
                Errors.QC404.format(
                    path=session.path, detail="an SQLite database with other tables"
                )
            )
        for i in range(version, SCHEMA_VERSION):
            MIGRATIONS[i](session)
            session.dialect.set_schema_version(session, i + 1)
