"""Cross-check values from irrCAC (Python port of Gwet's R package) used in
tests/test_agreement.py::test_agreement_gwet_ac2_matches_irrcac_weighted.

irrCAC pins numpy<2, so it is not in the project's environment; run this in a
separate one: ``pip install irrCAC "numpy<2" pandas`` then
``PYTHONPATH=src python tests/reference/irrcac_values.py``.
"""

from __future__ import annotations

from irrCAC.raw import CAC

import qualcode as qc

data = qc.datasets.load("krippendorff_2011")
for weights in ("quadratic", "linear"):
    cac = CAC(data, weights=weights, digits=10)
    print(f"AC2 {weights}: {cac.gwet()['est']['coefficient_value']}")
cac = CAC(data, digits=10)
for name in ("gwet", "fleiss", "bp", "krippendorff", "conger"):
    print(name, getattr(cac, name)()["est"]["coefficient_value"])
