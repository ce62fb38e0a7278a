"""The SPP recipe on the epoch engine: block independence, windows, reasons, ISB reference, signals."""

import warnings

import numpy as np
import pytest

from kompas import Solution, SppConfig, Unsolved, gtime_from_calendar, spp
from kompas.engine import blocks, window
from kompas.errors import ConfigError
from kompas.frames import geodetic_to_ecef
from kompas.sim import simulate

START = int(gtime_from_calendar(2025, 3, 1, 6, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 30.0]))  # Wuhan


@pytest.fixture(scope="module")
def sim():
    return simulate(RCV, START, hours=0.5, interval_s=30.0, systems="CRGE", errors="default", seed=3)


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def test_results_do_not_depend_on_the_block_size(sim):
    a = _quiet(spp, sim.obs, sim.nav, systems="CR", chunk_epochs=7)
    b = _quiet(spp, sim.obs, sim.nav, systems="CR", chunk_epochs=1000)
    np.testing.assert_array_equal(a.quality, b.quality)
    # the same to 0.1 mm (the solver sums in another order per block: measured 15 um at most)
    np.testing.assert_allclose(a.pos_m, b.pos_m, rtol=0, atol=1e-4)
    assert a.record.signals == b.record.signals and a.record.dropped == b.record.dropped


def test_blocks_are_views_covering_every_epoch(sim):
    parts = list(blocks(sim.obs, 300))
    assert sum(p.n_epochs for p in parts) == sim.obs.n_epochs
    assert all(np.shares_memory(p.code_m, sim.obs.code_m) for p in parts if len(p))


def test_blocks_of_a_stream_of_single_epochs_of_empty_tables_and_of_nothing(sim):
    whole = [p.n_epochs for p in blocks(sim.obs, 600)]
    single = [sim.obs.epochs(i, i + 1) for i in range(sim.obs.n_epochs)]
    parts = list(blocks(iter(single), 600))
    assert [p.n_epochs for p in parts] == whole and len(whole) > 1
    assert np.array_equal(np.concatenate([p.epoch_time_ns for p in parts]), sim.obs.epoch_time_ns)
    empty = [sim.obs.epochs(0, 0), sim.obs.epochs(0, 0)]
    assert [p is empty[1] for p in blocks(iter(empty), 600)] == [True]  # the header, once
    assert list(blocks(iter([]), 600)) == []


def test_window_start_end_interval(sim):
    t = sim.obs.epoch_time_ns
    from kompas import GTime

    w = window(sim.obs, GTime(int(t[2])).isoformat(), GTime(int(t[10])).isoformat(), 60.0)
    assert w.epoch_time_ns[0] >= t[2] and w.epoch_time_ns[-1] <= t[10]
    assert np.all(w.epoch_time_ns % 60_000_000_000 == 0) and w.n_epochs == 5
    sol = _quiet(spp, sim.obs, sim.nav, systems="C", start=GTime(int(t[2])).isoformat(), interval_s=60.0)
    assert sol.time_ns[0] == t[2] and np.all(np.diff(sol.time_ns) == 60_000_000_000)


def test_interval_keeps_multiples_of_the_time_of_week_within_5_ms():
    # RTKLIB screent: fmod(time of week + DTTOL, ti) <= 2 DTTOL (DTTOL 5 ms). 13 s does not divide a week:
    # the kept epochs are multiples of 13 s of the time of week (Saturday 23:59:46 and 59 GPST, then
    # Sunday 00:00:00 and 13), not of the time since 1980; an epoch 3 ms early is on its second
    from types import SimpleNamespace

    sunday = int(gtime_from_calendar(2025, 3, 2, 0, 0, 0))  # a GPS week starts
    t = sunday + np.arange(-20, 20, dtype=np.int64) * 1_000_000_000
    t[t == sunday + 13_000_000_000] -= 3_000_000  # 12.997 s
    obs = SimpleNamespace(epoch_time_ns=t, epoch_offsets=np.arange(t.size + 1))
    obs.epochs = lambda a, b: SimpleNamespace(epoch_time_ns=t[a:b], epoch_offsets=np.arange(b - a + 1),
                                              take_epochs=lambda keep, rows: t[a:b][keep])  # fmt: skip
    kept = window(obs, interval_s=13.0)
    assert ((kept - sunday) / 1e9).round(3).tolist() == [-14.0, -1.0, 0.0, 12.997]
    with pytest.raises(ConfigError, match="interval must be positive"):  # below a nanosecond: no step
        window(obs, interval_s=1e-12)


def test_window_end_and_a_streamed_window(sim):
    from kompas import GTime

    t = sim.obs.epoch_time_ns
    start, end = GTime(int(t[3])).isoformat(), GTime(int(t[8])).isoformat()
    sol = _quiet(spp, sim.obs, sim.nav, systems="C", start=start, end=end)
    assert np.array_equal(sol.time_ns, t[3:9])
    pieces = iter([sim.obs.epochs(0, 5), sim.obs.epochs(5, sim.obs.n_epochs)])
    streamed = _quiet(spp, pieces, sim.nav, systems="C", start=start, end=end)
    assert np.array_equal(streamed.time_ns, sol.time_ns) and np.array_equal(streamed.pos_m, sol.pos_m)
    # kompas's own instants, GPST ns (an int, numpy's, gtime_from_calendar's 0-d array) and GTime, serve
    # too; a string of digits or a float is refused (numpy read GPST ns as a year: the whole file, silently)
    for a, b in ((int(t[3]), t[8]), (np.asarray(t[3]), GTime(int(t[8])))):
        ns = _quiet(spp, sim.obs, sim.nav, systems="C", start=a, end=b)
        assert np.array_equal(ns.time_ns, sol.time_ns)
    for bad in (str(int(t[3])), float(t[3])):
        with pytest.raises(ConfigError, match="must be an ISO date-time like 2020-06-25T10:00:00 or GPST ns"):
            spp(sim.obs, sim.nav, systems="C", start=bad)


def test_a_window_without_epochs_is_an_error_naming_the_span_as_in_rtk_and_ppp(sim):
    from kompas import GTime
    from kompas.errors import TimeError

    t = sim.obs.epoch_time_ns
    span = f"it covers {GTime(int(t[0])).isoformat()} .. {GTime(int(t[-1])).isoformat()}"
    late = GTime(int(t[-1]) + 60 * 10**9).isoformat()
    with pytest.raises(
        TimeError, match=f"the observation file has no epoch in the processing window .*; {span}$"
    ):
        _quiet(spp, sim.obs, sim.nav, systems="C", start=late)
    pieces = iter([sim.obs.epochs(0, 5), sim.obs.epochs(5, sim.obs.n_epochs)])  # a stream: its whole span
    with pytest.raises(TimeError, match=f"{span}$"):
        _quiet(spp, pieces, sim.nav, systems="C", start=late)
    with pytest.raises(TimeError, match="no epoch in the processing window"):
        _quiet(spp, sim.obs, sim.nav, systems="C", interval_s=1e6 + 1.0)
    # without a window, a file of no epochs gives an empty solution (the command line says why)
    assert len(_quiet(spp, sim.obs.epochs(0, 0), sim.nav, systems="C")) == 0


def test_the_span_of_a_stream_is_its_first_and_last_epoch_and_a_tables_its_epochs():
    import importlib
    import types

    seen_class = importlib.import_module("kompas.spp")._Seen

    def block(*t):
        t = np.asarray(t, dtype=np.int64)
        return types.SimpleNamespace(
            epoch_time_ns=t, n_epochs=t.size, sat=np.zeros(t.size, np.int16), codes_by_system=dict, files=()
        )

    first = block(30, 40)
    table = seen_class(first)
    assert table.span_ns.tolist() == [30, 40]
    stream = seen_class(first)
    for b in (block(30, 40), block(), block(10, 20), block(60)):  # in any order; empty blocks too
        assert stream.add(b) is b
    assert stream.span_ns.tolist() == [10, 60]


def test_isb_reference_does_not_depend_on_the_letter_order(sim):
    a = _quiet(spp, sim.obs, sim.nav, systems="CR")
    b = _quiet(spp, sim.obs, sim.nav, systems="RC")
    ca, cb = a.columns(), b.columns()
    assert a.record.clock_reference == b.record.clock_reference == "C"
    assert "isb_R_m" in ca and "isb_C_m" not in ca
    np.testing.assert_array_equal(ca["isb_R_m"], cb["isb_R_m"])
    g = _quiet(spp, sim.obs, sim.nav, systems="ERCG").columns()
    assert {k for k in g if k.startswith("isb_")} == {"isb_R_m", "isb_E_m", "isb_C_m"}  # GPS is the reference


def test_every_unsolved_epoch_has_a_reason(sim):
    sol = _quiet(spp, sim.obs, sim.nav, systems="C", elmask_deg=60.0)
    assert (sol.reason[sol.ok] == Unsolved.SOLVED).all()
    assert set(sol.reason[~sol.ok].tolist()) <= {Unsolved.BELOW_MASK, Unsolved.GDOP}
    assert (sol.reason == Unsolved.BELOW_MASK).sum() > 0.5 * len(sol)
    assert sum(sol.record.unsolved.values()) == int((~sol.ok).sum())
    assert sol.record.dropped["C"]["below mask"] > 0


def test_elevation_mask_is_applied(sim):
    low = _quiet(spp, sim.obs, sim.nav, systems="CRGE", elmask_deg=5.0)
    high = _quiet(spp, sim.obs, sim.nav, systems="CRGE", elmask_deg=30.0, residuals=True)
    assert high.nsat[high.ok].mean() < low.nsat[low.ok].mean() - 3
    el = high.residuals["elevation_rad"][high.residuals["used"]]
    assert el.min() >= np.radians(30.0)


def test_nothing_to_solve_names_the_reason(sim):
    empty = sim.obs.epochs(0, 0)
    sol = _quiet(spp, empty, sim.nav, systems="C")
    assert len(sol) == 0
    cnav_only = SppConfig(systems="C").replace(messages={"C": ("CNV1",)})  # the file has D1/D2 only
    late = _quiet(spp, sim.obs, sim.nav, config=cnav_only)
    assert not late.ok.any() and set(late.reason.tolist()) == {Unsolved.NO_EPHEMERIS}
    assert set(late.record.dropped["C"]) == {"no ephemeris"}


def test_solution_concat_adds_records(sim):
    sol = _quiet(spp, sim.obs, sim.nav, systems="C")
    a, b = (Solution(**{f: _take(getattr(sol, f), s) for f in sol.__dataclass_fields__}) for s in
            (slice(0, 10), slice(10, None)))  # fmt: skip
    both = Solution.concat([a, b])
    np.testing.assert_array_equal(both.pos_m, sol.pos_m)
    assert both.record.raim_excluded == a.record.raim_excluded + b.record.raim_excluded


def _take(v, s):
    if isinstance(v, np.ndarray):
        return v[s]
    if isinstance(v, dict) and v and all(isinstance(x, np.ndarray) for x in v.values()):
        if "time_ns" in v:  # the residual table is long: keep it whole in the first part only
            return v if s.start == 0 else {k: x[:0] for k, x in v.items()}
        return {k: x[s] for k, x in v.items()}
    return v


def test_a_stream_in_pieces_of_any_size_gives_the_same_bits(sim):
    """Blocks are aligned in time, so how the file arrives (whole, or pieces cut anywhere) changes nothing."""
    whole = _quiet(spp, sim.obs, sim.nav, systems="CRGE", chunk_epochs=20)
    rng = np.random.default_rng(4)
    cuts = np.sort(rng.choice(np.arange(1, sim.obs.n_epochs), 6, replace=False))
    pieces = [sim.obs.epochs(a, b) for a, b in zip([0, *cuts], [*cuts, sim.obs.n_epochs], strict=True)]
    streamed = _quiet(spp, iter(pieces), sim.nav, systems="CRGE", chunk_epochs=20)
    assert np.array_equal(whole.pos_m.view(np.int64), streamed.pos_m.view(np.int64))
    assert np.array_equal(whole.quality, streamed.quality)
    assert whole.record.signals == streamed.record.signals


def test_blocks_are_aligned_in_time(sim):
    from kompas.engine import block_seconds

    assert block_seconds(30.0) == 21600 and block_seconds(1.0) == 600 and block_seconds(None) == 21600
    parts = list(blocks(sim.obs, 600))
    assert all(
        (p.epoch_time_ns // 600_000_000_000 == p.epoch_time_ns[0] // 600_000_000_000).all() for p in parts
    )
    assert sum(p.n_epochs for p in parts) == sim.obs.n_epochs


def test_a_table_without_epochs_is_named_by_its_file(sim):
    from kompas.engine import require_epochs
    from kompas.errors import TimeError

    empty = sim.obs.epochs(0, 0)
    with pytest.raises(TimeError, match="^the observation file has no epochs$"):
        require_epochs(empty)  # a table made in memory has no path
    named = type("Named", (), {"n_epochs": 0, "path": "/data/x.rnx"})()
    with pytest.raises(TimeError, match="^the base file /data/x.rnx has no epochs$"):
        require_epochs(named, "base file")
    require_epochs(sim.obs)  # epochs: no error


def test_products_that_cannot_serve_any_epoch_are_refused():
    """A product reaches one sample interval beyond its first and last samples, and no farther."""
    from kompas.engine import check_products_cover

    s = 10**9
    p = np.arange(0, 3600 * s + 1, 900 * s)  # 00:00 .. 01:00 every 15 min
    for t in ([-900 * s], [4500 * s], [-3600 * s, 9000 * s], [1800 * s]):
        check_products_cover("the SP3 files", p, t, "hint")
    with pytest.raises(
        ConfigError, match=r"^the SP3 files \(.*\) and the observations \(.*\) do not overlap: hint$"
    ):
        check_products_cover("the SP3 files", p, [4500 * s + 1, 5000 * s], "hint")
    with pytest.raises(ConfigError, match="do not overlap"):
        check_products_cover("the SP3 files", p, [-900 * s - 1], "hint")
    gap = np.array([0, 900, 1800, 36000]) * s  # a 9.5-h gap: the reach stays the usual 900 s
    check_products_cover("the SP3 files", gap, [36900 * s], "hint")
    with pytest.raises(ConfigError, match="do not overlap"):
        check_products_cover("the SP3 files", gap, [36901 * s], "hint")
    # the epochs in a gap between the files of the days before and after: no sample within reach
    days = np.r_[np.arange(0, 86400, 900), np.arange(2 * 86400, 3 * 86400, 900)] * s
    with pytest.raises(ConfigError, match=r"have no sample within 900 s of the observations \(.*\): hint$"):
        check_products_cover("the SP3 files", days, (85500 + 901) * s + 30 * s * np.arange(120), "hint")
    check_products_cover("the SP3 files", days, [86400 * s + 900 * s, 2 * 86400 * s], "hint")  # one is near
    # 30-s clocks against 15-min orbits: the reach is the longer interval of the two
    check_products_cover("clocks", 30 * s * np.arange(120), [900 * s + 450 * s], "hint")
    check_products_cover("the SP3 files", [], [0], "hint")  # nothing to compare: no verdict
    with pytest.raises(ConfigError, match="do not overlap"):
        check_products_cover("the clock files", [0], [1], "hint")  # one sample reaches no farther


def test_precise_files_of_the_neighbouring_days_stay_when_the_interpolation_needs_them():
    """A file of a kept centre whose samples enter some epoch's interpolation window (ceil(order / 2)
    intervals) stays: near midnight the polynomial takes samples of the day before or after. Beyond
    that window, or of a centre with no file near the observations, it is left out with a note."""
    import types

    from kompas.engine import select_precise

    minute, day = 60 * 10**9, 86400 * 10**9

    def sp3(name, start_ns, n=96, step=15 * minute):
        return types.SimpleNamespace(path=name, time_ns=start_ns + step * np.arange(n, dtype=np.int64))

    today = sp3("GRG0MGXFIN_20201770000_01D_15M_ORB.SP3", day)
    before = sp3("GRG0MGXFIN_20201760000_01D_15M_ORB.SP3", 0)  # its last sample 23:45 the day before
    other = sp3("COD0MGXFIN_20201760000_01D_15M_ORB.SP3", 0)  # another centre, the day before only
    epochs = day + 20 * minute + 30 * 10**9 * np.arange(60)  # 00:20-00:49:30: 35 min after 23:45
    kept, _, notes = select_precise([today, before, other], [], epochs, broadcast=True)
    assert kept == [today, before] and len(notes) == 1 and notes[0].startswith(f"the SP3 file {other.path} (")
    later = day + 91 * minute + 30 * 10**9 * np.arange(60)  # from 01:31: 106 min > 6 intervals after 23:45
    kept, _, notes = select_precise([today, before], [], later, broadcast=True)
    assert kept == [today] and "left out: no sample near the observations" in notes[0]
    # 6 intervals of 15 min for the default 11 samples; 3 samples reach 2 intervals (30 min)
    edge = day + 90 * minute - 15 * minute + np.arange(1)  # 01:15: 90 min after 23:45
    assert select_precise([today, before], [], edge, broadcast=True)[0] == [today, before]
    assert select_precise([today, before], [], epochs, broadcast=True, order=3)[0] == [today]
    assert select_precise([today, before], [], day + 15 * minute + np.arange(1), True, order=3)[0] == [
        today, before
    ]  # fmt: skip


def test_the_observation_span_of_a_streams_first_block_reaches_the_headers_last_epoch():
    """The broadcast ionosphere takes the navigation files within reach of the observations' span: of a
    stream only the first block is known, so its end is the header's TIME OF LAST OBS where given."""
    import types

    from kompas.spp import observation_span

    def obs(t, last):
        header = types.SimpleNamespace(time_of_last_obs_ns=last)
        return types.SimpleNamespace(epoch_time_ns=np.array(t, np.int64), header=header)

    assert observation_span(obs([10, 20, 30], None)) == (10, 30)
    assert observation_span(obs([10, 20], 99)) == (10, 99)
    assert observation_span(obs([], 99)) is None
