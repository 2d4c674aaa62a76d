"""The anywidget front of :class:`~qualcode.widget._session.CodingSession`.

The browser code is plain ES module JavaScript and CSS next to this file
(``coding_widget.js``, ``coding_widget.css``), loaded by anywidget with no build
step. The browser only sends actions (``model.send({action: ...})``); each runs a
session method here, which writes to the project store, and the synced traits are
refreshed from :meth:`CodingSession.state`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from qualcode._optional import import_optional
from qualcode.errors import QualcodeError
from qualcode.widget._session import CodingSession

anywidget = import_optional(
    "anywidget", extra="widget", caller="coding_widget", what="the coding widget"
)
traitlets = import_optional(
    "traitlets", extra="widget", caller="coding_widget", what="the coding widget"
)

_HERE = Path(__file__).parent
_log = logging.getLogger("qualcode.widget")


class CodingWidget(anywidget.AnyWidget):  # type: ignore[name-defined,misc]
    """Code transcripts in JupyterLab: read, select, apply codes, review suggestions.

    Open it with :func:`qualcode.widget.coding_widget` (or
    ``project.coding_widget(...)``) and display it as the last expression of a
    cell. The left pane shows the transcript turn by turn (speaker, role, time),
    with this coder's codings highlighted and listed in the turn's margin (the
    compared coder's dotted); the right pane holds the code tree (colours,
    definitions on hover), the selection, the memo of the chosen coding and the
    suggestions with their evidence words.

    Every action is a method here that writes to the project at once
    (:meth:`apply_code`, :meth:`apply_code_to_turn`, :meth:`apply_to_selection`,
    :meth:`remove_coding`, :meth:`set_memo`, :meth:`next_transcript`,
    :meth:`previous_transcript`, :meth:`go_to`, :meth:`filter_uncoded`,
    :meth:`accept_suggestion`, :meth:`reject_suggestion`); the browser calls the
    same methods through messages.

    Keyboard (with the widget focused): ``1``-``9`` apply the n-th code of the list
    shown, ``a``/``r`` accept/reject the current suggestion, ``j``/``k`` next/previous
    suggestion, ``n``/``p`` next/previous transcript, ``u`` toggles "uncoded only",
    ``Esc`` clears the selection.

    Errors from an action (unknown code, a range across turns, ...) are shown in
    the widget's status line and kept in :attr:`last_error`; nothing is written.

    A transcript with a recording (its ``media`` attribute, see
    :mod:`qualcode.media`) gets a player above the turns: each turn with a time
    has a play button that seeks the recording to the turn's ``time_start`` and
    plays it, and the turn being played is highlighted and scrolled into view.
    The recording's bytes are sent to the browser (the :attr:`media` trait, a
    Blob URL there), up to :attr:`CodingSession.media_limit` (100 MiB); a missing,
    unplayable or larger file leaves the transcript open without a player, with a
    notice in the widget and a :class:`~qualcode.errors.MediaWarning`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode import Codebook, Project
    >>> from qualcode.model import Transcript, TurnDraft
    >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "w.qcproj")
    >>> _ = p.add_transcripts(
    ...     [
    ...         Transcript.build(
    ...             "t1", [TurnDraft("We arrest dealers.", "P1", "participant")]
    ...         )
    ...     ]
    ... )
    >>> p.set_codebook(
    ...     Codebook.from_dict(
    ...         {"name": "roles", "codes": [{"id": "pursue", "label": "Pursue"}]}
    ...     )
    ... )
    >>> w = CodingWidget(p, coder="AB")
    >>> w.select(7, 13)
    >>> cid = w.apply_to_selection("pursue")
    >>> p.codings()["text"].tolist(), w.codings[0]["label"]
    (['arrest'], 'Pursue')
    >>> p.close()
    """

    _esm = _HERE / "coding_widget.js"
    _css = _HERE / "coding_widget.css"

    transcript = traitlets.Dict().tag(sync=True)
    turns = traitlets.List().tag(sync=True)
    codings = traitlets.List().tag(sync=True)
    codes = traitlets.List().tag(sync=True)
    suggestions = traitlets.List().tag(sync=True)
    suggestion_counts = traitlets.Dict().tag(sync=True)
    current_suggestion = traitlets.Int(allow_none=True, default_value=None).tag(
        sync=True
    )
    selection = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    current_code = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    active_coding = traitlets.Int(allow_none=True, default_value=None).tag(sync=True)
    uncoded_only = traitlets.Bool(False).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    media = traitlets.Bytes(b"").tag(sync=True)

    def __init__(
        self,
        project: Any,
        *,
        coder: str,
        transcript: str | int | None = None,
        suggestions: Any = None,
        compare_with: str | None = None,
        **kwargs: Any,
    ) -> None:
        session = CodingSession(
            project,
            coder=coder,
            transcript=transcript,
            suggestions=suggestions,
            compare_with=compare_with,
        )
        super().__init__(**kwargs)
        self.session = session
        self.last_error: QualcodeError | None = None
        self._turns_key: tuple[str, tuple[int, ...]] | None = None
        self._media_for: str | None = None
        self._sync(full=True)
        self.on_msg(self._on_message)

    # -- syncing ----------------------------------------------------------------
    def _sync(self, *, full: bool = False) -> None:
        s = self.session
        codings = s.codings_state()
        visible = s.visible_turns(codings)
        state: dict[str, Any] = {
            "codings": codings,
            "suggestions": s.suggestions_state(),
            "suggestion_counts": s.suggestion_counts(),
            "current_suggestion": s.current_suggestion,
            "selection": s.selection,
            "current_code": s.current_code,
            "active_coding": s.active_coding,
            "uncoded_only": s.uncoded_only,
            "status": s.status,
        }
        key = (s.transcript_id, tuple(visible))
        if full or key != self._turns_key:
            state["transcript"] = s.transcript_state()
            state["turns"] = s.turns_state(visible)
            self._turns_key = key
        if full:
            state["codes"] = s.codes_state()
        if full or s.transcript_id != self._media_for:
            state["media"] = s.media_bytes()  # once per opened transcript
            state["transcript"] = s.transcript_state()  # media_bytes may add a notice
            self._media_for = s.transcript_id
        with self.hold_sync():
            for name, value in state.items():
                setattr(self, name, value)
            self.revision += 1

    def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run a session action, then refresh the traits (also after an error)."""
        try:
            result = getattr(self.session, method)(*args, **kwargs)
        except QualcodeError as exc:
            self.last_error = exc
            self.error = str(exc)
            self._sync()
            raise
        self.last_error = None
        self.error = ""
        self._sync()
        return result

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        try:
            self._run("dispatch", content)
        except QualcodeError:
            pass  # shown in the widget (error trait) and kept in last_error
        except Exception as exc:  # noqa: BLE001 - a front-end action must never kill the comm
            self.last_error = None
            self.error = (
                f"Unexpected error ({type(exc).__name__}): {exc}. Please report it."
            )
            _log.exception("coding widget action failed")

    # -- actions (each writes to the project at once) ----------------------------
    def apply_code(
        self, code: str, start: int, end: int, *, memo: str | None = None
    ) -> int:
        """Code ``[start, end)`` inside one turn (:meth:`CodingSession.apply_code`)."""
        return self._run("apply_code", code, start, end, memo=memo)

    def apply_code_to_turn(
        self, code: str, turn: int, *, memo: str | None = None
    ) -> int:
        """Code a whole turn by index; see :meth:`CodingSession.apply_code_to_turn`."""
        return self._run("apply_code_to_turn", code, turn, memo=memo)

    def apply_to_selection(self, code: str) -> int:
        """Apply ``code`` to the selected range or turn."""
        return self._run("apply_to_selection", code)

    def remove_coding(self, coding_id: int) -> None:
        """Delete one of this coder's codings."""
        self._run("remove_coding", coding_id)

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        """Set (or clear with ``""``/None) the memo of one of this coder's codings."""
        self._run("set_memo", coding_id, memo)

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` inside one turn."""
        self._run("select", start, end)

    def select_turn(self, turn: int) -> None:
        """Select a whole turn."""
        self._run("select_turn", turn)

    def next_transcript(self) -> str:
        """Open the next transcript; return its id."""
        return self._run("next_transcript")

    def previous_transcript(self) -> str:
        """Open the previous transcript; return its id."""
        return self._run("previous_transcript")

    def go_to(self, transcript: str | int) -> str:
        """Open a transcript by id or position; return its id."""
        return self._run("go_to", transcript)

    def filter_uncoded(self, value: bool = True) -> None:
        """Show only turns this coder has not coded (True) or all turns (False)."""
        self._run("filter_uncoded", value)

    def accept_suggestion(self, index: int | None = None) -> int:
        """Accept a suggestion (default: the current one); return the coding id."""
        return self._run("accept_suggestion", index)

    def reject_suggestion(self, index: int | None = None) -> None:
        """Reject a suggestion (default: the current one); the decision is logged."""
        self._run("reject_suggestion", index)

    def focus_suggestion(self, index: int) -> None:
        """Make a suggestion the current one."""
        self._run("focus_suggestion", index)
