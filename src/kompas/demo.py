"""The built-in demo: simulate a receiver in Jakarta, solve four ways, write files and a report.

Everything here is **simulated** (kompas.sim), labelled as such in every output; nothing is downloaded.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np

from .frames import azimuth_elevation, ecef_to_enu, geodetic_to_ecef
from .satsys import SYSTEM_NAMES, sat_id, sat_letter
from .stats import error_stats
from .time import GTime

__all__ = ["JAKARTA", "CASES", "run_demo"]

JAKARTA = (-6.1754, 106.8272, 10.0)
"""Receiver: Jakarta, latitude and longitude in degrees, ellipsoidal height in metres."""

CASES = (("BDS only", "C"), ("GLONASS only", "R"), ("BDS+GLONASS", "CR"), ("all systems", "GREC"))


def _stats(enu) -> dict:
    s = error_stats(enu)
    return {"h_rms": s.h_rms, "h95": s.h_95, "v_rms": s.v_rms, "v95": s.v_95}


def run_demo(out_dir="kompas-demo", hours: float = 2.0, interval_s: float = 30.0, seed: int = 0,
             start: str = "2025-01-01T00:00:00", log=print) -> dict:  # fmt: skip
    """Simulate, write RINEX, read it back, solve the four cases, write solutions, figures and a report.

    Returns
    -------
    dict
        ``rows`` (one per case: name, systems, epochs solved/total, mean satellites, mean PDOP and the
        error statistics), ``truth_ecef``, ``files``, ``seconds``, ``settings`` (the processing
        options, :func:`processing_settings`) and ``errors`` (the simulated error model, a list of
        name/value/unit/doc).
    """
    from .io.readers.rinex_nav import read_nav
    from .io.readers.rinex_obs import read_obs
    from .io.writers import write_solution
    from .io.writers.rinex_nav import write_nav
    from .io.writers.rinex_obs import write_obs
    from .sim import ErrorModel, simulate
    from .spp import SppConfig, spp

    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lat, lon, h = JAKARTA
    truth = geodetic_to_ecef([np.radians(lat), np.radians(lon), h])
    start_ns = GTime.from_datetime64(np.datetime64(start)).gpst_ns
    errors = ErrorModel.default()
    sim = simulate(
        truth, start_ns, hours=hours, interval_s=interval_s, systems="GREC", errors=errors, seed=seed
    )
    obs_path, nav_path = out / "JKRT00IDN_S_sim_MO.rnx", out / "JKRT00IDN_S_sim_MN.rnx"
    write_obs(sim.obs, obs_path, program="kompas demo SIM")
    write_nav(sim.nav, nav_path, program="kompas demo SIM")
    obs, nav = read_obs(obs_path), read_nav(nav_path)  # the demo goes through the files, as a user would
    log(f"simulated {obs.n_epochs} epochs at {interval_s:g} s for a receiver in Jakarta "
        f"({lat} deg, {lon} deg): {obs_path.name}, {nav_path.name}")  # fmt: skip
    rows, enus, sols = [], {}, {}
    config = SppConfig()
    for name, systems in CASES:
        sol = spp(obs, nav, config=config, systems=systems)
        sols[name] = sol
        enus[name] = ecef_to_enu(sol.pos_m, truth)
        write_solution(sol, out / f"demo_{systems}.pos", "pos")
        ok = sol.ok
        rows.append({
            "name": name, "systems": systems, "solved": int(ok.sum()), "epochs": len(sol),
            "nsat": float(sol.nsat[ok].mean()) if ok.any() else np.nan,
            "pdop": float(np.nanmean(sol.pdop[ok])) if ok.any() else np.nan, **_stats(enus[name]),
        })  # fmt: skip
    figs = _figures(out, sim.nav, obs, truth, sols, enus)
    settings = processing_settings(config)
    scenario = {"obs": obs_path.name, "nav": nav_path.name, "truth": truth, "hours": hours,
                "interval_s": interval_s, "seed": seed, "start": start}  # fmt: skip
    (out / "report.html").write_text(_html(rows, figs, scenario, settings, errors.describe()))
    return {
        "rows": rows,
        "truth_ecef": truth,
        "files": sorted(
            [
                obs_path.name,
                nav_path.name,
                *(f"demo_{x}.pos" for _, x in CASES),
                *(name for name, _ in figs),
                "report.html",
            ]
        ),
        "seconds": time.perf_counter() - t0,
        "settings": settings,
        "errors": errors.describe(),
    }


def _figures(out, nav, obs, truth, sols, enus) -> list[tuple[str, str]]:
    """Draw the report's figures; return (file name, caption) pairs."""
    from . import plots

    tracks = {SYSTEM_NAMES[k]: v for k, v in _sky_tracks(nav, obs, truth).items()}
    plots.sky_plots(
        out / "sky.png", tracks, "Sky plots above Jakarta (simulated; azimuth from north, elevation)"
    )
    figs = [("sky.png", "Sky plots of the BeiDou, GLONASS, GPS and Galileo satellites above Jakarta")]
    t = next(iter(sols.values())).time_ns
    nsat = {k: s.nsat for k, s in sols.items()}
    pdop = {k: s.pdop for k, s in sols.items()}
    plots.satellites_and_dop(
        out / "satellites_dop.png", t, nsat, pdop, "Satellites used and PDOP (simulated)"
    )
    figs.append(("satellites_dop.png", "Satellites used and PDOP over time"))
    plots.horizontal_scatter(out / "horizontal.png", enus, "Horizontal error (simulated)")
    figs.append(("horizontal.png", "Horizontal error scatter (east and north, m)"))
    plots.vertical_error(
        out / "vertical.png", t, {k: e[:, 2] for k, e in enus.items()}, "Vertical error (simulated)"
    )
    figs.append(("vertical.png", "Vertical error over time (m)"))
    return figs


def processing_settings(config) -> list[dict]:
    """Every leaf option of ``config`` as a name/value/unit/doc row (from the options' own metadata)."""
    from .config import leaf_fields

    rows = []
    for path, f, _ in leaf_fields(type(config)):
        v = config
        for p in path:
            v = getattr(v, p)
        name = ".".join(path)
        if name == "systems":
            v = ", ".join(f"{n} {s}" for n, s in CASES)
        rows.append(
            {
                "name": name,
                "value": v,
                "unit": f.metadata.get("unit") or "",
                "doc": f.metadata.get("help", ""),
            }
        )
    return rows


def _sky_tracks(nav, obs, truth):
    """Azimuth/elevation of every observed satellite at every epoch, per system."""
    from .products.broadcast import BroadcastProduct

    sats = np.unique(obs.sat)
    t = obs.epoch_time_ns[:: max(1, obs.n_epochs // 240)]
    s, tt = (a.ravel() for a in np.meshgrid(sats, t))
    st = BroadcastProduct(nav).state(s, tt)
    az, el = azimuth_elevation(st.pos_m, truth)
    out = {}
    letter_of_row = sat_letter(s)
    for letter in "CRGE":
        m = (letter_of_row == letter) & st.ok & (el > 0)
        if m.any():
            out[letter] = (sat_id(s[m]), az[m], el[m])
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


def _cell(v) -> str:
    if v is None:
        return "(default)"
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return (
            " .. ".join(f"{x:g}" for x in v)
            if all(isinstance(x, float) for x in v)
            else ", ".join(map(str, v))
        )
    if isinstance(v, dict):
        return ", ".join(f"{k} {x:g}" if isinstance(x, float) else f"{k} {x}" for k, x in v.items())
    return str(v)


def _table(head, rows) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _html(rows, figs, scenario, settings, errors) -> str:
    head = ("case", "epochs solved", "mean satellites", "mean PDOP", "H RMS (m)", "H 95 % (m)", "V RMS (m)",
            "V 95 % (m)")  # fmt: skip
    stats = ("h_rms", "h95", "v_rms", "v95")
    res = _table(
        head,
        [(r["name"], f"{r['solved']}/{r['epochs']}", f"{r['nsat']:.1f}", f"{r['pdop']:.2f}",
          *(f"{r[k]:.2f}" for k in stats)) for r in rows],
    )  # fmt: skip
    proc = _table(
        ("setting", "value", "unit", "meaning"),
        [(d["name"], d["value"], d["unit"], d["doc"]) for d in settings],
    )
    err = _table(
        ("term", "value", "unit", "meaning"), [(d["name"], d["value"], d["unit"], d["doc"]) for d in errors]
    )
    imgs = "".join(
        f'<figure><img src="{f}" alt="{html.escape(c)}"><figcaption>{html.escape(c)}</figcaption></figure>'
        for f, c in figs
    )
    x, y, z = scenario["truth"]
    lat, lon, h = JAKARTA
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>kompas demo (simulated data)</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 8px}}
table{{border-collapse:collapse;margin:8px 0 16px}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:right;vertical-align:top}}
td:first-child,th:first-child,td:last-child{{text-align:left}}
figure{{margin:16px 0}}img{{width:100%;height:auto}}.warn{{background:#fff3cd;padding:8px}}</style>
</head><body>
<h1>kompas demo: single point positioning in Jakarta</h1>
<p class="warn"><b>Simulated data.</b> Observations and broadcast ephemerides were produced by kompas's own
simulator from the constellations' published designs (kompas.sim), with the error model listed below; they
are not measurements. Files: {html.escape(scenario["obs"])}, {html.escape(scenario["nav"])};
{scenario["hours"]:g} h at {scenario["interval_s"]:g} s from {html.escape(scenario["start"])} GPST,
seed {scenario["seed"]}.</p>
<p>True receiver position: latitude {lat} deg, longitude {lon} deg, height {h:g} m (ECEF {x:.3f}, {y:.3f},
{z:.3f} m). Errors are the solutions minus this position (east/north/up, m).</p>
<h2>Results</h2>
{res}
<h2>Processing settings (single point positioning)</h2>
{proc}
<h2>Simulated error model</h2>
{err}
<h2>Figures</h2>
{imgs}
</body></html>
"""
