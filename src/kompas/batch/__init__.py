"""Networks of stations: many station-days through one recipe, in parallel, resumable (``kompas batch``).

The pieces, each small and pure where it can be:

* :mod:`~kompas.batch.job` -- the job description (:class:`StationDay`, :class:`BatchJob`) and the
  content hash of a unit's inputs and options (:func:`input_hash`);
* :mod:`~kompas.batch.plan` -- files by glob or station list -> units, each observation file matched with
  the navigation/product files of its day (:func:`plan`, :func:`load_station_list`);
* :mod:`~kompas.batch.tasks` -- the registry of tasks (``spp`` today; ``qc``, ``ppp``, ``rtk`` plug in
  with :func:`register`), each an adapter around its recipe and its typed options;
* :mod:`~kompas.batch.execute` -- one unit on a worker (:func:`run_unit`) and the job on Dask
  (:func:`run_batch`: a local cluster, or an existing scheduler);
* :mod:`~kompas.batch.store` -- the Parquet dataset partitioned by task/station/day, atomic writes, the
  summary table; its docstring documents the schema.

Example::

    from kompas.batch import BatchJob, plan, run_batch
    from kompas.spp import SppConfig

    p = plan(["data/**/*_MO.crx.gz"], nav=["data/**/*_MN.rnx.gz"])
    report = run_batch(BatchJob("spp", SppConfig(), p.items, "results"), workers=2, skipped=p.skipped)
    # pandas.read_parquet("results/solution"), pandas.read_parquet("results/summary.parquet")
"""

from .execute import FINISHED, BatchReport, run_batch, run_unit
from .job import BatchJob, StationDay, input_hash
from .plan import Plan, Skipped, StationList, expand, load_station_list, plan
from .store import consolidate, result_path, summary_schema
from .tasks import TASKS, Task, TaskResult, get_task, register, solution_table

__all__ = [
    "BatchJob",
    "StationDay",
    "input_hash",
    "Plan",
    "Skipped",
    "StationList",
    "expand",
    "plan",
    "load_station_list",
    "Task",
    "TaskResult",
    "TASKS",
    "register",
    "get_task",
    "solution_table",
    "run_unit",
    "run_batch",
    "BatchReport",
    "FINISHED",
    "consolidate",
    "result_path",
    "summary_schema",
]
