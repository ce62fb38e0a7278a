"""kompas.time against facts from the ICDs and the IERS leap-second table."""

import datetime as dt

import numpy as np
import pytest

from kompas import GTime, TimeError, gtime_from_calendar
from kompas.time import (
    NS,
    glonass_day,
    gps_utc_offset_s,
    gpst_from_week_tow,
    gpst_to_calendar,
    leap_table,
    week_tow,
)

# 2020-06-25T00:00:00 GPST; GPS week 2111 starts on Sunday 2020-06-21 (IS-GPS-200 week count).
T0 = GTime.from_calendar(2020, 6, 25)


def test_gps_epoch_is_zero():
    assert GTime.from_calendar(1980, 1, 6).gpst_ns == 0
    assert GTime.from_calendar(1980, 1, 6).week_tow("GPS") == (0, 0.0)


def test_gps_week_and_tow():
    assert T0.week_tow("GPS") == (2111, 345600.0)
    assert T0.gpst_ns == (2111 * 7 * 86400 + 345600) * NS


def test_bdt_week_and_tow():
    # BDT = GPST - 14 s; BDT week 0 starts 2006-01-01 00:00:00 BDT (BDS-SIS-ICD-B1I-3.0 sec. 4.1.1)
    assert T0.week_tow("BDS") == (755, 345586.0)
    assert GTime.from_calendar(2006, 1, 1, scale="BDT").week_tow("BDS") == (0, 0.0)
    assert GTime.from_calendar(2006, 1, 1, scale="BDT") == GTime.from_calendar(2006, 1, 1, 0, 0, 14)


def test_gst_week_is_gps_week_minus_1024():
    assert T0.week_tow("GAL") == (2111 - 1024, 345600.0)
    assert GTime.from_calendar(1999, 8, 22).week_tow("GAL") == (0, 0.0)


def test_utc_of_2020_06_25():
    # GPST - UTC = 18 s since 2017-01-01
    assert T0.to_calendar("UTC") == (2020, 6, 24, 23, 59, 42.0)
    assert GTime.from_calendar(2020, 6, 24, 23, 59, 42, scale="UTC") == T0
    assert T0.isoformat("UTC") == "2020-06-24T23:59:42"


def test_glonasst_is_utc_plus_3h():
    assert T0.to_calendar("GLONASST") == (2020, 6, 25, 2, 59, 42.0)
    assert GTime.from_calendar(2020, 6, 25, 2, 59, 42, scale="GLONASST") == T0
    # GLONASS four-year interval N4 = 7 (2020-2023), day N_T = 177 (2020-06-25 in a leap year)
    assert T0.glonass_day() == (7, 177, 2 * 3600 + 59 * 60 + 42.0)


def test_tai():
    assert T0.to_calendar("TAI") == (2020, 6, 25, 0, 0, 19.0)
    assert GTime.from_calendar(2020, 6, 25, 0, 0, 19, scale="TAI") == T0


def test_leap_second_2016_12_31():
    before = GTime.from_calendar(2016, 12, 31, 23, 59, 59, scale="UTC")
    leap = GTime.from_calendar(2016, 12, 31, 23, 59, 60, scale="UTC")
    after = GTime.from_calendar(2017, 1, 1, 0, 0, 0, scale="UTC")
    assert leap - before == 1.0
    assert after - leap == 1.0
    # GPST - UTC: 17 s before, 18 s after
    assert before.to_calendar("GPST") == (2017, 1, 1, 0, 0, 16.0)
    assert after.to_calendar("GPST") == (2017, 1, 1, 0, 0, 18.0)
    assert leap.to_calendar("UTC") == (2016, 12, 31, 23, 59, 60.0)
    assert (leap + 0.5).isoformat("UTC") == "2016-12-31T23:59:60.5"
    assert int(gps_utc_offset_s(before.gpst_ns)) == 17
    assert int(gps_utc_offset_s(after.gpst_ns)) == 18
    # the same leap second on the GLONASST clock is 02:59:60 MSK
    assert GTime.from_calendar(2017, 1, 1, 2, 59, 60, scale="GLONASST") == leap


def test_second_60_rejected_where_no_leap():
    with pytest.raises(TimeError):
        GTime.from_calendar(2017, 12, 31, 23, 59, 60, scale="UTC")
    with pytest.raises(TimeError):
        GTime.from_calendar(2016, 12, 31, 23, 59, 60, scale="GPST")


def test_invalid_calendar_fields():
    for fields in [(2020, 13, 1), (2020, 2, 30), (2021, 2, 29), (2020, 1, 0), (2020, 1, 1, 24)]:
        with pytest.raises(TimeError):
            GTime.from_calendar(*fields)
    GTime.from_calendar(2020, 2, 29)  # leap year


def test_leap_table_from_shipped_file():
    table = leap_table()
    assert table[0] == ("1972-01-01", 10 - 19)
    assert table[-1] == ("2017-01-01", 37 - 19)
    assert len(table) == 28


def test_utc_before_1972_is_an_error():
    with pytest.raises(TimeError):
        GTime.from_calendar(1971, 1, 1, scale="UTC")


def test_vectorised_calendar_round_trip():
    rng = np.random.default_rng(0)
    n = 10_000
    t = rng.integers(0, 2_000_000_000 * NS, n)  # 1980 .. 2043
    for scale in ("GPST", "GST", "BDT", "TAI", "UTC", "GLONASST"):
        y, m, d, hh, mi, ss = gpst_to_calendar(t, scale)
        back = gtime_from_calendar(y, m, d, hh, mi, ss, scale=scale)
        assert np.array_equal(back, t), scale


def test_vectorised_matches_python_datetime():
    # independent calendar arithmetic from the standard library
    days = np.arange(0, 20000, 37)
    t = days * 86400 * NS + 12345 * NS
    y, m, d, hh, mi, ss = gpst_to_calendar(t)
    for i in range(0, len(days), 50):
        ref = dt.datetime(1980, 1, 6) + dt.timedelta(days=int(days[i]), seconds=12345)
        assert (y[i], m[i], d[i], hh[i], mi[i], ss[i]) == (
            ref.year, ref.month, ref.day, ref.hour, ref.minute, float(ref.second)
        )  # fmt: skip


def test_week_tow_round_trip_all_systems():
    t = np.array([T0.gpst_ns, 0, 1_500_000_000 * NS + 123456789])
    for system in ("GPS", "GAL", "BDS", "QZS"):
        w, tow = week_tow(t, system)
        assert np.array_equal(gpst_from_week_tow(w, tow, system), t)


def test_glonass_day_has_no_week():
    with pytest.raises(TimeError):
        T0.week_tow("GLO")
    n4, nt, tod = glonass_day(np.array([GTime.from_calendar(1996, 1, 1, scale="GLONASST").gpst_ns]))
    assert (n4[0], nt[0], tod[0]) == (1, 1, 0.0)


def test_datetime64_round_trip_and_scales():
    assert T0.to_datetime64() == np.datetime64("2020-06-25T00:00:00")
    assert T0.to_datetime64("UTC") == np.datetime64("2020-06-24T23:59:42")
    assert T0.to_datetime64("BDT") == np.datetime64("2020-06-24T23:59:46")
    assert GTime.from_datetime64(np.datetime64("2020-06-24T23:59:42"), scale="UTC") == T0
    assert GTime.from_datetime64(dt.datetime(2020, 6, 25, 2, 59, 42), scale="GLONASST") == T0


def test_arithmetic_ordering_and_str():
    t1 = T0 + 1.5
    assert t1 - T0 == 1.5
    assert t1 > T0 and T0 < t1 and T0 == GTime(T0.gpst_ns)
    assert t1 - 1.5 == T0
    assert T0 + 86400 == GTime.from_calendar(2020, 6, 26)
    assert str(t1) == "2020-06-25T00:00:01.5 GPST"
    assert str(GTime.from_calendar(2020, 6, 25, 0, 0, 0.0000001)) == "2020-06-25T00:00:00.0000001 GPST"
    assert sorted([t1, T0]) == [T0, t1]
    with pytest.raises(TypeError):
        T0 + "1"


def test_rinex_resolution_is_exact():
    # RINEX epochs have 1e-7 s resolution: they must survive the float seconds path exactly
    t = gtime_from_calendar(2020, 6, 25, 0, 0, 59.9999999)
    assert int(t) - T0.gpst_ns == 59_999_999_900


def test_unknown_scale():
    with pytest.raises(TimeError):
        GTime.from_calendar(2020, 1, 1, scale="LOCAL")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: GTime.from_calendar(9999, 12, 31),
            "year must be within 1900..2200, not 9999",
        ),  # wrapped to 1816
        (lambda: GTime.from_calendar(0, 1, 1), "year must be within 1900..2200, not 0"),
        (
            lambda: GTime.from_calendar(2020.5, 1.7, 1),
            "year must be a whole number, not 2020.5",
        ),  # was 2020-01-01
        (lambda: GTime.from_calendar(float("nan"), 1, 1), "year must be a whole number, not nan"),
        (lambda: GTime.from_calendar(2020, 1, 1, 0, 0, float("inf")), "seconds must be finite"),
        (lambda: GTime.from_week_tow(2111, float("nan")), "seconds must be finite"),  # was 1728-03-12
        (lambda: GTime.from_week_tow(10**7, 0.0), "week must be within -15000..15000"),
        (lambda: GTime.from_datetime64(np.datetime64("NaT")), "NaT"),  # was 2262-04-11
        (lambda: GTime(0) + float("nan"), "can add finite seconds"),
        (lambda: GTime(0) + float("inf"), "can add finite seconds"),
        # the first bad element of fields that broadcast, whichever field is the longest
        (lambda: gtime_from_calendar(2020, [1, 13, 2], 1), r"first bad element at index 1\)"),
        (lambda: gtime_from_calendar(2020, 1, 1, 0, 0, [0.0, 1.0, -1.0]), r"first bad element at index 2\)"),
        # non-integer instants: a hint where a converter exists, none for floats
        (
            lambda: gps_utc_offset_s(np.datetime64("2020-01-01")),
            r"times must be integer GPST nanoseconds, not datetime64\[D\] \(kompas.time.from_datetime64",
        ),
        (lambda: gps_utc_offset_s(["2020-01-01"]), r"not <U10 \(kompas.time.from_datetime64 converts"),
        (lambda: gps_utc_offset_s(1.5e18), r"times must be integer GPST nanoseconds, not float64$"),
    ],
)
def test_times_that_would_wrap_or_be_nan_are_refused(call, message):
    with pytest.raises(TimeError, match=message):
        call()


def test_durations_of_numpy_and_datetime_add_their_own_units():
    """numpy.timedelta64 is a numpy integer: its count was added as seconds whatever its unit (1 ns made
    1 s). Durations now add their own length; units without a fixed length are refused."""
    t = GTime.from_calendar(2020, 6, 25)
    assert (t + np.timedelta64(1500, "ns")).gpst_ns == t.gpst_ns + 1500
    assert (t - np.timedelta64(1, "ms")).gpst_ns == t.gpst_ns - 10**6
    assert (np.timedelta64(2, "W") + t).isoformat() == "2020-07-09T00:00:00"
    step = np.array(["2020-06-25T00:00:00", "2020-06-25T00:00:30"], dtype="datetime64[ns]")
    assert (t + (step[1] - step[0])).isoformat() == "2020-06-25T00:00:30"
    assert (t + dt.timedelta(days=-1, microseconds=5)).gpst_ns == t.gpst_ns - 86400 * 10**9 + 5000
    for bad in (np.timedelta64(1, "M"), np.timedelta64(1, "Y"), np.timedelta64(5)):
        with pytest.raises(TypeError, match="timedelta64 of fixed units"):
            t + bad
    with pytest.raises(TimeError, match="NaT"):
        t + np.timedelta64("NaT", "s")
    with pytest.raises(TimeError, match="beyond the int64 nanosecond range"):
        t + np.timedelta64(10**12, "D")


def test_whole_float_fields_are_still_dates():
    assert GTime.from_calendar(2020.0, 6.0, 25.0) == GTime.from_calendar(2020, 6, 25)
    assert GTime.from_week_tow(2111, 3600.0).isoformat() == "2020-06-21T01:00:00"


def test_calendar_edges_months_years_and_system_names():
    from kompas.time import CALENDAR_YEARS, week_tow

    # the last day of December and of February in a leap year are dates, the day after is not
    for y, m, last in ((2024, 12, 31), (2023, 12, 31), (2024, 2, 29), (2023, 2, 28)):
        gtime_from_calendar(y, m, last)
        with pytest.raises(TimeError, match="beyond the end of its month"):
            gtime_from_calendar(y, m, last + 1)
    lo, hi = CALENDAR_YEARS
    for year in (lo, hi):
        gtime_from_calendar(year, 6, 1)  # both ends are accepted
    for year in (lo - 1, hi + 1):
        with pytest.raises(TimeError, match="year must be within"):
            gtime_from_calendar(year, 6, 1)
    t = gtime_from_calendar(2024, 3, 1)
    for name in ("GAL", "Galileo", "E"):
        assert week_tow(t, name) == week_tow(t, "GAL")
    for name in ("BDS", "BeiDou", "C"):
        assert week_tow(t, name) == week_tow(t, "BDS")
    for name in ("QZS", "QZSS", "J"):
        assert week_tow(t, name) == week_tow(t, "QZS")


def test_a_second_that_rounds_to_sixty_carries_into_the_next_minute():
    """59.9999999996 s is below 60: it rounds to the next minute's 00 s (it was refused as a leap second);
    a written 60 is still refused outside a leap second."""
    assert GTime.from_calendar(2020, 6, 25, 23, 59, 59.9999999996).isoformat() == "2020-06-26T00:00:00"
    assert GTime.from_calendar(2020, 6, 25, 23, 59, 59.9999999994).gpst_ns == (
        GTime.from_calendar(2020, 6, 26).gpst_ns - 1
    )
    with pytest.raises(TimeError, match="only valid during a leap second"):
        GTime.from_calendar(2020, 6, 25, 23, 59, 60.0)


def test_one_instant_from_arrays_of_fields_is_refused_with_the_function_for_arrays():
    with pytest.raises(TimeError, match="GTime is one instant, the fields give 2: gtime_from_calendar"):
        GTime.from_calendar(np.array([2020, 2021]), 6, 25)
    assert GTime.from_calendar(np.array(2020), 6, 25) == GTime.from_calendar(2020, 6, 25)
