"""SP3-d and RINEX clock 3.04 writers: hand-made tables written and read back (kompas.io)."""

import datetime as dt

import numpy as np
import pytest

from kompas import KompasError, gtime_from_calendar, read_clk, read_sp3, sat_index
from kompas.io.writers.clk import clk_from_arrays, write_clk
from kompas.io.writers.sp3 import sp3_from_arrays, write_sp3

T0 = int(gtime_from_calendar(2025, 1, 1, 0, 0, 0))
NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _sp3_arrays():
    t = T0 + np.arange(4) * 300 * 10**9
    sats = sat_index(["G01", "R07", "C59"])
    pos = np.array(
        [[26_559_700.0, 1234.5678, -0.001], [-19_000_000.125, 5.0, 7.0], [42_164_170.0, 0.5, -1.0]]
    )
    pos = pos[None] + np.arange(4)[:, None, None] * 1.001
    clk = np.array([1.234567e-4, -3.2e-5, 5e-7])[None] + np.arange(4)[:, None] * 1e-12
    return t, sats, pos, clk


def test_sp3_written_and_read_back(tmp_path):
    t, sats, pos, clk = _sp3_arrays()
    pos[2, 1] = np.nan  # a missing position
    clk[1, 0] = np.nan  # a missing clock
    sp3 = sp3_from_arrays(t, sats, pos, clk, agency="KSIM", comments=("simulated", "second line"))
    path = tmp_path / "a.sp3"
    write_sp3(sp3, path)
    back = read_sp3(path)
    assert back.version == "d" and back.pv_flag == "P" and back.agency == "KSIM"
    assert back.time_system == "GPST" and back.interval_s == 300.0 and back.n_epochs_header == 4
    assert back.gps_week == 2347 and back.seconds_of_week == 259200.0  # 2025-01-01 is a Wednesday
    np.testing.assert_array_equal(back.time_ns, t)
    np.testing.assert_array_equal(back.sats, sats)
    # 1 mm and 1 ps resolution
    np.testing.assert_allclose(back.pos_m, pos, atol=5e-4, rtol=0)
    np.testing.assert_allclose(back.clk_s, clk, atol=5e-13, rtol=0)
    assert np.isnan(back.pos_m[2, 1]).all() and np.isnan(back.clk_s[1, 0])
    assert back.comments == ("simulated", "second line", "", "")  # padded to the four lines of SP3-c
    text = path.read_text().splitlines()
    assert text[0].startswith("#dP2025  1  1  0  0  0.00000000       4 ORBIT IGS20 FIT KSIM")
    assert text[1] == "## 2347 259200.00000000   300.00000000 60676 0.0000000000000"  # MJD of 2025-01-01
    assert text[-1] == "EOF"
    # four comment lines at least (SP3-c lines 19-22), so that the header is 22 lines, as RTKLIB 2.4.3
    # reads it; the first epoch follows on line 23
    assert [ln[:2] for ln in text[18:22]] == ["/*"] * 4 and text[22].startswith("*  2025")
    # five satellite and five accuracy lines of 60 columns; the count on the first only
    assert all(len(ln) == 60 for ln in text[2:12]) and text[3].startswith("+        ")


def test_sp3_standard_deviations_and_flags_written_and_read_back(tmp_path):
    import dataclasses

    t, sats, pos, clk = _sp3_arrays()
    vel = np.ones_like(pos)
    sp3 = sp3_from_arrays(t, sats, pos, clk, vel_mps=vel, clk_rate=np.zeros_like(clk))
    sp3 = dataclasses.replace(sp3, base_pos=1.25, base_clk=1.025)
    e, s = sp3.clk_s.shape
    vel_sdev = np.full((e, s, 3), 1e-7 * 1.25**3)  # velocity sigmas: 1e-4 mm/s units
    clk_sdev = np.full((e, s), np.nan)
    clk_sdev[:, 0] = 1e-12 * sp3.base_clk**0  # exponent 0: written as 0, not left blank
    clk_sdev[:, 1] = 1e-12 * sp3.base_clk**7
    pred = np.zeros((e, s), bool)
    pred[1, 1] = True
    sp3 = dataclasses.replace(sp3, clk_sdev_s=clk_sdev, clk_pred=pred, vel_sdev_mps=vel_sdev)
    write_sp3(sp3, tmp_path / "f.sp3")
    back = read_sp3(tmp_path / "f.sp3")
    np.testing.assert_allclose(back.clk_sdev_s[:, :2], clk_sdev[:, :2], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(back.clk_pred, pred)
    np.testing.assert_allclose(back.vel_sdev_mps, vel_sdev, rtol=1e-12, atol=0)
    assert not back.clk_event.any() and not back.orb_pred.any()


def test_sp3_velocities(tmp_path):
    t, sats, pos, clk = _sp3_arrays()
    vel = np.full(pos.shape, 1234.5678)
    rate = np.full(clk.shape, 2.5e-11)
    write_sp3(sp3_from_arrays(t, sats, pos, clk, vel_mps=vel, clk_rate=rate), tmp_path / "v.sp3")
    back = read_sp3(tmp_path / "v.sp3")
    assert back.pv_flag == "V"
    np.testing.assert_allclose(back.vel_mps, vel, rtol=0, atol=1e-7)  # 1e-6 dm/s
    np.testing.assert_allclose(back.clk_rate, rate, atol=1e-16)


def test_sp3_of_another_time_system_and_a_long_file_type(tmp_path):
    t, sats, pos, clk = _sp3_arrays()
    with pytest.raises(KompasError, match="SP3 file type 'MXY' is longer than the 2 columns"):
        write_sp3(sp3_from_arrays(t, sats, pos, clk, file_type="MXY"), tmp_path / "long.sp3")
    sp3 = sp3_from_arrays(t, sats, pos, clk, time_system="UTC", file_type="MX")
    assert sp3.version == "d"  # what write_sp3 writes
    write_sp3(sp3, tmp_path / "u.sp3")
    lines = (tmp_path / "u.sp3").read_text().splitlines()
    assert next(ln for ln in lines if ln.startswith("%c")).startswith("%c MX cc UTC ccc")  # two columns
    back = read_sp3(tmp_path / "u.sp3")
    assert back.time_system == "UTC" and back.file_type == "MX"
    np.testing.assert_array_equal(back.time_ns, t)
    # line 2 is on line 1's calendar: 2025-01-01 00:00 GPST is 2024-12-31 23:59:42 UTC (18 leap seconds)
    assert lines[0][3:31] == "2024 12 31 23 59 42.00000000"
    assert (back.gps_week, back.seconds_of_week) == (2347, 259182.0)
    assert lines[1].split()[4:] == ["60675", "0.9997916666667"]
    for scale, week in (("GST", 2347), ("BDT", 2347), ("GLONASST", 2347), ("TAI", 2347)):
        write_sp3(sp3_from_arrays(t, sats, pos, clk, time_system=scale), tmp_path / "s.sp3")
        two = (tmp_path / "s.sp3").read_text().splitlines()[1].split()
        w, sow, mjd, frac = int(two[1]), float(two[2]), int(two[4]), float(two[5])
        assert w == week and w * 7 + sow / 86400 == pytest.approx(mjd - 44244 + frac, abs=1e-12)


def test_glonass_time_is_written_as_the_glo_utc_time_system(tmp_path):
    """SP3 and clock files state GLONASS time as "GLO", the GLONASS UTC time system (UTC hours, not
    UTC(SU) + 3 h: RINEX 3.04 sec. 8.1, IGSMAIL-5399): written and read back to the same instants."""
    t, sats, pos, clk = _sp3_arrays()
    write_sp3(sp3_from_arrays(t, sats, pos, clk, time_system="GLONASST"), tmp_path / "g.sp3")
    lines = (tmp_path / "g.sp3").read_text().splitlines()
    # 2025-01-01 00:00 GPST is 2024-12-31 23:59:42 UTC (18 leap seconds), 02:59:42 on the Moscow clock
    assert lines[0][3:31] == "2024 12 31 23 59 42.00000000"
    assert next(ln for ln in lines if ln.startswith("%c"))[9:12] == "GLO"
    assert next(ln for ln in lines if ln.startswith("*")) == "*  2024 12 31 23 59 42.00000000"
    back = read_sp3(tmp_path / "g.sp3")
    assert back.time_system == "UTC"
    np.testing.assert_array_equal(back.time_ns, t)
    c = clk_from_arrays(["AS"], ["R01"], [T0], [1e-4], time_system="GLONASST")
    write_clk(c, tmp_path / "g.clk", _now=NOW)
    text = (tmp_path / "g.clk").read_text().splitlines()
    assert next(ln for ln in text if ln.endswith("TIME SYSTEM ID")).split()[0] == "GLO"
    assert next(ln for ln in text if ln.startswith("AS R01"))[13:39] == "2024 12 31 23 59 42.000000"
    back = read_clk(tmp_path / "g.clk")
    assert back.time_system == "UTC" and back.time_ns.tolist() == [T0]


def test_sp3_refusals_and_defaults(tmp_path):
    import dataclasses

    t, sats, pos, clk = _sp3_arrays()
    one = sp3_from_arrays(t[:1], sats, pos[:1], clk[:1], file_type="")  # one epoch is a table
    write_sp3(one, tmp_path / "one.sp3")
    lines = (tmp_path / "one.sp3").read_text().splitlines()
    assert lines[12].startswith("%c M  cc GPS")  # no file type given: M (mixed)
    assert lines[7] == "++         0  0  0" + "  0" * 14  # unknown accuracies: code 0
    with pytest.raises(KompasError, match="^write_sp3: the table has no epoch$"):
        write_sp3(sp3_from_arrays(t[:0], sats, pos[:0], clk[:0]), tmp_path / "none.sp3")
    with pytest.raises(KompasError, match="^SP3 cannot state the time system 'QZSST'$"):
        write_sp3(dataclasses.replace(one, time_system="QZSST"), tmp_path / "q.sp3")
    # more than 85 satellites: as many satellite and accuracy lines as 17 a line need (SP3-d)
    ids = (
        [f"G{p:02d}" for p in range(1, 33)]
        + [f"E{p:02d}" for p in range(1, 37)]
        + [f"C{p:02d}" for p in range(1, 33)]
    )
    many = sat_index(ids)
    write_sp3(sp3_from_arrays(t[:1], many, np.tile(pos[:1, :1], (1, 100, 1)), np.tile(clk[:1, :1], (1, 100))),
              tmp_path / "many.sp3")  # fmt: skip
    lines = (tmp_path / "many.sp3").read_text().splitlines()
    assert sum(ln.startswith("+ ") for ln in lines) == 6 and sum(ln.startswith("++") for ln in lines) == 6
    assert read_sp3(tmp_path / "many.sp3").sats.tolist() == many.tolist()


def test_sp3_value_too_large_is_an_error(tmp_path):
    t, sats, pos, clk = _sp3_arrays()
    pos[0, 0, 0] = 1e13  # 1e10 km does not fit F14.6
    with pytest.raises(KompasError):
        write_sp3(sp3_from_arrays(t, sats, pos, clk), tmp_path / "bad.sp3")


def test_clock_written_and_read_back(tmp_path):
    t = T0 + np.arange(3) * 30 * 10**9
    kind = np.array(["AS"] * 3 + ["AR"] * 3)
    name = np.array(["C61"] * 3 + ["KSIM"] * 3)
    bias = np.array([1.234567890123e-4, -9.87654321e-9, 0.0, 3.3e-7, 3.4e-7, -1e-3])
    rate = np.array([1e-12, 2e-12, -3e-12, 0.0, 0.0, 0.0])
    c = clk_from_arrays(kind, name, np.concatenate([t, t]), bias, rate=rate,
                        station_coords={"KSIM": (-1_836_968.123, 6_065_617.456, -681_003.789)},
                        prn_list=("C61",), leap_seconds=18, comments=("simulated",))  # fmt: skip
    path = tmp_path / "a.clk"
    write_clk(c, path, _now=NOW)
    back = read_clk(path)
    assert back.version == 3.04 and back.leap_seconds == 18 and back.time_system == "GPST"
    assert back.prn_list == ("C61",) and back.data_types == ("AR", "AS")
    assert back.station_coords["KSIM"] == pytest.approx(
        (-1_836_968.123, 6_065_617.456, -681_003.789), abs=1e-9
    )
    for k, n in (("AS", "C61"), ("AR", "KSIM")):
        m = (back.kind == k) & (back.name == n)
        src = (kind == k) & (name == n)
        np.testing.assert_array_equal(back.time_ns[m], t)
        np.testing.assert_array_equal(back.bias_s[m], bias[src])  # 13 significant digits: exact here
        np.testing.assert_array_equal(back.rate[m], rate[src])
        np.testing.assert_array_equal(back.bias_sigma_s[m], 0.0)
    lines = path.read_text().splitlines()
    assert lines[0] == f"{'3.04':<21s}C{'':20s}M{'':22s}RINEX VERSION / TYPE"
    assert lines[1] == f"{'kompas':21s}{'kompas':21s}{'20250102 030405 UTC':23s}PGM / RUN BY / DATE"
    rec = next(ln for ln in lines if ln.startswith("AS C61"))
    assert rec == "AS C61       2025 01 01 00 00  0.000000  3    1.234567890123E-04  0.000000000000E+00"
    assert next(iter(lines[lines.index(rec) + 1 :])) == " 1.000000000000E-12"


def test_clock_header_station_records_and_default_agency(tmp_path):
    import dataclasses

    c = clk_from_arrays(["AR"], ["KSIM"], [T0], [3.3e-7], station_coords={"KSIM": (1e6, 2e6, 3e6)})
    single = dataclasses.replace(c, station_name="KSIM", n_stations_header=None)
    write_clk(single, tmp_path / "b.clk", _now=NOW)
    back = read_clk(tmp_path / "b.clk")
    assert back.agency == "KSM" and back.station_name == "KSIM"
    assert back.station_coords["KSIM"] == pytest.approx((1e6, 2e6, 3e6), abs=1e-9)  # counted from the table


def test_clock_gap_between_values_is_an_error(tmp_path):
    c = clk_from_arrays(["AS"], ["G01"], [T0], [np.nan])
    with pytest.raises(KompasError):
        write_clk(c, tmp_path / "bad.clk")
    # a coordinate of 12 digits in mm does not fit its field: refused, not written past column 60
    far = clk_from_arrays(["AR"], ["KSIM"], [T0], [3.3e-7], station_coords={"KSIM": (1.5e8, 2e6, 3e6)})
    with pytest.raises(KompasError, match="'SOLN STA NAME / NUM': content longer than 65 columns"):
        write_clk(far, tmp_path / "far.clk")
    write_clk(clk_from_arrays(["AR"], ["KSIM"], [T0], [3.3e-7], station_coords={"KSIM": (9.9e7, 2e6, 3e6)}),
              tmp_path / "near.clk")  # fmt: skip
    assert read_clk(tmp_path / "near.clk").station_coords["KSIM"][0] == 9.9e7


def test_clock_version_300_for_rtklib_243(tmp_path):
    """RINEX clock 3.00 (``version=3.0``): labels from column 61, 4-character names, the record layout of
    CODE's and CNES's 2020 files; read back to the same values. Names too long for the field and comments
    too long for one line are not cut (refused; continued on more lines)."""
    t = T0 + np.arange(2) * 30 * 10**9
    c = clk_from_arrays(["AS", "AS", "AR", "AR"], ["G01", "G01", "KSIM", "KSIM"], np.r_[t, t],
                        [1.234567890123e-4, 1.2e-4, 3.3e-7, 3.4e-7], station_coords={"KSIM": (1e6, 2e6, 3e6)},
                        prn_list=tuple(f"G{i:02d}" for i in range(1, 17)), leap_seconds=18,
                        comments=("x" * 70,))  # fmt: skip
    path = tmp_path / "a300.clk"
    write_clk(c, path, version=3.0, _now=NOW)
    lines = path.read_text().splitlines()
    assert lines[0] == f"{'     3.00':20s}C{'':19s}M{'':19s}RINEX VERSION / TYPE"
    assert lines[1] == f"{'kompas':20s}{'kompas':20s}{'20250102 030405 UTC':20s}PGM / RUN BY / DATE"
    assert lines[2:4] == [f"{'x' * 60}COMMENT", f"{'x' * 10:60s}COMMENT"]
    assert all(len(ln) <= 80 and ln[60:].strip() for ln in lines[: lines.index(f"{'':60s}END OF HEADER")])
    assert f"{18:6d}{'':54s}LEAP SECONDS" in lines
    assert (
        f"{'KSIM':4s} {'':20s}{1000000000:11d} {2000000000:11d} {3000000000:11d}SOLN STA NAME / NUM" in lines
    )
    assert [ln[60:] for ln in lines].count("PRN LIST") == 2  # 15 to a line
    assert "AS G01  2025  1  1  0  0  0.000000  1    1.234567890123E-04" in lines
    back = read_clk(path)
    assert back.version == 3.0 and back.leap_seconds == 18 and back.comments == ("x" * 60, "x" * 10)
    for k, n in (("AS", "G01"), ("AR", "KSIM")):
        m, src = (back.kind == k) & (back.name == n), (c.kind == k) & (c.name == n)
        np.testing.assert_array_equal(back.time_ns[m], t)
        np.testing.assert_array_equal(back.bias_s[m], c.bias_s[src])
    write_clk(c, tmp_path / "a304.clk", _now=NOW)  # 3.04: 65 columns to a comment line
    assert read_clk(tmp_path / "a304.clk").comments == ("x" * 65, "x" * 5)
    long = clk_from_arrays(["AR"], ["KSIM1"], [T0], [3.3e-7])
    with pytest.raises(KompasError, match="the name 'KSIM1' is longer than the 4 columns"):
        write_clk(long, tmp_path / "b.clk", version=3.0)
    with pytest.raises(KompasError, match="version must be 3.04 or 3.00"):
        write_clk(c, tmp_path / "c.clk", version=2.0)


@pytest.mark.parametrize(
    "field, value, what",
    [("agency", "IGS20", "SP3 agency"), ("frame", "IGS20X", "SP3 frame"), ("orbit_type", "FITX", "SP3 orbit type"),
     ("data_used", "ORBIT", None)],
)  # fmt: skip
def test_sp3_header_fields_longer_than_theirs_are_refused_not_cut(tmp_path, field, value, what):
    """A header value that would come back cut is an error naming the field (5 characters fit data used)."""
    t, sats, pos, clk = _sp3_arrays()
    sp3 = sp3_from_arrays(t, sats, pos, clk, **{field: value})
    if what is None:
        write_sp3(sp3, tmp_path / "ok.sp3")
        assert getattr(read_sp3(tmp_path / "ok.sp3"), field) == value
        return
    with pytest.raises(KompasError, match=f"{what} '{value}' is longer than"):
        write_sp3(sp3, tmp_path / "x.sp3")


@pytest.mark.parametrize(
    "options, what",
    [(dict(agency="IGSX"), "agency"), (dict(analysis_center="A" * 56), "analysis centre"),
     (dict(trf="T" * 51, station_coords={"KSIM": (1e6, 2e6, 3e6)}), "TRF"),
     (dict(station_coords={"KSIM": (1e6, 2e6, 3e6)}, station_domes={"KSIM": "D" * 21}), "DOMES number"),
     (dict(pcvs_applied={"G": ("P" * 18, "igs20.atx")}), "PCVS program"),
     (dict(pcvs_applied={"G": ("PCV", "S" * 41)}), "PCVS source")],
)  # fmt: skip
def test_clock_header_fields_longer_than_theirs_are_refused_not_cut(tmp_path, options, what):
    import dataclasses

    later = {k: options.pop(k) for k in ("station_domes", "pcvs_applied") if k in options}
    c = dataclasses.replace(clk_from_arrays(["AR"], ["KSIM"], [T0], [3.3e-7], **options), **later)
    if "station_domes" in later:  # the same record with a DOMES number that fits is written
        ok = dataclasses.replace(c, station_domes={"KSIM": "14201M010"})
        write_clk(ok, tmp_path / "ok.clk", _now=NOW)
        assert "KSIM      14201M010" in (tmp_path / "ok.clk").read_text()
    with pytest.raises(KompasError, match=f"RINEX clock {what} '.*' is longer than"):
        write_clk(c, tmp_path / "x.clk", _now=NOW)
