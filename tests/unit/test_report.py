"""kompas.report.convergence_summary on errors written by hand: final error, last-30-minute RMS and the
convergence time (the first epoch after which H and V stay below 10 cm)."""

from __future__ import annotations

import numpy as np
import pytest

from kompas.report import convergence_summary

pytestmark = pytest.mark.timeout(30)
S = 10**9


class _Errors:
    """A solution as convergence_summary reads it: epochs and their E/N/U errors against a truth."""

    def __init__(self, t_s, enu):
        self.time_ns = np.asarray(t_s, dtype=np.int64) * S
        self._enu = np.asarray(enu, dtype=float)

    def __len__(self):
        return len(self.time_ns)

    def enu_error_m(self, truth):
        return self._enu


def test_final_error_last_30_minutes_and_convergence_by_hand():
    # epoch 1 is 9 cm north: below 10 cm horizontally, so the solution has converged from there on
    sol = _Errors([0, 600, 1200, 3000], [[0.5, 0, 0], [0, 0.09, 0], [0.02, 0, 0.01], [0.03, 0.04, -0.02]])
    c = convergence_summary(sol, np.zeros(3))
    assert c["n"] == 4 and c["final_h_m"] == pytest.approx(0.05, abs=1e-15) and c["final_v_m"] == -0.02
    np.testing.assert_array_equal(c["final_enu_m"], [0.03, 0.04, -0.02])
    # the last 30 minutes: epochs at 1200 and 3000 s
    assert c["last30_h_rms_m"] == pytest.approx(np.sqrt((0.02**2 + 0.05**2) / 2), abs=1e-15)
    assert c["last30_v_rms_m"] == pytest.approx(np.sqrt((0.01**2 + 0.02**2) / 2), abs=1e-15)
    assert c["converged_after_s"] == pytest.approx(600.0)


def test_a_late_excursion_restarts_the_convergence_and_an_unsolved_epoch_counts_as_not_converged():
    sol = _Errors([0, 30, 60, 90], [[0.01, 0, 0], [0, 0, 0.11], [0.01, 0.01, 0], [0.0, 0.02, 0.0]])
    late = convergence_summary(sol, np.zeros(3))
    assert late["converged_after_s"] == pytest.approx(60.0)  # 11 cm up at 30 s
    gap = _Errors([0, 30, 60], [[0.01, 0, 0], [np.nan, np.nan, np.nan], [0.02, 0, 0]])
    c = convergence_summary(gap, np.zeros(3))
    assert c["n"] == 2 and c["converged_after_s"] == pytest.approx(60.0)
    never = _Errors([0, 30], [[0.2, 0, 0], [0.0, 0.15, 0]])
    assert np.isnan(convergence_summary(never, np.zeros(3))["converged_after_s"])
    assert convergence_summary(_Errors([0], [[np.nan] * 3]), np.zeros(3)) == {"n": 0}
