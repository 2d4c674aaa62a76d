"""Tidy a project: ``qualcode code|coder rename|merge``, ``transcript remove``.

Thin over the Project methods (``rename_code``, ``merge_codes``, ``rename_coder``,
``merge_coders``, ``remove_transcript``): each runs in one transaction, moves
codings without losing any, and is recorded in the project's change log (who,
when, what; a removed transcript's codings with their text).
"""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import PROJECT_HELP, Result, add_command, open_project

__all__ = ["cmd_tidy", "register"]

#: (noun, action) -> (Project method, what the command says it did)
ACTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("code", "rename"): ("rename_code", "renamed code {old!r} to {new!r}"),
    ("code", "merge"): ("merge_codes", "merged codes {sources} into {into!r}"),
    ("coder", "rename"): ("rename_coder", "renamed coder {old!r} to {new!r}"),
    ("coder", "merge"): ("merge_coders", "merged coders {sources} into {into!r}"),
    ("transcript", "remove"): ("remove_transcript", "removed transcript {id!r}"),
}

EPILOGS = {
    "code": "  qualcode code rename -p study.qcproj protect-vulnerable safeguard\n"
    "  qualcode code merge -p study.qcproj arrest-dealers arrest-users --into arrest",
    "coder": "  qualcode coder rename -p study.qcproj mk MK\n"
    "  qualcode coder merge -p study.qcproj AB-laptop AB-desktop --into AB",
    "transcript": "  qualcode transcript remove -p study.qcproj INT07",
}

HELPS = {
    "code": "rename or merge codes (codings move; the codebook follows; logged)",
    "coder": "rename or merge coders (codings move; logged)",
    "transcript": "remove transcripts (their codings go to the change log with text)",
}


def register(sub: Any) -> None:
    """Add ``qualcode code``, ``qualcode coder`` and ``qualcode transcript``."""
    for noun in ("code", "coder", "transcript"):
        s = add_command(
            sub,
            noun,
            func=cmd_tidy,
            help=HELPS[noun],
            description=f"Tidy a project's {noun}s; every change is one transaction "
            "and is recorded in the project's change log.",
            epilog=EPILOGS[noun],
        )
        actions = s.add_subparsers(dest="action", required=True, metavar="ACTION")
        for (n, action), (method, _) in ACTIONS.items():
            if n == noun:
                _register_action(actions, noun, action, method)


def _register_action(actions: Any, noun: str, action: str, method: str) -> None:
    epilog = "\n".join(
        x for x in EPILOGS[noun].splitlines() if f" {noun} {action} " in x
    )
    s = add_command(
        actions,
        action,
        func=cmd_tidy,
        help=f"{action} {noun}s (Project.{method})",
        description=f"{action.capitalize()} {noun}s of a project (Project.{method}); "
        "recorded in its change log.",
        epilog=epilog,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    if action == "rename":
        s.add_argument("old", metavar="OLD", help=f"the {noun} to rename")
        s.add_argument("new", metavar="NEW", help="its new name")
    elif action == "merge":
        s.add_argument(
            "sources", nargs="+", metavar=noun.upper(), help=f"{noun}s to merge"
        )
        s.add_argument(
            "--into",
            required=True,
            metavar=noun.upper(),
            help=f"the {noun} they become",
        )
    else:
        s.add_argument("ids", nargs="+", metavar="ID", help="transcript ids to remove")
        s.add_argument(
            "--purge",
            action="store_true",
            help="keep none of its text, not even in the change log (consent "
            "withdrawn); the file is compacted",
        )
    s.add_argument("--by", metavar="NAME", help="who made the change (for the log)")


def _counts(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return {str(k): v for k, v in result.items()}
    if hasattr(result, "to_dict") and hasattr(result, "columns"):  # a frame
        return {"rows": len(result)}
    return {} if result is None else {"result": result}


def cmd_tidy(args: argparse.Namespace) -> Result:
    """Run ``qualcode code|coder rename|merge`` or ``qualcode transcript remove``."""
    method, said = ACTIONS[(args.command, args.action)]
    done: list[dict[str, Any]] = []
    lines = []
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    with open_project(args.project) as project, project.transaction():
        fn = getattr(project, method)
        if args.action == "rename":
            calls = [((args.old, args.new), {"old": args.old, "new": args.new})]
        elif args.action == "merge":
            sources = ", ".join(repr(s) for s in args.sources)
            calls = [
                (
                    (list(args.sources), args.into),
                    {"sources": sources, "into": args.into},
                )
            ]
        else:
            calls = [((tid,), {"id": tid}) for tid in args.ids]
        for call_args, fields in calls:
            kw = {"purge": True} if getattr(args, "purge", False) else {}
            counts = _counts(fn(*call_args, by=args.by, **kw))
            done.append({**fields, **counts})
            detail = ", ".join(f"{v} {k}" for k, v in counts.items())
            lines.append(said.format(**fields) + (f" ({detail})" if detail else ""))
        summary = repr(project)
    lines.append(summary)
    return Result("\n".join(lines), {"project": args.project, "done": done})
