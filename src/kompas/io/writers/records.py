"""Tables of records (a list of dicts with the same keys) as CSV, JSON and Parquet.

CSV: header of the keys of the records (a record may lack keys: empty fields); floats in their
shortest exact form (``repr``), NaN as an empty field. JSON: a list of objects with NaN as ``null``.
Parquet: one column per key through the optional ``pyarrow`` (``pip install 'kompas[parquet]'``).
A table without records keeps the columns it is given (CSV header, Parquet schema), so that files of
many days read and join alike; for that every Parquet column has a type, never Arrow's ``null``: the
one the caller gives (``types``), else the one of its values, else (no rows, or every value None/NaN)
float64. A folder of daily files read as one dataset (``pandas.read_parquet(folder)``) takes the first
file's schema and cannot cast a string column to ``null``.
"""

from __future__ import annotations

import csv
import json
import math
import os

from ...errors import KompasError

__all__ = ["write_records", "arrow_column", "RECORD_FORMATS", "COLUMN_TYPES"]

RECORD_FORMATS = ("csv", "json", "parquet")
COLUMN_TYPES = ("string", "float64", "int64", "bool")
"""Names of the Parquet column types :func:`write_records` takes in ``types``."""


def _columns(rows: list[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def _plain(v):
    """A JSON/CSV-friendly scalar: numpy scalars to Python, NaN to None."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def write_records(
    rows: list[dict], path: str | os.PathLike, fmt: str | None = None, *, columns=(), types=None
) -> None:
    """Write records to ``path`` in ``fmt`` (default: from the extension).

    Parameters
    ----------
    rows : list of dict
        The records (numpy scalars and NaN allowed: NaN is written as a missing value).
    path : str or os.PathLike
    fmt : {"csv", "json", "parquet"}, optional
    columns : sequence of str
        The columns of a table without records (the records' keys otherwise).
    types : dict, optional
        Parquet column types by column name, each one of :data:`COLUMN_TYPES` (CSV and JSON do not
        use them). A column not named here takes the type of its values; one without any value (no
        rows, or all None/NaN) float64. Name the text columns of tables that may be empty
        (``{"sat": "string"}``), so that every day's file has the same schema.

    Raises
    ------
    KompasError
        For an unknown format or column type, values that do not fit their column's type, or Parquet
        without pyarrow.
    """
    path = os.fspath(path)
    fmt = fmt or os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in RECORD_FORMATS:
        raise KompasError(f"{path}: table format must be one of {', '.join(RECORD_FORMATS)}")
    cols = _columns(rows) or list(columns)
    for name, kind in (types or {}).items():  # checked whatever the format: the same call writes all three
        if kind not in COLUMN_TYPES:
            raise KompasError(f"column {name}: type must be one of {', '.join(COLUMN_TYPES)}, not {kind!r}")
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump([{k: _plain(r.get(k)) for k in cols} for r in rows], fh, indent=1)
        return
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in rows:
                vals = [_plain(r.get(k)) for k in cols]
                w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in vals])
        return
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise KompasError("Parquet output needs pyarrow: pip install 'kompas[parquet]'") from None
    arrays = [arrow_column(k, [_plain(r.get(k)) for r in rows], (types or {}).get(k)) for k in cols]
    pq.write_table(pa.table(dict(zip(cols, arrays, strict=True))), path)


def arrow_column(name: str, values: list, kind: str | None = None):
    """One Arrow column: of type ``kind`` (one of :data:`COLUMN_TYPES`), else of its values' type, else
    float64 (never ``null``, which other days' files cannot be cast to). Needs pyarrow."""
    import pyarrow as pa

    arrow_type = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64(), "bool": pa.bool_()}
    try:
        arr = pa.array(values, type=arrow_type[kind] if kind else None)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise KompasError(f"column {name}: values that are not {kind or 'of one type'} ({exc})") from None
    # a column with no value has Arrow's null type, which other days' files cannot be cast to
    return arr.cast(pa.float64()) if pa.types.is_null(arr.type) else arr
