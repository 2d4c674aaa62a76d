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
