"""``qualcode copy``: a whole project, losslessly, to a new file."""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import Result, add_command, busy, open_project

__all__ = ["cmd_copy", "register"]

EPILOG = """
  qualcode copy study.qcproj backup/study-2026-12-01.qcproj
"""


def register(sub: Any) -> None:
    """Add ``qualcode copy`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "copy",
        func=cmd_copy,
        help="copy a whole project (every table, one consistent snapshot)",
        description="Copy a project, losslessly, to a new project: transcripts, "
        "codebook versions, codings, the decision log and the LLM audit trail, as "
        "one consistent snapshot (others may keep working meanwhile). The copy is "
        "written under a temporary name and renamed into place when complete; an "
        "existing destination is never overwritten.",
        epilog=EPILOG,
    )
    s.add_argument("source", metavar="SRC", help="the project to copy")
    s.add_argument("dest", metavar="DEST", help="the new project (must not exist)")


def cmd_copy(args: argparse.Namespace) -> Result:
    """Run ``qualcode copy``."""
    with open_project(args.source) as project, busy(args, "copying"):
        with project.copy_to(args.dest) as copy:
            summary = repr(copy)
    return Result(
        f"copied {args.source} to {args.dest}\n{summary}",
        {"source": args.source, "dest": args.dest, "summary": summary},
    )
