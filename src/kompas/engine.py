"""The epoch engine: walks observation blocks through a recipe's solver and joins the solutions.

A recipe (SPP now, RTK and PPP next) supplies ``solve(block) -> Solution`` for a block of consecutive
epochs. Blocks are aligned in time: block ``k`` holds the epochs of ``[k T, (k + 1) T)`` GPST with ``T`` a
divisor of a day chosen from the sampling interval (:func:`block_seconds`), so the same file gives the same
blocks whether it is read whole or streamed in pieces of any size, and results do not depend on how it
was read. The engine cuts a file's table into blocks with the CSR epoch offsets (an O(1) view per block,
never a mask over the whole table), or takes blocks from any iterable (a stream of epochs from a
receiver), calls the solver, reports progress and concatenates the parts with
:meth:`kompas.Solution.concat`. Memory is bounded by the block size, time is linear in the epochs.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .config import check_window
from .errors import ConfigError, TimeError, read_first_hint
from .satsys import SYSTEM_LETTERS, sat_index, sat_system, system_code
from .solution import Solution
from .time import from_datetime64, time_span

__all__ = ["window", "window_or_error", "blocks", "block_seconds", "run", "SignalMask", "check_exclusion"]


def check_recipe_inputs(cfg, config_class, streams: bool = False, **tables) -> None:
    """A recipe's configuration of its own class and observation tables (ConfigError otherwise: a path,
    the Observables of a table or another recipe's configuration failed deep inside with an
    AttributeError). With ``streams`` an iterator or a list of tables passes too (its first block is
    checked when it comes, :func:`require_table`)."""
    if not isinstance(cfg, config_class):
        raise ConfigError(f"config must be a {config_class.__name__}, not {type(cfg).__name__}")
    for name, value in tables.items():
        if not (streams and (hasattr(value, "__next__") or isinstance(value, list | tuple))):
            require_table(value, name, streams)


def require_table(value, name: str = "obs", streams: bool = False) -> None:
    """ConfigError unless ``value`` is an :class:`~kompas.tables.obs.ObsTable`, with a hint for the usual
    mistakes (a path, a table's Observables)."""
    from .tables.obs import ObsTable

    if isinstance(value, ObsTable):
        return
    hint = read_first_hint(value, "read_obs")
    if not hint and hasattr(value, "phase_cyc"):
        hint = " (pass the ObsTable itself, not its observables)"
    what = "an ObsTable, or an iterable of them" if streams else "an ObsTable"
    raise ConfigError(f"{name} must be observations ({what}), not {type(value).__name__}{hint}")


def instant_ns(text: str, what: str) -> int:
    """An ISO date-time read as GPST -> GPST nanoseconds (ConfigError naming ``what`` otherwise)."""
    try:
        return int(from_datetime64(np.datetime64(text, "ns"), "GPST"))
    except ValueError:
        raise ConfigError(f"{what} {text!r} is not an ISO date-time") from None


_WEEK_NS = 604_800 * 1_000_000_000
_DTTOL_NS = 5_000_000  # RTKLIB rtklib.h DTTOL, 0.005 s: an epoch this close to a multiple is on it


def window(obs, start: str | None = None, end: str | None = None, interval_s: float | None = None):
    """The epochs of ``obs`` inside ``[start, end]`` (GPST, ISO text) on multiples of ``interval_s``.

    Start and end cut O(1) views; an interval keeps the epochs whose GPS time of week is a multiple of it
    within 5 ms (RTKLIB's ``-ti``: ``screent`` with ``DTTOL``), which copies the rows kept.
    """
    check_window(start, end)
    t = obs.epoch_time_ns
    a = 0 if start is None else int(np.searchsorted(t, instant_ns(start, "start"), side="left"))
    b = t.size if end is None else int(np.searchsorted(t, instant_ns(end, "end"), side="right"))
    out = obs.epochs(a, b)
    if interval_s:
        step = round(interval_s * 1e9)
        if step <= 0:
            raise ConfigError(f"interval must be positive, not {interval_s}")
        tow = out.epoch_time_ns % _WEEK_NS
        keep = (tow + _DTTOL_NS) % step <= 2 * _DTTOL_NS
        if not keep.all():
            rows = np.repeat(keep, np.diff(out.epoch_offsets))
            out = out.take_epochs(keep, rows)
    return out


@dataclasses.dataclass
class SignalMask:
    """Observations a positioning recipe leaves out: those of excluded satellites and those received below a
    C/N0 mask (RTKLIB ``pos1-exclsats``, ``pos1-snrmask`` with one value for every band and elevation).

    Applied to each table or block before its observables are formed, so that a masked signal leaves its
    band to another tracking mode of the band, and single-frequency SPP a satellite to its next band
    (:data:`kompas.spp.SINGLE_BANDS`; RTKLIB's SPP uses L1 alone, so there the satellite is gone: with
    ``signals.priority`` limited to one signal both count the same satellites). Rows without a C/N0 (files
    that record none) are kept. Counts what it removed from the rows of ``systems``, over every table it
    was given, for the run's record (:meth:`lines`).
    """

    cn0_mask_dbhz: float | None = None
    exclude: tuple[str, ...] = ()
    systems: str = SYSTEM_LETTERS
    rows: int = 0
    weak: int = 0
    no_cn0: int = 0
    excluded: int = 0
    observed: set = dataclasses.field(default_factory=set)  # excluded satellites met in the tables

    @classmethod
    def of(cls, cfg, obs) -> SignalMask:
        """The mask of a recipe's configuration (its ``cn0_mask_dbhz``, ``exclude`` and ``systems``), after
        :func:`check_exclusion` on ``obs``, the run's (first) observations: a ConfigError before any work."""
        check_exclusion(obs, cfg.systems, cfg.exclude)
        return cls(cfg.cn0_mask_dbhz, tuple(cfg.exclude), cfg.systems)

    def __call__(self, obs):
        """``obs`` without the masked rows (the same table when nothing is masked)."""
        if self.cn0_mask_dbhz is None and not self.exclude:
            return obs
        drop = np.isin(obs.sat, sat_index(list(self.exclude)))
        self.observed.update(np.unique(obs.sat[drop]).tolist())
        counted = np.isin(sat_system(obs.sat), [system_code(x) for x in self.systems])
        self.excluded += int((drop & counted).sum())
        if self.cn0_mask_dbhz is not None:
            known = np.isfinite(obs.cn0_dbhz)
            weak = known & (obs.cn0_dbhz < self.cn0_mask_dbhz) & ~drop
            self.weak += int((weak & counted).sum())
            self.no_cn0 += int((~known & ~drop & counted).sum())
            drop |= weak
        self.rows += int(counted.sum())
        return obs.keep_rows(~drop) if drop.any() else obs

    def require(self, obs, who: str):
        """``self(obs)``, or a ConfigError naming ``who`` when the masks leave none of its observations."""
        out = self(obs)
        if len(obs) and not len(out):
            raise ConfigError(f"the observation masks leave the {who} empty: " + "; ".join(self.lines()))
        return out

    def lines(self) -> tuple[str, ...]:
        """What the mask left out, for :attr:`kompas.solution.ProcessingRecord.masked`."""
        out = []
        of = f"of {self.rows} observations"
        if self.exclude:
            absent = [x for x, i in zip(self.exclude, sat_index(list(self.exclude)).tolist(), strict=True)
                      if i not in self.observed]  # fmt: skip
            never = f" ({','.join(absent)} not in the observations)" if absent else ""
            out.append(f"satellites {','.join(self.exclude)} excluded: {self.excluded} {of}{never}")
        if self.cn0_mask_dbhz is not None:
            share = 100.0 * self.weak / max(self.rows, 1)
            kept = f"; {self.no_cn0} without a C/N0 kept" if self.no_cn0 else ""
            out.append(f"C/N0 below {self.cn0_mask_dbhz:g} dB-Hz: {self.weak} {of} ({share:.1f} %){kept}")
        return tuple(out)


def check_exclusion(obs, systems: str, exclude) -> None:
    """ConfigError before any work when ``exclude`` names every observed satellite of ``systems``."""
    if exclude and len(obs):
        mine = np.unique(obs.sat[np.isin(sat_system(obs.sat), [system_code(x) for x in systems])])
        if mine.size and np.isin(mine, sat_index(list(exclude))).all():
            raise ConfigError(
                f"--exclude leaves no satellite of {systems}: it names all {mine.size} that were observed"
            )


def usual_interval_ns(x: np.ndarray) -> int:
    """The usual interval of sorted unique epochs (the median step), ns; 0 for one epoch."""
    return int(np.median(np.diff(x))) if x.size > 1 else 0


def _near(p: np.ndarray, t: np.ndarray, reach: int | None = None) -> tuple[bool, int]:
    """Whether some epoch of ``t`` lies within the reach of a sample of ``p`` (both sorted unique, ns),
    and that reach: by default the longer of the two usual intervals (an SP3 orbit serves one interval
    beyond its samples, as it is extrapolated that far; 30-s clocks meet 15-min orbits at their common
    epochs)."""
    if reach is None:
        reach = max(usual_interval_ns(p), usual_interval_ns(t))
    i = np.searchsorted(p, t)
    near = np.minimum(np.abs(t - p[np.maximum(i - 1, 0)]), np.abs(p[np.minimum(i, p.size - 1)] - t))
    return bool((near <= reach).any()), reach


def check_products_cover(what: str, product_ns, epochs_ns, hint: str, of: str = "the observations") -> None:
    """ConfigError before solving when a product has no sample near any epoch to process.

    Parameters
    ----------
    what : str
        The product, for the message (``"the SP3 files"``).
    product_ns, epochs_ns : array_like of int64
        The product's sample epochs and the epochs it must serve, GPST ns.
    hint : str
        What to give instead.
    of : str
        What ``epochs_ns`` are, for the message.

    Raises
    ------
    ConfigError
        When every epoch lies farther than the reach (:func:`_near`) from every sample: the spans do not
        overlap, or the epochs fall in a gap between product files (the days before and after). Products
        of another day, the common mistake, are far outside it.
    """
    p = np.unique(np.asarray(product_ns, np.int64))
    t = np.unique(np.asarray(epochs_ns, np.int64))
    if p.size == 0 or t.size == 0:
        return
    served, reach = _near(p, t)
    if not served:
        raise ConfigError(_uncovered(what, p, t, reach, hint, of))


def _uncovered(what: str, p: np.ndarray, t: np.ndarray, reach: int, hint: str, of: str) -> str:
    """The message of products (sorted unique samples ``p``) that serve none of the epochs ``t``."""
    if p[-1] + reach < t[0] or p[0] - reach > t[-1]:
        return f"{what} ({time_span(p)}) and {of} ({time_span(t)}) do not overlap: {hint}"
    return f"{what} ({time_span(p)}) have no sample within {reach / 1e9:g} s of {of} ({time_span(t)}): {hint}"


def _refuse_none(kind: str, files: list, epochs_ns, hint: str, of: str) -> None:
    """ConfigError for files none of which serves ``epochs_ns`` (each judged alone, as :func:`_serving`
    keeps them: the union's own step could make a sample look near)."""
    p = np.unique(np.concatenate([f.time_ns for f in files]))
    t = np.unique(np.asarray(epochs_ns, np.int64))
    reach = max(usual_interval_ns(np.unique(f.time_ns)) for f in files)
    raise ConfigError(_uncovered(_named(kind, files), p, t, max(reach, usual_interval_ns(t)), hint, of))


def _serving(files: list, epochs_ns) -> list:
    t = np.unique(np.asarray(epochs_ns, np.int64))
    return [f for f in files if t.size == 0 or len(f.time_ns) == 0 or _near(np.unique(f.time_ns), t)[0]]


def _window_neighbours(files: list, primary: list, epochs_ns, order: int) -> list:
    """Files of the primary files' analysis centres, not primary themselves, holding a sample of some
    epoch's interpolation window (``order`` samples centred on it: ceil(order / 2) intervals each side).
    Near midnight the polynomial takes samples of the day before or after; without that file it would
    be evaluated off-centre, centimetres to a metre worse for Galileo at 00:00-00:15 (sweep of stop 68).
    A centre without a primary file stays out: it would be chosen for a system by its satellites alone."""
    from .products.mix import centre_of

    centres = {centre_of(f) for f in primary}
    t = np.unique(np.asarray(epochs_ns, np.int64))
    out = []
    for f in files:
        if any(f is k for k in primary) or centre_of(f) not in centres or len(f.time_ns) == 0 or not t.size:
            continue
        p = np.unique(f.time_ns)
        if _near(p, t, -(-order // 2) * usual_interval_ns(p))[0]:
            out.append(f)
    return out


def select_precise(sp3: list, clk: list, epochs_ns, broadcast: bool, refuse: bool = True, order: int = 11):
    """The precise products that serve the observations, and notes naming the files left out.

    SP3 files with no sample near an observation epoch are left out, then clock files with none near
    an orbit epoch kept: a centre of another day among the files would otherwise be chosen over the
    day's own (the centres are ranked by their satellites, not by time). With nothing left, PPP is
    refused before any work (with navigation data the run would be broadcast PPP under a PPP heading,
    without them it would solve nothing); RTK (``refuse=False``) gets the files unchanged and falls back
    to broadcast with its own note. A clock file of another hour of the orbits' day stays: the SP3 clocks
    serve outside it.

    Parameters
    ----------
    sp3, clk : list of Sp3, list of ClockData
        The products as read (their ``time_ns``, GPST ns, and ``path``).
    epochs_ns : array_like of int64
        The observation epochs to process, GPST ns.
    broadcast : bool
        Navigation data were given: the hint offers a run without precise products.
    refuse : bool
        Raise when no SP3 file, or no clock file of several given, serves.
    order : int
        Samples of the orbit interpolation: a file of a centre kept (the day before or after) also stays
        when it holds a sample of some epoch's interpolation window.

    Returns
    -------
    sp3, clk : list
        The files kept, in their order.
    notes : list of str
        One line per file left out, with its span.

    Raises
    ------
    ConfigError
        Naming the files (one) or their kind (several), both time spans and what to give.
    """
    keep = _serving(sp3, epochs_ns)
    if sp3 and not keep:
        if not refuse:
            return sp3, clk, []
        hint = "give the products of the observations' days" + (
            ", or none for broadcast orbits and clocks" if broadcast else ""
        )
        _refuse_none("the SP3 file", sp3, epochs_ns, hint, "the observations")
    near = _window_neighbours(sp3, keep, epochs_ns, order)
    keep = [f for f in sp3 if any(f is k for k in keep + near)]
    orbits = np.concatenate([f.time_ns for f in keep]) if keep else np.zeros(0, np.int64)
    clocks = _serving(clk, orbits)
    if clk and not clocks and refuse:
        _refuse_none("the clock file", clk, orbits, "give the clocks of the orbits' days", "the SP3 files")
    notes = [
        f"{_named(kind, [f])} ({time_span(f.time_ns)}) left out: no sample near {what} ({time_span(t)})"
        for kind, files, kept, what, t in (
            ("the SP3 file", sp3, keep, "the observations", epochs_ns),
            ("the clock file", clk, clocks, "the SP3 files kept", orbits),
        )
        for f in files
        if not any(f is k for k in kept)
    ]
    return keep, clocks, notes


def check_clocks_serve_orbits(sp3: list, clk: list, option: str = "--clk") -> None:
    """ConfigError when a clock file has no sample near the SP3 files' epochs: the products would hold no
    clock there and the SP3 clocks would be dropped for it (``kompas orbits``, ``kompas monitor``)."""
    if not sp3:
        return
    orbits = np.concatenate([f.time_ns for f in sp3])
    for f in clk:
        check_products_cover(f"{option}: {_named('the clock file', [f])}", f.time_ns, orbits,
                             f"give the clocks of the SP3 files' days, or no {option} for the SP3 clocks",
                             "the SP3 files")  # fmt: skip


def _named(kind: str, files: list) -> str:
    path = getattr(files[0], "path", None) if len(files) == 1 else None
    return f"{kind} {path}" if path else f"{kind}s" if len(files) > 1 else kind


def window_or_error(obs, start=None, end=None, interval_s=None, who: str = "observation file"):
    """:func:`window`, raising a :class:`~kompas.errors.TimeError` that gives the file's span when the
    window holds no epoch (an option error: nothing can be computed)."""
    require_epochs(obs, who)  # before any window: the file itself may be empty
    out = window(obs, start, end, interval_s)
    if out.n_epochs == 0:
        raise empty_window_error(who, f"it covers {time_span(obs.epoch_time_ns)}")
    return out


def require_epochs(obs, who: str = "observation file") -> None:
    """TimeError naming the file when an observation table has no epoch at all (not an empty window)."""
    if obs.n_epochs == 0:
        path = getattr(obs, "path", None)
        raise TimeError(f"the {who}{f' {path}' if path else ''} has no epochs")


def empty_window_error(who: str, span: str) -> TimeError:
    """The error of a processing window without an epoch of the ``who`` file, with what is known of its
    ``span`` (a file read whole gives its span, one read as a stream its beginning)."""
    return TimeError(f"the {who} has no epoch in the processing window (--start/--end/--interval); {span}")


_DAY_DIVISORS_S = (60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def block_seconds(interval_s: float | None, target_epochs: int = 720) -> int:
    """The block length: the longest divisor of a day holding at most ``target_epochs`` epochs (at least
    one minute); 6 h for 30 s data, 10 min for 1 Hz data."""
    if not interval_s or interval_s <= 0:
        interval_s = 30.0
    fit = [d for d in _DAY_DIVISORS_S if d / interval_s <= target_epochs]
    return fit[-1] if fit else _DAY_DIVISORS_S[0]


def blocks(source, block_s: int) -> Iterator:
    """Time-aligned blocks (epochs of ``[k block_s, (k + 1) block_s)``) of a table or of a stream of tables.

    A table is cut into O(1) views; a stream's pieces are collected until a block is complete and joined
    (:meth:`~kompas.tables.obs.ObsTable.concat`). An empty source gives one empty block (its header).
    """
    from .tables.obs import ObsTable

    step = int(block_s) * 1_000_000_000
    if isinstance(source, ObsTable):
        yield from _cut(source, step, final=True)
        return
    pending: list = []
    last = None
    for table in source:
        last = table
        for part in _cut(table, step, final=False):
            if pending and _block_of(pending[0], step) != _block_of(part, step):
                yield ObsTable.concat(pending)
                pending = []
            pending.append(part)
    if pending:
        yield ObsTable.concat(pending)
    elif last is not None:
        yield last  # a stream without epochs (no part was ever pending): its (empty) table carries the header


def _block_of(table, step):
    return int(table.epoch_time_ns[0] // step) if table.n_epochs else None


def _cut(table, step, final):
    """Views of a table at the block boundaries (the empty table itself when it has no epoch)."""
    if table.n_epochs == 0:
        if final:
            yield table
        return
    k = table.epoch_time_ns // step
    edges = np.flatnonzero(np.diff(k)) + 1
    bounds = [0, *edges.tolist(), table.n_epochs]
    for a, b in itertools.pairwise(bounds):
        yield table.epochs(a, b)


def run(
    parts: Iterable,
    solve: Callable[[object], Solution],
    total_epochs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Solution:
    """Solve every block and join the solutions.

    Parameters
    ----------
    parts : iterable of ObsTable
        Blocks of consecutive epochs (from :func:`blocks` or a stream).
    solve : callable
        The recipe's solver for one block.
    total_epochs : int, optional
        For progress reports.
    progress : callable, optional
        ``progress(done_epochs, total_epochs)`` after each block (``total_epochs`` None for a stream).
    """
    out = []
    done = 0
    for block in parts:
        out.append(solve(block))
        done += block.n_epochs
        if progress is not None:
            progress(done, total_epochs)
    return Solution.concat(out)


def product_config(nav, cfg, asked=()):
    """``cfg`` as a recipe given ``nav`` runs it: a BroadcastProduct passes unchanged (its own record
    options apply), so its options replace the config's ephemeris options and the solution's record says
    what was applied; any other ``nav`` leaves ``cfg`` as it is.

    Parameters
    ----------
    nav : NavData, list of NavData or BroadcastProduct
    cfg : SppConfig or RtkConfig
    asked : iterable of str
        Option names the caller gave by name (``policy="rtklib"``): an ephemeris option set to another
        value than the product applies is a ConfigError, never silently overridden.
    """
    from .products.broadcast import BroadcastProduct

    if not isinstance(nav, BroadcastProduct):
        return cfg
    applied = nav.applied_options()
    differ = nav.differing_options(cfg.ephemeris, {str(k).rsplit(".", 1)[-1] for k in asked})
    if differ:
        raise ConfigError(
            f"{', '.join(differ)}: the BroadcastProduct given as nav applies its own "
            f"({', '.join(f'{k}={applied[k]!r}' for k in differ)}); give the NavData for the recipe to "
            "build the product from its options, or build the product with them"
        )
    return cfg.replace(**applied)
