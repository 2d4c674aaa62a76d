"""Small fictional datasets for examples and doctests.

``load(name)`` returns a DataFrame (or a path for file-based items).
``path(name)`` returns the path of a bundled demo file or folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import Errors, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["load", "path", "demo_dir"]

_HERE = Path(__file__).parent


def demo_dir() -> Path:
    """The repository's ``corpora/`` folder when running from a checkout."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "corpora" / "demo").is_dir():
            return parent / "corpora"
    raise InvalidInputError(Errors.QC293.format(where=here.parent))


def path(name: str) -> Path:
    """Path of a bundled dataset file (``datasets/<name>.csv``)."""
    p = _HERE / f"{name}.csv"
    if not p.exists():
        known = sorted(x.stem for x in _HERE.glob("*.csv"))
        raise KeyError(f"unknown dataset {name!r}; known: {known}")
    return p


def load(name: str) -> pd.DataFrame:
    """Load a bundled dataset as a DataFrame.

    Reliability datasets (units x coders) come back with ``unit`` as index.
    """
    import pandas as pd

    df = pd.read_csv(path(name))
    if "unit" in df.columns:
        df = df.set_index("unit")
    return df
