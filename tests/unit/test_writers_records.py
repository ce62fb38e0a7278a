"""Parquet record tables of many days read as one dataset: every column typed, never Arrow's null."""

import pytest

from kompas import KompasError
from kompas.io.writers.records import write_records

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def test_days_without_records_or_values_read_with_the_other_days(tmp_path):
    pd = pytest.importorskip("pandas")
    folder = tmp_path / "pq"
    folder.mkdir()
    types = {"station": "string"}
    write_records([], folder / "a_day1.parquet", columns=["station", "sisre_m"], types=types)  # no event
    write_records([{"station": "WTZR", "sisre_m": 0.5}], folder / "b_day2.parquet", types=types)
    write_records([{"station": "ZIM2", "sisre_m": float("nan")}], folder / "c_day3.parquet", types=types)
    schemas = [pq.read_schema(p) for p in sorted(folder.iterdir())]
    assert all(s.equals(schemas[0]) for s in schemas)
    assert schemas[0].types == [pa.string(), pa.float64()]
    df = pd.read_parquet(folder)  # Arrow's null type there: "Unsupported cast from string to null"
    assert df["station"].tolist() == ["WTZR", "ZIM2"] and df["sisre_m"].tolist()[0] == 0.5
    assert df["sisre_m"].isna().tolist() == [False, True]


def test_a_column_without_values_is_float64_unless_typed(tmp_path):
    write_records([], tmp_path / "e.parquet", columns=("sat", "n"))
    assert pq.read_schema(tmp_path / "e.parquet").types == [pa.float64(), pa.float64()]
    rows = [
        {"sat": "C19", "n": 3, "note": None, "ok": None},
        {"sat": "R01", "n": 0, "note": None, "ok": True},
    ]
    write_records(rows, tmp_path / "r.parquet", types={"n": "float64", "note": "string"})
    tab = pq.read_table(tmp_path / "r.parquet")
    assert tab.schema.types == [pa.string(), pa.float64(), pa.string(), pa.bool_()]
    assert tab.to_pydict() == {
        "sat": ["C19", "R01"],
        "n": [3.0, 0.0],
        "note": [None, None],
        "ok": [None, True],
    }
    write_records([{"t": None}], tmp_path / "i.parquet", types={"t": "int64"})
    assert pq.read_schema(tmp_path / "i.parquet").types == [pa.int64()]


def test_column_types_are_checked(tmp_path):
    with pytest.raises(KompasError, match=r"^column sat: type must be one of string, float64, int64, bool, "
                                          r"not 'str'$"):  # fmt: skip
        write_records([{"sat": "C01"}], tmp_path / "t.parquet", types={"sat": "str"})
    with pytest.raises(KompasError, match=r"^column x: type must be one of"):  # any format, any column
        write_records([{"sat": "C01"}], tmp_path / "t.csv", types={"x": "float32"})
    with pytest.raises(KompasError, match=r"^column n: values that are not int64 \("):
        write_records([{"n": "three"}], tmp_path / "t.parquet", types={"n": "int64"})
    write_records([{"n": "three"}], tmp_path / "t.csv", types={"n": "int64"})  # CSV has no column types
    assert (tmp_path / "t.csv").read_text() == "n\nthree\n"


def test_numeric_columns_need_no_types_to_read_as_one_dataset(tmp_path):
    pd = pytest.importorskip("pandas")
    write_records([], tmp_path / "a.parquet", columns=["n", "sisre_m"])
    write_records([{"n": 4, "sisre_m": None}], tmp_path / "b.parquet")
    write_records([{"n": 5, "sisre_m": 0.25}], tmp_path / "c.parquet")
    df = pd.read_parquet(tmp_path)  # with Arrow's null type: "Unsupported cast from int64 to null"
    assert df["n"].tolist() == [4.0, 5.0] and df["sisre_m"].isna().tolist() == [True, False]


def test_a_boolean_column_keeps_its_type(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    write_records([{"used": None}, {"used": True}], tmp_path / "b.parquet", types={"used": "bool"})
    assert str(pq.read_schema(tmp_path / "b.parquet").field("used").type) == "bool"
