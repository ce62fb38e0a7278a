"""RTK and PPK: the recipe (which observables, which models, which states, which estimator).

Relative positioning of a rover against a base of known position with broadcast ephemerides: the bands
both receivers track (:mod:`kompas.rtk_inputs`), double-differenced code and phase in a Kalman filter with
integer ambiguity resolution (:mod:`kompas.estimators.rtk`), kinematic or static, forward only (RTK) or
forward and backward combined (PPK, :mod:`kompas.estimators.rtk_combine`).

The base position is the user's, the base header's ``APPROX POSITION XYZ`` or the average of its single
point solutions; positions are markers (the headers' antenna heights applied at both ends).

``rtk(rover, base, nav)`` returns a :class:`~kompas.solution.Solution` with quality FIX (1) or FLOAT (2),
the ratio, the age of the base data and the number of fixed ambiguities per system.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .config import (
    EphemerisOptions,
    Options,
    WindowOptions,
    _parse_band_digits,
    _parse_signals,
    cn0_mask_option,
    exclude_option,
    option,
)
from .engine import SignalMask, check_recipe_inputs, product_config, select_precise, window_or_error
from .errors import ConfigError
from .estimators.rtk import FilterSetup
from .estimators.rtk_options import ArOptions, GlonassOptions, RtkModels, RtkNoise
from .frames import ecef_to_geodetic, enu_to_ecef, near_earth_surface
from .io.detect import check_products
from .preprocess import SlipOptions
from .products.broadcast import BroadcastProduct
from .satsys import GlonassChannels, parse_systems

__all__ = ["RtkConfig", "rtk", "base_position"]


def _parse_base(value):
    """``"header"``, ``"spp"`` or an ECEF position ``"X Y Z"`` / ``"X,Y,Z"`` (m) -> normalised text."""
    if isinstance(value, list | tuple | np.ndarray):  # positions are (3,) arrays in the API
        value = " ".join(str(v) for v in np.ravel(np.asarray(value, dtype=object)))
    text = str(value).strip().lower()
    if text in ("header", "spp"):
        return text
    parts = text.replace(",", " ").split()
    try:
        xyz = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"must be header, spp or X Y Z in metres, not {value!r}") from None
    if len(xyz) != 3 or not near_earth_surface(xyz):
        raise ValueError(f"must be header, spp or an ECEF X Y Z near the Earth's surface, not {value!r}")
    return " ".join(repr(v) for v in xyz)


def _parse_bands(value):
    """``"C:2,6;G:1,2"`` or ``{"C": [2, 6]}`` -> ``{"C": (2, 6), "G": (1, 2)}`` (band digits as numbers)."""
    return {k: tuple(int(b) for b in v) for k, v in _parse_band_digits(value).items()}


RTK_BEFORE_TOE_S = {"E": 14400.0, "C": 21601.0}
"""RTK's default use of Galileo and BeiDou records before their reference epoch, s (RTKLIB's ``MAXDTOE``
windows; SPP's ``post`` policy allows 10 min and 1 h). Files trimmed to a time span (set D) or a station's
own navigation file often hold a satellite's next records only; the orbit error of a record used hours early
(metres to tens of metres, :data:`kompas.products.broadcast.RECORD_AGE_ORBIT_SIGMA_M`) enters the single
differences scaled by baseline / range, and the noise model weights it so
(:func:`kompas.estimators.rtk_model.cell_variances`)."""


@dataclasses.dataclass(frozen=True)
class RtkConfig(Options):
    """Options of RTK/PPK; every option is reachable from the API, TOML and the CLI.

    Nested groups: ``models`` (ionosphere, troposphere), ``noise`` (variances, process noise), ``ar``
    (ambiguity resolution), ``glonass`` (inter-frequency bias), ``slips`` (cycle-slip detection of the QC
    preprocessing), ``window``, ``ephemeris``.
    """

    systems: str = option(
        "GRECJ", "systems to use, letters of GRECJI (e.g. C,R)", flag="--systems",
        parse=lambda v: parse_systems(v, "GRECJI"),
    )  # fmt: skip
    mode: str = option("kinematic", "rover motion", choices=("kinematic", "static"), flag="--mode")
    ppk: bool = option(False, "forward and backward filters combined (post-processing)", flag="--ppk")
    elmask_deg: float = option(
        15.0, "elevation mask", unit="deg", low=0.0, high=90.0, high_open=True, flag="--elmask"
    )
    exclude: tuple[str, ...] = exclude_option()
    cn0_mask_dbhz: float | None = cn0_mask_option()
    base_position: str = option(
        "header",
        "base marker: header (APPROX POSITION XYZ), spp (median of its single point solutions) or X Y Z "
        "(ECEF m)",
        parse=_parse_base,
    )  # fmt: skip
    bands: dict[str, tuple[int, ...]] | None = option(
        None, "bands per system (default: every band both receivers track), e.g. C:2,6;G:1,2",
        flag="--bands", parse=_parse_bands,
    )  # fmt: skip
    signals: dict[str, tuple[str, ...]] | None = option(
        None, "accepted signals per system in order of preference, e.g. C:2I,6I;R:1C,2C",
        flag="--signals", parse=_parse_signals,
    )  # fmt: skip
    time_tolerance_s: float = option(
        0.005, "largest difference of paired rover and base time tags", unit="s", low=0.0
    )
    max_age_s: float = option(
        30.0, "a rover epoch without a simultaneous base epoch uses the latest earlier one up to this old "
        "(RTKLIB pos2-maxage; 0: only simultaneous epochs)", unit="s", low=0.0, flag="--max-age",
    )  # fmt: skip
    interpolate_base: bool = option(
        True, "interpolate the base observations to such a rover epoch between the base epochs around it "
        "(post-processing: it uses the next base epoch; RTKLIB intpref, off there)",
        flag="--interpolate-base",
    )  # fmt: skip
    extrapolate_base: bool = option(
        True, "where no interpolation serves, extrapolate the base phases of such an epoch from the two base "
        "epochs before it (real time: latency compensation)", flag="--extrapolate-base",
    )  # fmt: skip
    output_single: bool = option(
        False, "epochs without a relative solution (no base data, too few double differences) get the "
        "rover's single point solution, quality 5 (RTKLIB out-outsingle)", flag="--output-single",
    )  # fmt: skip
    models: RtkModels = option(default_factory=RtkModels)
    noise: RtkNoise = option(default_factory=RtkNoise)
    ar: ArOptions = option(default_factory=ArOptions)
    glonass: GlonassOptions = option(default_factory=GlonassOptions)
    slips: SlipOptions = option(default_factory=SlipOptions)
    window: WindowOptions = option(default_factory=WindowOptions)
    ephemeris: EphemerisOptions = option(
        default_factory=lambda: EphemerisOptions(max_before_toe_s=RTK_BEFORE_TOE_S)
    )


def base_position(base, product, cfg: RtkConfig) -> tuple[np.ndarray, str]:
    """Base marker position, ECEF m, and where it came from (``"user"``, ``"header"``, ``"spp"``).

    Raises
    ------
    ConfigError
        When the header has no plausible position or no single point solution succeeds.
    """
    src = cfg.base_position
    if src == "header":
        st = base.station
        if not st.approx_position_plausible:
            raise ConfigError(
                "the base header has no usable APPROX POSITION XYZ: give --base-pos X Y Z or --base-pos spp"
            )
        return np.asarray(st.approx_position_m, float), "header"
    if src == "spp":
        import warnings

        from .errors import KompasWarning
        from .spp import spp

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KompasWarning)
            sol = spp(base, product, systems=cfg.systems, elmask_deg=cfg.elmask_deg, exclude=cfg.exclude,
                      cn0_mask_dbhz=cfg.cn0_mask_dbhz)  # fmt: skip
        if not sol.ok.any():
            raise ConfigError("no single point solution of the base: give --base-pos X Y Z")
        return np.median(sol.pos_m[sol.ok], axis=0), "spp"
    return np.array([float(v) for v in src.split()]), "user"


BASE_HEADER_TOLERANCE_M = 100.0
"""A base position given by the user farther than this from the base header's APPROX POSITION XYZ draws a
warning: a header's approximate position is good to metres, a frame or epoch difference is below one, so
beyond this it is a typing error or another station's coordinates, which move every rover position by as
much (RTKLIB does not check)."""


def check_base_position(base, marker, src: str) -> list[str]:
    """A warning (and the note that says it) when the user's base position is far from the base header's
    approximate position; nothing otherwise, or without a plausible header position."""
    import warnings

    from .errors import KompasWarning, caller_stacklevel

    st = base.station
    if src != "user" or not st.approx_position_plausible:
        return []
    off = float(np.linalg.norm(np.asarray(marker, float) - np.asarray(st.approx_position_m, float)))
    if not off > BASE_HEADER_TOLERANCE_M:
        return []
    far = f"{off / 1000.0:.3f} km" if off >= 1000.0 else f"{off:.1f} m"
    note = (
        f"the base position given is {far} from the base header's APPROX POSITION XYZ "
        f"({' '.join(f'{v:.3f}' for v in st.approx_position_m)}): every rover position moves with a base "
        "error; check --base-pos (or use --base-pos header or spp)"
    )
    warnings.warn(note, KompasWarning, stacklevel=caller_stacklevel())
    return [note]


def _channels(product, rover, base) -> GlonassChannels:
    headers = [o.header.glonass_channels for o in (base, rover) if o.header is not None]
    return GlonassChannels.merge(*headers, product.glonass_channels())


CPB_CODES = ("C1C", "C1P", "C2C", "C2P")

# GLONASS code-phase bias of receivers whose RINEX headers leave ``GLONASS COD/PHS/BIS`` blank or out, by
# the first word of ``REC # / TYPE / VERS``, m (the RTCM 3 message 1230 convention). LEICA and SEPT: the
# values their own firmware and converters write (LEICA GR30/GR50 and SEPT POLARX4 headers in shared/data:
# -71.940 and 0.000). JAVAD: 0, phases aligned with the code (the convention of Sleewaegen et al. 2012,
# Inside GNSS 7(3), that RTCM 1230 carries), as measured on WTZZ (JAVAD TRE_3, blank record) -> WTZR (LEICA
# GR50): the slope the filter estimates without calibration, -2.46 +- 0.07 cm per channel, is a JAVAD bias
# of -1.9 +- 2.0 m.
# Makes not listed stay uncalibrated (the slope is estimated). A wrong value is taken as true (3 mm per
# channel of prior uncertainty, as a header's record): WTZZ given Leica's -71.94 m fixes GLONASS alone
# wrongly in 82 % of the epochs (C+R: 98 % correct); --glo-cpb-rover/--glo-cpb-base override it.
CPB_BY_MAKE_M = {"JAVAD": 0.0, "LEICA": -71.94, "SEPT": 0.0}


def _record_cpb(header) -> float | None:
    """The code-phase bias of a header's ``GLONASS COD/PHS/BIS`` record, m (None when absent or blank)."""
    cpb = header.glonass_cpb_m
    # a record with blank values (RINEX 3.04: unknown; the simulator writes it so) holds NaN
    known = [cpb[c] for c in CPB_CODES if c in cpb and np.isfinite(cpb[c])]
    return known[0] if known else None


def _make_cpb(header) -> float | None:
    """The code-phase bias of the header's receiver make in ``CPB_BY_MAKE_M``, m (None when not listed)."""
    words = header.receiver_type.split()
    return CPB_BY_MAKE_M.get(words[0].upper()) if words else None


def glonass_cpb(obs, given, glo) -> tuple[float | None, str]:
    """A receiver's GLONASS code-phase bias, m, and where it came from (see :func:`ifb_prior`)."""
    header = obs.header if glo.use_header else None
    value = None if header is None else _record_cpb(header)
    if value is not None:
        return value, "header"
    if given is not None or header is None:
        return given, ("option" if given is not None else "unknown")
    value = _make_cpb(header)
    make = header.receiver_type or "no receiver type"
    return value, (f"make of {make}" if value is not None else f"unknown for {make}")


def ifb_prior(rover, base, glo) -> float | None:
    """Calibrated GLONASS phase inter-frequency bias slope, m per channel (None when not calibrated).

    RINEX 3.02+ ``GLONASS COD/PHS/BIS`` gives a receiver's code-phase bias ``B`` (m; the value RTCM 3
    message 1230 carries): its phases behave as if delayed by ``B / c`` against the code (Sleewaegen et al.
    2012), which in cycles of each channel's wavelength is a bias linear in the channel number,
    ``B delta f / f`` metres per channel (``delta f / f`` = 0.5625/1602 = 0.4375/1246 on G1 and G2, ICD
    GLONASS 2008 3.3.1.4). The rover-minus-base slope needs both receivers' values. Each comes from, in
    order: the header's record, ``cpb_rover_m`` / ``cpb_base_m``, the receiver make's value in
    ``CPB_BY_MAKE_M`` (headers are read only with ``use_header``). Without both the slope is estimated
    from a prior of 0.
    """
    (rov, _), (bas, _) = _both_cpb(rover, base, glo)
    return _slope(rov, bas)


def _both_cpb(rover, base, glo) -> tuple:
    """:func:`glonass_cpb` of the rover and of the base."""
    return glonass_cpb(rover, glo.cpb_rover_m, glo), glonass_cpb(base, glo.cpb_base_m, glo)


def _slope(rov: float | None, bas: float | None) -> float | None:
    """Rover-minus-base phase IFB slope of two code-phase biases, m per channel (None without both)."""
    from .satsys import GLO_F1_BASE_HZ, GLO_F1_STEP_HZ

    if rov is None or bas is None:
        return None
    return -(rov - bas) * GLO_F1_STEP_HZ / GLO_F1_BASE_HZ


def ifb_note(rover, base, glo) -> str:
    """The note of a run with GLONASS: the code-phase biases, their sources and the slope's prior."""
    both = _both_cpb(rover, base, glo)
    parts = [
        f"{name} {'?' if value is None else f'{value:.3f} m'} ({source})"
        for name, (value, source) in zip(("rover", "base"), both, strict=True)
    ]
    slope = _slope(both[0][0], both[1][0])
    how = "estimated from 0" if slope is None else f"{100 * slope:+.2f} cm per channel"
    return f"GLONASS code-phase biases: {', '.join(parts)}; phase IFB slope {how}"


def _setup(cfg, rover, base, base_arp, prior) -> FilterSetup:
    ok = np.all(np.isfinite(prior), axis=1)
    rov = np.median(prior[ok], axis=0) if ok.any() else base_arp
    bl_km = float(np.linalg.norm(rov - base_arp)) / 1e3
    dh = float(ecef_to_geodetic(rov[None])[0, 2] - ecef_to_geodetic(base_arp[None])[0, 2])
    m = cfg.models
    iono = m.iono == "est" or (m.iono == "auto" and bl_km > m.iono_km)
    ztd = m.ztd == "est" or (m.ztd == "auto" and (bl_km > m.ztd_km or abs(dh) > m.ztd_dh_m))
    mapping = None
    if ztd:
        from .models.troposphere import niell_mapping

        t0 = rover.epoch_time_ns[0] if rover.n_epochs else 0
        doy = ((int(t0) // 1_000_000_000 + 5 * 86400) % (365.25 * 86400)) / 86400.0  # ~day of year

        def mapping(llh, el):
            return niell_mapping(llh[0], llh[2], el, doy)[1]

    return FilterSetup(
        static=cfg.mode == "static", iono=iono, ztd=ztd, tropo=m.tropo == "saas", baseline_km=bl_km,
        ifb_prior=ifb_prior(rover, base, cfg.glonass), mapping=mapping,
    )  # fmt: skip


def rtk(
    rover, base, nav, config: RtkConfig | None = None, atx=None, progress=None, sp3=None, clk=None, **options
):
    """Relative positioning of a rover against a base (module docstring).

    Parameters
    ----------
    rover, base : ObsTable
        From :func:`kompas.read_obs`.
    nav : NavData or list of NavData or BroadcastProduct
    config : RtkConfig, optional
    atx : Antex, optional
        Receiver antenna calibrations (:func:`kompas.read_antex`): phase-centre offsets and variations of
        both antennas (by the headers' antenna types) are applied; without it, none (as RTKLIB without
        ``file-rcvantfile``), which is harmless only when both antennas are of the same type.
    progress : callable, optional
        ``progress(done_epochs, total_epochs)``.
    sp3, clk : Sp3 or ClockData, or lists of them, optional
        Precise orbits and clocks (:func:`kompas.read_sp3`, :func:`kompas.read_clk`; one analysis centre
        per system as in PPP): the satellite states of the double differences come from them for the
        systems they serve, broadcast records serving the rest
        (:class:`~kompas.products.precise_first.PreciseFirst`). Satellites without broadcast records
        are then used too. With ``atx`` holding satellite antennas the precise positions are moved to the
        antenna phase centre.
    **options
        Any option of :class:`RtkConfig` by name (``mode="static"``, ``systems="CR"``, ``ppk=True``).

    Returns
    -------
    Solution
        Rover marker positions with quality FIX/FLOAT, ratio, age, fixed ambiguities per system.
    """
    from .rtk_run import run_rtk

    cfg = config or RtkConfig()
    check_recipe_inputs(cfg, RtkConfig, rover=rover, base=base)
    check_products(sp3=sp3, clk=clk, atx=atx)
    if options:
        cfg = cfg.replace(**options)
    cfg = product_config(nav, cfg, options)
    product = BroadcastProduct.from_options(nav, cfg.ephemeris)
    marker_b, src = base_position(base, product, cfg)
    base_notes = check_base_position(base, marker_b, src)
    base_arp = enu_to_ecef(-base.station.arp_to_marker_enu(), marker_b)  # the marker moved to the ARP
    w = cfg.window
    rov = window_or_error(rover, w.start, w.end, w.interval_s, "rover")
    bas = window_or_error(base, w.start, w.end, w.interval_s, "base")
    mask = SignalMask.of(cfg, rov)
    rov, bas = mask.require(rov, "rover"), mask.require(bas, "base")
    channels = _channels(product, rover, base)
    orbits, notes = precise_orbits(product, sp3, clk, cfg.systems, atx, rov)
    notes = base_notes + notes
    sol = run_rtk(rov, bas, product, cfg, base_arp, marker_b, src, channels, progress, atx, orbits, notes)
    return dataclasses.replace(sol, record=dataclasses.replace(sol.record, masked=mask.lines()))


def precise_orbits(product, sp3, clk, systems: str, atx, rover) -> tuple:
    """The :class:`~kompas.products.precise_first.PreciseFirst` states of precise products given to RTK and
    the notes saying so (None without SP3 files, or, with a note, when they serve none of ``systems``)."""
    from .products.mix import NoPreciseSystemError, PreciseMix
    from .products.precise import as_list
    from .products.precise_first import PreciseFirst
    from .time import time_span

    sp3, clk = as_list(sp3), as_list(clk)
    if not sp3:
        if clk:
            raise ConfigError("clock files need SP3 orbits (--sp3) as well")
        return None, []
    sp3, clk, dropped = select_precise(sp3, clk, rover.epoch_time_ns, True, refuse=False)
    try:
        mix, notes = PreciseMix.from_files(sp3, clk, systems)
        notes = dropped + notes
    except NoPreciseSystemError as exc:
        return None, [f"{exc}: broadcast orbits and clocks for every system"]
    t = rover.epoch_time_ns
    if t.size:
        spans = [(int(p.time_ns[0]), int(p.time_ns[-1])) for p in mix.by_system.values()]
        if all(last < t[0] or first > t[-1] for first, last in spans):
            cover = time_span(np.array([v for span in spans for v in span]))
            return None, [
                f"the precise products ({cover}) do not cover the observations ({time_span(t)}): broadcast "
                "orbits and clocks for every system"
            ]
        notes += mix.extrapolation_notes(int(t[0]), int(t[-1]))
    return PreciseFirst(product, mix, atx), [f"precise orbits and clocks ({'; '.join(notes)}), broadcast for "
                                             "the other systems and satellites"]  # fmt: skip
