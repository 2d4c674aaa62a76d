"""``qualcode llm-code``: a model on your own server codes a project, verified."""

from __future__ import annotations

import argparse
from typing import Any

from qualcode.cli._common import (
    PROJECT_HELP,
    Result,
    add_command,
    check_table_suffix,
    open_project,
    progress,
    project_codebook,
    suffix_of,
    write_table,
)

__all__ = ["cmd_llm_code", "register"]

EPILOG = """
  qualcode llm-code -p study.qcproj --endpoint http://127.0.0.1:8080/v1 --model llama3
  qualcode llm-code -p study.qcproj --endpoint http://localhost:11434/v1 \\
      --model qwen2.5:7b --codes protect-safeguard-vulnerable divert-to-support \\
      --transcripts INT01 INT02 --audit appendix.xlsx
  qualcode llm-code -p study.qcproj --endpoint URL --model NAME --suggest review.xlsx
"""


def register(sub: Any) -> None:
    """Add ``qualcode llm-code`` to the subparsers ``sub``."""
    s = add_command(
        sub,
        "llm-code",
        func=cmd_llm_code,
        help="code a project with a model on your own server (verified, audited)",
        description="Send each unit (a participant's turn, or a sentence) with its "
        "neighbours and the codebook to an OpenAI-compatible server (llama.cpp, "
        "Ollama, vLLM, LM Studio) on this machine or your network. Every proposed "
        "coding is verified against the stored text; verified codings are written "
        "as the coder llm:MODEL in one transaction. Every call is kept in the "
        "project's audit trail, which is also the cache: running the command again "
        "sends only the calls that have not finished.",
        epilog=EPILOG,
    )
    s.add_argument("-p", "--project", required=True, help=PROJECT_HELP)
    s.add_argument(
        "--endpoint",
        required=True,
        help="the server's base URL, e.g. http://127.0.0.1:8080/v1",
    )
    s.add_argument("--model", required=True, help="the model name the server knows")
    s.add_argument(
        "--codes",
        nargs="+",
        metavar="CODE",
        help="codes the model may apply (default: all)",
    )
    s.add_argument("--coder", help="coder name of the codings (default: llm:MODEL)")
    s.add_argument(
        "--codebook",
        nargs="+",
        metavar="FILE",
        help="codebook files (default: the project's)",
    )
    s.add_argument(
        "--transcripts",
        nargs="+",
        metavar="ID",
        help="transcript ids to code (default: all)",
    )
    s.add_argument(
        "--unit",
        choices=["turn", "sentence"],
        default="turn",
        help="unit of coding (default: turn)",
    )
    s.add_argument(
        "--context",
        type=int,
        default=1,
        metavar="N",
        help="neighbouring units shown either side (default: 1)",
    )
    s.add_argument(
        "--quotes",
        choices=["free", "sentences"],
        default="free",
        help="free quotes (verified), or the unit's sentences only (small models)",
    )
    s.add_argument(
        "--max-codings",
        type=int,
        default=4,
        metavar="N",
        help="codings per unit at most (default: 4)",
    )
    s.add_argument(
        "--concurrency",
        type=int,
        default=2,
        metavar="N",
        help="requests in flight (default: 2)",
    )
    s.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds per answer (default: 120)",
    )
    s.add_argument(
        "--temperature",
        type=float,
        default=0.0,
        help="sampling temperature (default: 0)",
    )
    s.add_argument("--seed", type=int, default=0, help="sampling seed (default: 0)")
    s.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the server's key",
    )
    s.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a server outside this machine and private networks (data leave it)",
    )
    s.add_argument(
        "--suggest",
        metavar="FILE",
        help="write the verified suggestions to FILE (.csv/.xlsx/.json) for review "
        "instead of writing codings",
    )
    s.add_argument(
        "--audit",
        metavar="FILE",
        help="also write the audit trail as appendix tables (.xlsx)",
    )


def cmd_llm_code(args: argparse.Namespace) -> Result:
    """Run ``qualcode llm-code``."""
    import qualcode as qc

    if args.suggest:
        check_table_suffix(args.suggest, "the suggestions")
    if args.audit:  # several sheets: a workbook
        suffix_of(args.audit, (".xlsx",), "the audit tables")
    llm = qc.LLMCoder(
        args.endpoint,
        args.model,
        api_key_env=args.api_key_env,
        allow_remote=args.allow_remote,
        temperature=args.temperature,
        seed=args.seed,
        max_concurrency=args.concurrency,
        timeout=args.timeout,
    )
    options = {
        "unit": args.unit,
        "codes": args.codes,
        "transcripts": args.transcripts,
        "context": args.context,
        "quotes": args.quotes,
        "max_codings": args.max_codings,
        "progress": progress(args),
    }
    with open_project(args.project) as project:
        codebook = project_codebook(project, args.codebook)
        if args.suggest:
            out = qc.llm_suggest(project, codebook, llm=llm, **options)
            write_table(out, args.suggest)
        else:
            out = qc.llm_code(project, codebook, llm=llm, coder=args.coder, **options)
        if args.audit:
            qc.export_tables(qc.llm.audit_tables(project.llm_calls()), args.audit)
        n_calls = len(project.llm_calls())
    stats = dict(out.attrs.get("llm", {}))
    stats.setdefault("coder", args.coder or llm.coder)
    written = (
        f"{len(out)} suggestions written to {args.suggest}"
        if args.suggest
        else f"{stats.get('codings', 0)} codings of {stats['coder']} written"
    )
    lines = [
        f"{llm.coder}: {stats.get('units', 0)} units; {written}.",
        f"calls: {stats.get('sent', 0)} sent, {stats.get('cached', 0)} from the cache, "
        f"{stats.get('failed', 0)} failed; proposals: {stats.get('accepted', 0)} "
        f"verified, {stats.get('rejected', 0)} rejected.",
        f"audit trail: {n_calls} calls in {args.project}"
        + (f"; appendix tables in {args.audit}" if args.audit else ""),
    ]
    if stats.get("failed"):
        lines.append("run the same command again to retry the failed calls")
    data = {
        "project": args.project,
        "model": args.model,
        **stats,
        "calls_in_trail": n_calls,
    }
    return Result("\n".join(lines), data)
