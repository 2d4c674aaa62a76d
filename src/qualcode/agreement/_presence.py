"""From codings and transcripts to units of analysis and per-unit presence.

Also the checks of the coders and codes a table or a disagreement list compares.

Private helpers shared by :mod:`qualcode.agreement.tables` and
:mod:`qualcode.agreement.disagreements`. The units themselves (turns, sentences)
come from :func:`qualcode._nlp.units`, the same units tagging uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qualcode._inputs import is_project
from qualcode._nlp import units as make_units
from qualcode._validation import check_known, invalid
from qualcode.errors import Errors, QualcodeWarning

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.model import Transcript

#: maps a codings frame to index ranges ``(start, end)`` in a character space
CodingMap = Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]


def _coded_transcripts(
    codings: pd.DataFrame, coders: Sequence[str]
) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {c: set() for c in coders}
    if len(codings):
        for coder, tids in codings.groupby(codings["coder"].astype(str))[
            "transcript_id"
        ]:
            if coder in out:
                out[coder] = set(tids.astype(str))
    return out


def _unit_presence(
    units: pd.DataFrame, codings: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """For each coding, the half-open range of unit rows it overlaps: (i0, i1).

    ``units`` must be sorted by (transcript, start) and non-overlapping within a
    transcript; a coding ``[s, e)`` overlaps unit ``[us, ue)`` iff ``s < ue`` and
    ``e > us``.
    """
    tkey = {
        t: i
        for i, t in enumerate(
            pd.unique(
                pd.concat(
                    [
                        units["transcript_id"].astype(str),
                        codings["transcript_id"].astype(str),
                    ]
                )
            )
        )
    }
    span = (
        int(
            max(
                units["end"].max() if len(units) else 0,
                codings["end"].max() if len(codings) else 0,
            )
        )
        + 1
    )
    ut = units["transcript_id"].astype(str).map(tkey).to_numpy(np.int64)
    us = ut * span + units["start"].to_numpy(np.int64)
    ue = ut * span + units["end"].to_numpy(np.int64)
    ct = codings["transcript_id"].astype(str).map(tkey).to_numpy(np.int64)
    cs = ct * span + codings["start"].to_numpy(np.int64)
    ce = ct * span + codings["end"].to_numpy(np.int64)
    i0 = np.searchsorted(ue, cs, side="right")
    i1 = np.searchsorted(us, ce, side="left")
    return i0, np.maximum(i1, i0)


def _presence_matrix(
    n_units: int, i0: np.ndarray, i1: np.ndarray, col: np.ndarray, n_cols: int
) -> np.ndarray:
    """(n_units, n_cols) bool: unit covered by any range of that column."""
    diff = np.zeros((n_cols, n_units + 1), dtype=np.int32)
    np.add.at(diff, (col, i0), 1)
    np.add.at(diff, (col, i1), -1)
    return (np.cumsum(diff, 1)[:, :-1] > 0).T


def _unlabelled(
    transcripts: Iterable[Transcript],
    roles: Iterable[str | None] | None,
    *,
    unit: str,
    caller: str,
) -> frozenset[str]:
    """Transcripts analysed in full because no turn has a speaker role.

    A role filter (e.g. participants only) would drop a transcript in which no
    speaker was recognised (a plain text without labels): instead all its turns
    (its paragraphs or cues) are units, and a QualcodeWarning names the transcripts
    (ids only, never text). Empty when ``roles`` is None (every turn is analysed).
    """
    if roles is None:
        return frozenset()
    ids = [
        t.id
        for t in transcripts
        if t.turns and all(turn.role is None for turn in t.turns)
    ]
    if ids:
        shown = ids[:10] + ([f"+{len(ids) - 10} more"] if len(ids) > 10 else [])
        warnings.warn(
            Errors.QC610.format(
                caller=caller, n=len(ids), ids=shown, roles=tuple(roles), unit=unit
            ),
            QualcodeWarning,
            stacklevel=3,
        )
    return frozenset(ids)


def _selected_spans(
    transcripts: Iterable[Transcript],
    roles: Iterable[str | None] | None,
    every: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """The analysed turns: those of ``roles`` (all if None), every turn of ``every``."""
    role_set: set[str | None] = set() if roles is None else set(roles)
    out = []
    for t in transcripts:
        whole = roles is None or t.id in every
        for turn in t.turns:
            if (whole or turn.role in role_set) and turn.end > turn.start:
                out.append(
                    (t.id, turn.index, turn.speaker, turn.role, turn.start, turn.end)
                )
    return pd.DataFrame(
        out, columns=["transcript_id", "turn", "speaker", "role", "start", "end"]
    )


def _char_space(
    spans: pd.DataFrame,
) -> tuple[int, CodingMap, np.ndarray, list[str]]:
    """Map (transcript, offset) to an index into the concatenated selected text."""
    tids = list(dict.fromkeys(spans["transcript_id"].astype(str)))
    tpos = {t: i for i, t in enumerate(tids)}
    span = int(spans["end"].max()) + 1 if len(spans) else 1
    gs = spans["transcript_id"].astype(str).map(tpos).to_numpy(np.int64) * span + spans[
        "start"
    ].to_numpy(np.int64)
    ge = gs + (spans["end"] - spans["start"]).to_numpy(np.int64)
    cum_len = np.concatenate(([0], np.cumsum(ge - gs)))

    def to_index(tid: pd.Series, pos: np.ndarray) -> np.ndarray:
        t = tid.astype(str).map(tpos)
        known = t.notna().to_numpy()
        g = np.where(known, t.fillna(0).to_numpy(np.int64) * span + pos, -1)
        k = np.searchsorted(gs, g, side="right") - 1
        kk = k.clip(0, max(len(gs) - 1, 0))
        inside = np.clip(g - gs[kk], 0, (ge - gs)[kk]) if len(gs) else g * 0
        out = np.where(k >= 0, cum_len[kk] + inside, 0)
        return np.where(known, out, -1)

    def map_codings(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        s = to_index(c["transcript_id"], c["start"].to_numpy(np.int64))
        e = to_index(c["transcript_id"], c["end"].to_numpy(np.int64))
        bad = (s < 0) | (e < 0)
        return np.where(bad, 0, s), np.where(bad, 0, e)

    return int(cum_len[-1]), map_codings, cum_len, tids


def _table_units(
    transcripts: list[Transcript],
    unit: str,
    roles: Iterable[str | None] | None,
    nlp: Any,
    every: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, CodingMap | None]:
    """Units of analysis sorted by (transcript, start) and, for characters, the map
    from codings to character indices (None for turns and sentences)."""
    if unit == "character":
        spans = _selected_spans(transcripts, roles, every)
        n_chars, map_codings, cum_len, _ = _char_space(spans)
        tid = (
            np.repeat(
                spans["transcript_id"].astype(str).to_numpy(),
                (spans["end"] - spans["start"]).to_numpy(),
            )
            if len(spans)
            else np.array([])
        )
        lengths = (
            (spans["end"] - spans["start"]).to_numpy()
            if len(spans)
            else np.array([], int)
        )
        # characters are not independent: the bootstrap resamples their turns
        cluster = np.repeat(np.arange(len(lengths)), lengths)
        units_df = pd.DataFrame({"transcript_id": tid, "cluster": cluster})
        return units_df, map_codings
    u = _units_of(transcripts, unit, roles, nlp, every)
    u = u.sort_values(["transcript_id", "start"], kind="stable").reset_index(drop=True)
    return u, None


def _units_of(
    transcripts: list[Transcript],
    unit: str,
    roles: Iterable[str | None] | None,
    nlp: Any,
    every: frozenset[str],
) -> pd.DataFrame:
    """Turn or sentence units of ``roles``; all units of the ``every`` transcripts."""
    if not every:
        return make_units(transcripts, unit, roles=roles, nlp=nlp)
    labelled = [t for t in transcripts if t.id not in every]
    whole = [t for t in transcripts if t.id in every]
    parts = [
        make_units(labelled, unit, roles=roles, nlp=nlp),
        make_units(whole, unit, roles=None, nlp=nlp),
    ]
    return pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)


def _code_level(codings: pd.DataFrame, codebook: Any, level: str) -> pd.Series:
    codes = codings["code"].astype(str)
    if level == "code" or codebook is None:
        return codes

    def root(c: str) -> str:
        try:
            return str(codebook.root_of(c).id)
        except Exception:  # not in the codebook: its own root
            return c

    return codes.map(root)


def _check_codes(
    codes: Sequence[str],
    codings: pd.DataFrame,
    codebook: Any,
    level: str,
    caller: str,
) -> None:
    """QC109 for a code that is neither in the codebook nor applied by anyone."""
    used = set(_code_level(codings, codebook, level).astype(str))
    book: list[str] = []
    if codebook is not None:
        roots = codebook.roots() if level == "root" else codebook
        book = [str(c.id) for c in roots]
    where = " among the codebook's root codes" if level == "root" else ""
    check_known(
        [str(c) for c in codes],
        sorted(set(book) | used),
        what="code",
        caller=caller,
        where=where or " in the codebook or the project's codings",
    )


def _check_project(project: object, caller: str) -> None:
    """QC101 unless ``project`` is a qualcode project (anything shaped like one)."""
    if not is_project(project):
        raise invalid("project", caller, "a qualcode.Project", type(project).__name__)
