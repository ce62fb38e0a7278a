"""Dask worker plugins of the local cluster (imported only where ``distributed`` is installed)."""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["OneBlasThread"]


class OneBlasThread(WorkerPlugin):
    """One BLAS thread per worker process, also in the workers a nanny restarts.

    Spawned workers get it from ``OPENBLAS_NUM_THREADS=1`` in Dask's pre-spawn environment; a forked
    worker has loaded its BLAS with the parent's thread count already, so the limit is set at run time.
    Threaded BLAS on the small matrices of the estimators is slower than one thread when the cores are
    shared (pyproject.toml, threadpoolctl).
    """

    name = "kompas-one-blas-thread"

    def setup(self, worker) -> None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
