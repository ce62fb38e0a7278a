"""Arguments of the wrong kind are refused with a KompasError that names what was expected, where they used to
give numbers without meaning (times read as nanoseconds of 1980, degrees as radians, a (3, N) array as
points, an int as a file descriptor) or fail deep inside with a bare Python exception."""

from __future__ import annotations

import io

import numpy as np
import pytest

import kompas
import kompas.preprocess
import kompas.sim
from kompas import frames
from kompas import time as ktime
from kompas.errors import ConfigError, TimeError
from kompas.io.writers._sink import write_bytes, write_text

T = int(kompas.gtime_from_calendar(2020, 6, 25))
X = np.array([4075580.3111, 931854.0543, 4801568.2808])


@pytest.fixture(scope="module")
def res():
    """Six minutes of simulated GPS at X, error-free: the tables the guards are tried with."""
    return kompas.sim.simulate(X, T, hours=0.1, systems="G", errors="none")


@pytest.mark.parametrize(
    "call",
    [
        lambda: ktime.week_tow(np.datetime64("2020-06-25T00:00:00")),
        lambda: ktime.gpst_to_calendar(np.array(["2020-06-25T00:00:00"], "datetime64[ns]")),
        lambda: ktime.gpst_mjd(1.5e9),
        lambda: ktime.to_datetime64(np.array([T], float)),
        lambda: ktime.gps_utc_offset_s("2020-06-25"),
        lambda: ktime.time_span([1.0, 2.0]),
    ],
)
def test_times_must_be_integer_nanoseconds(call):
    with pytest.raises(TimeError, match="times must be integer GPST nanoseconds"):
        call()


def test_integer_times_and_gtime_pass_and_from_datetime64_refuses_numbers():
    week, tow = ktime.week_tow(T)
    assert (int(week), float(tow)) == (2111, 345600.0)
    assert ktime.week_tow(kompas.GTime(T))[1] == tow and ktime.week_tow(np.uint64(T))[1] == tow
    assert ktime.gpst_mjd(np.zeros(0)).size == 0  # an empty selection of any dtype
    with pytest.raises(TimeError, match="not numbers"):
        ktime.from_datetime64(1277078400000000000)
    assert ktime.from_datetime64("2020-06-25T00:00:00") == T


def test_product_and_selection_times_take_gtime_and_refuse_datetime64(res):
    """GTime failed with a bare TypeError; datetime64 was cast to an int64 count and answered with a
    status (OUTSIDE_FIT) or an empty selection."""
    import datetime as dt

    from kompas.products.broadcast import BroadcastProduct

    bp, t = BroadcastProduct(res.nav), kompas.GTime(T + 120 * 10**9)
    sats = np.unique(res.obs.sat)[:2]
    want = bp.state(sats, t.gpst_ns)
    for when in (t, [t, t]):
        got = bp.state(sats, when)
        assert got.ok.all() and np.array_equal(got.pos_m, want.pos_m)
    assert np.array_equal(bp.state(sats, T, select_ns=t).clk_s, bp.state(sats, T, select_ns=t.gpst_ns).clk_s)
    assert (
        res.obs.select(start_ns=t, end_ns=t + 60).n_epochs
        == res.obs.select(start_ns=t.gpst_ns, end_ns=t.gpst_ns + 60 * 10**9).n_epochs
        == 2
    )
    for call, name in (
        (lambda d: bp.state(sats, d), "t_gpst_ns"),
        (lambda d: bp.state(sats, T, select_ns=d), "select_ns"),
        (lambda d: res.obs.select(start_ns=d), "start_ns"),
        (lambda d: res.obs.select(end_ns=d), "end_ns"),
    ):
        for bad in (t.to_datetime64(), np.datetime64("2020-06-25T00:02:00")):
            with pytest.raises(TimeError, match=rf"^{name} must be integer GPST nanoseconds, not datetime64"):
                call(bad)
    # the recipes' window: GTime like datetime and datetime64 (GPST), ISO text as before
    starts = (t, dt.datetime(2020, 6, 25, 0, 2), t.to_datetime64(), "2020-06-25T00:02:00")
    sols = [kompas.spp(res.obs, res.nav, start=s) for s in starts]
    assert {len(s) for s in sols} == {len(res.obs.select(start_ns=t).epoch_time_ns)}
    assert kompas.SppConfig().replace(start=t).window.start == "2020-06-25T00:02:00"


def test_plausible_wrong_calls_get_a_kompas_error_naming_the_argument(res):
    """Each of these ended in a bare IndexError/AttributeError/TypeError deep inside, or silently read a
    fraction as an integer."""
    from kompas.errors import SignalError
    from kompas.products.broadcast import BroadcastProduct

    bp, sats = BroadcastProduct(res.nav), np.unique(res.obs.sat)[:2]
    one = bp.state(sats, T, signal="1C")
    assert np.array_equal(bp.state(sats, T, signal=["1C"]).clk_s, one.clk_s)  # one signal serves both
    assert np.array_equal(bp.state(sats, T, signal=["1C", "1C"]).clk_s, one.clk_s)
    with pytest.raises(ConfigError, match="signal gives 3 signals for 2 queries"):
        bp.state(sats, T, signal=["1C", "1C", "2W"])
    with pytest.raises(ConfigError, match=r"must broadcast together .* shapes \(2,\), \(3,\)"):
        bp.state(sats, T + np.arange(3) * 10**9)
    ob = res.obs.observables({"G": (1, 2)})
    flags = kompas.detect_slips(ob, options={"gf_k": 3.0})  # a mapping changes the named thresholds
    assert np.array_equal(flags.cause, kompas.detect_slips(ob, options=kompas.SlipOptions(gf_k=3.0)).cause)
    jumps = kompas.preprocess.detect_clock_jumps(ob, options={"min_sats": 5})
    assert jumps.epoch.tolist() == kompas.preprocess.detect_clock_jumps(ob).epoch.tolist()
    with pytest.raises(ConfigError, match="unknown option 'gf'"):
        kompas.detect_slips(ob, options={"gf": 3.0})
    with pytest.raises(ConfigError, match="options must be SlipOptions or a mapping, not list"):
        kompas.detect_slips(ob, options=[3.0])
    for k in ("0", 0.7, None, True):
        with pytest.raises(ConfigError, match="epoch index must be an integer"):
            res.obs.epoch(k)
    assert res.obs.epoch(np.int64(-1)).epoch_time_ns[0] == res.obs.epoch_time_ns[-1]
    n = res.obs.n_epochs
    with pytest.raises(ConfigError, match=rf"take_epochs: epoch index {n} outside 0..{n - 1}"):
        res.obs.take_epochs([0, n])
    assert res.obs.take_epochs([-1]).epoch_time_ns.tolist() == res.obs.epoch_time_ns[-1:].tolist()
    sol = kompas.spp(res.obs, res.nav)
    with pytest.raises(ConfigError, match="Parquet is binary"):
        kompas.write_solution(sol, io.StringIO(), fmt="parquet")
    for mapping, bad in (
        ({1: 1.5}, "1 / channel 1.5"),
        ({1.9: 2}, "1.9 / channel 2"),
        ({"R01": np.nan}, "nan"),
    ):
        with pytest.raises(SignalError, match=f"GLONASS slot .*{bad} must be whole numbers"):
            kompas.GlonassChannels(mapping)
    assert kompas.GlonassChannels({"R02": "-4", 3.0: np.int8(5)}) == kompas.GlonassChannels({2: -4, 3: 5})


def test_frames_need_a_last_axis_of_three_and_latitudes_in_radians():
    with pytest.raises(ConfigError, match=r"last axis of 3 .* got \(3, 4\)"):
        frames.ecef_to_geodetic(np.tile(X, (4, 1)).T)
    with pytest.raises(ConfigError, match=r"got \(4,\)"):
        frames.ecef_to_enu(np.r_[X, 1.0], X)
    with pytest.raises(ConfigError, match="got None"):
        frames.azimuth_elevation(None, X)
    with pytest.raises(ConfigError, match="latitude must be in radians"):
        frames.geodetic_to_ecef([49.14, 12.88, 666.0])
    with pytest.raises(ConfigError, match="latitude must be in radians"):
        frames.enu_rotation(49.0, 12.0)
    llh = frames.ecef_to_geodetic(X)
    np.testing.assert_allclose(frames.geodetic_to_ecef(llh), X, rtol=0, atol=1e-6)
    assert np.isnan(frames.geodetic_to_ecef([np.nan, 0.0, 0.0])).all()  # NaN passes as NaN


def test_writers_take_a_path_or_an_open_file():
    for dest in (3, None, 2.5):
        with pytest.raises(ConfigError, match="must be a path or an open file, not"):
            write_text(dest, "x")
        with pytest.raises(ConfigError, match="must be a path or an open file, not"):
            write_bytes(dest, b"x")
    with pytest.raises(ConfigError, match="needs a file opened in text mode"):
        write_text(io.BytesIO(), "x")
    text = io.StringIO()
    write_text(text, "h\u00e9")
    assert text.getvalue() == "h\u00e9"


def test_the_simulator_needs_ecef_metres_near_the_surface():
    for bad in ([0.0, 0.0, 0.0], [49.14, 12.88, 666.0]):
        with pytest.raises(ConfigError, match="6000-7000 km from the geocentre"):
            kompas.sim.simulate(bad, T, hours=0.1)


def test_preprocess_refuses_tables_and_elevations_in_degrees(res):
    ob = res.obs.observables({"G": (1, 2)})
    jumps = kompas.preprocess.detect_clock_jumps(ob)
    with pytest.raises(ConfigError, match="repair_clock_jumps needs Observables"):
        kompas.preprocess.repair_clock_jumps(res.obs, jumps)
    with pytest.raises(ConfigError, match="in radians"):
        kompas.detect_slips(ob, elevation_rad=np.full(len(ob), 45.0))
    with pytest.raises(ConfigError, match="one elevation per row"):
        kompas.detect_slips(ob, elevation_rad=np.full(3, 0.5))


def test_ppp_names_the_reader_of_each_model_table(res):
    for name, value, reader in (
        ("blq", "x.blq", "kompas.io.readers.blq.read_blq"),
        ("gpt3", {}, "kompas.io.readers.gpt3.read_gpt3_grid"),
        ("catalog", 5, "kompas.io.readers.satmeta.read_satellite_catalog"),
    ):
        with pytest.raises(ConfigError, match=rf"^{name} must be \w+ \({reader}\), not "):
            kompas.ppp(res.obs, res.nav, **{name: value})


def test_solution_writers_refuse_other_objects_and_say_how_to_get_residuals(res):
    from kompas.io.writers import kml, nmea, pos, tables

    for fn in (pos.write_pos, nmea.write_nmea, kml.write_kml, kml.write_gpx, tables.write_csv,
               tables.write_residuals_csv, kompas.write_solution):  # fmt: skip
        with pytest.raises(ConfigError, match="writes a Solution, not ObsTable"):
            fn(res.obs, io.StringIO())
    sol = kompas.spp(res.obs, res.nav)
    with pytest.raises(ConfigError, match="no residuals .*residuals=True"):
        tables.write_residuals_csv(sol, io.StringIO())


def test_glonass_channels_from_a_mapping_and_scalar_glonass_queries():
    from kompas.errors import SignalError
    from kompas.satsys import GlonassChannels

    # a scalar GLONASS query failed with a TypeError (item assignment into a numpy scalar)
    f = kompas.carrier_frequency("R01", "1C", GlonassChannels({1: 1}))
    assert f == 1602e6 + 0.5625e6 and np.ndim(f) == 0
    assert kompas.wavelength("R01", "1C", {1: 1}) == kompas.wavelength(
        "R01", "1C", GlonassChannels({"R01": 1})
    )
    with pytest.raises(SignalError, match="must be GlonassChannels or a"):
        kompas.wavelength("R01", "1C", 5)
    with pytest.raises(SignalError, match="need a {slot: channel} mapping, not list"):
        GlonassChannels([1, 2])
    with pytest.raises(SignalError, match="must be whole numbers"):
        GlonassChannels({"R0x": 1})


def test_write_products_refuses_an_empty_span_and_satellites_the_truth_lacks(res, tmp_path):
    sats = np.unique(res.obs.sat)
    hour = 3600 * 10**9
    for args, kw, message in (
        ((sats, T, T), {}, "end .* must be after start"),
        ((np.r_[sats, kompas.sat_index("E01")], T, T + hour), {}, "the truth has no orbit of E01"),
        ((sats, T, T + hour), {"sp3_interval_s": 0}, "sp3_interval_s must be positive"),
    ):
        with pytest.raises(ConfigError, match=message):
            kompas.sim.write_products(res.truth, *args, sp3_path=tmp_path / "x.sp3", **kw)
    assert not (tmp_path / "x.sp3").exists()


def test_readers_products_ids_bands_and_monitor_inputs_refuse_the_wrong_kind(res, tmp_path):
    from kompas.errors import SignalError
    from kompas.monitor.run import MonitorInputs, run_monitor
    from kompas.products.precise import PreciseProduct

    with pytest.raises(ConfigError, match="a file path .* is needed, not ObsTable"):
        kompas.read(res.obs)
    with pytest.raises(ConfigError, match="a file path .* is needed, not NoneType"):
        kompas.detect(None)
    with pytest.raises(ConfigError, match=r"sp3 must be Sp3 \(kompas.read_sp3\), not NavData"):
        PreciseProduct(res.nav)
    with pytest.raises(SignalError, match="sat_id takes satellite indices .* sat_index"):
        kompas.sat_id("G01")
    assert kompas.sat_id(np.zeros(0)).size == 0
    for bands in ({"G": 1}, "G"):
        with pytest.raises(SignalError, match="bands must map system letters to band digits"):
            res.obs.observables(bands)
    one = MonitorInputs(nav="f.rnx", out=str(tmp_path), precise=tmp_path / "x.sp3")
    assert one.nav == ["f.rnx"] and one.precise == [tmp_path / "x.sp3"]
    with pytest.raises(ConfigError, match="MonitorInputs.obs must be a list of paths, not int"):
        MonitorInputs(nav=[], out="", obs=5)
    with pytest.raises(ConfigError, match="run_monitor needs MonitorInputs, not dict"):
        run_monitor({})
    with pytest.raises(ConfigError, match="config must be a MonitorConfig, not SppConfig"):
        run_monitor(one, kompas.SppConfig())
