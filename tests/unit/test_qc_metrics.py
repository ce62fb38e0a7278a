"""QC counts on hand-made elevation grids (kompas.qc.metrics): the boundary of the mask and the satellites
the file never shows."""

import numpy as np
import pytest

from kompas import gtime_from_calendar, sat_index
from kompas.qc.geometry import SkyGrid
from kompas.qc.metrics import _never_observed, _system_expected, _unplaced
from kompas.time import NS, time_span

pytestmark = pytest.mark.timeout(60)

MASK = np.radians(10.0)


def _grid():
    sats = np.sort(sat_index(["G01", "G02", "G03", "E01"]))
    el = np.radians(
        [[5.0, 40.0, 10.0, 30.0],  # G03 exactly at the mask: above it, as in every count of QC
         [12.0, 45.0, 9.99, np.nan],  # E01 without a usable orbit at this epoch
         [np.nan, 50.0, 10.0, 20.0]]
    )  # fmt: skip
    return SkyGrid(sats, np.zeros_like(el), el)


def test_satellites_never_observed_with_their_epochs_above_the_mask():
    grid = _grid()
    g01, g02, g03, e01 = sat_index(["G01", "G02", "G03", "E01"])
    assert _never_observed(grid, "G", [g02], MASK) == {g01: 1, g03: 2}  # exactly at the mask counts
    assert _never_observed(grid, "G", [g01, g02, g03], MASK) == {}
    assert _never_observed(grid, "E", [], MASK) == {e01: 2}
    assert _never_observed(None, "G", [], MASK) == {}
    # the system's expected count over observed and never-observed satellites alike
    assert _system_expected(grid, np.array([g01, g02, g03]), MASK) == 1 + 3 + 2


def test_mean_cn0_is_over_the_observations_above_the_mask(tmp_path):
    # the table is "completeness and mean C/N0 per signal (above the mask)": a satellite below the mask
    # must not pull the mean down, and a bin whose signal has no C/N0 has no mean (not 0 dB-Hz)
    from types import SimpleNamespace

    from test_rinex_obs import F, H

    from kompas import read_obs
    from kompas.qc.metrics import completeness

    header = "\n".join([
        H("     3.05           OBSERVATION DATA    M", "RINEX VERSION / TYPE"),
        H("G    3 C1C S1C C2W", "SYS / # / OBS TYPES"),
        H("  2020     6    25     0     0    0.0000000     GPS", "TIME OF FIRST OBS"),
        H("", "END OF HEADER"),
    ])  # fmt: skip
    lines = []
    for k in range(3):
        lines.append(f"> 2020 06 25 00 {k:02d}  0.0000000  0  3")
        for s, cn0 in (("G01", 30.0), ("G02", 50.0), ("G03", 46.0)):
            c1c = F() if (s, k) == ("G02", 1) else F(2e7)  # G02 misses its C1C once
            lines.append(s + c1c + F(cn0) + F(2e7))  # C2W has no C/N0 at all
    p = tmp_path / "cn0.rnx"
    p.write_text(header + "\n" + "\n".join(lines) + "\n")
    obs = read_obs(p)
    grid = _grid()  # G01 at 5 deg (below), 12 deg, NaN; G02 at 40-50; G03 at 10, 9.99, 10 deg
    cfg = SimpleNamespace(elmask_deg=10.0, el_bin_deg=10.0)
    ctx = SimpleNamespace(obs=obs, grid=grid, cfg=cfg, systems="G")
    ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))
    rows, bins = completeness(ctx, grid.lookup(ep, obs.sat)[1])
    c1c = next(r for r in rows if r["signal"] == "GC1C")
    # above the mask: G01 once (12 deg), G02 three times, G03 twice (10.0 deg counts)
    assert c1c["have"] == 5 and c1c["cn0_mean_dbhz"] == 44.4  # (30 + 2 x 50 + 2 x 46) / 5
    by_bin = {(b["signal"], b["el_from_deg"]): b for b in bins}
    assert by_bin["GC1C", 10.0]["have"] == 3 and by_bin["GC1C", 10.0]["cn0_mean_dbhz"] == 40.67  # (30+92)/3
    # expected counts and percentages per signal and per bin (6 cells above the mask, 3 of them in 10-20)
    assert c1c["expt"] == 6 and c1c["pct"] == 83.33
    assert by_bin["GC1C", 10.0]["expt"] == 3 and by_bin["GC1C", 10.0]["pct"] == 100.0
    assert by_bin["GC2W", 10.0]["have"] == 3 and by_bin["GC2W", 10.0]["cn0_mean_dbhz"] is None
    assert next(r for r in rows if r["signal"] == "GC2W")["cn0_mean_dbhz"] is None


def test_a_counted_signal_names_its_satellites_without_an_elevation():
    """Satellites of a counted signal that have no elevation at any observation (no usable broadcast
    record) are left out of expt/have but kept in the MP and slip tables: the row's note says so."""
    sat = sat_index(["C09", "C19", "C09", "C14", "C19", "C19", "C14"])
    placed = np.array([False, True, False, False, True, False, True])  # C14 placed once, C19 not always
    t = int(gtime_from_calendar(2020, 6, 25)) + 30 * NS * np.array([0, 0, 1, 1, 1, 2, 2])
    # the satellites placed at other epochs count their unplaced observations apart, with their span
    assert _unplaced(sat, placed, t) == (
        "C09 without a usable broadcast record: 2 observations not counted; 2 observations at epochs "
        f"without a usable broadcast record ({time_span(t[[3, 5]])}) not counted"
    )
    sat = sat_index(["G26", "G07", "G26"])
    assert _unplaced(sat, np.zeros(3, bool), t[:3]) == (
        "G07 G26 without a usable broadcast record: 3 observations not counted"
    )
    assert _unplaced(sat, np.ones(3, bool), t[:3]) == ""


def test_bins_per_block_are_the_bins_of_the_whole(monkeypatch):
    """_bin works block by block: the bins are those of one pass over the whole array, across block
    edges, for NaN, negative and wrapping angles."""
    from kompas.qc import metrics

    rng = np.random.default_rng(3)
    x = rng.uniform(-7.0, 7.0, 1000)
    x[::37] = np.nan
    x[5] = np.radians(360.0)  # wraps to the first bin

    def whole(v, width):
        d = np.floor(np.mod(np.degrees(np.nan_to_num(v)), 360.0) / width)
        return d.astype(np.int16)

    for block in (7, 64, 1 << 18):
        monkeypatch.setattr(metrics, "_BIN_BLOCK", block)
        np.testing.assert_array_equal(metrics._bin(x, 30.0), whole(x, 30.0))
        np.testing.assert_array_equal(metrics._bin(x[::3], 10.0), whole(x[::3], 10.0))
    assert metrics._bin(np.zeros(0), 10.0).size == 0


def test_group_starts_per_block_and_groups_of_the_kept_values():
    """sorted_starts finds the key changes of the sorted keys across block edges (a change on an edge,
    a group spanning blocks); _grouped with a mask gives the groups of the kept values, indexed into the
    whole arrays."""
    from kompas.estimators.grouped import sorted_starts as _sorted_starts
    from kompas.qc.metrics import _grouped

    rng = np.random.default_rng(5)
    k = rng.integers(0, 9, 200)
    order = np.argsort(k, kind="stable")
    ks = k[order]
    want = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    for block in (1, 2, 3, 16, 1 << 18):
        np.testing.assert_array_equal(_sorted_starts(k, order, block), want)
    np.testing.assert_array_equal(_sorted_starts(k, order[:0]), [0])

    a, b = rng.integers(0, 4, 300), rng.integers(0, 3, 300)
    v = rng.normal(size=300)
    keep = rng.random(300) < 0.7
    first, (n, s) = _grouped([a, lambda: b], [None, lambda o: v[o]], keep=keep)
    ref_first, (ref_n, ref_s) = _grouped([a[keep], b[keep]], [None, v[keep]])
    np.testing.assert_array_equal(first, np.flatnonzero(keep)[ref_first])
    np.testing.assert_array_equal(n, ref_n)
    np.testing.assert_array_equal(s, ref_s)
