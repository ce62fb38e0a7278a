"""The built-in demo: simulate a receiver in Jakarta, solve four ways, write files and a report.

Everything here is **simulated** (kompas.sim), labelled as such in every output; nothing is downloaded.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np

from .frames import azimuth_elevation, ecef_to_enu, geodetic_to_ecef
from .satsys import sat_id, sat_system
from .time import GTime

__all__ = ["JAKARTA", "CASES", "run_demo"]

JAKARTA = (-6.1754, 106.8272, 10.0)
"""Receiver: Jakarta, latitude and longitude in degrees, ellipsoidal height in metres."""

CASES = (("BDS only", "C"), ("GLONASS only", "R"), ("BDS+GLONASS", "CR"), ("all systems", "GREC"))


def _stats(enu):
    ok = np.all(np.isfinite(enu), axis=1)
    h = np.hypot(enu[ok, 0], enu[ok, 1])
    v = np.abs(enu[ok, 2])
    if not ok.any():
        return dict(h_rms=np.nan, h95=np.nan, v_rms=np.nan, v95=np.nan)
    return dict(
        h_rms=float(np.sqrt(np.mean(h**2))),
        h95=float(np.percentile(h, 95)),
        v_rms=float(np.sqrt(np.mean(v**2))),
        v95=float(np.percentile(v, 95)),
    )


def run_demo(out_dir="kompas-demo", hours: float = 2.0, interval_s: float = 30.0, seed: int = 0,
             start: str = "2025-01-01T00:00:00", log=print) -> dict:  # fmt: skip
    """Simulate, write RINEX, read it back, solve the four cases, write solutions, figures and a report.

    Returns
    -------
    dict
        ``rows`` (one per case: name, systems, epochs solved/total, mean satellites, mean PDOP and the
        error statistics), ``truth_ecef``, ``files`` and ``seconds``.
    """
    from . import plots
    from .io.readers.rinex_nav import read_nav
    from .io.readers.rinex_obs import read_obs
    from .io.writers import write_solution
    from .io.writers.rinex_nav import write_nav
    from .io.writers.rinex_obs import write_obs
    from .sim import simulate
    from .spp import spp

    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lat, lon, h = JAKARTA
    truth = geodetic_to_ecef([np.radians(lat), np.radians(lon), h])
    start_ns = GTime.from_datetime64(np.datetime64(start)).gpst_ns
    sim = simulate(
        truth, start_ns, hours=hours, interval_s=interval_s, systems="GREC", errors="default", seed=seed
    )
    obs_path, nav_path = out / "JKRT00IDN_S_sim_MO.rnx", out / "JKRT00IDN_S_sim_MN.rnx"
    write_obs(sim.obs, obs_path, program="kompas demo SIM")
    write_nav(sim.nav, nav_path, program="kompas demo SIM")
    obs, nav = read_obs(obs_path), read_nav(nav_path)  # the demo goes through the files, as a user would
    log(f"simulated {obs.n_epochs} epochs at {interval_s:g} s for a receiver in Jakarta "
        f"({lat} deg, {lon} deg): {obs_path.name}, {nav_path.name}")  # fmt: skip
    rows, enus, sols = [], {}, {}
    for name, systems in CASES:
        sol = spp(obs, nav, systems=systems)
        sols[name] = sol
        enu = ecef_to_enu(sol.pos_m, truth)
        enus[name] = enu
        write_solution(sol, out / f"demo_{systems}.pos", "pos")
        ok = sol.ok
        rows.append({
            "name": name, "systems": systems, "solved": int(ok.sum()), "epochs": len(sol),
            "nsat": float(sol.nsat[ok].mean()) if ok.any() else np.nan,
            "pdop": float(np.nanmean(sol.pdop[ok])) if ok.any() else np.nan, **_stats(enu),
        })  # fmt: skip
    # figures
    figs = []
    bp_state = _sky_tracks(sim.nav, obs, truth)
    for letter, (ids, az, el) in bp_state.items():
        f = f"sky_{letter}.png"
        plots.sky_plot(out / f, ids, az, el, f"Sky plot, {_NAME[letter]} (simulated, Jakarta)")
        figs.append((f, f"Sky plot of {_NAME[letter]} satellites above Jakarta"))
    t = next(iter(sols.values())).time_ns
    nsat = {k: s.nsat for k, s in sols.items()}
    pdop = {k: s.pdop for k, s in sols.items()}
    plots.satellites_and_dop(
        out / "satellites_dop.png", t, nsat, pdop, "Satellites used and PDOP (simulated)"
    )
    figs.append(("satellites_dop.png", "Satellites used and PDOP over time"))
    plots.horizontal_scatter(out / "horizontal.png", enus, "Horizontal error (simulated)")
    figs.append(("horizontal.png", "Horizontal error scatter"))
    plots.vertical_error(
        out / "vertical.png", t, {k: e[:, 2] for k, e in enus.items()}, "Vertical error (simulated)"
    )
    figs.append(("vertical.png", "Vertical error over time"))
    report = out / "report.html"
    report.write_text(_html(rows, figs, obs_path.name, nav_path.name, truth, hours, interval_s))
    seconds = time.perf_counter() - t0
    return {
        "rows": rows,
        "truth_ecef": truth,
        "files": sorted(p.name for p in out.iterdir()),
        "seconds": seconds,
    }


_NAME = {"G": "GPS", "R": "GLONASS", "E": "Galileo", "C": "BeiDou"}


def _sky_tracks(nav, obs, truth):
    """Azimuth/elevation of every observed satellite at every epoch, per system."""
    from .products.broadcast import BroadcastProduct

    sats = np.unique(obs.sat)
    t = obs.epoch_time_ns[:: max(1, obs.n_epochs // 240)]
    s, tt = np.meshgrid(sats, t)
    st = BroadcastProduct(nav).state(s.ravel(), tt.ravel())
    az, el = azimuth_elevation(st.pos_m, truth)
    out = {}
    for code, letter in ((4, "C"), (2, "R"), (1, "G"), (3, "E")):
        m = (sat_system(s.ravel()) == code) & st.ok & (el > 0)
        if m.any():
            out[letter] = (sat_id(s.ravel()[m]), az[m], el[m])
    return out


def table_lines(rows) -> list[str]:
    """The demo's result table as text lines."""
    cols = ("H RMS", "H 95%", "V RMS", "V 95%")
    head = f"{'case':14s} {'epochs':>9s} {'sats':>5s} {'PDOP':>5s}  " + " ".join(f"{c:>6s}" for c in cols)
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:14s} {r['solved']:4d}/{r['epochs']:<4d} {r['nsat']:5.1f} {r['pdop']:5.2f}  "
                     f"{r['h_rms']:6.2f} {r['h95']:6.2f}  {r['v_rms']:6.2f} {r['v95']:6.2f}")  # fmt: skip
    return lines


def _html(rows, figs, obs_name, nav_name, truth, hours, interval_s) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(r['name'])}</td><td>{r['solved']}/{r['epochs']}</td><td>{r['nsat']:.1f}</td>"
        f"<td>{r['pdop']:.2f}</td><td>{r['h_rms']:.2f}</td><td>{r['h95']:.2f}</td><td>{r['v_rms']:.2f}</td>"
        f"<td>{r['v95']:.2f}</td></tr>"
        for r in rows
    )
    imgs = "".join(
        f'<figure><img src="{f}" alt="{html.escape(c)}"><figcaption>{html.escape(c)}</figcaption></figure>'
        for f, c in figs
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>kompas demo (simulated data)</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}
figure{{display:inline-block;margin:8px}}img{{max-width:460px}}.warn{{background:#fff3cd;padding:8px}}</style>
</head><body>
<h1>kompas demo: single point positioning in Jakarta</h1>
<p class="warn"><b>Simulated data.</b> Observations and broadcast ephemerides were produced by kompas's own
simulator from the constellations' published designs (kompas.sim), with its default error model; they are
not measurements. Files: {html.escape(obs_name)}, {html.escape(nav_name)};
{hours:g} h at {interval_s:g} s.</p>
<p>True receiver position (ECEF, m): {truth[0]:.3f} {truth[1]:.3f} {truth[2]:.3f}.
Errors are the solutions minus this position (east/north/up, metres).</p>
<table><tr><th>case</th><th>epochs solved</th><th>mean satellites</th><th>mean PDOP</th><th>H RMS</th>
<th>H 95 %</th><th>V RMS</th><th>V 95 %</th></tr>{cells}</table>
{imgs}
</body></html>
"""
