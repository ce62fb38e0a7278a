"""Error statistics (kompas.stats.error_stats) by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kompas.stats import error_stats


def test_error_stats_by_hand():
    enu = np.array([[3.0, 4.0, -1.0], [0.0, 0.0, 2.0], [6.0, 8.0, 0.0], [np.nan, 1.0, 1.0]])
    s = error_stats(enu)
    # horizontal 5, 0, 10; vertical 1, 2, 0; the NaN row is ignored
    assert s.n == 3
    assert s.h_rms == pytest.approx(math.sqrt((25 + 0 + 100) / 3))
    assert s.v_rms == pytest.approx(math.sqrt((1 + 4 + 0) / 3))
    assert s.d3_rms == pytest.approx(math.sqrt((26 + 4 + 100) / 3))
    assert s.h_95 == pytest.approx(np.percentile([5.0, 0.0, 10.0], 95))  # 9.5, linear between 5 and 10
    assert s.v_95 == pytest.approx(1.9)
    assert np.allclose(s.mean_enu, [3.0, 4.0, 1.0 / 3.0])


def test_error_stats_of_no_finite_epoch_are_nan():
    for enu in (np.zeros((0, 3)), np.full((2, 3), np.nan)):
        s = error_stats(enu)
        assert s.n == 0
        for name in ("h_rms", "v_rms", "d3_rms", "h_95", "v_95"):
            value = getattr(s, name)
            assert isinstance(value, float) and math.isnan(value), name
        assert s.mean_enu.shape == (3,) and np.isnan(s.mean_enu).all()
