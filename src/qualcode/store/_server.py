"""Setting up a team project on a PostgreSQL server: roles, rights, policies.

``server_init(url)`` (``qualcode server init URL``), run once by the database's
owner, creates the schema and three group roles for the database ``DB``:

``qualcode_DB_lead``
    manages transcripts, codebooks, coders, the decision log and consensus
    codings; may change any coding (re-anchoring, renames, merges).
``qualcode_DB_coder``
    reads everything; adds, changes (memos) and removes only their OWN codings
    and suggestion decisions, adds their own coder name and LLM audit records.
``qualcode_DB_viewer``
    reads everything, writes nothing.

``server_add_coder(url, name, role=...)`` (``qualcode server add-coder URL
NAME``) creates a login role ``name`` in one of those groups. A coder logs in
as that role and codes as ``name``: the database itself checks every row
(row-level security on ``codings``, ``decisions`` and ``coders``, plus a trigger
that refuses changing or deleting another coder's rows with a clear error
instead of silently changing nothing), whatever client sends the SQL. Table
rights keep coders and viewers away from transcripts and codebooks.

Only ``CONNECT`` for the three groups: a role of another project on the same
server cannot open this database.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from qualcode._inputs import redact
from qualcode.errors import Errors, StoreError
from qualcode.store._pg import _open, _psycopg, url_parts

__all__ = ["ROLES", "group_role", "server_add_coder", "server_init"]

#: the kinds of login role server_add_coder makes
ROLES = ("coder", "lead", "viewer")
#: tables a coder may add rows to (own rows only where they have an owner)
_CODER_INSERT = ("codings", "decisions", "coders", "llm_calls")
_CODER_CHANGE = ("codings", "decisions")
_NAME_OK = re.compile(r"[^\x00-\x1f\x7f\"]{1,63}")

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION qualcode_is_lead() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_has_role(current_user, {lead}, 'MEMBER') $$;

CREATE OR REPLACE FUNCTION qualcode_own(cid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT qualcode_is_lead() OR EXISTS (
        SELECT 1 FROM coders WHERE coder_id = cid AND name = current_user)
$$;

CREATE OR REPLACE FUNCTION qualcode_refuse_others() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT qualcode_own(OLD.coder_id) THEN
        RAISE EXCEPTION USING ERRCODE = '42501',
            MESSAGE = format('%s of another coder cannot be changed or deleted',
                             TG_TABLE_NAME);
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
"""


def group_role(db: str, kind: str) -> str:
    """The group role of ``kind`` for database ``db`` (at most 63 bytes).

    Examples
    --------
    >>> group_role("study", "coder")
    'qualcode_study_coder'
    """
    name = f"qualcode_{db}_{kind}"
    if len(name.encode()) <= 63:
        return name
    digest = hashlib.sha1(db.encode()).hexdigest()[:8]
    return f"qualcode_{db.encode()[:30].decode(errors='ignore')}_{digest}_{kind}"


def _conn(url: str, action: str) -> Any:
    from qualcode.store._pg import connect_url

    # creates or migrates the schema (the owner runs this), then a plain conn
    connect_url(url, 30.0).close()
    return _open(url, 30.0)


def server_init(url: str) -> dict[str, str]:
    """Create the project schema, the group roles and the row-level policies.

    Safe to run again (after upgrading qualcode, it brings the schema up to
    date and grants rights on new tables). Run it as the database's owner or a
    superuser.

    Parameters
    ----------
    url : str
        ``postgresql://OWNER@HOST:PORT/DATABASE`` of an existing database.

    Returns
    -------
    dict
        ``{"lead": role, "coder": role, "viewer": role}``: the group roles.

    Raises
    ------
    StoreError
        The server cannot be reached, the database is missing (QC451), or the
        role may not create roles (QC454).

    Examples
    --------
    >>> from qualcode.store import server_init
    >>> server_init("postgresql://owner@db.example.org/study")  # doctest: +SKIP
    {'lead': 'qualcode_study_lead', 'coder': 'qualcode_study_coder', ...}
    """
    psycopg = _psycopg()
    from psycopg import sql

    _, db = url_parts(url)
    groups = {kind: group_role(db, kind) for kind in ("lead", "coder", "viewer")}
    conn = _conn(url, "init")
    try:
        with conn.transaction():
            for role in groups.values():
                exists = conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                ).fetchone()
                if not exists:
                    conn.execute(
                        sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role))
                    )
            _grant(conn, sql, db, groups)
            _policies(conn, sql, groups)
    except psycopg.Error as exc:
        raise _server_error("init", url, exc) from None
    finally:
        conn.close()
    return groups


def _grant(conn: Any, sql: Any, db: str, groups: dict[str, str]) -> None:
    ident = {k: sql.Identifier(v) for k, v in groups.items()}
    everyone = sql.SQL(", ").join(ident.values())
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    ]
    run = conn.execute
    run(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(db)))
    run(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(db), everyone
        )
    )
    run(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(everyone))
    run(sql.SQL("GRANT {} TO current_user").format(ident["lead"]))
    for table in tables:
        t = sql.Identifier(table)
        run(sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(t))
        run(sql.SQL("GRANT SELECT ON {} TO {}").format(t, everyone))
        run(
            sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(t, ident["lead"])
        )
        if table in _CODER_INSERT:
            run(sql.SQL("GRANT INSERT ON {} TO {}").format(t, ident["coder"]))
        if table in _CODER_CHANGE:
            run(sql.SQL("GRANT UPDATE, DELETE ON {} TO {}").format(t, ident["coder"]))


def _policies(conn: Any, sql: Any, groups: dict[str, str]) -> None:
    conn.execute(sql.SQL(_FUNCTIONS).format(lead=sql.Literal(groups["lead"])))
    for table in _CODER_CHANGE:
        t = sql.Identifier(table)
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t))
        for name, body in (
            ("qc_read", "FOR SELECT USING (true)"),
            ("qc_insert", "FOR INSERT WITH CHECK (qualcode_own(coder_id))"),
            (
                "qc_update",
                "FOR UPDATE USING (true) WITH CHECK (qualcode_own(coder_id))",
            ),
            ("qc_delete", "FOR DELETE USING (true)"),
        ):
            conn.execute(
                sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(
                    sql.Identifier(name), t
                )
            )
            conn.execute(
                sql.SQL("CREATE POLICY {} ON {} " + body).format(
                    sql.Identifier(name), t
                )
            )
        trig = sql.Identifier(f"{table}_own_rows")
        conn.execute(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(trig, t))
        conn.execute(
            sql.SQL(
                "CREATE TRIGGER {} BEFORE UPDATE OR DELETE ON {} FOR EACH ROW "
                "EXECUTE FUNCTION qualcode_refuse_others()"
            ).format(trig, t)
        )
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ALWAYS TRIGGER {}").format(t, trig))
    t = sql.Identifier("coders")
    conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t))
    for name, body in (
        ("qc_read", "FOR SELECT USING (true)"),
        (
            "qc_insert",
            "FOR INSERT WITH CHECK (qualcode_is_lead() OR name = current_user)",
        ),
        ("qc_change", "FOR UPDATE USING (qualcode_is_lead())"),
        ("qc_delete", "FOR DELETE USING (qualcode_is_lead())"),
    ):
        conn.execute(
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(name), t)
        )
        conn.execute(
            sql.SQL("CREATE POLICY {} ON {} " + body).format(sql.Identifier(name), t)
        )


def server_add_coder(
    url: str, name: str, *, role: str = "coder", password: str | None = None
) -> str:
    """Create the login role ``name`` as a coder, lead or viewer of the project.

    Run by the database's owner (or a lead who may create roles) after
    :func:`server_init`. The person then opens
    ``Project("postgresql://NAME@HOST:PORT/DATABASE")`` and codes as ``NAME``.
    An existing role is added to the group (its password is left as it is
    unless one is given).

    Parameters
    ----------
    url : str
        The project database, as its owner.
    name : str
        The person's role name, which is also their coder name.
    role : {"coder", "lead", "viewer"}, default "coder"
    password : str, optional
        Their password (never shown in messages). None: set it later with
        ``ALTER ROLE ... PASSWORD`` or use the server's own authentication.

    Returns
    -------
    str
        The group role ``name`` was added to.

    Examples
    --------
    >>> from qualcode.store import server_add_coder
    >>> server_add_coder(
    ...     "postgresql://owner@db.example.org/study", "ana"
    ... )  # doctest: +SKIP
    'qualcode_study_coder'
    """
    from qualcode._validation import check_choice, check_type

    check_type(name, str, param="name", caller="server_add_coder")
    check_choice(role, ROLES, param="role", caller="server_add_coder")
    if not _NAME_OK.fullmatch(name) or name != name.strip():
        raise StoreError(
            Errors.QC454.format(
                action="add-coder",
                detail="a role name must be 1-63 characters without control "
                "characters, double quotes or surrounding spaces",
            )
        )
    psycopg = _psycopg()
    from psycopg import sql

    _, db = url_parts(url)
    group = group_role(db, role)
    conn = _open(url, 30.0)
    try:
        with conn.transaction():
            if not conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)
            ).fetchone():
                raise StoreError(
                    Errors.QC454.format(
                        action="add-coder",
                        detail=f"{redact(url)} is not set up for a team yet. "
                        "Run first: qualcode server init URL",
                    )
                )
            who = sql.Identifier(name)
            if conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)
            ).fetchone():
                if password is not None:
                    conn.execute(
                        sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                            who, sql.Literal(password)
                        )
                    )
            else:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN").format(who)
                    if password is None
                    else sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        who, sql.Literal(password)
                    )
                )
            for other in ROLES:
                if other != role:
                    conn.execute(
                        sql.SQL("REVOKE {} FROM {}").format(
                            sql.Identifier(group_role(db, other)), who
                        )
                    )
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), who))
    except psycopg.Error as exc:
        raise _server_error("add-coder", url, exc) from None
    finally:
        conn.close()
    return group


def _server_error(action: str, url: str, exc: BaseException) -> StoreError:
    diag = getattr(exc, "diag", None)
    msg = getattr(diag, "message_primary", None) or type(exc).__name__
    hint = ""
    if getattr(exc, "sqlstate", None) == "42501":
        hint = (
            "; run it as the database's owner or a superuser (a role with CREATEROLE)"
        )
    return StoreError(
        Errors.QC454.format(
            action=action, detail=f"{redact(url)}: the server said: {msg}{hint}"
        )
    )
