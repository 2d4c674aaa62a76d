"""The bundled FICTIONAL demo corpus: paths, and the demo coders' codings as offsets.

The demo corpus (``corpora/demo/`` in a qualcode checkout) is invented: ten interviews
with officers, staff and partners of the fictional "Northvale Police" and partner
agencies, one fictional strategy document, participant attributes, a pseudonymisation
key and two fictional coders' codings (``codings/coder_AB.csv``, ``coder_CD.csv``).

A codings CSV has the columns ``transcript_id, code, quote, occurrence, memo``.
``quote`` is an exact substring of what a participant says; ``occurrence`` (1-based)
picks which of the quote's occurrences in that transcript's participant turns (in turn
order) is meant. :func:`demo_codings` turns each row into ``[start, end)`` offsets in
the stored text of the transcript as qualcode imports it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import Errors, InvalidInputError, OffsetError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.corpus import Corpus
    from qualcode.model import Transcript

__all__ = [
    "DEMO_CODERS",
    "anchor_quote",
    "demo_attributes_path",
    "demo_codings",
    "demo_codings_path",
    "demo_corpus",
    "demo_corpus_dir",
    "demo_key_path",
]

#: The two fictional coders whose codings ship with the demo corpus.
DEMO_CODERS: tuple[str, ...] = ("AB", "CD")

_CSV_COLUMNS = ("transcript_id", "code", "quote", "occurrence", "memo")


def demo_corpus_dir() -> Path:
    """The folder of the bundled fictional demo corpus (``corpora/demo``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        When qualcode is not run from a checkout that has ``corpora/demo``.

    Examples
    --------
    >>> from qualcode.datasets.demo import demo_corpus_dir
    >>> demo_corpus_dir().name
    'demo'
    >>> (demo_corpus_dir() / "attributes.csv").is_file()
    True
    """
    from qualcode.datasets import demo_dir

    return demo_dir() / "demo"


def demo_attributes_path() -> Path:
    """Path of the demo corpus's participant attributes (``attributes.csv``).

    Examples
    --------
    >>> from qualcode.datasets.demo import demo_attributes_path
    >>> demo_attributes_path().name
    'attributes.csv'
    """
    return demo_corpus_dir() / "attributes.csv"


def demo_key_path() -> Path:
    """Path of the demo corpus's pseudonymisation key (``original, pseudonym, kind``).

    In a real study this key is kept OUTSIDE the project and never shared; the demo
    ships it so that pseudonymisation and the leak check can be shown.

    Examples
    --------
    >>> from qualcode.datasets.demo import demo_key_path
    >>> demo_key_path().read_text(encoding="utf-8").splitlines()[0]
    'original,pseudonym,kind'
    """
    return demo_corpus_dir() / "pseudonym_key.csv"


def demo_codings_path(coder: str) -> Path:
    """Path of one demo coder's codings CSV (``codings/coder_<coder>.csv``).

    Examples
    --------
    >>> from qualcode.datasets.demo import demo_codings_path
    >>> demo_codings_path("AB").name
    'coder_AB.csv'
    """
    if coder not in DEMO_CODERS:
        from qualcode._validation import check_choice

        check_choice(
            coder, list(DEMO_CODERS), param="coder", caller="demo_codings_path"
        )
    return demo_corpus_dir() / "codings" / f"coder_{coder}.csv"


def demo_corpus() -> Corpus:
    """Read the demo corpus with its attributes (``read_corpus`` on ``corpora/demo``).

    Examples
    --------
    >>> from qualcode.datasets.demo import demo_corpus
    >>> corpus = demo_corpus()  # doctest: +SKIP
    >>> len(corpus)  # doctest: +SKIP
    11
    """
    from qualcode.corpus import read_corpus

    return read_corpus(demo_corpus_dir(), attributes=demo_attributes_path())


def _participant_turns(transcript: Transcript) -> list[Any]:
    turns = [t for t in transcript.turns if t.role == "participant"]
    return turns or list(transcript.turns)  # documents have no speakers


def anchor_quote(
    transcript: Transcript, quote: str, occurrence: int = 1
) -> tuple[int, int] | None:
    """Offsets of the ``occurrence``-th ``quote`` in the participant turns.

    Turns are searched in order (all turns when the transcript has no participant
    turns, as for documents); occurrences may overlap. Returns None when there are
    fewer occurrences.

    Parameters
    ----------
    transcript : Transcript
    quote : str
        Exact text, as stored (no speaker label, no surrounding spaces).
    occurrence : int, default 1
        1-based.

    Returns
    -------
    (start, end) or None
        ``transcript.text[start:end] == quote``.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build(
    ...     "t",
    ...     [
    ...         TurnDraft("Do arrests work?", "I", "interviewer"),
    ...         TurnDraft(
    ...             "Arrests alone? No. Arrests alone do not stop harm.",
    ...             "P1",
    ...             "participant",
    ...         ),
    ...     ],
    ... )
    >>> start, end = anchor_quote(t, "Arrests alone", 2)
    >>> t.text[start:end], start
    ('Arrests alone', 44)
    >>> anchor_quote(
    ...     t, "Do arrests work?"
    ... ) is None  # interviewer turns are not searched
    True
    """
    if not quote:
        return None
    n = 0
    for turn in _participant_turns(transcript):
        pos = turn.text.find(quote)
        while pos != -1:
            n += 1
            if n == occurrence:
                start = turn.start + pos
                return start, start + len(quote)
            pos = turn.text.find(quote, pos + 1)
    return None


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        from qualcode.errors import ImportFormatError

        raise ImportFormatError(Errors.QC201.format(path=path), path=path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _CSV_COLUMNS[:4] if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInputError(
                Errors.QC290.format(
                    path=path, missing=missing, present=list(reader.fieldnames or [])
                )
            )
        return list(reader)


def _coder_of(path: Path) -> str:
    stem = path.stem
    return stem[len("coder_") :] if stem.startswith("coder_") else stem


def demo_codings(
    corpus: Iterable[Transcript] | None = None,
    *,
    coders: Sequence[str] | None = None,
    paths: Sequence[str | Path] | None = None,
) -> pd.DataFrame:
    """The demo coders' codings as offsets into the imported demo transcripts.

    Parameters
    ----------
    corpus : Corpus or iterable of Transcript, optional
        The demo corpus as imported (default: :func:`demo_corpus`). Offsets refer to its
        stored texts.
    coders : sequence of str, optional
        Which demo coders (default both, ``("AB", "CD")``).
    paths : sequence of path, optional
        Other codings CSVs in the same format (coder = file stem without ``coder_``);
        replaces ``coders``.

    Returns
    -------
    pandas.DataFrame
        One row per coding, in file order:

        - ``transcript_id``, ``start``, ``end``: ``[start, end)`` into the text;
        - ``code``, ``coder``, ``memo`` (missing when empty);
        - ``origin``: ``"manual"``.

    Raises
    ------
    OffsetError
        A quote is not found (or has fewer occurrences than its ``occurrence``) in the
        participant turns of its transcript [QC291], naming the CSV file and row.
    InvalidInputError
        A transcript id is not in the corpus, an occurrence is not a whole number
        >= 1 [QC292], or the CSV lacks a required column [QC290].

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> import tempfile, pathlib
    >>> t = Transcript.build(
    ...     "int01", [TurnDraft("We divert people. We divert.", "P1", "participant")]
    ... )
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "coder_XY.csv"
    >>> _ = p.write_text(
    ...     "transcript_id,code,quote,occurrence,memo\\nint01,divert,We divert,2,\\n"
    ... )
    >>> demo_codings([t], paths=[p])[
    ...     ["transcript_id", "start", "end", "code", "coder", "origin"]
    ... ]
      transcript_id  start  end    code coder  origin
    0         int01     22   31  divert    XY  manual
    """
    from qualcode._columns import DEMO_CODINGS, frame

    if paths is None:
        chosen = list(DEMO_CODERS) if coders is None else list(coders)
        files = [demo_codings_path(c) for c in chosen]
    else:
        files = [Path(p) for p in paths]
    if corpus is None:
        corpus = demo_corpus()
    by_id = {t.id: t for t in corpus}
    rows: list[dict[str, Any]] = []
    for path in files:
        coder = _coder_of(path)
        for line, row in enumerate(_read_rows(path), start=2):  # line 1 is the header
            tid = (row.get("transcript_id") or "").strip()
            if tid not in by_id:
                raise InvalidInputError(
                    Errors.QC292.format(
                        path=path,
                        line=line,
                        detail=f"transcript id {tid!r} is not in the corpus",
                        fix=f"use one of {sorted(by_id)[:12]}",
                    )
                )
            raw_occ = (row.get("occurrence") or "1").strip()
            if not raw_occ.isdigit() or int(raw_occ) < 1:
                raise InvalidInputError(
                    Errors.QC292.format(
                        path=path,
                        line=line,
                        detail=f"occurrence {raw_occ!r} is not a whole number >= 1",
                        fix="write 1 for the first occurrence of the quote",
                    )
                )
            quote = row.get("quote") or ""
            span = anchor_quote(by_id[tid], quote, int(raw_occ))
            if span is None:
                raise OffsetError(
                    Errors.QC291.format(
                        path=path,
                        line=line,
                        transcript=tid,
                        occurrence=int(raw_occ),
                        quote=quote[:60] + ("..." if len(quote) > 60 else ""),
                    )
                )
            memo = (row.get("memo") or "").strip() or None
            rows.append(
                {
                    "transcript_id": tid,
                    "start": span[0],
                    "end": span[1],
                    "code": row["code"].strip(),
                    "coder": coder,
                    "memo": memo,
                    "origin": "manual",
                }
            )
    return frame(rows, DEMO_CODINGS)
