"""kompas: GNSS processing with BeiDou and GLONASS as first-class citizens.

The public names live in :mod:`kompas.api`; ``from kompas import ...`` re-exports them. They are imported
on first use (PEP 562): ``import kompas`` alone costs no reader, solver or numpy, so the ``kompas`` command
imports only what its subcommand needs.
"""

import importlib as _importlib
import sys as _sys
import types as _types

# Each public name and the module defining it, in the order of kompas.api.__all__ (a test holds them equal).
_PUBLIC = {
    "Antex": "io.readers.antex",
    "BiasData": "io.readers.bias",
    "ClockData": "io.readers.clk",
    "Ionex": "io.readers.ionex",
    "MetTable": "tables.met",
    "Constellation": "satsys",
    "FormatError": "errors",
    "GTime": "time",
    "GlonassChannels": "satsys",
    "NavData": "tables.nav",
    "ObsTable": "tables.obs",
    "ProcessingRecord": "solution",
    "RtkConfig": "rtk",
    "QcConfig": "qc",
    "QcResult": "qc",
    "Quality": "solution",
    "SlipFlags": "preprocess",
    "SlipOptions": "preprocess",
    "Solution": "solution",
    "SppConfig": "spp",
    "PppConfig": "ppp",
    "Sp3": "io.readers.sp3",
    "KompasError": "errors",
    "SignalError": "errors",
    "TimeError": "errors",
    "Unsolved": "solution",
    "carrier_frequency": "satsys",
    "detect": "io.detect",
    "detect_slips": "preprocess",
    "gtime_from_calendar": "time",
    "read": "io.detect",
    "read_antex": "io.readers.antex",
    "read_bias": "io.readers.bias",
    "read_clk": "io.readers.clk",
    "read_ionex": "io.readers.ionex",
    "read_met": "io.readers.met",
    "read_nav": "io.readers.rinex_nav",
    "read_nmea": "io.readers.nmea",
    "read_obs": "io.readers.rinex_obs",
    "read_obs_files": "io.readers.obs_files",
    "read_pos": "io.readers.pos",
    "read_pos_table": "io.readers.pos",
    "read_sp3": "io.readers.sp3",
    "rtk": "rtk",
    "run_qc": "qc",
    "sat_id": "satsys",
    "sat_index": "satsys",
    "spp": "spp",
    "ppp": "ppp",
    "wavelength": "satsys",
    "write_solution": "io.writers",
}
__all__ = list(_PUBLIC)

# kompas.rtk, kompas.spp and kompas.ppp are the functions, as when kompas.api was imported eagerly: importing
# the modules of the same names must not rebind them
_SHADOWED = frozenset(name for name, module in _PUBLIC.items() if name == module)
# the helpers of this file, left out of dir(kompas) as before
_HELPERS = frozenset(
    {"_importlib", "_sys", "_types", "_PUBLIC", "_SHADOWED", "_HELPERS", "_Kompas", "_load_all", "__dir__"}
)


class _Kompas(_types.ModuleType):
    def __setattr__(self, name, value):
        if (
            name in _SHADOWED
            and isinstance(value, _types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
        ):
            return  # the import system binding a submodule to its parent: the public function keeps the name
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Kompas


def _load_all() -> None:
    """What ``import kompas`` did before the names were lazy: kompas.api and every public name."""
    api = _importlib.import_module(".api", __name__)
    globals().update((name, getattr(api, name)) for name in __all__)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    # the version is looked up on first use: importlib.metadata costs ~30 ms at every start of the CLI
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kompas")
        except PackageNotFoundError:  # running from a source tree without installation
            return "0+unknown"
    # a submodule the eager import made an attribute (kompas.io, kompas.satsys); not for private names, which
    # tools probe on every object (pytest's _mock_name)
    if not name.startswith("_"):
        _load_all()
        if name in globals():
            return globals()[name]
    raise AttributeError(f"module 'kompas' has no attribute {name!r}")


def __dir__() -> list[str]:
    _load_all()
    return sorted(set(globals()) - _HELPERS)
