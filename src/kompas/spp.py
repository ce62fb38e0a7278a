"""Single point positioning: the recipe (which observables, models, states and estimator).

Code-only positioning of every epoch with broadcast ephemerides (RTKLIB 2.4.3 pntpos.c, vectorised over
all epochs of a block): observables by band (:mod:`kompas.tables.observables`), the code measurement model
(:mod:`kompas.measurement`), one receiver clock per system (named state blocks ``pos``, ``clk:X``), batched
Gauss-Newton least squares, chi-square/GDOP validation and RAIM/FDE (:mod:`kompas.estimators`). The epoch
engine (:mod:`kompas.engine`) walks blocks of epochs and joins the parts.

Inter-system biases: every system has its own receiver clock; the clock of the first system of
:data:`CLOCK_REFERENCE_ORDER` that is processed is the reference of the reported biases (GPS, else
Galileo, BeiDou, GLONASS, QZSS, NavIC), whatever order the user typed the letters in.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings

import numpy as np

from .config import (
    CodeErrorModel,
    EphemerisOptions,
    ModelOptions,
    Options,
    SignalOptions,
    WindowOptions,
    cn0_mask_option,
    exclude_option,
    option,
)
from .constants import C_LIGHT
from .engine import (
    SignalMask,
    block_seconds,
    blocks,
    check_recipe_inputs,
    empty_window_error,
    instant_ns,
    product_config,
    require_table,
    run,
    usual_interval_ns,
    window,
)
from .errors import ConfigError, KompasWarning, caller_stacklevel
from .estimators.states import Block, StateLayout
from .estimators.validate import dops, raim_fde, validate
from .estimators.wls import Linearised, gauss_newton
from .io.detect import check_products
from .measurement import (
    EpochGrid,
    code_variance,
    ionosphere,
    line_of_sight,
    select_code,
    transmission_states,
    troposphere,
)
from .products.broadcast import BroadcastProduct
from .products.state import Status
from .satsys import SYSTEM_LETTERS, parse_systems, sat_system, signal_code, system_code
from .solution import ProcessingRecord, Quality, Solution, Unsolved, unsolved_counts, unsolved_text
from .time import GTime, time_span

__all__ = ["SppConfig", "EstimatorOptions", "spp", "SINGLE_BANDS", "IF_BAND_PAIRS", "CLOCK_REFERENCE_ORDER"]

SINGLE_BANDS = {
    "C": (2, 1, 5, 6, 7, 8),
    "R": (1, 2, 4, 6, 3),
    "G": (1, 2, 5),
    "E": (1, 5, 7, 8, 6),
    "J": (1, 2, 5, 6),
    "I": (5, 9, 1),
}
"""Band preference for single-frequency processing: each satellite uses the first band with a code. BeiDou
B1I first (the D1/D2 clocks with TGD1 serve every BDS-2 and BDS-3 satellite), then B1C, B2a, B3I, B2I/B2b."""

IF_BAND_PAIRS = {"C": ("26", "15", "27"), "R": ("12",), "G": ("12", "15"), "E": ("15", "17"),
                 "J": ("12", "15"), "I": ("59",)}  # fmt: skip
"""Band pairs of the ionosphere-free combination, first available per satellite. BeiDou B1I+B3I (the D1/D2
clock's reference is B3I, BDS-SIS-ICD-B1I-3.0 5.2.4.10), then B1C+B2a, then B1I+B2I (BeiDou-2 only; TGD1
and TGD2 refer both to B3I, so the pair is as consistent with the broadcast clock as B1I+B3I; RTKLIB's
L1+L2 for BeiDou): on ESBC's day the receiver logged B3I for only half the BeiDou satellites, and the
third pair raises the epochs solved by BeiDou alone from 79 to 87 % (BENCHMARKS.md); Galileo E1+E5a
(F/NAV's pair) then E1+E5b; GPS/QZSS L1+L2 then L1+L5. PPP leaves B1I+B2I out
(:data:`kompas.ppp.PPP_IF_BAND_PAIRS`)."""

CLOCK_REFERENCE_ORDER = "GECRJI"
"""Systems in order of preference as the reference clock of the inter-system biases."""


@dataclasses.dataclass(frozen=True)
class EstimatorOptions(Options):
    """Least squares, validation and fault exclusion (RTKLIB pntpos.c)."""

    raim: bool = option(True, "fault detection and exclusion when the chi-square test fails", flag="--raim")
    max_gdop: float = option(30.0, "epochs with a larger GDOP are rejected", low=1.0, flag="--max-gdop")
    max_iter: int = option(10, "Gauss-Newton iterations at most", low=1, high=100)
    residuals: bool = option(
        False,
        "keep the post-fit residual of every observation in the solution (for diagnostics; its size grows "
        "with the file: about 100 MB for a day at 1 Hz)",
        flag="--residuals",
    )


@dataclasses.dataclass(frozen=True)
class SppConfig(Options):
    """Options of single point positioning; every option is reachable from the API, TOML and the CLI.

    Nested groups: ``signals`` (tracking modes, band pairs), ``models`` (ionosphere, troposphere),
    ``errors`` (variances), ``estimator`` (RAIM, GDOP), ``window`` (epochs), ``ephemeris`` (broadcast
    record selection). ``SppConfig().replace(elmask_deg=15, iono="if")`` changes options by name.
    """

    systems: str = option(
        "GRECJ",
        "systems to use, letters of GRECJI (e.g. C,R)",
        flag="--systems",
        parse=lambda v: parse_systems(v, "GRECJI"),
    )
    elmask_deg: float = option(
        10.0, "elevation mask", unit="deg", low=0.0, high=90.0, high_open=True, flag="--elmask"
    )
    exclude: tuple[str, ...] = exclude_option()
    cn0_mask_dbhz: float | None = cn0_mask_option()
    signals: SignalOptions = option(default_factory=SignalOptions)
    models: ModelOptions = option(default_factory=ModelOptions)
    errors: CodeErrorModel = option(default_factory=CodeErrorModel)
    estimator: EstimatorOptions = option(default_factory=EstimatorOptions)
    window: WindowOptions = option(default_factory=WindowOptions)
    ephemeris: EphemerisOptions = option(default_factory=EphemerisOptions)


@dataclasses.dataclass
class _Run:
    """What every block of one run shares."""

    cfg: SppConfig
    product: BroadcastProduct
    iono_model: object
    station: object
    bands: dict
    single: dict | None
    pairs: dict | None
    reference: str
    met: object = None
    mask: SignalMask | None = None


def spp(obs, nav, systems: str | None = None, config: SppConfig | None = None, progress=None,
        chunk_epochs: int = 720, ionex=None, met=None, **options) -> Solution:  # fmt: skip
    """Single point positioning of every epoch.

    Parameters
    ----------
    obs : ObsTable or iterable of ObsTable
        From :func:`kompas.read_obs`, or consecutive blocks of one receiver's epochs (a stream, e.g.
        :func:`kompas.io.readers.rinex_obs.iter_obs`: memory then stays bounded by one block).
    nav : NavData or list of NavData or BroadcastProduct
        Broadcast navigation data (:func:`kompas.read_nav`).
    systems : str, optional
        Shortcut for ``SppConfig.systems`` (e.g. ``"CR"``).
    config : SppConfig, optional
    progress : callable, optional
        Called as ``progress(done_epochs, total_epochs)`` after each block of epochs.
    chunk_epochs : int
        About how many epochs are solved together (bounds memory): blocks are the longest divisor of a day
        holding at most this many epochs, aligned in GPST (:func:`kompas.engine.block_seconds`), so the
        result does not depend on how the file was read.
    met : MetTable, optional
        Measured station meteorology (:func:`kompas.read_met`): Saastamoinen then uses its pressure,
        temperature and humidity, interpolated to each epoch and moved from the sensor's height to the
        receiver's (the standard atmosphere where the file has no value).
    ionex : Ionex or list of Ionex, optional
        Global ionosphere maps (:func:`kompas.read_ionex`) for ``iono="ionex"`` (given maps select it when
        the ionosphere option is left at its default).
    **options
        Any option of :class:`SppConfig` by name, e.g. ``elmask_deg=15, iono="if"``; ``start`` and ``end``
        as ISO text, ``datetime``, ``datetime64`` or :class:`~kompas.time.GTime`, all read as GPST.

    Returns
    -------
    Solution
        Marker positions (antenna height removed), quality SINGLE where a solution passed validation, the
        reason of every unsolved epoch and the processing record.
    """
    cfg = config or SppConfig()
    check_recipe_inputs(cfg, SppConfig, streams=True, obs=obs)
    if isinstance(chunk_epochs, bool) or not isinstance(chunk_epochs, int) or chunk_epochs < 1:
        raise ConfigError(f"chunk_epochs must be a whole number of epochs >= 1, not {chunk_epochs!r}")
    check_products(ionex=ionex, met=met)
    ionex = None if isinstance(ionex, list | tuple) and not ionex else ionex  # no maps: the broadcast models
    if systems is not None:
        options["systems"] = systems
    if options:
        cfg = cfg.replace(**options)
    cfg = maps_selected(cfg, ionex is not None)
    check_options(cfg)
    cfg = product_config(nav, cfg, options)
    first, stream = _first_block(obs)
    mask = SignalMask.of(cfg, first)
    ctx = _prepare(first, nav, cfg, ionex)
    ctx.met = met
    ctx.mask = mask
    w = cfg.window
    seen = _Seen(first)
    block_s = block_seconds(_interval(first), chunk_epochs)
    if stream is None:
        sel = mask(window(obs, w.start, w.end, w.interval_s))
        sol = run(blocks(sel, block_s), lambda b: _solve_block(b, ctx), sel.n_epochs, progress)
    else:
        parts = (mask(window(seen.add(b), w.start, w.end, w.interval_s)) for b in stream)
        sol = run(blocks(parts, block_s), lambda b: _solve_block(b, ctx), None, progress)
    if len(sol) == 0 and (w.start or w.end or w.interval_s):  # a row per epoch in the window
        # as rtk and ppp: a window that holds no epoch is an option error, not an empty solution
        raise empty_window_error("observation file", f"it covers {time_span(seen.span_ns)}")
    return _finish(sol, seen, nav, ctx)


def maps_selected(cfg: SppConfig, have_maps: bool) -> SppConfig:
    """``cfg`` with iono "ionex" when IONEX maps are given and the broadcast model was asked (the default)."""
    return cfg.replace(iono="ionex") if have_maps and cfg.models.iono == "brdc" else cfg


def check_options(cfg: SppConfig) -> None:
    """ConfigError for an option the run would ignore: ``if_bands`` chooses the pairs of ``iono="if"``."""
    if cfg.signals.if_bands and cfg.models.iono != "if":
        raise ConfigError(
            f"if_bands (--if-bands) chooses the band pairs of iono 'if' (--iono if); with iono "
            f"'{cfg.models.iono}' each system uses one band (choose it with --signals)"
        )


def _interval(first) -> float | None:
    """The sampling interval, from the header or the first epochs (the same for a table and a stream)."""
    h = first.header
    if h is not None and h.interval_s:
        return float(h.interval_s)
    return first.epochs(0, 100).interval_s()


def _first_block(obs):
    """``(first table, rest of the stream or None)``: an ObsTable is its own first block."""
    from .tables.obs import ObsTable

    if isinstance(obs, ObsTable):
        return obs, None
    it = iter(obs)
    first = next(it, None)
    if first is None:
        raise ConfigError("the observation stream holds no block (not even a header)")
    require_table(first, "each block of the observation stream")
    return first, itertools.chain([first], it)


class _Seen:
    """What the run met: satellites and observation codes per system (a table, or the union of a stream)."""

    def __init__(self, first):
        self.files = first.files
        self._table = first
        self._codes: dict[str, set] | None = None
        self._sats: set = set()
        self._ends: list = []  # a stream's first and last epochs (ns)

    def add(self, block):
        if self._codes is None:
            self._codes = {}
        for letter, codes in block.codes_by_system().items():
            self._codes.setdefault(letter, set()).update(codes)
        self._sats.update(np.unique(block.sat).tolist())
        if block.n_epochs:
            t = block.epoch_time_ns
            lo, hi = int(t.min()), int(t.max())
            self._ends = [min(self._ends[0], lo), max(self._ends[1], hi)] if self._ends else [lo, hi]
        return block

    @property
    def span_ns(self) -> np.ndarray:
        """The epochs met (a table's all; a stream's first and last), GPST ns."""
        return self._table.epoch_time_ns if self._codes is None else np.array(self._ends, dtype=np.int64)

    @property
    def satellites(self) -> np.ndarray:
        return self._table.satellites if self._codes is None else np.array(sorted(self._sats), dtype=np.int16)

    @property
    def systems(self) -> str:
        return (
            self._table.systems
            if self._codes is None
            else "".join(c for c in SYSTEM_LETTERS if c in self._codes)
        )

    def codes_by_system(self) -> dict:
        if self._codes is None:
            return self._table.codes_by_system()
        return {k: sorted(v, key=lambda c: (c[1:], "CLDS".index(c[0]))) for k, v in self._codes.items()}


def _check_maps_span(maps_ns, obs, window) -> None:
    """ConfigError before solving when IONEX maps (epochs ``maps_ns``) cannot serve any observation: they
    end before the first epoch to process, begin after the last one the header's TIME OF LAST OBS and
    the processing window allow (without that header line the end is unknown: only the first test), or
    have no map within one map interval of that span (files of other days on both sides)."""
    t = obs.epoch_time_ns
    if t.size == 0 or np.size(maps_ns) == 0:
        return
    first = max(int(t[0]), instant_ns(window.start, "start") if window.start else int(t[0]))
    ends = [
        getattr(obs.header, "time_of_last_obs_ns", None),
        instant_ns(window.end, "end") if window.end else None,
    ]
    last = min((int(x) for x in ends if x is not None), default=None)
    m = np.unique(np.asarray(maps_ns, np.int64))
    step = usual_interval_ns(m)
    inside = (m >= first - step) & (m <= (last if last is not None else m[-1]) + step)
    # maps of two other days around the observations would be interpolated across the gap
    if m[-1] < first or (last is not None and m[0] > last) or not inside.any():
        span = time_span([first, last]) if last is not None else f"from {GTime(first).isoformat()}"
        raise ConfigError(
            f"the IONEX maps ({time_span(maps_ns)}) do not cover the observations ({span}): give the maps of "
            "the observation days, or leave out --ionex for the broadcast model"
        )


def observation_span(obs) -> tuple[int, int] | None:
    """First and last epoch of ``obs``, GPST ns (None without epochs); of a stream's first block the last
    is the header's TIME OF LAST OBS where it gives one."""
    t = obs.epoch_time_ns
    if not t.size:
        return None
    last = getattr(obs.header, "time_of_last_obs_ns", None)
    return int(t[0]), int(last) if last is not None else int(t[-1])


def _prepare(obs, nav, cfg: SppConfig, ionex=None) -> _Run:
    product = BroadcastProduct.from_options(nav, cfg.ephemeris)
    iono_model = None
    if cfg.models.iono == "brdc":
        from .products.ionosphere import BroadcastIonosphere

        iono_model = BroadcastIonosphere(product.navs, cfg.models.broadcast_models, observation_span(obs))
    elif cfg.models.iono == "ionex":
        if ionex is None:
            raise ConfigError("iono 'ionex' needs IONEX maps: spp(..., ionex=kompas.read_ionex(path)) or "
                              "kompas spp --ionex FILE")  # fmt: skip
        from .products.ionosphere import IonexIonosphere

        iono_model = IonexIonosphere(ionex)
        _check_maps_span(iono_model.time_ns, obs, cfg.window)
    letters = [x for x in cfg.systems if x in SYSTEM_LETTERS]
    if cfg.models.iono == "if":
        pairs = {
            x: tuple((int(p[0]), int(p[1])) for p in (cfg.signals.if_bands or {}).get(x, IF_BAND_PAIRS[x]))
            for x in letters
        }
        bands = {x: tuple(dict.fromkeys(b for p in pairs[x] for b in p)) for x in letters}
        single = None
    else:
        pairs = None
        single = {x: _single_bands(x, cfg.signals.priority) for x in letters}
        bands = single
    reference = next(x for x in CLOCK_REFERENCE_ORDER if x in cfg.systems)
    return _Run(cfg, product, iono_model, obs.station, bands, single, pairs, reference)


def _single_bands(letter: str, priority: dict | None) -> tuple[int, ...]:
    """Band preference of one system: the user's signal list decides the order when given."""
    if priority and letter in priority:
        return tuple(dict.fromkeys(int(c[0]) for c in priority[letter]))
    return SINGLE_BANDS[letter]


def _solve_block(block, ctx: _Run) -> Solution:
    cfg = ctx.cfg
    ob = block.observables(ctx.bands, cfg.signals.priority)
    rows = select_code(ob, ctx.single, ctx.pairs)
    t_rx = ob.epoch_time_ns[rows.epoch]
    st, dts = transmission_states(ctx.product, rows, t_rx)
    valid = st.ok & np.isfinite(dts)
    n_ep = block.n_epochs
    grid = EpochGrid(rows.epoch[valid], n_ep)
    sat = rows.sat[valid]
    g = {
        "P": grid.pad(rows.code_m[valid]),
        "DTS": grid.pad(dts[valid]),
        "RS": grid.pad(st.pos_m[valid]),
        "VEPH": grid.pad(
            np.where(np.isfinite(st.var_m2[valid]), st.var_m2[valid], cfg.errors.ephemeris_m**2)
        ),
        "SAT": grid.pad(sat.astype(np.int64), 0),
        "FREQ": grid.pad(rows.freq_hz[valid]),
        "present": grid.pad(np.ones(sat.size, bool), False),
        "T": np.broadcast_to(ob.epoch_time_ns[:, None], grid.shape),
    }
    g["SYS"] = sat_system(g["SAT"]).astype(np.int64)
    g["MET"] = _met_at(ctx.met, ob.epoch_time_ns)
    layout = StateLayout([Block("pos", 3)] + [Block(f"clk:{x}") for x in cfg.systems])
    clk_col = np.zeros(grid.shape, dtype=np.int64)
    for x in cfg.systems:
        clk_col[g["SYS"] == system_code(x)] = layout.index(f"clk:{x}")
    x0 = np.zeros((n_ep, layout.size))
    if ctx.station.approx_position_plausible:
        x0[:, layout["pos"]] = ctx.station.approx_position_m
    model = _code_model(g, clk_col, layout, cfg, ctx.iono_model)
    res = gauss_newton(model, x0, g["present"], cfg.estimator.max_iter)
    val = validate(res, cfg.estimator.max_gdop)
    excluded = np.zeros(grid.shape, bool)
    if cfg.estimator.raim:
        fde = raim_fde(model, res, val, g["present"], cfg.estimator.max_gdop, by_rows=True)
        res, val, excluded = fde.result, fde.validation, fde.excluded
    return _assemble(block, ob, rows, st, valid, grid, g, res, val, excluded, layout, ctx)


IONO_REUSE_M = 1000.0
"""The ionospheric delays of an epoch are recomputed only when the position estimate moved more than this
(1 km changes a slant delay by well under a millimetre), which keeps expensive models (NeQuick-G) out of
the Gauss-Newton and RAIM iterations."""


LOWEST_RECEIVER_M = -1000.0
"""Ellipsoidal height (m) below which a position estimate is no receiver (the Dead Sea shore, the lowest
ground, is 430 m below the sea); the ionosphere is not evaluated there (the troposphere gives 0)."""


def _code_model(g: dict, clk_col, layout: StateLayout, cfg: SppConfig, iono_model):
    """The linearised code model of a block (closure over its padded arrays). With ``rows`` (epoch indices)
    it evaluates those epochs only, ``x`` and ``mask`` holding them alone: RAIM's trial exclusions re-solve
    the few epochs that failed (:func:`~kompas.estimators.validate.raim_fde`)."""
    iono_free = cfg.models.iono == "if"
    mask_rad = np.radians(cfg.elmask_deg)
    pos = layout["pos"]
    cache = {
        "pos": np.full((clk_col.shape[0], 3), np.inf),
        "d": np.zeros(clk_col.shape),
        "var": np.zeros(clk_col.shape),
    }

    def iono_at(geom, x_pos, rows):
        at = np.arange(clk_col.shape[0]) if rows is None else rows
        stale = np.linalg.norm(x_pos - cache["pos"][at], axis=1) > IONO_REUSE_M
        # an iterate deep inside the Earth (RAIM trials that diverge: heights of -500 .. -2500 km) is no
        # receiver: its ionosphere, NeQuick-G's costly integrals, would serve nothing
        stale &= ~(geom["known"] & (geom["llh"][:, 2] < LOWEST_RECEIVER_M))
        if stale.any():
            ix = at[stale]
            sub = {k: v[stale] for k, v in geom.items()}  # line_of_sight gives arrays only
            at_ix = [g[k][ix] for k in ("T", "SAT", "RS", "FREQ")]
            d, var = ionosphere(sub, *at_ix, cfg.models.iono, cfg.errors, iono_model)
            cache["d"][ix], cache["var"][ix] = d, var
            cache["pos"][ix] = np.where(geom["known"][stale, None], x_pos[stale], np.inf)
        return (cache["d"], cache["var"]) if rows is None else (cache["d"][rows], cache["var"][rows])

    def model(x, mask, rows=None) -> Linearised:
        gr = g if rows is None else _epochs_of(g, rows)
        cc = clk_col if rows is None else clk_col[rows]
        geom = line_of_sight(gr["RS"], x[:, pos], gr["SYS"])
        iono, var_i = iono_at(geom, x[:, pos], rows)
        trop, var_t = troposphere(geom, cfg.models.tropo, cfg.errors, gr["MET"])
        dtr = np.take_along_axis(x, cc, axis=1)
        v = gr["P"] - (geom["range_m"] + dtr - C_LIGHT * gr["DTS"] + iono + trop)
        h = np.zeros((*cc.shape, layout.size))
        h[..., pos] = -geom["e"]
        np.put_along_axis(h, cc[..., None], 1.0, axis=-1)
        var = code_variance(geom["el"], gr["SYS"], cfg.errors, iono_free)
        var = var + gr["VEPH"] + var_i + var_t + cfg.errors.code_bias_m**2
        known = geom["known"]
        use = gr["present"] & mask & (~known[:, None] | (geom["el"] >= mask_rad))
        return Linearised(v, h, 1.0 / var, use, {"el": geom["el"], "rot": geom["rot"]})

    return model


def _epochs_of(d: dict, rows) -> dict:
    """Every per-epoch array of ``d`` (a block's padded arrays, and the MET readings among them) at the
    epochs ``rows``; scalars (the barometer height) and None as they are."""

    def at(v):
        return _epochs_of(v, rows) if isinstance(v, dict) else (v[rows] if np.ndim(v) else v)

    return {k: at(v) for k, v in d.items()}


def _residual_table(ob, grid, g, res, ok) -> dict:
    """The long table of post-fit residuals of every present observation of a block. An unsolved epoch has
    no post-fit residual: its rows hold NaN, unused (its last iterate may be kilometres off)."""
    present = g["present"].ravel()
    solved = np.broadcast_to(ok[:, None], grid.shape)
    return {
        "time_ns": np.repeat(ob.epoch_time_ns, grid.shape[1])[present],
        "sat": g["SAT"].ravel()[present],
        "residual_m": np.where(solved, res.lin.v, np.nan).ravel()[present],
        "used": (res.lin.use & solved).ravel()[present],
        "elevation_rad": res.lin.aux["el"].ravel()[present],
    }


# values a surface sensor can read (hPa, K, 0..1), the extremes on record with a margin; anything else is a
# typing or unit error that would move the height by metres: such an epoch takes the standard atmosphere
_MET_RANGE = {"pressure_hpa": (300.0, 1100.0), "temperature_k": (183.15, 333.15), "humidity": (0.0, 1.0)}


def _met_at(met, t_ns):
    """The measured atmosphere at the epochs of a block (None without a MET table): :func:`_measured`."""
    return None if met is None else _measured(met, met.atmosphere(t_ns))


def _measured(met, a) -> dict:
    """The readings ``a`` (:meth:`kompas.tables.met.MetTable.atmosphere`) as the measurement model takes them,
    all NaN at epochs where a value is out of :data:`_MET_RANGE`; NaN falls back to the standard atmosphere
    (:func:`kompas.measurement.troposphere`)."""
    wrong = np.zeros(np.shape(a.pressure_hpa), bool)
    for key, (lo, hi) in _MET_RANGE.items():
        wrong |= (getattr(a, key) < lo) | (getattr(a, key) > hi)
    out = {key: np.where(wrong, np.nan, getattr(a, key)) for key in _MET_RANGE}
    sensor = met.header.sensors.get("PR")
    out["height_m"] = float(sensor.height_m) if sensor is not None else float("nan")
    return out


def _met_notes(met, t_ns) -> tuple[list[str], bool]:
    """What the MET file served at the solved epochs (notes for the record: nothing, a part, values out of
    range) and whether it served any epoch."""
    if not np.size(t_ns):
        return [], False
    raw = met.atmosphere(t_ns)
    used = _measured(met, raw)
    missing = ~np.isfinite(raw.pressure_hpa)
    wrong = ~missing & ~np.isfinite(used["pressure_hpa"])
    notes = []
    if wrong.any():
        k = int(np.flatnonzero(wrong)[0])
        first = (f"{raw.pressure_hpa[k]:g} hPa, {raw.temperature_k[k] - 273.15:.1f} C, "
                 f"{100 * raw.humidity[k]:.0f} %")  # fmt: skip
        (p0, p1), (t0, t1), (h0, h1) = _MET_RANGE.values()
        bounds = (f"pressure {p0:g}-{p1:g} hPa, temperature {t0 - 273.15:g}..{t1 - 273.15:g} C, "
                  f"humidity {100 * h0:g}-{100 * h1:g} %")  # fmt: skip
        notes.append(f"the MET file's values are out of range at {int(wrong.sum())} epochs ({bounds}; e.g. "
                     f"{first}): the standard atmosphere serves them")  # fmt: skip
    if missing.all():
        notes.append(f"the MET file ({time_span(met.time_ns)}) covers none of the solved epochs (a file of "
                     "another day?): Saastamoinen used the standard atmosphere")  # fmt: skip
    elif missing.any():
        notes.append(f"the MET file covers {100.0 * (~missing).mean():.0f} % of the solved epochs; the "
                     "standard atmosphere served the rest")  # fmt: skip
    return notes, bool(np.isfinite(used["pressure_hpa"]).any())


def _reasons(n_ep, rows, valid, res, val, ok) -> np.ndarray:
    """The :class:`Unsolved` reason of every epoch (checks in the order a user would ask them)."""
    n_rows = np.bincount(rows.epoch, minlength=n_ep)
    n_valid = np.bincount(rows.epoch[valid], minlength=n_ep)
    reason = np.select(
        [
            ok,
            n_rows == 0,
            n_valid == 0,
            val.too_few & (n_valid >= 4),
            val.too_few,
            ~res.converged,
            val.chi2_failed,
        ],
        [
            Unsolved.SOLVED,
            Unsolved.NO_OBSERVATIONS,
            Unsolved.NO_EPHEMERIS,
            Unsolved.BELOW_MASK,
            Unsolved.TOO_FEW_SATELLITES,
            Unsolved.NOT_CONVERGED,
            Unsolved.CHI2,
        ],
        Unsolved.GDOP,
    )
    return reason.astype(np.uint8)


def _counts(letters, keys) -> dict:
    """{letter: {key: count}} of paired arrays."""
    out: dict = {}
    if len(letters) == 0:
        return out
    pairs, n = np.unique(
        np.char.add(np.char.add(np.asarray(letters, "U1"), "|"), np.asarray(keys, "U16")), return_counts=True
    )
    for pk, c in zip(pairs.tolist(), n.tolist(), strict=True):
        letter, key = pk.split("|", 1)
        out.setdefault(letter, {})[key] = c
    return out


def _block_record(rows, st, valid, g, res, excluded, ok, mask_rad) -> ProcessingRecord:
    letters = np.array(list(" " + SYSTEM_LETTERS))
    # signals that served the solved epochs
    used = res.lin.use & ok[:, None]
    sig_rows = valid.copy()
    sig_rows[valid] = used[g["grid"].epoch, g["grid"].slot]
    s0 = signal_code(rows.signals[sig_rows, 0])
    s1 = np.where(
        rows.signals[sig_rows, 1] != 255,
        signal_code(np.where(rows.signals[sig_rows, 1] != 255, rows.signals[sig_rows, 1], 0)),
        "",
    )
    label = np.where(s1 != "", np.char.add(np.char.add(s0, "+"), s1), s0)
    signals = _counts(letters[sat_system(rows.sat[sig_rows])], label)
    no_eph = ~valid
    names = np.array([Status(i).name.lower().replace("_", " ") for i in range(len(Status))])
    dropped = _counts(
        letters[sat_system(rows.sat[no_eph])], names[np.minimum(st.status[no_eph], len(names) - 1)]
    )
    low = g["present"] & (res.lin.aux["el"] < mask_rad)
    for src, what in ((low, "below mask"), (excluded, "RAIM")):
        for k, v in _counts(letters[g["SYS"][src]], np.full(int(src.sum()), what)).items():
            dropped.setdefault(k, {}).update(v)
    return ProcessingRecord(signals=signals, dropped=dropped, raim_excluded=int(excluded.sum()))


def _assemble(block, ob, rows, st, valid, grid, g, res, val, excluded, layout, ctx) -> Solution:
    cfg = ctx.cfg
    n_ep = block.n_epochs
    ok = val.ok & res.converged
    x, use, rot = res.x, res.lin.use, res.lin.aux["rot"]
    pos = x[:, layout["pos"]] + np.einsum("eji,j->ei", rot, ctx.station.arp_to_marker_enu())
    pos[~ok] = np.nan
    gd, pd, hd, vd = dops(res.lin.h[..., layout["pos"]], use, rot)
    nsat_by = {
        c: np.where(ok, (use & (g["SYS"] == system_code(c))).sum(1), 0).astype(np.int16) for c in cfg.systems
    }
    cov = res.q[:, layout["pos"], layout["pos"]].copy()
    cov[~ok] = np.nan
    order = [ctx.reference] + [c for c in cfg.systems if c != ctx.reference]
    clock = {c: np.where(ok & (nsat_by[c] > 0), x[:, layout.index(f"clk:{c}")], np.nan) for c in order}
    resid = _residual_table(ob, grid, g, res, ok) if cfg.estimator.residuals else None
    reason = _reasons(n_ep, rows, valid, res, val, ok)
    g["grid"] = grid
    rec = _block_record(rows, st, valid, g, res, excluded, ok, np.radians(cfg.elmask_deg))
    rec = dataclasses.replace(rec, unsolved=unsolved_counts(reason))
    return Solution(
        time_ns=ob.epoch_time_ns.copy(),
        pos_m=pos,
        quality=np.where(ok, Quality.SINGLE, Quality.NONE).astype(np.uint8),
        nsat=np.where(ok, use.sum(1), 0).astype(np.int16),
        nsat_by_system=nsat_by,
        gdop=np.where(ok, gd, np.nan),
        pdop=np.where(ok, pd, np.nan),
        hdop=np.where(ok, hd, np.nan),
        vdop=np.where(ok, vd, np.nan),
        cov_m2=cov,
        clock_m=clock,
        residuals=resid,
        reason=reason,
        record=rec,
    )


def _finish(sol: Solution, obs, nav, ctx: _Run) -> Solution:
    """The run's record: settings, models per system, and warnings for systems that served nothing."""
    cfg = ctx.cfg
    navs = ctx.product.navs
    notes = list(sol.record.notes)
    quiet = []  # recorded, not warned: a default system the file does not observe at all
    iono_models = {}
    if ctx.iono_model is not None:
        from .products.ionosphere import MODEL_NAMES, satellite_class

        sats = obs.satellites
        present = set(satellite_class(sats).tolist()) if len(sats) else set()
        for cls, (model, fb) in ctx.iono_model.assignment().items():
            if cls[0] not in cfg.systems or cls not in present:
                continue
            name = MODEL_NAMES[model] if model else "none"
            iono_models[cls] = name + (" (fallback: no parameters of its own)" if fb else "")
            if fb or model is None:
                notes.append(
                    f"no broadcast ionosphere parameters for {cls} in the navigation data: "
                    + (
                        f"{name} serves (variance: fallback_iono_factor)"
                        if model
                        else "no correction is applied"
                    )
                )
    high = _high_receiver_note(sol, iono_models)
    if high is not None:
        notes.append(high)
    coverage = getattr(ctx.iono_model, "coverage_note", None)
    if coverage is not None and coverage() is not None:
        notes.append(coverage())
    met_used = False
    if ctx.met is not None and cfg.models.tropo == "saas":
        met_notes, met_used = _met_notes(ctx.met, sol.time_ns[sol.ok])
        notes += met_notes
    if len(sol):  # no epoch in the window: no system could serve, nothing the notes concern
        for letter in cfg.systems:
            if sum(sol.record.signals.get(letter, {}).values()):
                continue
            note = _silent_system_note(letter, obs, navs, ctx, sol)
            (notes if letter in obs.systems else quiet).append(note)
        for n in notes[len(sol.record.notes) :]:
            warnings.warn(n, KompasWarning, stacklevel=caller_stacklevel())
    rec = dataclasses.replace(
        sol.record,
        program="kompas spp",
        mode="single",
        systems=cfg.systems,
        elmask_deg=cfg.elmask_deg,
        ephemeris="broadcast",
        iono=cfg.models.iono,
        iono_models=iono_models,
        tropo=cfg.models.tropo + ("+met" if met_used else ""),
        clock_reference=ctx.reference,
        notes=tuple(notes + quiet),
        masked=ctx.mask.lines(),
        config=cfg,
        inputs=tuple(str(p) for p in [*obs.files, *(getattr(n, "path", None) for n in navs)] if p),
    )
    return dataclasses.replace(sol, record=rec)


HIGH_RECEIVER_M = 50.0e3
"""Median solved height (m) above which a receiver is no longer below the ionosphere (its D layer starts
near 60 km): the thin-shell models' delays, made for receivers on the ground, then overstate it."""


def _high_receiver_note(sol: Solution, iono_models: dict) -> str | None:
    """A note when the receiver flies above the ionosphere's base and a thin-shell model served: Klobuchar,
    BDGIM and IONEX maps give the delay of the whole ionosphere (NeQuick-G integrates from the receiver)."""
    shell = sorted(c for c, name in iono_models.items() if not name.startswith(("NeQuick-G", "none")))
    if not shell or not sol.ok.any():
        return None
    from .frames import ecef_to_geodetic

    h = float(np.median(ecef_to_geodetic(sol.pos_m[sol.ok])[:, 2]))
    if h <= HIGH_RECEIVER_M:
        return None
    return (
        f"the receiver is {h / 1e3:.0f} km high: the ionosphere models of {', '.join(shell)} give the delay "
        "of the whole ionosphere, as for a receiver on the ground; with two frequencies use iono 'if' "
        "(--iono if)"
    )


_EPHEMERIS_REASONS = ("no ephemeris", "outside fit", "unhealthy", "unsupported", "stale")
# epochs refused for want of satellites (as opposed to the solution's checks: convergence, chi-square, GDOP)
_SATELLITE_REASONS = {u.name.lower() for u in Unsolved if Unsolved.SOLVED < u <= Unsolved.TOO_FEW_SATELLITES}


def _silent_system_note(letter: str, obs, navs, ctx: _Run, sol) -> str:
    """Why a system the user asked for served no epoch."""
    from .satsys import SYSTEM_NAMES

    name = f"{SYSTEM_NAMES[letter]} ({letter})"
    codes = obs.codes_by_system().get(letter, [])
    code_obs = [c for c in codes if c[0] == "C"]
    if not codes:
        return f"{name} was asked for but the observation file has no {SYSTEM_NAMES[letter]} observations"
    have_eph = any(np.any(sat_system(n.kepler.sat) == system_code(letter)) for n in navs) or (
        letter == "R" and any(len(n.glonass) for n in navs)
    )
    if not have_eph:
        return f"{name} was asked for but the navigation data have no {SYSTEM_NAMES[letter]} ephemeris"
    why = sol.record.dropped.get(letter, {})
    counts = ", ".join(f"{k} {v}" for k, v in sorted(why.items(), key=lambda kv: -kv[1]))
    if why and set(why) <= set(_EPHEMERIS_REASONS):
        return f"{name} served no epoch: no ephemeris valid at the observation epochs ({counts} sat-epochs)"
    if not sol.ok.any() and set(sol.record.unsolved) - _SATELLITE_REASONS:
        # epochs refused by their solution (a fault without RAIM, weak geometry): not this system's fault
        return f"{name} served no epoch: no epoch was solved ({unsolved_text(sol)})"
    if why and set(why) <= {"below mask"}:
        return (
            f"{name} served no epoch: its satellites were below the elevation mask ({counts} sat-epochs) or "
            "too few above it at each epoch"
        )
    if why:
        return f"{name} served no epoch: its satellite-epochs were left out ({counts})"
    if ctx.mask.excluded or ctx.mask.weak:
        masks = "; ".join(ctx.mask.lines())
        return f"{name} served no epoch: too few satellites left by the observation masks ({masks})"
    wanted = ctx.pairs[letter] if ctx.pairs else ctx.single[letter]
    what = "band pairs" if ctx.pairs else "bands"
    return (
        f"{name} served no epoch: the file has {', '.join(code_obs) or 'no pseudoranges'}; {what} used: "
        f"{wanted} (choose signals with --signals {letter}:CODES)"
    )
