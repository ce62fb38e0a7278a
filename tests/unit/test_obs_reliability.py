"""RINEX observation reader: no hang, no wrapped date, no mis-read cut line (issue 10).

Every file is made here from the hand-written records of test_rinex_obs.py.
"""

import warnings

import numpy as np
import pytest
from test_rinex_obs import EPOCH1, EPOCH2, EVENT, HEADER2, HEADER3, F

from kompas import FormatError, gtime_from_calendar, read_obs
from kompas.errors import DroppedRecordWarning, TruncatedFileWarning

V2_EPOCH = [
    " 21  4 28 19  0  0.0000000  0  2G15G19",
    F(122610995.213, " ", "7") + F(95540973.904) + F(23332073.875) + F(23332083.105) + F(23332080.5),
    F(42.2) + F(37.8),
    F(122610000.125) + F(95540000.5) + F(37791685.480) + F(37791690.0) + F(),
    F(40.0) + F(35.5),
]
V2_LAST = [
    " 21  4 28 19  0 30.0000000  0  1G15",
    F(122611995.213) + F(95541973.904) + F(23332273.875) + F(23332283.105) + F(),
    F(41.0) + F(37791685.480),
]


def _write(tmp_path, text, name="t.rnx", newline=True):
    p = tmp_path / name
    p.write_text(text + ("\n" if newline else ""))
    return p


def _rows(obs):
    return np.column_stack([obs.time_ns, obs.sat, obs.signal, obs.code_m, obs.phase_cyc, obs.cn0_dbhz])


@pytest.mark.timeout(20)
def test_rinex2_epoch_with_zero_satellites_does_not_hang(tmp_path):
    empty = " 21  4 28 19  0 15.0000000  0  0"
    obs = read_obs(_write(tmp_path, "\n".join([HEADER2, *V2_EPOCH, empty, *V2_LAST]), "t.21o"))
    t0 = int(gtime_from_calendar(2021, 4, 28, 19))
    assert obs.epoch_time_ns.tolist() == [t0, t0 + 15 * 10**9, t0 + 30 * 10**9]
    assert np.diff(obs.epoch_offsets).tolist()[1] == 0  # the empty epoch holds no row
    assert obs.n_epochs == 3 and len(obs.epoch(2)) > 0


@pytest.mark.timeout(20)
def test_rinex3_epoch_with_zero_satellites(tmp_path):
    empty = "> 2020 06 25 00 00 15.0000000  0  0"
    obs = read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, empty, *EPOCH2])))
    assert obs.n_epochs == 3 and len(obs.epoch(1)) == 0


def test_negative_record_count_is_an_error(tmp_path):
    bad = ["> 2020 06 25 00 00  0.0000000  0 -1", *EPOCH2]
    with pytest.raises(FormatError, match="line 11: number of satellites/records: expected a count"):
        read_obs(_write(tmp_path, "\n".join([HEADER3, *bad])))


def test_rinex2_blank_epoch_flag_is_0_and_a_bad_count_is_named(tmp_path):
    blank_flag = [V2_LAST[0][:26] + "   " + V2_LAST[0][29:], *V2_LAST[1:]]
    obs = read_obs(_write(tmp_path, "\n".join([HEADER2, *V2_EPOCH, *blank_flag]), "t.21o"))
    assert obs.n_epochs == 2 and len(obs.epoch(1)) > 0
    bad = [V2_LAST[0][:29] + "  x" + V2_LAST[0][32:], *V2_LAST[1:]]
    with pytest.raises(FormatError, match="line 10: number of satellites/records"):
        read_obs(_write(tmp_path, "\n".join([HEADER2, *V2_EPOCH, *bad]), "t.21o"))


def test_a_last_line_ending_with_its_last_value_is_whole(tmp_path):
    # no final newline, and the last record ends right after the F14.3 of its last declared type (no
    # LLI/SSI): complete (BeiDou declares 8 types in HEADER3)
    last = "C19" + "".join(F(21869400.0 + k) for k in range(7)) + f"{45.5:14.3f}"
    assert len(last) == 3 + 16 * 8 - 2
    obs = read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EPOCH2[:-1], last]), newline=False))
    assert obs.n_epochs == 2 and 45.5 in obs.cn0_dbhz.tolist()


@pytest.mark.parametrize("year", ["999999", "  2226", "     0"])
def test_time_of_first_obs_out_of_range_is_an_error(tmp_path, year):
    head = HEADER3.replace(
        "  2020     6    25     0     0    0.0000000     GPS",
        f"{year}     6    25     0     0    0.0000000     GPS",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning from a wrapped date
        with pytest.raises(FormatError, match=r"line 9: invalid epoch: year .* outside 1980-2200") as exc:
            read_obs(_write(tmp_path, "\n".join([head, *EPOCH1])))
    assert exc.value.path.endswith("t.rnx")


@pytest.mark.parametrize(
    ("epoch", "field"),
    [
        ("> 2226 06 25 00 00 15.0000000  0  2", "year 2226"),
        ("> 2020 13 25 00 00 15.0000000  0  2", "month 13"),
        ("> 2020 02 30 00 00 15.0000000  0  2", "day 30"),
        ("> 2020 06 25 24 00 15.0000000  0  2", "hour 24"),
        ("> 2020 06 25 00 60 15.0000000  0  2", "minute 60"),
        ("> 2020 06 25 00 00 60.0000000  0  2", "second >= 60"),
    ],
)
def test_epoch_with_impossible_date_is_dropped_with_a_warning(tmp_path, epoch, field):
    bad = [epoch, *EPOCH2[1:]]
    text = "\n".join([HEADER3, *EPOCH1, *bad, *EPOCH2])
    good = read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EPOCH2]), "good.rnx"))
    with pytest.warns(DroppedRecordWarning, match=rf"line 15: epoch.*{field}"):
        obs = read_obs(_write(tmp_path, text))
    np.testing.assert_array_equal(_rows(obs), _rows(good))
    with pytest.raises(FormatError, match="line 15: .*strict"):
        read_obs(_write(tmp_path, text), strict=True)


def test_read_in_small_blocks_names_the_same_lines_and_reads_the_same_rows(tmp_path, monkeypatch):
    import kompas.io.readers.rinex_obs as rinex_obs

    bad = ["> 2020 13 25 00 00 15.0000000  0  2", *EPOCH2[1:]]
    text = "\n".join([HEADER3, *EPOCH1, *EPOCH2, *bad])  # the bad epoch in a later block
    whole = read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EPOCH2]), "good.rnx"))
    monkeypatch.setattr(rinex_obs, "_BLOCK", 200)
    with pytest.warns(DroppedRecordWarning, match=r"line 18: epoch.*month 13"):
        obs = read_obs(_write(tmp_path, text))
    np.testing.assert_array_equal(_rows(obs), _rows(whole))
    # an epoch earlier than the one before it, in a later block: the error names its line in the file
    back = ["> 2020 06 25 00 00 10.0000000  0  2", *EPOCH2[1:]]
    with pytest.raises(FormatError, match="line 18: epoch time does not increase"):
        read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EPOCH2, *back]), "back.rnx"))
    # the systems asked for are read, the others left out
    c = read_obs(_write(tmp_path, "\n".join([HEADER3, *EPOCH1, *EPOCH2]), "c.rnx"), systems="C")
    assert set(c.systems) == {"C"}
    np.testing.assert_array_equal(_rows(c), _rows(whole.select(systems="C")))  # NaN where NaN


def test_rinex2_epoch_with_impossible_date_is_dropped(tmp_path):
    bad = [" 21 14 28 19  0 15.0000000  0  1G15", *V2_LAST[1:]]
    with pytest.warns(DroppedRecordWarning, match="month 14"):
        obs = read_obs(_write(tmp_path, "\n".join([HEADER2, *V2_EPOCH, *bad, *V2_LAST]), "t.21o"))
    assert obs.n_epochs == 2


@pytest.mark.parametrize(("header", "body", "name"), [(HEADER3, EPOCH1 + EVENT + EPOCH2, "t.rnx"),
                                                      (HEADER2, V2_EPOCH + V2_LAST, "t.21o")])  # fmt: skip
def test_cut_at_every_byte_of_the_last_epoch(tmp_path, header, body, name):
    """Whatever byte the file stops at, the complete epochs are read unchanged and the cut one is
    dropped with a warning; a cut number (37791685.480 cut after '37791') is never read."""
    text = "\n".join([header, *body]) + "\n"
    full = read_obs(_write(tmp_path, text, name, newline=False))
    last_epoch = text.rindex(body[-3])  # the last epoch line (both last epochs have 2 records)
    before = read_obs(_write(tmp_path, text[:last_epoch], name, newline=False))
    assert before.n_epochs == full.n_epochs - 1
    # from inside the epoch line (a RINEX 2 one starts with a blank) to the last digit of the last value
    for cut in range(last_epoch + 2, len(text.rstrip())):
        p = _write(tmp_path, text[:cut], name, newline=False)
        with pytest.warns(TruncatedFileWarning, match="ends inside"):
            obs = read_obs(p)
        np.testing.assert_array_equal(
            _rows(obs), _rows(before), err_msg=f"cut at {cut}: {text[cut - 20 : cut]!r}"
        )
        assert 37791.0 not in obs.code_m


def test_cut_inside_a_value_keeps_no_cut_number(tmp_path):
    text = "\n".join([HEADER3, *EPOCH1])
    cut = text.index("38000001.500") + 5  # '  38000' of the last field of the last line
    with pytest.warns(TruncatedFileWarning):
        obs = read_obs(_write(tmp_path, text[:cut], newline=False))
    assert obs.n_epochs == 0 and len(obs) == 0


@pytest.mark.parametrize(("header", "body", "name"), [(HEADER3, EPOCH1 + EPOCH2, "t.rnx"),
                                                      (HEADER2, V2_EPOCH + V2_LAST, "t.21o")])  # fmt: skip
def test_cut_inside_an_epoch_line_keeps_the_epochs_before(tmp_path, header, body, name):
    epoch_line = body[-3]  # the last epoch line
    text = "\n".join([header, *body])
    start = text.rindex(epoch_line)
    for k in range(2, len(epoch_line)):  # (a cut leaving one blank is a blank line: nothing is lost)
        with pytest.warns(TruncatedFileWarning):
            obs = read_obs(_write(tmp_path, text[: start + k], name, newline=False))
        assert obs.n_epochs == 1


def test_header_only_gives_a_valid_empty_table(tmp_path):
    obs = read_obs(_write(tmp_path, HEADER3))
    assert obs.n_epochs == 0 and len(obs) == 0
    assert obs.epoch_offsets.tolist() == [0] and obs.epoch_time_ns.dtype == np.int64
    assert obs.select(systems="C").n_epochs == 0
    assert len(obs.to_pandas()) == 0 and obs.to_polars().shape == (0, 9)
    from kompas.io.readers.rinex_obs import iter_obs

    (streamed,) = list(iter_obs(_write(tmp_path, HEADER3)))  # the stream gives the header too
    assert streamed.n_epochs == 0 and streamed.header.marker_name == obs.header.marker_name == "TEST"


def test_blank_lines_before_the_header_are_a_repair(tmp_path):
    from kompas.errors import FormatWarning

    text = "\n\n" + "\n".join([HEADER3, *EPOCH1])
    with pytest.warns(FormatWarning, match="line 1: blank lines before the header"):
        obs = read_obs(_write(tmp_path, text))
    assert obs.n_epochs == 1
    with pytest.raises(FormatError, match="line 1: .*strict"):
        read_obs(_write(tmp_path, text), strict=True)
