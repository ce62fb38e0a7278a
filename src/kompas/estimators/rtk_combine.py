"""Forward-backward combination of two RTK passes (post-processing, RTKLIB 2.4.3 ``postpos.c combres``).

At each epoch the pass of better quality wins (FIX over FLOAT); with equal quality the two estimates are
combined with their covariances by :func:`kompas.estimators.smoother.combine` (the two-filter smoother,
Fraser & Potter 1969) and keep the forward pass's ratio and counts, as ``combres`` keeps ``solf``. Two
fixed solutions that disagree -- their difference beyond the 99.9 % chi-square bound of its covariance
and more than ``tol_m`` apart -- are degraded to FLOAT: one of the two fixed wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..solution import Quality
from .smoother import combine

__all__ = ["PassResult", "combine_passes"]

CHI2_3_999 = 16.266
"""Chi-square 99.9 % quantile with 3 degrees of freedom."""


@dataclass(eq=False)
class PassResult:
    """Per-epoch output of one filter pass (arrays over the epochs of the run)."""

    pos: np.ndarray
    cov: np.ndarray
    quality: np.ndarray
    ratio: np.ndarray
    nsat: np.ndarray
    nsat_by_sys: dict
    nfix_by_sys: dict
    notes: list = field(default_factory=list)
    residuals: list = field(default_factory=list)
    """``(epoch, EpochResult.residuals)`` of each solved epoch, in the pass's order."""

    @classmethod
    def empty(cls, n: int) -> PassResult:
        return cls(
            pos=np.full((n, 3), np.nan),
            cov=np.full((n, 3, 3), np.nan),
            quality=np.zeros(n, np.uint8),
            ratio=np.zeros(n),
            nsat=np.zeros(n, np.int64),
            nsat_by_sys={c: np.zeros(n, np.int64) for c in range(8)},
            nfix_by_sys={c: np.zeros(n, np.int64) for c in range(8)},
        )

    def store(self, k: int, res) -> None:
        """Keep one :class:`~kompas.estimators.rtk.EpochResult`."""
        if not res.ok:
            return
        if res.fixed:
            self.pos[k], self.cov[k], self.quality[k] = res.fix_pos, res.fix_cov, Quality.FIX
            for c, v in res.n_fixed.items():
                self.nfix_by_sys[c][k] = v
        else:
            self.pos[k], self.cov[k], self.quality[k] = res.pos, res.cov, Quality.FLOAT
        self.ratio[k] = res.ratio
        self.nsat[k] = res.n_sat
        if res.residuals:
            self.residuals.append((k, res.residuals))
        for c, v in res.n_sat_by_sys.items():
            self.nsat_by_sys[c][k] = v
        if res.event:
            self.notes.append(f"epoch {k}: {res.event}")


def _pick(dst: PassResult, src: PassResult, m) -> None:
    for name in ("pos", "cov", "quality", "ratio", "nsat"):
        getattr(dst, name)[m] = getattr(src, name)[m]
    for d in ("nsat_by_sys", "nfix_by_sys"):
        for c in getattr(dst, d):
            getattr(dst, d)[c][m] = getattr(src, d)[c][m]


def combine_passes(fwd: PassResult, bwd: PassResult, tol_m: float = 0.02) -> PassResult:
    """Combine a forward and a backward pass over the same epochs (module docstring)."""
    n = fwd.quality.size
    out = PassResult.empty(n)
    qf, qb = fwd.quality.astype(int), bwd.quality.astype(int)
    # RTKLIB's priority: the Q flag itself (fix 1 before float 2...), no solution (0) last, so a pass that
    # ranks strictly better has a solution
    rf, rb = (np.where(q == Quality.NONE, 9, q) for q in (qf, qb))
    only_f, only_b = rf < rb, rb < rf
    both = (qf != 0) & (qf == qb)
    _pick(out, fwd, only_f)
    _pick(out, bwd, only_b)
    if both.any():
        _pick(out, fwd, both)
        out.pos[both], out.cov[both] = combine(fwd.pos[both], fwd.cov[both], bwd.pos[both], bwd.cov[both])
        d = fwd.pos[both] - bwd.pos[both]
        s = np.linalg.solve(fwd.cov[both] + bwd.cov[both] + np.eye(3) * 1e-8, d[..., None])[..., 0]
        bad = (np.einsum("ei,ei->e", d, s) > CHI2_3_999) & (np.linalg.norm(d, axis=1) > tol_m)
        bad &= qf[both] == Quality.FIX
        idx = np.flatnonzero(both)[bad]
        out.quality[idx] = Quality.FLOAT
        for c in out.nfix_by_sys:
            out.nfix_by_sys[c][idx] = 0
    out.notes = fwd.notes + [f"backward {x}" for x in bwd.notes]
    out.residuals = fwd.residuals  # the filter's own post-fit residuals; the combination has none
    return out
