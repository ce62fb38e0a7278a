"""One receiver's session in several observation files (a station's hourly or 15-minute files) as one.

IGS and EPN stations publish their high-rate data in 15-minute files and many archives keep hourly files,
so a session of a few hours comes as a dozen files. RTKLIB reads the files a wildcard matches as one
receiver's data (``rnx2rtkp 'rov*.obs' ...``): it sorts the epochs and drops repeated ones
(``sortobs``, ``rtkcmn.c``). kompas does the same, and first makes sure the files belong together:

- the headers are read first (:func:`~kompas.io.readers.rinex_obs.read_obs_header`) and the files put
  in the order of the first epoch of their bodies (:func:`~kompas.io.readers.rinex_obs.first_epoch_ns`:
  a Hatanaka file's first epoch line, else its first 64 kB; the header's ``TIME OF FIRST OBS`` may be
  stale in a file cut from a longer one);
- files of another marker, receiver type, antenna type or antenna eccentricity are refused
  (:class:`~kompas.errors.ConfigError` naming both files): joined, one set-up's positions or biases would
  be taken for another's;
- epochs of a later file at or before the last epoch already read (the repeated epoch at the join of files
  that both hold it, or overlapping files) are dropped, with one
  :class:`~kompas.errors.RepeatedEpochWarning` that counts them per file;
- every table gets one header: the first file's, with the observation codes (of the files of its RINEX
  major version) and GLONASS channels of all files, the last file's ``TIME OF LAST OBS``, and no
  ``INTERVAL`` where the files declare different ones.

One path gives exactly what :func:`~kompas.io.readers.rinex_obs.read_obs` (or ``iter_obs``) gives.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace

import numpy as np

from ...errors import ConfigError, DroppedRecordWarning, FormatError, RepeatedEpochWarning, caller_stacklevel
from ...satsys import GlonassChannels
from ...tables.obs import ObsTable
from .._open import file_name
from .rinex_obs import first_epoch_ns, iter_obs, read_obs, read_obs_header

__all__ = ["read_obs_files", "iter_obs_files", "plan_obs_files"]

_SETUP = (
    ("marker_name", "marker"),
    ("receiver_type", "receiver type"),
    ("antenna_type", "antenna type"),
)


def _as_paths(paths) -> list:
    """A list of file paths (ConfigError for an empty list, or for anything that is not a path)."""
    if not isinstance(paths, (list, tuple)):
        file_name(paths)  # ConfigError naming what was given instead
        return [paths]
    if not paths:
        raise ConfigError("no observation file given")
    for p in paths:
        file_name(p)
    return list(paths)


def _first_time(path, header) -> int:
    """The first epoch of the file's body (GPST ns; files without one last): a header's ``TIME OF FIRST
    OBS`` may be stale (a file cut from a longer one keeps it)."""
    first = first_epoch_ns(path, header)
    return np.iinfo(np.int64).max if first is None else first


def _check_setup(paths, headers) -> None:
    """ConfigError when two files are not one receiver's set-up (a blank field is no evidence)."""
    for attr, what in _SETUP:
        seen = None  # (path, value) of the first file that names it
        for p, h in zip(paths, headers, strict=True):
            value = getattr(h, attr).strip()
            if not value:
                continue
            if seen is None:
                seen = (p, value)
            elif value.upper() != seen[1].upper():
                raise ConfigError(
                    f"{os.fspath(seen[0])} and {os.fspath(p)} are not one receiver's files: {what} "
                    f"{seen[1]!r} and {value!r}; process them apart"
                )
    p0, h0 = paths[0], headers[0]
    for p, h in zip(paths[1:], headers[1:], strict=True):
        if not np.allclose(h0.antenna_delta_hen_m, h.antenna_delta_hen_m, rtol=0.0, atol=5e-5):
            raise ConfigError(
                f"{os.fspath(p0)} and {os.fspath(p)} are not one receiver's files: antenna delta H/E/N "
                f"{_hen(h0)} and {_hen(h)} m; process them apart"
            )


def _hen(h) -> str:
    return "/".join(f"{v:.4f}" for v in h.antenna_delta_hen_m)


def _merged_header(headers):
    """The first header with every file's observation codes and GLONASS channels, the last file's end."""
    first = headers[0]
    types: dict = {}
    for h in headers:
        if int(h.version) != int(first.version):  # RINEX 2 codes (C1, L2) do not mix with RINEX 3's
            continue
        for sys_, codes in h.obs_types.items():
            have = types.setdefault(sys_, [])
            have.extend(c for c in codes if c not in have)
    cpb: dict = {}
    for h in headers:  # the earliest file's known value (a blank record is NaN: unknown)
        for code, value in h.glonass_cpb_m.items():
            if code not in cpb or (np.isnan(cpb[code]) and not np.isnan(value)):
                cpb[code] = value
    return replace(
        first,
        obs_types={k: tuple(v) for k, v in types.items()},
        # a slot in several files takes the earliest file's channel (merge keeps the last one given)
        glonass_channels=GlonassChannels.merge(*(h.glonass_channels for h in reversed(headers))),
        glonass_cpb_m=cpb,
        time_of_last_obs_ns=headers[-1].time_of_last_obs_ns,
        interval_s=first.interval_s if all(h.interval_s == first.interval_s for h in headers) else None,
    )


def plan_obs_files(paths, *, strict: bool = False, skip_unreadable: bool = False):
    """The files in time order and their one header, after checking that they belong together.

    Parameters
    ----------
    paths : str, os.PathLike or sequence of them
    strict : bool
        As :func:`~kompas.io.readers.rinex_obs.read_obs`.
    skip_unreadable : bool
        Of several files, leave out those whose header does not read (:class:`_Skipper`) instead of
        raising; the first error is raised when none reads.

    Returns
    -------
    (list, ObsHeader)
        The paths sorted by their first epoch (a stable sort: files that start together keep their order),
        and the header every table of the session carries (None for one path: its own).

    Raises
    ------
    ConfigError
        No path, or files of different set-ups.
    FormatError
        A header that does not parse.
    """
    paths = _as_paths(paths)
    if len(paths) == 1:  # read as read_obs reads it: its header comes with its first block
        return paths, None
    skip = _Skipper(skip_unreadable)
    with warnings.catch_warnings():  # the header's repairs are reported once, when the file is read
        warnings.simplefilter("ignore")
        headers = [skip.call(p, read_obs_header, p, strict=strict) for p in paths]
    paths, headers = skip.kept(paths, headers)
    if len(paths) == 1:
        return paths, headers[0]
    starts = [_first_time(p, h) for p, h in zip(paths, headers, strict=True)]
    order = sorted(range(len(paths)), key=starts.__getitem__)
    paths, headers = [paths[i] for i in order], [headers[i] for i in order]
    _check_setup(paths, headers)
    return paths, _merged_header(headers)


_UNREADABLE = (FormatError, OSError, EOFError)
"""Errors of a file that does not read (a header or record that does not parse, a damaged archive)."""


class _Skipper:
    """Leaves out the files that do not read, when asked to (a day of 96 files is not lost to one bad
    file): each is named in a :class:`~kompas.errors.DroppedRecordWarning` with its error; when no file
    reads, the first error is raised. Not asked to, errors pass through."""

    def __init__(self, active: bool):
        self.active = active
        self.errors: list = []  # (path, exception)

    def call(self, path, fn, *args, **kw):
        """``fn(*args, **kw)``, or None (the error recorded) when the file does not read."""
        try:
            return fn(*args, **kw)
        except _UNREADABLE as exc:
            if not self.active:
                raise
            self.errors.append((path, exc))
            return None

    def kept(self, paths, values):
        """The paths and values of the files that read; warns of the others (outside any filter that
        silenced the header's repairs)."""
        for path, exc in self.errors:
            self.warn(path, exc)
        pairs = [(p, v) for p, v in zip(paths, values, strict=True) if v is not None]
        if not pairs:
            raise self.errors[0][1]
        return [p for p, _ in pairs], [v for _, v in pairs]

    @staticmethod
    def warn(path, exc, partly: bool = False) -> None:
        what = "the rest of the file left out" if partly else "file left out of the session"
        text = str(exc) if os.fspath(path) in str(exc) else f"{os.fspath(path)}: {exc}"
        warnings.warn(DroppedRecordWarning(f"{what}: {text}"), stacklevel=caller_stacklevel())


class _Joiner:
    """Drops epochs at or before the last one kept and gives every table the session's header."""

    def __init__(self, header, paths):
        self.header = header
        self.sources = tuple(os.fspath(p) for p in paths)
        self.last = None
        self.dropped: dict = {}

    def take(self, path, table: ObsTable) -> ObsTable:
        if len(self.sources) == 1:  # a file read alone keeps its own header
            return table
        if self.last is not None and table.n_epochs:
            keep = table.epoch_time_ns > self.last
            if not keep.all():
                name = os.path.basename(os.fspath(path))
                self.dropped[name] = self.dropped.get(name, 0) + int((~keep).sum())
                table = table.take_epochs(keep)
        if table.n_epochs:
            self.last = int(table.epoch_time_ns[-1])
        return replace(table, header=self.header, sources=self.sources)

    def warn(self) -> None:
        if self.dropped:
            each = ", ".join(f"{n} of {name}" for name, n in self.dropped.items())
            warnings.warn(
                RepeatedEpochWarning(
                    f"{sum(self.dropped.values())} epoch(s) at or before the end of the earlier files "
                    f"dropped (repeated at the joins or overlapping; the earlier file's kept): {each}"
                ),
                stacklevel=caller_stacklevel(),
            )


def read_obs_files(
    paths, *, strict: bool = False, systems: str | None = None, skip_unreadable: bool = False
) -> ObsTable:
    """Read one receiver's observation files as one table (see the module notes).

    Parameters
    ----------
    paths : str, os.PathLike or sequence of them
        The files, in any order.
    strict, systems
        As :func:`~kompas.io.readers.rinex_obs.read_obs`.
    skip_unreadable : bool
        Of several files, leave out the ones that do not read (a header or a record that does not parse,
        a damaged compressed file), each named in a ``DroppedRecordWarning``; the first error is raised
        only when no file reads. One file always raises.

    Returns
    -------
    ObsTable
        Every epoch of the files once, in time order, with the session's header.

    Raises
    ------
    ConfigError
        Files of different set-ups (marker, receiver type, antenna type or eccentricity).
    FormatError
        As :func:`~kompas.io.readers.rinex_obs.read_obs`, naming the file.

    Warns
    -----
    RepeatedEpochWarning
        Epochs repeated at the joins or overlapping, counted per file (nothing is lost).
    DroppedRecordWarning
        Files left out (``skip_unreadable``).
    """
    paths, header = plan_obs_files(paths, strict=strict, skip_unreadable=skip_unreadable)
    if header is None:
        return read_obs(paths[0], strict=strict, systems=systems)
    skip = _Skipper(skip_unreadable)
    read = [skip.call(p, read_obs, p, strict=strict, systems=systems) for p in paths]
    paths, read = skip.kept(paths, read)
    if skip.errors and len(paths) > 1:  # the session's header of the files read, not of those left out
        header = _merged_header([t.header for t in read])
    join = _Joiner(header, paths)  # the files read
    tables = [join.take(p, t) for p, t in zip(paths, read, strict=True)]
    join.warn()
    return ObsTable.concat([t for t in tables if t.n_epochs] or tables[:1])  # each table names the files


def iter_obs_files(paths, *, strict: bool = False, systems: str | None = None, skip_unreadable: bool = False):
    """Read one receiver's observation files block by block, as
    :func:`~kompas.io.readers.rinex_obs.iter_obs` reads one: a generator of
    :class:`~kompas.tables.obs.ObsTable`, the files one after the other in time order, each table with the
    session's header. Memory stays bounded by one block. Raises and warns as :func:`read_obs_files`
    (the set-up checks before the first block); with ``skip_unreadable`` a file whose body fails part way
    keeps the blocks already given and the rest of it is left out. The header of the blocks is planned
    before any body is read, so it still counts such a file (its codes, ``TIME OF LAST OBS``) and
    ``sources`` still names it."""
    paths, header = plan_obs_files(paths, strict=strict, skip_unreadable=skip_unreadable)
    join = _Joiner(header, paths)
    given, spare, first_error = False, None, None
    for p in paths:
        try:
            for table in iter_obs(p, strict=strict, systems=systems):
                table = join.take(p, table)
                if table.n_epochs:
                    given = True
                    yield table
                elif spare is None:
                    spare = table
        except _UNREADABLE as exc:
            if not skip_unreadable or header is None:  # one file: its error is the unit's
                raise
            first_error = first_error or exc
            _Skipper.warn(p, exc, partly=True)
    if not given and spare is None and first_error is not None:
        raise first_error
    if not given and spare is not None:  # no file had an epoch: the header alone, as iter_obs gives
        yield spare
    join.warn()
