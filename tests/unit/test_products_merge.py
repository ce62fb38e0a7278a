"""Merging SP3 / clock files of one product onto one grid (:mod:`kompas.products._merge`), by hand."""

import numpy as np
import pytest

from kompas.errors import KompasError
from kompas.products._merge import grid_interval_ns, merge_clock_series, merge_grids, mode_interval_ns

pytestmark = pytest.mark.timeout(60)

S = 1_000_000_000
T0 = 1_400_000_000 * S


def test_grid_interval_from_the_epochs_else_the_header():
    assert grid_interval_ns(np.array([T0, T0 + 30 * S]), 300.0, "f") == 30 * S  # two epochs beat the header
    assert grid_interval_ns(np.array([T0, T0 + 60 * S, T0 + 90 * S]), None, "f") == 30 * S
    assert grid_interval_ns(np.array([T0]), 300.0, "f") == 300 * S
    assert grid_interval_ns(np.array([T0]), 0.5, "f") == S // 2
    for header in (None, 0.0):
        with pytest.raises(KompasError, match=r"^x\.sp3: a single epoch and no epoch interval; cannot"):
            grid_interval_ns(np.array([T0]), header, "x.sp3")


def test_most_frequent_spacing_ignores_repeated_epochs():
    assert mode_interval_ns(np.array([T0, T0 + 30 * S, T0 + 60 * S, T0 + 90 * S, T0 + 390 * S])) == 30 * S
    assert mode_interval_ns(np.array([T0, T0, T0, T0, T0 + 30 * S])) == 30 * S
    assert mode_interval_ns(np.array([T0, T0 + 1, T0 + 2, T0 + 10])) == 1
    assert mode_interval_ns(np.array([T0, T0 + 5 * S, T0 + 35 * S])) == 5 * S  # a tie: the smallest
    assert mode_interval_ns(T0 + np.array([0, 5, 35, 65, 95]) * S) == 30 * S
    for t in (np.array([T0]), np.array([T0, T0])):
        with pytest.raises(
            KompasError, match="^clock product with fewer than two epochs; cannot interpolate$"
        ):
            mode_interval_ns(t)


def grid_file(t_s, sats, base):
    """Times, satellites and (E, S, 3) values ``base + epoch index + 10 * satellite index + component``."""
    t = T0 + np.asarray(t_s, np.int64) * S
    e, s, c = np.meshgrid(np.arange(len(t_s)), np.arange(len(sats)), np.arange(3), indexing="ij")
    return t, np.array(sats, np.int16), base + e + 10.0 * s + 0.1 * c


def test_merge_grids_fills_gaps_with_nan_and_the_first_file_wins():
    t1, s1, v1 = grid_file([0, 30, 60], [105, 107], 0.0)
    t2, s2, v2 = grid_file([60, 90, 150], [107, 301], 1000.0)
    v2[0, 0] = v1[2, 1] + [0.25, -0.5, 0.125]  # G07 at 60 s, given twice
    t, sats, grid, h, diff = merge_grids([t1, t2], [s1, s2], [v1, v2], [30 * S, 30 * S], "f")
    assert t.dtype == np.int64 and t.tolist() == (T0 + np.arange(6) * 30 * S).tolist()
    assert sats.dtype == np.int16 and sats.tolist() == [105, 107, 301] and h == 30 * S
    assert grid.shape == (3, 6, 3)
    np.testing.assert_array_equal(grid[1, 2], v1[2, 1])  # the first file's value
    assert diff.tolist() == [0.5]  # the largest component difference of the one cell given twice
    np.testing.assert_array_equal(grid[2, 3], v2[1, 1])
    assert np.isnan(grid[:, 4]).all()  # 120 s: in no file
    assert np.isnan(grid[0, 3:]).all() and np.isnan(grid[2, :2]).all()


def test_merge_grids_reports_each_overlapping_cell():
    t1, s1, v1 = grid_file([0, 30], [105, 107], 0.0)
    t2, s2, v2 = grid_file([0, 30], [105, 107], 0.0)
    v2[:, :, 2] += np.array([[1.0, 2.0], [3.0, 4.0]])
    _, _, _, _, diff = merge_grids([t1, t2], [s1, s2], [v1, v2], [30 * S, 30 * S], "f")
    assert sorted(diff.tolist()) == [1.0, 2.0, 3.0, 4.0]


def test_merge_grids_without_overlap_has_no_differences():
    t1, s1, v1 = grid_file([0], [105], 0.0)
    t2, s2, v2 = grid_file([30], [105], 0.0)
    v2[0, 0, 1] = np.nan  # an incomplete vector is no value
    _, _, grid, _, diff = merge_grids([t1, t2], [s1, s2], [v1, v2], [30 * S, 30 * S], "f")
    assert diff.size == 0 and np.isnan(grid[0, 1]).all()


def test_merge_grids_refusals():
    t1, s1, v1 = grid_file([0, 30], [105], 0.0)
    t2, s2, v2 = grid_file([0, 300], [105], 0.0)
    with pytest.raises(
        KompasError,
        match=r"^f: inconsistent epoch spacing between files \(\[30\.0, 300\.0\] s\); interpolate them separately$",
    ):
        merge_grids([t1, t2], [s1, s2], [v1, v2], [30 * S, 300 * S], "f")
    t3, s3, v3 = grid_file([45], [105], 0.0)
    with pytest.raises(KompasError, match=r"^f: epochs are not on a common 30 s grid$"):
        merge_grids([t1, t3], [s1, s3], [v1, v3], [30 * S, 30 * S], "f")
    with pytest.raises(ValueError):  # one satellite list short
        merge_grids([t1, t1], [s1], [v1, v1], [30 * S, 30 * S], "f")


def test_merge_grids_refuses_a_mostly_empty_grid():
    # 4 epochs: at most 4 * 4 + 16 = 32 grid epochs
    t1, s1, v1 = grid_file([0, 30], [105], 0.0)
    ok = grid_file([30 * 30, 31 * 30], [105], 0.0)
    t, *_ = merge_grids([t1, ok[0]], [s1, ok[1]], [v1, ok[2]], [30 * S, 30 * S], "f")
    assert t.size == 32
    far = grid_file([31 * 30, 32 * 30], [105], 0.0)
    with pytest.raises(
        KompasError, match=r"^f: files are too far apart in time to be merged \(33 grid epochs\)$"
    ):
        merge_grids([t1, far[0]], [s1, far[1]], [v1, far[2]], [30 * S, 30 * S], "f")


def test_merge_clock_series_earlier_files_win_on_the_union_of_epochs():
    a = (T0 + np.array([0, 30]) * S, np.array([105, 107]), np.array([[1e-6, 2e-6], [1.1e-6, np.nan]]))
    b = (T0 + np.array([30, 300]) * S, np.array([107, 301]), np.array([[2.5e-6, 3e-6], [2.6e-6, 3.1e-6]]))
    t, sats, bias, diff = merge_clock_series([a, b])
    assert t.tolist() == (T0 + np.array([0, 30, 300]) * S).tolist()
    assert sats.dtype == np.int16 and sats.tolist() == [105, 107, 301]
    assert bias.dtype == np.float64
    np.testing.assert_array_equal(bias[1], [2e-6, 2.5e-6, 2.6e-6])  # G07 at 30 s: NaN in a, so b's
    np.testing.assert_array_equal(bias[2], [np.nan, 3e-6, 3.1e-6])
    assert diff.size == 0
    c = (T0 + np.array([0]) * S, np.array([105]), np.array([[1.5e-6]]))
    _, _, bias, diff = merge_clock_series([a, c])
    assert bias[0, 0] == 1e-6 and diff == pytest.approx([0.5e-6])
