"""The coding widget's model: state and actions, independent of any front-end.

:class:`CodingSession` holds what a coder is looking at (the current transcript, the
selected range or turn, the current code, the "uncoded only" filter, the loaded
suggestions) and offers one plain method per action. Every action that changes
codings or decisions writes to the project store at once, through the public
:class:`~qualcode.store.Project` methods and :func:`qualcode.review`, so nothing is
lost if the kernel dies. :class:`~qualcode.widget.CodingWidget` wraps a session and
mirrors its :meth:`CodingSession.state` into synced traitlets; the browser sends
actions as messages that call the same methods the tests call.

Offsets are ``[start, end)`` Python ``str`` indices into the stored text.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualcode._inputs import is_project
from qualcode._validation import check_choice, invalid, require_columns
from qualcode.errors import (
    CodebookError,
    Errors,
    InvalidInputError,
    MediaWarning,
    OffsetError,
)
from qualcode.media import project_folder, turn_times
from qualcode.model import Transcript, Turn
from qualcode.widget._common import code_rows, evidence_spans, known_codes
from qualcode.widget._media import MEDIA_LIMIT, media_state, unreadable

_PENDING, _ACCEPTED, _REJECTED = "pending", "accepted", "rejected"
_SUGGESTION_KEY = ("transcript_id", "start", "end", "code")


def _is_project(obj: object) -> bool:
    """A project the widget can write to: readable (``ProjectLike``) and codable."""
    return is_project(obj) and all(
        callable(getattr(obj, name, None)) for name in ("add_coding", "code_turn")
    )


def _float_or_none(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return None


class CodingSession:
    """State and actions of one coder's coding session on a project.

    Parameters
    ----------
    project : Project
        The open project; every action writes to it at once.
    coder : str
        Who is coding (codings and decisions are recorded under this name).
    transcript : str or int, optional
        Transcript id (or position in ``project.transcript_ids()``) to open first.
    suggestions : pandas.DataFrame or "auto", optional
        Suggestions as :func:`qualcode.suggest` returns them (at least
        ``transcript_id, start, end, code``; ``score, evidence, tagger`` are shown
        and logged when present). ``"auto"`` runs ``suggest`` with the project's
        codebook, leaving out what this coder already coded or rejected.
    compare_with : str, optional
        Another coder whose codings are shown (read-only) next to this coder's.

    Attributes
    ----------
    media_limit : int
        Largest recording (bytes) sent to the browser (default
        :data:`qualcode.widget._media.MEDIA_LIMIT`, 100 MiB).

    Warns
    -----
    MediaWarning
        An opened transcript names a recording (its ``media`` attribute) that is
        missing, not playable or over ``media_limit``; the transcript opens
        without a player and the widget shows the same notice.

    Raises
    ------
    InvalidInputError
        Not a project, empty coder, unknown ``compare_with`` coder, or malformed
        suggestions.
    CodebookError
        The project has no codebook (QC921).
    StoreError
        Unknown transcript id.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode import Codebook, Project
    >>> from qualcode.model import Transcript, TurnDraft
    >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "s.qcproj")
    >>> _ = p.add_transcripts(
    ...     [
    ...         Transcript.build(
    ...             "t1",
    ...             [
    ...                 TurnDraft("Why?", "I", "interviewer"),
    ...                 TurnDraft("We arrest dealers.", "P1", "participant"),
    ...             ],
    ...         )
    ...     ]
    ... )
    >>> p.set_codebook(
    ...     Codebook.from_dict(
    ...         {"name": "roles", "codes": [{"id": "pursue", "label": "Pursue"}]}
    ...     )
    ... )
    >>> s = CodingSession(p, coder="AB")
    >>> cid = s.apply_code_to_turn("pursue", 1)
    >>> p.codings()[["code", "coder", "text"]].values.tolist()
    [['pursue', 'AB', 'We arrest dealers.']]
    >>> p.close()
    """

    media_limit: int = MEDIA_LIMIT

    def __init__(
        self,
        project: Any,
        *,
        coder: str,
        transcript: str | int | None = None,
        suggestions: Any = None,
        compare_with: str | None = None,
    ) -> None:
        caller = "coding_widget"
        if not _is_project(project):
            raise invalid(
                "project", caller, "a qualcode.Project", type(project).__name__
            )
        if not isinstance(coder, str) or not coder.strip():
            raise InvalidInputError(
                Errors.QC412.format(caller=caller, what="coder", got=coder)
            )
        self.project = project
        self.coder = coder
        self._ids: list[str] = list(project.transcript_ids())
        if not self._ids:
            raise InvalidInputError(
                Errors.QC920.format(caller=caller, path=getattr(project, "path", "?"))
            )
        self.codebook = project.codebook
        if self.codebook is None:
            raise CodebookError(
                Errors.QC921.format(caller=caller, path=getattr(project, "path", "?"))
            )
        self._codes = code_rows(self.codebook)
        self._labels = {c["id"]: c["label"] for c in self._codes}
        self._colors = {c["id"]: c["color"] for c in self._codes}
        if compare_with is not None:
            known = list(project.coders)
            if compare_with not in known or compare_with == coder:
                raise InvalidInputError(
                    Errors.QC927.format(
                        caller=caller,
                        param="compare_with",
                        got=compare_with,
                        path=getattr(project, "path", "?"),
                        known=[k for k in known if k != coder],
                    )
                )
        self.compare_with = compare_with
        self.index = 0
        self.transcript_obj: Transcript = None  # type: ignore[assignment]
        self.selection: dict[str, int | str] | None = None
        self.current_code: str | None = None
        self.active_coding: int | None = None
        self.uncoded_only = False
        self.status = ""
        self._media: dict[str, Any] = {}
        self._media_warned: set[tuple[str, str]] = set()
        self._load_suggestions(suggestions)
        self.current_suggestion: int | None = None
        self._open(
            self._resolve_transcript(transcript if transcript is not None else 0)
        )
        self.status = f"Coding as {coder}."

    # -- set-up ----------------------------------------------------------------
    def _resolve_transcript(self, transcript: str | int) -> int:
        i = _as_int(transcript)
        if i is not None and not isinstance(transcript, str):
            if not 0 <= i < len(self._ids):
                raise invalid(
                    "transcript",
                    "coding_widget",
                    f"a transcript id or a position 0..{len(self._ids) - 1}",
                    transcript,
                )
            return i
        tid = str(transcript)
        if tid not in self._ids:
            self.project.transcript(tid)  # raises StoreError QC402
        return self._ids.index(tid)

    def _load_suggestions(self, suggestions: Any) -> None:
        import pandas as pd

        if isinstance(suggestions, str):
            check_choice(
                suggestions, ["auto"], param="suggestions", caller="coding_widget"
            )
            from qualcode.tagging import suggest

            suggestions = suggest(
                self.project, self.codebook, exclude_coded_by=self.coder
            )
        self._order: dict[str, list[int]] = {}
        self._records: list[dict[str, Any]] = []
        if suggestions is None:
            self._sugg = pd.DataFrame(columns=list(_SUGGESTION_KEY))
            self._status: list[str] = []
            return
        require_columns(
            suggestions, _SUGGESTION_KEY, caller="coding_widget", param="suggestions"
        )
        df = suggestions.reset_index(drop=True).copy()
        known = set(self._ids)
        for tid in df["transcript_id"].astype(str).unique():
            if tid not in known:
                raise InvalidInputError(
                    Errors.QC511.format(
                        caller="coding_widget", transcript=tid, what="suggestions"
                    )
                )
        for col in ("start", "end"):
            vals = [_as_int(v) for v in df[col].tolist()]
            if any(v is None for v in vals):
                row = next(i for i, v in enumerate(vals) if v is None)
                raise InvalidInputError(
                    Errors.QC509.format(
                        caller="coding_widget",
                        detail=f"suggestion row {row}: '{col}' is not a whole-number "
                        "offset. Pass the suggestions as qc.suggest returned them",
                    )
                )
            df[col] = vals
        df["transcript_id"] = df["transcript_id"].astype(str)
        df["code"] = df["code"].astype(str)
        self._sugg = df
        self._records = df.to_dict("records")
        keys: dict[str, list[tuple[int, float, int]]] = {}
        for i, r in enumerate(self._records):
            neg = -(_float_or_none(r.get("score")) or 0.0)
            keys.setdefault(r["transcript_id"], []).append((int(r["start"]), neg, i))
        self._order = {tid: [i for *_k, i in sorted(v)] for tid, v in keys.items()}
        last: dict[tuple[str, int, int, str], str] = {}
        dec = self.project.decisions(coder=self.coder)
        for row in dec[[*_SUGGESTION_KEY, "decision"]].itertuples(index=False):
            last[(str(row[0]), int(row[1]), int(row[2]), str(row[3]))] = str(row[4])
        self._status = [
            last.get(self._key(i), _PENDING) for i in range(len(self._sugg))
        ]

    def _key(self, i: int) -> tuple[str, int, int, str]:
        r = self._records[i]
        return (str(r["transcript_id"]), int(r["start"]), int(r["end"]), str(r["code"]))

    def _open(self, index: int) -> None:
        self.index = index
        self.transcript_obj = self.project.transcript(self._ids[index])
        self.selection = None
        self.active_coding = None
        self.current_suggestion = self._first_pending()
        self._media = media_state(
            self.transcript_obj,
            project_folder(self.project),
            limit=self.media_limit,
        )
        self._warn_media()

    # -- the recording ------------------------------------------------------------
    def _warn_media(self) -> None:
        """One MediaWarning per transcript and problem (never transcript text)."""
        notice = self._media.get("notice")
        key = (self.transcript_id, str(self._media.get("status")))
        if notice and key not in self._media_warned:
            self._media_warned.add(key)
            warnings.warn(MediaWarning(notice), stacklevel=4)

    def media_state(self) -> dict[str, Any]:
        """The current transcript's recording: ``status`` (``"none"``, ``"ok"``,
        ``"missing"``, ``"unplayable"``, ``"too_large"``), ``kind`` (audio or
        video), ``mime``, ``name``, ``size`` and the ``notice`` shown when there is
        no player.
        """
        return {k: v for k, v in self._media.items() if k != "path"}

    def media_bytes(self) -> bytes:
        """The current transcript's recording as bytes (empty without a player).

        A file that cannot be read turns the state into ``"missing"`` with a
        notice and a :class:`~qualcode.errors.MediaWarning`.
        """
        if self._media.get("status") != "ok":
            return b""
        path = Path(str(self._media["path"]))
        try:
            return path.read_bytes()
        except OSError as exc:
            self._media.update(
                status="missing", notice=unreadable(self.transcript_id, path, exc)
            )
            self._warn_media()
            return b""

    # -- properties --------------------------------------------------------------
    @property
    def transcript_id(self) -> str:
        """Id of the transcript being coded."""
        return self._ids[self.index]

    @property
    def transcript_ids(self) -> list[str]:
        """All transcript ids of the project, in the order next/previous follow."""
        return list(self._ids)

    @property
    def suggestions(self) -> Any:
        """The loaded suggestions with a ``status`` column (pending/accepted/...)."""
        df = self._sugg.copy()
        df["status"] = self._status
        return df

    # -- checks ----------------------------------------------------------------
    def _check_code(self, code: object) -> str:
        if not isinstance(code, str) or code not in self._labels:
            raise CodebookError(
                Errors.QC923.format(code=code, known=known_codes(self._labels))
            )
        return code

    def _turn(self, turn: object) -> Turn:
        turns = self.transcript_obj.turns
        i = _as_int(turn)
        if i is None or not 0 <= i < len(turns):
            raise InvalidInputError(
                Errors.QC931.format(
                    transcript=self.transcript_id, turn=turn, n=len(turns)
                )
            )
        return turns[i]

    def _turn_of_range(self, start: object, end: object) -> Turn:
        """The turn holding ``[start, end)`` entirely, or OffsetError QC922."""
        t = self.transcript_obj
        s, e = _as_int(start), _as_int(end)

        def fail(detail: str) -> OffsetError:
            return OffsetError(
                Errors.QC922.format(
                    start=start, end=end, transcript=t.id, detail=detail
                )
            )

        if s is None or e is None:
            raise fail("offsets must be whole numbers")
        if not 0 <= s < e <= len(t.text):
            raise fail(f"need 0 <= start < end <= {len(t.text)}, the text's length")
        first, last = t.turn_at(s), t.turn_at(e - 1)
        if first is not None and first is last and e <= first.end:
            return first
        if first is not None and last is not None:
            raise fail(f"they run from turn {first.index} into turn {last.index}")
        raise fail("they include a speaker label or the blank line between turns")

    def _own_coding(self, coding_id: object) -> int:
        """The id of one of this coder's codings, or an error saying why not."""
        cid = _as_int(coding_id)
        df = self.project.codings(transcript_id=self.transcript_id)
        hit = df[df["coding_id"] == cid] if cid is not None else df.iloc[:0]
        if not len(hit) and cid is not None:
            all_ = self.project.codings()
            hit = all_[all_["coding_id"] == cid]
        if not len(hit):
            self.project.remove_coding(coding_id)  # raises StoreError QC407
        owner = str(hit["coder"].iloc[0])
        if owner != self.coder:
            raise InvalidInputError(
                Errors.QC924.format(coding_id=cid, owner=owner, coder=self.coder)
            )
        return int(cid)  # type: ignore[arg-type]

    # -- coding actions ----------------------------------------------------------
    def apply_code(
        self, code: str, start: int, end: int, *, memo: str | None = None
    ) -> int:
        """Code ``[start, end)`` (inside one turn) of the current transcript.

        Written to the project at once; returns the coding id (the existing id
        when this coder already has exactly this coding).

        Raises
        ------
        CodebookError
            ``code`` is not in the project's codebook (QC923); nothing is written.
        OffsetError
            The range is empty, outside the text, or not inside one turn (QC922).
        """
        self._check_code(code)
        turn = self._turn_of_range(start, end)
        cid = self.project.add_coding(
            self.transcript_id,
            int(start),
            int(end),
            code,
            self.coder,
            memo=memo or None,
        )
        self.current_code = code
        self.active_coding = cid
        self.selection = None
        self.status = (
            f"Coded {self._labels[code]} in turn {turn.index} [{start}, {end})."
        )
        return cid

    def apply_code_to_turn(
        self, code: str, turn: int, *, memo: str | None = None
    ) -> int:
        """Code a whole turn (by its index) of the current transcript; return the id.

        Raises
        ------
        CodebookError
            Unknown code (QC923).
        InvalidInputError
            No such turn (QC931).
        """
        self._check_code(code)
        t = self._turn(turn)
        cid = self.project.code_turn(
            self.transcript_id, t.index, code, self.coder, memo=memo or None
        )
        self.current_code = code
        self.active_coding = cid
        self.selection = None
        who = t.speaker or "no speaker"
        self.status = f"Coded {self._labels[code]} on turn {t.index} ({who})."
        return cid

    def apply_to_selection(self, code: str) -> int:
        """Apply ``code`` to the selected range or turn (see :meth:`select`).

        Raises
        ------
        InvalidInputError
            Nothing is selected (QC926).
        """
        self._check_code(code)
        sel = self.selection
        if sel is None:
            raise InvalidInputError(Errors.QC926.format(transcript=self.transcript_id))
        if sel["kind"] == "turn":
            return self.apply_code_to_turn(code, int(sel["turn"]))
        return self.apply_code(code, int(sel["start"]), int(sel["end"]))

    def remove_coding(self, coding_id: int) -> None:
        """Delete one of this coder's codings.

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        InvalidInputError
            The coding belongs to another coder (QC924); nothing is removed.
        """
        cid = self._own_coding(coding_id)
        self.project.remove_coding(cid)
        if self.active_coding == cid:
            self.active_coding = None
        self.status = f"Removed coding {cid}."

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        """Set the memo of one of this coder's codings (empty text clears it).

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        InvalidInputError
            The coding belongs to another coder (QC924), or the memo is not text.
        """
        if memo is not None and not isinstance(memo, str):
            raise invalid("memo", "set_memo", "a string or None", memo)
        cid = self._own_coding(coding_id)
        memo = memo if memo and memo.strip() else None
        self.project.set_memo(cid, memo)
        self.active_coding = cid
        self.status = f"Memo {'saved' if memo else 'cleared'} for coding {cid}."

    def activate_coding(self, coding_id: int | None) -> None:
        """Show one coding (its memo) in the side panel; None hides it. No write."""
        if coding_id is None:
            self.active_coding = None
            return
        cid = _as_int(coding_id)
        ids = set(self.project.codings(transcript_id=self.transcript_id)["coding_id"])
        if cid not in ids:
            raise invalid(
                "coding_id",
                "activate_coding",
                f"a coding id of transcript '{self.transcript_id}'",
                coding_id,
            )
        self.active_coding = cid

    # -- selection ---------------------------------------------------------------
    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` inside one turn (else OffsetError QC922)."""
        turn = self._turn_of_range(start, end)
        self.selection = {
            "kind": "range",
            "start": int(start),
            "end": int(end),
            "turn": turn.index,
        }

    def select_turn(self, turn: int) -> None:
        """Select a whole turn (InvalidInputError QC931 when there is no such turn)."""
        t = self._turn(turn)
        self.selection = {
            "kind": "turn",
            "start": t.start,
            "end": t.end,
            "turn": t.index,
        }

    def clear_selection(self) -> None:
        """Forget the selection."""
        self.selection = None

    def set_current_code(self, code: str | None) -> None:
        """Highlight a code in the tree (no write); None clears it."""
        self.current_code = None if code is None else self._check_code(code)

    # -- navigation --------------------------------------------------------------
    def go_to(self, transcript: str | int) -> str:
        """Open a transcript by id or position; return its id."""
        self._open(self._resolve_transcript(transcript))
        self.status = (
            f"Opened {self.transcript_id} ({self.index + 1} of {len(self._ids)})."
        )
        return self.transcript_id

    def next_transcript(self) -> str:
        """Open the next transcript (stays on the last one); return the id."""
        if self.index + 1 >= len(self._ids):
            self.status = "This is the last transcript."
            return self.transcript_id
        return self.go_to(self.index + 1)

    def previous_transcript(self) -> str:
        """Open the previous transcript (stays on the first one); return the id."""
        if self.index == 0:
            self.status = "This is the first transcript."
            return self.transcript_id
        return self.go_to(self.index - 1)

    def filter_uncoded(self, value: bool = True) -> None:
        """Show only the turns this coder has not coded yet (True) or all turns."""
        check_choice(value, (True, False), param="value", caller="filter_uncoded")
        self.uncoded_only = bool(value)
        self.status = "Showing uncoded turns only." if value else "Showing all turns."

    def visible_turns(self, codings: list[dict[str, Any]] | None = None) -> list[int]:
        """Indexes of the turns shown under the current filter.

        ``codings`` (from :meth:`codings_state`) saves a second read of the store.
        """
        turns = self.transcript_obj.turns
        if not self.uncoded_only:
            return [t.index for t in turns]
        if codings is None:
            coded = self._coded_turns()
        else:
            coded = {c["turn"] for c in codings if c["mine"] and c["turn"] is not None}
        return [t.index for t in turns if t.index not in coded]

    def _coded_turns(self) -> set[int]:
        df = self.project.codings(coder=self.coder, transcript_id=self.transcript_id)
        return {int(v) for v in df["turn"].dropna().tolist()}

    # -- suggestions -------------------------------------------------------------
    def _check_suggestion(self, index: object) -> int:
        if not len(self._sugg):
            raise InvalidInputError(Errors.QC928)
        if index is None:
            index = self.current_suggestion
            if index is None:
                raise InvalidInputError(
                    Errors.QC925.format(index=None, n=len(self._sugg))
                )
        i = _as_int(index)
        if i is None or not 0 <= i < len(self._sugg):
            raise InvalidInputError(Errors.QC925.format(index=index, n=len(self._sugg)))
        return i

    def _pending_here(self) -> list[int]:
        return [i for i in self._here_order() if self._status[i] == _PENDING]

    def _first_pending(self, after: int | None = None) -> int | None:
        """The first pending suggestion here, or the next one after ``after``."""
        pending = self._pending_here()
        if not pending:
            return None
        order = self._here_order()
        if after is not None and after in order:
            pos = order.index(after)
            ahead = set(pending)
            for i in order[pos + 1 :] + order[:pos]:
                if i in ahead:
                    return i
        return pending[0]

    def _here_order(self) -> list[int]:
        """Suggestions on the current transcript: by start, then best score first."""
        return self._order.get(self.transcript_id, [])

    def focus_suggestion(self, index: int) -> None:
        """Make a suggestion the current one (opening its transcript if needed)."""
        i = self._check_suggestion(index)
        tid = str(self._records[i]["transcript_id"])
        if tid != self.transcript_id:
            self._open(self._ids.index(tid))
        self.current_suggestion = i

    def _decide(self, index: int | None, decision: str) -> int:
        import pandas as pd

        from qualcode.tagging import review

        i = self._check_suggestion(index)
        row = self._sugg.iloc[[i]].reset_index(drop=True)
        key = self._key(i)
        if decision == _REJECTED and self._status[i] == _ACCEPTED:
            tagger = str(row["tagger"].iloc[0]) if "tagger" in row else "suggestion"
            mine = self.project.codings(coder=self.coder, transcript_id=key[0])
            hit = mine[
                (mine["start"] == key[1])
                & (mine["end"] == key[2])
                & (mine["code"] == key[3])
                & (mine["origin"] == tagger)
            ]
            for cid in hit["coding_id"].tolist():
                self.project.remove_coding(int(cid))
        decisions = row.assign(decision=decision)
        review(self.project, row, pd.DataFrame(decisions), coder=self.coder)
        self._status[i] = decision
        if key[0] == self.transcript_id:
            self.current_suggestion = self._first_pending(after=i)
        label = self._labels.get(key[3], key[3])
        self.status = (
            f"{decision.capitalize()} suggestion {i} ({label}, [{key[1]}, {key[2]}))."
        )
        return i

    def accept_suggestion(self, index: int | None = None) -> int:
        """Accept a suggestion (default: the current one): code it and log the decision.

        The coding gets ``origin`` = the suggestion's tagger; the decision is logged
        with time and coder (:meth:`Project.decisions`). Returns the coding id.

        Raises
        ------
        InvalidInputError
            No suggestions loaded (QC928) or no such suggestion (QC925).
        """
        i = self._decide(index, _ACCEPTED)
        t, s, e, c = self._key(i)
        mine = self.project.codings(coder=self.coder, transcript_id=t)
        hit = mine[(mine["start"] == s) & (mine["end"] == e) & (mine["code"] == c)]
        cid = int(hit["coding_id"].iloc[0])
        if t == self.transcript_id:
            self.active_coding = cid
        return cid

    def reject_suggestion(self, index: int | None = None) -> None:
        """Reject a suggestion (default: the current one) and log the decision.

        A suggestion accepted earlier loses the coding its acceptance made.
        """
        self._decide(index, _REJECTED)

    # -- state for the front-end --------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything the front-end shows, as JSON-ready dicts and lists."""
        return {
            "transcript": self.transcript_state(),
            "turns": self.turns_state(),
            "codings": self.codings_state(),
            "codes": self.codes_state(),
            "suggestions": self.suggestions_state(),
            "suggestion_counts": self.suggestion_counts(),
            "current_suggestion": self.current_suggestion,
            "selection": self.selection,
            "current_code": self.current_code,
            "active_coding": self.active_coding,
            "uncoded_only": self.uncoded_only,
            "status": self.status,
        }

    def transcript_state(self) -> dict[str, Any]:
        """Id, position and participant attributes of the current transcript."""
        t = self.transcript_obj
        attrs = {
            str(k): (v if isinstance(v, (str, int, float, bool)) else str(v))
            for k, v in t.attributes.items()
            if v is not None and v == v
        }
        return {
            "id": t.id,
            "index": self.index,
            "n": len(self._ids),
            "ids": list(self._ids),
            "attributes": attrs,
            "n_turns": len(t.turns),
            "coder": self.coder,
            "compare_with": self.compare_with,
            "media": self.media_state(),
        }

    def turns_state(self, visible: list[int] | None = None) -> list[dict[str, Any]]:
        """The turns of the current transcript, with speaker, role and visibility.

        ``time_start``/``time_end`` are the turn's own times (seconds or None);
        ``play_end`` is where its playback ends: its end, else the next timed
        turn's start (see :func:`qualcode.media.turn_times`).
        """
        shown = set(self.visible_turns() if visible is None else visible)
        times = turn_times(self.transcript_obj)
        return [
            {
                "index": u.index,
                "speaker": u.speaker,
                "role": u.role,
                "start": u.start,
                "end": u.end,
                "text": u.text,
                "time_start": u.time_start,
                "time_end": u.time_end,
                "play_end": times[u.index][1],
                "visible": u.index in shown,
            }
            for u in self.transcript_obj.turns
        ]

    def codings_state(self) -> list[dict[str, Any]]:
        """This coder's (and the compared coder's) codings on the current transcript."""
        coders = [self.coder] + ([self.compare_with] if self.compare_with else [])
        df = self.project.codings(coder=coders, transcript_id=self.transcript_id)
        out = []
        for r in df[
            ["coding_id", "start", "end", "code", "coder", "origin", "memo", "turn"]
        ].itertuples(index=False):
            memo = r.memo if isinstance(r.memo, str) else None
            origin = r.origin if isinstance(r.origin, str) else None
            turn = None if r.turn is None or r.turn != r.turn else int(r.turn)
            out.append(
                {
                    "coding_id": int(r.coding_id),
                    "start": int(r.start),
                    "end": int(r.end),
                    "code": str(r.code),
                    "label": self._labels.get(str(r.code), str(r.code)),
                    "color": self._colors.get(str(r.code), "#888888"),
                    "coder": str(r.coder),
                    "mine": str(r.coder) == self.coder,
                    "origin": origin,
                    "memo": memo,
                    "turn": turn,
                }
            )
        return out

    def codes_state(self) -> list[dict[str, Any]]:
        """The code tree (hierarchy order) with colours and definitions."""
        return self._codes

    def suggestions_state(self) -> list[dict[str, Any]]:
        """Suggestions on the current transcript, in text order, with evidence spans."""
        if not len(self._sugg):
            return []
        text = self.transcript_obj.text
        out = []
        for i in self._here_order():
            r = self._records[i]
            s, e = int(r["start"]), int(r["end"])
            ev = r.get("evidence")
            score = r.get("score")
            code = str(r["code"])
            turn = self.transcript_obj.turn_at(s)
            out.append(
                {
                    "i": i,
                    "start": s,
                    "end": e,
                    "code": code,
                    "label": self._labels.get(code, code),
                    "color": self._colors.get(code, "#888888"),
                    "score": _float_or_none(score),
                    "evidence": ev if isinstance(ev, str) else "",
                    "evidence_spans": evidence_spans(text[s:e], s, ev),
                    "status": self._status[i],
                    "turn": None if turn is None else turn.index,
                }
            )
        return out

    def suggestion_counts(self) -> dict[str, int]:
        """Pending suggestions here and overall, and decisions made."""
        here = self._pending_here()
        return {
            "total": len(self._status),
            "pending": sum(s == _PENDING for s in self._status),
            "pending_here": len(here),
            "accepted": sum(s == _ACCEPTED for s in self._status),
            "rejected": sum(s == _REJECTED for s in self._status),
        }

    # -- dispatch of front-end messages -------------------------------------------
    ACTIONS: dict[str, tuple[str, Sequence[str]]] = {
        "apply": ("apply_to_selection", ("code",)),
        "apply_code": ("apply_code", ("code", "start", "end")),
        "apply_code_to_turn": ("apply_code_to_turn", ("code", "turn")),
        "remove_coding": ("remove_coding", ("coding_id",)),
        "set_memo": ("set_memo", ("coding_id", "memo")),
        "activate_coding": ("activate_coding", ("coding_id",)),
        "select": ("select", ("start", "end")),
        "select_turn": ("select_turn", ("turn",)),
        "clear_selection": ("clear_selection", ()),
        "set_current_code": ("set_current_code", ("code",)),
        "next": ("next_transcript", ()),
        "previous": ("previous_transcript", ()),
        "go_to": ("go_to", ("transcript",)),
        "filter_uncoded": ("filter_uncoded", ("value",)),
        "accept": ("accept_suggestion", ("index",)),
        "reject": ("reject_suggestion", ("index",)),
        "focus_suggestion": ("focus_suggestion", ("index",)),
    }

    def dispatch(self, message: dict[str, Any]) -> Any:
        """Run one front-end message ``{"action": name, ...arguments}``.

        Raises
        ------
        InvalidInputError
            Unknown action (QC930) or a missing argument; the action's own
            errors otherwise.
        """
        action = message.get("action") if isinstance(message, dict) else None
        if action not in self.ACTIONS:
            raise InvalidInputError(Errors.QC930.format(action=action))
        method, params = self.ACTIONS[action]
        kwargs = {}
        for p in params:
            if p not in message and p not in ("index", "memo"):
                raise invalid(p, f"CodingWidget action {action!r}", "present", None)
            kwargs[p] = message.get(p)
        return getattr(self, method)(**kwargs)
