"""Grading beyond one machine: participants' notebooks executed on a Dask cluster.

``cxkit grade 00 --scheduler tcp://host:8786`` sends each sanitized submission
to the cluster (:func:`cxkit.grading.execute.run_job`, sandboxed on the worker)
and records each result here, in the one process that writes the gradebook.
A worker that dies mid-run loses nothing: Dask runs its jobs again elsewhere,
and each submission is recorded once, when its first result comes back.

Dask is optional: ``pip install "cxkit[scale]"``. Start a cluster with
``dask scheduler`` and, on each machine with this course's Python environment,
``dask worker tcp://host:8786 --nthreads 1 --nworkers 2``.
"""

from __future__ import annotations

import uuid
from typing import Any

from cxkit.errors import CxkitError
from cxkit.grading.outcomes import ExecutorSettings, Fact, Kind, Result

CONNECT_SECONDS = 15


def _client(scheduler: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise CxkitError(
            "--scheduler needs Dask's distributed scheduler, which is not installed here. "
            'Install it with: pip install "cxkit[scale]"'
        ) from None
    try:
        return Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise CxkitError(
            f"Could not reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s "
            f"({err}). Start one with `dask scheduler` and workers with "
            f"`dask worker {scheduler}`, or leave out --scheduler to grade on this machine."
        ) from None


class DaskGrader:
    """Execute submissions on a Dask cluster; record them here as they come back."""

    def __init__(
        self, scheduler: str, workshop: str, settings: ExecutorSettings, budget: float
    ) -> None:
        self.scheduler, self.workshop = scheduler, workshop
        # on a worker, the time budget is kept by the job itself (no process to kill here)
        self.settings: ExecutorSettings = {**settings, "budget": budget}

    def run(self, todo: list[str], prepare: Any, record: Any, progress: Any = None) -> None:
        """Same contract as :meth:`cxkit.grading.local.Grader.run`."""
        from distributed import as_completed

        from cxkit.grading.execute import run_job
        from cxkit.grading.local import next_job

        client = _client(self.scheduler)
        try:
            slots = sum(client.nthreads().values())
            if not slots:
                raise CxkitError(
                    f"The Dask scheduler at {self.scheduler} has no workers. Start some with "
                    f"`dask worker {self.scheduler}`."
                )
            window = 2 * slots  # sanitized jobs waiting on the cluster, not the whole cohort
            queue = list(todo)
            running: dict[str, str] = {}  # future key -> participant
            done = as_completed(loop=client.loop)
            settings = client.scatter(self.settings, broadcast=True)

            def top_up() -> None:
                while done.count() < window:
                    following = next_job(queue, prepare, progress)
                    if following is None:
                        return
                    pid, job = following
                    key = f"cxkit-{self.workshop}-{pid}-{uuid.uuid4().hex[:8]}"
                    future = client.submit(run_job, job, settings, key=key, pure=False)
                    running[future.key] = pid
                    done.add(future)

            top_up()
            for future in done:
                pid = running.pop(future.key)
                try:
                    result = self._stopped(future.result())
                except Exception as err:  # e.g. KilledWorker: it took down worker after worker
                    died = Fact(Kind.CLUSTER_DIED, details={"error": type(err).__name__})
                    result = {"success": False, "stopped": [died]}
                future.release()
                record(pid, result)
                if progress is not None:
                    progress.update(1)
                top_up()
        finally:
            client.close()

    def _stopped(self, result: Result) -> Result:
        """The result, with the budget's stop as a fact: a job reports it only in ``failure``."""
        if result.get("failure"):
            budget = self.settings.get("budget", 0.0)
            over = Fact(Kind.OVER_BUDGET, result.get("where") or "", {"budget": budget})
            result = {**result, "stopped": [over]}
        return result
