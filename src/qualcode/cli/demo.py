"""``qualcode demo``: the whole workflow on the bundled fictional demo corpus."""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import Result, add_command

__all__ = ["cmd_demo", "register"]


def register(sub: Any) -> None:
    """Add ``qualcode demo`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "demo",
        func=cmd_demo,
        help="run the whole workflow on the bundled fictional demo corpus",
        description="Import the demo corpus, store it, run the pattern and learned "
        "taggers, load two fictional coders' codings, compute agreement, "
        "draw the treemaps, pseudonymise, export and check for leaks.",
        epilog="  qualcode demo --out out/",
    )
    s.add_argument(
        "--out", default="out", metavar="DIR", help="output folder (default: out/)"
    )


def cmd_demo(args: argparse.Namespace) -> Result:
    """Run ``qualcode demo``."""
    import qualcode.demo

    result = qualcode.demo.run_demo(args.out, quiet=args.quiet or args.json)
    return Result("", result)
