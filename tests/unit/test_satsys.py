"""Satellites, signals and frequencies against the ICD values."""

import numpy as np
import pytest

from kompas import (
    Constellation,
    GlonassChannels,
    SignalError,
    carrier_frequency,
    sat_id,
    sat_index,
    wavelength,
)
from kompas.constants import BEIDOU, C_LIGHT, GALILEO, GLONASS, GPS
from kompas.satsys import (
    SIGNALS,
    band_frequency,
    bds_orbit_class,
    is_bds_geo,
    signal_code,
    signal_id,
    signal_info,
)


def test_constellation_letters():
    assert [c.letter for c in Constellation] == list("GRECJSI")
    assert Constellation.from_letter("C") is Constellation.BEIDOU
    with pytest.raises(SignalError):
        Constellation.from_letter("X")


def test_sat_index_round_trip():
    ids = np.array(["C19", "G05", "R24", "E36", "J01", "S27", "I09", "C63"])
    idx = sat_index(ids)
    assert idx.dtype == np.int16
    assert idx.tolist() == [419, 105, 224, 336, 501, 627, 709, 463]
    assert sat_id(idx).tolist() == ids.tolist()
    assert sat_index("C19") == 419 and sat_id(419) == "C19"
    assert sat_id(np.zeros(0, np.int16)).shape == (0,)  # no satellite: no id, not an error
    # RINEX quirks: blank-padded PRN, bare PRN of RINEX 2 GPS files
    assert sat_index(["G 1", " 7", "R 7"]).tolist() == [101, 107, 207]


@pytest.mark.parametrize("bad", ["X01", "C00", "C1A", "G123", "", "G\u00ff1"])
def test_sat_index_rejects(bad):
    with pytest.raises(SignalError):
        sat_index([bad])


def test_bds_geo():
    geo = ["C01", "C02", "C03", "C04", "C05", "C59", "C60", "C61", "C62", "C63"]
    assert is_bds_geo(sat_index(geo)).all()
    assert not is_bds_geo(sat_index(["C06", "C19", "C58", "G01", "R01"])).any()
    # orbit classes; other systems have none
    classes = bds_orbit_class(sat_index(["C01", "C08", "C11", "C38", "C59", "G01", "E11"])).tolist()
    assert classes == ["GEO", "IGSO", "MEO", "IGSO", "GEO", "", ""]


def test_signal_ids():
    assert signal_id("C2I") == signal_id("2I") == signal_id("L2I")
    codes = ["1C", "2I", "5Q", "7D", "8X", "9A"]
    assert signal_code(signal_id(codes)).tolist() == codes
    assert signal_id(["1A", "9Z"]).tolist() == [0, 233]
    # the observables' empty cell (255) and any id past 9Z name no code
    assert signal_code(np.array([0, 233, 234, 255], np.uint8)).tolist() == ["1A", "9Z", "", ""]
    assert signal_code(255) == ""
    for bad in ("0C", "1a", "1[", "1@"):  # band 1-9, attribute A-Z (upper case)
        with pytest.raises(SignalError):
            signal_id(bad)


# Frequencies in MHz, straight from the ICDs (REFERENCES.md)
@pytest.mark.parametrize(
    ("system", "code", "mhz", "name"),
    [
        ("C", "C2I", 1561.098, "B1I"),
        ("C", "C1P", 1575.42, "B1C"),
        ("C", "C1X", 1575.42, "B1C"),
        ("C", "C5P", 1176.45, "B2a"),
        ("C", "C7I", 1207.14, "B2I/B2b"),
        ("C", "C7Z", 1207.14, "B2I/B2b"),
        ("C", "C8X", 1191.795, "B2a+b"),
        ("C", "C6I", 1268.52, "B3I"),
        ("R", "C3Q", 1202.025, "G3"),
        ("R", "C4A", 1600.995, "G1a"),
        ("R", "C6B", 1248.06, "G2a"),
        ("G", "C1C", 1575.42, "L1"),
        ("G", "C2W", 1227.60, "L2"),
        ("G", "C5Q", 1176.45, "L5"),
        ("E", "C1C", 1575.42, "E1"),
        ("E", "C5Q", 1176.45, "E5a"),
        ("E", "C7Q", 1207.14, "E5b"),
        ("E", "C8Q", 1191.795, "E5"),
        ("E", "C6C", 1278.75, "E6"),
        ("J", "C2L", 1227.60, "L2"),
        ("J", "C6Z", 1278.75, "L6"),
        ("S", "C5I", 1176.45, "L5"),
        ("I", "C5A", 1176.45, "L5"),
        ("I", "C9A", 2492.028, "S"),
    ],
)
def test_signal_frequencies(system, code, mhz, name):
    s = signal_info(system, code)
    assert s.frequency_hz == pytest.approx(mhz * 1e6, abs=1e-3)
    assert s.band_name == name
    sat = {"C": "C19", "R": "R01", "G": "G01", "E": "E01", "J": "J01", "S": "S27", "I": "I01"}[system]
    assert carrier_frequency([sat], [code])[0] == pytest.approx(mhz * 1e6, abs=1e-3)


def test_unknown_signal_of_system():
    with pytest.raises(SignalError):
        signal_info("C", "C1C")  # BDS has no B1C attribute C
    with pytest.raises(SignalError):
        carrier_frequency(["G01"], ["7Q"])  # GPS has no band 7
    with pytest.raises(SignalError, match="^3 satellites and 2 signals: give one signal, one per satellite"):
        carrier_frequency(["G01", "G02", "G03"], ["1C", "2W"])  # a bare numpy broadcast ValueError before


def test_every_system_has_signals():
    systems = {s for s, _ in SIGNALS}
    assert systems == set("GRECJSI")


def test_glonass_fdma_needs_channel():
    with pytest.raises(SignalError):
        carrier_frequency(["R01"], ["1C"])
    with pytest.raises(SignalError):
        band_frequency("R", "2")
    ch = GlonassChannels({1: 1, 2: -4, 9: -2})
    with pytest.raises(SignalError):
        carrier_frequency(["R03"], ["1C"], ch)  # slot 3 unknown


def test_glonass_channel_tables_merge_and_known_slots():
    nav, header = GlonassChannels({1: 1, 2: -4}), GlonassChannels({2: -3, 9: -2})
    assert GlonassChannels.merge(nav, None, header).as_dict() == {1: 1, 2: -3, 9: -2}  # the last one wins
    assert GlonassChannels.merge(header, nav).as_dict() == {1: 1, 2: -4, 9: -2}
    assert len(GlonassChannels.merge()) == 0
    np.testing.assert_array_equal(
        header.known([9, 2, 1, 0, 100, -5]), [True, True, False, False, False, False]
    )


def test_glonass_fdma_frequencies():
    ch = GlonassChannels({1: 1, 2: -4, 9: -7, 10: 6})
    f = carrier_frequency(
        ["R01", "R02", "R09", "R10", "R01", "R02"], ["1C", "1P", "1C", "1C", "2C", "2P"], ch
    )
    expected_mhz = [1602.5625, 1599.75, 1598.0625, 1605.375, 1246.4375, 1244.25]
    np.testing.assert_allclose(f, np.array(expected_mhz) * 1e6, rtol=0, atol=1e-3)
    # G3 is CDMA: no channel needed
    assert carrier_frequency(["R05"], ["3Q"])[0] == pytest.approx(1202.025e6)
    lam = wavelength(["R01"], ["1C"], ch)
    assert lam[0] == pytest.approx(C_LIGHT / 1602.5625e6)


def test_glonass_channels_from_rinex_header():
    lines = [
        " 24 R01  1 R02 -4 R03  5 R04  6 R05  1 R06 -4 R07  5 R08  6 GLONASS SLOT / FRQ #",
        "    R09 -2 R10 -7 R11  0 R12 -1 R13 -2 R14 -7 R15  0 R16 -1 GLONASS SLOT / FRQ #",
        "    R17  4 R18 -3 R19  3 R20  2 R21  4 R22 -3 R23  3 R24  2 GLONASS SLOT / FRQ #",
        "  3582105.2910   532589.7313  5232754.8054                  APPROX POSITION XYZ",
    ]
    ch = GlonassChannels.from_rinex_header(lines)
    assert len(ch) == 24
    # records after another label count too (the header's order is free)
    assert len(GlonassChannels.from_rinex_header(lines[::-1])) == 24
    assert ch.channel([1, 2, 10, 11, 24]).tolist() == [1, -4, -7, 0, 2]
    with pytest.raises(SignalError):
        GlonassChannels.from_rinex_header([" 1 R01  x" + " " * 51 + "GLONASS SLOT / FRQ #"])
    with pytest.raises(SignalError):
        GlonassChannels({1: 9})  # outside -7..+6


def test_system_constants_per_icd():
    assert GPS.gm == 3.986005e14 and GPS.omega_e == 7.2921151467e-5
    assert BEIDOU.gm == 3.986004418e14 and BEIDOU.omega_e == 7.292115e-5
    assert GLONASS.gm == 3.9860044e14 and GLONASS.omega_e == 7.292115e-5
    assert GALILEO.gm == 3.986004418e14 and GALILEO.omega_e == 7.2921151467e-5
    assert GLONASS.ellipsoid.a == 6378136.0 and BEIDOU.ellipsoid.f == 1 / 298.257222101
    # F = -2 sqrt(GM) / c^2 for the Kepler systems
    for s in (GPS, GALILEO, BEIDOU):
        assert s.f_rel == pytest.approx(-2 * np.sqrt(s.gm) / C_LIGHT**2, rel=1e-9)


def test_an_invalid_satellite_id_is_quoted_as_text():
    from kompas import sat_index
    from kompas.errors import SignalError

    with pytest.raises(SignalError, match=r"^invalid satellite id 'X01'$"):
        sat_index(np.array(["G01", "X01"]))
