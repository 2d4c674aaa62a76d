"""The PostgreSQL back end: :class:`PgDialect`, :func:`connect_url`, schema checks.

A team project lives in one PostgreSQL database; ``Project(URL)`` opens it
through this module (psycopg 3, the ``qualcode[server]`` extra). The store's SQL
is the same as on SQLite; this dialect turns ``?`` into ``%s``, fills the schema
words and runs the transactions.

Concurrency: one project write lock, no retries needed
------------------------------------------------------
Every write transaction runs at READ COMMITTED and first takes the project's
transaction-scoped advisory lock (``pg_advisory_xact_lock``), so qualcode
writers run one after another, exactly like ``BEGIN IMMEDIATE`` on SQLite:

- no lost updates and no half-applied batches: ``add_codings`` is one
  transaction, and each of its statements sees every write committed before
  the lock was granted (READ COMMITTED takes a new snapshot per statement);
- re-anchoring after a source changes is safe while others code: it holds the
  same lock, so no coding is added to the old text while it moves codings;
- no deadlocks and no serialization failures between qualcode clients (one lock,
  always taken first), so there is nothing a retry would have to absorb. Waiting
  for the lock is bounded by ``timeout`` (``lock_timeout``):
  :class:`~qualcode.errors.StoreLockedError` after that, as on SQLite.

Writes are short (a batch of 100 codings takes a few milliseconds), so
serialising them costs little; readers never wait (a read is one REPEATABLE READ
READ ONLY snapshot). We chose this over SERIALIZABLE + retries because a
transaction here is the body of a ``with project.transaction():`` block, which
cannot be re-run by the store. Deadlocks and serialization failures can still
come from other programs writing to the database with raw SQL: a write
transaction's first statements (the lock) are retried on them with backoff
(bounded by ``timeout``); past that the user gets a StoreLockedError saying to
try again.

A lost connection (the server restarted, the network dropped) rolls the
unfinished transaction back on the server: the client says so (QC452) and
reconnects at the next call.

Ids: SQLite gives a new row ``max(id) + 1``; the PostgreSQL tables do the same
with a ``BEFORE INSERT`` trigger (safe because writers hold the project lock), so
ids written explicitly (bulk inserts, copies) and ids the database picks never
collide, and a copy keeps every id.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from qualcode._inputs import is_url, redact
from qualcode.errors import Errors, QualcodeError, StoreError
from qualcode.store._dialect import Dialect

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store._db import Session

__all__ = [
    "PgDialect",
    "connect_url",
    "is_url",
    "redact",
]

#: the key of the project's write lock (pg_advisory_xact_lock)
LOCK_KEY = 0x51434F44
#: meta keys only the server keeps (not copied between back ends)
SERVER_META = ("schema_version", "application")
_WRITE_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED"
_READ_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_INSERT_TABLE = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_ID_TABLE = re.compile(r"\s*CREATE TABLE (\w+) \(\s*(\w+) \{id\}")
_QUOTED = re.compile(r"('(?:[^']|'')*')")

_NEXT_ID_FN = """CREATE OR REPLACE FUNCTION qualcode_next_id() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    nxt bigint;
BEGIN
    IF (to_jsonb(NEW) ->> col) IS NULL THEN
        EXECUTE format('SELECT coalesce(max(%I), 0) + 1 FROM %I.%I',
                       col, TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO nxt;
        NEW := jsonb_populate_record(NEW, jsonb_build_object(col, nxt));
    END IF;
    RETURN NEW;
END $$"""


def url_parts(url: str) -> tuple[str | None, str]:
    """``(user, database)`` named by the URL (user None: the libpq default)."""
    parts = urllib.parse.urlsplit(url)
    user = urllib.parse.unquote(parts.username) if parts.username else None
    return user, urllib.parse.unquote(parts.path.lstrip("/"))


@lru_cache(maxsize=512)
def _convert(text: str) -> str:
    out = []
    for i, piece in enumerate(_QUOTED.split(text)):
        piece = piece.replace("%", "%%")
        out.append(piece if i % 2 else piece.replace("?", "%s"))
    return "".join(out)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the extra is installed in dev
        raise StoreError(Errors.QC450.format()) from exc
    return psycopg


class PgDialect(Dialect):
    """PostgreSQL 13+ through psycopg 3 (see the module notes).

    Examples
    --------
    >>> d = PgDialect()
    >>> d.sql("SELECT '50%?' WHERE a = ? AND b LIKE 'x%'")
    "SELECT '50%%?' WHERE a = %s AND b LIKE 'x%%'"
    >>> d.schema(["CREATE TABLE t (id {id}, a {real}){without_rowid}"])[1]
    'CREATE TABLE t (id BIGINT PRIMARY KEY, a DOUBLE PRECISION)'
    """

    name = "postgresql"
    label = "PostgreSQL"
    snapshot = "SELECT 1"
    ddl: ClassVar[dict[str, str]] = {
        "id": "BIGINT PRIMARY KEY",
        "without_rowid": "",
        "json": "TEXT",
        "attributes_check": " CHECK (attributes::jsonb IS NOT NULL)",
        "real": "DOUBLE PRECISION",
    }

    def __init__(self) -> None:
        self.error = _psycopg().Error  # type: ignore[misc]

    def sql(self, text: str) -> str:
        """``?`` to ``%s`` outside string literals; ``%`` doubled."""
        return _convert(text)

    def begin(self, *, write: bool) -> str:
        """READ COMMITTED + the project lock for writes; a read-only snapshot."""
        return _WRITE_BEGIN if write else _READ_BEGIN

    def schema(self, statements: Sequence[str]) -> list[str]:
        """The DDL, plus the id trigger of every table with an ``{id}`` key."""
        out = [_NEXT_ID_FN]
        for stmt in statements:
            out.append(stmt.format(**self.ddl))
            m = _ID_TABLE.match(stmt)
            if m:
                table, col = m.groups()
                out.append(
                    f"CREATE TRIGGER {table}_next_id BEFORE INSERT ON {table} "
                    f"FOR EACH ROW WHEN (NEW.{col} IS NULL) "
                    f"EXECUTE FUNCTION qualcode_next_id({col})"
                )
                # ids are given even while foreign-key checks are off (below)
                out.append(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_next_id")
        return out

    def insert_id(self, session: Session, sql: str, params: Sequence[Any]) -> int:
        """``INSERT ... RETURNING`` the table's key (its first column)."""
        m = _INSERT_TABLE.match(sql)
        if m is None:
            raise ValueError("insert_id needs an INSERT INTO statement")
        key = session.scalar(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = ?::regclass AND i.indisprimary",
            (m.group(1),),
        )
        row = session.execute(f"{sql} RETURNING {key}", params).fetchone()
        return int(row[0]) if row else 0

    def columns(
        self, session: Session, cols: Sequence[str], query: str, params: Sequence[Any]
    ) -> dict[str, list[Any]]:
        """Rows fetched at once, transposed into columns."""
        return super().columns(session, cols, query, params)

    def id_set(self, ids: Sequence[Any]) -> tuple[str, Any]:
        """``SELECT unnest(?::bigint[])`` (or ``text[]``) of the ids."""
        values = list(ids)
        if values and all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            return "SELECT unnest(?::bigint[])", values
        if not values:
            # no element type to go by: ``x IN (NULL)`` matches nothing, of any type
            return "?", None
        return "SELECT unnest(?::text[])", [str(v) for v in values]

    def foreign_keys(self, session: Session, *, on: bool) -> None:
        """``session_replication_role`` for a verified bulk write, where allowed.

        Only a superuser (or a role granted ``SET`` on that parameter) may skip
        the per-row foreign-key triggers (70% of a bulk insert's time); anyone
        else keeps them. The id and own-rows triggers fire ALWAYS, and
        row-level security does not depend on this setting.
        """
        conn = session.conn
        if on and not getattr(conn, "replica", False):
            return
        try:
            conn.conn.execute(
                "SET session_replication_role = " + ("origin" if on else "replica")
            )
            conn.replica = not on
        except self.error:  # not allowed: the checks stay on
            conn.replica = False

    def is_locked(self, exc: BaseException) -> bool:
        """Lock waits past ``lock_timeout``, deadlocks, serialization failures."""
        return getattr(exc, "sqlstate", None) in ("55P03", "40P01", "40001")

    def is_not_database(self, exc: BaseException) -> bool:
        """Never: a database without qualcode tables is found by the checks."""
        return False

    def schema_version(self, session: Session) -> int:
        """The ``schema_version`` row of ``meta`` (0 when there is no ``meta``)."""
        if session.scalar("SELECT to_regclass('meta') IS NOT NULL") is not True:
            return 0
        value = session.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(value) if value is not None else 0

    def set_schema_version(self, session: Session, version: int) -> None:
        """Upsert ``meta.schema_version`` and ``meta.application``."""
        for key, value in (
            ("schema_version", str(int(version))),
            ("application", "qualcode"),
        ):
            session.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def copy(self, session: Session, dest: Path) -> None:
        """Copy to a new SQLite file (see :mod:`qualcode.store._copy`)."""
        raise NotImplementedError  # Project.copy_to uses _copy for servers

    def purge(self, session: Session) -> None:
        """``VACUUM`` the tables that held text (the owner or a lead can)."""
        try:
            session.execute(
                "VACUUM (FULL) transcripts, turns, codings, orphans, decisions"
            )
        except self.error as exc:
            raise StoreError(
                Errors.QC812.format(
                    path=session.path,
                    detail="the server refused VACUUM FULL "
                    f"({type(exc).__name__}); ask its owner to run it",
                )
            ) from exc

    def secure_delete(self, session: Session) -> None:
        """Nothing to switch on: deleted rows go at the next VACUUM."""

    def describe(self, exc: BaseException) -> str:
        """The server's short message (its first line; no values)."""
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None) if diag else None
        if primary:
            return str(primary)
        lines = str(exc).splitlines()
        return lines[0] if lines else type(exc).__name__

    def translate(
        self, exc: BaseException, path: Path | str, timeout: float, waited: float
    ) -> QualcodeError | None:
        """Server-specific errors (refused rights, lost connection), or None."""
        return translate_pg(exc, path)


def translate_pg(exc: BaseException, path: Path | str) -> QualcodeError | None:
    """A psycopg error as a QualcodeError naming what to do (None: generic)."""
    state = getattr(exc, "sqlstate", None)
    if state == "42501":  # insufficient privilege / row-level security
        return refusal(exc, path)
    psycopg = _psycopg()
    if (
        isinstance(exc, psycopg.OperationalError)
        and state is None
        or (state is not None and state[:2] in ("08", "57"))
    ):
        return StoreError(Errors.QC452.format(path=path))
    return None


class _PgConn:
    """A psycopg connection with the DB-API calls the Session makes.

    Reconnects when a new transaction begins on a connection the server closed.
    """

    def __init__(self, url: str, timeout: float, dialect: PgDialect) -> None:
        self.url = url
        self.timeout = timeout
        self.dialect = dialect
        self.error = dialect.error
        self.conn = _open(url, timeout)
        #: foreign-key triggers are off (PgDialect.foreign_keys)
        self.replica = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if sql == _WRITE_BEGIN or sql == _READ_BEGIN:
            return self._begin(sql)
        if sql == "ROLLBACK":  # the session handles a failed rollback itself
            return self.conn.execute(sql)
        try:
            return self.conn.execute(sql, tuple(params))
        except self.error as exc:
            raise self._translate(exc) from None

    def _translate(self, exc: BaseException) -> BaseException:
        """Keep lock errors (the session reports them); explain the rest."""
        if self.dialect.is_locked(exc):
            return exc
        mapped = translate_pg(exc, redact(self.url))
        if mapped is not None:
            return mapped
        return StoreError(
            Errors.QC401.format(
                path=redact(self.url),
                detail=f"PostgreSQL error: {self.dialect.describe(exc)}.",
            )
        )

    def _begin(self, sql: str) -> Any:
        if self.conn.closed or self.conn.broken:
            self.conn = _open(self.url, self.timeout)
        try:
            cur = self.conn.execute(sql)
        except self.error as exc:
            raise self._translate(exc) from None
        if sql == _WRITE_BEGIN:
            try:
                self._lock()
            except self.error as exc:
                try:
                    self.conn.execute("ROLLBACK")
                except self.error:  # a lost connection rolls back by itself
                    pass
                raise self._translate(exc) from None
        return cur

    def _lock(self) -> None:
        """Take the project lock, retrying deadlocks/serialization failures."""
        psycopg = _psycopg()
        t0, delay = time.monotonic(), 0.01
        while True:
            try:
                self.conn.execute("SAVEPOINT qc_lock")
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                self.conn.execute("RELEASE qc_lock")
                return
            except psycopg.Error as exc:
                if getattr(exc, "sqlstate", None) not in ("40P01", "40001"):
                    raise
                if time.monotonic() - t0 + delay > self.timeout:
                    raise
                self.conn.execute("ROLLBACK TO qc_lock")
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def executemany(self, sql: str, rows: Any) -> None:
        plan = _copy_plan(sql)
        if plan is not None:
            rows = rows if isinstance(rows, list) else list(rows)
            if len(rows) >= COPY_ROWS and self._copy(plan, rows):
                return
        try:
            with self.conn.cursor() as cur:
                cur.executemany(sql, rows)
        except self.error as exc:
            raise self._translate(exc) from None

    def _copy(self, plan: tuple[str, list[str], list[Any]], rows: list) -> bool:
        """Bulk rows by ``COPY`` (10-50x faster than INSERTs); False: not allowed.

        Row-level security refuses COPY for roles it applies to (coders): they
        get the INSERTs instead (the savepoint undoes the attempt).
        """
        table, cols, consts = plan
        self.conn.execute("SAVEPOINT qc_copy")
        try:
            with self.conn.cursor() as cur:
                names = ", ".join(f'"{c}"' for c in cols)
                with cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
                    for row in rows:
                        it = iter(row)
                        cp.write_row([next(it) if c is _PARAM else c for c in consts])
        except self.error as exc:
            self.conn.execute("ROLLBACK TO qc_copy")
            self.conn.execute("RELEASE qc_copy")
            if getattr(exc, "sqlstate", None) == "0A000":  # RLS: use INSERTs
                return False
            raise self._translate(exc) from None
        self.conn.execute("RELEASE qc_copy")
        return True

    def close(self) -> None:
        self.conn.close()


#: bulk writes of at least this many rows go by COPY
COPY_ROWS = 2_000
_PARAM = object()
_PLAIN_INSERT = re.compile(
    r"\s*INSERT INTO (\w+) \(([^()]*)\) VALUES \((.*)\)\s*", re.DOTALL
)
_VALUE = re.compile(r"\s*(%s|NULL|'(?:[^']|'')*'|-?\d+)\s*(?:,|$)")


def _copy_plan(sql: str) -> tuple[str, list[str], list[Any]] | None:
    """``(table, columns, values)`` of a plain one-row INSERT, or None.

    ``values`` holds ``_PARAM`` for each ``%s`` and the constant otherwise.
    """
    m = _PLAIN_INSERT.fullmatch(sql)
    if m is None:
        return None
    table, cols, values = m.groups()
    consts: list[Any] = []
    pos = 0
    while pos < len(values):
        v = _VALUE.match(values, pos)
        if v is None or v.end() == pos:
            return None
        tok, pos = v.group(1), v.end()
        if tok == "%s":
            consts.append(_PARAM)
        elif tok == "NULL":
            consts.append(None)
        elif tok.startswith("'"):
            consts.append(tok[1:-1].replace("''", "'").replace("%%", "%"))
        else:
            consts.append(int(tok))
    names = [c.strip().strip('"') for c in cols.split(",")]
    return (table, names, consts) if len(names) == len(consts) else None


def _open(url: str, timeout: float) -> Any:
    psycopg = _psycopg()
    ms = max(int(timeout * 1000), 1)
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=max(int(timeout), 2),
            options=f"-c lock_timeout={ms} -c client_encoding=UTF8",
            application_name="qualcode",
        )
    except psycopg.Error as exc:
        raise _connect_error(exc, url) from None
    return conn


def _connect_error(exc: BaseException, url: str) -> StoreError:
    """QC451 naming the cause (no password, no server text beyond the kind)."""
    msg = str(exc)
    user, db = url_parts(url)
    if "password" in msg and ("authentication failed" in msg or "no password" in msg):
        why = (
            f"the server refused the password of role {user!r}. Check the password "
            "(or your ~/.pgpass / PGPASSWORD) and try again"
        )
    elif "does not exist" in msg and "database" in msg:
        why = (
            f"the database {db!r} does not exist on that server. Ask its "
            "administrator to create it (createdb), then run: qualcode server init URL"
        )
    elif "does not exist" in msg and "role" in msg:
        why = (
            f"the role {user!r} does not exist on that server. Ask the project lead "
            "to run: qualcode server add-coder URL NAME"
        )
    elif "permission denied" in msg or "not permitted" in msg:
        why = (
            f"role {user!r} may not connect to database {db!r}. Ask the project lead "
            "to add you: qualcode server add-coder URL NAME"
        )
    else:
        why = (
            "could not reach the server (is the host name and port right, and is "
            "the server running?). Check the URL: "
            "postgresql://USER@HOST:PORT/DATABASE"
        )
    return StoreError(Errors.QC451.format(path=redact(url), detail=why))


def connect_url(url: str, timeout: float) -> Session:
    """Open (and create or migrate) the project in the database at ``url``."""
    from qualcode.store._db import MIGRATIONS, SCHEMA_VERSION, Session

    if not url_parts(url)[1]:
        raise StoreError(
            Errors.QC451.format(
                path=redact(url),
                detail="the URL names no database. Use "
                "postgresql://USER@HOST:PORT/DATABASE",
            )
        )
    dialect = PgDialect()
    session = Session(_PgConn(url, timeout, dialect), dialect, redact(url), timeout)
    try:
        with session.transaction(write=False):
            version = dialect.schema_version(session)
            other = _other_tables(session) if version == 0 else 0
        _check_version(session, version, other)
        if version < SCHEMA_VERSION:
            with session.transaction(write=True):
                version = dialect.schema_version(session)
                _check_version(
                    session, version, _other_tables(session) if not version else 0
                )
                for i in range(version, SCHEMA_VERSION):
                    MIGRATIONS[i](session)
                    dialect.set_schema_version(session, i + 1)
    except BaseException:
        session.close()
        raise
    return session


def _other_tables(session: Session) -> int:
    return int(
        session.scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        )
    )


def _check_version(session: Session, version: int, other: int) -> None:
    from qualcode.store._db import SCHEMA_VERSION

    if version > SCHEMA_VERSION:
        raise StoreError(
            Errors.QC405.format(
                path=session.path, found=version, supported=SCHEMA_VERSION
            )
        )
    if version == 0 and other:
        raise StoreError(
            Errors.QC404.format(
                path=session.path,
                detail="a PostgreSQL database with other tables; use an empty "
                "database for a new project",
            )
        )


def refusal(exc: BaseException, path: Any) -> QualcodeError:
    """QC453 for a write the server's rights or policies refused."""
    diag = getattr(exc, "diag", None)
    msg = str(getattr(diag, "message_primary", None) or "")
    pgconn = getattr(exc, "pgconn", None)
    user = getattr(pgconn, "user", b"") or b""
    user = user.decode() if isinstance(user, bytes) else str(user)
    if "row-level security" in msg or "another coder" in msg:
        table = next((t for t in ("codings", "decisions", "coders") if t in msg), "")
        what = f"a row of {table} that belongs to another coder" if table else msg
        rule = (
            "A coder adds, changes and removes only their own codings, memos and "
            "decisions, under their own login name; the project lead may change "
            "any. Code as the role you logged in as, or ask the lead."
        )
    else:
        m = re.search(r"permission denied for (?:table|relation) (\w+)", msg)
        what = f"writing to {m.group(1)}" if m else msg
        rule = (
            "Coders write only their own codings, memos and decisions; transcripts, "
            "codebooks and other coders are managed by the project lead, and "
            "viewers only read. Ask the lead to make the change, or to give you the "
            "lead role: qualcode server add-coder URL NAME --lead"
        )
    return StoreError(Errors.QC453.format(path=path, user=user, what=what, rule=rule))
