"""The one input seam: what a function that takes "a project or a corpus" accepts.

Every public function that takes a project, a corpus, codings or a codebook turns
its argument into the thing it works on here, so the accepted shapes and the
error for anything else are written once.

- :class:`ProjectLike`: the part of :class:`qualcode.Project` that readers use
  (a structural Protocol, so the store is not imported to recognise one).
- :func:`is_project`, :func:`as_transcripts`, :func:`as_codings`,
  :func:`as_codebook`.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeAlias, runtime_checkable

import pandas as pd

from qualcode._validation import invalid
from qualcode.codebook import Codebook
from qualcode.errors import Errors, InvalidInputError
from qualcode.model import Transcript

__all__ = [
    "CodebookSource",
    "CodingsSource",
    "ProjectLike",
    "TranscriptSource",
    "as_codebook",
    "as_codings",
    "as_transcripts",
    "is_project",
    "is_url",
    "redact",
    "transcript_map",
]


@runtime_checkable
class ProjectLike(Protocol):
    """What readers of a project use (``qualcode.Project`` satisfies it).

    Examples
    --------
    >>> class Fake:
    ...     def iter_transcripts(self, ids=None):
    ...         return iter(())
    ...
    ...     def transcript(self, transcript_id): ...
    ...     def transcript_ids(self):
    ...         return []
    ...
    ...     def codings(self, *, coder=None, code=None): ...
    >>> is_project(Fake())
    True
    """

    def iter_transcripts(
        self, ids: Iterable[str] | None = None
    ) -> Iterator[Transcript]:
        """Yield the stored transcripts."""
        ...

    def transcript(self, transcript_id: str) -> Transcript:
        """One stored transcript."""
        ...

    def transcript_ids(self) -> list[str]:
        """The stored transcript ids."""
        ...

    def codings(self, *, coder: Any = None, code: Any = None) -> pd.DataFrame:
        """The codings as a DataFrame."""
        ...


#: A project, a Corpus, one Transcript or an iterable of Transcripts.
TranscriptSource: TypeAlias = "ProjectLike | Transcript | Iterable[Transcript]"
#: A project (its codings are read) or a codings DataFrame.
CodingsSource: TypeAlias = "ProjectLike | pd.DataFrame"
#: A Codebook, a path to one (YAML or .qdc), or several to combine.
CodebookSource: TypeAlias = "Codebook | str | os.PathLike[str] | Iterable[Any]"


def is_project(obj: object) -> bool:
    """True if ``obj`` is a qualcode project (or anything shaped like one).

    Examples
    --------
    >>> is_project([])
    False
    """
    return isinstance(obj, ProjectLike)


def as_transcripts(
    obj: object, *, caller: str, what: str = "corpus_or_project"
) -> tuple[Iterable[Transcript], ProjectLike | None]:
    """``(transcripts, project or None)`` for a project, Corpus, Transcript(s).

    Transcripts from an iterable are checked lazily, one by one, so a corpus is
    never held in memory twice.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t1 = Transcript.build("t1", [TurnDraft("Hi.", speaker="P")])
    >>> ts, project = as_transcripts(t1, caller="f")
    >>> [t.id for t in ts], project
    (['t1'], None)
    >>> as_transcripts("notes.txt", caller="suggest")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC503] suggest: corpus_or_project must be a
    Corpus, a list of Transcripts or a qualcode.Project; got str.
    """
    if is_project(obj):
        project: ProjectLike = obj  # type: ignore[assignment]
        return project.iter_transcripts(), project
    if isinstance(obj, Transcript):
        return [obj], None
    if isinstance(obj, Mapping):
        obj = obj.values()
    if isinstance(obj, (str, bytes)) or not isinstance(obj, Iterable):
        raise InvalidInputError(
            Errors.QC503.format(caller=caller, what=what, got=type(obj).__name__)
        )
    items: Iterable[object] = obj

    def checked() -> Iterator[Transcript]:
        for i, t in enumerate(items):
            if not isinstance(t, Transcript):
                raise InvalidInputError(
                    Errors.QC503.format(
                        caller=caller, what=f"{what} item {i}", got=type(t).__name__
                    )
                )
            yield t

    return checked(), None


def transcript_map(obj: object, *, caller: str) -> dict[str, Transcript]:
    """``{id: Transcript}`` for a project, Corpus, mapping or iterable.

    Examples
    --------
    >>> from qualcode.model import Transcript, TurnDraft
    >>> t1 = Transcript.build("t1", [TurnDraft("Hi.", speaker="P")])
    >>> sorted(transcript_map([t1], caller="f"))
    ['t1']
    """
    ts, _ = as_transcripts(obj, caller=caller, what="transcripts")
    return {t.id: t for t in ts}


def as_codings(
    obj: object,
    *,
    caller: str,
    param: str = "codings",
    coder: Any = None,
    code: Any = None,
) -> pd.DataFrame:
    """A codings DataFrame from a project (read with ``coder``/``code``) or a frame.

    Examples
    --------
    >>> import pandas as pd
    >>> as_codings(pd.DataFrame({"code": ["a"]}), caller="f").shape
    (1, 1)
    >>> as_codings(3, caller="f")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'codings' parameter of f must be
    a codings DataFrame or a qualcode.Project. Got 'int' instead.
    """
    if isinstance(obj, pd.DataFrame):
        return obj
    if is_project(obj):
        project: ProjectLike = obj  # type: ignore[assignment]
        return project.codings(coder=coder, code=code)
    raise invalid(
        param, caller, "a codings DataFrame or a qualcode.Project", type(obj).__name__
    )


def as_codebook(
    obj: object, *, caller: str, param: str = "codebook", allow_none: bool = False
) -> Codebook | None:
    """A :class:`~qualcode.Codebook` from a Codebook, a path, or several to combine.

    Examples
    --------
    >>> as_codebook(None, caller="f", allow_none=True) is None
    True
    >>> as_codebook(3, caller="suggest")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'codebook' parameter of suggest
    must be a Codebook, a path or a list of them. Got 'int' instead.
    """
    if obj is None:
        if allow_none:
            return None
        raise invalid(param, caller, "a Codebook, a path or a list of them", None)
    if isinstance(obj, Codebook):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        return Codebook.load(os.fspath(obj))
    if isinstance(obj, Iterable) and not isinstance(obj, bytes):
        books = [as_codebook(c, caller=caller, param=param) for c in obj]
        return Codebook.combine(*[b for b in books if b is not None])
    raise invalid(
        param, caller, "a Codebook, a path or a list of them", type(obj).__name__
    )


# -- a project on a server ---------------------------------------------------------
def is_url(value: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL.

    Examples
    --------
    >>> is_url("postgresql://ana@db.example.org/study"), is_url("study.qcproj")
    (True, False)
    """
    return isinstance(value, str) and value.split("://", 1)[0].lower() in (
        "postgresql",
        "postgres",
    )


def redact(url: str) -> str:
    """The URL without its password (for messages and reprs).

    Examples
    --------
    >>> redact("postgresql://ana:secret@db:5432/study?sslmode=require")
    'postgresql://ana@db:5432/study'
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        user = f"{urllib.parse.unquote(parts.username)}@" if parts.username else ""
    except ValueError:
        return "postgresql://(unreadable URL)"
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"
