"""What went wrong with a submission, stated as facts a facilitator can act on.

Two looks at each submission:

- :func:`before` reads the handed-in files before anything runs: missing,
  empty or misnamed notebooks, another workshop's notebook, deleted, edited,
  retyped, reordered or invented grade cells, code that rewires the checks or
  IPython's error display, and files too large to grade;
- :func:`after` reads the notebook nbgrader executed: cells stopped by the time
  limit, memory or output limits reached, and what the sandbox refused
  (writing outside the work folder, the network, more processes).

Each finding says where (the cell after which heading) and what happened, never
who meant what: a refused write may be a library's cache as well as a cheat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.cells import ANSI, split_hidden, where
from cxkit.grading.sandbox import OUTPUT_CAPPED

LARGE_FILE_MB = 20  # files handed in beside the notebooks above this are pointed out

# Code that changes how checks or errors behave in the kernel that grades it.
_REWIRING = [
    (re.compile(r"showtraceback|_showtraceback"), "replaces IPython's showtraceback"),
    (re.compile(r"sys\.excepthook|set_custom_exc"), "replaces the exception handler"),
    (
        re.compile(r"(cxkit\.)?checks\.\w+\s*=(?!=)|setattr\(\s*(cxkit\.)?checks\b"),
        "rewires cxkit.checks",
    ),
    (re.compile(r"sys\.modules\s*\["), "replaces imported modules (sys.modules)"),
    (re.compile(r"builtins\.\w+\s*=(?!=)|__builtins__"), "changes Python's builtins"),
]

# Errors the sandbox causes, as (pattern in the error, what happened).
_REFUSED = [
    (
        re.compile(r"Read-only file system|Errno 30\]"),
        "writing outside its work folder was refused",
    ),
    (
        re.compile(r"Network is unreachable|Errno 101\]|Temporary failure in name resolution"),
        "a network connection was refused (there is no network while grading)",
    ),
    (
        re.compile(r"BlockingIOError|Resource temporarily unavailable|can't start new thread"),
        "starting more processes was refused (the process limit)",
    ),
    (re.compile(r"File too large|Errno 27\]"), "a file over the size limit was refused"),
]


@dataclass
class Findings:
    """Facts about one submission: the state they call for, and the sentences."""

    state: str = "ok"  # ok | needs attention | failed
    facts: list[str] = field(default_factory=list)  # for the facilitator
    advice: list[str] = field(default_factory=list)  # for the participant

    def add(self, state: str, fact: str, advice: str = "") -> None:
        rank = {"ok": 0, "needs attention": 1, "failed": 2}
        if rank[state] > rank[self.state]:
            self.state = state
        self.facts.append(fact)
        if advice:
            self.advice.append(advice)

    @property
    def reason(self) -> str:
        return "; ".join(self.facts)


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
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb") if p.stem not in names)
            instead = f"; it holds {', '.join(others)} instead: rename it" if others else ""
            found.add(
                "failed",
                f"{name}.ipynb is missing from the submission{instead}",
                f"We found no notebook named {name}.ipynb in what you handed in{instead}.",
            )
            return found
        if not path.read_bytes().strip():
            found.add(
                "failed",
                f"{name}.ipynb is empty ({path.stat().st_size} bytes): ask for the saved file",
                f"The {name}.ipynb you handed in is empty: save it in JupyterLab and hand it in "
                "again.",
            )
            return found
        try:
            submitted = _cells(path)
        except Exception as err:  # nbformat raises several kinds for broken files
            found.add(
                "failed",
                f"{name}.ipynb is not a valid notebook ({type(err).__name__})",
                "The file is damaged (not a notebook JupyterLab can open).",
            )
            return found
        source = _cells(course.folder("source") / workshop / f"{name}.ipynb")
        _compare(course, workshop, name, source, submitted, found)
        if found.state == "failed":
            return found
    large = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".ipynb" and p.stat().st_size > LARGE_FILE_MB * 2**20
    ]
    if large:
        listed = ", ".join(f"{p.name} ({p.stat().st_size / 2**20:.0f} MB)" for p in large)
        found.add(
            "needs attention",
            f"large file(s) handed in beside the notebook: {listed}; they were graded with it, "
            "check they belong there",
            f"You handed in large files ({listed}) with your notebook: are they needed?",
        )
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
        what = f"the notebook of workshop {other}" if other else "not this workshop's notebook"
        found.add(
            "failed",
            f"{nb} is {what}, not {workshop}: none of its {len(src)} cells are there",
            f"The file you handed in as {nb} is {what}: hand in the {workshop} notebook.",
        )
        return
    tests = [g for g, c in src.items() if c["meta"].get("grade") and not c["meta"].get("solution")]
    deleted = [g for g in tests if g not in sub]
    if deleted:
        found.add(
            "needs attention",
            f"test cell(s) {', '.join(deleted)} deleted in {nb}: nbgrader restores "
            "nothing there, so those points need manual grading",
            "Some check cells were deleted, so your facilitator grades those by hand.",
        )
    locked = [g for g, c in src.items() if c["meta"].get("locked") and g in sub]
    edited = [
        g
        for g in locked
        if src[g]["type"] == sub[g]["type"]
        and split_hidden(sub[g]["source"])[0] != split_hidden(src[g]["source"])[0]
    ]
    if edited:
        found.add(
            "needs attention",
            f"tampering: locked cell(s) {', '.join(edited)} edited in {nb} "
            "(nbgrader graded them from the original)",
            "Cells that are locked were changed; they were graded as originally written.",
        )
    retyped = [g for g in src if g in sub and src[g]["type"] != sub[g]["type"]]
    if retyped:
        found.add(
            "needs attention",
            "tampering: cell type changed in "
            + nb
            + ": "
            + ", ".join(f"{g} from {src[g]['type']} to {sub[g]['type']}" for g in retyped),
            "A cell's type was changed (code or text); it was graded as originally written.",
        )
    invented = [g for g, c in sub.items() if g not in src and c["meta"].get("grade")]
    if invented:
        found.add(
            "failed",
            f"tampering: cell(s) {', '.join(invented)} added to {nb} with grading marks: "
            "nbgrader refuses grade cells it does not know; remove their nbgrader metadata "
            "and grade again",
            "Cells you added claim to be graded; your facilitator will remove them and grade "
            "your notebook.",
        )
        return
    order = [g for g in (c["id"] for c in submitted) if g in src]
    expected = [g for g in src if g in sub]
    if order != expected:
        moved = next(i for i, (a, b) in enumerate(zip(order, expected, strict=True)) if a != b)
        found.add(
            "needs attention",
            f"cells reordered in {nb}: {order[moved]} now comes before {expected[moved]} "
            "(nbgrader ran them in the submitted order)",
            "Cells were moved; they ran in your order, which can change the results.",
        )
    for cell in submitted:
        if cell["type"] != "code" or cell["meta"].get("locked") or cell["meta"].get("grade"):
            continue
        for pattern, what in _REWIRING:
            if pattern.search(cell["source"]):
                where = f"cell {cell['id']}" if cell["id"] else "an added cell"
                found.add(
                    "needs attention",
                    f"tampering: code in {where} of {nb} {what}",
                    "Your code changes how checks or errors work; ask your facilitator.",
                )
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
                found.add(
                    "ok",
                    f"output cut at {limits.output_cell_kb} KB in {place}",
                    f"Your notebook printed too much in {place}: we kept the first "
                    f"{limits.output_cell_kb} KB.",
                )
            if kind != "error":
                continue
            text = ANSI.sub("", f"{output.get('ename')}: {output.get('evalue')}")
            text += "\n" + ANSI.sub("", "\n".join(output.get("traceback", [])[-3:]))
            if output.get("ename") == "CellTimeoutError":
                found.add(
                    "ok",
                    f"ran out of time in {place}: stopped after the {cell_timeout} s limit",
                    f"Your notebook ran out of time in {place}: it was stopped after "
                    f"{cell_timeout} s. Look for a loop that never ends or a long wait.",
                )
            elif output.get("ename") == "MemoryError":
                found.add(
                    "ok",
                    f"ran out of memory in {place} (the limit is {limits.memory_mb} MB)",
                    f"Your notebook ran out of memory in {place}.",
                )
            else:
                for pattern, what in _REFUSED:
                    if pattern.search(text):
                        found.add(
                            "needs attention",
                            f"sandbox: {what} in {place}",
                            f"Your notebook tried something grading does not allow in {place}: "
                            f"{what}.",
                        )
                        break
    return found
