"""Satellite metadata: which spacecraft flies under a PRN at a time, its block, orbit and attitude law.

A PRN (or GLONASS slot) is reused by several spacecraft over the years, so every record has a validity
period. :class:`SatelliteCatalog` is a struct-of-arrays table of such records, filled by the readers of
:mod:`kompas.io.readers.satmeta` from any mix of three sources:

=========== ==================================================================================== ====
source      what it gives                                                                        rank
=========== ==================================================================================== ====
``ANTEX``   IGS ANTEX satellite blocks: PRN, SVN, COSPAR id, block type, validity (ANTEX 1.4)    0
``PRIDE``   PRIDE PPP-AR ``table/sat_parameters``: PRN, SVN, validity, COSPAR id, mass, block    1 / 3
``GPSPACE`` NRCan GPSPACE ``gpsppp.svb_*``: PRN, SVN, launch/decommission, block code            2
=========== ==================================================================================== ====

Lookup rule (:meth:`SatelliteCatalog.lookup`): among the records of a satellite valid at the instant, the
lowest rank wins, and among equal ranks the record that started last. The PRIDE table has an issue date
(its header); an open-ended PRIDE record says nothing about instants after that date, so it ranks 1 up to
the issue date and 3 (below GPSPACE) after it. Nor does it serve an instant after a GPSPACE record of the
same spacecraft and PRN ended, when that end is later than the issue date: the later table has seen the
spacecraft leave the PRN (G13, SVN 43, left on 2026-04-24 by GPSPACE; the IGS20 ANTEX of 2026-04-30 flies
SVN 83, a GPS IIIA, there, whose nominal offset differs from a IIR's by 1.7 m).

Block names follow the IGS ANTEX convention (``"BLOCK IIF"``, ``"GLONASS-M"``, ``"GALILEO-2"``,
``"BEIDOU-3M-CAST"``...), as the PRIDE table writes them; GPSPACE block codes are translated to them.

Maximum yaw rates (rad/s) are per block from the literature, because the PRIDE table's ``MAX_YAW``
column is zero for every satellite and GPSPACE has none:

* GPS IIA 0.12 deg/s (Bar-Sever 1996, "A new model for GPS yaw attitude", J. Geod. 70:714-723; the
  per-SVN values of Kouba 2009 range 0.08-0.14 deg/s); IIR 0.20 deg/s (Kouba 2009, GPS Solut. 13:1-12,
  sec. 3); IIF 0.11 deg/s (Dilssner 2010, "GPS IIF-1 satellite: antenna phase center and attitude
  modeling", InsideGNSS 5(6):59-64; Kouba 2013); GPS III: 0.20 deg/s, taken as IIR (no published value
  was found; uncertain).
* GLONASS-M and K1 0.25 deg/s (Dilssner et al. 2011, "The GLONASS-M satellite yaw-attitude model",
  Adv. Space Res. 47:160-171).
* BeiDou-3 CAST 0.085 deg/s is not used by the models here (see :mod:`kompas.models.yaw`); the column
  is NaN where no rate-limited law applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import KompasError
from ..satsys import sat_id, sat_index

__all__ = [
    "SatelliteCatalog",
    "SatelliteInfo",
    "NOMINAL_OFFSET_SOURCE",
    "MGEX_CONVENTIONAL_PCO_M",
    "MGEX_CONVENTIONAL_MODELS",
    "ATTITUDE_LAWS",
    "attitude_law",
    "orbit_type",
    "max_yaw_rate_rad_s",
]

T_MAX_NS = int(np.iinfo(np.int64).max)
T_MIN_NS = int(np.iinfo(np.int64).min)
_DEG = np.pi / 180.0

SOURCE_RANK = {"ANTEX": 0, "PRIDE": 1, "GPSPACE": 2}
"""Rank of each source (lower wins); PRIDE records after the table's issue date rank 3."""

NOMINAL_OFFSET_SOURCE = "NRCan GPSPACE gpsppp.svb_* block header (nominal, ionosphere-free)"
"""Where the block-level nominal antenna offsets come from; they are not IGS ANTEX values."""

MGEX_CONVENTIONAL_PCO_M = {
    "BEIDOU-2G": (0.6, 0.0, 1.1),
    "BEIDOU-2I": (0.6, 0.0, 1.1),
    "BEIDOU-2M": (0.6, 0.0, 1.1),
}
"""BeiDou-2 satellite antenna offsets (x, y, z body frame, m; every band) of the IGS ANTEX models igs08 (from
igs08_1854.atx, IGSMAIL-7126) and igs14: the conventional values adopted by the IGS Multi-GNSS Experiment
for want of calibrations (Montenbruck et al. 2017, Adv. Space Res. 59:1671-1697, "conventional MGEX PCOs").
Products aligned with these models (SP3 ``PCV:IGS14``, clock ``SYS / PCVS APPLIED igs14``) need them: their
clocks absorb the difference to any other offset only along the boresight at the nadir, and GPSPACE's
BeiDou-2 values (z 2.47 m MEO, 4.92 m IGSO and GEO) differ by 1.4-3.8 m. ESBC's day with CODE's IGS14
products (BENCHMARKS.md): the mean ionosphere-free code residuals of the IGSO and MEO satellites differ by
2.44 m with GPSPACE's offsets, the predicted 2.45 m, and by 0.15 m with these; in the signal-in-space check
of CODE's and GFZ's products (both igs14) the IGSO and MEO radial means are -0.06 to +0.39 m with these and
+1.6 to +4.0 m with GPSPACE's. igs20.atx replaced them by estimated values (GPS week 2238)."""

MGEX_CONVENTIONAL_MODELS = ("IGS08", "IGS14")
"""ANTEX models whose BeiDou-2 offsets are :data:`MGEX_CONVENTIONAL_PCO_M`."""

ATTITUDE_LAWS = (
    "unknown",
    "gps_iia",
    "gps_iir",
    "gps_iif",
    "gps_iii",
    "glonass",
    "galileo_iov",
    "galileo_foc",
    "bds2_geo",
    "bds2_igso_meo",
    "bds3_cast",
    "bds3_secm",
    "bds3_geo",
    "qzss_on",
    "nominal",
    "qzss_geo",
)
"""Attitude-law names, indexed by the ``law`` codes of :class:`SatelliteInfo` (:mod:`kompas.models.yaw`)."""

_LAW_CODE = {name: i for i, name in enumerate(ATTITUDE_LAWS)}


def attitude_law(block: str, orbit: str = "") -> str:
    """The attitude-law name for an IGS block name (``"BLOCK IIF"`` -> ``"gps_iif"``).

    BeiDou-2 GEO, BDS-3 GEO and the QZSS GEO (QZS-3, block ``"QZSS-2G"``) stay in orbit-normal mode; QZS-1
    (block ``"QZSS"``) uses orbit-normal mode near eclipses, |beta| < 20 deg (Montenbruck et al. 2015,
    Adv. Space Res. 56, sec. 4.5): a GEO's beta follows the Sun's declination, so that rule would yaw-steer
    QZS-3 around both solstices. Other QZSS satellites are taken as nominal yaw steering.
    """
    b = block.upper().strip()
    if b.startswith("BLOCK"):
        kind = b.split()[-1]
        if kind in ("I", "II", "IIA"):
            return "gps_iia"
        if kind.startswith("IIR"):
            return "gps_iir"
        if kind == "IIF":
            return "gps_iif"
        if kind.startswith("III"):
            return "gps_iii"
        return "unknown"
    if b.startswith("GLONASS"):
        return "glonass"
    if b.startswith("GALILEO"):
        return "galileo_foc" if b == "GALILEO-2" else "galileo_iov"
    if b.startswith("BEIDOU-2"):
        return "bds2_geo" if b.endswith("G") or orbit == "GEO" else "bds2_igso_meo"
    if b.startswith("BEIDOU-3"):
        if b.startswith("BEIDOU-3G") or orbit == "GEO":
            return "bds3_geo"
        return "bds3_secm" if b.endswith("SECM") else "bds3_cast"
    if b.startswith("QZSS"):
        if b == "QZSS-2G" or orbit == "GEO":
            return "qzss_geo"
        return "qzss_on" if b == "QZSS" else "nominal"
    return "unknown"


def orbit_type(block: str, sat: int) -> str:
    """``"GEO"``, ``"IGSO"`` or ``"MEO"`` from the block name (BeiDou, QZSS) or the system (others)."""
    b = block.upper().strip()
    if b.startswith("BEIDOU-"):
        kind = b.split("-")[1]  # "2G", "3M", "3SI"...
        return {"G": "GEO", "I": "IGSO", "M": "MEO"}.get(kind[-1], "")
    if b.startswith("QZSS"):
        return "GEO" if b.endswith("G") else "IGSO"
    letter = str(sat_id(sat))[0]
    return {"G": "MEO", "R": "MEO", "E": "MEO", "J": "IGSO", "S": "GEO"}.get(letter, "")


_YAW_RATE_DEG_S = {"gps_iia": 0.12, "gps_iir": 0.20, "gps_iif": 0.11, "gps_iii": 0.20, "glonass": 0.25}


def max_yaw_rate_rad_s(law: str) -> float:
    """Maximum yaw rate of a rate-limited attitude law, rad/s (module docstring); NaN for the others."""
    return _YAW_RATE_DEG_S.get(law, np.nan) * _DEG


@dataclass(frozen=True, eq=False)
class SatelliteInfo:
    """Per-query result of :meth:`SatelliteCatalog.lookup` (arrays of the query length N).

    Attributes
    ----------
    found : bool (N,)
        A record of the satellite is valid at the instant.
    svn, block, orbit, cospar, source : str arrays (N,)
        Space-vehicle number (``"G063"``), IGS block name, ``GEO``/``IGSO``/``MEO``, COSPAR id, and the
        source of the record; empty where not found.
    generation : str array (N,)
        ``"BDS-2"`` / ``"BDS-3"`` for BeiDou, empty otherwise.
    manufacturer : str array (N,)
        ``"CAST"`` / ``"SECM"`` for BeiDou-3 where the block name says it, empty otherwise.
    mass_kg : float (N,)
        Launch mass, kg (NaN unknown).
    glo_channel : int16 (N,)
        GLONASS FDMA channel from the table (-99 unknown or not GLONASS).
    law : int16 (N,)
        Attitude-law code, an index into :data:`ATTITUDE_LAWS`.
    max_yaw_rate_rad_s : float (N,)
        Maximum yaw rate of the law, rad/s (NaN where the law has none).
    nominal_pco_m : float (N, 3)
        Block-level nominal antenna offset (body x, y, z; m; ionosphere-free) from the GPSPACE header, NaN
        where the block has none. Nominal values: use them only for satellites an ANTEX file lacks.
    """

    found: np.ndarray
    svn: np.ndarray
    block: np.ndarray
    orbit: np.ndarray
    cospar: np.ndarray
    source: np.ndarray
    generation: np.ndarray
    manufacturer: np.ndarray
    mass_kg: np.ndarray
    glo_channel: np.ndarray
    law: np.ndarray
    max_yaw_rate_rad_s: np.ndarray
    nominal_pco_m: np.ndarray

    def law_name(self) -> np.ndarray:
        """The attitude-law names of the rows (``"gps_iif"``...)."""
        return np.asarray(ATTITUDE_LAWS, dtype=object)[self.law].astype(str)


def _str_col(values, width: int) -> np.ndarray:
    return np.asarray(list(values), dtype=f"U{width}")


@dataclass(frozen=True, eq=False)
class SatelliteCatalog:
    """Satellite records with validity periods (struct of arrays, one row per record).

    Attributes
    ----------
    sat : int16 (N,)
        Satellite index (:func:`kompas.satsys.sat_index`).
    svn, block, orbit, cospar, source : str (N,)
        See :class:`SatelliteInfo`.
    valid_from_ns, valid_until_ns : int64 (N,)
        Validity, GPST ns, inclusive (int64 min / max for open ends).
    mass_kg : float64 (N,)
    glo_channel : int16 (N,)
    nominal_offsets : dict[str, numpy.ndarray]
        Block name -> nominal antenna offset (x, y, z body frame, m) from the GPSPACE headers.
    pride_issue_ns : int or None
        Issue date of the PRIDE table (see the module docstring), None when no PRIDE rows.
    """

    sat: np.ndarray
    svn: np.ndarray
    block: np.ndarray
    orbit: np.ndarray
    cospar: np.ndarray
    source: np.ndarray
    valid_from_ns: np.ndarray
    valid_until_ns: np.ndarray
    mass_kg: np.ndarray
    glo_channel: np.ndarray
    nominal_offsets: dict = field(default_factory=dict)
    pride_issue_ns: int | None = None

    @classmethod
    def from_records(cls, records, nominal_offsets=None, pride_issue_ns=None) -> SatelliteCatalog:
        """Build from dicts with keys sat, svn, block, source, valid_from_ns, valid_until_ns and
        optionally orbit, cospar, mass_kg, glo_channel."""
        recs = list(records)
        sat = np.array([int(r["sat"]) for r in recs], dtype=np.int16)
        block = [str(r["block"]).upper().strip() for r in recs]
        orbit = [
            r.get("orbit") or orbit_type(b, s) for r, b, s in zip(recs, block, sat.tolist(), strict=True)
        ]
        return cls(
            sat=sat,
            svn=_str_col((r["svn"] for r in recs), 5),
            block=_str_col(block, 20),
            orbit=_str_col(orbit, 4),
            cospar=_str_col((r.get("cospar", "") for r in recs), 10),
            source=_str_col((r["source"] for r in recs), 8),
            valid_from_ns=np.array([r["valid_from_ns"] for r in recs], dtype=np.int64),
            valid_until_ns=np.array([r["valid_until_ns"] for r in recs], dtype=np.int64),
            mass_kg=np.array([r.get("mass_kg", np.nan) for r in recs], dtype=np.float64),
            glo_channel=np.array([r.get("glo_channel", -99) for r in recs], dtype=np.int16),
            nominal_offsets=dict(nominal_offsets or {}),
            pride_issue_ns=pride_issue_ns,
        )

    def __len__(self) -> int:
        return int(self.sat.size)

    def __repr__(self) -> str:
        srcs = ", ".join(
            f"{s}: {int(n)}" for s, n in zip(*np.unique(self.source, return_counts=True), strict=True)
        )
        return f"SatelliteCatalog({len(self)} records, {np.unique(self.sat).size} satellites; {srcs})"

    def with_offsets(self, offsets: dict) -> SatelliteCatalog:
        """A copy whose nominal offsets of the named blocks are ``offsets`` (block -> (x, y, z) m)."""
        new = {k: np.asarray(v, dtype=np.float64) for k, v in offsets.items()}
        return replace(self, nominal_offsets={**self.nominal_offsets, **new})

    def for_antenna_model(self, model: str) -> SatelliteCatalog:
        """The catalog whose nominal offsets suit products aligned with the ANTEX ``model`` (``"IGS14"``;
        :func:`kompas.products.precise.antenna_model`): igs08/igs14 take the BeiDou-2 offsets of
        :data:`MGEX_CONVENTIONAL_PCO_M`; any other model leaves the catalog as it is (``self``)."""
        return self.with_offsets(MGEX_CONVENTIONAL_PCO_M) if model in MGEX_CONVENTIONAL_MODELS else self

    def merged(self, other: SatelliteCatalog) -> SatelliteCatalog:
        """Union of two catalogs (records of both; offsets of ``other`` win; the known PRIDE issue date)."""
        names = ("sat", "svn", "block", "orbit", "cospar", "source", "valid_from_ns", "valid_until_ns")
        cols = {n: np.concatenate([getattr(self, n), getattr(other, n)]) for n in names}
        cols["mass_kg"] = np.concatenate([self.mass_kg, other.mass_kg])
        cols["glo_channel"] = np.concatenate([self.glo_channel, other.glo_channel])
        issue = other.pride_issue_ns if other.pride_issue_ns is not None else self.pride_issue_ns
        return SatelliteCatalog(
            **cols, nominal_offsets={**self.nominal_offsets, **other.nominal_offsets}, pride_issue_ns=issue
        )

    def _rank(self, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(R, M) rank of each row for each instant (module docstring)."""
        src = self.source[rows]
        base = np.array([SOURCE_RANK.get(s, 9) for s in src.tolist()], dtype=np.int64)[:, None]
        rank = np.broadcast_to(base, (rows.size, t.size)).copy()
        if self.pride_issue_ns is not None:
            late = (src == "PRIDE")[:, None] & (t[None, :] > self.pride_issue_ns)
            rank[late] = 3
        return rank

    def _left(self, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(R, M): PRIDE records (of one satellite) at instants after a GPSPACE record of the same SVN ended
        later than the PRIDE issue date (module docstring)."""
        out = np.zeros((rows.size, t.size), bool)
        if self.pride_issue_ns is None:
            return out
        src, svn, until = self.source[rows], self.svn[rows], self.valid_until_ns[rows]
        ended = (src == "GPSPACE") & (until > self.pride_issue_ns)  # open-ended ones never end before t
        for i in np.flatnonzero(src == "PRIDE"):
            same = ended & (svn == svn[i])
            if same.any():
                out[i] = t > until[same].max()
        return out

    def lookup_rows(self, sats, t_gpst_ns) -> np.ndarray:
        """Row index of the record that answers each (satellite, instant) query; -1 when none.

        One pass per distinct satellite of the query (a few rows each), vectorised over the instants.
        """
        s = np.atleast_1d(sat_index(sats) if np.asarray(sats).dtype.kind in "US" else np.asarray(sats))
        s = s.astype(np.int16)
        t = np.broadcast_to(np.asarray(t_gpst_ns, dtype=np.int64), s.shape)
        out = np.full(s.shape, -1, dtype=np.int64)
        for sat in np.unique(s).tolist():
            q = np.flatnonzero(s == sat)
            rows = np.flatnonzero(self.sat == sat)
            if rows.size == 0:
                continue
            tq = t[q]
            valid = (self.valid_from_ns[rows, None] <= tq[None, :]) & (
                tq[None, :] <= self.valid_until_ns[rows, None]
            )
            valid &= ~self._left(rows, tq)
            # key: rank first (lower wins), then latest start; invalid rows lose
            rank = np.where(valid, self._rank(rows, tq), 99)
            order = np.lexsort(
                (-self.valid_from_ns[rows].astype(np.float64)[:, None] * np.ones_like(tq), rank), axis=0
            )
            best = order[0]
            ok = valid[best, np.arange(tq.size)]
            out[q] = np.where(ok, rows[best], -1)
        return out

    def lookup(self, sats, t_gpst_ns) -> SatelliteInfo:
        """Metadata of each (satellite, instant), vectorised.

        Parameters
        ----------
        sats : array_like of int or str, shape (N,)
            Satellite indices or ids (``"C19"``).
        t_gpst_ns : array_like of int64, shape (N,) or scalar
            Instants, GPST ns.

        Returns
        -------
        SatelliteInfo
            Rows with ``found`` False have empty strings, NaN numbers and law ``"unknown"``.
        """
        rows = self.lookup_rows(sats, t_gpst_ns)
        ok = rows >= 0
        r = np.where(ok, rows, 0)
        n = rows.size

        def col(a, empty):
            if a.size == 0:
                return np.full(n, empty, dtype=a.dtype if a.dtype.kind != "U" else "U20")
            return np.where(ok, a[r], empty)

        block = col(self.block, "")
        orbit = col(self.orbit, "")
        laws = [
            attitude_law(b, o) if f else "unknown"
            for b, o, f in zip(block.tolist(), orbit.tolist(), ok.tolist(), strict=True)
        ]
        law = np.array([_LAW_CODE[x] for x in laws], dtype=np.int16)
        gen = np.where(
            np.char.startswith(block, "BEIDOU-2"),
            "BDS-2",
            np.where(np.char.startswith(block, "BEIDOU-3"), "BDS-3", ""),
        )
        manu = np.where(
            np.char.endswith(block, "CAST"), "CAST", np.where(np.char.endswith(block, "SECM"), "SECM", "")
        )
        pco = np.full((n, 3), np.nan)
        for name, off in self.nominal_offsets.items():
            pco[block == name] = off
        return SatelliteInfo(
            found=ok,
            svn=col(self.svn, ""),
            block=block,
            orbit=orbit,
            cospar=col(self.cospar, ""),
            source=col(self.source, ""),
            generation=gen,
            manufacturer=manu,
            mass_kg=col(self.mass_kg, np.nan),
            glo_channel=col(self.glo_channel, -99).astype(np.int16),
            law=law,
            max_yaw_rate_rad_s=np.array([max_yaw_rate_rad_s(x) for x in laws]),
            nominal_pco_m=pco,
        )

    def require(self, sats, t_gpst_ns) -> SatelliteInfo:
        """As :meth:`lookup`, raising :class:`~kompas.errors.KompasError` if a query is not covered."""
        info = self.lookup(sats, t_gpst_ns)
        if not info.found.all():
            i = int(np.flatnonzero(~info.found)[0])
            s = np.atleast_1d(sats)[i]
            raise KompasError(
                f"no satellite record for {s} at GPST ns {np.broadcast_to(t_gpst_ns, info.found.shape)[i]}"
            )
        return info
