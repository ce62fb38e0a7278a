"""One entry point for the solution writers: :func:`write_solution`.

=========  ====================================  ==========================================
format     module and function                   content
=========  ====================================  ==========================================
pos        :func:`kompas.io.writers.pos.write_pos`       RTKLIB 2.4.3 ``.pos`` (llh or ECEF xyz)
nmea       :func:`kompas.io.writers.nmea.write_nmea`     NMEA-0183 GGA + RMC per epoch
csv        :func:`kompas.io.writers.tables.write_csv`    the columns of ``Solution.to_pandas()``
parquet    :func:`kompas.io.writers.tables.write_parquet` the same columns (needs pyarrow)
kml        :func:`kompas.io.writers.kml.write_kml`       track LineString + one point per epoch
gpx        :func:`kompas.io.writers.kml.write_gpx`       GPX 1.1 track (trkpt with ele and time)
=========  ====================================  ==========================================
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import ConfigError
from ._sink import is_binary

__all__ = ["write_solution", "FORMATS", "format_of"]

FORMATS = ("pos", "nmea", "csv", "parquet", "kml", "gpx")
"""Formats :func:`write_solution` writes."""

_EXTENSIONS = {"pos": "pos", "nmea": "nmea", "nma": "nmea", "csv": "csv", "parquet": "parquet",
               "pq": "parquet", "kml": "kml", "gpx": "gpx"}  # fmt: skip


def format_of(path: str | os.PathLike) -> str | None:
    """The format named by a file extension (``.pos``, ``.nmea``, ``.csv``, ``.parquet``, ``.kml``,
    ``.gpx``); ``None`` for any other extension."""
    return _EXTENSIONS.get(Path(path).suffix.lower().lstrip("."))


def write_solution(solution, path_or_file, fmt: str | None = None, **options) -> None:
    """Write a :class:`kompas.Solution` in one of :data:`FORMATS`.

    Parameters
    ----------
    solution : Solution
    path_or_file : str or os.PathLike or file
        Destination; an open file must be text mode for the text formats and binary for parquet.
    fmt : str, optional
        One of :data:`FORMATS`; by default from the file extension (see :func:`format_of`).
    **options
        Passed to the format's writer (e.g. ``coords="xyz"`` for pos, ``talker="GP"`` for nmea).

    Raises
    ------
    ConfigError
        On an unknown format or option, or a file opened in the other mode (text for parquet, binary for
        the text formats).
    """
    from ...solution import require_solution

    require_solution(solution, "write_solution")
    if is_binary(path_or_file) and str(fmt).lower() != "parquet":
        raise ConfigError(
            f"the {fmt or 'text'} format is text: give a file opened in text mode, not a binary one"
        )
    if fmt is None:
        if hasattr(path_or_file, "write"):
            raise ConfigError("give fmt= when writing to an open file")
        fmt = format_of(path_or_file)
        if fmt is None:
            raise ConfigError(
                f"{os.fspath(path_or_file)}: unknown extension; use one of "
                f".{', .'.join(FORMATS)} or give fmt="
            )
    fmt = str(fmt).lower()
    if fmt == "pos":
        from .pos import write_pos as writer
    elif fmt == "nmea":
        from .nmea import write_nmea as writer
    elif fmt == "csv":
        from .tables import write_csv as writer
    elif fmt == "parquet":
        from .tables import write_parquet as writer
    elif fmt == "kml":
        from .kml import write_kml as writer
    elif fmt == "gpx":
        from .kml import write_gpx as writer
    else:
        raise ConfigError(f"unknown solution format {fmt!r}; expected one of {', '.join(FORMATS)}")
    try:
        writer(solution, path_or_file, **options)
    except TypeError as exc:
        if "unexpected keyword" in str(exc):
            raise ConfigError(f"{fmt} writer: {exc}") from None
        raise
