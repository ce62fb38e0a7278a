"""Tables of records (a list of dicts with the same keys) as CSV, JSON and Parquet.

CSV: header of the keys of the records (a record may lack keys: empty fields); floats in their
shortest exact form (``repr``), NaN as an empty field. JSON: a list of objects with NaN as ``null``.
Parquet: one column per key through the optional ``pyarrow`` (``pip install 'kompas[parquet]'``).
A table without records keeps the columns it is given (CSV header, Parquet schema), so that files of
many days read and join alike.
"""

from __future__ import annotations

import csv
import json
import math
import os

from ...errors import KompasError

__all__ = ["write_records", "RECORD_FORMATS"]

RECORD_FORMATS = ("csv", "json", "parquet")


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


def write_records(rows: list[dict], path: str | os.PathLike, fmt: str | None = None, *, columns=()) -> None:
    """Write records to ``path`` in ``fmt`` (default: from the extension).

    ``columns`` name the columns of a table without records (the records' keys otherwise).

    Raises
    ------
    KompasError
        For an unknown format, or Parquet without pyarrow.
    """
    path = os.fspath(path)
    fmt = fmt or os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in RECORD_FORMATS:
        raise KompasError(f"{path}: table format must be one of {', '.join(RECORD_FORMATS)}")
    cols = _columns(rows) or list(columns)
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
    data = {k: [_plain(r.get(k)) for r in rows] for k in cols}
    pq.write_table(pa.table(data) if rows else pa.table({k: [] for k in cols}), path)
