"""KML and GPX track writers: well-formed XML, element counts, values and schema order."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kompas import ProcessingRecord, Solution, gtime_from_calendar
from kompas.errors import ConfigError
from kompas.frames import geodetic_to_ecef
from kompas.io.writers.kml import write_gpx, write_kml

K = "{http://www.opengis.net/kml/2.2}"
G = "{http://www.topografix.com/GPX/1/1}"


def _solution(quality=(5, 1, 0, 2), record=None):
    n = len(quality)
    t = gtime_from_calendar(2020, 6, 25) + np.arange(n, dtype=np.int64) * 30 * 10**9
    llh = np.column_stack([np.radians(49.1442 + 1e-5 * np.arange(n)), np.full(n, np.radians(12.8789)),
                           np.full(n, 666.0)])  # fmt: skip
    pos = geodetic_to_ecef(llh)
    q = np.array(quality, np.uint8)
    pos[q == 0] = np.nan
    dop = np.where(q == 0, np.nan, 1.5)
    return Solution(
        time_ns=t,
        pos_m=pos,
        quality=q,
        nsat=np.array([12, 13, 0, 14][:n], np.int16),
        hdop=dop,
        vdop=dop * 2,
        pdop=dop * 3,
        record=record or ProcessingRecord(),
    )


def test_kml_structure_and_values(tmp_path):
    p = tmp_path / "t.kml"
    write_kml(_solution(record=ProcessingRecord(program="a <b> & c")), p, heights="ellipsoidal")
    root = ET.parse(p).getroot()
    assert root.tag == K + "kml"
    doc = root.find(K + "Document")
    assert doc.find(K + "name").text == "a <b> & c"
    placemarks = root.iter(K + "Placemark")
    assert len(list(placemarks)) == 1 + 3  # the track and one point per epoch with a solution
    line = root.find(f".//{K}LineString/{K}coordinates").text.split()
    assert len(line) == 3
    assert line[0] == "12.878900000,49.144200000,666.0000"
    assert line[2] == "12.878900000,49.144230000,666.0000"  # epoch 3 (no solution) is left out
    assert doc.find(f"{K}Folder/{K}name").text == "epochs"
    points = root.findall(f"{K}Document/{K}Folder/{K}Placemark")
    assert [pm.find(K + "styleUrl").text for pm in points] == ["#Q5", "#Q1", "#Q2"]
    assert points[0].find(f"{K}TimeStamp/{K}when").text == "2020-06-24T23:59:42Z"  # UTC = GPST - 18 s
    assert points[1].find(f"{K}Point/{K}coordinates").text == "12.878900000,49.144210000,666.0000"
    assert points[0].find(f"{K}Point/{K}altitudeMode").text == "clampToGround"
    styles = {s.get("id"): s for s in doc.findall(K + "Style")}
    assert {"Q1", "Q2", "Q5", "track"} <= set(styles)
    assert all(styles[q].find(f"{K}IconStyle/{K}color").text for q in ("Q1", "Q2", "Q5"))
    assert styles["track"].find(f"{K}LineStyle/{K}color").text == "ffffffff"
    track = next(pm for pm in root.iter(K + "Placemark") if pm.find(K + "LineString") is not None)
    assert track.find(K + "styleUrl").text == "#track"


def test_kml_options(tmp_path):
    p = tmp_path / "t.kml"
    write_kml(_solution(), p, points=False, altitude_mode="absolute")
    root = ET.parse(p).getroot()
    assert len(root.findall(f".//{K}Placemark")) == 1
    assert root.find(f".//{K}LineString/{K}altitudeMode").text == "absolute"
    with pytest.raises(ConfigError):
        write_kml(_solution(), p, altitude_mode="sea")
    for write in (write_kml, write_gpx):  # the writer that refuses names itself
        with pytest.raises(ConfigError, match="write_kml/write_gpx"):
            write({"time_ns": []}, p)


def test_gpx_structure_and_values(tmp_path):
    p = tmp_path / "t.gpx"
    write_gpx(_solution(), p, heights="ellipsoidal")
    root = ET.parse(p).getroot()
    assert root.tag == G + "gpx" and root.get("version") == "1.1" and root.get("creator") == "kompas"
    segs = root.findall(f"{G}trk/{G}trkseg")
    assert [len(s.findall(G + "trkpt")) for s in segs] == [2, 1]  # split where epoch 3 has no solution
    pt = segs[0][0]
    assert (pt.get("lat"), pt.get("lon")) == ("49.144200000", "12.878900000")
    # child order of wptType in the GPX 1.1 schema: ele, time, ..., fix, sat, hdop, vdop, pdop
    assert [c.tag[len(G) :] for c in pt] == ["ele", "time", "fix", "sat", "hdop", "vdop", "pdop"]
    assert pt.find(G + "ele").text == "666.0000"
    assert pt.find(G + "time").text == "2020-06-24T23:59:42Z"
    assert [s.find(f"{G}trkpt/{G}fix").text for s in segs] == ["3d", "dgps"]
    assert pt.find(G + "sat").text == "12"
    assert (pt.find(G + "hdop").text, pt.find(G + "vdop").text, pt.find(G + "pdop").text) == (
        "1.50", "3.00", "4.50",
    )  # fmt: skip


def test_heights_above_the_geoid_by_default(tmp_path):
    """GPX ele and KML altitudes are meant above mean sea level: h - N of EGM96 (N = 46.81 m at Wettzell
    in NGA's 15-minute grid, measured 2026-12-01; the 0.5-degree table is within 0.15 m of it)."""
    write_gpx(_solution(), tmp_path / "t.gpx")
    ele = float(ET.parse(tmp_path / "t.gpx").getroot().find(f".//{G}trkpt/{G}ele").text)
    assert abs(ele - (666.0 - 46.81)) < 0.15
    write_kml(_solution(), tmp_path / "t.kml")
    first = ET.parse(tmp_path / "t.kml").getroot().find(f".//{K}LineString/{K}coordinates").text.split()[0]
    assert float(first.split(",")[2]) == ele
    for write in (write_kml, write_gpx):
        with pytest.raises(ConfigError, match="heights must be geoid or ellipsoidal, not 'msl'"):
            write(_solution(), tmp_path / "x", heights="msl")


def test_gpx_without_dops_and_of_qualities_without_a_fix_type(tmp_path):
    import dataclasses

    sol = dataclasses.replace(_solution(quality=(5, 6, 5)), hdop=None, vdop=None, pdop=None)
    sol = dataclasses.replace(sol, quality=np.array([5, 7, 5], np.uint8))  # 7: no GPX fix type
    p = tmp_path / "n.gpx"
    write_gpx(sol, p)
    pts = ET.parse(p).getroot().findall(f".//{G}trkpt")
    assert [pt.find(G + "fix").text for pt in pts] == ["3d", "none", "3d"]
    assert all(pt.find(G + "hdop") is None for pt in pts)  # no DOP, no element


def test_empty_solution_is_valid_xml(tmp_path):
    sol = _solution(quality=(0, 0))
    write_kml(sol, tmp_path / "e.kml")
    write_gpx(sol, tmp_path / "e.gpx")
    assert ET.parse(tmp_path / "e.kml").getroot().find(f".//{K}coordinates").text is None
    assert ET.parse(tmp_path / "e.gpx").getroot().findall(f".//{G}trkpt") == []


def test_gpx_longitudes_stay_below_180_after_rounding(tmp_path):
    lon = np.array([179.99999999999, 180.0, -179.99999999999, 179.9999999, -0.00000000001])
    llh = np.column_stack([np.radians(np.full(lon.size, -16.5)), np.radians(lon), np.full(lon.size, 10.0)])
    n = lon.size
    sol = Solution(
        time_ns=gtime_from_calendar(2020, 6, 25) + np.arange(n, dtype=np.int64) * 10**9,
        pos_m=geodetic_to_ecef(llh),
        quality=np.full(n, 5, np.uint8),
        nsat=np.full(n, 9, np.int16),
    )
    write_gpx(sol, tmp_path / "t.gpx")
    got = [pt.get("lon") for pt in ET.parse(tmp_path / "t.gpx").getroot().iter(G + "trkpt")]
    # GPX 1.1 longitudeType is [-180, 180): what rounds to 180 is written as -180
    assert got == ["-180.000000000", "-180.000000000", "-180.000000000", "179.999999900", "-0.000000000"]
    write_kml(sol, tmp_path / "t.kml")  # KML's angle180 is [-180, 180]: 180 stays
    line = ET.parse(tmp_path / "t.kml").getroot().find(f".//{K}LineString/{K}coordinates").text.split()
    assert [c.split(",")[0] for c in line] == ["180.000000000", "180.000000000", "-180.000000000",
                                               "179.999999900", "-0.000000000"]  # fmt: skip
