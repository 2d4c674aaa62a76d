"""``qualcode treemap``: from selection-exercise responses or a project's codings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from qualcode.cli._common import (
    Result,
    add_command,
    check_coders,
    err,
    load_codebooks,
    need,
    open_project,
    project_codebook,
    suffix_of,
)
from qualcode.errors import Errors

if TYPE_CHECKING:  # pragma: no cover
    from qualcode import Treemap

__all__ = ["cmd_treemap", "register"]

EPILOG = """
  qualcode treemap corpora/exercises/roles_selections.csv \\
      --codebook codebooks/roles.yaml \\
      --min-respondents 7 --highlight harm_reduction --out roles.png --out roles.svg
  qualcode treemap -p study.qcproj --coder AB --by references --out codes.pdf
"""


def register(sub: Any) -> None:
    """Add ``qualcode treemap`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "treemap",
        func=cmd_treemap,
        help="treemap from selection-exercise responses or from codings",
        description="Draw a nested treemap with its caption numbers computed: from "
        "a selection exercise (one row per respondent and pick), or "
        "from a project's codings.",
        epilog=EPILOG,
    )
    s.add_argument(
        "selections",
        nargs="?",
        metavar="SELECTIONS",
        help="selection responses CSV/XLSX (or use --project)",
    )
    s.add_argument("-p", "--project", help="draw the project's codings instead")
    s.add_argument(
        "--codebook",
        action="append",
        metavar="FILE",
        help="codebook(s) for labels, categories and colours "
        "(default with --project: the project's)",
    )
    s.add_argument("--coder", action="append", help="only these coders' codings")
    s.add_argument(
        "--code",
        action="append",
        help="with --project: only these codes and their children (repeatable)",
    )
    s.add_argument(
        "--by",
        choices=["respondents", "references"],
        default="respondents",
        help="area = distinct respondents/interviews (default) or references",
    )
    s.add_argument(
        "--min-respondents",
        type=int,
        metavar="N",
        help="keep items chosen by (codes applied in) at least N",
    )
    s.add_argument(
        "--level",
        type=int,
        metavar="N",
        help="with --project: draw codes at this depth of the code tree",
    )
    s.add_argument(
        "--highlight",
        metavar="FLAG",
        help="codebook flag whose items to highlight, e.g. harm_reduction",
    )
    s.add_argument(
        "--highlight-item",
        action="append",
        metavar="ITEM",
        help="an item to highlight (repeatable)",
    )
    s.add_argument(
        "--highlight-label",
        metavar="TEXT",
        help="what the highlighted items are called in the caption",
    )
    s.add_argument("--title")
    s.add_argument(
        "--duplicates",
        choices=["error", "drop", "keep"],
        default="error",
        help="a respondent picking an item twice (default: error)",
    )
    s.add_argument(
        "--out",
        action="append",
        required=True,
        metavar="FILE",
        help=".png, .svg or .pdf (repeatable)",
    )


def _from_selections(args: argparse.Namespace, highlight: Any) -> Treemap:
    from qualcode import read_selections, selection_treemap

    cb = load_codebooks(args.codebook) if args.codebook else None
    path = need(args.selections, "selections file", "Check the path.")
    sel = read_selections(path, codebook=cb, duplicates=args.duplicates)
    return selection_treemap(
        sel,
        cb,
        min_respondents=args.min_respondents,
        by=args.by,
        highlight=highlight,
        highlight_label=args.highlight_label,
        title=args.title,
    )


def _from_project(args: argparse.Namespace, highlight: Any) -> Treemap:
    from qualcode import code_treemap

    with open_project(args.project) as project:
        check_coders(project, args.coder, "--coder")
        cb = project_codebook(project, args.codebook)
        codings = project.codings(coder=args.coder)
    if args.code:
        keep = set()
        for c in args.code:
            keep |= {c, *(d.id for d in cb.descendants(cb[c].id))}
        codings = codings[codings["code"].isin(keep)]
    if not len(codings):
        raise err(
            Errors.QC907,
            path=args.project,
            detail="no codings to draw"
            + (f" by {', '.join(args.coder)}" if args.coder else "")
            + (f" under {', '.join(args.code)}" if args.code else ""),
            fix="Add codings first (qualcode import --codings, qualcode review).",
        )
    return code_treemap(
        codings,
        cb,
        by=args.by,
        level=args.level,
        min_count=args.min_respondents,
        highlight=highlight,
        highlight_label=args.highlight_label,
        title=args.title,
    )


def cmd_treemap(args: argparse.Namespace) -> Result:
    """Run ``qualcode treemap``."""
    from qualcode.treemap import FIGURE_SUFFIXES

    if bool(args.selections) == bool(args.project):
        args._parser.error(
            "give a selections file or --project (to draw its codings), not both"
            if args.selections
            else "give a selections file, or --project to draw its codings"
        )
    for o in args.out:
        suffix_of(o, FIGURE_SUFFIXES, "a figure")
    highlight: Any = args.highlight or (args.highlight_item or None)
    if args.selections:
        tm = _from_selections(args, highlight)
    else:
        tm = _from_project(args, highlight)
    outs = [str(tm.save(o)) for o in args.out]
    layout = tm.layout[["item", "label", "category", "count"]]
    data = {"summary": tm.summary, "caption": tm.caption, "out": outs, "layout": layout}
    return Result("\n".join([tm.caption, *(f"wrote {o}" for o in outs)]), data)
