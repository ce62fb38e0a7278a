"""Observation masks of the positioning recipes: ``--cn0-mask`` and ``--exclude`` (kompas.engine.SignalMask),
on simulated observations whose C/N0 follows the elevation."""

import dataclasses

import numpy as np
import pytest

import kompas
from kompas.engine import SignalMask, check_exclusion
from kompas.errors import ConfigError, KompasWarning
from kompas.ppp_config import PppConfig
from kompas.rtk import RtkConfig
from kompas.satsys import sat_index, sat_letter
from kompas.sim import simulate
from kompas.spp import SppConfig

JAKARTA = [-1836972.0, 6065616.0, -716256.0]


@pytest.fixture(scope="module")
def sim():
    t0 = int(kompas.gtime_from_calendar(2024, 3, 1))
    return simulate(JAKARTA, t0, hours=0.1, interval_s=60.0, errors="default", seed=3)


def _epoch_rows(obs):
    """Per epoch, the (satellite, signal) pairs it holds."""
    return [set(zip(obs.sat[obs.epoch_rows(k)].tolist(), obs.signal[obs.epoch_rows(k)].tolist(), strict=True))
            for k in range(obs.n_epochs)]  # fmt: skip


def test_keep_rows_keeps_every_epoch_with_its_remaining_rows(sim):
    obs = sim.obs
    keep = np.arange(len(obs)) % 3 != 0
    out = obs.keep_rows(keep)
    assert out.n_epochs == obs.n_epochs and np.array_equal(out.epoch_time_ns, obs.epoch_time_ns)
    assert len(out) == keep.sum()
    kept = set(np.flatnonzero(keep).tolist())
    for k, rows in enumerate(_epoch_rows(out)):
        r = obs.epoch_rows(k)
        want = {(s, g) for i, s, g in zip(range(r.start, r.stop), obs.sat[r].tolist(), obs.signal[r].tolist(),
                                           strict=True) if i in kept}  # fmt: skip
        assert rows == want
    empty = obs.keep_rows(np.repeat(np.arange(obs.n_epochs) != 1, np.diff(obs.epoch_offsets)))
    assert empty.n_epochs == obs.n_epochs and len(empty.epoch(1)) == 0
    assert len(empty.epoch(2)) == len(obs.epoch(2))
    last = obs.n_epochs - 1  # epochs left empty at the end stay too
    tail = obs.keep_rows(np.repeat(np.arange(obs.n_epochs) < last - 1, np.diff(obs.epoch_offsets)))
    assert tail.n_epochs == obs.n_epochs and len(tail.epoch(last)) == len(tail.epoch(last - 1)) == 0
    assert tail.epoch_offsets[-1] == len(tail)
    ones = obs.keep_rows(keep.astype(int).tolist())  # 0/1 as a mask, not as row numbers
    assert np.array_equal(ones.sat, out.sat) and np.array_equal(ones.epoch_offsets, out.epoch_offsets)
    with pytest.raises(ConfigError, match="mask of the"):
        obs.keep_rows(keep[1:])


def test_cn0_mask_drops_weak_signals_and_keeps_those_without_a_cn0(sim):
    obs = sim.obs
    cn0 = obs.cn0_dbhz.copy()
    assert np.isfinite(cn0).all() and cn0.min() < 40.0 < cn0.max()
    cn0[::7] = np.nan  # a file that records no C/N0 for these
    obs = dataclasses.replace(obs, cn0_dbhz=cn0)
    mask = SignalMask(40.0)
    out = mask(obs)
    weak = np.isfinite(cn0) & (cn0 < 40.0)
    assert len(out) == len(obs) - weak.sum()
    assert (np.nan_to_num(out.cn0_dbhz, nan=99.0) >= 40.0).all() and np.isnan(out.cn0_dbhz).sum() == np.isnan(
        cn0
    ).sum()
    assert (mask.rows, mask.weak, mask.no_cn0, mask.excluded) == (
        len(obs),
        weak.sum(),
        np.isnan(cn0).sum(),
        0,
    )
    share = 100.0 * weak.sum() / len(obs)
    assert mask.lines() == (
        f"C/N0 below 40 dB-Hz: {weak.sum()} of {len(obs)} observations ({share:.1f} %); "
        f"{np.isnan(cn0).sum()} without a C/N0 kept",
    )
    mask(obs)  # counts add up over the blocks of a run
    assert (mask.rows, mask.weak, mask.no_cn0) == (2 * len(obs), 2 * weak.sum(), 2 * np.isnan(cn0).sum())


def test_both_masks_together_and_their_lines(sim):
    obs = sim.obs
    sats = np.unique(obs.sat)[:3]
    ids = tuple(str(x) for x in kompas.sat_id(sats))
    mask = SignalMask(40.0, exclude=ids)
    out = mask(obs)
    assert not np.isin(out.sat, sats).any() and (out.cn0_dbhz >= 40.0).all()
    gone = np.isin(obs.sat, sats)
    weak = ~gone & (obs.cn0_dbhz < 40.0)
    assert len(out) == len(obs) - gone.sum() - weak.sum()
    share = 100 * weak.sum() / len(obs)
    assert mask.lines() == (
        f"satellites {','.join(ids)} excluded: {gone.sum()} of {len(obs)} observations",
        f"C/N0 below 40 dB-Hz: {weak.sum()} of {len(obs)} observations ({share:.1f} %)",
    )
    with pytest.raises(
        ConfigError, match=r"leave the base empty: satellites .* excluded: .*; C/N0 below 99 dB-Hz"
    ):
        SignalMask(99.0, exclude=ids).require(obs, "base")


def test_a_mask_that_drops_nothing_returns_the_table_and_says_so(sim):
    mask = SignalMask(10.0, exclude=("C99",))
    assert mask(sim.obs) is sim.obs
    n = len(sim.obs)
    assert mask.lines() == (
        f"satellites C99 excluded: 0 of {n} observations (C99 not in the observations)",
        f"C/N0 below 10 dB-Hz: 0 of {n} observations (0.0 %)",
    )
    one = sim.obs.keep_rows(np.arange(len(sim.obs)) == 0)
    single = SignalMask(99.0)
    single(one)
    assert single.lines() == ("C/N0 below 99 dB-Hz: 1 of 1 observations (100.0 %)",)


def test_a_signal_exactly_at_the_mask_is_kept(sim):
    obs = sim.obs
    at = dataclasses.replace(obs, cn0_dbhz=np.full(len(obs), 35.0, np.float32))
    assert len(SignalMask(35.0)(at)) == len(obs) and len(SignalMask(35.25)(at)) == 0


def test_exclusion_drops_the_satellites_and_counts_the_systems_used(sim):
    obs = sim.obs
    letters = sat_letter(obs.sat)
    c_sats = np.unique(obs.sat[letters == "C"])[:2]
    g_sat = np.unique(obs.sat[letters == "G"])[0]
    ids = tuple(str(x) for x in kompas.sat_id(np.r_[c_sats, g_sat]))
    mask = SignalMask(exclude=ids, systems="C")
    out = mask(obs)
    assert not np.isin(out.sat, np.r_[c_sats, g_sat]).any()
    assert len(out) == len(obs) - np.isin(obs.sat, np.r_[c_sats, g_sat]).sum()
    assert mask.rows == (letters == "C").sum() and mask.excluded == np.isin(obs.sat, c_sats).sum()
    assert mask.lines() == (
        f"satellites {','.join(ids)} excluded: {mask.excluded} of {mask.rows} observations",
    )


def test_no_mask_is_the_same_table(sim):
    mask = SignalMask()
    assert mask(sim.obs) is sim.obs and mask.lines() == () and mask.rows == 0


def test_require_names_what_the_masks_left_empty(sim):
    with pytest.raises(ConfigError, match="leave the rover empty: C/N0 below 99 dB-Hz"):
        SignalMask(99.0).require(sim.obs, "rover")
    assert len(SignalMask(20.0).require(sim.obs, "rover")) == len(sim.obs)


def test_excluding_every_satellite_of_the_systems_is_an_option_error(sim):
    obs = sim.obs
    every_r = [str(x) for x in kompas.sat_id(np.unique(obs.sat[sat_letter(obs.sat) == "R"]))]
    with pytest.raises(ConfigError, match=f"leaves no satellite of R: it names all {len(every_r)}"):
        check_exclusion(obs, "R", every_r)
    check_exclusion(obs, "RC", every_r)
    check_exclusion(obs, "R", every_r[1:])


@pytest.mark.parametrize("config", [SppConfig, RtkConfig, PppConfig])
def test_options_are_checked_and_normalised_by_every_recipe(config):
    cfg = config().replace(exclude="c01, g04;R 7,,C01,", cn0_mask_dbhz=35)
    assert cfg.exclude == ("C01", "G04", "R07") and cfg.cn0_mask_dbhz == 35.0
    assert config().replace(exclude=" ").exclude == () and config().replace(exclude=[]).exclude == ()
    assert config().exclude == () and config().cn0_mask_dbhz is None
    assert sat_index(list(cfg.exclude)).tolist() == [401, 104, 207]
    for bad, message in (("X99", "invalid satellite id 'X99'"), ("C100", "'C100' is not a letter"),
                         ("G4", "invalid satellite id 'G4'")):  # fmt: skip
        with pytest.raises(
            ConfigError, match=f"option 'exclude' must list satellites like C01,G04: .*{message}"
        ):
            config().replace(exclude=bad)
    for bad in (-1.0, 100.5):
        with pytest.raises(ConfigError, match="cn0_mask_dbhz"):
            config().replace(cn0_mask_dbhz=bad)


def test_the_command_line_checks_the_options_before_reading_anything(tmp_path, capsys):
    from kompas.cli.main import main

    missing = str(tmp_path / "none.rnx")
    for cmd in (["spp", missing, missing], ["rtk", missing, missing, missing], ["ppp", missing, missing]):
        assert main([*cmd, "--exclude", "X99"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--exclude must list satellites like C01,G04" in err[0], err
        assert main([*cmd, "--cn0-mask", "-3"]) == 2
        assert (
            capsys.readouterr().err
            == f"kompas {cmd[0]}: error: --cn0-mask must be at least 0.0 dB-Hz, not -3.0\n"
        )


@pytest.mark.parametrize("command", ["spp", "rtk", "ppp"])
def test_the_help_names_both_options_with_rtklibs_names(command, capsys, monkeypatch):
    from kompas.cli.main import main

    monkeypatch.setenv("COLUMNS", "1000")  # argparse's help in one line per option
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "--exclude EXCLUDE satellites not used, e.g. C01,G04 (RTKLIB pos1-exclsats) (default: none)" in text
    )
    assert ("--cn0-mask DB-HZ signals received below this carrier-to-noise density are not used; observations "
            "without a C/N0 are kept (RTKLIB pos1-snrmask, one value for every band and elevation) [dB-Hz] "
            "(default: none)") in text  # fmt: skip


def test_spp_refuses_to_exclude_every_satellite_of_its_systems(sim):
    every_g = [str(x) for x in kompas.sat_id(np.unique(sim.obs.sat[sat_letter(sim.obs.sat) == "G"]))]
    with pytest.raises(ConfigError, match="--exclude leaves no satellite of G: it names all"):
        kompas.spp(sim.obs, sim.nav, systems="G", exclude=every_g)
    with pytest.warns(KompasWarning, match=r"GPS .G. served no epoch: too few satellites left by the observation "
                      r"masks .satellites G.* excluded: \d+ of \d+ observations; C/N0 below 20 dB-Hz: "):  # fmt: skip
        one_left = kompas.spp(sim.obs, sim.nav, systems="G", exclude=every_g[1:], cn0_mask_dbhz=20.0)
    assert not one_left.ok.any() and one_left.record.masked


def test_spp_leaves_out_the_masked_signals_and_says_so(sim):
    cfg = SppConfig().replace(systems="GRECJ")
    base = kompas.spp(sim.obs, sim.nav, config=cfg)
    g = np.unique(sim.obs.sat[sat_letter(sim.obs.sat) == "G"])[:2]
    ids = tuple(str(x) for x in kompas.sat_id(g))
    masked = kompas.spp(sim.obs, sim.nav, config=cfg.replace(exclude=ids, cn0_mask_dbhz=42.0))
    assert masked.record.masked[0].startswith(f"satellites {','.join(ids)} excluded: ")
    assert masked.record.masked[1].startswith("C/N0 below 42 dB-Hz: ")
    assert base.record.masked == ()
    both = base.ok & masked.ok
    assert both.sum() >= 5 and (masked.nsat[both] < base.nsat[both]).all()
    streamed = kompas.spp(iter([sim.obs.epochs(0, 3), sim.obs.epochs(3, sim.obs.n_epochs)]), sim.nav,
                          config=cfg.replace(exclude=ids, cn0_mask_dbhz=42.0))  # fmt: skip
    assert streamed.record.masked == masked.record.masked
    assert np.array_equal(streamed.nsat, masked.nsat)
