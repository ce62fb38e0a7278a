"""The Python API on arguments a user gets wrong: a kompas error naming what was expected, never a bare
Python exception from deep inside, never a result that quietly ignores or misreads an argument."""

import dataclasses
import importlib
import warnings

import numpy as np
import pytest

import kompas
from kompas import Solution
from kompas.errors import ConfigError, SignalError
from kompas.products.broadcast import BroadcastProduct
from kompas.tables.obs import ObsTable

A = "A_2020-177_ESBC_WTZR"
WTZZ = np.array([4075579.1913, 931853.3696, 4801569.1897])


@pytest.fixture(scope="module")
def files(kompas_data):
    a = kompas_data / A
    obs = kompas.read_obs(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    return a, obs, kompas.read_nav(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")


def _quiet(f, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kw)


def test_read_obs_systems_are_letters_of_known_systems(files):
    a, obs, _ = files
    path = a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    lower = kompas.read_obs(path, systems="cr")  # read as nothing before
    assert lower.systems == "RC" and len(lower) == len(obs.select(systems="CR"))
    with pytest.raises(SignalError, match="systems must be letters of GRECJSI, not 'X'"):
        kompas.read_obs(path, systems="X")


def test_recipes_refuse_paths_missing_navigation_and_other_configurations(files):
    a, obs, nav = files
    rtk_config = importlib.import_module("kompas.rtk").RtkConfig
    cases = [
        (
            lambda: kompas.spp(str(a / "x.rnx"), nav),
            "obs must be observations (an ObsTable, or an iterable of them), not str (read the",
        ),
        (lambda: kompas.spp([str(a / "x.rnx")], nav), "each block of the observation stream must be"),
        (
            lambda: kompas.ppp(obs.observables({"G": (1, 2)}), nav),
            "obs must be observations (an ObsTable), not Observables (pass the ObsTable itself",
        ),
        (lambda: kompas.run_qc(nav, nav), "obs must be observations (an ObsTable), not NavData"),
        (
            lambda: kompas.rtk(obs, kompas.spp(obs, nav), nav),
            "base must be observations (an ObsTable), not Solution",
        ),
        (lambda: kompas.spp(obs, []), "no navigation data given"),
        (lambda: kompas.spp(obs, None), "navigation data must be NavData, not NoneType"),
        (lambda: kompas.spp(obs, str(a / "n.rnx")), "not str (read the file first: kompas.read_nav(path))"),
        (
            lambda: kompas.ppp(obs, nav, sp3=[str(a / "x.sp3")]),
            "sp3 must be Sp3 (kompas.read_sp3), not str (read the file first: kompas.read_sp3(path))",
        ),
        (
            lambda: kompas.rtk(obs, obs, nav, atx=a / "x.atx"),
            "(read the file first: kompas.read_antex(path))",
        ),
        (lambda: kompas.spp(obs, nav, config=rtk_config()), "config must be a SppConfig, not RtkConfig"),
        (lambda: kompas.spp(obs, nav, chunk_epochs=0), "chunk_epochs must be a whole number of epochs >= 1"),
        (lambda: kompas.rtk(obs, None, nav), "base must be observations (an ObsTable), not NoneType"),
        (
            lambda: kompas.ppp(obs, nav, config=kompas.SppConfig()),
            "config must be a PppConfig, not SppConfig",
        ),
        (
            lambda: kompas.run_qc(obs, [], config=None),
            "^no navigation data given: a NavData (kompas.read_nav(path)) or a list of them$",
        ),
        (lambda: kompas.run_qc(obs, nav, config=kompas.SppConfig()), "config must be a QcConfig"),
    ]
    for call, message in cases:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            _quiet(call)


def test_tables_and_solutions_join_only_in_time_order(files):
    _, obs, nav = files
    head, tail = obs.take_epochs(np.arange(60)), obs.take_epochs(np.arange(60, 120))  # indices, not a mask
    joined = ObsTable.concat([head, tail])
    assert joined.n_epochs == 120 and np.array_equal(joined.epoch_time_ns, obs.epoch_time_ns)
    for parts in ([obs, obs], [tail, head], []):  # twice: qc counted 722 slips instead of 45 (set D, PASA)
        with pytest.raises(ConfigError, match="ObsTable.concat needs"):
            ObsTable.concat(parts)
    other = dataclasses.replace(tail, header=dataclasses.replace(tail.header, marker_name="AAAA"))
    names = f"AAAA, {head.header.marker_name}"  # named in sorted order
    with pytest.raises(ConfigError, match=f"joins one receiver's tables, not those of {names}$"):
        ObsTable.concat([head, other])
    a, b = _quiet(kompas.spp, obs, nav, systems="GE"), _quiet(kompas.spp, obs, nav, systems="GRC")
    for parts, message in (([], "at least one"), ([a, b], "different systems"), ([a, a], "time order")):
        with pytest.raises(ConfigError, match=message):
            Solution.concat(parts)


def test_a_reference_that_is_not_ecef_is_refused(files):
    _, obs, nav = files
    sol = _quiet(kompas.spp, obs, nav, systems="G")
    for ref in ([0.86, 0.22, 600.0], [np.nan, 0.0, 0.0], [1.0, 2.0]):  # lat/lon/height, NaN, two values
        with pytest.raises(ConfigError, match="the reference must be ECEF X, Y, Z in metres"):
            sol.enu_error_m(ref)
    per_epoch = np.tile(WTZZ, (len(sol), 1))
    assert np.allclose(sol.enu_error_m(per_epoch), sol.enu_error_m(WTZZ), equal_nan=True)


def test_slip_gap_below_the_interval_and_unknown_signals_are_refused(files):
    _, obs, nav = files
    with pytest.raises(
        ConfigError, match=r"max_gap_s \(10 s\) is shorter than the sampling interval \(30 s\)"
    ):
        _quiet(kompas.run_qc, obs, nav, max_gap_s=10)
    product, t = BroadcastProduct(nav), int(obs.epoch_time_ns[60])
    for sat, sig, message in (
        ("G01", "9Z", "system G has no signal '9Z'"),
        ("C19", "1C", "system C has no signal '1C'"),
    ):
        with pytest.raises(SignalError, match=message):
            product.state(kompas.sat_index([sat]), t, signal=[sig])
    gps = [int(x) for x in np.unique(obs.sat) if x // 100 == 1]
    ok = product.state(np.array(gps, np.int16), t, signal=["1C"] * len(gps)).ok
    assert ok.sum() >= 4  # valid signals still served


def test_scalar_and_empty_arguments_of_the_signal_helpers():
    assert kompas.carrier_frequency("G05", "1C") == pytest.approx(1575.42e6)
    assert kompas.wavelength("C19", "2I") == pytest.approx(299792458.0 / 1561.098e6)
    from kompas.satsys import signal_id

    assert kompas.sat_index([]).size == 0 and signal_id([]).size == 0


def test_read_pos_keeps_the_ratio_and_age_of_a_relative_solution(files, tmp_path):
    a, obs, nav = files
    base = kompas.read_obs(a / "WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    sol = _quiet(kompas.rtk, base, obs, [nav], systems="G", elmask_deg=15.0)
    kompas.write_solution(sol, tmp_path / "r.pos", "pos")
    back = kompas.read_pos(tmp_path / "r.pos")
    assert back.ratio is not None and np.allclose(back.ratio, sol.ratio, atol=0.05)
    assert back.age_s is not None and np.allclose(back.age_s, sol.age_s, atol=0.005)
    spp_pos = tmp_path / "s.pos"
    kompas.write_solution(_quiet(kompas.spp, obs, nav, systems="G"), spp_pos, "pos")
    assert kompas.read_pos(spp_pos).ratio is None  # a single point file: zeros, not a ratio


@pytest.mark.parametrize(
    "reader",
    ["read_obs", "read_obs_files", "read_nav", "read_sp3", "read_clk", "read_antex", "read_bias", "read_pos"],
)
def test_readers_given_something_else_than_a_path(reader):
    import io

    wrongs = [(w, type(w).__name__) for w in (None, 3, b"/data/x.rnx", io.BytesIO(b"x"))]
    if reader == "read_obs_files":  # a list of paths too: the item that is not one is named
        wrongs += [(["/data/x.rnx", b"/data/y.rnx"], "bytes"), ((None,), "NoneType")]
    for wrong, what in wrongs:
        with pytest.raises(ConfigError, match=f"a file path \\(str or pathlib.Path\\) is needed, not {what}"):
            getattr(kompas, reader)(wrong)


def test_products_of_the_wrong_reader_are_named(files, kompas_data):
    a, obs, nav = files
    clk = kompas.read_clk(a / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz")
    atx = kompas.read_antex(a / "igs20_wettzell_trim.atx")
    bias = kompas.read_bias(kompas_data / "E_2026-133_ZIM2/COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz")
    cases = [
        (lambda: kompas.ppp(obs, nav, sp3=clk), "sp3 must be Sp3 (kompas.read_sp3), not ClockData"),
        (
            lambda: kompas.ppp(obs, nav, sp3=[], antex=bias),
            "antex must be Antex (kompas.read_antex), not BiasData",
        ),
        (lambda: kompas.ppp(obs, nav, bias=atx), "bias must be BiasData (kompas.read_bias), not Antex"),
        (
            lambda: kompas.ppp(obs, nav, gpt3=atx),
            "gpt3 must be Gpt3Grid (kompas.io.readers.gpt3.read_gpt3_grid), not Antex",
        ),
        (lambda: kompas.ppp(obs, nav, blq=bias), "blq must be BlqFile (kompas.io.readers.blq.read_blq), not"),
        (
            lambda: kompas.ppp(obs, nav, catalog=atx),
            "catalog must be SatelliteCatalog (kompas.io.readers.satmeta.read_satellite_catalog), not Antex",
        ),
        (
            lambda: kompas.rtk(obs, obs, nav, atx="igs20.atx"),
            "atx must be Antex (kompas.read_antex), not str (read",
        ),
        (lambda: kompas.spp(obs, nav, ionex=nav), "ionex must be Ionex (kompas.read_ionex), not NavData"),
        (lambda: kompas.spp(obs, nav, met=nav), "met must be MetTable (kompas.read_met), not NavData"),
    ]
    for call, message in cases:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            _quiet(call)
    assert _quiet(kompas.spp, obs, nav, systems="G", ionex=[]).ok.all()  # no maps: the broadcast model


def test_write_solution_refuses_what_it_cannot_write(files, tmp_path):
    import io

    _, obs, nav = files
    sol = _quiet(kompas.spp, obs, nav, systems="G")
    with pytest.raises(ConfigError, match="write_solution writes a Solution, not NoneType"):
        kompas.write_solution(None, tmp_path / "x.pos")
    with pytest.raises(ConfigError, match="the pos format is text: give a file opened in text mode"):
        kompas.write_solution(sol, io.BytesIO(), "pos")
    text = io.StringIO()
    kompas.write_solution(sol, text, "pos")
    assert text.getvalue().count("\n") > len(sol)
