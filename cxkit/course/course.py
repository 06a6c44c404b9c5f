"""A course directory: nbgrader's folders, its gradebook, and cxkit's own records.

Every ``cxkit`` course command works on this repository (the default) or, given
``--course-dir``, on any nbgrader course directory. nbgrader stays the system
of record; cxkit keeps the few things nbgrader has no place for (departments,
grading outcomes such as "failed: kernel died") in ``.cxkit/`` beside it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxkit.errors import CxkitError

try:
    import fcntl
except ImportError:  # Windows: one cxkit process at a time per course folder
    fcntl = None  # type: ignore[assignment]

REPO_ROOT = Path(__file__).resolve().parents[2]


def tools_on_path() -> None:
    """Put this Python's ``bin`` folder first on PATH.

    nbgrader runs ``alembic`` by name when it creates a gradebook, and kernels
    are found through ``jupyter``; both fail when cxkit was started as
    ``.venv/bin/cxkit`` without activating the virtualenv.
    """
    here = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [here]:
        os.environ["PATH"] = os.pathsep.join([here, *[p for p in parts if p != here]])


@dataclass
class Course:
    """An nbgrader course directory, with an optional SQLAlchemy gradebook URL."""

    root: Path
    db_url: str | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        if not self.root.is_dir():
            raise CxkitError(
                f"The course folder {self.root} does not exist. Pass --course-dir with the "
                "folder that holds source/ (and nbgrader_config.py)."
            )
        tools_on_path()

    @property
    def gradebook_url(self) -> str:
        """The gradebook: SQLite in the course folder unless --db-url says otherwise."""
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    def folder(self, step: str) -> Path:
        """One of nbgrader's step folders: source, release, submitted, autograded, feedback."""
        return self.root / step

    @property
    def state(self) -> Path:
        """cxkit's own records for this course."""
        path = self.root / ".cxkit"
        path.mkdir(exist_ok=True)
        return path

    def workshops(self) -> list[str]:
        """The workshops (nbgrader assignments) in source/, in order."""
        source = self.folder("source")
        if not source.is_dir():
            raise CxkitError(f"{self.root} has no source/ folder: is it an nbgrader course?")
        return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def workshop(self, name: str | None) -> str:
        """Resolve a workshop name; None means the only (or first) one."""
        names = self.workshops()
        if not names:
            raise CxkitError(f"{self.folder('source')} holds no workshop notebooks.")
        if name is None:
            return names[0]
        if name in names:
            return name
        prefixed = [n for n in names if n.split("-", 1)[0] == name or n.endswith(name)]
        if len(prefixed) == 1:
            return prefixed[0]
        from cxkit.errors import close_match

        raise CxkitError(
            f'There is no workshop "{name}".{close_match(name, names)} '
            f"The workshops are: {', '.join(names)}."
        )

    def notebooks(self, workshop: str) -> list[str]:
        """The notebook names (without .ipynb) of a workshop."""
        return sorted(p.stem for p in (self.folder("source") / workshop).glob("*.ipynb"))

    def api(self, **config: Any) -> Any:
        """nbgrader's API for this course, with cxkit's quiet defaults and extra config."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config

        cfg = Config()
        cfg.CourseDirectory.root = str(self.root)
        cfg.CourseDirectory.db_url = self.gradebook_url
        exchange = self.state / "exchange"  # unused by cxkit; avoids nbgrader's critical log
        exchange.mkdir(exist_ok=True)
        cfg.Exchange.root = str(exchange)
        for dotted, value in config.items():
            section, key = dotted.rsplit(".", 1)
            setattr(cfg[section], key, value)
        coursedir = CourseDirectory(config=cfg)
        return NbGraderAPI(coursedir=coursedir, config=cfg)

    def gradebook(self) -> Any:
        """An open nbgrader Gradebook; use it as a context manager."""
        from nbgrader.api import Gradebook

        return Gradebook(self.gradebook_url)

    # --- cxkit's own records ---------------------------------------------------------
    def read_json(self, name: str, default: Any) -> Any:
        path = self.state / name
        if not path.is_file():
            return default
        return json.loads(path.read_text(encoding="utf-8"))

    def write_json(self, name: str, value: Any) -> None:
        """Write atomically, so an interrupt never leaves half a file."""
        path = self.state / name
        tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def update_json(self, name: str, default: Any, change: Callable[[Any], None]) -> None:
        """Read, change and write a record under a lock.

        Two ``cxkit`` processes (grading two workshops at once, say) never lose
        each other's changes.
        """
        with (self.state / f"{name}.lock").open("a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            value = self.read_json(name, default)
            change(value)
            self.write_json(name, value)
