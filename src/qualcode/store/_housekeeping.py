"""Tidying a project: the public methods (the SQL is in :mod:`._tidy`)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from qualcode._validation import check_choice, check_type
from qualcode.store import _tidy
from qualcode.store._base import ProjectBase

__all__ = ["Housekeeping"]


def _by(by: object, caller: str) -> str | None:
    check_type(by, str, param="by", caller=caller, allow_none=True)
    return by  # type: ignore[return-value]


class Housekeeping(ProjectBase):
    """Renames, merges and removals, each in the change log (mixed into Project)."""

    def rename_code(
        self, old: str, new: str, *, by: str | None = None
    ) -> dict[str, int]:
        """Rename a code everywhere: codings, decisions, orphans and the codebook.

        When a current codebook defines ``old``, a new version of that codebook
        is stored (version ``<version>+tidy.<n>``) with the code renamed and its
        children pointing to the new id; save :meth:`current_codebooks` to keep
        your YAML file in step. When the codebook already calls it ``new`` (you
        renamed it there first), only the codings move. Codings that become
        identical to one already coded ``new`` (same transcript, span and coder)
        collapse into it, their memos joined. One transaction, recorded in
        :meth:`changes`.

        Parameters
        ----------
        old, new : str
            The code ids (no control characters or line breaks).
        by : str, optional
            Who did it, for the change log.

        Returns
        -------
        dict
            ``codings`` (moved), ``collapsed``, ``decisions``, ``orphans``.

        Raises
        ------
        InvalidInputError
            ``old`` is not a code of this project (QC109, with a "did you mean").
        StoreError
            ``new`` is already a code of the codebook: use :meth:`merge_codes`
            (QC417).
        CodebookError
            ``new`` is not a valid code id.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> _ = p.add_coding("a", 3, 9, "divertion", "ana")
        >>> p.rename_code("divertion", "diversion", by="ana")
        {'codings': 1, 'collapsed': 0, 'decisions': 0, 'orphans': 0}
        >>> p.codings()["code"].tolist()
        ['diversion']
        >>> p.close()
        """
        by = _by(by, "rename_code")
        with self._tx(write=True) as s:
            return _tidy.rename_code(s, old, new, by=by)

    def merge_codes(
        self, sources: str | Iterable[str], into: str, *, by: str | None = None
    ) -> dict[str, int]:
        """Make the codings of ``sources`` codings of ``into``; drop the sources.

        Exact duplicates (same transcript, span and coder) collapse into one,
        memos joined; each collapse is listed in the change log entry. Source
        codes defined in a current codebook are removed in a new version of it
        (their children move up to the removed code's parent). One transaction,
        recorded in :meth:`changes`.

        Parameters
        ----------
        sources : str or iterable of str
        into : str
            A code of the codebook (when one is set).
        by : str, optional
            Who did it, for the change log.

        Returns
        -------
        dict
            ``codings`` (moved), ``collapsed``, ``decisions``, ``orphans``.

        Raises
        ------
        InvalidInputError
            A source or ``into`` is not a code here (QC109, "did you mean").
        StoreError
            ``into`` is also a source (QC417).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> _ = p.add_coding("a", 3, 9, "divert", "ana")
        >>> _ = p.add_coding("a", 3, 9, "refer", "ana")
        >>> p.merge_codes(["refer"], "divert")
        {'codings': 0, 'collapsed': 1, 'decisions': 0, 'orphans': 0}
        >>> p.close()
        """
        by = _by(by, "merge_codes")
        with self._tx(write=True) as s:
            return _tidy.merge_codes(s, list(_strs(sources)), into, by=by)

    def rename_coder(
        self, old: str, new: str, *, by: str | None = None
    ) -> dict[str, int]:
        """Give a coder another name, in codings, decisions and orphans.

        Parameters
        ----------
        old, new : str
            ``new`` must not be a coder here yet (use :meth:`merge_coders`).
        by : str, optional
            Who did it, for the change log.

        Returns
        -------
        dict
            ``codings``, ``decisions``, ``orphans`` now under ``new``.

        Raises
        ------
        InvalidInputError
            ``old`` is not a coder here (QC109, "did you mean").
        StoreError
            ``new`` is already a coder (QC417).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> _ = p.add_coding("a", 3, 9, "divert", "an")
        >>> p.rename_coder("an", "ana")
        {'codings': 1, 'decisions': 0, 'orphans': 0}
        >>> p.coders
        ['ana']
        >>> p.close()
        """
        by = _by(by, "rename_coder")
        with self._tx(write=True) as s:
            return _tidy.rename_coder(s, old, new, by=by)

    def merge_coders(
        self, sources: str | Iterable[str], into: str, *, by: str | None = None
    ) -> dict[str, int]:
        """The codings and decisions of ``sources`` become ``into``'s.

        ``into`` may be a stored coder or a new name. Exact duplicates (same
        transcript, span and code) collapse, memos joined and recorded; the
        source coders are removed. One transaction, in :meth:`changes`.

        Parameters
        ----------
        sources : str or iterable of str
        into : str
        by : str, optional
            Who did it, for the change log.

        Returns
        -------
        dict
            ``codings`` (moved), ``collapsed``, ``decisions``, ``orphans``.

        Raises
        ------
        InvalidInputError
            A source is not a coder here (QC109, "did you mean").
        StoreError
            ``into`` is also a source (QC417).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "We divert people.")])
        >>> _ = p.add_coding("a", 3, 9, "divert", "MK")
        >>> _ = p.add_coding("a", 0, 2, "we", "mk", new_coder=True)
        >>> p.merge_coders("mk", "MK")
        {'codings': 1, 'collapsed': 0, 'decisions': 0, 'orphans': 0}
        >>> p.coders
        ['MK']
        >>> p.close()
        """
        by = _by(by, "merge_coders")
        with self._tx(write=True) as s:
            return _tidy.merge_coders(s, list(_strs(sources)), into, by=by)

    def remove_transcript(
        self, transcript_id: str, *, by: str | None = None, purge: bool = False
    ) -> dict[str, int]:
        """Remove a transcript; its codings and decisions go to the change log.

        The log entry keeps every coding and decision with its offsets, code,
        coder, memo and quoted text, so they can be recovered; the transcript's
        LLM calls (whose prompts hold its text) are deleted.

        Parameters
        ----------
        transcript_id : str
        by : str, optional
            Who did it, for the change log.
        purge : bool, default False
            Keep no text of the transcript at all (e.g. consent withdrawn): the
            log keeps offsets, codes and coders but not the quotes or memos,
            and the file is vacuumed so the text leaves its bytes.

        Returns
        -------
        dict
            ``codings``, ``decisions``, ``llm_calls`` removed.

        Raises
        ------
        StoreError
            Unknown transcript (QC402).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> from qualcode.model import Transcript
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> _ = p.add_transcripts([Transcript("a", "Yes."), Transcript("b", "No.")])
        >>> _ = p.add_coding("b", 0, 2, "no", "ana")
        >>> p.remove_transcript("b", by="ana")
        {'codings': 1, 'decisions': 0, 'llm_calls': 0}
        >>> p.transcript_ids(), p.changes()["action"].tolist()
        (['a'], ['remove_transcript'])
        >>> p.close()
        """
        by = _by(by, "remove_transcript")
        check_choice(purge, (True, False), param="purge", caller="remove_transcript")
        with self._tx(write=True) as s:
            if purge:
                s.dialect.secure_delete(s)
            counts = _tidy.remove_transcript(s, transcript_id, by=by, purge=purge)
            if purge:
                s.after_commit.append(lambda: s.dialect.purge(s))
        return counts

    def changes(self) -> pd.DataFrame:
        """The change log: every rename, merge and removal, oldest first.

        Returns
        -------
        pandas.DataFrame
            ``change_id``, ``action`` (``rename_code``, ``merge_codes``,
            ``rename_coder``, ``merge_coders``, ``remove_transcript``), ``by``,
            ``at`` (UTC), ``summary`` (one line), ``detail`` (JSON: what moved,
            what collapsed into what, the removed codings with their text).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from qualcode.store import Project
        >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "p.qcproj")
        >>> list(p.changes().columns)
        ['change_id', 'action', 'by', 'at', 'summary', 'detail']
        >>> p.close()
        """
        with self._tx(write=False) as s:
            return _tidy.changes_frame(s)


def _strs(value: str | Iterable[str]) -> Iterable[str]:
    return [value] if isinstance(value, str) else value
