"""ANTEX 1.4 reader: antenna phase-centre offsets (PCO) and variations (PCV).

Format: *ANTEX: The Antenna Exchange Format, Version 1.4* (R. Schmid, IGS, 2010/2012). Section
numbers below refer to its "ANTEX VERSION 1.4 FORMAT DEFINITION" tables (header section, antenna
section, frequency section); the label of each record sits in columns 61-80.

Conventions kept from the format
    * Receiver antennas: the PCO is North / East / Up from the antenna reference point; the PCV
      grid runs over zenith angle ZEN1..ZEN2 and, when DAZI > 0, azimuth 0..360 degrees.
    * Satellite antennas: the PCO is X / Y / Z in the IGS satellite body frame (written in the
      "NORTH / EAST / UP" record) and the "zenith" grid is the nadir angle seen from the satellite.
    * The satellite PRN is in the serial-number field; a PRN is re-used by several satellites over
      time, so every satellite block has a validity period (``VALID FROM`` / ``VALID UNTIL``, GPS time).

Units inside kompas: millimetres are converted to metres and degrees to radians at read time.

Damaged files
    * A file that ends inside an antenna block: :class:`~kompas.errors.TruncatedFileWarning`, and
      every antenna closed by ``END OF ANTENNA`` before the break is returned.
    * A ``START OF ANTENNA`` while the previous block is still open (a block whose end was cut out,
      as in some trimmed sample files): :class:`~kompas.errors.KompasWarning`; the open block is kept
      with the frequency blocks that were completely read.
    * Any field that does not parse: :class:`~kompas.errors.FormatError` with the line number.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from ...errors import KompasError, KompasWarning, NotFoundError, TruncatedFileWarning, caller_stacklevel
from ...satsys import SYSTEM_LETTERS, sat_id, sat_index
from ...time import gtime_from_calendar
from .._open import file_name, read_text
from .._text import LineParser, calendar_problem
from .._text import parse_float as _float
from .._text import parse_int as _int

__all__ = ["AntennaFrequency", "Antenna", "Antex", "AntennaNotFoundError", "read_antex"]

_SYSTEM_LETTERS = SYSTEM_LETTERS
_MM = 1e-3  # ANTEX offsets and variations are in millimetres


class AntennaNotFoundError(NotFoundError):
    """No antenna block matches a lookup (type, serial, satellite or time)."""


@dataclass(frozen=True, eq=False)
class AntennaFrequency:
    """Calibration of one antenna for one frequency (ANTEX 1.4, frequency section).

    Attributes
    ----------
    code : str
        ANTEX frequency code: system letter and frequency number, e.g. ``"G01"``, ``"C06"``,
        ``"R02"`` (for GLONASS the number is the band, not a frequency channel).
    pco_m : numpy.ndarray, shape (3,)
        Phase-centre offset in metres: North, East, Up for receiver antennas; X, Y, Z in the
        satellite body frame for satellite antennas.
    pcv_noazi_m : numpy.ndarray, shape (nzen,)
        Non-azimuth-dependent phase-centre variations in metres on the antenna's zenith
        (nadir for satellites) grid.
    pcv_m : numpy.ndarray, shape (nazi, nzen), or None
        Azimuth-dependent variations in metres (rows: azimuths of ``Antenna.azi_rad``), None when
        the antenna has DAZI = 0.
    pco_rms_m, pcv_noazi_rms_m, pcv_rms_m : numpy.ndarray or None
        The same quantities from the optional ``START OF FREQ RMS`` block, None when absent.
    """

    code: str
    pco_m: np.ndarray
    pcv_noazi_m: np.ndarray
    pcv_m: np.ndarray | None
    pco_rms_m: np.ndarray | None = None
    pcv_noazi_rms_m: np.ndarray | None = None
    pcv_rms_m: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Antenna:
    """One ANTEX antenna block (``START OF ANTENNA`` ... ``END OF ANTENNA``).

    Attributes
    ----------
    type : str
        The 20-character ANTEX antenna type field with right blanks stripped, radome included:
        ``"LEIAR25.R3      LEIT"`` (receivers, IGS name in columns 1-16 and radome in 17-20) or
        ``"BLOCK IIR-M"`` (satellites).
    serial : str
        Serial number (receivers; empty for type-mean calibrations) or the PRN (``"G05"``) for
        satellites.
    sat : int
        Satellite index (``kompas.satsys.sat_index``) for satellite antennas, -1 for receivers.
    svn : str
        SVN code (``"G050"``) for satellites, empty for receivers.
    cospar : str
        COSPAR ID (``"2009-043A"``) for satellites, empty for receivers.
    method, agency, date : str
        ``METH / BY / # / DATE`` record: calibration method, agency, date text.
    n_calibrated : int or None
        Number of individual antennas calibrated (same record).
    sinex_code : str
        ``SINEX CODE`` record (e.g. ``"IGS20_2417"``), empty when absent.
    valid_from_ns, valid_until_ns : int or None
        Validity period in GPST nanoseconds (``VALID FROM`` / ``VALID UNTIL``, read as GPS time);
        None for an open end.
    zen_rad : numpy.ndarray, shape (nzen,)
        Zenith-angle grid (nadir angle for satellites) ZEN1..ZEN2 step DZEN, radians.
    azi_rad : numpy.ndarray, shape (nazi,), or None
        Azimuth grid 0..360 degrees step DAZI in radians, None when DAZI = 0.
    freqs : dict[str, AntennaFrequency]
        Calibrations keyed by ANTEX frequency code (``"G01"``, ``"C06"``...).
    comments : tuple of str
        ``COMMENT`` records of the block.
    """

    type: str
    serial: str
    sat: int
    svn: str
    cospar: str
    method: str
    agency: str
    n_calibrated: int | None
    date: str
    sinex_code: str
    valid_from_ns: int | None
    valid_until_ns: int | None
    zen_rad: np.ndarray
    azi_rad: np.ndarray | None
    freqs: dict[str, AntennaFrequency]
    comments: tuple[str, ...]

    @property
    def is_satellite(self) -> bool:
        """True for a satellite antenna block."""
        return self.sat >= 0

    def valid_at(self, t_gpst_ns):
        """True when ``t_gpst_ns`` (GPST ns, an int or an int64 array) lies in [valid_from, valid_until]
        (open ends allowed); a bool for an int, a bool array for an array."""
        t = np.asarray(t_gpst_ns, dtype=np.int64)
        ok = np.ones(t.shape, dtype=bool)
        if self.valid_from_ns is not None:
            ok &= t >= self.valid_from_ns
        if self.valid_until_ns is not None:
            ok &= t <= self.valid_until_ns
        return bool(ok) if ok.ndim == 0 else ok

    def __repr__(self) -> str:
        who = sat_id(self.sat) if self.sat >= 0 else self.serial
        return f"Antenna({self.type!r}, {who!r}, freqs={list(self.freqs)})"


def _split_type(text: str) -> tuple[str, str]:
    """IGS antenna name -> (model, radome); a missing radome is ``"NONE"``.

    Accepts the 20-column ANTEX form (``"TRM59800.00     NONE"``), a single blank between model
    and radome (``"LEIAR25.R3 LEIT"``), or the model alone (``"TRM59800.00"`` -> radome NONE).
    IGS model names (rcvr_ant.tab) never contain blanks.
    """
    parts = text.split()
    if len(parts) == 1:
        return parts[0].upper(), "NONE"
    if len(parts) == 2:
        return parts[0].upper(), parts[1].upper()
    raise AntennaNotFoundError(f"antenna type {text!r} is not 'MODEL' or 'MODEL RADOME'")


@dataclass(frozen=True, eq=False)
class Antex:
    """The content of an ANTEX file.

    Attributes
    ----------
    version : float
        Format version (``ANTEX VERSION / SYST``).
    system : str
        Satellite system letter of the file (``"M"`` mixed, ``"G"``...).
    pcv_type : str
        ``"A"`` absolute or ``"R"`` relative PCVs (``PCV TYPE / REFANT``).
    ref_antenna, ref_serial : str
        Reference antenna type and serial for relative values (empty for absolute files).
    comments : tuple of str
        Header comments.
    antennas : list of Antenna
        Every antenna block, in file order (of the receivers, those read: ``receiver_models``).
    path : str or None
        The file read.
    receiver_models : frozenset of str or None
        The receiver antenna models whose blocks were read (:func:`read_antex`'s ``receivers``); None:
        every block was.
    """

    version: float
    system: str
    pcv_type: str
    ref_antenna: str
    ref_serial: str
    comments: tuple[str, ...]
    antennas: list[Antenna]
    path: str | None = None
    receiver_models: frozenset | None = None
    _by_type: dict = field(init=False, repr=False, compare=False)
    _by_sat: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_type: dict[tuple[str, str], list[Antenna]] = {}
        by_sat: dict[int, list[Antenna]] = {}
        for ant in self.antennas:
            if ant.sat >= 0:
                by_sat.setdefault(ant.sat, []).append(ant)
            else:
                model = _block_model(ant.type)
                radome = ant.type[16:20].strip().upper() or "NONE"
                by_type.setdefault((model, radome), []).append(ant)
        for blocks in by_sat.values():
            blocks.sort(key=lambda a: -(2**63) if a.valid_from_ns is None else a.valid_from_ns)
        object.__setattr__(self, "_by_type", by_type)
        object.__setattr__(self, "_by_sat", by_sat)

    def __repr__(self) -> str:
        nsat = sum(a.sat >= 0 for a in self.antennas)
        return (
            f"Antex(version={self.version}, pcv_type={self.pcv_type!r}, "
            f"{nsat} satellite and {len(self.antennas) - nsat} receiver antenna blocks)"
        )

    def receiver(self, type_with_radome: str, serial: str | None = None) -> Antenna:
        """The calibration of a receiver antenna.

        Parameters
        ----------
        type_with_radome : str
            IGS antenna name with radome as in a RINEX header (``"LEIAR25.R3      LEIT"``), with a
            single blank (``"LEIAR25.R3 LEIT"``), or the model alone, which means radome ``NONE``
            (IGS convention: an antenna without radome is ``NONE``; no other radome is substituted).
        serial : str, optional
            Antenna serial number: an individual calibration with this serial is preferred; the
            type-mean calibration (blank serial) is used when there is none.

        Raises
        ------
        AntennaNotFoundError
            When the type/radome pair is not in the file (or only individual calibrations of other
            serials are).
        """
        key = _split_type(type_with_radome)
        blocks = self._by_type.get(key, [])
        if serial is not None and serial.strip():
            for ant in blocks:
                if ant.serial == serial.strip():
                    return ant
        for ant in blocks:
            if not ant.serial:
                return ant
        if not blocks:
            if self.receiver_models is not None and key[0] not in self.receiver_models:
                raise AntennaNotFoundError(
                    f"receiver antenna {key[0]} was not read from the ANTEX file (read only "
                    f"{sorted(self.receiver_models)})"
                )
            raise AntennaNotFoundError(
                f"receiver antenna {key[0]} with radome {key[1]} is not in the ANTEX file"
            )
        raise AntennaNotFoundError(
            f"receiver antenna {key[0]} {key[1]}: no type-mean calibration and no individual "
            f"calibration for serial {serial!r} (serials present: {[a.serial for a in blocks]})"
        )

    def satellite(self, sat, t_gpst_ns) -> Antenna:
        """The satellite antenna block valid at a time.

        Parameters
        ----------
        sat : int or str
            Satellite index or id (``"G05"``).
        t_gpst_ns : int or GTime
            Instant in GPST nanoseconds.

        Returns
        -------
        Antenna
            The block whose validity period holds ``t_gpst_ns``; if periods overlap, the one that
            started last.

        Raises
        ------
        AntennaNotFoundError
            When no block of that satellite is valid at ``t_gpst_ns``.
        """
        idx = int(sat_index(sat)) if isinstance(sat, str) else int(sat)
        t = int(getattr(t_gpst_ns, "gpst_ns", t_gpst_ns))
        blocks = self._by_sat.get(idx, [])
        for ant in reversed(blocks):
            if ant.valid_at(t):
                return ant
        name = sat_id(idx) if idx > 0 else str(idx)
        if not blocks:
            raise AntennaNotFoundError(f"no satellite antenna for {name} in the ANTEX file")
        raise AntennaNotFoundError(
            f"no antenna block of {name} is valid at GPST ns {t} ({len(blocks)} block(s) with other periods)"
        )

    def satellite_blocks(self, sat) -> tuple[Antenna, ...]:
        """Every antenna block of a satellite, by the start of its validity period (empty if none)."""
        idx = int(sat_index(sat)) if isinstance(sat, str) else int(sat)
        return tuple(self._by_sat.get(idx, ()))

    def satellites(self) -> np.ndarray:
        """Sorted int16 indices of the satellites that have at least one antenna block."""
        return np.array(sorted(self._by_sat), dtype=np.int16)


# ----------------------------------------------------------------------------------------------
# Parsing


_PLAIN_ROW = re.compile(r"(?:\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?(?=\s|$))*\s*")
"""A row of blank-separated plain numbers (the fast path of :func:`_values`; anything else, e.g. a ``D``
exponent or values that touch, takes the field-by-field path and its messages)."""


def _values(line: str, start: int, n: int, what: str) -> list[float]:
    """n values of F8.2 from column ``start`` (0-based); blank-separated tokens are accepted too."""
    tokens = line[start:].split()
    if len(tokens) == n and _PLAIN_ROW.fullmatch(line, start):
        # one match for the row instead of one per value (PCV rows hold 19-73 values)
        vals = [float(t) for t in tokens]
        if all(map(math.isfinite, vals)):
            return vals
    if len(tokens) != n:
        # fixed columns (values may touch each other)
        body = line[start:].rstrip()
        if len(body) > 8 * n or len(body) <= 8 * (n - 1):
            raise ValueError(f"expected {n} values in {what}, found {len(tokens)}")
        tokens = [body[8 * i : 8 * i + 8] for i in range(n)]
    return [_float(tok, what) for tok in tokens]


MAX_MM = 10000.0
"""Largest phase-centre offset component or variation read as one, mm: satellite offsets reach a few
metres (the shared ANTEX files' largest is 2843 mm, the GPSPACE tables' BeiDou-2 GEO z 4.9 m), variations
centimetres (42 mm); 10 m also leaves every value an F8.2 field can hold in full (-1234.56)."""


def _bounded(values: list[float], limit: float, what: str) -> list[float]:
    """``values`` unless one exceeds ``limit`` in magnitude (mm): then ValueError naming it."""
    if values and (max(values) > limit or min(values) < -limit):  # C-level scans: rows hold up to 73 values
        worst = max(values, key=abs)
        raise ValueError(f"{what}: {worst:g} mm beyond +-{limit:g} mm (a damaged value, not an antenna)")
    return values


def _grid_count(first: float, last: float, step: float, what: str) -> int:
    if step <= 0:
        raise ValueError(f"{what} step must be positive, found {step}")
    k = (last - first) / step
    n = round(k)
    if n < 0 or abs(k - n) > 1e-6:
        raise ValueError(f"{what}: {first}..{last} is not a whole number of steps of {step}")
    return n + 1


class _Block:
    """An antenna block while it is read."""

    def __init__(self, line_no: int):
        self.line_no = line_no
        self.type = self.serial = self.svn = self.cospar = ""
        self.method = self.agency = self.date = self.sinex_code = ""
        self.n_calibrated: int | None = None
        self.dazi: float | None = None
        self.zen: tuple[float, float, float] | None = None
        self.nfreq: int | None = None
        self.valid_from: int | None = None
        self.valid_until: int | None = None
        self.comments: list[str] = []
        self.freqs: dict[str, dict] = {}
        self.has_type = False

    def grid(self) -> tuple[int, int]:
        """(nazi, nzen); nazi = 0 when DAZI = 0."""
        if self.zen is None or self.dazi is None:
            raise ValueError("START OF FREQUENCY before the DAZI and ZEN1 / ZEN2 / DZEN records")
        nzen = _grid_count(*self.zen, what="ZEN1 / ZEN2 / DZEN")
        nazi = 0 if self.dazi == 0 else _grid_count(0.0, 360.0, self.dazi, "DAZI")
        return nazi, nzen


class _AntexParser(LineParser):
    LABELS = frozenset({"ANTEX VERSION / SYST", "PCV TYPE / REFANT", "END OF HEADER"})  # and below

    def __init__(self, path, text: str, strict: bool = False, models: frozenset | None = None):
        super().__init__(path, text)
        self.strict = strict  # refuse what is otherwise kept with a warning
        self.models = models  # receiver antenna models to read (None: all)
        self.skip = False  # the open block is a receiver antenna not among them

    # -- header (ANTEX 1.4 header section)
    def _parse(self) -> Antex:
        lines = self.lines
        if not lines or lines[0][60:80].strip() != "ANTEX VERSION / SYST":
            self.n = 1
            raise self.error("expected 'ANTEX VERSION / SYST' in columns 61-80 of the first line")
        version, system, pcv_type, ref_ant, ref_ser = 0.0, "", "", "", ""
        comments: list[str] = []
        i = 0
        while True:
            line, label = self.header_record(i)
            i += 1
            if label == "END OF HEADER":
                break
            if label == "ANTEX VERSION / SYST":
                version = _float(line[0:8], "ANTEX version")
                system = line[20:21].strip()
            elif label == "PCV TYPE / REFANT":
                pcv_type = line[0:1]
                if pcv_type not in ("A", "R"):
                    raise self.error(f"PCV type must be 'A' or 'R', found {pcv_type!r}")
                ref_ant = line[20:40].rstrip()
                ref_ser = line[40:60].strip()
            elif label == "COMMENT":
                comments.append(line[:60].rstrip())
        antennas = self._antennas(i)
        return Antex(
            version, system, pcv_type, ref_ant, ref_ser, tuple(comments), antennas, self.path, self.models
        )

    # -- antenna and frequency sections
    def _antennas(self, i: int) -> list[Antenna]:
        lines = self.lines
        self.out: list[Antenna] = []
        self.blk: _Block | None = None
        self.freq: dict | None = None  # open frequency or RMS block
        self.nazi = self.nzen = 0
        last = len(lines)
        while last > i and not lines[last - 1].strip():
            last -= 1
        k = i
        while k < len(lines):
            self.n = k + 1
            try:
                self._line(lines[k])
            except (ValueError, IndexError, KompasError):
                # the file was cut inside its last record (reported below as truncation); a complete
                # labelled record that does not parse stays an error
                cut = lines[k][60:80].strip() not in _FREQ_LABELS | _ANTENNA_LABELS
                if self.n == last and self.blk is not None and cut:
                    break
                raise
            k += 1
            if self.skip:
                self.skip = False
                k = self._skip_block(k)
        if self.blk is not None:
            warnings.warn(
                TruncatedFileWarning(
                    f"{self.path}: file ends inside the antenna block opened at line {self.blk.line_no} "
                    f"(no END OF ANTENNA); returning the {len(self.out)} complete antenna blocks"
                ),
                stacklevel=caller_stacklevel(),
            )
        return self.out

    def _line(self, line: str) -> None:
        """One line of the antenna section (ANTEX 1.4 antenna and frequency sections)."""
        label = line[60:80].strip()
        blk, freq = self.blk, self.freq
        if freq is not None and label not in _FREQ_LABELS:
            self._data_row(line, freq, self.nazi, self.nzen)
        elif freq is not None and label == "NORTH / EAST / UP":
            if freq["pco"] is not None or freq["noazi"] is not None:
                raise self.error("NORTH / EAST / UP must come once, before the NOAZI row")
            # 3F10.2, millimetres
            neu = [_float(line[10 * k : 10 * k + 10], "NORTH / EAST / UP") for k in range(3)]
            freq["pco"] = _bounded(neu, MAX_MM, "NORTH / EAST / UP")
        elif label == "START OF ANTENNA":
            if blk is not None:
                if self.strict:
                    opened = blk.line_no
                    raise self.error(f"START OF ANTENNA inside the block opened at line {opened} (no "
                                     "END OF ANTENNA; refused in strict mode)")  # fmt: skip
                kept = self._finish(blk, self.out, closed=False)
                warnings.warn(
                    KompasWarning(
                        f"{self.path}, line {self.n}: START OF ANTENNA inside the block opened at line "
                        f"{blk.line_no} (no END OF ANTENNA); "
                        + ("kept its complete frequency blocks" if kept else "block dropped")
                    ),
                    stacklevel=caller_stacklevel(),
                )
            self.blk, self.freq = _Block(self.n), None
        elif blk is None:
            if not (label in ("", "COMMENT") and (label or not line.strip())):
                raise self.error(f"expected START OF ANTENNA, found {line[:80].rstrip()!r}")
        elif label == "END OF ANTENNA":
            if freq is not None:
                raise self.error(f"END OF ANTENNA inside frequency block {freq['code']}")
            self._finish(blk, self.out, closed=True)
            self.blk = None
        elif label in ("START OF FREQUENCY", "START OF FREQ RMS"):
            if freq is not None:
                raise self.error(f"{label} inside the open block of {freq['code']}")
            self.nazi, self.nzen = blk.grid()
            self.freq = {"code": self._freq_code(line), "rms": label.endswith("RMS"), "line": self.n,
                         "pco": None, "noazi": None, "rows": []}  # fmt: skip
        elif label in ("END OF FREQUENCY", "END OF FREQ RMS"):
            if freq is None or freq["rms"] != label.endswith("RMS"):
                raise self.error(f"{label} without its START record")
            code = self._freq_code(line)
            if code != freq["code"]:
                raise self.error(f"{label} {code} closes the block of {freq['code']}")
            self._close_freq(blk, freq, self.nazi)
            self.freq = None
        elif label == "NORTH / EAST / UP":
            raise self.error("NORTH / EAST / UP outside a frequency block")
        else:
            self._antenna_record(blk, line, label)

    def _skip_block(self, k: int) -> int:
        """Pass over the rest of an unwanted receiver block from line index ``k``, unparsed: the index of
        the line after its END OF ANTENNA, or of a START OF ANTENNA that comes first (the block is then
        left open, as an unclosed block is), or the end of the file (left open: truncation)."""
        lines = self.lines
        while k < len(lines):
            label = lines[k][60:80].strip()
            if label == "END OF ANTENNA":
                self.blk, self.freq = None, None
                return k + 1
            if label == "START OF ANTENNA":
                return k
            k += 1
        return k

    def _freq_code(self, line: str) -> str:
        # 3X,A1,I2: e.g. "   G01"
        letter = line[3:4].upper()
        if letter not in _SYSTEM_LETTERS or not letter:
            raise self.error(f"expected a frequency code such as 'G01' in columns 4-6, found {line[3:6]!r}")
        return f"{letter}{_int(line[4:6], 'frequency number'):02d}"

    def _antenna_record(self, blk: _Block, line: str, label: str) -> None:
        if label == "TYPE / SERIAL NO":
            # A20,A20,A10,A10
            blk.type = line[0:20].rstrip()
            blk.serial = line[20:40].strip()
            blk.svn = line[40:50].strip()
            blk.cospar = line[50:60].strip()
            blk.has_type = True
            # a receiver antenna not asked for: the rest of its block is passed over (_skip_block)
            self.skip = (
                self.models is not None
                and not _satellite_serial(blk.serial)
                and _block_model(blk.type) not in self.models
            )
        elif label == "METH / BY / # / DATE":
            # A20,A20,I6,4X,A10
            blk.method = line[0:20].strip()
            blk.agency = line[20:40].strip()
            num = line[40:46].strip()
            blk.n_calibrated = _int(num, "# of individual antennas") if num else None
            blk.date = line[50:60].strip()
        elif label == "DAZI":
            dazi = _float(line[2:8], "DAZI")
            if dazi < 0 or dazi > 360:
                raise self.error(f"DAZI must be within 0..360 degrees, found {dazi}")
            if dazi:
                _grid_count(0.0, 360.0, dazi, "DAZI")
            blk.dazi = dazi
        elif label == "ZEN1 / ZEN2 / DZEN":
            blk.zen = (
                _float(line[2:8], "ZEN1"),
                _float(line[8:14], "ZEN2"),
                _float(line[14:20], "DZEN"),
            )
            _grid_count(*blk.zen, what="ZEN1 / ZEN2 / DZEN")
        elif label == "# OF FREQUENCIES":
            blk.nfreq = _int(line[0:6], "# OF FREQUENCIES")
        elif label == "VALID FROM":
            blk.valid_from = self._epoch(line, label)
        elif label == "VALID UNTIL":
            blk.valid_until = self._epoch(line, label)
        elif label == "SINEX CODE":
            blk.sinex_code = line[0:10].strip()
        elif label == "COMMENT":
            blk.comments.append(line[:60].rstrip())
        else:
            raise self.error(f"unexpected record {label or line[:60].strip()!r} inside an antenna block")

    def _epoch(self, line: str, label: str) -> int:
        # 5I6,F13.7, GPS time
        y, m, d, hh, mi = (_int(line[6 * k : 6 * k + 6], label) for k in range(5))
        sec = _float(line[30:43], label)
        # satellite validity periods start before GPS time does (Block I, 1978)
        problem = calendar_problem(y, m, d, hh, mi, sec, years=(1900, 2200))
        if problem is not None:
            raise ValueError(f"{label}: {problem}")
        return int(gtime_from_calendar(y, m, d, hh, mi, sec, scale="GPST"))

    def _data_row(self, line: str, freq: dict, nazi: int, nzen: int) -> None:
        if line[3:8] == "NOAZI":
            if freq["pco"] is None and not freq["rms"]:
                raise self.error("NOAZI row before NORTH / EAST / UP")
            if freq["noazi"] is not None:
                raise self.error("second NOAZI row in one frequency block")
            freq["noazi"] = _bounded(_values(line, 8, nzen, "the NOAZI row"), MAX_MM, "the NOAZI row")
            return
        if not line.strip():
            raise self.error(f"blank line inside the frequency block of {freq['code']}")
        if nazi == 0:
            raise self.error(f"azimuth-dependent row but DAZI = 0 (found {line[:40].rstrip()!r})")
        if freq["noazi"] is None:
            raise self.error("azimuth-dependent row before the NOAZI row")
        k = len(freq["rows"])
        azi = _float(line[0:8], "azimuth")
        if k >= nazi or abs(azi - 360.0 * k / (nazi - 1)) > 1e-6:
            expected = f"{360.0 * k / (nazi - 1):.1f}" if k < nazi else "END OF FREQUENCY"
            raise self.error(f"expected the row of azimuth {expected}, found azimuth {azi}")
        what = f"the row of azimuth {azi}"
        freq["rows"].append(_bounded(_values(line, 8, nzen, what), MAX_MM, what))

    def _close_freq(self, blk: _Block, freq: dict, nazi: int) -> None:
        code = freq["code"]
        if freq["noazi"] is None:
            raise self.error(f"frequency block {code} has no NOAZI row")
        if not freq["rms"] and freq["pco"] is None:
            raise self.error(f"frequency block {code} has no NORTH / EAST / UP record")
        if nazi and len(freq["rows"]) != nazi:
            raise self.error(
                f"frequency block {code} has {len(freq['rows'])} azimuth rows, DAZI gives {nazi}"
            )
        slot = blk.freqs.setdefault(code, {})
        key = "rms" if freq["rms"] else "val"
        if key in slot:
            raise self.error(f"second {'RMS ' if freq['rms'] else ''}block for frequency {code}")
        slot[key] = freq

    def _finish(self, blk: _Block, out: list[Antenna], closed: bool) -> bool:
        """Build the Antenna of a block; False (nothing added) for an unclosed block without data."""
        if not blk.has_type:
            if not closed:
                return False
            raise self.error("antenna block without TYPE / SERIAL NO", blk.line_no)
        complete = {c: s for c, s in blk.freqs.items() if "val" in s}
        if not closed and not complete:
            return False
        if closed and blk.nfreq is not None and blk.nfreq != len(complete):
            if self.strict:
                found = len(complete)
                raise self.error(f"antenna {blk.type!r} declares {blk.nfreq} frequencies, {found} found "
                                 "(refused in strict mode)", blk.line_no)  # fmt: skip
            warnings.warn(
                KompasWarning(
                    f"{self.path}, line {blk.line_no}: antenna {blk.type!r} declares {blk.nfreq} "
                    f"frequencies, {len(complete)} found"
                ),
                stacklevel=caller_stacklevel(),
            )
        if blk.zen is None or blk.dazi is None:
            raise self.error("antenna block without DAZI or ZEN1 / ZEN2 / DZEN", blk.line_no)
        nazi, nzen = blk.grid()
        zen1, _, dzen = blk.zen
        zen_rad = np.deg2rad(zen1 + dzen * np.arange(nzen))
        azi_rad = np.deg2rad(blk.dazi * np.arange(nazi)) if nazi else None
        freqs = {}
        for code, slot in complete.items():
            val, rms = slot["val"], slot.get("rms")
            freqs[code] = AntennaFrequency(
                code=code,
                pco_m=np.array(val["pco"], dtype=np.float64) * _MM,
                pcv_noazi_m=np.array(val["noazi"], dtype=np.float64) * _MM,
                pcv_m=np.array(val["rows"], dtype=np.float64) * _MM if nazi else None,
                pco_rms_m=None if rms is None or rms["pco"] is None else np.array(rms["pco"]) * _MM,
                pcv_noazi_rms_m=None if rms is None else np.array(rms["noazi"], dtype=np.float64) * _MM,
                pcv_rms_m=None if rms is None or not nazi else np.array(rms["rows"], dtype=np.float64) * _MM,
            )
        sat = int(sat_index(blk.serial)) if _satellite_serial(blk.serial) else -1
        out.append(
            Antenna(
                type=blk.type,
                serial=blk.serial,
                sat=sat,
                svn=blk.svn,
                cospar=blk.cospar,
                method=blk.method,
                agency=blk.agency,
                n_calibrated=blk.n_calibrated,
                date=blk.date,
                sinex_code=blk.sinex_code,
                valid_from_ns=blk.valid_from,
                valid_until_ns=blk.valid_until,
                zen_rad=zen_rad,
                azi_rad=azi_rad,
                freqs=freqs,
                comments=tuple(blk.comments),
            )
        )
        return True


def _models(types) -> frozenset:
    """The antenna models (upper case) of RINEX header antenna types; blank types name none. Both the
    first word and the first 16 columns count (the 20-column form puts the model in 1-16)."""
    out = set()
    for text in types:
        if text and text.strip():
            out.update({text.split()[0].upper(), text[:16].strip().upper()})
    return frozenset(out)


def _block_model(antenna_type: str) -> str:
    """The model of an ANTEX TYPE / SERIAL NO type field (columns 1-16, upper case), as blocks are
    looked up by."""
    return antenna_type[:16].strip().upper()


def _satellite_serial(ser: str) -> bool:
    """Whether a TYPE / SERIAL NO serial field names a satellite (``"G01"``: a satellite block)."""
    return len(ser) == 3 and ser[0] in _SYSTEM_LETTERS and ser[1:].isdigit() and ser[1:] != "00"


_FREQ_LABELS = frozenset(
    {
        "START OF FREQUENCY",
        "END OF FREQUENCY",
        "START OF FREQ RMS",
        "END OF FREQ RMS",
        "NORTH / EAST / UP",
        "START OF ANTENNA",
        "END OF ANTENNA",
        "COMMENT",
    }
)


_ANTENNA_LABELS = frozenset(
    {
        "TYPE / SERIAL NO",
        "METH / BY / # / DATE",
        "DAZI",
        "ZEN1 / ZEN2 / DZEN",
        "# OF FREQUENCIES",
        "VALID FROM",
        "VALID UNTIL",
        "SINEX CODE",
    }
)


_AntexParser.LABELS = _AntexParser.LABELS | _FREQ_LABELS | _ANTENNA_LABELS


def read_antex(path: str | os.PathLike, *, strict: bool = False, receivers=None) -> Antex:
    """Read an ANTEX 1.3/1.4 file (plain or compressed).

    Parameters
    ----------
    path : str or os.PathLike
        The ANTEX file (``.atx``, optionally gz/Z/bz2/zip).
    strict : bool
        Refuse (FormatError) an antenna block left open or whose frequency count disagrees, instead of
        warning.
    receivers : iterable of str, optional
        Receiver antennas to read (RINEX header types such as ``"LEIAR25.R3      LEIT"``, or models):
        the blocks of every other receiver antenna model are passed over unparsed, so their errors go
        unreported and :meth:`Antex.receiver` says they were not read. Satellite blocks are always
        read; every radome of a model is (the PPP model falls back to radome ``NONE``). An empty
        iterable reads the satellites alone. A run needs one or two receiver antennas; parsing the
        others' azimuth grids is most of the time of a large file (benchmarks/bench_antex.py).

    Returns
    -------
    Antex
        Header and antenna blocks; offsets and variations in metres, angles in radians,
        validity periods in GPST nanoseconds.

    Raises
    ------
    FormatError
        A record that does not follow ANTEX 1.4 (with its line number).

    Warns
    -----
    TruncatedFileWarning
        The file ends inside an antenna block (the complete blocks before it are returned).
    KompasWarning
        An antenna block not closed before the next one starts, or whose ``# OF FREQUENCIES``
        disagrees with the frequency blocks found.
    """
    name = file_name(path)
    models = None if receivers is None else _models([receivers] if isinstance(receivers, str) else receivers)
    return _AntexParser(name, read_text(path), strict, models).parse()
