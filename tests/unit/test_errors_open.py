"""Errors carry file and line; the opener handles every compression by content."""

import bz2
import gzip
import pickle
import sys
import warnings
import zipfile

import pytest

from kompas import FormatError, KompasError
from kompas.errors import KompasWarning, caller_stacklevel
from kompas.io import compression_of, read_bytes, read_text

TEXT = b"     3.05           OBSERVATION DATA    M (MIXED)           RINEX VERSION / TYPE\n" * 50


def test_format_error_message_and_pickle():
    err = FormatError("/x/file.rnx", 12, "expected an epoch line starting with '>'")
    assert isinstance(err, KompasError) and isinstance(err, ValueError)
    assert str(err) == "/x/file.rnx, line 12: expected an epoch line starting with '>'"
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.line, again.message) == (err.path, err.line, err.message)
    assert str(FormatError(None, None, "empty")) == "<text>: empty"


def test_not_found_error_reads_as_its_message():
    """A KeyError would quote its message; a NotFoundError without one reads as nothing."""
    from kompas.errors import NotFoundError

    assert str(NotFoundError("no antenna TRM59800.00 NONE")) == "no antenna TRM59800.00 NONE"
    assert str(NotFoundError()) == "" and isinstance(NotFoundError(), KeyError)


def _write_variants(tmp_path):
    import ncompress

    (tmp_path / "a.rnx").write_bytes(TEXT)
    (tmp_path / "a.rnx.gz").write_bytes(gzip.compress(TEXT))
    (tmp_path / "a.rnx.bz2").write_bytes(bz2.compress(TEXT))
    (tmp_path / "a.rnx.Z").write_bytes(ncompress.compress(TEXT))
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr("a.rnx", TEXT)
    # mislabelled: gzip content under a plain name
    (tmp_path / "mislabelled.rnx").write_bytes(gzip.compress(TEXT))


def test_all_compressions_detected_by_content(tmp_path):
    _write_variants(tmp_path)
    for name in ["a.rnx", "a.rnx.gz", "a.rnx.bz2", "a.rnx.Z", "a.zip", "mislabelled.rnx"]:
        assert read_bytes(tmp_path / name) == TEXT, name
    assert compression_of((tmp_path / "a.rnx.Z").read_bytes()) == "Z"


def test_text_is_latin1_one_byte_per_char(tmp_path):
    p = tmp_path / "u.txt"
    p.write_bytes("ab\u00e9c".encode())  # 2-byte UTF-8 character
    assert read_text(p) == "ab\u00c3\u00a9c"


def test_empty_and_corrupt(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        read_bytes(tmp_path / "empty")
    (tmp_path / "bad.bz2").write_bytes(b"BZh9" + b"\x00" * 40)
    with pytest.raises(FormatError, match="bz2"):
        read_bytes(tmp_path / "bad.bz2")
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.writestr("a", TEXT)
        zf.writestr("b", TEXT)
    with pytest.raises(FormatError, match="exactly one"):
        read_bytes(tmp_path / "two.zip")


def test_truncated_gzip_keeps_what_is_there(tmp_path):
    data = gzip.compress(TEXT * 100)
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.warns(KompasWarning, match="ends early"):
        out = read_bytes(tmp_path / "cut.gz")
    assert 0 < len(out) < len(TEXT) * 100
    assert (TEXT * 100).startswith(out)


def test_truncated_gzip_streamed_in_blocks_keeps_what_is_there(tmp_path):
    import warnings

    from kompas.io._open import iter_blocks

    data = gzip.compress(TEXT * 1000)
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = b"".join(bytes(b) for b in iter_blocks(tmp_path / "cut.gz", size=64))
    assert len(caught) == 1 and issubclass(caught[0].category, KompasWarning)
    assert "gz stream ends early" in str(caught[0].message)
    assert 0 < len(out) < len(TEXT) * 1000 and (TEXT * 1000).startswith(out)


def test_broken_crinex_is_a_format_error(tmp_path):
    p = tmp_path / "x.crx"
    p.write_bytes(
        b"3.0                 COMPACT RINEX FORMAT                    CRINEX VERS   / TYPE\ngarbage\n"
    )
    with pytest.raises(FormatError, match="Hatanaka"):
        read_bytes(p)


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in decoder is a POSIX shell script")
def test_crx2rnx_messages_on_success_become_kompas_warnings(tmp_path, monkeypatch):
    """crx2rnx exits 0 or 2 with a warning on stderr: the text is kept, as a KompasWarning naming the file
    (filters on KompasWarning must catch it), and the decoded text is passed on whole."""
    from kompas.io import _open
    from kompas.io._open import iter_blocks

    decoder = tmp_path / "crx2rnx"
    decoder.write_text("#!/bin/sh\ncat\necho 'WARNING : odd  header' >&2\nexit 2\n")
    decoder.chmod(0o755)
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: str(decoder))
    body = b"1.0                 COMPACT RINEX FORMAT                    CRINEX VERS   / TYPE\n" + TEXT
    (tmp_path / "x.crx").write_bytes(body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = b"".join(bytes(b) for b in iter_blocks(tmp_path / "x.crx", size=1000))
    assert out == body
    assert [w.category for w in caught] == [KompasWarning]
    assert str(caught[0].message) == f"{tmp_path / 'x.crx'}: crx2rnx: WARNING : odd header"


def test_hatanaka_module_warnings_become_kompas_warnings(tmp_path, monkeypatch):
    """The in-memory decoder (read_bytes): the hatanaka package's warnings, re-issued naming the file."""
    hatanaka = pytest.importorskip("hatanaka")
    from kompas.io._open import read_bytes

    def decode(data):
        warnings.warn("odd header", UserWarning, stacklevel=2)
        return b"decoded"

    monkeypatch.setattr(hatanaka, "crx2rnx", decode)
    (tmp_path / "x.crx").write_bytes(
        b"1.0                 COMPACT RINEX FORMAT                    CRINEX VERS   / TYPE\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert read_bytes(tmp_path / "x.crx") == b"decoded"
    assert [(w.category, str(w.message)) for w in caught] == [
        (KompasWarning, f"{tmp_path / 'x.crx'}: crx2rnx: odd header")
    ]


@pytest.mark.parametrize(
    ("module", "reader", "inner", "what"),
    [
        ("rinex_obs", "read_obs", "_read", "observation data"),
        ("rinex_obs", "read_obs_header", "parse_header", "observation header"),
        ("sp3", "read_sp3", "_read", "SP3 data"),
        ("clk", "read_clk", "_header", "clock data"),
        ("met", "read_met", "_records", "MET data"),
        ("pos", "read_pos_table", "_read_pos", "solution file"),
        ("nmea", "read_nmea", "_read_nmea", "NMEA file"),
    ],
)
def test_an_unforeseen_python_error_in_a_reader_names_the_file_and_what_was_read(
    tmp_path, monkeypatch, module, reader, inner, what
):
    """The readers' last resort: no bare traceback even for a bug, but a FormatError with the file."""
    import importlib

    mod = importlib.import_module(f"kompas.io.readers.{module}")

    def broken(*args, **kwargs):
        raise IndexError("index 7 is out of bounds")

    monkeypatch.setattr(mod, inner, broken)
    if module == "met":
        monkeypatch.setattr(mod, "_header", lambda lines, ctx: (None, 0))
    p = tmp_path / "f.txt"
    p.write_bytes(TEXT[:81] + b" " * 60 + b"END OF HEADER\n")
    with pytest.raises(FormatError) as err:
        getattr(mod, reader)(p)
    assert err.value.path == str(p) and err.value.line is None
    assert err.value.message == f"unreadable {what} (IndexError: index 7 is out of bounds)"


def _as_kompas_module():
    """Functions compiled as module ``kompas.fake``: ``inner(depth)`` warns after ``depth`` nested calls,
    ``gen(depth)`` does so when resumed the second time."""
    source = """
import warnings
def inner(depth):
    if depth:
        return inner(depth - 1)
    warnings.warn("deep", UserWarning, stacklevel=caller_stacklevel())
def gen(depth):
    yield 1
    inner(depth)
    yield 2
"""
    space = {"__name__": "kompas.fake", "caller_stacklevel": caller_stacklevel}
    exec(compile(source, "/kompas/fake.py", "exec"), space)
    return space["inner"], space["gen"]


@pytest.mark.parametrize("depth", [0, 1, 4])
def test_caller_stacklevel_points_past_every_kompas_frame(depth):
    inner, gen = _as_kompas_module()
    g = gen(depth)
    next(g)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        here = sys._getframe().f_lineno
        inner(depth)
        next(g)  # a generator of kompas resumed here
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, here + 1), (__file__, here + 2)]
