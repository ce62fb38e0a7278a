"""ANTEX 1.4 reader on tiny hand-made files (columns as in the ANTEX 1.4 format tables)."""

import warnings

import numpy as np
import pytest
from _damage import damage_args, damaged
from hypothesis import HealthCheck, given, settings

from kompas import FormatError, KompasError, gtime_from_calendar, read_antex, sat_index
from kompas.errors import KompasWarning, TruncatedFileWarning
from kompas.io.readers.antex import AntennaNotFoundError


def rec(content: str, label: str) -> str:
    """One labelled ANTEX record: content in columns 1-60, label in 61-80."""
    return content.ljust(60) + label.ljust(20)


HEADER = [
    rec("     1.4            M", "ANTEX VERSION / SYST"),
    rec("A", "PCV TYPE / REFANT"),
    rec("tiny test file", "COMMENT"),
    rec("", "END OF HEADER"),
]

# A BeiDou satellite (PRN C19 in the serial field), nadir grid 0..10 by 5, no azimuth dependence.
SAT_C19 = [
    rec("", "START OF ANTENNA"),
    rec("BEIDOU-3M           C19                 C201      2018-078A", "TYPE / SERIAL NO"),
    rec("                                             0    01-JAN-20", "METH / BY / # / DATE"),
    rec("     0.0", "DAZI"),
    rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"),
    rec("     2", "# OF FREQUENCIES"),
    rec("  2018    11    19     0     0    0.0000000", "VALID FROM"),
    rec("  2030     1     1    23    59   59.9999999", "VALID UNTIL"),
    rec("IGS20_2417", "SINEX CODE"),
    rec("   C02", "START OF FREQUENCY"),
    rec("     10.00     -5.50   1200.25", "NORTH / EAST / UP"),
    "   NOAZI    1.10    2.20   -3.30",
    rec("   C02", "END OF FREQUENCY"),
    rec("   C06", "START OF FREQUENCY"),
    rec("     11.00     -6.50   1100.75", "NORTH / EAST / UP"),
    "   NOAZI    0.10    0.20    0.30",
    rec("   C06", "END OF FREQUENCY"),
    rec("", "END OF ANTENNA"),
]

# An earlier satellite that used PRN C19 (validity ends before the block above starts).
SAT_C19_OLD = [
    rec("", "START OF ANTENNA"),
    rec("BEIDOU-2M           C19                 C015      2012-050A", "TYPE / SERIAL NO"),
    rec("", "METH / BY / # / DATE"),
    rec("     0.0", "DAZI"),
    rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"),
    rec("     1", "# OF FREQUENCIES"),
    rec("  2012     9    19     0     0    0.0000000", "VALID FROM"),
    rec("  2018    11    18    23    59   59.9999999", "VALID UNTIL"),
    rec("   C02", "START OF FREQUENCY"),
    rec("      1.00      2.00      3.00", "NORTH / EAST / UP"),
    "   NOAZI    0.00    0.00    0.00",
    rec("   C02", "END OF FREQUENCY"),
    rec("", "END OF ANTENNA"),
]

# A receiver antenna with radome NONE, DAZI 120 (azimuths 0, 120, 240, 360), zenith 0..10 by 5,
# with an RMS block.
RCV = [
    rec("", "START OF ANTENNA"),
    rec("TRM59800.00     NONE", "TYPE / SERIAL NO"),
    rec("ROBOT               Geo++ GmbH               5    09-JUN-19", "METH / BY / # / DATE"),
    rec("   120.0", "DAZI"),
    rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"),
    rec("     1", "# OF FREQUENCIES"),
    rec("   G01", "START OF FREQUENCY"),
    rec("      0.65      1.35     89.35", "NORTH / EAST / UP"),
    "   NOAZI    0.00   -0.23   -0.90",
    "     0.0    0.00   -0.20   -0.80",
    "   120.0    0.00   -0.21   -0.81",
    "   240.0    0.00   -0.22   -0.82",
    "   360.0    0.00   -0.20   -0.80",
    rec("   G01", "END OF FREQUENCY"),
    rec("   G01", "START OF FREQ RMS"),
    rec("      0.10      0.20      0.30", "NORTH / EAST / UP"),
    "   NOAZI    0.01    0.02    0.03",
    "     0.0    0.01    0.02    0.03",
    "   120.0    0.01    0.02    0.03",
    "   240.0    0.01    0.02    0.03",
    "   360.0    0.01    0.02    0.04",
    rec("   G01", "END OF FREQ RMS"),
    rec("", "END OF ANTENNA"),
]

# An individual calibration of the same type, and a type with a real radome.
RCV_SERIAL = [
    rec("", "START OF ANTENNA"),
    rec("TRM59800.00     NONE12345", "TYPE / SERIAL NO"),
    rec("", "METH / BY / # / DATE"),
    rec("     0.0", "DAZI"),
    rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"),
    rec("     1", "# OF FREQUENCIES"),
    rec("   G01", "START OF FREQUENCY"),
    rec("      0.00      0.00     90.00", "NORTH / EAST / UP"),
    "   NOAZI    0.00    0.00    0.00",
    rec("   G01", "END OF FREQUENCY"),
    rec("", "END OF ANTENNA"),
]
RCV_RADOME = [line.replace("NONE12345", "SCIS     ") for line in RCV_SERIAL]


def write(tmp_path, lines, name="t.atx"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return p


def full(tmp_path):
    return write(tmp_path, HEADER + SAT_C19_OLD + SAT_C19 + RCV + RCV_SERIAL + RCV_RADOME)


def test_header_and_blocks(tmp_path):
    atx = read_antex(full(tmp_path))
    assert atx.version == 1.4 and atx.system == "M" and atx.pcv_type == "A"
    assert atx.comments == ("tiny test file",)
    assert len(atx.antennas) == 5
    assert [a.is_satellite for a in atx.antennas] == [True, True, False, False, False]
    # no PCV TYPE / REFANT record: the type is unknown (""), not made up
    no_type = read_antex(write(tmp_path, HEADER[:1] + HEADER[2:] + SAT_C19, "n.atx"))
    assert (no_type.pcv_type, no_type.ref_antenna, no_type.ref_serial) == ("", "", "")


def test_satellite_block_units_and_grid(tmp_path):
    ant = read_antex(full(tmp_path)).antennas[1]
    assert ant.type == "BEIDOU-3M" and ant.serial == "C19"
    assert ant.sat == 419 == sat_index("C19")
    assert (ant.svn, ant.cospar, ant.sinex_code) == ("C201", "2018-078A", "IGS20_2417")
    assert ant.valid_from_ns == gtime_from_calendar(2018, 11, 19)
    assert ant.valid_until_ns == gtime_from_calendar(2030, 1, 1, 23, 59, 59.9999999)
    np.testing.assert_allclose(np.rad2deg(ant.zen_rad), [0.0, 5.0, 10.0])
    assert ant.azi_rad is None
    assert list(ant.freqs) == ["C02", "C06"]
    c02 = ant.freqs["C02"]
    np.testing.assert_allclose(c02.pco_m, [0.010, -0.0055, 1.20025], rtol=0, atol=1e-12)
    np.testing.assert_allclose(c02.pcv_noazi_m, [0.0011, 0.0022, -0.0033], rtol=0, atol=1e-12)
    assert c02.pcv_m is None and c02.pco_rms_m is None
    np.testing.assert_allclose(ant.freqs["C06"].pco_m, [0.011, -0.0065, 1.10075], rtol=0, atol=1e-12)


def test_grid_fields_are_read_wherever_they_sit_in_their_columns(tmp_path):
    # 2X,3F6.1: each value may be written anywhere in its six columns, here at their left edge
    zen = rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN")
    left = rec("  0.0   10.0  5.0", "ZEN1 / ZEN2 / DZEN")
    lines = [left if line == zen else line for line in HEADER + SAT_C19]
    ant = read_antex(write(tmp_path, lines)).antennas[0]
    np.testing.assert_allclose(np.rad2deg(ant.zen_rad), [0.0, 5.0, 10.0])


def test_azimuth_row_values_that_fill_their_f8_2_columns(tmp_path):
    # a value using all eight columns touches the one before it: read by columns, not by blanks
    row = "   240.0    0.00   -0.22   -0.82"
    lines = [line.replace(row, "   240.0    0.00-1234.56   -0.82") for line in HEADER + RCV]
    pcv = read_antex(write(tmp_path, lines)).antennas[0].freqs["G01"].pcv_m
    np.testing.assert_allclose(pcv[2], [0.0, -1.23456, -0.00082], rtol=0, atol=1e-12)


def test_receiver_block_azimuth_rows_and_rms(tmp_path):
    ant = read_antex(full(tmp_path)).antennas[2]
    assert ant.type == "TRM59800.00     NONE" and ant.serial == "" and ant.sat == -1
    assert (ant.method, ant.agency, ant.n_calibrated, ant.date) == ("ROBOT", "Geo++ GmbH", 5, "09-JUN-19")
    assert ant.valid_from_ns is None and ant.valid_until_ns is None
    np.testing.assert_allclose(np.rad2deg(ant.azi_rad), [0.0, 120.0, 240.0, 360.0])
    g01 = ant.freqs["G01"]
    np.testing.assert_allclose(g01.pco_m, [0.00065, 0.00135, 0.08935], rtol=0, atol=1e-12)
    assert g01.pcv_m.shape == (4, 3)
    np.testing.assert_allclose(g01.pcv_m[1], [0.0, -0.00021, -0.00081], rtol=0, atol=1e-12)
    np.testing.assert_allclose(g01.pcv_m[2, 2], -0.00082, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g01.pco_rms_m, [0.0001, 0.0002, 0.0003], rtol=0, atol=1e-12)
    np.testing.assert_allclose(g01.pcv_rms_m[3], [0.00001, 0.00002, 0.00004], rtol=0, atol=1e-12)


def test_receiver_lookup_radome_and_serial(tmp_path):
    atx = read_antex(full(tmp_path))
    mean = atx.antennas[2]
    assert atx.receiver("TRM59800.00     NONE") is mean
    assert atx.receiver("TRM59800.00 NONE") is mean
    assert atx.receiver("TRM59800.00") is mean  # no radome given = NONE (IGS convention)
    assert atx.receiver("trm59800.00") is mean
    assert atx.receiver("TRM59800.00", serial="12345") is atx.antennas[3]
    assert atx.receiver("TRM59800.00", serial="99999") is mean  # falls back to the type mean
    assert atx.receiver("TRM59800.00     SCIS").serial == ""
    assert atx.receiver("TRM59800.00     SCIS").freqs["G01"].pco_m[2] == pytest.approx(0.090)
    with pytest.raises(AntennaNotFoundError, match="LEIT") as err:
        atx.receiver("TRM59800.00     LEIT")  # never substituted by NONE
    assert isinstance(err.value, KompasError) and isinstance(err.value, KeyError)
    with pytest.raises(AntennaNotFoundError):
        atx.receiver("LEIAR25.R3")


OTHER = [line.replace("TRM59800.00     NONE", "LEIAR25.R3      LEIT") for line in RCV]


def _same_antenna(a, b):
    assert (a.type, a.serial, a.sat, a.valid_from_ns) == (b.type, b.serial, b.sat, b.valid_from_ns)
    assert list(a.freqs) == list(b.freqs)
    for code in a.freqs:
        for name in ("pco_m", "pcv_noazi_m", "pcv_m", "pcv_rms_m"):
            x, y = getattr(a.freqs[code], name), getattr(b.freqs[code], name)
            assert (x is None and y is None) or np.array_equal(x, y), (code, name)


def test_only_the_receivers_asked_for_are_read(tmp_path):
    """read_antex(receivers=...): every radome and serial of the models named, every satellite, and no
    other receiver (its blocks passed over unparsed: a bad row there goes unreported); the lookup of a
    model not read says so."""
    lines = HEADER + SAT_C19_OLD + OTHER + SAT_C19 + RCV + RCV_SERIAL + RCV_RADOME
    path = write(tmp_path, lines)
    every = read_antex(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a block passed over is closed like one read: nothing to warn about
        some = read_antex(path, receivers=["TRM59800.00     SCIS"])  # a header type: the model counts
    assert [a.type for a in every.antennas].count("LEIAR25.R3      LEIT") == 1
    assert [a.serial for a in some.antennas] == ["C19", "C19", "", "12345", ""]
    assert "LEIAR25.R3      LEIT" not in [a.type for a in some.antennas]
    for got in some.antennas:
        _same_antenna(got, next(a for a in every.antennas if (a.type, a.serial, a.valid_from_ns) ==
                                (got.type, got.serial, got.valid_from_ns)))  # fmt: skip
    assert some.receiver("TRM59800.00") is some.antennas[2] and some.receiver_models >= {"TRM59800.00"}
    with pytest.raises(AntennaNotFoundError, match="LEIAR25.R3 was not read from the ANTEX file"):
        some.receiver("LEIAR25.R3 LEIT")
    assert every.receiver("LEIAR25.R3 LEIT").type == "LEIAR25.R3      LEIT"
    # the model alone, a single blank, lower case; blank types name no receiver
    for names in (["TRM59800.00"], ["trm59800.00 NONE"], ["", "   ", "TRM59800.00"], "TRM59800.00"):
        assert [a.serial for a in read_antex(path, receivers=names).antennas] == [
            "C19",
            "C19",
            "",
            "12345",
            "",
        ]
    sats = read_antex(path, receivers=())
    assert [a.serial for a in sats.antennas] == ["C19", "C19"] and sats.receiver_models == frozenset()
    # a row that does not parse inside a block passed over is not read, so not reported
    bad = [
        line.replace("   120.0    0.00   -0.21   -0.81", "   120.0    0.00   -0.21   xxxxx") for line in OTHER
    ]
    bad_path = write(tmp_path, HEADER + bad + RCV, "bad.atx")
    with pytest.raises(FormatError, match="the row of azimuth 120"):
        read_antex(bad_path)
    assert [a.type for a in read_antex(bad_path, receivers=["TRM59800.00"]).antennas] == [
        "TRM59800.00     NONE"
    ]
    # the rows after the skipped block are parsed with their own line numbers
    bad_kept = [
        line.replace("   120.0    0.00   -0.21   -0.81", "   120.0    0.00   -0.21   xxxxx") for line in RCV
    ]
    with pytest.raises(FormatError) as err:
        read_antex(write(tmp_path, HEADER + OTHER + bad_kept, "k.atx"), receivers=["TRM59800.00"])
    assert err.value.line == len(HEADER) + len(OTHER) + RCV.index("   120.0    0.00   -0.21   -0.81") + 1


def test_a_receiver_block_passed_over_and_left_open_is_reported_as_any_open_block(tmp_path):
    """A block passed over without its END OF ANTENNA: the next START OF ANTENNA warns (strict refuses)
    as for a block read, and at the end of the file it is a truncation."""
    lines = HEADER + OTHER[:-1] + RCV
    with pytest.warns(KompasWarning, match="no END OF ANTENNA"):
        atx = read_antex(write(tmp_path, lines), receivers=["TRM59800.00"])
    assert [a.type for a in atx.antennas] == ["TRM59800.00     NONE"]
    with pytest.raises(FormatError, match="refused in strict mode"):
        read_antex(write(tmp_path, lines), receivers=["TRM59800.00"], strict=True)
    with pytest.warns(TruncatedFileWarning, match="file ends inside the antenna block"):
        atx = read_antex(write(tmp_path, HEADER + RCV + OTHER[:-1], "t2.atx"), receivers=["TRM59800.00"])
    assert [a.type for a in atx.antennas] == ["TRM59800.00     NONE"]


def test_satellite_lookup_by_time(tmp_path):
    atx = read_antex(full(tmp_path))
    new = atx.satellite("C19", gtime_from_calendar(2024, 1, 1))
    assert new.svn == "C201"
    old = atx.satellite(419, int(gtime_from_calendar(2018, 11, 18, 12)))
    assert old.svn == "C015"
    # last nanosecond of the old block, first of the new one
    assert atx.satellite("C19", gtime_from_calendar(2018, 11, 18, 23, 59, 59.9999999)).svn == "C015"
    assert atx.satellite("C19", gtime_from_calendar(2018, 11, 19)).svn == "C201"
    with pytest.raises(AntennaNotFoundError, match="C19"):
        atx.satellite("C19", gtime_from_calendar(2031, 1, 1))
    with pytest.raises(AntennaNotFoundError, match="G01"):
        atx.satellite("G01", gtime_from_calendar(2024, 1, 1))
    assert atx.satellites().tolist() == [419]
    assert atx.satellites().dtype == np.int16


def test_missing_end_of_antenna_at_eof_warns_and_keeps_complete(tmp_path):
    lines = HEADER + SAT_C19 + RCV[:-1]  # the receiver block never closes
    with pytest.warns(TruncatedFileWarning, match="END OF ANTENNA"):
        atx = read_antex(write(tmp_path, lines))
    assert [a.serial for a in atx.antennas] == ["C19"]
    # cut inside a frequency block, at a line end and in the middle of an azimuth row
    with pytest.warns(TruncatedFileWarning):
        atx = read_antex(write(tmp_path, HEADER + SAT_C19 + RCV[:10]))
    assert len(atx.antennas) == 1
    with pytest.warns(TruncatedFileWarning):
        atx = read_antex(write(tmp_path, HEADER + SAT_C19 + RCV[:10] + [RCV[10][:20]]))
    assert len(atx.antennas) == 1


def test_a_last_line_cut_without_its_end_is_not_read(tmp_path):
    # a whole last record without its newline (END OF ANTENNA) is read, without a warning
    path = tmp_path / "whole.atx"
    path.write_text("\n".join(HEADER + SAT_C19), encoding="latin-1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [a.serial for a in read_antex(path).antennas] == ["C19"]
    # no final newline and the last line is no complete record: it is left out, with its line number
    lines = HEADER + SAT_C19 + RCV[:10] + [RCV[10][:20]]
    path = tmp_path / "cut.atx"
    path.write_text("\n".join(lines), encoding="latin-1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        atx = read_antex(path)
    assert [a.serial for a in atx.antennas] == ["C19"]
    assert [w.category for w in caught] == [TruncatedFileWarning, TruncatedFileWarning]
    assert f"line {len(lines)}: the file ends inside this line" in str(caught[1].message)
    assert str(caught[0].message).endswith(
        "file ends inside the antenna block opened at line 23 (no END OF ANTENNA); "
        "returning the 1 complete antenna blocks"
    )


def test_unclosed_block_before_next_start_is_kept_with_warning(tmp_path):
    lines = HEADER + SAT_C19[:-1] + RCV
    with pytest.warns(KompasWarning, match="no END OF ANTENNA"):
        atx = read_antex(write(tmp_path, lines))
    assert [a.serial for a in atx.antennas] == ["C19", ""]
    assert list(atx.antennas[0].freqs) == ["C02", "C06"]
    start = len(HEADER) + 1
    with pytest.raises(FormatError, match=f"opened at line {start} .*refused in strict mode") as err:
        read_antex(write(tmp_path, lines), strict=True)
    assert err.value.line == len(HEADER) + len(SAT_C19)  # the second START OF ANTENNA


def test_frequency_count_mismatch_warns(tmp_path):
    lines = [x.replace("     2   ", "     3   ") if "# OF FREQ" in x else x for x in SAT_C19]
    with pytest.warns(KompasWarning, match="declares 3 frequencies, 2 found"):
        read_antex(write(tmp_path, HEADER + lines))
    with pytest.raises(FormatError, match="declares 3 frequencies, 2 found .refused in strict mode") as err:
        read_antex(write(tmp_path, HEADER + lines), strict=True)
    assert err.value.line == len(HEADER) + 1  # the block's START OF ANTENNA


def test_non_numeric_pco_is_format_error_with_line(tmp_path):
    lines = HEADER + SAT_C19
    k = lines.index(rec("     10.00     -5.50   1200.25", "NORTH / EAST / UP"))
    lines[k] = rec("     10.00     -5.5x   1200.25", "NORTH / EAST / UP")
    with pytest.raises(FormatError, match="NORTH / EAST / UP") as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 1


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10    2.20", "expected 3 values"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10    nan    -3.30", "expected a number, found 'nan'"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10    2_20   -3.30", "expected a number, found '2_20'"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10    inf    -3.30", "expected a number, found 'inf'"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10   1e999   -3.30", "out of range"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10  2.20.3   -3.30", "expected a number, found '2.20.3'"),
        (rec("   C06", "END OF FREQUENCY"), rec("   C02", "END OF FREQUENCY"), "closes the block"),
        (rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"), rec("     0.0  10.0   3.0", "ZEN1 / ZEN2 / DZEN"), "steps"),
        (rec("  2018    11    19     0     0    0.0000000", "VALID FROM"),
         rec("  2018    13    19     0     0    0.0000000", "VALID FROM"), "VALID FROM: month 13 outside 1-12"),
        (rec("   C02", "START OF FREQUENCY"), rec("   X02", "START OF FREQUENCY"), "frequency code"),
        (rec("     0.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"), rec("     x.0  10.0   5.0", "ZEN1 / ZEN2 / DZEN"), "ZEN1"),
        (rec("     2", "# OF FREQUENCIES"), rec("     y", "# OF FREQUENCIES"), "# OF FREQUENCIES"),
        # numbers, but no antenna's: a damaged value is refused, not applied
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10  1e+308   -3.30", r"the NOAZI row: 1e\+308 mm beyond \+-10000 mm"),
        ("   NOAZI    1.10    2.20   -3.30", "   NOAZI    1.10 -10000.5   -3.30", "the NOAZI row: -10000.5 mm beyond"),
        (rec("     10.00     -5.50   1200.25", "NORTH / EAST / UP"), rec("     10.00     -5.50  12000.25", "NORTH / EAST / UP"),
         r"NORTH / EAST / UP: 12000.2 mm beyond \+-10000 mm \(a damaged value, not an antenna\)$"),
    ],
)  # fmt: skip
def test_bad_records_are_format_errors(tmp_path, old, new, match):
    lines = HEADER + SAT_C19
    k = lines.index(old)
    lines[k] = new
    with pytest.raises(FormatError, match=match) as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_an_azimuth_row_with_a_value_no_antenna_has_is_an_error(tmp_path):
    lines = HEADER + RCV
    k = lines.index("   120.0    0.00   -0.21   -0.81")
    lines[k] = "   120.0    0.00 -1.0e99   -0.81"
    with pytest.raises(FormatError, match=r"the row of azimuth 120.0: -1e\+99 mm beyond \+-10000 mm") as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_a_noazi_row_needs_the_offset_before_it(tmp_path):
    lines = HEADER + SAT_C19
    k = lines.index(rec("     10.00     -5.50   1200.25", "NORTH / EAST / UP"))
    del lines[k]
    with pytest.raises(FormatError, match="NOAZI row before NORTH / EAST / UP") as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 1  # the NOAZI row, now where the offset was


def test_a_block_without_its_type_names_where_it_starts(tmp_path):
    lines = HEADER + SAT_C19_OLD + SAT_C19
    k = lines.index(rec("BEIDOU-3M           C19                 C201      2018-078A", "TYPE / SERIAL NO"))
    del lines[k]
    with pytest.raises(FormatError, match="antenna block without TYPE / SERIAL NO") as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k  # its START OF ANTENNA


def test_azimuth_rows_must_follow_dazi(tmp_path):
    lines = HEADER + RCV
    k = lines.index("   240.0    0.00   -0.22   -0.82")
    del lines[k]
    with pytest.raises(FormatError, match="azimuth 240.0") as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 1


def test_an_azimuth_row_too_many_expects_the_end_of_the_frequency(tmp_path):
    lines = HEADER + RCV
    k = lines.index("   360.0    0.00   -0.20   -0.80")
    lines.insert(k + 1, "   480.0    0.00   -0.20   -0.80")
    with pytest.raises(
        FormatError, match="expected the row of azimuth END OF FREQUENCY, found azimuth 480"
    ) as err:
        read_antex(write(tmp_path, lines))
    assert err.value.line == k + 2


def test_bad_version_is_named(tmp_path):
    with pytest.raises(FormatError, match="ANTEX version") as err:
        read_antex(write(tmp_path, [rec("     x.4            M", "ANTEX VERSION / SYST"), *HEADER[1:]]))
    assert err.value.line == 1


def test_blocks_with_and_without_a_validity_start_share_a_prn(tmp_path):
    # a block without VALID FROM counts as valid from the beginning of time, before the dated one
    undated = [line for line in SAT_C19_OLD if not line.endswith("VALID FROM".ljust(20))]
    atx = read_antex(write(tmp_path, HEADER + SAT_C19 + undated))
    old = atx.satellite("C19", int(gtime_from_calendar(2015, 1, 1)))
    new = atx.satellite("C19", int(gtime_from_calendar(2020, 1, 1)))
    assert old.valid_from_ns is None and new.valid_from_ns == int(gtime_from_calendar(2018, 11, 19))


def test_satellite_blocks_by_id_or_index(tmp_path):
    atx = read_antex(write(tmp_path, HEADER + SAT_C19 + SAT_C19_OLD))
    blocks = atx.satellite_blocks("C19")
    assert [b.serial for b in blocks] == ["C19", "C19"] and blocks[0].valid_from_ns < blocks[1].valid_from_ns
    assert atx.satellite_blocks(int(sat_index("C19"))) == blocks
    assert atx.satellite_blocks("G99") == ()


def test_not_antex(tmp_path):
    with pytest.raises(FormatError, match="ANTEX VERSION") as err:
        read_antex(write(tmp_path, ["hello"]))
    assert err.value.line == 1
    with pytest.raises(FormatError, match="END OF HEADER"):
        read_antex(write(tmp_path, HEADER[:2]))


_VALID = ("\n".join(HEADER + SAT_C19_OLD + SAT_C19 + RCV) + "\n").encode("latin-1")


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**damage_args(_VALID))
def test_corrupt_input_only_raises_kompas_errors(tmp_path, cut, pos, byte):
    p = tmp_path / "fuzz.atx"
    p.write_bytes(damaged(_VALID, cut, pos, byte))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read_antex(p)
        except KompasError:
            pass
