"""Every warning a reader gives on a damaged real file points at the user's line (this file), whether the
reader was called directly or reached through ``kompas.read``, which adds frames inside kompas: a location
counted by hand from the reader pointed into ``kompas/io/detect.py`` then."""

import gzip
import sys
import warnings

import pytest

import kompas
from kompas.errors import KompasWarning

pytestmark = [pytest.mark.timeout(120), pytest.mark.warning_location]

A = "A_2020-177_ESBC_WTZR"
D = "D_2026-120_PASA_SCOA_rtk"
E = "E_2026-133_ZIM2"


def _cut_inside(data: bytes, marker: bytes, after: int = 1, extra: int = 40) -> bytes:
    """``data`` cut ``extra`` bytes after the ``after``-th line that starts with ``marker``."""
    at = -1
    for _ in range(after):
        at = data.index(b"\n" + marker, at + 1)
    return data[: at + 1 + extra]


def _sp3_after_eof(data: bytes) -> bytes:
    return data + b"text after the end\n"


def _sp3_record_dropped(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    i = next(i for i, ln in enumerate(lines) if ln.startswith(b"PG"))
    return b"".join(lines[:i] + lines[i + 1 :])


def _obs_month_13(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    i = [i for i, ln in enumerate(lines) if ln.startswith(b"> ")][2]
    lines[i] = lines[i][:7] + b"13" + lines[i][9:]
    return b"".join(lines)


def _ionex_14_maps(data: bytes) -> bytes:
    head, sep, rest = data.partition(b"# OF MAPS IN FILE")
    assert head.endswith(b"    13" + b" " * 54)
    return head[:-60] + b"    14" + b" " * 54 + sep + rest


CASES = {
    # name: (reader, path in the data set, damage (None: the file as it is), text of one warning)
    "obs cut inside an epoch": (
        "read_obs",
        f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        lambda d: _cut_inside(d, b"> ", after=5, extra=200),
        "ends",
    ),
    "obs epoch of month 13": (
        "read_obs",
        f"{A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
        _obs_month_13,
        "dropped",
    ),
    "nav cut inside a record": (
        "read_nav",
        f"{D}/BRDC00WRD_R_20261200800_06H_MN.rnx",
        lambda d: _cut_inside(d, b"G", after=3, extra=150),
        "",
    ),
    "sp3 text after EOF": (
        "read_sp3",
        f"{D}/IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3",
        _sp3_after_eof,
        "after EOF",
    ),
    "sp3 position record missing": (
        "read_sp3",
        f"{D}/IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3",
        _sp3_record_dropped,
        "absent",
    ),
    "clk cut inside a record": (
        "read_clk",
        f"{D}/IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK",
        lambda d: _cut_inside(d, b"AS ", after=50, extra=30),
        "",
    ),
    "antex cut inside an antenna": (
        "read_antex",
        f"{D}/igs20_pasa_scoa_gps.atx",
        lambda d: _cut_inside(d, b"   G01", after=2, extra=10),
        "",
    ),
    "bias cut inside the block": (
        "read_bias",
        f"{E}/COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz",
        lambda d: _cut_inside(d, b" OSB ", after=20, extra=10),
        "",
    ),
    "antex END OF ANTENNA missing": (
        "read_antex",
        f"{D}/igs20_pasa_scoa_gps.atx",
        lambda d: d.replace(b"END OF ANTENNA", b"COMMENT       ", 1),
        "START OF ANTENNA inside the block",
    ),
    "ionex map count wrong": (
        "read_ionex",
        "ionex/jplg0010.17i.gz",
        _ionex_14_maps,
        "# OF MAPS IN FILE is 14",
    ),
    "clk without data records (as shared)": ("read_clk", "edge_cases/grg21553_nodata.clk", None, "no data"),
    "nav without END OF HEADER (as shared)": (
        "read_nav",
        "edge_cases/brdc1370_incomplete.20n",
        None,
        "HEADER",
    ),
    "obs blank first line (as shared)": ("read_obs", "edge_cases/blank1st.10o", None, "blank lines"),
    "sp3 without EOF (as shared)": ("read_sp3", "edge_cases/truncated.sp3", None, "no EOF"),
    "ionex cut inside a map": (
        "read_ionex",
        "ionex/jplg0010.17i.gz",
        lambda d: _cut_inside(d, b"    85.0-180.0 180.0", after=3, extra=100),
        "",
    ),
}


def _damaged_file(kompas_data, tmp_path, rel, damage, gz=False):
    src = kompas_data / rel
    if not src.exists():
        pytest.skip(f"{src} is not in the data set")
    data = src.read_bytes()
    if src.suffix == ".gz":
        data = gzip.decompress(data)
    out = tmp_path / (src.name.removesuffix(".gz") + (".gz" if gz else ""))
    bad = data if damage is None else damage(data)
    assert damage is None or bad != data
    out.write_bytes(gzip.compress(bad) if gz else bad)
    return out


def _kompas_warnings(read, path):
    """The kompas warnings of ``read(path)``, each checked to point at the line of that call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        read(path)  # the line every warning must point at
    got = [w for w in caught if issubclass(w.category, KompasWarning)]
    assert all((w.filename, w.lineno) == (__file__, line) for w in got), [
        (w.filename, w.lineno, str(w.message)[:60]) for w in got
    ]
    return got


@pytest.mark.parametrize("via", ["reader", "kompas.read"])
@pytest.mark.parametrize("case", list(CASES))
def test_reader_warnings_point_at_the_callers_line(kompas_data, tmp_path, case, via):
    reader, rel, damage, said = CASES[case]
    path = _damaged_file(kompas_data, tmp_path, rel, damage)
    got = _kompas_warnings(getattr(kompas, reader) if via == "reader" else kompas.read, path)
    assert got, f"{case}: no warning"
    assert any(said in str(w.message) for w in got), [str(w.message) for w in got]


@pytest.mark.parametrize("via", ["reader", "kompas.read"])
def test_cut_gzip_stream_warns_at_the_callers_line(kompas_data, tmp_path, via):
    path = _damaged_file(
        kompas_data, tmp_path, f"{D}/IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3", None, gz=True
    )
    full = path.read_bytes()
    path.write_bytes(full[: len(full) * 2 // 3])
    got = _kompas_warnings(kompas.read_sp3 if via == "reader" else kompas.read, path)
    assert any("ends early" in str(w.message) for w in got), [str(w.message) for w in got]
