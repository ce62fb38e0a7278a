"""RINEX clock reader on tiny hand-made files (real products: tests/reference/test_clk_products.py)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import FormatError, KompasError, gtime_from_calendar, read_clk, sat_index
from kompas.errors import DroppedRecordWarning, KompasWarning, TruncatedFileWarning

HEADER_300 = [
    "     3.00           C                   M                   RINEX VERSION / TYPE",
    "TESTPGM             TEST                20200702 084150 UTC PGM / RUN BY / DATE",
    "a comment                                                   COMMENT",
    "   GPS                                                      TIME SYSTEM ID",
    "    18                                                      LEAP SECONDS",
    "     2    AR    AS                                          # / TYPES OF DATA",
    "TST  Test Analysis Centre                                   ANALYSIS CENTER",
    "G GINS   V11.1      igs14_2108.atx                          SYS / PCVS APPLIED",
    "     1                                                      # OF CLK REF",
    "BRUX 13101M010                                              ANALYSIS CLK REF",
    "     2    IGb14                                             # OF SOLN STA / TRF",
    "BRST 10004M004            4231162390  -332746406  4745131076SOLN STA NAME / NUM",
    "ZIM2 14001M008            4331299584   567537709  4633133967SOLN STA NAME / NUM",
    "     3                                                      # OF SOLN SATS",
    "G01 R07 C19  00                                             PRN LIST",
    "                                                            END OF HEADER",
]


def _rec(kind, name, t, values, wide=False):
    """A record line and its continuation line (values beyond the second)."""
    y, mo, d, hh, mi, ss = t
    head = f"{kind} {name:<9s} {y:4d} {mo:02d} {d:02d} {hh:02d} {mi:02d} {ss:9.6f}" if wide else (
        f"{kind} {name:<4s} {y:4d}{mo:3d}{d:3d}{hh:3d}{mi:3d}{ss:10.6f}"
    )  # fmt: skip
    head += f"{len(values):3d}   " + " ".join(f"{v:19.12E}" for v in values[:2])
    out = [head]
    if len(values) > 2:
        out.append(" ".join(f"{v:19.12E}" for v in values[2:]))
    return out


def _write(tmp_path, lines, name="t.clk", newline=True):
    p = tmp_path / name
    p.write_text("\n".join(lines) + ("\n" if newline else ""), encoding="latin-1")
    return p


T0 = (2020, 6, 25, 0, 0, 0.0)
T1 = (2020, 6, 25, 0, 0, 30.0)


@pytest.fixture
def tiny(tmp_path):
    lines = list(HEADER_300)
    lines += _rec("AS", "R07", T1, [1.5e-4, 2e-11])
    lines += _rec("AS", "G01", T1, [-4.0e-4])
    lines += _rec("AR", "ZIM2", T0, [1e-9, 1e-11, 2e-12, 3e-13])
    lines += _rec("AS", "G01", T0, [-3.9e-4, 1e-11, 1e-12, 2e-13, 3e-14, 4e-15])
    lines += _rec("AS", "C19", T0, [7.25e-5, 3e-11])
    return _write(tmp_path, lines)


def test_header(tiny):
    c = read_clk(tiny)
    assert c.version == 3.0 and c.file_type == "C" and c.satellite_system == "M"
    assert c.time_system == "GPST" and c.leap_seconds == 18
    assert c.data_types == ("AR", "AS") and c.agency == "TST" and c.analysis_center == "Test Analysis Centre"
    assert c.clock_refs == ("BRUX",) and c.n_stations_header == 2 and c.trf == "IGb14"
    assert c.station_coords == {
        "BRST": (4231162.390, -332746.406, 4745131.076),
        "ZIM2": (4331299.584, 567537.709, 4633133.967),
    }
    assert c.station_domes["ZIM2"] == "14001M008"
    assert c.n_sats_header == 3 and c.prn_list == ("G01", "R07", "C19")
    assert c.comments == ("a comment",)
    assert c.pcvs_applied == {"G": ("GINS   V11.1", "igs14_2108.atx")}


def test_table_sorted_by_kind_name_time(tiny):
    c = read_clk(tiny)
    assert c.kind.dtype == np.dtype("<U2") and c.name.dtype == np.dtype("<U9")
    assert c.sat.dtype == np.int16 and c.time_ns.dtype == np.int64
    assert list(c.kind) == ["AR", "AS", "AS", "AS", "AS"]
    assert list(c.name) == ["ZIM2", "C19", "G01", "G01", "R07"]
    t0, t1 = gtime_from_calendar(2020, 6, 25, 0, 0, [0.0, 30.0])
    assert list(c.time_ns) == [t0, t0, t0, t1, t1]
    assert list(c.sat) == [-1, *sat_index(["C19", "G01", "G01", "R07"])]


def test_values_and_missing(tiny):
    c = read_clk(tiny)
    np.testing.assert_array_equal(c.bias_s, [1e-9, 7.25e-5, -3.9e-4, -4.0e-4, 1.5e-4])
    np.testing.assert_array_equal(c.bias_sigma_s, [1e-11, 3e-11, 1e-11, np.nan, 2e-11])
    np.testing.assert_array_equal(c.rate, [2e-12, np.nan, 1e-12, np.nan, np.nan])
    np.testing.assert_array_equal(c.rate_sigma, [3e-13, np.nan, 2e-13, np.nan, np.nan])
    np.testing.assert_array_equal(c.accel, [np.nan, np.nan, 3e-14, np.nan, np.nan])
    np.testing.assert_array_equal(c.accel_sigma, [np.nan, np.nan, 4e-15, np.nan, np.nan])


def test_satellite_clocks_grid(tiny):
    t, sats, bias = read_clk(tiny).satellite_clocks()
    assert list(t) == list(gtime_from_calendar(2020, 6, 25, 0, 0, [0.0, 30.0]))
    assert list(sats) == sorted(sat_index(["G01", "R07", "C19"]))  # G01 R07 C19 by index
    assert sats.dtype == np.int16
    np.testing.assert_array_equal(bias, [[-3.9e-4, np.nan, 7.25e-5], [-4.0e-4, 1.5e-4, np.nan]])
    tr, names, rb = read_clk(tiny).receiver_clocks()
    assert list(names) == ["ZIM2"] and rb.shape == (1, 1) and rb[0, 0] == 1e-9 and tr[0] == t[0]


def test_version_304_layout(tmp_path):
    header = [
        "3.04                 C                    M                      RINEX VERSION / TYPE",
        "   GPS                                                           TIME SYSTEM ID",
        "     1    IGb14                                                  # OF SOLN STA / TRF",
        "C GPSEST V5.3       IGS14                                        SYS / PCVS APPLIED",
        "AJAC00FRA 10077M005            4696989195   723994778  4239678731SOLN STA NAME / NUM",
        "     1                                                           # OF CLK REF",
        "WAB200CHE 14014M002                           0.000000000000E+00 ANALYSIS CLK REF",
        "                                                                 END OF HEADER",
    ]
    t = (2021, 4, 28, 19, 30, 0.0)
    lines = header + _rec("AR", "AJAC00FRA", t, [-0.384278253612e-03, 0.457385127057e-10], wide=True)
    lines += _rec("AS", "C19", t, [1.0e-4, 2e-11, 3e-12], wide=True)
    c = read_clk(_write(tmp_path, lines))
    assert c.version == 3.04
    assert c.station_coords == {"AJAC00FRA": (4696989.195, 723994.778, 4239678.731)}
    assert c.clock_refs == ("WAB200CHE",)
    assert c.pcvs_applied == {"C": ("GPSEST V5.3", "IGS14")}
    assert list(c.name) == ["AJAC00FRA", "C19"] and list(c.kind) == ["AR", "AS"]
    assert c.bias_s[0] == -0.384278253612e-03 and c.rate[1] == 3e-12
    assert c.time_ns[0] == gtime_from_calendar(2021, 4, 28, 19, 30, 0.0)


def test_utc_time_system(tmp_path):
    lines = [h.replace("   GPS  ", "   UTC  ") for h in HEADER_300]
    lines += _rec("AS", "G01", T0, [1e-4])
    c = read_clk(_write(tmp_path, lines))
    assert c.time_system == "UTC"
    assert c.time_ns[0] == gtime_from_calendar(2020, 6, 25, 0, 0, 18.0)


def test_fortran_d_exponent(tmp_path):
    lines = [*HEADER_300, "AS G01  2020  6 25  0  0  0.000000  2   -0.884707516318D-03  0.337986288247D-10"]
    c = read_clk(_write(tmp_path, lines))
    assert c.bias_s[0] == -0.884707516318e-03 and c.bias_sigma_s[0] == 0.337986288247e-10


# ----------------------------------------------------------------------------------------------
# Bad input


def _dropped(tmp_path, lines, match, line):
    """The record at file line ``line`` is dropped with a warning naming it; strict mode refuses it."""
    with pytest.warns(DroppedRecordWarning, match=f"line {line}: .*{match}"):
        c = read_clk(_write(tmp_path, lines))
    with pytest.raises(FormatError, match="strict") as exc:
        read_clk(_write(tmp_path, lines), strict=True)
    assert exc.value.line == line
    return c


def test_non_numeric_bias_drops_the_record(tmp_path):
    lines = list(HEADER_300)
    lines += _rec("AS", "G01", T0, [1e-4, 1e-11])
    lines.append("AS R07  2020  6 25  0  0  0.000000  2   -0.88470x516318E-03  0.337986288247E-10")
    lines += _rec("AS", "R07", T1, [2e-4, 2e-11])
    c = _dropped(tmp_path, lines, "values .* are not numbers", len(HEADER_300) + 2)
    assert c.name.tolist() == ["G01", "R07"] and c.bias_s.tolist() == [1e-4, 2e-4]


@pytest.mark.parametrize("bias", [1e308, -1.0, 3.0e5, -1e99])
def test_a_clock_bias_of_a_second_or_more_drops_the_record(tmp_path, bias):
    # a value that parses but is no clock (a second is 300,000 km of range): dropped, not used
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11]), *_rec("AS", "R07", T0, [bias, 1e-11])]
    lines += _rec("AS", "R07", T1, [-0.999999, 2e-11])  # just below a second: still a clock value
    said = re.escape(f"clock bias {bias:g} s: clocks are within milliseconds, not seconds")
    c = _dropped(tmp_path, lines, said, len(HEADER_300) + 2)
    assert c.name.tolist() == ["G01", "R07"] and c.bias_s.tolist() == [1e-4, -0.999999]


def test_non_numeric_epoch_drops_the_record(tmp_path):
    lines = [*HEADER_300, "AS R07  2020  6 2x  0  0  0.000000  1   -0.884705516318E-03"]
    lines += _rec("AS", "G01", T0, [1e-4])
    c = _dropped(tmp_path, lines, "epoch day . 2x. is not an integer", len(HEADER_300) + 1)
    assert c.name.tolist() == ["G01"]


def test_the_epoch_second_ends_where_the_count_begins(tmp_path):
    # F10.6 in columns 25-34, I3 in 35-37: a bad count is the count's fault, not the second's
    lines = [*HEADER_300, "AS R07  2020  6 25  0  0  0.000000x 1   -0.884705516318E-03"]
    lines += _rec("AS", "G01", T0, [1e-4])
    c = _dropped(tmp_path, lines, "number of values is not an integer$", len(HEADER_300) + 1)
    assert c.name.tolist() == ["G01"]


@pytest.mark.parametrize(("year", "what"), [(5026, "year 5026"), (0, "year 0"), (2226, "year 2226")])
def test_epoch_out_of_range_drops_the_record(tmp_path, year, what):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4]), *_rec("AS", "G02", (year, *T0[1:]), [2e-4])]
    c = _dropped(tmp_path, lines, f"invalid epoch: {what} outside 1980-2200", len(HEADER_300) + 2)
    assert c.name.tolist() == ["G01"] and c.time_ns[0] == gtime_from_calendar(*T0)


def test_truncated_continuation_line_warns(tmp_path):
    lines = list(HEADER_300)
    lines += _rec("AS", "G01", T0, [1e-4, 1e-11, 1e-12, 1e-13])
    lines[-1] = lines[-1][:19]  # continuation keeps 1 of its 2 values
    lines += _rec("AS", "G01", T1, [2e-4, 2e-11])
    with pytest.warns(TruncatedFileWarning, match="fewer values"):
        c = read_clk(_write(tmp_path, lines))
    assert c.rate[0] == 1e-12 and np.isnan(c.rate_sigma[0]) and c.bias_s[1] == 2e-4


def test_missing_continuation_at_end_warns(tmp_path):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11, 1e-12])[:1]]
    with pytest.warns(TruncatedFileWarning):
        c = read_clk(_write(tmp_path, lines))
    assert c.bias_s[0] == 1e-4 and np.isnan(c.rate[0])


def test_file_cut_inside_last_number(tmp_path):
    """No final newline and the last number cut: that line is not read."""
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11]), *_rec("AS", "G01", T1, [2e-4, 2e-11])]
    lines[-1] = lines[-1][:50]
    with pytest.warns(TruncatedFileWarning, match="cut"):
        c = read_clk(_write(tmp_path, lines, newline=False))
    assert len(c) == 1 and c.bias_s[0] == 1e-4


def test_no_final_newline_but_complete(tmp_path):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = read_clk(_write(tmp_path, lines, newline=False))
    assert c.bias_sigma_s[0] == 1e-11


def test_continuation_where_none_is_due(tmp_path):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11]), "  0.100000000000E-11"]
    c = _dropped(tmp_path, [*lines, *_rec("AS", "G01", T1, [2e-4])], "continuation line", len(HEADER_300) + 1)
    assert c.bias_s.tolist() == [2e-4]


def test_too_many_values(tmp_path):
    lines = [*HEADER_300, "AS G01  2020  6 25  0  0  0.000000  1   -0.884707516318E-03  0.337986288247E-10"]
    assert len(_dropped(tmp_path, lines, "announces 1", len(HEADER_300) + 1)) == 0
    lines = [*HEADER_300, "AS G01  2020  6 25  0  0  0.000000  7   -0.884707516318E-03  0.337986288247E-10"]
    assert len(_dropped(tmp_path, lines, "outside 1-6", len(HEADER_300) + 1)) == 0


def test_unknown_record_and_bad_satellite(tmp_path):
    good = _rec("AS", "G01", T0, [1e-4])
    lines = [*HEADER_300, "XX G01  2020  6 25  0  0  0.000000  1   -0.8E-03", *good]
    assert len(_dropped(tmp_path, lines, "unknown record", len(HEADER_300) + 1)) == 1
    lines = [*HEADER_300, *_rec("AS", "Q01", T0, [1e-4]), *good]
    assert len(_dropped(tmp_path, lines, "AS record", len(HEADER_300) + 1)) == 1


@pytest.mark.parametrize("keep", [2, 5, 8, 20, 40])
def test_cut_inside_a_record_id_keeps_the_records_before(tmp_path, keep):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11]), *_rec("AS", "G02", T0, [2e-4, 2e-11])]
    lines[-1] = lines[-1][:keep]
    with pytest.warns(TruncatedFileWarning, match="is cut"):
        c = read_clk(_write(tmp_path, lines, newline=False))
    assert c.name.tolist() == ["G01"] and c.bias_sigma_s.tolist() == [1e-11]


def test_not_a_clock_file(tmp_path):
    obs = "     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE"
    with pytest.raises(FormatError, match="not 'C'") as exc:
        read_clk(_write(tmp_path, [obs, *HEADER_300[1:]]))
    assert exc.value.line == 1
    with pytest.raises(FormatError, match="END OF HEADER"):
        read_clk(_write(tmp_path, HEADER_300[:-1]))


def test_header_only_is_empty_with_warning(tmp_path):
    with pytest.warns(KompasWarning, match="no data records"):
        c = read_clk(_write(tmp_path, HEADER_300))
    assert len(c) == 0 and c.time_ns.dtype == np.int64 and c.name.dtype == np.dtype("<U9")
    t, sats, bias = c.satellite_clocks()
    assert t.size == 0 and sats.size == 0 and bias.shape == (0, 0)
    assert c.station_coords["BRST"] == (4231162.390, -332746.406, 4745131.076)


def test_blank_lines_between_records_are_skipped(tmp_path):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4]), "", "   ", *_rec("AS", "G01", T1, [2e-4])]
    c = read_clk(_write(tmp_path, lines))
    assert list(c.bias_s) == [1e-4, 2e-4]


def test_crlf_line_ends(tmp_path):
    lines = [*HEADER_300, *_rec("AS", "G01", T0, [1e-4, 1e-11, 1e-12])]
    p = tmp_path / "crlf.clk"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    c = read_clk(p)
    assert c.bias_s[0] == 1e-4 and c.rate[0] == 1e-12 and c.station_coords["ZIM2"][2] == 4633133.967


# ----------------------------------------------------------------------------------------------
# Robustness: any damage to a file is a KompasError or a warning, never another exception

TINY = (
    "\n".join(
        [
            *HEADER_300,
            *_rec("AS", "G01", T0, [1e-4, 1e-11, 1e-12, 1e-13]),
            *_rec("AR", "ZIM2", T0, [1e-9, 1e-11]),
            *_rec("AS", "R07", T1, [-4.0e-4, 1e-11, 1e-12, 1e-13, 3e-14, 4e-15]),
        ]
    )
    + "\n"
).encode()


@settings(
    max_examples=200,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(list(b" 0.9-+EDAS\n\xff"))), min_size=1, max_size=6),
       cut=st.none() | st.integers(0, 10**6))  # fmt: skip
def test_damaged_clk_raises_only_kompas_errors(tmp_path, edits, cut):
    data = bytearray(TINY)
    for pos, byte in edits:
        data[pos % len(data)] = byte
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    p = tmp_path / "damaged.clk"
    p.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        try:
            c = read_clk(p)
        except KompasError:
            return
    assert all(a.shape == (len(c),) for a in (c.kind, c.name, c.sat, c.time_ns, c.bias_s, c.accel_sigma))


def test_runaway_line(tmp_path):
    line = _rec("AS", "G01", T0, [1e-4, 1e-11])[0]
    ok = read_clk(_write(tmp_path, [*HEADER_300, line + " " * 500]))
    assert ok.bias_sigma_s[0] == 1e-11
    lines = [*HEADER_300, line + " " * 500 + "1.0E-03", *_rec("AS", "G02", T0, [1e-4])]
    assert len(_dropped(tmp_path, lines, "longer than", len(HEADER_300) + 1)) == 1


def test_cut_at_every_byte_of_the_last_record(tmp_path):
    """A file that stops anywhere in its last record keeps every record before it, unchanged (issue 10)."""
    lines = [
        *HEADER_300,
        *_rec("AS", "G01", T0, [1e-4, 1e-11, 1e-12, 1e-13]),
        *_rec("AS", "G02", T0, [2e-4, 2e-11, 2e-12]),
    ]
    text = "\n".join(lines) + "\n"
    start = text.rindex("AS G02")
    for cut in range(start + 1, len(text) - 1):
        p = tmp_path / "cut.clk"
        p.write_bytes(text[:cut].encode())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c = read_clk(p)
        assert any(issubclass(w.category, TruncatedFileWarning) for w in caught), cut
        assert c.name[0] == "G01" and c.bias_s[0] == 1e-4 and c.rate_sigma[0] == 1e-13
        if len(c) == 2:  # the record line is whole: its values are exact or NaN, never a cut number
            for got, want in zip(
                (c.bias_s[1], c.bias_sigma_s[1], c.rate[1]), (2e-4, 2e-11, 2e-12), strict=True
            ):
                assert np.isnan(got) or got == want, (cut, got)


@pytest.mark.parametrize(
    ("k", "line", "match"),
    [
        (12, "ZIM2 14001M008            4331299584".ljust(60) + "SOLN STA NAME / NUM",
         "SOLN STA NAME / NUM needs a name and x, y, z in millimetres"),
        (10, "     x    IGb14".ljust(60) + "# OF SOLN STA / TRF", "number of stations"),
        (4, "    1.5".ljust(60) + "LEAP SECONDS", "leap seconds"),
    ],
)  # fmt: skip
def test_bad_header_records_name_the_line(tmp_path, k, line, match):
    lines = list(HEADER_300)
    lines[k] = line
    with pytest.raises(FormatError, match=match) as err:
        read_clk(_write(tmp_path, lines))
    assert err.value.line == k + 1 and err.value.path == str(tmp_path / "t.clk")


def test_repr_counts_records_by_kind(tiny):
    assert repr(read_clk(tiny)) == (
        "ClockData(version=3.0, agency='TST', 5 records (AR 1, AS 4), time_system='GPST')"
    )
