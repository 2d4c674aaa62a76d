"""``qualcode codebook validate|render|convert``."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from qualcode.cli._common import (
    Result,
    add_command,
    err,
    load_codebooks,
    need,
    suffix_of,
)
from qualcode.errors import Errors

__all__ = [
    "cmd_codebook_convert",
    "cmd_codebook_render",
    "cmd_codebook_validate",
    "register",
]

EPILOG = """
  qualcode codebook validate codebooks/*.yaml
  qualcode codebook render codebooks/roles.yaml --out roles.html
  qualcode codebook convert codebooks/roles.yaml --out roles.qdc
"""


def register(sub: Any) -> None:
    """Add ``qualcode codebook`` and its actions to the subparsers ``sub``."""
    s = add_command(
        sub,
        "codebook",
        func=cmd_codebook_validate,
        help="validate, render (.md/.html) or convert (.yaml/.qdc) codebooks",
        description="Work with codebook files (YAML or REFI-QDA .qdc).",
        epilog=EPILOG,
    )
    cb_sub = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = add_command(
        cb_sub,
        "validate",
        func=cmd_codebook_validate,
        help="check codebooks; several files are also checked for unique ids",
        description="Load each codebook and report every problem (file, line, "
        "code id). Several files are also combined to check that "
        "code ids are unique across them.",
        epilog="  qualcode codebook validate codebooks/roles.yaml\n"
        "  qualcode codebook validate --strict codebooks/*.yaml",
    )
    c.add_argument("files", nargs="+", metavar="FILE", help=".yaml/.yml or .qdc")
    c.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warnings too"
    )
    c = add_command(
        cb_sub,
        "render",
        func=cmd_codebook_render,
        help="write a codebook document for coder training (.md or .html)",
        description="Render codebooks as a document for coder training: "
        "definitions, include/exclude rules, examples, patterns.",
        epilog="  qualcode codebook render codebooks/roles.yaml --out roles.html\n"
        "  qualcode codebook render codebooks/*.yaml --out all_codes.md",
    )
    c.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="codebook(s); several are combined into one document",
    )
    c.add_argument(
        "--out",
        metavar="FILE",
        help="output .md or .html (also .markdown, .htm; default: FILE's name with "
        ".md, here)",
    )
    c = add_command(
        cb_sub,
        "convert",
        func=cmd_codebook_convert,
        help="convert between YAML and REFI-QDA .qdc",
        description="Convert codebooks between YAML and REFI-QDA .qdc "
        "(for NVivo, ATLAS.ti, MAXQDA).",
        epilog="  qualcode codebook convert codebooks/roles.yaml --out roles.qdc\n"
        "  qualcode codebook convert exported.qdc --out exported.yaml",
    )
    c.add_argument(
        "files", nargs="+", metavar="FILE", help="codebook(s); several are combined"
    )
    c.add_argument("--out", required=True, metavar="FILE", help="output .yaml or .qdc")


def cmd_codebook_validate(args: argparse.Namespace) -> Result:
    """Run ``qualcode codebook validate``."""
    from qualcode import Codebook
    from qualcode.errors import CodebookWarning

    rows, lines, n_warn = [], [], 0
    books = []
    for f in args.files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CodebookWarning)
            cb = Codebook.load(need(f, "codebook", "Check the path."))
        for w in caught:  # show them (the outer handler prints one line each)
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        n_warn += len(caught)
        books.append(cb)
        rows.append(
            {
                "file": f,
                "name": cb.name,
                "codes": len(cb),
                "roots": len(cb.roots()),
                "version": cb.version,
                "hash": cb.hash,
                "warnings": len(caught),
            }
        )
        lines.append(
            f"{f}: OK, {len(cb)} codes under {len(cb.roots())} roots, "
            f"version {cb.version}" + (f", {len(caught)} warning(s)" if caught else "")
        )
    if len(books) > 1:
        combined = Codebook.combine(*books)
        lines.append(f"combined: {len(combined)} codes, ids unique")
    if args.strict and n_warn:
        raise err(
            Errors.QC907,
            path=", ".join(args.files),
            detail=f"{n_warn} warning(s) with --strict",
            fix="Fix what the warnings say, or drop --strict.",
        )
    return Result("\n".join(lines), {"codebooks": rows, "valid": True})


def cmd_codebook_render(args: argparse.Namespace) -> Result:
    """Run ``qualcode codebook render``."""
    out = Path(args.out or Path(args.files[0]).with_suffix(".md").name)
    cb = load_codebooks(args.files)  # Codebook.render checks the suffix (its own list)
    written = cb.render(out)
    return Result(f"wrote {written}", {"out": str(written), "codes": len(cb)})


def cmd_codebook_convert(args: argparse.Namespace) -> Result:
    """Run ``qualcode codebook convert``."""
    suffix_of(args.out, (".yaml", ".yml", ".qdc"), "a codebook")
    cb = load_codebooks(args.files)
    written = cb.save(args.out)
    return Result(
        f"wrote {written} ({len(cb)} codes)", {"out": str(written), "codes": len(cb)}
    )
