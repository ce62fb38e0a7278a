"""Consecutive broadcast records of one satellite agree where one takes over from the other.

Each record is an independent fit uploaded by its system's control segment, so where record k+1 takes
over (at its reference epoch), record k evaluated there must give nearly the same position. An orbit
algorithm applied to the wrong records (a BDS GEO rotation missing or misplaced, a CNAV term, a
constant of another system) breaks this by kilometres; the records' own errors allow metres.
Data: DLR's merged RINEX 4 navigation file of 2023-03-12 (set H), every Kepler system and message type.
"""

import numpy as np
import pytest

from kompas import read_nav, sat_id
from kompas.products.broadcast import BroadcastProduct
from kompas.satsys import SYSTEM_LETTERS, sat_system

FILE = "H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz"

# (system, message) -> (satellites at least, median, largest jump allowed in metres); measured on this file
# (2026-11-30): medians 0.04-0.46 m, largest 0.21 (BDS CNAV) to 4.7 m (BDS D1), NavIC 3.2 / 60 m
CASES = {
    ("G", "LNAV"): (30, 1.0, 10.0), ("E", "INAV"): (24, 0.2, 1.5), ("E", "FNAV"): (24, 0.2, 1.5),
    ("C", "D1"): (35, 0.2, 10.0), ("C", "D2"): (7, 0.5, 10.0), ("C", "CNV1"): (25, 0.1, 0.5),
    ("C", "CNV2"): (25, 0.1, 0.5), ("J", "LNAV"): (4, 1.0, 3.0), ("J", "CNAV"): (4, 1.0, 3.0),
    ("I", "LNAV"): (4, 10.0, 150.0),
}  # fmt: skip


@pytest.fixture(scope="module")
def nav(kompas_data):
    return read_nav(kompas_data / FILE)


def switch_jumps(nav, letter, msg):
    """Position differences (m) between consecutive records of each satellite at the later one's toe."""
    k = nav.kepler
    letters = np.array(list(" " + SYSTEM_LETTERS))[sat_system(k.sat)]
    bp = BroadcastProduct(nav, messages={letter: (msg,)}, policy="rtklib")
    jumps, sats = [], set()
    for sat in np.unique(k.sat[(letters == letter) & (k.msg == msg)]):
        toes = np.unique(k.toe_ns[(k.sat == sat) & (k.msg == msg)])
        near = np.diff(toes) <= 2 * 3600 * 10**9
        t = toes[1:][near]
        # RTKLIB's nearest-toe selection: just after toe k it is record k, at toe k+1 record k+1
        before = bp.state(np.full(t.size, sat), t, select_ns=toes[:-1][near] + 1)
        after = bp.state(np.full(t.size, sat), t, select_ns=t)
        ok = before.ok & after.ok
        jumps.append(np.linalg.norm(before.pos_m - after.pos_m, axis=1)[ok])
        if ok.any():
            sats.add(sat_id(sat))
    return np.concatenate(jumps), sats


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c[0]}-{c[1]}")
def test_consecutive_records_agree_where_they_switch(nav, case):
    least, median, largest = CASES[case]
    jumps, sats = switch_jumps(nav, *case)
    assert len(sats) >= least, sorted(sats)
    assert np.median(jumps) < median and jumps.max() < largest, (np.median(jumps), jumps.max())


def test_every_bds_geo_is_among_them(nav):
    """BDS-2 GEO C01-C05 and BDS-3 GEO C59, C60 (D2): the GEO algorithm's rotation makes or breaks them."""
    _, sats = switch_jumps(nav, "C", "D2")
    assert {"C01", "C02", "C03", "C04", "C05", "C59", "C60"} <= sats
