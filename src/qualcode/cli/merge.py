"""``qualcode merge``: bring other coders' projects into this one."""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    busy,
    open_project,
    table,
)

__all__ = ["cmd_merge", "register"]

EPILOG = """
  qualcode merge ben.qcproj lea.qcproj -p study.qcproj
"""


def register(sub: Any) -> None:
    """Add ``qualcode merge`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "merge",
        func=cmd_merge,
        help="bring other coders' projects into this one (nothing overwritten)",
        description="Merge other projects (each coder's own file, or a server "
        "project) into this one: new transcripts, codebook versions, codings, "
        "suggestion decisions and the LLM audit trail. Nothing here is "
        "overwritten: a transcript with the same id but another text is a "
        "conflict and its codings stay out; identical codings are not "
        "duplicated. Each project is merged in one transaction; the report "
        "lists what came in and what did not.",
        epilog=EPILOG,
    )
    s.add_argument(
        "others", nargs="+", metavar="OTHER", help="the projects to bring in (read)"
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)


def cmd_merge(args: argparse.Namespace) -> Result:
    """Run ``qualcode merge``."""
    import pandas as pd

    lines: list[str] = []
    reports = []
    with open_project(args.project) as project:
        for other in args.others:
            with busy(args, f"merging {other}"):
                report = project.merge(other)
            reports.append(report.assign(source=other))
            lines.append(f"merged {other}:")
            lines.append(table(report, ["kind", "transcript_id", "coder", "count"]))
        summary = repr(project)
    data = {
        "project": args.project,
        "report": pd.concat(reports, ignore_index=True),
        "summary": summary,
    }
    return Result("\n".join([*lines, summary]), data)
