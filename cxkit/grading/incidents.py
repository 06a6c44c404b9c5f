"""What went wrong with a submission, stated as facts a facilitator can act on.

Two looks at each submission:

- :func:`before` reads the handed-in files before anything runs: missing,
  empty or misnamed notebooks, another workshop's notebook, deleted, edited,
  retyped, reordered or invented grade cells, code that rewires the checks or
  IPython's error display, and files too large to grade;
- :func:`after` reads the notebook nbgrader executed: cells stopped by the time
  limit, memory or output limits reached, and what the sandbox refused
  (writing outside the work folder, the network, more processes).

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
from cxkit.grading.sandbox import OUTPUT_CAPPED

LARGE_FILE_MB = 20  # files handed in beside the notebooks above this are pointed out

# Code that changes how checks or errors behave in the kernel that grades it, as
# (pattern, what it rewires: a key of cxkit.grading.outcomes.REWIRES).
_REWIRING = [
    (re.compile(r"showtraceback|_showtraceback"), "showtraceback"),
    (re.compile(r"sys\.excepthook|set_custom_exc"), "excepthook"),
    (
        re.compile(r"(cxkit\.)?checks\.\w+\s*=(?!=)|setattr\(\s*(cxkit\.)?checks\b"),
        "checks",
    ),
    (re.compile(r"sys\.modules\s*\["), "modules"),
    (re.compile(r"builtins\.\w+\s*=(?!=)|__builtins__"), "builtins"),
]

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
    for cell in submitted:
        if cell["type"] != "code" or cell["meta"].get("locked") or cell["meta"].get("grade"):
            continue
        for pattern, rewires in _REWIRING:
            if pattern.search(cell["source"]):
                details = {"notebook": nb, "grade_id": cell["id"] or "", "rewires": rewires}
                found.add(Fact(Kind.REWIRING, details=details))
                break


def after(path: Path, cell_timeout: int, limits: Any) -> Findings:
    """Read an executed notebook for limits reached and what the sandbox refused."""
    found = Findings()
    if not path.is_file():
        return found
    cells = nbformat.read(path, as_version=4).cells
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
