"""What the export modules share: a project's parts, code order, blank values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from qualcode import _columns as C
from qualcode._inputs import is_project, transcript_map

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.codebook import Codebook
    from qualcode.model import Transcript

#: The columns of ``project.codings()``; every other column is an attribute.
CODING_COLUMNS = frozenset(C.names(C.CODINGS))


def is_blank(v: Any) -> bool:
    """True for None, NaN/NA and strings of white space only.

    Examples
    --------
    >>> is_blank(None), is_blank(float("nan")), is_blank(" "), is_blank("x")
    (True, True, True, False)
    >>> is_blank([]), is_blank([None, ""]), is_blank(["en"])
    (True, True, False)
    """
    if v is None:
        return True
    if isinstance(v, (list, tuple, set, frozenset)):
        return all(is_blank(x) for x in v)
    try:
        import pandas as pd

        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


def unpack_project(
    codings: Any, codebook: Codebook | None, transcripts: Any
) -> tuple[Any, Codebook | None, Any]:
    """``(codings frame, codebook, transcripts)``: a Project supplies all three.

    Arguments given explicitly win over the project's own.
    """
    if is_project(codings):
        project = codings
        codings = project.codings()
        if codebook is None:
            codebook = getattr(project, "codebook", None)
        if transcripts is None:
            transcripts = project
    return codings, codebook, transcripts


def transcripts_of(obj: Any, *, caller: str) -> dict[str, Transcript] | None:
    """``{id: Transcript}`` for a project, Corpus, mapping or iterable (or None)."""
    if obj is None:
        return None
    return transcript_map(obj, caller=caller)


def code_order(codebook: Codebook | None, used: Iterable[str]) -> list[str]:
    """Codebook order (each root, then its descendants), then unknown codes sorted."""
    used = list(dict.fromkeys(used))
    if codebook is None:
        return sorted(used)
    order: list[str] = []
    for root in codebook.roots():
        order.append(root.id)
        order.extend(c.id for c in codebook.descendants(root.id))
    order += [c.id for c in codebook if c.id not in order]
    return order + sorted(c for c in used if c not in set(order))


def root_of(codebook: Codebook | None, code: str) -> str:
    """The id of ``code``'s top-level code (``code`` itself when not in the book)."""
    if codebook is not None and code in codebook:
        return codebook.root_of(code).id
    return code
