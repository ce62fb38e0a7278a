"""The precise point positioning filter: undifferenced code and phase, named states that follow the sky.

An extended Kalman filter (Kouba & Heroux 2001, GPS Solut. 5(2):12-28; Zumberge et al. 1997, J. Geophys.
Res. 102(B3):5005-5017; RTKLIB 2.4.3 ``ppp.c`` for the state handling) over the unknowns

=================  ==========================================================================================
block              dynamics
=================  ==========================================================================================
``pos`` (3)        static: constant; kinematic: white noise (re-initialised every epoch) or a random walk
``clk:<group>``    receiver clock of each clock group (a system; BeiDou-2 and BeiDou-3 apart; broadcast-
                   fed satellites apart): white noise, started every epoch from the median code residual,
                   so inter-system (and BDS-2/BDS-3) biases are the differences of these clocks
``ztd``            wet zenith delay correction to the a priori: random walk
``grad`` (2)       north and east gradients (Chen & Herring 1997): random walk
``ion:<sat>``      slant ionospheric delay on the row's first band (uncombined mode): random walk
``amb:<sat>:<k>``  float ambiguity of observation column k, metres: constant over an arc, re-initialised
                   at a slip (new arc) and after a rejected phase
``ifb:<key>``      GLONASS receiver code inter-frequency bias of one FDMA channel: constant
``cb:<sat>:<k>``   code bias of a third (or further) band of a satellite (uncombined mode): constant
=================  ==========================================================================================

Observation columns (``K`` per satellite) are either the one ionosphere-free combination or each band
of the uncombined mode, whose slant delay scales as ``mu_k = (f_1 / f_k)^2`` (+ on code, - on phase).

Each epoch: time update, state maintenance (arcs, rising and setting satellites), clocks started from the
code, linearisation at the current position, and a w-test-screened update
(:func:`kompas.estimators.filter_state.robust_update`). A rejected phase restarts its ambiguity. The
first updates, while the position is still uncertain by more than 10 m, are iterated (iterated EKF) so
that a start kilometres off converges in one epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..constants import C_LIGHT
from ..satsys import sat_id
from .filter_state import FilterState, robust_update
from .grouped import group_median
from .ppp_ar import ArOptions, WideLaneStats, resolve
from .states import Block

__all__ = ["PppFilterOptions", "EpochObs", "EpochOutput", "PppFilter"]


@dataclass(frozen=True)
class PppFilterOptions:
    """Dynamics, initial uncertainties and screening of :class:`PppFilter` (SI units)."""

    kinematic: bool = False
    sigma_pos0_m: float = 100.0
    kinematic_sigma_m: float = 30.0
    q_pos_m2_s: float | None = None
    sigma_clk0_m: float = 100.0
    sigma_ztd0_m: float = 0.3
    q_ztd_m2_s: float = 1e-8
    gradients: bool = True
    sigma_grad0_m: float = 0.003
    q_grad_m2_s: float = 1e-12
    sigma_amb0_m: float = 30.0
    sigma_ion0_m: float = 10.0
    q_ion_m2_s: float = 1.6e-5
    glonass_ifb: bool = True
    sigma_ifb0_m: float = 5.0
    sigma_cb0_m: float = 10.0
    outlier_w: float = 4.0
    max_rejections: int = 8
    max_outage_s: float = 300.0
    ar: ArOptions | None = None


@dataclass(frozen=True, eq=False)
class EpochObs:
    """One epoch's observations for the filter (N satellites, K observation columns).

    Attributes
    ----------
    sat : (N,) int
    group : (N,) int
        Clock group index (into the filter's ``groups``).
    omega : (N,) float
        Earth rotation rate of each satellite's system (Sagnac), rad/s.
    sat_pos : (N, 3)
    code_m, phase_m : (N, K)
        Observations minus their band-dependent model terms, m (NaN where missing).
    var_code_m2, var_phase_m2 : (N, K)
    arc : (N, K) int64
        Ambiguity arc ids (-1: no phase).
    mu : (N, K)
        Ionospheric factor of each column (NaN: ionosphere-free, no ionospheric state).
    range_corr_m : (N,)
        Model terms common to all columns (satellite clock, troposphere a priori, Shapiro), m.
    wet_map, grad_n, grad_e : (N,)
        Partials of the wet zenith delay and of the north/east gradients.
    ifb_key : (N,) int
        GLONASS channel + 100 for code inter-frequency biases (-1: none).
    displacement : (3,)
        Station displacement of the epoch, ECEF m.
    el : (N,), optional
        Elevations, rad (ambiguity resolution).
    mw, f1_hz, f2_hz : (N,), optional
        Bias-corrected Melbourne-Wuebbena combination (wide-lane cycles) and the carriers of the
        ionosphere-free pair (ambiguity resolution).
    ar_ok : (N,) bool, optional
        Satellites whose ambiguities may be fixed (phase biases known, not GLONASS).
    """

    sat: np.ndarray
    group: np.ndarray
    omega: np.ndarray
    sat_pos: np.ndarray
    code_m: np.ndarray
    phase_m: np.ndarray
    var_code_m2: np.ndarray
    var_phase_m2: np.ndarray
    arc: np.ndarray
    mu: np.ndarray
    range_corr_m: np.ndarray
    wet_map: np.ndarray
    grad_n: np.ndarray
    grad_e: np.ndarray
    ifb_key: np.ndarray
    displacement: np.ndarray
    el: np.ndarray | None = None
    mw: np.ndarray | None = None
    f1_hz: np.ndarray | None = None
    f2_hz: np.ndarray | None = None
    ar_ok: np.ndarray | None = None


@dataclass(frozen=True)
class EpochOutput:
    """What one filter step produced.

    Attributes
    ----------
    ok : bool
    pos : (3,) marker position, m; cov : (3, 3)
    clocks : dict group name -> clock, m
    ztd_corr_m, grad : float, (2,)
        Wet zenith delay correction and gradients (N, E), m.
    n_used : (N,) int
        Measurements kept per satellite (0: satellite not used).
    residuals : dict
        Post-fit ``code`` and ``phase`` residuals (N, K), m (NaN without a measurement), and
        ``code_used`` / ``phase_used`` (N, K): False where the w-test rejected the measurement.
    n_rejected : int
    """

    ok: bool
    pos: np.ndarray
    cov: np.ndarray
    clocks: dict
    ztd_corr_m: float
    grad: np.ndarray
    n_used: np.ndarray
    residuals: dict = field(default_factory=dict)
    n_rejected: int = 0
    ztd_var_m2: float = np.nan
    fixed_pos: np.ndarray | None = None
    fixed_cov: np.ndarray | None = None
    n_wl_fixed: int = 0
    n_nl_fixed: int = 0


_COLS = 16  # observation columns per satellite at most: cell keys are sat * 16 + column
_N_SAT = 1024


class _Keyed:
    """States of one kind addressed by integer keys, with their filter columns, arcs and last epochs."""

    def __init__(self, name_of, n_keys: int):
        self._name_of = name_of
        self._names: dict[int, str] = {}
        self.col = np.full(n_keys, -1, np.int64)
        self.arc = np.full(n_keys, -2, np.int64)
        self.seen = np.zeros(n_keys, np.int64)

    def name_of(self, key: int) -> str:
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._name_of(key)
        return name

    def refresh(self, layout) -> None:
        keys = np.flatnonzero(self.col >= 0)
        self.col[keys] = [layout.index(self.name_of(int(k))) for k in keys]

    def stale(self, t_ns: int, max_age_s: float) -> np.ndarray:
        keys = np.flatnonzero(self.col >= 0)
        return keys[np.abs(t_ns - self.seen[keys]) * 1e-9 > max_age_s]


def _cell_name(prefix):
    return lambda k: f"{prefix}:{sat_id(k // _COLS)}:{k % _COLS}"


class PppFilter:
    """Sequential PPP estimator (module docstring).

    Parameters
    ----------
    groups : sequence of str
        Clock-group names (``"G"``, ``"C2"``, ``"C3"``, ``"Gb"``...), indexed by :attr:`EpochObs.group`.
    x0 : (3,) a priori position, m
    options : PppFilterOptions
    """

    def __init__(self, groups, x0, options: PppFilterOptions):
        self.groups = list(groups)
        self.opt = options
        self.state = FilterState.empty()
        blocks = [Block("pos", 3), Block("ztd")]
        x = [*np.asarray(x0, float), 0.0]
        var = [options.sigma_pos0_m**2] * 3 + [options.sigma_ztd0_m**2]
        if options.gradients:
            blocks.append(Block("grad", 2))
            x += [0.0, 0.0]
            var += [options.sigma_grad0_m**2] * 2
        self.state.add(blocks, x, var)
        self.clk = _Keyed(lambda g: f"clk:{self.groups[g]}", len(self.groups))
        self.amb = _Keyed(_cell_name("amb"), _N_SAT * _COLS)
        self.ion = _Keyed(lambda k: f"ion:{sat_id(k)}", _N_SAT)
        self.ifb = _Keyed(lambda k: f"ifb:R{k - 100:+d}", 256)
        self.cb = _Keyed(_cell_name("cb"), _N_SAT * _COLS)
        self.restart = np.zeros(_N_SAT * _COLS, bool)
        self.wl = WideLaneStats(_N_SAT * _COLS)
        self.t_prev: int | None = None
        self._fresh = np.zeros(0, np.int64)

    def _kinds(self):
        return (self.clk, self.amb, self.ion, self.ifb, self.cb)

    # -- time update and state maintenance
    def _time_update(self, t_ns: int) -> None:
        st, opt = self.state, self.opt
        # the backward pass runs with time decreasing: process noise grows with |dt| either way
        dt = 0.0 if self.t_prev is None else abs(t_ns - self.t_prev) * 1e-9
        pos = np.arange(3)
        if opt.kinematic and self.t_prev is not None:
            if opt.q_pos_m2_s is None:
                st.reset(pos, st.x[pos], opt.kinematic_sigma_m**2)
            else:
                st.add_noise(pos, opt.q_pos_m2_s * dt)
        st.add_noise([3], opt.q_ztd_m2_s * dt)
        if opt.gradients:
            st.add_noise([4, 5], opt.q_grad_m2_s * dt)
        ions = self.ion.col[self.ion.col >= 0]
        if ions.size:
            st.add_noise(ions, opt.q_ion_m2_s * dt)
        self.t_prev = t_ns

    def _maintain(self, t_ns: int, eo: EpochObs, iono_x0) -> None:
        """Add, reset and drop arc-long states (ambiguities, ionosphere, biases), vectorised by keys."""
        st, opt = self.state, self.opt
        k = eo.phase_m.shape[1]
        add = []  # (kind, keys, x0, var0)
        groups = np.unique(eo.group)
        add.append((self.clk, groups[self.clk.col[groups] < 0], 0.0, opt.sigma_clk0_m**2))
        i, j = np.nonzero((eo.arc >= 0) & np.isfinite(eo.phase_m))
        keys = eo.sat[i].astype(np.int64) * _COLS + j
        arcs = eo.arc[i, j]
        absent = self.amb.col[keys] < 0
        changed = ~absent & ((self.amb.arc[keys] != arcs) | self.restart[keys])
        self.amb.arc[keys], self.amb.seen[keys] = arcs, t_ns
        self.restart[:] = False
        add.append((self.amb, keys[absent], 0.0, opt.sigma_amb0_m**2))
        iono = np.isfinite(eo.mu[:, 0])
        s_ion = eo.sat[iono].astype(np.int64)
        self.ion.seen[s_ion] = t_ns
        new_ion = self.ion.col[s_ion] < 0
        add.append((self.ion, s_ion[new_ion], np.asarray(iono_x0)[iono][new_ion], opt.sigma_ion0_m**2))
        if opt.glonass_ifb:
            f = np.unique(eo.ifb_key[eo.ifb_key >= 0])
            add.append((self.ifb, f[self.ifb.col[f] < 0], 0.0, opt.sigma_ifb0_m**2))
        if k > 2:
            ci, cj = np.nonzero(np.isfinite(eo.code_m[:, 2:]))
            cb_keys = eo.sat[ci].astype(np.int64) * _COLS + cj + 2
            self.cb.seen[cb_keys] = t_ns
            add.append((self.cb, cb_keys[self.cb.col[cb_keys] < 0], 0.0, opt.sigma_cb0_m**2))
        dirty = self._apply(add, t_ns)
        if dirty:
            for kind in self._kinds():
                kind.refresh(st.layout)
        self._fresh = np.concatenate([keys[absent], keys[changed]])

    def _apply(self, add, t_ns: int) -> bool:
        """Add new blocks and drop stale ones; True when the layout changed."""
        st, opt = self.state, self.opt
        blocks, x0, var0 = [], [], []
        for kind, keys, x, v in add:
            if keys.size == 0:
                continue
            blocks += [Block(kind.name_of(int(key))) for key in keys]
            x0.append(np.broadcast_to(np.asarray(x, float), keys.shape))
            var0.append(np.full(keys.size, v))
            kind.col[keys] = 0  # placeholder until refresh
        drop = []
        for kind in (self.amb, self.ion, self.cb):
            old = kind.stale(t_ns, opt.max_outage_s)
            drop += [kind.name_of(int(key)) for key in old]
            kind.col[old] = -1
            kind.arc[old] = -2
        if blocks:
            st.add(blocks, np.concatenate(x0), np.concatenate(var0))
        if drop:
            st.drop(drop)
        return bool(blocks or drop)

    # -- measurement model
    def _geometry(self, eo: EpochObs, pos):
        """Range with Sagnac, and unit vectors receiver -> satellite, at marker position ``pos``."""
        rr = pos + eo.displacement
        d = eo.sat_pos - rr
        geo = np.sqrt(np.einsum("ij,ij->i", d, d))
        sagnac = eo.omega * (eo.sat_pos[:, 0] * rr[1] - eo.sat_pos[:, 1] * rr[0]) / C_LIGHT
        return geo + sagnac, d / geo[:, None]

    def _columns(self, eo: EpochObs):
        """Filter columns per satellite (clock, ionosphere, IFB) and per cell (ambiguity, code bias)."""
        n, k = eo.phase_m.shape
        keys = eo.sat.astype(np.int64)[:, None] * _COLS + np.arange(k)
        amb = np.where(eo.arc >= 0, self.amb.col[keys], -1)
        cb = self.cb.col[keys] if k > 2 else np.full((n, k), -1, np.int64)
        ifb = (
            np.where(eo.ifb_key >= 0, self.ifb.col[np.maximum(eo.ifb_key, 0)], -1)
            if self.opt.glonass_ifb
            else np.full(n, -1)
        )
        return self.clk.col[eo.group], self.ion.col[eo.sat.astype(np.int64)], ifb, amb, cb

    def _design(self, eo: EpochObs, cols, pos_lin, start_clocks: bool):
        """Design matrix, innovations and variances of every code and phase measurement of the epoch; with
        ``start_clocks`` the clocks are first re-initialised at the median code residual of their group."""
        st = self.state
        x = st.x
        clk, ion, ifb, amb, cb = cols
        rho, e = self._geometry(eo, pos_lin)
        base = rho - e @ (x[:3] - pos_lin) + eo.range_corr_m + eo.wet_map * x[3]
        if self.opt.gradients:
            base = base + eo.grad_n * x[4] + eo.grad_e * x[5]
        ion_x = np.where(ion >= 0, x[np.maximum(ion, 0)], 0.0)
        mu = np.nan_to_num(eo.mu)
        r_c, c_c = np.nonzero(np.isfinite(eo.code_m))
        r_p, c_p = np.nonzero(np.isfinite(eo.phase_m) & (amb >= 0))
        m_c = r_c.size
        rows = np.concatenate([r_c, r_p])
        kcol = np.concatenate([c_c, c_p])
        sign = np.ones(rows.size)
        sign[m_c:] = -1.0
        mu_m = sign * mu[rows, kcol]
        pred = base[rows] + mu_m * ion_x[rows]
        a = amb[r_p, c_p]
        pred[m_c:] += x[a]
        f = ifb[r_c]
        b = cb[r_c, c_c]
        pred[:m_c] += np.where(f >= 0, x[np.maximum(f, 0)], 0.0) + np.where(b >= 0, x[np.maximum(b, 0)], 0.0)
        v = np.concatenate([eo.code_m[r_c, c_c], eo.phase_m[r_p, c_p]]) - pred
        c_rows = clk[rows]
        if start_clocks:
            first = np.zeros(rows.size, bool)
            first[:m_c] = c_c == 0
            med = group_median(v[first], c_rows[first])
            cols_present = np.unique(c_rows)
            value = med[cols_present] if med.size else np.zeros(0)
            value = (
                np.where(np.isfinite(value), value, x[cols_present])
                if value.size == cols_present.size
                else x[cols_present]
            )
            st.reset(cols_present, value, self.opt.sigma_clk0_m**2)
        v = v - x[c_rows]
        H = np.zeros((rows.size, st.size))
        m = np.arange(rows.size)
        H[:, 0:3] = -e[rows]
        H[m, c_rows] = 1.0
        H[:, 3] = eo.wet_map[rows]
        if self.opt.gradients:
            H[:, 4] = eo.grad_n[rows]
            H[:, 5] = eo.grad_e[rows]
        io = ion[rows] >= 0
        H[m[io], ion[rows][io]] = mu_m[io]
        H[m[m_c:], a] = 1.0
        for extra in (f, b):
            use = np.flatnonzero(extra >= 0)
            H[use, extra[use]] = 1.0
        var = np.concatenate([eo.var_code_m2[r_c, c_c], eo.var_phase_m2[r_p, c_p]])
        is_phase = np.zeros(rows.size, bool)
        is_phase[m_c:] = True
        return H, v, var, rows, kcol, is_phase

    # -- one epoch
    def step(self, t_ns: int, eo: EpochObs, iono_x0=None) -> EpochOutput:
        """Process one epoch; returns the state after the update (``ok`` False if it could not update)."""
        st, opt = self.state, self.opt
        self._time_update(t_ns)
        self._maintain(t_ns, eo, np.zeros(eo.sat.size) if iono_x0 is None else iono_x0)
        cols = self._columns(eo)
        self._init_ambiguities(eo, cols)
        prior = st.copy()
        pos_lin = st.x[:3].copy()
        iterate = st.P[0, 0] + st.P[1, 1] + st.P[2, 2] > 300.0
        for _ in range(5 if iterate else 1):
            self.state = st = prior.copy()
            H, v, var, rows, kcol, is_phase = self._design(eo, cols, pos_lin, True)
            if v.size < 4:
                return self._output(False, eo, rows, kcol, is_phase, None, None)
            ru = robust_update(st.x, st.P, H, v, var, opt.outlier_w, opt.max_rejections)
            if ru.result is None:
                return self._output(False, eo, rows, kcol, is_phase, None, None)
            moved = np.linalg.norm(ru.result.x[:3] - pos_lin)
            pos_lin = ru.result.x[:3].copy()
            if moved < 0.01:
                break
        post = v - H @ (ru.result.x - st.x)
        st.x, st.P = ru.result.x, ru.result.P
        bad = ~ru.used & is_phase
        self.restart[eo.sat[rows[bad]].astype(np.int64) * _COLS + kcol[bad]] = True
        out = self._output(True, eo, rows, kcol, is_phase, ru.used, post)
        return self._resolve(eo, cols, out) if opt.ar is not None and eo.mw is not None else out

    def _resolve(self, eo: EpochObs, cols, out: EpochOutput) -> EpochOutput:
        """Wide-lane statistics, then fixing per clock group on a copy of the state (:mod:`.ppp_ar`)."""
        amb = cols[3][:, 0]
        use = np.flatnonzero(eo.ar_ok & (amb >= 0) & np.isfinite(eo.mw))
        keys = eo.sat[use].astype(np.int64) * _COLS
        self.wl.add(keys, eo.arc[use, 0], eo.mw[use])
        x, P = self.state.x, self.state.P
        n_wl = n_nl = 0
        for g in np.unique(eo.group[use]).tolist():
            r = use[eo.group[use] == g]
            mean, sigma, count = self.wl.mean_sigma(eo.sat[r].astype(np.int64) * _COLS)
            f1, f2 = float(eo.f1_hz[r[0]]), float(eo.f2_hz[r[0]])
            res = resolve(x, P, amb[r], mean, sigma, count, eo.el[r], f1, f2, self.opt.ar)
            n_wl += res.n_wl
            if res.x is not None:
                x, P, n_nl = res.x, res.P, n_nl + res.n_nl
        if n_nl == 0:
            return replace(out, n_wl_fixed=n_wl)
        return replace(
            out, fixed_pos=x[:3].copy(), fixed_cov=P[:3, :3].copy(), n_wl_fixed=n_wl, n_nl_fixed=n_nl
        )

    def _init_ambiguities(self, eo: EpochObs, cols) -> None:
        """New or restarted ambiguities start at phase minus code (plus twice the ionosphere in uncombined
        mode), so that their large initial variance is centred."""
        fresh = self._fresh
        if fresh.size == 0:
            return
        st = self.state
        ion = cols[1]
        row_of = np.full(_N_SAT, -1, np.int64)
        row_of[eo.sat.astype(np.int64)] = np.arange(eo.sat.size)
        i = row_of[fresh // _COLS]
        j = fresh % _COLS
        ok = i >= 0
        i, j, keys = i[ok], j[ok], fresh[ok]
        code = np.where(np.isfinite(eo.code_m[i, j]), eo.code_m[i, j], np.nanmean(eo.code_m[i], axis=1))
        value = eo.phase_m[i, j] - code
        has_ion = (ion[i] >= 0) & np.isfinite(eo.mu[i, j])
        value = value + np.where(has_ion, 2.0 * eo.mu[i, j] * st.x[np.maximum(ion[i], 0)], 0.0)
        for c, val in zip(self.amb.col[keys].tolist(), value.tolist(), strict=True):
            st.reset([c], val if np.isfinite(val) else 0.0, self.opt.sigma_amb0_m**2)

    def _output(self, ok, eo, rows, kcol, is_phase, used, post) -> EpochOutput:
        st = self.state
        n, k = eo.code_m.shape
        res = {"code": np.full((n, k), np.nan), "phase": np.full((n, k), np.nan)}
        res |= {"code_used": np.zeros((n, k), bool), "phase_used": np.zeros((n, k), bool)}
        n_used = np.zeros(n, np.int64)
        if ok:
            np.add.at(n_used, rows[used], 1)
            for kind, m in (("code", ~is_phase), ("phase", is_phase)):
                res[kind][rows[m], kcol[m]] = post[m]
                res[f"{kind}_used"][rows[m], kcol[m]] = used[m]
        present = np.unique(eo.group)
        clocks = {
            self.groups[g]: float(st.x[self.clk.col[g]]) for g in present.tolist() if self.clk.col[g] >= 0
        }
        g = st.x[4:6] if self.opt.gradients else np.zeros(2)
        return EpochOutput(
            ok,
            st.x[:3].copy(),
            st.P[:3, :3].copy(),
            clocks,
            float(st.x[3]),
            g.copy(),
            n_used,
            res,
            0 if used is None else int((~used).sum()),
            float(st.P[3, 3]),
        )
