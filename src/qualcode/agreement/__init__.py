"""Inter-coder agreement: coefficients, unitizing alphas, tables, disagreements.

Reliability data are a units x coders table (rows = units, columns = coders,
``NaN`` = the coder did not code that unit), given as a DataFrame or a 2-D array.

The package has four layers, each importing only the ones above it:

- :mod:`~qualcode.agreement.coefficients`: pure coefficient functions on a units x
  coders table (percent agreement, Cohen's kappa, Scott's pi, Fleiss' kappa,
  Brennan-Prediger, Gwet's AC1/AC2, Krippendorff's alpha) and bootstrap intervals.
- :mod:`~qualcode.agreement.unitized`: Krippendorff's unitizing alphas on coders'
  ``(coder, start, end, code)`` segments of a continuum.
- :mod:`~qualcode.agreement.tables`: :func:`agreement_table` (units from a project,
  one row per code plus a pooled row) and :func:`reliability_data`.
- :mod:`~qualcode.agreement.disagreements`: :func:`disagreements` and
  :func:`resolve_disagreements` (the consensus workflow, written to the project
  through its public API).

Statistics know nothing of files or SQLite; only the last two modules read a
project.

Examples
--------
>>> import qualcode as qc
>>> round(qc.agreement.cohen_kappa(qc.datasets.load("artstein_poesio_table1")), 3)
0.348
"""

from __future__ import annotations

from qualcode.agreement._kernels import LEVELS as LEVELS
from qualcode.agreement._kernels import WEIGHTS as WEIGHTS
from qualcode.agreement.coefficients import (
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from qualcode.agreement.disagreements import disagreements, resolve_disagreements
from qualcode.agreement.tables import POOLED as POOLED
from qualcode.agreement.tables import TABLE_UNITS as TABLE_UNITS
from qualcode.agreement.tables import agreement_table, reliability_data
from qualcode.agreement.unitized import VARIANTS as VARIANTS
from qualcode.agreement.unitized import unitized_alpha, unitized_alpha_by_value

__all__ = [
    "agreement_table",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "disagreements",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "percent_agreement",
    "reliability_data",
    "resolve_disagreements",
    "scott_pi",
    "unitized_alpha",
    "unitized_alpha_by_value",
]
