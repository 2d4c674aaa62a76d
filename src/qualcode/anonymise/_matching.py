"""The matcher: key originals and detector hits found in text, leftmost-longest.

Private to :mod:`qualcode.anonymise`. :class:`_KeyMatcher` finds key entries
(candidates by first word, verified by one regex per entry); :class:`_Matcher`
adds detectors, resolves overlaps and applies replacements.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qualcode._validation import check_choice, invalid

_APOS = "'\u2019\u2018\u02bc"
_HYPH = "-\u2010\u2011\u2012\u2013"
_WS = (
    r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"  # spaces, or one line break (never a blank line)
)
_WORD = re.compile(r"\w+")


class _EntryLike(Protocol):
    """What the matcher needs of a :class:`~qualcode.anonymise.KeyEntry`."""

    @property
    def original(self) -> str: ...
    @property
    def pseudonym(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def case_sensitive(self) -> bool: ...
    @property
    def line(self) -> int | None: ...


class _KeyLike(Protocol):
    """What the matcher needs of a key (:class:`~qualcode.anonymise.PseudonymKey`)."""

    @property
    def entries(self) -> Sequence[_EntryLike]: ...
    @property
    def fingerprint(self) -> bytes: ...


class _DetectorLike(Protocol):
    """What the matcher needs of a :class:`~qualcode.anonymise.Detector`."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def regex(self) -> re.Pattern[str]: ...


def _norm(s: str) -> str:
    return unicodedata.normalize("NFC", " ".join(s.split()))


def _fold(s: str) -> str:
    return _norm(s).casefold()


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    replacement: str
    kind: str
    source: str  # "key" or "detector"
    detector: str | None = None
    entry: _EntryLike | None = None


def _entry_pattern(original: str) -> str:
    parts = []
    for tok in original.split():
        parts.append(
            "".join(
                f"[{_APOS}]"
                if ch in _APOS
                else f"[{_HYPH}]"
                if ch in _HYPH
                else re.escape(ch)
                for ch in tok
            )
        )
    body = _WS.join(parts)
    left = r"(?<!\w)" if _WORD.match(original[0]) else ""
    if _WORD.match(original[-1]):
        right = rf"(?:s(?P<plural>[{_APOS}])(?!\w)|(?!\w))"
    else:
        right = ""
    return left + body + right


class _KeyMatcher:
    """Leftmost-longest key matches: candidates by first word, verified by regex."""

    def __init__(self, entries: Sequence[_EntryLike]) -> None:
        buckets: dict[str, list[tuple[int, re.Pattern[str], _EntryLike]]] = {}
        special: list[tuple[int, re.Pattern[str], _EntryLike]] = []
        for e in entries:
            flags = 0 if e.case_sensitive else re.IGNORECASE
            for form in dict.fromkeys(
                (
                    unicodedata.normalize("NFC", e.original),
                    unicodedata.normalize("NFD", e.original),
                )
            ):
                item = (len(form), re.compile(_entry_pattern(form), flags), e)
                m = _WORD.match(form)
                if m is None:
                    special.append(item)
                else:
                    buckets.setdefault(m.group().casefold(), []).append(item)
        for b in buckets.values():
            b.sort(key=lambda x: -x[0])
        special.sort(key=lambda x: -x[0])
        self._buckets = buckets
        self._special = special

    def candidates(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> list[_Hit]:
        endpos = len(text) if endpos is None else endpos
        out: list[_Hit] = []
        buckets = self._buckets
        if buckets:
            for w in _WORD.finditer(text, pos, endpos):
                word = w.group().casefold()
                bucket = buckets.get(word)
                if bucket is None:
                    # plural possessive of a one-word original: "Smiths'"
                    if not (
                        word.endswith("s")
                        and w.end() < endpos
                        and text[w.end()] in _APOS
                    ):
                        continue
                    bucket = buckets.get(word[:-1])
                    if bucket is None:
                        continue
                for _, rx, e in bucket:
                    m = rx.match(text, w.start(), endpos)
                    if m is not None:
                        out.append(self._hit(m, e))
                        break
        for _, rx, e in self._special:
            for m in rx.finditer(text, pos, endpos):
                out.append(self._hit(m, e))
        return out

    @staticmethod
    def _hit(m: re.Match[str], e: _EntryLike) -> _Hit:
        apos = m.group("plural") if "plural" in m.re.groupindex else None
        rep = e.pseudonym + (apos + "s" if apos else "")
        return _Hit(m.start(), m.end(), rep, e.kind, "key", None, e)

    def first(self, text: str) -> _EntryLike | None:
        c = self.candidates(text)
        return c[0].entry if c else None


class _Matcher:
    """Key entries plus detectors; finds non-overlapping replacements."""

    def __init__(
        self,
        key: _KeyLike,
        detectors: Sequence[_DetectorLike],
        replacement: str | Mapping[str, str] = "[{kind}]",
        *,
        caller: str = "pseudonymise",
    ) -> None:
        self.key = key
        self.detectors = tuple(detectors)
        self._keym = _KeyMatcher(key.entries)
        self._secret = key.fingerprint
        self._rep: dict[str, str] = {}
        for d in self.detectors:
            tmpl = (
                replacement.get(d.name, "[{kind}]")
                if isinstance(replacement, Mapping)
                else replacement
            )
            if not isinstance(tmpl, str):
                raise invalid(
                    "replacement",
                    caller,
                    "a string template or a mapping of detector names to templates",
                    type(tmpl).__name__,
                )
            try:
                rep = tmpl.format(kind=d.kind, name=d.name)
            except (KeyError, IndexError, ValueError) as exc:
                raise invalid(
                    "replacement",
                    caller,
                    "a template using only {kind} and {name}",
                    f"{tmpl} ({exc})",
                ) from None
            if not rep.strip():
                raise invalid(
                    "replacement",
                    caller,
                    "a non-empty replacement",
                    tmpl,
                )
            self._rep[d.name] = rep
        if isinstance(replacement, Mapping):
            unknown = sorted(set(replacement) - set(self._rep))
            if unknown:
                check_choice(
                    unknown[0], sorted(self._rep), param="replacement", caller=caller
                )

    def hits(self, text: str, bounds: Sequence[int] | None = None) -> list[_Hit]:
        """Replacements for ``text``; no hit crosses one of ``bounds``."""
        n = len(text)
        cuts = sorted({0, n, *(b for b in (bounds or ()) if 0 < b < n)})
        out: list[_Hit] = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            out.extend(self._segment(text, a, b))
        return out

    def _segment(self, text: str, pos: int, endpos: int) -> list[_Hit]:
        cands = self._keym.candidates(text, pos, endpos)
        for d in self.detectors:
            g = "value" if "value" in d.regex.groupindex else 0
            for m in d.regex.finditer(text, pos, endpos):
                s, e = m.span(g)
                if s < e:
                    cands.append(
                        _Hit(s, e, self._rep[d.name], d.kind, "detector", d.name)
                    )
        if not cands:
            return []
        cands.sort(key=lambda h: (h.start, -h.end))
        out: list[_Hit] = []
        cluster = [cands[0]]
        end = cands[0].end
        for h in cands[1:]:
            if h.start < end:
                cluster.append(h)
                end = max(end, h.end)
            else:
                out.append(self._resolve(cluster, end))
                cluster, end = [h], h.end
        out.append(self._resolve(cluster, end))
        return out

    @staticmethod
    def _resolve(cluster: list[_Hit], end: int) -> _Hit:
        best = max(
            cluster, key=lambda h: (h.end - h.start, h.source == "key", -h.start)
        )
        start = cluster[0].start
        if best.start == start and best.end == end:
            return best
        return replace(best, start=start, end=end)

    def apply(
        self, text: str, bounds: Sequence[int] | None = None
    ) -> tuple[str, list[_Hit], list[tuple[int, int, int, int]]]:
        """New text, the hits, and ``(old_start, old_end, new_start, new_end)`` each."""
        hits = self.hits(text, bounds)
        if not hits:
            return text, [], []
        parts: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        prev = 0
        pos = 0
        for h in hits:
            parts.append(text[prev : h.start])
            pos += h.start - prev
            parts.append(h.replacement)
            spans.append((h.start, h.end, pos, pos + len(h.replacement)))
            pos += len(h.replacement)
            prev = h.end
        parts.append(text[prev:])
        return "".join(parts), hits, spans

    def rewrite(self, text: str) -> str:
        """``text`` with every original and identifier replaced."""
        if not isinstance(text, str) or not text:
            return text
        return self.apply(text)[0]

    def rewrite_name(self, name: str) -> str:
        """Like :meth:`rewrite` for ids and paths: ``_`` counts as a space."""
        if not isinstance(name, str) or not name:
            return name
        view = name.replace("_", " ")
        hits = self.hits(view)
        if not hits:
            return name
        parts, prev = [], 0
        for h in hits:
            parts.append(name[prev : h.start])
            rep = h.replacement
            if "_" in name and " " not in name:  # snake_case ids stay snake_case
                rep = rep.replace(" ", "_")
            parts.append(rep)
            prev = h.end
        parts.append(name[prev:])
        return "".join(parts)

    def digest(self, original: str) -> str:
        """HMAC of the matched text keyed by the key's content (16 hex digits)."""
        return hmac.new(
            self._secret, _fold(original).encode("utf-8"), hashlib.sha256
        ).hexdigest()[:16]
