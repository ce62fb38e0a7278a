"""RINEX observation fields (F14.3 value, LLI, SSI) parsed in bulk: every backend against ``float(text)``.

The reference is Python's own ``float`` of the field text, accepted only where the Fortran ``F`` rule of
the text toolkit accepts it (``decimal_or_none``); anything else must be reported as bad.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kompas.io._fixed import parse_obs_fields
from kompas.io._text import decimal_or_none


def _expected(field: bytes):
    """(value or NaN, lli, ssi, bad) of one 16-byte field by the scalar rules."""
    text, flags = field[:14], field[14:]
    bad = False
    if text.strip() == b"":
        value = np.nan
    else:
        value = decimal_or_none(text)
        if value is None:
            value, bad = np.nan, True
    digits = []
    for c in flags:
        if 48 <= c <= 57:
            digits.append(c - 48)
        elif c == 32:
            digits.append(0)
        else:
            digits.append(0)
            bad = True
    return value, digits[0], digits[1], bad


def _check(fields: list[bytes], nobs: int) -> None:
    fields = fields + [b" " * 16] * (-len(fields) % nobs)
    rows = [b"".join(fields[i : i + nobs]) for i in range(0, len(fields), nobs)]
    arr = np.frombuffer(b"".join(rows), np.uint8).reshape(len(rows), 16 * nobs)
    values, lli, ssi, bad = parse_obs_fields(arr, nobs)
    for k, f in enumerate(fields):
        r, c = divmod(k, nobs)
        v, ll, ss, b = _expected(f)
        assert bool(bad[r, c]) == b, f
        if b:
            continue  # a bad field is an error of the reader; its value does not matter
        if np.isnan(v):
            assert np.isnan(values[r, c]), f
        else:
            assert values[r, c] == v, f  # bit-identical, not approximately
        assert (lli[r, c], ssi[r, c]) == (ll, ss), f


def test_canonical_fields_are_bit_identical_to_float(kernel_backend):
    rng = np.random.default_rng(20260501)
    mant = rng.integers(0, 10**13, 20000)
    mant[:20] = [0, 1, 9, 10, 999, 1000, 10**12, 10**13 - 1, 123456789, 5, 50, 500, 4999, 10**9, 7, 0, 1, 2,
                 3, 4]  # fmt: skip
    neg = rng.random(mant.size) < 0.3
    mant[neg] %= 10**12  # '-' plus 13 digits do not fit in 14 columns
    values = np.where(neg, -mant, mant) / 1000.0
    flags = rng.choice(list(b" 0123456789"), size=(mant.size, 2)).astype(np.uint8)
    fields = [f"{v:14.3f}".encode() + bytes(fl) for v, fl in zip(values, flags, strict=True)]
    fields += [b" " * 16, b" " * 14 + b"12", b"        -0.000  ", b"          .123 1", b"         -.001  "]
    _check(fields, 5)


@pytest.mark.parametrize(
    "text",
    [
        b"  12345678.9  ",  # fewer decimals: not canonical, valid
        b"12345678.91234",  # point elsewhere
        b"    1234.5678 ",
        b"+    1234.567 ",  # blanks after the sign
        b"     +1234.567",
        b"   12 345.678 ",
        b"   12-345.678 ",
        b"    --12.345  ",
        b"     12.34.5  ",
        b"     1e3.000  ",
        b"       nan    ",
        b"      12.345 x",
        b"\x00\x00\x00\x00\x00\x00\x0012.345",
        b"    12345.67\xe9 ",
        b"  -          .",
        b"             .",
        b"          -.  ",
        b"   1234567.-12",
        b"    123456.1 2",
        b"    123456.12 ",
        b"-123456789.123",
        b" 123456789.123",
        b"-23456789012.3",
        b"          .   ",  # a point in the F14.3 column and no digit after it
        b"         -.   ",
        b"           123",  # digits after a blank point column
        b"   -  1234.567",  # a blank between the sign and the digits
        b"     123:5.678",  # ':' follows '9' in ASCII: not a digit
    ],
)
def test_other_layouts_follow_the_fortran_rule(text, kernel_backend):
    for flags in (b" 7", b"17"):  # the value ends at column 14 whatever the LLI column holds
        _check([text[:14].ljust(14) + flags, b"    123456.789 1", b" " * 16], 3)


@pytest.mark.parametrize("flags", [b":1", b"1:", b"/1", b"1/"])
def test_flags_next_to_the_digits_in_ascii_are_bad(flags, kernel_backend):
    """'/' and ':' border '0' and '9' in ASCII: neither is an LLI or SSI digit."""
    _check([b"    123456.789" + flags, b"    123456.789 1"], 2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=16, max_size=16), min_size=1, max_size=12))
def test_arbitrary_bytes_never_disagree_with_the_scalar_rule(fields):
    for backend in ("numpy", "numba"):
        from kompas._kernels import numba_available, use

        if backend == "numba" and not numba_available():
            continue
        with use(backend):
            _check(fields, 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=" -.0123456789", min_size=14, max_size=14).map(lambda s: s.encode() + b" 1"),
        min_size=1,
        max_size=12,
    )
)
def test_fields_of_numeric_characters_never_disagree_with_the_scalar_rule(fields):
    for backend in ("numpy", "numba"):
        from kompas._kernels import numba_available, use

        if backend == "numba" and not numba_available():
            continue
        with use(backend):
            _check(fields, 1)


def test_the_kernel_parses_canonical_fields_without_the_strict_fallback():
    """Status 0 (parsed by the kernel itself) for every F14.3 field and blank; the strict scalar parse is for
    the rare other layouts only (it gives the same values, one Python call per field)."""
    pytest.importorskip("numba")
    from kompas._kernels.fixed import obs_fields

    values = [20832393.571, -12345678.901, 0.0, -0.123, 9999999999.999]
    fields = [f"{v:14.3f}".encode() + b"71" for v in values] + [b" " * 16]
    arr = np.frombuffer(b"".join(fields), np.uint8).reshape(1, 16 * len(fields))
    vals, lli, ssi, status = obs_fields(arr, len(fields), 3)
    assert status.tolist() == [[0] * len(fields)]
    np.testing.assert_array_equal(vals[0, :-1], values)
    assert np.isnan(vals[0, -1]) and lli.tolist() == [[7] * 5 + [0]] and ssi.tolist() == [[1] * 5 + [0]]
