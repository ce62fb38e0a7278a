"""Real IGS/MGEX SP3 and RINEX clock files read, written (SP3-d, clock 3.04) and read again: value for value."""

import dataclasses
import warnings

import numpy as np
import pytest

from kompas import read_clk, read_sp3
from kompas.io.writers.clk import write_clk
from kompas.io.writers.sp3 import write_sp3


def _same(a, b, skip=("path", "version")):
    bad = []
    for f in dataclasses.fields(a):
        if f.name in skip:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or x is None:
            same = (x is None and y is None) or np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        else:
            same = x == y
        if not same:
            bad.append(f.name)
    return bad


@pytest.mark.parametrize(
    "name",
    [
        "A_2020-177_ESBC_WTZR/COD0MGXFIN_20201770000_01D_05M_ORB.SP3",  # SP3-d, 90 satellites, 5 '+' lines
        "A_2020-177_ESBC_WTZR/GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3",  # SP3-d, 123 satellites
        "A_2020-177_ESBC_WTZR/GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",  # SP3-c
        "E_2026-133_ZIM2/IGS0OPSFIN_20261330000_01D_15M_ORB.SP3",  # SP3-c with std exponents
    ],
)
def test_sp3_round_trip(kompas_data, tmp_path, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the files' own missing-record warnings
        a = read_sp3(kompas_data / name)
        write_sp3(a, tmp_path / "out.sp3")
        b = read_sp3(tmp_path / "out.sp3")
    assert b.version == "d"
    assert _same(a, b) == []
    assert np.isfinite(a.pos_m).sum() > 1000  # the comparison covered real values


def test_sp3_records_are_the_original_lines(kompas_data, tmp_path):
    """CODE's SP3-d file comes back line for line (trailing blanks aside)."""
    src = kompas_data / "A_2020-177_ESBC_WTZR/COD0MGXFIN_20201770000_01D_05M_ORB.SP3"
    write_sp3(read_sp3(src), tmp_path / "out.sp3")
    a = [ln.rstrip() for ln in src.read_text().splitlines()]
    b = tmp_path.joinpath("out.sp3").read_text().splitlines()
    assert a == b


@pytest.mark.parametrize(
    "name",
    [
        "G_2021-118_SLAC_rinex2/COD0MGXFIN_20211180000_01D_30S_CLK.CLK",  # 3.04, 12 digits, BDS
        "A_2020-177_ESBC_WTZR/GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz",  # 3.00, 4-character names, full day
        "E_2026-133_ZIM2/IGS0OPSFIN_20261330000_90M_30S_CLK.CLK",  # 3.00, 13 digits
    ],
)
def test_clock_round_trip(kompas_data, tmp_path, name):
    a = read_clk(kompas_data / name)
    write_clk(a, tmp_path / "out.clk")
    b = read_clk(tmp_path / "out.clk")
    assert b.version == 3.04
    assert _same(a, b) == []
    assert np.isfinite(a.bias_s).sum() > 5000
