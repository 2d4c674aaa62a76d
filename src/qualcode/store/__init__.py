"""The project store: one project, its SQL as functions of a connection.

Layers (imports point down only)::

    project.py        Project: thin public methods, checks parameters, opens
                      one transaction per call (or joins project.transaction())
    _teamwork.py      Project.merge, Project.copy_to          (mixed into Project)
    _housekeeping.py  renames, merges, removal, the change log (mixed into Project)
    _base.py          what those share: the path, the session, _tx()
    _merge.py         Project.merge: functions of two sessions
    _tidy.py          rename/merge codes and coders, remove transcripts, the log
    _transcripts.py   transcripts, turns, attributes, re-anchoring on new text
    _codings.py       coders, codings, orphans, the suggestion-decision log
    _codebooks.py     codebook versions (YAML text), the current code index
    _llm.py           the LLM audit trail and cache
    _anchor.py        re-anchoring quotes on changed text (pure)
    _frames.py        values -> JSON, DataFrame building helpers
    _checks.py        what text fields accept (control characters, surrogates)
    _db.py            Session, connect, schema + migrations, transactions, errors
    _dialect.py       Dialect: what differs between back ends (SQLite here)

The back-end seam
-----------------
Every store function takes a :class:`~qualcode.store._db.Session`: the DB-API
connection plus a :class:`~qualcode.store._dialect.Dialect`. SQL is written once
with ``?`` placeholders and the SQL both SQLite and PostgreSQL speak (``ON
CONFLICT ... DO NOTHING/UPDATE``, ``SAVEPOINT``, ``coalesce``); what differs is a
dialect method: placeholder style (:meth:`Dialect.sql`), how a write transaction
begins (``BEGIN IMMEDIATE`` / PostgreSQL's isolation level), schema words
(:attr:`Dialect.ddl`: ``INTEGER PRIMARY KEY`` vs an identity column, ``WITHOUT
ROWID``, the JSON check), new row ids (``lastrowid`` / ``RETURNING``), the fast
column-wise read (``json_group_array``), "one of these ids" as one parameter
(``json_each``), error kinds (locked/busy -> :class:`~qualcode.errors.
StoreLockedError`), the schema version (``PRAGMA user_version``), the copy
(backup API) and the purge (``VACUUM``). A PostgreSQL back end is a second
``Dialect`` subclass plus a ``connect`` for URLs (psycopg 3; row-level security
per coder role is a migration of its own), not a second store.

Transactions
------------
``session.transaction(write=...)`` is the only way SQL runs: ``BEGIN IMMEDIATE``
for writes (the lock is taken at once, so two writers never deadlock), a plain
``BEGIN`` snapshot for reads. Transactions nest: an inner one joins the outer
(as a ``SAVEPOINT`` when writing), which is how :meth:`Project.transaction` makes
several public calls one all-or-nothing unit with one snapshot for its reads.

Adding a table (a migration)
----------------------------
Append a function ``_migration_<n>(session)`` to ``MIGRATIONS`` in ``_db.py``
(never edit a released one): it runs its DDL, written with the ``Dialect.ddl``
words, through ``session.dialect.schema([...])`` and ``session.execute``. Opening
an older file runs the missing migrations in one write transaction (so far: 1
the schema, 2 ``llm_calls``, 3 the change log ``changes``). Put the functions
that read and write the new tables in their own module (like ``_llm.py`` and
``_tidy.py``: functions of a session, importing ``_db``), and a thin public
method on :class:`Project` that opens ``self._tx(write=...)`` and calls them.

Text rules
----------
At this boundary (``_checks.py``): ids and names (codes, coders, origins,
transcript ids, speakers, roles, attribute names) hold no control characters
or line breaks; memos may hold tabs and ``\n``; transcript text has ``\n``
line breaks only and no NUL; no field holds a lone surrogate. Errors name the
field, the place and the position, never the text.
"""

from __future__ import annotations

from qualcode.store._server import server_add_coder, server_init
from qualcode.store.project import Project

__all__ = ["Project", "server_add_coder", "server_init"]
