"""Galileo broadcast ionosphere: NeQuick-G, vectorised over rays.

Reference: "European GNSS (Galileo) Open Service - Ionospheric Correction Algorithm for Galileo
Single Frequency Users", issue 1.2, September 2016 (below: ICD), sec. 2 and its data files (CCIR
foF2/M(3000)F2 maps, MODIP grid; shipped as ``kompas/data/nequick_g.npz``, see
``tools/make_nequick_tables.py``). The European Commission JRC reference implementation
(NeQuickG JRC, EUPL-1.2) was read to resolve details the ICD leaves to the implementer; the
ICD's validation tables are reproduced to 1e-5 TECU (tests/unit/test_nequick.py).

Model, per ray (receiver -> satellite):

1. MODIP at the receiver from the ICD grid (sec. 2.5.4.3, third-order interpolation of
   sec. 2.5.7.1), effective ionisation level ``Az = ai0 + ai1 mu + ai2 mu^2`` limited to
   0..400 sfu (63.7 sfu when the three coefficients are zero) and the effective sunspot number
   ``Az_R = sqrt(167273 + 1123.6 (Az - 63.7)) - 408.99`` (ITU-R P.371-8);
2. the month's CCIR coefficients interpolated in ``Az_R`` and summed as a Fourier series of UT
   (sec. 2.5.5.3);
3. along the ray, at every integration point: local time, solar declination and effective zenith
   angle (sec. 2.5.4.1, 2.5.4.6-2.5.4.8), foE and foF1 (sec. 2.5.5.1), foF2 and M(3000)F2 from
   the CCIR expansion (sec. 2.5.5.3), peak heights (sec. 2.5.5.4-2.5.5.6), thicknesses
   (sec. 2.5.5.7), Epstein-layer amplitudes (sec. 2.5.5.8), topside thickness H0
   (sec. 2.5.5.9-2.5.5.11), then the electron density of the bottomside (three Epstein layers)
   or of the topside (sec. 2.5.6);
4. STEC = the electron density integrated along the straight ray with the ICD's adaptive
   Gauss-Kronrod G7/K15 quadrature (sec. 2.5.8, Annex F.2.3.3 and F.2.6): break points where the
   ray crosses 1000 km and 2000 km, relative tolerance 0.001 below 1000 km and 0.01 above, at
   most 50 bisections.

The adaptive quadrature is run breadth-first: every pass evaluates the 15 Kronrod nodes of every
still-open interval of every ray in one array operation, keeps the intervals whose K15 and G7 sums
agree within the tolerance and halves the others. An interval's fate depends only on the interval,
so the accepted intervals are exactly those of the ICD's depth-first recursion; only the order of
the final summation differs (1e-15 relative).

The Earth is a sphere of radius 6371.2 km and the receiver's and satellite's ellipsoidal
latitude, longitude and height are used as spherical coordinates, as the ICD prescribes
(Annex F.2.5, ray properties).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..frames import ecef_to_geodetic
from ..time import gpst_to_calendar
from ._nequick_tables import nequick_tables

__all__ = ["F_GAL_E1_HZ", "nequick_g_stec", "nequick_g_delay"]

F_GAL_E1_HZ = 1575.42e6
"""Galileo E1 carrier, Hz (Galileo OS SIS ICD 2.0 sec. 2.1): the frequency of :func:`nequick_g_delay`."""

_K_IONO = 40.3  # first-order group delay 40.3 TEC / f^2, m3/s2 per electron (ICD sec. 1.3)
_TECU = 1.0e16  # electrons / m^2
_RE_KM = 6371.2  # Earth radius of the model, km (ICD Annex F.2.5)
# sfu, used when ai0 = ai1 = ai2 = 0 (ICD sec. 2.5, effective ionisation level; ITU-R P.371-8)
_AZ_DEFAULT = 63.7
_COEFF_ZERO = 1.0e-7  # |ai| below which a broadcast coefficient counts as zero
_CHI0_DEG = 86.23292796211615  # zenith angle at day-night transition (ICD sec. 2.5.4.8)
_KRONROD_TOL = (0.001, 0.01)  # below / above 1000 km (ICD Annex F.2.3.3)
_MAX_LEVEL = 50  # maximum bisection depth of the adaptive quadrature
_CHUNK = 512  # intervals per density evaluation: arrays stay in cache, memory ~20 MB

# Gauss-Kronrod G7/K15 nodes (innermost first) and weights (outermost first) (ICD Annex F.2.6);
# G7 uses the odd-indexed nodes of the 15.
_XK = np.array([0.207784955007898467600689403773245, 0.405845151377397166906606412076961,
                0.586087235467691130294144838258730, 0.741531185599394439863864773280788,
                0.864864423359769072789712788640926, 0.949107912342758524526189684047851,
                0.991455371120812639206854697526329])  # fmt: skip
_WK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                0.204432940075298892414161999234649])  # fmt: skip
_WK0 = 0.209482141084727828012999174891714
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975])  # fmt: skip
_WG0 = 0.417959183673469387755102040816327
_NODES = np.concatenate([-_XK[::-1], [0.0], _XK])
_WEIGHTS_K = np.concatenate([_WK, [_WK0], _WK[::-1]])
_WEIGHTS_G = np.zeros(15)
_WEIGHTS_G[1::2] = np.concatenate([_WG, [_WG0], _WG[::-1]])


def _basis_scatter(q):
    """Where each CCIR coefficient goes in a (sin-MODIP power, trigonometric term) matrix.

    The geographic expansion of foF2 and M(3000)F2 (ICD sec. 2.5.5.3) is
    ``sum_j sum_q K[j, q] sin^j(MODIP) T_q`` with ``T_0 = 1``, ``T_{2i-1} = cos^i(lat) cos(i lon)``,
    ``T_{2i} = cos^i(lat) sin(i lon)``; ``q[i]`` is the number of sin(MODIP) powers of order ``i``.
    Returns the row ``j`` and column ``q`` of each coefficient, in the order of the CCIR files
    (order 0 first, then for each order the cos and sin coefficients of each power in turn).
    """
    power, term = list(range(q[0])), [0] * q[0]
    for i in range(1, len(q)):
        for j in range(q[i]):
            power += [j, j]
            term += [2 * i - 1, 2 * i]
    return np.array(power), np.array(term)


_F2_SCATTER = _basis_scatter((12, 12, 9, 5, 2, 1, 1, 1, 1))  # 76 coefficients -> 12 x 17
_M3_SCATTER = _basis_scatter((7, 8, 6, 3, 2, 1, 1))  # 49 coefficients -> 8 x 13
_TERM_ORDER = (np.arange(17) + 1) // 2  # power of cos(lat) of each trigonometric term


def _exp(x):
    """The ICD's clipped exponential (NeqClipExp, Annex F.2.12.1): constant beyond |x| > 80."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 80.0, 5.5406e34, np.where(x < -80.0, 1.8049e-35, np.exp(np.clip(x, -80.0, 80.0))))


def _join(f1, f2, alpha, x):
    """Smooth switch from ``f2`` (x << 0) to ``f1`` (x >> 0) (ICD NeqJoin, Annex F.2.12.2)."""
    e = _exp(alpha * x)
    return (f1 * e + f2) / (e + 1.0)


def _cubic_weights(x):
    """Weights of the ICD's third-order interpolation of 4 equally spaced values (sec. 2.5.7.1).

    The value between the 2nd and 3rd points at fraction ``x`` is
    ``(a0 + a1 d + a2 d^2 + a3 d^3) / 16`` with ``d = 2 x - 1`` and ``a`` linear in the 4 values;
    written here as weights so a 2-D interpolation is one tensor contraction.
    """
    d = 2.0 * x - 1.0
    d2, d3 = d * d, d * d * d
    return np.stack(
        [-1.0 + d / 3.0 + d2 - d3 / 3.0, 9.0 - 9.0 * d - d2 + d3, 9.0 + 9.0 * d - d2 - d3,
         -1.0 - d / 3.0 + d2 + d3 / 3.0],
        axis=-1,
    ) / 16.0  # fmt: skip


def _modip(lat_deg, lon_deg):
    """Modified dip latitude, deg, from the ICD grid (sec. 2.5.4.3); +-90 at the poles."""
    grid = nequick_tables().modip
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    inside = np.abs(lat) < 90.0
    v = (np.clip(lat, -89.999, 89.999) + 90.0) / 5.0
    i = np.floor(v - 1.0e-6).astype(np.intp)  # the ICD's offset keeps grid nodes on the lower cell
    wlat = _cubic_weights(v - i)
    u = np.mod(lon + 180.0, 360.0) / 10.0
    j = np.minimum(np.floor(u).astype(np.intp), 35)
    wlon = _cubic_weights(u - j)
    k = np.arange(4)
    z = grid[(i[..., None] + k)[..., :, None], (j[..., None] + k)[..., None, :]]
    mu = np.einsum("...a,...ab,...b->...", wlat, z, wlon)
    return np.where(inside, mu, np.where(lat > 0.0, 90.0, -90.0))


def _effective_ionisation(ai, modip_deg):
    """Az (sfu) and the effective sunspot number Az_R (ICD sec. 2.5; ITU-R P.371-8)."""
    a0, a1, a2 = ai[..., 0], ai[..., 1], ai[..., 2]
    az = np.clip(a0 + modip_deg * (a1 + modip_deg * a2), 0.0, 400.0)
    az = np.where(np.all(np.abs(ai) < _COEFF_ZERO, axis=-1), _AZ_DEFAULT, az)
    azr = np.sqrt(167273.0 + (az - _AZ_DEFAULT) * 1123.6) - 408.99
    return az, azr


def _ray_parameters(ai, lat_r, lon_r, month, ut):
    """Per-ray constants: Az, Az_R, CCIR Fourier coefficients and the solar declination."""
    tables = nequick_tables()
    az, azr = _effective_ionisation(ai, _modip(lat_r, lon_r))
    t = np.radians(15.0 * ut - 180.0)  # ICD sec. 2.5.5.3: T = 15 UT - 180 deg
    k = np.arange(1, 7)
    harm = np.empty((*ut.shape, 13))
    harm[:, 0] = 1.0
    harm[:, 1::2] = np.sin(k * t[:, None])
    harm[:, 2::2] = np.cos(k * t[:, None])
    w = (azr / 100.0)[:, None]
    cf2 = np.empty((*ut.shape, 76))
    cm3 = np.empty((*ut.shape, 49))
    for m in np.unique(month):
        sel = month == m
        f2, fm3 = tables.f2[m - 1], tables.fm3[m - 1]
        h = harm[sel]
        cf2[sel] = (h @ f2[0].T) * (1.0 - w[sel]) + (h @ f2[1].T) * w[sel]
        cm3[sel] = (h[:, :9] @ fm3[0].T) * (1.0 - w[sel]) + (h[:, :9] @ fm3[1].T) * w[sel]
    kf2 = np.zeros((*ut.shape, 12, 17))
    kf2[:, _F2_SCATTER[0], _F2_SCATTER[1]] = cf2
    km3 = np.zeros((*ut.shape, 8, 13))
    km3[:, _M3_SCATTER[0], _M3_SCATTER[1]] = cm3
    # ICD sec. 2.5.4.6: solar declination at the middle of the month
    day = 30.5 * month - 15.0 + (18.0 - ut) / 24.0
    am = np.radians(0.9856 * day - 3.289)
    al = am + np.radians(282.634) + np.radians(1.916) * np.sin(am) + np.radians(0.02) * np.sin(2.0 * am)
    sin_dec = 0.39782 * np.sin(al)
    season = np.select([np.isin(month, (1, 2, 11, 12)), np.isin(month, (5, 6, 7, 8))], [-1.0, 1.0], 0.0)
    return {
        "az": az, "azr": azr, "kf2": kf2, "km3": km3, "month": month, "ut": ut, "season": season,
        "sin_dec": sin_dec, "cos_dec": np.sqrt(1.0 - sin_dec * sin_dec),
    }  # fmt: skip


def _powers(x, n):
    """``x^0 .. x^(n-1)`` on a new last axis, by repeated multiplication."""
    out = np.empty((*x.shape, n), dtype=x.dtype)
    out[..., 0] = 1.0
    for k in range(1, n):
        np.multiply(out[..., k - 1], x, out=out[..., k])
    return out


def _ccir(lat_deg, lon_deg, mu_deg, kf2, km3):
    """foF2 (MHz) and M(3000)F2 from the CCIR expansion (ICD sec. 2.5.5.3).

    Points are (..., P) arrays (P points of one ray per row); ``kf2`` and ``km3`` (..., 12, 17)
    and (..., 8, 13) are the rows' coefficient matrices (see :func:`_basis_scatter`).
    """
    spow = _powers(np.sin(np.radians(mu_deg)), 12)
    cpow = _powers(np.cos(np.radians(lat_deg)), 9)
    # cos(n lon), sin(n lon) for n = 1..8 by complex multiplication: 16 trigonometric calls less
    z = np.exp(1j * np.radians(lon_deg))
    zn = _powers(z, 9)[..., 1:]
    terms = np.empty((*z.shape, 17))
    terms[..., 0] = 1.0
    terms[..., 1::2] = zn.real
    terms[..., 2::2] = zn.imag
    terms *= cpow[..., _TERM_ORDER]
    fof2 = np.einsum("...pq,...pq->...p", np.matmul(spow, kf2), terms)
    m3000 = np.einsum("...pq,...pq->...p", np.matmul(spow[..., :8], km3), terms[..., :13])
    return fof2, np.maximum(m3000, 1.0)


def _foe(lat_deg, lon_deg, ray):
    """E-layer critical frequency, MHz (ICD sec. 2.5.4.7, 2.5.4.8 and 2.5.5.1)."""
    lat = np.radians(lat_deg)
    local_time = ray["ut"] + lon_deg / 15.0
    cos_chi = np.sin(lat) * ray["sin_dec"] + np.cos(lat) * ray["cos_dec"] * np.cos(
        np.pi * (12.0 - local_time) / 12.0
    )
    chi = np.degrees(np.arctan2(np.sqrt(np.maximum(1.0 - cos_chi * cos_chi, 0.0)), cos_chi))
    chi_eff = _join(90.0 - 0.24 * _exp(20.0 - 0.2 * chi), chi, 12.0, chi - _CHI0_DEG)
    ee = _exp(0.3 * lat_deg)
    seas = ray["season"] * (ee - 1.0) / (ee + 1.0)
    f = (1.112 - 0.019 * seas) * np.sqrt(np.sqrt(ray["az"])) * _exp(0.3 * np.log(np.cos(np.radians(chi_eff))))
    return np.sqrt(f * f + 0.49)


def _epstein_peak(amplitude, h_peak, thickness, h):
    """Contribution ``4 A e / (1 + e)^2`` of an Epstein layer at height ``h`` (ICD sec. 2.5.5.8)."""
    e = _exp((h - h_peak) / thickness)
    return 4.0 * amplitude * e / ((1.0 + e) * (1.0 + e))


def _profile(foe, fof2, m3000, ray):
    """Peak densities, heights, thicknesses and amplitudes of E, F1, F2 (ICD sec. 2.5.5.1-2.5.5.11).

    Densities are in 1e11 m^-3 (``N = 0.124 f^2``, f in MHz), heights and thicknesses in km.
    """
    fof1 = _join(1.4 * foe, 0.0, 1000.0, foe - 2.0)
    fof1 = _join(0.0, fof1, 1000.0, foe - fof1)
    fof1 = _join(fof1, 0.85 * fof1, 60.0, 0.85 * fof2 - fof1)
    fof1 = np.where(fof1 < 1.0e-6, 0.0, fof1)
    nme, nmf1, nmf2 = 0.124 * foe * foe, 0.124 * fof1 * fof1, 0.124 * fof2 * fof2
    # peak heights: hmF2 from M(3000)F2 (Dudeney), with the soft-clipped foF2/foE ratio
    m2 = m3000 * m3000
    ratio = _join(fof2 / foe, 1.75, 20.0, fof2 / foe - 1.75)
    den = m3000 - 0.012 + np.where(foe >= 1.0e-30, 0.253 / (ratio - 1.215), 0.0)
    hmf2 = 1490.0 * m3000 * np.sqrt((0.0196 * m2 + 1.0) / (1.2967 * m2 - 1.0)) / den - 176.0
    hme = 120.0
    hmf1 = 0.5 * (hmf2 + hme)
    # thicknesses
    b2bot = 0.385 * nmf2 / (0.01 * np.exp(-3.467 + 0.857 * np.log(fof2 * fof2) + 2.02 * np.log(m3000)))
    b1top = 0.3 * (hmf2 - hmf1)
    b1bot = 0.5 * (hmf1 - hme)
    betop = np.maximum(b1bot, 7.0)
    # amplitudes: E and F1 corrected for the other layers, 5 iterations when F1 is present
    a1 = 4.0 * nmf2
    e_sub = 4.0 * nme - _epstein_peak(a1, hmf2, b2bot, hme)
    f1_sub = 4.0 * nmf1 - _epstein_peak(a1, hmf2, b2bot, hmf1)
    a3 = 4.0 * nme
    a2 = np.zeros_like(a3)
    for _ in range(5):
        a2 = f1_sub - _epstein_peak(a3, hme, betop, hmf1)
        a2 = _join(a2, 0.8 * nmf1, 1.0, a2 - 0.8 * nmf1)
        a3 = e_sub - _epstein_peak(a2, hmf1, b1bot, hme)
    present = fof1 >= 0.5
    a2 = np.where(present, a2, 0.0)
    a3 = _join(np.where(present, a3, e_sub), 0.05, 60.0, np.where(present, a3, e_sub) - 0.005)
    # topside thickness H0 (ICD sec. 2.5.5.9-2.5.5.11)
    summer = (ray["month"] > 3) & (ray["month"] < 10)
    k = np.where(
        summer,
        6.705 - 0.014 * ray["azr"] - 0.008 * hmf2,
        -7.77 + 0.097 * (hmf2 / b2bot) ** 2 + 0.153 * nmf2,
    )
    k = _join(k, 2.0, 1.0, k - 2.0)
    k = _join(8.0, k, 1.0, k - 8.0)
    h0 = k * b2bot
    x = (h0 - 150.0) / 100.0
    h0 = h0 / ((0.041163 * x - 0.183981) * x + 1.424472)
    return {
        "nmf2": nmf2, "hmf2": hmf2, "hmf1": hmf1, "b2bot": b2bot, "b1top": b1top, "b1bot": b1bot,
        "betop": betop, "a1": a1, "a2": a2, "a3": a3, "h0": h0,
    }  # fmt: skip


def _bottomside(h, p):
    """Electron density below hmF2, m^-3: three Epstein layers (ICD sec. 2.5.6)."""
    hh = np.maximum(h, 100.0)
    bf1 = np.where(h > p["hmf1"], p["b1top"], p["b1bot"])
    be = np.where(h > 120.0, p["betop"], 5.0)
    # the semi-Epstein F1 and E layers fade out near the F2 peak
    fade = np.exp(10.0 / (np.abs(hh - p["hmf2"]) + 1.0))
    s_sum = np.zeros_like(h)
    sds_sum = np.zeros_like(h)
    for amp, arg, b in (
        (p["a1"], (hh - p["hmf2"]) / p["b2bot"], p["b2bot"]),
        (p["a2"], (hh - p["hmf1"]) / bf1 * fade, bf1),
        (p["a3"], (hh - 120.0) / be * fade, be),
    ):
        small = np.abs(arg) <= 25.0
        e = np.exp(np.where(small, arg, 0.0))
        s = np.where(small, amp * e / ((1.0 + e) * (1.0 + e)), 0.0)
        s_sum += s
        sds_sum += np.where(small, s * (1.0 - e) / (1.0 + e) / b, 0.0)
    # below 100 km a Chapman-like decay continues the profile (ICD sec. 2.5.6)
    low = h < 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        bc = 1.0 - 10.0 * sds_sum / s_sum
    z = (h - 100.0) / 10.0
    n = np.where(low, s_sum * _exp(1.0 - np.where(low, bc, 0.0) * z - _exp(-z)), s_sum)
    return 1.0e11 * n


def _topside(h, p):
    """Electron density above hmF2, m^-3 (ICD sec. 2.5.6).

    The ICD scales the topside by the bottomside density at hmF2; there the F1 and E arguments
    exceed the cut-off (their fade factor is e^10) and the F2 term is A1/4, so it equals NmF2.
    """
    dh = h - p["hmf2"]
    g_dh = 0.125 * dh
    z = dh / (p["h0"] * (1.0 + 100.0 * g_dh / (100.0 * p["h0"] + g_dh)))
    ea = _exp(z)
    t = np.where(ea > 1.0e11, 1.0 / ea, ea / ((1.0 + ea) * (1.0 + ea)))
    return 1.0e11 * 4.0 * t * p["nmf2"]


def _density(lat_deg, lon_deg, h_km, ray):
    """Electron density (m^-3) at points, each with the constants of its own ray."""
    mu = _modip(lat_deg, lon_deg)
    fof2, m3000 = _ccir(lat_deg, lon_deg, mu, ray["kf2"], ray["km3"])
    p = _profile(_foe(lat_deg, lon_deg, ray), fof2, m3000, ray)
    above = h_km > p["hmf2"]
    return np.where(above, _topside(h_km, p), _bottomside(h_km, p))


def _geometry(rcv, sat):
    """Ray perigee and the distances along the ray (ICD sec. 2.5.8, Annex F.2.5).

    ``rcv``, ``sat``: (N, 3) latitude (deg), longitude (deg), height (km). Distances ``s`` are
    counted from the perigee, km.
    """
    lat_r, lat_s = np.radians(rcv[:, 0]), np.radians(sat[:, 0])
    lon_r, lon_s = np.radians(np.mod(rcv[:, 1], 360.0)), np.radians(np.mod(sat[:, 1], 360.0))
    r_r, r_s = _RE_KM + rcv[:, 2], _RE_KM + sat[:, 2]
    vertical = (np.abs(sat[:, 0] - rcv[:, 0]) < 1.0e-5) & (
        np.abs(np.mod(sat[:, 1], 360.0) - np.mod(rcv[:, 1], 360.0)) < 1.0e-5
    )
    sr, cr, ss, cs = np.sin(lat_r), np.cos(lat_r), np.sin(lat_s), np.cos(lat_s)
    dlon = lon_s - lon_r
    cos_d = sr * ss + cr * cs * np.cos(dlon)
    sin_d = np.sqrt(np.maximum(1.0 - cos_d * cos_d, 0.0))
    zenith = np.arctan2(sin_d, cos_d - r_r / r_s)
    rp = r_r * np.sin(zenith)
    vertical |= rp < 0.1
    with np.errstate(divide="ignore", invalid="ignore"):
        sin_sig = np.sin(dlon) * cs / sin_d
        cos_sig = (ss - cos_d * sr) / sin_d / cr
        dp = 0.5 * np.pi - zenith
        sin_lp = sr * np.cos(dp) - cr * np.sin(dp) * cos_sig
        cos_lp = np.sqrt(np.maximum(1.0 - sin_lp * sin_lp, 0.0))
        lon_p = np.arctan2(-sin_sig * np.sin(dp) / cos_lp, (np.cos(dp) - sr * sin_lp) / cr / cos_lp) + lon_r
        # azimuth of the satellite seen from the perigee
        d = lon_s - lon_p
        cos_psi = sin_lp * ss + cos_lp * cs * np.cos(d)
        sin_psi = np.sqrt(np.maximum(1.0 - cos_psi * cos_psi, 0.0))
        sin_az = cs * np.sin(d) / sin_psi
        cos_az = (ss - sin_lp * cos_psi) / (sin_psi * cos_lp)
    pole = np.abs(np.abs(np.degrees(np.arctan2(sin_lp, cos_lp))) - 90.0) < 1.0e-10
    sin_az = np.where(pole, 0.0, sin_az)
    cos_az = np.where(pole, np.where(sin_lp > 0.0, -1.0, 1.0), cos_az)
    # the ICD sets only the azimuth of a perigee at a pole; its longitude formula divides by cos(lat_p) = 0
    # there (NaN on a meridian ray). Such a ray lies in a meridian plane: from the pole, the satellite's
    # meridian leads to the satellite, as the azimuth above (due south, or north) says.
    lon_p = np.where(pole, lon_s, lon_p)
    return {
        "vertical": vertical, "zenith": zenith, "rp": rp, "sin_lp": sin_lp, "cos_lp": cos_lp,
        "lon_p": lon_p, "sin_az": sin_az, "cos_az": cos_az, "lat_r": rcv[:, 0], "lon_r": rcv[:, 1],
        "h_r": rcv[:, 2], "h_s": sat[:, 2],
    }  # fmt: skip


def _points_on_ray(s, g):
    """Latitude (deg), longitude (deg) and height (km) of points at distance ``s`` (km).

    ``g`` holds the geometry of each point's ray. On a vertical ray ``s`` is the height.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(s * s + g["rp"] * g["rp"])
        tan_d = s / g["rp"]
        cos_d = 1.0 / np.sqrt(1.0 + tan_d * tan_d)
        sin_d = tan_d * cos_d
        sin_lat = g["sin_lp"] * cos_d + g["cos_lp"] * sin_d * g["cos_az"]
        cos_lat = np.sqrt(np.maximum(1.0 - sin_lat * sin_lat, 0.0))
        dlon = np.arctan2(sin_d * g["sin_az"] * g["cos_lp"], cos_d - g["sin_lp"] * sin_lat)
    lat = np.degrees(np.arctan2(sin_lat, cos_lat))
    lon = np.degrees(dlon + g["lon_p"])
    h = np.maximum(r - _RE_KM, 0.0)
    v = g["vertical"]
    return np.where(v, g["lat_r"], lat), np.where(v, g["lon_r"], lon), np.where(v, s, h)


def _segments(g):
    """Integration intervals per ray, (N, 3) each: start, end, tolerance, used (ICD Annex F.2.3.3).

    The ray is split where it crosses 1000 km and 2000 km; the interval below 1000 km starts at
    the receiver (at 0 km if the receiver is below the sphere) and uses tolerance 0.001, the
    others 0.01.
    """
    rp, vert, hr, hs = g["rp"], g["vertical"], g["h_r"], g["h_s"]

    def dist(h):
        return np.where(vert, h, np.sqrt(np.abs((_RE_KM + h) ** 2 - rp * rp)))

    p0, prec, psat = dist(np.maximum(hr, 0.0)), dist(hr), dist(hs)
    p1, p2 = dist(np.full_like(hr, 1000.0)), dist(np.full_like(hr, 2000.0))
    lo, hi = _KRONROD_TOL
    n = hr.size
    a, b, tol = np.zeros((n, 3)), np.zeros((n, 3)), np.full((n, 3), hi)
    used = np.zeros((n, 3), dtype=bool)
    # (condition, [(start, end, tolerance), ...]) for the six cases of the ICD
    cases = [
        (hs <= 1000.0, [(p0, psat, lo)]),
        ((hs > 1000.0) & (hs <= 2000.0) & (hr >= 1000.0), [(prec, psat, lo)]),
        ((hs > 1000.0) & (hs <= 2000.0) & (hr < 1000.0), [(p0, p1, lo), (p1, psat, hi)]),
        ((hs > 2000.0) & (hr >= 2000.0), [(prec, psat, hi)]),
        ((hs > 2000.0) & (hr >= 1000.0) & (hr < 2000.0), [(prec, p2, hi), (p2, psat, hi)]),
        ((hs > 2000.0) & (hr < 1000.0), [(p0, p1, lo), (p1, p2, hi), (p2, psat, hi)]),
    ]
    for cond, parts in cases:
        for k, (start, end, t) in enumerate(parts):
            a[cond, k], b[cond, k], tol[cond, k] = start[cond], end[cond], t
            used[cond, k] = True
    return a, b, tol, used


def _take(d, idx):
    """Rows ``idx`` of the per-ray arrays of ``d``; 1-D arrays get a trailing axis for the nodes."""
    out = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            v = v[idx]
            out[k] = v[:, None] if v.ndim == 1 else v
        else:
            out[k] = v
    return out


def _kronrod(a, b, ray_idx, geom, ray):
    """K15 and G7 estimates of the integral of the electron density (m^-3 km) over [a, b]."""
    k15 = np.empty(a.size)
    g7 = np.empty(a.size)
    for lo in range(0, a.size, _CHUNK):
        sl = slice(lo, lo + _CHUNK)
        mid = 0.5 * (a[sl] + b[sl])
        half = 0.5 * (b[sl] - a[sl])
        s = mid[:, None] + half[:, None] * _NODES
        idx = ray_idx[sl]
        lat, lon, h = _points_on_ray(s, _take(geom, idx))
        dens = _density(lat, lon, h, _take(ray, idx))
        k15[sl] = half * (dens @ _WEIGHTS_K)
        g7[sl] = half * (dens @ _WEIGHTS_G)
    return k15, g7


def _integrate(a, b, tol, ray_idx, n_rays, geom, ray):
    """Adaptive G7/K15 quadrature of all intervals at once (ICD Annex F.2.6), breadth-first."""
    total = np.zeros(n_rays)
    level = np.zeros(a.size, dtype=np.int64)
    while a.size:
        k15, g7 = _kronrod(a, b, ray_idx, geom, ray)
        err = np.abs(k15 - g7)
        with np.errstate(divide="ignore", invalid="ignore"):
            done = (err / np.abs(k15) <= tol) | (err <= tol) | (level >= _MAX_LEVEL)
        total += np.bincount(ray_idx[done], weights=k15[done], minlength=n_rays)
        keep = ~done
        half = 0.5 * (b[keep] - a[keep])
        split = a[keep] + half
        a = np.concatenate([a[keep], split])
        b = np.concatenate([split, b[keep]])
        tol = np.tile(tol[keep], 2)
        ray_idx = np.tile(ray_idx[keep], 2)
        level = np.tile(level[keep] + 1, 2)
    return total


def _as_rays(ai, rcv, sat, *scalars):
    """Broadcast the inputs to a common leading shape and flatten them to N rays."""
    ai = np.asarray(ai, dtype=np.float64)
    rcv = np.asarray(rcv, dtype=np.float64)
    sat = np.asarray(sat, dtype=np.float64)
    for name, arr, n in (("ai", ai, 3), ("receiver", rcv, 3), ("satellite", sat, 3)):
        if arr.ndim == 0 or arr.shape[-1] != n:
            raise ConfigError(f"NeQuick-G: {name} needs a last axis of length {n}, got shape {arr.shape}")
    scalars = [np.asarray(s) for s in scalars]
    try:
        shapes = [ai.shape[:-1], rcv.shape[:-1], sat.shape[:-1], *(s.shape for s in scalars)]
        shape = np.broadcast_shapes(*shapes)
    except ValueError as exc:
        raise ConfigError(f"NeQuick-G: inputs do not broadcast together: {exc}") from None
    flat = [np.broadcast_to(x, (*shape, 3)).reshape(-1, 3) for x in (ai, rcv, sat)]
    flat += [np.broadcast_to(s, shape).ravel() for s in scalars]
    return shape, flat


def nequick_g_stec(ai, rcv_llh, sat_llh, month, ut_hours) -> np.ndarray:
    """Slant total electron content of NeQuick-G (Galileo ionospheric correction algorithm).

    Inputs are those of the ICD (issue 1.2, sec. 2.3): all arrays broadcast together and every
    element is one ray.

    Parameters
    ----------
    ai : array_like, shape (..., 3)
        Broadcast effective ionisation level coefficients ai0 (sfu), ai1 (sfu/deg),
        ai2 (sfu/deg^2) (Galileo OS SIS ICD 2.0 sec. 5.1.6; RINEX ``GAL`` ionospheric correction).
    rcv_llh : array_like, shape (..., 3)
        Receiver latitude (rad), longitude (rad) and height (m), ellipsoidal.
    sat_llh : array_like, shape (..., 3)
        Satellite latitude (rad), longitude (rad) and height (m), ellipsoidal.
    month : array_like of int
        Month of the year, 1..12 (UTC).
    ut_hours : array_like
        Universal time, hours, 0..24.

    Returns
    -------
    numpy.ndarray
        STEC along the straight receiver-satellite line, TECU (1e16 electrons/m^2); 0 for
        satellites below the receiver's horizon (zenith angle > 90 deg on the model's sphere).
    """
    shape, (ai, rcv, sat, month, ut) = _as_rays(ai, rcv_llh, sat_llh, month, ut_hours)
    month = month.astype(np.int64)
    ut = ut.astype(np.float64)
    if np.any((month < 1) | (month > 12)) or np.any((ut < 0.0) | (ut > 24.0)):
        raise ConfigError("NeQuick-G: month must be 1..12 and ut_hours 0..24")
    if np.any(np.abs(rcv[:, 0]) > 0.5 * np.pi + 1e-12) or np.any(np.abs(sat[:, 0]) > 0.5 * np.pi + 1e-12):
        raise ConfigError("NeQuick-G: latitudes must be within -pi/2..pi/2 rad")
    rcv = np.column_stack([np.degrees(rcv[:, 0]), np.degrees(rcv[:, 1]), rcv[:, 2] * 1e-3])
    sat = np.column_stack([np.degrees(sat[:, 0]), np.degrees(sat[:, 1]), sat[:, 2] * 1e-3])
    geom = _geometry(rcv, sat)
    visible = geom["zenith"] <= 0.5 * np.pi  # also 0 for a satellite straight above
    ray = _ray_parameters(ai, rcv[:, 0], rcv[:, 1], month, ut)
    a, b, tol, used = _segments(geom)
    used &= visible[:, None]
    ray_idx = np.broadcast_to(np.arange(ut.size)[:, None], used.shape)[used]
    total = _integrate(a[used], b[used], tol[used], ray_idx, ut.size, geom, ray)
    # density in m^-3 integrated over km: 1e3 m/km, 1e16 electrons/m^2 per TECU
    return (total * 1.0e3 / _TECU).reshape(shape)


def nequick_g_delay(ai, rcv_llh, sat_xyz, t_gpst_ns) -> np.ndarray:
    """Galileo broadcast ionospheric group delay on E1 from NeQuick-G, metres.

    ``40.3 STEC / f_E1^2`` with STEC from :func:`nequick_g_stec`; the satellite's ECEF position is
    converted to WGS-84 ellipsoidal coordinates (GTRF and WGS-84 agree far below the model's
    resolution) and the time to the UTC month and universal time the ICD needs.

    Parameters
    ----------
    ai : array_like, shape (..., 3)
        ai0 (sfu), ai1 (sfu/deg), ai2 (sfu/deg^2).
    rcv_llh : array_like, shape (..., 3)
        Receiver latitude (rad), longitude (rad) and ellipsoidal height (m).
    sat_xyz : array_like, shape (..., 3)
        Satellite ECEF position, m.
    t_gpst_ns : array_like of int64
        Time of the measurement, GPST nanoseconds.

    Returns
    -------
    numpy.ndarray
        Slant group delay on E1 (1575.42 MHz), m, positive; 0 below the horizon. For another
        carrier use :func:`kompas.models.ionosphere.scale_to_frequency`.
    """
    sat_llh = ecef_to_geodetic(np.asarray(sat_xyz, dtype=np.float64))
    _, month, _, hour, minute, second = gpst_to_calendar(np.asarray(t_gpst_ns, dtype=np.int64), "UTC")
    ut = np.minimum(hour + minute / 60.0 + second / 3600.0, 24.0)  # a leap second stays in the day
    stec = nequick_g_stec(ai, rcv_llh, sat_llh, month, ut)
    return _K_IONO * stec * _TECU / (F_GAL_E1_HZ * F_GAL_E1_HZ)
