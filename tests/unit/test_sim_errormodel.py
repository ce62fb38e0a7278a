"""The simulator's error model: what ``default()`` switches on, the checks of its values, ``describe()``."""

import dataclasses
import math

import pytest

from kompas.errors import ConfigError
from kompas.sim import ErrorModel

CONTINUOUS = ("troposphere", "ionosphere", "isb", "glonass_ifb", "multipath", "noise", "windup", "solid_tide")


def test_default_switches_on_every_continuous_term_and_no_event():
    d, n = ErrorModel.default(), ErrorModel.none()
    assert all(getattr(d, k) is True for k in CONTINUOUS)
    assert all(getattr(n, k) is False for k in CONTINUOUS)
    assert not d.has_events and not d.cycle_slips
    # sizes stay the defaults: only the switches differ from none()
    assert dataclasses.replace(d, **dict.fromkeys(CONTINUOUS, False)) == n


@pytest.mark.parametrize(
    "field",
    ["slip_rate_per_hour", "gap_rate_per_hour", "outage_rate_per_hour", "code_sigma_m", "phase_sigma_m"],
)
@pytest.mark.parametrize("value", [-0.1, math.inf, math.nan, "1"])
def test_rates_and_sigmas_must_be_finite_and_not_negative(field, value):
    with pytest.raises(ConfigError, match=f"ErrorModel.{field} must be a finite number >= 0, not"):
        ErrorModel(**{field: value})


def test_limits_that_are_allowed():
    e = ErrorModel(slip_rate_per_hour=0, code_sigma_m=0.0, slip_size_max=1, multipath_period_s=(60.0, 60.0))
    assert e.slip_size_max == 1 and ErrorModel(slip_size_max=1000).slip_size_max == 1000


@pytest.mark.parametrize("value", [0, 1001, 2.0, "5"])
def test_slip_size_max_is_an_integer_from_1_to_1000(value):
    with pytest.raises(ConfigError, match=r"slip_size_max must be an integer in 1\.\.1000, not"):
        ErrorModel(slip_size_max=value)


@pytest.mark.parametrize("field", ["multipath_period_s", "gap_length_s", "outage_length_s"])
@pytest.mark.parametrize("value", [(0.0, 10.0), (20.0, 10.0), (10.0, math.inf), (-5.0, 10.0)])
def test_ranges_are_positive_and_ordered(field, value):
    with pytest.raises(ConfigError, match=f"ErrorModel.{field} must be \\(min, max\\) with 0 < min <= max"):
        ErrorModel(**{field: value})


@pytest.mark.parametrize("value", [0.0, -1e-3, math.nan])
def test_clock_jump_must_be_positive(value):
    with pytest.raises(ConfigError, match="clock_jump_s must be > 0"):
        ErrorModel(clock_jump_s=value)


def test_describe_lists_every_field_with_unit_and_meaning():
    e = ErrorModel(multipath_period_s=(100.0, 200.0))
    rows = {r["name"]: r for r in e.describe()}
    assert list(rows) == [f.name for f in dataclasses.fields(ErrorModel)]
    assert all(set(r) == {"name", "value", "unit", "doc"} and r["doc"] for r in rows.values())
    assert rows["multipath_period_s"] == {
        "name": "multipath_period_s", "value": [100.0, 200.0], "unit": "s", "doc": "range of the multipath periods"
    }  # fmt: skip
    assert type(rows["gap_length_s"]["value"]) is list  # JSON-ready: tuples become lists
    assert rows["slip_size_max"]["unit"] == "cycle" and rows["slip_rate_per_hour"]["unit"] == "1/h"
    isb = rows["isb_m"]["value"]
    assert isb == {"G": 0.0, "R": 25.0, "E": 2.5, "C": -8.0} and isb is not e.isb_m  # a copy


def test_troposphere_model_is_one_of_the_two():
    assert ErrorModel(troposphere_model="saastamoinen").troposphere_model == "saastamoinen"
    with pytest.raises(ConfigError, match="troposphere_model must be one of niell, saastamoinen, not 'gmf'"):
        ErrorModel(troposphere_model="gmf")
