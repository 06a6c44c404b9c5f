"""A simulated cohort: participants from several departments and what they hand in.

Used by ``cxkit demo``, the tests and the benchmarks. Hand-ins are built the
way real ones are: from the *release* notebook, with answers typed into the
answer cells. Kinds of participant:

========== ===============================================================
correct    every answer right
partly     one or two exercises left blank, and a typical mistake where the
           source notebook declares one (cell metadata ``cxkit.mistake``)
blank      handed the release back untouched
crashing   an answer cell kills the kernel (``os._exit``)
hanging    an answer cell never finishes (``while True``)
broken     the file was cut short: not valid JSON
late       every answer right, handed in after the deadline
missing    on the roster, handed nothing in
========== ===============================================================
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

DEPARTMENTS = ("accounting", "logistics", "it", "legal", "marketing", "product", "people")
MIX = {
    "correct": 0.35,
    "partly": 0.3,
    "blank": 0.08,
    "crashing": 0.04,
    "hanging": 0.03,
    "broken": 0.03,
    "late": 0.1,
    "missing": 0.07,
}
_SOLUTION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    email: str
    department: str
    kind: str


def cohort(size: int, seed: int = 7, hanging: bool = True) -> list[Participant]:
    """Draw ``size`` participants; every kind appears at least once when size allows."""
    rng = np.random.default_rng(seed)
    kinds = [k for k in MIX if hanging or k != "hanging"]
    weights = np.array([MIX[k] for k in kinds])
    drawn = list(rng.choice(kinds, size, p=weights / weights.sum()))
    if size >= len(kinds):
        drawn[: len(kinds)] = kinds
        rng.shuffle(drawn)
    first = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun"]
    last = ["Adams", "Bakker", "Costa", "Diallo", "Evans", "Fischer", "Garcia", "Haddad"]
    people = []
    for i, kind in enumerate(drawn):
        name = f"{first[i % len(first)]} {last[(i // len(first)) % len(last)]}"
        pid = f"p{i + 1:03d}"
        people.append(
            Participant(pid, name, f"{pid}@example.com", DEPARTMENTS[i % len(DEPARTMENTS)], kind)
        )
    return people


def roster_frame(people: list[Participant]) -> pd.DataFrame:
    """The roster CSV a facilitator would import for these participants."""
    return pd.DataFrame(
        [(p.id, p.name, p.email, p.department) for p in people],
        columns=["id", "name", "email", "department"],
    )


def _answers(source: nbformat.NotebookNode) -> dict[str, str]:
    """The model answer of every answer cell, without the solution markers."""
    out = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            out[meta["grade_id"]] = _SOLUTION.sub("", cell.source)
        elif meta.get("solution"):
            out[meta["grade_id"]] = "In my team we check every invoice line before it goes out."
    return out


def _mistakes(source: nbformat.NotebookNode) -> dict[str, str]:
    return {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["cxkit"]["mistake"]
        for c in source.cells
        if "mistake" in c.metadata.get("cxkit", {}) and "nbgrader" in c.metadata
    }


def hand_in(
    kind: str, release: nbformat.NotebookNode, source: nbformat.NotebookNode, seed: int
) -> nbformat.NotebookNode | None:
    """The notebook a participant of this kind hands in (None for *missing*)."""
    if kind == "missing":
        return None
    notebook = nbformat.from_dict(release)
    if kind == "blank":
        return notebook
    answers, mistakes = _answers(source), _mistakes(source)
    code_ids = [
        c.metadata["nbgrader"]["grade_id"]
        for c in notebook.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    rng = np.random.default_rng(seed)
    skipped: set[str] = set()
    if kind == "partly" and code_ids:
        skipped = set(
            rng.choice(code_ids, min(len(code_ids), 1 + int(rng.integers(0, 2))), replace=False)
        )
    broken_cell = code_ids[len(code_ids) // 2] if code_ids else None
    for cell in notebook.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid not in answers or gid in skipped:
            continue
        cell.source = answers[gid]
        if kind == "partly" and gid in mistakes and rng.random() < 0.7:
            cell.source += "\n" + mistakes[gid]
        if kind == "crashing" and gid == broken_cell:
            cell.source = "import os\nos._exit(1)\n" + cell.source
        if kind == "hanging" and gid == broken_cell:
            cell.source = "while True:\n    pass\n" + cell.source
    return notebook


def write_hand_ins(
    people: list[Participant],
    workshop: str,
    release_dir: Path,
    source_dir: Path,
    out: Path,
    deadline: datetime,
) -> Path:
    """Write every participant's hand-in into ``out`` the way they arrive in real life.

    Most come as nbgrader-named zips, some as a folder named by the participant's
    id, some as a zip named by their e-mail address; plus two files nobody can
    place (an unnamed notebook and a photo), to show they are reported.
    """
    out.mkdir(parents=True, exist_ok=True)
    names = sorted(p.stem for p in release_dir.glob("*.ipynb"))
    notebooks = {
        name: (
            nbformat.read(release_dir / f"{name}.ipynb", as_version=4),
            nbformat.read(source_dir / f"{name}.ipynb", as_version=4),
        )
        for name in names
    }
    for n, person in enumerate(people):
        when = deadline - timedelta(hours=2 + n % 20)
        if person.kind == "late":
            when = deadline + timedelta(hours=5 + n % 30)
        files = {}
        for name in names:
            notebook = hand_in(person.kind, *notebooks[name], seed=n)
            if notebook is None:
                continue
            text = nbformat.writes(notebook)
            if person.kind == "broken":
                text = text[: len(text) // 3]
            files[name] = text.encode()
        if not files:
            continue
        stamp = when.strftime("%Y-%m-%d-%H-%M-%S")
        if n % 5 == 3:  # a folder named by the participant's id
            folder = out / person.id
            folder.mkdir(exist_ok=True)
            for name, data in files.items():
                (folder / f"{name}.ipynb").write_bytes(data)
                _touch(folder / f"{name}.ipynb", when)
        else:
            label = person.email if n % 5 == 4 else f"{workshop}_{person.id}"
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for name, data in files.items():
                    member = (
                        f"{workshop}_{person.id}_attempt_{stamp}_{name}.ipynb"
                        if n % 5 != 4
                        else f"{name}.ipynb"
                    )
                    info = zipfile.ZipInfo(member, date_time=when.timetuple()[:6])
                    archive.writestr(info, data)
            (out / f"{label}.zip").write_bytes(buffer.getvalue())
    (out / "Untitled.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (out / "IMG_0042.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    return out


def _touch(path: Path, when: datetime) -> None:
    import os

    stamp = when.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
