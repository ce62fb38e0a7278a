"""Index searches of broadcast records per satellite and time, vectorised over queries.

Pure functions on arrays (satellite index and int64 GPST ns per candidate record and per query), used by
:mod:`kompas.products.broadcast` to select records; no GNSS rules here, only the search.
"""

from __future__ import annotations

import numpy as np

__all__ = ["latest", "nearest_in_window"]


def nearest_in_window(c_sat, c_ref, c_after_s, c_before_s, q_sat, q_t):
    """For each query, the candidate of the same satellite whose reference epoch is nearest to the query
    time among the latest one at or before it (valid if t - ref <= its ``after``) and the earliest one
    after it (valid if ref - t <= its ``before``); windows per candidate, s; -1 when neither.

    Ties prefer the later reference epoch, then the later candidate.
    """
    b = latest(c_sat, c_ref, q_sat, q_t)  # latest reference epoch <= t
    a = latest(c_sat, -c_ref, q_sat, -q_t - 1)  # earliest reference epoch > t
    bb, aa = np.maximum(b, 0), np.maximum(a, 0)
    d_b = np.where(b >= 0, q_t - c_ref[bb], np.iinfo(np.int64).max)
    d_a = np.where(a >= 0, c_ref[aa] - q_t, np.iinfo(np.int64).max)
    ok_b = (b >= 0) & (d_b <= c_after_s[bb] * 1e9)
    ok_a = (a >= 0) & (d_a <= c_before_s[aa] * 1e9)
    use_a = ok_a & (~ok_b | (d_a <= d_b))
    return np.where(use_a, a, np.where(ok_b, b, -1))


_KEY_BITS = 50  # times within 2^50 ns (13 days) of each other share one sortable key with the satellite


def latest(c_sat, c_tx, q_sat, q_t):
    """For each query, the candidate of the same satellite with the latest time <= the query time (or -1).

    Ties go to the later candidate. Satellite and time form one int64 key (``sat << 50 | t - t0``), so one
    sort and one ``searchsorted`` serve every query; spans beyond 13 days fall back to one search per
    satellite.
    """
    c_tx = np.asarray(c_tx, dtype=np.int64)
    q_t = np.asarray(q_t, dtype=np.int64)
    if c_tx.size == 0 or q_t.size == 0:
        return np.full(np.size(q_sat), -1, dtype=np.int64)
    t0 = min(int(c_tx.min()), int(q_t.min()))
    span = max(int(c_tx.max()), int(q_t.max())) - t0
    if span >= 1 << _KEY_BITS:
        return _latest_per_satellite(c_sat, c_tx, q_sat, q_t)
    c_key = (np.asarray(c_sat, dtype=np.int64) << _KEY_BITS) | (c_tx - t0)
    q_key = (np.asarray(q_sat, dtype=np.int64) << _KEY_BITS) | (q_t - t0)
    order = np.lexsort((np.arange(c_key.size), c_key))
    p = np.searchsorted(c_key[order], q_key, side="right") - 1
    ok = p >= 0
    cand = order[np.maximum(p, 0)]
    ok &= np.asarray(c_sat)[cand] == np.asarray(q_sat)
    return np.where(ok, cand, -1)


def _latest_per_satellite(c_sat, c_tx, q_sat, q_t):
    order = np.lexsort((np.arange(c_sat.size), c_tx, c_sat))
    cs, ct = c_sat[order].astype(np.int64), c_tx[order]
    lo = np.searchsorted(cs, q_sat, side="left")
    hi = np.searchsorted(cs, q_sat, side="right")
    out = np.full(q_sat.size, -1, dtype=np.int64)
    for sat in np.unique(q_sat[hi > lo]):  # one searchsorted per satellite (~100), not per query
        m = np.flatnonzero(q_sat == sat)
        a, b = lo[m[0]], hi[m[0]]
        p = np.searchsorted(ct[a:b], q_t[m], side="right") - 1
        out[m] = np.where(p >= 0, order[a + np.maximum(p, 0)], -1)
    return out
