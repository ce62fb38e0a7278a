"""RINEX 3.05 navigation writer: real records (copied from set A's ESBC nav file) written back verbatim."""

import datetime as dt
import io
from dataclasses import replace

import numpy as np
import pytest

from kompas import KompasError, gtime_from_calendar, read_nav, sat_index
from kompas.errors import KompasWarning
from kompas.io.writers.rinex_nav import write_nav

NOW = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def H(content, label):
    return content.ljust(60) + label.ljust(20)


HEADER = [
    H("     3.05           NAVIGATION DATA     MIXED", "RINEX VERSION / TYPE"),
    H("sbf2rin-13.4.5                          20220706 130816 UTC", "PGM / RUN BY / DATE"),
    H("GAL    2.8250e+01  7.8125e-03  1.0071e-02  0.0000E+00", "IONOSPHERIC CORR"),
    H("GPSA   4.6566e-09  1.4901e-08 -5.9605e-08 -1.1921E-07", "IONOSPHERIC CORR"),
    H("GPUT  9.3132257462E-10 2.664535259E-15 589824 2111", "TIME SYSTEM CORR"),
    H("    18", "LEAP SECONDS"),
    H("", "END OF HEADER"),
]
G01 = [
    "G01 2020 06 25 04 00 00 1.604342833161e-05 7.048583938740e-12 0.000000000000e+00",
    "     5.800000000000e+01-3.968750000000e+01 4.304822170265e-09 6.342094507864e-01",
    "    -2.177432179451e-06 1.000394229777e-02 1.937150955200e-06 5.153707128525e+03",
    "     3.600000000000e+05-1.508742570877e-07 2.572838528869e+00 1.359730958939e-07",
    "     9.806518601091e-01 3.539687500000e+02 7.941703015008e-01-8.384634967987e-09",
    "    -5.714523747137e-11 1.000000000000e+00 2.111000000000e+03 0.000000000000e+00",
    "     2.000000000000e+00 0.000000000000e+00 5.122274160385e-09 5.800000000000e+01",
    "     3.561060000000e+05 4.000000000000e+00",
]
J01 = [
    "J01 2020 06 25 11 00 00-2.819551154971e-04 5.684341886081e-12 0.000000000000e+00",
    "     2.010000000000e+02-3.591562500000e+02 1.487561962927e-09 2.868171997688e+00",
    "    -1.077167689800e-05 7.578011264559e-02 3.583729267120e-05 6.493466983795e+03",
    "     3.852000000000e+05 1.190230250359e-06-2.201465120842e+00 1.600012183189e-06",
    "     7.264422575902e-01-1.024000000000e+03-1.556061202938e+00-2.021155617816e-09",
    "     1.379343169465e-09 2.000000000000e+00 2.111000000000e+03 1.000000000000e+00",
    "     2.800000000000e+00 0.000000000000e+00-5.587935447693e-09 9.690000000000e+02",
    "     3.837780000000e+05 0.000000000000e+00",
]
E01 = [
    "E01 2020 06 24 23 30 00-8.846927667037e-04-7.972289495228e-12 0.000000000000e+00",
    "     6.100000000000e+01 1.865625000000e+01 2.656539226950e-09-1.832282909549e+00",
    "     8.568167686462e-07 9.650341235101e-05 1.049041748047e-05 5.440602037430e+03",
    "     3.438000000000e+05 1.862645149231e-09 2.123282284601e-01-1.452863216400e-07",
    "     9.828296477370e-01 1.298750000000e+02-2.778709093141e+00-5.216288707934e-09",
    "    -6.996720012901e-10 2.580000000000e+02 2.111000000000e+03",
    "     3.120000000000e+00 0.000000000000e+00-1.862645149231e-09 0.000000000000e+00",
    "     3.445400000000e+05",
]
C05 = [
    "C05 2020 06 24 22 00 00-5.154609680176e-04-6.708145150469e-11 0.000000000000e+00",
    "     1.000000000000e+00-4.142968750000e+02-3.141559429989e-09-1.101749161212e+00",
    "    -1.366203650832e-05 3.830116475001e-04-1.177610829473e-05 6.493378950119e+03",
    "     3.384000000000e+05-6.146728992462e-08 2.697580724014e+00 6.146728992462e-08",
    "     1.136268367853e-01 3.549843750000e+02-1.027125663175e+00 4.100527946305e-09",
    "     3.321566928024e-10 0.000000000000e+00 7.550000000000e+02",
    "     2.000000000000e+00 0.000000000000e+00 1.000000000000e-10-9.300000000000e-09",
    "     3.384276000000e+05 0.000000000000e+00",
]
R01 = [
    "R01 2020 06 24 23 15 00 6.355904042721e-05 0.000000000000e+00 3.420000000000e+05",
    "     1.090894238281e+04 1.407806396484e+00-1.862645149231e-09 0.000000000000e+00",
    "    -2.885726074219e+03 2.795855522156e+00-0.000000000000e+00 1.000000000000e+00",
    "     2.288353955078e+04-3.169984817505e-01-2.793967723846e-09 0.000000000000e+00",
    "                         .999999999999e+09 1.500000000000e+01",
]
S23 = [
    "S23 2020 06 25 00 00 16 0.000000000000e+00 0.000000000000e+00 3.456300000000e+05",
    "     3.594460000000e+04 0.000000000000e+00 0.000000000000e+00 6.300000000000e+01",
    "     2.204414000000e+04 0.000000000000e+00 0.000000000000e+00 3.276700000000e+04",
    "     0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 9.200000000000e+01",
]


@pytest.fixture
def nav(tmp_path):
    p = tmp_path / "in.rnx"
    p.write_text("\n".join(HEADER + C05 + S23 + J01 + R01 + E01 + G01) + "\n")
    return read_nav(p)


def _write(nav, tmp_path, **kw):
    p = tmp_path / "out.rnx"
    write_nav(nav, p, _now=NOW, **kw)
    return p, p.read_text().split("\n")


def test_records_written_as_the_file_had_them(nav, tmp_path):
    _, lines = _write(nav, tmp_path)
    assert lines[-1] == ""
    body = lines[lines.index(H("", "END OF HEADER")) + 1 : -1]
    assert all(len(x) == 80 for x in body)  # padded to 80 columns
    body = [x.rstrip() for x in body]
    # differences from the source: E exponent; spare fields blank (the BDS one the source filled with
    # 0); GLONASS unknown delta-tau written with 13 digits as the other fields
    c05 = [x.upper() for x in C05]
    c05[5] = "     3.321566928024E-10" + " " * 19 + " 7.550000000000E+02"
    r01 = [x.upper() for x in R01]
    r01[4] = " " * 23 + " 9.999999999990E+08 1.500000000000E+01"
    # by satellite: G R E C J S
    expect = [x.upper() for x in G01] + r01 + [x.upper() for x in E01] + c05 + [x.upper() for x in J01]
    expect += [x.upper() for x in S23]
    assert body == expect


def test_header(nav, tmp_path):
    _, lines = _write(nav, tmp_path)
    head = lines[: lines.index(H("", "END OF HEADER")) + 1]
    assert head[0] == H("     3.05           N: GNSS NAV DATA    M: MIXED", "RINEX VERSION / TYPE")
    assert head[1] == H("kompas" + " " * 34 + "20240102 030405 UTC", "PGM / RUN BY / DATE")
    assert H("GAL    2.8250E+01  7.8125E-03  1.0071E-02  0.0000E+00", "IONOSPHERIC CORR") in head
    assert H("GPSA   4.6566E-09  1.4901E-08 -5.9605E-08 -1.1921E-07", "IONOSPHERIC CORR") in head
    assert H("GPUT  9.3132257462E-10 2.664535259E-15 589824 2111", "TIME SYSTEM CORR") in head
    assert H("    18", "LEAP SECONDS") in head


def test_leap_seconds_of_week_and_day_zero_are_written(tmp_path):
    """BeiDou counts the day of the leap second from 0 (BDS-SIS-ICD-B1I UTC parameters: DN 0-6): a value."""
    record = H("    18    18   731     0BDS", "LEAP SECONDS")
    p = tmp_path / "leap.rnx"
    p.write_text("\n".join([record if "LEAP" in x else x for x in HEADER] + G01) + "\n")
    nav = read_nav(p)
    assert (nav.header.leap_seconds.week, nav.header.leap_seconds.day) == (731, 0)
    _, lines = _write(nav, tmp_path)
    assert record in lines


def test_header_from_the_iono_corr_dict_alone(nav, tmp_path):
    """A table built by a program (no records read from a header) keeps its ionosphere in the dict."""
    import dataclasses

    built = dataclasses.replace(nav, header=dataclasses.replace(nav.header, iono_corr_records=()))
    _, lines = _write(built, tmp_path)
    assert H("GAL    2.8250E+01  7.8125E-03  1.0071E-02  0.0000E+00", "IONOSPHERIC CORR") in lines
    assert H("GPSA   4.6566E-09  1.4901E-08 -5.9605E-08 -1.1921E-07", "IONOSPHERIC CORR") in lines


def test_ionosphere_record_of_three_coefficients_leaves_the_fourth_blank(tmp_path):
    three = H("GAL    2.8250e+01  7.8125e-03  1.0071e-02", "IONOSPHERIC CORR")  # Galileo's ai0-ai2
    lines = [three if x.startswith("GAL ") else x for x in HEADER]
    p = tmp_path / "three.rnx"
    p.write_text("\n".join(lines + C05 + S23 + J01 + R01 + E01 + G01) + "\n")
    _, out = _write(read_nav(p), tmp_path)
    assert H("GAL    2.8250E+01  7.8125E-03  1.0071E-02", "IONOSPHERIC CORR") in out  # 12 blanks at the end


def test_round_trip_fields(nav, tmp_path):
    p, _ = _write(nav, tmp_path)
    back = read_nav(p)
    for tab in ("kepler", "glonass", "sbas"):
        a, b = getattr(nav, tab), getattr(back, tab)
        assert len(a) == len(b)
        for name in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=f"{tab}.{name}")
    assert back.header.leap_seconds.current == 18
    np.testing.assert_array_equal(
        back.header.iono_corr["GPSA"], [4.6566e-09, 1.4901e-08, -5.9605e-08, -1.1921e-07]
    )
    assert list(back.kepler.msg) == ["LNAV", "FNAV", "D2", "LNAV"]  # C05 is a GEO: D2
    # BeiDou epoch in BDT: 22:00:00 BDT = 22:00:14 GPST; GLONASS in UTC: 23:15:00 UTC = 23:15:18 GPST
    assert back.kepler.toc_ns[2] == gtime_from_calendar(2020, 6, 24, 22, 0, 14, scale="GPST")
    assert back.glonass.toc_ns[0] == gtime_from_calendar(2020, 6, 24, 23, 15, 18, scale="GPST")


def test_text_and_binary_file_objects(nav, tmp_path):
    p, _ = _write(nav, tmp_path)
    t = io.StringIO()
    write_nav(nav, t, _now=NOW)
    assert t.getvalue() == p.read_text()
    b = io.BytesIO()
    write_nav(nav, b, _now=NOW)
    assert b.getvalue() == p.read_bytes()


def test_unsupported_types_are_skipped_with_one_warning(nav, tmp_path):
    k = nav.kepler
    msg = k.msg.copy()
    msg[k.sat == sat_index(["G01"])[0]] = "CNAV"
    with pytest.warns(KompasWarning, match="1 G CNAV"):
        _, lines = _write(replace(nav, kepler=replace(k, msg=msg)), tmp_path)
    assert not any(x.startswith("G01") for x in lines)
    assert any(x.startswith("J01") for x in lines)


def test_required_nan_and_fractional_epoch_raise(nav, tmp_path):
    k = nav.kepler
    with pytest.raises(KompasError, match="sqrt_a_sqrtm"):
        _write(
            replace(nav, kepler=replace(k, sqrt_a_sqrtm=np.where(k.sat == 101, np.nan, k.sqrt_a_sqrtm))),
            tmp_path,
        )
    with pytest.raises(
        KompasError, match=r"whole second in .*\(RINEX navigation epochs have integer seconds\)$"
    ):
        _write(replace(nav, kepler=replace(k, toc_ns=k.toc_ns + 500_000_000)), tmp_path)
