"""Two receivers (base and rover) for RTK: shared satellites and atmosphere, own noise, clocks and biases."""

import dataclasses

import numpy as np
import pytest

from kompas import carrier_frequency, gtime_from_calendar, sat_id, sat_index
from kompas.errors import ConfigError
from kompas.frames import ecef_to_enu, geodetic_to_ecef
from kompas.satsys import signal_id
from kompas.sim import ErrorModel, rover_error_model, simulate_baseline

START = int(gtime_from_calendar(2025, 1, 1, 6, 0, 0))
BASE = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 30.0]))  # Wuhan
C = 299792458.0


def _run(errors, offset=(0.0, 0.0, 0.0), rover_errors=None, hours=0.25):
    return simulate_baseline(BASE, START, offset_enu_m=offset, hours=hours, interval_s=30.0, systems="GRCE",
                             errors=errors, rover_errors=rover_errors, seed=4)  # fmt: skip


def _key(obs):
    return (obs.time_ns - START) // 10**9 * 10**6 + obs.sat.astype(np.int64) * 1000 + obs.signal


def _common(a, b):
    """Row indices of a and b for the (epoch, satellite, signal) both have."""
    _, ia, ib = np.intersect1d(_key(a), _key(b), return_indices=True)
    return ia, ib


def test_baseline_geometry_and_shared_satellites():
    res = _run("none", offset=(1000.0, -500.0, 20.0))
    np.testing.assert_allclose(res.baseline_enu_m, [1000.0, -500.0, 20.0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        ecef_to_enu(res.rover.receiver_ecef_m, BASE), [1000.0, -500.0, 20.0], rtol=0, atol=1e-6
    )
    assert res.base.nav is res.rover.nav and res.base.truth is res.rover.truth
    assert res.base.obs.header.marker_name == "BASE" and res.rover.obs.header.marker_name == "ROVR"
    assert set(np.unique(res.base.obs.sat)) == set(np.unique(res.rover.obs.sat))
    assert np.array_equal(res.base.obs.epoch_time_ns, res.rover.obs.epoch_time_ns)
    with pytest.raises(ConfigError):
        simulate_baseline(BASE, START, hours=0.1)  # no rover position


def _atmosphere(res_on, res_off):
    """Per receiver: code of the run with the atmosphere minus the run without, on common rows."""
    out = []
    for on, off in ((res_on.base.obs, res_off.base.obs), (res_on.rover.obs, res_off.rover.obs)):
        assert np.array_equal(on.sat, off.sat)
        out.append(on.code_m - off.code_m)
    return out


def _atm_difference(atm, offset):
    on, off = _run(atm, offset, rover_errors=atm), _run("none", offset, rover_errors=ErrorModel.none())
    d_base, d_rover = _atmosphere(on, off)
    assert np.median(d_base) > 0.5  # metres of delay
    ia, ib = _common(on.base.obs, on.rover.obs)
    return np.abs(d_base[ia] - d_rover[ib])


def test_atmosphere_is_shared_and_decorrelates_with_distance():
    """Troposphere and ionosphere are fields evaluated at each receiver: identical at zero baseline (to the
    micrometres of the slightly different reception instants), and apart by more as the receivers are."""
    for atm in (ErrorModel(troposphere=True), ErrorModel(ionosphere=True)):
        assert _atm_difference(atm, (0.0, 0.0, 0.0)).max() < 1e-4
    iono = ErrorModel(ionosphere=True)
    d5 = np.median(_atm_difference(iono, (3000.0, 4000.0, 0.0)))  # 5 km
    d50 = np.median(_atm_difference(iono, (30000.0, 40000.0, 0.0)))  # 50 km
    assert 1e-3 < d5 < 0.05 and 5.0 < d50 / d5 < 20.0


def _dd_ambiguity(res, sig, sats):
    """Double-difference phase - code / lambda (cycles) of a signal between two satellites, per common epoch."""
    per = []
    for part in (res.base.obs, res.rover.obs):
        vals = {}
        for s in sats:
            m = (part.sat == sat_index(s)) & (part.signal == signal_id(sig))
            f = carrier_frequency(part.sat[m], part.signal[m], part.header.glonass_channels)
            vals[s] = dict(
                zip(
                    part.time_ns[m].tolist(),
                    (part.phase_cyc[m] - part.code_m[m] * f / C).tolist(),
                    strict=True,
                )
            )
        per.append(vals)
    t = set.intersection(*(set(v[s]) for v in per for s in sats))
    assert len(t) > 10
    return np.array(
        [
            (per[1][sats[0]][k] - per[1][sats[1]][k]) - (per[0][sats[0]][k] - per[0][sats[1]][k])
            for k in sorted(t)
        ]
    )


def test_double_difference_ambiguities_are_the_recorded_integers():
    res = _run("none", offset=(5.0, 5.0, 0.0), rover_errors=ErrorModel.none())
    seen = [str(s) for s in sat_id(np.unique(res.base.obs.sat))]
    g = [s for s in seen if s[0] == "G"][:2]
    dd = _dd_ambiguity(res, "1C", g)
    amb = [r.record["ambiguity_cycles"] for r in (res.base, res.rover)]
    expect = (amb[1][f"{g[0]} 1C"] - amb[1][f"{g[1]} 1C"]) - (amb[0][f"{g[0]} 1C"] - amb[0][f"{g[1]} 1C"])
    assert np.abs(dd - expect).max() < 1e-3  # integers, as recorded in truth.json
    assert len(set(amb[0].values()) & set(amb[1].values())) < 5  # each receiver draws its own


def test_glonass_phase_biases_differ_between_makes():
    """Rover of another make: the DD GLONASS ambiguity is off an integer by the phase IFB difference."""
    base_err = ErrorModel(glonass_ifb=True)
    res = _run(base_err, offset=(5.0, 5.0, 0.0))
    rov = rover_error_model(base_err)
    assert rov.ifb_phase_m_per_channel != base_err.ifb_phase_m_per_channel
    seen = [str(s) for s in sat_id(np.unique(res.base.obs.sat)) if str(s)[0] == "R"]
    chans = res.base.obs.header.glonass_channels
    pairs = [(a, b) for a in seen for b in seen if chans.channel(int(a[1:])) != chans.channel(int(b[1:]))]
    a, b = pairs[0]
    dk = chans.channel(int(a[1:])) - chans.channel(int(b[1:]))
    dd = _dd_ambiguity(res, "1C", [a, b])
    amb = [r.record["ambiguity_cycles"] for r in (res.base, res.rover)]
    n = (amb[1][f"{a} 1C"] - amb[1][f"{b} 1C"]) - (amb[0][f"{a} 1C"] - amb[0][f"{b} 1C"])
    # phase IFB difference (-0.003 - 0.005) m per channel, code IFB difference (-0.15 - 0.1) m per channel
    lam = C / (1602e6 + 0.5625e6 * chans.channel(int(a[1:])))
    lam_b = C / (1602e6 + 0.5625e6 * chans.channel(int(b[1:])))
    k_a, k_b = chans.channel(int(a[1:])), chans.channel(int(b[1:]))
    expect = n + (-0.008) * (k_a / lam - k_b / lam_b) - (-0.25) * (k_a / lam - k_b / lam_b)
    assert np.median(dd) == pytest.approx(expect, abs=2e-3) and dk != 0
    assert abs(np.median(dd) - round(np.median(dd))) > 0.01  # not an integer


def test_receiver_specific_noise_and_clocks():
    res = _run(ErrorModel(noise=True), offset=(0.0, 0.0, 0.0), rover_errors=ErrorModel(noise=True))
    assert res.base.sim.receiver_clock_s(0) != res.rover.sim.receiver_clock_s(0)
    clean = _run("none", offset=(0.0, 0.0, 0.0), rover_errors=ErrorModel.none())
    nb = res.base.obs.code_m - clean.base.obs.code_m
    nr = res.rover.obs.code_m - clean.rover.obs.code_m
    ia, ib = _common(res.base.obs, res.rover.obs)
    assert abs(np.corrcoef(nb[ia], nr[ib])[0, 1]) < 0.05  # independent
    assert 0.2 < np.std(nb) < 1.5


def test_rover_error_model_changes_only_receiver_biases():
    e = ErrorModel.default()
    r = rover_error_model(e)
    changed = {f.name for f in dataclasses.fields(e) if getattr(e, f.name) != getattr(r, f.name)}
    assert changed == {"ifb_m_per_channel", "ifb_phase_m_per_channel", "isb_m"}
