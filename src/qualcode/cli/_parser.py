"""The ``qualcode`` argument parser: each command module registers its subcommand."""

from __future__ import annotations

import argparse
import textwrap

from qualcode.cli._common import Formatter, add_common
from qualcode.cli.agreement import register as _agreement
from qualcode.cli.codebook import register as _codebook
from qualcode.cli.copy_ import register as _copy
from qualcode.cli.demo import register as _demo
from qualcode.cli.export import register as _export
from qualcode.cli.import_ import register as _import
from qualcode.cli.info import register as _info
from qualcode.cli.leaks import register as _leaks
from qualcode.cli.llm_code import register as _llm_code
from qualcode.cli.merge import register as _merge
from qualcode.cli.pseudonymise import register as _pseudonymise
from qualcode.cli.saturation import register as _saturation
from qualcode.cli.server import register as _server
from qualcode.cli.suggest import register as _suggest
from qualcode.cli.tidy import register as _tidy
from qualcode.cli.treemap import register as _treemap

__all__ = ["REGISTER", "build_parser"]

#: Each command module's ``register``, in the order ``qualcode --help`` lists them.
REGISTER = (
    _import,
    _info,
    _copy,
    _merge,
    _server,
    _tidy,  # code, coder, transcript
    _codebook,
    _suggest,  # suggest, review
    _agreement,  # agreement, resolve
    _saturation,
    _treemap,
    _export,
    _pseudonymise,
    _leaks,
    _llm_code,
    _demo,
)

MAIN_EPILOG = """\
a workflow (the README's, on the demo data):
  qualcode import corpora/demo -p study.qcproj \\
      --attributes corpora/demo/attributes.csv \\
      --codebook codebooks/roles.yaml --codebook codebooks/harms.yaml \\
      --codebook codebooks/culture.yaml \\
      --codings corpora/demo/codings/coder_AB.csv \\
      --codings corpora/demo/codings/coder_CD.csv
  qualcode suggest -p study.qcproj --coder AB --out suggestions.xlsx  # fill 'decision'
  qualcode review suggestions.xlsx -p study.qcproj --coder AB
  qualcode agreement -p study.qcproj --coders AB CD --disagreements todo.xlsx
  qualcode resolve todo.xlsx -p study.qcproj     # after filling 'resolution'
  qualcode saturation -p study.qcproj --coder AB --figure saturation.png
  qualcode treemap corpora/exercises/roles_selections.csv \\
      --codebook codebooks/roles.yaml --out roles.png
  qualcode pseudonymise study.qcproj --key corpora/demo/pseudonym_key.csv \\
      --out shared.qcproj
  qualcode export -p shared.qcproj --out quotes.docx --out study.qdpx
  qualcode leaks quotes.docx study.qdpx --key corpora/demo/pseudonym_key.csv
  qualcode demo --out out/       # all of it on the bundled fictional demo data

exit codes: 0 success, 1 user error (message on stderr; 'leaks' also when it
finds a leak), 2 usage error. 'qualcode COMMAND --help' shows each command.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the tests).

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["info", "-p", "study.qcproj", "--json"])
    >>> args.command, args.project, args.json
    ('info', 'study.qcproj', True)
    """
    from qualcode._version import __version__

    p = argparse.ArgumentParser(
        prog="qualcode",
        formatter_class=Formatter,
        epilog=MAIN_EPILOG,
        description=textwrap.fill(
            "Reproducible qualitative coding of interview transcripts: import, "
            "codebooks, assisted tagging, inter-coder agreement, treemaps, "
            "pseudonymisation and exports.",
            79,
        ),
    )
    add_common(p, top=True)
    p.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTER:
        register(sub)
    return p
