"""kompas.tables.satellites on hand-made records: orbit types by block or system, lookups of covered and
uncovered (satellite, instant) pairs, and the error of :meth:`SatelliteCatalog.require`."""

import numpy as np
import pytest

from kompas.errors import KompasError
from kompas.satsys import sat_index
from kompas.tables.satellites import ATTITUDE_LAWS, SatelliteCatalog, orbit_type

DAY_NS = 86_400 * 10**9


@pytest.mark.parametrize(
    ("block", "sat", "orbit"),
    [
        ("GPS-IIF", "G01", "MEO"), ("GLO-K1A", "R09", "MEO"), ("GAL-2", "E11", "MEO"),
        ("BEIDOU-2G", "C01", "GEO"), ("BEIDOU-3SI", "C38", "IGSO"), ("BEIDOU-3M-CAST", "C19", "MEO"),
        ("QZSS-2G", "J07", "GEO"), ("QZSS-2I", "J02", "IGSO"), ("", "J01", "IGSO"), ("", "S23", "GEO"),
        ("", "I02", ""),
    ],
)  # fmt: skip
def test_orbit_type_by_block_or_system(block, sat, orbit):
    assert orbit_type(block, int(sat_index(sat))) == orbit


def _catalog():
    rec = dict(source="TEST", valid_from_ns=0, valid_until_ns=DAY_NS)
    return SatelliteCatalog.from_records(
        [
            dict(rec, sat=int(sat_index("R09")), svn="R802", block="GLO-K1A", glo_channel=-2, mass_kg=935.0),
            dict(rec, sat=int(sat_index("E11")), svn="E101", block="GAL-1"),
        ]
    )


def test_lookup_of_covered_and_uncovered_pairs():
    cat = _catalog()
    sats = np.array(["R09", "E11", "G05", "R09"])
    info = cat.lookup(sats, np.array([0, DAY_NS // 2, 0, DAY_NS + 1]))  # the last: after R09's record
    assert info.found.tolist() == [True, True, False, False]
    assert info.block.tolist() == ["GLO-K1A", "GAL-1", "", ""]
    assert info.svn.tolist() == ["R802", "E101", "", ""] and info.orbit.tolist() == ["MEO", "MEO", "", ""]
    assert info.glo_channel.dtype == np.int16 and info.glo_channel.tolist() == [-2, -99, -99, -99]
    assert np.array_equal(info.mass_kg, [935.0, np.nan, np.nan, np.nan], equal_nan=True)
    assert [ATTITUDE_LAWS[k] for k in info.law[2:]] == ["unknown", "unknown"]
    # an empty catalog answers every query with empty rows of the same types
    empty = SatelliteCatalog.from_records([]).lookup(sats, 0)
    assert not empty.found.any() and empty.block.tolist() == [""] * 4 and empty.glo_channel.dtype == np.int16


def test_require_names_the_first_pair_not_covered():
    cat = _catalog()
    assert cat.require(np.array(["R09", "E11"]), 5).found.all()
    with pytest.raises(KompasError, match=f"^no satellite record for G05 at GPST ns {DAY_NS}$"):
        cat.require(np.array(["E11", "G05", "R01"]), np.array([0, DAY_NS, 0]))


def test_a_pride_record_past_its_issue_date_ends_where_gpspace_saw_the_spacecraft_leave():
    g13, issue = int(sat_index("G13")), 100 * DAY_NS
    rec = dict(sat=g13, svn="G043", block="BLOCK IIR-A", valid_from_ns=0)
    cat = SatelliteCatalog.from_records(
        [
            dict(rec, source="PRIDE", valid_until_ns=np.iinfo(np.int64).max),  # open-ended at its issue
            dict(rec, source="GPSPACE", block="BLOCK IIR", valid_until_ns=150 * DAY_NS),
        ],
        pride_issue_ns=issue,
    )
    info = cat.lookup(["G13"] * 4, np.array([50, 120, 150, 151]) * DAY_NS)
    assert info.source.tolist() == ["PRIDE", "GPSPACE", "GPSPACE", ""] and not info.found[3]
    # GPSPACE's record ending before the issue date says nothing about later instants: PRIDE serves them
    early = SatelliteCatalog.from_records(
        [
            dict(rec, source="PRIDE", valid_until_ns=np.iinfo(np.int64).max),
            dict(rec, source="GPSPACE", valid_until_ns=80 * DAY_NS),
        ],
        pride_issue_ns=issue,
    )
    assert early.lookup(["G13"], 151 * DAY_NS).source.tolist() == ["PRIDE"]
    # nor does the end of another spacecraft's record under the same PRN
    other = SatelliteCatalog.from_records(
        [
            dict(rec, source="PRIDE", valid_until_ns=np.iinfo(np.int64).max),
            dict(rec, source="GPSPACE", svn="G099", valid_until_ns=150 * DAY_NS),
        ],
        pride_issue_ns=issue,
    )
    assert other.lookup(["G13"], 151 * DAY_NS).svn.tolist() == ["G043"]


def test_the_qzss_geo_stays_in_orbit_normal_mode():
    """QZS-3 (block QZSS-2G) is a GEO: orbit-normal always, not QZS-1's |beta| < 20 deg rule (its beta is the
    Sun's declination, so it would yaw-steer around both solstices)."""
    from kompas.tables.satellites import attitude_law

    assert attitude_law("QZSS-2G") == "qzss_geo" and attitude_law("QZSS", "GEO") == "qzss_geo"
    assert attitude_law("QZSS") == "qzss_on" and attitude_law("QZSS-2I") == "nominal"


@pytest.mark.parametrize(
    "block, orbit, law",
    [
        ("BLOCK II", "", "gps_iia"), ("BLOCK IIA", "", "gps_iia"), ("BLOCK IIR-M", "", "gps_iir"),
        ("BLOCK IIF", "", "gps_iif"), ("BLOCK IIIA", "", "gps_iii"), ("BLOCK X", "", "unknown"),
        ("GLONASS-M", "", "glonass"), ("GALILEO-1", "", "galileo_iov"), ("GALILEO-2", "", "galileo_foc"),
        ("BEIDOU-2G", "", "bds2_geo"), ("BEIDOU-2I", "", "bds2_igso_meo"), ("BEIDOU-2M", "GEO", "bds2_geo"),
        ("BEIDOU-3G", "", "bds3_geo"), ("BEIDOU-3M-SECM", "", "bds3_secm"), ("BEIDOU-3M-CAST", "", "bds3_cast"),
        ("BEIDOU-3I", "GEO", "bds3_geo"), ("IRNSS-1IGSO", "", "unknown"),
    ],
)  # fmt: skip
def test_attitude_law_of_every_block_family(block, orbit, law):
    from kompas.tables.satellites import attitude_law

    assert attitude_law(block, orbit) == law
