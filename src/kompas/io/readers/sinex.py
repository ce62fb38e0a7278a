"""SINEX 2.x reader for station coordinates and site metadata (IGS/IERS Solution INdependent EXchange).

Format: *SINEX - Solution (Software/technique) INdependent EXchange Format, Version 2.02* (IERS, 2006).
Blocks read (``+BLOCK`` ... ``-BLOCK``; comment lines start with ``*``):

* ``SITE/ID``: code, point, DOMES number, observation technique, description (columns 22-43);
* ``SITE/RECEIVER`` and ``SITE/ANTENNA``: code, point, solution, validity ``YY:DDD:SSSSS`` start and end,
  receiver or antenna type (columns 43-62, antenna type with radome), serial number, firmware;
* ``SITE/ECCENTRICITY``: validity, reference system (``UNE`` or ``XYZ``), ARP -> benchmark offset
  (up, north, east in metres for ``UNE``);
* ``SOLUTION/EPOCHS``: per station and solution number, the data span and mean epoch;
* ``SOLUTION/ESTIMATE``: ``STAX STAY STAZ`` (m) and ``VELX VELY VELZ`` (m/yr) with their reference epochs
  and standard deviations; other parameter types are kept in the table but not interpreted.

Epochs ``YY:DDD:SSSSS`` (two-digit year: 50-99 -> 19YY, else 20YY; ``00:000:00000`` = open) are read
as GPST (the format does not name a time scale; the 18 s question is irrelevant for coordinates).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ...errors import FormatError, KompasError, NotFoundError
from ...tables.satellites import T_MAX_NS, T_MIN_NS
from ...time import DAY_NS, NS, gtime_from_calendar
from .._open import file_name, read_text
from .._text import LineParser
from .._text import parse_float as _float
from .._text import parse_int as _int

__all__ = ["SinexSite", "SinexFile", "StationNotFoundError", "read_sinex"]


class StationNotFoundError(NotFoundError):
    """A site the SINEX file does not hold."""


_YEAR_NS = 365.25 * DAY_NS


@functools.lru_cache(maxsize=4096)
def _epoch_ns(text: str, open_value: int) -> int:
    m = re.fullmatch(r"(\d{2}):(\d{3}):(\d{5})", text.strip())
    if not m:
        raise ValueError(f"expected an epoch YY:DDD:SSSSS, found {text!r}")
    yy, ddd, sss = (int(g) for g in m.groups())
    if yy == 0 and ddd == 0 and sss == 0:
        return open_value
    year = 1900 + yy if yy >= 50 else 2000 + yy
    return _jan1_ns(year) + (max(ddd, 1) - 1) * DAY_NS + sss * NS


@functools.lru_cache(maxsize=256)
def _jan1_ns(year: int) -> int:
    return int(gtime_from_calendar(year, 1, 1))


@dataclass
class SinexSite:
    """Metadata of one site (code + point).

    Attributes
    ----------
    code, point, domes, description : str
    receivers, antennas : list of dict
        Rows with ``solution``, ``start_ns``, ``end_ns``, ``type``, ``serial`` (and ``firmware`` for
        receivers); antenna ``type`` is the 20-character IGS name with radome (``"LEIAR25.R3      LEIT"``).
    eccentricities : list of dict
        Rows with ``start_ns``, ``end_ns``, ``system`` (``"UNE"``/``"XYZ"``) and ``offset_m`` (3,): for UNE,
        up, north, east of the ARP above the marker.
    """

    code: str
    point: str
    domes: str = ""
    description: str = ""
    receivers: list = field(default_factory=list)
    antennas: list = field(default_factory=list)
    eccentricities: list = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class SinexFile:
    """Content of a SINEX file: sites and the ``SOLUTION/ESTIMATE`` table (struct of arrays)."""

    sites: dict
    est_type: np.ndarray
    est_code: np.ndarray
    est_point: np.ndarray
    est_solution: np.ndarray
    est_ref_ns: np.ndarray
    est_value: np.ndarray
    est_sigma: np.ndarray
    epochs: dict
    path: str | None = None

    def site(self, name: str) -> SinexSite:
        """The site of a 4-character code (or a RINEX 3 name whose first 4 characters are the code)."""
        code = name.strip().upper()[:4]
        for (c, _pt), s in self.sites.items():
            if c == code:
                return s
        raise StationNotFoundError(f"site {name!r} is not in the SINEX file {self.path or ''}".rstrip())

    def station_position(self, name: str, t_gpst_ns=None) -> tuple[np.ndarray, np.ndarray, int]:
        """Station coordinates at an instant, applying velocities when the file has them.

        Parameters
        ----------
        name : str
            4-character site code (``"WTZR"``; a 9-character RINEX name works too).
        t_gpst_ns : int, optional
            Instant, GPST ns; without it the coordinates at their reference epoch are returned.
            Among several solutions of the site, the one whose ``SOLUTION/EPOCHS`` span holds the
            instant is used, else the one whose mean epoch is nearest.

        Returns
        -------
        xyz : numpy.ndarray, shape (3,)
            ECEF position, m.
        sigma : numpy.ndarray, shape (3,)
            Formal standard deviations of the estimate, m.
        ref_ns : int
            Reference epoch of the coordinates (before any propagation), GPST ns.

        Raises
        ------
        StationNotFoundError
            When the site has no STAX/STAY/STAZ estimate.
        KompasError
            When a solution of the site has not exactly one estimate per axis.
        """
        code = name.strip().upper()[:4]
        rows = np.flatnonzero((self.est_code == code) & np.isin(self.est_type, ["STAX", "STAY", "STAZ"]))
        if rows.size == 0:
            raise StationNotFoundError(
                f"no STAX/STAY/STAZ estimate for {code} in {self.path or 'the SINEX file'}"
            )
        sols = sorted(set(self.est_solution[rows].tolist()))
        sol = sols[0]
        if t_gpst_ns is not None and len(sols) > 1:
            t = int(t_gpst_ns)

            def score(s):
                start, end, mean = self.epochs.get((code, s), (T_MIN_NS, T_MAX_NS, 0))
                return (0 if start <= t <= end else 1, abs(t - mean))

            sol = min(sols, key=score)
        pick = rows[self.est_solution[rows] == sol]
        xyz, sig, ref = np.zeros(3), np.zeros(3), 0
        for k, axis in enumerate("XYZ"):
            r = pick[self.est_type[pick] == f"STA{axis}"]
            if r.size != 1:
                raise KompasError(f"{code} solution {sol}: {r.size} STA{axis} estimates")
            xyz[k], sig[k], ref = self.est_value[r[0]], self.est_sigma[r[0]], int(self.est_ref_ns[r[0]])
        if t_gpst_ns is not None:
            vel = np.flatnonzero(
                (self.est_code == code)
                & (self.est_solution == sol)
                & np.isin(self.est_type, ["VELX", "VELY", "VELZ"])
            )
            if vel.size == 3:
                v = np.array([self.est_value[vel[self.est_type[vel] == f"VEL{a}"][0]] for a in "XYZ"])
                xyz = xyz + v * (int(t_gpst_ns) - ref) / _YEAR_NS
        return xyz, sig, ref


_LIMITS = {
    "STA": (1.0e7, "m", "a station coordinate lies within 10,000 km of the geocentre"),
    "VEL": (1.0, "m/y", "station velocities are centimetres a year"),
}
"""Magnitudes beyond which a SOLUTION/ESTIMATE value of a station coordinate (STAX/Y/Z) or velocity
(VELX/Y/Z) is a damaged row, not a station."""


class _SinexParser(LineParser):
    def _parse(self) -> SinexFile:
        if not self.lines or not self.lines[0].startswith("%=SNX"):
            self.n = 1
            raise self.error("expected the '%=SNX' header line")
        sites: dict[tuple[str, str], SinexSite] = {}
        est: list[tuple] = []
        epochs: dict = {}
        block = None
        for n, line in enumerate(self.lines, start=1):
            self.n = n
            if line.startswith("+"):
                block = line[1:].split()[0] if line[1:].strip() else ""
                continue
            if line.startswith("-"):
                block = None
                continue
            if not line.strip() or line.startswith("*") or line.startswith("%") or block is None:
                continue
            if block == "SITE/ID":
                s = self._site(sites, line)
                s.domes, s.description = line[9:18].strip(), line[21:43].strip()
            elif block in ("SITE/RECEIVER", "SITE/ANTENNA"):
                row = {
                    "solution": line[9:13].strip(),
                    "start_ns": _epoch_ns(line[16:28], T_MIN_NS),
                    "end_ns": _epoch_ns(line[29:41], T_MAX_NS),
                    "type": line[42:62].rstrip(),
                    "serial": line[63:68].strip(),
                }
                if block == "SITE/RECEIVER":
                    row["firmware"] = line[69:80].strip()
                    self._site(sites, line).receivers.append(row)
                else:
                    self._site(sites, line).antennas.append(row)
            elif block == "SITE/ECCENTRICITY":
                vals = [_float(line[46 + 9 * k : 55 + 9 * k], "eccentricity") for k in range(3)]
                self._site(sites, line).eccentricities.append(
                    {
                        "start_ns": _epoch_ns(line[16:28], T_MIN_NS),
                        "end_ns": _epoch_ns(line[29:41], T_MAX_NS),
                        "system": line[42:45].strip(),
                        "offset_m": np.array(vals),
                    }
                )
            elif block == "SOLUTION/EPOCHS":
                key = (line[1:5].strip().upper(), line[9:13].strip())
                epochs[key] = tuple(
                    _epoch_ns(line[a:b], d)
                    for a, b, d in ((16, 28, T_MIN_NS), (29, 41, T_MAX_NS), (42, 54, 0))
                )
            elif block == "SOLUTION/ESTIMATE":
                est.append(self._estimate(line))
        if not sites and not est:
            raise FormatError(self.path, None, "no SITE/ID and no SOLUTION/ESTIMATE block")
        cols = list(zip(*est, strict=True)) if est else [[]] * 7
        return SinexFile(
            sites=sites,
            est_type=np.array(cols[0], dtype="U6"),
            est_code=np.array(cols[1], dtype="U4"),
            est_point=np.array(cols[2], dtype="U2"),
            est_solution=np.array(cols[3], dtype="U4"),
            est_ref_ns=np.array(cols[4], dtype=np.int64),
            est_value=np.array(cols[5], dtype=np.float64),
            est_sigma=np.array(cols[6], dtype=np.float64),
            epochs=epochs,
            path=self.path,
        )

    @staticmethod
    def _estimate(line: str) -> tuple:
        """One SOLUTION/ESTIMATE row: (type, code, point, solution, ref epoch ns, value, std dev)."""
        tok = line.split()
        if len(tok) < 10:
            raise ValueError(f"expected 10 fields in SOLUTION/ESTIMATE, found {len(tok)}")
        _int(tok[0], "parameter index")
        value, sigma = _float(tok[8], "estimate"), _float(tok[9], "std dev")
        limit, unit, why = _LIMITS.get(tok[1][:3], (np.inf, "", ""))
        if abs(value) > limit:
            raise ValueError(f"{tok[1]} = {value:g} {unit}: {why}")
        if sigma < 0:
            raise ValueError(f"std dev {sigma:g} of {tok[1]} is negative")
        return tok[1], tok[2].upper(), tok[3], tok[4], _epoch_ns(tok[5], 0), value, sigma

    @staticmethod
    def _site(sites, line) -> SinexSite:
        key = (line[1:5].strip().upper(), line[6:8].strip())
        if key not in sites:
            sites[key] = SinexSite(*key)
        return sites[key]


def read_sinex(path: str | os.PathLike) -> SinexFile:
    """Read the site and estimate blocks of a SINEX 2.x file (format in the module docstring).

    Raises
    ------
    FormatError
        A missing ``%=SNX`` header, a field of a read block that does not parse, or an estimate no station
        has (:data:`_LIMITS`, a negative standard deviation), with its line.
    """
    return _SinexParser(file_name(path), read_text(path)).parse()
