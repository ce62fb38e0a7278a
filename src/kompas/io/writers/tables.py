"""Solution tables: CSV (standard library and numpy only) and Parquet (optional pyarrow).

Both hold the columns of :meth:`kompas.Solution.to_pandas`, in its order:

``time``
    Epoch, GPST (ISO 8601 text in CSV, no time zone: it is not UTC; ``timestamp[ns]`` in Parquet).
``x_m, y_m, z_m``
    ECEF position, m.
``lat_deg, lon_deg, height_m``
    WGS-84 latitude and longitude (degrees) and ellipsoidal height (m).
``nsat``, ``nsat_<letter>``
    Satellites used, in total and per system.
``gdop, pdop, hdop, vdop``
    Dilutions of precision.
``sdx_m, sdy_m, sdz_m, sde_m, sdn_m, sdu_m, sdne_m, sdeu_m, sdun_m``
    Standard deviations of the ECEF and east/north/up position, m, and the east/north/up covariances
    as signed square roots (the .pos file's sdne, sdeu, sdun); when the solution has a covariance.
``clock_<group>_m``, ``isb_<group>_m``
    Receiver clock per system or clock group, m, and inter-system biases.
``status``
    RTKLIB Q code (1 fix, 2 float, 5 single, 0 none); then, where the solution has them, ``ratio``,
    ``age_s``, ``nfix_<letter>`` and estimated states (PPP: ``ztd_m`` and its sigma ...).

CSV writes floats in their shortest exact form (``repr``) so values read back bit for bit; NaN is
an empty field (pandas and spreadsheets read it as missing). Every epoch is written, also those
without a solution (status 0, empty positions).
"""

from __future__ import annotations

import csv
import io

import numpy as np

from ...errors import ConfigError, KompasError
from ...solution import Solution, require_solution
from ._sink import write_text

__all__ = ["solution_columns", "write_csv", "write_parquet", "write_residuals_csv"]


def solution_columns(solution: Solution) -> dict[str, np.ndarray]:
    """The columns of ``Solution.to_pandas()`` as numpy arrays (``time`` is ``datetime64[ns]``, GPST)."""
    require_solution(solution, "write_csv/write_parquet")
    return solution.columns()


def _time_text(dt: np.ndarray) -> list[str]:
    """ISO 8601 with the fewest decimals that still hold every epoch exactly."""
    ns = dt.astype(np.int64)
    for unit, step in (("s", 10**9), ("ms", 10**6), ("us", 10**3), ("ns", 1)):
        if np.all(ns % step == 0):
            return np.datetime_as_string(dt, unit=unit).tolist()
    raise AssertionError("unreachable")  # pragma: no cover


def _text_column(values: np.ndarray) -> list[str]:
    if values.dtype.kind == "M":
        return _time_text(values)
    if values.dtype.kind in "US":
        return [str(v) for v in values.tolist()]
    if values.dtype.kind in "iub":
        return [str(int(v)) for v in values.tolist()]
    return ["" if v != v else repr(v) for v in values.astype(np.float64).tolist()]


def write_csv(solution: Solution, path_or_file, *, delimiter: str = ",") -> None:
    """Write the solution table as CSV with a header row (see the module notes for the columns).

    Parameters
    ----------
    solution : Solution
    path_or_file : str or os.PathLike or text file
        Destination (LF line ends).
    delimiter : str
        Field separator.
    """
    _write_columns(solution_columns(solution), path_or_file, delimiter)


def write_residuals_csv(solution: Solution, path_or_file, *, delimiter: str = ",") -> None:
    """Write the post-fit residuals of a solution (:meth:`kompas.Solution.residual_columns`: time, sv,
    for double differences ref_sv, band and kind, for PPP signal and kind, then residual_m, elevation_deg,
    used) as CSV, one row per observation and epoch: what RTKLIB's solution status file (``-y``) gives per
    satellite, but for double differences with the satellite minus the reference (RTKLIB: the reference
    minus the satellite) and, in RTK, from the float update (see :meth:`kompas.Solution.residual_columns`).

    Raises
    ------
    ConfigError
        The solution carries no residuals.
    """
    require_solution(solution, "write_residuals_csv")
    _write_columns(solution.residual_columns(), path_or_file, delimiter)


def _write_columns(cols: dict, path_or_file, delimiter: str) -> None:
    text_cols = [_text_column(v) for v in cols.values()]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(list(cols))
    w.writerows(zip(*text_cols, strict=True))
    write_text(path_or_file, buf.getvalue())


def write_parquet(solution: Solution, path_or_file, *, compression: str = "zstd") -> None:
    """Write the solution table as Apache Parquet (needs ``pyarrow``).

    Parameters
    ----------
    solution : Solution
    path_or_file : str or os.PathLike or binary file
    compression : str
        Parquet codec (``zstd``, ``snappy``, ``gzip``, ``none``).

    Notes
    -----
    ``time`` is ``timestamp[ns]`` without a time zone and the file metadata holds
    ``kompas.time_scale = GPST``; integer columns keep their width (``nsat`` int16, ``quality`` uint8).

    Raises
    ------
    ConfigError
        For a file opened in text mode (Parquet is binary).
    KompasError
        When pyarrow is not installed (with the pip command).
    """
    if isinstance(path_or_file, io.TextIOBase):
        raise ConfigError(
            "Parquet is binary: give a path or a file opened in binary mode ('wb'), not a text one"
        )
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise KompasError("writing Parquet needs pyarrow: pip install pyarrow") from None
    cols = solution_columns(solution)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    meta = {b"kompas.time_scale": b"GPST", b"kompas.program": str(solution.record.program).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    pq.write_table(table, path_or_file, compression=compression)
