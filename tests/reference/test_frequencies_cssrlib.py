"""Carrier frequencies of every system and band against an independent table: cssrlib's ``rCST`` constants
(cssrlib 1.2.1, its own transcription of the ICDs), GLONASS FDMA channels included."""

import numpy as np
import pytest

from kompas.satsys import band_frequency, carrier_frequency, sat_index, signal_id

g = pytest.importorskip("cssrlib.gnss")
C = g.rCST

# (system, RINEX band digit) -> cssrlib's constant
REFERENCE = {
    ("G", "1"): C.FREQ_G1, ("G", "2"): C.FREQ_G2, ("G", "5"): C.FREQ_G5,
    ("R", "3"): C.FREQ_R3, ("R", "4"): C.FREQ_R1a,
    ("E", "1"): C.FREQ_E1, ("E", "5"): C.FREQ_E5a, ("E", "7"): C.FREQ_E5b, ("E", "8"): C.FREQ_E5,
    ("E", "6"): C.FREQ_E6,
    ("C", "2"): C.FREQ_C12, ("C", "1"): C.FREQ_C1, ("C", "5"): C.FREQ_C2a, ("C", "7"): C.FREQ_C2b,
    ("C", "8"): C.FREQ_C2, ("C", "6"): C.FREQ_C3,
    ("J", "1"): C.FREQ_J1, ("J", "2"): C.FREQ_J2, ("J", "5"): C.FREQ_J5, ("J", "6"): C.FREQ_J6,
    ("S", "1"): C.FREQ_S1, ("S", "5"): C.FREQ_S5,
    ("I", "1"): C.FREQ_I1, ("I", "9"): C.FREQ_IS,
}  # fmt: skip


@pytest.mark.parametrize(("system", "band"), sorted(REFERENCE))
def test_band_frequency_equals_cssrlibs(system, band):
    assert band_frequency(system, band) == REFERENCE[(system, band)]


def test_where_cssrlib_differs_the_icds_decide():
    # GLONASS L2OC: 1248.06 MHz = 1220 x 1.023 MHz (ICD GLONASS L2 CDMA 2016; RINEX 3.05 Table 5), as L1OC
    # 1600.995 = 1565 x 1.023 and L3OC 1202.025 = 1175 x 1.023; cssrlib has 1248.065 MHz
    assert C.FREQ_R2a == 1248.065e6 and band_frequency("R", "6") == 1220 * 1.023e6
    assert band_frequency("R", "4") == 1565 * 1.023e6 and band_frequency("R", "3") == 1175 * 1.023e6
    # NavIC L5: 1176.45 MHz (IRNSS SPS ICD 1.1 sec. 3.1, the GPS L5 carrier); cssrlib has 1191.795 MHz
    assert C.FREQ_I5 == 1191.795e6 and band_frequency("I", "5") == C.FREQ_G5


@pytest.mark.parametrize("k", range(-7, 7))
def test_glonass_fdma_channels(k):
    assert band_frequency("R", "1", k) == C.FREQ_R1 + k * C.FREQ_R1k
    assert band_frequency("R", "2", k) == C.FREQ_R2 + k * C.FREQ_R2k


def test_carrier_frequency_of_observation_arrays():
    # the vectorised lookup the measurement model uses gives the same numbers, BeiDou by band digit
    sats = sat_index(np.array(["C19", "C01", "E11", "G05", "J03"]))
    codes = np.array(["C2I", "C6I", "C7Q", "C5X", "C6L"])
    ref = [C.FREQ_C12, C.FREQ_C3, C.FREQ_E5b, C.FREQ_G5, C.FREQ_J6]
    assert np.array_equal(carrier_frequency(sats, signal_id(codes)), ref)
