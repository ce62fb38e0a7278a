"""Bias-SINEX 1.00 reader on tiny hand-made files (columns as in the BIAS/SOLUTION title line)."""

import re
import warnings

import numpy as np
import pytest
from _damage import damage_args, damaged
from hypothesis import HealthCheck, given, settings

from kompas import FormatError, KompasError, SignalError, gtime_from_calendar, read_bias, sat_index
from kompas.errors import KompasWarning, TruncatedFileWarning
from kompas.io.readers.bias import OPEN_END_NS
from kompas.time import NS

TITLE = (
    "*BIAS SVN_ PRN STATION__ OBS1 OBS2 BIAS_START____ BIAS_END______ UNIT __ESTIMATED_VALUE____ "
    "_STD_DEV___ __ESTIMATED_SLOPE____ _STD_DEV___"
)


def row(kind, svn, prn, sta, obs1, obs2, start, end, unit, value, std="", slope="", slope_std=""):
    line = (
        f" {kind:<4} {svn:<4} {prn:<3} {sta:<9} {obs1:<4} {obs2:<4} {start:<14} {end:<14} {unit:<4} "
        f"{value:>21} {std:>11} {slope:>21} {slope_std:>11}"
    )
    return line.rstrip()


DAY = "2021:265:00000"
NEXT = "2021:266:00000"
ROWS = [
    # copied from COD0MGXFIN_20212650000_01D_01D_OSB.BIA (column check)
    " OSB  C005 C06           C2I       2021:265:00000 2021:266:00000 ns                  0.0000      0.0000",
    row("OSB", "C201", "C19", "", "C2I", "", DAY, NEXT, "ns", "-12.3456", "0.0123"),
    row("OSB", "C201", "C19", "", "C6I", "", DAY, NEXT, "ns", "4.5000", "0.0100", "0.25", "0.01"),
    # a second, later window for C19 C2I starting at noon with an open end
    row("OSB", "C201", "C19", "", "C2I", "", "2021:265:43200", "0000:000:00000", "ns", "-12.0000", "0.0200"),
    row("OSB", "R730", "R01", "", "L1C", "", DAY, NEXT, "cyc", "0.125", ""),
    row("OSB", "G", "G", "WTZR", "C1W", "", DAY, NEXT, "ns", "1.5000", "0.0018"),
    row("OSB", "R730", "R01", "WTZR", "C1P", "", DAY, NEXT, "ns", "21.2665", "0.1049"),
    row("OSB", "R", "R", "WTZR", "C1P", "", DAY, NEXT, "ns", "20.0000", "0.1000"),
    row("DSB", "G063", "G01", "", "C1C", "C1W", DAY, "", "ns", "-0.9000", "0.0100"),
]


def bia(rows=ROWS, time_system="G", footer=True, header=None):
    lines = [
        header or "%=BIA 1.00 COD 2021:274:20048 MGX 2021:265:00000 2021:266:00000 A 00000009",
        "*" + "-" * 79,
        "+FILE/REFERENCE",
        "*INFO_TYPE_________ INFO________________________________________________________",
        " DESCRIPTION        CODE, Astronomical Institute, University of Bern",
        " SOFTWARE           Bernese GNSS Software Version 5.3",
        "-FILE/REFERENCE",
        "+FILE/COMMENT",
        " a comment line",
        "-FILE/COMMENT",
        "+BIAS/DESCRIPTION",
        "*KEYWORD________________________________ VALUE(S)_______________________________",
        " OBSERVATION_SAMPLING                             300",
        " BIAS_MODE                               ABSOLUTE",
        f" TIME_SYSTEM                             {time_system}",
        " SATELLITE_CLOCK_REFERENCE_OBSERVABLES   G  C1W  C2W ",
        " SATELLITE_CLOCK_REFERENCE_OBSERVABLES   C  C2I  C6I ",
        "-BIAS/DESCRIPTION",
        "+BIAS/SOLUTION",
        TITLE,
        *rows,
        "-BIAS/SOLUTION",
    ]
    if footer:
        lines.append("%=ENDBIA")
    return lines


def write(tmp_path, lines, name="t.bia"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return p


T0 = int(gtime_from_calendar(2021, 9, 22))  # 2021:265:00000 GPST
HOUR = 3600 * NS
SLOPE = (
    "1 bias rows carry a slope (ESTIMATED_SLOPE), which is not applied (the format names no reference epoch "
    "for it): their values hold over their windows"
)
# the hand-made file has one row with a slope: its warning is checked in test_table_columns_and_units
pytestmark = pytest.mark.filterwarnings(f"ignore:.*{SLOPE[2:20]}:kompas.errors.KompasWarning")


def test_table_columns_and_units(tmp_path):
    with pytest.warns(KompasWarning, match=r"t\.bia, line 23: " + re.escape(SLOPE)):
        b = read_bias(write(tmp_path, bia()))
    assert len(b) == 9
    assert b.kind.tolist() == ["OSB"] * 8 + ["DSB"]
    assert repr(b).startswith("BiasData(9 rows {'DSB': 1, 'OSB': 8}, time_system=")  # plain strings
    assert b.sat.dtype == np.int16
    assert b.sat.tolist() == [406, 419, 419, 419, 201, -1, 201, -1, 101]
    assert b.system.tolist() == ["C", "C", "C", "C", "R", "G", "R", "R", "G"]
    assert b.station.tolist() == [""] * 5 + ["WTZR"] * 3 + [""]
    assert b.svn[0] == "C005" and b.obs1[1] == "C2I" and b.obs2[8] == "C1W"
    assert b.unit.tolist() == ["s", "s", "s", "s", "cyc", "s", "s", "s", "s"]
    assert b.value[1] == pytest.approx(-12.3456e-9, rel=1e-12)
    assert b.std[1] == pytest.approx(0.0123e-9, rel=1e-12)
    assert b.value[4] == 0.125 and np.isnan(b.std[4])  # cycles stay cycles; blank std -> NaN
    assert b.slope_per_s[2] == pytest.approx(0.25e-9) and b.slope_std_per_s[2] == pytest.approx(0.01e-9)
    assert np.isnan(b.slope_per_s[1])
    assert b.start_ns[1] == T0 and b.end_ns[1] == T0 + 24 * HOUR
    assert b.start_ns[3] == T0 + 12 * HOUR and b.end_ns[3] == OPEN_END_NS
    assert b.end_ns[8] == OPEN_END_NS  # blank BIAS_END


def test_header_and_description(tmp_path):
    b = read_bias(write(tmp_path, bia()))
    assert (b.version, b.agency, b.data_agency, b.bias_mode, b.n_declared) == ("1.00", "COD", "MGX", "A", 9)
    assert b.file_start_ns == T0 and b.file_end_ns == T0 + 24 * HOUR
    assert b.created_ns == gtime_from_calendar(2021, 10, 1) + 20048 * NS
    assert b.time_system == "GPST"
    assert b.description["BIAS_MODE"] == "ABSOLUTE" and b.description["OBSERVATION_SAMPLING"] == "300"
    assert b.clock_reference == {"G": ("C1W", "C2W"), "C": ("C2I", "C6I")}
    assert b.reference["SOFTWARE"] == "Bernese GNSS Software Version 5.3"
    assert b.comments == ("a comment line",)


def test_two_digit_years_and_the_table_as_a_data_frame(tmp_path):
    rows = list(ROWS)
    rows[1] = row("OSB", "C201", "C19", "", "C2I", "", "21:265:43200", "21:266:00000", "ns", "-12.3456")
    b = read_bias(write(tmp_path, bia(rows)))
    assert b.start_ns[1] == T0 + 12 * HOUR and b.end_ns[1] == T0 + 24 * HOUR  # 00-49: 20xx
    pd = pytest.importorskip("pandas")
    df = b.to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == len(b)
    assert list(df.columns) == ["kind", "svn", "sat", "system", "station", "obs1", "obs2", "start_ns", "end_ns",
                                "unit", "value", "std", "slope_per_s", "slope_std_per_s"]  # fmt: skip
    assert df["unit"].tolist() == b.unit.tolist() and df["value"].iloc[1] == b.value[1]


def test_time_system_bdt(tmp_path):
    b = read_bias(write(tmp_path, bia(time_system="C")))
    assert b.time_system == "BDT"
    assert b.start_ns[1] == gtime_from_calendar(2021, 9, 22, scale="BDT") == T0 + 14 * NS
    with pytest.raises(FormatError, match="TIME_SYSTEM"):
        read_bias(write(tmp_path, bia(time_system="X")))


def test_osb_lookup_vectorised(tmp_path):
    b = read_bias(write(tmp_path, bia()))
    t = T0 + HOUR
    assert b.osb("C19", "C2I", t) == pytest.approx(-12.3456e-9)
    assert b.osb("C19", "C2I", T0 + 13 * HOUR) == pytest.approx(-12.0e-9)  # latest window wins
    assert b.osb("C19", "C2I", T0 + 40 * 24 * HOUR) == pytest.approx(-12.0e-9)  # open end
    assert np.isnan(b.osb("C19", "C2I", T0 - 1))
    out = b.osb(["C19", "C06", "C19", "G01"], ["C6I", "C2I", "C7I", "C1C"], t)
    assert out.shape == (4,)
    assert out[0] == pytest.approx(4.5e-9) and out[1] == 0.0
    assert np.isnan(out[2]) and np.isnan(out[3])
    times = T0 + np.array([0, 11, 12, 30]) * HOUR
    np.testing.assert_allclose(
        b.osb(sat_index("C19"), "C2I", times), [-12.3456e-9, -12.3456e-9, -12e-9, -12e-9]
    )
    with pytest.raises(SignalError, match="given in cycles: its carrier frequency is needed"):
        b.osb("R01", "L1C", t)
    # in seconds with the carrier frequency (R01 on channel 1: 1602.5625 MHz); none for a query without one
    f = 1602.5625e6
    assert b.osb("R01", "L1C", t, frequency_hz=f) == 0.125 / f
    assert np.isnan(b.osb(["R01", "R01"], ["L1C", "L1C"], t, frequency_hz=[np.nan, 0.0])).all()
    assert b.osb("C19", "C2I", t, frequency_hz=f) == pytest.approx(-12.3456e-9)  # rows in ns unchanged


def test_an_earlier_longer_window_holds_where_a_later_one_has_ended(tmp_path):
    # a day's row and an hour's row inside it: each holds over its own window (Bias-SINEX 1.00
    # BIAS_START/BIAS_END), the later-starting one where both do; also for a station's system-wide rows
    lines = bia()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("-BIAS/SOLUTION"))
    rows = [row("OSB", "G063", "G01", "", "C1C", "", DAY, NEXT, "ns", "-6.0"),
            row("OSB", "G063", "G01", "", "C1C", "", "2021:265:43200", "2021:265:50400", "ns", "-7.0"),
            row("OSB", "G063", "G01", "", "C1C", "", "2021:265:46800", "2021:265:48600", "ns", "-8.0"),
            row("OSB", "G", "G", "WTZR", "C2W", "", DAY, NEXT, "ns", "3.0"),
            row("OSB", "G", "G", "WTZR", "C2W", "", "2021:265:43200", "2021:265:50400", "ns", "4.0")]  # fmt: skip
    b = read_bias(write(tmp_path, [*lines[:at], *rows, *lines[at:]]))
    hours = np.array([6, 12.5, 13.25, 13.75, 16, 23.5, 24])
    got = b.osb("G01", "C1C", T0 + (hours * HOUR).astype(np.int64))
    np.testing.assert_allclose(got, np.array([-6, -7, -8, -7, -6, -6, np.nan]) * 1e-9, rtol=1e-12)
    got = b.osb("G05", "C2W", T0 + (hours[[0, 1, 4]] * HOUR).astype(np.int64), station="WTZR")
    np.testing.assert_allclose(got, np.array([3, 4, 3]) * 1e-9, rtol=1e-12)


def test_time_stamps_are_interpolated_linearly(tmp_path):
    # a blank BIAS_END: "time stamp for bias value; piece-wise linear interpolation is assumed for times in
    # between" (Bias-SINEX 1.00); after the last stamp its value holds
    lines = bia()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("-BIAS/SOLUTION"))
    stamps = [row("OSB", "G063", "G02", "", "C1C", "", DAY, "", "ns", "0.0"),
              row("OSB", "G063", "G02", "", "C1C", "", "2021:265:43200", "", "ns", "10.0")]  # fmt: skip
    b = read_bias(write(tmp_path, [*lines[:at], *stamps, *lines[at:]]))
    assert b.stamp.tolist() == [False] * 8 + [True] * 3  # the DSB row has no BIAS_END either
    got = b.osb("G02", "C1C", T0 + np.array([0, 3, 6, 12, 20]) * HOUR)
    np.testing.assert_allclose(got, np.array([0.0, 2.5, 5.0, 10.0, 10.0]) * 1e-9, rtol=1e-12, atol=0)
    assert b.end_ns[-1] == OPEN_END_NS and b.osb("C19", "C2I", T0 + HOUR) == pytest.approx(-12.3456e-9)
    # a station's system-wide stamps likewise
    sta = [row("OSB", "G", "G", "WTZR", "C2W", "", DAY, "", "ns", "0.0"),
           row("OSB", "G", "G", "WTZR", "C2W", "", "2021:265:43200", "", "ns", "10.0")]  # fmt: skip
    b = read_bias(write(tmp_path, [*lines[:at], *sta, *lines[at:]]))
    assert b.osb("G05", "C2W", T0 + 6 * HOUR, station="WTZR") == pytest.approx(5e-9, rel=1e-12)


def test_station_osb(tmp_path):
    b = read_bias(write(tmp_path, bia()))
    t = T0 + HOUR
    assert b.osb("G05", "C1W", t, station="WTZR") == pytest.approx(1.5e-9)  # system-wide row
    assert b.osb("R01", "C1P", t, station="wtzr") == pytest.approx(21.2665e-9)  # per-satellite row
    assert b.osb("R02", "C1P", t, station="WTZR") == pytest.approx(20.0e-9)  # falls back to system row
    assert np.isnan(b.osb("G05", "C1W", t, station="ZIM2"))
    assert np.isnan(b.osb("G05", "C1W", t))  # no satellite row
    assert np.isnan(b.osb("R01", "C1P", t))  # a station's row for a satellite is not the satellite's bias
    assert np.isnan(b.osb("C19", "C2I", t, station="WTZR"))  # nor a satellite's row the station's


def test_dsb_lookup_and_reversed_pair(tmp_path):
    b = read_bias(write(tmp_path, bia()))
    assert b.dsb("G01", "C1C", "C1W", T0) == pytest.approx(-0.9e-9)
    assert b.dsb("G01", "C1W", "C1C", T0) == pytest.approx(0.9e-9)
    assert np.isnan(b.dsb("G02", "C1C", "C1W", T0))
    # a station's DSB, and a phase DSB in cycles (turned into seconds with the frequency)
    lines = bia()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("-BIAS/SOLUTION"))
    more = [row("DSB", "G", "G", "WTZR", "C1C", "C1W", DAY, NEXT, "ns", "0.5000"),
            row("DSB", "G063", "G01", "", "L1C", "L2W", DAY, NEXT, "cyc", "0.2500")]  # fmt: skip
    b = read_bias(write(tmp_path, [*lines[:at], *more, *lines[at:]]))
    assert b.dsb("G05", "C1C", "C1W", T0, station="WTZR") == pytest.approx(0.5e-9)
    assert b.dsb("G05", "C1W", "C1C", T0, station="WTZR") == pytest.approx(-0.5e-9)
    assert b.dsb("G01", "L1C", "L2W", T0, frequency_hz=1575.42e6) == pytest.approx(0.25 / 1575.42e6)
    assert b.dsb("G01", "L2W", "L1C", T0, frequency_hz=1575.42e6) == pytest.approx(-0.25 / 1575.42e6)


def test_truncated_file_warns_and_keeps_complete_rows(tmp_path):
    lines = bia(footer=False)[:-1]  # no -BIAS/SOLUTION, no %=ENDBIA
    lines[-1] = lines[-1][:60]  # last row cut mid-line
    with pytest.warns(TruncatedFileWarning, match="8 complete"):
        b = read_bias(write(tmp_path, lines))
    assert len(b) == 8
    with pytest.warns(TruncatedFileWarning, match="ENDBIA"):
        assert len(read_bias(write(tmp_path, bia(footer=False)))) == 9
    # a whole file without a newline after %=ENDBIA is not cut: no warning
    (tmp_path / "n.bia").write_text("\n".join(bia()), encoding="latin-1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*" + re.escape(SLOPE))
        assert len(read_bias(tmp_path / "n.bia")) == 9


@pytest.mark.parametrize(
    ("k", "bad", "match"),
    [
        (1, row("OSB", "C201", "C19", "", "C2I", "", DAY, NEXT, "ns", "-12.34x6"), "ESTIMATED_VALUE"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", "2021:366:00000", NEXT, "ns", "1.0"), "day of year beyond the end of the year$"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", "2021:265:0000", NEXT, "ns", "1.0"), "YYYY:DDD:SSSSS"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", "2301:265:00000", NEXT, "ns", "1.0"), "not a valid YYYY:DDD"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", "2021:367:00000", NEXT, "ns", "1.0"), "not a valid YYYY:DDD"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", DAY, NEXT, "mm", "1.0"), "UNIT"),
        (1, row("OSB", "C201", "X19", "", "C2I", "", DAY, NEXT, "ns", "1.0"), "system letter"),
        (1, row("OSB", "C201", "C1A", "", "C2I", "", DAY, NEXT, "ns", "1.0"), "PRN"),
        (1, row("OSB", "C201", "C", "", "C2I", "", DAY, NEXT, "ns", "1.0"), "satellite bias row without a PRN number$"),
        (8, row("DSB", "G063", "G01", "", "C1C", "", DAY, NEXT, "ns", "1.0"), "OBS2"),
        (2, row("OSB", "C201", "C19", "", "C6I", "", DAY, NEXT, "ns", "4.5", "0.01", "0.25", "0.0x"), "slope STD_DEV"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", "0000:000:00000", NEXT, "ns", "1.0"), r"BIAS_START is open \(0000:000:00000\)$"),
        # values that parse but are no bias: 1e308 ns, a million cycles, a negative sigma
        (1, row("OSB", "C201", "C19", "", "C2I", "", DAY, NEXT, "ns", "1e308"), r"ESTIMATED_VALUE 1e\+308 ns: a bias is within \+-100000 ns$"),
        (5, row("OSB", "R730", "R01", "", "L1C", "", DAY, NEXT, "cyc", "-1000000.0"), r"ESTIMATED_VALUE -1e\+06 cyc: a bias is within"),
        (1, row("OSB", "C201", "C19", "", "C2I", "", DAY, NEXT, "ns", "-12.3456", "-0.0123"), "STD_DEV -0.0123 ns is negative$"),
    ],
)  # fmt: skip
def test_bad_rows_are_format_errors(tmp_path, k, bad, match):
    rows = list(ROWS)
    rows[k] = bad
    lines = bia(rows)
    with pytest.raises(FormatError, match=match) as err:
        read_bias(write(tmp_path, lines))
    assert err.value.line == lines.index(bad) + 1


def test_a_header_epoch_beyond_the_year_names_the_header_line(tmp_path):
    header = "%=BIA 1.00 COD 2021:366:20048 MGX 2021:265:00000 2021:266:00000 A 00000009"
    with pytest.raises(FormatError, match=r"line 1: header epoch: day of year beyond the end of the year"):
        read_bias(write(tmp_path, bia(header=header)))


def test_blocks_must_close_in_order(tmp_path):
    lines = bia()
    k = lines.index("-FILE/COMMENT")
    lines[k] = "-FILE/REFERENCE"
    with pytest.raises(
        FormatError, match="end of block 'FILE/REFERENCE' but the open block is 'FILE/COMMENT'"
    ) as err:
        read_bias(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_not_bias_sinex(tmp_path):
    with pytest.raises(FormatError, match="%=BIA") as err:
        read_bias(write(tmp_path, ["%=SNX 2.00 ..."]))
    assert err.value.line == 1
    with pytest.raises(FormatError, match="bias mode"):
        read_bias(
            write(tmp_path, bia(header="%=BIA 1.00 COD 2021:274:20048 MGX 2021:265:00000 2021:266:00000 Q 9"))
        )


def test_empty_solution(tmp_path):
    b = read_bias(write(tmp_path, bia(rows=[])))
    assert len(b) == 0 and b.value.dtype == np.float64 and b.start_ns.dtype == np.int64
    # text columns stay text when empty (numpy would make an empty list float)
    assert [
        getattr(b, c).dtype.kind for c in ("kind", "svn", "system", "station", "obs1", "obs2", "unit")
    ] == ["U"] * 7
    assert np.isnan(b.osb("G01", "C1C", T0))


_VALID = ("\n".join(bia()) + "\n").encode("latin-1")


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**damage_args(_VALID))
def test_corrupt_input_only_raises_kompas_errors(tmp_path, cut, pos, byte):
    p = tmp_path / "fuzz.bia"
    p.write_bytes(damaged(_VALID, cut, pos, byte))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            b = read_bias(p)
        except KompasError:
            return
    try:
        b.osb("G01", "C1C", T0)
    except KompasError:
        pass


def test_times_given_as_gtime_pass_and_datetime64_is_refused(tmp_path):
    from kompas import GTime
    from kompas.errors import TimeError

    b = read_bias(write(tmp_path, bia()))
    t = T0 + HOUR
    assert b.osb("C19", "C2I", GTime(t)) == b.osb("C19", "C2I", t) == pytest.approx(-12.3456e-9)
    assert b.dsb("G01", "C1C", "C1W", GTime(t)) == pytest.approx(-0.9e-9)
    with pytest.raises(TimeError, match=r"t_gpst_ns must be integer .*from_datetime64"):
        b.osb("C19", "C2I", GTime(t).to_datetime64())
