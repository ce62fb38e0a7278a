"""Satellite antenna offsets consistent with the precise products' antenna model (BeiDou-2 under igs14)."""

from types import SimpleNamespace

import numpy as np

from kompas.ppp import _conventional_offsets
from kompas.products.precise import antenna_model
from kompas.tables.satellites import MGEX_CONVENTIONAL_PCO_M, SatelliteCatalog

GPSPACE_BDS2 = {
    "BEIDOU-2M": (0.56, 0.0, 2.47),
    "BEIDOU-2I": (0.56, -0.019, 4.919),
    "BEIDOU-2G": (0.56, -0.019, 4.919),
}


def _sp3(*comments):
    return SimpleNamespace(comments=comments)


def _clk(**pcvs):
    return SimpleNamespace(pcvs_applied=pcvs)


def test_model_from_the_sp3_comment_line():
    sp3 = _sp3("CODE MGEX orbits and clocks", "PCV:IGS14      OL/AL:FES2014b NONE     YN ORB:CoN CLK:CoN")
    assert antenna_model([sp3]) == "IGS14"
    assert antenna_model([_sp3("PCV:IGS20_2415 OL/AL:FES2014b NONE     Y  ORB:CMB CLK:CMB")]) == "IGS20"


def test_the_clock_files_model_wins_over_the_sp3s():
    sp3 = _sp3("PCV:IGS20_2415 OL/AL:FES2014b")
    assert antenna_model([sp3], [_clk(G=("GINS V11.1", "igs14_2108.atx"))]) == "IGS14"
    assert antenna_model([sp3], [_clk()]) == "IGS20"


def test_no_model_named():
    assert antenna_model([_sp3("a comment without it")], [_clk(G=("PROGRAM V1", "some.atx"))]) == ""
    assert antenna_model([SimpleNamespace()]) == ""  # objects without the attributes
    # "IGS" in other comment lines is not a model
    assert antenna_model([_sp3("IGS14 reference frame")]) == ""


def _catalog():
    rec = dict(svn="C012", source="PRIDE", valid_from_ns=0, valid_until_ns=2**62)
    records = [dict(rec, sat=111, block="BEIDOU-2M"), dict(rec, sat=107, svn="C007", block="BEIDOU-2I")]
    return SatelliteCatalog.from_records(
        records, nominal_offsets={k: np.array(v) for k, v in GPSPACE_BDS2.items()}
    )


def _product(model):
    return SimpleNamespace(antenna_model=lambda letter: model if letter == "C" else "")


def test_igs14_products_get_the_conventional_beidou2_offsets():
    notes = []
    cat = _conventional_offsets(_catalog(), _product("IGS14"), notes)
    info = cat.lookup(np.array([111, 107]), np.array([10**18, 10**18]))
    np.testing.assert_array_equal(info.nominal_pco_m, [[0.6, 0.0, 1.1], [0.6, 0.0, 1.1]])
    assert len(notes) == 1 and "IGS14" in notes[0] and "1.10 m" in notes[0]
    assert set(MGEX_CONVENTIONAL_PCO_M) == set(GPSPACE_BDS2)


def test_other_models_keep_the_catalogs_offsets():
    for model, precise in (("IGS20", _product("IGS20")), ("", _product("")), (None, None)):
        notes = []
        cat = _conventional_offsets(_catalog(), precise, notes)
        info = cat.lookup(np.array([111, 107]), np.array([10**18, 10**18]))
        np.testing.assert_array_equal(
            info.nominal_pco_m, [GPSPACE_BDS2["BEIDOU-2M"], GPSPACE_BDS2["BEIDOU-2I"]]
        )
        assert notes == [], model
    assert _conventional_offsets(None, _product("IGS14"), []) is None


def test_catalog_for_an_antenna_model():
    cat = _catalog()
    assert cat.for_antenna_model("IGS20") is cat and cat.for_antenna_model("") is cat
    for model in ("IGS08", "IGS14"):
        info = cat.for_antenna_model(model).lookup(np.array([111]), np.array([10**18]))
        np.testing.assert_array_equal(info.nominal_pco_m, [[0.6, 0.0, 1.1]])
    # the original is left as it was
    np.testing.assert_array_equal(cat.nominal_offsets["BEIDOU-2M"], GPSPACE_BDS2["BEIDOU-2M"])
