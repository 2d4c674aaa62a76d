"""The learned tagger: spaCy ``textcat_multilabel`` on a coder's codings.

Exposed as :class:`qualcode.LearnedTagger`. spaCy is imported only when a
method needs it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._columns import EVALUATION, SUGGESTIONS, frame
from qualcode._files import atomic_path
from qualcode._inputs import as_codebook, as_transcripts, is_project
from qualcode._nlp import UNITS, iter_units, load_nlp, role_set
from qualcode._validation import (
    check_choice,
    check_known,
    check_number,
    listed,
    require_columns,
)
from qualcode.errors import Errors, QualcodeWarning, TaggingError
from qualcode.tagging._exclude import Excluder
from qualcode.tagging._training import (
    best_threshold,
    fold_ids,
    model_config,
    prf,
    progress_bar,
    replace_dir,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

ARCHITECTURES = ("bow", "cnn")
#: What a tagger learns: the codes as coded ("leaf") or their root themes ("root").
LEVELS = ("leaf", "root")
FORMAT = "qualcode-learned-tagger"
FORMAT_VERSION = 1
REPORT_EXTRA = ("threshold", "status")


class LearnedTagger:
    """Suggest codes with a text classifier trained on a coder's own codings.

    A spaCy ``textcat_multilabel`` (bag-of-words ``spacy.TextCatBOW.v3`` or a small
    CNN; CPU only, no pretrained vectors) learns, per unit (sentence or turn), which
    codes the coder applied. :meth:`fit` chooses a threshold per code by k-fold
    cross-validation and reports the cross-validated precision, recall and F1 per
    code in :attr:`report`, so a team sees which codes the model can help with.

    Parameters
    ----------
    codes : list of str or Codebook, optional
        Codes to learn (default: every code the coder used).
    nlp : Language or str, optional
        Pipeline that builds the units (default: the offline default).
    architecture : {"bow", "cnn"}
    unit : {"sentence", "turn"}
    level : {"leaf", "root"}
        ``"leaf"`` (default) learns the codes as the coder applied them;
        ``"root"`` learns their root themes (each coding counts for the root of its
        code, from the codebook: ``codes`` when it is a Codebook, ``codebook=`` in
        :meth:`fit`, or the project's). Ten interviews give most leaf codes too few
        examples; themes have many more.
    epochs : int
    seed : int
        Training is deterministic for a given seed.
    min_positives : int
        Codes with fewer positive units are skipped (and listed in the report).
    min_f1 : float
        Codes whose cross-validated F1 is below this are trained and reported but
        not suggested (the report's ``status`` says so), so the tagger only offers
        the codes it has shown it can help with.
    explain : bool
        Evidence lists the unit's words whose removal lowers the probability most
        (occlusion, computed by re-scoring the unit without each word), after
        ``model p=0.83``. False gives the probability only (faster).
    name : str
    batch_size : int
        Largest training batch (batches grow from 4 to this).
    dropout : float
    learn_rate : float, optional
        Adam's learning rate (default 0.01 for "bow", 0.001 for "cnn").

    Examples
    --------
    >>> import pandas as pd
    >>> from qualcode.model import Transcript, TurnDraft
    >>> texts = ["We made an arrest on a warrant.", "The overdose needed naloxone."] * 8
    >>> t = Transcript.build("t1", [TurnDraft(x, "P", "participant") for x in texts])
    >>> codings = pd.DataFrame(
    ...     [
    ...         {
    ...             "transcript_id": "t1",
    ...             "start": u.start,
    ...             "end": u.end,
    ...             "code": "pursue" if "arrest" in u.text else "harm",
    ...         }
    ...         for u in t.turns
    ...     ]
    ... )
    >>> tagger = LearnedTagger(epochs=5, seed=0)
    >>> tagger = tagger.fit(codings, coder="AB", transcripts=[t], folds=2)
    >>> tagger.report.set_index("code").loc[["harm", "pursue"], "f1"].tolist()
    [1.0, 1.0]
    >>> new = Transcript.build("t2", [TurnDraft("Another arrest warrant.", "P")])
    >>> tagger.suggest([new])[["code", "text"]].values.tolist()
    [['pursue', 'Another arrest warrant.']]
    """

    def __init__(
        self,
        codes: Any = None,
        *,
        nlp: Any = None,
        architecture: str = "bow",
        unit: str = "sentence",
        level: str = "leaf",
        epochs: int = 10,
        seed: int = 0,
        min_positives: int = 5,
        min_f1: float = 0.3,
        explain: bool = True,
        name: str = "learned",
        batch_size: int = 32,
        dropout: float = 0.1,
        learn_rate: float | None = None,
    ) -> None:
        check_choice(
            architecture, ARCHITECTURES, param="architecture", caller="LearnedTagger"
        )
        check_choice(unit, UNITS, param="unit", caller="LearnedTagger")
        check_choice(level, LEVELS, param="level", caller="LearnedTagger")
        self.level = level
        self._codebook: Any = codes if hasattr(codes, "root_of") else None
        self._root_ids: set[str] = set()
        if (
            codes is not None
            and not isinstance(codes, (list, tuple, set))
            and hasattr(codes, "__iter__")
        ):
            codes = [c.id if hasattr(c, "id") else str(c) for c in codes]
        self.codes: list[str] | None = (
            None if codes is None else [str(c) for c in codes]
        )
        self.nlp = nlp
        self.architecture = architecture
        self.unit = unit
        self.epochs = int(epochs)
        self.seed = int(seed)
        self.min_positives = int(min_positives)
        self.min_f1 = float(min_f1)
        self.active: list[str] = []
        self.explain = bool(explain)
        self.name = str(name)
        self.batch_size = int(batch_size)
        self.dropout = float(dropout)
        # a sparse linear (bag-of-words) model learns well with a larger step
        self.learn_rate = (
            float(learn_rate)
            if learn_rate is not None
            else (0.01 if architecture == "bow" else 0.001)
        )
        self.model: Any = None
        self.thresholds: dict[str, float] = {}
        self.report: pd.DataFrame | None = None
        self.meta: dict[str, Any] = {}

    def __repr__(self) -> str:
        state = (
            f"codes={list(self.thresholds)}" if self.model is not None else "not fitted"
        )
        arch, unit = self.architecture, self.unit
        return f"LearnedTagger(architecture={arch!r}, unit={unit!r}, {state})"

    @property
    def trained(self) -> list[str]:
        """Codes a model was trained for (the report's rows with a threshold).

        Some may not be suggested: :attr:`active` holds those that reached
        ``min_f1``; :attr:`skipped` those with too few examples to train.
        """
        return list(self.thresholds)

    @property
    def skipped(self) -> list[str]:
        """Codes left out for having fewer than ``min_positives`` positive units."""
        if self.report is None:
            return []
        rep = self.report
        mask = rep["status"].astype(str).str.startswith("skipped")
        return [str(c) for c in rep.loc[mask, "code"]]

    @property
    def version(self) -> str:
        """``name:architecture:digest`` (of codes, thresholds, data and settings)."""
        return f"{self.name}:{self.architecture}:{self.meta.get('digest', 'unfitted')}"

    def _units_nlp(self) -> Any:
        return load_nlp(lemmatize=False) if self.nlp is None else load_nlp(self.nlp)

    # -- data -----------------------------------------------------------------
    def _unit_texts(
        self,
        transcripts: Iterable[Any],
        unit: str,
        roles: tuple[str | None, ...],
    ) -> Iterator[tuple[str, int, int, int, str]]:
        """``(transcript_id, turn, start, end, text)`` per unit, by transcript."""
        nlp = self._units_nlp()
        for tr in transcripts:
            for u in iter_units([tr], unit, roles=roles, nlp=nlp):
                yield (
                    tr.id,
                    u["turn"],
                    u["start"],
                    u["end"],
                    tr.text[u["start"] : u["end"]],
                )

    def _training_data(
        self,
        project_or_codings: Any,
        coder: str,
        transcripts: Any,
        roles: tuple[str | None, ...],
        codebook: Any = None,
    ) -> list[tuple[str, int, int, int, str, set[str]]]:
        import pandas as pd

        if is_project(project_or_codings):
            codings = project_or_codings.codings(coder=coder)
            source = project_or_codings if transcripts is None else transcripts
        else:
            codings = project_or_codings
            require_columns(
                codings,
                ["transcript_id", "start", "end", "code"],
                caller="LearnedTagger.fit",
                param="codings",
            )
            if "coder" in codings.columns:
                codings = codings[codings["coder"].astype("string") == coder]
            if transcripts is None:
                raise TaggingError(
                    Errors.QC509.format(
                        caller="LearnedTagger.fit",
                        detail="a codings frame needs transcripts= (a Corpus, "
                        "Transcripts "
                        "or Project holding the coded texts).",
                    )
                )
            source = transcripts
        codings = pd.DataFrame(codings)
        if self.level == "root":
            if codebook is None and is_project(project_or_codings):
                codebook = getattr(project_or_codings, "codebook", None)
            codings = self._to_roots(codings, codebook)
        if self.codes is not None:
            codings = codings[codings["code"].astype(str).isin(self.codes)]
        coded_ids = list(dict.fromkeys(codings["transcript_id"].astype(str)))
        if not coded_ids:
            raise TaggingError(
                Errors.QC506.format(
                    min_positives=self.min_positives,
                    unit=self.unit,
                    coder=coder,
                    detail="the coder has no codings here",
                )
            )
        if is_project(source) and hasattr(source, "iter_transcripts"):
            trs: Iterable[Any] = source.iter_transcripts(coded_ids)
        else:
            trs, _ = as_transcripts(
                source, caller="LearnedTagger.fit", what="transcripts"
            )
            wanted = set(coded_ids)
            trs = (t for t in trs if t.id in wanted)
        iv: dict[str, list[tuple[int, int, str]]] = {}
        for t, s, e, c in zip(
            codings["transcript_id"].astype(str),
            codings["start"],
            codings["end"],
            codings["code"].astype(str),
            strict=True,
        ):
            iv.setdefault(t, []).append((int(s), int(e), c))
        rows = []
        for tid, turn, s, e, text in self._unit_texts(trs, self.unit, roles):
            labels = {c for cs, ce, c in iv.get(tid, ()) if cs < e and s < ce}
            rows.append((tid, turn, s, e, text, labels))
        return rows

    def _to_roots(self, codings: pd.DataFrame, codebook: Any) -> pd.DataFrame:
        """Codings with each code replaced by its root theme (``level="root"``)."""
        book = as_codebook(
            codebook if codebook is not None else self._codebook,
            caller="LearnedTagger.fit",
            allow_none=True,
        )
        if book is None:
            raise TaggingError(
                Errors.QC514.format(
                    detail="level='root' needs the codebook to find each code's "
                    "root theme; pass codes=<Codebook>, fit(..., codebook=...) or "
                    "a project that has one"
                )
            )
        known = set(book.ids)
        codes = codings["code"].astype(str)
        used = [c for c in dict.fromkeys(codes) if c in known]
        other = sorted(set(codes) - known)
        if other and not used:  # nothing of this codebook: most likely a mix-up
            check_known(other, known, what="code", caller="LearnedTagger.fit")
        if other:
            left = codes.isin(other)
            warnings.warn(
                Errors.QC514.format(
                    detail=f"{int(left.sum())} coding(s) of {len(other)} code(s) "
                    f"not in codebook {getattr(book, 'name', '') or '(unnamed)'!r} "
                    f"were left out: {listed(other, 5, quote=True)}. Pass the "
                    "codebook that defines them (e.g. the project's combined "
                    "codebook) to learn their themes"
                ),
                QualcodeWarning,
                stacklevel=4,
            )
            codings = codings[~left]
        roots = {c: book.root_of(c).id for c in used}
        self._root_ids = {c.id for c in book.roots()}
        out = codings.copy()
        out["code"] = out["code"].astype(str).map(roots)
        return out

    # -- training -------------------------------------------------------------
    def _train(
        self,
        texts: Sequence[str],
        labels: Sequence[set[str]],
        codes: Sequence[str],
        bar: Any = None,
    ) -> Any:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch
        from thinc.api import compounding

        fix_random_seed(self.seed)
        nlp = spacy.blank(self._units_nlp().lang)
        textcat: Any = nlp.add_pipe(
            "textcat_multilabel", config={"model": model_config(self.architecture)}
        )
        for c in codes:
            textcat.add_label(c)
        examples = [
            Example.from_dict(
                nlp.make_doc(t), {"cats": {c: float(c in ls) for c in codes}}
            )
            for t, ls in zip(texts, labels, strict=True)
        ]
        optimizer = nlp.initialize(lambda: examples)
        optimizer.learn_rate = self.learn_rate
        rng = random.Random(self.seed)
        order = list(range(len(examples)))
        # batch sizes grow from 4 to batch_size (spaCy's compounding schedule), so small
        # training sets still get enough updates and large ones train fast
        sizes = compounding(4.0, float(max(self.batch_size, 4)), 1.01)
        for _ in range(self.epochs):
            rng.shuffle(order)
            for batch in minibatch([examples[i] for i in order], size=sizes):
                nlp.update(batch, sgd=optimizer, drop=self.dropout)
            if bar is not None:
                bar.update(1)
        return nlp

    @staticmethod
    def _predict(
        model: Any, texts: Sequence[str], codes: Sequence[str], batch_size: int = 256
    ) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), len(codes)), dtype=float)
        for i, doc in enumerate(model.pipe(texts, batch_size=batch_size)):
            cats = doc.cats
            out[i] = [cats.get(c, 0.0) for c in codes]
        return out

    def fit(
        self,
        project_or_codings: Any,
        *,
        coder: str,
        transcripts: Any = None,
        folds: int = 5,
        roles: Iterable[str | None] | None = None,
        include_interviewer: bool = False,
        codebook: Any = None,
        progress: bool = True,
    ) -> LearnedTagger:
        """Train on ``coder``'s codings; cross-validate; refit on all data.

        Parameters
        ----------
        project_or_codings : Project or DataFrame
            A project (its codings by ``coder`` and their transcripts), or a codings
            frame (then ``transcripts=`` gives the texts).
        coder : str
        transcripts : Corpus, iterable of Transcript or Project, optional
        folds : int
            k of the k-fold cross-validation (folds group units by transcript when
            there are at least k coded transcripts, otherwise units are split at
            random).
        roles, include_interviewer
            Which turns give units (default: participant and unknown-role turns).
        codebook : Codebook or path, optional
            For ``level="root"``: the codebook that gives each code's root theme
            (default: ``codes`` when it is a Codebook, else the project's).
        progress : bool, default True
            Show a tqdm progress bar over the training epochs (a widget in a
            notebook, text in a terminal): ``(folds + 1) * epochs`` steps.

        Returns
        -------
        LearnedTagger
            ``self``, with :attr:`report`, :attr:`thresholds` and :attr:`model`.

        Notes
        -----
        Units of the transcripts the coder coded are examples; a unit is positive for
        code ``c`` if a coding with ``c`` overlaps it. Out-of-fold probabilities give
        each code's threshold (max F1). The reported precision/recall/F1 apply to each
        fold the threshold chosen on the *other* folds' out-of-fold predictions, so the
        threshold is never tuned on the units it is scored on.
        """
        import numpy as np
        import pandas as pd

        check_number(
            folds, param="folds", caller="LearnedTagger.fit", integer=True, low=2
        )
        coder = str(coder)
        roles_ = role_set(roles, include_interviewer)
        rows = self._training_data(
            project_or_codings, coder, transcripts, roles_, codebook=codebook
        )
        counts: dict[str, int] = {}
        for *_, ls in rows:
            for c in ls:
                counts[c] = counts.get(c, 0) + 1
        candidates = self.codes if self.codes is not None else sorted(counts)
        if self.level == "root":  # a codebook as codes= lists leaves too
            candidates = [c for c in candidates if c in self._root_ids]
        codes = [c for c in candidates if counts.get(c, 0) >= self.min_positives]
        skipped = [c for c in candidates if counts.get(c, 0) < self.min_positives]
        if not codes:
            raise TaggingError(
                Errors.QC506.format(
                    min_positives=self.min_positives,
                    unit=self.unit,
                    coder=coder,
                    detail=", ".join(
                        f"{c}: {counts.get(c, 0)}" for c in candidates[:10]
                    )
                    or "no codes",
                )
            )
        n = len(rows)
        if n < folds:
            raise TaggingError(
                Errors.QC509.format(
                    caller="LearnedTagger.fit",
                    detail=f"{n} units are fewer than folds={folds}.",
                )
            )
        texts = [r[4] for r in rows]
        labels = [r[5] & set(codes) for r in rows]
        y = np.array([[c in ls for c in codes] for ls in labels], dtype=int)
        fold_of = fold_ids([r[0] for r in rows], folds, self.seed)
        oof = np.zeros((n, len(codes)))
        used = [f for f in range(folds) if (fold_of == f).any()]
        bar = progress_bar(
            (len(used) + 1) * self.epochs, "LearnedTagger.fit", bool(progress)
        )
        try:
            for f in used:
                bar.set_postfix_str(f"fold {f + 1}/{folds}")
                train = [i for i in range(n) if fold_of[i] != f]
                test = [i for i in range(n) if fold_of[i] == f]
                model = self._train(
                    [texts[i] for i in train], [labels[i] for i in train], codes, bar
                )
                oof[test] = self._predict(model, [texts[i] for i in test], codes)
            report_rows, thresholds = self._report_rows(
                codes, skipped, counts, y, oof, fold_of, folds
            )
            bar.set_postfix_str("final model")
            self.model = self._train(texts, labels, codes, bar)
        finally:
            bar.close()
        self.thresholds = thresholds
        self.active = [
            r["code"] for r in report_rows[: len(codes)] if r["status"] == "trained"
        ]
        self.report = frame(pd.DataFrame(report_rows), EVALUATION, extra=REPORT_EXTRA)
        self.meta = {
            "coder": coder,
            "n_units": n,
            "folds": folds,
            "digest": self._digest(codes, thresholds, texts, labels),
            "roles": list(roles_),
        }
        return self

    def _report_rows(
        self,
        codes: list[str],
        skipped: list[str],
        counts: dict[str, int],
        y: np.ndarray,
        oof: np.ndarray,
        fold_of: np.ndarray,
        folds: int,
    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        """The report's rows (codes, skipped codes, micro, macro) and thresholds.

        Each code's threshold maximises F1 on all out-of-fold probabilities; the
        reported figures apply to each fold the threshold chosen on the others.
        """
        import numpy as np

        n = len(y)
        report_rows: list[dict[str, Any]] = []
        thresholds: dict[str, float] = {}
        for j, c in enumerate(codes):
            thresholds[c], _ = best_threshold(y[:, j].tolist(), oof[:, j].tolist())
            pred = np.zeros(n, dtype=bool)
            for f in range(folds):
                inside = fold_of == f
                if not inside.any():
                    continue
                t, _ = best_threshold(y[~inside, j].tolist(), oof[~inside, j].tolist())
                pred[inside] = oof[inside, j] >= t
            tp = int((pred & (y[:, j] == 1)).sum())
            fp = int((pred & (y[:, j] == 0)).sum())
            fn = int((~pred & (y[:, j] == 1)).sum())
            p, r, f1 = prf(tp, fp, fn)
            report_rows.append(
                {
                    "code": c,
                    "precision": p,
                    "recall": r,
                    "f1": f1,
                    "support": tp + fn,
                    "n_suggested": tp + fp,
                    "tp": tp,
                    "fp": fp,
                    "fn": fn,
                    "threshold": thresholds[c],
                    "status": "trained"
                    if f1 >= self.min_f1
                    else "trained; not suggested: CV F1 "
                    + ("undefined" if math.isnan(f1) else f"{f1:.2f}")
                    + f" < min_f1 {self.min_f1:.2f}",
                }
            )
        nan = float("nan")
        for c in skipped:
            report_rows.append(
                {
                    "code": c,
                    "precision": nan,
                    "recall": nan,
                    "f1": nan,
                    "support": counts.get(c, 0),
                    "n_suggested": 0,
                    "tp": 0,
                    "fp": 0,
                    "fn": 0,
                    "threshold": nan,
                    "status": f"skipped: {counts.get(c, 0)} positive units "
                    f"< {self.min_positives}",
                }
            )
        trained = report_rows[: len(codes)]
        tp, fp, fn = (sum(int(r[k]) for r in trained) for k in ("tp", "fp", "fn"))
        p, r, f1 = prf(tp, fp, fn)
        totals = {
            "support": tp + fn,
            "n_suggested": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "threshold": nan,
        }
        report_rows.append(
            {
                "code": "(micro)",
                "precision": p,
                "recall": r,
                "f1": f1,
                **totals,
                "status": "trained",
            }
        )
        means: dict[str, float] = {}
        for k in ("precision", "recall", "f1"):
            vals = [float(x[k]) for x in trained]
            means[k] = (
                float(np.nanmean(vals)) if not all(math.isnan(v) for v in vals) else nan
            )
        report_rows.append({"code": "(macro)", **means, **totals, "status": "trained"})
        return report_rows, thresholds

    def _digest(
        self,
        codes: list[str],
        thresholds: dict[str, float],
        texts: Sequence[str],
        labels: Sequence[set[str]],
    ) -> str:
        """A short hash of the codes, thresholds, settings and training data."""
        data = hashlib.sha256(
            "\x1e".join(
                f"{t}\x1f{sorted(ls)}" for t, ls in zip(texts, labels, strict=True)
            ).encode("utf-8")
        ).hexdigest()
        payload = [
            codes,
            thresholds,
            self.architecture,
            self.unit,
            self.epochs,
            self.seed,
            self.batch_size,
            self.dropout,
            self.learn_rate,
            data,
        ]
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True).encode("utf-8")
        ).hexdigest()[:12]

    # -- prediction -----------------------------------------------------------
    def _check_fitted(self) -> None:
        if self.model is None:
            raise TaggingError(Errors.QC507)

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        """Probabilities per code (columns) for each text (rows).

        Examples
        --------
        >>> LearnedTagger().predict_proba(["x"])
        Traceback (most recent call last):
        ...
        qualcode.errors.TaggingError: [QC507] LearnedTagger: not fitted yet. ...
        """
        import pandas as pd

        self._check_fitted()
        codes = list(self.thresholds)
        return pd.DataFrame(
            self._predict(self.model, list(texts), codes), columns=codes
        )

    def _explain(
        self,
        texts: Sequence[str],
        probs: np.ndarray,
        which: Sequence[tuple[int, int]],
        codes: Sequence[str],
        top: int = 3,
    ) -> dict[tuple[int, int], list[str]]:
        """Occlusion: per (text, code) pair, the words whose removal lowers p most.

        ``probs`` has one column per code of ``codes``; ``which`` holds
        (text index, column) pairs.
        """
        make = self.model.make_doc
        variants: list[str] = []
        owners: list[tuple[int, str]] = []
        words_of: dict[int, list[str]] = {}
        for i in sorted({i for i, _ in which}):
            doc = make(texts[i])
            words = list(
                dict.fromkeys(t.lower_ for t in doc if not (t.is_punct or t.is_space))
            )
            words_of[i] = words
            for w in words:
                variants.append(
                    "".join(t.text_with_ws for t in doc if t.lower_ != w) or " "
                )
                owners.append((i, w))
        if not variants:
            return {}
        pv = self._predict(self.model, variants, codes)
        drops: dict[tuple[int, int], list[tuple[float, str]]] = {}
        for k, (i, w) in enumerate(owners):
            for _i, j in ((i, j) for (ii, j) in which if ii == i):
                d = probs[i, j] - pv[k, j]
                if d > 0.01:
                    drops.setdefault((i, j), []).append((-d, w))
        return {key: [w for _d, w in sorted(v)[:top]] for key, v in drops.items()}

    def suggest(
        self,
        corpus_or_project: Any,
        *,
        unit: str | None = None,
        roles: Iterable[str | None] | None = None,
        include_interviewer: bool = False,
        min_score: float = 0.0,
        batch_size: int = 256,
        exclude_coded_by: str | None = None,
        project: Any = None,
        progress: bool = False,
        explain: bool | None = None,
        excluder: Any = None,
    ) -> pd.DataFrame:
        """Suggestions (``_columns.SUGGESTIONS``) for units reaching a code's threshold.

        ``score`` is the model's probability; ``evidence`` is ``"model p=0.83"``,
        by ``"; words: ..."`` (occlusion, see ``explain``) when some word matters.
        Other parameters as in :func:`qualcode.suggest`.
        """
        import pandas as pd

        cols: dict[str, list[Any]] = {n: [] for n, _ in SUGGESTIONS}
        for chunk in self.iter_columns(
            corpus_or_project,
            unit=unit,
            roles=roles,
            include_interviewer=include_interviewer,
            min_score=min_score,
            batch_size=batch_size,
            exclude_coded_by=exclude_coded_by,
            project=project,
            progress=progress,
            explain=explain,
            excluder=excluder,
        ):
            for k, v in chunk.items():
                cols[k].extend(v)
        return frame(pd.DataFrame(cols), SUGGESTIONS)

    def iter_columns(
        self,
        corpus_or_project: Any,
        *,
        unit: str | None = None,
        roles: Iterable[str | None] | None = None,
        include_interviewer: bool = False,
        min_score: float = 0.0,
        batch_size: int = 256,
        exclude_coded_by: str | None = None,
        project: Any = None,
        progress: bool = False,
        explain: bool | None = None,
        excluder: Any = None,
        chunk_rows: int = 50_000,
    ) -> Iterator[dict[str, list[Any]]]:
        """Stream suggestions as column chunks (dicts of lists, ``SUGGESTIONS`` keys).

        A chunk is handed on once it holds ``chunk_rows`` rows (a unit's codes are
        never split); :func:`qualcode.tagging.iter_suggestions` turns the chunks into
        DataFrames. Parameters as in :meth:`suggest`.

        Examples
        --------
        >>> next(LearnedTagger().iter_columns([]))
        Traceback (most recent call last):
        ...
        qualcode.errors.TaggingError: [QC507] LearnedTagger: not fitted yet. ...
        """
        self._check_fitted()
        unit = self.unit if unit is None else unit
        check_choice(unit, UNITS, param="unit", caller="LearnedTagger.suggest")
        explain = self.explain if explain is None else bool(explain)
        trs, proj = as_transcripts(corpus_or_project, caller="LearnedTagger.suggest")
        if excluder is None and exclude_coded_by is not None:
            proj = project if project is not None else proj
            if proj is None:
                raise TaggingError(
                    Errors.QC504.format(
                        caller="LearnedTagger.suggest", coder=exclude_coded_by
                    )
                )
            excluder = Excluder(proj, str(exclude_coded_by))
        if progress:
            from tqdm.auto import tqdm

            trs = tqdm(trs, desc="suggest", unit="transcript")
        roles_ = role_set(roles, include_interviewer)
        chunk_rows = max(int(chunk_rows), 1)
        cols: dict[str, list[Any]] = {n: [] for n, _ in SUGGESTIONS}
        buf: list[tuple[str, int, int, int, str]] = []
        size = max(1, min(batch_size * 4, chunk_rows))
        for item in self._unit_texts(trs, unit, roles_):
            buf.append(item)
            if len(buf) >= size:
                self._score_units(buf, cols, unit, min_score, excluder, explain)
                buf = []
                if len(cols["start"]) >= chunk_rows:
                    yield cols
                    cols = {n: [] for n, _ in SUGGESTIONS}
        if buf:
            self._score_units(buf, cols, unit, min_score, excluder, explain)
        if cols["start"]:
            yield cols

    def _score_units(
        self,
        buf: list[tuple[str, int, int, int, str]],
        cols: dict[str, list[Any]],
        unit: str,
        min_score: float,
        excluder: Any,
        explain: bool,
    ) -> None:
        """Score a batch of units; append the suggestions to ``cols``."""
        codes = list(self.active)
        thr = [self.thresholds[c] for c in codes]
        version = self.version
        texts = [b[4] for b in buf]
        probs = self._predict(self.model, texts, codes)
        hits = [
            (i, j)
            for i in range(len(buf))
            for j in range(len(codes))
            if probs[i, j] >= thr[j]
            and probs[i, j] >= min_score
            and not (
                excluder is not None
                and excluder(buf[i][0], codes[j], buf[i][2], buf[i][3])
            )
        ]
        words = self._explain(texts, probs, hits, codes) if explain and hits else {}
        for i, j in hits:
            tid, turn, s, e, text = buf[i]
            ev = f"model p={probs[i, j]:.2f}"
            if words.get((i, j)):
                ev += "; words: " + ", ".join(words[(i, j)])
            for k, v in (
                ("transcript_id", tid),
                ("start", s),
                ("end", e),
                ("code", codes[j]),
                ("score", round(float(probs[i, j]), 6)),
                ("evidence", ev),
                ("tagger", version),
                ("unit", unit),
                ("turn", turn),
                ("text", text),
            ):
                cols[k].append(v)

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to a folder: ``model/`` (spaCy ``nlp.to_disk``) and ``meta.json``.

        By convention the folder sits next to the project (``study.qcproj`` ->
        ``study.learned-AB/``).
        """
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        replace_dir(path / "model", self.model.to_disk)
        import spacy

        from qualcode._version import __version__

        report = None
        if self.report is not None:
            report = [
                {
                    k: (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in r.items()
                }
                for r in self.report.astype(object)
                .where(self.report.notna(), None)
                .to_dict("records")
            ]
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "architecture": self.architecture,
            "unit": self.unit,
            "level": self.level,
            "epochs": self.epochs,
            "seed": self.seed,
            "min_positives": self.min_positives,
            "min_f1": self.min_f1,
            "active": self.active,
            "explain": self.explain,
            "batch_size": self.batch_size,
            "dropout": self.dropout,
            "learn_rate": self.learn_rate,
            "codes": list(self.thresholds),
            "thresholds": self.thresholds,
            "version": self.version,
            "meta": self.meta,
            "report": report,
            "qualcode_version": __version__,
            "spacy_version": spacy.__version__,
        }
        with atomic_path(path / "meta.json") as tmp:
            tmp.write_text(
                json.dumps(meta, indent=2, ensure_ascii=False, default=str),
                encoding="utf-8",
            )
        return path

    @classmethod
    def load(cls, path: str | Path, *, nlp: Any = None) -> LearnedTagger:
        """Load a tagger saved with :meth:`save`."""
        import pandas as pd

        path = Path(path)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TaggingError(
                Errors.QC508.format(path=path, detail="no meta.json")
            ) from None
        except (OSError, ValueError) as exc:
            raise TaggingError(
                Errors.QC508.format(path=path, detail=f"meta.json unreadable: {exc}")
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise TaggingError(
                Errors.QC508.format(
                    path=path, detail="meta.json is not a qualcode learned tagger"
                )
            )
        if int(meta.get("format_version", 0)) > FORMAT_VERSION:
            raise TaggingError(
                Errors.QC508.format(
                    path=path,
                    detail=f"format version {meta.get('format_version')} is newer "
                    "than this qualcode; upgrade qualcode",
                )
            )
        import spacy

        try:
            model = spacy.load(path / "model")
        except (OSError, ValueError) as exc:
            raise TaggingError(
                Errors.QC508.format(path=path, detail=f"model/ unreadable: {exc}")
            ) from None
        tagger = cls(
            meta.get("codes"),
            nlp=nlp,
            architecture=meta["architecture"],
            unit=meta["unit"],
            level=meta.get("level", "leaf"),
            epochs=meta["epochs"],
            seed=meta["seed"],
            min_positives=meta["min_positives"],
            min_f1=meta.get("min_f1", 0.0),
            explain=meta.get("explain", True),
            name=meta.get("name", "learned"),
            batch_size=meta.get("batch_size", 32),
            dropout=meta.get("dropout", 0.1),
            learn_rate=meta.get("learn_rate"),
        )
        tagger.model = model
        tagger.thresholds = {str(k): float(v) for k, v in meta["thresholds"].items()}
        tagger.active = [str(c) for c in meta.get("active", tagger.thresholds)]
        tagger.meta = dict(meta.get("meta") or {})
        if meta.get("report") is not None:
            tagger.report = frame(
                pd.DataFrame(meta["report"]), EVALUATION, extra=REPORT_EXTRA
            )
        return tagger
