"""Bias-SINEX reader on real CODE OSB files; counts from grep, values copied by eye."""

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_bias
from kompas.satsys import sat_system

NSEC = 1e-9


@pytest.fixture(scope="module")
def mgx(kompas_data):
    return read_bias(kompas_data / "H_extra_multignss" / "COD0MGXFIN_20212650000_01D_01D_OSB.BIA")


@pytest.fixture(scope="module")
def ops(kompas_data):
    return read_bias(kompas_data / "E_2026-133_ZIM2" / "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz")


def _counts(b):
    sat_rows = b.station == ""
    return {
        s: (int(np.sum(sat_rows & (b.system == s))), int(np.sum(~sat_rows & (b.system == s))))
        for s in "GRECJ"
    }


def test_mgx_row_counts_per_system(mgx):
    assert len(mgx) == 6871  # the header line declares 6915 estimates; 6871 OSB rows are present
    assert mgx.n_declared == 6915
    assert set(mgx.kind.tolist()) == {"OSB"}
    # (satellite rows, station rows) by grep; GLONASS has only station-and-satellite receiver rows
    assert _counts(mgx) == {"G": (280, 281), "R": (0, 5538), "E": (192, 222), "C": (74, 174), "J": (12, 98)}
    assert np.all(mgx.sat[mgx.station == ""] > 0)
    c_sats = np.unique(mgx.sat[(mgx.station == "") & (mgx.system == "C")])
    assert len(c_sats) == 37 and np.all(sat_system(c_sats) == 4)


def test_mgx_header_and_times(mgx):
    t0 = gtime_from_calendar(2021, 9, 22)
    assert mgx.time_system == "GPST" and mgx.bias_mode == "A" and mgx.agency == "COD"
    assert mgx.file_start_ns == t0 and mgx.file_end_ns == gtime_from_calendar(2021, 9, 23)
    assert np.all(mgx.start_ns == t0) and np.all(mgx.end_ns == gtime_from_calendar(2021, 9, 23))
    assert mgx.clock_reference["C"] == ("C2I", "C6I") and mgx.clock_reference["R"] == ()
    assert mgx.description["DETERMINATION_METHOD"] == "CLOCK_ANALYSIS"


def test_mgx_values(mgx):
    t = gtime_from_calendar(2021, 9, 22, 12)
    # OSB  G063 G01  C1C ... -1.4777 0.0062 ; C2C -1.3060 ; L1C -0.55749 (phase, in ns)
    np.testing.assert_allclose(
        mgx.osb("G01", ["C1C", "C2C", "L1C", "L2W"], t),
        np.array([-1.4777, -1.3060, -0.55749, -0.98671]) * NSEC,
    )
    # E205 E24 C1X -0.2005 ; J002 J02 C2S -0.0743 ; BDS satellite C2I/C6I are the clock reference (0)
    assert mgx.osb("E24", "C1X", t) == pytest.approx(-0.2005 * NSEC)
    assert mgx.osb("J02", "C2S", t) == pytest.approx(-0.0743 * NSEC)
    assert mgx.osb("C20", "C2I", t) == 0.0
    # station rows: BDS of AJAC -36.6692 (std 0.0189), GLONASS R01 of AIRA 21.2665
    assert mgx.osb("C20", "C2I", t, station="AJAC") == pytest.approx(-36.6692 * NSEC)
    assert mgx.osb("R01", "C1P", t, station="AIRA") == pytest.approx(21.2665 * NSEC)
    k = np.flatnonzero((mgx.station == "AJAC") & (mgx.obs1 == "C6I"))[0]
    assert mgx.std[k] == pytest.approx(0.0189 * NSEC) and mgx.svn[k] == "C" and mgx.sat[k] == -1
    # outside the day: no bias
    assert np.isnan(mgx.osb("G01", "C1C", gtime_from_calendar(2021, 9, 23)))


def test_ops_file(ops):
    assert len(ops) == 14065 == ops.n_declared
    assert _counts(ops) == {"G": (456, 651), "R": (0, 12246), "E": (240, 472), "C": (0, 0), "J": (0, 0)}
    assert ops.description["APC_MODEL"] == "IGS20_2415"
    t = gtime_from_calendar(2026, 5, 13, 0, 30)
    # OSB G080 G01 C1C -6.0355 0.0001 (first row) ; G070 G32 C2L 13.1877 ; E211 E02 C5Q -2.1879
    assert ops.osb("G01", "C1C", t) == pytest.approx(-6.0355 * NSEC)
    assert ops.std[0] == pytest.approx(0.0001 * NSEC) and ops.svn[0] == "G080"
    assert ops.osb("G32", "C2L", t) == pytest.approx(13.1877 * NSEC)
    assert ops.osb("E02", "C5Q", t) == pytest.approx(-2.1879 * NSEC)
    # ZIM2 receiver: Galileo C1C -30.2987 (system row), GLONASS R02 C1C -12.9295 (satellite row)
    assert ops.osb("E02", "C1C", t, station="ZIM2") == pytest.approx(-30.2987 * NSEC)
    assert ops.osb("R02", "C1C", t, station="ZIM2") == pytest.approx(-12.9295 * NSEC)
    assert ops.osb("G10", "C1C", t, station="ZIM2") == 0.0
