"""Options of precise point positioning (:func:`kompas.ppp`): every one reachable from the API, TOML and CLI.

Defaults follow RTKLIB 2.4.3's PPP where it has an equivalent (``stats-errphase`` 3 mm with the
elevation term, code/phase ratio 100, ``stats-prntrop`` 1e-4 m/sqrt(s), 10 deg mask used in the issue's
comparison) and the literature otherwise (gradient random walk of Bar-Sever et al. 1998, about 0.3 mm per
sqrt(h); slant ionosphere random walk of a few mm per sqrt(s)).
"""

from __future__ import annotations

import dataclasses

from .config import (
    Options,
    SignalOptions,
    WindowOptions,
    _parse_band_digits,
    cn0_mask_option,
    exclude_option,
    option,
    system_factor_option,
)
from .errors import ConfigError
from .frames import near_earth_surface
from .preprocess import SlipOptions
from .satsys import parse_systems

_PPP_SYSTEMS = "GRECJ"
_PPP_FACTORS = {"G": 1.0, "R": 1.5, "E": 1.0, "C": 1.0, "J": 1.0, "I": 1.5}

__all__ = [
    "check_options",
    "PppConfig",
    "PppModelOptions",
    "PppNoiseOptions",
    "PppFilterConfig",
    "ProductOptions",
    "AmbiguityOptions",
]


def _parse_centres(value):
    """``"C:GBM;G:GRG"`` or a table -> ``{"C": "GBM", "G": "GRG"}``."""
    if isinstance(value, str):
        items = {}
        for part in (p for p in value.split(";") if p.strip()):
            if ":" not in part:
                raise ValueError(f"needs SYSTEM:CENTRE items like C:GBM;G:GRG, not {part.strip()!r}")
            letter, centre = part.split(":", 1)
            items[letter.strip()] = centre.strip()
        value = items
    if not isinstance(value, dict):
        raise ValueError(f"must be a table of analysis centres per system, not {value!r}")
    out = {str(k).upper(): str(v).upper() for k, v in value.items()}
    for centre in out.values():  # a malformed centre would be looked for in no file: say so now
        if not centre.isalnum():
            raise ValueError(f"needs analysis centre names like GBM (letters and digits), not {centre!r}")
    return out


def _parse_xyz(value):
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").replace(" ", ",").split(",") if v]
    vals = tuple(float(v) for v in value)
    if len(vals) != 3:
        raise ValueError(f"needs three numbers X,Y,Z, not {value!r}")
    if not near_earth_surface(vals):
        raise ValueError(f"must be an ECEF X,Y,Z in metres near the Earth's surface, not {vals}")
    return vals


def _parse_pair(value):
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    vals = tuple(float(v) for v in value)
    if len(vals) != 2:
        raise ValueError(f"needs two numbers, not {value!r}")
    return vals


@dataclasses.dataclass(frozen=True)
class PppModelOptions(Options):
    """Physical models; each can be switched off (the model-off table of BENCHMARKS.md)."""

    tropo: str = option(
        "gpt3",
        "troposphere a priori: GPT3 (needs the grid, --gpt3) with Saastamoinen and VMF1-form mapping, "
        "Saastamoinen with a standard atmosphere and the --mapping function, or none",
        choices=("gpt3", "saas", "off"),
        flag="--tropo",
    )
    mapping: str = option(
        "gmf",
        "mapping function of the saas a priori (also when --tropo gpt3 has no grid): GMF (Boehm et al. "
        "2006, IERS Conventions 2010) or Niell (1996)",
        choices=("gmf", "niell"),
        flag="--mapping",
    )
    gradients: str = option(
        "auto",
        "estimate north and east tropospheric gradients: on, off, or auto (on for sessions of at "
        "least 6 h: over shorter sessions they are hardly separable from the horizontal position)",
        choices=("auto", "on", "off"),
        flag="--gradients",
    )
    solid_tide: bool = option(True, "solid Earth tide (IERS Conventions 2010 7.1.1)", flag="--solid-tide")
    ocean_loading: bool = option(True, "ocean tide loading from the BLQ file (--blq)", flag="--ocean-loading")
    pole_tide: bool = option(True, "pole tide (needs --polar-motion)", flag="--pole-tide")
    polar_motion_arcsec: tuple[float, ...] | None = option(
        None,
        "IERS polar motion x_p,y_p of the day for the pole tide",
        unit="arcsec",
        flag="--polar-motion",
        parse=_parse_pair,
    )
    sat_antenna: bool = option(
        True, "satellite PCO/PCV (ANTEX; nominal block offsets else)", flag="--sat-antenna"
    )
    rcv_antenna: bool = option(True, "receiver PCO/PCV per frequency (ANTEX)", flag="--rcv-antenna")
    attitude: str = option(
        "model",
        "satellite attitude: eclipse/noon-turn laws per block, or nominal yaw steering only",
        choices=("model", "nominal"),
        flag="--attitude",
    )
    windup: bool = option(True, "phase wind-up (Wu et al. 1993)", flag="--windup")
    relativity: bool = option(True, "periodic relativistic clock correction", flag="--relativity")
    shapiro: bool = option(True, "Shapiro signal delay", flag="--shapiro")
    osb: bool = option(True, "apply code/phase biases of the Bias-SINEX file (--bias)", flag="--osb")
    bds2_code: bool = option(
        True, "BeiDou-2 IGSO/MEO elevation-dependent code corrections (Wanninger & Beer 2015)",
        flag="--bds2-code",
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class PppNoiseOptions(Options):
    """Measurement noise and process noise (RTKLIB ``stats-*`` equivalents)."""

    sigma_phase_m: float = option(
        0.003,
        "zenith phase noise a = b of var = a^2 + b^2/sin^2(el)",
        unit="m",
        low=1e-5,
        flag="--sigma-phase",
    )
    code_phase_ratio: float = option(100.0, "code noise / phase noise", low=1.0, flag="--code-phase-ratio")
    system_factor: dict[str, float] = system_factor_option(_PPP_FACTORS)
    bds_geo_factor: float = option(3.0, "extra noise factor of BeiDou GEO satellites", low=1.0)
    ztd_m_sqrt_s: float = option(1e-4, "random walk of the wet zenith delay", unit="m/sqrt(s)", low=0.0)
    gradient_m_sqrt_s: float = option(5e-6, "random walk of each gradient", unit="m/sqrt(s)", low=0.0)
    iono_m_sqrt_s: float = option(4e-3, "random walk of slant ionospheric delays", unit="m/sqrt(s)", low=0.0)
    kinematic_sigma_m: float = option(
        30.0,
        "kinematic: position re-initialised each epoch with this sigma (white noise)",
        unit="m",
        low=0.0,
        low_open=True,
    )
    kinematic_m_sqrt_s: float | None = option(
        None, "kinematic: random walk of the position instead of white noise", unit="m/sqrt(s)", low=0.0
    )
    sigma_ambiguity_m: float = option(30.0, "initial sigma of an ambiguity", unit="m", low=0.0, low_open=True)
    sigma_ztd0_m: float = option(0.3, "initial sigma of the wet zenith delay correction", unit="m", low=0.0)
    sigma_gradient0_m: float = option(0.003, "initial sigma of the gradients", unit="m", low=0.0)
    sigma_ifb_m: float = option(
        5.0, "initial sigma of GLONASS code inter-frequency biases", unit="m", low=0.0
    )


@dataclasses.dataclass(frozen=True)
class PppFilterConfig(Options):
    """The filter: screening and smoothing."""

    outlier_w: float = option(4.0, "critical w-test statistic of a measurement", low=1.0, flag="--outlier-w")
    max_rejections: int = option(8, "measurements rejected per epoch at most", low=0)
    smoothing: str = option(
        "forward",
        "forward filter, backward filter, or both combined (forward-backward smoother)",
        choices=("forward", "backward", "combined"),
        flag="--smoothing",
    )
    max_outage_s: float = option(
        300.0, "states of a satellite unseen this long are dropped", unit="s", low=0.0
    )
    glonass_ifb: bool = option(
        True, "GLONASS code inter-frequency bias per channel as states", flag="--glonass-ifb"
    )


@dataclasses.dataclass(frozen=True)
class ProductOptions(Options):
    """Precise products: which analysis centre serves which system, interpolation, broadcast fallback."""

    centres: dict[str, str] | None = option(
        None,
        "analysis centre per system, e.g. C:GBM;G:GRG (default: the best clock coverage)",
        flag="--centres",
        parse=_parse_centres,
        keys=_PPP_SYSTEMS,  # an unknown system letter would be ignored
    )
    order: int = option(11, "samples of the orbit interpolation polynomial", low=2, high=25)
    bias_max_age_days: float = option(
        0.0,
        "use satellite code biases of a bias file up to this far from the observations (they are stable "
        "over weeks; phase biases only inside their windows)",
        unit="d",
        low=0.0,
        flag="--bias-max-age",
    )
    broadcast_fallback: bool = option(
        True,
        "satellites without precise orbit/clock use broadcast ephemerides (own clock group)",
        flag="--broadcast-fallback",
    )


@dataclasses.dataclass(frozen=True)
class AmbiguityOptions(Options):
    """Ambiguity resolution with observable-specific phase biases (needs --bias with phase OSB)."""

    resolution: str = option(
        "off",
        "off, wide-lane only, or wide-lane then narrow-lane",
        choices=("off", "wl", "wl+nl"),
        flag="--ar",
    )
    max_fraction_cyc: float = option(
        0.25, "wide-lane fractional part accepted for fixing", unit="cycles", low=0.0
    )
    min_elevation_deg: float = option(15.0, "satellites fixed only above this elevation", unit="deg", low=0.0)
    success_rate: float = option(
        0.999, "bootstrapped success rate a narrow-lane subset needs to be fixed", low=0.5, high=1.0
    )
    min_fixed: int = option(4, "single differences fixed at least (partial fixing)", low=1)
    require_phase_bias: bool = option(
        True,
        "fix only satellites whose phase biases the bias file gives (off for bias-free products, e.g. "
        "the simulator's)",
    )


@dataclasses.dataclass(frozen=True)
class PppConfig(Options):
    """Options of precise point positioning.

    Nested groups: ``signals`` (tracking modes, ionosphere-free band pairs), ``models``, ``noise``,
    ``filter``, ``slips``, ``products``, ``ambiguity``, ``window``.
    ``PppConfig().replace(mode="kinematic", tropo="saas")`` changes options by name.
    """

    systems: str = option(
        "GREC",
        "systems to use, letters of GRECJ (e.g. G,E)",
        flag="--systems",
        parse=lambda v: parse_systems(v, _PPP_SYSTEMS),
    )
    mode: str = option(
        "static", "static or kinematic receiver", choices=("static", "kinematic"), flag="--mode"
    )
    observables: str = option(
        "if",
        "ionosphere-free combination, or uncombined code and phase with slant ionosphere states",
        choices=("if", "uncombined"),
        flag="--observables",
    )
    bands: dict[str, tuple[str, ...]] | None = option(
        None,
        "uncombined mode: bands per system, any number, e.g. G:125;E:157 (default: the first IF pair)",
        flag="--bands",
        parse=_parse_band_digits,
    )
    elmask_deg: float = option(
        10.0, "elevation mask", unit="deg", low=0.0, high=90.0, high_open=True, flag="--elmask"
    )
    exclude: tuple[str, ...] = exclude_option()
    cn0_mask_dbhz: float | None = cn0_mask_option()
    apriori_m: tuple[float, ...] | None = option(
        None,
        "a priori ECEF position X,Y,Z (default: header, else SPP)",
        unit="m",
        flag="--apriori",
        parse=_parse_xyz,
    )
    signals: SignalOptions = option(default_factory=SignalOptions)
    models: PppModelOptions = option(default_factory=PppModelOptions)
    noise: PppNoiseOptions = option(default_factory=PppNoiseOptions)
    filter: PppFilterConfig = option(default_factory=PppFilterConfig)
    slips: SlipOptions = option(default_factory=SlipOptions)
    products: ProductOptions = option(default_factory=ProductOptions)
    ambiguity: AmbiguityOptions = option(default_factory=AmbiguityOptions)
    window: WindowOptions = option(default_factory=WindowOptions)


def check_options(cfg: PppConfig, have_bias: bool) -> None:
    """ConfigError for an option the run would ignore (band choices of the other observables mode) or
    that cannot act (ambiguity resolution without the phase biases it requires)."""
    if cfg.observables == "if" and cfg.bands:
        raise ConfigError(
            "bands (--bands) chooses the bands of --observables uncombined; the ionosphere-free mode "
            "takes its pairs from if_bands (--if-bands)"
        )
    if cfg.observables == "uncombined" and cfg.signals.if_bands:
        raise ConfigError(
            "if_bands (--if-bands) chooses the pairs of --observables if; the uncombined mode takes its "
            "bands from bands (--bands)"
        )
    amb = cfg.ambiguity
    if amb.resolution != "off" and amb.require_phase_bias and not have_bias:
        raise ConfigError(
            f"ambiguity resolution (--ar {amb.resolution}) fixes satellites with phase biases only: give "
            "--bias with phase OSB (or ambiguity.require_phase_bias = false for bias-free products)"
        )


def ar_options(cfg: PppConfig):
    """The ambiguity-resolution options of the filter (``kompas.estimators.ppp_ar.ArOptions``), or None
    when resolution is off."""
    import numpy as np

    from .estimators.ppp_ar import ArOptions

    a = cfg.ambiguity
    if a.resolution == "off":
        return None
    return ArOptions(
        max_wl_fraction=a.max_fraction_cyc, min_elevation_rad=np.radians(a.min_elevation_deg),
        success_rate=a.success_rate, min_fixed=a.min_fixed, narrow_lane=a.resolution == "wl+nl",
    )  # fmt: skip


GRADIENT_MIN_SPAN_S = 6 * 3600.0
"""``gradients="auto"``: sessions at least this long estimate gradients (Bar-Sever et al. 1998 and Meindl et
al. 2004 separate gradients from the horizontal position over many hours of geometry change; over one or
two hours GPS-only, the gradient absorbs azimuth-dependent multipath and pulls the position by cm)."""


def gradients_on(cfg: PppConfig, span_s: float) -> bool:
    """Whether gradients are estimated for a session of ``span_s`` seconds."""
    g = cfg.models.gradients
    return g == "on" or (g == "auto" and span_s >= GRADIENT_MIN_SPAN_S)
