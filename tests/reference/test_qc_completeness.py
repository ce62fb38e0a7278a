"""Completeness (#expt/#have/%) against counts done by hand, the gfzrnx/teqc way, on real data.

ESBC (Esbjerg, SEPT POLARX5) 2020-06-25 02:00-03:59:30, 240 epochs at 30 s, with the station's navigation file;
several signals are incomplete there (GLONASS L3 82 %, Galileo E6 84 %, BDS B3I 91 %). The hand count uses
neither run_qc nor its elevation grid: every observed satellite's broadcast position at every epoch
(BroadcastProduct.state, no interpolation), the elevation from the header's approximate position with the
east/north/up formulas written out here, and pandas group-bys over the observation table:

* expected per signal = (epoch, satellite) cells above 10 degrees of the satellites that have that signal's
  code anywhere in the file (teqc's ``#expt``, per signal as gfzrnx's statistics list them);
* have per signal = code observations of that signal above 10 degrees;
* the same per 10-degree elevation bin.

kompas's grid interpolates the line of sight between 300-s nodes (at most 0.013 deg off): a cell within
0.02 deg of a bin edge may fall on the other side, and only those cells may differ.

ESBC's full day: QZSS and SBAS are observed but have no expected count. QZSS's three IGSO satellites never
rise above 8.8 deg at Esbjerg (55.5 deg N, 8.4 deg E): checked here from the broadcast orbits. SBAS GEO
ephemerides are not evaluated by kompas (status UNSUPPORTED): its observations are listed, not counted.
"""

from __future__ import annotations

import numpy as np
import pytest

import kompas
from kompas import run_qc, sat_index
from kompas.errors import KompasWarning
from kompas.products.broadcast import BroadcastProduct
from kompas.qc.report import text_report

A = "A_2020-177_ESBC_WTZR"
ESBC = f"{A}/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
NAV = f"{A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
MASK = 10.0


def _elevation_deg(sat_xyz, rcv):
    """Elevation from ECEF positions, written out: geodetic latitude by iteration on WGS84, then ENU."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    x, y, z = rcv
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        n = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    d = sat_xyz - rcv
    e = -np.sin(lon) * d[:, 0] + np.cos(lon) * d[:, 1]
    nn = -np.sin(lat) * np.cos(lon) * d[:, 0] - np.sin(lat) * np.sin(lon) * d[:, 1] + np.cos(lat) * d[:, 2]
    u = np.cos(lat) * np.cos(lon) * d[:, 0] + np.cos(lat) * np.sin(lon) * d[:, 1] + np.sin(lat) * d[:, 2]
    return np.degrees(np.arctan2(u, np.hypot(e, nn)))


@pytest.fixture(scope="module")
def esbc_day(kompas_data):
    return kompas.read_obs(kompas_data / ESBC), kompas.read_nav(kompas_data / NAV)


@pytest.fixture(scope="module")
def window(esbc_day):
    obs, nav = esbc_day
    keep = np.zeros(obs.n_epochs, bool)
    keep[240:480] = True
    sub = obs.take_epochs(keep).select(systems="GREC")
    return sub, nav, run_qc(sub, nav, systems="GREC", elmask_deg=MASK)


def _hand_counts(obs, nav):
    """Per signal: (expected, have, cells near the mask); per (signal, bin): (expected, have, cells near its
    edges). Near: within 0.02 deg of the edge (the grid's interpolation may put them on the other side)."""
    import pandas as pd

    df = obs.to_pandas()
    df = df[df["sv"].str[0].isin(list("GREC")) & df["code_m"].notna()]
    times = np.sort(df["time"].unique())
    assert times.size == obs.n_epochs
    t_ns = np.asarray(obs.epoch_time_ns)  # the same epochs, GPST ns, in order
    svs = np.sort(df["sv"].unique())
    tt, ss = np.meshgrid(np.arange(times.size), np.arange(svs.size), indexing="ij")
    # QC places satellites with RTKLIB's record windows (run_qc: station files lack some records)
    st = BroadcastProduct(nav, policy="rtklib").state(sat_index(svs[ss.ravel()].tolist()), t_ns[tt.ravel()])
    rcv = np.asarray(obs.header.approx_position_m, dtype=float)
    el = np.where(st.ok, _elevation_deg(st.pos_m, rcv), np.nan)
    cells = pd.DataFrame({"time": times[tt.ravel()], "sv": svs[ss.ravel()], "el": el}).dropna()
    cells["bin"] = (cells["el"] // 10 * 10).astype(int)
    edge = cells["el"].round(-1)  # nearest multiple of 10 deg
    cells["near"] = np.where((cells["el"] - edge).abs() < 0.02, edge, -1).astype(int)
    above = cells[cells["el"] >= MASK]
    df = df.merge(above, on=["time", "sv"])  # observations above the mask, with their elevation
    df["name"] = df["sv"].str[0] + "C" + df["signal"]
    rows, bins = {}, {}
    carriers = obs.to_pandas().dropna(subset=["code_m"])
    carriers = carriers[carriers["sv"].str[0].isin(list("GREC"))]
    for name, sats in (
        carriers.groupby(carriers["sv"].str[0] + "C" + carriers["signal"])["sv"].unique().items()
    ):
        mine, all_mine = above[above["sv"].isin(sats)], cells[cells["sv"].isin(sats)]
        have = df[df["name"] == name]
        rows[name] = (len(mine), len(have), int((all_mine["near"] == MASK).sum()))
        for b, n in mine.groupby("bin").size().items():
            near = int(all_mine["near"].isin([b, b + 10]).sum())
            bins[name, b] = (int(n), int((have["bin"] == b).sum()), near)
    return rows, bins


def test_completeness_per_signal_matches_the_hand_count(window):
    obs, nav, res = window
    rows, _ = _hand_counts(obs, nav)
    table = {r["signal"]: r for r in res.tables["completeness"]}
    assert set(table) == set(rows)
    assert len(rows) >= 15  # G 1C 1W 2L 2W 5Q, R 1C 1P 2C 2P 3Q, E 1C 5Q 6C 7Q 8Q, C 2I 6I 7I
    for name, (expt, have, near) in rows.items():
        r = table[name]
        assert abs(r["expt"] - expt) <= near and abs(r["have"] - have) <= near, (name, r, expt, have, near)
        assert r["pct"] == pytest.approx(100.0 * have / expt, abs=0.01 + 100.0 * near / expt)
    assert sum(r[0] for r in rows.values()) > 20000
    assert sum(r[1] < r[0] for r in rows.values()) >= 4  # incomplete signals: the "have" side is tested too
    # satellites that carry each signal (a code observation anywhere in the window)
    df = obs.to_pandas()
    df = df[df["code_m"].notna()]
    n_sats = df.groupby(df["sv"].str[0] + "C" + df["signal"])["sv"].nunique()
    want = {k: int(v) for k, v in n_sats.items() if k in table}
    assert {name: r["sats"] for name, r in table.items()} == want


def test_completeness_per_elevation_bin_matches_the_hand_count(window):
    obs, nav, res = window
    _, bins = _hand_counts(obs, nav)
    table = {(r["signal"], int(r["el_from_deg"])): r for r in res.tables["completeness_elevation"]}
    assert set(bins) == set(table)
    for key, (expt, have, near) in bins.items():
        r = table[key]
        assert abs(r["expt"] - expt) <= near and abs(r["have"] - have) <= near, (key, r, expt, have, near)
    assert sum(b[1] < b[0] for b in bins.values()) >= 8
    # the tolerance is small: cells near a bin edge are under 1 % of the expected ones
    assert sum(b[2] for b in bins.values()) < 0.01 * sum(b[0] for b in bins.values())


@pytest.fixture(scope="module")
def esbc_js(esbc_day):
    obs, nav = esbc_day
    obs = obs.select(systems="JS")
    with pytest.warns(KompasWarning) as rec:  # SBAS GEO records are not evaluated: said, and checked without
        res = run_qc(obs, nav, systems="JS", elmask_deg=MASK)
    assert [str(w.message) for w in rec] == [
        "5 SBAS satellites are not placed (SBAS GEO ephemerides are not evaluated): checked without an "
        "elevation (no mask, no expected counts): S23, S25, S26, S36, S44"
    ]
    return obs, nav, res


def test_qzss_is_below_the_mask_all_day_at_esbc(esbc_js):
    obs, nav, res = esbc_js
    t = obs.epoch_time_ns
    rcv = np.asarray(obs.header.approx_position_m, dtype=float)
    # the station's file holds QZSS records only while it tracked them (2-h fit intervals, 6 of 24 h): every
    # observation has one, and the records stretched over the whole day give the day's geometry
    js = obs.sat // 100 == 5
    assert js.sum() > 1000 and BroadcastProduct(nav).state(obs.sat[js], obs.time_ns[js]).ok.all()
    day = BroadcastProduct(nav, policy="rtklib", max_dtoe_s={"J": 86400.0}, max_before_toe_s={"J": 86400.0})
    sats = sat_index(["J01", "J02", "J03"])
    st = day.state(np.repeat(sats, t.size), np.tile(t, sats.size))
    assert st.ok.all()
    el = _elevation_deg(st.pos_m, rcv)
    assert 7.0 < el.max() < MASK  # 7.7, 8.8 and 7.9 deg at their highest
    rows = [r for r in res.tables["completeness"] if r["system"] == "J"]
    assert rows and all(r["expt"] == 0 and r["have"] == 0 and r["pct"] is None for r in rows)
    assert all(f"highest elevation {el.max():.1f} deg" in r["note"] for r in rows)  # 8.8 deg
    summary = {r["system"]: r for r in res.tables["summary"]}
    assert summary["J"]["expt"] == 0 and "below the 10 deg mask" in summary["J"]["note"]


def test_sbas_is_listed_but_not_counted(esbc_js):
    obs, nav, res = esbc_js
    st = BroadcastProduct(nav).state(sat_index(["S23", "S36"]), obs.epoch_time_ns[:2])
    assert not st.ok.any()  # kompas does not evaluate SBAS GEO ephemerides
    rows = [r for r in res.tables["completeness"] if r["system"] == "S"]
    assert rows and all(r["expt"] is None and r["pct"] is None for r in rows)
    assert all(r["note"].startswith("no SBAS orbit evaluation") for r in rows)
    n_code = {r["signal"]: r["have"] for r in rows}
    df = obs.to_pandas()
    df = df[(df["sv"].str[0] == "S") & df["code_m"].notna()]
    assert n_code == {f"SC{k}": v for k, v in df.groupby("signal").size().items()}
    assert {r["system"]: r["expt"] for r in res.tables["summary"]}["S"] is None


def test_system_summary_counts_satellites_in_view_that_were_never_observed(window):
    """teqc's possible observations: a satellite above the mask that the receiver did not track is missing.

    The window without the GPS and the Galileo satellite observed most often: per system, expected = cells
    above the mask of every satellite with a usable broadcast orbit, by hand; have drops by their cells."""
    import pandas as pd

    obs, nav, _ = window
    counts = obs.to_pandas()["sv"].value_counts()
    gone = [next(s for s in counts.index if s[0] == letter) for letter in "GE"]
    sub = obs.select(sats=[s for s in counts.index if s not in gone])
    res = run_qc(sub, nav, systems="GREC", elmask_deg=MASK)
    t_ns = np.asarray(sub.epoch_time_ns)
    rcv = np.asarray(sub.header.approx_position_m, dtype=float)
    k, g = nav.kepler, nav.glonass
    sats = np.unique(np.concatenate([k.sat, g.sat]))
    sats = sats[np.isin(sats // 100, [1, 2, 3, 4])]
    tt, ss = np.meshgrid(np.arange(t_ns.size), np.arange(sats.size), indexing="ij")
    st = BroadcastProduct(nav, policy="rtklib").state(sats[ss.ravel()], t_ns[tt.ravel()])
    el = np.where(st.ok, _elevation_deg(st.pos_m, rcv), np.nan)
    cells = pd.DataFrame({"sat": sats[ss.ravel()], "el": el}).dropna()
    near = (cells["el"] - MASK).abs() < 0.02
    above = cells[cells["el"] >= MASK]
    summary = {r["system"]: r for r in res.tables["summary"]}
    for letter, code in zip("GREC", (1, 2, 3, 4), strict=True):
        expt = int((above["sat"] // 100 == code).sum())
        slack = int((near & (cells["sat"] // 100 == code)).sum())
        assert abs(summary[letter]["expt"] - expt) <= slack, (letter, summary[letter]["expt"], expt, slack)
    for sv in gone:
        n = int((above["sat"] == sat_index(sv)).sum())
        assert n > 100  # in view for most of the 2 h
        assert summary[sv[0]]["note"] == f"above the mask but never observed: {sv} ({n} epochs)"  # it alone
        assert f"note {sv[0]}: above the mask but never observed: " in text_report(res)
    # the removed satellites' cells are missing: the percentage falls below the full file's
    full = {r["system"]: r for r in window[2].tables["summary"]}
    for letter in "GE":
        assert summary[letter]["expt"] == full[letter]["expt"]
        assert summary[letter]["have"] < full[letter]["have"] and summary[letter]["pct"] < full[letter]["pct"]
