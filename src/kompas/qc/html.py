"""HTML report of a QC run with its figures (matplotlib, drawn off-screen to PNG files beside the page).

Figures: MP and C/N0 against elevation per signal, sky plots coloured by MP and by slips, observation and
slip timeline per satellite, completeness per signal. Each is drawn from :attr:`QcResult.arrays` and
:attr:`QcResult.tables`; nothing is computed here but bin means for display.
"""

from __future__ import annotations

import html
import os

import numpy as np

from ..plots import pyplot
from ..satsys import SYSTEM_LETTERS, SYSTEM_NAMES, sat_id, sat_system, signal_code
from .report import report_tables, summary_lines, summary_notes

__all__ = [
    "write_html",
    "FIGURES",
    "SKY_STEP_S",
    "sky_thinned",
    "largest",
    "TIMELINE_CELLS",
    "timeline_thinned",
]

FIGURES = ("mp_elevation", "cn0_elevation", "sky_mp", "sky_slips", "timeline", "completeness")
"""File stems of the figures of one report (``<stem>.png``)."""


def _letters(sat):
    return np.array(list(" " + SYSTEM_LETTERS))[sat_system(sat)] if np.size(sat) else np.zeros(0, "U1")


def _binned(x_deg, y, width=5.0, fn=np.mean):
    b = np.floor(x_deg / width).astype(int)
    out_x, out_y = [], []
    for k in np.unique(b):
        m = b == k
        if m.sum() >= 5:
            out_x.append((k + 0.5) * width)
            out_y.append(fn(y[m]))
    return np.array(out_x), np.array(out_y)


def _panels(plt, keys, title):
    n = max(len(keys), 1)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False, constrained_layout=True
    )
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig, axes.ravel()


def _signal_names(sat, signal):
    """The signal names (``"G1C"``) present, sorted; per point the index of its name; per name the index of
    its first point. Names are made once per distinct (system, signal) pair, not once per point: a 1-Hz
    file has a million points and a dozen names."""
    pair = sat_system(sat).astype(np.int64) * 256 + np.asarray(signal, dtype=np.int64)
    pairs, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    pair_names = np.char.add(_letters(pairs // 256 * 100), signal_code(pairs % 256)).astype(str)
    names, of_pair = np.unique(pair_names, return_inverse=True)  # ids no code names share one name
    first_of_name = np.full(names.size, pair.size, dtype=np.int64)
    np.minimum.at(first_of_name, of_pair, first)
    return [str(n) for n in names], of_pair[inverse], first_of_name


def _mp_elevation(plt, a, path):
    keys, name_of, first_point = _signal_names(a["mp_sat"], a["mp_signal"])
    first = {k: int(a["mp_partner"][i]) for k, i in zip(keys, first_point, strict=True)}  # band of its first
    fig, axes = _panels(plt, keys, "Code multipath MP against elevation (grey: values, black: RMS per 5 deg)")
    el = np.degrees(a["mp_el"])
    for j, (ax, k) in enumerate(zip(axes, keys, strict=False)):
        m = (name_of == j) & (a["mp_partner"] == first[k]) & np.isfinite(el)
        ax.plot(el[m], a["mp_m"][m], ".", ms=1, color="0.6")
        bx, by = _binned(el[m], a["mp_m"][m], fn=lambda v: np.sqrt(np.mean(v**2)))
        ax.plot(bx, by, "k-", lw=1.5)
        ax.set_title(f"{k} (with band {first[k]})", fontsize=9)
        ax.set_xlim(0, 90)
        ax.set_ylim(-2, 2)
        ax.set_xlabel("elevation (deg)")
        ax.set_ylabel("MP (m)")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _cn0_elevation(plt, a, path):
    keys, name_of, _ = _signal_names(a["cn0_sat"], a["cn0_signal"])
    letters = sorted({k[0] for k in keys}, key=SYSTEM_LETTERS.index)
    fig, axes = _panels(plt, letters, "C/N0 against elevation (mean per 5 deg)")
    el = np.degrees(a["cn0_el"])
    for ax, x in zip(axes, letters, strict=False):
        for j, k in ((j, k) for j, k in enumerate(keys) if k[0] == x):
            m = (name_of == j) & np.isfinite(el) & np.isfinite(a["cn0_dbhz"])
            bx, by = _binned(el[m], a["cn0_dbhz"][m])
            ax.plot(bx, by, "-", label=k[1:])
        ax.set_title(SYSTEM_NAMES[x], fontsize=9)
        ax.set_xlim(0, 90)
        ax.set_xlabel("elevation (deg)")
        ax.set_ylabel("C/N0 (dB-Hz)")
        ax.legend(fontsize=7, ncol=2)
    fig.savefig(path, dpi=80)
    plt.close(fig)


SKY_STEP_S = 30.0
"""Shortest time between two drawn points of one satellite's sky track, s. A GNSS satellite crosses the sky
at most about 0.4 deg in 30 s (GLONASS at the zenith), a quarter of a sky plot's marker (a 1.4-pt dot with
a 1-pt edge, at 80 dpi and 1.6 px per degree: about 1.7 deg), so a track drawn from 1-s data and from 30-s
data looks the same; at the usual 30-s rate nothing is left out."""


def sky_thinned(sat, epoch, epoch_time_ns, step_s: float = SKY_STEP_S):
    """The points a sky plot draws: per satellite, those of its first epoch in each window of ``step_s``
    seconds, and those of its last epoch.

    Parameters
    ----------
    sat, epoch : numpy.ndarray of int, shape (N,)
        Satellite index and epoch index of each point.
    epoch_time_ns : numpy.ndarray of int, shape (E,)
        Time of each epoch, ns.
    step_s : float
        Window length, s. The windows, [k - 1/2, k + 1/2) steps after the first epoch, are centred on the
        whole steps, so data at that rate whose epochs stray a little from it keep every epoch.

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
        True for a point drawn; all True when no satellite has two epochs in one window.
    """
    sat, epoch = np.asarray(sat, dtype=np.int64), np.asarray(epoch, dtype=np.int64)
    if not sat.size:
        return np.ones(0, dtype=bool)
    t = np.asarray(epoch_time_ns, dtype=np.int64)
    # floor of x + 1/2, not rint: rint rounds halves to even, which would make windows of unequal length
    window_of_epoch = np.floor((t - t.min()) / (step_s * 1e9) + 0.5).astype(np.int64)
    # the windows that hold an epoch, numbered densely: a file whose epochs span years (a typo'd year,
    # sessions joined across years) would otherwise ask for a cell per window of the whole span
    window = np.unique(window_of_epoch, return_inverse=True)[1].reshape(-1)[epoch]
    # a table of (satellite, window) cells rather than np.unique of the pairs: no sort of a million points
    present = np.bincount(sat) > 0
    of_sat = (np.cumsum(present) - 1)[sat]
    in_window = of_sat * (window.max() + 1) + window
    first = np.full(int(present.sum()) * (window.max() + 1), epoch.max(), dtype=np.int64)
    np.minimum.at(first, in_window, epoch)
    last = np.full(int(present.sum()), -1, dtype=np.int64)
    np.maximum.at(last, of_sat, epoch)
    return (epoch == first[in_window]) | (epoch == last[of_sat])


def largest(sat, epoch, value):
    """Of the points of each satellite-epoch, the one of the largest value (of equal ones, the last).

    The MP sky plot has one point per code signal and band pair at each satellite-epoch, all at one place
    with one marker, so only one colour can show: the largest |MP|, so that the worst signal is the one seen
    (drawing them all showed the last in array order on top, whichever it was). Drawing every point cost
    6.8 s for the 784,000 of ESBC's 30-s G+R+E+C+S day (BENCHMARKS.md, stop 71).

    Parameters
    ----------
    sat, epoch : numpy.ndarray of int, shape (N,)
        Satellite index and epoch index of each point, in drawing order.
    value : numpy.ndarray of float, shape (N,)
        The value each point shows (finite).

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
        True for one point of each (satellite, epoch): the largest value's.
    """
    sat, epoch = np.asarray(sat, dtype=np.int64), np.asarray(epoch, dtype=np.int64)
    keep = np.zeros(sat.size, dtype=bool)
    if not sat.size:
        return keep
    key = sat * (int(epoch.max()) + 1) + epoch
    order = np.lexsort((np.arange(sat.size), np.asarray(value, dtype=float), key))  # by key, value, position
    last_of_key = np.r_[key[order][1:] != key[order][:-1], True]
    keep[order[last_of_key]] = True
    return keep


def _sky_note(keep, epoch_time_ns, step_s: float = SKY_STEP_S) -> str:
    """What a sky plot left out ("" when it draws every point)."""
    if keep.all():
        return ""
    dt = np.diff(np.asarray(epoch_time_ns, dtype=np.int64))
    rate = f" of the {np.median(dt) / 1e9:g}-s data" if dt.size else ""
    return f"one point per satellite per {step_s:g} s{rate}, and its last epoch"


def _sky(plt, az, el, color, path, title, cmap=None, vmax=None, label=None, highlight=None, *, keep, note=""):
    fig = plt.figure(figsize=(5.6, 5.2))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ok = np.isfinite(el) & (el > 0)
    shown = ok & keep  # the track's points: thinned by sky_thinned
    if highlight is None:
        sc = ax.scatter(az[shown], np.degrees(el[shown]), c=color[shown], s=2, cmap=cmap, vmin=0, vmax=vmax)
        fig.colorbar(sc, ax=ax, shrink=0.7, label=label)
    else:
        ax.scatter(
            az[shown], np.degrees(el[shown]), s=1, color="0.75"
        )  # the slips are all drawn: each counts
        h = ok & highlight
        ax.scatter(az[h], np.degrees(el[h]), s=12, color="red", label="slip")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, pad=14)
    if note:
        fig.text(0.5, 0.015, note, ha="center", va="bottom", fontsize=7, color="0.3")
    fig.savefig(path, dpi=80)
    plt.close(fig)


TIMELINE_CELLS = 1600
"""Time cells of the observation timeline's span: two per pixel of its 800-px-wide figure, so a day of 30-s
data (at most two epochs per cell) is drawn whole and a day of 1-Hz data 27 times thinner."""


def timeline_thinned(row, time_ns, events=None, cells: int = TIMELINE_CELLS):
    """The points a timeline draws: per row, the first and last point of each of ``cells`` equal cells of
    the span, and every event.

    Dropped points lie less than a cell from a kept point of their row, so at a cell of half a pixel the
    figure looks the same; both edges of any gap longer than a cell, and each row's first and last
    point, are kept where they are.

    Parameters
    ----------
    row : numpy.ndarray of int, shape (N,)
        Row (satellite index) of each point.
    time_ns : numpy.ndarray of int, shape (N,)
        Time of each point, ns; at most one point per row and time.
    events : numpy.ndarray of bool, shape (N,), optional
        Points always kept (slips).
    cells : int
        Number of cells of the span.

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
        True for a point drawn; all True when no row has three points in one cell.
    """
    row, t = np.asarray(row, dtype=np.int64), np.asarray(time_ns, dtype=np.int64)
    keep = np.zeros(row.size, dtype=bool) if events is None else np.array(events, dtype=bool)
    if not row.size:
        return keep
    rel = t - t.min()
    # float: ns times the cell count would overflow int64 over a span of two months
    cell = np.minimum((rel / (float(rel.max()) + 1.0) * cells).astype(np.int64), cells - 1)
    present = np.bincount(row) > 0  # a table of (row, cell), as in sky_thinned: no sort
    in_cell = (np.cumsum(present) - 1)[row] * cells + cell
    first = np.full(int(present.sum()) * cells, rel.max(), dtype=np.int64)
    last = np.full(first.size, -1, dtype=np.int64)
    np.minimum.at(first, in_cell, rel)
    np.maximum.at(last, in_cell, rel)
    return keep | (rel == first[in_cell]) | (rel == last[in_cell])


def _timeline(plt, a, path) -> str:
    """The observation and slip timeline; returns what it left out ("" when it draws every point)."""
    sats = np.unique(a["row_sat"])
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.13 * sats.size + 1)), constrained_layout=True)
    y = np.searchsorted(sats, a["row_sat"])
    t_ns = a["epoch_time_ns"][a["row_epoch"]]
    keep = timeline_thinned(a["row_sat"], t_ns, events=a["row_slip"])
    t = (t_ns - a["epoch_time_ns"][0]) / 3.6e12
    ax.plot(t[keep], y[keep], "|", ms=3, color="tab:blue")
    s = a["row_slip"]
    ax.plot(t[s], y[s], "x", ms=5, color="red", label="slip")
    ax.set_yticks(np.arange(sats.size))
    ax.set_yticklabels(sat_id(sats) if sats.size else [], fontsize=6)
    ax.set_xlabel("hours since the first epoch")
    ax.set_title("Observations (blue) and cycle slips (red) per satellite")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    if keep.all():
        return ""
    return (
        f"blue: each satellite's first and last observation in each 1/{TIMELINE_CELLS} of the span (half a "
        f"pixel), {keep.sum():,} of {keep.size:,}, among them both edges of every wider gap and every slip; "
        "red: every slip"
    )


def _completeness(plt, rows, path):
    rows = [r for r in rows if r["pct"] is not None]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.35 * len(rows) + 2), 3.6), constrained_layout=True)
    names = [r["signal"] for r in rows]
    ax.bar(np.arange(len(rows)), [r["pct"] for r in rows], color="tab:green")
    ax.set_xticks(np.arange(len(rows)))
    ax.set_xticklabels(names, rotation=90, fontsize=7)
    ax.set_ylim(0, 105)
    ax.set_ylabel("have / expected (%)")
    ax.set_title("Completeness per signal above the mask")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _top_points(a, keep, mp_abs):
    """The MP sky plot's points that show: of those ``keep`` leaves, above the horizon and of a finite
    colour (matplotlib draws no other), the one of the largest |MP| of each satellite-epoch
    (:func:`largest`); and the caption's words on them."""
    candidate = np.flatnonzero(keep & np.isfinite(a["mp_el"]) & (a["mp_el"] > 0) & np.isfinite(mp_abs))
    top = candidate[largest(a["mp_sat"][candidate], a["mp_epoch"][candidate], mp_abs[candidate])]
    shown = np.zeros(keep.size, dtype=bool)
    shown[top] = True
    words = f"drawn: the largest |MP| of each satellite-epoch's signals, {top.size:,} points of "
    return shown, f"{words}{candidate.size:,}"


def _sky_figures(plt, a, p) -> dict[str, str]:
    """Both sky plots, their tracks thinned by :func:`sky_thinned`; returns what each left out."""
    t = a["epoch_time_ns"]
    keep_mp = sky_thinned(a["mp_sat"], a["mp_epoch"], t)
    keep_row = sky_thinned(a["row_sat"], a["row_epoch"], t)
    mp_note, row_note = _sky_note(keep_mp, t), _sky_note(keep_row, t)  # "" when nothing is left out
    notes = {
        "sky_mp": mp_note and f"shown: {mp_note}",
        "sky_slips": row_note and f"grey: {row_note}; red: every slip",
    }
    mp_abs = np.abs(a["mp_m"])  # the colour scale's top is the 98th percentile of every value, drawn or not
    keep_mp, drawn = _top_points(a, keep_mp, mp_abs)
    caption = {
        "sky_mp": "; ".join(x for x in (notes["sky_mp"], drawn) if x)
    }  # caption only: no point shows less
    vmax = max(float(np.nanpercentile(mp_abs, 98)) if mp_abs.size else 1.0, 0.1)
    mp_title, slip_title = "Sky plot coloured by |MP|", "Sky plot: cycle slips"
    _sky(plt, a["mp_az"], a["mp_el"], mp_abs, p["sky_mp"], mp_title, "viridis", vmax, "|MP| (m)",
         keep=keep_mp, note=notes["sky_mp"])  # fmt: skip
    _sky(plt, a["row_az"], a["row_el"], None, p["sky_slips"], slip_title, highlight=a["row_slip"],
         keep=keep_row, note=notes["sky_slips"])  # fmt: skip
    return notes | caption


def write_html(result, folder) -> str:
    """Write ``index.html`` and its figures into ``folder``; returns the page's path."""
    plt = pyplot()
    os.makedirs(folder, exist_ok=True)
    a, t = result.arrays, result.tables
    p = {k: os.path.join(folder, k + ".png") for k in FIGURES}
    _mp_elevation(plt, a, p["mp_elevation"])
    _cn0_elevation(plt, a, p["cn0_elevation"])
    notes = _sky_figures(plt, a, p)
    notes["timeline"] = _timeline(plt, a, p["timeline"])
    _completeness(plt, t["completeness"], p["completeness"])
    page = os.path.join(folder, "index.html")
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(_page(result, notes))
    return page


def _esc(v) -> str:
    return html.escape("-" if v is None else str(v))


def _rows_html(rows, cols) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('-' if r.get(c) is None else str(r.get(c)))}</td>" for c in cols)
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


_READ_AS = {"sky_mp": "one point per satellite-epoch at the satellite's place"}
"""What a figure's points are, where its title does not say (in its caption)."""


def _page(result, notes=None) -> str:
    """The report page; ``notes`` (figure stem -> text) are added to the figures' captions."""
    title = html.escape(f"kompas qc: {os.path.basename(result.path)}")
    notes = {k: "; ".join(x for x in (_READ_AS.get(k), (notes or {}).get(k)) if x) for k in FIGURES}
    figs = "".join(
        f'<figure><img src="{k}.png" alt="{k}" style="max-width:100%"><figcaption>{k}'
        f"{html.escape(': ' + notes[k]) if notes.get(k) else ''}</figcaption></figure>"
        for k in FIGURES
    )
    summary = "<pre>" + html.escape("\n".join(summary_lines(result) + summary_notes(result))) + "</pre>"
    tables = "".join(
        f"<h2>{html.escape(head)}</h2>{_rows_html(rows, cols)}" for rows, cols, head in report_tables(result)
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
        f"<h1>{title}</h1><h2>Summary</h2>{summary}"
        f"{tables}"
        f"<h2>Figures</h2>{figs}</body></html>"
    )
