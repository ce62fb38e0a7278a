"""BeiDou-2 satellite-induced code corrections (Wanninger & Beer 2015, Table 1) evaluated by hand."""

import numpy as np
import pytest

from kompas.models.bds2_code import WB2015_IGSO_M, WB2015_MEO_M, bds2_code_correction
from kompas.satsys import sat_index

C11, C06, C01, C19 = sat_index(np.array(["C11", "C06", "C01", "C19"]))  # MEO, IGSO, GEO (BDS-2); MEO (BDS-3)


@pytest.mark.parametrize(
    ("sat", "band", "el_deg", "want"),
    [
        (C11, 2, 45.0, 0.5 * (-0.11 + 0.06)),  # MEO B1I between 40 and 50 deg
        (C11, 7, 72.5, 0.75 * 0.48 + 0.25 * 0.64),  # MEO B2I, a quarter of the way from 70 to 80 deg
        (C11, 6, 90.0, 0.47),  # MEO B3I at the zenith node
        (C06, 6, 85.0, 0.5 * (0.19 + 0.32)),  # IGSO B3I between 80 and 90 deg
        (C06, 2, 0.0, -0.55),  # IGSO B1I at the horizon node
        (C06, 7, 13.0, 0.7 * -0.36 + 0.3 * -0.33),  # IGSO B2I
        (C06, 2, -5.0, -0.55),  # below the horizon: the 0-deg value
        (C11, 2, 95.0, 1.05),  # beyond the zenith: the 90-deg value
        (C01, 2, 45.0, 0.0),  # GEO: no correction
        (C19, 2, 45.0, 0.0),  # BeiDou-3: none
        (C11, 5, 45.0, 0.0),  # a band without a row
        (sat_index("G05"), 2, 45.0, 0.0),  # not BeiDou
    ],
)
def test_corrections_by_hand(sat, band, el_deg, want):
    got = bds2_code_correction(np.array([sat]), np.array([band]), np.radians([el_deg]))
    assert got.shape == (1,) and got[0] == pytest.approx(want, abs=1e-12)


def test_tables_and_vectorised_shapes():
    assert WB2015_IGSO_M.shape == WB2015_MEO_M.shape == (3, 10)
    el = np.radians(np.array([[10.0, 20.0], [30.0, np.nan]]))
    got = bds2_code_correction(np.full((2, 2), C11), np.full((2, 2), 2), el)
    np.testing.assert_allclose(got, [[-0.38, -0.32], [-0.23, 0.0]])  # NaN elevation: no correction
    # a caller's row order: B3I's row applied to B1I
    swapped = bds2_code_correction(np.array([C11]), np.array([2]), np.radians([90.0]), rows_of_band=(6, 7, 2))
    assert swapped[0] == pytest.approx(0.47)
