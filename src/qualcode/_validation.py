"""Boundary checks that raise :class:`~qualcode.errors.QualcodeError`
(never ``assert``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pandas as pd

from qualcode.errors import Errors, InvalidInputError, OffsetError


def check_choice(
    value: object, choices: Collection[object], *, param: str, caller: str
) -> None:
    """Raise if ``value`` is not one of ``choices`` (sklearn's message shape).

    Examples
    --------
    >>> check_choice("turn", {"turn", "sentence"}, param="unit", caller="suggest")
    >>> check_choice("word", ["turn", "sentence"], param="unit", caller="suggest")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'unit' parameter of suggest must
    be one of ['turn', 'sentence']. Got 'word' instead.
    """
    if value not in choices:
        expected = "one of " + repr(
            list(choices) if not isinstance(choices, list) else choices
        )
        raise InvalidInputError(
            Errors.QC101.format(
                param=param, caller=caller, expected=expected, got=value
            )
        )


def require_columns(
    df: object, columns: Iterable[str], *, caller: str, param: str = "data"
) -> None:
    """Raise if ``df`` is not a DataFrame holding every column in ``columns``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], caller="f")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC102] f needs the columns ['b'] in its
    'data' frame; it has ['a'].
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(
            Errors.QC101.format(
                param=param,
                caller=caller,
                expected="a pandas DataFrame",
                got=type(df).__name__,
            )
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InvalidInputError(
            Errors.QC102.format(
                caller=caller,
                missing=missing,
                present=list(map(str, df.columns)),
                param=param,
            )
        )


def check_offsets(start: int, end: int, length: int, *, transcript: str) -> None:
    """Raise :class:`OffsetError` unless ``0 <= start < end <= length``.

    Examples
    --------
    >>> check_offsets(0, 5, 10, transcript="t1")
    >>> check_offsets(5, 5, 10, transcript="t1")
    Traceback (most recent call last):
    ...
    qualcode.errors.OffsetError: [QC105] Offsets [5, 5) are not valid for transcript
    't1' of length 10: need 0 <= start < end <= length.
    """
    if not (isinstance(start, int) and isinstance(end, int)) or not (
        0 <= start < end <= length
    ):
        raise OffsetError(
            Errors.QC105.format(
                start=start, end=end, transcript=transcript, length=length
            )
        )


def invalid(param: str, caller: str, expected: str, got: object) -> InvalidInputError:
    """The QC101 error for a parameter that is not what ``caller`` expects.

    The one place the QC101 message is built; ``raise invalid(...)``.

    Examples
    --------
    >>> str(invalid("ci", "bootstrap_ci", "in (0, 1)", 2.0))
    "[QC101] The 'ci' parameter of bootstrap_ci must be in (0, 1). Got 2.0 instead."
    """
    return InvalidInputError(
        Errors.QC101.format(param=param, caller=caller, expected=expected, got=got)
    )


def check_type(
    value: object,
    types: type | tuple[type, ...],
    *,
    param: str,
    caller: str,
    expected: str | None = None,
    allow_none: bool = False,
) -> None:
    """Raise QC101 unless ``value`` is an instance of ``types`` (bool is not int).

    Examples
    --------
    >>> check_type(3, int, param="seed", caller="f")
    >>> check_type("3", int, param="seed", caller="f")
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'seed' parameter of f must be an
    int. Got 'str' instead.
    """
    if value is None and allow_none:
        return
    tup = types if isinstance(types, tuple) else (types,)
    ok = isinstance(value, tup) and not (
        isinstance(value, bool) and bool not in tup and int in tup
    )
    if not ok:
        if expected is None:
            names = " or ".join(t.__name__ for t in tup)
            expected = ("an " if names[0] in "aeiou" else "a ") + names
            if allow_none:
                expected += " or None"
        raise invalid(param, caller, expected, type(value).__name__)


def check_number(
    value: object,
    *,
    param: str,
    caller: str,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> None:
    """Raise QC101 unless ``value`` is a real number (an int if ``integer``) in range.

    Bounds are closed unless ``low_open``/``high_open``; NaN is never in range.
    Like scikit-learn's ``check_scalar``.

    Examples
    --------
    >>> check_number(
    ...     0.95, param="ci", caller="f", low=0, high=1, low_open=True, high_open=True
    ... )
    >>> check_number(
    ...     1.5, param="ci", caller="f", low=0, high=1, low_open=True, high_open=True
    ... )
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'ci' parameter of f must be a
    number in (0, 1). Got 1.5 instead.
    >>> check_number(2.0, param="n", caller="f", integer=True, low=1)
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC101] The 'n' parameter of f must be an
    integer >= 1. Got 2.0 instead.
    """
    import numbers

    if value is None and allow_none:
        return
    kind = "an integer" if integer else "a number"
    if low is not None and high is not None:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        rng = f" in {lo}{low:g}, {high:g}{hi}"
    elif low is not None:
        rng = f" {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        rng = f" {'<' if high_open else '<='} {high:g}"
    else:
        rng = ""
    expected = kind + rng + (" or None" if allow_none else "")
    want = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, want):
        raise invalid(param, caller, expected, value)
    v = float(value)  # type: ignore[arg-type]
    if v != v:
        raise invalid(param, caller, expected, value)
    if low is not None and (v <= low if low_open else v < low):
        raise invalid(param, caller, expected, value)
    if high is not None and (v >= high if high_open else v > high):
        raise invalid(param, caller, expected, value)


def listed(names: Iterable[object], limit: int = 10, *, quote: bool = False) -> str:
    """The first ``limit`` names joined for a message, and how many more.

    Examples
    --------
    >>> listed(["a", "b", "c"], 2), listed(["a"], quote=True)
    ('a, b (+1 more)', "'a'")
    """
    items = [repr(str(n)) if quote else str(n) for n in names]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def did_you_mean(value: object, known: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or ``""``.

    Examples
    --------
    >>> did_you_mean("turning-pont", ["turning-point", "pursue"])
    " (did you mean 'turning-point'?)"
    >>> did_you_mean("zzz", ["pursue"])
    ''
    """
    import difflib

    names = [str(k) for k in known]
    hit = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    if not hit:
        lower = {n.lower(): n for n in names}
        if str(value).lower() in lower:
            hit = [lower[str(value).lower()]]
    return f" (did you mean '{hit[0]}'?)" if hit else ""


def check_known(
    values: object,
    known: Collection[object],
    *,
    what: str,
    caller: str,
    where: str = "",
) -> None:
    """Raise QC109 for the first of ``values`` not in ``known``, with a suggestion.

    Examples
    --------
    >>> check_known(["pursue"], {"pursue", "prevent"}, what="code", caller="f")
    >>> check_known(
    ...     "turning-pont",
    ...     ["turning-point"],
    ...     what="code",
    ...     caller="agreement_table",
    ...     where=" in the codebook",
    ... )
    Traceback (most recent call last):
    ...
    qualcode.errors.InvalidInputError: [QC109] agreement_table: unknown code
    'turning-pont' in the codebook (did you mean 'turning-point'?). Known: 1.
    """
    items = (
        [values]
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable)
        else list(values)
    )
    known_set = set(known)
    for v in items:
        if v not in known_set:
            raise InvalidInputError(
                Errors.QC109.format(
                    caller=caller,
                    what=what,
                    value=v,
                    where=where,
                    hint=did_you_mean(v, known),
                    n=len(known_set),
                )
            )
