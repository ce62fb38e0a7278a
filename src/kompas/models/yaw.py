"""Yaw-attitude laws of GNSS satellites near noon, midnight and in the Earth's shadow.

Angles (Kouba 2009, "A simplified yaw-attitude model for eclipsing GPS satellites", GPS Solut.
13:1-12, sec. 2): beta is the Sun elevation above the orbital plane (positive towards the orbit normal
r x v), mu the orbit angle of the satellite counted from orbit midnight (the point farthest from the
Sun) in the direction of motion, so noon is mu = pi. The yaw angle psi is the angle of the body x axis
from the along-track direction e_t = e_n x e_r, positive towards -e_n:
``x = cos(psi) e_t - sin(psi) e_n`` (the convention of :func:`kompas.models.attitude.yaw_frame`). The
nominal (yaw-steering) angle is ``atan2(-tan beta, sin mu)`` (Kouba 2009 eq. 2) and its rate
``mu_dot tan(beta) cos(mu) / (sin^2 mu + tan^2 beta)`` (eq. 3). Beta and the orbit-angle rate are taken
constant during one manoeuvre, as Kouba does.

Laws (``law`` names of :data:`kompas.tables.satellites.ATTITUDE_LAWS`)

``gps_iia``, ``gps_iir``, ``gps_iii``
    Rate-limited noon and midnight turns: nominal yaw until its rate exceeds the maximum yaw rate R,
    then a turn at R in the nominal direction until the nominal yaw is caught up (Kouba 2009 sec. 3-4;
    IIR R = 0.20 deg/s, IIA 0.12 deg/s without the IIA yaw bias and shadow spin-up, GPS III taken as IIR).
    The turn start solves ``R (sin^2 d + tan^2 beta) = mu_dot |tan beta| cos d`` in closed form
    (a quadratic in cos d, d = mu - mu_centre); the catch-up point is found by bisection.
``gps_iif``
    Noon: rate-limited as above with R = 0.11 deg/s. Shadow: constant yaw rate from the nominal yaw at
    shadow entry to the nominal yaw at shadow exit (Kouba 2013, "GPS IIF yaw attitude control during
    eclipse season", IGS note; Dilssner 2010).
``glonass``
    Noon: rate-limited, R = 0.25 deg/s. Shadow: turn at R from the entry yaw towards the exit yaw, then
    hold it until exit (Dilssner et al. 2011, Adv. Space Res. 47:160-171).
``galileo_foc``
    European GNSS Service Centre, "Galileo satellite metadata" (FOC law): when |beta| < 4.1 deg, from
    10 deg of orbit angle before noon or midnight, ``psi = 90 s + (psi_0 - 90 s) cos(2 pi t / 5656 s)``,
    psi_0 the yaw at the start, t the time since it, s = -sign(beta), for 2828 s.
``galileo_iov``
    Approximated by the same smoothed turn with |beta| < 2 deg (the published IOV law modifies the Sun
    vector instead and gives a similar but not identical profile).
``bds2_igso_meo``
    Orbit-normal mode (psi = 0) when |beta| < 4 deg, nominal otherwise (Guo et al. 2013; Montenbruck et
    al. 2015, Adv. Space Res. 56 sec. 4.4). The switch in reality happens at yaw ~0 a few days after
    |beta| crosses 4 deg; this hysteresis is not modelled.
``bds2_geo``, ``bds3_geo``, ``qzss_geo`` (QZS-3), ``qzss_on`` (QZS-1)
    Orbit-normal always for GEOs; QZS-1 orbit-normal when |beta| < 20 deg (Montenbruck et al. 2015).
``bds3_cast``, ``bds3_secm``
    Continuous yaw steering with a smoothed turn near noon/midnight (Wang et al. 2018, GPS Solut. 22:125;
    Xia et al. 2019): modelled here as the Galileo-FOC-type cosine turn when |beta| < 3 deg. This is an
    approximation of the published CAST/SECM laws, not a reproduction of them.
``nominal``, ``unknown``
    Nominal yaw steering.
"""

from __future__ import annotations

import numpy as np

from ..tables.satellites import ATTITUDE_LAWS, max_yaw_rate_rad_s

__all__ = ["nominal_yaw", "nominal_yaw_rate", "model_yaw", "shadow_half_angle"]

_DEG = np.pi / 180.0
_RE = 6_378_137.0  # Earth radius for the cylindrical shadow, m (WGS-84 a)
_LAW = {name: i for i, name in enumerate(ATTITUDE_LAWS)}


def _wrap(a):
    return np.mod(a + np.pi, 2.0 * np.pi) - np.pi


def nominal_yaw(beta, mu) -> np.ndarray:
    """Nominal yaw angle ``atan2(-tan beta, sin mu)``, rad (Kouba 2009 eq. 2)."""
    return np.arctan2(-np.tan(beta), np.sin(mu))


def nominal_yaw_rate(beta, mu, mu_rate) -> np.ndarray:
    """Nominal yaw rate, rad/s (Kouba 2009 eq. 3)."""
    tb = np.tan(beta)
    return mu_rate * tb * np.cos(mu) / (np.sin(mu) ** 2 + tb**2)


def shadow_half_angle(beta, radius_m) -> np.ndarray:
    """Half-width in orbit angle of the cylindrical Earth shadow around midnight, rad (NaN: no shadow)."""
    c = np.sqrt(np.maximum(1.0 - (_RE / radius_m) ** 2, 0.0)) / np.cos(beta)
    return np.where(c < 1.0, np.arccos(np.minimum(c, 1.0)), np.nan)


def _rate_limited(beta, d, mu_centre, mu_rate, rate):
    """Yaw of a rate-limited turn centred on mu_centre (0 midnight, pi noon); NaN outside the turn."""
    tb = np.abs(np.tan(beta))
    need = mu_rate / np.maximum(tb, 1e-12) > rate
    c = (-mu_rate * tb + np.sqrt((mu_rate * tb) ** 2 + 4.0 * rate**2 * (1.0 + tb**2))) / (2.0 * rate)
    d_s = -np.arccos(np.clip(c, -1.0, 1.0))
    sgn = np.where(np.tan(beta) * np.cos(mu_centre) >= 0.0, 1.0, -1.0)  # direction of the nominal turn
    psi_s = nominal_yaw(beta, mu_centre + d_s)

    def gap(dd):  # linear turn minus nominal progress, both measured in the turn direction
        lin = rate * (dd - d_s) / mu_rate
        nom = np.mod(sgn * (nominal_yaw(beta, mu_centre + dd) - psi_s), 2.0 * np.pi)
        return lin - nom

    lo, hi = -d_s, np.full_like(d_s, 0.5 * np.pi)
    for _ in range(40):  # bisection for the catch-up point in (-d_s, pi/2)
        mid = 0.5 * (lo + hi)
        g = gap(mid)
        lo, hi = np.where(g < 0.0, mid, lo), np.where(g < 0.0, hi, mid)
    inside = need & (d >= d_s) & (d <= hi)
    psi = psi_s + sgn * rate * (d - d_s) / mu_rate
    return np.where(inside, _wrap(psi), np.nan)


def _cosine_turn(beta, d, centre, mu_rate, beta_max):
    """Galileo-FOC-type cosine turn from d = -10 deg, 2828 s long; NaN outside it."""
    d_s = -10.0 * _DEG
    t = (d - d_s) / mu_rate
    inside = (np.abs(beta) < beta_max) & (t >= 0.0) & (t <= 2828.0)
    s = np.where(beta > 0.0, -1.0, 1.0)
    psi0 = nominal_yaw(beta, centre + d_s)
    psi = 0.5 * np.pi * s + (psi0 - 0.5 * np.pi * s) * np.cos(2.0 * np.pi * t / 5656.0)
    return np.where(inside, _wrap(psi), np.nan)


def _shadow_turn(beta, mu, mu_rate, radius, rate, hold):
    """IIF (constant rate, ``hold`` False) or GLONASS (max rate then hold) yaw in shadow; NaN outside."""
    h = shadow_half_angle(beta, radius)
    d = _wrap(mu)  # midnight-centred
    inside = np.isfinite(h) & (np.abs(d) <= np.nan_to_num(h))
    hh = np.nan_to_num(h, nan=1.0)
    psi_in = nominal_yaw(beta, -hh)
    psi_out = nominal_yaw(beta, hh)
    sgn = np.where(np.tan(beta) >= 0.0, 1.0, -1.0)  # nominal direction at midnight (cos mu = 1)
    total = np.mod(sgn * (psi_out - psi_in), 2.0 * np.pi)
    frac = (d + hh) / (2.0 * hh)
    if hold:
        done = rate * (d + hh) / mu_rate
        psi = psi_in + sgn * np.minimum(done, total)
    else:
        psi = psi_in + sgn * total * frac
    return np.where(inside, _wrap(psi), np.nan)


def model_yaw(law, beta, mu, mu_rate, radius_m) -> np.ndarray:
    """Modelled yaw angle of each row's attitude law, rad in (-pi, pi] (module docstring).

    Parameters
    ----------
    law : array_like of int or str, shape (N,)
        Attitude-law codes (:attr:`kompas.tables.satellites.SatelliteInfo.law`) or names.
    beta, mu : array_like, shape (N,)
        Sun elevation above the orbital plane and orbit angle from midnight, rad.
    mu_rate : array_like, shape (N,)
        Orbit angular rate, rad/s (positive).
    radius_m : array_like, shape (N,)
        Geocentric distance of the satellite, m (for the shadow).

    Returns
    -------
    numpy.ndarray, shape (N,)
        Yaw angle; 0 means the body x axis along track (orbit-normal mode).
    """
    law = np.asarray(law)
    if law.dtype.kind in "US":
        law = np.array([_LAW.get(str(x), 0) for x in law.ravel()], dtype=np.int16).reshape(law.shape)
    beta, mu, mu_rate, radius = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (beta, mu, mu_rate, radius_m))
    )
    psi = nominal_yaw(beta, mu)
    names = np.asarray(ATTITUDE_LAWS, dtype=object)[law]
    noon_d = _wrap(mu - np.pi)
    night_d = _wrap(mu)
    near_noon = np.abs(noon_d) < np.abs(night_d)
    d = np.where(near_noon, noon_d, night_d)
    centre = np.where(near_noon, np.pi, 0.0)
    for name in ("gps_iia", "gps_iir", "gps_iii", "gps_iif", "glonass"):
        m = names == name
        if not m.any():
            continue
        rate = max_yaw_rate_rad_s(name)
        turn = _rate_limited(beta[m], d[m], centre[m], mu_rate[m], rate)
        if name in ("gps_iif", "glonass"):  # only the noon turn is rate-limited; shadow has its own law
            turn = np.where(near_noon[m], turn, np.nan)
            shadow = _shadow_turn(beta[m], mu[m], mu_rate[m], radius[m], rate, hold=name == "glonass")
            turn = np.where(np.isfinite(shadow), shadow, turn)
        psi[m] = np.where(np.isfinite(turn), turn, psi[m])
    for name, bmax in (("galileo_foc", 4.1), ("galileo_iov", 2.0), ("bds3_cast", 3.0), ("bds3_secm", 3.0)):
        m = names == name
        if m.any():
            turn = _cosine_turn(beta[m], d[m], centre[m], mu_rate[m], bmax * _DEG)
            psi[m] = np.where(np.isfinite(turn), turn, psi[m])
    on = (names == "bds2_geo") | (names == "bds3_geo") | (names == "qzss_geo")
    on |= (names == "bds2_igso_meo") & (np.abs(beta) < 4.0 * _DEG)
    on |= (names == "qzss_on") & (np.abs(beta) < 20.0 * _DEG)
    return np.where(on, 0.0, psi)
