"""Errors and warnings raised by qualcode, with a catalogue of coded messages.

Every message says *what* went wrong, *where* (file, line, position, code id) and
*what to do*. Codes are never reused. Bands: QC1xx parameters, QC2xx import,
QC3xx codebook, QC4xx store, QC5xx tagging, QC6xx agreement, QC7xx figures and
exports, QC8xx pseudonymisation, QC9xx widget and command line.

Messages never include transcript text beyond the span in question.

Examples
--------
>>> from qualcode.errors import Errors, InvalidInputError
>>> Errors.QC101.format(param="unit", caller="suggest", expected="one of {'turn', 'sentence'}", got="word")
"[QC101] The 'unit' parameter of suggest must be one of {'turn', 'sentence'}. Got 'word' instead."
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "Errors",
    "ExportError",
    "ImportFormatError",
    "InvalidInputError",
    "MissingDependencyError",
    "OffsetError",
    "QualcodeError",
    "QualcodeWarning",
    "StoreError",
    "StoreLockedError",
    "TaggingError",
    "UndefinedStatisticWarning",
    "ImportWarning_",
    "CodebookWarning",
    "DataLossWarning",
]


class _WithCodes(type):
    """Metaclass that prefixes each catalogue entry with its code, as spaCy does."""

    def __getattribute__(cls, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("_") or not isinstance(msg, str):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=_WithCodes):
    """The message catalogue. Use ``Errors.QCnnn.format(...)``."""

    # --- QC1xx parameters -------------------------------------------------
    QC101 = "The '{param}' parameter of {caller} must be {expected}. Got {got!r} instead."
    QC102 = "{caller} needs the columns {missing} in its '{param}' frame; it has {present}."
    QC103 = "{caller}: {what} needs {package}: pip install 'qualcode[{extra}]'."
    QC104 = "{caller}: '{param}' must not be empty."
    QC105 = "Offsets [{start}, {end}) are not valid for transcript '{transcript}' of length {length}: need 0 <= start < end <= length."

    # --- QC2xx import -----------------------------------------------------
    QC201 = "{path}: file not found. Check the path."
    QC202 = "{path}: the file is empty. Export the transcript again."
    QC203 = "{path}: unknown format {format!r}. Use one of {known} or pass format=."
    QC204 = "{path}: could not decode the text ({detail}). Save it as UTF-8 or pass encoding=."
    QC205 = "Transcript ids must be unique: '{id}' comes from both {first} and {second}. Rename one file or pass ids explicitly."
    QC206 = "{path}: not a readable {format} file ({detail}). The file may be truncated or not really {format}; export it again."
    QC207 = "{path}, line {line}: {detail}"
    QC208 = "{path}: no transcript files found. Pass a folder, a glob or a list of files with known suffixes."
    QC209 = "Attributes: {detail}"

    # --- QC3xx codebook ---------------------------------------------------
    QC301 = "{path}: {detail}"
    QC302 = "Unknown code '{code}' in codebook '{codebook}'. Known codes start {known}."

    # --- QC4xx store ------------------------------------------------------
    QC401 = "{path}: {detail}"
    QC402 = "Unknown transcript '{transcript}' in project {path}. Add it with project.add_transcripts first."
    QC403 = "The project {path} is locked by another process (waited {timeout} s). Close the other notebook or process and try again."

    # --- QC5xx tagging ----------------------------------------------------
    QC501 = "{detail}"

    # --- QC6xx agreement --------------------------------------------------
    QC601 = "{detail}"

    # --- QC7xx figures and exports ----------------------------------------
    QC701 = "{detail}"

    # --- QC8xx pseudonymisation -------------------------------------------
    QC801 = "{detail}"

    # --- QC9xx widget and command line ------------------------------------
    QC901 = "{detail}"


class QualcodeError(Exception):
    """Base class of every error qualcode raises on purpose."""


class InvalidInputError(QualcodeError, ValueError):
    """A parameter or input frame is not valid."""


class ImportFormatError(QualcodeError, ValueError):
    """A file could not be imported; ``path``, ``line`` and ``position`` say where."""

    def __init__(
        self,
        message: str,
        *,
        path: object = None,
        line: int | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.line = line
        self.position = position


class OffsetError(QualcodeError, ValueError):
    """Character offsets do not fit the stored text."""


class CodebookError(QualcodeError, ValueError):
    """A codebook file or code is not valid."""


class StoreError(QualcodeError, RuntimeError):
    """The project store refused an operation."""


class StoreLockedError(StoreError):
    """Another process holds the project's write lock."""


class TaggingError(QualcodeError, ValueError):
    """Assisted tagging could not run as asked."""


class ExportError(QualcodeError, ValueError):
    """An export or exchange file could not be written or read."""


class MissingDependencyError(QualcodeError, ImportError):
    """An optional dependency is not installed."""


class QualcodeWarning(UserWarning):
    """Base class of qualcode's warnings."""


class UndefinedStatisticWarning(QualcodeWarning):
    """A statistic is undefined for these data (returned as NaN)."""


class ImportWarning_(QualcodeWarning):  # noqa: N801 - avoid shadowing builtins.ImportWarning
    """An importer repaired or skipped something in a file."""


class CodebookWarning(QualcodeWarning):
    """A codebook was loaded leniently (e.g. a foreign REFI dialect)."""


class DataLossWarning(QualcodeWarning):
    """Something could not be carried over and was reported, not silently dropped."""
