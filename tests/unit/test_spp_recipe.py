"""The SPP recipe end to end on simulated observations whose every error is known: the ionosphere option and
its models, the a-priori position, the record and the per-epoch outputs (mutation testing, issue 10)."""

import dataclasses
import importlib
import warnings

import numpy as np
import pytest

from kompas import SppConfig, Unsolved, spp
from kompas.errors import ConfigError, KompasWarning
from kompas.frames import ecef_to_enu, geodetic_to_ecef
from kompas.sim import ErrorModel, make_nav, nominal_elements, simulate_obs
from kompas.time import gtime_from_calendar

START = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))  # Jakarta
# the simulator's ionosphere is the GPS Klobuchar of the navigation header for every system: with that
# model assigned to every satellite class, broadcast-ionosphere SPP recovers the position exactly
GPS_KLOB_FOR_ALL = "C2:GPS_KLOB;C3:GPS_KLOB;E:GPS_KLOB"
spp_module = importlib.import_module("kompas.spp")  # `import kompas.spp` gives the function


@pytest.fixture(scope="module")
def sim():
    nav, truth = make_nav(nominal_elements("CRGE", START), START, 1.0, seed=7)
    obs = simulate_obs(truth, nav, RCV, START, 0.5, 30.0, "CRGE", ErrorModel(ionosphere=True), 1)
    return obs, nav


def _spp(obs, nav, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        return spp(obs, nav, **options)


def _err(sol):
    return np.abs(ecef_to_enu(sol.pos_m[sol.ok], RCV)).max()


def test_broadcast_models_option_reaches_the_ionosphere(sim):
    obs, nav = sim
    sol = _spp(obs, nav, systems="CRGE", tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    assert sol.ok.all() and _err(sol) < 0.01
    assert set(sol.record.iono_models.values()) == {"GPS Klobuchar"}
    # each system's own model (BDS Klobuchar, NeQuick-G) is not the simulator's ionosphere: metres off
    own = _spp(obs, nav, systems="CRGE", tropo="off")
    assert own.record.iono_models == {"G": "GPS Klobuchar", "R": "GPS Klobuchar", "C2": "BDS Klobuchar",
                                      "C3": "BDS Klobuchar", "E": "NeQuick-G"}  # fmt: skip
    assert _err(own) > 0.3
    off = _spp(obs, nav, systems="CRGE", tropo="off", iono="off")
    assert _err(off) > 3.0


def test_solution_does_not_depend_on_the_a_priori_position(sim):
    obs, nav = sim
    blind = dataclasses.replace(obs, header=dataclasses.replace(obs.header, approx_position_m=np.zeros(3)))
    assert not blind.station.approx_position_plausible
    a = _spp(obs, nav, systems="CRGE", tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    b = _spp(blind, nav, systems="CRGE", tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    assert b.ok.all() and _err(b) < 0.01
    np.testing.assert_allclose(b.pos_m, a.pos_m, rtol=0, atol=1e-3)


def test_ionospheric_delays_are_computed_once_per_epoch(sim, monkeypatch):
    """IONO_REUSE_M: delays are recomputed only where the estimate moved more than 1 km, so the
    Gauss-Newton iterations from a good a-priori position reuse the first evaluation."""
    obs, nav = sim
    rows = []
    real = spp_module.ionosphere

    def counting(geom, t, *args):
        rows.append(t.shape[0])
        return real(geom, t, *args)

    monkeypatch.setattr(spp_module, "ionosphere", counting)
    sol = _spp(obs, nav, systems="CRGE", tropo="off", broadcast_models=GPS_KLOB_FOR_ALL, raim=False)
    assert sol.ok.all() and sum(rows) == obs.n_epochs


def test_record_names_the_run(sim):
    obs, nav = sim
    sol = _spp(obs, nav, systems="RC", elmask_deg=12.5, tropo="off", iono="if")
    rec = sol.record
    assert (rec.program, rec.mode, rec.systems, rec.elmask_deg) == ("kompas spp", "single", "RC", 12.5)
    assert (rec.iono, rec.tropo, rec.ephemeris, rec.clock_reference) == ("if", "off", "broadcast", "C")
    assert rec.config == SppConfig(systems="RC", elmask_deg=12.5).replace(tropo="off", iono="if")
    assert rec.iono_models == {}
    # iono-free rows are labelled with both signals: B1I+B3I (BeiDou), G1+G2 C/A (GLONASS)
    assert set(rec.signals["C"]) == {"2I+6I"} and set(rec.signals["R"]) == {"1C+2C"}
    # the iono-free combination removes the simulated ionosphere
    assert sol.ok.all() and _err(sol) < 0.01


def test_outputs_of_solved_and_unsolved_epochs(sim):
    obs, nav = sim
    sol = _spp(obs, nav, systems="E", elmask_deg=25.0, tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    ok = sol.ok
    assert ok.any() and (~ok).any()
    assert (sol.nsat[~ok] == 0).all() and (sol.nsat[ok] >= 4).all()
    assert np.isnan(sol.pos_m[~ok]).all() and np.isnan(sol.gdop[~ok]).all()
    assert sol.gdop.dtype == np.float64 and np.isfinite(sol.gdop[ok]).all()
    assert (sol.gdop[ok] > sol.pdop[ok]).all() and (sol.pdop[ok] > sol.hdop[ok]).all()
    assert np.allclose(sol.pdop[ok] ** 2, sol.hdop[ok] ** 2 + sol.vdop[ok] ** 2)
    assert sum(sol.record.unsolved.values()) == int((~ok).sum())
    assert set(np.unique(sol.reason[~ok]).tolist()) <= {Unsolved.BELOW_MASK, Unsolved.GDOP}


def test_residual_table_lists_the_satellites_used(sim):
    obs, nav = sim
    sol = _spp(
        obs, nav, systems="E", elmask_deg=25.0, tropo="off", broadcast_models=GPS_KLOB_FOR_ALL, residuals=True
    )
    r = sol.residuals
    for e in np.flatnonzero(sol.ok)[:3]:
        m = (r["time_ns"] == sol.time_ns[e]) & r["used"]
        assert m.sum() == sol.nsat[e]
    # an unsolved epoch has no post-fit residuals: its rows are NaN and unused
    bad = np.isin(r["time_ns"], sol.time_ns[~sol.ok])
    assert bad.any() and np.isnan(r["residual_m"][bad]).all() and not r["used"][bad].any()
    assert np.isfinite(r["residual_m"][~bad]).all()


def test_ionex_without_maps_says_how_to_give_them(sim):
    obs, nav = sim
    with pytest.raises(ConfigError, match=r"needs IONEX maps: spp\(\.\.\., ionex=kompas.read_ionex\(path\)\) or "
                                          r"kompas spp --ionex FILE"):  # fmt: skip
        spp(obs, nav, iono="ionex")


def test_band_pairs_without_the_ionosphere_free_model_are_refused(sim):
    obs, nav = sim
    with pytest.raises(ConfigError, match=r"^if_bands \(--if-bands\) chooses the band pairs of iono 'if' "
                       r"\(--iono if\); with iono 'brdc' each system uses one band"):  # fmt: skip
        spp(obs, nav, if_bands="E:15")
    spp(obs, nav, systems="E", iono="if", if_bands="E:15")  # with it, accepted


def test_a_system_without_its_band_pair_is_named(sim):
    obs, nav = sim
    with pytest.warns(KompasWarning) as record:
        spp(obs, nav, systems="CE", iono="if", if_bands="E:78")
    text = " ".join(str(w.message) for w in record)
    assert "Galileo (E) served no epoch: the file has" in text
    assert "band pairs used: ((7, 8),) (choose signals with --signals E:CODES)" in text
    # one band (broadcast ionosphere): a band the file does not have, by its signal priority
    with pytest.warns(KompasWarning) as record:
        spp(obs, nav, systems="CE", priority="E:6C")
    text = " ".join(str(w.message) for w in record)
    assert (
        "Galileo (E) served no epoch: the file has C1C, C5Q, C7Q; bands used: (6,) (choose signals with"
        in text
    )


def test_beidou2_b1i_b2i_when_b3i_is_missing(sim):
    # a receiver without B3I (older BeiDou-2 receivers, half of ESBC's BeiDou satellites in 2020): the
    # ionosphere-free pair falls back to B1I+B2I, whose group delays TGD1 and TGD2 both refer to the B3I clock,
    # so the simulated ionosphere and group delays cancel exactly; BeiDou-3 (no B2I) drops out of IF: its
    # B1C+B2a pair has no clock from D1/D2 records, which give no delay of B1C or B2a
    obs, nav = sim
    no_b3 = obs.select(systems="C", signals=["2I", "7I", "1P", "5P"])
    sol = _spp(no_b3, nav, systems="C", iono="if", tropo="off")
    assert sol.ok.mean() > 0.9 and _err(sol) < 0.01
    assert set(sol.record.signals["C"]) == {"2I+7I"}
    # B1I+B3I stays first where both exist
    full = _spp(obs.select(systems="C"), nav, systems="C", iono="if", tropo="off")
    assert "2I+7I" not in full.record.signals["C"] and "2I+6I" in full.record.signals["C"]


def test_a_system_whose_satellites_are_below_the_mask_is_named(sim):
    """Satellites below the mask and too few above it: the note does not claim that every one was below."""
    obs, nav = sim
    with pytest.warns(KompasWarning) as record:
        spp(obs, nav, systems="GE", elmask_deg=50.0, tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    text = " ".join(str(w.message) for w in record)
    assert "served no epoch: its satellites were below the elevation mask (below mask " in text
    assert "sat-epochs) or too few above it at each epoch" in text


def test_systems_of_a_run_with_no_epoch_solved_are_not_blamed_on_the_mask(sim):
    """A 100 m fault without RAIM fails every epoch's chi-square test: the notes give the epochs' reason
    (they said the satellites were below the mask, which some were, at the horizon)."""
    obs, nav = sim
    first_gps = obs.sat == obs.sat[obs.sat // 100 == 1][0]
    faulty = dataclasses.replace(obs, code_m=np.where(first_gps, obs.code_m + 100.0, obs.code_m))
    with pytest.warns(KompasWarning) as record:
        sol = spp(faulty, nav, systems="GE", raim=False, tropo="off", broadcast_models=GPS_KLOB_FOR_ALL)
    assert not sol.ok.any() and sol.record.unsolved == {"chi2": len(sol)}
    text = [str(w.message) for w in record]
    for name in ("GPS (G)", "Galileo (E)"):
        assert (
            f"{name} served no epoch: no epoch was solved (chi2 in {len(sol)} of {len(sol)} epochs)" in text
        )
    assert not any("below the elevation mask" in t for t in text)


def test_ionex_maps_are_checked_against_the_span_to_process():
    """IONEX maps that cannot serve any observation are refused before solving: against the first epoch
    (or a later --start) and the header's TIME OF LAST OBS (or an earlier --end); without that header line
    the end is unknown and maps later than the first block pass (the rest of the file may lie under them)."""
    import types

    from kompas.config import WindowOptions
    from kompas.spp import _check_maps_span

    day = 86400 * 10**9
    t0 = int(gtime_from_calendar(2020, 6, 25))
    maps = t0 + np.arange(0, day + 1, 2 * 3600 * 10**9) + day  # the next day
    first_block = t0 + np.arange(0, 3 * 3600, 30) * 10**9

    def obs(last):
        return types.SimpleNamespace(
            epoch_time_ns=first_block, header=types.SimpleNamespace(time_of_last_obs_ns=last)
        )

    free = WindowOptions()
    _check_maps_span(maps, obs(None), free)  # end unknown: may be served later
    _check_maps_span(maps, obs(t0 + 2 * day), free)
    with pytest.raises(
        ConfigError, match=r"do not cover the observations \(2020-06-25T00:00:00 \.\. 2020-06-25T23:59:30\)"
    ):
        _check_maps_span(maps, obs(t0 + day - 30 * 10**9), free)
    with pytest.raises(ConfigError, match=r"\(2020-06-25T00:00:00 \.\. 2020-06-25T12:00:00\)"):
        _check_maps_span(maps, obs(None), WindowOptions(end="2020-06-25T12:00:00"))
    _check_maps_span(maps, obs(t0 + 2 * day), WindowOptions(start="2020-06-26T06:00:00"))
    with pytest.raises(ConfigError, match=r"\(from 2020-06-28T00:00:00\)"):  # maps end before the window
        _check_maps_span(maps, obs(None), WindowOptions(start="2020-06-28T00:00:00"))
    # maps of the days before and after (2017 and 2022 files given together, a helper's sweep): the
    # observations lie in the gap, farther than one map interval from any map
    around = np.r_[maps - 3 * day, maps + 2 * day]
    with pytest.raises(ConfigError, match=r"do not cover the observations \(2020-06-25T00:00:00 \.\. "):
        _check_maps_span(around, obs(t0 + day - 30 * 10**9), free)
    _check_maps_span(around, obs(None), free)  # the end unknown: the later maps may serve the file's rest
    _check_maps_span(np.r_[around, t0 + 2 * 3600 * 10**9], obs(None), free)  # one map near: served


def test_no_ionosphere_is_evaluated_for_an_iterate_deep_inside_the_earth(sim, monkeypatch):
    """RAIM trials that diverge reach heights of -500 .. -2500 km: NeQuick-G there cost 0.2 s an epoch
    and served nothing (a day with 35 failing epochs: 8.6 -> 2.8 s of CPU, the same .pos)."""
    from kompas.frames import geodetic_to_ecef

    obs, nav = sim
    models, calls = [], []
    real_model, real_iono = spp_module._code_model, spp_module.ionosphere
    monkeypatch.setattr(spp_module, "_code_model", lambda *a: models.append(real_model(*a)) or models[-1])
    monkeypatch.setattr(
        spp_module, "ionosphere", lambda geom, *a: calls.append(len(geom["el"])) or real_iono(geom, *a)
    )
    sol = _spp(obs.epochs(0, 1), nav, systems="CRGE", tropo="off")
    assert sol.ok.all() and calls  # the solve itself evaluated it
    model, x = models[0], np.zeros((1, 3 + 4))
    mask = np.ones(obs.epochs(0, 1).n_epochs, bool)[:, None]
    # the Earth's centre, where a fix starts, is no position at all: its (empty) ionosphere is evaluated
    for height_m, evaluated in (
        (None, True),
        (-2.0e6, False),
        (-1001.0, False),
        (-999.0, True),
        (2000.0, True),
    ):
        llh = np.array([np.radians(30.0), np.radians(114.0), height_m or 0.0])
        x[0, :3] = 0.0 if height_m is None else geodetic_to_ecef(llh)
        before = len(calls)
        lin = model(x, mask)
        assert (len(calls) > before) == evaluated, height_m
        assert np.isfinite(lin.v[lin.use]).all()
