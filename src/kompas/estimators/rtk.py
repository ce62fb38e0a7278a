"""RTK: a Kalman filter on double-differenced code and carrier phase with integer ambiguity resolution.

State (named blocks of :class:`~kompas.estimators.states.StateLayout`):

========================  =================================================================================
``pos``                   rover antenna reference point, ECEF m (kinematic: a new prior every epoch;
                          static: constant)
``ztd``                   relative zenith wet delay, rover minus base, m (when the baseline or the height
                          difference asks for it; random walk)
``ifb:R`` / ``ifb:R<b>``  GLONASS receiver inter-frequency phase bias, m per frequency channel
``cifb:R<b>``             GLONASS code inter-frequency bias per band, m per frequency channel
``ion:<sat>``             single-difference slant ionosphere at the reference frequency, m (baselines
                          beyond ~10 km; random walk; prior ``EpochInput.iono0``: the broadcast models'
                          rover-minus-base delay, :func:`kompas.rtk_run.iono_prior`, or 0)
``amb:<sat>:<band>...``   single-difference ambiguity of one arc, cycles of the cell's own wavelength
========================  =================================================================================

Measurements: double differences of code and phase (:mod:`kompas.estimators.rtk_model`,
:mod:`kompas.estimators.rtk_dd`) of every band both receivers track, with one reference satellite per
system, band and tracking-mode pair. BeiDou-2 and BeiDou-3 form one system.

GLONASS FDMA. Double differences are formed from single differences in metres, and each satellite keeps
its single-difference ambiguity in cycles of its own wavelength ``lambda_k``; the double difference
``lambda_i N_i - lambda_j N_j`` is then modelled exactly, without the approximation of one wavelength per
double difference (Leick 2004 sec. 7.2; Wang 2000). Between receivers of different makes the phases carry an
inter-frequency bias linear in the channel number ``k`` (Wanninger 2012, GPS Solutions 16:439-447;
Sleewaegen et al. 2012, Inside GNSS 7(1): a delay between the code and phase reference of the receiver,
equal on G1 and G2 in metres). It is one state ``b`` (m per channel), entering as ``k b``: ``common`` to
G1 and G2 (default) or one per band. A common offset of the single-difference ambiguities in cycles
produces ``(lambda_i - lambda_j) N`` -- again linear in ``k`` -- so the slope also absorbs it, and the
double-difference ambiguities ``N_i - N_j`` are integers (Tian, Ge & Neitzel 2015, J. Geodesy 89:1097).
With a slope per band, the slope is only determined modulo one cycle per channel; with the common slope
the period is ``9 lambda_G1 = 7 lambda_G2 = 1.68 m`` per channel, so the float solution constrains it well.
The prior of ``b`` is 0 with a few centimetres per channel of uncertainty, or, when the code-phase biases
of both receivers are known (``GLONASS COD/PHS/BIS`` of the RINEX headers, given, or the receiver make's
value), their difference scaled by ``delta f / f`` with millimetres of uncertainty
(:func:`kompas.rtk.ifb_prior`; RTKLIB-demo5's ``pos2-gloarmode=autocal`` estimates the same quantity).

Per epoch (:meth:`RtkFilter.step`): time update; arcs (new satellites get states, slipped ones are reset,
stale ones removed); iterated measurement update; post-fit residual screening (a slip or multipath the
preprocessing missed resets that arc, one arc at a time, then the epoch is updated again); ambiguity
resolution (:mod:`kompas.estimators.rtk_ar`: double differences, or, when no subset of them passes, the
best-determined decorrelated combinations, which fix-and-hold feeds back but which never make the epoch
fixed); fix-and-hold; a wrong-fix guard that resets every ambiguity
when many phase residuals (three and at least 30 % of the double differences) jump at once while
ambiguities are held: a few at a time are slips, many at a time mean the held integers are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..satsys import sat_id
from . import kalman
from .filter_state import w_statistics
from .rtk_ar import AmbiguitySet, ArResult, ReductionMemo, resolve
from .rtk_dd import choose_references, dd_operator
from .rtk_model import EpochInput, cell_variances, linearise
from .states import Block, StateLayout

__all__ = ["EpochInput", "EpochResult", "RtkFilter", "FilterSetup", "RELINEARISE_M", "MAX_RATIO"]

MAX_RATIO = 999.9
"""Largest ratio reported (RTKLIB 2.4.3 ``rtkpos.c``: the .pos column is ``%6.1f``); fixes of ambiguities
that need no search (:data:`~kompas.estimators.rtk_ar.SURE_SIGMA_CYC`) report it."""

MAX_REPAIRS = 6
"""Phase arcs reset (one per re-update) or code sets left out before an epoch is taken as it is."""

RELINEARISE_M = 0.5
"""The update is repeated at the new estimate while it moves the position by more than this: the
neglected second-order term of a range, ``d^2 / (2 rho)``, is then below 1e-8 m, and the troposphere
model's change with 0.5 m of height below 0.2 mm."""


@dataclass(frozen=True)
class FilterSetup:
    """What the recipe decided for this baseline (the options say what the user asked for).

    Attributes
    ----------
    static : bool
    iono : bool
        Estimate the slant ionosphere.
    ztd : bool
        Estimate the relative zenith delay.
    tropo : bool
        Apply Saastamoinen at both receivers.
    baseline_km : float
        Approximate baseline length (scales the ionosphere uncertainties).
    ifb_prior : float or None
        Calibrated GLONASS inter-frequency bias slope, m per channel (None: estimated from a prior of 0).
    max_gap_s : float
        States of satellites unseen for longer are removed.
    mapping : callable or None
        ``mapping(llh, el) -> m_wet`` (Niell) for ``ztd``.
    """

    static: bool = False
    iono: bool = False
    ztd: bool = False
    tropo: bool = True
    baseline_km: float = 0.0
    ifb_prior: float | None = None
    max_gap_s: float = 120.0
    mapping: object = None


@dataclass(frozen=True, eq=False)
class EpochResult:
    """Output of one filter step.

    Attributes
    ----------
    t_ns : int
    ok : bool
        A float solution exists.
    pos, cov : numpy.ndarray, shape (3,), (3, 3)
        Float antenna position and covariance, ECEF m, m^2.
    fixed : bool
    fix_pos, fix_cov : numpy.ndarray or None
        Fixed antenna position and covariance.
    ratio, success : float
        Ratio test value and bootstrapped success rate of the last integer search.
    n_fixed : dict[int, int]
        Fixed double-difference ambiguities per system code.
    n_sat : int
        Satellites with a phase double difference.
    n_sat_by_sys : dict[int, int]
    residuals : dict
        Post-fit double-difference residuals of the float update (the ones the outlier screening
        judges), phase then code: ``sat`` and ``ref`` (member and reference satellite), ``band``,
        ``kind`` (0 phase, 1 code), ``residual_m`` and ``elevation_rad`` (the member's, at the rover).
    event : str
        ``""`` or what the filter did beyond the ordinary (``"wrong fix reset"``).
    """

    t_ns: int
    ok: bool
    pos: np.ndarray
    cov: np.ndarray
    fixed: bool = False
    fix_pos: np.ndarray | None = None
    fix_cov: np.ndarray | None = None
    ratio: float = 0.0
    success: float = float("nan")
    n_fixed: dict = field(default_factory=dict)
    n_sat: int = 0
    n_sat_by_sys: dict = field(default_factory=dict)
    residuals: dict = field(default_factory=dict)
    event: str = ""


class RtkFilter:
    """The RTK Kalman filter of one baseline (module docstring). It keeps its state between epochs;
    :meth:`step` takes one :class:`EpochInput` at a time, in time order (forward or backward).

    Parameters
    ----------
    noise : RtkNoise
    ar : ArOptions
    glonass : GlonassOptions
    setup : FilterSetup
    """

    def __init__(self, noise, ar, glonass, setup: FilterSetup):
        self.noise, self.ar, self.glo, self.setup = noise, ar, glonass, setup
        blocks = [Block("pos", 3)] + ([Block("ztd")] if setup.ztd else [])
        self.layout = StateLayout(blocks)
        self.x = np.zeros(self.layout.size)
        self.P = np.zeros((self.layout.size, self.layout.size))
        self.index: dict[str, int] = {}
        self._reindex()
        self.arcs: dict[int, dict] = {}  # ambiguity key -> {"name", "lock", "last"}
        self.ion_last: dict[int, int] = {}  # satellite -> last epoch seen
        self.t_prev: int | None = None
        self.started = False
        self.fix_run = 0
        self.held = False
        self.lin_pos = None
        self.memo = ReductionMemo()  # LAMBDA reductions, warm starts for the next epoch's searches
        if setup.ztd:
            self.P[3, 3] = noise.ztd_m**2

    # -- state bookkeeping
    def _reindex(self) -> None:
        self.index = {b.name: self.layout.index(b.name) for b in self.layout.blocks}
        # the columns of each random walk, for _predict (the layout changes far less often than epochs)
        kinds = {"ion:": [], "amb:": [], "ifb": []}
        for name, c in self.index.items():
            if name.startswith(("ion:", "amb:")):
                kinds[name[:4]].append(c)
            elif name.startswith(("ifb:", "cifb:")):
                kinds["ifb"].append(c)
        self.walks = {k: np.array(v, dtype=np.int64) for k, v in kinds.items()}

    def _add(self, names, values, variances) -> None:
        if not names:
            return
        n0 = self.layout.size
        self.layout = self.layout.with_blocks([Block(nm) for nm in names])
        k = len(names)
        self.x = np.r_[self.x, np.asarray(values, float)]
        P = np.zeros((n0 + k, n0 + k))
        P[:n0, :n0] = self.P
        P[n0:, n0:] = np.diag(np.asarray(variances, float))
        self.P = P
        self._reindex()

    def _remove(self, names) -> None:
        if not names:
            return
        self.layout, cols = self.layout.without(names)
        self.x = self.x[cols]
        self.P = self.P[np.ix_(cols, cols)]
        self._reindex()

    def _reset(self, cols, values, variances) -> None:
        kalman.reinitialise(self.x, self.P, cols, values, variances)

    # -- time update
    def _predict(self, e: EpochInput) -> None:
        dt = 0.0 if self.t_prev is None else abs(e.t_ns - self.t_prev) * 1e-9
        # kinematic: a fresh prior every epoch, the single point solution when there is one (RTKLIB
        # udpos without dynamics), else the last estimate
        have_prior = bool(np.all(np.isfinite(e.prior_pos)))
        prior = e.prior_pos if have_prior else self.x[0:3]
        if not self.started:
            self._reset(np.arange(3), prior, self.noise.pos_m**2)
            self.started = have_prior
        elif not self.setup.static:
            self._reset(np.arange(3), prior, self.noise.pos_m**2)
        q = np.zeros(self.x.size)
        if self.setup.ztd:
            q[self.index["ztd"]] = self.noise.ztd_rw**2 * dt
        bl = max(self.setup.baseline_km / 10.0, 0.1)
        q[self.walks["ion:"]] = (self.noise.iono_rw * bl) ** 2 * dt
        q[self.walks["amb:"]] = self.noise.amb_rw**2 * dt
        q[self.walks["ifb"]] = self.glo.ifb_rw**2 * dt
        self.x, self.P = kalman.predict(self.x, self.P, Q=q)
        if self.ar.armode == "instantaneous":
            self._remove([a["name"] for a in self.arcs.values()])
            self.arcs.clear()
            self.held = False

    # -- arcs: add, reset, remove
    def _ifb_name(self, band: int) -> str:
        return "ifb:R" if self.glo.ifb == "common" else f"ifb:R{band}"

    def _arcs(self, e: EpochInput) -> None:
        t = e.t_ns
        stale = [k for k, a in self.arcs.items() if abs(t - a["last"]) > self.setup.max_gap_s * 1e9]
        self._remove([self.arcs.pop(k)["name"] for k in stale])
        if self.setup.iono:
            old = [s for s, last in self.ion_last.items() if abs(t - last) > self.setup.max_gap_s * 1e9]
            self._remove([f"ion:{s}" for s in old])
            for s in old:
                del self.ion_last[s]
            self._add_iono(e)
        if self.glo.ifb != "off" and e.fdma.any():
            want = sorted({self._ifb_name(int(b)) for b in e.band[e.fdma]} - set(self.index))
            cal = self.setup.ifb_prior is not None
            prior = self.setup.ifb_prior if cal else 0.0
            sigma = self.glo.calibrated_sigma_m if cal else self.glo.ifb_sigma_m
            self._add(want, [prior] * len(want), [sigma**2] * len(want))
        if self.glo.code_ifb and e.fdma.any():
            want = sorted({f"cifb:R{int(b)}" for b in e.band[e.fdma]} - set(self.index))
            self._add(want, [0.0] * len(want), [self.glo.code_ifb_sigma_m**2] * len(want))
        # an arc starts (or restarts after a slip) from phase minus code: a phase without a code continues
        # its arc, but cannot start one, and a slipped one ends there (RTKLIB leaves such a bias unset)
        have = np.isfinite(e.phase)
        usable = (have & np.isfinite(e.code)).tolist()
        keys = e.key.tolist()  # Python ints: the loops below ran on numpy scalars
        new_names, new_keys, reset, lost = [], [], [], []
        for i in np.flatnonzero(have).tolist():
            arc = self.arcs.get(keys[i])
            if arc is None:
                if usable[i]:
                    new_keys.append(i)
                    new_names.append(f"amb:{sat_id(int(e.sat[e.cs[i]]))}:{keys[i] & 0xFFFFF:x}")
            elif e.slip[i]:
                (reset if usable[i] else lost).append(i)
        self._end_arcs(e, lost)
        for i, name in zip(new_keys, new_names, strict=True):
            self.arcs[int(e.key[i])] = {"name": name, "lock": 0, "last": t}
        self._add(
            new_names, self._amb_init(e, np.array(new_keys, int)), [self.noise.amb_cyc**2] * len(new_keys)
        )
        if reset:
            ri = np.array(reset, int)
            cols = [self.index[self.arcs[int(e.key[i])]["name"]] for i in ri]
            self._reset(cols, self._amb_init(e, ri), self.noise.amb_cyc**2)
            for i in ri:
                self.arcs[int(e.key[i])]["lock"] = 0
        for i in np.flatnonzero(have).tolist():
            a = self.arcs.get(keys[i])
            if a is not None:
                a["last"] = t
                a["lock"] += 1

    def _end_arcs(self, e: EpochInput, cells) -> None:
        """Remove the arcs of ``cells`` and their ambiguity states (their phases are left out until an
        arc starts again)."""
        self._remove([self.arcs.pop(int(e.key[i]))["name"] for i in cells])

    def _add_iono(self, e: EpochInput) -> None:
        names, vals = [], []
        for j, s in enumerate(e.sat.tolist()):
            if s not in self.ion_last:
                names.append(f"ion:{s}")
                vals.append(e.iono0[j])
            self.ion_last[s] = e.t_ns
        var = (self.noise.iono_m_per_10km * max(self.setup.baseline_km / 10.0, 0.1)) ** 2
        self._add(names, vals, [var] * len(names))

    def _amb_init(self, e: EpochInput, cells) -> np.ndarray:
        """Single-difference ambiguity from phase minus code (plus twice the ionosphere), cycles."""
        if cells.size == 0:
            return np.zeros(0)
        iono = np.zeros(cells.size)
        if self.setup.iono:
            iono = np.array([self.x[self.index[f"ion:{int(e.sat[e.cs[i]])}"]] for i in cells])
        return (e.phase[cells] - e.code[cells] + 2.0 * e.mu[cells] * iono) / e.lam[cells]

    def _columns(self, e: EpochInput) -> dict:
        n = e.cs.size
        amb = np.full(n, -1, dtype=np.int64)
        for i, (key, have) in enumerate(zip(e.key.tolist(), np.isfinite(e.phase).tolist(), strict=True)):
            arc = self.arcs.get(key)
            if arc is not None and have:
                amb[i] = self.index[arc["name"]]
        ion = np.full(n, -1, dtype=np.int64)
        if self.setup.iono:
            per_sat = np.array([self.index.get(f"ion:{s}", -1) for s in e.sat.tolist()], dtype=np.int64)
            ion = per_sat[e.cs]
        ifb = np.full(n, -1, dtype=np.int64)
        cifb = np.full(n, -1, dtype=np.int64)
        for i in np.flatnonzero(e.fdma):
            if self.glo.ifb != "off":
                ifb[i] = self.index.get(self._ifb_name(int(e.band[i])), -1)
            cifb[i] = self.index.get(f"cifb:R{int(e.band[i])}", -1)
        return {"amb": amb, "ion": ion, "ifb": ifb, "cifb": cifb, "ztd": self.index.get("ztd")}

    # -- one epoch
    def step(self, e: EpochInput) -> EpochResult:
        """Process one epoch; see the module docstring."""
        self._predict(e)
        if not self.started:
            return self._no_solution(e)
        self._arcs(e)
        self.t_prev = e.t_ns
        if e.cs.size == 0:
            return self._no_solution(e)
        var_c, var_p = (
            e.var if e.var is not None else cell_variances(e, self.noise, 1e3 * self.setup.baseline_km)
        )
        drop_code = np.zeros(e.cs.size, bool)
        event = ""
        for attempt in range(MAX_REPAIRS + 1):
            cols = self._columns(e)
            dd = self._design(e, cols, drop_code)
            if dd is None:
                return self._no_solution(e)
            R = _dd_covariance(dd, var_c, var_p)  # one per design: every linearisation shares it
            x0, P0 = self.x, self.P
            lin = self._update(e, cols, dd, R)
            post = _post_fit(e, dd, lin)
            culprit, n_bad, bad_c = self._outliers(e, dd, lin, post, R, (x0, P0))
            if attempt == MAX_REPAIRS or (culprit < 0 and not bad_c.any()):
                break
            self.x, self.P = x0, P0  # undo, then repair and update again
            if self.held and self.ar.wrong_fix_guard and n_bad >= max(3, 0.3 * len(dd[0])):
                self._reset_all_ambiguities(e)
                event = "wrong fix reset"
            elif culprit >= 0:
                self._reset_cells(e, np.array([culprit]))
            drop_code |= bad_c
            self._forget_code_start(e, bad_c)
        return self._after_update(e, cols, dd, lin, post, event)

    def _no_solution(self, e: EpochInput) -> EpochResult:
        self.fix_run = 0
        return EpochResult(e.t_ns, False, np.full(3, np.nan), np.full((3, 3), np.nan))

    def _design(self, e: EpochInput, cols, drop_code):
        """Reference cells and differencing operators for phase and code (None without enough)."""
        has_p = cols["amb"] >= 0
        has_c = np.isfinite(e.code) & ~drop_code
        score = e.el[e.cs] - 10.0 * e.slip  # a slipped cell makes a poor reference
        ref_p = choose_references(e.group, has_p, score)
        ref_c = choose_references(e.group, has_c, score)
        n = e.cs.size
        dp, dc = dd_operator(ref_p, n), dd_operator(ref_c, n)
        if len(dc) < 3:
            return None
        return dp, dc

    @staticmethod
    def _system(e, dd, lin, x_lin, x0):
        """Double-difference design ``H`` and innovations ``v = z - h(x_lin) - H (x0 - x_lin)``, ``lin``
        the model at ``x_lin``."""
        dp, dc = dd
        dx = x0 - x_lin
        zp, zc = _nan_to_num(e.phase - lin.hp), _nan_to_num(e.code - lin.hc)
        v = np.concatenate((dp.D @ (zp - lin.Hp @ dx), dc.D @ (zc - lin.Hc @ dx)))
        H = np.vstack([dp.D @ lin.Hp, dc.D @ lin.Hc])
        return H, v

    def _outliers(self, e, dd, lin, post, R, prior):
        """Post-fit residual screening: detection per double difference, identification by data snooping.

        Detection: a phase double difference is outlying when its residual exceeds ``outlier_sigma`` of
        its own noise and ``outlier_phase_m``, a code double difference when it exceeds ``outlier_sigma``
        of its noise. Identification (Baarda's data snooping, one single difference at a time): an error
        in cell ``j``'s phase (or code) enters the double differences along ``c_j``, the cell's column of
        the phase (code) differencing operator (every double difference of its group when ``j`` is the
        reference), and the one to blame is the hypothesis with the largest
        ``|w_j| = |c_j^T S^-1 v| / sqrt(c_j^T S^-1 c_j)``, ``v`` the innovations of the last
        linearisation and ``S = H P H^T + R`` their covariance under the prior ``(x0, P0)``
        (:func:`~kompas.estimators.filter_state.w_statistics`; Teunissen 2000, "Testing theory",
        sect. 4.2). Judging each post-fit double difference by itself instead blamed the reference
        whenever the update spread one large error over most of the group.

        ``lin`` is the model at the updated state, ``post`` its residuals (:func:`_post_fit`). Returns the
        phase cell to reset (-1 for none), the number of outlying phase double differences and the code
        cell to leave out of this epoch (a mask); one of the two at a time."""
        dp, dc = dd
        k = self.noise.outlier_sigma
        rp, rc = post
        sd = np.sqrt(np.diag(R))
        sp, sc = sd[: len(dp)], sd[len(dp) :]
        bad_p = (np.abs(rp) > k * sp) & (np.abs(rp) > self.noise.outlier_phase_m)
        bad_c = np.abs(rc) > k * sc
        culprit, drop = -1, np.zeros(e.cs.size, bool)
        if bad_p.any() or bad_c.any():
            x0, P0 = prior
            H, v = self._system(e, dd, lin, self.x, x0)
            n = e.cs.size
            C = np.zeros((len(dp) + len(dc), 2 * n))
            C[: len(dp), :n] = dp.D
            C[len(dp) :, n:] = dc.D
            w = np.abs(w_statistics(v, H @ P0 @ H.T + R, C))
            if not bad_p.any():
                w[:n] = np.nan  # only codes are outlying: blame a code
            j = int(np.argmax(np.nan_to_num(w, nan=-1.0)))
            if j < n:
                culprit = j
            else:
                drop[j - n] = True
        return culprit, int(bad_p.sum()), drop

    def _reset_cells(self, e, cells) -> None:
        """Restart the arcs of ``cells`` from phase minus code; those without a code end (:meth:`_arcs`)."""
        cells = np.asarray(cells, dtype=np.int64)
        ok = np.array([int(e.key[i]) in self.arcs for i in cells], bool)
        cells = cells[ok] if cells.size else cells
        coded = np.isfinite(e.code[cells])
        self._end_arcs(e, cells[~coded])
        cells = cells[coded]
        cols = [self.index[self.arcs[int(e.key[i])]["name"]] for i in cells]
        self._reset(cols, self._amb_init(e, cells), self.noise.amb_cyc**2)
        for i in cells:
            self.arcs[int(e.key[i])]["lock"] = 0

    def _forget_code_start(self, e, dropped) -> None:
        """An arc started this epoch took its ambiguity from phase minus a code now found outlying: keep
        the value but make it uninformative (a hundred times ``amb_cyc``), so that the bad code does not
        reach the position through it."""
        cells = [i for i in np.flatnonzero(dropped) if self.arcs.get(int(e.key[i]), {}).get("lock") == 1]
        if cells:
            cols = [self.index[self.arcs[int(e.key[i])]["name"]] for i in cells]
            self._reset(cols, self.x[cols], (100.0 * self.noise.amb_cyc) ** 2)

    def _reset_all_ambiguities(self, e) -> None:
        present = {int(k): i for i, k in enumerate(e.key.tolist()) if np.isfinite(e.phase[i])}
        drop = [a["name"] for k, a in self.arcs.items() if k not in present]
        self._remove(drop)
        self.arcs = {k: a for k, a in self.arcs.items() if k in present}
        self._reset_cells(e, np.array([present[k] for k in self.arcs], dtype=np.int64))
        self.held = False
        self.fix_run = 0

    def _update(self, e, cols, dd, R):
        """Iterated measurement update, linearised first at the last estimate of the position and again
        while the update moves it by more than :data:`RELINEARISE_M`."""
        x0, P0 = self.x, self.P
        x_lin = x0.copy()
        if self.lin_pos is not None:
            x_lin[0:3] = self.lin_pos
        for _ in range(4):
            lin = linearise(e, x_lin, cols, self.setup.tropo, self.setup.mapping)
            H, v = self._system(e, dd, lin, x_lin, x0)
            upd = kalman.update(x0, P0, H, v, R)
            moved = np.linalg.norm(upd.x[0:3] - x_lin[0:3])
            x_lin = upd.x
            if moved < RELINEARISE_M:
                break
        self.x, self.P = upd.x, upd.P
        self.lin_pos = self.x[0:3].copy()
        return linearise(e, self.x, cols, self.setup.tropo, self.setup.mapping)

    def _after_update(self, e, cols, dd, lin, post, event) -> EpochResult:
        dp = dd[0]
        sys_cell = e.sys[e.cs]
        in_p = np.zeros(e.cs.size, bool)
        in_p[dp.cell], in_p[dp.ref] = True, True
        sats_p = np.unique(e.cs[in_p])
        by_sys = _counts(e.sys[sats_p])
        resid = _dd_residuals(e, dd, lin, post)
        out = dict(
            t_ns=e.t_ns, ok=True, pos=self.x[0:3].copy(), cov=self.P[0:3, 0:3].copy(),
            n_sat=int(sats_p.size), n_sat_by_sys=by_sys, residuals=resid, event=event,
        )  # fmt: skip
        if self.ar.armode == "off":
            return EpochResult(**out)
        ar = self._resolve(e, cols, dp, lin, sys_cell)
        out.update(ratio=float(min(_nan_to_num(np.array([ar.ratio]))[0], MAX_RATIO)), success=ar.success)
        if not ar.fixed:
            self.fix_run = 0
            return EpochResult(**out)
        self.fix_run += 1
        n_fixed = _counts(ar.sys)
        if self.ar.armode == "fix-and-hold" and self.fix_run >= self.ar.hold_after:
            self._hold(ar)
        # decorrelated combinations only prepare a fix (held above); the epoch is fixed when double
        # differences are, and give a centimetre position
        if ar.combos is not None or not _precise(ar.P[0:3, 0:3], self.x[0:3], self.ar.max_fix_sigma_m):
            return EpochResult(**out)
        return EpochResult(
            **out, fixed=True, fix_pos=ar.x[0:3].copy(), fix_cov=ar.P[0:3, 0:3].copy(), n_fixed=n_fixed
        )

    def _resolve(self, e, cols, dp, lin, sys_cell) -> ArResult:
        amb = cols["amb"]
        keys, has = e.key.tolist(), (amb >= 0).tolist()
        lock = np.array([self.arcs[k]["lock"] if h else 0 for k, h in zip(keys, has, strict=True)])
        el = lin.el_r[e.cs]
        cand = (amb >= 0) & (el >= np.radians(self.ar.fix_elmask_deg)) & (lock > self.ar.min_lock)
        if not self.ar.glonass:
            cand &= ~e.fdma
        used = np.zeros(e.cs.size, bool)
        used[dp.cell], used[dp.ref] = True, True
        cand &= used
        idx = np.flatnonzero(cand)
        aset = AmbiguitySet(amb[idx], e.group[idx], el[idx], sys_cell[idx], e.sat[e.cs[idx]].astype(np.int64))
        self.memo.next_epoch()
        return resolve(self.x, self.P, aset, self.ar, self.memo)

    def _hold(self, ar: ArResult) -> None:
        """Fix-and-hold: the fixed double differences (or decorrelated combinations of them) as
        pseudo-measurements (RTKLIB ``holdamb``)."""
        H, z = ar.constraints(self.x.size)
        upd = kalman.update(self.x, self.P, H, z - H @ self.x, np.full(z.size, self.ar.hold_var_cyc2))
        self.x, self.P = upd.x, upd.P
        self.held = True


_FMAX = np.finfo(float).max


def _counts(codes) -> dict[int, int]:
    """Occurrences of each system code, in ascending order of the codes (as ``np.unique`` lists them)."""
    out: dict[int, int] = {}
    for c in sorted(codes.tolist()):
        out[c] = out.get(c, 0) + 1
    return out


def _nan_to_num(x) -> np.ndarray:
    """``np.nan_to_num`` of a float array (NaN -> 0, +-inf -> +-largest float) in three ufuncs instead of
    its dozen calls: it ran five times an epoch."""
    return np.where(np.isnan(x), 0.0, np.minimum(np.maximum(x, -_FMAX), _FMAX))


def _dd_covariance(dd, var_c, var_p) -> np.ndarray:
    """Covariance of the phase then code double differences (block diagonal), m^2."""
    dp, dc = dd
    R = np.zeros((len(dp) + len(dc), len(dp) + len(dc)))
    R[: len(dp), : len(dp)] = dp.covariance(var_p)
    R[len(dp) :, len(dp) :] = dc.covariance(var_c)
    return R


def _post_fit(e, dd, lin) -> tuple[np.ndarray, np.ndarray]:
    """Phase and code double-difference residuals of the model ``lin``, m (screened and reported)."""
    dp, dc = dd
    return dp.D @ _nan_to_num(e.phase - lin.hp), dc.D @ _nan_to_num(e.code - lin.hc)


def _dd_residuals(e, dd, lin, post) -> dict:
    """Post-fit double-difference residuals of the float update, phase then code (:class:`EpochResult`);
    ``post`` their values (:func:`_post_fit`)."""
    dp, dc = dd
    # np.concatenate, not np.r_: the same arrays for a tenth of the time
    cell = np.concatenate((dp.cell, dc.cell)).astype(np.int64)
    ref = np.concatenate((dp.ref, dc.ref)).astype(np.int64)
    return {
        "sat": e.sat[e.cs[cell]],
        "ref": e.sat[e.cs[ref]],
        "band": e.band[cell],
        "kind": np.concatenate((np.zeros(len(dp), np.uint8), np.ones(len(dc), np.uint8))),
        "residual_m": np.concatenate(post),
        "elevation_rad": lin.el_r[e.cs[cell]],
    }


def _precise(cov, pos, max_sigma_m: float) -> bool:
    """The position covariance is at the centimetre level: horizontal standard deviation at most
    ``max_sigma_m``, vertical at most twice that."""
    from ..frames import enu_rotation_point, geodetic_point

    rot = enu_rotation_point(*geodetic_point(pos)[:2])
    c = rot @ cov @ rot.T
    return bool(c[0, 0] + c[1, 1] <= max_sigma_m**2 and c[2, 2] <= (2.0 * max_sigma_m) ** 2)
