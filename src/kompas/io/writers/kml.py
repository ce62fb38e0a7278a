"""Solution tracks for map tools: KML 2.2 and GPX 1.1.

KML (OGC KML 2.2, namespace ``http://www.opengis.net/kml/2.2``): one ``Document`` with a style per
quality, a ``Placemark`` holding the track as a ``LineString``, and a ``Folder`` with one point
``Placemark`` per epoch (UTC ``TimeStamp``, quality style, a description with Q, satellites and DOP).

GPX (GPX 1.1, namespace ``http://www.topografix.com/GPX/1/1``): one ``trk``; each run of consecutive
epochs with a solution is a ``trkseg`` of ``trkpt`` (``lat``/``lon`` in degrees, ``ele``, UTC
``time``, ``fix``, ``sat``, ``hdop``/``vdop``/``pdop``, in the order the schema requires).

Heights: GPX ``ele`` and KML ``absolute`` altitudes are meant above mean sea level, so by default
(``heights="geoid"``) both writers write the height above the EGM96 geoid, h - N
(:func:`kompas.geoid.egm96_undulation_m`); ``heights="ellipsoidal"`` writes the WGS-84 ellipsoidal
height h (tens of metres apart). KML clamps the track to the ground by default. Only epochs with a
solution are written. The XML is built with :mod:`xml.etree.ElementTree`, so text is always escaped.

Longitudes: GPX's ``longitudeType`` is [-180, 180), so a GPX longitude that rounds to 180 deg is
written as -180; KML's ``kml:angle180`` is [-180, 180] and keeps 180.

Times: ``xs:dateTime`` has no second 60, so an epoch inside an inserted leap second (23:59:60 UTC) is
written with the time of the second before it (23:59:59); the NMEA and ``.pos`` (UTC) writers write
second 60.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from ...errors import ConfigError
from ...geoid import egm96_undulation_m
from ...solution import Quality, Solution, require_solution
from ...time import to_datetime64
from ._sink import write_text
from .tables import _time_text

__all__ = ["write_kml", "write_gpx", "KML_NS", "GPX_NS"]

KML_NS = "http://www.opengis.net/kml/2.2"
GPX_NS = "http://www.topografix.com/GPX/1/1"

# KML colours are aabbggrr: fix green, float yellow, SBAS/DGPS blue, single red, PPP magenta
_QUALITY_COLOR = {
    Quality.FIX: "ff00ff00",
    Quality.FLOAT: "ff00ffff",
    Quality.SBAS: "ffff8000",
    Quality.DGPS: "ffff8000",
    Quality.SINGLE: "ff0000ff",
    Quality.PPP: "ffff00ff",
}
_GPX_FIX = {Quality.FIX: "dgps", Quality.FLOAT: "dgps", Quality.SBAS: "dgps", Quality.DGPS: "dgps",
            Quality.SINGLE: "3d", Quality.PPP: "3d"}  # fmt: skip
_ALTITUDE_MODES = ("clampToGround", "absolute", "relativeToGround")


_HEIGHTS = ("geoid", "ellipsoidal")


def _valid(solution, heights: str):
    """Indices of epochs with a solution, and their latitude, longitude (deg), height of the chosen
    reference (m) and UTC times as text."""
    require_solution(solution, "write_kml/write_gpx")
    if heights not in _HEIGHTS:
        raise ConfigError(f"heights must be geoid or ellipsoidal, not {heights!r}")
    llh = solution.llh()
    if heights == "geoid":
        llh[:, 2] -= egm96_undulation_m(llh[:, 0], llh[:, 1])
    q = np.asarray(solution.quality)
    ok = (q != Quality.NONE) & np.all(np.isfinite(llh), axis=1)
    rows = np.flatnonzero(ok)
    times = _time_text(to_datetime64(np.asarray(solution.time_ns)[rows], "UTC")) if rows.size else []
    lat = np.degrees(llh[rows, 0])
    lon = np.degrees(llh[rows, 1])
    return ok, rows, lat, lon, llh[rows, 2], [t + "Z" for t in times]


def _dop(solution, name, rows):
    v = getattr(solution, name)
    return np.full(rows.size, np.nan) if v is None else np.asarray(v, dtype=np.float64)[rows]


def _sub(parent, tag, text=None, **attrib):
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _xml(root) -> str:
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _gpx_lon(lon_deg: float) -> str:
    """A GPX ``lon`` (deg, 9 decimals) in the schema's [-180, 180): wrapped after rounding, since a
    longitude just below 180 deg (or 180 itself) rounds to ``180.000000000``."""
    text = f"{lon_deg:.9f}"
    return f"{float(text) - 360.0:.9f}" if float(text) >= 180.0 else text


def write_kml(
    solution: Solution,
    path_or_file,
    *,
    name: str | None = None,
    points: bool = True,
    altitude_mode: str = "clampToGround",
    heights: str = "geoid",
) -> None:
    """Write the track as KML 2.2 (LineString plus one point placemark per epoch).

    Parameters
    ----------
    solution : Solution
    path_or_file : str or os.PathLike or text file
    name : str, optional
        Document name (default: the record's program or "kompas solution").
    points : bool
        Write the per-epoch point placemarks (the track alone is much smaller).
    altitude_mode : {"clampToGround", "absolute", "relativeToGround"}
        KML altitude mode. The heights written are those of ``heights``, never heights above the terrain
        (kompas has no terrain model): with ``relativeToGround`` a map draws the track that much above
        the ground.
    heights : {"geoid", "ellipsoidal"}
        Height above the EGM96 geoid (KML's mean sea level, the default) or above the ellipsoid.
    """
    if altitude_mode not in _ALTITUDE_MODES:
        raise ConfigError(f"altitude_mode must be one of {', '.join(_ALTITUDE_MODES)}, not {altitude_mode!r}")
    _, rows, lat, lon, h, times = _valid(solution, heights)
    coords = [
        f"{b:.9f},{a:.9f},{c:.4f}" for a, b, c in zip(lat.tolist(), lon.tolist(), h.tolist(), strict=True)
    ]
    q = np.asarray(solution.quality)[rows].astype(np.int64).tolist()
    nsat = np.asarray(solution.nsat)[rows].astype(np.int64).tolist()
    pdop = _dop(solution, "pdop", rows).tolist()

    kml = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(kml, "Document")
    _sub(doc, "name", name or str(solution.record.program or "kompas solution"))
    for qv, color in _QUALITY_COLOR.items():
        icon = _sub(_sub(doc, "Style", id=f"Q{int(qv)}"), "IconStyle")
        _sub(icon, "color", color)
        _sub(icon, "scale", "0.4")
        _sub(_sub(icon, "Icon"), "href", "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")
    line = _sub(_sub(doc, "Style", id="track"), "LineStyle")
    _sub(line, "color", "ffffffff")
    _sub(line, "width", "2")
    track = _sub(doc, "Placemark")
    _sub(track, "name", "track")
    _sub(track, "styleUrl", "#track")
    ls = _sub(track, "LineString")
    _sub(ls, "altitudeMode", altitude_mode)
    _sub(ls, "coordinates", " ".join(coords))
    if points:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", "epochs")
        for k, c in enumerate(coords):
            pm = _sub(folder, "Placemark")
            dop = f", PDOP {pdop[k]:.2f}" if pdop[k] == pdop[k] else ""
            _sub(pm, "description", f"{times[k]} Q={q[k]} ns={nsat[k]}{dop}")
            _sub(_sub(pm, "TimeStamp"), "when", times[k])
            _sub(pm, "styleUrl", f"#Q{q[k]}")
            pt = _sub(pm, "Point")
            _sub(pt, "altitudeMode", altitude_mode)
            _sub(pt, "coordinates", c)
    write_text(path_or_file, _xml(kml))


def write_gpx(
    solution: Solution,
    path_or_file,
    *,
    name: str | None = None,
    creator: str = "kompas",
    heights: str = "geoid",
) -> None:
    """Write the track as GPX 1.1 (``trk`` / ``trkseg`` / ``trkpt``).

    Parameters
    ----------
    solution : Solution
    path_or_file : str or os.PathLike or text file
    name : str, optional
        Track name (default: the record's program or "kompas solution").
    creator : str
        The ``creator`` attribute GPX requires.
    heights : {"geoid", "ellipsoidal"}
        ``ele`` above the EGM96 geoid (mean sea level, the default) or above the ellipsoid.

    Notes
    -----
    ``fix`` is ``3d`` for single-point and PPP solutions and ``dgps`` for SBAS, DGPS and RTK (fix and
    float). A new ``trkseg`` starts after epochs without a solution.
    """
    ok, rows, lat, lon, h, times = _valid(solution, heights)
    q = np.asarray(solution.quality)[rows].astype(np.int64).tolist()
    nsat = np.asarray(solution.nsat)[rows].astype(np.int64).tolist()
    dops = {n: _dop(solution, n, rows).tolist() for n in ("hdop", "vdop", "pdop")}
    # a segment starts at every valid epoch whose predecessor had no solution
    starts = set(np.flatnonzero(ok & ~np.concatenate(([False], ok[:-1]))).tolist())

    gpx = ET.Element("gpx", version="1.1", creator=creator, xmlns=GPX_NS)
    trk = _sub(gpx, "trk")
    _sub(trk, "name", name or str(solution.record.program or "kompas solution"))
    seg = None
    lat_l, lon_l, h_l = lat.tolist(), lon.tolist(), h.tolist()
    for k, r in enumerate(rows.tolist()):
        if seg is None or r in starts:
            seg = _sub(trk, "trkseg")
        pt = _sub(seg, "trkpt", lat=f"{lat_l[k]:.9f}", lon=_gpx_lon(lon_l[k]))
        _sub(pt, "ele", f"{h_l[k]:.4f}")
        _sub(pt, "time", times[k])
        _sub(pt, "fix", _GPX_FIX.get(q[k], "none"))
        _sub(pt, "sat", str(nsat[k]))
        for n in ("hdop", "vdop", "pdop"):
            v = dops[n][k]
            if v == v:
                _sub(pt, n, f"{v:.2f}")
    write_text(path_or_file, _xml(gpx))
