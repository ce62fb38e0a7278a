"""Open any supported file: plain, gzip, Unix compress (.Z), bzip2, zip, and Hatanaka CRINEX.

Compression is detected from the content (magic bytes), not the file name, so a mislabelled
file still opens. Hatanaka compact RINEX (1.0 and 3.0) is recognised by its first header line
and expanded with the reference decoder (``crx2rnx``) that the ``hatanaka`` package ships.

Text is decoded as Latin-1: one byte is one character, so the fixed columns of RINEX, SP3
and friends stay byte columns even when a file holds stray non-ASCII bytes (a multibyte
UTF-8 character then fails its field's parse with a clear error instead of shifting the
columns after it).
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import sys
import threading
import warnings
import zipfile
import zlib
from pathlib import Path

from ..errors import ConfigError, FormatError, KompasWarning, TruncatedFileWarning, caller_stacklevel

__all__ = ["read_bytes", "read_text", "is_crinex", "compression_of", "peek", "iter_blocks", "content_digest"]

_GZIP = b"\x1f\x8b"
_LZW = b"\x1f\x9d"
_BZ2 = b"BZh"
_ZIP = b"PK\x03\x04"


_NEED_PATH = "a file path (str or pathlib.Path) is needed"


def _as_path(path, need: str = _NEED_PATH) -> Path:
    """``path`` as a Path; ConfigError ``"<need>, not <type>"`` for anything else (None, a number, bytes,
    an open file: a bare TypeError from deep inside before)."""
    if not isinstance(path, str | os.PathLike):
        raise ConfigError(f"{need}, not {type(path).__name__}")
    return Path(path)


def file_name(path, need: str = _NEED_PATH) -> str:
    """The name of a file path given to a reader or writer (ConfigError for anything that is not a path)."""
    return os.fspath(_as_path(path, need))


def compression_of(data: bytes) -> str | None:
    """The compression of a byte string by its magic number: gz, Z, bz2, zip or None."""
    if data.startswith(_GZIP):
        return "gz"
    if data.startswith(_LZW):
        return "Z"
    if data.startswith(_BZ2):
        return "bz2"
    if data.startswith(_ZIP):
        return "zip"
    return None


def is_crinex(data: bytes) -> bool:
    """True when ``data`` starts with a Hatanaka compact RINEX header (``CRINEX VERS   / TYPE``)."""
    first = data[:200].split(b"\n", 1)[0]
    return b"CRINEX VERS" in first or b"COMPACT RINEX" in first


def _decompress(data: bytes, path: str) -> bytes:
    kind = compression_of(data)
    try:
        if kind == "gz":
            return _gunzip(data, path)
        if kind == "Z":
            import ncompress  # dependency of hatanaka

            return ncompress.decompress(data)
        if kind == "bz2":
            return bz2.decompress(data)
        if kind == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise FormatError(
                        path, None, f"zip archive must hold exactly one file, found {len(names)}"
                    )
                return zf.read(names[0])
    except FormatError:
        raise
    except (OSError, EOFError, ValueError, zlib.error, zipfile.BadZipFile, RuntimeError) as exc:
        raise FormatError(path, None, f"cannot decompress {kind} data: {exc}") from None
    return data


def _gunzip(data: bytes, path: str) -> bytes:
    """gunzip that keeps what precedes a truncation (with a warning) instead of failing."""
    try:
        return gzip.decompress(data)
    except EOFError:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(data)
        warnings.warn(
            f"{path}: gzip stream ends early; reading the {len(out)} bytes recovered",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
        return out


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of ``path``, decompressed and Hatanaka-expanded.

    Parameters
    ----------
    path : str or os.PathLike
        A file in any supported compression.

    Returns
    -------
    bytes
        The plain content.

    Raises
    ------
    FormatError
        If the file is empty, cannot be decompressed, or is broken CRINEX.
    FileNotFoundError
        If it does not exist (a plain OS error: nothing about the format is known).
    """
    p = _as_path(path)
    name = os.fspath(p)
    data = p.read_bytes()
    # allow nested layers such as .crx.gz -> .crx (and a stray double compression)
    for _ in range(3):
        if compression_of(data) is None:
            break
        data = _decompress(data, name)
    if not data:
        raise FormatError(name, None, "file is empty")
    if is_crinex(data):
        data = _crx2rnx(data, name)
    return data


def _crx2rnx(data: bytes, path: str) -> bytes:
    import hatanaka

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = hatanaka.crx2rnx(data)
        except Exception as exc:  # HatanakaException and decoder crashes on corrupt input
            msg = str(exc).strip().splitlines()
            raise FormatError(path, None, f"Hatanaka decompression failed: {' '.join(msg)[:300]}") from None
    for w in caught:
        warnings.warn(f"{path}: crx2rnx: {w.message}", KompasWarning, stacklevel=caller_stacklevel())
    return out


def read_text(path: str | os.PathLike) -> str:
    """The content of ``path`` as text (Latin-1: one byte, one character); see :func:`read_bytes`."""
    return read_bytes(path).decode("latin-1")


def peek(path: str | os.PathLike, size: int = 8192) -> bytes:
    """The first ``size`` bytes of the decompressed content (no Hatanaka expansion).

    gzip, bzip2 and zip are streamed, so only the start of a large file is decompressed; Unix
    ``.Z`` has no streaming decoder here and is expanded whole.
    """
    p = _as_path(path)
    name = os.fspath(p)
    with open(p, "rb") as fh:
        head = fh.read(4)
    kind = compression_of(head)
    try:
        if kind == "gz":
            with gzip.open(p, "rb") as fh:
                return fh.read(size)
        if kind == "bz2":
            with bz2.open(p, "rb") as fh:
                return fh.read(size)
        if kind == "zip":
            with zipfile.ZipFile(p) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise FormatError(
                        name, None, f"zip archive must hold exactly one file, found {len(names)}"
                    )
                with zf.open(names[0]) as fh:
                    return fh.read(size)
    except FormatError:
        raise
    except (OSError, EOFError, ValueError, zlib.error, zipfile.BadZipFile) as exc:
        raise FormatError(name, None, f"cannot decompress {kind} data: {exc}") from None
    if kind == "Z":
        return _decompress(p.read_bytes(), name)[:size]
    with open(p, "rb") as fh:
        return fh.read(size)


def content_digest(path: str | os.PathLike, size: int = 1 << 20) -> str:
    """SHA-256 (hex) of the decompressed content of ``path``, Hatanaka files left compact.

    Two copies of one file, plain or compressed (gzip, bzip2, Unix ``.Z``, zip), give the same digest;
    gzip and bzip2 are streamed ``size`` bytes at a time, ``.Z`` and zip are expanded whole.

    Raises
    ------
    FormatError
        When the compressed data does not decompress to its end (a truncated stream).
    OSError
        When the file cannot be read.
    """
    import hashlib

    p = _as_path(path)
    name = os.fspath(p)
    with open(p, "rb") as fh:
        kind = compression_of(fh.read(4))
    h = hashlib.sha256()
    if kind in ("Z", "zip"):
        h.update(_decompress(p.read_bytes(), name))
        return h.hexdigest()
    opener = {"gz": gzip.open, "bz2": bz2.open}.get(kind, open)
    try:
        with opener(p, "rb") as fh:
            while block := fh.read(size):
                h.update(block)
    except (EOFError, ValueError, zlib.error) as exc:
        raise FormatError(name, None, f"cannot decompress {kind} data: {exc}") from None
    except OSError as exc:
        if kind is None or isinstance(exc, FileNotFoundError | PermissionError):
            raise
        raise FormatError(name, None, f"cannot decompress {kind} data: {exc}") from None
    return h.hexdigest()


def iter_blocks(path: str | os.PathLike, size: int = 1 << 22):
    """The decompressed content of ``path`` as a sequence of byte blocks of about ``size`` bytes.

    Plain, gzip and bzip2 files are streamed, so a reader that consumes the blocks one by one
    never holds the whole file; Unix ``.Z``, zip and Hatanaka files are expanded whole first
    (their decoders here are not incremental) and then handed out in slices. A truncated gzip
    stream yields what it holds, with a warning, as :func:`read_bytes` does.
    """
    p = _as_path(path)
    name = os.fspath(p)
    start = peek(p, 256)
    with open(p, "rb") as fh:
        kind = compression_of(fh.read(4))
    if not start:
        raise FormatError(name, None, "file is empty")
    if is_crinex(start.lstrip(b"\r\n ")) and kind in (None, "gz", "bz2"):
        yield from _crx_stream(p, kind, name, size)
        return
    if is_crinex(start.lstrip(b"\r\n ")) or kind in ("Z", "zip"):
        data = memoryview(read_bytes(p))
        for k in range(0, len(data), size):
            yield data[k : k + size]
        return
    opener = {"gz": gzip.open, "bz2": bz2.open}.get(kind, open)
    try:
        with opener(p, "rb") as fh:
            while True:
                try:
                    block = fh.read(size)
                except EOFError:
                    warnings.warn(
                        f"{name}: {kind} stream ends early; reading what it holds",
                        KompasWarning,
                        stacklevel=caller_stacklevel(),
                    )
                    return
                if not block:
                    return
                yield block
    except (OSError, ValueError, zlib.error) as exc:
        raise FormatError(name, None, f"cannot decompress {kind} data: {exc}") from None


def _crx2rnx_binary() -> str:
    import hatanaka

    return str(Path(hatanaka.__file__).parent / "bin" / "crx2rnx")


_CHUNK = 1 << 16  # bytes read from crx2rnx at a time: a pipe's buffer on Linux


class _CrxPipe:
    """crx2rnx as a child process, fed by one thread, its output read by another into a bounded queue.

    The queue holds at most ``maxsize`` chunks of :data:`_CHUNK` bytes (the last one shorter): when the
    consumer falls behind, the reader thread waits, crx2rnx blocks on its full output pipe and the feeder
    on its input pipe, so memory stays bounded whatever the length of the file.
    """

    # bound here, not looked up at close: a generator left unfinished is closed at interpreter exit,
    # when the module's globals may already be None
    _finalizing = staticmethod(sys.is_finalizing)
    _current = staticmethod(threading.current_thread)

    def __init__(self, p: Path, kind: str | None, maxsize: int):
        import queue
        import subprocess

        self.p, self.kind = p, kind
        self.proc = subprocess.Popen(
            [_crx2rnx_binary(), "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.out: queue.Queue = queue.Queue(maxsize)
        self.feed_error: list[BaseException] = []
        self.read_error: list[BaseException] = []
        self.err_chunks: list[bytes] = []
        self.ended = False  # the consumer has taken the end mark: the reader thread is done
        self.returncode: int | None = None
        jobs = (self.feed, self.drain, self.collect)
        self.threads = [threading.Thread(target=f, daemon=True) for f in jobs]
        for th in self.threads:
            th.start()

    def feed(self):
        # incremental decompressors keep every byte before a truncation (gzip.open would drop a chunk)
        dec = {"gz": lambda: zlib.decompressobj(wbits=31), "bz2": bz2.BZ2Decompressor}.get(self.kind)
        d = dec() if dec else None
        try:
            with open(self.p, "rb") as fh:
                while raw := fh.read(1 << 16):
                    self.proc.stdin.write(d.decompress(raw) if d else raw)
            if d is not None and not d.eof:
                self.feed_error.append(EOFError(f"{self.kind} stream ends early"))
        except (OSError, EOFError, ValueError, zlib.error) as exc:  # corrupt input, or crx2rnx died
            self.feed_error.append(exc)
        finally:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def drain(self):
        self.err_chunks.append(self.proc.stderr.read())
        self.proc.stderr.close()

    def collect(self):
        try:
            # whole chunks (read, not read1): a reader faster than crx2rnx would otherwise queue its 4 KiB
            # writes one by one, and a queue counted in chunks would hold too little to keep it busy
            while chunk := self.proc.stdout.read(_CHUNK):
                self.out.put(chunk)  # waits while the queue is full: the back-pressure
        except Exception as exc:  # handed to the consumer, which would otherwise wait forever
            self.read_error.append(exc)
        finally:
            self.out.put(None)  # always: the consumer (or close) waits for it

    def get(self) -> bytes | None:
        """The next chunk of crx2rnx's output, None at its end."""
        chunk = self.out.get()
        self.ended = chunk is None
        return chunk

    def close(self):
        """Stop crx2rnx unless its output was read to the end; wait for the threads; keep its exit status."""
        if self._finalizing() or self._current() in self.threads:
            # daemon threads are frozen at interpreter shutdown (one may hold the output pipe's lock, and
            # closing that pipe would abort the interpreter) and modules are being emptied; crx2rnx ends on
            # its closed pipes when this process does. A thread cannot wait for itself.
            return
        if not self.ended or self.read_error:
            self.proc.kill()  # the consumer stopped early or raised: the rest of the text is not wanted
        while not self.ended:  # empty the queue so a reader thread waiting to put reaches the pipe's end
            self.get()
        for th in self.threads:
            th.join()
        self.proc.stdout.close()
        self.returncode = self.proc.wait()

    def stderr(self) -> str:
        return b"".join(self.err_chunks).decode("ascii", "backslashreplace").strip()


def _crx_stream(p: Path, kind: str | None, name: str, size: int):
    """Hatanaka decoding as a pipe: decompression and the consumer's parsing overlap on two cores.

    About one block (``size`` bytes) of crx2rnx's output waits in the queue, enough for crx2rnx to decode
    the next block while the consumer parses this one (unbounded, three quarters of a whole day's text
    piled up in memory when the consumer was the slower).
    """
    pipe = _CrxPipe(p, kind, max(1, size // _CHUNK))
    try:
        pending: list[bytes] = []
        have = 0
        while (chunk := pipe.get()) is not None:
            pending.append(chunk)
            have += len(chunk)
            if have >= size:
                yield b"".join(pending)
                pending, have = [], 0
        if pipe.read_error:
            raise FormatError(name, None, f"cannot read crx2rnx's output: {pipe.read_error[0]!r}")
        if pending:
            yield b"".join(pending)
    finally:
        pipe.close()
    _crx_verdict(pipe, kind, name)


def _crx_verdict(pipe: _CrxPipe, kind: str | None, name: str) -> None:
    """The warnings, or the error, of a crx2rnx run whose whole output was read."""
    ret, stderr = pipe.returncode, pipe.stderr()
    message = " ".join(stderr.split())[:300]
    if ret not in (0, 2) and "truncated" in stderr:
        # crx2rnx has written every complete epoch before the break: the consumer keeps them
        warnings.warn(TruncatedFileWarning(f"{name}: crx2rnx: {message}"), stacklevel=caller_stacklevel())
        return
    if ret not in (0, 2):
        raise FormatError(name, None, f"Hatanaka decompression failed: {message}")
    if stderr:
        warnings.warn(f"{name}: crx2rnx: {message}", KompasWarning, stacklevel=caller_stacklevel())
    feed_error = pipe.feed_error
    if feed_error and not isinstance(feed_error[0], BrokenPipeError):
        warnings.warn(
            f"{name}: {kind} stream ends early: {feed_error[0]}",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
