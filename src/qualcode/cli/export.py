"""``qualcode export``: quote banks or a REFI-QDA .qdpx."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    busy,
    check_coders,
    open_project,
    suffix_of,
)

__all__ = ["cmd_export", "register"]

EPILOG = """
  qualcode export -p study.qcproj --out extracts.xlsx --out extracts.docx
  qualcode export -p study.qcproj --code protect --coder AB \\
      --where role='police officer' \\
      --out protect_officers.md
  qualcode export -p shared.qcproj --out shared.qdpx
"""


def key_value(value: str) -> str:
    """argparse type for ATTRIBUTE=VALUE."""
    if "=" not in value or not value.partition("=")[0].strip():
        raise argparse.ArgumentTypeError(
            "expected ATTRIBUTE=VALUE, e.g. role='police officer'"
        )
    return value


def register(sub: Any) -> None:
    """Add ``qualcode export`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "export",
        func=cmd_export,
        help="quote banks (.xlsx/.csv/.docx/.html/.md) or a REFI-QDA .qdpx",
        description="Export coded extracts as quote banks with attribution, or the "
        "whole project as REFI-QDA .qdpx for NVivo, ATLAS.ti, MAXQDA. "
        "Pseudonymise first if the files leave the team.",
        epilog=EPILOG,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--out",
        action="append",
        required=True,
        metavar="FILE",
        help="output file, format by suffix (repeatable)",
    )
    s.add_argument(
        "--code", action="append", help="only these codes and their children"
    )
    s.add_argument("--coder", action="append", help="only these coders' codings")
    s.add_argument(
        "--where",
        action="append",
        type=key_value,
        metavar="ATTR=VALUE",
        help="only participants with this attribute value (repeatable)",
    )
    s.add_argument(
        "--context",
        type=int,
        default=1,
        metavar="N",
        help="sentences of context either side (default: 1)",
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument(
        "--attribution",
        metavar="TEMPLATE",
        help="attribution template, default '({role} – {rank_band})'",
    )
    g.add_argument("--no-attribution", action="store_true", help="no attribution")
    s.add_argument(
        "--matrices",
        action="store_true",
        help=".xlsx: add code x transcript and co-occurrence sheets",
    )
    s.add_argument("--title", help="document title (default: Quote bank)")
    s.add_argument(
        "--validate",
        action="store_true",
        help=".qdpx: validate against the REFI-QDA schema before writing",
    )


def where_arg(pairs: Sequence[str] | None) -> dict[str, Any] | None:
    """``--where`` pairs as export_extracts' ``where=`` mapping."""
    if not pairs:
        return None
    out: dict[str, list[str]] = {}
    for p in pairs:
        k, _, v = p.partition("=")
        out.setdefault(k.strip(), []).append(v.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def cmd_export(args: argparse.Namespace) -> Result:
    """Run ``qualcode export``."""
    from qualcode import export_extracts, write_qdpx
    from qualcode.export import FORMATS

    for o in args.out:
        suffix_of(o, (*FORMATS, ".qdpx"), "an export")
    attribution: Any = False if args.no_attribution else args.attribution
    outs, notes = [], []
    with open_project(args.project) as project:
        check_coders(project, args.coder, "--coder")
        for out in args.out:
            with busy(args, f"writing {Path(out).name}"):
                if out.lower().endswith(".qdpx"):
                    if args.code or args.coder or args.where:
                        notes.append(
                            f"{out}: --code/--coder/--where do not apply to .qdpx "
                            "(the whole project is exported)"
                        )
                    written = write_qdpx(project, out, validate=args.validate)
                else:
                    written = export_extracts(
                        project,
                        out,
                        codes=args.code,
                        coders=args.coder,
                        where=where_arg(args.where),
                        context=args.context,
                        attribution=attribution,
                        matrices=args.matrices,
                        title=args.title,
                    )
            outs.append(str(written))
    for n in notes:
        print(f"qualcode export: note: {n}", file=sys.stderr)
    return Result("\n".join(f"wrote {o}" for o in outs), {"out": outs})
