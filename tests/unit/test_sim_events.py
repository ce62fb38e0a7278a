"""Injected events (QC truth): cycle slips, combination-blind slip pairs, clock jumps, gaps, multipath."""

import dataclasses

import numpy as np
import pytest

from kompas import carrier_frequency, gtime_from_calendar, sat_id, sat_index
from kompas.errors import ConfigError, KompasWarning
from kompas.frames import geodetic_to_ecef
from kompas.satsys import sat_letter, signal_id
from kompas.sim import ErrorModel, Event, EventTable, simulate, slip_cells

START = int(gtime_from_calendar(2025, 1, 1, 0, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))
C = 299792458.0
S = 10**9


def _sim(errors=None, hours=0.5, interval=10.0, systems="GRCE", **kw):
    return simulate(RCV, START, hours=hours, interval_s=interval, systems=systems,
                    errors=errors or ErrorModel.none(), seed=5, **kw)  # fmt: skip


@pytest.fixture(scope="module")
def clean():
    return _sim()


def _rows(obs, sat, sig):
    return (obs.sat == sat_index(sat)) & (obs.signal == signal_id(sig))


def _lam(obs, sat, sig):
    m = _rows(obs, sat, sig)
    return C / carrier_frequency(obs.sat[m][:1], obs.signal[m][:1], obs.header.glonass_channels)[0]


def test_user_slips_at_known_epochs(clean):
    t = START + 600 * S
    sat = clean.obs.sat[clean.obs.time_ns == t][0]
    from kompas import sat_id

    sid = str(sat_id(sat))
    sig = "1C" if sid[0] in "GRE" else "2I"
    ev = [Event("slip", t, sid, sig, 77.0), Event("slip", t + 100 * S, sid, sig, -1000.0, lli=False)]
    res = _sim(events=ev)
    obs = res.obs
    assert np.array_equal(obs.code_m, clean.obs.code_m)  # a slip is a phase-only event
    jump = obs.phase_cyc - clean.obs.phase_cyc
    m = _rows(obs, sid, sig)
    expect = np.where(obs.time_ns[m] >= t, 77.0, 0.0) + np.where(obs.time_ns[m] >= t + 100 * S, -1000.0, 0.0)
    np.testing.assert_allclose(jump[m], expect, atol=1e-6)
    assert np.abs(jump[~m]).max() < 1e-6
    assert obs.lli[m & (obs.time_ns == t)] == 1 and obs.lli[m & (obs.time_ns == t + 100 * S)] == 0
    assert obs.lli.sum() == 1
    slips = res.events.select("slip")
    assert slips.time_ns.tolist() == [t, t + 100 * S] and slips.size.tolist() == [77.0, -1000.0]
    assert slips.lli.tolist() == [True, False] and set(slips.cause) == {"user"}


def test_bad_events_are_config_errors():
    with pytest.raises(ConfigError):
        _sim(events=[Event("slip", START + 5 * S, "G01", "1C", 1.0)])  # not an epoch (10 s spacing)
    with pytest.raises(ConfigError):
        _sim(events=[Event("slip", START, "G01", "7Q", 1.0)])  # GPS has no 7Q here
    with pytest.raises(ConfigError):
        _sim(events=[Event("jump", START)])
    with pytest.raises(ConfigError):
        ErrorModel(slip_size_max=1001)


@pytest.fixture(scope="module")
def gf_paired(clean):
    return _sim(ErrorModel(gf_pair_rate_per_hour=3.0))


@pytest.fixture(scope="module")
def mw_paired(clean):
    return _sim(ErrorModel(mw_pair_rate_per_hour=3.0))


def _step(obs, ref, sid, sig, t):
    """Change at epoch t of the phase difference to the event-free run (cycles)."""
    m = _rows(obs, sid, sig)
    d = obs.phase_cyc[m] - ref.phase_cyc[m]
    k = int(np.flatnonzero(obs.time_ns[m] == t)[0])
    return d[k] - (d[k - 1] if k else 0.0)


def _gf_mw_jumps(res, clean, cause):
    """Per pair event: the jumps of (lambda_a N_a - lambda_b N_b) in m and of N_a - N_b in cycles."""
    ev = res.events.select("slip")
    m = ev.cause == cause
    out = []
    for t, s in sorted(set(zip(ev.time_ns[m].tolist(), ev.sat[m].tolist(), strict=True))):
        k = np.flatnonzero(m & (ev.time_ns == t) & (ev.sat == s))
        if k.size != 2:  # two pairs drawn at one epoch of one satellite: their jumps add up
            continue
        (sa, za), (sb, zb) = [(str(ev.signal[i]), float(ev.size[i])) for i in k]
        from kompas import sat_id

        sid = str(sat_id(s))
        la, lb = _lam(clean.obs, sid, sa), _lam(clean.obs, sid, sb)
        da, db = (_step(res.obs, clean.obs, sid, x, t) for x in (sa, sb))
        assert (da, db) == pytest.approx((za, zb), abs=1e-6)  # the recorded sizes are what happened
        out.append((sid, sa, sb, za, zb, la * da - lb * db, da - db))
    return out


def test_gf_blind_pairs_leave_the_geometry_free_phase(gf_paired, clean):
    pairs = _gf_mw_jumps(gf_paired, clean, "gf-pair")
    assert {p[0][0] for p in pairs} == set("GREC")  # every system had one
    known = {"G": (77, 60), "R": (9, 7), "E": (154, 115), "C": (763, 620)}  # 1C/2W, 1C/2C, 1C/5Q, 2I/6I
    signals = {"G": ("1C", "2W"), "R": ("1C", "2C"), "E": ("1C", "5Q"), "C": ("2I", "6I")}
    for sid, sa, sb, za, zb, gf, _ in pairs:
        p, q = known[sid[0]]
        assert (sa, sb) == signals[sid[0]]
        assert za / zb == pytest.approx(p / q) and za % p == 0 and abs(za) <= 1000
        assert abs(gf) < 1e-6  # m: the geometry-free phase cannot see these slips


def test_mw_blind_pairs_are_equal_slips(mw_paired, clean):
    pairs = _gf_mw_jumps(mw_paired, clean, "mw-pair")
    assert pairs
    for *_, za, zb, gf, wl in pairs:
        assert za == zb and wl == pytest.approx(0.0, abs=1e-6)  # the wide-lane ambiguity is unchanged
        assert abs(gf) > 0.01 * abs(za)  # but the geometry-free phase moves (by n (lambda_a - lambda_b))


def test_random_slips_are_recorded_where_they_act(clean):
    res = _sim(ErrorModel(cycle_slips=True, slip_rate_per_hour=6.0, slip_size_max=1000, slip_lli=False))
    obs, ev = res.obs, res.events.select("slip")
    assert len(ev) > 100 and np.abs(ev.size).max() <= 1000 and not ev.lli.any() and obs.lli.sum() == 0
    jump = np.rint(obs.phase_cyc - clean.obs.phase_cyc)
    # rebuild the cumulative slips from the table: they explain every jump exactly
    from kompas import sat_id

    recon = np.zeros(len(obs))
    for t, s, sig, z in zip(ev.time_ns, ev.sat, ev.signal, ev.size, strict=True):
        recon[_rows(obs, str(sat_id(s)), str(sig)) & (obs.time_ns >= t)] += z
    np.testing.assert_array_equal(jump, recon)


def test_clock_jump_moves_code_and_phase_not_doppler(clean):
    t = START + 900 * S
    res = _sim(events=[Event("clock", t, size=-1e-3)])
    obs = res.obs
    after = obs.time_ns >= t
    f = carrier_frequency(obs.sat, obs.signal, obs.header.glonass_channels)
    dcode = obs.code_m - clean.obs.code_m
    dphase = (obs.phase_cyc - clean.obs.phase_cyc) * C / f
    # code and phase move together by c * 1 ms, less the range change over the 1 ms shifted reception
    assert np.abs(dcode[~after]).max() < 1e-9
    assert np.median(dcode[after]) == pytest.approx(-C * 1e-3, abs=1000.0)
    np.testing.assert_allclose(dphase[after], dcode[after], rtol=0, atol=1e-4)
    np.testing.assert_allclose(obs.doppler_hz, clean.obs.doppler_hz, atol=1e-3)
    assert res.sim.receiver_clock_s(np.array([89, 90])) == pytest.approx(
        [1e-4 + 2e-9 * 890, 1e-4 + 2e-9 * 900 - 1e-3]
    )
    assert res.events.select("clock").size.tolist() == [-1e-3]


def test_random_clock_jumps_keep_the_clock_near_zero():
    res = _sim(ErrorModel(clock_jump_rate_per_hour=20.0), hours=1.0, systems="G")
    sizes = res.events.select("clock").size
    assert len(sizes) > 5 and set(np.abs(sizes)) == {1e-3}
    clk = res.sim.receiver_clock_s(np.arange(res.sim.tags.size))
    assert np.abs(clk).max() < 1.01e-3  # steered: a jump never takes the clock further away


def test_gaps_and_outages(clean):
    t0, t1 = START + 300 * S, START + 400 * S
    res = _sim(ErrorModel(outage_rate_per_hour=0.0), events=[Event("gap", t0, "C01", end_ns=t1),
                                                            Event("outage", START + 1000 * S, end_ns=START + 1060 * S)])  # fmt: skip
    obs = res.obs
    c01 = obs.sat == sat_index("C01")
    assert not np.any(c01 & (obs.time_ns >= t0) & (obs.time_ns < t1))
    assert np.any(c01 & (obs.time_ns == t1)) and np.all(obs.lli[c01 & (obs.time_ns == t1)] == 1)
    missing = set(range(START + 1000 * S, START + 1060 * S, 10 * S))
    assert missing.isdisjoint(obs.epoch_time_ns.tolist()) and obs.n_epochs == clean.obs.n_epochs - 6
    gap, out = res.events.select("gap"), res.events.select("outage")
    assert gap.size.tolist() == [10.0] and gap.end_ns.tolist() == [t1]  # C01 (GEO) is always up
    assert out.size.tolist() == [6.0] and set(gap.cause) == set(out.cause) == {"user"}
    new = res.events.select("slip")
    assert set(new.cause) == {"new-amb"} and new.lli.all()
    # after the gap C01's three signals and after the outage every tracked signal get a new ambiguity
    assert np.sum(new.time_ns == t1) == 3 and np.sum(new.time_ns == START + 1060 * S) == np.sum(
        obs.time_ns == START + 1060 * S
    )


def test_overlapping_gaps_and_outages_count_each_removed_epoch_once(clean):
    # truth.json's size is the epochs (observations) an event removed: two outages sharing epochs and a
    # gap inside an outage must add up to what is gone, the outages claiming their epochs first
    res = _sim(ErrorModel(outage_rate_per_hour=0.0), events=[
        Event("gap", START + 990 * S, "C01", end_ns=START + 1030 * S),
        Event("outage", START + 1000 * S, end_ns=START + 1030 * S),
        Event("outage", START + 1020 * S, end_ns=START + 1060 * S)])  # fmt: skip
    out, gap = res.events.select("outage"), res.events.select("gap")
    assert res.obs.n_epochs == clean.obs.n_epochs - 6  # 1000 .. 1050 s
    assert out.size.tolist() == [3.0, 3.0] and gap.size.tolist() == [1.0]  # C01 alone at 990 s
    # an outage counts the epochs with any satellite in view (GPS alone: the last satellite of the
    # constellation, G24, is never in view from Jakarta in this half hour)
    gps = _sim(ErrorModel(outage_rate_per_hour=0.0), systems="G",
               events=[Event("outage", START + 1000 * S, end_ns=START + 1030 * S)])  # fmt: skip
    assert gps.events.select("outage").size.tolist() == [3.0]


def test_random_gaps_remove_data_and_are_recorded():
    errors = ErrorModel(gap_rate_per_hour=2.0, gap_length_s=(60.0, 120.0), gap_new_ambiguity=False)
    res = _sim(errors, hours=1.0)
    gaps = res.events.select("gap")
    assert len(gaps) > 50 and not len(res.events.select("slip"))
    obs = res.obs
    assert set(gaps.cause) == {"random"} and np.unique(gaps.time_ns).size > 20  # spread over the hour
    per_length = np.unique(gaps.end_ns - gaps.time_ns, return_counts=True)[1]
    assert per_length.max() < 0.3 * len(gaps)  # lengths drawn per gap
    for t0, t1, s, n in zip(gaps.time_ns, gaps.end_ns, gaps.sat, gaps.size, strict=True):
        assert 60 * S <= t1 - t0 <= 120 * S or t1 == START + 3600 * S
        assert not np.any((obs.sat == s) & (obs.time_ns >= t0) & (obs.time_ns < t1))
        assert 0 <= n <= (t1 - t0) // (10 * S)


def test_multipath_scales_with_signal_and_elevation(clean):
    res = _sim(ErrorModel(multipath=True))
    mp = res.obs.code_m - clean.obs.code_m
    rec = res.record["multipath"]
    for sid in ("G01", "G02", "G03", "R01"):
        for sig, scale in (("1C", 1.0 if sid[0] == "G" else 1.41), ("5Q", 0.32), ("2W", 0.32)):
            key = f"{sid} {sig}"
            if key not in rec["zenith_code_amplitude_m"]:
                continue
            assert rec["zenith_code_amplitude_m"][key] == pytest.approx(0.2 * scale)
            m = _rows(res.obs, sid, sig)
            if m.sum() < 50:
                continue
            # |MP| <= A / sin(el); the envelope is reached somewhere over several periods
            from kompas.frames import azimuth_elevation

            st = res.truth.state(res.obs.sat[m], res.obs.time_ns[m])
            sin_el = np.sin(azimuth_elevation(st.pos_m, RCV)[1])
            ratio = np.abs(mp[m]) * sin_el / (0.2 * scale)
            assert ratio.max() <= 1.0 + 1e-3 and ratio.max() > 0.5


@pytest.fixture(scope="module")
def one_block():
    errors = dataclasses.replace(ErrorModel.default(), cycle_slips=True, slip_rate_per_hour=3.0,
                                 gap_rate_per_hour=1.0, outage_rate_per_hour=2.0, clock_jump_rate_per_hour=2.0)  # fmt: skip
    return errors, _sim(errors, hours=0.3, interval=1.0)


@pytest.mark.parametrize("block", [37, 257])  # 257: blocks end on the first epoch of a 256-epoch noise chunk
def test_blocks_do_not_change_anything(one_block, block):
    errors, a = one_block
    b = _sim(errors, hours=0.3, interval=1.0, block_epochs=block)
    for f in (
        "time_ns",
        "sat",
        "signal",
        "code_m",
        "phase_cyc",
        "doppler_hz",
        "cn0_dbhz",
        "lli",
        "epoch_time_ns",
    ):
        assert np.array_equal(getattr(a.obs, f), getattr(b.obs, f)), f
    for f in ("kind", "time_ns", "sat", "signal", "size", "lli", "cause"):
        assert np.array_equal(getattr(a.events, f), getattr(b.events, f)), f


def test_zero_epoch_blocks_are_refused_not_taken_for_the_default():
    with pytest.raises(ConfigError, match="block_epochs must be >= 1, not 0"):
        _sim(ErrorModel.default(), hours=0.05, interval=30.0, block_epochs=0)


def test_event_after_the_last_epoch_is_a_config_error():
    with pytest.raises(ConfigError, match="is not a simulated epoch"):
        _sim(events=[Event("slip", START + 1800 * S, "G01", "1C", 1.0)], hours=0.5)  # last epoch: 1790 s


def test_event_table_order_and_records():
    """Rows sort by time, satellite, signal, kind, cause, size; records carry end_ns for gaps only."""
    g01, g05 = int(sat_index("G01")), int(sat_index("G05"))
    rows = [
        ("slip", START + 10 * S, 0, g05, "1C", 3.0, True, "user"),
        ("slip", START + 10 * S, 0, g01, "2W", -2.0, False, "random"),
        ("gap", START, START + 30 * S, g05, "", 0.0, False, "random"),
        ("outage", START + 20 * S, START + 40 * S, -1, "", 0.0, False, "user"),
    ]
    t = EventTable.from_rows(rows)
    assert t.kind.tolist() == ["gap", "slip", "slip", "outage"]
    assert t.sat.tolist() == [g05, g01, g05, -1] and t.signal.tolist() == ["", "2W", "1C", ""]
    rec = t.to_records()
    assert rec[0] == {"kind": "gap", "time": "2025-01-01T00:00:00", "time_ns": START, "end_ns": START + 30 * S,
                      "sat": "G05", "signal": None, "band": None, "size": 0.0, "unit": "epoch", "lli": False,
                      "cause": "random"}  # fmt: skip
    assert "end_ns" not in rec[1] and rec[1]["signal"] == "2W" and rec[1]["band"] == "2"
    assert rec[1]["unit"] == "cycle" and rec[1]["size"] == -2.0 and rec[2]["lli"] is True
    assert rec[3]["sat"] is None and rec[3]["end_ns"] == START + 40 * S
    assert len(EventTable.from_rows([])) == 0


def test_slips_that_cancel_on_a_cell_are_counted_not_kept(clean):
    """Two slips of +5 and -5 cycles at one epoch of one signal: nothing happened there."""
    t = START + 600 * S
    sat = str(sat_id(clean.obs.sat[clean.obs.time_ns == t][0]))
    sig = "1C" if sat[0] in "GRE" else "2I"
    res = _sim(events=[Event("slip", t, sat, sig, 5.0), Event("slip", t, sat, sig, -5.0),
                       Event("slip", t + 60 * S, sat, sig, 2.0), Event("slip", t + 90 * S, sat, sig, -1.0)])  # fmt: skip
    band = {sat[0]: (1,) if sat[0] in "GRE" else (2,)}
    ob = res.obs.observables(band)
    cells = slip_cells(res.events, ob)
    assert cells.n_cancelled == 1 and cells.n_unmatched == 0 and len(cells) == 2
    assert cells.size.tolist() == [2.0, -1.0] and ob.time_ns[cells.row].tolist() == [t + 60 * S, t + 90 * S]
    # a table without those cells (a system not simulated): every slip is unmatched
    none = slip_cells(res.events, res.obs.observables({"J": (1,)}))
    assert len(none) == 0 and none.n_unmatched == 4 and none.n_cancelled == 0
    assert none.row.dtype == none.col.dtype == np.int64 and none.lli.dtype == bool and none.size.shape == (0,)
    empty = slip_cells(clean.events, clean.obs.observables(band))  # no slip at all
    assert len(empty) == 0 and empty.n_cancelled == 0 and empty.n_unmatched == 0


def test_signal_strength_rises_with_elevation(clean):
    """Without noise, C/N0 = 32 + 16 sin(el) dB-Hz plus a fixed offset per signal (2W: -6 dB)."""
    from kompas.frames import azimuth_elevation

    for sig, offset in (("1C", 0.0), ("2W", -6.0)):
        m = (clean.obs.signal == signal_id(sig)) & (sat_letter(clean.obs.sat) == "G")
        st = clean.truth.state(clean.obs.sat[m], clean.obs.time_ns[m])
        sin_el = np.sin(azimuth_elevation(st.pos_m, RCV)[1])
        assert np.ptp(sin_el) > 0.2
        np.testing.assert_allclose(clean.obs.cn0_dbhz[m], 32.0 + 16.0 * sin_el + offset, rtol=0, atol=0.01)


def test_random_outages_remove_whole_epochs():
    errors = ErrorModel(outage_rate_per_hour=6.0, outage_length_s=(30.0, 60.0))
    res = _sim(errors, hours=1.0)
    out = res.events.select("outage")
    assert len(out) >= 2 and (out.sat == -1).all() and not len(res.events.select("gap"))
    assert set(out.cause) == {"random"}
    for t0, t1 in zip(out.time_ns.tolist(), out.end_ns.tolist(), strict=True):
        assert not np.any((res.obs.epoch_time_ns >= t0) & (res.obs.epoch_time_ns < t1))


def test_random_outage_rate_and_shortest_length():
    """20 outages an hour over 5 h (Poisson: 100 +- 10), each of one 30-s epoch (10 s rounds to no epoch;
    an outage lasts at least one)."""
    errors = ErrorModel(outage_rate_per_hour=20.0, outage_length_s=(10.0, 10.0))
    out = _sim(errors, hours=5.0, interval=30.0, systems="G").events.select("outage")
    assert 60 <= len(out) <= 140
    assert set((out.end_ns - out.time_ns).tolist()) == {30 * S}


def test_a_slip_on_a_satellite_out_of_view_is_a_warning(clean):
    """Such a slip changes no observation, so the event table cannot hold it: the user is told."""
    t = START + 600 * S
    seen = {str(x) for x in sat_id(np.unique(clean.obs.sat[clean.obs.time_ns == t]))}
    hidden = next(f"G{k:02d}" for k in range(1, 33) if f"G{k:02d}" not in seen)
    shown = sorted(x for x in seen if x[0] == "G")[0]
    said = (r"^KSIM: 1 of the 2 slips asked for act on no observation \(satellite not in view or under the "
            r"elevation mask at that epoch\): not in the event table$")  # fmt: skip
    with pytest.warns(KompasWarning, match=said):
        res = _sim(events=[Event("slip", t, hidden, "1C", 3.0), Event("slip", t, shown, "1C", 3.0)])
    assert len(res.events.select("slip")) == 1


def test_gaps_of_a_single_satellite_stay_gaps():
    """With one satellite column, random satellite gaps keep column 0; only outages take -1 (every satellite)."""
    from kompas.sim.events import _gaps

    errors = ErrorModel(gap_rate_per_hour=20.0, outage_rate_per_hour=20.0)
    rows, cause = _gaps(errors, 360, 1, 1.0, 10.0, np.random.default_rng(1), np.random.default_rng(2), [])
    n_gap = np.random.default_rng(1).poisson(20.0, 1).sum()  # the same draw _gaps makes for the gaps
    assert n_gap > 5 and (rows[:n_gap, 0] == 0).all() and (rows[n_gap:, 0] == -1).all() and len(rows) > n_gap
    assert set(cause) == {"random"}
