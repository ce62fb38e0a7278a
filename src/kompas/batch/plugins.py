"""Dask worker plugins of the local cluster (imported only where ``distributed`` is installed)."""

from __future__ import annotations

import logging

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["OneBlasThread", "QuietHeartbeat"]


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


class _NoHeartbeatFailure(logging.Filter):
    """Drops the worker's "Failed to communicate with scheduler during heartbeat" record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to communicate with scheduler during heartbeat")


_HEARTBEAT_FILTER = _NoHeartbeatFailure()


class QuietHeartbeat(WorkerPlugin):
    """Silences the heartbeat failure a local worker logs, with a traceback, when it outlives the scheduler.

    When the local cluster closes, a worker that is slow to stop (a loaded machine) can send one more
    heartbeat to the scheduler that has just closed: ``distributed`` logs the failed send at ERROR level
    with a traceback on ``kompas batch``'s stderr after a run that succeeded. The scheduler lives in the
    ``kompas batch`` process itself, so a worker cannot lose it while a batch is running; every other
    record of the worker is kept. Not registered on a scheduler the user gives (its workers are theirs).
    """

    name = "kompas-quiet-heartbeat"

    def setup(self, worker) -> None:
        log = logging.getLogger("distributed.worker")
        if _HEARTBEAT_FILTER not in log.filters:
            log.addFilter(_HEARTBEAT_FILTER)
