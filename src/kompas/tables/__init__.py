"""Data tables with declared schemas and no format knowledge.

Readers (RINEX now, RTCM3 later) produce them; products, estimators and recipes consume them.
"""

import importlib as _importlib

# each name and its module, imported on first use (PEP 562): reading an observation file needs neither the
# navigation tables (their many-field dataclasses cost ~8 ms to create) nor the met ones
_MODULES = {
    "MET_CODES": "met",
    "MetAtmosphere": "met",
    "MetHeader": "met",
    "MetSensor": "met",
    "MetTable": "met",
    "NAT_NS": "nav",
    "EopTable": "nav",
    "GlonassEph": "nav",
    "IonoCorr": "nav",
    "IonTable": "nav",
    "KeplerEph": "nav",
    "LeapSeconds": "nav",
    "NavData": "nav",
    "NavHeader": "nav",
    "SbasEph": "nav",
    "StoTable": "nav",
    "TimeCorr": "nav",
    "ObsHeader": "obs",
    "ObsTable": "obs",
    "Observables": "observables",
    "StationInfo": "station",
}

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


def __getattr__(name: str):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
