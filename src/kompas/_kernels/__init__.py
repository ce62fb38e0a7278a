"""Optional numba kernels behind the same API as the numpy code.

kompas runs on numpy alone; when ``numba`` is installed (the ``fast`` extra) the hot loops of
the readers use compiled kernels instead. Both paths run the same tests. Set the environment
variable ``KOMPAS_KERNELS=numpy`` (or call :func:`use`) to force the numpy path.
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
    """The backend in use: ``"numba"`` or ``"numpy"``."""
    choice = _forced or os.environ.get("KOMPAS_KERNELS", "").strip().lower() or "auto"
    if choice == "numpy":
        return "numpy"
    if choice in ("auto", "numba") and numba_available():
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
