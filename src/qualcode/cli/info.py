"""``qualcode info``: what a project holds."""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import PROJECT_HELP, Result, add_command, open_project

__all__ = ["cmd_info", "register"]


def register(sub: Any) -> None:
    """Add ``qualcode info`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "info",
        func=cmd_info,
        help="what a project holds",
        description="Show a project's transcripts, coders, codings and codebooks.",
        epilog="  qualcode info -p study.qcproj\n"
        "  qualcode info -p study.qcproj --json",
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)


def cmd_info(args: argparse.Namespace) -> Result:
    """Run ``qualcode info``."""
    with open_project(args.project) as project:
        transcripts = project.transcripts
        codings = project.codings()
        coders = codings.groupby("coder").size().to_dict() if len(codings) else {}
        books = project.codebooks
        current = books[books["current"]] if "current" in books.columns else books
        cb_rows = [
            {k: r.get(k) for k in ("name", "version", "codes") if k in r}
            for r in current.to_dict("records")
        ]
        orphans = len(project.orphans())
    data = {
        "project": args.project,
        "transcripts": len(transcripts),
        "transcript_ids": list(transcripts["transcript_id"])
        if len(transcripts)
        else [],
        "codings": len(codings),
        "coders": coders,
        "codebooks": cb_rows,
        "orphans": orphans,
    }
    books_text = ", ".join(
        " ".join(str(r[k]) for k in ("name", "version") if r.get(k) is not None)
        for r in cb_rows
    )
    lines = [
        f"{args.project}: {len(transcripts)} transcripts, {len(codings)} codings",
        "coders: " + (", ".join(f"{c} ({n})" for c, n in coders.items()) or "none"),
        "codebooks: " + (books_text or "none"),
    ]
    if orphans:
        lines.append(f"orphaned codings: {orphans}")
    return Result("\n".join(lines), data)
