"""Participant notebooks: ``release/<workshop>/`` generated from ``source/<workshop>/`` by nbgrader.

nbgrader's ``generate_assignment`` runs on a temporary copy of the course, with
the course's ``nbgrader_config.py``, so no gradebook is left behind. What it
writes is normalised (notebook metadata kept to the kernel and language, cell
metadata to what nbgrader and JupyterLab use, cxkit's authoring notes removed)
so that generating twice gives the same bytes, and it is refused when any
solution or hidden test would reach participants.

``differences`` compares ``release/`` with a fresh generation: a test uses it
so that editing ``source/`` without regenerating fails.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.directory import Course, default_root, nbgrader_config
from cxkit.errors import CxkitError
from cxkit.patches import schema_version_in_process

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
NOTEBOOK_METADATA = ("kernelspec", "language_info")
CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without volatile metadata or outputs, the same on every run.

    Keeps the notebook's kernelspec and language_info, and of each cell's
    metadata only nbgrader's, the tags, and JupyterLab's editable/deletable
    flags. Drops outputs, execution counts and cxkit's authoring notes (such as
    the typical mistakes simulated participants make).

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> cell = new_code_cell("x = 1", metadata={"cxkit": {"mistake": "x = 2"}, "tags": ["a"]})
    >>> cell.outputs = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    >>> clean = normalise(new_notebook(cells=[cell], metadata={"widgets": {}}))
    >>> dict(clean.cells[0].metadata), clean.cells[0].outputs, dict(clean.metadata)
    ({'tags': ['a']}, [], {})
    """
    clean = nbformat.from_dict(notebook)
    clean.metadata = {k: v for k, v in clean.metadata.items() if k in NOTEBOOK_METADATA}
    for cell in clean.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.pop("attachments", None)
    return nbformat.from_dict(clean)


def writes(notebook: nbformat.NotebookNode) -> str:
    """The notebook as stable JSON text (sorted keys, one-space indent, final newline)."""
    return nbformat.writes(notebook, version=4).rstrip("\n") + "\n"


def _secret_lines(source: nbformat.NotebookNode) -> dict[str, tuple[str, str]]:
    """Lines of solutions and hidden tests found nowhere else in the source: line -> (id, kind)."""
    secret: dict[str, tuple[str, str]] = {}
    public: set[str] = set()
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = str(meta.get("grade_id", cell.get("id", "?")))
        has_markers = any(f"### {m}" in cell.source for m in MARKERS)
        kind = "solution" if meta.get("solution") and not has_markers else ""  # replaced whole
        for line in cell.source.splitlines():
            text = line.strip()
            if any(f"### {m}" in text for m in MARKERS):
                opens = text.startswith("### BEGIN")
                kind = ("hidden-test" if "HIDDEN" in text else "solution") if opens else ""
            elif len(text) < 8:  # "x = 1", "pass", "else:": too common to prove a leak
                continue
            elif kind:
                secret.setdefault(text, (gid, kind))
            else:
                public.add(text)
    return {text: where for text, where in secret.items() if text not in public}


def leaks(source: nbformat.NotebookNode, released: nbformat.NotebookNode) -> list[str]:
    """What ``released`` gives away: solution or hidden-test markers or lines; [] when nothing.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> meta = {"nbgrader": {"solution": True, "grade_id": "answer"}}
    >>> src = "x = None\\n### BEGIN SOLUTION\\nanswer = 6 * 7\\n### END SOLUTION"
    >>> source = new_notebook(cells=[new_code_cell(src, metadata=meta)])
    >>> leaks(source, new_notebook(cells=[new_code_cell("x = None", metadata=meta)]))
    []
    >>> leaks(source, source)  # doctest: +NORMALIZE_WHITESPACE
    ['cell answer: marker "### BEGIN SOLUTION"', 'cell answer: marker "### END SOLUTION"',
     'cell answer: the solution line "answer = 6 * 7" (from answer)']
    """
    found = []
    secret = _secret_lines(source)
    for cell in released.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id", "?"))
        for marker in MARKERS:
            if f"### {marker}" in cell.source:
                found.append(f'cell {gid}: marker "### {marker}"')
        for line in cell.source.splitlines():
            if line.strip() in secret:
                where, kind = secret[line.strip()]
                found.append(f'cell {gid}: the {kind} line "{line.strip()[:60]}" (from {where})')
    return found


_config = nbgrader_config  # the course's nbgrader_config.py as a traitlets Config


def _run_nbgrader(
    workshop: str, course_root: Path, db_url: str | None
) -> tuple[dict[str, nbformat.NotebookNode], dict[str, bytes]]:
    """nbgrader generate_assignment on a temporary copy; the notebooks and other files written."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    schema_version_in_process()  # its throw-away gradebook costs no alembic process
    with tempfile.TemporaryDirectory(prefix="cxkit-release-") as folder:
        tmp = Path(folder)
        shutil.copytree(course_root / "source" / workshop, tmp / "source" / workshop)
        config = _config(course_root)
        config.CourseDirectory.root = str(tmp)
        config.CourseDirectory.db_url = db_url or f"sqlite:///{tmp / 'gradebook.db'}"
        config.Exchange.root = str(tmp / "exchange")  # unused; avoids nbgrader's critical log
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        result = api.generate_assignment(workshop, force=True, create=True)
        if not result.get("success"):
            log = (result.get("error") or result.get("log") or "").strip()
            raise CxkitError(f"nbgrader could not generate {workshop}:\n{log[-1500:]}")
        written = tmp / "release" / workshop
        notebooks = {
            p.stem: normalise(nbformat.read(p, as_version=4))
            for p in sorted(written.glob("*.ipynb"))
        }
        files = {
            str(p.relative_to(written)): p.read_bytes()
            for p in sorted(written.rglob("*"))
            if p.is_file() and p.suffix != ".ipynb"
        }
    return notebooks, files


def generate(
    workshop: str, course_dir: Path | str | None = None, db_url: str | None = None
) -> dict[str, nbformat.NotebookNode]:
    """Generate a workshop's participant notebooks in memory, normalised and checked for leaks.

    Parameters
    ----------
    workshop : str
        The workshop, as named in source/ ("00-foundations"; "00" is enough).
    course_dir : path, default the current course (see ``default_root``)
        The nbgrader course directory holding source/ and nbgrader_config.py.
    db_url : str, optional
        A gradebook to record the workshop's grade cells in (nbgrader needs them
        to autograde). Default: a throw-away one.

    Returns
    -------
    dict
        Notebook name (without .ipynb) to notebook.
    """
    course = Course(Path(course_dir) if course_dir is not None else default_root())
    workshop = course.workshop(workshop)
    notebooks, _ = _run_nbgrader(workshop, course.root, db_url)
    _refuse_leaks(course, workshop, notebooks)
    return notebooks


def _refuse_leaks(course: Course, workshop: str, notebooks: dict[str, Any]) -> None:
    problems = []
    for name, notebook in notebooks.items():
        source = nbformat.read(course.folder("source") / workshop / f"{name}.ipynb", as_version=4)
        problems += [f"{name}.ipynb, {p}" for p in leaks(source, notebook)]
    if problems:
        raise CxkitError(
            f"Refusing to release {workshop}: participants would see answers.\n  "
            + "\n  ".join(problems)
            + "\nPut each answer between ### BEGIN SOLUTION and ### END SOLUTION, and each "
            "hidden test between ### BEGIN HIDDEN TESTS and ### END HIDDEN TESTS."
        )


def release(workshop: str, course_dir: Path | str | None = None) -> list[Path]:
    """Write ``release/<workshop>/`` from ``source/<workshop>/``; return the files written.

    The folder is replaced as a whole, so a notebook removed from the source
    disappears from the release too. Nothing is written when a solution or a
    hidden test would leak.

    Parameters
    ----------
    workshop : str
        The workshop, as named in source/ ("00-foundations"; "00" is enough).
    course_dir : path, default the current course (see ``default_root``)
        The nbgrader course directory.

    Returns
    -------
    list of Path
        The files written, notebooks first.
    """
    course = Course(Path(course_dir) if course_dir is not None else default_root())
    workshop = course.workshop(workshop)
    notebooks, files = _run_nbgrader(workshop, course.root, None)
    _refuse_leaks(course, workshop, notebooks)
    target = course.folder("release") / workshop
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = []
    for name, notebook in notebooks.items():
        path = target / f"{name}.ipynb"
        path.write_text(writes(notebook), encoding="utf-8")
        written.append(path)
    for relative, data in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def compare(generated: dict[str, nbformat.NotebookNode], folder: Path) -> list[str]:
    """How the notebooks in ``folder`` differ from ``generated``; [] when they match.

    Both sides are normalised first, so only differences that participants
    would see (or that nbgrader grades by) count.
    """
    found = []
    on_disk = {p.stem: p for p in sorted(Path(folder).glob("*.ipynb"))}
    for name in sorted(set(generated) - set(on_disk)):
        found.append(f"{name}.ipynb is missing from {folder}")
    for name in sorted(set(on_disk) - set(generated)):
        found.append(f"{name}.ipynb is in {folder} but no longer in source/")
    for name in sorted(set(generated) & set(on_disk)):
        fresh = generated[name]
        old = normalise(nbformat.read(on_disk[name], as_version=4))
        if writes(old) == writes(fresh):
            continue
        ids = [c.get("id") for c in fresh.cells]
        old_cells = {c.get("id"): c for c in old.cells}
        changed = [
            i for i in ids if i not in old_cells or old_cells[i] != fresh.cells[ids.index(i)]
        ]
        removed = [i for i in old_cells if i not in ids]
        detail = ", ".join(str(i) for i in changed + removed) or "notebook metadata"
        found.append(f"{name}.ipynb differs from a fresh generation (cells: {detail})")
    return found


def differences(workshop: str, course_dir: Path | str | None = None) -> list[str]:
    """What differs between ``release/<workshop>/`` and a fresh generation; [] when current."""
    course = Course(Path(course_dir) if course_dir is not None else default_root())
    workshop = course.workshop(workshop)
    return compare(generate(workshop, course.root), course.folder("release") / workshop)
