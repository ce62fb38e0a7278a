"""SINEX reader on the IGS weekly combination igs20P2131 (2020-11-08..14) against the MANIFEST truths."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import FormatError, KompasError, gtime_from_calendar
from kompas.io.readers.sinex import read_sinex

WTZR_2020 = np.array([4075580.3111, 931854.0543, 4801568.2808])  # EPN ITRF2020, epoch 2020.0
WTZZ_2020 = np.array([4075579.1913, 931853.3696, 4801569.1897])
SCOA_2020 = np.array([4639940.5055, -136224.9318, 4359552.4338])  # EPN C2385, epoch 2020.0
SCOA_VEL = np.array([-0.0120, 0.0190, 0.0109])  # m/yr


@pytest.fixture(scope="module")
def snx(kompas_data):
    return read_sinex(kompas_data / "stations" / "igs20P2131_wocov.snx")


def test_site_blocks(snx):
    w = snx.site("WTZR00DEU")
    assert w.domes == "14201M010" and w.description.startswith("Wettzell")
    assert w.receivers[-1]["type"] == "LEICA GR50" and w.receivers[-1]["firmware"] == "4.31/7.403"
    assert w.antennas[-1]["type"] == "LEIAR25.R3      LEIT"  # as the RINEX header of WTZR says
    ecc = w.eccentricities[-1]
    assert ecc["system"] == "UNE"
    np.testing.assert_allclose(ecc["offset_m"], [0.0710, 0.0, 0.0])  # MANIFEST: dH = 0.0710 m
    for code in ("AJAC", "CEBR", "GRAS", "NYA1", "SCOA", "WTZR", "WTZZ", "ZIM2"):
        assert snx.site(code).code == code
    with pytest.raises(KompasError):
        snx.site("PASA")


def test_wettzell_against_manifest_truth(snx):
    """The IGS20 weekly position (2020-11-11 12:00) vs the EPN ITRF2020 position at 2020.0.

    Measured: WTZR differs by (-22.7, +14.2, +4.4) mm, 27 mm in 3D, for 0.86 yr of Eurasian plate motion
    (about 2.4 cm/yr at Wettzell: (-14, +15, +9) mm expected) plus the IGS20/EPN datum difference. The
    1.6 m WTZR-WTZZ baseline, free of plate motion, agrees to 1.2 mm.
    """
    xyz, sigma, ref = snx.station_position("WTZR")
    assert ref == int(gtime_from_calendar(2020, 11, 11, 12))
    assert np.all(sigma < 1e-3)
    d = xyz - WTZR_2020
    assert np.linalg.norm(d) < 0.04
    assert d[0] < 0 and d[1] > 0  # Eurasia moves north-east: X decreases, Y increases at 12.9 deg E
    zz, _, _ = snx.station_position("WTZZ00DEU")
    assert abs(np.linalg.norm(xyz - zz) - np.linalg.norm(WTZR_2020 - WTZZ_2020)) < 0.003


def test_scoa_with_published_velocity(snx):
    """SCOA: the EPN position propagated with its velocity to the SINEX epoch agrees within 2 cm
    (measured 15.6 mm: the IGS20 weekly vs EPN multi-year datum difference)."""
    xyz, _, ref = snx.station_position("SCOA", int(gtime_from_calendar(2020, 11, 11, 12)))
    years = (ref - int(gtime_from_calendar(2020, 1, 1))) / (365.25 * 86400e9)
    assert np.linalg.norm(xyz - (SCOA_2020 + SCOA_VEL * years)) < 0.02


def test_velocities_are_applied(tmp_path):
    text = """%=SNX 2.02 TST 20:001:00000 TST 20:001:00000 20:001:00000 P     6 2 S
+SITE/ID
 ABCD  A 12345M001 P Somewhere              10  0  0.0  45  0  0.0   100.0
-SITE/ID
+SOLUTION/ESTIMATE
     1 STAX   ABCD  A    1 20:001:00000 m    2  4.00000000000000e+06 1.00000e-03
     2 STAY   ABCD  A    1 20:001:00000 m    2  1.00000000000000e+06 1.00000e-03
     3 STAZ   ABCD  A    1 20:001:00000 m    2  5.00000000000000e+06 1.00000e-03
     4 VELX   ABCD  A    1 20:001:00000 m/y  2 -1.00000000000000e-02 1.00000e-04
     5 VELY   ABCD  A    1 20:001:00000 m/y  2  2.00000000000000e-02 1.00000e-04
     6 VELZ   ABCD  A    1 20:001:00000 m/y  2  1.00000000000000e-02 1.00000e-04
-SOLUTION/ESTIMATE
%ENDSNX
"""
    p = tmp_path / "t.snx"
    p.write_text(text)
    s = read_sinex(p)
    t = int(gtime_from_calendar(2020, 1, 1)) + int(2 * 365.25 * 86400e9)  # two years later
    xyz, _, _ = s.station_position("ABCD", t)
    np.testing.assert_allclose(xyz, [4e6 - 0.02, 1e6 + 0.04, 5e6 + 0.02], rtol=0, atol=1e-6)
    p.write_text(text.replace("4.00000000000000e+06", "4.0000000000000xe+06"))
    with pytest.raises(FormatError, match="line 6"):
        read_sinex(p)
    # values no station has: a coordinate beyond the Earth, a velocity of metres a year, a negative sigma
    for old, new, match in (
        ("4.00000000000000e+06", "1.00000000000000e+308", "line 6: STAX = 1e[+]308 m: a station coordinate lies "
         "within 10,000 km of the geocentre$"),
        ("2.00000000000000e-02", "2.00000000000000e+01", "line 10: VELY = 20 m/y: station velocities are "
         "centimetres a year$"),
        ("5.00000000000000e+06 1.00000e-03", "5.00000000000000e+06 -1.00000e-03", "line 8: std dev -0.001 of "
         "STAZ is negative$"),
    ):  # fmt: skip
        p.write_text(text.replace(old, new))
        with pytest.raises(FormatError, match=match):
            read_sinex(p)


def test_the_solution_of_the_instant_and_receiver_periods(tmp_path):
    def est(k, kind, sol, value):
        return f" {k:5d} {kind}   ABCD  A {sol:>4s} 20:001:00000 m    2  {value:.14e} 1.00000e-03"

    lines = [
        "%=SNX 2.02 TST 20:001:00000 TST 15:001:00000 22:001:00000 P     6 2 S",
        "+SITE/RECEIVER",
        " ABCD  A    1 P 15:001:00000 18:001:00000 TRIMBLE NETR9        5035K 5.22",
        " ABCD  A    2 P 18:001:00000 00:000:00000 SEPT POLARX5         3001K 5.4.0",
        "-SITE/RECEIVER",
        "+SITE/ECCENTRICITY",
        " ABCD  A    1 P 15:001:00000 00:000:00000 UNE   1.2345   0.0000   0.0000",
        "-SITE/ECCENTRICITY",
        "+SOLUTION/EPOCHS",
        " ABCD  A    1 P 15:001:00000 18:001:00000 16:183:00000",
        " ABCD  A    2 P 18:001:00000 22:001:00000 20:001:00000",
        "-SOLUTION/EPOCHS",
        "+SOLUTION/ESTIMATE",
        est(1, "STAX", "1", 4.0e6), est(2, "STAY", "1", 1.0e6), est(3, "STAZ", "1", 5.0e6),
        est(4, "STAX", "2", 4.0e6 + 1.0), est(5, "STAY", "2", 1.0e6 + 2.0), est(6, "STAZ", "2", 5.0e6 + 3.0),
        est(7, "VELX", "2", 0.1).replace(" m    2", " m/y  2"), est(8, "VELY", "2", 0.0).replace(" m    2", " m/y  2"),
        est(9, "VELZ", "2", 0.0).replace(" m    2", " m/y  2"),
        "-SOLUTION/ESTIMATE",
        "%ENDSNX",
    ]  # fmt: skip
    p = tmp_path / "t.snx"
    p.write_text("\n".join(lines) + "\n")
    s = read_sinex(p)
    early, _, _ = s.station_position("ABCD", int(gtime_from_calendar(2016, 6, 1)))
    late, _, _ = s.station_position("ABCD", int(gtime_from_calendar(2021, 6, 1)))
    np.testing.assert_allclose(early, [4e6, 1e6, 5e6], rtol=0, atol=1e-6)  # solution 1 has no velocity
    np.testing.assert_allclose(
        late, [4e6 + 1.0 + 0.1 * 1.4155, 1e6 + 2.0, 5e6 + 3.0], rtol=0, atol=1e-3
    )  # 1.41 yr on
    rcv = s.site("ABCD").receivers
    assert [r["type"] for r in rcv] == ["TRIMBLE NETR9", "SEPT POLARX5"]
    assert [(r["serial"], r["firmware"]) for r in rcv] == [("5035K", "5.22"), ("3001K", "5.4.0")]
    assert rcv[0]["start_ns"] == int(gtime_from_calendar(2015, 1, 1))
    assert rcv[1]["start_ns"] == rcv[0]["end_ns"] == int(gtime_from_calendar(2018, 1, 1))
    (ecc,) = s.site("ABCD").eccentricities
    assert ecc["start_ns"] == int(gtime_from_calendar(2015, 1, 1)) and ecc["system"] == "UNE"
    np.testing.assert_array_equal(ecc["offset_m"], [1.2345, 0.0, 0.0])


def test_a_file_of_sites_only_and_a_file_of_neither(tmp_path):
    head = "%=SNX 2.02 TST 20:001:00000 TST 20:001:00000 20:001:00000 P     0 2 S\n"
    site = "+SITE/ID\n ABCD  A 12345M001 P Somewhere              10  0  0.0  45  0  0.0   100.0\n-SITE/ID\n"
    p = tmp_path / "t.snx"
    p.write_text(head + site + "%ENDSNX\n")
    s = read_sinex(p)
    assert s.site("ABCD").domes == "12345M001" and s.est_value.size == s.est_sigma.size == 0
    assert s.est_code.dtype == np.dtype("U4") and s.est_ref_ns.dtype == np.int64
    p.write_text(head + "%ENDSNX\n")
    with pytest.raises(FormatError, match="t.snx: no SITE/ID and no SOLUTION/ESTIMATE block$"):
        read_sinex(p)
