"""QC counts on hand-made elevation grids (kompas.qc.metrics): the boundary of the mask and the satellites
the file never shows."""

import numpy as np
import pytest

from kompas import sat_index
from kompas.qc.geometry import SkyGrid
from kompas.qc.metrics import _never_observed, _system_expected

pytestmark = pytest.mark.timeout(60)

MASK = np.radians(10.0)


def _grid():
    sats = np.sort(sat_index(["G01", "G02", "G03", "E01"]))
    el = np.radians(
        [[5.0, 40.0, 10.0, 30.0],  # G03 exactly at the mask: above it, as in every count of QC
         [12.0, 45.0, 9.99, np.nan],  # E01 without a usable orbit at this epoch
         [np.nan, 50.0, 10.0, 20.0]]
    )  # fmt: skip
    return SkyGrid(sats, np.zeros_like(el), el)


def test_satellites_never_observed_with_their_epochs_above_the_mask():
    grid = _grid()
    g01, g02, g03, e01 = sat_index(["G01", "G02", "G03", "E01"])
    assert _never_observed(grid, "G", [g02], MASK) == {g01: 1, g03: 2}  # exactly at the mask counts
    assert _never_observed(grid, "G", [g01, g02, g03], MASK) == {}
    assert _never_observed(grid, "E", [], MASK) == {e01: 2}
    assert _never_observed(None, "G", [], MASK) == {}
    # the system's expected count over observed and never-observed satellites alike
    assert _system_expected(grid, np.array([g01, g02, g03]), MASK) == 1 + 3 + 2
