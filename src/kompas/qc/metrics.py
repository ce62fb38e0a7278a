"""QC metrics as tables of plain rows: completeness, multipath, C/N0, slips, clock jumps, gaps, header.

Definitions (teqc, Estey & Meertens 1999; Anubis, Vaclavovic & Dousa 2016):

* **expected** (``expt``): epochs x satellites above the elevation mask from the broadcast orbits and the
  station position; per system, over every satellite with a usable broadcast orbit (one in view that
  the receiver never tracked is missing: the summary's note names it); per signal, over the satellites
  that carry the signal in this file (a satellite that never shows it, e.g. a GPS IIR on L5, does not
  transmit it);
* **have**: observations with a pseudorange of that signal above the mask; ``pct = 100 have / expt``;
* **slips**: cycle slips on continuing arcs above the mask (:func:`kompas.preprocess.detect_slips`), per
  band in the slip table (``obs/slip`` over that band's phases); in the summary per satellite and epoch
  (a slip on several bands at once counts once), whose ``obs/slip`` is teqc's ``o/slps``, ``have`` over
  those slips, and ``slips/1000 obs`` its inverse per mille;
* **MP RMS**: root mean square of MP with the arc level removed (:mod:`kompas.qc.multipath`), above the
  mask;
* **epochs < 4 sats**: epochs where fewer than 4 satellites of the system have a pseudorange.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..estimators.grouped import sorted_starts
from ..satsys import SYSTEM_LETTERS, SYSTEM_NAMES, sat_id, sat_system, signal_band, signal_code, system_code
from ..time import GTime, time_span

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


def _raw_elevation(ctx):
    """Elevation of every row of the raw table (NaN without navigation data)."""
    obs = ctx.obs
    if ctx.grid is None:
        return np.full(len(obs), np.nan)
    ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))
    return ctx.grid.lookup(ep, obs.sat)[1]


def _mask(ctx) -> float:
    return np.radians(ctx.cfg.elmask_deg)


def completeness(ctx, el_raw) -> tuple[list, list]:
    """Per signal and per (signal, elevation bin): expected, have, percent, mean C/N0 and a note.

    Expected counts come from the elevation grid: per signal, the (epoch, satellite) cells above the mask of
    the satellites that carry the signal in this file. Systems without usable broadcast orbits get no
    expected count and every observation as ``have``, with the reason in ``note`` (:func:`_why_no_expt`).
    """
    obs, grid, mask = ctx.obs, ctx.grid, _mask(ctx)
    width = ctx.cfg.el_bin_deg
    nb = int(np.ceil(90.0 / width))
    uniq, gi, sat, placed, lost, have_b, (cn0_n, cn0_s, cn0_bn, cn0_bs) = _signal_counts(ctx, el_raw, nb)
    lost_gi = gi[~placed]
    carries = _carries(grid, gi, sat, uniq.size)  # (G, S) the signal's satellites
    expt_b = carries.astype(np.int64) @ _cells_per_bin(grid, mask, width, nb) if grid is not None else None
    rows, bins = [], []
    for g, k in enumerate(uniq.tolist()):
        letter = ctx.systems[k // 256]
        name = letter + "C" + str(signal_code(k % 256))
        m = gi == g
        note, counted = _why_no_expt(ctx, letter, sat[m], int(expt_b[g].sum()) if expt_b is not None else 0)
        if counted:
            t_row = np.zeros(int(m.sum()), dtype=np.int64)  # the times of the rows without an elevation
            t_row[~placed[m]] = _row_times(obs, lost[lost_gi == g])
            note = "; ".join(filter(None, [note, _unplaced(sat[m], placed[m], t_row)]))
        expt = int(expt_b[g].sum()) if counted else None
        have = int(have_b[g].sum()) if counted else int(m.sum())
        n, total = (cn0_bn[g].sum(), cn0_bs[g].sum()) if counted else (cn0_n[g], cn0_s[g])
        rows.append({"system": letter, "signal": name, "sats": int(np.unique(sat[m]).size), "expt": expt,
                     "have": have, "pct": _r(100.0 * have / expt, 2) if expt else None,
                     "cn0_mean_dbhz": _r(total / n, 2) if n else None, "note": note or ""})  # fmt: skip
        if not counted:
            continue
        for b in np.flatnonzero(expt_b[g]).tolist():
            h, nc = int(have_b[g, b]), int(cn0_bn[g, b])
            bins.append({"system": letter, "signal": name, "el_from_deg": b * width,
                         "el_to_deg": (b + 1) * width, "expt": int(expt_b[g, b]), "have": h,
                         "pct": _r(100.0 * h / expt_b[g, b], 2),
                         "cn0_mean_dbhz": _r(cn0_bs[g, b] / nc, 2) if nc else None})  # fmt: skip
    return rows, bins


def _signal_counts(ctx, el_raw, nb):
    """The counts of :func:`completeness` per (system, signal) group of the code observations.

    Returns the groups' keys (system rank x 256 + signal id), then per observation its group, satellite
    and whether it has an elevation, the rows of those without one (the times of the notes), and per
    group and elevation bin (``nb`` bins) the observations above the mask and the C/N0 counts and sums
    (per group and per bin). The elevations, bins and C/N0 of every observation go with the call.
    """
    obs, mask, width = ctx.obs, _mask(ctx), ctx.cfg.el_bin_deg
    code = np.isfinite(obs.code_m) & np.isin(sat_system(obs.sat), [system_code(x) for x in ctx.systems])
    sat = obs.sat[code]
    # one index per (system, signal) in the order system letters, then signal id
    rank = np.zeros(len(SYSTEM_LETTERS) + 1, dtype=np.int64)
    rank[[system_code(x) for x in ctx.systems]] = np.arange(len(ctx.systems))
    uniq, gi = _dense_codes(rank[sat_system(sat)] * 256 + obs.signal[code])
    el = el_raw[code]
    placed = np.isfinite(el)
    lost = np.flatnonzero(code)[~placed]
    above = placed & (el >= mask)
    eb = np.where(above, el, 0.0)  # bins computed in place: one array per observation, not five
    del el
    np.degrees(eb, out=eb)
    eb /= width
    np.floor(eb, out=eb)
    eb = np.clip(eb.astype(int), 0, nb - 1)
    have_b = np.bincount(gi[above] * nb + eb[above], minlength=uniq.size * nb).reshape(uniq.size, nb)
    # mean C/N0 over the observations counted in "have": those above the mask (all where no orbit tells)
    cn0 = obs.cn0_dbhz[code].astype(float)
    cn0_ok = np.isfinite(cn0)
    cn0_n = np.bincount(gi[cn0_ok], minlength=uniq.size)
    cn0_s = np.bincount(gi[cn0_ok], weights=cn0[cn0_ok], minlength=uniq.size)
    ab = above & cn0_ok
    cell = gi[ab] * nb + eb[ab]
    cn0_bn = np.bincount(cell, minlength=uniq.size * nb).reshape(uniq.size, nb)
    cn0_bs = np.bincount(cell, weights=cn0[ab], minlength=uniq.size * nb).reshape(uniq.size, nb)
    return uniq, gi, sat, placed, lost, have_b, (cn0_n, cn0_s, cn0_bn, cn0_bs)


def _row_times(obs, rows) -> np.ndarray:
    """Epoch time of rows of ``obs`` (GPST ns), from the epochs' row offsets."""
    return obs.epoch_time_ns[np.searchsorted(obs.epoch_offsets, rows, side="right") - 1]


def _dense_codes(key):
    """``numpy.unique(key, return_inverse=True)`` of small non-negative integers, by counting instead of
    sorting every observation: the distinct values in order and the index of each element among them."""
    present = np.bincount(key) > 0
    return np.flatnonzero(present), (np.cumsum(present) - 1)[key]


def _unplaced(sat, placed, t_ns) -> str:
    """Note of a counted signal on its observations without an elevation: of satellites without one at
    any of their observations (named), and of the others at epochs without a usable record (their span:
    navigation data that end before the observations do).

    Those are left out of ``expt`` and ``have`` (no mask can apply) but stay in the MP and slip tables,
    whose counts are therefore larger; the note says by which satellites and observations.
    """
    ids, n = np.unique(sat, return_counts=True)
    some = np.unique(sat[placed])
    lost = ~np.isin(ids, some)
    part = ~placed & np.isin(sat, some)
    out = []
    if lost.any():
        names = " ".join(sat_id(int(x)) for x in ids[lost])
        out.append(
            f"{names} without a usable broadcast record: {int(n[lost].sum())} observations not counted"
        )
    if part.any():
        out.append(
            f"{int(part.sum())} observations at epochs without a usable broadcast record "
            f"({time_span(t_ns[part])}) not counted"
        )
    return "; ".join(out)


def _carries(grid, gi, sat, n_groups) -> np.ndarray:
    """(groups, grid satellites) True where the satellite has the group's signal in the file."""
    if grid is None:
        return np.zeros((n_groups, 0), bool)
    out = np.zeros((n_groups, grid.sats.size), bool)
    j = np.searchsorted(grid.sats, sat)
    ok = (j < grid.sats.size) & (grid.sats[np.minimum(j, grid.sats.size - 1)] == sat)
    out[gi[ok], j[ok]] = True
    return out


def _cells_per_bin(grid, mask, width, nb) -> np.ndarray:
    """(grid satellites, bins) epochs above the mask per satellite and elevation bin."""
    ok = np.isfinite(grid.el) & (grid.el >= mask)
    b = np.clip(np.floor(np.degrees(np.where(ok, grid.el, 0.0)) / width).astype(int), 0, nb - 1)
    s = np.broadcast_to(np.arange(grid.sats.size)[None, :], grid.el.shape)
    return np.bincount((s * nb + b)[ok], minlength=grid.sats.size * nb).reshape(grid.sats.size, nb)


def _why_no_expt(ctx, letter, sats, expt) -> tuple[str | None, bool]:
    """Why a system or signal has no (or a zero) expected count, and whether it is counted at all.

    Returns ``(note, counted)``: ``counted`` is False without navigation data or elevations (then the
    observations are listed but not compared with expected ones); ``note`` says why (None: nothing to say).

    SBAS: :class:`~kompas.products.broadcast.BroadcastProduct` does not evaluate SBAS GEO ephemerides
    (status UNSUPPORTED), so there are no elevations; its observations are listed but not counted against
    the mask. A satellite set that is up but never above the mask gets its highest elevation (QZSS seen
    from Europe: its IGSO satellites stay below 10 degrees at ESBC, 55.5 deg N 8.4 deg E).
    """
    grid = ctx.grid
    if grid is None:
        return None, False
    j = np.searchsorted(grid.sats, np.unique(sats))
    j = j[(j < grid.sats.size)]
    el = grid.el[:, j]
    if not np.isfinite(el).any():
        if letter == "S":
            return (
                "no SBAS orbit evaluation (GEO ephemerides unsupported): not counted against the mask",
                False,
            )
        return "no usable broadcast record for these satellites: not counted against the mask", False
    if expt == 0:
        top = np.degrees(np.nanmax(el))
        return f"highest elevation {top:.1f} deg, below the {ctx.cfg.elmask_deg:g} deg mask", True
    return None, True


def multipath_tables(ctx) -> tuple[list, list, list, list]:
    """MP RMS per (signal, partner), per satellite, per elevation bin, per azimuth/elevation cell.

    One sort groups the values by (satellite, signal, partner, azimuth bin, elevation bin); the four
    tables add those cells up.
    """
    mp, mask = ctx.mp, _mask(ctx)
    use = ~(mp.el < mask)  # satellites without an elevation (no broadcast record) are kept, unbinned
    if not use.any():
        return [], [], [], []
    wel, waz = ctx.cfg.el_bin_deg, ctx.cfg.az_bin_deg
    unknown = ~np.isfinite(mp.el)

    def bins(x, width, rows=slice(None)):
        b = _bin(x[rows], width)
        b[unknown[rows]] = _NO_BIN
        return b

    def squares(order):
        sq = mp.mp_m[order]
        return np.square(sq, out=sq)

    # the keys and squares are made as the grouping needs them, of every value (the values below the
    # mask sort last and are left out): one per-value array at a time besides the key and the sort, and
    # no copy of the used values (MP runs to 4 values per observation row)
    keys = [lambda: mp.sat, lambda: mp.signal, lambda: mp.partner, lambda: bins(mp.az, waz),
            lambda: bins(mp.el, wel)]  # fmt: skip
    first, (cnt, ss) = _grouped(keys, [None, squares], keep=use)
    # one row per finest cell from here on
    sat, sig, par = mp.sat[first], mp.signal[first], mp.partner[first]
    elb, azb = bins(mp.el, wel, first), bins(mp.az, waz, first)
    sysc = sat_system(sat)
    letters = np.array(list(" " + SYSTEM_LETTERS))[sysc]
    name = np.char.add(np.char.add(letters, "C"), signal_code(sig))
    tables = []
    for keys, extra in (
        ([sysc, sig, par], lambda f: {}),
        ([sat, sig, par], lambda f: {"sat": [str(sat_id(x)) for x in sat[f]]}),
        ([sysc, sig, par, elb], lambda f: {"el_from_deg": (elb[f] * wel).astype(float).tolist()}),
        ([sysc, sig, par, azb, elb], lambda f: {"az_from_deg": (azb[f] * waz).astype(float).tolist(),
                                                "el_from_deg": (elb[f] * wel).astype(float).tolist()}),
    ):  # fmt: skip
        f, (n, s2) = _grouped(keys, [cnt, ss])
        if len(keys) > 3:  # elevation (and azimuth) tables: cells of known elevation only
            binned = elb[f] != _NO_BIN
            f, n, s2 = f[binned], n[binned], s2[binned]
        cols = {"system": letters[f].tolist(), "signal": name[f].tolist(),
                "partner_band": par[f].astype(int).tolist(), **extra(f), "n": n.astype(int).tolist(),
                "rms_m": [_r(x) for x in np.sqrt(s2 / n)]}  # fmt: skip
        names = list(cols)
        tables.append([dict(zip(names, row, strict=True)) for row in zip(*cols.values(), strict=True)])
    return tuple(tables)


def _grouped(keys, values, keep=None):
    """Groups of the combined small non-negative integer ``keys`` (one stable sort), in key order.

    Returns the index of each group's first element (input order) and the sums of each array of
    ``values`` per group; a value ``None`` gives the number of elements of each group (as float, the
    sums of ones it replaces). A key may be given as a function that returns the array, a value as a
    function of the sort order that returns the values in that order: each is called when the array is
    needed, so that such arrays do not all live at once. With the mask ``keep`` only its elements are
    grouped (the others take a key above every key and sort last): the groups of ``keys[keep]``, with
    indices into the whole arrays.
    """
    k = None
    for a in keys:  # in place: the keys run to one per MP value
        a = a() if callable(a) else a
        k = np.zeros(np.size(a), dtype=np.int64) if k is None else k
        k *= 4096
        k += a
    if keep is not None:
        k[~keep] = _LAST_KEY
    order = np.argsort(k, kind="stable")
    if keep is not None:
        order = order[: np.count_nonzero(keep)]
    start = sorted_starts(k, order)
    del k
    count = np.diff(np.r_[start, order.size]).astype(float)
    sums = [
        count if v is None else np.add.reduceat(v(order) if callable(v) else np.asarray(v)[order], start)
        for v in values
    ]
    return order[start], sums


_LAST_KEY = 1 << 62
"""Key of the elements :func:`_grouped` leaves out: above every key of five 12-bit fields."""


_NO_BIN = 4095
"""Bin of a value without an elevation (a satellite without broadcast records): the largest key of
:func:`_grouped`, left out of the elevation and azimuth tables."""


_BIN_BLOCK = 1 << 18
"""Values binned at a time by :func:`_bin`: its float temporaries are this long, not as long as MP."""


def _bin(x_rad, width_deg):
    """Bin of each angle ``x_rad`` (rad) in bins ``width_deg`` (deg) wide from 0 to 360 deg (NaN in the
    first), as int16.

    Computed per block of :data:`_BIN_BLOCK` values, in place on a copy of the block: each step is
    elementwise, so the blocks give the bins of the whole, and only the int16 result is as long as
    ``x_rad`` (an MP series runs to millions of values)."""
    x_rad = np.asarray(x_rad)
    out = np.empty(x_rad.size, dtype=np.int16)
    for i in range(0, x_rad.size, _BIN_BLOCK):
        x = np.nan_to_num(x_rad[i : i + _BIN_BLOCK])
        np.degrees(x, out=x)
        np.mod(x, 360.0, out=x)
        x /= width_deg
        np.floor(x, out=x)
        out[i : i + x.size] = x.astype(np.int16)
    return out


def slip_table(ctx) -> list:
    """Per system and band: phase observations above the mask, slips by cause, per mille, obs per slip."""
    from ..preprocess import Cause

    ob, fl, mask = ctx.ob, ctx.flags, _mask(ctx)
    has = np.isfinite(ob.phase_cyc)
    above = ~(ctx.el < mask)  # satellites without an elevation (no broadcast record) are counted
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


GAP_COLUMNS = ("from", "to", "missing_epochs", "duration_s")
CLOCK_JUMP_COLUMNS = ("time", "size_s", "kind", "millisecond", "n_sats")
EMPTY_COLUMNS = {"gaps": GAP_COLUMNS, "clock_jumps": CLOCK_JUMP_COLUMNS}
"""Columns of the tables that are often empty (a file without gaps or clock jumps)."""


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


def _slip_events(ctx, letter: str, placed: bool) -> int:
    """Satellites and epochs of a system above the mask with a slip on any band (teqc counts a slip per
    satellite and epoch, whatever the number of bands it shows on). ``placed``: only rows with an
    elevation, the population of the summary's ``have`` when it is counted against the mask."""
    ob, mask = ctx.ob, _mask(ctx)
    m = (sat_system(ob.sat) == system_code(letter)) & ~(ctx.el < mask)
    if placed:
        m &= np.isfinite(ctx.el)
    return int(ctx.flags.slip[m].any(axis=1).sum())


def summary_rows(ctx, comp, mp_sig, slips, interval_s, few) -> list:
    """teqc-like one line per system: ``o/slps`` is ``have`` over the slips counted per satellite and
    epoch (:func:`_slip_events`)."""
    obs = ctx.obs
    t = obs.epoch_time_ns
    rows = []
    for letter in ctx.systems:
        m = sat_system(obs.sat) == system_code(letter)
        if not m.any():
            continue
        sats = np.unique(obs.sat[m])
        ep = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))[m & np.isfinite(obs.code_m)]
        key = np.unique(ep * 1024 + obs.sat[m & np.isfinite(obs.code_m)])
        missed = _never_observed(ctx.grid, letter, sats, _mask(ctx))
        expt = _system_expected(ctx.grid, np.union1d(sats, list(missed)), _mask(ctx))
        note, counted = _why_no_expt(ctx, letter, sats, expt or 0)
        if counted and missed:
            seen = ", ".join(f"{sat_id(s)} ({n} epochs)" for s, n in missed.items())
            note = "; ".join(filter(None, [note, f"above the mask but never observed: {seen}"]))
        have_rows = int(key.size)
        if counted:
            el = ctx.grid.lookup(key // 1024, (key % 1024).astype(np.int16))[1]
            have_rows = int((np.isfinite(el) & (el >= _mask(ctx))).sum())
            note = "; ".join(filter(None, [note, _not_placed(t[key // 1024][~np.isfinite(el)])]))
        else:
            expt = None
        n_slip = _slip_events(ctx, letter, placed=counted)
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
                "obs_per_slip": _r(have_rows / n_slip, 1) if n_slip else None,
                "slips_per_1000": _r(1000.0 * n_slip / have_rows, 3) if have_rows else None,
                "epochs_lt4": few.get(letter, 0),
                "clock_jumps": len(ctx.jumps),
                "mp_rms_m": mps,
                "note": note or "",
            }
        )
    return rows


def _not_placed(t_ns) -> str:
    """Summary note of observed satellite-epochs (at ``t_ns``) that no usable record places: they are
    in neither ``expt`` nor ``have``, so ``pct`` says nothing of them."""
    if not t_ns.size:
        return ""
    return (
        f"{t_ns.size} observed satellite-epochs without a usable broadcast record ({time_span(t_ns)}) "
        "not counted in expt/have"
    )


def _never_observed(grid, letter, observed, mask) -> dict:
    """Satellites of a system with a broadcast orbit above the mask at some epoch that the file never
    shows, with their epochs above the mask: teqc's possible observations count them (a receiver that
    does not track a satellite in view loses completeness)."""
    if grid is None:
        return {}
    mine = (sat_system(grid.sats) == system_code(letter)) & ~np.isin(grid.sats, observed)
    n = (np.isfinite(grid.el[:, mine]) & (grid.el[:, mine] >= mask)).sum(axis=0)
    return {int(s): int(k) for s, k in zip(grid.sats[mine], n, strict=True) if k}


def _system_expected(grid, sats, mask) -> int | None:
    """(epoch, satellite) cells above the mask of the satellites ``sats`` (None without a grid)."""
    if grid is None:
        return None
    j = np.searchsorted(grid.sats, sats)
    j = j[j < grid.sats.size]
    j = j[np.isin(grid.sats[j], sats)]
    el = grid.el[:, j]
    return int((np.isfinite(el) & (el >= mask)).sum())


def all_tables(ctx) -> dict:
    """Every table of the report (see :class:`kompas.qc.QcResult`)."""
    comp, comp_el = completeness(ctx, _raw_elevation(ctx))
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
