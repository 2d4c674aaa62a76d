"""The ``qualcode`` command line: thin subcommands over the public API."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point (stub until the CLI lands)."""
    print("qualcode: command line not built yet", file=sys.stderr)
    return 2
