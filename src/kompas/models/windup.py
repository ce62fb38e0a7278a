"""Carrier-phase wind-up of circularly polarised signals (Wu et al. 1993), continuous over an arc.

J. T. Wu, S. C. Wu, G. A. Hajj, W. I. Bertiger and S. M. Lichten, "Effects of antenna orientation on
GPS carrier phase", Manuscripta Geodaetica 18:91-98, 1993, eq. 8-10, in the form of RTKLIB's
``windupcorr`` (rtkcmn.c / ppp.c):

* k: unit vector from the satellite to the receiver;
* satellite effective dipole ``D' = x' - k (k . x') - k x y'`` with x', y' the satellite body axes;
* receiver effective dipole ``D = x - k (k . x) + k x y`` with x, y the receiver antenna axes (north and
  west for an antenna aligned with north, the default);
* ``dphi = sign(k . (D' x D)) arccos(D' . D / |D'| |D|)``, in cycles ``dphi / 2 pi``;
* continuity: the 2 pi ambiguity is resolved against the previous value of the arc,
  ``phi = dphi + round(phi_prev - dphi)`` (so the first epoch of an arc is in [-0.5, 0.5]).

The wind-up is in cycles of the carrier and enters the phase observation in cycles (multiply by the
wavelength for metres); its sign convention is RTKLIB's (the value is subtracted from the observed
phase in cycles).
"""

from __future__ import annotations

import numpy as np

from ..frames import ecef_to_geodetic, enu_rotation

__all__ = ["windup_cycles", "receiver_antenna_axes"]


def receiver_antenna_axes(rcv_ecef) -> tuple[np.ndarray, np.ndarray]:
    """Unit x (north) and y (west) axes of a north-aligned receiver antenna, ECEF (..., 3) each."""
    llh = ecef_to_geodetic(np.asarray(rcv_ecef, dtype=np.float64))
    rot = enu_rotation(llh[..., 0], llh[..., 1])  # rows east, north, up
    return rot[..., 1, :], -rot[..., 0, :]


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def windup_cycles(sat_pos, rcv_pos, sat_x, sat_y, prev_cycles=None, rcv_x=None, rcv_y=None) -> np.ndarray:
    """Phase wind-up in cycles, continuous with the previous value of the arc.

    Parameters
    ----------
    sat_pos, rcv_pos : array_like, shape (..., 3)
        Satellite (antenna) and receiver positions, ECEF m.
    sat_x, sat_y : array_like, shape (..., 3)
        Satellite body x and y unit vectors in ECEF (from the attitude model,
        :func:`kompas.models.attitude.satellite_attitude`).
    prev_cycles : array_like, shape (...), optional
        Wind-up of the previous epoch of the same arc (NaN or None to start a new arc).
    rcv_x, rcv_y : array_like, shape (..., 3), optional
        Receiver antenna x and y axes; north and west of the station by default
        (:func:`receiver_antenna_axes`).

    Returns
    -------
    numpy.ndarray, shape (...)
        Wind-up, cycles; NaN where the geometry is degenerate (an effective dipole of zero length).
    """
    rs = np.asarray(sat_pos, dtype=np.float64)
    rr = np.asarray(rcv_pos, dtype=np.float64)
    k = _unit(rr - rs)
    if rcv_x is None or rcv_y is None:
        rcv_x, rcv_y = receiver_antenna_axes(rr)
    xs, ys = np.asarray(sat_x, dtype=np.float64), np.asarray(sat_y, dtype=np.float64)
    xr, yr = np.asarray(rcv_x, dtype=np.float64), np.asarray(rcv_y, dtype=np.float64)
    ds = xs - k * np.sum(k * xs, -1, keepdims=True) - np.cross(k, ys)
    dr = xr - k * np.sum(k * xr, -1, keepdims=True) + np.cross(k, yr)
    n = np.linalg.norm(ds, axis=-1) * np.linalg.norm(dr, axis=-1)
    ok = n > 0.0
    cosp = np.clip(np.sum(ds * dr, -1) / np.where(ok, n, 1.0), -1.0, 1.0)
    ph = np.arccos(cosp) / (2.0 * np.pi)
    ph = np.where(np.sum(k * np.cross(ds, dr), -1) < 0.0, -ph, ph)
    ph = np.where(ok, ph, np.nan)
    if prev_cycles is None:
        return ph
    prev = np.asarray(prev_cycles, dtype=np.float64)
    return np.where(np.isfinite(prev), ph + np.floor(prev - ph + 0.5), ph)
