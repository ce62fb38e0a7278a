"""QC on simulated data: the station check by SPP, the azimuth/elevation grid (kompas.qc.geometry), the gaps."""

from __future__ import annotations

import numpy as np
import pytest

import kompas
from kompas import run_qc
from kompas.frames import geodetic_to_ecef
from kompas.products.broadcast import BroadcastProduct
from kompas.qc.geometry import sky_grid, station_position
from kompas.qc.metrics import GAP_COLUMNS
from kompas.qc.run import bands_present
from kompas.sim import make_nav, nominal_elements
from kompas.sim.observations import ErrorModel, simulate_obs

START = kompas.GTime.from_calendar(2024, 3, 1, 2).gpst_ns
POS = geodetic_to_ecef(np.array([np.radians(47.0), np.radians(8.0), 900.0]))

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def world():
    nav, truth = make_nav(nominal_elements("G", START), START, 1.0, seed=3)
    obs = simulate_obs(truth, nav, POS, START, 0.5, 30.0, "G", ErrorModel.none(), seed=3)
    return BroadcastProduct(nav), obs, nav


def test_station_position_solves_the_sample_of_epochs_asked_for(world):
    product, obs, _ = world
    assert obs.n_epochs == 60
    pos, n = station_position(obs, product, n_epochs=10)
    assert n == 10  # ten epochs spread over the file, not all of them
    assert np.linalg.norm(pos - POS) < 10.0  # broadcast ionosphere model against none simulated: metres
    pos3, n3 = station_position(obs, product, n_epochs=3)
    assert n3 == 3 and np.linalg.norm(pos3 - POS) < 10.0


def test_station_position_of_no_epochs_is_nan(world):
    product, obs, _ = world
    pos, n = station_position(obs.take_epochs(np.zeros(obs.n_epochs, bool)), product)
    assert n == 0 and pos.shape == (3,) and np.isnan(pos).all()


def test_sky_grid_of_no_epochs_and_lookup_of_a_grid_without_satellites(world):
    product, obs, _ = world
    grid = sky_grid(product, np.array([], np.int64), POS, "G")
    assert grid.sats.size > 0 and grid.az.shape == grid.el.shape == (0, grid.sats.size)
    empty = sky_grid(product, obs.epoch_time_ns[:5], POS, "E")  # no Galileo records
    assert empty.sats.size == 0 and empty.el.shape == (5, 0)
    assert grid.el.dtype == grid.az.dtype == empty.el.dtype == np.float64  # numbers, not objects
    az, el = empty.lookup(np.array([[0, 1], [2, 3]]), np.array([[1, 2], [3, 4]]))
    assert az.shape == el.shape == (2, 2) and np.isnan(az).all() and np.isnan(el).all()


def test_sky_grid_interpolated_between_nodes_as_evaluated_exactly(world):
    product, obs, _ = world
    t = obs.epoch_time_ns
    fast = sky_grid(product, t, POS, "G", node_s=300.0)
    exact = sky_grid(product, t, POS, "G", node_s=0.0)
    both = np.isfinite(fast.el) & np.isfinite(exact.el)
    assert both.sum() > 0.5 * fast.el.size
    assert np.nanmax(np.abs(fast.el - exact.el)[both]) < np.radians(0.02)
    d_az = np.angle(np.exp(1j * (fast.az - exact.az)))[both & (exact.el > np.radians(5))]
    assert np.max(np.abs(d_az)) < np.radians(0.05)
    assert np.array_equal(np.isfinite(fast.el), np.isfinite(exact.el))


def test_gaps_are_listed_with_their_missing_epochs(world):
    _, obs, nav = world
    keep = np.ones(obs.n_epochs, bool)
    keep[[10, 11, 12, 40]] = False  # 3 epochs after 00:05:00, 1 after 00:20:00 (30 s interval)
    res = run_qc(obs.take_epochs(keep), nav)
    t = obs.epoch_time_ns
    gaps = res.tables["gaps"]
    assert [(g["missing_epochs"], g["duration_s"]) for g in gaps] == [(3, 120.0), (1, 60.0)]
    assert all(tuple(g) == GAP_COLUMNS for g in gaps)  # the columns of the table written without rows
    assert gaps[0]["from"] == kompas.GTime(int(t[9])).isoformat()
    assert gaps[0]["to"] == kompas.GTime(int(t[13])).isoformat()
    assert run_qc(obs, nav).tables["gaps"] == []


def test_code_multipath_without_observables_is_empty(world):
    from kompas.preprocess import detect_slips
    from kompas.qc.multipath import code_multipath
    from kompas.qc.run import bands_present

    _, obs, _ = world
    none = obs.take_epochs(np.zeros(obs.n_epochs, bool)).observables(bands_present(obs, "G"))
    assert len(none) == 0 and np.isfinite(obs.code_m).any()
    mp = code_multipath(obs, none, detect_slips(none), np.zeros(0), np.zeros(0))
    assert len(mp) == 0
    for name in ("sat", "signal", "partner", "epoch", "el", "az", "mp_m"):
        value = getattr(mp, name)
        assert isinstance(value, np.ndarray) and value.shape == (0,), name


def test_no_multipath_where_the_other_bands_have_code_only(world):
    import dataclasses

    from kompas.satsys import signal_band

    _, obs, nav = world
    others = signal_band(obs.signal) != 1  # L2 and L5: code, no phase
    code_only = dataclasses.replace(obs, phase_cyc=np.where(others, np.nan, obs.phase_cyc))
    assert np.isfinite(code_only.code_m[others]).any()
    res = run_qc(code_only, nav)
    assert res.tables["multipath"] == [] and res.tables["multipath_satellite"] == []
    assert run_qc(obs, nav).tables["multipath"]  # with both phases there is MP


def test_multipath_only_of_codes_whose_band_has_observables(world):
    from kompas.preprocess import detect_slips
    from kompas.qc.multipath import code_multipath
    from kompas.satsys import signal_band

    _, obs, _ = world
    ob = obs.observables({"G": (1, 2)})  # L5 left out: its code has no phase of its own here
    mp = code_multipath(obs, ob, detect_slips(ob), np.full(len(ob), 0.5), np.zeros(len(ob)))
    assert len(mp) > 0
    assert set(np.unique(signal_band(mp.signal)).tolist()) == {1, 2}
    assert set(np.unique(mp.partner).tolist()) == {1, 2}
    # narrow fields (MP runs to 4 values per observation row): band digits and epoch indices
    assert mp.partner.dtype == np.uint8 and mp.epoch.dtype == np.int32
    assert np.all(np.abs(mp.mp_m) < 0.05)  # no multipath simulated: MP is the level-free zero
    # observables of all but the last epoch: the codes of that epoch (keys above every one of the
    # observables) are left out, not looked up past the end
    keep = np.arange(obs.n_epochs) < obs.n_epochs - 1
    short = obs.take_epochs(keep).observables({"G": (1, 2)})
    mp2 = code_multipath(obs, short, detect_slips(short), np.full(len(short), 0.5), np.zeros(len(short)))
    assert len(mp2) > 0 and mp2.epoch.max() == obs.n_epochs - 2


def test_bands_present_skips_systems_the_table_lacks(world):
    _, obs, _ = world
    assert bands_present(obs, "G") == {"G": (1, 2, 5)}
    assert bands_present(obs, "JRG") == bands_present(obs, "GE") == {"G": (1, 2, 5)}  # any order of letters
    assert bands_present(obs, "J") == {}


def test_header_position_row_gives_the_header_value_and_the_spp_distance(world):
    _, obs, nav = world
    row = next(r for r in run_qc(obs, nav).tables["header"] if r["item"] == "APPROX POSITION XYZ")
    hp = obs.header.approx_position_m
    assert row["value"] == " ".join(f"{x:.3f}" for x in hp)  # three numbers, space-separated
    assert len(row["value"].split(" ")) == 3 and row["note"].startswith("SPP median of ")
    spp, apart = row["note"].split("; ")
    dist = float(apart.split(" m")[0])  # the header position 3 m from the truth, SPP within metres of it
    assert row["status"] == ("ok" if dist < 30.0 else "check")
    assert dist == pytest.approx(np.linalg.norm(hp - np.array(spp.split()[-3:], float)), abs=0.01)
    assert dist < 30.0 and row["status"] == "ok"


def test_a_satellite_exactly_at_the_mask_counts_as_above_it_in_every_table(world):
    """RTKLIB's convention (a row is dropped when el < mask): expected, had and phase counts all keep the
    (epoch, satellite) whose elevation equals the mask, so a clean file stays 100 % complete."""
    _, obs, nav = world
    el = run_qc(obs, nav).arrays["row_el"]
    exact = [e for e in np.sort(el[el > np.radians(20.0)]) if np.radians(np.degrees(e)) == e]
    e = exact[len(exact) // 2]  # a mask in degrees that is this row's elevation to the last bit
    res = run_qc(obs, nav, elmask_deg=float(np.degrees(e)))
    n = int((el >= e).sum())
    assert n == int((el > e).sum()) + 1  # one row sits on the mask
    (summary,) = res.tables["summary"]
    assert summary["expt"] == summary["have"] == n
    assert {(r["expt"], r["have"]) for r in res.tables["completeness"]} == {(n, n)}
    assert {r["obs"] for r in res.tables["slips"]} == {n}


def test_summary_names_each_multipath_pair_as_the_multipath_table_does(world):
    """The summary's MP column per (signal, partner band) is keyed like RINEX codes: C1C-2, not GC1C-2."""
    _, obs, nav = world
    res = run_qc(obs, nav)
    pairs = {f"{r['signal'][1:]}-{r['partner_band']}" for r in res.tables["multipath"]}
    assert set(res.tables["summary"][0]["mp_rms_m"]) == pairs and "C1C-2" in pairs
    first = res.tables["multipath_elevation"][0]
    assert set(first) == {"system", "signal", "partner_band", "el_from_deg", "n", "rms_m"}
    assert first["el_from_deg"] == 10.0


def test_summary_counts_a_slip_per_satellite_and_epoch_as_teqc(world):
    """teqc's o/slps: observations (have) over slips counted per satellite and epoch; a slip on both
    bands at once is one. The slip table keeps its per-band counts."""
    import dataclasses

    from kompas.satsys import signal_band

    _, obs, nav = world
    ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))
    phase = np.isfinite(obs.phase_cyc)
    lli = obs.lli.copy()
    sats = np.unique(obs.sat)
    # satellite 0 at epoch 30: both bands; satellite 1 at epoch 40: band 1 only (both mid-arc, high)
    both = phase & (obs.sat == sats[0]) & (ep == 30)
    one = phase & (obs.sat == sats[1]) & (ep == 40) & (signal_band(obs.signal) == 1)
    assert both.sum() >= 2 and one.sum() == 1
    lli[both | one] |= 1
    res = run_qc(dataclasses.replace(obs, lli=lli), nav, elmask_deg=0.0)
    (summary,) = res.tables["summary"]
    assert summary["slips"] == 2
    assert summary["obs_per_slip"] == pytest.approx(summary["have"] / 2, abs=0.05)
    per_band = {r["band"]: r["slips"] for r in res.tables["slips"]}
    assert per_band[1] == 2 and per_band[2] == 1


def test_without_figures_the_arrays_stay_empty_and_the_tables_are_the_same(world):
    _, obs, nav = world
    full, lean = run_qc(obs, nav), run_qc(obs, nav, figures=False)
    assert full.arrays["mp_m"].size > 0 and full.arrays["row_el"].size > 0
    assert lean.arrays == {}
    assert lean.tables == full.tables
