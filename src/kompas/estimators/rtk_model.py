"""The single-difference measurement model of the RTK filter and its noise.

Per satellite ``s`` and band (a *cell*), rover minus base, in metres (Hofmann-Wellenhof, Lichtenegger &
Wasle, *GNSS* (2008) sec. 7.3; RTKLIB 2.4.3 ``rtkpos.c zdres/ddres``)::

    P_sd = rho_r(x) - rho_b - c dts_sd + T_r - T_b + m_w(el) ztd + mu I_s               + k_s d + c dt_sd
    L_sd = rho_r(x) - rho_b - c dts_sd + T_r - T_b + m_w(el) ztd - mu I_s + lambda N_s + k_s b  + c dt_sd

with the ranges (Sagnac included) from each receiver's own transmission-time satellite position, the
satellite's broadcast clock at the rover's minus at the base's transmission time ``dts_sd`` (milli-
metres when both observe at once; it matters for base data of some age), the
Saastamoinen slant delays ``T``, the receiver antenna phase-centre corrections (PCO/PCV, both ends,
added to the ranges), an optional relative zenith wet delay ``ztd`` mapped by Niell's wet function, an
optional slant ionosphere ``I_s`` on :data:`~kompas.rtk_inputs.F_IONO_REF_HZ` scaled by
``mu = (f_ref / f)^2``, the single-difference ambiguity ``N_s`` in cycles of the cell's own wavelength and,
for GLONASS FDMA cells, the receiver inter-frequency phase bias ``k_s b`` linear in the channel number
``k_s`` (see :mod:`kompas.estimators.rtk`), and its code counterpart ``k_s d`` per band (GLONASS code
inter-frequency biases differ by decimetres per channel between receiver makes). The receiver clock
difference ``c dt_sd`` cancels in the double differences. The model is linear in every state but the
position.

Noise (RTKLIB 2.4.3 ``varerr``): ``sigma^2 = f_sys^2 (a^2 + b^2 / sin^2 el)`` per receiver and phase,
times the code/phase ratio squared for code; a single difference has twice that, plus
``(c s_clk age)^2`` for base data ``age`` seconds old (``s_clk`` the satellite clock stability), plus
``(s_orb B / rho)^2`` for the broadcast orbit error ``s_orb`` seen from the two ends of a baseline of
length ``B`` at range ``rho``: the error's component across the two lines of sight, whose directions differ
by at most ``B / rho`` (the rule of thumb ``dB / B = dr / rho``, Bauersima 1983, in Hofmann-Wellenhof,
Lichtenegger & Wasle 2008). It is millimetres at 20 km and centimetres at several hundred kilometres,
where without it the filter fixes integers biased by the orbit errors. ``s_orb`` is ``noise.orbit_m``, or
more for a record used far from its reference epoch (``EpochInput.orbit_sigma``,
:func:`kompas.products.broadcast.record_orbit_sigma_m`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT
from ..measurement import line_of_sight_point
from ..satsys import SYSTEM_LETTERS

__all__ = ["EpochInput", "Linearised", "cell_variances", "sd_variances", "linearise"]


@dataclass(frozen=True, eq=False)
class EpochInput:
    """One epoch of single differences, prepared by the recipe.

    Satellite arrays have shape (m,), cell arrays (n,) (one cell per satellite and band).

    Attributes
    ----------
    t_ns : int
        Rover epoch, GPST ns.
    sat, sys : numpy.ndarray of int
        Satellite index and system code.
    satpos : numpy.ndarray, shape (m, 3)
        Satellite position at the rover's transmission time, ECEF m.
    range_b, trop_b : numpy.ndarray
        Base range (with Sagnac) and slant troposphere, m.
    el : numpy.ndarray
        Elevation (at the base), rad.
    iono0 : numpy.ndarray
        Prior of the single-difference slant ionosphere, m at the reference frequency.
    geo : numpy.ndarray of bool
        BeiDou GEO satellites.
    cs : numpy.ndarray of int64, shape (n,)
        Satellite of each cell (index into the satellite arrays).
    key, group : numpy.ndarray of int64, shape (n,)
        Ambiguity arc (satellite, band, tracking modes) and difference group of each cell.
    band : numpy.ndarray of int64, shape (n,)
    code, phase : numpy.ndarray, shape (n,)
        Single differences of code and phase, m (NaN where missing).
    lam, mu : numpy.ndarray, shape (n,)
        Wavelength (m) and ionosphere scale ``(f_ref / f)^2``.
    k : numpy.ndarray, shape (n,)
        GLONASS channel number of FDMA cells (0 otherwise).
    fdma : numpy.ndarray of bool, shape (n,)
    slip : numpy.ndarray of bool, shape (n,)
        Cycle slip or new arc at either receiver.
    ant : numpy.ndarray, shape (n,)
        Receiver antenna phase-centre corrections, rover minus base, m (added to the modelled range).
    prior_pos : numpy.ndarray, shape (3,)
        Rover antenna position prior (single point solution), ECEF m; NaN when unknown.
    clock_sd : numpy.ndarray, shape (m,), or float
        ``c (dt_sat(t_r) - dt_sat(t_b))`` per satellite, m: the satellite clock at the rover's minus at the
        base's transmission time (subtracted from the modelled single differences).
    age_s : float
        Age of the base epoch, s (rover minus base time tag).
    orbit_sigma : numpy.ndarray, shape (m,), or float
        Expected orbit error of each satellite's broadcast record from its age, m (NaN or 0: the noise
        model's ``orbit_m`` alone).
    orbit_drift : numpy.ndarray, shape (m,), or float
        Change of that error between the base's and the rover's epoch where the base data of some age are
        used as they are, m (it enters the single difference in full).
    var : tuple of numpy.ndarray, shape (n,), optional
        The cells' code and phase variances (:func:`cell_variances`) when the recipe computed them for
        every epoch at once (:func:`sd_variances`); None: the filter computes them.
    """

    t_ns: int
    sat: np.ndarray
    sys: np.ndarray
    satpos: np.ndarray
    range_b: np.ndarray
    trop_b: np.ndarray
    el: np.ndarray
    iono0: np.ndarray
    geo: np.ndarray
    cs: np.ndarray
    key: np.ndarray
    group: np.ndarray
    band: np.ndarray
    code: np.ndarray
    phase: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    k: np.ndarray
    fdma: np.ndarray
    slip: np.ndarray
    ant: np.ndarray
    prior_pos: np.ndarray
    clock_sd: np.ndarray | float = 0.0
    age_s: float = 0.0
    orbit_sigma: np.ndarray | float = 0.0
    orbit_drift: np.ndarray | float = 0.0
    var: tuple | None = None


@dataclass(frozen=True, eq=False)
class Linearised:
    """Single-difference model at a linearisation point.

    Attributes
    ----------
    hc, hp : numpy.ndarray, shape (n,)
        Modelled code and phase single differences, m.
    Hc, Hp : numpy.ndarray, shape (n, U)
        Their partial derivatives with respect to the state.
    el_r : numpy.ndarray, shape (m,)
        Elevation at the rover, rad.
    """

    hc: np.ndarray
    hp: np.ndarray
    Hc: np.ndarray
    Hp: np.ndarray
    el_r: np.ndarray


def cell_variances(e: EpochInput, noise, baseline_m: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Variances of the code and phase single differences of each cell, m^2 (module docstring).

    ``baseline_m`` (m) scales the broadcast orbit error ``noise.orbit_m`` into the single differences."""
    # base data of some age: the satellite clock's own instability over the age (RTKLIB varerr, the term
    # of stats-clkstab)
    var_age = (C_LIGHT * noise.sat_clock_stab * e.age_s) ** 2
    sat = (e.sys, e.geo, e.el, e.range_b, e.orbit_sigma, e.orbit_drift)
    return sd_variances(sat, e.cs, var_age, noise, baseline_m)


def sd_variances(sat, cs, var_age, noise, baseline_m: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cell_variances` from arrays, for one epoch or for many at once (the same values).

    Parameters
    ----------
    sat : tuple of numpy.ndarray, shape (m,)
        ``sys``, ``geo``, ``el``, ``range_b``, ``orbit_sigma``, ``orbit_drift`` of the satellites (rows) as
        in :class:`EpochInput` (the last two may be floats).
    cs : numpy.ndarray of int, shape (n,)
        Satellite (row) of each cell.
    var_age : float or numpy.ndarray, shape (n,)
        ``(c s_clk age)^2`` of each cell's epoch, m^2.
    noise : RtkNoise
    baseline_m : float
    """
    sys, geo, el, range_b, orbit_sigma, orbit_drift = sat
    factor = np.array([noise.system_factor.get(c, 1.0) for c in " " + SYSTEM_LETTERS])[sys]
    factor = factor * np.where(geo, noise.geo_factor, 1.0)
    sin_el = np.maximum(np.sin(el), 0.05)
    var = factor**2 * (noise.phase_m**2 + noise.phase_el_m**2 / sin_el**2)
    var_p = 2.0 * var[cs]
    # the broadcast orbit error seen from two ends a baseline b apart: at most b / rho of it remains in the
    # single difference (the rule of thumb db / b = dr / rho); records used far from their reference epoch
    # (hours before it, to fill a file's gaps) are metres to tens of metres off
    s_orb = np.fmax(noise.orbit_m, orbit_sigma)
    var_orb = ((s_orb * baseline_m / range_b) ** 2)[cs] if baseline_m > 0.0 else 0.0
    var_orb = var_orb + (np.broadcast_to(orbit_drift, range_b.shape) ** 2)[cs]
    return var_p * noise.code_ratio**2 + var_age + var_orb, var_p + var_age + var_orb


def linearise(e: EpochInput, x, cols: dict, tropo: bool, mapping=None) -> Linearised:
    """The single-difference model at state ``x``.

    Parameters
    ----------
    e : EpochInput
    x : numpy.ndarray, shape (U,)
        State; the rover position occupies columns 0-2.
    cols : dict
        ``"ztd"`` (int or None), ``"ion"`` (n,) and ``"amb"`` (n,) state columns per cell (-1 where the
        cell has none), ``"ifb"`` and ``"cifb"`` (n,): phase and code inter-frequency bias slope per cell
        (-1 where none).
    tropo : bool
        Apply the Saastamoinen model at the rover (the base's is in ``e.trop_b``).
    mapping : callable, optional
        ``mapping(llh, el) -> m_wet`` for the zenith-delay state.
    """
    n, nx = e.cs.size, x.size
    rng, u, el, llh = line_of_sight_point(e.satpos, x[0:3], e.sys)
    if tropo:
        from ..models.troposphere import saastamoinen

        trop_r = saastamoinen(np.full(el.size, llh[0]), np.full(el.size, llh[2]), el)
    else:
        trop_r = np.zeros(el.size)
    h0 = (rng - e.range_b - e.clock_sd + trop_r - e.trop_b)[e.cs] + e.ant
    Hc = np.zeros((n, nx))
    Hc[:, 0:3] = -u[e.cs]
    r = np.arange(n)
    ztd = cols.get("ztd")
    if ztd is not None:
        Hc[:, ztd] = mapping(llh, el)[e.cs]
    ion = cols["ion"]
    has_ion = ion >= 0
    Hp = Hc.copy()
    Hc[r[has_ion], ion[has_ion]] = e.mu[has_ion]
    Hp[r[has_ion], ion[has_ion]] = -e.mu[has_ion]
    amb = cols["amb"]
    has_amb = amb >= 0
    Hp[r[has_amb], amb[has_amb]] = e.lam[has_amb]
    ifb = cols["ifb"]
    has_ifb = ifb >= 0
    Hp[r[has_ifb], ifb[has_ifb]] = e.k[has_ifb]
    cifb = cols["cifb"]
    has_cifb = cifb >= 0
    Hc[r[has_cifb], cifb[has_cifb]] = e.k[has_cifb]
    hc = h0 + Hc[:, 3:] @ x[3:]
    hp = h0 + Hp[:, 3:] @ x[3:]
    return Linearised(hc, hp, Hc, Hp, el)
