"""``qualcode import``: transcripts, attributes, codebooks, codings or a .qdpx."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    busy,
    err,
    is_glob,
    need,
    read_table,
    short,
)
from qualcode.errors import Errors

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode import Corpus, Project, Transcript

__all__ = ["cmd_import", "register"]

EPILOG = """
  qualcode import corpora/demo -p study.qcproj --attributes corpora/demo/attributes.csv
  qualcode import 'interviews/*.docx' -p study.qcproj --speakers '{"I": "interviewer"}'
  qualcode import nvivo_export.qdpx -p study.qcproj
  qualcode import corpora/demo -p study.qcproj --codebook codebooks/roles.yaml \\
      --codings corpora/demo/codings/coder_AB.csv \\
      --codings corpora/demo/codings/coder_CD.csv
"""


def speakers_arg(value: str) -> dict[str, Any]:
    """argparse type for --speakers: inline JSON or a .json/.yaml file."""
    p = Path(value)
    try:
        if p.suffix.lower() in (".json", ".yaml", ".yml") and p.is_file():
            import yaml

            data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        else:
            data = json.loads(value)
    except Exception as exc:  # json/yaml syntax errors, unreadable file
        raise argparse.ArgumentTypeError(f"not a JSON mapping ({short(exc)})") from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError(
            'expected a mapping such as \'{"I": "interviewer", "P": "participant"}\''
        )
    return data


def register(sub: Any) -> None:
    """Add ``qualcode import`` to the subparsers ``sub``."""
    from qualcode.io import FORMATS

    s = add_command(
        sub,
        "import",
        func=cmd_import,
        help=f"import transcripts ({'/'.join(FORMATS)}) or a .qdpx into a project",
        description="Import transcripts, participant attributes, codebooks and "
        "codings into a project file (created if missing). Importing "
        "a transcript again with changed text re-anchors its codings.",
        epilog=EPILOG,
    )
    s.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="transcript files, folders, globs, or REFI-QDA .qdpx files (none to add "
        "only codebooks or codings to an existing project)",
    )
    s.add_argument(
        "-p", "--project", required=True, help=PROJECT_HELP + ", created if missing"
    )
    s.add_argument(
        "--attributes",
        metavar="FILE",
        help="participant attributes CSV/XLSX keyed by transcript_id",
    )
    s.add_argument(
        "--codebook",
        action="append",
        metavar="FILE",
        help="codebook (.yaml/.qdc) to store in the project (repeatable)",
    )
    s.add_argument(
        "--codings",
        action="append",
        metavar="FILE",
        help="codings CSV/XLSX to add (repeatable): columns transcript_id, "
        "start, end, code[, coder, memo], or transcript_id, code, quote"
        "[, occurrence, memo] (coder = file name after 'coder_')",
    )
    s.add_argument(
        "--coder", help="coder of the --codings files (overrides the file's)"
    )
    s.add_argument(
        "--speakers",
        type=speakers_arg,
        metavar="JSON",
        help="speaker labels to roles, inline JSON or a .json/.yaml file, "
        'e.g. \'{"I": "interviewer", "P": "participant"}\'',
    )
    s.add_argument("--recursive", action="store_true", help="also read sub-folders")
    s.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip files that cannot be imported (with a warning) instead of stopping",
    )


def _codings_frame(
    path: str, transcripts: list[Transcript], coder: str | None
) -> pd.DataFrame:
    """Codings from a CSV/XLSX: offsets (start, end) or quotes (quote, occurrence)."""
    table = read_table(path, "codings file")
    cols = set(table.columns)
    if {"transcript_id", "code", "quote"} <= cols:
        from qualcode.datasets.demo import demo_codings

        if Path(path).suffix.lower() != ".csv":
            raise err(
                Errors.QC907,
                path=path,
                detail="codings given as quotes are read from CSV only",
                fix="Save the sheet as CSV (UTF-8), or give start/end offsets.",
            )

        frame = demo_codings(transcripts, paths=[path])
    elif {"transcript_id", "start", "end", "code"} <= cols:
        frame = table
    else:
        raise err(
            Errors.QC907,
            path=path,
            detail=f"a codings file needs the columns transcript_id, start, end, "
            f"code (offsets) or transcript_id, code, quote (quotes); "
            f"it has {', '.join(map(str, table.columns))}",
            fix="Rename the columns.",
        )
    if coder:
        frame = frame.assign(coder=coder)
    elif "coder" not in frame.columns or frame["coder"].isna().any():
        raise err(
            Errors.QC907,
            path=path,
            detail="some codings have no coder",
            fix="Add a 'coder' column or pass --coder NAME.",
        )
    return frame


def _codings(
    args: argparse.Namespace, corpus: Corpus | None, project: Project | None = None
) -> pd.DataFrame:
    """The --codings files as one frame, anchored in the project's + new transcripts."""
    import pandas as pd

    from qualcode import Project

    texts: dict[str, Any] = {}
    if project is not None:
        texts.update((t.id, t) for t in project.iter_transcripts())
    elif Path(args.project).is_file():
        with Project(args.project) as existing:
            texts.update((t.id, t) for t in existing.iter_transcripts())
    if corpus is not None:
        texts.update((t.id, t) for t in corpus)
    frames = [_codings_frame(p, list(texts.values()), args.coder) for p in args.codings]
    return pd.concat(frames, ignore_index=True)


def _check_inputs(args: argparse.Namespace, others: list[str]) -> None:
    if not (args.paths or args.codebook or args.codings):
        args._parser.error("give transcripts or .qdpx files, --codebook or --codings")
    if args.attributes and not others:
        args._parser.error("--attributes goes with transcript files to import")
    for p in args.paths:
        if not is_glob(p):
            need(p, "transcript file or folder", "Check the path.", folder=None)
    for p in args.codings or ():
        need(p, "codings file", "Check the path.")
    if args.attributes:
        need(args.attributes, "attributes table", "Check the path.")


def cmd_import(args: argparse.Namespace) -> Result:
    """Run ``qualcode import``."""
    from qualcode import Codebook, Project, read_corpus, read_qdpx

    qdpx = [p for p in args.paths if p.lower().endswith(".qdpx")]
    others = [p for p in args.paths if not p.lower().endswith(".qdpx")]
    _check_inputs(args, others)
    books = [
        Codebook.load(need(p, "codebook", "Check the path (a .yaml or .qdc file)."))
        for p in args.codebook or ()
    ]
    corpus = None
    if others:
        with busy(args, "reading transcripts"):
            corpus = read_corpus(
                others if len(others) > 1 else others[0],
                attributes=args.attributes,
                speakers=args.speakers,
                recursive=args.recursive,
                on_error="skip" if args.skip_bad else "raise",
            )
    codings = None
    if args.codings and not qdpx:  # check them before anything is written
        codings = _codings(args, corpus)
    Path(args.project).parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"project": args.project}
    lines = []
    for q in qdpx:
        with busy(args, f"importing {Path(q).name}"):
            proj, report = read_qdpx(q, project_path=args.project, return_report=True)
            proj.close()
        data.setdefault("qdpx", []).append({"file": q, "report": report})
        lines.append(f"imported {q} ({len(report)} repair/loss notes)")
    with Project(args.project) as project:
        for cb in books:
            project.set_codebook(cb)
        if books:
            data["codebooks"] = [
                {"name": b.name, "codes": len(b), "version": b.version} for b in books
            ]
            lines.append(
                "codebooks: " + ", ".join(f"{b.name} ({len(b)} codes)" for b in books)
            )
        if corpus is not None:
            report = project.add_transcripts(corpus)
            status = report["status"].value_counts().to_dict()
            data["transcripts"] = report
            lines.append(
                f"{len(corpus)} transcripts: "
                + ", ".join(f"{n} {s}" for s, n in status.items())
            )
            orphaned = int(report["orphaned"].sum())
            if orphaned:
                lines.append(
                    f"{orphaned} codings lost their text: see project.orphans()"
                )
        if args.codings:
            if codings is None:
                codings = _codings(args, None, project)
            ids = project.add_codings(codings)
            by_coder = codings["coder"].value_counts().to_dict()
            data["codings"] = {"added": len(ids), "by_coder": by_coder}
            lines.append(
                f"{len(ids)} codings: "
                + ", ".join(f"{c} {n}" for c, n in by_coder.items())
            )
        summary = repr(project)
    data["summary"] = summary
    return Result("\n".join([*lines, summary]), data)
