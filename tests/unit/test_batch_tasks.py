"""kompas.batch.tasks and the unit order of kompas.batch.execute, on hand-made solutions and files: the
solution schema every dataset file shares, the summary row of a unit, QC rows as a table, and which of
several files of a role a recipe gets."""

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from kompas.batch import StationDay  # noqa: E402
from kompas.batch.execute import _input_bytes  # noqa: E402
from kompas.batch.tasks import (  # noqa: E402
    _catalog,
    _one,
    _ppp_inputs,
    _solution_result,
    position_summary,
    rows_table,
    solution_table,
)
from kompas.solution import Quality, Solution, Unsolved  # noqa: E402

WTZR = np.array([4075580.4, 931854.0, 4801568.2])  # ECEF, m (MANIFEST)


def _solution(quality, reason=None, **kw):
    e = len(quality)
    pos = WTZR + np.arange(e)[:, None] * np.array([1.0, 2.0, 3.0])
    return Solution(
        time_ns=np.arange(e, dtype=np.int64) * 30_000_000_000,
        pos_m=pos,
        quality=np.asarray(quality, dtype=np.uint8),
        nsat=np.arange(e, dtype=np.int16) + 5,
        reason=reason,
        **kw,
    )


SCHEMA = (
    ["time", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "height_m", "nsat"]
    + [f"nsat_{s}" for s in "GRECJI"]
    + ["gdop", "pdop", "hdop", "vdop"]
    + [f"clock_{s}_m" for s in "GRECJI"]
    + [f"isb_{s}_m" for s in "GRECJI"]
    + ["status", "reason"]
)


def test_solution_table_has_the_fixed_schema_then_the_recipes_own_columns():
    sol = _solution(
        [Quality.SINGLE, Quality.NONE, Quality.SINGLE],
        nsat_by_system={"G": np.array([3, 0, 4]), "E": np.array([2, 0, 2])},
        clock_m={"G": np.array([1.0, np.nan, 2.0]), "E": np.array([1.5, np.nan, 2.25])},
        gdop=np.array([1.5, np.nan, 2.5]),
        ratio=np.array([0.0, 0.0, 3.5]),
    )
    table = solution_table(sol)
    assert table.column_names == [*SCHEMA, "ratio"]
    assert table.schema.field("nsat").type == pa.int16() and table.schema.field("nsat_G").type == pa.int16()
    assert table.schema.field("reason").type == pa.uint8() and table.schema.field("gdop").type == pa.float64()
    assert table.schema.field("time").type == pa.timestamp("ns")
    # values of the solution's own columns bit for bit; systems not processed are null
    cols = sol.columns()
    for name in ("x_m", "lat_deg", "gdop", "clock_E_m", "isb_E_m", "nsat_G"):
        assert np.array_equal(table.column(name).to_numpy(zero_copy_only=False), cols[name], equal_nan=True)
    assert table.column("nsat_R").null_count == 3 and table.column("isb_G_m").null_count == 3
    assert (
        table.schema.field("nsat_R").type == pa.int16() and table.schema.field("isb_G_m").type == pa.float64()
    )
    assert table.column("reason").to_pylist() == [0, 0, 0]  # a solution without reasons: all zero
    reasons = np.array([0, Unsolved.GDOP, 0], dtype=np.int64)
    assert solution_table(_solution([1, 0, 1], reason=reasons)).column("reason").to_pylist() == [0, 7, 0]


def test_summary_row_of_solved_and_of_unsolved_units():
    sol = _solution([Quality.SINGLE, Quality.NONE, Quality.SINGLE, Quality.SINGLE])
    row = position_summary(sol)
    # the unsolved epoch's position (and its satellites) do not count
    assert row["median_ecef_m"] == tuple(WTZR + 2 * np.array([1.0, 2.0, 3.0]))  # epochs 0, 2, 3
    assert row["mean_nsat"] == (5 + 7 + 8) / 3
    assert (row["epochs"], row["solved"], row["status"], row["message"]) == (4, 3, "ok", "")
    reasons = np.array([0, Unsolved.NO_BASE_EPOCH, 0, Unsolved.GDOP], np.uint8)
    row = position_summary(
        _solution([Quality.FIX, Quality.NONE, Quality.FLOAT, Quality.NONE], reason=reasons)
    )
    assert row["message"] == "unsolved: gdop in 1 of 4 epochs, no base epoch in 1 of 4 epochs"
    reasons = np.array(
        [Unsolved.NO_EPHEMERIS, Unsolved.TOO_FEW_SATELLITES, Unsolved.TOO_FEW_SATELLITES], np.uint8
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no statistic of an empty selection (numpy warns on those)
        row = position_summary(_solution([0, 0, 0], reason=reasons))
    assert all(math.isnan(v) for v in row["median_ecef_m"]) and math.isnan(row["mean_nsat"])
    assert (row["epochs"], row["solved"], row["status"]) == (3, 0, "unsolved")
    assert row["message"] == "too few satellites in 2 of 3 epochs"  # the most frequent reason
    row = position_summary(_solution([0], reason=np.array([Unsolved.NO_OBSERVATIONS], dtype=np.uint8)))
    assert row["message"] == "no observations in 1 of 1 epochs"  # the first code is a reason too
    # a recipe without reasons
    assert position_summary(_solution([0, 0]))["message"] == "no epoch of 2 solved"
    assert (
        position_summary(_solution([]))["message"]
        == "the observation file has no epochs (in the chosen window)"
    )


def test_qc_rows_flattened_into_one_table():
    rows = [
        {"sat": "G01", "mp": {"C1C": 0.3, "C2W": 0.4}, "note": None},
        {"sat": "E11", "mp": {"C1C": 0.2}, "slips": 2, "note": None},
    ]
    table = rows_table(rows)
    assert table.column_names == ["sat", "mp.C1C", "mp.C2W", "note", "slips"]
    assert table.to_pylist()[1] == {"sat": "E11", "mp.C1C": 0.2, "mp.C2W": None, "note": None, "slips": 2}
    # a column with no value at all is float64, so that files of one table share their types
    assert table.schema.field("note").type == pa.float64() and table.schema.field("slips").type == pa.int64()


def _item(**inputs):
    return StationDay("ZIM200CHE", "2026-05-13", "0000-01H", {"obs": ("o",), **inputs})


def test_one_file_of_a_role_is_the_file_of_the_units_day():
    assert _one(_item(), "blq") is None
    assert _one(_item(blq=("ocean.blq",)), "blq") == "ocean.blq"
    days = ("IGS0OPSFIN_20261320000_01D_01D_OSB.BIA", "IGS0OPSFIN_20261330000_01D_01D_OSB.BIA", "other.bia")
    assert _one(_item(bias=days), "bias") == days[1]
    with pytest.raises(
        ValueError, match=r"^2 bias files match ZIM200CHE 2026-05-13; give one: a.bia, b.bia$"
    ):
        _one(_item(bias=("a.bia", "b.bia")), "bias")
    with pytest.raises(ValueError, match="2 bias files match"):  # two files of the day
        _one(_item(bias=(days[1], days[1].replace("IGS0", "COD0"))), "bias")


def test_satellite_tables_told_apart_by_name_or_first_line(tmp_path, monkeypatch):
    import kompas.io.readers.satmeta as satmeta

    got = {}
    monkeypatch.setattr(
        satmeta, "read_satellite_catalog", lambda pride, svb: got.update(pride=pride, svb=svb)
    )
    named, headed, pride = (tmp_path / n for n in ("gpsppp.svb_gps", "blocks.txt", "sat_parameters"))
    named.write_text("anything\n")
    headed.write_text("\n   HDR GPSPACE block table\n")  # the first line after blank space
    pride.write_text("+prn_indexed\n")
    assert _catalog([]) is None
    _catalog([str(named), str(headed), str(pride)])
    assert got == {"pride": str(pride), "svb": [str(named), str(headed)]}
    _catalog([str(named)])
    assert got == {"pride": None, "svb": [str(named)]}
    with pytest.raises(ValueError, match="only one PRIDE sat_parameters table can be given, not 2"):
        _catalog([str(pride), str(pride)])


def test_input_size_of_a_unit_adds_every_file_and_skips_missing_ones(tmp_path):
    (tmp_path / "o").write_bytes(b"x" * 300)
    (tmp_path / "n1").write_bytes(b"x" * 20)
    (tmp_path / "n2").write_bytes(b"x" * 1)
    item = StationDay("S", "2020-06-25", "0000-01D", {
        "obs": (str(tmp_path / "o"),), "nav": (str(tmp_path / "n1"), str(tmp_path / "gone"), str(tmp_path / "n2")),
    })  # fmt: skip
    assert _input_bytes(item) == 321


def test_a_positioning_result_carries_its_timings_and_summary():
    sol = _solution([Quality.SINGLE, Quality.SINGLE])
    res = _solution_result(sol, 10.0, 12.5)
    assert res.read_s == 2.5 and res.process_s > 0 and res.status == "ok" and res.solved == 2
    assert (
        res.tables["solution"].num_rows == 2 and res.median_ecef_m == position_summary(sol)["median_ecef_m"]
    )


def test_ppp_inputs_read_each_role_given_and_leave_the_others_out(monkeypatch):
    import kompas.api as api
    import kompas.io.readers.blq as blq
    import kompas.io.readers.gpt3 as gpt3

    class _Obs(tuple):  # what the recipe reads of the observations here: the antenna type
        station = SimpleNamespace(antenna_type="TRM59800.00     NONE")

    for name in ("read_obs_files", "read_nav", "read_sp3", "read_clk", "read_antex", "read_bias"):
        monkeypatch.setattr(api, name, lambda p, name=name, **kw: _Obs((name, p, kw) if kw else (name, p)))
    monkeypatch.setattr(blq, "read_blq", lambda p: ("read_blq", p))
    monkeypatch.setattr(gpt3, "read_gpt3_grid", lambda p: ("read_gpt3_grid", p))
    bare = _ppp_inputs(_item(orbit=("a.sp3", "b.sp3"), clock=("a.clk",)))
    assert bare == {
        "obs": ("read_obs_files", ("o",), {"skip_unreadable": True}), "nav": None, "sp3": [("read_sp3", "a.sp3"), ("read_sp3", "b.sp3")],
        "clk": [("read_clk", "a.clk")], "antex": None, "bias": None, "blq": None, "gpt3": None, "catalog": None,
    }  # fmt: skip
    full = _ppp_inputs(
        _item(
            nav=("n",),
            orbit=("s",),
            clock=("c",),
            antex=("x.atx",),
            bias=("b.bia",),
            blq=("l.blq",),
            gpt3=("g",),
        )
    )
    # the station's antenna alone among the receivers of the ANTEX file
    assert full["nav"] == [("read_nav", "n")]
    assert full["antex"] == ("read_antex", "x.atx", {"receivers": ["TRM59800.00     NONE"]})
    assert (full["bias"], full["blq"], full["gpt3"]) == (
        ("read_bias", "b.bia"), ("read_blq", "l.blq"), ("read_gpt3_grid", "g"),
    )  # fmt: skip


def test_the_qc_task_asks_for_no_figures(tmp_path, monkeypatch):
    """A batch writes the QC tables, never an HTML report: the figures' arrays are not made."""
    import kompas.qc
    from kompas.batch.tasks import get_task
    from kompas.cli.main import main
    from kompas.qc import QcConfig

    assert main(["sim", "--out", str(tmp_path), "--hours", "0.05", "--systems", "G"]) == 0
    calls, real = [], kompas.qc.run_qc
    monkeypatch.setattr(kompas.qc, "run_qc", lambda *a, **k: calls.append(k) or real(*a, **k))
    item = StationDay("SIM00XXX", "2024-01-01", "0000-01H", {
        "obs": (str(tmp_path / "SIM00XXX_S_sim_MO.rnx"),), "nav": (str(tmp_path / "SIM00XXX_S_sim_MN.rnx"),)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = get_task("qc").run(item, QcConfig())
    assert calls == [{"figures": False}] and result.tables["qc_summary"].num_rows
