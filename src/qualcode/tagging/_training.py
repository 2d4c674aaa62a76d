"""Training helpers of the learned tagger (private to :mod:`qualcode.tagging`).

The model configurations, cross-validation folds, the F1-maximising threshold,
precision/recall/F1 from counts, folders written atomically, and the tqdm progress
of :meth:`fit`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "best_threshold",
    "fold_ids",
    "model_config",
    "prf",
    "progress_bar",
    "replace_dir",
]


def fold_ids(groups: Sequence[str], folds: int, seed: int) -> Any:
    """Fold number of each unit: whole groups (transcripts) per fold when there are
    enough groups, else units dealt round-robin after a seeded shuffle.

    Examples
    --------
    >>> fold_ids(["a", "a", "b", "c"], 3, seed=0).tolist()
    [0, 0, 2, 1]
    """
    import numpy as np

    rng = random.Random(seed)
    uniq = list(dict.fromkeys(groups))
    if len(uniq) >= folds:
        rng.shuffle(uniq)
        fold_of_group = {g: i % folds for i, g in enumerate(uniq)}
        return np.array([fold_of_group[g] for g in groups])
    idx = list(range(len(groups)))
    rng.shuffle(idx)
    out = np.zeros(len(groups), dtype=int)
    for k, i in enumerate(idx):
        out[i] = k % folds
    return out


def model_config(architecture: str) -> dict[str, Any]:
    if architecture == "bow":
        return {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": False,
            "ngram_size": 1,
            "no_output_layer": False,
            "length": 32768,
        }
    return {
        "@architectures": "spacy.TextCatCNN.v2",
        "exclusive_classes": False,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 64,
            "depth": 2,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    }


def best_threshold(y: Sequence[int], p: Sequence[float]) -> tuple[float, float]:
    """The threshold maximising F1 of ``p >= t`` (and that F1).

    Among thresholds with the best F1 the highest is taken, then moved halfway down
    to the next lower probability, so that a separable problem gets a threshold in
    the middle of the gap.

    Examples
    --------
    >>> best_threshold([0, 0, 1, 1], [0.1, 0.3, 0.7, 0.9])
    (0.5, 1.0)
    """
    pairs = sorted(
        zip((float(v) for v in p), (int(v) for v in y), strict=True), reverse=True
    )
    n_pos = sum(v for _, v in pairs)
    if n_pos == 0 or not pairs:
        return 0.5, float("nan")
    best_f1, best_i, tp = -1.0, 0, 0
    uniq: list[float] = []
    i = 0
    while i < len(pairs):
        t = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == t:
            tp += pairs[i][1]
            i += 1
        uniq.append(t)
        f1 = 2 * tp / (i + n_pos)
        if f1 > best_f1 + 1e-12:
            best_f1, best_i = f1, len(uniq) - 1
    t = uniq[best_i]
    lower = t / 2 if best_i == len(uniq) - 1 else uniq[best_i + 1]
    return round((t + lower) / 2, 6), best_f1


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    nan = float("nan")
    p = tp / (tp + fp) if tp + fp else nan
    r = tp / (tp + fn) if tp + fn else nan
    f = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else nan
    return p, r, f


def replace_dir(final: Path, write: Any) -> None:
    """Write a folder with ``write(tmp)`` beside ``final``, then swap it into place.

    A crash or error leaves the previous folder (or none), never a half-written one.
    """
    import os
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        write(tmp)
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar (a notebook widget in Jupyter, text in a terminal), or a stand-in.

    Examples
    --------
    >>> bar = progress_bar(3, "fit", enabled=False)
    >>> bar.update(1)
    >>> bar.set_postfix_str("fold 1/2")
    >>> bar.close()
    """
    if enabled:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit="epoch")
    return _NoBar()


class _NoBar:
    """What :func:`progress_bar` returns when progress is off: does nothing."""

    def update(self, n: int = 1) -> None:
        """Ignore progress."""

    def set_postfix_str(self, text: str) -> None:
        """Ignore the status text."""

    def close(self) -> None:
        """Nothing to close."""
