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
from qualcode.anonymise._normalise import View, fold_text, has_hard_break, view

_APOS = "'\u2019\u2018\u02bc"
_HYPH = "-\u2010\u2011\u2012\u2013"


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


_LETTER = r"[^\W\d_]"
_LETTERS = re.compile(_LETTER + "+")
# between the words of a multi-word original: spaces, one line break, or one of
# _ + . - (ids, e-mail addresses, URLs after percent-decoding)
_SEP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*|[_+.\-\u2010\u2011])"


def _entry_pattern(original: str) -> str:
    """The regex of one (normalised) original: see the module notes of the package.

    Apostrophes, hyphens and full stops inside a word are optional (``OBrien``);
    a hyphen may also be a space. An original that starts (ends) with a letter
    must not touch another letter there, but digits and ``_`` may follow
    (``Smith2``, ``Smith_J``); a plural ``s``/``es`` and a plural possessive are
    part of the match.
    """
    words = []
    for tok in original.split():
        parts = []
        for ch in tok:
            if ch in _APOS:
                parts.append(f"[{_APOS}]?")
            elif ch in _HYPH:
                parts.append(f"(?:[{_HYPH}]|[^\\S\\n]+)?")
            elif ch == ".":
                parts.append(r"\.?")
            else:
                parts.append(re.escape(ch))
        words.append("".join(parts))
    body = _SEP.join(words)
    first, last = original[0], original[-1]
    left = (
        f"(?<!{_LETTER})"
        if first.isalpha()
        else r"(?<![^\W_])"
        if first.isdigit()
        else ""
    )
    if last.isalpha():
        right = f"(?:s(?P<plural>[{_APOS}])(?!{_LETTER})|(?P<pl>e?s)?(?!{_LETTER}))"
    elif last.isdigit():
        right = r"(?![^\W_])"
    else:
        right = ""
    return left + body + right


_Item = tuple[int, "re.Pattern[str]", _EntryLike]


class _KeyMatcher:
    """Leftmost-longest key matches on the normalised view of the text.

    Candidates are letter runs of the view, looked up as a whole (``smith``,
    ``smiths``, ``smithes`` for ``Smith``), or by their first three (two, one)
    letters for originals whose first word has an optional apostrophe, hyphen
    or full stop between letters (``O'Brien`` may be written ``OBrien``); each
    candidate is verified by its entry's regex. Originals that do not start with
    a letter are searched for directly.
    """

    def __init__(self, entries: Sequence[_EntryLike], *, fold: bool = True) -> None:
        self.fold = fold
        exact: dict[str, list[_Item]] = {}
        buckets: dict[str, list[_Item]] = {}
        special: list[_Item] = []
        for e in entries:
            form = _norm(fold_text(e.original, fold=fold))
            if not form:
                continue
            flags = 0 if e.case_sensitive else re.IGNORECASE
            item = (len(form), re.compile(_entry_pattern(form), flags), e)
            m = _LETTERS.match(form)
            if m is None:
                special.append(item)
                continue
            run, after = m.group().lower(), m.end()
            if form[after : after + 1] in (*_APOS, *_HYPH, ".") and _LETTERS.match(
                form, after + 1
            ):
                buckets.setdefault(run[:3], []).append(item)
            else:
                for word in dict.fromkeys((run, run + "s", run + "es")):
                    exact.setdefault(word, []).append(item)
        for b in (*exact.values(), *buckets.values()):
            b.sort(key=lambda x: -x[0])
        special.sort(key=lambda x: -x[0])
        self._exact = exact
        self._buckets = buckets
        self._special = special
        self._prefix_lens = sorted({len(k) for k in buckets}, reverse=True)

    def candidates(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> list[_Hit]:
        """Key hits in ``text[pos:endpos]``, as spans of ``text``."""
        endpos = len(text) if endpos is None else endpos
        if not (self._exact or self._buckets or self._special) or pos >= endpos:
            return []
        v = view(text, pos, endpos, fold=self.fold)
        out = self._in_view(v)
        if has_hard_break(text, pos, endpos):  # names split by "-\n": second view
            out.extend(
                self._in_view(view(text, pos, endpos, fold=self.fold, join=True))
            )
        return out

    def _in_view(self, v: View) -> list[_Hit]:
        text = v.text
        out: list[_Hit] = []
        exact, buckets, lens = self._exact, self._buckets, self._prefix_lens
        low = text.lower()
        if len(low) != len(text):  # a letter whose lower case is longer (rare)
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        if exact and not buckets:  # the common case: one lookup per word
            get = exact.get
            for w in _LETTERS.finditer(low):
                bucket = get(w.group())
                if bucket is not None:
                    self._verify(text, w.start(), [bucket], v, out)
        elif exact or buckets:
            for w in _LETTERS.finditer(low):
                word = w.group()
                lists = [exact.get(word)]
                lists.extend(buckets.get(word[:n]) for n in lens if len(word) >= n)
                self._verify(text, w.start(), lists, v, out)
        for _, rx, e in self._special:
            for m in rx.finditer(text):
                out.append(self._hit(m, e, v))
        return out

    def _verify(
        self,
        text: str,
        start: int,
        lists: list[list[_Item] | None],
        v: View,
        out: list[_Hit],
    ) -> None:
        """The longest entry (of each list, longest first) that matches at start."""
        best: re.Match[str] | None = None
        best_e: _EntryLike | None = None
        for bucket in lists:
            if bucket is None:
                continue
            for _, rx, e in bucket:
                m = rx.match(text, start)
                if m is not None and self._plural_ok(m, e):
                    if best is None or m.end() > best.end():
                        best, best_e = m, e
                    break
        if best is not None and best_e is not None:
            out.append(self._hit(best, best_e, v))

    @staticmethod
    def _plural_ok(m: re.Match[str], e: _EntryLike) -> bool:
        # "Marks" is a plural of the name Mark only when capitalised like the name
        if "pl" in m.re.groupindex and m.group("pl"):
            return not (e.original[:1].isupper() and m.group()[:1].islower())
        return True

    @staticmethod
    def _hit(m: re.Match[str], e: _EntryLike, v: View) -> _Hit:
        groups = m.re.groupindex
        apos = m.group("plural") if "plural" in groups else None
        plural = m.group("pl") if "pl" in groups else None
        rep = e.pseudonym + (apos + "s" if apos else "s" if plural else "")
        s, end = v.span(m.start(), m.end())
        return _Hit(s, end, rep, e.kind, "key", None, e)

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
        fold: bool = True,
    ) -> None:
        self.key = key
        self.detectors = tuple(detectors)
        self._keym = _KeyMatcher(key.entries, fold=fold)
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

    def hash_of(self, hit: _Hit, text: str) -> str:
        """``original_hash`` of a hit: its key entry's original, or the text found.

        Every form of one original (``Smiths``, ``Zoe``, ``O%27Brien``) gets the
        hash of the entry it matched, so a report groups them together.
        """
        if hit.entry is not None:
            return self.digest(hit.entry.original)
        return self.digest(text[hit.start : hit.end])

    def digest(self, original: str) -> str:
        """HMAC of the matched text keyed by the key's content (16 hex digits)."""
        return hmac.new(
            self._secret, _fold(original).encode("utf-8"), hashlib.sha256
        ).hexdigest()[:16]
