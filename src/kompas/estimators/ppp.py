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

from dataclasses import dataclass, field

import numpy as np

from ..constants import C_LIGHT
from .filter_state import FilterState, robust_update
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
        Post-fit ``code`` and ``phase`` residuals (N, K), m (NaN where not used).
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
        self.arc_of: dict[str, int] = {}
        self.last_seen: dict[str, int] = {}
        self.t_prev: int | None = None
        self.restart: set[str] = set()

    # -- time update and state maintenance
    def _time_update(self, t_ns: int) -> None:
        st, opt = self.state, self.opt
        dt = 0.0 if self.t_prev is None else (t_ns - self.t_prev) * 1e-9
        pos = np.arange(3)
        if opt.kinematic and self.t_prev is not None:
            if opt.q_pos_m2_s is None:
                st.reset(pos, st.x[pos], opt.kinematic_sigma_m**2)
            else:
                st.add_noise(pos, opt.q_pos_m2_s * dt)
        st.add_noise([st.col("ztd")], opt.q_ztd_m2_s * dt)
        if opt.gradients:
            g = st.layout["grad"]
            st.add_noise(np.arange(g.start, g.stop), opt.q_grad_m2_s * dt)
        ions = [n for n in st.layout.matching("ion:")]
        if ions:
            st.add_noise(st.cols(ions), opt.q_ion_m2_s * dt)
        self.t_prev = t_ns

    def _maintain(self, t_ns: int, eo: EpochObs, iono_x0) -> None:
        """Add, reset and drop arc-long states (ambiguities, ionosphere, biases)."""
        st, opt = self.state, self.opt
        n, k = eo.phase_m.shape
        add_b, add_x, add_v, reset = [], [], [], []
        for i in range(n):
            s = int(eo.sat[i])
            if np.isfinite(eo.mu[i, 0]):
                name = f"ion:{s}"
                self.last_seen[name] = t_ns
                if name not in st:
                    add_b.append(Block(name)), add_x.append(iono_x0[i]), add_v.append(opt.sigma_ion0_m**2)
            if opt.glonass_ifb and eo.ifb_key[i] >= 0 and (name := f"ifb:{int(eo.ifb_key[i])}") not in st:
                add_b.append(Block(name)), add_x.append(0.0), add_v.append(opt.sigma_ifb0_m**2)
            for j in range(k):
                if j >= 2 and np.isfinite(eo.code_m[i, j]):
                    name = f"cb:{s}:{j}"
                    self.last_seen[name] = t_ns
                    if name not in st:
                        add_b.append(Block(name)), add_x.append(0.0), add_v.append(opt.sigma_cb0_m**2)
                if eo.arc[i, j] < 0 or not np.isfinite(eo.phase_m[i, j]):
                    continue
                name = f"amb:{s}:{j}"
                a = int(eo.arc[i, j])
                if name not in st:
                    add_b.append(Block(name)), add_x.append(0.0), add_v.append(opt.sigma_amb0_m**2)
                elif self.arc_of.get(name) != a or name in self.restart:
                    reset.append(name)
                self.arc_of[name] = a
                self.last_seen[name] = t_ns
        st.add(add_b, add_x, add_v)
        fresh = [b.name for b in add_b if b.name.startswith("amb:")] + reset
        self.restart.clear()
        stale = [nm for nm, t in self.last_seen.items() if (t_ns - t) * 1e-9 > opt.max_outage_s]
        drop = [nm for nm in stale if nm.startswith(("amb:", "ion:", "cb:"))]
        for nm in stale:
            self.last_seen.pop(nm, None)
            self.arc_of.pop(nm, None)
        if drop:
            st.drop(drop)
        self._fresh = fresh

    def _groups_present(self, eo: EpochObs) -> list[str]:
        st = self.state
        names = [f"clk:{self.groups[g]}" for g in np.unique(eo.group).tolist()]
        new = [nm for nm in names if nm not in st]
        st.add([Block(nm) for nm in new], np.zeros(len(new)), self.opt.sigma_clk0_m**2)
        return names

    # -- measurement model
    def _geometry(self, eo: EpochObs, pos):
        """Range with Sagnac, and unit vectors receiver -> satellite, at marker position ``pos``."""
        rr = pos + eo.displacement
        d = eo.sat_pos - rr
        geo = np.linalg.norm(d, axis=1)
        sagnac = eo.omega * (eo.sat_pos[:, 0] * rr[1] - eo.sat_pos[:, 1] * rr[0]) / C_LIGHT
        return geo + sagnac, d / geo[:, None]

    def _columns(self, eo: EpochObs):
        """State columns per satellite (clock, ionosphere, IFB) and per cell (ambiguity, code bias)."""
        st = self.state
        n, k = eo.phase_m.shape
        lay = st.layout
        clk = st.cols([f"clk:{self.groups[g]}" for g in eo.group.tolist()])
        ion = np.array(
            [lay.index(f"ion:{s}") if f"ion:{s}" in lay else -1 for s in eo.sat.tolist()], np.int64
        )
        ifb = np.array(
            [lay.index(f"ifb:{c}") if c >= 0 and f"ifb:{c}" in lay else -1 for c in eo.ifb_key.tolist()],
            np.int64,
        )
        amb = np.full((n, k), -1, np.int64)
        cb = np.full((n, k), -1, np.int64)
        for i, s in enumerate(eo.sat.tolist()):
            for j in range(k):
                if (nm := f"amb:{s}:{j}") in lay and eo.arc[i, j] >= 0:
                    amb[i, j] = lay.index(nm)
                if j >= 2 and (nm := f"cb:{s}:{j}") in lay:
                    cb[i, j] = lay.index(nm)
        return clk, ion, ifb, amb, cb

    def _design(self, eo: EpochObs, cols, pos_lin):
        """Design matrix, innovations and variances of every code and phase measurement of the epoch."""
        st = self.state
        x = st.x
        clk, ion, ifb, amb, cb = cols
        rho, e = self._geometry(eo, pos_lin)
        rho = rho - e @ (x[:3] - pos_lin)  # linearised at pos_lin, evaluated at the state's position
        common = rho + eo.range_corr_m + x[clk] + eo.wet_map * x[st.col("ztd")]
        grad = None
        if self.opt.gradients:
            g = st.col("grad")
            grad = g
            common = common + eo.grad_n * x[g] + eo.grad_e * x[g + 1]
        ion_x = np.where(ion >= 0, x[np.maximum(ion, 0)], 0.0)
        n, k = eo.code_m.shape
        mu = np.nan_to_num(eo.mu)
        code_ok = np.isfinite(eo.code_m)
        phase_ok = np.isfinite(eo.phase_m) & (amb >= 0)
        r_c, c_c = np.nonzero(code_ok)
        r_p, c_p = np.nonzero(phase_ok)
        m_c, m_p = r_c.size, r_p.size
        rows = np.r_[r_c, r_p]
        kcol = np.r_[c_c, c_p]
        is_phase = np.r_[np.zeros(m_c, bool), np.ones(m_p, bool)]
        sign = np.where(is_phase, -1.0, 1.0)
        H = np.zeros((m_c + m_p, st.size))
        m = np.arange(m_c + m_p)
        H[m, 0:3] = -e[rows]
        H[m, clk[rows]] = 1.0
        H[m, st.col("ztd")] = eo.wet_map[rows]
        if grad is not None:
            H[m, grad] = eo.grad_n[rows]
            H[m, grad + 1] = eo.grad_e[rows]
        has_ion = ion[rows] >= 0
        H[m[has_ion], ion[rows][has_ion]] = (sign * mu[rows, kcol])[has_ion]
        pred = common[rows] + sign * mu[rows, kcol] * ion_x[rows]
        a = np.r_[np.full(m_c, -1), amb[r_p, c_p]]
        H[m[m_c:], a[m_c:]] = 1.0
        pred[m_c:] += x[a[m_c:]]
        f = np.r_[ifb[r_c], np.full(m_p, -1)]
        b = np.r_[cb[r_c, c_c], np.full(m_p, -1)]
        for extra in (f, b):
            use = extra >= 0
            H[m[use], extra[use]] = 1.0
            pred[use] += x[extra[use]]
        obs = np.r_[eo.code_m[r_c, c_c], eo.phase_m[r_p, c_p]]
        var = np.r_[eo.var_code_m2[r_c, c_c], eo.var_phase_m2[r_p, c_p]]
        return H, obs - pred, var, rows, kcol, is_phase

    def _start_clocks(self, eo: EpochObs, cols, pos_lin) -> None:
        """Clocks re-initialised every epoch at the median code residual of their group (white noise)."""
        st = self.state
        clk = cols[0]
        save = st.x[clk].copy()
        st.x[clk] = 0.0
        H, v, _, rows, kcol, is_phase = self._design(eo, cols, pos_lin)
        st.x[clk] = save
        code = ~is_phase & (kcol == 0)
        for c in np.unique(clk):
            sel = code & (clk[rows] == c)
            value = float(np.median(v[sel])) if sel.any() else float(st.x[c])
            st.reset([c], value, self.opt.sigma_clk0_m**2)

    # -- one epoch
    def step(self, t_ns: int, eo: EpochObs, iono_x0=None) -> EpochOutput:
        """Process one epoch; returns the state after the update (``ok`` False if it could not update)."""
        st, opt = self.state, self.opt
        self._time_update(t_ns)
        self._groups_present(eo)
        self._maintain(t_ns, eo, np.zeros(eo.sat.size) if iono_x0 is None else iono_x0)
        cols = self._columns(eo)
        self._init_ambiguities(eo, cols)
        prior = st.copy()
        pos_lin = st.x[:3].copy()
        iterate = st.P[0, 0] + st.P[1, 1] + st.P[2, 2] > 300.0
        for _ in range(5 if iterate else 1):
            self.state = st = prior.copy()
            self._start_clocks(eo, cols, pos_lin)
            H, v, var, rows, kcol, is_phase = self._design(eo, cols, pos_lin)
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
        rejected = ~ru.used
        for r, kk in zip(rows[rejected & is_phase].tolist(), kcol[rejected & is_phase].tolist(), strict=True):
            self.restart.add(f"amb:{int(eo.sat[r])}:{kk}")
        return self._output(True, eo, rows, kcol, is_phase, ru.used, post)

    def _init_ambiguities(self, eo: EpochObs, cols) -> None:
        """New or restarted ambiguities start at phase minus code (plus twice the ionosphere in uncombined
        mode), so their large initial variance is centred."""
        st = self.state
        fresh = getattr(self, "_fresh", [])
        if not fresh:
            return
        ion = cols[1]
        index = {int(s): i for i, s in enumerate(eo.sat.tolist())}
        for name in fresh:
            _, s, j = name.split(":")
            i, j = index.get(int(s)), int(j)
            if i is None or not np.isfinite(eo.phase_m[i, j]):
                continue
            code = eo.code_m[i, j] if np.isfinite(eo.code_m[i, j]) else np.nanmean(eo.code_m[i])
            value = eo.phase_m[i, j] - code
            if ion[i] >= 0 and np.isfinite(eo.mu[i, j]):
                value += 2.0 * eo.mu[i, j] * st.x[ion[i]]
            st.reset([st.col(name)], value if np.isfinite(value) else 0.0, self.opt.sigma_amb0_m**2)

    def _output(self, ok, eo, rows, kcol, is_phase, used, post) -> EpochOutput:
        st = self.state
        n, k = eo.code_m.shape
        res = {"code": np.full((n, k), np.nan), "phase": np.full((n, k), np.nan)}
        n_used = np.zeros(n, np.int64)
        if ok:
            np.add.at(n_used, rows[used], 1)
            c = used & ~is_phase
            p = used & is_phase
            res["code"][rows[c], kcol[c]] = post[c]
            res["phase"][rows[p], kcol[p]] = post[p]
        clocks = {nm[4:]: float(st.x[st.col(nm)]) for nm in st.layout.matching("clk:")}
        g = st.x[st.col("grad") : st.col("grad") + 2] if self.opt.gradients else np.zeros(2)
        z = st.col("ztd")
        return EpochOutput(
            ok, st.x[:3].copy(), st.P[:3, :3].copy(), clocks, float(st.x[z]), g.copy(), n_used, res,
            0 if used is None else int((~used).sum()), float(st.P[z, z]),
        )  # fmt: skip
