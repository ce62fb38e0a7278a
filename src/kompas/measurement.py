"""The code measurement model shared by the recipes: observables -> rows -> satellite states -> corrections.

Per row (epoch, satellite) the modelled pseudorange is (RTKLIB pntpos.c ``rescode``, IS-GPS-200N
20.3.3.4.3)::

    P = |r_sat(t_tx) - r_rcv| + Sagnac + c (dt_rcv - dt_sat(signal)) + I + T

with the satellite state at the transmission time ``t_tx = t_rx - P/c - dt_sat``, the satellite clock of
the signal (or ionosphere-free pair) actually used, ionosphere ``I`` and troposphere ``T``. The steps are
separate functions so that SPP, RTK and PPP compose the same pieces:

1. :func:`select_code`: one pseudorange per row from :class:`~kompas.tables.observables.Observables`
   (the first band with a code, or the first band pair with both codes for the ionosphere-free
   combination);
2. :func:`transmission_states`: satellite positions and the clock of the signals used;
3. :class:`EpochGrid`: rows padded to ``(epochs, slots)`` for batched estimation;
4. :func:`line_of_sight`, :func:`ionosphere`, :func:`troposphere` and :func:`code_variance`: geometry and
   each correction with its variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .constants import C_LIGHT, SYSTEM_CONSTANTS
from .frames import ecef_to_geodetic, enu_rotation, enu_rotation_point, geodetic_point
from .models.combinations import if_coefficients
from .satsys import SYSTEM_LETTERS, sat_system, signal_band
from .tables.observables import NO_SIGNAL

__all__ = [
    "CodeRows",
    "select_code",
    "transmission_states",
    "EpochGrid",
    "line_of_sight",
    "ionosphere",
    "troposphere",
    "reduce_met",
    "code_variance",
    "OMEGA_BY_CODE",
    "line_of_sight_point",
]

OMEGA_BY_CODE = np.array([0.0] + [SYSTEM_CONSTANTS[x].omega_e for x in SYSTEM_LETTERS])
"""Earth rotation rate of each system's ICD by system code (Sagnac correction), rad/s."""


@dataclass(frozen=True)
class CodeRows:
    """One pseudorange per (epoch, satellite).

    Attributes
    ----------
    epoch : numpy.ndarray of int64, shape (R,)
        Index into the epochs of the observables.
    sat : numpy.ndarray of int16, shape (R,)
    code_m : numpy.ndarray, shape (R,)
        The pseudorange used (single band, or the ionosphere-free combination), m.
    signals : numpy.ndarray of uint8, shape (R, 2)
        Signal ids used (second column :data:`~kompas.tables.observables.NO_SIGNAL` for one band).
    weights : numpy.ndarray, shape (R, 2)
        Coefficients of the two signals in ``code_m`` (1, 0 for one band).
    freq_hz : numpy.ndarray, shape (R,)
        Carrier of the single band (ionosphere scaling); NaN for the ionosphere-free combination.
    """

    epoch: np.ndarray
    sat: np.ndarray
    code_m: np.ndarray
    signals: np.ndarray
    weights: np.ndarray
    freq_hz: np.ndarray

    def __len__(self) -> int:
        return int(self.sat.size)

    def take(self, rows) -> CodeRows:
        return CodeRows(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def select_code(ob, single_bands=None, pairs=None) -> CodeRows:
    """Choose one pseudorange per row of an :class:`~kompas.tables.observables.Observables`.

    Parameters
    ----------
    ob : Observables
    single_bands : dict, optional
        Band digits per system letter in order of preference: each row uses the first with a code.
    pairs : dict, optional
        Band pairs per system letter (``{"C": ((2, 6), (1, 5))}``): each row uses the first pair with
        both codes, combined ionosphere-free. Exactly one of the two is given.
    """
    n = len(ob)
    code = np.full(n, np.nan)
    sig = np.full((n, 2), NO_SIGNAL, dtype=np.uint8)
    wts = np.zeros((n, 2))
    freq = np.full(n, np.nan)
    f_all = ob.frequency_hz()
    r = np.arange(n)
    if single_bands is not None:
        for rank in range(max((len(v) for v in single_bands.values()), default=0)):
            col = ob.column({k: v[rank] for k, v in single_bands.items() if rank < len(v)})
            take = np.isnan(code) & (col >= 0)
            c = np.maximum(col, 0)
            val = np.where(take, ob.code_m[r, c], np.nan)
            got = np.isfinite(val)
            code[got], sig[got, 0], wts[got, 0], freq[got] = (
                val[got],
                ob.signal[r, c][got],
                1.0,
                f_all[r, c][got],
            )
    else:
        for rank in range(max((len(v) for v in pairs.values()), default=0)):
            c1 = ob.column({k: v[rank][0] for k, v in pairs.items() if rank < len(v)})
            c2 = ob.column({k: v[rank][1] for k, v in pairs.items() if rank < len(v)})
            a, b = np.maximum(c1, 0), np.maximum(c2, 0)
            p1, p2 = ob.code_m[r, a], ob.code_m[r, b]
            got = np.isnan(code) & (c1 >= 0) & (c2 >= 0) & np.isfinite(p1) & np.isfinite(p2)
            with np.errstate(divide="ignore", invalid="ignore"):  # rows without the pair: masked by got
                g1, g2 = if_coefficients(f_all[r, a], f_all[r, b])
                code[got] = (g1 * p1 + g2 * p2)[got]
            sig[got, 0], sig[got, 1] = ob.signal[r, a][got], ob.signal[r, b][got]
            wts[got, 0], wts[got, 1] = g1[got], g2[got]
    keep = np.isfinite(code)
    return CodeRows(ob.epoch[keep], ob.sat[keep], code[keep], sig[keep], wts[keep], freq[keep])


def transmission_states(product, rows: CodeRows, t_rx_ns, reference_clock: bool = False, select_ns=None):
    """Satellite states at signal transmission and the clock of the signals used (RTKLIB ``satposs``).

    The transmission time is ``t_rx - P/c - dt_sat`` with the broadcast reference clock first, then the
    state is evaluated there; the clock is the combination of the per-signal clocks with the row's
    weights (group delays applied by the product; GLONASS: delta tau_n where the records give it), or,
    with ``reference_clock``, the product's reference clock without group delays (for differences
    between receivers of one satellite's clock at two instants). ``select_ns`` (broadcast products):
    the instants at which the records are selected (:meth:`BroadcastProduct.state`).

    Returns
    -------
    state : SatState
        At transmission (clock of the first signal).
    dts_s : numpy.ndarray
        Satellite clock of the signal or combination used, s.
    """
    t_rx_ns = np.asarray(t_rx_ns, dtype=np.int64)
    clock = getattr(product, "clock", None)  # broadcast: clocks only, no orbit (RTKLIB ephclk)
    sel = {} if select_ns is None else {"select_ns": select_ns}
    st0 = (clock or product.state)(rows.sat, t_rx_ns, -rows.code_m / C_LIGHT, **sel)
    off = -rows.code_m / C_LIGHT - np.nan_to_num(st0.clk_s)
    if reference_clock:
        st = product.state(rows.sat, t_rx_ns, off, **sel)
        return st, st.clk_s
    first = np.where(rows.signals[:, 0] != NO_SIGNAL, rows.signals[:, 0], 0)
    st = product.state(rows.sat, t_rx_ns, off, signal=first)
    dts = rows.weights[:, 0] * st.clk_s
    two = rows.signals[:, 1] != NO_SIGNAL
    if two.any():
        c2 = product.state(rows.sat, t_rx_ns, off, signal=np.where(two, rows.signals[:, 1], first))
        dts = dts + np.where(two, rows.weights[:, 1] * c2.clk_s, 0.0)
    return st, dts


class EpochGrid:
    """Rows of many epochs laid out as a padded ``(epochs, slots)`` grid for batched estimation.

    Parameters
    ----------
    epoch : numpy.ndarray of int64, shape (R,)
        Epoch index of each row, sorted.
    n_epochs : int
    """

    def __init__(self, epoch, n_epochs: int):
        self.epoch = np.asarray(epoch, dtype=np.int64)
        first = np.searchsorted(self.epoch, np.arange(n_epochs))
        self.slot = np.arange(self.epoch.size) - first[self.epoch]
        n_max = int(self.slot.max()) + 1 if self.slot.size else 1
        self.shape = (int(n_epochs), n_max)

    def pad(self, x, fill=np.nan) -> np.ndarray:
        """Rows -> grid, with ``fill`` in empty slots."""
        x = np.asarray(x)
        out = np.full(self.shape + x.shape[1:], fill, dtype=x.dtype)
        out[self.epoch, self.slot] = x
        return out

    def rows(self, grid) -> np.ndarray:
        """Grid -> rows (the inverse of :meth:`pad`)."""
        return np.asarray(grid)[self.epoch, self.slot]


def line_of_sight(sat_pos, rcv_pos, sys_code):
    """Geometric range with the Sagnac term, unit vectors and local angles (RTKLIB ``geodist``/``satazel``).

    Parameters
    ----------
    sat_pos : numpy.ndarray, shape (E, N, 3)
        Satellite positions at transmission (ECEF of transmission time), m.
    rcv_pos : numpy.ndarray, shape (E, 3)
        Receiver positions, m.
    sys_code : numpy.ndarray of int, shape (E, N)
        System codes (each system's Earth rotation rate for the Sagnac term).

    Returns
    -------
    dict
        ``range_m`` (E, N) range plus Sagnac, ``e`` (E, N, 3) unit vectors receiver -> satellite,
        ``az``, ``el`` (E, N) radians (elevation pi/2 where the receiver position is unknown),
        ``llh`` (E, 3), ``rot`` (E, 3, 3) ECEF -> ENU, ``known`` (E,) position is set.
    """
    rr = rcv_pos[:, None, :]
    d = sat_pos - rr
    geo = np.linalg.norm(d, axis=-1)
    omega = OMEGA_BY_CODE[sys_code]
    sagnac = omega * (sat_pos[..., 0] * rr[..., 1] - sat_pos[..., 1] * rr[..., 0]) / C_LIGHT
    e = d / geo[..., None]
    llh = ecef_to_geodetic(rcv_pos)
    known = np.linalg.norm(rcv_pos, axis=1) > 1e6
    rot = enu_rotation(llh[:, 0], llh[:, 1])
    enu = np.einsum("eij,enj->eni", rot, e)
    el = np.where(known[:, None], np.arcsin(np.clip(enu[..., 2], -1, 1)), np.pi / 2)
    az = np.arctan2(enu[..., 0], enu[..., 1])
    return {"range_m": geo + sagnac, "e": e, "az": az, "el": el, "llh": llh, "rot": rot, "known": known}


def line_of_sight_point(sat_pos, rcv_pos, sys_code):
    """:func:`line_of_sight` from one receiver position, bit for bit, without the azimuths: for a filter
    that linearises at one position several times an epoch (:func:`~kompas.frames.geodetic_point`).

    Parameters
    ----------
    sat_pos : numpy.ndarray, shape (N, 3)
    rcv_pos : numpy.ndarray, shape (3,)
    sys_code : numpy.ndarray of int, shape (N,)

    Returns
    -------
    range_m, e, el, llh : numpy.ndarray, shapes (N,), (N, 3), (N,), (3,)
        As :func:`line_of_sight`'s (of its one epoch).
    """
    d = sat_pos - rcv_pos
    geo = np.linalg.norm(d, axis=-1)
    sagnac = OMEGA_BY_CODE[sys_code] * (sat_pos[:, 0] * rcv_pos[1] - sat_pos[:, 1] * rcv_pos[0]) / C_LIGHT
    e = d / geo[:, None]
    lat, lon, h = geodetic_point(rcv_pos)
    x, y, z = (float(v) for v in rcv_pos)
    if math.sqrt(x * x + y * y + z * z) > 1e6:  # known (the sum's rounding matters only within 1e-9 m of it)
        # the same einsum on the same shapes as line_of_sight (its summation order)
        up = np.einsum("eij,enj->eni", enu_rotation_point(lat, lon)[None], e[None])[0, :, 2]
        el = np.arcsin(np.clip(up, -1, 1))
    else:
        el = np.full(geo.shape, np.pi / 2)
    return geo + sagnac, e, el, np.array([lat, lon, h])


def ionosphere(geom, t_ns, sat, sat_pos, freq_hz, iono, errors, iono_model=None):
    """Ionospheric code delay of each row and its variance.

    Parameters
    ----------
    geom : dict
        From :func:`line_of_sight`.
    t_ns : numpy.ndarray, shape (E, N)
        Reception epochs, GPST ns.
    sat : numpy.ndarray, shape (E, N)
        Satellite indices.
    sat_pos : numpy.ndarray, shape (E, N, 3)
    freq_hz : numpy.ndarray, shape (E, N)
        Carrier of the code used (ionosphere scaling).
    iono : {"brdc", "if", "ionex", "off"}
    errors : CodeErrorModel
    iono_model : BroadcastIonosphere or IonexIonosphere, optional
        Serves ``iono="brdc"`` or ``"ionex"``.

    Returns
    -------
    iono_m, var_m2 : numpy.ndarray, shape (E, N)
        No delay with the variance of an uncorrected ionosphere where no model serves; no delay and no
        variance for the ionosphere-free combination.
    """
    el, known, llh = geom["el"], geom["known"], geom["llh"]
    shape = el.shape
    if iono in ("brdc", "ionex") and iono_model is not None:
        from .products.ionosphere import IonoContext

        bc = [np.broadcast_to(llh[:, None, k], shape) for k in range(3)]
        ctx = IonoContext(t_ns, bc[0], bc[1], bc[2], geom["az"], el, sat_pos)
        d, model, fb = iono_model.delay(sat, ctx, freq_hz)
        d = np.where(known[:, None] & np.isfinite(d), d, 0.0)
        factor = np.where(fb, errors.fallback_iono_factor, errors.brdc_iono_factor)
        return d, np.where(model == "", errors.no_iono_m**2, (factor * d) ** 2)
    if iono == "if":
        return np.zeros(shape), np.zeros(shape)
    return np.zeros(shape), np.full(shape, errors.no_iono_m**2)


def reduce_met(pressure_hpa, temperature_k, sensor_height_m, height_m):
    """Measured pressure and temperature moved from the sensor's height to the receiver's, with the
    standard atmosphere's gradients the troposphere model itself uses (``P ~ (1 - 2.2557e-5 h)^5.2568``,
    ``dT/dh = -6.5 K/km``; U.S. Standard Atmosphere 1976, RTKLIB ``tropmodel``). A sensor of unknown
    height is taken to be at the receiver."""
    dh = np.where(np.isfinite(sensor_height_m), np.asarray(height_m) - sensor_height_m, 0.0)
    h_s = np.where(np.isfinite(sensor_height_m), sensor_height_m, height_m)
    ratio = ((1.0 - 2.2557e-5 * (h_s + dh)) / (1.0 - 2.2557e-5 * h_s)) ** 5.2568
    return pressure_hpa * ratio, temperature_k - 6.5e-3 * dh


def troposphere(geom, tropo, errors, met=None):
    """Tropospheric delay of each row (Saastamoinen, RTKLIB ``tropmodel``) and its variance (RTKLIB
    ``ERR_SAAS / (sin el + 0.1)``); the uncorrected variance when off.

    Parameters
    ----------
    geom : dict
        From :func:`line_of_sight` (E epochs).
    tropo : {"saas", "off"}
    errors : CodeErrorModel
    met : dict, optional
        Measured atmosphere per epoch: ``pressure_hpa``, ``temperature_k``, ``humidity`` (E,) arrays at the
        sensor's ``height_m`` (a float, NaN when unknown); NaN elements fall back to the standard atmosphere.
    """
    el, known, llh = geom["el"], geom["known"], geom["llh"]
    shape = el.shape
    if tropo == "off":
        return np.zeros(shape), np.full(shape, errors.no_tropo_m**2)
    from .models.troposphere import saastamoinen

    lat = np.broadcast_to(llh[:, None, 0], shape)
    h = np.broadcast_to(llh[:, None, 2], shape)
    if met is None:
        t = saastamoinen(lat, h, el)
    else:
        p, temp = reduce_met(met["pressure_hpa"], met["temperature_k"], met["height_m"], llh[:, 2])
        rh = np.where(np.isfinite(met["humidity"]), met["humidity"], 0.7)
        t = saastamoinen(lat, h, el, rh[:, None], pressure_hpa=p[:, None], temperature_k=temp[:, None])
    t = np.where(known[:, None] & np.isfinite(t), t, 0.0)
    return t, (errors.saas_m / (np.sin(np.maximum(el, 0.0)) + 0.1)) ** 2


def code_variance(el, sys_code, errors, iono_free: bool):
    """Code noise variance, m^2: RTKLIB ``varerr`` with the usual 1/sin^2(el) growth.

    ``(f_sys f_if sigma)^2 (1 + 1/sin^2 el)`` with the system factor (RTKLIB EFACT), ``f_if = 3`` for
    the ionosphere-free combination, and the elevation floored at sin = 0.05. (RTKLIB 2.4.3 itself
    divides by sin(el), not its square.)
    """
    factors = np.array([errors.system_factor.get(c, 1.0) for c in " " + SYSTEM_LETTERS])[sys_code]
    fact = 3.0 if iono_free else 1.0
    sin_el = np.maximum(np.sin(el), 0.05)
    return (factors * fact * errors.sigma_code_m) ** 2 * (1.0 + 1.0 / sin_el**2)


def bands_of(rows: CodeRows) -> np.ndarray:
    """Band digit of the first signal of each row."""
    return signal_band(rows.signals[:, 0])


def system_codes(rows: CodeRows) -> np.ndarray:
    return sat_system(rows.sat)
