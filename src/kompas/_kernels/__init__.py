"""Optional numba kernels behind the same API as the numpy code.

kompas runs on numpy alone. With ``numba`` installed (the ``fast`` extra), ``KOMPAS_KERNELS=numba``
(or :func:`use`) runs the readers' hot loops as compiled kernels instead; both paths give bit-identical
results and run the same tests. The default (``auto``) is numpy: the numpy path of the observation reader
now parses a day of 30-s observations within 0.03 s of the kernel (0.26 against 0.23 CPU-s, ESBC,
BENCHMARKS.md), while loading numba and its cached kernel costs about 0.5 CPU-s in every process, so
the kernel pays only in a process that reads some twenty day files.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os

__all__ = ["backend", "numba_available", "use"]

_forced: str | None = None


def numba_available() -> bool:
    """True when numba can be imported."""
    return importlib.util.find_spec("numba") is not None


def backend() -> str:
    """The backend in use: ``"numba"`` when asked for (:func:`use` or ``KOMPAS_KERNELS=numba``) and
    installed, else ``"numpy"`` (also for ``auto``, the default: see the module docstring)."""
    choice = _forced or os.environ.get("KOMPAS_KERNELS", "").strip().lower() or "auto"
    if choice == "numba" and numba_available():
        return "numba"
    return "numpy"


@contextlib.contextmanager
def use(name: str):
    """Temporarily force a backend (``"numpy"`` or ``"numba"``), e.g. in tests and benchmarks."""
    global _forced
    if name not in ("numpy", "numba"):
        raise ValueError(f"unknown kernel backend {name!r}")
    old, _forced = _forced, name
    try:
        yield
    finally:
        _forced = old
