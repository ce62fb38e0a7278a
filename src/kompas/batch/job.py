"""The pure job description: what to compute for which station-day, and its content hash.

A :class:`BatchJob` is data only (paths, a task name, the recipe's typed configuration); it can be
written down, pickled to a Dask worker, and compared between runs. Nothing here reads an input or
starts a process, except :func:`input_hash`, which reads the input files' bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping

from ..config import to_toml

__all__ = ["StationDay", "BatchJob", "input_hash", "HASH_CHUNK"]

HASH_CHUNK = 1 << 20
"""Bytes read at a time while hashing an input file."""


@dataclasses.dataclass(frozen=True)
class StationDay:
    """One unit of work: a station's observation file of one day (or session) and the files it needs.

    Attributes
    ----------
    station : str
        Station id (``ESBC00DNK`` from RINEX 3 long names, ``SLAC`` from RINEX 2 short names).
    day : str
        Calendar day of the observations' start, ``YYYY-MM-DD`` (GPST).
    session : str
        ``HHMM-PPU`` start and nominal span of the file (``0000-01D``, ``1000-01H``); a station-day made
        of hourly files is several units.
    inputs : Mapping[str, tuple[str, ...]]
        Absolute paths by role: ``obs`` (one file), ``nav`` (navigation files), and where a task needs
        them ``orbit``, ``clock``, ``bias``, ``antex``, ``base`` (the reference station's observations).
    notes : tuple of str
        What the plan chose for the unit where it had a choice (``orbit and clock of GRG0MGXFIN; left
        out: COD0MGXFIN (no clock file)``); added to the unit's summary message, not to its input
        hash.
    """

    station: str
    day: str
    session: str
    inputs: Mapping[str, tuple[str, ...]]
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        frozen = {k: tuple(os.fspath(p) for p in v) for k, v in sorted(self.inputs.items())}
        object.__setattr__(self, "inputs", frozen)
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def key(self) -> tuple[str, str, str]:
        """``(station, day, session)``: the identity of the unit in the results."""
        return (self.station, self.day, self.session)

    def paths(self, role: str) -> tuple[str, ...]:
        """The input files of one role (empty when none)."""
        return self.inputs.get(role, ())

    def __hash__(self) -> int:
        return hash((self.key, tuple(self.inputs.items())))


@dataclasses.dataclass(frozen=True)
class BatchJob:
    """Every unit of a batch: one task with one configuration over many station-days.

    Attributes
    ----------
    task : str
        ``spp`` (and ``qc``, ``ppp``, ``rtk`` when their recipes are registered; see
        :data:`kompas.batch.TASKS`).
    config : Options
        The task's typed configuration (:class:`kompas.SppConfig` for ``spp``).
    items : tuple of StationDay
    out : str
        Folder of the results (see :mod:`kompas.batch.store` for the layout).
    """

    task: str
    config: object
    items: tuple[StationDay, ...]
    out: str

    def __post_init__(self):
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "out", os.path.abspath(os.fspath(self.out)))


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def input_hash(item: StationDay, task: str, config, version: str) -> str:
    """SHA-256 of everything a result depends on: the task, the configuration, the inputs' bytes.

    Parameters
    ----------
    item : StationDay
    task : str
    config : Options
        Hashed through its TOML form (:func:`kompas.config.to_toml`), so equal options give equal
        hashes across processes and Python versions.
    version : str
        kompas version: a new version recomputes every result.

    Returns
    -------
    str
        64 hexadecimal digits. File names do not enter it (a renamed file is the same input), their
        roles and order do.

    Raises
    ------
    OSError
        When an input cannot be read.
    """
    h = hashlib.sha256()
    h.update(f"kompas {version}\ntask {task}\n".encode())
    h.update(to_toml(config).encode())
    for role, paths in item.inputs.items():
        h.update(f"\n[{role}]\n".encode())
        for p in paths:
            h.update(_file_digest(p).encode() + b"\n")
    return h.hexdigest()
