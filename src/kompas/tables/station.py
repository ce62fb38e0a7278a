"""Station information: marker, receiver, antenna and its eccentricity (no format knowledge)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["StationInfo"]


@dataclass(frozen=True)
class StationInfo:
    """What a recipe needs to know about the receiving station.

    Attributes
    ----------
    marker_name, marker_number : str
        Four-character (or nine-character) name and the DOMES number when known.
    receiver_type, receiver_version : str
    antenna_type : str
        IGS antenna type with radome (20 characters, right-stripped), as in ANTEX.
    antenna_delta_hen_m : numpy.ndarray, shape (3,)
        Antenna reference point above the marker: up, east, north, m.
    approx_position_m : numpy.ndarray, shape (3,)
        An approximate ECEF position (NaN when unknown); a starting point, never a reference coordinate.
    """

    marker_name: str = ""
    marker_number: str = ""
    receiver_type: str = ""
    receiver_version: str = ""
    antenna_type: str = ""
    antenna_delta_hen_m: np.ndarray = field(default_factory=lambda: np.zeros(3))
    approx_position_m: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))

    @property
    def approx_position_plausible(self) -> bool:
        """The approximate position is finite and within 6000-7000 km of the geocentre."""
        from ..frames import near_earth_surface

        return near_earth_surface(self.approx_position_m)

    def arp_to_marker_enu(self) -> np.ndarray:
        """East, north, up offset from the antenna reference point down to the marker, m."""
        dh, de, dn = np.asarray(self.antenna_delta_hen_m, dtype=float)
        return -np.array([de, dn, dh])
