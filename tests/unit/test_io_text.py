"""The one strict text-field toolkit of the readers (io/_text.py): scalar and whole-column fields."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import FormatError
from kompas.io._text import (
    Diagnostics,
    Lines,
    calendar_bad,
    calendar_problem,
    decimal_or_none,
    float_field,
    int_field,
    parse_float,
    parse_int,
)


def _grid(text: bytes, width: int):
    lines = Lines.from_bytes(text)
    return lines, lines.grid(width)


def test_the_required_marker_reads_as_such():
    from kompas.io._text import REQUIRED

    assert repr(REQUIRED) == "REQUIRED"  # as help() shows it in the readers' signatures


def test_lines_strip_crlf_and_pad_short_lines():
    lines, g = _grid(b"ab\r\n\r\nxyz", 4)
    assert len(lines) == 3 and list(lines.lengths) == [2, 0, 3]
    assert bytes(g.ravel()) == b"ab      xyz "
    assert lines.text(2) == "xyz"


def test_int_field_fast_and_general_paths():
    _, g = _grid(b"  7 12\n 10  3\n -4 +5\n", 6)
    np.testing.assert_array_equal(int_field(g, 0, 3, path=None, what="a"), [7, 10, -4])  # '-' -> general path
    np.testing.assert_array_equal(int_field(g, 3, 6, path=None, what="b"), [12, 3, 5])
    _, g = _grid(b"12 \n 3 \n", 3)  # left-aligned digits are read too
    np.testing.assert_array_equal(int_field(g, 0, 3, path=None, what="c"), [12, 3])


def test_int_field_blank_and_errors_name_the_line():
    _, g = _grid(b"  1\n   \n  x\n", 3)
    np.testing.assert_array_equal(int_field(g[:2], 0, 3, path=None, what="n", blank=-1), [1, -1])
    with pytest.raises(FormatError, match="line 2: n") as exc:
        int_field(g[:2], 0, 3, path=None, what="n")
    assert exc.value.line == 2
    with pytest.raises(FormatError, match="'  x'") as exc:
        int_field(g, 0, 3, path="f", rows=np.array([10, 11, 12]), what="n", blank=0)
    assert exc.value.line == 13 and exc.value.path == "f"


def test_int_field_rejects_a_decimal_point_and_an_exponent():
    # numbers, but not integers: cast as floats they would be truncated into silently wrong values
    for text in (b"1.5", b"1E3"):
        _, g = _grid(b" 12\n" + text + b"\n", 3)
        with pytest.raises(FormatError, match=f"line 2: n: cannot read {text.decode()!r}"):
            int_field(g, 0, 3, path=None, what="n")
        values, wrong = int_field(g, 0, 3, path=None, what="n", bad="mask")
        assert list(wrong) == [False, True] and values[0] == 12


def test_float_field_exponents_blank_and_rejected_text():
    _, g = _grid(b" 1.5D-03\n-2.0E+01\n        \n", 8)
    v = float_field(g, 0, 8, path=None, what="v", blank_ok=True)
    np.testing.assert_array_equal(v, [1.5e-3, -20.0, np.nan])
    for bad in (b"     nan", b"     inf", b"   1_000", b" 1.0.0  "):
        _, g = _grid(bad, 8)
        with pytest.raises(FormatError, match="cannot read"):
            float_field(g, 0, 8, path=None, what="v")
    _, g = _grid(b"     1.0\n     x.0\n", 8)  # the rows' line numbers in the file name the bad one
    with pytest.raises(FormatError, match="line 21: v: cannot read") as exc:
        float_field(g, 0, 8, path="f", rows=np.array([5, 20]), what="v")
    assert exc.value.line == 21


# the rules every reader shares (issue 11): the parsers of rinex_obs used to accept "nan" and "1_000"
REJECTED = ["nan", "NaN", "inf", "-inf", "1_000", "0x10", "1e999", "1.0.0", "1 2", "--1", "e5", ".", "١٢"]


@pytest.mark.parametrize("text", REJECTED)
def test_scalar_float_rejects(text):
    with pytest.raises(ValueError, match="what"):
        parse_float(f"  {text} ", "what")


@pytest.mark.parametrize(
    ("text", "value"),
    [(" 1.5D-03", 1.5e-3), ("-2.0E+01", -20.0), ("+.5", 0.5), ("7.", 7.0), ("12", 12.0), ("0.1d2", 10.0)],
)
def test_scalar_float_accepts_fortran_numbers(text, value):
    assert parse_float(text, "x") == value


def test_blanks_decimals_and_nan_only_where_asked():
    assert np.isnan(parse_float("   ", "x", np.nan)) and parse_float("", "x", 0.0) == 0.0
    with pytest.raises(ValueError, match="blank"):
        parse_float("   ", "x")
    assert np.isnan(parse_float("nan", "sd", nan=True))  # RTKLIB .pos writes nan for unknown sd
    with pytest.raises(ValueError):
        parse_float("1.5E3", "lat", exponent=False)  # NMEA and F fields have no exponent
    assert parse_float("-12.25", "lat", exponent=False) == -12.25
    assert decimal_or_none(b"   -12.345  ") == -12.345 and decimal_or_none(b"  +1.5") == 1.5
    for raw in (b"  nan", b"1_000", b"1.5E3", b" 1 2 ", b"  -  "):
        assert decimal_or_none(raw) is None


@pytest.mark.parametrize("text", ["1_000", "1.0", "+", "x1", "١"])
def test_scalar_int_rejects(text):
    with pytest.raises(ValueError, match="n:"):
        parse_int(text, "n")
    assert parse_int(" -12 ", "n") == -12 and parse_int("", "n", -1) == -1


def test_diagnostics_name_file_and_line_and_count_repairs(tmp_path):
    ctx = Diagnostics(tmp_path / "f.rnx")
    ctx.base = 100
    with pytest.raises(
        FormatError, match=r"f.rnx, line 105: INTERVAL: expected a number, found 'nan'"
    ) as exc:
        ctx.float("nan", 5, "INTERVAL")
    assert exc.value.line == 105
    ctx.repair(3, "kind A", "fixed")
    ctx.repair(4, "kind A", "fixed")
    ctx.drop(7, "record X: bad")
    with pytest.warns(UserWarning) as caught:
        ctx.emit()
    messages = [str(w.message) for w in caught]
    assert any("line 103: kind A: fixed (2 lines repaired)" in m for m in messages)
    assert any("1 malformed record(s) dropped" in m and "line 107: record X: bad" in m for m in messages)
    strict = Diagnostics("f", strict=True)
    with pytest.raises(FormatError, match="line 3: fixed .*strict"):
        strict.repair(3, "kind A", "fixed")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ((2020, 2, 29, 0, 0, 0.0), None),
        ((2100, 2, 29, 0, 0, 0.0), "day 29"),
        ((1979, 12, 31, 0, 0, 0.0), "year 1979 outside 1980-2200"),
        ((2201, 1, 1, 0, 0, 0.0), "year 2201"),
        ((2020, 0, 1, 0, 0, 0.0), "month 0"),
        ((2020, 1, 1, 24, 0, 0.0), "hour 24"),
        ((2020, 1, 1, 0, -1, 0.0), "minute -1"),
        ((2020, 1, 1, 0, 0, 61.0), "second 61.0"),
        ((2020, 1, 1, 0, 0, float("nan")), "second nan"),
    ],
)
def test_calendar_checks_scalar_and_vectorised_agree(fields, problem):
    got = calendar_problem(*fields)
    assert (got is None) if problem is None else got.startswith(problem)
    assert (calendar_bad(*fields) == 0) == (problem is None)
