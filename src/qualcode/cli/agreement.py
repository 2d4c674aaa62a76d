"""``qualcode agreement`` (per-code table, disagreements) and ``qualcode resolve``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    busy,
    check_coders,
    check_table_suffix,
    err,
    guard_filled,
    open_project,
    read_table,
    table,
    write_table,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode import Project
from qualcode.errors import Errors, InvalidInputError

__all__ = ["cmd_agreement", "cmd_resolve", "register"]

EPILOG = """
  qualcode agreement -p study.qcproj --coders AB CD --unit sentence --out agreement.xlsx
  qualcode agreement -p study.qcproj --level root --disagreements to_resolve.xlsx
"""


def register(sub: Any) -> None:
    """Add ``qualcode agreement`` and ``qualcode resolve`` to the subparsers ``sub``."""
    _register_agreement(sub)
    _register_resolve(sub)


def _register_agreement(sub: Any) -> None:
    s = add_command(
        sub,
        "agreement",
        func=cmd_agreement,
        help="inter-coder agreement per code with bootstrap intervals",
        description="Per-code agreement (percent agreement, Cohen's/Fleiss' kappa, "
        "Scott's pi, Gwet's AC1, Brennan-Prediger, Krippendorff's alpha "
        "and unitized alphas) with a pooled row, on participant turns "
        "of transcripts coded by at least two coders.",
        epilog=EPILOG,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--coders", nargs="+", metavar="CODER", help="coders to compare (default: all)"
    )
    s.add_argument(
        "--unit",
        choices=["turn", "sentence", "character"],
        default="turn",
        help="unit of analysis (default: turn)",
    )
    s.add_argument("--codes", nargs="+", metavar="CODE", help="only these codes")
    s.add_argument(
        "--level",
        choices=["code", "root"],
        default="code",
        help="'root' compares top-level codes (default: code)",
    )
    s.add_argument(
        "--all-roles",
        action="store_true",
        help="include interviewer turns (default: participant turns only)",
    )
    s.add_argument(
        "--n-boot",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap replicates for the intervals, 0 for none (default: 1000)",
    )
    s.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    s.add_argument(
        "--ci", type=float, default=0.95, help="interval coverage (default: 0.95)"
    )
    s.add_argument(
        "--no-unitized",
        action="store_true",
        help="skip the unitized alphas on character offsets",
    )
    s.add_argument("--out", metavar="FILE", help="write the table (.csv/.xlsx/.json)")
    s.add_argument(
        "--disagreements",
        metavar="FILE",
        help="write every disagreement with its text (.csv/.xlsx/.json)",
    )
    s.add_argument(
        "--force",
        action="store_true",
        help="overwrite --disagreements even if its 'resolution' column has been "
        "filled in",
    )


def _register_resolve(sub: Any) -> None:
    s = add_command(
        sub,
        "resolve",
        func=cmd_resolve,
        help="consensus codings from a resolved disagreements file",
        description="Create consensus codings from the 'resolution' column of a file "
        "written by 'qualcode agreement --disagreements': the codes to apply to each "
        "unit, comma-separated; 'none' when no code applies; blank rows stay "
        "undecided (resolve them later). Running it again changes nothing.",
        epilog="  qualcode resolve to_resolve.xlsx -p study.qcproj\n"
        "  qualcode resolve to_resolve.csv -p study.qcproj --coder agreed",
    )
    s.add_argument("resolutions", metavar="FILE", help="disagreements CSV/XLSX")
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--coder", default="consensus", help="the consensus coder (default: consensus)"
    )


_RESOLVE_ROWS = ("resolved_rows", "no_code_rows", "undecided_rows")


def _with_ci(frame: pd.DataFrame, stat: str) -> list[str]:
    out = []
    lo, hi = f"{stat}_ci_low", f"{stat}_ci_high"
    for r in frame.to_dict("records"):
        v = r.get(stat)
        if v is None or v != v:
            out.append("-")
        elif lo in r and r[lo] == r[lo] and r.get(hi) == r.get(hi):
            out.append(f"{v:.3f} [{r[lo]:.2f}, {r[hi]:.2f}]")
        else:
            out.append(f"{v:.3f}")
    return out


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The agreement table as the terminal shows it."""
    import pandas as pd

    kappa = "cohen_kappa" if frame["cohen_kappa"].notna().any() else "fleiss_kappa"
    return pd.DataFrame(
        {
            "code": frame["code"],
            "units": frame["n_units"],
            "coded": frame["n_coded"],
            "agree%": (100 * frame["percent_agreement"]).round(1),
            kappa: _with_ci(frame, kappa),
            "krippendorff_alpha": _with_ci(frame, "krippendorff_alpha"),
        }
    )


def _shared(project: Project, coders: list[str]) -> list[str]:
    """Transcripts coded by at least two of ``coders`` (agreement's scope)."""
    codings = project.codings(coder=coders)
    if not len(codings):
        return []
    n = codings.groupby("transcript_id")["coder"].nunique()
    return [str(t) for t in n[n >= 2].index]


def _roles_text(args: argparse.Namespace) -> str:
    if args.all_roles:
        return "every turn"
    return "participant turns; every turn where no speaker role was recognised"


def _nothing_to_compare(
    args: argparse.Namespace, project: Project, coders: list[str], shared: list[str]
) -> InvalidInputError:
    """QC912: why the agreement table is empty, and what to do."""
    if not shared:
        why = "no transcript is coded by two or more of them"
        fix = "Code the same transcripts with each coder (or import their codings)."
    else:
        codes = f" with the codes {', '.join(args.codes)}" if args.codes else ""
        why = (
            f"{len(shared)} transcript(s) are coded by two or more of them, but have "
            f"no {args.unit} units ({_roles_text(args)}){codes}"
        )
        fix = "Pass --all-roles to include interviewer turns, or check --codes."
    return err(
        Errors.QC912,
        path=project.path,
        unit=args.unit,
        why=why,
        coders=", ".join(coders) or "none",
        fix=fix,
    )


def _units_line(
    args: argparse.Namespace, result: pd.DataFrame, shared: list[str]
) -> str:
    pooled = result[result["code"] == "(pooled)"]
    n_units = int((pooled if len(pooled) else result)["n_units"].max())
    return (
        f"units: {n_units} {args.unit}s ({_roles_text(args)}) in {len(shared)} "
        "transcript(s) coded by two or more of the coders"
    )


def cmd_agreement(args: argparse.Namespace) -> Result:
    """Run ``qualcode agreement``."""
    from qualcode import agreement_table, disagreements

    for p in (args.out, args.disagreements):
        if p:
            check_table_suffix(p)
    if args.disagreements:
        guard_filled(
            args.disagreements,
            "resolution",
            force=args.force,
            what="consensus resolutions",
            apply=f"qualcode resolve {args.disagreements} -p {args.project}",
        )
    data: dict[str, Any] = {}
    lines = []
    with open_project(args.project) as project:
        check_coders(project, args.coders, "--coders")
        roles = None if args.all_roles else ("participant",)
        with busy(
            args, f"agreement by {args.unit} ({args.n_boot} bootstrap replicates)"
        ):
            result = agreement_table(
                project,
                coders=args.coders,
                unit=args.unit,
                codes=args.codes,
                roles=roles,
                n_boot=args.n_boot,
                seed=args.seed,
                ci=args.ci,
                level=args.level,
                unitized=not args.no_unitized,
            )
        coders = list(args.coders or project.coders)
        shared = _shared(project, coders)
        if not len(result):
            raise _nothing_to_compare(args, project, coders, shared)
        if args.disagreements:
            dis = disagreements(
                project,
                coders=coders,
                unit=args.unit,
                codes=args.codes,
                roles=roles,
            )
            write_table(dis, args.disagreements)
            data["disagreements"] = {"rows": len(dis), "out": args.disagreements}
            lines.append(
                f"wrote {len(dis)} disagreements to {args.disagreements}: fill its "
                f"'resolution' column, then run 'qualcode resolve "
                f"{args.disagreements} -p {args.project}'"
            )
    if args.out:
        write_table(result, args.out)
        lines.append(f"wrote {args.out}")
    head = (
        f"agreement of {result['coders'].iloc[0]} by {args.unit} "
        f"({args.ci:.0%} bootstrap intervals, {args.n_boot} replicates)"
    )
    units = _units_line(args, result, shared)
    data.update(table=result, out=args.out, units=units, transcripts=shared)
    return Result(
        "\n".join([head, units, table(_shown(result), width=40), *lines]), data
    )


def cmd_resolve(args: argparse.Namespace) -> Result:
    """Run ``qualcode resolve``: blank rows stay undecided (as in ``review``)."""
    from qualcode import resolve_disagreements

    frame = read_table(args.resolutions, "resolutions file")
    with open_project(args.project) as project:
        done = resolve_disagreements(project, frame, coder=args.coder)
    rows = {k: list(done.attrs.get(k, [])) for k in _RESOLVE_ROWS}
    counts = {k: len(v) for k, v in rows.items()}
    human = (
        f"{args.coder} now has {len(done)} codings; of {len(frame)} units: "
        f"{counts['resolved_rows']} resolved with codes, {counts['no_code_rows']} "
        f"with no code ('none'), {counts['undecided_rows']} still undecided (blank)"
    )
    data = {"coder": args.coder, "codings": len(done), "units": len(frame), **counts}
    return Result(human, data)
