"""Linear combinations: each removes what it claims to remove (synthetic observations)."""

import numpy as np
import pytest

from kompas.constants import C_LIGHT
from kompas.models.combinations import (
    code_multipath,
    geometry_free,
    if_coefficients,
    iono_free,
    iono_scale,
    melbourne_wubbena,
    wide_lane_wavelength,
)

F1, F2 = 1561.098e6, 1268.52e6  # BDS B1I, B3I


def _obs(rho, iono1, amb1, amb2):
    """Code and phase (m) on two bands with a first-order ionosphere of iono1 m on band 1."""
    i2 = iono1 * (F1 / F2) ** 2
    p1, p2 = rho + iono1, rho + i2
    l1 = rho - iono1 + amb1 * C_LIGHT / F1
    l2 = rho - i2 + amb2 * C_LIGHT / F2
    return p1, p2, l1, l2


def test_iono_free_removes_first_order_ionosphere():
    a1, a2 = if_coefficients(F1, F2)
    assert a1 + a2 == pytest.approx(1.0) and a1 == pytest.approx(2.943, abs=1e-3)
    p1, p2, *_ = _obs(2.2e7, np.array([1.0, 10.0, 30.0]), 0, 0)
    np.testing.assert_allclose(iono_free(p1, p2, F1, F2), 2.2e7, rtol=0, atol=1e-6)


def test_geometry_free_and_melbourne_wubbena():
    rho = np.array([2.0e7, 2.3e7])
    p1, p2, l1, l2 = _obs(rho, np.array([3.0, 7.0]), 1000, 900)
    gf = geometry_free(l1, l2)
    i2 = np.array([3.0, 7.0]) * (F1 / F2) ** 2
    np.testing.assert_allclose(gf, -(np.array([3.0, 7.0]) - i2) + 1000 * C_LIGHT / F1 - 900 * C_LIGHT / F2)
    mw = melbourne_wubbena(l1 / (C_LIGHT / F1), l2 / (C_LIGHT / F2), p1, p2, F1, F2)
    np.testing.assert_allclose(mw, 100.0, atol=1e-6)  # N1 - N2, whatever the range and ionosphere
    assert wide_lane_wavelength(F1, F2) == pytest.approx(C_LIGHT / (F1 - F2))


def test_code_multipath_cancels_ionosphere():
    iono = np.linspace(1.0, 20.0, 5)
    p1, _, l1, l2 = _obs(2.1e7 + np.arange(5) * 1e3, iono, 50, 40)
    mp = code_multipath(p1 + np.array([0, 0.3, 0, -0.3, 0]), l1, l2, F1, F2)
    mp -= mp.mean()
    np.testing.assert_allclose(mp, [0, 0.3, 0, -0.3, 0], atol=1e-6)


def test_iono_scale_between_bands():
    # GPS L1/L2 = 154/120 (both multiples of 10.23 MHz): the L2 delay is (154/120)^2 = 1.6469444 times L1's
    assert iono_scale(1575.42e6, 1227.60e6) == pytest.approx((154 / 120) ** 2, rel=1e-14)
    np.testing.assert_allclose(iono_scale(F1, np.array([F1, F2])), [1.0, (F1 / F2) ** 2], rtol=1e-14)
    assert iono_scale(1575420000, 1227600000) == pytest.approx(1.6469444444, rel=1e-10)  # integers too


def test_integer_frequencies_give_the_ratios_of_the_carrier_multipliers():
    # GPS L1 = 154 x 10.23 MHz, L2 = 120 x 10.23 MHz (IS-GPS-200 sec. 3.3.1.1); frequencies held as 32-bit
    # integers (they fit: < 2.1 GHz) must not overflow when squared
    f1, f2 = np.array([154 * 10_230_000], np.int32), np.array([120 * 10_230_000], np.int32)
    a1, a2 = if_coefficients(f1, f2)
    assert a1[0] == pytest.approx(154**2 / (154**2 - 120**2), rel=1e-14)  # 2.5457278
    assert a2[0] == pytest.approx(-(120**2) / (154**2 - 120**2), rel=1e-14)
    # MP1 = P1 - L1 - 2 f2^2 / (f1^2 - f2^2) (L1 - L2) (Estey & Meertens 1999), with P1 = L1 + 1 m, L1 - L2 = 1 m
    mp = code_multipath(np.array([1.0]), np.array([0.0]), np.array([-1.0]), f1, f2)
    assert mp[0] == pytest.approx(1.0 - 2.0 * 120**2 / (154**2 - 120**2), rel=1e-14)
    mp2 = code_multipath(np.array([1.0]), np.array([0.0]), np.array([-1.0]), f2, f1)  # MP2: the roles swap
    assert mp2[0] == pytest.approx(1.0 - 2.0 * 154**2 / (120**2 - 154**2), rel=1e-14)
