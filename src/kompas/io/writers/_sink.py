"""The output sink every writer ends in: a path or an open file, text or bytes."""

from __future__ import annotations

import contextlib
import gzip
import io

from .._open import file_name

__all__ = ["write_text", "write_bytes", "is_binary"]


def _path(path_or_file) -> str:
    """A destination that is not an open file must be a path: an int would be taken by ``open`` as a file
    descriptor (written into and closed) and anything else fails inside ``open``."""
    return file_name(path_or_file, "the destination must be a path or an open file")


@contextlib.contextmanager
def _named(path: str):
    """An OSError of the write itself (a full disk: ``errno`` ENOSPC carries no file name) names ``path``, so
    the command line can say which output failed."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, path) from None
        raise


def is_binary(f) -> bool:
    """An open file in binary mode (text formats refuse it, :func:`write_text`)."""
    return isinstance(f, io.BufferedIOBase | io.RawIOBase)


def write_text(path_or_file, text: str) -> None:
    """Write ``text`` to a path (UTF-8, no newline translation) or to an open text file (ConfigError for a
    binary one, as :func:`kompas.io.writers.write_solution` says)."""
    if hasattr(path_or_file, "write"):
        if is_binary(path_or_file):
            from ...errors import ConfigError

            raise ConfigError("a text format needs a file opened in text mode, not a binary one")
        path_or_file.write(text)
        return
    p = _path(path_or_file)
    with _named(p), open(p, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_bytes(path_or_file, data: bytes) -> None:
    """Write ``data`` to a path (gzip-compressed when it ends in ``.gz``) or an open file (text or binary)."""
    if hasattr(path_or_file, "write"):
        if isinstance(path_or_file, io.TextIOBase):
            path_or_file.write(data.decode("ascii"))
        else:
            path_or_file.write(data)
        return
    p = _path(path_or_file)
    opener = gzip.open if str(p).lower().endswith(".gz") else open
    with _named(p), opener(p, "wb") as fh:
        fh.write(data)
