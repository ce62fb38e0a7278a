"""NMEA-0183 GGA/RMC writer and reader on hand-made solutions and the textbook sentences."""

from __future__ import annotations

import dataclasses
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import FormatError, KompasError, Solution, gtime_from_calendar, read_nmea
from kompas.errors import ConfigError, DroppedRecordWarning, TruncatedFileWarning
from kompas.frames import geodetic_to_ecef
from kompas.io.writers.nmea import nmea_checksum, write_nmea

# The textbook GGA and RMC sentences (NMEA 0183 tutorials; checksums 47 and 6A)
CLASSIC_GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
CLASSIC_RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A"


def _xor(body):
    """Checksum computed independently of the module: XOR of the characters."""
    c = 0
    for ch in body:
        c ^= ord(ch)
    return c


def _sentences(*bodies):
    """Sentences with their checksums (computed by :func:`_xor`), CRLF-terminated."""
    return "".join(f"${b}*{_xor(b):02X}\r\n" for b in bodies)


def _solution(lat_deg, lon_deg, h_m, t_ns, quality, nsat=8, hdop=0.9):
    n = len(t_ns)
    pos = geodetic_to_ecef(np.column_stack([np.radians(lat_deg), np.radians(lon_deg), h_m]))
    q = np.asarray(quality, np.uint8)
    pos[q == 0] = np.nan
    return Solution(
        time_ns=np.asarray(t_ns, np.int64),
        pos_m=pos,
        quality=q,
        nsat=np.full(n, nsat, np.int16),
        hdop=np.full(n, hdop),
    )


def test_checksum_of_textbook_sentences():
    assert nmea_checksum(CLASSIC_GGA[1:-3]) == "47"
    assert nmea_checksum(CLASSIC_RMC[1:-3]) == "6A"


def test_read_textbook_sentences(tmp_path):
    p = tmp_path / "c.nmea"
    p.write_text(CLASSIC_RMC + "\r\n" + CLASSIC_GGA + "\r\n", newline="")
    d = read_nmea(p)
    np.testing.assert_allclose(np.degrees(d["lat_rad"]), [48 + 7.038 / 60], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.degrees(d["lon_rad"]), [11 + 31.0 / 60], rtol=0, atol=1e-12)
    np.testing.assert_allclose(d["altitude_m"], [545.4])
    np.testing.assert_allclose(d["height_m"], [545.4 + 46.9])
    assert d["gga_quality"].tolist() == [1] and d["nsat"].tolist() == [8]
    np.testing.assert_allclose(d["hdop"], [0.9])
    # 1994-03-23 12:35:19 UTC; GPST - UTC was 9 s between 1993-07-01 and 1994-07-01
    assert d["time_ns"][0] == gtime_from_calendar(1994, 3, 23, 12, 35, 28, scale="GPST")
    assert d["talker"].tolist() == ["GP"]


def test_write_gga_rmc_fields(tmp_path):
    t = gtime_from_calendar(1994, 3, 23, 12, 35, [19.0], scale="UTC")
    sol = _solution([48 + 7.038 / 60], [11 + 31.0 / 60], [592.3], t, [5])
    p = tmp_path / "o.nmea"
    write_nmea(sol, p, talker="GP", time_decimals=0, minute_decimals=3)
    raw = p.read_bytes().decode()
    assert raw.endswith("\r\n") and raw.count("\r\n") == 2
    gga, rmc = raw.split("\r\n")[:2]
    body, cs = gga[1:].split("*")
    # height above the EGM96 geoid, and the geoid's height: 45.570 m in NGA's 15-minute grid there
    # (the 46.9 m of the textbook sentence is an older geoid's), their sum the ellipsoidal height
    f = body.split(",")
    assert f[:9] == ["GPGGA", "123519", "4807.038", "N", "01131.000", "E", "1", "08", "0.9"]
    alt, sep = float(f[9]), float(f[11])
    assert abs(sep - 45.570) < 0.1 and round(alt + sep, 3) == 592.3 and f[10] == f[12] == "M"
    assert int(cs, 16) == _xor(body)
    body, cs = rmc[1:].split("*")
    assert body == "GPRMC,123519,A,4807.038,N,01131.000,E,,,230394,,,A"
    assert int(cs, 16) == _xor(body)
    # without a geoid: the ellipsoidal height in the altitude field, separation 0
    write_nmea(sol, p, talker="GP", time_decimals=0, minute_decimals=3, geoid="none", sentences=("GGA",))
    assert p.read_text().split("*")[0] == "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,592.300,M,0.000,M,,"
    with pytest.raises(ConfigError, match="geoid must be egm96 or none, not 'egm2008'"):
        write_nmea(sol, p, geoid="egm2008")


def test_hemispheres_quality_and_invalid_epochs(tmp_path):
    t0 = int(gtime_from_calendar(2020, 6, 25, scale="UTC"))
    t = t0 + np.arange(5) * 10**9
    sol = _solution([-33.8688] * 5, [-70.6693] * 5, [500.0] * 5, t, [1, 2, 4, 5, 0], nsat=12)
    p = tmp_path / "h.nmea"
    write_nmea(sol, p, sentences=("GGA",))
    gga = p.read_text().splitlines()
    assert len(gga) == 5
    f = gga[0].split(",")
    assert f[0] == "$GNGGA" and f[1] == "000000.00"
    assert f[2:6] == ["3352.1280000", "S", "07040.1580000", "W"]  # 7 decimals of a minute, as RTKLIB
    assert [ln.split(",")[6] for ln in gga] == ["4", "5", "2", "1", "0"]
    assert gga[4].split("*")[0] == "$GNGGA,000004.00,,,,,0,00,,,,,,,"
    write_nmea(sol, p, sentences=("RMC",), skip_invalid=True)
    rmc = p.read_text().splitlines()
    assert len(rmc) == 4 and [ln.split(",")[2] for ln in rmc] == ["A"] * 4
    assert [ln.split(",")[12][0] for ln in rmc] == ["R", "F", "D", "A"]
    write_nmea(sol, p, sentences=("RMC",))
    rmc = p.read_text().splitlines()
    assert rmc[4].split(",")[2] == "V" and rmc[4].split(",")[3:7] == ["", "", "", ""]  # no position
    # within a degree of the equator and the prime meridian, the hemisphere follows the sign
    near = _solution([0.5, -0.5], [0.25, -0.25], [0.0, 0.0], t[:2], [4, 4])
    write_nmea(near, p, sentences=("GGA",))
    assert [ln.split(",")[3:6:2] for ln in p.read_text().splitlines()] == [["N", "E"], ["S", "W"]]
    # a quality code NMEA has no indicator for is written as 0 (invalid), never as text
    write_nmea(_solution([1.0], [1.0], [0.0], t[:1], [7]), p, sentences=("GGA",))
    assert p.read_text().split(",")[6] == "0"
    write_nmea(_solution([1.0], [1.0], [0.0], t[:1], [7]), p, sentences=("RMC",))  # and void in RMC
    f = p.read_text().split("*")[0].split(",")
    assert f[2] == "V" and f[12] == "N" and f[3:5] == ["0100.0000000", "N"]


def test_invalid_epochs_between_valid_ones_and_unknown_hdop(tmp_path):
    # skip_invalid leaves out the invalid epoch only, not the valid ones after it; an HDOP not known (no
    # HDOP at all, or NaN for an epoch) is an empty field
    t = int(gtime_from_calendar(2020, 6, 25, scale="UTC")) + np.arange(3) * 10**9
    sol = _solution([1.0] * 3, [2.0] * 3, [0.0] * 3, t, [1, 0, 1])
    p = tmp_path / "gap.nmea"
    write_nmea(sol, p, sentences=("GGA",), skip_invalid=True)
    assert [ln.split(",")[1] for ln in p.read_text().splitlines()] == ["000000.00", "000002.00"]
    hdop = [ln.split(",")[8] for ln in p.read_text().splitlines()]
    assert hdop == ["0.9", "0.9"]
    sol.hdop[2] = np.nan
    write_nmea(sol, p, sentences=("GGA",), skip_invalid=True)
    assert [ln.split(",")[8] for ln in p.read_text().splitlines()] == ["0.9", ""]
    write_nmea(dataclasses.replace(sol, hdop=None), p, sentences=("GGA",), skip_invalid=True)
    assert [ln.split(",")[8] for ln in p.read_text().splitlines()] == ["", ""]


def test_minute_rounding_carries_into_degrees():
    t = gtime_from_calendar(2020, 6, 25, 0, 0, [0.0], scale="UTC")
    sol = _solution([10.99999999], [-0.000000001], [0.0], t, [5])
    buf = io.StringIO()
    write_nmea(sol, buf, sentences=("GGA",), minute_decimals=5)
    f = buf.getvalue().split(",")
    assert f[2:6] == ["1100.00000", "N", "00000.00000", "W"]
    buf = io.StringIO()  # the default 7 decimals: 59.999999994 minutes carry too
    write_nmea(_solution([10.9999999999], [-1e-10], [0.0], t, [5]), buf, sentences=("GGA",))
    assert buf.getvalue().split(",")[2:6] == ["1100.0000000", "N", "00000.0000000", "W"]


def test_leap_second_and_time_rounding():
    t = gtime_from_calendar([2016, 2020], [12, 6], [31, 25], [23, 0], [59, 0], [60.5, 59.996], scale="UTC")
    sol = _solution([1.0, 1.0], [1.0, 1.0], [0.0, 0.0], t, [5, 5])
    buf = io.StringIO()
    write_nmea(sol, buf, sentences=("GGA", "RMC"))
    lines = buf.getvalue().splitlines()
    assert lines[0].split(",")[1] == "235960.50"  # the inserted leap second is second 60
    assert lines[1].split(",")[9] == "311216"
    assert lines[2].split(",")[1] == "000100.00"  # 59.996 s rounds into the next minute


def test_round_trip(tmp_path):
    t0 = int(gtime_from_calendar(2020, 6, 25, 23, 59, 58.0, scale="GPST"))
    t = t0 + np.arange(4) * 10**9
    lat, lon = [49.144225584] * 4, [12.878912086] * 4
    sol = _solution(lat, lon, [675.6473] * 4, t, [5, 5, 5, 5], nsat=21, hdop=1.04)
    p = tmp_path / "r.nmea"
    write_nmea(sol, p, minute_decimals=7)
    d = read_nmea(p)
    np.testing.assert_array_equal(d["time_ns"], t)
    np.testing.assert_allclose(np.degrees(d["lat_rad"]), lat, atol=1e-9)
    np.testing.assert_allclose(np.degrees(d["lon_rad"]), lon, atol=1e-9)
    np.testing.assert_allclose(d["height_m"], 675.647, atol=1e-9)
    np.testing.assert_allclose(d["hdop"], 1.0)
    assert d["nsat"].tolist() == [21] * 4


def test_gga_before_rmc_across_midnight(tmp_path):
    # UTC midnight between the two epochs: each GGA takes the date of its own RMC
    t = gtime_from_calendar(2020, 6, [24, 25], [23, 0], [59, 0], [59.0, 0.0], scale="UTC")
    sol = _solution([1.0, 1.0], [2.0, 2.0], [0.0, 0.0], t, [5, 5])
    p = tmp_path / "m.nmea"
    write_nmea(sol, p, sentences=("GGA", "RMC"))
    np.testing.assert_array_equal(read_nmea(p)["time_ns"], t)


def test_gga_after_midnight_dated_by_an_earlier_rmc_is_a_day_later(tmp_path):
    # an RMC every few GGA (a slower RMC rate): GGA 00:00:00 and 00:00:01 follow the 23:59:58 RMC of
    # 31 December; their day is the next (RTKLIB decode_nmeagga moves such a fix by a day likewise)
    gga = "GPGGA,{},4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"
    rmc = "GPRMC,{},A,4807.038,N,01131.000,E,022.4,084.4,{},003.1,W"
    text = _sentences(rmc.format("235958", "311216"), gga.format("235958"), gga.format("235959"),
                      gga.format("000000"), gga.format("000001"), rmc.format("000002", "010117"),
                      gga.format("000002"), gga.format("235959"))  # fmt: skip
    p = tmp_path / "slow_rmc.nmea"
    p.write_text(text)
    got = read_nmea(p)["time_ns"]
    day = [31, 31, 1, 1, 1, 1]
    want = gtime_from_calendar([2016] * 2 + [2017] * 4, [12] * 2 + [1] * 4, day, [23, 23, 0, 0, 0, 23],
                               [59, 59, 0, 0, 0, 59], [58.0, 59.0, 0.0, 1.0, 2.0, 59.0], scale="UTC")  # fmt: skip
    np.testing.assert_array_equal(got, want)  # the last GGA: 23:59:59 of 1 January, not a wrap
    # more than 12 h by a second: 00:58:59 after a 12:59:00 RMC is the next day's
    text = _sentences(rmc.format("125900", "150520"), gga.format("005859"), gga.format("005901"))
    p.write_text(text)
    got = read_nmea(p)["time_ns"]
    want = gtime_from_calendar(2020, 5, [16, 15], 0, [58, 59], [59.0, 1.0], scale="UTC")
    np.testing.assert_array_equal(got, want)


def test_age_of_differential_data_in_gga_for_relative_solutions(tmp_path):
    # GGA field 13 (NMEA 0183): age of the differential data, s; RTKLIB writes the solution's age. Empty
    # for single point and PPP solutions, and where the age is unknown
    t = gtime_from_calendar(2020, 6, 25, 0, 0, [0.0, 1.0, 2.0, 3.0, 4.0], scale="UTC")
    sol = dataclasses.replace(_solution([1.0] * 5, [2.0] * 5, [0.0] * 5, t, [1, 2, 5, 6, 1]),
                              age_s=np.array([1.5, 0.0, 30.0, 12.0, np.nan]))  # fmt: skip
    p = tmp_path / "age.nmea"
    write_nmea(sol, p, sentences=("GGA",))
    ages = [line.split("*")[0].split(",")[13] for line in p.read_text().splitlines()]
    assert ages == ["1.5", "0.0", "", "", ""]  # fix, float, single, PPP, fix of unknown age


def test_bad_options():
    t = gtime_from_calendar(2020, 6, 25, 0, 0, [0.0])
    sol = _solution([1.0], [1.0], [0.0], t, [5])
    for kw in ({"talker": "gn"}, {"sentences": ("GSA",)}, {"time_decimals": -1}, {"minute_decimals": 10}):
        with pytest.raises(ConfigError, match=next(iter(kw))):
            write_nmea(sol, "unused.nmea", **kw)


def test_read_errors(tmp_path):
    p = tmp_path / "e.nmea"
    p.write_text(CLASSIC_RMC + "\r\n" + CLASSIC_GGA.replace("*47", "*48") + "\r\n")
    with pytest.raises(FormatError, match="checksum") as exc:
        read_nmea(p)
    assert exc.value.line == 2 and str(exc.value).startswith(f"{p}, line 2: checksum 48")
    p.write_text(CLASSIC_GGA + "\r\n")
    with pytest.raises(FormatError, match="date"):
        read_nmea(p)
    body = "GPGGA,123519,48x7.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"
    p.write_text(f"{CLASSIC_RMC}\r\n" + _sentences(body))
    with pytest.raises(FormatError, match="latitude"):
        read_nmea(p)
    p.write_text(CLASSIC_RMC + "\r\n" + CLASSIC_GGA[:30])
    with pytest.warns(TruncatedFileWarning):
        assert read_nmea(p)["time_ns"].size == 0


def test_read_fields_at_their_edges(tmp_path):
    p = tmp_path / "f.nmea"
    rmc = "GPRMC,123519,A,4807.038,S,01131.000,W,022.4,084.4,230380,003.1,W"  # S/W; year 80 -> 1980
    gga = "GPGGA,123519,4807.038,S,01131.000,W,1,08,0.9,545.4,M,46.9,M,,"
    p.write_text(_sentences(rmc, gga))
    d = read_nmea(p)
    assert d["time_ns"].tolist() == [int(gtime_from_calendar(1980, 3, 23, 12, 35, 19, scale="UTC"))]
    assert np.degrees(d["lat_rad"][0]) == pytest.approx(-(48 + 7.038 / 60), abs=1e-9)
    assert np.degrees(d["lon_rad"][0]) == pytest.approx(-(11 + 31.0 / 60), abs=1e-9)
    p.write_text(_sentences(rmc.replace("230380", "230379"), gga))  # 79 -> 2079
    assert read_nmea(p)["time_ns"][0] == int(gtime_from_calendar(2079, 3, 23, 12, 35, 19, scale="UTC"))
    # a GGA of an invalid fix has blank position fields: no position, no error
    blank = "GPGGA,123519,,,,,0,00,,,M,,M,,"
    p.write_text(_sentences(rmc, blank))
    d = read_nmea(p)
    assert d["gga_quality"].tolist() == [0] and np.isnan(d["lat_rad"]).all() and np.isnan(d["lon_rad"]).all()
    for bad, what in (
        ("GPGGA,123519,4807.038,N,011x1.000,E,1,08,0.9,545.4,M,46.9,M,,", "line 2: .*longitude"),
        ("GPGGA,123519,4807.038,N,01131.000,E,1,0x,0.9,545.4,M,46.9,M,,", "line 2"),
        ("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,54x.4,M,46.9,M,,", "line 2: .*altitude"),
    ):
        p.write_text(_sentences(rmc, bad))
        with pytest.raises(FormatError, match=what) as err:
            read_nmea(p)
        assert err.value.path == str(p)
    p.write_text(_sentences(rmc.replace("230380", "2303x0"), gga))
    with pytest.raises(FormatError, match="date") as err:
        read_nmea(p)
    assert err.value.path == str(p)


def test_impossible_dates_drop_their_sentences(tmp_path):
    """A date or time out of range never wraps: the sentence (and the GGA it dates) is dropped."""
    p = tmp_path / "d.nmea"
    rmc = "GPRMC,120000,A,4807.038,N,01131.000,E,022.4,084.4,231394,003.1,W"  # month 13
    gga = "GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"  # dated by it: dropped too
    p.write_text(_sentences(rmc, gga) + f"{CLASSIC_RMC}\r\n{CLASSIC_GGA}\r\n")
    with pytest.warns(DroppedRecordWarning, match="line 1: RMC date '231394': month 13 outside"):
        d = read_nmea(p)
    assert d["time_ns"].tolist() == [int(gtime_from_calendar(1994, 3, 23, 12, 35, 19, scale="UTC"))]
    gga = "GPGGA,253519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"  # hour 25
    p.write_text(f"{CLASSIC_RMC}\r\n" + _sentences(gga) + f"{CLASSIC_GGA}\r\n")
    with pytest.warns(DroppedRecordWarning, match="line 2: GGA time '253519': hour 25"):
        assert read_nmea(p)["time_ns"].size == 1
    # second 60 exists only at a leap second of UTC: 2016-12-31 23:59:60 is read, 2020-06-25 12:00:60 dropped
    leap = ("GPRMC,235960,A,4807.038,N,01131.000,E,022.4,084.4,311216,003.1,W",
            "GPGGA,235960,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")  # fmt: skip
    p.write_text(_sentences(*leap))
    assert read_nmea(p)["time_ns"].tolist() == [int(gtime_from_calendar(2017, 1, 1, scale="UTC")) - 10**9]
    p.write_text(_sentences(*(x.replace("235960", "120060").replace("311216", "250620") for x in leap)))
    with pytest.warns(
        DroppedRecordWarning, match="line 2: GGA time '120060' on 2020-06-25: second >= 60 is only"
    ):
        assert read_nmea(p)["time_ns"].size == 0


def test_height_without_a_geoid_separation_is_the_altitude(tmp_path):
    p = tmp_path / "h.nmea"
    p.write_text(_sentences(CLASSIC_RMC[1:-3], "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,,M,,"))
    d = read_nmea(p)
    assert np.isnan(d["geoid_sep_m"]).all() and d["height_m"].tolist() == d["altitude_m"].tolist() == [545.4]
    p.write_text(_sentences(CLASSIC_RMC[1:-3], CLASSIC_GGA[1:-3]))
    assert read_nmea(p)["height_m"].tolist() == [545.4 + 46.9]


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupt_input_raises_only_kompas_errors(tmp_path, data):
    raw = bytearray((CLASSIC_RMC + "\r\n" + CLASSIC_GGA + "\r\n").encode() * 2)
    for _ in range(data.draw(st.integers(1, 3))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    p = tmp_path / "f.nmea"
    p.write_bytes(bytes(raw[: data.draw(st.integers(1, len(raw)))]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read_nmea(p)
        except KompasError:
            pass
