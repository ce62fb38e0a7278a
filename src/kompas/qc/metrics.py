"""QC metrics as tables of plain rows: completeness, multipath, C/N0, slips, clock jumps, gaps, header.

Definitions (teqc, Estey & Meertens 1999; Anubis, Vaclavovic & Dousa 2016):

* **expected** (``expt``): epochs x satellites above the elevation mask from the broadcast orbits and the
  station position; per signal, over the satellites that carry the signal in this file (a satellite
  that never shows it, e.g. a GPS IIR on L5, does not transmit it);
* **have**: observations with a pseudorange of that signal above the mask; ``pct = 100 have / expt``;
* **slips**: cycle slips on continuing arcs above the mask (:func:`kompas.preprocess.detect_slips`);
  ``obs/slip`` is teqc's ``o/slps`` and ``slips/1000 obs`` its inverse per mille;
* **MP RMS**: root mean square of MP with the arc level removed (:mod:`kompas.qc.multipath`), above the
  mask;
* **epochs < 4 sats**: epochs where fewer than 4 satellites of the system have a pseudorange.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..satsys import SYSTEM_LETTERS, SYSTEM_NAMES, sat_id, sat_system, signal_band, signal_code, system_code
from ..time import GTime

__all__ = ["Context", "all_tables", "figure_arrays"]


@dataclass
class Context:
    obs: object
    ob: object
    flags: object
    mp: object
    grid: object
    el: np.ndarray
    az: np.ndarray
    jumps: object
    cfg: object
    header_pos: np.ndarray
    spp_pos: np.ndarray
    n_spp: int
    systems: str


def _iso(t_ns) -> str:
    return GTime(int(t_ns)).isoformat()


def _r(x, nd=4):
    x = float(x)
    return round(x, nd) if np.isfinite(x) else None


def _rms(v) -> float:
    v = np.asarray(v, dtype=float)
    return float(np.sqrt(np.mean(v**2))) if v.size else float("nan")


def _group(keys, values=None):
    """Unique combined keys, inverse and counts (keys are small non-negative ints)."""
    k = np.zeros(np.size(keys[0]), dtype=np.int64)
    for a in keys:
        k = k * 4096 + np.asarray(a, dtype=np.int64)
    uniq, inv = np.unique(k, return_inverse=True)
    return uniq, inv.ravel(), np.bincount(inv.ravel(), minlength=uniq.size)


def _raw_geometry(ctx):
    """Elevation of every row of the raw table (NaN without navigation data)."""
    obs = ctx.obs
    ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))
    if ctx.grid is None:
        return ep, np.full(len(obs), np.nan)
    return ep, ctx.grid.lookup(ep, obs.sat)[1]


def _mask(ctx) -> float:
    return np.radians(ctx.cfg.elmask_deg)


def completeness(ctx, ep, el_raw) -> tuple[list, list]:
    """Per signal and per (signal, elevation bin): expected, have, percent, mean C/N0."""
    obs, grid, mask = ctx.obs, ctx.grid, _mask(ctx)
    code = np.isfinite(obs.code_m)
    rows, bins = [], []
    width = ctx.cfg.el_bin_deg
    sysc = sat_system(obs.sat)
    for letter in ctx.systems:
        m_sys = sysc == system_code(letter)
        for sig in np.unique(obs.signal[m_sys & code]):
            m = m_sys & code & (obs.signal == sig)
            sats = np.unique(obs.sat[m])
            above = np.isfinite(el_raw[m]) & (el_raw[m] >= mask)
            have = int(above.sum()) if grid is not None else int(m.sum())
            expt, ebin = _expected(grid, sats, mask, width)
            cn0 = obs.cn0_dbhz[m]
            name = letter + "C" + str(signal_code(sig))
            rows.append(
                {
                    "system": letter,
                    "signal": name,
                    "sats": int(sats.size),
                    "expt": expt,
                    "have": have,
                    "pct": _r(100.0 * have / expt, 2) if expt else None,
                    "cn0_mean_dbhz": _r(np.nanmean(cn0), 2) if np.isfinite(cn0).any() else None,
                }
            )
            if grid is None:
                continue
            hb = np.floor(np.degrees(el_raw[m][above]) / width).astype(int)
            hcount = np.bincount(hb, minlength=ebin.size)[: ebin.size]
            cn0b = np.bincount(hb, weights=np.nan_to_num(cn0[above]), minlength=ebin.size)[: ebin.size]
            for k in np.flatnonzero(ebin):
                bins.append(
                    {
                        "system": letter,
                        "signal": name,
                        "el_from_deg": k * width,
                        "el_to_deg": (k + 1) * width,
                        "expt": int(ebin[k]),
                        "have": int(hcount[k]),
                        "pct": _r(100.0 * hcount[k] / ebin[k], 2),
                        "cn0_mean_dbhz": _r(cn0b[k] / hcount[k], 2) if hcount[k] else None,
                    }
                )
    return rows, bins


def _expected(grid, sats, mask, width):
    if grid is None:
        return 0, np.zeros(0, dtype=np.int64)
    j = np.searchsorted(grid.sats, sats)
    j = j[(j < grid.sats.size)]
    j = j[np.isin(grid.sats[j], sats)]
    el = grid.el[:, j]
    ok = np.isfinite(el) & (el >= mask)
    nb = int(np.ceil(90.0 / width))
    b = np.clip(np.floor(np.degrees(el[ok]) / width).astype(int), 0, nb - 1)
    return int(ok.sum()), np.bincount(b, minlength=nb)


def multipath_tables(ctx) -> tuple[list, list, list, list]:
    """MP RMS per (signal, partner), per satellite, per elevation bin, per azimuth/elevation cell."""
    mp, mask = ctx.mp, _mask(ctx)
    use = np.isfinite(mp.el) & (mp.el >= mask) if ctx.grid is not None else np.ones(len(mp), bool)
    sat, sig, par = mp.sat[use], mp.signal[use], mp.partner[use]
    el, az, v = mp.el[use], mp.az[use], mp.mp_m[use]
    sysc = sat_system(sat)
    letters = np.array(list(" " + SYSTEM_LETTERS))[sysc] if sat.size else np.zeros(0, "U1")
    name = np.char.add(np.char.add(letters, "C"), signal_code(sig)) if sat.size else np.zeros(0, "U4")
    out_sig, out_sat, out_el, out_cell = [], [], [], []
    uniq, inv, cnt = _group([sysc, sig, par])
    ss = np.bincount(inv, weights=v**2, minlength=uniq.size)
    for g in range(uniq.size):
        i = np.flatnonzero(inv == g)[0]
        out_sig.append(
            {
                "system": str(letters[i]),
                "signal": str(name[i]),
                "partner_band": int(par[i]),
                "n": int(cnt[g]),
                "rms_m": _r(np.sqrt(ss[g] / cnt[g])),
            }
        )
    for keys, extra, target in (
        ([sat, sig, par], lambda i: {"sat": str(sat_id(sat[i]))}, out_sat),
        (
            [sysc, sig, par, _bin(el, ctx.cfg.el_bin_deg)],
            lambda i: {"el_from_deg": float(_bin(el[i], ctx.cfg.el_bin_deg) * ctx.cfg.el_bin_deg)},
            out_el,
        ),
        (
            [sysc, sig, par, _bin(az, ctx.cfg.az_bin_deg), _bin(el, ctx.cfg.el_bin_deg)],
            lambda i: {
                "az_from_deg": float(_bin(az[i], ctx.cfg.az_bin_deg) * ctx.cfg.az_bin_deg),
                "el_from_deg": float(_bin(el[i], ctx.cfg.el_bin_deg) * ctx.cfg.el_bin_deg),
            },
            out_cell,
        ),
    ):
        if not sat.size:
            continue
        u, inv2, c2 = _group(keys)
        s2 = np.bincount(inv2, weights=v**2, minlength=u.size)
        first = np.full(u.size, -1)
        first[inv2[::-1]] = np.arange(inv2.size)[::-1]
        for g in range(u.size):
            i = first[g]
            row = {"system": str(letters[i]), "signal": str(name[i]), "partner_band": int(par[i])}
            row.update(extra(i))
            row.update(n=int(c2[g]), rms_m=_r(np.sqrt(s2[g] / c2[g])))
            target.append(row)
    return out_sig, out_sat, out_el, out_cell


def _bin(x_rad, width_deg):
    return np.floor(np.mod(np.degrees(np.nan_to_num(x_rad)), 360.0) / width_deg).astype(np.int64)


def slip_table(ctx) -> list:
    """Per system and band: phase observations above the mask, slips by cause, per mille, obs per slip."""
    from ..preprocess import Cause

    ob, fl, mask = ctx.ob, ctx.flags, _mask(ctx)
    has = np.isfinite(ob.phase_cyc)
    above = (np.isfinite(ctx.el) & (ctx.el >= mask)) if ctx.grid is not None else np.ones(len(ob), bool)
    sysc = sat_system(ob.sat)
    rows = []
    for letter, bands in ob.bands.items():
        m = (sysc == system_code(letter)) & above
        for j, band in enumerate(bands):
            n = int((has[m, j]).sum())
            c = fl.cause[m, j]
            slips = int(fl.slip[m, j].sum())
            rows.append(
                {
                    "system": letter,
                    "band": int(band),
                    "obs": n,
                    "slips": slips,
                    "lli": int(((c & Cause.LLI) != 0).sum()),
                    "gf": int(((c & Cause.GF) != 0).sum()),
                    "mw": int(((c & Cause.MW) != 0).sum()),
                    "gaps": int(((c & Cause.GAP) != 0).sum()),
                    "slips_per_1000": _r(1000.0 * slips / n, 3) if n else None,
                    "obs_per_slip": _r(n / slips, 1) if slips else None,
                }
            )
    return rows


def gaps_table(ctx) -> tuple[list, float]:
    """Interruptions of the epochs longer than 1.5 intervals, and the most common interval."""
    t = ctx.obs.epoch_time_ns
    if t.size < 2:
        return [], float("nan")
    d = np.diff(t)
    vals, counts = np.unique(d, return_counts=True)
    step = vals[np.argmax(counts)]
    k = np.flatnonzero(d > 1.5 * step)
    return [
        {
            "from": _iso(t[i]),
            "to": _iso(t[i + 1]),
            "missing_epochs": round(d[i] / step) - 1,
            "duration_s": _r(d[i] * 1e-9, 3),
        }
        for i in k
    ], float(step) * 1e-9


def few_sats(ctx) -> dict:
    """Epochs with fewer than 4 satellites with a pseudorange, per system."""
    obs = ctx.obs
    ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))
    code = np.isfinite(obs.code_m)
    out = {}
    sysc = sat_system(obs.sat)
    for letter in ctx.systems:
        m = code & (sysc == system_code(letter))
        key = np.unique(ep[m] * 1024 + obs.sat[m])
        n = np.bincount(key // 1024, minlength=obs.n_epochs)
        out[letter] = int((n < 4).sum())
    return out


def header_checks(ctx, interval_s) -> list:
    """Header against the data: approximate position vs SPP, antenna and receiver fields, interval."""
    h = ctx.obs.header
    rows = []
    hp, sp = ctx.header_pos, ctx.spp_pos
    if np.all(np.isfinite(sp)):
        ok_h = np.all(np.isfinite(hp)) and np.linalg.norm(hp) > 6e6
        dist = float(np.linalg.norm(hp - sp)) if ok_h else float("nan")
        status = "missing" if not ok_h else ("ok" if dist < 30.0 else "check")
        rows.append(
            {
                "item": "APPROX POSITION XYZ",
                "value": " ".join(f"{x:.3f}" for x in hp),
                "status": status,
                "note": f"SPP median of {ctx.n_spp} epochs "
                + " ".join(f"{x:.3f}" for x in sp)
                + (f"; {dist:.2f} m apart" if ok_h else ""),
            }
        )
    else:
        rows.append(
            {
                "item": "APPROX POSITION XYZ",
                "value": " ".join(f"{x:.3f}" for x in hp),
                "status": "unchecked",
                "note": "no SPP solution (no navigation data, or no epoch solved)",
            }
        )
    for item, val in (
        ("ANT # / TYPE", h.antenna_type),
        ("REC # / TYPE / VERS", h.receiver_type),
        ("MARKER NAME", h.marker_name),
    ):
        rows.append({"item": item, "value": val, "status": "ok" if val.strip() else "missing", "note": ""})
    dh = np.asarray(h.antenna_delta_hen_m, dtype=float)
    rows.append(
        {
            "item": "ANTENNA: DELTA H/E/N",
            "value": " ".join(f"{x:.4f}" for x in dh),
            "status": "ok" if np.all(np.isfinite(dh)) and abs(dh[0]) < 10 else "check",
            "note": "",
        }
    )
    decl = h.interval_s
    if decl is None:
        rows.append({"item": "INTERVAL", "value": "", "status": "missing", "note": f"data: {interval_s:g} s"})
    else:
        same = np.isfinite(interval_s) and abs(decl - interval_s) < 1e-3
        rows.append(
            {
                "item": "INTERVAL",
                "value": f"{decl:g}",
                "status": "ok" if same else "check",
                "note": f"data: {interval_s:g} s",
            }
        )
    return rows


def clock_table(ctx) -> list:
    j = ctx.jumps
    return [
        {
            "time": _iso(j.time_ns[i]),
            "size_s": float(j.size_s[i]),
            "kind": str(j.kind[i]),
            "millisecond": bool(j.millisecond[i]),
            "n_sats": int(j.n_sats[i]),
        }
        for i in range(len(j))
    ]


def summary_rows(ctx, comp, mp_sig, slips, interval_s, few) -> list:
    """teqc-like one line per system."""
    obs = ctx.obs
    t = obs.epoch_time_ns
    rows = []
    for letter in ctx.systems:
        m = sat_system(obs.sat) == system_code(letter)
        if not m.any():
            continue
        sats = np.unique(obs.sat[m])
        expt = _expected(ctx.grid, sats, _mask(ctx), ctx.cfg.el_bin_deg)[0]
        ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))[m & np.isfinite(obs.code_m)]
        key = np.unique(ep * 1024 + obs.sat[m & np.isfinite(obs.code_m)])
        have_rows = comp_have = None
        if ctx.grid is not None:
            el = ctx.grid.lookup(key // 1024, (key % 1024).astype(np.int16))[1]
            comp_have = int((np.isfinite(el) & (el >= _mask(ctx))).sum())
        have_rows = comp_have if comp_have is not None else int(key.size)
        sl = [s for s in slips if s["system"] == letter]
        n_obs = sum(s["obs"] for s in sl)
        n_slip = sum(s["slips"] for s in sl)
        mps = {f"{r['signal'][1:]}-{r['partner_band']}": r["rms_m"] for r in mp_sig if r["system"] == letter}
        rows.append(
            {
                "system": letter,
                "name": SYSTEM_NAMES[letter],
                "first": _iso(t[0]),
                "last": _iso(t[-1]),
                "hours": _r((t[-1] - t[0]) * 1e-9 / 3600.0 + interval_s / 3600.0, 3),
                "interval_s": _r(interval_s, 3),
                "sats": int(sats.size),
                "expt": expt,
                "have": have_rows,
                "pct": _r(100.0 * have_rows / expt, 2) if expt else None,
                "slips": n_slip,
                "obs_per_slip": _r(n_obs / n_slip, 1) if n_slip else None,
                "slips_per_1000": _r(1000.0 * n_slip / n_obs, 3) if n_obs else None,
                "epochs_lt4": few.get(letter, 0),
                "clock_jumps": len(ctx.jumps),
                "mp_rms_m": mps,
            }
        )
    return rows


def all_tables(ctx) -> dict:
    """Every table of the report (see :class:`kompas.qc.QcResult`)."""
    ep, el_raw = _raw_geometry(ctx)
    comp, comp_el = completeness(ctx, ep, el_raw)
    mp_sig, mp_sat, mp_el, mp_cell = multipath_tables(ctx)
    slips = slip_table(ctx)
    gaps, interval_s = gaps_table(ctx)
    few = few_sats(ctx)
    return {
        "summary": summary_rows(ctx, comp, mp_sig, slips, interval_s, few),
        "completeness": comp,
        "completeness_elevation": comp_el,
        "multipath": mp_sig,
        "multipath_satellite": mp_sat,
        "multipath_elevation": mp_el,
        "multipath_cells": mp_cell,
        "slips": slips,
        "clock_jumps": clock_table(ctx),
        "gaps": gaps,
        "header": header_checks(ctx, interval_s),
    }


def figure_arrays(ctx) -> dict:
    """Arrays behind the figures: MP and C/N0 against elevation, sky tracks, slips, timeline."""
    ob, mp = ctx.ob, ctx.mp
    r, c = np.nonzero(np.isfinite(ob.cn0_dbhz))
    return {
        "mp_sat": mp.sat,
        "mp_signal": mp.signal,
        "mp_partner": mp.partner,
        "mp_epoch": mp.epoch,
        "mp_el": mp.el,
        "mp_az": mp.az,
        "mp_m": mp.mp_m,
        "cn0_sat": ob.sat[r],
        "cn0_signal": ob.signal[r, c],
        "cn0_el": ctx.el[r],
        "cn0_dbhz": ob.cn0_dbhz[r, c].astype(float),
        "row_sat": ob.sat,
        "row_epoch": ob.epoch,
        "row_el": ctx.el,
        "row_az": ctx.az,
        "row_slip": ctx.flags.slip.any(axis=1),
        "epoch_time_ns": ob.epoch_time_ns,
        "elmask_rad": np.radians(ctx.cfg.elmask_deg),
    }


def band_of(signal) -> np.ndarray:
    return signal_band(signal)
