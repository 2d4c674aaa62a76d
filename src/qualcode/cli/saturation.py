"""``qualcode saturation``: thematic saturation (Guest, Namey & Chen 2020)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    busy,
    check_coders,
    check_table_suffix,
    open_project,
    suffix_of,
    table,
    write_table,
)

__all__ = ["cmd_saturation", "register"]

EPILOG = """
  qualcode saturation -p study.qcproj --coder AB
  qualcode saturation -p study.qcproj --coder AB --level root --bootstrap 1000 \\
      --figure saturation.png --table saturation.xlsx
"""


def register(sub: Any) -> None:
    """Add ``qualcode saturation`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "saturation",
        func=cmd_saturation,
        help="thematic saturation: new codes per interview (Guest, Namey & Chen 2020)",
        description="Assess thematic saturation with the method of Guest, Namey & "
        "Chen (2020, PLOS ONE 15(5): e0232076): the codes in a base of the first "
        "interviews, then runs of interviews after it; saturation is reached at the "
        "first run that adds at most the threshold of new information. Prints a "
        "paragraph for a methods section.",
        epilog=EPILOG,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--coder", help="whose codings (required when the project has several coders)"
    )
    s.add_argument(
        "--base",
        type=int,
        default=4,
        metavar="N",
        help="interviews in the base (default: 4)",
    )
    s.add_argument(
        "--run",
        type=int,
        default=2,
        metavar="N",
        help="interviews per run (default: 2)",
    )
    s.add_argument(
        "--threshold",
        type=float,
        default=0.05,
        metavar="X",
        help="largest share of new information that counts as saturated "
        "(default: 0.05)",
    )
    s.add_argument(
        "--level",
        choices=["code", "root"],
        default="code",
        help="count codes, or the root themes they belong to (default: code)",
    )
    s.add_argument(
        "--order",
        choices=["interview", "random"],
        default="interview",
        help="the order the interviews were added, or one random order (default: "
        "interview)",
    )
    s.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="repeat over N random orders: median and 95%% interval (default: 0)",
    )
    s.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    s.add_argument("--figure", metavar="FILE", help="write the figure (.png/.svg/.pdf)")
    s.add_argument(
        "--table",
        metavar="FILE",
        help="write the table per interview (.csv/.json; .xlsx also has the runs)",
    )


def cmd_saturation(args: argparse.Namespace) -> Result:
    """Run ``qualcode saturation``."""
    from qualcode import saturation
    from qualcode.treemap import FIGURE_SUFFIXES

    if args.figure:
        suffix_of(args.figure, FIGURE_SUFFIXES, "a figure")
    if args.table:
        check_table_suffix(args.table)
    with open_project(args.project) as project:
        check_coders(project, [args.coder] if args.coder else [], "--coder")
        with busy(args, "saturation"):
            sat = saturation(
                project,
                coder=args.coder,
                order=args.order,
                base=args.base,
                run=args.run,
                threshold=args.threshold,
                level=args.level,
                bootstrap=args.bootstrap,
                seed=args.seed,
            )
    lines = [sat.summary]
    data: dict[str, Any] = {
        "summary": sat.summary,
        "saturated_at": sat.saturated_at,
        "notation": sat.notation,
        "interval": list(sat.interval) if sat.interval is not None else None,
        "coder": sat.coder,
        "table": sat.table,
        "runs": sat.runs,
    }
    cols = ["position", "transcript_id", "codes", "new_codes", "cumulative"]
    lines += ["", table(sat.table, cols)]
    if args.figure:
        data["figure"] = str(sat.save(args.figure))
        lines.append(f"wrote {args.figure}")
    if args.table:
        if Path(args.table).suffix.lower() == ".xlsx":
            from qualcode import export_tables

            export_tables({"interviews": sat.table, "runs": sat.runs}, args.table)
        else:
            write_table(sat.table, args.table)
        data["out"] = args.table
        lines.append(f"wrote {args.table}")
    return Result("\n".join(lines), data)
