"""Data tables with declared schemas and no format knowledge.

Readers (RINEX now, RTCM3 later) produce them; products, estimators and recipes consume them.
"""

from .met import MET_CODES, MetAtmosphere, MetHeader, MetSensor, MetTable
from .nav import (
    NAT_NS,
    EopTable,
    GlonassEph,
    IonoCorr,
    IonTable,
    KeplerEph,
    LeapSeconds,
    NavData,
    NavHeader,
    SbasEph,
    StoTable,
    TimeCorr,
)
from .obs import ObsHeader, ObsTable
from .observables import Observables
from .station import StationInfo

__all__ = [
    "MET_CODES",
    "MetAtmosphere",
    "MetHeader",
    "MetSensor",
    "MetTable",
    "NAT_NS",
    "EopTable",
    "GlonassEph",
    "IonTable",
    "IonoCorr",
    "KeplerEph",
    "LeapSeconds",
    "NavData",
    "NavHeader",
    "ObsHeader",
    "ObsTable",
    "Observables",
    "StationInfo",
    "SbasEph",
    "StoTable",
    "TimeCorr",
]
