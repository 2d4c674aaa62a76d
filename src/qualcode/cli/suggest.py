"""``qualcode suggest`` (patterns or a learned tagger) and ``qualcode review``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    check_coders,
    check_new_coder,
    check_table_suffix,
    guard_filled,
    load_codebooks,
    need,
    open_project,
    progress,
    project_codebook,
    read_table,
    table,
    write_table,
)

if TYPE_CHECKING:  # pragma: no cover
    from qualcode import Codebook, LearnedTagger, Project

__all__ = ["cmd_review", "cmd_suggest", "register"]

EPILOG = """
  qualcode suggest -p study.qcproj --out suggestions.xlsx
  qualcode suggest -p study.qcproj --codebook codebooks/harms.yaml --coder AB \\
      --out s.csv
  qualcode suggest -p study.qcproj --learn-from AB --save-tagger study.learned-AB \\
      --out learned.csv
  qualcode suggest -p study.qcproj --learned study.learned-AB --json
"""


def register(sub: Any) -> None:
    """Add ``qualcode suggest`` and ``qualcode review`` to the subparsers ``sub``."""
    _register_suggest(sub)
    _register_review(sub)


def _register_suggest(sub: Any) -> None:
    s = add_command(
        sub,
        "suggest",
        func=cmd_suggest,
        help="suggest codes with the codebook's patterns or a learned tagger",
        description="Suggest codes for sentences or turns, with the evidence for "
        "each. Write them to a file, fill its 'decision' column "
        "(accepted/rejected) and apply it with 'qualcode review'.",
        epilog=EPILOG,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--codebook",
        action="append",
        metavar="FILE",
        help="codebook(s) whose patterns to use (default: the project's)",
    )
    s.add_argument(
        "--unit",
        choices=["sentence", "turn"],
        default="sentence",
        help="what a suggestion covers (default: sentence)",
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument("--learned", metavar="DIR", help="use a saved learned tagger")
    g.add_argument(
        "--learn-from",
        metavar="CODER",
        help="train a learned tagger on this coder's codings first",
    )
    s.add_argument(
        "--save-tagger",
        metavar="DIR",
        help="with --learn-from: save the trained tagger here",
    )
    s.add_argument(
        "--code",
        action="append",
        help="with --learn-from: learn only this code (repeatable; default: every "
        "code of --codebook, or every code the coder used)",
    )
    s.add_argument(
        "--level",
        choices=["leaf", "root"],
        default="leaf",
        help="with --learn-from: learn the codes as coded (leaf) or their root "
        "themes (root: more examples per class, better on a few interviews)",
    )
    s.add_argument(
        "--epochs", type=int, default=10, help="training epochs (default: 10)"
    )
    s.add_argument("--seed", type=int, default=0, help="training seed (default: 0)")
    s.add_argument("--coder", help="do not re-offer what this coder coded or rejected")
    s.add_argument(
        "--interviewer", action="store_true", help="also tag interviewer turns"
    )
    s.add_argument(
        "--min-score",
        type=float,
        default=0.0,
        metavar="X",
        help="drop suggestions scoring below X (0-1)",
    )
    s.add_argument(
        "--out",
        metavar="FILE",
        help="write the suggestions with an empty 'decision' column (.csv/.xlsx/.json)",
    )
    s.add_argument(
        "--force",
        action="store_true",
        help="overwrite --out even if its 'decision' column has been filled in",
    )


def _register_review(sub: Any) -> None:
    s = add_command(
        sub,
        "review",
        func=cmd_review,
        help="apply accept/reject decisions from an edited suggestions file",
        description="Apply a coder's decisions: rows marked accepted (also yes/y/"
        "true/1) become codings; rejected ones are logged and not "
        "suggested to that coder again; blank rows are skipped. Running "
        "it twice adds nothing the second time.",
        epilog="  qualcode review suggestions.xlsx -p study.qcproj --coder AB",
    )
    s.add_argument(
        "decisions",
        metavar="FILE",
        help="suggestions CSV/XLSX with a filled 'decision' column",
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument("--coder", required=True, help="who decided")
    s.add_argument(
        "--new-coder",
        action="store_true",
        help="--coder is a new coder of the project (otherwise a name the project "
        "does not know is refused, with the closest one)",
    )
    s.add_argument(
        "--suggestions",
        metavar="FILE",
        help="the original suggestions file, if the decisions file has only "
        "some of its columns",
    )


def _train(
    args: argparse.Namespace,
    project: Project,
    cb: Codebook | None,
    data: dict[str, Any],
    lines: list[str],
) -> LearnedTagger:
    """Train (and save) a learned tagger on ``--learn-from``'s codings."""
    from qualcode import LearnedTagger

    tagger = LearnedTagger(
        args.code or cb,
        unit=args.unit,
        seed=args.seed,
        epochs=args.epochs,
        level=args.level,
    )
    tagger.fit(
        project,
        coder=args.learn_from,
        include_interviewer=args.interviewer,
        codebook=cb if cb is not None else project.codebook,
        progress=progress(args),
    )
    rep = tagger.report
    assert rep is not None  # set by fit
    micro = rep[rep["code"] == "(micro)"]
    f1 = float(micro["f1"].iloc[0]) if len(micro) else float("nan")
    data["learned"] = {
        "coder": args.learn_from,
        "level": args.level,
        "codes": list(tagger.thresholds),
        "cv_micro_f1": f1,
        "report": rep,
    }
    lines.append(
        f"learned tagger ({args.level} codes): {len(tagger.thresholds)} codes, "
        f"cross-validated micro F1 {f1:.2f}"
    )
    if args.save_tagger:
        saved = tagger.save(args.save_tagger)
        data["learned"]["saved"] = str(saved)
        lines.append(f"saved the tagger to {saved}")
    return tagger


def cmd_suggest(args: argparse.Namespace) -> Result:
    """Run ``qualcode suggest``."""
    from qualcode import LearnedTagger, suggest

    if args.out:
        check_table_suffix(args.out, "suggestions")
        guard_filled(
            args.out,
            "decision",
            force=args.force,
            what="a coder's decisions",
            apply=f"qualcode review {args.out} -p {args.project} --coder NAME",
        )
    data: dict[str, Any] = {}
    lines: list[str] = []
    with open_project(args.project) as project:
        check_coders(project, [args.coder] if args.coder else [], "--coder")
        tagger = None
        if args.learned:
            need(
                args.learned,
                "saved learned tagger (a folder)",
                "Train one: 'qualcode suggest --learn-from CODER --save-tagger DIR'.",
                folder=True,
            )
            tagger = LearnedTagger.load(args.learned)
            cb = load_codebooks(args.codebook) if args.codebook else None
        elif args.learn_from:
            check_coders(project, [args.learn_from], "--learn-from")
            cb = load_codebooks(args.codebook) if args.codebook else None
            tagger = _train(args, project, cb, data, lines)
        else:
            cb = project_codebook(project, args.codebook)
        sugg = suggest(
            project,
            cb,
            unit=args.unit,
            tagger=tagger,
            include_interviewer=args.interviewer,
            exclude_coded_by=args.coder,
            min_score=args.min_score,
            progress=progress(args),
        )
    if args.out:
        write_table(sugg.assign(decision=""), args.out)
        lines.append(
            f"wrote {args.out}: fill the 'decision' column with accepted or "
            f"rejected, then run 'qualcode review {args.out} -p {args.project} "
            f"--coder NAME'"
        )
    counts = sugg["code"].value_counts()
    data.update(
        suggestions=len(sugg),
        by_code=counts.to_dict(),
        out=args.out,
        tagger=str(sugg["tagger"].iloc[0]) if len(sugg) else None,
    )
    if not args.out:
        data["rows"] = sugg
    head = f"{len(sugg)} suggestions"
    shown = table(counts.rename_axis("code").reset_index()) if len(sugg) else ""
    return Result("\n".join([head, shown, *lines]).strip(), data)


def cmd_review(args: argparse.Namespace) -> Result:
    """Run ``qualcode review``."""
    from qualcode import review

    decisions = read_table(args.decisions, "decisions file")
    suggestions = (
        read_table(args.suggestions, "suggestions file")
        if args.suggestions
        else decisions
    )
    with open_project(args.project) as project:
        check_new_coder(project, args.coder, new_coder=args.new_coder)
        counts = review(project, suggestions, decisions, args.coder)
    human = f"review by {args.coder}: " + ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in counts.items()
    )
    return Result(human, {"coder": args.coder, **counts})
