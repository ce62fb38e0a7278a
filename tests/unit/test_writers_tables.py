"""CSV and Parquet solution tables, and the write_solution dispatcher, on hand-made solutions."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

from kompas import KompasError, ProcessingRecord, Solution, gtime_from_calendar, write_solution
from kompas.errors import ConfigError
from kompas.frames import geodetic_to_ecef
from kompas.io.writers import FORMATS, format_of
from kompas.io.writers.tables import write_csv, write_parquet

HEADER = [
    "time", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "height_m", "nsat", "nsat_C", "nsat_R",
    "gdop", "pdop", "hdop", "vdop", "clock_C_m", "clock_R_m", "isb_R_m", "status",
]  # fmt: skip


def _solution(seconds=(0.0, 30.0, 60.0)):
    n = len(seconds)
    t = gtime_from_calendar(2020, 6, 25) + np.rint(np.asarray(seconds) * 1e9).astype(np.int64)
    pos = np.tile(geodetic_to_ecef(np.array([np.radians(49.1442), np.radians(12.8789), 666.0])), (n, 1))
    pos[1] = np.nan
    q = np.array([5, 0, 5][:n], np.uint8)
    nan_mid = np.array([1.0, np.nan, 1.0][:n])
    return Solution(
        time_ns=t,
        pos_m=pos,
        quality=q,
        nsat=np.array([12, 0, 13][:n], np.int16),
        nsat_by_system={"C": np.array([7, 0, 8][:n], np.int16), "R": np.array([5, 0, 5][:n], np.int16)},
        gdop=2.5 * nan_mid,
        pdop=2.0 * nan_mid,
        hdop=1.25 * nan_mid,
        vdop=1.5 * nan_mid,
        clock_m={"C": 123.456 * nan_mid, "R": -7.0e-3 * nan_mid},
        record=ProcessingRecord(program="test"),
    )


def test_csv_columns_and_values(tmp_path):
    sol = _solution()
    p = tmp_path / "s.csv"
    write_csv(sol, p)
    with p.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADER
    assert len(rows) == 4
    r0 = dict(zip(HEADER, rows[1], strict=True))
    assert r0["time"] == "2020-06-25T00:00:00"  # GPST, whole seconds
    assert r0["nsat"] == "12" and r0["nsat_C"] == "7" and r0["status"] == "5"
    assert float(r0["lat_deg"]) == pytest.approx(49.1442, abs=1e-12)
    assert float(r0["height_m"]) == pytest.approx(666.0, abs=1e-8)
    assert (r0["gdop"], r0["pdop"], r0["hdop"], r0["vdop"]) == ("2.5", "2.0", "1.25", "1.5")
    assert (r0["clock_C_m"], r0["clock_R_m"]) == ("123.456", "-0.007")
    # positions round-trip bit for bit through their shortest repr
    assert [float(r0[k]) for k in ("x_m", "y_m", "z_m")] == sol.pos_m[0].tolist()
    r1 = dict(zip(HEADER, rows[2], strict=True))
    assert (
        r1["x_m"] == "" and r1["gdop"] == "" and r1["status"] == "0" and r1["time"] == "2020-06-25T00:00:30"
    )


def test_position_sigmas_are_columns_as_in_the_pos_file(tmp_path):
    import dataclasses

    from kompas.frames import enu_rotation
    from kompas.io.readers.pos import read_pos_table
    from kompas.io.writers.pos import write_pos

    sol = _solution()
    llh = sol.llh()[0]
    r = enu_rotation(llh[0], llh[1])
    enu = np.array([[1e-4, 2e-5, 0.0], [2e-5, 4e-4, -3e-5], [0.0, -3e-5, 9e-4]])  # e, n, u: 1, 2, 3 cm
    cov = np.tile(r.T @ enu @ r, (3, 1, 1))
    cov[1] = np.nan
    cov[2] = 0.0  # a position held fixed: no spread, a zero sigma (not unknown)
    sol = dataclasses.replace(sol, cov_m2=cov)
    write_csv(sol, tmp_path / "s.csv")
    with (tmp_path / "s.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {k: float(rows[0][k]) for k in ("sde_m", "sdn_m", "sdu_m", "sdne_m", "sdeu_m", "sdun_m")}
    assert got == pytest.approx(
        {
            "sde_m": 0.01,
            "sdn_m": 0.02,
            "sdu_m": 0.03,
            "sdne_m": 2e-5**0.5,
            "sdeu_m": 0.0,
            "sdun_m": -(3e-5**0.5),
        },
        abs=1e-9,
    )  # fmt: skip (a zero rotated: 1e-20 m^2)
    ecef = [float(rows[0][k]) for k in ("sdx_m", "sdy_m", "sdz_m")]
    assert ecef == pytest.approx(np.sqrt(np.diag(cov[0])).tolist(), rel=1e-12)
    assert rows[1]["sde_m"] == "" and rows[1]["sdx_m"] == ""  # no solution, no sigma
    assert rows[2]["sdx_m"] == rows[2]["sdu_m"] == "0.0"
    write_pos(sol, tmp_path / "s.pos")  # the same numbers as the .pos file's sdn ... sdun
    pos = read_pos_table(tmp_path / "s.pos")
    table = [got[k] for k in ("sdn_m", "sde_m", "sdu_m", "sdne_m", "sdeu_m", "sdun_m")]
    np.testing.assert_allclose(pos["sd_m"][0], table, atol=5e-5)


def test_rtk_columns_follow_the_status():
    import dataclasses

    sol = dataclasses.replace(_solution(), ratio=np.array([3.5, np.nan, 10.0]), age_s=np.array([1.0, np.nan, 0.0]),
                              fixed_by_system={"C": np.array([5, 0, 6], np.int16)})  # fmt: skip
    cols = sol.columns()
    assert list(cols)[list(cols).index("status") :] == ["status", "ratio", "age_s", "nfix_C"]
    assert cols["ratio"][2] == 10.0 and cols["age_s"][0] == 1.0 and cols["nfix_C"].tolist() == [5, 0, 6]


def test_csv_subsecond_times():
    import io

    buf = io.StringIO()
    write_csv(_solution((0.0, 0.5, 1.25)), buf)
    times = [ln.split(",")[0] for ln in buf.getvalue().splitlines()[1:]]
    assert times == ["2020-06-25T00:00:00.000", "2020-06-25T00:00:00.500", "2020-06-25T00:00:01.250"]
    for seconds, last in (((0.0, 1e-6, 2.5e-5), "2020-06-25T00:00:00.000025"),
                          ((0.0, 1e-9, 3e-9), "2020-06-25T00:00:00.000000003")):  # fmt: skip
        buf = io.StringIO()
        write_csv(_solution(seconds), buf)  # the fewest decimals that hold every epoch
        assert buf.getvalue().splitlines()[-1].split(",")[0] == last


def test_csv_matches_to_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    sol = _solution()
    p = tmp_path / "s.csv"
    write_csv(sol, p)
    df = pd.read_csv(p, parse_dates=["time"])
    ref = sol.to_pandas()
    assert list(df.columns) == list(ref.columns)
    assert (df["time"].to_numpy() == ref["time"].to_numpy()).all()
    for c in HEADER[1:]:
        np.testing.assert_array_equal(df[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float))


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    sol = _solution()
    p = tmp_path / "s.parquet"
    write_parquet(sol, p)
    table = pq.read_table(p)
    assert table.column_names == HEADER
    assert table.schema.metadata[b"kompas.time_scale"] == b"GPST"
    assert table.schema.metadata[b"kompas.program"] == str(sol.record.program).encode()
    assert str(table.schema.field("time").type) == "timestamp[ns]"
    assert str(table.schema.field("nsat").type) == "int16"
    ref = sol.to_pandas()
    df = table.to_pandas()
    assert (df["time"].to_numpy() == ref["time"].to_numpy()).all()
    np.testing.assert_array_equal(df["x_m"].to_numpy(), sol.pos_m[:, 0])
    np.testing.assert_array_equal(df["status"].to_numpy(), [5, 0, 5])


def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(KompasError, match="pip install pyarrow"):
        write_parquet(_solution(), tmp_path / "s.parquet")


def test_format_of():
    assert format_of("a/b.POS") == "pos"
    assert format_of("x.nmea") == "nmea"
    assert format_of("x.csv") == "csv"
    assert format_of("x.parquet") == "parquet"
    assert format_of("x.kml") == "kml"
    assert format_of("x.gpx") == "gpx"
    assert format_of("x.txt") is None


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown extension; use one of \.pos, \.nmea"):
        write_solution(_solution(), tmp_path / "out.xyz")
    assert not (tmp_path / "out.xyz").exists()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "parquet"])
def test_write_solution_dispatch(tmp_path, fmt):
    p = tmp_path / f"out.{fmt}"
    write_solution(_solution(), p)
    first = p.read_text().splitlines()[0]
    expected = {"pos": "% program   : test", "nmea": "$GNGGA,235942.00,", "csv": "time,x_m,",
                "kml": '<?xml version="1.0"', "gpx": '<?xml version="1.0"'}[fmt]  # fmt: skip
    assert first.startswith(expected)


def test_write_solution_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown solution format"):
        write_solution(_solution(), tmp_path / "a.pos", "sp3")
    with pytest.raises(ConfigError, match="pos writer"):
        write_solution(_solution(), tmp_path / "a.pos", "pos", talker="GP")
    with pytest.raises(ConfigError, match="fmt="):
        import io

        write_solution(_solution(), io.StringIO())


def test_residuals_csv_of_double_differences(tmp_path):
    import dataclasses

    from kompas import sat_index
    from kompas.io.writers.tables import write_residuals_csv

    sol = _solution()
    with pytest.raises(ValueError, match="no residuals"):
        write_residuals_csv(sol, tmp_path / "none.csv")
    t = sol.time_ns
    res = {
        "time_ns": np.array([t[0], t[0], t[2]]),
        "sat": sat_index(["C20", "C20", "R02"]),
        "ref": sat_index(["C19", "C19", "R01"]),
        "band": np.array([2, 6, 1]),
        "kind": np.array([0, 1, 0], np.uint8),
        "residual_m": np.array([0.0015, -0.25, 1e-17]),
        "elevation_rad": np.array([0.5, 0.5, 0.25]) * np.pi,
        "used": np.ones(3, bool),
    }
    write_residuals_csv(dataclasses.replace(sol, residuals=res), tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["time", "sv", "ref_sv", "band", "kind", "residual_m", "elevation_deg", "used"]
    assert rows[1] == ["2020-06-25T00:00:00", "C20", "C19", "2", "phase", "0.0015", "90.0", "1"]
    assert rows[2][4:6] == ["code", "-0.25"] and rows[3][:5] == [
        "2020-06-25T00:01:00",
        "R02",
        "R01",
        "1",
        "phase",
    ]
    assert float(rows[3][5]) == 1e-17 and len(rows) == 4


def test_table_writers_name_themselves_when_given_no_solution(tmp_path):
    from kompas.io.writers.tables import write_residuals_csv

    with pytest.raises(ConfigError, match="write_csv/write_parquet writes a Solution, not dict"):
        write_csv({}, tmp_path / "a.csv")
    with pytest.raises(ConfigError, match="write_residuals_csv writes a Solution, not list"):
        write_residuals_csv([], tmp_path / "r.csv")
