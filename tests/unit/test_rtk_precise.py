"""RTK with precise orbits and clocks (kompas.products.precise_first), on simulated data.

The simulator's broadcast records are its truth (no signal-in-space error); its SP3/CLK files hold the same
states in the IGS convention (centre of mass, clocks without the periodic relativistic term). Two GPS
satellites lose their broadcast records, so only the precise products can bring them back.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kompas
from kompas.constants import C_LIGHT
from kompas.errors import ConfigError
from kompas.frames import ecef_to_enu, enu_to_ecef, geodetic_to_ecef
from kompas.io.readers.sp3 import SIMULATED_MARK
from kompas.products.broadcast import BroadcastProduct
from kompas.products.mix import PreciseMix
from kompas.products.precise import CLOCK_EDGE_S
from kompas.products.precise_first import PreciseFirst
from kompas.products.state import Status
from kompas.satsys import sat_index
from kompas.sim import make_nav, nominal_elements, write_products
from kompas.sim.observations import ErrorModel, simulate_obs

START = kompas.GTime.from_calendar(2024, 3, 1, 2).gpst_ns
HOUR = 3600 * 10**9
BASE = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 50.0]))
ROVER = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)


def _without(nav, sats):
    """The navigation data without the Kepler records of ``sats``."""
    k = nav.kepler
    keep = ~np.isin(k.sat, sat_index(list(sats)))
    cols = {f.name: getattr(k, f.name)[keep] for f in dataclasses.fields(k)}
    return dataclasses.replace(nav, kepler=dataclasses.replace(k, **cols))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    nav, truth = make_nav(nominal_elements("GE", START), START, 1.0, seed=2)
    tmp = tmp_path_factory.mktemp("precise")
    sats = np.unique(np.concatenate([nav.kepler.sat]))
    write_products(truth, sats, START, START + HOUR, sp3_path=tmp / "SIM.sp3", clk_path=tmp / "SIM.clk")
    sp3, clk = kompas.read_sp3(tmp / "SIM.sp3"), kompas.read_clk(tmp / "SIM.clk")
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "GE", ErrorModel.none(), seed=2)
    rov = simulate_obs(
        truth, nav, ROVER, START, 1.0, 5.0, "GE", ErrorModel.none(), seed=102, rcv_clock_s=-3e-4
    )
    return nav, truth, sp3, clk, base, rov


def _rtk(world, nav, **kw):
    _, _, _, _, base, rov = world
    return kompas.rtk(
        rov, base, nav, systems="GE", base_position=" ".join(map(str, BASE)), interpolate_base=False,
        extrapolate_base=False, **{"models.tropo": "off"}, **kw,
    )  # fmt: skip


def _visible_gps(world):
    """The two GPS satellites above 15 deg at the base for the longest (those whose loss hurts)."""
    _, _, _, _, base, _ = world
    sat, counts = np.unique(base.sat[base.sat < sat_index("R01")], return_counts=True)
    return kompas.sat_id(sat[np.argsort(-counts)[:2]])


def test_precise_states_stand_in_for_broadcast_ones(world):
    nav, _, sp3, clk, *_ = world
    mix, _ = PreciseMix.from_files([sp3], [clk], "G")
    b = BroadcastProduct(nav)
    pf = PreciseFirst(b, mix)
    sats = np.array(["G01", "G05", "E03"])
    t = np.full(3, START + HOUR // 2)
    got, want = pf.state(sats, t, -0.07), b.state(sats, t, -0.07)
    # GPS from the SP3/CLK (the simulator's SP3 is the truth: no antenna offset), Galileo untouched; the clock
    # with the periodic relativistic term is the broadcast one again (without it: up to metres)
    assert got.ok.all() and mix.systems == "G"
    assert np.abs(got.pos_m - want.pos_m).max() < 1e-3
    assert np.abs(got.clk_s - want.clk_s).max() * C_LIGHT < 1e-3
    bare = mix.state(sats[:2], t[:2], -0.07)
    assert np.abs(bare.clk_s - want.clk_s[:2]).max() * C_LIGHT > 0.1
    assert np.isnan(got.age_s[:2]).all() and np.isfinite(got.age_s[2])


def test_the_source_is_chosen_at_the_selection_instant(world):
    nav, _, sp3, clk, *_ = world
    mix, _ = PreciseMix.from_files([sp3], [clk], "G")
    b = BroadcastProduct(nav)
    pf = PreciseFirst(b, mix)
    inside, outside = START + HOUR - 120 * 10**9, START + 3 * HOUR  # the clocks end 30 s after the hour
    # selected inside the products, evaluated beyond them: invalid, never the broadcast state (a single
    # difference would otherwise mix two clock sources)
    st = pf.state(["G01"], [outside], select_ns=[inside])
    assert st.status[0] == Status.NO_PRECISE
    # selected beyond them: the broadcast state, evaluated where the precise ones would serve
    st = pf.state(["G01"], [inside], select_ns=[outside])
    ref = b.state(["G01"], [inside], select_ns=[outside])
    assert st.ok[0] and np.array_equal(st.pos_m, ref.pos_m) and st.clk_s[0] == ref.clk_s[0]
    assert pf.covers(["G01", "G01", "E03"], [inside, outside, inside]).tolist() == [True, False, False]
    # an epoch so near the start of the clock file that its transmission instants are more than
    # CLOCK_EDGE_S before its first sample: the SP3's own clocks serve there (same centre, RTKLIB pephclk),
    # within the SP3's span, which reaches 30 min before the clock file's
    early = int(clk.time_ns.min()) - round((CLOCK_EDGE_S - 0.1) * 1e9)
    st = pf.state(["G01", "G01"], [early, early + 10**8], -0.07, select_ns=[early, early + 10**8])
    assert st.ok.all() and pf.covers(["G01", "G01"], [early, early + 10**8]).tolist() == [True, True]
    assert st.clk_s[0] != b.state(["G01"], [early], -0.07).clk_s[0]  # not the broadcast clock
    # before the SP3's span as well: broadcast, not an unsolved epoch
    first = int(sp3.time_ns.min()) - round(CLOCK_EDGE_S * 1e9) - 10**8
    assert not pf.covers(["G01"], [first])[0] and pf.state(["G01"], [first], select_ns=[first]).ok[0]


def test_satellites_without_broadcast_records_come_back_with_precise_products(world):
    nav, _, sp3, clk, *_ = world
    lost = _visible_gps(world)
    thin = _without(nav, lost)
    without = _rtk(world, thin)
    with_sp3 = _rtk(world, thin, sp3=sp3, clk=clk)
    assert (with_sp3.nsat_by_system["G"] - without.nsat_by_system["G"]).max() == 2
    assert (with_sp3.quality == kompas.Quality.FIX).all()
    # errors off: every epoch, the aged ones (base 5-25 s old, the satellite clocks of two instants in the
    # model) included, at the truth; without the relativistic term the aged epochs are mm off
    enu = ecef_to_enu(with_sp3.pos_m, ROVER)
    assert np.abs(enu).max() < 1e-3
    assert with_sp3.record.ephemeris == "precise GE, broadcast"
    # without the precise products the two are named, and what would bring them back
    left = [n for n in without.record.notes if "left out" in n]
    assert left == [
        f"2 satellites both receivers track have no broadcast record valid at their epochs, so they are left "
        f"out: {' '.join(sorted(lost))} (give their navigation records or precise orbits and clocks (--sp3, --clk))"
    ]
    assert not any("left out" in n for n in with_sp3.record.notes)
    assert any(
        n.startswith("precise orbits and clocks (") and "G: KSM orbits" in n for n in with_sp3.record.notes
    )


def test_products_of_no_asked_system_leave_broadcast_with_a_note(world, tmp_path):
    nav, truth, _, clk, base, rov = world
    gps = sat_index([f"G{p:02d}" for p in range(1, 25)])
    write_products(truth, gps, START, START + HOUR, sp3_path=tmp_path / "G.sp3", clk_path=tmp_path / "G.clk")
    sol = kompas.rtk(
        rov, base, nav, systems="E", base_position=" ".join(map(str, BASE)), sp3=kompas.read_sp3(tmp_path / "G.sp3"),
        clk=kompas.read_clk(tmp_path / "G.clk"), **{"models.tropo": "off"},
    )  # fmt: skip
    assert sol.record.ephemeris == "broadcast"
    assert any("broadcast orbits and clocks for every system" in n for n in sol.record.notes)
    with pytest.raises(ConfigError, match="need SP3"):
        _rtk(world, nav, clk=clk)


def test_positions_move_to_the_antenna_phase_centre_of_the_antex_satellites(world, tmp_path):
    from test_antex import HEADER

    from kompas.io.writers.antex import nominal_satellite_blocks

    nav, _, sp3, clk, *_ = world
    # a real product's positions are centres of mass: the simulator's, without its mark, stand in for one
    real = dataclasses.replace(sp3, comments=[c for c in sp3.comments if not c.startswith(SIMULATED_MARK)])
    assert sp3.simulated and not real.simulated
    mix, _ = PreciseMix.from_files([real], [clk], "G")
    path = tmp_path / "sat.atx"
    path.write_text(
        "\n".join(HEADER) + "\n" + nominal_satellite_blocks(["G01"], [[0.0, 0.0, 2.0]], START - HOUR)
    )
    b = BroadcastProduct(nav)
    sats, t = np.array(["G01", "G05"]), np.full(2, START + HOUR // 2)
    com = PreciseFirst(b, mix).state(sats, t)
    apc = PreciseFirst(b, mix, kompas.read_antex(path)).state(sats, t)
    # the simulator's own products are the phase centres already: no offset, whatever the ANTEX file says
    sim, _ = PreciseMix.from_files([sp3], [clk], "G")
    assert np.array_equal(PreciseFirst(b, sim, kompas.read_antex(path)).state(sats, t).pos_m, com.pos_m)
    offsets = sim.apc(sats, t, ("G01", "G02"), antex=kompas.read_antex(path))
    assert offsets.source.tolist() == ["SIM", "SIM"] and np.array_equal(offsets.offset_m, np.zeros((2, 3)))
    # body z points to the Earth's centre: 2 m of offset bring G01 2 m nearer to it; G05 has no block
    shift = np.linalg.norm(apc.pos_m, axis=1) - np.linalg.norm(com.pos_m, axis=1)
    assert abs(shift[0] + 2.0) < 1e-3 and shift[1] == 0.0
    assert np.array_equal(apc.clk_s, com.clk_s)
    # a query of the one satellite alone gets the same offset
    one = PreciseFirst(b, mix, kompas.read_antex(path)).state(sats[:1], t[:1])
    assert np.array_equal(one.pos_m[0], apc.pos_m[0])


def test_products_of_another_day_leave_broadcast_with_a_note(world, tmp_path):
    nav, truth, *_ = world
    gps = sat_index([f"G{p:02d}" for p in range(1, 25)])
    day = 24 * HOUR
    write_products(
        truth, gps, START + day, START + day + HOUR, sp3_path=tmp_path / "G.sp3", clk_path=tmp_path / "G.clk"
    )
    sol = _rtk(world, nav, sp3=kompas.read_sp3(tmp_path / "G.sp3"), clk=kompas.read_clk(tmp_path / "G.clk"))
    assert sol.record.ephemeris == "broadcast" and (sol.quality == kompas.Quality.FIX).all()
    assert any("do not cover the observations" in n for n in sol.record.notes)


def test_products_of_another_day_among_the_days_own_are_left_out_with_a_note(world, tmp_path):
    # files of another day among the day's own: with another centre's, that centre could be chosen (they
    # are ranked by satellites, not time) and the run fell back to broadcast (helper's sweep, PASA ->
    # SCOA with COD's 2020 SP3: GPS 7.1 -> 4.1 satellites an epoch); here the simulator writes one
    # centre, whose two days could not be merged ("files are too far apart in time"): now left out
    nav, truth, sp3, clk, *_ = world
    lost = _visible_gps(world)
    thin = _without(nav, lost)
    day = 24 * HOUR
    sats = np.unique(nav.kepler.sat)
    other = [tmp_path / "OTH0OPSFIN_X.sp3", tmp_path / "OTH0OPSFIN_X.clk"]
    write_products(truth, sats, START + day, START + day + HOUR, sp3_path=other[0], clk_path=other[1])
    sol = _rtk(world, thin, sp3=[kompas.read_sp3(other[0]), sp3], clk=[kompas.read_clk(other[1]), clk])
    assert sol.record.ephemeris == "precise GE, broadcast"
    assert (sol.nsat_by_system["G"] - _rtk(world, thin).nsat_by_system["G"]).max() == 2
    assert np.abs(ecef_to_enu(sol.pos_m, ROVER)).max() < 1e-3
    note = next(n for n in sol.record.notes if n.startswith("precise orbits and clocks ("))
    assert f"the SP3 file {other[0]} (" in note and f"the clock file {other[1]} (" in note
    assert note.count("left out: no sample near") == 2


def test_broadcast_rows_keep_their_record_selection(world):
    # the other systems' records are selected at select_ns as BroadcastProduct.state selects them (the
    # Galileo records of the second half hour made 3 m off in clock, so that the two selections differ)
    nav, _, sp3, clk, *_ = world
    k = nav.kepler
    late = (k.toe_ns >= START + HOUR // 2) & (k.sat >= sat_index("E01"))
    nav = dataclasses.replace(
        nav, kepler=dataclasses.replace(k, af0_s=np.where(late, k.af0_s + 1e-8, k.af0_s))
    )
    mix, _ = PreciseMix.from_files([sp3], [clk], "G")
    b = BroadcastProduct(nav)
    t, later = START + HOUR // 4, START + 3 * HOUR // 4
    got = PreciseFirst(b, mix).state(["E03"], [t], select_ns=[later])
    want, own = b.state(["E03"], [t], select_ns=[later]), b.state(["E03"], [t])
    assert np.array_equal(got.pos_m, want.pos_m) and got.clk_s[0] == want.clk_s[0]
    assert abs(own.clk_s[0] - want.clk_s[0]) * C_LIGHT > 2.9
