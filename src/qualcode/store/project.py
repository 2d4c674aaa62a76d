"""The qualcode project: :class:`Project`, thin methods over the store's functions.

One project is one SQLite file (suffix ``.qcproj`` by convention). Every write is
one transaction, so a crash, a kill or a bad row in a bulk operation leaves the
file exactly as it was. The file uses WAL journaling and a busy timeout: a second
process can read while one writes, and a writer that cannot get the lock within
``timeout`` seconds gets :class:`~qualcode.errors.StoreLockedError`. Nothing is
held only in memory.

Offsets are ``[start, end)`` Python ``str`` indices (Unicode code points) into the
stored text of each transcript.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from qualcode import _columns as C
from qualcode._inputs import is_url, redact
from qualcode._validation import (
    check_choice,
    check_number,
    invalid,
    require_columns,
)
from qualcode.codebook import Codebook
from qualcode.errors import (
    CodebookWarning,
    Errors,
    InvalidInputError,
)
from qualcode.model import Transcript
from qualcode.store import _codebooks as CB
from qualcode.store import _codings as K
from qualcode.store import _llm as L
from qualcode.store import _transcripts as T
from qualcode.store._checks import MEMO_BAD, check_field
from qualcode.store._db import Session, connect
from qualcode.store._frames import SHOW_ROWS, describe_rows, jsonable
from qualcode.store._housekeeping import Housekeeping
from qualcode.store._pg import connect_url
from qualcode.store._teamwork import Teamwork

__all__ = ["Project"]

_CODING_KEY = ("transcript_id", "start", "end", "code", "coder")


class Project(Teamwork, Housekeeping):
    """A qualcode project: transcripts, codebooks and codings in one store.

    The store is one SQLite file (the default, embedded), or a PostgreSQL
    database for a team (``qualcode[server]``; set up with :func:`server_init`
    and :func:`server_add_coder`), where the database itself lets each coder
    change only their own codings. Everything below works the same on both.

    Parameters
    ----------
    path : str or Path
        The project file (``.qcproj`` by convention), created when missing; or
        the URL of a team project, ``postgresql://USER@HOST:PORT/DATABASE``
        (the password from the URL, ``PGPASSWORD`` or ``~/.pgpass``; it is never
        kept in :attr:`path` or shown in messages).
    timeout : float, default 10.0
        Seconds to wait for another process's write lock before raising
        :class:`~qualcode.errors.StoreLockedError`.

    Raises
    ------
    StoreError
        The file is not a qualcode project, or was written by a newer qualcode;
        the server cannot be reached or refuses the login (each with what to do).

    Notes
    -----
    Codings are ``[start, end)`` offsets into the stored text. When a transcript
    is added again with changed text, each coding moves to the exact occurrence
    of its quoted text nearest to its old position (shifted by the edits before
    it); codings whose quote is gone become orphans (:meth:`orphans`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode.model import Transcript, TurnDraft
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.qcproj"
    >>> t = Transcript.build(
    ...     "int01",
    ...     [
    ...         TurnDraft("What do you prioritise?", "Interviewer", "interviewer"),
    ...         TurnDraft("Safeguarding children first.", "P1", "participant"),
    ...     ],
    ...     attributes={"organisation": "Force A"},
    ... )
    >>> with Project(path) as project:
    ...     report = project.add_transcripts([t])
    ...     cid = project.code_turn("int01", 1, "safeguard", "ana")
    ...     df = project.codings()
    >>> df.loc[0, ["code", "coder", "text", "speaker", "organisation"]].tolist()
    ['safeguard', 'ana', 'Safeguarding children first.', 'P1', 'Force A']
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        check_number(timeout, param="timeout", caller="Project", low=0)
        self.timeout = float(timeout)
        self._session: Session | None = None
        if is_url(path):  # a team project on a PostgreSQL server
            assert isinstance(path, str)
            self.path = redact(path)
            self._session = connect_url(path, self.timeout)
            return
        self.path = Path(path)
        self._session = connect(self.path, self.timeout)

    # -- lifecycle -----------------------------------------------------------
    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._session is None:
            return f"Project({str(self.path)!r}, closed)"
        with self._tx(write=False) as s:
            nt = s.scalar("SELECT count(*) FROM transcripts")
            nc = s.scalar("SELECT count(*) FROM codings")
            nk = s.scalar("SELECT count(*) FROM coders")
        return (
            f"Project({str(self.path)!r}, transcripts={nt}, codings={nc}, coders={nk})"
        )

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Project]:
        """Make every call on this project inside the block one transaction.

        All writes inside commit together at the end of the block, or none of
        them does (an exception undoes everything written inside). Every read
        inside sees one snapshot, untouched by other processes. Calls nest: a
        public method called inside joins the transaction (as a savepoint, so a
        failed call that you catch undoes only its own writes), and so does an
        inner ``transaction()``. Other processes wait (up to ``timeout``) to
        write while a write transaction is open, so keep it short.

        Parameters
        ----------
        write : bool, default True
            False for a read-only snapshot (writes inside raise QC401; other
            processes may go on writing meanwhile).

        Yields
        ------
        Project
            This project.

        Raises
        ------
        StoreLockedError
            Another process held the write lock for longer than ``timeout``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> with p.transaction():
        ...     _ = p.add_transcripts([Transcript("a", "Yes. No.")])
        ...     _ = p.add_coding("a", 0, 4, "yes", "ana")
        >>> try:
        ...     with p.transaction():
        ...         _ = p.add_coding("a", 5, 8, "no", "ana")
        ...         raise KeyboardInterrupt
        ... except KeyboardInterrupt:
        ...     pass
        >>> p.codings()["text"].tolist()
        ['Yes.']
        >>> p.close()
        """
        check_choice(write, (True, False), param="write", caller="transaction")
        with self._tx(write=write):
            yield self

    # -- transcripts ---------------------------------------------------------
    def add_transcripts(
        self, transcripts: Iterable[Transcript] | Transcript
    ) -> pd.DataFrame:
        """Store transcripts (a Corpus, a list or any iterable, streamed in batches).

        All in one transaction: if any item is bad, nothing is stored. A
        transcript whose id is already stored is compared by SHA-256: the same
        text is ``"unchanged"`` (attributes, source and turns are refreshed; new
        attribute values win), or ``"turns_updated"`` when its turns changed
        (speakers, roles, boundaries or times, e.g. read again with a new
        ``speakers=`` mapping; codings stay where they are); changed text is
        ``"updated"`` and its codings are re-anchored by their quoted text, or
        become orphans when the quote is gone.

        Parameters
        ----------
        transcripts : Corpus, Transcript or iterable of Transcript

        Returns
        -------
        pandas.DataFrame
            One row per transcript:

            - ``transcript_id``
            - ``status``: ``"added"``, ``"unchanged"``, ``"turns_updated"`` or
              ``"updated"``
            - ``reanchored``: codings placed on the new text (updated only)
            - ``orphaned``: codings that could not be placed (see :meth:`orphans`)

        Raises
        ------
        InvalidInputError
            An item is not a Transcript, or an id repeats.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> p.add_transcripts([Transcript("a", "Yes. No.")])
          transcript_id status  reanchored  orphaned
        0             a  added           0         0
        >>> _ = p.add_coding("a", 5, 8, "no", "ana")
        >>> p.add_transcripts([Transcript("a", "Well. Yes. No.")])
          transcript_id status  reanchored  orphaned
        0             a updated           1         0
        >>> p.codings()[["start", "end", "text"]]
           start  end text
        0     11   14  No.
        >>> p.close()
        """
        if isinstance(transcripts, Transcript):
            transcripts = [transcripts]
        with self._tx(write=True) as s:
            report = T.add_transcripts(s, transcripts)
        return C.frame(report, C.TRANSCRIPT_REPORT)

    def replace_texts(
        self,
        edits: Iterable[tuple[str, Transcript, Callable[[int, int], tuple[int, int]]]],
        *,
        rewrite: Callable[[str], str] | None = None,
        purge: bool = False,
    ) -> dict[str, int]:
        """Replace transcripts' text when the edit's effect on offsets is known.

        Unlike :meth:`add_transcripts`, which re-anchors codings by their quoted
        text, this moves codings through an exact offset map (as
        :func:`qualcode.pseudonymise` makes). Two codings that land on the same
        span with the same code and coder become one (memos joined). All in one
        transaction.

        Parameters
        ----------
        edits : iterable of (transcript_id, Transcript, span_map)
            The stored id, the new transcript (text, turns, attributes, source;
            its id may differ to rename the transcript), and
            ``span_map(start, end) -> (new_start, new_end)`` for codings and the
            decision log.
        rewrite : callable str -> str, optional
            Applied to every coding memo, orphan quote and memo, and decision
            evidence in the project (codebooks are left alone).
        purge : bool, default False
            Then checkpoint the WAL and VACUUM with ``secure_delete``, so the
            old text is gone from the file's bytes too.

        Returns
        -------
        dict
            ``transcripts``, ``codings`` (moved), ``merged``, ``decisions``.

        Raises
        ------
        StoreError
            Unknown transcript (QC402), a new id already taken (QC808), or the
            purge could not finish because another connection reads (QC812).
        OffsetError
            ``span_map`` gives offsets outside the new text (nothing changed).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "Ask Smith now.")])
        >>> _ = p.add_coding("a", 10, 14, "x", "ana")
        >>> p.replace_texts(
        ...     [
        ...         (
        ...             "a",
        ...             Transcript("a", "Ask Person B now."),
        ...             lambda s, e: (s + 3, e + 3),
        ...         )
        ...     ],
        ...     purge=True,
        ... )
        {'transcripts': 1, 'codings': 1, 'merged': 0, 'decisions': 0}
        >>> p.codings()["text"].tolist()
        ['now.']
        >>> p.close()
        """
        with self._tx(write=True) as s:
            if purge:
                s.dialect.secure_delete(s)
            counts = T.replace_texts(s, edits, rewrite)
            if purge:  # after the outermost commit (VACUUM needs no transaction)
                s.after_commit.append(lambda: s.dialect.purge(s))
        return counts

    def transcript_ids(self) -> list[str]:
        """Ids of the stored transcripts, in the order they were added."""
        with self._tx(write=False) as s:
            return T.transcript_ids(s)

    @property
    def transcripts(self) -> pd.DataFrame:
        """One row per stored transcript.

        Columns ``transcript_id, sha256, n_turns, n_chars, source, format,
        encoding``, then one column per participant attribute.
        """
        with self._tx(write=False) as s:
            return T.transcripts_frame(s)

    def transcript(self, transcript_id: str) -> Transcript:
        """The stored transcript, with its turns and attributes, exactly as added.

        Raises
        ------
        StoreError
            Unknown id (QC402).
        """
        with self._tx(write=False) as s:
            return T.read_transcripts(s, [transcript_id], strict=True)[0]

    def iter_transcripts(
        self, ids: Iterable[str] | None = None
    ) -> Iterator[Transcript]:
        """Yield stored transcripts (all, in order added, or those in ``ids``).

        Read in batches, so a large project never sits in memory at once.
        """
        ids = self.transcript_ids() if ids is None else list(ids)
        yield from T.iter_transcripts(self._live(), ids)

    @property
    def turns(self) -> pd.DataFrame:
        """One row per turn of every stored transcript (TURNS schema + attributes)."""
        with self._tx(write=False) as s:
            return T.turns_frame(s)

    def set_attributes(
        self, attributes: pd.DataFrame | Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Update participant attributes, keyed by transcript id.

        Parameters
        ----------
        attributes : DataFrame or mapping
            A frame with a ``transcript_id`` column and one column per attribute
            (missing values leave an attribute as it is), or a mapping
            ``{transcript_id: {attribute: value}}`` (None clears a value).
            Given values replace stored ones; other attributes are kept.

        Raises
        ------
        StoreError
            A transcript id is not in the project (nothing is changed).
        """
        if isinstance(attributes, pd.DataFrame):
            require_columns(
                attributes,
                ["transcript_id"],
                caller="set_attributes",
                param="attributes",
            )
            updates: dict[str, dict[str, Any]] = {}
            cols = [c for c in attributes.columns if c != "transcript_id"]
            for rec in attributes[["transcript_id", *cols]].itertuples(index=False):
                vals = {
                    c: v
                    for c, v in zip(cols, rec[1:], strict=True)
                    if jsonable(v) is not None
                }
                updates.setdefault(str(rec[0]), {}).update(vals)
        elif isinstance(attributes, Mapping):
            updates = {str(k): dict(v) for k, v in attributes.items()}
        else:
            raise invalid(
                "attributes",
                "set_attributes",
                "a DataFrame or a mapping",
                type(attributes).__name__,
            )
        with self._tx(write=True) as s:
            T.set_attributes(s, updates)

    # -- codebooks -----------------------------------------------------------
    def set_codebook(self, codebook: Codebook | str | Path) -> None:
        """Store a codebook version and make it current for its name.

        Several codebooks (e.g. roles, harms, culture) may be current at once,
        one per name; setting a name again with new content adds a version. Code
        ids must be unique across the current codebooks.

        Parameters
        ----------
        codebook : Codebook or path
            A Codebook, or a ``.yaml``/``.qdc`` file to load.

        Raises
        ------
        CodebookError
            A code id already belongs to another current codebook (QC411).
        """
        if isinstance(codebook, (str, Path)):
            codebook = Codebook.load(codebook)
        if not isinstance(codebook, Codebook):
            raise invalid(
                "codebook",
                "set_codebook",
                "a Codebook or a path",
                type(codebook).__name__,
            )
        with self._tx(write=True) as s:
            missing = CB.set_codebook(s, codebook)
        if missing:
            warnings.warn(
                f"set_codebook: codings in {self.path} use codes that no current "
                f"codebook defines: {missing[:SHOW_ROWS]}"
                f"{' ...' if len(missing) > SHOW_ROWS else ''}. They are kept; "
                "add the codes back or recode them.",
                CodebookWarning,
                stacklevel=2,
            )

    def current_codebooks(self) -> list[Codebook]:
        """The current version of each codebook in the project, one by one.

        Unlike :attr:`codebook` (all current codebooks combined into one), each
        keeps its own name and version, in the order the codebooks were added.

        Returns
        -------
        list of Codebook

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.codebook import Code, Codebook
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> p.set_codebook(Codebook([Code("pursue", "Pursue")], name="roles"))
        >>> p.set_codebook(Codebook([Code("harm", "Harm")], name="harms"))
        >>> [cb.name for cb in p.current_codebooks()]
        ['roles', 'harms']
        >>> p.close()
        """
        with self._tx(write=False) as s:
            return CB.current_codebooks(s)

    @property
    def codebook(self) -> Codebook | None:
        """All current codebooks combined (None when no codebook is set)."""
        with self._tx(write=False) as s:
            return CB.code_index(s)[0]

    @property
    def codebooks(self) -> pd.DataFrame:
        """The stored codebook versions.

        Columns ``codebook_id, name, version, hash, n_codes, added, current``.
        """
        with self._tx(write=False) as s:
            return CB.codebooks_frame(s)

    # -- coders --------------------------------------------------------------
    def coding_widget(
        self,
        *,
        coder: str,
        transcript: str | int | None = None,
        suggestions: Any = None,
        compare_with: str | None = None,
    ) -> Any:
        """Open the interactive coding widget on this project (JupyterLab).

        Every action in the widget (apply, remove, memo, accept, reject) is written
        to this project at once. See :func:`qualcode.widget.coding_widget`.

        Examples
        --------
        >>> import qualcode as qc
        >>> callable(qc.Project.coding_widget)
        True
        """
        from qualcode.widget import coding_widget

        return coding_widget(
            self,
            coder=coder,
            transcript=transcript,
            suggestions=suggestions,
            compare_with=compare_with,
        )

    @property
    def coders(self) -> list[str]:
        """Coder names, in the order they first coded."""
        with self._tx(write=False) as s:
            return K.coders(s)

    # -- codings -------------------------------------------------------------
    def add_coding(
        self,
        transcript_id: str,
        start: int,
        end: int,
        code: str,
        coder: str,
        *,
        memo: str | None = None,
        origin: str = "manual",
        new_coder: bool | None = None,
    ) -> int:
        """Code ``[start, end)`` of a transcript; return the coding id.

        Adding the same (transcript, start, end, code, coder) again returns the
        existing id and changes nothing.

        Parameters
        ----------
        transcript_id : str
        start, end : int
            ``[start, end)`` offsets into the stored text.
        code, coder : str
            Ids and names hold no control characters or line breaks.
        memo : str, optional
            Tabs and ``\n`` line breaks are kept.
        origin : str, default "manual"
        new_coder : bool, optional
            Whether ``coder`` may be a coder the project does not have yet.
            None (default): yes, unless the name differs from a stored coder
            only by case or surrounding spaces (``"mk"`` beside ``"MK"``:
            QC416, with a "did you mean"). True: any new name. False: only
            stored coders (what the command line uses unless ``--new-coder``).

        Raises
        ------
        StoreError
            Unknown transcript (QC402).
        OffsetError
            Offsets outside ``0 <= start < end <= len(text)`` (QC105).
        CodebookError
            Unknown code while a codebook is set (QC302).
        InvalidInputError
            Empty coder, code or origin (QC412); a control character or lone
            surrogate (QC414); a coder refused by ``new_coder`` (QC416).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "Yes. No.")])
        >>> p.add_coding("a", 0, 4, "yes", "MK")
        1
        >>> p.add_coding("a", 5, 8, "no", "mk")
        Traceback (most recent call last):
        ...
        qualcode.errors.InvalidInputError: [QC416] add_coding: coder 'mk' is not in
        project ... (did you mean 'MK'?). Use the existing name, or pass
        new_coder=True to add a new coder.
        >>> p.close()
        """
        check_choice(
            new_coder, (None, True, False), param="new_coder", caller="add_coding"
        )
        for what, val in (("coder", coder), ("code", code), ("origin", origin)):
            if not isinstance(val, str) or not val:
                raise InvalidInputError(
                    Errors.QC412.format(caller="add_coding", what=what, got=val)
                )
        if memo is not None and not isinstance(memo, str):
            raise invalid("memo", "add_coding", "a string or None", memo)
        with self._tx(write=True) as s:
            return K.add_coding(
                s,
                transcript_id,
                start,
                end,
                code,
                coder,
                memo=memo,
                origin=origin,
                new_coder=new_coder,
            )

    def code_turn(
        self, transcript_id: str, turn: int, code: str, coder: str, **kwargs: Any
    ) -> int:
        """Code a whole turn (by index); keywords go to :meth:`add_coding`.

        Raises
        ------
        StoreError
            Unknown transcript.
        InvalidInputError
            No such turn (QC408).
        """
        with self._tx(write=False) as s:
            start, end = K.turn_span(s, transcript_id, turn)
        return self.add_coding(transcript_id, start, end, code, coder, **kwargs)

    def add_codings(
        self, frame: pd.DataFrame, *, new_coder: bool | None = None
    ) -> list[int]:
        """Add many codings in ONE transaction: all or nothing.

        The whole frame is validated first (vectorised); the error names the
        first offending rows and how many there are. Rows identical to a stored
        coding (or to an earlier row) get that coding's id.

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns ``transcript_id, start, end, code, coder``; optional
            ``origin`` (default ``"manual"``), ``memo``, ``created`` (UTC;
            default now).
        new_coder : bool, optional
            Whether the frame may name coders the project does not have yet;
            see :meth:`add_coding` (None: yes, except a name that differs from
            a stored coder only by case).

        Returns
        -------
        list of int
            The coding id of each row, in row order.

        Raises
        ------
        StoreError, OffsetError, CodebookError, InvalidInputError
            Unknown transcripts, bad offsets, unknown codes, empty names.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import pandas as pd
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> p.add_codings(
        ...     pd.DataFrame(
        ...         {
        ...             "transcript_id": ["a", "a"],
        ...             "start": [0, 3],
        ...             "end": [17, 9],
        ...             "code": ["divert", "divert"],
        ...             "coder": ["ana", "ana"],
        ...         }
        ...     )
        ... )
        [1, 2]
        >>> p.close()
        """
        caller = "add_codings"
        require_columns(frame, _CODING_KEY, caller=caller, param="frame")
        check_choice(new_coder, (None, True, False), param="new_coder", caller=caller)
        if len(frame) == 0:
            return []
        # every transcript and coder id is looked up in this transaction first
        with self._tx(write=True, checked=True) as s:
            prepared = K.prepare_codings(s, frame, caller=caller, new_coder=new_coder)
            return K.write_codings(s, prepared)

    def remove_coding(self, coding_id: int) -> None:
        """Delete one coding.

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        """
        with self._tx(write=True) as s:
            cid = K.coding_exists(s, coding_id)
            s.execute("DELETE FROM codings WHERE coding_id = ?", (cid,))

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        """Set (or clear, with None) the memo of one coding.

        Raises
        ------
        StoreError
            Unknown coding id (QC407).
        """
        if memo is not None and not isinstance(memo, str):
            raise invalid("memo", "set_memo", "a string or None", memo)
        check_field(memo, MEMO_BAD, caller="set_memo", what="memo")
        with self._tx(write=True) as s:
            cid = K.coding_exists(s, coding_id)
            s.execute("UPDATE codings SET memo = ? WHERE coding_id = ?", (memo, cid))

    def codings(
        self,
        *,
        coder: str | Iterable[str] | None = None,
        code: str | Iterable[str] | None = None,
        transcript_id: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """The codings as a tidy DataFrame, with their text, turn and attributes.

        Parameters
        ----------
        coder, code, transcript_id : str or list of str, optional
            Keep only these coders / codes / transcripts.

        Returns
        -------
        pandas.DataFrame
            One row per coding (by coding id): ``coding_id, transcript_id, start,
            end, code, coder, origin, memo, created, codebook_version, text, turn,
            speaker, role``, then one column per participant attribute (named
            ``participant_<name>`` when it clashes with a column). ``text`` is the
            stored text at the offsets; ``turn/speaker/role`` come from the turn
            containing ``start`` (missing when ``start`` is outside every turn).
        """
        with self._tx(write=False) as s:
            return K.codings_frame(
                s, coder=coder, code=code, transcript_id=transcript_id
            )

    def orphans(self) -> pd.DataFrame:
        """Codings that could not be re-anchored after a transcript changed.

        Columns ``orphan_id, coding_id, transcript_id, start, end, code, coder,
        origin, memo, created, codebook_version, quote, reason, old_sha256,
        new_sha256, orphaned``; ``start/end`` and ``quote`` refer to the old text.
        """
        with self._tx(write=False) as s:
            return K.orphans_frame(s)

    # -- suggestion decisions -----------------------------------------------
    def log_decisions(
        self, frame: pd.DataFrame, *, new_coder: bool | None = None
    ) -> None:
        """Log accept/reject decisions on suggestions (time added by the store).

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns ``transcript_id, start, end, code, coder, decision``
            (``"accepted"`` or ``"rejected"``) and optionally ``tagger, score,
            evidence``.
        new_coder : bool, optional
            Whether the frame may name coders the project does not have yet;
            see :meth:`add_coding`.

        Raises
        ------
        StoreError, OffsetError, InvalidInputError
            Unknown transcripts, bad offsets, bad decisions (nothing is logged).
        """
        caller = "log_decisions"
        require_columns(frame, [*_CODING_KEY, "decision"], caller=caller, param="frame")
        check_choice(new_coder, (None, True, False), param="new_coder", caller=caller)
        if not len(frame):
            return
        bad = ~frame["decision"].isin(K.DECISIONS).to_numpy()
        if bad.any():
            raise InvalidInputError(
                describe_rows(
                    frame,
                    bad,
                    caller=caller,
                    problem="have a decision other than 'accepted' or 'rejected'",
                    fix="Fix them and log again.",
                )
            )
        with self._tx(write=True) as s:
            K.log_decisions(s, frame, caller=caller, new_coder=new_coder)

    def decisions(
        self, *, coder: str | Iterable[str] | None = None, include_stale: bool = False
    ) -> pd.DataFrame:
        """The suggestion-decision log.

        Parameters
        ----------
        coder : str or list of str, optional
        include_stale : bool, default False
            Also return decisions whose quoted text vanished when their
            transcript changed (their offsets refer to the old text).

        Returns
        -------
        pandas.DataFrame
            ``decision_id, transcript_id, start, end, code, coder, decision,
            tagger, score, evidence, decided`` (UTC time).
        """
        check_choice(
            include_stale, (True, False), param="include_stale", caller="decisions"
        )
        with self._tx(write=False) as s:
            return K.decisions_frame(s, coder=coder, include_stale=include_stale)

    # -- the LLM audit trail (qualcode.llm_suggest / llm_code) ------------------
    def llm_calls(self) -> pd.DataFrame:
        """The audit trail of model calls, oldest first (one row per call).

        Written by :func:`qualcode.llm_suggest` and :func:`qualcode.llm_code`
        as each call finishes; it is also their cache (see ``key``).

        Returns
        -------
        pandas.DataFrame
            ``call_id, key, created, status, error, transcript_id, unit, turn,
            start, end, endpoint, model, model_reported, server_model,
            model_digest, prompt_version, parameters, prompt, answer,
            finish_reason, attempts, latency, prompt_tokens, completion_tokens,
            n_proposed, n_accepted, n_rejected, verification``. ``status`` is
            ``"ok"`` (the answer was read) or ``"failed"`` (``error`` says why);
            ``prompt`` is the filled prompt (JSON of the chat messages),
            ``parameters`` the sampling parameters and answer schema (JSON),
            ``verification`` one JSON object per proposed coding (code, quote,
            accepted, reason, offsets). No key or password is ever stored.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> p.llm_calls().columns[:4].tolist()
        ['call_id', 'key', 'created', 'status']
        >>> p.close()
        """
        with self._tx(write=False) as s:
            return L.calls_frame(s)

    def record_llm_call(self, record: Mapping[str, Any]) -> int:
        """Store one model call in the audit trail at once; return its ``call_id``.

        ``record`` holds the columns of :meth:`llm_calls` (``call_id`` and
        ``created`` are set here). Used by :func:`qualcode.llm_suggest`.
        """
        with self._tx(write=True) as s:
            return L.record_call(s, record)

    def find_llm_call(self, key: str) -> dict[str, Any] | None:
        """The last answered call with this cache ``key`` (a dict), or None."""
        with self._tx(write=False) as s:
            return L.find_call(s, key)
