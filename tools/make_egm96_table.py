"""Build ``src/kompas/data/egm96_30m.npz``: EGM96 geoid undulations on a 0.5-degree grid, for NMEA heights.

EGM96 (Lemoine et al. 1998, "The Development of the Joint NASA GSFC and the National Imagery and Mapping
Agency (NIMA) Geopotential Model EGM96", NASA/TP-1998-206861) is the geoid of WGS 84 that NMEA-0183 GGA
sentences refer their "height above mean sea level" and "geoidal separation" to (RTKLIB writes them with
its embedded 1-degree EGM96 table). NGA distributes the undulations on a 15-minute grid; this script
keeps every second node (0.5 degree), rounded to 1 cm, as int16.

Source used for the committed file: ``/usr/share/proj/egm96_15.gtx`` of the Debian package ``proj-data``
9.1.1-1 (NGA's 15-minute grid in the NOAA VDatum GTX container; EGM96 is public domain). Against the full
15-minute grid, bilinear interpolation in the 0.5-degree table is off by 0.13 m RMS, 0.54 m at the 99th
percentile and 3.9 m at most (steep geoid slopes at trenches and high mountains), measured over every
15-minute node on 2026-12-01.

Usage::

    apt-get download proj-data && dpkg -x proj-data_*.deb /tmp/pd
    python tools/make_egm96_table.py /tmp/pd/usr/share/proj/egm96_15.gtx src/kompas/data/egm96_30m.npz
"""

from __future__ import annotations

import argparse
import hashlib
import struct

import numpy as np


def read_gtx(path: str) -> tuple[np.ndarray, float, float, float, float]:
    """A GTX grid: (values (rows, cols) south to north and west to east, lat0, lon0, dlat, dlon), deg."""
    raw = open(path, "rb").read()
    lat0, lon0, dlat, dlon = struct.unpack(">4d", raw[:32])
    rows, cols = struct.unpack(">2i", raw[32:40])
    values = np.frombuffer(raw[40:], ">f4").reshape(rows, cols).astype(np.float64)
    return values, lat0, lon0, dlat, dlon


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gtx")
    ap.add_argument("out")
    args = ap.parse_args()
    grid, lat0, lon0, dlat, dlon = read_gtx(args.gtx)
    if (lat0, lon0, dlat, dlon, grid.shape) != (-90.0, -180.0, 0.25, 0.25, (721, 1440)):
        raise SystemExit(f"{args.gtx}: not the EGM96 15-minute grid (-90, -180, 0.25, 0.25, 721 x 1440)")
    table = np.round(grid[::2, ::2] * 100.0).astype(np.int16)  # rows -90..90, cols -180..179.5, cm
    digest = hashlib.sha256(open(args.gtx, "rb").read()).hexdigest()
    np.savez_compressed(
        args.out, n_cm=table, lat0_deg=-90.0, lon0_deg=-180.0, step_deg=0.5, source_sha256=digest
    )
    print(f"wrote {args.out}: {table.shape}, source sha256 {digest}")


if __name__ == "__main__":
    main()
