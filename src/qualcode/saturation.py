"""Thematic saturation by base size, run length and new-information threshold.

The method of Guest, Namey & Chen (2020), "A simple method to assess and report
thematic saturation in qualitative research", PLOS ONE 15(5): e0232076
(https://doi.org/10.1371/journal.pone.0232076):

1. Order the interviews (the order they were done, or at random).
2. **Base**: the distinct codes found in the first ``base`` interviews (the paper
   recommends 4). Their number is the denominator of every ratio.
3. **Runs**: windows of ``run`` consecutive interviews after the base (the paper
   recommends 2), each starting one interview after the previous one. A run's
   *new information* is the number of codes first seen in it, divided by the
   number of codes in the base.
4. Saturation is reached at the first run whose new information is at most
   ``threshold`` (5% in the paper; 0% is the strict variant). It is reported as
   "*n*+*r*": *n* interviews were needed, and the run of *r* more added at most
   the threshold.

``bootstrap=N`` repeats the assessment over N random interview orders (the paper
validates its method this way) and reports the median and a 95% interval of the
saturation point.

This module is statistics only: it reads codings (a project or a DataFrame) and
returns a :class:`Saturation`; it writes nothing but the figure you ask for.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from qualcode import _columns as C
from qualcode._files import atomic_path
from qualcode._inputs import as_codebook, as_codings, is_project
from qualcode._validation import (
    check_choice,
    check_known,
    check_number,
    require_columns,
)
from qualcode.errors import Errors, InvalidInputError, UndefinedStatisticWarning

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Saturation", "saturation"]

_DPI = 300
_CITATION = "Guest, Namey & Chen (2020)"


@dataclass(frozen=True)
class Saturation:
    """The result of :func:`saturation`.

    Attributes
    ----------
    table : DataFrame
        One row per interview in the order assessed: ``position`` (1-based),
        ``transcript_id``, ``codes`` (distinct codes in it), ``new_codes`` (codes
        seen for the first time), ``cumulative``, ``in_base``.
    runs : DataFrame
        One row per run: ``run``, ``first``, ``last`` (1-based positions),
        ``new_codes``, ``base_codes``, ``ratio``, ``saturated``.
    saturated_at : int or None
        Interviews needed (the *n* of "*n*+*r*"), or None when no run reached
        the threshold.
    base, run, threshold, level, order, coder : parameters used.
    bootstrap : DataFrame
        With ``bootstrap=N``: one row per random order (``replicate``,
        ``saturated_at``, NaN when not reached); empty otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["i1", "i1", "i2", "i3", "i4", "i5", "i6", "i7"],
    ...         "code": ["a", "b", "c", "a", "d", "e", "a", "b"],
    ...     }
    ... )
    >>> s = saturation(codings, base=2, run=2, threshold=0.0)
    >>> s.saturated_at, s.notation
    (5, '5+2')
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    saturated_at: int | None
    base: int
    run: int
    threshold: float
    level: str
    order: str
    coder: str | None
    bootstrap: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def notation(self) -> str | None:
        """The paper's "*n*+*r*" notation, or None when not saturated.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"transcript_id": list("pqrs"), "code": list("abab")})
        >>> saturation(df, base=2, run=2).notation
        '2+2'
        """
        if self.saturated_at is None:
            return None
        return f"{self.saturated_at}+{self.run}"

    @property
    def interval(self) -> tuple[float, float, float] | None:
        """Median and 95% interval of the saturation point over the bootstrap.

        Orders in which saturation was never reached count as the corpus size
        plus one, so they widen the interval instead of vanishing; None without
        a bootstrap.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame(
        ...     {"transcript_id": list("ppqqrrsstt"), "code": list("abababbbbb")}
        ... )
        >>> saturation(df, base=2, run=2, bootstrap=50).interval
        (2.0, 2.0, 3.0)
        """
        if self.bootstrap.empty:
            return None
        n = len(self.table)
        pts = self.bootstrap["saturated_at"].fillna(n + 1).to_numpy(float)
        # order statistics (no interpolation): a saturation point is a whole interview
        lo, med, hi = np.percentile(pts, [2.5, 50, 97.5], method="inverted_cdf")
        return float(med), float(lo), float(hi)

    @property
    def summary(self) -> str:
        """One paragraph for a methods section, with the parameters.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"transcript_id": list("pqrs"), "code": list("abab")})
        >>> print(saturation(df, base=2, run=2).summary)  # doctest: +ELLIPSIS
        Thematic saturation was assessed with the method of Guest, Namey & Chen...
        """
        n = len(self.table)
        base_codes = int(self.table.loc[self.table["in_base"], "new_codes"].sum())
        total = int(self.table["cumulative"].iloc[-1]) if n else 0
        what = "root themes" if self.level == "root" else "codes"
        who = f" of coder {self.coder}" if self.coder else ""
        order = (
            "in the order the interviews were conducted"
            if self.order == "interview"
            else "in a random order"
        )
        head = (
            f"Thematic saturation was assessed with the method of {_CITATION} on "
            f"the {what}{who} in {n} interviews, {order} (base size {self.base} "
            f"interviews, run length {self.run}, new-information threshold "
            f"{self.threshold:.0%}). The base held {base_codes} distinct {what}; "
            f"{total} were found in all."
        )
        if self.saturated_at is None:
            body = (
                f" No run of {self.run} interviews added {self.threshold:.0%} or "
                "less new information, so saturation was not reached."
            )
        else:
            first = self.runs.loc[self.runs["saturated"]].iloc[0]
            body = (
                f" Saturation was reached at {self.notation} interviews: the run of "
                f"interviews {int(first['first'])}-{int(first['last'])} added "
                f"{_n(int(first['new_codes']), what)} ({first['ratio']:.1%} of the "
                "base)."
            )
        tail = ""
        if self.interval is not None:
            med, lo, hi = self.interval
            reached = int(self.bootstrap["saturated_at"].notna().sum())
            tail = (
                f" Over {len(self.bootstrap)} random interview orders, saturation was "
                f"reached in {reached}; the median saturation point was {med:g} "
                f"interviews (95% interval {lo:g}-{hi:g}; orders never saturated "
                f"count as {n + 1})."
            )
        return head + body + tail

    @property
    def figure(self) -> Figure:
        """Cumulative and new codes per interview, base and first saturated run marked.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"transcript_id": list("pqrs"), "code": list("abab")})
        >>> fig = saturation(df, base=2, run=2).figure
        >>> int(fig.dpi)
        300
        """
        return _figure(self)

    def __repr__(self) -> str:
        reached = f"saturated at {self.notation}" if self.notation else "not saturated"
        return (
            f"<Saturation {reached}: {len(self.table)} interviews, base {self.base}, "
            f"run {self.run}, threshold {self.threshold:g}, level {self.level!r}, "
            f"coder {self.coder!r}>"
        )

    def _repr_png_(self) -> bytes:
        """The figure, for notebooks: a cell ending in the result shows it."""
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write :attr:`figure` by suffix (``.png`` at 300 dpi, ``.svg``, ``.pdf``).

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> df = pd.DataFrame({"transcript_id": list("pqrs"), "code": list("abab")})
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "saturation.png"
        >>> saturation(df, base=2, run=2).save(out).exists()
        True
        """
        path = Path(path)
        check_choice(
            path.suffix.lower(),
            [".png", ".svg", ".pdf"],
            param="path suffix",
            caller="Saturation.save",
        )
        fig = self.figure
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=_DPI, format=path.suffix.lower()[1:])
        return path


def saturation(
    project_or_codings: Any,
    *,
    coder: str | None = None,
    order: Literal["interview", "random"] | Sequence[str] = "interview",
    base: int = 4,
    run: int = 2,
    threshold: float = 0.05,
    level: Literal["code", "root"] = "code",
    bootstrap: int = 0,
    seed: int = 0,
    codebook: Any = None,
    transcripts: Sequence[str] | None = None,
) -> Saturation:
    """Assess thematic saturation (Guest, Namey & Chen 2020).

    Parameters
    ----------
    project_or_codings : Project or DataFrame
        A project (its codings, and all its transcripts, coded or not) or a
        codings frame with ``transcript_id`` and ``code`` (and ``coder``).
    coder : str, optional
        Whose codings to assess. Required when the codings have several coders.
    order : {"interview", "random"} or list of transcript ids
        ``"interview"``: the project's order of transcripts (the order they were
        added; only transcripts with speaker turns count as interviews, so a
        coded document is left out with a warning) or, for a frame,
        ``transcripts=`` or first appearance.
        ``"random"``: one random order drawn with ``seed``. A list gives the order
        explicitly (every transcript once).
    base : int, default 4
        Interviews in the base.
    run : int, default 2
        Interviews per run; runs start one interview apart.
    threshold : float, default 0.05
        Largest share of new information (relative to the base's codes) that
        still counts as saturated.
    level : {"code", "root"}
        Count codes, or the root themes they belong to (needs a codebook: the
        project's, or ``codebook=``).
    bootstrap : int, default 0
        Number of random orders over which to repeat the assessment.
    seed : int, default 0
        Seed for ``order="random"`` and the bootstrap.
    codebook : Codebook or path, optional
        For ``level="root"`` when the codings are a frame.
    transcripts : list of str, optional
        Every interview of a frame's corpus, in order, including those without
        codings (they add no codes but count as interviews).

    Returns
    -------
    Saturation
        ``.table``, ``.runs``, ``.saturated_at``, ``.notation``, ``.summary``,
        ``.figure``, ``.interval`` (with a bootstrap).

    Raises
    ------
    InvalidInputError
        No codings, an unknown coder, several coders and none chosen, or a base
        plus one run longer than the corpus.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame(
    ...     {
    ...         "transcript_id": ["i1", "i1", "i2", "i3", "i3", "i4", "i5", "i6"],
    ...         "code": ["a", "b", "c", "a", "d", "b", "a", "c"],
    ...         "coder": "AB",
    ...     }
    ... )
    >>> s = saturation(codings, base=3, run=2)
    >>> s.notation
    '3+2'
    >>> run1 = s.runs.iloc[0]
    >>> int(run1["first"]), int(run1["last"]), int(run1["new_codes"])
    (4, 5, 0)
    """
    caller = "saturation"
    check_number(base, param="base", caller=caller, integer=True, low=1)
    check_number(run, param="run", caller=caller, integer=True, low=1)
    check_number(threshold, param="threshold", caller=caller, low=0, high=1)
    check_number(bootstrap, param="bootstrap", caller=caller, integer=True, low=0)
    check_number(seed, param="seed", caller=caller, integer=True, low=0)
    check_choice(level, ["code", "root"], param="level", caller=caller)
    if isinstance(order, str):
        check_choice(order, ["interview", "random"], param="order", caller=caller)

    codings = as_codings(project_or_codings, caller=caller, param="project_or_codings")
    require_columns(codings, ["transcript_id", "code"], caller=caller)
    if codings.empty:
        raise InvalidInputError(Errors.QC640.format(detail="there are no codings"))
    codings, coder = _one_coder(codings, coder)
    ids, codings = _interviews(project_or_codings, codings, transcripts)
    if level == "root":
        book = as_codebook(
            codebook if codebook is not None else _project_codebook(project_or_codings),
            caller=caller,
        )
        assert book is not None
        known = {c.id for c in book}
        codes = codings["code"].astype(str)
        check_known(
            sorted(set(codes) - known)[:1],
            known,
            what="code",
            caller=caller,
            where=" in the codebook (level='root' maps codes to root themes)",
        )
        codings = codings.assign(code=[book.root_of(c).id for c in codes])

    rng = np.random.default_rng(seed)
    if isinstance(order, str):
        label = order
        if order == "random":
            ids = [ids[i] for i in rng.permutation(len(ids))]
    else:
        label = "given"
        ids = _explicit_order(order, ids)
    n = len(ids)
    if base + run > n:
        raise InvalidInputError(
            Errors.QC641.format(base=base, run=run, need=base + run, n=n)
        )
    sets = _code_sets(codings, ids)
    table = _table(ids, sets, base)
    runs = _runs(table["new_codes"].to_numpy(), base, run, threshold)
    if int(table["new_codes"].iloc[:base].sum()) == 0:
        raise InvalidInputError(
            Errors.QC640.format(
                detail=f"the first {base} interviews (the base) hold no codings"
            )
        )
    sat = _saturated_at(runs)
    boot = pd.DataFrame(
        {
            "replicate": pd.Series(dtype="int64"),
            "saturated_at": pd.Series(dtype="float64"),
        }
    )
    if bootstrap:
        points = []
        for _ in range(bootstrap):
            perm = rng.permutation(n)
            new = _new_counts([sets[i] for i in perm])
            if new[:base].sum() == 0:
                points.append(np.nan)
                continue
            r = _runs(new, base, run, threshold)
            at = _saturated_at(r)
            points.append(np.nan if at is None else float(at))
        boot = pd.DataFrame(
            {"replicate": np.arange(1, bootstrap + 1), "saturated_at": points}
        )
    return Saturation(
        table=table,
        runs=runs,
        saturated_at=sat,
        base=base,
        run=run,
        threshold=float(threshold),
        level=level,
        order=label,
        coder=coder,
        bootstrap=boot,
    )


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _n(k: int, what: str) -> str:
    """``"1 new code"``, ``"2 new codes"``, ``"1 new root theme"``."""
    return f"{k} new {what if k != 1 else what[:-1]}"


def _one_coder(
    codings: pd.DataFrame, coder: str | None
) -> tuple[pd.DataFrame, str | None]:
    coders = (
        sorted(codings["coder"].dropna().astype(str).unique())
        if "coder" in codings.columns
        else []
    )
    if coder is None:
        if len(coders) > 1:
            raise InvalidInputError(Errors.QC642.format(n=len(coders), coders=coders))
        return codings, (coders[0] if coders else None)
    check_known(
        coder,
        coders,
        what="coder",
        caller="saturation",
        where=" among the codings' coders",
    )
    return codings[codings["coder"].astype(str) == coder], coder


def _project_codebook(obj: Any) -> Any:
    book = getattr(obj, "codebook", None) if is_project(obj) else None
    if book is None:
        raise InvalidInputError(
            Errors.QC640.format(
                detail="level='root' needs a codebook: pass codebook= or set one on "
                "the project"
            )
        )
    return book


def _interviews(
    source: Any, codings: pd.DataFrame, transcripts: Sequence[str] | None
) -> tuple[list[str], pd.DataFrame]:
    """The interviews in order, and the codings on them.

    For a project, an interview is a transcript with at least one speaker turn:
    documents (a strategy PDF, say) are not interviews, and their codings are
    left out with a warning naming them.
    """
    if transcripts is not None:
        ids = [str(t) for t in transcripts]
    elif is_project(source):
        turns = source.turns
        spoken = set(turns.loc[turns["speaker"].notna(), "transcript_id"].astype(str))
        every = list(source.transcript_ids())
        ids = [t for t in every if t in spoken]
        documents = [t for t in every if t not in spoken]
        coded = set(codings["transcript_id"].astype(str))
        skipped = [t for t in documents if t in coded]
        if skipped:
            warnings.warn(
                Errors.QC643.format(n=len(skipped), ids=skipped[:5]),
                UndefinedStatisticWarning,
                stacklevel=3,
            )
            codings = codings[~codings["transcript_id"].astype(str).isin(documents)]
    else:
        ids = list(dict.fromkeys(codings["transcript_id"].astype(str)))
    missing = sorted(set(codings["transcript_id"].astype(str)) - set(ids))
    if missing:
        check_known(
            missing[:1],
            ids,
            what="transcript",
            caller="saturation",
            where=" in transcripts=",
        )
    if len(set(ids)) != len(ids):
        raise InvalidInputError(
            Errors.QC640.format(detail="transcripts= names a transcript twice")
        )
    return ids, codings


def _explicit_order(order: Sequence[str], ids: list[str]) -> list[str]:
    given = [str(t) for t in order]
    if sorted(given) != sorted(ids):
        extra = sorted(set(given) - set(ids))
        lacking = sorted(set(ids) - set(given))
        raise InvalidInputError(
            Errors.QC640.format(
                detail="order= must list every interview once; "
                f"{len(extra)} unknown, {len(lacking)} missing"
                + (f" (e.g. {lacking[0]!r} is missing)" if lacking else "")
                + (f" (e.g. {extra[0]!r} is unknown)" if extra else "")
            )
        )
    return given


def _code_sets(codings: pd.DataFrame, ids: list[str]) -> list[frozenset[str]]:
    by = codings.groupby(codings["transcript_id"].astype(str))["code"]
    found = {tid: frozenset(map(str, codes)) for tid, codes in by}
    return [found.get(t, frozenset()) for t in ids]


def _new_counts(sets: Sequence[frozenset[str]]) -> np.ndarray:
    seen: set[str] = set()
    out = np.zeros(len(sets), dtype=np.int64)
    for i, s in enumerate(sets):
        new = s - seen
        out[i] = len(new)
        seen |= new
    return out


def _table(ids: list[str], sets: list[frozenset[str]], base: int) -> pd.DataFrame:
    new = _new_counts(sets)
    rows = {
        "position": np.arange(1, len(ids) + 1),
        "transcript_id": ids,
        "codes": [len(s) for s in sets],
        "new_codes": new,
        "cumulative": np.cumsum(new),
        "in_base": np.arange(len(ids)) < base,
    }
    return C.frame(pd.DataFrame(rows), C.SATURATION)


def _runs(new: np.ndarray, base: int, run: int, threshold: float) -> pd.DataFrame:
    base_codes = int(new[:base].sum())
    firsts = np.arange(base, len(new) - run + 1)  # 0-based first interview of a run
    sums = np.array([int(new[f : f + run].sum()) for f in firsts], dtype=np.int64)
    ratio = sums / base_codes if base_codes else np.full(len(sums), np.nan)
    rows = {
        "run": np.arange(1, len(firsts) + 1),
        "first": firsts + 1,
        "last": firsts + run,
        "new_codes": sums,
        "base_codes": np.full(len(firsts), base_codes),
        "ratio": ratio,
        # a tiny tolerance so 1/20 counts as <= 5% despite binary floats
        "saturated": ratio <= threshold + 1e-12,
    }
    return C.frame(pd.DataFrame(rows), C.SATURATION_RUNS)


def _saturated_at(runs: pd.DataFrame) -> int | None:
    hit = runs.index[runs["saturated"]]
    if len(hit) == 0:
        return None
    return int(runs.loc[hit[0], "first"]) - 1


def _figure(s: Saturation) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    t = s.table
    fig = Figure(figsize=(7.0, 4.0), dpi=_DPI)
    ax = fig.add_subplot()
    x = t["position"].to_numpy()
    ax.axvspan(0.5, s.base + 0.5, color="#e8e8e8", zorder=0, label=f"base ({s.base})")
    ax.bar(x, t["new_codes"], color="#7570b3", width=0.7, label="new codes", zorder=2)
    ax.plot(
        x,
        t["cumulative"],
        color="#1b9e77",
        marker="o",
        lw=2,
        ms=4,
        label="cumulative codes",
        zorder=3,
    )
    if s.saturated_at is not None:
        first = s.runs.loc[s.runs["saturated"]].iloc[0]
        ax.axvspan(
            first["first"] - 0.5,
            first["last"] + 0.5,
            color="#d95f02",
            alpha=0.18,
            zorder=1,
            label=f"first saturated run ({first['ratio']:.1%} new)",
        )
        ax.axvline(s.saturated_at + 0.5, color="#d95f02", lw=1.5, ls="--", zorder=4)
        ax.annotate(
            f"saturation {s.notation}",
            (s.saturated_at + 0.5, 0.62),
            xycoords=("data", "axes fraction"),
            xytext=(4, -12),
            textcoords="offset points",
            color="#d95f02",
            fontsize=9,
        )
    what = "root themes" if s.level == "root" else "codes"
    ax.set_xlabel("interview (in the order assessed)")
    ax.set_ylabel(what)
    ax.set_xlim(0.5, len(t) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="center right")
    title = (
        f"Thematic saturation: base {s.base}, run {s.run}, threshold {s.threshold:.0%}"
    )
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig
