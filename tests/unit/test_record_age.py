"""The orbit error of broadcast records used far from their reference epoch (kompas.products.broadcast)."""

import numpy as np

from kompas.products.broadcast import RECORD_AGE_ORBIT_SIGMA_M, record_orbit_sigma_m
from kompas.products.record_age import record_orbit_drift_mps


def test_table_values_and_log_linear_interpolation():
    h = 3600.0
    got = record_orbit_sigma_m(["C", "C", "E", "E", "C"], np.array([-3.0, 6.0, -1.0, 1.0, -2.5]) * h)
    np.testing.assert_allclose(got[:4], [13.6, 73.4, 1.8, 0.21], rtol=1e-12)
    # half way between -3 h (13.6 m) and -2 h (3.1 m): the geometric mean
    assert abs(got[4] - np.sqrt(13.6 * 3.1)) < 1e-9


def test_beyond_the_table_the_end_growth_continues_and_unknown_systems_are_nan():
    h = 3600.0
    got = record_orbit_sigma_m(["C", "E", "G", "R", "C"], np.array([-4.0, 7.0, 1.0, 0.1, np.nan]) * h)
    assert abs(got[0] - 13.6 * 13.6 / 3.1) < 1e-6  # one more hour at the -3 h..-2 h growth
    # one more hour at the growth of 4 h .. 6 h (3.4 -> 46.7 m in two hours)
    assert abs(got[1] - 46.7 * np.sqrt(46.7 / 3.4)) < 1e-6
    assert np.isnan(got[2:]).all()


def test_the_table_grows_away_from_the_reference_epoch():
    for table in RECORD_AGE_ORBIT_SIGMA_M.values():
        h, s = np.array(table).T
        before, after = s[h <= 0], s[h >= 0]
        assert np.all(np.diff(before) <= 0) and np.all(np.diff(after) >= 0)


def test_drift_is_the_table_s_slope_over_a_minute_either_side():
    """At 2.5 h (BeiDou, between 2 h: 0.43 m and 3 h: 3.6 m, log-linear) and at -2.5 h (the error falls with
    the age there: the drift is its magnitude); NaN for a system without a table."""
    h = 3600.0
    t = np.array([2.5, -2.5, 1.0]) * h

    def sigma(x, lo, hi):  # log-linear between (2, lo) and (3, hi) in hours
        return lo * (hi / lo) ** (x / h - 2.0)

    got = record_orbit_drift_mps(["C", "C", "G"], t)
    up = (sigma(t[0] + 60.0, 0.43, 3.6) - sigma(t[0] - 60.0, 0.43, 3.6)) / 120.0
    down = (sigma(-t[1] + 60.0, 3.1, 13.6) - sigma(-t[1] - 60.0, 3.1, 13.6)) / 120.0
    np.testing.assert_allclose(got[:2], [up, down], rtol=1e-9)
    assert up > 0 and down > 0 and np.isnan(got[2])


def test_extrapolation_follows_end_segments_of_any_width(monkeypatch):
    """Both end segments two hours wide: the growth per hour beyond them is the segment's change over its
    width (the shipped tables have one-hour first segments, where a width multiplied instead of divided
    would not show)."""
    monkeypatch.setitem(RECORD_AGE_ORBIT_SIGMA_M, "C", ((-4.0, 10.0), (-2.0, 1.0), (0.0, 0.5), (2.0, 2.0)))
    got = record_orbit_sigma_m(["C", "C", "C"], np.array([-6.0, -3.0, 4.0]) * 3600.0)
    np.testing.assert_allclose(got, [100.0, np.sqrt(10.0), 8.0], rtol=1e-12)
