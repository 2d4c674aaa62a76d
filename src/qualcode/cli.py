"""The ``qualcode`` command line: thin subcommands over the public API.

Every subcommand calls the functions a notebook user calls (``read_corpus``,
``Project``, ``suggest``, ``review``, ``agreement_table``, ``selection_treemap``,
``export_extracts``, ``write_qdpx``, ``pseudonymise``, ``check_leaks``, ...), so the
command line and the notebooks give the same results.

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

Examples
--------
>>> main(["codebook", "validate", "no/such/file.yaml"])
1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

_TABLE_SUFFIXES = (".csv", ".xlsx", ".json")
_EXTRACT_SUFFIXES = (".xlsx", ".csv", ".docx", ".html", ".md")
_FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
_TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt", ".pdf")


# -- results and errors ------------------------------------------------------
@dataclass
class _Result:
    """What a subcommand hands back to :func:`main` to print."""

    human: str = ""
    data: Any = field(default_factory=dict)
    code: int = 0
    error: str = ""  # printed on stderr (with the command name) when not empty


def _err(template: str, **fields: Any):  # -> InvalidInputError
    from qualcode.errors import InvalidInputError

    return InvalidInputError(template.format(**fields))


def _plain(obj: Any) -> Any:
    """``obj`` as JSON-ready Python (NaN/NA -> None, numpy scalars, frames -> rows)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [_plain(v) for v in obj]
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
            return _plain(obj.item())
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


def _table(df: Any, columns: Sequence[str] | None = None, *, width: int = 48) -> str:
    """A frame as aligned text for the terminal (long cells cut)."""
    import pandas as pd

    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    if not len(df):
        return "(none)"
    with pd.option_context(
        "display.width", 160, "display.max_columns", 20, "display.max_colwidth", width
    ):
        return df.to_string(index=False)


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars: on a terminal, unless ``-q``."""
    isatty = getattr(sys.stderr, "isatty", None)
    return not args.quiet and bool(isatty and isatty())


@contextlib.contextmanager
def _busy(args: argparse.Namespace, desc: str) -> Iterator[None]:
    """An elapsed-time bar on stderr for a step the library gives no progress for."""
    if not _progress(args):
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
def _need(
    path: str | Path, what: str, fix: str, *, folder: bool | None = False
) -> Path:
    """Check that ``path`` exists: a file, a folder if ``folder``, either if None."""
    from qualcode.errors import Errors

    p = Path(path)
    if not p.exists():
        raise _err(Errors.QC902, path=p, what=what, fix=fix)
    if folder is False and p.is_dir():
        raise _err(Errors.QC907, path=p, detail=f"is a folder, not a {what}", fix=fix)
    if folder is True and not p.is_dir():
        raise _err(Errors.QC907, path=p, detail=f"is a file, not a {what}", fix=fix)
    return p


def _suffix(path: str | Path, known: Sequence[str], what: str) -> str:
    from qualcode.errors import Errors

    suffix = Path(path).suffix.lower()
    if suffix not in known:
        raise _err(
            Errors.QC904,
            path=path,
            suffix=suffix or "(none)",
            what=what,
            known=", ".join(known),
        )
    return suffix


def _read_table(path: str | Path, what: str) -> Any:  # -> DataFrame
    """Read a CSV (UTF-8, BOM allowed) or XLSX table; errors name the file."""
    import pandas as pd

    from qualcode.errors import Errors

    p = _need(path, what, "Check the path.")
    suffix = _suffix(p, (".csv", ".xlsx", ".xlsm"), what)
    try:
        if suffix == ".csv":
            return pd.read_csv(
                p, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
            )
        return pd.read_excel(p)
    except Exception as exc:  # ParserError, UnicodeDecodeError, BadZipFile, ...
        raise _err(
            Errors.QC903,
            path=p,
            what=what,
            detail=_short(exc),
            fix="Save it as CSV (UTF-8) or XLSX and try again.",
        ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _write_table(df: Any, path: str | Path) -> Path:
    p = Path(path)
    suffix = _suffix(p, _TABLE_SUFFIXES, "a table")
    p.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        from qualcode import export_tables

        export_tables(df, p)
    elif suffix == ".json":
        p.write_text(
            json.dumps(_plain(df), indent=2, ensure_ascii=False), encoding="utf-8"
        )
    else:
        df.to_csv(p, index=False, encoding="utf-8-sig")
    return p


def _codebook(paths: Sequence[str]):  # -> Codebook
    from qualcode import Codebook

    books = [
        Codebook.load(_need(p, "codebook", "Check the path (a .yaml or .qdc file)."))
        for p in paths
    ]
    return books[0] if len(books) == 1 else Codebook.combine(*books)


def _project(path: str):  # -> Project
    from qualcode import Project

    p = _need(path, "project", "Create it with 'qualcode import FILES -p PROJECT'.")
    return Project(p)


def _project_codebook(project: Any, paths: Sequence[str] | None):  # -> Codebook
    from qualcode.errors import Errors

    if paths:
        return _codebook(paths)
    cb = project.codebook
    if cb is None or not len(cb):
        raise _err(
            Errors.QC907,
            path=project.path,
            detail="the project has no codebook",
            fix="Pass --codebook FILE, or store one with "
            "'qualcode import --codebook FILE -p PROJECT'.",
        )
    return cb


def _check_coders(project: Any, coders: Sequence[str] | None, option: str) -> None:
    from qualcode.errors import Errors

    known = list(project.coders)
    for c in coders or ():
        if c not in known:
            raise _err(
                Errors.QC905,
                option=option,
                got=c,
                path=project.path,
                known=", ".join(known) or "(none yet)",
            )


def _fresh(path: str | Path, fix: str) -> Path:
    from qualcode.errors import Errors

    p = Path(path)
    if p.exists():
        raise _err(Errors.QC906, path=p, fix=fix)
    return p


# -- import ------------------------------------------------------------------
def _speakers(value: str) -> dict[str, Any]:
    """argparse type for --speakers: inline JSON or a .json/.yaml file."""
    p = Path(value)
    try:
        if p.suffix.lower() in (".json", ".yaml", ".yml") and p.is_file():
            import yaml

            data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        else:
            data = json.loads(value)
    except Exception as exc:  # json/yaml syntax errors, unreadable file
        raise argparse.ArgumentTypeError(
            f"not a JSON mapping ({_short(exc)})"
        ) from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError(
            'expected a mapping such as \'{"I": "interviewer", "P": "participant"}\''
        )
    return data


def _is_glob(s: str) -> bool:
    return any(ch in s for ch in "*?[")


def _codings_frame(path: str, transcripts: list[Any], coder: str | None):  # -> frame
    """Codings from a CSV/XLSX: offsets (start, end) or quotes (quote, occurrence)."""
    from qualcode.errors import Errors

    table = _read_table(path, "codings file")
    cols = set(table.columns)
    if {"transcript_id", "code", "quote"} <= cols:
        from qualcode.datasets.demo import demo_codings

        if Path(path).suffix.lower() != ".csv":
            raise _err(
                Errors.QC907,
                path=path,
                detail="codings given as quotes are read from CSV only",
                fix="Save the sheet as CSV (UTF-8), or give start/end offsets.",
            )

        frame = demo_codings(transcripts, paths=[path])
    elif {"transcript_id", "start", "end", "code"} <= cols:
        frame = table
    else:
        raise _err(
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
        raise _err(
            Errors.QC907,
            path=path,
            detail="some codings have no coder",
            fix="Add a 'coder' column or pass --coder NAME.",
        )
    return frame


def _codings(args: argparse.Namespace, corpus: Any, project: Any = None):  # -> frame
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


def cmd_import(args: argparse.Namespace) -> _Result:
    from qualcode import Codebook, Project, read_corpus, read_qdpx

    if not (args.paths or args.codebook or args.codings):
        args._parser.error("give transcripts or .qdpx files, --codebook or --codings")
    qdpx = [p for p in args.paths if p.lower().endswith(".qdpx")]
    others = [p for p in args.paths if not p.lower().endswith(".qdpx")]
    if args.attributes and not others:
        args._parser.error("--attributes goes with transcript files to import")
    for p in args.paths:
        if not _is_glob(p):
            _need(p, "transcript file or folder", "Check the path.", folder=None)
    for p in args.codings or ():
        _need(p, "codings file", "Check the path.")
    books = [
        Codebook.load(_need(p, "codebook", "Check the path (a .yaml or .qdc file)."))
        for p in args.codebook or ()
    ]
    corpus = None
    if others:
        if args.attributes:
            _need(args.attributes, "attributes table", "Check the path.")
        with _busy(args, "reading transcripts"):
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
        with _busy(args, f"importing {Path(q).name}"):
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
    return _Result("\n".join([*lines, summary]), data)


# -- info --------------------------------------------------------------------
def cmd_info(args: argparse.Namespace) -> _Result:
    with _project(args.project) as project:
        transcripts = project.transcripts
        codings = project.codings()
        coders = codings.groupby("coder").size().to_dict() if len(codings) else {}
        books = project.codebooks
        current = books[books["current"]] if "current" in books.columns else books
        cb_rows = [
            {k: r.get(k) for k in ("name", "version", "codes") if k in r}
            for r in current.to_dict("records")
        ]
        orphans = len(project.orphans())
    data = {
        "project": args.project,
        "transcripts": len(transcripts),
        "transcript_ids": list(transcripts["transcript_id"])
        if len(transcripts)
        else [],
        "codings": len(codings),
        "coders": coders,
        "codebooks": cb_rows,
        "orphans": orphans,
    }
    lines = [
        f"{args.project}: {len(transcripts)} transcripts, {len(codings)} codings",
        "coders: " + (", ".join(f"{c} ({n})" for c, n in coders.items()) or "none"),
        "codebooks: "
        + (
            ", ".join(
                " ".join(str(r[k]) for k in ("name", "version") if r.get(k) is not None)
                for r in cb_rows
            )
            or "none"
        ),
    ]
    if orphans:
        lines.append(f"orphaned codings: {orphans}")
    return _Result("\n".join(lines), data)


# -- codebook ----------------------------------------------------------------
def cmd_codebook_validate(args: argparse.Namespace) -> _Result:
    from qualcode import Codebook
    from qualcode.errors import CodebookWarning, Errors

    rows, lines, n_warn = [], [], 0
    books = []
    for f in args.files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CodebookWarning)
            cb = Codebook.load(_need(f, "codebook", "Check the path."))
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
        raise _err(
            Errors.QC907,
            path=", ".join(args.files),
            detail=f"{n_warn} warning(s) with --strict",
            fix="Fix what the warnings say, or drop --strict.",
        )
    return _Result("\n".join(lines), {"codebooks": rows, "valid": True})


def cmd_codebook_render(args: argparse.Namespace) -> _Result:
    out = Path(args.out or Path(args.files[0]).with_suffix(".md").name)
    _suffix(out, (".md", ".html", ".htm"), "a codebook document")
    cb = _codebook(args.files)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = cb.render(out)
    return _Result(f"wrote {written}", {"out": str(written), "codes": len(cb)})


def cmd_codebook_convert(args: argparse.Namespace) -> _Result:
    _suffix(args.out, (".yaml", ".yml", ".qdc"), "a codebook")
    cb = _codebook(args.files)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    written = cb.save(args.out)
    return _Result(
        f"wrote {written} ({len(cb)} codes)", {"out": str(written), "codes": len(cb)}
    )


# -- suggest and review --------------------------------------------------------
def cmd_suggest(args: argparse.Namespace) -> _Result:
    from qualcode import LearnedTagger, suggest

    if args.out:
        _suffix(args.out, _TABLE_SUFFIXES, "suggestions")
    data: dict[str, Any] = {}
    lines = []
    with _project(args.project) as project:
        _check_coders(project, [args.coder] if args.coder else [], "--coder")
        tagger = None
        if args.learned:
            _need(
                args.learned,
                "saved learned tagger (a folder)",
                "Train one: 'qualcode suggest --learn-from CODER --save-tagger DIR'.",
                folder=True,
            )
            tagger = LearnedTagger.load(args.learned)
            cb = _codebook(args.codebook) if args.codebook else None
        elif args.learn_from:
            _check_coders(project, [args.learn_from], "--learn-from")
            cb = _codebook(args.codebook) if args.codebook else None
            tagger = LearnedTagger(
                args.code or cb, unit=args.unit, seed=args.seed, epochs=args.epochs
            )
            with _busy(
                args, f"training a learned tagger on {args.learn_from}'s codings"
            ):
                tagger.fit(
                    project, coder=args.learn_from, include_interviewer=args.interviewer
                )
            rep = tagger.report
            micro = rep[rep["code"] == "(micro)"]
            f1 = float(micro["f1"].iloc[0]) if len(micro) else float("nan")
            data["learned"] = {
                "coder": args.learn_from,
                "codes": list(tagger.thresholds),
                "cv_micro_f1": f1,
                "report": rep,
            }
            lines.append(
                f"learned tagger: {len(tagger.thresholds)} codes, "
                f"cross-validated micro F1 {f1:.2f}"
            )
            if args.save_tagger:
                saved = tagger.save(args.save_tagger)
                data["learned"]["saved"] = str(saved)
                lines.append(f"saved the tagger to {saved}")
        else:
            cb = _project_codebook(project, args.codebook)
        sugg = suggest(
            project,
            cb,
            unit=args.unit,
            tagger=tagger,
            include_interviewer=args.interviewer,
            exclude_coded_by=args.coder,
            min_score=args.min_score,
            progress=_progress(args),
        )
    if args.out:
        _write_table(sugg.assign(decision=""), args.out)
        lines.append(
            f"wrote {args.out}: fill the 'decision' column with accepted or "
            f"rejected, then run 'qualcode review {args.out} -p {args.project} "
            f"--coder NAME'"
        )
    counts = sugg["code"].value_counts()
    data.update(
        suggestions=len(sugg),
        by_code=counts.to_dict(),
        out=args.out,
        tagger=str(sugg["tagger"].iloc[0]) if len(sugg) else None,
    )
    if not args.out:
        data["rows"] = sugg
    head = f"{len(sugg)} suggestions"
    table = _table(counts.rename_axis("code").reset_index()) if len(sugg) else ""
    return _Result("\n".join([head, table, *lines]).strip(), data)


def cmd_review(args: argparse.Namespace) -> _Result:
    from qualcode import review

    decisions = _read_table(args.decisions, "decisions file")
    suggestions = (
        _read_table(args.suggestions, "suggestions file")
        if args.suggestions
        else decisions
    )
    with _project(args.project) as project:
        counts = review(project, suggestions, decisions, args.coder)
    human = f"review by {args.coder}: " + ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in counts.items()
    )
    return _Result(human, {"coder": args.coder, **counts})


# -- agreement -----------------------------------------------------------------
def _with_ci(table: Any, stat: str) -> list[str]:
    out = []
    lo, hi = f"{stat}_ci_low", f"{stat}_ci_high"
    for r in table.to_dict("records"):
        v = r.get(stat)
        if v is None or v != v:
            out.append("-")
        elif lo in r and r[lo] == r[lo] and r.get(hi) == r.get(hi):
            out.append(f"{v:.3f} [{r[lo]:.2f}, {r[hi]:.2f}]")
        else:
            out.append(f"{v:.3f}")
    return out


def cmd_agreement(args: argparse.Namespace) -> _Result:
    import pandas as pd

    from qualcode import agreement_table, disagreements

    for p in (args.out, args.disagreements):
        if p:
            _suffix(p, _TABLE_SUFFIXES, "a table")
    data: dict[str, Any] = {}
    with _project(args.project) as project:
        _check_coders(project, args.coders, "--coders")
        roles = None if args.all_roles else ("participant",)
        with _busy(
            args, f"agreement by {args.unit} ({args.n_boot} bootstrap replicates)"
        ):
            table = agreement_table(
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
        lines = []
        if args.disagreements:
            dis = disagreements(
                project,
                coders=args.coders or list(project.coders),
                unit=args.unit,
                codes=args.codes,
                roles=roles,
            )
            _write_table(dis, args.disagreements)
            data["disagreements"] = {"rows": len(dis), "out": args.disagreements}
            lines.append(
                f"wrote {len(dis)} disagreements to {args.disagreements}: fill its "
                f"'resolution' column, then run 'qualcode resolve "
                f"{args.disagreements} -p {args.project}'"
            )
    if args.out:
        _write_table(table, args.out)
        lines.append(f"wrote {args.out}")
    kappa = "cohen_kappa" if table["cohen_kappa"].notna().any() else "fleiss_kappa"
    show = pd.DataFrame(
        {
            "code": table["code"],
            "units": table["n_units"],
            "coded": table["n_coded"],
            "agree%": (100 * table["percent_agreement"]).round(1),
            kappa: _with_ci(table, kappa),
            "krippendorff_alpha": _with_ci(table, "krippendorff_alpha"),
        }
    )
    coders = table["coders"].iloc[0] if len(table) else ", ".join(args.coders or [])
    head = (
        f"agreement of {coders} by {args.unit} "
        f"({args.ci:.0%} bootstrap intervals, {args.n_boot} replicates)"
    )
    data.update(table=table, out=args.out)
    return _Result("\n".join([head, _table(show, width=40), *lines]), data)


def cmd_resolve(args: argparse.Namespace) -> _Result:
    from qualcode import resolve_disagreements

    table = _read_table(args.resolutions, "resolutions file")
    if "resolution" in table.columns:  # blank cells read as NaN: no code
        table["resolution"] = table["resolution"].fillna("").astype(str)
    with _project(args.project) as project:
        done = resolve_disagreements(project, table, coder=args.coder)
    n_units = len(table)
    return _Result(
        f"{args.coder} now has {len(done)} codings from {n_units} resolved units",
        {"coder": args.coder, "codings": len(done), "units": n_units},
    )


# -- treemap -------------------------------------------------------------------
def cmd_treemap(args: argparse.Namespace) -> _Result:
    from qualcode import code_treemap, read_selections, selection_treemap
    from qualcode.errors import Errors

    if bool(args.selections) == bool(args.project):
        args._parser.error(
            "give a selections file or --project (to draw its codings), not both"
            if args.selections
            else "give a selections file, or --project to draw its codings"
        )
    for o in args.out:
        _suffix(o, _FIGURE_SUFFIXES, "a figure")
    highlight: Any = args.highlight or (args.highlight_item or None)
    if args.selections:
        cb = _codebook(args.codebook) if args.codebook else None
        path = _need(args.selections, "selections file", "Check the path.")
        sel = read_selections(path, codebook=cb, duplicates=args.duplicates)
        tm = selection_treemap(
            sel,
            cb,
            min_respondents=args.min_respondents,
            by=args.by,
            highlight=highlight,
            highlight_label=args.highlight_label,
            title=args.title,
        )
    else:
        with _project(args.project) as project:
            _check_coders(project, args.coder, "--coder")
            cb = _project_codebook(project, args.codebook)
            codings = project.codings(coder=args.coder)
        if args.code:
            keep = set()
            for c in args.code:
                keep |= {c, *(d.id for d in cb.descendants(cb[c].id))}
            codings = codings[codings["code"].isin(keep)]
        if not len(codings):
            raise _err(
                Errors.QC907,
                path=args.project,
                detail="no codings to draw"
                + (f" by {', '.join(args.coder)}" if args.coder else "")
                + (f" under {', '.join(args.code)}" if args.code else ""),
                fix="Add codings first (qualcode import --codings, qualcode review).",
            )
        tm = code_treemap(
            codings,
            cb,
            by=args.by,
            level=args.level,
            min_count=args.min_respondents,
            highlight=highlight,
            highlight_label=args.highlight_label,
            title=args.title,
        )
    outs = []
    for o in args.out:
        Path(o).parent.mkdir(parents=True, exist_ok=True)
        outs.append(str(tm.save(o)))
    layout = tm.layout[["item", "label", "category", "count"]]
    data = {"summary": tm.summary, "caption": tm.caption, "out": outs, "layout": layout}
    return _Result("\n".join([tm.caption, *(f"wrote {o}" for o in outs)]), data)


# -- export --------------------------------------------------------------------
def _where(pairs: Sequence[str] | None) -> dict[str, Any] | None:
    if not pairs:
        return None
    out: dict[str, list[str]] = {}
    for p in pairs:
        k, _, v = p.partition("=")
        out.setdefault(k.strip(), []).append(v.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def _key_value(value: str) -> str:
    if "=" not in value or not value.partition("=")[0].strip():
        raise argparse.ArgumentTypeError(
            "expected ATTRIBUTE=VALUE, e.g. role='police officer'"
        )
    return value


def cmd_export(args: argparse.Namespace) -> _Result:
    from qualcode import export_extracts, write_qdpx

    for o in args.out:
        _suffix(o, (*_EXTRACT_SUFFIXES, ".qdpx"), "an export")
    attribution: Any = False if args.no_attribution else args.attribution
    outs, notes = [], []
    with _project(args.project) as project:
        _check_coders(project, args.coder, "--coder")
        for out in args.out:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            if out.lower().endswith(".qdpx"):
                if args.code or args.coder or args.where:
                    notes.append(
                        f"{out}: --code/--coder/--where do not apply to .qdpx "
                        "(the whole project is exported)"
                    )
                with _busy(args, f"writing {Path(out).name}"):
                    outs.append(str(write_qdpx(project, out, validate=args.validate)))
            else:
                with _busy(args, f"writing {Path(out).name}"):
                    outs.append(
                        str(
                            export_extracts(
                                project,
                                out,
                                codes=args.code,
                                coders=args.coder,
                                where=_where(args.where),
                                context=args.context,
                                attribution=attribution,
                                matrices=args.matrices,
                                title=args.title,
                            )
                        )
                    )
    for n in notes:
        print(f"qualcode export: note: {n}", file=sys.stderr)
    return _Result("\n".join(f"wrote {o}" for o in outs), {"out": outs})


# -- pseudonymise and leaks ----------------------------------------------------
def _detectors(args: argparse.Namespace) -> Any:
    from qualcode.anonymise import DEFAULT_DETECTORS

    if args.no_detectors:
        return ()
    return tuple(args.detector) if args.detector else DEFAULT_DETECTORS


def _safe_name(tid: str) -> str:
    return (
        "".join("_" if ch in '/\\:*?"<>|' else ch for ch in tid).strip() or "transcript"
    )


def cmd_pseudonymise(args: argparse.Namespace) -> _Result:
    from qualcode import pseudonymise, read_corpus
    from qualcode.errors import Errors

    key = _need(
        args.key, "pseudonymisation key", "Check the path (a .csv or .yaml key)."
    )
    src = Path(args.source)
    if not _is_glob(args.source):
        _need(src, "project file or transcript folder", "Check the path.", folder=None)
    out = Path(args.out)
    data: dict[str, Any] = {"source": args.source, "out": args.out}
    if src.is_file() and src.suffix.lower() not in _TRANSCRIPT_SUFFIXES:
        if args.attributes:
            args._parser.error("--attributes goes with transcripts, not a project")
        _fresh(out, "Choose a new file name for the pseudonymised copy.")
        with (
            _project(args.source) as project,
            _busy(args, "pseudonymising the project"),
        ):
            res = pseudonymise(project, key, detectors=_detectors(args), out=out)
            res.project.close()
        kind = "project"
    else:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise _err(
                Errors.QC906,
                path=out,
                fix="Choose a new (or empty) folder for the pseudonymised transcripts.",
            )
        if args.attributes:
            _need(args.attributes, "attributes table", "Check the path.")
        with _busy(args, "pseudonymising transcripts"):
            corpus = read_corpus(args.source, attributes=args.attributes)
            res = pseudonymise(corpus, key, detectors=_detectors(args))
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for t in res.corpus:
            f = out / f"{_safe_name(t.id)}.txt"
            f.write_text(t.text + "\n", encoding="utf-8")
            files.append(str(f))
        if args.attributes:
            _write_table(res.corpus.attributes, out / "attributes.csv")
            files.append(str(out / "attributes.csv"))
        data["files"] = files
        kind = "transcripts"
    if args.report:
        _write_table(res.report, args.report)
        data["report"] = args.report
    s = res.summary
    data["summary"] = s
    by_kind = ", ".join(f"{n} {k}" for k, n in s.get("by_kind", {}).items()) or "none"
    where = f"a copy of the project, {out}" if kind == "project" else f"{out}/"
    lines = [
        f"pseudonymised {s.get('transcripts')} transcripts into {where}: "
        f"{s.get('replacements')} replacements ({by_kind}) in "
        f"{s.get('transcripts_changed')} transcripts",
        f"keep the key ({key}) apart; check exports with "
        f"'qualcode leaks FILES --key {key}'",
    ]
    return _Result("\n".join(lines), data)


def cmd_leaks(args: argparse.Namespace) -> _Result:
    from qualcode import check_leaks

    key = _need(
        args.key, "pseudonymisation key", "Check the path (a .csv or .yaml key)."
    )
    paths = [
        _need(p, "file or folder to check", "Check the path.", folder=None)
        for p in args.paths
    ]
    with _busy(args, "checking for leaks"):
        hits = check_leaks(paths, key, detectors=_detectors(args))
    if args.out:
        _write_table(hits, args.out)
    data = {
        "leaks": len(hits),
        "files": [str(p) for p in paths],
        "hits": hits,
        "out": args.out,
    }
    if not len(hits):
        return _Result(f"no leaks: nothing from {key} in {len(paths)} path(s)", data)
    by_file = hits.groupby("path").size().to_dict()
    human = "\n".join(
        [
            _table(hits, ["path", "location", "kind", "original", "context"], width=60),
            *([f"wrote {args.out}"] if args.out else []),
        ]
    )
    error = (
        f"{len(hits)} leak(s) found in "
        + ", ".join(f"{Path(str(p)).name} ({n})" for p, n in by_file.items())
        + ": do not share these files; pseudonymise the project again and re-export"
    )
    return _Result(human, data, code=1, error=error)


# -- demo ----------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> _Result:
    from qualcode.demo import run_demo

    result = run_demo(args.out, quiet=args.quiet or args.json)
    return _Result("", result)


# -- parser --------------------------------------------------------------------
_F = argparse.RawDescriptionHelpFormatter


def _common(p: argparse.ArgumentParser, *, top: bool) -> None:
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


def _sub(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str,
    epilog: str,
    func: Callable[[argparse.Namespace], _Result],
) -> argparse.ArgumentParser:
    s = sub.add_parser(
        name,
        help=help,
        description=textwrap.fill(description, 79),
        epilog="examples:\n" + epilog.strip("\n"),
        formatter_class=_F,
    )
    _common(s, top=False)
    s.set_defaults(func=func, _parser=s)
    return s


_PROJECT_HELP = "the project file (.qcproj)"

_MAIN_EPILOG = """\
a workflow:
  qualcode import corpora/demo -p study.qcproj \\
      --attributes corpora/demo/attributes.csv \\
      --codebook codebooks/roles.yaml --codings corpora/demo/codings/coder_AB.csv
  qualcode suggest -p study.qcproj --out suggestions.xlsx   # edit the 'decision' column
  qualcode review suggestions.xlsx -p study.qcproj --coder AB
  qualcode agreement -p study.qcproj --coders AB CD --disagreements todo.xlsx
  qualcode resolve todo.xlsx -p study.qcproj     # after filling 'resolution'
  qualcode treemap corpora/exercises/roles_selections.csv \\
      --codebook codebooks/roles.yaml --out roles.png
  qualcode pseudonymise study.qcproj --key key.csv --out shared.qcproj
  qualcode export -p shared.qcproj --out extracts.docx --out shared.qdpx
  qualcode leaks extracts.docx shared.qdpx --key key.csv
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
    from qualcode import __version__

    p = argparse.ArgumentParser(
        prog="qualcode",
        formatter_class=_F,
        epilog=_MAIN_EPILOG,
        description=textwrap.fill(
            "Reproducible qualitative coding of interview transcripts: import, "
            "codebooks, assisted tagging, inter-coder agreement, treemaps, "
            "pseudonymisation and exports.",
            79,
        ),
    )
    _common(p, top=True)
    p.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # import
    s = _sub(
        sub,
        "import",
        func=cmd_import,
        help="import transcripts (txt/docx/vtt/srt/pdf) or a .qdpx into a project",
        description="Import transcripts, participant attributes, codebooks and "
        "codings into a project file (created if missing). Importing "
        "a transcript again with changed text re-anchors its codings.",
        epilog="""
  qualcode import corpora/demo -p study.qcproj --attributes corpora/demo/attributes.csv
  qualcode import 'interviews/*.docx' -p study.qcproj --speakers '{"I": "interviewer"}'
  qualcode import nvivo_export.qdpx -p study.qcproj
  qualcode import corpora/demo -p study.qcproj --codebook codebooks/roles.yaml \\
      --codings corpora/demo/codings/coder_AB.csv \\
      --codings corpora/demo/codings/coder_CD.csv
""",
    )
    s.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="transcript files, folders, globs, or REFI-QDA .qdpx files (none to add "
        "only codebooks or codings to an existing project)",
    )
    s.add_argument(
        "-p", "--project", required=True, help=_PROJECT_HELP + ", created if missing"
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
        type=_speakers,
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

    # info
    s = _sub(
        sub,
        "info",
        func=cmd_info,
        help="what a project holds",
        description="Show a project's transcripts, coders, codings and codebooks.",
        epilog="  qualcode info -p study.qcproj\n"
        "  qualcode info -p study.qcproj --json",
    )
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)

    # codebook
    s = _sub(
        sub,
        "codebook",
        func=cmd_codebook_validate,
        help="validate, render (.md/.html) or convert (.yaml/.qdc) codebooks",
        description="Work with codebook files (YAML or REFI-QDA .qdc).",
        epilog="""
  qualcode codebook validate codebooks/*.yaml
  qualcode codebook render codebooks/roles.yaml --out roles.html
  qualcode codebook convert codebooks/roles.yaml --out roles.qdc
""",
    )
    cb_sub = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = _sub(
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
    c = _sub(
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
        help="output .md or .html (default: FILE's name with .md, here)",
    )
    c = _sub(
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

    # suggest
    s = _sub(
        sub,
        "suggest",
        func=cmd_suggest,
        help="suggest codes with the codebook's patterns or a learned tagger",
        description="Suggest codes for sentences or turns, with the evidence for "
        "each. Write them to a file, fill its 'decision' column "
        "(accepted/rejected) and apply it with 'qualcode review'.",
        epilog="""
  qualcode suggest -p study.qcproj --out suggestions.xlsx
  qualcode suggest -p study.qcproj --codebook codebooks/harms.yaml --coder AB \\
      --out s.csv
  qualcode suggest -p study.qcproj --learn-from AB --save-tagger study.learned-AB \\
      --out learned.csv
  qualcode suggest -p study.qcproj --learned study.learned-AB --json
""",
    )
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)
    s.add_argument(
        "--codebook",
        action="append",
        metavar="FILE",
        help="codebook(s) whose patterns to use (default: the project's)",
    )
    s.add_argument(
        "--unit",
        choices=["sentence", "turn"],
        default="sentence",
        help="what a suggestion covers (default: sentence)",
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument("--learned", metavar="DIR", help="use a saved learned tagger")
    g.add_argument(
        "--learn-from",
        metavar="CODER",
        help="train a learned tagger on this coder's codings first",
    )
    s.add_argument(
        "--save-tagger",
        metavar="DIR",
        help="with --learn-from: save the trained tagger here",
    )
    s.add_argument(
        "--code",
        action="append",
        help="with --learn-from: learn only this code (repeatable; default: every "
        "code of --codebook, or every code the coder used)",
    )
    s.add_argument(
        "--epochs", type=int, default=10, help="training epochs (default: 10)"
    )
    s.add_argument("--seed", type=int, default=0, help="training seed (default: 0)")
    s.add_argument("--coder", help="do not re-offer what this coder coded or rejected")
    s.add_argument(
        "--interviewer", action="store_true", help="also tag interviewer turns"
    )
    s.add_argument(
        "--min-score",
        type=float,
        default=0.0,
        metavar="X",
        help="drop suggestions scoring below X (0-1)",
    )
    s.add_argument(
        "--out",
        metavar="FILE",
        help="write the suggestions with an empty 'decision' column (.csv/.xlsx/.json)",
    )

    # review
    s = _sub(
        sub,
        "review",
        func=cmd_review,
        help="apply accept/reject decisions from an edited suggestions file",
        description="Apply a coder's decisions: rows marked accepted (also yes/y/"
        "true/1) become codings; rejected ones are logged and not "
        "suggested to that coder again; blank rows are skipped. Running "
        "it twice adds nothing the second time.",
        epilog="  qualcode review suggestions.xlsx -p study.qcproj --coder AB",
    )
    s.add_argument(
        "decisions",
        metavar="FILE",
        help="suggestions CSV/XLSX with a filled 'decision' column",
    )
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)
    s.add_argument("--coder", required=True, help="who decided")
    s.add_argument(
        "--suggestions",
        metavar="FILE",
        help="the original suggestions file, if the decisions file has only "
        "some of its columns",
    )

    # agreement
    s = _sub(
        sub,
        "agreement",
        func=cmd_agreement,
        help="inter-coder agreement per code with bootstrap intervals",
        description="Per-code agreement (percent agreement, Cohen's/Fleiss' kappa, "
        "Scott's pi, Gwet's AC1, Brennan-Prediger, Krippendorff's alpha "
        "and unitized alphas) with a pooled row, on participant turns "
        "of transcripts coded by at least two coders.",
        epilog="""
  qualcode agreement -p study.qcproj --coders AB CD --unit sentence --out agreement.xlsx
  qualcode agreement -p study.qcproj --level root --disagreements to_resolve.xlsx
""",
    )
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)
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

    # resolve
    s = _sub(
        sub,
        "resolve",
        func=cmd_resolve,
        help="consensus codings from a resolved disagreements file",
        description="Create consensus codings from the 'resolution' column of a file "
        "written by 'qualcode agreement --disagreements': the codes to apply to each "
        "unit, comma-separated (blank: no code). Running it again changes nothing.",
        epilog="  qualcode resolve to_resolve.xlsx -p study.qcproj\n"
        "  qualcode resolve to_resolve.csv -p study.qcproj --coder agreed",
    )
    s.add_argument("resolutions", metavar="FILE", help="disagreements CSV/XLSX")
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)
    s.add_argument(
        "--coder", default="consensus", help="the consensus coder (default: consensus)"
    )

    # treemap
    s = _sub(
        sub,
        "treemap",
        func=cmd_treemap,
        help="treemap from selection-exercise responses or from codings",
        description="Draw a nested treemap with its caption numbers computed: from "
        "a selection exercise (one row per respondent and pick), or "
        "from a project's codings.",
        epilog="""
  qualcode treemap corpora/exercises/roles_selections.csv \\
      --codebook codebooks/roles.yaml \\
      --min-respondents 7 --highlight harm_reduction --out roles.png --out roles.svg
  qualcode treemap -p study.qcproj --coder AB --by references --out codes.pdf
""",
    )
    s.add_argument(
        "selections",
        nargs="?",
        metavar="SELECTIONS",
        help="selection responses CSV/XLSX (or use --project)",
    )
    s.add_argument("-p", "--project", help="draw the project's codings instead")
    s.add_argument(
        "--codebook",
        action="append",
        metavar="FILE",
        help="codebook(s) for labels, categories and colours "
        "(default with --project: the project's)",
    )
    s.add_argument("--coder", action="append", help="only these coders' codings")
    s.add_argument(
        "--code",
        action="append",
        help="with --project: only these codes and their children (repeatable)",
    )
    s.add_argument(
        "--by",
        choices=["respondents", "references"],
        default="respondents",
        help="area = distinct respondents/interviews (default) or references",
    )
    s.add_argument(
        "--min-respondents",
        type=int,
        metavar="N",
        help="keep items chosen by (codes applied in) at least N",
    )
    s.add_argument(
        "--level",
        type=int,
        metavar="N",
        help="with --project: draw codes at this depth of the code tree",
    )
    s.add_argument(
        "--highlight",
        metavar="FLAG",
        help="codebook flag whose items to highlight, e.g. harm_reduction",
    )
    s.add_argument(
        "--highlight-item",
        action="append",
        metavar="ITEM",
        help="an item to highlight (repeatable)",
    )
    s.add_argument(
        "--highlight-label",
        metavar="TEXT",
        help="what the highlighted items are called in the caption",
    )
    s.add_argument("--title")
    s.add_argument(
        "--duplicates",
        choices=["error", "drop", "keep"],
        default="error",
        help="a respondent picking an item twice (default: error)",
    )
    s.add_argument(
        "--out",
        action="append",
        required=True,
        metavar="FILE",
        help=".png, .svg or .pdf (repeatable)",
    )

    # export
    s = _sub(
        sub,
        "export",
        func=cmd_export,
        help="quote banks (.xlsx/.csv/.docx/.html/.md) or a REFI-QDA .qdpx",
        description="Export coded extracts as quote banks with attribution, or the "
        "whole project as REFI-QDA .qdpx for NVivo, ATLAS.ti, MAXQDA. "
        "Pseudonymise first if the files leave the team.",
        epilog="""
  qualcode export -p study.qcproj --out extracts.xlsx --out extracts.docx
  qualcode export -p study.qcproj --code protect --coder AB \\
      --where role='police officer' \\
      --out protect_officers.md
  qualcode export -p shared.qcproj --out shared.qdpx
""",
    )
    s.add_argument("-p", "--project", required=True, help=_PROJECT_HELP)
    s.add_argument(
        "--out",
        action="append",
        required=True,
        metavar="FILE",
        help="output file, format by suffix (repeatable)",
    )
    s.add_argument(
        "--code", action="append", help="only these codes and their children"
    )
    s.add_argument("--coder", action="append", help="only these coders' codings")
    s.add_argument(
        "--where",
        action="append",
        type=_key_value,
        metavar="ATTR=VALUE",
        help="only participants with this attribute value (repeatable)",
    )
    s.add_argument(
        "--context",
        type=int,
        default=1,
        metavar="N",
        help="sentences of context either side (default: 1)",
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument(
        "--attribution",
        metavar="TEMPLATE",
        help="attribution template, default '({role} – {rank_band})'",
    )
    g.add_argument("--no-attribution", action="store_true", help="no attribution")
    s.add_argument(
        "--matrices",
        action="store_true",
        help=".xlsx: add code x transcript and co-occurrence sheets",
    )
    s.add_argument("--title", help="document title (default: Quote bank)")
    s.add_argument(
        "--validate",
        action="store_true",
        help=".qdpx: validate against the REFI-QDA schema before writing",
    )

    # pseudonymise
    from qualcode.anonymise import DEFAULT_DETECTORS, DETECTORS

    detectors = sorted(DETECTORS)
    s = _sub(
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
        epilog="""
  qualcode pseudonymise study.qcproj --key pseudonym_key.csv --out shared.qcproj
  qualcode pseudonymise corpora/demo --key corpora/demo/pseudonym_key.csv \\
      --attributes corpora/demo/attributes.csv --out shared_transcripts/
""",
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
    g = s.add_mutually_exclusive_group()
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
    g.add_argument(
        "--no-detectors", action="store_true", help="replace only what is in the key"
    )

    # leaks
    s = _sub(
        sub,
        "leaks",
        func=cmd_leaks,
        help="check exports or projects for originals from the key",
        description="Scan exports (.xlsx, .docx, .html, .csv, .md, .txt, .qdpx), "
        "project files or folders for any original from the key and for "
        "identifiers, and report every hit (context masked). Exits 1 "
        "when anything leaks, so it can gate a release.",
        epilog="""
  qualcode leaks out/extracts.docx out/demo.qdpx --key corpora/demo/pseudonym_key.csv
  qualcode leaks shared/ --key key.csv --out leaks.xlsx
""",
    )
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    s.add_argument(
        "--key", required=True, metavar="FILE", help="the pseudonymisation key"
    )
    s.add_argument("--out", metavar="FILE", help="write the hits (.csv/.xlsx/.json)")
    g = s.add_mutually_exclusive_group()
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
    g.add_argument(
        "--no-detectors",
        action="store_true",
        help="look only for originals from the key",
    )

    # demo
    s = _sub(
        sub,
        "demo",
        func=cmd_demo,
        help="run the whole workflow on the bundled fictional demo corpus",
        description="Import the demo corpus, store it, run the pattern and learned "
        "taggers, load two fictional coders' codings, compute agreement, "
        "draw the treemaps, pseudonymise, export and check for leaks.",
        epilog="  qualcode demo --out out/",
    )
    s.add_argument(
        "--out", default="out", metavar="DIR", help="output folder (default: out/)"
    )
    return p


# -- main ----------------------------------------------------------------------
def _show_warning(
    message: Any,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    text = str(message).strip().replace("\n", " ")
    print(f"qualcode: warning: {text}", file=sys.stderr)


def _command_name(args: argparse.Namespace) -> str:
    action = getattr(args, "action", None)
    return f"{args.command} {action}" if action else str(args.command)


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
    from qualcode.errors import Errors, QualcodeError, QualcodeWarning

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
        try:
            if args.json:  # only the JSON document goes to stdout
                with contextlib.redirect_stdout(sys.stderr):
                    result = args.func(args)
            else:
                result = args.func(args)
        except SystemExit as exc:  # args._parser.error(...) inside a command
            return exc.code if isinstance(exc.code, int) else 2
        except QualcodeError as exc:
            if args.debug:
                raise
            print(f"qualcode {name}: error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            if args.debug:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            what = exc.strerror or _short(exc)
            print(
                f"qualcode {name}: error: {where}{what}. Check the path and its "
                f"permissions.",
                file=sys.stderr,
            )
            return 1
        except KeyboardInterrupt:
            print(f"qualcode {name}: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:
            if args.debug:
                raise
            detail = f"{type(exc).__name__}: {_short(exc)}"
            msg = Errors.QC908.format(kind="error", detail=detail)
            print(f"qualcode {name}: error: {msg}", file=sys.stderr)
            return 1
    try:
        if args.json:
            stdout.write(
                json.dumps(
                    _plain(result.data), indent=2, ensure_ascii=False, allow_nan=False
                )
                + "\n"
            )
        elif result.human and not args.quiet:
            stdout.write(result.human + "\n")
        stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        pass
    if result.error:
        print(f"qualcode {name}: {result.error}", file=sys.stderr)
    return result.code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
