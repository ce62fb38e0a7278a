"""Precise point positioning: the recipe (which observables, models, states and estimator).

Undifferenced code and carrier phase of one receiver with precise orbits and clocks
(:class:`~kompas.products.mix.PreciseMix`, one analysis centre per system; broadcast ephemerides where the
precise products have no value), every model of :mod:`kompas.ppp_model` evaluated once for all rows, and the
sequential filter of :mod:`kompas.estimators.ppp`, forward, backward or both combined
(:func:`kompas.estimators.smoother.combine`). Two observation models:

* ``observables="if"``: the ionosphere-free combination of the first band pair of
  :data:`PPP_IF_BAND_PAIRS` (or ``signals.if_bands``) that a satellite has, code and phase;
* ``observables="uncombined"``: code and phase of every band of ``bands`` (any number) with a slant
  ionospheric delay per satellite; bands beyond the second get a code-bias state per satellite.

Clock groups: one receiver clock per system, BeiDou-2 and BeiDou-3 apart (their inter-system bias is the
difference of the two clocks), and satellites served by broadcast ephemerides apart from those of the
precise products (the broadcast clock datum differs by nanoseconds).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from .constants import C_LIGHT
from .engine import SignalMask, check_recipe_inputs, select_precise, window_or_error
from .errors import ConfigError, SignalError
from .estimators.ppp import EpochObs, PppFilter, PppFilterOptions
from .estimators.smoother import combine
from .estimators.validate import epoch_dops
from .io.detect import check_products
from .measurement import OMEGA_BY_CODE
from .ppp_config import PppConfig, ar_options, check_options, gradients_on
from .ppp_model import SOURCE_BROADCAST, ModelInputs, ModelSwitches, build_rows
from .ppp_record import product_paths, record
from .preprocess import detect_slips
from .products.precise import as_list
from .satsys import (
    bds_generation,
    carrier_frequency,
    is_bds_geo,
    sat_id,
    sat_letter,
    sat_system,
    signal_code,
    signal_id,
)
from .solution import Quality, Solution, Unsolved
from .spp import CLOCK_REFERENCE_ORDER, IF_BAND_PAIRS

__all__ = ["PppConfig", "ppp"]


@dataclasses.dataclass
class _Run:
    """What a run shares between the model, the filter passes and the solution."""

    cfg: PppConfig
    inputs: ModelInputs
    switches: ModelSwitches
    station: object
    glo_channels: object
    bands: dict
    pairs: dict | None
    notes: list
    product_notes: list
    nav: object = None
    masked: tuple = ()
    given: tuple = ()  # paths of the products given, for the record


def ppp(
    obs,
    nav=None,
    sp3=(),
    clk=(),
    antex=None,
    bias=None,
    blq=None,
    gpt3=None,
    catalog=None,
    config: PppConfig | None = None,
    progress=None,
    **options,
) -> Solution:
    """Precise point positioning of an observation file.

    Parameters
    ----------
    obs : ObsTable
    nav : NavData or list of NavData, optional
        Broadcast navigation data: the a priori position by single point positioning when the header has
        none, and the fallback for satellites without precise orbits and clocks.
    sp3, clk : Sp3 or ClockData, or lists of them
        Precise orbits and clocks of one or several analysis centres (:func:`kompas.read_sp3`,
        :func:`kompas.read_clk`).
    antex : Antex, optional
        Satellite and receiver antenna calibrations. Satellites with no offset in it or in ``catalog``'s
        nominal block offsets are left out (with a note): with neither, nothing solves unless the satellite
        antenna model is switched off (``sat_antenna=False``).
    bias : BiasData, optional
        Bias-SINEX OSB (or DSB) of satellites.
    blq : BlqFile, optional
        Ocean loading coefficients (the station is looked up by its marker name).
    gpt3 : Gpt3Grid, optional
        GPT3 grid (:func:`kompas.io.readers.gpt3.read_gpt3_grid`); without it ``models.tropo="gpt3"``
        falls back to Saastamoinen with a standard atmosphere and the ``models.mapping`` function (GMF by
        default; with a note).
    catalog : SatelliteCatalog, optional
        Satellite blocks and attitude laws (:func:`kompas.io.readers.satmeta.read_satellite_catalog`); the
        ANTEX's satellite blocks are added to it.
    config : PppConfig, optional
    progress : callable, optional
        ``progress(done_epochs, total_epochs)``.
    **options
        Any option of :class:`PppConfig` by name (``mode="kinematic"``, ``tropo="saas"``...).

    Returns
    -------
    Solution
        Marker positions with quality PPP, covariances, receiver clocks per clock group, the estimated
        troposphere (``states``), post-fit phase residuals and the processing record.
    """
    check_products(sp3=sp3, clk=clk, antex=antex, bias=bias, blq=blq, gpt3=gpt3, catalog=catalog)
    cfg = _config(config, options, obs, bias is not None)
    sel = window_or_error(obs, cfg.window.start, cfg.window.end, cfg.window.interval_s)
    if len(sel) and not set(cfg.systems) & set(sel.systems):
        raise ConfigError(f"the observation file has no observations of {cfg.systems} (it has {sel.systems})")
    sel, masked = _masked(sel, cfg)
    kept, kept_clk, dropped = select_precise(
        as_list(sp3), as_list(clk), sel.epoch_time_ns, bool(as_list(nav)), order=cfg.products.order
    )
    ctx = _prepare(sel, nav, kept, kept_clk, antex, bias, blq, gpt3, catalog, cfg)
    ctx.masked, ctx.notes[:0] = masked, dropped
    ctx.given = product_paths(nav, sp3, clk, antex, bias, blq, gpt3)
    rows, apriori = _model_rows(sel, ctx)
    arrays = _filter_arrays(rows, ctx)
    passes = _run_passes(sel.epoch_time_ns, arrays, rows, apriori, ctx, progress)
    return _solution(sel, rows, arrays, passes, ctx)


def _model_rows(sel, ctx: _Run):
    """The model rows of the selected observations with their ambiguity arcs, and the a priori positions
    (E, 3). The observables and the slip flags stay local: they are freed before the filter runs."""
    cfg = ctx.cfg
    ob = _usable_rows(sel.observables(ctx.bands, cfg.signals.priority), ctx, sel.systems)
    _require_phase(ob, ctx, sel.systems)
    apriori = _apriori(sel, ob, ctx)
    rows = build_rows(
        ob, apriori, ctx.station, ctx.inputs, ctx.switches, np.radians(cfg.elmask_deg), ctx.glo_channels
    )
    el = np.full(len(ob), np.nan)
    el[rows.obs_row] = rows.el
    return rows.with_arcs(detect_slips(ob, el, ctx.glo_channels, cfg.slips, sel.interval_s())), apriori


def _config(config, options, obs, have_bias: bool) -> PppConfig:
    cfg = config or PppConfig()
    check_recipe_inputs(cfg, PppConfig, obs=obs)
    cfg = cfg.replace(**options) if options else cfg
    check_options(cfg, have_bias)
    return cfg


def _require_phase(ob, ctx: _Run, observed: str) -> None:
    """SignalError when no row of ``ob`` has a carrier phase on the bands used."""
    if len(ob) and not np.isfinite(ob.phase_cyc).any():
        used = "".join(x for x in ctx.cfg.systems if x in observed)
        raise SignalError(
            f"no carrier phase of {used} on the bands used ({_bands_text(ctx.bands)}): PPP needs code and "
            "phase (kompas spp positions with code alone)"
        )


def _bands_text(bands: dict) -> str:
    return ", ".join(f"{x}:{'/'.join(str(b) for b in bb)}" for x, bb in bands.items())


def _masked(sel, cfg: PppConfig):
    """``(observations, lines)``: the observations without what ``exclude`` and ``cn0_mask_dbhz`` leave
    out, and the record's lines saying what that was (:class:`~kompas.engine.SignalMask`)."""
    mask = SignalMask.of(cfg, sel)
    return mask.require(sel, "observation file"), mask.lines()


def _usable_rows(ob, ctx: _Run, observed: str):
    """The rows but GLONASS slots of unknown channel; notes those and the systems left without phases."""
    if idle := ob.without_phase("".join(x for x in ctx.cfg.systems if x in observed), ctx.pairs):
        bands = _bands_text({x: ctx.bands[x] for x in idle})
        ctx.notes.append(f"{idle} left out: no carrier phase on the bands used ({bands}; --bands --if-bands)")
    keep = np.ones(len(ob), bool)
    unknown = ctx.glo_channels.unknown(ob.sat)
    if unknown.any():
        keep &= ~unknown
        slots = ", ".join(sat_id(np.unique(ob.sat[unknown])))
        ctx.notes.append(
            f"GLONASS slots without a known frequency channel are not used: {slots} "
            "(GLONASS navigation records or the satellite tables, --sat-table, give the channels)"
        )
    return ob if keep.all() else ob.rows(keep)


def _prepare(sel, nav, sp3, clk, antex, bias, blq, gpt3, catalog, cfg: PppConfig) -> _Run:
    """Products, model tables and band choices of a run."""
    from .products.broadcast import BroadcastProduct
    from .products.mix import NoPreciseSystemError, PreciseMix

    notes: list[str] = []
    navs, sp3, clk = as_list(nav), as_list(sp3), as_list(clk)
    if clk and not sp3:  # they would be left unread, broadcast clocks used instead
        raise ConfigError("precise clocks (clk) need the SP3 orbits of the same products (sp3)")
    broadcast = BroadcastProduct(navs) if navs else None
    precise, product_notes, why = None, [], "no precise products"
    if sp3:
        try:
            precise, product_notes = PreciseMix.from_files(
                sp3, clk, cfg.systems, cfg.products.centres, cfg.products.order
            )
        except NoPreciseSystemError as exc:
            # as for one system of several without precise products: broadcast, if the user allows it
            if broadcast is None or not cfg.products.broadcast_fallback:
                raise
            why = str(exc)
    if precise is None and broadcast is None:
        raise ConfigError("PPP needs precise orbits and clocks (--sp3, --clk) or navigation files")
    if precise is None and not cfg.products.broadcast_fallback:
        raise ConfigError(f"{why} and no broadcast fallback (--no-broadcast-fallback): no orbits to use")
    if precise is None:
        notes.append(f"{why}: broadcast orbits and clocks only (decimetre-to-metre accuracy)")
    elif sel.n_epochs:
        notes += precise.extrapolation_notes(int(sel.epoch_time_ns[0]), int(sel.epoch_time_ns[-1]))
    fallback = broadcast if cfg.products.broadcast_fallback else None
    station = sel.station
    ocean = None
    if blq is not None and cfg.models.ocean_loading:
        name = station.marker_name[:4]
        if name and name in blq:
            ocean = blq.station(name)
        else:
            notes.append(f"station {station.marker_name!r} is not in the BLQ file: no ocean loading")
    elif cfg.models.ocean_loading:
        notes.append("no BLQ file: no ocean loading")
    if cfg.models.tropo == "gpt3" and gpt3 is None:
        notes.append(
            "no GPT3 grid: troposphere a priori from Saastamoinen with a standard atmosphere and "
            + ("Niell" if cfg.models.mapping == "niell" else "GMF")
        )
    if cfg.models.pole_tide and cfg.models.polar_motion_arcsec is None:
        notes.append("no polar motion given (--polar-motion): pole tide not applied")
    catalog = _conventional_offsets(_catalog(catalog, antex), precise, notes)
    inputs = ModelInputs(
        precise=precise,
        broadcast=fallback if precise is not None else broadcast,
        antex=antex,
        catalog=catalog,
        bias=bias,
        ocean=ocean,
        gpt3=gpt3,
        polar_motion_arcsec=cfg.models.polar_motion_arcsec,
        clock_reference=dict(getattr(bias, "clock_reference", {}) or {}),
        bias_max_age_s=cfg.products.bias_max_age_days * 86400.0,
    )
    switches = _switches(cfg.models, precise, gpt3, notes)
    bands, pairs = _bands(cfg)
    glo = _glonass_channels(sel, broadcast, catalog)
    return _Run(cfg, inputs, switches, station, glo, bands, pairs, notes, product_notes, nav)


def _switches(m, precise, gpt3, notes) -> ModelSwitches:
    """The model switches of a run (Saastamoinen where GPT3 has no grid), with a note where the precise
    orbits are kompas.sim's truth: the model applies no satellite antenna offset to them."""
    simulated = precise is not None and any(p.phase_centres for p in precise.by_system.values())
    if simulated and m.sat_antenna:
        notes.append(
            "the orbits are kompas.sim's truth, whose positions are the antenna phase centres: no satellite "
            "antenna offsets applied"
        )
    return ModelSwitches(
        sat_antenna=m.sat_antenna,
        rcv_antenna=m.rcv_antenna,
        attitude=m.attitude,
        windup=m.windup,
        solid_tide=m.solid_tide,
        ocean_loading=m.ocean_loading,
        pole_tide=m.pole_tide,
        relativity=m.relativity,
        shapiro=m.shapiro,
        tropo=m.tropo if (m.tropo != "gpt3" or gpt3 is not None) else "saas",
        mapping=m.mapping,
        osb=m.osb,
        bds2_code=m.bds2_code,
    )


def _catalog(catalog, antex):
    if antex is None:
        return catalog
    from .io.readers.satmeta import catalog_from_antex

    from_antex = catalog_from_antex(antex)
    if len(from_antex) == 0:
        return catalog
    return from_antex if catalog is None else catalog.merged(from_antex)


def _conventional_offsets(catalog, precise, notes):
    """The catalog with the BeiDou-2 nominal offsets the BeiDou product is aligned with
    (:meth:`~kompas.tables.satellites.SatelliteCatalog.for_antenna_model`), and a note when they change."""
    from .tables.satellites import MGEX_CONVENTIONAL_PCO_M

    model = precise.antenna_model("C") if precise is not None else ""
    suited = catalog.for_antenna_model(model) if catalog is not None else None
    if suited is not catalog:
        x, _, z = MGEX_CONVENTIONAL_PCO_M["BEIDOU-2M"]  # one value for every BeiDou-2 block
        notes.append(
            f"BeiDou-2 satellites without ANTEX calibration: the conventional offsets of {model} "
            f"(x {x:.2f}, z {z:.2f} m) that the BeiDou products are aligned with"
        )
    return suited


def _glonass_channels(sel, broadcast, catalog):
    """GLONASS channels: the observation header, then navigation records, then the satellite catalog."""
    from .satsys import GlonassChannels

    chans: dict[int, int] = {}
    if catalog is not None and len(catalog):
        glo = (sat_letter(catalog.sat) == "R") & (catalog.glo_channel > -99)
        t = int(sel.epoch_time_ns[0]) if sel.n_epochs else 0
        valid = glo & (catalog.valid_from_ns <= t) & (t <= catalog.valid_until_ns)
        for s, k in zip(catalog.sat[valid].tolist(), catalog.glo_channel[valid].tolist(), strict=True):
            chans[s % 100] = k
    return GlonassChannels.merge(
        GlonassChannels(chans),
        broadcast.glonass_channels() if broadcast is not None else None,
        getattr(sel.header, "glonass_channels", None),
    )


PPP_IF_BAND_PAIRS = {**IF_BAND_PAIRS, "C": tuple(p for p in IF_BAND_PAIRS["C"] if p != "27")}
"""SPP's pairs (:data:`kompas.spp.IF_BAND_PAIRS`) without BeiDou B1I+B2I: precise BeiDou clocks refer to
B1I+B3I, and without a bias file B2I's code bias against that pair stays in the ionosphere-free code (ESBC's
day, BeiDou alone with B1I+B2I allowed: 1.5 cm from the four-system day instead of 0.3 cm)."""


def _bands(cfg: PppConfig):
    """Band digits per system (observable columns) and, for the IF mode, the pairs per system."""
    letters = [x for x in cfg.systems]
    if cfg.observables == "if":
        given = cfg.signals.if_bands or {}
        pairs = {
            x: tuple((int(p[0]), int(p[1])) for p in given.get(x, PPP_IF_BAND_PAIRS[x])) for x in letters
        }
        return {x: tuple(dict.fromkeys(b for p in pairs[x] for b in p)) for x in letters}, pairs
    chosen = cfg.bands or {}
    return {x: tuple(int(b) for b in chosen.get(x, PPP_IF_BAND_PAIRS[x][0])) for x in letters}, None


def _apriori(sel, ob, ctx: _Run) -> np.ndarray:
    """A priori marker position per epoch: the option, the header's approximate position, else SPP."""
    cfg = ctx.cfg
    n = sel.n_epochs
    if cfg.apriori_m is not None:
        return np.tile(np.asarray(cfg.apriori_m, float), (n, 1))
    if ctx.station.approx_position_plausible and cfg.mode == "static":
        return np.tile(np.asarray(ctx.station.approx_position_m, float), (n, 1))
    if ctx.nav is None:
        if ctx.station.approx_position_plausible:
            return np.tile(np.asarray(ctx.station.approx_position_m, float), (n, 1))
        raise ConfigError("no a priori position: give navigation files, --apriori X,Y,Z or a header position")
    from .spp import spp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = spp(sel, ctx.nav, systems="".join(x for x in ctx.cfg.systems if x in "GRECJ"))
    pos = sol.pos_m.copy()
    ok = sol.ok
    if not ok.any():
        raise ConfigError("no a priori position: single point positioning solved no epoch")
    if cfg.mode == "static":
        return np.tile(np.median(pos[ok], axis=0), (n, 1))
    idx = np.flatnonzero(ok)
    for c in range(3):
        pos[:, c] = np.interp(np.arange(n), idx, pos[idx, c])
    return pos


def _clock_groups(rows, ctx: _Run):
    """Clock group name of every row (module docstring) and the group list."""
    letters = sat_letter(rows.sat).astype("U2")
    bds = letters == "C"
    if bds.any():
        gen = bds_generation(rows.sat[bds])
        letters[bds] = np.where(np.asarray(gen) == 2, "C2", "C3")
    brdc = rows.source == SOURCE_BROADCAST
    names = np.where(brdc, np.char.add(letters, "b"), letters)
    groups, index = np.unique(names, return_inverse=True)
    return [str(g) for g in groups], index.astype(np.int64)


def _variances(rows, ctx: _Run, if_factor2):
    """Phase and code variances of each row (R,), before the ionosphere-free amplification."""
    nz = ctx.cfg.noise
    fac = np.array([nz.system_factor.get(x, 1.5) for x in " GRECJSI"])[sat_system(rows.sat)]
    fac = np.where(is_bds_geo(rows.sat), fac * nz.bds_geo_factor, fac)
    sin_el = np.maximum(np.sin(rows.el), 0.05)
    var_p = (fac * nz.sigma_phase_m) ** 2 * (1.0 + 1.0 / sin_el**2) * if_factor2
    return var_p, var_p * nz.code_phase_ratio**2


def _pick_pairs(rows, ctx: _Run):
    """For the IF mode: per row the two columns used (first pair with both phases and codes, else both
    codes), and which rank of the pair list."""
    n = len(rows)
    c1 = np.full(n, -1)
    c2 = np.full(n, -1)
    rank = np.full(n, -1)
    letters = sat_letter(rows.sat)
    for need_phase in (True, False):
        for x, pairs in ctx.pairs.items():
            m = (letters == x) & (c1 < 0)
            for k, (b1, b2) in enumerate(pairs):
                j1, j2 = ctx.bands[x].index(b1), ctx.bands[x].index(b2)
                ok = m & np.isfinite(rows.code_m[:, j1]) & np.isfinite(rows.code_m[:, j2]) & (c1 < 0)
                if need_phase:
                    ok &= np.isfinite(rows.phase_m[:, j1]) & np.isfinite(rows.phase_m[:, j2])
                c1[ok], c2[ok], rank[ok] = j1, j2, k
    return c1, c2, rank


def _filter_arrays(rows, ctx: _Run) -> dict:
    """Observation columns, variances, arcs and keys of every row for the filter (IF or uncombined)."""
    cfg = ctx.cfg
    groups, group = _clock_groups(rows, ctx)
    obs_c = rows.code_m - rows.band_corr_m
    obs_p = rows.phase_m - rows.band_corr_m
    r = np.arange(len(rows))
    if cfg.observables == "if":
        c1, c2, rank = _pick_pairs(rows, ctx)
        ok = c1 >= 0
        a, b = np.maximum(c1, 0), np.maximum(c2, 0)
        f1, f2 = rows.freq_hz[r, a], np.where(ok, rows.freq_hz[r, b], 0.5 * rows.freq_hz[r, a])
        g1 = f1**2 / (f1**2 - f2**2)
        g2 = 1.0 - g1
        code = (g1 * obs_c[r, a] + g2 * obs_c[r, b])[:, None]
        phase = (g1 * obs_p[r, a] + g2 * obs_p[r, b])[:, None]
        arc1, arc2 = rows.arc[r, a], rows.arc[r, b]
        key = np.where((arc1 >= 0) & (arc2 >= 0), (arc1 * 4 + rank) * 1_000_003 + arc2, -1)
        arc = np.unique(key, return_inverse=True)[1].reshape(-1, 1).astype(np.int64)
        arc[key < 0] = -1
        var_p, var_c = _variances(rows, ctx, g1**2 + g2**2)
        mu = np.full((len(rows), 1), np.nan)
        code[~ok] = np.nan
        phase[~ok | np.isnan(phase[:, 0])] = np.nan
        iono0 = np.zeros(len(rows))
        ar = _ar_arrays(rows, obs_c[r, a], obs_c[r, b], obs_p[r, a], obs_p[r, b], f1, f2, ok, a, b, ctx)
        signal = np.char.add(np.char.add(signal_code(rows.signal[r, a]), "+"), signal_code(rows.signal[r, b]))
        signal = signal[:, None]
    else:
        ok = np.isfinite(obs_c).any(axis=1)
        code, phase, arc = obs_c, obs_p, rows.arc.copy()
        f_ref = _reference_frequency(rows, ctx)
        mu = (f_ref[:, None] / rows.freq_hz) ** 2
        var_p, var_c = _variances(rows, ctx, 1.0)
        iono0 = _iono_start(code, mu)
        ar = {}
        signal = signal_code(rows.signal)
    var_p = var_p + rows.var_eph_m2
    var_c = var_c + rows.var_eph_m2
    k = code.shape[1]
    ifb = np.full(len(rows), -1)
    glo = sat_letter(rows.sat) == "R"
    if glo.any() and cfg.filter.glonass_ifb:
        ifb[glo] = ctx.glo_channels.channel(rows.sat[glo] % 100) + 100
    return ar | {
        "ok": ok & np.isfinite(code).any(axis=1),
        "groups": groups,
        "group": group,
        "code": code,
        "phase": phase,
        "var_c": np.repeat(var_c[:, None], k, 1),
        "var_p": np.repeat(var_p[:, None], k, 1),
        "arc": arc,
        "mu": mu,
        "omega": OMEGA_BY_CODE[sat_system(rows.sat)],
        "ifb": ifb,
        "iono0": iono0,
        "signal": signal,
    }


def _ar_arrays(rows, p1, p2, l1, l2, f1, f2, ok, a, b, ctx: _Run) -> dict:
    """Melbourne-Wuebbena (wide-lane cycles) and fixing eligibility of each row for ambiguity resolution
    (ionosphere-free mode; phases in metres, biases and antenna terms removed)."""
    cfg = ctx.cfg.ambiguity
    if cfg.resolution == "off":
        return {}
    with np.errstate(invalid="ignore", divide="ignore"):
        wl = (f1 * l1 - f2 * l2) / (f1 - f2)
        nl = (f1 * p1 + f2 * p2) / (f1 + f2)
        mw = (wl - nl) * (f1 - f2) / C_LIGHT
    r = np.arange(len(rows))
    biased = rows.phase_bias_ok[r, a] & rows.phase_bias_ok[r, b]
    eligible = ok & (sat_letter(rows.sat) != "R") & (biased | (not cfg.require_phase_bias))
    return {"mw": mw, "f1": f1, "f2": f2, "ar_ok": eligible}


def _reference_frequency(rows, ctx: _Run) -> np.ndarray:
    """Carrier of each system's first band for every row (the band the slant ionosphere refers to)."""
    letters = sat_letter(rows.sat)
    f = np.full(len(rows), np.nan)
    for x, bands in ctx.bands.items():
        m = letters == x
        if m.any():
            sid = np.full(int(m.sum()), signal_id(f"{bands[0]}{_ANY_MODE[x]}"))
            f[m] = carrier_frequency(rows.sat[m], sid, ctx.glo_channels)
    return f


_ANY_MODE = {"G": "C", "R": "C", "E": "C", "C": "I", "J": "C", "I": "A"}


def _iono_start(code, mu) -> np.ndarray:
    """Slant ionosphere on the reference band from the first two codes (0 with fewer)."""
    out = np.zeros(code.shape[0])
    for r in range(code.shape[1]):
        for s in range(r + 1, code.shape[1]):
            ok = np.isfinite(code[:, r]) & np.isfinite(code[:, s]) & (out == 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                val = (code[:, s] - code[:, r]) / (mu[:, s] - mu[:, r])
            out[ok] = val[ok]
    return np.where(np.isfinite(out), out, 0.0)


def _filter_options(cfg: PppConfig, gradients: bool) -> PppFilterOptions:
    nz, fl = cfg.noise, cfg.filter
    return PppFilterOptions(
        kinematic=cfg.mode == "kinematic",
        kinematic_sigma_m=nz.kinematic_sigma_m,
        q_pos_m2_s=None if nz.kinematic_m_sqrt_s is None else nz.kinematic_m_sqrt_s**2,
        sigma_ztd0_m=nz.sigma_ztd0_m,
        q_ztd_m2_s=nz.ztd_m_sqrt_s**2,
        gradients=gradients,
        sigma_grad0_m=nz.sigma_gradient0_m,
        q_grad_m2_s=nz.gradient_m_sqrt_s**2,
        sigma_amb0_m=nz.sigma_ambiguity_m,
        q_ion_m2_s=nz.iono_m_sqrt_s**2,
        glonass_ifb=fl.glonass_ifb,
        sigma_ifb0_m=nz.sigma_ifb_m,
        ar=ar_options(cfg),
        outlier_w=fl.outlier_w,
        max_rejections=fl.max_rejections,
        max_outage_s=fl.max_outage_s,
    )


@dataclasses.dataclass
class _Pass:
    """Per-epoch results of one filter pass."""

    ok: np.ndarray
    pos: np.ndarray
    cov: np.ndarray
    clocks: dict
    ztd: np.ndarray
    ztd_var: np.ndarray
    grad: np.ndarray
    n_used: np.ndarray
    resid_phase: np.ndarray
    resid_code: np.ndarray
    used_phase: np.ndarray
    used_code: np.ndarray
    rejected: np.ndarray
    fixed_pos: np.ndarray
    fixed_cov: np.ndarray
    n_wl: np.ndarray
    n_nl: np.ndarray


def _run_pass(t_ep, arrays, rows, apriori, ctx: _Run, reverse: bool, progress, done0, total) -> _Pass:
    """One pass of the filter over the epochs (forward or backward)."""
    n_ep = t_ep.size
    bounds = np.searchsorted(rows.epoch, np.arange(n_ep + 1))
    groups = arrays["groups"]
    first = 0 if not reverse else n_ep - 1
    span = (t_ep[-1] - t_ep[0]) * 1e-9 if t_ep.size else 0.0
    filt = PppFilter(groups, apriori[first], _filter_options(ctx.cfg, gradients_on(ctx.cfg, span)))
    k_cols = arrays["code"].shape[1]
    out = _Pass(
        np.zeros(n_ep, bool),
        np.full((n_ep, 3), np.nan),
        np.full((n_ep, 3, 3), np.nan),
        {g: np.full(n_ep, np.nan) for g in groups},
        np.full(n_ep, np.nan),
        np.full(n_ep, np.nan),
        np.full((n_ep, 2), np.nan),
        np.zeros(len(rows), np.int64),
        np.full((len(rows), k_cols), np.nan),
        np.full((len(rows), k_cols), np.nan),
        np.zeros((len(rows), k_cols), bool),
        np.zeros((len(rows), k_cols), bool),
        np.zeros(n_ep, np.int64),
        np.full((n_ep, 3), np.nan),
        np.full((n_ep, 3, 3), np.nan),
        np.zeros(n_ep, np.int64),
        np.zeros(n_ep, np.int64),
    )
    order = range(n_ep - 1, -1, -1) if reverse else range(n_ep)
    for step, k in enumerate(order):
        a, b = bounds[k], bounds[k + 1]
        sl = slice(a, b)
        use = arrays["ok"][sl]
        if use.sum() < 4:
            continue
        idx = np.arange(a, b)[use]
        eo = _epoch_obs(arrays, rows, idx, k)
        res = filt.step(int(t_ep[k]), eo, arrays["iono0"][idx])
        if res.ok:
            out.ok[k], out.pos[k], out.cov[k] = True, res.pos, res.cov
            present = set(np.asarray(groups)[eo.group[res.n_used > 0]].tolist())
            for g, v in res.clocks.items():
                if g in present:
                    out.clocks[g][k] = v
            out.ztd[k], out.ztd_var[k], out.grad[k] = res.ztd_corr_m, res.ztd_var_m2, res.grad
            out.n_used[idx] = res.n_used
            out.resid_phase[idx], out.resid_code[idx] = res.residuals["phase"], res.residuals["code"]
            out.used_phase[idx], out.used_code[idx] = res.residuals["phase_used"], res.residuals["code_used"]
            out.rejected[k] = res.n_rejected
            out.n_wl[k], out.n_nl[k] = res.n_wl_fixed, res.n_nl_fixed
            if res.fixed_pos is not None:
                out.fixed_pos[k], out.fixed_cov[k] = res.fixed_pos, res.fixed_cov
        if progress is not None and (step % 120 == 0 or step == n_ep - 1):
            progress(done0 + step + 1, total)
    return out


def _epoch_obs(arrays, rows, idx, k) -> EpochObs:
    mg = rows.grad_map[idx]
    return EpochObs(
        sat=rows.sat[idx],
        group=arrays["group"][idx],
        omega=arrays["omega"][idx],
        sat_pos=rows.sat_pos[idx],
        code_m=arrays["code"][idx],
        phase_m=arrays["phase"][idx],
        var_code_m2=arrays["var_c"][idx],
        var_phase_m2=arrays["var_p"][idx],
        arc=arrays["arc"][idx],
        mu=arrays["mu"][idx],
        range_corr_m=rows.range_corr_m[idx],
        wet_map=rows.wet_map[idx],
        grad_n=mg * np.cos(rows.az[idx]),
        grad_e=mg * np.sin(rows.az[idx]),
        ifb_key=arrays["ifb"][idx],
        displacement=rows.displacement[k],
        el=rows.el[idx],
        **{f: arrays[a][idx] for f, a in (("mw", "mw"), ("f1_hz", "f1"), ("f2_hz", "f2"), ("ar_ok", "ar_ok"))
           if a in arrays},
    )  # fmt: skip


def _run_passes(t_ep, arrays, rows, apriori, ctx: _Run, progress) -> dict:
    """Forward and/or backward passes as the smoothing option asks (one BLAS thread: the matrices are
    small and threads only contend)."""
    from threadpoolctl import threadpool_limits  # covers the BLAS loaded so far: numpy's, the filter's

    with threadpool_limits(limits=1, user_api="blas"):
        return _passes(t_ep, arrays, rows, apriori, ctx, progress)


def _passes(t_ep, arrays, rows, apriori, ctx: _Run, progress) -> dict:
    mode = ctx.cfg.filter.smoothing
    n = t_ep.size
    total = n * (2 if mode == "combined" else 1)
    out = {}
    if mode in ("forward", "combined"):
        out["forward"] = _run_pass(t_ep, arrays, rows, apriori, ctx, False, progress, 0, total)
    if mode in ("backward", "combined"):
        done = n if mode == "combined" else 0
        out["backward"] = _run_pass(t_ep, arrays, rows, apriori, ctx, True, progress, done, total)
    return out


def _best(p: _Pass):
    """A pass's fixed positions where ambiguities were fixed, float ones elsewhere, and the fixed mask."""
    fixed = p.ok & np.isfinite(p.fixed_pos).all(axis=1)
    return (np.where(fixed[:, None], p.fixed_pos, p.pos), np.where(fixed[:, None, None], p.fixed_cov, p.cov),
            fixed)  # fmt: skip


def _final_positions(passes: dict, mode: str):
    """Positions, covariances, solved and fixed masks of the solution: one pass, or both combined (fixed
    where both passes fixed)."""
    if mode != "combined":
        p = passes[mode]
        pos, cov, fixed = _best(p)
        return pos, cov, p.ok, fixed
    (pf, cf, xf), (pb, cb, xb) = _best(passes["forward"]), _best(passes["backward"])
    pos, cov = combine(pf, cf, pb, cb)
    return pos, cov, passes["forward"].ok | passes["backward"].ok, xf & xb


def _residual_table(time_ns, rows, signal, main: _Pass) -> dict:
    """Post-fit residuals of the main pass, one row per satellite, signal (an ionosphere-free pair as
    ``"1C+2W"``) and kind (0 phase, 1 code); ``used`` is False where the w-test rejected the measurement."""
    parts = []
    for kind, res, use in ((0, main.resid_phase, main.used_phase), (1, main.resid_code, main.used_code)):
        i, j = np.nonzero(np.isfinite(res))
        parts.append((i, j, np.full(i.size, kind, np.uint8), res[i, j], use[i, j]))
    i, j, kind, value, used = (np.concatenate(x) for x in zip(*parts, strict=True))
    o = np.lexsort((j, kind, i))
    i = i[o]
    return {
        "time_ns": time_ns[i], "sat": rows.sat[i], "signal": signal[i, j[o]], "kind": kind[o],
        "residual_m": value[o], "used": used[o], "elevation_rad": rows.el[i],
    }  # fmt: skip


def _solution(sel, rows, arrays, passes: dict, ctx: _Run) -> Solution:
    """The Solution of a run: positions, clocks, troposphere, residuals, reasons and the record."""
    cfg = ctx.cfg
    mode = cfg.filter.smoothing
    main = passes["forward" if mode != "backward" else "backward"]
    pos, cov, ok, fixed = _final_positions(passes, mode)
    lost = ok & ~np.all(np.isfinite(pos), axis=1)
    if lost.any():  # a numerical failure must not pass as a solution
        ctx.notes.append(f"{int(lost.sum())} epochs left unsolved: the filter's position was not finite")
        ok, fixed = ok & ~lost, fixed & ~lost
    n_ep = sel.n_epochs
    used = main.n_used > 0
    letters = sat_letter(rows.sat)
    nsat_by = {}
    for x in cfg.systems:
        nsat_by[x] = np.bincount(rows.epoch[used & (letters == x)], minlength=n_ep).astype(np.int16)
    nsat = np.bincount(rows.epoch[used], minlength=n_ep).astype(np.int16)
    groups = arrays["groups"]
    order = [g for x in CLOCK_REFERENCE_ORDER for g in groups if g[0] == x and len(g) <= 2]
    order += [g for g in groups if len(g) > 2] + [g for g in groups if g not in order and len(g) <= 2]
    clock = {g: main.clocks[g] for g in order}
    states = {
        "ztd_m": rows.zhd_m + rows.zwd0_m + main.ztd,
        "zwd_m": rows.zwd0_m + main.ztd,
        "ztd_sigma_m": np.sqrt(main.ztd_var),
        "grad_n_m": main.grad[:, 0],
        "grad_e_m": main.grad[:, 1],
    }
    if cfg.ambiguity.resolution != "off":
        states.update(wl_fixed=main.n_wl.astype(float), nl_fixed=main.n_nl.astype(float))
    reason = np.where(ok, Unsolved.SOLVED, rows.unsolved).astype(np.uint8)
    resid = _residual_table(sel.epoch_time_ns[rows.epoch], rows, arrays["signal"], main)
    pos_out = np.where(ok[:, None], pos, np.nan)
    dop = [np.where(ok, d, np.nan) for d in epoch_dops(rows.epoch, n_ep, rows.az, rows.el, used)]
    return Solution(
        time_ns=sel.epoch_time_ns.copy(),
        pos_m=pos_out,
        quality=np.where(fixed, Quality.FIX, np.where(ok, Quality.PPP, Quality.NONE)).astype(np.uint8),
        nsat=np.where(ok, nsat, 0).astype(np.int16),
        nsat_by_system=nsat_by,
        cov_m2=np.where(ok[:, None, None], cov, np.nan),
        clock_m=clock,
        residuals=resid,
        reason=reason,
        record=record(sel, rows, main, ctx, reason, order[0] if order else ""),
        states=states,
        **dict(zip(("gdop", "pdop", "hdop", "vdop"), dop, strict=True)),
    )
