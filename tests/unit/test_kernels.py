"""kompas._kernels: which backend runs (KOMPAS_KERNELS, use(), whether numba is installed)."""

import pytest

from kompas import _kernels
from kompas._kernels import backend, numba_available, use


def test_numba_available_says_whether_numba_imports():
    try:
        import numba  # noqa: F401

        installed = True
    except ImportError:
        installed = False
    assert numba_available() is installed


def test_backend_from_the_environment_and_use(monkeypatch):
    monkeypatch.delenv("KOMPAS_KERNELS", raising=False)
    assert backend() == "numpy"  # auto: numpy (module docstring)
    for value in ("numpy", "auto", "", "  ", "gpu"):
        monkeypatch.setenv("KOMPAS_KERNELS", value)
        assert backend() == "numpy", value
    monkeypatch.setattr(_kernels, "numba_available", lambda: True)
    monkeypatch.setenv("KOMPAS_KERNELS", " Numba ")
    assert backend() == "numba"
    with use("numpy"):  # use() overrides the environment, and nests
        assert backend() == "numpy"
        with use("numba"):
            assert backend() == "numba"
        assert backend() == "numpy"
    assert backend() == "numba"
    monkeypatch.setattr(_kernels, "numba_available", lambda: False)
    assert backend() == "numpy"  # asked for, not installed
    with use("numba"):
        assert backend() == "numpy"
    with pytest.raises(ValueError, match="unknown kernel backend 'cuda'"):
        with use("cuda"):
            pass
