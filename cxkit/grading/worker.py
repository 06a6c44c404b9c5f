"""A grading worker: a long-lived process that executes one submission at a time.

Started by ``cxkit grade`` as ``python -m cxkit.grading.worker``. It reads one
job per line on stdin (sanitized notebooks and the submission's other files,
see :mod:`cxkit.grading.execute`), runs it in sandboxed kernels, and answers with
one JSON line on its private channel. It never opens the gradebook: the grader
that started it records every result. Anything a library or a kernel prints
goes to stderr, never into the answers.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import warnings
from pathlib import Path

from cxkit.grading.outcomes import Job


def _serve() -> None:
    from cxkit.patches import skip_iri_grammar

    skip_iri_grammar()  # before nbformat: a second of CPU saved on each worker's start
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from libraries go to stderr
    warnings.simplefilter("ignore")  # the log has what matters
    from cxkit.grading.execute import run_job

    settings = json.loads(sys.argv[1])
    # the grader reads the executor's note of the cell it runs, should it kill this worker
    settings["progress"] = str(Path(settings["progress_dir"]) / f"{os.getpid()}.txt")
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        job = json.loads(line)
        job["files"] = {k: base64.b64decode(v) for k, v in job["files"].items()}
        Path(settings["progress"]).unlink(missing_ok=True)
        answers.write(json.dumps(run_job(job, settings)) + "\n")


def encode(job: Job) -> str:
    """One job as the line a worker reads."""
    files = {k: base64.b64encode(v).decode("ascii") for k, v in job["files"].items()}
    return json.dumps({**job, "files": files})


if __name__ == "__main__":
    _serve()
