"""Service volume on synthetic constellations: satellite counts against frames.azimuth_elevation, DOPs
against kompas.estimators.validate.dops (the function kompas spp reports), grids and summaries."""

import numpy as np
import pytest

from kompas import sat_index
from kompas.errors import ConfigError
from kompas.estimators.validate import dops
from kompas.frames import azimuth_elevation, enu_rotation, geodetic_to_ecef
from kompas.monitor.service import grid_nodes, service_volume
from kompas.products.state import SatState
from kompas.satsys import sat_system


class _Fixed:
    """A product whose satellites stand still (ECEF) with a given URA; GLONASS without accuracy."""

    def __init__(self, sats, pos, ura=2.0):
        self.sats = sat_index(sats)
        self.pos = np.asarray(pos, float)
        self.ura = ura
        self.kepler = self.glonass = None

    def state(self, sats, t, offset_s=0.0):
        sats = np.asarray(sats)
        idx = np.searchsorted(self.sats, sats) if np.all(np.diff(self.sats) > 0) else None
        assert idx is not None
        n = sats.size
        var = np.where(sat_system(sats) == 2, np.nan, self.ura**2)
        return SatState(self.pos[idx], np.zeros((n, 3)), np.zeros(n), np.zeros(n), var, np.zeros(n, np.uint8))


GPS24 = [f"G{k:02d}" for k in range(1, 25)]  # in satellite-index order


def _constellation(seed=1, n=24):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 3))
    return 26_560e3 * v / np.linalg.norm(v, axis=1)[:, None]


def test_counts_and_dops_equal_the_reference_functions():
    ids = [f"C{k:02d}" for k in range(19, 31)] + [f"R{k:02d}" for k in range(1, 13)]
    order = np.argsort(sat_index(ids))
    ids = [ids[i] for i in order]
    pos = _constellation()[order]
    prod = _Fixed(ids, pos)
    lat, lon = np.array([-30.0, 0.0, 45.0]), np.array([10.0, 120.0])
    sv = service_volume(
        prod, [0], lat, lon, mixes={"C": "C", "CR": "CR"}, elmask_deg=10.0, sats=ids, height_m=100.0
    )
    for i, la in enumerate(lat):
        for j, lo in enumerate(lon):
            u = i * lon.size + j
            rcv = geodetic_to_ecef(np.radians([la, lo, 0.0]) + np.array([0, 0, 100.0]))
            _, el = azimuth_elevation(pos, np.broadcast_to(rcv, pos.shape))
            for m, letters in enumerate(("C", "CR")):
                use = (el >= np.radians(10.0)) & np.isin(np.array([x[0] for x in ids]), list(letters))
                assert sv.nsat[m, 0, u] == use.sum()
                e = (pos - rcv) / np.linalg.norm(pos - rcv, axis=1)[:, None]
                rot = enu_rotation(np.radians(la), np.radians(lo))[None]
                g, p, h, v = dops(-e[None], use[None], rot)
                # one receiver clock per system present: the least-squares cofactor of [-e, 1_C, 1_R]
                sysl = np.array([x[0] for x in ids])[use]
                present = [x for x in letters if (sysl == x).any()]
                if len(present) > 1 and use.sum() >= 3 + len(present):
                    hmat = np.c_[-e[use], *[(sysl == x).astype(float) for x in present]]
                    q = np.linalg.inv(hmat.T @ hmat)
                    qenu = rot[0] @ q[:3, :3] @ rot[0].T
                    g, p = [np.sqrt(np.trace(q))], [np.sqrt(np.trace(q[:3, :3]))]
                    h, v = [np.sqrt(qenu[0, 0] + qenu[1, 1])], [np.sqrt(qenu[2, 2])]
                if use.sum() >= 3 + len(present):
                    assert sv.pdop[m, 0, u] == pytest.approx(p[0], rel=1e-5)
                    assert sv.hdop[m, 0, u] == pytest.approx(h[0], rel=1e-5)
                    assert sv.vdop[m, 0, u] == pytest.approx(v[0], rel=1e-5)
                    assert sv.gdop[m, 0, u] == pytest.approx(g[0], rel=1e-5)
                else:
                    assert np.isnan(sv.pdop[m, 0, u])
                # UERE: RMS of the URAs used, GLONASS records without one get the 5 m default
                if use.any():
                    ura = np.where(np.array([x[0] for x in ids])[use] == "R", 5.0, 2.0)
                    assert sv.uere_m[m, 0, u] == pytest.approx(np.sqrt(np.mean(ura**2)), rel=1e-6)


def test_summary_percentage_of_pdop_below_six():
    ids = sorted(["G01", "G02", "G03", "G04", "G05"], key=lambda x: int(sat_index(x)))
    pos = _constellation(3, 5)
    sv = service_volume(_Fixed(ids, pos), [0, 1, 2], [0.0], [0.0], mixes={"G": "G"}, elmask_deg=0.0, sats=ids)
    s = sv.cell_summary()
    ok = np.nan_to_num(sv.pdop[0, :, 0], nan=np.inf) <= 6.0
    assert s["pdop_ok_pct"][0, 0, 0] == pytest.approx(100.0 * ok.mean())
    rows = sv.rows()
    assert len(rows) == 1 and rows[0]["mix"] == "G" and rows[0]["nsat_mean"] == sv.nsat[0, :, 0].mean()


def test_summary_accuracy_is_uere_times_dop():
    """acc3d_mean_m: UERE x PDOP, acc_h_mean_m: UERE x HDOP, each averaged over the epochs."""
    sv = service_volume(
        _Fixed(GPS24, _constellation(), ura=3.0), [0, 1], [10.0, 50.0], [0.0], mixes={"G": "G"}, sats=GPS24
    )
    s = sv.cell_summary()
    for i in range(2):
        u, p, h = (np.asarray(x[0, :, i], float) for x in (sv.uere_m, sv.pdop, sv.hdop))
        assert np.isfinite(p).all() and (h < p).all() and (u == 3.0).all()
        assert s["acc3d_mean_m"][0, i, 0] == pytest.approx(np.mean(u * p), rel=1e-6)
        assert s["acc_h_mean_m"][0, i, 0] == pytest.approx(np.mean(u * h), rel=1e-6)


def test_a_mix_without_satellites_leaves_the_next_mixes_alone():
    prod = _Fixed(GPS24, _constellation())
    sv = service_volume(
        prod, [0], [10.0, 50.0], [0.0, 90.0, 180.0], mixes={"QZSS": "J", "GPS": "G"}, sats=GPS24
    )
    assert (sv.nsat[0] == 0).all() and np.isnan(sv.pdop[0]).all()
    assert (sv.nsat[1] >= 4).all() and np.isfinite(sv.pdop[1]).all()
    # rows: one per mix and node, latitude-major, the cell summary's values
    rows, summ = sv.rows(), sv.cell_summary()
    assert [(r["mix"], r["lat_deg"], r["lon_deg"]) for r in rows[6:9]] == [("GPS", 10.0, 0.0), ("GPS", 10.0, 90.0),
                                                                            ("GPS", 10.0, 180.0)]  # fmt: skip
    assert [r["pdop_mean"] for r in rows[6:]] == summ["pdop_mean"][1].ravel().tolist()
    with pytest.raises(ValueError, match=r"elevation mask must be in \[0, 90\) deg"):
        service_volume(prod, [0], [0.0], [0.0], mixes={"G": "G"}, elmask_deg=90.0)
    # no satellites given and no Kepler or GLONASS record to take them from (an SBAS-only file)
    with pytest.raises(
        ConfigError, match="the navigation data hold no GPS/GLONASS/Galileo/BeiDou/QZSS/NavIC record"
    ):
        service_volume(prod, [0], [0.0], [0.0], mixes={"G": "G"})


def test_grid_nodes():
    lat, lon = grid_nodes(5.0)
    assert lat.size == 37 and lon.size == 72 and lon[0] == -180.0 and lon[-1] == 175.0
    lat, lon = grid_nodes(5.0, "asia-pacific")
    assert lat[0] == -55.0 and lat[-1] == 55.0 and lon[0] == 55.0 and lon[-1] == 180.0
    with pytest.raises(ValueError, match="unknown region 'atlantis'; known: global, "):
        grid_nodes(5.0, "atlantis")
    for a, b in zip(grid_nodes(), grid_nodes(5.0), strict=True):  # 5 deg by default
        np.testing.assert_array_equal(a, b)
    lat, lon = grid_nodes(0.5, (0.0, 1.0, 10.0, 11.0))  # steps below one degree
    assert lat.tolist() == [0.0, 0.5, 1.0] and lon.tolist() == [10.0, 10.5, 11.0]
    for step in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="grid step must be positive"):
            grid_nodes(step)


def test_each_system_of_a_mix_brings_its_own_receiver_clock():
    """One GLONASS satellite beside BeiDou adds an unknown (GLONASST vs BDT) and no position information:
    with 4 BeiDou + 1 GLONASS the BDS+GLONASS PDOP is BeiDou's alone; 3 + 1 do not serve at all."""
    ids = ["R01", "C19", "C20", "C21", "C22"]  # in satellite-index order
    dirs = np.array([[1.0, 0.0, 0.1], [1.0, 0.3, 0.3], [1.0, -0.3, 0.3], [1.0, 0.3, -0.3], [1.0, -0.2, -0.4]])
    pos = 26_560e3 * dirs / np.linalg.norm(dirs, axis=1)[:, None]
    sv = service_volume(_Fixed(ids, pos), [0], [0.0], [0.0], mixes={"C": "C", "CR": "CR"}, elmask_deg=0.0,
                        sats=ids)  # fmt: skip
    assert sv.nsat[1, 0, 0] == 5 and np.isfinite(sv.pdop[0, 0, 0])
    assert sv.pdop[1, 0, 0] == pytest.approx(sv.pdop[0, 0, 0], rel=1e-9)
    assert sv.gdop[1, 0, 0] > sv.gdop[0, 0, 0]  # the second clock's cofactor adds to GDOP
    three = service_volume(_Fixed(ids[:4], pos[:4]), [0], [0.0], [0.0], mixes={"CR": "CR"}, elmask_deg=0.0,
                           sats=ids[:4])  # fmt: skip
    assert three.nsat[0, 0, 0] == 4 and np.isnan(three.pdop[0, 0, 0])


def test_a_mix_with_a_system_out_of_view_and_the_user_equipment_error():
    """BDS+GLONASS where no GLONASS satellite is up: the BeiDou satellites alone serve (4 are enough, no
    GLONASS clock to estimate) with BeiDou's DOPs; the UERE adds uee_m in quadrature."""
    ids = ["C19", "C20", "C21", "C22"]
    dirs = np.array([[1.0, 0.3, 0.3], [1.0, -0.3, 0.3], [1.0, 0.3, -0.3], [1.0, -0.2, -0.4]])
    pos = 26_560e3 * dirs / np.linalg.norm(dirs, axis=1)[:, None]
    sv = service_volume(_Fixed(ids, pos), [0], [0.0], [0.0], mixes={"C": "C", "CR": "CR"}, elmask_deg=0.0,
                        sats=ids, uee_m=0.5)  # fmt: skip
    for name in ("gdop", "pdop", "hdop", "vdop"):
        assert getattr(sv, name)[1, 0, 0] == pytest.approx(getattr(sv, name)[0, 0, 0], rel=1e-9), name
    assert np.isfinite(sv.gdop[1, 0, 0])
    assert sv.uere_m[1, 0, 0] == pytest.approx(np.sqrt(2.0**2 + 0.5**2), rel=1e-6)
