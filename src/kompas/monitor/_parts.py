"""The parts of a monitoring run (:mod:`kompas.monitor.run`): each computes, draws, returns a section."""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ..satsys import SYSTEM_NAMES, sat_id, sat_letter
from ..time import to_datetime64
from . import figures
from .report import Section, render_report

_SISRE_COLS = (
    "group",
    "n_sat",
    "n",
    "apc",
    "radial_mean_m",
    "radial_m",
    "along_m",
    "cross_m",
    "orbit_3d_m",
    "clock_m",
    "sisre_orb_m",
    "sisre_m",
    "wul_max_m",
    "ura_m",
)


@dataclasses.dataclass
class Context:
    inp: object
    cfg: object
    data: dict
    product: object
    times: np.ndarray
    sats: np.ndarray
    progress: object
    states: dict | None = None  # run.timeline_states of ``times``, when already computed
    tables: dict = dataclasses.field(default_factory=dict)
    figures: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)

    def fig(self, name: str) -> str:
        path = os.path.join(self.inp.out, name + ".png")
        self.figures.append(path)
        return path


def _iso(t_ns) -> str:
    return str(to_datetime64(np.asarray([t_ns]))[0].astype("datetime64[s]"))


def broadcast_section(ctx: Context) -> Section:
    from .run import _broadcast_tables, timeline_states

    states = ctx.states if ctx.states is not None else timeline_states(ctx.product, ctx.times, ctx.sats)
    rows, status, ura = _broadcast_tables(ctx.sats, states)
    ctx.tables["broadcast_satellites"] = rows
    ids = [sat_id(x) for x in ctx.sats.tolist()]
    path = ctx.fig("broadcast_status")
    figures.status_timeline(path, ctx.times, ids, status, ura, f"Broadcast status ({ctx.cfg.policy} policy)")
    n_stale = sum(r["stale"] for r in rows)
    text = [
        f"{len(ids)} satellites with records, {ctx.times.size} epochs from {_iso(ctx.times[0])} GPST every "
        f"{ctx.cfg.step_s:g} s. Record policy '{ctx.cfg.policy}', selection '{ctx.cfg.selection}': "
        f"{n_stale} satellite-epochs had only a stale record (beyond the ICD validity; not used)."
    ]
    return Section(
        "Broadcast health, accuracy and record age",
        text,
        [path],
        [("tab-broadcast", "Broadcast status per satellite", rows, None)],
        collapsed=True,
    )


def sisre_section(ctx: Context) -> Section:
    from ..products.mix import precise_products
    from .sisre import sisre

    d = ctx.data
    precise, notes = precise_products(d["sp3"], d["clk"] or ())
    ctx.notes.extend(f"SISRE: {n}" for n in notes)
    times = np.unique(np.concatenate([s.time_ns for s in d["sp3"]]))
    sats = np.unique(np.concatenate([s.sats for s in d["sp3"]]))
    res = sisre(
        ctx.product,
        precise,
        times,
        sats,
        antex=d["antex"],
        catalog=d["catalog"],
        attitude=ctx.cfg.attitude,
        k_ura=ctx.cfg.k_ura,
        clock_datum=ctx.cfg.clock_datum,
    )
    if not res.sat.size:
        from ..time import time_span

        ctx.notes.append(
            "SISRE: no satellite has both a broadcast and a precise state (precise products "
            f"{time_span(times)}; do they cover the navigation records' day and systems?)"
        )
    ctx.notes.extend(_clockless_notes(res, precise, d))
    ctx.notes.extend(_datum_notes(res, ctx.cfg.clock_datum))
    groups = [{"group": g.pop("name"), **g} for g in res.groups()]
    sat_rows = [r for r in res.table if not r.get("too_few")]
    events = [{**e, "start": _iso(e["start_ns"]), "end": _iso(e["end_ns"])} for e in res.events]
    ctx.tables.update({"sisre_groups": groups, "sisre_satellites": res.table, "integrity_events": events})
    series = {}
    names = np.array([g for g in map(_group, res.sat.tolist())]) if res.sat.size else np.zeros(0, "U1")
    for g in dict.fromkeys(names.tolist()):
        m = names == g
        t, inv = np.unique(res.time_ns[m], return_inverse=True)
        cnt = np.bincount(inv)
        sis = np.sqrt(
            np.bincount(inv, np.nan_to_num(res.sisre_m[m] ** 2))
            / np.maximum(np.bincount(inv, np.isfinite(res.sisre_m[m])), 1)
        )
        orb = np.sqrt(np.bincount(inv, res.sisre_orb_m[m] ** 2) / cnt)
        series[g] = (t, np.where(np.bincount(inv, np.isfinite(res.sisre_m[m])) > 0, sis, np.nan), orb)
    p1, p2 = ctx.fig("sisre_series"), ctx.fig("worst_satellites")
    figures.sisre_series(p1, series, "Signal-in-space range error per group (RMS over the satellites)")
    figures.worst_satellites(p2, sat_rows, "sisre_orb_m", "Worst satellites: orbit-only SISRE RMS")
    apc = {k: int(np.sum(res.apc_source == k)) for k in ("ANTEX", "NOMINAL", "SIM", "")}
    if apc[""]:
        ctx.notes.append(
            f"SISRE: {apc['']} of {res.sat.size} samples have no satellite antenna offset (give --atx or "
            "--satmeta): they compare the SP3 centre of mass with the broadcast antenna phase centre, "
            "an error of up to 2-3 m"
        )
    datum = "system" if ctx.cfg.clock_datum == "system" else "system, BDS-2 and BDS-3 separately"
    text = [
        f"Precise product: {len(d['sp3'])} SP3 file(s), clocks from {_clock_source(precise)}; {res.sat.size} "
        f"samples. Phase-centre offsets: ANTEX for {apc['ANTEX']} samples, block-level nominal (GPSPACE, "
        f"labelled NOMINAL) for {apc['NOMINAL']}, "
        + (f"none needed for {apc['SIM']} (kompas.sim's products are phase centres), " if apc["SIM"] else "")
        + f"none for {apc['']}. Clock datum aligned per epoch and "
        f"{datum}. Integrity events: worst-user error above {ctx.cfg.k_ura:g} x URA: {len(events)}."
    ]
    tabs = [
        ("tab-sisre-groups", "SISRE per group (RMS, m)", groups, _SISRE_COLS),
        ("tab-sisre-satellites", "SISRE per satellite (RMS, m)", res.table, None),
        ("tab-integrity", "Integrity events (k x URA exceeded)", events, None),
    ]
    return Section("Signal in space: broadcast against precise orbits and clocks", text, [p1, p2], tabs)


def _datum_notes(res, clock_datum: str) -> list[str]:
    """Systems whose records broadcast no accuracy (integrity judged against a default URA), and the mean
    clock offset between BDS-2 and BDS-3 where they share a datum (1 m or more)."""
    from ..satsys import bds_generation
    from .service import DEFAULT_URA_M

    letters = sat_letter(res.sat) if res.sat.size else np.zeros(0, "U1")
    notes = []
    no_ura = [x for x in dict.fromkeys(letters.tolist()) if not np.isfinite(res.ura_m[letters == x]).any()]
    if no_ura:
        notes.append(
            f"SISRE: {', '.join(no_ura)}: the records broadcast no accuracy (URA): integrity events judged "
            f"against {', '.join(f'{DEFAULT_URA_M[x]:g} m' for x in no_ura)} (the service volume's default)"
        )
    if clock_datum == "system" and "C" in letters:
        c = (letters == "C") & np.isfinite(res.clock_m)
        gen = bds_generation(res.sat[c])
        if (gen == 2).any() and (gen == 3).any():
            off = float(np.mean(res.clock_m[c][gen == 2]) - np.mean(res.clock_m[c][gen == 3]))
            if abs(off) >= 1.0:
                notes.append(
                    f"SISRE: BDS-2 clock errors are {off:+.1f} m from BDS-3's on average (one datum for "
                    "both, --clock-datum system): an analysis centre's BDS-2/BDS-3 bias or the broadcast "
                    "clocks'; --clock-datum bds-generation gives each its own"
                )
    return notes


def _clockless_notes(res, precise, d) -> list[str]:
    """Why a system's samples have no clock error: no precise clock of it at the SP3 epochs, or fewer
    than two of its satellites with a clock at any epoch, so that no clock datum forms (SISRE's
    alignment, :func:`kompas.monitor.sisre.align_clocks`)."""
    letters = sat_letter(res.sat) if res.sat.size else np.zeros(0, "U1")
    none, lone = [], []
    for x in dict.fromkeys(letters.tolist()):
        m = letters == x
        if np.isfinite(res.clock_m[m]).any():
            continue
        has = np.isfinite(precise.clock(res.sat[m], res.time_ns[m])[0]).any()
        (lone if has else none).append(x)
    notes = []
    if none:
        where = "the clock files (--clk) and the SP3 files" if d["clk"] else "the SP3 files"
        notes.append(
            f"SISRE: {where} hold no precise clock of {', '.join(none)} at the SP3 epochs (another day or "
            "span?): their clock errors and SISRE are not computed, orbit-only values only"
        )
    if lone:
        notes.append(
            f"SISRE: {', '.join(lone)}: fewer than two satellites with broadcast and precise clocks at any "
            "epoch, so no clock datum forms: their clock errors and SISRE are not computed, orbit-only "
            "values only"
        )
    return notes


def _clock_source(precise) -> str:
    """``clk`` or ``sp3``, or per system for a mix of analysis centres (``G: clk (GRG), C: sp3 (COD)``)."""
    if not hasattr(precise, "by_system"):
        return precise.clock_source
    return ", ".join(
        f"{k}: {p.clock_source} ({precise.centres.get(k, '?')})" for k, p in precise.by_system.items()
    )


def _group(sat: int) -> str:
    from .sisre import group_of

    return group_of(sat)


def service_sections(ctx: Context) -> list:
    from .service import MIXES, REGIONS, grid_nodes, service_volume

    lat, lon = grid_nodes(ctx.cfg.grid_step_deg, "global")
    sv = service_volume(
        ctx.product,
        ctx.times,
        lat,
        lon,
        MIXES,
        ctx.cfg.elmask_deg,
        uee_m=ctx.cfg.uee_m,
        progress=ctx.progress,
    )
    summ = sv.cell_summary()
    ctx.tables["service_cells"] = sv.rows()
    overview = []
    for m, name in enumerate(sv.mixes):
        ok = summ["pdop_ok_pct"][m]
        overview.append(
            {
                "mix": name,
                "systems": sv.mixes[name],
                "nsat_mean": _mean(summ["nsat_mean"][m]),
                "nsat_min": float(np.nanmin(summ["nsat_min"][m])),
                "pdop_mean": _mean(summ["pdop_mean"][m]),
                "pdop_ok_pct_mean": float(np.mean(ok)),
                "cells_pdop_ok_100pct": float(np.mean(ok >= 100.0) * 100),
                "acc3d_mean_m": _mean(summ["acc3d_mean_m"][m]),
            }
        )
    ctx.tables["service_overview"] = overview
    sections = []
    for region in ctx.cfg.regions:
        box = REGIONS[region]
        ila = (lat >= box[0]) & (lat <= box[1])
        ilo = (lon >= box[2]) & (lon <= box[3])
        sub = {k: v[:, ila][:, :, ilo] for k, v in summ.items()}
        paths = []
        for key, label, kw in (
            ("nsat_mean", "satellites above the mask (mean)", {"vmin": 0}),
            ("pdop_ok_pct", "% of the span with PDOP <= 6", {"vmin": 0, "vmax": 100}),
            ("pdop_mean", "mean PDOP", {"vmin": 1, "vmax": 6}),
            ("acc3d_mean_m", "UERE x PDOP, 3D, 1 sigma (m)", {"vmin": 0}),
        ):
            p = ctx.fig(f"map_{key}_{region}")
            fields = {
                f"{n} ({SYSTEM_NAMES.get(v, v) if len(v) == 1 else v})": sub[key][m]
                for m, (n, v) in enumerate(sv.mixes.items())
            }
            figures.service_maps(p, lat[ila], lon[ilo], fields, f"{label}, {region}", box, label=label, **kw)
            paths.append(p)
        text = [
            f"{lat.size} x {lon.size} grid nodes every {ctx.cfg.grid_step_deg:g} deg, {ctx.times.size} "
            f"epochs, elevation mask {ctx.cfg.elmask_deg:g} deg; healthy satellites with a valid record only."
        ]
        tabs = (
            [("tab-service-overview", "Service volume per mix (global)", overview, None)]
            if not sections
            else []
        )
        sections.append(Section(f"Service volume: {region}", text, paths, tabs))
    return sections


def _unsolved_note(name: str, t_obs, navs) -> str:
    """Why a station has no solved epoch: its observations far from every record names both spans."""
    from ..time import time_span
    from .run import _reference_epochs, beyond_reach

    refs = _reference_epochs(navs)
    head = f"station {name}: no epoch solved (observations {time_span(t_obs)}"
    if beyond_reach(t_obs, refs):
        return f"{head}; the navigation records' reference epochs span {time_span(refs)}: none serves them)"
    return f"{head}; see its row of the station table)"


def station_section(ctx: Context) -> Section:
    from ..io.readers.sinex import StationNotFoundError
    from .stations import station_uere

    rows, uere, results = [], [], []
    sinex = ctx.data.get("sinex")
    for obs in ctx.data["obs"]:
        name = (obs.station.marker_name or os.path.basename(str(obs.path)))[:4].upper()
        ref, label = None, ""
        if sinex is not None:
            try:
                ref = sinex.station_position(name, int(obs.time_ns[0]))[0]
                label = f"SINEX {os.path.basename(ctx.inp.sinex)}"
            except StationNotFoundError:  # not in the SINEX: header position, labelled
                ref = None
        st = station_uere(obs, ctx.product, ctx.cfg.station_systems, ref, label, name=name)
        if not st.summary().get("solved"):
            ctx.notes.append(_unsolved_note(name, obs.epoch_time_ns, ctx.data["navs"]))
        results.append(st)
        rows.append(st.summary())
        uere += [{"station": st.name, **r} for r in st.satellites]
    ctx.tables.update({"station_errors": rows, "station_uere": uere})
    p = ctx.fig("station_errors")
    figures.station_errors(p, results, "Positioning error per station (SPP) against the reference")
    text = [
        "Single point positioning of each file with the monitoring record policy; UERE is the RMS of each "
        "satellite's post-fit residuals (a lower bound: receiver clock and position absorb part of it)."
    ]
    return Section(
        "User range error and positioning error at stations",
        text,
        [p],
        [
            ("tab-stations", "Positioning error per station (m)", rows, None),
            ("tab-station-uere", "UERE per station and satellite (m)", uere, None),
        ],
    )


def finish(ctx: Context, sections: list) -> dict:
    from ..errors import KompasError
    from ..io.writers.records import write_records
    from .sisre import EVENT_COLUMNS, EVENT_TYPES

    empty_columns = {"integrity_events": (*EVENT_COLUMNS, "start", "end")}  # often empty: no event
    column_types = {"integrity_events": {**EVENT_TYPES, "start": "string", "end": "string"}}

    tdir = os.path.join(ctx.inp.out, "tables")
    for name, rows in ctx.tables.items():
        for fmt in ("csv", "json", "parquet"):
            try:
                write_records(rows, os.path.join(tdir, f"{name}.{fmt}"), fmt,
                              columns=empty_columns.get(name, ()), types=column_types.get(name))  # fmt: skip
            except KompasError as exc:  # Parquet without pyarrow: noted, the rest is written
                if str(exc) not in ctx.notes:
                    ctx.notes.append(str(exc))
    report = os.path.join(ctx.inp.out, "report.html")
    intro = [f"kompas monitor: navigation {', '.join(os.path.basename(p) for p in ctx.inp.nav)}", *ctx.notes]
    render_report(report, "BeiDou and GLONASS service monitoring report", intro, sections)
    return {"tables": ctx.tables, "report": report, "figures": ctx.figures, "notes": ctx.notes}


def _mean(values) -> float:
    """Mean over the finite values; NaN (without numpy's empty-slice warning) when a mix has no satellite
    with a position anywhere (a navigation file of one system)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")
