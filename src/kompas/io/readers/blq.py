"""BLQ ocean-loading coefficient reader (Scherneck's OLFG/OLMPP format, as the IERS HARDISP reads it).

Format (the header of every file from the Onsala ocean-loading service states it):

* lines starting with ``$$`` are comments; the header ends with ``$$ END HEADER`` (optional here);
* a station block is a line with the station name (columns 3-..., usually the 4-character id), then
  six lines of 11 numbers for the constituents ``M2 S2 N2 K2 K1 O1 P1 Q1 MF MM SSA`` in this order:
  amplitudes (m) radial, tangential EW, tangential NS; then phases (degrees) in the same row order;
* displacement is positive **up, west and south**; phases are Greenwich phase lags (positive lags).

Units inside kompas: metres and radians.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ...errors import FormatError, KompasError
from .._open import file_name, read_text
from .._text import LineParser
from .._text import parse_float as _float

__all__ = ["BLQ_CONSTITUENTS", "OceanLoadingCoefficients", "BlqFile", "read_blq"]

BLQ_CONSTITUENTS = ("M2", "S2", "N2", "K2", "K1", "O1", "P1", "Q1", "MF", "MM", "SSA")
"""Column order of every BLQ block."""

MAX_AMPLITUDE_M = 1.0
"""Largest amplitude read as such: ocean-loading amplitudes reach about 0.1 m (radial M2 at coastal sites
facing large tides, Scherneck 1991; IERS Conventions 2010 sect. 7.1.2), so a value in metres beyond this
is a wrong column or unit."""


@dataclass(frozen=True, eq=False)
class OceanLoadingCoefficients:
    """The 11-constituent coefficients of one station.

    Attributes
    ----------
    name : str
        Station name as written in the file (``"WTZR"``).
    amplitude_m : numpy.ndarray, shape (3, 11)
        Amplitudes, m; rows up (radial), west, south (the BLQ sign convention).
    phase_rad : numpy.ndarray, shape (3, 11)
        Greenwich phase lags, rad, same rows.
    comments : tuple of str
        The ``$$`` lines of the block (model, computing centre, coordinates).
    """

    name: str
    amplitude_m: np.ndarray
    phase_rad: np.ndarray
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class BlqFile:
    """All stations of a BLQ file, looked up by name (case-insensitive; the first 4 characters of a RINEX 3
    name suffice, and a station line may add more after the name, such as its DOMES number)."""

    stations: dict
    header: tuple[str, ...]
    path: str | None = None

    def __contains__(self, name: str) -> bool:
        return self._key(name) is not None

    def _key(self, name: str) -> str | None:
        n = name.strip().upper()
        if n in self.stations:
            return n
        # the name's first word, as RTKLIB's readblq matches it ("WTZR 14201M010" is WTZR)
        first = {k.split()[0]: k for k in reversed(list(self.stations)) if k.split()}
        for cand in (n.split()[0] if n.split() else n, n[:4]):
            if cand in first:
                return first[cand]
        return None

    def station(self, name: str) -> OceanLoadingCoefficients:
        """The coefficients of a station (``"WTZR"`` or a 9-character RINEX 3 name ``"WTZR00DEU"``).

        Raises
        ------
        KompasError
            When the station is not in the file.
        """
        key = self._key(name)
        if key is None:
            raise KompasError(f"station {name!r} is not in the BLQ file {self.path or ''}".rstrip())
        return self.stations[key]

    def __len__(self) -> int:
        return len(self.stations)


class _BlqParser(LineParser):
    def _parse(self) -> BlqFile:
        header: list[str] = []
        stations: dict[str, OceanLoadingCoefficients] = {}
        lines = self.lines
        i = 0
        in_header = True
        while i < len(lines):
            self.n = i + 1
            line = lines[i]
            i += 1
            if line.startswith("$$"):
                if in_header:
                    header.append(line[2:].strip())
                    in_header = "END HEADER" not in line
                continue
            if not line.strip():
                continue
            in_header = False
            name = line.strip().upper()
            if len(name) > 40:  # a station line holds a name (and perhaps a DOMES number), not a table row
                found = line.strip()[:40]
                raise FormatError(self.path, i, f"expected a station name line, found {found!r}...")
            start = self.n
            comments: list[str] = []
            rows: list[list[float]] = []
            while len(rows) < 6:
                if i >= len(lines):
                    raise FormatError(self.path, start, f"station {name}: file ends before its 6 rows")
                self.n = i + 1
                row = lines[i]
                i += 1
                if row.startswith("$$"):
                    comments.append(row[2:].strip())
                    continue
                tok = row.split()
                if len(tok) != 11:
                    raise self.error(f"station {name}: expected 11 values, found {len(tok)}")
                rows.append([_float(v, "BLQ coefficient") for v in tok])
            arr = np.array(rows)
            self._check(name, arr, start)
            stations[name] = OceanLoadingCoefficients(name, arr[:3], np.deg2rad(arr[3:]), tuple(comments))
        if not stations:
            raise FormatError(self.path, None, "no station block in the BLQ file")
        return BlqFile(stations, tuple(header), self.path)

    def _check(self, name: str, arr: np.ndarray, start: int) -> None:
        """Amplitudes (rows 0-2) within 0 .. :data:`MAX_AMPLITUDE_M`, phases (rows 3-5) within +-360 deg."""
        if np.any(arr[:3] < 0):
            raise FormatError(self.path, start, f"station {name}: negative amplitude")
        if np.any(arr[:3] > MAX_AMPLITUDE_M):
            big = f"station {name}: amplitude {arr[:3].max():g} m above {MAX_AMPLITUDE_M:g} m"
            raise FormatError(self.path, start, f"{big} (ocean-loading amplitudes are centimetres)")
        if np.any(np.abs(arr[3:]) > 360.0):
            worst = arr[3:].flat[np.argmax(np.abs(arr[3:]))]
            raise FormatError(self.path, start, f"station {name}: phase {worst:g} deg beyond +-360 deg")


def read_blq(path: str | os.PathLike) -> BlqFile:
    """Read a BLQ ocean-loading file (format in the module docstring).

    Raises
    ------
    FormatError
        A station block without 6 rows of 11 numbers, an amplitude outside 0 .. 1 m or a phase beyond
        +-360 deg (a wrong column or unit), or no station at all.
    """
    return _BlqParser(file_name(path), read_text(path)).parse()
