"""Write a RINEX 3.05 observation file block by block (bounded memory).

:func:`kompas.io.writers.rinex_obs.write_obs` needs the whole table: it takes the observation types
and the first and last epochs from it. :class:`ObsStreamWriter` is told them up front, writes the
header at once and then appends the records of each block of epochs as it comes, formatted
exactly as ``write_obs`` formats them (the same functions), so that a file written in blocks is
byte for byte the file ``write_obs`` writes from the concatenated table when the declared types are
the ones present in the data.

The declared types may include types no block fills (RINEX allows a type without values; its
fields are blank).
"""

from __future__ import annotations

import datetime as _dt
import gzip
import os

import numpy as np

from ...errors import KompasError
from ...satsys import sat_id, sat_system, signal_code
from ...tables.obs import ObsHeader, ObsTable
from .rinex_obs import _BLOCK_EPOCHS, _body_block, _column_lut, _header_lines

__all__ = ["ObsStreamWriter"]


def _frame(first_ns: int, last_ns: int, header: ObsHeader) -> ObsTable:
    """A table without rows whose two epochs are the first and last of the file (for the header)."""
    t = np.array([first_ns, last_ns], dtype=np.int64)
    z = np.zeros(0)
    return ObsTable(
        time_ns=np.zeros(0, np.int64),
        sat=np.zeros(0, np.int16),
        signal=np.zeros(0, np.uint8),
        code_m=z,
        phase_cyc=z,
        doppler_hz=z,
        cn0_dbhz=np.zeros(0, np.float32),
        lli=np.zeros(0, np.uint8),
        ssi=np.zeros(0, np.uint8),
        epoch_time_ns=t,
        epoch_offsets=np.zeros(3, np.int64),
        epoch_flag=np.zeros(2, np.uint8),
        epoch_clock_s=np.full(2, np.nan),
        header=header,
        events=(),
        obs_code_layouts=(header.obs_types,),
        path=None,
    )


class ObsStreamWriter:
    """A RINEX 3.05 observation file written in blocks of epochs.

    Parameters
    ----------
    path : str or os.PathLike
        Destination (gzip-compressed when it ends in ``.gz``). Opened for writing at once.
    header : ObsHeader
        Station, receiver and antenna metadata (its ``interval_s`` is written when set).
    types : dict of str to sequence of str
        Observation codes per system letter, in the order the columns are written (``write_obs``
        orders them by signal code, then kind C, L, D, S).
    first_ns, last_ns : int
        ``TIME OF FIRST OBS`` and ``TIME OF LAST OBS``, GPST ns.
    program : str
        ``PGM / RUN BY / DATE`` program (at most 20 characters).

    Raises
    ------
    KompasError
        A header field that does not fit; a block of another system layout; epochs out of order.
    OSError
        When the file cannot be created.

    Examples
    --------
    >>> with ObsStreamWriter(path, hdr, types, t0, t1) as w:   # doctest: +SKIP
    ...     for block in blocks:
    ...         w.write(block)
    """

    def __init__(self, path, header: ObsHeader, types: dict, first_ns: int, last_ns: int, *,
                 program: str = "kompas", _now: _dt.datetime | None = None):  # fmt: skip
        self.types = {s: list(c) for s, c in types.items() if c}
        if not self.types:
            raise KompasError("ObsStreamWriter needs at least one observation type")
        self._lut, self._nobs = _column_lut(self.types)
        lines = _header_lines(_frame(int(first_ns), int(last_ns), header), header, self.types, program, _now)
        p = os.fspath(path)
        self._fh = gzip.open(p, "wb") if p.lower().endswith(".gz") else open(p, "wb")
        self._last = None
        self._fh.write("\n".join(lines).encode("ascii") + b"\n")

    def write(self, obs: ObsTable) -> None:
        """Append the epochs of ``obs`` (after every epoch written so far)."""
        if obs.n_epochs == 0:
            return
        if self._last is not None and obs.epoch_time_ns[0] <= self._last:
            raise KompasError("ObsStreamWriter: blocks must come in time order")
        undeclared = (self._lut[sat_system(obs.sat), obs.signal] < 0).all(axis=-1)
        if undeclared.any():
            i = int(np.argmax(undeclared))
            raise KompasError(
                f"ObsStreamWriter: {sat_id(obs.sat[i])} signal {signal_code(obs.signal[i])} "
                "is not among the declared observation types"
            )
        for e0 in range(0, obs.n_epochs, _BLOCK_EPOCHS):
            self._fh.write(_body_block(obs, e0, min(e0 + _BLOCK_EPOCHS, obs.n_epochs), self._lut, self._nobs))
        self._last = int(obs.epoch_time_ns[-1])

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> ObsStreamWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
