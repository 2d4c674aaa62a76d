"""``qualcode leaks``: check exports or projects for originals from the key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    Result,
    add_command,
    add_detector_options,
    busy,
    detectors_of,
    need,
    table,
    write_table,
)

__all__ = ["cmd_leaks", "register"]

EPILOG = """
  qualcode leaks out/extracts.docx out/demo.qdpx --key corpora/demo/pseudonym_key.csv
  qualcode leaks shared/ --key key.csv --out leaks.xlsx
"""


def register(sub: Any) -> None:
    """Add ``qualcode leaks`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "leaks",
        func=cmd_leaks,
        help="check exports or projects for originals from the key",
        description="Scan exports (.xlsx, .docx, .html, .csv, .md, .txt, .qdpx), "
        "project files or folders for any original from the key and for "
        "identifiers, and report every hit (context masked). Exits 1 "
        "when anything leaks, so it can gate a release.",
        epilog=EPILOG,
    )
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    s.add_argument(
        "--key", required=True, metavar="FILE", help="the pseudonymisation key"
    )
    s.add_argument("--out", metavar="FILE", help="write the hits (.csv/.xlsx/.json)")
    add_detector_options(s, none_help="look only for originals from the key")


def cmd_leaks(args: argparse.Namespace) -> Result:
    """Run ``qualcode leaks``; exit 1 when anything leaks."""
    from qualcode import check_leaks

    key = need(
        args.key, "pseudonymisation key", "Check the path (a .csv or .yaml key)."
    )
    paths = [
        need(p, "file or folder to check", "Check the path.", folder=None)
        for p in args.paths
    ]
    with busy(args, "checking for leaks"):
        hits = check_leaks(paths, key, detectors=detectors_of(args))
    if args.out:
        write_table(hits, args.out)
    data = {
        "leaks": len(hits),
        "files": [str(p) for p in paths],
        "hits": hits,
        "out": args.out,
    }
    if not len(hits):
        return Result(f"no leaks: nothing from {key} in {len(paths)} path(s)", data)
    by_file = hits.groupby("path").size().to_dict()
    human = "\n".join(
        [
            table(hits, ["path", "location", "kind", "original", "context"], width=60),
            *([f"wrote {args.out}"] if args.out else []),
        ]
    )
    error = (
        f"{len(hits)} leak(s) found in "
        + ", ".join(f"{Path(str(p)).name} ({n})" for p, n in by_file.items())
        + ": do not share these files; pseudonymise the project again and re-export"
    )
    return Result(human, data, code=1, error=error)
