"""The simulated error model: switches and sizes of every error term and event, with units.

Each field carries its unit and meaning in its metadata (``unit``, ``doc``), so that the truth file and
the demo report can list exactly what was simulated (:meth:`ErrorModel.describe`).

Continuous terms (observations module docstring for the models): troposphere, ionosphere, receiver
inter-system bias, GLONASS inter-frequency biases, multipath, white noise, phase wind-up.

Events (each at known, seeded epochs, recorded in :class:`kompas.sim.events.EventTable` so that a
detector can be scored):

* single cycle slips on one signal, Poisson with ``slip_rate_per_hour`` per satellite and signal,
  sizes uniform in 1..``slip_size_max`` cycles with a random sign;
* slip pairs blind to the geometry-free phase (``gf_pair_rate_per_hour`` per satellite: (p, q) cycles
  on the two carriers of ratio p/q, e.g. (77, 60) on GPS L1/L2, :mod:`kompas.sim.signals`) and pairs
  blind to the Melbourne-Wuebbena combination (``mw_pair_rate_per_hour``: equal slips on both);
* receiver clock jumps of ``clock_jump_s`` (1 ms, the reset of receivers that steer their clock in
  millisecond steps), applied to the receiver clock and so to code and phase alike;
* data gaps of one satellite (``gap_rate_per_hour`` per satellite) and of the whole receiver
  (``outage_rate_per_hour``: epochs missing from the file), lengths uniform within the given bounds;
  with ``gap_new_ambiguity`` the phase comes back after a gap with a new integer ambiguity (a random
  slip, loss of lock flagged), as a receiver that re-acquires does.

Loss-of-lock indicator: ``slip_lli`` says whether bit 0 of the LLI is set at a slip (receivers do
not always see their own slips; both cases are worth testing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from ..errors import ConfigError

__all__ = ["ErrorModel", "MULTIPATH_SIGNAL_SCALE", "TROPOSPHERE_MODELS"]

TROPOSPHERE_MODELS = ("niell", "saastamoinen")
"""Simulated troposphere (:attr:`ErrorModel.troposphere_model`)."""

MULTIPATH_SIGNAL_SCALE = {
    "G1C": 1.0, "G2W": 0.32, "G5Q": 0.32, "R1C": 1.41, "R2C": 1.41, "E1C": 0.71, "E5Q": 0.32,
    "E7Q": 0.32, "C2I": 0.71, "C7I": 0.71, "C6I": 0.32, "C1P": 0.71, "C5P": 0.32,
}  # fmt: skip
"""Code multipath amplitude per signal relative to GPS L1 C/A: sqrt(1.023 Mchip/s / chip rate) (a
simulation choice: the multipath error envelope shrinks with the chip length; 10.23 Mchip/s codes
0.32, 2.046 Mchip/s and the BOC(1,1)-based E1/B1C 0.71, GLONASS C/A at 0.511 Mchip/s 1.41)."""


def _m(unit: str, doc: str) -> dict:
    return {"unit": unit, "doc": doc}


@dataclass(frozen=True)
class ErrorModel:
    """Switches and sizes of the simulated error terms and events (module docstring).

    Every field's unit and meaning is in its metadata and in :meth:`describe`.
    """

    troposphere: bool = field(
        default=False, metadata=_m("", "tropospheric delay, standard atmosphere, on code and phase")
    )
    troposphere_model: str = field(
        default="niell",
        metadata=_m(
            "",
            "niell: Saastamoinen zenith delays mapped with Niell (1996); saastamoinen: Saastamoinen's "
            "1/sin(el) slant form, the model kompas's SPP and RTKLIB correct with",
        ),
    )
    ionosphere: bool = field(
        default=False, metadata=_m("", "GPS Klobuchar delay of the header's GPSA/GPSB, scaled by (f_L1/f)^2")
    )
    isb: bool = field(default=False, metadata=_m("", "receiver inter-system bias isb_m on code and phase"))
    glonass_ifb: bool = field(
        default=False, metadata=_m("", "GLONASS receiver inter-frequency biases (per channel k)")
    )
    multipath: bool = field(
        default=False, metadata=_m("", "sinusoidal multipath per satellite and signal, / sin(el)")
    )
    noise: bool = field(default=False, metadata=_m("", "white noise on code, phase and C/N0, / sin(el)"))
    windup: bool = field(
        default=False,
        metadata=_m("", "carrier-phase wind-up, north-aligned antenna, satellites in nominal yaw attitude"),
    )
    solid_tide: bool = field(
        default=False,
        metadata=_m(
            "",
            "solid Earth tide displacement of the receiver (IERS Conventions 2010 sec. 7.1.1), on code and "
            "phase; the positions of truth.json are the tide-free markers, as ITRF's",
        ),
    )
    isb_m: dict = field(
        default_factory=lambda: {"G": 0.0, "R": 25.0, "E": 2.5, "C": -8.0},
        metadata=_m("m", "receiver bias per system"),
    )
    ifb_m_per_channel: float = field(default=0.1, metadata=_m("m", "GLONASS code bias per channel number k"))
    ifb_phase_m_per_channel: float = field(
        default=0.005, metadata=_m("m", "GLONASS phase bias per channel number k")
    )
    code_sigma_m: float = field(default=0.3, metadata=_m("m", "code noise at zenith"))
    phase_sigma_m: float = field(default=0.003, metadata=_m("m", "phase noise at zenith"))
    multipath_code_m: float = field(
        default=0.2, metadata=_m("m", "code multipath amplitude at zenith (GPS L1 C/A)")
    )
    multipath_phase_m: float = field(default=0.002, metadata=_m("m", "phase multipath amplitude at zenith"))
    multipath_period_s: tuple = field(
        default=(300.0, 1200.0), metadata=_m("s", "range of the multipath periods")
    )
    multipath_signal_scale: dict = field(
        default_factory=lambda: dict(MULTIPATH_SIGNAL_SCALE),
        metadata=_m("", "code multipath factor per signal"),
    )
    cycle_slips: bool = field(default=False, metadata=_m("", "random single cycle slips"))
    slip_rate_per_hour: float = field(
        default=0.5, metadata=_m("1/h", "single slips per satellite and signal")
    )
    slip_size_max: int = field(
        default=20, metadata=_m("cycle", "largest single slip (sizes 1..max, random sign)")
    )
    slip_lli: bool = field(default=True, metadata=_m("", "set the loss-of-lock indicator (bit 0) at slips"))
    gf_pair_rate_per_hour: float = field(
        default=0.0, metadata=_m("1/h", "geometry-free-blind slip pairs per satellite")
    )
    mw_pair_rate_per_hour: float = field(
        default=0.0, metadata=_m("1/h", "Melbourne-Wuebbena-blind (equal) slip pairs per satellite")
    )
    clock_jump_rate_per_hour: float = field(default=0.0, metadata=_m("1/h", "receiver clock jumps"))
    clock_jump_s: float = field(default=1e-3, metadata=_m("s", "size of a receiver clock jump"))
    gap_rate_per_hour: float = field(default=0.0, metadata=_m("1/h", "data gaps per satellite"))
    gap_length_s: tuple = field(default=(30.0, 300.0), metadata=_m("s", "range of satellite gap lengths"))
    outage_rate_per_hour: float = field(default=0.0, metadata=_m("1/h", "receiver outages (all satellites)"))
    outage_length_s: tuple = field(default=(10.0, 120.0), metadata=_m("s", "range of outage lengths"))
    gap_new_ambiguity: bool = field(
        default=True, metadata=_m("", "phase re-acquired after a gap gets a new ambiguity (slip, LLI)")
    )

    def __post_init__(self):
        if self.troposphere_model not in TROPOSPHERE_MODELS:
            raise ConfigError(
                f"ErrorModel.troposphere_model must be one of {', '.join(TROPOSPHERE_MODELS)}, "
                f"not {self.troposphere_model!r}"
            )
        rates = ("slip_rate_per_hour", "gf_pair_rate_per_hour", "mw_pair_rate_per_hour",
                 "clock_jump_rate_per_hour", "gap_rate_per_hour", "outage_rate_per_hour")  # fmt: skip
        for name in (*rates, "code_sigma_m", "phase_sigma_m", "multipath_code_m", "multipath_phase_m"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise ConfigError(f"ErrorModel.{name} must be a finite number >= 0, not {v!r}")
        if not (isinstance(self.slip_size_max, int) and 1 <= self.slip_size_max <= 1000):
            raise ConfigError(
                f"ErrorModel.slip_size_max must be an integer in 1..1000, not {self.slip_size_max!r}"
            )
        for name in ("multipath_period_s", "gap_length_s", "outage_length_s"):
            lo, hi = (float(x) for x in getattr(self, name))
            if not (0 < lo <= hi and math.isfinite(hi)):
                raise ConfigError(f"ErrorModel.{name} must be (min, max) with 0 < min <= max")
        if not math.isfinite(self.clock_jump_s) or self.clock_jump_s <= 0:
            raise ConfigError(f"ErrorModel.clock_jump_s must be > 0, not {self.clock_jump_s!r}")

    @classmethod
    def none(cls) -> ErrorModel:
        """Every error term off (geometry, clocks and broadcast-consistent group delays only)."""
        return cls()

    @classmethod
    def default(cls) -> ErrorModel:
        """Every continuous error term on with its default size; no events."""
        return cls(
            troposphere=True,
            ionosphere=True,
            isb=True,
            glonass_ifb=True,
            multipath=True,
            noise=True,
            windup=True,
            solid_tide=True,
        )

    @property
    def has_events(self) -> bool:
        """True when any event (slip, pair, clock jump, gap, outage) is switched on."""
        return bool(
            (self.cycle_slips and self.slip_rate_per_hour > 0)
            or self.gf_pair_rate_per_hour > 0
            or self.mw_pair_rate_per_hour > 0
            or self.clock_jump_rate_per_hour > 0
            or self.gap_rate_per_hour > 0
            or self.outage_rate_per_hour > 0
        )

    def describe(self) -> list[dict]:
        """One entry per field: ``name``, ``value`` (JSON-ready), ``unit`` and ``doc``."""
        out = []
        for f in fields(self):
            v = getattr(self, f.name)
            v = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, dict) else v)
            out.append({"name": f.name, "value": v, "unit": f.metadata["unit"], "doc": f.metadata["doc"]})
        return out
