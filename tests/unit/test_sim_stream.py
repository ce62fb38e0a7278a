"""Streaming: observation files written block by block are the files write_obs writes from the whole table."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from kompas import KompasError, gtime_from_calendar, read_obs
from kompas.frames import geodetic_to_ecef
from kompas.io.writers.rinex_obs import write_obs
from kompas.io.writers.rinex_obs_stream import ObsStreamWriter
from kompas.sim import ErrorModel, simulate, simulate_baseline

START = int(gtime_from_calendar(2025, 1, 1, 0, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))
NOW = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
EVENTS = dataclasses.replace(ErrorModel.default(), cycle_slips=True, slip_rate_per_hour=2.0,
                             gf_pair_rate_per_hour=1.0, clock_jump_rate_per_hour=2.0, gap_rate_per_hour=1.0,
                             outage_rate_per_hour=2.0)  # fmt: skip


@pytest.mark.parametrize("block_epochs", [None, 7, 1000])
def test_streamed_file_is_byte_identical(tmp_path, block_epochs):
    """Any block size: the noise is drawn per 256-epoch chunk, events are planned for the whole span and
    the GLONASS truth integrates each row with its own steps, so values do not depend on the blocks."""
    full = simulate(RCV, START, hours=0.25, interval_s=1.0, errors=EVENTS, seed=9)
    write_obs(full.obs, tmp_path / "full.rnx", program="kompas sim SIM", _now=NOW)
    streamed = simulate(RCV, START, hours=0.25, interval_s=1.0, errors=EVENTS, seed=9, obs_path=tmp_path / "s.rnx",
                        block_epochs=block_epochs, program="kompas sim SIM", _now=NOW)  # fmt: skip
    assert streamed.obs is None and len(streamed.events) == len(full.events) > 20
    a, b = (tmp_path / "full.rnx").read_bytes(), (tmp_path / "s.rnx").read_bytes()
    assert len(a) > 5_000_000 and a == b
    assert streamed.stats == full.stats and streamed.stats["epochs"] == full.obs.n_epochs


def test_streamed_baseline_files(tmp_path):
    paths = (tmp_path / "b.rnx", tmp_path / "r.rnx")
    res = simulate_baseline(
        RCV, START, offset_enu_m=(10.0, 0.0, 0.0), hours=0.1, interval_s=5.0, obs_paths=paths
    )
    ref = simulate_baseline(RCV, START, offset_enu_m=(10.0, 0.0, 0.0), hours=0.1, interval_s=5.0)
    for p, r in zip(paths, (ref.base, ref.rover), strict=True):
        back = read_obs(p)
        assert back.header.marker_name == r.obs.header.marker_name
        np.testing.assert_allclose(back.code_m, r.obs.code_m, rtol=0, atol=5e-4)
    assert res.base.obs is None and res.rover.stats["epochs"] == 72


def test_stream_writer_refuses_undeclared_signals_and_disorder(tmp_path):
    res = simulate(RCV, START, hours=0.05, interval_s=30.0, errors="none", systems="G")
    hdr = res.obs.header
    t = res.obs.epoch_time_ns
    with (
        ObsStreamWriter(tmp_path / "x.rnx", hdr, {"G": ["C1C", "L1C"]}, t[0], t[-1]) as w,
        pytest.raises(KompasError),
    ):
        w.write(res.obs)  # 2W and 5Q are not declared
    with ObsStreamWriter(tmp_path / "y.rnx", hdr, hdr.obs_types, t[0], t[-1]) as w:
        w.write(res.obs)
        with pytest.raises(KompasError):
            w.write(res.obs)  # the same epochs again
    n = res.obs.n_epochs
    with ObsStreamWriter(tmp_path / "z.rnx", hdr, hdr.obs_types, t[0], t[-1]) as w:
        w.write(res.obs.epochs(0, 3))
        with pytest.raises(KompasError, match="blocks must come in time order"):
            w.write(res.obs.epochs(2, n))  # the last epoch written again
        w.write(res.obs.epochs(3, n))
    back = read_obs(tmp_path / "z.rnx")
    assert back.n_epochs == n and back.header.program.startswith("kompas")  # the default program name


def test_the_simulated_header_is_the_files_header(tmp_path):
    """simulate()'s table says what its file says: GPS time, the kompas.sim agency and program."""
    res = simulate(
        RCV, START, hours=0.05, interval_s=30.0, errors="none", systems="G", obs_path=tmp_path / "d.rnx"
    )
    mem = simulate(RCV, START, hours=0.05, interval_s=30.0, errors="none", systems="G").obs.header
    back = read_obs(tmp_path / "d.rnx").header
    assert res.obs is None and back.program == "kompas.sim"  # the default program name
    assert (mem.time_system, mem.agency) == (back.time_system, back.agency) == ("GPS", "kompas.sim")


def test_nothing_to_stream_when_an_outage_covers_the_span(tmp_path):
    from kompas.errors import ConfigError
    from kompas.sim import Event

    whole = [Event("outage", START, end_ns=START + 3600 * 10**9)]
    with pytest.raises(ConfigError, match="every epoch is inside an outage: nothing to write"):
        simulate(RCV, START, hours=0.1, interval_s=30.0, events=whole, obs_path=tmp_path / "o.rnx")
    assert not (tmp_path / "o.rnx").exists()
