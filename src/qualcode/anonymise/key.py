"""The pseudonymisation key: ``original, pseudonym, kind``, loaded and validated.

The key is the secret: it never goes into a project or an export. Messages about
a key name its file and line, never its originals.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode._files import atomic_path
from qualcode._validation import check_choice, invalid, require_columns
from qualcode.anonymise._matching import _KeyMatcher, _norm
from qualcode.errors import Errors, InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["KeyEntry", "PseudonymKey"]

_TRUE = {"true", "yes", "y", "1", "exact", "sensitive"}
_FALSE = {"", "false", "no", "n", "0", "none", "nan"}


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One line of a pseudonymisation key.

    Parameters
    ----------
    original : str
        The name, place or identifier as it may appear in transcripts.
    pseudonym : str
        What replaces it (never empty).
    kind : str, default "name"
        ``person``, ``place``, ``organisation``, ``operation``, ``identifier``...
    case_sensitive : bool, default False
        Match this original with its exact case only (for names that are also
        common words, e.g. ``Dawn``, ``Mark``).
    line : int, optional
        Line (or row) of the key file, for messages.
    """

    original: str
    pseudonym: str
    kind: str = "name"
    case_sensitive: bool = False
    line: int | None = field(default=None, compare=False)


class PseudonymKey:
    """The key that maps originals to pseudonyms: ``original, pseudonym, kind``.

    Keep it in its own file, apart from the project and the exports: it is the
    only thing that links pseudonyms back to people. Load it from CSV or YAML
    (:meth:`load`), or build it from a mapping or a DataFrame.

    Parameters
    ----------
    entries : iterable of KeyEntry, (original, pseudonym[, kind]) tuples or mappings
    source : str, optional
        Where it came from, for messages (the file path).

    Raises
    ------
    InvalidInputError
        An empty original or pseudonym, an original listed twice with different
        pseudonyms, or a pseudonym that itself contains an original [QC802-QC804].
        Messages name lines, never originals.

    Examples
    --------
    >>> key = PseudonymKey.from_mapping(
    ...     {"Christina Marsh": "Person A", "Christina": "Person A"}
    ... )
    >>> len(key), key.kinds
    (2, {'name': 2})
    >>> key.pseudonym_for("christina marsh")
    'Person A'
    >>> key  # never shows the originals
    PseudonymKey(2 entries: name 2)
    """

    __slots__ = ("_by_fold", "_entries", "source")

    def __init__(
        self, entries: Iterable[Any] = (), *, source: str | None = None
    ) -> None:
        self.source = source
        where = source or "the pseudonymisation key"
        items: list[KeyEntry] = []
        for pos, e in enumerate(entries, start=1):
            if isinstance(e, KeyEntry):
                item = e
            elif isinstance(e, Mapping):
                item = KeyEntry(
                    str(e.get("original") or ""),
                    str(e.get("pseudonym") or ""),
                    str(e.get("kind") or "name"),
                    _flag(e.get("case_sensitive"), where, e.get("line", pos)),
                    e.get("line", pos),
                )
            elif isinstance(e, (tuple, list)) and 2 <= len(e) <= 4:
                item = KeyEntry(
                    str(e[0]),
                    str(e[1]),
                    str(e[2]) if len(e) > 2 else "name",
                    line=pos,
                )
                if len(e) == 4:
                    item = replace(item, case_sensitive=_flag(e[3], where, pos))
            else:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where,
                        line=pos,
                        detail=f"a {type(e).__name__} is not a key entry; "
                        "give (original, pseudonym, kind) rows",
                    )
                )
            line = item.line if item.line is not None else pos
            original, pseudonym = _norm(item.original), " ".join(item.pseudonym.split())
            if not original:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where, line=line, detail="the original is empty"
                    )
                )
            if not pseudonym:
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=where,
                        line=line,
                        detail="the pseudonym is empty "
                        "(replacing with nothing would lose codings' words)",
                    )
                )
            items.append(
                replace(
                    item,
                    original=original,
                    pseudonym=pseudonym,
                    kind=(item.kind or "name").strip() or "name",
                    line=line,
                )
            )
        by_fold: dict[str, KeyEntry] = {}
        kept: list[KeyEntry] = []
        for item in items:
            f = item.original if item.case_sensitive else item.original.casefold()
            prev = by_fold.get(f)
            if prev is not None:
                if prev.pseudonym != item.pseudonym:
                    raise InvalidInputError(
                        Errors.QC803.format(
                            where=where,
                            first=prev.line,
                            second=item.line,
                            p1=prev.pseudonym,
                            p2=item.pseudonym,
                        )
                    )
                continue
            by_fold[f] = item
            kept.append(item)
        self._entries: tuple[KeyEntry, ...] = tuple(kept)
        self._by_fold = by_fold
        if kept:
            m = _KeyMatcher(self._entries)
            for item in kept:
                hit = m.first(item.pseudonym)
                if hit is not None:
                    raise InvalidInputError(
                        Errors.QC804.format(
                            where=where,
                            line=item.line,
                            pseudonym=item.pseudonym,
                            other=hit.line,
                        )
                    )

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, str], *, kind: str = "name"
    ) -> PseudonymKey:
        """A key from ``{original: pseudonym}``.

        Examples
        --------
        >>> len(PseudonymKey.from_mapping({"Smith": "Person B"}))
        1
        """
        return cls([(o, p, kind) for o, p in mapping.items()])

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, source: str | None = None
    ) -> PseudonymKey:
        """A key from a frame: ``original, pseudonym`` (``kind``, ``case_sensitive``).

        Examples
        --------
        >>> import pandas as pd
        >>> PseudonymKey.from_frame(
        ...     pd.DataFrame({"original": ["Smith"], "pseudonym": ["Person B"]})
        ... )
        PseudonymKey(1 entries: name 1)
        """
        require_columns(
            frame,
            ["original", "pseudonym"],
            caller="PseudonymKey.from_frame",
            param="frame",
        )
        rows = []
        for i, rec in enumerate(frame.to_dict("records")):
            rec = {k: (None if _missing(v) else v) for k, v in rec.items()}
            rec.setdefault("line", i + 2)  # line 1 is the header
            rows.append(rec)
        return cls(rows, source=source)

    @classmethod
    def load(cls, path: str | Path) -> PseudonymKey:
        """Load a key from ``.csv`` (header ``original,pseudonym,kind``) or ``.yaml``.

        YAML may be a list of ``{original, pseudonym, kind}`` mappings, a mapping
        ``{original: pseudonym}``, or ``{entries: [...]}``.

        Raises
        ------
        InvalidInputError
            The file is missing, unreadable or not a key [QC802].

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "key.csv"
        >>> _ = p.write_text("original,pseudonym,kind\\nSmith,Person B,person\\n")
        >>> PseudonymKey.load(p)
        PseudonymKey(1 entries: person 1)
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInputError(
                Errors.QC811.format(where=path, detail="file not found; check the path")
            )
        suffix = path.suffix.lower()
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(
                Errors.QC811.format(
                    where=path,
                    detail=f"cannot read it ({type(exc).__name__}); save it as UTF-8",
                )
            ) from None
        if suffix in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=path,
                        line=(mark.line + 1) if mark else 0,
                        detail="not valid YAML",
                    )
                ) from None
            if isinstance(data, Mapping) and "entries" in data:
                data = data["entries"]
            if isinstance(data, Mapping):
                data = [{"original": k, "pseudonym": v} for k, v in data.items()]
            if not isinstance(data, list):
                raise InvalidInputError(
                    Errors.QC802.format(
                        where=path,
                        line=1,
                        detail="expected a list of {original, pseudonym, kind} entries",
                    )
                )
            return cls(data, source=str(path))
        if suffix not in (".csv", ".txt", ".tsv"):
            raise InvalidInputError(
                Errors.QC811.format(
                    where=path,
                    detail=f"unknown key format {suffix!r}; use .csv or .yaml",
                )
            )
        reader = csv.DictReader(
            io.StringIO(raw), delimiter="\t" if suffix == ".tsv" else ","
        )
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "original" not in fields or "pseudonym" not in fields:
            raise InvalidInputError(
                Errors.QC802.format(
                    where=path,
                    line=1,
                    detail="the header must name the columns "
                    f"original,pseudonym[,kind]; it has {fields}",
                )
            )
        rows = []
        for line, rec in enumerate(reader, start=2):
            rec = {
                str(k).strip().lower(): _unneutralise(v)
                for k, v in rec.items()
                if k is not None
            }
            if not any((v or "").strip() for v in rec.values()):
                continue  # blank line
            rec["line"] = line
            rows.append(rec)
        return cls(rows, source=str(path))

    def save(self, path: str | Path) -> Path:
        """Write the key as ``.csv`` or ``.yaml`` (never into a project).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> key = PseudonymKey([("Smith", "Person B", "person")])
        >>> out = key.save(pathlib.Path(tempfile.mkdtemp()) / "key.csv")
        >>> PseudonymKey.load(out).pseudonym_for("Smith")
        'Person B'
        """
        path = Path(path)
        suffix = path.suffix.lower()
        check_choice(
            suffix,
            [".csv", ".yaml", ".yml"],
            param="path suffix",
            caller="PseudonymKey.save",
        )
        rows = [
            {
                "original": e.original,
                "pseudonym": e.pseudonym,
                "kind": e.kind,
                **({"case_sensitive": True} if e.case_sensitive else {}),
            }
            for e in self._entries
        ]
        if suffix == ".csv":
            import pandas as pd

            from qualcode.export import export_tables  # the one (neutralising) writer

            cols = ["original", "pseudonym", "kind"] + (
                ["case_sensitive"]
                if any(e.case_sensitive for e in self._entries)
                else []
            )
            table = pd.DataFrame(
                [
                    {c: ("true" if r.get(c) is True else r.get(c, "")) for c in cols}
                    for r in rows
                ],
                columns=cols,
                dtype=object,
            )
            return export_tables(table, path)
        import yaml

        content = yaml.safe_dump(rows, sort_keys=False, allow_unicode=True)
        with atomic_path(path) as tmp:
            tmp.write_text(content, encoding="utf-8")
        return path

    def add(
        self,
        original: str,
        pseudonym: str,
        kind: str = "name",
        *,
        case_sensitive: bool = False,
    ) -> PseudonymKey:
        """A new key with one more entry (keys are immutable).

        Examples
        --------
        >>> PseudonymKey().add("Smith", "Person B", "person")
        PseudonymKey(1 entries: person 1)
        """
        return PseudonymKey(
            [
                *self._entries,
                KeyEntry(
                    original, pseudonym, kind, case_sensitive, len(self._entries) + 1
                ),
            ],
            source=self.source,
        )

    # -- views ----------------------------------------------------------------
    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        """The entries, in file order (duplicates dropped)."""
        return self._entries

    @property
    def kinds(self) -> dict[str, int]:
        """Number of entries per kind."""
        return dict(Counter(e.kind for e in self._entries))

    def pseudonym_for(self, original: str) -> str | None:
        """The pseudonym of ``original`` (case-insensitive), or None."""
        e = self._by_fold.get(_norm(original).casefold()) or self._by_fold.get(
            _norm(original)
        )
        return None if e is None else e.pseudonym

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: ``original, pseudonym, kind, case_sensitive``.

        Examples
        --------
        >>> PseudonymKey([("Smith", "Person B", "person")]).to_frame()
          original pseudonym    kind  case_sensitive
        0    Smith  Person B  person           False
        """
        from qualcode._columns import PSEUDONYM_KEY, frame

        return frame(
            [
                {
                    "original": e.original,
                    "pseudonym": e.pseudonym,
                    "kind": e.kind,
                    "case_sensitive": e.case_sensitive,
                }
                for e in self._entries
            ],
            PSEUDONYM_KEY,
        )

    @property
    def fingerprint(self) -> bytes:
        """SHA-256 of the key's content: the secret behind ``original_hash``."""
        h = hashlib.sha256(b"qualcode-pseudonym-key\x00")
        for e in self._entries:
            h.update(
                "\x1f".join(
                    (e.original, e.pseudonym, e.kind, str(e.case_sensitive))
                ).encode("utf-8")
                + b"\x1e"
            )
        return h.digest()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self._entries)

    def __contains__(self, original: object) -> bool:
        return isinstance(original, str) and self.pseudonym_for(original) is not None

    def __repr__(self) -> str:  # never print originals
        kinds = ", ".join(f"{k} {n}" for k, n in self.kinds.items())
        return f"PseudonymKey({len(self)} entries{': ' + kinds if kinds else ''})"


def _unneutralise(v: Any) -> Any:
    """A CSV cell as written before :func:`qualcode.export_tables` neutralised it.

    ``save`` writes a cell starting with ``= + - @``, tab or CR with a leading
    ``'`` (so a spreadsheet never runs it as a formula); loading takes it off.
    """
    if (
        isinstance(v, str)
        and v[:1] == "'"
        and v[1:2] in ("=", "+", "-", "@", "\t", "\r")
    ):
        return v[1:]
    return v


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN / NA
    except (TypeError, ValueError):
        return False


def _flag(value: Any, where: Any, line: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = "" if _missing(value) else str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InvalidInputError(
        Errors.QC802.format(
            where=where,
            line=line,
            detail=f"case_sensitive must be true or false, not {s!r}",
        )
    )


def _as_key(key: Any, caller: str) -> PseudonymKey:
    if isinstance(key, PseudonymKey):
        return key
    if key is None:
        return PseudonymKey()
    if isinstance(key, (str, Path)):
        return PseudonymKey.load(key)
    if isinstance(key, Mapping):
        return PseudonymKey.from_mapping(key)
    try:
        import pandas as pd

        if isinstance(key, pd.DataFrame):
            return PseudonymKey.from_frame(key)
    except ImportError:  # pragma: no cover
        pass
    raise invalid(
        "key",
        caller,
        "a PseudonymKey, a key file path, a mapping or a DataFrame",
        type(key).__name__,
    )
