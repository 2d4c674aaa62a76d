"""Cross-check values for u-alpha from an independent implementation.

Produces ``unitized_alpha_cases.json`` used by tests/test_agreement_unitized.py.
The reference is the PyPI package ``krippendorff-unitized-alpha`` 0.1.0 (an
implementation of Krippendorff, Mathet, Bouvry & Widlöcher 2016, u-alpha only).
It pins old numpy/pytest, so install it apart, without dependencies:

    python -m pip install --no-deps --target /tmp/kua krippendorff-unitized-alpha==0.1.0
    PYTHONPATH=/tmp/kua python tests/reference/unitized_alpha_crosscheck.py

Its segments tile the continuum (gaps given explicitly as EMPTY_TAG) and use
half-open [start, end) lengths. The random partitions merge a coder's touching
same-code segments, so no case has touching same-value units: the values do not
depend on whether such units are kept apart (qualcode, since issue 16.8, as in
Krippendorff 2019, Fig. 12.11) or merged.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from krippendorff_unitized_alpha.krippendorffs_unitized_alpha import (
    EMPTY_TAG,
    KrippendorffUnitizedAlpha,
    Segment,
)


def random_partition(rng, length, codes):
    cuts = np.sort(
        rng.choice(np.arange(1, length), size=int(rng.integers(2, 7)), replace=False)
    )
    bounds = [0, *cuts.tolist(), length]
    out = []
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        v = rng.choice(codes + [""])
        if out and out[-1][2] == v:  # no touching same-value units in the cases
            out[-1] = (out[-1][0], e, v)
        else:
            out.append((s, e, v))
    return out


def main() -> None:
    rng = np.random.default_rng(2016)
    cases = []
    for m in (2, 2, 3, 4):
        length = int(rng.integers(25, 60))
        data, rows = {}, []
        for k in range(m):
            part = random_partition(rng, length, ["x", "y"])
            data[f"c{k}"] = [Segment(v or EMPTY_TAG, s, e) for s, e, v in part]
            rows += [[f"c{k}", s, e, v] for s, e, v in part if v]
        value = KrippendorffUnitizedAlpha(data).result
        cases.append(
            {"length": length, "coders": list(data), "segments": rows, "u": value}
        )
    out = Path(__file__).with_name("unitized_alpha_cases.json")
    out.write_text(json.dumps(cases, indent=1))
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
