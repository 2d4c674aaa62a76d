"""The ``qualcode`` command line: thin subcommands over the public API.

Every subcommand calls the functions a notebook user calls (``read_corpus``,
``Project``, ``suggest``, ``review``, ``agreement_table``, ``selection_treemap``,
``export_extracts``, ``write_qdpx``, ``pseudonymise``, ``check_leaks``, ...), so the
command line and the notebooks give the same results.

Layout (spaCy's ``cli/``: one module per command or family of commands)::

    __init__.py     main(): parse, run, print, exit code
    _parser.py      build_parser(): each command module registers its subparser
    _common.py      results, errors, files, tables (through qualcode.export_tables),
                    progress bars, the shared options
    import_.py, info.py, copy_.py, tidy.py (code/coder rename|merge, transcript
    remove), codebook.py, suggest.py (suggest, review), agreement.py (agreement,
    resolve), saturation.py, treemap.py, export.py, pseudonymise.py, leaks.py,
    llm_code.py, demo.py

Adding a command: a module with ``register(sub)`` (which calls
:func:`~qualcode.cli._common.add_command`) and ``cmd_<name>(args) -> Result``,
listed in ``_parser.REGISTER``; it calls only the public API.

Conventions
-----------
- Exit codes: 0 success; 1 a user error (a missing or unreadable file, a bad
  codebook, an unknown coder...: one message on stderr saying what, where and what
  to do, no traceback; ``qualcode leaks`` also exits 1 when it finds a leak);
  2 a usage error (argparse: unknown option, missing argument).
- ``-q``/``--quiet`` silences progress bars and chatter (warnings and errors are
  still shown); ``--json`` prints one JSON document on stdout and nothing else
  (progress, warnings and errors go to stderr); ``--debug`` shows tracebacks and
  third-party warnings.
- Progress bars (tqdm) go to stderr, and only when it is a terminal (not in logs
  or pipes). Steps the library reports no progress for (reading a corpus, training
  a learned tagger, the agreement bootstrap, writing exports) show elapsed time.
- Every table the CLI writes (.csv/.xlsx) goes through :func:`qualcode.export_tables`
  (formula-safe cells, atomic write); file suffixes come from the packages that own
  them (``qualcode.io.SUFFIXES``, ``qualcode.export.FORMATS``/``TABLE_FORMATS``,
  ``qualcode.treemap.FIGURE_SUFFIXES``).

Examples
--------
>>> main(["codebook", "validate", "no/such/file.yaml"])
1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from qualcode.cli._common import Result, plain, short
from qualcode.cli._parser import build_parser

__all__ = ["build_parser", "main"]

#: the password of a URL (``scheme://user:password@host``), never printed
_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+):[^\s@/]*@", re.I)


def _redact(text: str) -> str:
    """``text`` with every URL password removed (server project URLs).

    Examples
    --------
    >>> _redact("copied postgresql://ana:s3cret@db:5432/study to a.qcproj")
    'copied postgresql://ana@db:5432/study to a.qcproj'
    """
    return _PASSWORD.sub(r"\1@", text)


def _err(text: str) -> None:
    print(_redact(text), file=sys.stderr)


def _show_warning(
    message: Any,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    text = str(message).strip().replace("\n", " ")
    _err(f"qualcode: warning: {text}")


def _command_name(args: argparse.Namespace) -> str:
    action = getattr(args, "action", None)
    return f"{args.command} {action}" if action else str(args.command)


def _run(args: argparse.Namespace, name: str) -> Result | int:
    """Run the command; an int is the exit code of a failure already reported."""
    from qualcode.errors import Errors, QualcodeError

    try:
        if args.json:  # only the JSON document goes to stdout
            with contextlib.redirect_stdout(sys.stderr):
                result: Result = args.func(args)
        else:
            result = args.func(args)
    except SystemExit as exc:  # args._parser.error(...) inside a command
        return exc.code if isinstance(exc.code, int) else 2
    except QualcodeError as exc:
        if args.debug:
            raise
        _err(f"qualcode {name}: error: {exc}")
        return 1
    except OSError as exc:
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        what = exc.strerror or short(exc)
        _err(
            f"qualcode {name}: error: {where}{what}. "
            "Check the path and its permissions."
        )
        return 1
    except KeyboardInterrupt:
        _err(f"qualcode {name}: interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        detail = f"{type(exc).__name__}: {short(exc)}"
        msg = Errors.QC908.format(kind="error", detail=detail)
        _err(f"qualcode {name}: error: {msg}")
        return 1
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1 user error, 2 usage).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int

    Examples
    --------
    >>> main(["codebook", "validate", "no/such/file.yaml"])
    1
    >>> main(["no-such-command"])
    2
    """
    from qualcode.errors import QualcodeWarning

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors exit 2, --help/--version exit 0
        return exc.code if isinstance(exc.code, int) else 2
    name = _command_name(args)
    stdout = sys.stdout
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        if not args.debug:
            warnings.simplefilter("ignore")
        warnings.simplefilter("default", QualcodeWarning)
        result = _run(args, name)
    if isinstance(result, int):
        return result
    try:
        if args.json:
            text = json.dumps(
                plain(result.data), indent=2, ensure_ascii=False, allow_nan=False
            )
            stdout.write(_redact(text) + "\n")
        elif result.human and not args.quiet:
            stdout.write(_redact(result.human) + "\n")
        stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        pass
    if result.error:
        _err(f"qualcode {name}: {result.error}")
    return result.code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
