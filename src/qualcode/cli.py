"""The ``qualcode`` command line: thin subcommands over the public API.

Exit codes: 0 success, 1 user error (a clear message, no traceback), 2 usage.
``-q`` silences progress and chatter; ``--json`` prints machine-readable results.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _emit(args: argparse.Namespace, human: str, data: Any) -> None:
    if args.json:
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    elif not args.quiet:
        print(human)


def _table(df: Any, args: argparse.Namespace) -> str:
    import pandas as pd

    with pd.option_context("display.width", 120, "display.max_columns", 12, "display.max_colwidth", 40):
        return df.to_string(index=False)


def _read_frame(path: Path):  # -> DataFrame
    import pandas as pd

    from qualcode.errors import InvalidInputError

    if not path.exists():
        raise InvalidInputError(f"[QC901] {path}: file not found. Check the path.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    raise InvalidInputError(f"[QC901] {path}: expected a .csv or .xlsx file.")


def _write_frame(df: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        df.to_excel(path, index=False)
    elif path.suffix.lower() == ".json":
        df.to_json(path, orient="records", indent=2, force_ascii=False)
    else:
        df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _codebook(paths: Sequence[str]):  # -> Codebook
    from qualcode import Codebook

    books = [Codebook.load(p) for p in paths]
    return books[0] if len(books) == 1 else Codebook.combine(*books)


def _project(path: str, *, must_exist: bool = True):  # -> Project
    from qualcode import Project
    from qualcode.errors import InvalidInputError

    if must_exist and not Path(path).exists():
        raise InvalidInputError(f"[QC901] {path}: project not found. Create it with 'qualcode import'.")
    return Project(path)


# -- subcommands -----------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from qualcode import read_corpus

    speakers = json.loads(args.speakers) if args.speakers else None
    corpus = read_corpus(args.paths if len(args.paths) > 1 else args.paths[0],
                         attributes=args.attributes, speakers=speakers)
    with _project(args.project, must_exist=False) as project:
        for cb in args.codebook or []:
            from qualcode import Codebook

            project.set_codebook(Codebook.load(cb))
        report = project.add_transcripts(corpus)
    summary = report["status"].value_counts().to_dict()
    _emit(args, f"{len(corpus)} transcripts into {args.project}: {summary}", report.to_dict("records"))
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    from qualcode import Codebook

    cb = Codebook.load(args.file)
    if args.action == "validate":
        _emit(args, f"{args.file}: OK, {len(cb)} codes, {len(cb.roots())} roots, version {cb.version}",
              {"file": args.file, "codes": len(cb), "roots": len(cb.roots()), "version": cb.version, "hash": cb.hash})
    elif args.action == "render":
        out = Path(args.out or Path(args.file).with_suffix(".md").name)
        cb.render(out)
        _emit(args, f"wrote {out}", {"out": str(out)})
    else:  # convert
        if not args.out:
            raise SystemExit("qualcode codebook convert: --out is required")
        out = cb.save(args.out)
        _emit(args, f"wrote {out}", {"out": str(out)})
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from qualcode import LearnedTagger, suggest

    cb = _codebook(args.codebook)
    with _project(args.project) as project:
        tagger = LearnedTagger.load(args.learned) if args.learned else None
        sugg = suggest(project, cb, unit=args.unit, tagger=tagger, include_interviewer=args.interviewer,
                       exclude_coded_by=args.coder, progress=not args.quiet)
    if args.out:
        frame = sugg.copy()
        frame["decision"] = ""
        _write_frame(frame, Path(args.out))
    counts = sugg["code"].value_counts().to_dict()
    _emit(args, f"{len(sugg)} suggestions" + (f" -> {args.out}" if args.out else "") + "\n" +
          (_table(sugg["code"].value_counts().rename_axis("code").reset_index(), args) if len(sugg) else ""),
          {"suggestions": len(sugg), "by_code": counts, "out": args.out})
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from qualcode import review

    decisions = _read_frame(Path(args.decisions))
    with _project(args.project) as project:
        result = review(project, decisions, decisions, args.coder)
    data = result if isinstance(result, dict) else result.to_dict("records")
    _emit(args, f"review by {args.coder}: {data}", data)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from qualcode import agreement_table

    with _project(args.project) as project:
        table = agreement_table(project, coders=args.coders, unit=args.unit, n_boot=args.n_boot)
    if args.out:
        _write_frame(table, Path(args.out))
    cols = [c for c in ("code", "n_units", "percent_agreement", "cohen_kappa", "krippendorff_alpha") if c in table]
    _emit(args, _table(table[cols].round(3), args), table.to_dict("records"))
    return 0


def cmd_treemap(args: argparse.Namespace) -> int:
    from qualcode import Codebook, code_treemap, read_selections, selection_treemap

    cb = _codebook(args.codebook) if args.codebook else None
    if args.selections:
        sel = read_selections(args.selections, codebook=cb)
        tm = selection_treemap(sel, cb, min_respondents=args.min_respondents, highlight=args.highlight,
                               title=args.title)
    else:
        if not args.project or cb is None:
            raise SystemExit("qualcode treemap: give SELECTIONS, or --project with --codebook")
        with _project(args.project) as project:
            tm = code_treemap(project.codings(coder=args.coder), cb, by=args.by)
    outs = [str(tm.save(o)) for o in args.out]
    _emit(args, tm.caption + "\n" + "\n".join(f"wrote {o}" for o in outs), {"summary": tm.summary, "caption": tm.caption, "out": outs})
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from qualcode import export_extracts, write_qdpx

    outs = []
    with _project(args.project) as project:
        for out in args.out:
            p = Path(out)
            if p.suffix.lower() == ".qdpx":
                outs.append(str(write_qdpx(project, p)))
            else:
                codings = project.codings(coder=args.coder)
                if args.code:
                    cb = project.codebook
                    keep = set(args.code)
                    if cb is not None:
                        for c in args.code:
                            keep.update(d.id for d in cb.descendants(c))
                    codings = codings[codings["code"].isin(keep)]
                outs.append(str(export_extracts(codings, p, codebook=project.codebook)))
    _emit(args, "\n".join(f"wrote {o}" for o in outs), {"out": outs})
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from qualcode.demo import run_demo

    result = run_demo(args.out, quiet=args.quiet or args.json)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return 0


# -- parser ----------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the tests)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars or chatter")
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")

    p = argparse.ArgumentParser(prog="qualcode", description="Qualitative coding of interview transcripts.",
                                parents=[common])
    from qualcode import __version__

    p.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("import", parents=[common], help="import transcripts into a project")
    s.add_argument("paths", nargs="+", help="files, folders or globs")
    s.add_argument("--project", "-p", required=True, help="project file (.qcproj), created if missing")
    s.add_argument("--attributes", help="participant attributes CSV/XLSX keyed by transcript_id")
    s.add_argument("--codebook", action="append", help="codebook file(s) to store in the project")
    s.add_argument("--speakers", help='JSON mapping of speaker labels to roles, e.g. \'{"I": "interviewer"}\'')
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("codebook", parents=[common], help="validate, render or convert a codebook")
    s.add_argument("action", choices=["validate", "render", "convert"])
    s.add_argument("file")
    s.add_argument("--out", help="output file (.md/.html for render; .yaml/.qdc for convert)")
    s.set_defaults(func=cmd_codebook)

    s = sub.add_parser("suggest", parents=[common], help="suggest codes with patterns or a learned tagger")
    s.add_argument("--project", "-p", required=True)
    s.add_argument("--codebook", action="append", required=True)
    s.add_argument("--unit", choices=["sentence", "turn"], default="sentence")
    s.add_argument("--learned", help="folder of a saved LearnedTagger")
    s.add_argument("--coder", help="do not re-offer what this coder coded or rejected")
    s.add_argument("--interviewer", action="store_true", help="include interviewer turns")
    s.add_argument("--out", help="write suggestions (with an empty 'decision' column) to CSV/XLSX")
    s.set_defaults(func=cmd_suggest)

    s = sub.add_parser("review", parents=[common], help="apply accept/reject decisions from an edited CSV/XLSX")
    s.add_argument("decisions", help="suggestions file with a filled 'decision' column")
    s.add_argument("--project", "-p", required=True)
    s.add_argument("--coder", required=True)
    s.set_defaults(func=cmd_review)

    s = sub.add_parser("agreement", parents=[common], help="inter-coder agreement table")
    s.add_argument("--project", "-p", required=True)
    s.add_argument("--coders", nargs="+", help="coders to compare (default: all)")
    s.add_argument("--unit", choices=["turn", "sentence", "character"], default="sentence")
    s.add_argument("--n-boot", type=int, default=1000, dest="n_boot")
    s.add_argument("--out", help="CSV/XLSX/JSON file for the table")
    s.set_defaults(func=cmd_agreement)

    s = sub.add_parser("treemap", parents=[common], help="treemap from selection responses or codings")
    s.add_argument("selections", nargs="?", help="selection responses CSV/XLSX")
    s.add_argument("--codebook", action="append")
    s.add_argument("--project", "-p")
    s.add_argument("--coder")
    s.add_argument("--by", choices=["respondents", "references"], default="respondents")
    s.add_argument("--min-respondents", type=int, dest="min_respondents")
    s.add_argument("--highlight", help="codebook flag to highlight, e.g. harm_reduction")
    s.add_argument("--title")
    s.add_argument("--out", action="append", required=True, help="PNG/SVG/PDF (repeatable)")
    s.set_defaults(func=cmd_treemap)

    s = sub.add_parser("export", parents=[common], help="quote banks (xlsx/csv/docx/html/md) or REFI .qdpx")
    s.add_argument("--project", "-p", required=True)
    s.add_argument("--out", action="append", required=True, help="output file, format by suffix (repeatable)")
    s.add_argument("--code", action="append", help="only these codes (and their children)")
    s.add_argument("--coder")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("demo", parents=[common], help="run the whole workflow on the bundled demo corpus")
    s.add_argument("--out", default="out", help="output folder (default: out/)")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Examples
    --------
    >>> main(["codebook", "validate", "no/such/file.yaml"])
    1
    """
    from qualcode.errors import QualcodeError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except QualcodeError as exc:
        print(f"qualcode {args.command}: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"qualcode {args.command}: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 2
        return int(exc.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
