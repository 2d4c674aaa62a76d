"""``qualcode server init|add-coder``: a team project on a PostgreSQL server."""

from __future__ import annotations

import argparse
import os
from typing import Any

from qualcode.cli._common import Result, add_command, err
from qualcode.errors import Errors

__all__ = ["cmd_server_add_coder", "cmd_server_init", "register"]

EPILOG = """
  qualcode server init postgresql://owner@db.example.org/study
  qualcode server add-coder postgresql://owner@db.example.org/study ana
  QC_PASSWORD=... qualcode server add-coder postgresql://owner@db/study lea --lead \\
      --password-env QC_PASSWORD
"""


def register(sub: Any) -> None:
    """Add ``qualcode server`` and its actions to the subparsers ``sub``."""
    s = add_command(
        sub,
        "server",
        func=cmd_server_init,
        help="set up a team project on a PostgreSQL server (init, add-coder)",
        description="Set up a team project on a PostgreSQL server: the database "
        "checks who may change what (coders change only their own codings; leads "
        "manage transcripts, codebooks and consensus; viewers read). Open it with "
        "-p postgresql://NAME@HOST:PORT/DATABASE in any command.",
        epilog=EPILOG,
    )
    actions = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = add_command(
        actions,
        "init",
        func=cmd_server_init,
        help="create the schema, roles and policies (as the database's owner)",
        description="Create the project schema, the lead/coder/viewer group roles "
        "and the row-level policies in an existing database. Safe to run again "
        "(after upgrading qualcode it brings the schema up to date).",
        epilog="  qualcode server init postgresql://owner@db.example.org/study",
    )
    c.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST:PORT/DATABASE")
    c = add_command(
        actions,
        "add-coder",
        func=cmd_server_add_coder,
        help="create a login role for a person (coder, --lead or --viewer)",
        description="Create the login role NAME (also their coder name) as a "
        "coder of the project, or a lead or viewer. They then use "
        "-p postgresql://NAME@HOST:PORT/DATABASE. A password is never given on "
        "the command line: name an environment variable holding it, or set it "
        "later on the server.",
        epilog="  qualcode server add-coder postgresql://owner@db/study ana",
    )
    c.add_argument("url", metavar="URL", help="the project database, as its owner")
    c.add_argument("name", metavar="NAME", help="the person's role and coder name")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--lead", action="store_true", help="a lead (manages the project)")
    g.add_argument("--viewer", action="store_true", help="a viewer (reads only)")
    c.add_argument(
        "--password-env",
        metavar="VAR",
        help="environment variable holding their password",
    )


def cmd_server_init(args: argparse.Namespace) -> Result:
    """Run ``qualcode server init``."""
    from qualcode.store import server_init

    groups = server_init(args.url)
    lines = [f"{kind}: {role}" for kind, role in groups.items()]
    return Result(
        "team project ready; group roles:\n  "
        + "\n  ".join(lines)
        + "\nadd people with 'qualcode server add-coder URL NAME'",
        {"groups": groups},
    )


def cmd_server_add_coder(args: argparse.Namespace) -> Result:
    """Run ``qualcode server add-coder``."""
    from qualcode.store import server_add_coder

    role = "lead" if args.lead else "viewer" if args.viewer else "coder"
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise err(
                Errors.QC914,
                var=args.password_env,
                fix=f"Set it first (export {args.password_env}=...), or leave out "
                "--password-env and set the password on the server",
            )
    group = server_add_coder(args.url, args.name, role=role, password=password)
    return Result(
        f"{args.name} is a {role} of the project (group {group}); they open it as "
        f"postgresql://{args.name}@HOST:PORT/DATABASE",
        {"name": args.name, "role": role, "group": group},
    )
