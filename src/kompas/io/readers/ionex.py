"""IONEX 1.0/1.1 reader: global ionosphere maps of vertical TEC.

Format: *IONEX: The IONosphere Map EXchange Format Version 1* (S. Schaer, W. Gurtner, J. Feltens,
1998) and its version 1.1 update (2015). Records are labelled in columns 61-80; section numbers
below refer to the format's "IONEX VERSION 1.0 FORMAT DEFINITION" tables (header, TEC/RMS/HEIGHT
map data records, auxiliary DCB data block).

What is read
    Header records (version, epochs of first/last map, interval, number of maps, mapping function,
    elevation cutoff, base radius, map dimension, the HGT/LAT/LON grids, exponent), the auxiliary
    ``DIFFERENTIAL CODE BIASES`` block (satellite and station DCBs, ns -> s; other auxiliary blocks
    are skipped), then every ``TEC MAP``, ``RMS MAP`` and ``HEIGHT MAP``.

Conventions
    * Epochs are Universal Time in the format (``EPOCH OF ... MAP`` is "UT"): they are read as UTC
      and stored as GPST nanoseconds (so 2017-01-01 00:00:00 UT is 00:00:18 GPST).
    * Values are I5 integers, 16 per line; ``9999`` means "no value" and becomes NaN (a value above it is
      a FormatError); the exponent
      (default -1) is applied, so ``tec_tecu`` is in TEC units (1 TECU = 1e16 electrons/m^2).
      An ``EXPONENT`` record inside a map changes the exponent for the rest of that map; each map
      starts with the header's exponent.
    * Grids keep the order of the file (latitude usually runs north to south, LAT1 -> LAT2).
    * Only 2-D maps (``MAP DIMENSION`` 2, one height) are supported; a 3-D file is a FormatError.

Trimmed or damaged files
    * Every map must hold exactly the latitude rows of the header grid LAT1/LAT2/DLAT (and
      LON1/LON2/DLON, HGT1), in order: a map with missing, extra or off-grid rows is a
      :class:`~kompas.errors.FormatError` naming the line. A trimmed file is readable only when its
      header grid was trimmed to match, as in the ESA sample with LAT1/LAT2/DLAT = 0/-2.5/-2.5.
    * A file that ends inside a map: :class:`~kompas.errors.TruncatedFileWarning`; the complete maps
      before the break are returned.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ...errors import FormatError, KompasError, KompasWarning, TruncatedFileWarning, caller_stacklevel
from ...satsys import SYSTEM_LETTERS
from ...time import gtime_from_calendar
from .._open import file_name, read_text
from .._text import LineParser, calendar_problem
from .._text import parse_float as _float
from .._text import parse_int as _int

__all__ = ["Ionex", "IonexDcb", "read_ionex"]

_MISSING = 9999
_SYSTEMS = SYSTEM_LETTERS
_PER_LINE = 16  # 16I5 per data line
_MAP_LABELS = frozenset(
    [f"{w} OF {k} MAP" for w in ("START", "END") for k in ("TEC", "RMS", "HEIGHT")]
    + ["EPOCH OF CURRENT MAP", "LAT/LON1/LON2/DLON/H", "EXPONENT", "END OF FILE", "COMMENT"]
)


@dataclass(frozen=True, eq=False)
class IonexDcb:
    """Differential code biases from the ``DIFFERENTIAL CODE BIASES`` auxiliary block.

    Attributes
    ----------
    sat : numpy.ndarray of int16
        Satellite indices (``kompas.satsys.sat_index``) of ``PRN / BIAS / RMS`` records.
    sat_bias_s, sat_rms_s : numpy.ndarray of float64
        Satellite DCB and its RMS in seconds (ns in the file).
    station : numpy.ndarray of <U4
        Station names of ``STATION / BIAS / RMS`` records.
    station_system : numpy.ndarray of <U1
        System letter of each station record.
    station_domes : numpy.ndarray of <U9
        DOMES numbers (may be empty).
    station_bias_s, station_rms_s : numpy.ndarray of float64
        Station DCB and RMS in seconds.
    """

    sat: np.ndarray
    sat_bias_s: np.ndarray
    sat_rms_s: np.ndarray
    station: np.ndarray
    station_system: np.ndarray
    station_domes: np.ndarray
    station_bias_s: np.ndarray
    station_rms_s: np.ndarray


@dataclass(frozen=True, eq=False)
class Ionex:
    """The maps of an IONEX file.

    Attributes
    ----------
    time_ns : numpy.ndarray of int64, shape (M,)
        Epoch of each TEC map in GPST nanoseconds (read as UT = UTC).
    lat_rad : numpy.ndarray, shape (nlat,)
        Latitudes LAT1..LAT2 step DLAT in radians, in file order.
    lon_rad : numpy.ndarray, shape (nlon,)
        Longitudes LON1..LON2 step DLON in radians, in file order (both ends included).
    height_m : numpy.ndarray, shape (nhgt,)
        Heights of the shell(s) above the base radius in metres (one for 2-D maps).
    tec_tecu : numpy.ndarray of float64, shape (M, nlat, nlon)
        Vertical TEC in TECU, exponent applied; NaN where the file has 9999.
    rms_tecu : numpy.ndarray of float64, shape (M, nlat, nlon), or None
        RMS of the TEC in TECU (NaN for maps without an RMS map); None when the file has no RMS map.
    height_map_m : numpy.ndarray of float64, shape (M, nlat, nlon), or None
        Heights of the ``HEIGHT MAP`` blocks in metres (km in the file); None when absent.
    base_radius_m : float
        Mean earth radius of the model, metres (km in the file).
    mapping_function : str
        ``NONE``, ``COSZ``, ``QFAC`` ... (empty when absent).
    elevation_cutoff_rad : float
        Minimum elevation used (NaN when absent), radians.
    interval_s : float
        Nominal interval between maps, seconds (NaN when absent).
    first_map_ns, last_map_ns : int or None
        ``EPOCH OF FIRST MAP`` / ``EPOCH OF LAST MAP`` in GPST ns.
    n_maps_declared : int or None
        ``# OF MAPS IN FILE``.
    exponent : int
        Header exponent (default -1).
    version : float
        Format version.
    system : str
        Satellite system(s) of the data (``GPS``, ``GNSS``...).
    program, run_by, date : str
        ``PGM / RUN BY / DATE``.
    observables_used : str
    n_stations, n_satellites : int or None
    description, comments : tuple of str
    dcb : IonexDcb or None
        Auxiliary DCB block, None when absent.
    time_scale : str
        Scale the file's epochs were read in (``"UTC"``).
    path : str or None
        The file read.
    """

    time_ns: np.ndarray
    lat_rad: np.ndarray
    lon_rad: np.ndarray
    height_m: np.ndarray
    tec_tecu: np.ndarray
    rms_tecu: np.ndarray | None
    height_map_m: np.ndarray | None
    base_radius_m: float
    mapping_function: str
    elevation_cutoff_rad: float
    interval_s: float
    first_map_ns: int | None
    last_map_ns: int | None
    n_maps_declared: int | None
    exponent: int
    version: float
    system: str
    program: str
    run_by: str
    date: str
    observables_used: str
    n_stations: int | None
    n_satellites: int | None
    description: tuple[str, ...]
    comments: tuple[str, ...]
    dcb: IonexDcb | None
    time_scale: str = "UTC"
    path: str | None = None

    def __repr__(self) -> str:
        m, nlat, nlon = self.tec_tecu.shape
        return (
            f"Ionex({m} maps of {nlat} x {nlon}, rms={'yes' if self.rms_tecu is not None else 'no'}, "
            f"path={self.path!r})"
        )


# ----------------------------------------------------------------------------------------------
# Parsing


def _grid(first: float, last: float, step: float, what: str) -> np.ndarray:
    """first..last by step (both ends), in degrees or km; step 0 only when first == last."""
    if step == 0:
        if first != last:
            raise ValueError(f"{what}: step 0 with {first} != {last}")
        return np.array([first])
    k = (last - first) / step
    n = round(k)
    if n < 0 or abs(k - n) > 1e-6:
        raise ValueError(f"{what}: {first}..{last} is not a whole number of steps of {step}")
    return first + step * np.arange(n + 1)


def _scale(values: np.ndarray, exponent: int) -> np.ndarray:
    """Integers -> float with 10**exponent applied; 9999 -> NaN."""
    out = values.astype(np.float64)
    out[values == _MISSING] = np.nan
    # divide for negative exponents so that e.g. 33 * 10**-1 is exactly the double nearest 3.3
    return out / 10.0 ** (-exponent) if exponent < 0 else out * 10.0**exponent


# header records holding one I6 integer, by the key of the parsed header
_INT_FIELDS = {"# OF MAPS IN FILE": "nmaps", "# OF STATIONS": "nsta", "# OF SATELLITES": "nsat",
               "MAP DIMENSION": "dim", "EXPONENT": "exp"}  # fmt: skip


class _IonexParser(LineParser):
    LABELS = _MAP_LABELS | frozenset(
        {"IONEX VERSION / TYPE", "PGM / RUN BY / DATE", "DESCRIPTION", "EPOCH OF FIRST MAP",
         "EPOCH OF LAST MAP", "INTERVAL", "# OF MAPS IN FILE", "MAPPING FUNCTION", "ELEVATION CUTOFF",
         "OBSERVABLES USED",
         "# OF STATIONS", "# OF SATELLITES", "BASE RADIUS", "MAP DIMENSION", "HGT1 / HGT2 / DHGT",
         "LAT1 / LAT2 / DLAT", "LON1 / LON2 / DLON", "START OF AUX DATA", "END OF AUX DATA",
         "PRN / BIAS / RMS", "STATION / BIAS / RMS", "END OF HEADER"}
    )  # fmt: skip

    def _epoch(self, line: str, label: str) -> int:
        # 6I6, Universal Time
        fields = [_int(line[6 * k : 6 * k + 6], label) for k in range(6)]
        if len(line[:36].split()) != 6:
            raise ValueError(
                f"{label}: expected year month day hour minute second (6I6), found {line[:40]!r}"
            )
        problem = calendar_problem(*fields, years=(1972, 2200))  # (IONEX maps exist since the 1990s)
        if problem is not None:
            raise ValueError(f"{label}: {problem}")
        return int(gtime_from_calendar(*fields, scale="UTC"))

    def _parse(self) -> Ionex:
        h, i = self._header()
        self.n = i
        hgt = _grid(*h["hgt"], "HGT1 / HGT2 / DHGT")
        if len(hgt) != 1:
            raise self.error(f"2-D maps need HGT1 = HGT2, found {h['hgt']}")
        lat = _grid(*h["lat"], "LAT1 / LAT2 / DLAT")
        lon = _grid(*h["lon"], "LON1 / LON2 / DLON")
        maps = self._maps(i, h, lat, lon, hgt[0])
        tec_t, tec = maps["TEC"]
        if not tec:
            raise FormatError(self.path, None, "file holds no complete TEC map")
        rms = self._aligned(maps, "RMS", 1.0, (len(tec), len(lat), len(lon)))
        hmap = self._aligned(maps, "HEIGHT", 1e3, (len(tec), len(lat), len(lon)))
        if h["nmaps"] is not None and h["nmaps"] != len(tec) and not maps["truncated"]:
            warnings.warn(
                KompasWarning(f"{self.path}: # OF MAPS IN FILE is {h['nmaps']}, {len(tec)} TEC maps found"),
                stacklevel=caller_stacklevel(),
            )
        return Ionex(
            time_ns=np.array(tec_t, dtype=np.int64),
            lat_rad=np.deg2rad(lat),
            lon_rad=np.deg2rad(lon),
            height_m=hgt * 1e3,
            tec_tecu=np.stack(tec),
            rms_tecu=rms,
            height_map_m=hmap,
            base_radius_m=h["radius"],
            mapping_function=h["mapf"],
            elevation_cutoff_rad=h["elev"],
            interval_s=h["interval"],
            first_map_ns=h["first"],
            last_map_ns=h["last"],
            n_maps_declared=h["nmaps"],
            exponent=h["exp"],
            version=h["version"],
            system=h["system"],
            program=h["program"],
            run_by=h["run_by"],
            date=h["date"],
            observables_used=h["obs"],
            n_stations=h["nsta"],
            n_satellites=h["nsat"],
            description=tuple(h["description"]),
            comments=tuple(h["comments"]),
            dcb=h["dcb"],
            path=self.path,
        )

    def _header(self) -> tuple[dict, int]:
        """The header records by key, and the index of the line after END OF HEADER."""
        lines = self.lines
        self.n = 1
        if not lines or lines[0][60:80].strip() != "IONEX VERSION / TYPE":
            raise self.error("expected 'IONEX VERSION / TYPE' in columns 61-80 of the first line")
        h = {
            "version": 0.0, "system": "", "program": "", "run_by": "", "date": "", "first": None,
            "last": None, "interval": math.nan, "nmaps": None, "mapf": "", "elev": math.nan,
            "obs": "", "nsta": None, "nsat": None, "radius": None, "dim": 2, "hgt": None,
            "lat": None, "lon": None, "exp": -1, "description": [], "comments": [], "dcb": None,
        }  # fmt: skip
        i = 0
        while True:
            line, label = self.header_record(i)
            i += 1
            if label == "END OF HEADER":
                break
            if label == "START OF AUX DATA":
                h["dcb"], i = self._aux(i, line[:60].strip(), h["system"])
            else:
                self._header_field(h, label, line)
        for key, label in (("hgt", "HGT1 / HGT2 / DHGT"), ("lat", "LAT1 / LAT2 / DLAT"),
                           ("lon", "LON1 / LON2 / DLON"), ("radius", "BASE RADIUS")):  # fmt: skip
            if h[key] is None:
                raise FormatError(self.path, None, f"header has no {label} record")
        return h, i

    def _header_field(self, h: dict, label: str, line: str) -> None:
        """One header record into ``h`` (IONEX 1.1 Table A1; unknown labels are skipped)."""
        if label == "IONEX VERSION / TYPE":
            # F8.1,12X,A1,19X,A3
            h["version"] = _float(line[0:8], "IONEX version")
            if line[20:21].strip() not in ("", "I"):
                raise self.error(f"file type must be 'I', found {line[20:21]!r}")
            h["system"] = line[40:60].strip()
        elif label == "PGM / RUN BY / DATE":
            h["program"], h["run_by"], h["date"] = (line[k : k + 20].strip() for k in (0, 20, 40))
        elif label == "DESCRIPTION":
            h["description"].append(line[:60].rstrip())
        elif label == "COMMENT":
            h["comments"].append(line[:60].rstrip())
        elif label == "EPOCH OF FIRST MAP":
            h["first"] = self._epoch(line, label)
        elif label == "EPOCH OF LAST MAP":
            h["last"] = self._epoch(line, label)
        elif label == "INTERVAL":
            h["interval"] = float(_int(line[0:6], label))
        elif label in _INT_FIELDS:
            h[_INT_FIELDS[label]] = _int(line[0:6], label)
            if label == "MAP DIMENSION" and h["dim"] != 2:
                raise self.error(f"only 2-D maps are supported, MAP DIMENSION is {h['dim']}")
        elif label == "MAPPING FUNCTION":
            h["mapf"] = line[2:6].strip()
        elif label == "ELEVATION CUTOFF":
            h["elev"] = math.radians(_float(line[0:8], label))
        elif label == "OBSERVABLES USED":
            h["obs"] = line[:60].strip()
        elif label == "BASE RADIUS":
            h["radius"] = _float(line[0:8], label) * 1e3
        elif label in ("HGT1 / HGT2 / DHGT", "LAT1 / LAT2 / DLAT", "LON1 / LON2 / DLON"):
            # 2X,3F6.1
            h[label[:3].lower()] = tuple(_float(line[k : k + 6], label) for k in (2, 8, 14))

    def _aligned(self, maps: dict, kind: str, factor: float, shape: tuple) -> np.ndarray | None:
        """The RMS or HEIGHT maps on the TEC maps' axis (NaN where a TEC map has none), times ``factor``."""
        times, grids = maps[kind]
        if not grids:
            return None
        tec_t = maps["TEC"][0]
        index = {num: k for k, num in enumerate(maps["TEC_NUM"])}
        out = np.full(shape, np.nan)
        for num, t, g, line_no in zip(maps[kind + "_NUM"], times, grids, maps[kind + "_LINE"], strict=True):
            k = index.get(num)
            if k is None or tec_t[k] != t:
                raise self.error(f"{kind} map {num} has no TEC map with the same number and epoch", line_no)
            out[k] = g * factor
        return out

    def _aux(self, i: int, kind: str, system: str) -> tuple[IonexDcb | None, int]:
        """Read an auxiliary block from line index i; returns (DCBs or None, index after END OF AUX DATA)."""
        lines = self.lines
        default = "R" if system.upper().startswith("GLO") else "G"
        sats, sat_vals, stas, sta_sys, domes, sta_vals = [], [], [], [], [], []
        start = self.n
        while True:
            if i >= len(lines):
                raise self.error(f"header ends inside the auxiliary block opened at line {start}", start)
            line = lines[i]
            self.n = i + 1
            i += 1
            label = line[60:80].strip()
            if label == "END OF AUX DATA":
                break
            if kind != "DIFFERENTIAL CODE BIASES":
                continue
            if label == "PRN / BIAS / RMS":
                # 3X,A1,I2.2,2F10.3 (ns)
                letter = line[3:4].strip().upper() or default
                if letter not in _SYSTEMS:
                    raise self.error(f"unknown system letter {letter!r}")
                prn = _int(line[4:6], "PRN")
                if not 1 <= prn <= 99:
                    raise self.error(f"PRN {prn} out of 1..99")
                sats.append(100 * (_SYSTEMS.index(letter) + 1) + prn)
                sat_vals.append((_float(line[6:16], "bias"), _float(line[16:26], "RMS")))
            elif label == "STATION / BIAS / RMS":
                # 3X,A1,2X,A4,1X,A9,6X,2F10.3 (ns)
                letter = line[3:4].strip().upper() or default
                if letter not in _SYSTEMS:
                    raise self.error(f"unknown system letter {letter!r}")
                stas.append(line[6:10].strip())
                sta_sys.append(letter)
                domes.append(line[11:20].strip())
                sta_vals.append((_float(line[26:36], "bias"), _float(line[36:46], "RMS")))
            # other records of the DCB block (comments, future extensions) are skipped
        if kind != "DIFFERENTIAL CODE BIASES":
            return None, i
        sv = np.array(sat_vals, dtype=np.float64).reshape(-1, 2) * 1e-9
        tv = np.array(sta_vals, dtype=np.float64).reshape(-1, 2) * 1e-9
        dcb = IonexDcb(
            sat=np.array(sats, dtype=np.int16),
            sat_bias_s=sv[:, 0],
            sat_rms_s=sv[:, 1],
            station=np.array(stas, dtype="U4"),
            station_system=np.array(sta_sys, dtype="U1"),
            station_domes=np.array(domes, dtype="U9"),
            station_bias_s=tv[:, 0],
            station_rms_s=tv[:, 1],
        )
        return dcb, i

    def _maps(self, i: int, h: dict, lat: np.ndarray, lon: np.ndarray, hgt: float) -> dict:
        """Read every map from line index i; returns the maps by kind with their numbers and lines."""
        lines = self.lines
        self.h, self.lat, self.nlon, self.hgt = h, lat, len(lon), hgt
        self.nline = -(-self.nlon // _PER_LINE)
        out: dict = {"truncated": False}
        for kind in ("TEC", "RMS", "HEIGHT"):
            out[kind] = ([], [])
            out[kind + "_NUM"] = []
            out[kind + "_LINE"] = []
        self.cur = None  # the map being read
        last = len(lines)
        while last > i and not lines[last - 1].strip():
            last -= 1
        while i < len(lines):
            self.n = i + 1
            try:
                i = self._record(i, out)
            except (ValueError, IndexError, KompasError):
                # a map cut by the end of the file is a truncation, not a format error; a complete
                # labelled record that does not parse stays an error
                cut = self.cut_line is not None or lines[last - 1][60:80].strip() not in _MAP_LABELS
                if self.cur is not None and ((self.reach >= last and cut) or self.reach > len(lines)):
                    break  # (reach past the end: the data lines of a row cut off by the end of the file)
                raise
            if i < 0:  # END OF FILE
                break
        if self.cur is not None:
            cur = self.cur
            out["truncated"] = True
            warnings.warn(
                TruncatedFileWarning(
                    f"{self.path}: file ends inside {cur['kind']} map {cur['num']} (opened at line "
                    f"{cur['line']}); returning the {len(out['TEC'][1])} complete TEC maps"
                ),
                stacklevel=caller_stacklevel(),
            )
        return out

    def _row_values(self, data: list[str], nlon: int, kind: str) -> list[int]:
        """The ``nlon`` I5 integers of one row's data lines (16 per line; blank-separated or touching), each
        at most 9999, the format's "no value"; FormatError naming the row's line otherwise."""
        nline = len(data)
        text = "".join(ln.ljust(80)[:80] for ln in data)
        tokens = text.split()
        if len(tokens) != nlon:  # values may touch: fall back to the I5 columns
            tokens = [text[5 * p : 5 * p + 5] for p in range(nlon)]
            if text[5 * nlon :].strip():
                raise self.error(f"expected {nlon} values (16I5) in the {nline} lines after this one")
        try:
            vals = [_int(tok, "TEC/RMS/height value") for tok in tokens]
        except ValueError:
            raise self.error(
                f"expected {nlon} integer values (16 per line) in the {nline} lines after this one"
            ) from None
        if max(vals) > _MISSING:  # I5 holds up to 99999, but 9999 is the format's largest: "no value"
            raise self.error(f"a {kind} value of {max(vals)} in the {nline} lines after this one: above "
                             f"{_MISSING}, the format's 'no value'")  # fmt: skip
        return vals

    def _record(self, i: int, out: dict) -> int:
        """Read the record at line index i (and its data lines); returns the next index, -1 at END OF FILE."""
        lines, h, lat, nlon, nline = self.lines, self.h, self.lat, self.nlon, self.nline
        line = lines[i]
        self.reach = i + 1
        i += 1
        label = line[60:80].strip()
        cur = self.cur
        if cur is None:
            if label.startswith("START OF ") and label.endswith(" MAP"):
                kind = label[9:-4]
                if kind not in ("TEC", "RMS", "HEIGHT"):
                    raise self.error(f"unknown map type {label!r}")
                self.cur = {"kind": kind, "num": _int(line[0:6], "map number"), "line": self.n,
                            "epoch": None, "rows": [], "exp": h["exp"]}  # fmt: skip
            elif label == "END OF FILE":
                return -1
            elif not (label in ("", "COMMENT") and (label or not line.strip())):
                raise self.error(f"expected START OF TEC/RMS/HEIGHT MAP, found {line[:80].rstrip()!r}")
            return i
        kind = cur["kind"]
        if label == "EPOCH OF CURRENT MAP":
            if cur["epoch"] is not None or cur["rows"]:
                raise self.error("EPOCH OF CURRENT MAP must come once, before the data")
            cur["epoch"] = self._epoch(line, label)
        elif label == "EXPONENT":
            cur["exp"] = _int(line[0:6], label)
        elif label == "LAT/LON1/LON2/DLON/H":
            if cur["epoch"] is None:
                raise self.error("data before EPOCH OF CURRENT MAP")
            k = len(cur["rows"])
            # 2X,5F6.1
            la, lo1, lo2, dlo, hh = (_float(line[p : p + 6], label) for p in (2, 8, 14, 20, 26))
            if k >= len(lat) or abs(la - lat[k]) > 1e-6:
                want = (
                    f"latitude {lat[k]:.1f}" if k < len(lat) else f"END OF {kind} MAP after {len(lat)} rows"
                )
                raise self.error(f"expected {want} (header LAT1/LAT2/DLAT {h['lat']}), found latitude {la}")
            if not np.allclose((lo1, lo2, dlo), h["lon"], rtol=0, atol=1e-6) or abs(hh - self.hgt) > 1e-6:
                raise self.error(
                    f"row grid {lo1}/{lo2}/{dlo} at height {hh} disagrees with the header "
                    f"LON1/LON2/DLON {h['lon']} and HGT1 {self.hgt}"
                )
            self.reach = i + nline
            if i + nline > len(lines):
                raise self.error(f"file ends inside the {nline} data lines of this row")
            vals = self._row_values(lines[i : i + nline], nlon, kind)
            cur["rows"].append(_scale(np.array(vals, dtype=np.int64), cur["exp"]))
            i += nline
        elif label == f"END OF {kind} MAP":
            if _int(line[0:6], "map number") != cur["num"]:
                raise self.error(f"END OF {kind} MAP {line[0:6].strip()} closes map {cur['num']}")
            if len(cur["rows"]) != len(lat):
                raise self.error(
                    f"{kind} map {cur['num']} has {len(cur['rows'])} latitude rows, the header grid "
                    f"LAT1/LAT2/DLAT {h['lat']} gives {len(lat)}"
                )
            if cur["num"] in out[kind + "_NUM"]:
                raise self.error(f"second {kind} map numbered {cur['num']}")
            times, grids = out[kind]
            times.append(cur["epoch"])
            grids.append(np.stack(cur["rows"]))
            out[kind + "_NUM"].append(cur["num"])
            out[kind + "_LINE"].append(cur["line"])
            self.cur = None
        else:
            raise self.error(f"unexpected record {line[:80].rstrip()!r} inside {kind} map {cur['num']}")
        return i


def read_ionex(path: str | os.PathLike) -> Ionex:
    """Read an IONEX 1.0/1.1 file (plain or compressed).

    Parameters
    ----------
    path : str or os.PathLike
        The IONEX file (``.yyI``, ``.INX``, optionally gz/Z/bz2/zip).

    Returns
    -------
    Ionex
        TEC (and RMS, height) maps in TECU on the header grid, epochs in GPST ns, angles in
        radians, lengths in metres, DCBs in seconds.

    Raises
    ------
    FormatError
        A record that does not follow IONEX 1.0/1.1, a map whose rows disagree with the header
        grid, 3-D maps, or a file with no complete TEC map.

    Warns
    -----
    TruncatedFileWarning
        The file ends inside a map (the complete maps before it are returned).
    KompasWarning
        ``# OF MAPS IN FILE`` disagrees with the maps found in a complete file.
    """
    return _IonexParser(file_name(path), read_text(path)).parse()
