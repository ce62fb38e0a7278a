"""Hatanaka files streamed through crx2rnx (``iter_blocks``): a bounded queue between crx2rnx and the
consumer, and every way out of the stream (early stop, decoder errors, truncation, interpreter exit)."""

import gzip
import queue
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import ClassVar

import pytest

import kompas
from kompas import FormatError
from kompas.errors import KompasWarning, TruncatedFileWarning
from kompas.io import _open
from kompas.io._open import iter_blocks

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the stand-in decoders are POSIX shell scripts"
)

HEAD = b"3.0                 COMPACT RINEX FORMAT                    CRINEX VERS   / TYPE\n"
BODY = HEAD + b"".join(b"%079d\n" % k for k in range(50_000))  # 4 MB: far more than the pipes and queue hold


def _decoder(tmp_path, script):
    """A stand-in for crx2rnx: a shell script reading the compact text on stdin."""
    exe = tmp_path / "crx2rnx"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    return str(exe)


class _Watched(queue.Queue):
    """A queue that says when a put has to wait on a full queue, and when the end mark (None) is put; it
    keeps the length of every chunk put."""

    waited = threading.Event()
    ended = threading.Event()
    settled = threading.Event()
    sizes: ClassVar[list] = []

    def put(self, item, block=True, timeout=None):
        type(self).sizes.append(None if item is None else len(item))
        if item is None:
            type(self).ended.set()
            type(self).settled.set()
        elif self.maxsize > 0 and self.full():
            type(self).waited.set()
            type(self).settled.set()
        super().put(item, block, timeout)


@pytest.fixture
def watched(monkeypatch):
    for event in (_Watched.waited, _Watched.ended, _Watched.settled):
        event.clear()
    _Watched.sizes.clear()
    monkeypatch.setattr(queue, "Queue", _Watched)
    return _Watched


def test_crx2rnx_waits_for_a_slow_consumer_and_early_stop_kills_it(tmp_path, monkeypatch, watched):
    """With the consumer holding its first block, crx2rnx's output fills the queue and waits (unbounded,
    the whole text piled up in memory); closing the stream then stops crx2rnx before its end."""
    done = tmp_path / "done"
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, f"cat\ntouch '{done}'\n"))
    (tmp_path / "x.crx").write_bytes(BODY)
    blocks = iter_blocks(tmp_path / "x.crx", size=1 << 16)
    first = next(blocks)
    assert watched.settled.wait(60)
    assert watched.waited.is_set() and not watched.ended.is_set()
    blocks.close()  # the reader thread waits on a full queue: close must not wait for it forever
    assert BODY.startswith(first) and not done.exists()


def test_a_decoder_writing_in_small_pieces_fills_whole_chunks(tmp_path, monkeypatch, watched):
    """The queue is counted in chunks: each must be a whole one, or a queue of small writes would hold a
    few kilobytes and crx2rnx would wait on the consumer at every block instead of decoding ahead."""
    script = "while IFS= read -r line; do printf '%s\\n' \"$line\"; done\n"  # a write per line
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, script))
    body = BODY[: len(HEAD) + 80 * 2500]  # whole lines (read drops a last one without its end of line)
    (tmp_path / "x.crx").write_bytes(body)
    assert b"".join(iter_blocks(tmp_path / "x.crx", size=1 << 20)) == body
    assert watched.sizes == [_open._CHUNK] * 3 + [len(body) - 3 * _open._CHUNK, None]


@pytest.mark.parametrize("how", ["close", "raise"])
def test_a_consumer_that_stops_or_raises_midway_leaves_no_process(tmp_path, monkeypatch, how):
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, "exec cat\n"))
    spawned = []
    popen = subprocess.Popen

    def spy(*args, **kwargs):
        spawned.append(popen(*args, **kwargs))
        return spawned[-1]

    monkeypatch.setattr(subprocess, "Popen", spy)
    (tmp_path / "x.crx").write_bytes(BODY)
    blocks = iter_blocks(tmp_path / "x.crx", size=1000)
    if how == "close":
        next(blocks)
        next(blocks)
        blocks.close()
    else:
        with pytest.raises(ZeroDivisionError):
            for k, _ in enumerate(blocks):
                1 / (3 - k)
        del blocks  # the generator's cleanup runs when the last reference goes
    assert len(spawned) == 1 and spawned[0].returncode is not None


@pytest.mark.parametrize(
    ("script", "error", "match"),
    [
        ("cat\necho 'ERROR : bad epoch' >&2\nexit 1\n", FormatError, "Hatanaka decompression failed: ERROR"),
        ("cat\necho 'file seems to be truncated' >&2\nexit 1\n", TruncatedFileWarning, "truncated"),
    ],
)
def test_decoder_errors_after_a_long_output_through_a_tiny_queue(tmp_path, monkeypatch, script, error, match):
    """The verdict comes after every byte crx2rnx wrote, however small the queue."""
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, script))
    (tmp_path / "x.crx").write_bytes(BODY)
    got = []
    if issubclass(error, Warning):
        with pytest.warns(error, match=match):
            got.extend(iter_blocks(tmp_path / "x.crx", size=100))
    else:
        with pytest.raises(error, match=match):
            got.extend(iter_blocks(tmp_path / "x.crx", size=100))
    assert b"".join(got) == BODY


def test_a_truncated_gzip_crinex_through_a_tiny_queue_keeps_what_it_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, "exec cat\n"))
    data = gzip.compress(BODY)
    (tmp_path / "x.crx.gz").write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = b"".join(iter_blocks(tmp_path / "x.crx.gz", size=100))
    assert [w.category for w in caught] == [KompasWarning]
    assert "gz stream ends early" in str(caught[0].message)
    assert 0 < len(out) < len(BODY) and BODY.startswith(out)


def test_a_failure_reading_crx2rnx_is_an_error_not_a_hang(tmp_path, monkeypatch):
    """Whatever stops the reader thread, the consumer hears of it (it waited forever for the end mark)."""
    monkeypatch.setattr(_open, "_crx2rnx_binary", lambda: _decoder(tmp_path, "exec cat\n"))

    class Broken:
        def __init__(self, pipe):
            self.pipe, self.calls = pipe, 0

        def read(self, n):
            self.calls += 1
            if self.calls > 2:
                raise OSError(5, "Input/output error")
            return self.pipe.read(n)

        def close(self):
            self.pipe.close()

    popen = subprocess.Popen

    def spy(*args, **kwargs):
        proc = popen(*args, **kwargs)
        proc.stdout = Broken(proc.stdout)
        return proc

    monkeypatch.setattr(subprocess, "Popen", spy)
    (tmp_path / "x.crx").write_bytes(BODY)
    with pytest.raises(FormatError, match="cannot read crx2rnx's output: OSError.5, 'Input/output error'"):
        list(iter_blocks(tmp_path / "x.crx", size=100))


def test_an_unfinished_stream_at_interpreter_exit(tmp_path):
    """The generator is finalized after the daemon threads are frozen: no abort ("could not acquire lock
    ... at interpreter shutdown"), no message."""
    decoder = _decoder(tmp_path, "exec cat\n")
    (tmp_path / "x.crx").write_bytes(BODY)
    code = (
        "import sys\nfrom kompas.io import _open\n"
        f"_open._crx2rnx_binary = lambda: {decoder!r}\n"
        f"blocks = _open.iter_blocks({str(tmp_path / 'x.crx')!r}, size=1000)\n"
        "print(len(next(blocks)))\n"
    )
    env = {"PYTHONPATH": str(Path(kompas.__file__).parents[1]), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert (res.returncode, res.stderr) == (0, "") and int(res.stdout) >= 1000
