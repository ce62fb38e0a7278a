"""PreciseProduct on hand-made SP3/clock data: interpolation, status rules, merging, clocks, APC."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kompas import Antex, ClockData, KompasError, Sp3, gtime_from_calendar, sat_index
from kompas.constants import OMEGA_EARTH_IERS
from kompas.errors import ConfigError, KompasWarning
from kompas.io.readers.antex import Antenna, AntennaFrequency
from kompas.models.attitude import sun_position_ecef
from kompas.products.precise import CLOCK_EDGE_S, PreciseProduct
from kompas.products.state import Status

T0 = int(gtime_from_calendar(2020, 6, 25, 0, 0, 0))
NS = 1_000_000_000
G01, G02, E11 = (int(x) for x in sat_index(["G01", "G02", "E11"]))


def make_sp3(time_ns, sats, pos_m, clk_s=None, interval_s=300.0, time_system="GPST", accuracy_m=None):
    """A minimal Sp3 (only the fields PreciseProduct reads carry meaning)."""
    time_ns = np.asarray(time_ns, dtype=np.int64)
    sats = np.asarray(sats, dtype=np.int16)
    e, s = time_ns.size, sats.size
    clk = np.zeros((e, s)) if clk_s is None else np.asarray(clk_s, dtype=float)
    flags = np.zeros((e, s), bool)
    return Sp3(
        time_ns=time_ns,
        sats=sats,
        pos_m=np.asarray(pos_m, dtype=float),
        clk_s=clk,
        vel_mps=None,
        clk_rate=None,
        pos_sdev_m=np.full((e, s, 3), np.nan),
        clk_sdev_s=np.full((e, s), np.nan),
        vel_sdev_mps=None,
        clk_rate_sdev=None,
        clk_event=flags,
        clk_pred=flags,
        maneuver=flags,
        orb_pred=flags,
        accuracy_m=np.full(s, np.nan) if accuracy_m is None else np.asarray(accuracy_m, float),
        version="d",
        pv_flag="P",
        data_used="ORBIT",
        frame="IGb14",
        orbit_type="FIT",
        agency="TST",
        file_type="M",
        time_system=time_system,
        gps_week=2111,
        seconds_of_week=345600.0,
        interval_s=interval_s,
        n_epochs_header=e,
        base_pos=1.25,
        base_clk=1.025,
        comments=(),
    )


def make_clk(sats, time_ns, bias_s):
    """A ClockData of AS records from a dense (E, S) grid; NaN cells are left out."""
    sats = np.asarray(sats, dtype=np.int16)
    time_ns = np.asarray(time_ns, dtype=np.int64)
    e, s = np.nonzero(~np.isnan(bias_s))
    n = e.size
    nan = np.full(n, np.nan)
    return ClockData(
        kind=np.full(n, "AS"),
        name=np.full(n, "G01"),
        sat=sats[s],
        time_ns=time_ns[e],
        bias_s=np.asarray(bias_s)[e, s],
        bias_sigma_s=nan,
        rate=nan,
        rate_sigma=nan,
        accel=nan,
        accel_sigma=nan,
    )


# ----------------------------------------------------------------------------------------------
# Synthetic trajectories

_GM = 3.986004418e14
_R = 26_560e3


_INC = np.radians(55.0)


def circular_orbit(t_s, inc=_INC, raan=0.3, u0=0.1, omega_e=7.2921151467e-5):
    """ECEF position and velocity of a circular orbit of radius 26,560 km (inertial Kepler motion)."""
    t_s = np.asarray(t_s, dtype=float)
    n = np.sqrt(_GM / _R**3)
    u = u0 + n * t_s
    cu, su, ci, si, co, so = np.cos(u), np.sin(u), np.cos(inc), np.sin(inc), np.cos(raan), np.sin(raan)
    ri = _R * np.stack([cu * co - su * ci * so, cu * so + su * ci * co, su * si], axis=-1)
    vi = _R * n * np.stack([-su * co - cu * ci * so, -su * so + cu * ci * co, cu * si], axis=-1)
    th = omega_e * t_s
    c, s = np.cos(th), np.sin(th)
    re = np.stack([c * ri[:, 0] + s * ri[:, 1], -s * ri[:, 0] + c * ri[:, 1], ri[:, 2]], axis=-1)
    ve = np.stack([c * vi[:, 0] + s * vi[:, 1], -s * vi[:, 0] + c * vi[:, 1], vi[:, 2]], axis=-1)
    ve[:, 0] += omega_e * re[:, 1]
    ve[:, 1] -= omega_e * re[:, 0]
    return re, ve


def _orbit_product(n_ep=41, h=300.0, sats=(G01, G02), **kw):
    t = T0 + np.arange(n_ep, dtype=np.int64) * int(h * NS)
    ts = np.arange(n_ep) * h
    pos = np.stack([circular_orbit(ts, raan=0.3 + k)[0] for k in range(len(sats))], axis=1)
    return make_sp3(t, sats, pos, interval_s=h, **kw), t


# ----------------------------------------------------------------------------------------------
# Interpolation accuracy


def test_polynomial_of_degree_10_is_reproduced_in_ecef_mode():
    rng = np.random.default_rng(7)
    # degree 10 in tau = t / 3000 s - 1.5 (|tau| <= 1.6): each term below 2e7 m, orbit-like magnitudes
    coef = rng.normal(size=(11, 3)) * (2e7 / 1.6 ** np.arange(10, -1, -1))[:, None]
    n_ep, h = 30, 300.0

    def poly(ts):
        tau = np.asarray(ts) / 3000.0 - 1.5
        return np.stack([np.polyval(coef[:, c], tau) for c in range(3)], axis=-1)

    def dpoly(ts):
        tau = np.asarray(ts) / 3000.0 - 1.5
        return np.stack([np.polyval(np.polyder(coef[:, c]), tau) / 3000.0 for c in range(3)], axis=-1)

    t = T0 + np.arange(n_ep, dtype=np.int64) * 300 * NS
    sp3 = make_sp3(t, [G01], poly(np.arange(n_ep) * h)[:, None, :])
    prod = PreciseProduct(sp3, interp_frame="ecef")
    # between samples and at both ends (shifted windows)
    q = np.array([0.0, 1.5, 450.2, 4321.7, 8550.0, 8700.0])
    st = prod.orbit("G01", T0 + np.round(q * NS).astype(np.int64))
    assert np.all(st.ok)
    np.testing.assert_allclose(st.pos_m, poly(q), rtol=0, atol=1e-6)
    np.testing.assert_allclose(st.vel_mps, dpoly(q), rtol=0, atol=1e-8)
    # up to one interval outside: still the polynomial, but rounding is amplified by the Lebesgue
    # constant of extrapolation (2047 at one interval for 11 samples), hence a relative tolerance
    q = np.array([-300.0, -17.3, 8849.9, 9000.0])
    st = prod.orbit("G01", T0 + np.round(q * NS).astype(np.int64))
    assert np.all(st.ok)
    np.testing.assert_allclose(st.pos_m, poly(q), rtol=1e-12, atol=1e-6)


def test_inertial_mode_reproduces_a_polynomial_in_the_rotating_frame():
    # r_ecef(t) = Rz(omega t) p(t) with p a degree-10 polynomial is exact for the default frame
    rng = np.random.default_rng(3)
    coef = rng.normal(size=(11, 3)) * (2e7 / 1.6 ** np.arange(10, -1, -1))[:, None]
    w = OMEGA_EARTH_IERS

    def traj(ts):
        tau = np.asarray(ts) / 3000.0 - 1.5
        p = np.stack([np.polyval(coef[:, c], tau) for c in range(3)], axis=-1)
        dp = np.stack([np.polyval(np.polyder(coef[:, c]), tau) / 3000.0 for c in range(3)], axis=-1)
        c, s = np.cos(w * ts), np.sin(w * ts)
        r = np.stack([c * p[:, 0] + s * p[:, 1], -s * p[:, 0] + c * p[:, 1], p[:, 2]], axis=-1)
        v = np.stack(
            [
                c * dp[:, 0] + s * dp[:, 1] + w * r[:, 1],
                -s * dp[:, 0] + c * dp[:, 1] - w * r[:, 0],
                dp[:, 2],
            ],
            axis=-1,
        )
        return r, v

    n_ep = 30
    t = T0 + np.arange(n_ep, dtype=np.int64) * 300 * NS
    sp3 = make_sp3(t, [G01], traj(np.arange(n_ep) * 300.0)[0][:, None, :])
    q = np.array([10.0, 1234.5, 4500.0, 8690.0])
    st = PreciseProduct(sp3).orbit("G01", T0 + np.round(q * NS).astype(np.int64))
    r, v = traj(q)
    np.testing.assert_allclose(st.pos_m, r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(st.vel_mps, v, rtol=0, atol=1e-8)


@pytest.mark.parametrize("frame", ["inertial", "ecef"])
def test_circular_orbit_at_300_s_to_a_millimetre(frame):
    sp3, _ = _orbit_product(n_ep=73)
    prod = PreciseProduct(sp3, interp_frame=frame)
    q = np.arange(0.0, 72 * 300.0, 37.0)  # between samples, through both ends of the data
    st = prod.orbit(np.full(q.size, G01), T0 + np.round(q * NS).astype(np.int64))
    r, v = circular_orbit(q)
    assert np.all(st.ok)
    assert np.max(np.linalg.norm(st.pos_m - r, axis=1)) < 1e-3
    assert np.max(np.linalg.norm(st.vel_mps - v, axis=1)) < 1e-6


def test_nodes_are_returned_exactly():
    sp3, t = _orbit_product()
    st = PreciseProduct(sp3).orbit([G01, G02], t[[0, 17]])
    # weights are exactly 1 and 0 on a node; only the last-bit rounding of 26,000 km remains
    np.testing.assert_allclose(st.pos_m, sp3.pos_m[[0, 17], [0, 1]], rtol=0, atol=1e-8)


def test_velocity_matches_central_difference_of_positions():
    sp3, _ = _orbit_product()
    prod = PreciseProduct(sp3)
    t = T0 + np.array([1234, 5000, 9876]) * NS
    plus = prod.orbit(G01, t, 0.5).pos_m
    minus = prod.orbit(G01, t, -0.5).pos_m
    v = prod.orbit(G01, t).vel_mps
    assert np.max(np.abs((plus - minus) - v)) < 1e-3


def test_offset_is_added_to_the_exact_nanoseconds():
    sp3, _ = _orbit_product()
    prod = PreciseProduct(sp3)
    t = T0 + 3600 * NS
    a = prod.orbit(G01, t, -0.0753).pos_m
    b = prod.orbit(G01, t - 75_300_000).pos_m
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-7)
    # a 1-ns step moves a 3.9 km/s satellite by 3.9 micrometres: resolved, not rounded away
    c = prod.orbit(G01, t + 1).pos_m
    d = prod.orbit(G01, t, 1e-9).pos_m
    np.testing.assert_allclose(c, d, rtol=0, atol=1e-8)
    assert 1e-6 < np.linalg.norm(c - prod.orbit(G01, t).pos_m) < 1e-5


def test_queries_are_broadcast_and_mixed():
    sp3, t = _orbit_product()
    prod = PreciseProduct(sp3)
    st = prod.orbit(["G01", "G02", "E11"], t[5] + 10 * NS)
    assert st.status.tolist() == [Status.OK, Status.OK, Status.NO_PRECISE]
    assert np.all(np.isnan(st.pos_m[2])) and np.all(np.isnan(st.vel_mps[2]))
    one = prod.orbit("G02", t[5] + 10 * NS)
    np.testing.assert_array_equal(st.pos_m[1], one.pos_m[0])
    assert len(prod.orbit([], [])) == 0


# ----------------------------------------------------------------------------------------------
# Status rules


def test_no_extrapolation_beyond_one_interval():
    sp3, t = _orbit_product()
    prod = PreciseProduct(sp3)
    h = 300 * NS
    times = [t[0] - h - 1, t[0] - h, t[-1] + h, t[-1] + h + 1, t[-1] + 10 * h]
    st = prod.orbit(G01, times)
    assert st.status.tolist() == [4, 0, 0, 4, 4]
    # the offset counts too
    assert prod.orbit(G01, t[-1] + h, 1e-6).status[0] == Status.NO_PRECISE
    assert prod.orbit(G01, t[-1] + h + 5, -1e-8).status[0] == Status.OK


def test_extrapolation_is_noted_per_product():
    from kompas.products.mix import PreciseMix

    sp3, t = _orbit_product()  # 41 epochs at 300 s
    prod = PreciseProduct(sp3)
    mix = PreciseMix({"G": prod, "E": prod})
    assert mix.extrapolation_notes(int(t[0]), int(t[-1])) == []  # inside the data: nothing to say
    (note,) = mix.extrapolation_notes(int(t[0]) - 60 * NS, int(t[-1]) + 270 * NS)
    assert note.startswith("GE: the observations reach 1.0 min before its first epoch (")
    assert "and 4.5 min after its last epoch (" in note and "one 300-s interval" in note
    assert note.endswith("give the neighbouring day's SP3 file")
    # beyond one interval (products of another day): extrapolated up to one interval, not farther
    (far,) = mix.extrapolation_notes(int(t[0]) - 3 * 86400 * NS, int(t[-1]))
    assert "4320.0 min before its first epoch" in far
    assert "extrapolated up to one 300-s interval (GPS 15-min orbits" in far and "and not farther" in far
    (after,) = PreciseMix({"G": prod}).extrapolation_notes(int(t[0]), int(t[-1]) + 30 * NS)
    assert (
        after.startswith("G: the observations reach 0.5 min after its last epoch") and "before" not in after
    )


def test_window_with_a_missing_position_is_refused():
    sp3, t = _orbit_product(n_ep=41)
    sp3.pos_m[20, 0] = np.nan  # G01 missing at epoch 20
    prod = PreciseProduct(sp3)
    # 11-sample windows centred on the nearest node k cover k-5..k+5
    nodes = np.array([14, 15, 20, 25, 26])
    st = prod.orbit(G01, t[nodes])
    assert st.status.tolist() == [0, 4, 4, 4, 0]
    assert np.all(np.isnan(st.pos_m[1:4]))
    assert prod.orbit(G02, t[20]).ok[0]  # the other satellite is unaffected


def test_maneuver_and_clock_event_flags_end_the_interpolation_windows():
    import dataclasses

    sp3, t = _orbit_product(n_ep=41)
    man, evt = np.zeros_like(sp3.maneuver), np.zeros_like(sp3.clk_event)
    man[20, 0] = True  # G01 maneuvered between epochs 19 and 20
    evt[30, 1] = True  # G02's clock jumps at epoch 30
    said = (
        r"the SP3 files flag 1 maneuver and 1 clock-event samples: no precise orbit or clock is interpolated "
        r"across them \(broadcast states serve those instants where given\)"
    )
    with pytest.warns(KompasWarning, match=said):
        prod = PreciseProduct(dataclasses.replace(sp3, maneuver=man, clk_event=evt))
    # as a missing position: no 11-sample window spans the maneuver
    assert prod.orbit(G01, t[[14, 15, 20, 25, 26]]).status.tolist() == [0, 4, 4, 4, 0]
    assert prod.orbit(G02, t[20]).ok[0] and prod.orbit(G02, t[30]).ok[0]
    # and no clock is interpolated across the event
    _, _, status = prod.clock(G02, [t[29], t[29] + 150 * NS, t[30] + 150 * NS, t[31]])
    assert status.tolist() == [0, 4, 4, 0]
    assert prod.clock(G01, t[20] + 150 * NS)[2][0] == 0
    cut = dataclasses.replace(sp3, time_ns=t[:20], pos_m=sp3.pos_m[:20], clk_s=sp3.clk_s[:20])
    with pytest.raises(ConfigError, match=r"SP3 flags of shape \(41, 2\) for \(20, 2\) epochs x satellites"):
        PreciseProduct(cut)  # flags that belong to other epochs: which samples they mark is unknown
    with pytest.raises(ConfigError, match="SP3 flags of shape"):  # one of the two is enough
        PreciseProduct(dataclasses.replace(cut, clk_event=evt[:20]))
    with pytest.warns(KompasWarning, match="flag 1 maneuver and 0 clock-event samples"):  # one kind alone
        PreciseProduct(dataclasses.replace(sp3, maneuver=man))


def test_bad_order_and_frame_are_config_errors():
    sp3, _ = _orbit_product()
    for bad in (1, 26, 11.0, True):
        with pytest.raises(ConfigError):
            PreciseProduct(sp3, order=bad)
    with pytest.raises(ConfigError):
        PreciseProduct(sp3, interp_frame="eci")
    short, _ = _orbit_product(n_ep=10)
    with pytest.raises(KompasError, match="fewer than"):
        PreciseProduct(short)
    assert PreciseProduct(short, order=9).order == 9


# ----------------------------------------------------------------------------------------------
# Merging files


def _split(sp3, a, b):
    from dataclasses import replace

    flags = {k: getattr(sp3, k)[a:b].copy() for k in ("clk_event", "clk_pred", "maneuver", "orb_pred")}
    return replace(
        sp3, time_ns=sp3.time_ns[a:b], pos_m=sp3.pos_m[a:b].copy(), clk_s=sp3.clk_s[a:b].copy(), **flags
    )


def test_merge_consecutive_files_with_a_shared_epoch():
    full, _ = _orbit_product(n_ep=41)
    a, b = _split(full, 0, 21), _split(full, 20, 41)  # epoch 20 in both
    merged = PreciseProduct([b, a])  # order of the list does not matter
    whole = PreciseProduct(full)
    assert merged.time_ns.size == 41
    q = T0 + np.arange(0, 40 * 300, 47) * NS
    np.testing.assert_array_equal(merged.orbit(G01, q).pos_m, whole.orbit(G01, q).pos_m)
    # a file of one epoch (the next day's first) given first: put in time order all the same
    last = PreciseProduct([_split(full, 40, 41), _split(full, 0, 40)])
    np.testing.assert_array_equal(last.time_ns, full.time_ns)


def test_merge_keeps_the_earlier_file_and_warns_on_disagreement():
    full, t = _orbit_product(n_ep=41)
    a, b = _split(full, 0, 21), _split(full, 20, 41)
    b.pos_m[0, 0] += 5.0  # the shared epoch differs by 5 m in the later file
    with pytest.warns(KompasWarning, match="disagree"):
        merged = PreciseProduct([a, b])
    np.testing.assert_array_equal(merged.orbit(G01, t[20]).pos_m[0], full.pos_m[20, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b2 = _split(full, 20, 41)
        b2.pos_m[0, 0] += 0.03  # a few cm between daily solutions: no warning
        PreciseProduct([a, b2])


def test_merge_warns_when_sp3_or_clock_file_clocks_disagree():
    # a clock given twice 20 ns apart (6 m: another centre's datum) warns; 1 ns (0.3 m) passes
    full, t = _orbit_product(n_ep=41)
    a, b = _split(full, 0, 21), _split(full, 20, 41)
    b.clk_s[0, 1] += 20e-9
    with pytest.warns(KompasWarning, match=r"SP3 files disagree at common epochs: clocks by up to 5\.996 m"):
        PreciseProduct([a, b])
    grid = np.full((21, 2), 1e-6)
    late = grid.copy()
    late[0, 0] += 20e-9
    with pytest.warns(KompasWarning, match=r"clock files disagree .* clocks by up to 5\.996 m \(the earlier file's "
                      r"values are kept; clocks of different analysis centres have different datums: serve each "
                      r"system from one centre, kompas\.products\.mix\.PreciseMix\)$"):  # fmt: skip
        merged = PreciseProduct(
            full, [make_clk([G01, G02], t[:21], grid), make_clk([G01, G02], t[20:], late)]
        )
    assert merged.clock(G01, t[20])[0][0] == 1e-6 and merged.clock(G02, t[20])[0][0] == 1e-6  # the earlier
    both = _split(full, 20, 41)
    both.pos_m[0, 0] += 5.0
    both.clk_s[0, 1] += 20e-9
    with pytest.warns(KompasWarning, match=r"positions by up to 5\.000 m, clocks by up to 5\.996 m \("):
        PreciseProduct([a, both])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b2 = _split(full, 20, 41)
        b2.clk_s[0, 1] += 1e-9
        PreciseProduct([a, b2])
        late[0, 0] = grid[0, 0] + 1e-9
        PreciseProduct(full, [make_clk([G01, G02], t[:21], grid), make_clk([G01, G02], t[20:], late)])


def test_files_of_two_centres_serve_each_system_from_one_centre():
    from dataclasses import replace

    from kompas.products.mix import PreciseMix, precise_products

    full, t = _orbit_product(n_ep=41, sats=(G01, G02, E11))
    aaa = replace(full, agency="AAA", clk_s=np.full_like(full.clk_s, 1e-6))
    # BBB: a clock datum 30 ns off, E11 only in BBB, G02 missing in BBB: AAA serves G, BBB serves E
    clk = np.full_like(full.clk_s, 1.03e-6)
    clk[:, 1] = np.nan
    bbb = replace(full, agency="BBB", clk_s=clk)
    aaa.clk_s[:, 2] = np.nan
    q_s = np.array([G01, G02, E11, G01])
    q_t = t[[3, 3, 3, 7]] + 17 * NS
    got = []
    for files in ([aaa, bbb], [bbb, aaa]):
        product, notes = precise_products(files)
        assert isinstance(product, PreciseMix) and product.centres == {"E": "BBB", "G": "AAA"}
        assert any(n.startswith("G: AAA orbits") for n in notes)
        clk, _, status = product.clock(q_s, q_t)
        assert (status == Status.OK).all()
        np.testing.assert_allclose(clk, [1e-6, 1e-6, 1.03e-6, 1e-6], rtol=0, atol=1e-18)
        orb = product.orbit(q_s, q_t)
        np.testing.assert_array_equal(orb.pos_m, PreciseProduct(full).orbit(q_s, q_t).pos_m)
        np.testing.assert_array_equal(product.state(q_s, q_t).clk_s, clk)
        got.append(product.apc(q_s, q_t, "G01", antex=None).offset_m)
        atx = _antex(_antenna("G01", {"G01": (394.0, 20.0, 1500.0)}))
        g01 = {"G": "G01"}  # a GPS code for the GPS satellites of the mix (a plain "G01" is refused for E)
        apc = product.apc(q_s, q_t, g01, antex=atx, attitude="nominal")
        want = PreciseProduct(full).apc(q_s, q_t, g01, antex=atx, attitude="nominal")
        assert apc.source.tolist() == ["ANTEX", "", "", "ANTEX"]  # G01 only, with its full label
        np.testing.assert_array_equal(apc.offset_m[[0, 3]], want.offset_m[[0, 3]])
    assert np.isnan(got[0]).all() and np.isnan(got[1]).all()  # no ANTEX: no offset, from either order
    single, notes = precise_products([aaa])
    assert isinstance(single, PreciseProduct) and notes == []


def test_merge_refuses_inconsistent_spacing_time_systems_and_grids():
    a, _ = _orbit_product(n_ep=21)
    t15 = a.time_ns[-1] + np.arange(1, 21, dtype=np.int64) * 900 * NS
    b = make_sp3(t15, a.sats, np.ones((20, 2, 3)) * 2e7, interval_s=900.0)
    with pytest.raises(KompasError, match="spacing"):
        PreciseProduct([a, b])
    c = make_sp3(a.time_ns + 21 * 300 * NS, a.sats, a.pos_m, time_system="BDT")
    with pytest.raises(KompasError, match="time systems"):
        PreciseProduct([a, c])
    d = make_sp3(a.time_ns + 21 * 300 * NS + 100 * NS, a.sats, a.pos_m)
    with pytest.raises(KompasError, match="grid"):
        PreciseProduct([a, d])
    # a day's file and one of 13 days later: a grid mostly of gaps (more than four times the epochs)
    far = make_sp3(a.time_ns + 13 * 86400 * NS, a.sats, a.pos_m)
    with pytest.raises(
        KompasError, match=r"^SP3: files are too far apart in time to be merged \(3765 grid epochs\)$"
    ):
        PreciseProduct([a, far])


def test_merge_of_files_on_a_grid_off_the_whole_interval():
    """Files of a grid that does not start on a whole interval (300 s from hh:01:40) merge: only the
    spacing between the epochs matters."""
    from dataclasses import replace

    full, _ = _orbit_product(n_ep=41)
    shifted = replace(full, time_ns=full.time_ns + 100 * NS)
    merged = PreciseProduct([_split(shifted, 0, 21), _split(shifted, 20, 41)])
    np.testing.assert_array_equal(merged.time_ns, shifted.time_ns)


def test_merge_with_a_gap_and_different_satellites():
    full, t = _orbit_product(n_ep=60)
    a = _split(full, 0, 25)
    b = _split(full, 35, 60)
    from dataclasses import replace

    b = replace(b, sats=np.array([G02, E11], np.int16))  # G01 absent, E11 new in the later file
    prod = PreciseProduct([a, b])
    assert prod.time_ns.size == 60
    assert prod.sats.tolist() == [G01, G02, E11]
    st = prod.orbit([G02, G02, G02, G01, E11, E11], t[[10, 29, 50, 50, 10, 50]])
    assert st.status.tolist() == [0, 4, 0, 4, 4, 0]


# ----------------------------------------------------------------------------------------------
# Clocks


def _clock_setup(remove=None):
    sp3, _ = _orbit_product(n_ep=41)
    tc = T0 + np.arange(0, 40 * 300 + 1, 30, dtype=np.int64) * NS
    x = (tc - T0) / 1e9
    bias = np.stack([1e-4 + 2e-10 * x + 1e-15 * x**2, -3e-5 - 1e-11 * x], axis=1)
    if remove is not None:
        bias[remove, 0] = np.nan
    return sp3, tc, bias, PreciseProduct(sp3, make_clk([G01, G02], tc, bias))


def test_clock_at_a_sample_is_the_sample_and_between_is_linear():
    _, tc, bias, prod = _clock_setup()
    assert prod.clock_source == "clk" and prod.clock_interval_s == 30.0
    clk, rate, status = prod.clock([G01, G01, G02], tc[[100, 400, 0]])
    assert status.tolist() == [0, 0, 0]
    assert clk.tolist() == [bias[100, 0], bias[400, 0], bias[0, 1]]
    # 12 s after sample 100: c100 + (c101 - c100) * 12 / 30
    clk, rate, status = prod.clock(G01, tc[100] + 12 * NS)
    want_rate = (bias[101, 0] - bias[100, 0]) / 30.0
    assert rate[0] == pytest.approx(want_rate, rel=1e-12)
    assert clk[0] == pytest.approx(bias[100, 0] + want_rate * 12.0, rel=0, abs=1e-19)
    # the last sample exactly; up to CLOCK_EDGE_S beyond the ends the edge pair extrapolated (a signal
    # received at the first sample left 0.07 s before it), nothing farther out
    edge = round(CLOCK_EDGE_S * NS)
    clk, _, status = prod.clock(
        G01, [tc[-1], tc[-1] + edge, tc[0] - edge, tc[-1] + edge + 1, tc[0] - edge - 1]
    )
    assert status.tolist() == [0, 0, 0, 4, 4]
    assert clk[0] == bias[-1, 0]
    clk, _, _ = prod.clock(G01, tc[0], -0.07)
    assert clk[0] == pytest.approx(bias[0, 0] - 0.07 * (bias[1, 0] - bias[0, 0]) / 30.0, rel=0, abs=1e-19)
    clk, _, _ = prod.clock(G01, tc[-1], 0.5)
    assert clk[0] == pytest.approx(bias[-1, 0] + 0.5 * (bias[-1, 0] - bias[-2, 0]) / 30.0, rel=0, abs=1e-19)


def test_clock_gap_gives_no_precise():
    _, tc, bias, prod = _clock_setup(remove=[200, 201])  # 90 s between samples 199 and 202
    q = tc[199] + np.array([0, 10, 45, 80, 90]) * NS
    clk, _, status = prod.clock(G01, q)
    assert status.tolist() == [0, 4, 4, 4, 0]
    assert clk[0] == bias[199, 0] and clk[4] == bias[202, 0]
    # the other satellite has no gap
    assert np.all(prod.clock(G02, q)[2] == 0)
    # state needs the clock, orbit does not
    assert prod.state(G01, q[2]).status[0] == Status.NO_PRECISE
    assert np.isnan(prod.state(G01, q[2]).pos_m).all()
    assert prod.orbit(G01, q[2]).ok[0]


def test_clock_at_the_last_sample_is_exact_even_where_the_slope_rounds():
    # c0 + (c1 - c0) / 30 * 30 != c1 in floating point for these two values: start from the nearer sample
    sp3, tc, _, _ = _clock_setup()
    bias = np.array([[1.2573022109339331e-05], [-1.321048632913019e-05]])
    prod = PreciseProduct(sp3, make_clk([G01], tc[:2], bias))
    clk, _, status = prod.clock(G01, tc[:2])
    assert status.tolist() == [0, 0]
    assert clk.tolist() == [1.2573022109339331e-05, -1.321048632913019e-05]


def test_clock_epoch_missing_for_every_satellite_is_a_gap():
    # no record at all at sample 300: the epochs 299 and 301 are 60 s apart in a 30-s product
    sp3, tc, bias, _ = _clock_setup()
    keep = np.arange(tc.size) != 300
    prod = PreciseProduct(sp3, make_clk([G01, G02], tc[keep], bias[keep]))
    assert prod.clock_interval_s == 30.0
    q = tc[299] + np.array([0, 30, 45, 60]) * NS
    for sat in (G01, G02):
        assert prod.clock(sat, q)[2].tolist() == [0, 4, 4, 0]


def test_sp3_clocks_are_used_without_a_clock_product():
    sp3, t = _orbit_product(n_ep=41)
    sp3.clk_s[:, 0] = 1e-4 + np.arange(41) * 3e-9
    sp3.clk_s[30, 0] = np.nan  # e.g. the 999999.999999 marker
    prod = PreciseProduct(sp3)
    assert prod.clock_source == "sp3" and prod.clock_interval_s == 300.0
    st = prod.state(G01, [t[10], t[10] + 100 * NS, t[29] + 1, t[31]])
    assert st.status.tolist() == [0, 0, 4, 0]
    assert st.clk_s[0] == sp3.clk_s[10, 0]
    assert st.clk_s[1] == pytest.approx(1e-4 + 10 * 3e-9 + 1e-9, rel=1e-12)
    assert st.clk_rate[1] == pytest.approx(1e-11, rel=1e-9)


def test_sp3_clocks_of_the_same_centre_serve_outside_the_clock_file():
    # a clock file covering the middle of the SP3 span (CODE's hour of 30-s clocks in set G): with
    # sp3_clocks, before and after its samples the SP3's clocks serve, inside them the file's alone (a gap
    # stays a gap); without, those queries have no precise clock (they went to broadcast or were lost)
    sp3, t = _orbit_product(n_ep=41)
    sp3.clk_s[:, 0] = 2e-4 + np.arange(41) * 5e-9
    tc = t[10] + np.arange(0, 10 * 300 + 1, 30, dtype=np.int64) * NS  # samples 10..20 of the SP3 span
    bias = np.full((tc.size, 1), 7e-5)
    bias[40:43] = np.nan  # a gap inside the file
    q = np.array([t[5] + 100 * NS, t[12], tc[41], t[25] + 50 * NS])
    plain = PreciseProduct(sp3, make_clk([G01], tc, bias))
    both = PreciseProduct(sp3, make_clk([G01], tc, bias), sp3_clocks=True)
    assert not plain.sp3_clocks and both.sp3_clocks and both.clock_span_ns() == (int(tc[0]), int(tc[-1]))
    assert plain.clock(G01, q)[2].tolist() == [4, 0, 4, 4]
    clk, _, status = both.clock(G01, q)
    assert status.tolist() == [0, 0, 4, 0]
    assert clk[1] == 7e-5
    assert clk[0] == pytest.approx(2e-4 + 5 * 5e-9 + 100 / 300 * 5e-9, rel=1e-12)
    assert clk[3] == pytest.approx(2e-4 + 25 * 5e-9 + 50 / 300 * 5e-9, rel=1e-12)
    other = make_sp3(t, [G01, G02], sp3.pos_m, sp3.clk_s, time_system="GAL")  # clocks of another time scale
    assert not PreciseProduct(other, make_clk([G01], tc, bias), sp3_clocks=True).sp3_clocks


def test_state_fills_every_field():
    sp3, tc, bias, prod = _clock_setup()
    sp3b = make_sp3(sp3.time_ns, sp3.sats, sp3.pos_m, accuracy_m=[0.032, np.nan])
    prod = PreciseProduct(sp3b, make_clk([G01, G02], tc, bias))
    st = prod.state([G01, G02], tc[50], offset_s=-0.07)
    assert st.ok.all()
    np.testing.assert_allclose(st.pos_m, prod.orbit([G01, G02], tc[50], -0.07).pos_m, rtol=0, atol=0)
    assert st.var_m2[0] == pytest.approx(0.032**2) and np.isnan(st.var_m2[1])
    assert st.clk_s[0] == pytest.approx(bias[50, 0] - 0.07 * (bias[50, 0] - bias[49, 0]) / 30.0, rel=1e-12)


def test_satellites_missing_from_the_clock_product_have_no_clock():
    sp3, tc, bias, _ = _clock_setup()
    prod = PreciseProduct(sp3, make_clk([G01], tc, bias[:, :1]))
    st = prod.state([G01, G02], tc[50])
    assert st.status.tolist() == [0, 4]


def test_clock_files_with_different_intervals_are_refused():
    sp3, tc, bias, _ = _clock_setup()
    c1 = make_clk([G01], tc[:100], bias[:100, :1])
    c2 = make_clk([G01], tc[100::10], bias[100::10, :1])
    with pytest.raises(KompasError, match="sampling intervals"):
        PreciseProduct(sp3, [c1, c2])
    merged = PreciseProduct(sp3, [make_clk([G01], tc[150:], bias[150:, :1]), c1])
    assert merged.clock(G01, tc[120])[2][0] == Status.NO_PRECISE  # between the two files: a gap
    assert merged.clock(G01, tc[[50, 200]])[2].tolist() == [0, 0]


# ----------------------------------------------------------------------------------------------
# Antenna phase-centre offsets


def _antenna(sat, freqs, valid=(None, None)):
    return Antenna(
        type="BLOCK TEST",
        serial=sat,
        sat=int(sat_index(sat)),
        svn="G999",
        cospar="",
        method="",
        agency="",
        n_calibrated=None,
        date="",
        sinex_code="",
        valid_from_ns=valid[0],
        valid_until_ns=valid[1],
        zen_rad=np.zeros(1),
        azi_rad=None,
        freqs={
            k: AntennaFrequency(k, np.asarray(v, float) * 1e-3, np.zeros(1), None) for k, v in freqs.items()
        },
        comments=(),
    )


def _antex(*antennas):
    return Antex(1.4, "M", "A", "", "", (), list(antennas))


def test_apc_offset_rotates_the_body_pco_with_the_nominal_yaw_frame():
    sp3, t = _orbit_product(sats=(G01, G02, E11))
    prod = PreciseProduct(sp3)
    atx = _antex(_antenna("G01", {"G01": (394.0, 20.0, 1500.0), "G02": (394.0, 20.0, 1500.0)}))
    q = t[[5, 10, 20]]
    apc = prod.apc_offset(G01, q, atx, "G01")
    r = prod.orbit(G01, q).pos_m
    ez = -r / np.linalg.norm(r, axis=1, keepdims=True)
    e_sun = sun_position_ecef(q) - r
    e_sun /= np.linalg.norm(e_sun, axis=1, keepdims=True)
    ey = np.cross(ez, e_sun)
    ey /= np.linalg.norm(ey, axis=1, keepdims=True)
    ex = np.cross(ey, ez)
    np.testing.assert_allclose(np.linalg.norm(apc, axis=1), np.linalg.norm([0.394, 0.02, 1.5]), rtol=1e-12)
    np.testing.assert_allclose(np.sum(apc * ez, axis=1), 1.5, atol=1e-12)
    np.testing.assert_allclose(np.sum(apc * ey, axis=1), 0.02, atol=1e-12)
    np.testing.assert_allclose(np.sum(apc * ex, axis=1), 0.394, atol=1e-12)
    # band digits without a letter take the satellite's system
    np.testing.assert_array_equal(prod.apc_offset(G01, q, atx, "01"), apc)


def test_apc_ionosphere_free_combination():
    sp3, t = _orbit_product()
    prod = PreciseProduct(sp3)
    atx = _antex(_antenna("G01", {"G01": (0.0, 0.0, 1188.42), "G02": (0.0, 0.0, 702.29)}))
    apc = prod.apc_offset(G01, t[10], atx, ("G01", "G02"))
    f1, f2 = 1575.42e6, 1227.60e6  # IS-GPS-200 L1, L2
    want = (f1**2 * 1.18842 - f2**2 * 0.70229) / (f1**2 - f2**2)
    assert want == pytest.approx(1.93984, abs=1e-5)  # by hand: (2.5457 * 1.18842 - 1.5457 * 0.70229)
    assert np.linalg.norm(apc[0]) == pytest.approx(want, rel=1e-12)


def test_apc_nan_rows_and_errors():
    sp3, t = _orbit_product(sats=(G01, G02, E11))
    prod = PreciseProduct(sp3)
    atx = _antex(
        _antenna("G01", {"G01": (0.0, 0.0, 1000.0)}, valid=(int(t[0]), int(t[10]))),
        _antenna("E11", {"E01": (0.0, 0.0, 800.0), "E05": (0.0, 0.0, 600.0)}),
    )
    apc = prod.apc_offset([G01, G01, G02, G01], t[[5, 20, 5, 5]], atx, "01")
    ok = ~np.isnan(apc).any(axis=1)
    # valid block / outside its validity / no block at all / valid block again
    assert ok.tolist() == [True, False, False, True]
    assert np.isnan(prod.apc_offset(G01, t[5], atx, "02")).all()  # frequency not calibrated
    # orbit not available -> NaN
    assert np.isnan(prod.apc_offset(G01, t[-1] + 3600 * NS, atx, "01")).all()
    # mixed systems through a mapping; systems not in it give NaN
    apc = prod.apc_offset([G01, E11], t[5], atx, {"E": ("01", "05")})
    assert np.isnan(apc[0]).all()
    assert np.linalg.norm(apc[1]) == pytest.approx(
        (1575.42**2 * 0.8 - 1176.45**2 * 0.6) / (1575.42**2 - 1176.45**2), rel=1e-12
    )
    with pytest.raises(ConfigError):
        prod.apc_offset([G01, E11], t[5], atx, "G01")  # a GPS code asked for a Galileo satellite
    with pytest.raises(ConfigError):
        prod.apc_offset(G01, t[5], atx, ("G01", "G01"))
    with pytest.raises(ConfigError):
        prod.apc_offset(G01, t[5], atx, "L1")
    # the codes are checked for a satellite the ANTEX file lacks too (its rows stay NaN otherwise)
    assert G02 not in set(int(x) for x in atx.satellites())
    with pytest.raises(ConfigError, match="invalid ANTEX frequency code 'ZZ'"):
        prod.apc_offset(G02, t[5], atx, "ZZ")
    with pytest.raises(ConfigError, match="'C01' asked for a satellite of system 'G'"):
        prod.apc_offset(G02, t[5], atx, "C01")


def test_apc_takes_the_catalogs_nominal_offsets_where_the_antex_lacks_the_satellite():
    """``apc`` with a satellite catalog: ANTEX offsets where the file has the satellite, the block's nominal
    offset (already ionosphere-free) elsewhere or everywhere with ``prefer="nominal"``; the default
    attitude is the model's (yaw angles reported), ``"nominal"`` gives the yaw-steering frame only."""
    from kompas.tables.satellites import SatelliteCatalog

    sp3, t = _orbit_product(sats=(G01, G02, E11))
    prod = PreciseProduct(sp3)
    atx = _antex(_antenna("G01", {"G01": (0.0, 0.0, 1000.0)}))
    rec = dict(source="PRIDE", valid_from_ns=0, valid_until_ns=2**62)
    catalog = SatelliteCatalog.from_records(
        [
            dict(rec, sat=G01, svn="G063", block="BLOCK IIF"),
            dict(rec, sat=G02, svn="G061", block="BLOCK IIR-B"),
        ],
        nominal_offsets={"BLOCK IIF": np.array([0.0, 0.0, 2.0]), "BLOCK IIR-B": np.array([0.0, 0.0, 0.5])},
    )
    s, q = [G01, G02, E11], t[[5, 5, 5]]
    out = prod.apc(s, q, "01", antex=atx, catalog=catalog)
    assert out.source.tolist() == ["ANTEX", "NOMINAL", ""]
    np.testing.assert_allclose(np.linalg.norm(out.offset_m[:2], axis=1), [1.0, 0.5], rtol=1e-12)
    assert np.isnan(out.offset_m[2]).all()
    assert np.isfinite(out.yaw_rad[:2]).all() and np.isnan(out.yaw_rad[2])
    model = prod.apc(s, q, "01", antex=atx, catalog=catalog, attitude="model")
    np.testing.assert_array_equal(model.offset_m, out.offset_m)
    nominal = prod.apc(s, q, "01", antex=atx, catalog=catalog, attitude="nominal")
    assert np.isnan(nominal.yaw_rad).all()
    np.testing.assert_allclose(np.linalg.norm(nominal.offset_m[:2], axis=1), [1.0, 0.5], rtol=1e-12)
    first = prod.apc(s, q, "01", antex=atx, catalog=catalog, prefer="nominal")
    assert first.source.tolist() == ["NOMINAL", "NOMINAL", ""]
    np.testing.assert_allclose(np.linalg.norm(first.offset_m[:2], axis=1), [2.0, 0.5], rtol=1e-12)
    # without a catalog only the ANTEX offsets exist
    assert prod.apc(s, q, "01", antex=atx).source.tolist() == ["ANTEX", "", ""]
    # without an ANTEX file the catalog alone serves its blocks
    alone = prod.apc(s, q, "01", catalog=catalog)
    assert alone.source.tolist() == ["NOMINAL", "NOMINAL", ""]
    np.testing.assert_allclose(np.linalg.norm(alone.offset_m[:2], axis=1), [2.0, 0.5], rtol=1e-12)


def test_centre_of_a_file_from_its_long_name_else_its_header():
    from types import SimpleNamespace

    from kompas.products.mix import centre_of

    long = SimpleNamespace(path="/x/COD0MGXFIN_20201770000_01D_05M_ORB.SP3", agency="IGS")
    assert centre_of(long) == "COD"  # the long name wins over the header
    assert centre_of(SimpleNamespace(path="/x/igs21000.sp3", agency=" grg ")) == "GRG"
    # clock files carry the analysis centre's name where the agency is blank
    assert centre_of(SimpleNamespace(path=None, agency="", analysis_center="ESA/ESOC")) == "ESA"
    assert centre_of(SimpleNamespace(agency="", analysis_center="")) == "?"
    assert centre_of(SimpleNamespace()) == "?"


def test_choose_centres_counts_clocks_then_orbits_of_each_system():
    from kompas.products.mix import choose_centres

    class Files:
        def __init__(self, clocks, orbits, epochs=96):
            self.clocks, self.orbits, self.epochs = clocks, orbits, epochs

        def clock_count(self, letter):
            return self.clocks.get(letter, 0)

        def sp3_count(self, letter):
            return self.orbits.get(letter, 0)

        def sp3_epochs(self):
            return self.epochs

    groups = {
        "GRG": Files({"G": 31, "E": 20}, {"G": 31, "E": 20}),
        "COD": Files({"G": 31}, {"G": 32, "C": 40}),
        "WUM": Files({}, {"C": 44, "E": 24}),
    }
    # G: clocks tie (31), COD's SP3 has more; E: GRG's clocks win over WUM's larger SP3; C: WUM's SP3
    assert choose_centres(groups, "GECR") == {"G": "COD", "E": "GRG", "C": "WUM"}
    tie = {"A": Files({"G": 5}, {"G": 5}), "B": Files({"G": 5}, {"G": 5})}
    assert choose_centres(tie, "G") == {"G": "A"}  # a tie keeps the order the files came in
    longer = {"A": Files({}, {"G": 5}, 73), "B": Files({}, {"G": 5}, 288)}
    assert choose_centres(longer, "G") == {"G": "B"}  # then the SP3 files that cover more epochs
    assert choose_centres(groups, "G", {"G": "grg"}) == {"G": "GRG"}
    # a centre asked for one system leaves the choice of the others as it was
    assert choose_centres(groups, "GECR", {"G": "grg"}) == {"G": "GRG", "E": "GRG", "C": "WUM"}
    with pytest.raises(ConfigError, match="no file of it"):
        choose_centres(groups, "G", {"G": "ESA"})
    with pytest.raises(ConfigError, match="no orbits and clocks of system R"):
        choose_centres(groups, "R", {"R": "COD"})


def test_empty_states_are_no_ephemeris_in_uint8():
    from kompas.products.state import SatState

    st = SatState.empty(3)
    assert st.status.dtype == np.uint8 and np.all(st.status == Status.NO_EPHEMERIS)
    assert np.isnan(st.pos_m).all() and np.isnan(st.clk_s).all() and not st.ok.any()


def test_a_product_of_sp3_files_without_epochs_is_refused():
    sp3, _ = _orbit_product(n_ep=0)
    with pytest.raises(KompasError, match="^no SP3 epochs to interpolate$"):
        PreciseProduct(sp3)


def test_times_given_as_gtime_pass_and_datetime64_is_refused():
    from kompas import GTime
    from kompas.errors import TimeError

    sp3, t = _orbit_product()
    prod = PreciseProduct(sp3)
    at = int(t[20]) + 7 * NS
    want = prod.state([G01, G02], at)
    got = prod.state([G01, G02], GTime(at))
    assert got.status.tolist() == [0, 0] and np.array_equal(got.pos_m, want.pos_m)
    assert np.array_equal(prod.state([G01, G02], [GTime(at), GTime(at)]).clk_s, want.clk_s)
    for bad in (GTime(at).to_datetime64(), np.datetime64("2020-06-25T01:40:07")):
        # an int64 cast read these as 2020 seconds (or ns) after 1970 in GPST: NO_PRECISE, not an error
        with pytest.raises(TimeError, match=r"t_gpst_ns must be integer .*from_datetime64"):
            prod.state(G01, bad)
