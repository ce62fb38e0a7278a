"""Build ``src/kompas/data/nequick_g.npz``: the NeQuick-G CCIR and MODIP tables in one compact file.

The Galileo ionospheric correction algorithm ("European GNSS (Galileo) Open Service - Ionospheric
Correction Algorithm for Galileo Single Frequency Users", issue 1.2, September 2016, sec. 2.5.4.3 and
2.5.5.3) is defined together with two sets of data files:

* ``ccir11`` ... ``ccir22`` (one per month, ``ccir(month + 10)``): the ITU-R (CCIR) foF2 and
  M(3000)F2 coefficients, 2 x 76 x 13 values for foF2 then 2 x 49 x 9 for M(3000)F2, the first of
  each pair for a 12-month smoothed sunspot number R12 = 0 and the second for R12 = 100;
* the modified-dip-latitude grid (``modipNeQG_wrapped.asc``; the same numbers ship as
  ``modip2001_wrapped.asc``): 39 x 39 degrees, rows -95..+95 deg latitude and columns
  -190..+190 deg longitude in steps of 5 and 10 deg (one wrapped row/column each side).

Source used for the committed file: the sdist of the PyPI package ``nequick`` 1.0.0 (metadata
licence MIT; it embeds the European Commission JRC NeQuickG reference implementation, EUPL-1.2,
and redistributes the ICD's data files unchanged under ``ccir/ccirNN.txt`` and
``modip/modip2001_wrapped.asc``). The numbers are the ICD's data; only their container changes.

Usage::

    pip download --no-deps --no-binary :all: nequick==1.0.0 -d /tmp/nq && tar xzf /tmp/nq/*.tar.gz -C /tmp/nq
    python tools/make_nequick_tables.py /tmp/nq/nequick-1.0.0 src/kompas/data/nequick_g.npz

Any folder holding ``ccir11.txt``..``ccir22.txt`` (or ``.asc``) and a MODIP grid file works.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

N_F2 = 2 * 76 * 13  # ICD 1.2 sec. 2.5.5.3: F2 coefficients per month
N_FM3 = 2 * 49 * 9  # ICD 1.2 sec. 2.5.5.3: Fm3 coefficients per month
MODIP_SHAPE = (39, 39)


def _find(root: Path, names: list[str]) -> Path:
    for name in names:
        hits = sorted(root.rglob(name))
        if hits:
            return hits[0]
    raise SystemExit(f"none of {names} found under {root}")


def _numbers(path: Path) -> np.ndarray:
    return np.array(path.read_text().split(), dtype=np.float64)


def build(root: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    f2 = np.empty((12, 2, 76, 13))
    fm3 = np.empty((12, 2, 49, 9))
    provenance = []
    for month in range(1, 13):
        path = _find(root, [f"ccir{month + 10}.txt", f"ccir{month + 10}.asc"])
        values = _numbers(path)
        if values.size != N_F2 + N_FM3:
            raise SystemExit(f"{path}: {values.size} numbers, expected {N_F2 + N_FM3}")
        f2[month - 1] = values[:N_F2].reshape(2, 76, 13)
        fm3[month - 1] = values[N_F2:].reshape(2, 49, 9)
        provenance.append(f"{path.name} sha256={hashlib.sha256(path.read_bytes()).hexdigest()}")
    path = _find(root, ["modipNeQG_wrapped.asc", "modip2001_wrapped.asc"])
    modip = _numbers(path)
    if modip.size != MODIP_SHAPE[0] * MODIP_SHAPE[1]:
        raise SystemExit(f"{path}: {modip.size} numbers, expected {MODIP_SHAPE[0] * MODIP_SHAPE[1]}")
    provenance.append(f"{path.name} sha256={hashlib.sha256(path.read_bytes()).hexdigest()}")
    return {"f2": f2, "fm3": fm3, "modip": modip.reshape(MODIP_SHAPE)}, provenance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with ccirNN.txt/.asc and the MODIP grid")
    parser.add_argument("output", type=Path, help="the .npz to write")
    args = parser.parse_args()
    arrays, provenance = build(args.source)
    source = "Galileo Ionospheric Correction Algorithm 1.2 data files: " + "; ".join(provenance)
    np.savez_compressed(args.output, source=np.array(source), **arrays)
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
