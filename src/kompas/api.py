"""The curated public names of kompas (``from kompas import ...``)."""

from .errors import FormatError, KompasError, SignalError, TimeError
from .satsys import Constellation, GlonassChannels, carrier_frequency, sat_id, sat_index, wavelength
from .time import GTime, gtime_from_calendar

__all__ = [
    "Constellation",
    "FormatError",
    "GTime",
    "GlonassChannels",
    "KompasError",
    "SignalError",
    "TimeError",
    "carrier_frequency",
    "gtime_from_calendar",
    "sat_id",
    "sat_index",
    "wavelength",
]
