"""``qualcode import``: transcripts, attributes, codebooks, codings or a .qdpx."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._inputs import is_url
from qualcode._validation import did_you_mean
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
    table,
)
from qualcode.errors import Errors, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode import Codebook, Corpus, Project, Transcript

__all__ = ["cmd_import", "register"]

EPILOG = """
  qualcode import corpora/demo -p study.qcproj --attributes corpora/demo/attributes.csv
  qualcode import 'interviews/*.docx' -p study.qcproj --speakers '{"I": "interviewer"}'
  qualcode import nvivo_export.qdpx -p study.qcproj
  qualcode import corpora/demo -p study.qcproj --codebook codebooks/roles.yaml \\
      --codings corpora/demo/codings/coder_AB.csv \\
      --codings corpora/demo/codings/coder_CD.csv
"""


def speakers_arg(value: str) -> dict[str, Any] | str:
    """argparse type for --speakers: a speakers file, or an inline JSON mapping.

    A file (CSV/TSV/XLSX/YAML) is passed on to :func:`qualcode.read_corpus`, which
    reads it (and names unused rows); a ``.json`` file holds a mapping.
    """
    p = Path(value)
    try:
        if p.is_file() and p.suffix.lower() != ".json":
            return str(p)
        data = json.loads(p.read_text(encoding="utf-8-sig") if p.is_file() else value)
    except Exception as exc:  # json syntax errors, unreadable file
        raise argparse.ArgumentTypeError(
            f"{value!r} is neither a speakers file nor a JSON mapping ({short(exc)})"
        ) from None
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
        metavar="FILE|JSON",
        help="who is who, for the whole corpus: a speakers file (CSV/XLSX/YAML "
        "with columns label, name, role[, transcript_id]; e.g. the interviewers of "
        "Teams/Zoom exports, which carry names, not roles) or an inline JSON "
        'mapping such as \'{"I": "interviewer", "Sam Reid": "interviewer"}\'; '
        "importing again with a new mapping updates the roles",
    )
    s.add_argument(
        "--replace",
        action="store_true",
        help="a .qdpx holding transcripts already in the project with another text "
        "replaces their text and re-anchors their codings (without it the import "
        "is refused)",
    )
    s.add_argument("--recursive", action="store_true", help="also read sub-folders")
    s.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip files that cannot be imported (with a warning) instead of stopping",
    )


def _quote_codings(
    table: pd.DataFrame, path: str, texts: dict[str, Transcript]
) -> pd.DataFrame:
    """Codings given as quotes: each quote anchored in its transcript's text.

    ``occurrence`` (1-based, among the participant turns) is optional (default 1);
    rows are numbered as a spreadsheet shows them (the header is row 1).
    """
    import pandas as pd

    from qualcode.datasets.demo import anchor_quote

    def bad(row: int, detail: str, fix: str) -> InvalidInputError:
        return err(Errors.QC913, path=path, row=row, detail=detail, fix=fix)

    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2
        tid = _text(rec.get("transcript_id"))
        if tid not in texts:
            raise bad(
                row,
                f"transcript id {tid!r} is not in the project"
                + did_you_mean(tid, texts),
                "Import the transcript first, or fix the id",
            )
        raw = _text(rec.get("occurrence")) or "1"
        raw = raw[:-2] if raw.endswith(".0") else raw  # 2.0 from a spreadsheet
        if not raw.isdigit() or int(raw) < 1:
            raise bad(
                row,
                f"occurrence {raw!r} is not a whole number >= 1",
                "Write 1 for the first occurrence of the quote, or leave it blank",
            )
        span = anchor_quote(texts[tid], _text(rec.get("quote")), int(raw))
        if span is None:
            raise bad(
                row,
                f"the quote (occurrence {raw}) is not in the participant turns of "
                f"transcript {tid!r}",
                "Copy the quote exactly from the imported text (no speaker label), "
                "or fix the occurrence",
            )
        rows.append(
            {
                "transcript_id": tid,
                "start": span[0],
                "end": span[1],
                "code": _text(rec.get("code")),
                "coder": _text(rec.get("coder")) or _coder_of(path),
                "memo": _text(rec.get("memo")) or None,
            }
        )
    return pd.DataFrame(
        rows, columns=["transcript_id", "start", "end", "code", "coder", "memo"]
    )


def _text(value: Any) -> str:
    """A cell as stripped text ('' for blank/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _coder_of(path: str) -> str:
    stem = Path(path).stem
    return stem[len("coder_") :] if stem.startswith("coder_") else ""


def _codings_frame(
    path: str, texts: dict[str, Transcript], coder: str | None
) -> pd.DataFrame:
    """Codings from a CSV/XLSX: offsets (start, end) or quotes (quote[, occurrence])."""
    table = read_table(path, "codings file")
    cols = set(table.columns)
    if {"transcript_id", "code", "quote"} <= cols:
        frame = _quote_codings(table, path, texts)
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
    elif (
        "coder" not in frame.columns
        or frame["coder"].isna().any()
        or (frame["coder"].astype(str).str.strip() == "").any()
    ):
        raise err(
            Errors.QC907,
            path=path,
            detail="some codings have no coder",
            fix="Add a 'coder' column, name the file coder_NAME.csv, "
            "or pass --coder NAME.",
        )
    return frame


def _codings(
    args: argparse.Namespace, corpus: Corpus | None, project: Project
) -> pd.DataFrame:
    """The --codings files as one frame, anchored in the project's + new transcripts."""
    import pandas as pd

    texts: dict[str, Transcript] = {t.id: t for t in project.iter_transcripts()}
    if corpus is not None:
        texts.update((t.id, t) for t in corpus)
    frames = [_codings_frame(p, texts, args.coder) for p in args.codings]
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


def _roles(report: pd.DataFrame, ids: set[str]) -> dict[str, dict[str, str]]:
    """transcript id -> {speaker: role} from an import report."""
    out: dict[str, dict[str, str]] = {}
    for r in report.to_dict("records"):
        tid, speaker = r.get("transcript_id"), r.get("speaker")
        if tid in ids and isinstance(speaker, str):
            out.setdefault(str(tid), {})[speaker] = _text(r.get("role")) or "none"
    return out


def _role_changes(
    before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Speakers whose role changed by re-importing a stored transcript."""
    changes = []
    for tid, roles in after.items():
        for speaker, role in roles.items():
            old = before.get(tid, {}).get(speaker)
            if old is not None and old != role:
                changes.append(
                    {"transcript_id": tid, "speaker": speaker, "was": old, "now": role}
                )
    return changes


def _understood(corpus: Corpus, report: pd.DataFrame) -> list[str]:
    """What the import understood: the report table, files skipped, no speakers."""
    cols = [
        "transcript_id",
        "format",
        "encoding",
        "speaker",
        "role",
        "turns",
        "words",
        "has_times",
        "unused_labels",
        "note",
    ]
    read = report[~report["note"].fillna("").astype(str).str.startswith("skipped")]
    lines = [
        "what the import understood (one row per transcript and speaker):",
        table(read, cols, width=40),
    ]
    for path, why in corpus.skipped:
        lines.append(f"skipped {path}: {why}")
    speakerless = sorted(
        set(read.loc[read["speaker"].isna() & (read["turns"] > 0), "transcript_id"])
        - set(read.loc[read["speaker"].notna(), "transcript_id"])
    )
    if speakerless:
        lines.append(
            f"{len(speakerless)} transcript(s) without any speaker label: "
            f"{', '.join(map(str, speakerless))} (every paragraph or cue is a turn "
            "with no role; agreement and suggestions use all their text)"
        )
    return lines


def _remove_project(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def cmd_import(args: argparse.Namespace) -> Result:
    """Run ``qualcode import``: everything in one transaction (all or nothing)."""
    from qualcode import Codebook, Project, import_report, read_corpus, read_qdpx

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
    url = is_url(args.project)
    path: Any = args.project if url else Path(args.project)
    created = not url and not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"project": args.project}
    lines: list[str] = []
    try:
        for q in qdpx:
            with busy(args, f"importing {Path(q).name}"):
                proj, notes = read_qdpx(
                    q, project_path=path, return_report=True, replace=args.replace
                )
                proj.close()
            data.setdefault("qdpx", []).append({"file": q, "report": notes})
            lines.append(f"imported {q} ({len(notes)} repair/loss notes)")
        with Project(path) as project, project.transaction():
            _store(args, project, books, corpus, data, lines)
            summary = repr(project)
    except BaseException:
        if created:  # nothing of this import is kept, not even an empty project
            _remove_project(path)
        raise
    if corpus is not None:
        report = import_report(corpus)
        data["import_report"] = report
        data["skipped"] = [{"path": p, "why": w} for p, w in corpus.skipped]
        lines = _understood(corpus, report) + lines
    data["summary"] = summary
    return Result("\n".join([*lines, summary]), data)


def _store(
    args: argparse.Namespace,
    project: Project,
    books: list[Codebook],
    corpus: Corpus | None,
    data: dict[str, Any],
    lines: list[str],
) -> None:
    """Write codebooks, transcripts and codings (inside the caller's transaction)."""
    from qualcode import import_report

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
        ids = set(corpus.ids) & set(project.transcript_ids())
        before = _roles(import_report(project), ids) if ids else {}
        report = project.add_transcripts(corpus)
        status = report["status"].value_counts().to_dict()
        data["transcripts"] = report
        lines.append(
            f"{len(corpus)} transcripts: "
            + ", ".join(f"{n} {s}" for s, n in status.items())
        )
        changes = (
            _role_changes(before, _roles(import_report(corpus), ids)) if ids else []
        )
        data["roles_updated"] = changes
        if changes:
            lines.append(
                f"roles updated for {len(changes)} speaker(s): "
                + "; ".join(
                    f"{c['transcript_id']} {c['speaker']}: {c['was']} -> {c['now']}"
                    for c in changes
                )
            )
        orphaned = int(report["orphaned"].sum())
        if orphaned:
            lines.append(f"{orphaned} codings lost their text: see project.orphans()")
    if args.codings:
        codings = _codings(args, corpus, project)
        added = project.add_codings(codings)
        by_coder = codings["coder"].value_counts().to_dict()
        data["codings"] = {"added": len(added), "by_coder": by_coder}
        lines.append(
            f"{len(added)} codings: "
            + ", ".join(f"{c} {n}" for c, n in by_coder.items())
        )
