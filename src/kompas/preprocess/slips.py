"""Cycle-slip detection per satellite, band and arc: geometry-free, Melbourne-Wuebbena and LLI.

For every pair of bands ``(a, b)`` tracked together (all pairs, so three or more bands give several
independent views), along each satellite's series in time order (:class:`~kompas.preprocess.tracks.Series`):

Geometry-free (GF) test
    ``GF = lambda_a L_a - lambda_b L_b`` (m) holds geometry, clocks and troposphere out and keeps the
    ionosphere and the ambiguities. Its time difference ``d_k = GF_k - GF_(k-1)`` is smooth (ionosphere
    rate) except at a slip, where it jumps by ``lambda_a n_a - lambda_b n_b``. The test statistic is
    ``r_k = d_k - median(d_(k-2), d_(k-1), d_(k+1), d_(k+2))``: the ionosphere rate cancels to first
    order, one neighbouring slip does not disturb the median. A slip is declared when

        ``|r_k| > k_gf * sigma_r(el_k) + q_iono * dt_k^2``

    with ``sigma_r(el) = s_0 * f(el)`` where ``s_0`` is the robust scale (1.4826 x median absolute value)
    of ``r / f(el)`` over the arc, floored by the a-priori phase noise, and the elevation factor
    ``f(el) = sqrt(1 + 1/sin^2 el) / sqrt(2)`` (RTKLIB's phase error model ``a^2 + b^2/sin^2 el`` with
    ``a = b``, normalised to 1 at the zenith). The ``q_iono dt^2`` term admits the change of the
    ionospheric rate over the sampling interval (second time derivative of the ionosphere). RTKLIB's
    ``detslp_gf`` compares ``|GF_k - GF_(k-1)|`` with a fixed 0.05 m instead (rtkpos.c, thresslip).
    After an outage within the arc (more than 1.5 intervals, up to ``max_gap_s``) ``d_k`` holds the
    ionospheric change of the whole outage, which the one-interval neighbours do not predict (simulated
    1-Hz GPS and GLONASS, 45-s outage, 2 mm/s slant ionosphere: 0.05 m in the median, up to 0.15 m).
    There the statistic is the step ``G`` of a straight line with a step fitted to as many samples on each
    side as the outage lasts intervals (4 to 60), and the threshold
    ``k_gf * sigma_r/sqrt(5) * sqrt((N^-1)_GG) + q_iono dt^2`` follows the step's variance.
    ``k_gf`` and ``k_mw`` are 4.5: on simulated data with elevation-dependent code multipath (4 h, four
    systems, 4 x 500 injected slips of 1-1000 cycles incl. the blind pairs) every slip is found and false
    alarms stay below 0.02 % of the phases; at 4.0 they reach 0.08 % for GPS (0.1 % on one seed).

Melbourne-Wuebbena (MW) test
    ``MW = (f_a L_a - f_b L_b)/(f_a - f_b) - (f_a P_a + f_b P_b)/(f_a + f_b)`` in wide-lane cycles
    (Melbourne 1985, Wuebbena 1985) is free of geometry, clocks and ionosphere and equals
    ``n_a - n_b`` plus biases and code noise. A slip is a *step*: the difference of the means over a
    window of ``M`` samples after and before epoch ``k`` (``M`` = ``mw_window_s`` / interval, within
    5..120 samples) is compared with

        ``max(k_mw * s_0 * f(el_k) * sqrt((1/M_after + 1/M_before) M / 2), mw_min_cyc)``

    where ``s_0`` is the robust scale (1.4826 x median absolute value) over the arc of the step statistic
    itself, divided by ``f(el)`` and by its edge factor ``sqrt((1/M_after + 1/M_before) M / 2)``: code
    multipath correlated over the window does not average out, and this scale says so honestly. The
    scale is computed twice, the second time without the ramps (``+-M`` samples) around steps beyond the
    first threshold, so that the slips of an arc do not inflate it; like the GF scale it is capped at
    ``scale_cap`` times the scale of the system (an arc of a few windows with a large slip is mostly ramp),
    and an arc that is all ramp takes the system's scale. Code multipath need not grow as ``f(el)`` (an
    antenna that rejects low-elevation multipath, a reflector at 20 degrees: WTZR's GLONASS and ESBC's GPS
    and BDS show +-1 wide-lane cycle swings over a few minutes), so a candidate must also exceed ``k_mw``
    times the robust scale of the steps 1 to 3 windows beside it (at least a window of them; its own ramp
    left out). The step peaks at the slip epoch; the local
    maximum among the same-sign values within half a window is kept and moved to the most likely epoch
    of a step between the two window levels (CUSUM with known levels: two slips closer than a window
    flatten the statistic over several epochs), and the windows are cut at the slips found so far and the
    test repeated (up to 4 times). This is Blewitt's (1990)
    TurboEdit wide-lane test made two-sided for post-processing; RTKLIB's ``detslp_mw`` compares each
    epoch with a running mean of the arc (rtkpos.c).

Which band slipped
    A slip in the pair changes the GF by ``G = lambda_a n_a - lambda_b n_b`` and the MW by
    ``N_w = n_a - n_b``; both together give ``n_a = (G - lambda_b N_w) / (lambda_a - lambda_b)`` and
    ``n_b = n_a - N_w`` (Blewitt 1990, eq. 16-17). When ``n_a`` rounds cleanly (within
    ``resolve_tol``) only the bands with a non-zero slip are flagged and the sizes are recorded;
    otherwise both bands of the pair are flagged. A band whose float slip (from the unrounded MW step) is
    beyond ``k_gf`` of its sigma and 1 cycle surely slipped, whether or not it rounds cleanly, unless a
    pair containing it saw nothing; with three or more bands that fixes the smallest set of slipped
    bands consistent with every pair. The two combinations cover each other's blind slips:
    ``n_a / n_b = f_a / f_b`` (77/60 on GPS L1/L2, 9/7 on every GLONASS FDMA channel, 763/620 on BDS
    B1I/B3I) leaves the GF unchanged and moves the MW by ``n_a - n_b``; ``n_a = n_b`` leaves the MW
    unchanged and moves the GF by ``n (lambda_a - lambda_b)`` (4-7 cm per cycle).

Loss of lock and gaps
    RINEX LLI bit 0 (RINEX 3.05 sec. 5.7) flags a slip on its band; an interruption of a band's phase
    longer than ``max_gap_s`` starts a new arc; the first phase of a satellite starts one.

GLONASS FDMA wavelengths come from the satellites' channels (``glo_channels``); BeiDou GEO satellites
are treated like every other satellite (their slow geometry only helps both tests).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..config import Options, option
from ..constants import C_LIGHT
from ..errors import ConfigError
from ..estimators.grouped import group_median
from ..frames import check_radians
from ..satsys import sat_system
from .tracks import Series, default_max_gap_s, require_observables

__all__ = ["SlipOptions", "SlipFlags", "Cause", "detect_slips", "elevation_factor"]

_BLOCK = 1 << 18
"""Elements per block of the steps computed block by block (each element on its own)."""


class Cause:
    """Bits of :attr:`SlipFlags.cause`."""

    START = 1  #: first phase of the satellite on this band
    GAP = 2  #: the band's phase resumes after an interruption longer than ``max_gap_s``
    LLI = 4  #: RINEX loss-of-lock indicator bit 0
    GF = 8  #: geometry-free test
    MW = 16  #: Melbourne-Wuebbena test
    SLIP = LLI | GF | MW
    NEW_ARC = START | GAP | LLI | GF | MW


@dataclass(frozen=True)
class SlipOptions(Options):
    """Thresholds of the cycle-slip tests (module docstring for the formulas)."""

    max_gap_s: float | None = option(
        None, "longest interruption that keeps an arc (default: 5 intervals, >= 60 s)", unit="s", low=0.0
    )
    gf_k: float = option(4.5, "geometry-free test threshold in robust sigmas", low=1.0, flag="--gf-k")
    gf_floor_m: float = option(
        0.003, "a-priori zenith noise of the geometry-free statistic (floor)", unit="m", low=0.0
    )
    gf_iono_mps2: float = option(
        5e-6, "admitted change of the geometry-free ionosphere rate (term q dt^2)", unit="m/s^2", low=0.0
    )
    mw_k: float = option(4.5, "Melbourne-Wuebbena step threshold in robust sigmas", low=1.0, flag="--mw-k")
    mw_min_cyc: float = option(
        0.75, "smallest Melbourne-Wuebbena step taken as a slip", unit="cycle", low=0.0
    )
    mw_window_s: float = option(300.0, "Melbourne-Wuebbena averaging window on each side", unit="s", low=0.0)
    resolve_tol_cyc: float = option(
        0.3, "largest distance to an integer of a band's estimated slip to trust it", unit="cycle", low=0.0
    )
    scale_cap: float = option(
        4.0, "largest robust scale of an arc, in multiples of its system's pooled scale", low=1.0
    )
    use_lli: bool = option(True, "a loss-of-lock indicator (bit 0) is a slip", flag="--lli")


@dataclass(frozen=True)
class SlipFlags:
    """Cycle slips and ambiguity arcs per cell of an :class:`~kompas.tables.observables.Observables`.

    Attributes
    ----------
    slip : numpy.ndarray of bool, shape (R, B)
        A cycle slip on a continuing arc at this cell (LLI, GF or MW; not the start of an arc).
    cause : numpy.ndarray of uint8, shape (R, B)
        :class:`Cause` bits (0: the phase continues the arc; also 0 where there is no phase).
    size_cyc : numpy.ndarray, shape (R, B)
        Estimated slip of the band in its own cycles where the pair resolved it; NaN otherwise.
    arc : numpy.ndarray of int64, shape (R, B)
        Ambiguity arc number (unique over satellites and bands; -1 where there is no phase). A new
        number starts at every cell whose ``cause`` is non-zero.
    tested : numpy.ndarray of bool, shape (R, B)
        The cell was checked by a dual-frequency test (a single-band phase only gets LLI and gaps).
    interval_s : float
        Sampling interval used to scale the thresholds, s.
    """

    slip: np.ndarray
    cause: np.ndarray
    size_cyc: np.ndarray
    arc: np.ndarray
    tested: np.ndarray
    interval_s: float

    @property
    def n_slips(self) -> int:
        return int(self.slip.sum())


def elevation_factor(el_rad) -> np.ndarray:
    """``sqrt(1 + 1/sin^2 el) / sqrt(2)`` with el floored at 5 deg (1 at the zenith); 1 where unknown."""
    el = np.asarray(el_rad, dtype=float)
    s = np.sin(np.maximum(np.where(np.isfinite(el), el, np.pi / 2), np.radians(5.0)))
    return np.sqrt(0.5 + 0.5 / s**2)


def _interval(ob) -> float:
    t = np.unique(ob.epoch_time_ns[np.unique(ob.epoch)]) if len(ob) else ob.epoch_time_ns
    if t.size < 2:
        return 30.0
    return float(np.median(np.diff(t))) * 1e-9


def detect_slips(ob, elevation_rad=None, glo_channels=None, options: SlipOptions | None = None,
                 interval_s: float | None = None) -> SlipFlags:  # fmt: skip
    """Detect cycle slips in every band of every satellite (module docstring).

    Parameters
    ----------
    ob : Observables
        From ``obs.observables(bands)``; rows of any epochs and satellites, in any order.
    elevation_rad : numpy.ndarray, shape (R,), optional
        Elevation of each row, rad; without it the thresholds do not depend on elevation.
    glo_channels : GlonassChannels, optional
        GLONASS FDMA channels (from the RINEX header or navigation data) for the exact wavelengths;
        without them channel 0 is assumed, which shifts only the estimated slip sizes.
    options : SlipOptions or mapping, optional
        Thresholds; a mapping (``{"gf_k": 3.0}``) changes the named ones of the defaults.
    interval_s : float, optional
        Sampling interval, s (default: the median epoch spacing).

    Returns
    -------
    SlipFlags
    """
    require_observables(ob, "detect_slips")
    opt = SlipOptions.of(options)
    n_rows, n_bands = ob.phase_cyc.shape
    dt0 = float(interval_s) if interval_s else _interval(ob)
    if not dt0 > 0:
        raise ConfigError(f"interval must be positive, not {dt0}")
    max_gap = opt.max_gap_s if opt.max_gap_s is not None else default_max_gap_s(dt0)
    if max_gap < dt0:  # every epoch would open a new arc: no slip could ever be found
        raise ConfigError(f"max_gap_s ({max_gap:g} s) is shorter than the sampling interval ({dt0:g} s)")
    freq = ob.frequency_hz(glo_channels)
    t_ns = ob.time_ns
    el = None if elevation_rad is None else np.asarray(elevation_rad, dtype=float)
    if el is not None:
        if el.shape != (n_rows,):
            raise ConfigError(
                f"elevation_rad must be one elevation per row: shape {el.shape} for {n_rows} rows"
            )
        check_radians(el, "elevation_rad", "el")
    fel = elevation_factor(el if el is not None else np.full(n_rows, np.nan))
    has_phase = np.isfinite(ob.phase_cyc) & np.isfinite(freq)
    cause = np.zeros((n_rows, n_bands), dtype=np.uint8)
    size = np.full((n_rows, n_bands), np.nan)
    tested = np.zeros((n_rows, n_bands), dtype=bool)
    for b in range(n_bands):
        s = Series.build(ob.sat, t_ns, has_phase[:, b], max_gap)
        cause[s.rows[s.new_sat], b] |= Cause.START
        cause[s.rows[s.gap], b] |= Cause.GAP
    if opt.use_lli:
        lli = ((ob.lli & 1) != 0) & has_phase & (cause == 0)
        cause[lli] |= Cause.LLI
    _combine_pairs(ob, has_phase, freq, fel, opt, max_gap, dt0, cause, size, tested)
    slip = (cause & Cause.SLIP) != 0
    arc = _arcs(ob, has_phase, cause, max_gap)
    size[~slip] = np.nan  # in place: the sizes of slips only, without a second (R, B) array
    return SlipFlags(slip, cause, size, arc, tested, dt0)


def _combine_pairs(ob, has_phase, freq, fel, opt, max_gap, dt0, cause, size, tested) -> None:
    """Run every band pair and decide per band (module docstring, "Which band slipped").

    Union rule: a band is flagged where a pair containing it detected a slip that the other band's
    loss-of-lock indicator does not explain, unless another pair containing it passed both tests at that
    row (no slip is blind to both combinations at once), or a trusted resolution of a pair gave it a zero
    slip. Where three or more bands give a unique smallest set of slipped bands consistent with every
    pair's verdict (:func:`_smallest_explanation`), that set replaces the union.
    """
    n_rows, n_bands = has_phase.shape
    det_any = np.zeros((n_rows, n_bands), dtype=bool)
    by_gf = np.zeros((n_rows, n_bands), dtype=bool)
    clean = np.zeros((n_rows, n_bands), dtype=bool)
    zero = np.zeros((n_rows, n_bands), dtype=bool)
    nonzero = np.zeros((n_rows, n_bands), dtype=bool)
    sure_any = np.zeros((n_rows, n_bands), dtype=bool)
    quiet = np.zeros((n_rows, n_bands), dtype=bool)
    verdicts = []
    for a in range(n_bands):
        for b in range(a + 1, n_bands):
            both = has_phase[:, a] & has_phase[:, b] & (freq[:, a] != freq[:, b])
            if not both.any():
                continue
            res = _pair(ob, a, b, both, freq, fel, opt, max_gap, dt0, cause)
            rows, ok, both_tests, det, gf_hit, trusted, na, nb, single, sure_a, sure_b = res
            v = np.zeros((3, n_rows), dtype=bool)  # detected, sees any single-band slip, sees every slip
            v[0, rows[det]] = v[1, rows[ok & single & ~det]] = v[2, rows[both_tests & ~det]] = True
            verdicts.append((a, b, v))
            for col, other, n, sure in ((a, b, na, sure_a), (b, a, nb, sure_b)):
                # a detection is explained by the other band where the receiver reported its loss of lock
                mine = det & ((cause[rows, other] & Cause.LLI) == 0)
                tested[rows[ok], col] = True
                det_any[rows[mine], col] = True
                by_gf[rows[mine & gf_hit], col] = True
                clean[rows[both_tests & ~det], col] = True
                zero[rows[det & trusted & (n == 0)], col] = True
                nonzero[rows[det & trusted & (n != 0)], col] = True
                sure_any[rows[det & sure], col] = True
                quiet[rows[ok & ~det], col] = True
                known = det & trusted & (n != 0) & np.isnan(size[rows, col])
                size[rows[known], col] = n[known]
    # a sure float slip counts where no pair containing the band is quiet (a code jump with the phase, as
    # on ESBC's GLONASS L3, biases the MW step and so the float slip of the pair's other band)
    nonzero |= sure_any & ~quiet
    flag = det_any & ~clean & ~zero
    best, unique = _smallest_explanation(verdicts, n_bands, (cause & Cause.LLI) != 0, zero, nonzero)
    flag[unique] = best[unique]
    cause[flag & by_gf] |= Cause.GF
    cause[flag & ~by_gf] |= Cause.MW


def _smallest_explanation(verdicts, n_bands, lli, zero, nonzero):
    """Per row with a detection: the smallest set of slipped bands consistent with every pair's verdict.

    A set ``S`` is consistent when every pair that detected has a band in ``S``; no pair that did not
    detect, but would have seen a slip of one of its bands alone, has exactly one band in ``S``; no pair
    that would have seen any slip has a band in ``S``; and trusted resolutions (a band's slip zero or not)
    hold. Bands with a loss-of-lock indicator cost nothing. One slipped band explains the jumps of three
    pairs on four bands better than three bands slipping together by the same amount.

    Returns
    -------
    best : numpy.ndarray of bool, shape (R, B)
        The smallest consistent set (meaningful where ``unique``).
    unique : numpy.ndarray of bool, shape (R,)
        A single smallest set exists (rows with a detection and at least three bands only).
    """
    n_rows = lli.shape[0]
    best = np.zeros((n_rows, n_bands), dtype=bool)
    unique = np.zeros(n_rows, dtype=bool)
    if n_bands < 3 or not verdicts:
        return best, unique
    rows = np.flatnonzero(np.any([v[0] for _, _, v in verdicts], axis=0))
    if rows.size == 0:
        return best, unique
    cost_best = np.full(rows.size, np.inf)
    n_best = np.zeros(rows.size, dtype=np.int64)
    pick = np.zeros(rows.size, dtype=np.int64)
    for subset in range(1, 1 << n_bands):
        inset = np.array([(subset >> k) & 1 for k in range(n_bands)], dtype=bool)
        ok = ~np.any(zero[rows][:, inset], axis=1) & ~np.any(nonzero[rows][:, ~inset], axis=1)
        for a, b, v in verdicts:
            k = int(inset[a]) + int(inset[b])
            det, single, every = v[0, rows], v[1, rows], v[2, rows]
            ok &= ~(det & (k == 0)) & ~(single & (k == 1)) & ~(every & (k > 0))
        cost = np.sum(inset[None, :] & ~lli[rows], axis=1).astype(float)
        cost = np.where(ok, cost, np.inf)
        better = cost < cost_best
        tie = (cost == cost_best) & np.isfinite(cost)
        n_best = np.where(better, 1, n_best + tie)
        pick = np.where(better, subset, pick)
        cost_best = np.minimum(cost, cost_best)
    good = (n_best == 1) & np.isfinite(cost_best)
    r = rows[good]
    unique[r] = True
    best[r] = ((pick[good][:, None] >> np.arange(n_bands)[None, :]) & 1).astype(bool)
    return best, unique


def _arcs(ob, has_phase, cause, max_gap) -> np.ndarray:
    """Arc numbers: a new one at every cell with a cause, unique over bands."""
    n_rows, n_bands = has_phase.shape
    arc = np.full((n_rows, n_bands), -1, dtype=np.int64)
    base = 0
    for b in range(n_bands):
        s = Series.build(ob.sat, ob.time_ns, has_phase[:, b], max_gap)
        new = cause[s.rows, b] != 0
        if s.rows.size:
            new[0] = True
        ids = np.cumsum(new) - 1 + base
        arc[s.rows, b] = ids
        base = int(ids[-1]) + 1 if ids.size else base
    return arc


def _gf_statistic(s: Series, gf, fel, opt: SlipOptions, group, gap, k_win):
    """The GF statistic ``r``, its threshold and scale along a series (module docstring).

    Two passes: the second predicts ``d_k`` from the neighbours that the first did not flag, so two slips
    a few epochs apart no longer corrupt the median of the epochs between them, and the flagged values
    leave the scale. After a gap within the arc (more than 1.5 sampling intervals) ``d_k`` holds the
    ionospheric change of the whole gap, which one-interval neighbours cannot predict: there ``r`` is the
    step of a straight line fitted across the gap (:func:`_gf_jump`; ``gap`` and ``k_win`` from
    :func:`_gap_windows`) and the threshold follows the step's own variance.
    """
    d = gf - s.shift(gf, -1)
    dt = s.t_s - s.shift(s.t_s, -1)
    iono = opt.gf_iono_mps2 * np.nan_to_num(dt) ** 2
    # r = e_k - e_(k-1) - median(...): about sqrt(5) times the GF noise for white phase noise
    floor = opt.gf_floor_m * np.sqrt(5.0)
    hit = np.zeros(d.size, dtype=bool)
    for _ in range(2):
        r = d - _neighbour_median(s, np.where(hit | gap, np.nan, d))
        u = np.where(hit | gap, np.nan, np.abs(r) / fel)
        sigma0 = _robust_scale(s, u, group, opt.scale_cap)
        sigma = np.maximum(np.nan_to_num(sigma0, nan=floor), floor) * fel
        thr = opt.gf_k * sigma + iono
        if gap.any():
            g, vf = _gf_jump(s, gf, hit | gap, k_win, at=gap)
            fit = np.isfinite(g)
            r = np.where(fit, g, r)
            thr = np.where(fit, opt.gf_k * sigma / np.sqrt(5.0) * np.sqrt(np.abs(vf)) + iono, thr)
        hit = np.isfinite(r) & (np.abs(r) > thr)
    return r, thr, sigma


def _gap_windows(s: Series, dt0: float):
    """Elements that follow a gap within their segment, and the samples per side of the fit across it.

    The fit takes as many samples on each side as the gap lasts intervals (4 to 60): the slope it carries
    across the gap is then known about as well as the step itself (a 46-s gap at 1 Hz: step sigma 0.74
    GF sample sigmas), and with equal windows on both sides a constant ionospheric acceleration
    cancels from the step.
    """
    dt = s.t_s - s.shift(s.t_s, -1)
    gap = np.isfinite(dt) & (dt > 1.5 * dt0)
    k = np.clip(np.ceil(np.nan_to_num(dt) / dt0), 4, 60).astype(np.int64)
    return gap, np.where(gap, k, 4)


def _neighbour_median(s: Series, d) -> np.ndarray:
    """Median of the finite ``d`` at positions -2, -1, +1, +2 of the same segment (0 where none)."""
    neigh = np.sort(np.stack([s.shift(d, k) for k in (-2, -1, 1, 2)]), axis=0)  # NaN sorts last
    n = np.isfinite(neigh).sum(axis=0)
    lo = np.take_along_axis(neigh, np.maximum((n - 1) // 2, 0)[None], axis=0)[0]
    hi = np.take_along_axis(neigh, np.maximum(n // 2, 0)[None], axis=0)[0]
    return np.where(n > 0, 0.5 * (lo + hi), 0.0)


def _robust_scale(s: Series, u, group, cap: float) -> np.ndarray:
    """1.4826 x median of ``u`` per segment, at most ``cap`` times the median of ``u`` over its group.

    ``group`` (per element, e.g. the system) pools the segments whose noise should be alike: a segment whose
    values are mostly outliers (a phase that jumps at most epochs) would otherwise set its own threshold
    above its jumps. A segment without any finite value (every element an outlier or at a break) gets the
    pooled scale.
    """
    seg = 1.4826 * group_median(u, s.seg, s.n_segments)[s.seg]
    g = np.asarray(group, dtype=np.int64)
    pooled = np.full(g.size, np.nan)
    for x in np.unique(g):  # a few systems: one partition each instead of a sort of everything
        m = g == x
        v = u[m]
        v = v[np.isfinite(v)]
        if v.size:
            pooled[m] = 1.4826 * np.median(v)
    return np.where(
        np.isfinite(pooled), np.where(np.isfinite(seg), np.minimum(seg, cap * pooled), pooled), seg
    )


def _mw_statistic(s: Series, base: Series, mw, fel, opt: SlipOptions, m: int, group):
    """Window step of the MW series, its scale and the local-peak mask (module docstring).

    ``s`` cuts the windows at the slips found so far; ``base`` (same elements, cut only at satellites and
    gaps) groups the elements whose robust scale is shared, capped like the GF scale by ``scale_cap``
    times the scale of the elements' ``group`` (system): an arc of a few windows with a large slip is
    mostly ramp, and its own median would set the threshold above the slip.
    """
    # each intermediate is let go once used: this runs on every phase of a band pair, four times
    mean_b, n_b, mean_a, n_a = s.window_mean(mw, m, m)
    step = mean_a - mean_b
    del mean_b, mean_a
    both_windows = (n_a > 0) & (n_b > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        edge = np.sqrt((1.0 / n_a + 1.0 / n_b) * m / 2.0)  # 1 for full windows, larger near arc ends
    del n_a, n_b
    u = np.abs(step / (fel * edge))
    first = _robust_scale(base, u, group, opt.scale_cap)
    # second pass without the ramps of large steps (slips would inflate the scale of a short arc); an arc
    # that is all ramp gets its system's scale
    ramp = _near(s, np.nan_to_num(u) > opt.mw_k * first, m)
    del first
    u[ramp] = np.nan
    sigma0 = _robust_scale(base, u, group, opt.scale_cap)
    del u, ramp
    sig_el = sigma0 * fel
    del sigma0
    sig_step = sig_el * edge
    thr = np.where(np.isfinite(sig_step), np.maximum(opt.mw_k * sig_step, opt.mw_min_cyc), np.inf)
    del sig_step
    mag = np.abs(np.nan_to_num(step))
    peak = both_windows & (mag > thr)
    del thr, both_windows
    # code multipath need not grow as f(el) (a choke ring at 5 deg, a reflector at 20): a candidate must
    # also stand out from the steps beside its own ramp (M to 3M positions away, at least M of them)
    c = np.flatnonzero(peak)
    local = _local_median(base, np.abs(step / edge), c, m, 3 * m)
    peak[c] = mag[c] > opt.mw_k * np.fmax(sig_el[c], 1.4826 * local) * edge[c]
    # local maximum among the same-sign values within half a window (an opposite ramp is another slip)
    sgn = np.sign(np.nan_to_num(step))
    # only the candidates: >= every same-sign value up to half a window after, > every one before
    c = np.flatnonzero(peak)
    h = max(m // 2, 1)
    off = np.r_[np.arange(1, h + 1), -np.arange(1, h + 1)]
    j = c[:, None] + off[None, :]
    inside = (j >= s.start[c][:, None]) & (j < s.stop[c][:, None])
    jc = np.clip(j, 0, max(mag.size - 1, 0))
    other = np.where(inside & (sgn[jc] == sgn[c][:, None]), mag[jc], 0.0)
    beats = np.where(off[None, :] > 0, mag[c][:, None] >= other, mag[c][:, None] > other)
    peak[c] = beats.all(axis=1)
    return step, peak, sig_el


def _local_median(s: Series, v, pos, inner: int, outer: int) -> np.ndarray:
    """Median of the finite ``v`` more than ``inner`` and at most ``outer`` positions from each of ``pos`` in
    its segment; NaN where fewer than ``inner`` such values exist."""
    if pos.size == 0:
        return np.zeros(0)
    off = np.r_[-np.arange(inner + 1, outer + 1), np.arange(inner + 1, outer + 1)]
    j = pos[:, None] + off[None, :]
    inside = (j >= s.start[pos][:, None]) & (j < s.stop[pos][:, None])
    w = np.where(inside, v[np.clip(j, 0, v.size - 1)], np.nan)
    enough = np.isfinite(w).sum(axis=1) >= inner
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a candidate without neighbours
        return np.where(enough, np.nanmedian(w, axis=1), np.nan)


def _step_across(s: Series, base: Series, mw, pos, m: int):
    """MW step at break positions ``pos`` of ``s``: window after in its piece, window before in the previous
    piece of the same base segment; and the edge factor ``sqrt((1/n_a + 1/n_b) M / 2)``."""
    c = np.concatenate([[0.0], np.cumsum(mw)])
    prev_ok = pos - 1 >= base.start[pos]
    lo = np.where(prev_ok, np.maximum(pos - m, s.start[np.maximum(pos - 1, 0)]), pos)
    hi = np.minimum(pos + m, s.stop[pos])
    n_b, n_a = pos - lo, hi - pos
    with np.errstate(divide="ignore", invalid="ignore"):
        step = (c[hi] - c[pos]) / n_a - (c[pos] - c[lo]) / n_b
        edge = np.sqrt((1.0 / n_a + 1.0 / n_b) * m / 2.0)
    return step, edge


def _mw_slips(ob, a, b, base: Series, freq, fel, opt, dt0, gf_rows):
    """Iterated MW step detection on bands ``a``/``b`` with the windows cut at the slips already found.

    ``base`` is the series of the rows with both phases and both codes, cut at satellites and gaps.
    Returns, per row of the observables, the MW detections (not already GF detections), the MW step at
    every detection (GF or MW) and its standard deviation.
    """
    from ..models.combinations import melbourne_wubbena

    n_rows = ob.sat.size
    m = int(np.clip(round(opt.mw_window_s / dt0), 5, 120))
    r2 = base.rows
    group = sat_system(ob.sat[r2])
    mw = melbourne_wubbena(ob.phase_cyc[r2, a], ob.phase_cyc[r2, b], ob.code_m[r2, a], ob.code_m[r2, b],
                           freq[r2, a], freq[r2, b])  # fmt: skip
    brk = np.zeros(n_rows, dtype=bool)
    brk[gf_rows] = True
    found = np.zeros(n_rows, dtype=bool)
    for _ in range(4):
        s = base.with_breaks(brk)
        _, peak, sig_el = _mw_statistic(s, base, mw, fel[r2], opt, m, group)
        peak &= ~brk[r2]
        if not peak.any():
            break
        pos = _locate(s, mw, np.flatnonzero(peak), m)
        pos = pos[~brk[r2[pos]]]
        brk[r2[pos]] = True
        found[r2[pos]] = True
    s = base.with_breaks(brk)
    pos = np.flatnonzero(brk[r2])
    st, edge = _step_across(s, base, mw, pos, m)
    step_row = np.full(n_rows, np.nan)
    sig_row = np.full(n_rows, np.inf)
    step_row[r2[pos]] = st
    sig_row[r2[pos]] = sig_el[pos] * edge
    _, n_b, _, n_a = s.window_mean(mw, m, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        full = sig_el * np.sqrt((1.0 / n_a + 1.0 / n_b) * m / 2.0)
    thr_row = np.full(n_rows, np.inf)
    thr_row[r2] = np.where(np.isfinite(full), np.maximum(opt.mw_k * full, opt.mw_min_cyc), np.inf)
    return found, step_row, sig_row, thr_row


def _locate(s: Series, x, pos, m: int) -> np.ndarray:
    """Most likely epoch of the step found at positions ``pos`` of ``x``, within half a window.

    The window statistic of a step that has another step (or the end of its piece) within a window is
    flat over several epochs, and its peak may sit a few epochs off. With the levels before and after
    (``mu_b``, ``mu_a``: means over a window on each side) the maximum-likelihood epoch of a step in
    white noise maximises ``S(j) = sgn(mu_a - mu_b) sum_(i >= j) (x_i - (mu_a + mu_b)/2)`` over the window
    (a CUSUM with known levels, Page 1954); ``j`` stays within the piece and half a window of the peak.
    """
    if pos.size == 0:
        return pos
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.maximum(pos - m, s.start[pos])
    hi = np.minimum(pos + m, s.stop[pos])
    with np.errstate(divide="ignore", invalid="ignore"):
        mid = 0.5 * ((c[pos] - c[lo]) / (pos - lo) + (c[hi] - c[pos]) / (hi - pos))
        sgn = np.sign((c[hi] - c[pos]) / (hi - pos) - (c[pos] - c[lo]) / (pos - lo))
    h = max(m // 2, 1)
    j = pos[:, None] + np.arange(-h, h + 1)[None, :]
    ok = (j > lo[:, None]) & (j < hi[:, None])
    jc = np.clip(j, 0, x.size - 1)
    score = sgn[:, None] * ((c[hi][:, None] - c[jc]) - mid[:, None] * (hi[:, None] - jc))
    score = np.where(ok & np.isfinite(score), score, -np.inf)
    best = jc[np.arange(pos.size), np.argmax(score, axis=1)]
    return np.where(np.isfinite(score.max(axis=1)), best, pos)


def _near(s: Series, hit, h: int) -> np.ndarray:
    """Elements within ``h`` positions of a True element of ``hit`` in the same segment."""
    i = np.arange(hit.size)
    big = hit.size + h + 1
    last = np.maximum.accumulate(np.where(hit, i, -big)) if hit.size else i
    nxt = np.minimum.accumulate(np.where(hit, i, 2 * big)[::-1])[::-1] if hit.size else i
    return ((i - last <= h) & (last >= s.start)) | ((nxt - i <= h) & (nxt < s.stop))


def _blind_mw_cycles(fa, fb) -> np.ndarray:
    """Smallest MW change of a GF-blind slip ``(p, q)`` with ``p/q = f_a/f_b`` in lowest terms: ``|p - q|``.

    2 on GLONASS FDMA G1/G2 (9/7 on every channel), 17 on GPS L1/L2 (77/60), 143 on BDS B1I/B3I.
    """
    from fractions import Fraction

    # Hz: every carrier is a whole number below 2^31, so one int64 holds the pair
    # per block: a value depends on its own pair only, and the unique pairs' sort is then block-long
    out = np.empty(np.size(fa))
    for i in range(0, out.size, _BLOCK):
        ka, kb = np.round(fa[i : i + _BLOCK]), np.round(fb[i : i + _BLOCK])
        key = ka.astype(np.int64) * (1 << 31) + kb.astype(np.int64)
        uniq, inv = np.unique(key, return_inverse=True)
        val = np.array([abs((fr := Fraction(int(k >> 31), int(k & ((1 << 31) - 1))).limit_denominator(1000))
                            .numerator - fr.denominator) for k in uniq], float)  # fmt: skip
        out[i : i + key.size] = val[inv.ravel()]
    return out


def _gf_jump(s: Series, gf, det, k=4, at=None):
    """GF jump at the detections: least-squares line with a step over ``k`` samples on each side.

    The model ``gf = alpha + beta (t - t_p) + G H(t >= t_p)`` is fitted to the samples of the same piece
    (cut at the segment bounds and the neighbouring detections). ``G`` is less noisy than the statistic
    ``r``: for white noise about 1.45 GF sample sigmas with 4 + 4 samples
    (``sqrt(2.1)``, the ``(N^-1)_GG`` of that design), against about 2.2 (``sqrt(5)``) for ``r``.

    Parameters
    ----------
    s : Series
    gf : numpy.ndarray, shape (n,)
        Geometry-free combination along the series, m.
    det : numpy.ndarray of bool, shape (n,)
        Detections: the windows end at them.
    k : int or numpy.ndarray of int, shape (n,)
        Samples on each side, per element.
    at : numpy.ndarray of bool, shape (n,), optional
        Where to fit (default ``det``); every ``at`` element must be in ``det``.

    Returns
    -------
    g, var_factor : numpy.ndarray, shape (n,)
        Jump (m) at the fitted elements (NaN elsewhere) and ``(N^-1)_GG``, the variance of ``G`` per unit
        sample variance.
    """
    n = gf.size
    g = np.full(n, np.nan)
    vf = np.full(n, np.nan)
    pos = np.flatnonzero(det if at is None else at)
    if pos.size == 0:
        return g, vf
    kp = np.broadcast_to(np.asarray(k, dtype=np.int64), (n,))[pos]
    kmax = int(kp.max())
    mark = np.where(det, np.arange(n), -1)
    prev = np.concatenate([[-1], np.maximum.accumulate(mark)[:-1]])[pos]
    nxt_mark = np.where(det, np.arange(n), n)
    nxt = np.concatenate([np.minimum.accumulate(nxt_mark[::-1])[::-1][1:], [n]])[pos]
    lo = np.maximum.reduce([pos - kp, s.start[pos], prev])
    hi = np.minimum.reduce([pos + kp, s.stop[pos], nxt])
    j = np.arange(-kmax, kmax)
    idx = pos[:, None] + j[None, :]
    w = ((idx >= lo[:, None]) & (idx < hi[:, None])).astype(float)
    idx = np.clip(idx, 0, n - 1)
    y = np.where(w > 0, gf[idx], 0.0)
    w = w * np.isfinite(y)
    y = np.nan_to_num(y)
    t = s.t_s[idx] - s.t_s[pos][:, None]
    a = np.stack([np.ones_like(t), t, (j >= 0)[None, :] * np.ones_like(t)], axis=-1)
    nmat = np.einsum("pj,pji,pjk->pik", w, a, a)
    rhs = np.einsum("pj,pji,pj->pi", w, a, y)
    good = (w[:, :kmax].sum(1) >= 2) & (w[:, kmax:].sum(1) >= 1) & (np.abs(np.linalg.det(nmat)) > 1e-9)
    if good.any():
        inv = np.linalg.inv(nmat[good])
        sol = np.einsum("pik,pk->pi", inv, rhs[good])
        g[pos[good]] = sol[:, 2]
        vf[pos[good]] = inv[:, 2, 2]
    return g, vf


def _pair(ob, a, b, both, freq, fel, opt, max_gap, dt0, cause):
    """GF and MW tests of bands ``a`` and ``b``: per row of the pair, the detections and slip sizes."""
    s = Series.build(ob.sat, ob.time_ns, both, max_gap)
    rows = s.rows
    # the pair's wavelengths only (the same quotients as of a whole (R, B) wavelength table)
    la, lb = C_LIGHT / freq[rows, a], C_LIGHT / freq[rows, b]
    gf = ob.phase_cyc[rows, a] * la - ob.phase_cyc[rows, b] * lb
    gap, k_win = _gap_windows(s, dt0)
    r, thr, sig_r = _gf_statistic(s, gf, fel[rows], opt, sat_system(ob.sat[rows]), gap, k_win)
    ok = np.isfinite(r)
    gf_hit = ok & (np.abs(r) > thr)
    n_rows = ob.sat.size
    step_row = np.full(n_rows, np.nan)
    sig_row = np.full(n_rows, np.inf)
    mw_row = np.zeros(n_rows, dtype=bool)
    mw_thr = np.full(n_rows, np.inf)
    codes = both & np.isfinite(ob.code_m[:, a]) & np.isfinite(ob.code_m[:, b])
    if codes.any():
        # the MW series is the pair's own where every row with both phases has both codes (as usual)
        base = s if np.array_equal(codes, both) else Series.build(ob.sat, ob.time_ns, codes, max_gap)
        mw_row, step_row, sig_row, mw_thr = _mw_slips(ob, a, b, base, freq, fel, opt, dt0, rows[gf_hit])
    det = (gf_hit | mw_row[rows]) & ((cause[rows, a] | cause[rows, b]) & (Cause.START | Cause.GAP) == 0)
    g_fit, vf = _gf_jump(s, gf, det, k_win)
    del gf, k_win
    g = np.where(np.isfinite(g_fit), g_fit, r)
    # sig_r is the scale of r, about sqrt(5) GF sample sigmas
    sig_g = np.where(np.isfinite(vf), sig_r / np.sqrt(5.0) * np.sqrt(np.abs(vf)), sig_r)
    del g_fit, vf, r, sig_r
    trusted, na, nb, sure_a, sure_b = _resolved(g, sig_g, la, lb, step_row[rows], sig_row[rows], opt)
    del g, sig_g, step_row, sig_row
    dl = np.abs(la - lb)
    # the pair vouches for both bands only where it would have seen any slip: one cycle on both bands
    # moves the GF by |lambda_a - lambda_b|, a GF-blind slip moves the MW by p - q (f_a/f_b = p/q)
    both_tests = ok & (dl > thr) & (mw_thr[rows] < _blind_mw_cycles(freq[rows, a], freq[rows, b]))
    # one cycle on one band alone moves the GF by its wavelength
    single = thr < np.minimum(la, lb)
    return rows, ok, both_tests, det, gf_hit, trusted, na, nb, single, sure_a, sure_b


def _resolved(g, sig_g, la, lb, step, sig_step, opt):
    """Both bands' slips from the GF jump ``g`` (m, sigma ``sig_g``) and the MW step ``step`` (wide-lane
    cycles, sigma ``sig_step``) at the rows of a pair of wavelengths ``la``, ``lb`` (module docstring).

    Returns
    -------
    trusted : numpy.ndarray of bool
        The slips round cleanly.
    na, nb : numpy.ndarray
        Rounded slips of bands a and b, cycles.
    sure_a, sure_b : numpy.ndarray of bool
        The float slip of band a (b) is beyond ``gf_k`` of its sigma and 1 cycle.
    """
    # Blewitt (1990): the GF jump G and the wide-lane jump N_w give both bands' slips
    nw = np.round(step)
    dl = np.abs(la - lb)
    with np.errstate(invalid="ignore", divide="ignore"):
        na_f = (g - lb * nw) / (la - lb)
        sig_na = sig_g / dl
    na = np.round(na_f)
    trusted = (
        np.isfinite(na_f)
        & (np.abs(na_f - na) < opt.resolve_tol_cyc)
        & (sig_step < opt.resolve_tol_cyc / 2)
        & (np.abs(step - nw) < opt.resolve_tol_cyc)
        & (sig_na < opt.resolve_tol_cyc)
    )
    del na_f, sig_na
    # a band surely slipped where its float slip (from the unrounded MW step) is far from zero, even when it
    # does not round cleanly: a pair's trusted zero elsewhere must not move the slip to another band
    with np.errstate(invalid="ignore", divide="ignore"):
        na_c = (g - lb * step) / (la - lb)
        sig_a = np.hypot(sig_g, lb * sig_step) / dl
        sig_b = np.hypot(sig_g, la * sig_step) / dl
        sure_a = np.abs(na_c) > np.maximum(opt.gf_k * sig_a, 1.0)
        sure_b = np.abs(na_c - step) > np.maximum(opt.gf_k * sig_b, 1.0)
    return trusted, na, na - nw, sure_a, sure_b
