"""Whole-column field parsing used by the SP3 and RINEX clock readers."""

from __future__ import annotations

import numpy as np
import pytest

from kompas.errors import FormatError
from kompas.io._columns import Lines, float_field, int_field


def _grid(text: bytes, width: int):
    lines = Lines.from_bytes(text)
    return lines, lines.grid(width)


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
    assert exc.value.line == 13


def test_float_field_exponents_blank_and_rejected_text():
    _, g = _grid(b" 1.5D-03\n-2.0E+01\n        \n", 8)
    v = float_field(g, 0, 8, path=None, what="v", blank_ok=True)
    np.testing.assert_array_equal(v, [1.5e-3, -20.0, np.nan])
    for bad in (b"     nan", b"     inf", b"   1_000", b" 1.0.0  "):
        _, g = _grid(bad, 8)
        with pytest.raises(FormatError, match="cannot read"):
            float_field(g, 0, 8, path=None, what="v")
