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


# the modules kompas.tables' names come from, its attributes when it imported them eagerly (satellites too:
# the solvers imported it); each imported when asked for by name
_SUBMODULES = ("met", "nav", "obs", "observables", "satellites", "station")
# the helpers of this file, left out of dir(kompas.tables) as before
_HELPERS = frozenset({"_importlib", "_MODULES", "_SUBMODULES", "_HELPERS", "__getattr__", "__dir__"})


def __getattr__(name: str):
    module = _MODULES.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:  # kompas.tables.nav before anything imported it (the import binds it)
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted((set(globals()) - _HELPERS) | set(__all__) | set(_SUBMODULES))
