"""Property-based robustness: real files with flipped bytes, deleted or duplicated lines and
truncation must either read (possibly with a warning) or raise a KompasError -- never any other
exception -- and the unmodified file must give exactly the unmodified result."""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompas import KompasError, read
from kompas.io import read_bytes

# small real files of every reader: (path under the data folder)
FILES = {
    "obs_rinex2": "rinex2_hatanaka/AJAC3550.21O",
    "obs_rinex3": "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.rnx",
    "obs_rinex4": "F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_30S_MO.crx",
    "nav_rinex2_glo": "rinex2_hatanaka/dlf10010.21g",
    "nav_rinex3": "edge_cases/spare_filled_nav3.rnx",
    "nav_rinex4": "F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_MN.rnx.gz",
    "sp3": "D_2026-120_PASA_SCOA_rtk/IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3",
    "clk": "E_2026-133_ZIM2/IGS0OPSFIN_20261330000_90M_30S_CLK.CLK",
    "antex": "E_2026-133_ZIM2/igs20_zim2_gps_trim.atx",
    "bias": "H_extra_multignss/COD0MGXFIN_20212650000_01D_01D_OSB.BIA",
    "ionex": "ionex/esa_2024176_first_map_2row.inx",
}

_ops = st.lists(
    st.tuples(
        st.sampled_from(["flip", "delete_line", "duplicate_line", "truncate", "insert_byte"]),
        st.floats(0.0, 1.0, allow_nan=False),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(data: bytes, ops) -> bytes:
    for op, where, value in ops:
        if not data:
            break
        pos = min(int(where * len(data)), len(data) - 1)
        if op == "flip":
            data = data[:pos] + bytes([value]) + data[pos + 1 :]
        elif op == "insert_byte":
            data = data[:pos] + bytes([value]) + data[pos:]
        elif op == "truncate":
            data = data[:pos]
        else:
            lines = data.split(b"\n")
            k = min(int(where * len(lines)), len(lines) - 1)
            if op == "delete_line":
                del lines[k]
            else:
                lines.insert(k, lines[k])
            data = b"\n".join(lines)
    return data


def _same(a, b) -> bool:
    """Deep equality of reader results: dataclasses, containers and arrays (NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if hasattr(a, "__dataclass_fields__") or hasattr(a, "__dict__"):
        va = {k: v for k, v in vars(a).items() if k != "path"}
        vb = {k: v for k, v in vars(b).items() if k != "path"}
        return va.keys() == vb.keys() and all(_same(va[k], vb[k]) for k in va)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


@pytest.fixture(scope="module")
def plain_files(kompas_data, tmp_path_factory):
    out = {}
    root = tmp_path_factory.mktemp("plain")
    for key, rel in FILES.items():
        p = root / key
        p.write_bytes(read_bytes(kompas_data / rel))  # decompressed once: mutations hit the text
        out[key] = (kompas_data / rel, p)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("key", list(FILES))
def test_unmodified_file_gives_unmodified_result(plain_files, key):
    original, plain = plain_files[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # igs14-style files may warn; the same warning both times
        a, b, c = read(original), read(plain), read(plain)
    assert _same(a, b) and _same(b, c)


@pytest.mark.slow
@pytest.mark.parametrize("key", list(FILES))
@settings(
    max_examples=int(os.environ.get("KOMPAS_MUTATIONS", "120")),
    deadline=20_000,  # ms per example: a hang fails fast (real files of up to a few MB)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=_ops)
def test_mutated_files_raise_only_kompas_errors(plain_files, tmp_path_factory, key, ops):
    _, plain = plain_files[key]
    data = _mutate(plain.read_bytes(), ops)
    p = tmp_path_factory.mktemp("mut") / plain.name
    p.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            read(p)
        except KompasError:
            pass
