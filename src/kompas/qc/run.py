"""Quality control of one observation file: every metric as tables, plus the arrays behind the figures.

:func:`run_qc` chains: observables of every band present -> station position (header, checked by an SPP
of a sample of epochs) -> elevation grid of every satellite with broadcast records (RTKLIB's record
windows: geometry needs kilometre orbits, and station files lack some records) -> clock jumps
(detected, repaired) -> cycle slips and arcs -> code multipath of every code signal against every other
band -> completeness, C/N0, slips, gaps, satellites per epoch, header checks (:mod:`kompas.qc.metrics`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ..config import Options, option
from ..errors import ConfigError, caller_stacklevel
from ..preprocess import SlipOptions, detect_clock_jumps, detect_slips, repair_clock_jumps
from ..satsys import BAND_PRIORITY, GlonassChannels, parse_systems, sat_system, signal_band, system_code
from .geometry import sky_grid, station_position
from .multipath import code_multipath

__all__ = ["QcConfig", "QcResult", "run_qc", "bands_present"]

_BAND_ORDER = {"C": "26715 8", "R": "12346", "G": "125", "E": "15786", "J": "1256", "S": "15", "I": "591"}


@dataclass(frozen=True)
class QcConfig(Options):
    """Options of ``kompas qc`` (API, TOML and command line)."""

    systems: str = option(
        "GRECJSI", "systems to check", flag="--systems", parse=lambda v: parse_systems(v, "GRECJSI")
    )
    elmask_deg: float = option(
        10.0, "elevation mask of the counts", unit="deg", low=0.0, high=90.0, high_open=True, flag="--elmask"
    )
    el_bin_deg: float = option(10.0, "width of the elevation bins", unit="deg", low=1.0, high=90.0)
    az_bin_deg: float = option(30.0, "width of the azimuth bins of the MP sky cells", unit="deg", low=1.0)
    mp_min_arc: int = option(10, "shortest arc used for MP, epochs", low=1, flag="--mp-min-arc")
    bds2_correction: bool = option(
        False, "apply the Wanninger & Beer (2015) BDS-2 code correction before MP", flag="--bds2-correction"
    )
    spp_epochs: int = option(10, "epochs solved by SPP for the header position check", low=0)
    slips: SlipOptions = option(default_factory=SlipOptions)


@dataclass
class QcResult:
    """Everything QC computed for one file.

    Attributes
    ----------
    path : str
    tables : dict[str, list[dict]]
        Named tables (``summary``, ``signals``, ``satellites``, ``elevation``, ``cells``, ``clock_jumps``,
        ``gaps``, ``header``), rows as dicts of plain values (JSON and CSV ready).
    arrays : dict[str, numpy.ndarray]
        The per-observation arrays behind the figures (MP, C/N0, elevation, slips); empty when
        :func:`run_qc` was asked for no figures.
    """

    path: str
    tables: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line: file, systems, span, rows per table (the tables and arrays themselves are not shown)."""
        import os

        summary = self.tables.get("summary") or []
        systems = "".join(str(r.get("system", "")) for r in summary)
        first = [r["first"] for r in summary if r.get("first")]
        last = [r["last"] for r in summary if r.get("last")]
        span = f", {min(first)} .. {max(last)} GPST" if first and last else ""
        rows = ", ".join(f"{k} {len(v)}" for k, v in self.tables.items() if hasattr(v, "__len__"))
        return (
            f"QcResult({os.path.basename(str(self.path))!r}, systems {systems or '-'}{span}, rows per table: "
            f"{rows or 'none'}; {len(self.arrays)} array{'s' if len(self.arrays) != 1 else ''})"
        )


def bands_present(obs, systems: str) -> dict[str, tuple[int, ...]]:
    """Band digits with a phase or a code, per system letter, in each system's usual order."""
    out = {}
    sysc = sat_system(obs.sat)
    have = np.isfinite(obs.code_m) | np.isfinite(obs.phase_cyc)
    for x in systems:
        m = (sysc == system_code(x)) & have
        if not m.any():
            continue
        present = {int(b) for b in np.unique(signal_band(obs.signal[m]))}
        order = [int(c) for c in _BAND_ORDER.get(x, "") if c.strip()]
        known = [b for b in order if b in present and (x, str(b)) in BAND_PRIORITY]
        if known:
            out[x] = tuple(known)
    return out


def _of_systems(obs, systems: str):
    """The rows of the systems ``systems``: the table itself when it has no other rows and its epoch times
    increase, where :meth:`~kompas.tables.obs.ObsTable.select` would return an equal copy (the whole
    table again: 41 bytes per row). Epoch times that repeat are regrouped by ``select``, so such a
    table still goes through it."""
    if set(systems) == set(obs.systems) and bool(np.all(np.diff(obs.epoch_time_ns) > 0)):
        return obs
    return obs.select(systems=systems)


def _channels(obs, product) -> GlonassChannels:
    return GlonassChannels.merge(
        product.glonass_channels() if product is not None else None,
        obs.header.glonass_channels if obs.header is not None else None,
    )


def _without_unknown_channels(obs, chans: GlonassChannels):
    """The table without GLONASS slots whose frequency channel neither the navigation data nor the header
    gives (RINEX 2 files, RINEX 3 before 3.02): their wavelengths, and so their multipath, slips and clock
    jumps, are unknown. They are named in a warning; the rest of the file is checked."""
    import warnings

    from ..errors import KompasWarning
    from ..satsys import sat_id

    sats = np.unique(obs.sat)
    bad = chans.unknown(sats)
    if not bad.any():
        return obs
    warnings.warn(
        "GLONASS slots without a known frequency channel are not checked (give a navigation file with "
        f"GLONASS records, --nav): {', '.join(sat_id(int(s)) for s in sats[bad])}",
        KompasWarning,
        stacklevel=caller_stacklevel(),
    )
    keep = sats[~bad].tolist()
    if not keep:
        raise ConfigError(
            "no satellite left to check: the file's GLONASS slots have no known frequency channel (give a "
            "navigation file with GLONASS records, --nav)"
        )
    return obs.select(sats=keep)


def _warn_partly_placed(sat, el, placed, t_ns, navs) -> None:
    """Warn of the observations of placed satellites at epochs no usable record serves (navigation data
    that end before the observations do): they are in neither ``expt`` nor ``have``."""
    import warnings

    from ..errors import KompasWarning
    from ..tables.nav import record_times_ns
    from ..time import time_span

    part = ~np.isfinite(el) & np.isin(sat, placed)
    if not part.any():
        return
    warnings.warn(
        f"{int(part.sum())} satellite-epochs of {np.unique(sat[part]).size} satellites without a usable "
        f"broadcast record ({time_span(t_ns[part])}; the navigation data cover "
        f"{time_span(record_times_ns(navs))}): not in the expected counts or the elevation bins",
        KompasWarning,
        stacklevel=caller_stacklevel(),
    )


def _warn_without_elevation(sat, el, navs, epoch_time_ns, epoch_t_ns) -> None:
    """Name the satellites the navigation data cannot place: they are checked as without navigation data
    (multipath and slips at every elevation, no expected counts, no elevation bins). Satellites with
    records, but none usable at these epochs, are named apart, with both time spans (navigation data of
    another day, or records that end or begin too far from the observations)."""
    import warnings

    from ..errors import KompasWarning
    from ..satsys import Constellation, sat_id
    from ..tables.nav import record_times_ns
    from ..time import time_span

    placed = np.unique(sat[np.isfinite(el)])
    lost = np.setdiff1d(np.unique(sat), placed)
    _warn_partly_placed(sat, el, placed, epoch_t_ns, navs)
    if not lost.size:
        return
    recorded = np.concatenate([n.record_sats() for n in navs])
    times = record_times_ns(navs)
    sbas = lost[lost // 100 == Constellation.SBAS]  # records or not: SBAS GEO ephemerides are not evaluated
    late = lost[np.isin(lost, recorded)]
    none = lost[~np.isin(lost, recorded) & (lost // 100 != Constellation.SBAS)]
    # the records' span exists where some satellite has records (late), the only group that names it
    when = (
        f"the navigation data cover {time_span(times)}, the observations {time_span(epoch_time_ns)}"
        if late.size
        else ""
    )
    for group, why in (
        (late, f"satellites have no usable broadcast record at these epochs ({when})"),
        (sbas, "SBAS satellites are not placed (SBAS GEO ephemerides are not evaluated)"),
        (none, "satellites have no broadcast record in the navigation data"),
    ):
        if group.size:
            warnings.warn(
                f"{group.size} {why}: checked without an elevation (no mask, no expected counts): "
                f"{', '.join(sat_id(int(s)) for s in group)}",
                KompasWarning,
                stacklevel=caller_stacklevel(),
            )


def run_qc(obs, nav=None, config: QcConfig | None = None, *, figures: bool = True, **options) -> QcResult:
    """Quality control of an observation table (module docstring).

    Parameters
    ----------
    obs : ObsTable
    nav : NavData or list of NavData, optional
        Broadcast navigation data; without it there are no elevations, no expected counts and no
        position check (every other metric is computed).
    config : QcConfig, optional
    figures : bool
        Fill :attr:`QcResult.arrays`, the per-observation arrays behind the HTML figures (about 100 bytes
        per observation row); False leaves it empty for callers that write the tables only, so that a
        result held until all files are checked does not hold them.
    **options
        Any option of :class:`QcConfig` by name.
    """
    from ..engine import check_recipe_inputs, require_epochs
    from ..products.broadcast import BroadcastProduct
    from . import metrics

    cfg = config or QcConfig()
    check_recipe_inputs(cfg, QcConfig, obs=obs)
    cfg = cfg.replace(**options) if options else cfg
    systems = "".join(x for x in cfg.systems if x in obs.systems)
    require_epochs(obs)
    if not systems:
        raise ConfigError(f"the file has no observations of the systems {cfg.systems} (it has {obs.systems})")
    obs = _of_systems(obs, systems)
    product = BroadcastProduct(nav) if nav is not None and not isinstance(nav, BroadcastProduct) else nav
    chans = _channels(obs, product)
    obs = _without_unknown_channels(obs, chans)
    bands = bands_present(obs, systems)
    ob = obs.observables(bands)
    header_pos = np.asarray(obs.header.approx_position_m, dtype=float)
    spp_pos, n_spp = (np.full(3, np.nan), 0)
    if product is not None and cfg.spp_epochs > 0:
        spp_pos, n_spp = station_position(obs, product, cfg.spp_epochs)
    header_ok = bool(np.all(np.isfinite(header_pos)) and np.linalg.norm(header_pos) > 6e6)
    rcv = header_pos if header_ok else spp_pos
    grid = None
    if product is not None and np.all(np.isfinite(rcv)):
        # elevations need orbits good to kilometres: RTKLIB's record windows, so that a station's file that
        # lacks a satellite's latest records (STALE under the ICD windows) still places it
        geometry = BroadcastProduct(product.navs, policy="rtklib")
        grid = sky_grid(geometry, obs.epoch_time_ns, rcv, systems, extra_sats=np.unique(obs.sat))
    if grid is not None:
        az, el = grid.lookup(ob.epoch, ob.sat)
        _warn_without_elevation(ob.sat, el, product.navs, obs.epoch_time_ns, ob.epoch_time_ns[ob.epoch])
    else:
        az = el = np.full(len(ob), np.nan)
    jumps = detect_clock_jumps(ob, chans)
    ob_r = repair_clock_jumps(ob, jumps, chans)
    flags = detect_slips(ob_r, elevation_rad=el, glo_channels=chans, options=cfg.slips)
    mp = code_multipath(
        obs, ob_r, flags, el, az, chans, cfg.mp_min_arc, cfg.bds2_correction, clock_jumps=jumps
    )
    ctx = metrics.Context(obs, ob, flags, mp, grid, el, az, jumps, cfg, header_pos, spp_pos, n_spp, systems)
    res = QcResult(path=str(obs.path or ""))
    res.tables = metrics.all_tables(ctx)
    if figures:
        res.arrays = metrics.figure_arrays(ctx)
    return res


def replace_config(cfg: QcConfig, **changes) -> QcConfig:
    """``dataclasses.replace`` for callers that hold a config."""
    return dataclasses.replace(cfg, **changes)
