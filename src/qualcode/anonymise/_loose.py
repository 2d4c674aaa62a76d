"""The leak check's own matcher: a key entry's letters inside a token.

Private to :mod:`qualcode.anonymise`. :func:`~qualcode.anonymise.check_leaks` is
a second line of defence, so it must not share the blind spots of the matcher
that :func:`~qualcode.anonymise.pseudonymise` uses. It normalises text the same
way (:mod:`~qualcode.anonymise._normalise`, with hyphenated line breaks always
joined) but does not match words: it looks for the letters (and digits) of each
key original inside every whitespace-separated token, case- and
diacritic-insensitively, ignoring everything else in the token.

Which occurrences count (``mode``):

- ``"any"``: every one (``Smith`` in ``Blacksmith``, ``Mark`` in ``market``).
- ``"glued"`` (the default of ``check_leaks``): the token is the original, its
  plural or possessive (``Zoe``, ``OBrien``, ``Smiths``); or the original is
  glued to the rest of the token by something other than a letter, hyphen or
  apostrophe (``Smith2``, ``j.smith@``, ``Smith_J``, ``/smith/``); or it starts
  or ends at a change of case inside the token (``JSmith``, ``SmithJ``).
  Ordinary words that merely contain a name (``market``, ``sleep``) do not.

Multi-word originals count wherever their words follow each other with nothing
but non-letters between them (``Christina_Marsh``, ``christinamarsh``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.anonymise._matching import _EntryLike
from qualcode.anonymise._normalise import fold_text, view

_TOKEN = re.compile(r"\S+")
_GAP = re.compile(r"[\W_]*")
# stripped from both ends of a token before it is compared with an original
_OUTER = "\"'`‘’‚‛“”„‟«»‹›()[]{}<>.,;:!?…—–-*"
_JOINERS = "-\u2010\u2011'\u2019\u02bc"  # glue that does not make a leak


def letters(s: str) -> str:
    """The lower-case letters and digits of ``s``, folded (no accents).

    Examples
    --------
    >>> letters("O\u2019Brien-Zoë 2")
    'obrienzoe2'
    """
    return "".join(c for c in fold_text(s).lower() if c.isalnum())


@dataclass(frozen=True, slots=True)
class LooseHit:
    """A span of the original text where a key entry's letters were found."""

    start: int
    end: int
    entry: _EntryLike


@dataclass(frozen=True, slots=True)
class _Probe:
    form: str  # letters of the original (first word's, for a multi-word one)
    entry: _EntryLike
    tail: re.Pattern[str] | None  # the rest of a multi-word original


class LooseMatcher:
    """Finds a key's originals inside tokens (see the module notes).

    Parameters
    ----------
    entries : sequence of KeyEntry
    mode : {"glued", "any"}
    """

    def __init__(self, entries: Sequence[_EntryLike], *, mode: str = "glued") -> None:
        self.mode = mode
        self._by_tri: dict[str, list[_Probe]] = {}
        self._short: list[_Probe] = []
        for e in entries:
            words = [w for w in (letters(w) for w in e.original.split()) if w]
            if not words:
                continue
            tail = None
            if len(words) > 1:  # the rest: words with only non-letters between
                tail = re.compile(
                    r"[\W_]*".join(
                        r"[\W_]*".join(re.escape(c) for c in w) for w in words[1:]
                    ),
                    re.IGNORECASE,
                )
            probe = _Probe(words[0], e, tail)
            if len(words[0]) >= 3:
                self._by_tri.setdefault(words[0][:3], []).append(probe)
            else:
                self._short.append(probe)
        self._cache: dict[str, list[tuple[int, int, _Probe]]] = {}

    def hits(self, text: str) -> list[LooseHit]:
        """Every counted occurrence in ``text``, as spans of ``text``."""
        if not (self._by_tri or self._short) or not text:
            return []
        v = view(text, join=True)
        out: list[LooseHit] = []
        vt = v.text
        for tok in _TOKEN.finditer(vt):
            found = self._cache.get(tok.group())
            if found is None:
                found = self._in_token(tok.group())
                if len(self._cache) < 200_000:
                    self._cache[tok.group()] = found
            for a, b, probe in found:
                start, end = tok.start() + a, tok.start() + b
                if probe.tail is not None:
                    m = self._tail(vt, end, probe)
                    if m is None:
                        continue
                    end = m
                out.append(LooseHit(*v.span(start, end), probe.entry))
        return _outermost(out)

    @staticmethod
    def _tail(text: str, pos: int, probe: _Probe) -> int | None:
        assert probe.tail is not None
        gap = _GAP.match(text, pos)
        m = probe.tail.match(text, gap.end() if gap else pos)
        return None if m is None else m.end()

    def _in_token(self, token: str) -> list[tuple[int, int, _Probe]]:
        """``(start, end, probe)`` of each counted occurrence, offsets in ``token``."""
        core_start, core_end = _core(token)
        core = token[core_start:core_end]
        # the letters of the core and where each came from
        pos = [i for i, c in enumerate(core) if c.isalnum()]
        low = "".join(core[i] for i in pos).lower()
        if len(low) != len(pos):  # a letter whose lower case is longer: skip
            return []
        out: list[tuple[int, int, _Probe]] = []
        cands: list[tuple[int, _Probe]] = []
        for k in range(len(low) - 2):
            for probe in self._by_tri.get(low[k : k + 3], ()):
                if low.startswith(probe.form, k):
                    cands.append((k, probe))
        for probe in self._short:
            k = low.find(probe.form)
            while k >= 0:
                cands.append((k, probe))
                k = low.find(probe.form, k + 1)
        for k, probe in cands:
            j = k + len(probe.form)
            if probe.tail is None and not self._counts(core, pos, low, k, j):
                continue
            out.append((core_start + pos[k], core_start + pos[j - 1] + 1, probe))
        return out

    def _counts(self, core: str, pos: list[int], low: str, k: int, j: int) -> bool:
        if self.mode == "any":
            return True
        rest = low[:k] + "|" + low[j:]
        if rest in ("|", "|s", "|es"):  # the token is the original (or its plural)
            return True
        a, b = pos[k], pos[j - 1] + 1  # the occurrence inside core
        before, after = core[:a], core[b:]
        if _glued(before[-1:]) or _glued(after[:1]):
            return True
        if before and core[a].isupper() and before[-1].isalpha():
            return True  # JSmith, McSmith
        return bool(after and after[0].isupper() and core[b - 1].islower())


def _glued(ch: str) -> bool:
    return bool(ch) and not ch.isalpha() and ch not in _JOINERS


def _core(token: str) -> tuple[int, int]:
    """The token without outer punctuation and a trailing possessive."""
    a, b = 0, len(token)
    while a < b and token[a] in _OUTER:
        a += 1
    while b > a and token[b - 1] in _OUTER:
        b -= 1
    if b - a > 2 and token[b - 2] in "'\u2019" and token[b - 1] in "sS":
        b -= 2
    return a, b


def _outermost(hits: list[LooseHit]) -> list[LooseHit]:
    """Hits in order, dropping any that lies inside an earlier, longer one."""
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[LooseHit] = []
    end = -1
    for h in hits:
        if h.end <= end:
            continue
        out.append(h)
        end = h.end
    return out
