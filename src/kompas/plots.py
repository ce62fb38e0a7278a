"""Figures for reports (matplotlib, drawn off-screen to PNG files).

Each function draws one figure from arrays and writes it; none reads files or computes physics.
"""

from __future__ import annotations

import functools

import numpy as np

from .time import to_datetime64

__all__ = [
    "pyplot",
    "sky_plot",
    "sky_plots",
    "satellites_and_dop",
    "horizontal_scatter",
    "vertical_error",
    "enu_convergence",
    "time_series",
]

_COLORS = {"G": "tab:blue", "R": "tab:red", "E": "tab:green", "C": "tab:orange", "J": "tab:purple"}


_DPI = 110  # with the figure widths below: about 1000 px, shown at the report's 960 px page width
_STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 11,
          "xtick.labelsize": 11, "ytick.labelsize": 11}  # fmt: skip


def pyplot():
    """``matplotlib.pyplot`` on the off-screen Agg backend, imported on first use (matplotlib is an optional
    extra, and importing it costs a process that draws nothing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _styled(fn):
    """Draw with the report's font sizes without changing matplotlib's global settings."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with pyplot().rc_context(_STYLE):
            return fn(*args, **kwargs)

    return wrapper


def _polar(ax):
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ax.set_yticks([0, 30, 60, 90])
    ax.set_yticklabels(["", "30°", "60°", ""])
    ax.set_rlabel_position(112.5)  # elevation labels between the azimuth labels


def _tracks(ax, sat_ids, az, el):
    for sid in np.unique(sat_ids):
        m = (sat_ids == sid) & (el > 0)
        if not m.any():
            continue
        color = _COLORS.get(sid[0], "gray")
        ax.plot(az[m], np.degrees(el[m]), ".", ms=2.0, color=color)
        k = np.flatnonzero(m)[-1]
        ax.annotate(sid, (az[k], np.degrees(el[k])), fontsize=9, color=color)


@_styled
def sky_plot(path, sat_ids, az_rad, el_rad, title: str) -> None:
    """Polar sky plot of satellite tracks: azimuth clockwise from north, zenith at the centre.

    Parameters
    ----------
    path : str or os.PathLike
        Image file to write (matplotlib takes the format from the extension: ``.png``).
    sat_ids : array_like of str, shape (N,)
        Satellite ids (``"G01"``); the system letter picks the colour; each track is labelled at its
        last point.
    az_rad, el_rad : array_like, shape (N,)
        Azimuth and elevation, rad: one point per (epoch, satellite); points at or below the horizon are
        not drawn.
    title : str
        Figure title.
    """
    plt = pyplot()
    sat_ids = np.asarray(sat_ids)
    az, el = np.asarray(az_rad), np.asarray(el_rad)
    fig = plt.figure(figsize=(7, 7))
    ax = fig.add_subplot(projection="polar")
    _polar(ax)
    _tracks(ax, sat_ids, az, el)
    ax.set_title(title, pad=14)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def sky_plots(path, tracks: dict, title: str) -> None:
    """Sky plots of several satellite groups side by side (two per row), one figure for the page width.

    Parameters
    ----------
    path : str or os.PathLike
        Image file to write (matplotlib takes the format from the extension: ``.png``).
    tracks : dict
        Label -> ``(sat_ids, az_rad, el_rad)`` as for :func:`sky_plot`; the label titles its panel.
    title : str
        Figure title, above all panels.
    """
    plt = pyplot()
    n = len(tracks)
    rows = max(1, -(-n // 2))
    fig = plt.figure(figsize=(9, 4.6 * rows), constrained_layout=True)
    for k, (label, (ids, az, el)) in enumerate(tracks.items()):
        ax = fig.add_subplot(rows, 2, k + 1, projection="polar")
        _polar(ax)
        _tracks(ax, np.asarray(ids), np.asarray(az), np.asarray(el))
        ax.set_title(label, pad=12)
    fig.suptitle(title)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def satellites_and_dop(path, time_ns, nsat_by_label: dict, pdop_by_label: dict, title: str) -> None:
    """Satellites used and PDOP over time, one line per solution label."""
    plt = pyplot()
    t = to_datetime64(np.asarray(time_ns))
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, constrained_layout=True)
    for label, n in nsat_by_label.items():
        a1.plot(t, n, label=label, lw=1.2)
    a1.set_ylabel("satellites used")
    a1.legend(ncol=4)
    for label, p in pdop_by_label.items():
        a2.plot(t, p, label=label, lw=1.2)
    a2.set_ylabel("PDOP")
    a2.set_xlabel("GPS time")
    a1.set_title(title)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def horizontal_scatter(path, enu_by_label: dict, title: str) -> None:
    """East/north errors of each solution, equal axes, with the 95 % horizontal radius."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 7), constrained_layout=True)
    lim = 1.0
    for label, enu in enu_by_label.items():
        enu = np.asarray(enu)
        ok = np.all(np.isfinite(enu), axis=1)
        if not ok.any():
            continue
        h = np.hypot(enu[ok, 0], enu[ok, 1])
        r95 = np.percentile(h, 95)
        ax.plot(enu[ok, 0], enu[ok, 1], ".", ms=3, label=f"{label} (95 %: {r95:.2f} m)")
        lim = max(lim, np.percentile(np.abs(enu[ok, :2]), 99) * 1.2)
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("east error (m)")
    ax.set_ylabel("north error (m)")
    ax.set_title(title)
    ax.legend()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def vertical_error(path, time_ns, up_by_label: dict, title: str) -> None:
    """Vertical error over time, one line per solution label."""
    plt = pyplot()
    t = to_datetime64(np.asarray(time_ns))
    fig, ax = plt.subplots(figsize=(9, 4.2), constrained_layout=True)
    for label, up in up_by_label.items():
        ax.plot(t, up, lw=1.0, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("up error (m)")
    ax.set_xlabel("GPS time")
    ax.set_title(title)
    ax.legend(ncol=4)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def enu_convergence(path, time_ns, enu_by_label: dict, title: str, limit_m: float | None = None) -> None:
    """East, north and up error against time (one panel each), one line per solution label: the
    convergence figure of precise point positioning.

    Parameters
    ----------
    path : str or os.PathLike
        Image file to write (matplotlib takes the format from the extension: ``.png``).
    time_ns : array_like of int64, shape (E,)
        Epochs, GPST ns (the axis reads GPS time).
    enu_by_label : dict
        Label -> (E, 3) east/north/up errors, m (plotted in cm).
    title : str
        Figure title, above the east panel.
    limit_m : float, optional
        Symmetric y limit, m; None: 1.3 times the largest 99th percentile of the absolute errors over the
        last half of the epochs, at least 5 cm.
    """
    plt = pyplot()
    t = to_datetime64(np.asarray(time_ns))
    fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True, constrained_layout=True)
    lim = 0.05 if limit_m is None else limit_m
    for label, enu in enu_by_label.items():
        enu = np.asarray(enu, dtype=float)
        for k, ax in enumerate(axes):
            ax.plot(t, enu[:, k] * 100.0, lw=1.1, label=label)
        if limit_m is None:
            tail = enu[enu.shape[0] // 2 :]
            tail = tail[np.isfinite(tail).all(axis=1)]
            if tail.size:
                lim = max(lim, 1.3 * float(np.percentile(np.abs(tail), 99)))
    for ax, name in zip(axes, ("east", "north", "up"), strict=True):
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylim(-lim * 100.0, lim * 100.0)
        ax.set_ylabel(f"{name} error (cm)")
    axes[-1].set_xlabel("GPS time")
    axes[0].set_title(title)
    axes[0].legend(ncol=4)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)


@_styled
def time_series(path, time_ns, series_by_label: dict, ylabel: str, title: str) -> None:
    """Any quantity over time, one line per label (e.g. the estimated zenith delay)."""
    plt = pyplot()
    t = to_datetime64(np.asarray(time_ns))
    fig, ax = plt.subplots(figsize=(9, 3.6), constrained_layout=True)
    for label, y in series_by_label.items():
        ax.plot(t, y, lw=1.0, label=label)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("GPS time")
    ax.set_title(title)
    ax.legend(ncol=4)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
