"""A real, throw-away PostgreSQL server for tests (no fakes).

``initdb`` in a temporary folder, ``pg_ctl start`` on a free loopback port with a
private socket folder, ``pg_ctl stop`` at the end. PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` system user (created by
Debian's package); otherwise as the current user. ``make test`` installs the
Debian package when it is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PgServer", "find_bindir"]


def find_bindir() -> Path | None:
    """The newest PostgreSQL ``bin`` folder with ``initdb`` and ``pg_ctl``."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for d in reversed(found):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    exe = shutil.which("initdb")
    return Path(exe).parent if exe else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """Start and stop a PostgreSQL cluster owned by the test session.

    ``url(user, db)`` gives a ``postgresql://`` URL; the superuser is ``qc``.
    Authentication is ``trust`` on loopback: any role may log in without a
    password, and row-level security still applies per role.
    """

    superuser = "qc"

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL is not installed (no initdb found). On Debian: "
                "apt-get install -y postgresql (make test does this as root)."
            )
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="qualcode-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.base, "postgres")
            os.chmod(self.base, 0o700)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> PgServer:
        self._run(
            self.bindir / "initdb", "-D", str(self.data), "-A", "trust", "-U",
            self.superuser, "-E", "UTF8", "--no-sync", "--locale=C.UTF-8",
        )
        opts = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        self._run(
            self.bindir / "pg_ctl", "-D", str(self.data), "-o", opts, "-l",
            str(self.base / "log"), "-w", "-t", "60", "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``mode``: ``fast`` or ``immediate``); keeps the data."""
        if self.data.exists():
            subprocess.run(
                (["runuser", "-u", "postgres", "--"] if self.as_root else [])
                + [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode,
                   "-w", "stop"],
                capture_output=True, text=True, check=False,
            )

    def restart(self) -> None:
        """Start a stopped server again on the same port."""
        opts = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c max_connections=60"
        )
        self._run(
            self.bindir / "pg_ctl", "-D", str(self.data), "-o", opts, "-l",
            str(self.base / "log"), "-w", "-t", "60", "start",
        )

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, user: str | None = None, db: str = "postgres") -> str:
        return f"postgresql://{user or self.superuser}@127.0.0.1:{self.port}/{db}"

    def createdb(self, name: str) -> str:
        """Create an empty database and return its superuser URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(db=name)
