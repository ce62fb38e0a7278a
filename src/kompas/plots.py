"""Figures for reports (matplotlib, drawn off-screen to PNG files).

Each function draws one figure from arrays and writes it; none reads files or computes physics.
"""

from __future__ import annotations

import numpy as np

from .time import to_datetime64

__all__ = ["sky_plot", "satellites_and_dop", "horizontal_scatter", "vertical_error"]

_COLORS = {"G": "tab:blue", "R": "tab:red", "E": "tab:green", "C": "tab:orange", "J": "tab:purple"}
_NAMES = {"G": "GPS", "R": "GLONASS", "E": "Galileo", "C": "BeiDou", "J": "QZSS"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def sky_plot(path, sat_ids, az_rad, el_rad, title: str) -> None:
    """Polar sky plot of satellite tracks: azimuth clockwise from north, zenith at the centre.

    Parameters
    ----------
    sat_ids : array_like of str, shape (N,)
    az_rad, el_rad : array_like, shape (N,)
        One point per (epoch, satellite) above the horizon.
    """
    plt = _plt()
    sat_ids = np.asarray(sat_ids)
    az, el = np.asarray(az_rad), np.asarray(el_rad)
    fig = plt.figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(90, 0)
    ax.set_yticks([0, 30, 60, 90])
    for sid in np.unique(sat_ids):
        m = (sat_ids == sid) & (el > 0)
        if not m.any():
            continue
        color = _COLORS.get(sid[0], "gray")
        ax.plot(az[m], np.degrees(el[m]), ".", ms=1.5, color=color)
        k = np.flatnonzero(m)[-1]
        ax.annotate(sid, (az[k], np.degrees(el[k])), fontsize=7, color=color)
    ax.set_title(title, pad=14)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def satellites_and_dop(path, time_ns, nsat_by_label: dict, pdop_by_label: dict, title: str) -> None:
    """Satellites used and PDOP over time, one line per solution label."""
    plt = _plt()
    t = to_datetime64(np.asarray(time_ns))
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True, constrained_layout=True)
    for label, n in nsat_by_label.items():
        a1.plot(t, n, label=label, lw=1.2)
    a1.set_ylabel("satellites used")
    a1.legend(fontsize=8, ncol=4)
    for label, p in pdop_by_label.items():
        a2.plot(t, p, label=label, lw=1.2)
    a2.set_ylabel("PDOP")
    a2.set_xlabel("GPS time")
    a1.set_title(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def horizontal_scatter(path, enu_by_label: dict, title: str) -> None:
    """East/north errors of each solution, equal axes, with the 95 % horizontal radius."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 6), constrained_layout=True)
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
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def vertical_error(path, time_ns, up_by_label: dict, title: str) -> None:
    """Vertical error over time, one line per solution label."""
    plt = _plt()
    t = to_datetime64(np.asarray(time_ns))
    fig, ax = plt.subplots(figsize=(8, 3.6), constrained_layout=True)
    for label, up in up_by_label.items():
        ax.plot(t, up, lw=1.0, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("up error (m)")
    ax.set_xlabel("GPS time")
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=4)
    fig.savefig(path, dpi=100)
    plt.close(fig)
