"""Every observation value equals georinex 1.16.2's, to the last digit, NaN where absent.

One deliberate difference: a pseudorange, phase or Doppler written as ``0.000`` is no observation for
kompas (NaN, as RTKLIB reads it: issue 17), while georinex keeps 0.0. The reference's zeros of those
kinds are turned into NaN before the comparison (the three files here hold none, so the comparison
is exact; the step keeps the test right for files that do).

georinex is the reader most Python users have; this pins kompas's values to it on set A's two
1-hour files (RINEX 3.03 and 3.04) and set G's RINEX 2.11 file.
"""

import warnings

import numpy as np
import pytest

from kompas import read_obs

gr = pytest.importorskip("georinex", reason="georinex (test extra) is not installed")

FILES = [
    "A_2020-177_ESBC_WTZR/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
    "A_2020-177_ESBC_WTZR/WTZZ00DEU_R_20201770000_01D_30S_MO_120epoch.rnx",
    "G_2021-118_SLAC_rinex2/slac1180.21o",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES, ids=[f.split("/")[-1] for f in FILES])
def test_values_equal_georinex(kompas_data, name):
    path = kompas_data / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # georinex's own deprecation noise
        ref = gr.load(path)
    ours = read_obs(path).to_xarray()
    # same epochs (both GPS time here) and satellites
    np.testing.assert_array_equal(ref.time.values.astype("datetime64[ns]"), ours.time.values)
    ref_vars = [v for v in ref.data_vars if np.isfinite(ref[v].values).any()]
    assert sorted(ref_vars) == sorted(ours.data_vars)
    compared = 0
    for v in ref_vars:
        a = ref[v].reindex(sv=ours.sv.values).values  # georinex keeps satellites we have no value for
        if v[0] in "CLDP":  # a range, phase or Doppler of 0.000: NaN for kompas, 0.0 for georinex
            a = np.where(a == 0.0, np.nan, a)
        extra = sorted(set(ref.sv.values) - set(ours.sv.values))
        if extra:
            assert not np.isfinite(ref[v].sel(sv=extra).values).any()
        b = ours[v].values
        assert np.array_equal(a, b, equal_nan=True), (
            f"{v}: {np.sum(~((a == b) | (np.isnan(a) & np.isnan(b))))} differ"
        )
        compared += int(np.isfinite(b).sum())
    assert compared > 10_000
