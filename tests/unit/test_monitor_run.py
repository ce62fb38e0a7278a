"""kompas.monitor.run's helpers on hand-made inputs: the epochs of a run, several ANTEX files seen as one,
the map regions, the satellite catalog from metadata tables, the broadcast status counts of each satellite."""

import math
import types
import warnings

import numpy as np
import pytest
from test_antex import HEADER

from kompas import KompasError, gtime_from_calendar, read_antex, sat_index
from kompas.config import from_mapping
from kompas.errors import ConfigError
from kompas.io.readers.antex import AntennaNotFoundError
from kompas.io.writers.antex import nominal_satellite_blocks
from kompas.monitor.run import (
    MonitorConfig,
    _broadcast_tables,
    _catalog,
    _MergedAntex,
    _span,
    timeline_states,
)
from kompas.products.state import SatState, Status
from kompas.time import NS

DAY = int(gtime_from_calendar(2020, 6, 25))  # GPST midnight
H = 3600 * NS


class _Records:
    """The reference epochs of a navigation table (``toe_ns`` of Keplerian, ``toc_ns`` of GLONASS)."""

    def __init__(self, t):
        self.toe_ns = self.toc_ns = np.asarray(t, np.int64)

    def __len__(self):
        return self.toe_ns.size


class _Nav:
    def __init__(self, kepler=(), glonass=()):
        self.kepler, self.glonass = _Records(kepler), _Records(glonass)


def test_regions_are_known_names():
    both = ("global", "asia-pacific")
    assert from_mapping(MonitorConfig, {"regions": "Global, asia-pacific"}).regions == both
    assert from_mapping(MonitorConfig, {"regions": ["asia-pacific"]}).regions == ("asia-pacific",)
    # one unknown name among known ones is an error, as is no name at all
    with pytest.raises(ConfigError, match="option 'regions' must be among global, asia-pacific, not 'mars'"):
        from_mapping(MonitorConfig, {"regions": "global,mars"})
    with pytest.raises(ConfigError, match="option .regions. must be among"):
        from_mapping(MonitorConfig, {"regions": " , "})


def test_span_is_the_day_holding_most_records_at_the_step():
    navs = [_Nav(kepler=[DAY - 2 * H, DAY + 2 * H, DAY + 10 * H]), _Nav(glonass=[DAY + 12 * H])]
    times = _span(navs, MonitorConfig(hours=2, step_s=600))
    assert times.dtype == np.int64 and times.size == 12
    np.testing.assert_array_equal(times, DAY + 600 * NS * np.arange(12))
    # a span shorter than the step still has its first epoch
    np.testing.assert_array_equal(_span(navs, MonitorConfig(hours=0, step_s=600)), [DAY])
    # a last partial step keeps its epoch: 1.5 h at 1 h gives 00:00 and 01:00; a day at 7000 s 13 epochs
    np.testing.assert_array_equal(_span(navs, MonitorConfig(hours=1.5, step_s=3600)), [DAY, DAY + H])
    assert _span(navs, MonitorConfig(hours=24, step_s=7000)).size == 13


def test_span_from_a_given_start():
    navs = [_Nav(kepler=[DAY + 2 * H])]
    times = _span(navs, MonitorConfig(start="2020-06-25T01:30:00", hours=1, step_s=900))
    assert times.dtype == np.int64
    np.testing.assert_array_equal(times, DAY + H + H // 2 + 900 * NS * np.arange(4))
    with pytest.raises(ConfigError, match="no record of the navigation files serves that window"):
        _span(navs, MonitorConfig(start="2020-06-26T07:00:00", hours=1))  # 29 h after the only record


def test_span_without_records():
    missing = np.iinfo(np.int64).min  # a record without a reference epoch
    for navs in ([], [_Nav()], [_Nav(kepler=[missing])]):
        with pytest.raises(KompasError, match="the navigation files hold no usable record"):
            _span(navs, MonitorConfig())


def _antex(tmp_path, name, sats, pco):
    path = tmp_path / name
    path.write_text("\n".join(HEADER) + "\n" + nominal_satellite_blocks(sats, pco, 0))
    return read_antex(path)


def test_merged_antex_first_file_that_knows_the_satellite(tmp_path):
    first = _antex(tmp_path, "a.atx", ["R05"], [[0.0, 0.0, 2.3]])
    second = _antex(tmp_path, "b.atx", ["R05", "E19"], [[0.0, 0.0, 9.9], [0.15, -0.02, 0.8]])
    merged = _MergedAntex([first, second])
    np.testing.assert_allclose(merged.satellite("R05", DAY).freqs["R01"].pco_m, [0.0, 0.0, 2.3])
    np.testing.assert_allclose(merged.satellite("E19", DAY).freqs["E01"].pco_m, [0.15, -0.02, 0.8])
    with pytest.raises(AntennaNotFoundError):
        merged.satellite("G01", DAY)
    both = np.sort(sat_index(["R05", "E19"])).tolist()
    assert merged.satellites().tolist() == both
    # the catalog's ANTEX records: R05 from the first file only, E19 from the second
    assert sorted(a.sat for a in merged.antennas) == both
    assert sorted(_catalog([], merged).sat.tolist()) == both


def test_catalog_sources_by_file_name(kompas_data):
    m = kompas_data / "models"
    assert _catalog([], None) is None  # nothing given: no catalog, not an empty one
    svb = _catalog([str(m / "gpsppp.svb_gps_yrly")], None)  # a GPSPACE table without an ANTEX file
    assert svb is not None and np.unique(svb.sat).size > 20
    with pytest.raises(ConfigError, match="x.txt: not a PRIDE sat_parameters or GPSPACE gpsppp.svb_"):
        _catalog([str(m / "gpsppp.svb_gps_yrly"), "x.txt"], None)
    pride = str(m / "sat_parameters_PRIDE.txt")
    with pytest.raises(ConfigError, match="give at most one PRIDE sat_parameters table"):
        _catalog([pride, pride], None)


class _Product:
    """Broadcast states given per satellite and epoch: status, URA and record age."""

    def __init__(self, status, ura, age):
        self.status, self.ura, self.age = (np.asarray(x) for x in (status, ura, age))

    def state(self, sats, t):
        n = sats.size
        nan = np.full(n, np.nan)
        return SatState(
            np.full((n, 3), np.nan), np.full((n, 3), np.nan), nan, nan,
            self.ura.ravel() ** 2, self.status.ravel().astype(np.uint8), self.age.ravel(),
        )  # fmt: skip


def test_broadcast_status_counts_per_satellite():
    S = Status
    nan = math.nan
    product = _Product(
        [[S.OK, S.UNHEALTHY, S.STALE, S.OUTSIDE_FIT, S.NO_EPHEMERIS, S.OK], [S.NO_EPHEMERIS] * 6],
        [[2.0, nan, nan, nan, nan, 4.0], [nan] * 6],
        [[-60.0, nan, nan, nan, nan, 7200.0], [nan] * 6],
    )
    times = DAY + 300 * NS * np.arange(6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "All-NaN slice" for the satellite without any record
        sats = sat_index(["G01", "C19"])
        rows, status, ura = _broadcast_tables(sats, timeline_states(product, times, sats))
    a, b = rows
    assert a == {
        "sat": "G01", "epochs": 6, "ok_pct": pytest.approx(100 / 3), "unhealthy": 1, "stale": 1,
        "outside_fit": 1, "no_ephemeris": 1, "ura_mean_m": 3.0, "age_max_s": 7200.0,
    }  # fmt: skip
    assert b["sat"] == "C19" and b["ok_pct"] == 0.0 and b["no_ephemeris"] == 6
    assert math.isnan(b["ura_mean_m"]) and math.isnan(b["age_max_s"])
    assert status.shape == ura.shape == (2, 6) and ura[0, 5] == 4.0


def test_the_default_timeline_keeps_the_epochs_where_a_record_serves():
    """Without ``--hours`` the day's epochs shrink to the first and last one where some satellite has a
    record that serves (OK or UNHEALTHY); a gap between them stays; none served is an error."""
    from kompas.monitor.run import _served

    S, nan = Status, math.nan
    no, out, stale = S.NO_EPHEMERIS, S.OUTSIDE_FIT, S.STALE
    status = [[no, out, S.OK, out, S.OK, stale, no], [stale, S.UNSUPPORTED, out, out, S.UNHEALTHY, out, out]]
    product = _Product(status, np.full((2, 7), nan), np.full((2, 7), nan))
    times = DAY + 300 * NS * np.arange(7)
    sats = sat_index(["G01", "C19"])
    kept, states = _served(product, times, sats)
    np.testing.assert_array_equal(kept, times[2:5])
    np.testing.assert_array_equal(states["status"], np.asarray(status)[:, 2:5])  # the kept epochs' states
    product = _Product([[no, out, stale, S.UNSUPPORTED]] * 2, np.full((2, 4), nan), np.full((2, 4), nan))
    with pytest.raises(
        ConfigError, match=r"no record of the navigation files serves a satellite from .* \(stale"
    ):
        _served(product, times[:4], sats)


def test_precise_orbits_without_a_shared_satellite_or_time_are_refused():
    """``--precise`` products that can give no SISRE: no satellite in common with the records, or epochs
    more than 4 h (``RECORD_REACH_NS``) from every record's reference epoch; within 4 h they pass."""
    import types

    from kompas.monitor.run import RECORD_REACH_NS, _check_precise_overlap

    h = 3600 * 10**9

    class Records:  # the two record tables of a NavData: sized, with reference epochs
        def __init__(self, field, t):
            setattr(self, field, np.asarray(t, dtype=np.int64))

        def __len__(self):
            return 2

    nav = types.SimpleNamespace(kepler=Records("toe_ns", [0, h]), glonass=Records("toc_ns", [2 * h, 2 * h]),
                                record_sats=lambda: np.array([sat_index("G01"), sat_index("E11")]))  # fmt: skip

    def sp3(t, *sats):
        return types.SimpleNamespace(time_ns=np.asarray(t), sats=np.array([sat_index(x) for x in sats]))

    assert RECORD_REACH_NS == 4 * h
    _check_precise_overlap([nav], [])
    _check_precise_overlap([nav], [sp3([6 * h, 7 * h], "G01")])  # 4 h after the GLONASS reference epoch
    _check_precise_overlap([nav], [sp3([-4 * h], "E11", "C20")])
    with pytest.raises(
        ConfigError, match=r"the SP3 files hold systems C, the navigation records systems EG: no"
    ):
        _check_precise_overlap([nav], [sp3([h], "C20")])
    with pytest.raises(ConfigError, match=r"the SP3 files hold G05 G06, the navigation records G01 E11: no"):
        _check_precise_overlap([nav], [sp3([h], "G05", "G06")])
    for t in ([6 * h + 1], [-4 * h - 1]):
        with pytest.raises(ConfigError, match="lie outside the navigation records' time"):
            _check_precise_overlap([nav], [sp3(t, "G01")])


def test_the_default_timeline_covers_every_navigation_day():
    """Without --start and --hours the timeline spans the GPST days holding records: a daily file's few
    records of the evening before stay out, two daily files (or one across midnight) give both days; it
    covered the day holding most records alone, so the next day's records were never looked at."""
    from kompas.monitor.run import _record_days

    hour = 3600 * NS
    one = DAY + hour * np.array([-3, -2, *range(24), 24])  # a daily file: 2 records the evening before
    assert (_record_days(one) * 86400 * NS).tolist() == [DAY]
    two = np.concatenate([one, one + 24 * hour])
    assert (_record_days(two) * 86400 * NS).tolist() == [DAY, DAY + 24 * hour]
    across = DAY + hour * np.arange(-2, 2)  # 22:00-02:00: half on each day
    assert (_record_days(across) * 86400 * NS).tolist() == [DAY - 24 * hour, DAY]
    gap = np.concatenate([one, one + 48 * hour])  # a day without records between: still one timeline
    assert _record_days(gap).size == 3

    class _Records:
        def __init__(self, t):
            self.toe_ns = self.toc_ns = t

        def __len__(self):
            return self.toe_ns.size

    nav = types.SimpleNamespace(kepler=_Records(two), glonass=_Records(np.zeros(0, np.int64)))
    times = _span([nav], MonitorConfig(step_s=3600))
    assert times[0] == DAY and times.size == 48 and np.all(np.diff(times) == hour)
    times = _span([nav], MonitorConfig(step_s=3600, hours=24))  # hours given: the fullest day, as before
    assert times[0] == DAY and times.size == 24
    fuller = np.concatenate([two, DAY + 24 * hour + hour // 2 * np.arange(48)])  # day 2 holds the most
    nav = types.SimpleNamespace(kepler=_Records(np.sort(fuller)), glonass=_Records(np.zeros(0, np.int64)))
    assert _span([nav], MonitorConfig(step_s=3600))[0] == DAY  # from the first day, not the fullest
    assert _span([nav], MonitorConfig(step_s=3600, hours=24))[0] == DAY + 24 * hour
