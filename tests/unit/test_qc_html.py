"""The QC report's figures (kompas.qc.html): which points each figure draws, checked on arrays."""

from __future__ import annotations

import html
import os

import numpy as np
import pytest

from kompas import gtime_from_calendar
from kompas.frames import geodetic_to_ecef
from kompas.qc import html as html_mod
from kompas.qc import run_qc
from kompas.qc.html import _signal_names, largest, sky_thinned, timeline_thinned, write_html
from kompas.qc.report import write_json
from kompas.satsys import sat_id, signal_code
from kompas.sim import simulate

pytestmark = pytest.mark.timeout(60)


def test_signal_names_match_the_names_of_each_point():
    sat = np.array([105, 203, 105, 301, 203, 105])  # G05, R03, G05, E01, R03, G05
    signal = np.array([2, 28, 48, 2, 2, 2])  # 1C, 2C, 2W, 1C, 1C, 1C
    names, name_of, first = _signal_names(sat, signal)
    per_point = [sat_id(s)[0] + signal_code(g) for s, g in zip(sat, signal, strict=True)]
    assert names == sorted(set(per_point)) == ["E1C", "G1C", "G2W", "R1C", "R2C"]
    assert [names[j] for j in name_of] == per_point
    assert [per_point.index(n) for n in names] == list(first)  # the first point of each name
    empty = _signal_names(np.zeros(0, int), np.zeros(0, np.uint8))
    assert empty[0] == [] and empty[1].size == 0


def _epochs(seconds):
    return np.asarray(seconds, dtype=np.int64) * 1_000_000_000


def test_sky_tracks_keep_each_satellites_first_epoch_per_30_s_window_and_its_last():
    t = _epochs(np.arange(300))  # 1-s data
    a = np.arange(300)  # G05 all along
    b = np.arange(100, 138)  # G07 from 100 s to 137 s
    sat = np.concatenate([np.full(300, 105), np.full(38, 107), [301]])  # and E01 at 200 s only
    epoch = np.concatenate([a, b, [200]])
    sat, epoch = np.repeat(sat, 2), np.repeat(epoch, 2)  # two signals per satellite-epoch, both kept
    keep = sky_thinned(sat, epoch, t)
    kept = {s: sorted(set(epoch[keep & (sat == s)].tolist())) for s in (105, 107, 301)}
    # windows [30k - 15, 30k + 15) s after the first epoch: G05's first in each, then its last (299 s)
    assert kept[105] == [0, 15, 45, 75, 105, 135, 165, 195, 225, 255, 285, 299]
    assert kept[107] == [100, 105, 135, 137]
    assert kept[301] == [200]
    assert np.array_equal(keep[::2], keep[1::2])


def test_sky_tracks_of_epochs_years_apart_need_no_cell_for_the_windows_between(monkeypatch):
    """A typo'd year (or sessions joined across years) made the table one cell per window of the whole
    span: 3.6 GiB for one epoch ten years on (helper). Only the windows holding an epoch get cells."""
    t = np.concatenate([_epochs(np.arange(300)), _epochs([300 + 10 * 365 * 86400])])
    sat, epoch = np.full(301, 105), np.arange(301)
    real_full = np.full

    def full(shape, *args, **kwargs):
        assert np.prod(shape) <= 1000, shape  # 11 windows and the far one here; 10.5 million before
        return real_full(shape, *args, **kwargs)

    monkeypatch.setattr(np, "full", full)
    keep = sky_thinned(sat, epoch, t)
    monkeypatch.undo()
    assert epoch[keep].tolist() == [0, 15, 45, 75, 105, 135, 165, 195, 225, 255, 285, 300]


def test_sky_tracks_of_30_s_data_keep_every_epoch_even_off_the_whole_second():
    t = _epochs(np.arange(0, 3600, 30)) + np.tile([0, 3_000_000, -2_000_000], 40)  # epochs a few ms off
    sat = np.repeat([105, 203], t.size)
    epoch = np.tile(np.arange(t.size), 2)
    assert sky_thinned(sat, epoch, t).all()
    assert sky_thinned(sat, epoch, t, step_s=60.0).sum() == 2 * 61  # at 60 s: half, and each one's last


def _simulated_qc(interval_s, figures=True):
    start = int(gtime_from_calendar(2025, 3, 1, 6, 0, 0))
    here = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 30.0]))
    sim = simulate(here, start, hours=0.1, interval_s=interval_s, systems="GE", errors="default", seed=6)
    return run_qc(sim.obs, sim.nav, figures=figures)


@pytest.mark.parametrize("interval_s", [1.0, 30.0])
def test_the_sky_plots_of_1_hz_data_are_thinned_and_say_so(interval_s, tmp_path, monkeypatch):
    result = _simulated_qc(interval_s)
    drawn = {}
    real_sky = html_mod._sky

    def sky(plt, az, el, color, path, *args, **kw):
        drawn[os.path.basename(path)] = kw
        real_sky(plt, az, el, color, path, *args, **kw)

    monkeypatch.setattr(html_mod, "_sky", sky)
    page = open(write_html(result, tmp_path)).read()
    a = result.arrays
    for png, prefix in (("sky_mp.png", "mp"), ("sky_slips.png", "row")):
        keep, sat, epoch = drawn[png]["keep"], a[f"{prefix}_sat"], a[f"{prefix}_epoch"]
        assert set(sat[keep]) == set(sat)  # every satellite stays, with its first and last epoch
        for s in np.unique(sat):
            assert {epoch[sat == s].min(), epoch[sat == s].max()} <= set(epoch[keep & (sat == s)])
        pairs = sat.astype(np.int64) * 10**6 + epoch
        assert np.unique(pairs[keep]).size == keep.sum()  # one point per satellite-epoch: its largest |MP|
        if interval_s == 1.0:
            assert keep.sum() < np.unique(pairs).size / 20  # at most one epoch in 30 (and each track's ends)
            assert "one point per satellite per 30 s of the 1-s data" in drawn[png]["note"]
            assert html.escape(drawn[png]["note"]) in page  # the report's caption says it too
        else:
            assert set(pairs[keep]) == set(pairs) and drawn[png]["note"] == ""  # every satellite-epoch
    assert "drawn: the largest |MP| of each satellite-epoch&#x27;s signals" in page  # in the caption alone
    assert ("red: every slip" in page) == (interval_s == 1.0)


def test_a_sky_plot_draws_the_kept_points_above_the_horizon_and_every_slip(tmp_path, monkeypatch):
    """What ``_sky`` hands to matplotlib: the thinned track (``keep``) above the horizon, coloured or grey,
    and every slip whether its point is kept or not (a mutant drawing every point survived the tests)."""
    import matplotlib.axes

    from kompas.plots import pyplot

    drawn = []
    real_scatter = matplotlib.axes.Axes.scatter
    monkeypatch.setattr(matplotlib.axes.Axes, "scatter", lambda ax, x, y, **kw: drawn.append(len(x)) or
                        real_scatter(ax, x, y, **kw))  # fmt: skip
    el = np.radians([30.0, 40.0, -5.0, 50.0, 60.0])
    az, keep = np.zeros(5), np.array([True, False, True, True, False])
    slip = np.array([False, True, False, False, False])
    plt = pyplot()
    html_mod._sky(plt, az, el, np.ones(5), str(tmp_path / "a.png"), "t", "viridis", 1.0, "m", keep=keep)
    html_mod._sky(plt, az, el, None, str(tmp_path / "b.png"), "t", highlight=slip, keep=keep)
    assert drawn == [2, 2, 1]  # kept and above the horizon: 30 and 50 deg; the slip at 40 deg, not kept


def test_largest_keeps_the_largest_value_of_each_satellite_epoch_ties_to_the_last():
    """One point per satellite-epoch: the largest value's; of equal values the last drawn."""
    sat = np.array([105, 105, 107, 105, 107, 105, 203])
    epoch = np.array([0, 1, 0, 0, 0, 1, 0])  # G05 at 0: points 0 and 3; G05 at 1: 1 and 5; G07 at 0: 2 and 4
    value = np.array([0.9, 0.2, 0.5, 0.1, 0.5, 0.3, 0.0])
    assert np.flatnonzero(largest(sat, epoch, value)).tolist() == [0, 4, 5, 6]
    assert largest(np.zeros(0, int), np.zeros(0, int), np.zeros(0)).size == 0


def test_the_mp_sky_plot_draws_the_largest_mp_of_each_satellite_epoch(tmp_path, monkeypatch):
    """Three code signals at each of two satellite-epochs: two points drawn, each coloured by the largest
    |MP| of its signals (the first signal's at epoch 1 would be hidden under the last's if all were drawn);
    the colour scale still spans every value."""
    import matplotlib.axes

    drawn = []
    real_scatter = matplotlib.axes.Axes.scatter
    monkeypatch.setattr(matplotlib.axes.Axes, "scatter", lambda ax, x, y, **kw: drawn.append(kw) or
                        real_scatter(ax, x, y, **kw))  # fmt: skip
    mp = np.array([0.1, -0.2, 3.0, 0.5, 0.05, -0.7])  # signal-major: three signals, then epochs 0 and 1
    n = mp.size
    a = {
        "mp_sat": np.full(n, 105), "mp_epoch": np.tile([0, 1], 3), "mp_m": mp,
        "mp_az": np.tile([0.5, 0.6], 3), "mp_el": np.full(n, 0.8),
        "row_sat": np.full(2, 105), "row_epoch": np.arange(2), "row_az": np.array([0.5, 0.6]),
        "row_el": np.full(2, 0.8), "row_slip": np.zeros(2, bool), "epoch_time_ns": _epochs([0, 30]),
    }  # fmt: skip
    plots = {k: str(tmp_path / f"{k}.png") for k in ("sky_mp", "sky_slips")}
    notes = html_mod._sky_figures(html_mod.pyplot(), a, plots)
    assert drawn[0]["c"].tolist() == [3.0, 0.7]  # the largest |MP| at epochs 0 and 1
    assert drawn[0]["vmax"] == pytest.approx(np.percentile(np.abs(mp), 98))
    assert notes["sky_mp"] == "drawn: the largest |MP| of each satellite-epoch's signals, 2 points of 6"


def _one_hz_rows():
    """Two satellites over an hour of 1-Hz epochs: G05 with a 10-s and a 1-s gap and slips, G07 from 1000 s
    to 1100 s."""
    g05 = np.setdiff1d(np.arange(3600), np.r_[np.arange(2000, 2010), [3000]])
    g07 = np.arange(1000, 1101)
    row = np.concatenate([np.full(g05.size, 105), np.full(g07.size, 107)])
    t = _epochs(np.concatenate([g05, g07]))
    events = np.isin(t, _epochs([7, 8, 1501, 1502, 1503])) & (row == 105)
    return row, t, events


def test_a_timeline_keeps_every_event_gap_edge_and_end_and_one_point_per_cell_it_holds():
    row, t, events = _one_hz_rows()
    keep = timeline_thinned(row, t, events=events, cells=400)  # 9 s per cell
    assert keep[events].all()
    g05, g07 = row == 105, row == 107
    kept_s = {r: set((t[keep & (row == r)] // 10**9).tolist()) for r in (105, 107)}
    assert {0, 3599, 1999, 2010} <= kept_s[105]  # the ends and both edges of the 10-s gap
    assert {1000, 1100} <= kept_s[107]
    cell = (t - t.min()) * 400 // (t.max() - t.min() + 1)
    for m in (g05, g07):  # every cell holding a point of a row keeps one: no gap drawn where there is data
        assert set(cell[m & keep].tolist()) == set(cell[m].tolist())
    # thinned: at most the first and last per cell and row, and the events
    assert keep.sum() <= 2 * np.unique(cell[g05]).size + 2 * np.unique(cell[g07]).size + events.sum()
    assert keep.sum() < row.size / 3
    # unasked, the events may go (7 s lies inside the first cell): the check above can fail
    assert not timeline_thinned(row, t, cells=400)[events].all()


def test_a_timeline_of_a_day_of_30_s_data_draws_every_point():
    t = _epochs(np.tile(np.arange(0, 86400, 30), 2))
    row = np.repeat([105, 203], 2880)
    assert timeline_thinned(row, t).all()  # 1600 cells: at most two epochs in one
    assert not timeline_thinned(row, t, cells=1000).all()
    assert timeline_thinned(np.zeros(0, int), np.zeros(0, np.int64)).size == 0


def test_the_timeline_draws_the_thinned_observations_and_every_slip(tmp_path, monkeypatch):
    import matplotlib.axes

    drawn = []
    real_plot = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot", lambda ax, x, y, *args, **kw: drawn.append(len(x)) or
                        real_plot(ax, x, y, *args, **kw))  # fmt: skip
    row, t, events = _one_hz_rows()
    epoch_time = np.unique(t)
    a = {"row_sat": row, "row_epoch": np.searchsorted(epoch_time, t), "row_slip": events,
         "epoch_time_ns": epoch_time}  # fmt: skip
    note = html_mod._timeline(html_mod.pyplot(), a, str(tmp_path / "timeline.png"))
    kept = timeline_thinned(row, t, events=events)  # 1600 cells: 2.25 s each
    assert drawn == [kept.sum(), events.sum()] and kept.sum() < row.size
    assert f"{kept.sum():,} of {row.size:,}" in note and "red: every slip" in note


def test_the_qc_tables_are_the_same_with_and_without_the_figures(tmp_path):
    """The figures only read the result: its JSON is the same whether figures were asked for and drawn."""
    import io

    with_figures, without = _simulated_qc(1.0), _simulated_qc(1.0, figures=False)
    arrays = {k: np.copy(v) for k, v in with_figures.arrays.items()}
    write_html(with_figures, tmp_path)
    texts = []
    for result in (with_figures, without):
        buf = io.StringIO()
        write_json([result], buf)
        texts.append(buf.getvalue())
    assert texts[0] == texts[1]
    assert arrays.keys() == with_figures.arrays.keys()
    assert all(np.array_equal(arrays[k], with_figures.arrays[k]) for k in arrays)  # nor its arrays changed
