"""``qualcode pseudonymise``: a pseudonymised project copy, or transcripts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._files import atomic_path
from qualcode.cli._common import (
    Result,
    add_command,
    add_detector_options,
    busy,
    detectors_of,
    err,
    fresh,
    is_glob,
    need,
    open_project,
    write_table,
)
from qualcode.errors import Errors

if TYPE_CHECKING:  # pragma: no cover
    from qualcode import PseudonymisationResult

__all__ = ["cmd_pseudonymise", "register"]

PSEUDONYMISE_EPILOG = """
  qualcode pseudonymise study.qcproj --key pseudonym_key.csv --out shared.qcproj
  qualcode pseudonymise corpora/demo --key corpora/demo/pseudonym_key.csv \\
      --attributes corpora/demo/attributes.csv --out shared_transcripts/
"""


def register(sub: Any) -> None:
    """Add ``qualcode pseudonymise`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "pseudonymise",
        func=cmd_pseudonymise,
        help="replace names, places and identifiers (project copy or transcripts)",
        description="Replace every original in the key with its pseudonym, and "
        "common identifiers (postcodes, phone numbers, e-mails, vehicle "
        "registrations, dates of birth, collar numbers) with a label. A "
        "project is copied (the original is left untouched) and its "
        "codings keep covering the same words; a folder of transcripts "
        "becomes a folder of plain-text transcripts (speaker: utterance; "
        "timings are not kept). The key is never written to the output.",
        epilog=PSEUDONYMISE_EPILOG,
    )
    s.add_argument(
        "source",
        metavar="SOURCE",
        help="a project file, or transcript files/folder/glob",
    )
    s.add_argument(
        "--key",
        required=True,
        metavar="FILE",
        help="the key: CSV/YAML with original, pseudonym, kind",
    )
    s.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="new project file, or new (empty) folder for transcripts",
    )
    s.add_argument(
        "--attributes",
        metavar="FILE",
        help="transcripts: attributes table to pseudonymise alongside",
    )
    s.add_argument(
        "--report",
        metavar="FILE",
        help="write every replacement (hashed originals only) to CSV/XLSX/JSON",
    )
    add_detector_options(s, none_help="replace only what is in the key")


def _safe_name(tid: str) -> str:
    return (
        "".join("_" if ch in '/\\:*?"<>|' else ch for ch in tid).strip() or "transcript"
    )


def _is_project_file(src: Path) -> bool:
    """A file that is not a transcript (by qualcode.io's suffixes) is a project."""
    from qualcode.io import format_of

    return src.is_file() and format_of(src) is None


def _pseudonymise_project(
    args: argparse.Namespace, key: Path, out: Path
) -> PseudonymisationResult:
    from qualcode import pseudonymise

    if args.attributes:
        args._parser.error("--attributes goes with transcripts, not a project")
    fresh(out, "Choose a new file name for the pseudonymised copy.")
    with open_project(args.source) as project, busy(args, "pseudonymising the project"):
        res = pseudonymise(project, key, detectors=detectors_of(args), out=out)
        assert res.project is not None
        res.project.close()
    return res


def _pseudonymise_transcripts(
    args: argparse.Namespace, key: Path, out: Path, data: dict[str, Any]
) -> PseudonymisationResult:
    from qualcode import pseudonymise, read_corpus

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise err(
            Errors.QC906,
            path=out,
            fix="Choose a new (or empty) folder for the pseudonymised transcripts.",
        )
    if args.attributes:
        need(args.attributes, "attributes table", "Check the path.")
    with busy(args, "pseudonymising transcripts"):
        corpus = read_corpus(args.source, attributes=args.attributes)
        res = pseudonymise(corpus, key, detectors=detectors_of(args))
    assert res.corpus is not None
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for t in res.corpus:
        f = out / f"{_safe_name(t.id)}.txt"
        with atomic_path(f) as tmp:
            tmp.write_text(t.text + "\n", encoding="utf-8")
        files.append(str(f))
    if args.attributes:
        files.append(
            str(
                write_table(
                    res.corpus.attributes, out / "attributes.csv", decimals=None
                )
            )
        )
    data["files"] = files
    return res


def cmd_pseudonymise(args: argparse.Namespace) -> Result:
    """Run ``qualcode pseudonymise``."""
    key = need(
        args.key, "pseudonymisation key", "Check the path (a .csv or .yaml key)."
    )
    src = Path(args.source)
    if not is_glob(args.source):
        need(src, "project file or transcript folder", "Check the path.", folder=None)
    out = Path(args.out)
    data: dict[str, Any] = {"source": args.source, "out": args.out}
    if _is_project_file(src):
        res = _pseudonymise_project(args, key, out)
        where = f"a copy of the project, {out}"
    else:
        res = _pseudonymise_transcripts(args, key, out, data)
        where = f"{out}/"
    if args.report:
        write_table(res.report, args.report)
        data["report"] = args.report
    s = res.summary
    data["summary"] = s
    by_kind = ", ".join(f"{n} {k}" for k, n in s.get("by_kind", {}).items()) or "none"
    lines = [
        f"pseudonymised {s.get('transcripts')} transcripts into {where}: "
        f"{s.get('replacements')} replacements ({by_kind}) in "
        f"{s.get('transcripts_changed')} transcripts",
        f"keep the key ({key}) apart; check exports with "
        f"'qualcode leaks FILES --key {key}'",
    ]
    return Result("\n".join(lines), data)
