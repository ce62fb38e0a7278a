"""The curated public names of kompas (``from kompas import ...``)."""

from .errors import FormatError, KompasError, SignalError, TimeError
from .io.detect import detect, read
from .io.readers.antex import Antex, read_antex
from .io.readers.bias import BiasData, read_bias
from .io.readers.clk import ClockData, read_clk
from .io.readers.ionex import Ionex, read_ionex
from .io.readers.met import read_met
from .io.readers.nmea import read_nmea
from .io.readers.obs_files import read_obs_files
from .io.readers.pos import read_pos, read_pos_table
from .io.readers.rinex_nav import read_nav
from .io.readers.rinex_obs import read_obs
from .io.readers.sp3 import Sp3, read_sp3
from .io.writers import write_solution
from .ppp import PppConfig, ppp
from .preprocess import SlipFlags, SlipOptions, detect_slips
from .qc import QcConfig, QcResult, run_qc
from .rtk import RtkConfig, rtk
from .satsys import Constellation, GlonassChannels, carrier_frequency, sat_id, sat_index, wavelength
from .solution import ProcessingRecord, Quality, Solution, Unsolved
from .spp import SppConfig, spp
from .tables.met import MetTable
from .tables.nav import NavData
from .tables.obs import ObsTable
from .time import GTime, gtime_from_calendar

__all__ = [
    "Antex",
    "BiasData",
    "ClockData",
    "Ionex",
    "MetTable",
    "Constellation",
    "FormatError",
    "GTime",
    "GlonassChannels",
    "NavData",
    "ObsTable",
    "ProcessingRecord",
    "RtkConfig",
    "QcConfig",
    "QcResult",
    "Quality",
    "SlipFlags",
    "SlipOptions",
    "Solution",
    "SppConfig",
    "PppConfig",
    "Sp3",
    "KompasError",
    "SignalError",
    "TimeError",
    "Unsolved",
    "carrier_frequency",
    "detect",
    "detect_slips",
    "gtime_from_calendar",
    "read",
    "read_antex",
    "read_bias",
    "read_clk",
    "read_ionex",
    "read_met",
    "read_nav",
    "read_nmea",
    "read_obs",
    "read_obs_files",
    "read_pos",
    "read_pos_table",
    "read_sp3",
    "rtk",
    "run_qc",
    "sat_id",
    "sat_index",
    "spp",
    "ppp",
    "wavelength",
    "write_solution",
]
