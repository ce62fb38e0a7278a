"""Antenna range corrections computed by hand (the ANTEX-based ones: tests/reference/test_antenna_real.py)."""

import numpy as np
import pytest

pytestmark = pytest.mark.timeout(60)


def test_an_eccentricity_without_a_receiver_calibration_shortens_the_range_along_the_line_of_sight():
    """``antenna_offsets`` without a receiver antenna but with an ARP eccentricity (east, north, up): the
    range correction is ``-ecc . e`` (a 1 m higher antenna is 1 m nearer a satellite at the zenith)."""
    from kompas.models.antenna import antenna_offsets

    az = np.radians([0.0, 90.0, 0.0])
    el = np.radians([90.0, 0.0, 30.0])
    ecc = np.array([0.2, 0.0, 1.0])
    res = antenna_offsets(["G01"] * 3, az, el, np.tile([0.0, 0.0, 1.0], (3, 1)), np.tile(np.eye(3), (3, 1, 1)),
                          arp_offset_enu=ecc)  # fmt: skip
    np.testing.assert_allclose(res.receiver_m, [-1.0, -0.2, -0.5], atol=1e-12)
