"""Which broadcast health words make a record usable, per system (kompas.products.broadcast)."""

import numpy as np
import pytest

from kompas import gtime_from_calendar
from kompas.products.broadcast import BroadcastProduct, _healthy


@pytest.mark.parametrize(
    ("letter", "health", "usable"),
    [
        ("G", 0, True), ("G", 1, False), ("G", 32, False), ("I", 1, False), ("C", 1, False), ("C", 0, True),
        # QZSS LNAV bits (MSB..LSB): L1C/A-or-L1C/B, L1C/A, L2C, L5, L1C, L1C/B; the LSB is not used
        ("J", 0, True), ("J", 1, True), ("J", 16, False), ("J", 17, False), ("J", 2, False), ("J", 32, False),
        # Galileo: signal health status bits (E5b 7-8, E5a 4-5, E1-B 1-2) count; data validity (0, 3, 6) not
        ("E", 0, True), ("E", 1, True), ("E", 8, True), ("E", 64, True), ("E", 2, False), ("E", 4, False),
        ("E", 16, False), ("E", 32, False), ("E", 128, False), ("E", 256, False), ("E", 512, True),
        ("G", np.nan, False), ("J", np.nan, False), ("E", np.nan, False),  # no health word: not usable
    ],
)  # fmt: skip
def test_health_word_per_system(letter, health, usable):
    msg = {"E": "INAV", "C": "D1"}.get(letter, "LNAV")
    assert _healthy(np.array([letter]), np.array([health], dtype=float), np.array([msg]))[0] == usable


def test_qzss_cnav_health_bits_all_count():
    """RINEX 4 CNAV health flags of QZSS (L1, L2, L5) are not the LNAV word: no bit is masked."""
    letters, words = np.array(["J", "J", "J"]), np.array([1.0, 1.0, 0.0])
    np.testing.assert_array_equal(
        _healthy(letters, words, np.array(["CNAV", "LNAV", "CNAV"])), [False, True, True]
    )


def test_latest_record_per_query_over_any_span():
    """``record_search.latest``: the candidate of the query's satellite with the latest time at or before it (ties: the
    later candidate), -1 without one; the same over spans beyond the 13 days of its one-key search, where
    it searches per satellite."""
    from kompas.products.record_search import latest

    rng = np.random.default_rng(3)
    day = 86_400 * 10**9
    for span in (2 * day, 40 * day):  # one sortable key, and the per-satellite fallback
        c_sat = rng.integers(1, 6, 60)
        c_tx = rng.integers(0, span, 60)
        c_tx[10] = c_tx[11]
        c_sat[10] = c_sat[11]  # a tie: the later candidate (index 11) wins
        q_sat = rng.integers(1, 7, 200)  # satellite 6 has no candidate
        q_t = rng.integers(-day, span + day, 200)
        q_sat[:2], q_t[:2] = c_sat[11], c_tx[11]
        want = np.full(200, -1)
        for i in range(200):
            ok = np.flatnonzero((c_sat == q_sat[i]) & (c_tx <= q_t[i]))
            if ok.size:
                best = c_tx[ok].max()
                want[i] = ok[c_tx[ok] == best].max()
        got = latest(c_sat, c_tx, q_sat, q_t)
        np.testing.assert_array_equal(got, want)
        assert got[0] == 11 and (got[q_sat == 6] == -1).all() and (got >= 0).sum() > 100
    assert latest(np.zeros(0, int), np.zeros(0, np.int64), q_sat, q_t).tolist() == [-1] * 200
    # a span of exactly 2^50 ns no longer fits the key's time bits: satellite 2's record at its end would
    # read as satellite 3 at its start, and hide satellite 3's own record there
    edge = 1 << 50
    got = latest(np.array([3, 2]), np.array([0, edge]), np.array([3, 2, 2]), np.array([5, edge, edge - 1]))
    assert got.tolist() == [0, 1, -1]


def test_nearest_record_within_its_window():
    """``record_search.nearest_in_window``: of the latest record at or before the query and the earliest after it, the
    nearer one whose window holds the query; the earliest after (here the first candidate) out of its
    window leaves the latest before."""
    from kompas.products.record_search import nearest_in_window

    s = 10**9
    c_sat, c_ref = np.array([1, 1]), np.array([100 * s, 50 * s])  # candidate 0 is the later one
    after, before = np.array([60.0, 60.0]), np.array([5.0, 5.0])
    q_sat = np.array([1, 1, 1, 1, 2])
    q_t = np.array([90, 97, 40, 200, 90]) * s
    got = nearest_in_window(c_sat, c_ref, after, before, q_sat, q_t)
    # 90 s: candidate 0 is 10 s ahead, beyond its 5 s, so candidate 1 (40 s behind, within 60 s); 97 s:
    # candidate 0, 3 s ahead; 40 s: none behind, candidate 1 10 s ahead (beyond 5 s): none; 200 s: none
    assert got.tolist() == [1, 0, -1, -1, -1]
    # a window's edges, to the nanosecond: a record of 50 s serves from 45 s to 110 s
    edge = np.array([110 * s, 110 * s + 1, 45 * s, 45 * s - 1])
    got = nearest_in_window(c_sat[1:], c_ref[1:], after[1:], before[1:], np.ones(4, int), edge)
    assert got.tolist() == [0, -1, 0, -1]


def test_nearest_record_within_its_window_against_a_search_of_every_candidate():
    """``nearest_in_window`` on random records, against its definition applied candidate by candidate: whole
    seconds, so that equal reference epochs, equal distances either side and queries on a window's edge all
    occur; over one sortable key and over the per-satellite search beyond 13 days."""
    from kompas.products.record_search import nearest_in_window

    rng = np.random.default_rng(75)
    s, day = 10**9, 86_400
    for span in (600, 40 * day):
        n, m = 80, 400
        c_sat = rng.integers(1, 5, n)
        c_ref = rng.integers(0, 60, n) * (span // 60) * s
        after, before = rng.integers(0, 2 * span // 60, (2, n)).astype(float)
        q_sat = rng.integers(1, 6, m)  # satellite 5 has no record
        q_t = rng.integers(-span // 30, span + span // 30, m) * s
        q_t[:40] = c_ref[:40] + after[:40].astype(np.int64) * s  # on the edge of the window after a record
        q_t[40:80] = c_ref[40:80] - before[40:80].astype(np.int64) * s  # on the edge before one
        q_t[80:120] = c_ref[:40] - 1  # a nanosecond before a record
        # two records a nanosecond apart, queried at the later one
        c_ref[-1], c_sat[-1] = c_ref[-2] - 1, c_sat[-2]
        q_t[120] = c_ref[-2]
        q_sat[:80], q_sat[80:120], q_sat[120] = c_sat[:80], c_sat[:40], c_sat[-2]
        want = np.full(m, -1)
        for i in range(m):
            mine = np.flatnonzero(c_sat == q_sat[i])
            at_or_before = mine[c_ref[mine] <= q_t[i]]
            after_t = mine[c_ref[mine] > q_t[i]]
            picks = []  # (distance, -reference epoch, -index): the nearest, then the later epoch and record
            if at_or_before.size:
                latest_ref = c_ref[at_or_before].max()
                j = at_or_before[c_ref[at_or_before] == latest_ref].max()
                if q_t[i] - c_ref[j] <= after[j] * s:
                    picks.append((q_t[i] - c_ref[j], -c_ref[j], -j))
            if after_t.size:
                first_ref = c_ref[after_t].min()
                j = after_t[c_ref[after_t] == first_ref].max()
                if c_ref[j] - q_t[i] <= before[j] * s:
                    picks.append((c_ref[j] - q_t[i], -c_ref[j], -j))
            if picks:
                want[i] = -min(picks)[2]
        got = nearest_in_window(c_sat, c_ref, after, before, q_sat, q_t)
        np.testing.assert_array_equal(got, want)
        assert (got[q_sat == 5] == -1).all() and 0.3 * m < (got >= 0).sum() < m


def test_fit_interval_sets_the_window_and_a_flag_in_its_place_gives_the_shortest():
    """GPS: half the record's fit interval on each side of toe; no value, or the 0/1 flag some writers
    put in the hours field, the 4-h fit (IS-GPS-200N 20.3.3.4.3.1); QZSS alike with 2 h; other systems
    keep their own windows."""
    from kompas.sim import make_nav, nominal_elements

    t0 = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
    nav, _ = make_nav(nominal_elements("G", t0), t0, 1.0, seed=3)
    letters = np.array(["G", "G", "G", "G", "J", "J", "E"])
    fit = np.array([np.nan, 0.0, 1.0, 6.0, 1.0, 4.0, 1.0])
    win = BroadcastProduct(nav)._windows(letters, fit)
    assert win[0].tolist() == [7200.0, 7200.0, 7200.0, 10800.0, 3600.0, 7200.0, 14400.0]
    assert win[1].tolist() == [7200.0, 7200.0, 7200.0, 10800.0, 3600.0, 7200.0, 0.0]


def test_with_messages_keeps_every_other_option():
    """A product for other message types is the same product otherwise: policy, selection, step."""
    from kompas.sim import make_nav, nominal_elements

    t0 = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
    nav, _ = make_nav(nominal_elements("GE", t0), t0, 1.0, seed=3)
    bp = BroadcastProduct(nav, policy="rtklib", selection="transmitted", glonass_step_s=30.0)
    other = bp.with_messages({"E": ("FNAV",)})
    assert other.messages["E"] == ("FNAV",) and bp.messages["E"] != ("FNAV",)
    assert (other.policy, other.selection, other.glonass_step_s) == ("rtklib", "transmitted", 30.0)
    assert bp.with_messages({"E": ("FNAV",)}) is other  # cached


@pytest.mark.parametrize("policy", ["icd", "post", "rtklib"])
def test_a_newer_unhealthy_record_supersedes_an_older_healthy_one(policy):
    """The nearest valid record decides: when it is unhealthy the satellite is (RTKLIB ``seleph`` then
    ``satexclude``), not served from an older healthy record still inside the policy's window; a healthy
    twin with the same reference epoch keeps it usable, and a GPS record whose IODE is not IODC mod 256
    (unusable) does not supersede the consistent one before it."""
    import dataclasses

    from kompas.products.state import Status
    from kompas.satsys import sat_index
    from kompas.sim import make_nav, nominal_elements

    t0 = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
    nav, _ = make_nav(nominal_elements("GC", t0), t0, 4.0, seed=3)
    k = nav.kepler
    hour = 3600 * 10**9
    c = k.sat == sat_index("C30")
    toe_c = np.unique(k.toe_ns[c])
    assert toe_c.size >= 4 and np.all(np.diff(toe_c) == hour)
    # C30 unhealthy from its third record on; a healthy duplicate of the fourth
    health = np.where(c & (k.toe_ns >= toe_c[2]), 1.0, k.health)
    twin = np.flatnonzero(c & (k.toe_ns == toe_c[3]))[:1]
    g = np.flatnonzero(k.sat == sat_index("G05"))
    g_last = g[np.argmax(k.toe_ns[g])]
    iode = k.iode.copy()
    iode[g_last] = np.mod(iode[g_last] + 1, 256)  # a data set cutover: unusable
    k2 = dataclasses.replace(k, health=health, iode=iode)
    k2 = type(k)(**{f: np.r_[getattr(k2, f), getattr(k2, f)[twin]] for f in k.__dataclass_fields__})
    k2.health[-1] = 0.0
    bp = BroadcastProduct(dataclasses.replace(nav, kepler=k2), policy=policy)
    sec = 10**9
    q = [  # (satellite, time, status): C30 at its second record (healthy), just after its third (unhealthy,
        # the second still valid under post/rtklib), at its fourth (a healthy twin)
        ("C30", toe_c[1] + 600 * sec, Status.OK),
        ("C30", toe_c[2] + 600 * sec, Status.UNHEALTHY),
        ("C30", toe_c[3] + 600 * sec, Status.OK),
        ("G05", k.toe_ns[g_last] - 600 * sec, Status.OK),
    ]
    st = bp.state([sat_index(s) for s, _, _ in q], [t for _, t, _ in q])
    assert st.status.tolist() == [s for _, _, s in q]
    assert st.age_s[3] > 0  # G05 from the record before the inconsistent one, nearer as it is
    # the record a receiver held: the latest self-consistent one transmitted, also past an inconsistent one
    tx = BroadcastProduct(dataclasses.replace(nav, kepler=k2), policy=policy, selection="transmitted")
    assert k2.ttm_ns[g_last] < q[3][1]  # the inconsistent record was transmitted before the query
    st = tx.state([sat_index("G05")], [q[3][1]])
    assert st.status.tolist() == [Status.OK] and st.age_s[0] > 0
    # an hour after the inconsistent record's toe only it is valid: unusable, UNHEALTHY (not OUTSIDE_FIT)
    later = k.toe_ns[g_last] + 3600 * sec
    assert tx.state([sat_index("G05")], [later]).status.tolist() == [Status.UNHEALTHY]
