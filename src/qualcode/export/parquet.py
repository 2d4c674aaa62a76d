"""Parquet tables of a project or corpus, for DuckDB, Spark and other engines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._files import atomic_path
from qualcode._inputs import is_project
from qualcode._optional import import_optional
from qualcode.errors import Errors, ExportError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["export_parquet"]


def _arrow_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns with mixed types become strings (Arrow needs one type)."""
    import pandas as pd

    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            kinds = {
                type(v)
                for v in df[c]
                if v is not None and not (isinstance(v, float) and pd.isna(v))
            }
            if len(kinds) > 1 or (kinds and not kinds <= {str, bool, int, float}):
                df[c] = (
                    df[c]
                    .map(
                        lambda v: (
                            None
                            if v is None or (isinstance(v, float) and pd.isna(v))
                            else str(v)
                        )
                    )
                    .astype("string")
                )
    return df


def export_parquet(project_or_corpus: Any, folder: str | Path) -> dict[str, Path]:
    """Write ``turns.parquet``, ``transcripts.parquet`` and ``codings.parquet``.

    Parameters
    ----------
    project_or_corpus : Project, Corpus or iterable of Transcript
        A Corpus or transcripts give turns and transcripts (no codings file).
    folder : path
        Created if missing; files in it are replaced.

    Returns
    -------
    dict
        ``{"turns": path, "transcripts": path, "codings": path}`` (what was written).

    Notes
    -----
    Needs pyarrow (``pip install 'qualcode[parquet]'``). ``transcripts.parquet``
    holds the stored text, so offsets in the other two files can be checked with
    ``substr(text, start + 1, end - start)`` in DuckDB.

    Examples
    --------
    >>> import tempfile
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t = Transcript.build("t1", [TurnDraft("Yes.", "P1", "participant")])
    >>> sorted(export_parquet([t], tempfile.mkdtemp()))  # doctest: +SKIP
    ['transcripts', 'turns']
    """
    import pandas as pd

    import_optional("pyarrow", extra="parquet", caller="export_parquet")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames: dict[str, pd.DataFrame] = {}
    if is_project(project_or_corpus):
        p = project_or_corpus
        frames["turns"] = p.turns
        ts = list(p.iter_transcripts())
        frames["codings"] = p.codings()
    else:
        ts = list(project_or_corpus)
        turns = getattr(project_or_corpus, "turns", None)
        if not isinstance(turns, pd.DataFrame):
            parts = []
            for t in ts:
                f = t.to_frame()
                for k, v in t.attributes.items():
                    f[k] = v
                parts.append(f)
            turns = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        frames["turns"] = turns
    frames["transcripts"] = pd.DataFrame(
        [
            {
                "transcript_id": t.id,
                "sha256": t.sha256,
                "n_turns": len(t.turns),
                "n_chars": len(t.text),
                "source": t.source,
                "format": t.format,
                "encoding": t.encoding,
                "text": t.text,
                **dict(t.attributes),
            }
            for t in ts
        ]
    )
    out = {}
    for name, df in frames.items():
        target = folder / f"{name}.parquet"
        try:
            with atomic_path(target) as tmp:
                _arrow_safe(df).to_parquet(tmp, engine="pyarrow", index=False)
        except OSError as exc:
            raise ExportError(
                Errors.QC714.format(caller="export_parquet", path=target, detail=exc)
            ) from exc
        out[name] = target
    return out
