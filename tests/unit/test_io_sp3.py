"""SP3 reader on tiny hand-made files (real products: tests/reference/test_sp3_products.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import FormatError, KompasError, gtime_from_calendar, read_sp3, sat_index
from kompas.errors import DroppedRecordWarning, FormatWarning, KompasWarning, TruncatedFileWarning


def _p(sat, x, y, z, clk, tail="", kind="P"):
    return f"{kind}{sat}{x:14.6f}{y:14.6f}{z:14.6f}{clk:14.6f}{tail}"


def _header(
    sats, n_epochs=2, version="c", pv="P", time_system="GPS", base=(1.25, 1.025), start=(2020, 6, 25)
):
    y, m, d = start
    ids = "".join(sats)
    plus = [ids[i : i + 51].ljust(51) for i in range(0, max(len(ids), 1), 51)]
    lines = [
        f"#{version}{pv}{y:4d} {m:2d} {d:2d}  0  0  0.00000000 {n_epochs:7d} ORBIT IGb14 FIT  TST",
        "## 2111 345600.00000000   900.00000000 59025 0.0000000000000",
    ]
    for k, p in enumerate(plus):
        lines.append(("+  " + f"{len(sats):3d}" if k == 0 else "+     ") + "   " + p)
    lines.append("++       " + "".join(f"{e:3d}" for e in range(1, len(sats) + 1)))  # 2**e mm
    lines += [
        f"%c M  cc {time_system} ccc cccc cccc cccc cccc ccccc ccccc ccccc ccccc",
        "%c cc cc ccc ccc cccc cccc cccc cccc ccccc ccccc ccccc ccccc",
        f"%f {base[0]:10.7f} {base[1]:12.9f}  0.00000000000  0.000000000000000",
        "%f  0.0000000  0.000000000  0.00000000000  0.000000000000000",
        "%i    0    0    0    0      0      0      0      0         0",
        "%i    0    0    0    0      0      0      0      0         0",
        "/* hand-made test file",
    ]
    return lines


def _epoch(y, m, d, hh, mm, ss=0.0):
    return f"*  {y:4d} {m:2d} {d:2d} {hh:2d} {mm:2d} {ss:11.8f}"


def _write(tmp_path, lines, name="t.sp3", eof=True):
    p = tmp_path / name
    p.write_text("\n".join([*lines, "EOF"] if eof else lines) + "\n", encoding="latin-1")
    return p


@pytest.fixture
def tiny(tmp_path):
    """SP3-c, 2 epochs x 3 satellites, with a missing clock, a missing position, std exponents and flags."""
    lines = _header(["G01", "R07", "C19"])
    lines += [
        _epoch(2020, 6, 25, 0, 0),
        _p("G01", -10814.532184, 19731.805028, -14065.684957, 15.944433, "  3  4  5  63 EP  M "),
        _p("R07", 7216.464980, 13874.448917, 21747.416312, 999999.999999),
        _p("C19", 0.0, 0.0, 0.0, -106.680548, " " * 14 + "E    P"),
        "EP     55     55     55     222 1234567 -1234567 5999999      -30      21 -1230000",
        _epoch(2020, 6, 25, 0, 15),
        _p("G01", -10000.000001, 20000.5, -14000.25, 15.944500),
        _p("R07", 7300.0, 13900.0, 21700.0, -0.000001),
        _p("C19", 1000.0, -2000.0, 0.0, -106.6),  # on the equator: a real coordinate of 0
    ]
    return _write(tmp_path, lines)


def test_tiny_values_units_and_missing(tiny):
    s = read_sp3(tiny)
    assert s.version == "c" and s.pv_flag == "P" and s.agency == "TST" and s.frame == "IGb14"
    assert s.time_system == "GPST" and s.interval_s == 900.0 and s.n_epochs_header == 2
    assert list(s.sat_ids) == ["G01", "R07", "C19"]
    assert s.sats.dtype == np.int16 and list(s.sats) == list(sat_index(["G01", "R07", "C19"]))
    assert s.time_ns.dtype == np.int64
    assert list(s.time_ns) == list(gtime_from_calendar(2020, 6, 25, 0, [0, 15], 0.0))
    assert s.pos_m.shape == (2, 3, 3) and s.clk_s.shape == (2, 3)
    # km -> m, microseconds -> s
    np.testing.assert_allclose(s.pos_m[0, 0], [-10814532.184, 19731805.028, -14065684.957], rtol=0, atol=1e-6)
    assert s.clk_s[0, 0] == pytest.approx(15.944433e-6, abs=1e-18)
    assert s.clk_s[1, 1] == pytest.approx(-1e-12, abs=1e-20)  # a tiny but real clock is kept
    # 999999.999999 clock -> NaN, position kept
    assert np.isnan(s.clk_s[0, 1]) and np.all(np.isfinite(s.pos_m[0, 1]))
    # 0.000000 position -> the whole vector NaN, clock kept
    assert np.all(np.isnan(s.pos_m[0, 2])) and s.clk_s[0, 2] == pytest.approx(-106.680548e-6)
    assert np.all(np.isfinite(s.pos_m[1])) and s.pos_m[1, 2].tolist() == [1e6, -2e6, 0.0]
    assert s.vel_mps is None and s.clk_rate is None


def test_values_far_beyond_the_bad_marker_are_missing_without_overflow(tmp_path):
    # 1e308 km is a "bad" value like 999999.999999: NaN, and no RuntimeWarning from scaling it to metres
    record = f"PG01{'1.0e308':>14s}{2.0:14.6f}{3.0:14.6f}{'-1.0e300':>14s}"  # fields of F14.6 width
    lines = [*_header(["G01"], n_epochs=1), _epoch(2020, 6, 25, 0, 0), record]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        s = read_sp3(_write(tmp_path, lines))
    assert np.isnan(s.pos_m[0, 0]).all() and np.isnan(s.clk_s[0, 0])


def test_tiny_sdev_flags_accuracy(tiny):
    s = read_sp3(tiny)
    np.testing.assert_allclose(s.pos_sdev_m[0, 0], [1.25**3 * 1e-3, 1.25**4 * 1e-3, 1.25**5 * 1e-3])
    assert s.clk_sdev_s[0, 0] == pytest.approx(1.025**63 * 1e-12)
    assert np.all(np.isnan(s.pos_sdev_m[1])) and np.all(np.isnan(s.clk_sdev_s[1]))  # blank exponents
    assert s.clk_event[0, 0] and s.clk_pred[0, 0] and s.maneuver[0, 0] and not s.orb_pred[0, 0]
    assert s.clk_event[0, 2] and not s.clk_pred[0, 2] and not s.maneuver[0, 2] and s.orb_pred[0, 2]
    assert s.clk_event.sum() == 2 and s.orb_pred.sum() == 1 and s.maneuver.sum() == 1
    np.testing.assert_allclose(s.accuracy_m, [2e-3, 4e-3, 8e-3])


def test_select(tiny):
    s = read_sp3(tiny).select(["C19", "G01"])
    assert list(s.sat_ids) == ["C19", "G01"]
    assert s.pos_m.shape == (2, 2, 3) and s.clk_event[0, 0]
    assert s.clk_s[0, 1] == pytest.approx(15.944433e-6)
    with pytest.raises(KompasError, match="E11"):
        read_sp3(tiny).select(["E11"])


def test_velocity_records(tmp_path):
    lines = _header(["G01", "E11"], n_epochs=1, pv="V")
    lines += [
        _epoch(2020, 6, 25, 0, 0),
        _p("G01", -10814.532184, 19731.805028, -14065.684957, 15.944433),
        _p("G01", 12345.678901, -23456.789012, 1.5, -1.234567, "  2  2  2  10", kind="V"),
        _p("E11", 15000.0, 16000.0, 17000.0, 100.0),
        _p("E11", 0.0, 0.0, 0.0, 999999.999999, kind="V"),
        "EV     55     55     55     222 1234567 -1234567 5999999      -30      21 -1230000",
    ]
    s = read_sp3(_write(tmp_path, lines))
    assert s.pv_flag == "V" and s.vel_mps.shape == (1, 2, 3)
    # dm/s -> m/s; 1e-4 microseconds/s -> s/s
    np.testing.assert_allclose(s.vel_mps[0, 0], [1234.5678901, -2345.6789012, 0.15], rtol=0, atol=1e-9)
    assert s.clk_rate[0, 0] == pytest.approx(-1.234567e-10, abs=1e-22)
    np.testing.assert_allclose(s.vel_sdev_mps[0, 0], [1.25**2 * 1e-7] * 3)
    assert s.clk_rate_sdev[0, 0] == pytest.approx(1.025**10 * 1e-16)
    assert np.all(np.isnan(s.vel_mps[0, 1])) and np.isnan(s.clk_rate[0, 1])
    assert s.clk_s[0, 1] == pytest.approx(100e-6)


@pytest.mark.parametrize(
    ("system", "scale", "hour"),
    [("GLO", "UTC", 3), ("UTC", "UTC", 3), ("BDT", "BDT", 3), ("GAL", "GPST", 3), ("TAI", "TAI", 3)],
)
def test_time_systems(tmp_path, system, scale, hour):
    """Epochs 03:00 in GLO (the GLONASS UTC time system, IGSMAIL-5399) are 03:00 UTC, not 00:00 as
    GLONASS system time (UTC + 3 h) would have them; other systems through kompas.time."""
    lines = _header(["R01"], n_epochs=1, time_system=system)
    lines += [_epoch(2020, 6, 25, 3, 0), _p("R01", 15232.274402, 3829.994219, 20111.150719, 63.552968)]
    s = read_sp3(_write(tmp_path, lines))
    expected = gtime_from_calendar(2020, 6, 25, hour, 0, 0.0, scale=scale)
    assert s.time_ns[0] == expected
    if system == "GLO":
        assert s.time_system == "UTC"
        # 2020: GPST - UTC = 18 s
        assert s.time_ns[0] == gtime_from_calendar(2020, 6, 25, 3, 0, 18.0)
    if system == "BDT":
        assert s.time_ns[0] == gtime_from_calendar(2020, 6, 25, 3, 0, 14.0)


def test_sp3a_without_optional_header_lines(tmp_path):
    """SP3-a has no %c/%f lines: GPS time, no std bases; a blank clock field is missing."""
    lines = [
        "#aP2017  2 14  0  0  0.00000000       1 ORBIT IGS14 HLM  IGS",
        "## 1936 172800.00000000   900.00000000 57798 0.0000000000000",
        "+    2   G01G02  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0",
        _epoch(2017, 2, 14, 0, 0),
        _p("G01", 9950.635414, -20205.485937, -13973.830231, 49.177035, "  7  6  8 122"),
        "PG02 -21716.776296  13624.376066  -5710.906483",
    ]
    s = read_sp3(_write(tmp_path, lines))
    assert s.time_system == "GPST" and s.version == "a" and s.file_type == ""
    assert np.isnan(s.clk_s[0, 1]) and np.isfinite(s.pos_m[0, 1]).all()
    assert np.all(np.isnan(s.pos_sdev_m)) and np.all(np.isnan(s.accuracy_m))


# ----------------------------------------------------------------------------------------------
# Errors and truncation


def _two_epochs(second=(2020, 6, 25, 0, 15), sat2="G01", x2=-10000.0):
    lines = _header(["G01"], n_epochs=2)
    n_head = len(lines)
    lines += [
        _epoch(2020, 6, 25, 0, 0),
        _p("G01", -10814.532184, 19731.805028, -14065.684957, 15.944433),
        _epoch(*second),
        _p(sat2, x2, 20000.0, -14000.0, 15.9),
    ]
    return lines, n_head


ABSENT = r"1 \(epoch, satellite\) position records are absent; their values are NaN$"


def _dropped(tmp_path, lines, match, line):
    """Read with a DroppedRecordWarning naming ``line``; strict mode refuses the file at that line."""
    with pytest.warns(DroppedRecordWarning, match=f"line {line}: .*{match}"):
        s = read_sp3(_write(tmp_path, lines))
    with pytest.raises(FormatError, match="strict") as exc:
        read_sp3(_write(tmp_path, lines), strict=True)
    assert exc.value.line == line
    return s


@pytest.mark.parametrize("second", [(2020, 6, 25, 0, 0), (2020, 6, 24, 23, 45)])
def test_epoch_not_increasing_is_dropped(tmp_path, second):
    lines, n_head = _two_epochs(second)
    s = _dropped(tmp_path, lines, "not after", n_head + 3)
    assert len(s) == 1 and s.pos_m[0, 0, 0] == -10814532.184


@pytest.mark.parametrize(("epoch", "what"), [((5026, 6, 25, 0, 15), "year 5026"), ((2020, 2, 30, 0, 15), "day 30"),
                                             ((2020, 6, 25, 24, 15), "hour 24"),
                                             ((2020, 6, 25, 0, 60), "minute 60")])  # fmt: skip
def test_impossible_epoch_is_dropped(tmp_path, epoch, what):
    lines, n_head = _two_epochs(epoch)
    s = _dropped(tmp_path, lines, f"invalid epoch: {what} outside", n_head + 3)
    assert s.time_ns.tolist() == [gtime_from_calendar(2020, 6, 25)]


def test_bad_epoch_second_is_dropped(tmp_path):
    lines, n_head = _two_epochs()
    lines[n_head + 2] = lines[n_head + 2][:20] + "  x.00000000"
    s = _dropped(tmp_path, lines, "epoch second", n_head + 3)
    assert s.time_ns.tolist() == [gtime_from_calendar(2020, 6, 25)]


def test_epoch_field_that_is_no_integer_is_named(tmp_path):
    lines, n_head = _two_epochs()
    lines[n_head + 2] = lines[n_head + 2][:17] + "x5" + lines[n_head + 2][19:]
    _dropped(tmp_path, lines, "epoch minute is not an integer", n_head + 3)


def test_blank_time_system_is_gps(tmp_path):
    lines = _header(["G01"], n_epochs=1, time_system="   ")
    lines += [_epoch(2020, 6, 25, 0, 0), _p("G01", -10814.532184, 19731.805028, -14065.684957, 15.944433)]
    s = read_sp3(_write(tmp_path, lines))
    assert s.time_system == "GPST" and s.time_ns[0] == gtime_from_calendar(2020, 6, 25)


def test_satellite_not_in_header(tmp_path):
    lines, n_head = _two_epochs(sat2="G02")
    with pytest.warns(KompasWarning, match=ABSENT):  # the dropped record leaves its cell empty
        s = _dropped(tmp_path, lines, "G02.*not in the header", n_head + 4)
    assert len(s) == 2 and np.isnan(s.pos_m[1]).all()


def test_second_record_same_epoch(tmp_path):
    lines, n_head = _two_epochs()
    lines.append(_p("G01", 1.0, 2.0, 3.0, 4.0))
    s = _dropped(tmp_path, lines, "second P record", n_head + 5)
    assert s.pos_m[1, 0, 0] == -10000000.0  # the first record is kept


def test_bad_number_drops_the_record(tmp_path):
    lines, n_head = _two_epochs()
    lines[n_head + 3] = lines[n_head + 3][:10] + "abc" + lines[n_head + 3][13:]
    with pytest.warns(KompasWarning, match=ABSENT):  # the dropped record leaves its cell empty
        s = _dropped(tmp_path, lines, "position x", n_head + 4)
    assert np.isnan(s.pos_m[1]).all() and np.isfinite(s.pos_m[0]).all()


def test_unknown_record(tmp_path):
    lines, n_head = _two_epochs()
    lines.insert(n_head + 2, "XG01 garbage")
    s = _dropped(tmp_path, lines, "unknown record", n_head + 3)
    assert len(s) == 2 and np.isfinite(s.pos_m).all()


def test_blank_lines_before_the_header_are_a_repair(tmp_path):
    lines, _ = _two_epochs()
    good = read_sp3(_write(tmp_path, lines, "good.sp3"))
    with pytest.warns(FormatWarning, match="line 1: blank lines before the header"):
        s = read_sp3(_write(tmp_path, ["", "  ", *lines]))
    np.testing.assert_array_equal(s.pos_m, good.pos_m)
    np.testing.assert_array_equal(s.time_ns, good.time_ns)
    with pytest.raises(FormatError, match="line 1: .*strict"):
        read_sp3(_write(tmp_path, ["", *lines]), strict=True)
    with pytest.raises(FormatError, match="#a/#c/#d") as exc:  # header errors count the blank lines
        read_sp3(_write(tmp_path, ["", *lines[2:]]))
    assert exc.value.line == 2


def test_missing_first_header_line(tmp_path):
    lines, _ = _two_epochs()
    with pytest.raises(FormatError, match="#a/#c/#d") as exc:
        read_sp3(_write(tmp_path, lines[2:]))
    assert exc.value.line == 1


def test_header_lines_cut_short_or_missing_name_their_line(tmp_path):
    lines, _ = _two_epochs()
    cut = "line 1: number of epochs: expected an integer"  # an SP3 line, cut after its flags
    with pytest.raises(FormatError, match=cut) as exc:
        read_sp3(_write(tmp_path, ["#cP", *lines[1:]]))
    assert exc.value.line == 1
    with pytest.raises(FormatError, match="expected the SP3 '##' line") as exc:
        read_sp3(_write(tmp_path, [lines[0], *lines[2:]]))
    assert exc.value.line == 2


def test_a_satellite_twice_in_the_header_list(tmp_path):
    lines = _header(["G01", "R07", "G01"])
    with pytest.raises(FormatError, match="satellite G01 appears twice in the header list") as exc:
        read_sp3(_write(tmp_path, [*lines, _epoch(2020, 6, 25, 0, 0)]))
    assert exc.value.line == 3


def test_repr_gives_the_span_from_first_to_last_epoch(tmp_path):
    lines = _header(["G01"], n_epochs=3)
    for minute in (0, 15, 30):
        lines += [_epoch(2020, 6, 25, 0, minute), _p("G01", 1.0, 2.0, 3.0, 4.0)]
    assert repr(read_sp3(_write(tmp_path, lines))) == (
        "Sp3(version='c', agency='TST', 3 epochs x 1 satellites, 2020-06-25T00:00:00 GPST .. "
        "2020-06-25T00:30:00 GPST, time_system='GPST', velocities=False)"
    )


def test_empty_file(tmp_path):
    p = tmp_path / "e.sp3"
    p.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        read_sp3(p)


def test_truncated_inside_a_number(tmp_path):
    """No EOF and the last P line cut mid-number: that epoch is dropped, nothing half-read."""
    lines, _ = _two_epochs()
    lines[-1] = lines[-1][:25]  # "PG01 -10000.000000  2000" would read as 2000 km
    with pytest.warns(TruncatedFileWarning, match="cut.*1 complete epochs"):
        s = read_sp3(_write(tmp_path, lines, eof=False))
    assert len(s) == 1 and s.pos_m.shape == (1, 1, 3)


def test_truncated_without_the_last_velocities(tmp_path):
    """No EOF and the last epoch has its position but not its velocity record: that epoch is dropped."""
    lines = _header(["G01"], n_epochs=2, pv="V")
    for minute in (0, 15):
        lines += [
            _epoch(2020, 6, 25, 0, minute),
            _p("G01", -10814.532184, 19731.805028, -14065.684957, 15.944433),
            _p("G01", 12345.678901, -23456.789012, 1.5, -1.234567, kind="V"),
        ]
    with pytest.warns(TruncatedFileWarning, match="1 of 1 satellites.*1 complete epochs"):
        s = read_sp3(_write(tmp_path, lines[:-1], eof=False))
    assert len(s) == 1 and np.isfinite(s.vel_mps).all()


def test_truncated_after_complete_epoch(tmp_path):
    lines, _ = _two_epochs()
    with pytest.warns(TruncatedFileWarning, match="2 complete epochs"):
        s = read_sp3(_write(tmp_path, lines, eof=False))
    assert len(s) == 2 and np.isfinite(s.pos_m).all()


def test_absent_record_in_middle_epoch_is_nan_with_warning(tmp_path):
    lines = _header(["G01", "G02"], n_epochs=2)
    lines += [
        _epoch(2020, 6, 25, 0, 0),
        _p("G01", 1000.0, 2000.0, 3000.0, 1.0),
        _epoch(2020, 6, 25, 0, 15),
        _p("G01", 1000.0, 2000.0, 3000.0, 1.0),
        _p("G02", 1000.0, 2000.0, 3000.0, 1.0),
    ]
    with pytest.warns(KompasWarning, match="1 .* absent"):
        s = read_sp3(_write(tmp_path, lines))
    assert np.isnan(s.pos_m[0, 1]).all() and np.isnan(s.clk_s[0, 1]) and np.isfinite(s.pos_m[1]).all()


def test_header_only_warns(tmp_path):
    with pytest.warns(KompasWarning, match="no epoch"):
        s = read_sp3(_write(tmp_path, _header(["G01"], n_epochs=0)))
    assert len(s) == 0 and s.pos_m.shape == (0, 1, 3) and s.time_ns.dtype == np.int64


def test_clean_file_gives_no_warning(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_sp3(tiny)


def test_crlf_and_gzip(tmp_path, tiny):
    import gzip

    text = tiny.read_bytes().replace(b"\n", b"\r\n")
    p = tmp_path / "crlf.sp3.gz"
    p.write_bytes(gzip.compress(text))
    a, b = read_sp3(tiny), read_sp3(p)
    np.testing.assert_array_equal(a.pos_m, b.pos_m)
    np.testing.assert_array_equal(a.clk_event, b.clk_event)
    assert a.comments == b.comments == ("hand-made test file",)


# ----------------------------------------------------------------------------------------------
# Robustness: any damage to a file is a KompasError or a warning, never another exception


@pytest.fixture(scope="module")
def tiny_bytes(tmp_path_factory):
    lines = _header(["G01", "R07", "C19"], n_epochs=2, pv="V")
    for hh in (0, 1):
        lines.append(_epoch(2020, 6, 25, hh, 0))
        for sat in ("G01", "R07", "C19"):
            lines.append(
                _p(sat, -10814.532184, 19731.805028, -14065.684957, 15.944433, "  3  4  5  63 EP  M ")
            )
            lines.append(_p(sat, 1234.5, -2345.6, 0.15, -1.234567, kind="V"))
    return ("\n".join([*lines, "EOF"]) + "\n").encode()


@settings(
    max_examples=200,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(list(b" 0.9-+*PVE#%/\n\xff"))), min_size=1, max_size=6),
       cut=st.none() | st.integers(0, 10**6))  # fmt: skip
def test_damaged_sp3_raises_only_kompas_errors(tmp_path, tiny_bytes, edits, cut):
    data = bytearray(tiny_bytes)
    for pos, byte in edits:
        data[pos % len(data)] = byte
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    p = tmp_path / "damaged.sp3"
    p.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        try:
            s = read_sp3(p)
        except KompasError:
            return
    assert s.pos_m.shape == (len(s), s.sats.size, 3) and np.all(np.diff(s.time_ns) > 0)


def test_cut_at_every_byte_of_the_last_epoch(tmp_path):
    """Without EOF, whatever byte the file stops at, the epochs before the last are read unchanged and
    no cut number is read (issue 10)."""
    lines = _header(["G01", "R07"], n_epochs=3)
    for hh in (0, 1, 2):
        lines.append(_epoch(2020, 6, 25, hh, 0))
        lines += [_p(s, -10814.532184 + hh, 19731.805028, -14065.684957, 15.944433, "  3  4  5  63 EP  M ")
                  for s in ("G01", "R07")]  # fmt: skip
    text = "\n".join(lines) + "\n"
    start = text.rindex("*  2020")
    full = read_sp3(_write(tmp_path, lines))
    for cut in range(start + 1, len(text)):
        p = tmp_path / "cut.sp3"
        p.write_bytes(text[:cut].encode())
        with pytest.warns(TruncatedFileWarning):
            s = read_sp3(p)
        n = len(s)
        assert n in (2, 3)
        np.testing.assert_array_equal(s.pos_m, full.pos_m[:n])
        np.testing.assert_array_equal(s.clk_sdev_s, full.clk_sdev_s[:n])
        assert n == 2 or cut == len(text) - 1  # only the whole last line (without its newline) keeps it
