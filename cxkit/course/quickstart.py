"""``cxkit quickstart DIR``: a new course folder laid out from the workshops cxkit ships.

As ``nbgrader quickstart`` does, it writes what a course starts from and
nothing more: ``source/<workshop>/`` with the notebooks (model answers and
tests inside), the course's ``nbgrader_config.py``, and a README that tells the
facilitator what to run next. Every later step (``cxkit release``, ``collect``,
``grade``, ``report``) then works in that folder. The files come from
:func:`cxkit.resources.shipped`, so this works from a clone and from an
installed wheel alike.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cxkit.course.directory import find_workshop
from cxkit.errors import CxkitError
from cxkit.resources import shipped

README = """\
# {title}: a cxkit course

This folder is an nbgrader course directory, laid out by `cxkit quickstart`.

- `source/<workshop>/`: the notebooks with model answers and tests. Edit them here.
- `nbgrader_config.py`: nbgrader's settings for this course (its id, the stub
  participants see in place of a model answer).

Workshops: {workshops}.

The facilitator guide of each workshop (timings, what to say, the answer story)
is in {guides}.

## What to run next, in this folder

{steps}

From another folder, add `--course-dir {folder}`. To see the whole cycle on a
simulated cohort first, run `cxkit demo`.

The gradebook (`gradebook.db`) and the folders `submitted/`, `autograded/` and
`feedback/` will hold participants' work: keep them out of shared version control.
"""
STEPS = (
    ("release {n}", "participant notebooks in release/{name}/"),
    ("roster import roster.csv", "participants: id, name, email, department"),
    ("collect hand-ins/ --workshop {n}", "place the zips and notebooks handed in"),
    ("grade {n}", "grade them in parallel, in a sandbox"),
    ("feedback {n}", "one HTML page per participant in feedback/"),
    ("report {n}", "the facilitator report"),
    ("status {n}", "who handed in, who was graded, who failed and why"),
)


def _readme(root: Path, workshop: str) -> str:
    """The course's README: its workshops, and the commands of a cycle for ``workshop``."""
    number = workshop.split("-", 1)[0]
    commands = [("cxkit " + c.format(n=number), text.format(name=workshop)) for c, text in STEPS]
    width = max(len(c) for c, _ in commands) + 4
    present = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    return README.format(
        title=root.name,
        workshops=", ".join(present),
        guides=f"`{shipped('workshops')}/<workshop>/README.md`",
        steps="\n".join(f"    {c:<{width}}{text}" for c, text in commands),
        folder=root,
    )


@dataclass
class Layout:
    """What ``quickstart`` wrote: the course folder, its workshops, the files written."""

    root: Path
    workshops: list[str]
    written: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal: where the course is and what to run next."""
        lines = [
            f"Laid out a course in {self.root} with {len(self.workshops)} workshop(s): "
            f"{', '.join(self.workshops)}.",
        ]
        if self.replaced:
            shown = ", ".join(str(p.relative_to(self.root)) for p in self.replaced[:5])
            more = f" and {len(self.replaced) - 5} more" if len(self.replaced) > 5 else ""
            lines.append(f"Replaced {len(self.replaced)} file(s) (--force): {shown}{more}.")
        first = self.workshops[0].split("-", 1)[0]
        lines.append(
            f"Next: cd {self.root} and run `cxkit release {first}`; README.md lists every step."
        )
        return "\n".join(lines)


def shipped_workshops() -> list[str]:
    """The workshops cxkit ships, in order.

    Examples
    --------
    >>> shipped_workshops()[0]
    '00-foundations'
    """
    source = shipped("source")
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def choose(names: list[str] | None) -> list[str]:
    """The shipped workshops that ``names`` mean (numbers such as ``"00"`` will do); all if None.

    Raises
    ------
    CxkitError
        When a name fits no workshop: with a did-you-mean and the list.
    """
    available = shipped_workshops()
    if not names:
        return available
    chosen = [find_workshop(name, available) for name in names]
    return sorted(set(chosen))


def _refuse_non_empty(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise CxkitError(f"{root} is a file, not a folder: give a folder for the new course.")
    inside = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    if inside:
        shown = ", ".join(inside[:5]) + (f" and {len(inside) - 5} more" if len(inside) > 5 else "")
        raise CxkitError(
            f"{root} is not empty (it holds {shown}). Give a new or empty folder for the "
            "course, or pass --force to lay the course out in it anyway (files of the same "
            "name, such as nbgrader_config.py, are then replaced; nothing else is touched)."
        )


def quickstart(folder: Path, workshops: list[str] | None = None, force: bool = False) -> Layout:
    """Lay out a new course directory in ``folder`` from the shipped workshops.

    Parameters
    ----------
    folder : Path
        The course folder: created if missing; it must be empty unless ``force``.
    workshops : list of str, optional
        Workshops to include, by name or number (``["00", "01"]``). Default: all.
    force : bool
        Lay out into a folder that is not empty, replacing files of the same name.

    Returns
    -------
    Layout
        The folder, the workshops and every file written (and which were replaced).

    Raises
    ------
    CxkitError
        When the folder is not empty (without ``force``), or a workshop name is unknown.
        Nothing is written then.
    """
    root = Path(folder).expanduser().resolve()
    chosen = choose(workshops)  # an unknown name stops here, before anything is written
    if not force:
        _refuse_non_empty(root)
    elif root.exists() and not root.is_dir():
        raise CxkitError(f"{root} is a file, not a folder: give a folder for the new course.")
    root.mkdir(parents=True, exist_ok=True)
    layout = Layout(root, chosen)

    def put(source: Path, target: Path, text: str | None = None) -> None:
        if target.exists():
            layout.replaced.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            shutil.copyfile(source, target)
        else:
            target.write_text(text, encoding="utf-8")
        layout.written.append(target)

    for name in chosen:
        for notebook in sorted((shipped("source") / name).glob("*.ipynb")):
            put(notebook, root / "source" / name / notebook.name)
    put(shipped("nbgrader_config.py"), root / "nbgrader_config.py")
    put(root / "README.md", root / "README.md", text=_readme(root, chosen[0]))
    return layout
