"""Typed configuration: validation from field metadata, TOML round trip, command-line options."""

import argparse
import dataclasses
import typing

import pytest

from kompas import SppConfig
from kompas.config import Options, add_arguments, from_arguments, from_mapping, load_toml, option, to_toml
from kompas.errors import ConfigError
from kompas.ppp_config import PppConfig


def test_defaults_and_normalised_systems():
    cfg = SppConfig()
    assert cfg.systems == "GREC" + "J" and cfg.elmask_deg == 10.0 and cfg.models.iono == "brdc"
    # the order the user types does not matter
    assert SppConfig(systems="C,R").systems == SppConfig(systems="rc").systems == "RC"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"elmask_deg": 90.0}, "elmask_deg' must be below 90.0 deg"),
        ({"elmask_deg": -1}, "at least 0.0 deg"),
        ({"elmask_deg": "high"}, "must be a number"),
        ({"iono": "klobuchar"}, "must be one of brdc, if, ionex, off"),
        ({"systems": "GX"}, "option 'systems' must be letters of GRECJI"),
        ({"raim": "maybe"}, "must be true or false"),
        ({"max_iter": 2.5}, "must be an integer"),
        ({"priority": "C:9Z"}, "has no RINEX signal '9Z'"),
        ({"if_bands": "C:22"}, "two different band digits"),
        ({"start": "yesterday"}, "ISO date-time"),
    ],
)
def test_invalid_values_name_the_option(change, message):
    with pytest.raises(ConfigError, match=message):
        SppConfig().replace(**change)


def test_replace_by_leaf_name_and_dotted_path():
    cfg = SppConfig().replace(elmask_deg=15, iono="if", **{"estimator.raim": False})
    assert cfg.elmask_deg == 15.0 and isinstance(cfg.elmask_deg, float)
    assert cfg.models.iono == "if" and cfg.estimator.raim is False
    with pytest.raises(ConfigError, match="unknown option 'elmask'"):
        SppConfig().replace(elmask=15)


def test_signal_lists_parse_from_text_and_tables():
    a = SppConfig().replace(priority="C:2I,2X;R:1C")
    b = from_mapping(SppConfig, {"signals": {"priority": {"C": ["C2I", "2X"], "R": "1C"}}})
    assert a.signals.priority == b.signals.priority == {"C": ("2I", "2X"), "R": ("1C",)}
    assert SppConfig().replace(if_bands="C:26,15").signals.if_bands == {"C": ("26", "15")}


def test_toml_round_trip(tmp_path):
    cfg = SppConfig().replace(systems="CR", elmask_deg=12.5, tropo="off", priority="C:2X", sigma_code_m=0.5,
                              max_gdop=10.0, start="2020-06-25T01:00:00")  # fmt: skip
    path = tmp_path / "c.toml"
    path.write_text(to_toml(cfg))
    back = load_toml(SppConfig, path)
    assert back == cfg
    text = path.read_text()
    assert "# elevation mask [deg]" in text and "[models]" in text and "# end = ..." in text


def test_unknown_keys_and_bad_types_name_file_and_section(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[models]\niono = 'brdc'\nfoo = 1\n")
    with pytest.raises(ConfigError, match=r"c.toml: unknown option 'foo' in \[models\]"):
        load_toml(SppConfig, path)
    path.write_text("[errors]\nsaas_m = 'x'\n")
    with pytest.raises(ConfigError, match=r"c.toml in \[errors\]: option 'saas_m' must be a number"):
        load_toml(SppConfig, path)
    path.write_text("models = 3\n")
    with pytest.raises(ConfigError, match=r"\[models\] must be a table"):
        load_toml(SppConfig, path)
    path.write_text("systems = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_toml(SppConfig, path)


def test_command_line_options_follow_the_metadata(capsys):
    parser = argparse.ArgumentParser(prog="x")
    add_arguments(parser, SppConfig)
    help_text = parser.format_help()
    assert "--elmask DEG" in help_text and "(default: 10.0)" in help_text and "[deg]" in help_text
    assert "--no-raim" in help_text and "``" not in help_text
    args = parser.parse_args(["--elmask", "7.5", "--no-raim", "--signals", "C:2I", "--iono", "if"])
    cfg = from_arguments(SppConfig(), args)
    assert cfg.elmask_deg == 7.5 and cfg.estimator.raim is False and cfg.models.iono == "if"
    assert cfg.signals.priority == {"C": ("2I",)}
    with pytest.raises(ConfigError, match="--elmask must be below 90"):
        from_arguments(SppConfig(), parser.parse_args(["--elmask", "95"]))


def test_ephemeris_policy_option():
    """The broadcast record policy reaches SPP from the API, TOML and the command line (issue 15)."""
    import argparse

    from kompas import SppConfig
    from kompas.config import add_arguments, from_arguments, to_toml
    from kompas.errors import ConfigError

    cfg = SppConfig()
    assert cfg.ephemeris.policy == "post"
    assert cfg.replace(policy="icd").ephemeris.policy == "icd"
    with pytest.raises(ConfigError, match="policy"):
        cfg.replace(policy="stretch")
    assert 'policy = "post"' in to_toml(cfg)
    p = argparse.ArgumentParser()
    add_arguments(p, SppConfig)
    assert from_arguments(cfg, p.parse_args(["--eph-policy", "rtklib"])).ephemeris.policy == "rtklib"


@dataclasses.dataclass(frozen=True)
class _Inner(Options):
    depth_m: float = option(1.0, "depth", unit="m", low=0.0)


@dataclasses.dataclass(frozen=True)
class _Middle(Options):
    inner: _Inner = option(default_factory=_Inner)


@dataclasses.dataclass(frozen=True)
class _Outer(Options):
    middle: _Middle = option(default_factory=_Middle)
    other: _Inner = option(default_factory=_Inner)
    name: str = option("x", "a name")
    modes: tuple[str, ...] = option(("a",), "modes", choices=("a", "b"))
    weights: tuple[float, ...] = option((1.0,), "weights")
    limit: typing.Union[float, None] = option(None, "limit")  # noqa: UP007 (the typing.Union spelling)


def test_a_misplaced_key_names_its_section_at_any_depth():
    with pytest.raises(ConfigError, match=r"unknown option 'depth_m' \(it belongs in \[middle.inner\]\)"):
        from_mapping(_Outer, {"depth_m": 2.0})
    assert from_mapping(_Outer, {"middle": {"inner": {"depth_m": 2}}}).middle.inner.depth_m == 2.0
    with pytest.raises(
        ConfigError, match="ambiguous option 'depth_m' for _Outer; known: middle.inner.depth_m"
    ):
        _Outer().replace(depth_m=3.0)
    assert _Outer().replace(**{"other.depth_m": 3}).other.depth_m == 3.0


def test_lists_optional_values_and_nested_groups():
    cfg = _Outer().replace(modes="a,b", weights="1;2.5", limit="2")
    assert cfg.modes == ("a", "b") and cfg.weights == (1.0, 2.5) and cfg.limit == 2.0
    assert _Outer(limit=None).limit is None
    with pytest.raises(ConfigError, match="option 'modes' must be one of a, b, not 'c'"):
        _Outer().replace(modes="a,c")
    with pytest.raises(ConfigError, match="option 'models' must be ModelOptions"):
        SppConfig(models=3)
    with pytest.raises(
        ConfigError, match=r"unknown option 'nope' for ModelOptions; known: \['broadcast_models'"
    ):
        SppConfig().replace(**{"models.nope": 1})
    assert SppConfig().replace(raim="no").estimator.raim is False
    assert SppConfig().replace(raim="YES").estimator.raim is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tropo": 3}, "option 'tropo' must be a string, not 3"),
        ({"elmask_deg": float("nan")}, "option 'elmask_deg' must be a finite number, not nan"),
        ({"max_iter": True}, "option 'max_iter' must be an integer$"),
        ({"priority": "C2I"}, r"needs items like C:2I,2X;R:1C, not 'C2I'"),
        ({"priority": "C:"}, "lists no signal for system C"),
        ({"if_bands": "C26"}, r"needs items like C:26,15;E:15, not 'C26'"),
        ({"if_bands": "C:29"}, r"system C has no band 9 \(pair '29'\)"),
        ({"broadcast_models": ["E"]}, r"needs items like E:GPS_KLOB;C3:BDGIM,BDS_KLOB, not \['E'\]"),
        (
            {"broadcast_models": "X9:GPS_KLOB"},
            "unknown satellite class 'X9'; expected one of G, R, J, I, C2, C3",
        ),
        (
            {"broadcast_models": "E:KLOB"},
            "unknown ionosphere model 'KLOB'; expected IONEX, GPS_KLOB, QZS_KLOB",
        ),
        ({"broadcast_models": "E:"}, "unknown ionosphere model ''"),
    ],
)
def test_messages_say_what_is_expected(change, message):
    with pytest.raises(ConfigError, match=message):
        SppConfig().replace(**change)


def test_table_and_list_options_name_their_type():
    with pytest.raises(ConfigError, match=r"option 'system_factor' must be a table, not 3"):
        from_mapping(SppConfig, {"errors": {"system_factor": 3}})
    with pytest.raises(ConfigError, match=r"option 'apriori_m' must be a list, not 3"):
        PppConfig().replace(apriori_m=3)


def test_broadcast_models_and_glonass_pairs_parse():
    cfg = SppConfig().replace(broadcast_models="e:gps_klob;c3: bdgim , bds_klob")
    assert cfg.models.broadcast_models == {"E": ("GPS_KLOB",), "C3": ("BDGIM", "BDS_KLOB")}
    # GLONASS FDMA bands have no single frequency: the check must not ask for one
    assert SppConfig().replace(if_bands="R:12").signals.if_bands == {"R": ("12",)}
    assert SppConfig().replace(if_bands={"C": "26"}).signals.if_bands == {"C": ("26",)}  # TOML C = "26"
    # a system named without a pair would leave it out of the solution: refused, as priority does
    for value in ("G:", "G:;", "G:15;E:"):
        with pytest.raises(ConfigError, match=r"option 'if_bands' gives [GE] no band pair"):
            SppConfig().replace(if_bands=value)


def test_help_shows_text_unit_default_and_metavar():
    parser = argparse.ArgumentParser(prog="x")
    add_arguments(parser, SppConfig, defaults=SppConfig().replace(priority="C:2I,2X;R:1C"))
    text = " ".join(parser.format_help().split())
    assert "--elmask DEG elevation mask [deg] (default: 10.0)" in text
    assert "--systems SYSTEMS systems to use, letters of GRECJI (e.g. C,R) (default: GRECJ)" in text
    assert "--iono {brdc,if,ionex,off}" in text and "--max-gdop MAX" in text
    assert "(default: C:2I,2X;R:1C)" in text and "--if-bands IF band pairs" in text
    assert "--iono-models BROADCAST" in text and "(default: none)" in text
    ppp = argparse.ArgumentParser(prog="y")
    add_arguments(ppp, PppConfig, defaults=PppConfig().replace(centres="C:GBM;G:GRG"))
    assert "(default: C:GBM;G:GRG)" in " ".join(ppp.format_help().split())
    # a help text stating its default in words keeps that one alone while the value is unset
    plain = argparse.ArgumentParser(prog="z")
    add_arguments(plain, PppConfig)
    text = " ".join(plain.format_help().split())
    assert "(default: the best clock coverage)" in text and "coverage) (default: none)" not in text
    assert "(default: header, else SPP) [m]" in text and "SPP) [m] (default: none)" not in text


@pytest.mark.parametrize(
    ("recipe", "change", "message"),
    [
        ("rtk", {"time_tolerance_s": -1}, r"'time_tolerance_s' must be at least 0.0 s, not -1.0"),
        ("rtk", {"noise.system_factor": {"G": -1.0}}, r"'system_factor' must be above 0.0, not -1.0"),
        (
            "rtk",
            {"noise.system_factor": {"X": 1.0}},
            r"'system_factor' has keys of G, R, E, C, J, I, S, not 'X'",
        ),
        ("rtk", {"ephemeris.max_before_toe_s": {"E": -1.0}}, r"'max_before_toe_s' must be at least 0.0 s"),
        ("rtk", {"ephemeris.max_dtoe_s": {"Q": 10.0}}, r"'max_dtoe_s' has keys of G, R, E, C, J, I, S"),
        ("rtk", {"models.iono_km": -5}, r"'iono_km' must be at least 0.0 km"),
        (
            "rtk",
            {"ephemeris.messages": {"E": ["XNAV"]}},
            r"'messages' of E must be among INAV, FNAV, not 'XNAV'",
        ),
        ("rtk", {"ephemeris.messages": {"R": ["FDMA"]}}, r"'messages' has systems G, J, E, C, I .*not 'R'"),
        ("rtk", {"noise.amb_cyc": 0}, r"'amb_cyc' must be above 0.0 cyc"),
        ("rtk", {"noise.pos_m": 0}, r"'pos_m' must be above 0.0 m"),
        ("ppp", {"noise.sigma_ambiguity_m": 0}, r"'sigma_ambiguity_m' must be above 0.0 m"),
        ("ppp", {"noise.kinematic_sigma_m": 0}, r"'kinematic_sigma_m' must be above 0.0 m"),
        ("ppp", {"noise.system_factor": {"G": 0.0}}, r"'system_factor' must be above 0.0"),
        (
            "ppp",
            {"apriori_m": "0,0,0"},
            r"'apriori_m' must be an ECEF X,Y,Z in metres near the Earth's surface",
        ),
        ("ppp", {"apriori_m": "1,2,3"}, r"near the Earth's surface, not \(1.0, 2.0, 3.0\)"),
        ("ppp", {"centres": "X:GBM"}, r"'centres' has keys of G, R, E, C, J, not 'X'"),
        ("ppp", {"centres": {"S": "COD"}}, r"'centres' has keys of G, R, E, C, J, not 'S'"),
        ("ppp", {"centres": "C:GBM:X"}, r"'centres' needs analysis centre names like GBM .*not 'GBM:X'"),
        ("ppp", {"centres": "C:GBM G:GRG"}, r"'centres' needs analysis centre names .*not 'GBM G:GRG'"),
        (
            "ppp",
            {"centres": ["C:GBM"]},
            r"'centres' must be a table of analysis centres per system, not \['C:GBM'\]",
        ),
        ("ppp", {"centres": "CGBM"}, r"'centres' needs SYSTEM:CENTRE items like C:GBM;G:GRG, not 'CGBM'"),
        ("ppp", {"polar_motion_arcsec": "0.1"}, r"'polar_motion_arcsec' needs two numbers, not \['0.1'\]"),
        ("ppp", {"polar_motion_arcsec": "0.1,0.2,0.3"}, r"'polar_motion_arcsec' needs two numbers"),
        ("spp", {"interval_s": 0}, r"'interval_s' must be above 0.0 s"),
        ("spp", {"sigma_code_m": 0}, r"'sigma_code_m' must be above 0.0 m"),
        ("spp", {"system_factor": {"C": -2.0}}, r"'system_factor' must be above 0.0"),
        ("spp", {"start": "2020-06-25T00:10:00Z"}, r"'start' is GPS time without a time zone"),
        ("spp", {"end": "2020-06-25T00:12:00+02:00"}, r"'end' is GPS time without a time zone"),
        ("spp", {"end": "2020-06-25T00:12:00-0100"}, r"'end' is GPS time without a time zone"),
        ("spp", {"start": ""}, r"'start' must be an ISO date-time like 2020-06-25T10:00:00, not ''"),
        ("spp", {"start": "2020-06-25T00:10:00z"}, r"'start' is GPS time without a time zone"),
        ("rtk", {"end": "NaT"}, r"'end' must be an ISO date-time like 2020-06-25T10:00:00, not 'NaT'"),
    ],
)
def test_values_that_would_break_or_silently_change_a_run_are_refused(recipe, change, message):
    from kompas.rtk import RtkConfig

    cls = {"rtk": RtkConfig, "ppp": PppConfig, "spp": SppConfig}[recipe]
    with pytest.raises(ConfigError, match=message):
        cls().replace(**change)


def test_checked_tables_and_times_keep_their_valid_values():
    from kompas.rtk import RtkConfig

    cfg = RtkConfig().replace(
        **{
            "ephemeris.messages": "e:fnav;C:D1",
            "ephemeris.max_dtoe_s": {"E": 0.0},
            "noise.system_factor": {"C": 2},
        }
    )
    assert cfg.ephemeris.messages == {"E": ("FNAV",), "C": ("D1",)}
    assert cfg.ephemeris.max_dtoe_s == {"E": 0.0} and cfg.noise.system_factor["C"] == 2.0
    assert SppConfig().replace(start="2020-06-25 00:10:00").window.start == "2020-06-25T00:10:00"
    assert PppConfig().replace(apriori_m="4075580.3,931854.1,4801568.3").apriori_m == (
        4075580.3,
        931854.1,
        4801568.3,
    )
    assert PppConfig().replace(interval_s=30).window.interval_s == 30.0
    # the text forms of the command line: separators, spaces and letter case as a user types them
    assert PppConfig().replace(apriori_m="4075580.3 931854.1;4801568.3").apriori_m == (
        4075580.3,
        931854.1,
        4801568.3,
    )
    assert PppConfig().replace(centres="c:gbm; g : grg;").products.centres == {"C": "GBM", "G": "GRG"}
    assert PppConfig().replace(centres={"e": "cod"}).products.centres == {"E": "COD"}
    assert PppConfig().replace(polar_motion_arcsec="0.1, 0.3").models.polar_motion_arcsec == (0.1, 0.3)
    assert PppConfig().replace(polar_motion_arcsec="-0.05;0.4").models.polar_motion_arcsec == (-0.05, 0.4)
    assert PppConfig().replace(polar_motion_arcsec=[0.2, 0.25]).models.polar_motion_arcsec == (0.2, 0.25)


def test_a_partial_table_of_system_factors_keeps_the_other_systems_defaults():
    from kompas.rtk import RtkConfig

    rtk = RtkConfig().replace(**{"noise.system_factor": {"C": 2.0}}).noise.system_factor
    assert rtk["C"] == 2.0 and rtk["R"] == 1.5  # GLONASS silently got 1.0 before
    assert SppConfig().replace(system_factor={"C": 2.0}).errors.system_factor["S"] == 3.0
    assert PppConfig().replace(**{"noise.system_factor": {"G": 2.0}}).noise.system_factor["R"] == 1.5


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("Yes", True), ("1", True), ("false", False), ("NO", False), ("0", False)],
)
def test_switches_read_from_text(text, value):
    # environment variables, CSV tables and hand-written TOML give switches as text
    assert SppConfig().replace(raim=text).estimator.raim is value


def test_rtk_base_position_as_an_array_as_positions_are_given_in_the_api():
    import numpy as np

    from kompas.rtk import RtkConfig

    xyz = np.array([4075580.3111, 931854.0543, 4801568.2808])
    for value in (xyz, xyz.tolist(), tuple(xyz), "4075580.3111, 931854.0543, 4801568.2808"):
        assert (
            RtkConfig().replace(base_position=value).base_position == "4075580.3111 931854.0543 4801568.2808"
        )
    for bad in (xyz[:2], [0.0, 0.0, 0.0], xyz * 2):  # two numbers, the Earth's centre, 6000 km up
        with pytest.raises(ConfigError, match="must be header, spp or an ECEF X Y Z"):
            RtkConfig().replace(base_position=bad)


def test_tables_written_as_text_as_on_a_command_line():
    # kompas batch --set system_factor=C:2 (the TOML form needs a file): KEY:VALUE;KEY:VALUE
    from kompas.rtk import RtkConfig

    cfg = SppConfig().replace(system_factor="C:2;R:3")
    assert cfg.errors.system_factor["C"] == 2.0 and cfg.errors.system_factor["R"] == 3.0
    assert cfg.errors.system_factor["E"] == SppConfig().errors.system_factor["E"]  # the others kept
    assert RtkConfig().replace(max_dtoe_s="E:14400").ephemeris.max_dtoe_s == {"E": 14400.0}
    with pytest.raises(ConfigError, match=r"'system_factor' must be above 0.0, not -1.0"):
        SppConfig().replace(system_factor="C:-1")
    with pytest.raises(ConfigError, match=r"'system_factor' must be a table, not 'C=2'"):
        SppConfig().replace(system_factor="C=2")


def test_a_window_ending_before_it_starts_is_refused_before_any_file_is_read(tmp_path):
    """``--start`` after ``--end`` is an option error of the final window (the TOML file's, then the command
    line's), raised when the command's options are built; before, the whole observation file was read and
    then said to have no epoch in the window. Changing a valid window to another valid one in either order
    is fine (the check is not made halfway)."""
    from kompas.cli.main import build_parser
    from kompas.config import check_window, from_command_line
    from kompas.engine import window

    msg = r"^the processing window is empty: start 2020-06-25T12:00 is after end 2020-06-25T11:59:59$"
    with pytest.raises(ConfigError, match=msg):
        check_window("2020-06-25T12:00", "2020-06-25T11:59:59")
    check_window("2020-06-25T12:00", "2020-06-25T12:00:00")
    check_window(None, "2020-06-25T11:00:00")
    cfg = SppConfig().replace(start="2020-06-25T10:00", end="2020-06-25T11:00")
    assert cfg.replace(start="2020-06-26T10:00", end="2020-06-26T11:00").window.end == "2020-06-26T11:00"
    toml = tmp_path / "w.toml"
    toml.write_text('[window]\nstart = "2020-06-25T10:00:00"\nend = "2020-06-25T11:00:00"\n')
    parser = build_parser()
    args = parser.parse_args(["spp", "o.rnx", "n.rnx", "--config", str(toml), "--start", "2020-06-26T10:00:00",
                              "--end", "2020-06-26T11:00:00"])  # fmt: skip
    assert from_command_line(SppConfig, args).window.start == "2020-06-26T10:00:00"
    args = parser.parse_args(
        ["spp", "o.rnx", "n.rnx", "--config", str(toml), "--start", "2020-06-25T12:00:00"]
    )
    with pytest.raises(ConfigError, match="start 2020-06-25T12:00:00 is after end 2020-06-25T11:00:00"):
        from_command_line(SppConfig, args)
    with pytest.raises(ConfigError, match="processing window is empty"):  # the API's window, too
        window(None, "2020-06-25T12:00:00", "2020-06-25T11:00:00")


def test_a_checked_configuration_cannot_change_through_its_tables():
    import copy
    import json
    import pickle

    from kompas.config import leaf_fields
    from kompas.monitor.run import MonitorConfig
    from kompas.rtk import RtkConfig

    a = SppConfig()
    b = a.replace(elmask_deg=15, priority="C:2I;R:1C")
    for table in (b.errors.system_factor, b.signals.priority):  # shared with a; checked when b was built
        with pytest.raises(TypeError, match="read-only"):
            table["R"] = -7.0
        with pytest.raises(TypeError, match="read-only"):
            table.update(R=-7.0)
    assert a.errors.system_factor["R"] == 1.5 and b.errors.system_factor["R"] == 1.5
    for cfg in (a, b, PppConfig().replace(centres="C:GBM"), RtkConfig(), MonitorConfig()):
        for path, _, _ in leaf_fields(type(cfg)):
            value = cfg
            for name in path:
                value = getattr(value, name)
            assert not isinstance(value, list | dict) or type(value).__name__ == "FrozenDict", path
        # as before: pickled (Dask tasks), copied, dumped as TOML, equal to the same options
        for twin in (pickle.loads(pickle.dumps(cfg)), copy.deepcopy(cfg), copy.copy(cfg)):
            assert twin == cfg and to_toml(twin) == to_toml(cfg)
    assert hash(MonitorConfig()) == hash(pickle.loads(pickle.dumps(MonitorConfig())))  # no table
    with pytest.raises(TypeError, match="unhashable"):  # as with a dict: batch hashes the TOML text
        hash(a)
    assert b != a and b.errors.system_factor == dict(a.errors.system_factor)
    assert json.dumps(b.signals.priority) == '{"C": ["2I"], "R": ["1C"]}'
    assert repr(b.errors.system_factor).startswith("{'G': 1.0") and "R = 1.5" in to_toml(b)
