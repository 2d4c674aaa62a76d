"""Interactive coding in JupyterLab, and a read-only HTML view to share.

* :func:`coding_widget` opens a :class:`CodingWidget` on a project for one coder:
  read a transcript turn by turn, select a passage or a turn, apply codes from the
  codebook tree, write memos, move between transcripts, show only uncoded turns,
  and accept or reject suggestions with their evidence highlighted. Every action
  is written to the project at once. A transcript with a recording (its
  ``media`` attribute, :mod:`qualcode.media`) plays each turn from its time, the
  turn being played highlighted.
* :func:`render_html` / :func:`export_html` write coded transcripts as one
  self-contained HTML file for partners who do not run Python (``export_html``
  copies recordings beside it and adds a play link per timed turn).

Importing this module is light: anywidget loads only when a widget is made
(``CodingWidget`` is resolved lazily).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.widget._html import export_html, render_html
from qualcode.widget._session import CodingSession

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.widget._anywidget import CodingWidget

__all__ = [
    "CodingSession",
    "CodingWidget",
    "coding_widget",
    "export_html",
    "render_html",
]


def __getattr__(name: str) -> Any:
    if name == "CodingWidget":
        from qualcode.widget._anywidget import CodingWidget

        return CodingWidget
    raise AttributeError(f"module 'qualcode.widget' has no attribute {name!r}")


def coding_widget(
    project: Any,
    *,
    coder: str,
    transcript: str | int | None = None,
    suggestions: Any = None,
    compare_with: str | None = None,
) -> CodingWidget:
    """Open the coding widget on a project for one coder (display it in a notebook).

    Parameters
    ----------
    project : Project
        The open project. Every action is written to it at once.
    coder : str
        Who is coding; codings and suggestion decisions are recorded under this name.
    transcript : str or int, optional
        Transcript id (or position) to open first; default the first one.
    suggestions : pandas.DataFrame or "auto", optional
        Suggestions to review, as :func:`qualcode.suggest` returns them;
        ``"auto"`` runs ``suggest`` with the project's codebook, leaving out units
        this coder already coded or rejected. Decisions already logged by this
        coder are shown as decided.
    compare_with : str, optional
        Another coder whose codings are shown (dotted, read-only).

    Returns
    -------
    CodingWidget

    Warns
    -----
    MediaWarning
        A transcript's recording is missing, not playable or over 100 MiB: it
        opens without a player, with the same notice in the widget.

    Raises
    ------
    MissingDependencyError
        anywidget is not installed: ``pip install 'qualcode[widget]'``.
    CodebookError
        The project has no codebook (QC921).
    InvalidInputError
        No transcripts (QC920), empty coder, unknown ``compare_with`` coder (QC927).
    StoreError
        Unknown transcript id (QC402).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode import Codebook, Project
    >>> from qualcode.model import Transcript, TurnDraft
    >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "cw.qcproj")
    >>> _ = p.add_transcripts(
    ...     [
    ...         Transcript.build(
    ...             "t1",
    ...             [
    ...                 TurnDraft("Why?", "I", "interviewer"),
    ...                 TurnDraft(
    ...                     "We divert people into treatment.", "P1", "participant"
    ...                 ),
    ...             ],
    ...         )
    ...     ]
    ... )
    >>> p.set_codebook(
    ...     Codebook.from_dict(
    ...         {
    ...             "name": "roles",
    ...             "codes": [{"id": "divert", "label": "Divert to support"}],
    ...         }
    ...     )
    ... )
    >>> w = coding_widget(p, coder="AB")
    >>> cid = w.apply_code_to_turn("divert", 1)
    >>> p.codings(coder="AB")[["code", "turn"]].values.tolist()
    [['divert', 1]]
    >>> p.close()
    """
    from qualcode.widget._anywidget import CodingWidget

    return CodingWidget(
        project,
        coder=coder,
        transcript=transcript,
        suggestions=suggestions,
        compare_with=compare_with,
    )
