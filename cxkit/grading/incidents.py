"""What went wrong with a submission, stated as facts a facilitator can act on.

Three looks at each submission:

- :func:`before` reads the handed-in files before anything runs: missing,
  empty or misnamed notebooks, another workshop's notebook, deleted, edited,
  retyped, reordered or invented grade cells, and files too large to grade;
- :func:`about_to_run` reads the notebooks nbgrader is about to run (sanitized):
  cells outside the course's policy (:mod:`cxkit.grading.policy`) and locked
  cells that run as edited because their marks were removed;
- :func:`after` reads the notebook nbgrader executed: cells stopped by the time
  limit, memory or output limits reached, what the sandbox refused (writing
  outside the work folder, the network, more processes), and checks that passed
  without their own output or in no time (:func:`signs`).

Each finding is a :class:`cxkit.grading.outcomes.Fact`: where (the cell after
which heading) and what happened, never who meant what: a refused write may be a
library's cache as well as a cheat. Its words are in :mod:`cxkit.grading.outcomes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.cells import ANSI, split_hidden, where
from cxkit.grading.outcomes import Fact, Kind, State, worst
from cxkit.grading.policy import Policy, cell_text, label, read_notebook
from cxkit.grading.sandbox import OUTPUT_CAPPED

LARGE_FILE_MB = 20  # files handed in beside the notebooks above this are pointed out
# Faster than a kernel runs any cell: between its receipt of a grade cell and its reply,
# the quickest checks that passed took 2 ms (workshop 00 and the sandbox's mini course,
# graded on a 2-core machine). A reply in less was sent without running the check.
INSTANT_MS = 0.5
_CORRECT = re.compile(r"^Correct: ", re.MULTILINE)

# Errors the sandbox causes, as (pattern in the error, what it refused: a key of
# cxkit.grading.outcomes.REFUSALS).
_REFUSED = [
    (re.compile(r"Read-only file system|Errno 30\]"), "write"),
    (
        re.compile(r"Network is unreachable|Errno 101\]|Temporary failure in name resolution"),
        "network",
    ),
    (
        re.compile(r"BlockingIOError|Resource temporarily unavailable|can't start new thread"),
        "processes",
    ),
    (re.compile(r"File too large|Errno 27\]"), "file_size"),
]


@dataclass
class Findings:
    """Facts about one submission, in the order they were found."""

    facts: list[Fact] = field(default_factory=list)

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)

    @property
    def state(self) -> State:
        """The state the facts call for (``graded``: nothing stands in the way)."""
        return worst(self.facts)

    @property
    def reason(self) -> str:
        """The facts in words, for the facilitator."""
        return "; ".join(f.text for f in self.facts)


def _cells(path: Path) -> list[dict[str, Any]]:
    notebook = nbformat.read(path, as_version=4)
    return [
        {
            "id": c.get("metadata", {}).get("nbgrader", {}).get("grade_id"),
            "meta": c.get("metadata", {}).get("nbgrader", {}),
            "type": c.get("cell_type"),
            "source": c.get("source", ""),
        }
        for c in notebook.cells
    ]


def _workshop_of(course: Any, ids: set[str], skip: str) -> str:
    for other in course.workshops():
        if other == skip:
            continue
        for name in course.notebooks(other):
            source = course.folder("source") / other / f"{name}.ipynb"
            known = {c["id"] for c in _cells(source) if c["id"]}
            if ids and len(ids & known) >= len(ids) / 2:
                return other
    return ""


def before(course: Any, workshop: str, participant: str) -> Findings:
    """Look at a submission before it runs."""
    found = Findings()
    folder = course.folder("submitted") / participant / workshop
    names = course.notebooks(workshop)
    for name in names:
        path = folder / f"{name}.ipynb"
        nb = f"{name}.ipynb"
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb") if p.stem not in names)
            found.add(Fact(Kind.MISSING, details={"notebook": nb, "instead": others}))
            return found
        if not path.read_bytes().strip():
            size = path.stat().st_size
            found.add(Fact(Kind.EMPTY, details={"notebook": nb, "bytes": size}))
            return found
        try:
            submitted = _cells(path)
        except Exception as err:  # nbformat raises several kinds for broken files
            error = type(err).__name__
            found.add(Fact(Kind.NOT_A_NOTEBOOK, details={"notebook": nb, "error": error}))
            return found
        source = _cells(course.folder("source") / workshop / f"{name}.ipynb")
        _compare(course, workshop, name, source, submitted, found)
        if found.state is State.FAILED:
            return found
    large = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".ipynb" and p.stat().st_size > LARGE_FILE_MB * 2**20
    ]
    if large:
        files = [[p.name, p.stat().st_size / 2**20] for p in large]
        found.add(Fact(Kind.LARGE_FILES, details={"files": files}))
    return found


def _compare(
    course: Any,
    workshop: str,
    name: str,
    source: list[dict[str, Any]],
    submitted: list[dict[str, Any]],
    found: Findings,
) -> None:
    src = {c["id"]: c for c in source if c["id"]}
    sub = {c["id"]: c for c in submitted if c["id"]}
    nb = f"{name}.ipynb"
    if src and not set(src) & set(sub):
        other = _workshop_of(course, set(sub), workshop)
        found.add(
            Fact(
                Kind.OTHER_WORKSHOP,
                details={"notebook": nb, "workshop": workshop, "other": other, "count": len(src)},
            )
        )
        return
    tests = [g for g, c in src.items() if c["meta"].get("grade") and not c["meta"].get("solution")]
    deleted = [g for g in tests if g not in sub]
    if deleted:
        found.add(Fact(Kind.TESTS_DELETED, details={"notebook": nb, "cells": deleted}))
    locked = [g for g, c in src.items() if c["meta"].get("locked") and g in sub]
    edited = [
        g
        for g in locked
        if src[g]["type"] == sub[g]["type"]
        and split_hidden(sub[g]["source"])[0] != split_hidden(src[g]["source"])[0]
    ]
    if edited:
        found.add(Fact(Kind.LOCKED_EDITED, details={"notebook": nb, "cells": edited}))
    retyped = [g for g in src if g in sub and src[g]["type"] != sub[g]["type"]]
    if retyped:
        changes = [[g, src[g]["type"], sub[g]["type"]] for g in retyped]
        found.add(Fact(Kind.CELL_RETYPED, details={"notebook": nb, "changes": changes}))
    invented = [g for g, c in sub.items() if g not in src and c["meta"].get("grade")]
    if invented:
        found.add(Fact(Kind.GRADE_CELLS_ADDED, details={"notebook": nb, "cells": invented}))
        return
    order = [g for g in (c["id"] for c in submitted) if g in src]
    expected = [g for g in src if g in sub]
    if order != expected:
        at = next(i for i, (a, b) in enumerate(zip(order, expected, strict=True)) if a != b)
        found.add(
            Fact(
                Kind.REORDERED,
                details={"notebook": nb, "moved": order[at], "expected": expected[at]},
            )
        )


def after(path: Path, cell_timeout: int, limits: Any) -> Findings:
    """Read an executed notebook for limits reached, what the sandbox refused, and signs."""
    found = Findings()
    if not path.is_file():
        return found
    cells = nbformat.read(path, as_version=4).cells
    for fact in signs(cells, path.name):
        found.add(fact)
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        place = where(cells, index)
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "display_data" and OUTPUT_CAPPED in str(output.get("data", {})):
                found.add(Fact(Kind.OUTPUT_CAPPED, place, {"kb": limits.output_cell_kb}))
            if kind != "error":
                continue
            if output.get("ename") == "CellTimeoutError":
                found.add(Fact(Kind.OUT_OF_TIME, place, {"limit": cell_timeout}))
            elif output.get("ename") == "MemoryError":
                found.add(Fact(Kind.OUT_OF_MEMORY, place, {"mb": limits.memory_mb}))
            else:
                refused = _refused(output)
                if refused:
                    found.add(Fact(Kind.SANDBOX_REFUSED, place, {"refused": refused}))
    return found


def _refused(output: Any) -> str:
    """What the sandbox refused, if an error output shows it (a key of REFUSALS), else ""."""
    text = ANSI.sub("", f"{output.get('ename')}: {output.get('evalue')}")
    text += "\n" + ANSI.sub("", "\n".join(output.get("traceback", [])[-3:]))
    return next((what for pattern, what in _REFUSED if pattern.search(text)), "")


def about_to_run(
    name: str, notebook: dict[str, Any], source: list[dict[str, Any]], policy: Policy
) -> list[Fact]:
    """Cells of a sanitized notebook outside ``policy``, and locked cells that run as edited.

    ``notebook`` is what nbgrader will run (sanitized: every cell it recognises as
    locked or graded put back as released); ``source`` the workshop's source cells.
    A locked cell of the source that is still edited here had its marks removed.
    """
    cells = notebook["cells"]
    nb = f"{name}.ipynb"
    facts = []
    locked = {
        c["metadata"]["nbgrader"]["grade_id"]: c
        for c in source
        if c.get("metadata", {}).get("nbgrader", {}).get("locked")
        and not c["metadata"]["nbgrader"].get("solution")
    }
    edited = [
        (i, gid)
        for i, c in enumerate(cells)
        if (gid := c.get("metadata", {}).get("nbgrader", {}).get("grade_id")) in locked
        and split_hidden(cell_text(c))[0] != split_hidden(cell_text(locked[gid]))[0]
    ]
    if edited:
        details = {"notebook": nb, "cells": [g for _, g in edited], "index": edited[0][0]}
        facts.append(Fact(Kind.LOCKED_RUN_EDITED, details=details))
    for found in read_notebook(name, cells, source, policy):
        details = {
            "notebook": nb,
            "grade_id": found.grade_id,
            "label": found.label,
            "index": found.index,
            "what": list(dict.fromkeys(b.what for b in found.breaches)),
        }
        facts.append(Fact(Kind.OUTSIDE_POLICY, details=details))
    return facts


def signs(cells: list[Any], notebook: str) -> list[Fact]:
    """Checks that passed without their own output ("Correct: ...") or in no time.

    ``cells`` are an executed notebook's, named ``notebook``. A grade cell that
    calls ``checks`` and shows no error passed; each check it calls prints one
    line starting with "Correct: " when it passes, and takes more than
    :data:`INSTANT_MS` in the kernel.
    """
    facts = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        calls = _check_calls(cell.source)
        outputs = cell.get("outputs", [])
        if not calls or any(o.get("output_type") == "error" for o in outputs):
            continue
        printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        details = {
            "notebook": notebook,
            "grade_id": meta.get("grade_id", ""),
            "label": label(cells, index),
            "grade": True,
            "index": index,
        }
        seconds = _seconds(cell)
        if len(_CORRECT.findall(printed)) < calls:
            facts.append(Fact(Kind.CHECK_SILENT, details=details))
        elif seconds is not None and seconds * 1000 < INSTANT_MS:
            facts.append(Fact(Kind.CHECK_INSTANT, details={**details, "ms": seconds * 1000}))
    return facts


def _check_calls(source: str) -> int:
    """How many times a grade cell calls a check (``checks.nps(...)``) at its top level."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0
    return sum(
        1
        for statement in tree.body
        if isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and isinstance(statement.value.func.value, ast.Name)
        and statement.value.func.value.id == "checks"
    )


def _seconds(cell: Any) -> float | None:
    """Seconds between the kernel's receipt of a cell and its reply (nbclient's timing)."""
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (begin and end):
        return None
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(begin)).total_seconds()
    except ValueError:
        return None
