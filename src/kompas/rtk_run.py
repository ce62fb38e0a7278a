"""The RTK run: paired observations -> epoch inputs -> filter passes -> combined solution.

Split from :mod:`kompas.rtk` (the recipe and its configuration) so that each module stays small. The
filter itself is :class:`kompas.estimators.rtk.RtkFilter`; this module feeds it epoch by epoch (forward,
and backward for PPK), combines the passes (:func:`kompas.estimators.rtk_combine.combine_passes`) and
assembles the :class:`~kompas.solution.Solution`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings

import numpy as np

from .constants import C_LIGHT
from .errors import KompasWarning, SignalError
from .estimators.rtk import EpochInput, RtkFilter
from .estimators.rtk_combine import PassResult, combine_passes
from .estimators.rtk_model import sd_variances
from .estimators.validate import epoch_dops
from .frames import azimuth_elevation, ecef_to_geodetic, enu_to_ecef
from .rtk_inputs import F_IONO_REF_HZ, antenna_correction, phase_modes, prepare_baseline, shared_signals
from .satsys import is_bds_geo, sat_system, signal_band, system_code
from .solution import ProcessingRecord, Quality, Solution, Unsolved, unsolved_counts
from .tables.observables import NO_SIGNAL
from .time import time_span

__all__ = ["run_rtk", "cell_table", "iono_prior"]


def cell_table(bd) -> dict:
    """Every (row, band) cell of paired observations with a signal at both ends, as flat arrays with
    per-epoch offsets (``"offsets"``), keys of ambiguity arcs and of difference groups."""
    rr, cc = np.nonzero(bd.signal_r != NO_SIGNAL)
    sig_r = bd.signal_r[rr, cc].astype(np.int64)
    sig_b = bd.signal_b[rr, cc].astype(np.int64)
    sat = bd.sat[rr].astype(np.int64)
    sysc = sat_system(sat).astype(np.int64)
    band = signal_band(sig_r).astype(np.int64)
    f = bd.freq_hz[rr, cc]
    lam = C_LIGHT / f
    tail = (band << 16) | (sig_r << 8) | sig_b
    fdma = (sysc == system_code("R")) & (band <= 2)
    cells = {
        "row": rr,
        "band": band,
        "key": (sat << 20) | tail,
        "group": (sysc << 20) | tail,
        "code": bd.code_r[rr, cc] - bd.code_b[rr, cc],
        "phase": (bd.phase_r[rr, cc] - bd.phase_b[rr, cc]) * lam,
        "lam": lam,
        "mu": (F_IONO_REF_HZ / f) ** 2,
        "k": np.where(fdma, bd.glo_k[rr], 0).astype(float),
        "fdma": fdma,
        "slip": bd.slip[rr, cc],
    }
    cells["epoch"] = bd.row_epoch()[rr]
    cells["offsets"] = _offsets(cells["epoch"], bd.n_epochs)
    cells["slip_backward"] = _backward_slips(cells["key"], cells["epoch"], cells["slip"])
    return cells


def _offsets(epoch, n_epochs: int) -> np.ndarray:
    """Cells of epoch ``k``: ``offsets[k]:offsets[k + 1]`` (``epoch`` sorted)."""
    return np.searchsorted(epoch, np.arange(n_epochs + 1)).astype(np.int64)


def _backward_slips(key, epoch, slip) -> np.ndarray:
    """Slip flags for a pass backward in time: a break between epochs k-1 and k (flagged at k going
    forward) is met at k-1 going backward."""
    order = np.lexsort((epoch, key))
    k_sorted = key[order]
    nxt = np.r_[order[1:], -1]
    same = np.r_[k_sorted[1:] == k_sorted[:-1], False]
    out = np.ones(key.size, bool)  # the last cell of an arc starts the arc going backward
    out[order[same]] = slip[nxt[same]]
    return out


def _epoch_input(bd, cells, k: int, prior, iono0, backward: bool = False, every=None) -> EpochInput:
    """Epoch ``k``'s slice of the rows and cells; ``every`` (:func:`_every_epoch`) what was computed for
    all epochs at once, else None."""
    s = bd.rows(k)
    c = slice(int(cells["offsets"][k]), int(cells["offsets"][k + 1]))
    sat = bd.sat[s]
    sysc, geo = _row_systems(sat) if every is None else (every[0][s], every[1][s])
    return EpochInput(
        t_ns=int(bd.time_ns[k]),
        sat=sat,
        sys=sysc,
        satpos=bd.satpos_r[s],
        range_b=bd.range_b[s],
        trop_b=bd.trop_b[s],
        el=bd.el_b[s],
        iono0=iono0[s],
        geo=geo,
        cs=cells["row"][c] - s.start,
        key=cells["key"][c],
        group=cells["group"][c],
        band=cells["band"][c],
        code=cells["code"][c],
        phase=cells["phase"][c],
        lam=cells["lam"][c],
        mu=cells["mu"][c],
        k=cells["k"][c],
        fdma=cells["fdma"][c],
        slip=cells["slip_backward" if backward else "slip"][c],
        ant=cells["ant"][c],
        prior_pos=prior[k],
        clock_sd=bd.clock_sd_m[s],
        age_s=float(bd.noise_age_s[k]),
        orbit_sigma=bd.orbit_sigma_m[s],
        orbit_drift=bd.orbit_drift_m[s],
        var=None if every is None else (every[2][c], every[3][c]),
    )


def _row_systems(sat) -> tuple[np.ndarray, np.ndarray]:
    """System code (int64) and BeiDou GEO flag of satellite indices."""
    return sat_system(sat).astype(np.int64), is_bds_geo(sat)


def _every_epoch(filt: RtkFilter, bd, cells) -> tuple:
    """What the epoch inputs need that depends on the data alone, for all epochs at once (per epoch, on a
    few rows, numpy's call overhead dominates): every row's system code and BeiDou GEO flag, and every
    cell's code and phase variances (the values :func:`~kompas.estimators.rtk_model.cell_variances` gives
    epoch by epoch: the same operations element by element, the age term in Python as there)."""
    sysc, geo = _row_systems(bd.sat)
    noise = filt.noise
    var_age = np.array([(C_LIGHT * noise.sat_clock_stab * a) ** 2 for a in bd.noise_age_s.tolist()])
    sat = (sysc, geo, bd.el_b, bd.range_b, bd.orbit_sigma_m, bd.orbit_drift_m)
    var_c, var_p = sd_variances(
        sat, cells["row"], var_age[cells["epoch"]], noise, 1e3 * filt.setup.baseline_km
    )
    return sysc, geo, var_c, var_p


def iono_prior(bd, prior, product) -> tuple[np.ndarray, list[str]]:
    """Broadcast-model single difference (rover minus base) of every row's slant ionosphere.

    The prior of the ``ion:<sat>`` states (:mod:`kompas.estimators.rtk`): each satellite's broadcast model
    (:class:`kompas.products.ionosphere.BroadcastIonosphere`: Klobuchar, BDGIM, NeQuick-G) evaluated at the
    rover's single point position and at the base, as RTKLIB's ``IONOOPT_EST`` does not (it starts from 0).
    The model's absolute error (~50 %) largely cancels in the difference over tens of km; what remains is
    its horizontal gradient.

    Parameters
    ----------
    bd : BaselineData
        Paired observations (:func:`kompas.rtk_inputs.prepare_baseline`).
    prior : numpy.ndarray, shape (E, 3)
        Rover antenna position per epoch, ECEF m (NaN where unknown: those rows get 0).
    product : BroadcastProduct
        Its navigation files supply the models' coefficients.

    Returns
    -------
    iono0 : numpy.ndarray, shape (R,)
        m at :data:`~kompas.rtk_inputs.F_IONO_REF_HZ`; 0 for rows no model serves or without a rover position.
    notes : list of str
    """
    from .products.ionosphere import BroadcastIonosphere, IonoContext

    n_rows = bd.sat.size
    if n_rows == 0:
        return np.zeros(0), []
    model = BroadcastIonosphere(product.navs, near_ns=(int(bd.time_ns[0]), int(bd.time_ns[-1])))
    epoch = bd.row_epoch()
    t = bd.time_ns[epoch]
    pos_r = prior[epoch]
    have = np.all(np.isfinite(pos_r), axis=1)
    pos_r = np.where(have[:, None], pos_r, bd.base_arp_m)
    sat = bd.sat.astype(np.int64)
    f = np.full(n_rows, F_IONO_REF_HZ)
    az_r, el_r = azimuth_elevation(bd.satpos_r, pos_r)
    llh_r = ecef_to_geodetic(pos_r)
    llh_b = np.broadcast_to(ecef_to_geodetic(bd.base_arp_m), (n_rows, 3))
    ctx_r = IonoContext(t, llh_r[:, 0], llh_r[:, 1], llh_r[:, 2], az_r, el_r, bd.satpos_r)
    ctx_b = IonoContext(t, llh_b[:, 0], llh_b[:, 1], llh_b[:, 2], bd.az_b, bd.el_b, bd.satpos_b)
    d_r, served, _ = model.delay(sat, ctx_r, f)
    d_b = model.delay(sat, ctx_b, f)[0]
    ok = have & (served != "") & np.isfinite(d_r) & np.isfinite(d_b)
    used = sorted(set(served[ok].tolist()))
    note = f"ionosphere prior from the broadcast model{'s' if len(used) > 1 else ''} {', '.join(used)}"
    return np.where(ok, d_r - d_b, 0.0), [note if used else "ionosphere prior 0: no broadcast model serves"]


def _rover_spp(rover, product, cfg, elmask_deg=None, epochs=None):
    """Single point solutions of the rover (markers) and the same moved to its antenna reference point,
    ECEF m (NaN unsolved). The a priori positions take a mask of at most 10 deg (more epochs solved);
    the solutions written as such (``output_single``) the run's ``elmask_deg``. With ``epochs`` (bool,
    one per rover epoch) only those are solved and the positions of the others are NaN (the Solution
    then holds the solved epochs alone)."""
    from .spp import spp

    mask = min(cfg.elmask_deg, 10.0) if elmask_deg is None else elmask_deg
    obs = rover if epochs is None else rover.take_epochs(epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)  # SPP's notes (ionosphere models) do not concern RTK
        sol = spp(obs, product, systems=cfg.systems, elmask_deg=mask)
    pos = np.asarray(sol.pos_m, float).copy()
    ok = sol.ok & np.all(np.isfinite(pos), axis=1)
    pos[ok] = enu_to_ecef(-rover.station.arp_to_marker_enu(), pos[ok])
    pos[~ok] = np.nan
    if epochs is not None:  # one row per rover epoch again
        full = np.full((epochs.size, 3), np.nan)
        full[epochs] = pos
        pos = full
    return sol, pos


def _single_thread():
    """BLAS limited to one thread while the filter runs: its matrices (a few hundred states) are too small
    for threads to pay, and on a busy machine threaded BLAS is up to ten times slower (measured)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional (extra "fast")
        return contextlib.nullcontext()
    # threadpoolctl limits only the BLAS libraries loaded when it is entered; the filter's solves use numpy's
    # (kompas.estimators.kalman.spd_solve), loaded with numpy
    return threadpool_limits(limits=1, user_api="blas")


def _pass(filt: RtkFilter, bd, cells, prior, iono0, order, progress, done0, total) -> PassResult:
    n = bd.n_epochs
    backward = len(order) > 1 and order[0] > order[-1]
    out = PassResult.empty(n)
    every = _every_epoch(filt, bd, cells)
    with _single_thread():
        for i, k in enumerate(order):
            if not np.isfinite(bd.age_s[k]):
                continue
            res = filt.step(_epoch_input(bd, cells, int(k), prior, iono0, backward, every))
            out.store(int(k), res)
            if progress is not None and (i + 1) % 60 == 0:
                progress(done0 + i + 1, total)
    return out


def _setup_and_data(rover, base, product, cfg, base_arp, channels, orbits=None):
    from .rtk import _setup

    bands, prio = shared_signals(rover, base, cfg.systems, cfg.bands, cfg.signals)
    if not bands:
        modes = (phase_modes(rover), phase_modes(base))
        raise SignalError(
            f"no system of {cfg.systems!r} has a carrier phase on a band both receivers track"
            + _no_common_band(modes, cfg.systems, bool(cfg.signals or cfg.bands))
        )
    bd = prepare_baseline(
        rover, base, orbits or product, base_arp, bands, prio, channels, cfg.time_tolerance_s, cfg.slips,
        cfg.max_age_s, cfg.interpolate_base, cfg.extrapolate_base,
    )  # fmt: skip
    # the a priori positions of rover epochs without a base epoch are not used (unless written as single
    # point solutions): a rover day under a base hour need not be solved 24 times over
    paired = np.isfinite(bd.age_s)
    only = None if cfg.output_single or paired.all() else paired
    single, prior = _rover_spp(rover, product, cfg, epochs=only)
    _require_prior(prior, paired, single, product, rover)
    setup = _setup(cfg, rover, base, base_arp, prior)
    if not setup.tropo:
        bd = dataclasses.replace(bd, trop_b=np.zeros_like(bd.trop_b))
    return bands, bd, prior, setup, single


def _require_prior(prior, paired, single, product, rover) -> None:
    """EstimatorError when no paired epoch has an a priori rover position: those come from single point
    solutions on the broadcast records (precise products do not serve them), so a navigation file of
    another day beside the day's SP3 and clock files left every epoch 'too few satellites' after the run."""
    from .errors import EstimatorError
    from .solution import unsolved_text
    from .tables.nav import record_times_ns

    if not paired.any() or np.isfinite(prior[paired]).any():
        return
    times = record_times_ns(product.navs)
    spans = f"the records are of {time_span(times)}, " if times.size else ""
    raise EstimatorError(
        f"no single point solution of the rover, which gives the a priori positions from the navigation "
        f"records ({unsolved_text(single)}; {spans}the observations of {time_span(rover.epoch_time_ns)}): "
        "give the navigation files of the observation days"
    )


def _no_common_band(modes, systems: str, asked: bool) -> str:
    """The end of a message that ``systems`` have no band both receivers track a phase on: whether the
    --signals/--bands asked for restricted them, and the carrier phases (band and tracking mode) each
    receiver has in them; ``modes`` are the rover's and the base's :func:`phase_modes`."""
    out = []
    for who, m in zip(("rover", "base"), modes, strict=True):
        have = "; ".join(f"{x} {' '.join(sorted(m[x]))}" for x in systems if m.get(x))
        out.append(f"{who} phases: {have or 'none'}")
    return (" among the --signals/--bands asked for" if asked else "") + f" ({', '.join(out)})"


def _prior_positions(prior, epoch, bd) -> np.ndarray:
    """The rover's a priori position at each epoch index (the median where it has none, else the base)."""
    pos = prior[epoch]
    fill = np.nanmedian(prior, axis=0) if np.isfinite(prior).any() else bd.base_arp_m
    return np.where(np.isfinite(pos), pos, fill)


def _antenna_cells(cells, bd, az_r, el_r, atx, rover, base) -> tuple[np.ndarray, list[str]]:
    """Rover minus base antenna corrections of every cell (zeros without ANTEX or a calibration);
    ``az_r``, ``el_r`` are each row's azimuth and elevation seen from the rover, rad."""
    zero = np.zeros(cells["row"].size)
    if atx is None:
        return zero, []
    ants = []
    for st, who in ((rover.station, "rover"), (base.station, "base")):
        try:
            ants.append(atx.receiver(st.antenna_type))
        except KeyError:
            return zero, [f"ANTEX has no {who} antenna {st.antenna_type!r}: no antenna corrections applied"]
    row = cells["row"]
    sysc = sat_system(bd.sat[row]).astype(np.int64)
    cr = antenna_correction(ants[0], sysc, cells["band"], az_r[row], el_r[row])
    cb = antenna_correction(ants[1], sysc, cells["band"], bd.az_b[row], bd.el_b[row])
    return cr - cb, [f"antenna corrections (PCO/PCV) from ANTEX: rover {ants[0].type.strip()}, "
                     f"base {ants[1].type.strip()}"]  # fmt: skip


def run_rtk(
    rover, base, product, cfg, base_arp, base_marker, base_source, channels, progress=None, atx=None,
    orbits=None, notes=(),
):  # fmt: skip
    """Process the paired windows of rover and base (see :func:`kompas.rtk.rtk`). ``orbits``
    (:class:`~kompas.products.precise_first.PreciseFirst`) gives the satellite states of the double
    differences when precise products are given; ``notes`` (what the orbits and the base position came from)
    lead the run's notes; the broadcast ``product`` serves
    the single point solutions and the ionosphere models."""
    bands, bd, prior, setup, single = _setup_and_data(rover, base, product, cfg, base_arp, channels, orbits)
    cells = cell_table(bd)
    # each row's satellite seen from the rover's a priori position
    az_r, el_r = azimuth_elevation(bd.satpos_r, _prior_positions(prior, bd.row_epoch(), bd))
    cells["ant"], ant_notes = _antenna_cells(cells, bd, az_r, el_r, atx, rover, base)
    # both receivers must see a satellite above the mask (RTKLIB zdres() masks rover and base alike)
    mask = np.radians(cfg.elmask_deg)
    el_ok = (bd.el_b >= mask) & (el_r >= mask)
    cells = _mask_cells(cells, el_ok, bd)
    iono0, iono_notes = np.zeros(bd.sat.size), []
    if setup.iono and cfg.models.iono_prior == "brdc":
        iono0, iono_notes = iono_prior(bd, prior, product)
    n = bd.n_epochs
    total = n * (2 if cfg.ppk else 1)

    def one_pass(order, done0):
        filt = RtkFilter(cfg.noise, cfg.ar, cfg.glonass, setup)
        return _pass(filt, bd, cells, prior, iono0, order, progress, done0, total)

    fwd = one_pass(range(n), 0)
    result = fwd
    if cfg.ppk:
        bwd = one_pass(range(n - 1, -1, -1), n)
        result = combine_passes(fwd, bwd)
    if progress is not None:
        progress(total, total)
    result.notes[:0] = (
        list(notes) + _unserved_notes(bd, orbits) + ant_notes + iono_notes
        + _age_notes(bd, cfg, base)
        + _glonass_notes(bd, rover, base, cfg) + _iono_off_notes(setup, cfg)
        + _unused_system_notes(rover, base, cfg, bands)
    )  # fmt: skip
    if cfg.output_single:  # RTKLIB out-outsingle: pntpos with the run's own mask
        if cfg.elmask_deg > 10.0:
            single, prior = _rover_spp(rover, product, cfg, cfg.elmask_deg)
        _single_where_unsolved(result, single, prior)
    ephemeris = "broadcast" if orbits is None else f"precise {orbits.systems}, broadcast"
    # RTKLIB's header lists every input: rover, base, navigation files
    inputs = (*rover.files, *base.files, *(n.path for n in product.navs if getattr(n, "path", None)))
    sol = _solution(result, bd, rover, cfg, bands, setup, base_marker, base_source, (ephemeris, inputs))
    return dataclasses.replace(sol, **_dops(result, bd, az_r, el_r, single if cfg.output_single else None))


def _dops(res: PassResult, bd, az_r, el_r, single) -> dict:
    """GDOP..VDOP of the satellites in each epoch's double differences (those of the forward pass with
    PPK), seen from the rover; the single point solution's at epochs written as such (Q=5)."""
    row_epoch = bd.row_epoch()
    used = np.zeros(bd.sat.size, bool)
    if res.residuals:
        ep = np.concatenate([np.full(2 * r["sat"].size, k) for k, r in res.residuals])
        sats = np.concatenate([np.r_[r["sat"], r["ref"]] for _, r in res.residuals])
        used = np.isin(row_epoch * 1024 + bd.sat, ep * 1024 + sats)
    dop = epoch_dops(row_epoch, bd.n_epochs, az_r, el_r, used)
    out = dict(zip(("gdop", "pdop", "hdop", "vdop"), dop, strict=True))
    solved = res.quality != Quality.NONE
    for k in out:
        if single is not None and getattr(single, k) is not None and single.time_ns.size == bd.n_epochs:
            out[k] = np.where(res.quality == Quality.SINGLE, getattr(single, k), out[k])
        out[k] = np.where(solved, out[k], np.nan)
    return out


def _unused_system_notes(rover, base, cfg, bands) -> list[str]:
    """Name the systems asked for that a receiver tracks with carrier phases but that have no band both
    track (of those ``--bands``/``--signals`` allow): they are left out, which the summary's system list
    alone does not explain (``--bands C:1,5`` with a base that tracks BeiDou on B1I/B3I/B2I only, or a
    system the base does not track at all)."""
    modes = (phase_modes(rover), phase_modes(base))
    asked = set(cfg.bands or {}) | set(cfg.signals or {})
    return [
        f"{x} left out: no band on which both receivers track a carrier phase"
        + _no_common_band(modes, x, x in asked)
        for x in cfg.systems
        if x not in bands and (modes[0].get(x) or modes[1].get(x))
    ]


def _iono_off_notes(setup, cfg) -> list[str]:
    """A warning when the ionosphere is left out (``models.iono="off"``) on a baseline beyond ``iono_km``."""
    if setup.iono or setup.baseline_km <= cfg.models.iono_km:
        return []
    return [
        f"the ionosphere is not estimated (--iono off) on a {setup.baseline_km:.1f} km baseline: its "
        "differences (centimetres to decimetres) go into the ambiguities and can fix them wrongly"
    ]


def _glonass_notes(bd, rover, base, cfg) -> list[str]:
    from .rtk import ifb_note

    glonass = bool(np.any(sat_system(bd.sat) == system_code("R")))
    return [ifb_note(rover, base, cfg.glonass)] if glonass and cfg.glonass.ifb != "off" else []


def _unserved_notes(bd, orbits) -> list[str]:
    """Name the satellites both receivers track that had no satellite state at all (and what would help)."""
    if not bd.unserved:
        return []
    what = "no broadcast record valid at their epochs" + (
        " and no precise orbit or clock" if orbits is not None else ""
    )
    advice = "their navigation records" + (
        " or precise orbits and clocks (--sp3, --clk)" if orbits is None else ""
    )
    return [
        f"{len(bd.unserved)} satellites both receivers track have {what}, so they are left out: "
        f"{' '.join(bd.unserved)} (give {advice})"
    ]


def _age_notes(bd, cfg, base) -> list[str]:
    """Say how many rover epochs took an earlier base epoch (and how old it was at most), and how many
    had none (with both time spans: a base file that covers only part of the rover's)."""
    notes = []
    aged = np.isfinite(bd.age_s) & (np.abs(bd.age_s) > cfg.time_tolerance_s)
    if aged.any():
        oldest = float(np.max(bd.age_s[aged]))
        how = "interpolated where a later base epoch exists" if cfg.interpolate_base else "not interpolated"
        if cfg.extrapolate_base:
            how += ", phases extrapolated from earlier base epochs elsewhere"
        notes.append(
            f"{int(aged.sum())} epochs without a simultaneous base epoch took an earlier one, up to "
            f"{round(oldest, 3):g} s old (max_age_s {cfg.max_age_s:g}); base observations {how}"
        )
    alone = ~np.isfinite(bd.age_s)
    if alone.any():
        notes.append(
            f"{int(alone.sum())} rover epochs have no base epoch at their time or up to {cfg.max_age_s:g} s "
            f"before it (--max-age): rover {time_span(bd.time_ns)}, base {time_span(base.epoch_time_ns)}"
        )
    return notes


def _single_where_unsolved(res: PassResult, single, prior) -> None:
    """RTKLIB's ``out-outsingle``: epochs without a relative solution take the rover's single point
    solution (quality SINGLE), at the antenna reference point (``prior``) like the filter's positions."""
    take = (res.quality == Quality.NONE) & np.all(np.isfinite(prior), axis=1)
    if not take.any():
        return
    res.pos[take] = prior[take]
    res.cov[take] = single.cov_m2[take] if single.cov_m2 is not None else np.nan
    res.quality[take] = Quality.SINGLE
    res.nsat[take] = single.nsat[take]
    for x, v in single.nsat_by_system.items():
        res.nsat_by_sys[system_code(x)][take] = v[take]
    res.notes.append(f"{int(take.sum())} epochs without a relative solution: single point solutions (Q=5)")


def _mask_cells(cells, el_ok, bd) -> dict:
    """Cells of satellites below the elevation mask are dropped (their rows stay for the epoch slices)."""
    keep = el_ok[cells["row"]]
    out = {k: (v[keep] if k != "offsets" else v) for k, v in cells.items()}
    out["offsets"] = _offsets(out["epoch"], bd.n_epochs)
    return out


def _solution(res: PassResult, bd, rover, cfg, bands, setup, base_marker, base_source, sources) -> Solution:
    ephemeris, inputs = sources
    n = bd.n_epochs
    fixed = res.quality == Quality.FIX
    pos = res.pos.copy()
    ok = res.quality != Quality.NONE
    pos[ok] = enu_to_ecef(rover.station.arp_to_marker_enu(), pos[ok])  # antenna reference point -> marker
    pos[~ok] = np.nan
    letters = [x for x in cfg.systems if x in bands]
    reason = np.where(ok, Unsolved.SOLVED, np.where(np.isfinite(bd.age_s), Unsolved.TOO_FEW_SATELLITES,
                                                   Unsolved.NO_BASE_EPOCH)).astype(np.uint8)  # fmt: skip
    rec = ProcessingRecord(
        program="kompas rtk",
        mode="static" if cfg.mode == "static" else "rtk",
        systems="".join(letters),
        elmask_deg=cfg.elmask_deg,
        ephemeris=ephemeris,
        iono="est" if setup.iono else "off",
        tropo=("saas" if setup.tropo else "off") + ("+ztd" if setup.ztd else ""),
        signals={k: {",".join(map(str, v)): int(n)} for k, v in bands.items()},
        unsolved=unsolved_counts(reason),
        notes=(f"base position from {base_source}: {' '.join(f'{v:.4f}' for v in base_marker)}", *res.notes),
        base_m=tuple(float(v) for v in base_marker),
        config=cfg,
        inputs=tuple(str(p) for p in inputs),
    )  # fmt: skip
    return Solution(
        time_ns=bd.time_ns.copy(),
        pos_m=pos,
        quality=res.quality.astype(np.uint8),
        nsat=res.nsat.astype(np.int16),
        nsat_by_system={x: res.nsat_by_sys[system_code(x)].astype(np.int16) for x in letters},
        cov_m2=np.where(ok[:, None, None], res.cov, np.nan),
        reason=reason,
        ratio=np.where(ok, res.ratio, 0.0),
        age_s=np.where(ok & np.isfinite(bd.age_s), bd.age_s, 0.0),
        fixed_by_system={x: np.where(fixed, res.nfix_by_sys[system_code(x)], 0).astype(np.int16)
                         for x in letters},
        residuals=_residual_table(res.residuals, bd.time_ns),
        record=rec,
    )  # fmt: skip


def _residual_table(per_epoch, time_ns) -> dict:
    """The filter's post-fit double-difference residuals (:class:`kompas.estimators.rtk.EpochResult`) as
    one long table in time order, with the epoch's time; with PPK those of the forward pass."""
    keys = ("sat", "ref", "band", "kind", "residual_m", "elevation_rad")
    per_epoch = sorted(per_epoch, key=lambda kr: kr[0])
    if not per_epoch:
        return {"time_ns": np.zeros(0, np.int64), "used": np.zeros(0, bool),
                **{k: np.zeros(0) for k in keys}}  # fmt: skip
    out = {"time_ns": np.concatenate([np.full(r["sat"].size, time_ns[k]) for k, r in per_epoch])}
    out.update({k: np.concatenate([r[k] for _, r in per_epoch]) for k in keys})
    out["used"] = np.ones(out["sat"].size, bool)
    return out
