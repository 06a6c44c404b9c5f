"""``cxkit demo``: a whole workshop cycle on a simulated cohort, in one command.

Releases workshop 00 into a fresh course folder, simulates a cohort from several
departments (correct, partly wrong, blank, crashing, hanging, broken, late and
missing), collects their hand-ins, grades them in parallel, writes feedback and
the facilitator report, and prints where each output is.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cxkit.course.cohort import cohort, roster_frame, write_hand_ins
from cxkit.course.collect import collect
from cxkit.course.directory import Course
from cxkit.course.feedback import write_feedback
from cxkit.course.grade import grade
from cxkit.course.report import report
from cxkit.course.roster import import_roster
from cxkit.course.status import status_text
from cxkit.errors import CxkitError
from cxkit.grading.local import DEFAULT_WORKERS
from cxkit.resources import shipped

WORKSHOP = "00-foundations"


def _step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def run_demo(
    out: Path, size: int = 36, workers: int | None = None, workshop: str = WORKSHOP
) -> Path:
    """Run the cycle in ``out`` (replaced if it holds an earlier demo); return the course."""
    started = time.perf_counter()
    out = Path(out).resolve()
    if out.exists():
        if not (out / ".cxkit-demo").is_file():
            raise CxkitError(
                f"{out} exists and is not an earlier demo: choose another --out folder."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / ".cxkit-demo").write_text("made by cxkit demo; safe to delete\n")
    shutil.copytree(shipped("source") / workshop, out / "source" / workshop)
    shutil.copy(shipped("nbgrader_config.py"), out / "nbgrader_config.py")
    course = Course(out)

    _step(f"1. Release {workshop}")
    from cxkit.course.release import release

    for path in release(workshop, course.root):
        print(f"  participant notebook: {path}")
    deadline = datetime.now(UTC).replace(microsecond=0, tzinfo=None) - timedelta(days=1)
    with course.gradebook() as gradebook:
        gradebook.update_or_create_assignment(workshop, duedate=deadline)
    print(f"  due {deadline:%Y-%m-%d %H:%M} UTC")

    _step(f"2. Simulate a cohort of {size} participants")
    people = cohort(size)
    roster_path = out / "roster.csv"
    roster_frame(people).to_csv(roster_path, index=False)
    stored = import_roster(course, roster_path)
    kinds: dict[str, int] = {}
    for person in people:
        kinds[person.kind] = kinds.get(person.kind, 0) + 1
    print(f"  {len(stored)} on the roster from {stored['department'].nunique()} departments")
    print("  " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    hand_ins = write_hand_ins(
        people,
        workshop,
        course.folder("release") / workshop,
        course.folder("source") / workshop,
        out / "hand-ins",
        deadline,
    )

    _step("3. Collect the hand-ins")
    print("  " + collect(course, workshop, hand_ins).summary().replace("\n", "\n  "))

    _step(f"4. Grade in parallel ({workers or DEFAULT_WORKERS} workers)")
    grade(course, workshop, workers=workers, cell_timeout=10, budget=60)

    _step("5. Feedback and the facilitator report")
    pages = write_feedback(course, workshop)
    page = report(course, workshop)
    print(status_text(course, workshop))

    _step(f"Done in {time.perf_counter() - started:.0f} s. Where everything is:")
    for label, path in (
        ("course folder (nbgrader)", out),
        ("participant notebooks", course.folder("release") / workshop),
        ("hand-ins as received", hand_ins),
        ("collected submissions", course.folder("submitted")),
        ("gradebook", out / "gradebook.db"),
        (f"feedback ({len(pages)} pages)", course.folder("feedback")),
        ("facilitator report", page),
    ):
        print(f"  {label:<26} {path}")
    return out
