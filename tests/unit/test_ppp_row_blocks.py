"""The precise model evaluated in blocks of rows (memory bound) gives the rows of one evaluation."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import kompas
from kompas import gtime_from_calendar
from kompas.ppp_model import build_rows
from kompas.sim import ErrorModel, simulate, write_products

TRUTH = np.array([4075580.3111, 931854.0543, 4801568.2808])
START = int(gtime_from_calendar(2024, 3, 1, 0, 0, 0))
ppp_module = importlib.import_module("kompas.ppp")


@pytest.fixture(scope="module")
def sim_grec(tmp_path_factory):
    """G+R+E+C with wind-up and troposphere; Galileo left out of the products (broadcast fallback rows)."""
    errors = ErrorModel(troposphere=True, windup=True)
    res = simulate(TRUTH, START, hours=0.5, interval_s=30.0, systems="GREC", errors=errors, seed=9)
    sats = np.unique(res.obs.sat)
    tmp = tmp_path_factory.mktemp("products")
    keep = sats[(sats < 300) | (sats >= 400)]
    write_products(
        res.truth, keep, START, START + 3600 * 10**9, sp3_path=tmp / "S.sp3", clk_path=tmp / "S.clk"
    )
    return res, kompas.read_sp3(tmp / "S.sp3"), kompas.read_clk(tmp / "S.clk")


def _run(monkeypatch, sim, block_rows, **options):
    """PPP with the model built in blocks of ``block_rows`` rows: the solution and the model rows."""
    res, sp3, clk = sim
    seen = []

    def spy(*args, **kw):
        seen.append(build_rows(*args, block_rows=block_rows, **kw))
        return seen[-1]

    monkeypatch.setattr(ppp_module, "build_rows", spy)
    if options.pop("bias", False):
        from test_ppp_closed_loop import osb_from_truth  # the simulated group delays as OSB

        options["bias"] = osb_from_truth(res.truth, res.obs.sat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = kompas.ppp(res.obs, res.nav, sp3, clk, sat_antenna=False, **options)
    return sol, seen[0]


@pytest.mark.parametrize(
    "options",
    [dict(mode="static"), dict(mode="kinematic", tropo="off", windup=False), dict(mode="static", bias=True)],
)
def test_rows_built_in_blocks_equal_the_rows_built_at_once(monkeypatch, sim_grec, options):
    """Blocks of 7 rows cut epochs and satellites' arcs apart: every array, the notes (once each: the
    receiver antenna note is said by every block) and the solution are the same as in one block."""
    whole_sol, whole = _run(monkeypatch, sim_grec, 10**9, **dict(options))
    cut_sol, cut = _run(monkeypatch, sim_grec, 7, **dict(options))
    assert whole.phase_bias_ok.any() == ("bias" in options)
    assert len(whole) > 100 * 7 and (whole.source == 2).any() and (whole.source == 1).any()
    for name in whole.__dataclass_fields__:
        if name == "notes":
            assert cut.notes == whole.notes
            assert sum("receiver antenna" in n for n in cut.notes) == 1
        else:
            np.testing.assert_array_equal(getattr(cut, name), getattr(whole, name), err_msg=name)
    np.testing.assert_array_equal(cut_sol.pos_m, whole_sol.pos_m)


def test_no_usable_row_gives_empty_rows_with_epoch_terms(sim_grec):
    """With no row of a known carrier (GLONASS without channels only) the rows are empty and the epoch
    terms (troposphere, displacement) and the reasons are still there."""
    res = sim_grec[0]
    ob = res.obs.observables({"R": (1, 2)})
    ob = ob.rows(kompas.satsys.sat_letter(ob.sat) == "R")
    apriori = np.broadcast_to(TRUTH, (ob.epoch_time_ns.size, 3))
    from kompas.ppp_model import ModelInputs, ModelSwitches
    from kompas.tables.station import StationInfo

    rows = build_rows(ob, apriori, StationInfo(), ModelInputs(), ModelSwitches(), 0.1, None, block_rows=5)
    assert len(rows) == 0 and rows.zhd_m.shape == (ob.epoch_time_ns.size,) and (rows.zhd_m > 2).all()
    assert (rows.unsolved == kompas.solution.Unsolved.NO_OBSERVATIONS).all()
    assert any("GLONASS observations dropped" in n for n in rows.notes)
