"""GLONASS FDMA broadcast ephemerides: state-vector propagation and satellite clock.

A GLONASS FDMA ephemeris is not a set of orbital elements but a PZ-90 state vector (position,
velocity and the luni-solar acceleration) at the instant t_b. The user integrates the equations of
motion from t_b to the time of interest with the ICD's simplified algorithm (ICD GLONASS FDMA
Edition 5.1, 2008, Appendix A.3.1.2): central field plus the J2 zonal term, written in the rotating
Earth-fixed frame (so the centrifugal and Coriolis terms appear), the broadcast luni-solar
accelerations held constant, and the classical 4th-order Runge-Kutta method. The ICD intends this
for |t - t_b| <= 15 min.

The functions here are pure and vectorised over rows (one row per query, each with its own record):
no file reading and no ephemeris selection. The broadcast product picks one record per query and
calls :func:`propagate` and :func:`clock`.

Constants (:mod:`kompas.constants`): GM = 3.9860044e14 m^3/s^2 and omega_e = 7.292115e-5 rad/s
(``GLONASS.gm``, ``GLONASS.omega_e``), J2 = 1.0826257e-3 (``GLONASS_J2``), a_e = 6378136 m
(``GLONASS_AE``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..constants import GLONASS, GLONASS_AE, GLONASS_J2
from ..errors import ConfigError

__all__ = ["propagate", "clock", "DEFAULT_STEP_S", "MAX_DT_S"]

DEFAULT_STEP_S = 60.0
"""Default largest Runge-Kutta step, s. Over the +-15 min validity interval RK4 with 60 s steps
agrees with 10 s steps to well below a millimetre (tested), so smaller steps buy nothing."""

MAX_DT_S = 86400.0
"""Largest |t - t_b| :func:`propagate` accepts, s. The ICD algorithm is meant for +-15 min; a day is
already far outside it, and larger values (usually a time-unit mistake) would only spin the loop."""

_GM = GLONASS.gm
_OMEGA = GLONASS.omega_e
_OMEGA2 = _OMEGA * _OMEGA
_J2_TERM = 1.5 * GLONASS_J2 * GLONASS_AE * GLONASS_AE  # (3/2) J2 a_e^2, m^2


def _derivative(s: np.ndarray, acc: np.ndarray, out: np.ndarray, t1, t2, t3) -> None:
    """Time derivative of the state ``s`` (6, N) = (x, y, z, vx, vy, vz) in the rotating PZ-90 frame.

    ICD GLONASS FDMA Ed. 5.1 App. A.3.1.2 (the equations are in :func:`propagate`); ``acc`` (3, N) is
    the broadcast luni-solar acceleration, m/s^2, held constant. Written into ``out`` (6, N) with the
    (N,) scratch rows ``t1, t2, t3``: in-place arithmetic saves about a third of the run time on long batches.
    """
    x, y, z = s[0], s[1], s[2]
    np.multiply(x, x, out=t1)
    np.multiply(y, y, out=t2)
    t1 += t2
    np.multiply(z, z, out=t2)  # t2 = z^2
    t1 += t2  # t1 = r^2
    np.divide(1.0, t1, out=t3)  # t3 = 1/r^2
    np.sqrt(t1, out=t1)
    np.divide(t3, t1, out=t1)
    t1 *= _GM  # t1 = g = GM/r^3
    t2 *= t3
    t2 *= 5.0  # t2 = 5 z^2/r^2
    t3 *= t1
    t3 *= _J2_TERM  # t3 = k = (3/2) J2 GM a_e^2 / r^5
    np.subtract(1.0, t2, out=t2)
    t2 *= t3  # t2 = k (1 - 5 z^2/r^2)
    t1 += t2  # t1 = g + k (1 - 5 z^2/r^2)
    t3 *= 2.0
    t3 += t1  # t3 = g + k (3 - 5 z^2/r^2)
    np.subtract(_OMEGA2, t1, out=t1)  # t1 = w^2 - g - k (1 - 5 z^2/r^2)
    out[:3] = s[3:]
    np.multiply(t1, x, out=out[3])
    out[3] += acc[0]
    out[3] += (2.0 * _OMEGA) * s[4]
    np.multiply(t1, y, out=out[4])
    out[4] += acc[1]
    out[4] -= (2.0 * _OMEGA) * s[3]
    np.multiply(t3, z, out=out[5])
    np.subtract(acc[2], out[5], out=out[5])


def _rk4(s: np.ndarray, acc: np.ndarray, h: np.ndarray, n_steps: int) -> np.ndarray:
    """``n_steps`` classical Runge-Kutta steps of per-row size ``h`` (N,) from ``s`` (6, N), in place."""
    n = s.shape[1]
    k = np.empty_like(s)
    stage = np.empty_like(s)
    incr = np.empty_like(s)
    t1, t2, t3 = np.empty(n), np.empty(n), np.empty(n)
    half = 0.5 * h
    sixth = h / 6.0
    for _ in range(n_steps):
        _derivative(s, acc, k, t1, t2, t3)  # k1
        incr[:] = k
        np.multiply(k, half, out=stage)
        stage += s
        _derivative(stage, acc, k, t1, t2, t3)  # k2
        incr += 2.0 * k
        np.multiply(k, half, out=stage)
        stage += s
        _derivative(stage, acc, k, t1, t2, t3)  # k3
        incr += 2.0 * k
        np.multiply(k, h, out=stage)
        stage += s
        _derivative(stage, acc, k, t1, t2, t3)  # k4
        incr += k
        incr *= sixth
        s += incr
    return s


def propagate(
    pos_m: np.ndarray,
    vel_mps: np.ndarray,
    acc_mps2: np.ndarray,
    dt_s: np.ndarray,
    max_step_s: float = DEFAULT_STEP_S,
) -> tuple[np.ndarray, np.ndarray]:
    """Propagate GLONASS broadcast state vectors from t_b by ``dt_s`` (ICD simplified algorithm).

    ICD GLONASS FDMA Edition 5.1 (2008), Appendix A.3.1.2, "simplified algorithm for re-calculation
    of ephemeris to current time". In the rotating PZ-90 frame, with r = |(x, y, z)|::

        dx/dt  = vx                 dy/dt  = vy                 dz/dt  = vz
        dvx/dt = -GM x / r^3 - (3/2) J2 GM a_e^2 x / r^5 (1 - 5 z^2/r^2) + w^2 x + 2 w vy + ax
        dvy/dt = -GM y / r^3 - (3/2) J2 GM a_e^2 y / r^5 (1 - 5 z^2/r^2) + w^2 y - 2 w vx + ay
        dvz/dt = -GM z / r^3 - (3/2) J2 GM a_e^2 z / r^5 (3 - 5 z^2/r^2)                 + az

    (the ICD writes the J2 term with C20 = -J2 and normalised variables; it is the same force).
    GM = 3.9860044e14 m^3/s^2, J2 = 1.0826257e-3, a_e = 6378136 m, w = 7.292115e-5 rad/s; (ax, ay, az)
    are the broadcast luni-solar accelerations, held constant over the interval as the simplified
    algorithm prescribes. The system is integrated with the classical 4th-order Runge-Kutta method,
    forward or backward (``dt_s`` may be negative).

    Every row takes the same number of steps ``n = ceil(max|dt| / max_step_s)`` with its own step
    ``h_i = dt_i / n``, so all rows advance together (no loop over rows; rows with ``dt = 0`` stay
    put). The ICD intends |dt| <= 15 min; longer intervals are computed but the error grows fast
    (the luni-solar terms are constant and higher harmonics are absent).

    Parameters
    ----------
    pos_m : array_like, shape (N, 3)
        PZ-90 position at t_b, m.
    vel_mps : array_like, shape (N, 3)
        PZ-90 velocity at t_b (Earth-fixed), m/s.
    acc_mps2 : array_like, shape (N, 3)
        Broadcast luni-solar acceleration, m/s^2.
    dt_s : array_like, shape (N,) or scalar
        Time from t_b to the epoch of interest, s (broadcast against N). A NaN row gives NaN.
    max_step_s : float, optional
        Largest integration step, s (default 60 s).

    Returns
    -------
    pos_m : numpy.ndarray, shape (N, 3)
        PZ-90 position at t_b + dt, m.
    vel_mps : numpy.ndarray, shape (N, 3)
        PZ-90 velocity at t_b + dt, m/s.

    Raises
    ------
    ConfigError
        If ``max_step_s`` is not a positive finite number, the shapes do not agree, or some |dt| is
        larger than :data:`MAX_DT_S` (one day).
    """
    pos, vel, acc, dt = _checked_inputs(pos_m, vel_mps, acc_mps2, dt_s, max_step_s)
    n_rows = pos.shape[0]
    # (6, N) state and (3, N) forcing: each component is one contiguous row, which keeps the
    # per-step arithmetic on long 1-D arrays.
    s = np.concatenate([pos.T, vel.T])
    a = np.ascontiguousarray(acc.T)
    bad = ~np.isfinite(dt)
    dt = np.where(bad, 0.0, dt)
    big = float(np.max(np.abs(dt))) if n_rows else 0.0
    if big > MAX_DT_S:
        raise ConfigError(f"|dt_s| reaches {big:g} s; GLONASS state vectors propagate at most {MAX_DT_S:g} s")
    n_steps = math.ceil(big / max_step_s)
    if n_steps:
        s = _rk4(s, a, dt / n_steps, n_steps)
    if bad.any():
        s[:, bad] = np.nan
    return np.ascontiguousarray(s[:3].T), np.ascontiguousarray(s[3:].T)


def _checked_inputs(pos_m, vel_mps, acc_mps2, dt_s, max_step_s):
    """The arguments of :func:`propagate` as float arrays of shapes (N, 3) and (N,); ConfigError otherwise."""
    ok_type = isinstance(max_step_s, numbers.Real) and not isinstance(max_step_s, bool)
    if not (ok_type and math.isfinite(max_step_s) and max_step_s > 0):
        raise ConfigError(f"max_step_s must be a positive number of seconds, got {max_step_s!r}")
    try:
        pos = np.atleast_2d(np.asarray(pos_m, dtype=np.float64))
        vel = np.atleast_2d(np.asarray(vel_mps, dtype=np.float64))
        acc = np.atleast_2d(np.asarray(acc_mps2, dtype=np.float64))
        if pos.ndim != 2 or pos.shape[1] != 3 or vel.shape != pos.shape or acc.shape != pos.shape:
            raise ValueError("shapes differ")
        dt = np.broadcast_to(np.asarray(dt_s, dtype=np.float64), (pos.shape[0],))
    except ValueError as exc:
        raise ConfigError(
            "propagate needs pos_m, vel_mps, acc_mps2 of shape (N, 3) and dt_s of shape (N,) or a "
            f"scalar; got {np.shape(pos_m)}, {np.shape(vel_mps)}, {np.shape(acc_mps2)}, {np.shape(dt_s)}"
        ) from exc
    return pos, vel, acc, dt


def clock(minus_tau_n_s, gamma_n, dt_s) -> tuple[np.ndarray, np.ndarray]:
    """Satellite clock offset from GLONASS time, as the ICD and RTKLIB define it.

    The ICD GLONASS FDMA Edition 5.1 relates satellite time t_k to GLONASS time through the immediate
    data tau_n(t_b) and gamma_n(t_b): t_GLONASS = t_k + tau_n - gamma_n (t_k - t_b) (definitions of
    tau_n and gamma_n in the immediate information), so the satellite clock minus GLONASS time is::

        dts = -tau_n + gamma_n * (t - t_b),        d(dts)/dt = gamma_n

    RINEX stores -tau_n directly (:attr:`kompas.tables.nav.GlonassEph.minus_tau_n_s`). The time
    argument should strictly be t - t_b on the GLONASS time scale; a difference of two GPST instants is
    identical, because GPST and GLONASST (UTC(SU) + 3 h) both run continuously between leap seconds
    and a GLONASS record is only used within minutes of its t_b. (RTKLIB iterates to express t in
    satellite time; the change is gamma_n * dts, below 1e-15 s, and is not made here.)

    The result is relative to GLONASS time, not GPST: the GLONASS-GPS time offset (tau_GPS, and
    tau_c for UTC(SU)) is common to all GLONASS satellites and is the caller's business.

    Parameters
    ----------
    minus_tau_n_s : array_like
        -tau_n, s.
    gamma_n : array_like
        Relative frequency offset gamma_n, s/s.
    dt_s : array_like
        t - t_b, s. The three arguments broadcast together.

    Returns
    -------
    clk_s : numpy.ndarray
        Satellite clock offset, s (positive: the satellite clock is ahead of GLONASS time).
    clk_rate : numpy.ndarray
        Clock drift, s/s (= gamma_n, broadcast to the shape of ``clk_s``).
    """
    m, g, dt = np.broadcast_arrays(
        np.asarray(minus_tau_n_s, dtype=np.float64),
        np.asarray(gamma_n, dtype=np.float64),
        np.asarray(dt_s, dtype=np.float64),
    )
    return m + g * dt, g.copy()
