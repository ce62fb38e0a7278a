"""Unit tests of the RINEX 2/3/4 navigation reader on small inline files.

The records are copied from real files (IGS/MGEX/DLR broadcast files in the shared data set);
every expected value below was read off the text of these lines by eye, not from the reader.
"""

from __future__ import annotations

import dataclasses
import gzip
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import FormatError, KompasError, gtime_from_calendar, read_nav, sat_index
from kompas.errors import DroppedRecordWarning, KompasWarning, TruncatedFileWarning
from kompas.tables.nav import NAT_NS, KeplerEph, empty_table


def t(y, mo, d, h=0, mi=0, s=0.0, scale="GPST") -> int:
    return int(gtime_from_calendar(y, mo, d, h, mi, s, scale=scale))


def write(tmp_path, text: str, name: str = "nav.rnx"):
    p = tmp_path / name
    p.write_bytes(text.encode("latin-1"))
    return p


def rows(table, sat: str, **eq):
    m = table.sat == sat_index(sat)
    for k, v in eq.items():
        m &= getattr(table, k) == v
    return np.flatnonzero(m)


def one(table, sat: str, **eq) -> int:
    idx = rows(table, sat, **eq)
    assert len(idx) == 1, idx
    return int(idx[0])


ARCSEC = math.pi / 648000.0

# ----------------------------------------------------------------------------------------------
# RINEX 3 mixed file

R3_HEADER = """\
     3.05           N: GNSS NAV DATA    M: MIXED            RINEX VERSION / TYPE
test                kompas              20240101 000000 UTC PGM / RUN BY / DATE
a comment                                                   COMMENT
GAL    2.8250e+01  7.8125e-03  1.0071e-02  0.0000E+00       IONOSPHERIC CORR
GPSA   4.6566e-09  1.4901e-08 -5.9605e-08 -1.1921E-07       IONOSPHERIC CORR
GPSB   8.1920e+04  9.8304e+04 -6.5536e+04 -5.2429E+05       IONOSPHERIC CORR
BDSA   3.5390e-08  4.4703e-08 -8.9407e-07  1.4901E-06 A  2  IONOSPHERIC CORR
BDSA   3.2596e-08  6.7055e-08 -1.0133e-06  1.5497e-06       IONOSPHERIC CORR
GAUT  1.8626451492E-09-8.881784197E-16 345600 2312   E27  5 TIME SYSTEM CORR
GPUT  9.3132257462E-10 2.664535259E-15 589824 2111          TIME SYSTEM CORR
    18    18  1929     7                                    LEAP SECONDS
                                                            END OF HEADER
"""

G1_SPARE = """\
G 1 2020 01 01 02 00 00-0.247989315540D-03-0.121644916362D-10 0.000000000000D+00
     0.730000000000D+02-0.209375000000D+02 0.437661087484D-08-0.433590582480D+00
    -0.106915831566D-05 0.923575763591D-02 0.378489494324D-05 0.515363885880D+04
     0.266400000000D+06 0.633299350739D-07-0.578710322385D+00 0.130385160446D-06
     0.978508847507D+00 0.313656250000D+03 0.759457602000D+00-0.829927426951D-08
    -0.585738684082D-10 0.100000000000D+01 0.208600000000D+04 0.000000000000D+00
     0.200000000000D+01 0.000000000000D+00 0.558793544769D-08 0.730000000000D+02
     0.259218000000D+06 0.400000000000D+01 0.000000000000D+00 0.000000000000D+00
"""

C05 = """\
C05 2020 06 24 22 00 00-5.154609680176e-04-6.708145150469e-11 0.000000000000e+00
     1.000000000000e+00-4.142968750000e+02-3.141559429989e-09-1.101749161212e+00
    -1.366203650832e-05 3.830116475001e-04-1.177610829473e-05 6.493378950119e+03
     3.384000000000e+05-6.146728992462e-08 2.697580724014e+00 6.146728992462e-08
     1.136268367853e-01 3.549843750000e+02-1.027125663175e+00 4.100527946305e-09
     3.321566928024e-10 0.000000000000e+00 7.550000000000e+02
     2.000000000000e+00 0.000000000000e+00 1.000000000000e-10-9.300000000000e-09
     3.384276000000e+05 0.000000000000e+00
"""

R01 = """\
R01 2020 06 24 23 15 00 6.355904042721e-05 0.000000000000e+00 3.420000000000e+05
     1.090894238281e+04 1.407806396484e+00-1.862645149231e-09 0.000000000000e+00
    -2.885726074219e+03 2.795855522156e+00-0.000000000000e+00 1.000000000000e+00
     2.288353955078e+04-3.169984817505e-01-2.793967723846e-09 0.000000000000e+00
                         .999999999999e+09 1.500000000000e+01
"""

E01_INAV = """\
E01 2023 03 12 00 00 00-1.709302887321e-05 3.538502824085e-12 0.000000000000e+00
     0.000000000000e+00 1.547500000000e+02 3.036555056135e-09-4.285141192302e-01
     7.208436727524e-06 2.599229337648e-04 5.623325705528e-06 5.440624895096e+03
     0.000000000000e+00 4.097819328308e-08 1.487302628330e+00 6.519258022308e-08
     9.700902615932e-01 2.260312500000e+02 7.090522124479e-01-5.694880071757e-09
     3.810873023872e-10 5.160000000000e+02 2.253000000000e+03
     3.120000000000e+00 0.000000000000e+00-4.656612873077e-10-6.984919309616e-10
     6.640000000000e+02
"""

E01_FNAV = """\
E01 2023 03 12 00 00 00-1.709233038127e-05 3.538502824085e-12 0.000000000000e+00
     0.000000000000e+00 1.547500000000e+02 3.036555056135e-09-4.285141192302e-01
     7.208436727524e-06 2.599229337648e-04 5.623325705528e-06 5.440624895096e+03
     0.000000000000e+00 4.097819328308e-08 1.487302628330e+00 6.519258022308e-08
     9.700902615932e-01 2.260312500000e+02 7.090522124479e-01-5.694880071757e-09
     3.810873023872e-10 2.580000000000e+02 2.253000000000e+03
     3.120000000000e+00 0.000000000000e+00-4.656612873077e-10 0.000000000000e+00
     7.000000000000e+02
"""

J01 = """\
J01 2020 06 25 11 00 00-2.819551154971e-04 5.684341886081e-12 0.000000000000e+00
     2.010000000000e+02-3.591562500000e+02 1.487561962927e-09 2.868171997688e+00
    -1.077167689800e-05 7.578011264559e-02 3.583729267120e-05 6.493466983795e+03
     3.852000000000e+05 1.190230250359e-06-2.201465120842e+00 1.600012183189e-06
     7.264422575902e-01-1.024000000000e+03-1.556061202938e+00-2.021155617816e-09
     1.379343169465e-09 2.000000000000e+00 2.111000000000e+03 1.000000000000e+00
     2.800000000000e+00 0.000000000000e+00-5.587935447693e-09 9.690000000000e+02
     3.837780000000e+05 0.000000000000e+00
"""

I02 = """\
I02 2023 03 12 00 00 00 1.104795373976e-04-2.819433575496e-11 0.000000000000e+00
     0.000000000000e+00 8.749375000000e+02 3.607293115380e-09 2.597586517985e+00
     2.821534872055e-05 1.982442918234e-03-5.252659320831e-06 6.493359437943e+03
     0.000000000000e+00-4.842877388000e-08 1.593280097620e+00-2.607703208923e-08
     5.066347814522e-01 2.349375000000e+02 3.053916198771e+00-3.412999307978e-09
     1.453631978178e-10                    2.253000000000e+03
     2.000000000000e+00 0.000000000000e+00-1.862645149231e-09
     1.200000000000e+01
"""

S23 = """\
S23 2020 06 25 00 00 16 0.000000000000e+00 0.000000000000e+00 3.456300000000e+05
     3.594460000000e+04 0.000000000000e+00 0.000000000000e+00 6.300000000000e+01
     2.204414000000e+04 0.000000000000e+00 0.000000000000e+00 3.276700000000e+04
     0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 9.200000000000e+01
"""

R3_TEXT = R3_HEADER + G1_SPARE + "\n" + C05 + R01 + E01_INAV + E01_FNAV + "   \n" + J01 + I02 + S23


@pytest.fixture
def r3(tmp_path):
    return read_nav(write(tmp_path, R3_TEXT))


def test_r3_tables_and_message_types(r3):
    k = r3.kepler
    assert len(k) == 6 and len(r3.glonass) == 1 and len(r3.sbas) == 1
    assert len(r3.sto) == len(r3.eop) == len(r3.ion) == 0
    assert k.msg[one(k, "G01")] == "LNAV"
    assert k.msg[one(k, "C05")] == "D2"  # GEO PRN
    assert sorted(k.msg[rows(k, "E01")]) == ["FNAV", "INAV"]
    assert k.msg[one(k, "J01")] == "LNAV" and k.msg[one(k, "I02")] == "LNAV"
    # sorted by satellite, then toc
    assert np.all(np.diff(k.sat.astype(int)) >= 0)


def test_r3_gps_padded_prn_and_fortran_exponents(r3):
    k = r3.kepler
    i = one(k, "G01")
    assert k.toc_ns[i] == t(2020, 1, 1, 2)
    assert k.af0_s[i] == -0.247989315540e-03
    assert k.af1_sps[i] == -0.121644916362e-10
    assert k.iode[i] == 73.0
    assert k.crs_m[i] == -0.209375000000e02
    assert k.sqrt_a_sqrtm[i] == 0.515363885880e04
    assert k.toe_s[i] == 266400.0 and k.week[i] == 2086
    assert k.toe_ns[i] == t(2020, 1, 1, 2)
    assert k.omega_dot_radps[i] == -0.829927426951e-08
    assert k.idot_radps[i] == -0.585738684082e-10
    assert k.codes_l2[i] == 1.0 and k.l2p_flag[i] == 0.0
    assert k.sv_accuracy_m[i] == 2.0 and k.health[i] == 0.0
    assert k.tgd_s[i] == 0.558793544769e-08 and k.iodc[i] == 73.0
    assert k.ttm_ns[i] == t(2020, 1, 1, 0, 0, 18)  # 259218 s of week 2086
    assert k.fit_interval_h[i] == 4.0
    # fields LNAV does not carry
    assert np.isnan(k.bgd_e5a_e1_s[i]) and np.isnan(k.a_dot_mps[i]) and k.top_ns[i] == NAT_NS


def test_r3_beidou_geo_bdt_to_gpst(r3):
    k = r3.kepler
    i = one(k, "C05")
    # epoch 2020-06-24 22:00:00 BDT = 22:00:14 GPST
    assert k.toc_ns[i] == t(2020, 6, 24, 22, 0, 0, "BDT") == t(2020, 6, 24, 22, 0, 14)
    assert k.toe_s[i] == 338400.0 and k.week[i] == 755  # BDT week
    assert k.toe_ns[i] == k.toc_ns[i]
    assert k.aode[i] == 1.0 and k.aodc[i] == 0.0
    assert k.tgd1_s[i] == 1.0e-10 and k.tgd2_s[i] == -9.3e-09
    assert k.sv_accuracy_m[i] == 2.0
    assert k.ttm_ns[i] == t(2020, 6, 24, 22, 0, 41.6)  # 338427.6 s BDT
    assert np.isnan(k.iode[i]) and np.isnan(k.tgd_s[i]) and np.isnan(k.sat_type[i])


def test_r3_glonass_without_a_message_frame_time(tmp_path):
    # t_k given as RINEX's "unknown" 9.999999999999e+08: no frame time, the record is kept
    unknown = R01.replace("0.000000000000e+00 3.420000000000e+05", "0.000000000000e+00 9.999999999999e+08")
    g = read_nav(write(tmp_path, R3_HEADER + unknown)).glonass
    assert g.tof_ns.tolist() == [NAT_NS] and np.isnan(g.tk_s[0])
    assert g.toc_ns[0] == t(2020, 6, 24, 23, 15, 0, "UTC")


def test_r3_glonass_frame_time_as_seconds_of_the_day(tmp_path):
    """RINEX 3 wants t_k in seconds of the UTC week; a writer that gives the day's (82800 for 23:00) put the
    frame time on Sunday, 3 days from the record, which transmitted-record selection then never took."""
    day = R01.replace("0.000000000000e+00 3.420000000000e+05", "0.000000000000e+00 8.280000000000e+04")
    g = read_nav(write(tmp_path, R3_HEADER + day)).glonass
    assert g.tof_ns[0] == t(2020, 6, 24, 23, 0, 0, "UTC") and g.tk_s[0] == 82800.0


@pytest.mark.parametrize("written", ["0.864018000000D+06", "-.345582000000D+06"])
def test_r3_transmission_time_written_in_another_week_is_brought_to_the_record(tmp_path, written):
    """259218 s of week 2086 written one week later or earlier (as writers do that give the time in toe's
    week where RINEX 3.05 wants the reported week's): the same instant, as RTKLIB's adjweek reads it."""
    text = G1_SPARE.replace("     0.259218000000D+06 0.4", f"     {written} 0.4")
    assert text != G1_SPARE
    k = read_nav(write(tmp_path, R3_HEADER + text)).kepler
    assert k.ttm_ns[0] == t(2020, 1, 1, 0, 0, 18)


def test_r3_glonass_units_and_times(r3):
    g = r3.glonass
    i = one(g, "R01")
    assert g.toc_ns[i] == t(2020, 6, 24, 23, 15, 0, "UTC") == t(2020, 6, 24, 23, 15, 18)
    assert g.minus_tau_n_s[i] == 6.355904042721e-05 and g.gamma_n[i] == 0.0
    # 342000 s of the UTC week = Wednesday 23:00:00 UTC
    assert g.tk_s[i] == 82800.0
    assert g.tof_ns[i] == t(2020, 6, 24, 23, 0, 0, "UTC")
    np.testing.assert_allclose(
        g.pos_m[i], [10908942.38281, -2885726.074219, 22883539.55078], rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(g.vel_mps[i], [1407.806396484, 2795.855522156, -316.9984817505], rtol=1e-14)
    np.testing.assert_allclose(g.acc_mps2[i], [-1.862645149231e-06, 0.0, -2.793967723846e-06], rtol=1e-14)
    assert g.freq_channel[i] == 1 and g.freq_channel.dtype == np.int8
    assert g.health[i] == 0.0 and g.age_days[i] == 0.0
    # 3.05 fourth line: blank status flags, unknown delta tau (.999999999999e+09), URAI 15
    assert np.isnan(g.status_flags[i]) and np.isnan(g.delta_tau_s[i]) and g.urai[i] == 15.0
    assert np.isnan(g.health_flags[i])
    assert r3.glonass_channels().as_dict() == {1: 1}


def test_r3_galileo_inav_fnav_by_data_sources(r3):
    k = r3.kepler
    i, f = one(k, "E01", msg="INAV"), one(k, "E01", msg="FNAV")
    assert k.data_sources[i] == 516.0 and k.data_sources[f] == 258.0
    assert k.af0_s[i] == -1.709302887321e-05 and k.af0_s[f] == -1.709233038127e-05
    assert k.bgd_e5a_e1_s[i] == k.bgd_e5a_e1_s[f] == -4.656612873077e-10
    assert k.bgd_e5b_e1_s[i] == -6.984919309616e-10 and k.bgd_e5b_e1_s[f] == 0.0
    assert k.sv_accuracy_m[i] == 3.12
    # the RINEX Galileo week is aligned to the GPS week
    assert k.week[i] == 2253 and k.toe_ns[i] == t(2023, 3, 12)
    assert k.ttm_ns[i] == t(2023, 3, 12, 0, 11, 4) and k.ttm_ns[f] == t(2023, 3, 12, 0, 11, 40)
    assert np.isnan(k.tgd_s[i]) and np.isnan(k.fit_interval_h[i])


def test_r3_qzss_fit_flag_and_navic_blanks(r3):
    k = r3.kepler
    j = one(k, "J01")
    assert k.toc_ns[j] == t(2020, 6, 25, 11)
    assert k.iode[j] == 201.0 and k.iodc[j] == 969.0 and k.week[j] == 2111 and k.toe_s[j] == 385200.0
    assert k.l2p_flag[j] == 1.0 and k.tgd_s[j] == -5.587935447693e-09
    assert k.fit_interval_h[j] == 2.0  # flag 0 = 2 hours
    i = one(k, "I02")
    assert k.crs_m[i] == 874.9375 and k.week[i] == 2253 and k.toe_ns[i] == t(2023, 3, 12)
    assert k.sv_accuracy_m[i] == 2.0 and k.tgd_s[i] == -1.862645149231e-09
    assert k.ttm_ns[i] == t(2023, 3, 12, 0, 0, 12)
    assert np.isnan(k.codes_l2[i]) and np.isnan(k.iodc[i])  # blank in the file


def test_r3_sbas(r3):
    s = r3.sbas
    i = one(s, "S23")
    assert s.toc_ns[i] == t(2020, 6, 25, 0, 0, 16)
    assert s.ttm_ns[i] == t(2020, 6, 25, 0, 0, 30)  # 345630 s of GPS week
    np.testing.assert_array_equal(s.pos_m[i], [35944600.0, 22044140.0, 0.0])
    assert s.health[i] == 63.0 and s.ura[i] == 32767.0 and s.iodn[i] == 92.0
    assert s.af0_s[i] == 0.0 and s.af1_sps[i] == 0.0


def test_r3_header(r3):
    h = r3.header
    assert h.version == 3.05 and h.file_type == "N" and h.system == "M"
    assert h.program == "test" and h.run_by == "kompas" and h.comments == ("a comment",)
    np.testing.assert_array_equal(h.iono_corr["GPSA"], [4.6566e-09, 1.4901e-08, -5.9605e-08, -1.1921e-07])
    np.testing.assert_array_equal(h.iono_corr["GAL"], [28.25, 7.8125e-03, 1.0071e-02, 0.0])
    # the unmarked BDSA record is the dict entry; the time-marked one is kept in the records
    np.testing.assert_array_equal(h.iono_corr["BDSA"], [3.2596e-08, 6.7055e-08, -1.0133e-06, 1.5497e-06])
    marked = [r for r in h.iono_corr_records if r.time_mark]
    assert len(marked) == 1 and marked[0].time_mark == "A" and marked[0].sv == "2"
    gaut = h.time_corr["GAUT"]
    assert (gaut.a0_s, gaut.a1_sps, gaut.t_ref_s, gaut.week) == (
        1.8626451492e-09,
        -8.881784197e-16,
        345600,
        2312,
    )
    assert gaut.source == "E27" and gaut.utc_id == 5
    assert h.time_corr["GPUT"].a0_s == 9.3132257462e-10 and h.time_corr["GPUT"].utc_id == -1
    ls = h.leap_seconds
    assert (ls.current, ls.future, ls.week, ls.day) == (18, 18, 1929, 7)


def test_gzip_file_reads_the_same(tmp_path):
    p = tmp_path / "nav.rnx.gz"
    p.write_bytes(gzip.compress(R3_TEXT.encode()))
    nav = read_nav(p)
    assert len(nav.kepler) == 6 and nav.kepler.toc_ns[one(nav.kepler, "G01")] == t(2020, 1, 1, 2)


# ----------------------------------------------------------------------------------------------
# RINEX 4

R4_HEADER = """\
     4.00           N: GNSS NAV DATA    M: MIXED            RINEX VERSION / TYPE
sbf2rin-15.4.0                          20220727 122451 UTC PGM / RUN BY / DATE
    18                                                      LEAP SECONDS
                                                            END OF HEADER
"""

R4_FRAMES = """\
> EPH G02 LNAV
G02 2022 06 08 10 00 00-6.528543308377E-04 3.410605131648E-13 0.000000000000E+00
     9.600000000000E+01 3.384375000000E+01 4.106242470052E-09-2.157708626665E+00
     1.812353730202E-06 2.041313482914E-02 9.221956133842E-06 5.153679471970E+03
     2.952000000000E+05 3.594905138016E-07 2.277502707678E+00 2.756714820862E-07
     9.659928182326E-01 2.033437500000E+02-1.414485730254E+00-7.679605600684E-09
     5.857386840816E-11 1.000000000000E+00 2.213000000000E+03 0.000000000000E+00
     2.800000000000E+00 0.000000000000E+00-1.769512891769E-08 9.600000000000E+01
     2.880180000000E+05 4.000000000000E+00
> EPH G01 CNAV
G01 2023 03 12 01 30 00 2.037292579189e-04-3.829825345747e-12 0.000000000000e+00
     1.004886627197e-02-7.072656250000e+01 3.657473777035e-09 3.125034792323e+00
    -3.700144588947e-06 1.249689736869e-02 1.198053359985e-05 5.153655571344e+03
     5.427000000000e+05 3.539025783539e-08-2.635818870379e+00-1.955777406693e-07
     9.898042815727e-01 1.578281250000e+02 9.391968103684e-01-7.430610178219e-09
    -1.892935991239e-11-1.056170179553e-13-6.000000000000e+00 2.000000000000e+00
    -1.000000000000e+00 1.000000000000e+00 4.656612873077e-09 7.000000000000e+00
    -3.492459654808e-10-2.532033249736e-09 7.188646122813e-09 7.275957614183e-09
     6.000000000000e+00 2.252000000000e+03

> EPH J02 CNV2
J02 2023 03 12 00 00 00-1.144682755694e-06-1.207922650792e-13 0.000000000000e+00
    -3.147602081299e-03 9.170351562500e+02 2.065264597989e-09 2.434895731204e+00
     2.688914537430e-05 7.469547953224e-02-5.310401320457e-06 6.493639722506e+03
     0.000000000000e+00 3.920868039131e-07 1.589127294513e+00-2.514570951462e-08
     7.207610123035e-01 2.703476562500e+02-1.566545919257e+00-2.745950757636e-09
     2.191162699293e-10 7.520716448831e-15-3.000000000000e+00 0.000000000000e+00
    -9.000000000000e+00 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00
     0.000000000000e+00 0.000000000000e+00 2.182787284255e-09 2.153683453798e-09
    -9.022187441587e-10-1.746229827404e-10
    -3.582000000000e+03 2.253000000000e+03
> EPH C19 CNV1
C19 2023 03 12 00 00 00-8.956108940765e-04-9.041656312547e-13 0.000000000000e+00
    -2.287387847900e-03-5.843750000000e+00 3.871232680951e-09 8.650567350738e-01
    -2.142041921616e-07 1.015573448967e-03 5.141831934452e-06 5.282620728736e+03
     0.000000000000e+00 1.862645149231e-09-1.163148544709e+00-3.445893526077e-08
     9.722051715392e-01 2.620468750000e+02-1.135667398911e+00-6.910823577827e-09
     1.100045821324e-10 3.232818114092e-14 3.000000000000e+00 0.000000000000e+00
     0.000000000000e+00-4.000000000000e+00-1.000000000000e+00-1.000000000000e+00
    -8.731149137020e-10                    9.487848728895e-09-5.820766091347e-09
     0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00
     0.000000000000e+00                                       0.000000000000e+00
> EPH C19 CNV2
C19 2023 03 12 00 00 00-8.956108940765e-04-9.041656312547e-13 0.000000000000e+00
    -2.287387847900e-03-5.843750000000e+00 3.871232680951e-09 8.650567350738e-01
    -2.142041921616e-07 1.015573448967e-03 5.141831934452e-06 5.282620728736e+03
     0.000000000000e+00 1.862645149231e-09-1.163148544709e+00-3.445893526077e-08
     9.722051715392e-01 2.620468750000e+02-1.135667398911e+00-6.910823577827e-09
     1.100045821324e-10 3.232818114092e-14 3.000000000000e+00 0.000000000000e+00
     0.000000000000e+00-4.000000000000e+00-1.000000000000e+00-1.000000000000e+00
                       -2.735760062933e-09 9.487848728895e-09-5.820766091347e-09
     0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00
     0.000000000000e+00                                       0.000000000000e+00
> EPH C20 CNV3
C20 2023 03 12 01 00 00-8.956108940765e-04-9.041656312547e-13 0.000000000000e+00
    -2.287387847900e-03-5.843750000000e+00 3.871232680951e-09 8.650567350738e-01
    -2.142041921616e-07 1.015573448967e-03 5.141831934452e-06 5.282620728736e+03
     3.600000000000e+03 1.862645149231e-09-1.163148544709e+00-3.445893526077e-08
     9.722051715392e-01 2.620468750000e+02-1.135667398911e+00-6.910823577827e-09
     1.100045821324e-10 3.232818114092e-14 3.000000000000e+00 3.500000000000e+03
     1.000000000000e+00 2.000000000000e+00 3.000000000000e+00 4.000000000000e+00
     5.000000000000e+00 0.000000000000e+00 6.000000000000e+00-1.234000000000e-09
     3.540000000000e+03
> EPH C01 D2
C01 2023 03 12 00 00 00 9.050882654265e-04-2.618349981276e-12 0.000000000000e+00
     1.000000000000e+00-3.022187500000e+02-1.132904332870e-09 1.639863675133e+00
    -1.014024019241e-05 4.634374054149e-04 1.808675006032e-05 6.493325918198e+03
     0.000000000000e+00 2.887099981308e-08-2.843751285290e+00-8.102506399155e-08
     9.005722671926e-02-5.558125000000e+02-2.556429343966e+00 2.302953070096e-09
     4.485901141503e-10 0.000000000000e+00 8.970000000000e+02 0.000000000000e+00
     2.000000000000e+00 0.000000000000e+00-5.400000000000e-09-9.700000000000e-09
     0.000000000000e+00 0.000000000000e+00
> EPH R01 FDMA
R01 2023 03 12 00 15 00 2.458319067955e-05 0.000000000000e+00 3.000000000000e+01
     1.422012255859e+04-4.938831329346e-01-9.313225746155e-10 0.000000000000e+00
    -2.043351660156e+04 5.933942794800e-01 9.313225746155e-10 1.000000000000e+00
     5.539755371094e+03 3.461606979370e+00 0.000000000000e+00 0.000000000000e+00
     1.790000000000e+02 8.381903171539e-09 2.000000000000e+00 3.000000000000e+00
> EPH R09 L1OC
R09 2023 03 12 00 15 00 2.458319067955e-05 0.000000000000e+00 3.000000000000e+01
     1.422012255859e+04-4.938831329346e-01-9.313225746155e-10 0.000000000000e+00
> EPH S22 SBAS
S22 2023 03 12 00 00 16 0.000000000000e+00 0.000000000000e+00 2.500000000000e+01
    -3.389392800000e+04 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00
     2.508018800000e+04 0.000000000000e+00 0.000000000000e+00 3.276700000000e+04
     0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00
> EPH E01 INAV
E01 2023 03 12 00 00 00-1.709302887321e-05 3.538502824085e-12 0.000000000000e+00
     0.000000000000e+00 1.547500000000e+02 3.036555056135e-09-4.285141192302e-01
     7.208436727524e-06 2.599229337648e-04 5.623325705528e-06 5.440624895096e+03
     0.000000000000e+00 4.097819328308e-08 1.487302628330e+00 6.519258022308e-08
     9.700902615932e-01 2.260312500000e+02 7.090522124479e-01-5.694880071757e-09
     3.810873023872e-10 5.160000000000e+02 2.253000000000e+03
     3.120000000000e+00 0.000000000000e+00-4.656612873077e-10-6.984919309616e-10
     6.640000000000e+02
> STO G26 LNAV
    2022 06 10 19 56 48 GPUT                                  UTC(USNO)
     2.952840000000E+05 9.313225746155E-10 2.664535259100E-15 0.000000000000E+00
> STO R   FDMA
    2023 03 11 00 00 00 GLUT                                  UTC(SU)
     6.769660000000e+05-1.396983861923e-09 0.000000000000e+00 0.000000000000e+00
> EOP G27 CNVX
    2023 03 14 16 51 12-4.024982452393e-02 3.957748413086e-05 0.000000000000e+00
                        3.562908172607e-01 2.602100372314e-03 0.000000000000e+00
     4.392000000000e+03-1.940387487411e-02-1.411736011505e-04 0.000000000000e+00
> ION G29 LNAV
    2022 06 08 09 59 48 1.024454832077E-08 2.235174179077E-08-5.960464477539E-08
    -1.192092895508E-07 9.625600000000E+04 1.310720000000E+05-6.553600000000E+04
    -5.898240000000E+05 0.000000000000E+00
> ION E01 IFNV
    2022 06 08 09 59 57 7.850000000000E+01 5.390625000000E-01 2.713012695312E-02
     0.000000000000E+00
> ION C30 CNVX
    2023 03 12 00 00 00 3.550000000000e+01 2.000000000000e+00 1.200000000000e+01
     1.337500000000e+01-1.725000000000e+01 1.125000000000e+00 1.000000000000e+00
     3.000000000000e+00 3.750000000000e-01
"""


@pytest.fixture
def r4(tmp_path):
    with pytest.warns(KompasWarning, match="EPH R L1OC"):
        return read_nav(write(tmp_path, R4_HEADER + R4_FRAMES))


def test_r4_counts(r4):
    k = r4.kepler
    assert len(k) == 8 and len(r4.glonass) == 1 and len(r4.sbas) == 1  # the L1OC frame is skipped
    assert (len(r4.sto), len(r4.eop), len(r4.ion)) == (2, 1, 3)
    assert r4.header.version == 4.0 and r4.header.leap_seconds.current == 18


def test_r4_gps_lnav(r4):
    k = r4.kepler
    i = one(k, "G02")
    assert k.msg[i] == "LNAV" and k.toc_ns[i] == t(2022, 6, 8, 10)
    assert k.iode[i] == 96.0 and k.crs_m[i] == 33.84375 and k.m0_rad[i] == -2.157708626665
    assert k.toe_s[i] == 295200.0 and k.week[i] == 2213 and k.toe_ns[i] == t(2022, 6, 8, 10)
    assert k.sv_accuracy_m[i] == 2.8 and k.tgd_s[i] == -1.769512891769e-08 and k.iodc[i] == 96.0
    assert k.ttm_ns[i] == t(2022, 6, 8, 8, 0, 18)  # 288018 s of week 2213
    assert k.fit_interval_h[i] == 4.0


def test_r4_gps_cnav(r4):
    k = r4.kepler
    i = one(k, "G01")
    assert k.msg[i] == "CNAV"
    assert k.toc_ns[i] == t(2023, 3, 12, 1, 30)
    assert k.toe_ns[i] == k.toc_ns[i] and k.toe_s[i] == 5400.0 and k.week[i] == 2253
    assert k.a_dot_mps[i] == 1.004886627197e-02 and k.delta_n_radps[i] == 3.657473777035e-09
    assert k.top_ns[i] == t(2023, 3, 11, 6, 45) and k.wn_op[i] == 2252.0  # t_op 542700 of week 2252
    assert k.delta_n_dot_radps2[i] == -1.056170179553e-13
    assert (k.urai_ned0[i], k.urai_ned1[i], k.urai_ed[i], k.urai_ned2[i]) == (-6.0, 2.0, -1.0, 7.0)
    assert k.health[i] == 1.0 and k.tgd_s[i] == 4.656612873077e-09
    assert k.isc_l1ca_s[i] == -3.492459654808e-10 and k.isc_l2c_s[i] == -2.532033249736e-09
    assert k.isc_l5i5_s[i] == 7.188646122813e-09 and k.isc_l5q5_s[i] == 7.275957614183e-09
    assert k.ttm_ns[i] == t(2023, 3, 12, 0, 0, 6)
    assert np.isnan(k.iode[i]) and np.isnan(k.isc_l1cd_s[i])


def test_r4_qzss_cnav2_negative_transmission_time(r4):
    k = r4.kepler
    i = one(k, "J02")
    assert k.msg[i] == "CNV2" and k.toc_ns[i] == t(2023, 3, 12)
    assert k.isc_l1cd_s[i] == -9.022187441587e-10 and k.isc_l1cp_s[i] == -1.746229827404e-10
    assert k.isc_l5i5_s[i] == 2.182787284255e-09
    assert k.top_ns[i] == t(2023, 3, 12)
    assert k.ttm_ns[i] == t(2023, 3, 11, 23, 0, 18)  # -3582 s: the end of the previous week


def test_r4_beidou_cnav(r4):
    k = r4.kepler
    c1, c2 = one(k, "C19", msg="CNV1"), one(k, "C19", msg="CNV2")
    for i in (c1, c2):
        assert k.toc_ns[i] == t(2023, 3, 12, 0, 0, 14)  # 00:00:00 BDT
        assert k.toe_ns[i] == k.toc_ns[i] and k.week[i] == 897 and k.toe_s[i] == 0.0
        assert k.a_dot_mps[i] == -2.287387847900e-03 and k.sqrt_a_sqrtm[i] == 5.282620728736e03
        assert k.sat_type[i] == 3.0 and k.top_ns[i] == k.toc_ns[i]
        assert (k.sisai_oe[i], k.sisai_ocb[i], k.sisai_oc1[i], k.sisai_oc2[i]) == (0.0, -4.0, -1.0, -1.0)
        assert k.tgd_b1cp_s[i] == 9.487848728895e-09 and k.tgd_b2ap_s[i] == -5.820766091347e-09
        assert k.iode[i] == 0.0 and k.iodc[i] == 0.0 and k.ttm_ns[i] == k.toc_ns[i]
        assert np.isnan(k.tgd1_s[i]) and np.isnan(k.aode[i])
    assert k.isc_b1cd_s[c1] == -8.731149137020e-10 and np.isnan(k.isc_b2ad_s[c1])
    assert k.isc_b2ad_s[c2] == -2.735760062933e-09 and np.isnan(k.isc_b1cd_s[c2])


def test_r4_beidou_cnav3_layout(r4):
    # hand-made record: BROADCAST ORBIT 7 = SISMAI, health, B2b flags, TGD_B2bI; 8 = t_tm
    k = r4.kepler
    i = one(k, "C20")
    assert k.msg[i] == "CNV3" and k.toc_ns[i] == t(2023, 3, 12, 1, 0, 14)
    assert k.toe_s[i] == 3600.0 and k.toe_ns[i] == k.toc_ns[i]
    assert k.top_ns[i] == t(2023, 3, 12, 0, 58, 20, "BDT")  # t_op 3500 s
    assert (k.sisai_oe[i], k.sisai_ocb[i], k.sisai_oc1[i], k.sisai_oc2[i]) == (1.0, 2.0, 3.0, 4.0)
    assert k.sismai[i] == 5.0 and k.health[i] == 0.0 and k.integrity_flags[i] == 6.0
    assert k.tgd_b2bi_s[i] == -1.234e-09
    assert k.ttm_ns[i] == t(2023, 3, 12, 0, 59, 0, "BDT")  # 3540 s


def test_r4_beidou_d2(r4):
    k = r4.kepler
    i = one(k, "C01")
    assert k.msg[i] == "D2" and k.aode[i] == 1.0 and k.week[i] == 897
    assert k.tgd1_s[i] == -5.4e-09 and k.tgd2_s[i] == -9.7e-09 and k.aodc[i] == 0.0
    assert k.toe_ns[i] == t(2023, 3, 12, 0, 0, 14)


def test_r4_glonass_and_sbas(r4):
    g = r4.glonass
    i = one(g, "R01")
    assert g.toc_ns[i] == t(2023, 3, 12, 0, 15, 18)  # 00:15:00 UTC
    assert g.tk_s[i] == 30.0 and g.tof_ns[i] == t(2023, 3, 12, 0, 0, 48)
    assert g.pos_m[i][0] == pytest.approx(14220122.55859, abs=1e-6)
    assert g.status_flags[i] == 179.0 and g.delta_tau_s[i] == 8.381903171539e-09
    assert g.urai[i] == 2.0 and g.health_flags[i] == 3.0 and g.freq_channel[i] == 1
    s = r4.sbas
    j = one(s, "S22")
    assert s.toc_ns[j] == t(2023, 3, 12, 0, 0, 16) and s.ttm_ns[j] == t(2023, 3, 12, 0, 0, 25)
    np.testing.assert_array_equal(s.pos_m[j], [-33893928.0, 25080188.0, 0.0])
    assert s.ura[j] == 32767.0 and s.iodn[j] == 1.0


def test_r4_sto(r4):
    s = r4.sto
    i = one(s, "G26")
    assert s.msg[i] == "LNAV" and s.kind[i] == "GPUT" and s.utc_id[i] == "UTC(USNO)" and s.sbas_id[i] == ""
    assert s.ref_ns[i] == t(2022, 6, 10, 19, 56, 48)
    assert s.ttm_s[i] == 295284.0 and s.a0_s[i] == 9.313225746155e-10 and s.a1_sps[i] == 2.6645352591e-15
    j = int(np.flatnonzero(s.sat == 0)[0])  # "> STO R   FDMA": system only
    assert s.system[j] == "R" and s.kind[j] == "GLUT" and s.utc_id[j] == "UTC(SU)"
    assert s.ref_ns[j] == t(2023, 3, 11, 0, 0, 0, "UTC") and s.a0_s[j] == -1.396983861923e-09


def test_r4_eop_units(r4):
    e = r4.eop
    i = one(e, "G27")
    assert e.ref_ns[i] == t(2023, 3, 14, 16, 51, 12)
    assert e.xp_rad[i] == pytest.approx(-4.024982452393e-02 * ARCSEC, rel=1e-15)
    assert e.dxp_radps[i] == pytest.approx(3.957748413086e-05 * ARCSEC / 86400, rel=1e-15)
    assert e.yp_rad[i] == pytest.approx(3.562908172607e-01 * ARCSEC, rel=1e-15)
    assert e.dyp_radps[i] == pytest.approx(2.602100372314e-03 * ARCSEC / 86400, rel=1e-15)
    assert e.ttm_s[i] == 4392.0 and e.dut1_s[i] == -1.940387487411e-02
    assert e.ddut1_sps[i] == pytest.approx(-1.411736011505e-04 / 86400, rel=1e-15)
    assert e.ddxp_radps2[i] == 0.0


def test_r4_eop_second_derivatives(tmp_path):
    # the set's record has zero rates of rates: give each its own value to see its unit (arcsec/day^2, s/day^2)
    frames = (
        R4_FRAMES.replace("3.957748413086e-05 0.000000000000e+00", "3.957748413086e-05 1.500000000000e-06")
        .replace("2.602100372314e-03 0.000000000000e+00", "2.602100372314e-03-2.500000000000e-06")
        .replace("-1.411736011505e-04 0.000000000000e+00", "-1.411736011505e-04 3.500000000000e-06")
    )
    with pytest.warns(KompasWarning, match="EPH R L1OC"):
        e = read_nav(write(tmp_path, R4_HEADER + frames)).eop
    i = one(e, "G27")
    assert e.ddxp_radps2[i] == pytest.approx(1.5e-06 * ARCSEC / 86400**2, rel=1e-15)
    assert e.ddyp_radps2[i] == pytest.approx(-2.5e-06 * ARCSEC / 86400**2, rel=1e-15)
    assert e.dddut1_sps2[i] == pytest.approx(3.5e-06 / 86400**2, rel=1e-15)


def test_r4_ion_models(r4):
    ion = r4.ion
    g = one(ion, "G29")
    assert ion.model[g] == "KLOB" and ion.ttm_ns[g] == t(2022, 6, 8, 9, 59, 48)
    np.testing.assert_array_equal(
        ion.coef[g],
        [1.024454832077e-08, 2.235174179077e-08, -5.960464477539e-08, -1.192092895508e-07,
         9.6256e04, 1.31072e05, -6.5536e04, -5.89824e05, 0.0],
    )  # fmt: skip
    e = one(ion, "E01")
    assert ion.model[e] == "NEQG"
    np.testing.assert_array_equal(ion.coef[e][:4], [78.5, 0.5390625, 2.713012695312e-02, 0.0])
    assert np.isnan(ion.coef[e][4:]).all()
    c = one(ion, "C30")
    assert ion.model[c] == "BDGIM" and ion.ttm_ns[c] == t(2023, 3, 12, 0, 0, 14)
    np.testing.assert_array_equal(ion.coef[c], [35.5, 2.0, 12.0, 13.375, -17.25, 1.125, 1.0, 3.0, 0.375])


def test_to_pandas(r4):
    pd = pytest.importorskip("pandas")
    df = r4.kepler.to_pandas()
    assert len(df) == 8 and "toc_gpst" in df and df["toc_gpst"].dtype == "datetime64[ns]"
    row = df[df["sat"] == "G02"].iloc[0]
    assert row["toc_gpst"] == pd.Timestamp("2022-06-08 10:00:00") and row["iode"] == 96.0
    assert pd.isna(df[df["sat"] == "G02"]["top_gpst"].iloc[0])
    g = r4.glonass.to_pandas()
    assert g["pos_m_x"].iloc[0] == pytest.approx(14220122.55859, abs=1e-6)
    assert [c for c in g if c.startswith("pos_m")] == ["pos_m_x", "pos_m_y", "pos_m_z"]
    assert [c for c in r4.ion.to_pandas() if c.startswith("coef")] == [f"coef{i}" for i in range(9)]
    sto = r4.sto.to_pandas()  # "> STO R   FDMA" names no satellite: an empty id, not an error
    assert sto["sat"].tolist()[int(np.flatnonzero(r4.sto.sat == 0)[0])] == ""
    assert "G26" in sto["sat"].tolist() and len(sto) == len(r4.sto)
    read = (r4.kepler, r4.glonass, r4.sbas, r4.sto, r4.eop, r4.ion)
    for table in read:  # an empty table of each type: the columns and dtypes of the one read
        blank = empty_table(type(table))
        for f in dataclasses.fields(table):
            col, got = getattr(table, f.name), getattr(blank, f.name)
            where = (type(table).__name__, f.name)
            assert got.shape == (0, *col.shape[1:]) and got.dtype.kind == col.dtype.kind, where
    empty = empty_table(KeplerEph).to_pandas()  # a table without records: its columns, ids as text
    assert len(empty) == 0 and list(empty.columns) == list(df.columns) and empty["sat"].dtype.kind in "OUT"


# ----------------------------------------------------------------------------------------------
# RINEX 2

R2_GPS = """\
     2              NAVIGATION DATA                         RINEX VERSION / TYPE
CCRINEXN V1.6.0 UX  CDDIS               29-APR-21 19:31     PGM / RUN BY / DATE
    0.9313D-08  0.1490D-07 -0.5960D-07 -0.1192D-06          ION ALPHA
    0.8806D+05  0.4915D+05 -0.1311D+06 -0.3277D+06          ION BETA
   -0.279396772385D-08-0.266453525910D-14   503808     2155 DELTA-UTC: A0,A1,T,W
    18                                                      LEAP SECONDS
                                                            END OF HEADER
 6 21  4 28 17 59 44.0 0.109337270260D-04 0.329691829393D-11 0.000000000000D+00
    0.310000000000D+02-0.968750000000D+02 0.369765402213D-08 0.256518534901D+00
   -0.510737299919D-05 0.225707876962D-02 0.122226774692D-04 0.515375527000D+04
    0.323984000000D+06 0.167638063431D-07-0.294507412083D+01-0.298023223877D-07
    0.983895632254D+00 0.158375000000D+03-0.983603167134D+00-0.758853037846D-08
   -0.732173355102D-10 0.100000000000D+01 0.215500000000D+04 0.000000000000D+00
    0.200000000000D+01 0.000000000000D+00 0.419095158577D-08 0.310000000000D+02
    0.322932000000D+06 0.400000000000D+01 0.000000000000D+00 0.000000000000D+00
"""

R2_GLO = """\
     2.11           G: GLONASS NAV DATA                     RINEX VERSION / TYPE
teqc  2018Jul24     UNAVCO Archive Ops  20180730 00:23:39UTCPGM / RUN BY / DATE
  2018     7    29    9.313225746155D-10                    CORR TO SYSTEM TIME
                                                            END OF HEADER
22 18  7 28 23 45  0.0-5.727540701628D-05-0.000000000000D+00 8.637000000000D+04
    2.253991210938D+03 2.744255065918D-01-1.862645149231D-09 0.000000000000D+00
   -2.294026708984D+04-1.501589775085D+00 1.862645149231D-09-3.000000000000D+00
    1.105810156250D+04-3.158493041992D+00-0.000000000000D+00 0.000000000000D+00
23 18  7 29  0 15  0.0 1.685870811343D-04 1.818989403546D-12 0.000000000000D+00
   -6.847645019531D+03 4.085903167725D-01-2.793967723846D-09 0.000000000000D+00
   -1.370703125000D+04-2.769327163696D+00 9.313225746155D-10 3.000000000000D+00
    2.037957470703D+04-1.723942756653D+00-0.000000000000D+00 0.000000000000D+00
"""


def test_r2_gps(tmp_path):
    nav = read_nav(write(tmp_path, R2_GPS, "brdc1180.21n"))
    k = nav.kepler
    assert len(k) == 1 and k.msg[0] == "LNAV" and k.sat[0] == sat_index("G06")
    assert k.toc_ns[0] == t(2021, 4, 28, 17, 59, 44)
    assert k.af0_s[0] == 0.109337270260e-04 and k.iode[0] == 31.0
    assert k.toe_s[0] == 323984.0 and k.week[0] == 2155 and k.toe_ns[0] == k.toc_ns[0]
    assert k.ttm_ns[0] == t(2021, 4, 28, 17, 42, 12) and k.fit_interval_h[0] == 4.0
    h = nav.header
    assert h.version == 2.0 and h.file_type == "N" and h.system == "G"
    np.testing.assert_array_equal(h.iono_corr["GPSA"], [0.9313e-08, 0.1490e-07, -0.5960e-07, -0.1192e-06])
    np.testing.assert_array_equal(h.iono_corr["GPSB"], [0.8806e05, 0.4915e05, -0.1311e06, -0.3277e06])
    gput = h.time_corr["GPUT"]
    assert (gput.a0_s, gput.a1_sps, gput.t_ref_s, gput.week) == (
        -0.279396772385e-08, -0.266453525910e-14, 503808.0, 2155,
    )  # fmt: skip
    assert h.leap_seconds.current == 18


def test_r2_glonass_epochs_are_utc(tmp_path):
    nav = read_nav(write(tmp_path, R2_GLO, "p1462100.18g"))
    g = nav.glonass
    assert len(g) == 2 and len(nav.kepler) == 0
    i = one(g, "R22")
    # 2018-07-28 23:45:00 UTC = 23:45:18 GPST (GPST - UTC = 18 s)
    assert g.toc_ns[i] == t(2018, 7, 28, 23, 45, 18)
    assert g.tk_s[i] == 86370.0 and g.tof_ns[i] == t(2018, 7, 28, 23, 59, 48)  # seconds of the UTC day
    assert g.minus_tau_n_s[i] == -5.727540701628e-05
    np.testing.assert_allclose(
        g.pos_m[i], [2253991.210938, -22940267.08984, 11058101.5625], rtol=0, atol=1e-6
    )
    assert g.freq_channel[i] == -3
    j = one(g, "R23")
    assert g.toc_ns[j] == t(2018, 7, 29, 0, 15, 18) and g.tof_ns[j] == t(2018, 7, 29, 0, 0, 18)
    glut = nav.header.time_corr["GLUT"]
    assert glut.a0_s == 9.313225746155e-10 and glut.ref_date == (2018, 7, 29)
    assert nav.glonass_channels().as_dict() == {22: -3, 23: 3}


def test_missing_end_of_header_reads_the_record(tmp_path):
    # as edge_cases/brdc1370_incomplete.20n: only the version line, then one GPS record
    text = R2_GPS.splitlines()[0] + "\n" + "\n".join(R2_GPS.splitlines()[7:]) + "\n"
    with pytest.warns(KompasWarning, match="line 2: no END OF HEADER.*taken to end before this line"):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.kepler) == 1 and nav.kepler.toc_ns[0] == t(2021, 4, 28, 17, 59, 44)


@pytest.mark.parametrize(
    ("k", "old", "new", "match"),
    [
        (4, "-0.279396772385D-08", "-0.2793967723x5D-08", "line 5: DELTA-UTC: A0,A1,T,W"),
        (4, "   503808", "   5038x8", "line 5: DELTA-UTC: A0,A1,T,W"),
        (5, "    18", "    1x", "line 6: LEAP SECONDS"),
    ],
)
def test_bad_header_fields_name_the_line_and_the_record(tmp_path, k, old, new, match):
    lines = R2_GPS.splitlines()
    assert old in lines[k]
    lines[k] = lines[k].replace(old, new)
    with pytest.raises(FormatError, match=match):
        read_nav(write(tmp_path, "\n".join(lines) + "\n"))


def test_header_only_gives_empty_tables(tmp_path):
    text = "     2.11           N: GPS NAV. MESSAGE                     RINEX VERSION / TYPE\r\n"
    text += " " * 60 + "END OF HEADER\r\n \r\n"
    nav = read_nav(write(tmp_path, text))
    for table in (nav.kepler, nav.glonass, nav.sbas, nav.sto, nav.eop, nav.ion):
        assert len(table) == 0
    assert nav.glonass.pos_m.shape == (0, 3) and nav.kepler.toc_ns.dtype == np.int64
    assert len(nav.glonass_channels()) == 0


# ----------------------------------------------------------------------------------------------
# Week handling, truncation, errors


def _gps_record(toc: str, toe_s: float, week: int, ttm: float) -> str:
    rec = G1_SPARE.splitlines()
    rec[0] = "G05 " + toc + rec[0][23:]
    rec[3] = f"    {toe_s:19.12E}" + rec[3][23:]
    rec[5] = rec[5][:42] + f"{float(week):19.12E}" + rec[5][61:]
    rec[7] = f"    {ttm:19.12E}" + rec[7][23:]
    return "\n".join(rec) + "\n"


def test_toe_week_taken_across_a_week_boundary(tmp_path):
    # toc Saturday 2023-03-11 23:59:44 (GPS week 2252), toe 0: the writer's week 2252 is the week
    # of toc, so toe is moved to the week nearest toc: 2023-03-12 00:00:00 (week 2253)
    text = R3_HEADER + _gps_record("2023 03 11 23 59 44", 0.0, 2252, 604770.0)
    text += _gps_record("2023 03 12 00 00 00", 0.0, 2253, -30.0)
    k = read_nav(write(tmp_path, text)).kepler
    assert list(k.toe_ns) == [t(2023, 3, 12), t(2023, 3, 12)]
    assert list(k.week) == [2253, 2253]
    # the transmission time refers to the week written in the record (may be negative)
    assert list(k.ttm_ns) == [t(2023, 3, 11, 23, 59, 30), t(2023, 3, 11, 23, 59, 30)]


def test_truncated_at_a_line_boundary(tmp_path):
    lines = R3_TEXT.splitlines()
    text = "\n".join(lines[:-2]) + "\n"  # the SBAS record loses two of its four lines
    with pytest.warns(TruncatedFileWarning):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.sbas) == 0 and len(nav.kepler) == 6 and len(nav.glonass) == 1


def test_truncated_inside_a_field(tmp_path):
    text = R3_TEXT.rstrip("\n")[:-7]  # the last line ends inside its 19-character field
    with pytest.warns(TruncatedFileWarning):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.sbas) == 0 and len(nav.kepler) == 6


def test_a_last_line_without_its_end_and_spare_fields_is_whole(tmp_path):
    # the last line holds t_tm and the fit interval, no spares and no newline: it is complete
    last = G1_SPARE.splitlines()[-1]
    text = R3_HEADER + G1_SPARE.replace(last, last[: 4 + 2 * 19]).rstrip("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nav = read_nav(write(tmp_path, text))
    assert nav.kepler.sat.tolist() == [sat_index("G01")] and nav.kepler.fit_interval_h.tolist() == [4.0]


def test_truncated_rinex4_frame(tmp_path):
    text = (
        R4_HEADER + R4_FRAMES[: R4_FRAMES.index("> EPH J02")] + "> EPH J02 CNV2\nJ02 2023 03 12 00 00 00-1.14"
    )
    with pytest.warns(TruncatedFileWarning):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.kepler) == 2


def test_an_all_space_last_orbit_line_is_a_line_of_blank_fields(tmp_path):
    # t_tm and the fit interval left blank as a whole line of spaces: the record is read (RTKLIB reads it
    # too), the two fields unknown; an empty line after a record stays a separator
    rec = G1_SPARE.splitlines()
    text = R3_HEADER + "\n".join([*rec[:7], " " * 80]) + "\n\n" + C05
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = read_nav(write(tmp_path, text)).kepler
    assert k.sat.tolist() == [sat_index("G01"), sat_index("C05")]
    assert np.isnan(k.fit_interval_h[0]) and k.ttm_ns[0] == np.iinfo(np.int64).min
    # two such lines: health and accuracy unknown too (the record is read; without a health word no
    # orbit is made from it, kompas.products.broadcast)
    k = read_nav(write(tmp_path, R3_HEADER + "\n".join([*rec[:6], " " * 80, " " * 80]) + "\n" + C05)).kepler
    assert k.sat.tolist() == [sat_index("G01"), sat_index("C05")] and np.isnan(k.health[0])
    # a complete record followed by a line of spaces: the line is a separator, not an eighth orbit line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = read_nav(write(tmp_path, R3_HEADER + "\n".join([*rec[:8], " " * 80]) + "\n" + C05)).kepler
    assert k.sat.tolist() == [sat_index("G01"), sat_index("C05")] and k.fit_interval_h[0] == 4.0
    # a record short by more than its blank lines is still dropped, and an empty line is no orbit line
    for tail in ([*rec[:6], " " * 80], [*rec[:7], ""]):
        with pytest.warns(DroppedRecordWarning, match="expected 7 orbit lines, found 6"):
            k = read_nav(write(tmp_path, R3_HEADER + "\n".join(tail) + "\n" + C05)).kepler
        assert k.sat.tolist() == [sat_index("C05")]


def test_short_record_inside_the_file_is_dropped(tmp_path):
    rec = G1_SPARE.splitlines()
    text = R3_HEADER + "\n".join(rec[:5]) + "\n" + C05
    with pytest.warns(DroppedRecordWarning, match="line 13: G 1: expected 7 orbit lines, found 4"):
        nav = read_nav(write(tmp_path, text))
    assert nav.kepler.sat.tolist() == [sat_index("C05")]
    with pytest.raises(FormatError, match="expected 7 orbit lines, found 4") as exc:
        read_nav(write(tmp_path, text), strict=True)
    assert exc.value.line == 13


def test_a_bad_satellite_id_drops_its_record_and_keeps_the_others(tmp_path):
    text = R3_TEXT.replace("G 1 2020 01 01 02 00 00", "G1X 2020 01 01 02 00 00")
    err = _dropped_g01(
        tmp_path,
        text,
        "line 13: record G1X 2020 01 01 02 00 00: expected a satellite id \\(letter and PRN 01-99\\), found 'G1X'",
    )
    assert err.line == 13


def _dropped_g01(tmp_path, text, match):
    """The G 1 record of R3_TEXT is dropped with a warning naming its line; the others are read."""
    with pytest.warns(DroppedRecordWarning, match=match):
        nav = read_nav(write(tmp_path, text))
    good = read_nav(write(tmp_path, R3_TEXT, "good.rnx"))
    keep = good.kepler.sat != sat_index("G01")
    assert nav.kepler.sat.tolist() == good.kepler.sat[keep].tolist()
    np.testing.assert_array_equal(nav.kepler.sqrt_a_sqrtm, good.kepler.sqrt_a_sqrtm[keep])
    assert len(nav.glonass) == len(good.glonass) and len(nav.sbas) == len(good.sbas)
    with pytest.raises(FormatError, match="strict") as exc:
        read_nav(write(tmp_path, text), strict=True)
    return exc.value


def test_bad_field_drops_its_record_naming_the_line(tmp_path):
    text = R3_TEXT.replace("0.515363885880D+04", "0.5153638858X0D+04")
    exc = _dropped_g01(tmp_path, text, r"line 15: record G 1 2020 01 01 02 00 00: field 'sqrt_a_sqrtm'")
    assert exc.line == 15  # header is 12 lines; the field is on the 3rd line of G 1


def test_nan_or_inf_text_is_not_a_number(tmp_path):
    for word in ("inf", "nan", "1_000.0", "0x1p3"):
        text = R3_TEXT.replace("0.515363885880D+04", f"{word:>18s}")
        _dropped_g01(tmp_path, text, f"{word}' is not a number")


@pytest.mark.parametrize(
    ("field", "value"), [("0.515363885880D+94", "5.15364e+93"), ("-.10000000000D+13", "-1e+12")]
)
def test_a_field_with_a_damaged_exponent_drops_its_record(tmp_path, field, value):
    # E+04 read as E+94 parses, but no broadcast value comes near 1e12: the record is dropped, not used
    text = R3_TEXT.replace("0.515363885880D+04", f"{field:>18s}")
    said = re.escape(
        f"line 15: record G 1 2020 01 01 02 00 00: field 'sqrt_a_sqrtm' {value} is beyond 1e+12 (a damaged "
        "number, not a broadcast value)"
    )
    assert _dropped_g01(tmp_path, text, said).line == 15
    ok = R3_TEXT.replace("0.515363885880D+04", f"{'0.999999999999D+12':>18s}")  # just below: a value
    assert sat_index("G01") in read_nav(write(tmp_path, ok, "ok.rnx")).kepler.sat.tolist()


def test_a_spare_field_is_not_read_so_a_huge_one_keeps_its_record(tmp_path):
    last = "     0.259218000000D+06 0.400000000000D+01 0.000000000000D+00 0.000000000000D+00"
    assert last in R3_TEXT
    text = R3_TEXT.replace(last, last[:-18] + "0.100000000000D+99")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nav = read_nav(write(tmp_path, text))
    assert sat_index("G01") in nav.kepler.sat.tolist()


def test_blank_required_field_drops_its_record(tmp_path):
    text = R3_TEXT.replace("0.515363885880D+04", " " * 18)
    assert _dropped_g01(tmp_path, text, "required field 'sqrt_a_sqrtm' is blank").line == 15


def test_bad_epoch_drops_its_record(tmp_path):
    text = R3_TEXT.replace("C05 2020 06 24 22 00 00", "C05 2020 06 31 22 00 00")
    with pytest.warns(DroppedRecordWarning, match="line 22: record C05 2020 06 31 22 00 00: epoch: day 31"):
        nav = read_nav(write(tmp_path, text))
    assert sat_index("C05") not in nav.kepler.sat.tolist() and len(nav.kepler) == 5


def test_not_a_navigation_file(tmp_path):
    text = "     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE\n"
    with pytest.raises(FormatError, match="file type") as exc:
        read_nav(write(tmp_path, text))
    assert exc.value.line == 1
    with pytest.raises(FormatError):
        read_nav(write(tmp_path, "hello\n"))


def test_unknown_system_in_rinex3_is_skipped_with_a_warning(tmp_path):
    text = R3_TEXT + C05.replace("C05", "X05")
    with pytest.warns(KompasWarning, match="unknown system 'X'"):
        nav = read_nav(write(tmp_path, text))
    assert len(nav.kepler) == 6


# ----------------------------------------------------------------------------------------------
# Any corrupt input gives a KompasError (never IndexError/ValueError/UnicodeError)

_FUZZ_BASES = [R3_TEXT, R4_HEADER + R4_FRAMES, R2_GPS, R2_GLO]


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from(range(len(_FUZZ_BASES))),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1),
            st.sampled_from(["replace", "delete", "insert", "cut"]),
            st.binary(min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_corrupt_input_raises_only_kompas_errors(tmp_path, base, edits):
    data = bytearray(_FUZZ_BASES[base].encode("latin-1"))
    for where, op, blob in edits:
        p = int(where * (len(data) - 1)) if data else 0
        if op == "replace":
            data[p : p + len(blob)] = blob
        elif op == "delete":
            del data[p : p + 20 * len(blob)]
        elif op == "insert":
            data[p:p] = blob
        else:
            del data[p:]
    path = tmp_path / "fuzz.rnx"
    path.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        try:
            read_nav(path)
        except KompasError:
            pass


def test_r4_glonass_delta_tau_n_per_signal(r4):
    # ICD GLONASS FDMA Ed. 5.1 table 4.5: G2 leaves delta tau_n after G1, to which tau_n refers; the
    # ionosphere-free G1/G2 clock is tau_n's plus delta tau_n / (gamma - 1), gamma = (9/7)^2
    from kompas.products.broadcast import BroadcastProduct

    bp = BroadcastProduct(r4)
    s, t = sat_index(["R01"]), r4.glonass.toc_ns[:1]
    dtau = r4.glonass.delta_tau_s[0]
    base = bp.state(s, t).clk_s
    assert bp.state(s, t, signal="1C").clk_s == pytest.approx(base, abs=1e-15)
    assert bp.state(s, t, signal="2P").clk_s == pytest.approx(base - dtau, abs=1e-15)
    assert bp.if_clock(s, t)[0] == pytest.approx(base + dtau / ((9 / 7) ** 2 - 1), abs=1e-15)
    # "not known" (RINEX 3.05 0.999999999999e+09, read as NaN) or absent: no term
    unknown = BroadcastProduct(dataclasses.replace(r4, glonass=dataclasses.replace(
        r4.glonass, delta_tau_s=np.full(len(r4.glonass), np.nan))))  # fmt: skip
    assert unknown.state(s, t, signal="2P").clk_s == pytest.approx(base, abs=1e-15)
    assert unknown.if_clock(s, t)[0] == pytest.approx(base, abs=1e-15)


def test_r4_gps_cnav_inter_signal_corrections_reach_the_clocks(r4):
    """IS-GPS-200N 30.3.3.3.1.1: with CNAV the L1 C/A clock is dt_sv - T_GD + ISC_L1CA, L2C's
    dt_sv - T_GD + ISC_L2C, L5's dt_sv - T_GD + ISC_L5I5/Q5; L1 P(Y) and L1C keep T_GD alone."""
    from kompas.products.broadcast import _kepler_group_delay

    k = r4.kepler
    i = one(k, "G01")
    sigs = np.array(["1C", "1W", "2L", "2S", "5I", "5Q", "1X"])  # 1X (L1C): no CNAV correction, T_GD
    r = np.full(sigs.size, i)
    corr = _kepler_group_delay(k, r, np.full(sigs.size, "G"), sigs, np.arange(sigs.size))
    tgd = k.tgd_s[i]
    want = [tgd - k.isc_l1ca_s[i], tgd, tgd - k.isc_l2c_s[i], tgd - k.isc_l2c_s[i], tgd - k.isc_l5i5_s[i],
            tgd - k.isc_l5q5_s[i], tgd]  # fmt: skip
    np.testing.assert_allclose(corr, want, rtol=0, atol=1e-20)


def test_r4_qzss_cnav2_and_beidou_cnav_group_delays_by_signal(r4):
    """QZSS takes the GPS rules (T_GD and the ISCs: IS-GPS-200N 30.3.3.3.1.1, IS-GPS-800J 3.5.3.9); BeiDou
    B1C/B2a data components add their ISC to the pilot's TGD (BDS-SIS-ICD-B1C-1.0 7.6.2, B2a-1.0 7.6.2, as
    RTKLIB-EX's pntpos.c applies them), the pilots take TGD alone; a D1/D2 record gives no delay of B1C,
    B2a or of BeiDou-3's band 7 (B2b): NaN."""
    from kompas.products.broadcast import _kepler_group_delay

    k = r4.kepler
    j = one(k, "J02")
    sigs = np.array(["1C", "2L", "5I", "5Q", "1S", "1L", "1X"])  # 1X (L1C D+P): no ISC of its own, T_GD
    corr = _kepler_group_delay(k, np.full(sigs.size, j), np.full(sigs.size, "J"), sigs, np.arange(sigs.size))
    tgd = k.tgd_s[j]
    want = [tgd - k.isc_l1ca_s[j], tgd - k.isc_l2c_s[j], tgd - k.isc_l5i5_s[j], tgd - k.isc_l5q5_s[j],
            tgd - k.isc_l1cd_s[j], tgd - k.isc_l1cp_s[j], tgd]  # fmt: skip
    np.testing.assert_allclose(corr, want, rtol=0, atol=1e-20)
    assert np.count_nonzero(corr) == 4  # this record's T_GD, ISC_L1CA and ISC_L2C are zero
    c1, c2 = one(k, "C19", msg="CNV1"), one(k, "C19", msg="CNV2")
    r = np.array([c1, c1, c2, c2])
    corr = _kepler_group_delay(k, r, np.full(4, "C"), np.array(["1D", "1P", "5D", "5P"]), np.arange(4))
    want = [k.tgd_b1cp_s[c1] + k.isc_b1cd_s[c1], k.tgd_b1cp_s[c1], k.tgd_b2ap_s[c2] + k.isc_b2ad_s[c2],
            k.tgd_b2ap_s[c2]]  # fmt: skip
    np.testing.assert_allclose(corr, want, rtol=0, atol=1e-20)
    assert corr[0] != corr[1] and corr[2] != corr[3]
    # a D1/D2 record (C01's D2; the same record as a BeiDou-3 satellite's): B1I TGD1, B3I none, B2I TGD2 on
    # BeiDou-2 only, and no delay known for B1C, B2a, B2a+b or BeiDou-3's band 7 (B2b)
    sigs = np.array(["2I", "6I", "7I", "1P", "5P", "8X", "7D"])
    d = one(k, "C01", msg="D2")
    k3 = dataclasses.replace(k, sat=np.where(np.arange(len(k)) == d, k.sat[c1], k.sat))
    for table, b7 in ((k, k.tgd2_s[d]), (k3, np.nan)):
        corr = _kepler_group_delay(table, np.full(7, d), np.full(7, "C"), sigs, np.arange(7))
        want = [k.tgd1_s[d], 0.0, b7, np.nan, np.nan, np.nan, b7]
        np.testing.assert_allclose(corr, want, rtol=0, atol=1e-20)


def test_a_gps_week_written_modulo_1024_is_brought_to_the_record_epoch(tmp_path):
    """Some writers put the broadcast 10-bit week (2155 mod 1024 = 107) in the week field, which RINEX wants
    continuous: whole rollovers move toe to the record's epoch (toe was put 1023 weeks before it)."""
    want = read_nav(write(tmp_path, R2_GPS, "brdc1180.21n")).kepler
    got = read_nav(
        write(tmp_path, R2_GPS.replace("0.215500000000D+04", "0.107000000000D+03"), "m.21n")
    ).kepler
    assert got.toe_ns[0] == want.toe_ns[0] and got.week[0] == want.week[0] == 2155


def test_r2_two_digit_year_before_2000(tmp_path):
    """RINEX 2 years 80-99 are 1980-1999 (RINEX 2.11 sec. 6.8): the pivot reads the year field itself."""
    old = R2_GPS.replace(" 6 21  4 28 17 59 44.0", " 6 99  4 28 17 59 44.0")
    old = old.replace("0.215500000000D+04", "0.100700000000D+04")  # the GPS week of 1999-04-28
    nav = read_nav(write(tmp_path, old, "brdc1180.99n"))
    assert nav.kepler.toc_ns[0] == t(1999, 4, 28, 17, 59, 44)
