"""ANTEX reader on the real (trimmed) IGS files; expected values copied by eye from the files."""

import warnings

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_antex, sat_index
from kompas.errors import KompasWarning
from kompas.io.readers.antex import AntennaNotFoundError

MM = 1e-3


@pytest.fixture(scope="module")
def wettzell(kompas_data):
    return read_antex(kompas_data / "A_2020-177_ESBC_WTZR" / "igs20_wettzell_trim.atx")


@pytest.fixture(scope="module")
def pasa(kompas_data):
    return read_antex(kompas_data / "D_2026-120_PASA_SCOA_rtk" / "igs20_pasa_scoa_gps.atx")


def test_block_counts(kompas_data, wettzell, pasa):
    # counts of "START OF ANTENNA" by grep
    assert len(wettzell.antennas) == 10
    assert len(pasa.antennas) == 118
    zim2 = read_antex(kompas_data / "E_2026-133_ZIM2" / "igs20_zim2_gps_trim.atx")
    assert len(zim2.antennas) == 16
    assert wettzell.version == 1.4 and wettzell.system == "M" and wettzell.pcv_type == "A"
    assert sum(a.is_satellite for a in wettzell.antennas) == 9
    assert sum(a.is_satellite for a in pasa.antennas) == 116


def test_wtzr_receiver_antenna(wettzell):
    ant = wettzell.receiver("LEIAR25.R3      LEIT")
    assert ant is wettzell.receiver("LEIAR25.R3 LEIT")
    assert ant.type == "LEIAR25.R3      LEIT" and ant.serial == ""
    assert (ant.method, ant.agency, ant.n_calibrated, ant.date) == ("ROBOT", "Geo++ GmbH", 3, "09-JUN-19")
    assert len(ant.freqs) == 25
    assert {"G01", "G02", "R01", "R02", "E01", "E05", "C02", "C06", "C07"} <= set(ant.freqs)
    np.testing.assert_allclose(np.rad2deg(ant.zen_rad), np.arange(0, 91, 5.0))
    np.testing.assert_allclose(np.rad2deg(ant.azi_rad), np.arange(0, 361, 5.0))
    g01 = ant.freqs["G01"]
    np.testing.assert_allclose(g01.pco_m, np.array([-0.05, 0.95, 160.96]) * MM, rtol=0, atol=1e-12)
    assert g01.pcv_noazi_m.shape == (19,) and g01.pcv_m.shape == (73, 19)
    assert g01.pcv_noazi_m[1] == pytest.approx(0.26 * MM) and g01.pcv_noazi_m[18] == pytest.approx(3.11 * MM)
    # azimuth 5.0 row: 0.00 0.25 0.98 2.05 ... 2.10; azimuth 10.0, zenith 65: -1.93
    assert g01.pcv_m[1, 1] == pytest.approx(0.25 * MM) and g01.pcv_m[1, 18] == pytest.approx(2.10 * MM)
    assert g01.pcv_m[2, 13] == pytest.approx(-1.93 * MM)
    np.testing.assert_allclose(g01.pcv_m[72], g01.pcv_m[0])  # 360 = 0 deg in the file
    c06 = ant.freqs["C06"]
    np.testing.assert_allclose(c06.pco_m, np.array([-0.41, 0.12, 153.52]) * MM, rtol=0, atol=1e-12)
    assert c06.pcv_noazi_m[18] == pytest.approx(7.27 * MM)
    assert c06.pcv_m[72, 18] == pytest.approx(4.30 * MM)  # last row of the file
    r01 = ant.freqs["R01"]
    np.testing.assert_allclose(r01.pco_m, np.array([0.03, 0.93, 159.80]) * MM, rtol=0, atol=1e-12)


def test_wettzell_satellites_and_validity(wettzell):
    assert (
        wettzell.satellites().tolist()
        == sat_index(["G05", "G08", "G09", "G13", "G15", "G18", "G27", "G28", "G30"]).tolist()
    )
    g18 = wettzell.satellite("G18", gtime_from_calendar(2020, 6, 25))
    assert (g18.type, g18.svn, g18.cospar) == ("BLOCK IIIA", "G075", "2019-056A")
    assert g18.valid_from_ns == gtime_from_calendar(2020, 3, 13) and g18.valid_until_ns is None
    assert list(g18.freqs) == ["G01", "G02", "G05"]
    np.testing.assert_allclose(g18.freqs["G01"].pco_m, np.array([-64.42, 19.48, 1188.42]) * MM, atol=1e-12)
    np.testing.assert_allclose(g18.freqs["G02"].pco_m, np.array([-64.79, 22.06, 702.29]) * MM, atol=1e-12)
    assert g18.freqs["G01"].pcv_noazi_m[0] == pytest.approx(13.90 * MM)
    assert g18.freqs["G01"].pcv_noazi_m[17] == pytest.approx(42.40 * MM)
    assert g18.azi_rad is None and g18.freqs["G01"].pcv_m is None
    np.testing.assert_allclose(np.rad2deg(g18.zen_rad), np.arange(18.0))
    g13 = wettzell.satellite("G13", gtime_from_calendar(2020, 6, 25))
    assert g13.valid_until_ns == gtime_from_calendar(2026, 4, 24, 23, 59, 59.9999999)
    np.testing.assert_allclose(g13.freqs["G01"].pco_m, np.array([-2.40, -1.60, 1287.12]) * MM, atol=1e-12)
    with pytest.raises(AntennaNotFoundError):
        wettzell.satellite("G13", gtime_from_calendar(2026, 4, 25))
    with pytest.raises(AntennaNotFoundError):
        wettzell.satellite("G18", gtime_from_calendar(2020, 3, 12))


def test_prn_reuse_selects_block_by_time(pasa):
    # G04 was used by SVNs G001, G034, G049, G032, G038, G036, G074 (file order, by VALID FROM)
    assert pasa.satellite("G04", gtime_from_calendar(1980, 1, 6)).svn == "G001"
    assert pasa.satellite("G04", gtime_from_calendar(2017, 2, 1)).svn == "G049"
    assert pasa.satellite("G04", gtime_from_calendar(2017, 6, 1)).svn == "G038"
    g04 = pasa.satellite("G04", gtime_from_calendar(2026, 4, 30, 10))
    assert (g04.svn, g04.type) == ("G074", "BLOCK IIIA")
    assert g04.valid_from_ns == gtime_from_calendar(2019, 10, 21)
    np.testing.assert_allclose(g04.freqs["G01"].pco_m, np.array([-59.94, 17.48, 1179.80]) * MM, atol=1e-12)
    np.testing.assert_allclose(g04.freqs["G05"].pco_m, np.array([-59.33, 15.67, 726.06]) * MM, atol=1e-12)
    with pytest.raises(AntennaNotFoundError):  # gap between 2016-12-05 and 2016-12-09
        pasa.satellite("G04", gtime_from_calendar(2016, 12, 7))


def test_pasa_scoa_receivers(pasa):
    leiar20 = pasa.receiver("LEIAR20         LEIM")
    assert leiar20.n_calibrated == 64 and len(leiar20.freqs) == 25
    trm = pasa.receiver("TRM55971.00")  # radome NONE
    assert trm.type == "TRM55971.00     NONE" and len(trm.freqs) == 21
    assert trm.n_calibrated == 1 and trm.date == "13-JUN-22"
    np.testing.assert_allclose(trm.freqs["G01"].pco_m, np.array([0.85, 0.34, 64.19]) * MM, atol=1e-12)


def test_zim2_receiver_is_not_confused_with_c_model(kompas_data):
    atx = read_antex(kompas_data / "E_2026-133_ZIM2" / "igs20_zim2_gps_trim.atx")
    trm = atx.receiver("TRM59800.00     NONE")
    np.testing.assert_allclose(trm.freqs["G01"].pco_m, np.array([0.65, 1.35, 89.35]) * MM, atol=1e-12)
    assert trm.freqs["G01"].pcv_noazi_m[18] == pytest.approx(14.89 * MM)
    trmc = atx.receiver("TRM59800.00C")
    np.testing.assert_allclose(trmc.freqs["G01"].pco_m, np.array([0.21, 0.46, 90.65]) * MM, atol=1e-12)
    assert list(trmc.freqs) == ["G01", "G02", "R01", "R02"]


def test_igs14_small_trimmed_blocks(kompas_data):
    # This upstream-trimmed file cuts two antenna blocks short (no END OF ANTENNA): both are
    # kept with their complete frequency blocks, with one warning each.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        atx = read_antex(kompas_data / "antex" / "igs14_small.atx.gz")
    assert sum(issubclass(w.category, KompasWarning) for w in caught) == 2
    assert len(atx.antennas) == 6
    e04 = atx.satellite("E04", gtime_from_calendar(2020, 1, 1))
    assert (e04.type, e04.svn) == ("GALILEO-2", "E213")
    assert list(e04.freqs) == ["E05", "E07"]
    np.testing.assert_allclose(np.rad2deg(e04.zen_rad[[0, 1, -1]]), [0.0, 0.5, 20.0])
    np.testing.assert_allclose(e04.freqs["E05"].pco_m, np.array([123.13, -9.59, 604.15]) * MM, atol=1e-12)
    assert e04.freqs["E05"].pcv_noazi_m.shape == (41,)
    assert e04.freqs["E05"].pcv_noazi_m[-1] == pytest.approx(2.98 * MM)
    assert e04.freqs["E05"].pcv_m.shape == (73, 41)
    g01 = atx.satellite("G01", gtime_from_calendar(2000, 1, 1))
    assert g01.svn == "G032" and g01.valid_until_ns == gtime_from_calendar(2008, 10, 16, 23, 59, 59.9999999)
    assert g01.freqs["G01"].pco_m[0] == pytest.approx(279.00 * MM)
    assert atx.satellite("G01", gtime_from_calendar(2008, 12, 1)).svn == "G037"
    leg = atx.receiver("JPSLEGANT_E")
    assert leg.azi_rad is None and leg.freqs["G01"].pcv_m is None
    np.testing.assert_allclose(leg.freqs["G02"].pco_m, np.array([1.41, -1.76, 54.15]) * MM, atol=1e-12)
    reach = atx.receiver("EML_REACH_RS2 NONE")  # explicit "+" signs in the file
    np.testing.assert_allclose(reach.freqs["G01"].pco_m, np.array([-0.98, 1.92, 134.92]) * MM, atol=1e-12)


def test_igs14_small_is_refused_by_kompas_info_strict(kompas_data, capsys):
    """``kompas info --strict`` refuses the blocks the reader otherwise keeps with a warning."""
    from kompas.cli.main import main

    path = kompas_data / "antex" / "igs14_small.atx.gz"
    assert main(["info", "--strict", str(path)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"kompas info: error: {path}, line 679: START OF ANTENNA inside the block opened at line 512 (no END OF "
        "ANTENNA; refused in strict mode)"
    ]
