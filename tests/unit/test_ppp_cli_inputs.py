"""kompas ppp names every input file in the .pos header (``% inp file``), as rnx2rtkp does."""

from kompas.cli.main import main
from kompas.io.readers.pos import read_pos

E = "E_2026-133_ZIM2"
# a BLQ block of another station: read, and named, though it serves no ocean loading here
BLQ = """$$ Ocean loading displacement
$$ END HEADER
$$
  SCOA
$$ GOT4.7_PP ID: 2020-06-25 10:53:48
  .02352 .00794 .00499 .00216 .00310 .00063 .00095 .00032 .00045 .00023 .00020
  .00690 .00222 .00151 .00061 .00053 .00041 .00016 .00012 .00003 .00001 .00002
  .00549 .00194 .00110 .00055 .00027 .00029 .00007 .00011 .00004 .00002 .00001
   -83.0  -53.4 -102.3  -54.9  -72.0 -156.7  -73.3   80.4    6.8    5.8    1.2
    85.4  114.8   65.8  113.0   74.7  -23.9   69.8  -82.2 -164.9 -145.3 -178.0
   -69.9  -34.7  -91.7  -35.5  -44.3  170.6  -48.7  133.7  -13.9   -4.0   -5.5
"""


def _inputs(path):
    lines = path.read_text().splitlines()
    return [ln.split(": ", 1)[1] for ln in lines if ln.startswith("% inp file  : ")]


def test_the_pos_header_lists_products_and_model_files(kompas_data, tmp_path, capsys):
    e = kompas_data / E
    obs, sp3, clk = (str(e / f) for f in ("ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx",
                                          "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3",
                                          "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"))  # fmt: skip
    atx, bia = str(e / "igs20_zim2_gps_trim.atx"), str(e / "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz")
    blq = tmp_path / "ocean.blq"
    blq.write_text(BLQ)
    out = tmp_path / "z.pos"
    # options in another order than kompas lists them: observations, navigation, SP3, clocks, models
    assert main(["ppp", obs, "--blq", str(blq), "--bias", bia, "--clk", clk, "--atx", atx, "--sp3", sp3,
                 "-o", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    assert _inputs(out) == [obs, sp3, clk, atx, bia, str(blq)]
    assert read_pos(out).record.inputs == (obs, sp3, clk, atx, bia, str(blq))


def test_the_navigation_files_are_listed(tmp_path, capsys):
    sim = tmp_path / "sim"
    assert main(["sim", "--out", str(sim), "--hours", "0.05", "--systems", "G", "--products"]) == 0
    obs, nav = str(sim / "SIM00XXX_S_sim_MO.rnx"), str(sim / "SIM00XXX_S_sim_MN.rnx")
    sp3, clk = str(sim / "SIM0SIMFIN_sim_ORB.SP3"), str(sim / "SIM0SIMFIN_sim_CLK.CLK")
    out = tmp_path / "s.pos"
    assert main(["ppp", obs, nav, "--sp3", sp3, "--clk", clk, "--no-sat-antenna", "-o", str(out)]) == 0
    capsys.readouterr()
    assert _inputs(out) == [obs, nav, sp3, clk]


def test_ppp_reads_the_antex_block_of_its_receiver_alone(tmp_path, monkeypatch, capsys):
    """Of the receivers in an ANTEX file, kompas ppp reads the antenna of the observation header (an IGS
    file holds hundreds: BENCHMARKS.md, 1.5 s for 16 MB whole, 0.16 s for two)."""
    from types import SimpleNamespace

    import kompas
    from kompas.cli.ppp import read_inputs

    sim = tmp_path / "sim"
    assert main(["sim", "--out", str(sim), "--hours", "0.05", "--systems", "G"]) == 0
    capsys.readouterr()
    calls = []
    monkeypatch.setattr(kompas, "read_antex", lambda path, **kw: calls.append((path, kw)))
    obs = str(sim / "SIM00XXX_S_sim_MO.rnx")
    args = SimpleNamespace(obs_files=[obs], nav=[], sp3=[], clk=[], atx="x.atx", bias=None, blq=None, gpt3=None,
                           sat_table=None)  # fmt: skip
    got = read_inputs(args)
    assert calls == [("x.atx", {"receivers": [got["obs"].station.antenna_type]})]
    assert got["obs"].station.antenna_type.startswith("KOMPAS SIM")
