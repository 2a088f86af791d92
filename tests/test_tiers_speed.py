"""The shortcuts of `kamtool tiers` give the answers of the long way."""

from __future__ import annotations

import numpy as np

from kamtool.analyses import tiers


def test_flags_name_each_rows_missing_factors_in_order() -> None:
    f, t = False, True
    missing = np.array([[f, f, f], [t, f, t], [f, t, f], [t, f, t]])
    names = ["missing_strategic", "missing_loyalty", "missing_future"]
    flags = tiers._flags(missing, names)
    assert flags.tolist() == ["", "missing_strategic,missing_future", "missing_loyalty",
                              "missing_strategic,missing_future"]
    # the row-by-row join it replaces
    assert flags.tolist() == [",".join(n for n, m in zip(names, row, strict=True) if m) for row in missing]


def test_flags_of_no_rows_and_of_no_factor() -> None:
    assert tiers._flags(np.zeros((0, 2), dtype=bool), ["a", "b"]).tolist() == []
    assert tiers._flags(np.zeros((3, 0), dtype=bool), []).tolist() == ["", "", ""]
