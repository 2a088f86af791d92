"""rules.sorted_codes on text columns whose Arrow data comes in several chunks (as a load's
frames do): the codes and the distinct ids are pd.factorize(sort=True)'s."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kamtool.analyses import rules


def chunked(values: list[str], sizes: list[int]) -> pd.Series:
    parts, at = [], 0
    for size in sizes:
        parts.append(pd.Series(values[at:at + size], dtype="str"))
        at += size
    column = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    rows = pa.array(column.array)
    assert (rows.num_chunks if isinstance(rows, pa.ChunkedArray) else 1) == len(sizes)
    return column


@pytest.mark.parametrize("sizes", [[6], [1, 5], [2, 2, 2], [3, 1, 1, 1], [1, 1, 1, 1, 1, 1]])
def test_grouped_ids_in_chunks_are_coded_as_factorize(sizes: list[int]) -> None:
    column = chunked(["a", "a", "b", "b", "b", "d"], sizes)
    codes, names = rules.sorted_codes(column)
    expected_codes, expected_names = pd.factorize(column, sort=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == np.int64
    assert names.equals(pd.Index(expected_names))
    assert names.dtype == pd.Index(expected_names).dtype
    assert names.tolist() == ["a", "b", "d"]


def test_ids_out_of_order_across_chunks_fall_back_to_factorize() -> None:
    column = chunked(["b", "b", "a", "c"], [2, 2])
    codes, names = rules.sorted_codes(column)
    np.testing.assert_array_equal(codes, [1, 1, 0, 2])
    assert names.tolist() == ["a", "b", "c"]


def test_random_grouped_columns_match_factorize() -> None:
    rng = np.random.default_rng(7)
    for _ in range(100):
        n = int(rng.integers(2, 40))
        values = [f"c{v:02d}" for v in np.sort(rng.integers(0, 12, n))]
        sizes: list[int] = []
        while sum(sizes) < n:
            sizes.append(int(min(rng.integers(1, 8), n - sum(sizes))))
        column = chunked(values, sizes)
        codes, names = rules.sorted_codes(column)
        expected_codes, expected_names = pd.factorize(column, sort=True)
        np.testing.assert_array_equal(codes, expected_codes)
        assert names.equals(pd.Index(expected_names))
