"""Running participants' notebooks away from the gradebook: the part of grading that needs a kernel.

Grading one submission takes three steps:

1. The coordinator (``cxkit grade``) sanitizes each notebook with nbgrader's own
   preprocessors: outputs cleared, grade cells put back as released
   (:func:`build_job`).
2. An executor runs it: a local worker process, or a Dask worker on another
   machine (:func:`run_job`). It uses a fresh kernel in the sandbox, forked
   from a warm template that has imported pandas and cxkit already
   (:class:`cxkit.grading.pool.WarmSandbox`; a cold kernel where bubblewrap is
   missing), in a folder that holds the submission's other files and no
   notebook, and sends back the executed notebook.
3. The coordinator lets nbgrader autograde the submission as usual, with
   :class:`UseSanitized` in place of its sanitizing steps (their result from
   step 1, once nbgrader has read the same notebook again) and
   :class:`UseExecuted` in place of its executor: nbgrader takes the executed
   notebook, checks it is the one it sanitized, and saves the scores.

Only the coordinator touches the course folder and the gradebook, so a SQLite
gradebook stays safe however many machines execute. Scores stay nbgrader's own:
step 3 is nbgrader's autograde, and it refuses an executed notebook whose cells
differ from the one it sanitized.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbgrader.preprocessors import NbGraderPreprocessor

from cxkit.errors import CxkitError
from cxkit.grading.outcomes import ExecutorSettings, Job, Result

if TYPE_CHECKING:
    from cxkit.grading.pool import WarmSandbox

# what the coordinator holds between the steps, by (step, workshop, participant, notebook):
# "handed in" the digest of the notebook as handed in, "sanitized" and "executed" notebooks
_HELD: dict[tuple[str, str, str, str], str] = {}
_LOCK = threading.Lock()


def _sanitize_steps(config: Any) -> list[Any]:
    """nbgrader's sanitizing steps: the course's own list, if its config sets one."""
    from nbgrader.converters.autograde import Autograde

    if "sanitize_preprocessors" in config.Autograde:
        return list(config.Autograde.sanitize_preprocessors)
    return list(Autograde.class_traits()["sanitize_preprocessors"].default())


def _ignored(relative: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in patterns)


def build_job(api: Any, course: Any, workshop: str, participant: str) -> Job:
    """What an executor needs to run one submission: sanitized notebooks and other files.

    ``api`` is the course's nbgrader API (its config drives the preprocessors).
    Other files are the submission's, with the workshop's own files over them,
    as nbgrader's autograde lays them out.
    """
    import nbformat

    folder = course.folder("submitted") / participant / workshop
    config = api.config
    ignore = list(api.coursedir.ignore)
    notebooks: dict[str, str] = {}
    handed_in: dict[str, str] = {}
    for name in course.notebooks(workshop):
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue  # nbgrader scores a missing notebook zero without running it
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        resources = {
            "nbgrader": {
                "student": participant,
                "assignment": workshop,
                "notebook": name,
                "db_url": course.gradebook_url,
            },
            "metadata": {"path": str(folder)},
        }
        handed_in[name] = _digest(nb)
        for step in _sanitize_steps(config):
            nb, resources = step(config=config).preprocess(nb, resources)
        notebooks[name] = _dumps(nb)
    files: dict[str, bytes] = {}
    for base in (folder, course.folder("source") / workshop):
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base)
            if path.is_file() and path.suffix != ".ipynb" and not _ignored(relative, ignore):
                files[relative.as_posix()] = path.read_bytes()
    return {
        "workshop": workshop,
        "participant": participant,
        "notebooks": notebooks,
        "files": files,
        "handed_in": handed_in,  # digests, for the coordinator's record (keep_sanitized)
    }


def run_job(job: Job, settings: ExecutorSettings) -> dict[str, Any]:
    """Execute one submission's notebooks in sandboxed kernels; return them executed.

    ``settings``: ``course_root`` and ``db_url`` (what the sandbox hides),
    ``sandbox``, ``cell_timeout``, ``limits`` and, optionally, ``budget``: the
    seconds after which the kernel is stopped, whatever it is doing.
    Never raises for what the participant's code does: a failure comes back as
    ``success: False`` with the error, the cell it happened in and what the
    sandbox saw.
    """
    from traitlets.config import Config

    from cxkit.grading.sandbox import SandboxedExecute, configure_kernels
    from cxkit.patches import quicker_dates

    quicker_dates()
    cfg = Config()
    cfg.Execute.timeout = settings.get("cell_timeout", 30)
    if settings.get("limits"):
        cfg.SandboxedKernelManager.limits = settings["limits"]
    configure_kernels(
        cfg, Path(settings["course_root"]), settings.get("db_url", ""), settings["sandbox"]
    )
    started, cpu = time.perf_counter(), time.process_time()
    scratch: Path | None = None
    box: WarmSandbox | None = None
    if settings.get("warm", True) and warm_available(settings["sandbox"]):
        from cxkit.grading.outcomes import Limits
        from cxkit.grading.pool import WarmSandbox, WarmSandboxedKernelManager

        box = WarmSandbox.for_job(
            job["workshop"],
            list(cfg.SandboxedKernelManager.hidden),
            list(cfg.SandboxedKernelManager.readable),
            Limits(**settings.get("limits", {})),
        )
        box.reset_work()
        slot = box.work
        executor = SandboxedExecute(config=cfg, kernel_manager_class=WarmSandboxedKernelManager)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="cxkit-slot-"))
        # laid out as nbgrader lays out a course, so that relative paths climb as far:
        # to an empty, read-only folder instead of the (hidden) course folder
        slot = scratch / "autograded" / job["participant"] / job["workshop"]
        slot.mkdir(parents=True)
        cfg.SandboxedKernelManager.hidden = [*cfg.SandboxedKernelManager.hidden, str(scratch)]
        executor = SandboxedExecute(config=cfg)
    executor.progress_path = settings.get("progress", "")
    executor.figures = settings.get("figures", True)
    over_budget = threading.Event()
    watchdog = None
    if settings.get("budget"):

        def stop() -> None:
            over_budget.set()
            executor.halt()

        watchdog = threading.Timer(settings["budget"], stop)
        watchdog.daemon = True
        watchdog.start()
    result: dict[str, Any] = {"participant": job["participant"], "success": True}
    try:
        for relative, data in job["files"].items():
            target = slot / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        executed = {}
        for name, text in job["notebooks"].items():
            nb = _loads(text)
            resources = {
                "metadata": {"path": str(slot)},
                "nbgrader": {
                    "student": job["participant"],
                    "assignment": job["workshop"],
                    "notebook": name,
                },
            }
            with _setenv(NBGRADER_EXECUTION="autograde"):
                nb, _ = executor.preprocess(nb, resources)
            result["cell_seconds"] = result.get("cell_seconds", 0.0) + cell_seconds(nb)
            executed[name] = _dumps(nb)
        result["notebooks"] = executed
    except Exception as err:  # the participant's kernel died, hung or was stopped
        result.update(success=False, error=f"{type(err).__name__}: {err}")
        result["log"] = traceback.format_exc(limit=3)
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    result["where"], result["facts"] = executor.progress()
    if over_budget.is_set():
        result.update(success=False, notebooks={})
        result["failure"] = (
            f"took longer than the {settings['budget']:.0f} s budget per submission: "
            f"it ran out of time in {result['where'] or 'a cell'}"
        )
    if box is not None:
        used = box.kernel_cpu()
        if used is not None:
            result["kernel_cpu"] = used
    result["seconds"] = time.perf_counter() - started
    result["executor_cpu"] = time.process_time() - cpu
    return result


def _dumps(nb: Any) -> str:
    """A notebook as compact JSON, for the way between grader and executor.

    nbformat's own writer indents (which Python's JSON encoder does slowly) and
    validates; nbgrader validates the notebook it records anyway.
    """
    return json.dumps(nb, ensure_ascii=False)


def _loads(text: str) -> Any:
    import nbformat

    return nbformat.from_dict(json.loads(text))


def warm_available(sandbox: bool) -> bool:
    """Whether kernels can be forked from a warm template inside the sandbox here."""
    from cxkit.grading.pool import available
    from cxkit.grading.sandbox import bwrap_problem

    return sandbox and available() and not bwrap_problem()


def cell_seconds(nb: Any) -> float:
    """Seconds the kernel spent running the notebook's cells (nbclient's timings)."""
    from datetime import datetime

    total = 0.0
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if begin and end:
            with contextlib.suppress(ValueError):
                span = datetime.fromisoformat(end) - datetime.fromisoformat(begin)
                total += span.total_seconds()
    return total


@contextlib.contextmanager
def _setenv(**values: str) -> Any:
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def keep_sanitized(job: Job) -> None:
    """Hold a job's sanitized notebooks until nbgrader's autograde sanitizes again."""
    workshop, participant = job["workshop"], job["participant"]
    with _LOCK:
        for name, digest in job["handed_in"].items():
            _HELD[("handed in", workshop, participant, name)] = digest
        for name, text in job["notebooks"].items():
            _HELD[("sanitized", workshop, participant, name)] = text


def keep_executed(result: Result, workshop: str) -> None:
    """Hold an executor's notebooks until nbgrader's autograde asks for them."""
    with _LOCK:
        for name, text in result.get("notebooks", {}).items():
            _HELD[("executed", workshop, result["participant"], name)] = text


def forget_held(workshop: str, participant: str) -> None:
    """Drop whatever was held for a participant (recorded, or failed before recording)."""
    with _LOCK:
        for key in [k for k in _HELD if k[1:3] == (workshop, participant)]:
            del _HELD[key]


def _take(step: str, resources: Any) -> str | None:
    info = resources["nbgrader"]
    with _LOCK:
        return _HELD.pop((step, info["assignment"], info["student"], info["notebook"]), None)


def _shape(nb: Any) -> list[tuple[str, str, str]]:
    return [
        (
            cell.cell_type,
            cell.source,
            cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""),
        )
        for cell in nb.cells
    ]


def _digest(nb: Any) -> str:
    """A short fingerprint of a notebook's cells: types, sources and grade ids."""
    import hashlib

    return hashlib.sha256(json.dumps(_shape(nb)).encode()).hexdigest()


class UseSanitized(NbGraderPreprocessor):
    """nbgrader's sanitizing steps, answered with their result from :func:`build_job`.

    The coordinator ran the very same steps on the same gradebook when it built
    the job; running them again for the record would repeat a third of its
    work. The notebook nbgrader has just read must still be the one handed in
    then: a submission changed in between is refused, not graded from the old copy.
    """

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        info = resources["nbgrader"]
        digest, text = _take("handed in", resources), _take("sanitized", resources)
        if digest is None or text is None:
            raise CxkitError(f"no sanitized copy of {info['notebook']} for {info['student']}")
        if _digest(nb) != digest:
            raise CxkitError(
                f"{info['student']} handed in {info['notebook']}.ipynb again while it was "
                "being graded; run cxkit grade again to grade the new copy"
            )
        return _loads(text), resources


class UseExecuted(NbGraderPreprocessor):
    """nbgrader's executor step, answered with the notebook an executor already ran.

    (An nbgrader preprocessor: enabled by default, unlike nbconvert's base class,
    which nbgrader's exporter would silently skip.)
    """

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        info = resources["nbgrader"]
        text = _take("executed", resources)
        if text is None:
            raise CxkitError(f"no executed copy of {info['notebook']} for {info['student']}")
        executed = _loads(text)
        if _shape(executed) != _shape(nb):
            raise CxkitError(
                f"the executed {info['notebook']} of {info['student']} is not the notebook "
                "nbgrader sanitized; grade it again"
            )
        return executed, resources


def record_api(course: Any, sandbox: bool, **config: Any) -> Any:
    """nbgrader's API whose autograde takes executed notebooks instead of running kernels."""
    from cxkit.grading.sandbox import SandboxedExecute, sandboxed_api

    # nbconvert checks the notebook against nbformat's schema after every step by
    # default; once, after the last, is enough for a notebook that only gets scores
    api = sandboxed_api(course, sandbox, **{"Exporter.optimistic_validation": True, **config})
    steps = api.config.Autograde.autograde_preprocessors
    api.config.Autograde.autograde_preprocessors = [
        UseExecuted if step is SandboxedExecute else step for step in steps
    ]
    api.config.Autograde.sanitize_preprocessors = [UseSanitized]
    return api
