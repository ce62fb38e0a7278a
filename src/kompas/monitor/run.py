"""The monitoring run behind ``kompas monitor``: read the inputs, compute every part, write the outputs.

Parts (each where its inputs are given): broadcast status and accuracy of every satellite over the span
(health, URA/SISA, record age, STALE records under the ICD policy); signal-in-space range error against
precise orbits and clocks (:mod:`kompas.monitor.sisre`); service volume on a grid for the four system
mixes (:mod:`kompas.monitor.service`); user range error and positioning error at stations
(:mod:`kompas.monitor.stations`). Outputs in the chosen folder: ``report.html`` (self-contained), the
figures as PNG, and every table as CSV, JSON and (with pyarrow) Parquet under ``tables/``.
"""

from __future__ import annotations

import dataclasses
import os
import warnings

import numpy as np

from ..config import Options, _parse_time, option
from ..engine import check_clocks_serve_orbits, instant_ns
from ..errors import ConfigError, KompasError
from ..products.state import Status
from ..satsys import parse_systems, sat_id
from ..time import DAY_NS, NS, GTime, time_span

__all__ = ["MonitorConfig", "MonitorInputs", "run_monitor"]


def _parse_regions(value):
    from .service import REGIONS

    items = value.split(",") if isinstance(value, str) else list(value)
    items = [str(x).strip().lower() for x in items if str(x).strip()]
    bad = [x for x in items if x not in REGIONS]
    if bad or not items:
        raise ValueError(f"regions must be among {', '.join(REGIONS)}, not {bad[0] if bad else value!r}")
    return tuple(items)


@dataclasses.dataclass(frozen=True)
class MonitorConfig(Options):
    """Options of ``kompas monitor`` (API, TOML and command line share them)."""

    policy: str = option(
        "icd",
        "broadcast record validity (kompas.products.broadcast)",
        choices=("icd", "post", "rtklib"),
        flag="--eph-policy",
    )
    selection: str = option(
        "transmitted",
        "broadcast record selection: what a receiver held, or nearest toe",
        choices=("transmitted", "nearest"),
        flag="--selection",
    )
    grid: bool = option(True, "compute the service-volume grid", flag="--grid")
    grid_step_deg: float = option(5.0, "grid spacing", unit="deg", low=0.5, high=30.0, flag="--grid-step")
    step_s: float = option(
        300.0, "time step of the grid and the status timeline", unit="s", low=1.0, flag="--step"
    )
    regions: tuple[str, ...] = option(
        ("global", "asia-pacific"), "map regions", flag="--regions", parse=_parse_regions
    )
    elmask_deg: float = option(
        5.0, "elevation mask of the grid", unit="deg", low=0.0, high=90.0, high_open=True, flag="--elmask"
    )
    uee_m: float = option(
        0.0, "user equipment error added to the UERE of the accuracy maps", unit="m", low=0.0, flag="--uee"
    )
    k_ura: float = option(4.42, "integrity threshold in URAs (GPS SPS PS 2020)", low=0.0, flag="--k-ura")
    attitude: str = option(
        "model",
        "satellite attitude for the phase-centre offsets",
        choices=("model", "nominal"),
        flag="--attitude",
    )
    clock_datum: str = option(
        "system",
        "clock datum of the SISRE: one per system (BDS-2 and BDS-3 share BDT) or BDS-2 and BDS-3 separately",
        choices=("system", "bds-generation"),
        flag="--clock-datum",
    )
    station_systems: str = option(
        "GRECJ", "systems of the station solutions", flag="--station-systems", parse=parse_systems
    )
    start: str | None = option(
        None,
        "first epoch of the grid, GPST (default: start of the first navigation day)",
        flag="--start",
        parse=_parse_time,
    )
    hours: float | None = option(
        None,
        "span of the grid and timeline (none: the part of the navigation days, or of the 24 h from --start, "
        "where a record serves)",
        unit="h",
        low=0.0,
        high=168.0,
        high_open=False,
        flag="--hours",
    )


@dataclasses.dataclass
class MonitorInputs:
    """File paths of a run (lists may be empty)."""

    nav: list
    out: str
    precise: list = dataclasses.field(default_factory=list)
    clk: list = dataclasses.field(default_factory=list)
    atx: list = dataclasses.field(default_factory=list)
    satmeta: list = dataclasses.field(default_factory=list)
    obs: list = dataclasses.field(default_factory=list)
    sinex: str | None = None

    def __post_init__(self):
        # one path where a list is expected would be read character by character ("/" a directory)
        for f in ("nav", "precise", "clk", "atx", "satmeta", "obs"):
            value = getattr(self, f)
            if isinstance(value, str | os.PathLike):
                setattr(self, f, [value])
            elif not isinstance(value, list | tuple):
                raise ConfigError(f"MonitorInputs.{f} must be a list of paths, not {type(value).__name__}")


class _MergedAntex:
    """Several ANTEX files seen as one for satellite lookups (first file that knows the satellite wins)."""

    def __init__(self, files):
        self.files = list(files)

    def satellites(self):
        return np.unique(np.concatenate([np.asarray(f.satellites()) for f in self.files]))

    @property
    def antennas(self):
        """Every file's antennas, less the satellite blocks of satellites an earlier file knows."""
        out, known = [], set()
        for f in self.files:
            out += [a for a in f.antennas if a.sat < 0 or a.sat not in known]
            known |= {a.sat for a in f.antennas if a.sat >= 0}
        return out

    def satellite(self, sat, t):
        last = None
        for f in self.files:
            try:
                return f.satellite(sat, t)
            except KompasError as exc:
                last = exc
        raise last


def _catalog(satmeta, antex):
    from ..io.readers.satmeta import read_satellite_catalog

    pride = [p for p in satmeta if "sat_parameters" in os.path.basename(p)]
    svb = [p for p in satmeta if "svb" in os.path.basename(p)]
    other = [p for p in satmeta if p not in pride and p not in svb]
    if other:
        raise ConfigError(
            f"{other[0]}: not a PRIDE sat_parameters or GPSPACE gpsppp.svb_* table (by its name)"
        )
    if len(pride) > 1:
        raise ConfigError("give at most one PRIDE sat_parameters table")
    if not (pride or svb or antex is not None):
        return None
    return read_satellite_catalog(pride=pride[0] if pride else None, svb=svb, antex=antex)


def _load(inp: MonitorInputs) -> dict:
    from .. import read_antex, read_clk, read_nav, read_obs, read_sp3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        navs = [read_nav(p) for p in inp.nav]
        atx = [read_antex(p, receivers=()) for p in inp.atx]  # satellite blocks: no receiver is used
        antex = None if not atx else atx[0] if len(atx) == 1 else _MergedAntex(atx)
        data = {
            "navs": navs,
            "sp3": [read_sp3(p) for p in inp.precise],
            "clk": [read_clk(p) for p in inp.clk],
            "antex": antex,
            "catalog": _catalog(list(inp.satmeta), antex),
            "obs": [read_obs(p) for p in inp.obs],
        }
    if inp.sinex:
        from ..io.readers.sinex import read_sinex

        data["sinex"] = read_sinex(inp.sinex)
    return data


RECORD_REACH_NS = 4 * 3600 * NS
"""How far from its reference epoch a broadcast record serves (the longest fit intervals, GPS 4 h)."""


def beyond_reach(t_ns, refs) -> bool:
    """Every instant of ``t_ns`` lies more than :data:`RECORD_REACH_NS` from every reference epoch."""
    return bool(refs.size) and (
        np.max(t_ns) < refs.min() - RECORD_REACH_NS or np.min(t_ns) > refs.max() + RECORD_REACH_NS
    )


def _reference_epochs(navs) -> np.ndarray:
    """Reference epochs of every orbit record (Kepler toe, GLONASS t_b), GPST ns, unknown ones left out."""
    refs = [n.kepler.toe_ns for n in navs if len(n.kepler)] + [
        n.glonass.toc_ns for n in navs if len(n.glonass)
    ]
    refs = np.concatenate(refs) if refs else np.zeros(0, np.int64)
    return refs[refs != np.iinfo(np.int64).min]


def _span(navs, cfg: MonitorConfig) -> np.ndarray:
    """Epochs of the grid and timeline: from ``cfg.start`` or the start of the first navigation day
    (:func:`_record_days`), over ``cfg.hours`` or, without it, those days (24 h from ``cfg.start``); with
    ``cfg.hours`` and no start, from the GPST day holding most records."""
    refs = _reference_epochs(navs)
    if refs.size == 0:
        raise KompasError("the navigation files hold no usable record")
    step = round(cfg.step_s * NS)
    days = _record_days(refs)
    hours = (24.0 * days.size if not cfg.start else 24.0) if cfg.hours is None else cfg.hours
    span = round(hours * 3600 * NS)
    n = max(1, -(-span // step))  # every epoch start + k step inside [start, start + hours)
    if not cfg.start:
        first = int(days[0]) if cfg.hours is None else int(np.median(refs) // DAY_NS)
        return first * DAY_NS + step * np.arange(n, dtype=np.int64)
    times = instant_ns(cfg.start, "--start") + step * np.arange(n, dtype=np.int64)
    if beyond_reach(times, refs):
        given = f"--start {cfg.start}" + ("" if cfg.hours is None else f" and --hours {hours:g}")
        raise ConfigError(
            f"{given}: no record of the navigation files serves that window (their reference epochs span "
            f"{time_span(refs)})"
        )
    return times


def _record_days(refs: np.ndarray) -> np.ndarray:
    """The GPST days (day numbers since the GPS epoch) from the first to the last one holding at least a
    quarter as many records as the fullest: a daily file's few records of the evening before stay out,
    two daily files (or one across midnight) give both days."""
    day, count = np.unique(refs // DAY_NS, return_counts=True)
    full = day[count >= 0.25 * count.max()]
    return np.arange(full[0], full[-1] + 1)


def timeline_states(product, times: np.ndarray, sats: np.ndarray) -> dict:
    """Status, variance (m^2) and record age (s) of every satellite at every epoch, each (S, T)."""
    st = product.state(np.repeat(sats, times.size), np.tile(times, sats.size))
    shape = (sats.size, times.size)
    return {k: getattr(st, k).reshape(shape) for k in ("status", "var_m2", "age_s")}


def _served(product, times: np.ndarray, sats: np.ndarray) -> tuple[np.ndarray, dict]:
    """``times`` without the leading and trailing epochs where no record serves any satellite, and the
    :func:`timeline_states` of the epochs kept (computed once: the broadcast section reuses them).

    A 6-h navigation file would otherwise leave most of a day's timeline "outside_fit" and the grid's
    hours empty. Epochs between served ones stay: a gap in the records is a finding.
    """
    states = timeline_states(product, times, sats)
    bad = (Status.NO_EPHEMERIS, Status.OUTSIDE_FIT, Status.STALE, Status.UNSUPPORTED)
    served = ~np.isin(states["status"], bad).all(axis=0)
    if not served.any():
        raise ConfigError(
            f"no record of the navigation files serves a satellite from {time_span(times)} (stale or outside "
            "their fit; --hours 24 shows their status over the 24 h)"
        )
    k = np.flatnonzero(served)
    keep = slice(k[0], k[-1] + 1)
    return times[keep], {name: a[:, keep] for name, a in states.items()}


def _broadcast_tables(sats, states: dict) -> tuple[list, np.ndarray, np.ndarray]:
    """Per-satellite status counts (rows), status (S, T) and URA (S, T) of the timeline's
    :func:`timeline_states`."""
    status = states["status"]
    ura = np.sqrt(states["var_m2"])
    age = np.abs(states["age_s"])
    rows = []
    for k, x in enumerate(sats.tolist()):
        s = status[k]
        rows.append(
            {
                "sat": sat_id(x),
                "epochs": int(s.size),
                "ok_pct": 100.0 * float(np.mean(s == Status.OK)),
                "unhealthy": int(np.sum(s == Status.UNHEALTHY)),
                "stale": int(np.sum(s == Status.STALE)),
                "outside_fit": int(np.sum(s == Status.OUTSIDE_FIT)),
                "no_ephemeris": int(np.sum(s == Status.NO_EPHEMERIS)),
                "ura_mean_m": float(np.nanmean(ura[k])) if np.isfinite(ura[k]).any() else float("nan"),
                "age_max_s": float(np.nanmax(age[k])) if np.isfinite(age[k]).any() else float("nan"),
            }
        )
    return rows, status, ura


def run_monitor(inp: MonitorInputs, cfg: MonitorConfig | None = None, progress=None) -> dict:
    """Run every part whose inputs are given and write the outputs to ``inp.out``.

    Returns
    -------
    dict
        ``tables`` (name -> rows), ``report`` (path of the HTML page), ``figures`` (paths), ``notes``.
    """
    from ..products.broadcast import BroadcastProduct
    from . import _parts

    if not isinstance(inp, MonitorInputs):
        raise ConfigError(f"run_monitor needs MonitorInputs, not {type(inp).__name__}")
    cfg = cfg or MonitorConfig()
    if not isinstance(cfg, MonitorConfig):
        raise ConfigError(f"config must be a MonitorConfig, not {type(cfg).__name__}")
    data = _load(inp)
    _check_precise_overlap(data["navs"], data["sp3"])
    check_clocks_serve_orbits(data["sp3"], data["clk"])
    product = BroadcastProduct(data["navs"], policy=cfg.policy, selection=cfg.selection)
    whole = _span(data["navs"], cfg)
    sats = np.unique(np.concatenate([t.sat for t in (product.kepler, product.glonass) if len(t)])).astype(
        np.int16
    )
    times, states = _served(product, whole, sats) if cfg.hours is None else (whole, None)
    os.makedirs(os.path.join(inp.out, "tables"), exist_ok=True)  # after the checks: no empty folder on error
    ctx = _parts.Context(inp, cfg, data, product, times, sats, progress, states=states)
    if times.size < whole.size:
        hours = whole.size * cfg.step_s / 3600
        ctx.notes.append(
            f"timeline {time_span(times)} GPST: the part of the {hours:g} h from "
            f"{GTime(int(whole[0])).isoformat()} where a navigation record serves a satellite (--hours "
            f"{hours:g} keeps all {hours:g} h)"
        )
    sections = [_parts.broadcast_section(ctx)]
    if data["sp3"]:
        sections.append(_parts.sisre_section(ctx))
    if cfg.grid:
        sections.extend(_parts.service_sections(ctx))
    if data["obs"]:
        sections.append(_parts.station_section(ctx))
    return _parts.finish(ctx, sections)


def _check_precise_overlap(navs, sp3s) -> None:
    """ConfigError before any work when the precise orbits (``--precise``) share no satellite with the
    navigation records or lie farther than :data:`RECORD_REACH_NS` from every record's reference epoch: no
    SISRE could come out (the run used to finish with an empty SISRE table and exit 0)."""
    from ..satsys import letters_of

    if not sp3s:
        return
    t_p = np.concatenate([s.time_ns for s in sp3s])
    refs = _reference_epochs(navs)
    sats_p = np.unique(np.concatenate([s.sats for s in sp3s]))
    sats_n = np.unique(np.concatenate([n.record_sats() for n in navs]))
    if t_p.size == 0 or refs.size == 0:
        return
    if not np.intersect1d(sats_p, sats_n).size:
        p, n = letters_of(sats_p), letters_of(sats_n)
        held = (f"systems {p}, the navigation records systems {n}" if not set(p) & set(n) else
                f"{_ids(sats_p)}, the navigation records {_ids(sats_n)}")  # fmt: skip
        raise ConfigError(f"--precise: the SP3 files hold {held}: no satellite in both, no SISRE")
    if t_p.max() < refs.min() - RECORD_REACH_NS or t_p.min() > refs.max() + RECORD_REACH_NS:
        raise ConfigError(
            f"--precise: the SP3 files ({time_span(t_p)}) lie outside the navigation records' time "
            f"(reference epochs {time_span(refs)}): give the products of the records' days"
        )


def _ids(sats, most: int = 6) -> str:
    """Satellite ids for a message, the first ``most`` and how many more."""
    ids = [sat_id(int(x)) for x in sats]
    return " ".join(ids[:most]) + (f" and {len(ids) - most} more" if len(ids) > most else "")
