"""Options of the RTK filter and its ambiguity resolution (typed, validated; see :mod:`kompas.config`).

Defaults follow RTKLIB 2.4.3 (``rtklib.h``/``options.c``: ``stats-errphase``, ``stats-eratio1``,
``stats-prnbias``, ``stats-prniono``, ``stats-prntrop``, ``pos2-arthres``, ``VAR_HOLDAMB``) where RTKLIB
has the same quantity; the others say where they come from.
"""

from __future__ import annotations

import dataclasses

from ..config import Options, option, system_factor_option

_RTK_FACTORS = {"G": 1.0, "R": 1.5, "E": 1.0, "C": 1.0, "J": 1.0, "I": 1.5}

__all__ = ["RtkNoise", "ArOptions", "GlonassOptions", "RtkModels"]


@dataclasses.dataclass(frozen=True)
class RtkNoise(Options):
    """Measurement noise, initial uncertainties and process noise of the RTK filter."""

    phase_m: float = option(0.003, "phase noise, constant part (RTKLIB stats-errphase)", unit="m", low=0.0)
    phase_el_m: float = option(
        0.003, "phase noise, part growing as 1/sin(el) (RTKLIB stats-errphaseel)", unit="m", low=0.0
    )
    code_ratio: float = option(
        100.0, "code/phase noise ratio (RTKLIB stats-eratio1)", low=1.0, flag="--code-ratio"
    )
    system_factor: dict[str, float] = system_factor_option(
        _RTK_FACTORS, "; BeiDou GEO/IGSO code is noisier, see geo_factor"
    )
    geo_factor: float = option(
        2.0, "extra noise factor of BeiDou GEO satellites (multipath-prone, nearly static geometry)", low=1.0
    )
    pos_m: float = option(
        30.0, "kinematic position prior at each epoch (RTKLIB VAR_POS)", unit="m", low=0.0, low_open=True
    )
    amb_cyc: float = option(
        30.0, "initial ambiguity uncertainty (RTKLIB stats-stdbias)", unit="cyc", low=0.0, low_open=True
    )
    amb_rw: float = option(1e-4, "ambiguity random walk (RTKLIB stats-prnbias)", unit="cyc/sqrt(s)", low=0.0)
    iono_m_per_10km: float = option(
        0.03,
        "initial slant ionosphere uncertainty per 10 km of baseline (RTKLIB stats-stdiono)",
        unit="m",
        low=0.0,
    )
    iono_rw: float = option(
        1e-3, "slant ionosphere random walk per 10 km of baseline (RTKLIB stats-prniono)",
        unit="m/sqrt(s)", low=0.0,
    )  # fmt: skip
    sat_clock_stab: float = option(
        5e-12, "satellite clock stability, noise of base data of some age (RTKLIB stats-clkstab)",
        unit="s/s", low=0.0,
    )  # fmt: skip
    orbit_m: float = option(
        1.0, "broadcast orbit error, 1 sigma (enters single differences scaled by baseline / range; "
        "GPS, Galileo and BeiDou-3 broadcast orbits are good to about a metre, Montenbruck et al. 2015)",
        unit="m", low=0.0,
    )  # fmt: skip
    ztd_m: float = option(
        0.3, "initial relative zenith delay uncertainty (RTKLIB stats-stdtrop)", unit="m", low=0.0
    )
    ztd_rw: float = option(
        1e-4, "relative zenith delay random walk (RTKLIB stats-prntrop)", unit="m/sqrt(s)", low=0.0
    )
    outlier_sigma: float = option(
        5.0, "innovations beyond this many standard deviations are outliers (slips, multipath)", low=2.0
    )
    outlier_phase_m: float = option(
        0.05, "phase innovations below this are never outliers (RTKLIB pos1-thresslip)", unit="m", low=0.0
    )


@dataclasses.dataclass(frozen=True)
class ArOptions(Options):
    """Integer ambiguity resolution (LAMBDA) and its validation."""

    armode: str = option(
        "fix-and-hold",
        "ambiguity resolution: off, instantaneous (per epoch), continuous, fix-and-hold",
        choices=("off", "instantaneous", "continuous", "fix-and-hold"),
        flag="--ar",
    )
    ratio: float = option(
        3.0, "ratio test threshold of the middle tier: a fix passes one of three tiers, success rate >= "
        "strong_success with ratio >= strong_ratio, >= --ar-success with ratio >= --ratio, or >= "
        "weak_success with ratio >= weak_ratio (TOML [ar]); RTKLIB's pos2-arthres is this tier alone",
        low=1.0, flag="--ratio",
    )  # fmt: skip
    success: float = option(
        0.99, "bootstrapped success rate (Teunissen 1998) of the middle tier (see --ratio)", low=0.0,
        high=1.0, flag="--ar-success",
    )  # fmt: skip
    strong_success: float = option(
        0.999, "with a success rate this high, the lower strong_ratio suffices (fixed failure-rate "
        "ratio test: its critical ratio tends to 1 as the model's failure rate falls below the "
        "tolerated one, Verhagen & Teunissen 2013)", low=0.0, high=1.0,
    )  # fmt: skip
    strong_ratio: float = option(1.5, "ratio test threshold of a model with strong_success", low=1.0)
    weak_success: float = option(
        0.9, "below success, a model with this success rate needs weak_ratio", low=0.0, high=1.0
    )
    weak_ratio: float = option(10.0, "ratio test threshold of a model with weak_success", low=1.0)
    weak_min_sats: int = option(
        6, "satellites a fix by the weak tier (weak_success, weak_ratio) needs at least (RTKLIB-demo5 "
        "pos2-minfixsats for all fixes)", low=2,
    )  # fmt: skip
    min_fixed: int = option(4, "fewest double-difference ambiguities worth fixing", low=1)
    fix_elmask_deg: float = option(
        15.0, "satellites below this elevation are left float", unit="deg", low=0.0, high=90.0
    )
    min_lock: int = option(0, "epochs an ambiguity must be tracked before it is fixed", low=0)
    max_sigma_cyc: float = option(
        5.0, "float double-difference ambiguities less precise than this are left float", unit="cyc", low=0.0
    )
    max_searches: int = option(
        4, "partial ambiguity resolution: integer searches per epoch at most (each without the least "
        "precise sixth of the previous set)", low=1,
    )  # fmt: skip
    z_partial: bool = option(
        True, "when no double-difference subset passes, fix the best-determined decorrelated combinations "
        "(wide-lane-like; with fix-and-hold only, which feeds them back; they never make an epoch fixed)",
        flag="--ar-z-partial",
    )  # fmt: skip
    z_success: float = option(
        0.99, "bootstrapped success rate the decorrelated combinations of z_partial must reach",
        low=0.0, high=1.0,
    )  # fmt: skip
    hold_var_cyc2: float = option(
        0.001, "variance of the fixed ambiguities fed back by fix-and-hold (RTKLIB VAR_HOLDAMB)",
        unit="cyc^2", low=0.0,
    )  # fmt: skip
    hold_after: int = option(3, "consecutive validated fixes before fix-and-hold feeds them back", low=1)
    glonass: bool = option(
        True, "fix GLONASS ambiguities (with the inter-frequency bias state)", flag="--glo-ar"
    )
    max_chi2_factor: float = option(
        3.0,
        "the fix is rejected when its distance to the float exceeds this times the 99.9 % chi-square",
        low=1.0,
    )
    max_fix_sigma_m: float = option(
        0.04, "a fix is reported only when the fixed position's horizontal standard deviation is below "
        "this (and the vertical below twice it): integers without geometry are no centimetre position",
        unit="m", low=0.0,
    )  # fmt: skip
    wrong_fix_guard: bool = option(
        True, "reset the ambiguities when several phase residuals jump at once while fixed"
    )


@dataclasses.dataclass(frozen=True)
class GlonassOptions(Options):
    """GLONASS FDMA: receiver inter-frequency phase bias between the two receivers."""

    ifb: str = option(
        "common",
        "phase IFB state: common (one slope in m per channel for G1 and G2), band (one per band), off",
        choices=("common", "band", "off"),
        flag="--glo-ifb",
    )
    ifb_sigma_m: float = option(0.05, "prior uncertainty of the IFB slope", unit="m/channel", low=0.0)
    ifb_rw: float = option(1e-6, "random walk of the IFB slope", unit="m/channel/sqrt(s)", low=0.0)
    code_ifb: bool = option(
        True, "estimate a code inter-frequency bias slope per band (m per channel; decimetres between makes)"
    )
    code_ifb_sigma_m: float = option(
        0.5, "prior uncertainty of the code IFB slope", unit="m/channel", low=0.0
    )
    use_header: bool = option(
        True,
        "calibrate the slope from both headers' GLONASS COD/PHS/BIS code-phase biases, or from the receiver "
        "makes' values (kompas.rtk.CPB_BY_MAKE_M) where a record is blank or absent",
    )
    cpb_rover_m: float | None = option(
        None, "code-phase bias of the rover receiver when its header has no record (0 for receivers that "
        "align their GLONASS phases, RTCM 1230); beats the make's value", unit="m", flag="--glo-cpb-rover",
    )  # fmt: skip
    cpb_base_m: float | None = option(
        None,
        "code-phase bias of the base receiver when its header has no record; beats the make's value",
        unit="m",
        flag="--glo-cpb-base",
    )
    calibrated_sigma_m: float = option(
        0.003, "prior uncertainty of a slope calibrated from code-phase biases", unit="m/channel", low=0.0
    )


@dataclasses.dataclass(frozen=True)
class RtkModels(Options):
    """Atmosphere of the relative model."""

    iono: str = option(
        "auto",
        "ionosphere: auto (estimated beyond iono_km), est (slant delay per satellite), off",
        choices=("auto", "est", "off"),
        flag="--iono",
    )
    iono_km: float = option(
        10.0, "baseline length beyond which auto estimates the ionosphere", unit="km", low=0.0
    )
    iono_prior: str = option(
        "brdc",
        "prior of the slant ionosphere states: the broadcast models' rover-minus-base delay or zero (RTKLIB)",
        choices=("brdc", "zero"),
        flag="--iono-prior",
    )
    tropo: str = option(
        "saas", "troposphere model: Saastamoinen or none", choices=("saas", "off"), flag="--tropo"
    )
    ztd: str = option(
        "auto",
        "relative zenith delay state: auto (beyond ztd_km or ztd_dh_m), est, off",
        choices=("auto", "est", "off"),
        flag="--ztd",
    )
    ztd_km: float = option(
        30.0, "baseline length beyond which auto estimates the zenith delay", unit="km", low=0.0
    )
    ztd_dh_m: float = option(100.0, "height difference beyond which auto estimates it", unit="m", low=0.0)
