"""Code and phase biases of the precise model (:mod:`kompas.ppp_biases`) on hand-made bias tables.

Values are chosen so that every path gives a different number: OSB in seconds and in cycles, the DSB
fallback to the satellite clock's reference observable (the file's or the IGS convention), a code that is
itself the reference, code biases taken from a file of another day (``max_age_s``) while phase biases are
not, and the note when nothing applies.
"""

import numpy as np
import pytest

from kompas import BiasData, gtime_from_calendar
from kompas.constants import C_LIGHT
from kompas.io.readers.bias import OPEN_END_NS
from kompas.ppp_biases import DEFAULT_CLOCK_REFERENCE, _reference_code, observation_biases
from kompas.satsys import sat_index, signal_id
from kompas.tables.observables import NO_SIGNAL, Observables
from kompas.time import NS

pytestmark = pytest.mark.timeout(60)

DAY0 = int(gtime_from_calendar(2026, 5, 13, 0, 0, 0))
DAY1 = DAY0 + 86400 * NS
T = DAY0 + 3600 * NS  # inside the file's day
L1_HZ, L2_HZ = 1575.42e6, 1227.60e6


def table(rows, clock_reference=None, end=DAY1) -> BiasData:
    """BiasData of ``(kind, sat, obs1, obs2, unit, value)`` rows, all valid over [DAY0, end)."""
    n = len(rows)
    col = list(zip(*rows, strict=True)) or [()] * 6
    sats = np.array(col[1], dtype="U3")
    return BiasData(
        kind=np.array(col[0]), svn=sats, sat=sat_index(sats).astype(np.int16),
        system=np.array([s[0] for s in sats], dtype="U1"), station=np.full(n, ""),
        obs1=np.array(col[2], dtype="U4"), obs2=np.array(col[3], dtype="U4"), start_ns=np.full(n, DAY0, np.int64), end_ns=np.full(n, end, np.int64),
        unit=np.array(col[4], dtype="U4"), value=np.array(col[5], float), std=np.full(n, np.nan),
        slope_per_s=np.full(n, np.nan), slope_std_per_s=np.full(n, np.nan), description={},
        clock_reference=clock_reference or {}, time_system="GPST", reference={}, comments=(),
        version="1.00", agency="T", data_agency="T", created_ns=None, file_start_ns=None,
        file_end_ns=None, bias_mode="A", n_declared=n,
    )  # fmt: skip


def observables(sats, signals, t=T) -> Observables:
    """One epoch of ``sats`` with the signal codes ``signals`` (a row per satellite, "" for none)."""
    sig = np.array([[signal_id(s) if s else NO_SIGNAL for s in row] for row in signals], np.uint8)
    n, b = sig.shape
    one = np.ones((n, b))
    return Observables(
        np.zeros(n, np.int64), sat_index(sats).astype(np.int16), {"G": (1, 2), "E": (1, 5)}, sig, one, one,
        one, one.astype(np.float32), np.zeros((n, b), np.uint8), np.array([t], np.int64),
    )  # fmt: skip


def biases(ob, bias, clock_reference=None, t=T, max_age_s=0.0, freq=None):
    notes = []
    rows = np.arange(len(ob.sat))
    code, phase = observation_biases(
        ob, rows, np.full(rows.size, t, np.int64), bias, clock_reference or {}, notes, max_age_s, freq
    )
    return code, phase, notes


def test_osb_of_code_and_phase_in_metres_and_none_where_the_band_is_missing():
    bias = table([
        ("OSB", "G05", "C1C", "", "s", 1.5e-9), ("OSB", "G05", "L1C", "", "s", -0.25e-9),
        ("OSB", "G05", "C2W", "", "s", -2.0e-9),
        # biases of the code an empty cell's signal id would name ("1A"): never taken for that cell
        ("OSB", "G07", "C1A", "", "s", 9e-9), ("OSB", "G07", "L1A", "", "s", 9e-9),
    ])  # fmt: skip
    ob = observables(["G05", "G07"], [["1C", "2W"], ["1C", ""]])
    code, phase, notes = biases(ob, bias)
    assert code[0] == pytest.approx([1.5e-9 * C_LIGHT, -2.0e-9 * C_LIGHT], rel=1e-12)
    assert phase[0, 0] == pytest.approx(-0.25e-9 * C_LIGHT, rel=1e-12)
    assert np.isnan(phase[0, 1])  # a code OSB is no phase OSB
    # G07 has no bias at all (code 0, phase NaN); its missing second band neither
    assert code[1].tolist() == [0.0, 0.0] and np.isnan(phase[1]).all()
    assert notes == []


def test_a_band_without_signals_does_not_stop_the_next_one():
    bias = table([("OSB", "G05", "C2W", "", "s", 3e-9), ("OSB", "G05", "L2W", "", "s", 1e-9)])
    code, phase, _ = biases(observables(["G05"], [["", "2W"]]), bias)
    assert code[0, 0] == 0.0 and np.isnan(phase[0, 0])
    assert code[0, 1] == pytest.approx(3e-9 * C_LIGHT) and phase[0, 1] == pytest.approx(1e-9 * C_LIGHT)


def test_phase_osb_in_cycles_uses_each_cell_s_carrier():
    bias = table([("OSB", "G05", "L1C", "", "cyc", 0.125), ("OSB", "G05", "L2W", "", "cyc", -0.5)])
    ob = observables(["G05"], [["1C", "2W"]])
    _, phase, _ = biases(ob, bias, freq=np.array([[L1_HZ, L2_HZ]]))
    assert phase[0] == pytest.approx([0.125 / L1_HZ * C_LIGHT, -0.5 / L2_HZ * C_LIGHT], rel=1e-12)


def test_code_biases_in_cycles_too():
    """Bias-SINEX allows any observable in cycles: code rows (OSB and DSB) use the cell's carrier too."""
    bias = table([("OSB", "G05", "C1C", "", "cyc", 0.5), ("DSB", "G07", "C1C", "C1W", "cyc", 0.25)])
    ob = observables(["G05", "G07"], [["1C", ""], ["1C", ""]])
    code, _, _ = biases(ob, bias, freq=np.array([[L1_HZ, L2_HZ], [L1_HZ, L2_HZ]]))
    assert code[:, 0] == pytest.approx([0.5 / L1_HZ * C_LIGHT, 0.25 / L1_HZ * C_LIGHT], rel=1e-12)


@pytest.mark.parametrize("kind", ["OSB", "DSB"])
def test_one_band_served_is_enough_for_no_note(kind):
    """Band 1 has a bias (an OSB, or a DSB to C1W), band 2 is the reference code C2W without one: the file
    served the observations, so no note says it did not."""
    rows = (
        [("OSB", "G05", "C1C", "", "s", 1e-9)] if kind == "OSB" else [("DSB", "G05", "C1C", "C1W", "s", 1e-9)]
    )
    code, _, notes = biases(observables(["G05"], [["1C", "2W"]]), table(rows))
    assert code[0].tolist() == [pytest.approx(1e-9 * C_LIGHT), 0.0]
    assert notes == []


def test_dsb_to_the_file_s_clock_reference_else_the_igs_one():
    # only DSBs: C1C-C1W for G05, the reversed C2W-C2L for G07
    bias = table([("DSB", "G05", "C1C", "C1W", "s", 2e-9), ("DSB", "G07", "C2W", "C2L", "s", 0.5e-9)])
    ob = observables(["G05", "G07"], [["1C", "2W"], ["1W", "2L"]])
    code, _, notes = biases(ob, bias)
    # IGS convention (C1W/C2W): C1C gets the DSB, C1W and C2W are the reference (0), C2L = -(C2W-C2L)
    assert code[0] == pytest.approx([2e-9 * C_LIGHT, 0.0])
    assert code[1] == pytest.approx([0.0, -0.5e-9 * C_LIGHT])
    assert notes == []
    # a file whose clocks refer to C1C/C2L: those codes need nothing, C1W and C2W get no DSB row
    code, _, notes = biases(ob, bias, clock_reference={"G": ("C1C", "C2L")})
    assert code.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert len(notes) == 1 and "no bias for these observations" in notes[0]


def test_osb_wins_over_a_dsb_of_the_same_code():
    bias = table([("OSB", "G05", "C1C", "", "s", 1e-9), ("DSB", "G05", "C1C", "C1W", "s", 7e-9)])
    code, _, _ = biases(observables(["G05"], [["1C", ""]]), bias)
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT)


@pytest.mark.parametrize(
    "letter, code, expected",
    [("G", "1C", "C1W"), ("G", "2L", "C2W"), ("G", "5Q", "C5Q"), ("C", "6I", "C6I"), ("C", "2I", "C2I"),
     ("J", "2L", "C2L"), ("X", "1C", "C1C")],
)  # fmt: skip
def test_reference_code_of_a_band(letter, code, expected):
    assert _reference_code({}, letter, code) == expected


def test_reference_code_from_the_file_first():
    assert DEFAULT_CLOCK_REFERENCE["G"] == ("C1W", "C2W")  # the IGS convention the cases above rely on
    assert _reference_code({"G": ("C1C", "C2L")}, "G", "1W") == "C1C"
    assert _reference_code({"G": ("C1C", "C2L")}, "G", "2W") == "C2L"
    # another system's entry does not hide the convention
    assert _reference_code({"E": ("C1C", "C5Q")}, "G", "1C") == "C1W"


def test_no_bias_file_or_an_empty_one_gives_zero_code_and_no_phase():
    ob = observables(["G05"], [["1C", "2W"]])
    for bias in (None, table([])):
        code, phase, notes = biases(ob, bias)
        assert code.tolist() == [[0.0, 0.0]] and np.isnan(phase).all() and notes == []
    # a file of one row is used
    code, _, _ = biases(ob, table([("OSB", "G05", "C1C", "", "s", 1e-9)]))
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT)


def test_code_biases_of_another_day_within_max_age_phase_biases_not():
    bias = table([("OSB", "G05", "C1C", "", "s", 1e-9), ("OSB", "G05", "L1C", "", "s", 0.3e-9)])
    ob = observables(["G05"], [["1C", ""]])
    later = DAY1 + 3 * 86400 * NS
    code, phase, notes = biases(ob, bias, t=later)  # default max_age 0: nothing
    assert code[0, 0] == 0.0 and np.isnan(phase[0, 0])
    assert notes == [
        "the bias file (2026-05-13T00:00:00 .. 2026-05-14T00:00:00) has no bias for these observations "
        "at their epochs: no code or phase bias applied (--bias-max-age extends the use of code biases)"
    ]
    # ages count from the last nanosecond of the file's span
    code, phase, notes = biases(ob, bias, t=later, max_age_s=3 * 86400.0 + 1e-6)
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT) and np.isnan(phase[0, 0])
    assert notes == ["code biases taken from a bias file 3.0 days from the observations"]
    code, _, notes = biases(ob, bias, t=later, max_age_s=3 * 86400.0 - 1.0)  # a second short
    assert code[0, 0] == 0.0
    # half a second after the file's end is not within the default max_age (0), but within a day
    code, _ = observation_biases(ob, np.array([0]), np.array([DAY1 + NS // 2]), bias, {}, [])
    assert code[0, 0] == 0.0
    code, _, notes = biases(ob, bias, t=DAY1 + NS // 2, max_age_s=86400.0)
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT)
    assert notes == ["code biases taken from a bias file 0.0 days from the observations"]
    # 1.05 days: the note's days are seconds / 86400
    _, _, notes = biases(ob, bias, t=DAY0 - 90720 * NS, max_age_s=2 * 86400.0)
    assert notes == ["code biases taken from a bias file 1.1 days from the observations"]
    # before the file's start, by the same rule; an age of exactly max_age_s is within it
    code, _, notes = biases(ob, bias, t=DAY0 - 2 * 86400 * NS, max_age_s=2 * 86400.0)
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT)
    assert notes == ["code biases taken from a bias file 2.0 days from the observations"]


def test_a_file_s_own_epochs_are_not_aged():
    bias = table([("OSB", "G05", "C1C", "", "s", 1e-9)])
    _, _, notes = biases(observables(["G05"], [["1C", ""]]), bias, t=DAY0, max_age_s=86400.0)
    assert notes == []
    _, _, notes = biases(observables(["G05"], [["1C", ""]]), bias, t=DAY1 - 1, max_age_s=86400.0)
    assert notes == []


def test_open_ended_rows_serve_any_later_epoch():
    bias = table([("OSB", "G05", "C1C", "", "s", 1e-9)], end=OPEN_END_NS)
    code, _, notes = biases(observables(["G05"], [["1C", ""]]), bias, t=DAY1 + 400 * 86400 * NS)
    assert code[0, 0] == pytest.approx(1e-9 * C_LIGHT) and notes == []


def test_the_note_names_an_open_ended_file_by_its_start():
    bias = table([("OSB", "E11", "C1C", "", "s", 1e-9)], end=OPEN_END_NS)
    _, _, notes = biases(observables(["G05"], [["1C", ""]]), bias)
    assert len(notes) == 1 and notes[0].startswith("the bias file (from 2026-05-13")
