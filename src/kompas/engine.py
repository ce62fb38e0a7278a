"""The epoch engine: walks observation blocks through a recipe's solver and joins the solutions.

A recipe (SPP now, RTK and PPP next) supplies ``solve(block) -> Solution`` for a block of consecutive
epochs. The engine cuts a file's table into blocks with the CSR epoch offsets (an O(1) view per block,
never a mask over the whole table), or takes blocks from any iterable (a stream of epochs from a
receiver), calls the solver, reports progress and concatenates the parts with
:meth:`kompas.Solution.concat`. Memory is bounded by the block size, time is linear in the epochs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .errors import ConfigError
from .solution import Solution
from .time import from_datetime64

__all__ = ["window", "blocks", "run"]


def _instant(text: str, what: str) -> int:
    try:
        return int(from_datetime64(np.datetime64(text, "ns"), "GPST"))
    except ValueError:
        raise ConfigError(f"{what} {text!r} is not an ISO date-time") from None


def window(obs, start: str | None = None, end: str | None = None, interval_s: float | None = None):
    """The epochs of ``obs`` inside ``[start, end]`` (GPST, ISO text) on multiples of ``interval_s``.

    Start and end cut O(1) views; an interval keeps the epochs whose time of day is a multiple of it
    (RTKLIB's ``-ti``), which copies the rows kept.
    """
    t = obs.epoch_time_ns
    a = 0 if start is None else int(np.searchsorted(t, _instant(start, "start"), side="left"))
    b = t.size if end is None else int(np.searchsorted(t, _instant(end, "end"), side="right"))
    out = obs.epochs(a, b)
    if interval_s:
        step = round(interval_s * 1e9)
        if step <= 0:
            raise ConfigError(f"interval must be positive, not {interval_s}")
        keep = (out.epoch_time_ns % step) == 0
        if not keep.all():
            rows = np.repeat(keep, np.diff(out.epoch_offsets))
            out = out.take_epochs(keep, rows)
    return out


def blocks(obs, epochs_per_block: int) -> Iterator:
    """Consecutive blocks of at most ``epochs_per_block`` epochs (O(1) views of ``obs``)."""
    n = obs.n_epochs
    if n == 0:
        yield obs
        return
    for a in range(0, n, epochs_per_block):
        yield obs.epochs(a, min(a + epochs_per_block, n))


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
