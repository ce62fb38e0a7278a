"""Simulated observations through kompas's SPP: closed-loop checks (kompas.sim)."""

import warnings

import numpy as np
import pytest

from kompas import carrier_frequency, gtime_from_calendar, sat_id, sat_index, spp
from kompas.errors import ConfigError
from kompas.frames import ecef_to_enu, geodetic_to_ecef
from kompas.satsys import signal_id
from kompas.sim import ErrorModel, make_nav, nominal_elements, simulate_obs

START = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
LAT, LON, H = -6.1754, 106.8272, 10.0  # Jakarta
RCV = geodetic_to_ecef(np.array([np.radians(LAT), np.radians(LON), H]))
C = 299792458.0


@pytest.fixture(scope="module")
def nav_truth():
    return make_nav(nominal_elements("CRGE", START), START, 2.0, seed=7)


def _obs(nav_truth, errors, seed=1, hours=2.0, interval=30.0, systems="CRGE"):
    nav, truth = nav_truth
    return simulate_obs(truth, nav, RCV, START, hours, interval, systems, errors, seed)


@pytest.fixture(scope="module")
def clean(nav_truth):
    return _obs(nav_truth, ErrorModel.none())


def _enu(sol):
    assert np.all(np.isfinite(sol.pos_m))
    return ecef_to_enu(sol.pos_m, RCV)


@pytest.mark.parametrize("systems", ["C", "R", "CRGE"])
def test_closed_loop_recovers_position(nav_truth, clean, systems):
    nav, _ = nav_truth
    sol = spp(clean, nav, systems=systems, iono="off", tropo="off")
    assert sol.time_ns.size == 240
    assert np.abs(_enu(sol)).max() < 1e-3


def test_troposphere_only(nav_truth):
    """Saastamoinen's slant form, the model SPP corrects with: the closed loop to 1 cm."""
    nav, _ = nav_truth
    obs = _obs(nav_truth, ErrorModel(troposphere=True, troposphere_model="saastamoinen"))
    enu = _enu(spp(obs, nav, systems="CRGE", iono="off", tropo="off"))
    up, hor = np.abs(enu[:, 2]).mean(), np.abs(enu[:, :2]).mean(axis=0)
    assert up > 5.0  # a zenith delay of ~2.4 m maps into the height with the clock
    assert np.all(up > 10 * hor)
    enu = _enu(spp(obs, nav, systems="CRGE", iono="off", tropo="saas"))
    assert np.abs(enu).max() < 0.01


@pytest.mark.parametrize("height", [-105.7, -400.0, 11_000.0])
def test_troposphere_beyond_rtklib_heights(nav_truth, height):
    """A ship where the geoid is -105.7 m, the Dead Sea shore, an aircraft: RTKLIB's Saastamoinen gives
    no delay below -100 m or above 10 km (SPP solved no epoch at -105.7 m); kompas's continues."""
    nav, truth = nav_truth
    xyz = geodetic_to_ecef(np.array([np.radians(LAT), np.radians(LON), height]))
    errors = ErrorModel(troposphere=True, troposphere_model="saastamoinen")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the simulator keeps its troposphere there
        obs = simulate_obs(truth, nav, xyz, START, 0.25, 30.0, "CRGE", errors, 1)
    sol = spp(obs, nav, systems="CRGE", iono="off", tropo="saas")
    assert sol.ok.all() and sol.time_ns.size == 30
    assert np.abs(ecef_to_enu(sol.pos_m, xyz)).max() < 0.01
    up = ecef_to_enu(spp(obs, nav, systems="CRGE", iono="off", tropo="off").pos_m, xyz)[:, 2]
    assert up.min() > (1.0 if height > 0 else 4.0)  # a delay was simulated: without a model, up by metres


def test_troposphere_mapped_with_niell_by_default(nav_truth, clean):
    """The default troposphere: the same zenith delays, mapped with Niell (1996), which at 5 degrees is
    about 12 % below the slant form's 1/sin(el); SPP correcting with that form ends decimetres low."""
    nav, _ = nav_truth
    niell = _obs(nav_truth, ErrorModel(troposphere=True))
    slant = _obs(nav_truth, ErrorModel(troposphere=True, troposphere_model="saastamoinen"))
    d_niell, d_slant = niell.code_m - clean.code_m, slant.code_m - clean.code_m
    ok = np.isfinite(d_niell) & np.isfinite(d_slant)
    d_niell, d_slant = d_niell[ok], d_slant[ok]
    near_zenith = d_slant < 2.45  # within ~5 deg of the zenith (zenith delay 2.434 m here)
    assert near_zenith.any() and np.abs(d_niell - d_slant)[near_zenith].max() < 2e-4
    low = d_slant > 25.0  # below ~5.6 deg
    assert low.any() and 0.87 < (d_niell / d_slant)[low].min() < 0.90
    enu = _enu(spp(niell, nav, systems="CRGE", iono="off", tropo="saas", elmask_deg=10.0))
    assert -0.25 < enu[:, 2].mean() < -0.10


def test_receiver_isb_absorbed_by_system_clocks(nav_truth):
    nav, _ = nav_truth
    obs = _obs(nav_truth, ErrorModel(isb=True))
    sol = spp(obs, nav, systems="CRGE", iono="off", tropo="off")
    assert np.abs(_enu(sol)).max() < 1e-3
    # the clocks differ by the biases (default isb_m: R 25, E 2.5, C -8 m relative to GPS)
    assert np.nanmedian(sol.clock_m["R"] - sol.clock_m["G"]) == pytest.approx(25.0, abs=1e-3)
    assert np.nanmedian(sol.clock_m["C"] - sol.clock_m["G"]) == pytest.approx(-8.0, abs=1e-3)


def test_ionosphere_removed_by_iono_free(nav_truth):
    nav, _ = nav_truth
    obs = _obs(nav_truth, ErrorModel(ionosphere=True))
    off = _enu(spp(obs, nav, systems="CRG", iono="off", tropo="off"))
    assert np.abs(off).max() > 1.0
    sol = spp(obs, nav, systems="CRG", iono="if", tropo="off")
    assert np.abs(_enu(sol)).max() < 1e-3


def test_glonass_phase_uses_channel_wavelength(clean):
    # R01 is on channel +1, R10 on -7: G1 = 1602 + 0.5625 k MHz, G2 = 1246 + 0.4375 k MHz. Without
    # errors phase - code / lambda is the integer ambiguity (GLONASS has no broadcast group delay).
    for sat, f1, f2 in (("R01", 1602.5625e6, 1246.4375e6), ("R10", 1598.0625e6, 1242.9375e6)):
        for sig, f in (("1C", f1), ("2C", f2)):
            m = (clean.sat == sat_index(sat)) & (clean.signal == signal_id(sig))
            if not m.any():
                continue
            n = clean.phase_cyc[m] - clean.code_m[m] * f / C
            assert np.abs(n - np.round(n)).max() < 1e-4
            assert np.ptp(np.round(n)) == 0
            n0 = clean.phase_cyc[m] - clean.code_m[m] * 1602e6 / C  # channel 0 would not fit
            assert np.ptp(n0) > 1.0
    assert {1, 10} <= set(clean.header.glonass_channels.as_dict())


def test_doppler_matches_phase_rate(clean):
    m = (clean.sat == sat_index("C19")) & (clean.signal == signal_id("2I"))
    if not m.any():
        m = (clean.sat == clean.sat[0]) & (clean.signal == clean.signal[0])
    t = clean.time_ns[m] * 1e-9
    ph, dop = clean.phase_cyc[m], clean.doppler_hz[m]
    rate = (ph[2:] - ph[:-2]) / (t[2:] - t[:-2])
    assert np.abs(rate + dop[1:-1]).max() < 0.05  # Hz; the central difference is accurate to mHz


def test_determinism(nav_truth):
    a = _obs(nav_truth, ErrorModel.default(), seed=11, hours=0.25)
    b = _obs(nav_truth, ErrorModel.default(), seed=11, hours=0.25)
    c = _obs(nav_truth, ErrorModel.default(), seed=12, hours=0.25)
    for f in ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz"):
        assert np.array_equal(getattr(a, f), getattr(b, f))
    assert np.array_equal(a.sat, c.sat)
    d = a.code_m - c.code_m
    assert np.std(d) > 0.1  # different noise and multipath


def test_bds_geo_visible_with_expected_elevations(nav_truth, clean):
    _, truth = nav_truth
    seen = set(sat_id(np.unique(clean.sat)).tolist())
    assert {"C01", "C02", "C03", "C04", "C05", "C59", "C60", "C61"} <= seen
    # elevation of a geostationary point seen from Jakarta (spherical Earth):
    # cos g = cos(lat) cos(dlon), el = atan((cos g - R/r) / sin g); R/r = 6378 / 42164
    from kompas.frames import azimuth_elevation

    for sat, lon in (("C01", 144.5), ("C05", 58.7), ("C59", 140.0), ("C60", 80.0), ("C61", 110.5)):
        cg = np.cos(np.radians(LAT)) * np.cos(np.radians(lon - LON))
        expect = np.degrees(np.arctan((cg - 6378.0 / 42164.0) / np.sqrt(1 - cg * cg)))
        st = truth.state([sat], [START + 3600 * 10**9])
        el = np.degrees(azimuth_elevation(st.pos_m, RCV)[1][0])
        assert el == pytest.approx(expect, abs=0.6)


def test_header_and_table_shape(clean):
    h = clean.header
    d = np.linalg.norm(h.approx_position_m - RCV)
    assert d == pytest.approx(3.0, abs=1e-6)
    assert h.obs_types["C"][:4] == ("C1P", "L1P", "D1P", "S1P")
    assert "C2W" in h.obs_types["G"] and "C7Q" in h.obs_types["E"] and "C2C" in h.obs_types["R"]
    assert clean.n_epochs == 240 and clean.interval_s() == 30.0
    # rows sorted by epoch, then satellite, then signal
    key = (clean.time_ns - START) // 10**9 * 10**6 + clean.sat.astype(np.int64) * 1000 + clean.signal
    assert np.all(np.diff(key) > 0)
    assert np.all((clean.cn0_dbhz > 25) & (clean.cn0_dbhz < 55))
    # C/N0 = 32 + 16 sin(el) dB-Hz on B1I: C60 (80 E) stays near 57.9 deg elevation -> about 45.6 dB-Hz
    m = (clean.sat == sat_index("C60")) & (clean.signal == signal_id("2I"))
    assert np.median(clean.cn0_dbhz[m]) == pytest.approx(32 + 16 * np.sin(np.radians(57.9)), abs=0.2)
    assert clean.systems == "GREC"


def test_cycle_slips_are_integer_and_flagged(nav_truth, clean):
    obs = _obs(nav_truth, ErrorModel(cycle_slips=True, slip_rate_per_hour=20.0))
    assert np.array_equal(obs.code_m, clean.code_m)
    jump = obs.phase_cyc - clean.phase_cyc
    assert np.allclose(jump, np.round(jump), atol=1e-6)
    assert obs.lli.sum() > 0 and np.any(jump != 0)


def test_bad_systems(nav_truth):
    with pytest.raises(ConfigError):
        _obs(nav_truth, ErrorModel.none(), systems="CJ")


def test_simulate_one_call():
    from kompas.sim import simulate

    res = simulate(RCV, START, hours=0.25, interval_s=60.0, systems="C,R", errors="none", seed=2)
    assert res.obs.n_epochs == 15 and res.obs.systems == "RC"
    sol = spp(res.obs, res.nav, systems="CR", iono="off", tropo="off")
    assert np.abs(_enu(sol)).max() < 1e-3
    with pytest.raises(ConfigError):
        simulate(RCV, START, errors="some")
    # a navigation file's own constellation (here the simulated one) can be the truth instead
    again = simulate(RCV, START, hours=0.25, interval_s=60.0, systems="C,R", errors="none", nav=res.nav)
    sol = spp(again.obs, again.nav, systems="CR", iono="off", tropo="off")
    assert sol.ok.all() and np.abs(_enu(sol)).max() < 1e-3


def test_glonass_inter_frequency_biases(nav_truth, clean):
    """Code and phase of each GLONASS satellite shift by the per-channel bias times its channel k;
    other systems are untouched."""
    import dataclasses

    from kompas.satsys import sat_system

    errors = dataclasses.replace(ErrorModel.none(), glonass_ifb=True)
    biased = _obs(nav_truth, errors, hours=0.25)
    ref = _obs(nav_truth, ErrorModel.none(), hours=0.25)
    assert np.array_equal(biased.sat, ref.sat) and np.array_equal(biased.signal, ref.signal)
    chans = ref.header.glonass_channels
    glo = sat_system(ref.sat) == 2
    k = np.zeros(len(ref))
    k[glo] = chans.channel(ref.sat[glo] % 100)
    np.testing.assert_allclose(biased.code_m - ref.code_m, 0.1 * k, atol=1e-6)
    lam = 299792458.0 / carrier_frequency(ref.sat, ref.signal, chans)
    np.testing.assert_allclose((biased.phase_cyc - ref.phase_cyc) * lam, 0.005 * k, atol=1e-6)
    assert np.any(k != 0)


def test_simulated_glonass_records_say_their_g2_delay_is_zero(nav_truth, tmp_path):
    """The simulated G2 leaves with G1: delta tau_n is 0 in the records and in the RINEX 3.05 file, not
    the "unknown" 0.999999999999E+09 that RTKLIB-EX applies as a delay (GLONASS SPP 50 m RMS there)."""
    from kompas.io.writers.rinex_nav import write_nav

    nav, _ = nav_truth
    assert len(nav.glonass) and np.all(nav.glonass.delta_tau_s == 0.0)
    path = tmp_path / "sim.rnx"
    write_nav(nav, path)
    assert ".999999999999E+09" not in path.read_text().upper()


def test_a_receiver_above_the_ionosphere_is_told_about_the_thin_shell_models(nav_truth):
    """At 400 km (a LEO receiver) Klobuchar, BDGIM and IONEX give the whole ionosphere's delay as for a
    receiver on the ground: a note and a warning say so; NeQuick-G integrates from the receiver."""
    from kompas.errors import KompasWarning

    nav, truth = nav_truth
    notes = {}
    for height in (10.0, 40e3, 400e3):
        xyz = geodetic_to_ecef(np.array([np.radians(LAT), np.radians(LON), height]))
        obs = simulate_obs(truth, nav, xyz, START, 0.1, 60.0, "CRGE", ErrorModel.none(), 1)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            sol = spp(obs, nav, systems="CRGE", tropo="off")
        assert sol.ok.all()
        notes[height] = [n for n in sol.record.notes if "km high" in n]
        assert [str(w.message) for w in seen if issubclass(w.category, KompasWarning) and "km high" in str(
            w.message)] == notes[height]  # fmt: skip
    assert notes[10.0] == [] and notes[40e3] == []
    assert len(notes[400e3]) == 1 and notes[400e3][0].startswith("the receiver is 400 km high: ")
    assert "C2, C3, G, R" in notes[400e3][0] and " E," not in notes[400e3][0]
    xyz = geodetic_to_ecef(np.array([np.radians(LAT), np.radians(LON), 400e3]))
    obs = simulate_obs(truth, nav, xyz, START, 0.1, 60.0, "CRGE", ErrorModel.none(), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dual = spp(obs, nav, systems="CRGE", tropo="off", iono="if")
    assert not [n for n in dual.record.notes if "km high" in n]
