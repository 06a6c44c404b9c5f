"""A grading worker: a long-lived process that autogrades one submission at a time.

Started by ``cxkit grade`` as ``python -m cxkit.course.worker``. It imports
nbgrader once (about 3 s), then reads one JSON request per line on stdin and
answers with one JSON line on its private channel. Anything nbgrader or a
kernel prints goes to stderr, never into the answers.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path


def _serve() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from libraries go to stderr
    warnings.simplefilter("ignore")  # SQLAlchemy and friends; the log has what matters
    from cxkit.course.course import Course
    from cxkit.course.sandbox import PROGRESS_ENV

    config = json.loads(sys.argv[1])
    course = Course(config["root"], config.get("db_url"))
    api = course.api(sandbox=config.get("sandbox", True), **config.get("nbgrader", {}))
    progress = Path(config.get("progress") or course.state) / f"{os.getpid()}.txt"
    os.environ[PROGRESS_ENV] = str(progress)  # the executor notes each cell it starts here
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        progress.unlink(missing_ok=True)
        try:
            result = api.autograde(request["workshop"], request["participant"], force=True)
        except Exception as err:  # reported to the supervisor, which records it as failed
            result = {"success": False, "error": f"{type(err).__name__}: {err}", "log": ""}
        answers.write(
            json.dumps(
                {
                    "participant": request["participant"],
                    "success": bool(result.get("success")),
                    "error": result.get("error") or "",
                    "log": result.get("log") or "",
                    "seconds": time.perf_counter() - started,
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    _serve()
