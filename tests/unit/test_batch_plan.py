"""kompas.io.names, kompas.batch.plan and kompas.batch.job: what names say, which files a station-day gets,
and the unit that carries them."""

import datetime as dt
import os
import re
import warnings
from pathlib import Path

import pytest

from kompas import SppConfig
from kompas.batch import (
    BatchJob,
    Plan,
    Skipped,
    StationDay,
    StationList,
    expand,
    get_task,
    load_station_list,
    plan,
)
from kompas.batch.plan import _NO_TIME, classify, session_of
from kompas.errors import ConfigError, KompasWarning
from kompas.io.names import FileName, name_from_header, parse_name


@pytest.mark.parametrize(
    ("name", "kind", "site", "start", "period", "system"),
    [
        # RINEX 3.05 section 4.1 examples of the convention (obs daily, nav of one system, hourly, 15 min)
        ("ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz", "obs", "ESBC00DNK", "2020-06-25T00:00", 86400, ""),
        ("NYA100NOR_S_20241240000_01D_CN.rnx.gz", "nav", "NYA100NOR", "2024-05-03T00:00", 86400, "C"),
        ("KMS300DNK_R_20221591000_01H_30S_MO.crx", "obs", "KMS300DNK", "2022-06-08T10:00", 3600, ""),
        ("GRAS00FRA_R_20223151700_15M_01S_MO.crx.gz", "obs", "GRAS00FRA", "2022-11-11T17:00", 900, ""),
        (
            "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
            "obs",
            "WTZR00DEU",
            "2020-06-25T00:00",
            86400,
            "",
        ),
        ("BRDC00WRD_R_20261200800_06H_MN.rnx", "nav", "BRDC00WRD", "2026-04-30T08:00", 21600, "M"),
        # period 'U' (unspecified) counts as a day
        ("XXXX00XXX_R_20201770000_01U_GN.rnx", "nav", "XXXX00XXX", "2020-06-25T00:00", 86400, "G"),
        # IGS long product names, with seconds in the start and a compound span
        ("COD0MGXFIN_20201770000_01D_05M_ORB.SP3", "orbit", "COD0MGXFIN", "2020-06-25T00:00", 86400, ""),
        (
            "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK",
            "clock",
            "IGS0OPSFIN",
            "2026-04-30T09:59:30",
            7260,
            "",
        ),
        ("COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz", "bias", "COD0OPSFIN", "2026-05-13T00:00", 86400, ""),
        # RINEX 2 short names: day 118 of 2021 is 28 April; session 'k' is 10:00-11:00; 1998 from '98'
        ("slac1180.21o", "obs", "SLAC", "2021-04-28T00:00", 86400, ""),
        ("brdc1180.21n", "nav", "BRDC", "2021-04-28T00:00", 86400, "G"),
        ("dlf10010.21g", "nav", "DLF1", "2021-01-01T00:00", 86400, "R"),
        ("ac660270.18o.Z", "obs", "AC66", "2018-01-27T00:00", 86400, ""),
        ("abcd001k.98d", "obs", "ABCD", "1998-01-01T10:00", 3600, ""),
        # IGS short product name: GPS week 2111 day 3 is 2020-06-24 (week 2111 starts Sunday 2020-06-21)
        ("igs21113.sp3", "orbit", "IGS", "2020-06-24T00:00", 86400, ""),
        ("cod21117.clk", "clock", "COD", "2020-06-21T00:00", 7 * 86400, ""),
    ],
)
def test_names(name, kind, site, start, period, system):
    n = parse_name(os.path.join("some", "folder", name))
    assert (n.kind, n.site, n.start, n.period_s, n.system) == (
        kind, site, dt.datetime.fromisoformat(start), period, system,
    )  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "badtime.10o",
        "MANIFEST.md",
        "ESBC00DNK_R_20203670000_01D_30S_MO.rnx",
        "ESBC00DNK_R_20201772400_01H_30S_MO.rnx",
        "ESBC00DNK_R_20201770060_01H_30S_MO.rnx",
        "abcd400z.21o",
        "abcd3670.21o",
        "ESBC00DNK_R_20233660000_01D_30S_MO.crx.gz",
        "abcd3660.23o",
        "x.sp3",
    ],
)
def test_names_that_say_nothing(name):
    # day 367, hour 24, minute 60, day 400, session 'z', day 366 of the common year 2023 are not dates
    assert parse_name(name) is None


def test_day_366_of_a_leap_year_is_its_last_day():
    assert parse_name("ESBC00DNK_R_20243660000_01D_30S_MO.crx.gz").start == dt.datetime(2024, 12, 31)
    assert parse_name("abcd3660.24o").start == dt.datetime(2024, 12, 31)


def _rinex_header(marker="WXYZ", first="  2021     4    28    19     0    0.0000000", last=None, markers=()):
    def line(text, label):
        return f"{text:<60}{label:<20}\n"

    lines = line("     3.04           OBSERVATION DATA    M", "RINEX VERSION / TYPE")
    lines += "".join(line(m, "MARKER NAME") for m in ([] if marker is None else [marker, *markers]))
    lines += line(first + "     GPS", "TIME OF FIRST OBS")
    if last:
        lines += line(last + "     GPS", "TIME OF LAST OBS")
    return lines + line("", "END OF HEADER")


def test_header_fallback(tmp_path):
    p = tmp_path / "whatever.obs"
    p.write_text(_rinex_header(last="  2021     4    28    20    59   30.0000000"))
    n = name_from_header(p)
    # 19:00:00 to 20:59:30 is 7171 s of epochs: two whole hours
    assert (n.kind, n.site, n.start, n.period_s) == ("obs", "WXYZ", dt.datetime(2021, 4, 28, 19), 7200)
    assert session_of(n) == "1900-02H" and n.content == "header"
    # the first of repeated labels counts; no marker name, no station
    p.write_text(_rinex_header(marker="FRST", markers=["SCND"]))
    assert name_from_header(p).site == "FRST"
    p.write_text(_rinex_header(marker=""))
    assert name_from_header(p) is None
    p.write_text(_rinex_header(marker=None))  # no MARKER NAME record at all
    assert name_from_header(p) is None
    (tmp_path / "nav.txt").write_text(
        "     3.04           N: GNSS NAV DATA    M                   RINEX VERSION / TYPE\n"
    )
    assert name_from_header(tmp_path / "nav.txt") is None
    (tmp_path / "empty.o").write_bytes(b"")
    assert name_from_header(tmp_path / "empty.o") is None


def _touch(folder, *names):
    for n in names:
        (folder / n).write_bytes(b"")
    return [str(folder / n) for n in names]


def test_plan_matches_by_day_and_station(tmp_path):
    obs = _touch(
        tmp_path,
        "AAAA00XXX_R_20201770000_01D_30S_MO.crx.gz",  # own nav exists
        "BBBB00XXX_R_20201770000_01D_30S_MO.crx.gz",  # no own nav: the combined BRDC file
        "CCCC00XXX_R_20201780000_01D_30S_MO.crx.gz",  # next day: only CCCC's GN and a foreign RN
        "DDDD00XXX_R_20201790000_01D_30S_MO.crx.gz",  # no nav that day
    )
    nav = _touch(
        tmp_path,
        "AAAA00XXX_R_20201770000_01D_MN.rnx.gz",
        "BRDC00WRD_S_20201770000_01D_MN.rnx.gz",
        "ZZZZ00XXX_R_20201770000_01D_MN.rnx.gz",
        "CCCC00XXX_R_20201780000_01D_GN.rnx.gz",
        "CCCC00XXX_R_20201780000_01D_RN.rnx.gz",
        "YYYY00XXX_R_20201780000_01D_RN.rnx.gz",
    )
    p = plan(obs, nav)
    got = {it.station: [os.path.basename(x) for x in it.paths("nav")] for it in p.items}
    assert got == {
        "AAAA00XXX": ["AAAA00XXX_R_20201770000_01D_MN.rnx.gz"],
        "BBBB00XXX": ["BRDC00WRD_S_20201770000_01D_MN.rnx.gz"],
        "CCCC00XXX": ["CCCC00XXX_R_20201780000_01D_GN.rnx.gz", "CCCC00XXX_R_20201780000_01D_RN.rnx.gz"],
    }
    assert [(s.station, s.reason) for s in p.skipped] == [("DDDD00XXX", "no nav file for 2020-06-27")]
    assert {it.key for it in p.items} == {
        ("AAAA00XXX", "2020-06-25", "0000-01D"),
        ("BBBB00XXX", "2020-06-25", "0000-01D"),
        ("CCCC00XXX", "2020-06-26", "0000-01D"),
    }


def test_a_station_s_partial_navigation_file_is_completed_by_a_full_one(tmp_path):
    """A station's own navigation file of one hour, or of GPS alone, beside the day's BRDC file: the
    BRDC file is given too (the own file alone solved 789 of ESBC's 2880 epochs); a mixed daily own file
    still serves alone."""
    obs = _touch(
        tmp_path,
        "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz",  # own nav of one hour
        "WTZR00DEU_R_20201770000_01D_30S_MO.crx.gz",  # own nav of GPS alone
        "AAAA00XXX_R_20201770000_01D_30S_MO.crx.gz",  # own mixed nav of the day
    )
    nav = _touch(
        tmp_path,
        "ESBC00DNK_R_20201771000_01H_MN.rnx",
        "WTZR00DEU_R_20201770000_01D_GN.rnx.gz",
        "AAAA00XXX_R_20201770000_01D_MN.rnx.gz",
        "BRDC00WRD_S_20201770000_01D_MN.rnx.gz",
    )
    got = {it.station: [os.path.basename(x) for x in it.paths("nav")] for it in plan(obs, nav).items}
    assert got == {
        "ESBC00DNK": ["BRDC00WRD_S_20201770000_01D_MN.rnx.gz", "ESBC00DNK_R_20201771000_01H_MN.rnx"],
        "WTZR00DEU": ["BRDC00WRD_S_20201770000_01D_MN.rnx.gz", "WTZR00DEU_R_20201770000_01D_GN.rnx.gz"],
        "AAAA00XXX": ["AAAA00XXX_R_20201770000_01D_MN.rnx.gz"],
    }


def test_a_station_s_own_partial_mixed_file_does_not_stand_for_another_station_s(tmp_path):
    """A station's own mixed and GPS files of one hour, another station's GPS file of the day and no other
    mixed file: the other station's GPS file completes the own GPS file (the own mixed file, partial, is
    not a mixed file of another station, which would serve alone)."""
    obs = _touch(tmp_path, "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz")
    nav = _touch(
        tmp_path,
        "ESBC00DNK_R_20201771000_01H_MN.rnx",
        "ESBC00DNK_R_20201771000_01H_GN.rnx",
        "ZZZZ00XXX_R_20201770000_01D_GN.rnx.gz",
        "YYYY00XXX_R_20201770000_01D_RN.rnx.gz",  # a system the station's own files do not have
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)  # YYYY's file serves no unit
        items = plan(obs, nav).items
    assert [[os.path.basename(x) for x in it.paths("nav")] for it in items] == [
        ["ESBC00DNK_R_20201771000_01H_GN.rnx", "ESBC00DNK_R_20201771000_01H_MN.rnx",
         "ZZZZ00XXX_R_20201770000_01D_GN.rnx.gz"]
    ]  # fmt: skip


def test_merged_files_are_taken_until_the_last_minute_is_covered(tmp_path):
    """A merged file of a day starting one minute late, and one of five minutes from midnight: the second
    covers the first minute, so both serve."""
    obs = _touch(tmp_path, "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz")
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770001_01D_MN.rnx", "BRDC00WRD_S_20201770000_05M_MN.rnx")
    assert [sorted(os.path.basename(x) for x in it.paths("nav")) for it in plan(obs, nav).items] == [
        ["BRDC00WRD_S_20201770000_05M_MN.rnx", "BRDC00WRD_S_20201770001_01D_MN.rnx"]
    ]


def test_plan_one_file_per_system_and_short_names(tmp_path):
    obs = _touch(tmp_path, "delf0010.21o", "delf0010.21d", "kkkk001a.21o", "kkkk001b.21o")
    nav = _touch(tmp_path, "cbw10010.21n.gz", "dlf10010.21g", "amel0010.21g", "xxxx0020.21n")
    p = plan(obs, nav)
    units = {it.key: [os.path.basename(x) for x in it.paths("nav")] for it in p.items}
    # the Hatanaka twin .21d sorts first; every other station's GLONASS file: each has the satellites its
    # station tracked (DELF with AMEL's alone solved no epoch)
    both = ["amel0010.21g", "cbw10010.21n.gz", "dlf10010.21g"]
    assert units == {
        ("DELF", "2021-01-01", "0000-01D"): both,
        ("KKKK", "2021-01-01", "0000-01H"): both,
        ("KKKK", "2021-01-01", "0100-01H"): both,
    }
    assert [s.reason.split(" of ")[0] for s in p.skipped] == ["duplicate"]


def test_plan_products_and_roles(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    files = _touch(
        tmp_path,
        "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz",  # the day before: within the margin at midnight
        "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
        "COD0MGXFIN_20201770000_01D_05M_ORB.SP3",  # one producer only: GRG covers more
        "GRG0MGXFIN_20201790000_01D_15M_ORB.SP3.gz",  # two days later: outside
        "igs20.atx",
    )
    nav = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_MN.rnx")
    with pytest.warns(
        KompasWarning, match=r"COD0MGXFIN_20201770000_01D_05M_ORB\.SP3 \(1 unit\(s\): orbit of GRG0MGXFIN"
    ):
        it = plan(obs + files, nav, needs=("orbit",), roles=("orbit", "antex")).items[0]
    assert it.notes == (
        "orbit of GRG0MGXFIN; left out: COD0MGXFIN (covers 24.0 h of the span, GRG0MGXFIN 27.0 h)",
    )
    assert [os.path.basename(x) for x in it.paths("orbit")] == [
        "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz",
        "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
    ]
    assert it.paths("antex") == (str(tmp_path / "igs20.atx"),) and it.paths("nav") == ()
    assert plan(obs, nav, needs=("clock",), roles=("clock",)).items == ()


def test_station_filter_and_station_list(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx", "BBBB00XXX_R_20201770000_01D_30S_MO.rnx")
    _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    toml = tmp_path / "net.toml"
    toml.write_text('stations = ["bbbb"]\nobs = ["*_MO.rnx"]\nnav = ["BRDC*"]\n')
    sl = load_station_list(str(toml))
    assert sl.stations == ("BBBB",) and sl.obs == (str(tmp_path / "*_MO.rnx"),)
    p = plan(expand(sl.obs), expand(sl.nav), stations=sl.stations)
    assert [it.station for it in p.items] == ["BBBB00XXX"]
    # the other station's file is accounted for (it was dropped without a word)
    assert [(s.path, s.reason) for s in p.skipped] == [(obs[0], "station not in the station list")]
    assert [it.station for it in plan(obs, expand(sl.nav), stations=("AAAA00XXX",)).items] == ["AAAA00XXX"]
    # a single-system observation file (RINEX 3.05 4.1: GO, RO, EO, CO...) is named by its long name too,
    # and a RINEX 2 file's 4-character station is the one a 9-character id asks for
    go = _touch(tmp_path, "CCCC00XXX_R_20201770000_01H_30S_GO.rnx", "dddd1770.20o")
    assert parse_name(go[0]).kind == "obs" and parse_name(go[0]).site == "CCCC00XXX"
    p = plan(go, expand(sl.nav), stations=("CCCC00XXX", "DDDD00XXX"))
    assert sorted(it.station for it in p.items) == ["CCCC00XXX", "DDDD"]
    with pytest.warns(KompasWarning, match=r"of the listed station\(s\) CCCC01XXX$"):  # no file of it
        assert plan(go, expand(sl.nav), stations=("DDDD01XXX", "CCCC01XXX")).items[0].station == "DDDD"
    toml.write_text('station = ["AAAA"]\n')
    with pytest.raises(ConfigError, match="unknown key 'station'"):
        load_station_list(str(toml))
    toml.write_text("stations = 3\n")
    with pytest.raises(ConfigError, match="stations must be"):
        load_station_list(str(toml))
    with pytest.raises(ConfigError, match="no observation file matches"):
        expand([str(tmp_path / "nothing*")], "observation")


def test_spp_reads_ionex_maps_of_the_day(tmp_path):
    obs = _touch(tmp_path, "ALGO00CAN_R_20170010000_01D_30S_MO.crx.gz")
    nav = _touch(tmp_path, "BRDC00WRD_S_20170010000_01D_MN.rnx.gz")
    maps = _touch(tmp_path, "jplg0010.17i.gz", "COD0OPSFIN_20170030000_01D_01H_GIM.INX.gz")
    task = get_task("spp")
    with pytest.warns(KompasWarning, match=r"^1 navigation or product file\(s\) serve no unit .*: COD0OPS"):
        it = plan(obs + maps, nav, needs=task.required(SppConfig()), roles=task.roles).items[0]
    assert it.paths("ionex") == (str(tmp_path / "jplg0010.17i.gz"),)  # not the map of 3 January
    ionex_cfg = SppConfig().replace(iono="ionex")
    assert task.required(ionex_cfg) == ("nav", "ionex")
    p = plan(obs, nav, needs=task.required(ionex_cfg), roles=task.roles)
    assert p.items == () and p.skipped[0].reason == "no ionex file for 2017-01-01"
    # the maps reach the units only when asked for (iono "ionex", or --with ionex=...): a map in the
    # folder replaced the broadcast model of the days it covers, whatever models.iono said
    assert task.read_roles(SppConfig()) == ("nav",)
    assert task.read_roles(ionex_cfg) == task.read_roles(SppConfig(), {"ionex": maps[:1]}) == ("nav", "ionex")
    it = plan(obs + maps, nav, needs=task.required(SppConfig()), roles=task.read_roles(SppConfig())).items[0]
    assert it.paths("ionex") == ()


def test_rtk_rovers_get_the_base_of_their_session(tmp_path):
    rovers = _touch(
        tmp_path,
        "AAAA00XXX_R_20201771000_01H_01S_MO.rnx",  # base sessions of 10:00 and 11:00: the 10:00 one
        "AAAA00XXX_R_20201771100_01H_01S_MO.rnx",
        "BASE00XXX_R_20201771000_01H_01S_MO.rnx",  # the base itself among the inputs: left out
        "CCCC00XXX_R_20201781000_01H_01S_MO.rnx",  # no base that day
    )
    base = [str(tmp_path / "BASE00XXX_R_20201771000_01H_01S_MO.rnx")]
    base += _touch(tmp_path, "BASE00XXX_R_20201771100_01H_01S_MO.rnx")
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx", "BRDC00WRD_S_20201780000_01D_MN.rnx")
    task = get_task("rtk")
    assert task.required(task.config_class()) == ("nav", "base")
    p = plan(rovers, nav, needs=task.required(task.config_class()), roles=task.roles, extra={"base": base})
    got = {it.key[2]: [os.path.basename(x) for x in it.paths("base")] for it in p.items}
    assert got == {
        "1000-01H": ["BASE00XXX_R_20201771000_01H_01S_MO.rnx"],
        "1100-01H": ["BASE00XXX_R_20201771100_01H_01S_MO.rnx"],
    }
    why = {s.station: s.reason for s in p.skipped}
    assert why["BASE00XXX"].startswith("the rover is the base")
    assert why["CCCC00XXX"] == "no base file overlaps 10:00-11:00 of 2020-06-26 (of the 2 base files given)"
    with pytest.raises(ConfigError, match="a base must be an observation file"):
        plan(rovers, nav, needs=("nav", "base"), roles=task.roles, extra={"base": nav})


def test_expand_recurses_into_folders_and_names_what_is_missing(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    deep = _touch(tmp_path / "a" / "b", "x.rnx")
    top = _touch(tmp_path, "y.rnx")
    # '**' reaches every depth; a folder that matches is not a file; a file matched twice is listed once
    assert expand([str(tmp_path / "**" / "*.rnx"), str(tmp_path / "*.rnx"), str(tmp_path / "*")]) == sorted(
        top + deep
    )
    with pytest.raises(ConfigError, match="no input file matches"):
        expand([str(tmp_path / "**" / "*.crx")])


def test_station_list_keys_as_strings_absolute_globs_and_defaults(tmp_path):
    toml = tmp_path / "net.toml"
    absolute = str(tmp_path / "elsewhere" / "*.rnx")
    toml.write_text(f'obs = "data/*.crx"\nnav = [{absolute!r}]\nstations = ["  ", "esbc00dnk"]\n')
    sl = load_station_list(str(toml))
    assert sl.obs == (str(tmp_path / "data" / "*.crx"),)  # one string is one pattern, from the file's folder
    assert sl.nav == (absolute,)  # absolute patterns stay as they are
    assert sl.stations == ("ESBC00DNK",)  # blank ids are dropped
    toml.write_text('nav = "~/brdc/*.rnx"\n')
    assert load_station_list(str(toml)).nav == ("~/brdc/*.rnx",)  # so do patterns from the home folder
    toml.write_text("")
    assert load_station_list(str(toml)) == StationList()  # nothing given: every station, no globs
    for key in ("obs", "nav"):
        toml.write_text(f"{key} = [1]\n")
        with pytest.raises(
            ConfigError, match=rf"^{re.escape(str(toml))}: {key} must be a string or a list of str"
        ):
            load_station_list(str(toml))
    toml.write_text("stations = [1]\n")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(toml))}: stations must be"):
        load_station_list(str(toml))


def test_classify_antex_by_its_extension_and_other_files(tmp_path):
    atx, notes, obs = _touch(
        tmp_path, "igs20_2290.ATX.gz", "notes.txt", "AAAA00XXX_R_20201770000_01D_30S_MO.rnx"
    )
    kinds = classify([atx, notes, obs])
    assert kinds["antex"] == [FileName(atx, "antex", "", _NO_TIME, 0, "ATX")]
    assert kinds["other"] == [FileName(notes, "other", "", _NO_TIME, 0, "")]
    assert kinds["obs"] == [parse_name(obs)]
    assert set(kinds) == {"antex", "other", "obs"}


@pytest.mark.parametrize(
    ("period_s", "session"),
    [(86400, "1000-01D"), (2 * 3600, "1000-02H"), (15 * 60, "1000-15M"), (99 * 60, "1000-99M"),
     (100 * 60, "1000-6000S"), (99 * 3600, "1000-99H"), (100 * 3600, "1000-360000S"), (61, "1000-61S")],
)  # fmt: skip
def test_session_names_count_whole_units_below_100(period_s, session):
    name = FileName("x", "obs", "X", dt.datetime(2020, 6, 25, 10), period_s, "MO")
    assert session_of(name) == session


def test_navigation_choice_prefers_a_merged_mixed_file_else_takes_every_overlapping_one(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    nav = _touch(
        tmp_path,
        "BRDC00WRD_S_20201770000_01D_MN.rnx",  # a mixed file serves alone, beside another station's GN
        "ZZZZ00XXX_R_20201770000_01D_GN.rnx",
    )
    assert plan(obs, nav).items[0].paths("nav") == (nav[0],)
    nav = _touch(
        tmp_path,
        "XXXX00XXX_R_20201771200_01H_RN.rnx",  # one hour of the day: its satellites may be missing elsewhere
        "YYYY00XXX_R_20201770000_01D_RN.rnx",  # the whole day
        "WWWW00XXX_R_20201762359_61S_GN.rnx",  # shares the day's first second only: still a candidate
        "VVVV00XXX_R_20201780000_01D_GN.rnx",  # the next day: not
    )
    assert plan(obs, nav).items[0].paths("nav") == (nav[2], nav[0], nav[1])
    brdc = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_RN.rnx")  # a merged GLONASS file serves alone
    assert plan(obs, nav + brdc).items[0].paths("nav") == (brdc[0], nav[2])
    # merged files of an hour each: as many as cover the day, not the first alone
    hourly = _touch(tmp_path, *(f"BRDC00WRD_R_2020177{h:02d}00_01H_MN.rnx" for h in range(24)))
    six = _touch(tmp_path, "BRDC00WRD_R_20201771200_06H_MN.rnx")  # the longest first: 12:00-18:00 in one
    assert plan(obs, hourly + six).items[0].paths("nav") == tuple(sorted(hourly[:12] + six + hourly[18:]))


def test_navigation_given_among_the_files_and_navigation_whose_name_says_nothing(tmp_path):
    obs = _touch(tmp_path, "BBBB00XXX_R_20201770000_01D_30S_MO.rnx", "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    gn = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_GN.rnx")
    plain = _touch(tmp_path, "my.nav", "broadcast.txt")
    p = plan(obs + gn, plain)
    assert {it.station: it.paths("nav") for it in p.items} == {
        # a dated file among the files joins the pool (BBBB has none of its own: the other station's), then
        # every undated one
        "AAAA00XXX": (gn[0], plain[1], plain[0]),
        "BBBB00XXX": (gn[0], plain[1], plain[0]),
    }
    assert plan(gn, plain) == Plan(())  # no observation file: nothing to do, nothing skipped
    # a station's own mixed file among the files and given again with --nav (by another spelling of its
    # path) is read once: the unit listed it twice, its input hash differed, and a rerun redid it
    mn = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_MN.rnx")
    again = [str(tmp_path / "." / os.path.basename(mn[0]))]
    assert plan(obs + mn, again).items[0].paths("nav") == (mn[0],)


def test_products_come_from_the_widened_span_and_one_producer(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    near = _touch(
        tmp_path,
        "GRG0MGXFIN_20201780000_01D_05M_CLK.CLK",  # the next day: within the 3-h margin
        "GRG0MGXFIN_20201780259_01M_30S_CLK.CLK",  # starts 2 h 59 min after the end: within
        "GRG0MGXFIN_2020176205901_01M_30S_CLK.CLK",  # ends 1 s into the margin before: within
    )
    far = _touch(
        tmp_path,
        "GRG0MGXFIN_20201780400_01H_30S_CLK.CLK",  # 4 h after the end: outside
        "GRG0MGXFIN_2020176205800_01M_30S_CLK.CLK",  # ends 1 min before the margin: outside
    )
    with pytest.warns(KompasWarning) as caught:
        it = plan(obs + near + far, needs=("clock",), roles=("clock",)).items[0]
    assert it.paths("clock") == tuple(sorted(near))
    # the files outside every unit's widened span are named once, with their nominal start and length
    assert [str(w.message) for w in caught] == [
        "2 navigation or product file(s) serve no unit (no observation session in their span): "
        "GRG0MGXFIN_20201780400_01H_30S_CLK.CLK (2020-06-26 04:00, 1 h); "
        "GRG0MGXFIN_2020176205800_01M_30S_CLK.CLK (2020-06-24 20:58, 1 min)"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unit planned: the skipped rows say why, no warning of files
        assert plan(obs + far, needs=("clock",), roles=("clock",)).items == ()


def test_orbits_and_clocks_come_from_one_producer(tmp_path):
    # COD's orbits and GRG's orbits cover the day alike (COD first by name), only GRG gives clocks: both
    # from GRG, a centre's clocks going with its own orbits (each kind chosen apart took COD's orbits)
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    cod = _touch(tmp_path, "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")
    grg = _touch(
        tmp_path, "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz", "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"
    )
    kw = {"needs": ("orbit", "clock"), "roles": ("orbit", "clock")}
    with pytest.warns(KompasWarning, match="orbit and clock of GRG0MGXFIN used; COD0MGXFIN: no clock file"):
        it = plan(obs + cod + grg, **kw).items[0]
    assert it.paths("orbit") == (grg[0],) and it.paths("clock") == (grg[1],)
    # no producer of both: each kind on its own
    only = plan(obs + cod + grg[1:], **kw).items[0]
    assert only.paths("orbit") == tuple(cod) and only.paths("clock") == (grg[1],)


def test_the_plan_says_which_centre_each_unit_uses_and_which_files_it_left_out(tmp_path):
    """Products of a second centre were dropped without a word: each unit now names the centre chosen
    and the ones left out with why (its summary message), and one warning names the files no unit uses."""
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx", "BBBB00XXX_R_20201770000_01D_30S_MO.rnx")
    cod = _touch(tmp_path, "COD0MGXFIN_20201770000_01D_05M_ORB.SP3", "COD0MGXFIN_20201770000_01D_01D_OSB.BIA")
    grg = _touch(
        tmp_path, "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz", "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"
    )
    wum = _touch(
        tmp_path,
        "WUM0MGXFIN_20201770000_01D_15M_ORB.SP3",  # with 12 h of clocks: 18 h on average, GRG 24
        "WUM0MGXFIN_20201770000_12H_30S_CLK.CLK",
        "WUM0MGXFIN_20201770000_01D_01D_OSB.BIA",  # as complete as COD's bias, after it by name
    )
    kw = {"needs": ("orbit", "clock"), "roles": ("orbit", "clock", "bias")}
    with pytest.warns(KompasWarning) as caught:
        p = plan(obs + cod + grg + wum, **kw)
    assert [it.paths("orbit") + it.paths("clock") + it.paths("bias") for it in p.items] == [
        (grg[0], grg[1], cod[1])
    ] * 2
    assert p.items[0].notes == (
        "orbit and clock of GRG0MGXFIN; left out: COD0MGXFIN (no clock file), WUM0MGXFIN (covers 18.0 h of "
        "the span, GRG0MGXFIN 24.0 h)",
        "bias of COD0MGXFIN; left out: WUM0MGXFIN (covers the span as well, COD0MGXFIN comes first by name)",
    )
    assert len(caught) == 1
    assert str(caught[0].message) == (
        "product files of another producer left out (one analysis centre per unit and kind): "
        "COD0MGXFIN_20201770000_01D_05M_ORB.SP3 (2 unit(s): orbit and clock of GRG0MGXFIN used; "
        "COD0MGXFIN: no clock file); WUM0MGXFIN_20201770000_01D_01D_OSB.BIA (2 unit(s): bias of "
        "COD0MGXFIN used; WUM0MGXFIN: covers the span as well, COD0MGXFIN comes first by name); "
        "WUM0MGXFIN_20201770000_01D_15M_ORB.SP3 (2 unit(s): orbit and clock of GRG0MGXFIN used; "
        "WUM0MGXFIN: covers 18.0 h of the span, GRG0MGXFIN 24.0 h) and 1 more; each unit's message names "
        "the centre it used"
    )
    with warnings.catch_warnings():  # one centre to choose from: nothing to say
        warnings.simplefilter("error")
        assert plan(obs + grg, **kw).items[0].notes == ()


def test_the_centres_left_out_for_the_same_reason_are_named_together(tmp_path):
    """Each centre left out repeated its reason: with six centres a unit's notes reached ~900 characters.
    The centres sharing a reason are now named once before it, every centre still named."""
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    names = ["GRG0MGXFIN_20201770000_01D_15M_ORB.SP3", "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK"]
    names += [f"{c}0MGXFIN_20201770000_01D_15M_ORB.SP3" for c in ("COD", "ESA", "JAX", "WUM")]
    names += [f"{c}0MGXFIN_20201770000_12H_30S_CLK.CLK" for c in ("JAX", "WUM")]  # 18 h on average
    names += [f"{c}0MGXFIN_20201770000_01D_01D_OSB.BIA" for c in ("COD", "ESA", "GRG", "JAX", "WUM")]
    files = _touch(tmp_path, *names)
    with pytest.warns(KompasWarning):
        p = plan(obs + files, needs=("orbit", "clock"), roles=("orbit", "clock", "bias"))
    assert p.items[0].notes == (
        "orbit and clock of GRG0MGXFIN; left out: COD0MGXFIN, ESA0MGXFIN (no clock file), JAX0MGXFIN, "
        "WUM0MGXFIN (cover 18.0 h of the span, GRG0MGXFIN 24.0 h)",
        "bias of COD0MGXFIN; left out: ESA0MGXFIN, GRG0MGXFIN, JAX0MGXFIN, WUM0MGXFIN (cover the span as "
        "well, COD0MGXFIN comes first by name)",
    )


def test_base_with_the_longest_overlap_and_a_base_named_by_its_header(tmp_path):
    rover = _touch(tmp_path, "ROVR00XXX_R_20201770000_01D_01S_MO.rnx")
    hourly = _touch(tmp_path, "BASE00XXX_R_20201771000_01H_01S_MO.rnx")
    six_hours = _touch(tmp_path, "BASE00XXX_R_20201770000_06H_01S_MO.rnx")
    one_second = _touch(tmp_path, "BASE00XXX_R_20201762359_61S_01S_MO.rnx")
    kw = {"needs": ("nav", "base"), "roles": ("nav", "base")}
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    # the station of the longest overlap, and every file of it that overlaps the rover's day (time order)
    assert plan(rover, nav, **kw, extra={"base": hourly + six_hours}).items[0].paths("base") == tuple(
        six_hours + hourly
    )
    # a single shared second is an overlap
    assert plan(rover, nav, **kw, extra={"base": one_second}).items[0].paths("base") == tuple(one_second)
    header = tmp_path / "base.obs"
    header.write_text(_rinex_header(marker="HDRB", first="  2020     6    25    10     0    0.0000000"))
    assert plan(rover, nav, **kw, extra={"base": [str(header)]}).items[0].paths("base") == (str(header),)
    # no base given at all: every rover is skipped for it
    p = plan(rover, nav, **kw)
    assert p.items == () and [s.reason for s in p.skipped] == ["no base file for 2020-06-25"]
    # a task that reads no base ignores base files, even ones that are not observations
    assert plan(rover, nav, extra={"base": nav}).items[0].paths("base") == ()


def test_a_rover_across_midnight_gets_every_file_of_its_base_station(tmp_path):
    """A rover file of 23:00-01:00 beside the base's hourly files of 23:00 and 00:00: both, in time order,
    read as one session (the 23:00 one alone left 119 of 240 epochs without a base epoch); the station
    is still the one of the file overlapping most, and a base file that covers the rover serves alone."""
    rover = _touch(tmp_path, "ROVR00XXX_R_20201762300_02H_01S_MO.rnx")
    base = _touch(
        tmp_path,
        "KSIM00XXX_R_20201770000_01H_30S_MO.rnx",
        "KSIM00XXX_R_20201762300_01H_30S_MO.rnx",
        "KSIM00XXX_R_20201762300_01H_30S_MO.crx",  # the same session again: the first by path
        "KSIM00XXX_R_20201770100_01H_30S_MO.rnx",  # after the rover's span
        "KSIM00XXX_R_20201762200_01H_30S_MO.rnx",  # before it
        "OTHR00XXX_R_20201770030_15M_01S_MO.rnx",  # another base station, less overlap
    )
    nav = _touch(tmp_path, "BRDC00WRD_S_20201760000_01D_MN.rnx", "BRDC00WRD_S_20201770000_01D_MN.rnx")
    kw = {"needs": ("nav", "base"), "roles": ("nav", "base")}
    p = plan(rover, nav, **kw, extra={"base": base})
    assert [it.key[2] for it in p.items] == ["2300-02H"]
    assert [os.path.basename(x) for x in p.items[0].paths("base")] == [
        "KSIM00XXX_R_20201762300_01H_30S_MO.crx",
        "KSIM00XXX_R_20201770000_01H_30S_MO.rnx",
    ]
    # the base station is chosen by its file's overlap, as before: LONG's covers more than each of KSIM's
    other = _touch(tmp_path, "LONG00XXX_R_20201762300_90M_01S_MO.rnx")
    assert plan(rover, nav, **kw, extra={"base": base + other}).items[0].paths("base") == tuple(other)
    # one base file that covers the rover's span: that file alone, as before
    day = _touch(tmp_path, "DAYB00XXX_R_20201760000_02D_30S_MO.rnx")
    assert plan(rover, nav, **kw, extra={"base": base[:2] + day}).items[0].paths("base") == tuple(day)
    # the station's two-hour file beside its hourly ones: the hours add no time, so it serves alone (all
    # three read as one session repeated every epoch)
    two = _touch(tmp_path, "KSIM00XXX_R_20201762300_02H_30S_MO.rnx")
    assert plan(rover, nav, **kw, extra={"base": base[:3] + two}).items[0].paths("base") == tuple(two)


def test_files_that_touch_a_span_or_tie_on_overlap(tmp_path):
    """Files that end where a unit starts, or start where it ends, share no time with it; a long file
    that started a day before still does; of bases of equal overlap the first by path is the station,
    whatever the order they are given in. (plan() finds them through an index by start time.)"""
    rover = _touch(tmp_path, "ROVR00XXX_R_20201771000_02H_01S_MO.rnx")  # 10:00-12:00
    kw = {"needs": ("nav", "base"), "roles": ("nav", "base")}
    brdc = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    touching = _touch(
        tmp_path, "AAAB00XXX_R_20201770800_02H_01S_MO.rnx", "AAAC00XXX_R_20201771200_01H_01S_MO.rnx"
    )
    # one hour each: MMMB's two files together, the first by path (the second MMMB adds its hour)
    hours = _touch(
        tmp_path,
        "ZZZB00XXX_R_20201771000_01H_01S_MO.rnx",
        "MMMB00XXX_R_20201771100_01H_01S_MO.rnx",
        "MMMB00XXX_R_20201771000_01H_01S_MO.rnx",
    )
    early = _touch(tmp_path, "EARL00XXX_R_20201760000_35H_01S_MO.rnx")  # 00:00 the day before to 11:00

    def bases(given):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KompasWarning)
            p = plan(rover, brdc, **kw, extra={"base": given})
        return p.items[0].paths("base") if p.items else [s.reason for s in p.skipped]

    assert bases(touching) == ["no base file overlaps 10:00-12:00 of 2020-06-25 (of the 2 base files given)"]
    assert bases(touching + hours) == (hours[2], hours[1])
    assert bases(touching + hours + early) == tuple(early)  # one hour too, and first by path
    # a whole overlap, on one span: the first by path, not the first given
    same_span = _touch(
        tmp_path, "QQQB00XXX_R_20201771000_02H_01S_MO.rnx", "PPPB00XXX_R_20201771000_02H_01S_MO.rnx"
    )
    assert bases(hours + same_span + early) == (same_span[1],)

    # navigation files: the station's own that touch the span are not its own files for it (the BRDC
    # file serves); its mixed file of 36 hours from the day before covers the span and serves alone
    own_touching = _touch(
        tmp_path, "ROVR00XXX_R_20201770800_02H_MN.rnx", "ROVR00XXX_R_20201771200_01H_MN.rnx"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        assert plan(rover + own_touching, brdc).items[0].paths("nav") == tuple(brdc)
        own_long = _touch(tmp_path, "ROVR00XXX_R_20201760000_36H_MN.rnx")
        assert plan(rover + own_touching + own_long, brdc).items[0].paths("nav") == tuple(own_long)


def _count_overlaps(monkeypatch) -> list:
    """A list that grows by one at each span comparison (``FileName.overlap_s``) from now on."""
    calls = []
    overlap_s = FileName.overlap_s

    def counted(self, other):
        calls.append(1)
        return overlap_s(self, other)

    monkeypatch.setattr(FileName, "overlap_s", counted)
    return calls


def test_plan_compares_each_unit_with_the_files_of_its_span_and_station_only(tmp_path, monkeypatch):
    """Counted in span comparisons, not time: each unit with every navigation and base file made plan()
    quadratic (2048 stations' day of 15-minute files and their navigation files: 8 s; bases: 17 s)."""
    n = 150
    obs = _touch(tmp_path, *(f"S{k:03d}00XXX_R_20201770000_15M_01S_MO.rnx" for k in range(n)))
    nav = _touch(tmp_path, *(f"S{k:03d}00XXX_R_20201770000_01D_MN.rnx" for k in range(n)))
    base = _touch(tmp_path, *(f"B{k:03d}00XXX_R_20201770000_15M_01S_MO.rnx" for k in range(n)))
    calls = _count_overlaps(monkeypatch)
    p = plan(obs + nav, needs=("nav", "base"), roles=("nav", "base"), extra={"base": base})
    assert [it.paths("nav") for it in p.items] == [(x,) for x in nav]
    assert {it.paths("base") for it in p.items} == {(base[0],)}
    assert len(calls) < 20 * n  # n * n and more before


def test_plan_compares_each_unit_with_the_product_files_of_its_span_only(tmp_path, monkeypatch):
    """A station's 60 days against two centres' daily orbits and clocks: each unit was compared with every
    product file (quadratic); the index gives the same choices with a few comparisons a unit."""
    import importlib

    plan_module = importlib.import_module("kompas.batch.plan")

    days = range(100, 160)
    obs = _touch(tmp_path, *(f"AAAA00XXX_R_2020{d:03d}0000_01D_30S_MO.rnx" for d in days))
    products = _touch(tmp_path, *(f"{c}0MGXFIN_2020{d:03d}0000_01D_{k}" for d in days for c in ("GRG", "COD")
                                   for k in ("05M_ORB.SP3", "30S_CLK.CLK")))  # fmt: skip
    calls = _count_overlaps(monkeypatch)
    roles = ("orbit", "clock")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)
        indexed = plan(obs + products, needs=roles, roles=roles)
        assert len(calls) < 100 * len(days)  # 3,088 here; 29,752 with every unit against every file
        # the choices of a scan of every file
        every = lambda index, span: [f for f in index.files if f.overlap_s(span) > 0]  # noqa: E731
        monkeypatch.setattr(plan_module._SpanIndex, "overlapping", every)
        scanned = plan(obs + products, needs=roles, roles=roles)
    assert indexed == scanned and len(indexed.items) == len(days)
    first = indexed.items[1]  # day 101 and its neighbours' files within the margin, of COD (first by name)
    assert all("COD0MGXFIN" in os.path.basename(p) for p in first.paths("orbit") + first.paths("clock"))
    assert any("_2020101" in p for p in first.paths("orbit"))


def test_a_copy_of_the_base_stations_file_is_not_a_rover(tmp_path):
    base = _touch(tmp_path, "BASE00XXX_R_20201771000_01H_01S_MO.rnx")
    (tmp_path / "copy").mkdir()
    copy = _touch(tmp_path / "copy", "BASE00XXX_R_20201771000_01H_01S_MO.rnx")
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    p = plan(copy, nav, needs=("nav", "base"), roles=("nav", "base"), extra={"base": base})
    assert p.items == () and p.skipped[0].reason == f"the rover is the base ({base[0]})"
    assert p.skipped[0].path == copy[0]


def test_files_for_every_unit_only_for_the_roles_the_task_reads(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    found, given = _touch(tmp_path, "found.atx", "given.atx")
    it = plan([*obs, found], nav, roles=("nav", "antex"), extra={"antex": [given]}).items[0]
    assert it.paths("antex") == (given,)  # the given file replaces the one found among the files
    assert plan([*obs, found], nav, roles=("nav",), extra={"antex": [given]}).items[0].paths("antex") == ()
    # a 'base' entry of extra is matched by span (not given to every unit) and needs the role
    it = plan(obs, nav, roles=("nav", "antex"), extra={"antex": [given], "base": obs}).items[0]
    assert it.paths("base") == () and it.paths("antex") == (given,)


def test_every_skipped_file_is_listed_with_its_path_and_the_rest_are_planned(tmp_path):
    obs = _touch(
        tmp_path,
        "AAAA00XXX_R_20201760000_01D_30S_MO.rnx",  # no navigation nor base for that day
        "BBBB00XXX_R_20201770000_01D_30S_MO.rnx",
        "BBBB00XXX_R_20201770000_01D_30S_MO.crx",  # the same unit again
        "CCCC00XXX_R_20201770000_01D_30S_MO.rnx",
    )
    notes = _touch(tmp_path, "README.txt")
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    base = _touch(tmp_path, "BASE00XXX_R_20201770000_01D_30S_MO.rnx")
    p = plan(obs + notes, nav, needs=("nav", "base"), roles=("nav", "base"), extra={"base": base})
    assert sorted(p.skipped, key=lambda s: s.path) == [
        Skipped(obs[0], "AAAA00XXX", "2020-06-24", "0000-01D", "no nav or base file for 2020-06-24"),
        Skipped(obs[1], "BBBB00XXX", "2020-06-25", "0000-01D", f"duplicate of {obs[2]}"),
        Skipped(
            notes[0], "", "", "", "not an observation, navigation or product file (by its name or header)"
        ),
    ]
    assert [it.station for it in p.items] == ["BBBB00XXX", "CCCC00XXX"]


def test_a_unit_holds_its_inputs_as_sorted_roles_of_string_tuples(tmp_path):
    a = StationDay("AAAA", "2020-06-25", "0000-01D", {"nav": [Path("n2"), "n1"], "obs": (tmp_path / "o",)})
    assert a.inputs == {"nav": ("n2", "n1"), "obs": (str(tmp_path / "o"),)}
    assert list(a.inputs) == ["nav", "obs"] and a.paths("base") == ()
    b = StationDay("AAAA", "2020-06-25", "0000-01D", {"obs": [str(tmp_path / "o")], "nav": ("n2", "n1")})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1  # equal units are one key of a set or dict
    c = StationDay("AAAA", "2020-06-25", "0000-01D", {"obs": [str(tmp_path / "o")], "nav": ("n1", "n2")})
    assert a != c and len({a, c}) == 2
    job = BatchJob("spp", None, [a, c], "relative/out")
    assert job.items == (a, c) and job.out == os.path.abspath("relative/out")


def test_ppp_units_get_the_days_navigation_products_and_antex(tmp_path):
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    files = _touch(
        tmp_path,
        "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3",
        "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK",
        "COD0MGXFIN_20201770000_01D_01D_OSB.BIA",
        "igs20.atx",
    )
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    task = get_task("ppp")
    it = plan(obs + files, nav, needs=task.needs, roles=task.roles).items[0]
    # broadcast records serve as the fallback where the precise products have a gap
    assert {role: it.paths(role) for role in it.inputs} == {
        "obs": tuple(obs), "orbit": (files[0],), "clock": (files[1],), "bias": (files[2],),
        "antex": (files[3],), "nav": tuple(nav),
    }  # fmt: skip


def test_joined_sessions_are_one_unit_per_station_and_day(tmp_path):
    obs = _touch(
        tmp_path,
        *(f"GRAS00FRA_R_2022315{h:02d}{m:02d}_15M_01S_MO.crx.gz" for h in (17, 18) for m in (0, 15, 30, 45)),
        "GRAS00FRA_R_20223151715_15M_01S_MO.rnx",  # the Hatanaka twin's plain copy: a duplicate
        "GRAS00FRA_R_20223160000_15M_01S_MO.crx.gz",  # the next day: a unit of its own
        "AJAC00FRA_R_20223150000_01D_30S_MO.crx.gz",  # one file: a unit as before
    )
    nav = _touch(tmp_path, "BRDC00WRD_S_20223150000_01D_MN.rnx.gz", "BRDC00WRD_S_20223160000_01D_MN.rnx.gz")
    apart = plan(obs, nav)
    assert len(apart.items) == 10 and {it.key[2] for it in apart.items if it.key[1] == "2022-11-11"} >= {
        "1700-15M", "1845-15M"}  # fmt: skip
    joined = plan(obs, nav, join_sessions=True)
    units = {it.key: [os.path.basename(p) for p in it.paths("obs")] for it in joined.items}
    assert sorted(units) == [
        ("AJAC00FRA", "2022-11-11", "0000-01D"),
        ("GRAS00FRA", "2022-11-11", "1700-02H"),
        ("GRAS00FRA", "2022-11-12", "0000-15M"),
    ]
    gras = units[("GRAS00FRA", "2022-11-11", "1700-02H")]
    assert gras == [
        f"GRAS00FRA_R_2022315{h:02d}{m:02d}_15M_01S_MO.crx.gz" for h in (17, 18) for m in (0, 15, 30, 45)
    ]
    assert [(s.session, s.reason.split(" of ")[0]) for s in joined.skipped] == [("1715-15M", "duplicate")]
    # a gap is inside the span: the session runs from the first start to the last end
    gap = plan([obs[0], obs[7]], nav, join_sessions=True)
    assert [it.key[2] for it in gap.items] == ["1700-02H"] and len(gap.items[0].paths("obs")) == 2


def test_joined_rtk_rovers_get_every_file_of_their_base_station(tmp_path):
    rovers = _touch(
        tmp_path, "AAAA00XXX_R_20201771000_01H_01S_MO.rnx", "AAAA00XXX_R_20201771100_01H_01S_MO.rnx"
    )
    base = _touch(
        tmp_path,
        "BASE00XXX_R_20201771100_01H_01S_MO.rnx",
        "BASE00XXX_R_20201771000_01H_01S_MO.rnx",
        "BASE00XXX_R_20201771200_01H_01S_MO.rnx",  # after the rover's span
        "OTHR00XXX_R_20201771000_01H_01S_MO.rnx",  # another base station, less overlap
    )
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx")
    task = get_task("rtk")
    needs = task.required(task.config_class())
    p = plan(rovers, nav, needs=needs, roles=task.roles, extra={"base": base}, join_sessions=True)
    assert [it.key[2] for it in p.items] == ["1000-02H"]
    assert [os.path.basename(x) for x in p.items[0].paths("base")] == [
        "BASE00XXX_R_20201771000_01H_01S_MO.rnx",
        "BASE00XXX_R_20201771100_01H_01S_MO.rnx",
    ]
    # the base station's own files among the rovers: left out, as a single file is
    own = plan(
        rovers + base[:2], nav, needs=needs, roles=task.roles, extra={"base": base}, join_sessions=True
    )
    assert [s.reason.split(" (")[0] for s in own.skipped] == ["the rover is the base"]


def test_a_short_name_and_the_long_name_of_one_station_day_are_one_unit(tmp_path):
    """``wtzr1770.20o`` beside ``WTZR00DEU_R_20201770000_01D_30S_MO.rnx``: one unit, the other a duplicate
    (the dataset had every epoch twice); two long names of the same four-character station with other
    monument numbers stay two receivers."""
    obs = _touch(
        tmp_path,
        "WTZR00DEU_R_20201770000_01D_30S_MO.rnx",
        "wtzr1770.20o",
        "ESBC00DNK_R_20201770000_01D_30S_MO.rnx",
        "ESBC01DNK_R_20201770000_01D_30S_MO.rnx",
    )
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx.gz")
    p = plan(obs, nav)
    assert sorted(it.station for it in p.items) == ["ESBC00DNK", "ESBC01DNK", "WTZR00DEU"]
    assert [(s.station, s.reason.split(" of ")[0]) for s in p.skipped] == [("WTZR", "duplicate")]


def test_copies_of_one_file_under_names_of_other_units_are_planned_once(tmp_path):
    """One observation file copied as WTZR00DEU and WTZR01DEU, as 01D and 01H, plain and gzipped: each name
    was a unit of its own (processed again, its epochs in the dataset twice). Copies are found by their
    decompressed content among the files of one station and day: a file that starts the same (over
    HEAD_BYTES) and has one epoch more, the station's next hour and another station's file stay units; a
    short name's twin of a copy is reported against the file planned."""
    import gzip

    from kompas.batch.copies import HEAD_BYTES

    def body(first="00", epochs=3000):
        head = _rinex_header(
            "WTZR",
            f"  2020     6    25    {first}     0    0.0000000",
            f"  2020     6    25    {first}    59   30.0000000",
        )
        epoch = "> 2020 06 25 {} {:02d} {:2d}.0000000  0  1\nG01 2.0e7\n"
        return head + "".join(epoch.format(first, k // 2 % 60, k % 2 * 30) for k in range(epochs))

    assert len(body()) > HEAD_BYTES and body()[:HEAD_BYTES] == body(epochs=3001)[:HEAD_BYTES]
    files = {
        "ESBC00DNK_R_20201770000_01D_30S_MO.rnx": body(),  # another station
        "WTZR00DEU_R_20201770000_01D_30S_MO.rnx": body(),  # the first of the copies by path: planned
        "WTZR00DEU_R_20201770000_01H_30S_MO.rnx.gz": gzip.compress(body().encode()),
        "WTZR00DEU_R_20201770100_01H_30S_MO.rnx": body(first="01"),
        "WTZR01DEU_R_20201770000_01D_30S_MO.rnx": body(),
        "WTZR02DEU_R_20201770000_01D_30S_MO.rnx": body(epochs=3001),
        "wtzr_copy.obs": body(),  # named by its header: WTZR 0000-01H, the .gz file's twin by name
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    nav = _touch(tmp_path, "BRDC00WRD_S_20201770000_01D_MN.rnx.gz")
    p = plan([str(tmp_path / n) for n in files], nav)
    assert sorted((it.station, it.session) for it in p.items) == [
        ("ESBC00DNK", "0000-01D"), ("WTZR00DEU", "0000-01D"), ("WTZR00DEU", "0100-01H"),
        ("WTZR02DEU", "0000-01D"),
    ]  # fmt: skip
    copy = f"duplicate of {tmp_path / 'WTZR00DEU_R_20201770000_01D_30S_MO.rnx'}"
    assert sorted((Path(s.path).name, s.session, s.reason) for s in p.skipped) == [
        ("WTZR00DEU_R_20201770000_01H_30S_MO.rnx.gz", "0000-01H", f"{copy} (the same content)"),
        ("WTZR01DEU_R_20201770000_01D_30S_MO.rnx", "0000-01D", f"{copy} (the same content)"),
        ("wtzr_copy.obs", "0000-01H", copy),
    ]


def test_several_antex_files_among_the_inputs_are_refused_before_any_work(tmp_path):
    """Two ANTEX files in the folder of a PPP batch: every unit failed late on "give one"; now the plan
    says which and how to choose, and --with antex=FILE chooses."""
    obs = _touch(tmp_path, "ZIM200CHE_R_20261330000_01H_30S_MO.rnx")
    files = obs + _touch(tmp_path, "igs20.atx", "igs20_zim2_trim.atx")
    task = get_task("ppp")
    with pytest.raises(ConfigError, match=r"^2 ANTEX files among the inputs \(igs20\.atx, igs20_zim2_trim\.atx\): "
                                          r"choose one with --with antex=FILE$"):  # fmt: skip
        plan(files, [], needs=(), roles=task.roles)
    one = plan(files, [], needs=(), roles=task.roles, extra={"antex": [files[1]]})
    assert one.items[0].paths("antex") == (files[1],)


def test_ppp_units_need_orbits_and_take_clock_files_when_given(tmp_path):
    """As ``kompas ppp --sp3`` alone: an SP3 file's own clocks serve, so a PPP unit is planned without a
    clock file (it was skipped, "no clock file for 2020-06-25"); with one, the same producer's pair."""
    task = get_task("ppp")
    assert task.required(task.config_class()) == ("orbit",)
    obs = _touch(tmp_path, "AAAA00XXX_R_20201770000_01D_30S_MO.rnx")
    sp3 = _touch(tmp_path, "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")
    kw = {"needs": task.required(task.config_class()), "roles": task.roles}
    it = plan(obs + sp3, **kw).items[0]
    assert it.paths("orbit") == (sp3[0],) and it.paths("clock") == ()
    clk = _touch(tmp_path, "COD0MGXFIN_20201770000_01D_30S_CLK.CLK")
    assert plan(obs + sp3 + clk, **kw).items[0].paths("clock") == (clk[0],)


def test_an_observation_file_that_cannot_be_planned_says_so(tmp_path):
    """An observation file (by its first line) whose header gives no station or first epoch is named as
    such, not as a file that is not recognised (it was "not an observation, navigation or product file")."""
    from kompas.batch.plan import _BROKEN_OBS, _UNKNOWN

    broken = tmp_path / "badtime.10o"
    broken.write_text(f"{'     2.11':20s}{'OBSERVATION DATA':20s}{'M (MIXED)':20s}RINEX VERSION / TYPE\n"
                      f"{'':60s}END OF HEADER\n")  # fmt: skip
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    p = plan([str(broken), str(other)], [])
    assert p.items == () and sorted((s.path, s.reason) for s in p.skipped) == sorted(
        [(str(broken), _BROKEN_OBS), (str(other), _UNKNOWN)]
    )
