"""RTKLIB .pos writer and reader on hand-made solutions (RTKLIB itself: tests/reference/test_pos_rtklib.py)."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import FormatError, KompasError, ProcessingRecord, Solution, gtime_from_calendar, read_pos_table
from kompas.errors import ConfigError, DroppedRecordWarning, TruncatedFileWarning
from kompas.frames import enu_rotation, geodetic_to_ecef
from kompas.io.readers.pos import solution_from_pos
from kompas.io.writers.pos import format_pos, write_pos

# RTKLIB 2.4.3 outsolheads, copied from an rnx2rtkp output file
COLHEAD_LLH = (
    "%  GPST                  latitude(deg) longitude(deg)  height(m)   Q  ns   sdn(m)   sde(m)   sdu(m)"
    "  sdne(m)  sdeu(m)  sdun(m) age(s)  ratio"
)
COLHEAD_XYZ = (
    "%  GPST                      x-ecef(m)      y-ecef(m)      z-ecef(m)   Q  ns   sdx(m)   sdy(m)   sdz(m)"
    "  sdxy(m)  sdyz(m)  sdzx(m) age(s)  ratio"
)
COLHEAD_TOW = (
    "%  GPST          latitude(deg) longitude(deg)  height(m)   Q  ns   sdn(m)   sde(m)   sdu(m)"
    "  sdne(m)  sdeu(m)  sdun(m) age(s)  ratio"
)
LEGEND_LLH = (
    "% (lat/lon/height=WGS84/ellipsoidal,Q=1:fix,2:float,3:sbas,4:dgps,5:single,6:ppp,ns=# of satellites)"
)

LAT, LON, H = 49.1442, 12.8789, 666.0
# ENU covariance (m^2): sd e 1, n 2, u 3; en -0.25 -> sdne -0.5; eu 0.36 -> 0.6; nu -0.09 -> -0.3
C_ENU = np.array([[1.0, -0.25, 0.36], [-0.25, 4.0, -0.09], [0.36, -0.09, 9.0]])


def _solution(n=3, quality=(5, 0, 1), record=None):
    t0 = int(gtime_from_calendar(2020, 6, 25))
    t = t0 + np.arange(n, dtype=np.int64) * 30 * 10**9
    lat, lon = np.radians(LAT), np.radians(LON)
    pos = np.tile(geodetic_to_ecef([lat, lon, H]), (n, 1))
    r = enu_rotation(lat, lon)
    cov = np.tile(r.T @ C_ENU @ r, (n, 1, 1))
    q = np.array(quality[:n], dtype=np.uint8)
    pos[q == 0] = np.nan
    return Solution(
        time_ns=t,
        pos_m=pos,
        quality=q,
        nsat=np.array([12, 0, 14][:n], dtype=np.int16),
        nsat_by_system={"C": np.array([8, 0, 9][:n], dtype=np.int16)},
        cov_m2=cov,
        record=record or ProcessingRecord(),
    )


def _lines(text):
    return text.split("\n")


def test_llh_line_is_rtklib_layout(tmp_path):
    p = tmp_path / "a.pos"
    write_pos(_solution(), p)
    raw = p.read_bytes().decode()
    data = [ln for ln in _lines(raw) if ln and not ln.startswith("%")]
    # epoch 2 has no solution: RTKLIB writes only epochs with a solution
    assert data == [
        "2020/06/25 00:00:00.000   49.144200000   12.878900000   666.0000   5  12   2.0000   1.0000   3.0000"
        "  -0.5000   0.6000  -0.3000   0.00    0.0\r",
        "2020/06/25 00:01:00.000   49.144200000   12.878900000   666.0000   1  14   2.0000   1.0000   3.0000"
        "  -0.5000   0.6000  -0.3000   0.00    0.0\r",
    ]
    head = [ln for ln in _lines(raw) if ln.startswith("%")]
    assert head[-1] == COLHEAD_LLH + "\r"
    assert head[-2] == LEGEND_LLH + "\r"
    assert head[-3] == "%"
    assert head[0].startswith("% program   : ")
    assert "% obs start : 2020/06/25 00:00:00.0 GPST (week2111 345600.0s)" in head
    assert "% obs end   : 2020/06/25 00:01:00.0 GPST (week2111 345660.0s)" in head


def test_xyz_layout(tmp_path):
    cov = np.array([[4.0, 1.0, 2.25], [1.0, 9.0, -0.25], [2.25, -0.25, 16.0]])
    sol = Solution(
        time_ns=gtime_from_calendar(2020, 6, 25, 0, 0, [0.0]),
        pos_m=np.array([[4075584.4250, 931854.8566, 4801577.3851]]),
        quality=np.array([2], np.uint8),
        nsat=np.array([9], np.int16),
        cov_m2=cov[None],
    )
    text = format_pos(sol, coords="xyz")
    lines = text.split("\r\n")
    assert lines[-3] == COLHEAD_XYZ
    assert lines[-2] == (
        "2020/06/25 00:00:00.000   4075584.4250    931854.8566   4801577.3851   2   9   2.0000   3.0000"
        "   4.0000   1.0000  -0.5000   1.5000   0.00    0.0"
    )


def test_tow_and_utc_time_formats():
    sol = _solution(1, (5,))
    tow = format_pos(sol, time_format="tow")
    assert COLHEAD_TOW + "\r\n" in tow
    assert tow.splitlines()[-1].startswith("2111 345600.000   49.144200000")
    utc = format_pos(sol, time_format="utc", decimals=1)
    # GPST - UTC = 18 s in 2020; RTKLIB labels the column UTC and pads it to 16 + 1 + 1 characters
    assert "%  UTC                 latitude(deg)" in utc
    assert utc.splitlines()[-1].startswith("2020/06/24 23:59:42.0   49.144200000")
    n0 = format_pos(sol, decimals=0)
    assert "%  GPST               latitude(deg)" in n0  # RTKLIB's width 16 + 0 + 1 at 0 decimals
    assert n0.splitlines()[-1].startswith("2020/06/25 00:00:00   49.144200000")


def test_time_rounding_carries():
    base = _solution(1, (5,))
    t = gtime_from_calendar(2020, 6, 25, 0, 0, [59.9996])
    sol = Solution(time_ns=t, pos_m=base.pos_m, quality=base.quality, nsat=base.nsat)
    assert format_pos(sol).splitlines()[-1].startswith("2020/06/25 00:01:00.000 ")
    # last instant of GPS week 2111 rounds into week 2112, tow 0
    t = gtime_from_calendar(2020, 6, 27, 23, 59, [59.9996])
    sol = Solution(time_ns=t, pos_m=base.pos_m, quality=base.quality, nsat=base.nsat)
    assert format_pos(sol, time_format="tow").splitlines()[-1].startswith("2112      0.000   ")


def test_header_options_from_record():
    rec = ProcessingRecord(
        program="kompas spp",
        inputs=("a.rnx", "b.nav"),
        elmask_deg=10.0,
        iono="brdc",
        tropo="saas",
        systems="CR",
        iono_models={"R": "GPS Klobuchar", "C2": "BDS Klobuchar", "C3": "BDGIM", "E": "GPS Klobuchar"},
    )
    sol = _solution(record=rec)
    head = [ln.rstrip("\r") for ln in format_pos(sol).split("\n") if ln.startswith("%")]
    assert head[:3] == ["% program   : kompas spp", "% inp file  : a.rnx", "% inp file  : b.nav"]
    for expected in (
        "% elev mask : 10.0 deg",
        "% ionos opt : Broadcast (GPS Klobuchar: R E; BDS Klobuchar: C2; BDGIM: C3)",
        "% tropo opt : Saastamoinen",
        "% navi sys  : GLONASS BDS",
    ):
        assert expected in head
    assert "% pos mode  : Single" not in head  # a fix epoch is present: mode not guessed
    single = _solution(quality=(5, 0, 5), record=rec)  # every solved epoch single: RTKLIB's name for it
    assert "% pos mode  : Single" in [ln.rstrip("\r") for ln in format_pos(single).split("\n")]


def test_solution_line_names_the_filter_passes():
    # RTKLIB's "% solution" line: the relative run's ppk, the PPP run's smoothing; none for SPP
    from kompas import PppConfig, RtkConfig, SppConfig

    def line(config):
        rec = ProcessingRecord(program="kompas", mode="rtk", config=config)
        return [ln.rstrip("\r") for ln in format_pos(_solution(record=rec)).split("\n") if "% solution" in ln]

    assert line(RtkConfig()) == ["% solution  : Forward"]
    assert line(RtkConfig(ppk=True)) == ["% solution  : Combined"]
    assert line(PppConfig().replace(**{"filter.smoothing": "backward"})) == ["% solution  : Backward"]
    assert line(SppConfig()) == []


def test_line_ends(tmp_path):
    sol = _solution()
    raw = format_pos(sol)
    assert "% obs start" in raw and raw.split("% obs start")[1].split("\n")[0][-1] != "\r"
    assert raw.endswith("0.0\r\n")
    assert "\r" not in format_pos(sol, crlf=False)
    buf = io.StringIO(newline="")
    write_pos(sol, buf, header=False)
    assert buf.getvalue().startswith("2020/06/25 00:00:00.000")


def test_unknown_covariance_written_as_zero():
    base = _solution(1, (5,))
    sol = Solution(time_ns=base.time_ns, pos_m=base.pos_m, quality=base.quality, nsat=base.nsat)
    line = format_pos(sol).splitlines()[-1]
    assert line.endswith("   0.0000   0.0000   0.0000   0.0000   0.0000   0.0000   0.00    0.0")


def test_age_ratio_and_bad_options():
    sol = _solution(1, (1,))
    line = format_pos(sol, age_s=[1.5], ratio=[12.34]).splitlines()[-1]
    assert line.endswith("   1.50   12.3")
    with pytest.raises(ConfigError):
        format_pos(sol, coords="enu")
    with pytest.raises(ConfigError):
        format_pos(sol, time_format="jst")
    with pytest.raises(ConfigError):
        format_pos(sol, decimals=12)
    with pytest.raises(ConfigError):
        format_pos(sol, age_s=[1.0, 2.0])


@pytest.mark.parametrize("coords", ["llh", "xyz"])
@pytest.mark.parametrize("time_format", ["gpst", "tow", "utc"])
def test_round_trip(tmp_path, coords, time_format):
    sol = _solution()
    p = tmp_path / "r.pos"
    write_pos(sol, p, coords=coords, time_format=time_format)
    d = read_pos_table(p)
    ok = sol.quality != 0
    assert d["coords"] == coords
    want = (
        ("sdn", "sde", "sdu", "sdne", "sdeu", "sdun")
        if coords == "llh"
        else ("sdx", "sdy", "sdz", "sdxy", "sdyz", "sdzx")
    )
    assert d["sd_names"] == want
    np.testing.assert_array_equal(d["time_ns"], sol.time_ns[ok])
    np.testing.assert_array_equal(d["quality"], [5, 1])
    np.testing.assert_array_equal(d["nsat"], [12, 14])
    if coords == "llh":
        np.testing.assert_allclose(np.degrees(d["llh"][:, :2]), [[LAT, LON]] * 2, atol=1e-12)
        np.testing.assert_allclose(d["llh"][:, 2], H, atol=1e-9)
        np.testing.assert_allclose(d["sd_m"][0], [2.0, 1.0, 3.0, -0.5, 0.6, -0.3], atol=1e-12)
    else:
        np.testing.assert_allclose(d["xyz_m"], sol.pos_m[ok], rtol=0, atol=5e-5)
    back = solution_from_pos(d)
    np.testing.assert_allclose(back.pos_m, sol.pos_m[ok], rtol=0, atol=1e-3)
    np.testing.assert_allclose(back.cov_enu_m2()[0], C_ENU, atol=1e-3)


def test_read_rtklib_text_and_dms(tmp_path):
    p = tmp_path / "d.pos"
    p.write_text(
        "% program   : RTKLIB ver.2.4.3\n"
        "%  GPST                    latitude(d'\")   longitude(d'\")  height(m)   Q  ns   sdn(m)   sde(m)"
        "   sdu(m)  sdne(m)  sdeu(m)  sdue(m) age(s)  ratio\r\n"
        "2020/06/25 00:00:00.000   49 08 39.21210   12 52 44.08351   675.6473   5  21   3.7882   3.0872"
        "   7.3348   1.7144   2.4369  -0.1824   0.00    0.0\r\n"
        "2020/06/25 00:00:30.000  -00 30 00.00000  -12 52 44.07842   675.4787   5  21   3.7841   3.0947"
        "   7.3586   1.7098   2.4774   0.2228   0.00    0.0\r\n"
    )
    d = read_pos_table(p)
    lat = np.degrees(d["llh"][:, 0])
    np.testing.assert_allclose(lat, [49 + 8 / 60 + 39.2121 / 3600, -0.5], atol=1e-12)
    np.testing.assert_allclose(np.degrees(d["llh"][1, 1]), -(12 + 52 / 60 + 44.07842 / 3600), atol=1e-12)
    np.testing.assert_allclose(d["sd_m"][0], [3.7882, 3.0872, 7.3348, 1.7144, 2.4369, -0.1824])
    assert d["time_system"] == "GPST"
    assert solution_from_pos(d).record.program == "RTKLIB ver.2.4.3"
    p.write_text(p.read_text().replace("675.4787", "675.4x87"))
    with pytest.raises(FormatError, match="height") as exc:
        read_pos_table(p)
    assert exc.value.line == 4


def test_read_errors(tmp_path):
    good = format_pos(_solution())
    p = tmp_path / "e.pos"
    bad = good.replace("666.0000   1  14", "666.0x00   1  14")
    p.write_text(bad, newline="")
    with pytest.raises(FormatError) as exc:
        read_pos_table(p)
    n_head = sum(1 for ln in good.split("\n") if ln.startswith("%"))
    assert exc.value.line == n_head + 2
    p.write_text(good.replace("   5  12", "   5  nan"), newline="")
    with pytest.raises(FormatError, match="ns"):
        read_pos_table(p)
    tow = format_pos(_solution(), time_format="tow")
    first = next(ln for ln in tow.split("\n") if ln and not ln.startswith("%"))
    week = first.split()[0]
    p.write_text(tow.replace(first, first.replace(week, "10000", 1)), newline="")  # valid time of week
    with pytest.raises(FormatError, match="expected a GPS week and time of week, found 10000") as exc:
        read_pos_table(p)
    assert exc.value.line == next(k for k, ln in enumerate(tow.split("\n"), 1) if ln == first)
    p.write_text(good.replace("%", "$GPGGA,", 1), newline="")
    with pytest.raises(FormatError, match=r"line 1: NMEA sentences in a \.pos file: use kompas\.read_nmea"):
        read_pos_table(p)
    for date, what in (("2020/13/25 00:01:00.000", "month 13"), ("5026/06/25 00:01:00.000", "year 5026")):
        p.write_text(good.replace("2020/06/25 00:01:00.000", date), newline="")
        with pytest.warns(DroppedRecordWarning, match=f"line {n_head + 2}: epoch .*{what} outside"):
            d = read_pos_table(p)  # an impossible date drops its line, never wraps (issue 10)
        assert d["time_ns"].tolist() == [int(gtime_from_calendar(2020, 6, 25))]


def test_read_truncated(tmp_path):
    good = format_pos(_solution())
    p = tmp_path / "t.pos"
    p.write_text(good[:-40], newline="")
    with pytest.warns(TruncatedFileWarning):
        d = read_pos_table(p)
    assert d["time_ns"].size == 1
    # the same short line with its end of line is an error, not a truncation
    p.write_text(good[:-40] + "\n", newline="")
    with pytest.raises(FormatError):
        read_pos_table(p)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupt_input_raises_only_kompas_errors(tmp_path, data):
    raw = bytearray(format_pos(_solution()).encode())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    p = tmp_path / "f.pos"
    p.write_bytes(bytes(raw[:cut]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read_pos_table(p)
        except KompasError:
            pass


def test_a_second_60_outside_a_leap_second_drops_its_line(tmp_path):
    utc = format_pos(_solution(), time_format="utc")
    n_head = sum(1 for ln in utc.split("\n") if ln.startswith("%"))
    p = tmp_path / "s.pos"
    p.write_text(utc.replace("2020/06/24 23:59:42.000", "2020/06/24 12:00:60.000"), newline="")
    with pytest.warns(
        DroppedRecordWarning, match=f"line {n_head + 1}: epoch 2020/06/24 12:00:60.000: .*leap"
    ):
        d = read_pos_table(p)  # one line, never the whole file
    assert d["time_ns"].tolist() == [int(gtime_from_calendar(2020, 6, 25, 0, 0, 42, "UTC"))]
    assert d["quality"].tolist() == [1]
    # the leap second that ended 2016 is a real UTC second
    p.write_text(utc.replace("2020/06/24 23:59:42.000", "2016/12/31 23:59:60.000"), newline="")
    d = read_pos_table(p)
    assert d["time_ns"][0] == gtime_from_calendar(2017, 1, 1, 0, 0, 0, "UTC") - 10**9
    assert d["quality"].tolist() == [5, 1]


BASE = np.array([4075580.3111, 931854.0543, 4801568.2808])  # WTZR
# rnx2rtkp (RTKLIB 2.4.3) with ant2-pos = BASE: ECEF in an xyz file (solution.c outrpos), read back as ECEF
# there by its decode_refpos; latitude, longitude and height in an llh or enu file
REF_XYZ = "% ref pos   :  4075580.3111    931854.0543   4801568.2808"
REF_LLH = "% ref pos   : 49.144200526   12.878913935   666.0207"


@pytest.mark.parametrize(("coords", "line", "atol"), [("xyz", REF_XYZ, 0.0), ("llh", REF_LLH, 1e-4)])
def test_the_base_is_written_in_the_file_s_coordinates_and_read_back(tmp_path, coords, line, atol):
    sol = _solution(record=ProcessingRecord(base_m=tuple(BASE)))
    p = tmp_path / f"{coords}.pos"
    write_pos(sol, p, coords=coords)
    assert line in p.read_text().splitlines()
    np.testing.assert_allclose(read_pos_table(p)["ref_m"], BASE, rtol=0, atol=atol)
    back = solution_from_pos(read_pos_table(p))
    np.testing.assert_allclose(back.record.base_m, BASE, rtol=0, atol=atol)  # the round trip keeps the base
    assert line in format_pos(back, coords=coords).splitlines()  # and writes it again


def test_the_base_of_rtklib_xyz_files_and_lines_that_are_no_position(tmp_path):
    body = ("2020/06/25 00:00:00.000   4075579.3179    931853.4037   4801569.3457   1   6   0.0107   0.0054"
            "   0.0091   0.0053   0.0045   0.0070   0.00   66.8\n")  # fmt: skip
    cols = "%  GPST                      x-ecef(m)      y-ecef(m)      z-ecef(m)   Q  ns\n"
    p = tmp_path / "r.pos"
    p.write_text(REF_XYZ + "\n" + cols + body)
    assert read_pos_table(p)["ref_m"].tolist() == BASE.tolist()
    # latitude, longitude and height in an xyz file (kompas's writer did so) or two fields: no base
    for ref in (REF_LLH, "% ref pos   :  4075580.3111    931854.0543"):
        p.write_text(ref + "\n" + cols + body)
        assert "ref_m" not in read_pos_table(p) and solution_from_pos(read_pos_table(p)).record.base_m == ()
    dms = ("%  GPST                    latitude(d'\")   longitude(d'\")  height(m)   Q  ns\n"
           "2020/06/25 00:00:00.000   49 08 39.21210   12 52 44.08351   675.6473   5  21   3.7882   3.0872"
           "   7.3348   1.7144   2.4369  -0.1824   0.00    0.0\n")  # fmt: skip
    p.write_text("% ref pos   : 49 08 39.12189   12 52 44.09017   666.0207\n" + dms)  # RTKLIB outrpos, degf
    np.testing.assert_allclose(read_pos_table(p)["ref_m"], BASE, rtol=0, atol=1e-3)
    p.write_text(REF_LLH + "\n" + dms)  # degrees where d m s are due: not read as a wrong base
    assert "ref_m" not in read_pos_table(p)
    llh_cols = "%  GPST                  latitude(deg) longitude(deg)  height(m)   Q  ns\n"
    llh_body = ("2020/06/25 00:00:00.000   49.144225336   12.878913475   675.6473   5  21   3.7882   3.0872"
                "   7.3348   1.7144   2.4369  -0.1824   0.00    0.0\n")  # fmt: skip
    p.write_text("% ref pos   :  49.144195610   12.878905820\n" + llh_cols + llh_body)  # two fields
    assert "ref_m" not in read_pos_table(p)
