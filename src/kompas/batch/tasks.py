"""The task registry: what each task reads, runs and writes for one station-day.

A task is a small adapter around a recipe (:class:`Task`): the recipe's configuration class (the same
typed options as its command), the input roles a unit needs, and a function ``run(item, config) ->
TaskResult`` that reads the unit's own files, runs the recipe and returns Arrow tables. A new recipe
(``qc``, ``ppp``, ``rtk`` did) plugs in with :func:`register` and nothing else changes: planning, execution,
resumption and storage are the same for every task.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable

import numpy as np

from .job import StationDay

__all__ = ["Task", "TaskResult", "TASKS", "register", "get_task", "solution_table", "SOLUTION_SYSTEMS"]

SOLUTION_SYSTEMS = "GRECJI"
"""Systems with their own ``nsat_X``, ``clock_X_m`` and ``isb_X_m`` columns in every solution file, so
that all files of a dataset share one schema (the systems SPP processes)."""


@dataclasses.dataclass(frozen=True)
class TaskResult:
    """What a task produced for one unit.

    Attributes
    ----------
    tables : dict[str, pyarrow.Table]
        By table folder (``solution``, ``qc``).
    status : str
        ``ok`` or ``unsolved`` (ran, but no epoch solved).
    message : str
        Why nothing was solved, and the warnings of the run.
    epochs, solved : int
    median_ecef_m : tuple of float
        Median ECEF position of the solved epochs, m (NaN when none).
    mean_nsat : float
    read_s, process_s : float
        Seconds spent reading the inputs and running the recipe.
    """

    tables: dict
    status: str
    message: str = ""
    epochs: int = 0
    solved: int = 0
    median_ecef_m: tuple = (float("nan"),) * 3
    mean_nsat: float = float("nan")
    read_s: float = 0.0
    process_s: float = 0.0


@dataclasses.dataclass(frozen=True)
class Task:
    """A registered task.

    Attributes
    ----------
    name : str
    config_class : type
        The recipe's :class:`kompas.config.Options` subclass.
    needs : tuple of str
        Input roles every unit must have besides ``obs`` (``("nav",)``).
    roles : tuple of str
        Input roles it reads besides ``obs`` (needed and optional ones: ``("orbit", "clock", "antex")``).
    tables : tuple of str
        Table folders it writes (besides the summary).
    run : callable
        ``run(item: StationDay, config) -> TaskResult``; raises on bad input (the unit becomes a failed
        row with the message).
    help : str
    needs_of : callable, optional
        ``needs_of(config) -> tuple``: roles some options need besides ``needs`` (SPP with
        ``iono = "ionex"`` needs IONEX maps).
    on_demand : tuple of str
        Roles read only when the options need them or the user gives their files (``--with``): SPP's
        IONEX maps, which would otherwise replace the broadcast model of the units whose day has a map
        in the folder, whatever ``models.iono`` says.
    """

    name: str
    config_class: type
    needs: tuple[str, ...]
    roles: tuple[str, ...]
    tables: tuple[str, ...]
    run: Callable[[StationDay, object], TaskResult]
    help: str = ""
    needs_of: Callable[[object], tuple] | None = None
    on_demand: tuple[str, ...] = ()

    def required(self, config) -> tuple[str, ...]:
        """Every role a unit must have with these options."""
        return self.needs + (tuple(self.needs_of(config)) if self.needs_of else ())

    def read_roles(self, config, given=()) -> tuple[str, ...]:
        """The roles whose files the units get with these options and the roles given files (``--with``)."""
        need = self.required(config)
        return tuple(r for r in self.roles if r not in self.on_demand or r in need or r in given)


TASKS: dict[str, Task] = {}
"""Registered tasks by name."""


def register(task: Task) -> Task:
    """Add (or replace) a task in :data:`TASKS`."""
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    """The registered task ``name``; ``ConfigError`` naming the known ones otherwise."""
    from ..errors import ConfigError

    try:
        return TASKS[name]
    except KeyError:
        known = "; ".join(f"{n} ({TASKS[n].help})" if TASKS[n].help else n for n in sorted(TASKS))
        raise ConfigError(f"unknown task {name!r}; known: {known}") from None


def _solution_fields(pa):
    f8, i2 = pa.float64(), pa.int16()
    fields = [("time", pa.timestamp("ns"))]
    fields += [(n, f8) for n in ("x_m", "y_m", "z_m", "lat_deg", "lon_deg", "height_m")]
    fields += [("nsat", i2)] + [(f"nsat_{s}", i2) for s in SOLUTION_SYSTEMS]
    fields += [(n, f8) for n in ("gdop", "pdop", "hdop", "vdop")]
    fields += [(f"clock_{s}_m", f8) for s in SOLUTION_SYSTEMS]
    fields += [(f"isb_{s}_m", f8) for s in SOLUTION_SYSTEMS]
    return [*fields, ("status", pa.uint8()), ("reason", pa.uint8())]


def solution_table(solution):
    """A :class:`kompas.Solution` as an Arrow table of the dataset's fixed solution schema.

    Columns of :meth:`Solution.columns` keep their values bit for bit; columns of systems that were not
    processed are null; ``reason`` is the :class:`kompas.solution.Unsolved` code of each epoch. A column
    outside the schema (a recipe's own) is appended after it.
    """
    import pyarrow as pa

    cols = solution.columns()
    n = len(solution)
    cols["reason"] = solution.reason if solution.reason is not None else np.zeros(n, np.uint8)
    arrays, names = [], []
    for name, tp in _solution_fields(pa):
        arrays.append(pa.array(cols.pop(name), type=tp) if name in cols else pa.nulls(n, type=tp))
        names.append(name)
    for name, values in cols.items():
        arrays.append(pa.array(values))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _main_reason(solution) -> str:
    from ..solution import Unsolved

    if len(solution) == 0:
        return "the observation file has no epochs (in the chosen window)"
    if solution.reason is None:  # a recipe that records no reasons
        return f"no epoch of {len(solution)} solved"
    counts = np.bincount(solution.reason, minlength=len(Unsolved))
    main = Unsolved(int(np.argmax(counts[1:]) + 1))
    return f"{main.name.lower().replace('_', ' ')} in {counts[main]} of {len(solution)} epochs"


def position_summary(solution) -> dict:
    """Counts, median position of the solved epochs and mean satellites, for the summary row."""
    ok = solution.ok
    solved = int(ok.sum())
    median = tuple(float(v) for v in np.median(solution.pos_m[ok], axis=0)) if solved else (math.nan,) * 3
    return {
        "epochs": len(solution),
        "solved": solved,
        "median_ecef_m": median,
        "mean_nsat": float(np.mean(solution.nsat[ok])) if solved else math.nan,
        "status": "ok" if solved else "unsolved",
        "message": _other_reasons(solution) if solved else _main_reason(solution),
    }


def _other_reasons(solution) -> str:
    """Why the unsolved epochs of a unit with a solution were not solved (empty when all were)."""
    from ..solution import reasons_text, unsolved_counts

    if solution.reason is None or solution.ok.all():
        return ""
    return "unsolved: " + reasons_text(unsolved_counts(solution.reason), len(solution))


def _solution_result(sol, t0: float, t1: float) -> TaskResult:
    """A positioning recipe's result: the solution table, timings and the position summary.

    Parameters
    ----------
    sol : Solution
    t0, t1 : float
        ``time.perf_counter()`` before reading and before solving, s (equal when one pass reads and
        solves: reading then counts as processing).
    """
    table = solution_table(sol)
    t2 = time.perf_counter()
    return TaskResult({"solution": table}, read_s=t1 - t0, process_s=t2 - t1, **position_summary(sol))


def _run_spp(item: StationDay, config) -> TaskResult:
    """SPP of one unit exactly as ``kompas spp OBS NAV... [--ionex FILE...]`` does it: the same runner
    (:func:`kompas.runner.run_spp`: the observation file streamed block by block, IONEX maps of the day,
    when given, selecting ``iono = "ionex"``). The units get maps only with ``models.iono = "ionex"`` or
    ``--with ionex=FILE`` (:attr:`Task.on_demand`)."""
    from ..runner import run_spp

    t0 = time.perf_counter()
    sol = run_spp(
        item.paths("obs"), item.paths("nav"), config, ionex_paths=item.paths("ionex"), skip_unreadable=True
    ).solution
    # reading and solving are one pass (the file is streamed): the time is counted as processing
    return _solution_result(sol, t0, t0)


def _spp_task() -> Task:
    from ..spp import SppConfig

    return Task(
        "spp", SppConfig, ("nav",), ("nav", "ionex"), ("solution",), _run_spp, "single point positioning",
        needs_of=lambda cfg: ("ionex",) if cfg.models.iono == "ionex" else (), on_demand=("ionex",),
    )  # fmt: skip


def _items(value):
    return value.items() if isinstance(value, dict) else [(None, value)]


def rows_table(rows: list[dict]):
    """QC rows (dicts of plain values, nested dicts flattened to ``key.sub``) as an Arrow table; a column
    with no value at all is float64 (so that files of one table share their types)."""
    import pyarrow as pa

    from ..io.writers.records import arrow_column

    flat = [
        {f"{k}.{kk}" if isinstance(v, dict) else k: vv for k, v in r.items() for kk, vv in _items(v)}
        for r in rows
    ]
    keys = dict.fromkeys(k for r in flat for k in r)  # every row's keys (rows of systems differ)
    return pa.table({k: arrow_column(k, [r.get(k) for r in flat]) for k in keys})


def _run_qc(item: StationDay, config) -> TaskResult:
    """QC of one unit as ``kompas qc OBS --nav NAV...`` computes it: every table of
    :class:`kompas.qc.QcResult` into ``qc_<table>`` (tables without rows are not written)."""
    from ..api import read_nav, read_obs_files
    from ..qc import run_qc

    t0 = time.perf_counter()
    obs = read_obs_files(item.paths("obs"), skip_unreadable=True)
    navs = [read_nav(p) for p in item.paths("nav")] or None
    t1 = time.perf_counter()
    result = run_qc(obs, navs, config, figures=False)  # the tables are written, not the figures
    tables = {f"qc_{name}": rows_table(rows) for name, rows in result.tables.items() if rows}
    t2 = time.perf_counter()
    n = int(obs.n_epochs)
    return TaskResult(tables, "ok", epochs=n, solved=n, read_s=t1 - t0, process_s=t2 - t1)


def _qc_task() -> Task | None:
    try:
        from ..qc import QcConfig
    except ImportError:  # a tree without the qc recipe
        return None
    return Task("qc", QcConfig, (), ("nav",), ("qc_summary",), _run_qc, "observation quality control")


def _one(item: StationDay, role: str) -> str | None:
    """The single file of a role the recipe takes one of: the file of the unit's day when several match."""
    paths = item.paths(role)
    if len(paths) <= 1:
        return paths[0] if paths else None
    from ..io.names import parse_name

    same_day = [p for p in paths if (n := parse_name(p)) is not None and n.day.isoformat() == item.day]
    if len(same_day) == 1:
        return same_day[0]
    raise ValueError(
        f"{len(paths)} {role} files match {item.station} {item.day}; give one: {', '.join(paths)}"
    )


def _catalog(paths):
    """Satellite catalog from PRIDE sat_parameters and GPSPACE gpsppp.svb_* tables (as kompas ppp
    --sat-table: GPSPACE files by their name or a first line starting with HDR)."""
    if not paths:
        return None
    from ..io._open import read_text
    from ..io.readers.satmeta import read_satellite_catalog

    svb = [p for p in paths if "svb" in os.path.basename(p) or read_text(p).lstrip().startswith("HDR")]
    pride = [p for p in paths if p not in svb]
    if len(pride) > 1:
        raise ValueError(f"only one PRIDE sat_parameters table can be given, not {len(pride)}")
    return read_satellite_catalog(pride=pride[0] if pride else None, svb=svb)


def _ppp_inputs(item: StationDay) -> dict:
    from ..api import read_antex, read_bias, read_clk, read_nav, read_obs_files, read_sp3
    from ..io.readers.blq import read_blq
    from ..io.readers.gpt3 import read_gpt3_grid

    single = {role: _one(item, role) for role in ("antex", "bias", "blq", "gpt3")}
    obs = read_obs_files(item.paths("obs"), skip_unreadable=True)
    # the station's own antenna and the satellites: the rest of an IGS file is other receivers
    antex = read_antex(single["antex"], receivers=[obs.station.antenna_type]) if single["antex"] else None
    return {
        "obs": obs,
        "nav": [read_nav(p) for p in item.paths("nav")] or None,
        "sp3": [read_sp3(p) for p in item.paths("orbit")],
        "clk": [read_clk(p) for p in item.paths("clock")],
        "antex": antex,
        "bias": read_bias(single["bias"]) if single["bias"] else None,
        "blq": read_blq(single["blq"]) if single["blq"] else None,
        "gpt3": read_gpt3_grid(single["gpt3"]) if single["gpt3"] else None,
        "catalog": _catalog(item.paths("sat_table")),
    }


def _run_ppp(item: StationDay, config) -> TaskResult:
    """PPP of one unit as ``kompas ppp OBS NAV... --sp3 --clk --atx --bias --blq --gpt3 --sat-table``
    does it: the day's orbits and clocks of one analysis centre, the other files given to every unit."""
    from ..ppp import ppp

    t0 = time.perf_counter()
    inputs = _ppp_inputs(item)
    t1 = time.perf_counter()
    sol = ppp(**inputs, config=config)
    return _solution_result(sol, t0, t1)


def _ppp_task() -> Task | None:
    try:
        from ..ppp_config import PppConfig
    except ImportError:  # a tree without the ppp recipe
        return None
    roles = ("nav", "orbit", "clock", "antex", "bias", "blq", "gpt3", "sat_table")
    # a clock file is optional, as for kompas ppp: an SP3 file's own clocks serve without one
    return Task("ppp", PppConfig, ("orbit",), roles, ("solution",), _run_ppp, "precise point positioning")


def _run_rtk(item: StationDay, config) -> TaskResult:
    """RTK/PPK of one rover unit against its base as ``kompas rtk ROVER BASE NAV... [--atx ANTEX] [--sp3
    --clk]`` does it: the files of the base station that overlaps the rover's session the most, read as one
    session (:func:`kompas.batch.plan`), the day's orbits and clocks when precise products are given."""
    from ..api import read_antex, read_clk, read_nav, read_obs_files, read_sp3
    from ..rtk import rtk
    from ..solution import Quality

    t0 = time.perf_counter()
    rover, base = (
        read_obs_files(item.paths("obs"), skip_unreadable=True),
        read_obs_files(item.paths("base"), skip_unreadable=True),
    )
    navs = [read_nav(p) for p in item.paths("nav")]
    antex = _one(item, "antex")
    types = [rover.station.antenna_type, base.station.antenna_type]
    atx = read_antex(antex, receivers=types) if antex else None
    sp3, clk = [read_sp3(p) for p in item.paths("orbit")], [read_clk(p) for p in item.paths("clock")]
    t1 = time.perf_counter()
    sol = rtk(rover, base, navs, config=config, atx=atx, sp3=sp3, clk=clk)
    res = _solution_result(sol, t0, t1)
    if res.solved:  # the fix rate, which the summary's columns do not hold
        fixed = f"fixed {int((sol.quality == Quality.FIX).sum())} of {len(sol)} epochs"
        res = dataclasses.replace(res, message="; ".join(m for m in (fixed, res.message) if m))
    return res


def _rtk_task() -> Task | None:
    try:
        from ..rtk import RtkConfig
    except ImportError:  # a tree without the rtk recipe
        return None
    roles = ("nav", "base", "antex", "orbit", "clock")
    return Task(
        "rtk", RtkConfig, ("nav", "base"), roles, ("solution",), _run_rtk,
        "relative positioning (RTK/PPK) against a base station",
    )  # fmt: skip


for _task in (_spp_task(), _qc_task(), _ppp_task(), _rtk_task()):
    if _task is not None:
        register(_task)
