"""What every ``qualcode`` subcommand shares: results, errors, files, tables, progress.

A command module registers its subparser with :func:`add_command` and returns a
:class:`Result`; :func:`qualcode.cli.main` prints it. Helpers here raise
:class:`~qualcode.errors.InvalidInputError` with a message from the catalogue
(QC902-QC919), which ``main`` prints as one line and exit code 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._files import atomic_path
from qualcode._inputs import is_url
from qualcode._validation import did_you_mean
from qualcode.errors import Errors, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode import Codebook, Project

__all__ = [
    "PROJECT_HELP",
    "Result",
    "add_command",
    "add_common",
    "add_detector_options",
    "busy",
    "check_coders",
    "check_new_coder",
    "check_table_suffix",
    "detectors_of",
    "err",
    "filled_rows",
    "fresh",
    "guard_filled",
    "is_glob",
    "load_codebooks",
    "need",
    "open_project",
    "plain",
    "progress",
    "project_codebook",
    "read_table",
    "short",
    "suffix_of",
    "table",
    "write_table",
]

#: Table files the CLI reads.
READ_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".xlsm")

PROJECT_HELP = "the project file (.qcproj)"

Formatter = argparse.RawDescriptionHelpFormatter


def _table_suffixes() -> tuple[str, ...]:
    from qualcode.export import TABLE_FORMATS

    return (*TABLE_FORMATS, ".json")


# -- results and errors ------------------------------------------------------
@dataclass
class Result:
    """What a subcommand hands back to :func:`qualcode.cli.main` to print."""

    human: str = ""
    data: Any = field(default_factory=dict)
    code: int = 0
    error: str = ""  # printed on stderr (with the command name) when not empty


def err(template: str, **fields: Any) -> InvalidInputError:
    """An :class:`InvalidInputError` from a catalogue template and its fields."""
    return InvalidInputError(template.format(**fields))


def short(exc: BaseException) -> str:
    """The first line of an exception's message (at most 200 characters)."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def plain(obj: Any) -> Any:
    """``obj`` as JSON-ready Python (NaN/NA -> None, numpy scalars, frames -> rows)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [plain(v) for v in obj]
    if hasattr(obj, "to_json") and hasattr(obj, "columns"):  # a DataFrame
        text = obj.to_json(orient="records", date_format="iso", force_ascii=False)
        return json.loads(text)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        try:
            return plain(obj.item())
        except (TypeError, ValueError):
            pass
    try:
        import pandas as pd

        if pd.isna(obj) is True:
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def table(
    df: pd.DataFrame, columns: Sequence[str] | None = None, *, width: int = 48
) -> str:
    """A frame as aligned text for the terminal (long cells cut)."""
    import pandas as pd

    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    if not len(df):
        return "(none)"
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) == "string":
            text = df[c].astype(object).where(df[c].notna(), "").astype(str)
            df[c] = text.where(text.str.len() <= width, text.str[: width - 1] + "…")
    with pd.option_context(
        "display.width", 160, "display.max_columns", 20, "display.max_colwidth", width
    ):
        return df.to_string(index=False)


# -- progress ------------------------------------------------------------------
def progress(args: argparse.Namespace) -> bool:
    """Progress bars: on a terminal, unless ``-q``."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not args.quiet and bool(isatty and isatty())


@contextlib.contextmanager
def busy(args: argparse.Namespace, desc: str) -> Iterator[None]:
    """An elapsed-time bar on stderr for a step the library gives no progress for."""
    if not progress(args):
        yield
        return
    from tqdm import tqdm

    bar = tqdm(total=None, desc=desc, bar_format="{desc}: {elapsed}", file=sys.stderr)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


# -- files -------------------------------------------------------------------
def need(path: str | Path, what: str, fix: str, *, folder: bool | None = False) -> Path:
    """Check that ``path`` exists: a file, a folder if ``folder``, either if None."""
    p = Path(path)
    if not p.exists():
        raise err(Errors.QC902, path=p, what=what, fix=fix)
    if folder is False and p.is_dir():
        raise err(Errors.QC907, path=p, detail=f"is a folder, not a {what}", fix=fix)
    if folder is True and not p.is_dir():
        raise err(Errors.QC907, path=p, detail=f"is a file, not a {what}", fix=fix)
    return p


def suffix_of(path: str | Path, known: Sequence[str], what: str) -> str:
    """``path``'s lower-case suffix, which must be one of ``known`` (QC904)."""
    suffix = Path(path).suffix.lower()
    if suffix not in known:
        raise err(
            Errors.QC904,
            path=path,
            suffix=suffix or "(none)",
            what=what,
            known=", ".join(known),
        )
    return suffix


def fresh(path: str | Path, fix: str) -> Path:
    """``path``, which must not exist yet (QC906)."""
    p = Path(path)
    if p.exists():
        raise err(Errors.QC906, path=p, fix=fix)
    return p


def is_glob(s: str) -> bool:
    """Whether a command-line path is a glob pattern."""
    return any(ch in s for ch in "*?[")


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV (UTF-8, BOM allowed) or XLSX table; errors name the file."""
    import pandas as pd

    p = need(path, what, "Check the path.")
    suffix = suffix_of(p, READ_SUFFIXES, what)
    try:
        if suffix == ".csv":
            return pd.read_csv(
                p, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
            )
        return pd.read_excel(p)
    except Exception as exc:  # ParserError, UnicodeDecodeError, BadZipFile, ...
        raise err(
            Errors.QC903,
            path=p,
            what=what,
            detail=short(exc),
            fix="Save it as CSV (UTF-8) or XLSX and try again.",
        ) from None


def check_table_suffix(path: str | Path, what: str = "a table") -> str:
    """The suffix of a table the CLI will write (.csv, .xlsx or .json)."""
    return suffix_of(path, _table_suffixes(), what)


def write_table(
    df: pd.DataFrame, path: str | Path, *, na_rep: str = "", decimals: int | None = 3
) -> Path:
    """Write a table by suffix: CSV/XLSX through :func:`qualcode.export_tables`
    (formula-safe, atomic), JSON as records (atomic)."""
    from qualcode import export_tables

    p = Path(path)
    suffix = check_table_suffix(p)
    if suffix == ".json":
        with atomic_path(p) as tmp:
            tmp.write_text(
                json.dumps(plain(df), indent=2, ensure_ascii=False), encoding="utf-8"
            )
        return p
    return export_tables(df, p, na_rep=na_rep, decimals=decimals)


# -- projects and codebooks ----------------------------------------------------
def load_codebooks(paths: Sequence[str]) -> Codebook:
    """One codebook from one or several files (combined)."""
    from qualcode import Codebook

    books = [
        Codebook.load(need(p, "codebook", "Check the path (a .yaml or .qdc file)."))
        for p in paths
    ]
    return books[0] if len(books) == 1 else Codebook.combine(*books)


def open_project(path: str) -> Project:
    """An existing project (QC902 when the file is missing)."""
    from qualcode import Project

    if is_url(path):  # a server project: the store checks it
        return Project(path)
    p = need(path, "project", "Create it with 'qualcode import FILES -p PROJECT'.")
    return Project(p)


def project_codebook(project: Project, paths: Sequence[str] | None) -> Codebook:
    """The ``--codebook`` files, else the project's codebook (QC907 when none)."""
    if paths:
        return load_codebooks(paths)
    cb = project.codebook
    if cb is None or not len(cb):
        raise err(
            Errors.QC907,
            path=project.path,
            detail="the project has no codebook",
            fix="Pass --codebook FILE, or store one with "
            "'qualcode import --codebook FILE -p PROJECT'.",
        )
    return cb


def check_coders(project: Project, coders: Sequence[str] | None, option: str) -> None:
    """Every coder in ``coders`` must be a coder of ``project`` (QC905)."""
    known = list(project.coders)
    for c in coders or ():
        if c not in known:
            raise err(
                Errors.QC905,
                option=option,
                got=c,
                path=project.path,
                hint=did_you_mean(c, known),
                known=", ".join(known) or "(none yet)",
            )


def check_new_coder(project: Project, coder: str, *, new_coder: bool) -> None:
    """A coder not yet in ``project`` needs ``--new-coder`` (QC911, did you mean).

    A project without coders takes any name: there is nothing to mistype.
    """
    known = list(project.coders)
    if new_coder or coder in known or not known:
        return
    raise err(
        Errors.QC911,
        got=coder,
        path=project.path,
        hint=did_you_mean(coder, known),
        known=", ".join(known),
    )


# -- the parser ----------------------------------------------------------------
def add_common(p: argparse.ArgumentParser, *, top: bool) -> None:
    """-q/--json/--debug, accepted before and after the subcommand."""
    kw: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars or chatter (errors and warnings still show)",
        **kw,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document on stdout (everything else on stderr)",
        **kw,
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and third-party warnings",
        **kw,
    )


def add_command(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str,
    epilog: str,
    func: Callable[[argparse.Namespace], Result],
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with its help, examples and the common options."""
    s = sub.add_parser(
        name,
        help=help,
        description=textwrap.fill(description, 79),
        epilog="examples:\n" + epilog.strip("\n"),
        formatter_class=Formatter,
    )
    add_common(s, top=False)
    s.set_defaults(func=func, _parser=s)
    assert isinstance(s, argparse.ArgumentParser)
    return s


def add_detector_options(p: argparse.ArgumentParser, *, none_help: str) -> None:
    """``--detector NAME`` (repeatable) or ``--no-detectors``: identifier detectors."""
    from qualcode.anonymise import DEFAULT_DETECTORS, DETECTORS

    detectors = sorted(DETECTORS)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--detector",
        action="append",
        choices=detectors,
        metavar="NAME",
        help="an identifier detector to use (repeatable; default: "
        + ", ".join(DEFAULT_DETECTORS)
        + "; also: "
        + ", ".join(d for d in detectors if d not in DEFAULT_DETECTORS)
        + ")",
    )
    g.add_argument("--no-detectors", action="store_true", help=none_help)


def detectors_of(args: argparse.Namespace) -> tuple[str, ...]:
    """The detectors chosen with ``--detector``/``--no-detectors``."""
    from qualcode.anonymise import DEFAULT_DETECTORS

    if args.no_detectors:
        return ()
    return tuple(args.detector) if args.detector else tuple(DEFAULT_DETECTORS)


def filled_rows(path: Path, column: str) -> int:
    """How many rows of an existing table (every sheet) have ``column`` filled.

    Raises QC910 when the file cannot be read.
    """
    import pandas as pd

    try:
        suffix = path.suffix.lower()
        if suffix == ".json":
            frames = [pd.DataFrame(json.loads(path.read_text(encoding="utf-8-sig")))]
        elif suffix == ".csv":
            frames = [
                pd.read_csv(
                    path, encoding="utf-8-sig", dtype=str, keep_default_na=False
                )
            ]
        else:
            frames = list(pd.read_excel(path, sheet_name=None, dtype=str).values())
    except Exception as exc:  # a damaged or locked file, not a table
        raise err(Errors.QC910, path=path, column=column, detail=short(exc)) from None
    n = 0
    for df in frames:
        if column in df.columns:
            values = df[column].fillna("").astype(str).str.strip()
            n += int((values != "").sum())
    return n


def guard_filled(
    path: str | Path, column: str, *, force: bool, what: str, apply: str
) -> None:
    """Refuse to overwrite a table whose ``column`` a coder has filled (QC909).

    With ``force`` (``--force``) the file is overwritten anyway.
    """
    p = Path(path)
    if force or not p.is_file():
        return
    n = filled_rows(p, column)
    if n:
        raise err(Errors.QC909, path=p, n=n, column=column, what=what, apply=apply)
