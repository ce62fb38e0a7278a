"""Single point positioning: observations -> satellite states -> models -> batched WLS -> Solution.

Everything is computed for all epochs at once: observation rows are gathered per (epoch, satellite),
satellite states are evaluated for every row in one call, and the least-squares iterations run on
padded ``(epochs, satellites)`` arrays (:mod:`kompas.estimators.wls`).

Per row the modelled pseudorange is (RTKLIB pntpos.c ``rescode``, IS-GPS-200N 20.3.3.4.3)::

    P = |r_sat(t_tx) - r_rcv| + Sagnac + c (dt_rcv[system] - dt_sat(signal)) + I + T

with the satellite state at the transmission time t_tx = t_rx - P/c - dt_sat, the satellite clock of
the signal actually used (group delays: :mod:`kompas.products.broadcast`), ionosphere I (GPS
Klobuchar for GPS/Galileo/QZSS/GLONASS, BeiDou's own Klobuchar for BeiDou, scaled by 1/f^2; or the
ionosphere-free combination; or none) and troposphere T (Saastamoinen with a standard atmosphere,
its own 1/cos(z) mapping). One receiver clock per system, so inter-system biases are estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .constants import C_LIGHT, SYSTEM_CONSTANTS
from .errors import ConfigError
from .estimators.wls import chi2_threshold, dops, solve_normal
from .frames import ecef_to_geodetic, enu_rotation
from .products.broadcast import BroadcastProduct
from .products.state import Status
from .satsys import SYSTEM_LETTERS, nominal_frequency, sat_system, signal_id
from .solution import Quality, Solution
from .time import week_tow

__all__ = ["SppConfig", "spp", "DEFAULT_PRIORITY", "IF_PAIRS"]

DEFAULT_PRIORITY = {
    "C": ("2I", "1P", "1X", "5P", "5X", "6I", "7I"),
    "R": ("1C", "1P", "2C", "2P"),
    "G": ("1C", "1W", "1X", "2W", "2L", "2X", "5Q", "5X"),
    "E": ("1C", "1X", "5Q", "5X", "7Q", "7X"),
    "J": ("1C", "1X", "2L", "2X", "5Q", "5X"),
}
"""Signal choice per system for single-frequency processing: first available wins."""

IF_PAIRS = {
    "C": (("2I",), ("6I",)),  # B1I + B3I: broadcast clocks refer to B3I (BDS-SIS-ICD-B1I-3.0 5.2.4.10)
    "R": (("1C", "1P"), ("2C", "2P")),
    "G": (("1C", "1W"), ("2W", "2L", "2X")),
    "E": (("1C", "1X"), ("5Q", "5X")),
    "J": (("1C", "1X"), ("2L", "2X")),
}
"""Signal pairs (priority per band) for the ionosphere-free combination."""

# RTKLIB pntpos.c / rtklib.h error model constants
_EFACT = {"G": 1.0, "R": 1.5, "E": 1.0, "C": 1.0, "J": 1.0, "I": 1.5, "S": 3.0}
_ERR_BRDCI = 0.5  # broadcast ionosphere model error factor
_ERR_ION = 5.0  # m, ionosphere left uncorrected
_ERR_SAAS = 0.3  # m, Saastamoinen model error
_ERR_TROP = 3.0  # m, troposphere left uncorrected
_ERR_CBIAS = 0.3  # m, code bias error
_ERR_EPH_DEFAULT = 5.0  # m, when the ephemeris gives no accuracy (GLONASS: RTKLIB ERREPH_GLO)


@dataclass(frozen=True)
class SppConfig:
    """Options of single point positioning (units in the names; allowed values in the docstrings).

    Attributes
    ----------
    systems : str
        System letters to use, e.g. ``"CR"`` (BeiDou + GLONASS) or ``"GRECJ"``.
    elmask_deg : float
        Elevation mask, degrees.
    iono : str
        ``"brdc"`` (broadcast Klobuchar models), ``"if"`` (ionosphere-free combination) or ``"off"``.
    tropo : str
        ``"saas"`` (Saastamoinen, standard atmosphere) or ``"off"``.
    sigma_code_m : float
        Zenith pseudorange noise, m (RTKLIB: 0.003 m x code/phase ratio 100).
    raim : bool
        Fault detection and exclusion when the chi-square test fails.
    max_gdop : float
        Epochs with a larger GDOP are rejected.
    max_iter : int
        Gauss-Newton iterations.
    priority : dict or None
        Signal priority per system letter (defaults: :data:`DEFAULT_PRIORITY`).
    """

    systems: str = "GRECJ"
    elmask_deg: float = 10.0
    iono: str = "brdc"
    tropo: str = "saas"
    sigma_code_m: float = 0.3
    raim: bool = True
    max_gdop: float = 30.0
    max_iter: int = 10
    priority: dict | None = field(default=None)

    def __post_init__(self):
        if self.iono not in ("brdc", "if", "off"):
            raise ConfigError(f"iono must be brdc, if or off, not {self.iono!r}")
        if self.tropo not in ("saas", "off"):
            raise ConfigError(f"tropo must be saas or off, not {self.tropo!r}")
        letters = "".join(c for c in self.systems.upper() if c.isalpha())
        bad = [c for c in letters if c not in "GRECJ"]
        if bad or not letters:
            raise ConfigError(f"systems must be letters of GRECJ, not {self.systems!r}")
        object.__setattr__(self, "systems", letters)
        if not 0 <= self.elmask_deg < 90:
            raise ConfigError("elmask_deg must be in [0, 90)")


# ----------------------------------------------------------------------------------------------
# Observation selection


def _rank_table(groups: dict) -> np.ndarray:
    """rank[system_code, signal_id]: position in the priority list, 255 when not listed."""
    rank = np.full((8, 256), 255, dtype=np.int64)
    for letter, sigs in groups.items():
        code = SYSTEM_LETTERS.index(letter) + 1
        for k, s in enumerate(sigs):
            rank[code, int(signal_id(s))] = k
    return rank


def _best(epoch, sat, signal, code, rank_tab):
    """Per (epoch, satellite): the row of the best-ranked signal with a pseudorange (or -1)."""
    sysc = sat_system(sat)
    rank = rank_tab[sysc, signal]
    ok = np.isfinite(code) & (rank < 255)
    idx = np.flatnonzero(ok)
    key = epoch[idx] * 1000 + sat[idx]
    order = np.lexsort((rank[idx], key))
    idx, key = idx[order], key[order]
    first = np.r_[True, key[1:] != key[:-1]]
    return idx[first], key[first]


def _gather(obs, cfg):
    """Rows (epoch index, sat, pseudorange, signal(s)) to process, and the epoch times."""
    sel = obs.select(systems=cfg.systems)
    epoch = np.searchsorted(obs.epoch_time_ns, sel.time_ns)
    if cfg.iono != "if":
        prio = {k: v for k, v in (cfg.priority or DEFAULT_PRIORITY).items() if k in cfg.systems}
        rows, _ = _best(epoch, sel.sat, sel.signal, sel.code_m, _rank_table(prio))
        return epoch[rows], sel.sat[rows], sel.code_m[rows], sel.signal[rows], None, None
    a = {k: v[0] for k, v in IF_PAIRS.items() if k in cfg.systems}
    b = {k: v[1] for k, v in IF_PAIRS.items() if k in cfg.systems}
    ra, ka = _best(epoch, sel.sat, sel.signal, sel.code_m, _rank_table(a))
    rb, kb = _best(epoch, sel.sat, sel.signal, sel.code_m, _rank_table(b))
    _, ia, ib = np.intersect1d(ka, kb, return_indices=True)
    ra, rb = ra[ia], rb[ib]
    return epoch[ra], sel.sat[ra], sel.code_m[ra], sel.signal[ra], sel.code_m[rb], sel.signal[rb]


# ----------------------------------------------------------------------------------------------


def spp(
    obs,
    nav,
    systems: str | None = None,
    config: SppConfig | None = None,
    progress=None,
    chunk_epochs: int = 720,
    **options,
) -> Solution:
    """Single point positioning of every epoch.

    Parameters
    ----------
    obs : ObsTable
        From :func:`kompas.read_obs`.
    nav : NavData or list of NavData or BroadcastProduct
        Broadcast navigation data (:func:`kompas.read_nav`).
    systems : str, optional
        Shortcut for ``SppConfig.systems`` (e.g. ``"CR"``).
    config : SppConfig, optional
    progress : callable, optional
        Called as ``progress(done_epochs, total_epochs)`` after each block of epochs.
    chunk_epochs : int
        Epochs solved together (memory bound; results do not depend on it).
    **options
        Any :class:`SppConfig` field, e.g. ``elmask_deg=15, iono="if"``.

    Returns
    -------
    Solution
        Marker positions (antenna height removed), quality SINGLE where a solution passed validation.
    """
    cfg = config or SppConfig()
    if systems is not None:
        options["systems"] = systems
    if options:
        try:
            cfg = replace(cfg, **options)
        except TypeError as exc:
            raise ConfigError(str(exc)) from None
    bp = nav if isinstance(nav, BroadcastProduct) else BroadcastProduct(nav)
    header_iono = {}
    for n in bp.navs:
        header_iono.update(n.header.iono_corr or {})
    t = obs.epoch_time_ns
    parts = []
    for a in range(0, max(t.size, 1), chunk_epochs):
        block = (
            obs
            if t.size <= chunk_epochs
            else obs.select(start_ns=t[a], end_ns=t[min(a + chunk_epochs, t.size) - 1] + 1)
        )
        parts.append(_solve_block(block, bp, cfg, header_iono))
        if progress is not None:
            progress(min(a + chunk_epochs, t.size), t.size)
    return parts[0] if len(parts) == 1 else _concat_solutions(parts)


def _concat_solutions(parts):
    first = parts[0]
    cat = np.concatenate
    meta = dict(first.meta)
    meta["excluded_by_raim"] = sum(p.meta["excluded_by_raim"] for p in parts)
    counts: dict = {}
    for p in parts:
        for k, v in p.meta["satellite_status_counts"].items():
            counts[k] = counts.get(k, 0) + v
    meta["satellite_status_counts"] = counts
    meta["chi2"] = cat([p.meta["chi2"] for p in parts])
    return Solution(
        time_ns=cat([p.time_ns for p in parts]),
        pos_m=cat([p.pos_m for p in parts]),
        quality=cat([p.quality for p in parts]),
        nsat=cat([p.nsat for p in parts]),
        nsat_by_system={k: cat([p.nsat_by_system[k] for p in parts]) for k in first.nsat_by_system},
        gdop=cat([p.gdop for p in parts]),
        pdop=cat([p.pdop for p in parts]),
        hdop=cat([p.hdop for p in parts]),
        vdop=cat([p.vdop for p in parts]),
        cov_m2=cat([p.cov_m2 for p in parts]),
        clock_m={k: cat([p.clock_m[k] for p in parts]) for k in first.clock_m},
        residuals={k: cat([p.residuals[k] for p in parts]) for k in first.residuals},
        meta=meta,
    )


def _solve_block(obs, bp, cfg, header_iono) -> Solution:
    navs = bp.navs
    e_idx, sat, p1, s1, p2, s2 = _gather(obs, cfg)
    t_ep = obs.epoch_time_ns
    n_ep = t_ep.size
    t_rx = t_ep[e_idx]
    letters = np.array(list(" " + SYSTEM_LETTERS))[sat_system(sat)]
    # pseudorange used and the satellite clock that goes with it
    if cfg.iono == "if":
        f1 = nominal_frequency(sat_system(sat), s1 // 26 + 1)
        f2 = nominal_frequency(sat_system(sat), s2 // 26 + 1)
        g = f1 * f1 / (f1 * f1 - f2 * f2)
        pr = g * p1 + (1.0 - g) * p2
    else:
        pr = p1
    # signal transmission time, then the state at it (RTKLIB satposs)
    st0 = bp.state(sat, t_rx, -pr / C_LIGHT)
    off = -pr / C_LIGHT - np.nan_to_num(st0.clk_s)
    if cfg.iono == "if":
        st = bp.state(sat, t_rx, off)
        c1 = bp.state(sat, t_rx, off, signal=_codes(s1))
        c2 = bp.state(sat, t_rx, off, signal=_codes(s2))
        dts = g * c1.clk_s + (1.0 - g) * c2.clk_s
        dts = np.where(letters == "R", st.clk_s, dts)
    else:
        st = bp.state(sat, t_rx, off, signal=_codes(s1))
        dts = st.clk_s
    status_counts = np.bincount(st.status, minlength=6)
    valid = st.ok & np.isfinite(dts) & np.isfinite(pr)
    e_idx, sat, pr, dts, letters, s1 = (
        e_idx[valid],
        sat[valid],
        pr[valid],
        dts[valid],
        letters[valid],
        s1[valid],
    )
    rs, var_eph = st.pos_m[valid], st.var_m2[valid]
    t_rx = t_rx[valid]
    # padded layout (epoch, slot)
    first = np.searchsorted(e_idx, np.arange(n_ep))
    slot = np.arange(e_idx.size) - first[e_idx]
    n_max = int(slot.max()) + 1 if slot.size else 1
    shape = (n_ep, n_max)

    def pad(x, fill=np.nan):
        out = np.full(shape + x.shape[1:], fill, dtype=x.dtype if x.dtype != bool else bool)
        out[e_idx, slot] = x
        return out

    P = pad(pr)
    DTS = pad(dts)
    RS = pad(rs)
    VEPH = pad(np.where(np.isfinite(var_eph), var_eph, _ERR_EPH_DEFAULT**2))
    SAT = pad(sat.astype(np.int64), 0)
    present = pad(np.ones(sat.size, bool), False)
    sys_letters = [x for x in cfg.systems]
    clk_col = np.zeros(shape, dtype=np.int64)
    for k, x in enumerate(sys_letters):
        clk_col[pad(letters == x, False)] = k
    nclk = len(sys_letters)
    n_unk = 3 + nclk
    omega = np.array(
        [SYSTEM_CONSTANTS[x].omega_e if x in SYSTEM_CONSTANTS else 0.0 for x in " " + SYSTEM_LETTERS]
    )
    OM = omega[sat_system(SAT)]
    FREQ = pad(nominal_frequency(sat_system(sat), s1 // 26 + 1))
    LET = pad(np.array([SYSTEM_LETTERS.index(x) + 1 for x in letters], dtype=np.int64), 0)
    # initial position: the header's approximate position when plausible, else the Earth's centre
    x0 = np.asarray(obs.header.approx_position_m, dtype=float)
    if not (np.all(np.isfinite(x0)) and 6.0e6 < np.linalg.norm(x0) < 7.0e6):
        x0 = np.zeros(3)
    x = np.zeros((n_ep, n_unk))
    x[:, :3] = x0
    mask_rad = np.radians(cfg.elmask_deg)
    tow = week_tow(t_ep, "GPS")[1]
    bds_sow = week_tow(t_ep, "BDS")[1]

    def residuals(x, use_mask):
        rr = x[:, None, :3]
        dvec = RS - rr
        geo = np.linalg.norm(dvec, axis=-1)
        sagnac = OM * (RS[..., 0] * rr[..., 1] - RS[..., 1] * rr[..., 0]) / C_LIGHT
        e = dvec / geo[..., None]
        llh = ecef_to_geodetic(x[:, :3])
        known = np.linalg.norm(x[:, :3], axis=1) > 1e6
        rot = enu_rotation(llh[:, 0], llh[:, 1])
        enu = np.einsum("eij,enj->eni", rot, e)
        el = np.where(known[:, None], np.arcsin(np.clip(enu[..., 2], -1, 1)), np.pi / 2)
        az = np.arctan2(enu[..., 0], enu[..., 1])
        iono, var_ion = _iono(cfg, header_iono, llh, az, el, tow, bds_sow, LET, FREQ, known)
        trop, var_trp = _tropo(cfg, llh, el, known)
        dtr = np.take_along_axis(x[:, 3:], clk_col, axis=1)
        v = P - (geo + sagnac + dtr - C_LIGHT * DTS + iono + trop)
        h = np.zeros((*shape, n_unk))
        h[..., :3] = -e
        np.put_along_axis(h[..., 3:], clk_col[..., None], 1.0, axis=-1)
        efact = np.array([_EFACT.get(c, 1.0) for c in " " + SYSTEM_LETTERS])[LET]
        fact = 3.0 if cfg.iono == "if" else 1.0
        sin_el = np.maximum(np.sin(el), 0.05)
        # RTKLIB's varerr with the usual 1/sin^2(el) growth (RTKLIB 2.4.3 itself divides by sin(el))
        var = (efact * fact * cfg.sigma_code_m) ** 2 * (1.0 + 1.0 / sin_el**2)
        var = var + VEPH + var_ion + var_trp + _ERR_CBIAS**2
        use = present & use_mask & (~known[:, None] | (el >= mask_rad))
        return v, h, 1.0 / var, use, el, az, rot

    use_mask = present.copy()
    x, q, v, w, use, el, rot, conv = _iterate(x, residuals, use_mask, cfg.max_iter)
    ok, chi2, _ = _validate(x, v, w, use, n_unk, clk_col, cfg, rot, RS)
    excluded = np.zeros(shape, bool)
    if cfg.raim:
        x, q, v, w, use, el, rot, ok, excluded = _raim(
            x, residuals, use_mask, ok, n_unk, clk_col, cfg, q, v, w, use, el, rot, RS
        )
    ok &= conv
    # antenna reference point -> marker: ANTENNA: DELTA H/E/N
    dh, de, dn = np.asarray(obs.header.antenna_delta_hen_m, dtype=float)
    arp_enu = np.array([de, dn, dh])
    pos = x[:, :3] - np.einsum("eji,j->ei", rot, arp_enu)
    pos[~ok] = np.nan
    hpc = np.concatenate([np.where(use[..., None], _los(x, RS), 0.0), use[..., None] * 1.0], axis=-1)
    g, p, hd, vd = dops(hpc, use, rot)
    nsat_by = {
        c: np.where(ok, (use & (LET == SYSTEM_LETTERS.index(c) + 1)).sum(1), 0).astype(np.int16)
        for c in sys_letters
    }
    cov = q[:, :3, :3].copy()
    cov[~ok] = np.nan
    clock = {c: np.where(ok & (nsat_by[c] > 0), x[:, 3 + k], np.nan) for k, c in enumerate(sys_letters)}
    resid = {
        "time_ns": np.repeat(t_ep, n_max)[present.ravel()],
        "sat": SAT.ravel()[present.ravel()],
        "residual_m": v.ravel()[present.ravel()],
        "used": use.ravel()[present.ravel()],
        "elevation_rad": el.ravel()[present.ravel()],
    }
    return Solution(
        time_ns=t_ep.copy(),
        pos_m=pos,
        quality=np.where(ok, Quality.SINGLE, Quality.NONE).astype(np.uint8),
        nsat=np.where(ok, use.sum(1), 0).astype(np.int16),
        nsat_by_system=nsat_by,
        gdop=np.where(ok, g, np.nan),
        pdop=np.where(ok, p, np.nan),
        hdop=np.where(ok, hd, np.nan),
        vdop=np.where(ok, vd, np.nan),
        cov_m2=cov,
        clock_m=clock,
        residuals=resid,
        meta={
            "program": "kompas spp",
            "ephemeris": "Broadcast",
            "config": cfg,
            "input": [obs.path] + [getattr(n, "path", None) for n in navs],
            "excluded_by_raim": int(excluded.sum()),
            "satellite_status_counts": {Status(i).name: int(c) for i, c in enumerate(status_counts) if c},
            "chi2": chi2,
        },
    )


def _codes(sig):
    from .satsys import signal_code

    return np.asarray(signal_code(sig))


def _los(x, rs):
    d = rs - x[:, None, :3]
    return -d / np.linalg.norm(d, axis=-1)[..., None]


def _iterate(x, residuals, use_mask, max_iter, only=None):
    """Gauss-Newton iterations for all epochs (or the epochs in ``only``)."""
    conv = np.zeros(x.shape[0], bool)
    for _ in range(max_iter):
        v, h, w, use, _, _, _ = residuals(x, use_mask)
        dx, q = solve_normal(h, v, w, use)
        dx[use.sum(1) < 4] = 0.0  # fewer than 4 observations: no solution, no update
        if only is not None:
            dx[~only] = 0.0
        x = x + dx
        conv = np.linalg.norm(dx[:, :3], axis=1) < 1e-4
        if conv.all():
            break
    v, h, w, use, el, _, rot = residuals(x, use_mask)
    _, q = solve_normal(h, v, w, use)
    return x, q, v, w, use, el, rot, conv


def _n_unknowns(use, clk_col, n_clk):
    active = np.zeros((use.shape[0], n_clk), bool)
    for k in range(n_clk):
        active[:, k] = (use & (clk_col == k)).any(1)
    return 3 + active.sum(1)


def _validate(x, v, w, use, n_unk, clk_col, cfg, rot, rs):
    nx = _n_unknowns(use, clk_col, n_unk - 3)
    nv = use.sum(1)
    dof = nv - nx
    chi2 = np.where(use, v * v * w, 0.0).sum(1)
    # RTKLIB valsol: chi-square of the weighted residuals at 0.001 significance, and the GDOP limit
    ok = (nv >= nx) & (nv >= 4)
    ok &= (dof <= 0) | (chi2 <= chi2_threshold(np.maximum(dof, 1)))
    hpc = np.concatenate([np.where(use[..., None], _los(x, rs), 0.0), use[..., None] * 1.0], axis=-1)
    gdop = dops(hpc, use, rot)[0]
    ok &= np.isfinite(gdop) & (gdop <= cfg.max_gdop)
    return ok, chi2, dof


def _raim(x, residuals, use_mask, ok, n_unk, clk_col, cfg, q, v, w, use, el, rot, rs):
    """Fault detection and exclusion: drop the satellite whose exclusion best passes the test, repeat."""
    excluded = np.zeros(use_mask.shape, bool)
    for _ in range(3):
        nx = _n_unknowns(use, clk_col, n_unk - 3)
        fail = ~ok & (use.sum(1) >= nx + 2)
        if not fail.any():
            break
        best_chi = np.full(x.shape[0], np.inf)
        best_j = np.full(x.shape[0], -1)
        best_state = {}
        for j in range(use_mask.shape[1]):
            cand = fail & use[:, j]
            if not cand.any():
                continue
            m = use_mask.copy()
            m[:, j] = False
            xj, qj, vj, wj, uj, elj, rotj, convj = _iterate(x, residuals, m, 4, only=cand)
            okj, chij, dofj = _validate(xj, vj, wj, uj, n_unk, clk_col, cfg, rotj, rs)
            score = np.where(cand & okj & convj, chij / np.maximum(dofj, 1), np.inf)
            better = score < best_chi
            best_chi[better], best_j[better] = score[better], j
            best_state[j] = (xj, qj, vj, wj, uj, elj, rotj)
        fixed = best_j >= 0
        if not fixed.any():
            break
        for j in np.unique(best_j[fixed]):
            rows = best_j == j
            xj, qj, vj, wj, uj, elj, rotj = best_state[j]
            x[rows], q[rows], v[rows], w[rows], use[rows], el[rows], rot[rows] = (
                xj[rows],
                qj[rows],
                vj[rows],
                wj[rows],
                uj[rows],
                elj[rows],
                rotj[rows],
            )
            use_mask[rows, j] = False
            excluded[rows, j] = True
        ok = ok | fixed
    return x, q, v, w, use, el, rot, ok, excluded


def _iono(cfg, header_iono, llh, az, el, tow, bds_sow, let, freq, known):
    if cfg.iono != "brdc":
        if cfg.iono == "off":
            return np.zeros(el.shape), np.full(el.shape, _ERR_ION**2)
        return np.zeros(el.shape), np.zeros(el.shape)
    from .models.ionosphere import klobuchar_bds, klobuchar_gps

    lat = np.broadcast_to(llh[:, None, 0], el.shape)
    lon = np.broadcast_to(llh[:, None, 1], el.shape)
    f_l1 = 1575.42e6
    out = np.zeros(el.shape)
    gpsa, gpsb = header_iono.get("GPSA"), header_iono.get("GPSB")
    bdsa, bdsb = header_iono.get("BDSA"), header_iono.get("BDSB")
    if gpsa is not None and gpsb is not None:
        t = np.broadcast_to(tow[:, None], el.shape)
        i_l1 = klobuchar_gps(gpsa, gpsb, lat, lon, az, el, t)
        out = i_l1 * (f_l1 / freq) ** 2
    bds = let == SYSTEM_LETTERS.index("C") + 1
    if bds.any() and bdsa is not None and bdsb is not None:
        t = np.broadcast_to(bds_sow[:, None], el.shape)
        i_b1 = klobuchar_bds(bdsa, bdsb, lat, lon, az, el, t)
        out = np.where(bds, i_b1 * (1561.098e6 / freq) ** 2, out)
    out = np.where(known[:, None] & np.isfinite(out), out, 0.0)
    return out, (_ERR_BRDCI * out) ** 2


def _tropo(cfg, llh, el, known):
    if cfg.tropo == "off":
        return np.zeros(el.shape), np.full(el.shape, _ERR_TROP**2)
    from .models.troposphere import saastamoinen

    lat = np.broadcast_to(llh[:, None, 0], el.shape)
    h = np.broadcast_to(llh[:, None, 2], el.shape)
    t = saastamoinen(lat, h, el)
    t = np.where(known[:, None] & np.isfinite(t), t, 0.0)
    return t, (_ERR_SAAS / (np.sin(np.maximum(el, 0.0)) + 0.1)) ** 2
