"""Hatanaka and compressed real files decode to the same bytes as their plain twins."""

import pytest

from kompas.io import read_bytes

PAIRS = [
    ("rinex2_hatanaka/delf0010.21d", "rinex2_hatanaka/delf0010.21o"),  # CRINEX 1.0
    ("rinex2_hatanaka/AJAC3550.21D", "rinex2_hatanaka/AJAC3550.21O"),  # CRINEX 1.0
    ("rinex2_hatanaka/algo0010_2015001_v1_trim.crx", "rinex2_hatanaka/algo0010_2015001_v1_trim.rnx"),
    (
        "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.crx",
        "rinex2_hatanaka/ACOR00ESP_R_20213550000_01D_30S_MO.rnx",
    ),
]


@pytest.mark.parametrize(("crx", "rnx"), PAIRS)
def test_crinex_decodes_to_plain_twin(kompas_data, crx, rnx):
    assert read_bytes(kompas_data / crx) == (kompas_data / rnx).read_bytes()


def test_compressed_hatanaka_variants(kompas_data):
    # CRINEX 3 + bzip2, and Unix .Z of RINEX 2
    p433 = read_bytes(kompas_data / "H_extra_multignss" / "P43300USA_R_20190012056_17M_15S_MO.crx.bz2")
    assert p433[60:80] == b"RINEX VERSION / TYPE"
    assert b"p433                                                        MARKER NAME" in p433[:4000]
    ac66 = read_bytes(kompas_data / "rinex2_hatanaka" / "ac660270.18o.Z")
    assert ac66.startswith(b"     2.11") and b"END OF HEADER" in ac66


def test_zip_with_a_folder_entry_and_crinex_after_a_blank_line(kompas_data, tmp_path):
    """Archives often hold their folder as an entry of its own: the one file in it is read. A Hatanaka file
    that starts with a blank line is still recognised as one."""
    import gzip
    import zipfile

    import kompas

    rnx = kompas_data / "A_2020-177_ESBC_WTZR" / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    z = tmp_path / "WTZR.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("WTZR/", "")
        zf.write(rnx, "WTZR/WTZR.rnx")
    assert kompas.detect(z) == "obs" and kompas.read(z).n_epochs == 120
    crx = gzip.decompress(
        (kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz").read_bytes()
    )
    blank = tmp_path / "ESBC.crx"
    blank.write_bytes(b"\n" + crx[:100_000])
    assert kompas.detect(blank) == "obs"
